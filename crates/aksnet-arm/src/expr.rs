//! The ARM template expression grammar: parsing `[...]` strings into an [`Expr`] tree.
//!
//! Source of the grammar: Microsoft Learn, "Syntax and expressions in ARM templates"
//! (<https://learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions>):
//! an expression starts with `[` and ends with `]`; function calls are written
//! `functionName(arg1,arg2,arg3)`; string arguments use single quotes, a single quote inside
//! one is doubled (`''`); `.name` reads a property, `[i]` / `['key']` indexes; function names are
//! case-insensitive; a string that starts with `[[` and ends with `]` is the literal string
//! without its first `[`; a string that starts with `[` but does not end with `]` (`"[test]
//! value"`) is a literal. Integers, `true`, `false` and `null` are also accepted as literals.
//!
//! Every node carries the byte offset where it starts and ends within the whole string
//! (including the leading `[`); errors report 1-based columns (byte offset + 1).

use std::fmt;

/// The deepest nesting (calls, indexes, property accesses) a parsed expression may have.
pub const MAX_DEPTH: usize = 64;

/// A parsed expression node with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expr {
    /// Byte offset where the node starts within the whole template string.
    pub start: usize,
    /// Byte offset just past the node's end.
    pub end: usize,
    /// What the node is.
    pub kind: ExprKind,
}

/// The kinds of expression nodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExprKind {
    /// A single-quoted string literal (quotes removed, `''` unescaped).
    Str(String),
    /// An integer literal.
    Int(i64),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A function call; the name as written (compare case-insensitively).
    Call {
        /// The function name as written.
        name: String,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// Property access `target.name`.
    Property {
        /// The object.
        target: Box<Expr>,
        /// The property name.
        name: String,
    },
    /// Index access `target[index]`.
    Index {
        /// The array or object.
        target: Box<Expr>,
        /// The index or key.
        index: Box<Expr>,
    },
}

/// A template string: either a literal or an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Template {
    /// Not an expression (after unescaping a leading `[[`).
    Literal(String),
    /// An expression between `[` and `]`.
    Expr(Expr),
}

/// A parse error: what was expected at which column.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: expected {expected}, found {found}")]
pub struct ParseError {
    /// 1-based column (byte offset + 1) within the whole string.
    pub column: usize,
    /// What the parser expected there.
    pub expected: String,
    /// What it found.
    pub found: String,
}

/// Classifies a JSON string value: literal, escaped literal (`[[...]`) or expression (`[...]`),
/// and parses the expression.
pub fn parse_template_string(s: &str) -> Result<Template, ParseError> {
    if s.starts_with("[[") && s.ends_with(']') {
        return Ok(Template::Literal(s[1..].to_string()));
    }
    if s.len() >= 2 && s.starts_with('[') && s.ends_with(']') {
        let mut p = Parser {
            src: s,
            pos: 1,
            end: s.len() - 1,
            depth: 0,
        };
        p.skip_ws();
        let e = p.expr()?;
        p.skip_ws();
        if p.pos != p.end {
            return Err(p.error("end of expression"));
        }
        return Ok(Template::Expr(e));
    }
    Ok(Template::Literal(s.to_string()))
}

