//! `trace` and `reach` agree (issue 12, item 6): on every example, for every pair of known
//! places and a grid of packets, a trace is `allowed` exactly when reach admits the packet —
//! through a name-independent path, or through a path the firewall passes by name for the name
//! the trace carries.

mod support;

use aksnet_engine::{DataPlane, Options};

#[test]
fn trace_and_reach_agree_on_every_example() {
    let (mut total, mut bad) = (0, Vec::new());
    for (label, estate) in support::designed_examples() {
        let dp = DataPlane::compile(&estate, Options::default());
        let places = support::places(&dp);
        let pairs = support::all_pairs(&places);
        let (n, b) = support::compare(&label, &dp, &places, &pairs);
        total += n;
        bad.extend(b);
    }
    eprintln!(
        "trace vs reach: {total} comparisons, {} disagreements",
        bad.len()
    );
    assert!(total > 10_000, "{total}");
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// The same under every `--switch`: each disputed behaviour is decided once, so turning it
/// around moves both evaluators together. On the examples and the reference with DNAT rules,
/// on every pair from the Internet and on-premises and a sample of the others.
#[test]
fn trace_and_reach_agree_under_every_switch() {
    let mut estates = support::designed_examples();
    let dnat = support::reference_with_dnat();
    estates.push((
        "reference with DNAT".into(),
        aksnet_model::Estate::from_json(&dnat.to_string()).unwrap(),
    ));
    let (mut total, mut bad) = (0, Vec::new());
    for (switch, _) in aksnet_engine::options::SWITCHES {
        let mut o = Options::default();
        o.set(switch).unwrap();
        for (name, e) in &estates {
            let dp = DataPlane::compile(e, o.clone());
            let places = support::places(&dp);
            let mut rng = support::Rng(0x5717C4);
            let pairs: Vec<(usize, usize)> = support::all_pairs(&places)
                .into_iter()
                .filter(|(a, _)| a < &2 || rng.below(4) == 0)
                .collect();
            let (n, b) =
                support::compare(&format!("{name} --switch {switch}"), &dp, &places, &pairs);
            total += n;
            bad.extend(b);
        }
    }
    eprintln!(
        "trace vs reach under switches: {total} comparisons, {} disagreements",
        bad.len()
    );
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// With custom DNS: the reference whose spokes name the hub firewall (DNS proxy on in the
/// design) as their DNS server resolves names through it, and the two evaluators still agree
/// (issue 14, item 6).
#[test]
fn trace_and_reach_agree_with_the_firewall_as_dns_server() {
    let d = aksnet_design::design("x", aksnet_design::REFERENCE_INTENT).unwrap();
    let mut v = serde_json::to_value(&d.estate).unwrap();
    let fw = v["azureFirewalls"][0]["properties"]["ipConfigurations"][0]["properties"]
        ["privateIPAddress"]
        .clone();
    let hub = v["azureFirewalls"][0]["properties"]["ipConfigurations"][0]["properties"]["subnet"]
        ["id"]
        .as_str()
        .unwrap()
        .to_ascii_lowercase();
    for vnet in v["virtualNetworks"].as_array_mut().unwrap() {
        let id = vnet["id"].as_str().unwrap().to_ascii_lowercase();
        if !hub.starts_with(&format!("{id}/")) {
            vnet["properties"]["dhcpOptions"] = serde_json::json!({ "dnsServers": [fw] });
        }
    }
    let e = aksnet_model::Estate::from_json(&v.to_string()).unwrap();
    let dp = DataPlane::compile(&e, Options::default());
    // Names go through the firewall's proxy.
    let proxied = dp.endpoints.iter().filter_map(|p| {
        let vnet = dp.topology.subnets[p.subnet?].vnet;
        let r = dp
            .dns
            .resolve(aksnet_engine::dns::Client::vnet(vnet), p.fqdn.as_deref()?);
        Some(r.via_text()?.contains("DNS proxy"))
    });
    assert!(proxied.clone().count() > 0 && proxied.clone().all(|p| p));
    let places = support::places(&dp);
    let mut rng = support::Rng(0xD45);
    let pairs: Vec<(usize, usize)> = support::all_pairs(&places)
        .into_iter()
        .filter(|(a, _)| a < &2 || rng.below(3) == 0)
        .collect();
    let (n, bad) = support::compare("reference with custom DNS", &dp, &places, &pairs);
    assert!(n > 1_000, "{n}");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// A spoke with network interfaces (issue 14, item 4): NIC-level NSGs inbound and outbound
/// (one on a third-party NVA's NIC; another NVA's NIC does not forward), application security groups in a subnet NSG (one with a
/// member, one with none, one the estate does not hold) and a private endpoint with a dynamic
/// address placed from its NIC. Every NIC is a place by name besides the usual ones. A NIC's
/// own DNS servers (issue 14, item 6) decide what its traces by name resolve to: from `other`,
/// whose server the estate does not explain, the name's answer is unknown (and the comparison
/// skips it, as for any name that does not lead to the place's address).
#[test]
fn trace_and_reach_agree_with_network_interfaces() {
    let e: aksnet_model::Estate = serde_json::from_value(support::network_interfaces()).unwrap();
    let dp = DataPlane::compile(&e, Options::default());
    // Every NIC is a place by name (its primary address).
    let places = support::places(&dp);
    assert!(places.iter().any(|(n, _)| n == "db"));
    let (other, registry) = (
        dp.place("other").unwrap(),
        dp.endpoints
            .iter_enumerated()
            .find(|(_, p)| p.fqdn.is_some())
            .map(|(i, _)| aksnet_engine::Place::Endpoint(i))
            .unwrap(),
    );
    let t = dp.trace(&aksnet_engine::trace::Query {
        from: other,
        to: registry,
        protocol: aksnet_net::Protocol::Tcp,
        port: 443,
        fqdn: None,
    });
    assert_eq!(t.verdict, aksnet_engine::trace::Verdict::Unknown, "{t:?}");
    assert!(t.reason.contains("from NIC other"), "{}", t.reason);
    let pairs = support::all_pairs(&places);
    let (n, bad) = support::compare("network interfaces", &dp, &places, &pairs);
    eprintln!(
        "trace vs reach with NICs: {n} comparisons, {} disagreements",
        bad.len()
    );
    assert!(n > 500, "{n}");
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// VNets with overlapping address spaces: a flow to a place in the other VNet is delivered in
/// the sender's own VNet and denied by trace, cut by reach (one function decides both); a NIC's
/// flows start in its own VNet in both, and an endpoint is met only in its own VNet.
#[test]
fn trace_and_reach_agree_with_overlapping_vnets() {
    let e: aksnet_model::Estate = serde_json::from_value(support::overlapping_vnets()).unwrap();
    let dp = DataPlane::compile(&e, Options::default());
    let places = support::places(&dp);
    assert!(places.iter().any(|(n, _)| n == "nic-b2"));
    // Agreement on the right answer: nic-a's packets to nic-b stay in vnet-a.
    let at = |n: &str| places.iter().find(|(p, _)| p == n).unwrap().1.clone();
    assert!(dp.reach(&at("nic-a"), &at("nic-b")).paths.is_empty());
    // In vnet-b, 10.0.0.5 is nic-b, not vnet-a's private endpoint at the same address (which
    // listens on 443 only): SSH to it is delivered.
    let t = dp.trace(&aksnet_engine::trace::Query {
        from: at("nic-b2"),
        to: at("nic-b"),
        protocol: aksnet_net::Protocol::Tcp,
        port: 22,
        fqdn: None,
    });
    assert_eq!(
        t.verdict,
        aksnet_engine::trace::Verdict::Allowed,
        "{}",
        t.reason
    );
    let pairs = support::all_pairs(&places);
    let (n, bad) = support::compare("overlapping VNets", &dp, &places, &pairs);
    assert!(n > 300, "{n}");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// A template's routes whose next hop address is unknown before deployment (the unknown marker
/// in place of the firewall's private IP): the first appliance route of every route table of the
/// reference. What they carry, requests and TCP replies alike, is unknown in both evaluators.
#[test]
fn trace_and_reach_agree_with_next_hops_unknown_before_deployment() {
    let d = aksnet_design::design("x", aksnet_design::REFERENCE_INTENT).unwrap();
    let mut v = serde_json::to_value(&d.estate).unwrap();
    let marker = serde_json::json!({ "$unknown": {
        "expression": "reference(parameters('firewallId')).ipConfigurations[0].properties.privateIPAddress",
        "reason": "assigned at deployment" } });
    let mut changed = 0;
    for rt in v["routeTables"].as_array_mut().unwrap() {
        let routes = rt["properties"]["routes"].as_array_mut().unwrap();
        if let Some(r) = routes
            .iter_mut()
            .find(|r| r["properties"]["nextHopType"] == "VirtualAppliance")
        {
            r["properties"]["nextHopIpAddress"] = marker.clone();
            changed += 1;
        }
    }
    assert!(changed >= 2, "{changed}");
    let e: aksnet_model::Estate = serde_json::from_value(v).unwrap();
    let dp = DataPlane::compile(&e, Options::default());
    let t = dp.trace(&aksnet_engine::trace::Query {
        from: dp.place("aks-prod/snet-system").unwrap(),
        to: aksnet_engine::Place::Internet,
        protocol: aksnet_net::Protocol::Tcp,
        port: 443,
        fqdn: None,
    });
    assert_eq!(t.verdict, aksnet_engine::trace::Verdict::Unknown, "{t:?}");
    let places = support::places(&dp);
    let pairs = support::all_pairs(&places);
    let (n, bad) = support::compare("next hops unknown before deployment", &dp, &places, &pairs);
    assert!(n > 1_000, "{n}");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
