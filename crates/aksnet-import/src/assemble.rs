//! Typed resources from raw JSON: envelope normalisation, type dispatch, child attachment,
//! duplicate reconciliation.

use std::cell::Cell;
use std::collections::BTreeMap;

use aksnet_model::aks::AgentPoolProfile;
use aksnet_model::network::{Route, SecurityRule, Subnet, VirtualNetworkPeering};
use aksnet_model::{Child, Estate, Resource, ResourceId, ResourceType};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::ci::from_value;
use crate::shapes::get;
use crate::{Diagnostic, RawResource, Summary};

/// `(lowercase type, id, origin, normalised object)`.
struct Item {
    ty: String,
    kind: String,
    id: ResourceId,
    origin: String,
    value: Value,
    size: usize,
}

/// Builds the ARM envelope from any casing/envelope (PowerShell exports use `ResourceId`,
/// `ResourceType`, `Properties`).
fn envelope(o: &Map<String, Value>) -> Option<(String, String, Value)> {
    let id = get(o, "id")
        .or_else(|| get(o, "resourceId"))?
        .as_str()?
        .to_string();
    let declared = get(o, "type")
        .or_else(|| get(o, "resourceType"))
        .and_then(Value::as_str)
        .map(str::to_string);
    // The id is authoritative: exports label extension resources (diagnostic settings,
    // assessments) with their parent's type.
    let ty = type_from_id(&id).or(declared)?;
    let mut m = Map::new();
    m.insert("id".into(), Value::String(id.clone()));
    m.insert("type".into(), Value::String(ty.clone()));
    for k in ["name", "location", "tags", "sku", "identity", "properties"] {
        if let Some(v) = get(o, k).filter(|v| !v.is_null()) {
            m.insert(k.into(), v.clone());
        }
    }
    // Keep the remaining keys so unknown ones are counted.
    for (k, v) in o {
        if !m.keys().any(|x| x.eq_ignore_ascii_case(k))
            && !["resourceid", "resourcetype"].contains(&k.to_ascii_lowercase().as_str())
        {
            m.insert(k.clone(), v.clone());
        }
    }
    if !m.contains_key("properties") {
        m.insert("properties".into(), Value::Object(Map::new()));
    }
    Some((id, ty, Value::Object(m)))
}

/// The resource type an id names: the namespace after the last `/providers/` and every other
/// segment after it (`.../providers/Microsoft.Network/virtualNetworks/v/subnets/s` →
/// `Microsoft.Network/virtualNetworks/subnets`).
pub(crate) fn type_from_id(id: &str) -> Option<String> {
    let lower = id.to_ascii_lowercase();
    let at = lower.rfind("/providers/")? + "/providers/".len();
    let segs: Vec<&str> = id[at..].split('/').filter(|s| !s.is_empty()).collect();
    if segs.len() < 3 || segs.len() % 2 == 0 {
        return None;
    }
    let mut ty = segs[0].to_string();
    for t in segs[1..].iter().step_by(2) {
        ty.push('/');
        ty.push_str(t);
    }
    Some(ty)
}

/// A subnet written with `addressPrefixes` only gets its first prefix as `addressPrefix`.
fn fix_subnet(props: &mut Value, origin: &str, diags: &mut Vec<Diagnostic>) {
    let Some(o) = props.as_object_mut() else {
        return;
    };
    if get(o, "addressPrefix").is_some() {
        return;
    }
    if let Some(Value::Array(list)) = get(o, "addressPrefixes").cloned() {
        if let Some(first) = list.first() {
            if list.len() > 1 {
                diags.push(Diagnostic::warning(
                    origin,
                    "properties.addressPrefixes",
                    "the subnet has several prefixes; only the first is modelled",
                ));
            }
            o.insert("addressPrefix".into(), first.clone());
        }
    }
}

fn kinds() -> BTreeMap<&'static str, &'static str> {
    use aksnet_model::{aks, appgw, firewall, gateway, network, paas, private};
    [
        network::VirtualNetwork::TYPE,
        network::RouteTable::TYPE,
        network::NetworkSecurityGroup::TYPE,
        network::PublicIpAddress::TYPE,
        network::NatGateway::TYPE,
        network::LoadBalancer::TYPE,
        firewall::AzureFirewall::TYPE,
        firewall::FirewallPolicy::TYPE,
        firewall::RuleCollectionGroup::TYPE,
        appgw::ApplicationGateway::TYPE,
        appgw::WafPolicy::TYPE,
        private::PrivateEndpoint::TYPE,
        private::PrivateDnsZoneGroup::TYPE,
        private::PrivateDnsZone::TYPE,
        private::VirtualNetworkLink::TYPE,
        private::ARecordSet::TYPE,
        gateway::BastionHost::TYPE,
        gateway::VirtualNetworkGateway::TYPE,
        gateway::LocalNetworkGateway::TYPE,
        gateway::Connection::TYPE,
        aks::ManagedCluster::TYPE,
        paas::ContainerRegistry::TYPE,
        paas::KeyVault::TYPE,
        paas::UserAssignedIdentity::TYPE,
        "Microsoft.Network/virtualNetworks/subnets",
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        "Microsoft.Network/routeTables/routes",
        "Microsoft.Network/networkSecurityGroups/securityRules",
        "Microsoft.ContainerService/managedClusters/agentPools",
    ]
    .into_iter()
    .map(|t| (t, t))
    .collect()
}

