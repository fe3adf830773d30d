//! Inverted-file indexes (Jégou, Douze & Schmid; faiss's `IndexIVFFlat` and
//! `IndexIVFPQ`, which Milvus calls IVF_FLAT and IVF_PQ).
//!
//! - `assign`: nearest-centroid assignment, cache-blocked (k-means, builds, PQ).
//! - [`kmeans`]: seeded k-means, trained the way faiss trains.
//! - [`coarse`]: the coarse quantiser, `nlist` k-means centroids; a vector belongs to
//!   the list of its nearest centroid, a search probes the `nprobe` nearest lists.
//! - [`ivf_flat`]: IVF_FLAT, lists of full vectors, exact distances within lists.
//! - [`pq`]: product quantisation of residuals and its lookup tables.
//! - [`ivf_pq`]: IVF_PQ, lists of PQ codes scored by asymmetric distance (ADC).
//!
//! Build progress is reported in thousandths of the estimated work ([`PERMILLE`]);
//! the stages are weighted by their distance computations.

mod assign;
pub mod coarse;
pub mod ivf_flat;
pub mod ivf_pq;
pub mod kmeans;
pub mod pq;

pub use coarse::CoarseQuantizer;
pub use ivf_flat::IvfFlat;
pub use ivf_pq::IvfPq;
pub use kmeans::{KMeans, KMeansParams, TrainingStats, kmeans};
pub use pq::ProductQuantizer;

use serde::{Deserialize, Serialize};

use crate::bitset::Bitset;
use crate::index::Progress;

/// Milvus's default `nprobe` when a search does not give one.
pub const DEFAULT_NPROBE: usize = 8;

/// Knowhere's `max_empty_result_buckets` when a range search gives none: an IVF
/// range search stops after this many lists in a row without a hit.
pub const DEFAULT_MAX_EMPTY_RESULT_BUCKETS: usize = 2;

/// Lloyd iterations of the coarse quantiser (faiss's `Level1Quantizer` uses 10).
pub const COARSE_NITER: usize = 10;

/// Lloyd iterations of each PQ sub-quantiser (faiss's default `niter`, 25).
pub const PQ_NITER: usize = 25;

/// The `total` of build progress reports.
pub const PERMILLE: usize = 1000;

/// One list a search probed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProbedList {
    /// List (centroid) number.
    pub list: u32,
    /// Internal distance from the query to the list's centroid (smaller is closer).
    pub centroid_distance: f32,
    /// Vectors in the list.
    pub size: usize,
    /// Of them, the ones the filter allowed and whose distance was computed.
    pub scanned: usize,
}

/// What a search did, for teaching: which lists, how many distances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchTrace {
    /// `nprobe` after clamping to the number of lists.
    pub nprobe: usize,
    /// Probed lists, nearest centroid first.
    pub probed: Vec<ProbedList>,
    /// Query-to-centroid distances (one per list).
    pub centroid_distances: usize,
    /// Query-to-vector distances: full-dimension distances for IVF_FLAT, ADC sums of
    /// `m` table entries for IVF_PQ.
    pub vector_distances: usize,
    /// Entries of PQ lookup tables computed (each costs `dim / m` multiply-adds);
    /// 0 for IVF_FLAT.
    pub table_entries: usize,
    /// Vectors in probed lists that the filter excluded before any distance.
    pub filtered_out: usize,
}

impl SearchTrace {
    pub(crate) fn new(nprobe: usize, nlist: usize) -> Self {
        Self {
            nprobe,
            probed: Vec::with_capacity(nprobe),
            centroid_distances: nlist,
            vector_distances: 0,
            table_entries: 0,
            filtered_out: 0,
        }
    }
}

/// Whether `row` passes the filter (rows beyond the bitset are not allowed).
#[inline]
pub(crate) fn allows(allowed: Option<&Bitset>, row: u32) -> bool {
    match allowed {
        None => true,
        Some(bits) => (row as usize) < bits.len() && bits.contains(row as usize),
    }
}

