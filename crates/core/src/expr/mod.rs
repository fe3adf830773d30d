//! Milvus boolean filter expressions: the `expr=` of search, query and delete.
//!
//! [`parse`] lexes, parses and type-checks an expression against a collection's
//! schema; [`Expr::evaluate`] runs it over a segment's columns, one column at a time,
//! to a [`Bitset`] of matching rows. Errors are [`Error`]'s `Filter*` variants: their
//! text is Milvus 2.3.5's (`cannot parse expression: <expr>, error: …`) wherever
//! Milvus has one, and each carries the character offset where the problem is.
//!
//! # Grammar
//!
//! The boolean grammar of Milvus 2.5, with Milvus's precedence (lowest first):
//!
//! ```text
//! expr     := and (('or' | '||') and)*
//! and      := eq (('and' | '&&') eq)*
//! eq       := rel (('==' | '!=') rel)*
//! rel      := member (('<' | '<=' | '>' | '>=') member)*
//!           | member ('<' | '<=') field ('<' | '<=') member     range: 1 < id <= 4
//!           | member ('>' | '>=') field ('>' | '>=') member     range: 9 > id >= 2
//! member   := add (('in' | 'not in') '[' (expr (',' expr)* ','?)? ']')*
//! add      := mul (('+' | '-') mul)*
//! mul      := unary (('*' | '/' | '%') unary)*
//! unary    := ('-' | '+' | 'not' | '!' | 'exists') unary | power
//! power    := postfix ('**' unary)*                       constants only
//! postfix  := primary ('is' 'not'? 'null')* ('like' string)*    nullable fields
//! primary  := integer | float | string | bool | field | path | list | call | '(' expr ')'
//! path     := (field | '$meta') ('[' (string | integer) ']')+   no spaces, one token
//! list     := '[' (expr (',' expr)* ','?)? ']'                   constants only
//! call     := ('json_contains' | 'json_contains_all' | 'json_contains_any'
//!             | 'array_contains' | 'array_contains_all' | 'array_contains_any')
//!             '(' path ',' expr ')' | 'array_length' '(' path ')'
//! ```
//!
//! JSON (`json.rs`): a path reaches a value of a JSON field; with dynamic fields
//! (`enable_dynamic_field`) a name the schema lacks is a key of the hidden
//! `$meta` field (`color == "red"` is `$meta["color"] == "red"`). Paths compare
//! with constants (numbers by value, strings, bools), `in`, `like`, `exists`
//! and the contains functions; a path that reaches nothing matches only `!=`.
//!
//! Nulls (Milvus 2.5's nullable fields): a comparison, `in` or `like` on a null
//! value is false, and so is its `not` (segcore keeps only the rows where the
//! operand of `not` is defined; `and`/`or` are defined where either side is);
//! `field is null` / `field is not null` (either case) test it.
//!
//! - Keywords are lower case (`AND` is an unknown name, hence "invalid expression",
//!   as in Milvus); `like`/`LIKE` and `true`/`True`/`TRUE` (and false) are both
//!   accepted, as in Milvus.
//! - `not` binds tighter than comparisons, as in Milvus: write `not (id > 2)`.
//! - Integers: decimal, `0x1f`, `0b101`, and C octal (`010` is 8, as in Milvus).
//!   Floats: `1.5`, `.5`, `5.`, `1e1`, `2.5E-3`. Strings: single or double quotes
//!   with `\n \t \r \0 \\ \' \"`; any other backslash pair is kept as written.
//! - `like` patterns: `%` is any run of characters anywhere (prefix `'ab%'`, infix
//!   `'%ab%'`, suffix `'%ab'`, exact `'ab'`, or several `%`); `\%` is a literal `%`;
//!   `_` is a literal underscore (as in Milvus 2.3; Milvus 2.5 treats it as a
//!   one-character wildcard).
//!
//! # Types
//!
//! Fields are Bool, Int8, Int16, Int32, Int64, Float, Double, VarChar and JSON. Integer arithmetic is
//! i64 (wrapping); mixing integers and floats promotes to f64. A Bool field is a
//! predicate by itself (`flag`, `not flag`). Comparing VarChar with a number, or
//! using a FloatVector field, is refused with Milvus's "comparisons between …"
//! message. An integer expression compared with a non-integral float constant is
//! Milvus's "cannot cast value to Int64" error; an integral one (`id == 2.0`) is
//! accepted as the integer (Milvus refuses it). Constants compared with a Float
//! (f32) field are rounded to f32 first, as Milvus compares in the field's precision
//! (`score == 0.1` matches a stored `0.1f32`).
//!
//! # Evaluation
//!
//! Evaluation cannot fail. Integer division or remainder by zero makes the value
//! undefined on that row, and a comparison (or `in`) on an undefined value is
//! false: `id / 0 == 0` matches no row, `not (id / 0 == 0)` every row. Float
//! division follows IEEE 754 (NaN compares false except with `!=`).
//!
//! An empty or blank expression is not a filter: [`parse`] refuses it with
//! [`Error::FilterEmpty`]; [`parse_optional`] returns `None` for it.

