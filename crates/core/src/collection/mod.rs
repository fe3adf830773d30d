//! A collection: Milvus's unit of data. Rows arrive in a growing segment, are
//! sealed on flush, and every sealed segment gets its own index. Search and query
//! need the collection loaded (and, as in Milvus, loading needs an index).

mod build;
mod compact;
#[cfg(test)]
mod dynamic_tests;
mod indexes;
mod insert;
mod output;
mod partition;
#[cfg(test)]
mod partition_tests;
mod query;
pub mod scalar_index;
mod search;
pub mod segment;
mod stored;
#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) mod vector_tests;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::index::quant::RefineType;
use crate::index::{Index, Progress};
use crate::schema::CollectionSchema;

pub use build::IndexJob;
pub use compact::CompactionPlan;
pub use indexes::{IndexDef, IndexProgress, IndexState, MAX_VECTOR_FIELDS};
pub use insert::InsertResult;
pub use output::OutputColumns;
pub use partition::{
    DEFAULT_PARTITION, MAX_PARTITIONS, Partition, PartitionInfo, validate_partition_name,
};
pub use query::{QueryRequest, QueryResult};
pub use scalar_index::{ScalarIndex, ScalarIndexDef, ScalarIndexType};
pub use search::{
    GroupBy, HybridSearchRequest, MAX_GROUP_SIZE, PreparedSearch, RangeSearch, Ranker, SearchAfter,
    SearchHit, SearchPlan, SearchRequest, SearchResult, SegmentPlan, Strategy,
};
pub use segment::Segment;

/// The default number of rows at which a growing segment is sealed without a flush.
pub const DEFAULT_SEGMENT_MAX_ROWS: usize = 1_000_000;

/// What `describe_collection` and `describe_index` show, in one value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectionDescription {
    pub name: String,
    pub id: i64,
    pub schema: CollectionSchema,
    pub num_entities: usize,
    pub loaded: bool,
    /// The first index defined (the only one of a collection with one vector
    /// field).
    pub index: Option<IndexDef>,
    /// Every index defined, in the order of their creation.
    pub indexes: Vec<IndexDef>,
    /// Every scalar index defined, in the order of their creation.
    pub scalar_indexes: Vec<ScalarIndexDef>,
    /// Over every index.
    pub index_state: IndexState,
    /// Over every index.
    pub index_progress: IndexProgress,
    pub sealed_segments: usize,
    pub growing_rows: usize,
    pub num_partitions: usize,
}

/// A collection in memory. What of it is stored is `stored.rs`'s choice
/// (`crate::persist::form`): not `loaded`, not the rows of `growing`.
#[derive(Debug)]
pub struct Collection {
    name: String,
    id: i64,
    schema: CollectionSchema,
    /// Positions of the vector fields in the schema.
    vector_fields: Vec<usize>,
    sealed: Vec<Segment>,
    /// One growing segment per partition, in the order of `partitions`.
    growing: Vec<Segment>,
    /// `_default` first, then in creation order.
    partitions: Vec<Partition>,
    next_partition_id: i64,
    /// The index of each vector field that has one, in the order of creation.
    indexes: Vec<IndexDef>,
    /// The scalar index of each scalar field that has one, in the order of creation.
    scalar_indexes: Vec<ScalarIndexDef>,
    /// AlterIndex's properties (`mmap.enabled`, …) by index name, kept and
    /// described as given; the engine reads none of them.
    index_properties: BTreeMap<String, BTreeMap<String, String>>,
    /// Loaded whole (`load`): partitions created later are loaded too.
    loaded: bool,
    next_auto_id: i64,
    next_segment_id: i64,
    segment_max_rows: usize,
    /// Seed of every random choice made for this collection (index builds).
    seed: u64,
    /// Milvus's collection properties (`collection.ttl.seconds`, `mmap.enabled`,
    /// …), kept and described as given; annlab's engine reads none of them.
    properties: BTreeMap<String, String>,
}

