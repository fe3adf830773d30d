//! Seeded k-means, trained the way faiss trains IVF's coarse quantiser and PQ's
//! codebooks (`faiss::Clustering`):
//!
//! - **Sampling.** At most `max_points_per_centroid` (256) points per centroid are
//!   used: when `n > k · 256` a uniform sample of `k · 256` rows is drawn.
//! - **Initialisation.** faiss-style random sampling: the `k` first rows of a seeded
//!   random permutation of the training set (not k-means++: faiss does not use it
//!   either, and with 256 points per centroid Lloyd iterations fix a poor start).
//! - **Lloyd iterations.** `niter` of them (faiss: 10 for IVF's coarse quantiser, 25
//!   for PQ). Iterations stop early only at a fixed point (no assignment changed and
//!   no cluster was empty), where more iterations would change nothing.
//! - **Empty clusters.** Refilled by splitting the currently largest cluster: the
//!   empty centroid becomes a copy of the largest one, and the two are pushed apart
//!   by a relative ±1/1024 on alternating coordinates (faiss's perturbation; faiss
//!   picks the cluster to split at random in proportion to its size, here the
//!   largest is split, which is deterministic without extra random numbers).
//! - **Spherical k-means** for IP and COSINE: points are assigned by maximum inner
//!   product and centroids are normalised after every update (faiss sets
//!   `cp.spherical` for inner-product IVF indexes). L2 is ordinary k-means.
//! - **`k ≥ n`.** Every training point becomes a centroid (normalised if spherical)
//!   and no iteration runs: the result has `min(k, n)` centroids, never empty
//!   duplicates (faiss refuses `k > n`; Milvus builds anyway).
//!
//! Everything is single-threaded and takes its randomness from one `seed`
//! (ChaCha8), so a seed gives the same centroids on a given target. Distances use
//! [`crate::kernels`], whose SIMD implementations may round differently from one
//! instruction set to another, so two targets may break near-ties differently.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::index::ivf::assign::assign_rows;
use crate::index::{Progress, VectorView};
use crate::metric::Metric;

/// faiss's `max_points_per_centroid`: the training sample is at most `k` times this.
pub const MAX_POINTS_PER_CENTROID: usize = 256;

/// faiss's relative perturbation when an empty cluster takes half of another.
const SPLIT_EPS: f32 = 1.0 / 1024.0;

/// Rows assigned between two cancellation checks.
const CANCEL_CHUNK: usize = 1024;

/// What to train.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KMeansParams {
    /// Number of centroids asked for.
    pub k: usize,
    /// Lloyd iterations (at most).
    pub niter: usize,
    /// Seed of the sample and of the initial centroids.
    pub seed: u64,
    /// Spherical k-means (assignment by inner product, unit centroids), for IP and
    /// COSINE; otherwise L2.
    pub spherical: bool,
    /// Cap of the training sample per centroid; 0 means no cap.
    pub max_points_per_centroid: usize,
}

impl KMeansParams {
    /// faiss's defaults for `k` centroids: 25 iterations, 256 points per centroid.
    pub fn new(k: usize, seed: u64, spherical: bool) -> Self {
        Self {
            k,
            niter: 25,
            seed,
            spherical,
            max_points_per_centroid: MAX_POINTS_PER_CENTROID,
        }
    }

    /// The metric points are assigned with.
    pub fn assignment_metric(&self) -> Metric {
        if self.spherical {
            Metric::Ip
        } else {
            Metric::L2
        }
    }
}

/// How a training went, for display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingStats {
    /// Centroids asked for (`min(k, n)` were trained).
    pub requested_k: usize,
    /// Rows of the training set given.
    pub points: usize,
    /// Rows actually trained on (after sampling).
    pub trained_on: usize,
    /// Lloyd iterations run.
    pub iterations: usize,
    /// Per iteration, the objective of its assignment (smaller is better): the sum
    /// of squared distances to the assigned centroid for L2, minus the sum of inner
    /// products for spherical k-means.
    pub objective: Vec<f32>,
    /// Empty clusters refilled by splitting another one.
    pub splits: usize,
}

/// Trained centroids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KMeans {
    pub dim: usize,
    /// `k × dim` floats, row major (`k = min(params.k, n)`).
    pub centroids: Vec<f32>,
    pub stats: TrainingStats,
}

impl KMeans {
    /// Number of centroids.
    pub fn k(&self) -> usize {
        self.centroids.len().checked_div(self.dim).unwrap_or(0)
    }

    pub fn centroid(&self, i: usize) -> &[f32] {
        &self.centroids[i * self.dim..(i + 1) * self.dim]
    }
}

