//! Counting on small hand-written estates, each number worked out by hand in its comment.

use serde_json::{json, Value};

use super::firewall::PortRanges;
use super::*;

const RG: &str = "/subscriptions/s/resourceGroups/g/providers";

fn estate(extra: Value) -> Estate {
    let mut base = json!({ "aksnetSchema": 1, "name": "t" });
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    serde_json::from_value(base).expect("test estate parses")
}

/// (resource name, used, max) of each usage of `limit`.
fn usages(e: &Estate, limit: LimitId, counting: Counting) -> Vec<(String, u128, u128)> {
    usages_of(e, limit, counting)
        .into_iter()
        .map(|u| (u.resource.name().to_string(), u.used, u.max))
        .collect()
}

fn policy(name: &str, parent: Option<&str>) -> Value {
    let mut p = json!({ "id": format!("{RG}/Microsoft.Network/firewallPolicies/{name}"), "name": name,
        "type": "Microsoft.Network/firewallPolicies", "properties": {} });
    if let Some(parent) = parent {
        p["properties"]["basePolicy"] =
            json!({ "id": format!("{RG}/Microsoft.Network/firewallPolicies/{parent}") });
    }
    p
}

fn group(policy: &str, name: &str, rules: Value) -> Value {
    json!({ "id": format!("{RG}/Microsoft.Network/firewallPolicies/{policy}/ruleCollectionGroups/{name}"), "name": name,
        "type": "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
        "properties": { "priority": 100, "ruleCollections": [{ "ruleCollectionType": "FirewallPolicyFilterRuleCollection",
            "name": "c", "priority": 100, "action": { "type": "Allow" }, "rules": rules }] } })
}

#[test]
fn firewall_combinations_multiply_protocols_sources_destinations_and_port_groups() {
    let ports: Vec<String> = (1..=15).map(|p| p.to_string()).collect();
    let e = estate(json!({
        "firewallPolicies": [policy("parent", None), policy("child", Some("parent"))],
        "ruleCollectionGroups": [
            // 2 protocols × (1 address + 1 IP group) × 2 FQDNs × ⌈15 ÷ 14⌉ = 2 × 2 × 2 × 2 = 16.
            group("parent", "g", json!([{ "ruleType": "NetworkRule", "name": "r", "ipProtocols": ["TCP", "UDP"],
                "sourceAddresses": ["10.0.0.0/8"], "sourceIpGroups": [format!("{RG}/Microsoft.Network/ipGroups/ig")],
                "destinationFqdns": ["a.example.com", "b.example.com"], "destinationPorts": ports }])),
            // 1 × 1 × 1 × ⌈1 ÷ 14⌉ = 1, and a range that is one entry or 28 ports (⌈28 ÷ 14⌉ = 2).
            group("child", "g", json!([
                { "ruleType": "NetworkRule", "name": "one", "ipProtocols": ["TCP"], "sourceAddresses": ["*"],
                  "destinationAddresses": ["10.1.0.4"], "destinationPorts": ["443"] },
                { "ruleType": "NetworkRule", "name": "range", "ipProtocols": ["TCP"], "sourceAddresses": ["*"],
                  "destinationAddresses": ["10.1.0.5"], "destinationPorts": ["1000-1027"] },
                // Application rules are not counted.
                { "ruleType": "ApplicationRule", "name": "app", "protocols": [{ "protocolType": "Https", "port": 443 }],
                  "sourceAddresses": ["*"], "targetFqdns": ["x.example.com", "y.example.com"] } ])),
        ],
    }));
    let entries = Counting::default();
    // The child counts its parent's rules once: 16 + 1 + 1.
    assert_eq!(
        usages(&e, LimitId::FirewallRuleCombinations, entries),
        [
            ("child".to_string(), 18, 20_000),
            ("parent".to_string(), 16, 20_000)
        ]
    );
    let expanded = Counting {
        port_ranges: PortRanges::Expanded,
    };
    assert_eq!(
        usages(&e, LimitId::FirewallRuleCombinations, expanded)[0].1,
        19
    );
    assert_eq!(
        usages(&e, LimitId::PolicyRuleCollectionGroups, entries),
        [("child".to_string(), 1, 90), ("parent".to_string(), 1, 90)]
    );
}

