//! wasm32 SIMD (simd128) kernels, selected at compile time: two 4-lane
//! accumulators (8 floats per step), then a scalar tail, for one row and for four.
//! simd128 has no fused multiply-add, so it is a multiply then an add.
//!
//! The quantised kernels: SQ8's `Σ w·c` loads 16 codes at a time, widens them
//! to 16-bit lanes in registers and takes `i32x4.dot_i16x8_s` with 8 weights,
//! four sums at once, exact; simd128 has no half-float conversion, so 8 halves
//! are loaded at once and moved to the top of 32-bit lanes by a shuffle (a BF16
//! is then its f32; FP16 takes `scalar::f16_to_f32`'s steps, exact), then four
//! float sums.

use std::arch::wasm32::*;

use super::Kernels;

pub const KERNELS: Kernels = Kernels {
    name: "simd128",
    dot,
    l2_squared,
    dot4,
    l2_squared4,
    dot_3x4,
    dot_u8,
    dot_u8x4,
    dot_f16,
    l2_f16,
    dot_bf16,
    l2_bf16,
};

/// Four floats of `s` from `i`, without a bounds check: the kernels' loops check
/// once per step (`i + 8 <= n`, every slice of length `n`), and a checked load
/// costs a compare and a branch per four floats.
///
/// # Safety
/// `i + 4 <= s.len()`.
#[inline(always)]
unsafe fn load(s: &[f32], i: usize) -> v128 {
    debug_assert!(i + 4 <= s.len());
    // SAFETY: the caller guarantees 16 readable bytes at `i`; v128_load has no
    // alignment requirement.
    unsafe { v128_load(s.as_ptr().add(i).cast()) }
}

#[inline]
fn hsum(v: v128) -> f32 {
    (f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v))
        + (f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v))
}

// The pair kernels take exactly the steps and order of additions of one row of
// the four-row kernels (two accumulators over 8 floats, then a scalar tail), so
// that a distance has the same bits whichever kernel computed it.

fn dot(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    let n = a.len();
    let mut acc = [f32x4_splat(0.0); 2];
    let mut i = 0;
    while i + 8 <= n {
        // SAFETY: i + 8 <= n and every slice has length n.
        unsafe {
            acc[0] = f32x4_add(acc[0], f32x4_mul(load(a, i), load(b, i)));
            acc[1] = f32x4_add(acc[1], f32x4_mul(load(a, i + 4), load(b, i + 4)));
        }
        i += 8;
    }
    let mut total = hsum(f32x4_add(acc[0], acc[1]));
    for k in i..n {
        total += a[k] * b[k];
    }
    total
}

fn l2_squared(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    let n = a.len();
    let mut acc = [f32x4_splat(0.0); 2];
    let mut i = 0;
    while i + 8 <= n {
        // SAFETY: i + 8 <= n and every slice has length n.
        unsafe {
            let d0 = f32x4_sub(load(a, i), load(b, i));
            let d1 = f32x4_sub(load(a, i + 4), load(b, i + 4));
            acc[0] = f32x4_add(acc[0], f32x4_mul(d0, d0));
            acc[1] = f32x4_add(acc[1], f32x4_mul(d1, d1));
        }
        i += 8;
    }
    let mut total = hsum(f32x4_add(acc[0], acc[1]));
    for k in i..n {
        let d = a[k] - b[k];
        total += d * d;
    }
    total
}

fn dot4(q: &[f32], r: [&[f32]; 4]) -> [f32; 4] {
    let n = q.len();
    assert!(r.iter().all(|r| r.len() == n));
    let mut acc = [[f32x4_splat(0.0); 2]; 4];
    let mut i = 0;
    while i + 8 <= n {
        // SAFETY: i + 8 <= n and every slice has length n.
        unsafe {
            let (q0, q1) = (load(q, i), load(q, i + 4));
            for (a, r) in acc.iter_mut().zip(r) {
                a[0] = f32x4_add(a[0], f32x4_mul(q0, load(r, i)));
                a[1] = f32x4_add(a[1], f32x4_mul(q1, load(r, i + 4)));
            }
        }
        i += 8;
    }
    let mut out = [0.0; 4];
    for j in 0..4 {
        out[j] = hsum(f32x4_add(acc[j][0], acc[j][1]));
        for k in i..n {
            out[j] += q[k] * r[j][k];
        }
    }
    out
}

