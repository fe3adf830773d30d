//! x86-64 AVX2 + FMA kernels: two 8-lane accumulators (16 floats per step), an
//! 8-lane step, then a scalar tail, the same for one row and for four. The many-row kernels load each
//! 8-float step of the query once for four rows (two accumulators per row), and
//! the 3×4 tile keeps twelve accumulators, three query registers and one row
//! register: all sixteen `ymm` registers.
//!
//! The quantised kernels: SQ8's `Σ w·c` widens 16 codes to 16-bit lanes and
//! multiplies them with 16 weights into 32-bit pair sums (`vpmaddwd`), exact;
//! FP16 rows widen with F16C (`vcvtph2ps`, exact), BF16 rows by a 16-bit shift,
//! then the float kernels' steps.
//!
//! No software prefetch inside the loops: the hardware prefetchers follow the
//! four rows' streams, and a prefetch 4 KiB ahead (tried) mostly fetched memory
//! past the rows' ends: building HNSW on 20,000 × 1536 embedding-like vectors
//! took ~15 % more CPU with it, and its queries ~10 % more.

use std::arch::x86_64::*;

use super::Kernels;

pub const KERNELS: Kernels = Kernels {
    name: "avx2+fma",
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

fn dot(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    // SAFETY: only reachable through `KERNELS`, which `available()` offers only after
    // detecting AVX2 and FMA; the lengths are equal.
    unsafe { dot_avx2(a, b) }
}

fn l2_squared(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    // SAFETY: as for `dot`.
    unsafe { l2_avx2(a, b) }
}

#[inline]
#[target_feature(enable = "avx2,fma")]
fn hsum(v: __m256) -> f32 {
    let lo = _mm256_castps256_ps128(v);
    let hi = _mm256_extractf128_ps(v, 1);
    let s = _mm_add_ps(lo, hi);
    let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    let s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    _mm_cvtss_f32(s)
}

/// Two accumulators over 16 floats per step, then one 8-float step into the first,
/// then a scalar tail: exactly the steps and order of additions of one row of
/// `dot4_avx2`, so that a distance has the same bits whichever kernel computed it
/// (FLAT, IVF and HNSW then agree exactly). Two FMA chains are enough: the inner
/// loops are bound by memory, not by FMA latency.
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_avx2(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc = [_mm256_setzero_ps(); 2];
    let mut i = 0;
    // SAFETY (all loads): i + 16 <= n or i + 8 <= n bounds every unaligned load.
    unsafe {
        while i + 16 <= n {
            acc[0] = _mm256_fmadd_ps(
                _mm256_loadu_ps(pa.add(i)),
                _mm256_loadu_ps(pb.add(i)),
                acc[0],
            );
            acc[1] = _mm256_fmadd_ps(
                _mm256_loadu_ps(pa.add(i + 8)),
                _mm256_loadu_ps(pb.add(i + 8)),
                acc[1],
            );
            i += 16;
        }
        if i + 8 <= n {
            acc[0] = _mm256_fmadd_ps(
                _mm256_loadu_ps(pa.add(i)),
                _mm256_loadu_ps(pb.add(i)),
                acc[0],
            );
            i += 8;
        }
    }
    let mut total = hsum(_mm256_add_ps(acc[0], acc[1]));
    for k in i..n {
        total += a[k] * b[k];
    }
    total
}

/// As `dot_avx2`, matching one row of `l2_4_avx2`.
#[target_feature(enable = "avx2,fma")]
unsafe fn l2_avx2(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len();
    let (pa, pb) = (a.as_ptr(), b.as_ptr());
    let mut acc = [_mm256_setzero_ps(); 2];
    let mut i = 0;
    // SAFETY (all loads): i + 16 <= n or i + 8 <= n bounds every unaligned load.
    unsafe {
        while i + 16 <= n {
            let d0 = _mm256_sub_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)));
            let d1 = _mm256_sub_ps(
                _mm256_loadu_ps(pa.add(i + 8)),
                _mm256_loadu_ps(pb.add(i + 8)),
            );
            acc[0] = _mm256_fmadd_ps(d0, d0, acc[0]);
            acc[1] = _mm256_fmadd_ps(d1, d1, acc[1]);
            i += 16;
        }
        if i + 8 <= n {
            let d0 = _mm256_sub_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)));
            acc[0] = _mm256_fmadd_ps(d0, d0, acc[0]);
            i += 8;
        }
    }
    let mut total = hsum(_mm256_add_ps(acc[0], acc[1]));
    for k in i..n {
        let d = a[k] - b[k];
        total += d * d;
    }
    total
}

