//! IEEE 754 half precision (FLOAT16_VECTOR) and bfloat16 (BFLOAT16_VECTOR)
//! values, stored as `u16` bits: conversion to and from `f32`. Stored vectors
//! stay at two bytes a component; searches widen a block of rows (or a query)
//! to `f32` and run the float kernels on it.

/// The `f32` value of half-precision bits (exact: every f16 is an f32).
#[inline]
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h as u32) & 0x8000) << 16;
    let exp = ((h >> 10) & 0x1f) as u32;
    let man = (h & 0x3ff) as u32;
    let bits = match exp {
        0 if man == 0 => sign,
        0 => {
            // Subnormal: value = man · 2^-24.
            let v = man as f32 * f32::from_bits(0x3380_0000);
            return if sign != 0 { -v } else { v };
        }
        0x1f => sign | 0x7f80_0000 | (man << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

/// The half-precision bits nearest to `x` (round to nearest, ties to even;
/// overflow to infinity), as numpy's `astype(float16)` gives.
pub fn f32_to_f16(x: f32) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let man = bits & 0x7f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if man != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        let m = man | 0x80_0000;
        let shift = (14 - e) as u32;
        let half = 1u32 << (shift - 1);
        let rest = m & ((1 << shift) - 1);
        let mut h = m >> shift;
        if rest > half || (rest == half && h & 1 == 1) {
            h += 1;
        }
        return sign | h as u16;
    }
    let mut h = ((e as u32) << 10) | (man >> 13);
    let rest = man & 0x1fff;
    if rest > 0x1000 || (rest == 0x1000 && h & 1 == 1) {
        h += 1; // may carry into the exponent, up to infinity: correct
    }
    sign | h as u16
}

/// The `f32` value of bfloat16 bits (exact).
#[inline]
pub fn bf16_to_f32(h: u16) -> f32 {
    f32::from_bits((h as u32) << 16)
}

/// The bfloat16 bits nearest to `x` (round to nearest, ties to even).
pub fn f32_to_bf16(x: f32) -> u16 {
    let bits = x.to_bits();
    if x.is_nan() {
        return ((bits >> 16) | 0x40) as u16;
    }
    let rest = bits & 0xffff;
    let mut h = bits >> 16;
    if rest > 0x8000 || (rest == 0x8000 && h & 1 == 1) {
        h += 1;
    }
    h as u16
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
        for h in [0u16, 0x3f80, 0xbf80, 0x4049, 0x7f7f] {
            assert_eq!(f32_to_bf16(bf16_to_f32(h)), h);
        }
    }
}
