//! The parser: recursive descent over Milvus's precedence levels, from tokens to an
//! untyped syntax tree, with ANTLR's messages (as Milvus shows them) for syntax
//! errors.

use super::lexer::{Func, Lexer, PathKey, Tok, Token};
use crate::error::{Error, Result};

/// What ANTLR lists after "expecting" when Milvus wanted an operand.
const EXPECTING_OPERAND: &str = "{'(', '[', EXISTS, '+', '-', '~', NOT, JSONContains, JSONContainsAll, JSONContainsAny, ArrayContains, ArrayContainsAll, ArrayContainsAny, ArrayLength, BooleanConstant, IntegerConstant, FloatingConstant, Identifier, StringLiteral, JSONIdentifier}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// The operator with its operands swapped (`a < b` ⇔ `b > a`).
    pub fn flip(self) -> Self {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            op => op,
        }
    }

    pub fn test<T: PartialOrd + ?Sized>(self, a: &T, b: &T) -> bool {
        match self {
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
        }
    }

    pub fn symbol(self) -> &'static str {
        ["==", "!=", "<", "<=", ">", ">="][self as usize]
    }

    fn from_tok(t: &Tok) -> Option<Self> {
        Some(match t {
            Tok::Eq => CmpOp::Eq,
            Tok::Ne => CmpOp::Ne,
            Tok::Lt => CmpOp::Lt,
            Tok::Le => CmpOp::Le,
            Tok::Gt => CmpOp::Gt,
            Tok::Ge => CmpOp::Ge,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl ArithOp {
    /// Milvus's name for the operator in its messages.
    pub fn name(self) -> &'static str {
        ["add", "sub", "mul", "div", "mod"][self as usize]
    }
}

// ---------------------------------------------------------------------------------
// Untyped syntax tree

#[derive(Debug, Clone)]
pub(super) enum Kind {
    Int(Option<u64>),
    Float(f64),
    Str(String),
    Bool(bool),
    Ident(String),
    Neg(Box<Ast>),
    Plus(Box<Ast>),
    Not(Box<Ast>),
    Arith(ArithOp, Box<Ast>, Box<Ast>),
    Pow(Box<Ast>, Box<Ast>),
    Cmp(CmpOp, Box<Ast>, Box<Ast>),
    /// `and` when true, `or` when false.
    Logic(bool, Box<Ast>, Box<Ast>),
    In {
        operand: Box<Ast>,
        items: Vec<Ast>,
        negated: bool,
    },
    Like {
        operand: Box<Ast>,
        pattern: String,
    },
    /// `field["key"][0]…` (or `$meta[…]`).
    JsonPath {
        field: String,
        path: Vec<PathKey>,
    },
    /// `[a, b, …]`.
    List(Vec<Ast>),
    /// `json_contains(a, b)`, `array_length(a)`, ….
    Call {
        func: Func,
        args: Vec<Ast>,
    },
    /// `exists a`.
    Exists(Box<Ast>),
    /// `a is null` / `a is not null`.
    IsNull {
        operand: Box<Ast>,
        negated: bool,
    },
}

/// A node, the characters `start..end` it covers and where its operator is.
#[derive(Debug, Clone)]
pub(super) struct Ast {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub op: usize,
}

impl Ast {
    fn leaf(kind: Kind, t: &Token) -> Self {
        Self {
            kind,
            start: t.start,
            end: t.end,
            op: t.start,
        }
    }

    fn binary(l: Ast, r: Ast, op: usize, make: impl FnOnce(Box<Ast>, Box<Ast>) -> Kind) -> Self {
        let (start, end) = (l.start, r.end);
        Self {
            kind: make(Box::new(l), Box::new(r)),
            start,
            end,
            op,
        }
    }
}

/// The expression's text, for error messages.
pub(super) struct Source<'a> {
    pub text: &'a str,
    pub chars: Vec<char>,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            chars: text.chars().collect(),
        }
    }

    pub fn syntax(&self, position: usize, message: String) -> Error {
        let before = &self.chars[..position.min(self.chars.len())];
        let line = 1 + before.iter().filter(|&&c| c == '\n').count();
        let column = before.len() - before.iter().rposition(|&c| c == '\n').map_or(0, |i| i + 1);
        Error::FilterSyntax {
            expr: self.text.to_owned(),
            position,
            line,
            column,
            message,
        }
    }

    pub fn invalid(&self, position: usize, message: String) -> Error {
        Error::FilterInvalid {
            expr: self.text.to_owned(),
            position,
            message,
        }
    }

    /// The text of `start..end` without whitespace, as ANTLR's `getText` shows it.
    pub fn compact(&self, start: usize, end: usize) -> String {
        self.chars[start..end.min(self.chars.len())]
            .iter()
            .filter(|c| !c.is_whitespace())
            .collect()
    }

    pub fn token_text(&self, t: &Token) -> String {
        if t.tok == Tok::Eof {
            "<EOF>".to_owned()
        } else {
            self.chars[t.start..t.end].iter().collect()
        }
    }
}

