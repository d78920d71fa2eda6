//! The catalog against its fixtures. Every rule has a fixture that does not trigger it (the
//! reference design, which is clean) and one that does: a one-change mutation of the reference
//! or an example, expressed on the estate JSON. For semantic rules the mutation must trigger
//! exactly that rule and nothing else; every rule's findings are snapshotted
//! (`snapshots/catalog__<code>.snap`).

use std::collections::BTreeSet;

use aksnet_design::{design, REFERENCE_INTENT, REFERENCE_NAME};
use aksnet_engine::{DataPlane, Options};
use aksnet_model::Estate;
use aksnet_rules::{catalog, check, Finding};
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
                remove_where(v, "privateEndpoints", |p| {
                    p["name"] == "pep-kv-contoso-aks-prod"
                });
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
