//! What every stage of the import shares, depending on no other module of the crate: resources
//! as found and where they go, diagnostics and the summary, and JSON helpers.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

/// A resource as found in a document, before typing.
#[derive(Clone, Debug)]
pub struct RawResource {
    /// The JSON object.
    pub value: Value,
    /// `file: $.json.path`, for messages.
    pub origin: String,
}

/// A problem found while importing: the import's record of it (serialised in `aksnet import
/// --format json`), shown to people as an [`aksnet_model::Diagnostic`] ([`Diagnostic::diagnostic`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Errors stop the file (or the resource) from being imported; warnings do not.
    pub error: bool,
    /// The file (for a resource, `file: $.json.path` of the resource).
    pub file: String,
    /// Where in it: a JSON path or a resource id (relative to `file`), `line:column` of a
    /// syntax error, or `-` for the whole file.
    pub location: String,
    /// Line and column in `file`: of a syntax error, or of the JSON path the problem is at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<(u64, u64)>,
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
            position: None,
            message: message.into(),
            hint: None,
        }
    }

    /// An error at a line and column of a file (a syntax error).
    pub fn at_position(file: &str, line: u64, column: u64, message: &str) -> Self {
        Self {
            position: Some((line, column)),
            ..Self::error(file, &format!("{line}:{column}"), message)
        }
    }

    /// As the diagnostic aksnet shows: at the line and column, the whole file, or the JSON path
    /// (or resource id) in the file.
    pub fn diagnostic(&self) -> aksnet_model::Diagnostic {
        let d = if self.error {
            aksnet_model::Diagnostic::error(self.message.clone())
        } else {
            aksnet_model::Diagnostic::warning(self.message.clone())
        };
        let d = match (self.position, self.location.as_str()) {
            // A resource's problem keeps saying which resource and property.
            (Some((line, column)), place) if !place.starts_with(|c: char| c.is_ascii_digit()) => {
                let d = if self.error {
                    aksnet_model::Diagnostic::error(format!("{place}: {}", self.message))
                } else {
                    aksnet_model::Diagnostic::warning(format!("{place}: {}", self.message))
                };
                d.at_text(&self.file, line, column, None)
            }
            (Some((line, column)), _) => d.at_text(&self.file, line, column, None),
            (None, "-") => d.in_file(self.file.clone()),
            (None, path) => d.at(aksnet_model::Location::Json {
                file: self.file.clone(),
                path: path.to_string(),
            }),
        };
        match &self.hint {
            Some(h) => d.hint(h.clone()),
            None => d,
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
        self.diagnostic().fmt(f)
    }
}

/// What an import read.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Files read.
    pub files: Vec<String>,
    /// Resources imported, by ARM type (children listed on their own counted under their own
    /// type; embedded ones are part of their parent).
    pub imported: BTreeMap<String, usize>,
    /// Resources of modelled types skipped for a problem (each with its diagnostic), by type.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub skipped: BTreeMap<String, usize>,
    /// Resources of types aksnet does not model, by type.
    pub skipped_types: BTreeMap<String, usize>,
    /// Object keys that matched no modelled property (ignored).
    pub unknown_properties: usize,
    /// Their names, by resource type (keys of embedded children under their parent's type).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ignored_properties: BTreeMap<String, Vec<String>>,
    /// Problems.
    pub diagnostics: Vec<Diagnostic>,
    /// Where each resource was declared, by lowercase id: file, line, column (for templates,
    /// whose text holds no ids; filled for imports of at most [`crate::MAX_PLACED`] resources).
    #[serde(skip)]
    pub places: BTreeMap<String, (String, u64, u64)>,
}

impl Summary {
    /// Counts one imported resource of type `kind`.
    pub(crate) fn count_imported(&mut self, kind: &str) {
        *self.imported.entry(kind.to_string()).or_default() += 1;
    }

    /// Counts one resource of type `kind` skipped for a problem.
    pub(crate) fn count_skipped(&mut self, kind: &str) {
        *self.skipped.entry(kind.to_string()).or_default() += 1;
    }
}

/// How infrastructure as code among the inputs is evaluated: what `az deployment group create`
/// is told for templates, what `terraform plan` is told for configurations.
#[derive(Clone, Debug, Default)]
pub struct Templates {
    /// `--parameters`, in order (later wins): a parameters file (with or without `@`) or
    /// `name=value`.
    pub parameters: Vec<String>,
    /// `--subscription` (default `00000000-0000-0000-0000-000000000000`).
    pub subscription: Option<String>,
    /// `--tenant` (default `00000000-0000-0000-0000-000000000000`, like the subscription).
    pub tenant: Option<String>,
    /// `--resource-group` (default `arm-template`).
    pub resource_group: Option<String>,
    /// `--location`: the resource group's location (unknown when not given).
    pub location: Option<String>,
    /// `--deployment-name` (default: the template file's name without extension, as az).
    pub name: Option<String>,
    /// Terraform's inputs: `--var-file`, `--var` and `TF_VAR_*` (for configurations among the
    /// inputs; `subscription` is the azurerm provider's too).
    pub terraform: aksnet_tf::config::Inputs,
}

