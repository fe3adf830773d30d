//! Scalar indexes (Milvus's INVERTED, STL_SORT, Trie, BITMAP): built per sealed
//! segment on a Bool, integer, floating or VarChar field, and asked by the
//! filter for the rows of a leaf predicate (`==`, `!=`, comparisons, `in`,
//! `like "prefix%"`) through [`crate::expr::Columns::index_rows`]; growing
//! segments, and predicates an index cannot answer, scan the column. An
//! index's answer is the scan's, bit for bit (`tests.rs` checks it on random
//! data and expressions).
//!
//! Which field types each type takes, and the refusals, are Milvus 2.5's
//! (`internal/util/indexparamcheck`): INVERTED on Bool, numbers, VarChar and
//! ARRAY; STL_SORT on numbers; Trie on VarChar; BITMAP on Bool, integers,
//! VarChar and ARRAY of those, never the primary key; AUTOINDEX (or no type)
//! builds INVERTED, and is refused on JSON. On an ARRAY field the index is
//! defined but holds nothing: Milvus indexes the elements for
//! `array_contains`, annlab evaluates array predicates on the column.

mod bitmap;
mod inverted;
mod keys;
mod manage;
mod sorted;
#[cfg(test)]
mod tests;
mod trie;

use serde::{Deserialize, Serialize};

use crate::bitset::Bitset;
use crate::error::{Error, Result};
use crate::expr::IndexQuery;
use crate::schema::{Column, DataType, FieldSchema};

pub use manage::CONFIGURABLE_INDEX_PARAMS;

/// Milvus's scalar index types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ScalarIndexType {
    Inverted,
    StlSort,
    Trie,
    Bitmap,
}

impl ScalarIndexType {
    pub const ALL: [ScalarIndexType; 4] = [Self::Inverted, Self::StlSort, Self::Trie, Self::Bitmap];

    /// Milvus's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Inverted => "INVERTED",
            Self::StlSort => "STL_SORT",
            Self::Trie => "Trie",
            Self::Bitmap => "BITMAP",
        }
    }

    /// The type Milvus's `index_type` names (`marisa-trie` is Trie's other
    /// name), case as Milvus writes it.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "INVERTED" => Some(Self::Inverted),
            "STL_SORT" => Some(Self::StlSort),
            "Trie" | "marisa-trie" => Some(Self::Trie),
            "BITMAP" => Some(Self::Bitmap),
            _ => None,
        }
    }

    /// Milvus 2.5's check of the field's type (`CheckValidDataType`).
    pub fn check_field(self, field: &FieldSchema) -> Result<()> {
        use DataType as T;
        let t = field.data_type;
        let numeric = t.is_integer() || matches!(t, T::Float | T::Double);
        let refuse = |reason: String| {
            Err(Error::ScalarIndexFieldType {
                index_type: self.name(),
                field: field.name.clone(),
                reason,
            })
        };
        match self {
            Self::Inverted => {
                if !(numeric || matches!(t, T::Bool | T::VarChar | T::Array)) {
                    return refuse(format!("INVERTED are not supported on {} field", t.name()));
                }
            }
            Self::StlSort => {
                if !numeric {
                    return refuse("STL_SORT are only supported on numeric field".into());
                }
            }
            Self::Trie => {
                if t != T::VarChar {
                    return refuse("TRIE are only supported on varchar field".into());
                }
            }
            Self::Bitmap => {
                let bitmapped = |t: DataType| t.is_integer() || matches!(t, T::Bool | T::VarChar);
                if field.is_primary {
                    return refuse("create bitmap index on primary key not supported".into());
                }
                if !(bitmapped(t) || t == T::Array) {
                    return refuse(
                        "bitmap index are only supported on bool, int, string and array field"
                            .into(),
                    );
                }
                if t == T::Array && !field.element_type.is_some_and(bitmapped) {
                    return refuse(
                        "bitmap index are only supported on bool, int, string for array field"
                            .into(),
                    );
                }
            }
        }
        Ok(())
    }

    /// What AUTOINDEX (or no index type) builds on `field`: INVERTED, as
    /// Milvus 2.5's scalar auto-index; refused on JSON (and vectors, which take
    /// a vector index).
    pub fn auto_for(field: &FieldSchema) -> Result<Self> {
        match field.data_type {
            DataType::Json => Err(Error::AutoIndexOnType {
                data_type: field.data_type.name(),
            }),
            _ => Ok(Self::Inverted),
        }
    }
}

/// A scalar index defined on a field, as `describe_index` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalarIndexDef {
    pub field: String,
    pub index_name: String,
    pub index_type: ScalarIndexType,
    /// Asked for as AUTOINDEX (or with no type): described so.
    pub autoindex: bool,
}

/// A sealed segment's built scalar index on one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScalarIndex {
    rows: usize,
    body: Body,
}

/// One variant per index type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Body {
    Inverted(inverted::Inverted),
    Sorted(sorted::Sorted),
    Trie(trie::Trie),
    Bitmap(bitmap::Bitmap),
    /// An ARRAY field's index: nothing ordered; its predicates scan the column.
    Elements,
}

impl ScalarIndex {
    /// Builds an index of type `t` over `column` (all of a sealed segment's rows).
    pub fn build(t: ScalarIndexType, column: &Column) -> Self {
        let rows = column.len();
        let body = match keys::SortedRows::of(column) {
            None => Body::Elements,
            Some(sorted) => match t {
                ScalarIndexType::Inverted => Body::Inverted(inverted::Inverted::build(sorted)),
                ScalarIndexType::StlSort => Body::Sorted(sorted::Sorted::build(sorted)),
                ScalarIndexType::Trie => match trie::Trie::build(sorted) {
                    Some(t) => Body::Trie(t),
                    None => Body::Elements,
                },
                ScalarIndexType::Bitmap => Body::Bitmap(bitmap::Bitmap::build(sorted, rows)),
            },
        };
        Self { rows, body }
    }

    /// Rows indexed (the segment's).
    pub fn num_rows(&self) -> usize {
        self.rows
    }

    /// Whether the index answers queries (not an ARRAY field's).
    pub fn answers(&self) -> bool {
        !matches!(self.body, Body::Elements)
    }

    /// The rows answering `q`, as the filter's scan would find them (null rows
    /// never match); None if this index cannot answer it.
    pub fn rows(&self, q: &IndexQuery<'_>) -> Option<Bitset> {
        let n = self.rows;
        Some(match &self.body {
            Body::Inverted(i) => i.rows(&i.terms.matches(q)?, n),
            Body::Sorted(s) => s.rows(&s.values.matches(q)?, n),
            Body::Trie(t) => t.rows(&t.keys().matches(q)?, n),
            Body::Bitmap(b) => b.rows(&b.values.matches(q)?, n),
            Body::Elements => return None,
        })
    }

    pub fn memory_bytes(&self) -> usize {
        match &self.body {
            Body::Inverted(i) => i.memory_bytes(),
            Body::Sorted(s) => s.memory_bytes(),
            Body::Trie(t) => t.memory_bytes(),
            Body::Bitmap(b) => b.memory_bytes(),
            Body::Elements => 0,
        }
    }
}