fn dot4(q: &[f32], r: [&[f32]; 4]) -> [f32; 4] {
    assert!(r.iter().all(|r| r.len() == q.len()));
    // SAFETY: as for `dot`; every row is as long as the query.
    unsafe { dot4_avx2(q, r) }
}

fn l2_squared4(q: &[f32], r: [&[f32]; 4]) -> [f32; 4] {
    assert!(r.iter().all(|r| r.len() == q.len()));
    // SAFETY: as for `dot4`.
    unsafe { l2_4_avx2(q, r) }
}

fn dot_3x4(q: [&[f32]; 3], r: [&[f32]; 4]) -> [[f32; 4]; 3] {
    let n = q[0].len();
    assert!(q.iter().all(|q| q.len() == n) && r.iter().all(|r| r.len() == n));
    // SAFETY: as for `dot4`; every query and row has length `n`.
    unsafe { dot_3x4_avx2(q, r) }
}

#[target_feature(enable = "avx2,fma")]
unsafe fn dot4_avx2(q: &[f32], r: [&[f32]; 4]) -> [f32; 4] {
    let n = q.len();
    let pq = q.as_ptr();
    let p = r.map(<[f32]>::as_ptr);
    let mut acc = [[_mm256_setzero_ps(); 2]; 4];
    let mut i = 0;
    // SAFETY (all loads): i + 16 <= n or i + 8 <= n, and every row has length n.
    unsafe {
        while i + 16 <= n {
            let q0 = _mm256_loadu_ps(pq.add(i));
            let q1 = _mm256_loadu_ps(pq.add(i + 8));
            for (a, p) in acc.iter_mut().zip(p) {
                a[0] = _mm256_fmadd_ps(q0, _mm256_loadu_ps(p.add(i)), a[0]);
                a[1] = _mm256_fmadd_ps(q1, _mm256_loadu_ps(p.add(i + 8)), a[1]);
            }
            i += 16;
        }
        if i + 8 <= n {
            let q0 = _mm256_loadu_ps(pq.add(i));
            for (a, p) in acc.iter_mut().zip(p) {
                a[0] = _mm256_fmadd_ps(q0, _mm256_loadu_ps(p.add(i)), a[0]);
            }
            i += 8;
        }
    }
    let mut out = [0.0; 4];
    for j in 0..4 {
        out[j] = hsum(_mm256_add_ps(acc[j][0], acc[j][1]));
        for k in i..n {
            out[j] += q[k] * r[j][k];
        }
    }
    out
}

#[target_feature(enable = "avx2,fma")]
unsafe fn l2_4_avx2(q: &[f32], r: [&[f32]; 4]) -> [f32; 4] {
    let n = q.len();
    let pq = q.as_ptr();
    let p = r.map(<[f32]>::as_ptr);
    let mut acc = [[_mm256_setzero_ps(); 2]; 4];
    let mut i = 0;
    // SAFETY (all loads): as in `dot4_avx2`.
    unsafe {
        while i + 16 <= n {
            let q0 = _mm256_loadu_ps(pq.add(i));
            let q1 = _mm256_loadu_ps(pq.add(i + 8));
            for (a, p) in acc.iter_mut().zip(p) {
                let d0 = _mm256_sub_ps(q0, _mm256_loadu_ps(p.add(i)));
                let d1 = _mm256_sub_ps(q1, _mm256_loadu_ps(p.add(i + 8)));
                a[0] = _mm256_fmadd_ps(d0, d0, a[0]);
                a[1] = _mm256_fmadd_ps(d1, d1, a[1]);
            }
            i += 16;
        }
        if i + 8 <= n {
            let q0 = _mm256_loadu_ps(pq.add(i));
            for (a, p) in acc.iter_mut().zip(p) {
                let d0 = _mm256_sub_ps(q0, _mm256_loadu_ps(p.add(i)));
                a[0] = _mm256_fmadd_ps(d0, d0, a[0]);
            }
            i += 8;
        }
    }
    let mut out = [0.0; 4];
    for j in 0..4 {
        out[j] = hsum(_mm256_add_ps(acc[j][0], acc[j][1]));
        for k in i..n {
            let d = q[k] - r[j][k];
            out[j] += d * d;
        }
    }
    out
}

