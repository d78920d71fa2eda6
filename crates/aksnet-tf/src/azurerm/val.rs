//! Reading evaluated Terraform arguments and writing Azure JSON: small helpers shared by the
//! mappers.

use aksnet_arm::Unknown;
use serde_json::{json, Map, Value as Json};

/// A location in its short form, as Azure holds it and the azurerm provider normalises it:
/// `West Europe` is `westeurope`.
pub(crate) fn short_location(location: &str) -> String {
    location
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The argument `key` of `v`, unless absent or `null`.
pub(crate) fn get<'a>(v: &'a Json, key: &str) -> Option<&'a Json> {
    v.get(key).filter(|x| !x.is_null())
}

/// The first of `keys` that is present (4.x name first, then 3.x names).
pub(crate) fn any<'a>(v: &'a Json, keys: &[&str]) -> Option<&'a Json> {
    keys.iter().find_map(|k| get(v, k))
}

/// The argument `key` as a known string.
pub(crate) fn text<'a>(v: &'a Json, key: &str) -> Option<&'a str> {
    get(v, key).and_then(Json::as_str)
}

/// Whether `v` is an unknown-value marker.
pub(crate) fn is_unknown(v: &Json) -> bool {
    Unknown::from_json(v).is_some()
}

/// The nested blocks `key` of `v` (an array of objects; a single object counts as one block).
pub(crate) fn blocks<'a>(v: &'a Json, key: &str) -> Vec<&'a Json> {
    match get(v, key) {
        Some(Json::Array(a)) => a.iter().filter(|b| b.is_object()).collect(),
        Some(o @ Json::Object(_)) if !is_unknown(o) => vec![o],
        _ => Vec::new(),
    }
}

/// The first nested block `key` of `v` (blocks with at most one instance come as one-element
/// arrays).
pub(crate) fn block<'a>(v: &'a Json, key: &str) -> Option<&'a Json> {
    blocks(v, key).into_iter().next()
}

/// A list argument, as given (an array, or an unknown marker for the whole list); `None` when
/// absent or empty.
pub(crate) fn list(v: &Json, key: &str) -> Option<Json> {
    match get(v, key) {
        Some(Json::Array(a)) if a.is_empty() => None,
        Some(x @ Json::Array(_)) => Some(x.clone()),
        Some(x) if is_unknown(x) => Some(x.clone()),
        Some(Json::String(s)) if !s.is_empty() => Some(json!([s])),
        _ => None,
    }
}

/// The elements of a list argument (an unknown whole list gives none).
pub(crate) fn items<'a>(v: &'a Json, key: &str) -> Vec<&'a Json> {
    match get(v, key) {
        Some(Json::Array(a)) => a.iter().collect(),
        _ => Vec::new(),
    }
}

/// `{"id": x}` for a reference argument, when given.
pub(crate) fn sub_ref(v: &Json, keys: &[&str]) -> Option<Json> {
    any(v, keys)
        .filter(|x| !x.as_str().is_some_and(str::is_empty))
        .map(|x| json!({ "id": x }))
}

/// Inserts `value` under `key` when there is one.
pub(crate) fn put(m: &mut Map<String, Json>, key: &str, value: Option<Json>) {
    if let Some(x) = value {
        m.insert(key.to_string(), x);
    }
}

/// Copies argument `from` (the first present of several names) to `key`.
pub(crate) fn copy(m: &mut Map<String, Json>, key: &str, v: &Json, from: &[&str]) {
    put(m, key, any(v, from).cloned());
}

/// A boolean as Azure's `"Enabled"`/`"Disabled"` (a marker passes through).
pub(crate) fn enabled(x: &Json, invert: bool) -> Json {
    match x.as_bool() {
        Some(b) if b != invert => json!("Enabled"),
        Some(_) => json!("Disabled"),
        None => x.clone(),
    }
}

/// A boolean negated (a marker passes through).
pub(crate) fn not(x: &Json) -> Json {
    match x.as_bool() {
        Some(b) => Json::Bool(!b),
        None => x.clone(),
    }
}

/// A number or string as a string (Terraform numbers where REST has strings, such as ports).
pub(crate) fn as_text(x: &Json) -> Json {
    match x {
        Json::Number(n) => Json::String(n.to_string()),
        other => other.clone(),
    }
}

/// The last segment of an id (a known string), for names derived from ids.
pub(crate) fn last_segment(x: &Json) -> Option<String> {
    x.as_str()
        .and_then(|s| s.trim_end_matches('/').rsplit('/').next())
        .map(str::to_string)
}

/// Two ids equal as Azure compares them (case-insensitively, trailing slash ignored).
pub(crate) fn same_id(a: &str, b: &str) -> bool {
    a.trim_end_matches('/')
        .eq_ignore_ascii_case(b.trim_end_matches('/'))
}

/// A child element `{name, id, properties}` under `parent_id`'s `segment` collection.
pub(crate) fn child(parent_id: &str, segment: &str, name: &Json, props: Map<String, Json>) -> Json {
    let mut m = Map::new();
    m.insert("name".into(), name.clone());
    if let Some(n) = name.as_str() {
        m.insert("id".into(), json!(format!("{parent_id}/{segment}/{n}")));
    }
    m.insert("properties".into(), Json::Object(props));
    Json::Object(m)
}

/// Deep-merges `patch` into `target` (objects key by key; anything else replaced), as azapi
/// applies an update's `body`.
pub(crate) fn merge(target: &mut Json, patch: &Json) {
    match (target, patch) {
        (Json::Object(t), Json::Object(p)) => {
            for (k, v) in p {
                match t.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => merge(existing, v),
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_is_deep() {
        let mut a = json!({"properties": {"a": 1, "b": {"c": 2}}});
        merge(&mut a, &json!({"properties": {"b": {"d": 3}}}));
        assert_eq!(a, json!({"properties": {"a": 1, "b": {"c": 2, "d": 3}}}));
    }

    #[test]
    fn lists_and_blocks() {
        let v = json!({"a": [], "b": ["x"], "c": "y", "blk": [{"k": 1}], "n": null});
        assert_eq!(list(&v, "a"), None);
        assert_eq!(list(&v, "b"), Some(json!(["x"])));
        assert_eq!(list(&v, "c"), Some(json!(["y"])));
        assert_eq!(block(&v, "blk"), Some(&json!({"k": 1})));
        assert!(get(&v, "n").is_none());
        assert_eq!(enabled(&json!(true), true), json!("Disabled"));
    }
}
