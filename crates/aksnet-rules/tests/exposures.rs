//! One walk for many sources (`DataPlane::exposures_paths`, what `aksnet diff` uses) gives each
//! source what its own exposure walk gives: the same packets delivered at the same places, with
//! the same names, unknown reasons, breakage and translated port. Sources are every place a user
//! can name (subnets, endpoints inside them, addresses, the Internet, on-premises), so some
//! overlap and must be walked apart; each asks for its own destinations. On every example, the
//! reference with DNAT rules, NIC-level NSGs, overlapping VNets and the synthetic estate with a
//! 100-rule firewall, under the default semantics and every switch; and on mutants of them
//! (a route table dropped, an address moved, ...: sources whose walks part where the
//! designed estates' run alike).

mod support;

use std::collections::BTreeMap;

use aksnet_engine::reach::PathResult;
use aksnet_engine::{DataPlane, Options, Place};
use aksnet_model::Estate;
use aksnet_net::{PacketSet, PrefixSet};

/// Per place delivered, names, unknown reasons, breakage and translated port: the packets.
type Said = BTreeMap<
    (
        String,
        Vec<String>,
        Vec<String>,
        Option<String>,
        Option<u16>,
    ),
    PacketSet,
>;

fn said(paths: &[PathResult]) -> Said {
    let mut by = Said::new();
    for p in paths {
        let mut names = p.by_name.clone();
        names.sort();
        let e = by
            .entry((
                p.delivered_at.clone(),
                names,
                p.unknown.clone(),
                p.broken.clone(),
                p.translated_port,
            ))
            .or_insert_with(PacketSet::empty);
        *e = e.union(&p.packets);
    }
    by.retain(|_, v| !v.is_empty());
    by
}

fn estates() -> Vec<(String, Estate)> {
    let mut v = support::designed_examples();
    for (name, json) in [
        ("reference with DNAT", support::reference_with_dnat()),
        ("NIC-level NSGs", support::network_interfaces()),
        ("overlapping VNets", support::overlapping_vnets()),
    ] {
        v.push((name.into(), Estate::from_json(&json.to_string()).unwrap()));
    }
    v.push(("synthetic, 4 spokes".into(), xtask::estate(4, 20, 100)));
    v
}

/// Mutants of the designed examples and the hand-written estates, seeded (`support::mutate`,
/// as `mutations.rs` makes them), those that load.
fn mutants() -> Vec<(String, Estate)> {
    let mut rng = support::Rng(0xE_C905);
    let mut seeds: Vec<(String, serde_json::Value)> = support::designed_examples()
        .into_iter()
        .map(|(name, e)| (name, serde_json::to_value(&e).unwrap()))
        .collect();
    seeds.push(("reference with DNAT".into(), support::reference_with_dnat()));
    seeds.push(("NIC-level NSGs".into(), support::network_interfaces()));
    let mut out = Vec::new();
    for (name, base) in &seeds {
        for _ in 0..12 {
            let mut v = base.clone();
            let mut what = Vec::new();
            for _ in 0..=rng.below(3) {
                what.extend(support::mutate(&mut v, &mut rng));
            }
            if let Ok(e) = Estate::from_json(&v.to_string()) {
                out.push((format!("{name} mutated ({})", what.join("; ")), e));
            }
        }
    }
    out
}

/// Compares the shared walk with the walks alone for every place of `dp`; returns the number of
/// sources compared and the differences.
fn compare(label: &str, dp: &DataPlane) -> (usize, Vec<String>) {
    let places: Vec<(String, Place)> = support::places(dp);
    // Destinations: everything, or one VNet's space, or one place's addresses, in turn.
    let spaces: Vec<PrefixSet> = dp.topology.vnets.iter().map(|v| v.space.clone()).collect();
    let dsts: Vec<PrefixSet> = places
        .iter()
        .enumerate()
        .map(|(i, _)| match i % 3 {
            0 => PrefixSet::everything(),
            1 if !spaces.is_empty() => spaces[i % spaces.len()].clone(),
            _ => dp.place_set(&places[(i * 7) % places.len()].1),
        })
        .collect();
    let asked: Vec<(&Place, &PrefixSet)> = places.iter().map(|(_, p)| p).zip(&dsts).collect();
    let shared = dp.exposures_paths(&asked);
    let mut bad = Vec::new();
    for ((name, from), (dst, got)) in places.iter().zip(dsts.iter().zip(&shared)) {
        let alone = dp.exposure_paths(from, dst);
        if said(got) != said(&alone) {
            bad.push(format!(
                "{label}: from {name} to {dst}:\n  shared {:#?}\n  alone {:#?}",
                said(got),
                said(&alone)
            ));
        }
    }
    (places.len(), bad)
}

#[test]
fn one_walk_for_many_sources_gives_each_its_own_exposure() {
    let (mut total, mut bad) = (0, Vec::new());
    let estates = estates();
    let mut semantics = vec![(String::from("default"), Options::default())];
    for (switch, _) in aksnet_engine::options::SWITCHES {
        let mut o = Options::default();
        o.set(switch).unwrap();
        semantics.push((format!("--switch {switch}"), o));
    }
    for (name, e) in &estates {
        for (how, o) in &semantics {
            let dp = DataPlane::compile(e, o.clone());
            let (n, b) = compare(&format!("{name} ({how})"), &dp);
            total += n;
            bad.extend(b);
        }
    }
    all_equal(total, &bad);
}

/// Asserts that many sources were compared and none differed.
fn all_equal(total: usize, bad: &[String]) {
    assert!(total > 1000, "{total} sources");
    assert!(
        bad.is_empty(),
        "{} differences:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn one_walk_for_many_sources_gives_each_its_own_exposure_on_mutants() {
    let (mut total, mut bad) = (0, Vec::new());
    let mutants = mutants();
    for (name, e) in &mutants {
        let dp = DataPlane::compile(e, Options::default());
        let (n, b) = compare(name, &dp);
        total += n;
        bad.extend(b);
    }
    assert!(mutants.len() > 50, "{} mutants load", mutants.len());
    all_equal(total, &bad);
}