pub(crate) fn build(name: &str, raws: Vec<RawResource>, summary: &mut Summary) -> Estate {
    let known: BTreeMap<String, &'static str> = kinds()
        .into_values()
        .map(|t| (t.to_ascii_lowercase(), t))
        .collect();
    let diags = &mut summary.diagnostics;
    // Deduplicate by id: the fuller one wins, conflicts reported.
    let mut items: BTreeMap<ResourceId, Item> = BTreeMap::new();
    for raw in raws {
        let Some((id, ty, value)) = raw.value.as_object().and_then(envelope) else {
            diags.push(Diagnostic::warning(
                &raw.origin,
                "-",
                "an object without id and type; skipped",
            ));
            continue;
        };
        let lower = ty.to_ascii_lowercase();
        let Some(kind) = known.get(&lower) else {
            *summary.skipped_types.entry(ty.clone()).or_default() += 1;
            continue;
        };
        let Ok(rid) = ResourceId::parse(&id) else {
            diags.push(Diagnostic::warning(
                &raw.origin,
                "id",
                &format!("`{id}` is not a resource id; skipped"),
            ));
            continue;
        };
        let size = value.to_string().len();
        let item = Item {
            ty: lower,
            kind: kind.to_string(),
            id: rid.clone(),
            origin: raw.origin,
            value,
            size,
        };
        match items.get(&rid) {
            Some(old) => {
                if conflicts(&old.value, &item.value) {
                    diags.push(Diagnostic::warning(&item.origin, rid.as_str(), &format!("also defined in {} with different values; keeping the fuller definition", old.origin)));
                }
                if item.size > old.size {
                    items.insert(rid, item);
                }
            }
            None => {
                items.insert(rid, item);
            }
        }
    }
    let unknown = Cell::new(0usize);
    let mut e = Estate::new(name);
    let mut children = Vec::new();
    for item in items.into_values() {
        *summary.imported.entry(item.kind.clone()).or_default() += 1;
        let id = item.id.clone();
        let origin = item.origin.clone();
        macro_rules! put {
            ($coll:ident) => {{
                if let Some(r) = typed(item.value, &unknown, &origin, &id, diags) {
                    e.$coll.insert(r);
                }
            }};
        }
        match item.ty.as_str() {
            "microsoft.network/virtualnetworks" => {
                let mut v = item.value;
                let subnets = v
                    .get_mut("properties")
                    .and_then(|p| p.as_object_mut())
                    .and_then(|p| {
                        p.iter_mut()
                            .find(|(k, _)| k.eq_ignore_ascii_case("subnets"))
                            .map(|(_, v)| v)
                    });
                if let Some(Value::Array(subnets)) = subnets {
                    for s in subnets {
                        if let Some(p) = s.as_object_mut().and_then(|o| {
                            o.iter_mut()
                                .find(|(k, _)| k.eq_ignore_ascii_case("properties"))
                                .map(|(_, v)| v)
                        }) {
                            fix_subnet(p, &origin, diags);
                        }
                    }
                }
                if let Some(r) = typed(v, &unknown, &origin, &id, diags) {
                    e.virtual_networks.insert(r);
                }
            }
            "microsoft.network/routetables" => put!(route_tables),
            "microsoft.network/networksecuritygroups" => put!(network_security_groups),
            "microsoft.network/publicipaddresses" => put!(public_ip_addresses),
            "microsoft.network/natgateways" => put!(nat_gateways),
            "microsoft.network/loadbalancers" => put!(load_balancers),
            "microsoft.network/azurefirewalls" => put!(azure_firewalls),
            "microsoft.network/firewallpolicies" => put!(firewall_policies),
            "microsoft.network/firewallpolicies/rulecollectiongroups" => {
                put!(rule_collection_groups)
            }
            "microsoft.network/applicationgateways" => put!(application_gateways),
            "microsoft.network/applicationgatewaywebapplicationfirewallpolicies" => {
                put!(waf_policies)
            }
            "microsoft.network/privateendpoints" => put!(private_endpoints),
            "microsoft.network/privateendpoints/privatednszonegroups" => {
                put!(private_dns_zone_groups)
            }
            "microsoft.network/privatednszones" => put!(private_dns_zones),
            "microsoft.network/privatednszones/virtualnetworklinks" => put!(virtual_network_links),
            "microsoft.network/privatednszones/a" => put!(a_record_sets),
            "microsoft.network/bastionhosts" => put!(bastion_hosts),
            "microsoft.network/virtualnetworkgateways" => put!(virtual_network_gateways),
            "microsoft.network/localnetworkgateways" => put!(local_network_gateways),
            "microsoft.network/connections" => put!(connections),
            "microsoft.containerservice/managedclusters" => put!(managed_clusters),
            "microsoft.containerregistry/registries" => put!(container_registries),
            "microsoft.keyvault/vaults" => put!(key_vaults),
            "microsoft.managedidentity/userassignedidentities" => put!(user_assigned_identities),
            _ => children.push(item),
        }
    }
    for c in children {
        attach(&mut e, c, &unknown, diags);
    }
    summary.unknown_properties += unknown.get();
    e
}