fn l2_squared4(q: &[f32], r: [&[f32]; 4]) -> [f32; 4] {
    let n = q.len();
    assert!(r.iter().all(|r| r.len() == n));
    let mut acc = [[f32x4_splat(0.0); 2]; 4];
    let mut i = 0;
    while i + 8 <= n {
        // SAFETY: i + 8 <= n and every slice has length n.
        unsafe {
            let (q0, q1) = (load(q, i), load(q, i + 4));
            for (a, r) in acc.iter_mut().zip(r) {
                let d0 = f32x4_sub(q0, load(r, i));
                let d1 = f32x4_sub(q1, load(r, i + 4));
                a[0] = f32x4_add(a[0], f32x4_mul(d0, d0));
                a[1] = f32x4_add(a[1], f32x4_mul(d1, d1));
            }
        }
        i += 8;
    }
    let mut out = [0.0; 4];
    for j in 0..4 {
        out[j] = hsum(f32x4_add(acc[j][0], acc[j][1]));
        for k in i..n {
            let d = q[k] - r[j][k];
            out[j] += d * d;
        }
    }
    out
}

fn dot_3x4(q: [&[f32]; 3], r: [&[f32]; 4]) -> [[f32; 4]; 3] {
    let n = q[0].len();
    assert!(q.iter().all(|q| q.len() == n) && r.iter().all(|r| r.len() == n));
    let mut acc = [[f32x4_splat(0.0); 4]; 3];
    let mut i = 0;
    while i + 4 <= n {
        // SAFETY: i + 4 <= n and every slice has length n.
        unsafe {
            let qv = q.map(|q| load(q, i));
            for (j, r) in r.iter().enumerate() {
                let rv = load(r, i);
                for (a, qv) in acc.iter_mut().zip(qv) {
                    a[j] = f32x4_add(a[j], f32x4_mul(qv, rv));
                }
            }
        }
        i += 4;
    }
    let mut out = [[0.0; 4]; 3];
    for (qi, row) in out.iter_mut().enumerate() {
        for (j, o) in row.iter_mut().enumerate() {
            *o = hsum(acc[qi][j]);
            for k in i..n {
                *o += q[qi][k] * r[j][k];
            }
        }
    }
    out
}

fn dot_u8(w: &[i16], c: &[u8]) -> i32 {
    assert_eq!(w.len(), c.len());
    let n = w.len();
    let (pw, pc) = (w.as_ptr(), c.as_ptr());
    let mut acc = [i32x4_splat(0); 4];
    let mut i = 0;
    // SAFETY (all loads): i + 32 <= n or i + 8 <= n bounds every load, both slices
    // have length n, and v128 loads have no alignment requirement.
    unsafe {
        // 32 codes a step: two full 16-byte loads widened in registers (a
        // widening load per 8 codes is slower in V8), four independent sums.
        while i + 32 <= n {
            let c0 = v128_load(pc.add(i).cast());
            let c1 = v128_load(pc.add(i + 16).cast());
            let widened = [
                u16x8_extend_low_u8x16(c0),
                u16x8_extend_high_u8x16(c0),
                u16x8_extend_low_u8x16(c1),
                u16x8_extend_high_u8x16(c1),
            ];
            for (j, (a, codes)) in acc.iter_mut().zip(widened).enumerate() {
                let weights = v128_load(pw.add(i + 8 * j).cast());
                *a = i32x4_add(*a, i32x4_dot_i16x8(codes, weights));
            }
            i += 32;
        }
        while i + 8 <= n {
            let codes = u16x8_load_extend_u8x8(pc.add(i));
            let weights = v128_load(pw.add(i).cast());
            acc[0] = i32x4_add(acc[0], i32x4_dot_i16x8(codes, weights));
            i += 8;
        }
    }
    let s = i32x4_add(i32x4_add(acc[0], acc[1]), i32x4_add(acc[2], acc[3]));
    let mut total = (i32x4_extract_lane::<0>(s) + i32x4_extract_lane::<1>(s))
        + (i32x4_extract_lane::<2>(s) + i32x4_extract_lane::<3>(s));
    for k in i..n {
        total += w[k] as i32 * c[k] as i32;
    }
    total
}

/// Four rows of codes against one query's weights: 16 weights loaded once per
/// step for the four rows (two `i16x8`), each row's 16 codes widened in registers,
/// one accumulator per row, then a scalar tail.
fn dot_u8x4(w: &[i16], c: [&[u8]; 4]) -> [i32; 4] {
    let n = w.len();
    assert!(c.iter().all(|c| c.len() == n));
    let pw = w.as_ptr();
    let mut acc = [i32x4_splat(0); 4];
    let mut i = 0;
    // SAFETY (all loads): i + 16 <= n bounds every load, every slice has length
    // n, and v128 loads have no alignment requirement.
    unsafe {
        while i + 16 <= n {
            let w0 = v128_load(pw.add(i).cast());
            let w1 = v128_load(pw.add(i + 8).cast());
            for (a, c) in acc.iter_mut().zip(c) {
                let codes = v128_load(c.as_ptr().add(i).cast());
                let lo = i32x4_dot_i16x8(u16x8_extend_low_u8x16(codes), w0);
                let hi = i32x4_dot_i16x8(u16x8_extend_high_u8x16(codes), w1);
                *a = i32x4_add(*a, i32x4_add(lo, hi));
            }
            i += 16;
        }
    }
    let mut out = [0; 4];
    for (j, o) in out.iter_mut().enumerate() {
        let s = acc[j];
        *o = (i32x4_extract_lane::<0>(s) + i32x4_extract_lane::<1>(s))
            + (i32x4_extract_lane::<2>(s) + i32x4_extract_lane::<3>(s));
        for k in i..n {
            *o += w[k] as i32 * c[j][k] as i32;
        }
    }
    out
}

