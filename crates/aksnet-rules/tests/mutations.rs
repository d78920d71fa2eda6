//! Mutated estates through every analysis: the engine and the rule catalog are total over every
//! estate that loads (issue 12, item 5).
//!
//! Each designed example is written as `estate.json`, mutated the ways a user's file differs from
//! what aksnet designs — a key dropped, an array element dropped, an address moved outside every
//! subnet, a prefix shrunk or widened, a reference left dangling, a value nulled — and read back
//! with `Estate::from_json`, the same reader as `--estate`. Every estate that loads is compiled
//! and run through place parsing, traces on a grid of packets, reach, exposure from the Internet
//! and on-premises, and the whole rule catalog. A panic anywhere fails the test with the mutation
//! that caused it.
//!
//! The run is seeded and deterministic. `AKSNET_MUTATIONS=N` sets mutations per example (default
//! 24) for longer runs.

mod support;

use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;

use aksnet_design::design;
use aksnet_engine::places::Place;
use aksnet_engine::trace::Query;
use aksnet_engine::{DataPlane, Options};
use aksnet_model::Estate;
use aksnet_net::Protocol;
use serde_json::Value;
use support::{mutate, Rng};

/// Every analysis a user can run on an estate, on a sample of place pairs.
fn analyse(estate: &Estate, rng: &mut Rng) {
    let dp = DataPlane::compile(estate, Options::default());
    let mut places: Vec<Place> = dp
        .known_places()
        .iter()
        .filter_map(|p| dp.place(p).ok())
        .collect();
    for ip in ["10.240.0.4", "192.0.2.9", "203.0.113.10", "10.200.0.4"] {
        if let Ok(p) = dp.place(ip) {
            places.push(p);
        }
    }
    for _ in 0..6 {
        let from = &places[rng.below(places.len())];
        let to = &places[rng.below(places.len())];
        for (protocol, port) in [
            (Protocol::Tcp, 22),
            (Protocol::Tcp, 443),
            (Protocol::Udp, 53),
        ] {
            dp.trace(&Query {
                from: from.clone(),
                to: to.clone(),
                protocol,
                port,
                fqdn: None,
            });
        }
        dp.reach(from, to);
    }
    dp.exposure(&Place::Internet);
    if let Ok(onprem) = dp.place("onprem") {
        dp.exposure(&onprem);
    }
    for s in dp.topology.subnets.indices() {
        let _ = &dp.routes[s];
    }
    aksnet_rules::check(estate, &dp);
}

#[test]
fn a_firewall_outside_every_subnet_denies_its_dnat_flows_and_says_why() {
    let mut v = support::reference_with_dnat();
    v["azureFirewalls"][0]["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"] =
        "192.0.2.77".into();
    let estate = Estate::from_json(&v.to_string()).unwrap();
    let dp = DataPlane::compile(&estate, Options::default());
    let fw_public = dp.place("198.18.0.2").unwrap();
    let t = dp.trace(&Query {
        from: Place::Internet,
        to: fw_public,
        protocol: Protocol::Tcp,
        port: 22,
        fqdn: None,
    });
    assert_eq!(t.verdict, aksnet_engine::trace::Verdict::Denied, "{t:#?}");
    assert!(t.reason.contains("192.0.2.77"), "{}", t.reason);
    analyse(&estate, &mut Rng(1));
}

