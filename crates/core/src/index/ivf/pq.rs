//! Product quantisation (Jégou, Douze & Schmid 2011): a `dim`-vector is cut into
//! `m` sub-vectors of `dim / m` floats, and each sub-vector is replaced by the
//! number of its nearest codeword in that subspace's codebook of `2^nbits`
//! codewords. A vector becomes `m` small integers.
//!
//! Distances to a query are computed asymmetrically (ADC): the query stays exact,
//! a lookup table holds its partial distance to every codeword of every subspace,
//! and a code's distance is the sum of `m` table entries.
//!
//! As in faiss, one set of codebooks is shared by all IVF lists; it is trained by
//! L2 k-means (25 iterations, at most 256 points per codeword) on residuals.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::index::ivf::assign::{nearest, with_distance};
use crate::index::ivf::kmeans::{KMeansParams, MAX_POINTS_PER_CENTROID, TrainingStats, kmeans};
use crate::index::ivf::{PQ_NITER, Stage, derive_seed};
use crate::index::spec::NBITS_RANGE;
use crate::index::{Progress, VectorView};
use crate::metric::Metric;

/// `m` codebooks of up to `2^nbits` codewords of `dim / m` floats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductQuantizer {
    dim: usize,
    m: usize,
    nbits: usize,
    /// Codewords per codebook actually trained: `min(2^nbits, training rows)`.
    ksub: usize,
    /// `m × ksub × dsub` floats: codebook `j`, codeword `c` at `(j·ksub + c)·dsub`.
    codebooks: Vec<f32>,
    /// One k-means report per subspace.
    stats: Vec<TrainingStats>,
}

impl ProductQuantizer {
    /// Checks `m` and `nbits` for vectors of `dim` floats.
    pub fn check(dim: usize, m: usize, nbits: usize) -> Result<()> {
        if !(NBITS_RANGE.0..=NBITS_RANGE.1).contains(&(nbits as i64)) {
            return Err(Error::IndexParamOutOfRange {
                param: "nbits",
                min: NBITS_RANGE.0,
                max: NBITS_RANGE.1,
            });
        }
        if m == 0 || m > dim {
            return Err(Error::IndexParamOutOfRange {
                param: "m",
                min: 1,
                max: dim as i64,
            });
        }
        if !dim.is_multiple_of(m) {
            return Err(Error::PqSubspaceMismatch { dim, m });
        }
        Ok(())
    }

