//! HNSW: Hierarchical Navigable Small World graphs (Malkov & Yashunin, "Efficient
//! and robust approximate nearest neighbor search using Hierarchical Navigable
//! Small World graphs", 2016/2018).
//!
//! - [`graph`]: the memory layout (flat adjacency arrays, levels);
//! - `build`: INSERT (Algorithm 1) with SELECT-NEIGHBORS-HEURISTIC (Algorithm 4);
//! - [`search`]: SEARCH-LAYER (Algorithm 2), K-NN-SEARCH (Algorithm 5), the
//!   reusable [`Search`] scratch;
//! - [`trace`]: what one search did, for the browser to draw.
//!
//! Filters follow hnswlib: rows outside the allowed set are traversed (they still
//! guide the search) but never returned.

mod build;
pub mod graph;
pub mod search;
pub mod trace;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod peer_tests;
#[cfg(test)]
mod tests;

use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::bitset::Bitset;
use crate::error::Result;
use crate::index::{AnnParams, IndexType, Progress, VectorIndex, VectorView};
use crate::metric::Metric;
use crate::topk::Neighbour;

pub(crate) use build::build_graph;
pub use graph::Graph;
pub use search::Search;
pub use trace::{LayerTrace, SearchTrace, TracedNode};

use search::FloatSpace;

/// Build parameters, with the paper's names. The derived quantities `M_max`,
/// `M_max0` and `mL` are methods. Ranges are validated by the caller
/// ([`crate::index::spec`]); any `m ≥ 0` and `ef_construction ≥ 0` is accepted
/// (0 behaves as 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HnswParams {
    /// `M`: links chosen for a new node on each layer, and the maximum number of
    /// links on layers ≥ 1 (`M_max = M`). Milvus's range is 1..=2048; default 16.
    pub m: usize,
    /// `efConstruction`: size of the dynamic candidate list while inserting
    /// (≥ 1; default 200).
    pub ef_construction: usize,
    /// Seed of the level generator (ChaCha8): same seed and data, same graph.
    pub seed: u64,
    /// The paper's `keepPrunedConnections`: fill a list up to its maximum with the
    /// nearest candidates the heuristic discarded. Default false, as hnswlib and
    /// faiss: on 10k × 1536 clustered vectors (M = 16, efConstruction = 200) it
    /// then matches faiss's recall at every ef with ~10 % fewer distance
    /// computations per query and a ~20 % faster build; true buys a little recall
    /// per ef (0.997 instead of 0.991 at ef = 16) for that cost.
    pub keep_pruned_connections: bool,
    /// How many links a new node chooses on layer 0.
    pub layer0_links: Layer0Links,
}

/// How many links a new node chooses on layer 0 (its list may grow to `M_max0`
/// by reverse links either way).
///
/// Measured on 10k × 1536, M = 16, efConstruction = 200 (`annlab bench index`):
/// on `random` data `MMax0` gives 0.33 / 0.50 recall@10 at ef = 64 / 128 where `M`
/// gives 0.28 / 0.44, at about the same time per query, so ~15 % more recall at
/// equal query time; it costs about twice the build time there (every reverse
/// link then shrinks a full list). On `clustered` data both reach 0.99 at ef = 16
/// and build in the same time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Layer0Links {
    /// `M`, as the paper's Algorithm 1, hnswlib and therefore Milvus: what a
    /// learner sees here is what Milvus does.
    #[default]
    M,
    /// `M_max0 = 2·M`, as faiss (`nb_neighbors(0)` in `add_links_starting_from`).
    MMax0,
}

impl HnswParams {
    pub const DEFAULT_M: usize = 16;
    pub const DEFAULT_EF_CONSTRUCTION: usize = 200;

    pub fn new(m: usize, ef_construction: usize, seed: u64) -> Self {
        Self {
            m,
            ef_construction,
            seed,
            keep_pruned_connections: false,
            layer0_links: Layer0Links::M,
        }
    }

    /// The same parameters with `layer0_links` set.
    pub fn with_layer0_links(self, layer0_links: Layer0Links) -> Self {
        Self {
            layer0_links,
            ..self
        }
    }

    /// `M_max`: maximum links of a node on layers ≥ 1 (= `M`, at least 1).
    pub fn m_max(&self) -> usize {
        self.m.max(1)
    }

    /// `M_max0`: maximum links of a node on layer 0 (= `2·M`).
    pub fn m_max0(&self) -> usize {
        2 * self.m_max()
    }

    /// `mL = 1/ln(M)`, the level normalisation: a node reaches level ≥ l with
    /// probability `M^-l`. For `M = 1` (where `1/ln 1` is infinite) it is `1/ln 2`.
    pub fn ml(&self) -> f64 {
        1.0 / (self.m.max(2) as f64).ln()
    }
}

impl Default for HnswParams {
    fn default() -> Self {
        Self::new(Self::DEFAULT_M, Self::DEFAULT_EF_CONSTRUCTION, 0)
    }
}

