//! The keys a scalar index orders: one per non-null row of a Bool, integer,
//! floating or VarChar column (or one per distinct element of each non-null row
//! of an ARRAY column), sorted ascending (floats by `total_cmp`, NaN kept
//! apart), and the key ranges that answer an [`IndexQuery`] exactly as the
//! filter's scan would.

// Lists of key ranges, many of one range.
#![allow(clippy::single_range_in_vec_init)]

use std::cmp::Ordering;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::bitset::Bitset;
use crate::expr::{IndexQuery, Scalar, ScalarOp};
use crate::schema::Column;

/// Sorted keys, all of one kind. Integers of every width are `Int`; Float
/// (f32) values are widened to `f64`, as the filter compares them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Keys {
    Bool(Vec<bool>),
    Int(Vec<i64>),
    Float(Vec<f64>),
    Str(Vec<String>),
}

/// A column's keys in order, the row of each, and the rows holding NaN.
pub struct SortedRows {
    pub keys: Keys,
    pub rows: Vec<u32>,
    pub nan_rows: Vec<u32>,
}

fn sort_pairs<K>(mut pairs: Vec<(K, u32)>, cmp: impl Fn(&K, &K) -> Ordering) -> (Vec<K>, Vec<u32>) {
    pairs.sort_by(|a, b| cmp(&a.0, &b.0).then(a.1.cmp(&b.1)));
    pairs.into_iter().unzip()
}

fn collect<T, K>(values: &[T], valid: Option<&[bool]>, key: impl Fn(&T) -> K) -> Vec<(K, u32)> {
    values
        .iter()
        .enumerate()
        .filter(|(row, _)| valid.is_none_or(|valid| valid.get(*row).copied().unwrap_or(false)))
        .map(|(row, v)| (key(v), row as u32))
        .collect()
}

