//! Virtual networks, subnets and their associations, NSGs, route tables, peerings, public IPs,
//! NAT gateways and network interfaces.

use serde_json::{json, Map, Value as Json};

use super::fold::Fold;
use super::val::{
    any, as_text, block, blocks, child, copy, enabled, get, is_unknown, items, list, not, put,
    sub_ref, text,
};
use super::{Ctx, Out};

/// A resource with no properties that matter (application security groups, private DNS
/// zones, identities).
pub(crate) fn empty(c: &Ctx) -> Vec<Out> {
    vec![c.resource(Map::new())]
}

/// `azurerm_virtual_network`: address space, DNS servers and inline subnets.
pub(crate) fn virtual_network(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let mut p = Map::new();
    p.insert(
        "addressSpace".into(),
        json!({ "addressPrefixes": list(v, "address_space").unwrap_or_else(|| json!([])) }),
    );
    if let Some(dns) = list(v, "dns_servers") {
        p.insert("dhcpOptions".into(), json!({ "dnsServers": dns }));
    }
    let subnets: Vec<Json> = blocks(v, "subnet")
        .into_iter()
        .filter_map(|s| {
            let name = get(s, "name")?;
            Some(child(&c.ident.id, "subnets", name, subnet_properties(s)))
        })
        .collect();
    p.insert("subnets".into(), Json::Array(subnets));
    p.insert("virtualNetworkPeerings".into(), json!([]));
    vec![c.resource(p)]
}

/// A subnet's properties from an `azurerm_subnet` or an inline `subnet` block (3.x and 4.x
/// names).
pub(crate) fn subnet_properties(s: &Json) -> Map<String, Json> {
    let mut p = Map::new();
    match get(s, "address_prefixes").or_else(|| get(s, "address_prefix")) {
        Some(Json::Array(a)) if a.len() == 1 => {
            p.insert("addressPrefix".into(), a[0].clone());
        }
        Some(Json::Array(a)) if a.len() > 1 => {
            p.insert("addressPrefixes".into(), Json::Array(a.clone()));
        }
        Some(x) if x.is_string() || is_unknown(x) => {
            p.insert("addressPrefix".into(), x.clone());
        }
        _ => {}
    }
    put(
        &mut p,
        "networkSecurityGroup",
        sub_ref(s, &["security_group", "security_group_id"]),
    );
    put(&mut p, "routeTable", sub_ref(s, &["route_table_id"]));
    let endpoints: Vec<Json> = items(s, "service_endpoints")
        .into_iter()
        .map(|e| json!({ "service": e }))
        .collect();
    if !endpoints.is_empty() {
        p.insert("serviceEndpoints".into(), Json::Array(endpoints));
    }
    let delegations: Vec<Json> = blocks(s, "delegation")
        .into_iter()
        .map(|d| {
            let sd = block(d, "service_delegation");
            let mut dp = Map::new();
            put(
                &mut dp,
                "serviceName",
                sd.and_then(|x| get(x, "name")).cloned(),
            );
            put(&mut dp, "actions", sd.and_then(|x| list(x, "actions")));
            let name = get(d, "name").cloned().unwrap_or(Json::Null);
            json!({ "name": name, "properties": dp })
        })
        .collect();
    if !delegations.is_empty() {
        p.insert("delegations".into(), Json::Array(delegations));
    }
    let pe = if let Some(x) = get(s, "private_endpoint_network_policies") {
        x.clone()
    } else if let Some(x) = get(s, "private_endpoint_network_policies_enabled") {
        enabled(x, false)
    } else if let Some(x) = get(s, "enforce_private_link_endpoint_network_policies") {
        enabled(x, true)
    } else {
        json!("Disabled")
    };
    p.insert("privateEndpointNetworkPolicies".into(), pe);
    let pls = if let Some(x) = get(s, "private_link_service_network_policies_enabled") {
        enabled(x, false)
    } else if let Some(x) = get(s, "enforce_private_link_service_network_policies") {
        enabled(x, true)
    } else {
        json!("Enabled")
    };
    p.insert("privateLinkServiceNetworkPolicies".into(), pls);
    copy(
        &mut p,
        "defaultOutboundAccess",
        s,
        &["default_outbound_access_enabled"],
    );
    p
}

/// `azurerm_subnet`: a `virtualNetworks/subnets` child resource.
pub(crate) fn subnet(c: &Ctx) -> Vec<Out> {
    vec![c.child_resource(subnet_properties(c.v))]
}