#[target_feature(enable = "avx2,fma")]
unsafe fn dot_3x4_avx2(q: [&[f32]; 3], r: [&[f32]; 4]) -> [[f32; 4]; 3] {
    let n = q[0].len();
    let pq = q.map(<[f32]>::as_ptr);
    let pr = r.map(<[f32]>::as_ptr);
    let mut acc = [[_mm256_setzero_ps(); 4]; 3];
    let mut i = 0;
    // SAFETY (all loads): i + 8 <= n, and every query and row has length n.
    unsafe {
        while i + 8 <= n {
            let qv = pq.map(|p| _mm256_loadu_ps(p.add(i)));
            for (j, p) in pr.iter().enumerate() {
                let rv = _mm256_loadu_ps(p.add(i));
                for (a, qv) in acc.iter_mut().zip(qv) {
                    a[j] = _mm256_fmadd_ps(qv, rv, a[j]);
                }
            }
            i += 8;
        }
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
    // SAFETY: as for `dot`; the lengths are equal.
    unsafe { dot_u8_avx2(w, c) }
}

#[inline]
#[target_feature(enable = "avx2")]
fn hsum_i32(v: __m256i) -> i32 {
    let s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    let s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0b01_00_11_10));
    let s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0b10_11_00_01));
    _mm_cvtsi128_si32(s)
}

/// Two accumulators over 32 codes per step, then one 16-code step, then a scalar
/// tail. Integer sums: the order does not change the result.
#[target_feature(enable = "avx2")]
unsafe fn dot_u8_avx2(w: &[i16], c: &[u8]) -> i32 {
    let n = w.len();
    let (pw, pc) = (w.as_ptr(), c.as_ptr());
    let mut acc = [_mm256_setzero_si256(); 2];
    let mut i = 0;
    // SAFETY (all loads): i + 32 <= n or i + 16 <= n bounds every unaligned load.
    unsafe {
        while i + 32 <= n {
            for (j, a) in acc.iter_mut().enumerate() {
                let at = i + 16 * j;
                let codes = _mm256_cvtepu8_epi16(_mm_loadu_si128(pc.add(at).cast()));
                let weights = _mm256_loadu_si256(pw.add(at).cast());
                *a = _mm256_add_epi32(*a, _mm256_madd_epi16(codes, weights));
            }
            i += 32;
        }
        if i + 16 <= n {
            let codes = _mm256_cvtepu8_epi16(_mm_loadu_si128(pc.add(i).cast()));
            let weights = _mm256_loadu_si256(pw.add(i).cast());
            acc[0] = _mm256_add_epi32(acc[0], _mm256_madd_epi16(codes, weights));
            i += 16;
        }
    }
    let mut total = hsum_i32(_mm256_add_epi32(acc[0], acc[1]));
    for k in i..n {
        total += w[k] as i32 * c[k] as i32;
    }
    total
}

fn dot_u8x4(w: &[i16], c: [&[u8]; 4]) -> [i32; 4] {
    assert!(c.iter().all(|c| c.len() == w.len()));
    // SAFETY: as for `dot`; the lengths are equal.
    unsafe { dot_u8x4_avx2(w, c) }
}

/// Four rows of codes against one query's weights: 16 weights loaded once per
/// step for the four rows, one accumulator per row, then a scalar tail.
#[target_feature(enable = "avx2")]
unsafe fn dot_u8x4_avx2(w: &[i16], c: [&[u8]; 4]) -> [i32; 4] {
    let n = w.len();
    let pw = w.as_ptr();
    let pc = c.map(<[u8]>::as_ptr);
    let mut acc = [_mm256_setzero_si256(); 4];
    let mut i = 0;
    // SAFETY (all loads): i + 16 <= n bounds every unaligned load; every slice
    // has length n.
    unsafe {
        while i + 16 <= n {
            let weights = _mm256_loadu_si256(pw.add(i).cast());
            for (a, p) in acc.iter_mut().zip(pc) {
                let codes = _mm256_cvtepu8_epi16(_mm_loadu_si128(p.add(i).cast()));
                *a = _mm256_add_epi32(*a, _mm256_madd_epi16(codes, weights));
            }
            i += 16;
        }
    }
    let mut out = [0; 4];
    for (j, o) in out.iter_mut().enumerate() {
        *o = hsum_i32(acc[j]);
        for k in i..n {
            *o += w[k] as i32 * c[j][k] as i32;
        }
    }
    out
}

