//! The root module's variable values, from every source in Terraform's precedence order.

use std::cell::Cell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use aksnet_arm::Value;
use serde_json::Value as Json;

use super::eval::{EmptyScope, Env};
use super::parse::{error, parse_file, read_limited, VarDecl};
use super::value::{to_bool, to_number, to_str};
use super::{CliVar, Inputs};
use crate::{Diagnostic, Origin};

/// Evaluates an expression that may not refer to anything (a default, a tfvars value).
pub(crate) fn eval_constant(
    expr: &hcl_edit::expr::Expression,
    dir: &Path,
) -> Result<Value, String> {
    let scope = EmptyScope {
        depth: Cell::new(0),
        dir: dir.to_path_buf(),
        in_template: false,
    };
    Env::new(&scope).eval(expr).map_err(|e| e.message)
}

/// Whether a variable of this type takes `--var` and `TF_VAR_` values as plain strings.
fn takes_raw_string(decl: &VarDecl) -> bool {
    matches!(
        decl.type_head.as_deref(),
        None | Some("string") | Some("any")
    )
}

/// Converts a value to a primitive variable type, as Terraform does.
pub(crate) fn convert(decl: &VarDecl, v: Value) -> Result<Value, String> {
    if let Some(ty) = &decl.ty {
        return super::types::convert(ty, v);
    }
    let Value::Known(j) = &v else { return Ok(v) };
    if j.is_null() {
        return Ok(v);
    }
    match decl.type_head.as_deref() {
        Some("string") => to_str(j).map(|s| Value::Known(Json::String(s))),
        Some("number") => to_number(j).map(|n| Value::Known(super::value::num(n))),
        Some("bool") => to_bool(j).map(|b| Value::Known(Json::Bool(b))),
        _ => return Ok(v),
    }
    .map_err(|e| e.message)
}

/// A string given for a variable (`--var`, `TF_VAR_`), read as its type wants.
fn from_string(decl: &VarDecl, raw: &str) -> Result<Value, String> {
    if takes_raw_string(decl) {
        return Ok(Value::Known(Json::String(raw.to_string())));
    }
    let expr = hcl_edit::parser::parse_expr(raw).map_err(|e| e.message().to_string())?;
    eval_constant(&expr, Path::new("."))
}

/// Reads the root module's variables: returns each declared variable's value (absent when it
/// has none).
pub(crate) fn root_values(
    decls: &HashMap<String, VarDecl>,
    root_dir: Option<&Path>,
    inputs: &Inputs,
    diags: &mut Vec<Diagnostic>,
) -> HashMap<String, Value> {
    let mut vals: HashMap<String, Value> = HashMap::new();
    let mut names: Vec<&String> = decls.keys().collect();
    names.sort();
    for name in names {
        let d = &decls[name];
        if let Some(e) = &d.default {
            match eval_constant(e, Path::new(".")) {
                Ok(v) => {
                    vals.insert(name.clone(), v);
                }
                Err(m) => diags.push(error(
                    Some(d.origin.clone()),
                    format!("variable \"{name}\": invalid default: {m}"),
                )),
            }
        }
    }
    for (name, raw) in &inputs.env {
        if let Some(d) = decls.get(name) {
            match from_string(d, raw) {
                Ok(v) => {
                    vals.insert(name.clone(), v);
                }
                Err(m) => diags.push(error(
                    None,
                    format!("TF_VAR_{name}: invalid value for variable \"{name}\": {m}"),
                )),
            }
        }
    }
    if let Some(dir) = root_dir {
        let mut files: Vec<PathBuf> = Vec::new();
        for f in ["terraform.tfvars", "terraform.tfvars.json"] {
            let p = dir.join(f);
            if p.is_file() {
                files.push(p);
            }
        }
        let mut auto: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|r| {
                r.flatten()
                    .map(|e| e.path())
                    .filter(|p| {
                        p.is_file()
                            && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                                n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
                            })
                    })
                    .collect()
            })
            .unwrap_or_default();
        auto.sort_by_key(|p| p.file_name().map(|n| n.to_os_string()));
        files.extend(auto);
        for f in files {
            read_tfvars(&f, decls, &mut vals, diags);
        }
    }
    for c in &inputs.cli {
        match c {
            CliVar::File(p) => read_tfvars(p, decls, &mut vals, diags),
            CliVar::Pair(s) => {
                let Some((name, raw)) = s.split_once('=') else {
                    diags.push(error(None, format!("--var \"{s}\": expected NAME=VALUE")));
                    continue;
                };
                let name = name.trim();
                let Some(d) = decls.get(name) else {
                    diags.push(Diagnostic {
                        error: true,
                        origin: None,
                        message: format!(
                            "--var {name}: the root module declares no variable \"{name}\""
                        ),
                        hint: Some(format!(
                            "declare it with variable \"{name}\" {{}}, or drop the --var"
                        )),
                    });
                    continue;
                };
                match from_string(d, raw) {
                    Ok(v) => {
                        vals.insert(name.to_string(), v);
                    }
                    Err(m) => diags.push(error(None, format!("--var {name}: invalid value: {m}"))),
                }
            }
        }
    }
    for (name, d) in decls {
        if let Some(v) = vals.remove(name) {
            let v = match convert(d, v) {
                Ok(v) => v,
                Err(m) => {
                    diags.push(error(
                        Some(d.origin.clone()),
                        format!("variable \"{name}\": invalid value: {m}"),
                    ));
                    continue;
                }
            };
            let v = if !d.nullable && v == Value::Known(Json::Null) {
                match d.default.as_ref().map(|e| eval_constant(e, Path::new("."))) {
                    Some(Ok(dv)) => dv,
                    _ => v,
                }
            } else {
                v
            };
            vals.insert(name.clone(), v);
        }
    }
    vals
}

fn read_tfvars(
    path: &Path,
    decls: &HashMap<String, VarDecl>,
    vals: &mut HashMap<String, Value>,
    diags: &mut Vec<Diagnostic>,
) {
    let at = |line: u32, column: u32| {
        Some(Origin {
            file: path.to_path_buf(),
            line,
            column,
        })
    };
    let mut found: Vec<(String, Value, Option<Origin>)> = Vec::new();
    if path.to_string_lossy().ends_with(".json") {
        let text = match read_limited(path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(error(
                    at(1, 1),
                    format!("cannot read {}: {e}", path.display()),
                ));
                return;
            }
        };
        match serde_json::from_str::<Json>(&text) {
            Ok(Json::Object(m)) => {
                for (k, v) in m {
                    found.push((k, Value::from_json(v), at(1, 1)));
                }
            }
            Ok(_) => diags.push(error(at(1, 1), "a .tfvars.json file must hold an object")),
            Err(e) => diags.push(error(
                at(e.line() as u32, e.column() as u32),
                format!("invalid JSON: {e}"),
            )),
        }
    } else {
        let Some((file, body)) = parse_file(path, diags) else {
            return;
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        for a in body.attributes() {
            use hcl_edit::Span;
            let o = file.origin_of(a.span());
            match eval_constant(&a.value, dir) {
                Ok(v) => found.push((a.key.value().to_string(), v, Some(o))),
                Err(m) => diags.push(error(
                    Some(o),
                    format!("invalid value for \"{}\": {m}", a.key.value()),
                )),
            }
        }
    }
    for (name, v, o) in found {
        if decls.contains_key(&name) {
            vals.insert(name, v);
        } else {
            diags.push(Diagnostic {
                error: false,
                origin: o,
                message: format!(
                    "a value is given for undeclared variable \"{name}\"; it is ignored"
                ),
                hint: None,
            });
        }
    }
}
