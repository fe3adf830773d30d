//! Grouping search (Milvus 2.5's `group_by_field`): the `limit` best groups of
//! rows sharing a value of a scalar field, up to `group_size` rows each, found
//! by walking the hits nearest first (Milvus's segcore walks its index's
//! iterator the same way). Groups come in the order of their best hit, the rows
//! of a group together, nearest first; `offset` skips whole groups.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::schema::{CollectionSchema, DataType};
use crate::topk::Neighbour;
use crate::value::FieldValue;

/// Milvus's `quotaAndLimits.limits.maxGroupSize` default.
pub const MAX_GROUP_SIZE: usize = 10;

/// `group_by_field`, `group_size`, `strict_group_size` of a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupBy {
    pub field: String,
    /// Rows per group (1 to [`MAX_GROUP_SIZE`]; Milvus's default 1).
    pub group_size: usize,
    /// Keep searching until every one of the `limit` groups holds
    /// `group_size` rows (or the rows run out).
    pub strict_group_size: bool,
}

impl GroupBy {
    /// Groups of one row by `field`, Milvus's defaults.
    pub fn field(field: &str) -> Self {
        Self {
            field: field.to_owned(),
            group_size: 1,
            strict_group_size: false,
        }
    }

    /// Milvus's checks, in its order (the proxy's, then segcore's type check):
    /// the field's position in the schema.
    pub(super) fn check(&self, schema: &CollectionSchema, range_search: bool) -> Result<usize> {
        let field = schema
            .field_index(&self.field)
            .ok_or_else(|| Error::GroupByFieldNotFound {
                field: self.field.clone(),
            })?;
        if self.group_size == 0 {
            return Err(Error::GroupSizeNotPositive);
        }
        if self.group_size > MAX_GROUP_SIZE {
            return Err(Error::GroupSizeTooLarge {
                size: self.group_size,
                max: MAX_GROUP_SIZE,
            });
        }
        if range_search {
            return Err(Error::GroupByWithRangeSearch);
        }
        let data_type = schema.fields[field].data_type;
        if !groupable(data_type) {
            return Err(Error::GroupByUnsupportedType {
                data_type: segcore_name(data_type),
            });
        }
        Ok(field)
    }
}

/// Milvus 2.5 groups by Bool, the integers and VarChar.
fn groupable(t: DataType) -> bool {
    t.is_integer() || matches!(t, DataType::Bool | DataType::VarChar)
}

/// The type as segcore's formatter prints it in its refusal
/// (`fmt::formatter<milvus::DataType>` in Milvus 2.5's `common/Types.h`).
fn segcore_name(t: DataType) -> String {
    match t {
        DataType::FloatVector => "VECTOR_FLOAT",
        DataType::Float16Vector => "VECTOR_FLOAT16",
        DataType::BFloat16Vector => "VECTOR_BFLOAT16",
        DataType::BinaryVector => "VECTOR_BINARY",
        DataType::Bool => "BOOL",
        DataType::Int8 => "INT8",
        DataType::Int16 => "INT16",
        DataType::Int32 => "INT32",
        DataType::Int64 => "INT64",
        DataType::Float => "FLOAT",
        DataType::Double => "DOUBLE",
        DataType::VarChar => "VARCHAR",
        DataType::Json => "JSON",
        DataType::Array => "ARRAY",
    }
    .to_owned()
}

/// A hashable group value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Bool(bool),
    Int(i64),
    Text(String),
}

fn key(v: FieldValue) -> Key {
    match v {
        FieldValue::Bool(b) => Key::Bool(b),
        FieldValue::Int32(i) => Key::Int(i as i64),
        FieldValue::Int64(i) => Key::Int(i),
        FieldValue::VarChar(s) => Key::Text(s),
        // Other groupable types (narrower integers) by their printed value.
        other => Key::Text(format!("{other:?}")),
    }
}

/// The outcome of grouping one query's hits.
pub(super) struct Grouped {
    /// The kept hits: groups in the order of their best hit, each group's rows
    /// together, nearest first; the first `skip` groups left out.
    pub hits: Vec<(usize, Neighbour)>,
    /// Whether the hits were enough: `groups` groups, each full when strict.
    pub enough: bool,
}

