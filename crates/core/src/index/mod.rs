//! Vector indexes: one trait, [`VectorIndex`], and one closed enum, [`Index`].
//!
//! An index never owns the vectors it indexes: the segment does, and passes a
//! [`VectorView`] to every call. Vectors are already prepared by the metric
//! (normalised for COSINE). Filters arrive as a [`Bitset`] of *allowed* rows (the
//! filter expression's result with deleted rows removed) and are checked during
//! traversal, never after it.

pub mod binary;
pub mod flat;
pub mod hnsw;
pub mod ivf;
pub mod quant;
pub mod spec;

use serde::{Deserialize, Serialize};

use crate::bitset::Bitset;
use crate::error::Result;
use crate::metric::Metric;
use crate::topk::Neighbour;

/// A borrowed row-major matrix of prepared vectors.
#[derive(Debug, Clone, Copy)]
pub struct VectorView<'a> {
    pub dim: usize,
    pub data: &'a [f32],
}

impl<'a> VectorView<'a> {
    pub fn new(dim: usize, data: &'a [f32]) -> Self {
        debug_assert!(dim > 0 && data.len().is_multiple_of(dim));
        Self { dim, data }
    }

    /// Number of rows.
    #[inline]
    pub fn len(&self) -> usize {
        self.data.len() / self.dim
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Row `i`.
    #[inline]
    pub fn get(&self, i: usize) -> &'a [f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }
}

/// Progress reporting and cancellation for long work (index builds, k-means).
pub trait Progress {
    /// `done` of `total` units are finished (rows indexed, k-means iterations…).
    fn report(&mut self, done: usize, total: usize);
    /// Whether the caller asked to stop; long loops check it and return
    /// [`crate::Error::Cancelled`].
    fn cancelled(&self) -> bool {
        false
    }
    /// How many threads the work may use (the HNSW build; its graph is the same
    /// whatever the number). One unless the caller says more: wasm has no threads,
    /// and benchmarks compare single-threaded builds.
    fn threads(&self) -> usize {
        1
    }
}

/// Progress that nobody watches.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn report(&mut self, _done: usize, _total: usize) {}
}

/// The search-time parameter of an index kind (Milvus's `params` of a search),
/// typed per kind; [`AnnParams::Default`] leaves the index its default. More
/// kinds add variants. [`AnnParams::check`] validates one against the index it
/// runs on, with Milvus's ranges and messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnnParams {
    /// No parameter: FLAT has none, the others use their default.
    #[default]
    Default,
    /// HNSW: size of the dynamic candidate list (at least k).
    Hnsw { ef: usize },
    /// IVF_FLAT, IVF_PQ, IVF_SQ8: number of inverted lists probed.
    Ivf { nprobe: usize },
    /// HNSW_SQ: `ef` (None: the default) and `refine_k`, the factor of the `k`
    /// candidates re-ranked by the refine vectors (None: 1).
    HnswSq {
        ef: Option<usize>,
        refine_k: Option<RefineK>,
    },
}

/// HNSW_SQ's `refine_k`, a float (≥ 1, checked by [`AnnParams::check`]); equal
/// when its bits are, so that search parameters stay comparable.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct RefineK(pub f32);

impl PartialEq for RefineK {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}

impl Eq for RefineK {}

impl AnnParams {
    /// HNSW's `ef`, if given.
    pub fn ef(&self) -> Option<usize> {
        match *self {
            AnnParams::Hnsw { ef } => Some(ef),
            AnnParams::HnswSq { ef, .. } => ef,
            _ => None,
        }
    }

    /// HNSW_SQ's `refine_k`, if given.
    pub fn refine_k(&self) -> Option<f32> {
        match *self {
            AnnParams::HnswSq { refine_k, .. } => refine_k.map(|r| r.0),
            _ => None,
        }
    }

