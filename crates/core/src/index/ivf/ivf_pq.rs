//! IVF_PQ: IVF cells whose lists hold product-quantised residuals instead of
//! vectors (faiss's `IndexIVFPQ` with `by_residual`).
//!
//! A vector `x` in list `i` is stored as the PQ code of its residual `x − c_i`; the
//! codebooks are trained once, on residuals of a sample (at most 256 per codeword),
//! and shared by all lists. A search probes the `nprobe` nearest lists and scores
//! every code by ADC, `m` table look-ups:
//!
//! - L2: per probed list, a table of `‖(q − c_i)_j − codeword‖²`; the sum is the
//!   squared distance from `q` to the reconstruction `c_i + r̂`.
//! - IP and COSINE: `⟨q, c_i + r̂⟩ = ⟨q, c_i⟩ + Σ_j ⟨q_j, r̂_j⟩`; the first term is
//!   the centroid's score computed by the probe, the table of `⟨q_j, codeword⟩` does
//!   not depend on the list and is computed once per query.
//!
//! Returned distances are these approximations (Milvus does not re-rank IVF_PQ
//! results with the original vectors either). Codes take a `u8` per sub-quantiser
//! when `nbits ≤ 8`, a `u16` otherwise; [`IvfPq::code_size_bytes`] is the packed
//! size `⌈m·nbits/8⌉` that faiss and Milvus quote, [`VectorIndex::memory_bytes`] what
//! is really held.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::bitset::Bitset;
use crate::error::{Error, Result};
use crate::index::ivf::coarse::{CoarseQuantizer, check_build};
use crate::index::ivf::kmeans::{MAX_POINTS_PER_CENTROID, random_prefix};
use crate::index::ivf::pq::ProductQuantizer;
use crate::index::ivf::{
    COARSE_NITER, DEFAULT_NPROBE, PQ_NITER, ProbedList, SearchTrace, Stage, allows, derive_seed,
    shares,
};
use crate::index::{
    AnnParams, IndexType, Progress, Reach, VectorIndex, VectorView, widened_range_search,
};
use crate::metric::Metric;
use crate::topk::{Neighbour, TopK};

/// Rows encoded between two progress reports and cancellation checks.
const ENCODE_CHUNK: usize = 1024;

/// The codes of one list, `m` per vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Codes {
    U8(Vec<u8>),
    U16(Vec<u16>),
}

impl Codes {
    fn bytes(&self) -> usize {
        match self {
            Codes::U8(c) => c.len(),
            Codes::U16(c) => c.len() * 2,
        }
    }
}

/// One inverted list: row ids and, in the same order, their codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct PqList {
    ids: Vec<u32>,
    codes: Codes,
}

/// Milvus's IVF_PQ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IvfPq {
    quantizer: CoarseQuantizer,
    pq: ProductQuantizer,
    len: usize,
    lists: Vec<PqList>,
}

