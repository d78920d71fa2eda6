//! Design errors: what is wrong, where (file:line:column, or the resource id), and a hint.

use std::fmt;

use aksnet_model::{Diagnostic, ResourceId};

/// A 1-based line and column in the intent file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Line.
    pub line: u64,
    /// Column.
    pub column: u64,
}

impl Position {
    /// A position.
    pub fn new(line: u64, column: u64) -> Self {
        Self { line, column }
    }

    /// Line 1, column 1.
    pub fn start() -> Self {
        Self::new(1, 1)
    }

    /// From a serde-saphyr location; `None` when the parser had none (line 0).
    pub fn from_location(l: &serde_saphyr::Location) -> Option<Self> {
        (l.line() > 0).then(|| Self::new(l.line(), l.column()))
    }
}

/// Something in the intent that cannot be designed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct DesignError {
    /// The intent file's name as the user gave it.
    pub file: String,
    /// Where in the file, when known.
    pub position: Option<Position>,
    /// The resource the problem was found on, when it came from validating the built estate.
    pub resource: Option<String>,
    /// What is wrong, with the numbers.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl DesignError {
    /// An error at a position in the file.
    pub fn at(
        file: &str,
        position: Position,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self {
            file: file.to_string(),
            position: Some(position),
            resource: None,
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// An error somewhere in the file (position unknown).
    pub fn in_file(file: &str, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            file: file.to_string(),
            position: None,
            resource: None,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl DesignError {
    /// As a diagnostic to show; `source` (the intent's text) supplies the line under it.
    pub fn diagnostic(&self, source: Option<&str>) -> Diagnostic {
        let d = Diagnostic::error(self.message.clone()).hint(self.hint.clone());
        match (self.position, &self.resource) {
            (Some(p), _) => d.at_text(&self.file, p.line, p.column, source),
            (None, Some(r)) => d.on_resource(&ResourceId::new(r)),
            (None, None) => d.in_file(self.file.clone()),
        }
    }
}

impl fmt::Display for DesignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.diagnostic(None).fmt(f)
    }
}

/// Several errors found together (the planner reports all it can, not just the first).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct DesignErrors(pub Vec<DesignError>);

impl DesignErrors {
    /// Every error as a diagnostic; `source` (the intent's text) supplies the lines under them.
    pub fn diagnostics(&self, source: Option<&str>) -> Vec<Diagnostic> {
        self.0.iter().map(|e| e.diagnostic(source)).collect()
    }
}

impl fmt::Display for DesignErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            e.fmt(f)?;
        }
        Ok(())
    }
}

impl From<DesignError> for DesignErrors {
    fn from(e: DesignError) -> Self {
        Self(vec![e])
    }
}
