//! The catalog against its fixtures. Every rule has a fixture that does not trigger it (the
//! reference design, which is clean) and one that does: a one-change mutation of the reference
//! or an example, expressed on the estate JSON. For semantic rules the mutation must trigger
//! exactly that rule and nothing else; every rule's findings are snapshotted
//! (`snapshots/catalog__<code>.snap`).

use std::collections::BTreeSet;

use aksnet_design::{design, REFERENCE_INTENT, REFERENCE_NAME};
use aksnet_engine::{DataPlane, Options};
use aksnet_model::Estate;
use aksnet_rules::{catalog, check, Finding, Severity};
use serde_json::{json, Value};

fn example(name: &str) -> Value {
    let text = match name {
        "reference" => REFERENCE_INTENT.to_string(),
        "reference-without-firewall" => {
            REFERENCE_INTENT.replace("firewall: azureFirewall", "firewall: none")
        }
        other => std::fs::read_to_string(format!(
            "{}/../../examples/{other}.yaml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    };
    let estate = design(REFERENCE_NAME, &text).unwrap().estate;
    serde_json::from_str(&estate.to_json()).unwrap()
}

fn findings(v: &Value) -> Vec<Finding> {
    let e = Estate::from_json(&v.to_string()).expect("the mutated estate still parses");
    let dp = DataPlane::compile(&e, Options::default());
    check(&e, &dp)
}

/// The element of `collection` called `name`.
fn named<'a>(v: &'a mut Value, collection: &str, name: &str) -> &'a mut Value {
    v[collection]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|x| x["name"] == name)
        .unwrap_or_else(|| panic!("no {collection} named {name}"))
}

/// The properties of subnet `subnet` of VNet `vnet`.
fn subnet<'a>(v: &'a mut Value, vnet: &str, subnet: &str) -> &'a mut Value {
    named(v, "virtualNetworks", vnet)["properties"]["subnets"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|s| s["name"] == subnet)
        .map(|s| &mut s["properties"])
        .unwrap()
}

/// The rule collection `collection` of group `group`.
fn rule_collection<'a>(v: &'a mut Value, group: &str, collection: &str) -> &'a mut Value {
    named(v, "ruleCollectionGroups", group)["properties"]["ruleCollections"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|c| c["name"] == collection)
        .unwrap()
}

fn cluster(v: &mut Value) -> &mut Value {
    &mut v["managedClusters"][0]["properties"]
}

fn remove_where(v: &mut Value, collection: &str, pred: impl Fn(&Value) -> bool) {
    v[collection].as_array_mut().unwrap().retain(|x| !pred(x));
}

/// Removes the role assignments of the built-in role with this id.
fn remove_role(v: &mut Value, role: &str) {
    remove_where(v, "roleAssignments", |r| {
        r["properties"]["roleDefinitionId"]
            .as_str()
            .unwrap()
            .ends_with(role)
    });
}

/// A firewall rule collection group added to the reference policy.
fn add_group(v: &mut Value, name: &str, collection: Value) {
    let policy = v["firewallPolicies"][0]["id"].as_str().unwrap().to_string();
    v["ruleCollectionGroups"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "id": format!("{policy}/ruleCollectionGroups/{name}"), "name": name,
            "type": "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
            "properties": { "priority": 150, "ruleCollections": [collection] }
        }));
}

fn dnat(name: &str, port: &str, to: &str) -> Value {
    json!({ "ruleCollectionType": "FirewallPolicyNatRuleCollection", "name": name, "priority": 100, "action": { "type": "DNAT" },
        "rules": [{ "ruleType": "NatRule", "name": name, "ipProtocols": ["TCP"], "sourceAddresses": ["*"],
            "destinationAddresses": ["198.18.0.2"], "destinationPorts": [port], "translatedAddress": to, "translatedPort": port }] })
}

/// One fixture: the base estate, the change, and whether it must trigger the rule alone.
struct Case {
    code: &'static str,
    base: &'static str,
    mutate: fn(&mut Value),
    exclusive: bool,
}

