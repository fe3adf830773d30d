//! A search's answer as columns, in Milvus's shape (`SearchResultData`): every
//! hit's primary key and score, query after query, the number of hits of each
//! query (`topks`), and the output fields as columns, one value per hit.

use serde::{Deserialize, Serialize};

use super::plan::SearchPlan;
use crate::collection::OutputColumns;
use crate::schema::Column;
use crate::value::{FieldValue, PrimaryKey};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    /// The hits' primary keys, query after query, each query's best first.
    pub ids: Column,
    /// Milvus's `distance` of each hit: similarity for COSINE/IP (descending),
    /// squared distance for L2 (ascending).
    pub scores: Vec<f32>,
    /// Hits of each query: query `q`'s are the `topks[q]` after those of the
    /// queries before it.
    pub topks: Vec<usize>,
    /// The requested output fields, one value per hit.
    pub fields: OutputColumns,
    pub plan: SearchPlan,
    /// A grouping search's group value of each hit (Milvus 2.5's
    /// `group_by_field_value`); None without `group_by`.
    #[serde(default)]
    pub group_values: Option<Column>,
}

impl SearchResult {
    /// Number of queries.
    pub fn nq(&self) -> usize {
        self.topks.len()
    }

    /// Positions of query `q`'s hits in the columns.
    pub fn span(&self, q: usize) -> std::ops::Range<usize> {
        let start: usize = self.topks[..q].iter().sum();
        start..start + self.topks[q]
    }

    /// Query `q`'s hits, best first.
    pub fn hits(&self, q: usize) -> impl Iterator<Item = SearchHit<'_>> {
        self.span(q).map(move |at| SearchHit { result: self, at })
    }

    /// Query `q`'s Int64 primary keys, best first (none for VarChar keys).
    pub fn int_ids(&self, q: usize) -> Vec<i64> {
        match &self.ids {
            Column::Int64(ids) => ids[self.span(q)].to_vec(),
            _ => Vec::new(),
        }
    }
}

/// One hit: a position in the result's columns.
#[derive(Debug, Clone, Copy)]
pub struct SearchHit<'a> {
    result: &'a SearchResult,
    at: usize,
}

impl SearchHit<'_> {
    pub fn id(&self) -> PrimaryKey {
        self.result.ids.primary_key(self.at)
    }

    pub fn score(&self) -> f32 {
        self.result.scores[self.at]
    }

    /// The value of output field `name` (None if it was not asked for).
    pub fn value(&self, name: &str) -> Option<FieldValue> {
        self.result.fields.get(name).map(|c| c.value(self.at))
    }
}
