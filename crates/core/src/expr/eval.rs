//! Column-at-a-time evaluation of a checked expression.
//!
//! Every node is evaluated over all rows at once: predicates to a [`Bitset`],
//! numeric sub-expressions to a vector (borrowed from the column when it already has
//! the right type) or a scalar, so the per-row work is a tight loop per node with no
//! allocation and no tree walking.

use std::borrow::Cow;

use super::check::{Num, Pred, Str};
use super::json::{Contains, JsonPred};
use super::parser::{ArithOp, CmpOp};
use super::{Columns, IndexQuery, Scalar, ScalarOp};
use crate::bitset::Bitset;
use crate::schema::Column;

/// A `like` pattern: `%` matches any run of characters, `\%` (and `\` before any
/// character) is that character literally. `_` is literal (as in Milvus 2.3).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Pattern {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
    /// The literal pieces around `%`s (at least two): the first anchored at the
    /// start, the last at the end, those between found left to right.
    Pieces(Vec<String>),
}

impl Pattern {
    pub fn parse(pattern: &str) -> Self {
        let mut pieces = vec![String::new()];
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            match c {
                '%' => pieces.push(String::new()),
                '\\' => {
                    let lit = chars.next().unwrap_or('\\');
                    pieces.last_mut().expect("never empty").push(lit);
                }
                c => pieces.last_mut().expect("never empty").push(c),
            }
        }
        let n = pieces.len();
        match pieces.as_slice() {
            [_] => Pattern::Exact(pieces.swap_remove(0)),
            [_, last] if last.is_empty() => Pattern::Prefix(pieces.swap_remove(0)),
            [first, _] if first.is_empty() => Pattern::Suffix(pieces.swap_remove(1)),
            [first, _, last] if first.is_empty() && last.is_empty() => {
                Pattern::Contains(pieces.swap_remove(1))
            }
            _ => {
                debug_assert!(n >= 2);
                Pattern::Pieces(pieces)
            }
        }
    }

    pub fn matches(&self, s: &str) -> bool {
        match self {
            Pattern::Exact(p) => s == p,
            Pattern::Prefix(p) => s.starts_with(p.as_str()),
            Pattern::Suffix(p) => s.ends_with(p.as_str()),
            Pattern::Contains(p) => s.contains(p.as_str()),
            Pattern::Pieces(pieces) => {
                let (first, rest) = pieces.split_first().expect("at least two pieces");
                let (last, middle) = rest.split_last().expect("at least two pieces");
                if s.len() < first.len() + last.len()
                    || !s.starts_with(first.as_str())
                    || !s.ends_with(last.as_str())
                {
                    return false;
                }
                let mut rest = &s[first.len()..s.len() - last.len()];
                for piece in middle {
                    match rest.find(piece.as_str()) {
                        Some(i) => rest = &rest[i + piece.len()..],
                        None => return false,
                    }
                }
                true
            }
        }
    }
}

/// One bit per element of `data` (`data.len()` rows).
fn pack<T>(data: &[T], pred: impl Fn(&T) -> bool) -> Bitset {
    let mut words = Vec::with_capacity(data.len().div_ceil(64));
    for chunk in data.chunks(64) {
        let mut w = 0u64;
        for (i, x) in chunk.iter().enumerate() {
            w |= u64::from(pred(x)) << i;
        }
        words.push(w);
    }
    Bitset::from_words(words, data.len())
}

fn pack2<A, B>(a: &[A], b: &[B], pred: impl Fn(&A, &B) -> bool) -> Bitset {
    debug_assert_eq!(a.len(), b.len());
    let mut words = Vec::with_capacity(a.len().div_ceil(64));
    for (ca, cb) in a.chunks(64).zip(b.chunks(64)) {
        let mut w = 0u64;
        for (i, (x, y)) in ca.iter().zip(cb).enumerate() {
            w |= u64::from(pred(x, y)) << i;
        }
        words.push(w);
    }
    Bitset::from_words(words, a.len())
}

fn all(n: usize, value: bool) -> Bitset {
    if value {
        Bitset::full(n)
    } else {
        Bitset::new(n)
    }
}

