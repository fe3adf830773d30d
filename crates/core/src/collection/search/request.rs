//! A search, typed: what pymilvus's `search` asks for, with the index's
//! parameter per index kind ([`AnnParams`]) and range search's bounds.

use serde::{Deserialize, Serialize};

use super::group::GroupBy;
use super::result::SearchResult;
use crate::error::{Error, Result};
use crate::index::AnnParams;
use crate::index::ivf::DEFAULT_MAX_EMPTY_RESULT_BUCKETS;
use crate::metric::Metric;
use crate::value::PrimaryKey;

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
    /// A page of a search iterator: only the rows past the previous page's
    /// last hit (answered exactly, whatever the indexes).
    #[serde(default)]
    pub after: Option<SearchAfter>,
}

/// Where the previous page of a search iterator ended (Milvus's iterator v2:
/// its `last_bound`), in the score's units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchAfter {
    /// The score of the previous page's last hit.
    pub last_bound: f32,
    /// None: only the rows strictly farther than `last_bound`, as Milvus 2.5's
    /// segments answer (a row at exactly the bound that the previous page had
    /// no room for is never returned). Some: the rows at exactly the bound too,
    /// except these primary keys, which earlier pages returned, so that every
    /// row comes exactly once.
    pub returned_at_bound: Option<Vec<PrimaryKey>>,
}

impl SearchAfter {
    /// The closest internal distance a row of the page may have under
    /// `metric`: the bound itself when the keys returned at it are known (those
    /// rows are then dropped by key), else the next distance past it.
    /// Where the page after `page` starts, `page` (query 0's hits) having
    /// started after `previous`: at its last hit's score, past the page's keys
    /// at that score (and the earlier pages' keys, when the bound did not
    /// move). None for an empty page: the next one starts where it did.
    pub fn after_page(previous: Option<&SearchAfter>, page: &SearchResult) -> Option<SearchAfter> {
        let hits: Vec<_> = page.hits(0).collect();
        let last_bound = hits.last()?.score();
        let mut returned: Vec<PrimaryKey> = hits
            .iter()
            .filter(|h| h.score() == last_bound)
            .map(|h| h.id())
            .collect();
        if let Some(p) = previous.filter(|p| p.last_bound == last_bound) {
            returned.extend(p.returned_at_bound.iter().flatten().cloned());
        }
        Some(SearchAfter {
            last_bound,
            returned_at_bound: Some(returned),
        })
    }

    pub(super) fn floor(&self, metric: Metric) -> f32 {
        let bound = if metric.higher_is_closer() {
            -self.last_bound
        } else {
            self.last_bound
        };
        match self.returned_at_bound {
            Some(_) => bound,
            // Strictly farther: the next distance up.
            None => bound.next_up(),
        }
    }
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
