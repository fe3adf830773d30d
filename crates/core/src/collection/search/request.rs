//! A search, typed: what pymilvus's `search` asks for, with the index's
//! parameter per index kind ([`AnnParams`]) and range search's bounds.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::index::AnnParams;
use crate::metric::Metric;

/// A search, in pymilvus's terms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    pub anns_field: String,
    /// `nq` query vectors (a float field: FLOAT, FLOAT16 or BFLOAT16, whose
    /// queries arrive widened to `f32`).
    pub data: Vec<Vec<f32>>,
    /// `nq` query vectors of a BINARY_VECTOR field, `dim / 8` bytes each (then
    /// `data` is empty).
    pub binary_data: Vec<Vec<u8>>,
    /// If given, must equal the index's metric.
    pub metric_type: Option<Metric>,
    /// The index's search parameter (`ef`, `nprobe`), checked against its kind.
    pub ann: AnnParams,
    /// Range search: only hits within these bounds.
    pub range: Option<RangeSearch>,
    pub limit: usize,
    pub offset: usize,
    /// Boolean filter expression (empty = none).
    pub filter: String,
    pub output_fields: Vec<String>,
    /// Round scores to this many decimals.
    pub round_decimal: Option<u32>,
    /// Partitions to search (empty = every loaded partition).
    pub partition_names: Vec<String>,
}

/// Milvus's range search, in the score's units: for IP/COSINE keep
/// `radius < score <= range_filter`, for L2 `range_filter <= score < radius`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RangeSearch {
    pub radius: f32,
    pub range_filter: Option<f32>,
}

impl RangeSearch {
    /// The bounds as internal distances `(closer bound, farther bound)`, or
    /// Milvus's refusal of bounds in the wrong order for `metric`.
    pub(super) fn bounds(&self, metric: Metric) -> Result<(f32, f32)> {
        let (radius, range_filter) = (self.radius, self.range_filter);
        if metric.higher_is_closer() {
            // Similarity: keep radius < score <= range_filter.
            let upper = range_filter.unwrap_or(f32::INFINITY);
            if let Some(rf) = range_filter
                && rf <= radius
            {
                return Err(Error::BadRange {
                    metric,
                    expected: "<",
                    radius,
                    range_filter: rf,
                });
            }
            Ok((-upper, -radius))
        } else {
            // L2: keep range_filter <= distance < radius.
            let lower = range_filter.unwrap_or(f32::NEG_INFINITY);
            if let Some(rf) = range_filter
                && rf >= radius
            {
                return Err(Error::BadRange {
                    metric,
                    expected: ">",
                    radius,
                    range_filter: rf,
                });
            }
            Ok((lower, radius))
        }
    }
}