/// Calls `$f(args…, cmp)` with `cmp` the comparison closure of `$op`, so each
/// operator gets its own monomorphised loop.
macro_rules! with_cmp {
    ($op:expr, $f:ident($($arg:expr),*)) => {
        match $op {
            CmpOp::Eq => $f($($arg,)* |a, b| a == b),
            CmpOp::Ne => $f($($arg,)* |a, b| a != b),
            CmpOp::Lt => $f($($arg,)* |a, b| a < b),
            CmpOp::Le => $f($($arg,)* |a, b| a <= b),
            CmpOp::Gt => $f($($arg,)* |a, b| a > b),
            CmpOp::Ge => $f($($arg,)* |a, b| a >= b),
        }
    };
}

/// A numeric sub-expression's values: one for all rows, or one per row.
enum Vals<'c, T: Clone + 'static> {
    One(T),
    All(Cow<'c, [T]>),
}

impl<'c, T: Copy + 'static> Vals<'c, T> {
    fn map<U: Copy>(&self, f: impl Fn(T) -> U) -> Vals<'static, U> {
        match self {
            Vals::One(x) => Vals::One(f(*x)),
            Vals::All(v) => Vals::All(Cow::Owned(v.iter().map(|&x| f(x)).collect())),
        }
    }

    fn zip<U: Copy>(&self, other: &Vals<'_, T>, f: impl Fn(T, T) -> U) -> Vals<'static, U> {
        match (self, other) {
            (Vals::One(a), Vals::One(b)) => Vals::One(f(*a, *b)),
            (Vals::All(a), Vals::One(b)) => Vals::All(a.iter().map(|&x| f(x, *b)).collect()),
            (Vals::One(a), Vals::All(b)) => Vals::All(b.iter().map(|&y| f(*a, y)).collect()),
            (Vals::All(a), Vals::All(b)) => {
                Vals::All(a.iter().zip(b.iter()).map(|(&x, &y)| f(x, y)).collect())
            }
        }
    }

    /// Rows where `pred(value)` holds.
    fn test(&self, n: usize, pred: impl Fn(T) -> bool) -> Bitset {
        match self {
            Vals::One(x) => all(n, pred(*x)),
            Vals::All(v) => pack(v, |&x| pred(x)),
        }
    }
}

fn cmp_vals<T: Copy + 'static>(
    a: &Vals<'_, T>,
    b: &Vals<'_, T>,
    n: usize,
    f: impl Fn(T, T) -> bool,
) -> Bitset {
    match (a, b) {
        (Vals::One(x), Vals::One(y)) => all(n, f(*x, *y)),
        (Vals::All(a), Vals::One(y)) => pack(a, |&x| f(x, *y)),
        (Vals::One(x), Vals::All(b)) => pack(b, |&y| f(*x, y)),
        (Vals::All(a), Vals::All(b)) => pack2(a, b, |&x, &y| f(x, y)),
    }
}

fn cmp_column<T: Copy, U: Copy>(
    data: &[T],
    conv: impl Fn(T) -> U,
    c: U,
    f: impl Fn(U, U) -> bool,
) -> Bitset {
    pack(data, |&x| f(conv(x), c))
}

fn cmp_str_const(data: &[String], c: &str, f: impl Fn(&str, &str) -> bool) -> Bitset {
    pack(data, |x| f(x.as_str(), c))
}

fn cmp_str_cols(a: &[String], b: &[String], f: impl Fn(&str, &str) -> bool) -> Bitset {
    pack2(a, b, |x, y| f(x.as_str(), y.as_str()))
}

enum NumVals<'c> {
    Int(Vals<'c, i64>),
    Float(Vals<'c, f64>),
}

impl NumVals<'_> {
    fn to_float(&self) -> Vals<'_, f64> {
        match self {
            NumVals::Int(v) => v.map(|x| x as f64),
            NumVals::Float(Vals::One(x)) => Vals::One(*x),
            NumVals::Float(Vals::All(v)) => Vals::All(Cow::Borrowed(v)),
        }
    }
}

/// Values, and the rows where integer division or remainder by zero made them
/// undefined (comparisons on those rows are false).
struct Computed<'c> {
    vals: NumVals<'c>,
    undefined: Option<Bitset>,
}

fn union(a: Option<Bitset>, b: Option<Bitset>) -> Option<Bitset> {
    match (a, b) {
        (Some(mut a), Some(b)) => {
            a.or_with(&b);
            Some(a)
        }
        (a, b) => a.or(b),
    }
}

pub(crate) struct Eval<'c> {
    cols: &'c dyn Columns,
    n: usize,
}

impl<'c> Eval<'c> {
    pub fn new(cols: &'c dyn Columns) -> Self {
        Self {
            cols,
            n: cols.num_rows(),
        }
    }

