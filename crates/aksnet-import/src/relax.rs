//! JSON as Azure Resource Manager reads it: `//` and `/* */` comments, and line breaks inside
//! strings (templates and parameter files may hold both;
//! https://learn.microsoft.com/azure/azure-resource-manager/templates/syntax#comments and
//! #multi-line-strings). [`relax`] rewrites such a text into strict JSON for serde_json, and
//! [`Relaxed::original_position`] maps a position serde_json reports back to the text as written,
//! so every line and column in a message stays exact. A leaf module.

use memchr::memchr2;

/// A text rewritten into strict JSON: comments blanked to spaces, each control character inside
/// a string written as its escape.
#[derive(Debug)]
pub(crate) struct Relaxed {
    /// The strict JSON.
    pub(crate) bytes: Vec<u8>,
    /// For each escape written for a control character: the offset just after it in `bytes`
    /// and how many bytes longer `bytes` is than the text up to there.
    shifts: Vec<(usize, usize)>,
}

/// The strict JSON for `text`, or `None` when `text` has neither a comment nor a control
/// character (a line break, a tab) inside a string (the common case: no copy). An unterminated `/*` is left for serde_json to
/// report.
pub(crate) fn relax(text: &[u8]) -> Option<Relaxed> {
    if !needs_relaxing(text) {
        return None;
    }
    let mut out: Option<Relaxed> = None;
    // `copied`: how much of `text` is already in `out`.
    let mut copied = 0;
    let mut i = 0;
    fn start(out: &mut Option<Relaxed>, len: usize) -> &mut Relaxed {
        out.get_or_insert_with(|| Relaxed {
            bytes: Vec::with_capacity(len + 16),
            shifts: Vec::new(),
        })
    }
    // Outside a string: the next quote or slash.
    while let Some(p) = memchr2(b'"', b'/', &text[i..]) {
        i += p;
        if text[i] == b'/' {
            let end = match text.get(i + 1) {
                Some(b'/') => memchr::memchr(b'\n', &text[i..]).map_or(text.len(), |p| i + p),
                Some(b'*') => match memchr::memmem::find(&text[i + 2..], b"*/") {
                    Some(p) => i + 2 + p + 2,
                    None => break,
                },
                _ => {
                    i += 1;
                    continue;
                }
            };
            let r = start(&mut out, text.len());
            r.bytes.extend_from_slice(&text[copied..i]);
            r.bytes.extend(text[i..end].iter().map(|&b| {
                if b == b'\n' || b == b'\r' {
                    b
                } else {
                    b' '
                }
            }));
            copied = end;
            i = end;
            continue;
        }
        // Inside a string: up to its closing quote, escaping raw control characters (line
        // breaks, tabs) as the strict form requires; the value read is the same.
        i += 1;
        loop {
            let Some(p) = memchr2(b'"', b'\\', &text[i.min(text.len())..]).map(|p| i + p) else {
                i = text.len();
                break;
            };
            if text[i..p].iter().any(|&b| b < 0x20) {
                let r = start(&mut out, text.len());
                r.bytes.extend_from_slice(&text[copied..i]);
                for &b in &text[i..p] {
                    let escape: &[u8] = match b {
                        b'\n' => b"\\n",
                        b'\r' => b"\\r",
                        b'\t' => b"\\t",
                        0..0x20 => {
                            r.bytes.extend_from_slice(format!("\\u{b:04x}").as_bytes());
                            r.shift(5);
                            continue;
                        }
                        _ => {
                            r.bytes.push(b);
                            continue;
                        }
                    };
                    r.bytes.extend_from_slice(escape);
                    r.shift(1);
                }
                copied = p;
            }
            if text[p] == b'"' {
                i = p + 1;
                break;
            }
            i = p + 2; // an escape: skip the escaped byte
            if i >= text.len() {
                break;
            }
        }
        if i >= text.len() {
            break;
        }
    }
    let mut r = out?;
    r.bytes.extend_from_slice(&text[copied.min(text.len())..]);
    Some(r)
}

/// States of [`needs_relaxing`]'s scanner.
const OUTSIDE: u8 = 0;
const IN_STRING: u8 = 1;
const ESCAPED: u8 = 2;
const SLASH: u8 = 3;
const FOUND: u8 = 4;

/// The scanner's transitions, `[state][byte]`: a comment outside strings or a control character
/// inside one leads to `FOUND`.
const NEXT: [[u8; 256]; 4] = {
    let mut t = [[OUTSIDE; 256]; 4];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[OUTSIDE as usize][b] = match c {
            b'"' => IN_STRING,
            b'/' => SLASH,
            _ => OUTSIDE,
        };
        t[IN_STRING as usize][b] = match c {
            b'"' => OUTSIDE,
            b'\\' => ESCAPED,
            0..0x20 => FOUND,
            _ => IN_STRING,
        };
        t[ESCAPED as usize][b] = IN_STRING;
        t[SLASH as usize][b] = match c {
            b'/' | b'*' => FOUND,
            b'"' => IN_STRING,
            _ => OUTSIDE,
        };
        b += 1;
    }
    t
};