    /// IVF's `nprobe`, if given.
    pub fn nprobe(&self) -> Option<usize> {
        match *self {
            AnnParams::Ivf { nprobe } => Some(nprobe),
            _ => None,
        }
    }

    /// The parameter's Milvus name and value (`("ef", 64)`); None for the default.
    pub fn knob(&self) -> Option<(&'static str, usize)> {
        match *self {
            AnnParams::Default => None,
            AnnParams::Hnsw { ef } => Some(("ef", ef)),
            AnnParams::Ivf { nprobe } => Some(("nprobe", nprobe)),
            AnnParams::HnswSq { ef, .. } => ef.map(|ef| ("ef", ef)),
        }
    }
}

/// Milvus's index types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IndexType {
    #[serde(rename = "FLAT")]
    Flat,
    #[serde(rename = "HNSW")]
    Hnsw,
    #[serde(rename = "IVF_FLAT")]
    IvfFlat,
    #[serde(rename = "IVF_PQ")]
    IvfPq,
    #[serde(rename = "BIN_FLAT")]
    BinFlat,
    #[serde(rename = "BIN_IVF_FLAT")]
    BinIvfFlat,
    #[serde(rename = "HNSW_SQ")]
    HnswSq,
    #[serde(rename = "IVF_SQ8")]
    IvfSq8,
}

impl IndexType {
    /// Every index type, in Milvus's names' order of [`IndexType::name`].
    pub const ALL: [IndexType; 8] = [
        IndexType::Flat,
        IndexType::Hnsw,
        IndexType::IvfFlat,
        IndexType::IvfPq,
        IndexType::BinFlat,
        IndexType::BinIvfFlat,
        IndexType::HnswSq,
        IndexType::IvfSq8,
    ];

    pub fn name(self) -> &'static str {
        match self {
            IndexType::Flat => "FLAT",
            IndexType::Hnsw => "HNSW",
            IndexType::IvfFlat => "IVF_FLAT",
            IndexType::IvfPq => "IVF_PQ",
            IndexType::HnswSq => "HNSW_SQ",
            IndexType::IvfSq8 => "IVF_SQ8",
            IndexType::BinFlat => "BIN_FLAT",
            IndexType::BinIvfFlat => "BIN_IVF_FLAT",
        }
    }

    /// Whether the index is built on binary vectors.
    pub fn is_binary(self) -> bool {
        matches!(self, IndexType::BinFlat | IndexType::BinIvfFlat)
    }

    /// The metrics Milvus 2.3.5 names for this index type, as its message
    /// lists them.
    pub fn metrics(self) -> &'static str {
        match self {
            IndexType::BinFlat | IndexType::BinIvfFlat => crate::metric::BINARY_METRICS,
            _ => crate::metric::FLOAT_METRICS,
        }
    }

    /// Milvus's refusal of `metric` for this index type, if it refuses it.
    pub fn check_metric(self, metric: Metric) -> Result<()> {
        if metric.is_binary() == self.is_binary() {
            Ok(())
        } else {
            Err(crate::Error::UnknownMetric {
                name: metric.name().to_owned(),
                supported: self.metrics(),
            })
        }
    }

    /// Milvus's refusal of this index type on a field of type `field`.
    pub fn check_field_type(self, field: crate::schema::DataType) -> Result<()> {
        let binary_field = field == crate::schema::DataType::BinaryVector;
        match (self.is_binary(), binary_field) {
            (true, false) => Err(crate::Error::BinaryIndexOnFloatField),
            (false, true) => Err(crate::Error::FloatIndexOnBinaryField),
            _ => Ok(()),
        }
    }
}

impl std::str::FromStr for IndexType {
    type Err = crate::Error;

    /// Milvus's name of an index type (`HNSW`, `IVF_FLAT`, …).
    fn from_str(name: &str) -> Result<Self> {
        IndexType::ALL
            .into_iter()
            .find(|t| t.name() == name)
            .ok_or_else(|| crate::Error::UnknownIndexType {
                index_type: name.to_owned(),
            })
    }
}

