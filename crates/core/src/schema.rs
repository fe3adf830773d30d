//! Collection schemas with Milvus's types and validation rules, and the columns that
//! hold a segment's data.

use serde::{Deserialize, Serialize};

use crate::dataset::MAX_DIM;
use crate::error::{Error, Result};

/// Milvus's longest VarChar.
pub const MAX_VARCHAR_LENGTH: usize = 65_535;
/// Milvus's longest collection or field name.
pub const MAX_NAME_LENGTH: usize = 255;

/// Field types (Milvus's `DataType`, the subset annlab implements).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DataType {
    Bool,
    Int32,
    Int64,
    Float,
    Double,
    VarChar,
    FloatVector,
    Int8,
    Int16,
    /// A JSON value per row (Milvus's JSON; also the hidden `$meta` field of a
    /// collection with dynamic fields).
    Json,
    /// Up to `max_capacity` scalars of `element_type` per row.
    Array,
    /// IEEE half precision, two bytes a component.
    Float16Vector,
    /// bfloat16, two bytes a component.
    BFloat16Vector,
    /// `dim` bits, eight to a byte.
    BinaryVector,
}

impl DataType {
    /// Milvus's name for the type, as it appears in its error messages.
    pub fn name(self) -> &'static str {
        match self {
            DataType::Bool => "Bool",
            DataType::Int32 => "Int32",
            DataType::Int64 => "Int64",
            DataType::Float => "Float",
            DataType::Double => "Double",
            DataType::VarChar => "VarChar",
            DataType::FloatVector => "FloatVector",
            DataType::Int8 => "Int8",
            DataType::Int16 => "Int16",
            DataType::Json => "JSON",
            DataType::Array => "Array",
            DataType::Float16Vector => "Float16Vector",
            DataType::BFloat16Vector => "BFloat16Vector",
            DataType::BinaryVector => "BinaryVector",
        }
    }

    pub fn is_integer(self) -> bool {
        matches!(
            self,
            DataType::Int32 | DataType::Int64 | DataType::Int8 | DataType::Int16
        )
    }

    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            DataType::Int32
                | DataType::Int64
                | DataType::Float
                | DataType::Double
                | DataType::Int8
                | DataType::Int16
        )
    }

    /// Whether the type is a vector (searched, indexed; never in a filter).
    pub fn is_vector(self) -> bool {
        matches!(
            self,
            DataType::FloatVector
                | DataType::Float16Vector
                | DataType::BFloat16Vector
                | DataType::BinaryVector
        )
    }

    /// The two-byte float a FLOAT16/BFLOAT16 vector holds.
    pub fn half_kind(self) -> Option<crate::half::HalfKind> {
        match self {
            DataType::Float16Vector => Some(crate::half::HalfKind::F16),
            DataType::BFloat16Vector => Some(crate::half::HalfKind::Bf16),
            _ => None,
        }
    }
}

/// One field of a collection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldSchema {
    pub name: String,
    pub data_type: DataType,
    pub is_primary: bool,
    /// Only for the primary key: the engine assigns the keys.
    pub auto_id: bool,
    /// VarChar only.
    pub max_length: Option<usize>,
    /// Vector fields only (BinaryVector: in bits).
    pub dim: Option<usize>,
    pub description: String,
    /// The hidden `$meta` JSON field of a collection with dynamic fields.
    pub is_dynamic: bool,
    /// Array only: the type of its elements (a scalar type).
    pub element_type: Option<DataType>,
    /// Array only: the most elements a row may hold.
    pub max_capacity: Option<usize>,
    /// Rows may hold no value (null) for this field (Milvus 2.5).
    pub nullable: bool,
    /// The value of rows inserted without one (Milvus 2.5), as JSON.
    #[serde(with = "crate::value::json_opt_text")]
    pub default_value: Option<serde_json::Value>,
}

/// Milvus's largest `max_capacity` of an Array field.
pub const MAX_ARRAY_CAPACITY: usize = 4096;

/// The name of the hidden JSON field that holds a row's dynamic keys.
pub const DYNAMIC_FIELD_NAME: &str = "$meta";

