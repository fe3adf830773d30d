//! Tokens of Milvus filter expressions, produced on demand.
//!
//! The lexer follows Milvus's ANTLR lexer (`Plan.g4`) for the subset annlab parses,
//! and it is pulled one token at a time by the parser, as ANTLR's token stream is:
//! a character that starts no token is only reported if the parser gets that far
//! (`source ~= 'x'` is an "invalid expression", not a token error, in Milvus too).
//! Positions are character (not byte) offsets into the expression.

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// An integer literal (decimal, `0x` hex, `0b` binary or `0`-prefixed octal, as
    /// in Milvus); `None` if it does not fit in 64 bits.
    Int(Option<u64>),
    Float(f64),
    Str(String),
    Bool(bool),
    Ident(String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    And,
    Or,
    Not,
    In,
    NotIn,
    Like,
    /// `json_contains(…)` and friends (Milvus's function tokens, either case).
    Func(Func),
    /// `exists`/`EXISTS`.
    Exists,
    /// `is null` (false) / `is not null` (true), either case (Milvus 2.5).
    IsNull(bool),
    /// Milvus's JSONIdentifier: a field (or `$meta`) followed by one or more
    /// `["key"]` / `[0]` with nothing between.
    JsonIdent {
        name: String,
        path: Vec<PathKey>,
    },
    /// A Milvus token annlab does not implement (`~ & | ^ << >>`): it lexes, so an
    /// expression using it is refused as Milvus refuses it, never silently split.
    Unsupported,
    Eof,
}

/// Milvus's filter functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    JsonContains,
    JsonContainsAll,
    JsonContainsAny,
    ArrayContains,
    ArrayContainsAll,
    ArrayContainsAny,
    ArrayLength,
}

impl Func {
    /// The function's name as written in lower case.
    pub fn name(self) -> &'static str {
        match self {
            Func::JsonContains => "json_contains",
            Func::JsonContainsAll => "json_contains_all",
            Func::JsonContainsAny => "json_contains_any",
            Func::ArrayContains => "array_contains",
            Func::ArrayContainsAll => "array_contains_all",
            Func::ArrayContainsAny => "array_contains_any",
            Func::ArrayLength => "array_length",
        }
    }

    fn from_word(w: &str) -> Option<Self> {
        Some(match w {
            "json_contains" | "JSON_CONTAINS" => Func::JsonContains,
            "json_contains_all" | "JSON_CONTAINS_ALL" => Func::JsonContainsAll,
            "json_contains_any" | "JSON_CONTAINS_ANY" => Func::JsonContainsAny,
            "array_contains" | "ARRAY_CONTAINS" => Func::ArrayContains,
            "array_contains_all" | "ARRAY_CONTAINS_ALL" => Func::ArrayContainsAll,
            "array_contains_any" | "ARRAY_CONTAINS_ANY" => Func::ArrayContainsAny,
            "array_length" | "ARRAY_LENGTH" => Func::ArrayLength,
            _ => return None,
        })
    }
}

/// One step of a JSON path: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathKey {
    Key(String),
    Index(usize),
}

/// A token and the characters `start..end` it was read from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

/// ANTLR's "token recognition error at: '<text>'" at character `position`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LexError {
    pub position: usize,
    pub text: String,
}

pub(crate) struct Lexer<'a> {
    chars: &'a [char],
    pos: usize,
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric()
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

