//! Behaviours checked against the documentation's own examples and the REST API examples in
//! `shared/corpus` (azure-semantics §2, §3, §4).

use std::net::IpAddr;

use aksnet_engine::dns::Client;
use aksnet_engine::firewall;
use aksnet_engine::routes::{select, NextHop};
use aksnet_engine::topology::{SubnetIx, VnetIx};
use aksnet_engine::{nsg, DataPlane, Options};
use aksnet_model::network::Direction;
use aksnet_model::Estate;
use aksnet_net::Protocol;
use serde_json::{json, Value};

const SUB: &str = "/subscriptions/s/resourceGroups/rg/providers";

fn estate(v: Value) -> Estate {
    let mut base = json!({ "aksnetSchema": 1, "name": "doc" });
    for (k, x) in v.as_object().unwrap() {
        base[k] = x.clone();
    }
    serde_json::from_value(base).unwrap()
}

fn vnet(name: &str, spaces: &[&str], subnets: Value) -> Value {
    json!({ "id": format!("{SUB}/Microsoft.Network/virtualNetworks/{name}"),
            "properties": { "addressSpace": { "addressPrefixes": spaces }, "subnets": subnets } })
}

fn subnet(vnet: &str, name: &str, prefix: &str, extra: Value) -> Value {
    let mut props = json!({ "addressPrefix": prefix });
    for (k, x) in extra.as_object().unwrap() {
        props[k] = x.clone();
    }
    json!({ "name": name, "id": format!("{SUB}/Microsoft.Network/virtualNetworks/{vnet}/subnets/{name}"), "properties": props })
}

fn route_table(name: &str, routes: Value) -> Value {
    json!({ "id": format!("{SUB}/Microsoft.Network/routeTables/{name}"), "properties": { "routes": routes } })
}

fn rt_ref(name: &str) -> Value {
    json!({ "routeTable": { "id": format!("{SUB}/Microsoft.Network/routeTables/{name}") } })
}

/// `(prefix, next hop type, state)` rows of a subnet's effective routes.
fn rows(e: &Estate, o: Options, subnet: usize) -> Vec<(String, String, String)> {
    let dp = DataPlane::compile(e, o);
    dp.routes[SubnetIx::new(subnet)]
        .iter()
        .map(|r| {
            let hop = match &r.next_hop {
                NextHop::VNetPeering(_) => "VNetPeering".to_string(),
                NextHop::VirtualAppliance(_) => "VirtualAppliance".to_string(),
                NextHop::InterfaceEndpoint(_) => "InterfaceEndpoint".to_string(),
                h => h.to_string(),
            };
            (r.address_prefix.to_string(), hop, r.state.to_string())
        })
        .collect()
}

fn row(p: &str, h: &str, s: &str) -> (String, String, String) {
    (p.to_string(), h.to_string(), s.to_string())
}

#[test]
fn rest_example_effective_routes_of_a_172_20_2_0_24_vnet() {
    // NetworkInterfaceEffectiveRouteTableList.json: VnetLocal, Internet, and the four None routes,
    // all Active. Our default adds the two observed 25.x routes; with that switch off the sets match.
    let e = estate(
        json!({ "virtualNetworks": [vnet("v", &["172.20.2.0/24"], json!([subnet("v", "default", "172.20.2.0/24", json!({}))]))] }),
    );
    let o = Options {
        none_routes_observed_25: false,
        ..Options::default()
    };
    let mut got = rows(&e, o, 0);
    got.sort();
    let mut want = vec![
        row("172.20.2.0/24", "VnetLocal", "Active"),
        row("0.0.0.0/0", "Internet", "Active"),
        row("10.0.0.0/8", "None", "Active"),
        row("100.64.0.0/10", "None", "Active"),
        row("172.16.0.0/12", "None", "Active"),
        row("192.168.0.0/16", "None", "Active"),
    ];
    want.sort();
    assert_eq!(got, want);
    assert_eq!(
        rows(&e, Options::default(), 0).len(),
        8,
        "the 25.33.80.0/20 and 25.41.3.0/25 None routes by default"
    );
}