/// A stage of a longer job: maps the stage's own `done / total` onto its share
/// `[start, start + width)` of the job, reported in [`PERMILLE`].
pub(crate) struct Stage<'a> {
    inner: &'a mut dyn Progress,
    start: f64,
    width: f64,
}

impl<'a> Stage<'a> {
    /// `share` is `(start, width)`, fractions of the whole job (see [`shares`]).
    pub(crate) fn new(inner: &'a mut dyn Progress, (start, width): (f64, f64)) -> Self {
        Self {
            inner,
            start,
            width,
        }
    }
}

impl Progress for Stage<'_> {
    fn report(&mut self, done: usize, total: usize) {
        let frac = if total == 0 {
            1.0
        } else {
            done as f64 / total as f64
        };
        let at = ((self.start + self.width * frac.min(1.0)) * PERMILLE as f64).round() as usize;
        self.inner.report(at.min(PERMILLE), PERMILLE);
    }

    fn cancelled(&self) -> bool {
        self.inner.cancelled()
    }

    fn threads(&self) -> usize {
        self.inner.threads()
    }
}

/// Shares of a job's stages, in proportion to their estimated costs.
pub(crate) fn shares(costs: &[f64]) -> Vec<(f64, f64)> {
    let total: f64 = costs.iter().sum();
    let mut start = 0.0;
    costs
        .iter()
        .map(|&c| {
            let w = if total > 0.0 {
                c / total
            } else {
                1.0 / costs.len() as f64
            };
            let s = (start, w);
            start += w;
            s
        })
        .collect()
}

/// splitmix64: derives independent seeds from one (for each k-means of a build).
pub(crate) fn derive_seed(seed: u64, tag: u64) -> u64 {
    let mut z = seed ^ tag.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
pub(crate) mod testutil {
    use crate::dataset::{Mixture, Stream};
    use crate::index::Progress;

    /// Records every report.
    #[derive(Debug, Default)]
    pub struct Recorder {
        pub reports: Vec<(usize, usize)>,
    }

    impl Progress for Recorder {
        fn report(&mut self, done: usize, total: usize) {
            self.reports.push((done, total));
        }
    }

    /// Asks to cancel once `done ≥ at` was reported.
    #[derive(Debug)]
    pub struct CancelAfter {
        at: usize,
        seen: usize,
    }

    impl CancelAfter {
        pub fn new(at: usize) -> Self {
            Self { at, seen: 0 }
        }
    }

    impl Progress for CancelAfter {
        fn report(&mut self, done: usize, _total: usize) {
            self.seen = self.seen.max(done);
        }
        fn cancelled(&self) -> bool {
            self.seen >= self.at
        }
    }

    /// Clustered base vectors and queries of one mixture.
    pub fn clustered_data(n: usize, nq: usize, dim: usize, seed: u64) -> (Vec<f32>, Vec<f32>) {
        let mix = Mixture::new(dim, seed);
        let (base, _) = mix.sample(n, seed, Stream::Base);
        let (queries, _) = mix.sample(nq, seed, Stream::Queries);
        (base, queries)
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::Recorder;
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn stages_map_onto_permille() {
        let sh = shares(&[1.0, 3.0]);
        assert_eq!(sh, vec![(0.0, 0.25), (0.25, 0.75)]);
        let mut rec = Recorder::default();
        Stage::new(&mut rec, sh[0]).report(5, 10);
        Stage::new(&mut rec, sh[1]).report(10, 10);
        assert_eq!(rec.reports, vec![(125, 1000), (1000, 1000)]);
        assert_ne!(derive_seed(1, 0), derive_seed(1, 1));
        let bits = Bitset::from_fn(3, |i| i == 1);
        assert!(allows(Some(&bits), 1) && !allows(Some(&bits), 0));
        assert!(!allows(Some(&bits), 7) && allows(None, 7));
    }
}
