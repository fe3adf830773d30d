//! The coarse quantiser of IVF indexes: `nlist` k-means centroids. A vector lives in
//! the inverted list of its nearest centroid; a search probes the lists of the
//! `nprobe` centroids nearest to the query.
//!
//! For IP and COSINE the centroids come from spherical k-means (unit length) and
//! "nearest" means largest inner product, as in faiss; for L2 it is the smallest
//! squared distance.
//!
//! `nlist > n` is accepted (Milvus builds such an index): the quantiser then has one
//! centroid per training vector, `min(nlist, n)` lists in all, never empty padding
//! lists that a probe would waste time on. [`CoarseQuantizer::requested_nlist`]
//! keeps the number asked for.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::index::ivf::assign::assign_rows;
use crate::index::ivf::kmeans::{KMeansParams, MAX_POINTS_PER_CENTROID, TrainingStats, kmeans};
use crate::index::ivf::{COARSE_NITER, SearchTrace};
use crate::index::spec::NLIST_RANGE;
use crate::index::{Progress, VectorView};
use crate::metric::Metric;
use crate::topk::{Neighbour, TopK};

/// Rows assigned between two progress reports and cancellation checks.
const ASSIGN_CHUNK: usize = 2048;

/// `nlist` centroids and how they were trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoarseQuantizer {
    metric: Metric,
    dim: usize,
    requested_nlist: usize,
    /// `nlist × dim` floats, row major.
    centroids: Vec<f32>,
    stats: TrainingStats,
}

impl CoarseQuantizer {
    /// Trains `nlist` centroids on `vectors` (sampled to 256 per centroid, 10 Lloyd
    /// iterations, faiss's choices). Progress is k-means iterations.
    pub fn train(
        vectors: VectorView<'_>,
        metric: Metric,
        nlist: usize,
        seed: u64,
        progress: &mut dyn Progress,
    ) -> Result<Self> {
        check_build(vectors, nlist)?;
        let params = KMeansParams {
            k: nlist,
            niter: COARSE_NITER,
            seed,
            spherical: metric != Metric::L2,
            max_points_per_centroid: MAX_POINTS_PER_CENTROID,
        };
        let km = kmeans(vectors, &params, progress)?;
        Ok(Self {
            metric,
            dim: vectors.dim,
            requested_nlist: nlist,
            centroids: km.centroids,
            stats: km.stats,
        })
    }