fn cases() -> Vec<Case> {
    let case = |code, base, mutate: fn(&mut Value), exclusive| Case {
        code,
        base,
        mutate,
        exclusive,
    };
    vec![
        case(
            "AKS-ADR-001",
            "reference",
            |v| {
                cluster(v)["networkProfile"]["podCidr"] = "10.240.0.0/16".into();
            },
            false,
        ),
        case(
            "AKS-ADR-002",
            "reference",
            |v| {
                cluster(v)["agentPoolProfiles"][1]["maxCount"] = 500.into();
            },
            false,
        ),
        case(
            "AKS-ADR-003",
            "reference",
            |v| {
                cluster(v)["networkProfile"]["serviceCidr"] = "172.30.0.0/16".into();
                cluster(v)["networkProfile"]["dnsServiceIP"] = "172.30.0.10".into();
            },
            false,
        ),
        case(
            "AKS-ADR-004",
            "reference",
            |v| {
                named(v, "routeTables", "rt-gateway-contoso")["properties"]
                    ["disableBgpRoutePropagation"] = true.into();
            },
            false,
        ),
        case(
            "AKS-ADR-005",
            "reference",
            |v| {
                // A well-meant deny above Microsoft's rules shadows Internet and GatewayManager 443.
                named(v, "networkSecurityGroups", "nsg-bastion-contoso")["properties"]["securityRules"]
                .as_array_mut().unwrap().push(json!({ "name": "DenyInternetInbound", "properties": { "priority": 100, "access": "Deny",
                    "direction": "Inbound", "protocol": "*", "sourceAddressPrefix": "Internet", "sourcePortRange": "*",
                    "destinationAddressPrefix": "*", "destinationPortRange": "*" } }));
            },
            false,
        ),
        case(
            "AKS-CLU-001",
            "reference",
            |v| {
                cluster(v)["networkProfile"]["networkPolicy"] = "none".into();
            },
            false,
        ),
        case(
            "AKS-CLU-002",
            "multi-spoke",
            |v| {
                let pools = v["managedClusters"]
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .find(|c| c["name"] == "aks-shared")
                    .unwrap()["properties"]["agentPoolProfiles"]
                    .as_array_mut()
                    .unwrap();
                let tenantb =
                    pools.iter().find(|p| p["name"] == "tenantb").unwrap()["vnetSubnetID"].clone();
                pools.iter_mut().find(|p| p["name"] == "tenanta").unwrap()["vnetSubnetID"] =
                    tenantb;
            },
            false,
        ),
        case("AKS-CLU-003", "kubenet", |_| {}, false),
        case(
            "AKS-DNS-001",
            "reference",
            |v| {
                remove_where(v, "virtualNetworkLinks", |l| {
                    l["id"].as_str().unwrap().contains("privatelink.azurecr.io")
                        && l["name"] == "link-vnet-aks-prod"
                });
            },
            true,
        ),
        // Without on-premises ingress: in the reference, on-premises replies would also bypass
        // the firewall once the node subnets lose their table (AKS-ING-005, rightly).
        case(
            "AKS-EGR-001",
            "flat-cni",
            |v| {
                cluster(v)["networkProfile"]["outboundType"] = "loadBalancer".into();
                let nodes: Vec<Value> = cluster(v)["agentPoolProfiles"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["vnetSubnetID"].clone())
                    .collect();
                for vnet in v["virtualNetworks"].as_array_mut().unwrap() {
                    for s in vnet["properties"]["subnets"].as_array_mut().unwrap() {
                        if nodes.contains(&s["id"]) {
                            s["properties"]
                                .as_object_mut()
                                .unwrap()
                                .remove("routeTable");
                        }
                    }
                }
            },
            true,
        ),
        case(
            "AKS-EGR-002",
            "reference",
            |v| {
                cluster(v)["networkProfile"]["outboundType"] = "loadBalancer".into();
            },
            false,
        ),
        case(
            "AKS-EGR-003",
            "reference",
            |v| {
                let rules = rule_collection(v, "rcg-aks-egress", "aks-aks-prod-application")
                    ["rules"]
                    .as_array_mut()
                    .unwrap();
                rules.retain(|r| r["name"] != "aks-fqdn-tag");
                for r in rules.iter_mut() {
                    if let Some(fqdns) = r["targetFqdns"].as_array_mut() {
                        fqdns.retain(|f| f != "mcr.microsoft.com");
                    }
                }
            },
            true,
        ),
        case(
            "AKS-EGR-004",
            "reference",
            |v| {
                rule_collection(v, "rcg-user-egress", "user-egress")["rules"][0]["targetFqdns"] =
                    json!(["*"]);
            },
            false,
        ),
        case(
            "AKS-EGR-005",
            "reference",
            |v| {
                v["firewallPolicies"][0]["properties"]["dnsSettings"]["enableProxy"] = false.into();
            },
            false,
        ),
        case(
            "AKS-EGR-006",
            "reference",
            |v| {
                v["firewallPolicies"][0]["properties"]["threatIntelMode"] = "Alert".into();
            },
            false,
        ),
        case(
            "AKS-EGR-007",
            "reference",
            |v| {
                let rt = subnet(v, "vnet-aks-prod", "snet-system")["routeTable"].clone();
                subnet(v, "vnet-aks-prod", "snet-agw")["routeTable"] = rt;
            },
            false,
        ),
        case("AKS-HUB-001", "reference-without-firewall", |_| {}, false),
        case(
            "AKS-HUB-002",
            "reference",
            |v| {
                subnet(v, "vnet-contoso-hub", "GatewaySubnet")
                    .as_object_mut()
                    .unwrap()
                    .remove("routeTable");
            },
            true,
        ),
        case(
            "AKS-HUB-003",
            "multi-spoke",
            |v| {
                let ids: Vec<String> = ["vnet-aks-prod", "vnet-aks-dev"]
                    .iter()
                    .map(|n| {
                        named(v, "virtualNetworks", n)["id"]
                            .as_str()
                            .unwrap()
                            .to_string()
                    })
                    .collect();
                for (from, to) in [(0, 1), (1, 0)] {
                    named(v, "virtualNetworks", ["vnet-aks-prod", "vnet-aks-dev"][from])["properties"]["virtualNetworkPeerings"].as_array_mut().unwrap().push(json!({
                    "name": "peer-direct", "id": format!("{}/virtualNetworkPeerings/peer-direct", ids[from]),
                    "properties": { "remoteVirtualNetwork": { "id": ids[to] }, "allowVirtualNetworkAccess": true, "allowForwardedTraffic": true,
                        "allowGatewayTransit": false, "useRemoteGateways": false, "peeringState": "Connected" } }));
                }
            },
            true,
        ),
        case(
            "AKS-ING-001",
            "reference",
            |v| {
                add_group(v, "rcg-dnat", dnat("http-to-node", "80", "10.240.1.4"));
            },
            true,
        ),
        case(
            "AKS-ING-002",
            "reference",
            |v| {
                v["wafPolicies"][0]["properties"]["policySettings"]["mode"] = "Detection".into();
            },
            false,
        ),
        case(
            "AKS-ING-003",
            "reference",
            |v| {
                named(v, "networkSecurityGroups", "nsg-agw-aks-prod")["properties"]
                    ["securityRules"]
                    .as_array_mut()
                    .unwrap()
                    .retain(|r| r["name"] != "AllowGatewayManagerInbound");
            },
            false,
        ),
        case(
            "AKS-ING-004",
            "reference",
            |v| {
                cluster(v)["agentPoolProfiles"][1]["enableNodePublicIP"] = true.into();
            },
            false,
        ),
        case(
            "AKS-ING-005",
            "reference",
            |v| {
                named(v, "routeTables", "rt-aks-prod")["properties"]["routes"].as_array_mut().unwrap().push(json!({
                "name": "onprem-direct", "properties": { "addressPrefix": "10.0.0.0/14", "nextHopType": "VirtualNetworkGateway" } }));
            },
            true,
        ),
        case(
            "AKS-MGT-001",
            "reference",
            |v| {
                cluster(v)["apiServerAccessProfile"] =
                    json!({ "enablePrivateCluster": false, "authorizedIPRanges": ["0.0.0.0/0"] });
            },
            false,
        ),
        case(
            "AKS-MGT-002",
            "reference",
            |v| {
                cluster(v)["apiServerAccessProfile"]["authorizedIPRanges"] =
                    json!(["203.0.113.0/24"]);
            },
            false,
        ),
        case(
            "AKS-MGT-003",
            "public-api",
            |v| {
                named(v, "publicIPAddresses", "pip-afw-tailspin")["properties"]["ipAddress"] =
                    "20.50.60.70".into();
            },
            true,
        ),
        case(
            "AKS-MGT-004",
            "reference",
            |v| {
                add_group(v, "rcg-dnat", dnat("ssh-to-jump", "22", "10.240.1.53"));
            },
            true,
        ),
        case(
            "AKS-MGT-005",
            "reference",
            |v| {
                remove_where(v, "virtualNetworkLinks", |l| {
                    l["id"].as_str().unwrap().contains("azmk8s.io")
                        && l["name"] == "link-vnet-contoso-hub"
                });
            },
            true,
        ),
        case(
            "AKS-NET-001",
            "reference",
            |v| {
                subnet(v, "vnet-aks-prod", "snet-ilb")
                    .as_object_mut()
                    .unwrap()
                    .remove("networkSecurityGroup");
            },
            false,
        ),
        case(
            "AKS-IAM-001",
            "reference",
            |v| remove_role(v, "7f951dda-4ed3-4680-a7ca-43fe172d538d"),
            true,
        ),
        case(
            "AKS-IAM-002",
            "reference",
            |v| remove_role(v, "4633458b-17de-408a-b874-0445c86b69e6"),
            true,
        ),
        case(
            "AKS-IAM-003",
            "reference",
            |v| {
                remove_where(v, "roleAssignments", |r| {
                    r["properties"]["scope"]
                        .as_str()
                        .unwrap()
                        .contains("/virtualNetworks/")
                });
            },
            true,
        ),
        case(
            "AKS-PLK-001",
            "reference",
            |v| {
                v["containerRegistries"][0]["properties"]["publicNetworkAccess"] = "Enabled".into();
            },
            false,
        ),
        case(
            "AKS-PLK-002",
            "reference",
            |v| {
                v["keyVaults"][0]["properties"]["publicNetworkAccess"] = "Enabled".into();
                v["keyVaults"][0]["properties"]
                    .as_object_mut()
                    .unwrap()
                    .remove("networkAcls");
            },
            false,
        ),
        case(
            "AKS-PLK-003",
            "reference",
            |v| {
                remove_where(v, "privateEndpoints", |p| p["name"] == "pep-kv-aks-prod");
                remove_where(v, "privateDnsZoneGroups", |g| {
                    g["id"].as_str().unwrap().contains("pep-kv-")
                });
            },
            false,
        ),
        case(
            "AKS-PLK-004",
            "reference",
            |v| {
                v["containerRegistries"][0]["sku"]["name"] = "Standard".into();
            },
            false,
        ),
        case(
            "AKS-PLK-005",
            "reference",
            |v| {
                remove_where(v, "aRecordSets", |r| {
                    r["name"] == "crcontosoaksprod.westeurope.data"
                });
                remove_where(v, "privateDnsZoneGroups", |g| {
                    g["id"].as_str().unwrap().contains("pep-crcontosoaksprod")
                });
            },
            false,
        ),
        case(
            "AKS-PLK-006",
            "reference",
            |v| {
                // Open on-premises → private endpoints on the firewall, on a design whose endpoint
                // subnet has no route table (its replies follow the gateway's routes).
                let pep = subnet(v, "vnet-aks-prod", "snet-pep");
                pep.as_object_mut().unwrap().remove("routeTable");
                let range = pep["addressPrefix"].clone();
                add_group(
                    v,
                    "rcg-onprem-pe",
                    json!({ "ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "onprem-to-pe", "priority": 100,
                "action": { "type": "Allow" }, "rules": [{ "ruleType": "NetworkRule", "name": "onprem-to-pe", "ipProtocols": ["TCP"],
                "sourceAddresses": ["10.0.0.0/14"], "destinationAddresses": [range], "destinationPorts": ["443"] }] }),
                );
            },
            true,
        ),
        // Azure's limits: each crossed on the reference (AKS-CAP-008/009 only approached: past
        // the limit AKS-ADR-002 reports them). `limits_warn_from_80_percent_and_err_past_them`
        // walks each across its thresholds.
        case("AKS-CAP-001", "reference", |v| routes(v, 401), false),
        case("AKS-CAP-002", "reference", |v| nsg_rules(v, 1001), false),
        case(
            "AKS-CAP-003",
            "reference",
            |v| nsg_addresses(v, 4001),
            false,
        ),
        case("AKS-CAP-004", "reference", |v| peerings(v, 501), false),
        case(
            "AKS-CAP-005",
            "reference",
            |v| combinations(v, 20_001),
            false,
        ),
        case("AKS-CAP-006", "reference", |v| policy_groups(v, 91), false),
        case(
            "AKS-CAP-007",
            "reference",
            |v| group_size(v, 2_200_000),
            false,
        ),
        case(
            "AKS-CAP-008",
            "reference",
            |v| subnet_addresses(v, 25),
            false,
        ),
        case(
            "AKS-CAP-009",
            "reference",
            |v| pod_cidr_nodes(v, 250),
            false,
        ),
        case(
            "AKS-CAP-010",
            "reference",
            |v| cluster_nodes(v, 5001),
            false,
        ),
        case("AKS-CAP-011", "reference", |v| cluster_pools(v, 101), false),
        case("AKS-CAP-012", "reference", |v| pool_nodes(v, 1001), false),
    ]
}

