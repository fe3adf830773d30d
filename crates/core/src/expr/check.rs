//! The type checker: resolves fields against the schema, applies Milvus's typing
//! rules, folds constants, and produces the typed tree `eval` runs.

use serde_json::Value;

use super::eval::Pattern;
use super::json::{Contains, JsonPred, JsonRef};
use super::lexer::{Func, PathKey};
use super::parser::{ArithOp, Ast, CmpOp, Kind, Source};

mod paths;
use crate::error::{Error, Result};
use crate::schema::{CollectionSchema, DataType};

/// A boolean expression over rows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Pred {
    Const(bool),
    /// A bare Bool field.
    Field(String),
    Not(Box<Pred>),
    And(Box<Pred>, Box<Pred>),
    Or(Box<Pred>, Box<Pred>),
    /// `l == r` between boolean expressions (`l != r` when `ne`).
    BoolEq {
        l: Box<Pred>,
        r: Box<Pred>,
        ne: bool,
    },
    /// At most `r` is a constant (constants are moved to the right).
    Cmp {
        l: Num,
        op: CmpOp,
        r: Num,
    },
    StrCmp {
        field: String,
        op: CmpOp,
        r: Str,
    },
    /// Sorted, deduplicated sets.
    InInt {
        v: Num,
        set: Vec<i64>,
        negated: bool,
    },
    /// Sorted by `total_cmp`, no NaN, no -0.0.
    InFloat {
        v: Num,
        set: Vec<f64>,
        negated: bool,
    },
    InStr {
        field: String,
        set: Vec<String>,
        negated: bool,
    },
    Like {
        field: String,
        pattern: Pattern,
    },
    /// A predicate on the value a JSON path reaches.
    Json {
        r: JsonRef,
        test: JsonPred,
    },
    /// `field is null` (`is not null` when `negated`).
    IsNull {
        field: String,
        negated: bool,
    },
}

/// A numeric expression over rows: integer (i64, wrapping) or floating (f64).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Num {
    Int(i64),
    Float(f64),
    Field {
        name: String,
        ty: DataType,
    },
    Neg(Box<Num>),
    Arith {
        op: ArithOp,
        l: Box<Num>,
        r: Box<Num>,
    },
    /// `array_length(path)`: undefined where the path reaches no array.
    JsonLength(JsonRef),
}

impl Num {
    pub fn is_float(&self) -> bool {
        match self {
            Num::Int(_) | Num::JsonLength(_) => false,
            Num::Float(_) => true,
            Num::Field { ty, .. } => !ty.is_integer(),
            Num::Neg(x) => x.is_float(),
            Num::Arith { l, r, .. } => l.is_float() || r.is_float(),
        }
    }

    fn is_const(&self) -> bool {
        matches!(self, Num::Int(_) | Num::Float(_))
    }

