//! Validation tests on small hand-written estates (JSON, as a user would write or import them).

use serde_json::{json, Value};

use super::*;

const SUB: &str = "/subscriptions/s1/resourceGroups/rg/providers";

fn vnet(name: &str, space: &str, subnets: Value) -> Value {
    json!({
        "id": format!("{SUB}/Microsoft.Network/virtualNetworks/{name}"),
        "name": name, "type": "Microsoft.Network/virtualNetworks",
        "properties": { "addressSpace": { "addressPrefixes": [space] }, "subnets": subnets }
    })
}

fn subnet(vnet: &str, name: &str, prefix: &str) -> Value {
    json!({
        "name": name,
        "id": format!("{SUB}/Microsoft.Network/virtualNetworks/{vnet}/subnets/{name}"),
        "properties": { "addressPrefix": prefix }
    })
}

fn estate(extra: Value) -> Estate {
    let mut base = json!({ "aksnetSchema": 1, "name": "t" });
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    serde_json::from_value(base).expect("test estate parses")
}

fn codes(e: &Estate) -> Vec<&'static str> {
    validate(e).into_iter().map(|d| d.code).collect()
}

#[test]
fn clean_vnet_has_no_diagnostics() {
    let e = estate(json!({ "virtualNetworks": [vnet("v", "10.0.0.0/16", json!([
        subnet("v", "a", "10.0.0.0/24"), subnet("v", "AzureFirewallSubnet", "10.0.1.0/26")
    ]))] }));
    assert_eq!(codes(&e), Vec::<&str>::new());
}

#[test]
fn subnet_outside_overlapping_and_too_small() {
    let e = estate(json!({ "virtualNetworks": [vnet("v", "10.0.0.0/16", json!([
        subnet("v", "a", "10.0.0.0/24"),
        subnet("v", "b", "10.0.0.128/25"),
        subnet("v", "c", "10.1.0.0/24"),
        subnet("v", "d", "10.0.9.0/30"),
    ]))] }));
    let d = validate(&e);
    let c: Vec<_> = d.iter().map(|d| d.code).collect();
    assert!(c.contains(&"subnet-overlap"), "{c:?}");
    assert!(c.contains(&"subnet-outside-vnet"), "{c:?}");
    assert!(c.contains(&"subnet-too-small"), "{c:?}");
    let overlap = d.iter().find(|d| d.code == "subnet-overlap").unwrap();
    assert!(overlap.message.contains("10.0.0.128/25") && overlap.message.contains("10.0.0.0/24"));
}

#[test]
fn special_subnet_sizes() {
    let e = estate(json!({ "virtualNetworks": [vnet("v", "10.0.0.0/16", json!([
        subnet("v", "AzureFirewallSubnet", "10.0.0.0/27"),
        subnet("v", "GatewaySubnet", "10.0.1.0/28"),
        subnet("v", "AzureBastionSubnet", "10.0.2.0/27"),
    ]))] }));
    let d = validate(&e);
    let errors = d
        .iter()
        .filter(|d| d.code == "special-subnet-too-small")
        .count();
    let warns = d
        .iter()
        .filter(|d| d.code == "special-subnet-below-recommended")
        .count();
    assert_eq!((errors, warns), (2, 1), "{d:#?}");
}

#[test]
fn peered_vnets_must_not_overlap_and_must_peer_back() {
    let peer = |to: &str| {
        json!([{ "name": format!("to-{to}"), "properties": {
        "remoteVirtualNetwork": { "id": format!("{SUB}/Microsoft.Network/virtualNetworks/{to}") } } }])
    };
    let mut a = vnet("a", "10.0.0.0/16", json!([]));
    a["properties"]["virtualNetworkPeerings"] = peer("b");
    let b = vnet("b", "10.0.128.0/17", json!([]));
    let e = estate(json!({ "virtualNetworks": [a, b] }));
    let c = codes(&e);
    assert!(c.contains(&"peering-overlap"), "{c:?}");
    assert!(c.contains(&"peering-one-sided"), "{c:?}");
}