#[test]
fn the_reference_design_is_clean() {
    let f = findings(&example("reference"));
    assert!(
        f.is_empty(),
        "{:#?}",
        f.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
}

#[test]
fn codes_are_unique_documented_and_have_fixtures() {
    let codes: Vec<&str> = catalog().iter().map(|r| r.code).collect();
    let unique: BTreeSet<&str> = codes.iter().copied().collect();
    assert_eq!(unique.len(), codes.len());
    let fixtures: BTreeSet<&str> = cases().iter().map(|c| c.code).collect();
    assert_eq!(
        unique, fixtures,
        "every rule needs a triggering fixture, and only rules"
    );
    for r in catalog() {
        let d = r.doc;
        assert!(
            !d.title.is_empty()
                && !d.what.is_empty()
                && !d.why.is_empty()
                && !d.fix.is_empty()
                && !d.references.is_empty(),
            "{}",
            r.code
        );
        if r.semantic {
            assert!(
                cases().iter().any(|c| c.code == r.code && c.exclusive),
                "{}: semantic rules need an exclusive mutation",
                r.code
            );
        }
    }
}

#[test]
fn every_fixture_triggers_its_rule() {
    for c in cases() {
        let mut v = example(c.base);
        // A finding is new when its code and message were not there before: a rule that warns
        // on the base and errs on the mutation (AKS-MGT-003) counts.
        let before: BTreeSet<(&str, String)> = findings(&v)
            .into_iter()
            .map(|f| (f.code, f.message))
            .collect();
        (c.mutate)(&mut v);
        let after = findings(&v);
        let new: BTreeSet<&str> = after
            .iter()
            .filter(|f| !before.contains(&(f.code, f.message.clone())))
            .map(|f| f.code)
            .collect();
        assert!(
            after.iter().any(|f| f.code == c.code),
            "{} did not fire on its fixture: {new:?}",
            c.code
        );
        if c.exclusive {
            assert_eq!(
                new,
                BTreeSet::from([c.code]),
                "{}'s mutation must trigger it alone",
                c.code
            );
        }
        let rule = catalog().into_iter().find(|r| r.code == c.code).unwrap();
        let mine: Vec<&Finding> = after.iter().filter(|f| f.code == c.code).collect();
        if rule.semantic {
            assert!(
                mine.iter()
                    .all(|f| f.witness.is_some() || c.code == "AKS-DNS-001"),
                "{}: semantic findings carry a witness",
                c.code
            );
        }
        let text: Vec<String> = mine
            .iter()
            .map(|f| {
                let witness = f
                    .witness
                    .as_ref()
                    .map(|w| {
                        format!(
                            "\n  witness: {} → {}: {} — {}",
                            w.from, w.to, w.verdict, w.reason
                        )
                    })
                    .unwrap_or_default();
                format!("{:?} {}: {}{witness}", f.severity, f.code, f.message)
            })
            .collect();
        insta::assert_snapshot!(c.code, text.join("\n"));
    }
}

/// A gateway without a WAF policy is judged by its own WAF configuration (templates still write
/// `webApplicationFirewallConfiguration`): Prevention with a current rule set passes, Detection
/// and a retired rule set do not.
#[test]
fn a_gateway_s_own_waf_configuration_counts_without_a_policy() {
    let with = |mode: &str, version: &str| {
        let mut v = example("reference");
        let agw = &mut v["applicationGateways"][0]["properties"];
        agw.as_object_mut().unwrap().remove("firewallPolicy");
        agw["webApplicationFirewallConfiguration"] = json!({ "enabled": true,
            "firewallMode": mode, "ruleSetType": "OWASP", "ruleSetVersion": version });
        findings(&v)
            .into_iter()
            .filter(|f| f.code == "AKS-ING-002")
            .map(|f| f.message)
            .collect::<Vec<_>>()
    };
    assert_eq!(with("Prevention", "3.2"), Vec::<String>::new());
    assert_eq!(
        with("Detection", "3.2"),
        ["public Application Gateway `agw-aks-prod` has its own WAF configuration in Detection mode"]
    );
    assert_eq!(
        with("Prevention", "3.1"),
        ["public Application Gateway `agw-aks-prod` has its own WAF configuration without a supported OWASP/DRS managed rule set (OWASP 3.1)"]
    );
}

/// `n` distinct /32s in 198.18.0.0/15 (the benchmarking range: no estate uses it).
fn hosts(n: u64) -> Vec<Value> {
    (0..n)
        .map(|i| format!("198.18.{}.{}/32", i / 256, i % 256).into())
        .collect()
}

/// Fixtures that bring the reference to `n` of one limit (the reference's own use counted in).
/// The spoke's node route table holds `n` routes.
fn routes(v: &mut Value, n: u64) {
    let table = &mut named(v, "routeTables", "rt-aks-prod")["properties"]["routes"];
    let hosts = hosts(n - 1);
    for (i, h) in hosts.into_iter().enumerate() {
        table
            .as_array_mut()
            .unwrap()
            .push(json!({ "name": format!("r{i}"),
            "properties": { "addressPrefix": h, "nextHopType": "None" } }));
    }
}

/// The user pool's NSG holds `n` rules.
fn nsg_rules(v: &mut Value, n: u64) {
    let rules =
        &mut named(v, "networkSecurityGroups", "nsg-user-aks-prod")["properties"]["securityRules"];
    for (i, h) in hosts(n).into_iter().enumerate() {
        rules.as_array_mut().unwrap().push(json!({ "name": format!("deny-{i}"), "properties": {
            "priority": 100 + i, "direction": "Inbound", "access": "Deny", "protocol": "Tcp",
            "sourceAddressPrefix": h, "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22" } }));
    }
}

/// One rule of the user pool's NSG names `n` source addresses.
fn nsg_addresses(v: &mut Value, n: u64) {
    named(v, "networkSecurityGroups", "nsg-user-aks-prod")["properties"]["securityRules"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "name": "deny-partners", "properties": {
            "priority": 100, "direction": "Inbound", "access": "Deny", "protocol": "Tcp",
            "sourceAddressPrefixes": hosts(n), "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22" } }));
}

