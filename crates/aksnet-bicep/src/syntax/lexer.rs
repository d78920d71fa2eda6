//! Bicep's tokens: identifiers, integers, strings (with `${...}` holes lexed into their own
//! tokens), multi-line strings, punctuation and the line breaks that end statements. Comments
//! and other white space are dropped. Every token keeps the byte offset it starts at.

use super::Error;

/// One token.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A name or keyword (keywords are contextual in Bicep).
    Ident(String),
    /// An integer literal.
    Int(i64),
    /// A `'...'` string: its literal pieces and the tokens of each `${...}` hole between them
    /// (`pieces.len() == holes.len() + 1`).
    Str {
        /// Literal text, escapes resolved.
        pieces: Vec<String>,
        /// The tokens of each hole.
        holes: Vec<Vec<Token>>,
    },
    /// A `'''...'''` string, verbatim.
    Multi(String),
    /// Punctuation or an operator.
    Sym(&'static str),
    /// A line break (statements and object/array items end at one).
    Newline,
    /// The end of the input.
    Eof,
}

/// A token and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// What it is.
    pub tok: Tok,
    /// Its byte offset in the file.
    pub at: usize,
}

/// Operators, longest first so that `...` wins over `.`.
const SYMS: &[&str] = &[
    "...", "??", ".?", "::", "==", "!=", "=~", "!~", "<=", ">=", "&&", "||", "=>", "{", "}", "[",
    "]", "(", ")", ",", ".", ":", "?", "=", "+", "-", "*", "/", "%", "!", "@", "|", "<", ">", "^",
];

/// The most tokens one file may have (hostile input must end).
pub const MAX_TOKENS: usize = 4_000_000;

/// Splits `text` into tokens, ending with [`Tok::Eof`].
pub fn lex(text: &str) -> Result<Vec<Token>, Error> {
    let mut l = Lexer {
        s: text.as_bytes(),
        text,
        i: 0,
        out: Vec::new(),
    };
    l.run(None)?;
    l.out.push(Token {
        tok: Tok::Eof,
        at: text.len(),
    });
    Ok(l.out)
}

struct Lexer<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    out: Vec<Token>,
}