/// Trains `params.k` centroids on the rows of `data`. Reports `(iterations done,
/// niter)` to `progress`; returns [`Error::Cancelled`] (`what: "k-means"`) if the
/// caller cancels.
pub fn kmeans(
    data: VectorView<'_>,
    params: &KMeansParams,
    progress: &mut dyn Progress,
) -> Result<KMeans> {
    let dim = data.dim;
    let n = if dim == 0 { 0 } else { data.len() };
    let niter = params.niter;
    let metric = params.assignment_metric();
    let mut stats = TrainingStats {
        requested_k: params.k,
        points: n,
        trained_on: 0,
        iterations: 0,
        objective: Vec::new(),
        splits: 0,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    progress.report(0, niter);
    if params.k == 0 || n == 0 {
        progress.report(niter, niter);
        return Ok(KMeans {
            dim,
            centroids: Vec::new(),
            stats,
        });
    }

    // The training sample.
    let cap = match params.max_points_per_centroid {
        0 => usize::MAX,
        c => params.k.saturating_mul(c),
    };
    let sample_storage;
    let train = if n > cap {
        let mut rows = random_prefix(n, cap, &mut rng);
        rows.sort_unstable();
        let mut buf = Vec::with_capacity(cap * dim);
        for r in rows {
            buf.extend_from_slice(data.get(r as usize));
        }
        sample_storage = buf;
        VectorView::new(dim, &sample_storage)
    } else {
        data
    };
    let nt = train.len();
    stats.trained_on = nt;

    // k ≥ n: every point is a centroid.
    if params.k >= nt {
        let mut centroids = train.data.to_vec();
        if params.spherical {
            centroids.chunks_exact_mut(dim).for_each(normalise);
        }
        progress.report(niter, niter);
        return Ok(KMeans {
            dim,
            centroids,
            stats,
        });
    }

    let k = params.k;
    let mut centroids = Vec::with_capacity(k * dim);
    for r in random_prefix(nt, k, &mut rng) {
        centroids.extend_from_slice(train.get(r as usize));
    }
    if params.spherical {
        centroids.chunks_exact_mut(dim).for_each(normalise);
    }

    let mut assign = vec![u32::MAX; nt];
    let mut dist = vec![0.0f32; nt];
    let mut sums = vec![0.0f64; k * dim];
    let mut counts = vec![0usize; k];
    for it in 0..niter {
        let mut changed = 0usize;
        let mut start = 0;
        while start < nt {
            if progress.cancelled() {
                return Err(Error::Cancelled {
                    what: "k-means",
                    done: it,
                    total: niter,
                });
            }
            let end = (start + CANCEL_CHUNK).min(nt);
            changed += assign_rows(
                &train.data[start * dim..end * dim],
                &centroids,
                dim,
                metric,
                &mut assign[start..end],
                &mut dist[start..end],
            );
            start = end;
        }
        stats
            .objective
            .push(dist.iter().map(|&d| f64::from(d)).sum::<f64>() as f32);
        stats.iterations = it + 1;

        // Update: the mean of each cluster.
        sums.iter_mut().for_each(|s| *s = 0.0);
        counts.iter_mut().for_each(|c| *c = 0);
        for (row, &a) in train.data.chunks_exact(dim).zip(&assign) {
            let a = a as usize;
            counts[a] += 1;
            sums[a * dim..(a + 1) * dim]
                .iter_mut()
                .zip(row)
                .for_each(|(s, &x)| *s += f64::from(x));
        }
        let mut empty = false;
        for c in 0..k {
            if counts[c] > 0 {
                let inv = 1.0 / counts[c] as f64;
                for (x, s) in centroids[c * dim..(c + 1) * dim]
                    .iter_mut()
                    .zip(&sums[c * dim..(c + 1) * dim])
                {
                    *x = (s * inv) as f32;
                }
            } else {
                empty = true;
            }
        }
        if empty {
            stats.splits += split_empty_clusters(&mut centroids, &mut counts, dim);
        }
        if params.spherical {
            centroids.chunks_exact_mut(dim).for_each(normalise);
        }
        progress.report(it + 1, niter);
        if changed == 0 && !empty {
            // A fixed point: further iterations would reproduce these centroids.
            break;
        }
    }
    progress.report(niter, niter);
    Ok(KMeans {
        dim,
        centroids,
        stats,
    })
}

/// Gives each empty cluster half of the currently largest one (faiss's split, with
/// the largest cluster instead of a random one). Returns the number of splits.
fn split_empty_clusters(centroids: &mut [f32], counts: &mut [usize], dim: usize) -> usize {
    let mut splits = 0;
    for ci in 0..counts.len() {
        if counts[ci] != 0 {
            continue;
        }
        // Largest cluster, lowest index on ties.
        let (cj, &size) = counts
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
            .expect("k > 0");
        if size < 2 {
            // Nothing left to split (more clusters than distinct points).
            break;
        }
        let src = centroids[cj * dim..(cj + 1) * dim].to_vec();
        for (j, &x) in src.iter().enumerate() {
            let (up, down) = (x * (1.0 + SPLIT_EPS), x * (1.0 - SPLIT_EPS));
            let (to_ci, to_cj) = if j % 2 == 0 { (up, down) } else { (down, up) };
            centroids[ci * dim + j] = to_ci;
            centroids[cj * dim + j] = to_cj;
        }
        counts[ci] = size / 2;
        counts[cj] = size - size / 2;
        splits += 1;
    }
    splits
}

/// Scales `v` to unit length (a zero vector stays zero).
pub(crate) fn normalise(v: &mut [f32]) {
    let norm = crate::kernels::dot(v, v).sqrt();
    if norm > 0.0 {
        let inv = 1.0 / norm;
        v.iter_mut().for_each(|x| *x *= inv);
    }
}

/// The first `m` entries of a seeded random permutation of `0..n` (partial
/// Fisher–Yates; `m ≤ n ≤ u32::MAX`). Samples `u32`s so that 32- and 64-bit targets
/// draw the same numbers.
pub(crate) fn random_prefix(n: usize, m: usize, rng: &mut ChaCha8Rng) -> Vec<u32> {
    let n32 = u32::try_from(n).expect("row ids are u32");
    let mut perm: Vec<u32> = (0..n32).collect();
    for i in 0..m.min(n) {
        let j = rng.random_range(i as u32..n32) as usize;
        perm.swap(i, j);
    }
    perm.truncate(m.min(n));
    perm
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{Stream, clustered, unit_gaussian};
    use crate::index::NoProgress;
    use crate::index::ivf::testutil::{CancelAfter, Recorder};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn reduces_the_objective_and_is_deterministic_for_a_seed() {
        let dim = 64;
        let data = clustered(3000, dim, 11, Stream::Base);
        let v = VectorView::new(dim, &data);
        for spherical in [false, true] {
            let p = KMeansParams {
                niter: 15,
                ..KMeansParams::new(50, 7, spherical)
            };
            let a = kmeans(v, &p, &mut NoProgress).unwrap();
            assert_eq!(a.k(), 50);
            let obj = &a.stats.objective;
            assert!(obj.len() >= 2, "{obj:?}");
            assert!(
                obj.last().unwrap() < &(obj[0] - 1e-3 * obj[0].abs()),
                "spherical={spherical}: {obj:?}"
            );
            // Lloyd never makes the objective worse (up to rounding), splits aside.
            if a.stats.splits == 0 {
                for w in obj.windows(2) {
                    assert!(w[1] <= w[0] + 1e-6 * w[0].abs(), "{obj:?}");
                }
            }
            let b = kmeans(v, &p, &mut NoProgress).unwrap();
            assert_eq!(a, b);
            let c = kmeans(v, &KMeansParams { seed: 8, ..p }, &mut NoProgress).unwrap();
            assert_ne!(a.centroids, c.centroids);
            if spherical {
                for i in 0..a.k() {
                    let n = crate::kernels::dot(a.centroid(i), a.centroid(i));
                    assert!((n - 1.0).abs() < 1e-4);
                }
            }
        }
    }

    #[test]
    fn samples_at_most_256_points_per_centroid_and_reports_iterations() {
        let dim = 8;
        let data = unit_gaussian(3000, dim, 3, Stream::Base);
        let mut rec = Recorder::default();
        let p = KMeansParams {
            niter: 4,
            ..KMeansParams::new(5, 1, false)
        };
        let km = kmeans(VectorView::new(dim, &data), &p, &mut rec).unwrap();
        assert_eq!(km.stats.trained_on, 5 * 256);
        assert_eq!(km.stats.points, 3000);
        assert_eq!(rec.reports.first(), Some(&(0, 4)));
        assert_eq!(rec.reports.last(), Some(&(4, 4)));
        assert!(rec.reports.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn cancellation_stops_with_the_iterations_done() {
        let dim = 16;
        let data = unit_gaussian(2000, dim, 3, Stream::Base);
        let p = KMeansParams {
            niter: 10,
            ..KMeansParams::new(20, 1, true)
        };
        let mut cancel = CancelAfter::new(2);
        let err = kmeans(VectorView::new(dim, &data), &p, &mut cancel).unwrap_err();
        assert_eq!(
            err,
            Error::Cancelled {
                what: "k-means",
                done: 2,
                total: 10
            }
        );
    }

    #[test]
    fn more_clusters_than_points_keeps_every_point_and_empty_clusters_are_split() {
        let data = [0.0, 0.0, 1.0, 0.0, 0.0, 1.0];
        let km = kmeans(
            VectorView::new(2, &data),
            &KMeansParams::new(10, 0, false),
            &mut NoProgress,
        )
        .unwrap();
        assert_eq!(km.k(), 3);
        assert_eq!(km.centroids, data);

        // Two empty clusters take halves of the largest cluster at that moment.
        let mut counts = vec![6, 0, 0, 2];
        let mut c = vec![1.0, 2.0, 9.0, 9.0, 9.0, 9.0, 5.0, 5.0];
        assert_eq!(split_empty_clusters(&mut c, &mut counts, 2), 2);
        assert_eq!(counts, vec![2, 3, 1, 2]);
        assert_eq!(c[2..4], [1.0 * (1.0 + SPLIT_EPS), 2.0 * (1.0 - SPLIT_EPS)]);
        // A duplicate-only data set: k-means terminates with empty clusters allowed.
        let dup = [1.0f32; 2 * 40];
        let km = kmeans(
            VectorView::new(2, &dup),
            &KMeansParams::new(4, 0, false),
            &mut NoProgress,
        )
        .unwrap();
        assert_eq!(km.k(), 4);
    }
}
