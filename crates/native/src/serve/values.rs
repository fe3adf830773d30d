//! Field values beyond the tutorial's, between Milvus's protobuf and the
//! engine's columns: Int8/Int16 (sent as int32, with Milvus's overflow check),
//! JSON (sent as text), ARRAY rows (each a `ScalarField` of the element type,
//! checked with Milvus's words), nullable rows (`valid_data`) and default values.

use annlab_core::schema::{Column, DataType, FieldSchema};
use milvus::proto::schema::{
    self as pb, ArrayArray, BoolArray, DoubleArray, FloatArray, IntArray, LongArray, ScalarField,
    StringArray, scalar_field,
};

use super::codes::PARAMETER_INVALID;
use super::convert::data_type_to_proto;
use super::status::Failure;

/// A field's default value (Milvus's ValueField) as JSON.
pub(super) fn value_from_proto(v: &pb::ValueField) -> Option<serde_json::Value> {
    use pb::value_field::Data as D;
    Some(match v.data.as_ref()? {
        D::BoolData(b) => (*b).into(),
        D::IntData(i) => (*i).into(),
        D::LongData(i) => (*i).into(),
        D::FloatData(f) => f64::from(*f).into(),
        D::DoubleData(f) => (*f).into(),
        D::StringData(s) => s.as_str().into(),
        _ => return None,
    })
}

/// A default value as Milvus's ValueField for a field of type `t`.
pub(super) fn value_to_proto(v: &serde_json::Value, t: DataType) -> pb::ValueField {
    use pb::value_field::Data as D;
    let data = match (t, v) {
        (DataType::Bool, _) => v.as_bool().map(D::BoolData),
        (DataType::Int8 | DataType::Int16 | DataType::Int32, _) => {
            v.as_i64().map(|i| D::IntData(i as i32))
        }
        (DataType::Int64, _) => v.as_i64().map(D::LongData),
        (DataType::Float, _) => v.as_f64().map(|f| D::FloatData(f as f32)),
        (DataType::Double, _) => v.as_f64().map(D::DoubleData),
        (_, serde_json::Value::String(s)) => Some(D::StringData(s.clone())),
        _ => None,
    };
    pb::ValueField { data }
}

/// A nullable column of `valid.len()` rows: `values` holds either one value
/// per valid row or one per row (None: no values).
pub(super) fn with_validity(
    field: &FieldSchema,
    values: Option<&Column>,
    valid: &[bool],
) -> Column {
    let plain = FieldSchema {
        nullable: false,
        ..field.clone()
    };
    let mut out = Column::Nullable {
        values: Box::new(Column::empty_for(&plain)),
        valid: Vec::new(),
    };
    let every_row = values.is_some_and(|v| v.len() == valid.len());
    let mut next = 0;
    for (row, &ok) in valid.iter().enumerate() {
        match values {
            Some(v) if ok => {
                out.push_from(v, if every_row { row } else { next });
                next += 1;
            }
            _ => {
                if !out.push_json(&serde_json::Value::Null) {
                    // A vector cannot be null: an empty column, refused as missing.
                    return Column::empty_for(&plain);
                }
                if every_row {
                    next += 1;
                }
            }
        }
    }
    out
}

/// Int8/Int16 values sent as int32, with Milvus's overflow check.
pub(super) fn narrow<T: TryFrom<i32> + Into<i64> + Copy>(
    data: &[i32],
    lo: T,
    hi: T,
) -> Result<Vec<T>, Failure> {
    data.iter()
        .enumerate()
        .map(|(i, &x)| {
            T::try_from(x).map_err(|_| {
                Failure::new(
                    PARAMETER_INVALID,
                    format!(
                        "the {i}th element ({x}) out of range: [{}, {}]: invalid parameter\
                         [expected=integer doesn't overflow][actual=out of range]",
                        lo.into(),
                        hi.into()
                    ),
                )
            })
        })
        .collect()
}