mod check;
mod eval;
mod json;
#[cfg(test)]
mod json_tests;
mod lexer;
mod parser;
#[cfg(test)]
mod proptest;

use crate::bitset::Bitset;
use crate::error::{Error, Result};
use crate::schema::{CollectionSchema, Column};

/// The columns of a segment, by field name, all `num_rows()` long.
///
/// A column that is missing (or shorter than `num_rows()`) makes every comparison
/// that reads it false; the caller should pass every field in [`Expr::fields`].
pub trait Columns {
    fn num_rows(&self) -> usize;
    fn column(&self, field: &str) -> Option<&Column>;

    /// The rows where `field` answers `query`, from a scalar index on it (one bit
    /// per row of `0..num_rows()`); None without one, and the evaluator scans the
    /// column. An answer must be the scan's exactly, except on the field's null
    /// rows, which the evaluator drops itself.
    fn index_rows(&self, _field: &str, _query: &IndexQuery<'_>) -> Option<Bitset> {
        None
    }

    /// Whether `field` has a scalar index that answers [`IndexQuery`]s.
    fn has_index(&self, _field: &str) -> bool {
        false
    }
}

/// A comparison operator of an [`IndexQuery`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A constant of an [`IndexQuery`], as the expression holds it (a constant
/// compared with a Float field is already rounded to f32).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar<'a> {
    Int(i64),
    Float(f64),
    Str(&'a str),
}

