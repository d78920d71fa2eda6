//! Azure Firewall, firewall policies and their rule collection groups, classic rule
//! collections and IP groups.

use serde_json::{json, Map, Value as Json};

use super::fold::Fold;
use super::network::with_zones;
use super::val::{any, as_text, block, blocks, child, copy, get, items, list, put, sub_ref};
use super::{Ctx, Out};

/// An `ip_configuration` / `management_ip_configuration` block as a firewall IP configuration
/// (its private address is Azure's to assign, so not stated).
fn ip_configuration(fw_id: &str, b: &Json) -> Option<Json> {
    let name = get(b, "name")?;
    let mut p = Map::new();
    put(&mut p, "subnet", sub_ref(b, &["subnet_id"]));
    put(
        &mut p,
        "publicIPAddress",
        sub_ref(b, &["public_ip_address_id"]),
    );
    Some(child(fw_id, "ipConfigurations", name, p))
}

/// A list of known strings joined with commas (`None` when absent, empty or not all known).
fn joined(v: &Json, key: &str) -> Option<Json> {
    let all = items(v, key);
    let known: Vec<&str> = all.iter().filter_map(|x| x.as_str()).collect();
    (!known.is_empty() && known.len() == all.len()).then(|| json!(known.join(",")))
}

/// `azurerm_firewall`: SKU, IP configurations, policy, and the classic settings in
/// `additionalProperties` (DNS proxy, DNS servers, SNAT private ranges).
pub(crate) fn firewall(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let mut p = Map::new();
    let mut sku = Map::new();
    copy(&mut sku, "name", v, &["sku_name"]);
    copy(&mut sku, "tier", v, &["sku_tier"]);
    if !sku.is_empty() {
        p.insert("sku".into(), Json::Object(sku));
    }
    let configs: Vec<Json> = blocks(v, "ip_configuration")
        .into_iter()
        .filter_map(|b| ip_configuration(&c.ident.id, b))
        .collect();
    p.insert("ipConfigurations".into(), Json::Array(configs));
    put(
        &mut p,
        "managementIpConfiguration",
        block(v, "management_ip_configuration").and_then(|b| ip_configuration(&c.ident.id, b)),
    );
    put(
        &mut p,
        "firewallPolicy",
        sub_ref(v, &["firewall_policy_id"]),
    );
    copy(&mut p, "threatIntelMode", v, &["threat_intel_mode"]);
    let mut extra = Map::new();
    put(
        &mut extra,
        additional::DNS_ENABLE_PROXY,
        get(v, "dns_proxy_enabled")
            .and_then(Json::as_bool)
            .map(|b| json!(b.to_string())),
    );
    put(
        &mut extra,
        additional::DNS_SERVERS,
        joined(v, "dns_servers"),
    );
    put(
        &mut extra,
        additional::SNAT_PRIVATE_RANGES,
        joined(v, "private_ip_ranges"),
    );
    if !extra.is_empty() {
        p.insert("additionalProperties".into(), Json::Object(extra));
    }
    let mut r = c.envelope(p);
    with_zones(&mut r, v);
    vec![Out::Resource(Json::Object(r))]
}

/// The keys of a classic firewall's `additionalProperties` (as aksnet-model's
/// `firewall::classic` names them).
mod additional {
    /// DNS proxy on (`"true"`/`"false"`).
    pub const DNS_ENABLE_PROXY: &str = "Network.DNS.EnableProxy";
    /// Upstream DNS servers, comma-separated.
    pub const DNS_SERVERS: &str = "Network.DNS.Servers";
    /// SNAT private ranges, comma-separated.
    pub const SNAT_PRIVATE_RANGES: &str = "Network.SNAT.PrivateRanges";
}

/// `azurerm_firewall_policy`: SKU, threat intelligence, DNS, base policy, SNAT private ranges
/// and intrusion detection.
pub(crate) fn policy(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let mut p = Map::new();
    p.insert(
        "sku".into(),
        json!({ "tier": get(v, "sku").cloned().unwrap_or(json!("Standard")) }),
    );
    p.insert(
        "threatIntelMode".into(),
        get(v, "threat_intelligence_mode")
            .cloned()
            .unwrap_or(json!("Alert")),
    );
    if let Some(dns) = block(v, "dns") {
        let mut d = Map::new();
        d.insert(
            "enableProxy".into(),
            get(dns, "proxy_enabled").cloned().unwrap_or(json!(false)),
        );
        put(&mut d, "servers", list(dns, "servers"));
        p.insert("dnsSettings".into(), Json::Object(d));
    }
    put(&mut p, "basePolicy", sub_ref(v, &["base_policy_id"]));
    if let Some(ranges) = list(v, "private_ip_ranges") {
        p.insert("snat".into(), json!({ "privateRanges": ranges }));
    }
    if let Some(idps) = block(v, "intrusion_detection") {
        let mut d = Map::new();
        copy(&mut d, "mode", idps, &["mode"]);
        p.insert("intrusionDetection".into(), Json::Object(d));
    }
    vec![c.resource(p)]
}