    pub fn metric(&self) -> Metric {
        self.metric
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of lists: `min(requested nlist, rows)`.
    pub fn nlist(&self) -> usize {
        self.centroids.len() / self.dim
    }

    /// The `nlist` the index was asked for.
    pub fn requested_nlist(&self) -> usize {
        self.requested_nlist
    }

    /// All centroids, `nlist × dim` floats, row major.
    pub fn centroids(&self) -> &[f32] {
        &self.centroids
    }

    pub fn centroid(&self, list: usize) -> &[f32] {
        &self.centroids[list * self.dim..(list + 1) * self.dim]
    }

    /// How k-means went.
    pub fn stats(&self) -> &TrainingStats {
        &self.stats
    }

    /// Bytes of the centroids.
    pub fn memory_bytes(&self) -> usize {
        self.centroids.len() * std::mem::size_of::<f32>()
    }

    /// The `nprobe` lists nearest to `query` (clamped to `nlist`), nearest first,
    /// with the query-to-centroid distance (ties go to the lower list number).
    pub fn probe(&self, query: &[f32], nprobe: usize) -> Result<Vec<(u32, f32)>> {
        self.check_query(query)?;
        let mut top = TopK::new(nprobe.min(self.nlist()));
        for (list, c) in self.centroids.chunks_exact(self.dim).enumerate() {
            let distance = self.metric.distance(query, c);
            if distance <= top.threshold() {
                top.push(Neighbour {
                    row: list as u32,
                    distance,
                });
            }
        }
        Ok(top
            .into_sorted()
            .into_iter()
            .map(|n| (n.row, n.distance))
            .collect())
    }

    /// Checks a query's dimension (the index sees one query at a time: callers
    /// with a batch check it first, with the query's number).
    pub(crate) fn check_query(&self, query: &[f32]) -> Result<()> {
        if query.len() != self.dim {
            return Err(Error::QueryDimMismatch {
                query: 0,
                expected: self.dim,
                got: query.len(),
            });
        }
        Ok(())
    }

    /// A trace with the probe's lists filled in (scan counts still zero).
    pub(crate) fn start_trace(&self, probes: &[(u32, f32)]) -> SearchTrace {
        let mut trace = SearchTrace::new(probes.len(), self.nlist());
        trace.probed.extend(
            probes
                .iter()
                .map(|&(list, d)| crate::index::ivf::ProbedList {
                    list,
                    centroid_distance: d,
                    size: 0,
                    scanned: 0,
                }),
        );
        trace
    }

    /// The list of every row of `vectors`. Reports `(rows done, rows)`; cancelling
    /// returns [`Error::Cancelled`] labelled `what`.
    pub(crate) fn assign_all(
        &self,
        vectors: VectorView<'_>,
        what: &'static str,
        progress: &mut dyn Progress,
    ) -> Result<Vec<u32>> {
        let n = vectors.len();
        let dim = self.dim;
        let mut assign = vec![u32::MAX; n];
        let mut dist = vec![0.0f32; n];
        let mut start = 0;
        progress.report(0, n);
        while start < n {
            if progress.cancelled() {
                return Err(Error::Cancelled {
                    what,
                    done: start,
                    total: n,
                });
            }
            let end = (start + ASSIGN_CHUNK).min(n);
            assign_rows(
                &vectors.data[start * dim..end * dim],
                &self.centroids,
                dim,
                self.metric,
                &mut assign[start..end],
                &mut dist[start..end],
            );
            start = end;
            progress.report(start, n);
        }
        Ok(assign)
    }
}

/// Checks what every IVF build needs: a dimension, `nlist ≥ 1`, row ids in `u32`.
pub(crate) fn check_build(vectors: VectorView<'_>, nlist: usize) -> Result<()> {
    if vectors.dim == 0 {
        return Err(Error::InvalidDimension {
            dim: 0,
            max: crate::dataset::MAX_DIM,
        });
    }
    if nlist == 0 {
        return Err(Error::IndexParamOutOfRange {
            param: "nlist",
            min: NLIST_RANGE.0,
            max: NLIST_RANGE.1,
        });
    }
    if vectors.len() > u32::MAX as usize {
        return Err(Error::OutOfRange {
            what: "number of rows in one index",
            value: vectors.len() as i64,
            min: 0,
            max: i64::from(u32::MAX),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::NoProgress;
    use crate::index::ivf::testutil::clustered_data;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn probes_the_nearest_centroids_first_and_clamps_nprobe() {
        let dim = 64;
        let (base, queries) = clustered_data(1000, 5, dim, 3);
        let v = VectorView::new(dim, &base);
        for metric in [Metric::L2, Metric::Cosine] {
            let cq = CoarseQuantizer::train(v, metric, 16, 1, &mut NoProgress).unwrap();
            assert_eq!(cq.nlist(), 16);
            let q = &queries[..dim];
            let probes = cq.probe(q, 100).unwrap();
            assert_eq!(probes.len(), 16);
            assert!(probes.windows(2).all(|w| w[0].1 <= w[1].1));
            assert_eq!(
                probes[0].1,
                metric.distance(q, cq.centroid(probes[0].0 as usize))
            );
            assert_eq!(cq.probe(q, 3).unwrap(), probes[..3]);
            let assign = cq.assign_all(v, "test", &mut NoProgress).unwrap();
            let first = cq.probe(v.get(7), 1).unwrap()[0].0;
            assert_eq!(assign[7], first);
        }
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        let data = [1.0, 2.0, 3.0, 4.0];
        let v = VectorView::new(2, &data);
        assert!(matches!(
            CoarseQuantizer::train(v, Metric::L2, 0, 0, &mut NoProgress),
            Err(Error::IndexParamOutOfRange { param: "nlist", .. })
        ));
        let cq = CoarseQuantizer::train(v, Metric::L2, 5, 0, &mut NoProgress).unwrap();
        assert_eq!((cq.nlist(), cq.requested_nlist()), (2, 5));
        assert_eq!(
            cq.probe(&[1.0], 1),
            Err(Error::QueryDimMismatch {
                query: 0,
                expected: 2,
                got: 1
            })
        );
    }
}