    /// The column if it holds at least `n` rows (a missing or short column makes
    /// the comparisons that read it false).
    fn column(&self, name: &str) -> Option<&'c Column> {
        self.cols
            .column(name)
            .filter(|c| c.len() >= self.n)
            .map(Column::values)
    }

    /// The rows where the nullable field `name` is null (None: no such row).
    fn nulls(&self, name: &str) -> Option<Bitset> {
        let valid = self.cols.column(name)?.validity()?;
        if valid.len() < self.n || valid[..self.n].iter().all(|&v| v) {
            return None;
        }
        Some(pack(&valid[..self.n], |&v| !v))
    }

    /// A predicate's rows; a comparison on a null value is false (as in Milvus).
    pub fn pred(&self, p: &Pred) -> Bitset {
        self.eval(p).0
    }

    /// A predicate's rows and the rows where it is defined (None: every row),
    /// as segcore's result and valid bitmaps: a leaf that reads a null value is
    /// false there and undefined; `not` flips the rows, then keeps only the
    /// defined ones (`PhyLogicalUnaryExpr`: `data.flip(); data &= valid_data`),
    /// so `not (x > 1)` is false where `x` is null; `and`/`or` are defined
    /// where either side is (`PhyLogicalBinaryExpr` ORs the valid bitmaps).
    fn eval(&self, p: &Pred) -> (Bitset, Option<Bitset>) {
        match p {
            Pred::Not(x) => {
                let (mut b, valid) = self.eval(x);
                b.negate();
                if let Some(v) = &valid {
                    b.and_with(v);
                }
                (b, valid)
            }
            Pred::And(a, b) | Pred::Or(a, b) => {
                let and = matches!(p, Pred::And(..));
                let (mut l, lvalid) = self.eval(a);
                // With the left side defined everywhere, the right side cannot
                // change where the result is defined: it may be skipped when it
                // cannot change the rows either.
                let decided = if and {
                    l.words().iter().all(|&w| w == 0)
                } else {
                    l.count() == self.n
                };
                if decided && lvalid.is_none() {
                    return (l, None);
                }
                let (r, rvalid) = self.eval(b);
                if and {
                    l.and_with(&r);
                } else {
                    l.or_with(&r);
                }
                let valid = match (lvalid, rvalid) {
                    (Some(mut x), Some(y)) => {
                        x.or_with(&y);
                        Some(x)
                    }
                    _ => None,
                };
                (l, valid)
            }
            _ => {
                let mut out = self.pred_values(p);
                let mut fields = Vec::new();
                leaf_fields(p, &mut fields);
                let mut nulls: Option<Bitset> = None;
                for f in fields {
                    if let Some(x) = self.nulls(f) {
                        out.and_not_with(&x);
                        nulls = union(nulls, Some(x));
                    }
                }
                // Segcore's `exists` leaves the rows it flips under `not` as
                // they are (`set_apply_valid_data_after_flip(false)`).
                let exists = matches!(
                    p,
                    Pred::Json {
                        test: JsonPred::Exists,
                        ..
                    }
                );
                let valid = nulls.filter(|_| !exists).map(|mut x| {
                    x.negate();
                    x
                });
                (out, valid)
            }
        }
    }

    fn pred_values(&self, p: &Pred) -> Bitset {
        let n = self.n;
        if let Some((field, query, negated)) = index_leaf(p)
            && let Some(found) = self.cols.index_rows(field, &query)
            && found.len() == n
        {
            return finish(found, negated, None);
        }
        match p {
            Pred::Not(_) | Pred::And(..) | Pred::Or(..) => self.pred(p),
            Pred::IsNull { field, negated } => {
                let mut nulls = self.nulls(field).unwrap_or_else(|| Bitset::new(n));
                if *negated {
                    nulls.negate();
                }
                nulls
            }
            Pred::Const(b) => all(n, *b),
            Pred::Field(name) => match self.column(name) {
                Some(Column::Bool(v)) => pack(&v[..n], |&b| b),
                _ => Bitset::new(n),
            },
            Pred::BoolEq { l, r, ne } => {
                let (a, b) = (self.pred(l), self.pred(r));
                let words = a
                    .words()
                    .iter()
                    .zip(b.words())
                    .map(|(x, y)| x ^ y)
                    .collect();
                let mut x = Bitset::from_words(words, n);
                if !ne {
                    x.negate();
                }
                x
            }
            Pred::Cmp { l, op, r } => self.cmp(l, *op, r),
            Pred::StrCmp { field, op, r } => {
                let Some(Column::VarChar(a)) = self.column(field) else {
                    return Bitset::new(n);
                };
                let a = &a[..n];
                match r {
                    Str::Const(c) => with_cmp!(op, cmp_str_const(a, c)),
                    Str::Field(other) => match self.column(other) {
                        Some(Column::VarChar(b)) => with_cmp!(op, cmp_str_cols(a, &b[..n])),
                        _ => Bitset::new(n),
                    },
                }
            }
            Pred::InInt { v, set, negated } => {
                let c = self.num(v);
                let found = match &c.vals {
                    NumVals::Int(vals) if set.len() <= 16 => vals.test(n, |x| set.contains(&x)),
                    NumVals::Int(vals) => vals.test(n, |x| set.binary_search(&x).is_ok()),
                    NumVals::Float(vals) => vals.test(n, |x| set.iter().any(|&s| s as f64 == x)),
                };
                finish(found, *negated, c.undefined)
            }
            Pred::InFloat { v, set, negated } => {
                let c = self.num(v);
                let found = c.vals.to_float().test(n, |x| {
                    let x = if x == 0.0 { 0.0 } else { x };
                    set.binary_search_by(|s| s.total_cmp(&x)).is_ok()
                });
                finish(found, *negated, c.undefined)
            }
            Pred::InStr {
                field,
                set,
                negated,
            } => match self.column(field) {
                Some(Column::VarChar(v)) => {
                    let found = pack(&v[..n], |s| {
                        set.binary_search_by(|p| p.as_str().cmp(s.as_str())).is_ok()
                    });
                    finish(found, *negated, None)
                }
                _ => Bitset::new(n),
            },
            Pred::Like { field, pattern } => match self.column(field) {
                Some(Column::VarChar(v)) => pack(&v[..n], |s| pattern.matches(s)),
                _ => Bitset::new(n),
            },
            Pred::Json { r, test } => match self.column(&r.field) {
                Some(Column::Json(v) | Column::Array(v)) => {
                    pack(&v[..n], |doc| test.matches(r.lookup(doc)))
                }
                // No column: as if no row had the path.
                _ => all(n, test.matches(None)),
            },
        }
    }

    fn cmp(&self, l: &Num, op: CmpOp, r: &Num) -> Bitset {
        let n = self.n;
        // Field against constant straight off the column: the common case.
        if let Num::Field { name, .. } = l {
            match (self.column(name), r) {
                (Some(Column::Int64(v)), Num::Int(c)) => {
                    return with_cmp!(op, cmp_column(&v[..n], |x: i64| x, *c));
                }
                (Some(Column::Int32(v)), Num::Int(c)) => {
                    return with_cmp!(op, cmp_column(&v[..n], i64::from, *c));
                }
                (Some(Column::Double(v)), Num::Float(c)) => {
                    return with_cmp!(op, cmp_column(&v[..n], |x: f64| x, *c));
                }
                (Some(Column::Float(v)), Num::Float(c)) => {
                    return with_cmp!(op, cmp_column(&v[..n], f64::from, *c));
                }
                _ => {}
            }
        }
        let (a, b) = (self.num(l), self.num(r));
        let out = match (&a.vals, &b.vals) {
            (NumVals::Int(x), NumVals::Int(y)) => with_cmp!(op, cmp_vals(x, y, n)),
            (x, y) => with_cmp!(op, cmp_vals(&x.to_float(), &y.to_float(), n)),
        };
        finish(out, false, union(a.undefined, b.undefined))
    }

    fn num(&self, x: &Num) -> Computed<'c> {
        let n = self.n;
        let defined = |vals| Computed {
            vals,
            undefined: None,
        };
        match x {
            Num::Int(c) => defined(NumVals::Int(Vals::One(*c))),
            Num::Float(c) => defined(NumVals::Float(Vals::One(*c))),
            Num::Field { name, .. } => match self.column(name) {
                Some(Column::Int64(v)) => defined(NumVals::Int(Vals::All(Cow::Borrowed(&v[..n])))),
                Some(Column::Int32(v)) => defined(NumVals::Int(Vals::All(
                    v[..n].iter().map(|&x| i64::from(x)).collect(),
                ))),
                Some(Column::Int16(v)) => defined(NumVals::Int(Vals::All(
                    v[..n].iter().map(|&x| i64::from(x)).collect(),
                ))),
                Some(Column::Int8(v)) => defined(NumVals::Int(Vals::All(
                    v[..n].iter().map(|&x| i64::from(x)).collect(),
                ))),
                Some(Column::Double(v)) => {
                    defined(NumVals::Float(Vals::All(Cow::Borrowed(&v[..n]))))
                }
                Some(Column::Float(v)) => defined(NumVals::Float(Vals::All(
                    v[..n].iter().map(|&x| f64::from(x)).collect(),
                ))),
                _ => Computed {
                    vals: NumVals::Int(Vals::One(0)),
                    undefined: Some(Bitset::full(n)),
                },
            },
            Num::JsonLength(r) => match self.column(&r.field) {
                Some(Column::Json(v) | Column::Array(v)) => {
                    let lens: Vec<Option<i64>> = v[..n]
                        .iter()
                        .map(|doc| super::json::array_length(r.lookup(doc)))
                        .collect();
                    let undefined = pack(&lens, Option::is_none);
                    Computed {
                        vals: NumVals::Int(Vals::All(Cow::Owned(
                            lens.iter().map(|l| l.unwrap_or(0)).collect(),
                        ))),
                        undefined: Some(undefined),
                    }
                }
                _ => Computed {
                    vals: NumVals::Int(Vals::One(0)),
                    undefined: Some(Bitset::full(n)),
                },
            },
            Num::Neg(x) => {
                let c = self.num(x);
                let vals = match &c.vals {
                    NumVals::Int(v) => NumVals::Int(v.map(i64::wrapping_neg)),
                    NumVals::Float(v) => NumVals::Float(v.map(|x| -x)),
                };
                Computed {
                    vals,
                    undefined: c.undefined,
                }
            }
            Num::Arith { op, l, r } => {
                let (a, b) = (self.num(l), self.num(r));
                let mut undefined = union(a.undefined, b.undefined);
                let vals = match (&a.vals, &b.vals) {
                    (NumVals::Int(x), NumVals::Int(y)) => {
                        if matches!(op, ArithOp::Div | ArithOp::Mod) {
                            let zero = y.test(n, |d| d == 0);
                            if zero.words().iter().any(|&w| w != 0) {
                                undefined = union(undefined, Some(zero));
                            }
                        }
                        NumVals::Int(match op {
                            ArithOp::Add => x.zip(y, i64::wrapping_add),
                            ArithOp::Sub => x.zip(y, i64::wrapping_sub),
                            ArithOp::Mul => x.zip(y, i64::wrapping_mul),
                            ArithOp::Div => {
                                x.zip(y, |a, b| if b == 0 { 0 } else { a.wrapping_div(b) })
                            }
                            ArithOp::Mod => {
                                x.zip(y, |a, b| if b == 0 { 0 } else { a.wrapping_rem(b) })
                            }
                        })
                    }
                    (x, y) => {
                        let (x, y) = (x.to_float(), y.to_float());
                        NumVals::Float(match op {
                            ArithOp::Add => x.zip(&y, |a, b| a + b),
                            ArithOp::Sub => x.zip(&y, |a, b| a - b),
                            ArithOp::Mul => x.zip(&y, |a, b| a * b),
                            ArithOp::Div => x.zip(&y, |a, b| a / b),
                            ArithOp::Mod => x.zip(&y, |a, b| a % b),
                        })
                    }
                };
                Computed { vals, undefined }
            }
        }
    }
}

