//! ARM templates whose resources hold literal values. Expressions (`[...]`) are not evaluated
//! yet: the first one found is reported with its JSON path.

use serde_json::{Map, Value};

use crate::raw::{get, Diagnostic, Out, RawResource};

/// Subscription and resource group used for ids of template resources (a template has none).
pub const TEMPLATE_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";
/// See [`TEMPLATE_SUBSCRIPTION`].
pub const TEMPLATE_RESOURCE_GROUP: &str = "arm-template";

pub(crate) fn is_template(o: &Map<String, Value>) -> bool {
    let schema = get(o, "$schema")
        .and_then(Value::as_str)
        .is_some_and(|s| s.contains("deploymentTemplate"));
    schema
        || (get(o, "contentVersion").is_some()
            && matches!(get(o, "resources"), Some(Value::Array(_))))
}

/// The first ARM expression in a value, with its path. `[[` escapes a literal bracket.
fn first_expression(v: &Value, path: &str) -> Option<(String, String)> {
    match v {
        Value::String(s) if s.starts_with('[') && !s.starts_with("[[") && s.ends_with(']') => {
            Some((s.clone(), path.to_string()))
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, x)| first_expression(x, &format!("{path}[{i}]"))),
        Value::Object(o) => o
            .iter()
            .find_map(|(k, x)| first_expression(x, &format!("{path}.{k}"))),
        _ => None,
    }
}

pub(crate) fn extract(
    o: Map<String, Value>,
    file: &str,
    path: &str,
    out: &mut Out,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(Value::Array(resources)) = get(&o, "resources").cloned() else {
        return;
    };
    if let Some((expr, at)) = first_expression(
        &Value::Array(resources.clone()),
        &format!("{path}.resources"),
    ) {
        let shown: String = expr.chars().take(120).collect();
        diags.push(Diagnostic::error(file, &at, &format!("ARM template expressions are not supported yet: {shown}")).with_hint("export the deployed resources instead (az resource list / az group export), or resolve the template with what-if first"));
        return;
    }
    for (i, r) in resources.into_iter().enumerate() {
        resource(r, None, file, &format!("{path}.resources[{i}]"), out, diags);
    }
}

/// One template resource; `parent` is `(type, name)` for nested children.
fn resource(
    r: Value,
    parent: Option<(&str, &str)>,
    file: &str,
    path: &str,
    out: &mut Out,
    diags: &mut Vec<Diagnostic>,
) {
    let Value::Object(mut o) = r else { return };
    let ty = get(&o, "type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let name = get(&o, "name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let (full_type, full_name) = match parent {
        Some((pt, pn)) if !ty.contains('/') || !ty.contains('.') => {
            (format!("{pt}/{ty}"), format!("{pn}/{name}"))
        }
        _ => (ty.clone(), name.clone()),
    };
    if full_type.is_empty() || full_name.is_empty() {
        diags.push(Diagnostic::warning(
            file,
            path,
            "template resource without type or name; skipped",
        ));
        return;
    }
    // `Microsoft.Network/virtualNetworks/subnets` + `vnet/snet` → providers/.../virtualNetworks/vnet/subnets/snet
    let mut segs = full_type.splitn(2, '/');
    let ns = segs.next().unwrap_or("");
    let types: Vec<&str> = segs.next().unwrap_or("").split('/').collect();
    let names: Vec<&str> = full_name.split('/').collect();
    if types.len() != names.len() {
        diags.push(Diagnostic::warning(
            file,
            path,
            &format!("type `{full_type}` and name `{full_name}` have different depths; skipped"),
        ));
        return;
    }
    let mut id = format!("/subscriptions/{TEMPLATE_SUBSCRIPTION}/resourceGroups/{TEMPLATE_RESOURCE_GROUP}/providers/{ns}");
    for (t, n) in types.iter().zip(&names) {
        id.push_str(&format!("/{t}/{n}"));
    }
    let children = o
        .keys()
        .find(|k| k.eq_ignore_ascii_case("resources"))
        .cloned()
        .and_then(|k| o.remove(&k));
    o.insert("id".into(), Value::String(id));
    o.insert("type".into(), Value::String(full_type.clone()));
    o.insert(
        "name".into(),
        Value::String(names.last().copied().unwrap_or("").to_string()),
    );
    out.push(RawResource {
        value: Value::Object(o),
        origin: format!("{file}: {path}"),
    });
    if let Some(Value::Array(kids)) = children {
        for (i, k) in kids.into_iter().enumerate() {
            resource(
                k,
                Some((&full_type, &full_name)),
                file,
                &format!("{path}.resources[{i}]"),
                out,
                diags,
            );
        }
    }
}