/// Copies list arguments to REST keys, when non-empty.
fn lists(m: &mut Map<String, Json>, r: &Json, pairs: &[(&str, &str)]) {
    for (key, arg) in pairs {
        put(m, key, list(r, arg));
    }
}

/// A list of ports as strings.
fn ports(r: &Json, arg: &str) -> Json {
    Json::Array(items(r, arg).into_iter().map(as_text).collect())
}

/// A policy rule's type, name and description, which every kind of rule has.
fn rule_head(kind: &str, r: &Json) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("ruleType".into(), json!(kind));
    copy(&mut m, "name", r, &["name"]);
    copy(&mut m, "description", r, &["description"]);
    m
}

fn network_rule(r: &Json) -> Json {
    let mut m = rule_head("NetworkRule", r);
    m.insert(
        "ipProtocols".into(),
        list(r, "protocols").unwrap_or(json!([])),
    );
    lists(
        &mut m,
        r,
        &[
            ("sourceAddresses", "source_addresses"),
            ("sourceIpGroups", "source_ip_groups"),
            ("destinationAddresses", "destination_addresses"),
            ("destinationIpGroups", "destination_ip_groups"),
            ("destinationFqdns", "destination_fqdns"),
        ],
    );
    m.insert("destinationPorts".into(), ports(r, "destination_ports"));
    Json::Object(m)
}

/// `protocols { type, port }` blocks (policy) or `protocol { type, port }` (classic) as
/// `[{protocolType, port}]`.
fn app_protocols(r: &Json) -> Json {
    let mut b = blocks(r, "protocols");
    b.extend(blocks(r, "protocol"));
    Json::Array(
        b.into_iter()
            .map(|p| {
                json!({
                    "protocolType": get(p, "type").cloned().unwrap_or(Json::Null),
                    "port": get(p, "port").cloned().unwrap_or(Json::Null),
                })
            })
            .collect(),
    )
}

fn application_rule(r: &Json) -> Json {
    let mut m = rule_head("ApplicationRule", r);
    m.insert("protocols".into(), app_protocols(r));
    lists(
        &mut m,
        r,
        &[
            ("sourceAddresses", "source_addresses"),
            ("sourceIpGroups", "source_ip_groups"),
            ("targetFqdns", "destination_fqdns"),
            ("fqdnTags", "destination_fqdn_tags"),
            ("destinationAddresses", "destination_addresses"),
            ("targetUrls", "destination_urls"),
            ("webCategories", "web_categories"),
        ],
    );
    copy(&mut m, "terminateTLS", r, &["terminate_tls"]);
    Json::Object(m)
}

fn nat_rule(r: &Json) -> Json {
    let mut m = rule_head("NatRule", r);
    m.insert(
        "ipProtocols".into(),
        list(r, "protocols").unwrap_or(json!([])),
    );
    lists(
        &mut m,
        r,
        &[
            ("sourceAddresses", "source_addresses"),
            ("sourceIpGroups", "source_ip_groups"),
        ],
    );
    m.insert(
        "destinationAddresses".into(),
        list(r, "destination_address").unwrap_or(json!([])),
    );
    m.insert("destinationPorts".into(), ports(r, "destination_ports"));
    copy(&mut m, "translatedAddress", r, &["translated_address"]);
    copy(&mut m, "translatedFqdn", r, &["translated_fqdn"]);
    put(
        &mut m,
        "translatedPort",
        get(r, "translated_port").map(as_text),
    );
    Json::Object(m)
}

/// A policy rule collection of `kind` (`FirewallPolicyFilterRuleCollection` or
/// `FirewallPolicyNatRuleCollection`) with rules made by `rule`.
fn policy_collection(b: &Json, kind: &str, action: Json, rule: fn(&Json) -> Json) -> Json {
    json!({
        "ruleCollectionType": kind,
        "name": get(b, "name").cloned().unwrap_or(Json::Null),
        "priority": get(b, "priority").cloned().unwrap_or(Json::Null),
        "action": { "type": action },
        "rules": blocks(b, "rule").into_iter().map(rule).collect::<Vec<_>>(),
    })
}

