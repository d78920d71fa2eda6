//! `terraform show -json` documents — plans (`planned_values`) and states (`values`) — as
//! instances for the azurerm mapping: what the plan leaves to apply is unknown, what refers to
//! a resource it creates is resolved from its `configuration`, and each resource takes its
//! provider configuration's subscription.

use aksnet_tf::azurerm::{self, Azurerm};
use aksnet_tf::config::Provider;
use aksnet_tf::{Instance, Origin};
use serde_json::{Map, Value};

use super::{diagnostic, note_unmapped, provider};
use crate::raw::{Diagnostic, Out, RawResource, Templates};

/// Whether a JSON document is `terraform show -json` output (a plan or a state): it opens with
/// `format_version` and holds `planned_values` or `values`.
pub(crate) fn is_show_json(o: &Map<String, Value>) -> bool {
    o.contains_key("format_version")
        && (o.contains_key("planned_values") || o.contains_key("values"))
}

/// Reads a plan's planned values (or a state's values) as instances: attributes the plan
/// leaves to apply (`after_unknown`) are unknown.
pub(crate) fn read_show_json(
    file: &str,
    doc: &Map<String, Value>,
    t: &Templates,
    out: &mut Out,
    diags: &mut Vec<Diagnostic>,
) {
    let (root, at) = match (doc.get("planned_values"), doc.get("values")) {
        (Some(v), _) => (v, "$.planned_values"),
        (None, Some(v)) => (v, "$.values"),
        _ => return,
    };
    let unknown: std::collections::HashMap<&str, &Value> = doc
        .get("resource_changes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|c| {
            Some((
                c.get("address")?.as_str()?,
                c.get("change")?.get("after_unknown")?,
            ))
        })
        .collect();
    let mut instances: Vec<Instance> = Vec::new();
    let mut origins = Vec::new();
    collect(
        root.get("root_module"),
        &format!("{at}.root_module"),
        &mut |r, path| {
            if r.get("mode").and_then(Value::as_str) != Some("managed") {
                return;
            }
            let (Some(address), Some(kind)) = (
                r.get("address").and_then(Value::as_str),
                r.get("type").and_then(Value::as_str),
            ) else {
                return;
            };
            let mut values = r
                .get("values")
                .cloned()
                .unwrap_or(Value::Object(Map::new()));
            if let Some(u) = unknown.get(address) {
                mark_unknown(&mut values, u, address);
            }
            instances.push(Instance {
                address: address.to_string(),
                kind: kind.to_string(),
                values,
                origin: Origin {
                    file: file.into(),
                    line: 0,
                    column: 0,
                },
                // From the plan's provider configuration, below ([`resolve_references`]).
                subscription: None,
            });
            origins.push(path);
        },
    );
    let provider = provider(t);
    resolve_references(&mut instances, doc, &provider);
    let mapped = azurerm::to_azure(&instances, &provider);
    // A plan holds no positions: resources point at their element of the plan.
    let by_address: std::collections::HashMap<&str, &String> = instances
        .iter()
        .map(|i| i.address.as_str())
        .zip(&origins)
        .collect();
    for d in &mapped.diagnostics {
        diags.push(diagnostic(d, file));
    }
    for (value, address, _) in mapped.resources {
        let path = by_address
            .get(address.as_str())
            .map_or(String::new(), |p| p.to_string());
        out.push(RawResource {
            value,
            origin: format!("{file}: {path} ({address})"),
        });
    }
    note_unmapped(&mapped.unmapped, file, diags);
}

/// Each instance takes the subscription of its provider configuration (`provider_config_key`,
/// whose `subscription_id` is a constant or a variable the plan gives). A plan leaves unknown
/// what refers to a resource it creates (`subnet_id =
/// azurerm_subnet.a.id` is "known after apply" when the subnet is new), but its `configuration`
/// keeps the references: each such attribute — top-level, or in a nested block — takes the
/// referenced resource's computed value (its id, as Azure will give it), the way a configuration
/// read from `.tf` files resolves it.
fn resolve_references(instances: &mut [Instance], doc: &Map<String, Value>, provider: &Azurerm) {
    let configuration = doc.get("configuration");
    let Some(root) = configuration.and_then(|c| c.get("root_module")) else {
        return;
    };
    // Configuration resources by their address in the module (`module.a.module.b.` + `type.name`).
    let mut resources: std::collections::HashMap<String, &Value> = Default::default();
    walk_configuration(root, "", &mut resources);
    // The plan's input variables, for provider configurations that read them.
    let variables: std::collections::HashMap<String, String> = doc
        .get("variables")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.clone(), v.get("value")?.as_str()?.to_string())))
        .collect();
    let subscriptions = provider_subscriptions(&variables, configuration);
    // Each resource's subscription: its provider configuration's (`provider_config_key`).
    for i in instances.iter_mut() {
        let (module_path, local) = split_module(&i.address);
        let key = format!("{}{}", strip_keys(module_path), strip_index(local));
        i.subscription = resources
            .get(&key)
            .and_then(|r| r.get("provider_config_key")?.as_str())
            .and_then(|k| subscriptions.get(k))
            .cloned();
    }
    // Computed attributes of every instance, by address.
    let computed: std::collections::HashMap<String, Map<String, Value>> = instances
        .iter()
        .map(|i| {
            let c = provider.computed_in(&i.kind, &i.values, i.subscription.as_deref());
            (i.address.clone(), c)
        })
        .collect();
    for i in instances.iter_mut() {
        // `module.a["x"].azurerm_subnet.s[0]` → module path `module.a["x"].`, config key
        // `module.a.azurerm_subnet.s`.
        let (module_path, local) = split_module(&i.address);
        let key = format!("{}{}", strip_keys(module_path), strip_index(local));
        let Some(e) = resources.get(&key).and_then(|r| r.get("expressions")) else {
            continue;
        };
        let target = |reference: &str| -> Option<Value> {
            // `azurerm_subnet.a.id` (or `azurerm_subnet.a[0].id`, `module.x.output`: skipped).
            let (resource, attr) = reference.rsplit_once('.')?;
            if resource.starts_with("module.")
                || resource.starts_with("var.")
                || resource.starts_with("local.")
                || resource.starts_with("data.")
            {
                return None;
            }
            let address = format!("{module_path}{resource}");
            computed.get(&address).and_then(|c| c.get(attr)).cloned()
        };
        fill(&mut i.values, e, &target);
    }
}

