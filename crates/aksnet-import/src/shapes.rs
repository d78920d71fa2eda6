//! Finds the resources in a JSON document, whatever shape it has: one resource, an array, a REST
//! list page (`value`), a Resource Graph result (`data`), a REST API specification example
//! (`responses.*.body`, else `parameters`), an ARM template, a `terraform show -json` plan or
//! state, or PowerShell `Get-AzResource` exports with child resources under `Resources`.

use serde_json::{Map, Value};

use crate::arm;
use crate::raw::{get, type_from_id, Diagnostic, Out, RawResource};

fn is_resource(o: &Map<String, Value>) -> bool {
    let id = get(o, "id")
        .or_else(|| get(o, "resourceId"))
        .and_then(Value::as_str)
        .is_some_and(|s| s.to_ascii_lowercase().starts_with("/subscriptions/"));
    let ty = get(o, "type")
        .or_else(|| get(o, "resourceType"))
        .and_then(Value::as_str)
        .is_some()
        || get(o, "id")
            .or_else(|| get(o, "resourceId"))
            .and_then(Value::as_str)
            .and_then(type_from_id)
            .is_some();
    id && ty
}

pub(crate) fn walk(doc: Value, file: &str, path: &str, out: &mut Out, diags: &mut Vec<Diagnostic>) {
    match doc {
        Value::Array(items) => {
            for (i, item) in items.into_iter().enumerate() {
                walk(item, file, &format!("{path}[{i}]"), out, diags);
            }
        }
        Value::Object(o) => {
            if arm::is_template(&o) {
                arm::extract(o, file, path, out, diags);
            } else if crate::terraform::is_show_json(&o) {
                let t = out.templates().clone();
                crate::terraform::read_show_json(file, &o, &t, out, diags);
            } else if let Some(Value::Object(responses)) = get(&o, "responses").cloned() {
                spec_example(&o, responses, file, path, out, diags);
            } else if is_resource(&o) {
                resource(o, file, path, out, diags);
            } else if let Some((key, Value::Object(inner))) = o
                .iter()
                .next()
                .filter(|_| o.len() == 1)
                .map(|(k, v)| (k.clone(), v.clone()))
                .filter(|(_, v)| v.as_object().is_some_and(is_resource))
            {
                // az CLI's create commands wrap the resource: `{"newVNet": {...}}`.
                resource(inner, file, &format!("{path}.{key}"), out, diags);
            } else if let Some(v @ Value::Array(_)) =
                get(&o, "value").or_else(|| get(&o, "data")).cloned()
            {
                let key = if get(&o, "value").is_some() {
                    "value"
                } else {
                    "data"
                };
                walk(v, file, &format!("{path}.{key}"), out, diags);
            }
        }
        _ => {}
    }
}

/// A resource, plus any child resources nested under `resources` (PowerShell exports, ARG).
fn resource(
    mut o: Map<String, Value>,
    file: &str,
    path: &str,
    out: &mut Out,
    diags: &mut Vec<Diagnostic>,
) {
    let children_key = o
        .keys()
        .find(|k| k.eq_ignore_ascii_case("resources"))
        .cloned();
    let children = children_key.and_then(|k| o.remove(&k));
    out.push(RawResource {
        value: Value::Object(o),
        origin: format!("{file}: {path}"),
    });
    if let Some(Value::Array(kids)) = children {
        for (i, k) in kids.into_iter().enumerate() {
            walk(k, file, &format!("{path}.resources[{i}]"), out, diags);
        }
    }
}

/// A REST API specification example: response bodies (lowest status code with a body first),
/// else resources in the request parameters.
fn spec_example(
    o: &Map<String, Value>,
    responses: Map<String, Value>,
    file: &str,
    path: &str,
    out: &mut Out,
    diags: &mut Vec<Diagnostic>,
) {
    let before = out.len();
    let mut codes: Vec<(String, Value)> = responses.into_iter().collect();
    codes.sort_by(|a, b| a.0.cmp(&b.0));
    for (code, r) in codes {
        if let Some(body) = r.as_object().and_then(|r| get(r, "body")).cloned() {
            walk(
                body,
                file,
                &format!("{path}.responses.{code}.body"),
                out,
                diags,
            );
            if out.len() > before {
                return;
            }
        }
    }
    if let Some(Value::Object(params)) = get(o, "parameters") {
        for (k, v) in params {
            if v.as_object().is_some_and(is_resource) {
                walk(
                    v.clone(),
                    file,
                    &format!("{path}.parameters.{k}"),
                    out,
                    diags,
                );
            }
        }
    }
    if out.len() == before {
        diags.push(Diagnostic::warning(file, path, "a REST example whose responses and parameters hold no resource (an action or a list of non-resources); nothing to import"));
    }
}
