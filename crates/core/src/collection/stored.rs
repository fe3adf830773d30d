//! A collection to and from its persisted form ([`crate::persist::form`]): what
//! is stored is chosen here, field by field; what is read back is checked for
//! consistency before it becomes a collection.

use super::{Collection, DEFAULT_PARTITION, IndexDef, Partition, Segment};
use crate::error::{Error, Result};
use crate::persist::form::{
    CollectionForm, IndexDefForm, PartitionForm, SegmentForm, SegmentRef, StoredCollection,
};
use crate::schema::{Column, DataType};

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
            index: self.index.as_ref().map(|d| IndexDefForm {
                field: d.field.clone(),
                index_name: d.index_name.clone(),
                metric: d.spec.metric,
                params: (&d.spec).into(),
            }),
            segments: self
                .sealed
                .iter()
                .map(|s| SegmentForm {
                    id: s.id,
                    partition: s.partition,
                    columns: s.columns.as_slice(),
                    deleted: &s.deleted,
                    index: s.index.as_ref(),
                })
                .collect(),
            properties: self
                .properties
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// The collection a persisted form describes: released, every partition with
    /// an empty growing segment. Inconsistent forms are refused as corrupt data.
    pub(crate) fn from_persisted(form: StoredCollection) -> Result<Self> {
        let corrupt = |reason: String| Error::CorruptData { reason };
        let schema = form.schema;
        let vector_field = schema
            .fields
            .iter()
            .position(|f| f.data_type == DataType::FloatVector)
            .ok_or_else(|| corrupt("the schema has no vector field".into()))?;
        match form.partitions.first() {
            Some(p) if p.name == DEFAULT_PARTITION => {}
            _ => {
                return Err(corrupt(format!(
                    "the first partition is not {DEFAULT_PARTITION}"
                )));
            }
        }
        let index = match form.index {
            None => None,
            Some(d) => {
                if schema.field(&d.field).and_then(|f| f.dim).is_none() {
                    return Err(corrupt(format!(
                        "the index is on '{}', which is not a vector field",
                        d.field
                    )));
                }
                Some(IndexDef {
                    spec: d.spec(),
                    field: d.field,
                    index_name: d.index_name,
                })
            }
        };
        let mut sealed = Vec::with_capacity(form.segments.len());
        for s in form.segments {
            let segment = Segment {
                id: s.id,
                partition: s.partition,
                columns: s.columns,
                deleted: s.deleted,
                index: s.index,
            };
            check_segment(&segment, &schema, &form.partitions, index.is_some())
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
        Ok(Self {
            name: form.name,
            id: form.id,
            schema,
            vector_field,
            sealed,
            growing,
            partitions,
            next_partition_id: form.next_partition_id,
            index,
            loaded: false,
            next_auto_id: form.next_auto_id,
            next_segment_id: form.next_segment_id,
            segment_max_rows: (form.segment_max_rows as usize).max(1),
            seed: form.seed,
            properties: form.properties.into_iter().collect(),
        })
    }
}

/// What the decoder cannot check: a column per field, of its type and length,
/// deletions over the segment's rows, a partition that exists, no index without a
/// definition.
fn check_segment(
    s: &Segment,
    schema: &crate::schema::CollectionSchema,
    partitions: &[PartitionForm],
    has_index_def: bool,
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
        if let Column::FloatVector { dim, .. } = c
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
    match &s.index {
        Some(_) if !has_index_def => return Err("an index without an index definition".into()),
        Some(i) if i.as_dyn().len() != rows => {
            return Err(format!("an index of {} rows", i.as_dyn().len()));
        }
        _ => {}
    }
    Ok(())
}
