//! Resource ids: how each mapped type (and its data source) is identified, and the attributes
//! the provider computes from that.

use aksnet_arm::Unknown;
use serde_json::{json, Map, Value as Json};

use super::val::get;

/// How a Terraform type's Azure id is built.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Scope {
    /// A resource group: `/subscriptions/{sub}/resourceGroups/{name}`.
    Group,
    /// A top-level resource of this ARM type in `resource_group_name`.
    Top(&'static str),
    /// A child of the named parent: (parent name argument, parent ARM type, child segment).
    ChildByName(&'static str, &'static str, &'static str),
    /// A child of the parent whose id is given: (parent id argument, child segment).
    ChildById(&'static str, &'static str),
    /// An association, identified by the ids it joins (azurerm's own id for it).
    Link(&'static [&'static str]),
    /// An extension resource of this ARM type at the id in `scope`. Its name, when the
    /// configuration leaves it to Azure (a role assignment's GUID), is a stand-in unique to its
    /// arguments: it names nothing any analysis reads.
    Extension(&'static str),
}

/// The id scope of an azurerm type (without `data.`), or `None` when aksnet does not map it.
pub(crate) fn scope(kind: &str) -> Option<Scope> {
    use Scope::*;
    Some(match kind {
        "azurerm_resource_group" => Group,
        "azurerm_virtual_network" => Top("Microsoft.Network/virtualNetworks"),
        "azurerm_subnet" => ChildByName(
            "virtual_network_name",
            "Microsoft.Network/virtualNetworks",
            "subnets",
        ),
        "azurerm_network_security_group" => Top("Microsoft.Network/networkSecurityGroups"),
        "azurerm_network_security_rule" => ChildByName(
            "network_security_group_name",
            "Microsoft.Network/networkSecurityGroups",
            "securityRules",
        ),
        "azurerm_application_security_group" => Top("Microsoft.Network/applicationSecurityGroups"),
        "azurerm_route_table" => Top("Microsoft.Network/routeTables"),
        "azurerm_route" => ChildByName(
            "route_table_name",
            "Microsoft.Network/routeTables",
            "routes",
        ),
        "azurerm_virtual_network_peering" => ChildByName(
            "virtual_network_name",
            "Microsoft.Network/virtualNetworks",
            "virtualNetworkPeerings",
        ),
        "azurerm_public_ip" => Top("Microsoft.Network/publicIPAddresses"),
        "azurerm_nat_gateway" => Top("Microsoft.Network/natGateways"),
        "azurerm_network_interface" => Top("Microsoft.Network/networkInterfaces"),
        "azurerm_firewall" => Top("Microsoft.Network/azureFirewalls"),
        "azurerm_firewall_policy" => Top("Microsoft.Network/firewallPolicies"),
        "azurerm_firewall_policy_rule_collection_group" => {
            ChildById("firewall_policy_id", "ruleCollectionGroups")
        }
        "azurerm_firewall_network_rule_collection" => ChildByName(
            "azure_firewall_name",
            "Microsoft.Network/azureFirewalls",
            "networkRuleCollections",
        ),
        "azurerm_firewall_application_rule_collection" => ChildByName(
            "azure_firewall_name",
            "Microsoft.Network/azureFirewalls",
            "applicationRuleCollections",
        ),
        "azurerm_firewall_nat_rule_collection" => ChildByName(
            "azure_firewall_name",
            "Microsoft.Network/azureFirewalls",
            "natRuleCollections",
        ),
        "azurerm_ip_group" => Top("Microsoft.Network/ipGroups"),
        "azurerm_private_endpoint" => Top("Microsoft.Network/privateEndpoints"),
        "azurerm_private_dns_zone" => Top("Microsoft.Network/privateDnsZones"),
        "azurerm_private_dns_zone_virtual_network_link" => ChildByName(
            "private_dns_zone_name",
            "Microsoft.Network/privateDnsZones",
            "virtualNetworkLinks",
        ),
        "azurerm_private_dns_a_record" => {
            ChildByName("zone_name", "Microsoft.Network/privateDnsZones", "A")
        }
        "azurerm_kubernetes_cluster" => Top("Microsoft.ContainerService/managedClusters"),
        "azurerm_kubernetes_cluster_node_pool" => ChildById("kubernetes_cluster_id", "agentPools"),
        "azurerm_application_gateway" => Top("Microsoft.Network/applicationGateways"),
        "azurerm_web_application_firewall_policy" => {
            Top("Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies")
        }
        "azurerm_bastion_host" => Top("Microsoft.Network/bastionHosts"),
        "azurerm_virtual_network_gateway" => Top("Microsoft.Network/virtualNetworkGateways"),
        "azurerm_local_network_gateway" => Top("Microsoft.Network/localNetworkGateways"),
        "azurerm_virtual_network_gateway_connection" => Top("Microsoft.Network/connections"),
        "azurerm_container_registry" => Top("Microsoft.ContainerRegistry/registries"),
        "azurerm_key_vault" => Top("Microsoft.KeyVault/vaults"),
        "azurerm_lb" => Top("Microsoft.Network/loadBalancers"),
        "azurerm_lb_rule" => ChildById("loadbalancer_id", "loadBalancingRules"),
        "azurerm_private_dns_resolver" => Top("Microsoft.Network/dnsResolvers"),
        "azurerm_private_dns_resolver_inbound_endpoint" => {
            ChildById("private_dns_resolver_id", "inboundEndpoints")
        }
        "azurerm_private_dns_resolver_outbound_endpoint" => {
            ChildById("private_dns_resolver_id", "outboundEndpoints")
        }
        "azurerm_private_dns_resolver_dns_forwarding_ruleset" => {
            Top("Microsoft.Network/dnsForwardingRulesets")
        }
        "azurerm_private_dns_resolver_forwarding_rule" => {
            ChildById("dns_forwarding_ruleset_id", "forwardingRules")
        }
        "azurerm_private_dns_resolver_virtual_network_link" => {
            ChildById("dns_forwarding_ruleset_id", "virtualNetworkLinks")
        }
        "azurerm_user_assigned_identity" => Top("Microsoft.ManagedIdentity/userAssignedIdentities"),
        "azurerm_role_assignment" => Extension("Microsoft.Authorization/roleAssignments"),
        "azurerm_subnet_network_security_group_association"
        | "azurerm_subnet_route_table_association"
        | "azurerm_subnet_nat_gateway_association" => Link(&["subnet_id"]),
        "azurerm_nat_gateway_public_ip_association" => {
            Link(&["nat_gateway_id", "public_ip_address_id"])
        }
        "azurerm_network_interface_security_group_association" => {
            Link(&["network_interface_id", "network_security_group_id"])
        }
        "azurerm_network_interface_application_security_group_association" => {
            Link(&["network_interface_id", "application_security_group_id"])
        }
        _ => return None,
    })
}

/// A resource's identity: its id, name and ARM type.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Ident {
    /// The full Azure id.
    pub id: String,
    /// Its name (the id's last segment).
    pub name: String,
    /// The ARM type (`Microsoft.Network/virtualNetworks/subnets`); empty for links.
    pub arm: String,
}

