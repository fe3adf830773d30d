//! The one error type of the engine. Variants carry the numbers that were wrong and
//! their messages say what to change, in the spirit of Milvus's own messages.

/// Result of every fallible engine operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything the engine can refuse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A vector dimension outside Milvus's range.
    #[error("invalid dimension: {dim}; should be in range [1, {max}]")]
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
    #[error("metric type '{name}' is not supported; use one of COSINE, L2, IP")]
    UnknownMetric { name: String },
}