/// Every index annlab has: the closed set behind [`VectorIndex`].
#[derive(Debug, Serialize, Deserialize)]
pub enum Index {
    Flat(flat::FlatIndex),
    Hnsw(hnsw::Hnsw),
    IvfFlat(ivf::IvfFlat),
    IvfPq(ivf::IvfPq),
    BinFlat(binary::BinFlat),
    BinIvfFlat(binary::BinIvfFlat),
    HnswSq(quant::HnswSq),
    IvfSq8(quant::IvfSq8),
}

impl Index {
    /// Builds the index `spec` describes over prepared `vectors`. `seed` drives every
    /// random choice (HNSW levels, k-means initialisation).
    pub fn build(
        spec: &spec::IndexSpec,
        vectors: VectorView<'_>,
        seed: u64,
        progress: &mut dyn Progress,
    ) -> Result<Index> {
        let metric = spec.metric;
        Ok(match spec.params {
            spec::IndexParams::Flat => {
                progress.report(vectors.len(), vectors.len());
                Index::Flat(flat::FlatIndex::build(vectors, metric))
            }
            spec::IndexParams::Hnsw { m, ef_construction } => Index::Hnsw(hnsw::Hnsw::build(
                vectors,
                metric,
                &hnsw::HnswParams::new(m, ef_construction, seed),
                progress,
            )?),
            spec::IndexParams::IvfFlat { nlist } => {
                Index::IvfFlat(ivf::IvfFlat::build(vectors, metric, nlist, seed, progress)?)
            }
            spec::IndexParams::IvfPq { nlist, m, nbits } => Index::IvfPq(ivf::IvfPq::build(
                vectors, metric, nlist, m, nbits, seed, progress,
            )?),
            spec::IndexParams::BinFlat | spec::IndexParams::BinIvfFlat { .. } => {
                return Err(crate::Error::QueryTypeMismatch {
                    field_type: "BinaryVector",
                    query_type: "float",
                });
            }
            spec::IndexParams::HnswSq {
                m,
                ef_construction,
                sq_type,
                ..
            } => Index::HnswSq(quant::HnswSq::build(
                vectors,
                metric,
                &hnsw::HnswParams::new(m, ef_construction, seed),
                sq_type,
                spec.params.refinement(),
                progress,
            )?),
            spec::IndexParams::IvfSq8 { nlist } => Index::IvfSq8(quant::IvfSq8::build(
                vectors, metric, nlist, seed, progress,
            )?),
        })
    }

    /// Builds the binary index `spec` describes over `vectors`.
    pub fn build_binary(
        spec: &spec::IndexSpec,
        vectors: binary::BinaryView<'_>,
        seed: u64,
        progress: &mut dyn Progress,
    ) -> Result<Index> {
        Ok(match spec.params {
            spec::IndexParams::BinFlat => {
                progress.report(vectors.len(), vectors.len());
                Index::BinFlat(binary::BinFlat::build(vectors, spec.metric))
            }
            spec::IndexParams::BinIvfFlat { nlist } => Index::BinIvfFlat(
                binary::BinIvfFlat::build(vectors, spec.metric, nlist, seed, progress)?,
            ),
            _ => {
                return Err(crate::Error::QueryTypeMismatch {
                    field_type: "float vector",
                    query_type: "binary",
                });
            }
        })
    }

    /// The `k` closest allowed binary rows to `query` (a binary index).
    pub fn search_binary(
        &self,
        vectors: binary::BinaryView<'_>,
        query: &[u8],
        k: usize,
        params: &AnnParams,
        allowed: Option<&Bitset>,
    ) -> Result<Vec<Neighbour>> {
        match self {
            Index::BinFlat(i) => Ok(i.search(vectors, query, k, allowed)),
            Index::BinIvfFlat(i) => {
                let nprobe = params.nprobe().unwrap_or(binary::DEFAULT_NPROBE);
                Ok(i.search(vectors, query, k, nprobe, allowed))
            }
            _ => Err(crate::Error::QueryTypeMismatch {
                field_type: "float vector",
                query_type: "binary",
            }),
        }
    }

