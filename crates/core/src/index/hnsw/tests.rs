//! Quality and behaviour of the HNSW index: recall against exact search (plain and
//! filtered), determinism, edge cases, the trace, serialisation.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::dataset::{Mixture, Stream, unit_gaussian};
use crate::error::Error;
use crate::index::NoProgress;
use crate::index::flat::exact_search;
use crate::stats::{mean, recall_at_k};

pub(super) const K: usize = 10;

/// Clustered base and query vectors (the text-embedding-like mixture).
pub(super) fn clustered(n: usize, nq: usize, dim: usize, seed: u64) -> (Vec<f32>, Vec<f32>) {
    let mixture = Mixture::new(dim, seed);
    let base = mixture.sample(n, seed, Stream::Base).0;
    let queries = mixture.sample(nq, seed, Stream::Queries).0;
    (base, queries)
}

/// Mean recall@`k` over the queries of the rows `hits` returns, against exact
/// search (within `allowed`).
pub(super) fn recall_vs_exact(
    base: VectorView<'_>,
    queries: &[f32],
    k: usize,
    allowed: Option<&Bitset>,
    mut hits: impl FnMut(&[f32]) -> Vec<u32>,
) -> f64 {
    let recalls: Vec<f64> = queries
        .chunks_exact(base.dim)
        .map(|q| {
            let truth = exact_search(base, Metric::Cosine, q, k, allowed);
            let got = hits(q);
            assert!(got.len() <= k);
            recall_at_k(&got, &Neighbour::rows(&truth), k)
        })
        .collect();
    mean(&recalls)
}

fn build(base: &[f32], dim: usize, params: &HnswParams) -> Hnsw {
    Hnsw::build(
        VectorView::new(dim, base),
        Metric::Cosine,
        params,
        &mut NoProgress,
    )
    .unwrap()
}

#[test]
fn clustered_recall_at_10_reaches_0_99_at_ef_64() {
    let dim = 128;
    let (base, queries) = clustered(3000, 100, dim, 11);
    let index = build(&base, dim, &HnswParams::new(16, 200, 1));
    let view = VectorView::new(dim, &base);
    let mut scratch = Search::new();
    let r = recall_vs_exact(view, &queries, K, None, |q| {
        Neighbour::rows(&index.search_with(view, q, K, 64, None, &mut scratch))
    });
    println!("hnsw clustered n=3000 dim=128 recall@10 ef=64: {r:.4}");
    assert!(r >= 0.99, "recall {r}");
}

#[test]
fn random_data_recall_grows_with_ef() {
    let dim = 128;
    let base = unit_gaussian(2000, dim, 5, Stream::Base);
    let queries = unit_gaussian(50, dim, 5, Stream::Queries);
    let index = build(&base, dim, &HnswParams::new(16, 200, 2));
    let view = VectorView::new(dim, &base);
    let mut scratch = Search::new();
    let mut previous = 0.0;
    for ef in [10, 32, 64, 128, 256, 512] {
        let r = recall_vs_exact(view, &queries, K, None, |q| {
            Neighbour::rows(&index.search_with(view, q, K, ef, None, &mut scratch))
        });
        println!("hnsw random n=2000 dim=128 recall@10 ef={ef}: {r:.4}");
        assert!(r >= previous - 0.02, "ef={ef}: {r} after {previous}");
        previous = r;
    }
    assert!(previous >= 0.9, "recall {previous} at ef=512");
}

/// faiss's choice of 2·M links for a new node on layer 0 buys recall at equal ef on
/// structureless data (the tutorial's), and new nodes then have more than M links.
#[test]
fn layer0_links_m_max0_gives_more_recall_on_random_data() {
    let dim = 128;
    let base = unit_gaussian(2000, dim, 8, Stream::Base);
    let queries = unit_gaussian(50, dim, 8, Stream::Queries);
    let view = VectorView::new(dim, &base);
    let params = HnswParams::new(8, 64, 2);
    let mut scratch = Search::new();
    let mut at_ef32 = Vec::new();
    for links in [Layer0Links::M, Layer0Links::MMax0] {
        let index = build(&base, dim, &params.with_layer0_links(links));
        let r = recall_vs_exact(view, &queries, K, None, |q| {
            Neighbour::rows(&index.search_with(view, q, K, 32, None, &mut scratch))
        });
        println!("hnsw random n=2000 dim=128 M=8 efC=64 {links:?}: recall@10 ef=32 {r:.4}");
        at_ef32.push(r);
        // The last node inserted chose its own links and got no reverse links.
        let last = index.neighbours(1999, 0).len();
        match links {
            Layer0Links::M => assert!(last <= 8, "{last}"),
            Layer0Links::MMax0 => assert!(last > 8 && last <= 16, "{last}"),
        }
    }
    assert!(at_ef32[1] > at_ef32[0] + 0.02, "{at_ef32:?}");
}

