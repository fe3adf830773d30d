//! Scalar quantisers: each dimension of a vector stored in fewer bits.
//!
//! - SQ8 (faiss's `ScalarQuantizer::QT_8bit`, which Milvus's knowhere uses):
//!   per dimension `vmin` and `vdiff = vmax − vmin` over the training vectors;
//!   `x` is stored as `⌊255 · clamp((x − vmin) / vdiff, 0, 1)⌋` and read back as
//!   the centre of its bin, `vmin + (code + 0.5) / 255 · vdiff`.
//! - FP16 and BF16: each float rounded to the nearest 16-bit float.
//!
//! Distances are asymmetric (faiss's): a float query against stored codes. For
//! SQ8 the query is prepared once ([`Codes::prepare`]): with `a = vmin + 0.5 ·
//! s` and `s = vdiff / 255`, a decoded row is `a + s·c`, so
//! `q·x̂ = q·a + Σ (q·s)ᵢ cᵢ`; the weights `q·s` are rounded to 16-bit integers
//! scaled to the kernel's bound (`kernels::scalar::sq8_weight_limit`) and the
//! sum is the exact integer kernel `kernels::dot_u8`. L2 is
//! `‖q‖² + ‖x̂‖² − 2 q·x̂` with every row's `‖x̂‖²` kept beside its codes.

use serde::{Deserialize, Serialize};

use crate::index::VectorView;
use crate::kernels::{self, scalar};
use crate::metric::Metric;

/// The largest finite bfloat16 (codes are clamped to it: never infinite).
const BF16_MAX: f32 = f32::from_bits(0x7f7f_0000);

/// How each dimension is stored (Milvus's `sq_type` and `refine_type` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SqType {
    /// 8-bit codes per dimension (per-dimension min and range).
    #[serde(rename = "SQ8")]
    Sq8,
    /// IEEE half precision.
    #[serde(rename = "FP16")]
    Fp16,
    /// bfloat16.
    #[serde(rename = "BF16")]
    Bf16,
}

impl SqType {
    pub fn name(self) -> &'static str {
        match self {
            SqType::Sq8 => "SQ8",
            SqType::Fp16 => "FP16",
            SqType::Bf16 => "BF16",
        }
    }

    /// Bits of a dimension's code.
    pub fn bits(self) -> u32 {
        match self {
            SqType::Sq8 => 8,
            SqType::Fp16 | SqType::Bf16 => 16,
        }
    }
}

impl std::str::FromStr for SqType {
    type Err = crate::Error;

    /// Milvus's `sq_type` (case as written: knowhere compares it as is); SQ6,
    /// which Milvus 2.5 also has, is refused by name.
    fn from_str(name: &str) -> crate::Result<Self> {
        match name {
            "SQ8" => Ok(SqType::Sq8),
            "FP16" => Ok(SqType::Fp16),
            "BF16" => Ok(SqType::Bf16),
            "SQ6" => Err(crate::Error::UnsupportedSqType {
                param: "sq_type",
                name: name.to_owned(),
            }),
            _ => Err(crate::Error::InvalidSqType {
                name: name.to_owned(),
            }),
        }
    }
}

/// SQ8's per-dimension ranges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sq8 {
    vmin: Vec<f32>,
    vdiff: Vec<f32>,
}

impl Sq8 {
    /// Per-dimension minimum and range of `vectors` (faiss's `RS_minmax`).
    pub fn train(vectors: VectorView<'_>) -> Self {
        let dim = vectors.dim;
        let mut vmin = vec![f32::INFINITY; dim];
        let mut vmax = vec![f32::NEG_INFINITY; dim];
        for i in 0..vectors.len() {
            for ((lo, hi), &x) in vmin.iter_mut().zip(&mut vmax).zip(vectors.get(i)) {
                *lo = lo.min(x);
                *hi = hi.max(x);
            }
        }
        if vectors.is_empty() {
            vmin.fill(0.0);
            vmax.fill(0.0);
        }
        let vdiff = vmin.iter().zip(&vmax).map(|(lo, hi)| hi - lo).collect();
        Self { vmin, vdiff }
    }

    /// `x`'s codes.
    pub fn encode(&self, x: &[f32], out: &mut Vec<u8>) {
        out.extend(
            x.iter()
                .zip(&self.vmin)
                .zip(&self.vdiff)
                .map(|((&x, &lo), &d)| {
                    let t = if d > 0.0 {
                        ((x - lo) / d).clamp(0.0, 1.0)
                    } else {
                        0.0
                    };
                    (255.0 * t) as u8
                }),
        );
    }

