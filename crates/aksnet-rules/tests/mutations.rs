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

use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;

use aksnet_design::design;
use aksnet_engine::places::Place;
use aksnet_engine::trace::Query;
use aksnet_engine::{DataPlane, Options};
use aksnet_model::Estate;
use aksnet_net::Protocol;
use serde_json::{json, Value};

/// SplitMix64: a small, seeded generator so every run mutates the same way.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A JSON path to a value, as a list of keys and indices.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn paths(v: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                here.push(Step::Key(k.clone()));
                paths(x, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                here.push(Step::Index(i));
                paths(x, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn at<'v>(v: &'v mut Value, path: &[Step]) -> &'v mut Value {
    path.iter().fold(v, |v, s| match s {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

fn get<'v>(v: &'v Value, path: &[Step]) -> &'v Value {
    path.iter().fold(v, |v, s| match s {
        Step::Key(k) => &v[k.as_str()],
        Step::Index(i) => &v[*i],
    })
}

fn show(path: &[Step]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => format!(".{k}"),
            Step::Index(i) => format!("[{i}]"),
        })
        .collect()
}

/// One mutation of the estate's JSON, described for the failure message; `None` when the chosen
/// kind found nothing to change.
fn mutate(v: &mut Value, rng: &mut Rng) -> Option<String> {
    let mut all = Vec::new();
    paths(v, &mut Vec::new(), &mut all);
    // Resources live below the top-level collections; leave the envelope keys alone so most
    // mutants load and reach the engine.
    all.retain(|p| p.len() >= 3);
    let strings = |pred: &dyn Fn(&str) -> bool, v: &Value| -> Vec<Vec<Step>> {
        let mut all = Vec::new();
        paths(v, &mut Vec::new(), &mut all);
        all.into_iter()
            .filter(|p| get(v, p).as_str().is_some_and(pred))
            .collect()
    };
    match rng.below(7) {
        0 => {
            // Drop a key.
            let keyed: Vec<_> = all
                .iter()
                .filter(|p| matches!(p.last(), Some(Step::Key(_))))
                .collect();
            let p = keyed.get(rng.below(keyed.len()))?.to_vec();
            let (Step::Key(k), parent) = p.split_last()? else {
                return None;
            };
            at(v, parent).as_object_mut()?.remove(k);
            Some(format!("drop {}", show(&p)))
        }
        1 => {
            // Drop an array element.
            let idx: Vec<_> = all
                .iter()
                .filter(|p| matches!(p.last(), Some(Step::Index(_))))
                .collect();
            let p = idx.get(rng.below(idx.len()))?.to_vec();
            let (Step::Index(i), parent) = p.split_last()? else {
                return None;
            };
            at(v, parent).as_array_mut()?.remove(*i);
            Some(format!("drop {}", show(&p)))
        }
        2 => {
            // Move an address: outside every subnet, or to a subnet's edge.
            let ips = strings(&|s| s.parse::<std::net::Ipv4Addr>().is_ok(), v);
            let p = ips.get(rng.below(ips.len()))?.clone();
            let to = [
                "192.0.2.77",
                "10.255.255.255",
                "0.0.0.0",
                "100.64.0.1",
                "8.8.8.8",
            ][rng.below(5)];
            *at(v, &p) = Value::String(to.into());
            Some(format!("{} = {to}", show(&p)))
        }
        3 => {
            // Shrink or widen a prefix.
            let cidrs = strings(&|s| s.contains('/') && s.split('/').count() == 2, v);
            let cidrs: Vec<_> = cidrs
                .into_iter()
                .filter(|p| {
                    get(v, p)
                        .as_str()
                        .and_then(|s| s.split_once('/'))
                        .is_some_and(|(a, _)| a.parse::<std::net::Ipv4Addr>().is_ok())
                })
                .collect();
            let p = cidrs.get(rng.below(cidrs.len()))?.clone();
            let old = at(v, &p).as_str()?.to_string();
            let (addr, _) = old.split_once('/')?;
            let a: std::net::Ipv4Addr = addr.parse().ok()?;
            let len = [0u8, 8, 16, 24, 28, 29, 30, 31, 32][rng.below(9)];
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            let net = std::net::Ipv4Addr::from(u32::from(a) & mask);
            let new = format!("{net}/{len}");
            *at(v, &p) = Value::String(new.clone());
            Some(format!("{} {old} → {new}", show(&p)))
        }
        4 => {
            // Dangle a reference.
            let ids = strings(&|s| s.starts_with("/subscriptions/"), v);
            let ids: Vec<_> = ids.into_iter().filter(|p| p.len() > 3).collect();
            let p = ids.get(rng.below(ids.len()))?.clone();
            *at(v, &p) = Value::String(
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/gone/providers/Microsoft.Network/virtualNetworks/gone/subnets/gone".into(),
            );
            Some(format!("{} dangles", show(&p)))
        }
        5 => {
            // Null a value.
            let p = all.get(rng.below(all.len()))?.clone();
            *at(v, &p) = Value::Null;
            Some(format!("{} = null", show(&p)))
        }
        _ => {
            // Empty an array.
            let arrays: Vec<_> = all
                .iter()
                .filter(|p| get(v, p).is_array())
                .cloned()
                .collect();
            let p = arrays.get(rng.below(arrays.len()))?.clone();
            *at(v, &p) = Value::Array(Vec::new());
            Some(format!("{} = []", show(&p)))
        }
    }
}

