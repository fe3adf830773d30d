//! STL_SORT (Milvus: a `std::sort`ed array of value and row): every non-null
//! value with its row, in value order; a comparison is two binary searches and
//! one slice of rows.

use serde::{Deserialize, Serialize};

use super::keys::{Keys, Matches, SortedRows, row_bitset};
use crate::bitset::Bitset;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sorted {
    /// Every value, ascending (repeated as often as rows hold it).
    pub(super) values: Keys,
    /// The row of each value.
    rows: Vec<u32>,
    nan_rows: Vec<u32>,
}

impl Sorted {
    pub fn build(sorted: SortedRows) -> Self {
        Self {
            values: sorted.keys,
            rows: sorted.rows,
            nan_rows: sorted.nan_rows,
        }
    }

    /// The rows at the positions `m` names (of `n` rows).
    pub fn rows(&self, m: &Matches, n: usize) -> Bitset {
        let positions = m.ranges.iter().map(|r| &self.rows[r.clone()]);
        row_bitset(n, positions.chain(m.nan.then_some(&self.nan_rows[..])))
    }

    pub fn memory_bytes(&self) -> usize {
        self.values.memory_bytes() + 4 * (self.rows.len() + self.nan_rows.len())
    }
}
