//! The one diagnostic type: every error and warning aksnet shows a user — a bad intent, an
//! unreadable file, a resource the importer skipped, a structural problem of an estate, an
//! output it refuses to overwrite — is a [`Diagnostic`] and is rendered by [`Diagnostic::render`],
//! the way rustc renders its own (through `annotate-snippets`, the crate rustc and cargo use):
//! a level and an optional code, the message, where (file:line:column with the line's text
//! under it, a JSON path, or a resource id), and a hint.
//!
//! Libraries return their own typed errors; each converts into a `Diagnostic` where it is
//! shown, so a message is never cut out of another library's text.

use std::fmt;

use annotate_snippets::{AnnotationKind, Level, Origin, Renderer, Snippet};
use serde::Serialize;

use crate::ResourceId;

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Azure would refuse it, or aksnet cannot go on.
    Error,
    /// Deployable or readable, but against Microsoft's guidance or likely to fail later.
    Warning,
}

/// Where a diagnostic points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Location {
    /// A place in a text file (1-based line and column), with the line's text when known.
    #[serde(rename_all = "camelCase")]
    Text {
        /// The file, as given.
        file: String,
        /// Line, from 1.
        line: u64,
        /// Column, from 1 (characters).
        column: u64,
        /// The text of that line, shown under the message.
        #[serde(skip)]
        source_line: Option<String>,
    },
    /// A JSON path in a file, e.g. `$.value[3].properties`.
    Json {
        /// The file, as given.
        file: String,
        /// The path.
        path: String,
    },
    /// A resource (or child resource) by its id.
    Resource {
        /// The id.
        id: ResourceId,
    },
    /// A whole file, or a command-line value such as `--on-premises`.
    File {
        /// The file or flag.
        file: String,
    },
}

/// One message for the user: what is wrong, where, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable code, when the problem has one (e.g. `subnet-outside-vnet`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    /// What is wrong, with the names and numbers.
    pub message: String,
    /// Where (boxed: most diagnostics travel in `Result`s and stay small).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Box<Location>>,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error with its message and nothing else yet.
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code: None,
            message: message.into(),
            location: None,
            hint: None,
        }
    }

    /// A warning with its message and nothing else yet.
    pub fn warning(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(message)
        }
    }

    /// With a stable code.
    pub fn code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    /// With a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// At a location.
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(Box::new(location));
        self
    }

    /// At a line and column of a text file; `source` (the whole text), when given, supplies the
    /// line shown under the message.
    pub fn at_text(self, file: &str, line: u64, column: u64, source: Option<&str>) -> Self {
        let source_line = source.and_then(|s| {
            let i = usize::try_from(line.checked_sub(1)?).ok()?;
            s.lines().nth(i).map(str::to_string)
        });
        self.at(Location::Text {
            file: file.to_string(),
            line,
            column,
            source_line,
        })
    }

    /// About a whole file (or a flag's value).
    pub fn in_file(self, file: impl Into<String>) -> Self {
        self.at(Location::File { file: file.into() })
    }

    /// About a resource.
    pub fn on_resource(self, id: &ResourceId) -> Self {
        self.at(Location::Resource { id: id.clone() })
    }

    /// Whether it is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders it as rustc does, without colour.
    pub fn render(&self) -> String {
        self.render_with(&Renderer::plain())
    }

    /// Renders it with colour (ANSI), for a terminal.
    pub fn render_styled(&self) -> String {
        self.render_with(&Renderer::styled())
    }

    fn render_with(&self, renderer: &Renderer) -> String {
        let level = match self.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut title = level.primary_title(self.message.as_str());
        if let Some(code) = self.code {
            title = title.id(code);
        }
        let mut group = annotate_snippets::Group::with_title(title);
        let labelled;
        match self.location.as_deref() {
            Some(Location::Text {
                file,
                line,
                column,
                source_line: Some(text),
            }) if token(text, *column).is_some() => {
                let span = token(text, *column).unwrap_or_default();
                group = group.element(
                    Snippet::source(text.as_str())
                        .line_start(usize::try_from(*line).unwrap_or(usize::MAX))
                        .path(file.as_str())
                        .annotation(AnnotationKind::Primary.span(span)),
                );
            }
            Some(Location::Text {
                file, line, column, ..
            }) => {
                group = group.element(
                    Origin::path(file.as_str())
                        .line(usize::try_from(*line).unwrap_or(usize::MAX))
                        .char_column(usize::try_from(*column).unwrap_or(usize::MAX)),
                );
            }
            Some(Location::Json { file, path }) => {
                labelled = format!("{file}: {path}");
                group = group.element(Origin::path(labelled.as_str()));
            }
            Some(Location::Resource { id }) => {
                group = group.element(Origin::path(id.as_str()));
            }
            Some(Location::File { file }) => {
                group = group.element(Origin::path(file.as_str()));
            }
            None => {}
        }
        if let Some(hint) = &self.hint {
            group = group.element(Level::HELP.with_name(Some("hint")).message(hint.as_str()));
        }
        renderer.render(&[group])
    }
}