impl Lexer<'_> {
    fn err(&self, at: usize, message: &str) -> Error {
        Error {
            at,
            message: message.to_string(),
        }
    }

    fn push(&mut self, tok: Tok, at: usize) -> Result<(), Error> {
        if self.out.len() >= MAX_TOKENS {
            return Err(self.err(at, "the file has too many tokens"));
        }
        self.out.push(Token { tok, at });
        Ok(())
    }

    /// Lexes until the end, or (inside a `${` hole) until its closing `}`.
    fn run(&mut self, hole: Option<usize>) -> Result<(), Error> {
        let mut depth = 0usize;
        while self.i < self.s.len() {
            let c = self.s[self.i];
            let at = self.i;
            match c {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\n' => {
                    self.i += 1;
                    if self.out.last().is_some_and(|t| t.tok != Tok::Newline) {
                        self.push(Tok::Newline, at)?;
                    }
                }
                // `#disable-next-line ...` and other pragmas run to the end of the line.
                b'#' if hole.is_none() => {
                    while self.i < self.s.len() && self.s[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                b'/' if self.s.get(self.i + 1) == Some(&b'/') => {
                    while self.i < self.s.len() && self.s[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                b'/' if self.s.get(self.i + 1) == Some(&b'*') => {
                    let end = self.text[self.i + 2..]
                        .find("*/")
                        .ok_or_else(|| self.err(at, "a /* comment is not closed"))?;
                    self.i += 2 + end + 2;
                }
                // `$'''...${x}...'''`: a multi-line string with holes.
                b'$' if self.s[self.i + 1..].starts_with(b"'''") => {
                    let t = self.multi_holes()?;
                    self.push(t, at)?;
                }
                b'\'' if self.s[self.i..].starts_with(b"'''") => {
                    let body = self.i + 3;
                    let end = self.text[body..]
                        .find("'''")
                        .ok_or_else(|| self.err(at, "a ''' string is not closed"))?;
                    let mut v = &self.text[body..body + end];
                    // A line break right after the opening quotes is not part of the value.
                    v = v
                        .strip_prefix("\r\n")
                        .or_else(|| v.strip_prefix('\n'))
                        .unwrap_or(v);
                    self.i = body + end + 3;
                    self.push(Tok::Multi(v.to_string()), at)?;
                }
                b'\'' => {
                    let t = self.string()?;
                    self.push(t, at)?;
                }
                b'0'..=b'9' => {
                    let start = self.i;
                    while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
                        self.i += 1;
                    }
                    let n = self.text[start..self.i]
                        .parse::<i64>()
                        .map_err(|_| self.err(at, "the integer is too large"))?;
                    self.push(Tok::Int(n), at)?;
                }
                c if c == b'_' || c.is_ascii_alphabetic() => {
                    let start = self.i;
                    while self.i < self.s.len()
                        && (self.s[self.i] == b'_' || self.s[self.i].is_ascii_alphanumeric())
                    {
                        self.i += 1;
                    }
                    self.push(Tok::Ident(self.text[start..self.i].to_string()), at)?;
                }
                _ => {
                    if let Some(h) = hole {
                        if c == b'{' {
                            depth += 1;
                        } else if c == b'}' {
                            if depth == 0 {
                                self.i += 1;
                                let _ = h;
                                return Ok(());
                            }
                            depth -= 1;
                        }
                    }
                    let Some(sym) = SYMS
                        .iter()
                        .find(|s| self.s[self.i..].starts_with(s.as_bytes()))
                    else {
                        let ch = self.text[self.i..].chars().next().unwrap_or('?');
                        return Err(self.err(at, &format!("unexpected character '{ch}'")));
                    };
                    self.i += sym.len();
                    self.push(Tok::Sym(sym), at)?;
                }
            }
        }
        match hole {
            Some(h) => Err(self.err(h, "a ${ in a string is not closed")),
            None => Ok(()),
        }
    }

    /// A `$'''...'''` string at its `$`: verbatim text (less a line break right after the
    /// quotes) around `${...}` holes.
    fn multi_holes(&mut self) -> Result<Tok, Error> {
        let open = self.i;
        self.i += 4;
        if self.s[self.i..].starts_with(b"\r\n") {
            self.i += 2;
        } else if self.s.get(self.i) == Some(&b'\n') {
            self.i += 1;
        }
        let mut pieces = vec![String::new()];
        let mut holes = Vec::new();
        loop {
            if self.i >= self.s.len() {
                return Err(self.err(open, "a $''' string is not closed"));
            }
            if self.s[self.i..].starts_with(b"'''") {
                self.i += 3;
                return Ok(Tok::Str { pieces, holes });
            }
            if self.s[self.i..].starts_with(b"${") {
                holes.push(self.hole()?);
                pieces.push(String::new());
                continue;
            }
            let ch = self.text[self.i..].chars().next().expect("in bounds");
            pieces.last_mut().expect("one piece").push(ch);
            self.i += ch.len_utf8();
        }
    }

    /// The tokens of a `${...}` hole, at its `$`.
    fn hole(&mut self) -> Result<Vec<Token>, Error> {
        let start = self.i;
        self.i += 2;
        let mut inner = Lexer {
            s: self.s,
            text: self.text,
            i: self.i,
            out: Vec::new(),
        };
        inner.run(Some(start))?;
        self.i = inner.i;
        inner.out.retain(|t| t.tok != Tok::Newline);
        inner.out.push(Token {
            tok: Tok::Eof,
            at: self.i - 1,
        });
        Ok(inner.out)
    }

    /// A `'...'` string at its opening quote.
    fn string(&mut self) -> Result<Tok, Error> {
        let open = self.i;
        self.i += 1;
        let mut pieces = vec![String::new()];
        let mut holes = Vec::new();
        loop {
            let Some(&c) = self.s.get(self.i) else {
                return Err(self.err(open, "the string is not closed"));
            };
            match c {
                b'\'' => {
                    self.i += 1;
                    return Ok(Tok::Str { pieces, holes });
                }
                b'\n' => {
                    return Err(self
                        .err(open, "the string is not closed on its line")
                        .hint("use '''...''' for a string of several lines"))
                }
                b'\\' => {
                    let e = self.s.get(self.i + 1).copied();
                    let piece = pieces.last_mut().expect("one piece");
                    self.i += 2;
                    match e {
                        Some(b'\\') => piece.push('\\'),
                        Some(b'\'') => piece.push('\''),
                        Some(b'n') => piece.push('\n'),
                        Some(b'r') => piece.push('\r'),
                        Some(b't') => piece.push('\t'),
                        Some(b'$') => piece.push('$'),
                        Some(b'u') if self.s.get(self.i) == Some(&b'{') => {
                            let end = self.text[self.i..]
                                .find('}')
                                .ok_or_else(|| self.err(self.i, "\\u{ is not closed"))?;
                            let hex = &self.text[self.i + 1..self.i + end];
                            let ch = u32::from_str_radix(hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or_else(|| self.err(self.i, "not a Unicode code point"))?;
                            piece.push(ch);
                            self.i += end + 1;
                        }
                        _ => {
                            return Err(self
                                .err(self.i - 2, "unknown escape in a string")
                                .hint("Bicep knows \\\\ \\' \\n \\r \\t \\$ and \\u{...}"))
                        }
                    }
                }
                b'$' if self.s.get(self.i + 1) == Some(&b'{') => {
                    holes.push(self.hole()?);
                    pieces.push(String::new());
                }
                _ => {
                    let ch = self.text[self.i..].chars().next().expect("in bounds");
                    pieces.last_mut().expect("one piece").push(ch);
                    self.i += ch.len_utf8();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<Tok> {
        lex(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn strings_with_holes_and_escapes() {
        let t = kinds("'a${x.y}\\'b' // c\n");
        let Tok::Str { pieces, holes } = &t[0] else {
            panic!("{t:?}")
        };
        assert_eq!(pieces, &["a", "'b"]);
        assert_eq!(holes[0].len(), 4, "x . y Eof");
        assert_eq!(t[1], Tok::Newline);
    }

    #[test]
    fn nested_braces_in_a_hole() {
        let t = kinds("'${{a: 1}.a}'");
        let Tok::Str { holes, .. } = &t[0] else {
            panic!()
        };
        assert_eq!(holes[0][0].tok, Tok::Sym("{"));
    }

    #[test]
    fn multi_line_strings_drop_the_first_break() {
        assert_eq!(kinds("'''\nhello!'''")[0], Tok::Multi("hello!".into()));
    }

    #[test]
    fn multi_line_strings_with_holes() {
        let Tok::Str { pieces, holes } = &kinds("$'''\na ${x}\n'''")[0] else {
            panic!()
        };
        assert_eq!(pieces, &["a ", "\n"]);
        assert_eq!(holes.len(), 1);
    }

    #[test]
    fn errors_say_where() {
        assert_eq!(lex("var x = 'abc").unwrap_err().at, 8);
        assert_eq!(lex("a /* b").unwrap_err().at, 2);
        assert!(lex("'\\q'").is_err());
        assert!(lex("'${a'").is_err());
        assert!(lex("'${#}'").is_err());
        assert_eq!(
            kinds("#disable-next-line x\na"),
            vec![Tok::Ident("a".into()), Tok::Eof]
        );
    }
}
