//! Single values of a field, as a query or search returns them.

use serde::{Deserialize, Serialize};

use crate::schema::Column;

/// One field's value in one row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    Bool(bool),
    Int32(i32),
    Int64(i64),
    Float(f32),
    Double(f64),
    VarChar(String),
    FloatVector(Vec<f32>),
    Int8(i8),
    Int16(i16),
    Json(serde_json::Value),
    /// A JSON array of the field's element type.
    Array(serde_json::Value),
    /// Little-endian half-precision bytes, as Milvus returns them.
    Float16Vector(Vec<u8>),
    /// Little-endian bfloat16 bytes, as Milvus returns them.
    BFloat16Vector(Vec<u8>),
    /// `dim / 8` bytes.
    BinaryVector(Vec<u8>),
    /// No value (a nullable field's null).
    Null,
}

/// A primary key: Int64 or VarChar.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PrimaryKey {
    Int64(i64),
    VarChar(String),
}

impl std::fmt::Display for PrimaryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrimaryKey::Int64(v) => write!(f, "{v}"),
            PrimaryKey::VarChar(v) => write!(f, "{v}"),
        }
    }
}

impl Column {
    /// The value of row `i`.
    pub fn value(&self, i: usize) -> FieldValue {
        match self {
            Column::Bool(v) => FieldValue::Bool(v[i]),
            Column::Int32(v) => FieldValue::Int32(v[i]),
            Column::Int64(v) => FieldValue::Int64(v[i]),
            Column::Float(v) => FieldValue::Float(v[i]),
            Column::Double(v) => FieldValue::Double(v[i]),
            Column::VarChar(v) => FieldValue::VarChar(v[i].clone()),
            Column::FloatVector { dim, data } => {
                FieldValue::FloatVector(data[i * dim..(i + 1) * dim].to_vec())
            }
            Column::Int8(v) => FieldValue::Int8(v[i]),
            Column::Int16(v) => FieldValue::Int16(v[i]),
            Column::Json(v) => FieldValue::Json(v[i].clone()),
            Column::Array(v) => FieldValue::Array(v[i].clone()),
            Column::Float16Vector { dim, data } => {
                FieldValue::Float16Vector(le_bytes(&data[i * dim..(i + 1) * dim]))
            }
            Column::BFloat16Vector { dim, data } => {
                FieldValue::BFloat16Vector(le_bytes(&data[i * dim..(i + 1) * dim]))
            }
            Column::BinaryVector { dim, data } => {
                let w = dim / 8;
                FieldValue::BinaryVector(data[i * w..(i + 1) * w].to_vec())
            }
            Column::Nullable { values, valid } => {
                if valid[i] {
                    values.value(i)
                } else {
                    FieldValue::Null
                }
            }
        }
    }

    /// The primary key of row `i` (the column must be Int64 or VarChar).
    pub fn primary_key(&self, i: usize) -> PrimaryKey {
        match self {
            Column::Int64(v) => PrimaryKey::Int64(v[i]),
            Column::VarChar(v) => PrimaryKey::VarChar(v[i].clone()),
            other => unreachable!("a {:?} column is not a primary key", other.data_type()),
        }
    }

    /// Appends all rows of `other` (same type).
    pub fn extend_from(&mut self, other: &Column) {
        match (self, other) {
            (Column::Bool(a), Column::Bool(b)) => a.extend_from_slice(b),
            (Column::Int32(a), Column::Int32(b)) => a.extend_from_slice(b),
            (Column::Int64(a), Column::Int64(b)) => a.extend_from_slice(b),
            (Column::Float(a), Column::Float(b)) => a.extend_from_slice(b),
            (Column::Double(a), Column::Double(b)) => a.extend_from_slice(b),
            (Column::VarChar(a), Column::VarChar(b)) => a.extend_from_slice(b),
            (Column::FloatVector { data: a, .. }, Column::FloatVector { data: b, .. }) => {
                a.extend_from_slice(b)
            }
            (Column::Int8(a), Column::Int8(b)) => a.extend_from_slice(b),
            (Column::Int16(a), Column::Int16(b)) => a.extend_from_slice(b),
            (Column::Json(a), Column::Json(b)) => a.extend_from_slice(b),
            (Column::Array(a), Column::Array(b)) => a.extend_from_slice(b),
            (Column::Float16Vector { data: a, .. }, Column::Float16Vector { data: b, .. })
            | (Column::BFloat16Vector { data: a, .. }, Column::BFloat16Vector { data: b, .. }) => {
                a.extend_from_slice(b)
            }
            (Column::BinaryVector { data: a, .. }, Column::BinaryVector { data: b, .. }) => {
                a.extend_from_slice(b)
            }
            (
                Column::Nullable { values, valid },
                Column::Nullable {
                    values: v2,
                    valid: ok,
                },
            ) => {
                values.extend_from(v2);
                valid.extend_from_slice(ok);
            }
            (Column::Nullable { values, valid }, b) => {
                values.extend_from(b);
                valid.resize(values.len(), true);
            }
            (a, b) => unreachable!(
                "cannot append a {:?} column to a {:?} column",
                b.data_type(),
                a.data_type()
            ),
        }
    }

