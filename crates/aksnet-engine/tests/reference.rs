//! The reference design, flow by flow: what must and must not get through, and why.

use aksnet_design::{design, REFERENCE_INTENT, REFERENCE_NAME};
use aksnet_engine::trace::{Query, Trace};
use aksnet_engine::{DataPlane, Options};
use aksnet_model::Estate;
use aksnet_net::Protocol;

fn reference() -> Estate {
    design(REFERENCE_NAME, REFERENCE_INTENT).unwrap().estate
}

fn example(name: &str) -> Estate {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../examples/{name}.yaml"));
    design(name, &std::fs::read_to_string(path).unwrap())
        .unwrap()
        .estate
}

fn trace(
    e: &Estate,
    from: &str,
    to: &str,
    proto: Protocol,
    port: u16,
    fqdn: Option<&str>,
) -> Trace {
    let dp = DataPlane::compile(e, Options::default());
    let q = Query {
        from: dp.place(from).unwrap(),
        to: dp.place(to).unwrap(),
        protocol: proto,
        port,
        fqdn: fqdn.map(str::to_string),
    };
    dp.trace(&q)
}

fn kinds(t: &Trace) -> Vec<&str> {
    t.hops.iter().map(|h| h.kind.as_str()).collect()
}

#[test]
fn internet_reaches_nodes_only_through_app_gateway_and_ilb() {
    let e = reference();
    for subnet in [
        "aks-prod/snet-system",
        "aks-prod/snet-user",
        "aks-prod/snet-ilb",
        "aks-prod/snet-pep",
    ] {
        for port in [22, 80, 443, 3389, 10250] {
            let t = trace(&e, "internet", subnet, Protocol::Tcp, port, None);
            assert_eq!(t.verdict, "denied", "{subnet}:{port}");
        }
    }
    let t = trace(&e, "internet", "appgw", Protocol::Tcp, 443, None);
    assert_eq!(t.verdict, "allowed", "{t:#?}");
    let k = kinds(&t);
    assert!(
        k.contains(&"app-gateway") && k.contains(&"load-balancer"),
        "{k:?}"
    );
    assert!(t.hops.last().unwrap().at.ends_with("snet-user"));
    assert!(t.return_path.as_ref().unwrap().symmetric);
    // Only the listener port is open.
    assert_eq!(
        trace(&e, "internet", "appgw", Protocol::Tcp, 8443, None).verdict,
        "denied"
    );
    // The firewall's public IP has no DNAT rule.
    assert_eq!(
        trace(&e, "internet", "firewall", Protocol::Tcp, 443, None).verdict,
        "denied"
    );
}

#[test]
fn nodes_reach_mcr_only_through_the_firewall() {
    let e = reference();
    let t = trace(
        &e,
        "aks-prod/snet-user",
        "internet",
        Protocol::Tcp,
        443,
        Some("mcr.microsoft.com"),
    );
    assert_eq!(t.verdict, "allowed", "{t:#?}");
    let fw = t
        .hops
        .iter()
        .find(|h| h.kind == aksnet_engine::trace::HopKind::Firewall)
        .expect("a firewall hop");
    assert!(fw.detail.contains("application pass"), "{}", fw.detail);
    assert!(t
        .hops
        .iter()
        .any(|h| h.kind == aksnet_engine::trace::HopKind::Egress
            && h.detail.contains("pip-afw-contoso")));
    assert!(t.return_path.unwrap().symmetric);
    // Anything else is denied by the firewall.
    let t = trace(
        &e,
        "aks-prod/snet-user",
        "internet",
        Protocol::Tcp,
        443,
        Some("example.com"),
    );
    assert_eq!(t.verdict, "denied");
    assert!(t.reason.contains("afw-contoso"), "{}", t.reason);
    // The user's extra FQDN, wildcard subdomains only.
    assert_eq!(
        trace(
            &e,
            "aks-prod/snet-user",
            "internet",
            Protocol::Tcp,
            443,
            Some("api.github.com")
        )
        .verdict,
        "allowed"
    );
    assert_eq!(
        trace(
            &e,
            "aks-prod/snet-user",
            "internet",
            Protocol::Tcp,
            443,
            Some("github.com")
        )
        .verdict,
        "denied"
    );
}

#[test]
fn nodes_reach_acr_and_key_vault_through_private_endpoints() {
    let e = reference();
    for (to, zone) in [
        ("acr", "privatelink.azurecr.io"),
        ("acr-data", "privatelink.azurecr.io"),
        ("keyvault", "privatelink.vaultcore.azure.net"),
    ] {
        let t = trace(&e, "aks-prod/snet-user", to, Protocol::Tcp, 443, None);
        assert_eq!(t.verdict, "allowed", "{to}: {t:#?}");
        let dns = &t.hops[0];
        assert_eq!(dns.kind, "dns");
        assert!(
            dns.detail.contains(zone) && dns.packet.dst.to_string().starts_with("10.240."),
            "{}",
            dns.detail
        );
        assert!(
            t.hops
                .iter()
                .any(|h| h.kind == aksnet_engine::trace::HopKind::Route
                    && h.detail.contains("InterfaceEndpoint")),
            "{to}"
        );
        assert!(
            !kinds(&t).contains(&"firewall"),
            "{to} must not cross the firewall"
        );
    }
}