fn scalar_op(op: CmpOp) -> ScalarOp {
    match op {
        CmpOp::Eq => ScalarOp::Eq,
        CmpOp::Ne => ScalarOp::Ne,
        CmpOp::Lt => ScalarOp::Lt,
        CmpOp::Le => ScalarOp::Le,
        CmpOp::Gt => ScalarOp::Gt,
        CmpOp::Ge => ScalarOp::Ge,
    }
}

/// The field, index query and negation of a leaf predicate a scalar index can
/// answer (a field against constants; constants are on the right).
fn index_leaf(p: &Pred) -> Option<(&str, IndexQuery<'_>, bool)> {
    fn field(v: &Num) -> Option<&str> {
        match v {
            Num::Field { name, .. } => Some(name),
            _ => None,
        }
    }
    match p {
        Pred::Field(name) => Some((name, IndexQuery::True, false)),
        Pred::Cmp { l, op, r } => {
            let c = match r {
                Num::Int(c) => Scalar::Int(*c),
                Num::Float(c) => Scalar::Float(*c),
                _ => return None,
            };
            Some((field(l)?, IndexQuery::Cmp(scalar_op(*op), c), false))
        }
        Pred::StrCmp {
            field,
            op,
            r: Str::Const(c),
        } => Some((
            field,
            IndexQuery::Cmp(scalar_op(*op), Scalar::Str(c)),
            false,
        )),
        Pred::InInt { v, set, negated } => Some((field(v)?, IndexQuery::InInt(set), *negated)),
        Pred::InFloat { v, set, negated } => Some((field(v)?, IndexQuery::InFloat(set), *negated)),
        Pred::InStr {
            field,
            set,
            negated,
        } => Some((field, IndexQuery::InStr(set), *negated)),
        Pred::Like { field, pattern } => match pattern {
            Pattern::Prefix(p) => Some((field, IndexQuery::Prefix(p), false)),
            Pattern::Exact(p) => {
                Some((field, IndexQuery::Cmp(ScalarOp::Eq, Scalar::Str(p)), false))
            }
            _ => None,
        },
        Pred::Json {
            r,
            test: JsonPred::Contains { mode, values },
        } if r.path.is_empty() => Some((
            &r.field,
            IndexQuery::Contains {
                all: *mode == Contains::All,
                values,
            },
            false,
        )),
        _ => None,
    }
}

