//! Distance kernels: the inner loops of every index.
//!
//! One file per instruction set, each tested against [`scalar`], the portable
//! reference:
//! - `avx2.rs`: x86-64 AVX2 + FMA, chosen at run time (`is_x86_feature_detected!`);
//! - `neon.rs`: aarch64 NEON (always present on aarch64, still detected at run time);
//! - `simd128.rs`: wasm32 SIMD, chosen at compile time (`-C target-feature=+simd128`,
//!   see `.cargo/config.toml`); wasm has no run-time detection.
//!
//! The public functions pick the best available implementation once and call it
//! through a function pointer.

pub mod binary;
pub mod scalar;

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "aarch64")]
mod neon;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

use std::sync::OnceLock;

type Kernel = fn(&[f32], &[f32]) -> f32;
/// One query against four rows (all of the query's length).
type Kernel4 = fn(&[f32], [&[f32]; 4]) -> [f32; 4];
/// Three queries against four rows (all of one length): `out[i][j] = q[i]·r[j]`.
type Kernel3x4 = fn([&[f32]; 3], [&[f32]; 4]) -> [[f32; 4]; 3];
/// 16-bit weights against 8-bit codes, exact (SQ8).
type KernelU8 = fn(&[i16], &[u8]) -> i32;
/// The same weights against four rows of codes.
type KernelU8x4 = fn(&[i16], [&[u8]; 4]) -> [i32; 4];
/// A float query against a row of 16-bit floats (FP16 or BF16), widened exactly.
type KernelHalf = fn(&[f32], &[u16]) -> f32;

/// One instruction set's kernels.
#[derive(Clone, Copy)]
pub struct Kernels {
    /// Name shown in benchmarks ("scalar", "avx2+fma", "neon", "simd128").
    pub name: &'static str,
    pub dot: Kernel,
    pub l2_squared: Kernel,
    /// One query against four rows at once: the query is loaded once per step for
    /// four rows, and four rows stream from memory in parallel (faiss's
    /// `distances_batch_4`, the row interleaving of a GEMV).
    pub dot4: Kernel4,
    pub l2_squared4: Kernel4,
    /// The register tile of the blocked multi-query scan (a GEMM micro-kernel).
    pub dot_3x4: Kernel3x4,
    /// `Σ w·c` of SQ8 codes (`scalar::dot_u8`): the same integer on every set.
    pub dot_u8: KernelU8,
    /// [`Kernels::dot_u8`] of four rows at once (the weights loaded once for
    /// four rows, as `dot4`); the same integers.
    pub dot_u8x4: KernelU8x4,
    /// FP16 rows (IEEE binary16).
    pub dot_f16: KernelHalf,
    pub l2_f16: KernelHalf,
    /// BF16 rows (bfloat16).
    pub dot_bf16: KernelHalf,
    pub l2_bf16: KernelHalf,
}

impl std::fmt::Debug for Kernels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// The portable reference kernels.
pub const SCALAR: Kernels = Kernels {
    name: "scalar",
    dot: scalar::dot,
    l2_squared: scalar::l2_squared,
    dot4: scalar::dot4,
    l2_squared4: scalar::l2_squared4,
    dot_3x4: scalar::dot_3x4,
    dot_u8: scalar::dot_u8,
    dot_u8x4: scalar::dot_u8x4,
    dot_f16: scalar::dot_f16,
    l2_f16: scalar::l2_f16,
    dot_bf16: scalar::dot_bf16,
    l2_bf16: scalar::l2_bf16,
};