impl SortedRows {
    /// The keys of `column` (its null rows left out); None for a column no
    /// scalar index orders (JSON, ARRAY, vectors).
    pub fn of(column: &Column) -> Option<Self> {
        let valid = column.validity();
        let values = column.values();
        let int = |pairs: Vec<(i64, u32)>| {
            let (keys, rows) = sort_pairs(pairs, Ord::cmp);
            SortedRows {
                keys: Keys::Int(keys),
                rows,
                nan_rows: Vec::new(),
            }
        };
        let float = |pairs: Vec<(f64, u32)>| {
            let (nan, pairs): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|(k, _)| k.is_nan());
            let (keys, rows) = sort_pairs(pairs, f64::total_cmp);
            SortedRows {
                keys: Keys::Float(keys),
                rows,
                nan_rows: nan.into_iter().map(|(_, r)| r).collect(),
            }
        };
        Some(match values {
            Column::Bool(v) => {
                let (keys, rows) = sort_pairs(collect(v, valid, |&b| b), Ord::cmp);
                SortedRows {
                    keys: Keys::Bool(keys),
                    rows,
                    nan_rows: Vec::new(),
                }
            }
            Column::Int8(v) => int(collect(v, valid, |&x| i64::from(x))),
            Column::Int16(v) => int(collect(v, valid, |&x| i64::from(x))),
            Column::Int32(v) => int(collect(v, valid, |&x| i64::from(x))),
            Column::Int64(v) => int(collect(v, valid, |&x| x)),
            Column::Float(v) => float(collect(v, valid, |&x| f64::from(x))),
            Column::Double(v) => float(collect(v, valid, |&x| x)),
            Column::VarChar(v) => {
                let (keys, rows) = sort_pairs(collect(v, valid, |s: &String| s.clone()), Ord::cmp);
                SortedRows {
                    keys: Keys::Str(keys),
                    rows,
                    nan_rows: Vec::new(),
                }
            }
            _ => return None,
        })
    }

    /// The distinct elements of each non-null row of an ARRAY `column`, each
    /// with its row; None for another column, or for elements that would not
    /// compare as the scan compares them (mixed kinds; integers beyond 2^53
    /// among floats).
    pub fn of_elements(column: &Column) -> Option<Self> {
        let valid = column.validity();
        let Column::Array(docs) = column.values() else {
            return None;
        };
        let mut items: Vec<(&Value, u32)> = Vec::new();
        for (row, doc) in docs.iter().enumerate() {
            if valid.is_some_and(|v| !v.get(row).copied().unwrap_or(false)) {
                continue;
            }
            if let Value::Array(elements) = doc {
                items.extend(elements.iter().map(|e| (e, row as u32)));
            }
        }
        let all = |f: fn(&Value) -> bool| items.iter().all(|(e, _)| f(e));
        let keys = if all(Value::is_boolean) {
            let (k, r) = dedup(sort_pairs(
                items
                    .iter()
                    .map(|(e, r)| (e.as_bool() == Some(true), *r))
                    .collect(),
                Ord::cmp,
            ));
            (Keys::Bool(k), r)
        } else if all(Value::is_i64) {
            let pairs = items.iter().map(|(e, r)| (e.as_i64().unwrap_or(0), *r));
            let (k, r) = dedup(sort_pairs(pairs.collect(), Ord::cmp));
            (Keys::Int(k), r)
        } else if all(Value::is_number) {
            let exact = |e: &Value| e.as_i64().is_none_or(|x| x.unsigned_abs() <= MAX_EXACT);
            if !all(exact) {
                return None;
            }
            let pairs = items.iter().map(|(e, r)| (e.as_f64().unwrap_or(0.0), *r));
            let (k, r): (Vec<f64>, Vec<u32>) = sort_pairs(pairs.collect(), f64::total_cmp);
            let mut pairs: Vec<_> = k.into_iter().zip(r).collect();
            pairs.dedup_by(|a, b| a.0.to_bits() == b.0.to_bits() && a.1 == b.1);
            let (k, r) = pairs.into_iter().unzip();
            (Keys::Float(k), r)
        } else if all(Value::is_string) {
            let pairs = items
                .iter()
                .map(|(e, r)| (e.as_str().unwrap_or("").to_owned(), *r));
            let (k, r) = dedup(sort_pairs(pairs.collect(), Ord::cmp));
            (Keys::Str(k), r)
        } else {
            return None;
        };
        Some(SortedRows {
            keys: keys.0,
            rows: keys.1,
            nan_rows: Vec::new(),
        })
    }
}

impl SortedRows {
    /// Whether the keys hold fewer than [`super::HYBRID_BITMAP_CARDINALITY`]
    /// distinct values (NaN counted as one), where HYBRID builds BITMAP.
    pub fn few_distinct(&self) -> bool {
        let nan = usize::from(!self.nan_rows.is_empty());
        self.keys.count_distinct() + nan < super::HYBRID_BITMAP_CARDINALITY
    }
}

/// A bitset of `n` rows, set at every row of `slices`.
pub fn row_bitset<'a>(n: usize, slices: impl IntoIterator<Item = &'a [u32]>) -> Bitset {
    let mut out = Bitset::new(n);
    for rows in slices {
        rows.iter().for_each(|&row| out.set(row as usize));
    }
    out
}

/// Sorted (key, row) pairs without repeats (an array holding an element twice).
fn dedup<K: PartialEq>((keys, rows): (Vec<K>, Vec<u32>)) -> (Vec<K>, Vec<u32>) {
    let mut pairs: Vec<_> = keys.into_iter().zip(rows).collect();
    pairs.dedup();
    pairs.into_iter().unzip()
}

/// The largest integer every f64 holds exactly (2^53).
const MAX_EXACT: u64 = 1 << 53;

fn distinct<K: Clone>(keys: &[K], same: impl Fn(&K, &K) -> bool) -> (Vec<K>, Vec<u32>) {
    let mut out: Vec<K> = Vec::new();
    let mut starts = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        if out.last().is_none_or(|last| !same(last, k)) {
            out.push(k.clone());
            starts.push(i as u32);
        }
    }
    starts.push(keys.len() as u32);
    (out, starts)
}