    /// Appends row `row` of `other` (same type).
    pub fn push_from(&mut self, other: &Column, row: usize) {
        match (self, other) {
            (Column::Bool(a), Column::Bool(b)) => a.push(b[row]),
            (Column::Int32(a), Column::Int32(b)) => a.push(b[row]),
            (Column::Int64(a), Column::Int64(b)) => a.push(b[row]),
            (Column::Float(a), Column::Float(b)) => a.push(b[row]),
            (Column::Double(a), Column::Double(b)) => a.push(b[row]),
            (Column::VarChar(a), Column::VarChar(b)) => a.push(b[row].clone()),
            (Column::FloatVector { data: a, .. }, Column::FloatVector { dim, data: b }) => {
                a.extend_from_slice(&b[row * dim..(row + 1) * dim])
            }
            (Column::Int8(a), Column::Int8(b)) => a.push(b[row]),
            (Column::Int16(a), Column::Int16(b)) => a.push(b[row]),
            (Column::Json(a), Column::Json(b)) => a.push(b[row].clone()),
            (Column::Array(a), Column::Array(b)) => a.push(b[row].clone()),
            (Column::Float16Vector { data: a, .. }, Column::Float16Vector { dim, data: b })
            | (Column::BFloat16Vector { data: a, .. }, Column::BFloat16Vector { dim, data: b }) => {
                a.extend_from_slice(&b[row * dim..(row + 1) * dim])
            }
            (Column::BinaryVector { data: a, .. }, Column::BinaryVector { dim, data: b }) => {
                let w = dim / 8;
                a.extend_from_slice(&b[row * w..(row + 1) * w])
            }
            (
                Column::Nullable { values, valid },
                Column::Nullable {
                    values: v2,
                    valid: ok,
                },
            ) => {
                values.push_from(v2, row);
                valid.push(ok[row]);
            }
            (Column::Nullable { values, valid }, b) => {
                values.push_from(b, row);
                valid.push(true);
            }
            (a, b) => unreachable!(
                "cannot append a {:?} value to a {:?} column",
                b.data_type(),
                a.data_type()
            ),
        }
    }

    /// The rows at `rows`, in that order.
    pub fn take(&self, rows: &[usize]) -> Column {
        match self {
            Column::Bool(v) => Column::Bool(rows.iter().map(|&i| v[i]).collect()),
            Column::Int32(v) => Column::Int32(rows.iter().map(|&i| v[i]).collect()),
            Column::Int64(v) => Column::Int64(rows.iter().map(|&i| v[i]).collect()),
            Column::Float(v) => Column::Float(rows.iter().map(|&i| v[i]).collect()),
            Column::Double(v) => Column::Double(rows.iter().map(|&i| v[i]).collect()),
            Column::VarChar(v) => Column::VarChar(rows.iter().map(|&i| v[i].clone()).collect()),
            Column::FloatVector { dim, data } => Column::FloatVector {
                dim: *dim,
                data: take_rows(data, *dim, rows),
            },
            Column::Float16Vector { dim, data } => Column::Float16Vector {
                dim: *dim,
                data: take_rows(data, *dim, rows),
            },
            Column::BFloat16Vector { dim, data } => Column::BFloat16Vector {
                dim: *dim,
                data: take_rows(data, *dim, rows),
            },
            Column::BinaryVector { dim, data } => Column::BinaryVector {
                dim: *dim,
                data: take_rows(data, dim / 8, rows),
            },
            Column::Int8(v) => Column::Int8(rows.iter().map(|&i| v[i]).collect()),
            Column::Int16(v) => Column::Int16(rows.iter().map(|&i| v[i]).collect()),
            Column::Json(v) => Column::Json(rows.iter().map(|&i| v[i].clone()).collect()),
            Column::Array(v) => Column::Array(rows.iter().map(|&i| v[i].clone()).collect()),
            Column::Nullable { values, valid } => Column::Nullable {
                values: Box::new(values.take(rows)),
                valid: rows.iter().map(|&i| valid[i]).collect(),
            },
        }
    }
}

/// Go's name for the kind of a JSON value (as `encoding/json` says it in its
/// errors): "object", "array", "string", "number", "bool", "null".
pub fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Object(_) => "object",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::Bool(_) => "bool",
        serde_json::Value::Null => "null",
    }
}

