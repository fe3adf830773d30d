//! The one error type of the engine. Variants carry the numbers that were wrong and
//! their messages say what to change, in the spirit of Milvus's own messages.

/// Result of every fallible engine operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything the engine can refuse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A vector dimension outside Milvus's range.
    #[error("invalid dimension: {dim}. should be in range 1 ~ {max}")]
    InvalidDimension { dim: usize, max: usize },

    /// A number of rows or queries that cannot be used.
    #[error("invalid {what}: {value}; should be in range [{min}, {max}]")]
    OutOfRange {
        what: &'static str,
        value: i64,
        min: i64,
        max: i64,
    },

    /// A vector whose length does not match the field's dimension.
    #[error("the dim ({got}) of the vector doesn't match the field's dim ({expected})")]
    DimensionMismatch { expected: usize, got: usize },

    /// A vector that contains NaN or ±inf.
    #[error(
        "vector {row} has a non-finite value at position {position}: replace NaN/inf before inserting"
    )]
    NonFiniteValue { row: usize, position: usize },

    /// A zero vector cannot be normalised for COSINE.
    #[error("vector {row} is all zeros: COSINE similarity is undefined for it")]
    ZeroVector { row: usize },

    /// A metric name Milvus does not know.
    #[error("metric type not found or not supported, supported: [L2 IP COSINE] (got '{name}')")]
    UnknownMetric { name: String },

    // --- schema -------------------------------------------------------------
    /// A collection, field or partition name that breaks Milvus's naming rule.
    #[error("Invalid {kind} name: {name}. {reason}: invalid parameter")]
    InvalidName {
        kind: &'static str,
        name: String,
        reason: String,
    },

    /// Two fields with one name.
    #[error("duplicated field name: {name}; give every field its own name")]
    DuplicateField { name: String },

    /// A VarChar without max_length or a vector without dim.
    #[error("type param({param}) should be specified for {} field of collection {collection}", if *param == "dim" { "vector" } else { "varChar" })]
    MissingTypeParam {
        param: &'static str,
        field: String,
        collection: String,
    },

    /// max_length outside (0, 65535].
    #[error(
        "the maximum length specified for a VarChar should be in (0, {max}]: invalid parameter"
    )]
    InvalidMaxLength { max_length: usize, max: usize },

    #[error("Schema must have a primary key field.")]
    NoPrimaryKey,

    #[error(
        "there are more than one primary key, field names: only one field may be the primary key"
    )]
    MultiplePrimaryKeys,

    #[error(
        "the data type of primary key should be Int64 or VarChar, not {data_type} (field {field})"
    )]
    InvalidPrimaryKeyType {
        field: String,
        data_type: &'static str,
    },

    #[error("auto_id can only be set on the primary key field, not on {field}")]
    AutoIdOnNonPrimary { field: String },

    #[error("No vector field is found.")]
    NoVectorField,

    // --- filter expressions (crate::expr) -------------------------------------

    // --- indexes (crate::index) -----------------------------------------------
    /// Long work stopped because the caller asked.
    #[error("{what} was cancelled after {done} of {total}")]
    Cancelled {
        what: &'static str,
        done: usize,
        total: usize,
    },
    // --- collections, insert, search ------------------------------------------
}
