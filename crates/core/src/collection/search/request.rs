//! A search, typed: what pymilvus's `search` asks for, with the index's
//! parameter per index kind ([`AnnParams`]) and range search's bounds.

use serde::{Deserialize, Serialize};

use super::group::GroupBy;
use crate::error::{Error, Result};
use crate::index::AnnParams;
use crate::index::ivf::DEFAULT_MAX_EMPTY_RESULT_BUCKETS;
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
    /// Grouping search: `limit` groups of rows sharing this field's value.
    #[serde(default)]
    pub group_by: Option<GroupBy>,
}

/// Milvus's range search, in the score's units: for IP/COSINE keep
/// `radius < score <= range_filter`, for L2 `range_filter <= score < radius`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RangeSearch {
    pub radius: f32,
    pub range_filter: Option<f32>,
    /// IVF indexes: stop walking the lists after this many lists in a row
    /// without a hit (knowhere's `max_empty_result_buckets`, 1 to 65,536;
    /// None: [`DEFAULT_MAX_EMPTY_RESULT_BUCKETS`]).
    #[serde(default)]
    pub max_empty_result_buckets: Option<usize>,
}

/// Knowhere's range for `max_empty_result_buckets`.
pub const MAX_EMPTY_RESULT_BUCKETS_RANGE: (i64, i64) = (1, 65_536);

impl RangeSearch {
    /// A range search with Milvus's defaults for everything but the bounds.
    pub fn new(radius: f32, range_filter: Option<f32>) -> Self {
        Self {
            radius,
            range_filter,
            max_empty_result_buckets: None,
        }
    }

    /// `max_empty_result_buckets`, checked against knowhere's range.
    pub(super) fn max_empty_buckets(&self) -> Result<usize> {
        let (min, max) = MAX_EMPTY_RESULT_BUCKETS_RANGE;
        match self.max_empty_result_buckets {
            None => Ok(DEFAULT_MAX_EMPTY_RESULT_BUCKETS),
            Some(n) if (min..=max).contains(&(n as i64)) => Ok(n),
            Some(_) => Err(Error::SearchParamOutOfRange {
                param: "max_empty_result_buckets",
                min,
                max,
            }),
        }
    }

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
