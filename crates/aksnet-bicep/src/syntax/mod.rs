//! Bicep's syntax: tokens ([`lexer`]), the tree ([`ast`]) and the parser ([`parser`]) that
//! builds it with the byte offset of every node.

pub mod ast;
pub mod lexer;
pub mod parser;

/// A syntax error at a byte offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// Byte offset in the file.
    pub at: usize,
    /// What is wrong.
    pub message: String,
}

impl Error {
    /// Adds how to fix it to the message.
    pub fn hint(mut self, hint: &str) -> Self {
        self.message = format!("{} (hint: {hint})", self.message);
        self
    }
}

/// 1-based line and column (in characters) of byte offset `at` in `text`.
pub fn line_column(text: &str, at: usize) -> (u64, u64) {
    let at = at.min(text.len());
    let before = &text.as_bytes()[..at];
    let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (line as u64, column as u64)
}
