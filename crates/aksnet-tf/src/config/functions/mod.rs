//! Terraform's built-in functions. Each takes evaluated arguments; an unknown argument makes
//! the result unknown, except for functions that only move values around (`length`, `concat`,
//! `merge`, `element`, ...), which keep unknowns nested inside collections.

mod collection;
mod encoding;
mod fs;
mod hash;
mod ip;
mod numeric;
mod string;
mod types;

use std::path::PathBuf;

use aksnet_arm::Value;
use serde_json::Value as Json;

use super::value::{first_unknown, unknown, EvalError, R};

/// Directories the filesystem functions resolve relative paths against.
#[derive(Clone, Debug)]
pub(crate) struct Dirs {
    /// `path.module`: the directory of the module being evaluated.
    pub module: PathBuf,
    /// Whether this is inside a `templatefile` template (which may not call it again).
    pub in_template: bool,
}

/// Terraform functions this evaluator does not compute: their results are unknown.
const NOT_IMPLEMENTED: &[&str] = &[
    "formatdate",
    "timeadd",
    "timecmp",
    "sha512",
    "base64sha512",
    "base64gzip",
    "filemd5",
    "filesha1",
    "filesha256",
    "filesha512",
    "filebase64sha256",
    "filebase64sha512",
    "fileset",
    "textencodebase64",
    "textdecodebase64",
    "rsadecrypt",
    "yamlencode",
    "templatestring",
    "issensitive",
    "ephemeralasnull",
];

/// Functions that keep unknowns nested in their arguments instead of becoming unknown.
const STRUCTURAL: &[&str] = &[
    "length",
    "concat",
    "merge",
    "element",
    "lookup",
    "keys",
    "values",
    "flatten",
    "slice",
    "reverse",
    "tolist",
    "tomap",
    "one",
    "zipmap",
    "coalesce",
    "sensitive",
    "nonsensitive",
    "type",
    "chunklist",
];

/// Calls the built-in function `name`.
pub(crate) fn call(name: &str, args: Vec<Value>, dirs: &Dirs) -> R<Value> {
    if NOT_IMPLEMENTED.contains(&name) {
        return Ok(unknown(format!("{name}(...)"), "not implemented"));
    }
    if matches!(name, "uuid" | "timestamp" | "bcrypt" | "plantimestamp") {
        return Ok(unknown(
            format!("{name}()"),
            format!("{name}() differs at every run"),
        ));
    }
    let structural = STRUCTURAL.contains(&name);
    let mut known = Vec::with_capacity(args.len());
    for a in args {
        match a {
            Value::Unknown(u) => return Ok(Value::Unknown(u)),
            Value::Known(j) => {
                if !structural {
                    if let Some(u) = first_unknown(&j) {
                        return Ok(Value::Unknown(u));
                    }
                }
                known.push(j);
            }
        }
    }
    let a = &known;
    let out: Json = match name {
        // numeric
        "abs" | "ceil" | "floor" | "log" | "max" | "min" | "parseint" | "pow" | "signum" => {
            numeric::call(name, a)?
        }
        // string
        "chomp" | "endswith" | "format" | "formatlist" | "indent" | "join" | "lower" | "regex"
        | "regexall" | "replace" | "split" | "startswith" | "strcontains" | "strrev" | "substr"
        | "title" | "trim" | "trimprefix" | "trimsuffix" | "trimspace" | "upper" => {
            string::call(name, a)?
        }
        // collection
        "alltrue" | "anytrue" | "chunklist" | "coalesce" | "coalescelist" | "compact"
        | "concat" | "contains" | "distinct" | "element" | "flatten" | "index" | "keys"
        | "length" | "lookup" | "matchkeys" | "merge" | "one" | "range" | "reverse"
        | "setintersection" | "setproduct" | "setsubtract" | "setunion" | "slice" | "sort"
        | "sum" | "transpose" | "values" | "zipmap" => collection::call(name, a)?,
        // encoding
        "base64decode" | "base64encode" | "jsondecode" | "jsonencode" | "yamldecode"
        | "csvdecode" | "urlencode" => encoding::call(name, a)?,
        // filesystem
        "file" | "fileexists" | "templatefile" | "abspath" | "basename" | "dirname"
        | "pathexpand" | "filebase64" => return fs::call(name, a, dirs),
        // ip
        "cidrhost" | "cidrnetmask" | "cidrsubnet" | "cidrsubnets" => ip::call(name, a)?,
        // types
        "nonsensitive" | "sensitive" | "tobool" | "tolist" | "tomap" | "tonumber" | "toset"
        | "tostring" | "type" => types::call(name, a)?,
        // hashes
        "md5" | "sha1" | "sha256" | "uuidv5" | "base64sha256" => hash::call(name, a)?,
        _ => {
            return Err(EvalError::new(format!(
                "call to unknown function \"{name}\""
            )))
        }
    };
    Ok(Value::from_json(out))
}

/// Checks the argument count.
pub(crate) fn arity(a: &[Json], n: usize) -> R<()> {
    if a.len() != n {
        return Err(EvalError::new(format!(
            "expects {n} argument(s), got {}",
            a.len()
        )));
    }
    Ok(())
}

/// Checks the argument count is at least `n`.
pub(crate) fn at_least(a: &[Json], n: usize) -> R<()> {
    if a.len() < n {
        return Err(EvalError::new(format!(
            "expects at least {n} argument(s), got {}",
            a.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod test_util {
    use super::super::eval::{EmptyScope, Env};
    use super::super::value::EvalError;
    use aksnet_arm::Value;
    use serde_json::Value as Json;
    use std::cell::Cell;
    use std::path::PathBuf;

    /// Evaluates `src` with no names in scope, relative to `dir`.
    pub fn ev_in(src: &str, dir: &std::path::Path) -> Result<Value, EvalError> {
        let expr = hcl_edit::parser::parse_expr(src).map_err(|e| EvalError::new(e.to_string()))?;
        let scope = EmptyScope {
            depth: Cell::new(0),
            dir: dir.to_path_buf(),
            in_template: false,
        };
        Env::new(&scope).eval(&expr)
    }

    /// The known value of `src`; panics otherwise.
    pub fn k(src: &str) -> Json {
        match ev_in(src, &PathBuf::from(".")) {
            Ok(Value::Known(j)) => j,
            other => panic!("{src}: {other:?}"),
        }
    }

    /// Whether `src` fails.
    pub fn fails(src: &str) -> bool {
        ev_in(src, &PathBuf::from(".")).is_err()
    }
}