/// Replaces unknown attributes of `values` whose configuration expression (`e`, the
/// `expressions` object) is a single reference with the referenced value.
fn fill(values: &mut Value, e: &Value, target: &dyn Fn(&str) -> Option<Value>) {
    let (Some(v), Some(e)) = (values.as_object_mut(), e.as_object()) else {
        return;
    };
    for (k, ex) in e {
        if let Some(refs) = ex.get("references").and_then(Value::as_array) {
            let unknown = v
                .get(k)
                .is_none_or(|x| x.is_null() || aksnet_arm::Unknown::from_json(x).is_some());
            // The first reference is the most specific (`azurerm_subnet.a.id`, then `azurerm_subnet.a`).
            if let (true, Some(r)) = (unknown, refs.first().and_then(Value::as_str)) {
                if let Some(x) = target(r) {
                    v.insert(k.clone(), x);
                }
            }
        } else if let (Some(Value::Array(blocks)), Value::Array(block_exprs)) = (v.get_mut(k), ex) {
            for (b, be) in blocks.iter_mut().zip(block_exprs) {
                fill(b, be, target);
            }
        }
    }
}

/// The subscription of each azurerm provider configuration of a plan, by key (`azurerm`,
/// `azurerm.connectivity`, `module.x:azurerm`): its `subscription_id` when a constant or a
/// variable the plan gives.
fn provider_subscriptions(
    variables: &std::collections::HashMap<String, String>,
    configuration: Option<&Value>,
) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    for (key, p) in configuration
        .and_then(|c| c.get("provider_config"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if p.get("name").and_then(Value::as_str) != Some("azurerm") {
            continue;
        }
        let Some(e) = p.get("expressions").and_then(|e| e.get("subscription_id")) else {
            continue;
        };
        let sub = e
            .get("constant_value")
            .and_then(Value::as_str)
            .map(String::from)
            .or_else(|| {
                let r = e.get("references")?.as_array()?.first()?.as_str()?;
                variables.get(r.strip_prefix("var.")?).cloned()
            });
        if let Some(sub) = sub {
            out.insert(key.clone(), sub);
        }
    }
    out
}

/// Configuration resources of a module and the modules it calls, by module-relative address.
fn walk_configuration<'v>(
    module: &'v Value,
    prefix: &str,
    out: &mut std::collections::HashMap<String, &'v Value>,
) {
    for r in module
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(a) = r.get("address").and_then(Value::as_str) {
            out.insert(format!("{prefix}{a}"), r);
        }
    }
    for (name, call) in module
        .get("module_calls")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(m) = call.get("module") {
            walk_configuration(m, &format!("{prefix}module.{name}."), out);
        }
    }
}

/// `module.a["x"].module.b.azurerm_subnet.s[0]` → (`module.a["x"].module.b.`, `azurerm_subnet.s[0]`).
fn split_module(address: &str) -> (&str, &str) {
    let mut at = 0;
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        // The module name, then an optional `[key]`, then `.`.
        let end = after
            .char_indices()
            .scan(0i32, |depth, (i, c)| {
                match c {
                    '[' => *depth += 1,
                    ']' => *depth -= 1,
                    _ => {}
                }
                Some((i, c, *depth))
            })
            .find(|&(_, c, d)| c == '.' && d == 0)
            .map(|(i, _, _)| i);
        let Some(end) = end else { break };
        at += "module.".len() + end + 1;
        rest = &address[at..];
    }
    (&address[..at], rest)
}

/// An address without instance keys: `module.a["x"].` → `module.a.`.
fn strip_keys(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// `azurerm_subnet.s[0]` → `azurerm_subnet.s`.
fn strip_index(s: &str) -> &str {
    s.split_once('[').map_or(s, |(a, _)| a)
}

/// Walks a module of `planned_values`/`values` and its child modules.
fn collect(module: Option<&Value>, path: &str, f: &mut dyn FnMut(&Value, String)) {
    let Some(m) = module else { return };
    for (i, r) in m
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        f(r, format!("{path}.resources[{i}]"));
    }
    for (i, c) in m
        .get("child_modules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        collect(Some(c), &format!("{path}.child_modules[{i}]"), f);
    }
}

/// Replaces what `after_unknown` marks `true` with the unknown marker.
fn mark_unknown(values: &mut Value, unknown: &Value, at: &str) {
    match (values, unknown) {
        (v, Value::Bool(true)) => {
            *v = aksnet_arm::Unknown {
                expression: at.to_string(),
                reason: "known only after apply".into(),
                of: None,
            }
            .to_json();
        }
        (Value::Object(o), Value::Object(u)) => {
            for (k, uk) in u {
                let slot = o.entry(k.clone()).or_insert(Value::Null);
                mark_unknown(slot, uk, &format!("{at}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(u)) => {
            for (i, (x, ux)) in a.iter_mut().zip(u).enumerate() {
                mark_unknown(x, ux, &format!("{at}[{i}]"));
            }
        }
        _ => {}
    }
}