impl<'a> Lexer<'a> {
    pub fn new(chars: &'a [char]) -> Self {
        Self { chars, pos: 0 }
    }

    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    /// The next token (`Tok::Eof` at the end, again and again).
    pub fn next_token(&mut self) -> Result<Token, LexError> {
        while self.at(self.pos).is_some_and(is_space) {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(c) = self.at(start) else {
            return Ok(Token {
                tok: Tok::Eof,
                start,
                end: start,
            });
        };
        let next = self.at(start + 1);
        let (tok, len) = match (c, next) {
            ('(', _) => (Tok::LParen, 1),
            (')', _) => (Tok::RParen, 1),
            ('[', _) => (Tok::LBracket, 1),
            (']', _) => (Tok::RBracket, 1),
            (',', _) => (Tok::Comma, 1),
            ('=', Some('=')) => (Tok::Eq, 2),
            ('!', Some('=')) => (Tok::Ne, 2),
            ('!', _) => (Tok::Not, 1),
            ('<', Some('=')) => (Tok::Le, 2),
            ('<', Some('<')) => (Tok::Unsupported, 2),
            ('<', _) => (Tok::Lt, 1),
            ('>', Some('=')) => (Tok::Ge, 2),
            ('>', Some('>')) => (Tok::Unsupported, 2),
            ('>', _) => (Tok::Gt, 1),
            ('+', _) => (Tok::Add, 1),
            ('-', _) => (Tok::Sub, 1),
            ('*', Some('*')) => (Tok::Pow, 2),
            ('*', _) => (Tok::Mul, 1),
            ('/', _) => (Tok::Div, 1),
            ('%', _) => (Tok::Mod, 1),
            ('&', Some('&')) => (Tok::And, 2),
            ('|', Some('|')) => (Tok::Or, 2),
            ('&' | '|' | '^' | '~', _) => (Tok::Unsupported, 1),
            ('\'' | '"', _) => return self.string(c),
            ('.', Some(d)) if d.is_ascii_digit() => return Ok(self.number()),
            (d, _) if d.is_ascii_digit() => return Ok(self.number()),
            (c, _) if is_ident_start(c) => return Ok(self.word()),
            ('$', _)
                if self.chars[start..].starts_with(&['$', 'm', 'e', 't', 'a'])
                    && !self.at(start + 5).is_some_and(is_ident_char) =>
            {
                self.pos = start + 5;
                return Ok(self.json_ident(start, "$meta".into()));
            }
            // ANTLR's text runs to the character where matching failed: `=` and `.`
            // start longer tokens, so the next character is part of it ('= ', '.t').
            ('=' | '.', _) => return Err(self.error(start, start + 2)),
            _ => return Err(self.error(start, start + 1)),
        };
        self.pos = start + len;
        Ok(Token {
            tok,
            start,
            end: self.pos,
        })
    }

    fn error(&self, start: usize, end: usize) -> LexError {
        let end = end.min(self.chars.len());
        LexError {
            position: start,
            text: self.chars[start..end].iter().collect(),
        }
    }

    fn digits(&self, mut i: usize, radix: u32) -> usize {
        while self.at(i).is_some_and(|c| c.is_digit(radix)) {
            i += 1;
        }
        i
    }

    fn number(&mut self) -> Token {
        let start = self.pos;
        let int_end = self.digits(start, 10);
        // Hex and binary integers.
        if self.at(start) == Some('0') && int_end == start + 1 {
            for (marks, radix) in [(['x', 'X'], 16), (['b', 'B'], 2)] {
                if self.at(start + 1).is_some_and(|c| marks.contains(&c))
                    && self.at(start + 2).is_some_and(|c| c.is_digit(radix))
                {
                    let end = self.digits(start + 2, radix);
                    return self.int_token(start, start + 2, end, radix);
                }
            }
        }
        // Floating: digits '.' digits? exponent? | '.' digits exponent? | digits exponent.
        let mut end = int_end;
        let mut is_float = false;
        if self.at(end) == Some('.') {
            end = self.digits(end + 1, 10);
            is_float = true;
        }
        if matches!(self.at(end), Some('e' | 'E')) {
            let mut e = end + 1;
            if matches!(self.at(e), Some('+' | '-')) {
                e += 1;
            }
            if self.at(e).is_some_and(|c| c.is_ascii_digit()) {
                end = self.digits(e, 10);
                is_float = true;
            }
        }
        if is_float {
            let text: String = self.chars[start..end].iter().collect();
            self.pos = end;
            // Rust accepts "5." and ".5"; the scan above only lets digits, one '.'
            // and an exponent through.
            let v = text.parse::<f64>().unwrap_or(f64::INFINITY);
            return Token {
                tok: Tok::Float(v),
                start,
                end,
            };
        }
        if self.at(start) == Some('0') && int_end > start + 1 {
            // Octal, as in C and Milvus: `010` is 8; the token stops before an 8 or 9.
            let end = self.digits(start + 1, 8);
            return self.int_token(start, start + 1, end, 8);
        }
        self.int_token(start, start, int_end, 10)
    }

    fn int_token(&mut self, start: usize, digits: usize, end: usize, radix: u32) -> Token {
        let value = self.chars[digits..end].iter().try_fold(0u64, |acc, c| {
            acc.checked_mul(u64::from(radix))?
                .checked_add(u64::from(c.to_digit(radix)?))
        });
        self.pos = end;
        Token {
            tok: Tok::Int(value),
            start,
            end,
        }
    }

    fn word(&mut self) -> Token {
        let start = self.pos;
        let mut end = start;
        while self.at(end).is_some_and(is_ident_char) {
            end += 1;
        }
        let word: String = self.chars[start..end].iter().collect();
        let tok = match word.as_str() {
            "and" => Tok::And,
            "or" => Tok::Or,
            "in" => Tok::In,
            "like" | "LIKE" => Tok::Like,
            "true" | "True" | "TRUE" => Tok::Bool(true),
            "false" | "False" | "FALSE" => Tok::Bool(false),
            "not" => {
                // Milvus's NIN token is `not in`.
                let mut i = end;
                while self.at(i).is_some_and(is_space) {
                    i += 1;
                }
                if i > end
                    && self.at(i) == Some('i')
                    && self.at(i + 1) == Some('n')
                    && !self.at(i + 2).is_some_and(is_ident_char)
                {
                    end = i + 2;
                    Tok::NotIn
                } else {
                    Tok::Not
                }
            }
            "exists" | "EXISTS" => Tok::Exists,
            "is" | "IS" => match self.null_test(end, word == "IS") {
                Some((negated, e)) => {
                    end = e;
                    Tok::IsNull(negated)
                }
                None => Tok::Ident(word),
            },
            w => match Func::from_word(w) {
                Some(f) => Tok::Func(f),
                None => {
                    self.pos = end;
                    return self.json_ident(start, word);
                }
            },
        };
        self.pos = end;
        Token { tok, start, end }
    }

    /// After `is`: ` null` or ` not null` (the case of `upper`), and where it
    /// ends.
    fn null_test(&self, from: usize, upper: bool) -> Option<(bool, usize)> {
        let word_at = |i: usize, w: &str| -> Option<usize> {
            let mut j = i;
            while self.at(j).is_some_and(is_space) {
                j += 1;
            }
            let w = if upper {
                w.to_uppercase()
            } else {
                w.to_owned()
            };
            let n = w.chars().count();
            (j > i
                && self.chars.get(j..j + n)?.iter().copied().eq(w.chars())
                && !self.at(j + n).is_some_and(is_ident_char))
            .then_some(j + n)
        };
        if let Some(e) = word_at(from, "null") {
            return Some((false, e));
        }
        let e = word_at(from, "not")?;
        word_at(e, "null").map(|e| (true, e))
    }

    /// The identifier `name` (read up to `self.pos`), with the `[…]` path steps
    /// that follow it directly: a JSONIdentifier if there is at least one.
    fn json_ident(&mut self, start: usize, name: String) -> Token {
        let mut path = Vec::new();
        while self.at(self.pos) == Some('[') {
            let Some((key, end)) = self.path_step(self.pos + 1) else {
                break;
            };
            path.push(key);
            self.pos = end;
        }
        let tok = if path.is_empty() {
            Tok::Ident(name)
        } else {
            Tok::JsonIdent { name, path }
        };
        Token {
            tok,
            start,
            end: self.pos,
        }
    }

    /// A `"key"`, `'key'` or decimal index starting at `i` and its closing `]`:
    /// the step and the position after the `]`.
    fn path_step(&self, i: usize) -> Option<(PathKey, usize)> {
        let c = self.at(i)?;
        let (key, end) = if c == '"' || c == '\'' {
            let mut probe = Lexer {
                chars: self.chars,
                pos: i,
            };
            let t = probe.string(c).ok()?;
            let Tok::Str(s) = t.tok else { return None };
            (PathKey::Key(s), t.end)
        } else if c.is_ascii_digit() {
            let end = self.digits(i, 10);
            let text: String = self.chars[i..end].iter().collect();
            (PathKey::Index(text.parse().ok()?), end)
        } else {
            return None;
        };
        (self.at(end) == Some(']')).then_some((key, end + 1))
    }

    /// A quoted string. Escapes: `\n \t \r \0 \\ \' \"`; any other `\x` keeps its
    /// backslash, so `like` patterns see `\%` and `\_`.
    fn string(&mut self, quote: char) -> Result<Token, LexError> {
        let start = self.pos;
        let mut i = start + 1;
        let mut value = String::new();
        loop {
            match self.at(i) {
                None => return Err(self.error(start, i)),
                Some('\n' | '\r') => return Err(self.error(start, i + 1)),
                Some(c) if c == quote => break,
                Some('\\') => {
                    let Some(e) = self.at(i + 1) else {
                        return Err(self.error(start, i + 1));
                    };
                    match e {
                        'n' => value.push('\n'),
                        't' => value.push('\t'),
                        'r' => value.push('\r'),
                        '0' => value.push('\0'),
                        '\\' | '\'' | '"' => value.push(e),
                        _ => {
                            value.push('\\');
                            value.push(e);
                        }
                    }
                    i += 2;
                }
                Some(c) => {
                    value.push(c);
                    i += 1;
                }
            }
        }
        self.pos = i + 1;
        Ok(Token {
            tok: Tok::Str(value),
            start,
            end: self.pos,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn lex(s: &str) -> Result<Vec<Tok>, LexError> {
        let chars: Vec<char> = s.chars().collect();
        let mut l = Lexer::new(&chars);
        let mut out = Vec::new();
        loop {
            let t = l.next_token()?;
            if t.tok == Tok::Eof {
                return Ok(out);
            }
            out.push(t.tok);
        }
    }

    #[test]
    fn numbers() {
        use Tok::*;
        assert_eq!(
            lex("1 0x10 0b101 010 0 1e1 .5 5. 1.5e-3 2E+2").unwrap(),
            [
                Int(Some(1)),
                Int(Some(16)),
                Int(Some(5)),
                Int(Some(8)),
                Int(Some(0)),
                Float(10.0),
                Float(0.5),
                Float(5.0),
                Float(0.0015),
                Float(200.0)
            ]
        );
        assert_eq!(lex("99999999999999999999").unwrap(), [Int(None)]);
        assert_eq!(lex("1e").unwrap(), [Int(Some(1)), Ident("e".into())]);
        assert_eq!(lex("019").unwrap(), [Int(Some(1)), Int(Some(9))]);
    }

    #[test]
    fn words_operators_and_strings() {
        use Tok::*;
        assert_eq!(
            lex("not in not x and AND && || ! != == <= >= < > like LIKE True in_x").unwrap(),
            [
                NotIn,
                Not,
                Ident("x".into()),
                And,
                Ident("AND".into()),
                And,
                Or,
                Not,
                Ne,
                Eq,
                Le,
                Ge,
                Lt,
                Gt,
                Like,
                Like,
                Bool(true),
                Ident("in_x".into())
            ]
        );
        assert_eq!(
            lex(r#"'a\'b' "c\"d\n" 'x\%y'"#).unwrap(),
            [Str("a'b".into()), Str("c\"d\n".into()), Str("x\\%y".into())]
        );
        assert_eq!(lex("~ & | ^ << >>").unwrap(), vec![Unsupported; 6]);
        assert_eq!(
            lex(r#"m["a"]['b'][0] $meta["k"] a [0] exists JSON_CONTAINS array_length"#).unwrap(),
            [
                JsonIdent {
                    name: "m".into(),
                    path: vec![
                        PathKey::Key("a".into()),
                        PathKey::Key("b".into()),
                        PathKey::Index(0)
                    ]
                },
                JsonIdent {
                    name: "$meta".into(),
                    path: vec![PathKey::Key("k".into())]
                },
                Ident("a".into()),
                LBracket,
                Int(Some(0)),
                RBracket,
                Exists,
                Func(super::Func::JsonContains),
                Func(super::Func::ArrayLength),
            ]
        );
        assert_eq!(lex("$meta").unwrap(), [Ident("$meta".into())]);
    }

    #[test]
    fn antlr_token_recognition_errors() {
        let err = |s: &str| lex(s).unwrap_err();
        assert_eq!(
            err("source = 'x'"),
            LexError {
                position: 7,
                text: "= ".into()
            }
        );
        assert_eq!(
            err("source_0.txt"),
            LexError {
                position: 8,
                text: ".t".into()
            }
        );
        assert_eq!(err("a @ b").text, "@");
        assert_eq!(err("a == 'abc").text, "'abc");
        assert_eq!(err("x =").text, "=");
        assert_eq!(err("名 == 1").position, 0);
    }
}
