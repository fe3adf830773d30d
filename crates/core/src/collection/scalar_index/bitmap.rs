//! BITMAP (Milvus: a roaring bitmap per distinct value, for low-cardinality
//! fields): here one plain bitset of the segment's rows per distinct value.

use serde::{Deserialize, Serialize};

use super::keys::{Keys, Matches, SortedRows};
use crate::bitset::Bitset;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bitmap {
    pub(super) values: Keys,
    /// The rows holding each value.
    bitmaps: Vec<Bitset>,
    nan_rows: Bitset,
}

impl Bitmap {
    pub fn build(sorted: SortedRows, n: usize) -> Self {
        let (values, starts) = sorted.keys.distinct();
        let bitmaps = starts
            .windows(2)
            .map(|w| {
                let mut b = Bitset::new(n);
                sorted.rows[w[0] as usize..w[1] as usize]
                    .iter()
                    .for_each(|&r| b.set(r as usize));
                b
            })
            .collect();
        let mut nan_rows = Bitset::new(n);
        sorted
            .nan_rows
            .iter()
            .for_each(|&r| nan_rows.set(r as usize));
        Self {
            values,
            bitmaps,
            nan_rows,
        }
    }

    pub fn rows(&self, m: &Matches, n: usize) -> Bitset {
        let mut out = Bitset::new(n);
        for r in &m.ranges {
            self.bitmaps[r.clone()].iter().for_each(|b| out.or_with(b));
        }
        if m.nan {
            out.or_with(&self.nan_rows);
        }
        out
    }

    pub fn memory_bytes(&self) -> usize {
        self.values.memory_bytes() + (self.bitmaps.len() + 1) * self.nan_rows.len().div_ceil(8)
    }
}