fn subnet_link(c: &Ctx, key: &'static str, arg: &str) -> Vec<Out> {
    let Some(value) = sub_ref(c.v, &[arg]) else {
        return vec![Out::Warning(format!(
            "`{arg}` is not given; nothing associated"
        ))];
    };
    vec![Out::Fold(Fold::Set {
        target: c.ident.name.clone(),
        key,
        value,
    })]
}

/// `azurerm_subnet_network_security_group_association`: the subnet's `networkSecurityGroup`.
pub(crate) fn subnet_nsg(c: &Ctx) -> Vec<Out> {
    subnet_link(c, "networkSecurityGroup", "network_security_group_id")
}

/// `azurerm_subnet_route_table_association`: the subnet's `routeTable`.
pub(crate) fn subnet_route_table(c: &Ctx) -> Vec<Out> {
    subnet_link(c, "routeTable", "route_table_id")
}

/// `azurerm_subnet_nat_gateway_association`: the subnet's `natGateway`.
pub(crate) fn subnet_nat_gateway(c: &Ctx) -> Vec<Out> {
    subnet_link(c, "natGateway", "nat_gateway_id")
}

/// An NSG rule's properties, from a `security_rule` block or an `azurerm_network_security_rule`.
pub(crate) fn rule_properties(r: &Json) -> Map<String, Json> {
    let mut p = Map::new();
    copy(&mut p, "description", r, &["description"]);
    copy(&mut p, "protocol", r, &["protocol"]);
    let single = |p: &mut Map<String, Json>, key: &str, arg: &str| {
        if let Some(x) = get(r, arg).filter(|x| !x.as_str().is_some_and(str::is_empty)) {
            p.insert(key.into(), as_text(x));
        }
    };
    let plural = |p: &mut Map<String, Json>, key: &str, arg: &str| {
        if let Some(Json::Array(a)) = list(r, arg) {
            p.insert(key.into(), Json::Array(a.iter().map(as_text).collect()));
        } else if let Some(x) = get(r, arg).filter(|x| is_unknown(x)) {
            p.insert(key.into(), x.clone());
        }
    };
    single(&mut p, "sourcePortRange", "source_port_range");
    plural(&mut p, "sourcePortRanges", "source_port_ranges");
    single(&mut p, "destinationPortRange", "destination_port_range");
    plural(&mut p, "destinationPortRanges", "destination_port_ranges");
    single(&mut p, "sourceAddressPrefix", "source_address_prefix");
    plural(&mut p, "sourceAddressPrefixes", "source_address_prefixes");
    single(
        &mut p,
        "destinationAddressPrefix",
        "destination_address_prefix",
    );
    plural(
        &mut p,
        "destinationAddressPrefixes",
        "destination_address_prefixes",
    );
    for (key, arg) in [
        (
            "sourceApplicationSecurityGroups",
            "source_application_security_group_ids",
        ),
        (
            "destinationApplicationSecurityGroups",
            "destination_application_security_group_ids",
        ),
    ] {
        let refs: Vec<Json> = items(r, arg)
            .into_iter()
            .map(|id| json!({ "id": id }))
            .collect();
        if !refs.is_empty() {
            p.insert(key.into(), Json::Array(refs));
        }
    }
    copy(&mut p, "access", r, &["access"]);
    copy(&mut p, "priority", r, &["priority"]);
    copy(&mut p, "direction", r, &["direction"]);
    p
}

/// `azurerm_network_security_group`: inline `security_rule` blocks as `securityRules`.
pub(crate) fn security_group(c: &Ctx) -> Vec<Out> {
    let rules: Vec<Json> = blocks(c.v, "security_rule")
        .into_iter()
        .filter_map(|r| {
            let name = get(r, "name")?;
            Some(child(
                &c.ident.id,
                "securityRules",
                name,
                rule_properties(r),
            ))
        })
        .collect();
    let mut p = Map::new();
    p.insert("securityRules".into(), Json::Array(rules));
    vec![c.resource(p)]
}

/// `azurerm_network_security_rule`: a `securityRules` child resource.
pub(crate) fn security_rule(c: &Ctx) -> Vec<Out> {
    vec![c.child_resource(rule_properties(c.v))]
}

/// A route's properties, from a `route` block or an `azurerm_route`.
fn route_properties(r: &Json) -> Map<String, Json> {
    let mut p = Map::new();
    copy(&mut p, "addressPrefix", r, &["address_prefix"]);
    copy(&mut p, "nextHopType", r, &["next_hop_type"]);
    copy(&mut p, "nextHopIpAddress", r, &["next_hop_in_ip_address"]);
    p
}

