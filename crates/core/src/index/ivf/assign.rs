//! Nearest-centroid assignment, the inner loop of k-means, IVF builds and PQ
//! encoding: every point against every centroid, cache-blocked.

use crate::metric::Metric;

/// Points per block of the blocked assignment.
const POINT_BLOCK: usize = 16;
/// Bytes of centroids per block (stays in L2 cache while a point block passes).
const CENTROID_BLOCK_BYTES: usize = 128 * 1024;
/// Below this many floats (PQ sub-vectors, typically) a distance is cheaper with
/// the portable scalar kernel, which the compiler inlines into the loop, than
/// through the dispatched SIMD kernel's function pointer.
pub(crate) const SMALL_DIM: usize = 32;

/// Calls `$body` with `$d` bound to the distance function for `$metric` and
/// `$dim`, monomorphised so that the small-dimension kernels are inlined.
macro_rules! with_distance {
    ($metric:expr, $dim:expr, |$d:ident| $body:expr) => {{
        use crate::kernels::scalar;
        match (
            $metric == crate::metric::Metric::L2,
            $dim < crate::index::ivf::assign::SMALL_DIM,
        ) {
            (true, true) => {
                let $d = |a: &[f32], b: &[f32]| scalar::l2_squared(a, b);
                $body
            }
            (false, true) => {
                let $d = |a: &[f32], b: &[f32]| -scalar::dot(a, b);
                $body
            }
            (true, false) => {
                let $d = |a: &[f32], b: &[f32]| crate::kernels::l2_squared(a, b);
                $body
            }
            (false, false) => {
                let $d = |a: &[f32], b: &[f32]| -crate::kernels::dot(a, b);
                $body
            }
        }
    }};
}
pub(crate) use with_distance;

/// Assigns each row of `points` (row major, `dim` floats a row) to its nearest
/// centroid under `metric` (ties go to the lowest centroid index), writing the
/// centroid and the distance. Returns how many assignments changed from what
/// `assign` held. Cache-blocked: blocks of points pass over blocks of centroids.
///
/// From [`SMALL_DIM`] floats on, the distances come from inner products of three
/// points with four centroids at a time ([`crate::kernels::dot_3x4`], a GEMM
/// micro-kernel), L2 as `|p|² + |c|² − 2·p·c` (as faiss does): equal to the
/// direct distance up to rounding, which only matters for exact ties.
pub(crate) fn assign_rows(
    points: &[f32],
    centroids: &[f32],
    dim: usize,
    metric: Metric,
    assign: &mut [u32],
    dist: &mut [f32],
) -> usize {
    if dim >= SMALL_DIM {
        return assign_rows_tiled(points, centroids, dim, metric, assign, dist);
    }
    with_distance!(metric, dim, |d| assign_rows_with(
        points, centroids, dim, assign, dist, d
    ))
}

/// [`assign_rows`] with the 3 × 4 inner-product tile.
fn assign_rows_tiled(
    points: &[f32],
    centroids: &[f32],
    dim: usize,
    metric: Metric,
    assign: &mut [u32],
    dist: &mut [f32],
) -> usize {
    let l2 = metric == Metric::L2;
    let norms = |m: &[f32]| -> Vec<f32> {
        if l2 {
            m.chunks_exact(dim)
                .map(|v| crate::kernels::dot(v, v))
                .collect()
        } else {
            Vec::new()
        }
    };
    let (pn, cn) = (norms(points), norms(centroids));
    let k = centroids.len() / dim;
    let n = points.len() / dim;
    let tile = crate::kernels::best().dot_3x4;
    let cblock = (CENTROID_BLOCK_BYTES / (dim * 4)).max(4);
    let centroid = |c: usize| &centroids[c * dim..(c + 1) * dim];
    let point = |i: usize| &points[i * dim..(i + 1) * dim];
    let mut changed = 0;
    // Blocks of 15 points (five tiles high) pass over blocks of centroids.
    for p0 in (0..n).step_by(15) {
        let p1 = (p0 + 15).min(n);
        let mut best = [(f32::INFINITY, 0u32); 15];
        for c0 in (0..k).step_by(cblock) {
            let c1 = (c0 + cblock).min(k);
            for t0 in (p0..p1).step_by(3) {
                // A short tile repeats its last point or centroid; repeats are dropped.
                let pi = |j: usize| (t0 + j).min(p1 - 1);
                let q = [point(pi(0)), point(pi(1)), point(pi(2))];
                for g0 in (c0..c1).step_by(4) {
                    let ci = |j: usize| (g0 + j).min(c1 - 1);
                    let dots = tile(
                        q,
                        [
                            centroid(ci(0)),
                            centroid(ci(1)),
                            centroid(ci(2)),
                            centroid(ci(3)),
                        ],
                    );
                    for (j, row) in dots.iter().enumerate().take(p1 - t0) {
                        let b = &mut best[t0 - p0 + j];
                        for (c, &dot) in (g0..(g0 + 4).min(c1)).zip(row) {
                            let d = if l2 {
                                (pn[t0 + j] + cn[c] - 2.0 * dot).max(0.0)
                            } else {
                                -dot
                            };
                            if d < b.0 {
                                *b = (d, c as u32);
                            }
                        }
                    }
                }
            }
        }
        for (i, &(bd, bc)) in (p0..p1).zip(&best) {
            if assign[i] != bc {
                changed += 1;
            }
            assign[i] = bc;
            dist[i] = bd;
        }
    }
    changed
}