/// Array rows as JSON arrays, each of the field's element type (Milvus's check
/// and words: the proto type that came instead).
pub(super) fn array_values(
    rows: &[ScalarField],
    field: &FieldSchema,
) -> Result<Vec<serde_json::Value>, Failure> {
    use scalar_field::Data as D;
    use serde_json::Value;
    let element = field.element_type.unwrap_or(DataType::Int64);
    let expected = match element {
        DataType::Bool => "bool",
        DataType::Int64 => "long",
        DataType::Float => "float",
        DataType::Double => "double",
        DataType::VarChar => "string",
        _ => "int",
    };
    rows.iter()
        .map(|row| {
            let values: Vec<Value> = match (&row.data, element) {
                (Some(D::BoolData(a)), DataType::Bool) => {
                    a.data.iter().map(|&x| x.into()).collect()
                }
                (Some(D::IntData(a)), DataType::Int8 | DataType::Int16 | DataType::Int32) => {
                    a.data.iter().map(|&x| x.into()).collect()
                }
                (Some(D::LongData(a)), DataType::Int64) => {
                    a.data.iter().map(|&x| x.into()).collect()
                }
                (Some(D::FloatData(a)), DataType::Float) => {
                    a.data.iter().map(|&x| f64::from(x).into()).collect()
                }
                (Some(D::DoubleData(a)), DataType::Double) => {
                    a.data.iter().map(|&x| x.into()).collect()
                }
                (Some(D::StringData(a)), DataType::VarChar) => {
                    a.data.iter().map(|x| x.as_str().into()).collect()
                }
                (data, _) => {
                    let actual = match data {
                        None => "nil".to_owned(),
                        Some(d) => format!("*schemapb.ScalarField_{}", scalar_kind(d)),
                    };
                    return Err(Failure::from(annlab_core::Error::ArrayElementMismatch {
                        expected,
                        actual,
                    }));
                }
            };
            Ok(Value::Array(values))
        })
        .collect()
}

/// The Go name of a protobuf scalar kind (`LongData`), for Milvus's messages.
pub(super) fn scalar_kind(d: &scalar_field::Data) -> &'static str {
    use scalar_field::Data as D;
    match d {
        D::BoolData(_) => "BoolData",
        D::IntData(_) => "IntData",
        D::LongData(_) => "LongData",
        D::FloatData(_) => "FloatData",
        D::DoubleData(_) => "DoubleData",
        D::StringData(_) => "StringData",
        D::BytesData(_) => "BytesData",
        D::ArrayData(_) => "ArrayData",
        D::JsonData(_) => "JsonData",
        _ => "Data",
    }
}

/// Rows of JSON arrays as Milvus's ArrayArray of `element` scalars.
pub(super) fn array_to_proto(rows: &[serde_json::Value], element: DataType) -> ArrayArray {
    use scalar_field::Data as D;
    let data = rows
        .iter()
        .map(|row| {
            let xs: &[serde_json::Value] = row.as_array().map_or(&[], Vec::as_slice);
            let d = match element {
                DataType::Bool => D::BoolData(BoolArray {
                    data: xs.iter().filter_map(|x| x.as_bool()).collect(),
                }),
                DataType::Int64 => D::LongData(LongArray {
                    data: xs.iter().filter_map(|x| x.as_i64()).collect(),
                }),
                DataType::Float => D::FloatData(FloatArray {
                    data: xs
                        .iter()
                        .filter_map(|x| x.as_f64())
                        .map(|x| x as f32)
                        .collect(),
                }),
                DataType::Double => D::DoubleData(DoubleArray {
                    data: xs.iter().filter_map(|x| x.as_f64()).collect(),
                }),
                DataType::VarChar => D::StringData(StringArray {
                    data: xs
                        .iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect(),
                }),
                _ => D::IntData(IntArray {
                    data: xs
                        .iter()
                        .filter_map(|x| x.as_i64())
                        .map(|x| x as i32)
                        .collect(),
                }),
            };
            ScalarField {
                data: Some(d),
                ..Default::default()
            }
        })
        .collect();
    ArrayArray {
        data,
        element_type: data_type_to_proto(element) as i32,
    }
}

/// The element type of rows of JSON arrays, guessed from their values (where
/// no schema says it).
pub(super) fn guess_element(rows: &[serde_json::Value]) -> DataType {
    match rows.iter().filter_map(|r| r.as_array()).flatten().next() {
        Some(serde_json::Value::Bool(_)) => DataType::Bool,
        Some(serde_json::Value::String(_)) => DataType::VarChar,
        Some(serde_json::Value::Number(n)) if n.as_i64().is_none() => DataType::Double,
        _ => DataType::Int64,
    }
}

/// JSON values sent as their UTF-8 text, one per row.
pub(super) fn json_values(
    data: &[Vec<u8>],
    field: &FieldSchema,
) -> Result<Vec<serde_json::Value>, Failure> {
    data.iter()
        .map(|bytes| {
            serde_json::from_slice(bytes).map_err(|e| {
                Failure::new(
                    PARAMETER_INVALID,
                    format!(
                        "invalid JSON data of field {}: {e}: invalid parameter",
                        field.name
                    ),
                )
            })
        })
        .collect()
}