fn conflicts(a: &Value, b: &Value) -> bool {
    let (Some(pa), Some(pb)) = (
        a.get("properties").and_then(Value::as_object),
        b.get("properties").and_then(Value::as_object),
    ) else {
        return false;
    };
    pa.iter().any(|(k, va)| {
        pb.get(k)
            .is_some_and(|vb| vb != va && !va.is_null() && !vb.is_null())
    })
}

fn typed<P: DeserializeOwned + ResourceType>(
    v: Value,
    unknown: &Cell<usize>,
    origin: &str,
    id: &ResourceId,
    diags: &mut Vec<Diagnostic>,
) -> Option<Resource<P>> {
    match from_value::<Resource<P>>(v, unknown) {
        Ok(r) => Some(r),
        Err((path, msg)) => {
            diags.push(
                Diagnostic::error(
                    origin,
                    &format!("{id} at {path}"),
                    &format!("{msg}; resource skipped"),
                )
                .with_hint(
                    "the property is required by aksnet's model; check the export is complete",
                ),
            );
            None
        }
    }
}

/// Attaches a separately listed child resource to its parent.
fn attach(e: &mut Estate, c: Item, unknown: &Cell<usize>, diags: &mut Vec<Diagnostic>) {
    let Some(parent) = c.id.parent() else { return };
    let name = c.id.name().to_string();
    let mut body = c.value.clone();
    if let Some(o) = body.as_object_mut() {
        o.insert("name".into(), Value::String(name.clone()));
    }
    let missing = |diags: &mut Vec<Diagnostic>, what: &str| {
        diags.push(Diagnostic::warning(
            &c.origin,
            c.id.as_str(),
            &format!("its {what} `{parent}` is not in the input; skipped"),
        ))
    };
    macro_rules! child {
        ($coll:ident, $field:ident, $t:ty, $what:expr) => {{
            let Some(p) = e.$coll.get_mut(&parent) else {
                return missing(diags, $what);
            };
            match from_value::<Child<$t>>(body, unknown) {
                Ok(ch) => {
                    let list = &mut p.properties.$field;
                    match list.iter_mut().find(|x| x.name.eq_ignore_ascii_case(&name)) {
                        Some(existing) => *existing = ch,
                        None => list.push(ch),
                    }
                }
                Err((path, msg)) => diags.push(Diagnostic::error(
                    &c.origin,
                    &format!("{} at {path}", c.id),
                    &format!("{msg}; child skipped"),
                )),
            }
        }};
    }
    match c.ty.as_str() {
        "microsoft.network/virtualnetworks/subnets" => {
            if let Some(p) = body.get_mut("properties") {
                fix_subnet(p, &c.origin, diags);
            }
            child!(virtual_networks, subnets, Subnet, "virtual network")
        }
        "microsoft.network/virtualnetworks/virtualnetworkpeerings" => child!(
            virtual_networks,
            virtual_network_peerings,
            VirtualNetworkPeering,
            "virtual network"
        ),
        "microsoft.network/routetables/routes" => {
            child!(route_tables, routes, Route, "route table")
        }
        "microsoft.network/networksecuritygroups/securityrules" => child!(
            network_security_groups,
            security_rules,
            SecurityRule,
            "network security group"
        ),
        "microsoft.containerservice/managedclusters/agentpools" => {
            let Some(p) = e.managed_clusters.get_mut(&parent) else {
                return missing(diags, "cluster");
            };
            let mut props = body.get("properties").cloned().unwrap_or(Value::Null);
            if let Some(o) = props.as_object_mut() {
                o.insert("name".into(), Value::String(name.clone()));
            }
            match from_value::<AgentPoolProfile>(props, unknown) {
                Ok(pool) => {
                    let list = &mut p.properties.agent_pool_profiles;
                    match list.iter_mut().find(|x| x.name.eq_ignore_ascii_case(&name)) {
                        Some(existing) => *existing = pool,
                        None => list.push(pool),
                    }
                }
                Err((path, msg)) => diags.push(Diagnostic::error(
                    &c.origin,
                    &format!("{} at properties.{path}", c.id),
                    &format!("{msg}; agent pool skipped"),
                )),
            }
        }
        _ => {}
    }
}