    /// Trains the `m` codebooks on the rows of `data` (residuals, for IVF_PQ; the
    /// caller samples them). Progress is in [`super::PERMILLE`], each subspace's
    /// k-means an equal share; cancelling returns k-means' [`Error::Cancelled`].
    pub fn train(
        data: VectorView<'_>,
        m: usize,
        nbits: usize,
        seed: u64,
        progress: &mut dyn Progress,
    ) -> Result<Self> {
        let dim = data.dim;
        Self::check(dim, m, nbits)?;
        let dsub = dim / m;
        let n = data.len();
        let mut sub = vec![0.0f32; n * dsub];
        let mut codebooks = Vec::new();
        let mut stats = Vec::with_capacity(m);
        let mut ksub = 0;
        for j in 0..m {
            for (dst, row) in sub.chunks_exact_mut(dsub).zip(data.data.chunks_exact(dim)) {
                dst.copy_from_slice(&row[j * dsub..(j + 1) * dsub]);
            }
            let params = KMeansParams {
                k: 1 << nbits,
                niter: PQ_NITER,
                seed: derive_seed(seed, j as u64 + 1),
                spherical: false,
                max_points_per_centroid: MAX_POINTS_PER_CENTROID,
            };
            let width = 1.0 / m as f64;
            let mut stage = Stage::new(progress, (j as f64 * width, width));
            let km = kmeans(VectorView::new(dsub, &sub), &params, &mut stage)?;
            ksub = km.k();
            codebooks.extend_from_slice(&km.centroids);
            stats.push(km.stats);
        }
        Ok(Self {
            dim,
            m,
            nbits,
            ksub,
            codebooks,
            stats,
        })
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of sub-quantisers.
    pub fn m(&self) -> usize {
        self.m
    }

    pub fn nbits(&self) -> usize {
        self.nbits
    }

    /// Floats per sub-vector.
    pub fn dsub(&self) -> usize {
        self.dim / self.m
    }

    /// Codewords per codebook: `2^nbits`, fewer if trained on fewer rows.
    pub fn ksub(&self) -> usize {
        self.ksub
    }

    /// All codebooks, `m × ksub × dsub` floats.
    pub fn codebooks(&self) -> &[f32] {
        &self.codebooks
    }

    /// Codeword `c` of subspace `j`.
    pub fn codeword(&self, j: usize, c: usize) -> &[f32] {
        let dsub = self.dsub();
        let at = (j * self.ksub + c) * dsub;
        &self.codebooks[at..at + dsub]
    }

    /// k-means reports, one per subspace.
    pub fn stats(&self) -> &[TrainingStats] {
        &self.stats
    }

    /// Bytes of one code as faiss and Milvus count it: `m · nbits` bits, rounded
    /// up to whole bytes.
    pub fn code_size_bytes(&self) -> usize {
        (self.m * self.nbits).div_ceil(8)
    }

    /// Bytes of the codebooks.
    pub fn memory_bytes(&self) -> usize {
        self.codebooks.len() * std::mem::size_of::<f32>()
    }

    /// Number of entries of a lookup table: `m × ksub`.
    pub fn table_len(&self) -> usize {
        self.m * self.ksub
    }

    /// The code of `v`: the nearest codeword of each sub-vector.
    pub fn encode(&self, v: &[f32], code: &mut [u16]) {
        let dsub = self.dsub();
        let size = self.ksub * dsub;
        for (j, c) in code.iter_mut().enumerate().take(self.m) {
            let book = &self.codebooks[j * size..(j + 1) * size];
            *c = nearest(&v[j * dsub..(j + 1) * dsub], book, dsub, Metric::L2).0 as u16;
        }
    }

    /// The vector a code stands for (concatenated codewords).
    pub fn decode(&self, code: &[u16], out: &mut [f32]) {
        let dsub = self.dsub();
        for (j, &c) in code.iter().enumerate().take(self.m) {
            out[j * dsub..(j + 1) * dsub].copy_from_slice(self.codeword(j, c as usize));
        }
    }

    /// ADC table for L2: `table[j·ksub + c] = ‖q_j − codeword(j, c)‖²`, so that a
    /// code's squared distance to `q` is the sum of its `m` entries.
    pub fn l2_table(&self, q: &[f32], table: &mut [f32]) {
        with_distance!(Metric::L2, self.dsub(), |d| self.fill_table(q, table, d));
    }

    /// ADC table for inner products, as distances: `table[j·ksub + c] =
    /// −⟨q_j, codeword(j, c)⟩`, so that minus a code's inner product with `q` is the
    /// sum of its `m` entries.
    pub fn ip_table(&self, q: &[f32], table: &mut [f32]) {
        with_distance!(Metric::Ip, self.dsub(), |d| self.fill_table(q, table, d));
    }

    fn fill_table(&self, q: &[f32], table: &mut [f32], distance: impl Fn(&[f32], &[f32]) -> f32) {
        let (dsub, ksub) = (self.dsub(), self.ksub);
        if ksub == 0 {
            return;
        }
        let books = self.codebooks.chunks_exact(ksub * dsub);
        for ((t, book), qj) in table
            .chunks_exact_mut(ksub)
            .zip(books)
            .zip(q.chunks_exact(dsub))
        {
            for (x, w) in t.iter_mut().zip(book.chunks_exact(dsub)) {
                *x = distance(qj, w);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::{Stream, unit_gaussian};
    use crate::index::NoProgress;
    use crate::kernels;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn checks_m_and_nbits() {
        assert_eq!(
            ProductQuantizer::check(10, 3, 8),
            Err(Error::PqSubspaceMismatch { dim: 10, m: 3 })
        );
        for nbits in [0, 17] {
            assert!(matches!(
                ProductQuantizer::check(8, 2, nbits),
                Err(Error::IndexParamOutOfRange { param: "nbits", .. })
            ));
        }
        assert!(matches!(
            ProductQuantizer::check(8, 0, 8),
            Err(Error::IndexParamOutOfRange { param: "m", .. })
        ));
        assert!(ProductQuantizer::check(8, 8, 16).is_ok());
    }

    #[test]
    fn tables_sum_to_the_distance_to_the_decoded_vector() {
        let dim = 32;
        let data = unit_gaussian(3000, dim, 9, Stream::Base);
        let v = VectorView::new(dim, &data);
        let pq = ProductQuantizer::train(v, 4, 6, 1, &mut NoProgress).unwrap();
        assert_eq!((pq.ksub(), pq.dsub(), pq.code_size_bytes()), (64, 8, 3));
        let q = unit_gaussian(1, dim, 9, Stream::Queries);
        let (mut l2, mut ip) = (vec![0.0; pq.table_len()], vec![0.0; pq.table_len()]);
        pq.l2_table(&q, &mut l2);
        pq.ip_table(&q, &mut ip);
        let mut code = [0u16; 4];
        let mut dec = vec![0.0; dim];
        let mut err = 0.0;
        for x in data.chunks_exact(dim).take(100) {
            pq.encode(x, &mut code);
            pq.decode(&code, &mut dec);
            err += kernels::l2_squared(x, &dec);
            let sum = |t: &[f32]| -> f32 { (0..4).map(|j| t[j * 64 + code[j] as usize]).sum() };
            assert!((sum(&l2) - kernels::l2_squared(&q, &dec)).abs() < 1e-4);
            assert!((sum(&ip) + kernels::dot(&q, &dec)).abs() < 1e-4);
        }
        // 64 codewords per 8-dim subspace of unit Gaussian data: a clear gain over
        // the zero code (whose error is ‖x‖² = 1).
        assert!(
            err / 100.0 < 0.6,
            "mean squared quantisation error {}",
            err / 100.0
        );
    }
}
