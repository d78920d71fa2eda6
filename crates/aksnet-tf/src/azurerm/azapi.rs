//! `azapi_resource` (ARM's own shape in `body`) and `azapi_update_resource` (a patch merged
//! into the resource it names).

use serde_json::{json, Map, Value as Json};

use super::fold::Fold;
use super::ids::{known, Ident, NoIdent};
use super::val::{get, is_unknown};
use super::Out;

/// The ARM type of `type = "Microsoft.Network/virtualNetworks@2023-11-01"`.
fn arm_type(v: &Json) -> Result<String, NoIdent> {
    let t = known(v, "type")?;
    Ok(t.split('@').next().unwrap_or(t).to_string())
}

/// An `azapi_resource`'s identity: a top-level type (one `/`) is
/// `{parent_id}/providers/{type}/{name}`; a child type is `{parent_id}/{last segment}/{name}`.
pub(crate) fn resource_id(v: &Json) -> Result<Ident, NoIdent> {
    let arm = arm_type(v)?;
    let name = known(v, "name")?;
    let parent = known(v, "parent_id")?.trim_end_matches('/');
    let segments: Vec<&str> = arm.split('/').collect();
    let id = if arm.eq_ignore_ascii_case("Microsoft.Resources/resourceGroups") {
        format!("{parent}/resourceGroups/{name}")
    } else if segments.len() <= 2 {
        format!("{parent}/providers/{arm}/{name}")
    } else {
        let last = segments.last().copied().unwrap_or_default();
        format!("{parent}/{last}/{name}")
    };
    Ok(Ident {
        id,
        name: name.to_string(),
        arm,
    })
}

/// `body` as JSON: an object, or a `jsonencode(...)` string parsed; `None` when unknown or
/// not JSON.
fn body(v: &Json) -> Option<Json> {
    match get(v, "body")? {
        Json::String(s) => serde_json::from_str(s).ok(),
        x if is_unknown(x) => None,
        x => Some(x.clone()),
    }
}

/// The ARM types aksnet models (and their children the importer attaches or reads).
const MODELLED: &[&str] = &[
    "Microsoft.Network/virtualNetworks",
    "Microsoft.Network/virtualNetworks/subnets",
    "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
    "Microsoft.Network/routeTables",
    "Microsoft.Network/routeTables/routes",
    "Microsoft.Network/networkSecurityGroups",
    "Microsoft.Network/networkSecurityGroups/securityRules",
    "Microsoft.Network/applicationSecurityGroups",
    "Microsoft.Network/networkInterfaces",
    "Microsoft.Network/publicIPAddresses",
    "Microsoft.Network/natGateways",
    "Microsoft.Network/loadBalancers",
    "Microsoft.Network/azureFirewalls",
    "Microsoft.Network/firewallPolicies",
    "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
    "Microsoft.Network/ipGroups",
    "Microsoft.Network/applicationGateways",
    "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies",
    "Microsoft.Network/privateEndpoints",
    "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    "Microsoft.Network/privateDnsZones",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    "Microsoft.Network/privateDnsZones/A",
    "Microsoft.Network/dnsResolvers",
    "Microsoft.Network/dnsResolvers/inboundEndpoints",
    "Microsoft.Network/dnsResolvers/outboundEndpoints",
    "Microsoft.Network/dnsForwardingRulesets",
    "Microsoft.Network/dnsForwardingRulesets/forwardingRules",
    "Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks",
    "Microsoft.Network/bastionHosts",
    "Microsoft.Network/virtualNetworkGateways",
    "Microsoft.Network/localNetworkGateways",
    "Microsoft.Network/connections",
    "Microsoft.ContainerService/managedClusters",
    "Microsoft.ContainerService/managedClusters/agentPools",
    "Microsoft.ContainerRegistry/registries",
    "Microsoft.KeyVault/vaults",
    "Microsoft.ManagedIdentity/userAssignedIdentities",
];