static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[test]
fn every_analysis_is_total_over_mutated_estates() {
    let per_example: usize = std::env::var("AKSNET_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24);
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        PANICS.lock().unwrap().push(format!("{msg} at {at}"));
    }));
    let (mut loaded, mut refused, mut failures) = (0, 0, Vec::new());
    let (mut compared, mut disagreements) = (0, Vec::<String>::new());
    let mut rng = Rng(0x5EED_0012);
    let mut seeds: Vec<(String, Value)> = support::designed_examples()
        .into_iter()
        .map(|(name, e)| (name, serde_json::to_value(&e).unwrap()))
        .collect();
    seeds.push(("reference with DNAT".into(), support::reference_with_dnat()));
    seeds.push(("network interfaces".into(), support::network_interfaces()));
    for (name, base) in &seeds {
        for _ in 0..per_example {
            let mut v = base.clone();
            let mut what = Vec::new();
            // One to three mutations at once.
            for _ in 0..=rng.below(3) {
                if let Some(m) = mutate(&mut v, &mut rng) {
                    what.push(m);
                }
            }
            let Ok(estate) = Estate::from_json(&v.to_string()) else {
                refused += 1;
                continue;
            };
            loaded += 1;
            let mut local = Rng(rng.next());
            let run = panic::catch_unwind(AssertUnwindSafe(|| {
                analyse(&estate, &mut local);
                // Trace and reach agree on the mutant too (item 6), on a sample of pairs.
                let dp = DataPlane::compile(&estate, Options::default());
                let places = support::places(&dp);
                let pairs: Vec<_> = (0..8)
                    .map(|_| (local.below(places.len()), local.below(places.len())))
                    .filter(|(a, b)| a != b)
                    .collect();
                let label = format!("{name}: {}", what.join("; "));
                support::compare(&label, &dp, &places, &pairs)
            }));
            if let Ok((n, bad)) = &run {
                compared += n;
                disagreements.extend(bad.iter().cloned());
            }
            if run.is_err() {
                let why = PANICS.lock().unwrap().pop().unwrap_or_default();
                failures.push(format!("{name}: {} → {why}", what.join("; ")));
            }
        }
    }
    panic::set_hook(hook);
    eprintln!(
        "mutated estates: {loaded} loaded and analysed, {refused} refused by the reader, {} panicked; trace vs reach: {compared} comparisons, {} disagreements",
        failures.len(),
        disagreements.len()
    );
    assert!(loaded > seeds.len() * per_example / 2, "most mutants load");
    assert!(
        failures.is_empty(),
        "{} panics:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

/// Microsoft's firewall documentation: a stateful firewall drops replies of connections it did
/// not see, so a TCP flow whose reply takes another path than its request cannot complete
/// (azure-semantics §6.5, [FWFAQ]; issue 12, item 4). With the GatewaySubnet's route table gone,
/// on-premises traffic enters the spoke directly while the spoke's routes send the reply to the
/// hub firewall: TCP is denied with the reason, UDP is delivered with the warning, and reach
/// lists the TCP connections as unable to complete.
#[test]
fn a_tcp_flow_whose_reply_meets_a_firewall_it_did_not_cross_is_denied() {
    let d = design("x", aksnet_design::REFERENCE_INTENT).unwrap();
    let mut v = serde_json::to_value(&d.estate).unwrap();
    for vnet in v["virtualNetworks"].as_array_mut().unwrap() {
        for s in vnet["properties"]["subnets"].as_array_mut().unwrap() {
            if s["name"] == "GatewaySubnet" {
                s["properties"]
                    .as_object_mut()
                    .unwrap()
                    .remove("routeTable");
            }
        }
    }
    let estate = Estate::from_json(&v.to_string()).unwrap();
    let dp = DataPlane::compile(&estate, Options::default());
    let to = dp.place("aks-prod/snet-user").unwrap();
    let q = |protocol, port| Query {
        from: Place::OnPrem,
        to: to.clone(),
        protocol,
        port,
        fqdn: None,
    };
    let tcp = dp.trace(&q(Protocol::Tcp, 443));
    assert_eq!(
        tcp.verdict,
        aksnet_engine::trace::Verdict::Denied,
        "{tcp:#?}"
    );
    assert!(
        tcp.reason
            .starts_with("asymmetric: the reply crosses afw-contoso"),
        "{}",
        tcp.reason
    );
    assert!(tcp.return_path.is_some(), "the return walk is still shown");
    let udp = dp.trace(&q(Protocol::Udp, 53));
    assert!(!udp.reason.starts_with("asymmetric"), "{udp:#?}");
    let r = dp.reach(&Place::OnPrem, &to);
    assert!(r.paths.iter().any(|p| p
        .broken
        .as_deref()
        .is_some_and(|b| b.contains("afw-contoso"))));
}

/// SSH through a DNAT rule that translates the port (Internet → firewall:2222 → node:22) is SSH
/// from the Internet (issue 12, item 7): AKS-MGT-004 reports it, and a trace and reach agree on
/// it. The node's NSG sees the firewall's address, since DNAT'd connections are SNATed
/// (learn.microsoft.com/azure/firewall/firewall-known-issues).
#[test]
fn ssh_through_a_port_translating_dnat_rule_is_ssh_from_the_internet() {
    let mut v = support::reference_with_dnat();
    // Keep only the translating rule.
    let rules = &mut v["ruleCollectionGroups"]
        .as_array_mut()
        .unwrap()
        .last_mut()
        .unwrap()["properties"]["ruleCollections"][0]["rules"];
    rules
        .as_array_mut()
        .unwrap()
        .retain(|r| r["name"] == "ssh-alt");
    let estate = Estate::from_json(&v.to_string()).unwrap();
    let dp = DataPlane::compile(&estate, Options::default());
    let ssh_alt = |dp: &DataPlane| {
        dp.trace(&Query {
            from: Place::Internet,
            to: dp.place("198.18.0.2").unwrap(),
            protocol: Protocol::Tcp,
            port: 2222,
            fqdn: None,
        })
    };
    let t = ssh_alt(&dp);
    assert_eq!(t.verdict, aksnet_engine::trace::Verdict::Allowed, "{t:#?}");
    let last = t.hops.last().unwrap();
    assert_eq!(
        (last.packet.dst.to_string(), last.packet.port),
        ("10.240.1.5".into(), 22)
    );
    assert_eq!(
        last.packet.src.to_string(),
        "10.200.0.4",
        "the node sees the firewall"
    );
    let findings = aksnet_rules::check(&estate, &dp);
    let ssh: Vec<_> = findings
        .iter()
        .filter(|f| f.code == "AKS-MGT-004")
        .collect();
    assert!(
        ssh.iter().any(|f| f.message.starts_with("SSH (tcp/22)")),
        "{:#?}",
        findings.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
    // With the source kept (what-if switch), the node's NSG sees the Internet client.
    let mut o = Options::default();
    o.set("dnat-keeps-source").unwrap();
    let t = ssh_alt(&DataPlane::compile(&estate, o));
    assert!(
        t.hops
            .iter()
            .all(|h| h.packet.src.to_string() != "10.200.0.4"),
        "{t:#?}"
    );
}

/// An internal load balancer answers on its load-balancing rules' ports when the estate holds
/// them, and forwards to the backend port (issue 12, item 2): the system pool reaches the
/// ingress on 443 and 80 (arriving at 8080), not on 22, in a trace and in reach.
#[test]
fn an_internal_load_balancer_answers_on_its_rules_ports() {
    let v = support::reference_with_dnat();
    let estate = Estate::from_json(&v.to_string()).unwrap();
    let dp = DataPlane::compile(&estate, Options::default());
    let ilb = dp.place("ilb").unwrap();
    let from = dp.place("aks-prod/snet-system").unwrap();
    let t = |port| {
        dp.trace(&Query {
            from: from.clone(),
            to: ilb.clone(),
            protocol: Protocol::Tcp,
            port,
            fqdn: None,
        })
    };
    assert_eq!(
        t(443).verdict,
        aksnet_engine::trace::Verdict::Allowed,
        "{:#?}",
        t(443)
    );
    let http = t(80);
    assert_eq!(
        http.verdict,
        aksnet_engine::trace::Verdict::Allowed,
        "{http:#?}"
    );
    assert_eq!(http.hops.last().unwrap().packet.port, 8080);
    let ssh = t(22);
    assert_eq!(ssh.verdict, aksnet_engine::trace::Verdict::Denied);
    assert!(
        ssh.reason.contains("no load-balancing rule for tcp/22"),
        "{}",
        ssh.reason
    );
    let r = dp.reach(&from, &ilb);
    let (src, dst) = (dp.host(&from).ip, dp.host(&ilb).ip);
    assert!(r.total.contains(src, dst, Protocol::Tcp, 80));
    assert!(!r.total.contains(src, dst, Protocol::Tcp, 22));
    assert!(r.paths.iter().any(|p| p.translated_port == Some(8080)));
}

/// An Application Gateway whose backend is its own private frontend proxies to itself without
/// end: a trace stops and says so (it recursed until the stack overflowed), and reach stops too.
#[test]
fn an_app_gateway_that_proxies_to_itself_is_a_loop_not_a_crash() {
    let d = design("x", aksnet_design::REFERENCE_INTENT).unwrap();
    let mut v = serde_json::to_value(&d.estate).unwrap();
    let agw = &mut v["applicationGateways"][0]["properties"];
    let own = agw["frontendIPConfigurations"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|f| f["properties"]["privateIPAddress"].as_str())
        .unwrap()
        .to_string();
    agw["backendAddressPools"][0]["properties"]["backendAddresses"] =
        serde_json::json!([{ "ipAddress": own }]);
    let estate = Estate::from_json(&v.to_string()).unwrap();
    let dp = DataPlane::compile(&estate, Options::default());
    let appgw = dp.place("appgw").unwrap();
    let t = dp.trace(&Query {
        from: Place::Internet,
        to: appgw.clone(),
        protocol: Protocol::Tcp,
        port: 443,
        fqdn: None,
    });
    assert_eq!(t.verdict, aksnet_engine::trace::Verdict::Denied, "{t:#?}");
    assert!(t.reason.contains("routing loop"), "{}", t.reason);
    assert!(dp.reach(&Place::Internet, &appgw).total.is_empty());
}

/// Traffic a route sends to the firewall addressed to the firewall's own public IP: whether its
/// DNAT rules apply on the private side is not documented, so both evaluators say unknown.
#[test]
fn a_hairpin_to_the_firewalls_own_public_ip_is_unknown() {
    let estate = Estate::from_json(&support::reference_with_dnat().to_string()).unwrap();
    let dp = DataPlane::compile(&estate, Options::default());
    let from = dp.place("aks-prod/snet-system").unwrap();
    let to = dp.place("198.18.0.2").unwrap();
    let t = dp.trace(&Query {
        from: from.clone(),
        to: to.clone(),
        protocol: Protocol::Tcp,
        port: 443,
        fqdn: None,
    });
    assert_eq!(t.verdict, aksnet_engine::trace::Verdict::Unknown, "{t:#?}");
    let r = dp.reach(&from, &to);
    assert!(r.total.is_empty());
    assert!(r
        .paths
        .iter()
        .any(|p| p.unknown.iter().any(|u| u.contains("own public IP"))));
}

/// The false negative issue 15 reported: with a third-party NVA and a public API server with
/// authorized ranges, the nodes egress through the NVA subnet's NAT gateway, whose IP the
/// ranges lack — AKS-MGT-003 now asks the engine, so it sees that address (an error when it is
/// known and outside the ranges, a warning while it is assigned at deployment).
#[test]
fn authorized_ranges_are_checked_against_an_nva_s_egress_address() {
    let d = design(
        "x",
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/nva-pod-subnet.yaml"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut v = serde_json::to_value(&d.estate).unwrap();
    v["managedClusters"][0]["properties"]["apiServerAccessProfile"] =
        serde_json::json!({ "authorizedIPRanges": ["203.0.113.0/24"] });
    let mgt003 = |v: &Value| {
        let estate = Estate::from_json(&v.to_string()).unwrap();
        let dp = DataPlane::compile(&estate, Options::default());
        aksnet_rules::check(&estate, &dp)
            .into_iter()
            .filter(|f| f.code == "AKS-MGT-003")
            .map(|f| (f.severity, f.message))
            .collect::<Vec<_>>()
    };
    let found = mgt003(&v);
    assert!(
        found
            .iter()
            .any(|(s, m)| *s == aksnet_rules::Severity::Warning
                && m.contains("NAT gateway ng-nva-adatum")),
        "{found:#?}"
    );
    for pip in v["publicIPAddresses"].as_array_mut().unwrap() {
        if pip["name"] == "pip-ng-nva-adatum" {
            pip["properties"]["ipAddress"] = "20.1.2.3".into();
        }
    }
    let found = mgt003(&v);
    assert!(
        found
            .iter()
            .any(|(s, m)| *s == aksnet_rules::Severity::Error && m.contains("from 20.1.2.3")),
        "{found:#?}"
    );
}
