//! Insert: the tutorial's list-of-columns form. Everything is validated before
//! anything is applied.

use serde::{Deserialize, Serialize};

use super::{Collection, DEFAULT_PARTITION};
use crate::error::{Error, Result};
use crate::schema::{Column, DataType, FieldSchema};
use crate::value::PrimaryKey;

/// What an insert did (pymilvus's `MutationResult`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InsertResult {
    pub ids: Vec<PrimaryKey>,
    pub insert_count: usize,
}

impl Collection {
    /// Inserts columns given in schema order without an auto_id primary key (the
    /// tutorial's `collection.insert([embeddings, texts, sources, timestamps])`)
    /// into `_default`.
    pub fn insert(&mut self, columns: Vec<Column>) -> Result<InsertResult> {
        self.insert_into(DEFAULT_PARTITION, columns)
    }

    /// [`Collection::insert`] into the named partition.
    pub fn insert_into(
        &mut self,
        partition: &str,
        mut columns: Vec<Column>,
    ) -> Result<InsertResult> {
        let part = self.partition_position(partition)?;
        let fields: Vec<&FieldSchema> = self.schema.insert_fields().collect();
        let rows = columns.first().map_or(0, Column::len);
        if self.schema.enable_dynamic_field && columns.len() + 1 == fields.len() {
            // No dynamic data given: every row's `$meta` is `{}` (as in Milvus).
            let empty = serde_json::Value::Object(serde_json::Map::new());
            columns.push(Column::Json(vec![empty; rows]));
        }
        if columns.len() != fields.len() {
            return Err(Error::ColumnCountMismatch {
                expected: fields.len(),
                got: columns.len(),
            });
        }
        for (field, column) in fields.iter().zip(columns.iter_mut()) {
            fill_defaults(field, column)?;
        }
        for (field, column) in fields.iter().zip(&columns) {
            check_column(field, column, rows)?;
            if let (true, Column::Json(values)) = (field.is_dynamic, column) {
                self.check_dynamic(values)?;
            }
        }
        for (field, column) in fields.iter().zip(columns.iter_mut()) {
            let Column::FloatVector { dim, data } = column else {
                continue;
            };
            let position = self
                .schema
                .field_index(&field.name)
                .expect("a schema field");
            match self.metric_at(position) {
                Some(metric) => {
                    for (row, v) in data.chunks_exact_mut(*dim).enumerate() {
                        metric.prepare(row, v)?;
                    }
                }
                None => {
                    // No index yet: stored as given, but NaN/inf are refused all the same.
                    if let Some(p) = data.iter().position(|x| !x.is_finite()) {
                        return Err(Error::NonFiniteValue {
                            row: p / *dim,
                            position: p % *dim,
                        });
                    }
                }
            }
        }

        // Assign primary keys and put the columns in schema order.
        let pk = self
            .schema
            .fields
            .iter()
            .position(|f| f.is_primary)
            .expect("validated");
        let auto_id = self.schema.fields[pk].auto_id;
        let mut ordered = Vec::with_capacity(self.schema.fields.len());
        let mut given = columns.into_iter();
        for (i, _) in self.schema.fields.iter().enumerate() {
            if i == pk && auto_id {
                let start = self.next_auto_id;
                self.next_auto_id += rows as i64;
                ordered.push(Column::Int64((start..start + rows as i64).collect()));
            } else {
                ordered.push(given.next().expect("counted above"));
            }
        }
        let ids = (0..rows).map(|r| ordered[pk].primary_key(r)).collect();
        let growing = &mut self.growing[part];
        growing.append(&ordered);
        if growing.num_rows() >= self.segment_max_rows {
            // Full: seal without an index; the next flush builds it, and until then
            // the segment is searched exactly.
            let id = self.next_segment_id;
            self.next_segment_id += 1;
            let fresh = super::Segment::new(id, growing.partition, &self.schema);
            let full = std::mem::replace(growing, fresh);
            self.sealed.push(full);
            self.build_missing_scalar_indexes();
        }
        Ok(InsertResult {
            ids,
            insert_count: rows,
        })
    }
}

impl Collection {
    /// Milvus's checks of the rows' dynamic data: each a JSON object whose keys
    /// name no field of the schema and are not `$meta`.
    fn check_dynamic(&self, values: &[serde_json::Value]) -> Result<()> {
        for v in values {
            let serde_json::Value::Object(map) = v else {
                return Err(Error::DynamicDataNotObject {
                    kind: crate::value::json_kind(v),
                });
            };
            if map.contains_key(crate::schema::DYNAMIC_FIELD_NAME) {
                return Err(Error::DynamicKeyIsMeta);
            }
            if let Some(f) = self
                .schema
                .user_fields()
                .find(|f| map.contains_key(&f.name))
            {
                return Err(Error::DynamicKeyShadowsField {
                    field: f.name.clone(),
                });
            }
        }
        Ok(())
    }
}