#[test]
fn without_the_zone_link_acr_resolves_publicly_and_goes_to_the_firewall() {
    let mut e = reference();
    let links: Vec<_> = e
        .virtual_network_links
        .iter()
        .filter(|l| l.id.as_str().contains("privatelink.azurecr.io") && l.name.contains("aks-prod"))
        .map(|l| l.id.clone())
        .collect();
    assert_eq!(links.len(), 1);
    let mut kept = aksnet_model::Collection::default();
    for l in e
        .virtual_network_links
        .iter()
        .filter(|l| !links.contains(&l.id))
    {
        kept.insert(l.clone());
    }
    e.virtual_network_links = kept;
    let t = trace(&e, "aks-prod/snet-user", "acr", Protocol::Tcp, 443, None);
    assert!(
        t.hops[0].detail.contains("private endpoint is bypassed"),
        "{}",
        t.hops[0].detail
    );
    assert!(kinds(&t).contains(&"firewall"));
    assert_eq!(
        t.verdict, "denied",
        "the registry's public name is not in the firewall policy"
    );
}

#[test]
fn bastion_reaches_nodes_on_ssh() {
    let t = trace(
        &reference(),
        "bastion",
        "aks-prod/snet-user",
        Protocol::Tcp,
        22,
        None,
    );
    assert_eq!(t.verdict, "allowed", "{t:#?}");
    assert_eq!(t.hops[0].kind, "nsg-outbound");
    assert!(
        t.hops[0].detail.contains("AllowSshRdpOutbound"),
        "{}",
        t.hops[0].detail
    );
    assert!(t.return_path.unwrap().symmetric);
}

#[test]
fn on_premises_reaches_the_ilb_through_the_firewall_symmetrically() {
    let t = trace(&reference(), "onprem", "ilb", Protocol::Tcp, 443, None);
    assert_eq!(t.verdict, "allowed", "{t:#?}");
    let k = kinds(&t);
    assert_eq!(&k[..3], ["gateway", "route", "firewall"]);
    let r = t.return_path.unwrap();
    assert!(r.symmetric, "{r:#?}");
    assert!(
        r.hops.iter().any(|h| h.contains("VirtualAppliance")),
        "{r:#?}"
    );
    // Other ports are not in the firewall policy.
    assert_eq!(
        trace(&reference(), "onprem", "ilb", Protocol::Tcp, 22, None).verdict,
        "denied"
    );
}

#[test]
fn spoke_to_spoke_goes_through_the_firewall_or_not_at_all() {
    let e = example("multi-spoke");
    for (a, b) in [
        ("aks-prod/snet-user", "aks-shared/snet-user"),
        ("aks-shared/snet-tenanta", "aks-dev/snet-system"),
    ] {
        let t = trace(&e, a, b, Protocol::Tcp, 443, None);
        assert_eq!(t.verdict, "denied", "{a} -> {b}");
        assert_eq!(
            t.hops
                .iter()
                .find(|h| h.decision == aksnet_engine::trace::Decision::Deny)
                .map(|h| h.kind.as_str()),
            Some("firewall"),
            "{a} -> {b}: {t:#?}"
        );
    }
}

#[test]
fn removing_the_udr_takes_the_firewall_off_the_path_and_leaves_no_egress_ip() {
    let mut e = reference();
    let vnet_id = e
        .virtual_networks
        .iter()
        .find(|v| v.name == "vnet-aks-prod")
        .unwrap()
        .id
        .clone();
    for s in &mut e
        .virtual_networks
        .get_mut(&vnet_id)
        .unwrap()
        .properties
        .subnets
    {
        s.properties.route_table = None;
    }
    let t = trace(
        &e,
        "aks-prod/snet-user",
        "internet",
        Protocol::Tcp,
        443,
        Some("mcr.microsoft.com"),
    );
    assert!(!kinds(&t).contains(&"firewall"), "{t:#?}");
    assert_eq!(t.verdict, "denied");
    let egress = t
        .hops
        .iter()
        .find(|h| h.kind == aksnet_engine::trace::HopKind::Egress)
        .unwrap();
    assert!(egress.detail.contains("no egress IP"), "{}", egress.detail);
    // With default outbound access Azure would pick an address itself.
    for s in &mut e
        .virtual_networks
        .get_mut(&vnet_id)
        .unwrap()
        .properties
        .subnets
    {
        s.properties.default_outbound_access = None;
    }
    let t = trace(
        &e,
        "aks-prod/snet-user",
        "internet",
        Protocol::Tcp,
        443,
        Some("mcr.microsoft.com"),
    );
    assert_eq!(t.verdict, "allowed");
    assert!(t
        .hops
        .iter()
        .any(|h| h.kind == aksnet_engine::trace::HopKind::Egress
            && h.detail.contains("default outbound access")));
}