#[test]
fn nsg_addresses_count_each_side_and_skip_tags() {
    let rule = |name: &str, src: Value, dst: Value| {
        json!({ "name": name, "properties": {
        "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
        "sourceAddressPrefixes": src, "sourcePortRange": "*", "destinationAddressPrefixes": dst, "destinationPortRange": "443" } })
    };
    let e = estate(
        json!({ "networkSecurityGroups": [{ "id": format!("{RG}/Microsoft.Network/networkSecurityGroups/n"), "name": "n",
        "type": "Microsoft.Network/networkSecurityGroups", "properties": { "securityRules": [
            // Source: 10.0.0.1 and 2001:db8::/32 (2); the tags are not addresses.
            rule("a", json!(["10.0.0.1", "VirtualNetwork", "2001:db8::/32", "AzureCloud.westeurope"]), json!(["10.1.0.0/16", "10.2.0.0/16"])),
            // Destination: 3 more, one written with a leading space as imports accept it.
            rule("b", json!(["Internet"]), json!(["10.3.0.0/16", " 10.4.0.0/16", "10.5.0.4"])),
        ] } }] }),
    );
    let u = usages_of(&e, LimitId::NsgRuleAddresses, Counting::default());
    assert_eq!((u[0].used, u[0].max), (5, 4000));
    assert!(
        u[0].counted
            .contains("destination side (2 source, 5 destination)"),
        "{}",
        u[0].counted
    );
    assert_eq!(usages(&e, LimitId::NsgRules, Counting::default())[0].1, 2);
}

fn kubenet(name: &str, max: u32, subnet: &str) -> Value {
    json!({ "id": format!("{RG}/Microsoft.ContainerService/managedClusters/{name}"), "name": name,
        "type": "Microsoft.ContainerService/managedClusters",
        "properties": { "dnsPrefix": name, "networkProfile": { "networkPlugin": "kubenet" }, "agentPoolProfiles": [
            { "name": "p", "mode": "System", "maxCount": max,
              "vnetSubnetID": format!("{RG}/Microsoft.Network/virtualNetworks/v/subnets/{subnet}") }] } })
}