/// Eight 16-bit floats at `p` widened to f32: halves with F16C, bfloat16s by
/// moving them to the top of 32-bit lanes.
///
/// # Safety
/// Eight readable `u16` at `p`; AVX2 and F16C present.
#[inline]
#[target_feature(enable = "avx2,f16c")]
unsafe fn widen8<const BF16: bool>(p: *const u16) -> __m256 {
    // SAFETY: the caller guarantees 16 readable bytes at `p`.
    let raw = unsafe { _mm_loadu_si128(p.cast()) };
    if BF16 {
        _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(raw), 16))
    } else {
        _mm256_cvtph_ps(raw)
    }
}

fn dot_f16(q: &[f32], x: &[u16]) -> f32 {
    assert_eq!(q.len(), x.len());
    // SAFETY: as for `dot` (F16C is detected with AVX2); the lengths are equal.
    unsafe { dot_half_avx2::<false>(q, x) }
}

fn l2_f16(q: &[f32], x: &[u16]) -> f32 {
    assert_eq!(q.len(), x.len());
    // SAFETY: as for `dot_f16`.
    unsafe { l2_half_avx2::<false>(q, x) }
}

fn dot_bf16(q: &[f32], x: &[u16]) -> f32 {
    assert_eq!(q.len(), x.len());
    // SAFETY: as for `dot_f16`.
    unsafe { dot_half_avx2::<true>(q, x) }
}

fn l2_bf16(q: &[f32], x: &[u16]) -> f32 {
    assert_eq!(q.len(), x.len());
    // SAFETY: as for `dot_f16`.
    unsafe { l2_half_avx2::<true>(q, x) }
}

/// `dot_avx2` with the row widened from 16-bit floats.
#[target_feature(enable = "avx2,fma,f16c")]
unsafe fn dot_half_avx2<const BF16: bool>(q: &[f32], x: &[u16]) -> f32 {
    let n = q.len();
    let (pq, px) = (q.as_ptr(), x.as_ptr());
    let mut acc = [_mm256_setzero_ps(); 2];
    let mut i = 0;
    // SAFETY (all loads): i + 16 <= n or i + 8 <= n bounds every unaligned load.
    unsafe {
        while i + 16 <= n {
            let x0 = widen8::<BF16>(px.add(i));
            let x1 = widen8::<BF16>(px.add(i + 8));
            acc[0] = _mm256_fmadd_ps(_mm256_loadu_ps(pq.add(i)), x0, acc[0]);
            acc[1] = _mm256_fmadd_ps(_mm256_loadu_ps(pq.add(i + 8)), x1, acc[1]);
            i += 16;
        }
        if i + 8 <= n {
            let x0 = widen8::<BF16>(px.add(i));
            acc[0] = _mm256_fmadd_ps(_mm256_loadu_ps(pq.add(i)), x0, acc[0]);
            i += 8;
        }
    }
    let widen = if BF16 {
        super::scalar::bf16_to_f32
    } else {
        super::scalar::f16_to_f32
    };
    let mut total = hsum(_mm256_add_ps(acc[0], acc[1]));
    for k in i..n {
        total += q[k] * widen(x[k]);
    }
    total
}

/// `l2_avx2` with the row widened from 16-bit floats.
#[target_feature(enable = "avx2,fma,f16c")]
unsafe fn l2_half_avx2<const BF16: bool>(q: &[f32], x: &[u16]) -> f32 {
    let n = q.len();
    let (pq, px) = (q.as_ptr(), x.as_ptr());
    let mut acc = [_mm256_setzero_ps(); 2];
    let mut i = 0;
    // SAFETY (all loads): i + 16 <= n or i + 8 <= n bounds every unaligned load.
    unsafe {
        while i + 16 <= n {
            let d0 = _mm256_sub_ps(_mm256_loadu_ps(pq.add(i)), widen8::<BF16>(px.add(i)));
            let d1 = _mm256_sub_ps(
                _mm256_loadu_ps(pq.add(i + 8)),
                widen8::<BF16>(px.add(i + 8)),
            );
            acc[0] = _mm256_fmadd_ps(d0, d0, acc[0]);
            acc[1] = _mm256_fmadd_ps(d1, d1, acc[1]);
            i += 16;
        }
        if i + 8 <= n {
            let d0 = _mm256_sub_ps(_mm256_loadu_ps(pq.add(i)), widen8::<BF16>(px.add(i)));
            acc[0] = _mm256_fmadd_ps(d0, d0, acc[0]);
            i += 8;
        }
    }
    let widen = if BF16 {
        super::scalar::bf16_to_f32
    } else {
        super::scalar::f16_to_f32
    };
    let mut total = hsum(_mm256_add_ps(acc[0], acc[1]));
    for k in i..n {
        let d = q[k] - widen(x[k]);
        total += d * d;
    }
    total
}
