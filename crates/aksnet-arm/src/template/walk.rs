//! Evaluating a JSON value of a template: every `[...]` string evaluated, property `copy`
//! loops expanded, unknowns written as markers, errors noted at their JSON path.

use serde_json::{Map, Value as Json};

use super::host::Env;
use crate::expr::{parse_template_string, Template};
use crate::value::{Unknown, Value};

pub use crate::value::UNKNOWN_KEY;

/// The most elements a `copy` loop may produce: ARM's limit (Microsoft Learn, "Resource
/// iteration in ARM templates": "count can't exceed 800").
pub const MAX_COPY: i64 = 800;

/// An unknown value as written in evaluated JSON (see [`UNKNOWN_KEY`]).
pub fn marker(u: &Unknown) -> Json {
    u.to_json()
}

/// The unknown a marker stands for, if `j` is one.
pub fn as_marker(j: &Json) -> Option<Unknown> {
    Unknown::from_json(j)
}

/// A value as the evaluator sees it: a marker is unknown.
pub fn from_json(j: Json) -> Value {
    Value::from_json(j)
}

/// A value as evaluated JSON holds it: an unknown becomes a marker.
pub fn to_json(v: Value) -> Json {
    v.into_json()
}

/// Evaluates one template string at `path`; an error is noted and stands as an unknown.
pub fn string(env: &Env, s: &str, path: &str) -> Value {
    match parse_template_string(s) {
        Ok(Template::Literal(l)) => Value::Known(Json::String(l)),
        Ok(Template::Expr(e)) => match env.eval(&e) {
            Ok(v) => v,
            Err(err) => failed(env, s, path, &err.to_string()),
        },
        Err(err) => failed(env, s, path, &err.to_string()),
    }
}

/// How the reason of an expression that could not be evaluated starts (its error is noted).
pub const FAILED: &str = "the expression could not be evaluated";

fn failed(env: &Env, s: &str, path: &str, message: &str) -> Value {
    let shown: String = s.chars().take(160).collect();
    env.error(path, &format!("{message} in `{shown}`"));
    Value::Unknown(Unknown {
        expression: shown,
        reason: format!("{FAILED}: {message}"),
        of: None,
    })
}

/// Evaluates a whole JSON value: strings are evaluated, and (where `loops`) an object's `copy`
/// array expands into the properties it names.
pub fn value(env: &Env, j: &Json, path: &str, loops: bool) -> Json {
    match j {
        Json::String(s) => to_json(string(env, s, path)),
        Json::Array(a) => Json::Array(
            a.iter()
                .enumerate()
                .map(|(i, x)| value(env, x, &format!("{path}[{i}]"), loops))
                .collect(),
        ),
        Json::Object(o) => Json::Object(object(env, o, path, loops)),
        other => other.clone(),
    }
}

fn object(env: &Env, o: &Map<String, Json>, path: &str, loops: bool) -> Map<String, Json> {
    let mut out = Map::new();
    for (k, v) in o {
        if loops && k.eq_ignore_ascii_case("copy") {
            if let Json::Array(items) = v {
                for (i, item) in items.iter().enumerate() {
                    let at = format!("{path}.{k}[{i}]");
                    if let Some((name, arr)) = property_loop(env, item, &at) {
                        out.insert(name, arr);
                    }
                }
                continue;
            }
        }
        // A key may itself be an expression (`"[resourceId(...)]": {}` in
        // `userAssignedIdentities`); one that is unknown stays as written.
        let key = if k.starts_with('[') && !k.starts_with("[[") && k.ends_with(']') {
            match string(env, k, &format!("{path}.{k}")) {
                Value::Known(Json::String(s)) => s,
                Value::Known(other) => other.to_string(),
                Value::Unknown(_) => k.clone(),
            }
        } else {
            k.clone()
        };
        out.insert(key, value(env, v, &format!("{path}.{k}"), loops));
    }
    out
}

/// One `{"name", "count", "input"}` of a property or variable `copy` array: the property's
/// name and its array (Microsoft Learn, "Property iteration in ARM templates").
pub fn property_loop(env: &Env, item: &Json, path: &str) -> Option<(String, Json)> {
    let o = item.as_object()?;
    let name = match o
        .get("name")
        .map(|n| value(env, n, &format!("{path}.name"), false))
    {
        Some(Json::String(n)) => n,
        _ => {
            env.error(path, "a copy loop needs a name");
            return None;
        }
    };
    let count = count(env, o.get("count"), &format!("{path}.count"))?;
    let input = o.get("input");
    let mut arr = Vec::with_capacity(count as usize);
    for i in 0..count {
        if !env.spend(path) {
            break;
        }
        let _frame = env.enter_loop(&name, i, false);
        arr.push(match input {
            Some(x) => value(env, x, &format!("{path}.input"), true),
            None => Json::Null,
        });
    }
    Some((name, Json::Array(arr)))
}

/// A loop's `count`, evaluated and checked (0..=800); `None` (noted) when it cannot be known.
pub fn count(env: &Env, c: Option<&Json>, path: &str) -> Option<i64> {
    let Some(c) = c else {
        env.error(path, "a copy loop needs a count");
        return None;
    };
    match from_json(value(env, c, path, false)) {
        Value::Known(j) => match j.as_i64() {
            Some(n) if (0..=MAX_COPY).contains(&n) => Some(n),
            _ => {
                env.error(
                    path,
                    &format!("a copy count must be an integer from 0 to {MAX_COPY}, not {j}"),
                );
                None
            }
        },
        Value::Unknown(u) => {
            env.error(
                path,
                &format!(
                    "the copy count is unknown ({}: {}); the loop's elements are not imported",
                    u.expression, u.reason
                ),
            );
            None
        }
    }
}

/// What a `condition` says.
pub enum Condition {
    /// Deployed.
    Yes,
    /// Not deployed.
    No,
    /// Not known before deployment (not noted: the caller decides whether it matters).
    Unknown(Unknown),
}

/// Evaluates a condition; a value that is not a bool is noted and read as not deployed.
pub fn condition(env: &Env, c: &Json, path: &str) -> Condition {
    match from_json(value(env, c, path, false)) {
        Value::Known(Json::Bool(true)) => Condition::Yes,
        Value::Known(Json::Bool(false)) => Condition::No,
        Value::Known(other) => {
            env.error(path, &format!("a condition must be a bool, not {other}"));
            Condition::No
        }
        Value::Unknown(u) if u.reason.starts_with(FAILED) => Condition::No,
        Value::Unknown(u) => Condition::Unknown(u),
    }
}
