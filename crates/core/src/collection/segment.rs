//! A segment: a run of rows stored column by column, with its deletions and, once
//! sealed, its own index. Milvus grows a segment as rows arrive and seals it on
//! flush (or when it is full); only sealed segments are indexed, growing rows are
//! searched exactly.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use super::scalar_index::ScalarIndex;
use crate::bitset::Bitset;
use crate::index::binary::BinaryView;
use crate::index::{Index, VectorView};
use crate::metric::Metric;
use crate::schema::{CollectionSchema, Column};

/// A segment, growing or sealed: which one is where the collection holds it
/// (`Collection::growing` or `Collection::sealed`).
#[derive(Debug)]
pub struct Segment {
    pub id: i64,
    /// The id of the partition the rows belong to.
    pub partition: i64,
    /// One column per schema field, in schema order (the primary key included).
    pub columns: Vec<Column>,
    pub deleted: Bitset,
    /// The built indexes of a sealed segment, by the position of their vector
    /// field in the schema (none while growing, before the field has an index
    /// definition, or if a build was cancelled).
    pub indexes: BTreeMap<usize, Index>,
    /// The built scalar indexes of a sealed segment, by the position of their
    /// field in the schema.
    pub scalar_indexes: BTreeMap<usize, ScalarIndex>,
}

impl Segment {
    pub fn new(id: i64, partition: i64, schema: &CollectionSchema) -> Self {
        Self {
            id,
            partition,
            columns: schema.fields.iter().map(Column::empty_for).collect(),
            deleted: Bitset::new(0),
            indexes: BTreeMap::new(),
            scalar_indexes: BTreeMap::new(),
        }
    }

    /// The built index of vector field `field` (its position in the schema).
    pub fn index(&self, field: usize) -> Option<&Index> {
        self.indexes.get(&field)
    }

    pub fn num_rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    pub fn live_rows(&self) -> usize {
        self.num_rows() - self.deleted.count()
    }

    /// Appends rows (columns in schema order, already validated).
    pub fn append(&mut self, columns: &[Column]) {
        for (mine, theirs) in self.columns.iter_mut().zip(columns) {
            mine.extend_from(theirs);
        }
        self.deleted.resize(self.num_rows());
    }