/// The positions, in sorted `keys`, where `k op c` holds: `lt(k)` is `k < c`
/// and `le(k)` is `k <= c`, both monotone along the order.
fn cmp_ranges<K>(
    keys: &[K],
    op: ScalarOp,
    lt: impl Fn(&K) -> bool,
    le: impl Fn(&K) -> bool,
) -> Vec<Range<usize>> {
    let (lo, hi, n) = (
        keys.partition_point(lt),
        keys.partition_point(le),
        keys.len(),
    );
    match op {
        ScalarOp::Eq => vec![lo..hi],
        ScalarOp::Ne => vec![0..lo, hi..n],
        ScalarOp::Lt => vec![0..lo],
        ScalarOp::Le => vec![0..hi],
        ScalarOp::Gt => vec![hi..n],
        ScalarOp::Ge => vec![lo..n],
    }
}

/// `k op c` over floats (a NaN constant matches only `!=`).
fn float_ranges<K>(keys: &[K], op: ScalarOp, c: f64, f: impl Fn(&K) -> f64) -> Vec<Range<usize>> {
    if c.is_nan() {
        return if op == ScalarOp::Ne {
            vec![0..keys.len()]
        } else {
            Vec::new()
        };
    }
    cmp_ranges(keys, op, |k| f(k) < c, |k| f(k) <= c)
}

/// The key ranges that match a query, and whether the NaN rows do.
pub struct Matches {
    pub ranges: Vec<Range<usize>>,
    pub nan: bool,
}

impl Keys {
    /// The distinct keys and where each one's run starts in `self` (one more
    /// start: the end).
    pub fn distinct(&self) -> (Keys, Vec<u32>) {
        match self {
            Keys::Bool(v) => {
                let (k, s) = distinct(v, |a, b| a == b);
                (Keys::Bool(k), s)
            }
            Keys::Int(v) => {
                let (k, s) = distinct(v, |a, b| a == b);
                (Keys::Int(k), s)
            }
            Keys::Float(v) => {
                let (k, s) = distinct(v, |a, b| a.to_bits() == b.to_bits());
                (Keys::Float(k), s)
            }
            Keys::Str(v) => {
                let (k, s) = distinct(v, |a, b| a == b);
                (Keys::Str(k), s)
            }
        }
    }

    /// How many distinct keys there are.
    pub fn count_distinct(&self) -> usize {
        fn count<K>(v: &[K], same: impl Fn(&K, &K) -> bool) -> usize {
            v.windows(2).filter(|w| !same(&w[0], &w[1])).count() + usize::from(!v.is_empty())
        }
        match self {
            Keys::Bool(v) => count(v, |a, b| a == b),
            Keys::Int(v) => count(v, |a, b| a == b),
            Keys::Float(v) => count(v, |a, b| a.to_bits() == b.to_bits()),
            Keys::Str(v) => count(v, |a, b| a == b),
        }
    }

    /// Bytes held.
    pub fn memory_bytes(&self) -> usize {
        match self {
            Keys::Bool(v) => v.len(),
            Keys::Int(v) => v.len() * 8,
            Keys::Float(v) => v.len() * 8,
            Keys::Str(v) => v.iter().map(|s| s.len() + 24).sum(),
        }
    }

