//! Where a JSON path (`$.resources[3].properties.x`) is in a file as written: its line and
//! column, found by walking the text (comments allowed, as ARM allows them) without building
//! a tree. Used to point template diagnostics at the declaration or value they are about.

/// One step of a JSON path.
#[derive(Debug, PartialEq, Eq)]
enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

/// The steps of `$.a.b[2].c`; anything after a space (`$.resources[1] (vnets copy 2)`) is
/// a description, not the path.
fn steps(path: &str) -> Option<Vec<Step<'_>>> {
    let path = path.split(" (").next()?;
    let mut rest = path.strip_prefix('$')?;
    let mut out = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            out.push(Step::Key(&r[..end]));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            out.push(Step::Index(r[..end].parse().ok()?));
            rest = &r[end + 1..];
        } else {
            return None;
        }
    }
    Some(out)
}

struct Walk<'t> {
    t: &'t [u8],
    i: usize,
}

impl Walk<'_> {
    fn peek(&self) -> Option<u8> {
        self.t.get(self.i).copied()
    }

    /// Skips white space and comments.
    fn ws(&mut self) {
        loop {
            match (self.peek(), self.t.get(self.i + 1)) {
                (Some(b' ' | b'\t' | b'\n' | b'\r'), _) => self.i += 1,
                (Some(b'/'), Some(b'/')) => {
                    while self.peek().is_some_and(|c| c != b'\n') {
                        self.i += 1;
                    }
                }
                (Some(b'/'), Some(b'*')) => {
                    self.i += 2;
                    while self.i < self.t.len() && !self.t[self.i..].starts_with(b"*/") {
                        self.i += 1;
                    }
                    self.i = (self.i + 2).min(self.t.len());
                }
                _ => return,
            }
        }
    }

    /// Reads a string (at its opening quote) and returns its raw text.
    fn string(&mut self) -> Option<&[u8]> {
        if self.peek()? != b'"' {
            return None;
        }
        self.i += 1;
        let start = self.i;
        while let Some(c) = self.peek() {
            match c {
                b'\\' => self.i += 2,
                b'"' => {
                    let s = &self.t[start..self.i];
                    self.i += 1;
                    return Some(s);
                }
                _ => self.i += 1,
            }
        }
        None
    }

    /// Skips one value.
    fn value(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    self.ws();
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                while self.peek().is_some_and(|c| {
                    !matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t' | b'/')
                }) {
                    self.i += 1;
                }
                Some(())
            }
        }
    }

    /// Moves to the value of `key` in the object here.
    fn key(&mut self, key: &str) -> Option<()> {
        self.ws();
        if self.peek()? != b'{' {
            return None;
        }
        self.i += 1;
        loop {
            self.ws();
            let k = self.string()?;
            let hit = k.eq_ignore_ascii_case(key.as_bytes());
            self.ws();
            if self.peek()? != b':' {
                return None;
            }
            self.i += 1;
            self.ws();
            if hit {
                return Some(());
            }
            self.value()?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                _ => return None,
            }
        }
    }

    /// Moves to element `n` of the array here.
    fn index(&mut self, n: usize) -> Option<()> {
        self.ws();
        if self.peek()? != b'[' {
            return None;
        }
        self.i += 1;
        for _ in 0..n {
            self.value()?;
            self.ws();
            if self.peek()? != b',' {
                return None;
            }
            self.i += 1;
        }
        self.ws();
        (self.peek()? != b']').then_some(())
    }
}

/// The byte offset of the value at `path` in `text`, if the path leads somewhere.
pub(crate) fn offset(text: &[u8], path: &str) -> Option<usize> {
    let mut w = Walk { t: text, i: 0 };
    w.ws();
    for s in steps(path)? {
        match s {
            Step::Key(k) => w.key(k)?,
            Step::Index(n) => w.index(n)?,
        }
    }
    Some(w.i)
}