#[test]
fn filtered_search_returns_only_allowed_rows_with_high_recall() {
    let dim = 128;
    let (base, queries) = clustered(3000, 100, dim, 12);
    let index = build(&base, dim, &HnswParams::new(16, 200, 3));
    let view = VectorView::new(dim, &base);
    let mut scratch = Search::new();
    // Selectivity 50 %, 10 %, 1 % with a scattered (hash-like) pattern.
    for (percent, budget) in [(50, 0.95), (10, 0.95), (1, 0.0)] {
        let allowed = Bitset::from_fn(3000, |i| (i * 7919 + 13) % 100 < percent);
        let r = recall_vs_exact(view, &queries, K, Some(&allowed), |q| {
            let hits = index.search_with(view, q, K, 64, Some(&allowed), &mut scratch);
            assert!(hits.iter().all(|h| allowed.contains(h.row as usize)));
            assert!(hits.windows(2).all(|w| w[0].distance <= w[1].distance));
            Neighbour::rows(&hits)
        });
        println!("hnsw clustered filtered {percent}% recall@10 ef=64: {r:.4}");
        assert!(r >= budget, "{percent} %: recall {r}");
    }
}

#[test]
fn same_seed_same_graph_other_seed_other_graph() {
    let dim = 64;
    let (base, _) = clustered(800, 0, dim, 13);
    let a = build(&base, dim, &HnswParams::new(8, 50, 42));
    let b = build(&base, dim, &HnswParams::new(8, 50, 42));
    let c = build(&base, dim, &HnswParams::new(8, 50, 43));
    assert_eq!(a, b);
    assert_ne!(a.graph(), c.graph());
}

#[test]
fn graph_invariants_hold() {
    let dim = 64;
    let (base, _) = clustered(1500, 0, dim, 14);
    for m in [1, 2, 5, 16] {
        let index = build(&base, dim, &HnswParams::new(m, 40, 4));
        let g = index.graph();
        let sizes = index.layer_sizes();
        assert_eq!(sizes[0], 1500);
        assert!(sizes.windows(2).all(|w| w[0] >= w[1]));
        assert!(*sizes.last().unwrap() >= 1);
        let top = index.max_level().unwrap();
        assert_eq!(index.level(index.entry_point().unwrap()), top);
        for row in 0..1500u32 {
            for layer in 0..=index.level(row) {
                let list = index.neighbours(row, layer);
                assert!(list.len() <= g.capacity(layer));
                assert!(!list.contains(&row), "self link");
                assert!(list.iter().all(|&x| index.level(x) >= layer));
                let mut sorted = list.to_vec();
                sorted.sort_unstable();
                sorted.dedup();
                assert_eq!(sorted.len(), list.len(), "duplicate link");
            }
            assert!(index.neighbours(row, index.level(row) + 1).is_empty());
            // Everyone is reachable from somewhere on layer 0.
            assert!(!index.neighbours(row, 0).is_empty());
        }
        assert!(index.memory_bytes() >= 1500 * (2 * m + 1) * 4);
    }
}

#[test]
fn edge_cases_empty_single_small_and_all_disallowed() {
    let dim = 4;
    let empty = build(&[], dim, &HnswParams::default());
    let view = VectorView::new(dim, &[]);
    assert!(empty.is_empty());
    assert_eq!(empty.max_level(), None);
    assert!(empty.layer_sizes().is_empty());
    let p = AnnParams::default();
    assert!(
        empty
            .search(view, &[0.0; 4], 3, &p, None)
            .unwrap()
            .is_empty()
    );
    let (hits, trace) = empty.search_traced(view, &[0.0; 4], 3, 8, None);
    assert!(hits.is_empty() && trace.entry_point.is_none());

    let one = [1.0, 0.0, 0.0, 0.0];
    let single = build(&one, dim, &HnswParams::default());
    let view = VectorView::new(dim, &one);
    let hits = single
        .search(view, &[0.0, 1.0, 0.0, 0.0], 5, &p, None)
        .unwrap();
    assert_eq!(Neighbour::rows(&hits), vec![0]);
    assert_eq!(single.layer_sizes()[0], 1);

    // k > n returns every row, nearest first; k = 0 returns nothing.
    let (base, queries) = clustered(40, 1, 64, 15);
    let view = VectorView::new(64, &base);
    let index = build(&base, 64, &HnswParams::new(4, 16, 0));
    let hits = index.search(view, &queries, 100, &p, None).unwrap();
    assert_eq!(hits.len(), 40);
    assert_eq!(
        hits,
        exact_search(view, Metric::Cosine, &queries, 100, None)
    );
    assert!(
        index
            .search(view, &queries, 0, &p, None)
            .unwrap()
            .is_empty()
    );

    // Nothing allowed: nothing returned (and the search ends).
    let none = Bitset::new(40);
    assert!(
        index
            .search(view, &queries, 5, &p, Some(&none))
            .unwrap()
            .is_empty()
    );
    // One row allowed: found however far it is.
    let mut only = Bitset::new(40);
    only.set(17);
    assert_eq!(
        Neighbour::rows(&index.search(view, &queries, 5, &p, Some(&only)).unwrap()),
        vec![17]
    );
}

