//! INVERTED (Milvus builds it with tantivy): a dictionary of the distinct
//! values, each with its posting list of rows. The lists lie end to end in key
//! order, so a run of keys (a range, a prefix) is one slice of rows.

use serde::{Deserialize, Serialize};

use super::keys::{Keys, Matches, SortedRows};
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
        let mut out = Bitset::new(n);
        for r in &m.ranges {
            let (a, b) = (self.starts[r.start] as usize, self.starts[r.end] as usize);
            self.postings[a..b]
                .iter()
                .for_each(|&row| out.set(row as usize));
        }
        if m.nan {
            self.nan_rows.iter().for_each(|&row| out.set(row as usize));
        }
        out
    }

    pub fn memory_bytes(&self) -> usize {
        self.terms.memory_bytes()
            + 4 * (self.starts.len() + self.postings.len() + self.nan_rows.len())
    }
}
