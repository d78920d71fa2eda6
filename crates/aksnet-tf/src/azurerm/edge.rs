//! Application gateways and WAF policies, Bastion, VPN gateways and connections, container
//! registries and key vaults: as far as aksnet models them.

use serde_json::{json, Map, Value as Json};

use super::network::with_zones;
use super::val::{any, block, blocks, child, copy, enabled, get, items, list, put, sub_ref};
use super::{Ctx, Out};

/// `azurerm_application_gateway`: SKU, autoscale, gateway and frontend IP configurations,
/// frontend ports, backend pools, WAF policy or own WAF configuration.
pub(crate) fn application_gateway(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let id = &c.ident.id;
    let mut p = Map::new();
    if let Some(s) = block(v, "sku") {
        let mut sku = Map::new();
        copy(&mut sku, "name", s, &["name"]);
        copy(&mut sku, "tier", s, &["tier"]);
        copy(&mut sku, "capacity", s, &["capacity"]);
        p.insert("sku".into(), Json::Object(sku));
    }
    if let Some(a) = block(v, "autoscale_configuration") {
        let mut m = Map::new();
        copy(&mut m, "minCapacity", a, &["min_capacity"]);
        copy(&mut m, "maxCapacity", a, &["max_capacity"]);
        p.insert("autoscaleConfiguration".into(), Json::Object(m));
    }
    let named = |key: &str, segment: &str, f: &dyn Fn(&Json) -> Map<String, Json>| -> Json {
        Json::Array(
            blocks(v, key)
                .into_iter()
                .filter_map(|b| Some(child(id, segment, get(b, "name")?, f(b))))
                .collect(),
        )
    };
    p.insert(
        "gatewayIPConfigurations".into(),
        named(
            "gateway_ip_configuration",
            "gatewayIPConfigurations",
            &|b| {
                let mut m = Map::new();
                put(&mut m, "subnet", sub_ref(b, &["subnet_id"]));
                m
            },
        ),
    );
    p.insert(
        "frontendIPConfigurations".into(),
        named(
            "frontend_ip_configuration",
            "frontendIPConfigurations",
            &super::lb::frontend_ip,
        ),
    );
    p.insert(
        "frontendPorts".into(),
        named("frontend_port", "frontendPorts", &|b| {
            let mut m = Map::new();
            copy(&mut m, "port", b, &["port"]);
            m
        }),
    );
    p.insert(
        "backendAddressPools".into(),
        named("backend_address_pool", "backendAddressPools", &|b| {
            let mut addrs: Vec<Json> = items(b, "ip_addresses")
                .into_iter()
                .map(|ip| json!({ "ipAddress": ip }))
                .collect();
            addrs.extend(items(b, "fqdns").into_iter().map(|f| json!({ "fqdn": f })));
            let mut m = Map::new();
            m.insert("backendAddresses".into(), Json::Array(addrs));
            m
        }),
    );
    put(
        &mut p,
        "firewallPolicy",
        sub_ref(v, &["firewall_policy_id"]),
    );
    if let Some(w) = block(v, "waf_configuration") {
        let mut m = Map::new();
        copy(&mut m, "enabled", w, &["enabled"]);
        copy(&mut m, "firewallMode", w, &["firewall_mode"]);
        m.insert(
            "ruleSetType".into(),
            get(w, "rule_set_type").cloned().unwrap_or(json!("OWASP")),
        );
        copy(&mut m, "ruleSetVersion", w, &["rule_set_version"]);
        p.insert(
            "webApplicationFirewallConfiguration".into(),
            Json::Object(m),
        );
    }
    let mut r = c.envelope(p);
    with_zones(&mut r, v);
    vec![Out::Resource(Json::Object(r))]
}

/// `azurerm_web_application_firewall_policy`: policy settings and managed rule sets.
pub(crate) fn waf_policy(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let settings = block(v, "policy_settings").cloned().unwrap_or(json!({}));
    let mut s = Map::new();
    s.insert(
        "state".into(),
        enabled(get(&settings, "enabled").unwrap_or(&json!(true)), false),
    );
    s.insert(
        "mode".into(),
        get(&settings, "mode")
            .cloned()
            .unwrap_or(json!("Prevention")),
    );
    s.insert(
        "requestBodyCheck".into(),
        get(&settings, "request_body_check")
            .cloned()
            .unwrap_or(json!(true)),
    );
    let sets: Vec<Json> = block(v, "managed_rules")
        .map(|m| blocks(m, "managed_rule_set"))
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            json!({
                "ruleSetType": get(m, "type").cloned().unwrap_or(json!("OWASP")),
                "ruleSetVersion": get(m, "version").cloned().unwrap_or(Json::Null),
            })
        })
        .collect();
    let mut p = Map::new();
    p.insert("policySettings".into(), Json::Object(s));
    p.insert("managedRules".into(), json!({ "managedRuleSets": sets }));
    vec![c.resource(p)]
}

/// `ip_configuration` blocks as `{name, id, properties: {subnet, publicIPAddress}}`.
fn ip_configurations(id: &str, v: &Json) -> Json {
    Json::Array(
        blocks(v, "ip_configuration")
            .into_iter()
            .filter_map(|b| {
                let mut m = Map::new();
                put(&mut m, "subnet", sub_ref(b, &["subnet_id"]));
                put(
                    &mut m,
                    "publicIPAddress",
                    sub_ref(b, &["public_ip_address_id"]),
                );
                copy(
                    &mut m,
                    "privateIPAllocationMethod",
                    b,
                    &["private_ip_address_allocation"],
                );
                Some(child(id, "ipConfigurations", get(b, "name")?, m))
            })
            .collect(),
    )
}