/// A leaf predicate on one field that a scalar index may answer, with the
/// scan's semantics: integers against a float constant compare as `f64`, a
/// NaN matches only `!=`, strings compare byte-wise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IndexQuery<'a> {
    /// `field op constant`.
    Cmp(ScalarOp, Scalar<'a>),
    /// `field in [...]` over integers (sorted, deduplicated); the caller negates `not in`.
    InInt(&'a [i64]),
    /// `field in [...]` over floats (sorted by `total_cmp`, no NaN, no -0.0).
    InFloat(&'a [f64]),
    /// `field in [...]` over strings (sorted, deduplicated).
    InStr(&'a [String]),
    /// `field like "prefix%"`.
    Prefix(&'a str),
    /// A bare Bool field: the rows where it is true.
    True,
    /// `array_contains(field, v)` and `array_contains_any(field, [..])` (`all`
    /// false), `array_contains_all(field, [..])` (`all` true), on an ARRAY field.
    Contains {
        all: bool,
        values: &'a [serde_json::Value],
    },
}

/// A parsed and type-checked filter expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    source: String,
    root: check::Pred,
    fields: Vec<String>,
}

/// Parses and type-checks `expr` against `schema`. A blank expression is
/// [`Error::FilterEmpty`] (see [`parse_optional`]).
pub fn parse(expr: &str, schema: &CollectionSchema) -> Result<Expr> {
    if expr.trim().is_empty() {
        return Err(Error::FilterEmpty);
    }
    let src = parser::Source::new(expr);
    let ast = parser::parse(&src)?;
    let (root, fields) = check::check(&src, &ast, schema)?;
    Ok(Expr {
        source: expr.to_owned(),
        root,
        fields,
    })
}

/// Like [`parse`], but a blank expression means "no filter": `Ok(None)`.
pub fn parse_optional(expr: &str, schema: &CollectionSchema) -> Result<Option<Expr>> {
    if expr.trim().is_empty() {
        Ok(None)
    } else {
        parse(expr, schema).map(Some)
    }
}

/// The character offset (0-based, in chars) a filter error points at, if `err` is
/// one (for underlining it in the playground).
pub fn error_position(err: &Error) -> Option<usize> {
    match err {
        Error::FilterSyntax { position, .. }
        | Error::FilterTrailingInput { position, .. }
        | Error::FilterUnknownField { position, .. }
        | Error::FilterTypeMismatch { position, .. }
        | Error::FilterCannotCast { position, .. }
        | Error::FilterInvalid { position, .. } => Some(*position),
        _ => None,
    }
}

impl Expr {
    /// The expression as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The rows of `cols` that match (one bit per row of `0..cols.num_rows()`).
    pub fn evaluate(&self, cols: &dyn Columns) -> Bitset {
        eval::Eval::new(cols).pred(&self.root)
    }

    /// The fields the expression reads, each once, in order of first appearance.
    pub fn fields(&self) -> Vec<&str> {
        self.fields.iter().map(String::as_str).collect()
    }

    /// Whether scalar indexes of `cols` answer every leaf (so that evaluating
    /// it reads no column).
    pub fn answered_by_indexes(&self, cols: &dyn Columns) -> bool {
        eval::answered_by_indexes(&self.root, cols)
    }

    /// `Some(b)` if the expression matches all rows (`true`) or none (`false`)
    /// whatever the data, e.g. `1 < 2`.
    pub fn constant(&self) -> Option<bool> {
        match self.root {
            check::Pred::Const(b) => Some(b),
            _ => None,
        }
    }

    /// The fraction of rows expected to match, measured on at most `max_sample`
    /// evenly spaced rows of `cols` (all of them if there are no more), or
    /// exactly when scalar indexes answer every leaf of the expression. 0.0 for an
    /// empty segment. Cheap enough for a planner choosing between pre-filtering and
    /// filtering during index traversal.
    pub fn estimate_selectivity(&self, cols: &dyn Columns, max_sample: usize) -> f64 {
        let n = cols.num_rows();
        if n == 0 {
            return 0.0;
        }
        if eval::answered_by_indexes(&self.root, cols) {
            // Every leaf is an index lookup: the exact count costs no scan.
            return self.evaluate(cols).count() as f64 / n as f64;
        }
        if n <= max_sample.max(1) {
            return self.evaluate(cols).count() as f64 / n as f64;
        }
        let step = n.div_ceil(max_sample.max(1));
        let rows: Vec<usize> = (0..n).step_by(step).collect();
        let sample = Sample {
            rows: rows.len(),
            columns: self
                .fields
                .iter()
                .filter_map(|f| Some((f.as_str(), gather(cols.column(f)?, &rows, n)?)))
                .collect(),
        };
        self.evaluate(&sample).count() as f64 / rows.len() as f64
    }
}

impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}

/// A few rows of some columns, for [`Expr::estimate_selectivity`].
struct Sample<'a> {
    rows: usize,
    columns: Vec<(&'a str, Column)>,
}

impl Columns for Sample<'_> {
    fn num_rows(&self) -> usize {
        self.rows
    }

    fn column(&self, field: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, c)| c)
    }
}