/// `azurerm_firewall_policy_rule_collection_group`: a `ruleCollectionGroups` child resource
/// with its network, application and NAT collections.
pub(crate) fn rule_collection_group(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let action = |b: &Json| get(b, "action").cloned().unwrap_or(Json::Null);
    let mut collections = Vec::new();
    for b in blocks(v, "nat_rule_collection") {
        // azurerm writes `Dnat`; REST says `DNAT`.
        let a = match action(b).as_str() {
            Some(s) if s.eq_ignore_ascii_case("dnat") => json!("DNAT"),
            Some(s) if s.eq_ignore_ascii_case("snat") => json!("SNAT"),
            _ => action(b),
        };
        collections.push(policy_collection(
            b,
            "FirewallPolicyNatRuleCollection",
            a,
            nat_rule,
        ));
    }
    for b in blocks(v, "network_rule_collection") {
        collections.push(policy_collection(
            b,
            "FirewallPolicyFilterRuleCollection",
            action(b),
            network_rule,
        ));
    }
    for b in blocks(v, "application_rule_collection") {
        collections.push(policy_collection(
            b,
            "FirewallPolicyFilterRuleCollection",
            action(b),
            application_rule,
        ));
    }
    let mut p = Map::new();
    copy(&mut p, "priority", v, &["priority"]);
    p.insert("ruleCollections".into(), Json::Array(collections));
    vec![c.child_resource(p)]
}

/// A classic rule: the policy shape's fields under their classic names.
fn classic_rule(kind: &str, r: &Json) -> Json {
    let mut m = Map::new();
    copy(&mut m, "name", r, &["name"]);
    copy(&mut m, "description", r, &["description"]);
    match kind {
        "azurerm_firewall_application_rule_collection" => {
            m.insert("protocols".into(), app_protocols(r));
            lists(
                &mut m,
                r,
                &[
                    ("sourceAddresses", "source_addresses"),
                    ("sourceIpGroups", "source_ip_groups"),
                    ("targetFqdns", "target_fqdns"),
                    ("fqdnTags", "fqdn_tags"),
                ],
            );
        }
        _ => {
            m.insert(
                "protocols".into(),
                list(r, "protocols").unwrap_or(json!([])),
            );
            lists(
                &mut m,
                r,
                &[
                    ("sourceAddresses", "source_addresses"),
                    ("sourceIpGroups", "source_ip_groups"),
                    ("destinationAddresses", "destination_addresses"),
                    ("destinationIpGroups", "destination_ip_groups"),
                    ("destinationFqdns", "destination_fqdns"),
                ],
            );
            m.insert("destinationPorts".into(), ports(r, "destination_ports"));
            copy(&mut m, "translatedAddress", r, &["translated_address"]);
            put(
                &mut m,
                "translatedPort",
                get(r, "translated_port").map(as_text),
            );
        }
    }
    Json::Object(m)
}

/// `azurerm_firewall_{network,application,nat}_rule_collection`: a collection folded into the
/// firewall's `networkRuleCollections`, `applicationRuleCollections` or `natRuleCollections`.
pub(crate) fn classic_collection(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let Some((fw, _)) = c.ident.id.rsplit_once('/') else {
        return Vec::new();
    };
    let Some((fw, key)) = fw.rsplit_once('/') else {
        return Vec::new();
    };
    let key: &'static str = match key {
        "networkRuleCollections" => "networkRuleCollections",
        "applicationRuleCollections" => "applicationRuleCollections",
        _ => "natRuleCollections",
    };
    let kind = match key {
        "networkRuleCollections" => "azurerm_firewall_network_rule_collection",
        "applicationRuleCollections" => "azurerm_firewall_application_rule_collection",
        _ => "azurerm_firewall_nat_rule_collection",
    };
    let rules: Vec<Json> = blocks(v, "rule")
        .into_iter()
        .map(|r| classic_rule(kind, r))
        .collect();
    let mut p = Map::new();
    copy(&mut p, "priority", v, &["priority"]);
    p.insert(
        "action".into(),
        json!({ "type": any(v, &["action"]).cloned().unwrap_or(Json::Null) }),
    );
    p.insert("rules".into(), Json::Array(rules));
    let value = json!({ "name": c.ident.name, "id": c.ident.id, "properties": p });
    vec![Out::Fold(Fold::Push {
        target: fw.to_string(),
        key,
        value,
    })]
}

/// `azurerm_ip_group`: `cidrs` as `ipAddresses`.
pub(crate) fn ip_group(c: &Ctx) -> Vec<Out> {
    let mut p = Map::new();
    p.insert(
        "ipAddresses".into(),
        list(c.v, "cidrs").unwrap_or(json!([])),
    );
    vec![c.resource(p)]
}
