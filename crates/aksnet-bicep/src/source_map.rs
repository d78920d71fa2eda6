//! Where each part of a compiled template came from: JSON paths of the template (as the ARM
//! deployer names declarations and values in its notes and origins) mapped to a `.bicep` file,
//! line and column.

use std::collections::BTreeMap;
use std::sync::Arc;

/// A source file of a compilation: its name (as given) and text.
#[derive(Clone, Debug)]
pub struct Source {
    /// The file's path, as the user gave it or as a module path joined to it.
    pub name: String,
    /// Its text.
    pub text: Arc<str>,
}

/// A position in a source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The file.
    pub file: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
}

/// JSON paths of a compiled template to byte offsets of its sources.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    /// The sources, indexed by the entries.
    pub(crate) sources: Vec<Source>,
    /// Path → (source index, byte offset).
    pub(crate) entries: BTreeMap<String, (usize, usize)>,
}

impl SourceMap {
    /// Adds a source and returns its index.
    pub(crate) fn add_source(&mut self, name: &str, text: Arc<str>) -> usize {
        self.sources.push(Source {
            name: name.to_string(),
            text,
        });
        self.sources.len() - 1
    }

    /// Records that the value at `path` was written at `at` in source `file`.
    pub(crate) fn record(&mut self, path: &str, file: usize, at: usize) {
        self.entries.insert(path.to_string(), (file, at));
    }

    /// Takes in another map, its paths under `prefix` (a module's template inside its
    /// deployment).
    pub(crate) fn nest(&mut self, prefix: &str, other: &SourceMap) {
        let base = self.sources.len();
        self.sources.extend(other.sources.iter().cloned());
        for (p, (f, at)) in &other.entries {
            let path = match p.strip_prefix('$') {
                Some(rest) => format!("{prefix}{rest}"),
                None => continue,
            };
            self.entries.insert(path, (base + f, *at));
        }
    }

    /// The place of the nearest recorded path at or above `path` (`$.a.b[2] (copy x 1)` is
    /// looked up as `$.a.b[2]`, then `$.a.b`, then `$.a`...).
    pub fn place(&self, path: &str) -> Option<Place> {
        let mut p = path.split(" (").next().unwrap_or(path);
        loop {
            if let Some(&(f, at)) = self.entries.get(p) {
                let s = &self.sources[f];
                let (line, column) = crate::syntax::line_column(&s.text, at);
                return Some(Place {
                    file: s.name.clone(),
                    line,
                    column,
                });
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_recorded_path_wins() {
        let mut m = SourceMap::default();
        let f = m.add_source("main.bicep", Arc::from("a\nresource x\n  name: 'n'\n"));
        m.record("$.resources.x", f, 2);
        m.record("$.resources.x.name", f, 15);
        let at = |p: &str| m.place(p).map(|p| (p.line, p.column));
        assert_eq!(at("$.resources.x.name"), Some((3, 3)));
        assert_eq!(at("$.resources.x.properties.a[2] (x copy 1)"), Some((2, 1)));
        assert_eq!(at("$.outputs.y"), None);
        let mut outer = SourceMap::default();
        outer.nest("$.resources.m.properties.template", &m);
        assert_eq!(
            outer
                .place("$.resources.m.properties.template.resources.x.name")
                .map(|p| p.line),
            Some(3)
        );
    }
}