    /// The vector `codes` stand for (each dimension at the centre of its bin).
    pub fn decode(&self, codes: &[u8], out: &mut Vec<f32>) {
        out.extend(
            codes
                .iter()
                .zip(&self.vmin)
                .zip(&self.vdiff)
                .map(|((&c, &lo), &d)| lo + (c as f32 + 0.5) / 255.0 * d),
        );
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        8 * self.vmin.len()
    }

    /// `q` prepared for SQ8 codes: 16-bit weights `q·s` scaled to the kernel's
    /// bound, `q·a` and `‖q‖²`.
    pub fn prepare_into(&self, q: &[f32], out: &mut SqQuery) {
        let limit = scalar::sq8_weight_limit(q.len()) as f32;
        // The float weights once (in `out.float`, unused by SQ8), then scaled and
        // rounded: one pass each instead of computing them twice.
        out.float.clear();
        out.float
            .extend(q.iter().zip(&self.vdiff).map(|(&q, &d)| q * (d / 255.0)));
        let max = out.float.iter().fold(0.0f32, |m, w| m.max(w.abs()));
        let scale = if max > 0.0 { max / limit } else { 1.0 };
        out.weights.clear();
        out.weights
            .extend(out.float.iter().map(|&w| round_i16(w / scale)));
        out.scale = scale;
        out.offset = q
            .iter()
            .zip(&self.vmin)
            .zip(&self.vdiff)
            .map(|((&q, &lo), &d)| q * (lo + 0.5 / 255.0 * d))
            .sum();
        out.norm2 = scalar::dot(q, q);
    }

    /// `q·x̂` of a prepared query and one row's codes.
    #[inline(always)]
    pub fn ip(q: &SqQuery, codes: &[u8]) -> f32 {
        q.offset + q.scale * kernels::dot_u8(&q.weights, codes) as f32
    }

    /// `‖x̂‖²` of one row's codes.
    pub fn norm2(&self, codes: &[u8]) -> f32 {
        let mut decoded = Vec::with_capacity(codes.len());
        self.decode(codes, &mut decoded);
        scalar::dot(&decoded, &decoded)
    }
}

/// `x.round() as i16` (to nearest, ties away from zero) for `|x| ≤ i16::MAX`,
/// without a call to `roundf`, which x86-64's baseline has no instruction for:
/// the truncation and the fraction `x − t` are exact for such `x`, so this is
/// the same integer, and the loop over a query vectorises.
#[inline(always)]
fn round_i16(x: f32) -> i16 {
    let t = x as i32;
    let frac = x - t as f32;
    let up = (frac >= 0.5) as i32 - (frac <= -0.5) as i32;
    (t + up) as i16
}

impl SqQuery {
    /// `‖q‖²` of the prepared query (SQ8).
    pub fn norm2(&self) -> f32 {
        self.norm2
    }
}

/// A float query prepared for a set of codes.
#[derive(Debug, Clone, Default)]
pub struct SqQuery {
    /// The query itself (FP16, BF16).
    float: Vec<f32>,
    /// SQ8: the weights `q·s` in units of `scale`.
    weights: Vec<i16>,
    scale: f32,
    /// SQ8: `q·a`, the part of `q·x̂` that does not depend on the codes.
    offset: f32,
    /// `‖q‖²` (SQ8, L2).
    norm2: f32,
}

/// The codes of every row of a matrix, with what reading them needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Codes {
    dim: usize,
    metric: Metric,
    store: Store,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Store {
    Sq8 {
        quantiser: Sq8,
        codes: Vec<u8>,
        /// `‖x̂‖²` of every decoded row (L2 only; empty otherwise).
        norms: Vec<f32>,
    },
    Fp16(Vec<u16>),
    Bf16(Vec<u16>),
}

impl Codes {
    /// Huge pages under the codes, which a graph search reads at random.
    pub fn advise_huge_pages(&self) {
        match &self.store {
            Store::Sq8 { codes, .. } => crate::memory::advise_huge_pages(codes),
            Store::Fp16(h) | Store::Bf16(h) => crate::memory::advise_huge_pages(h),
        }
    }

