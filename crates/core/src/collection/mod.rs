//! A collection: Milvus's unit of data. Rows arrive in a growing segment, are
//! sealed on flush, and every sealed segment gets its own index. Search and query
//! need the collection loaded (and, as in Milvus, loading needs an index).

mod build;
mod compact;
mod insert;
mod output;
mod partition;
#[cfg(test)]
mod partition_tests;
mod query;
mod search;
pub mod segment;
mod stored;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::index::spec::IndexSpec;
use crate::index::{Index, Progress};
use crate::metric::Metric;
use crate::schema::{CollectionSchema, DataType};

pub use build::IndexJob;
pub use compact::CompactionPlan;
pub use insert::InsertResult;
pub use output::OutputColumns;
pub use partition::{
    DEFAULT_PARTITION, MAX_PARTITIONS, Partition, PartitionInfo, validate_partition_name,
};
pub use query::{QueryRequest, QueryResult};
pub use search::{
    PreparedSearch, RangeSearch, SearchHit, SearchPlan, SearchRequest, SearchResult, SegmentPlan,
    Strategy,
};
pub use segment::Segment;

/// The default number of rows at which a growing segment is sealed without a flush.
pub const DEFAULT_SEGMENT_MAX_ROWS: usize = 1_000_000;

/// An index defined on a field, as `describe_index` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexDef {
    pub field: String,
    pub index_name: String,
    pub spec: IndexSpec,
}

/// Milvus's index states (`describe_index`'s `state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexState {
    /// No index on the field.
    None,
    /// Every sealed segment has its index (Milvus: `Finished`).
    Finished,
    /// Some sealed segments still lack theirs (a build was cancelled, or a segment
    /// was sealed by size and waits for the next flush); they are searched exactly
    /// meanwhile (Milvus: `InProgress`).
    InProgress,
}

/// What `describe_collection` and `describe_index` show, in one value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectionDescription {
    pub name: String,
    pub id: i64,
    pub schema: CollectionSchema,
    pub num_entities: usize,
    pub loaded: bool,
    pub index: Option<IndexDef>,
    pub index_state: IndexState,
    pub index_progress: IndexProgress,
    pub sealed_segments: usize,
    pub growing_rows: usize,
    pub num_partitions: usize,
}

/// How far the index build is (`utility.index_building_progress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexProgress {
    pub total_rows: usize,
    pub indexed_rows: usize,
    pub pending_index_rows: usize,
}