impl FieldSchema {
    fn base(name: &str, data_type: DataType) -> Self {
        Self {
            name: name.to_owned(),
            data_type,
            is_primary: false,
            auto_id: false,
            max_length: None,
            dim: None,
            description: String::new(),
            is_dynamic: false,
            element_type: None,
            max_capacity: None,
            nullable: false,
            default_value: None,
        }
    }

    /// An Array field of `element_type` elements (a VarChar element also needs
    /// `max_length`).
    pub fn array(name: &str, element_type: DataType, max_capacity: usize) -> Self {
        Self {
            element_type: Some(element_type),
            max_capacity: Some(max_capacity),
            ..Self::base(name, DataType::Array)
        }
    }

    /// A field of `data_type` with no type parameters (the caller sets them).
    pub fn new(name: &str, data_type: DataType) -> Self {
        Self::base(name, data_type)
    }

    /// The hidden `$meta` field of a collection with dynamic fields.
    pub fn dynamic() -> Self {
        Self {
            is_dynamic: true,
            ..Self::base(DYNAMIC_FIELD_NAME, DataType::Json)
        }
    }

    /// A scalar field (Bool, Int8, Int16, Int32, Int64, Float, Double, JSON).
    pub fn scalar(name: &str, data_type: DataType) -> Self {
        Self::base(name, data_type)
    }

    /// An Int64 primary key, engine-assigned if `auto_id`.
    pub fn int64_primary(name: &str, auto_id: bool) -> Self {
        Self {
            is_primary: true,
            auto_id,
            ..Self::base(name, DataType::Int64)
        }
    }

    pub fn varchar(name: &str, max_length: usize) -> Self {
        Self {
            max_length: Some(max_length),
            ..Self::base(name, DataType::VarChar)
        }
    }

    pub fn float_vector(name: &str, dim: usize) -> Self {
        Self::vector(name, DataType::FloatVector, dim)
    }

    /// A vector field of type `data_type` (BinaryVector: `dim` bits).
    pub fn vector(name: &str, data_type: DataType, dim: usize) -> Self {
        Self {
            dim: Some(dim),
            ..Self::base(name, data_type)
        }
    }

    /// Marks this field as the primary key.
    pub fn primary(mut self, auto_id: bool) -> Self {
        self.is_primary = true;
        self.auto_id = auto_id;
        self
    }
}

/// A collection's schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectionSchema {
    pub fields: Vec<FieldSchema>,
    pub description: String,
    /// Milvus's `enable_dynamic_field`: rows may carry keys the schema does not
    /// name; they are kept in the hidden [`DYNAMIC_FIELD_NAME`] field (the last).
    pub enable_dynamic_field: bool,
}

impl CollectionSchema {
    pub fn new(fields: Vec<FieldSchema>, description: &str) -> Self {
        Self {
            fields,
            description: description.to_owned(),
            enable_dynamic_field: false,
        }
    }

    /// This schema with dynamic fields enabled: the hidden `$meta` field appended
    /// (once).
    pub fn with_dynamic_field(mut self) -> Self {
        self.enable_dynamic_field = true;
        if !self.fields.iter().any(|f| f.is_dynamic) {
            self.fields.push(FieldSchema::dynamic());
        }
        self
    }

    /// The hidden `$meta` field, if dynamic fields are enabled.
    pub fn dynamic_field(&self) -> Option<&FieldSchema> {
        self.fields.iter().find(|f| f.is_dynamic)
    }

    /// The fields a user declared: all but the hidden `$meta`.
    pub fn user_fields(&self) -> impl Iterator<Item = &FieldSchema> {
        self.fields.iter().filter(|f| !f.is_dynamic)
    }

    /// The tutorial's schema: `id` (Int64, auto_id), `embedding` (FloatVector `dim`),
    /// `text` (VarChar 2000), `source` (VarChar 200), `timestamp` (Int64).
    pub fn tutorial(dim: usize) -> Self {
        Self::new(
            vec![
                FieldSchema::int64_primary("id", true),
                FieldSchema::float_vector("embedding", dim),
                FieldSchema::varchar("text", 2000),
                FieldSchema::varchar("source", 200),
                FieldSchema::scalar("timestamp", DataType::Int64),
            ],
            "生产级文档集合",
        )
    }