/// Why a resource cannot be identified: the argument, and the unknown's expression when it is
/// unknown (absent otherwise).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NoIdent {
    /// The argument needed.
    pub argument: String,
    /// The unknown it holds, if it holds one.
    pub unknown: Option<Unknown>,
}

impl NoIdent {
    /// The message for a diagnostic about `address`.
    pub(crate) fn message(&self, address: &str) -> String {
        match &self.unknown {
            Some(u) => format!(
                "{address} cannot be identified: its `{}` is unknown (`{}`: {}); skipped",
                self.argument, u.expression, u.reason
            ),
            None => format!(
                "{address} cannot be identified: its `{}` is not given; skipped",
                self.argument
            ),
        }
    }
}

/// The known string argument `key` needed for an identity.
pub(crate) fn known<'a>(v: &'a Json, key: &str) -> Result<&'a str, NoIdent> {
    match get(v, key) {
        Some(Json::String(s)) if !s.is_empty() => Ok(s),
        Some(x) => Err(NoIdent {
            argument: key.to_string(),
            unknown: Unknown::from_json(x),
        }),
        None => Err(NoIdent {
            argument: key.to_string(),
            unknown: None,
        }),
    }
}

/// The id of resource group `rg`.
pub(crate) fn group_id(sub: &str, rg: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}")
}

/// The ARM type an id names (`.../providers/Microsoft.Network/firewallPolicies/p/ruleCollectionGroups/g`
/// is `Microsoft.Network/firewallPolicies/ruleCollectionGroups`).
pub(crate) fn type_of_id(id: &str) -> Option<String> {
    let lower = id.to_ascii_lowercase();
    let at = lower.rfind("/providers/")?;
    let rest: Vec<&str> = id[at + "/providers/".len()..]
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let (ns, pairs) = rest.split_first()?;
    let types: Vec<&str> = pairs.iter().step_by(2).copied().collect();
    if types.is_empty() {
        return None;
    }
    Some(format!("{ns}/{}", types.join("/")))
}

/// Identifies a resource of `kind` (resource or data source type without `data.`) from its
/// arguments.
pub(crate) fn identify(sub: &str, kind: &str, v: &Json) -> Option<Result<Ident, NoIdent>> {
    let scope = scope(kind)?;
    Some(identify_in(sub, scope, v))
}

