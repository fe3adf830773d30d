//! IEEE 754 half precision (FLOAT16_VECTOR) and bfloat16 (BFLOAT16_VECTOR)
//! values, stored as `u16` bits: conversion to and from `f32`. Stored vectors
//! stay at two bytes a component; searches widen a block of rows (or a query)
//! to `f32` and run the float kernels on it.

// The one implementation of these conversions: the kernels (`kernels::scalar`
// re-exports them, the SIMD kernels widen with the same steps) and the columns
// use the same functions.

/// The `f32` value of half-precision bits, exactly, for every half: a finite or
/// subnormal half's exponent and mantissa are shifted into an f32's low
/// exponent bits, then scaled by 2^112 (a power of two: no rounding; the SIMD
/// kernels take the same steps); infinities and NaNs (payload kept) map to
/// theirs.
#[inline(always)]
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h & 0x8000) as u32) << 16;
    if h & 0x7c00 == 0x7c00 {
        return f32::from_bits(sign | 0x7f80_0000 | (((h & 0x3ff) as u32) << 13));
    }
    let magnitude = f32::from_bits(((h & 0x7fff) as u32) << 13) * f32::from_bits(0x7780_0000);
    f32::from_bits(magnitude.to_bits() | sign)
}

/// The half-precision bits nearest to `x` (round to nearest, ties to even;
/// overflow to infinity; NaN stays a quiet NaN of its sign), as numpy's
/// `astype(float16)` gives.
pub fn f32_to_f16(x: f32) -> u16 {
    let b = x.to_bits();
    let sign = ((b >> 16) & 0x8000) as u16;
    let a = b & 0x7fff_ffff;
    if a >= 0x7f80_0000 {
        return sign | 0x7c00 | if a > 0x7f80_0000 { 0x200 } else { 0 };
    }
    if a >= 0x4780_0000 {
        return sign | 0x7c00;
    }
    if a < 0x3880_0000 {
        // Below 2^-14: a subnormal half, in units of 2^-24 (exact scaling).
        return sign | (f32::from_bits(a) * 16_777_216.0).round_ties_even() as u16;
    }
    // Rebased to the half's exponent; adding 0xfff plus the kept bit's parity
    // rounds to nearest, ties to even, and may carry up to infinity (correct).
    let rebased = a - (112 << 23);
    sign | ((rebased + 0xfff + ((rebased >> 13) & 1)) >> 13) as u16
}

/// The `f32` value of bfloat16 bits (exact: the f32's top half).
#[inline(always)]
pub fn bf16_to_f32(h: u16) -> f32 {
    f32::from_bits((h as u32) << 16)
}

/// The bfloat16 bits nearest to `x` (round to nearest, ties to even; overflow
/// to infinity; NaN stays a quiet NaN of its sign).
pub fn f32_to_bf16(x: f32) -> u16 {
    let b = x.to_bits();
    if x.is_nan() {
        return ((b >> 16) | 0x40) as u16;
    }
    ((b + 0x7fff + ((b >> 16) & 1)) >> 16) as u16
}

/// Which two-byte float a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HalfKind {
    F16,
    Bf16,
}

impl HalfKind {
    #[inline]
    pub fn to_f32(self, h: u16) -> f32 {
        match self {
            HalfKind::F16 => f16_to_f32(h),
            HalfKind::Bf16 => bf16_to_f32(h),
        }
    }

    pub fn from_f32(self, x: f32) -> u16 {
        match self {
            HalfKind::F16 => f32_to_f16(x),
            HalfKind::Bf16 => f32_to_bf16(x),
        }
    }

    /// `halves` widened into `out` (cleared first).
    pub fn widen_into(self, halves: &[u16], out: &mut Vec<f32>) {
        out.clear();
        out.extend(halves.iter().map(|&h| self.to_f32(h)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn every_f16_round_trips_through_f32() {
        for h in 0..=u16::MAX {
            let x = f16_to_f32(h);
            if x.is_nan() {
                assert!(f16_to_f32(f32_to_f16(x)).is_nan());
            } else {
                assert_eq!(f32_to_f16(x), h, "{h:#06x} = {x}");
            }
        }
    }

    #[test]
    fn f16_rounds_to_nearest_even_like_numpy() {
        assert_eq!(f32_to_f16(1.0), 0x3c00);
        assert_eq!(f32_to_f16(-2.0), 0xc000);
        assert_eq!(f32_to_f16(65504.0), 0x7bff);
        assert_eq!(f32_to_f16(65520.0), 0x7c00, "overflows to infinity");
        assert_eq!(f32_to_f16(0.1), 0x2e66);
        assert_eq!(f32_to_f16(1.0 + 1.0 / 2048.0), 0x3c00, "tie to even");
        assert_eq!(f32_to_f16(6e-8), 0x0001, "subnormal");
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
    }

    #[test]
    fn bf16_keeps_the_top_half_of_f32() {
        assert_eq!(f32_to_bf16(1.0), 0x3f80);
        assert_eq!(bf16_to_f32(0x3f80), 1.0);
        assert_eq!(f32_to_bf16(0.1), 0x3dcd);
        for h in [0u16, 0x3f80, 0xbf80, 0x4049, 0x7f7f, 0x7f80, 0xff80] {
            assert_eq!(f32_to_bf16(bf16_to_f32(h)), h);
        }
        assert_eq!(f32_to_bf16(1.0 + 2f32.powi(-8)), 0x3f80, "tie to even");
        assert_eq!(
            f32_to_bf16(1.0 + 3.0 * 2f32.powi(-8)),
            0x3f82,
            "tie to even"
        );
        assert_eq!(f32_to_bf16(f32::MAX), 0x7f80, "overflows to infinity");
        assert_eq!(f32_to_bf16(-f32::MAX), 0xff80);
        assert_eq!(f32_to_bf16(f32::INFINITY), 0x7f80);
        assert!(bf16_to_f32(f32_to_bf16(f32::NAN)).is_nan());
        assert!(bf16_to_f32(f32_to_bf16(-f32::NAN)).is_sign_negative());
    }

    #[test]
    fn infinities_and_nans_survive_both_ways() {
        assert_eq!(f16_to_f32(0x7c00), f32::INFINITY);
        assert_eq!(f16_to_f32(0xfc00), f32::NEG_INFINITY);
        assert_eq!(f32_to_f16(f32::INFINITY), 0x7c00);
        assert_eq!(f32_to_f16(f32::NEG_INFINITY), 0xfc00);
        assert!(f16_to_f32(0x7e00).is_nan() && f16_to_f32(0xfe00).is_sign_negative());
        assert_eq!(f32_to_f16(f32::NAN) & 0x7e00, 0x7e00);
        assert_eq!(f32_to_f16(-f32::NAN) & 0x8000, 0x8000);
        // A signalling-looking payload stays a NaN (never an infinity).
        assert!(f16_to_f32(0x7c01).is_nan());
    }
}