#[test]
fn udr_article_default_route_to_an_appliance_removes_the_none_routes() {
    // [UDR] worked example: a 0.0.0.0/0 → VirtualAppliance UDR on Subnet1 makes the system 0/0
    // Invalid and removes the RFC 1918 / RFC 6598 None routes.
    let e = estate(json!({
        "virtualNetworks": [vnet("v", &["10.0.0.0/16"], json!([subnet("v", "s1", "10.0.0.0/24", rt_ref("rt"))]))],
        "routeTables": [route_table("rt", json!([{ "name": "default", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.100.4" } }]))]
    }));
    let got = rows(&e, Options::default(), 0);
    assert!(got.contains(&row("0.0.0.0/0", "Internet", "Invalid")));
    assert!(got.contains(&row("0.0.0.0/0", "VirtualAppliance", "Active")));
    assert!(!got.iter().any(|r| r.1 == "None"), "{got:?}");
    // A 0/0 to the Internet keeps them (UNCONFIRMED for other next hops; switch off by default).
    let e2 = estate(json!({
        "virtualNetworks": [vnet("v", &["10.0.0.0/16"], json!([subnet("v", "s1", "10.0.0.0/24", rt_ref("rt"))]))],
        "routeTables": [route_table("rt", json!([{ "name": "default", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "Internet" } }]))]
    }));
    assert!(rows(&e2, Options::default(), 0)
        .iter()
        .any(|r| r.1 == "None"));
    let o = Options {
        none_routes_removed_for_any_default_udr: true,
        ..Options::default()
    };
    assert!(!rows(&e2, o, 0).iter().any(|r| r.1 == "None"));
}

#[test]
fn none_routes_follow_the_vnet_space() {
    // [UDR] §2.1: a VNet range equal to or containing a reserved prefix removes its None route;
    // one inside it keeps both, and longest prefix picks the VNet route.
    let e = estate(
        json!({ "virtualNetworks": [vnet("v", &["10.0.0.0/8", "100.64.0.0/10", "192.168.1.0/24"], json!([subnet("v", "s", "10.1.0.0/24", json!({}))]))] }),
    );
    let got = rows(&e, Options::default(), 0);
    assert!(!got.contains(&row("10.0.0.0/8", "None", "Active")));
    assert!(!got.contains(&row("100.64.0.0/10", "None", "Active")));
    assert!(got.contains(&row("192.168.0.0/16", "None", "Active")));
    let dp = DataPlane::compile(&e, Options::default());
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    assert_eq!(
        select(&dp.routes[SubnetIx::new(0)], ip("192.168.1.9"))
            .unwrap()
            .next_hop,
        NextHop::VnetLocal
    );
    assert_eq!(
        select(&dp.routes[SubnetIx::new(0)], ip("192.168.2.9"))
            .unwrap()
            .next_hop,
        NextHop::None
    );
}

#[test]
fn gateway_routes_never_beat_vnet_routes_and_propagation_can_be_off() {
    let e = estate(json!({
        "onPremisesPrefixes": ["10.1.0.0/24", "172.20.0.0/16"],
        "virtualNetworks": [vnet("hub", &["10.1.0.0/16"], json!([subnet("hub", "GatewaySubnet", "10.1.255.0/27", json!({})), subnet("hub", "app", "10.1.1.0/24", json!({})), subnet("hub", "iso", "10.1.2.0/24", rt_ref("rt"))]))],
        "routeTables": [route_table("rt", json!([]))],
        "virtualNetworkGateways": [{ "id": format!("{SUB}/Microsoft.Network/virtualNetworkGateways/gw"), "properties": { "gatewayType": "Vpn", "sku": { "name": "VpnGw1", "tier": "VpnGw1" }, "ipConfigurations": [{ "name": "c", "properties": { "subnet": { "id": format!("{SUB}/Microsoft.Network/virtualNetworks/hub/subnets/GatewaySubnet") } } }] } }]
    }));
    let mut e = e;
    e.route_tables
        .get_mut(&aksnet_model::ResourceId::new(format!(
            "{SUB}/Microsoft.Network/routeTables/rt"
        )))
        .unwrap()
        .properties
        .disable_bgp_route_propagation = true;
    let dp = DataPlane::compile(&e, Options::default());
    let app = SubnetIx::new(1);
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    // 10.1.0.0/24 is advertised from on-premises and is more specific, but inside the VNet.
    assert_eq!(
        select(&dp.routes[app], ip("10.1.0.9")).unwrap().next_hop,
        NextHop::VnetLocal
    );
    assert_eq!(
        select(&dp.routes[app], ip("172.20.0.9")).unwrap().next_hop,
        NextHop::VirtualNetworkGateway
    );
    // Propagation disabled: no gateway routes, so 172.20/16 hits the 172.16/12 None route.
    assert_eq!(
        select(&dp.routes[SubnetIx::new(2)], ip("172.20.0.9"))
            .unwrap()
            .next_hop,
        NextHop::None
    );
}

#[test]
fn private_endpoint_routes_and_their_invalidation() {
    // [PEPOL] §7.3: a /32 per PE in its VNet and peered VNets; a UDR at least as specific as the
    // PE's VNet range invalidates it when the PE subnet has route-table policies; a 0/0 does not.
    let pe = json!({ "id": format!("{SUB}/Microsoft.Network/privateEndpoints/pe"), "properties": {
        "subnet": { "id": format!("{SUB}/Microsoft.Network/virtualNetworks/spoke/subnets/pep") },
        "privateLinkServiceConnections": [{ "name": "c", "properties": { "privateLinkServiceId": format!("{SUB}/Microsoft.KeyVault/vaults/kv"), "groupIds": ["vault"] } }],
        "ipConfigurations": [{ "name": "default", "properties": { "groupId": "vault", "memberName": "default", "privateIPAddress": "10.2.0.4" } }] } });
    let build = |udr_prefix: &str, policies: &str| {
        estate(json!({
            "virtualNetworks": [
                vnet("spoke", &["10.2.0.0/16"], json!([subnet("spoke", "pep", "10.2.0.0/24", json!({ "privateEndpointNetworkPolicies": policies })), subnet("spoke", "app", "10.2.1.0/24", rt_ref("rt"))])),
            ],
            "routeTables": [route_table("rt", json!([{ "name": "r", "properties": { "addressPrefix": udr_prefix, "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.9.0.4" } }]))],
            "privateEndpoints": [pe.clone()]
        }))
    };
    let state = |e: &Estate| {
        rows(e, Options::default(), 1)
            .into_iter()
            .find(|r| r.0 == "10.2.0.4/32")
            .map(|r| r.2)
            .unwrap()
    };
    assert_eq!(state(&build("0.0.0.0/0", "Enabled")), "Active");
    assert_eq!(state(&build("10.2.0.0/16", "Enabled")), "Invalid");
    assert_eq!(state(&build("10.2.0.0/16", "Disabled")), "Active");
    assert_eq!(state(&build("10.2.0.0/16", "RouteTableEnabled")), "Invalid");
}

fn nsg_estate(rules: Value, udr_default: bool) -> Estate {
    let mut s = subnet(
        "v",
        "app",
        "10.0.1.0/24",
        json!({ "networkSecurityGroup": { "id": format!("{SUB}/Microsoft.Network/networkSecurityGroups/n") } }),
    );
    if udr_default {
        s["properties"]["routeTable"] =
            json!({ "id": format!("{SUB}/Microsoft.Network/routeTables/rt") });
    }
    estate(json!({
        "virtualNetworks": [vnet("v", &["10.0.0.0/16"], json!([s]))],
        "networkSecurityGroups": [{ "id": format!("{SUB}/Microsoft.Network/networkSecurityGroups/n"), "properties": { "securityRules": rules } }],
        "routeTables": [route_table("rt", json!([{ "name": "d", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.9.4" } }]))]
    }))
}

fn decide(e: &Estate, src: &str, dst: &str, port: u16) -> String {
    let dp = DataPlane::compile(e, Options::default());
    let rules = dp.nsgs[SubnetIx::new(0)].as_ref().unwrap();
    let r = nsg::evaluate(
        rules,
        Direction::Inbound,
        nsg::Reading::Resolved,
        (
            src.parse().unwrap(),
            dst.parse().unwrap(),
            Protocol::Tcp,
            port,
        ),
    )
    .unwrap();
    format!("{} {}", r.access_name, r.name)
}

#[test]
fn nsg_first_match_by_priority_and_default_rules() {
    let rule = |name: &str, prio: u32, access: &str, src: &str| {
        json!({ "name": name, "properties": {
        "protocol": "Tcp", "sourceAddressPrefix": src, "destinationAddressPrefix": "*", "destinationPortRange": "22", "access": access, "priority": prio, "direction": "Inbound" } })
    };
    let e = nsg_estate(
        json!([
            rule("deny-ssh", 100, "Deny", "VirtualNetwork"),
            rule("allow-ssh", 200, "Allow", "*")
        ]),
        false,
    );
    assert_eq!(decide(&e, "10.0.2.4", "10.0.1.4", 22), "Deny deny-ssh");
    assert_eq!(decide(&e, "203.0.113.7", "10.0.1.4", 22), "Allow allow-ssh");
    assert_eq!(
        decide(&e, "10.0.1.5", "10.0.1.4", 22),
        "Deny deny-ssh",
        "intra-subnet traffic is filtered too"
    );
    assert_eq!(
        decide(&e, "10.0.2.4", "10.0.1.4", 443),
        "Allow AllowVnetInBound"
    );
    assert_eq!(
        decide(&e, "168.63.129.16", "10.0.1.4", 80),
        "Allow AllowVnetInBound"
    );
    assert_eq!(
        decide(&e, "203.0.113.7", "10.0.1.4", 443),
        "Deny DenyAllInBound"
    );
}

#[test]
fn virtual_network_tag_swallows_everything_under_a_default_udr() {
    // [TAGS] [BLOG-TORIVAR] §3.5: the UDR's 0.0.0.0/0 joins the VirtualNetwork tag, so the default
    // AllowVnetInBound lets Internet sources in.
    let e = nsg_estate(json!([]), true);
    assert_eq!(
        decide(&e, "203.0.113.7", "10.0.1.4", 443),
        "Allow AllowVnetInBound"
    );
    let o = Options {
        virtual_network_tag_includes_udr_prefixes: false,
        ..Options::default()
    };
    let dp = DataPlane::compile(&e, o);
    let r = nsg::evaluate(
        dp.nsgs[SubnetIx::new(0)].as_ref().unwrap(),
        Direction::Inbound,
        nsg::Reading::Resolved,
        (
            "203.0.113.7".parse().unwrap(),
            "10.0.1.4".parse().unwrap(),
            Protocol::Tcp,
            443,
        ),
    )
    .unwrap();
    assert_eq!(r.name, "DenyAllInBound");
}

#[test]
fn nsg_packet_set_agrees_with_first_match() {
    let rule = |name: &str, prio: u32, access: &str, ports: &str| {
        json!({ "name": name, "properties": {
        "protocol": "*", "sourceAddressPrefix": "Internet", "destinationAddressPrefix": "*", "destinationPortRange": ports, "access": access, "priority": prio, "direction": "Inbound" } })
    };
    let e = nsg_estate(
        json!([
            rule("deny-mid", 100, "Deny", "8000-8999"),
            rule("allow-web", 200, "Allow", "80-9000")
        ]),
        false,
    );
    let dp = DataPlane::compile(&e, Options::default());
    let rules = dp.nsgs[SubnetIx::new(0)].as_ref().unwrap();
    let allowed = nsg::allowed(rules, Direction::Inbound);
    for port in [79, 80, 443, 7999, 8000, 8500, 8999, 9000, 9001] {
        for src in ["203.0.113.7", "10.0.5.5"] {
            let first = nsg::evaluate(
                rules,
                Direction::Inbound,
                nsg::Reading::Resolved,
                (
                    src.parse().unwrap(),
                    "10.0.1.4".parse().unwrap(),
                    Protocol::Tcp,
                    port,
                ),
            )
            .unwrap();
            assert_eq!(
                allowed.contains(
                    src.parse().unwrap(),
                    "10.0.1.4".parse().unwrap(),
                    Protocol::Tcp,
                    port
                ),
                first.access_name == "Allow",
                "{src}:{port}"
            );
        }
    }
}

#[test]
fn firewall_parent_policy_first_then_by_type_and_priority() {
    // [FWRULE] worked example: parent RCGs 200 and 300, child 300 and 650. Expected order:
    // DNAT(parent 200) → DNAT(child 650) → Net(parent 200) → Net(parent 300) → Net(child 300)
    // → Net(child 650) → App(parent 300) → App(child 300) → App(child 650).
    let nat = |n: &str| {
        json!({ "ruleCollectionType": "FirewallPolicyNatRuleCollection", "name": n, "priority": 100, "action": { "type": "DNAT" },
        "rules": [{ "ruleType": "NatRule", "name": n, "ipProtocols": ["TCP"], "destinationAddresses": ["1.2.3.4"], "destinationPorts": ["80"], "translatedAddress": "10.0.0.4", "translatedPort": "80" }] })
    };
    let net = |n: &str| {
        json!({ "ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": n, "priority": 200, "action": { "type": "Allow" },
        "rules": [{ "ruleType": "NetworkRule", "name": n, "ipProtocols": ["TCP"], "sourceAddresses": ["*"], "destinationAddresses": ["*"], "destinationPorts": ["1"] }] })
    };
    let app = |n: &str| {
        json!({ "ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": n, "priority": 300, "action": { "type": "Allow" },
        "rules": [{ "ruleType": "ApplicationRule", "name": n, "protocols": [{ "protocolType": "Https", "port": 443 }], "sourceAddresses": ["*"], "targetFqdns": ["*"] }] })
    };
    let pol = |name: &str, base: Option<&str>| {
        let mut p = json!({ "id": format!("{SUB}/Microsoft.Network/firewallPolicies/{name}"), "properties": {} });
        if let Some(b) = base {
            p["properties"]["basePolicy"] =
                json!({ "id": format!("{SUB}/Microsoft.Network/firewallPolicies/{b}") });
        }
        p
    };
    let rcg = |policy: &str, name: &str, prio: u32, colls: Vec<Value>| json!({ "id": format!("{SUB}/Microsoft.Network/firewallPolicies/{policy}/ruleCollectionGroups/{name}"), "properties": { "priority": prio, "ruleCollections": colls } });
    let e = estate(json!({
        "firewallPolicies": [pol("parent", None), pol("child", Some("parent"))],
        "ruleCollectionGroups": [
            rcg("child", "c650", 650, vec![nat("dnat-c650"), net("net-c650"), app("app-c650")]),
            rcg("child", "c300", 300, vec![net("net-c300"), app("app-c300")]),
            rcg("parent", "p300", 300, vec![net("net-p300"), app("app-p300")]),
            rcg("parent", "p200", 200, vec![nat("dnat-p200"), net("net-p200")]),
        ]
    }));
    let p = firewall::compile(
        &e,
        &aksnet_model::ResourceId::new(format!("{SUB}/Microsoft.Network/firewallPolicies/child")),
        "westeurope",
        &Default::default(),
    );
    let names = |v: &[firewall::OrderedRule]| {
        v.iter()
            .map(|r| r.path.rsplit('/').next().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&p.nat), ["dnat-p200", "dnat-c650"]);
    assert_eq!(
        names(&p.network),
        ["net-p200", "net-p300", "net-c300", "net-c650"]
    );
    assert_eq!(names(&p.application), ["app-p300", "app-c300", "app-c650"]);
    // Network rules win over application rules for the same packet.
    let d = p.decide(
        "10.0.0.5".parse().unwrap(),
        "203.0.113.9".parse().unwrap(),
        Protocol::Tcp,
        1,
        None,
    );
    assert_eq!(
        (d.pass, d.rule.as_deref()),
        ("network", Some("p200/net-p200/net-p200"))
    );
    assert!(d.snat, "public destination: SNAT");
    let d = p.decide(
        "10.0.0.5".parse().unwrap(),
        "10.9.9.9".parse().unwrap(),
        Protocol::Tcp,
        1,
        None,
    );
    assert!(!d.snat, "network rules do not SNAT to IANA private ranges");
    let d = p.decide(
        "10.0.0.5".parse().unwrap(),
        "10.9.9.9".parse().unwrap(),
        Protocol::Tcp,
        443,
        Some("contoso.com"),
    );
    assert_eq!(d.pass, "application");
    assert!(d.snat, "application rules always SNAT");
}

#[test]
fn service_tags_and_service_endpoint_routes() {
    // [UDR] §2.2–2.3: service endpoint routes carry the service tag's prefixes, beat BGP even
    // when less specific, and cannot be overridden by a route table.
    let tags = aksnet_engine::tags::parse_service_tags(
        r#"{"values": [
            {"name": "Storage.WestEurope", "properties": {"addressPrefixes": ["20.60.0.0/16"]}},
            {"name": "AzureCloud", "properties": {"addressPrefixes": ["20.0.0.0/8", "2603:1000::/24"]}}
        ]}"#,
    )
    .unwrap();
    let mut v = vnet(
        "v",
        &["10.0.0.0/16"],
        json!([subnet(
            "v",
            "app",
            "10.0.1.0/24",
            json!({
        "routeTable": { "id": format!("{SUB}/Microsoft.Network/routeTables/rt") },
        "serviceEndpoints": [{ "service": "Microsoft.Storage" }],
        "networkSecurityGroup": { "id": format!("{SUB}/Microsoft.Network/networkSecurityGroups/n") } })
        )]),
    );
    v["location"] = json!("westeurope");
    let e = estate(json!({
        "virtualNetworks": [v],
        "routeTables": [route_table("rt", json!([
            { "name": "default", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.9.4" } },
            { "name": "storage", "properties": { "addressPrefix": "20.60.0.0/16", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.9.4" } }
        ]))],
        "networkSecurityGroups": [{ "id": format!("{SUB}/Microsoft.Network/networkSecurityGroups/n"), "properties": { "securityRules": [
            { "name": "deny-azurecloud", "properties": { "protocol": "*", "sourceAddressPrefix": "*", "destinationAddressPrefix": "AzureCloud", "destinationPortRange": "*", "access": "Deny", "priority": 100, "direction": "Outbound" } } ] } }]
    }));
    let o = Options {
        service_tags: tags,
        ..Options::default()
    };
    let got = rows(&e, o.clone(), 0);
    assert!(
        got.contains(&row(
            "20.60.0.0/16",
            "VirtualNetworkServiceEndpoint (Microsoft.Storage)",
            "Active"
        )),
        "{got:?}"
    );
    assert!(
        got.contains(&row("20.60.0.0/16", "VirtualAppliance", "Invalid")),
        "{got:?}"
    );
    let dp = DataPlane::compile(&e, o);
    let to_storage = dp.route_for(SubnetIx::new(0), ip_of("20.60.5.5")).unwrap();
    assert!(matches!(
        to_storage.next_hop,
        NextHop::VirtualNetworkServiceEndpoint(_)
    ));
    assert!(matches!(
        dp.route_for(SubnetIx::new(0), ip_of("20.61.0.1"))
            .unwrap()
            .next_hop,
        NextHop::VirtualAppliance(_)
    ));
    // The NSG rule naming AzureCloud now matches.
    let r = nsg::evaluate(
        dp.nsgs[SubnetIx::new(0)].as_ref().unwrap(),
        Direction::Outbound,
        nsg::Reading::Resolved,
        (ip_of("10.0.1.4"), ip_of("20.1.2.3"), Protocol::Tcp, 443),
    )
    .unwrap();
    assert_eq!(r.name, "deny-azurecloud");
    assert!(r.unresolved.is_empty());
    // Without the tag file the rule matches nothing and says so.
    let dp = DataPlane::compile(&e, Options::default());
    let r = nsg::evaluate(
        dp.nsgs[SubnetIx::new(0)].as_ref().unwrap(),
        Direction::Outbound,
        nsg::Reading::Resolved,
        (ip_of("10.0.1.4"), ip_of("20.1.2.3"), Protocol::Tcp, 443),
    )
    .unwrap();
    assert_ne!(r.name, "deny-azurecloud");
    let rule = dp.nsgs[SubnetIx::new(0)]
        .as_ref()
        .unwrap()
        .iter()
        .find(|r| r.name == "deny-azurecloud")
        .unwrap();
    assert_eq!(rule.unresolved, ["AzureCloud"]);
}

fn ip_of(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn dangling_references_are_reported_not_assumed() {
    let e = estate(
        json!({ "virtualNetworks": [vnet("v", &["10.0.0.0/16"], json!([
        subnet("v", "a", "10.0.1.0/24", json!({ "routeTable": { "id": format!("{SUB}/Microsoft.Network/routeTables/gone") },
                                                 "networkSecurityGroup": { "id": format!("{SUB}/Microsoft.Network/networkSecurityGroups/gone") } })),
        subnet("v", "b", "10.0.2.0/24", json!({})) ]))] }),
    );
    let dp = DataPlane::compile(&e, Options::default());
    let q = aksnet_engine::trace::Query {
        from: dp.place("v/a").unwrap(),
        to: dp.place("v/b").unwrap(),
        protocol: Protocol::Tcp,
        port: 443,
        fqdn: None,
    };
    let t = dp.trace(&q);
    assert!(
        t.notes
            .iter()
            .any(|n| n.contains("its NSG") && n.contains("not in the estate")),
        "{:?}",
        t.notes
    );
    assert!(
        t.notes
            .iter()
            .any(|n| n.contains("its route table") && n.contains("routes are unknown")),
        "{:?}",
        t.notes
    );
    // What the absent NSG and route table decide is not known: the verdict says so, and reach
    // keeps the path out of its total, with the same reasons.
    assert_eq!(t.verdict, "unknown", "{t:#?}");
    assert!(
        t.reason.contains("NSG `gone` is not in the estate"),
        "{}",
        t.reason
    );
    let r = dp.reach(&q.from, &q.to);
    assert!(r.total.is_empty());
    assert!(r
        .paths
        .iter()
        .all(|p| p.unknown.iter().any(|u| u.contains("route table `gone`"))));
}

/// An NSG rule naming a service tag the engine has no prefixes for: where the tag decides, the
/// verdict is unknown until `--service-tags` gives its prefixes; then it is exact either way
/// (azure-semantics §3.5; issue 12, item 3).
#[test]
fn a_service_tag_without_prefixes_makes_the_verdict_unknown_where_it_decides() {
    let e = estate(json!({
        "virtualNetworks": [vnet("v", &["10.0.0.0/16"], json!([subnet("v", "app", "10.0.1.0/24", json!({
            "networkSecurityGroup": { "id": format!("{SUB}/Microsoft.Network/networkSecurityGroups/n") } }))]))],
        "networkSecurityGroups": [{ "id": format!("{SUB}/Microsoft.Network/networkSecurityGroups/n"), "properties": { "securityRules": [
            { "name": "deny-azurecloud", "properties": { "protocol": "*", "sourceAddressPrefix": "*", "destinationAddressPrefix": "AzureCloud", "destinationPortRange": "*", "access": "Deny", "priority": 100, "direction": "Outbound" } } ] } }]
    }));
    let trace = |o: Options, to: &str| {
        let dp = DataPlane::compile(&e, o);
        dp.trace(&aksnet_engine::trace::Query {
            from: dp.place("v/app").unwrap(),
            to: dp.place(to).unwrap(),
            protocol: Protocol::Tcp,
            port: 443,
            fqdn: None,
        })
    };
    let t = trace(Options::default(), "20.1.2.3");
    assert_eq!(t.verdict, "unknown", "{t:#?}");
    assert!(
        t.reason.contains("service tag `AzureCloud`"),
        "{}",
        t.reason
    );
    // With Microsoft's prefixes the rule decides exactly: inside AzureCloud denied, outside it
    // allowed by AllowInternetOutBound.
    let tags = aksnet_engine::tags::parse_service_tags(
        r#"{"values": [{"name": "AzureCloud", "properties": {"addressPrefixes": ["20.0.0.0/8"]}}]}"#,
    )
    .unwrap();
    let with = || Options {
        service_tags: tags.clone(),
        ..Options::default()
    };
    assert_eq!(trace(with(), "20.1.2.3").verdict, "denied");
    assert_eq!(trace(with(), "8.8.8.8").verdict, "allowed");
    // Reach says the same: without the tags nothing to the Internet is certain.
    let dp = DataPlane::compile(&e, Options::default());
    let r = dp.reach(&dp.place("v/app").unwrap(), &aksnet_engine::Place::Internet);
    assert!(r.total.is_empty(), "{:?}", r.total_described);
    assert!(r.paths.iter().any(|p| !p.unknown.is_empty()));
}

#[test]
fn each_vnet_resolves_in_the_zone_linked_to_it_when_zones_share_a_name() {
    // Two `privatelink.azurecr.io` zones in two resource groups, each linked to its own VNet
    // with its own record for the same registry: each client sees its own zone (§7.4).
    let zone = |rg: &str| {
        format!("/subscriptions/s/resourceGroups/{rg}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io")
    };
    let e = estate(json!({
        "virtualNetworks": [
            vnet("a", &["10.1.0.0/16"], json!([subnet("a", "s", "10.1.0.0/24", json!({}))])),
            vnet("b", &["10.2.0.0/16"], json!([subnet("b", "s", "10.2.0.0/24", json!({}))])),
        ],
        "privateDnsZones": [
            { "id": zone("rg1"), "properties": {} },
            { "id": zone("rg2"), "properties": {} },
        ],
        "virtualNetworkLinks": [
            { "id": format!("{}/virtualNetworkLinks/to-a", zone("rg1")), "properties": { "virtualNetwork": { "id": format!("{SUB}/Microsoft.Network/virtualNetworks/a") } } },
            { "id": format!("{}/virtualNetworkLinks/to-b", zone("rg2")), "properties": { "virtualNetwork": { "id": format!("{SUB}/Microsoft.Network/virtualNetworks/b") } } },
        ],
        "aRecordSets": [
            { "id": format!("{}/A/cr", zone("rg1")), "properties": { "ttl": 10, "aRecords": [{ "ipv4Address": "10.1.0.9" }] } },
            { "id": format!("{}/A/cr", zone("rg2")), "properties": { "ttl": 10, "aRecords": [{ "ipv4Address": "10.2.0.9" }] } },
        ],
    }));
    let dp = DataPlane::compile(&e, Options::default());
    let ip = |v: VnetIx| match dp.dns.resolve(Client::vnet(v), "cr.azurecr.io").answer {
        aksnet_engine::dns::Answer::Private { ip, .. } => ip,
        other => panic!("{other:?}"),
    };
    let a = dp.topology.vnet_named("a").unwrap();
    let b = dp.topology.vnet_named("b").unwrap();
    assert_eq!(ip(a), "10.1.0.9".parse::<IpAddr>().unwrap());
    assert_eq!(ip(b), "10.2.0.9".parse::<IpAddr>().unwrap());
}

/// A route to an appliance in a VNet the estate does not hold (a hub exported separately): what
/// happens there is not known, so the verdict is unknown, not denied; an appliance inside a known
/// VNet that is not reachable makes the route invalid: denied [UDR] §2.4.
#[test]
fn a_next_hop_outside_the_estate_is_unknown() {
    let e = estate(json!({
        "virtualNetworks": [vnet("v", &["10.0.0.0/16"], json!([subnet("v", "app", "10.0.1.0/24", rt_ref("rt"))]))],
        "routeTables": [route_table("rt", json!([
            { "name": "default", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.99.0.4" } },
            { "name": "dead", "properties": { "addressPrefix": "192.0.2.0/24", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.200.4" } }
        ]))]
    }));
    let dp = DataPlane::compile(&e, Options::default());
    let from = dp.place("v/app").unwrap();
    let t = |to: &str| {
        dp.trace(&aksnet_engine::trace::Query {
            from: from.clone(),
            to: dp.place(to).unwrap(),
            protocol: Protocol::Tcp,
            port: 443,
            fqdn: None,
        })
    };
    let out = t("8.8.8.8");
    assert_eq!(out.verdict, "unknown", "{out:#?}");
    assert!(
        out.reason.contains("10.99.0.4 lies in no VNet"),
        "{}",
        out.reason
    );
    assert_eq!(t("192.0.2.10").verdict, "denied");
    let r = dp.reach(&from, &aksnet_engine::Place::Internet);
    assert!(r.total.is_empty());
    assert!(r
        .paths
        .iter()
        .any(|p| p.unknown.iter().any(|u| u.contains("10.99.0.4"))));
}

/// A route whose next hop address a template leaves to deployment (the unknown marker): what it
/// carries is unknown — never allowed nor dropped — with the route table, the route and the
/// expression as the reason, in a trace and in reach alike; a reply that takes it makes a TCP
/// connection unknown.
#[test]
fn a_next_hop_unknown_before_deployment_is_unknown() {
    let expr = "reference(variables('firewallId')).ipConfigurations[0].properties.privateIPAddress";
    let hop = json!({ "$unknown": { "expression": expr, "reason": "the firewall's private IP is assigned at deployment" } });
    let e = estate(json!({
        "virtualNetworks": [vnet("v", &["10.0.0.0/16"], json!([
            subnet("v", "app", "10.0.1.0/24", rt_ref("rt")),
            subnet("v", "web", "10.0.2.0/24", json!({}))
        ]))],
        "routeTables": [route_table("rt", json!([
            { "name": "to-firewall", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": hop } },
            { "name": "web", "properties": { "addressPrefix": "10.0.2.0/24", "nextHopType": "VirtualAppliance", "nextHopIpAddress": hop } }
        ]))]
    }));
    let dp = DataPlane::compile(&e, Options::default());
    let app = dp.place("v/app").unwrap();
    let web = dp.place("v/web").unwrap();
    let t = |from: &aksnet_engine::Place, to: &aksnet_engine::Place, protocol| {
        dp.trace(&aksnet_engine::trace::Query {
            from: from.clone(),
            to: to.clone(),
            protocol,
            port: 443,
            fqdn: None,
        })
    };
    let out = t(&app, &aksnet_engine::Place::Internet, Protocol::Tcp);
    assert_eq!(out.verdict, "unknown", "{out:#?}");
    assert!(
        out.reason
            .contains("route `to-firewall` of route table `rt` (0.0.0.0/0 → VirtualAppliance)")
            && out.reason.contains(expr),
        "{}",
        out.reason
    );
    let r = dp.reach(&app, &aksnet_engine::Place::Internet);
    assert!(r.total.is_empty(), "{:?}", r.total_described);
    assert!(!r.paths.is_empty());
    assert!(r
        .paths
        .iter()
        .all(|p| p.unknown.iter().any(|u| u.contains(expr))));
    // web → app is delivered; the reply takes the route with the unknown next hop.
    let tcp = t(&web, &app, Protocol::Tcp);
    assert_eq!(tcp.verdict, "unknown", "{tcp:#?}");
    assert!(
        tcp.reason.contains("route `web` of route table `rt`"),
        "{}",
        tcp.reason
    );
    assert_eq!(t(&web, &app, Protocol::Udp).verdict, "allowed");
    let r = dp.reach(&web, &app);
    let (src, dst) = (ip_of("10.0.2.4"), ip_of("10.0.1.4"));
    assert!(!r.total.contains(src, dst, Protocol::Tcp, 443));
    assert!(r.total.contains(src, dst, Protocol::Udp, 443));
    assert!(r
        .paths
        .iter()
        .any(|p| p.packets.contains(src, dst, Protocol::Tcp, 443)
            && p.unknown.iter().any(|u| u.contains("route `web`"))));
}

/// A peering between `from` and `to` (one direction), Connected.
fn peering(from: &str, to: &str, hub_side: bool) -> Value {
    json!({ "name": format!("{from}-to-{to}"),
            "id": format!("{SUB}/Microsoft.Network/virtualNetworks/{from}/virtualNetworkPeerings/{from}-to-{to}"),
            "properties": { "remoteVirtualNetwork": { "id": format!("{SUB}/Microsoft.Network/virtualNetworks/{to}") },
                            "allowVirtualNetworkAccess": true, "allowForwardedTraffic": false,
                            "allowGatewayTransit": hub_side, "useRemoteGateways": !hub_side,
                            "peeringState": "Connected" } })
}

/// VPN gateway transit between spokes: "a VPN gateway can forward network traffic between
/// virtual networks that are peered with the virtual network the gateway is in, without the
/// virtual networks needing to be peered with each other … This scenario requires implementing
/// user-defined routes that specify the virtual network gateway as the next hop type"; no
/// forwarded-traffic flag is needed, and an ExpressRoute gateway cannot be that next hop
/// (virtual-network-manage-peering, 2022; azure-semantics §2.4, §2.7).
#[test]
fn spokes_reach_each_other_through_the_hubs_vpn_gateway() {
    let build = |gateway_type: &str| {
        let mut hub = vnet(
            "hub",
            &["10.0.0.0/16"],
            json!([subnet("hub", "GatewaySubnet", "10.0.255.0/27", json!({}))]),
        );
        hub["properties"]["virtualNetworkPeerings"] =
            json!([peering("hub", "a", true), peering("hub", "b", true)]);
        let mut a = vnet(
            "a",
            &["10.1.0.0/16"],
            json!([subnet("a", "app", "10.1.1.0/24", rt_ref("rt-a"))]),
        );
        a["properties"]["virtualNetworkPeerings"] = json!([peering("a", "hub", false)]);
        let mut b = vnet(
            "b",
            &["10.2.0.0/16"],
            json!([subnet("b", "app", "10.2.1.0/24", rt_ref("rt-b"))]),
        );
        b["properties"]["virtualNetworkPeerings"] = json!([peering("b", "hub", false)]);
        estate(json!({
            "virtualNetworks": [hub, a, b],
            "routeTables": [
                route_table("rt-a", json!([{ "name": "to-b", "properties": { "addressPrefix": "10.2.0.0/16", "nextHopType": "VirtualNetworkGateway" } }])),
                route_table("rt-b", json!([{ "name": "to-a", "properties": { "addressPrefix": "10.1.0.0/16", "nextHopType": "VirtualNetworkGateway" } }]))
            ],
            "virtualNetworkGateways": [{ "id": format!("{SUB}/Microsoft.Network/virtualNetworkGateways/gw"), "properties": { "gatewayType": gateway_type, "sku": { "name": "VpnGw1", "tier": "VpnGw1" }, "ipConfigurations": [{ "name": "c", "properties": { "subnet": { "id": format!("{SUB}/Microsoft.Network/virtualNetworks/hub/subnets/GatewaySubnet") } } }] } }]
        }))
    };
    let e = build("Vpn");
    let dp = DataPlane::compile(&e, Options::default());
    let q = aksnet_engine::trace::Query {
        from: dp.place("a/app").unwrap(),
        to: dp.place("b/app").unwrap(),
        protocol: Protocol::Tcp,
        port: 443,
        fqdn: None,
    };
    let t = dp.trace(&q);
    assert_eq!(t.verdict, "allowed", "{t:#?}");
    assert!(
        t.hops.iter().any(|h| h.detail.contains("gateway transit")),
        "{t:#?}"
    );
    let r = dp.reach(&q.from, &q.to);
    assert!(!r.total.is_empty(), "{:#?}", r.paths);
    // An ExpressRoute gateway cannot be a route's next hop.
    let e = build("ExpressRoute");
    let dp = DataPlane::compile(&e, Options::default());
    let t = dp.trace(&q);
    assert_eq!(t.verdict, "denied");
    assert!(t.reason.contains("only a VPN gateway"), "{}", t.reason);
    assert!(dp.reach(&q.from, &q.to).total.is_empty());
}

#[test]
fn forwarding_rules_take_the_longest_domain_and_follow_the_inbound_endpoint() {
    // The ruleset example of learn.microsoft.com/azure/dns/private-resolver-endpoints-rulesets:
    // rules `contoso.com.` → 10.100.0.2, `azure.contoso.com.` → the inbound endpoint 10.10.0.4
    // in myeastvnet, `.` → 10.100.0.2; the ruleset is linked to the spoke, the private zone
    // `azure.contoso.com` to the hub only. "A query for secure.store.azure.contoso.com matches
    // the AzurePrivate rule", so the inbound endpoint answers from the hub's zone.
    let rs = format!("{SUB}/Microsoft.Network/dnsForwardingRulesets/rs");
    let zone = format!("{SUB}/Microsoft.Network/privateDnsZones/azure.contoso.com");
    let hub = format!("{SUB}/Microsoft.Network/virtualNetworks/myeastvnet");
    let spoke = format!("{SUB}/Microsoft.Network/virtualNetworks/myeastspoke");
    let rule = |name: &str, domain: &str, to: &str| {
        json!({ "id": format!("{rs}/forwardingRules/{name}"), "properties": {
            "domainName": domain, "targetDnsServers": [{ "ipAddress": to, "port": 53 }],
            "forwardingRuleState": "Enabled" } })
    };
    let link = |name: &str, vnet: &str| json!({ "id": format!("{rs}/virtualNetworkLinks/{name}"), "properties": { "virtualNetwork": { "id": vnet } } });
    let mut e = json!({
        "virtualNetworks": [
            vnet("myeastvnet", &["10.10.0.0/16"], json!([
                subnet("myeastvnet", "snet-E-inbound", "10.10.0.0/28", json!({})),
                subnet("myeastvnet", "snet-E-outbound", "10.10.0.16/28", json!({})),
                subnet("myeastvnet", "app", "10.10.1.0/24", json!({})),
            ])),
            vnet("myeastspoke", &["10.20.0.0/16"], json!([subnet("myeastspoke", "app", "10.20.1.0/24", json!({}))])),
        ],
        "privateDnsZones": [{ "id": zone, "properties": {} }],
        "virtualNetworkLinks": [{ "id": format!("{zone}/virtualNetworkLinks/hub"), "properties": { "virtualNetwork": { "id": hub } } }],
        "aRecordSets": [{ "id": format!("{zone}/A/secure.store"), "properties": { "ttl": 10, "aRecords": [{ "ipv4Address": "10.10.1.9" }] } }],
        "dnsResolvers": [{ "id": format!("{SUB}/Microsoft.Network/dnsResolvers/r"), "properties": { "virtualNetwork": { "id": hub } } }],
        "inboundEndpoints": [{ "id": format!("{SUB}/Microsoft.Network/dnsResolvers/r/inboundEndpoints/in"), "properties": {
            "ipConfigurations": [{ "subnet": { "id": format!("{hub}/subnets/snet-E-inbound") }, "privateIpAddress": "10.10.0.4" }] } }],
        "dnsForwardingRulesets": [{ "id": rs, "properties": { "dnsResolverOutboundEndpoints": [
            { "id": format!("{SUB}/Microsoft.Network/dnsResolvers/r/outboundEndpoints/out") }] } }],
        "forwardingRules": [
            rule("Contoso", "contoso.com.", "10.100.0.2"),
            rule("AzurePrivate", "azure.contoso.com.", "10.10.0.4"),
            rule("Wildcard", ".", "10.100.0.2"),
        ],
        "rulesetVirtualNetworkLinks": [link("spoke", &spoke)],
    });
    let resolve = |e: &Value, name: &str| {
        let e = estate(e.clone());
        let dp = DataPlane::compile(&e, Options::default());
        let v = dp.topology.vnet_named("myeastspoke").unwrap();
        dp.dns.resolve(Client::vnet(v), name)
    };
    let r = resolve(&e, "secure.store.azure.contoso.com");
    assert!(
        matches!(r.answer, aksnet_engine::dns::Answer::Private { ip, .. } if ip == "10.10.1.9".parse::<IpAddr>().unwrap()),
        "{r:?}"
    );
    assert_eq!(
        r.via_text().unwrap(),
        "Azure DNS for myeastspoke → forwarding rule rs/AzurePrivate (azure.contoso.com.) → resolver inbound endpoint in (10.10.0.4) → Azure DNS for myeastvnet"
    );
    // `contoso.com` goes to 10.100.0.2, which the estate does not explain: unknown, naming it.
    for name in ["www.contoso.com", "example.org"] {
        match resolve(&e, name).answer {
            aksnet_engine::dns::Answer::Unknown { reason } => {
                assert!(reason.contains("10.100.0.2"), "{reason}")
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    // The wildcard rule skips the domains reserved for Azure services: the registry name is
    // answered by Azure DNS for the spoke (no zone linked there: public).
    assert_eq!(
        resolve(&e, "cr.azurecr.io").answer,
        aksnet_engine::dns::Answer::Public
    );
    // Linking the ruleset to the inbound endpoint's own VNet loops, as the page warns.
    e["rulesetVirtualNetworkLinks"] = json!([link("spoke", &spoke), link("hub", &hub)]);
    match resolve(&e, "secure.store.azure.contoso.com").answer {
        aksnet_engine::dns::Answer::Unanswered { reason } => {
            assert!(reason.contains("loop"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

/// Microsoft's example of NSGs at both levels ("How network security groups filter network
/// traffic" [NSGHOW], azure-semantics §3.3): Subnet1 has NSG1; VM1 is in Subnet1 with NSG2 on
/// its NIC, VM2 in Subnet1 with none, VM3 in Subnet2 (no subnet NSG) with NSG2 on its NIC, VM4
/// in Subnet2 with none. Port 80 reaches a VM only if every NSG on its way allows it: "To allow
/// port 80 to the virtual machine, both NSG1 and NSG2 must have a rule that allows port 80";
/// inbound NSG1 first, so traffic NSG1 denies is "never evaluated by NSG2"; outbound NSG2 first
/// ("If NSG2 has a security rule that denies port 80, the traffic is denied, and NSG1 never
/// evaluates it"). The doc's client is on the Internet; here it is another subnet, and each NSG
/// ends in a custom deny so the default `AllowVnetInBound` does not decide.
#[test]
fn nsg_levels_as_in_microsofts_vm1_to_vm4_example() {
    let nsg_id = |n: &str| format!("{SUB}/Microsoft.Network/networkSecurityGroups/{n}");
    let rule = |name: &str, prio: u32, dir: &str, access: &str, port: &str| {
        json!({ "name": name, "properties": { "protocol": "Tcp", "sourceAddressPrefix": "*",
            "destinationAddressPrefix": "*", "destinationPortRange": port, "access": access,
            "priority": prio, "direction": dir } })
    };
    let nic = |name: &str, subnet: &str, ip: &str, nsg: Option<&str>| {
        let mut n = json!({ "id": format!("{SUB}/Microsoft.Network/networkInterfaces/{name}"),
            "properties": { "ipConfigurations": [{ "name": "ipconfig1", "properties": {
                "privateIPAddress": ip, "privateIPAllocationMethod": "Dynamic",
                "subnet": { "id": format!("{SUB}/Microsoft.Network/virtualNetworks/v/subnets/{subnet}") } } }] } });
        if let Some(g) = nsg {
            n["properties"]["networkSecurityGroup"] = json!({ "id": nsg_id(g) });
        }
        n
    };
    let build = |nsg2_allows_80: bool| {
        let mut nsg2 = vec![
            rule("deny-80-out", 100, "Outbound", "Deny", "80"),
            rule("deny-all-in", 4000, "Inbound", "Deny", "*"),
        ];
        if nsg2_allows_80 {
            nsg2.push(rule("allow-80", 100, "Inbound", "Allow", "80"));
        }
        estate(json!({
            "virtualNetworks": [vnet("v", &["10.0.0.0/16"], json!([
                subnet("v", "Subnet1", "10.0.1.0/24", json!({ "networkSecurityGroup": { "id": nsg_id("NSG1") } })),
                subnet("v", "Subnet2", "10.0.2.0/24", json!({})),
                subnet("v", "clients", "10.0.3.0/24", json!({})),
            ]))],
            "networkSecurityGroups": [
                { "id": nsg_id("NSG1"), "properties": { "securityRules": [
                    rule("allow-80", 100, "Inbound", "Allow", "80"),
                    rule("deny-all-in", 4000, "Inbound", "Deny", "*") ] } },
                { "id": nsg_id("NSG2"), "properties": { "securityRules": nsg2 } },
            ],
            "networkInterfaces": [
                nic("vm1-nic", "Subnet1", "10.0.1.4", Some("NSG2")),
                nic("vm2-nic", "Subnet1", "10.0.1.5", None),
                nic("vm3-nic", "Subnet2", "10.0.2.4", Some("NSG2")),
                nic("vm4-nic", "Subnet2", "10.0.2.5", None),
            ]
        }))
    };
    let go = |e: &Estate, from: &str, to: &str, port: u16| {
        let dp = DataPlane::compile(e, Options::default());
        let (from, to) = (dp.place(from).unwrap(), dp.place(to).unwrap());
        let t = dp.trace(&aksnet_engine::trace::Query {
            from: from.clone(),
            to: to.clone(),
            protocol: Protocol::Tcp,
            port,
            fqdn: None,
        });
        // Reach over the same single packet says the same.
        let admitted = dp.reach(&from, &to).total.contains(
            dp.place_set(&from).prefixes()[0].network(),
            dp.place_set(&to).prefixes()[0].network(),
            Protocol::Tcp,
            port,
        );
        assert_eq!(admitted, t.verdict == "allowed", "{t:#?}");
        let nsg_hops: Vec<String> = t
            .hops
            .iter()
            .filter(|h| h.kind.as_str().starts_with("nsg"))
            .map(|h| format!("{} {}", h.decision, h.detail))
            .collect();
        (t.verdict.to_string(), nsg_hops)
    };
    let e = build(false);
    // VM1: NSG1 allows port 80, then NSG2 (no rule for it) denies.
    let (v, hops) = go(&e, "v/clients", "10.0.1.4", 80);
    assert_eq!(v, "denied");
    assert!(
        hops[1].starts_with("allow NSG1: allow-80")
            && hops[2].starts_with("deny NSG2: deny-all-in"),
        "{hops:#?}"
    );
    // NSG1 denies port 22: NSG2 never evaluates it.
    let (v, hops) = go(&e, "v/clients", "10.0.1.4", 22);
    assert_eq!(v, "denied");
    assert!(!hops.iter().any(|h| h.contains("NSG2")), "{hops:#?}");
    // Both allow port 80: allowed.
    assert_eq!(go(&build(true), "v/clients", "10.0.1.4", 80).0, "allowed");
    // VM2: NSG1 alone decides.
    assert_eq!(go(&e, "v/clients", "10.0.1.5", 80).0, "allowed");
    // VM3: no subnet NSG, so NSG2 alone decides.
    assert_eq!(go(&e, "v/clients", "10.0.2.4", 80).0, "denied");
    assert_eq!(go(&build(true), "v/clients", "10.0.2.4", 80).0, "allowed");
    // VM4: no NSG at all.
    assert_eq!(go(&e, "v/clients", "10.0.2.5", 80).0, "allowed");
    // Outbound from VM1: NSG2 first denies port 80, NSG1 never evaluates it.
    let (v, hops) = go(&e, "10.0.1.4", "v/clients", 80);
    assert_eq!(v, "denied");
    assert_eq!(hops.len(), 1, "{hops:#?}");
    assert!(hops[0].starts_with("deny NSG2: deny-80-out"), "{hops:#?}");
}

#[test]
fn classic_rule_collections_of_the_rest_example_are_evaluated_by_type_and_priority() {
    // AzureFirewallPut.json (Microsoft.Network REST examples), trimmed to what decides: an
    // application collection (Deny, 110), a NAT collection (112) and a network collection
    // (Deny, 112) with address ranges; plus an Allow network collection at 100 that runs first.
    let fw: aksnet_model::Resource<aksnet_model::firewall::AzureFirewall> =
        serde_json::from_value(json!({
            "id": format!("{SUB}/Microsoft.Network/azureFirewalls/azurefirewall"),
            "location": "westus",
            "properties": {
                "ipConfigurations": [{ "name": "c", "properties": {
                    "subnet": { "id": format!("{SUB}/Microsoft.Network/virtualNetworks/vnet2/subnets/AzureFirewallSubnet") } } }],
                "applicationRuleCollections": [{ "name": "apprulecoll", "properties": {
                    "action": { "type": "Deny" }, "priority": 110,
                    "rules": [{ "name": "rule1", "protocols": [{ "port": 443, "protocolType": "Https" }],
                        "sourceAddresses": ["216.58.216.164", "10.0.0.0/24"], "targetFqdns": ["www.test.com"] }] } }],
                "natRuleCollections": [{ "name": "natrulecoll", "properties": {
                    "action": { "type": "Dnat" }, "priority": 112,
                    "rules": [{ "name": "DNAT-HTTPS-traffic", "destinationAddresses": ["1.2.3.4"],
                        "destinationPorts": ["443"], "protocols": ["TCP"], "sourceAddresses": ["*"],
                        "translatedAddress": "1.2.3.5", "translatedPort": "8443" }] } }],
                "networkRuleCollections": [
                    { "name": "netrulecoll", "properties": { "action": { "type": "Deny" }, "priority": 112,
                        "rules": [{ "name": "L4-traffic", "destinationAddresses": ["*"],
                            "destinationPorts": ["443-444", "8443"], "protocols": ["TCP"],
                            "sourceAddresses": ["192.168.1.1-192.168.1.12", "10.1.4.12-10.1.4.255"] }] } },
                    { "name": "first", "properties": { "action": { "type": "Allow" }, "priority": 100,
                        "rules": [{ "name": "dns", "destinationAddresses": ["*"], "destinationPorts": ["53"],
                            "protocols": ["UDP"], "sourceAddresses": ["*"] }] } }
                ],
                "additionalProperties": { "Network.DNS.EnableProxy": "true", "Network.SNAT.PrivateRanges": "IANAPrivateRanges, 198.18.0.0/15" },
                "threatIntelMode": "Deny"
            }
        }))
        .unwrap();
    let p = firewall::compile_classic(&estate(json!({})), &fw, "westus", &Default::default());
    let paths = |v: &[firewall::OrderedRule]| v.iter().map(|r| r.path.clone()).collect::<Vec<_>>();
    assert_eq!(paths(&p.nat), ["natrulecoll/DNAT-HTTPS-traffic"]);
    assert_eq!(paths(&p.network), ["first/dns", "netrulecoll/L4-traffic"]);
    assert_eq!(paths(&p.application), ["apprulecoll/rule1"]);
    assert!(p.dns_proxy);
    assert_eq!(p.threat_intel_mode, "Deny");
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    // Inside the range 192.168.1.1–.12, to 443: the network Deny decides.
    let d = p.decide(
        ip("192.168.1.5"),
        ip("203.0.113.9"),
        Protocol::Tcp,
        443,
        None,
    );
    assert_eq!(
        (d.allowed, d.rule.as_deref()),
        (false, Some("netrulecoll/L4-traffic"))
    );
    // Just past the range: no network rule; the application Deny on its SNI.
    let d = p.decide(
        ip("10.0.0.5"),
        ip("203.0.113.9"),
        Protocol::Tcp,
        443,
        Some("www.test.com"),
    );
    assert_eq!((d.pass, d.allowed), ("application", false));
    let d = p.decide(
        ip("192.168.1.13"),
        ip("203.0.113.9"),
        Protocol::Tcp,
        443,
        None,
    );
    assert_eq!((d.allowed, d.rule), (false, None), "default deny");
    // The Allow at priority 100 runs before the Deny written first.
    let d = p.decide(
        ip("192.168.1.5"),
        ip("203.0.113.9"),
        Protocol::Udp,
        53,
        None,
    );
    assert_eq!((d.allowed, d.rule.as_deref()), (true, Some("first/dns")));
    // SNAT private ranges from additionalProperties: 198.18.0.0/15 is not SNATed.
    let d = p.decide(ip("192.168.1.5"), ip("198.18.0.9"), Protocol::Udp, 53, None);
    assert!(d.allowed && !d.snat);
}
