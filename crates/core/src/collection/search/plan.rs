//! How each segment of a search is searched, chosen before any distance is
//! computed, and reported (the CLI and the page show it).

use serde::{Deserialize, Serialize};

use crate::index::spec::IndexParams;
use crate::index::{AnnParams, IndexType};

/// How one segment was searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Strategy {
    /// The segment's index, no filter.
    Index(IndexType),
    /// The segment's index, with the filter checked during traversal/probing.
    IndexFiltered(IndexType),
    /// Scan of the rows that pass the filter: cheaper than the index for them.
    ExactFiltered,
    /// Scan of every row: the segment has no index (growing, or not built yet).
    ExactUnindexed,
    /// Scan of every allowed row, as asked ([`Collection::search_exact`]: the
    /// ground truth a search is measured against).
    ///
    /// [`Collection::search_exact`]: crate::collection::Collection::search_exact
    Exact,
}

impl Strategy {
    /// Whether the segment's index answers (FLAT's "index" is a scan too).
    pub(super) fn uses_index(self) -> bool {
        matches!(
            self,
            Strategy::Index(t) | Strategy::IndexFiltered(t)
                if t != IndexType::Flat && t != IndexType::BinFlat
        )
    }
}

/// The plan of one segment, for teaching and for the CLI's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentPlan {
    pub segment_id: i64,
    pub rows: usize,
    /// Rows that may be returned (filter and deletions), when restricted.
    pub allowed_rows: Option<usize>,
    pub strategy: Strategy,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchPlan {
    pub segments: Vec<SegmentPlan>,
}

impl SearchPlan {
    /// Rows the filter let through, over all segments (None without a filter).
    pub fn allowed_rows(&self) -> Option<usize> {
        self.segments
            .iter()
            .try_fold(0usize, |acc, s| s.allowed_rows.map(|a| acc + a))
    }

    pub fn total_rows(&self) -> usize {
        self.segments.iter().map(|s| s.rows).sum()
    }
}

/// The strategy for a segment of `rows` rows, `allowed` of which may be returned
/// (None: all), with its index (`index`: its type, None without one).
pub(super) fn choose(
    index: Option<IndexType>,
    params: &IndexParams,
    ann: &AnnParams,
    allowed: Option<usize>,
    rows: usize,
    k: usize,
) -> Strategy {
    match (index, allowed) {
        (None, _) => Strategy::ExactUnindexed,
        (Some(t), None) => Strategy::Index(t),
        (Some(t), Some(n)) => {
            if prefer_exact(params, ann, n, rows, k) {
                Strategy::ExactFiltered
            } else {
                Strategy::IndexFiltered(t)
            }
        }
    }
}

/// Whether an exact scan of `allowed` rows is expected to cost less than a
/// filtered index search. The estimates count distance computations: a filtered
/// HNSW search visits about `32·ef / selectivity` nodes (the graph must be walked
/// through rows that fail the filter); an IVF search scans `nprobe/nlist` of the
/// allowed rows after `nlist` centroid distances.
fn prefer_exact(
    params: &IndexParams,
    ann: &AnnParams,
    allowed: usize,
    rows: usize,
    k: usize,
) -> bool {
    if allowed <= k {
        return true;
    }
    let selectivity = allowed as f64 / rows.max(1) as f64;
    let index_cost = match *params {
        IndexParams::Flat | IndexParams::BinFlat => return true,
        IndexParams::Hnsw { .. } | IndexParams::HnswSq { .. } => {
            32.0 * ann.ef().unwrap_or(k).max(k) as f64 / selectivity
        }
        IndexParams::IvfFlat { nlist }
        | IndexParams::IvfPq { nlist, .. }
        | IndexParams::BinIvfFlat { nlist }
        | IndexParams::IvfSq8 { nlist } => {
            let nprobe = ann.nprobe().unwrap_or(8).min(nlist) as f64;
            nlist as f64 + allowed as f64 * nprobe / nlist as f64
        }
    };
    (allowed as f64) <= index_cost
}
