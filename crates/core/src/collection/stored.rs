//! A collection to and from its persisted form ([`crate::persist::form`]): what
//! is stored is chosen here, field by field; what is read back is checked for
//! consistency before it becomes a collection.

use super::{Collection, DEFAULT_PARTITION, IndexDef, Partition, Segment};
use crate::error::{Error, Result};
use crate::persist::form::{
    CollectionForm, IndexDefForm, PartitionForm, SegmentForm, SegmentRef, StoredCollection,
};
use crate::schema::Column;

impl Collection {
    /// What is stored of the collection, borrowing its sealed segments' data:
    /// neither load state nor growing rows.
    pub(crate) fn persisted_form(&self) -> CollectionForm<SegmentRef<'_>> {
        CollectionForm {
            name: self.name.clone(),
            id: self.id,
            schema: self.schema.clone(),
            seed: self.seed,
            segment_max_rows: self.segment_max_rows as u64,
            next_auto_id: self.next_auto_id,
            next_segment_id: self.next_segment_id,
            next_partition_id: self.next_partition_id,
            partitions: self
                .partitions
                .iter()
                .zip(&self.growing)
                .map(|(p, g)| PartitionForm {
                    id: p.id,
                    name: p.name.clone(),
                    growing_segment_id: g.id,
                })
                .collect(),
            indexes: self
                .indexes
                .iter()
                .map(|d| IndexDefForm {
                    field: d.field.clone(),
                    index_name: d.index_name.clone(),
                    metric: d.spec.metric,
                    params: (&d.spec).into(),
                    autoindex: d.spec.autoindex,
                })
                .collect(),
            segments: self
                .sealed
                .iter()
                .map(|s| SegmentForm {
                    id: s.id,
                    partition: s.partition,
                    columns: s.columns.as_slice(),
                    deleted: &s.deleted,
                    indexes: s.indexes.iter().map(|(&f, i)| (f as u64, i)).collect(),
                    scalar_indexes: s
                        .scalar_indexes
                        .iter()
                        .map(|(&f, i)| (f as u64, i))
                        .collect(),
                })
                .collect(),
            properties: self
                .properties
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            scalar_indexes: self.scalar_indexes.clone(),
            index_properties: self
                .index_properties
                .iter()
                .map(|(name, props)| {
                    let props = props.iter().map(|(k, v)| (k.clone(), v.clone()));
                    (name.clone(), props.collect())
                })
                .collect(),
        }
    }

    /// The collection a persisted form describes: released, every partition with
    /// an empty growing segment. Inconsistent forms are refused as corrupt data.
    pub(crate) fn from_persisted(form: StoredCollection) -> Result<Self> {
        let corrupt = |reason: String| Error::CorruptData { reason };
        let schema = form.schema;
        let vector_fields = super::indexes::vector_fields(&schema);
        if vector_fields.is_empty() {
            return Err(corrupt("the schema has no vector field".into()));
        }
        match form.partitions.first() {
            Some(p) if p.name == DEFAULT_PARTITION => {}
            _ => {
                return Err(corrupt(format!(
                    "the first partition is not {DEFAULT_PARTITION}"
                )));
            }
        }
        let mut indexes: Vec<IndexDef> = Vec::with_capacity(form.indexes.len());
        for d in form.indexes {
            if !schema
                .field(&d.field)
                .is_some_and(|f| f.data_type.is_vector())
            {
                return Err(corrupt(format!(
                    "the index is on '{}', which is not a vector field",
                    d.field
                )));
            }
            if indexes.iter().any(|e| e.field == d.field) {
                return Err(corrupt(format!("two indexes on '{}'", d.field)));
            }
            indexes.push(IndexDef {
                spec: d.spec(),
                field: d.field,
                index_name: d.index_name,
            });
        }
        let defined: Vec<usize> = indexes
            .iter()
            .filter_map(|d| schema.field_index(&d.field))
            .collect();
        for d in &form.scalar_indexes {
            let field = schema.field(&d.field).ok_or_else(|| {
                corrupt(format!("a scalar index on '{}', which is missing", d.field))
            })?;
            d.index_type.check_field(field)?;
        }
        let scalar_defined: Vec<usize> = form
            .scalar_indexes
            .iter()
            .filter_map(|d| schema.field_index(&d.field))
            .collect();
        let mut sealed = Vec::with_capacity(form.segments.len());
        for s in form.segments {
            let segment = Segment {
                id: s.id,
                partition: s.partition,
                columns: s.columns,
                deleted: s.deleted,
                indexes: s
                    .indexes
                    .into_iter()
                    .map(|(f, i)| (f as usize, i))
                    .collect(),
                scalar_indexes: s
                    .scalar_indexes
                    .into_iter()
                    .map(|(f, i)| (f as usize, i))
                    .collect(),
            };
            check_segment(&segment, &schema, &form.partitions, &defined)
                .and_then(|()| check_scalar_indexes(&segment, &scalar_defined))
                .map_err(|reason| corrupt(format!("segment {}: {reason}", s.id)))?;
            sealed.push(segment);
        }
        let growing = form
            .partitions
            .iter()
            .map(|p| Segment::new(p.growing_segment_id, p.id, &schema))
            .collect();
        let partitions = form
            .partitions
            .into_iter()
            .map(|p| Partition {
                id: p.id,
                name: p.name,
                loaded: false,
            })
            .collect();
        let mut c = Self {
            name: form.name,
            id: form.id,
            schema,
            vector_fields,
            sealed,
            growing,
            partitions,
            next_partition_id: form.next_partition_id,
            indexes,
            scalar_indexes: form.scalar_indexes,
            index_properties: form
                .index_properties
                .into_iter()
                .map(|(name, props)| (name, props.into_iter().collect()))
                .collect(),
            loaded: false,
            next_auto_id: form.next_auto_id,
            next_segment_id: form.next_segment_id,
            segment_max_rows: (form.segment_max_rows as usize).max(1),
            seed: form.seed,
            properties: form.properties.into_iter().collect(),
        };
        c.build_missing_scalar_indexes();
        Ok(c)
    }
}