/// Whether an azapi resource's (or update's) type is one aksnet models; an unknown or absent
/// type counts as modelled, so that the failure to identify it is reported.
pub(crate) fn modelled(v: &Json) -> bool {
    match arm_type(v) {
        Ok(t) => MODELLED.iter().any(|m| m.eq_ignore_ascii_case(&t)),
        Err(_) => true,
    }
}

/// Child collections whose elements Azure returns with ids.
const CHILDREN: &[&str] = &[
    "subnets",
    "securityRules",
    "routes",
    "virtualNetworkPeerings",
    "ipConfigurations",
];

/// `azapi_resource`: the body with `id`, `name`, `type`, `location` and `tags`, inline
/// children given their ids.
pub(crate) fn resource(v: &Json) -> Result<Vec<Out>, NoIdent> {
    let ident = resource_id(v)?;
    let mut out = Vec::new();
    let mut r = match body(v) {
        Some(Json::Object(m)) => m,
        _ => {
            if get(v, "body").is_some() {
                out.push(Out::Warning(
                    "its `body` is unknown or not a JSON object; only its identity is mapped"
                        .into(),
                ));
            }
            Map::new()
        }
    };
    r.insert("id".into(), json!(ident.id));
    r.insert("name".into(), json!(ident.name));
    r.insert("type".into(), json!(ident.arm));
    for k in ["location", "tags"] {
        if let Some(x) = get(v, k) {
            r.insert(k.into(), x.clone());
        }
    }
    if let Some(Json::Object(props)) = r.get_mut("properties") {
        for key in CHILDREN {
            let Some(Json::Array(list)) = props.get_mut(*key) else {
                continue;
            };
            for c in list {
                let Some(o) = c.as_object_mut() else { continue };
                if o.contains_key("id") {
                    continue;
                }
                if let Some(n) = o.get("name").and_then(Json::as_str) {
                    let id = format!("{}/{key}/{n}", ident.id);
                    o.insert("id".into(), json!(id));
                }
            }
        }
    }
    out.insert(0, Out::Resource(Json::Object(r)));
    Ok(out)
}

/// The id an `azapi_update_resource` changes: `resource_id`, else `parent_id` and `name` as
/// for a resource.
pub(crate) fn update_target(v: &Json) -> Option<String> {
    match get(v, "resource_id") {
        Some(Json::String(s)) => Some(s.clone()),
        _ => resource_id(v).ok().map(|i| i.id),
    }
}

/// `azapi_update_resource`: its body deep-merged into the resource it names.
pub(crate) fn update(v: &Json) -> Result<Vec<Out>, NoIdent> {
    let target = match get(v, "resource_id") {
        Some(_) => known(v, "resource_id")?.to_string(),
        None => resource_id(v)?.id,
    };
    let Some(body) = body(v) else {
        return Ok(vec![Out::Warning(
            "its `body` is unknown or not JSON; nothing to apply".into(),
        )]);
    };
    Ok(vec![Out::Fold(Fold::Merge { target, body })])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_of_top_level_child_and_extension_types() {
        let rg = "/subscriptions/s/resourceGroups/rg";
        let top = resource_id(
            &json!({"type": "Microsoft.Network/natGateways@2024-01-01", "name": "n", "parent_id": rg}),
        );
        assert_eq!(
            top.map(|i| i.id).ok().as_deref(),
            Some("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/natGateways/n")
        );
        let vnet = format!("{rg}/providers/Microsoft.Network/virtualNetworks/v");
        let child = resource_id(
            &json!({"type": "Microsoft.Network/virtualNetworks/subnets@2024-01-01", "name": "s", "parent_id": vnet}),
        );
        assert_eq!(child.map(|i| i.id).ok(), Some(format!("{vnet}/subnets/s")));
        let unknown = json!({"$unknown": {"expression": "azapi_resource.rg.id", "reason": "r"}});
        let e = resource_id(
            &json!({"type": "Microsoft.Network/natGateways@2024-01-01", "name": "n", "parent_id": unknown}),
        );
        assert_eq!(e.err().map(|e| e.argument).as_deref(), Some("parent_id"));
        assert!(!modelled(
            &json!({"type": "Microsoft.Authorization/roleAssignments@2022-04-01"})
        ));
    }
}
