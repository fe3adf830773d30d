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
//! VarChar and ARRAY of those, never the primary key. AUTOINDEX (or no type)
//! chooses by type as Milvus 2.5's scalar auto-index does: BITMAP on Bool,
//! INVERTED on Float and Double, HYBRID on integers and VarChar (an ARRAY by
//! its element type), refused on JSON. HYBRID, which a user cannot ask for,
//! builds each segment's index as BITMAP when it holds fewer than
//! [`HYBRID_BITMAP_CARDINALITY`] distinct values, else as INVERTED.
//!
//! On an ARRAY field INVERTED and BITMAP index the elements, as Milvus does:
//! each distinct element with the rows whose array holds it. They answer
//! `array_contains`, `array_contains_any` and `array_contains_all`; other
//! array predicates (`array_length`, `a[0]`, `a == [..]`) scan the column.

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
use keys::{Keys, Matches, SortedRows};

pub use manage::CONFIGURABLE_INDEX_PARAMS;

/// Milvus's scalar index types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ScalarIndexType {
    Inverted,
    StlSort,
    Trie,
    Bitmap,
    /// AUTOINDEX's choice on integers and strings: BITMAP or INVERTED per
    /// segment, by the number of distinct values.
    Hybrid,
}

/// Below this many distinct values in a segment HYBRID builds BITMAP
/// (Milvus's `common.bitmapIndexCardinalityBound`, 500 by default).
pub const HYBRID_BITMAP_CARDINALITY: usize = 500;

impl ScalarIndexType {
    pub const ALL: [ScalarIndexType; 5] = [
        Self::Inverted,
        Self::StlSort,
        Self::Trie,
        Self::Bitmap,
        Self::Hybrid,
    ];

