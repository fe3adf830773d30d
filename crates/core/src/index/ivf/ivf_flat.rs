//! IVF_FLAT: k-means cells with full vectors. A search computes the query's
//! distance to every centroid, probes the `nprobe` nearest lists and computes exact
//! distances to the vectors in them. Recall is lost only when a true neighbour lives
//! in a list that was not probed; with `nprobe = nlist` the result is the exact one.
//!
//! Like faiss's inverted lists, every list keeps a contiguous copy of its vectors
//! (scans stream through memory instead of gathering rows), so the index holds a
//! second copy of the data; [`VectorIndex::memory_bytes`] counts it.

use serde::{Deserialize, Serialize};

use crate::bitset::Bitset;
use crate::error::Result;
use crate::index::ivf::coarse::{CoarseQuantizer, check_build};
use crate::index::ivf::kmeans::MAX_POINTS_PER_CENTROID;
use crate::index::ivf::{COARSE_NITER, DEFAULT_NPROBE, SearchTrace, Stage, allows, shares};
use crate::index::{AnnParams, IndexType, Progress, Reach, VectorIndex, VectorView};
use crate::metric::Metric;
use crate::topk::{Neighbour, TopK};

/// One inverted list: row ids and, in the same order, their vectors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct FlatList {
    ids: Vec<u32>,
    /// `ids.len() × dim` floats.
    vectors: Vec<f32>,
}

/// Milvus's IVF_FLAT.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IvfFlat {
    quantizer: CoarseQuantizer,
    len: usize,
    lists: Vec<FlatList>,
}

impl IvfFlat {
    /// Trains `nlist` centroids with seeded k-means and files every row of
    /// `vectors` (prepared by `metric`) under its nearest centroid. Progress is in
    /// [`super::PERMILLE`] of the estimated work; cancelling returns
    /// [`crate::Error::Cancelled`] (from k-means, or `"IVF_FLAT build"` while
    /// filing rows).
    pub fn build(
        vectors: VectorView<'_>,
        metric: Metric,
        nlist: usize,
        seed: u64,
        progress: &mut dyn Progress,
    ) -> Result<Self> {
        check_build(vectors, nlist)?;
        let n = vectors.len();
        let lists = nlist.min(n) as f64;
        let trained = (n as f64).min(nlist as f64 * MAX_POINTS_PER_CENTROID as f64);
        let sh = shares(&[COARSE_NITER as f64 * trained * lists, n as f64 * lists]);
        let quantizer = CoarseQuantizer::train(
            vectors,
            metric,
            nlist,
            seed,
            &mut Stage::new(progress, sh[0]),
        )?;
        let assign =
            quantizer.assign_all(vectors, "IVF_FLAT build", &mut Stage::new(progress, sh[1]))?;
        let dim = vectors.dim;
        let mut sizes = vec![0usize; quantizer.nlist()];
        assign.iter().for_each(|&a| sizes[a as usize] += 1);
        let mut lists: Vec<FlatList> = sizes
            .iter()
            .map(|&s| FlatList {
                ids: Vec::with_capacity(s),
                vectors: Vec::with_capacity(s * dim),
            })
            .collect();
        for (row, &a) in assign.iter().enumerate() {
            let list = &mut lists[a as usize];
            list.ids.push(row as u32);
            list.vectors.extend_from_slice(vectors.get(row));
        }
        Ok(Self {
            quantizer,
            len: n,
            lists,
        })
    }

    /// The coarse quantiser (centroids, k-means statistics).
    pub fn quantizer(&self) -> &CoarseQuantizer {
        &self.quantizer
    }

    pub fn dim(&self) -> usize {
        self.quantizer.dim()
    }

    /// Number of lists (`min(nlist, rows)`).
    pub fn nlist(&self) -> usize {
        self.lists.len()
    }

    /// Centroids, `nlist × dim` floats, row major.
    pub fn centroids(&self) -> &[f32] {
        self.quantizer.centroids()
    }

    /// Vectors per list.
    pub fn list_sizes(&self) -> Vec<usize> {
        self.lists.iter().map(|l| l.ids.len()).collect()
    }

