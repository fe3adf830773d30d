//! Indexes per vector field: a collection may have several vector fields
//! (Milvus 2.4+), each with at most one index definition, and every sealed
//! segment holds one built index per defined field. Load needs every vector
//! field indexed; a search names the field it searches (`anns_field`).

use serde::{Deserialize, Serialize};

use super::{Collection, Segment, build};
use crate::error::{Error, Result};
use crate::index::spec::IndexSpec;
use crate::index::{Index, Progress, VectorView};
use crate::metric::Metric;
use crate::schema::{CollectionSchema, Column, DataType};

/// Milvus's `proxy.maxVectorFieldNum`: vector fields a collection may have.
pub const MAX_VECTOR_FIELDS: usize = 4;

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

/// How far the index build is (`utility.index_building_progress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexProgress {
    pub total_rows: usize,
    pub indexed_rows: usize,
    pub pending_index_rows: usize,
}

/// The positions of the vector fields of `schema`, in schema order.
pub(super) fn vector_fields(schema: &CollectionSchema) -> Vec<usize> {
    schema
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.data_type.is_vector())
        .map(|(i, _)| i)
        .collect()
}

impl Collection {
    /// The positions of the vector fields in the schema.
    pub fn vector_fields(&self) -> &[usize] {
        &self.vector_fields
    }

    /// The position in the schema of vector field `name`.
    pub(super) fn vector_field_position(&self, name: &str) -> Option<usize> {
        self.vector_fields
            .iter()
            .copied()
            .find(|&f| self.schema.fields[f].name == name)
    }

    /// The index definition of the vector field at position `field`.
    pub(super) fn index_def_at(&self, field: usize) -> Option<&IndexDef> {
        let name = &self.schema.fields[field].name;
        self.indexes.iter().find(|d| &d.field == name)
    }

    /// The metric the vectors of field `field` are prepared for (its index's,
    /// once it has one).
    pub(super) fn metric_at(&self, field: usize) -> Option<Metric> {
        self.index_def_at(field).map(|d| d.spec.metric)
    }

    /// The seed of the index of the `i`-th sealed segment on vector field
    /// `field`: the first vector field's is the collection's segment seed.
    pub(super) fn index_seed(&self, field: usize, i: usize) -> u64 {
        let k = self
            .vector_fields
            .iter()
            .position(|&f| f == field)
            .unwrap_or(0) as u64;
        build::segment_seed(self.seed, i) ^ k.wrapping_mul(0xD1B5_4A32_D192_ED03)
    }

    /// Builds the index of every sealed segment that lacks one of a defined
    /// field (after create_index, or after a cancelled build).
    pub fn build_missing_indexes(&mut self, progress: &mut dyn Progress) -> Result<()> {
        for d in 0..self.indexes.len() {
            let spec = self.indexes[d].spec;
            let field = self
                .vector_field_position(&self.indexes[d].field)
                .expect("an index is defined on a vector field");
            for i in 0..self.sealed.len() {
                if self.sealed[i].index(field).is_none() {
                    let seed = self.index_seed(field, i);
                    let index = build_segment_index(&self.sealed[i], field, &spec, seed, progress)?;
                    self.sealed[i].indexes.insert(field, index);
                }
            }
        }
        Ok(())
    }

