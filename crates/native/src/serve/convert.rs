//! Milvus's protobuf messages to and from the engine's types: schemas, columns of
//! field data, primary keys, query vectors, key-value parameters.

use annlab_core::collection::OutputColumns;
use annlab_core::half::HalfKind;
use annlab_core::schema::{CollectionSchema, Column, DataType, FieldSchema};
use annlab_core::value::{PrimaryKey, le_bytes};
use milvus::proto::common::{KeyValuePair, PlaceholderGroup, PlaceholderType};
use milvus::proto::schema::{
    self as pb, BoolArray, DoubleArray, FieldData, FloatArray, IDs, IntArray, JsonArray, LongArray,
    ScalarField, StringArray, VectorField, field_data, i_ds, scalar_field, vector_field,
};
use prost::Message;

use super::codes::{LEGACY_UNEXPECTED, PARAMETER_INVALID, UNEXPECTED};
use super::status::Failure;
use super::values::{
    array_to_proto, array_values, guess_element, json_values, narrow, value_from_proto,
    value_to_proto, with_validity,
};

/// Milvus numbers fields from 100 on.
pub const FIRST_FIELD_ID: i64 = 100;

/// The value of `key` in Milvus's key-value list.
pub fn kv<'a>(pairs: &'a [KeyValuePair], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|p| p.key == key)
        .map(|p| p.value.as_str())
}

pub fn pair(key: &str, value: impl ToString) -> KeyValuePair {
    KeyValuePair {
        key: key.to_owned(),
        value: value.to_string(),
    }
}

/// Properties (collection or database) as Milvus sends them.
pub fn pairs_from_proto(pairs: &[KeyValuePair]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|p| (p.key.clone(), p.value.clone()))
        .collect()
}

pub fn pairs_to_proto(pairs: &[(String, String)]) -> Vec<KeyValuePair> {
    pairs.iter().map(|(k, v)| pair(k, v)).collect()
}

fn data_type_from_proto(code: i32, field: &str) -> Result<DataType, Failure> {
    Ok(match pb::DataType::try_from(code) {
        Ok(pb::DataType::Bool) => DataType::Bool,
        Ok(pb::DataType::Int32) => DataType::Int32,
        Ok(pb::DataType::Int64) => DataType::Int64,
        Ok(pb::DataType::Float) => DataType::Float,
        Ok(pb::DataType::Double) => DataType::Double,
        Ok(pb::DataType::VarChar) => DataType::VarChar,
        Ok(pb::DataType::FloatVector) => DataType::FloatVector,
        Ok(pb::DataType::Int8) => DataType::Int8,
        Ok(pb::DataType::Int16) => DataType::Int16,
        Ok(pb::DataType::Json) => DataType::Json,
        Ok(pb::DataType::Array) => DataType::Array,
        Ok(pb::DataType::Float16Vector) => DataType::Float16Vector,
        Ok(pb::DataType::BFloat16Vector) => DataType::BFloat16Vector,
        Ok(pb::DataType::BinaryVector) => DataType::BinaryVector,
        Ok(other) => {
            return Err(Failure::unsupported(format!(
                "the data type {} (field {field}); use Bool, Int8, Int16, Int32, Int64, Float, Double, VarChar, JSON, Array, FloatVector, Float16Vector, BFloat16Vector or BinaryVector",
                other.as_str_name()
            )));
        }
        Err(_) => return Err(Failure::invalid(format!("unknown data type {code}"))),
    })
}

pub fn data_type_to_proto(t: DataType) -> pb::DataType {
    match t {
        DataType::Bool => pb::DataType::Bool,
        DataType::Int32 => pb::DataType::Int32,
        DataType::Int64 => pb::DataType::Int64,
        DataType::Float => pb::DataType::Float,
        DataType::Double => pb::DataType::Double,
        DataType::VarChar => pb::DataType::VarChar,
        DataType::FloatVector => pb::DataType::FloatVector,
        DataType::Int8 => pb::DataType::Int8,
        DataType::Int16 => pb::DataType::Int16,
        DataType::Json => pb::DataType::Json,
        DataType::Array => pb::DataType::Array,
        DataType::Float16Vector => pb::DataType::Float16Vector,
        DataType::BFloat16Vector => pb::DataType::BFloat16Vector,
        DataType::BinaryVector => pb::DataType::BinaryVector,
    }
}