    pub fn field(&self, name: &str) -> Option<&FieldSchema> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// The primary key field (a validated schema has exactly one).
    pub fn primary(&self) -> &FieldSchema {
        self.fields
            .iter()
            .find(|f| f.is_primary)
            .expect("validated schema has a primary key")
    }

    /// Fields the user supplies on insert: all but an auto_id primary key, in order.
    pub fn insert_fields(&self) -> impl Iterator<Item = &FieldSchema> {
        self.fields.iter().filter(|f| !(f.is_primary && f.auto_id))
    }

    /// Checks the schema with Milvus's rules (`collection` names it in messages).
    pub fn validate(&self, collection: &str) -> Result<()> {
        validate_name(collection, "collection")?;
        let mut primaries = 0;
        let mut vectors = 0;
        if self.enable_dynamic_field != self.fields.iter().any(|f| f.is_dynamic) {
            return Err(Error::DynamicFieldMismatch);
        }
        for (i, f) in self.fields.iter().enumerate() {
            if f.is_dynamic {
                if f.data_type != DataType::Json || f.is_primary || i + 1 != self.fields.len() {
                    return Err(Error::DynamicFieldMismatch);
                }
                continue;
            }
            validate_name(&f.name, "field")?;
            if self.fields[..i].iter().any(|g| g.name == f.name) {
                return Err(Error::DuplicateField {
                    name: f.name.clone(),
                });
            }
            match f.data_type {
                t if t.is_vector() => {
                    vectors += 1;
                    let dim = f.dim.ok_or_else(|| Error::MissingTypeParam {
                        param: "dim",
                        field: f.name.clone(),
                        collection: collection.to_owned(),
                    })?;
                    if t == DataType::BinaryVector {
                        if !dim.is_multiple_of(8) {
                            return Err(Error::BinaryDimNotMultipleOf8 {
                                dim,
                                field: f.name.clone(),
                            });
                        }
                        if dim == 0 || dim > 8 * MAX_DIM {
                            return Err(Error::InvalidBinaryDimension {
                                dim,
                                field: f.name.clone(),
                                max: 8 * MAX_DIM,
                            });
                        }
                    } else if dim == 0 || dim > MAX_DIM {
                        return Err(Error::InvalidDimension { dim, max: MAX_DIM });
                    }
                }
                DataType::Array => {
                    let element = f
                        .element_type
                        .ok_or_else(|| Error::ArrayElementTypeInvalid {
                            field: f.name.clone(),
                            element: "None",
                        })?;
                    if !element.is_numeric()
                        && !matches!(element, DataType::Bool | DataType::VarChar)
                    {
                        return Err(Error::ArrayElementTypeInvalid {
                            field: f.name.clone(),
                            element: element.name(),
                        });
                    }
                    let cap = f.max_capacity.ok_or_else(|| Error::MissingTypeParam {
                        param: "max_capacity",
                        field: f.name.clone(),
                        collection: collection.to_owned(),
                    })?;
                    if cap == 0 || cap > MAX_ARRAY_CAPACITY {
                        return Err(Error::ArrayCapacityOutOfRange {
                            max_capacity: cap,
                            max: MAX_ARRAY_CAPACITY,
                        });
                    }
                    if element == DataType::VarChar {
                        let len = f.max_length.ok_or_else(|| Error::MissingTypeParam {
                            param: "max_length",
                            field: f.name.clone(),
                            collection: collection.to_owned(),
                        })?;
                        if len == 0 || len > MAX_VARCHAR_LENGTH {
                            return Err(Error::InvalidMaxLength {
                                max_length: len,
                                max: MAX_VARCHAR_LENGTH,
                            });
                        }
                    }
                }
                DataType::VarChar => {
                    let len = f.max_length.ok_or_else(|| Error::MissingTypeParam {
                        param: "max_length",
                        field: f.name.clone(),
                        collection: collection.to_owned(),
                    })?;
                    if len == 0 || len > MAX_VARCHAR_LENGTH {
                        return Err(Error::InvalidMaxLength {
                            max_length: len,
                            max: MAX_VARCHAR_LENGTH,
                        });
                    }
                }
                _ => {}
            }
            if f.is_primary {
                primaries += 1;
                if !matches!(f.data_type, DataType::Int64 | DataType::VarChar) {
                    return Err(Error::InvalidPrimaryKeyType {
                        field: f.name.clone(),
                        data_type: f.data_type.name(),
                    });
                }
            } else if f.auto_id {
                return Err(Error::AutoIdOnNonPrimary {
                    field: f.name.clone(),
                });
            }
        }
        match primaries {
            0 => return Err(Error::NoPrimaryKey),
            1 => {}
            _ => return Err(Error::MultiplePrimaryKeys),
        }
        if vectors == 0 {
            return Err(Error::NoVectorField);
        }
        Ok(())
    }
}