/// Parses the whole expression to a syntax tree (a leftover token is Milvus's
/// "invalid expression").
pub(super) fn parse(src: &Source) -> Result<Ast> {
    let mut p = Parser {
        src,
        lexer: Lexer::new(&src.chars),
        peeked: None,
        after_cmp: None,
    };
    let ast = p.parse_or()?;
    let rest = p.peek()?;
    if rest.tok != Tok::Eof {
        return Err(Error::FilterTrailingInput {
            expr: src.text.to_owned(),
            position: rest.start,
        });
    }
    Ok(ast)
}

// ---------------------------------------------------------------------------------
// Parser

struct Parser<'s> {
    src: &'s Source<'s>,
    lexer: Lexer<'s>,
    peeked: Option<Token>,
    /// Where the comparison operator whose right operand comes next starts: ANTLR
    /// reports a missing operand there as "no viable alternative".
    after_cmp: Option<usize>,
}

impl Parser<'_> {
    fn peek(&mut self) -> Result<&Token> {
        if self.peeked.is_none() {
            let src = self.src;
            let t = self.lexer.next_token().map_err(|e| {
                src.syntax(
                    e.position,
                    format!("token recognition error at: '{}'", e.text),
                )
            })?;
            self.peeked = Some(t);
        }
        Ok(self.peeked.as_ref().expect("filled above"))
    }

    fn peek_tok(&mut self) -> Result<&Tok> {
        Ok(&self.peek()?.tok)
    }

    fn bump(&mut self) -> Result<Token> {
        self.peek()?;
        self.after_cmp = None;
        Ok(self.peeked.take().expect("filled by peek"))
    }

    fn parse_or(&mut self) -> Result<Ast> {
        let mut l = self.parse_and()?;
        while *self.peek_tok()? == Tok::Or {
            let op = self.bump()?;
            let r = self.parse_and()?;
            l = Ast::binary(l, r, op.start, |l, r| Kind::Logic(false, l, r));
        }
        Ok(l)
    }

    fn parse_and(&mut self) -> Result<Ast> {
        let mut l = self.parse_equality()?;
        while *self.peek_tok()? == Tok::And {
            let op = self.bump()?;
            let r = self.parse_equality()?;
            l = Ast::binary(l, r, op.start, |l, r| Kind::Logic(true, l, r));
        }
        Ok(l)
    }

    fn parse_equality(&mut self) -> Result<Ast> {
        let mut l = self.parse_relational()?;
        while let Some(op @ (CmpOp::Eq | CmpOp::Ne)) = CmpOp::from_tok(self.peek_tok()?) {
            let t = self.bump()?;
            self.after_cmp = Some(t.start);
            let r = self.parse_relational()?;
            l = Ast::binary(l, r, t.start, |l, r| Kind::Cmp(op, l, r));
        }
        Ok(l)
    }

    /// `a < b`, and Milvus's ranges `lo < field <= hi` / `hi > field >= lo`.
    fn parse_relational(&mut self) -> Result<Ast> {
        let mut l = self.parse_in()?;
        while let Some(op1 @ (CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge)) =
            CmpOp::from_tok(self.peek_tok()?)
        {
            let t1 = self.bump()?;
            self.after_cmp = Some(t1.start);
            let mid = self.parse_in()?;
            let ascending = |op| matches!(op, CmpOp::Lt | CmpOp::Le);
            if let Some(op2 @ (CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge)) =
                CmpOp::from_tok(self.peek_tok()?)
                && matches!(mid.kind, Kind::Ident(_))
                && ascending(op1) == ascending(op2)
            {
                let t2 = self.bump()?;
                self.after_cmp = Some(t2.start);
                let hi = self.parse_in()?;
                let lower = Ast::binary(l, mid.clone(), t1.start, |l, r| Kind::Cmp(op1, l, r));
                let upper = Ast::binary(mid, hi, t2.start, |l, r| Kind::Cmp(op2, l, r));
                l = Ast::binary(lower, upper, t1.start, |l, r| Kind::Logic(true, l, r));
                continue;
            }
            l = Ast::binary(l, mid, t1.start, |l, r| Kind::Cmp(op1, l, r));
        }
        Ok(l)
    }

    fn parse_in(&mut self) -> Result<Ast> {
        let mut l = self.parse_additive()?;
        loop {
            let negated = match self.peek_tok()? {
                Tok::In => false,
                Tok::NotIn => true,
                _ => return Ok(l),
            };
            let op = self.bump()?;
            let open = self.peek()?.clone();
            if open.tok != Tok::LBracket {
                let end = if open.tok == Tok::Eof {
                    open.start
                } else {
                    open.end
                };
                let input = self.src.compact(op.start, end);
                return Err(self.src.syntax(
                    open.start,
                    format!("no viable alternative at input '{input}'"),
                ));
            }
            self.bump()?;
            let mut items = Vec::new();
            while *self.peek_tok()? != Tok::RBracket {
                items.push(self.parse_or()?);
                match self.peek_tok()? {
                    Tok::Comma => {
                        self.bump()?;
                    }
                    Tok::RBracket => {}
                    _ => {
                        let t = self.peek()?.clone();
                        let text = self.src.token_text(&t);
                        return Err(self.src.syntax(t.start, format!("missing ']' at '{text}'")));
                    }
                }
            }
            let close = self.bump()?;
            let start = l.start;
            l = Ast {
                kind: Kind::In {
                    operand: Box::new(l),
                    items,
                    negated,
                },
                start,
                end: close.end,
                op: op.start,
            };
        }
    }

    fn parse_additive(&mut self) -> Result<Ast> {
        let mut l = self.parse_multiplicative()?;
        loop {
            let op = match self.peek_tok()? {
                Tok::Add => ArithOp::Add,
                Tok::Sub => ArithOp::Sub,
                _ => return Ok(l),
            };
            let t = self.bump()?;
            let r = self.parse_multiplicative()?;
            l = Ast::binary(l, r, t.start, |l, r| Kind::Arith(op, l, r));
        }
    }

    fn parse_multiplicative(&mut self) -> Result<Ast> {
        let mut l = self.parse_unary()?;
        loop {
            let op = match self.peek_tok()? {
                Tok::Mul => ArithOp::Mul,
                Tok::Div => ArithOp::Div,
                Tok::Mod => ArithOp::Mod,
                _ => return Ok(l),
            };
            let t = self.bump()?;
            let r = self.parse_unary()?;
            l = Ast::binary(l, r, t.start, |l, r| Kind::Arith(op, l, r));
        }
    }

    /// Prefix `-`, `+`, `not`/`!`: as in Milvus they bind tighter than every binary
    /// operator but `**`, so `not id > 2` is `(not id) > 2`.
    fn parse_unary(&mut self) -> Result<Ast> {
        let make: fn(Box<Ast>) -> Kind = match self.peek_tok()? {
            Tok::Exists => Kind::Exists,
            Tok::Sub => Kind::Neg,
            Tok::Add => Kind::Plus,
            Tok::Not => Kind::Not,
            Tok::Unsupported => {
                // `~` is Milvus's prefix bitwise not; other bitwise tokens are binary.
                let t = self.peek()?.clone();
                if self.src.token_text(&t) != "~" {
                    return self.parse_power();
                }
                return Err(self
                    .src
                    .invalid(t.start, "bitwise operator '~' is not supported".into()));
            }
            _ => return self.parse_power(),
        };
        let t = self.bump()?;
        let operand = self.parse_unary()?;
        Ok(Ast {
            start: t.start,
            end: operand.end,
            op: t.start,
            kind: make(Box::new(operand)),
        })
    }

    fn parse_power(&mut self) -> Result<Ast> {
        let mut l = self.parse_postfix()?;
        while *self.peek_tok()? == Tok::Pow {
            let t = self.bump()?;
            let r = self.parse_unary()?;
            l = Ast::binary(l, r, t.start, Kind::Pow);
        }
        Ok(l)
    }

    /// A primary, then any number of `like 'pattern'` (Milvus gives `like` the
    /// highest binary precedence).
    fn parse_postfix(&mut self) -> Result<Ast> {
        let mut l = self.parse_primary()?;
        while let Tok::IsNull(negated) = *self.peek_tok()? {
            let op = self.bump()?;
            let start = l.start;
            l = Ast {
                kind: Kind::IsNull {
                    operand: Box::new(l),
                    negated,
                },
                start,
                end: op.end,
                op: op.start,
            };
        }
        while *self.peek_tok()? == Tok::Like {
            let op = self.bump()?;
            let t = self.peek()?.clone();
            let Tok::Str(pattern) = t.tok else {
                let text = self.src.token_text(&t);
                return Err(self.src.syntax(
                    t.start,
                    format!("mismatched input '{text}' expecting StringLiteral"),
                ));
            };
            self.bump()?;
            let start = l.start;
            l = Ast {
                kind: Kind::Like {
                    operand: Box::new(l),
                    pattern,
                },
                start,
                end: t.end,
                op: op.start,
            };
        }
        Ok(l)
    }

    /// Comma-separated expressions (a trailing comma allowed) up to `close`,
    /// which is consumed and returned.
    fn parse_items(&mut self, close: Tok, symbol: char) -> Result<(Vec<Ast>, Token)> {
        let mut items = Vec::new();
        while *self.peek_tok()? != close {
            items.push(self.parse_or()?);
            match self.peek_tok()? {
                Tok::Comma => {
                    self.bump()?;
                }
                t if *t == close => {}
                _ => {
                    let t = self.peek()?.clone();
                    let text = self.src.token_text(&t);
                    return Err(self
                        .src
                        .syntax(t.start, format!("missing '{symbol}' at '{text}'")));
                }
            }
        }
        Ok((items, self.bump()?))
    }

    fn parse_primary(&mut self) -> Result<Ast> {
        let after_cmp = self.after_cmp;
        let t = self.peek()?.clone();
        let kind = match &t.tok {
            Tok::Int(v) => Kind::Int(*v),
            Tok::Float(v) => Kind::Float(*v),
            Tok::Str(s) => Kind::Str(s.clone()),
            Tok::Bool(b) => Kind::Bool(*b),
            Tok::Ident(name) => Kind::Ident(name.clone()),
            Tok::JsonIdent { name, path } => Kind::JsonPath {
                field: name.clone(),
                path: path.clone(),
            },
            Tok::LBracket => {
                self.bump()?;
                let (items, close) = self.parse_items(Tok::RBracket, ']')?;
                return Ok(Ast {
                    kind: Kind::List(items),
                    start: t.start,
                    end: close.end,
                    op: t.start,
                });
            }
            Tok::Func(func) => {
                let func = *func;
                self.bump()?;
                let open = self.peek()?.clone();
                if open.tok != Tok::LParen {
                    let text = self.src.token_text(&open);
                    return Err(self
                        .src
                        .syntax(open.start, format!("missing '(' at '{text}'")));
                }
                self.bump()?;
                let (args, close) = self.parse_items(Tok::RParen, ')')?;
                return Ok(Ast {
                    kind: Kind::Call { func, args },
                    start: t.start,
                    end: close.end,
                    op: t.start,
                });
            }
            Tok::LParen => {
                self.bump()?;
                let inner = self.parse_or()?;
                let close = self.peek()?.clone();
                if close.tok != Tok::RParen {
                    let text = self.src.token_text(&close);
                    return Err(self
                        .src
                        .syntax(close.start, format!("missing ')' at '{text}'")));
                }
                self.bump()?;
                return Ok(Ast {
                    start: t.start,
                    end: close.end,
                    ..inner
                });
            }
            _ => {
                let message = if let Some(op) = after_cmp {
                    let end = if t.tok == Tok::Eof { t.start } else { t.end };
                    format!(
                        "no viable alternative at input '{}'",
                        self.src.compact(op, end)
                    )
                } else {
                    format!(
                        "mismatched input '{}' expecting {EXPECTING_OPERAND}",
                        self.src.token_text(&t)
                    )
                };
                return Err(self.src.syntax(t.start, message));
            }
        };
        self.bump()?;
        Ok(Ast::leaf(kind, &t))
    }
}
