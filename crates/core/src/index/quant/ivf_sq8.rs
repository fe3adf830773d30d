//! IVF_SQ8: k-means cells whose lists hold 8-bit scalar codes of the residuals
//! `x − centroid` (faiss's `IndexIVFScalarQuantizer` with `QT_8bit` and
//! `by_residual`, its default, which Milvus's knowhere builds for IVF_SQ8). The
//! SQ8 ranges are trained on every residual; a list holds its rows' ids and
//! codes contiguously (4× smaller than IVF_FLAT's copy).
//!
//! A search probes the `nprobe` nearest lists like IVF_FLAT. With L2 each probed
//! list prepares `q − c` against the codes (`‖q − c − r̂‖²`, with `‖r̂‖²` kept per
//! row); with IP and COSINE the query is prepared once and `q·x̂ = q·c + q·r̂`.

use serde::{Deserialize, Serialize};

use super::sq::{Sq8, SqQuery};
use crate::bitset::Bitset;
use crate::error::Result;
use crate::index::ivf::coarse::{CoarseQuantizer, check_build};
use crate::index::ivf::kmeans::MAX_POINTS_PER_CENTROID;
use crate::index::ivf::{COARSE_NITER, DEFAULT_NPROBE, SearchTrace, Stage, allows, shares};
use crate::index::{AnnParams, IndexType, Progress, VectorIndex, VectorView};
use crate::metric::Metric;
use crate::topk::{Neighbour, TopK};

/// One inverted list: row ids and, in the same order, their residuals' codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CodeList {
    ids: Vec<u32>,
    /// `ids.len() × dim` codes.
    codes: Vec<u8>,
    /// `‖r̂‖²` per row (L2 only; empty otherwise).
    norms: Vec<f32>,
}

/// Milvus's IVF_SQ8.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IvfSq8 {
    quantizer: CoarseQuantizer,
    sq: Sq8,
    len: usize,
    lists: Vec<CodeList>,
}

impl IvfSq8 {
    /// Trains `nlist` centroids (as IVF_FLAT), then SQ8 on the residuals, and
    /// files every row's codes under its nearest centroid.
    pub fn build(
        vectors: VectorView<'_>,
        metric: Metric,
        nlist: usize,
        seed: u64,
        progress: &mut dyn Progress,
    ) -> Result<Self> {
        check_build(vectors, nlist)?;
        let n = vectors.len();
        let lists = nlist.min(n) as f64;
        let trained = (n as f64).min(nlist as f64 * MAX_POINTS_PER_CENTROID as f64);
        let sh = shares(&[COARSE_NITER as f64 * trained * lists, n as f64 * lists]);
        let quantizer = CoarseQuantizer::train(
            vectors,
            metric,
            nlist,
            seed,
            &mut Stage::new(progress, sh[0]),
        )?;
        let assign =
            quantizer.assign_all(vectors, "IVF_SQ8 build", &mut Stage::new(progress, sh[1]))?;
        let dim = vectors.dim;
        let mut residuals = Vec::with_capacity(n * dim);
        for (row, &a) in assign.iter().enumerate() {
            let c = quantizer.centroid(a as usize);
            residuals.extend(vectors.get(row).iter().zip(c).map(|(x, c)| x - c));
        }
        let residuals = VectorView::new(dim, &residuals);
        let sq = Sq8::train(residuals);
        let mut lists: Vec<CodeList> = (0..quantizer.nlist())
            .map(|_| CodeList {
                ids: Vec::new(),
                codes: Vec::new(),
                norms: Vec::new(),
            })
            .collect();
        for (row, &a) in assign.iter().enumerate() {
            let list = &mut lists[a as usize];
            let at = list.codes.len();
            list.ids.push(row as u32);
            sq.encode(residuals.get(row), &mut list.codes);
            if metric == Metric::L2 {
                let norm = sq.norm2(&list.codes[at..]);
                list.norms.push(norm);
            }
        }
        Ok(Self {
            quantizer,
            sq,
            len: n,
            lists,
        })
    }

    pub fn quantizer(&self) -> &CoarseQuantizer {
        &self.quantizer
    }

    /// Number of lists (`min(nlist, rows)`).
    pub fn nlist(&self) -> usize {
        self.lists.len()
    }

    /// Search that also says which lists it probed and how many distances it
    /// computed. `nprobe` is clamped to the number of lists.
    pub fn search_traced(
        &self,
        query: &[f32],
        k: usize,
        nprobe: usize,
        allowed: Option<&Bitset>,
    ) -> Result<(Vec<Neighbour>, SearchTrace)> {
        let probes = self.quantizer.probe(query, nprobe)?;
        let mut trace = self.quantizer.start_trace(&probes);
        let metric = self.quantizer.metric();
        let dim = self.quantizer.dim();
        let mut top = TopK::new(k);
        let mut prepared = SqQuery::default();
        let mut shifted = Vec::with_capacity(dim);
        if metric != Metric::L2 {
            self.sq.prepare_into(query, &mut prepared);
        }
        for (p, &(_, centroid_distance)) in trace.probed.iter_mut().zip(&probes) {
            let list = &self.lists[p.list as usize];
            p.size = list.ids.len();
            if metric == Metric::L2 {
                shifted.clear();
                let c = self.quantizer.centroid(p.list as usize);
                shifted.extend(query.iter().zip(c).map(|(q, c)| q - c));
                self.sq.prepare_into(&shifted, &mut prepared);
            }
            for (i, (&id, codes)) in list
                .ids
                .iter()
                .zip(list.codes.chunks_exact(dim))
                .enumerate()
            {
                if !allows(allowed, id) {
                    continue;
                }
                p.scanned += 1;
                let ip = Sq8::ip(&prepared, codes);
                let distance = if metric == Metric::L2 {
                    prepared.norm2() + list.norms[i] - 2.0 * ip
                } else {
                    // The centroid's distance is −q·c.
                    centroid_distance - ip
                };
                if distance <= top.threshold() {
                    top.push(Neighbour { row: id, distance });
                }
            }
            trace.filtered_out += p.size - p.scanned;
            trace.vector_distances += p.scanned;
        }
        Ok((top.into_sorted(), trace))
    }
}

impl VectorIndex for IvfSq8 {
    fn index_type(&self) -> IndexType {
        IndexType::IvfSq8
    }

    fn metric(&self) -> Metric {
        self.quantizer.metric()
    }

    fn len(&self) -> usize {
        self.len
    }

    /// Centroids, SQ8 ranges and the lists (ids, codes, L2's norms).
    fn memory_bytes(&self) -> usize {
        let lists: usize = self
            .lists
            .iter()
            .map(|l| {
                std::mem::size_of::<CodeList>()
                    + 4 * l.ids.len()
                    + l.codes.len()
                    + 4 * l.norms.len()
            })
            .sum();
        std::mem::size_of::<Self>() + self.quantizer.memory_bytes() + self.sq.memory_bytes() + lists
    }

    /// Probes `params.nprobe` lists (default [`DEFAULT_NPROBE`]); the codes are
    /// the index's own, so `vectors` is not read.
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
}