/// Every implementation this CPU can run, scalar first, best last.
pub fn available() -> Vec<Kernels> {
    let mut v = vec![SCALAR];
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("fma")
        && std::is_x86_feature_detected!("f16c")
    {
        v.push(avx2::KERNELS);
    }
    #[cfg(target_arch = "aarch64")]
    if std::arch::is_aarch64_feature_detected!("neon") {
        v.push(neon::KERNELS);
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    v.push(simd128::KERNELS);
    v
}

/// The implementation in use: the best of [`available`], chosen once.
pub fn best() -> Kernels {
    static BEST: OnceLock<Kernels> = OnceLock::new();
    *BEST.get_or_init(|| *available().last().expect("scalar is always available"))
}

/// Asks the CPU to start loading the cache line holding `*x` into all cache levels,
/// so that a later read finds it there. A hint only. On x86-64 it is SSE's
/// `prefetcht0` (part of the x86-64 baseline, no detection needed); nothing where
/// stable Rust has no prefetch (aarch64, wasm32). On wasm32 a volatile read of `x`
/// in its place (a load the engine cannot drop, whose miss the out-of-order core
/// could overlap) made the playground's HNSW searches 15–20 % slower in Chromium.
#[inline(always)]
pub fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch is only a hint: it never faults or changes memory.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// Inner product of two equally long slices.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    (best().dot)(a, b)
}

/// Squared Euclidean distance of two equally long slices.
#[inline]
pub fn l2_squared(a: &[f32], b: &[f32]) -> f32 {
    (best().l2_squared)(a, b)
}

/// Inner products of one query with four rows.
#[inline]
pub fn dot4(q: &[f32], r: [&[f32]; 4]) -> [f32; 4] {
    (best().dot4)(q, r)
}

/// Squared Euclidean distances of one query to four rows.
#[inline]
pub fn l2_squared4(q: &[f32], r: [&[f32]; 4]) -> [f32; 4] {
    (best().l2_squared4)(q, r)
}

/// Inner products of three queries with four rows: `out[i][j] = q[i]·r[j]`.
#[inline]
pub fn dot_3x4(q: [&[f32]; 3], r: [&[f32]; 4]) -> [[f32; 4]; 3] {
    (best().dot_3x4)(q, r)
}

