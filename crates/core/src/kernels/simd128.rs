//! wasm32 SIMD (simd128) kernels, selected at compile time: four 4-lane
//! accumulators (16 floats per step), then a scalar tail. simd128 has no fused
//! multiply-add, so it is a multiply then an add.

use std::arch::wasm32::*;

use super::Kernels;

pub const KERNELS: Kernels = Kernels {
    name: "simd128",
    dot,
    l2_squared,
};

#[inline]
fn load(s: &[f32], i: usize) -> v128 {
    let c: &[f32; 4] = s[i..i + 4].try_into().expect("4 floats");
    // SAFETY: `c` is 16 readable bytes; v128_load has no alignment requirement.
    unsafe { v128_load(c.as_ptr().cast()) }
}

#[inline]
fn hsum(v: v128) -> f32 {
    (f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v))
        + (f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v))
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    let n = a.len();
    let mut acc = [f32x4_splat(0.0); 4];
    let mut i = 0;
    while i + 16 <= n {
        for (j, acc) in acc.iter_mut().enumerate() {
            *acc = f32x4_add(*acc, f32x4_mul(load(a, i + 4 * j), load(b, i + 4 * j)));
        }
        i += 16;
    }
    while i + 4 <= n {
        acc[0] = f32x4_add(acc[0], f32x4_mul(load(a, i), load(b, i)));
        i += 4;
    }
    let s = f32x4_add(f32x4_add(acc[0], acc[1]), f32x4_add(acc[2], acc[3]));
    let mut total = hsum(s);
    for k in i..n {
        total += a[k] * b[k];
    }
    total
}

fn l2_squared(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    let n = a.len();
    let mut acc = [f32x4_splat(0.0); 4];
    let mut i = 0;
    while i + 16 <= n {
        for (j, acc) in acc.iter_mut().enumerate() {
            let d = f32x4_sub(load(a, i + 4 * j), load(b, i + 4 * j));
            *acc = f32x4_add(*acc, f32x4_mul(d, d));
        }
        i += 16;
    }
    while i + 4 <= n {
        let d = f32x4_sub(load(a, i), load(b, i));
        acc[0] = f32x4_add(acc[0], f32x4_mul(d, d));
        i += 4;
    }
    let s = f32x4_add(f32x4_add(acc[0], acc[1]), f32x4_add(acc[2], acc[3]));
    let mut total = hsum(s);
    for k in i..n {
        let d = a[k] - b[k];
        total += d * d;
    }
    total
}