#[test]
fn duplicate_vectors_are_found_and_do_not_hurt_recall() {
    let dim = 64;
    let (mut base, queries) = clustered(500, 5, dim, 16);
    // Rows 100..140 are 40 copies of row 99.
    let copy = base[99 * dim..100 * dim].to_vec();
    for r in 100..140 {
        base[r * dim..(r + 1) * dim].copy_from_slice(&copy);
    }
    let index = build(&base, dim, &HnswParams::new(8, 64, 1));
    let view = VectorView::new(dim, &base);
    // The copy's 10 nearest are 10 of its copies, all at the same distance. (As in
    // hnswlib and faiss, more copies than a list holds compete for in-links, so
    // not every one of 41 copies need be reachable.)
    let hits = index
        .search(view, &copy, K, &AnnParams::default(), None)
        .unwrap();
    assert_eq!(hits.len(), K);
    assert!(hits.iter().all(|h| (99..140).contains(&h.row)));
    assert!(hits.iter().all(|h| h.distance == hits[0].distance));
    let r = recall_vs_exact(view, &queries, K, None, |q| {
        Neighbour::rows(
            &index
                .search(view, q, K, &AnnParams::default(), None)
                .unwrap(),
        )
    });
    assert!(r >= 0.9, "recall {r} with duplicates");
}

#[test]
fn trace_matches_the_search() {
    let dim = 64;
    let (base, queries) = clustered(2000, 3, dim, 17);
    let index = build(&base, dim, &HnswParams::new(4, 32, 6));
    let view = VectorView::new(dim, &base);
    let top = index.max_level().unwrap();
    assert!(top >= 2, "the test wants several layers");
    for q in queries.chunks_exact(dim) {
        let (hits, trace) = index.search_traced(view, q, K, 20, None);
        assert_eq!(
            hits,
            index.search_with(view, q, K, 20, None, &mut Search::new())
        );
        assert_eq!(trace.entry_point, index.entry_point());
        assert_eq!(trace.ef, 20);
        let layers: Vec<usize> = trace.layers.iter().map(|l| l.layer).collect();
        assert_eq!(layers, (0..=top).rev().collect::<Vec<_>>());
        let total: usize = trace.layers.iter().map(|l| l.visited.len()).sum();
        assert_eq!(total, trace.distance_computations);
        assert_eq!(trace.layers[0].visited[0].row, index.entry_point().unwrap());
        for pair in trace.layers.windows(2) {
            // The greedy path descends and hands its end to the next layer.
            let path = &pair[0].path;
            assert!(path.windows(2).all(|w| w[1].distance < w[0].distance));
            assert_eq!(pair[1].path[0], *path.last().unwrap());
        }
        let json = serde_json::to_string(&trace).unwrap();
        assert_eq!(serde_json::from_str::<SearchTrace>(&json).unwrap(), trace);
    }
}

#[test]
fn the_graph_round_trips_through_serde() {
    let dim = 64;
    let (base, queries) = clustered(600, 4, dim, 18);
    let index = build(&base, dim, &HnswParams::new(6, 40, 9));
    let json = serde_json::to_string(&index).unwrap();
    let back: Hnsw = serde_json::from_str(&json).unwrap();
    assert_eq!(back, index);
    let view = VectorView::new(dim, &base);
    let p = AnnParams::Hnsw { ef: 32 };
    for q in queries.chunks_exact(dim) {
        assert_eq!(
            back.search(view, q, K, &p, None).unwrap(),
            index.search(view, q, K, &p, None).unwrap()
        );
    }
}