/// `azurerm_route_table`: inline routes and BGP route propagation (4.x
/// `bgp_route_propagation_enabled`, 3.x `disable_bgp_route_propagation`).
pub(crate) fn route_table(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let disable = if let Some(x) = get(v, "bgp_route_propagation_enabled") {
        not(x)
    } else {
        get(v, "disable_bgp_route_propagation")
            .cloned()
            .unwrap_or(Json::Bool(false))
    };
    let routes: Vec<Json> = blocks(v, "route")
        .into_iter()
        .filter_map(|r| {
            let name = get(r, "name")?;
            Some(child(&c.ident.id, "routes", name, route_properties(r)))
        })
        .collect();
    let mut p = Map::new();
    p.insert("disableBgpRoutePropagation".into(), disable);
    p.insert("routes".into(), Json::Array(routes));
    vec![c.resource(p)]
}

/// `azurerm_route`: a `routes` child resource.
pub(crate) fn route(c: &Ctx) -> Vec<Out> {
    vec![c.child_resource(route_properties(c.v))]
}

/// `azurerm_virtual_network_peering`: a `virtualNetworkPeerings` child resource (its
/// `peeringState` is set once all resources are known).
pub(crate) fn peering(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let mut p = Map::new();
    put(
        &mut p,
        "remoteVirtualNetwork",
        sub_ref(v, &["remote_virtual_network_id"]),
    );
    let flag = |arg: &str, default: bool| get(v, arg).cloned().unwrap_or(Json::Bool(default));
    p.insert(
        "allowVirtualNetworkAccess".into(),
        flag("allow_virtual_network_access", true),
    );
    p.insert(
        "allowForwardedTraffic".into(),
        flag("allow_forwarded_traffic", false),
    );
    p.insert(
        "allowGatewayTransit".into(),
        flag("allow_gateway_transit", false),
    );
    p.insert(
        "useRemoteGateways".into(),
        flag("use_remote_gateways", false),
    );
    vec![c.child_resource(p)]
}

/// Adds `zones` (when given) to a resource.
pub(crate) fn with_zones(out: &mut Map<String, Json>, v: &Json) {
    put(out, "zones", list(v, "zones"));
}

/// `azurerm_public_ip`: allocation, version, SKU, zones; the address only when given.
pub(crate) fn public_ip(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let mut p = Map::new();
    copy(
        &mut p,
        "publicIPAllocationMethod",
        v,
        &["allocation_method"],
    );
    p.insert(
        "publicIPAddressVersion".into(),
        get(v, "ip_version").cloned().unwrap_or(json!("IPv4")),
    );
    if let Some(ip) = get(v, "ip_address").filter(|x| x.is_string()) {
        p.insert("ipAddress".into(), ip.clone());
    }
    let mut r = c.envelope(p);
    let sku = get(v, "sku").cloned().unwrap_or(json!("Standard"));
    let tier = get(v, "sku_tier").cloned().unwrap_or(json!("Regional"));
    r.insert("sku".into(), json!({ "name": sku, "tier": tier }));
    with_zones(&mut r, v);
    vec![Out::Resource(Json::Object(r))]
}

/// `azurerm_nat_gateway`: SKU, zones, idle timeout; its public IPs come by association.
pub(crate) fn nat_gateway(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let mut p = Map::new();
    p.insert("publicIpAddresses".into(), json!([]));
    copy(
        &mut p,
        "idleTimeoutInMinutes",
        v,
        &["idle_timeout_in_minutes"],
    );
    let mut r = c.envelope(p);
    let sku = get(v, "sku_name").cloned().unwrap_or(json!("Standard"));
    r.insert("sku".into(), json!({ "name": sku }));
    with_zones(&mut r, v);
    vec![Out::Resource(Json::Object(r))]
}

/// `azurerm_nat_gateway_public_ip_association`: one of the gateway's `publicIpAddresses`.
pub(crate) fn nat_gateway_ip(c: &Ctx) -> Vec<Out> {
    let (Some(target), Some(ip)) = (
        text(c.v, "nat_gateway_id"),
        sub_ref(c.v, &["public_ip_address_id"]),
    ) else {
        return Vec::new();
    };
    vec![Out::Fold(Fold::Push {
        target: target.to_string(),
        key: "publicIpAddresses",
        value: ip,
    })]
}

