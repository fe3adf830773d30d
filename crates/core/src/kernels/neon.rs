//! aarch64 NEON kernels: four 4-lane accumulators (16 floats per step), then a
//! scalar tail.
//!
//! The quantised kernels: SQ8's `Σ w·c` widens 16 codes to 16-bit lanes and
//! multiply-accumulates them with 16 weights into 32-bit lanes (`smlal`), exact;
//! FP16 rows widen with `scalar::f16_to_f32`'s steps on four lanes (stable Rust
//! has no `float16x4_t`), BF16 rows by a 16-bit shift, then the float steps.

use std::arch::aarch64::*;

use super::Kernels;

pub const KERNELS: Kernels = Kernels {
    name: "neon",
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

// Not interleaved yet: the pair kernels applied per row.
fn dot4(q: &[f32], r: [&[f32]; 4]) -> [f32; 4] {
    r.map(|r| dot(q, r))
}

fn l2_squared4(q: &[f32], r: [&[f32]; 4]) -> [f32; 4] {
    r.map(|r| l2_squared(q, r))
}

fn dot_3x4(q: [&[f32]; 3], r: [&[f32]; 4]) -> [[f32; 4]; 3] {
    q.map(|q| dot4(q, r))
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    // SAFETY: NEON was detected by `available()`; the lengths are equal.
    unsafe { dot_neon(a, b) }
}

fn l2_squared(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    // SAFETY: as for `dot`.
    unsafe { l2_neon(a, b) }
}

#[target_feature(enable = "neon")]
unsafe fn dot_neon(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc = [vdupq_n_f32(0.0); 4];
    let mut i = 0;
    // SAFETY (all loads): i + 16 <= n or i + 4 <= n bounds every load.
    unsafe {
        while i + 16 <= n {
            for (j, acc) in acc.iter_mut().enumerate() {
                *acc = vfmaq_f32(
                    *acc,
                    vld1q_f32(pa.add(i + 4 * j)),
                    vld1q_f32(pb.add(i + 4 * j)),
                );
            }
            i += 16;
        }
        while i + 4 <= n {
            acc[0] = vfmaq_f32(acc[0], vld1q_f32(pa.add(i)), vld1q_f32(pb.add(i)));
            i += 4;
        }
    }
    let s = vaddq_f32(vaddq_f32(acc[0], acc[1]), vaddq_f32(acc[2], acc[3]));
    let mut total = vaddvq_f32(s);
    for k in i..n {
        total += a[k] * b[k];
    }
    total
}

#[target_feature(enable = "neon")]
unsafe fn l2_neon(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc = [vdupq_n_f32(0.0); 4];
    let mut i = 0;
    // SAFETY (all loads): i + 16 <= n or i + 4 <= n bounds every load.
    unsafe {
        while i + 16 <= n {
            for (j, acc) in acc.iter_mut().enumerate() {
                let d = vsubq_f32(vld1q_f32(pa.add(i + 4 * j)), vld1q_f32(pb.add(i + 4 * j)));
                *acc = vfmaq_f32(*acc, d, d);
            }
            i += 16;
        }
        while i + 4 <= n {
            let d = vsubq_f32(vld1q_f32(pa.add(i)), vld1q_f32(pb.add(i)));
            acc[0] = vfmaq_f32(acc[0], d, d);
            i += 4;
        }
    }
    let s = vaddq_f32(vaddq_f32(acc[0], acc[1]), vaddq_f32(acc[2], acc[3]));
    let mut total = vaddvq_f32(s);
    for k in i..n {
        let d = a[k] - b[k];
        total += d * d;
    }
    total
}

/// Four one-row calls (as `dot4` here).
fn dot_u8x4(w: &[i16], c: [&[u8]; 4]) -> [i32; 4] {
    c.map(|c| dot_u8(w, c))
}

fn dot_u8(w: &[i16], c: &[u8]) -> i32 {
    assert_eq!(w.len(), c.len());
    // SAFETY: NEON was detected by `available()`; the lengths are equal.
    unsafe { dot_u8_neon(w, c) }
}

#[target_feature(enable = "neon")]
unsafe fn dot_u8_neon(w: &[i16], c: &[u8]) -> i32 {
    let n = w.len();
    let (pw, pc) = (w.as_ptr(), c.as_ptr());
    let mut acc = [vdupq_n_s32(0); 2];
    let mut i = 0;
    // SAFETY (all loads): i + 16 <= n bounds every load.
    unsafe {
        while i + 16 <= n {
            let codes = vld1q_u8(pc.add(i));
            let lo = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(codes)));
            let hi = vreinterpretq_s16_u16(vmovl_u8(vget_high_u8(codes)));
            let (w0, w1) = (vld1q_s16(pw.add(i)), vld1q_s16(pw.add(i + 8)));
            acc[0] = vmlal_s16(acc[0], vget_low_s16(lo), vget_low_s16(w0));
            acc[1] = vmlal_s16(acc[1], vget_high_s16(lo), vget_high_s16(w0));
            acc[0] = vmlal_s16(acc[0], vget_low_s16(hi), vget_low_s16(w1));
            acc[1] = vmlal_s16(acc[1], vget_high_s16(hi), vget_high_s16(w1));
            i += 16;
        }
    }
    let mut total = vaddvq_s32(vaddq_s32(acc[0], acc[1]));
    for k in i..n {
        total += w[k] as i32 * c[k] as i32;
    }
    total
}