/// The hub has `n` peerings (the spoke's and `n - 1` to VNets outside the estate).
fn peerings(v: &mut Value, n: u64) {
    let hub = &mut named(v, "virtualNetworks", "vnet-contoso-hub")["properties"]
        ["virtualNetworkPeerings"];
    for i in 1..n {
        hub.as_array_mut().unwrap().push(json!({ "name": format!("peer-{i}"), "properties": {
            "remoteVirtualNetwork": { "id": format!("/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/rg-x/providers/Microsoft.Network/virtualNetworks/vnet-{i}") },
            "allowVirtualNetworkAccess": true, "allowForwardedTraffic": true, "peeringState": "Connected" } }));
    }
}

/// The firewall policy's network rules make `n` combinations (the reference's 3 and one rule to
/// `n - 3` destinations on one protocol and port).
fn combinations(v: &mut Value, n: u64) {
    add_group(
        v,
        "rcg-many",
        json!({ "ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "many", "priority": 300,
        "action": { "type": "Allow" }, "rules": [{ "ruleType": "NetworkRule", "name": "many", "ipProtocols": ["TCP"],
        "sourceAddresses": ["10.240.1.0/27"], "destinationAddresses": hosts(n - 3), "destinationPorts": ["443"] }] }),
    );
}

/// The firewall policy has `n` rule collection groups.
fn policy_groups(v: &mut Value, n: u64) {
    for i in 3..n {
        add_group(
            v,
            &format!("rcg-{i}"),
            json!({ "ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": format!("c{i}"),
            "priority": 1000 + i, "action": { "type": "Deny" }, "rules": [] }),
        );
    }
}

