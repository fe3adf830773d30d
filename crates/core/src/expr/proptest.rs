//! Property test: random expression trees over a small schema, printed, parsed
//! and evaluated, against a direct row-by-row evaluation of the tree.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::expr::parse;
use crate::expr::tests::Table;
use crate::schema::{CollectionSchema, Column, DataType, FieldSchema};

const OPS: [&str; 6] = ["==", "!=", "<", "<=", ">", ">="];
const NUM_FIELDS: [&str; 4] = ["i", "j", "f", "d"];
const ALPHABET: [char; 10] = ['a', 'b', 'c', '%', '_', '\'', '"', '\\', ' ', 'é'];

fn test_op<T: PartialOrd>(op: usize, a: T, b: T) -> bool {
    [a == b, a != b, a < b, a <= b, a > b, a >= b][op]
}

#[derive(Clone, Copy)]
enum V {
    I(i64),
    F(f64),
}

impl V {
    fn f(self) -> f64 {
        match self {
            V::I(v) => v as f64,
            V::F(v) => v,
        }
    }
}

#[derive(Debug, Clone)]
enum N {
    Int(i64),
    Float(f64),
    Field(&'static str),
    Neg(Box<N>),
    Bin(char, Box<N>, Box<N>),
}

impl N {
    fn is_const(&self) -> bool {
        match self {
            N::Int(_) | N::Float(_) => true,
            N::Field(_) => false,
            N::Neg(x) => x.is_const(),
            N::Bin(_, a, b) => a.is_const() && b.is_const(),
        }
    }

    fn is_float(&self) -> bool {
        match self {
            N::Int(_) => false,
            N::Float(_) => true,
            N::Field(f) => matches!(*f, "f" | "d"),
            N::Neg(x) => x.is_float(),
            N::Bin(_, a, b) => a.is_float() || b.is_float(),
        }
    }

    fn print(&self) -> String {
        match self {
            N::Int(v) if *v < 0 => format!("({v})"),
            N::Int(v) => v.to_string(),
            N::Float(v) if v.is_sign_negative() => format!("(-{:?})", -v),
            N::Float(v) => format!("{v:?}"),
            N::Field(f) => f.to_string(),
            N::Neg(x) => format!("(-{})", x.print()),
            N::Bin(op, a, b) => format!("({} {op} {})", a.print(), b.print()),
        }
    }

    /// The value on row `r`; `None` where an integer division by zero happened.
    fn eval(&self, r: usize, d: &Data) -> Option<V> {
        Some(match self {
            N::Int(v) => V::I(*v),
            N::Float(v) => V::F(*v),
            N::Field("i") => V::I(d.i[r]),
            N::Field("j") => V::I(i64::from(d.j[r])),
            N::Field("f") => V::F(f64::from(d.f[r])),
            N::Field(_) => V::F(d.d[r]),
            N::Neg(x) => match x.eval(r, d)? {
                V::I(v) => V::I(v.wrapping_neg()),
                V::F(v) => V::F(-v),
            },
            N::Bin(op, a, b) => match (a.eval(r, d)?, b.eval(r, d)?) {
                (V::I(x), V::I(y)) => V::I(match op {
                    '+' => x.wrapping_add(y),
                    '-' => x.wrapping_sub(y),
                    '*' => x.wrapping_mul(y),
                    _ if y == 0 => return None,
                    '/' => x.wrapping_div(y),
                    _ => x.wrapping_rem(y),
                }),
                (x, y) => {
                    let (x, y) = (x.f(), y.f());
                    V::F(match op {
                        '+' => x + y,
                        '-' => x - y,
                        '*' => x * y,
                        '/' => x / y,
                        _ => x % y,
                    })
                }
            },
        })
    }
}

/// `c` as the checker converts a constant compared with `other`: rounded to f32
/// against the bare Float field `f`.
fn adapt(c: V, other: &N) -> V {
    match other {
        N::Field("f") => V::F(c.f() as f32 as f64),
        _ => c,
    }
}

fn cmp_values(op: usize, a: V, b: V) -> bool {
    match (a, b) {
        (V::I(x), V::I(y)) => test_op(op, x, y),
        _ => test_op(op, a.f(), b.f()),
    }
}

/// Compares `a op b` as the engine does (constants adapted to the other side).
fn cmp_nums(a: &N, op: usize, b: &N, r: usize, d: &Data) -> bool {
    let (Some(mut x), Some(mut y)) = (a.eval(r, d), b.eval(r, d)) else {
        return false;
    };
    if b.is_const() {
        y = adapt(y, a);
    }
    if a.is_const() {
        x = adapt(x, b);
    }
    cmp_values(op, x, y)
}

#[derive(Debug, Clone)]
enum S {
    Const(String, char),
    Field(&'static str),
}

fn quote(s: &str, q: char) -> String {
    let mut out = String::from(q);
    for c in s.chars() {
        if c == '\\' || c == q {
            out.push('\\');
        }
        out.push(c);
    }
    out.push(q);
    out
}

impl S {
    fn print(&self) -> String {
        match self {
            S::Const(s, q) => quote(s, *q),
            S::Field(f) => f.to_string(),
        }
    }