/// Every analysis a user can run on an estate, on a sample of place pairs.
fn analyse(estate: &Estate, rng: &mut Rng) {
    let dp = DataPlane::compile(estate, Options::default());
    let mut places: Vec<Place> = dp
        .known_places()
        .iter()
        .filter_map(|p| dp.place(p).ok())
        .collect();
    for ip in ["10.240.0.4", "192.0.2.9", "203.0.113.10", "10.0.0.4"] {
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
    for s in 0..dp.topology.subnets.len() {
        let _ = &dp.routes[s];
    }
    aksnet_rules::check(estate, &dp);
}

/// The reference with DNAT rules on the firewall's public IP (to a node and to the ILB), so that
/// mutations reach the DNAT path; the examples have none.
fn reference_with_dnat() -> Value {
    let d = design("x", aksnet_design::REFERENCE_INTENT).unwrap();
    let mut v = serde_json::to_value(&d.estate).unwrap();
    let policy = v["firewallPolicies"][0]["id"].as_str().unwrap().to_string();
    let rule = |name: &str, port: &str, to: &str| {
        json!({ "ruleType": "NatRule", "name": name, "ipProtocols": ["TCP"], "sourceAddresses": ["*"],
            "destinationAddresses": ["198.18.0.2"], "destinationPorts": [port],
            "translatedAddress": to, "translatedPort": port })
    };
    v["ruleCollectionGroups"].as_array_mut().unwrap().push(json!({
        "id": format!("{policy}/ruleCollectionGroups/rcg-dnat"), "name": "rcg-dnat",
        "type": "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
        "properties": { "priority": 150, "ruleCollections": [{
            "ruleCollectionType": "FirewallPolicyNatRuleCollection", "name": "dnat", "priority": 100,
            "action": { "type": "DNAT" },
            "rules": [rule("ssh", "22", "10.240.1.4"), rule("https", "443", "10.240.1.52")] }] }
    }));
    v
}

#[test]
fn a_firewall_outside_every_subnet_denies_its_dnat_flows_and_says_why() {
    let mut v = reference_with_dnat();
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
    assert_eq!(t.verdict, "denied", "{t:#?}");
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
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut examples: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    examples.sort();
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
    let mut rng = Rng(0x5EED_0012);
    let mut seeds: Vec<(String, Value)> = examples
        .iter()
        .map(|path| {
            let d = design("x", &std::fs::read_to_string(path).unwrap()).unwrap();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                serde_json::to_value(&d.estate).unwrap(),
            )
        })
        .collect();
    seeds.push(("reference with DNAT".into(), reference_with_dnat()));
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
            if panic::catch_unwind(AssertUnwindSafe(|| analyse(&estate, &mut local))).is_err() {
                let why = PANICS.lock().unwrap().pop().unwrap_or_default();
                failures.push(format!("{name}: {} → {why}", what.join("; ")));
            }
        }
    }
    panic::set_hook(hook);
    eprintln!(
        "mutated estates: {loaded} loaded and analysed, {refused} refused by the reader, {} panicked",
        failures.len()
    );
    assert!(loaded > seeds.len() * per_example / 2, "most mutants load");
    assert!(
        failures.is_empty(),
        "{} panics:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