/// Groups `hits` (nearest first) by the value `value(segment, row)`: at most
/// `groups` groups of at most `g.group_size` rows, then the first `skip`
/// groups dropped (Milvus's `offset`).
pub(super) fn group(
    hits: &[(usize, Neighbour)],
    g: &GroupBy,
    groups: usize,
    skip: usize,
    value: impl Fn(usize, u32) -> FieldValue,
) -> Grouped {
    let mut order: Vec<Vec<(usize, Neighbour)>> = Vec::new();
    let mut slot: HashMap<Key, usize> = HashMap::new();
    let full = |order: &Vec<Vec<(usize, Neighbour)>>| {
        order.len() == groups
            && (!g.strict_group_size || order.iter().all(|m| m.len() == g.group_size))
    };
    for &(seg, n) in hits {
        if full(&order) {
            break;
        }
        let k = key(value(seg, n.row));
        match slot.get(&k) {
            Some(&i) if order[i].len() < g.group_size => order[i].push((seg, n)),
            Some(_) => {}
            None if order.len() < groups => {
                slot.insert(k, order.len());
                order.push(vec![(seg, n)]);
            }
            None => {}
        }
    }
    Grouped {
        enough: full(&order),
        hits: order.into_iter().skip(skip).flatten().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::FieldSchema;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn hits(n: usize) -> Vec<(usize, Neighbour)> {
        (0..n)
            .map(|i| {
                (
                    0,
                    Neighbour {
                        row: i as u32,
                        distance: i as f32,
                    },
                )
            })
            .collect()
    }

    fn rows(g: &Grouped) -> Vec<u32> {
        g.hits.iter().map(|(_, n)| n.row).collect()
    }

    #[test]
    fn groups_in_order_of_their_best_hit_with_offset_and_strictness() {
        // Row r's value: r % 3 (rows 0, 3, 6… share a value).
        let value = |_: usize, r: u32| FieldValue::Int64((r % 3) as i64);
        let mut g = GroupBy::field("tag");
        let one = group(&hits(20), &g, 2, 0, value);
        assert_eq!(rows(&one), [0, 1]);
        assert!(one.enough);
        g.group_size = 3;
        let three = group(&hits(20), &g, 2, 0, value);
        // Not strict: two groups found by row 1, filled as far as walked.
        assert_eq!(rows(&three), [0, 1]);
        g.strict_group_size = true;
        let strict = group(&hits(20), &g, 2, 0, value);
        assert_eq!(rows(&strict), [0, 3, 6, 1, 4, 7]);
        assert!(strict.enough);
        let skipped = group(&hits(20), &g, 3, 1, value);
        assert_eq!(rows(&skipped), [1, 4, 7, 2, 5, 8]);
        // Too few rows: whatever was found, not enough.
        let short = group(&hits(5), &g, 2, 0, value);
        assert_eq!(rows(&short), [0, 3, 1, 4]);
        assert!(!short.enough);
    }

    #[test]
    fn milvus_checks_the_field_the_size_and_the_type() {
        let schema = CollectionSchema::new(
            vec![
                FieldSchema::int64_primary("id", false),
                FieldSchema::scalar("price", DataType::Double),
                FieldSchema::varchar("doc", 16),
                FieldSchema::float_vector("v", 4),
                FieldSchema::vector("b", DataType::BinaryVector, 16),
                FieldSchema::vector("h", DataType::BFloat16Vector, 4),
            ],
            "",
        );
        let check = |field: &str, size: usize, range: bool| {
            let mut g = GroupBy::field(field);
            g.group_size = size;
            g.check(&schema, range).map_err(|e| e.to_string())
        };
        assert_eq!(check("doc", 3, false), Ok(2));
        assert_eq!(check("id", 1, false), Ok(0));
        assert_eq!(
            check("nope", 1, false).unwrap_err(),
            "groupBy field not found in schema: field not found[field=nope]"
        );
        assert_eq!(
            check("doc", 0, false).unwrap_err(),
            "input group size:0 is negative, failed to do search_groupby: invalid parameter"
        );
        assert_eq!(
            check("doc", 11, false).unwrap_err(),
            "input group size:11 exceeds configured max group size:10: invalid parameter"
        );
        assert_eq!(
            check("doc", 1, true).unwrap_err(),
            "Not allowed to do range-search when doing search-group-by: invalid parameter[expected=][actual=]"
        );
        assert_eq!(
            check("v", 1, false).unwrap_err(),
            "unsupported data type VECTOR_FLOAT for group by operator"
        );
        assert_eq!(
            check("price", 1, false).unwrap_err(),
            "unsupported data type DOUBLE for group by operator"
        );
        assert_eq!(
            check("b", 1, false).unwrap_err(),
            "unsupported data type VECTOR_BINARY for group by operator"
        );
        assert_eq!(
            check("h", 1, false).unwrap_err(),
            "unsupported data type VECTOR_BFLOAT16 for group by operator"
        );
    }
}