    pub fn as_dyn(&self) -> &dyn VectorIndex {
        match self {
            Index::Flat(i) => i,
            Index::Hnsw(i) => i,
            Index::IvfFlat(i) => i,
            Index::IvfPq(i) => i,
            Index::BinFlat(i) => i,
            Index::BinIvfFlat(i) => i,
            Index::HnswSq(i) => i,
            Index::IvfSq8(i) => i,
        }
    }
}

/// What every index can do.
pub trait VectorIndex: Send + Sync {
    fn index_type(&self) -> IndexType;

    fn metric(&self) -> Metric;

    /// Number of rows indexed.
    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the index itself holds (not counting the vectors it was given, unless it
    /// keeps a copy or codes of them).
    fn memory_bytes(&self) -> usize;

    /// Asks for huge pages under the arrays a search reads at random (see
    /// [`crate::memory`]); nothing for indexes that read theirs in order.
    fn advise_huge_pages(&self) {}

    /// The `k` closest allowed rows to `query`, closest first. `vectors` is the
    /// matrix the index was built on; `allowed`, if given, has one bit per row.
    fn search(
        &self,
        vectors: VectorView<'_>,
        query: &[f32],
        k: usize,
        params: &AnnParams,
        allowed: Option<&Bitset>,
    ) -> Result<Vec<Neighbour>>;

    /// Milvus's range search within one segment: the allowed rows closer than
    /// `reach.radius` (an internal distance) that the index reaches, in any
    /// order. By default the `k`-nearest search is widened (`k` doubled) until
    /// its farthest hit leaves the radius, every row was returned, or
    /// [`RANGE_WIDEN_CAP`] hits were asked for; IVF indexes walk their lists
    /// instead (see [`ivf::IvfFlat`]), as knowhere does.
    fn range_search(
        &self,
        vectors: VectorView<'_>,
        query: &[f32],
        reach: &Reach,
        params: &AnnParams,
        allowed: Option<&Bitset>,
    ) -> Result<Vec<Neighbour>> {
        widened_range_search(self, vectors, query, reach, params, allowed)
    }
}

/// The most hits the default [`VectorIndex::range_search`] asks its index for.
pub const RANGE_WIDEN_CAP: usize = 65_536;

/// How far one segment's range search reaches ([`VectorIndex::range_search`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reach {
    /// Rows closer than this internal distance are hits.
    pub radius: f32,
    /// The hits the search wants in the end (`offset + limit`): where widening
    /// starts.
    pub k: usize,
    /// IVF: the list walk stops after this many lists in a row added no hit
    /// (knowhere's `max_empty_result_buckets`).
    pub max_empty_buckets: usize,
}

/// The default range search: `index`'s k-nearest search widened until its
/// farthest hit leaves the radius, then the hits inside it.
pub fn widened_range_search<I: VectorIndex + ?Sized>(
    index: &I,
    vectors: VectorView<'_>,
    query: &[f32],
    reach: &Reach,
    params: &AnnParams,
    allowed: Option<&Bitset>,
) -> Result<Vec<Neighbour>> {
    let mut want = reach.k.max(1);
    loop {
        let mut found = index.search(vectors, query, want, params, allowed)?;
        let exhausted = found.len() < want || want >= RANGE_WIDEN_CAP;
        let farthest_inside = found.last().is_some_and(|n| n.distance < reach.radius);
        if exhausted || !farthest_inside {
            found.retain(|n| n.distance < reach.radius);
            return Ok(found);
        }
        want = (want * 2).min(RANGE_WIDEN_CAP);
    }
}