/// The `rows` of `col` (None if `col` is shorter than `n`).
fn gather(col: &Column, rows: &[usize], n: usize) -> Option<Column> {
    if col.len() < n {
        return None;
    }
    fn pick<T: Clone>(v: &[T], rows: &[usize]) -> Vec<T> {
        rows.iter().map(|&r| v[r].clone()).collect()
    }
    Some(match col {
        Column::Bool(v) => Column::Bool(pick(v, rows)),
        Column::Int32(v) => Column::Int32(pick(v, rows)),
        Column::Int64(v) => Column::Int64(pick(v, rows)),
        Column::Float(v) => Column::Float(pick(v, rows)),
        Column::Double(v) => Column::Double(pick(v, rows)),
        Column::VarChar(v) => Column::VarChar(pick(v, rows)),
        Column::FloatVector { dim, data } => Column::FloatVector {
            dim: *dim,
            data: rows
                .iter()
                .flat_map(|&r| data[r * dim..(r + 1) * dim].iter().copied())
                .collect(),
        },
        Column::Int8(v) => Column::Int8(pick(v, rows)),
        Column::Int16(v) => Column::Int16(pick(v, rows)),
        Column::Json(v) => Column::Json(pick(v, rows)),
        Column::Array(v) => Column::Array(pick(v, rows)),
        c @ (Column::Float16Vector { .. }
        | Column::BFloat16Vector { .. }
        | Column::BinaryVector { .. }) => c.take(rows),
        Column::Nullable { values, valid } => Column::Nullable {
            values: Box::new(gather(values, rows, n)?),
            valid: pick(valid, rows),
        },
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::schema::{DataType, FieldSchema};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Columns by name, for tests.
    pub(crate) struct Table {
        pub rows: usize,
        pub columns: Vec<(String, Column)>,
    }

    impl Columns for Table {
        fn num_rows(&self) -> usize {
            self.rows
        }

        fn column(&self, field: &str) -> Option<&Column> {
            self.columns
                .iter()
                .find(|(f, _)| f == field)
                .map(|(_, c)| c)
        }
    }

    fn schema() -> CollectionSchema {
        CollectionSchema::new(
            vec![
                FieldSchema::int64_primary("id", false),
                FieldSchema::scalar("timestamp", DataType::Int64),
                FieldSchema::scalar("age", DataType::Int32),
                FieldSchema::scalar("score", DataType::Float),
                FieldSchema::scalar("price", DataType::Double),
                FieldSchema::varchar("source", 200),
                FieldSchema::varchar("text", 200),
                FieldSchema::scalar("flag", DataType::Bool),
                FieldSchema::float_vector("embedding", 2),
            ],
            "",
        )
    }

    fn table() -> Table {
        let ids: Vec<i64> = (0..10).collect();
        let strings = |v: &[&str]| Column::VarChar(v.iter().map(|s| s.to_string()).collect());
        Table {
            rows: 10,
            columns: vec![
                ("id".into(), Column::Int64(ids.clone())),
                (
                    "timestamp".into(),
                    Column::Int64(ids.iter().map(|i| 1_700_000_000 + i).collect()),
                ),
                (
                    "age".into(),
                    Column::Int32(vec![30, 25, 40, 25, 18, 60, 33, 25, 47, 51]),
                ),
                (
                    "score".into(),
                    Column::Float(vec![0.0, 1.5, 3.0, 4.5, 6.0, 7.5, 9.0, 10.5, 12.0, 0.1]),
                ),
                (
                    "price".into(),
                    Column::Double(vec![
                        9.99, 19.5, 5.0, 100.0, 0.5, 42.0, 7.25, 19.5, 64.0, -3.0,
                    ]),
                ),
                (
                    "source".into(),
                    Column::VarChar(
                        ids.iter()
                            .map(|i| format!("source_{}.txt", i % 3))
                            .collect(),
                    ),
                ),
                (
                    "text".into(),
                    strings(&[
                        "doc 0", "doc 1", "50% off", "a'b", "ab", "abc", "xabx", "", "doc 8", "ABC",
                    ]),
                ),
                (
                    "flag".into(),
                    Column::Bool(ids.iter().map(|i| i % 2 == 0).collect()),
                ),
                (
                    "embedding".into(),
                    Column::FloatVector {
                        dim: 2,
                        data: vec![0.0; 20],
                    },
                ),
            ],
        }
    }

    #[test]
    fn accepted_expressions_match_the_right_rows() {
        const ALL: &[usize] = &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        let cases: &[(&str, &[usize])] = &[
            ("id < 5", &[0, 1, 2, 3, 4]),
            ("id <= 5 and id >= 3", &[3, 4, 5]),
            ("id == 3", &[3]),
            ("3 == id", &[3]),
            ("id != 3", &[0, 1, 2, 4, 5, 6, 7, 8, 9]),
            ("1 < id < 4", &[2, 3]),
            ("1 <= id < 3", &[1, 2]),
            ("10 > id >= 8", &[8, 9]),
            ("id in [1, 2, 3]", &[1, 2, 3]),
            ("id in [1, 2,]", &[1, 2]),
            ("id not in [1, 2, 3]", &[0, 4, 5, 6, 7, 8, 9]),
            ("id in []", &[]),
            ("id not in [ ]", ALL),
            ("id in [] or id == 1", &[1]),
            ("source == 'source_0.txt'", &[0, 3, 6, 9]),
            ("source != \"source_0.txt\"", &[1, 2, 4, 5, 7, 8]),
            (
                "source in ['source_1.txt','source_2.txt'] and id < 5",
                &[1, 2, 4],
            ),
            ("source like 'source_1%'", &[1, 4, 7]),
            ("source LIKE 'source_2%'", &[2, 5, 8]),
            ("text like '%b%'", &[3, 4, 5, 6]),
            ("text like '%c'", &[5]),
            ("text like 'doc%'", &[0, 1, 8]),
            ("text like 'ab'", &[4]),
            (r"text like '50\%%'", &[2]),
            ("text like '%'", ALL),
            ("text like 'a%b%'", &[3, 4, 5]),
            ("text like 'x%x'", &[6]),
            ("not text like 'doc%'", &[2, 3, 4, 5, 6, 7, 9]),
            ("text == 'doc 8'", &[8]),
            ("text == \"doc 8\"", &[8]),
            (r"text == 'a\'b'", &[3]),
            ("text == \"a'b\"", &[3]),
            ("text in [\"\", 'ab']", &[4, 7]),
            ("text > 'doc'", &[0, 1, 6, 8]),
            ("'doc' < text", &[0, 1, 6, 8]),
            ("id > 5 && id < 8", &[6, 7]),
            ("id < 2 || id > 7", &[0, 1, 8, 9]),
            ("not (id > 2)", &[0, 1, 2]),
            ("!(id > 2)", &[0, 1, 2]),
            ("id % 3 == 0", &[0, 3, 6, 9]),
            ("id % 50 == 0", &[0]),
            ("id * 2 == 10", &[5]),
            ("id + 1 == 10", &[9]),
            ("id / 2 == 2", &[4, 5]),
            ("price / 2 > 9.5", &[1, 3, 5, 7, 8]),
            ("id * 1.5 > 10", &[7, 8, 9]),
            ("age * 2 > 100", &[5, 9]),
            ("age + id == 28", &[3]),
            ("age < price", &[3, 8]),
            ("-id > -3", &[0, 1, 2]),
            ("id == -(-3)", &[3]),
            ("id == - -3", &[3]),
            ("-9223372036854775808 < id", ALL),
            ("id / 0 == 0", &[]),
            ("id % 0 != 1", &[]),
            ("not (id / 0 == 0)", ALL),
            ("score > 1e1", &[7, 8]),
            ("score == 0.1", &[9]),
            ("score in [0.1, 3]", &[2, 9]),
            ("score >= 4.5 and score < 7.5", &[3, 4]),
            ("price in [19.5, 5]", &[1, 2, 7]),
            ("id >= 0x8", &[8, 9]),
            ("010 == id", &[8]),
            ("id == 0b11", &[3]),
            ("id == 2.0", &[2]),
            ("2 ** 3 == id", &[8]),
            ("timestamp > 1700000007", &[8, 9]),
            ("flag", &[0, 2, 4, 6, 8]),
            ("not flag", &[1, 3, 5, 7, 9]),
            ("!flag", &[1, 3, 5, 7, 9]),
            ("flag == false", &[1, 3, 5, 7, 9]),
            ("flag != True", &[1, 3, 5, 7, 9]),
            ("flag and id > 4", &[6, 8]),
            ("flag in [true]", &[0, 2, 4, 6, 8]),
            ("flag not in [true]", &[1, 3, 5, 7, 9]),
            ("flag in [true, false] and id < 2", &[0, 1]),
            ("flag == (id < 5)", &[0, 2, 4, 5, 7, 9]),
            ("(id < 3 or id > 8) and flag", &[0, 2]),
            ("id < 3 or id > 8 and flag", &[0, 1, 2]),
            ("id > 1\nand\tid < 3", &[2]),
            ("true", ALL),
            ("1 < 2", ALL),
            ("false", &[]),
            ("not true", &[]),
        ];
        let (schema, table) = (schema(), table());
        for (expr, want) in cases {
            let parsed = parse(expr, &schema).unwrap_or_else(|e| panic!("{expr}: {e}"));
            let got: Vec<usize> = parsed.evaluate(&table).iter().collect();
            assert_eq!(&got, want, "{expr}");
        }
    }

    #[test]
    fn rejected_expressions_give_milvus_messages_and_positions() {
        const EXPECTING: &str = "{'(', '[', EXISTS, '+', '-', '~', NOT, JSONContains, JSONContainsAll, JSONContainsAny, ArrayContains, ArrayContainsAll, ArrayContainsAny, ArrayLength, BooleanConstant, IntegerConstant, FloatingConstant, Identifier, StringLiteral, JSONIdentifier}";
        let expecting = format!("line 1:10 mismatched input '<EOF>' expecting {EXPECTING}");
        // (expression, text after "error: ", position)
        let cases: &[(&str, &str, usize)] = &[
            // Milvus 2.3.5's verbatim messages (REFERENCE.md and the probe output).
            (
                "id == 1 AND id == 1",
                "invalid expression: id == 1 AND id == 1",
                8,
            ),
            (
                "id == 1 OR id == 2",
                "invalid expression: id == 1 OR id == 2",
                8,
            ),
            ("NOT id > 2", "invalid expression: NOT id > 2", 4),
            ("source ~= 'x'", "invalid expression: source ~= 'x'", 7),
            (
                "id between 1 and 5",
                "invalid expression: id between 1 and 5",
                3,
            ),
            (
                "TextMatch(text, 'doc')",
                "invalid expression: TextMatch(text, 'doc')",
                9,
            ),
            (
                "source == 'a' || true",
                "'or' can only be used between boolean expressions",
                14,
            ),
            (
                "source = 'x'",
                "line 1:7 token recognition error at: '= '",
                7,
            ),
            (
                "source == 1",
                "comparisons between VarChar, element_type: None and Int64 elementType: None are not supported",
                7,
            ),
            (
                "timestamp > 'abc'",
                "comparisons between Int64, element_type: None and VarChar elementType: None are not supported",
                10,
            ),
            (
                "embedding == 1",
                "comparisons between FloatVector, element_type: None and Int64 elementType: None are not supported",
                10,
            ),
            (
                "id in 1",
                "line 1:6 no viable alternative at input 'in1'",
                6,
            ),
            ("id <", "line 1:4 no viable alternative at input '<'", 4),
            (
                "source like 1",
                "line 1:12 mismatched input '1' expecting StringLiteral",
                12,
            ),
            ("id > 5 and", &expecting, 10),
            ("(id > 5", "line 1:7 missing ')' at '<EOF>'", 7),
            (
                "source_0.txt",
                "line 1:8 token recognition error at: '.t'",
                8,
            ),
            (
                "id == 1.5",
                "cannot cast value to Int64, value: float_val:1.5 ",
                6,
            ),
            ("nonexist > 1", "field nonexist not exist", 0),
            (
                "score ** 2 > 300",
                "power can only apply on constants: score**2",
                6,
            ),
            // annlab's own messages where Milvus has none on record.
            (
                "age == 2.5",
                "cannot cast value to Int32, value: float_val:2.5 ",
                7,
            ),
            (
                "id < 1e30",
                "cannot cast value to Int64, value: float_val:1e+30 ",
                5,
            ),
            (
                "id in [1, 'a']",
                "cannot cast value to Int64, value: string_val:\"a\" ",
                10,
            ),
            (
                "source in ['a', 1]",
                "cannot cast value to VarChar, value: int_val:1 ",
                16,
            ),
            (
                "flag in [1]",
                "cannot cast value to Bool, value: int_val:1 ",
                9,
            ),
            (
                "embedding in [1]",
                "cannot cast value to FloatVector, value: int_val:1 ",
                14,
            ),
            (
                "id in [id]",
                "value 'id' in list cannot be a non-const expression",
                7,
            ),
            ("id in [1, 2", "line 1:11 missing ']' at '<EOF>'", 11),
            (
                "id == 1 and true",
                "'and' can only be used between boolean expressions",
                8,
            ),
            (
                "id + 1 and id > 2",
                "'and' can only be used between boolean expressions",
                7,
            ),
            (
                "not id > 2",
                "'not' can only be applied to a boolean expression, but id is Int64; 'not' binds tighter than comparisons, so write not (a > b)",
                0,
            ),
            (
                "id + 'a' > 1",
                "'add' can only be used between integer or floating expressions",
                3,
            ),
            (
                "-source == 'a'",
                "unary '-' can only be applied to integer or floating expressions, but source is VarChar",
                1,
            ),
            (
                "flag < true",
                "'<' is not supported between boolean expressions; use == or !=",
                5,
            ),
            (
                "age like 'a%'",
                "like can only be applied to a VarChar field, but age is Int32",
                4,
            ),
            (
                "id",
                "predicate is not a boolean expression: id, data type: Int64",
                0,
            ),
            (
                "id + 1",
                "predicate is not a boolean expression: id + 1, data type: Int64",
                0,
            ),
            (
                "id == 1 / 0",
                "division by zero in the constant expression 1 / 0",
                8,
            ),
            (
                "id == 99999999999999999999",
                "integer literal 99999999999999999999 is out of range: Int64 holds -9223372036854775808 ..= 9223372036854775807",
                6,
            ),
            (
                "price < 1e999",
                "floating-point literal 1e999 is out of range: Double holds magnitudes up to 1.7976931348623157e308",
                8,
            ),
            ("~id == 1", "bitwise operator '~' is not supported", 0),
            ("id & 1 == 1", "invalid expression: id & 1 == 1", 3),
            (
                "id == & 1",
                "line 1:6 no viable alternative at input '==&'",
                6,
            ),
            ("id == ", "line 1:6 no viable alternative at input '=='", 6),
            (
                ") or id",
                "line 1:0 mismatched input ')' expecting {'(', '[', EXISTS, '+', '-', '~', NOT, JSONContains, JSONContainsAll, JSONContainsAny, ArrayContains, ArrayContainsAll, ArrayContainsAny, ArrayLength, BooleanConstant, IntegerConstant, FloatingConstant, Identifier, StringLiteral, JSONIdentifier}",
                0,
            ),
            (
                "text == 'abc",
                "line 1:8 token recognition error at: ''abc'",
                8,
            ),
            (
                "id > 1\nand id @ 2",
                "line 2:7 token recognition error at: '@'",
                14,
            ),
            // Positions count characters, not bytes.
            ("'é' == source and nope > 1", "field nope not exist", 18),
        ];
        let schema = schema();
        for (expr, message, position) in cases {
            let err = parse(expr, &schema).expect_err(expr);
            assert_eq!(
                err.to_string(),
                format!("cannot parse expression: {expr}, error: {message}"),
                "{expr}"
            );
            assert_eq!(error_position(&err), Some(*position), "{expr}: {err}");
        }
    }

    #[test]
    fn blank_is_no_filter_and_api_details() {
        let (schema, table) = (schema(), table());
        assert_eq!(parse(" \t", &schema), Err(Error::FilterEmpty));
        assert_eq!(parse_optional("", &schema), Ok(None));
        let e = parse_optional("age > 26 and (text like 'doc%' or age < price)", &schema)
            .unwrap()
            .unwrap();
        assert_eq!(e.fields(), ["age", "text", "price"]);
        assert_eq!(e.source(), e.to_string());
        assert_eq!(e.constant(), None);
        assert_eq!(parse("2 > 1", &schema).unwrap().constant(), Some(true));
        let got: Vec<usize> = e.evaluate(&table).iter().collect();
        assert_eq!(got, [0, 8]);
        assert_eq!(e.estimate_selectivity(&table, 100), 0.2);
        // Every other row: 0 2 4 6 8 of which 0 and 8 match.
        assert_eq!(e.estimate_selectivity(&table, 5), 0.4);
        let empty = Table {
            rows: 0,
            columns: vec![],
        };
        assert_eq!(e.estimate_selectivity(&empty, 10), 0.0);
        assert_eq!(e.evaluate(&empty).len(), 0);
        // A missing column makes its comparisons false (and is not a panic).
        let partial = Table {
            rows: 10,
            columns: vec![("id".into(), Column::Int64((0..10).collect()))],
        };
        let e = parse("id < 3 or age > 0 or text == 'x' or flag", &schema).unwrap();
        assert_eq!(e.evaluate(&partial).count(), 3);
        let e = parse("id < 3 and age + 1 > 0", &schema).unwrap();
        assert_eq!(e.evaluate(&partial).count(), 0);
    }
}