    /// Milvus's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Inverted => "INVERTED",
            Self::StlSort => "STL_SORT",
            Self::Trie => "Trie",
            Self::Bitmap => "BITMAP",
            Self::Hybrid => "HYBRID",
        }
    }

    /// The type Milvus's `index_type` names (`marisa-trie` is Trie's other
    /// name), case as Milvus writes it; HYBRID is Milvus's own, not a user's.
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
        let bitmapped = |t: DataType| t.is_integer() || matches!(t, T::Bool | T::VarChar);
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
            Self::Bitmap | Self::Hybrid => {
                let kind = if self == Self::Bitmap {
                    "bitmap"
                } else {
                    "hybrid"
                };
                if self == Self::Bitmap && field.is_primary {
                    return refuse("create bitmap index on primary key not supported".into());
                }
                if !(bitmapped(t) || t == T::Array) {
                    return refuse(format!(
                        "{kind} index are only supported on bool, int, string and array field"
                    ));
                }
                if t == T::Array && !field.element_type.is_some_and(bitmapped) {
                    return refuse(format!(
                        "{kind} index are only supported on bool, int, string for array field"
                    ));
                }
            }
        }
        Ok(())
    }

    /// What AUTOINDEX (or no index type) builds on `field`, as Milvus 2.5's
    /// scalar auto-index (`scalarAutoIndex.params.build`): BITMAP on Bool,
    /// INVERTED on floating types, HYBRID on integers and strings, an ARRAY by
    /// its element type; refused on JSON (and vectors, which take a vector index).
    pub fn auto_for(field: &FieldSchema) -> Result<Self> {
        let t = match field.data_type {
            DataType::Array => field.element_type.unwrap_or(DataType::Array),
            t => t,
        };
        match t {
            DataType::Bool => Ok(Self::Bitmap),
            DataType::Float | DataType::Double => Ok(Self::Inverted),
            t if t.is_integer() || t == DataType::VarChar => Ok(Self::Hybrid),
            _ => Err(Error::AutoIndexOnType {
                data_type: field.data_type.name(),
            }),
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
    /// Answers nothing: an ARRAY field's index as annlab wrote it before it
    /// indexed elements (format 8 files), or one over elements the index
    /// cannot compare as the scan does; its predicates scan the column.
    Empty,
    /// An ARRAY field's INVERTED: each distinct element with its rows.
    ElementsInverted(inverted::Inverted),
    /// An ARRAY field's BITMAP: a bitset of rows per distinct element.
    ElementsBitmap(bitmap::Bitmap),
}

impl ScalarIndex {
    /// Builds an index of type `t` over `column` (all of a sealed segment's rows).
    pub fn build(t: ScalarIndexType, column: &Column) -> Self {
        let rows = column.len();
        let elements = matches!(column.values(), Column::Array(_));
        let sorted = if elements {
            SortedRows::of_elements(column)
        } else {
            SortedRows::of(column)
        };
        let Some(sorted) = sorted else {
            return Self {
                rows,
                body: Body::Empty,
            };
        };
        // HYBRID is BITMAP or INVERTED, by this segment's distinct values.
        let t = match t {
            ScalarIndexType::Hybrid if sorted.few_distinct() => ScalarIndexType::Bitmap,
            ScalarIndexType::Hybrid => ScalarIndexType::Inverted,
            t => t,
        };
        use ScalarIndexType as T;
        let body = match (elements, t) {
            (false, T::Inverted) => Body::Inverted(inverted::Inverted::build(sorted)),
            (false, T::StlSort) => Body::Sorted(sorted::Sorted::build(sorted)),
            (false, T::Trie) => trie::Trie::build(sorted).map_or(Body::Empty, Body::Trie),
            (false, T::Bitmap) => Body::Bitmap(bitmap::Bitmap::build(sorted, rows)),
            (true, T::Inverted) => Body::ElementsInverted(inverted::Inverted::build(sorted)),
            (true, T::Bitmap) => Body::ElementsBitmap(bitmap::Bitmap::build(sorted, rows)),
            _ => Body::Empty,
        };
        Self { rows, body }
    }

    /// Rows indexed (the segment's).
    pub fn num_rows(&self) -> usize {
        self.rows
    }

    /// Whether the index answers queries.
    pub fn answers(&self) -> bool {
        !matches!(self.body, Body::Empty)
    }

    /// The rows answering `q`, as the filter's scan would find them (null rows
    /// never match); None if this index cannot answer it.
    pub fn rows(&self, q: &IndexQuery<'_>) -> Option<Bitset> {
        let n = self.rows;
        let values = |keys: &Keys, rows: &dyn Fn(&Matches) -> Bitset| match q {
            IndexQuery::Contains { .. } => None,
            q => Some(rows(&keys.matches(q)?)),
        };
        match &self.body {
            Body::Inverted(i) => values(&i.terms, &|m| i.rows(m, n)),
            Body::Sorted(s) => values(&s.values, &|m| s.rows(m, n)),
            Body::Trie(t) => values(t.keys(), &|m| t.rows(m, n)),
            Body::Bitmap(b) => values(&b.values, &|m| b.rows(m, n)),
            Body::ElementsInverted(i) => contains(q, &i.terms, n, &|m| i.rows(m, n)),
            Body::ElementsBitmap(b) => contains(q, &b.values, n, &|m| b.rows(m, n)),
            Body::Empty => None,
        }
    }

    pub fn memory_bytes(&self) -> usize {
        match &self.body {
            Body::Inverted(i) | Body::ElementsInverted(i) => i.memory_bytes(),
            Body::Sorted(s) => s.memory_bytes(),
            Body::Trie(t) => t.memory_bytes(),
            Body::Bitmap(b) | Body::ElementsBitmap(b) => b.memory_bytes(),
            Body::Empty => 0,
        }
    }
}

/// The rows of an `array_contains*` query from an index of elements (`keys`,
/// and the rows of key positions): a row matches `contains`/`contains_any` if
/// its array holds one of the values, `contains_all` if it holds every one.
fn contains(
    q: &IndexQuery<'_>,
    keys: &Keys,
    n: usize,
    rows: &dyn Fn(&Matches) -> Bitset,
) -> Option<Bitset> {
    let IndexQuery::Contains { all, values } = q else {
        return None;
    };
    let matching = |ranges| Matches { ranges, nan: false };
    if !all {
        let mut ranges = Vec::new();
        for v in values.iter() {
            ranges.extend(keys.equal(v)?);
        }
        return Some(rows(&matching(ranges)));
    }
    let mut out: Option<Bitset> = None;
    for v in values.iter() {
        let these = rows(&matching(keys.equal(v)?));
        out = Some(match out {
            None => these,
            Some(mut x) => {
                x.and_with(&these);
                x
            }
        });
    }
    // Every array holds all of no values.
    Some(out.unwrap_or_else(|| {
        let mut x = Bitset::new(n);
        x.negate();
        x
    }))
}