    /// Rows of list `list`, ascending.
    pub fn list_rows(&self, list: usize) -> &[u32] {
        &self.lists[list].ids
    }

    /// The lists a search with `nprobe` would scan, nearest centroid first, with
    /// the query-to-centroid distance.
    pub fn probe(&self, query: &[f32], nprobe: usize) -> Result<Vec<(u32, f32)>> {
        self.quantizer.probe(query, nprobe)
    }

    /// Search that also says which lists it probed and how many distances it
    /// computed. `nprobe` is clamped to the number of lists.
    pub fn search_traced(
        &self,
        query: &[f32],
        k: usize,
        nprobe: usize,
        allowed: Option<&Bitset>,
    ) -> Result<(Vec<Neighbour>, SearchTrace)> {
        let probes = self.quantizer.probe(query, nprobe)?;
        let mut trace = self.quantizer.start_trace(&probes);
        let mut top = TopK::new(k);
        let metric = self.quantizer.metric();
        let dim = self.dim();
        // Rows four at a time (the interleaved kernel), offered in list order.
        let mut group: Vec<(u32, &[f32])> = Vec::with_capacity(4);
        let flush = |top: &mut TopK, group: &mut Vec<(u32, &[f32])>| {
            let mut distances = [0.0f32; 4];
            if let [a, b, c, d] = group[..] {
                distances = metric.distance4(query, [a.1, b.1, c.1, d.1]);
            } else {
                for (d, (_, v)) in distances.iter_mut().zip(group.iter()) {
                    *d = metric.distance(query, v);
                }
            }
            for (&(row, _), &distance) in group.iter().zip(&distances) {
                if distance <= top.threshold() {
                    top.push(Neighbour { row, distance });
                }
            }
            group.clear();
        };
        for p in trace.probed.iter_mut() {
            let list = &self.lists[p.list as usize];
            p.size = list.ids.len();
            for (&id, v) in list.ids.iter().zip(list.vectors.chunks_exact(dim)) {
                if allows(allowed, id) {
                    p.scanned += 1;
                    group.push((id, v));
                    if group.len() == 4 {
                        flush(&mut top, &mut group);
                    }
                }
            }
            trace.filtered_out += p.size - p.scanned;
            trace.vector_distances += p.scanned;
        }
        flush(&mut top, &mut group);
        Ok((top.into_sorted(), trace))
    }
}

impl VectorIndex for IvfFlat {
    fn index_type(&self) -> IndexType {
        IndexType::IvfFlat
    }

    fn metric(&self) -> Metric {
        self.quantizer.metric()
    }

    fn len(&self) -> usize {
        self.len
    }

    fn memory_bytes(&self) -> usize {
        let lists: usize = self
            .lists
            .iter()
            .map(|l| {
                std::mem::size_of::<FlatList>()
                    + l.ids.len() * std::mem::size_of::<u32>()
                    + l.vectors.len() * std::mem::size_of::<f32>()
            })
            .sum();
        std::mem::size_of::<Self>() + self.quantizer.memory_bytes() + lists
    }

    /// Probes `params.nprobe` lists (default [`DEFAULT_NPROBE`], clamped to the
    /// number of lists). The index keeps its own copy of the vectors, so `vectors`
    /// is not read.
    fn search(
        &self,
        _vectors: VectorView<'_>,
        query: &[f32],
        k: usize,
        params: &AnnParams,
        allowed: Option<&Bitset>,
    ) -> Result<Vec<Neighbour>> {
        let nprobe = params.nprobe().unwrap_or(DEFAULT_NPROBE);
        Ok(self.search_traced(query, k, nprobe, allowed)?.0)
    }