/// A rule collection group of about `bytes` bytes: a long rule name is the cheapest way to grow
/// a group's JSON without giving the engine thousands of rules to compile.
fn group_size(v: &mut Value, bytes: usize) {
    add_group(
        v,
        "rcg-large",
        json!({ "ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "large", "priority": 300,
        "action": { "type": "Deny" }, "rules": [{ "ruleType": "NetworkRule", "name": "x".repeat(bytes), "ipProtocols": ["TCP"],
        "sourceAddresses": ["198.18.0.1"], "destinationAddresses": ["198.18.0.2"], "destinationPorts": ["443"] }] }),
    );
}

/// The user pool's subnet (a /27: 27 usable) must hold `n` addresses: the pool alone is in it,
/// one address per node under overlay, plus one surge node.
fn subnet_addresses(v: &mut Value, n: u64) {
    cluster(v)["agentPoolProfiles"][1]["maxCount"] = (n - 1).into();
}

/// The cluster reaches `n` nodes with surge (system 5 + 1, user `n - 7` + 1), one /24 each of
/// its /16 pod CIDR (256).
fn pod_cidr_nodes(v: &mut Value, n: u64) {
    cluster(v)["agentPoolProfiles"][1]["maxCount"] = (n - 7).into();
}

/// The cluster's pools scale to `n` nodes (system 5, user `n - 5`).
fn cluster_nodes(v: &mut Value, n: u64) {
    cluster(v)["agentPoolProfiles"][1]["maxCount"] = (n - 5).into();
}