    /// The positions of the keys equal to the JSON constant `c` as the
    /// filter compares an array's elements with it (numbers by value, never a
    /// number with a string or a bool); None where f64 would not decide it as
    /// the scan does (an integer beyond 2^53 against float keys).
    pub fn equal(&self, c: &Value) -> Option<Vec<Range<usize>>> {
        let eq = |q: IndexQuery<'_>| self.matches(&q).map(|m| m.ranges);
        match (self, c) {
            (Keys::Bool(k), Value::Bool(c)) => {
                Some(cmp_ranges(k, ScalarOp::Eq, |x| x < c, |x| x <= c))
            }
            (Keys::Int(_) | Keys::Float(_), Value::Number(n)) => match (n.as_i64(), self) {
                (Some(x), Keys::Float(_)) if x.unsigned_abs() > MAX_EXACT => None,
                (Some(x), _) => eq(IndexQuery::Cmp(ScalarOp::Eq, Scalar::Int(x))),
                (None, _) => eq(IndexQuery::Cmp(ScalarOp::Eq, Scalar::Float(n.as_f64()?))),
            },
            (Keys::Str(_), Value::String(c)) => eq(IndexQuery::Cmp(ScalarOp::Eq, Scalar::Str(c))),
            _ => Some(Vec::new()),
        }
    }

    /// The positions of the keys that answer `q` as the filter's scan would;
    /// None if these keys cannot answer it (another type).
    pub fn matches(&self, q: &IndexQuery<'_>) -> Option<Matches> {
        let eq = |ranges: Vec<Vec<Range<usize>>>| Matches {
            ranges: ranges.into_iter().flatten().collect(),
            nan: false,
        };
        let ranges = match (self, q) {
            (Keys::Int(k), IndexQuery::Cmp(op, Scalar::Int(c))) => {
                cmp_ranges(k, *op, |x| x < c, |x| x <= c)
            }
            (Keys::Int(k), IndexQuery::Cmp(op, Scalar::Float(c))) => {
                float_ranges(k, *op, *c, |&x| x as f64)
            }
            (Keys::Float(k), IndexQuery::Cmp(op, Scalar::Int(c))) => {
                float_ranges(k, *op, *c as f64, |&x| x)
            }
            (Keys::Float(k), IndexQuery::Cmp(op, Scalar::Float(c))) => {
                float_ranges(k, *op, *c, |&x| x)
            }
            (Keys::Str(k), IndexQuery::Cmp(op, Scalar::Str(c))) => {
                cmp_ranges(k, *op, |x| x.as_str() < *c, |x| x.as_str() <= *c)
            }
            (Keys::Bool(k), IndexQuery::True) => cmp_ranges(k, ScalarOp::Eq, |x| !x, |_| true),
            (Keys::Int(k), IndexQuery::InInt(set)) => {
                return Some(eq(set
                    .iter()
                    .map(|c| cmp_ranges(k, ScalarOp::Eq, |x| x < c, |x| x <= c))
                    .collect()));
            }
            (Keys::Float(k), IndexQuery::InInt(set)) => {
                return Some(eq(set
                    .iter()
                    .map(|&c| float_ranges(k, ScalarOp::Eq, c as f64, |&x| x))
                    .collect()));
            }
            (Keys::Int(k), IndexQuery::InFloat(set)) => {
                return Some(eq(set
                    .iter()
                    .map(|&c| float_ranges(k, ScalarOp::Eq, c, |&x| x as f64))
                    .collect()));
            }
            (Keys::Float(k), IndexQuery::InFloat(set)) => {
                return Some(eq(set
                    .iter()
                    .map(|&c| float_ranges(k, ScalarOp::Eq, c, |&x| x))
                    .collect()));
            }
            (Keys::Str(k), IndexQuery::InStr(set)) => {
                return Some(eq(set
                    .iter()
                    .map(|c| cmp_ranges(k, ScalarOp::Eq, |x| x < c, |x| x <= c))
                    .collect()));
            }
            (Keys::Str(k), IndexQuery::Prefix(p)) => {
                let lo = k.partition_point(|x| x.as_str() < *p);
                let len = k[lo..].partition_point(|x| x.starts_with(p));
                vec![lo..lo + len]
            }
            _ => return None,
        };
        let nan = matches!(q, IndexQuery::Cmp(ScalarOp::Ne, _));
        Some(Matches { ranges, nan })
    }
}