/// Whether scalar indexes of `cols` answer every leaf of `p` (so evaluating it
/// reads no column).
pub(crate) fn answered_by_indexes(p: &Pred, cols: &dyn Columns) -> bool {
    match p {
        Pred::Const(_) | Pred::IsNull { .. } => true,
        Pred::Not(x) => answered_by_indexes(x, cols),
        Pred::And(a, b) | Pred::Or(a, b) | Pred::BoolEq { l: a, r: b, .. } => {
            answered_by_indexes(a, cols) && answered_by_indexes(b, cols)
        }
        leaf => index_leaf(leaf).is_some_and(|(field, _, _)| cols.has_index(field)),
    }
}

/// The fields a leaf predicate reads (none for the logical nodes, whose
/// operands drop their own nulls, and for `is null`).
fn leaf_fields<'p>(p: &'p Pred, out: &mut Vec<&'p str>) {
    fn num<'p>(x: &'p Num, out: &mut Vec<&'p str>) {
        match x {
            Num::Field { name, .. } => out.push(name),
            Num::JsonLength(r) => out.push(&r.field),
            Num::Neg(x) => num(x, out),
            Num::Arith { l, r, .. } => {
                num(l, out);
                num(r, out);
            }
            Num::Int(_) | Num::Float(_) => {}
        }
    }
    match p {
        Pred::Field(name) => out.push(name),
        Pred::Cmp { l, r, .. } => {
            num(l, out);
            num(r, out);
        }
        Pred::StrCmp { field, r, .. } => {
            out.push(field);
            if let Str::Field(f) = r {
                out.push(f);
            }
        }
        Pred::InInt { v, .. } | Pred::InFloat { v, .. } => num(v, out),
        Pred::InStr { field, .. } | Pred::Like { field, .. } => out.push(field),
        Pred::Json { r, .. } => out.push(&r.field),
        _ => {}
    }
}