/// The byte span of the token at a 1-based character column of a line: from the column to the
/// next space, comma or closing bracket, at least one character; `None` past the line's end.
fn token(text: &str, column: u64) -> Option<std::ops::Range<usize>> {
    let skip = usize::try_from(column.checked_sub(1)?).ok()?;
    let (start, first) = text.char_indices().nth(skip)?;
    let end = text[start..]
        .find(|c: char| c.is_whitespace() || ",]}".contains(c))
        .map_or(text.len(), |n| start + n)
        .max(start + first.len_utf8());
    Some(start..end)
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

/// Formats a count with thousands separators: 1071 → "1,071".
pub fn thousands(n: u128) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_location_shows_the_line_and_marks_the_token() {
        let text = "name: x\naddressPool: [10.0.0.0/33]\n";
        let d = Diagnostic::error("`10.0.0.0/33` is not a CIDR prefix")
            .code("intent")
            .at_text("aksnet.yaml", 2, 15, Some(text))
            .hint("write a prefix such as 10.0.0.0/16");
        let out = d.render();
        assert!(
            out.starts_with("error[intent]: `10.0.0.0/33` is not a CIDR prefix\n"),
            "{out}"
        );
        assert!(out.contains("--> aksnet.yaml:2:15"), "{out}");
        assert!(out.contains("2 | addressPool: [10.0.0.0/33]"), "{out}");
        assert!(out.contains("              ^^^^^^^^^^^\n"), "{out}");
        assert!(
            out.ends_with("= hint: write a prefix such as 10.0.0.0/16"),
            "{out}"
        );
    }

    #[test]
    fn every_location_kind_renders_where() {
        let id = ResourceId::new(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v",
        );
        let cases = [
            (
                Diagnostic::warning("w").at_text("f.yaml", 9, 3, None),
                "--> f.yaml:9:3",
            ),
            (
                Diagnostic::error("e").at(Location::Json {
                    file: "a.json".into(),
                    path: "$.value[2]".into(),
                }),
                "--> a.json: $.value[2]",
            ),
            (
                Diagnostic::error("e").on_resource(&id),
                "--> /subscriptions/s/",
            ),
            (
                Diagnostic::error("e").in_file("--on-premises"),
                "--> --on-premises",
            ),
        ];
        for (d, want) in cases {
            let out = d.render();
            assert!(out.contains(want), "{out}");
        }
        // A line past the end of the text, a column past the end of the line, and non-ASCII
        // text render without panicking.
        let odd = Diagnostic::error("e").at_text("f", 1, 99, Some("é"));
        assert!(odd.render().contains("f:1:99"));
        assert!(Diagnostic::error("e")
            .at_text("f", 7, 1, Some("x"))
            .render()
            .contains("f:7:1"));
    }
}
