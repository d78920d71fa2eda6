//! Helpers over [`aksnet_arm::Value`]: conversions as Terraform makes them, unknowns nested in
//! JSON, and the limits that keep hostile input bounded.

use aksnet_arm::{Unknown, Value};
use serde_json::{Map, Value as Json};

/// The largest list a function or expression may build.
pub(crate) const MAX_LIST: usize = 1_000_000;
/// The largest string a function or expression may build, in bytes.
pub(crate) const MAX_STRING: usize = 16 << 20;

/// The most work one evaluation may do: `for` iterations, elements built and function
/// results, counted together (a hostile configuration fails instead of running for hours).
pub(crate) const MAX_WORK: u64 = 10_000_000;

thread_local! {
    /// The work done so far on this thread (each [`super::load`] runs on its own thread).
    static WORK: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Starts counting work afresh (at the start of each load).
pub(crate) fn reset_work() {
    WORK.with(|w| w.set(0));
}

/// Counts `n` units of work; an error once the budget is spent.
pub(crate) fn charge(n: u64) -> R<()> {
    WORK.with(|w| {
        let t = w.get().saturating_add(n);
        w.set(t);
        if t > MAX_WORK {
            Err(EvalError::new(format!(
                "evaluation too large (more than {MAX_WORK} steps: iterations, elements and function results)"
            )))
        } else {
            Ok(())
        }
    })
}

/// The work a copy of `j` stands for: one per value, one per 16 bytes of string.
pub(crate) fn weight(j: &Json) -> u64 {
    fn go(j: &Json, acc: &mut u64) {
        if *acc > MAX_WORK {
            return;
        }
        match j {
            Json::String(s) => *acc += 1 + s.len() as u64 / 16,
            Json::Array(a) => {
                *acc += 1;
                for x in a {
                    go(x, acc);
                }
            }
            Json::Object(m) => {
                *acc += 1;
                for x in m.values() {
                    go(x, acc);
                }
            }
            _ => *acc += 1,
        }
    }
    let mut acc = 0;
    go(j, &mut acc);
    acc
}

/// The hidden key marking an object as a resource instance: its address.
pub(crate) const RESOURCE_KEY: &str = "$resource";

/// A failed evaluation: a message and, when known, the byte span at fault.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct EvalError {
    /// What went wrong.
    pub message: String,
    /// Where, as a byte range in the file being evaluated.
    pub span: Option<std::ops::Range<usize>>,
}

impl EvalError {
    /// An error without a place (the caller adds one).
    pub fn new(message: impl Into<String>) -> Self {
        EvalError {
            message: message.into(),
            span: None,
        }
    }

    /// The error placed at `span` unless it already has a place.
    pub fn at(mut self, span: Option<std::ops::Range<usize>>) -> Self {
        if self.span.is_none() {
            self.span = span;
        }
        self
    }
}

/// A result of evaluation.
pub(crate) type R<T> = Result<T, EvalError>;

/// An unknown value.
pub(crate) fn unknown(expression: impl Into<String>, reason: impl Into<String>) -> Value {
    Value::Unknown(Unknown {
        expression: expression.into(),
        reason: reason.into(),
        of: None,
    })
}

/// A JSON number from an `f64`: integral values as integers.
pub(crate) fn num(f: f64) -> Json {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Json::from(f as i64)
    } else {
        serde_json::Number::from_f64(f)
            .map(Json::Number)
            .unwrap_or(Json::Null)
    }
}

/// The first unknown anywhere inside `j` (a marker), if any.
pub(crate) fn first_unknown(j: &Json) -> Option<Unknown> {
    match j {
        Json::Object(m) => {
            if let Some(u) = Unknown::from_json(j) {
                return Some(u);
            }
            m.values().find_map(first_unknown)
        }
        Json::Array(a) => a.iter().find_map(first_unknown),
        _ => None,
    }
}