    /// Milvus's `create_index` on a vector field: validates, prepares stored
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
        // A scalar index type takes `create_scalar_index` instead.
        let expected = if field.data_type == DataType::VarChar {
            "Trie"
        } else {
            "STL_SORT"
        };
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
        let f = self
            .vector_field_position(field_name)
            .expect("index_field checked it is a vector field");
        spec.params
            .index_type()
            .check_field_type(self.schema.fields[f].data_type)?;
        spec.validate(dim)?;
        if let Some(existing) = self.index_def_at(f) {
            if existing.spec == spec {
                return Ok(()); // Milvus: creating the same index again is a no-op.
            }
            return Err(Error::IndexAlreadyExists {
                field: field_name.to_owned(),
            });
        }
        let index_name = self.new_index_name(field_name, index_name)?;
        if spec.metric.normalises() && self.schema.fields[f].data_type == DataType::FloatVector {
            // Two-byte floats stay as stored: they are normalised as they are widened.
            for segment in self.segments_mut() {
                let dim = segment.vectors(f).dim;
                for (row, v) in segment.vectors_mut(f).chunks_exact_mut(dim).enumerate() {
                    spec.metric.prepare(row, v)?;
                }
            }
        }
        self.indexes.push(IndexDef {
            field: field_name.to_owned(),
            index_name,
            spec,
        });
        Ok(())
    }

    /// The first index defined (the only one of a collection with one vector
    /// field).
    pub fn index(&self) -> Option<&IndexDef> {
        self.indexes.first()
    }

    /// Every index defined, in the order of their creation.
    pub fn indexes(&self) -> &[IndexDef] {
        &self.indexes
    }

    /// The index on field `field_name`, if it has one.
    pub fn index_on(&self, field_name: &str) -> Option<&IndexDef> {
        self.indexes.iter().find(|d| d.field == field_name)
    }

    /// Whether sealed segment `s` has every index defined.
    fn fully_indexed(&self, s: &Segment) -> bool {
        self.indexes.iter().all(|d| {
            self.vector_field_position(&d.field)
                .is_some_and(|f| s.index(f).is_some())
        })
    }

    /// Rows indexed so far over every index (`utility.index_building_progress`).
    pub fn index_progress(&self) -> IndexProgress {
        self.progress_where(|s| self.fully_indexed(s))
    }

    /// Rows indexed so far by the index on field `field_name`.
    pub fn index_progress_of(&self, field_name: &str) -> IndexProgress {
        if self.scalar_index_on(field_name).is_some() {
            // Built with the seal: every sealed row is indexed.
            return self.progress_where(|_| true);
        }
        let f = self.vector_field_position(field_name);
        self.progress_where(|s| f.is_some_and(|f| s.index(f).is_some()))
    }

    fn progress_where(&self, indexed: impl Fn(&Segment) -> bool) -> IndexProgress {
        let total_rows = self.num_entities();
        let indexed_rows = self
            .sealed
            .iter()
            .filter(|s| indexed(s))
            .map(Segment::num_rows)
            .sum();
        IndexProgress {
            total_rows,
            indexed_rows,
            pending_index_rows: total_rows - indexed_rows,
        }
    }

    /// Milvus's index state, over every index.
    pub fn index_state(&self) -> IndexState {
        if self.indexes.is_empty() && self.scalar_indexes.is_empty() {
            IndexState::None
        } else if self.sealed.iter().all(|s| self.fully_indexed(s)) {
            IndexState::Finished
        } else {
            IndexState::InProgress
        }
    }

    /// Milvus's index state of the index on field `field_name`.
    pub fn index_state_of(&self, field_name: &str) -> IndexState {
        match self.scalar_index_built(field_name) {
            Some(true) => return IndexState::Finished,
            Some(false) => return IndexState::InProgress,
            None => {}
        }
        match self.vector_field_position(field_name) {
            Some(f) if self.index_def_at(f).is_some() => {
                if self.sealed.iter().all(|s| s.index(f).is_some()) {
                    IndexState::Finished
                } else {
                    IndexState::InProgress
                }
            }
            _ => IndexState::None,
        }
    }

    /// Drops the only index (Milvus refuses while the collection is loaded).
    pub fn drop_index(&mut self) -> Result<()> {
        self.drop_index_named("", "")
    }

    /// Milvus's DropIndex: the index named `index_name`, else the one on
    /// `field_name`, else the only one. Refused while the collection is
    /// loaded; dropping an index that does not exist succeeds, as in Milvus.
    pub fn drop_index_named(&mut self, field_name: &str, index_name: &str) -> Result<()> {
        if self.is_loaded() {
            return Err(Error::DropIndexWhileLoaded);
        }
        let named = |field: &str, name: &str| {
            (index_name.is_empty() || name == index_name)
                && (field_name.is_empty() || field == field_name)
        };
        let found: Vec<usize> = (0..self.indexes.len())
            .filter(|&i| named(&self.indexes[i].field, &self.indexes[i].index_name))
            .collect();
        let scalar: Vec<usize> = (0..self.scalar_indexes.len())
            .filter(|&i| {
                let d = &self.scalar_indexes[i];
                named(&d.field, &d.index_name)
            })
            .collect();
        let at = match (found.as_slice(), scalar.as_slice()) {
            ([], []) => return Ok(()),
            ([one], []) => *one,
            ([], [one]) => {
                self.remove_scalar_index(*one);
                return Ok(());
            }
            _ => return Err(Error::AmbiguousIndex),
        };
        let def = self.indexes.remove(at);
        self.index_properties.remove(&def.index_name);
        let f = self
            .vector_field_position(&def.field)
            .expect("an index is defined on a vector field");
        self.sealed.iter_mut().for_each(|s| {
            s.indexes.remove(&f);
        });
        Ok(())
    }

    /// Milvus's precondition of load: an index on every vector field.
    pub(super) fn check_loadable(&self) -> Result<()> {
        if self.indexes.is_empty() {
            return Err(Error::IndexNotFound {
                collection: self.name.clone(),
            });
        }
        let missing: Vec<String> = self
            .vector_fields
            .iter()
            .filter(|&&f| self.index_def_at(f).is_none())
            .map(|&f| self.schema.fields[f].name.clone())
            .collect();
        if !missing.is_empty() {
            return Err(Error::VectorFieldsNotIndexed { fields: missing });
        }
        Ok(())
    }

    /// The index a search of `anns_field` runs on (None if the field is
    /// missing, ambiguous or not indexed: the search itself says which).
    pub fn search_index(&self, anns_field: &str) -> Option<&IndexDef> {
        self.anns_field(anns_field).ok().map(|(_, d)| d)
    }

    /// The search's vector field: `anns_field`, or the only vector field when it
    /// is empty; with Milvus's refusals of a missing or ambiguous one. Returns
    /// its position and its index definition.
    pub(super) fn anns_field(&self, anns_field: &str) -> Result<(usize, &IndexDef)> {
        let f = if anns_field.is_empty() {
            match self.vector_fields.as_slice() {
                [one] => *one,
                _ => return Err(Error::AnnsFieldAmbiguous),
            }
        } else {
            self.vector_field_position(anns_field)
                .ok_or_else(|| Error::UnknownAnnsField {
                    field: anns_field.to_owned(),
                })?
        };
        let def = self.index_def_at(f).ok_or_else(|| Error::IndexNotFound {
            collection: self.name.clone(),
        })?;
        Ok((f, def))
    }
}

/// Builds the index `spec` of sealed segment `s`'s vector field `field`:
/// binary vectors as they are, float vectors as `f32` (two-byte floats widened
/// for the build, the copy dropped after it).
pub(super) fn build_segment_index(
    s: &Segment,
    field: usize,
    spec: &IndexSpec,
    seed: u64,
    progress: &mut dyn Progress,
) -> Result<Index> {
    match &s.columns[field] {
        Column::BinaryVector { .. } => {
            Index::build_binary(spec, s.binary_vectors(field), seed, progress)
        }
        column => {
            let dim = s.vectors_dim(field, column);
            let rows = s.float_rows(field, 0..s.num_rows(), spec.metric);
            Index::build(spec, VectorView::new(dim, &rows), seed, progress)
        }
    }
}
