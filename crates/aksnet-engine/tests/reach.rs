//! Packet-set reachability on the reference design, and its agreement with hop-by-hop traces.

use aksnet_design::{design, REFERENCE_INTENT, REFERENCE_NAME};
use aksnet_engine::places::{Place, PlaceReason};
use aksnet_engine::trace::Query;
use aksnet_engine::{DataPlane, Options};
use aksnet_net::Protocol;

/// An example under `examples/`, designed.
fn example(name: &str) -> aksnet_model::Estate {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../examples/{name}.yaml"));
    design("x", &std::fs::read_to_string(path).unwrap())
        .unwrap()
        .estate
}

fn dp_of(e: &aksnet_model::Estate) -> DataPlane<'_> {
    DataPlane::compile(e, Options::default())
}

#[test]
fn the_internet_reaches_only_the_app_gateway_listener_and_through_it_the_user_pool() {
    let e = design(REFERENCE_NAME, REFERENCE_INTENT).unwrap().estate;
    let dp = dp_of(&e);
    let r = dp.exposure(&Place::Internet);
    // Replies to the observed 25.x `None` ranges (azure-semantics §2.1) are dropped in the App
    // Gateway's subnet, so connections from there cannot complete: a path of their own.
    let (live, broken): (Vec<_>, Vec<_>) = r.paths.iter().partition(|p| p.broken.is_none());
    assert_eq!(live.len(), 1, "{:#?}", r.paths);
    assert!(broken.iter().all(|p| p
        .broken
        .as_deref()
        .is_some_and(|b| b.contains("does not find its way back"))));
    let p = live[0];
    assert_eq!(p.delivered_at, "vnet-aks-prod/snet-user");
    assert!(p
        .via
        .iter()
        .any(|v| v.contains("agw-aks-prod listener tcp/443")));
    assert_eq!(r.total_described.len(), 1);
    assert!(
        r.total_described[0].starts_with("tcp/443 from Internet"),
        "{:?}",
        r.total_described
    );
    assert!(p
        .witness
        .as_ref()
        .is_some_and(|w| w.verdict == aksnet_engine::trace::Verdict::Allowed));
}

#[test]
fn node_egress_to_the_internet_is_by_name_only() {
    let e = design(REFERENCE_NAME, REFERENCE_INTENT).unwrap().estate;
    let dp = dp_of(&e);
    let r = dp.reach(&dp.place("aks-prod/snet-user").unwrap(), &Place::Internet);
    assert!(
        r.total.is_empty(),
        "nothing passes without a name: {:?}",
        r.total_described
    );
    let names: Vec<&String> = r.paths.iter().flat_map(|p| &p.by_name).collect();
    for n in [
        "mcr.microsoft.com",
        "tag:AzureKubernetesService",
        "*.github.com",
        "ntp.ubuntu.com",
    ] {
        assert!(names.iter().any(|x| *x == n), "{n} missing from {names:?}");
    }
    assert!(
        r.paths
            .iter()
            .all(|p| p.via.iter().any(|v| v.contains("afw-contoso"))),
        "every path crosses the firewall"
    );
    assert!(r.paths.iter().all(|p| p
        .witness
        .as_ref()
        .is_some_and(|w| w.verdict == aksnet_engine::trace::Verdict::Allowed)));
}

#[test]
fn on_premises_reaches_the_ilb_on_443_only_and_spokes_not_at_all() {
    let e = design(REFERENCE_NAME, REFERENCE_INTENT).unwrap().estate;
    let dp = dp_of(&e);
    let r = dp.reach(&Place::OnPrem, &dp.place("ilb").unwrap());
    assert_eq!(
        r.total_described,
        ["tcp/443 from onprem to kubernetes-internal/ingress (10.240.1.52)"]
    );
    let r = dp.reach(&Place::OnPrem, &dp.place("aks-prod/snet-system").unwrap());
    assert!(r.total.is_empty(), "{:?}", r.total_described);
}

