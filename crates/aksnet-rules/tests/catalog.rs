//! Every rule: the reference design does not trigger it; a mutation of it (or an example) does,
//! with a snapshot of the findings.

use aksnet_design::{design, REFERENCE_INTENT, REFERENCE_NAME};
use aksnet_engine::{DataPlane, Options};
use aksnet_model::Estate;
use aksnet_rules::{catalog, check, Finding};

fn reference() -> Estate {
    design(REFERENCE_NAME, REFERENCE_INTENT).unwrap().estate
}

fn findings(e: &Estate) -> Vec<Finding> {
    let dp = DataPlane::compile(e, Options::default());
    check(e, &dp)
}

fn only(e: &Estate, code: &str) -> Vec<String> {
    findings(e)
        .into_iter()
        .filter(|f| f.code == code)
        .map(|f| format!("{}: {}", f.code, f.message))
        .collect()
}

#[test]
fn the_reference_design_is_clean() {
    let f = findings(&reference());
    assert!(
        f.is_empty(),
        "{:#?}",
        f.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
}

#[test]
fn codes_are_unique_and_documented() {
    let mut codes: Vec<&str> = catalog().iter().map(|r| r.code()).collect();
    let n = codes.len();
    codes.dedup();
    assert_eq!(codes.len(), n);
    for r in catalog() {
        let d = r.doc();
        assert!(
            !d.title.is_empty()
                && !d.what.is_empty()
                && !d.why.is_empty()
                && !d.fix.is_empty()
                && !d.references.is_empty(),
            "{}",
            r.code()
        );
    }
}

fn cluster_mut(e: &mut Estate) -> &mut aksnet_model::Resource<aksnet_model::aks::ManagedCluster> {
    let id = e.managed_clusters.iter().next().unwrap().id.clone();
    e.managed_clusters.get_mut(&id).unwrap()
}

#[test]
fn mgt_001_public_api_without_ranges() {
    let mut e = reference();
    let mc = cluster_mut(&mut e);
    let api = mc.properties.api_server_access_profile.as_mut().unwrap();
    api.enable_private_cluster = Some(false);
    api.authorized_ip_ranges = vec!["0.0.0.0/0".into()];
    insta::assert_debug_snapshot!(only(&e, "AKS-MGT-001"));
}

#[test]
fn mgt_002_ranges_on_private_cluster() {
    let mut e = reference();
    cluster_mut(&mut e)
        .properties
        .api_server_access_profile
        .as_mut()
        .unwrap()
        .authorized_ip_ranges = vec!["203.0.113.0/24".into()];
    insta::assert_debug_snapshot!(only(&e, "AKS-MGT-002"));
}

#[test]
fn plk_001_and_002_public_paas() {
    let mut e = reference();
    let acr = e.container_registries.iter().next().unwrap().id.clone();
    e.container_registries
        .get_mut(&acr)
        .unwrap()
        .properties
        .public_network_access = "Enabled".into();
    let kv = e.key_vaults.iter().next().unwrap().id.clone();
    let vault = e.key_vaults.get_mut(&kv).unwrap();
    vault.properties.public_network_access = "Enabled".into();
    vault.properties.network_acls = None;
    insta::assert_debug_snapshot!((only(&e, "AKS-PLK-001"), only(&e, "AKS-PLK-002")));
}

#[test]
fn ing_002_waf_in_detection() {
    let mut e = reference();
    let w = e.waf_policies.iter().next().unwrap().id.clone();
    e.waf_policies
        .get_mut(&w)
        .unwrap()
        .properties
        .policy_settings
        .mode = "Detection".into();
    insta::assert_debug_snapshot!(only(&e, "AKS-ING-002"));
}

#[test]
fn net_001_subnet_without_nsg() {
    let mut e = reference();
    let v = e
        .virtual_networks
        .iter()
        .find(|v| v.name == "vnet-aks-prod")
        .unwrap()
        .id
        .clone();
    for s in &mut e.virtual_networks.get_mut(&v).unwrap().properties.subnets {
        if s.name == "snet-ilb" {
            s.properties.network_security_group = None;
        }
    }
    insta::assert_debug_snapshot!(only(&e, "AKS-NET-001"));
}

#[test]
fn egr_001_egress_without_the_firewall_has_a_witness() {
    let mut e = reference();
    let v = e
        .virtual_networks
        .iter()
        .find(|v| v.name == "vnet-aks-prod")
        .unwrap()
        .id
        .clone();
    for s in &mut e.virtual_networks.get_mut(&v).unwrap().properties.subnets {
        if s.name == "snet-user" {
            s.properties.route_table = None;
            s.properties.default_outbound_access = None;
        }
    }
    let f: Vec<Finding> = findings(&e)
        .into_iter()
        .filter(|f| f.code == "AKS-EGR-001")
        .collect();
    assert_eq!(f.len(), 1);
    let w = f[0].witness.as_ref().expect("a witness trace");
    assert!(w
        .hops
        .iter()
        .any(|h| h.kind == "egress" && h.detail.contains("default outbound access")));
    insta::assert_debug_snapshot!(only(&e, "AKS-EGR-001"));
}

#[test]
fn ing_001_dnat_to_nodes_bypasses_the_waf() {
    let mut e = reference();
    let dp = DataPlane::compile(&e, Options::default());
    let fw_public = dp
        .topology
        .endpoints
        .iter()
        .find(|x| x.kind == aksnet_engine::topology::EndpointKind::FirewallPublic)
        .unwrap()
        .ip;
    let node = match dp.place("aks-prod/snet-user").unwrap() {
        aksnet_engine::Place::Subnet(s) => {
            aksnet_model::azure::first_assignable(&dp.topology.subnets[s].prefix).unwrap()
        }
        _ => unreachable!(),
    };
    drop(dp);
    let policy = e.firewall_policies.iter().next().unwrap().id.clone();
    let nat: aksnet_model::firewall::RuleCollectionGroup = serde_json::from_value(serde_json::json!({
        "priority": 100,
        "ruleCollections": [{ "ruleCollectionType": "FirewallPolicyNatRuleCollection", "name": "dnat", "priority": 100, "action": { "type": "DNAT" },
            "rules": [{ "ruleType": "NatRule", "name": "ssh-to-node", "ipProtocols": ["TCP"], "sourceAddresses": ["*"], "destinationAddresses": [fw_public.to_string()], "destinationPorts": ["22"], "translatedAddress": node.to_string(), "translatedPort": "22" }] }]
    }))
    .unwrap();
    e.rule_collection_groups.insert(aksnet_model::Resource::new(
        policy.child("ruleCollectionGroups", "rcg-dnat"),
        None,
        nat,
    ));
    let f: Vec<Finding> = findings(&e)
        .into_iter()
        .filter(|f| f.code == "AKS-ING-001")
        .collect();
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].message.contains("tcp/22"), "{}", f[0].message);
}

#[test]
fn dns_001_unlinked_zone_resolves_publicly() {
    let mut e = reference();
    let mut kept = aksnet_model::Collection::default();
    for l in e.virtual_network_links.iter().filter(|l| {
        !(l.id.as_str().contains("privatelink.azurecr.io") && l.name.contains("aks-prod"))
    }) {
        kept.insert(l.clone());
    }
    e.virtual_network_links = kept;
    insta::assert_debug_snapshot!(only(&e, "AKS-DNS-001"));
}
