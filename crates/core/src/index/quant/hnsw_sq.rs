//! HNSW_SQ (Milvus 2.5): the HNSW graph built and walked on scalar-quantised
//! vectors, then, with `refine`, the best `refine_k · k` candidates re-ranked
//! with more precise vectors.
//!
//! The graph code is [`crate::index::hnsw`]'s, generic over the vectors it walks
//! on ([`Space`]); here that is [`SqSpace`]: a float query (the search's, or a
//! row's own float vector while building, as faiss's `IndexHNSWSQ` adds) against
//! the stored codes. FP32 refinement reads the segment's vectors, which the
//! collection keeps anyway (Milvus's index keeps its own copy); FP16, BF16 and
//! SQ8 refinement keep their codes in the index.

use std::borrow::Cow;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::sq::{Codes, SqQuery, SqType};
use crate::bitset::Bitset;
use crate::error::Result;
use crate::index::hnsw::search::{FloatSpace, Search, Space, knn};
use crate::index::hnsw::{Graph, HnswParams, build_graph, default_ef};
use crate::index::{AnnParams, IndexType, Progress, VectorIndex, VectorView};
use crate::metric::Metric;
use crate::topk::Neighbour;

/// What re-ranks the candidates (Milvus's `refine_type`; `FLAT` is FP32).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RefineType {
    /// The full-precision vectors.
    #[serde(rename = "FP32")]
    Fp32,
    /// Codes of another quantiser, kept in the index.
    Codes(SqType),
}

impl RefineType {
    pub fn name(self) -> &'static str {
        match self {
            RefineType::Fp32 => "FP32",
            RefineType::Codes(t) => t.name(),
        }
    }
}

impl std::str::FromStr for RefineType {
    type Err = crate::Error;

    /// Milvus's `refine_type` (`FLAT` is `FP32`); SQ6 is refused by name.
    fn from_str(name: &str) -> Result<Self> {
        match name {
            "FP32" | "FLAT" => Ok(RefineType::Fp32),
            "SQ6" => Err(crate::Error::UnsupportedSqType {
                param: "refine_type",
                name: name.to_owned(),
            }),
            _ => name.parse::<SqType>().map(RefineType::Codes).map_err(|_| {
                crate::Error::InvalidRefineType {
                    name: name.to_owned(),
                }
            }),
        }
    }
}

/// The quantised vectors as the graph walks on them.
#[derive(Clone, Copy)]
pub(crate) struct SqSpace<'a> {
    pub codes: &'a Codes,
    /// The float vectors (rows as queries while building).
    pub vectors: VectorView<'a>,
    /// Every row's float vector prepared as a query, once per build (empty while
    /// searching): the build's heuristic takes each row as a query many times,
    /// and preparing one (weights, `q·a`, `‖q‖²`, sequential sums over the
    /// dimensions) costs about as much as 30 SQ8 distances at 1536 dimensions.
    pub prepared: &'a [SqQuery],
}

impl Space for SqSpace<'_> {
    type Query = SqQuery;
    type RowQuery<'q>
        = Cow<'q, SqQuery>
    where
        Self: 'q;

    #[inline]
    fn row_query(&self, row: u32) -> Cow<'_, SqQuery> {
        match self.prepared.get(row as usize) {
            Some(q) => Cow::Borrowed(q),
            None => Cow::Owned(self.codes.prepare(self.vectors.get(row as usize))),
        }
    }

    #[inline(always)]
    fn to(&self, q: &SqQuery, row: u32) -> f32 {
        self.codes.distance(q, row as usize)
    }

    #[inline(always)]
    fn distance4(&self, q: &SqQuery, rows: [u32; 4]) -> [f32; 4] {
        self.codes.distance4(q, rows.map(|r| r as usize))
    }
}

/// One search's reusable state.
#[derive(Default)]
struct Scratch {
    search: Search,
    query: SqQuery,
    refine_query: SqQuery,
}

/// An HNSW graph over scalar-quantised vectors.
#[derive(Debug, Serialize, Deserialize)]
pub struct HnswSq {
    metric: Metric,
    params: HnswParams,
    refine: Option<RefineType>,
    graph: Graph,
    codes: Codes,
    /// The refine codes (refine with FP16, BF16 or SQ8).
    refine_codes: Option<Codes>,
    #[serde(skip)]
    pool: Mutex<Vec<Scratch>>,
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scratch")
    }
}

impl Clone for HnswSq {
    fn clone(&self) -> Self {
        Self {
            metric: self.metric,
            params: self.params,
            refine: self.refine,
            graph: self.graph.clone(),
            codes: self.codes.clone(),
            refine_codes: self.refine_codes.clone(),
            pool: Mutex::default(),
        }
    }
}

impl PartialEq for HnswSq {
    fn eq(&self, other: &Self) -> bool {
        self.metric == other.metric
            && self.params == other.params
            && self.refine == other.refine
            && self.graph == other.graph
            && self.codes == other.codes
            && self.refine_codes == other.refine_codes
    }
}