impl IvfPq {
    /// Trains the coarse quantiser (`nlist` centroids) and the `m` PQ codebooks of
    /// `2^nbits` codewords, then encodes every row of `vectors` (prepared by
    /// `metric`). Errors: `m` must divide the dimension ([`Error::PqSubspaceMismatch`]),
    /// `nbits` in 1..=16, `nlist ≥ 1`. Progress is in [`super::PERMILLE`] of the
    /// estimated work; cancelling returns [`Error::Cancelled`].
    pub fn build(
        vectors: VectorView<'_>,
        metric: Metric,
        nlist: usize,
        m: usize,
        nbits: usize,
        seed: u64,
        progress: &mut dyn Progress,
    ) -> Result<Self> {
        check_build(vectors, nlist)?;
        ProductQuantizer::check(vectors.dim, m, nbits)?;
        let (n, dim) = (vectors.len(), vectors.dim);
        let pq_cap = (1usize << nbits) * MAX_POINTS_PER_CENTROID;
        let ns = n.min(pq_cap);
        let ksub = ns.min(1 << nbits) as f64;
        let lists = nlist.min(n) as f64;
        let coarse_rows = (n as f64).min(nlist as f64 * MAX_POINTS_PER_CENTROID as f64);
        let sh = shares(&[
            COARSE_NITER as f64 * coarse_rows * lists,
            n as f64 * lists,
            PQ_NITER as f64 * ns as f64 * ksub,
            n as f64 * ksub,
        ]);
        let quantizer = CoarseQuantizer::train(
            vectors,
            metric,
            nlist,
            seed,
            &mut Stage::new(progress, sh[0]),
        )?;
        let assign =
            quantizer.assign_all(vectors, "IVF_PQ build", &mut Stage::new(progress, sh[1]))?;

        // Residuals of a sample train the codebooks.
        let mut rows: Vec<u32> = if n > pq_cap {
            let mut rng = ChaCha8Rng::seed_from_u64(derive_seed(seed, 0x5049_5051));
            random_prefix(n, pq_cap, &mut rng)
        } else {
            (0..n as u32).collect()
        };
        rows.sort_unstable();
        let mut residuals = vec![0.0f32; rows.len() * dim];
        for (r, &row) in residuals.chunks_exact_mut(dim).zip(&rows) {
            residual(
                vectors.get(row as usize),
                quantizer.centroid(assign[row as usize] as usize),
                r,
            );
        }
        let pq = ProductQuantizer::train(
            VectorView::new(dim, &residuals),
            m,
            nbits,
            derive_seed(seed, 0x5051),
            &mut Stage::new(progress, sh[2]),
        )?;
        drop(residuals);

        // Encode every row into its list.
        let mut sizes = vec![0usize; quantizer.nlist()];
        assign.iter().for_each(|&a| sizes[a as usize] += 1);
        let mut lists: Vec<PqList> = sizes
            .iter()
            .map(|&s| PqList {
                ids: Vec::with_capacity(s),
                codes: if nbits <= 8 {
                    Codes::U8(Vec::with_capacity(s * m))
                } else {
                    Codes::U16(Vec::with_capacity(s * m))
                },
            })
            .collect();
        let mut encode_progress = Stage::new(progress, sh[3]);
        let mut r = vec![0.0f32; dim];
        let mut code = vec![0u16; m];
        for (row, &a) in assign.iter().enumerate() {
            if row % ENCODE_CHUNK == 0 {
                if encode_progress.cancelled() {
                    return Err(Error::Cancelled {
                        what: "IVF_PQ build",
                        done: row,
                        total: n,
                    });
                }
                encode_progress.report(row, n);
            }
            residual(vectors.get(row), quantizer.centroid(a as usize), &mut r);
            pq.encode(&r, &mut code);
            let list = &mut lists[a as usize];
            list.ids.push(row as u32);
            match &mut list.codes {
                Codes::U8(c) => c.extend(code.iter().map(|&x| x as u8)),
                Codes::U16(c) => c.extend_from_slice(&code),
            }
        }
        encode_progress.report(n, n);
        Ok(Self {
            quantizer,
            pq,
            len: n,
            lists,
        })
    }

    /// The coarse quantiser (centroids, k-means statistics).
    pub fn quantizer(&self) -> &CoarseQuantizer {
        &self.quantizer
    }

    /// The product quantiser (codebooks).
    pub fn pq(&self) -> &ProductQuantizer {
        &self.pq
    }

    pub fn dim(&self) -> usize {
        self.quantizer.dim()
    }

    /// Number of lists (`min(nlist, rows)`).
    pub fn nlist(&self) -> usize {
        self.lists.len()
    }

    /// Vectors per list.
    pub fn list_sizes(&self) -> Vec<usize> {
        self.lists.iter().map(|l| l.ids.len()).collect()
    }

    /// Rows of list `list`, ascending.
    pub fn list_rows(&self, list: usize) -> &[u32] {
        &self.lists[list].ids
    }

    /// Bytes per encoded vector as faiss/Milvus count it: `⌈m·nbits/8⌉`.
    pub fn code_size_bytes(&self) -> usize {
        self.pq.code_size_bytes()
    }

    /// The code of the `pos`-th vector of list `list`.
    pub fn code(&self, list: usize, pos: usize) -> Vec<u16> {
        let m = self.pq.m();
        match &self.lists[list].codes {
            Codes::U8(c) => c[pos * m..(pos + 1) * m]
                .iter()
                .map(|&x| u16::from(x))
                .collect(),
            Codes::U16(c) => c[pos * m..(pos + 1) * m].to_vec(),
        }
    }

    /// What the index remembers of the `pos`-th vector of list `list`: its centroid
    /// plus its decoded residual.
    pub fn reconstruct(&self, list: usize, pos: usize) -> Vec<f32> {
        let mut out = vec![0.0f32; self.dim()];
        self.pq.decode(&self.code(list, pos), &mut out);
        out.iter_mut()
            .zip(self.quantizer.centroid(list))
            .for_each(|(x, c)| *x += c);
        out
    }

    /// The lists a search with `nprobe` would scan, nearest centroid first, with
    /// the query-to-centroid distance.
    pub fn probe(&self, query: &[f32], nprobe: usize) -> Result<Vec<(u32, f32)>> {
        self.quantizer.probe(query, nprobe)
    }