/// `Σ w[i]·c[i]` of SQ8 weights and codes, exact (see [`scalar::dot_u8`]).
#[inline]
pub fn dot_u8(w: &[i16], c: &[u8]) -> i32 {
    (best().dot_u8)(w, c)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Every kernel against scalar on every tail length and the tutorial's 1536.
    #[test]
    fn every_kernel_matches_scalar() {
        let mut lens: Vec<usize> = (0..70).collect();
        lens.extend([128, 1536, 1537]);
        for k in available() {
            for &len in &lens {
                let a: Vec<f32> = (0..len)
                    .map(|i| ((i * 7 + 3) as f32 * 0.013).sin())
                    .collect();
                let b: Vec<f32> = (0..len)
                    .map(|i| ((i * 5 + 1) as f32 * 0.029).cos())
                    .collect();
                let tol = 1e-5 * (len as f32 + 1.0);
                let (d, s) = ((k.dot)(&a, &b), scalar::dot(&a, &b));
                assert!((d - s).abs() <= tol, "{} dot len {len}: {d} vs {s}", k.name);
                let (d, s) = ((k.l2_squared)(&a, &b), scalar::l2_squared(&a, &b));
                assert!((d - s).abs() <= tol, "{} l2 len {len}: {d} vs {s}", k.name);

                // Four rows (and three queries) that differ from each other.
                let row = |j: usize| -> Vec<f32> {
                    b.iter()
                        .enumerate()
                        .map(|(i, x)| x + ((i + j) as f32 * 0.7).sin() * j as f32 * 0.1)
                        .collect()
                };
                let rows: Vec<Vec<f32>> = (0..4).map(row).collect();
                let r = [&rows[0][..], &rows[1][..], &rows[2][..], &rows[3][..]];
                let qs: Vec<Vec<f32>> = (0..3).map(|j| row(j + 4)).collect();
                let q = [&qs[0][..], &qs[1][..], &qs[2][..]];
                let (d4, l4, t) = ((k.dot4)(&a, r), (k.l2_squared4)(&a, r), (k.dot_3x4)(q, r));
                for j in 0..4 {
                    let s = scalar::dot(&a, r[j]);
                    assert!(
                        (d4[j] - s).abs() <= tol,
                        "{} dot4 len {len} row {j}",
                        k.name
                    );
                    let s = scalar::l2_squared(&a, r[j]);
                    assert!(
                        (l4[j] - s).abs() <= tol,
                        "{} l2_4 len {len} row {j}",
                        k.name
                    );
                    for i in 0..3 {
                        let s = scalar::dot(q[i], r[j]);
                        assert!(
                            (t[i][j] - s).abs() <= tol,
                            "{} 3x4 len {len} ({i},{j})",
                            k.name
                        );
                    }
                }
            }
        }
    }

    /// The quantised kernels against scalar: the SQ8 dot exactly, the 16-bit
    /// floats within the float kernels' tolerance.
    #[test]
    fn every_quantised_kernel_matches_scalar() {
        let mut lens: Vec<usize> = (0..70).collect();
        lens.extend([128, 1536, 1537]);
        for k in available() {
            for &len in &lens {
                let limit = scalar::sq8_weight_limit(len) as i32;
                let w: Vec<i16> = (0..len)
                    .map(|i| ((i as i32 * 7919) % (2 * limit + 1) - limit) as i16)
                    .collect();
                let c: Vec<u8> = (0..len).map(|i| (i * 131 + 7) as u8).collect();
                // The extremes: every weight at the limit, every code 255.
                let wmax = vec![limit as i16; len];
                let cmax = vec![255u8; len];
                assert_eq!(
                    (k.dot_u8)(&w, &c),
                    scalar::dot_u8(&w, &c),
                    "{} u8 {len}",
                    k.name
                );
                assert_eq!(
                    (k.dot_u8)(&wmax, &cmax),
                    limit * 255 * len as i32,
                    "{} u8 max {len}",
                    k.name
                );
                let rows: Vec<Vec<u8>> = (0..4u8)
                    .map(|r| c.iter().map(|&x| x.wrapping_mul(r + 3) ^ r).collect())
                    .collect();
                let four = [&rows[0][..], &rows[1], &cmax, &rows[3]];
                assert_eq!(
                    (k.dot_u8x4)(&w, four),
                    four.map(|r| scalar::dot_u8(&w, r)),
                    "{} u8x4 {len}",
                    k.name
                );
                assert_eq!(
                    (k.dot_u8x4)(&wmax, [&cmax[..]; 4]),
                    [limit * 255 * len as i32; 4],
                    "{} u8x4 max {len}",
                    k.name
                );
                let q: Vec<f32> = (0..len)
                    .map(|i| ((i * 7 + 3) as f32 * 0.013).sin())
                    .collect();
                let x: Vec<f32> = (0..len)
                    .map(|i| ((i * 5 + 1) as f32 * 0.029).cos())
                    .collect();
                let h: Vec<u16> = x.iter().map(|&x| scalar::f32_to_f16(x)).collect();
                let b: Vec<u16> = x.iter().map(|&x| scalar::f32_to_bf16(x)).collect();
                let tol = 1e-5 * (len as f32 + 1.0);
                let pairs: [(&str, KernelHalf, KernelHalf, &[u16]); 4] = [
                    ("dot_f16", k.dot_f16, scalar::dot_f16, &h),
                    ("l2_f16", k.l2_f16, scalar::l2_f16, &h),
                    ("dot_bf16", k.dot_bf16, scalar::dot_bf16, &b),
                    ("l2_bf16", k.l2_bf16, scalar::l2_bf16, &b),
                ];
                for (name, f, reference, row) in pairs {
                    let (d, s) = (f(&q, row), reference(&q, row));
                    assert!(
                        (d - s).abs() <= tol,
                        "{} {name} len {len}: {d} vs {s}",
                        k.name
                    );
                }
                // The widened row is the row the float kernels see.
                let widened: Vec<f32> = h.iter().map(|&h| scalar::f16_to_f32(h)).collect();
                let (d, s) = ((k.l2_f16)(&q, &h), (k.l2_squared)(&q, &widened));
                assert!((d - s).abs() <= tol, "{} l2_f16 vs l2 len {len}", k.name);
            }
        }
    }
}
