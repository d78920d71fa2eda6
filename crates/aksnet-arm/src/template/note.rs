//! What a deployment says about the template: errors and warnings at JSON paths of a file.

/// One problem, at a JSON path of a template file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Whether the template (or the resource at `path`) cannot be deployed as written.
    pub error: bool,
    /// The template file.
    pub file: String,
    /// The JSON path in it (`$.resources[3].properties.addressSpace`).
    pub path: String,
    /// What.
    pub message: String,
}

/// The notes of a deployment, each made in the file being evaluated.
#[derive(Debug, Default)]
pub struct Notes {
    /// The file paths are relative to.
    pub file: String,
    /// What was noted, in order.
    pub list: Vec<Note>,
}

impl Notes {
    /// Notes for `file`.
    pub fn new(file: &str) -> Self {
        Self {
            file: file.to_string(),
            list: Vec::new(),
        }
    }

    fn push(&mut self, error: bool, path: &str, message: &str) {
        self.list.push(Note {
            error,
            file: self.file.clone(),
            path: path.to_string(),
            message: message.to_string(),
        });
    }

    /// An error at `path`.
    pub fn error(&mut self, path: &str, message: &str) {
        self.push(true, path, message);
    }

    /// A warning at `path`.
    pub fn warning(&mut self, path: &str, message: &str) {
        self.push(false, path, message);
    }

    /// Takes the notes of a nested file.
    pub fn absorb(&mut self, other: Notes) {
        self.list.extend(other.list);
    }
}
