//! azurerm → Azure resource JSON: key fields, and that the result reads into the model.

use std::path::PathBuf;

use aksnet_tf::azurerm::{to_azure, Azurerm, Mapped};
use aksnet_tf::config::Provider;
use aksnet_tf::{Instance, Origin};
use serde_json::{json, Map, Value as Json};

const SUB: &str = "00000000-0000-0000-0000-000000000000";

fn rg() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg")
}

fn net(kind: &str, name: &str) -> String {
    format!("{}/providers/Microsoft.Network/{kind}/{name}", rg())
}

fn inst(kind: &str, name: &str, values: Json) -> Instance {
    Instance {
        address: format!("{kind}.{name}"),
        kind: kind.into(),
        values,
        origin: Origin {
            file: PathBuf::from("main.tf"),
            line: 1,
            column: 1,
        },
        subscription: None,
    }
}

fn provider() -> Azurerm {
    Azurerm {
        subscription: SUB.into(),
    }
}

fn map(instances: &[Instance]) -> Mapped {
    to_azure(instances, &provider())
}

fn unknown(expr: &str) -> Json {
    json!({"$unknown": {"expression": expr, "reason": "known after apply"}})
}

/// The resource with this id.
fn find<'a>(m: &'a Mapped, id: &str) -> &'a Json {
    m.resources
        .iter()
        .map(|(r, _, _)| r)
        .find(|r| r["id"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(id)))
        .unwrap_or_else(|| panic!("no resource {id}"))
}

/// The Estate collection an ARM type goes to.
fn collection(ty: &str) -> Option<&'static str> {
    Some(match ty.to_ascii_lowercase().as_str() {
        "microsoft.network/virtualnetworks" => "virtualNetworks",
        "microsoft.network/routetables" => "routeTables",
        "microsoft.network/networksecuritygroups" => "networkSecurityGroups",
        "microsoft.network/applicationsecuritygroups" => "applicationSecurityGroups",
        "microsoft.network/networkinterfaces" => "networkInterfaces",
        "microsoft.network/publicipaddresses" => "publicIPAddresses",
        "microsoft.network/natgateways" => "natGateways",
        "microsoft.network/loadbalancers" => "loadBalancers",
        "microsoft.network/dnsresolvers" => "dnsResolvers",
        "microsoft.network/dnsresolvers/inboundendpoints" => "inboundEndpoints",
        "microsoft.network/dnsresolvers/outboundendpoints" => "outboundEndpoints",
        "microsoft.network/dnsforwardingrulesets" => "dnsForwardingRulesets",
        "microsoft.network/dnsforwardingrulesets/forwardingrules" => "forwardingRules",
        "microsoft.network/dnsforwardingrulesets/virtualnetworklinks" => {
            "rulesetVirtualNetworkLinks"
        }
        "microsoft.network/azurefirewalls" => "azureFirewalls",
        "microsoft.network/firewallpolicies" => "firewallPolicies",
        "microsoft.network/firewallpolicies/rulecollectiongroups" => "ruleCollectionGroups",
        "microsoft.network/ipgroups" => "ipGroups",
        "microsoft.network/applicationgateways" => "applicationGateways",
        "microsoft.network/applicationgatewaywebapplicationfirewallpolicies" => "wafPolicies",
        "microsoft.network/privateendpoints" => "privateEndpoints",
        "microsoft.network/privateendpoints/privatednszonegroups" => "privateDnsZoneGroups",
        "microsoft.network/privatednszones" => "privateDnsZones",
        "microsoft.network/privatednszones/virtualnetworklinks" => "virtualNetworkLinks",
        "microsoft.network/privatednszones/a" => "aRecordSets",
        "microsoft.network/bastionhosts" => "bastionHosts",
        "microsoft.network/virtualnetworkgateways" => "virtualNetworkGateways",
        "microsoft.network/localnetworkgateways" => "localNetworkGateways",
        "microsoft.network/connections" => "connections",
        "microsoft.containerservice/managedclusters" => "managedClusters",
        "microsoft.containerregistry/registries" => "containerRegistries",
        "microsoft.keyvault/vaults" => "keyVaults",
        "microsoft.managedidentity/userassignedidentities" => "userAssignedIdentities",
        _ => return None,
    })
}

/// Children the importer attaches to their parents: (type, parent collection property).
fn child_slot(ty: &str) -> Option<&'static str> {
    Some(match ty.to_ascii_lowercase().as_str() {
        "microsoft.network/virtualnetworks/subnets" => "subnets",
        "microsoft.network/virtualnetworks/virtualnetworkpeerings" => "virtualNetworkPeerings",
        "microsoft.network/routetables/routes" => "routes",
        "microsoft.network/networksecuritygroups/securityrules" => "securityRules",
        "microsoft.containerservice/managedclusters/agentpools" => "agentPoolProfiles",
        _ => return None,
    })
}