#[test]
fn without_the_gateway_subnet_udr_on_premises_traffic_is_asymmetric() {
    // The request goes gateway -> spoke directly, the reply follows the spoke's 0/0 to the
    // firewall, which never saw the request (azure-semantics §5.1, [BLOG-CLOUDTROOPER]).
    let mut e = reference();
    let hub = e
        .virtual_networks
        .iter()
        .find(|v| v.name.ends_with("-hub"))
        .unwrap()
        .id
        .clone();
    for s in &mut e.virtual_networks.get_mut(&hub).unwrap().properties.subnets {
        if s.name == "GatewaySubnet" {
            s.properties.route_table = None;
        }
    }
    let t = trace(&e, "onprem", "ilb", Protocol::Tcp, 443, None);
    assert!(!kinds(&t).contains(&"firewall"), "{t:#?}");
    let r = t.return_path.expect("delivered");
    assert!(!r.symmetric);
    assert!(r
        .warning
        .unwrap()
        .contains("afw-contoso, which did not see the request"));
}

#[test]
fn traces_are_deterministic_json() {
    let e = reference();
    let a = serde_json::to_string(&trace(&e, "onprem", "ilb", Protocol::Tcp, 443, None)).unwrap();
    let b = serde_json::to_string(&trace(&e, "onprem", "ilb", Protocol::Tcp, 443, None)).unwrap();
    assert_eq!(a, b);
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v["verdict"], "allowed");
    assert!(v["hops"].as_array().unwrap().len() > 3);
    assert_eq!(v["return"]["symmetric"], true);
}

#[test]
fn unknown_places_list_the_known_ones() {
    let e = reference();
    let dp = DataPlane::compile(&e, Options::default());
    let err = dp.place("aks-prod/snet-nope").unwrap_err();
    assert!(err.to_string().contains("no subnet `snet-nope`"));
    assert!(
        err.known.contains(&"vnet-aks-prod/snet-user".to_string()),
        "{:?}",
        err.known
    );
    assert!(
        err.known.contains(&"aks-prod:acr".to_string()),
        "{:?}",
        err.known
    );
    assert!(dp.place("aks-prod:acr").is_ok());
    assert!(dp.place("nowhere:acr").is_err());
}

#[test]
fn bastion_reaches_the_internet_from_its_public_ip() {
    // Bastion needs 80 to the Internet (certificate checks, azure-semantics §5.2).
    let t = trace(&reference(), "bastion", "internet", Protocol::Tcp, 80, None);
    assert_eq!(t.verdict, "allowed", "{}", t.reason);
    assert!(
        t.hops
            .iter()
            .any(|h| h.kind == aksnet_engine::trace::HopKind::Egress
                && h.detail.contains("bas-contoso's public IP")),
        "{:?}",
        kinds(&t)
    );
}

#[test]
fn nodes_resolve_their_private_api_server_from_the_record_aks_writes() {
    // The BYO zone holds no record before deployment; AKS writes it, so the name resolves.
    let t = trace(
        &reference(),
        "aks-prod/snet-user",
        "apiserver",
        Protocol::Tcp,
        443,
        None,
    );
    assert_eq!(t.verdict, "allowed", "{}", t.reason);
    assert_eq!(t.hops[0].kind, "dns");
}

#[test]
fn without_a_linked_zone_the_api_name_resolves_only_through_the_public_fqdn() {
    let mut e = reference();
    let hub_link: Vec<_> = e
        .virtual_network_links
        .iter()
        .filter(|l| l.id.as_str().contains("azmk8s.io") && l.name == "link-vnet-contoso-hub")
        .map(|l| l.id.clone())
        .collect();
    let mut kept = aksnet_model::Collection::default();
    for l in e
        .virtual_network_links
        .iter()
        .filter(|l| !hub_link.contains(&l.id))
    {
        kept.insert(l.clone());
    }
    e.virtual_network_links = kept;
    // The design turns the public FQDN off: the name does not resolve from the hub.
    let off = trace(&e, "bastion", "apiserver", Protocol::Tcp, 443, None);
    assert_eq!(off.verdict, "denied");
    assert!(off.reason.contains("does not resolve"), "{}", off.reason);
    // With the public FQDN on, public DNS answers the private address.
    let id = e.managed_clusters.iter().next().unwrap().id.clone();
    let mc = e.managed_clusters.get_mut(&id).unwrap();
    mc.properties
        .api_server_access_profile
        .as_mut()
        .unwrap()
        .enable_private_cluster_public_fqdn = Some(true);
    let on = trace(&e, "bastion", "apiserver", Protocol::Tcp, 443, None);
    assert_eq!(on.verdict, "allowed", "{}", on.reason);
    assert!(
        on.hops[0].detail.contains("public FQDN"),
        "{}",
        on.hops[0].detail
    );
}
