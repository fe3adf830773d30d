//! HNSW_SQ and IVF_SQ8: recall against exact search with a failure budget,
//! refinement, filters, determinism of the graph, serialisation.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::bitset::Bitset;
use crate::dataset::{Mixture, Stream};
use crate::index::flat::exact_search;
use crate::index::hnsw::HnswParams;
use crate::index::{AnnParams, NoProgress, Progress, RefineK, VectorIndex, VectorView};
use crate::metric::Metric;
use crate::stats::{mean, recall_at_k};
use crate::topk::Neighbour;

const K: usize = 10;
const DIM: usize = 96;

fn clustered(n: usize, nq: usize, seed: u64, metric: Metric) -> (Vec<f32>, Vec<f32>) {
    let mixture = Mixture::new(DIM, seed);
    let mut base = mixture.sample(n, seed, Stream::Base).0;
    let mut queries = mixture.sample(nq, seed, Stream::Queries).0;
    for v in base
        .chunks_exact_mut(DIM)
        .chain(queries.chunks_exact_mut(DIM))
    {
        metric.prepare(0, v).unwrap();
    }
    (base, queries)
}

/// Per-query recall@K of `index` at `params`, against exact search.
fn recalls(
    index: &dyn VectorIndex,
    base: &[f32],
    queries: &[f32],
    params: &AnnParams,
    allowed: Option<&Bitset>,
) -> Vec<f64> {
    let view = VectorView::new(DIM, base);
    queries
        .chunks_exact(DIM)
        .map(|q| {
            let got = index.search(view, q, K, params, allowed).unwrap();
            assert!(got.len() <= K);
            assert!(got.windows(2).all(|w| w[0].distance <= w[1].distance));
            if let Some(bits) = allowed {
                assert!(got.iter().all(|n| bits.contains(n.row as usize)));
            }
            let truth = exact_search(view, index.metric(), q, K, allowed);
            recall_at_k(&Neighbour::rows(&got), &Neighbour::rows(&truth), K)
        })
        .collect()
}

/// The mean, and a failure budget: at most `budget` of the queries below 0.7.
fn assert_recall(r: &[f64], at_least: f64, budget: f64, what: &str) {
    let m = mean(r);
    let failed = r.iter().filter(|&&x| x < 0.7).count() as f64 / r.len() as f64;
    println!(
        "{what}: recall@10 {m:.4}, {:.1} % of queries below 0.7",
        100.0 * failed
    );
    assert!(m >= at_least, "{what}: recall {m}");
    assert!(
        failed <= budget,
        "{what}: {failed} of the queries below 0.7"
    );
}

fn hnsw_sq(base: &[f32], metric: Metric, sq: SqType, refine: Option<RefineType>) -> HnswSq {
    HnswSq::build(
        VectorView::new(DIM, base),
        metric,
        &HnswParams::new(16, 100, 3),
        sq,
        refine,
        &mut NoProgress,
    )
    .unwrap()
}

#[test]
fn hnsw_sq_recall_with_and_without_refinement() {
    for metric in [Metric::Cosine, Metric::L2] {
        let (base, queries) = clustered(3000, 100, 7, metric);
        for sq in [SqType::Sq8, SqType::Fp16, SqType::Bf16] {
            let plain = hnsw_sq(&base, metric, sq, None);
            let ef = AnnParams::Hnsw { ef: 64 };
            let r = recalls(&plain, &base, &queries, &ef, None);
            assert_recall(&r, 0.9, 0.03, &format!("{metric} {sq:?} ef 64"));
            let refined = hnsw_sq(&base, metric, sq, Some(RefineType::Fp32));
            let params = AnnParams::HnswSq {
                ef: Some(64),
                refine_k: Some(RefineK(2.0)),
            };
            let r = recalls(&refined, &base, &queries, &params, None);
            assert_recall(&r, 0.97, 0.01, &format!("{metric} {sq:?} refined"));
            // Refined distances are the exact ones.
            let view = VectorView::new(DIM, &base);
            let q = &queries[..DIM];
            for h in refined.search(view, q, K, &params, None).unwrap() {
                assert_eq!(h.distance, metric.distance(q, view.get(h.row as usize)));
            }
        }
    }
}