/// Terraform's name for the type of a JSON value, for messages.
pub(crate) fn type_name(j: &Json) -> &'static str {
    match j {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "tuple",
        Json::Object(_) => "object",
    }
}

/// A number, converting a numeric string as Terraform does.
pub(crate) fn to_number(j: &Json) -> R<f64> {
    match j {
        Json::Number(n) => n
            .as_f64()
            .ok_or_else(|| EvalError::new("number out of range")),
        Json::String(s) => parse_number(s)
            .ok_or_else(|| EvalError::new(format!("cannot convert \"{s}\" to number"))),
        Json::Null => Err(EvalError::new("a number is required, found null")),
        other => Err(EvalError::new(format!(
            "a number is required, found {}",
            type_name(other)
        ))),
    }
}

/// A number written as Terraform reads one (decimal, optional exponent).
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// A bool, converting `"true"`/`"false"` as Terraform does.
pub(crate) fn to_bool(j: &Json) -> R<bool> {
    match j {
        Json::Bool(b) => Ok(*b),
        Json::String(s) if s == "true" => Ok(true),
        Json::String(s) if s == "false" => Ok(false),
        Json::Null => Err(EvalError::new("a bool is required, found null")),
        other => Err(EvalError::new(format!(
            "a bool is required, found {}",
            type_name(other)
        ))),
    }
}

/// A string, converting numbers and bools as Terraform does.
pub(crate) fn to_str(j: &Json) -> R<String> {
    match j {
        Json::String(s) => Ok(s.clone()),
        Json::Number(n) => Ok(number_string(n)),
        Json::Bool(b) => Ok(b.to_string()),
        Json::Null => Err(EvalError::new("a string is required, found null")),
        other => Err(EvalError::new(format!(
            "a string is required, found {}",
            type_name(other)
        ))),
    }
}

/// A number printed as Terraform prints it.
pub(crate) fn number_string(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// The elements of a list, set or tuple.
pub(crate) fn to_list(j: &Json) -> R<&Vec<Json>> {
    match j {
        Json::Array(a) => Ok(a),
        other => Err(EvalError::new(format!(
            "a list is required, found {}",
            type_name(other)
        ))),
    }
}

/// The attributes of a map or object.
pub(crate) fn to_map(j: &Json) -> R<&Map<String, Json>> {
    match j {
        Json::Object(m) => Ok(m),
        other => Err(EvalError::new(format!(
            "a map is required, found {}",
            type_name(other)
        ))),
    }
}

/// Equality as Terraform's `==`: numbers by value.
pub(crate) fn equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

/// Set semantics: duplicates removed, strings sorted as Terraform orders a set of strings.
pub(crate) fn make_set(items: Vec<Json>) -> Vec<Json> {
    let mut out = distinct(items);
    if out.iter().all(|j| j.is_string()) {
        out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    } else if out.iter().all(|j| j.is_number()) {
        out.sort_by(|a, b| {
            a.as_f64()
                .partial_cmp(&b.as_f64())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    out
}

/// The items without repeats, first occurrences kept in order.
pub(crate) fn distinct(items: Vec<Json>) -> Vec<Json> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        let key = match &i {
            Json::Number(n) => format!("n{}", n.as_f64().unwrap_or(0.0)),
            other => other.to_string(),
        };
        if seen.insert(key) {
            out.push(i);
        }
    }
    out
}

/// `j` with every hidden resource marker removed (for output).
pub(crate) fn strip_hidden(j: Json) -> Json {
    match j {
        Json::Object(m) => Json::Object(
            m.into_iter()
                .filter(|(k, _)| k != RESOURCE_KEY)
                .map(|(k, v)| (k, strip_hidden(v)))
                .collect(),
        ),
        Json::Array(a) => Json::Array(a.into_iter().map(strip_hidden).collect()),
        other => other,
    }
}

/// A value as JSON for embedding in a collection (unknowns as markers).
pub(crate) fn embed(v: Value) -> Json {
    v.into_json()
}