fn cluster(network: Value, pools: Value) -> Value {
    json!({
        "id": format!("{SUB}/Microsoft.ContainerService/managedClusters/aks"),
        "name": "aks", "type": "Microsoft.ContainerService/managedClusters",
        "properties": { "dnsPrefix": "aks", "agentPoolProfiles": pools, "networkProfile": network }
    })
}

fn pool(name: &str, max: u32, pods: u32, subnet: &str) -> Value {
    json!({ "name": name, "mode": "User", "maxCount": max, "maxPods": pods,
            "vnetSubnetID": format!("{SUB}/Microsoft.Network/virtualNetworks/v/subnets/{subnet}") })
}

#[test]
fn flat_cni_capacity_message_has_the_numbers() {
    let e = estate(json!({
        "virtualNetworks": [vnet("v", "10.240.0.0/16", json!([subnet("v", "nodes", "10.240.0.0/24")]))],
        "managedClusters": [cluster(json!({ "networkPlugin": "azure", "outboundType": "loadBalancer" }),
                                    json!([pool("user", 20, 50, "nodes")]))]
    }));
    let d = validate(&e);
    let cap = d
        .iter()
        .find(|d| d.code == "subnet-capacity-exceeded")
        .expect("capacity error");
    assert!(
        cap.message
            .contains("pool `user` needs 1,071 addresses (20 nodes + 1 surge) × (50 pods + 1)")
            && cap.message.contains("`10.240.0.0/24` has 251 usable"),
        "{}",
        cap.message
    );
}

#[test]
fn overlay_pool_fits_where_flat_does_not() {
    let e = estate(json!({
        "virtualNetworks": [vnet("v", "10.240.0.0/16", json!([subnet("v", "nodes", "10.240.0.0/24")]))],
        "managedClusters": [cluster(json!({ "networkPlugin": "azure", "networkPluginMode": "overlay",
            "podCidr": "192.168.0.0/16", "serviceCidr": "172.16.0.0/16", "dnsServiceIP": "172.16.0.10",
            "outboundType": "loadBalancer" }), json!([pool("user", 20, 50, "nodes")]))]
    }));
    assert_eq!(codes(&e), Vec::<&str>::new());
}

#[test]
fn service_cidr_rules() {
    let e = estate(json!({
        "onPremisesPrefixes": ["10.0.0.0/14"],
        "virtualNetworks": [vnet("v", "10.240.0.0/16", json!([subnet("v", "nodes", "10.240.0.0/22")]))],
        "managedClusters": [cluster(json!({ "networkPlugin": "azure", "networkPluginMode": "overlay",
            "podCidr": "172.31.0.0/16", "serviceCidr": "10.0.0.0/11", "dnsServiceIP": "10.0.0.1",
            "outboundType": "loadBalancer" }), json!([pool("user", 3, 30, "nodes")]))]
    }));
    let c = codes(&e);
    for expected in [
        "aks-service-cidr-too-large",
        "aks-cidr-overlap",
        "aks-dns-service-ip-first",
        "aks-reserved-range",
    ] {
        assert!(c.contains(&expected), "{expected} missing from {c:?}");
    }
}

#[test]
fn max_pods_and_kubenet_scale() {
    let e = estate(json!({
        "virtualNetworks": [vnet("v", "10.240.0.0/16", json!([subnet("v", "nodes", "10.240.0.0/20")]))],
        "managedClusters": [cluster(json!({ "networkPlugin": "kubenet", "podCidr": "10.244.0.0/14",
            "outboundType": "loadBalancer" }), json!([pool("a", 300, 5, "nodes"), pool("b", 200, 30, "nodes")]))]
    }));
    let c = codes(&e);
    assert!(c.contains(&"aks-max-pods-out-of-range"), "{c:?}");
    // kubenet's 400 nodes are its route table's 400 routes: AKS-CAP-001 counts them
    // (capacity::network), not validation.
    assert!(!c.contains(&"aks-kubenet-too-many-nodes"), "{c:?}");
}