#[test]
fn hnsw_sq_refines_with_other_codes_and_respects_filters() {
    let (base, queries) = clustered(2000, 50, 9, Metric::Ip);
    let index = hnsw_sq(
        &base,
        Metric::Ip,
        SqType::Sq8,
        Some(RefineType::Codes(SqType::Fp16)),
    );
    assert!(index.memory_bytes() > index.graph_and_codes_bytes() + 2 * 2000 * DIM);
    let params = AnnParams::HnswSq {
        ef: None,
        refine_k: Some(RefineK(3.0)),
    };
    let r = recalls(&index, &base, &queries, &params, None);
    assert_recall(&r, 0.9, 0.05, "SQ8 refined by FP16");
    let even = Bitset::from_fn(2000, |i| i % 2 == 0);
    let r = recalls(&index, &base, &queries, &params, Some(&even));
    assert_recall(&r, 0.85, 0.05, "SQ8 filtered");
}

/// The graph is a function of the data, parameters and seed, whatever the
/// number of build threads; another seed gives another graph.
#[test]
fn hnsw_sq_graph_is_deterministic_for_a_seed() {
    struct Threads(usize);
    impl Progress for Threads {
        fn report(&mut self, _done: usize, _total: usize) {}
        fn threads(&self) -> usize {
            self.0
        }
    }
    let (base, _) = clustered(1500, 0, 4, Metric::L2);
    let view = VectorView::new(DIM, &base);
    let build = |seed, threads| {
        HnswSq::build(
            view,
            Metric::L2,
            &HnswParams::new(12, 64, seed),
            SqType::Sq8,
            None,
            &mut Threads(threads),
        )
        .unwrap()
    };
    let one = build(5, 1);
    assert!(one == build(5, 1));
    // wasm32 has no threads (the build runs on the calling thread there).
    #[cfg(not(target_arch = "wasm32"))]
    assert!(one == build(5, 3));
    assert!(one.graph() != build(6, 1).graph());
    // And it survives serialisation.
    let bytes = postcard::to_stdvec(&one).unwrap();
    let back: HnswSq = postcard::from_bytes(&bytes).unwrap();
    assert!(back == one);
}

/// Memory: SQ8 codes are a quarter of the floats, FP16 and BF16 half.
#[test]
fn codes_are_smaller_than_the_floats() {
    let (base, _) = clustered(1000, 0, 2, Metric::Cosine);
    let floats = 4 * base.len();
    for (sq, share) in [
        (SqType::Sq8, 0.27),
        (SqType::Fp16, 0.51),
        (SqType::Bf16, 0.51),
    ] {
        let codes = Codes::encode(VectorView::new(DIM, &base), Metric::Cosine, sq);
        let ratio = codes.memory_bytes() as f64 / floats as f64;
        assert!(ratio <= share, "{sq:?}: {ratio}");
    }
}

#[test]
fn ivf_sq8_recall_rises_with_nprobe() {
    for metric in [Metric::Cosine, Metric::L2] {
        let (base, queries) = clustered(4000, 60, 21, metric);
        let view = VectorView::new(DIM, &base);
        let index = IvfSq8::build(view, metric, 32, 5, &mut NoProgress).unwrap();
        assert_eq!((index.nlist(), index.len()), (32, 4000));
        assert!(index.memory_bytes() < base.len() * 4 / 3);
        let mut previous = 0.0;
        for nprobe in [1, 4, 32] {
            let r = recalls(&index, &base, &queries, &AnnParams::Ivf { nprobe }, None);
            let m = mean(&r);
            assert!(
                m + 0.02 >= previous,
                "{metric} nprobe {nprobe}: {m} < {previous}"
            );
            previous = m;
        }
        let r = recalls(
            &index,
            &base,
            &queries,
            &AnnParams::Ivf { nprobe: 32 },
            None,
        );
        assert_recall(&r, 0.9, 0.05, &format!("IVF_SQ8 {metric} nprobe = nlist"));
        let even = Bitset::from_fn(4000, |i| i % 2 == 0);
        let r = recalls(
            &index,
            &base,
            &queries,
            &AnnParams::Ivf { nprobe: 32 },
            Some(&even),
        );
        assert_recall(&r, 0.9, 0.05, &format!("IVF_SQ8 {metric} filtered"));
        let bytes = postcard::to_stdvec(&index).unwrap();
        assert_eq!(postcard::from_bytes::<IvfSq8>(&bytes).unwrap(), index);
    }
}