    /// Search that also says which lists it probed, how many table entries and ADC
    /// distances it computed. `nprobe` is clamped to the number of lists.
    pub fn search_traced(
        &self,
        query: &[f32],
        k: usize,
        nprobe: usize,
        allowed: Option<&Bitset>,
    ) -> Result<(Vec<Neighbour>, SearchTrace)> {
        let probes = self.quantizer.probe(query, nprobe)?;
        let mut trace = self.quantizer.start_trace(&probes);
        let mut top = TopK::new(k);
        let by_ip = self.quantizer.metric() != Metric::L2;
        let mut table = vec![0.0f32; self.pq.table_len()];
        if by_ip && !probes.is_empty() {
            self.pq.ip_table(query, &mut table);
            trace.table_entries += table.len();
        }
        let mut r = vec![0.0f32; self.dim()];
        for p in trace.probed.iter_mut() {
            let list = &self.lists[p.list as usize];
            p.size = list.ids.len();
            let any_allowed = match allowed {
                None => p.size > 0,
                Some(_) => list.ids.iter().any(|&id| allows(allowed, id)),
            };
            if !any_allowed {
                trace.filtered_out += p.size;
                continue;
            }
            let bias = if by_ip {
                // The probe's distance is −⟨q, c⟩.
                p.centroid_distance
            } else {
                residual(query, self.quantizer.centroid(p.list as usize), &mut r);
                self.pq.l2_table(&r, &mut table);
                trace.table_entries += table.len();
                0.0
            };
            let scan = Scan {
                table: &table,
                ksub: self.pq.ksub(),
                m: self.pq.m(),
                bias,
                allowed,
            };
            match &list.codes {
                Codes::U8(c) => scan.run(&list.ids, c, &mut top, p),
                Codes::U16(c) => scan.run(&list.ids, c, &mut top, p),
            }
            trace.filtered_out += p.size - p.scanned;
            trace.vector_distances += p.scanned;
        }
        Ok((top.into_sorted(), trace))
    }
}

/// The ADC scan of one list.
struct Scan<'a> {
    table: &'a [f32],
    ksub: usize,
    m: usize,
    bias: f32,
    allowed: Option<&'a Bitset>,
}

impl Scan<'_> {
    fn run<C: Copy + Into<usize>>(
        &self,
        ids: &[u32],
        codes: &[C],
        top: &mut TopK,
        p: &mut ProbedList,
    ) {
        for (&id, code) in ids.iter().zip(codes.chunks_exact(self.m)) {
            if !allows(self.allowed, id) {
                continue;
            }
            p.scanned += 1;
            let distance = self.bias
                + code
                    .iter()
                    .zip(self.table.chunks_exact(self.ksub))
                    .map(|(&c, t)| t[c.into()])
                    .sum::<f32>();
            if distance <= top.threshold() {
                top.push(Neighbour { row: id, distance });
            }
        }
    }
}

/// `out = x − c`.
fn residual(x: &[f32], c: &[f32], out: &mut [f32]) {
    for ((o, &a), &b) in out.iter_mut().zip(x).zip(c) {
        *o = a - b;
    }
}

impl VectorIndex for IvfPq {
    fn index_type(&self) -> IndexType {
        IndexType::IvfPq
    }

    fn metric(&self) -> Metric {
        self.quantizer.metric()
    }

    fn len(&self) -> usize {
        self.len
    }

    fn memory_bytes(&self) -> usize {
        let lists: usize = self
            .lists
            .iter()
            .map(|l| {
                std::mem::size_of::<PqList>()
                    + l.ids.len() * std::mem::size_of::<u32>()
                    + l.codes.bytes()
            })
            .sum();
        std::mem::size_of::<Self>() + self.quantizer.memory_bytes() + self.pq.memory_bytes() + lists
    }

    /// Probes `params.nprobe` lists (default [`DEFAULT_NPROBE`], clamped to the
    /// number of lists); distances are ADC approximations. `vectors` is not read.
    fn search(
        &self,
        _vectors: VectorView<'_>,
        query: &[f32],
        k: usize,
        params: &AnnParams,
        allowed: Option<&Bitset>,
    ) -> Result<Vec<Neighbour>> {
        let nprobe = params.nprobe().unwrap_or(DEFAULT_NPROBE);
        Ok(self.search_traced(query, k, nprobe, allowed)?.0)
    }

    /// As knowhere's IVF range search, `nprobe` does not apply: the widened
    /// search probes every list (annlab does not stop early on empty lists here,
    /// so it finds a superset of what knowhere's list walk finds).
    fn range_search(
        &self,
        vectors: VectorView<'_>,
        query: &[f32],
        reach: &Reach,
        _params: &AnnParams,
        allowed: Option<&Bitset>,
    ) -> Result<Vec<Neighbour>> {
        let every_list = AnnParams::Ivf {
            nprobe: self.nlist(),
        };
        widened_range_search(self, vectors, query, reach, &every_list, allowed)
    }
}

#[cfg(test)]
mod tests;