#[test]
fn udr_outbound_needs_a_default_route_to_an_appliance() {
    let mut v = vnet(
        "v",
        "10.240.0.0/16",
        json!([subnet("v", "nodes", "10.240.0.0/22")]),
    );
    v["properties"]["subnets"][0]["properties"]["routeTable"] =
        json!({ "id": format!("{SUB}/Microsoft.Network/routeTables/rt") });
    let rt = |hop: &str| {
        json!({ "id": format!("{SUB}/Microsoft.Network/routeTables/rt"), "name": "rt",
        "type": "Microsoft.Network/routeTables", "properties": { "routes": [
            { "name": "default", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": hop, "nextHopIpAddress": "10.200.0.4" } } ] } })
    };
    let net = json!({ "networkPlugin": "azure", "networkPluginMode": "overlay", "outboundType": "userDefinedRouting" });
    let bad = estate(
        json!({ "virtualNetworks": [v.clone()], "routeTables": [rt("Internet")],
        "managedClusters": [cluster(net.clone(), json!([pool("user", 3, 30, "nodes")]))] }),
    );
    assert!(codes(&bad).contains(&"aks-udr-without-default-route"));
    let good = estate(
        json!({ "virtualNetworks": [v], "routeTables": [rt("VirtualAppliance")],
        "managedClusters": [cluster(net, json!([pool("user", 3, 30, "nodes")]))] }),
    );
    assert!(!codes(&good).contains(&"aks-udr-without-default-route"));
}

#[test]
fn app_gateway_subnet_must_be_dedicated() {
    let e = estate(json!({
        "virtualNetworks": [vnet("v", "10.240.0.0/16", json!([subnet("v", "agw", "10.240.0.0/24")]))],
        "applicationGateways": [{ "id": format!("{SUB}/Microsoft.Network/applicationGateways/agw"), "name": "agw",
            "type": "Microsoft.Network/applicationGateways", "properties": {
              "sku": { "name": "WAF_v2", "tier": "WAF_v2" },
              "gatewayIPConfigurations": [{ "name": "gw", "properties": { "subnet": { "id": format!("{SUB}/Microsoft.Network/virtualNetworks/v/subnets/agw") } } }],
              "frontendIPConfigurations": [] } }],
        "managedClusters": [cluster(json!({ "networkPlugin": "azure", "networkPluginMode": "overlay", "outboundType": "loadBalancer" }),
                                    json!([pool("user", 3, 30, "agw")]))]
    }));
    assert!(codes(&e).contains(&"app-gateway-subnet-not-dedicated"));
}

#[test]
fn estate_json_round_trips_and_reports_positions() {
    let e = estate(
        json!({ "virtualNetworks": [vnet("v", "10.0.0.0/16", json!([subnet("v", "a", "10.0.0.0/24")]))] }),
    );
    let text = e.to_json();
    assert_eq!(Estate::from_json(&text).unwrap(), e);
    let err = Estate::from_json("{\n  \"aksnetSchema\": 1,\n  \"name\": 5\n}").unwrap_err();
    assert_eq!((err.line, err.column), (3, 11));
    let err = Estate::from_json(
        "{\"aksnetSchema\": 1, \"name\": \"x\", \"virtualNetworks\": [{\"id\": \"bad\"}]}",
    )
    .unwrap_err();
    assert!(
        err.message.contains("not an Azure resource id"),
        "{}",
        err.message
    );
}

#[test]
fn thousands_separator() {
    assert_eq!(thousands(1071), "1,071");
    assert_eq!(thousands(251), "251");
    assert_eq!(thousands(1_000_000), "1,000,000");
}

#[test]
fn gateway_subnet_nsg_and_services_outside_their_subnet() {
    let mut v = vnet(
        "v",
        "10.0.0.0/16",
        json!([
            subnet("v", "GatewaySubnet", "10.0.0.0/27"),
            subnet("v", "vms", "10.0.1.0/24")
        ]),
    );
    v["properties"]["subnets"][0]["properties"]["networkSecurityGroup"] =
        json!({ "id": format!("{SUB}/Microsoft.Network/networkSecurityGroups/n") });
    let e = estate(json!({
        "virtualNetworks": [v],
        "networkSecurityGroups": [{ "id": format!("{SUB}/Microsoft.Network/networkSecurityGroups/n"), "type": "Microsoft.Network/networkSecurityGroups", "properties": {} }],
        "bastionHosts": [{ "id": format!("{SUB}/Microsoft.Network/bastionHosts/b"), "properties": { "ipConfigurations": [
            { "name": "c", "properties": { "subnet": { "id": format!("{SUB}/Microsoft.Network/virtualNetworks/v/subnets/vms") } } } ] } }]
    }));
    let c = codes(&e);
    assert!(c.contains(&"nsg-on-special-subnet"), "{c:?}");
    assert!(c.contains(&"service-outside-special-subnet"), "{c:?}");
}

#[test]
fn remote_gateways_need_transit_and_a_gateway() {
    let peer = |to: &str, use_remote: bool| {
        json!([{ "name": format!("to-{to}"), "properties": {
        "remoteVirtualNetwork": { "id": format!("{SUB}/Microsoft.Network/virtualNetworks/{to}") }, "useRemoteGateways": use_remote } }])
    };
    let mut hub = vnet("hub", "10.0.0.0/16", json!([]));
    hub["properties"]["virtualNetworkPeerings"] = peer("spoke", false);
    let mut spoke = vnet("spoke", "10.1.0.0/16", json!([]));
    spoke["properties"]["virtualNetworkPeerings"] = peer("hub", true);
    let e = estate(json!({ "virtualNetworks": [hub, spoke] }));
    let d = validate(&e);
    let hit = d
        .iter()
        .find(|d| d.code == "peering-remote-gateway-unavailable")
        .expect("flagged");
    assert!(hit.message.contains("has no gateway"), "{}", hit.message);
}

#[test]
fn dangling_references_are_warnings_not_errors() {
    let mut v = vnet("v", "10.0.0.0/16", json!([subnet("v", "a", "10.0.0.0/24")]));
    v["properties"]["subnets"][0]["properties"]["routeTable"] =
        json!({ "id": format!("{SUB}/Microsoft.Network/routeTables/missing") });
    let d = validate(&estate(json!({ "virtualNetworks": [v] })));
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].severity, d[0].code),
        (Severity::Warning, "dangling-reference")
    );
}

#[test]
fn ip_groups_named_by_firewall_rules_must_be_in_the_estate() {
    let rcg = json!({ "id": format!("{SUB}/Microsoft.Network/firewallPolicies/p/ruleCollectionGroups/g"),
        "properties": { "priority": 100, "ruleCollections": [{
            "ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "c", "priority": 100,
            "action": { "type": "Allow" }, "rules": [{ "ruleType": "NetworkRule", "name": "r",
                "ipProtocols": ["TCP"], "destinationPorts": ["443"], "sourceAddresses": ["*"],
                "destinationIpGroups": [format!("{SUB}/Microsoft.Network/ipGroups/here"),
                                        format!("{SUB}/Microsoft.Network/ipGroups/gone")] }] }] } });
    let here = json!({ "id": format!("{SUB}/Microsoft.Network/ipGroups/here"),
        "properties": { "ipAddresses": ["10.0.0.0/24"] } });
    let d = validate(&estate(
        json!({ "ruleCollectionGroups": [rcg], "ipGroups": [here] }),
    ));
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        (d[0].severity, d[0].code),
        (Severity::Warning, "dangling-reference")
    );
    assert!(d[0].message.contains("ipGroups/gone"), "{}", d[0].message);
}

#[test]
fn static_ips_must_be_assignable() {
    let e = estate(json!({
        "virtualNetworks": [vnet("v", "10.0.0.0/16", json!([subnet("v", "ilb", "10.0.0.0/28")]))],
        "loadBalancers": [{ "id": format!("{SUB}/Microsoft.Network/loadBalancers/lb"), "properties": { "frontendIPConfigurations": [
            { "name": "a", "properties": { "privateIPAddress": "10.0.0.3", "subnet": { "id": format!("{SUB}/Microsoft.Network/virtualNetworks/v/subnets/ilb") } } },
            { "name": "b", "properties": { "privateIPAddress": "10.0.1.9", "subnet": { "id": format!("{SUB}/Microsoft.Network/virtualNetworks/v/subnets/ilb") } } } ] } }]
    }));
    let c = codes(&e);
    assert!(
        c.contains(&"ip-reserved") && c.contains(&"ip-outside-subnet"),
        "{c:?}"
    );
}

#[test]
fn nsg_priorities() {
    let rule = |name: &str, prio: u32| json!({ "name": name, "properties": { "protocol": "Tcp", "access": "Allow", "priority": prio, "direction": "Inbound" } });
    let e = estate(
        json!({ "networkSecurityGroups": [{ "id": format!("{SUB}/Microsoft.Network/networkSecurityGroups/n"),
        "properties": { "securityRules": [rule("a", 100), rule("b", 100), rule("c", 5000)] } }] }),
    );
    let c = codes(&e);
    assert!(
        c.contains(&"nsg-priority-duplicate") && c.contains(&"nsg-priority-out-of-range"),
        "{c:?}"
    );
}

#[test]
fn application_security_groups_one_per_field_and_one_vnet() {
    let asg =
        |n: &str| json!({ "id": format!("{SUB}/Microsoft.Network/applicationSecurityGroups/{n}") });
    let nic = |name: &str, vnet: &str| {
        json!({ "id": format!("{SUB}/Microsoft.Network/networkInterfaces/{name}"),
        "properties": { "ipConfigurations": [{ "name": "c", "properties": { "privateIPAddress": "10.0.0.10",
            "subnet": { "id": format!("{SUB}/Microsoft.Network/virtualNetworks/{vnet}/subnets/a") },
            "applicationSecurityGroups": [asg("web")] } }] } })
    };
    let e = estate(json!({
        "networkSecurityGroups": [{ "id": format!("{SUB}/Microsoft.Network/networkSecurityGroups/n"),
            "properties": { "securityRules": [{ "name": "r", "properties": { "protocol": "Tcp",
                "access": "Allow", "priority": 100, "direction": "Inbound",
                "destinationApplicationSecurityGroups": [asg("web"), asg("db")] } }] } }],
        "networkInterfaces": [nic("a", "v1"), nic("b", "v2"), nic("c", "v1")]
    }));
    let problems = validate(&e);
    let several = problems
        .iter()
        .find(|p| p.code == "nsg-rule-several-asgs")
        .expect("two ASGs in one field");
    assert!(several
        .message
        .contains("2 application security groups as its destination"));
    let vnets = problems
        .iter()
        .find(|p| p.code == "asg-vnets-differ")
        .expect("members in two VNets");
    assert!(
        vnets.message.contains("v1 (NIC a), v2 (NIC b)"),
        "{}",
        vnets.message
    );
    let e = estate(json!({ "networkInterfaces": [nic("a", "v1"), nic("c", "v1")] }));
    assert!(!codes(&e).contains(&"asg-vnets-differ"));
}

/// A rule without a source (or destination) is refused by Azure and matches nothing: an error,
/// not silence.
#[test]
fn an_nsg_rule_needs_a_source_and_a_destination() {
    let e = estate(json!({
        "networkSecurityGroups": [{ "id": format!("{SUB}/Microsoft.Network/networkSecurityGroups/n"),
            "properties": { "securityRules": [{ "name": "r", "properties": { "protocol": "Tcp",
                "access": "Allow", "priority": 100, "direction": "Inbound",
                "destinationAddressPrefix": "*", "sourceAddressPrefix": "" } }] } }]
    }));
    let found: Vec<_> = validate(&e)
        .into_iter()
        .filter(|p| p.code == "nsg-rule-without-address")
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].message.contains("states no source"),
        "{}",
        found[0].message
    );
}

/// A NIC in a subnet the estate does not hold is said, as a private endpoint's is.
#[test]
fn a_nic_in_an_absent_subnet_is_a_dangling_reference() {
    let e = estate(json!({
        "networkInterfaces": [{ "id": format!("{SUB}/Microsoft.Network/networkInterfaces/nic"),
            "properties": { "ipConfigurations": [{ "name": "c", "properties": {
                "privateIPAddress": "10.9.0.4",
                "subnet": { "id": format!("{SUB}/Microsoft.Network/virtualNetworks/gone/subnets/a") } } }] } }]
    }));
    let found: Vec<_> = validate(&e)
        .into_iter()
        .filter(|p| p.code == "dangling-reference")
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].message.contains("network interface `nic` (c)"),
        "{}",
        found[0].message
    );
}
