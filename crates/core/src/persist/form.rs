//! The persisted form of a collection: what survives a restart, spelled out apart
//! from the in-memory [`Collection`](crate::collection::Collection), so that
//! nothing is stored by accident.
//!
//! Stored: the schema, the properties, the partitions, the index definitions (one
//! per indexed vector field, one per indexed scalar field, and AlterIndex's
//! properties), the sealed segments (their columns, deletions and
//! built indexes, by field), and the counters that keep ids
//! unique (auto ids, segment and partition ids). Not stored: load state (a
//! reopened collection is released, as in Milvus after a restart) and the rows of
//! growing segments (a flush is what makes rows durable).
//!
//! The payload is postcard, which is not self-describing: field order, and the
//! variant order of every enum stored (here and in what is stored by its own serde
//! derive: the schema, [`Column`], [`Bitset`], [`Metric`] and the built
//! [`Index`], whose structs hold exactly what an index needs), is part of the
//! format. Changing any of them changes the format version.
//!
//! Each segment's large parts are type parameters, so that the collection is
//! written from references and read back into owned values with one definition of
//! the layout: [`SegmentRef`] is written, [`StoredSegment`] read.

use serde::{Deserialize, Serialize};

use crate::bitset::Bitset;
use crate::collection::{ScalarIndex, ScalarIndexDef};
use crate::index::Index;
use crate::index::quant::{RefineType, SqType};
use crate::index::spec::{IndexParams, IndexSpec};
use crate::metric::Metric;
use crate::schema::{CollectionSchema, Column};

/// A collection as stored, with segments of type `S`.
#[derive(Debug, Serialize, Deserialize)]
pub struct CollectionForm<S> {
    pub name: String,
    pub id: i64,
    pub schema: CollectionSchema,
    /// Seed of the collection's index builds (a segment stored without its index
    /// gets the same one it would have had).
    pub seed: u64,
    /// Rows at which a growing segment is sealed without a flush.
    pub segment_max_rows: u64,
    pub next_auto_id: i64,
    pub next_segment_id: i64,
    pub next_partition_id: i64,
    /// `_default` first, then in creation order.
    pub partitions: Vec<PartitionForm>,
    /// One per indexed vector field, in the order of their creation.
    pub indexes: Vec<IndexDefForm>,
    /// The sealed segments, in their order in the collection.
    pub segments: Vec<S>,
    /// Milvus's collection properties (AlterCollection), sorted by key.
    pub properties: Vec<(String, String)>,
    /// One per indexed scalar field, in the order of their creation (stored by
    /// [`ScalarIndexDef`]'s own derive).
    pub scalar_indexes: Vec<ScalarIndexDef>,
    /// AlterIndex's properties, by index name, each sorted by key.
    pub index_properties: Vec<(String, Vec<(String, String)>)>,
}

/// A partition as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionForm {
    pub id: i64,
    pub name: String,
    /// The id of the segment the partition's next rows go to: its growing
    /// segment, which is stored empty.
    pub growing_segment_id: i64,
}

/// The index defined on a vector field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexDefForm {
    pub field: String,
    pub index_name: String,
    pub metric: Metric,
    pub params: IndexParamsForm,
    /// Asked for as AUTOINDEX.
    pub autoindex: bool,
}

/// Build parameters by index type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexParamsForm {
    Flat,
    Hnsw {
        m: u64,
        ef_construction: u64,
    },
    IvfFlat {
        nlist: u64,
    },
    IvfPq {
        nlist: u64,
        m: u64,
        nbits: u64,
    },
    BinFlat,
    BinIvfFlat {
        nlist: u64,
    },
    HnswSq {
        m: u64,
        ef_construction: u64,
        sq_type: SqType,
        refine: bool,
        refine_type: Option<RefineType>,
    },
    IvfSq8 {
        nlist: u64,
    },
}

/// A sealed segment as stored: `C` its columns (one per schema field, in schema
/// order), `D` its deleted rows, `I` a built index, `X` a built scalar index.
#[derive(Debug, Serialize, Deserialize)]
pub struct SegmentForm<C, D, I, X> {
    pub id: i64,
    pub partition: i64,
    pub columns: C,
    pub deleted: D,
    /// The built indexes, each with the position of its vector field in the
    /// schema (a field whose index is not built yet has none).
    pub indexes: Vec<(u64, I)>,
    /// The built scalar indexes, each with the position of its field.
    pub scalar_indexes: Vec<(u64, X)>,
}

/// A sealed segment as written, borrowed from the collection.
pub type SegmentRef<'a> = SegmentForm<&'a [Column], &'a Bitset, &'a Index, &'a ScalarIndex>;
/// A sealed segment as read back.
pub type StoredSegment = SegmentForm<Vec<Column>, Bitset, Index, ScalarIndex>;
/// A collection as read back.
pub type StoredCollection = CollectionForm<StoredSegment>;

impl From<&IndexSpec> for IndexParamsForm {
    fn from(spec: &IndexSpec) -> Self {
        let n = |v: usize| v as u64;
        match spec.params {
            IndexParams::Flat => Self::Flat,
            IndexParams::Hnsw { m, ef_construction } => Self::Hnsw {
                m: n(m),
                ef_construction: n(ef_construction),
            },
            IndexParams::IvfFlat { nlist } => Self::IvfFlat { nlist: n(nlist) },
            IndexParams::IvfPq { nlist, m, nbits } => Self::IvfPq {
                nlist: n(nlist),
                m: n(m),
                nbits: n(nbits),
            },
            IndexParams::BinFlat => Self::BinFlat,
            IndexParams::BinIvfFlat { nlist } => Self::BinIvfFlat { nlist: n(nlist) },
            IndexParams::HnswSq {
                m,
                ef_construction,
                sq_type,
                refine,
                refine_type,
            } => Self::HnswSq {
                m: n(m),
                ef_construction: n(ef_construction),
                sq_type,
                refine,
                refine_type,
            },
            IndexParams::IvfSq8 { nlist } => Self::IvfSq8 { nlist: n(nlist) },
        }
    }
}

impl IndexDefForm {
    /// The index spec this definition stores.
    pub fn spec(&self) -> IndexSpec {
        let n = |v: u64| v as usize;
        let params = match self.params {
            IndexParamsForm::Flat => IndexParams::Flat,
            IndexParamsForm::Hnsw { m, ef_construction } => IndexParams::Hnsw {
                m: n(m),
                ef_construction: n(ef_construction),
            },
            IndexParamsForm::IvfFlat { nlist } => IndexParams::IvfFlat { nlist: n(nlist) },
            IndexParamsForm::IvfPq { nlist, m, nbits } => IndexParams::IvfPq {
                nlist: n(nlist),
                m: n(m),
                nbits: n(nbits),
            },
            IndexParamsForm::BinFlat => IndexParams::BinFlat,
            IndexParamsForm::BinIvfFlat { nlist } => IndexParams::BinIvfFlat { nlist: n(nlist) },
            IndexParamsForm::HnswSq {
                m,
                ef_construction,
                sq_type,
                refine,
                refine_type,
            } => IndexParams::HnswSq {
                m: n(m),
                ef_construction: n(ef_construction),
                sq_type,
                refine,
                refine_type,
            },
            IndexParamsForm::IvfSq8 { nlist } => IndexParams::IvfSq8 { nlist: n(nlist) },
        };
        IndexSpec {
            params,
            metric: self.metric,
            autoindex: self.autoindex,
        }
    }
}