/// A number in a type param (`dim`, `max_length`), as pymilvus sends it (a string).
fn type_param(pairs: &[KeyValuePair], key: &str) -> Result<Option<usize>, Failure> {
    match kv(pairs, key) {
        None => Ok(None),
        Some(v) => v.trim().parse::<usize>().map(Some).map_err(|_| {
            Failure::new(
                PARAMETER_INVALID,
                format!("type param {key} should be a non-negative integer, got '{v}'"),
            )
        }),
    }
}

/// The serialized `schema.CollectionSchema` of a CreateCollection request.
pub fn schema_from_proto(bytes: &[u8]) -> Result<CollectionSchema, Failure> {
    let s = pb::CollectionSchema::decode(bytes)
        .map_err(|e| Failure::invalid(format!("cannot decode the collection schema: {e}")))?;
    let mut fields = Vec::with_capacity(s.fields.len());
    // The hidden `$meta` field is the server's (Milvus adds it itself).
    for f in s.fields.iter().filter(|f| !f.is_dynamic) {
        let mut field = FieldSchema::new(&f.name, data_type_from_proto(f.data_type, &f.name)?);
        field.is_primary = f.is_primary_key;
        field.auto_id = f.auto_id;
        field.max_length = type_param(&f.type_params, "max_length")?;
        field.dim = type_param(&f.type_params, "dim")?;
        field.max_capacity = type_param(&f.type_params, "max_capacity")?;
        field.nullable = f.nullable;
        field.default_value = f.default_value.as_ref().and_then(value_from_proto);
        if field.data_type == DataType::Array && f.element_type != pb::DataType::None as i32 {
            field.element_type = Some(data_type_from_proto(f.element_type, &f.name)?);
        }
        field.description = f.description.clone();
        fields.push(field);
    }
    let schema = CollectionSchema::new(fields, &s.description);
    Ok(if s.enable_dynamic_field {
        schema.with_dynamic_field()
    } else {
        schema
    })
}

// `CollectionSchema.autoID` is deprecated in the proto but old pymilvus reads it.
#[allow(deprecated)]
pub fn schema_to_proto(name: &str, schema: &CollectionSchema) -> pb::CollectionSchema {
    pb::CollectionSchema {
        name: name.to_owned(),
        description: schema.description.clone(),
        auto_id: schema.fields.iter().any(|f| f.is_primary && f.auto_id),
        enable_dynamic_field: schema.enable_dynamic_field,
        // Milvus does not describe its hidden `$meta` field.
        fields: schema
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.is_dynamic)
            .map(|(i, f)| {
                let mut type_params = Vec::new();
                if let Some(dim) = f.dim {
                    type_params.push(pair("dim", dim));
                }
                if let Some(len) = f.max_length {
                    type_params.push(pair("max_length", len));
                }
                if let Some(cap) = f.max_capacity {
                    type_params.push(pair("max_capacity", cap));
                }
                pb::FieldSchema {
                    field_id: FIRST_FIELD_ID + i as i64,
                    name: f.name.clone(),
                    is_primary_key: f.is_primary,
                    description: f.description.clone(),
                    data_type: data_type_to_proto(f.data_type) as i32,
                    type_params,
                    auto_id: f.auto_id,
                    element_type: f.element_type.map_or(0, |t| data_type_to_proto(t) as i32),
                    nullable: f.nullable,
                    default_value: f
                        .default_value
                        .as_ref()
                        .map(|v| value_to_proto(v, f.data_type)),
                    ..Default::default()
                }
            })
            .collect(),
        ..Default::default()
    }
}

