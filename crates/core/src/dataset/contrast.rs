//! Why random data defeats every index, measured: for one query, its similarities
//! to all `n` rows, binned, with the exact top-k marked, and the *relative
//! contrast* of He, Kumar and Chang ("On the difficulty of nearest neighbor
//! search", ICML 2012): the mean distance over the nearest one, with the cosine
//! distance `1 − similarity`, i.e. `(1 − mean) / (1 − best)`. Near 1 the nearest
//! neighbour is barely closer than any other row (i.i.d. random vectors in high
//! dimension); the larger it is, the more the top-k stands apart and the easier an
//! index's greedy walk or its probed lists find it.

use serde::{Deserialize, Serialize};

use super::{DataKind, DataSpec, Stream};
use crate::kernels::dot;

/// One query's similarities to every row, as a histogram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimilarityHistogram {
    pub kind: DataKind,
    /// Left edge of the first bin.
    pub lo: f64,
    /// Right edge of the last bin.
    pub hi: f64,
    /// Rows per bin, `bins` equal bins over `lo..hi`.
    pub counts: Vec<u32>,
    /// The exact top-k similarities, best first.
    pub top: Vec<f64>,
    /// Mean similarity over all rows.
    pub mean: f64,
    /// Standard deviation of the similarities.
    pub sd: f64,
    /// `(1 − mean) / (1 − best)`: the relative contrast (He et al. 2012).
    pub contrast: f64,
}

/// The cosine similarity (dot product of unit vectors) of `query` to every row of
/// `base` (row-major, `dim` floats a row).
pub fn similarities(base: &[f32], dim: usize, query: &[f32]) -> Vec<f32> {
    base.chunks_exact(dim).map(|row| dot(query, row)).collect()
}

impl SimilarityHistogram {
    /// Bins `sims` into `bins` equal bins over `lo..hi` (values outside go to the
    /// end bins) and measures the top `k`, the mean and the contrast.
    pub fn measure(kind: DataKind, sims: &[f32], k: usize, lo: f64, hi: f64, bins: usize) -> Self {
        let bins = bins.max(1);
        let width = (hi - lo) / bins as f64;
        let mut counts = vec![0u32; bins];
        let (mut sum, mut sum2) = (0.0f64, 0.0f64);
        for &s in sims {
            let s = s as f64;
            sum += s;
            sum2 += s * s;
            let b = ((s - lo) / width).floor().clamp(0.0, (bins - 1) as f64) as usize;
            counts[b] += 1;
        }
        let n = sims.len().max(1) as f64;
        let mean = sum / n;
        let sd = (sum2 / n - mean * mean).max(0.0).sqrt();
        let mut top: Vec<f64> = sims.iter().map(|&s| s as f64).collect();
        top.sort_by(|a, b| b.total_cmp(a));
        top.truncate(k);
        let best = top.first().copied().unwrap_or(mean);
        Self {
            kind,
            lo,
            hi,
            counts,
            top,
            mean,
            sd,
            contrast: (1.0 - mean) / (1.0 - best).max(1e-9),
        }
    }

    /// The best similarity.
    pub fn best(&self) -> f64 {
        self.top.first().copied().unwrap_or(self.mean)
    }

    /// How many standard deviations the k-th best stands above the mean.
    pub fn kth_sigmas(&self) -> f64 {
        let kth = self.top.last().copied().unwrap_or(self.mean);
        (kth - self.mean) / self.sd.max(1e-12)
    }
}

/// The bins of [`compare`].
pub const BINS: usize = 100;

/// Query 0's histogram on both data kinds at `spec`'s n, dim and seed, over one
/// shared range (from the lowest similarity of either, rounded down to 0.05, up
/// to 1): `spec.kind`'s first, measured on `own_base` and `own_query` (the data
/// and query 0 at hand), then the other kind's, generated here the same way
/// ([`DataKind::generate`], base and query streams).
pub fn compare(
    spec: DataSpec,
    own_base: &[f32],
    own_query: &[f32],
    k: usize,
) -> [SimilarityHistogram; 2] {
    let other = spec.kind.other();
    let other_base = other.generate(spec.n, spec.dim, spec.seed, Stream::Base);
    let other_query = other.generate(1, spec.dim, spec.seed, Stream::Queries);
    let own = similarities(own_base, spec.dim, own_query);
    let theirs = similarities(&other_base, spec.dim, &other_query);
    let min = own.iter().chain(&theirs).fold(0.0f32, |m, &s| m.min(s)) as f64;
    let lo = ((min * 20.0).floor() / 20.0).max(-1.0);
    [
        SimilarityHistogram::measure(spec.kind, &own, k, lo, 1.0, BINS),
        SimilarityHistogram::measure(other, &theirs, k, lo, 1.0, BINS),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn histogram_counts_every_row_and_marks_the_top() {
        let sims = [0.1f32, 0.2, 0.2, 0.95, -0.3];
        let h = SimilarityHistogram::measure(DataKind::Random, &sims, 2, -0.5, 1.0, 15);
        assert_eq!(h.counts.iter().sum::<u32>(), 5);
        assert_eq!(h.counts[14], 1, "0.95 is in the last bin");
        assert_eq!(h.top.len(), 2);
        assert!((h.best() - 0.95).abs() < 1e-6);
        assert!((h.mean - 0.23).abs() < 1e-6);
        assert!((h.contrast - 0.77 / 0.05).abs() < 1e-3);
    }

    #[test]
    fn the_top_ten_stands_apart_on_embeddings_not_on_random_data() {
        for kind in DataKind::ALL {
            let spec = DataSpec {
                n: 2000,
                dim: 256,
                seed: 42,
                kind,
            };
            let base = kind.generate(spec.n, spec.dim, spec.seed, Stream::Base);
            let query = kind.generate(3, spec.dim, spec.seed, Stream::Queries);
            let [own, other] = compare(spec, &base, &query[..spec.dim], 10);
            assert_eq!((own.kind, other.kind), (kind, kind.other()));
            assert_eq!(own.lo, other.lo);
            assert_eq!(own.counts.iter().sum::<u32>(), 2000);
            let (random, emb) = match kind {
                DataKind::Random => (&own, &other),
                DataKind::Embeddings => (&other, &own),
            };
            assert!(random.contrast < 1.4, "random {}", random.contrast);
            assert!(emb.contrast > 1.8, "embeddings {}", emb.contrast);
            assert!(emb.contrast > random.contrast + 0.5);
            assert!(emb.best() > 0.6 && random.best() < 0.35);
        }
    }

    #[test]
    fn query_zero_is_the_first_of_a_larger_draw() {
        for kind in DataKind::ALL {
            let one = kind.generate(1, 32, 9, Stream::Queries);
            let more = kind.generate(5, 32, 9, Stream::Queries);
            assert_eq!(one[..], more[..32]);
        }
    }
}
