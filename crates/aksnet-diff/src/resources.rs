//! Resources added, removed and changed, by id (case-insensitive, as ARM compares ids), with
//! the properties that changed as paths (`properties.securityRules[allow-https].properties.
//! priority`): elements of arrays of named objects are matched by name, other arrays by
//! position.

use std::collections::BTreeMap;

use aksnet_model::Estate;
use serde::Serialize;
use serde_json::Value;

/// Resources added, removed and changed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ResourceChanges {
    /// Ids in HEAD, not in BASE.
    pub added: Vec<String>,
    /// Ids in BASE, not in HEAD.
    pub removed: Vec<String>,
    /// Resources in both that differ.
    pub changed: Vec<Changed>,
}

impl ResourceChanges {
    /// Nothing added, removed or changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// One changed resource.
#[derive(Clone, Debug, Serialize)]
pub struct Changed {
    /// Its id (as HEAD writes it).
    pub id: String,
    /// The paths that differ (at most [`MAX_PATHS`]; `more` counts the rest).
    pub properties: Vec<String>,
    /// Paths left out of `properties`.
    #[serde(skip_serializing_if = "is_zero")]
    pub more: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The most changed paths listed per resource.
pub const MAX_PATHS: usize = 20;

/// Every resource of an estate as its JSON, by lowercase id.
pub(crate) fn by_id(e: &Estate) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let Ok(Value::Object(top)) = serde_json::to_value(e) else {
        return out;
    };
    for (_, v) in top {
        let Value::Array(items) = v else { continue };
        for r in items {
            if let Some(id) = r.get("id").and_then(Value::as_str) {
                out.insert(id.to_ascii_lowercase(), r);
            }
        }
    }
    out
}

/// The paths under `path` where `a` and `b` differ.
fn differences(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    if a == b {
        return;
    }
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let null = Value::Null;
                differences(
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    &join(k),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            fn named(v: &[Value]) -> Option<BTreeMap<String, &Value>> {
                v.iter()
                    .map(|e| {
                        e.get("name")
                            .and_then(Value::as_str)
                            .map(|n| (n.to_ascii_lowercase(), e))
                    })
                    .collect()
            }
            match (named(x), named(y)) {
                (Some(nx), Some(ny)) if !x.is_empty() || !y.is_empty() => {
                    let keys: std::collections::BTreeSet<&String> =
                        nx.keys().chain(ny.keys()).collect();
                    for k in keys {
                        let at = format!("{path}[{k}]");
                        match (nx.get(k), ny.get(k)) {
                            (Some(p), Some(q)) => differences(p, q, &at, out),
                            (None, Some(_)) => out.push(format!("{at} added")),
                            (Some(_), None) => out.push(format!("{at} removed")),
                            (None, None) => {}
                        }
                    }
                }
                _ => {
                    for i in 0..x.len().max(y.len()) {
                        let null = Value::Null;
                        differences(
                            x.get(i).unwrap_or(&null),
                            y.get(i).unwrap_or(&null),
                            &format!("{path}[{i}]"),
                            out,
                        );
                    }
                }
            }
        }
        _ => out.push(if path.is_empty() {
            "(whole)".into()
        } else {
            path.to_string()
        }),
    }
}

/// Compares the resources of two estates.
pub fn compare(base: &Estate, head: &Estate) -> ResourceChanges {
    let (b, h) = (by_id(base), by_id(head));
    let mut out = ResourceChanges::default();
    for (k, hv) in &h {
        let id = hv
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or(k)
            .to_string();
        match b.get(k) {
            None => out.added.push(id),
            Some(bv) => {
                let mut paths = Vec::new();
                differences(bv, hv, "", &mut paths);
                // The id's casing is not a change Azure sees.
                paths.retain(|p| p != "id" && p != "name");
                if !paths.is_empty() {
                    let more = paths.len().saturating_sub(MAX_PATHS);
                    paths.truncate(MAX_PATHS);
                    out.changed.push(Changed {
                        id,
                        properties: paths,
                        more,
                    });
                }
            }
        }
    }
    for (k, bv) in &b {
        if !h.contains_key(k) {
            out.removed.push(
                bv.get("id")
                    .and_then(Value::as_str)
                    .unwrap_or(k)
                    .to_string(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn named_elements_match_by_name_and_others_by_position() {
        let mut out = Vec::new();
        differences(
            &json!({"properties": {"securityRules": [{"name": "a", "properties": {"priority": 100}}, {"name": "b"}], "x": [1, 2]}}),
            &json!({"properties": {"securityRules": [{"name": "b"}, {"name": "a", "properties": {"priority": 110}}, {"name": "c"}], "x": [1, 3]}}),
            "",
            &mut out,
        );
        assert_eq!(
            out,
            [
                "properties.securityRules[a].properties.priority",
                "properties.securityRules[c] added",
                "properties.x[1]"
            ]
        );
    }
}
