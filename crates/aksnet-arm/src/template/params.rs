//! Parameter values as `az deployment group create --parameters` takes them: a parameters file
//! (`{"parameters": {"name": {"value": ...}}}`, or the bare `{"name": {"value": ...}}`) and
//! `name=value` pairs, typed by the template's declaration.
//!
//! Source: Microsoft Learn, "Create Resource Manager parameters file" and the az CLI reference
//! for `az deployment group create --parameters` ("Supply deployment parameter values...
//! Parameters may be supplied from a file using the @{path} syntax, a JSON string, or as
//! <KEY=VALUE> pairs").

use serde_json::{Map, Value as Json};

use super::walk::marker;
use crate::value::{get_ci, Unknown};

/// A parameter value that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParameterError {
    /// What is wrong, naming the parameter or the JSON path.
    pub message: String,
}

fn err(message: String) -> ParameterError {
    ParameterError { message }
}

/// The values in a parameters file's JSON. A Key Vault `reference` stands as unknown: aksnet
/// never reads secrets.
pub fn parameters_file(j: &Json) -> Result<Map<String, Json>, ParameterError> {
    let Json::Object(o) = j else {
        return Err(err("a parameters file holds a JSON object".into()));
    };
    let ps = match get_ci(o, "parameters") {
        Some(Json::Object(p))
            if get_ci(o, "$schema").is_some() || get_ci(o, "contentVersion").is_some() =>
        {
            p
        }
        _ => o,
    };
    let mut out = Map::new();
    for (name, p) in ps {
        if name.starts_with('$') || name.eq_ignore_ascii_case("contentVersion") {
            continue;
        }
        let v = match p.as_object() {
            Some(x) if get_ci(x, "value").is_some() => get_ci(x, "value").cloned().expect("checked"),
            Some(x) if get_ci(x, "reference").is_some() => marker(&Unknown {
                expression: format!("parameters('{name}')"),
                reason: "a Key Vault secret reference: aksnet never reads secrets".into(),
                of: None,
            }),
            _ => {
                return Err(err(format!(
                    "$.parameters.{name}: expected {{\"value\": ...}} or a Key Vault {{\"reference\": ...}}"
                )))
            }
        };
        out.insert(name.clone(), v);
    }
    Ok(out)
}

/// One `name=value` argument: a string parameter takes the text as it is; any other type
/// (or an undeclared parameter whose text is JSON) reads it as JSON, as az does.
pub fn parameter_arg(
    arg: &str,
    declared_type: Option<&str>,
) -> Result<(String, Json), ParameterError> {
    let Some((name, text)) = arg.split_once('=') else {
        return Err(err(format!(
            "`{arg}` is neither a parameters file nor name=value"
        )));
    };
    let name = name.trim();
    if name.is_empty() {
        return Err(err(format!("`{arg}` names no parameter")));
    }
    let ty = declared_type.map(str::to_ascii_lowercase);
    let v = match ty.as_deref() {
        Some("string") | Some("securestring") => Json::String(text.to_string()),
        Some(t) => serde_json::from_str(text).map_err(|e| {
            err(format!(
                "the parameter '{name}' is declared {t}; `{text}` is not a JSON {t}: {e}"
            ))
        })?,
        None => serde_json::from_str(text).unwrap_or_else(|_| Json::String(text.to_string())),
    };
    Ok((name.to_string(), v))
}