/// One column of an insert as the engine's column. `num_rows` is the request's:
/// the vectors are cut by the schema's dimension (not the `dim` the client
/// sent) and must give that many rows, with real Milvus 2.3.5's words (pymilvus
/// 2.5 leaves this check to the server; 2.3 made it itself).
fn column_from_proto(
    field: &FieldSchema,
    data: &FieldData,
    num_rows: u32,
) -> Result<Column, Failure> {
    let mismatch = || {
        Failure::new(
            LEGACY_UNEXPECTED,
            format!(
                "The Input data type is inconsistent with defined schema, please check it. (field {} is {})",
                field.name,
                field.data_type.name()
            ),
        )
    };
    Ok(match (&data.field, field.data_type) {
        (Some(field_data::Field::Vectors(v)), DataType::FloatVector) => {
            let Some(vector_field::Data::FloatVector(a)) = &v.data else {
                return Err(mismatch());
            };
            let dim = field.dim.unwrap_or(0);
            let len = a.data.len();
            if dim == 0 || len % dim != 0 {
                return Err(Failure::new(
                    UNEXPECTED,
                    format!("the length({len}) of float data should divide the dim({dim})"),
                ));
            }
            if len / dim != num_rows as usize {
                return Err(Failure::new(
                    PARAMETER_INVALID,
                    format!(
                        "the num_rows ({}) of field ({}) is not equal to passed num_rows \
                         ({num_rows}): invalid parameter[expected={num_rows}][actual={num_rows}]",
                        len / dim,
                        field.name
                    ),
                ));
            }
            Column::FloatVector {
                dim,
                data: a.data.clone(),
            }
        }
        (
            Some(field_data::Field::Vectors(v)),
            t @ (DataType::Float16Vector | DataType::BFloat16Vector),
        ) => {
            let bytes = match (&v.data, t) {
                (Some(vector_field::Data::Float16Vector(b)), DataType::Float16Vector)
                | (Some(vector_field::Data::Bfloat16Vector(b)), DataType::BFloat16Vector) => b,
                _ => return Err(mismatch()),
            };
            let dim = field.dim.unwrap_or(0);
            let len = bytes.len();
            if dim == 0 || len % (2 * dim) != 0 {
                return Err(Failure::new(
                    UNEXPECTED,
                    format!(
                        "the length({len}) of {} data should divide the dim({dim})",
                        if t == DataType::Float16Vector {
                            "float16"
                        } else {
                            "bfloat16"
                        }
                    ),
                ));
            }
            rows_match(len / (2 * dim), num_rows, field)?;
            let data = bytes
                .chunks_exact(2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
                .collect();
            if t == DataType::Float16Vector {
                Column::Float16Vector { dim, data }
            } else {
                Column::BFloat16Vector { dim, data }
            }
        }
        (Some(field_data::Field::Vectors(v)), DataType::BinaryVector) => {
            let Some(vector_field::Data::BinaryVector(bytes)) = &v.data else {
                return Err(mismatch());
            };
            let dim = field.dim.unwrap_or(0);
            let (len, width) = (bytes.len(), dim / 8);
            if width == 0 || len % width != 0 {
                return Err(annlab_core::Error::BinaryDataLength { len, dim }.into());
            }
            rows_match(len / width, num_rows, field)?;
            Column::BinaryVector {
                dim,
                data: bytes.clone(),
            }
        }
        (Some(field_data::Field::Scalars(s)), t) => match (&s.data, t) {
            (Some(scalar_field::Data::BoolData(a)), DataType::Bool) => Column::Bool(a.data.clone()),
            (Some(scalar_field::Data::IntData(a)), DataType::Int32) => {
                Column::Int32(a.data.clone())
            }
            (Some(scalar_field::Data::LongData(a)), DataType::Int64) => {
                Column::Int64(a.data.clone())
            }
            (Some(scalar_field::Data::FloatData(a)), DataType::Float) => {
                Column::Float(a.data.clone())
            }
            (Some(scalar_field::Data::DoubleData(a)), DataType::Double) => {
                Column::Double(a.data.clone())
            }
            (Some(scalar_field::Data::StringData(a)), DataType::VarChar) => {
                Column::VarChar(a.data.clone())
            }
            (Some(scalar_field::Data::IntData(a)), DataType::Int8) => {
                Column::Int8(narrow(&a.data, i8::MIN, i8::MAX)?)
            }
            (Some(scalar_field::Data::IntData(a)), DataType::Int16) => {
                Column::Int16(narrow(&a.data, i16::MIN, i16::MAX)?)
            }
            (Some(scalar_field::Data::JsonData(a)), DataType::Json) => {
                Column::Json(json_values(&a.data, field)?)
            }
            (Some(scalar_field::Data::ArrayData(a)), DataType::Array) => {
                Column::Array(array_values(&a.data, field)?)
            }
            _ => return Err(mismatch()),
        },
        _ => return Err(mismatch()),
    })
}

/// A column sent with `valid_data`: the values of the valid rows only (as
/// pymilvus sends them) or of every row.
fn nullable_from_proto(
    field: &FieldSchema,
    data: &FieldData,
    num_rows: u32,
) -> Result<Column, Failure> {
    let valid = &data.valid_data;
    let given = valid.iter().filter(|&&v| v).count() as u32;
    let plain = FieldSchema {
        nullable: false,
        ..field.clone()
    };
    let rows = if given == num_rows || valid.len() as u32 != num_rows {
        num_rows
    } else {
        given
    };
    let values = column_from_proto(&plain, data, rows)?;
    let n = values.len();
    if valid.len() != num_rows as usize || (n != given as usize && n != valid.len()) {
        return Err(Failure::new(
            PARAMETER_INVALID,
            format!(
                "the num_rows ({n}) of field ({}) is not equal to passed num_rows ({num_rows}): \
                 invalid parameter[expected={num_rows}][actual={n}]",
                field.name
            ),
        ));
    }
    Ok(with_validity(field, Some(&values), valid))
}

/// Milvus's refusal of vectors that do not make the request's `num_rows`.
fn rows_match(rows: usize, num_rows: u32, field: &FieldSchema) -> Result<(), Failure> {
    if rows == num_rows as usize {
        return Ok(());
    }
    Err(Failure::new(
        PARAMETER_INVALID,
        format!(
            "the num_rows ({rows}) of field ({}) is not equal to passed num_rows \
             ({num_rows}): invalid parameter[expected={num_rows}][actual={num_rows}]",
            field.name
        ),
    ))
}

/// The columns of an insert (`with_primary`: an upsert, which carries the key even
/// where the engine would assign it) in the order `Collection::insert` takes them.
pub fn columns_from_proto(
    num_rows: u32,
    schema: &CollectionSchema,
    fields_data: &[FieldData],
    with_primary: bool,
) -> Result<Vec<Column>, Failure> {
    let wanted: Vec<&FieldSchema> = schema
        .fields
        .iter()
        .filter(|f| with_primary || !(f.is_primary && f.auto_id))
        .collect();
    for d in fields_data {
        if d.is_dynamic && schema.dynamic_field().is_none() {
            return Err(annlab_core::Error::DynamicFieldDisabled.into());
        }
        if !d.is_dynamic && !wanted.iter().any(|f| f.name == d.field_name) {
            return Err(if schema.field(&d.field_name).is_some() {
                annlab_core::Error::ColumnCountMismatch {
                    expected: wanted.len(),
                    got: fields_data.len(),
                }
                .into()
            } else {
                annlab_core::Error::UnknownField {
                    field: d.field_name.clone(),
                }
                .into()
            });
        }
    }
    wanted
        .iter()
        .map(|f| {
            // The dynamic data is the field data marked so (Milvus renames it).
            let found = fields_data
                .iter()
                .find(|d| d.field_name == f.name || (f.is_dynamic && d.is_dynamic));
            if f.is_dynamic && found.is_none() {
                let empty = serde_json::Value::Object(Default::default());
                return Ok(Column::Json(vec![empty; num_rows as usize]));
            }
            if found.is_none() && (f.nullable || f.default_value.is_some()) {
                // Left out: every row null (or its default, which the engine fills).
                return Ok(with_validity(f, None, &vec![false; num_rows as usize]));
            }
            let data = found.ok_or_else(|| {
                Failure::from(annlab_core::Error::MissingField {
                    field: f.name.clone(),
                })
            })?;
            if data.valid_data.is_empty() {
                column_from_proto(f, data, num_rows)
            } else {
                nullable_from_proto(f, data, num_rows)
            }
        })
        .collect()
}

fn scalars(data: scalar_field::Data) -> Option<field_data::Field> {
    Some(field_data::Field::Scalars(ScalarField {
        data: Some(data),
        ..Default::default()
    }))
}

fn vectors(dim: usize, data: vector_field::Data) -> Option<field_data::Field> {
    Some(field_data::Field::Vectors(VectorField {
        dim: dim as i64,
        data: Some(data),
        ..Default::default()
    }))
}

/// A column as Milvus's field data.
pub fn column_to_proto(name: &str, field_id: i64, column: &Column) -> FieldData {
    let (t, field) = match column {
        Column::Bool(v) => (
            pb::DataType::Bool,
            scalars(scalar_field::Data::BoolData(BoolArray { data: v.clone() })),
        ),
        Column::Int32(v) => (
            pb::DataType::Int32,
            scalars(scalar_field::Data::IntData(IntArray { data: v.clone() })),
        ),
        Column::Int64(v) => (
            pb::DataType::Int64,
            scalars(scalar_field::Data::LongData(LongArray { data: v.clone() })),
        ),
        Column::Float(v) => (
            pb::DataType::Float,
            scalars(scalar_field::Data::FloatData(FloatArray {
                data: v.clone(),
            })),
        ),
        Column::Double(v) => (
            pb::DataType::Double,
            scalars(scalar_field::Data::DoubleData(DoubleArray {
                data: v.clone(),
            })),
        ),
        Column::VarChar(v) => (
            pb::DataType::VarChar,
            scalars(scalar_field::Data::StringData(StringArray {
                data: v.clone(),
            })),
        ),
        Column::FloatVector { dim, data } => (
            pb::DataType::FloatVector,
            Some(field_data::Field::Vectors(VectorField {
                dim: *dim as i64,
                data: Some(vector_field::Data::FloatVector(FloatArray {
                    data: data.clone(),
                })),
                ..Default::default()
            })),
        ),
        Column::Int8(v) => (
            pb::DataType::Int8,
            scalars(scalar_field::Data::IntData(IntArray {
                data: v.iter().map(|&x| i32::from(x)).collect(),
            })),
        ),
        Column::Int16(v) => (
            pb::DataType::Int16,
            scalars(scalar_field::Data::IntData(IntArray {
                data: v.iter().map(|&x| i32::from(x)).collect(),
            })),
        ),
        Column::Json(v) => (
            pb::DataType::Json,
            scalars(scalar_field::Data::JsonData(JsonArray {
                data: v.iter().map(|x| x.to_string().into_bytes()).collect(),
            })),
        ),
        Column::Array(v) => (
            pb::DataType::Array,
            scalars(scalar_field::Data::ArrayData(array_to_proto(
                v,
                guess_element(v),
            ))),
        ),
        Column::Float16Vector { dim, data } => (
            pb::DataType::Float16Vector,
            vectors(*dim, vector_field::Data::Float16Vector(le_bytes(data))),
        ),
        Column::BFloat16Vector { dim, data } => (
            pb::DataType::BFloat16Vector,
            vectors(*dim, vector_field::Data::Bfloat16Vector(le_bytes(data))),
        ),
        Column::BinaryVector { dim, data } => (
            pb::DataType::BinaryVector,
            vectors(*dim, vector_field::Data::BinaryVector(data.clone())),
        ),
        Column::Nullable { values, valid } => {
            let mut d = column_to_proto(name, field_id, values);
            d.valid_data = valid.clone();
            return d;
        }
    };
    FieldData {
        r#type: t as i32,
        field_name: name.to_owned(),
        field,
        field_id,
        ..Default::default()
    }
}

/// Output columns as Milvus's field data and output field names (field ids
/// from the schema's positions). The hidden `$meta` column is marked dynamic;
/// when the request named dynamic keys (not `*`, not `$meta`), the output field
/// names list those keys in its place, as Milvus answers.
pub fn output_to_proto(
    out: &OutputColumns,
    schema: &CollectionSchema,
    requested: &[String],
) -> (Vec<FieldData>, Vec<String>) {
    let data = out
        .iter()
        .map(|(name, column)| {
            let i = schema.field_index(name).unwrap_or(0);
            let mut d = column_to_proto(name, FIRST_FIELD_ID + i as i64, column);
            let field = schema.fields.get(i);
            d.is_dynamic = field.is_some_and(|f| f.is_dynamic);
            if let (Column::Array(v), Some(element)) =
                (column.values(), field.and_then(|f| f.element_type))
            {
                d.field = scalars(scalar_field::Data::ArrayData(array_to_proto(v, element)));
            }
            d
        })
        .collect();
    let mut names = Vec::with_capacity(out.names.len());
    for name in &out.names {
        match schema.dynamic_field() {
            Some(meta)
                if *name == meta.name && !requested.iter().any(|r| r == "*" || *r == meta.name) =>
            {
                names.extend(
                    requested
                        .iter()
                        .filter(|r| schema.field(r).is_none())
                        .cloned(),
                );
            }
            _ => names.push(name.clone()),
        }
    }
    (data, names)
}

/// A column of primary keys as Milvus's IDs (none are Int64 ids).
pub fn ids_to_proto(ids: &Column) -> IDs {
    let field = match ids {
        Column::VarChar(keys) if !keys.is_empty() => {
            i_ds::IdField::StrId(StringArray { data: keys.clone() })
        }
        Column::Int64(keys) => i_ds::IdField::IntId(LongArray { data: keys.clone() }),
        _ => i_ds::IdField::IntId(LongArray::default()),
    };
    IDs {
        id_field: Some(field),
    }
}

/// Primary keys (all of one type) as Milvus's IDs.
pub fn keys_to_proto(keys: &[PrimaryKey]) -> IDs {
    let column = match keys.first() {
        Some(PrimaryKey::VarChar(_)) => {
            Column::VarChar(keys.iter().map(ToString::to_string).collect())
        }
        _ => Column::Int64(
            keys.iter()
                .map(|k| match k {
                    PrimaryKey::Int64(v) => *v,
                    PrimaryKey::VarChar(_) => unreachable!("keys of one collection share a type"),
                })
                .collect(),
        ),
    };
    ids_to_proto(&column)
}

/// The query vectors of a search, by the placeholder type they came as.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryVectors {
    /// FLOAT, FLOAT16 or BFLOAT16 vectors, widened to `f32`.
    Float(Vec<Vec<f32>>),
    /// BINARY vectors, `dim / 8` bytes each.
    Binary(Vec<Vec<u8>>),
}