/// The cluster has `n` pools (the reference's 2 and `n - 2` one-node pools).
fn cluster_pools(v: &mut Value, n: u64) {
    let user = cluster(v)["agentPoolProfiles"][1].clone();
    for i in 2..n {
        let mut p = user.clone();
        p["name"] = format!("pool{i}").into();
        p["maxCount"] = 1.into();
        p["minCount"] = 1.into();
        p["count"] = 1.into();
        cluster(v)["agentPoolProfiles"]
            .as_array_mut()
            .unwrap()
            .push(p);
    }
}

/// The user pool scales to `n` nodes.
fn pool_nodes(v: &mut Value, n: u64) {
    cluster(v)["agentPoolProfiles"][1]["maxCount"] = n.into();
}

/// Each limit below 80 %, at 80 %, at 100 % and one past, on the reference: nothing, a
/// warning, a warning, an error (for the two AKS-ADR-002 reports past the limit: that rule's
/// error and no AKS-CAP finding, so one problem is one finding).
#[test]
fn limits_warn_from_80_percent_and_err_past_them() {
    type Fixture = fn(&mut Value, u64);
    // code, fixture, limit, whether AKS-ADR-002 reports it past the limit.
    let limits: [(&str, Fixture, u64, bool); 11] = [
        ("AKS-CAP-001", routes, 400, false),
        ("AKS-CAP-002", nsg_rules, 1000, false),
        ("AKS-CAP-003", nsg_addresses, 4000, false),
        ("AKS-CAP-004", peerings, 500, false),
        ("AKS-CAP-005", combinations, 20_000, false),
        ("AKS-CAP-006", policy_groups, 90, false),
        ("AKS-CAP-008", subnet_addresses, 27, true),
        ("AKS-CAP-009", pod_cidr_nodes, 256, true),
        ("AKS-CAP-010", cluster_nodes, 5000, false),
        ("AKS-CAP-011", cluster_pools, 100, false),
        ("AKS-CAP-012", pool_nodes, 1000, false),
    ];
    let run = |code: &str, v: &Value| {
        let e = Estate::from_json(&v.to_string()).expect("the mutated estate still parses");
        let dp = DataPlane::compile(&e, Options::default());
        let rules: Vec<_> = catalog()
            .into_iter()
            .filter(|r| r.code == code || r.code == "AKS-ADR-002")
            .collect();
        aksnet_rules::check_rules(&e, &dp, &rules)
    };
    let reference = example("reference");
    for (code, fixture, max, by_validation) in limits {
        // The rule's title states the number the test crosses, so the two cannot drift apart.
        let rule = catalog().into_iter().find(|r| r.code == code).unwrap();
        if !by_validation {
            let n = aksnet_model::validate::thousands(max.into());
            assert!(
                rule.doc.title.contains(&n),
                "{code}: `{}` names no {n}",
                rule.doc.title
            );
        }
        let warn_from = (max * 80).div_ceil(100);
        for (n, want) in [
            (warn_from - 1, None),
            (warn_from, Some(Severity::Warning)),
            (max, Some(Severity::Warning)),
            (max + 1, (!by_validation).then_some(Severity::Error)),
        ] {
            let mut v = reference.clone();
            fixture(&mut v, n);
            let found = run(code, &v);
            let mine: Vec<&Finding> = found.iter().filter(|f| f.code == code).collect();
            assert_eq!(
                mine.iter().map(|f| f.severity).collect::<Vec<_>>(),
                want.into_iter().collect::<Vec<_>>(),
                "{code} at {n} of {max}: {:?}",
                mine.iter().map(|f| &f.message).collect::<Vec<_>>()
            );
            if n > max && by_validation {
                assert!(
                    found
                        .iter()
                        .any(|f| f.code == "AKS-ADR-002" && f.severity == Severity::Error),
                    "{code} at {n}: AKS-ADR-002 reports it"
                );
            }
        }
    }
    // The rule collection group's size is an estimate from its JSON: 1.6 MB passes, 1.7 MB
    // warns, 2.2 MB errs.
    for (bytes, want) in [
        (1_600_000, None),
        (1_700_000, Some(Severity::Warning)),
        (2_200_000, Some(Severity::Error)),
    ] {
        let mut v = reference.clone();
        group_size(&mut v, bytes);
        let sev: Vec<Severity> = run("AKS-CAP-007", &v)
            .iter()
            .filter(|f| f.code == "AKS-CAP-007")
            .map(|f| f.severity)
            .collect();
        assert_eq!(sev, want.into_iter().collect::<Vec<_>>(), "{bytes} bytes");
    }
}