fn identify_in(sub: &str, scope: Scope, v: &Json) -> Result<Ident, NoIdent> {
    match scope {
        Scope::Group => {
            let name = known(v, "name")?;
            Ok(Ident {
                id: group_id(sub, name),
                name: name.to_string(),
                arm: "Microsoft.Resources/resourceGroups".into(),
            })
        }
        Scope::Top(arm) => {
            let name = known(v, "name")?;
            let rg = known(v, "resource_group_name")?;
            Ok(Ident {
                id: format!("{}/providers/{arm}/{name}", group_id(sub, rg)),
                name: name.to_string(),
                arm: arm.to_string(),
            })
        }
        Scope::ChildByName(parent_arg, parent_arm, segment) => {
            let name = known(v, "name")?;
            let parent = known(v, parent_arg)?;
            let rg = known(v, "resource_group_name")?;
            Ok(Ident {
                id: format!(
                    "{}/providers/{parent_arm}/{parent}/{segment}/{name}",
                    group_id(sub, rg)
                ),
                name: name.to_string(),
                arm: format!("{parent_arm}/{segment}"),
            })
        }
        Scope::ChildById(parent_arg, segment) => {
            let name = known(v, "name")?;
            let parent = known(v, parent_arg)?.trim_end_matches('/');
            let parent_arm = type_of_id(parent).unwrap_or_default();
            Ok(Ident {
                id: format!("{parent}/{segment}/{name}"),
                name: name.to_string(),
                arm: format!("{parent_arm}/{segment}"),
            })
        }
        Scope::Extension(arm) => {
            let scope = known(v, "scope")?.trim_end_matches('/');
            let name = match known(v, "name") {
                Ok(n) => n.to_string(),
                Err(_) => {
                    let args: Vec<String> = [
                        "scope",
                        "role_definition_id",
                        "role_definition_name",
                        "principal_id",
                    ]
                    .iter()
                    .map(|k| get(v, k).map(Json::to_string).unwrap_or_default())
                    .collect();
                    let h = sha1_smol::Sha1::from(args.join("|")).digest().to_string();
                    format!("unknown-name-{}", &h[..8])
                }
            };
            Ok(Ident {
                id: format!("{scope}/providers/{arm}/{name}"),
                name,
                arm: arm.to_string(),
            })
        }
        Scope::Link(args) => {
            let parts = args
                .iter()
                .map(|a| known(v, a))
                .collect::<Result<Vec<_>, _>>()?;
            let id = parts.join("|");
            Ok(Ident {
                name: parts.first().map(|s| s.to_string()).unwrap_or_default(),
                id,
                arm: String::new(),
            })
        }
    }
}

/// The attributes azurerm computes for `kind` (possibly `data.`-prefixed): `id`, and `name`,
/// `resource_group_name` and `location` echoed when given; inline subnets get their ids.
pub(crate) fn computed(sub: &str, kind: &str, v: &Json) -> Map<String, Json> {
    let mut out = Map::new();
    let bare = kind.strip_prefix("data.").unwrap_or(kind);
    if bare == "azapi_resource" {
        if let Ok(id) = super::azapi::resource_id(v) {
            out.insert("id".into(), json!(id.id));
        }
        for k in ["name", "parent_id", "location", "type"] {
            if let Some(x) = get(v, k) {
                out.insert(k.into(), x.clone());
            }
        }
        return out;
    }
    let data = kind.starts_with("data.");
    if data && (bare == "azurerm_client_config" || bare == "azurerm_subscription") {
        out.insert("subscription_id".into(), json!(sub));
        if bare == "azurerm_subscription" {
            out.insert("id".into(), json!(format!("/subscriptions/{sub}")));
        }
        return out;
    }
    if bare == "azapi_update_resource" {
        if let Some(x) = super::azapi::update_target(v) {
            out.insert("id".into(), json!(x));
        }
        return out;
    }
    let Some(Ok(ident)) = identify(sub, bare, v) else {
        return out;
    };
    out.insert("id".into(), json!(ident.id));
    for k in ["name", "resource_group_name", "location"] {
        if let Some(x) = get(v, k) {
            out.insert(k.into(), x.clone());
        }
    }
    if bare == "azurerm_kubernetes_cluster" && get(v, "node_resource_group").is_none() {
        if let Some(g) = super::aks::node_resource_group(v) {
            out.insert("node_resource_group".into(), json!(g));
        }
    }
    if bare == "azurerm_virtual_network" {
        if let Some(Json::Array(subnets)) = get(v, "subnet") {
            let with_ids: Vec<Json> = subnets
                .iter()
                .map(|s| {
                    let mut s = s.clone();
                    if let Some(name) = s.get("name").and_then(Json::as_str).map(str::to_string) {
                        if let Some(o) = s.as_object_mut() {
                            o.insert("id".into(), json!(format!("{}/subnets/{name}", ident.id)));
                        }
                    }
                    s
                })
                .collect();
            out.insert("subnet".into(), Json::Array(with_ids));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_by_scope() {
        let v = json!({"name": "s", "virtual_network_name": "v", "resource_group_name": "rg"});
        let c = computed("sub", "data.azurerm_subnet", &v);
        assert_eq!(
            c["id"],
            "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
        );
        let rcg = json!({"name": "g", "firewall_policy_id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/firewallPolicies/p"});
        let i = identify("sub", "azurerm_firewall_policy_rule_collection_group", &rcg)
            .and_then(Result::ok)
            .map(|i| i.arm);
        assert_eq!(
            i.as_deref(),
            Some("Microsoft.Network/firewallPolicies/ruleCollectionGroups")
        );
        let rg = computed(
            "s",
            "azurerm_resource_group",
            &json!({"name": "rg", "location": "x"}),
        );
        assert_eq!(rg["id"], "/subscriptions/s/resourceGroups/rg");
        assert_eq!(rg["location"], "x");
    }
}
