//! wasm32 SIMD (simd128) kernels, selected at compile time: two 4-lane
//! accumulators (8 floats per step), then a scalar tail, for one row and for four.
//! simd128 has no fused multiply-add, so it is a multiply then an add.

use std::arch::wasm32::*;

use super::Kernels;

pub const KERNELS: Kernels = Kernels {
    name: "simd128",
    dot,
    l2_squared,
    dot4,
    l2_squared4,
    dot_3x4,
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