#[test]
fn every_metric_finds_its_own_nearest() {
    let dim = 64;
    let (base, queries) = clustered(1000, 20, dim, 19);
    // Unnormalised data so that L2 and IP disagree.
    let base: Vec<f32> = base
        .chunks_exact(dim)
        .enumerate()
        .flat_map(|(i, r)| r.iter().map(move |x| x * (1.0 + (i % 7) as f32 * 0.1)))
        .collect();
    let view = VectorView::new(dim, &base);
    for metric in [Metric::L2, Metric::Ip, Metric::Cosine] {
        let index =
            Hnsw::build(view, metric, &HnswParams::new(16, 100, 0), &mut NoProgress).unwrap();
        assert_eq!(index.metric(), metric);
        let mut found = 0;
        for q in queries.chunks_exact(dim) {
            let truth = exact_search(view, metric, q, K, None);
            let got = Neighbour::rows(&index.search_with(view, q, K, 64, None, &mut Search::new()));
            found += truth.iter().filter(|t| got.contains(&t.row)).count();
        }
        let r = found as f64 / (20 * K) as f64;
        assert!(r >= 0.95, "{metric}: recall {r}");
    }
}

#[derive(Default)]
struct Watch {
    reports: Vec<(usize, usize)>,
    cancel_after: Option<usize>,
}

impl Progress for Watch {
    fn report(&mut self, done: usize, total: usize) {
        self.reports.push((done, total));
    }
    fn cancelled(&self) -> bool {
        self.cancel_after.is_some_and(|c| self.reports.len() >= c)
    }
}

#[test]
fn build_reports_progress_and_can_be_cancelled() {
    let dim = 16;
    let base = unit_gaussian(1000, dim, 1, Stream::Base);
    let view = VectorView::new(dim, &base);
    let mut watch = Watch::default();
    Hnsw::build(view, Metric::L2, &HnswParams::new(8, 20, 0), &mut watch).unwrap();
    assert_eq!(watch.reports.first(), Some(&(0, 1000)));
    assert_eq!(watch.reports.last(), Some(&(1000, 1000)));
    assert!(watch.reports.windows(2).all(|w| w[0].0 < w[1].0));
    let mut stop = Watch {
        cancel_after: Some(2),
        ..Watch::default()
    };
    let err = Hnsw::build(view, Metric::L2, &HnswParams::new(8, 20, 0), &mut stop).unwrap_err();
    assert!(matches!(
        err,
        Error::Cancelled {
            what: "HNSW build",
            total: 1000,
            done,
        } if done > 0 && done < 1000
    ));
}

#[cfg(not(target_arch = "wasm32"))] // no threads there
#[test]
fn the_graph_does_not_depend_on_the_build_threads() {
    /// Lets a build use `0` threads.
    struct Threads(usize);
    impl Progress for Threads {
        fn report(&mut self, _done: usize, _total: usize) {}
        fn threads(&self) -> usize {
            self.0
        }
    }
    let dim = 64;
    let (base, _) = clustered(3000, 1, dim, 5);
    let view = VectorView::new(dim, &base);
    for params in [
        HnswParams::new(8, 40, 3),
        HnswParams::new(4, 16, 4).with_layer0_links(Layer0Links::MMax0),
    ] {
        let one = Hnsw::build(view, Metric::Cosine, &params, &mut Threads(1)).unwrap();
        for t in [2, 3, 8] {
            let many = Hnsw::build(view, Metric::Cosine, &params, &mut Threads(t)).unwrap();
            assert!(one == many, "{t} threads built another graph");
        }
    }
}

#[test]
fn the_pool_reuses_scratch_and_the_default_ef_is_max_k_16() {
    let dim = 64;
    let (base, queries) = clustered(1000, 10, dim, 20);
    let index = build(&base, dim, &HnswParams::new(16, 100, 0));
    let view = VectorView::new(dim, &base);
    for q in queries.chunks_exact(dim) {
        let pooled = index
            .search(view, q, K, &AnnParams::default(), None)
            .unwrap();
        assert_eq!(
            pooled,
            index.search_with(view, q, K, 16, None, &mut Search::new())
        );
        let (_, trace) = index.search_traced(view, q, 30, default_ef(30), None);
        assert_eq!(trace.ef, 30);
    }
    assert_eq!(index.pool.lock().unwrap().len(), 1);
    assert_eq!(default_ef(3), 16);
}