/// A consumer that takes a resource straight from its JSON text: `(id, text, origin)`, returning
/// whether it did.
pub type FastPath<'a> = &'a mut dyn FnMut(&str, &str, &str) -> bool;

/// Where extracted resources go, one at a time, with a count.
pub struct Out<'a> {
    sink: &'a mut dyn FnMut(RawResource),
    fast: Option<FastPath<'a>>,
    count: usize,
    /// Resources still to pass over (already taken by an earlier read of the same document).
    skip: usize,
    /// How templates are deployed.
    templates: Option<&'a Templates>,
}

impl<'a> Out<'a> {
    /// Wraps a sink.
    pub fn new(sink: &'a mut dyn FnMut(RawResource)) -> Self {
        Self {
            sink,
            fast: None,
            count: 0,
            skip: 0,
            templates: None,
        }
    }

    /// Deploys templates as `t` says.
    pub fn with_templates(mut self, t: &'a Templates) -> Self {
        self.templates = Some(t);
        self
    }

    /// How templates are deployed (defaults when not said).
    pub(crate) fn templates(&self) -> &Templates {
        static DEFAULT: Templates = Templates {
            parameters: Vec::new(),
            subscription: None,
            tenant: None,
            resource_group: None,
            location: None,
            name: None,
            terraform: aksnet_tf::config::Inputs {
                cli: Vec::new(),
                env: Vec::new(),
            },
        };
        self.templates.unwrap_or(&DEFAULT)
    }

    /// Passes over the next `n` resources (counted, not handed on): a document read again from
    /// the start after the first `n` were taken.
    pub(crate) fn skip(&mut self, n: usize) {
        self.skip = n;
    }

    /// Whether the resource at hand is one to pass over (and counts it if so).
    fn passed_over(&mut self) -> bool {
        if self.skip == 0 {
            return false;
        }
        self.skip -= 1;
        self.count += 1;
        true
    }

    /// Offers top-level list elements to `fast` as text first.
    pub fn with_fast_path(mut self, fast: FastPath<'a>) -> Self {
        self.fast = Some(fast);
        self
    }

    /// Offers a resource's text to the fast path.
    pub(crate) fn try_fast(&mut self, id: &str, text: &str, origin: &str) -> bool {
        if self.passed_over() {
            return true;
        }
        let taken = self.fast.as_mut().is_some_and(|f| f(id, text, origin));
        if taken {
            self.count += 1;
        }
        taken
    }

    /// Hands a resource to the sink.
    pub(crate) fn push(&mut self, r: RawResource) {
        if self.passed_over() {
            return;
        }
        self.count += 1;
        (self.sink)(r);
    }

    /// Resources taken so far, by the sink or the fast path.
    pub(crate) fn len(&self) -> usize {
        self.count
    }
}

/// A key of `o`, matched case-insensitively.
pub(crate) fn get<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    o.get(key).or_else(|| {
        o.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// The resource type an id names: the namespace after the last `/providers/` and every other
/// segment after it (`.../providers/Microsoft.Network/virtualNetworks/v/subnets/s` →
/// `Microsoft.Network/virtualNetworks/subnets`).
pub(crate) fn type_from_id(id: &str) -> Option<String> {
    let lower = id.to_ascii_lowercase();
    let at = lower.rfind("/providers/")? + "/providers/".len();
    let segs: Vec<&str> = id[at..].split('/').filter(|s| !s.is_empty()).collect();
    if segs.len() < 3 || segs.len() % 2 == 0 {
        return None;
    }
    let mut ty = segs[0].to_string();
    for t in segs[1..].iter().step_by(2) {
        ty.push('/');
        ty.push_str(t);
    }
    Some(ty)
}

/// `serde_json`'s message for `e` without the ` at line L column C` its `Display` appends (the
/// crate reports the position on its own); `serde_json` has no accessor for the bare message.
pub(crate) fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.strip_suffix(&format!(" at line {} column {}", e.line(), e.column())) {
        Some(message) => message.to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_messages_lose_only_the_position_serde_json_appends() {
        let e = serde_json::from_str::<Value>("[1,\n ,]").unwrap_err();
        assert_eq!((e.line(), e.column()), (2, 2));
        assert_eq!(json_message(&e), "expected value");
        let e = serde_json::from_value::<u8>(Value::Null).unwrap_err();
        assert_eq!(json_message(&e), "invalid type: null, expected u8");
    }

    #[test]
    fn types_come_from_ids() {
        let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a";
        let ty = type_from_id(id);
        assert_eq!(
            ty.as_deref(),
            Some("Microsoft.Network/virtualNetworks/subnets")
        );
        assert_eq!(type_from_id("/subscriptions/s/resourceGroups/rg"), None);
        let o = serde_json::json!({ "ID": 1 });
        assert_eq!(get(o.as_object().unwrap(), "id"), Some(&Value::from(1)));
    }
}
