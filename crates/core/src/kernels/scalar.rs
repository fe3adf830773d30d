//! Portable reference kernels. Eight independent accumulators, combined in a fixed
//! order: the result is bit-for-bit the same on every target.

const LANES: usize = 8;

/// Inner product. Panics in debug builds if the lengths differ.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0.0f32; LANES];
    let ca = a.chunks_exact(LANES);
    let cb = b.chunks_exact(LANES);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..LANES {
            acc[i] += x[i] * y[i];
        }
    }
    let mut tail = 0.0f32;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    reduce(acc) + tail
}

/// Squared Euclidean distance. Panics in debug builds if the lengths differ.
#[inline]
pub fn l2_squared(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0.0f32; LANES];
    let ca = a.chunks_exact(LANES);
    let cb = b.chunks_exact(LANES);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..LANES {
            let d = x[i] - y[i];
            acc[i] += d * d;
        }
    }
    let mut tail = 0.0f32;
    for (x, y) in ra.iter().zip(rb) {
        let d = x - y;
        tail += d * d;
    }
    reduce(acc) + tail
}

/// One query against four rows: `[dot(q, r[0]), …, dot(q, r[3])]`.
#[inline]
pub fn dot4(q: &[f32], r: [&[f32]; 4]) -> [f32; 4] {
    r.map(|r| dot(q, r))
}

/// One query against four rows: `[l2_squared(q, r[0]), …]`.
#[inline]
pub fn l2_squared4(q: &[f32], r: [&[f32]; 4]) -> [f32; 4] {
    r.map(|r| l2_squared(q, r))
}

/// Three queries against four rows: `out[i][j] = dot(q[i], r[j])`, the
/// register tile of the blocked multi-query scan.
#[inline]
pub fn dot_3x4(q: [&[f32]; 3], r: [&[f32]; 4]) -> [[f32; 4]; 3] {
    q.map(|q| dot4(q, r))
}

/// `Σ w[i]·c[i]` of 16-bit weights and 8-bit codes (SQ8's asymmetric distance,
/// see `index::quant`), exactly: integer arithmetic, so every instruction set
/// returns the same number. The caller bounds `len · 255 · max|w|` by `i32::MAX`
/// ([`sq8_weight_limit`]), so no partial sum overflows in any order.
#[inline]
pub fn dot_u8(w: &[i16], c: &[u8]) -> i32 {
    debug_assert_eq!(w.len(), c.len());
    w.iter().zip(c).map(|(&w, &c)| w as i32 * c as i32).sum()
}

/// [`dot_u8`] of four rows.
pub fn dot_u8x4(w: &[i16], c: [&[u8]; 4]) -> [i32; 4] {
    c.map(|c| dot_u8(w, c))
}

/// The largest `|w|` for which [`dot_u8`] of `len` dimensions cannot overflow
/// (at most `i16::MAX`, at least 1).
pub fn sq8_weight_limit(len: usize) -> i16 {
    let limit = i32::MAX as u64 / (255 * len.max(1) as u64);
    limit.clamp(1, i16::MAX as u64) as i16
}

/// The FP16/BF16 conversions are [`crate::half`]'s (one implementation); codes
/// never hold infinities or NaNs (encoders clamp to the format's range first).
pub use crate::half::{bf16_to_f32, f16_to_f32, f32_to_bf16, f32_to_f16};

/// [`dot`] of a float query and a row of halves (each widened exactly).
#[inline]
pub fn dot_f16(q: &[f32], x: &[u16]) -> f32 {
    dot_widened(q, x, f16_to_f32)
}

/// [`l2_squared`] of a float query and a row of halves.
#[inline]
pub fn l2_f16(q: &[f32], x: &[u16]) -> f32 {
    l2_widened(q, x, f16_to_f32)
}

/// [`dot`] of a float query and a row of bfloat16s.
#[inline]
pub fn dot_bf16(q: &[f32], x: &[u16]) -> f32 {
    dot_widened(q, x, bf16_to_f32)
}