/// A collection in memory. What of it is stored is `stored.rs`'s choice
/// (`crate::persist::form`): not `loaded`, not the rows of `growing`.
#[derive(Debug)]
pub struct Collection {
    name: String,
    id: i64,
    schema: CollectionSchema,
    /// Position of the (single) FloatVector field in the schema.
    vector_field: usize,
    sealed: Vec<Segment>,
    /// One growing segment per partition, in the order of `partitions`.
    growing: Vec<Segment>,
    /// `_default` first, then in creation order.
    partitions: Vec<Partition>,
    next_partition_id: i64,
    index: Option<IndexDef>,
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
        let vectors: Vec<usize> = schema
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.data_type == DataType::FloatVector)
            .map(|(i, _)| i)
            .collect();
        if vectors.len() > 1 {
            return Err(Error::TooManyVectorFields {
                count: vectors.len(),
            });
        }
        let default_id = id * 10_000;
        let growing = vec![Segment::new(id * 1000, default_id, &schema)];
        Ok(Self {
            name: name.to_owned(),
            id,
            vector_field: vectors[0],
            schema,
            sealed: Vec::new(),
            growing,
            partitions: vec![Partition {
                id: default_id,
                name: DEFAULT_PARTITION.to_owned(),
                loaded: false,
            }],
            next_partition_id: default_id + 1,
            index: None,
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
            self.sealed.push(segment);
            sealed = true;
        }
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

    /// The metric stored vectors are prepared for (the index's, once there is one).
    pub fn metric(&self) -> Option<Metric> {
        self.index.as_ref().map(|d| d.spec.metric)
    }

    /// Bytes of data and indexes held.
    pub fn memory_bytes(&self) -> usize {
        self.segments().map(Segment::memory_bytes).sum()
    }

    /// Bytes a search needs in memory: each segment's index, plus its vectors when
    /// the index reads them (FLAT, HNSW, unindexed rows; IVF keeps its own copy or
    /// codes).
    pub fn search_memory_bytes(&self) -> usize {
        self.segments()
            .map(|s| {
                let vectors = s.vectors(self.vector_field).data.len() * 4;
                match &s.index {
                    None => vectors,
                    Some(i) => {
                        let own = i.as_dyn().memory_bytes();
                        match i {
                            Index::Flat(_) | Index::Hnsw(_) => own + vectors,
                            Index::IvfFlat(_) | Index::IvfPq(_) => own,
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

    /// Builds the index of every sealed segment that has none (after create_index,
    /// or after a cancelled build).
    pub fn build_missing_indexes(&mut self, progress: &mut dyn Progress) -> Result<()> {
        let Some(def) = &self.index else {
            return Ok(());
        };
        let spec = def.spec;
        let field = self.vector_field;
        for (i, segment) in self.sealed.iter_mut().enumerate() {
            if segment.index.is_none() {
                let seed = build::segment_seed(self.seed, i);
                segment.index = Some(Index::build(&spec, segment.vectors(field), seed, progress)?);
            }
        }
        Ok(())
    }

    /// Milvus's `create_index` on the vector field: validates, prepares stored
    /// vectors for the metric (normalises them for COSINE) and builds the index of
    /// every sealed segment.
    pub fn create_index(
        &mut self,
        field_name: &str,
        index_name: &str,
        spec: IndexSpec,
        progress: &mut dyn Progress,
    ) -> Result<()> {
        self.define_index(field_name, index_name, spec)?;
        self.build_missing_indexes(progress)
    }

    /// The dimension of the vector field `field_name`, on which an index of type
    /// `index_type` (Milvus's name, as the caller wrote it) is to be created; or
    /// Milvus's refusal of a missing or scalar field. Milvus checks the field
    /// before the index's metric and parameters, so a caller that reads the
    /// index type from text asks this first.
    pub fn index_field(&self, field_name: &str, index_type: &str) -> Result<usize> {
        let field = self
            .schema
            .field(field_name)
            .ok_or_else(|| Error::IndexOnMissingField {
                field: field_name.to_owned(),
            })?;
        if let Some(dim) = field.dim {
            return Ok(dim);
        }
        let (expected, accepted): (&'static str, &[&str]) = if field.data_type == DataType::VarChar
        {
            ("Trie", &["Trie", "marisa-trie"])
        } else {
            ("STL_SORT", &["STL_SORT"])
        };
        // Milvus would build this scalar index; annlab has none (filters are
        // evaluated on the columns), so it says so instead of pretending.
        if accepted.contains(&index_type) {
            return Err(Error::ScalarIndexUnsupported {
                field: field_name.to_owned(),
                index_type: index_type.to_owned(),
            });
        }
        Err(Error::IndexTypeMismatch {
            field: field_name.to_owned(),
            expected,
            actual: index_type.to_owned(),
        })
    }

    /// `create_index` without the builds: the index is defined (and stored vectors
    /// prepared for its metric); sealed segments get theirs from
    /// [`Collection::build_missing_indexes`] or [`Collection::index_jobs`].
    pub fn define_index(
        &mut self,
        field_name: &str,
        index_name: &str,
        spec: IndexSpec,
    ) -> Result<()> {
        let dim = self.index_field(field_name, spec.params.index_type().name())?;
        spec.validate(dim)?;
        if let Some(existing) = &self.index {
            if existing.spec == spec {
                return Ok(()); // Milvus: creating the same index again is a no-op.
            }
            return Err(Error::IndexAlreadyExists {
                field: field_name.to_owned(),
            });
        }
        if spec.metric.normalises() {
            let f = self.vector_field;
            for segment in self.segments_mut() {
                let dim = segment.vectors(f).dim;
                for (row, v) in segment.vectors_mut(f).chunks_exact_mut(dim).enumerate() {
                    spec.metric.prepare(row, v)?;
                }
            }
        }
        self.index = Some(IndexDef {
            field: field_name.to_owned(),
            index_name: if index_name.is_empty() {
                field_name.to_owned()
            } else {
                index_name.to_owned()
            },
            spec,
        });
        Ok(())
    }

    pub fn index(&self) -> Option<&IndexDef> {
        self.index.as_ref()
    }

    /// Rows indexed so far (`utility.index_building_progress`).
    pub fn index_progress(&self) -> IndexProgress {
        let total_rows = self.num_entities();
        let indexed_rows = self
            .sealed
            .iter()
            .filter(|s| s.index.is_some())
            .map(Segment::num_rows)
            .sum();
        IndexProgress {
            total_rows,
            indexed_rows,
            pending_index_rows: total_rows - indexed_rows,
        }
    }

    /// Milvus's index state.
    pub fn index_state(&self) -> IndexState {
        match &self.index {
            None => IndexState::None,
            Some(_) if self.sealed.iter().all(|s| s.index.is_some()) => IndexState::Finished,
            Some(_) => IndexState::InProgress,
        }
    }

    /// Everything `describe_collection` / `describe_index` report.
    pub fn describe(&self) -> CollectionDescription {
        CollectionDescription {
            name: self.name.clone(),
            id: self.id,
            schema: self.schema.clone(),
            num_entities: self.num_entities(),
            loaded: self.is_loaded(),
            index: self.index.clone(),
            index_state: self.index_state(),
            index_progress: self.index_progress(),
            sealed_segments: self.sealed.len(),
            growing_rows: self.growing_rows(),
            num_partitions: self.partitions.len(),
        }
    }

    /// Drops the index (Milvus refuses while the collection is loaded).
    pub fn drop_index(&mut self) -> Result<()> {
        if self.is_loaded() {
            return Err(Error::DropIndexWhileLoaded);
        }
        self.index = None;
        self.sealed.iter_mut().for_each(|s| s.index = None);
        Ok(())
    }

    /// Milvus's `load`: needs an index; loads every partition, and the ones
    /// created later.
    pub fn load(&mut self) -> Result<()> {
        if self.index.is_none() {
            return Err(Error::IndexNotFound {
                collection: self.name.clone(),
            });
        }
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