impl Collection {
    /// Creates an empty collection after validating `schema` with Milvus's rules.
    pub fn new(name: &str, id: i64, schema: CollectionSchema, seed: u64) -> Result<Self> {
        schema.validate(name)?;
        let vectors = indexes::vector_fields(&schema);
        if vectors.len() > MAX_VECTOR_FIELDS {
            return Err(Error::TooManyVectorFields {
                max: MAX_VECTOR_FIELDS,
            });
        }
        let default_id = id * 10_000;
        let growing = vec![Segment::new(id * 1000, default_id, &schema)];
        Ok(Self {
            name: name.to_owned(),
            id,
            vector_fields: vectors,
            schema,
            sealed: Vec::new(),
            growing,
            partitions: vec![Partition {
                id: default_id,
                name: DEFAULT_PARTITION.to_owned(),
                loaded: false,
            }],
            next_partition_id: default_id + 1,
            indexes: Vec::new(),
            scalar_indexes: Vec::new(),
            index_properties: BTreeMap::new(),
            loaded: false,
            next_auto_id: 0,
            next_segment_id: id * 1000 + 1,
            segment_max_rows: DEFAULT_SEGMENT_MAX_ROWS,
            seed,
            properties: BTreeMap::new(),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn id(&self) -> i64 {
        self.id
    }

    pub fn schema(&self) -> &CollectionSchema {
        &self.schema
    }

    /// Milvus's RenameCollection: the new name checked with Milvus's rules.
    pub fn rename(&mut self, new_name: &str) -> Result<()> {
        crate::schema::validate_name(new_name, "collection")?;
        self.name = new_name.to_owned();
        Ok(())
    }

    /// The collection's properties, by key.
    pub fn properties(&self) -> &BTreeMap<String, String> {
        &self.properties
    }

    /// Milvus's AlterCollection: sets `set` (key, value) and removes `delete`.
    pub fn alter_properties(&mut self, set: &[(String, String)], delete: &[String]) {
        for (k, v) in set {
            self.properties.insert(k.clone(), v.clone());
        }
        for k in delete {
            self.properties.remove(k);
        }
    }

    /// Whether any partition is loaded (search and query need one).
    pub fn is_loaded(&self) -> bool {
        self.partitions.iter().any(|p| p.loaded)
    }

    /// Seals growing segments once they reach `rows` (Milvus seals by size).
    pub fn set_segment_max_rows(&mut self, rows: usize) {
        self.segment_max_rows = rows.max(1);
    }

    pub fn sealed_segments(&self) -> &[Segment] {
        &self.sealed
    }

    /// The growing segments, one per partition.
    pub fn growing_segments(&self) -> &[Segment] {
        &self.growing
    }

    /// Rows inserted since the last flush.
    pub fn growing_rows(&self) -> usize {
        self.growing.iter().map(Segment::num_rows).sum()
    }

    fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.sealed.iter().chain(&self.growing)
    }

    fn segments_mut(&mut self) -> impl Iterator<Item = &mut Segment> {
        self.sealed.iter_mut().chain(&mut self.growing)
    }

    /// Seals every growing segment that has rows; false if none had.
    fn seal_growing(&mut self) -> bool {
        let mut sealed = false;
        for g in &mut self.growing {
            if g.num_rows() == 0 {
                continue;
            }
            let id = self.next_segment_id;
            self.next_segment_id += 1;
            let segment = std::mem::replace(g, Segment::new(id, g.partition, &self.schema));
            segment.advise_huge_pages();
            self.sealed.push(segment);
            sealed = true;
        }
        self.build_missing_scalar_indexes();
        sealed
    }

    /// Milvus's `num_entities`: rows in sealed (flushed) segments, deleted ones
    /// included.
    pub fn num_entities(&self) -> usize {
        self.sealed.iter().map(Segment::num_rows).sum()
    }

    /// `count(*)`: live rows everywhere.
    pub fn count(&self) -> usize {
        self.segments().map(Segment::live_rows).sum()
    }

    /// Bytes of data and indexes held.
    pub fn memory_bytes(&self) -> usize {
        self.segments().map(Segment::memory_bytes).sum()
    }

    /// Bytes a search needs in memory: each segment's indexes, plus the vectors
    /// of each field whose index reads them (FLAT, HNSW, unindexed rows; IVF
    /// keeps its own copy or codes).
    pub fn search_memory_bytes(&self) -> usize {
        self.segments()
            .flat_map(|s| self.vector_fields.iter().map(move |&f| (s, f)))
            .map(|(s, f)| {
                let vectors = s.vector_bytes(f);
                match s.index(f) {
                    None => vectors,
                    Some(i) => {
                        let own = i.as_dyn().memory_bytes();
                        match i {
                            Index::Flat(_) | Index::Hnsw(_) => own + vectors,
                            // HNSW_SQ reads the vectors only to refine with FP32.
                            Index::HnswSq(q) if q.refine() == Some(RefineType::Fp32) => {
                                own + vectors
                            }
                            Index::HnswSq(_)
                            | Index::IvfFlat(_)
                            | Index::IvfPq(_)
                            | Index::IvfSq8(_) => own,
                            Index::BinFlat(_) | Index::BinIvfFlat(_) => own + vectors,
                        }
                    }
                }
            })
            .sum()
    }

    /// Seals the growing segments (those with rows) and builds their indexes.
    pub fn flush(&mut self, progress: &mut dyn Progress) -> Result<()> {
        if !self.seal_growing() {
            return Ok(());
        }
        self.build_missing_indexes(progress)
    }

    /// Everything `describe_collection` / `describe_index` report.
    pub fn describe(&self) -> CollectionDescription {
        CollectionDescription {
            name: self.name.clone(),
            id: self.id,
            schema: self.schema.clone(),
            num_entities: self.num_entities(),
            loaded: self.is_loaded(),
            index: self.indexes.first().cloned(),
            indexes: self.indexes.clone(),
            scalar_indexes: self.scalar_indexes.clone(),
            index_state: self.index_state(),
            index_progress: self.index_progress(),
            sealed_segments: self.sealed.len(),
            growing_rows: self.growing_rows(),
            num_partitions: self.partitions.len(),
        }
    }

    /// Milvus's `load`: needs an index on every vector field; loads every
    /// partition, and the ones created later.
    pub fn load(&mut self) -> Result<()> {
        self.check_loadable()?;
        self.sealed.iter().for_each(Segment::advise_huge_pages);
        self.loaded = true;
        self.partitions.iter_mut().for_each(|p| p.loaded = true);
        Ok(())
    }

    /// Milvus's `release`: every partition.
    pub fn release(&mut self) {
        self.loaded = false;
        self.partitions.iter_mut().for_each(|p| p.loaded = false);
    }

    /// A segment's columns by name, for filter expressions.
    pub fn columns_of<'a>(&'a self, segment: &'a Segment) -> segment::SegmentColumns<'a> {
        segment::SegmentColumns {
            schema: &self.schema,
            segment,
        }
    }

    fn require_loaded(&self, operation: &'static str) -> Result<()> {
        if self.is_loaded() {
            Ok(())
        } else {
            Err(Error::CollectionNotLoaded {
                operation,
                collection: self.id,
            })
        }
    }
}