fn assign_rows_with(
    points: &[f32],
    centroids: &[f32],
    dim: usize,
    assign: &mut [u32],
    dist: &mut [f32],
    distance: impl Fn(&[f32], &[f32]) -> f32,
) -> usize {
    let k = centroids.len() / dim;
    let cblock = (CENTROID_BLOCK_BYTES / (dim * 4)).max(1);
    let mut changed = 0;
    for ((pts, asg), dst) in points
        .chunks(POINT_BLOCK * dim)
        .zip(assign.chunks_mut(POINT_BLOCK))
        .zip(dist.chunks_mut(POINT_BLOCK))
    {
        let mut best = [(f32::INFINITY, 0u32); POINT_BLOCK];
        let mut c0 = 0;
        while c0 < k {
            let c1 = (c0 + cblock).min(k);
            for (p, b) in pts.chunks_exact(dim).zip(best.iter_mut()) {
                for c in c0..c1 {
                    let d = distance(p, &centroids[c * dim..(c + 1) * dim]);
                    if d < b.0 {
                        *b = (d, c as u32);
                    }
                }
            }
            c0 = c1;
        }
        for ((a, d), &(bd, bc)) in asg.iter_mut().zip(dst.iter_mut()).zip(&best) {
            if *a != bc {
                changed += 1;
            }
            *a = bc;
            *d = bd;
        }
    }
    changed
}

/// The nearest centroid of one vector (ties to the lowest index), with the same
/// distance functions as [`assign_rows`].
pub(crate) fn nearest(v: &[f32], centroids: &[f32], dim: usize, metric: Metric) -> (u32, f32) {
    with_distance!(metric, dim, |d| {
        let mut best = (0u32, f32::INFINITY);
        for (c, cv) in centroids.chunks_exact(dim).enumerate() {
            let dd = d(v, cv);
            if dd < best.1 {
                best = (c as u32, dd);
            }
        }
        best
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{Stream, unit_gaussian};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// The tiled path (dimension ≥ SMALL_DIM) finds the nearest centroid, its
    /// distance equal to the direct one up to rounding, for every remainder of
    /// points (mod 3 and 15) and centroids (mod 4 and the block).
    #[test]
    fn tiled_assignment_finds_the_nearest_centroid() {
        let dim = 40;
        for (n, k) in [(1, 1), (17, 5), (31, 130), (100, 7)] {
            let pts = unit_gaussian(n, dim, 5, Stream::Base);
            let cents: Vec<f32> = unit_gaussian(k, dim, 6, Stream::Base)
                .iter()
                .map(|x| x * 1.7)
                .collect();
            let mut a = vec![u32::MAX; n];
            let mut d = vec![0.0; n];
            for metric in [Metric::L2, Metric::Ip] {
                assert_eq!(assign_rows(&pts, &cents, dim, metric, &mut a, &mut d), n);
                for (i, p) in pts.chunks_exact(dim).enumerate() {
                    let (c, best) = (a[i] as usize, d[i]);
                    let want = metric.distance(p, &cents[c * dim..(c + 1) * dim]);
                    assert!((best - want).abs() < 1e-4, "{metric:?} {n} {k}");
                    for other in cents.chunks_exact(dim) {
                        assert!(metric.distance(p, other) >= want - 1e-4);
                    }
                }
                a.fill(u32::MAX);
            }
        }
    }

    #[test]
    fn blocked_assignment_matches_the_plain_nearest_centroid() {
        let dim = 24;
        let pts = unit_gaussian(100, dim, 5, Stream::Base);
        let cents = unit_gaussian(300, dim, 6, Stream::Base);
        let mut a = vec![u32::MAX; 100];
        let mut d = vec![0.0; 100];
        for metric in [Metric::L2, Metric::Ip] {
            assign_rows(&pts, &cents, dim, metric, &mut a, &mut d);
            for (i, p) in pts.chunks_exact(dim).enumerate() {
                assert_eq!((a[i], d[i]), nearest(p, &cents, dim, metric));
                let (c, best) = (a[i] as usize, d[i]);
                let want = metric.distance(p, &cents[c * dim..(c + 1) * dim]);
                assert!((best - want).abs() < 1e-5);
                for other in cents.chunks_exact(dim) {
                    assert!(metric.distance(p, other) >= best - 1e-5);
                }
            }
        }
    }
}