/// A column given with null rows: those take the field's default value (then
/// a field that is not nullable has none left); a field with neither a default
/// nor nullable is Milvus's "Insert missed an field".
fn fill_defaults(field: &FieldSchema, column: &mut Column) -> Result<()> {
    let Some(valid) = column.validity() else {
        return Ok(());
    };
    if valid.iter().all(|&v| v) && field.nullable {
        return Ok(());
    }
    let missing = || Error::MissingField {
        field: field.name.clone(),
    };
    if field.default_value.is_none() && !field.nullable {
        if valid.iter().all(|&v| v) {
            *column = column.values().clone();
            return Ok(());
        }
        return Err(missing());
    }
    let Some(default) = &field.default_value else {
        return Ok(());
    };
    let plain = FieldSchema {
        nullable: false,
        ..field.clone()
    };
    let mut filled = Column::empty_for(if field.nullable { field } else { &plain });
    for (row, &ok) in valid.iter().enumerate() {
        if ok {
            filled.push_from(column.values(), row);
        } else if !filled.push_json(default) {
            return Err(Error::DefaultValueMismatch {
                field: field.name.clone(),
                data_type: field.data_type.name(),
            });
        }
    }
    *column = filled;
    Ok(())
}

/// Each row an array of at most `max_capacity` elements of the element type.
fn check_arrays(field: &FieldSchema, rows: &[serde_json::Value]) -> Result<()> {
    use serde_json::Value;
    let element = field.element_type.expect("validated");
    let max_capacity = field.max_capacity.expect("validated");
    let expected = match element {
        DataType::Bool => "bool",
        DataType::Int64 => "long",
        DataType::Float => "float",
        DataType::Double => "double",
        DataType::VarChar => "string",
        _ => "int",
    };
    let (lo, hi) = match element {
        DataType::Int8 => (i8::MIN.into(), i8::MAX.into()),
        DataType::Int16 => (i16::MIN.into(), i16::MAX.into()),
        DataType::Int32 => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN, i64::MAX),
    };
    for (row, v) in rows.iter().enumerate() {
        let Value::Array(items) = v else {
            return Err(Error::ArrayElementMismatch {
                expected,
                actual: crate::value::json_kind(v).to_owned(),
            });
        };
        if items.len() > max_capacity {
            return Err(Error::ArrayOverCapacity {
                length: items.len(),
                row,
                max_capacity,
            });
        }
        for x in items {
            let fits = match (element, x) {
                (DataType::Bool, Value::Bool(_)) => true,
                (DataType::Float | DataType::Double, Value::Number(_)) => true,
                (DataType::VarChar, Value::String(s)) => {
                    let max_length = field.max_length.expect("validated");
                    if s.len() > max_length {
                        return Err(Error::VarCharTooLong {
                            length: s.len(),
                            max_length,
                        });
                    }
                    true
                }
                (e, Value::Number(n)) if e.is_integer() => {
                    n.as_i64().is_some_and(|i| (lo..=hi).contains(&i))
                }
                _ => false,
            };
            if !fits {
                return Err(Error::ArrayElementMismatch {
                    expected,
                    actual: crate::value::json_kind(x).to_owned(),
                });
            }
        }
    }
    Ok(())
}

/// Type, length and content checks of one column.
fn check_column(field: &FieldSchema, column: &Column, rows: usize) -> Result<()> {
    if column.data_type() != field.data_type {
        return Err(Error::ColumnTypeMismatch {
            field: field.name.clone(),
            expected: field.data_type.name(),
            got: column.data_type().name(),
        });
    }
    match column.values() {
        Column::FloatVector { dim, data } => {
            let want = field.dim.expect("validated");
            if *dim != want || data.len() % want != 0 {
                return Err(Error::VectorDimMismatch {
                    expected: want,
                    got: *dim,
                });
            }
        }
        Column::Array(v) => check_arrays(field, v)?,
        Column::Float16Vector { dim, data } | Column::BFloat16Vector { dim, data } => {
            let want = field.dim.expect("validated");
            if *dim != want || data.len() % want != 0 {
                return Err(Error::VectorDimMismatch {
                    expected: want,
                    got: *dim,
                });
            }
            let kind = field.data_type.half_kind().expect("a two-byte float field");
            if let Some(p) = data.iter().position(|&h| !kind.to_f32(h).is_finite()) {
                return Err(Error::NonFiniteValue {
                    row: p / want,
                    position: p % want,
                });
            }
        }
        Column::BinaryVector { dim, data } => {
            let want = field.dim.expect("validated");
            if *dim != want {
                return Err(Error::VectorDimMismatch {
                    expected: want,
                    got: *dim,
                });
            }
            if data.len() % (want / 8) != 0 {
                return Err(Error::BinaryDataLength {
                    len: data.len(),
                    dim: want,
                });
            }
        }
        Column::VarChar(v) => {
            let max_length = field.max_length.expect("validated");
            if let Some(s) = v.iter().find(|s| s.len() > max_length) {
                return Err(Error::VarCharTooLong {
                    length: s.len(),
                    max_length,
                });
            }
        }
        _ => {}
    }
    if column.len() != rows {
        return Err(Error::ColumnLengthMismatch {
            field: field.name.clone(),
            expected: rows,
            got: column.len(),
        });
    }
    Ok(())
}
