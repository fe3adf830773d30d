//! Measured properties of a set of unit vectors, to compare generated data with real
//! embeddings: the pairwise-cosine distribution, the dimensions carrying 90 % of
//! the variance, and how far the queries' nearest neighbours stand above the bulk.

use crate::kernels::scalar::dot;
use crate::stats;

/// What [`Profile::measure`] found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profile {
    /// Mean cosine over the pairs of the sample (NaN for fewer than two rows).
    pub mean_cosine: f64,
    /// Standard deviation of those cosines.
    pub sd_cosine: f64,
    /// Principal components of the (centred) sample that carry 90 % of its variance.
    pub dims_90: usize,
    /// Mean over the queries of the best cosine to a base vector (NaN for none).
    pub top1: f64,
    /// Mean over the queries of the 10th best cosine.
    pub top10: f64,
}

impl Profile {
    /// Measures the first `sample` rows of `base` (pairs, spectrum) and every query
    /// against all of `base` (top-1, top-10). Rows are unit vectors of `dim` floats.
    pub fn measure(dim: usize, base: &[f32], queries: &[f32], sample: usize) -> Profile {
        let rows: Vec<&[f32]> = base.chunks_exact(dim).take(sample).collect();
        let m = rows.len();
        let cosines: Vec<f64> = (0..m)
            .flat_map(|i| (i + 1..m).map(move |j| (i, j)))
            .map(|(i, j)| dot(rows[i], rows[j]) as f64)
            .collect();
        let mean = stats::mean(&cosines);
        let squares: Vec<f64> = cosines.iter().map(|c| (c - mean) * (c - mean)).collect();
        let sd = stats::mean(&squares).sqrt();
        let (mut top1, mut top10) = (Vec::new(), Vec::new());
        for q in queries.chunks_exact(dim) {
            let mut sims: Vec<f32> = base.chunks_exact(dim).map(|v| dot(q, v)).collect();
            sims.sort_unstable_by(|a, b| b.total_cmp(a));
            top1.push(sims[0] as f64);
            top10.push(sims[sims.len().min(10) - 1] as f64);
        }
        Profile {
            mean_cosine: mean,
            sd_cosine: sd,
            dims_90: dims_for_variance(dim, &rows, 0.9),
            top1: stats::mean(&top1),
            top10: stats::mean(&top10),
        }
    }
}

/// The number of principal components of `rows` (centred) whose variance adds up
/// to `share` of the total: the eigenvalues of the rows' Gram matrix (those of the
/// covariance, for a sample smaller than the dimension).
pub fn dims_for_variance(dim: usize, rows: &[&[f32]], share: f64) -> usize {
    let m = rows.len();
    if m < 2 {
        return 0;
    }
    let mut mean = vec![0.0f64; dim];
    for r in rows {
        mean.iter_mut().zip(*r).for_each(|(a, &x)| *a += x as f64);
    }
    mean.iter_mut().for_each(|a| *a /= m as f64);
    let centred: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| r.iter().zip(&mean).map(|(&x, a)| x as f64 - a).collect())
        .collect();
    let mut gram = vec![0.0f64; m * m];
    for i in 0..m {
        for j in i..m {
            let g: f64 = centred[i].iter().zip(&centred[j]).map(|(a, b)| a * b).sum();
            gram[i * m + j] = g;
            gram[j * m + i] = g;
        }
    }
    let mut eig = jacobi_eigenvalues(gram, m);
    eig.sort_unstable_by(|a, b| b.total_cmp(a));
    let total: f64 = eig.iter().map(|e| e.max(0.0)).sum();
    let mut acc = 0.0;
    for (i, e) in eig.iter().enumerate() {
        acc += e.max(0.0);
        if acc >= share * total {
            return i + 1;
        }
    }
    eig.len()
}

/// Eigenvalues of the symmetric `m × m` matrix `a` (row major) by cyclic Jacobi
/// rotations, until the off-diagonal part is negligible.
fn jacobi_eigenvalues(mut a: Vec<f64>, m: usize) -> Vec<f64> {
    let scale: f64 = (0..m)
        .map(|i| a[i * m + i].abs())
        .sum::<f64>()
        .max(f64::MIN_POSITIVE);
    for _sweep in 0..30 {
        let off: f64 = (0..m)
            .flat_map(|i| (i + 1..m).map(move |j| (i, j)))
            .map(|(i, j)| a[i * m + j] * a[i * m + j])
            .sum();
        if off.sqrt() <= 1e-12 * scale {
            break;
        }
        for p in 0..m {
            for q in p + 1..m {
                let apq = a[p * m + q];
                if apq.abs() <= 1e-300 {
                    continue;
                }
                let theta = (a[q * m + q] - a[p * m + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..m {
                    let (akp, akq) = (a[k * m + p], a[k * m + q]);
                    a[k * m + p] = c * akp - s * akq;
                    a[k * m + q] = s * akp + c * akq;
                }
                for k in 0..m {
                    let (apk, aqk) = (a[p * m + k], a[q * m + k]);
                    a[p * m + k] = c * apk - s * aqk;
                    a[q * m + k] = s * apk + c * aqk;
                }
            }
        }
    }
    (0..m).map(|i| a[i * m + i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn jacobi_finds_known_eigenvalues() {
        // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
        let mut e = jacobi_eigenvalues(vec![2.0, 1.0, 1.0, 2.0], 2);
        e.sort_unstable_by(f64::total_cmp);
        assert!(
            (e[0] - 1.0).abs() < 1e-12 && (e[1] - 3.0).abs() < 1e-12,
            "{e:?}"
        );
    }

    #[test]
    fn variance_of_a_plane_needs_two_dims() {
        // Points spread along x (variance 9) and y (variance 1) in 4-d.
        let pts: Vec<[f32; 4]> = (0..40)
            .map(|i| {
                let a = (i % 7) as f32 - 3.0;
                let b = ((i * 3) % 5) as f32 - 2.0;
                [3.0 * a, b / 1.4, 0.0, 0.0]
            })
            .collect();
        let rows: Vec<&[f32]> = pts.iter().map(|p| &p[..]).collect();
        assert_eq!(dims_for_variance(4, &rows, 0.8), 1);
        assert_eq!(dims_for_variance(4, &rows, 0.99), 2);
    }
}