/// Roughly the bytes a JSON value holds in memory.
pub fn json_bytes(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Object(m) => {
            m.iter()
                .map(|(k, x)| k.len() + 24 + json_bytes(x))
                .sum::<usize>()
                + 24
        }
        serde_json::Value::Array(a) => a.iter().map(json_bytes).sum::<usize>() + 24,
        serde_json::Value::String(s) => s.len() + 24,
        _ => 16,
    }
}

impl Column {
    /// Appends `v` as a value of this column's type; false if it is not one
    /// (the column is then unchanged). A nullable column takes JSON null as null.
    pub fn push_json(&mut self, v: &serde_json::Value) -> bool {
        use serde_json::Value;
        match (self, v) {
            (Column::Nullable { values, valid }, Value::Null) => {
                if !values.push_placeholder() {
                    return false;
                }
                valid.push(false);
                true
            }
            (Column::Nullable { values, valid }, v) => {
                let ok = values.push_json(v);
                if ok {
                    valid.push(true);
                }
                ok
            }
            (Column::Bool(c), Value::Bool(b)) => {
                c.push(*b);
                true
            }
            (Column::Int8(c), Value::Number(n)) => push_int(c, n),
            (Column::Int16(c), Value::Number(n)) => push_int(c, n),
            (Column::Int32(c), Value::Number(n)) => push_int(c, n),
            (Column::Int64(c), Value::Number(n)) => push_int(c, n),
            (Column::Float(c), Value::Number(n)) => {
                c.push(n.as_f64().unwrap_or(0.0) as f32);
                true
            }
            (Column::Double(c), Value::Number(n)) => {
                c.push(n.as_f64().unwrap_or(0.0));
                true
            }
            (Column::VarChar(c), Value::String(s)) => {
                c.push(s.clone());
                true
            }
            (Column::Json(c), v) => {
                c.push(v.clone());
                true
            }
            (Column::Array(c), v @ Value::Array(_)) => {
                c.push(v.clone());
                true
            }
            _ => false,
        }
    }

    /// Appends a placeholder value (zero, empty, false) for a null row.
    fn push_placeholder(&mut self) -> bool {
        match self {
            Column::Bool(c) => c.push(false),
            Column::Int8(c) => c.push(0),
            Column::Int16(c) => c.push(0),
            Column::Int32(c) => c.push(0),
            Column::Int64(c) => c.push(0),
            Column::Float(c) => c.push(0.0),
            Column::Double(c) => c.push(0.0),
            Column::VarChar(c) => c.push(String::new()),
            Column::Json(c) => c.push(serde_json::Value::Null),
            Column::Array(c) => c.push(serde_json::Value::Array(Vec::new())),
            Column::FloatVector { .. }
            | Column::Float16Vector { .. }
            | Column::BFloat16Vector { .. }
            | Column::BinaryVector { .. }
            | Column::Nullable { .. } => return false,
        }
        true
    }

    /// The rows' validity: None when every row has a value.
    pub fn validity(&self) -> Option<&[bool]> {
        match self {
            Column::Nullable { valid, .. } => Some(valid),
            _ => None,
        }
    }

    /// The values without their validity (placeholders where null).
    pub fn values(&self) -> &Column {
        match self {
            Column::Nullable { values, .. } => values,
            c => c,
        }
    }
}

fn push_int<T: TryFrom<i64>>(c: &mut Vec<T>, n: &serde_json::Number) -> bool {
    match n.as_i64().and_then(|i| T::try_from(i).ok()) {
        Some(x) => {
            c.push(x);
            true
        }
        None => false,
    }
}

/// Serde for an optional JSON value as its text.
pub(crate) mod json_opt_text {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(
        v: &Option<serde_json::Value>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        v.as_ref().map(|x| x.to_string()).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<serde_json::Value>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|t| serde_json::from_str(&t).map_err(D::Error::custom))
            .transpose()
    }
}

/// Serde for a column of JSON values as their text, one string a row: the
/// persisted form is postcard, which cannot read a self-describing value back.
pub(crate) mod json_text {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &[serde_json::Value], s: S) -> Result<S::Ok, S::Error> {
        let texts: Vec<String> = v.iter().map(|x| x.to_string()).collect();
        texts.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<serde_json::Value>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|t| serde_json::from_str(t).map_err(D::Error::custom))
            .collect()
    }
}

/// Rows `rows` of a row-major matrix of `width` values a row.
fn take_rows<T: Copy>(data: &[T], width: usize, rows: &[usize]) -> Vec<T> {
    rows.iter()
        .flat_map(|&i| data[i * width..(i + 1) * width].iter().copied())
        .collect()
}

/// Two-byte values as little-endian bytes (Milvus's wire form of FLOAT16/BFLOAT16).
pub fn le_bytes(halves: &[u16]) -> Vec<u8> {
    halves.iter().flat_map(|h| h.to_le_bytes()).collect()
}