/// Milvus's naming rule: a letter or underscore, then letters, digits, underscores;
/// at most 255 characters.
pub fn validate_name(name: &str, kind: &'static str) -> Result<()> {
    let reason = if name.is_empty() {
        Some("should not be empty".to_owned())
    } else if name.chars().count() > MAX_NAME_LENGTH {
        Some(format!(
            "the length of a {kind} name must be less than {MAX_NAME_LENGTH} characters"
        ))
    } else if !name.starts_with(|c: char| c == '_' || c.is_ascii_alphabetic()) {
        Some(format!(
            "the first character of a {kind} name must be an underscore or letter"
        ))
    } else if !name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric()) {
        Some(format!(
            "{kind} name can only contain numbers, letters and underscores"
        ))
    } else {
        None
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(Error::InvalidName {
            kind,
            name: name.to_owned(),
            reason,
        }),
    }
}

/// The data of one field over a run of rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Column {
    Bool(Vec<bool>),
    Int32(Vec<i32>),
    Int64(Vec<i64>),
    Float(Vec<f32>),
    Double(Vec<f64>),
    VarChar(Vec<String>),
    /// Row-major, `dim` floats a row.
    FloatVector {
        dim: usize,
        data: Vec<f32>,
    },
    Int8(Vec<i8>),
    Int16(Vec<i16>),
    /// Stored as JSON text (postcard cannot read a self-describing value).
    Json(#[serde(with = "crate::value::json_text")] Vec<serde_json::Value>),
    /// One JSON array of the field's element type per row.
    Array(#[serde(with = "crate::value::json_text")] Vec<serde_json::Value>),
    /// Row-major, `dim` IEEE half-precision values (their bits) a row.
    Float16Vector {
        dim: usize,
        data: Vec<u16>,
    },
    /// Row-major, `dim` bfloat16 values (their bits) a row.
    BFloat16Vector {
        dim: usize,
        data: Vec<u16>,
    },
    /// Row-major, `dim` bits a row packed into `dim / 8` bytes (the first
    /// component in the most significant bit).
    BinaryVector {
        dim: usize,
        data: Vec<u8>,
    },
    /// A nullable field's rows: `values` (a placeholder where null) and
    /// whether each row has one.
    Nullable {
        values: Box<Column>,
        valid: Vec<bool>,
    },
}

impl Column {
    /// An empty column for a field.
    pub fn empty_for(field: &FieldSchema) -> Self {
        if field.nullable {
            let plain = FieldSchema {
                nullable: false,
                ..field.clone()
            };
            return Column::Nullable {
                values: Box::new(Column::empty_for(&plain)),
                valid: Vec::new(),
            };
        }
        match field.data_type {
            DataType::Bool => Column::Bool(Vec::new()),
            DataType::Int32 => Column::Int32(Vec::new()),
            DataType::Int64 => Column::Int64(Vec::new()),
            DataType::Float => Column::Float(Vec::new()),
            DataType::Double => Column::Double(Vec::new()),
            DataType::VarChar => Column::VarChar(Vec::new()),
            DataType::FloatVector => Column::FloatVector {
                dim: field.dim.unwrap_or(0),
                data: Vec::new(),
            },
            DataType::Int8 => Column::Int8(Vec::new()),
            DataType::Int16 => Column::Int16(Vec::new()),
            DataType::Json => Column::Json(Vec::new()),
            DataType::Array => Column::Array(Vec::new()),
            DataType::Float16Vector => Column::Float16Vector {
                dim: field.dim.unwrap_or(0),
                data: Vec::new(),
            },
            DataType::BFloat16Vector => Column::BFloat16Vector {
                dim: field.dim.unwrap_or(0),
                data: Vec::new(),
            },
            DataType::BinaryVector => Column::BinaryVector {
                dim: field.dim.unwrap_or(0),
                data: Vec::new(),
            },
        }
    }

    pub fn data_type(&self) -> DataType {
        match self {
            Column::Bool(_) => DataType::Bool,
            Column::Int32(_) => DataType::Int32,
            Column::Int64(_) => DataType::Int64,
            Column::Float(_) => DataType::Float,
            Column::Double(_) => DataType::Double,
            Column::VarChar(_) => DataType::VarChar,
            Column::FloatVector { .. } => DataType::FloatVector,
            Column::Int8(_) => DataType::Int8,
            Column::Int16(_) => DataType::Int16,
            Column::Json(_) => DataType::Json,
            Column::Array(_) => DataType::Array,
            Column::Float16Vector { .. } => DataType::Float16Vector,
            Column::BFloat16Vector { .. } => DataType::BFloat16Vector,
            Column::BinaryVector { .. } => DataType::BinaryVector,
            Column::Nullable { values, .. } => values.data_type(),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::Bool(v) => v.len(),
            Column::Int32(v) => v.len(),
            Column::Int64(v) => v.len(),
            Column::Float(v) => v.len(),
            Column::Double(v) => v.len(),
            Column::VarChar(v) => v.len(),
            Column::FloatVector { dim, data } => data.len() / (*dim).max(1),
            Column::Int8(v) => v.len(),
            Column::Int16(v) => v.len(),
            Column::Json(v) => v.len(),
            Column::Array(v) => v.len(),
            Column::Float16Vector { dim, data } | Column::BFloat16Vector { dim, data } => {
                data.len() / (*dim).max(1)
            }
            Column::BinaryVector { dim, data } => data.len() / (*dim / 8).max(1),
            Column::Nullable { valid, .. } => valid.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn tutorial_schema_is_valid() {
        let s = CollectionSchema::tutorial(1536);
        s.validate("production_documents").unwrap();
        assert_eq!(s.primary().name, "id");
        let names: Vec<&str> = s.insert_fields().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["embedding", "text", "source", "timestamp"]);
    }

    #[test]
    fn milvus_rules_are_enforced_with_milvus_messages() {
        let err = CollectionSchema::tutorial(8).validate("1abc").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid collection name: 1abc. the first character of a collection name must be an underscore or letter: invalid parameter"
        );
        let err = CollectionSchema::tutorial(0).validate("c").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid dimension: 0. should be in range 1 ~ 32768"
        );
        let mut s = CollectionSchema::tutorial(8);
        s.fields[2].max_length = Some(65_536);
        assert_eq!(
            s.validate("c").unwrap_err().to_string(),
            "the maximum length specified for a VarChar should be in (0, 65535]: invalid parameter"
        );
        s.fields[2].max_length = None;
        assert_eq!(
            s.validate("probe_vc").unwrap_err().to_string(),
            "type param(max_length) should be specified for varChar field of collection probe_vc"
        );
        let no_pk = CollectionSchema::new(vec![FieldSchema::float_vector("v", 4)], "");
        assert_eq!(no_pk.validate("c"), Err(Error::NoPrimaryKey));
        let no_vec = CollectionSchema::new(vec![FieldSchema::int64_primary("id", false)], "");
        assert_eq!(no_vec.validate("c"), Err(Error::NoVectorField));
    }
}
