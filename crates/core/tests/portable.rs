//! Integration tests of the engine that run twice: natively (`cargo test`) and
//! compiled to wasm32 in headless Chromium (`wasm-bindgen-test-runner`). Both runs
//! check against the same pinned numbers, so the browser and the CLI agree.

use annlab_core::dataset::{Stream, unit_gaussian};
use annlab_core::{DataSpec, Error, Metric, QuickstartParams, quickstart};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_dedicated_worker);

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

/// FNV-1a of the bits of 8 embedding-like vectors (seed 42, dim 64, base and
/// query streams): the same on every target.
#[test]
fn embeddings_match_the_pinned_hash() {
    let fnv = |v: &[f32]| {
        v.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, x| {
            (h ^ u64::from(x.to_bits())).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let base = annlab_core::dataset::embeddings(8, 64, 42, Stream::Base);
    let queries = annlab_core::dataset::embeddings(8, 64, 42, Stream::Queries);
    let got = (fnv(&base), fnv(&queries));
    assert_eq!(
        got,
        (0x64df_2b97_3079_6be6, 0x9d27_236d_ae75_d1b3),
        "generator output changed: {got:#x?}"
    );
}

#[test]
fn quickstart_top10_matches_the_pinned_ids() {
    let p = QuickstartParams {
        data: DataSpec {
            n: 1000,
            dim: 64,
            seed: 42,
            kind: Default::default(),
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
            kind: Default::default(),
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

/// Milvus 2.3.5's own messages (`../shared/milvus/REFERENCE.md`, section 6) for
/// the mistakes a learner makes, produced by the engine's public API.
#[test]
fn milvus_error_catalogue() {
    use annlab_core::collection::{Collection, QueryRequest, SearchRequest};
    use annlab_core::index::spec::{IndexParams, IndexSpec};
    use annlab_core::index::{AnnParams, IndexType, NoProgress};
    use annlab_core::schema::{CollectionSchema, Column};

    fn loaded(params: IndexParams) -> Collection {
        let mut c = Collection::new("probe_main", 7, CollectionSchema::tutorial(8), 1).unwrap();
        c.create_index(
            "embedding",
            "",
            IndexSpec::new(params, Metric::Cosine),
            &mut NoProgress,
        )
        .unwrap();
        let n = 20;
        let data = annlab_core::dataset::unit_gaussian(n, 8, 1, annlab_core::dataset::Stream::Base);
        c.insert(vec![
            Column::FloatVector { dim: 8, data },
            Column::VarChar((0..n).map(|i| format!("doc {i}")).collect()),
            Column::VarChar((0..n).map(|i| format!("source_{}.txt", i % 10)).collect()),
            Column::Int64((0..n as i64).collect()),
        ])
        .unwrap();
        c.flush(&mut NoProgress).unwrap();
        c.load().unwrap();
        c
    }
    let search = |c: &Collection, ann: AnnParams, limit: usize, filter: &str| {
        c.search(&SearchRequest {
            anns_field: "embedding".into(),
            data: vec![vec![1.0; 8]],
            ann,
            limit,
            filter: filter.into(),
            ..Default::default()
        })
        .map(|_| ())
        .unwrap_err()
        .to_string()
    };
    let create = |params: IndexParams| {
        let mut c = Collection::new("probe_main", 7, CollectionSchema::tutorial(8), 1).unwrap();
        let spec = IndexSpec::new(params, Metric::L2);
        c.create_index("embedding", "", spec, &mut NoProgress)
            .unwrap_err()
            .to_string()
    };
    let hnsw_params = |m, ef_construction| IndexParams::Hnsw { m, ef_construction };
    let hnsw = loaded(hnsw_params(8, 16));
    let ivf = loaded(IndexParams::IvfFlat { nlist: 4 });
    let mut unloaded = loaded(IndexParams::Flat);
    unloaded.release();
    let none = AnnParams::Default;
    let bad_schema = |dim: usize| {
        Collection::new("c", 1, CollectionSchema::tutorial(dim), 0)
            .unwrap_err()
            .to_string()
    };

    let cases: Vec<(String, &str)> = vec![
        (create(hnsw_params(0, 8)), "M out of range: [1, 2048]"),
        (
            create(hnsw_params(8, 0)),
            "efConstruction out of range: [1, 2147483647]",
        ),
        (
            create(IndexParams::IvfFlat { nlist: 0 }),
            "nlist out of range: [1, 65536]",
        ),
        (
            create(IndexParams::IvfPq {
                nlist: 4,
                m: 3,
                nbits: 8,
            }),
            "dimension must be able to be divided by `m`, dimension: 8, m: 3",
        ),
        (
            "FOO".parse::<IndexType>().unwrap_err().to_string(),
            "invalid index type: FOO",
        ),
        (
            search(&hnsw, AnnParams::Hnsw { ef: 2 }, 3, ""),
            "ef(2) should be larger than k(3)",
        ),
        (
            search(&hnsw, AnnParams::Hnsw { ef: 0 }, 3, ""),
            "param ef out of range [ 1,2147483647 ]",
        ),
        (
            search(&ivf, AnnParams::Ivf { nprobe: 0 }, 3, ""),
            "param nprobe out of range [ 1,65536 ]",
        ),
        (
            search(&hnsw, none, 16_385, ""),
            "topk [16385] is invalid, top k should be in range [1, 16384], but got 16385",
        ),
        (
            search(&unloaded, none, 3, ""),
            "failed to search: collection not loaded[collection=7]",
        ),
        (
            search(&hnsw, none, 3, "source == 1"),
            "cannot parse expression: source == 1, error: comparisons between VarChar, element_type: None and Int64 elementType: None are not supported",
        ),
        (
            search(&hnsw, none, 3, "(id > 5"),
            "cannot parse expression: (id > 5, error: line 1:7 missing ')' at '<EOF>'",
        ),
        (
            search(&hnsw, none, 3, "id == 1 AND id == 1"),
            "cannot parse expression: id == 1 AND id == 1, error: invalid expression: id == 1 AND id == 1",
        ),
        (
            unloaded
                .query(&QueryRequest {
                    expr: "id > 1".into(),
                    ..Default::default()
                })
                .unwrap_err()
                .to_string(),
            "failed to query: collection not loaded[collection=7]",
        ),
        (
            hnsw.query(&QueryRequest::default())
                .unwrap_err()
                .to_string(),
            "empty expression should be used with limit",
        ),
        (
            bad_schema(0),
            "invalid dimension: 0. should be in range 1 ~ 32768",
        ),
        (
            bad_schema(32_769),
            "invalid dimension: 32769. should be in range 1 ~ 32768",
        ),
    ];
    for (got, want) in &cases {
        assert!(got.starts_with(want), "got:  {got}\nwant: {want}");
    }
}