    fn eval<'a>(&'a self, r: usize, d: &'a Data) -> &'a str {
        match self {
            S::Const(s, _) => s,
            S::Field("s") => &d.s[r],
            S::Field(_) => &d.t[r],
        }
    }
}

/// A `like` pattern element: `None` is `%`.
type Pat = Vec<Option<char>>;

fn like(p: &[Option<char>], s: &[char]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some((None, rest)) => (0..=s.len()).any(|k| like(rest, &s[k..])),
        Some((Some(c), rest)) => s.first() == Some(c) && like(rest, &s[1..]),
    }
}

#[derive(Debug, Clone)]
enum P {
    Field(&'static str),
    Not(Box<P>, bool),
    And(Box<P>, Box<P>, bool),
    Or(Box<P>, Box<P>, bool),
    BoolEq(Box<P>, bool, Box<P>),
    BoolEqConst(Box<P>, bool, bool, bool),
    Cmp(N, usize, N),
    Range(N, usize, &'static str, usize, N),
    StrCmp(S, usize, S),
    InNum(N, Vec<N>, bool),
    InStr(&'static str, Vec<(String, char)>, bool),
    Like(&'static str, Pat, char),
}

impl P {
    fn print(&self) -> String {
        let pick = |alt: bool, a: &'static str, b: &'static str| if alt { a } else { b };
        let list = |items: Vec<String>| items.join(", ");
        match self {
            P::Field(f) => f.to_string(),
            P::Not(x, alt) => format!("({}({}))", pick(*alt, "!", "not "), x.print()),
            P::And(a, b, alt) => {
                format!("({} {} {})", a.print(), pick(*alt, "&&", "and"), b.print())
            }
            P::Or(a, b, alt) => {
                format!("({} {} {})", a.print(), pick(*alt, "||", "or"), b.print())
            }
            P::BoolEq(a, ne, b) => {
                format!("({} {} {})", a.print(), pick(*ne, "!=", "=="), b.print())
            }
            P::BoolEqConst(p, ne, c, first) => {
                let op = pick(*ne, "!=", "==");
                if *first {
                    format!("({c} {op} {})", p.print())
                } else {
                    format!("({} {op} {c})", p.print())
                }
            }
            P::Cmp(a, op, b) => format!("({} {} {})", a.print(), OPS[*op], b.print()),
            P::Range(lo, op1, f, op2, hi) => {
                format!(
                    "({} {} {f} {} {})",
                    lo.print(),
                    OPS[*op1],
                    OPS[*op2],
                    hi.print()
                )
            }
            P::StrCmp(a, op, b) => format!("({} {} {})", a.print(), OPS[*op], b.print()),
            P::InNum(v, items, neg) => format!(
                "({} {} [{}])",
                v.print(),
                pick(*neg, "not in", "in"),
                list(items.iter().map(N::print).collect())
            ),
            P::InStr(f, items, neg) => format!(
                "({f} {} [{}])",
                pick(*neg, "not in", "in"),
                list(items.iter().map(|(s, q)| quote(s, *q)).collect())
            ),
            P::Like(f, pat, q) => {
                let text: String = pat
                    .iter()
                    .map(|c| match c {
                        None => "%".to_owned(),
                        Some(c @ ('%' | '\\')) => format!("\\{c}"),
                        Some(c) => c.to_string(),
                    })
                    .collect();
                format!("({f} like {})", quote(&text, *q))
            }
        }
    }

    fn eval(&self, r: usize, d: &Data) -> bool {
        match self {
            P::Field("b") => d.b[r],
            P::Field(_) => d.c[r],
            P::Not(x, _) => !x.eval(r, d),
            P::And(a, b, _) => a.eval(r, d) && b.eval(r, d),
            P::Or(a, b, _) => a.eval(r, d) || b.eval(r, d),
            P::BoolEq(a, ne, b) => (a.eval(r, d) == b.eval(r, d)) != *ne,
            P::BoolEqConst(p, ne, c, _) => (p.eval(r, d) == *c) != *ne,
            P::Cmp(a, op, b) => cmp_nums(a, *op, b, r, d),
            P::Range(lo, op1, f, op2, hi) => {
                let field = N::Field(f);
                cmp_nums(lo, *op1, &field, r, d) && cmp_nums(&field, *op2, hi, r, d)
            }
            P::StrCmp(a, op, b) => test_op(*op, a.eval(r, d), b.eval(r, d)),
            P::InNum(v, items, neg) => match v.eval(r, d) {
                None => false,
                Some(x) => {
                    let found = items.iter().any(|c| {
                        let c = adapt(c.eval(r, d).expect("constants are defined"), v);
                        cmp_values(0, x, c)
                    });
                    found != *neg
                }
            },
            P::InStr(f, items, neg) => {
                let s = S::Field(f).eval(r, d).to_owned();
                items.iter().any(|(c, _)| *c == s) != *neg
            }
            P::Like(f, pat, _) => {
                let s: Vec<char> = S::Field(f).eval(r, d).chars().collect();
                like(pat, &s)
            }
        }
    }
}

struct Data {
    i: Vec<i64>,
    j: Vec<i32>,
    f: Vec<f32>,
    d: Vec<f64>,
    s: Vec<String>,
    t: Vec<String>,
    b: Vec<bool>,
    c: Vec<bool>,
}

struct Gen {
    rng: ChaCha8Rng,
}

impl Gen {
    fn int(&mut self) -> i64 {
        match self.rng.random_range(0..40) {
            0 => i64::MAX,
            1 => i64::MIN,
            _ => self.rng.random_range(-6..=20),
        }
    }

    fn float(&mut self) -> f64 {
        const NICE: [f64; 8] = [0.1, 1.5, -2.25, 3.0, 0.0, -0.0, 7.0, 1e1];
        if self.rng.random_bool(0.5) {
            NICE[self.rng.random_range(0..NICE.len())]
        } else {
            self.rng.random_range(-10.0..10.0)
        }
    }

    fn string(&mut self) -> String {
        let len = self.rng.random_range(0..4);
        (0..len)
            .map(|_| ALPHABET[self.rng.random_range(0..ALPHABET.len())])
            .collect()
    }

    fn quote_char(&mut self) -> char {
        if self.rng.random_bool(0.5) { '\'' } else { '"' }
    }

    fn num_field(&mut self) -> &'static str {
        NUM_FIELDS[self.rng.random_range(0..NUM_FIELDS.len())]
    }

    fn num(&mut self, depth: u32) -> N {
        if depth == 0 || self.rng.random_bool(0.4) {
            return match self.rng.random_range(0..6) {
                0..3 => N::Field(self.num_field()),
                3 | 4 => N::Int(self.int()),
                _ => N::Float(self.float()),
            };
        }
        if self.rng.random_bool(0.2) {
            return N::Neg(Box::new(self.num(depth - 1)));
        }
        let (a, b) = (self.num(depth - 1), self.num(depth - 1));
        let mut op = ['+', '-', '*', '/', '%'][self.rng.random_range(0..5)];
        if a.is_const() && b.is_const() && matches!(op, '/' | '%') {
            // Constant division by zero is refused at parse time.
            op = '*';
        }
        N::Bin(op, Box::new(a), Box::new(b))
    }

    fn non_const(&mut self, depth: u32) -> N {
        let n = self.num(depth);
        if n.is_const() {
            N::Field(self.num_field())
        } else {
            n
        }
    }

    /// A constant that may be compared with `other` (integral if `other` is).
    fn constant_for(&mut self, other: &N) -> N {
        let c = if self.rng.random_bool(0.7) {
            if self.rng.random_bool(0.5) {
                N::Int(self.int())
            } else {
                N::Float(self.float())
            }
        } else {
            let mut c = self.num(2);
            while !c.is_const() {
                c = self.num(2);
            }
            c
        };
        if !other.is_float() && c.is_float() {
            N::Int(self.int())
        } else {
            c
        }
    }

    fn pattern(&mut self) -> Pat {
        let len = self.rng.random_range(0..5);
        (0..len)
            .map(|_| {
                if self.rng.random_bool(0.35) {
                    None
                } else {
                    Some(ALPHABET[self.rng.random_range(0..ALPHABET.len())])
                }
            })
            .collect()
    }

    fn leaf(&mut self) -> P {
        let str_field = |g: &mut Gen| if g.rng.random_bool(0.5) { "s" } else { "t" };
        match self.rng.random_range(0..9) {
            0 => P::Field(if self.rng.random_bool(0.5) { "b" } else { "c" }),
            1..3 => {
                let a = self.non_const(2);
                let b = if self.rng.random_bool(0.5) {
                    self.num(2)
                } else {
                    self.constant_for(&a)
                };
                let b = if b.is_const() {
                    self.constant_for(&a)
                } else {
                    b
                };
                let op = self.rng.random_range(0..6);
                if self.rng.random_bool(0.5) {
                    P::Cmp(a, op, b)
                } else {
                    P::Cmp(b, op, a)
                }
            }
            3 => {
                let f = self.num_field();
                let field = N::Field(f);
                let (lo, hi) = (self.constant_for(&field), self.constant_for(&field));
                let (op1, op2) = if self.rng.random_bool(0.5) {
                    (self.rng.random_range(2..4), self.rng.random_range(2..4))
                } else {
                    (self.rng.random_range(4..6), self.rng.random_range(4..6))
                };
                P::Range(lo, op1, f, op2, hi)
            }
            4 => {
                let a = S::Field(str_field(self));
                let b = if self.rng.random_bool(0.3) {
                    S::Field(str_field(self))
                } else {
                    S::Const(self.string(), self.quote_char())
                };
                let op = self.rng.random_range(0..6);
                if self.rng.random_bool(0.5) {
                    P::StrCmp(a, op, b)
                } else {
                    P::StrCmp(b, op, a)
                }
            }
            5 => {
                let v = self.non_const(2);
                let items = (0..self.rng.random_range(0..5))
                    .map(|_| self.constant_for(&v))
                    .collect();
                P::InNum(v, items, self.rng.random_bool(0.3))
            }
            6 => {
                let items = (0..self.rng.random_range(0..4))
                    .map(|_| (self.string(), self.quote_char()))
                    .collect();
                P::InStr(str_field(self), items, self.rng.random_bool(0.3))
            }
            _ => P::Like(str_field(self), self.pattern(), self.quote_char()),
        }
    }

    fn pred(&mut self, depth: u32) -> P {
        if depth == 0 || self.rng.random_bool(0.3) {
            return self.leaf();
        }
        let sub = |g: &mut Gen| Box::new(g.pred(depth - 1));
        let alt = self.rng.random_bool(0.5);
        match self.rng.random_range(0..7) {
            0 => P::Not(sub(self), alt),
            1 | 2 => P::And(sub(self), sub(self), alt),
            3 | 4 => P::Or(sub(self), sub(self), alt),
            5 => P::BoolEq(sub(self), alt, sub(self)),
            _ => {
                let (c, first) = (self.rng.random_bool(0.5), self.rng.random_bool(0.5));
                P::BoolEqConst(sub(self), alt, c, first)
            }
        }
    }

    fn data(&mut self, n: usize) -> Data {
        let special_f = [0.1f32, 1.5, -2.25, 3.0, 0.0, -0.0, 7.0, 10.0, f32::NAN];
        let special_d = [
            0.1,
            1.5,
            -2.25,
            3.0,
            0.0,
            -0.0,
            7.0,
            10.0,
            f64::NAN,
            f64::INFINITY,
        ];
        Data {
            i: (0..n).map(|_| self.int()).collect(),
            j: (0..n)
                .map(|_| match self.rng.random_range(0..40) {
                    0 => i32::MIN,
                    1 => i32::MAX,
                    _ => self.rng.random_range(-6..=20),
                })
                .collect(),
            f: (0..n)
                .map(|_| {
                    if self.rng.random_bool(0.5) {
                        special_f[self.rng.random_range(0..special_f.len())]
                    } else {
                        self.rng.random_range(-10.0..10.0)
                    }
                })
                .collect(),
            d: (0..n)
                .map(|_| {
                    if self.rng.random_bool(0.5) {
                        special_d[self.rng.random_range(0..special_d.len())]
                    } else {
                        self.rng.random_range(-10.0..10.0)
                    }
                })
                .collect(),
            s: (0..n).map(|_| self.string()).collect(),
            t: (0..n).map(|_| self.string()).collect(),
            b: (0..n).map(|_| self.rng.random_bool(0.5)).collect(),
            c: (0..n).map(|_| self.rng.random_bool(0.5)).collect(),
        }
    }
}

#[test]
fn random_expressions_match_direct_evaluation() {
    let schema = CollectionSchema::new(
        vec![
            FieldSchema::int64_primary("i", false),
            FieldSchema::scalar("j", DataType::Int32),
            FieldSchema::scalar("f", DataType::Float),
            FieldSchema::scalar("d", DataType::Double),
            FieldSchema::varchar("s", 16),
            FieldSchema::varchar("t", 16),
            FieldSchema::scalar("b", DataType::Bool),
            FieldSchema::scalar("c", DataType::Bool),
            FieldSchema::float_vector("v", 2),
        ],
        "",
    );
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(0x5eed_f11e),
    };
    let n = 150;
    let data = g.data(n);
    let table = Table {
        rows: n,
        columns: vec![
            ("i".into(), Column::Int64(data.i.clone())),
            ("j".into(), Column::Int32(data.j.clone())),
            ("f".into(), Column::Float(data.f.clone())),
            ("d".into(), Column::Double(data.d.clone())),
            ("s".into(), Column::VarChar(data.s.clone())),
            ("t".into(), Column::VarChar(data.t.clone())),
            ("b".into(), Column::Bool(data.b.clone())),
            ("c".into(), Column::Bool(data.c.clone())),
        ],
    };
    let mut mixed = 0;
    for _ in 0..1500 {
        let tree = g.pred(4);
        let text = tree.print();
        let expr = parse(&text, &schema).unwrap_or_else(|e| panic!("{text}\n{e}"));
        let got = expr.evaluate(&table);
        assert_eq!(got.len(), n);
        for r in 0..n {
            assert_eq!(got.contains(r), tree.eval(r, &data), "row {r} of {text}");
        }
        mixed += usize::from(got.count() > 0 && got.count() < n);
    }
    // The trees are not trivially all-or-nothing.
    assert!(mixed > 750, "{mixed}");
}