/// The byte offsets of many paths in one pass over `text`: only the containers on the way to
/// a wanted path are entered, every other value is skipped.
pub(crate) fn offsets(text: &[u8], paths: &[&str]) -> std::collections::HashMap<String, usize> {
    use std::collections::{HashMap, HashSet};
    let wanted: HashSet<&str> = paths
        .iter()
        .map(|p| p.split(" (").next().unwrap_or(p))
        .collect();
    let mut prefixes: HashSet<&str> = HashSet::new();
    for p in &wanted {
        for (i, c) in p.char_indices() {
            if c == '.' || c == '[' {
                prefixes.insert(&p[..i]);
            }
        }
    }
    let mut found = HashMap::new();
    let mut w = Walk { t: text, i: 0 };
    w.ws();
    fn go(
        w: &mut Walk,
        path: &mut String,
        wanted: &HashSet<&str>,
        prefixes: &HashSet<&str>,
        found: &mut HashMap<String, usize>,
        depth: usize,
    ) -> Option<()> {
        w.ws();
        if wanted.contains(path.as_str()) {
            found.insert(path.clone(), w.i);
        }
        if !prefixes.contains(path.as_str()) || depth > 256 {
            return w.value();
        }
        match w.peek()? {
            b'{' => {
                w.i += 1;
                loop {
                    w.ws();
                    if w.peek()? == b'}' {
                        w.i += 1;
                        return Some(());
                    }
                    let key = String::from_utf8_lossy(w.string()?).into_owned();
                    w.ws();
                    if w.peek()? != b':' {
                        return None;
                    }
                    w.i += 1;
                    let len = path.len();
                    path.push('.');
                    path.push_str(&key);
                    go(w, path, wanted, prefixes, found, depth + 1)?;
                    path.truncate(len);
                    w.ws();
                    match w.peek()? {
                        b',' => w.i += 1,
                        b'}' => {
                            w.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                w.i += 1;
                let mut n = 0usize;
                loop {
                    w.ws();
                    if w.peek()? == b']' {
                        w.i += 1;
                        return Some(());
                    }
                    let len = path.len();
                    path.push_str(&format!("[{n}]"));
                    go(w, path, wanted, prefixes, found, depth + 1)?;
                    path.truncate(len);
                    n += 1;
                    w.ws();
                    match w.peek()? {
                        b',' => w.i += 1,
                        b']' => {
                            w.i += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            _ => w.value(),
        }
    }
    let mut path = String::from("$");
    let _ = go(&mut w, &mut path, &wanted, &prefixes, &mut found, 0);
    found
}

/// 1-based line and column (in characters) of byte offset `at`.
pub(crate) fn line_column(text: &[u8], at: usize) -> (u64, u64) {
    let before = &text[..at.min(text.len())];
    let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line as u64, column as u64)
}

/// The file, line and column of each resource's origin (`file: $.path`), by id, reading
/// each file once.
pub(crate) fn places(
    origins: &[(String, String)],
) -> std::collections::BTreeMap<String, (String, u64, u64)> {
    let mut by_file: std::collections::BTreeMap<&str, Vec<(&str, &str)>> = Default::default();
    let mut out = std::collections::BTreeMap::new();
    for (id, origin) in origins {
        if let Some(at) = positioned(origin) {
            // Terraform: the origin carries the block's position.
            out.insert(id.to_string(), at);
            continue;
        }
        if let Some((file, path)) = origin.split_once(": $") {
            by_file
                .entry(file)
                .or_default()
                .push((id, &origin[file.len() + 2..][..path.len() + 1]));
        }
    }
    for (file, items) in by_file {
        let small =
            std::fs::metadata(file).is_ok_and(|m| m.is_file() && m.len() <= crate::MAX_FILE_BYTES);
        let Some(text) = small.then(|| std::fs::read(file).ok()).flatten() else {
            continue;
        };
        let paths: Vec<&str> = items.iter().map(|(_, p)| *p).collect();
        let found = offsets(&text, &paths);
        let starts: Vec<usize> = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', &text).map(|i| i + 1))
            .collect();
        for (id, path) in items {
            if let Some(&at) = found.get(path.split(" (").next().unwrap_or(path)) {
                let line = starts.partition_point(|&s| s <= at);
                let start = starts[line - 1];
                let column = String::from_utf8_lossy(&text[start..at]).chars().count() + 1;
                let (line, column) = (line as u64, column as u64);
                out.insert(id.to_string(), (file.to_string(), line, column));
            }
        }
    }
    out
}

/// The position an origin `file:line:column: what` (or `file:line:column`) carries
/// (Terraform's, see `terraform::origin`, and Bicep's); `None` for other origins.
fn positioned(origin: &str) -> Option<(String, u64, u64)> {
    let head = origin.split_once(": ").map_or(origin, |(h, _)| h);
    let mut parts = head.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    let file = parts.next()?;
    (line > 0).then(|| (file.to_string(), line, column))
}

/// Gives diagnostics that name a JSON path of a file (a template's `$.resources[3]...`, or a
/// resource's origin `file: $.path`) the line and column of that path in the file as written;
/// an expression error's column within its string becomes a column of the file.
pub(crate) fn place(diags: &mut [crate::raw::Diagnostic]) {
    let mut texts: std::collections::HashMap<String, Option<Vec<u8>>> = Default::default();
    for d in diags.iter_mut().filter(|d| d.position.is_none()) {
        // Terraform: the origin `file:line:column: address` carries the position.
        if let Some((file, line, column)) = positioned(&d.file) {
            let address = d.file.split_once(": ").map_or("", |(_, a)| a).to_string();
            if !address.is_empty() {
                d.location = format!("{address}: {}", d.location);
            }
            d.file = file;
            d.position = Some((line, column));
            continue;
        }
        let (file, path, origin) = if d.location.starts_with('$') {
            (d.file.clone(), d.location.clone(), false)
        } else if let Some((f, p)) = d.file.split_once(": $") {
            (f.to_string(), format!("${p}"), true)
        } else {
            continue;
        };
        let text = texts.entry(file.clone()).or_insert_with(|| {
            let small = std::fs::metadata(&file)
                .is_ok_and(|m| m.is_file() && m.len() <= crate::MAX_FILE_BYTES);
            small.then(|| std::fs::read(&file).ok()).flatten()
        });
        let Some(text) = text.as_deref() else {
            continue;
        };
        let Some(at) = offset(text, &path) else {
            continue;
        };
        let (line, mut column) = line_column(text, at);
        // `column N: ...` of an expression counts from the string's opening quote.
        if let Some((n, rest)) = d
            .message
            .strip_prefix("column ")
            .and_then(|r| r.split_once(": "))
            .and_then(|(n, rest)| n.parse::<u64>().ok().map(|n| (n, rest.to_string())))
        {
            column += n;
            d.message = rest;
        }
        d.position = Some((line, column));
        if origin {
            d.file = file;
        } else {
            d.location = format!("{line}:{column}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_lead_to_their_values() {
        let t = br#"{
  // a comment with "quotes" and [brackets]
  "resources": [
    { "name": "a", "x": "[concat('}', ']')]" },
    /* another */ {
      "Name": "b",
      "properties": { "list": [1, 2, {"k": "v"}] }
    }
  ]
}"#;
        let at = |p: &str| offset(t, p).map(|o| line_column(t, o));
        assert_eq!(at("$.resources[0]"), Some((4, 5)));
        assert_eq!(at("$.resources[1]"), Some((5, 19)));
        assert_eq!(at("$.resources[1].name (vnets copy 2)"), Some((6, 15)));
        assert_eq!(at("$.resources[1].properties.list[2].k"), Some((7, 44)));
        assert_eq!(at("$.resources[2]"), None);
        assert_eq!(at("$.nosuch"), None);
        assert_eq!(at("resources"), None);
        assert_eq!(at("$.resources[0].x"), Some((4, 25)));
    }

    #[test]
    fn many_paths_in_one_pass_agree_with_one_at_a_time() {
        let t = br#"{"resources": [{"a": 1}, {"b": {"c": [1, {"d": 2}]}}], "x": "y"}"#;
        let paths = [
            "$.resources[0]",
            "$.resources[1].b.c[1].d",
            "$.x",
            "$.nosuch",
            "$.resources[1] (l copy 1)",
        ];
        let found = offsets(t, &paths);
        for p in paths {
            assert_eq!(
                found.get(p.split(" (").next().unwrap()).copied(),
                offset(t, p),
                "{p}"
            );
        }
    }

    #[test]
    fn broken_text_ends_without_a_position() {
        for t in [
            &b"{\"a\": [1, 2"[..],
            b"{\"a\": \"x",
            b"",
            b"[[[[",
            b"{\"a\" 1}",
        ] {
            let _ = offset(t, "$.a[1].b");
            let _ = offset(t, "$[0][0][0]");
        }
    }
}