#[test]
fn reach_agrees_with_trace_packet_by_packet() {
    let e = design(REFERENCE_NAME, REFERENCE_INTENT).unwrap().estate;
    let dp = dp_of(&e);
    let places = [
        "internet",
        "onprem",
        "bastion",
        "aks-prod/snet-user",
        "aks-prod/snet-system",
        "appgw",
        "ilb",
        "acr",
        "keyvault",
        "aks-prod/snet-pep",
    ];
    let mut checked = 0;
    for from in places {
        for to in places {
            if from == to {
                continue;
            }
            let (f, t) = (dp.place(from).unwrap(), dp.place(to).unwrap());
            let r = dp.reach(&f, &t);
            let (src, dst) = (dp.host(&f).ip, dp.host(&t).ip);
            for (proto, port) in [
                (Protocol::Tcp, 22),
                (Protocol::Tcp, 443),
                (Protocol::Udp, 53),
                (Protocol::Tcp, 8080),
            ] {
                let tr = dp.trace(&Query {
                    from: f.clone(),
                    to: t.clone(),
                    protocol: proto,
                    port,
                    fqdn: None,
                });
                let in_set = r.total.contains(
                    src,
                    if to == "internet" {
                        aksnet_engine::places::INTERNET_SERVER
                    } else {
                        dst
                    },
                    proto,
                    port,
                );
                assert_eq!(
                    in_set,
                    tr.verdict == aksnet_engine::trace::Verdict::Allowed,
                    "{from} -> {to} {proto}/{port}: reach says {in_set}, trace says {} ({})",
                    tr.verdict,
                    tr.reason
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 300);
}

/// A private address that belongs to nothing in the estate is refused with the reason, never
/// taken for an Internet host (issue 12, item 3); a public address is an Internet host and says so.
#[test]
fn addresses_outside_the_estate_are_refused_or_labelled() {
    let e = design(REFERENCE_NAME, REFERENCE_INTENT).unwrap().estate;
    let dp = dp_of(&e);
    let err = dp.place("172.31.9.9").unwrap_err();
    assert!(
        err.reason.to_string().contains("no subnet of the estate"),
        "{err}"
    );
    let err = dp.place("10.240.250.9").unwrap_err();
    assert!(
        err.reason
            .to_string()
            .contains("vnet-aks-prod's address space"),
        "{err}"
    );
    let inet = dp.place("203.0.113.10").unwrap();
    assert_eq!(dp.host(&inet).label, "203.0.113.10 (Internet host)");
    let node = dp.place("10.240.1.4").unwrap();
    assert_eq!(dp.host(&node).label, "10.240.1.4");
}

/// Every place a hint suggests works (issue 12, item 9): each known place parses, and an
/// ambiguous endpoint name lists qualified names that each resolve — public API servers
/// included, which belong where their cluster's nodes are.
#[test]
fn every_suggested_place_resolves() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut ambiguous = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let e = design("x", &std::fs::read_to_string(&path).unwrap())
            .unwrap()
            .estate;
        let dp = dp_of(&e);
        for p in dp.known_places() {
            assert!(
                dp.place(&p).is_ok(),
                "{}: `{p}` is listed but refused",
                path.display()
            );
        }
        for name in [
            "acr",
            "acr-data",
            "keyvault",
            "apiserver",
            "appgw",
            "ilb",
            "firewall",
            "bastion",
        ] {
            let Err(err) = dp.place(name) else { continue };
            let PlaceReason::Ambiguous { names, .. } = err.reason else {
                continue;
            };
            ambiguous += 1;
            for q in &names {
                assert!(
                    dp.place(q).is_ok(),
                    "{}: suggested `{q}` is refused",
                    path.display()
                );
            }
        }
    }
    assert!(ambiguous > 0, "multi-spoke has several clusters");
}

/// A public API server answers on TCP 443 only: the Internet reaches it there and nowhere else,
/// in a trace and in reach alike (issue 12: `trace --port 22` said allowed while reach admitted
/// only 443).
#[test]
fn a_public_api_server_answers_on_443_only() {
    let e = example("public-api");
    let dp = dp_of(&e);
    let api = dp.place("apiserver").unwrap();
    let from = dp.place("203.0.113.10").unwrap();
    let t = |port| {
        dp.trace(&Query {
            from: from.clone(),
            to: api.clone(),
            protocol: Protocol::Tcp,
            port,
            fqdn: None,
        })
    };
    assert_eq!(t(22).verdict, "denied");
    assert!(
        t(22).reason.contains("answers on tcp/443 only"),
        "{}",
        t(22).reason
    );
    let r = dp.reach(&from, &api);
    assert!(!r.total.contains(
        "203.0.113.10".parse().unwrap(),
        dp.host(&api).ip,
        Protocol::Tcp,
        22
    ));
}

/// A flow through a third-party NVA is unknown: its own rules are not in the estate, and reach
/// keeps those packets out of its total with the same reason.
#[test]
fn a_flow_through_a_third_party_nva_is_unknown() {
    let e = example("nva-pod-subnet");
    let dp = dp_of(&e);
    let from = dp.place("vnet-payments/snet-user").unwrap();
    let t = dp.trace(&Query {
        from: from.clone(),
        to: Place::Internet,
        protocol: Protocol::Tcp,
        port: 443,
        fqdn: Some("mcr.microsoft.com".into()),
    });
    assert_eq!(t.verdict, "unknown", "{t:#?}");
    assert!(
        t.reason.contains("forwards by its own rules"),
        "{}",
        t.reason
    );
    let r = dp.reach(&from, &Place::Internet);
    assert!(r.total.is_empty(), "{:?}", r.total_described);
    assert!(r
        .paths
        .iter()
        .all(|p| p.unknown.iter().any(|u| u.contains("its own rules"))));
}

/// Nodes reach a public API server from their egress address (here the firewall's public IP),
/// and that is what `authorizedIPRanges` must hold [AKS-AUTHIP]: a known address in the ranges
/// is allowed, one outside them denied, and a stand-in for an address assigned at deployment
/// unknown — in a trace and in reach alike.
#[test]
fn a_public_api_server_sees_the_egress_address() {
    let designed = example("public-api");
    let verdict = |firewall_ip: Option<&str>| {
        let mut v = serde_json::to_value(&designed).unwrap();
        if let Some(ip) = firewall_ip {
            for pip in v["publicIPAddresses"].as_array_mut().unwrap() {
                if pip["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("pip-afw"))
                {
                    pip["properties"]["ipAddress"] = ip.into();
                }
            }
        }
        let e = aksnet_model::Estate::from_json(&v.to_string()).unwrap();
        let dp = dp_of(&e);
        let (from, to) = (
            dp.place("web/snet-user").unwrap(),
            dp.place("apiserver").unwrap(),
        );
        let t = dp.trace(&Query {
            from: from.clone(),
            to: to.clone(),
            protocol: Protocol::Tcp,
            port: 443,
            fqdn: None,
        });
        let r = dp.reach(&from, &to);
        (
            t.verdict.as_str().to_string(),
            t.reason,
            r.paths.iter().any(|p| !p.unknown.is_empty()),
        )
    };
    let (v, reason, unknown_path) = verdict(None);
    assert_eq!(v, "unknown", "{reason}");
    assert!(reason.contains("assigned at deployment"), "{reason}");
    assert!(unknown_path);
    // public-api.yaml authorizes 198.51.100.17/32.
    assert_eq!(verdict(Some("198.51.100.17")).0, "allowed");
    let (v, reason, _) = verdict(Some("192.0.2.200"));
    assert_eq!(v, "denied");
    assert!(
        reason.contains("192.0.2.200 is not in authorizedIPRanges"),
        "{reason}"
    );
}

/// A DNAT rule that translates to an FQDN (which the firewall resolves and the estate does not)
/// leaves the flow unknown, in a trace and in reach alike: never "no DNAT rule".
#[test]
fn dnat_to_an_fqdn_is_unknown_in_trace_and_reach() {
    use aksnet_engine::endpoints::EndpointKind;
    let mut e = design(REFERENCE_NAME, REFERENCE_INTENT).unwrap().estate;
    let policy = e.firewall_policies.iter().next().unwrap().id.clone();
    let group: aksnet_model::Resource<aksnet_model::firewall::RuleCollectionGroup> =
        serde_json::from_value(serde_json::json!({
            "id": format!("{policy}/ruleCollectionGroups/dnat"),
            "properties": { "priority": 100, "ruleCollections": [{
                "ruleCollectionType": "FirewallPolicyNatRuleCollection", "name": "in",
                "priority": 100, "action": { "type": "DNAT" },
                "rules": [{ "ruleType": "NatRule", "name": "web", "ipProtocols": ["TCP"],
                    "sourceAddresses": ["*"], "destinationAddresses": ["*"],
                    "destinationPorts": ["8080"], "translatedFqdn": "web.contoso.internal",
                    "translatedPort": "80" }] }] }
        }))
        .unwrap();
    e.rule_collection_groups.insert(group);
    let dp = dp_of(&e);
    let public = dp
        .endpoints
        .iter()
        .find(|x| x.kind == EndpointKind::FirewallPublic)
        .unwrap()
        .ip;
    let to = dp.place(&public.to_string()).unwrap();
    let tr = dp.trace(&Query {
        from: Place::Internet,
        to: to.clone(),
        protocol: Protocol::Tcp,
        port: 8080,
        fqdn: None,
    });
    assert_eq!(
        tr.verdict,
        aksnet_engine::trace::Verdict::Unknown,
        "{}",
        tr.reason
    );
    assert!(
        tr.reason
            .contains("DNAT rule dnat/in/web translates to the FQDN `web.contoso.internal`"),
        "{}",
        tr.reason
    );
    let r = dp.reach(&Place::Internet, &to);
    let src = dp.host(&Place::Internet).ip;
    assert!(!r.total.contains(src, public, Protocol::Tcp, 8080));
    assert!(r.paths.iter().any(|p| p
        .unknown
        .iter()
        .any(|u| u.contains("translates to the FQDN `web.contoso.internal`"))
        && p.packets.contains(src, public, Protocol::Tcp, 8080)));
}