/// [`l2_squared`] of a float query and a row of bfloat16s.
#[inline]
pub fn l2_bf16(q: &[f32], x: &[u16]) -> f32 {
    l2_widened(q, x, bf16_to_f32)
}

#[inline(always)]
fn dot_widened(a: &[f32], b: &[u16], widen: fn(u16) -> f32) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0.0f32; LANES];
    let ca = a.chunks_exact(LANES);
    let cb = b.chunks_exact(LANES);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..LANES {
            acc[i] += x[i] * widen(y[i]);
        }
    }
    let mut tail = 0.0f32;
    for (x, &y) in ra.iter().zip(rb) {
        tail += x * widen(y);
    }
    reduce(acc) + tail
}

#[inline(always)]
fn l2_widened(a: &[f32], b: &[u16], widen: fn(u16) -> f32) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0.0f32; LANES];
    let ca = a.chunks_exact(LANES);
    let cb = b.chunks_exact(LANES);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..LANES {
            let d = x[i] - widen(y[i]);
            acc[i] += d * d;
        }
    }
    let mut tail = 0.0f32;
    for (x, &y) in ra.iter().zip(rb) {
        let d = x - widen(y);
        tail += d * d;
    }
    reduce(acc) + tail
}

#[inline]
fn reduce(acc: [f32; LANES]) -> f32 {
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn naive_dot(a: &[f32], b: &[f32]) -> f64 {
        a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum()
    }

    #[test]
    fn matches_f64_reference_on_all_tail_lengths() {
        for len in 0..40 {
            let a: Vec<f32> = (0..len).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..len).map(|i| (i as f32 * 0.11).cos()).collect();
            let d = dot(&a, &b) as f64;
            assert!((d - naive_dot(&a, &b)).abs() < 1e-4, "len {len}");
            let l2: f64 = a
                .iter()
                .zip(&b)
                .map(|(x, y)| ((*x - *y) as f64).powi(2))
                .sum();
            assert!((l2_squared(&a, &b) as f64 - l2).abs() < 1e-4, "len {len}");
        }
    }

    #[test]
    fn halves_round_to_nearest_and_widen_exactly() {
        // Every finite half widens and narrows back to itself.
        for h in 0..=u16::MAX {
            if h & 0x7c00 == 0x7c00 {
                continue;
            }
            let x = f16_to_f32(h);
            assert_eq!(f32_to_f16(x), h, "half {h:#06x} = {x}");
            let b = bf16_to_f32(f32_to_bf16(x));
            assert!(
                (b - x).abs() <= x.abs() * 2f32.powi(-8),
                "{x} → bfloat16 {b}"
            );
        }
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f32_to_f16(65504.0), 0x7bff);
        assert_eq!(f32_to_f16(65520.0), 0x7c00, "rounds up to infinity");
        assert_eq!(f32_to_f16(1.0 + 2f32.powi(-11)), 0x3c00, "tie to even");
        assert_eq!(
            f32_to_f16(1.0 + 3.0 * 2f32.powi(-11)),
            0x3c02,
            "tie to even"
        );
        assert_eq!(f32_to_bf16(1.0 + 2f32.powi(-8)), 0x3f80, "tie to even");
        assert_eq!(f32_to_bf16(f32::MAX), 0x7f80, "overflows to infinity");
        assert_eq!(bf16_to_f32(f32_to_bf16(-3.5)), -3.5);
    }

    #[test]
    fn the_u8_dot_is_exact() {
        let w: Vec<i16> = (0..100).map(|i| (i * 37 % 201) as i16 - 100).collect();
        let c: Vec<u8> = (0..100).map(|i| (i * 91 % 256) as u8).collect();
        let exact: i64 = w.iter().zip(&c).map(|(&w, &c)| w as i64 * c as i64).sum();
        assert_eq!(dot_u8(&w, &c) as i64, exact);
        assert_eq!(sq8_weight_limit(1536), 5482);
        assert_eq!(sq8_weight_limit(1), i16::MAX);
        assert_eq!(sq8_weight_limit(1 << 30), 1);
    }
}