/// Whether `text` has a comment outside strings or a control character inside one: a table
/// driven pass, a few instructions a byte, which is all the common case (strict JSON) costs.
fn needs_relaxing(text: &[u8]) -> bool {
    let mut state = OUTSIDE;
    for &b in text {
        state = NEXT[usize::from(state)][usize::from(b)];
        if state == FOUND {
            return true;
        }
    }
    false
}

impl Relaxed {
    /// Records that the escape just written is `extra` bytes longer than what it replaces.
    fn shift(&mut self, extra: usize) {
        let total = self.shifts.last().map_or(0, |&(_, t)| t) + extra;
        self.shifts.push((self.bytes.len(), total));
    }

    /// The 1-based line and column in `original` of the position serde_json reports as `line`
    /// and `column` (1-based, counted in bytes) in the relaxed text.
    pub(crate) fn original_position(
        &self,
        original: &[u8],
        line: usize,
        column: usize,
    ) -> (usize, usize) {
        // The byte offset in the relaxed text.
        let mut offset = 0;
        for _ in 1..line {
            match memchr::memchr(b'\n', &self.bytes[offset..]) {
                Some(p) => offset += p + 1,
                None => break,
            }
        }
        let offset = (offset + column.saturating_sub(1)).min(self.bytes.len());
        // Back to the original: each `\n`-for-`\n` escape before it added one byte.
        let n = self.shifts.partition_point(|&(at, _)| at <= offset);
        let added = n.checked_sub(1).map_or(0, |k| self.shifts[k].1);
        let at = offset.saturating_sub(added).min(original.len());
        let before = &original[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = at
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1)
            + 1;
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::relax;

    #[test]
    fn comments_outside_strings_become_spaces_and_positions_stay() {
        let text = b"{ // a comment\n  \"a\": \"http://x/*y*/\", /* block\n spanning */ \"b\": 1 }";
        let out = relax(text).expect("there are comments").bytes;
        assert_eq!(out.len(), text.len());
        let s = String::from_utf8(out).unwrap();
        assert_eq!(s.lines().count(), 3);
        assert!(s.contains("\"http://x/*y*/\""), "{s}");
        assert!(!s.contains("comment") && !s.contains("block") && !s.contains("spanning"));
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["b"], 1);
        assert!(relax(b"{\"id\": \"/subscriptions/x\"}").is_none());
        assert!(relax(b"{\"url\": \"https://a\"}").is_none());
        assert!(relax(b"{\n  \"a\": 1\n}\n").is_none());
        // An escaped quote does not end the string; an unterminated block is left alone.
        let tricky = br#"{"a": "\" // not a comment", "b": 2} /* open"#;
        assert!(relax(tricky).is_none());
    }

    #[test]
    fn line_breaks_inside_strings_are_read_as_arm_reads_them() {
        let text = b"{\"a\": \"one\ntwo\",\r\n \"b\": \"x\r\ny\", \"c\": 3}";
        let r = relax(text).expect("line breaks in strings");
        let v: serde_json::Value = serde_json::from_slice(&r.bytes).unwrap();
        assert_eq!(v["a"], "one\ntwo");
        assert_eq!(v["b"], "x\r\ny");
        assert_eq!(v["c"], 3);
    }

    /// A syntax error after multi-line strings is reported where it is in the file as written.
    #[test]
    fn positions_map_back_to_the_text_as_written() {
        let text = b"{\"a\": \"one\ntwo\nthree\", // note\n \"b\": \"x\r\ny\",\n \"c\": ?}";
        let r = relax(text).unwrap();
        let e = serde_json::from_slice::<serde_json::Value>(&r.bytes).unwrap_err();
        let (line, column) = r.original_position(text, e.line(), e.column());
        // serde_json sees line 3; in the file as written `?` is on line 6, column 7.
        assert_eq!(e.line(), 3);
        assert_eq!((line, column), (6, 7), "{e}");
        let original = std::str::from_utf8(text).unwrap();
        assert_eq!(
            original.lines().nth(line - 1).unwrap().as_bytes()[column - 1],
            b'?'
        );
    }

    proptest::proptest! {
        /// Any bytes: no panic, and every position maps into the text as written.
        #[test]
        fn never_panics(text in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
                        line in 0usize..20, column in 0usize..50) {
            if let Some(r) = relax(&text) {
                let (l, c) = r.original_position(&text, line, column);
                proptest::prop_assert!(l >= 1 && c >= 1);
            }
        }

        /// A string holding line breaks reads back as written, and the rest of the document
        /// is untouched.
        #[test]
        fn multi_line_strings_round_trip(parts in proptest::collection::vec("[a-z \\t]{0,6}", 1..5),
                                         crlf in proptest::prelude::any::<bool>()) {
            let brk = if crlf { "\r\n" } else { "\n" };
            let value = parts.join(brk);
            let text = format!("{{\n  \"k\": \"{value}\",\n  \"n\": 1\n}}");
            let r = relax(text.as_bytes());
            let strict = r.as_ref().map_or(text.as_bytes(), |r| &r.bytes[..]);
            let v: serde_json::Value = serde_json::from_slice(strict).unwrap();
            proptest::prop_assert_eq!(v["k"].as_str().unwrap(), value);
            proptest::prop_assert_eq!(&v["n"], 1);
        }
    }
}