/// `ef` when the search gives none: `max(k, 16)`, as Milvus's knowhere does.
pub fn default_ef(k: usize) -> usize {
    k.max(16)
}

/// An HNSW index over a segment's vectors (which it borrows at every call).
#[derive(Debug, Serialize, Deserialize)]
pub struct Hnsw {
    metric: Metric,
    params: HnswParams,
    graph: Graph,
    /// Scratch of finished searches, reused by [`VectorIndex::search`].
    #[serde(skip)]
    pool: Mutex<Vec<Search>>,
}

impl Clone for Hnsw {
    fn clone(&self) -> Self {
        Self {
            metric: self.metric,
            params: self.params,
            graph: self.graph.clone(),
            pool: Mutex::default(),
        }
    }
}

impl PartialEq for Hnsw {
    fn eq(&self, other: &Self) -> bool {
        self.metric == other.metric && self.params == other.params && self.graph == other.graph
    }
}

impl Hnsw {
    /// Inserts every row of `vectors`, in order. Reports progress (rows inserted of
    /// the total) every few hundred rows and stops with [`crate::Error::Cancelled`]
    /// when `progress` asks.
    pub fn build(
        vectors: VectorView<'_>,
        metric: Metric,
        params: &HnswParams,
        progress: &mut dyn Progress,
    ) -> Result<Hnsw> {
        crate::memory::advise_huge_pages(vectors.data);
        let graph = build::build_graph(
            FloatSpace { vectors, metric },
            vectors.len(),
            params,
            progress,
        )?;
        Ok(Self {
            metric,
            params: *params,
            graph,
            pool: Mutex::default(),
        })
    }

    pub fn params(&self) -> &HnswParams {
        &self.params
    }

    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// Number of nodes on each layer, layer 0 first.
    pub fn layer_sizes(&self) -> Vec<usize> {
        self.graph.layer_sizes()
    }

    /// The top layer (none for an empty index).
    pub fn max_level(&self) -> Option<usize> {
        self.graph.max_level()
    }

    /// Where every search starts: a node on the top layer.
    pub fn entry_point(&self) -> Option<u32> {
        self.graph.entry_point()
    }

    /// The top layer `row` appears on.
    pub fn level(&self, row: u32) -> usize {
        self.graph.level(row)
    }

    /// `row`'s neighbours on `layer` (empty above the row's level).
    pub fn neighbours(&self, row: u32, layer: usize) -> &[u32] {
        if layer > self.graph.level(row) {
            return &[];
        }
        self.graph.neighbours(row, layer)
    }

    /// The `k` nearest allowed rows found with a dynamic list of `max(ef, k)`,
    /// nearest first, using the caller's scratch.
    pub fn search_with(
        &self,
        vectors: VectorView<'_>,
        query: &[f32],
        k: usize,
        ef: usize,
        allowed: Option<&Bitset>,
        scratch: &mut Search,
    ) -> Vec<Neighbour> {
        let space = self.space(vectors);
        search::knn(&self.graph, space, query, k, ef, allowed, scratch, &mut ())
    }

    /// [`Hnsw::search_with`] that also records what the search did.
    pub fn search_traced(
        &self,
        vectors: VectorView<'_>,
        query: &[f32],
        k: usize,
        ef: usize,
        allowed: Option<&Bitset>,
    ) -> (Vec<Neighbour>, SearchTrace) {
        let space = self.space(vectors);
        let mut trace = SearchTrace {
            entry_point: self.graph.entry_point(),
            ef: ef.max(k),
            ..SearchTrace::default()
        };
        let mut scratch = Search::new();
        let hits = search::knn(
            &self.graph,
            space,
            query,
            k,
            ef,
            allowed,
            &mut scratch,
            &mut trace,
        );
        (hits, trace)
    }

    fn space<'a>(&self, vectors: VectorView<'a>) -> FloatSpace<'a> {
        debug_assert_eq!(vectors.len(), self.graph.rows());
        FloatSpace {
            vectors,
            metric: self.metric,
        }
    }
}

impl VectorIndex for Hnsw {
    fn index_type(&self) -> IndexType {
        IndexType::Hnsw
    }

    fn metric(&self) -> Metric {
        self.metric
    }

    fn advise_huge_pages(&self) {
        self.graph.advise_huge_pages();
    }

    fn len(&self) -> usize {
        self.graph.inserted()
    }

    /// The graph's arrays (adjacency, levels, offsets); not the vectors, nor the
    /// pooled search scratch.
    fn memory_bytes(&self) -> usize {
        self.graph.memory_bytes()
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
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        let mut scratch = pooled.unwrap_or_default();
        let hits = self.search_with(vectors, query, k, ef, allowed, &mut scratch);
        if let Ok(mut p) = self.pool.lock() {
            p.push(scratch);
        }
        Ok(hits)
    }
}
