//! Type conversion functions (`can` and `try` are in the evaluator: they take expressions).

use serde_json::{Map, Value as Json};

use super::super::value::{
    make_set, num, parse_number, strip_hidden, to_str, type_name, EvalError, R,
};
use super::arity;

/// Converts primitive elements to their common type: all strings when any is a string.
fn unify(items: Vec<Json>) -> Vec<Json> {
    let any_string = items.iter().any(|j| j.is_string());
    let all_prim = items.iter().all(|j| {
        matches!(
            j,
            Json::String(_) | Json::Number(_) | Json::Bool(_) | Json::Null
        )
    });
    if any_string && all_prim {
        items
            .into_iter()
            .map(|j| match &j {
                Json::Null => j,
                other => to_str(other).map(Json::String).unwrap_or(j),
            })
            .collect()
    } else {
        items
    }
}

/// The name of a value's type, as `type()` shows it.
fn type_of(j: &Json) -> String {
    match j {
        Json::Array(a) => format!(
            "tuple([{}])",
            a.iter().map(type_of).collect::<Vec<_>>().join(", ")
        ),
        Json::Object(m) => format!(
            "object({{{}}})",
            m.iter()
                .map(|(k, v)| format!("{k}: {}", type_of(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Json::Null => "dynamic".into(),
        other => type_name(other).into(),
    }
}

/// Calls a type conversion function.
pub(super) fn call(name: &str, a: &[Json]) -> R<Json> {
    arity(a, 1)?;
    let v = &a[0];
    match name {
        "sensitive" | "nonsensitive" => Ok(v.clone()),
        "type" => Ok(Json::String(type_of(&strip_hidden(v.clone())))),
        "tobool" => match v {
            Json::Null | Json::Bool(_) => Ok(v.clone()),
            Json::String(s) if s == "true" => Ok(Json::Bool(true)),
            Json::String(s) if s == "false" => Ok(Json::Bool(false)),
            other => Err(EvalError::new(format!(
                "cannot convert {} to bool",
                describe(other)
            ))),
        },
        "tonumber" => match v {
            Json::Null | Json::Number(_) => Ok(v.clone()),
            Json::String(s) => parse_number(s)
                .map(num)
                .ok_or_else(|| EvalError::new(format!("cannot convert \"{s}\" to number"))),
            other => Err(EvalError::new(format!(
                "cannot convert {} to number",
                describe(other)
            ))),
        },
        "tostring" => match v {
            Json::Null => Ok(Json::Null),
            Json::String(_) | Json::Number(_) | Json::Bool(_) => Ok(Json::String(to_str(v)?)),
            other => Err(EvalError::new(format!(
                "cannot convert {} to string",
                describe(other)
            ))),
        },
        "tolist" => match v {
            Json::Null => Ok(Json::Null),
            Json::Array(l) => Ok(Json::Array(unify(l.clone()))),
            other => Err(EvalError::new(format!(
                "cannot convert {} to list",
                describe(other)
            ))),
        },
        "toset" => match v {
            Json::Null => Ok(Json::Null),
            Json::Array(l) => Ok(Json::Array(make_set(unify(l.clone())))),
            other => Err(EvalError::new(format!(
                "cannot convert {} to set",
                describe(other)
            ))),
        },
        "tomap" => match v {
            Json::Null => Ok(Json::Null),
            Json::Object(m) => {
                let keys: Vec<String> = m.keys().cloned().collect();
                let vals = unify(m.values().cloned().collect());
                Ok(Json::Object(
                    keys.into_iter().zip(vals).collect::<Map<_, _>>(),
                ))
            }
            other => Err(EvalError::new(format!(
                "cannot convert {} to map",
                describe(other)
            ))),
        },
        _ => Err(EvalError::new("unknown conversion function")),
    }
}

fn describe(j: &Json) -> String {
    match j {
        Json::String(s) => format!("\"{s}\""),
        other => type_name(other).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{fails, k};
    use serde_json::json;

    #[test]
    fn documentation_examples() {
        assert_eq!(k("tobool(true)"), json!(true));
        assert_eq!(k("tobool(\"true\")"), json!(true));
        assert_eq!(k("tobool(null)"), json!(null));
        assert!(fails("tobool(\"no\")"));
        assert!(fails("tobool(1)"));
        assert_eq!(k("tolist([\"a\", \"b\", \"c\"])"), json!(["a", "b", "c"]));
        assert_eq!(k("tolist([\"a\", \"b\", 3])"), json!(["a", "b", "3"]));
        assert_eq!(k("tomap({\"a\" = 1, \"b\" = 2})"), json!({"a": 1, "b": 2}));
        assert_eq!(
            k("tomap({\"a\" = \"foo\", \"b\" = true})"),
            json!({"a": "foo", "b": "true"})
        );
        assert_eq!(k("tonumber(1)"), json!(1));
        assert_eq!(k("tonumber(\"1\")"), json!(1));
        assert_eq!(k("tonumber(null)"), json!(null));
        assert!(fails("tonumber(\"no\")"));
        assert_eq!(k("toset([\"a\", \"b\", \"c\"])"), json!(["a", "b", "c"]));
        assert_eq!(k("toset([\"c\", \"b\", \"b\"])"), json!(["b", "c"]));
        assert_eq!(k("toset([\"a\", \"b\", 3])"), json!(["3", "a", "b"]));
        assert_eq!(k("tostring(\"hello\")"), json!("hello"));
        assert_eq!(k("tostring(1)"), json!("1"));
        assert_eq!(k("tostring(true)"), json!("true"));
        assert_eq!(k("tostring(null)"), json!(null));
        assert!(fails("tostring([])"));
        assert_eq!(k("sensitive(1)"), json!(1));
        assert_eq!(k("nonsensitive(\"x\")"), json!("x"));
        assert_eq!(k("type(\"a\")"), json!("string"));
        assert_eq!(k("can(tonumber(\"x\"))"), json!(false));
        assert_eq!(k("try(tonumber(\"x\"), 0)"), json!(0));
    }
}