/// Scalar indexes only of defined fields, each over the segment's rows.
fn check_scalar_indexes(s: &Segment, defined: &[usize]) -> std::result::Result<(), String> {
    for (f, i) in &s.scalar_indexes {
        if !defined.contains(f) {
            return Err("a scalar index without an index definition".into());
        }
        if i.num_rows() != s.num_rows() {
            return Err(format!("a scalar index of {} rows", i.num_rows()));
        }
    }
    Ok(())
}

/// What the decoder cannot check: a column per field, of its type and length,
/// deletions over the segment's rows, a partition that exists, no index without a
/// definition.
fn check_segment(
    s: &Segment,
    schema: &crate::schema::CollectionSchema,
    partitions: &[PartitionForm],
    defined: &[usize],
) -> std::result::Result<(), String> {
    if s.columns.len() != schema.fields.len() {
        return Err(format!(
            "{} columns for {} fields",
            s.columns.len(),
            schema.fields.len()
        ));
    }
    let rows = s.num_rows();
    for (c, f) in s.columns.iter().zip(&schema.fields) {
        if c.data_type() != f.data_type || c.len() != rows {
            return Err(format!("column '{}' does not match the schema", f.name));
        }
        if let Column::FloatVector { dim, .. }
        | Column::Float16Vector { dim, .. }
        | Column::BFloat16Vector { dim, .. }
        | Column::BinaryVector { dim, .. } = c
            && Some(*dim) != f.dim
        {
            return Err(format!("column '{}' has dim {dim}", f.name));
        }
    }
    if s.deleted.len() != rows {
        return Err(format!("{} deletion bits for {rows} rows", s.deleted.len()));
    }
    if !partitions.iter().any(|p| p.id == s.partition) {
        return Err(format!("partition {} does not exist", s.partition));
    }
    for (f, i) in &s.indexes {
        if !defined.contains(f) {
            return Err("an index without an index definition".into());
        }
        if i.as_dyn().len() != rows {
            return Err(format!("an index of {} rows", i.as_dyn().len()));
        }
    }
    Ok(())
}