    /// Encodes every row of `vectors` (SQ8 trains on them first).
    pub fn encode(vectors: VectorView<'_>, metric: Metric, kind: SqType) -> Self {
        let dim = vectors.dim;
        let n = vectors.len();
        let store = match kind {
            SqType::Sq8 => {
                let quantiser = Sq8::train(vectors);
                let mut codes = Vec::with_capacity(n * dim);
                let mut norms = Vec::new();
                for i in 0..n {
                    let at = codes.len();
                    quantiser.encode(vectors.get(i), &mut codes);
                    if metric == Metric::L2 {
                        norms.push(quantiser.norm2(&codes[at..]));
                    }
                }
                Store::Sq8 {
                    quantiser,
                    codes,
                    norms,
                }
            }
            SqType::Fp16 => Store::Fp16(
                vectors
                    .data
                    .iter()
                    .map(|&x| scalar::f32_to_f16(x.clamp(-65504.0, 65504.0)))
                    .collect(),
            ),
            SqType::Bf16 => Store::Bf16(
                vectors
                    .data
                    .iter()
                    .map(|&x| scalar::f32_to_bf16(x.clamp(-BF16_MAX, BF16_MAX)))
                    .collect(),
            ),
        };
        Self { dim, metric, store }
    }

    pub fn kind(&self) -> SqType {
        match self.store {
            Store::Sq8 { .. } => SqType::Sq8,
            Store::Fp16(_) => SqType::Fp16,
            Store::Bf16(_) => SqType::Bf16,
        }
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        let values = match &self.store {
            Store::Sq8 { codes, .. } => codes.len(),
            Store::Fp16(c) | Store::Bf16(c) => c.len(),
        };
        values / self.dim.max(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of the codes and what reading them needs.
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + match &self.store {
                Store::Sq8 {
                    quantiser,
                    codes,
                    norms,
                } => quantiser.memory_bytes() + codes.len() + 4 * norms.len(),
                Store::Fp16(c) | Store::Bf16(c) => 2 * c.len(),
            }
    }

    /// Row `row` decoded (what the codes stand for).
    pub fn decode(&self, row: usize, out: &mut Vec<f32>) {
        let range = row * self.dim..(row + 1) * self.dim;
        match &self.store {
            Store::Sq8 {
                quantiser, codes, ..
            } => quantiser.decode(&codes[range], out),
            Store::Fp16(c) => out.extend(c[range].iter().map(|&h| scalar::f16_to_f32(h))),
            Store::Bf16(c) => out.extend(c[range].iter().map(|&h| scalar::bf16_to_f32(h))),
        }
    }

    /// `q` (prepared by the metric) prepared for these codes.
    pub fn prepare(&self, q: &[f32]) -> SqQuery {
        debug_assert_eq!(q.len(), self.dim);
        let mut out = SqQuery::default();
        self.prepare_into(q, &mut out);
        out
    }

    /// [`Codes::prepare`] without the buffers only the preparing uses (SQ8's
    /// float weights): the same distances, less memory to keep many.
    pub fn prepare_row(&self, q: &[f32]) -> SqQuery {
        let mut out = self.prepare(q);
        if let Store::Sq8 { .. } = self.store {
            out.float = Vec::new();
        }
        out
    }

    /// [`Codes::prepare`] into `out`'s buffers.
    pub fn prepare_into(&self, q: &[f32], out: &mut SqQuery) {
        match &self.store {
            Store::Sq8 { quantiser, .. } => quantiser.prepare_into(q, out),
            Store::Fp16(_) | Store::Bf16(_) => {
                out.float.clear();
                out.float.extend_from_slice(q);
            }
        }
    }

    /// The metric's distance (smaller is closer) from a prepared query to row `row`.
    #[inline]
    pub fn distance(&self, q: &SqQuery, row: usize) -> f32 {
        let range = row * self.dim..(row + 1) * self.dim;
        let k = kernels::best();
        let l2 = self.metric == Metric::L2;
        match &self.store {
            Store::Sq8 { codes, norms, .. } => {
                let ip = Sq8::ip(q, &codes[range]);
                if l2 {
                    q.norm2 + norms[row] - 2.0 * ip
                } else {
                    -ip
                }
            }
            Store::Fp16(c) if l2 => (k.l2_f16)(&q.float, &c[range]),
            Store::Fp16(c) => -(k.dot_f16)(&q.float, &c[range]),
            Store::Bf16(c) if l2 => (k.l2_bf16)(&q.float, &c[range]),
            Store::Bf16(c) => -(k.dot_bf16)(&q.float, &c[range]),
        }
    }

    /// [`Codes::distance`] of four rows (each with the bits of one alone), the
    /// kernels and the code type chosen once for the four.
    #[inline]
    pub fn distance4(&self, q: &SqQuery, rows: [usize; 4]) -> [f32; 4] {
        let k = kernels::best();
        let l2 = self.metric == Metric::L2;
        let dim = self.dim;
        match &self.store {
            Store::Sq8 { codes, norms, .. } => {
                let sums = (k.dot_u8x4)(&q.weights, rows.map(|r| &codes[r * dim..(r + 1) * dim]));
                std::array::from_fn(|j| {
                    let ip = q.offset + q.scale * sums[j] as f32;
                    if l2 {
                        q.norm2 + norms[rows[j]] - 2.0 * ip
                    } else {
                        -ip
                    }
                })
            }
            Store::Fp16(c) | Store::Bf16(c) => {
                let f = match (&self.store, l2) {
                    (Store::Fp16(_), true) => k.l2_f16,
                    (Store::Fp16(_), false) => k.dot_f16,
                    (_, true) => k.l2_bf16,
                    (_, false) => k.dot_bf16,
                };
                rows.map(|row| {
                    let d = f(&q.float, &c[row * dim..(row + 1) * dim]);
                    if l2 { d } else { -d }
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn data(n: usize, dim: usize) -> Vec<f32> {
        (0..n * dim)
            .map(|i| ((i * 7 + 3) as f32 * 0.0137).sin() * (1.0 + (i % dim) as f32 * 0.01))
            .collect()
    }

    #[test]
    fn round_i16_is_round() {
        let mut x = -32767.0f32;
        let mut cases = vec![
            0.5,
            -0.5,
            1.5,
            -1.5,
            0.49999997,
            -0.49999997,
            2.5,
            32766.5,
            -32766.5,
        ];
        while x <= 32767.0 {
            cases.push(x);
            x += 0.173;
        }
        for x in cases {
            assert_eq!(round_i16(x), x.round() as i16, "{x}");
        }
    }

    #[test]
    fn sq8_codes_are_faiss_bins() {
        let v = [0.0f32, 10.0, 2.55, 5.0, 1.0, 7.5];
        let q = Sq8::train(VectorView::new(2, &v));
        assert_eq!(q.vmin, [0.0, 5.0]);
        assert_eq!(q.vdiff, [2.55, 5.0]);
        let mut codes = Vec::new();
        q.encode(&[1.0, 7.5], &mut codes);
        // ⌊255 · 1/2.55⌋ = 100 (truncated), ⌊255 · 0.5⌋ = 127; beyond the range clamps.
        assert_eq!(codes, [100, 127]);
        codes.clear();
        q.encode(&[-1.0, 11.0], &mut codes);
        assert_eq!(codes, [0, 255]);
        let mut back = Vec::new();
        q.decode(&[100, 127], &mut back);
        assert!((back[0] - 100.5 / 255.0 * 2.55).abs() < 1e-6);
        assert!((back[1] - (5.0 + 127.5 / 255.0 * 5.0)).abs() < 1e-6);
    }

    /// Every code type's distance against the float distance to the decoded row,
    /// and the decoded row close to the original.
    #[test]
    fn distances_are_those_of_the_decoded_rows() {
        let (n, dim) = (50, 77);
        let v = data(n, dim);
        let view = VectorView::new(dim, &v);
        let query: Vec<f32> = (0..dim).map(|i| (i as f32 * 0.31).cos()).collect();
        for metric in [Metric::L2, Metric::Ip] {
            for kind in [SqType::Sq8, SqType::Fp16, SqType::Bf16] {
                let codes = Codes::encode(view, metric, kind);
                assert_eq!((codes.len(), codes.kind()), (n, kind));
                let q = codes.prepare(&query);
                let rows = [0, 7, 49, 7];
                let four = codes.distance4(&q, rows);
                for (row, d) in rows.into_iter().zip(four) {
                    assert_eq!(d.to_bits(), codes.distance(&q, row).to_bits());
                }
                let mut decoded = Vec::new();
                for row in 0..n {
                    decoded.clear();
                    codes.decode(row, &mut decoded);
                    let exact = metric.distance(&query, &decoded);
                    let got = codes.distance(&q, row);
                    let scale =
                        scalar::dot(&query, &query).sqrt() * scalar::dot(&decoded, &decoded).sqrt();
                    assert!(
                        (got - exact).abs() <= 2e-3 * scale.max(1.0),
                        "{metric} {kind:?} row {row}: {got} vs {exact}"
                    );
                    let err = decoded
                        .iter()
                        .zip(view.get(row))
                        .map(|(a, b)| (a - b).abs())
                        .fold(0.0f32, f32::max);
                    let bound = match kind {
                        SqType::Sq8 => 2.1 / 255.0 * 1.8,
                        SqType::Fp16 => 1e-3,
                        SqType::Bf16 => 1e-2,
                    };
                    assert!(err <= bound, "{kind:?} row {row}: error {err}");
                }
            }
        }
    }
}