    fn as_f64(&self) -> f64 {
        match self {
            Num::Int(v) => *v as f64,
            Num::Float(v) => *v,
            _ => f64::NAN,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Str {
    Const(String),
    Field(String),
}

fn not(p: Pred) -> Pred {
    match p {
        Pred::Const(b) => Pred::Const(!b),
        Pred::Not(x) => *x,
        p => Pred::Not(Box::new(p)),
    }
}

/// Checks `ast` against `schema`: the typed tree and the fields it reads.
pub(super) fn check(
    src: &Source,
    ast: &Ast,
    schema: &CollectionSchema,
) -> Result<(Pred, Vec<String>)> {
    let mut checker = Checker {
        src,
        schema,
        fields: Vec::new(),
    };
    match checker.check(ast)? {
        Typed::Pred(p) => Ok((p, checker.fields)),
        other => Err(src.invalid(
            ast.start,
            format!(
                "predicate is not a boolean expression: {}, data type: {}",
                src.text,
                other.type_name()
            ),
        )),
    }
}

enum Typed {
    Pred(Pred),
    /// With Milvus's name of its type (for messages).
    Num(Num, &'static str),
    Str(Str),
    /// A FloatVector field: usable nowhere in a filter.
    Vector,
    /// A JSON field, or a path into one (dynamic keys are paths into `$meta`).
    Json(JsonRef),
    /// A list of constants `[1, "a", [2]]`.
    List(Vec<Value>),
}

impl Typed {
    fn type_name(&self) -> &'static str {
        match self {
            Typed::Pred(_) => "Bool",
            Typed::Num(_, t) => t,
            Typed::Str(_) => "VarChar",
            Typed::Vector => "FloatVector",
            Typed::Json(_) => "JSON",
            Typed::List(_) => "Array",
        }
    }

    fn is_const(&self) -> bool {
        match self {
            Typed::Pred(p) => matches!(p, Pred::Const(_)),
            Typed::Num(n, _) => n.is_const(),
            Typed::Str(s) => matches!(s, Str::Const(_)),
            Typed::Vector | Typed::Json(_) => false,
            Typed::List(_) => true,
        }
    }

    /// A constant as a JSON value (None for what is not a constant).
    fn json_value(&self) -> Option<Value> {
        Some(match self {
            Typed::Num(Num::Int(v), _) => Value::from(*v),
            Typed::Num(Num::Float(v), _) => Value::from(*v),
            Typed::Str(Str::Const(s)) => Value::from(s.as_str()),
            Typed::Pred(Pred::Const(b)) => Value::from(*b),
            Typed::List(items) => Value::Array(items.clone()),
            _ => return None,
        })
    }

    /// A constant as Milvus prints a `GenericValue` (`int_val:1`, `float_val:1.5`).
    fn milvus_value(&self) -> String {
        match self {
            Typed::Num(Num::Int(v), _) => format!("int_val:{v}"),
            Typed::Num(Num::Float(v), _) => format!("float_val:{}", go_float(*v)),
            Typed::Str(Str::Const(s)) => format!("string_val:{s:?}"),
            Typed::Pred(Pred::Const(b)) => format!("bool_val:{b}"),
            _ => String::new(),
        }
    }
}

/// Formats like Go's `strconv.FormatFloat(v, 'g', -1, 64)` (as protobuf's text
/// format, hence Milvus, prints doubles): `1.5`, `1e+20`, `1e-05`.
pub(crate) fn go_float(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.into();
    }
    let sci = format!("{:e}", v.abs());
    let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let exp: i32 = exp.parse().expect("{:e} exponent is an integer");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if v.is_sign_negative() { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{dot}{rest}e{esign}{:02}", exp.abs());
    }
    if exp < 0 {
        return format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize));
    }
    let int_len = exp as usize + 1;
    if digits.len() <= int_len {
        format!("{sign}{digits}{}", "0".repeat(int_len - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
    }
}

/// Rank of numeric types, for the type of arithmetic results in messages.
fn rank(t: &str) -> u8 {
    match t {
        "Int32" => 0,
        "Int64" => 1,
        "Float" => 2,
        _ => 3,
    }
}

struct Checker<'s> {
    src: &'s Source<'s>,
    schema: &'s CollectionSchema,
    fields: Vec<String>,
}

impl Checker<'_> {
    fn check(&mut self, ast: &Ast) -> Result<Typed> {
        Ok(match &ast.kind {
            Kind::Int(v) => match v.and_then(|v| i64::try_from(v).ok()) {
                Some(v) => Typed::Num(Num::Int(v), "Int64"),
                None => return Err(self.out_of_range(ast)),
            },
            Kind::Float(v) if v.is_finite() => Typed::Num(Num::Float(*v), "Double"),
            Kind::Float(_) => return Err(self.out_of_range(ast)),
            Kind::Str(s) => Typed::Str(Str::Const(s.clone())),
            Kind::Bool(b) => Typed::Pred(Pred::Const(*b)),
            Kind::Ident(name) => self.field(name, ast.start)?,
            Kind::JsonPath { field, path } => self.json_path(field, path, ast.start)?,
            Kind::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    let t = self.check(item)?;
                    values.push(t.json_value().ok_or_else(|| {
                        self.src.invalid(
                            item.start,
                            format!(
                                "value '{}' in list cannot be a non-const expression",
                                self.src.compact(item.start, item.end)
                            ),
                        )
                    })?);
                }
                Typed::List(values)
            }
            Kind::Exists(x) => match self.check(x)? {
                Typed::Json(r) => Typed::Pred(Pred::Json {
                    r,
                    test: JsonPred::Exists,
                }),
                other => {
                    return Err(self.src.invalid(
                        ast.op,
                        format!(
                            "exists operations are only supported on single json field, got:{}",
                            other.type_name()
                        ),
                    ));
                }
            },
            Kind::Call { func, args } => self.call(*func, args, ast)?,
            Kind::IsNull { operand, negated } => {
                let field = match &operand.kind {
                    Kind::Ident(name) if self.schema.field(name).is_some() => name.clone(),
                    _ => {
                        return Err(self.src.invalid(
                            ast.op,
                            format!(
                                "is null operations are only supported on fields, got: {}",
                                self.src.compact(operand.start, operand.end)
                            ),
                        ));
                    }
                };
                self.read(&field);
                Typed::Pred(Pred::IsNull {
                    field,
                    negated: *negated,
                })
            }
            Kind::Neg(x) => {
                if let Kind::Int(Some(v)) = x.kind
                    && v == 1 << 63
                {
                    return Ok(Typed::Num(Num::Int(i64::MIN), "Int64"));
                }
                match self.check(x)? {
                    Typed::Num(Num::Int(v), t) => Typed::Num(Num::Int(v.wrapping_neg()), t),
                    Typed::Num(Num::Float(v), t) => Typed::Num(Num::Float(-v), t),
                    Typed::Num(n, t) => Typed::Num(Num::Neg(Box::new(n)), t),
                    other => return Err(self.not_numeric("-", x, &other)),
                }
            }
            Kind::Plus(x) => match self.check(x)? {
                n @ Typed::Num(..) => n,
                other => return Err(self.not_numeric("+", x, &other)),
            },
            Kind::Not(x) => match self.check(x)? {
                Typed::Pred(p) => Typed::Pred(not(p)),
                other => {
                    return Err(self.src.invalid(
                        ast.op,
                        format!(
                            "'not' can only be applied to a boolean expression, but {} is {}; \
                             'not' binds tighter than comparisons, so write not (a > b)",
                            self.src.compact(x.start, x.end),
                            other.type_name()
                        ),
                    ));
                }
            },
            Kind::Arith(op, l, r) => {
                let (l, r) = (self.check(l)?, self.check(r)?);
                self.arith(*op, l, r, ast.op)?
            }
            Kind::Pow(l, r) => match (self.check(l)?, self.check(r)?) {
                (Typed::Num(a, _), Typed::Num(b, _)) if a.is_const() && b.is_const() => {
                    Typed::Num(Num::Float(a.as_f64().powf(b.as_f64())), "Double")
                }
                _ => {
                    return Err(self.src.invalid(
                        ast.op,
                        format!(
                            "power can only apply on constants: {}",
                            self.src.compact(ast.start, ast.end)
                        ),
                    ));
                }
            },
            Kind::Cmp(op, l, r) => {
                let (lt, rt) = (self.check(l)?, self.check(r)?);
                Typed::Pred(self.compare(*op, lt, rt, ast.op, l.start, r.start)?)
            }
            Kind::Logic(and, l, r) => match (self.check(l)?, self.check(r)?) {
                (Typed::Pred(a), Typed::Pred(b))
                    if !matches!(a, Pred::Const(_)) && !matches!(b, Pred::Const(_)) =>
                {
                    let (a, b) = (Box::new(a), Box::new(b));
                    Typed::Pred(if *and {
                        Pred::And(a, b)
                    } else {
                        Pred::Or(a, b)
                    })
                }
                _ => {
                    let name = if *and { "and" } else { "or" };
                    return Err(self.src.invalid(
                        ast.op,
                        format!("'{name}' can only be used between boolean expressions"),
                    ));
                }
            },
            Kind::In {
                operand,
                items,
                negated,
            } => Typed::Pred(self.membership(operand, items, *negated, ast.op)?),
            Kind::Like { operand, pattern } => {
                let pattern = Pattern::parse(pattern);
                match self.check(operand)? {
                    Typed::Str(Str::Field(field)) => Typed::Pred(Pred::Like { field, pattern }),
                    Typed::Json(r) => Typed::Pred(Pred::Json {
                        r,
                        test: JsonPred::Like(pattern),
                    }),
                    Typed::Str(Str::Const(s)) => Typed::Pred(Pred::Const(pattern.matches(&s))),
                    other => {
                        return Err(self.src.invalid(
                            ast.op,
                            format!(
                                "like can only be applied to a VarChar field, but {} is {}",
                                self.src.compact(operand.start, operand.end),
                                other.type_name()
                            ),
                        ));
                    }
                }
            }
        })
    }

    fn out_of_range(&self, ast: &Ast) -> Error {
        let (what, range) = match ast.kind {
            Kind::Int(_) => (
                "integer",
                "Int64 holds -9223372036854775808 ..= 9223372036854775807",
            ),
            _ => (
                "floating-point",
                "Double holds magnitudes up to 1.7976931348623157e308",
            ),
        };
        self.src.invalid(
            ast.start,
            format!(
                "{what} literal {} is out of range: {range}",
                self.src.compact(ast.start, ast.end)
            ),
        )
    }

    fn not_numeric(&self, op: &str, x: &Ast, t: &Typed) -> Error {
        self.src.invalid(
            x.start,
            format!(
                "unary '{op}' can only be applied to integer or floating expressions, but {} is {}",
                self.src.compact(x.start, x.end),
                t.type_name()
            ),
        )
    }

    fn field(&mut self, name: &str, position: usize) -> Result<Typed> {
        let Some(f) = self.schema.field(name) else {
            // With dynamic fields, an unknown name is a key of `$meta`.
            return match self.schema.dynamic_field() {
                Some(meta) => {
                    let field = meta.name.clone();
                    self.read(&field);
                    Ok(Typed::Json(JsonRef {
                        field,
                        path: vec![PathKey::Key(name.to_owned())],
                    }))
                }
                None => Err(self.unknown(name, position)),
            };
        };
        self.read(name);
        let name = name.to_owned();
        Ok(match f.data_type {
            DataType::Bool => Typed::Pred(Pred::Field(name)),
            DataType::VarChar => Typed::Str(Str::Field(name)),
            DataType::FloatVector => Typed::Vector,
            DataType::Json | DataType::Array => Typed::Json(JsonRef {
                field: name,
                path: Vec::new(),
            }),
            DataType::Float16Vector | DataType::BFloat16Vector | DataType::BinaryVector => {
                Typed::Vector
            }
            ty => Typed::Num(Num::Field { name, ty }, ty.name()),
        })
    }

    fn unknown(&self, name: &str, position: usize) -> Error {
        Error::FilterUnknownField {
            expr: self.src.text.to_owned(),
            position,
            field: name.to_owned(),
        }
    }

    /// Notes that the expression reads `field`.
    fn read(&mut self, field: &str) {
        if !self.fields.iter().any(|n| n == field) {
            self.fields.push(field.to_owned());
        }
    }

    fn arith(&self, op: ArithOp, l: Typed, r: Typed, pos: usize) -> Result<Typed> {
        let (Typed::Num(a, at), Typed::Num(b, bt)) = (l, r) else {
            return Err(self.src.invalid(
                pos,
                format!(
                    "'{}' can only be used between integer or floating expressions",
                    op.name()
                ),
            ));
        };
        let name = match (a.is_const(), b.is_const()) {
            (false, true) if a.is_float() == b.is_float() => at,
            (true, false) if a.is_float() == b.is_float() => bt,
            _ if rank(at) >= rank(bt) => at,
            _ => bt,
        };
        let folded = match (&a, &b) {
            (Num::Int(x), Num::Int(y)) => {
                let (x, y) = (*x, *y);
                if y == 0 && matches!(op, ArithOp::Div | ArithOp::Mod) {
                    return Err(self.src.invalid(
                        pos,
                        format!(
                            "division by zero in the constant expression {x} {} {y}",
                            if op == ArithOp::Div { "/" } else { "%" }
                        ),
                    ));
                }
                Num::Int(match op {
                    ArithOp::Add => x.wrapping_add(y),
                    ArithOp::Sub => x.wrapping_sub(y),
                    ArithOp::Mul => x.wrapping_mul(y),
                    ArithOp::Div => x.wrapping_div(y),
                    ArithOp::Mod => x.wrapping_rem(y),
                })
            }
            (x, y) if x.is_const() && y.is_const() => {
                let (x, y) = (x.as_f64(), y.as_f64());
                Num::Float(match op {
                    ArithOp::Add => x + y,
                    ArithOp::Sub => x - y,
                    ArithOp::Mul => x * y,
                    ArithOp::Div => x / y,
                    ArithOp::Mod => x % y,
                })
            }
            _ => Num::Arith {
                op,
                l: Box::new(a),
                r: Box::new(b),
            },
        };
        Ok(Typed::Num(folded, name))
    }

    fn compare(
        &self,
        op: CmpOp,
        l: Typed,
        r: Typed,
        pos: usize,
        lpos: usize,
        rpos: usize,
    ) -> Result<Pred> {
        Ok(match (l, r) {
            (Typed::Num(a, at), Typed::Num(b, bt)) => match (a.is_const(), b.is_const()) {
                (true, true) => Pred::Const(match (&a, &b) {
                    (Num::Int(x), Num::Int(y)) => op.test(x, y),
                    _ => op.test(&a.as_f64(), &b.as_f64()),
                }),
                (false, true) => {
                    let r = self.adapt(&b, &a, at, rpos)?;
                    Pred::Cmp { l: a, op, r }
                }
                (true, false) => {
                    let c = self.adapt(&a, &b, bt, lpos)?;
                    Pred::Cmp {
                        l: b,
                        op: op.flip(),
                        r: c,
                    }
                }
                (false, false) => Pred::Cmp { l: a, op, r: b },
            },
            (Typed::Str(a), Typed::Str(b)) => match (a, b) {
                (Str::Const(x), Str::Const(y)) => Pred::Const(op.test(x.as_str(), y.as_str())),
                (Str::Field(field), r) => Pred::StrCmp { field, op, r },
                (c @ Str::Const(_), Str::Field(field)) => Pred::StrCmp {
                    field,
                    op: op.flip(),
                    r: c,
                },
            },
            (Typed::Pred(a), Typed::Pred(b)) => {
                let ne = match op {
                    CmpOp::Eq => false,
                    CmpOp::Ne => true,
                    _ => {
                        return Err(self.src.invalid(
                            pos,
                            format!(
                                "'{}' is not supported between boolean expressions; use == or !=",
                                op.symbol()
                            ),
                        ));
                    }
                };
                match (a, b) {
                    (Pred::Const(x), Pred::Const(y)) => Pred::Const((x == y) != ne),
                    (p, Pred::Const(c)) | (Pred::Const(c), p) => {
                        if c != ne {
                            p
                        } else {
                            not(p)
                        }
                    }
                    (l, r) => Pred::BoolEq {
                        l: Box::new(l),
                        r: Box::new(r),
                        ne,
                    },
                }
            }
            (Typed::Json(r), c) if c.is_const() => self.json_cmp(r, op, &c, pos)?,
            (c, Typed::Json(r)) if c.is_const() => self.json_cmp(r, op.flip(), &c, pos)?,
            (l, r) => {
                return Err(Error::FilterTypeMismatch {
                    expr: self.src.text.to_owned(),
                    position: pos,
                    left: l.type_name(),
                    right: r.type_name(),
                });
            }
        })
    }

    /// Converts the constant `c` to the type of `target` (named `tname`), as Milvus
    /// casts a constant to its field's type. Integral floats become integers (Milvus
    /// refuses even those); constants compared with a Float field are rounded to f32,
    /// as Milvus compares in the field's precision.
    fn adapt(&self, c: &Num, target: &Num, tname: &'static str, pos: usize) -> Result<Num> {
        if !target.is_float() {
            return match *c {
                Num::Float(f) if f.fract() != 0.0 || !(-9.2e18..9.2e18).contains(&f) => {
                    Err(Error::FilterCannotCast {
                        expr: self.src.text.to_owned(),
                        position: pos,
                        target: tname,
                        value: format!("float_val:{}", go_float(f)),
                    })
                }
                Num::Float(f) => Ok(Num::Int(f as i64)),
                ref c => Ok(c.clone()),
            };
        }
        let f = c.as_f64();
        Ok(Num::Float(match target {
            Num::Field {
                ty: DataType::Float,
                ..
            } => f as f32 as f64,
            _ => f,
        }))
    }

    fn membership(
        &mut self,
        operand: &Ast,
        items: &[Ast],
        negated: bool,
        pos: usize,
    ) -> Result<Pred> {
        let v = self.check(operand)?;
        let mut consts = Vec::with_capacity(items.len());
        for item in items {
            let t = self.check(item)?;
            if !t.is_const() {
                return Err(self.src.invalid(
                    item.start,
                    format!(
                        "value '{}' in list cannot be a non-const expression",
                        self.src.compact(item.start, item.end)
                    ),
                ));
            }
            consts.push((t, item.start));
        }
        let cast = |t: &Typed, target: &'static str, position: usize| Error::FilterCannotCast {
            expr: self.src.text.to_owned(),
            position,
            target,
            value: t.milvus_value(),
        };
        let tname = v.type_name();
        let pred = match v {
            Typed::Num(n, _) => {
                let mut nums = Vec::with_capacity(consts.len());
                for (t, p) in &consts {
                    match t {
                        Typed::Num(c, _) => nums.push(self.adapt(c, &n, tname, *p)?),
                        other => return Err(cast(other, tname, *p)),
                    }
                }
                if n.is_const() {
                    let x = self.adapt(&n, &n, tname, pos)?;
                    Pred::Const(nums.contains(&x))
                } else if n.is_float() {
                    let mut set: Vec<f64> = nums
                        .iter()
                        .map(|c| c.as_f64())
                        .filter(|f| !f.is_nan())
                        .map(|f| if f == 0.0 { 0.0 } else { f })
                        .collect();
                    set.sort_by(f64::total_cmp);
                    set.dedup();
                    Pred::InFloat {
                        v: n,
                        set,
                        negated: false,
                    }
                } else {
                    let mut set: Vec<i64> = nums
                        .iter()
                        .map(|c| match c {
                            Num::Int(i) => *i,
                            _ => unreachable!("adapt gives integers for integer targets"),
                        })
                        .collect();
                    set.sort_unstable();
                    set.dedup();
                    Pred::InInt {
                        v: n,
                        set,
                        negated: false,
                    }
                }
            }
            Typed::Str(s) => {
                let mut set = Vec::with_capacity(consts.len());
                for (t, p) in &consts {
                    match t {
                        Typed::Str(Str::Const(c)) => set.push(c.clone()),
                        other => return Err(cast(other, tname, *p)),
                    }
                }
                match s {
                    Str::Const(c) => Pred::Const(set.contains(&c)),
                    Str::Field(field) => {
                        set.sort_unstable();
                        set.dedup();
                        Pred::InStr {
                            field,
                            set,
                            negated: false,
                        }
                    }
                }
            }
            Typed::Pred(p) => {
                let (mut has_true, mut has_false) = (false, false);
                for (t, pos) in &consts {
                    match t {
                        Typed::Pred(Pred::Const(true)) => has_true = true,
                        Typed::Pred(Pred::Const(false)) => has_false = true,
                        other => return Err(cast(other, tname, *pos)),
                    }
                }
                match (p, has_true, has_false) {
                    (Pred::Const(c), _, _) => Pred::Const(if c { has_true } else { has_false }),
                    (p, true, false) => p,
                    (p, false, true) => not(p),
                    // Always / never: kept row-dependent so it may stand beside `and`.
                    (p, true, true) => Pred::Or(Box::new(p.clone()), Box::new(not(p))),
                    (p, false, false) => Pred::And(Box::new(p.clone()), Box::new(not(p))),
                }
            }
            Typed::Json(r) => Pred::Json {
                r,
                test: JsonPred::In {
                    set: consts
                        .iter()
                        .map(|(t, _)| t.json_value().expect("checked constant"))
                        .collect(),
                },
            },
            Typed::List(_) => {
                return Err(self.src.invalid(
                    operand.start,
                    "the left side of 'in' cannot be a list".into(),
                ));
            }
            Typed::Vector => {
                return Err(match consts.first() {
                    Some((t, p)) => cast(t, "FloatVector", *p),
                    None => self.src.invalid(
                        operand.start,
                        "a FloatVector field cannot be used in a filter expression".into(),
                    ),
                });
            }
        };
        Ok(if !negated {
            pred
        } else {
            match pred {
                Pred::InInt { v, set, .. } => Pred::InInt { v, set, negated },
                Pred::InFloat { v, set, .. } => Pred::InFloat { v, set, negated },
                Pred::InStr { field, set, .. } => Pred::InStr {
                    field,
                    set,
                    negated,
                },
                p => not(p),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn go_float_matches_strconv() {
        let cases = [
            (1.5, "1.5"),
            (2.0, "2"),
            (-0.25, "-0.25"),
            (1e20, "1e+20"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (999999.0, "999999"),
            (123456.5, "123456.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.25e-7, "1.25e-07"),
            (0.0, "0"),
        ];
        for (v, want) in cases {
            assert_eq!(go_float(v), want, "{v}");
        }
    }
}
