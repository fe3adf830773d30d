//! JSON in filters: paths into JSON fields (and into the hidden `$meta` field
//! that holds a row's dynamic keys), and the predicates Milvus evaluates on the
//! value a path reaches.
//!
//! A path that reaches nothing (a missing key, an index past the end, a step
//! into a scalar) matches no comparison but `!=`, which is the negation of `==`
//! (as in Milvus). Numbers compare by value whatever their JSON type (`3 == 3.0`);
//! a number never equals a string, nor a string a bool.

use std::cmp::Ordering;

use serde_json::Value;

use super::eval::Pattern;
use super::lexer::PathKey;
use super::parser::CmpOp;

/// A JSON field (or `$meta`) and the path into it (empty: the whole value).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct JsonRef {
    pub field: String,
    pub path: Vec<PathKey>,
}

impl JsonRef {
    /// The value the path reaches in `root`, if any.
    pub fn lookup<'v>(&self, root: &'v Value) -> Option<&'v Value> {
        let mut v = root;
        for step in &self.path {
            v = match (step, v) {
                (PathKey::Key(k), Value::Object(m)) => m.get(k)?,
                (PathKey::Index(i), Value::Array(a)) => a.get(*i)?,
                _ => return None,
            };
        }
        Some(v)
    }
}

/// How `json_contains*` / `array_contains*` match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Contains {
    /// The array has this element.
    One,
    /// The array has every one of these elements.
    All,
    /// The array has at least one of these elements.
    Any,
}

/// A predicate on the value a [`JsonRef`] reaches.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JsonPred {
    Cmp { op: CmpOp, value: Value },
    In { set: Vec<Value> },
    Like(Pattern),
    Exists,
    Contains { mode: Contains, values: Vec<Value> },
}

impl JsonPred {
    /// Whether the value `v` (None: the path reaches nothing) matches.
    pub fn matches(&self, v: Option<&Value>) -> bool {
        match self {
            JsonPred::Cmp {
                op: CmpOp::Ne,
                value,
            } => !v.is_some_and(|v| equal(v, value)),
            JsonPred::Cmp {
                op: CmpOp::Eq,
                value,
            } => v.is_some_and(|v| equal(v, value)),
            JsonPred::Cmp { op, value } => {
                v.and_then(|v| compare(v, value)).is_some_and(|o| match op {
                    CmpOp::Eq => o == Ordering::Equal,
                    CmpOp::Ne => o != Ordering::Equal,
                    CmpOp::Lt => o == Ordering::Less,
                    CmpOp::Le => o != Ordering::Greater,
                    CmpOp::Gt => o == Ordering::Greater,
                    CmpOp::Ge => o != Ordering::Less,
                })
            }
            JsonPred::In { set } => v.is_some_and(|v| set.iter().any(|c| equal(v, c))),
            JsonPred::Like(p) => matches!(v, Some(Value::String(s)) if p.matches(s)),
            JsonPred::Exists => v.is_some(),
            JsonPred::Contains { mode, values } => {
                let Some(Value::Array(items)) = v else {
                    return false;
                };
                let has = |c: &Value| items.iter().any(|x| equal(x, c));
                match mode {
                    Contains::One | Contains::Any => values.iter().any(has),
                    Contains::All => values.iter().all(has),
                }
            }
        }
    }
}

/// The order of a JSON value and a constant of comparable kind (numbers with
/// numbers, strings with strings, bools with bools), None otherwise.
pub(crate) fn compare(v: &Value, c: &Value) -> Option<Ordering> {
    match (v, c) {
        (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
        },
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// Equality with numbers by value; arrays element by element.
pub(crate) fn equal(v: &Value, c: &Value) -> bool {
    match (v, c) {
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| equal(x, y))
        }
        (Value::Object(_), _) | (_, Value::Object(_)) => v == c,
        (Value::Null, Value::Null) => true,
        _ => compare(v, c) == Some(Ordering::Equal),
    }
}

/// The length of the array the path reaches, None if it reaches no array.
pub(crate) fn array_length(v: Option<&Value>) -> Option<i64> {
    match v {
        Some(Value::Array(a)) => Some(a.len() as i64),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn paths_and_comparisons() {
        let doc = json!({"a": {"b": 4}, "arr": [1, 2.5, "x"], "s": "red"});
        let r = |path: Vec<PathKey>| JsonRef {
            field: "m".into(),
            path,
        };
        let ab = r(vec![PathKey::Key("a".into()), PathKey::Key("b".into())]);
        assert_eq!(ab.lookup(&doc), Some(&json!(4)));
        let arr1 = r(vec![PathKey::Key("arr".into()), PathKey::Index(1)]);
        assert_eq!(arr1.lookup(&doc), Some(&json!(2.5)));
        assert_eq!(r(vec![PathKey::Key("zz".into())]).lookup(&doc), None);
        let gt = JsonPred::Cmp {
            op: CmpOp::Gt,
            value: json!(3),
        };
        assert!(gt.matches(ab.lookup(&doc)));
        assert!(!gt.matches(None));
        assert!(!gt.matches(Some(&json!("9"))));
        let ne = JsonPred::Cmp {
            op: CmpOp::Ne,
            value: json!("red"),
        };
        assert!(ne.matches(None) && ne.matches(Some(&json!(1))));
        assert!(!ne.matches(Some(&json!("red"))));
        assert!(equal(&json!(3), &json!(3.0)));
        assert!(!equal(&json!(3), &json!("3")));
        let any = JsonPred::Contains {
            mode: Contains::Any,
            values: vec![json!(7), json!("x")],
        };
        let all = JsonPred::Contains {
            mode: Contains::All,
            values: vec![json!(1), json!(7)],
        };
        let arr = doc.get("arr");
        assert!(any.matches(arr) && !all.matches(arr));
        assert_eq!(array_length(arr), Some(3));
        assert_eq!(array_length(doc.get("s")), None);
    }
}