/// The query vectors of a search: a serialized `PlaceholderGroup` with one
/// placeholder of vectors: float vectors as runs of little-endian f32,
/// FLOAT16/BFLOAT16 as runs of little-endian two-byte values (widened here),
/// binary vectors as their bytes.
pub fn query_vectors(bytes: &[u8]) -> Result<QueryVectors, Failure> {
    let group = PlaceholderGroup::decode(bytes)
        .map_err(|e| Failure::invalid(format!("cannot decode the placeholder group: {e}")))?;
    let [ph] = group.placeholders.as_slice() else {
        return Err(Failure::invalid(format!(
            "a search needs exactly one placeholder of query vectors, got {}",
            group.placeholders.len()
        )));
    };
    let halves = |kind: HalfKind, what: &str| -> Result<QueryVectors, Failure> {
        ph.values
            .iter()
            .map(|v| {
                if v.len() % 2 != 0 {
                    return Err(Failure::invalid(format!(
                        "a {what} vector of {} bytes is not a whole number of {what} values",
                        v.len()
                    )));
                }
                Ok(v.chunks_exact(2)
                    .map(|b| kind.to_f32(u16::from_le_bytes([b[0], b[1]])))
                    .collect())
            })
            .collect::<Result<_, _>>()
            .map(QueryVectors::Float)
    };
    match PlaceholderType::try_from(ph.r#type) {
        Ok(PlaceholderType::FloatVector) => ph
            .values
            .iter()
            .map(|v| {
                if v.len() % 4 != 0 {
                    return Err(Failure::invalid(format!(
                        "a float vector of {} bytes is not a whole number of float32",
                        v.len()
                    )));
                }
                Ok(v.chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect())
            })
            .collect::<Result<_, _>>()
            .map(QueryVectors::Float),
        Ok(PlaceholderType::Float16Vector) => halves(HalfKind::F16, "float16"),
        Ok(PlaceholderType::BFloat16Vector) => halves(HalfKind::Bf16, "bfloat16"),
        Ok(PlaceholderType::BinaryVector) => Ok(QueryVectors::Binary(ph.values.clone())),
        other => {
            let name = other
                .map(|t| t.as_str_name().to_owned())
                .unwrap_or_else(|_| ph.r#type.to_string());
            Err(Failure::unsupported(format!(
                "query vectors of type {name}: annlab searches float, float16, bfloat16 and binary vectors"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use milvus::proto::common::PlaceholderValue;

    #[test]
    fn the_tutorial_schema_round_trips() {
        let schema = CollectionSchema::tutorial(1536);
        let proto = schema_to_proto("production_documents", &schema);
        assert_eq!(proto.fields[0].field_id, 100);
        assert_eq!(kv(&proto.fields[1].type_params, "dim"), Some("1536"));
        let back = schema_from_proto(&proto.encode_to_vec()).unwrap();
        assert_eq!(back, schema);
    }

    #[test]
    fn unsupported_types_are_refused_and_dynamic_fields_hidden() {
        let mut proto = schema_to_proto("c", &CollectionSchema::tutorial(4));
        proto.fields[4].data_type = pb::DataType::SparseFloatVector as i32;
        let err = schema_from_proto(&proto.encode_to_vec()).unwrap_err();
        assert!(err.reason.contains("SparseFloatVector"), "{}", err.reason);
        let mut proto = schema_to_proto("c", &CollectionSchema::tutorial(4));
        proto.enable_dynamic_field = true;
        let schema = schema_from_proto(&proto.encode_to_vec()).unwrap();
        assert_eq!(
            schema.dynamic_field().map(|f| f.name.as_str()),
            Some("$meta")
        );
        let back = schema_to_proto("c", &schema);
        assert!(back.enable_dynamic_field);
        assert_eq!(back.fields.len(), 5, "$meta is not described");
        assert!(schema_from_proto(b"\xff\xff\xff").is_err());
    }

    #[test]
    fn insert_columns_follow_the_schema_not_the_request() {
        let schema = CollectionSchema::tutorial(2);
        let cols = [
            Column::Int64(vec![7]),
            Column::VarChar(vec!["s".into()]),
            Column::VarChar(vec!["t".into()]),
            Column::FloatVector {
                dim: 2,
                data: vec![1.0, 0.0],
            },
        ];
        let names = ["timestamp", "source", "text", "embedding"];
        let data: Vec<FieldData> = names
            .iter()
            .zip(&cols)
            .map(|(n, c)| column_to_proto(n, 0, c))
            .collect();
        let got = columns_from_proto(1, &schema, &data, false).unwrap();
        assert_eq!(got[0], cols[3]);
        assert_eq!(got[3], cols[0]);
        let err = columns_from_proto(1, &schema, &data[..3], false).unwrap_err();
        assert!(err.reason.contains("embedding"), "{}", err.reason);
        let mut wrong = data.clone();
        wrong[0] = column_to_proto("timestamp", 0, &Column::VarChar(vec!["x".into()]));
        let err = columns_from_proto(1, &schema, &wrong, false).unwrap_err();
        assert!(
            err.reason
                .starts_with("The Input data type is inconsistent")
        );
        // Vectors are cut by the schema's dimension and must make num_rows rows.
        let mut short = data.clone();
        short[3] = column_to_proto(
            "embedding",
            0,
            &Column::FloatVector {
                dim: 1,
                data: vec![1.0],
            },
        );
        let err = columns_from_proto(1, &schema, &short, false).unwrap_err();
        assert_eq!(err.code, UNEXPECTED);
        assert_eq!(
            err.reason,
            "the length(1) of float data should divide the dim(2)"
        );
        let err = columns_from_proto(2, &schema, &data, false).unwrap_err();
        assert_eq!(err.code, PARAMETER_INVALID);
        assert!(
            err.reason.starts_with(
                "the num_rows (1) of field (embedding) is not equal to passed num_rows (2)"
            ),
            "{}",
            err.reason
        );
    }

    #[test]
    fn query_vectors_are_little_endian_floats() {
        let v: Vec<u8> = [1.0f32, -2.5]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let group = PlaceholderGroup {
            placeholders: vec![PlaceholderValue {
                tag: "$0".into(),
                r#type: PlaceholderType::FloatVector as i32,
                values: vec![v.clone(), v],
                ..Default::default()
            }],
        };
        let q = query_vectors(&group.encode_to_vec()).unwrap();
        assert_eq!(
            q,
            QueryVectors::Float(vec![vec![1.0, -2.5], vec![1.0, -2.5]])
        );
        let mut bad = group.clone();
        bad.placeholders[0].values[0].pop();
        assert!(query_vectors(&bad.encode_to_vec()).is_err());
        assert!(query_vectors(&[0xff; 7]).is_err());
    }
}