#[test]
fn kubenet_node_routes_count_in_the_table_they_land_in() {
    let table = |id: &str| json!({ "id": format!("{RG}/Microsoft.Network/routeTables/{id}") });
    let e = estate(json!({
        "routeTables": [{ "id": format!("{RG}/Microsoft.Network/routeTables/rt"), "name": "rt",
            "type": "Microsoft.Network/routeTables", "properties": { "routes": [
                { "name": "default", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4" } }] } }],
        "virtualNetworks": [{ "id": format!("{RG}/Microsoft.Network/virtualNetworks/v"), "name": "v",
            "type": "Microsoft.Network/virtualNetworks", "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] }, "subnets": [
                { "name": "a", "properties": { "addressPrefix": "10.0.0.0/24", "routeTable": table("rt") } },
                { "name": "b", "properties": { "addressPrefix": "10.0.1.0/24", "routeTable": table("rt") } },
                { "name": "c", "properties": { "addressPrefix": "10.0.2.0/24" } }] } }],
        // Two clusters share the table: 1 route + (100 + 1) + (50 + 1) = 153. A third has no
        // table in the estate: AKS's own holds its 399 + 1 = 400 node routes.
        "managedClusters": [kubenet("k1", 100, "a"), kubenet("k2", 50, "b"), kubenet("k3", 399, "c")],
    }));
    let u = usages_of(&e, LimitId::RouteTableRoutes, Counting::default());
    let got: Vec<(&str, u128, Level)> = u
        .iter()
        .map(|u| (u.resource.name(), u.used, u.level()))
        .collect();
    assert_eq!(got, [("k3", 400, Level::Near), ("rt", 153, Level::Within)]);
    assert!(
        u[0].counted
            .contains("the route table AKS creates for kubenet cluster `k3`"),
        "{}",
        u[0].counted
    );
    // 401 node routes are over.
    let mut e = e;
    let k3 = e
        .managed_clusters
        .iter()
        .find(|c| c.name == "k3")
        .unwrap()
        .id
        .clone();
    let mut c = e.managed_clusters.get(&k3).unwrap().clone();
    c.properties.agent_pool_profiles[0].max_count = Some(400);
    e.managed_clusters.insert(c);
    assert_eq!(
        usages_of(&e, LimitId::RouteTableRoutes, Counting::default())[0].level(),
        Level::Over
    );
}

#[test]
fn cluster_nodes_follow_the_tier() {
    let mut free = kubenet("free", 999, "a");
    free["properties"]["networkProfile"] =
        json!({ "networkPlugin": "azure", "networkPluginMode": "overlay" });
    let mut standard = free.clone();
    standard["id"] = format!("{RG}/Microsoft.ContainerService/managedClusters/standard").into();
    standard["name"] = "standard".into();
    standard["sku"] = json!({ "name": "Base", "tier": "Standard" });
    let e = estate(json!({ "managedClusters": [free, standard] }));
    assert_eq!(
        usages(&e, LimitId::ClusterNodes, Counting::default()),
        [
            ("free".to_string(), 999, 1000),
            ("standard".to_string(), 999, 5000)
        ]
    );
    // An IPv6 pod CIDR is not sized as an IPv4 one.
    let mut v6 = kubenet("v6", 10, "a");
    v6["properties"]["networkProfile"]["podCidr"] = "fd00:10:244::/56".into();
    assert!(usages_of(
        &estate(json!({ "managedClusters": [v6] })),
        LimitId::PodCidrNodes,
        Counting::default()
    )
    .is_empty());
}

#[test]
fn classic_network_rules_count_on_a_firewall_without_a_policy() {
    // The network rule of the azure-quickstart-templates sample
    // azurefirewall-create-with-ipgroups-and-linux-jumpbox: UDP, TCP, ICMP × (10.0.0.0,
    // 111.1.0.0/23, ipgroup1) × ipgroup2 × port 90 = 3 × 3 × 1 × 1 = 9.
    let firewall = |name: &str, policy: Option<&str>| {
        let mut f = json!({ "id": format!("{RG}/Microsoft.Network/azureFirewalls/{name}"), "name": name,
            "type": "Microsoft.Network/azureFirewalls", "properties": {
                "sku": { "name": "AZFW_VNet", "tier": "Standard" },
                "networkRuleCollections": [{ "name": "netRc1", "properties": { "priority": 200, "action": { "type": "Allow" },
                    "rules": [{ "name": "networkRule", "protocols": ["UDP", "TCP", "ICMP"],
                        "sourceAddresses": ["10.0.0.0", "111.1.0.0/23"], "sourceIpGroups": [format!("{RG}/Microsoft.Network/ipGroups/ipgroup1")],
                        "destinationIpGroups": [format!("{RG}/Microsoft.Network/ipGroups/ipgroup2")], "destinationPorts": ["90"] }] } }] } });
        if let Some(p) = policy {
            f["properties"]["firewallPolicy"] =
                json!({ "id": format!("{RG}/Microsoft.Network/firewallPolicies/{p}") });
        }
        f
    };
    let e = estate(
        json!({ "azureFirewalls": [firewall("firewall1", None), firewall("managed", Some("p"))] }),
    );
    // The second firewall has a policy: its classic collections are not counted on it.
    assert_eq!(
        usages(&e, LimitId::FirewallRuleCombinations, Counting::default()),
        [("firewall1".to_string(), 9, 20_000)]
    );
}
