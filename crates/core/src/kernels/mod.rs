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

pub mod scalar;

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(target_arch = "aarch64")]
mod neon;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

use std::sync::OnceLock;

type Kernel = fn(&[f32], &[f32]) -> f32;

/// One instruction set's kernels.
#[derive(Clone, Copy)]
pub struct Kernels {
    /// Name shown in benchmarks ("scalar", "avx2+fma", "neon", "simd128").
    pub name: &'static str,
    pub dot: Kernel,
    pub l2_squared: Kernel,
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
};

/// Every implementation this CPU can run, scalar first, best last.
pub fn available() -> Vec<Kernels> {
    let mut v = vec![SCALAR];
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
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
            }
        }
    }
}