/// Eight 16-bit floats from `x[i..]` widened to f32 (exactly as
/// `scalar::f16_to_f32` / `scalar::bf16_to_f32`): one 16-byte load, each half
/// moved to the top of a 32-bit lane by a shuffle with zeros (a bfloat16 is
/// then its f32); FP16 shifts sign-less bits down to an f32's low exponent and
/// scales by 2^112, as the scalar code does.
///
/// # Safety
/// `i + 8 <= x.len()`.
#[inline(always)]
unsafe fn widen8<const BF16: bool>(x: &[u16], i: usize) -> [v128; 2] {
    debug_assert!(i + 8 <= x.len());
    // SAFETY: the caller guarantees 16 readable bytes at `i`.
    let h = unsafe { v128_load(x.as_ptr().add(i).cast()) };
    let z = i16x8_splat(0);
    let top = [
        i16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(z, h),
        i16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(z, h),
    ];
    if BF16 {
        top
    } else {
        top.map(|t| {
            let sign = v128_and(t, u32x4_splat(0x8000_0000));
            let bits = u32x4_shr(v128_and(t, u32x4_splat(0x7fff_0000)), 3);
            v128_or(
                f32x4_mul(bits, f32x4_splat(f32::from_bits(0x7780_0000))),
                sign,
            )
        })
    }
}

fn widen_scalar<const BF16: bool>(h: u16) -> f32 {
    if BF16 {
        super::scalar::bf16_to_f32(h)
    } else {
        super::scalar::f16_to_f32(h)
    }
}

/// Four accumulators over 16 values per step (the widening's shuffles leave the
/// sums latency-bound with two), then a scalar tail.
fn dot_half<const BF16: bool>(q: &[f32], x: &[u16]) -> f32 {
    assert_eq!(q.len(), x.len());
    let n = q.len();
    let mut acc = [f32x4_splat(0.0); 4];
    let mut i = 0;
    while i + 16 <= n {
        // SAFETY: i + 16 <= n and both slices have length n.
        unsafe {
            let [x0, x1] = widen8::<BF16>(x, i);
            let [x2, x3] = widen8::<BF16>(x, i + 8);
            acc[0] = f32x4_add(acc[0], f32x4_mul(load(q, i), x0));
            acc[1] = f32x4_add(acc[1], f32x4_mul(load(q, i + 4), x1));
            acc[2] = f32x4_add(acc[2], f32x4_mul(load(q, i + 8), x2));
            acc[3] = f32x4_add(acc[3], f32x4_mul(load(q, i + 12), x3));
        }
        i += 16;
    }
    let mut total = hsum(f32x4_add(
        f32x4_add(acc[0], acc[1]),
        f32x4_add(acc[2], acc[3]),
    ));
    for k in i..n {
        total += q[k] * widen_scalar::<BF16>(x[k]);
    }
    total
}

fn l2_half<const BF16: bool>(q: &[f32], x: &[u16]) -> f32 {
    assert_eq!(q.len(), x.len());
    let n = q.len();
    let mut acc = [f32x4_splat(0.0); 4];
    let mut i = 0;
    while i + 16 <= n {
        // SAFETY: i + 16 <= n and both slices have length n.
        unsafe {
            let [x0, x1] = widen8::<BF16>(x, i);
            let [x2, x3] = widen8::<BF16>(x, i + 8);
            for (j, (a, x)) in acc.iter_mut().zip([x0, x1, x2, x3]).enumerate() {
                let d = f32x4_sub(load(q, i + 4 * j), x);
                *a = f32x4_add(*a, f32x4_mul(d, d));
            }
        }
        i += 16;
    }
    let mut total = hsum(f32x4_add(
        f32x4_add(acc[0], acc[1]),
        f32x4_add(acc[2], acc[3]),
    ));
    for k in i..n {
        let d = q[k] - widen_scalar::<BF16>(x[k]);
        total += d * d;
    }
    total
}

fn dot_f16(q: &[f32], x: &[u16]) -> f32 {
    dot_half::<false>(q, x)
}

fn l2_f16(q: &[f32], x: &[u16]) -> f32 {
    l2_half::<false>(q, x)
}

fn dot_bf16(q: &[f32], x: &[u16]) -> f32 {
    dot_half::<true>(q, x)
}

fn l2_bf16(q: &[f32], x: &[u16]) -> f32 {
    l2_half::<true>(q, x)
}
