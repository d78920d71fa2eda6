//! Private DNS resolvers: the resolver, its inbound and outbound endpoints, forwarding rulesets,
//! their rules and virtual network links (each a resource of its own in Azure JSON).

use serde_json::{json, Map, Value as Json};

use super::val::{blocks, copy, enabled, get, items, put, sub_ref};
use super::{Ctx, Out};

/// `azurerm_private_dns_resolver`: the virtual network it serves.
pub(crate) fn resolver(c: &Ctx) -> Vec<Out> {
    let mut p = Map::new();
    put(
        &mut p,
        "virtualNetwork",
        sub_ref(c.v, &["virtual_network_id"]),
    );
    vec![c.resource(p)]
}

/// `azurerm_private_dns_resolver_inbound_endpoint`: its IP configurations.
pub(crate) fn inbound(c: &Ctx) -> Vec<Out> {
    let configs: Vec<Json> = blocks(c.v, "ip_configurations")
        .into_iter()
        .map(|b| {
            let mut m = Map::new();
            put(&mut m, "subnet", sub_ref(b, &["subnet_id"]));
            copy(&mut m, "privateIpAddress", b, &["private_ip_address"]);
            m.insert(
                "privateIpAllocationMethod".into(),
                get(b, "private_ip_allocation_method")
                    .cloned()
                    .unwrap_or(json!("Dynamic")),
            );
            Json::Object(m)
        })
        .collect();
    let mut p = Map::new();
    p.insert("ipConfigurations".into(), Json::Array(configs));
    vec![c.resource(p)]
}

/// `azurerm_private_dns_resolver_outbound_endpoint`: its subnet.
pub(crate) fn outbound(c: &Ctx) -> Vec<Out> {
    let mut p = Map::new();
    put(&mut p, "subnet", sub_ref(c.v, &["subnet_id"]));
    vec![c.resource(p)]
}

/// `azurerm_private_dns_resolver_dns_forwarding_ruleset`: the outbound endpoints it uses.
pub(crate) fn ruleset(c: &Ctx) -> Vec<Out> {
    let eps: Vec<Json> = items(c.v, "private_dns_resolver_outbound_endpoint_ids")
        .into_iter()
        .map(|id| json!({ "id": id }))
        .collect();
    let mut p = Map::new();
    p.insert("dnsResolverOutboundEndpoints".into(), Json::Array(eps));
    vec![c.resource(p)]
}

/// `azurerm_private_dns_resolver_forwarding_rule`: domain, targets, state.
pub(crate) fn forwarding_rule(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let mut p = Map::new();
    copy(&mut p, "domainName", v, &["domain_name"]);
    let targets: Vec<Json> = blocks(v, "target_dns_servers")
        .into_iter()
        .map(|t| {
            let mut m = Map::new();
            copy(&mut m, "ipAddress", t, &["ip_address"]);
            m.insert("port".into(), get(t, "port").cloned().unwrap_or(json!(53)));
            Json::Object(m)
        })
        .collect();
    p.insert("targetDnsServers".into(), Json::Array(targets));
    p.insert(
        "forwardingRuleState".into(),
        enabled(get(v, "enabled").unwrap_or(&json!(true)), false),
    );
    vec![c.child_resource(p)]
}

/// `azurerm_private_dns_resolver_virtual_network_link`: the ruleset's linked network.
pub(crate) fn ruleset_link(c: &Ctx) -> Vec<Out> {
    let mut p = Map::new();
    put(
        &mut p,
        "virtualNetwork",
        sub_ref(c.v, &["virtual_network_id"]),
    );
    vec![c.child_resource(p)]
}
