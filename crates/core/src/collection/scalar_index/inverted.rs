//! INVERTED (Milvus builds it with tantivy): a dictionary of the distinct
//! values, each with its posting list of rows. The lists lie end to end in key
//! order, so a run of keys (a range, a prefix) is one slice of rows.

use serde::{Deserialize, Serialize};

use super::keys::{Keys, Matches, SortedRows, row_bitset};
use crate::bitset::Bitset;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inverted {
    /// The distinct values, ascending.
    pub(super) terms: Keys,
    /// Where each term's rows start in `postings` (one more: the end).
    starts: Vec<u32>,
    /// Rows grouped by term, ascending within a term.
    postings: Vec<u32>,
    nan_rows: Vec<u32>,
}

impl Inverted {
    pub fn build(sorted: SortedRows) -> Self {
        let (terms, starts) = sorted.keys.distinct();
        Self {
            terms,
            starts,
            postings: sorted.rows,
            nan_rows: sorted.nan_rows,
        }
    }

    /// The rows of the terms `m` names (of `n` rows).
    pub fn rows(&self, m: &Matches, n: usize) -> Bitset {
        let terms = m
            .ranges
            .iter()
            .map(|r| &self.postings[self.starts[r.start] as usize..self.starts[r.end] as usize]);
        row_bitset(n, terms.chain(m.nan.then_some(&self.nan_rows[..])))
    }

    pub fn memory_bytes(&self) -> usize {
        self.terms.memory_bytes()
            + 4 * (self.starts.len() + self.postings.len() + self.nan_rows.len())
    }
}