/// Parses a bare expression (without the surrounding brackets); positions are offsets in `s`.
pub fn parse_expr(s: &str) -> Result<Expr, ParseError> {
    let mut p = Parser {
        src: s,
        pos: 0,
        end: s.len(),
        depth: 0,
    };
    p.skip_ws();
    let e = p.expr()?;
    p.skip_ws();
    if p.pos != p.end {
        return Err(p.error("end of expression"));
    }
    Ok(e)
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    end: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..self.end].chars().next()
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.pos += c.len_utf8();
            } else {
                break;
            }
        }
    }

    fn error(&self, expected: &str) -> ParseError {
        let found = match self.peek() {
            Some(c) => format!("'{c}'"),
            None => "end of expression".to_string(),
        };
        ParseError {
            column: self.pos + 1,
            expected: expected.to_string(),
            found,
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError {
                column: self.pos + 1,
                expected: format!("nesting at most {MAX_DEPTH} deep"),
                found: "deeper nesting".to_string(),
            });
        }
        Ok(())
    }

    fn expect(&mut self, c: char, what: &str) -> Result<(), ParseError> {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        self.enter()?;
        let saved = self.depth;
        let mut e = self.primary()?;
        loop {
            self.skip_ws();
            match self.peek() {
                Some('.') => {
                    self.enter()?;
                    self.pos += 1;
                    self.skip_ws();
                    let name = self.ident("a property name after '.'")?;
                    e = Expr {
                        start: e.start,
                        end: self.pos,
                        kind: ExprKind::Property {
                            target: Box::new(e),
                            name,
                        },
                    };
                }
                Some('[') => {
                    self.enter()?;
                    self.pos += 1;
                    self.skip_ws();
                    let index = self.expr()?;
                    self.expect(']', "']' closing the index")?;
                    e = Expr {
                        start: e.start,
                        end: self.pos,
                        kind: ExprKind::Index {
                            target: Box::new(e),
                            index: Box::new(index),
                        },
                    };
                }
                _ => break,
            }
        }
        self.depth = saved - 1;
        Ok(e)
    }

    fn ident(&mut self, what: &str) -> Result<String, ParseError> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == '_' || c == '$' {
                self.pos += 1;
            } else {
                break;
            }
        }
        if self.pos == start || self.src.as_bytes()[start].is_ascii_digit() {
            self.pos = start;
            return Err(self.error(what));
        }
        Ok(self.src[start..self.pos].to_string())
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        self.skip_ws();
        let start = self.pos;
        match self.peek() {
            Some('\'') => {
                self.pos += 1;
                let mut s = String::new();
                loop {
                    match self.peek() {
                        None => return Err(self.error("closing single quote")),
                        Some('\'') => {
                            self.pos += 1;
                            if self.peek() == Some('\'') {
                                self.pos += 1;
                                s.push('\'');
                            } else {
                                break;
                            }
                        }
                        Some(c) => {
                            self.pos += c.len_utf8();
                            s.push(c);
                        }
                    }
                }
                Ok(Expr {
                    start,
                    end: self.pos,
                    kind: ExprKind::Str(s),
                })
            }
            Some(c) if c.is_ascii_digit() || c == '-' || c == '+' => {
                self.pos += 1;
                while matches!(self.peek(), Some(d) if d.is_ascii_digit()) {
                    self.pos += 1;
                }
                let text = &self.src[start..self.pos];
                match text.parse::<i64>() {
                    Ok(v) => Ok(Expr {
                        start,
                        end: self.pos,
                        kind: ExprKind::Int(v),
                    }),
                    Err(_) => {
                        self.pos = start;
                        Err(self.error("an integer within 64 bits"))
                    }
                }
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$' => {
                let mut name = self.ident("a function name")?;
                // A user-defined function: `namespace.member(...)`.
                if self.peek() == Some('.') {
                    let back = self.pos;
                    self.pos += 1;
                    match self.ident("a function name") {
                        Ok(member)
                            if {
                                self.skip_ws();
                                self.peek() == Some('(')
                            } =>
                        {
                            name = format!("{name}.{member}");
                        }
                        _ => self.pos = back,
                    }
                }
                self.skip_ws();
                if self.peek() == Some('(') {
                    self.pos += 1;
                    let mut args = Vec::new();
                    self.skip_ws();
                    if self.peek() == Some(')') {
                        self.pos += 1;
                    } else {
                        loop {
                            args.push(self.expr()?);
                            self.skip_ws();
                            match self.peek() {
                                Some(',') => self.pos += 1,
                                Some(')') => {
                                    self.pos += 1;
                                    break;
                                }
                                _ => return Err(self.error("',' or ')' in the argument list")),
                            }
                        }
                    }
                    return Ok(Expr {
                        start,
                        end: self.pos,
                        kind: ExprKind::Call { name, args },
                    });
                }
                let kind = match name.to_ascii_lowercase().as_str() {
                    "true" => ExprKind::Bool(true),
                    "false" => ExprKind::Bool(false),
                    "null" => ExprKind::Null,
                    _ => return Err(self.error("'(' after the function name")),
                };
                Ok(Expr {
                    start,
                    end: self.pos,
                    kind,
                })
            }
            _ => Err(self.error("a string, integer, true, false, null or function call")),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Str(s) => write!(f, "'{}'", s.replace('\'', "''")),
            ExprKind::Int(i) => write!(f, "{i}"),
            ExprKind::Bool(b) => write!(f, "{b}"),
            ExprKind::Null => write!(f, "null"),
            ExprKind::Call { name, args } => {
                write!(f, "{name}(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{a}")?;
                }
                write!(f, ")")
            }
            ExprKind::Property { target, name } => write!(f, "{target}.{name}"),
            ExprKind::Index { target, index } => write!(f, "{target}[{index}]"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> Expr {
        match parse_template_string(s).unwrap() {
            Template::Expr(e) => e,
            Template::Literal(l) => panic!("literal {l}"),
        }
    }

    #[test]
    fn doc_escapes() {
        // template-expressions: "[[test value]" resolves to "[test value]"; "[test] value" is literal.
        assert_eq!(
            parse_template_string("[[test value]").unwrap(),
            Template::Literal("[test value]".into())
        );
        assert_eq!(
            parse_template_string("[test] value").unwrap(),
            Template::Literal("[test] value".into())
        );
        assert_eq!(
            parse_template_string("plain").unwrap(),
            Template::Literal("plain".into())
        );
    }

    #[test]
    fn calls_properties_indexes_and_positions() {
        let x = e("[concat('storage', uniqueString(resourceGroup().id))]");
        assert_eq!(x.start, 1);
        let ExprKind::Call { name, args } = &x.kind else {
            panic!()
        };
        assert_eq!(name, "concat");
        assert_eq!(args[0].kind, ExprKind::Str("storage".into()));
        assert_eq!(args[0].start, 8);
        assert_eq!(args[1].start, 19);
        assert_eq!(
            x.to_string(),
            "concat('storage', uniqueString(resourceGroup().id))"
        );
        let y = e("[parameters('a')[0]['k'].name]");
        assert_eq!(y.to_string(), "parameters('a')[0]['k'].name");
    }

    #[test]
    fn quotes_literals() {
        let x = e("[concat('it''s', 1, -2, true, FALSE, null)]");
        let ExprKind::Call { args, .. } = &x.kind else {
            panic!()
        };
        assert_eq!(args[0].kind, ExprKind::Str("it's".into()));
        assert_eq!(args[2].kind, ExprKind::Int(-2));
        assert_eq!(args[4].kind, ExprKind::Bool(false));
        assert_eq!(args[5].kind, ExprKind::Null);
    }

    #[test]
    fn errors_say_what_and_where() {
        let err = parse_template_string("[concat('a' 'b')]").unwrap_err();
        assert_eq!(err.column, 13);
        assert!(err.expected.contains("','"), "{err}");
        let err = parse_template_string("[concat('a]").unwrap_err();
        assert!(err.expected.contains("quote"));
        let err = parse_template_string("[foo]").unwrap_err();
        assert_eq!(err.column, 5);
        let err = parse_template_string("[a().]").unwrap_err();
        assert!(err.expected.contains("property"));
    }

    #[test]
    fn depth_is_bounded() {
        let deep = format!("[{}1{}]", "f(".repeat(10_000), ")".repeat(10_000));
        let err = parse_template_string(&deep).unwrap_err();
        assert!(err.expected.contains("nesting"));
        let chain = format!("[a(){}]", ".b".repeat(10_000));
        assert!(parse_template_string(&chain).is_err());
        let idx = format!("[a(){}]", "[0]".repeat(10_000));
        assert!(parse_template_string(&idx).is_err());
        assert!(
            parse_template_string(&format!("[{}1{}]", "f(".repeat(40), ")".repeat(40))).is_ok()
        );
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    fn arb_expr() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            "[a-z' ]{0,6}".prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
            (-1000i64..1000).prop_map(|i| i.to_string()),
            Just("true".to_string()),
            Just("null".to_string()),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                ("[a-zA-Z]{1,8}", prop::collection::vec(inner.clone(), 0..4))
                    .prop_map(|(n, a)| format!("{n}({})", a.join(", "))),
                (inner.clone(), "[a-zA-Z]{1,5}").prop_map(|(t, p)| format!("f({t}).{p}")),
                (inner.clone(), inner).prop_map(|(t, i)| format!("f({t})[{i}]")),
            ]
        })
    }

    proptest! {
        #[test]
        fn print_parse_round_trip(src in arb_expr()) {
            let e = parse_expr(&src).unwrap();
            let printed = e.to_string();
            let again = parse_expr(&printed).unwrap();
            prop_assert_eq!(printed, again.to_string());
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse_template_string(&format!("[{s}]"));
            let _ = parse_template_string(&s);
        }
    }
}