/// Four 16-bit floats at `p` widened to f32 (exactly as `scalar::f16_to_f32` /
/// `scalar::bf16_to_f32`).
///
/// # Safety
/// Four readable `u16` at `p`; NEON present.
#[inline]
#[target_feature(enable = "neon")]
unsafe fn widen4<const BF16: bool>(p: *const u16) -> float32x4_t {
    // SAFETY: the caller guarantees 8 readable bytes at `p`.
    let h = vmovl_u16(unsafe { vld1_u16(p) });
    if BF16 {
        vreinterpretq_f32_u32(vshlq_n_u32::<16>(h))
    } else {
        let magnitude = vmulq_f32(
            vreinterpretq_f32_u32(vshlq_n_u32::<13>(vandq_u32(h, vdupq_n_u32(0x7fff)))),
            vdupq_n_f32(f32::from_bits(0x7780_0000)),
        );
        let sign = vshlq_n_u32::<16>(vandq_u32(h, vdupq_n_u32(0x8000)));
        vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(magnitude), sign))
    }
}

fn widen_scalar<const BF16: bool>(h: u16) -> f32 {
    if BF16 {
        super::scalar::bf16_to_f32(h)
    } else {
        super::scalar::f16_to_f32(h)
    }
}

#[target_feature(enable = "neon")]
unsafe fn dot_half_neon<const BF16: bool>(q: &[f32], x: &[u16]) -> f32 {
    let n = q.len();
    let (pq, px) = (q.as_ptr(), x.as_ptr());
    let mut acc = [vdupq_n_f32(0.0); 4];
    let mut i = 0;
    // SAFETY (all loads): i + 16 <= n or i + 4 <= n bounds every load.
    unsafe {
        while i + 16 <= n {
            for (j, acc) in acc.iter_mut().enumerate() {
                let at = i + 4 * j;
                *acc = vfmaq_f32(*acc, vld1q_f32(pq.add(at)), widen4::<BF16>(px.add(at)));
            }
            i += 16;
        }
        while i + 4 <= n {
            acc[0] = vfmaq_f32(acc[0], vld1q_f32(pq.add(i)), widen4::<BF16>(px.add(i)));
            i += 4;
        }
    }
    let s = vaddq_f32(vaddq_f32(acc[0], acc[1]), vaddq_f32(acc[2], acc[3]));
    let mut total = vaddvq_f32(s);
    for k in i..n {
        total += q[k] * widen_scalar::<BF16>(x[k]);
    }
    total
}

#[target_feature(enable = "neon")]
unsafe fn l2_half_neon<const BF16: bool>(q: &[f32], x: &[u16]) -> f32 {
    let n = q.len();
    let (pq, px) = (q.as_ptr(), x.as_ptr());
    let mut acc = [vdupq_n_f32(0.0); 4];
    let mut i = 0;
    // SAFETY (all loads): i + 16 <= n or i + 4 <= n bounds every load.
    unsafe {
        while i + 16 <= n {
            for (j, acc) in acc.iter_mut().enumerate() {
                let at = i + 4 * j;
                let d = vsubq_f32(vld1q_f32(pq.add(at)), widen4::<BF16>(px.add(at)));
                *acc = vfmaq_f32(*acc, d, d);
            }
            i += 16;
        }
        while i + 4 <= n {
            let d = vsubq_f32(vld1q_f32(pq.add(i)), widen4::<BF16>(px.add(i)));
            acc[0] = vfmaq_f32(acc[0], d, d);
            i += 4;
        }
    }
    let s = vaddq_f32(vaddq_f32(acc[0], acc[1]), vaddq_f32(acc[2], acc[3]));
    let mut total = vaddvq_f32(s);
    for k in i..n {
        let d = q[k] - widen_scalar::<BF16>(x[k]);
        total += d * d;
    }
    total
}

fn dot_f16(q: &[f32], x: &[u16]) -> f32 {
    assert_eq!(q.len(), x.len());
    // SAFETY: NEON was detected by `available()`; the lengths are equal.
    unsafe { dot_half_neon::<false>(q, x) }
}

fn l2_f16(q: &[f32], x: &[u16]) -> f32 {
    assert_eq!(q.len(), x.len());
    // SAFETY: as for `dot_f16`.
    unsafe { l2_half_neon::<false>(q, x) }
}

fn dot_bf16(q: &[f32], x: &[u16]) -> f32 {
    assert_eq!(q.len(), x.len());
    // SAFETY: as for `dot_f16`.
    unsafe { dot_half_neon::<true>(q, x) }
}

fn l2_bf16(q: &[f32], x: &[u16]) -> f32 {
    assert_eq!(q.len(), x.len());
    // SAFETY: as for `dot_f16`.
    unsafe { l2_half_neon::<true>(q, x) }
}
