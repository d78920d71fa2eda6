//! Every example intent designs cleanly; snapshots of each plan and estate; determinism.

use std::path::PathBuf;

use aksnet_design::{design, REFERENCE_INTENT, REFERENCE_NAME};

fn examples() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("examples/ exists")
        .map(|e| e.expect("readable").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("utf-8"))
        })
        .collect();
    out.sort();
    assert!(
        out.len() >= 4,
        "examples/ holds the reference and at least three more"
    );
    out
}

#[test]
fn every_example_designs_and_matches_its_snapshots() {
    for (name, text) in examples() {
        let d = design(&format!("examples/{name}.yaml"), &text)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        insta::assert_snapshot!(
            format!("{name}-plan"),
            serde_json::to_string_pretty(&d.plan).unwrap()
        );
        insta::assert_snapshot!(format!("{name}-estate"), d.estate.to_json());
    }
}

#[test]
fn the_embedded_reference_is_examples_reference() {
    let on_disk = examples()
        .into_iter()
        .find(|(n, _)| n == "reference")
        .expect("reference example")
        .1;
    assert_eq!(on_disk, REFERENCE_INTENT);
}

#[test]
fn estate_json_reads_back_to_the_same_estate() {
    for (name, text) in examples() {
        let e = design(&name, &text).unwrap().estate;
        let back = aksnet_model::Estate::from_json(&e.to_json())
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(back, e, "{name}");
    }
}

#[test]
fn mangled_estate_json_is_an_error_never_a_panic() {
    let json = design(REFERENCE_NAME, REFERENCE_INTENT)
        .unwrap()
        .estate
        .to_json();
    let bytes = json.as_bytes();
    for cut in (0..bytes.len()).step_by(97) {
        let truncated = String::from_utf8_lossy(&bytes[..cut]);
        assert!(aksnet_model::Estate::from_json(&truncated).is_err());
    }
    for (from, to) in [
        ("\"10.240.0.0/16\"", "\"10.240.0.1/16\""),
        ("\"Microsoft.Network/virtualNetworks\"", "5"),
        ("/subscriptions/", "subscriptions/"),
        ("\"VirtualAppliance\"", "\"Teleport\""),
    ] {
        let mangled = json.replacen(from, to, 1);
        let err = aksnet_model::Estate::from_json(&mangled).expect_err(from);
        assert!(err.line > 0 && err.column > 0, "{err}");
    }
}

#[test]
fn designs_are_byte_identical_run_to_run() {
    for (name, text) in examples() {
        let a = design(&name, &text).unwrap().estate.to_json();
        let b = design(&name, &text).unwrap().estate.to_json();
        assert_eq!(a, b, "{name}");
    }
}

#[test]
fn reference_estate_holds_every_component_of_the_architecture() {
    let d = design(REFERENCE_NAME, REFERENCE_INTENT).unwrap();
    let e = &d.estate;
    let hub = e
        .virtual_networks
        .iter()
        .find(|v| v.name.ends_with("-hub"))
        .expect("hub VNet");
    for s in ["AzureFirewallSubnet", "GatewaySubnet", "AzureBastionSubnet"] {
        assert!(hub.properties.subnet(s).is_some(), "hub lacks {s}");
    }
    assert_eq!(e.azure_firewalls.len(), 1);
    let policy = e.firewall_policies.iter().next().unwrap();
    assert_eq!(policy.properties.threat_intel_mode.as_deref(), Some("Deny"));
    assert!(
        policy
            .properties
            .dns_settings
            .as_ref()
            .unwrap()
            .enable_proxy
    );
    assert_eq!(
        e.virtual_network_gateways
            .iter()
            .next()
            .unwrap()
            .properties
            .gateway_type,
        "ExpressRoute"
    );
    assert_eq!(e.bastion_hosts.len(), 1);
    let mc = e.managed_clusters.iter().next().unwrap();
    assert!(mc.properties.is_private());
    assert_eq!(
        mc.properties.network_profile.outbound_type,
        "userDefinedRouting"
    );
    // 0/0 -> firewall with propagation disabled on the node subnets.
    let fw_ip = e
        .azure_firewalls
        .iter()
        .next()
        .unwrap()
        .properties
        .private_ip()
        .unwrap()
        .to_string();
    for pool in &mc.properties.agent_pool_profiles {
        let (_, subnet) = e.subnet(pool.vnet_subnet_id.as_ref().unwrap()).unwrap();
        let rt = e
            .route_tables
            .get(&subnet.properties.route_table.as_ref().unwrap().id)
            .unwrap();
        assert!(rt.properties.disable_bgp_route_propagation);
        let r = &rt.properties.routes[0].properties;
        assert_eq!(
            (
                r.address_prefix.to_string().as_str(),
                r.next_hop_ip_address.as_ref().and_then(|a| a.known())
            ),
            ("0.0.0.0/0", Some(&fw_ip))
        );
        assert!(subnet.properties.network_security_group.is_some());
    }
    // GatewaySubnet sends the spoke through the firewall, propagation on.
    let gw_rt = e
        .route_tables
        .iter()
        .find(|r| r.name.starts_with("rt-gateway"))
        .expect("GatewaySubnet route table");
    assert!(!gw_rt.properties.disable_bgp_route_propagation);
    let waf = e.waf_policies.iter().next().unwrap();
    assert_eq!(
        waf.properties.policy_settings.mode.as_deref(),
        Some("Prevention")
    );
    assert_eq!(e.load_balancers.len(), 1, "internal load balancer frontend");
    assert_eq!(
        e.container_registries
            .iter()
            .next()
            .unwrap()
            .sku
            .as_ref()
            .unwrap()
            .name
            .as_deref(),
        Some("Premium")
    );
    assert_eq!(e.private_endpoints.len(), 2);
    let zones: Vec<&str> = e
        .private_dns_zones
        .iter()
        .map(|z| z.name.as_str())
        .collect();
    assert_eq!(
        zones,
        [
            "privatelink.azurecr.io",
            "privatelink.vaultcore.azure.net",
            "privatelink.westeurope.azmk8s.io"
        ]
    );
    // Every zone is linked to the hub and the spoke.
    assert_eq!(e.virtual_network_links.len(), 6);
    // Both peerings, with forwarded traffic and gateway transit.
    let spoke = e
        .virtual_networks
        .iter()
        .find(|v| v.name == "vnet-aks-prod")
        .unwrap();
    let p = &spoke.properties.virtual_network_peerings[0].properties;
    assert!(p.allow_forwarded_traffic && p.use_remote_gateways);
    assert!(
        hub.properties.virtual_network_peerings[0]
            .properties
            .allow_gateway_transit
    );
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn several_subscriptions_land_in_their_own_ids() {
    let text = examples()
        .into_iter()
        .find(|(n, _)| n == "multi-spoke")
        .unwrap()
        .1;
    let d = design("multi-spoke", &text).unwrap();
    let subs: std::collections::BTreeSet<&str> = d
        .estate
        .virtual_networks
        .iter()
        .filter_map(|v| v.id.subscription())
        .collect();
    assert_eq!(subs.len(), 3, "{subs:?}"); // connectivity, workloads, and the placeholder for aks-dev
    assert_eq!(d.estate.managed_clusters.len(), 3);
    let isolated = d
        .estate
        .subnets()
        .filter(|(_, s)| s.name.starts_with("snet-tenant"))
        .count();
    assert_eq!(isolated, 2);
}
