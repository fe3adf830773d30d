//! Integration tests of the engine that run twice: natively (`cargo test`) and
//! compiled to wasm32 in headless Chromium (`wasm-bindgen-test-runner`). Both runs
//! check against the same pinned numbers, so the browser and the CLI agree.

use annlab_core::dataset::{Stream, unit_gaussian};
use annlab_core::{DataSpec, Error, Metric, QuickstartParams, quickstart};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// The first two unit vectors of seed 42's base stream at dim 4, as pinned bits.
const SEED42_DIM4: &str = include_str!("data/seed42_dim4.txt");

#[test]
fn generated_data_matches_the_pinned_bits() {
    let v = unit_gaussian(2, 4, 42, Stream::Base);
    let pinned: Vec<u32> = SEED42_DIM4
        .split_whitespace()
        .map(|h| u32::from_str_radix(h, 16).unwrap())
        .collect();
    let got: Vec<u32> = v.iter().map(|x| x.to_bits()).collect();
    assert_eq!(
        got,
        pinned,
        "generator output changed: {}",
        got.iter()
            .map(|b| format!("{b:08x}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
}

#[test]
fn quickstart_top10_matches_the_pinned_ids() {
    let p = QuickstartParams {
        data: DataSpec {
            n: 1000,
            dim: 64,
            seed: 42,
        },
        k: 10,
    };
    let hits = quickstart::run(&p).unwrap();
    let ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
    assert_eq!(ids, PINNED_TOP10, "top-10 ids changed: {ids:?}");
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let p = QuickstartParams {
        data: DataSpec {
            n: 10,
            dim: 0,
            seed: 1,
        },
        k: 10,
    };
    assert_eq!(
        quickstart::run(&p),
        Err(Error::InvalidDimension {
            dim: 0,
            max: 32_768
        })
    );
    assert!(Metric::Cosine.prepare(0, &mut [0.0; 4]).is_err());
}

#[test]
fn the_best_kernels_of_this_target_match_scalar() {
    let best = annlab_core::kernels::best();
    #[cfg(target_arch = "wasm32")]
    assert_eq!(best.name, "simd128");
    for len in [0, 1, 3, 4, 15, 16, 17, 100, 1536] {
        let a: Vec<f32> = (0..len).map(|i| (i as f32 * 0.7).sin()).collect();
        let b: Vec<f32> = (0..len).map(|i| (i as f32 * 0.3).cos()).collect();
        let tol = 1e-5 * (len as f32 + 1.0);
        let s = annlab_core::kernels::scalar::dot(&a, &b);
        assert!(
            ((best.dot)(&a, &b) - s).abs() <= tol,
            "{} dot {len}",
            best.name
        );
        let s = annlab_core::kernels::scalar::l2_squared(&a, &b);
        assert!(
            ((best.l2_squared)(&a, &b) - s).abs() <= tol,
            "{} l2 {len}",
            best.name
        );
    }
}

const PINNED_TOP10: [i64; 10] = [545, 925, 582, 594, 543, 949, 586, 560, 403, 160];
