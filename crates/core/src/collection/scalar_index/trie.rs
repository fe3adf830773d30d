//! Trie (Milvus: a marisa-trie of the distinct strings, each with its rows):
//! here the distinct strings in order, which is what a trie's ordered walk
//! gives, so that a prefix is one run of strings and one slice of rows.

use serde::{Deserialize, Serialize};

use super::inverted::Inverted;
use super::keys::{Keys, Matches, SortedRows};
use crate::bitset::Bitset;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trie {
    strings: Inverted,
}

impl Trie {
    /// None unless the keys are strings (the checker admits VarChar only).
    pub fn build(sorted: SortedRows) -> Option<Self> {
        matches!(sorted.keys, Keys::Str(_)).then(|| Self {
            strings: Inverted::build(sorted),
        })
    }

    pub fn keys(&self) -> &Keys {
        &self.strings.terms
    }

    pub fn rows(&self, m: &Matches, n: usize) -> Bitset {
        self.strings.rows(m, n)
    }

    pub fn memory_bytes(&self) -> usize {
        self.strings.memory_bytes()
    }
}