/// The mapped resources as an Estate (children attached to their parents as the importer
/// does), read by the model.
fn estate(m: &Mapped) -> aksnet_model::Estate {
    let mut parents: Vec<Json> = Vec::new();
    let mut children: Vec<(&'static str, Json)> = Vec::new();
    for (r, _, _) in &m.resources {
        let ty = r["type"].as_str().unwrap_or_default();
        match child_slot(ty) {
            Some(slot) => children.push((slot, r.clone())),
            None => parents.push(r.clone()),
        }
    }
    for (slot, c) in children {
        let id = c["id"].as_str().unwrap_or_default();
        let (rest, name) = id.rsplit_once('/').expect("child id");
        let (parent, _) = rest.rsplit_once('/').expect("child id");
        let p = parents
            .iter_mut()
            .find(|p| {
                p["id"]
                    .as_str()
                    .is_some_and(|x| x.eq_ignore_ascii_case(parent))
            })
            .unwrap_or_else(|| panic!("no parent {parent}"));
        let entry = if slot == "agentPoolProfiles" {
            let mut props = c["properties"].clone();
            props["name"] = json!(name);
            props
        } else {
            json!({ "name": name, "id": id, "properties": c["properties"] })
        };
        let list = p["properties"]
            .as_object_mut()
            .expect("properties")
            .entry(slot)
            .or_insert(json!([]));
        list.as_array_mut().expect("array").push(entry);
    }
    let mut e = Map::new();
    e.insert("aksnetSchema".into(), json!(1));
    e.insert("name".into(), json!("t"));
    for r in parents {
        let ty = r["type"].as_str().unwrap_or_default().to_string();
        let Some(coll) = collection(&ty) else {
            continue;
        };
        e.entry(coll)
            .or_insert(json!([]))
            .as_array_mut()
            .expect("array")
            .push(r);
    }
    let text = Json::Object(e).to_string();
    aksnet_model::Estate::from_json(&text).unwrap_or_else(|err| panic!("{err}\n{text}"))
}

fn vnet(name: &str, space: &str, extra: Json) -> Instance {
    let mut v = json!({
        "name": name, "resource_group_name": "rg", "location": "westeurope",
        "address_space": [space],
    });
    if let (Some(o), Some(x)) = (v.as_object_mut(), extra.as_object()) {
        o.extend(x.clone());
    }
    inst("azurerm_virtual_network", name, v)
}

#[test]
fn inline_and_separate_subnets_with_associations_4x_and_3x() {
    let m = map(&[
        vnet(
            "hub",
            "10.0.0.0/16",
            json!({"dns_servers": ["10.0.0.4"], "subnet": [
                // 3.x inline shape.
                {"name": "a", "address_prefix": "10.0.1.0/24", "security_group": net("networkSecurityGroups", "nsg")},
                // 4.x inline shape.
                {"name": "b", "address_prefixes": ["10.0.2.0/24"], "security_group": null,
                 "private_endpoint_network_policies": "Enabled"},
            ]}),
        ),
        inst(
            "azurerm_subnet",
            "aks",
            json!({
                "name": "aks", "resource_group_name": "rg", "virtual_network_name": "hub",
                "address_prefixes": ["10.0.8.0/22"], "service_endpoints": ["Microsoft.Storage"],
                "private_endpoint_network_policies": "NetworkSecurityGroupEnabled",
                "default_outbound_access_enabled": false,
                "delegation": [{"name": "d", "service_delegation": [{"name": "Microsoft.ContainerService/managedClusters", "actions": []}]}],
            }),
        ),
        inst(
            "azurerm_subnet",
            "old",
            json!({
                "name": "old", "resource_group_name": "rg", "virtual_network_name": "hub",
                "address_prefixes": ["10.0.3.0/24"],
                "private_endpoint_network_policies_enabled": true,
                "private_link_service_network_policies_enabled": false,
            }),
        ),
        inst(
            "azurerm_network_security_group",
            "nsg",
            json!({
                "name": "nsg", "resource_group_name": "rg", "location": "westeurope",
                "security_rule": [{"name": "in", "priority": 100, "direction": "Inbound", "access": "Allow",
                    "protocol": "Tcp", "source_port_range": "*", "destination_port_ranges": ["443", "80"],
                    "source_address_prefix": "Internet", "destination_address_prefix": null,
                    "destination_application_security_group_ids": [net("applicationSecurityGroups", "web")]}],
            }),
        ),
        inst(
            "azurerm_application_security_group",
            "web",
            json!({"name": "web", "resource_group_name": "rg", "location": "westeurope"}),
        ),
        inst(
            "azurerm_network_security_rule",
            "deny",
            json!({
                "name": "deny", "resource_group_name": "rg", "network_security_group_name": "nsg",
                "priority": 4096, "direction": "Inbound", "access": "Deny", "protocol": "*",
                "source_port_range": "*", "destination_port_range": "*",
                "source_address_prefixes": ["10.0.0.0/8", "192.168.0.0/16"], "destination_address_prefix": "*",
            }),
        ),
        inst(
            "azurerm_route_table",
            "rt",
            json!({"name": "rt", "resource_group_name": "rg", "location": "westeurope",
            "bgp_route_propagation_enabled": false,
            "route": [{"name": "local", "address_prefix": "10.0.0.0/16", "next_hop_type": "VnetLocal"}]}),
        ),
        inst(
            "azurerm_subnet_network_security_group_association",
            "aks",
            json!({
            "subnet_id": net("virtualNetworks", "hub/subnets/aks"), "network_security_group_id": net("networkSecurityGroups", "nsg")}),
        ),
        inst(
            "azurerm_subnet_route_table_association",
            "b",
            json!({
            "subnet_id": net("virtualNetworks", "hub/subnets/b"), "route_table_id": net("routeTables", "rt")}),
        ),
        inst(
            "azurerm_subnet_route_table_association",
            "gone",
            json!({
            "subnet_id": net("virtualNetworks", "elsewhere/subnets/x"), "route_table_id": net("routeTables", "rt")}),
        ),
        inst(
            "azurerm_nat_gateway",
            "ng",
            json!({"name": "ng", "resource_group_name": "rg", "location": "westeurope"}),
        ),
        inst(
            "azurerm_public_ip",
            "ngip",
            json!({"name": "ngip", "resource_group_name": "rg", "location": "westeurope", "allocation_method": "Static", "sku": "Standard"}),
        ),
        inst(
            "azurerm_nat_gateway_public_ip_association",
            "a",
            json!({"nat_gateway_id": net("natGateways", "ng"), "public_ip_address_id": net("publicIPAddresses", "ngip")}),
        ),
        inst(
            "azurerm_subnet_nat_gateway_association",
            "a",
            json!({"subnet_id": net("virtualNetworks", "hub/subnets/aks"), "nat_gateway_id": net("natGateways", "ng")}),
        ),
        inst(
            "azurerm_resource_group",
            "rg",
            json!({"name": "rg", "location": "westeurope"}),
        ),
        inst(
            "azurerm_log_analytics_workspace",
            "law",
            json!({"name": "law"}),
        ),
    ]);
    let hub = find(&m, &net("virtualNetworks", "hub"));
    assert_eq!(
        hub["properties"]["dhcpOptions"]["dnsServers"],
        json!(["10.0.0.4"])
    );
    let a = &hub["properties"]["subnets"][0];
    assert_eq!(a["id"], net("virtualNetworks", "hub/subnets/a"));
    assert_eq!(a["properties"]["addressPrefix"], "10.0.1.0/24");
    assert_eq!(
        a["properties"]["networkSecurityGroup"]["id"],
        net("networkSecurityGroups", "nsg")
    );
    let b = &hub["properties"]["subnets"][1]["properties"];
    assert_eq!(b["routeTable"]["id"], net("routeTables", "rt"));
    assert_eq!(b["privateEndpointNetworkPolicies"], "Enabled");
    let aks = find(&m, &net("virtualNetworks", "hub/subnets/aks"));
    assert_eq!(aks["type"], "Microsoft.Network/virtualNetworks/subnets");
    assert_eq!(
        aks["properties"]["networkSecurityGroup"]["id"],
        net("networkSecurityGroups", "nsg")
    );
    assert_eq!(
        aks["properties"]["natGateway"]["id"],
        net("natGateways", "ng")
    );
    assert_eq!(
        aks["properties"]["privateEndpointNetworkPolicies"],
        "NetworkSecurityGroupEnabled"
    );
    assert_eq!(aks["properties"]["defaultOutboundAccess"], false);
    assert_eq!(
        aks["properties"]["delegations"][0]["properties"]["serviceName"],
        "Microsoft.ContainerService/managedClusters"
    );
    let old = find(&m, &net("virtualNetworks", "hub/subnets/old"));
    assert_eq!(
        old["properties"]["privateEndpointNetworkPolicies"],
        "Enabled"
    );
    assert_eq!(
        old["properties"]["privateLinkServiceNetworkPolicies"],
        "Disabled"
    );
    let rt = find(&m, &net("routeTables", "rt"));
    assert_eq!(rt["properties"]["disableBgpRoutePropagation"], true);
    assert_eq!(
        find(&m, &net("natGateways", "ng"))["properties"]["publicIpAddresses"][0]["id"],
        net("publicIPAddresses", "ngip")
    );
    // The association to a subnet not in the configuration: a warning, nothing emitted.
    assert!(
        m.diagnostics
            .iter()
            .any(|d| !d.error && d.message.contains("elsewhere/subnets/x")),
        "{:?}",
        m.diagnostics
    );
    assert_eq!(m.unmapped.get("azurerm_resource_group"), Some(&1));
    assert_eq!(m.unmapped.get("azurerm_log_analytics_workspace"), Some(&1));

    let e = estate(&m);
    let v = e.virtual_networks.iter().next().expect("vnet");
    assert_eq!(v.properties.subnets.len(), 4);
    let nsg = e.network_security_groups.iter().next().expect("nsg");
    assert_eq!(nsg.properties.security_rules.len(), 2);
    let inbound = &nsg.properties.security_rules[0].properties;
    assert_eq!(inbound.destination_port_ranges, vec!["443", "80"]);
    assert_eq!(inbound.destination_application_security_groups.len(), 1);
    assert_eq!(e.nat_gateways.len(), 1);
}

#[test]
fn peerings_and_3x_route_table_with_unknown_next_hop() {
    let fw_ip = unknown("azurerm_firewall.fw.ip_configuration[0].private_ip_address");
    let m = map(&[
        vnet("hub", "10.0.0.0/16", json!({})),
        vnet("spoke", "10.1.0.0/16", json!({})),
        vnet("lonely", "10.2.0.0/16", json!({})),
        inst(
            "azurerm_virtual_network_peering",
            "h2s",
            json!({"name": "h2s", "resource_group_name": "rg",
            "virtual_network_name": "hub", "remote_virtual_network_id": net("virtualNetworks", "spoke"), "allow_gateway_transit": true}),
        ),
        inst(
            "azurerm_virtual_network_peering",
            "s2h",
            json!({"name": "s2h", "resource_group_name": "rg",
            "virtual_network_name": "spoke", "remote_virtual_network_id": net("virtualNetworks", "hub"), "allow_forwarded_traffic": true}),
        ),
        inst(
            "azurerm_virtual_network_peering",
            "l2h",
            json!({"name": "l2h", "resource_group_name": "rg",
            "virtual_network_name": "lonely", "remote_virtual_network_id": net("virtualNetworks", "hub")}),
        ),
        inst(
            "azurerm_route_table",
            "rt",
            json!({"name": "rt", "resource_group_name": "rg", "location": "westeurope",
            "disable_bgp_route_propagation": true}),
        ),
        inst(
            "azurerm_route",
            "default",
            json!({"name": "default", "resource_group_name": "rg", "route_table_name": "rt",
            "address_prefix": "0.0.0.0/0", "next_hop_type": "VirtualAppliance", "next_hop_in_ip_address": fw_ip}),
        ),
    ]);
    let h2s = find(
        &m,
        &net("virtualNetworks", "hub/virtualNetworkPeerings/h2s"),
    );
    assert_eq!(h2s["properties"]["peeringState"], "Connected");
    assert_eq!(h2s["properties"]["allowVirtualNetworkAccess"], true);
    let l2h = find(
        &m,
        &net("virtualNetworks", "lonely/virtualNetworkPeerings/l2h"),
    );
    assert_eq!(l2h["properties"]["peeringState"], "Initiated");
    let route = find(&m, &net("routeTables", "rt/routes/default"));
    assert_eq!(route["properties"]["nextHopIpAddress"], fw_ip);
    assert_eq!(
        find(&m, &net("routeTables", "rt"))["properties"]["disableBgpRoutePropagation"],
        true
    );

    let e = estate(&m);
    let rt = e.route_tables.iter().next().expect("route table");
    let r = &rt.properties.routes[0].properties;
    assert!(r
        .next_hop_ip_address
        .as_ref()
        .and_then(|a| a.unknown())
        .is_some());
    let hub = e
        .virtual_networks
        .iter()
        .find(|v| v.name == "hub")
        .expect("hub");
    assert_eq!(
        hub.properties.virtual_network_peerings[0]
            .properties
            .peering_state
            .as_deref(),
        Some("Connected")
    );
}

#[test]
fn unknown_name_skips_the_resource_with_an_error() {
    let m = map(&[inst(
        "azurerm_virtual_network",
        "v",
        json!({
        "name": unknown("var.vnet_name"), "resource_group_name": "rg", "location": "westeurope",
        "address_space": ["10.0.0.0/16"]}),
    )]);
    assert!(m.resources.is_empty());
    let d = &m.diagnostics[0];
    assert!(d.error && d.origin.is_some());
    assert!(
        d.message.contains("`name`") && d.message.contains("var.vnet_name"),
        "{}",
        d.message
    );
}

#[test]
fn firewall_policy_and_rule_collection_group_with_all_three_collection_types() {
    let policy = net("firewallPolicies", "pol");
    let m = map(&[
        vnet(
            "hub",
            "10.0.0.0/16",
            json!({"subnet": [{"name": "AzureFirewallSubnet", "address_prefixes": ["10.0.0.0/26"]}]}),
        ),
        inst(
            "azurerm_public_ip",
            "fwip",
            json!({"name": "fwip", "resource_group_name": "rg", "location": "westeurope", "allocation_method": "Static", "sku": "Standard"}),
        ),
        inst(
            "azurerm_firewall_policy",
            "pol",
            json!({"name": "pol", "resource_group_name": "rg", "location": "westeurope",
            "sku": "Premium", "threat_intelligence_mode": "Deny", "private_ip_ranges": ["10.0.0.0/8"],
            "dns": [{"proxy_enabled": true, "servers": ["168.63.129.16"]}],
            "intrusion_detection": [{"mode": "Alert"}]}),
        ),
        inst(
            "azurerm_ip_group",
            "spokes",
            json!({"name": "spokes", "resource_group_name": "rg", "location": "westeurope", "cidrs": ["10.1.0.0/16", "10.2.0.0/16"]}),
        ),
        inst(
            "azurerm_firewall",
            "fw",
            json!({"name": "fw", "resource_group_name": "rg", "location": "westeurope",
            "sku_name": "AZFW_VNet", "sku_tier": "Premium", "firewall_policy_id": policy, "zones": ["1", "2"],
            "ip_configuration": [{"name": "c", "subnet_id": net("virtualNetworks", "hub/subnets/AzureFirewallSubnet"), "public_ip_address_id": net("publicIPAddresses", "fwip")}]}),
        ),
        inst(
            "azurerm_firewall_policy_rule_collection_group",
            "rcg",
            json!({"name": "rcg", "firewall_policy_id": policy, "priority": 200,
            "application_rule_collection": [{"name": "app", "priority": 300, "action": "Allow", "rule": [{
                "name": "aks", "source_ip_groups": [net("ipGroups", "spokes")],
                "destination_fqdn_tags": ["AzureKubernetesService"],
                "protocols": [{"type": "Https", "port": 443}]}, {
                "name": "web", "source_addresses": ["10.1.0.0/16"], "destination_fqdns": ["*.ubuntu.com"],
                "protocols": [{"type": "Http", "port": 80}, {"type": "Https", "port": 443}]}]}],
            "network_rule_collection": [{"name": "net", "priority": 200, "action": "Allow", "rule": [{
                "name": "ntp", "protocols": ["UDP"], "source_addresses": ["*"], "destination_addresses": ["*"], "destination_ports": ["123"]}]}],
            "nat_rule_collection": [{"name": "dnat", "priority": 100, "action": "Dnat", "rule": [{
                "name": "ssh", "protocols": ["TCP"], "source_addresses": ["*"], "destination_address": "20.0.0.1",
                "destination_ports": ["22"], "translated_address": "10.1.0.4", "translated_port": 22}]}]}),
        ),
    ]);
    let rcg = find(&m, &format!("{policy}/ruleCollectionGroups/rcg"));
    assert_eq!(
        rcg["type"],
        "Microsoft.Network/firewallPolicies/ruleCollectionGroups"
    );
    let cols = rcg["properties"]["ruleCollections"]
        .as_array()
        .expect("collections");
    assert_eq!(cols.len(), 3);
    let nat = &cols[0];
    assert_eq!(nat["ruleCollectionType"], "FirewallPolicyNatRuleCollection");
    assert_eq!(nat["action"]["type"], "DNAT");
    assert_eq!(nat["rules"][0]["translatedPort"], "22");
    assert_eq!(nat["rules"][0]["destinationAddresses"], json!(["20.0.0.1"]));
    let app = &cols[2];
    assert_eq!(app["rules"][0]["ruleType"], "ApplicationRule");
    assert_eq!(
        app["rules"][0]["fqdnTags"],
        json!(["AzureKubernetesService"])
    );
    assert_eq!(
        app["rules"][0]["protocols"][0],
        json!({"protocolType": "Https", "port": 443})
    );
    let pol = find(&m, &policy);
    assert_eq!(
        pol["properties"]["snat"]["privateRanges"],
        json!(["10.0.0.0/8"])
    );
    assert_eq!(pol["properties"]["dnsSettings"]["enableProxy"], true);
    let fw = find(&m, &net("azureFirewalls", "fw"));
    assert_eq!(
        fw["properties"]["sku"],
        json!({"name": "AZFW_VNet", "tier": "Premium"})
    );
    assert_eq!(fw["properties"]["firewallPolicy"]["id"], policy);
    assert!(fw["properties"]["ipConfigurations"][0]["properties"]
        .get("privateIPAddress")
        .is_none());

    let e = estate(&m);
    let g = e.rule_collection_groups.iter().next().expect("rcg");
    assert_eq!(g.properties.priority, 200);
    assert_eq!(g.properties.rule_collections.len(), 3);
    let p = e.firewall_policies.iter().next().expect("policy");
    assert_eq!(p.properties.threat_intel_mode.as_deref(), Some("Deny"));
    assert_eq!(
        e.ip_groups
            .iter()
            .next()
            .map(|g| g.properties.ip_addresses.len()),
        Some(2)
    );
    assert_eq!(e.azure_firewalls.len(), 1);
}

#[test]
fn classic_rule_collections_fold_into_the_firewall() {
    let fw = |n: &str| {
        inst(
            "azurerm_firewall",
            n,
            json!({"name": n, "resource_group_name": "rg", "location": "westeurope",
        "sku_name": "AZFW_VNet", "sku_tier": "Standard", "dns_proxy_enabled": true, "dns_servers": ["10.0.0.10", "10.0.0.11"],
        "private_ip_ranges": ["IANAPrivateRanges", "100.64.0.0/10"],
        "ip_configuration": [{"name": "c", "subnet_id": net("virtualNetworks", "hub/subnets/AzureFirewallSubnet"), "public_ip_address_id": net("publicIPAddresses", "fwip")}]}),
        )
    };
    let m = map(&[
        fw("fw"),
        inst(
            "azurerm_firewall_network_rule_collection",
            "n",
            json!({"name": "n", "azure_firewall_name": "fw", "resource_group_name": "rg",
            "priority": 100, "action": "Allow", "rule": [{"name": "dns", "protocols": ["UDP", "TCP"], "source_addresses": ["10.1.0.0/16"],
            "destination_addresses": ["*"], "destination_ports": ["53"]}]}),
        ),
        inst(
            "azurerm_firewall_application_rule_collection",
            "a",
            json!({"name": "a", "azure_firewall_name": "fw", "resource_group_name": "rg",
            "priority": 200, "action": "Allow", "rule": [{"name": "aks", "source_addresses": ["10.1.0.0/16"], "fqdn_tags": ["AzureKubernetesService"]},
            {"name": "mcr", "source_addresses": ["10.1.0.0/16"], "target_fqdns": ["mcr.microsoft.com"], "protocol": [{"type": "Https", "port": 443}]}]}),
        ),
        inst(
            "azurerm_firewall_nat_rule_collection",
            "d",
            json!({"name": "d", "azure_firewall_name": "fw", "resource_group_name": "rg",
            "priority": 100, "action": "Dnat", "rule": [{"name": "rdp", "protocols": ["TCP"], "source_addresses": ["*"],
            "destination_addresses": ["20.0.0.1"], "destination_ports": ["3389"], "translated_address": "10.1.0.4", "translated_port": "3389"}]}),
        ),
        inst(
            "azurerm_firewall_network_rule_collection",
            "x",
            json!({"name": "x", "azure_firewall_name": "nofw", "resource_group_name": "rg",
            "priority": 100, "action": "Allow", "rule": []}),
        ),
    ]);
    assert_eq!(m.resources.len(), 1);
    let f = find(&m, &net("azureFirewalls", "fw"));
    let p = &f["properties"];
    assert_eq!(
        p["networkRuleCollections"][0]["properties"]["rules"][0]["destinationPorts"],
        json!(["53"])
    );
    assert_eq!(
        p["applicationRuleCollections"][0]["properties"]["rules"][0]["fqdnTags"],
        json!(["AzureKubernetesService"])
    );
    assert_eq!(
        p["natRuleCollections"][0]["properties"]["action"]["type"],
        "Dnat"
    );
    assert_eq!(p["additionalProperties"]["Network.DNS.EnableProxy"], "true");
    assert_eq!(
        p["additionalProperties"]["Network.DNS.Servers"],
        "10.0.0.10,10.0.0.11"
    );
    assert_eq!(
        p["additionalProperties"]["Network.SNAT.PrivateRanges"],
        "IANAPrivateRanges,100.64.0.0/10"
    );
    assert!(m
        .diagnostics
        .iter()
        .any(|d| !d.error && d.message.contains("nofw")));

    let e = estate(&m);
    let fw = e.azure_firewalls.iter().next().expect("firewall");
    assert!(fw.properties.has_classic_rules());
    assert_eq!(fw.properties.classic_collections().len(), 3);
    assert_eq!(
        fw.properties.application_rule_collections[0]
            .properties
            .rules
            .len(),
        2
    );
}

#[test]
fn aks_cluster_with_a_node_pool_3x_and_4x() {
    let subnet = net("virtualNetworks", "spoke/subnets/nodes");
    let cluster_id = format!(
        "{}/providers/Microsoft.ContainerService/managedClusters/aks",
        rg()
    );
    let m = map(&[
        vnet(
            "spoke",
            "10.1.0.0/16",
            json!({"subnet": [{"name": "nodes", "address_prefixes": ["10.1.0.0/22"]}, {"name": "pods", "address_prefixes": ["10.1.16.0/20"]}]}),
        ),
        inst(
            "azurerm_kubernetes_cluster",
            "aks",
            json!({"name": "aks", "resource_group_name": "rg", "location": "westeurope",
            "dns_prefix": "aks", "kubernetes_version": "1.30", "private_cluster_enabled": true,
            "private_dns_zone_id": "System",
            "default_node_pool": [{"name": "system", "vm_size": "Standard_D4s_v5", "node_count": 3,
                "auto_scaling_enabled": true, "min_count": 3, "max_count": 5, "max_pods": 50,
                "vnet_subnet_id": subnet, "only_critical_addons_enabled": true, "zones": ["1", "2", "3"],
                "upgrade_settings": [{"max_surge": "33%"}]}],
            "network_profile": [{"network_plugin": "azure", "network_plugin_mode": "overlay", "network_policy": "cilium",
                "network_data_plane": "cilium", "pod_cidr": "192.168.0.0/16", "service_cidr": "172.16.0.0/16",
                "dns_service_ip": "172.16.0.10", "outbound_type": "userDefinedRouting"}],
            "api_server_access_profile": [{"authorized_ip_ranges": ["1.2.3.4/32"]}],
            "identity": [{"type": "SystemAssigned"}]}),
        ),
        // 3.x names.
        inst(
            "azurerm_kubernetes_cluster_node_pool",
            "user",
            json!({"name": "user", "kubernetes_cluster_id": cluster_id,
            "vm_size": "Standard_D8s_v5", "enable_auto_scaling": true, "min_count": 1, "max_count": 10,
            "vnet_subnet_id": subnet, "pod_subnet_id": net("virtualNetworks", "spoke/subnets/pods"),
            "enable_node_public_ip": false, "node_taints": ["a=b:NoSchedule"]}),
        ),
        inst(
            "azurerm_kubernetes_cluster",
            "old",
            json!({"name": "old", "resource_group_name": "rg", "location": "westeurope",
            "dns_prefix": "old", "api_server_authorized_ip_ranges": ["5.6.7.8/32"],
            "default_node_pool": [{"name": "default", "vm_size": "Standard_D2s_v5", "node_count": 1, "enable_auto_scaling": false}]}),
        ),
    ]);
    let mc = find(&m, &cluster_id);
    let p = &mc["properties"];
    assert_eq!(p["agentPoolProfiles"][0]["vnetSubnetID"], subnet);
    assert_eq!(p["agentPoolProfiles"][0]["mode"], "System");
    assert_eq!(
        p["agentPoolProfiles"][0]["nodeTaints"],
        json!(["CriticalAddonsOnly=true:NoSchedule"])
    );
    assert_eq!(p["networkProfile"]["networkPluginMode"], "overlay");
    assert_eq!(p["networkProfile"]["dnsServiceIP"], "172.16.0.10");
    assert_eq!(
        p["apiServerAccessProfile"]["authorizedIPRanges"],
        json!(["1.2.3.4/32"])
    );
    assert_eq!(p["apiServerAccessProfile"]["enablePrivateCluster"], true);
    assert_eq!(p["apiServerAccessProfile"]["privateDNSZone"], "System");
    let pool = find(&m, &format!("{cluster_id}/agentPools/user"));
    assert_eq!(pool["properties"]["mode"], "User");
    assert_eq!(pool["properties"]["enableAutoScaling"], true);
    assert_eq!(pool["properties"]["count"], 1);
    let old = find(
        &m,
        &format!(
            "{}/providers/Microsoft.ContainerService/managedClusters/old",
            rg()
        ),
    );
    assert_eq!(
        old["properties"]["apiServerAccessProfile"]["authorizedIPRanges"],
        json!(["5.6.7.8/32"])
    );

    let e = estate(&m);
    let c = e
        .managed_clusters
        .iter()
        .find(|c| c.name == "aks")
        .expect("aks");
    assert!(c.properties.is_private());
    assert_eq!(c.properties.agent_pool_profiles.len(), 2);
    let user = &c.properties.agent_pool_profiles[1];
    assert_eq!(user.max_nodes(), 10);
    assert!(user.pod_subnet_id.is_some());
    assert_eq!(c.properties.agent_pool_profiles[0].surge_nodes(), 2);
}

#[test]
fn private_endpoint_with_a_dns_zone_group_zone_link_and_record() {
    let zone = net("privateDnsZones", "privatelink.vaultcore.azure.net");
    let kv = format!("{}/providers/Microsoft.KeyVault/vaults/kv", rg());
    let m = map(&[
        vnet(
            "spoke",
            "10.1.0.0/16",
            json!({"subnet": [{"name": "pe", "address_prefixes": ["10.1.4.0/24"]}]}),
        ),
        inst(
            "azurerm_key_vault",
            "kv",
            json!({"name": "kv", "resource_group_name": "rg", "location": "westeurope",
            "tenant_id": "t", "sku_name": "standard", "public_network_access_enabled": false,
            "network_acls": [{"default_action": "Deny", "bypass": "AzureServices", "ip_rules": []}]}),
        ),
        inst(
            "azurerm_private_dns_zone",
            "kv",
            json!({"name": "privatelink.vaultcore.azure.net", "resource_group_name": "rg"}),
        ),
        inst(
            "azurerm_private_dns_zone_virtual_network_link",
            "l",
            json!({"name": "l", "resource_group_name": "rg",
            "private_dns_zone_name": "privatelink.vaultcore.azure.net", "virtual_network_id": net("virtualNetworks", "spoke")}),
        ),
        inst(
            "azurerm_private_dns_a_record",
            "kv",
            json!({"name": "kv", "resource_group_name": "rg",
            "zone_name": "privatelink.vaultcore.azure.net", "ttl": 300, "records": ["10.1.4.5"]}),
        ),
        inst(
            "azurerm_private_endpoint",
            "kv",
            json!({"name": "kv-pe", "resource_group_name": "rg", "location": "westeurope",
            "subnet_id": net("virtualNetworks", "spoke/subnets/pe"),
            "private_service_connection": [{"name": "kv", "private_connection_resource_id": kv, "subresource_names": ["vault"], "is_manual_connection": false}],
            "private_dns_zone_group": [{"name": "default", "private_dns_zone_ids": [zone]}]}),
        ),
    ]);
    let pe = find(&m, &net("privateEndpoints", "kv-pe"));
    assert_eq!(
        pe["properties"]["privateLinkServiceConnections"][0]["properties"]["groupIds"],
        json!(["vault"])
    );
    let g = find(
        &m,
        &net("privateEndpoints", "kv-pe/privateDnsZoneGroups/default"),
    );
    assert_eq!(
        g["properties"]["privateDnsZoneConfigs"][0]["properties"]["privateDnsZoneId"],
        zone
    );
    let a = find(&m, &format!("{zone}/A/kv"));
    assert_eq!(
        a["properties"]["aRecords"],
        json!([{"ipv4Address": "10.1.4.5"}])
    );

    let e = estate(&m);
    assert_eq!(e.private_endpoints.len(), 1);
    assert_eq!(e.private_dns_zone_groups.len(), 1);
    assert_eq!(e.virtual_network_links.len(), 1);
    assert_eq!(e.a_record_sets.len(), 1);
    let vault = e.key_vaults.iter().next().expect("vault");
    assert_eq!(vault.properties.public_network_access, "Disabled");
    assert_eq!(
        vault
            .properties
            .network_acls
            .as_ref()
            .map(|a| a.default_action.as_str()),
        Some("Deny")
    );
}

#[test]
fn azapi_vnet_with_subnets_in_body_and_an_update() {
    let body = json!({"properties": {"addressSpace": {"addressPrefixes": ["10.5.0.0/16"]},
        "subnets": [{"name": "a", "properties": {"addressPrefix": "10.5.0.0/24"}}]}});
    let m = map(&[
        inst(
            "azapi_resource",
            "v",
            json!({"type": "Microsoft.Network/virtualNetworks@2023-11-01", "name": "av",
            "parent_id": rg(), "location": "westeurope", "body": body}),
        ),
        // azapi 1.x: body as a jsonencode() string; a child type.
        inst(
            "azapi_resource",
            "s",
            json!({"type": "Microsoft.Network/virtualNetworks/subnets@2023-11-01", "name": "b",
            "parent_id": net("virtualNetworks", "av"), "body": json!({"properties": {"addressPrefix": "10.5.1.0/24"}}).to_string()}),
        ),
        inst(
            "azapi_update_resource",
            "u",
            json!({"type": "Microsoft.Network/virtualNetworks@2023-11-01",
            "resource_id": net("virtualNetworks", "av"), "body": {"properties": {"dhcpOptions": {"dnsServers": ["10.0.0.4"]}}}}),
        ),
    ]);
    let v = find(&m, &net("virtualNetworks", "av"));
    assert_eq!(v["type"], "Microsoft.Network/virtualNetworks");
    assert_eq!(
        v["properties"]["subnets"][0]["id"],
        net("virtualNetworks", "av/subnets/a")
    );
    assert_eq!(
        v["properties"]["dhcpOptions"]["dnsServers"],
        json!(["10.0.0.4"])
    );
    assert_eq!(
        v["properties"]["addressSpace"]["addressPrefixes"],
        json!(["10.5.0.0/16"])
    );
    let s = find(&m, &net("virtualNetworks", "av/subnets/b"));
    assert_eq!(s["type"], "Microsoft.Network/virtualNetworks/subnets");
    let e = estate(&m);
    let vn = e.virtual_networks.iter().next().expect("vnet");
    assert_eq!(vn.properties.subnets.len(), 2);
    assert_eq!(
        vn.properties
            .dhcp_options
            .as_ref()
            .map(|d| d.dns_servers.len()),
        Some(1)
    );
}

#[test]
fn nic_public_ip_and_edge_resources_read_into_the_model() {
    let nic = net("networkInterfaces", "nic");
    let m = map(&[
        vnet(
            "hub",
            "10.0.0.0/16",
            json!({"subnet": [
            {"name": "vm", "address_prefixes": ["10.0.1.0/24"]},
            {"name": "GatewaySubnet", "address_prefixes": ["10.0.2.0/27"]},
            {"name": "AzureBastionSubnet", "address_prefixes": ["10.0.3.0/26"]},
            {"name": "appgw", "address_prefixes": ["10.0.4.0/24"]}]}),
        ),
        inst(
            "azurerm_network_interface",
            "nic",
            json!({"name": "nic", "resource_group_name": "rg", "location": "westeurope",
            "enable_ip_forwarding": true, "dns_servers": ["10.0.0.4"],
            "ip_configuration": [{"name": "ip", "subnet_id": net("virtualNetworks", "hub/subnets/vm"),
                "private_ip_address_allocation": "Static", "private_ip_address": "10.0.1.4"}]}),
        ),
        inst(
            "azurerm_network_interface_security_group_association",
            "a",
            json!({"network_interface_id": nic, "network_security_group_id": net("networkSecurityGroups", "nsg")}),
        ),
        inst(
            "azurerm_network_interface_application_security_group_association",
            "a",
            json!({"network_interface_id": nic, "application_security_group_id": net("applicationSecurityGroups", "asg")}),
        ),
        inst(
            "azurerm_public_ip",
            "pip",
            json!({"name": "pip", "resource_group_name": "rg", "location": "westeurope", "allocation_method": "Static"}),
        ),
        inst(
            "azurerm_bastion_host",
            "b",
            json!({"name": "b", "resource_group_name": "rg", "location": "westeurope", "sku": "Standard", "tunneling_enabled": true,
            "ip_configuration": [{"name": "c", "subnet_id": net("virtualNetworks", "hub/subnets/AzureBastionSubnet"), "public_ip_address_id": net("publicIPAddresses", "pip")}]}),
        ),
        inst(
            "azurerm_virtual_network_gateway",
            "g",
            json!({"name": "g", "resource_group_name": "rg", "location": "westeurope", "type": "Vpn", "sku": "VpnGw1",
            "ip_configuration": [{"name": "c", "subnet_id": net("virtualNetworks", "hub/subnets/GatewaySubnet"), "public_ip_address_id": net("publicIPAddresses", "pip")}]}),
        ),
        inst(
            "azurerm_local_network_gateway",
            "onprem",
            json!({"name": "onprem", "resource_group_name": "rg", "location": "westeurope", "gateway_address": "1.2.3.4", "address_space": ["192.168.0.0/16"]}),
        ),
        inst(
            "azurerm_virtual_network_gateway_connection",
            "c",
            json!({"name": "c", "resource_group_name": "rg", "location": "westeurope", "type": "IPsec",
            "virtual_network_gateway_id": net("virtualNetworkGateways", "g"), "local_network_gateway_id": net("localNetworkGateways", "onprem")}),
        ),
        inst(
            "azurerm_application_gateway",
            "agw",
            json!({"name": "agw", "resource_group_name": "rg", "location": "westeurope",
            "sku": [{"name": "WAF_v2", "tier": "WAF_v2"}], "autoscale_configuration": [{"min_capacity": 2, "max_capacity": 4}],
            "gateway_ip_configuration": [{"name": "gw", "subnet_id": net("virtualNetworks", "hub/subnets/appgw")}],
            "frontend_ip_configuration": [{"name": "pub", "public_ip_address_id": net("publicIPAddresses", "pip")}],
            "frontend_port": [{"name": "https", "port": 443}],
            "backend_address_pool": [{"name": "be", "ip_addresses": ["10.1.0.10"]}],
            "waf_configuration": [{"enabled": true, "firewall_mode": "Prevention", "rule_set_version": "3.2"}]}),
        ),
        inst(
            "azurerm_web_application_firewall_policy",
            "waf",
            json!({"name": "waf", "resource_group_name": "rg", "location": "westeurope",
            "policy_settings": [{"enabled": true, "mode": "Detection"}],
            "managed_rules": [{"managed_rule_set": [{"type": "OWASP", "version": "3.2"}]}]}),
        ),
        inst(
            "azurerm_container_registry",
            "acr",
            json!({"name": "acr", "resource_group_name": "rg", "location": "westeurope", "sku": "Premium", "public_network_access_enabled": false}),
        ),
    ]);
    let n = find(&m, &nic);
    assert_eq!(
        n["properties"]["networkSecurityGroup"]["id"],
        net("networkSecurityGroups", "nsg")
    );
    assert_eq!(
        n["properties"]["ipConfigurations"][0]["properties"]["applicationSecurityGroups"][0]["id"],
        net("applicationSecurityGroups", "asg")
    );
    assert_eq!(n["properties"]["enableIPForwarding"], true);
    let e = estate(&m);
    let ni = e.network_interfaces.iter().next().expect("nic");
    assert!(ni.properties.enable_ip_forwarding);
    assert_eq!(
        ni.properties.ip_configurations[0]
            .properties
            .private_ip_address
            .as_deref(),
        Some("10.0.1.4")
    );
    assert_eq!(e.bastion_hosts.len(), 1);
    assert_eq!(e.virtual_network_gateways.len(), 1);
    assert_eq!(e.local_network_gateways.len(), 1);
    assert_eq!(e.connections.len(), 1);
    let agw = e.application_gateways.iter().next().expect("app gateway");
    assert_eq!(
        agw.properties
            .first_backend_ip()
            .map(|i| i.to_string())
            .as_deref(),
        Some("10.1.0.10")
    );
    assert_eq!(
        e.waf_policies
            .iter()
            .next()
            .and_then(|w| w.properties.policy_settings.mode.clone())
            .as_deref(),
        Some("Detection")
    );
    assert_eq!(
        e.container_registries
            .iter()
            .next()
            .map(|r| r.properties.public_network_access.as_str()),
        Some("Disabled")
    );
}

#[test]
fn computed_ids_for_resources_and_data_sources() {
    let p = provider();
    let c = p.computed(
        "data.azurerm_virtual_network",
        &json!({"name": "hub", "resource_group_name": "rg"}),
    );
    assert_eq!(c["id"], net("virtualNetworks", "hub"));
    let c = p.computed(
        "azurerm_virtual_network",
        &json!({"name": "hub", "resource_group_name": "rg", "location": "x",
        "subnet": [{"name": "a", "address_prefixes": ["10.0.0.0/24"]}]}),
    );
    assert_eq!(c["location"], "x");
    assert_eq!(
        c["subnet"][0]["id"],
        net("virtualNetworks", "hub/subnets/a")
    );
    let c = p.computed(
        "azurerm_subnet_route_table_association",
        &json!({"subnet_id": "S", "route_table_id": "R"}),
    );
    assert_eq!(c["id"], "S");
    let c = p.computed("azapi_resource", &json!({"type": "Microsoft.Network/virtualNetworks@2023-11-01", "name": "av", "parent_id": rg()}));
    assert_eq!(c["id"], net("virtualNetworks", "av"));
    let c = p.computed(
        "azurerm_network_security_group",
        &json!({"name": unknown("var.n"), "resource_group_name": "rg"}),
    );
    assert!(c.get("id").is_none());
    let c = p.computed("data.azurerm_client_config", &json!({}));
    assert_eq!(c["subscription_id"], SUB);
    let c = p.computed(
        "azurerm_kubernetes_cluster",
        &json!({"name": "aks", "resource_group_name": "rg", "location": "West Europe"}),
    );
    assert_eq!(c["node_resource_group"], "MC_rg_aks_westeurope");
}

#[test]
fn dns_resolver_load_balancer_and_unmodelled_azapi_types() {
    let resolver = net("dnsResolvers", "r");
    let ruleset = net("dnsForwardingRulesets", "rs");
    let lb = net("loadBalancers", "ilb");
    let m = map(&[
        vnet(
            "hub",
            "10.0.0.0/16",
            json!({"subnet": [
            {"name": "in", "address_prefixes": ["10.0.5.0/28"]}, {"name": "out", "address_prefixes": ["10.0.5.16/28"]}]}),
        ),
        inst(
            "azurerm_private_dns_resolver",
            "r",
            json!({"name": "r", "resource_group_name": "rg", "location": "westeurope", "virtual_network_id": net("virtualNetworks", "hub")}),
        ),
        inst(
            "azurerm_private_dns_resolver_inbound_endpoint",
            "in",
            json!({"name": "in", "private_dns_resolver_id": resolver, "location": "westeurope",
            "ip_configurations": [{"subnet_id": net("virtualNetworks", "hub/subnets/in")}]}),
        ),
        inst(
            "azurerm_private_dns_resolver_outbound_endpoint",
            "out",
            json!({"name": "out", "private_dns_resolver_id": resolver, "location": "westeurope",
            "subnet_id": net("virtualNetworks", "hub/subnets/out")}),
        ),
        inst(
            "azurerm_private_dns_resolver_dns_forwarding_ruleset",
            "rs",
            json!({"name": "rs", "resource_group_name": "rg", "location": "westeurope",
            "private_dns_resolver_outbound_endpoint_ids": [format!("{resolver}/outboundEndpoints/out")]}),
        ),
        inst(
            "azurerm_private_dns_resolver_forwarding_rule",
            "corp",
            json!({"name": "corp", "dns_forwarding_ruleset_id": ruleset,
            "domain_name": "corp.example.com.", "target_dns_servers": [{"ip_address": "192.168.0.4", "port": 53}]}),
        ),
        inst(
            "azurerm_private_dns_resolver_virtual_network_link",
            "l",
            json!({"name": "l", "dns_forwarding_ruleset_id": ruleset, "virtual_network_id": net("virtualNetworks", "hub")}),
        ),
        inst(
            "azurerm_lb",
            "ilb",
            json!({"name": "ilb", "resource_group_name": "rg", "location": "westeurope", "sku": "Standard",
            "frontend_ip_configuration": [{"name": "fe", "subnet_id": net("virtualNetworks", "hub/subnets/in"), "private_ip_address_allocation": "Dynamic"}]}),
        ),
        inst(
            "azurerm_lb_rule",
            "https",
            json!({"name": "https", "loadbalancer_id": lb, "frontend_ip_configuration_name": "fe",
            "protocol": "Tcp", "frontend_port": 443, "backend_port": 8443}),
        ),
        inst(
            "azapi_resource",
            "ra",
            json!({"type": "Microsoft.Authorization/roleAssignments@2022-04-01", "name": "x", "parent_id": rg(), "body": {}}),
        ),
    ]);
    assert_eq!(m.unmapped.get("azapi_resource"), Some(&1));
    let rule = &find(&m, &lb)["properties"]["loadBalancingRules"][0];
    assert_eq!(
        rule["properties"]["frontendIPConfiguration"]["id"],
        format!("{lb}/frontendIPConfigurations/fe")
    );
    let e = estate(&m);
    assert_eq!(e.dns_resolvers.len(), 1);
    assert_eq!(e.inbound_endpoints.len(), 1);
    assert_eq!(e.outbound_endpoints.len(), 1);
    assert_eq!(e.dns_forwarding_rulesets.len(), 1);
    assert_eq!(
        e.forwarding_rules
            .iter()
            .next()
            .and_then(|r| r.properties.forwarding_rule_state.clone())
            .as_deref(),
        Some("Enabled")
    );
    assert_eq!(e.ruleset_virtual_network_links.len(), 1);
    assert_eq!(
        e.load_balancers
            .iter()
            .next()
            .map(|l| l.properties.load_balancing_rules.len()),
        Some(1)
    );
}