    /// Knowhere's IVF range search (Milvus 2.4+): `nprobe` does not apply; the
    /// lists are scanned nearest centroid first until `max_empty_buckets` lists
    /// in a row added no row within the radius (or every list was scanned).
    /// A paging search (pymilvus's search iterator: rings of growing radius
    /// beyond the rows already returned) so reaches rows far outside the
    /// `nprobe` nearest lists.
    fn range_search(
        &self,
        _vectors: VectorView<'_>,
        query: &[f32],
        reach: &Reach,
        _params: &AnnParams,
        allowed: Option<&Bitset>,
    ) -> Result<Vec<Neighbour>> {
        let metric = self.quantizer.metric();
        let dim = self.dim();
        let mut found = Vec::new();
        let mut empty_in_a_row = 0;
        for (list, _) in self.quantizer.probe(query, self.nlist())? {
            let before = found.len();
            let list = &self.lists[list as usize];
            for (&row, v) in list.ids.iter().zip(list.vectors.chunks_exact(dim)) {
                if allows(allowed, row) {
                    let distance = metric.distance(query, v);
                    if distance < reach.radius {
                        found.push(Neighbour { row, distance });
                    }
                }
            }
            empty_in_a_row = if found.len() == before {
                empty_in_a_row + 1
            } else {
                0
            };
            if empty_in_a_row >= reach.max_empty_buckets.max(1) {
                break;
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::index::NoProgress;
    use crate::index::flat::exact_search;
    use crate::index::ivf::testutil::{CancelAfter, Recorder, clustered_data};
    use crate::stats::{mean, recall_at_k};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const DIM: usize = 128;
    const N: usize = 4000;
    const NQ: usize = 50;

    /// Mean recall@10 over the queries at `nprobe`.
    fn recall_at_nprobe(
        idx: &IvfFlat,
        base: &[f32],
        queries: &[f32],
        nprobe: usize,
        allowed: Option<&Bitset>,
    ) -> f64 {
        let v = VectorView::new(DIM, base);
        let params = AnnParams::Ivf { nprobe };
        let recalls: Vec<f64> = queries
            .chunks_exact(DIM)
            .map(|q| {
                let got = idx.search(v, q, 10, &params, allowed).unwrap();
                if let Some(bits) = allowed {
                    assert!(got.iter().all(|n| bits.contains(n.row as usize)));
                }
                let truth = exact_search(v, idx.metric(), q, 10, allowed);
                recall_at_k(&Neighbour::rows(&got), &Neighbour::rows(&truth), 10)
            })
            .collect();
        mean(&recalls)
    }

    #[test]
    fn recall_on_clustered_data_rises_with_nprobe_and_is_exact_at_nlist() {
        let (base, queries) = clustered_data(N, NQ, DIM, 21);
        let v = VectorView::new(DIM, &base);
        for metric in [Metric::Cosine, Metric::L2] {
            let idx = IvfFlat::build(v, metric, 64, 5, &mut NoProgress).unwrap();
            assert_eq!(idx.nlist(), 64);
            assert_eq!(idx.list_sizes().iter().sum::<usize>(), N);
            let r: Vec<f64> = [1, 2, 8, 32]
                .iter()
                .map(|&p| recall_at_nprobe(&idx, &base, &queries, p, None))
                .collect();
            eprintln!(
                "IVF_FLAT {metric} n={N} dim={DIM} nlist=64 recall@10 at nprobe 1/2/8/32: {r:?}"
            );
            assert!(r[2] >= 0.9, "{metric} nprobe=8 recall {}", r[2]);
            assert!(r.windows(2).all(|w| w[0] <= w[1] + 1e-9), "{r:?}");
            assert!(r[0] < r[3]);
            // nprobe = nlist (and beyond) is exact search, distances included.
            for q in queries.chunks_exact(DIM).take(10) {
                for nprobe in [64, 1000] {
                    let p = AnnParams::Ivf { nprobe };
                    assert_eq!(
                        idx.search(v, q, 10, &p, None).unwrap(),
                        exact_search(v, metric, q, 10, None)
                    );
                }
            }
        }
    }

    /// Range search walks the lists past `nprobe` (knowhere's rule): a ring
    /// beyond the nearest rows (what pymilvus's search iterator asks for) is
    /// found in full, the filter holds, and the walk stops on empty lists.
    #[test]
    fn range_search_walks_lists_beyond_nprobe_until_empty_ones() {
        use crate::index::{Reach, flat::exact_range};
        let (base, queries) = clustered_data(N, NQ, DIM, 23);
        let v = VectorView::new(DIM, &base);
        let idx = IvfFlat::build(v, Metric::L2, 256, 5, &mut NoProgress).unwrap();
        let q = &queries[..DIM];
        let near = exact_search(v, Metric::L2, q, 400, None);
        let (inner, outer) = (near[99].distance, near[399].distance);
        let reach = |radius, max_empty_buckets| Reach {
            radius,
            k: 100,
            max_empty_buckets,
        };
        let params = AnnParams::Ivf { nprobe: 1 };
        let found = idx
            .range_search(v, q, &reach(outer, 2), &params, None)
            .unwrap();
        let ring = found.iter().filter(|n| n.distance >= inner).count();
        let truth = exact_range(v, Metric::L2, q, outer, None);
        assert!(found.iter().all(|n| n.distance < outer));
        assert!(
            found.len() as f64 >= 0.8 * truth.len() as f64,
            "{}",
            found.len()
        );
        assert!(
            ring >= 240,
            "the ring beyond the 100 nearest: {ring} of 300"
        );
        // Every list, when empty lists never stop the walk: the exact answer.
        let mut all = idx
            .range_search(v, q, &reach(outer, N), &params, None)
            .unwrap();
        all.sort_by(|a, b| a.cmp_closeness(b));
        let mut truth = truth;
        truth.sort_by(|a, b| a.cmp_closeness(b));
        assert_eq!(all, truth);
        // A filter is checked in the walk.
        let bits = Bitset::from_fn(N, |i| i % 3 == 0);
        let filtered = idx
            .range_search(v, q, &reach(outer, N), &params, Some(&bits))
            .unwrap();
        assert_eq!(
            filtered.len(),
            exact_range(v, Metric::L2, q, outer, Some(&bits)).len()
        );
        // Nothing within a radius closer than the nearest row: two lists, no hit.
        let none = idx
            .range_search(v, q, &reach(near[0].distance, 2), &params, None)
            .unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn filtered_search_returns_only_allowed_rows_with_recall() {
        let (base, queries) = clustered_data(N, NQ, DIM, 22);
        let v = VectorView::new(DIM, &base);
        let idx = IvfFlat::build(v, Metric::Cosine, 64, 5, &mut NoProgress).unwrap();
        // (1 in `keep` rows allowed, nprobe, recall budget). At nprobe 8 (an eighth
        // of the lists) and 1 % allowed, the probed lists hold ~5 allowed rows, so
        // fewer than k come back: IVF does not widen its probe for a filter (nor
        // does Milvus); a larger nprobe fixes it.
        for (keep, nprobe, budget) in [(2, 8, 0.95), (10, 8, 0.7), (100, 8, 0.3), (100, 32, 0.75)] {
            let bits = Bitset::from_fn(N, |i| (i * 7919) % keep == 0);
            let r = recall_at_nprobe(&idx, &base, &queries, nprobe, Some(&bits));
            eprintln!("IVF_FLAT filtered 1/{keep} allowed, nprobe={nprobe}: recall@10 {r:.3}");
            assert!(r >= budget, "1/{keep} allowed, nprobe {nprobe}: {r}");
        }
        // Within the probed lists a filtered search is exact: compare with exact
        // search over (allowed ∩ probed lists), at 1 % allowed and nprobe 8.
        let bits = Bitset::from_fn(N, |i| i % 100 == 3);
        for q in queries.chunks_exact(DIM).take(10) {
            let (got, trace) = idx.search_traced(q, 10, 8, Some(&bits)).unwrap();
            let mut reachable = Bitset::new(N);
            for p in &trace.probed {
                idx.list_rows(p.list as usize)
                    .iter()
                    .for_each(|&r| reachable.set(r as usize));
            }
            reachable.and_with(&bits);
            assert_eq!(
                got,
                exact_search(v, Metric::Cosine, q, 10, Some(&reachable))
            );
            assert_eq!(trace.vector_distances, reachable.count());
        }
    }

    #[test]
    fn trace_reports_probed_lists_and_distance_counts() {
        let (base, queries) = clustered_data(1000, 1, 64, 23);
        let v = VectorView::new(64, &base);
        let idx = IvfFlat::build(v, Metric::Ip, 16, 1, &mut NoProgress).unwrap();
        let q = &queries[..64];
        let (hits, trace) = idx.search_traced(q, 5, 4, None).unwrap();
        assert_eq!(hits.len(), 5);
        assert_eq!(trace.nprobe, 4);
        assert_eq!(trace.centroid_distances, 16);
        let probes = idx.probe(q, 4).unwrap();
        let sizes = idx.list_sizes();
        for (p, (list, d)) in trace.probed.iter().zip(&probes) {
            assert_eq!((p.list, p.centroid_distance), (*list, *d));
            assert_eq!(p.size, sizes[*list as usize]);
        }
        let scanned: usize = trace.probed.iter().map(|p| p.size).sum();
        assert_eq!(trace.vector_distances, scanned);
        // The trace serialises for the playground.
        let json = serde_json::to_value(&trace).unwrap();
        assert_eq!(json["probed"].as_array().unwrap().len(), 4);
    }

    #[test]
    fn serde_round_trip_is_exact() {
        let (base, queries) = clustered_data(500, 1, 64, 24);
        let v = VectorView::new(64, &base);
        let idx = IvfFlat::build(v, Metric::L2, 8, 1, &mut NoProgress).unwrap();
        let json = serde_json::to_string(&idx).unwrap();
        let back: IvfFlat = serde_json::from_str(&json).unwrap();
        assert_eq!(back, idx);
        let p = AnnParams::default();
        assert_eq!(
            back.search(v, &queries, 10, &p, None).unwrap(),
            idx.search(v, &queries, 10, &p, None).unwrap()
        );
    }

    #[test]
    fn memory_counts_the_copy_of_the_vectors() {
        let (base, _) = clustered_data(500, 0, 64, 25);
        let idx = IvfFlat::build(
            VectorView::new(64, &base),
            Metric::L2,
            8,
            1,
            &mut NoProgress,
        )
        .unwrap();
        let floor = 500 * 64 * 4 + 500 * 4 + 8 * 64 * 4;
        assert!(idx.memory_bytes() >= floor && idx.memory_bytes() < floor + 4096);
    }

    #[test]
    fn edge_cases_do_not_panic() {
        // More lists than rows: one list per row, still exact with every list probed.
        let data = [0.0, 0.0, 1.0, 0.0, 0.0, 1.0];
        let v = VectorView::new(2, &data);
        let idx = IvfFlat::build(v, Metric::L2, 100, 0, &mut NoProgress).unwrap();
        assert_eq!((idx.nlist(), idx.quantizer().requested_nlist()), (3, 100));
        let p = AnnParams::default();
        let hits = idx.search(v, &[0.9, 0.1], 10, &p, None).unwrap();
        assert_eq!(
            hits.iter().map(|n| n.row).collect::<Vec<_>>(),
            vec![1, 0, 2]
        );
        assert!(matches!(
            idx.search(v, &[0.9], 10, &p, None),
            Err(Error::QueryDimMismatch { .. })
        ));
        assert!(idx.search(v, &[0.9, 0.1], 0, &p, None).unwrap().is_empty());
        // Empty data: an empty index.
        let empty =
            IvfFlat::build(VectorView::new(2, &[]), Metric::L2, 4, 0, &mut NoProgress).unwrap();
        assert!(empty.is_empty());
        assert!(
            empty
                .search(v, &[0.0, 1.0], 3, &p, None)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn build_reports_progress_and_can_be_cancelled() {
        let (base, _) = clustered_data(3000, 0, 64, 26);
        let v = VectorView::new(64, &base);
        let mut rec = Recorder::default();
        IvfFlat::build(v, Metric::L2, 16, 1, &mut rec).unwrap();
        assert_eq!(rec.reports.last(), Some(&(1000, 1000)));
        assert!(rec.reports.windows(2).all(|w| w[0].0 <= w[1].0));
        // Cancel in the middle of k-means…
        let err = IvfFlat::build(v, Metric::L2, 16, 1, &mut CancelAfter::new(300)).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Cancelled {
                    what: "k-means",
                    ..
                }
            ),
            "{err}"
        );
        // …or while filing rows.
        let err = IvfFlat::build(v, Metric::L2, 16, 1, &mut CancelAfter::new(950)).unwrap_err();
        assert!(
            matches!(
                err,
                Error::Cancelled {
                    what: "IVF_FLAT build",
                    ..
                }
            ),
            "{err}"
        );
    }
}