impl HnswSq {
    /// Encodes `vectors` as `sq_type` and builds the graph on the codes.
    pub fn build(
        vectors: VectorView<'_>,
        metric: Metric,
        params: &HnswParams,
        sq_type: SqType,
        refine: Option<RefineType>,
        progress: &mut dyn Progress,
    ) -> Result<HnswSq> {
        // The walk reads the codes at random; the floats only in order (encoding).
        let codes = Codes::encode(vectors, metric, sq_type);
        codes.advise_huge_pages();
        // SQ8 only: FP16 and BF16 queries are the floats themselves.
        let prepared: Vec<SqQuery> = match sq_type {
            SqType::Sq8 => (0..vectors.len())
                .map(|row| codes.prepare_row(vectors.get(row)))
                .collect(),
            SqType::Fp16 | SqType::Bf16 => Vec::new(),
        };
        let graph = build_graph(
            SqSpace {
                codes: &codes,
                vectors,
                prepared: &prepared,
            },
            vectors.len(),
            params,
            progress,
        )?;
        let refine_codes = match refine {
            Some(RefineType::Codes(t)) => Some(Codes::encode(vectors, metric, t)),
            _ => None,
        };
        Ok(Self {
            metric,
            params: *params,
            refine,
            graph,
            codes,
            refine_codes,
            pool: Mutex::default(),
        })
    }

    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    pub fn sq_type(&self) -> SqType {
        self.codes.kind()
    }

    pub fn refine(&self) -> Option<RefineType> {
        self.refine
    }

    /// Bytes of the graph and the codes the graph walks on (not the refine codes).
    pub fn graph_and_codes_bytes(&self) -> usize {
        self.graph.memory_bytes() + self.codes.memory_bytes()
    }

    /// The `k` nearest allowed rows: SEARCH on the codes with `max(ef, k')`,
    /// `k' = ⌊k · refine_k⌋` (at least k) when refining, then the candidates
    /// re-ranked by the refine vectors' distances; without refine, the codes'
    /// distances.
    #[allow(clippy::too_many_arguments)]
    fn search_with(
        &self,
        vectors: VectorView<'_>,
        query: &[f32],
        k: usize,
        ef: usize,
        refine_k: f32,
        allowed: Option<&Bitset>,
        s: &mut Scratch,
    ) -> Vec<Neighbour> {
        let space = SqSpace {
            codes: &self.codes,
            vectors,
            prepared: &[],
        };
        self.codes.prepare_into(query, &mut s.query);
        let Some(refine) = self.refine else {
            return knn(
                &self.graph,
                space,
                &s.query,
                k,
                ef,
                allowed,
                &mut s.search,
                &mut (),
            );
        };
        let wide = ((k as f64 * refine_k as f64) as usize).max(k);
        let mut hits = knn(
            &self.graph,
            space,
            &s.query,
            wide,
            ef.max(wide),
            allowed,
            &mut s.search,
            &mut (),
        );
        match (refine, &self.refine_codes) {
            (RefineType::Codes(_), Some(codes)) => {
                codes.prepare_into(query, &mut s.refine_query);
                for h in &mut hits {
                    h.distance = codes.distance(&s.refine_query, h.row as usize);
                }
            }
            _ => {
                let exact = FloatSpace {
                    vectors,
                    metric: self.metric,
                };
                for h in &mut hits {
                    h.distance = exact.to(query, h.row);
                }
            }
        }
        hits.sort_by(|a, b| a.distance.total_cmp(&b.distance).then(a.row.cmp(&b.row)));
        hits.truncate(k);
        hits
    }
}

impl VectorIndex for HnswSq {
    fn index_type(&self) -> IndexType {
        IndexType::HnswSq
    }

    fn metric(&self) -> Metric {
        self.metric
    }

    fn advise_huge_pages(&self) {
        self.graph.advise_huge_pages();
        self.codes.advise_huge_pages();
    }

    fn len(&self) -> usize {
        self.graph.inserted()
    }

    /// The graph, the codes and any refine codes; not FP32 refinement's vectors
    /// (the segment's), nor the pooled search scratch.
    fn memory_bytes(&self) -> usize {
        self.graph_and_codes_bytes() + self.refine_codes.as_ref().map_or(0, Codes::memory_bytes)
    }

    fn search(
        &self,
        vectors: VectorView<'_>,
        query: &[f32],
        k: usize,
        params: &AnnParams,
        allowed: Option<&Bitset>,
    ) -> Result<Vec<Neighbour>> {
        let ef = params.ef().unwrap_or_else(|| default_ef(k));
        let refine_k = params.refine_k().unwrap_or(1.0);
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        let mut scratch = pooled.unwrap_or_default();
        let hits = self.search_with(vectors, query, k, ef, refine_k, allowed, &mut scratch);
        if let Ok(mut p) = self.pool.lock() {
            p.push(scratch);
        }
        Ok(hits)
    }
}

#[cfg(test)]
mod prepared_tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::dataset::{DataKind, Stream};
    use crate::index::NoProgress;

    /// Rows prepared once per build give the graph that preparing each row
    /// whenever the heuristic takes it as a query gives.
    #[test]
    fn prepared_rows_build_the_same_graph() {
        let (n, dim) = (600, 48);
        let data = DataKind::default().generate(n, dim, 7, Stream::Base);
        let vectors = VectorView::new(dim, &data);
        let params = HnswParams::new(8, 40, 3);
        for metric in [Metric::L2, Metric::Ip] {
            let codes = Codes::encode(vectors, metric, SqType::Sq8);
            let prepared: Vec<SqQuery> = (0..n)
                .map(|row| codes.prepare_row(vectors.get(row)))
                .collect();
            let graph = |prepared: &[SqQuery]| {
                let space = SqSpace {
                    codes: &codes,
                    vectors,
                    prepared,
                };
                build_graph(space, n, &params, &mut NoProgress).unwrap()
            };
            assert!(graph(&prepared) == graph(&[]), "{metric}");
        }
    }
}
