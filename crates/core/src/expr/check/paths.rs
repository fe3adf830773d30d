//! The checker's JSON and ARRAY part: paths into JSON and ARRAY fields (and
//! into `$meta`, where dynamic keys live), comparisons of a path with a
//! constant, and the `json_contains*` / `array_contains*` / `array_length` calls.

use super::*;

impl Checker<'_> {
    /// `name[…]…`: a path into a JSON field, into `$meta` (`$meta["k"]`, or a
    /// name the schema lacks when dynamic fields are on), as Milvus resolves it.
    pub(super) fn json_path(
        &mut self,
        name: &str,
        path: &[PathKey],
        position: usize,
    ) -> Result<Typed> {
        let (field, mut full) = match self.schema.field(name) {
            Some(f) if f.data_type == DataType::Json => (f.name.clone(), Vec::new()),
            Some(f) if f.data_type == DataType::Array => {
                if path.iter().any(|p| matches!(p, PathKey::Key(_))) {
                    return Err(self.src.invalid(
                        position,
                        "can only access array field with integer index".into(),
                    ));
                }
                (f.name.clone(), Vec::new())
            }
            Some(f) => {
                return Err(self.src.invalid(
                    position,
                    format!(
                        "{} data type not supported accessed with []",
                        f.data_type.name()
                    ),
                ));
            }
            None => match self.schema.dynamic_field() {
                Some(meta) => (meta.name.clone(), vec![PathKey::Key(name.to_owned())]),
                None => return Err(self.unknown(name, position)),
            },
        };
        self.read(&field);
        full.extend_from_slice(path);
        Ok(Typed::Json(JsonRef { field, path: full }))
    }

    /// `json_contains*(path, value)`, `array_contains*(path, value)`,
    /// `array_length(path)`.
    pub(super) fn call(&mut self, func: Func, args: &[Ast], ast: &Ast) -> Result<Typed> {
        let arity = if func == Func::ArrayLength { 1 } else { 2 };
        if args.len() != arity {
            return Err(self.src.invalid(
                ast.start,
                format!(
                    "{} takes {arity} argument(s), got {}",
                    func.name(),
                    args.len()
                ),
            ));
        }
        let r = match self.check(&args[0])? {
            Typed::Json(r) => r,
            other => {
                let what = if func == Func::ArrayLength {
                    "array_length operation are only supported on json or array fields now"
                } else {
                    "contains operation are only supported on json or array fields now"
                };
                return Err(self
                    .src
                    .invalid(args[0].start, format!("{what}, got: {}", other.type_name())));
            }
        };
        if func == Func::ArrayLength {
            return Ok(Typed::Num(Num::JsonLength(r), "Int64"));
        }
        let arg = self.check(&args[1])?;
        let mode = match func {
            Func::JsonContains | Func::ArrayContains => Contains::One,
            Func::JsonContainsAll | Func::ArrayContainsAll => Contains::All,
            _ => Contains::Any,
        };
        let values = match (mode, arg) {
            (Contains::One, t) => vec![t.json_value()],
            (_, Typed::List(items)) => items.into_iter().map(Some).collect(),
            (m, _) => {
                let name = if m == Contains::All {
                    "contains_all"
                } else {
                    "contains_any"
                };
                return Err(self.src.invalid(
                    args[1].start,
                    format!("{name} operation element must be an array"),
                ));
            }
        };
        let values: Option<Vec<Value>> = values.into_iter().collect();
        let values = values.ok_or_else(|| {
            self.src.invalid(
                args[1].start,
                format!(
                    "the value of a contains operation must be a constant: {}",
                    self.src.compact(args[1].start, args[1].end)
                ),
            )
        })?;
        Ok(Typed::Pred(Pred::Json {
            r,
            test: JsonPred::Contains { mode, values },
        }))
    }

    /// `path op constant`.
    pub(super) fn json_cmp(&self, r: JsonRef, op: CmpOp, c: &Typed, pos: usize) -> Result<Pred> {
        let is_array = self
            .schema
            .field(&r.field)
            .is_some_and(|f| f.data_type == DataType::Array);
        let whole_array =
            is_array && matches!(c, Typed::List(_)) && matches!(op, CmpOp::Eq | CmpOp::Ne);
        if r.path.is_empty() && !whole_array {
            return Err(self
                .src
                .invalid(pos, "can not comparisons jsonField directly".into()));
        }
        let value = c.json_value().expect("a constant");
        if !matches!(op, CmpOp::Eq | CmpOp::Ne) && (value.is_boolean() || value.is_array()) {
            return Err(self.src.invalid(
                pos,
                format!(
                    "'{}' is not supported between JSON and {}; use == or !=",
                    op.symbol(),
                    c.type_name()
                ),
            ));
        }
        Ok(Pred::Json {
            r,
            test: JsonPred::Cmp { op, value },
        })
    }
}
