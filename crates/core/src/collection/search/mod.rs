//! Vector search over every segment: the index of a sealed segment, an exact scan
//! of growing rows, filters checked inside the index or by an exact scan of the
//! matching rows (never after the search), results merged across segments. One
//! executor ([`executor`]) runs every search: one query or many, range search,
//! and the exact search the ground truth comes from.

#[cfg(test)]
mod after_tests;
mod executor;
mod group;
mod hybrid;
mod plan;
mod request;
mod result;

use super::Collection;
use crate::error::Result;

pub use executor::PreparedSearch;
pub use group::{GroupBy, MAX_GROUP_SIZE};
pub use hybrid::{HybridSearchRequest, Ranker};
pub use plan::{SearchPlan, SegmentPlan, Strategy};
pub use request::{RangeSearch, SearchAfter, SearchRequest};
pub use result::{SearchHit, SearchResult};

impl Collection {
    /// Milvus's `search`.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResult> {
        self.prepare_search(req)?.run()
    }

    /// The same request answered exactly: every allowed row of every segment
    /// scanned, whatever the indexes (the ground truth of a search's recall).
    /// The request is checked as [`Collection::search`] checks it.
    pub fn search_exact(&self, req: &SearchRequest) -> Result<SearchResult> {
        self.prepare_search(req)?.run_exact()
    }

    /// `req` checked (with Milvus's messages, in Milvus's order) and prepared
    /// (the filter parsed and evaluated, the plan chosen, the queries prepared),
    /// to run as planned, exactly, or both.
    pub fn prepare_search(&self, req: &SearchRequest) -> Result<PreparedSearch<'_>> {
        PreparedSearch::new(self, req)
    }

    /// The checks Milvus's proxy makes before its query node reads the search
    /// parameters (loaded partitions, the vector field, `limit`/`offset`, the
    /// metric), alone: a caller that could not read the parameters from text
    /// reports their error only after these, as Milvus does.
    pub fn check_search_target(&self, req: &SearchRequest) -> Result<()> {
        self.search_target(req).map(drop)
    }
}