    /// The vectors of field `field` (a FloatVector field).
    pub fn vectors(&self, field: usize) -> VectorView<'_> {
        match &self.columns[field] {
            Column::FloatVector { dim, data } => VectorView::new(*dim, data),
            other => unreachable!("field {field} is {:?}, not a vector", other.data_type()),
        }
    }

    /// The vectors of field `field` (a BinaryVector field).
    pub fn binary_vectors(&self, field: usize) -> BinaryView<'_> {
        match &self.columns[field] {
            Column::BinaryVector { dim, data } => BinaryView::new(*dim, data),
            other => unreachable!("field {field} is {:?}, not binary", other.data_type()),
        }
    }

    /// Rows `rows` of float vector field `field` (FLOAT, FLOAT16 or BFLOAT16)
    /// as `f32` prepared for `metric`: borrowed for FloatVector (stored
    /// prepared), widened for the two-byte types (normalised for COSINE; a zero
    /// row stays zero). The widened rows are a transient copy, never kept.
    pub fn float_rows(&self, field: usize, rows: Range<usize>, metric: Metric) -> Cow<'_, [f32]> {
        match &self.columns[field] {
            Column::FloatVector { dim, data } => {
                Cow::Borrowed(&data[rows.start * dim..rows.end * dim])
            }
            Column::Float16Vector { dim, data } | Column::BFloat16Vector { dim, data } => {
                let kind = self.columns[field]
                    .data_type()
                    .half_kind()
                    .expect("a two-byte float column");
                let mut out = Vec::new();
                kind.widen_into(&data[rows.start * dim..rows.end * dim], &mut out);
                if metric.normalises() {
                    for (row, v) in out.chunks_exact_mut(*dim).enumerate() {
                        let _zero_stays_zero = metric.prepare(row, v);
                    }
                }
                Cow::Owned(out)
            }
            other => unreachable!(
                "field {field} is {:?}, not a float vector",
                other.data_type()
            ),
        }
    }

    /// The dimension of vector field `field`, whose column is `column`.
    pub fn vectors_dim(&self, field: usize, column: &Column) -> usize {
        match column {
            Column::FloatVector { dim, .. }
            | Column::Float16Vector { dim, .. }
            | Column::BFloat16Vector { dim, .. }
            | Column::BinaryVector { dim, .. } => *dim,
            other => unreachable!("field {field} is {:?}, not a vector", other.data_type()),
        }
    }

    /// Huge pages under what a search of this segment reads at random: its
    /// float vectors and its indexes' graphs and codes (see [`crate::memory`]).
    pub fn advise_huge_pages(&self) {
        for column in &self.columns {
            if let Column::FloatVector { data, .. } = column {
                crate::memory::advise_huge_pages(data);
            }
        }
        for index in self.indexes.values() {
            index.as_dyn().advise_huge_pages();
        }
    }

    /// Bytes held by the vectors of field `field`.
    pub fn vector_bytes(&self, field: usize) -> usize {
        match &self.columns[field] {
            Column::FloatVector { data, .. } => data.len() * 4,
            Column::Float16Vector { data, .. } | Column::BFloat16Vector { data, .. } => {
                data.len() * 2
            }
            Column::BinaryVector { data, .. } => data.len(),
            _ => 0,
        }
    }

    pub fn vectors_mut(&mut self, field: usize) -> &mut [f32] {
        match &mut self.columns[field] {
            Column::FloatVector { data, .. } => data,
            other => unreachable!("field {field} is {:?}, not a vector", other.data_type()),
        }
    }

    /// Rows that may be returned: `filter` (if any) without the deleted rows. None
    /// means "every row".
    pub fn allowed(&self, filter: Option<Bitset>) -> Option<Bitset> {
        match (filter, self.deleted.count()) {
            (None, 0) => None,
            (None, _) => {
                let mut all = Bitset::full(self.num_rows());
                all.and_not_with(&self.deleted);
                Some(all)
            }
            (Some(mut f), _) => {
                f.and_not_with(&self.deleted);
                Some(f)
            }
        }
    }

    /// Bytes held by the columns (vectors included) and the index.
    pub fn memory_bytes(&self) -> usize {
        let cols: usize = self.columns.iter().map(column_bytes).sum();
        let indexes: usize = self
            .indexes
            .values()
            .map(|i| i.as_dyn().memory_bytes())
            .sum();
        let scalar: usize = self
            .scalar_indexes
            .values()
            .map(ScalarIndex::memory_bytes)
            .sum();
        cols + indexes + scalar
    }
}

/// Bytes held by a column.
fn column_bytes(c: &Column) -> usize {
    match c {
        Column::Bool(v) => v.len(),
        Column::Int32(v) => v.len() * 4,
        Column::Int64(v) => v.len() * 8,
        Column::Float(v) => v.len() * 4,
        Column::Double(v) => v.len() * 8,
        Column::VarChar(v) => v.iter().map(|s| s.len() + 24).sum(),
        Column::FloatVector { data, .. } => data.len() * 4,
        Column::Int8(v) => v.len(),
        Column::Int16(v) => v.len() * 2,
        Column::Json(v) | Column::Array(v) => v.iter().map(crate::value::json_bytes).sum(),
        Column::Nullable { values, valid } => column_bytes(values) + valid.len(),
        Column::Float16Vector { data, .. } | Column::BFloat16Vector { data, .. } => data.len() * 2,
        Column::BinaryVector { data, .. } => data.len(),
    }
}

/// A segment's columns by field name, for evaluating filter expressions.
pub struct SegmentColumns<'a> {
    pub schema: &'a CollectionSchema,
    pub segment: &'a Segment,
}

impl crate::expr::Columns for SegmentColumns<'_> {
    fn num_rows(&self) -> usize {
        self.segment.num_rows()
    }

    fn column(&self, field: &str) -> Option<&Column> {
        self.schema
            .field_index(field)
            .map(|i| &self.segment.columns[i])
    }

    fn index_rows(&self, field: &str, query: &crate::expr::IndexQuery<'_>) -> Option<Bitset> {
        let index = self.scalar_index(field)?;
        index.rows(query)
    }

    fn has_index(&self, field: &str) -> bool {
        self.scalar_index(field).is_some_and(ScalarIndex::answers)
    }
}

impl SegmentColumns<'_> {
    /// The segment's scalar index on `field`, if built over all its rows.
    fn scalar_index(&self, field: &str) -> Option<&ScalarIndex> {
        let i = self.schema.field_index(field)?;
        self.segment
            .scalar_indexes
            .get(&i)
            .filter(|x| x.num_rows() == self.segment.num_rows())
    }
}