/// `azurerm_bastion_host`: IP configuration, tunneling, SKU.
pub(crate) fn bastion(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let mut p = Map::new();
    p.insert("ipConfigurations".into(), ip_configurations(&c.ident.id, v));
    p.insert(
        "enableTunneling".into(),
        get(v, "tunneling_enabled").cloned().unwrap_or(json!(false)),
    );
    let mut r = c.envelope(p);
    r.insert(
        "sku".into(),
        json!({ "name": get(v, "sku").cloned().unwrap_or(json!("Basic")) }),
    );
    vec![Out::Resource(Json::Object(r))]
}

/// `azurerm_virtual_network_gateway`: type, VPN type, SKU, IP configurations, BGP,
/// active-active.
pub(crate) fn vpn_gateway(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let mut p = Map::new();
    copy(&mut p, "gatewayType", v, &["type"]);
    p.insert(
        "vpnType".into(),
        get(v, "vpn_type").cloned().unwrap_or(json!("RouteBased")),
    );
    if let Some(s) = get(v, "sku") {
        p.insert("sku".into(), json!({ "name": s, "tier": s }));
    }
    p.insert("ipConfigurations".into(), ip_configurations(&c.ident.id, v));
    p.insert(
        "enableBgp".into(),
        any(v, &["enable_bgp", "bgp_enabled"])
            .cloned()
            .unwrap_or(json!(false)),
    );
    p.insert(
        "activeActive".into(),
        get(v, "active_active").cloned().unwrap_or(json!(false)),
    );
    vec![c.resource(p)]
}

/// `azurerm_local_network_gateway`: address space and gateway address.
pub(crate) fn local_gateway(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let mut p = Map::new();
    p.insert(
        "localNetworkAddressSpace".into(),
        json!({ "addressPrefixes": list(v, "address_space").unwrap_or(json!([])) }),
    );
    copy(&mut p, "gatewayIpAddress", v, &["gateway_address"]);
    copy(&mut p, "fqdn", v, &["gateway_fqdn"]);
    vec![c.resource(p)]
}

/// `azurerm_virtual_network_gateway_connection`: type and the gateways it joins.
pub(crate) fn connection(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let mut p = Map::new();
    copy(&mut p, "connectionType", v, &["type"]);
    put(
        &mut p,
        "virtualNetworkGateway1",
        sub_ref(v, &["virtual_network_gateway_id"]),
    );
    put(
        &mut p,
        "virtualNetworkGateway2",
        sub_ref(v, &["peer_virtual_network_gateway_id"]),
    );
    put(
        &mut p,
        "localNetworkGateway2",
        sub_ref(v, &["local_network_gateway_id"]),
    );
    put(&mut p, "peer", sub_ref(v, &["express_route_circuit_id"]));
    vec![c.resource(p)]
}

/// `azurerm_container_registry`: SKU, public network access, admin user, data endpoint.
pub(crate) fn registry(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let mut p = Map::new();
    p.insert(
        "publicNetworkAccess".into(),
        enabled(
            get(v, "public_network_access_enabled").unwrap_or(&json!(true)),
            false,
        ),
    );
    p.insert(
        "adminUserEnabled".into(),
        get(v, "admin_enabled").cloned().unwrap_or(json!(false)),
    );
    p.insert(
        "dataEndpointEnabled".into(),
        get(v, "data_endpoint_enabled")
            .cloned()
            .unwrap_or(json!(false)),
    );
    let mut r = c.envelope(p);
    put(
        &mut r,
        "sku",
        get(v, "sku").map(|s| json!({ "name": s, "tier": s })),
    );
    vec![Out::Resource(Json::Object(r))]
}

/// `azurerm_key_vault`: tenant, SKU, public network access, RBAC (4.x
/// `rbac_authorization_enabled`, 3.x `enable_rbac_authorization`), purge protection, network
/// ACLs.
pub(crate) fn key_vault(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let mut p = Map::new();
    copy(&mut p, "tenantId", v, &["tenant_id"]);
    p.insert(
        "sku".into(),
        json!({ "family": "A", "name": get(v, "sku_name").cloned().unwrap_or(json!("standard")) }),
    );
    p.insert(
        "publicNetworkAccess".into(),
        enabled(
            get(v, "public_network_access_enabled").unwrap_or(&json!(true)),
            false,
        ),
    );
    p.insert(
        "enableRbacAuthorization".into(),
        any(
            v,
            &["rbac_authorization_enabled", "enable_rbac_authorization"],
        )
        .cloned()
        .unwrap_or(json!(false)),
    );
    p.insert(
        "enablePurgeProtection".into(),
        get(v, "purge_protection_enabled")
            .cloned()
            .unwrap_or(json!(false)),
    );
    if let Some(a) = block(v, "network_acls") {
        let mut m = Map::new();
        copy(&mut m, "defaultAction", a, &["default_action"]);
        copy(&mut m, "bypass", a, &["bypass"]);
        let ips: Vec<Json> = items(a, "ip_rules")
            .into_iter()
            .map(|x| json!({ "value": x }))
            .collect();
        m.insert("ipRules".into(), Json::Array(ips));
        let subnets: Vec<Json> = items(a, "virtual_network_subnet_ids")
            .into_iter()
            .map(|x| json!({ "id": x }))
            .collect();
        m.insert("virtualNetworkRules".into(), Json::Array(subnets));
        p.insert("networkAcls".into(), Json::Object(m));
    }
    vec![c.resource(p)]
}