/// Negates `found` for `not in`, then drops the undefined rows.
fn finish(mut found: Bitset, negate: bool, undefined: Option<Bitset>) -> Bitset {
    if negate {
        found.negate();
    }
    if let Some(u) = undefined {
        found.and_not_with(&u);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::Pattern;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn like_patterns() {
        let m = |p: &str, s: &str| Pattern::parse(p).matches(s);
        assert!(m("ab%", "abc") && !m("ab%", "xab"));
        assert!(m("%ab", "xab") && !m("%ab", "abx"));
        assert!(m("%ab%", "xaby") && !m("%ab%", "a b"));
        assert!(m("ab", "ab") && !m("ab", "abc"));
        assert!(m("a%b%c", "a__b__c") && m("a%b%c", "abc") && !m("a%b%c", "acb"));
        assert!(m("a%a", "aa") && !m("a%a", "a"));
        assert!(m(r"50\%", "50%") && !m(r"50\%", "500"));
        assert!(m("a_c", "a_c") && !m("a_c", "abc"));
        assert!(m("%", "") && m("%%", "x"));
        assert_eq!(Pattern::parse("ab%"), Pattern::Prefix("ab".into()));
        assert_eq!(Pattern::parse("%ab"), Pattern::Suffix("ab".into()));
        assert_eq!(Pattern::parse("%ab%"), Pattern::Contains("ab".into()));
    }
}