/// `azurerm_network_interface`: IP configurations, IP forwarding (4.x `ip_forwarding_enabled`,
/// 3.x `enable_ip_forwarding`) and DNS servers.
pub(crate) fn interface(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let configs: Vec<Json> = blocks(v, "ip_configuration")
        .into_iter()
        .enumerate()
        .filter_map(|(i, b)| {
            let name = get(b, "name")?;
            let mut p = Map::new();
            p.insert(
                "primary".into(),
                get(b, "primary").cloned().unwrap_or(Json::Bool(i == 0)),
            );
            copy(
                &mut p,
                "privateIPAllocationMethod",
                b,
                &["private_ip_address_allocation"],
            );
            if let Some(ip) = get(b, "private_ip_address").filter(|x| x.is_string()) {
                p.insert("privateIPAddress".into(), ip.clone());
            }
            put(&mut p, "subnet", sub_ref(b, &["subnet_id"]));
            put(
                &mut p,
                "publicIPAddress",
                sub_ref(b, &["public_ip_address_id"]),
            );
            copy(
                &mut p,
                "privateIPAddressVersion",
                b,
                &["private_ip_address_version"],
            );
            Some(child(&c.ident.id, "ipConfigurations", name, p))
        })
        .collect();
    let mut p = Map::new();
    p.insert("ipConfigurations".into(), Json::Array(configs));
    p.insert(
        "enableIPForwarding".into(),
        any(v, &["ip_forwarding_enabled", "enable_ip_forwarding"])
            .cloned()
            .unwrap_or(Json::Bool(false)),
    );
    if let Some(dns) = list(v, "dns_servers") {
        p.insert("dnsSettings".into(), json!({ "dnsServers": dns }));
    }
    vec![c.resource(p)]
}

/// `azurerm_network_interface_security_group_association`: the NIC's `networkSecurityGroup`.
pub(crate) fn interface_nsg(c: &Ctx) -> Vec<Out> {
    let (Some(target), Some(nsg)) = (
        text(c.v, "network_interface_id"),
        sub_ref(c.v, &["network_security_group_id"]),
    ) else {
        return Vec::new();
    };
    vec![Out::Fold(Fold::Set {
        target: target.to_string(),
        key: "networkSecurityGroup",
        value: nsg,
    })]
}

/// `azurerm_network_interface_application_security_group_association`: an ASG on each of the
/// NIC's IP configurations.
pub(crate) fn interface_asg(c: &Ctx) -> Vec<Out> {
    let (Some(target), Some(asg)) = (
        text(c.v, "network_interface_id"),
        sub_ref(c.v, &["application_security_group_id"]),
    ) else {
        return Vec::new();
    };
    vec![Out::Fold(Fold::EachIpConfiguration {
        target: target.to_string(),
        value: asg,
    })]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnet_policies_from_each_provider_generation() {
        // 2.x/early 3.x `enforce_*` flags mean the policies are off when true.
        let old = subnet_properties(&json!({"address_prefixes": ["10.0.0.0/24", "10.0.1.0/24"],
            "enforce_private_link_endpoint_network_policies": true,
            "enforce_private_link_service_network_policies": false}));
        assert_eq!(old["privateEndpointNetworkPolicies"], "Disabled");
        assert_eq!(old["privateLinkServiceNetworkPolicies"], "Enabled");
        assert_eq!(
            old["addressPrefixes"],
            json!(["10.0.0.0/24", "10.0.1.0/24"])
        );
        // Defaults as Azure holds them.
        let new = subnet_properties(&json!({"address_prefixes": ["10.0.0.0/24"]}));
        assert_eq!(new["privateEndpointNetworkPolicies"], "Disabled");
        assert_eq!(new["privateLinkServiceNetworkPolicies"], "Enabled");
        assert!(new.get("defaultOutboundAccess").is_none());
        // An unknown prefix passes through.
        let marker = json!({"$unknown": {"expression": "var.p", "reason": "no value"}});
        let u = subnet_properties(&json!({ "address_prefixes": marker }));
        assert_eq!(u["addressPrefix"], marker);
    }

    #[test]
    fn rule_ports_are_strings() {
        let r = rule_properties(
            &json!({"protocol": "Tcp", "destination_port_ranges": [443, "8000-8080"],
            "destination_port_range": "", "access": "Allow", "priority": 100, "direction": "Inbound"}),
        );
        assert_eq!(r["destinationPortRanges"], json!(["443", "8000-8080"]));
        assert!(r.get("destinationPortRange").is_none());
    }
}
