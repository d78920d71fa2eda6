//! Import: Azure resource JSON → Estate.
//!
//! Reads what Azure returns in every common shape — `az ... show` and REST GET bodies, `az ...
//! list` arrays, REST list pages, Resource Graph results, REST API specification examples,
//! PowerShell exports, and ARM templates with literal values — from files or folders, attaches
//! child resources (subnets, peerings, routes, security rules, agent pools, ...) to their parents
//! whether embedded or separate, matches property names case-insensitively as ARM does, and
//! reports what it skipped. The result is an `Estate` like any other: every analysis works on it.

mod arm;
mod assemble;
mod ci;
mod shapes;

use std::fmt;
use std::path::Path;

use aksnet_model::Estate;
use serde::Serialize;
use serde_json::Value;

pub use arm::{TEMPLATE_RESOURCE_GROUP, TEMPLATE_SUBSCRIPTION};

/// A resource as found in a document, before typing.
#[derive(Clone, Debug)]
pub struct RawResource {
    /// The JSON object.
    pub value: Value,
    /// `file: $.json.path`, for messages.
    pub origin: String,
}

/// A problem found while importing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Errors stop the file (or the resource) from being imported; warnings do not.
    pub error: bool,
    /// The file.
    pub file: String,
    /// Where: `line:column`, a JSON path, or a resource id.
    pub location: String,
    /// What.
    pub message: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error.
    pub fn error(file: &str, location: &str, message: &str) -> Self {
        Self {
            error: true,
            file: file.into(),
            location: location.into(),
            message: message.into(),
            hint: None,
        }
    }

    /// A warning.
    pub fn warning(file: &str, location: &str, message: &str) -> Self {
        Self {
            error: false,
            ..Self::error(file, location, message)
        }
    }

    /// With a hint.
    pub fn with_hint(mut self, hint: &str) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = if self.error { "error" } else { "warning" };
        write!(
            f,
            "{sev}: {}:{}: {}",
            self.file, self.location, self.message
        )?;
        if let Some(h) = &self.hint {
            write!(f, "\n  = hint: {h}")?;
        }
        Ok(())
    }
}

/// What an import read.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Files read.
    pub files: Vec<String>,
    /// Resources read by ARM type (children counted under their own type).
    pub imported: std::collections::BTreeMap<String, usize>,
    /// Resources of types aksnet does not model, by type.
    pub skipped_types: std::collections::BTreeMap<String, usize>,
    /// Object keys that matched no modelled property (ignored).
    pub unknown_properties: usize,
    /// Problems.
    pub diagnostics: Vec<Diagnostic>,
}

/// The result of an import.
#[derive(Clone, Debug)]
pub struct Import {
    /// The estate.
    pub estate: Estate,
    /// What was read and what was not.
    pub summary: Summary,
}

/// Largest file read (hostile-input guard).
pub const MAX_FILE_BYTES: u64 = 2 << 30;

/// Parses one JSON text; syntax errors become diagnostics with line and column.
pub fn parse(file: &str, text: &str, out: &mut Vec<RawResource>, diags: &mut Vec<Diagnostic>) {
    match serde_json::from_str::<Value>(text) {
        Ok(doc) => shapes::extract(doc, file, out, diags),
        Err(e) => {
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            diags.push(Diagnostic::error(file, &format!("{}:{}", e.line(), e.column()), &format!("invalid JSON: {msg}")).with_hint("the file must hold JSON as Azure returns it (az ... -o json, a REST response, an ARM template)"));
        }
    }
}

/// Reads files and folders (every `*.json` directly inside a folder, in name order).
pub fn read_paths(paths: &[&Path]) -> (Vec<RawResource>, Summary) {
    let mut raws = Vec::new();
    let mut summary = Summary::default();
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            match std::fs::read_dir(p) {
                Ok(rd) => {
                    let mut v: Vec<_> = rd
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|f| {
                            f.extension()
                                .is_some_and(|x| x.eq_ignore_ascii_case("json"))
                        })
                        .collect();
                    v.sort();
                    files.extend(v);
                }
                Err(e) => summary.diagnostics.push(Diagnostic::error(
                    &p.display().to_string(),
                    "-",
                    &format!("cannot read the folder: {e}"),
                )),
            }
        } else {
            files.push(p.to_path_buf());
        }
    }
    for f in files {
        let name = f.display().to_string();
        let size = std::fs::metadata(&f).map(|m| m.len()).unwrap_or(0);
        if size > MAX_FILE_BYTES {
            summary.diagnostics.push(Diagnostic::error(
                &name,
                "-",
                &format!("{size} bytes is more than the {MAX_FILE_BYTES}-byte limit"),
            ));
            continue;
        }
        match std::fs::read(&f) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => parse(
                    &name,
                    text.trim_start_matches('\u{feff}'),
                    &mut raws,
                    &mut summary.diagnostics,
                ),
                Err(e) => summary.diagnostics.push(Diagnostic::error(
                    &name,
                    &format!("byte {}", e.utf8_error().valid_up_to()),
                    "not UTF-8 text",
                )),
            },
            Err(e) => summary.diagnostics.push(
                Diagnostic::error(&name, "-", &format!("cannot read: {e}"))
                    .with_hint("check the path"),
            ),
        }
        summary.files.push(name);
    }
    (raws, summary)
}

/// Builds an estate named `name` from raw resources (see [`read_paths`], [`parse`]).
pub fn assemble(name: &str, raws: Vec<RawResource>, mut summary: Summary) -> Import {
    let estate = assemble::build(name, raws, &mut summary);
    for d in aksnet_model::validate(&estate) {
        let error = d.severity == aksnet_model::Severity::Error;
        summary.diagnostics.push(Diagnostic {
            error: false,
            file: "estate".into(),
            location: d.resource.to_string(),
            message: format!(
                "{}[{}]: {}",
                if error {
                    "structural error"
                } else {
                    "structural warning"
                },
                d.code,
                d.message
            ),
            hint: Some(d.hint),
        });
    }
    Import { estate, summary }
}

/// Reads and assembles in one go.
pub fn import_paths(name: &str, paths: &[&Path]) -> Import {
    let (raws, summary) = read_paths(paths);
    assemble(name, raws, summary)
}
