//! VNets with overlapping address spaces, end to end from Azure JSON to trace and reach verdicts.
//! Expected verdicts are reasoned from Microsoft's documentation before running: only peered
//! VNets must not overlap (azure-semantics §1.5 [VNETFAQ]), so two unpeered VNets may both be
//! 10.0.0.0/24; every VNet has a `VnetLocal` system route for its own address space
//! (§2.1 [UDR]), so from vnet-a a packet to 10.0.0.x is delivered in vnet-a and never reaches
//! vnet-b. A flow to a place in vnet-b is therefore `denied`, with the reason, and reach lets
//! nothing through; an address alone that both VNets hold names no one place and is refused
//! with the qualified places.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};

const SUB: &str =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network";

fn vnet_id(name: &str) -> String {
    format!("{SUB}/virtualNetworks/{name}")
}

/// A VNet with one subnet `default` covering its space, peered (both sides `Connected`) with
/// the VNets named.
fn vnet(name: &str, space: &str, peers: &[&str]) -> Value {
    let peerings: Vec<Value> = peers
        .iter()
        .map(|p| {
            json!({ "name": format!("to-{p}"), "properties": {
                "remoteVirtualNetwork": { "id": vnet_id(p) },
                "allowVirtualNetworkAccess": true, "peeringState": "Connected" } })
        })
        .collect();
    json!({
        "id": vnet_id(name), "name": name, "type": "Microsoft.Network/virtualNetworks",
        "location": "westeurope",
        "properties": {
            "addressSpace": { "addressPrefixes": [space] },
            "subnets": [{ "name": "default", "properties": { "addressPrefix": space } }],
            "virtualNetworkPeerings": peerings,
        }
    })
}

/// A NIC with one static address in `vnet`'s subnet `default`.
fn nic(name: &str, vnet: &str, ip: &str) -> Value {
    json!({
        "id": format!("{SUB}/networkInterfaces/{name}"), "name": name,
        "type": "Microsoft.Network/networkInterfaces", "location": "westeurope",
        "properties": { "ipConfigurations": [{ "name": "ipconfig1", "properties": {
            "primary": true, "privateIPAddress": ip, "privateIPAllocationMethod": "Static",
            "subnet": { "id": format!("{}/subnets/default", vnet_id(vnet)) } } }] }
    })
}

/// vnet-a and vnet-b, both 10.0.0.0/24 and not peered: nic-a 10.0.0.4 in vnet-a; nic-b
/// 10.0.0.5 (an address vnet-a has no NIC at) and nic-b2 10.0.0.4 (nic-a's own address, with
/// a NIC-level NSG) in vnet-b. vnet-c 10.1.0.0/24 and vnet-d 10.2.0.0/24, peered: nic-c 10.1.0.4, nic-d 10.2.0.4.
fn estate(dir: &Path) -> String {
    let resources = [
        vnet("vnet-a", "10.0.0.0/24", &[]),
        vnet("vnet-b", "10.0.0.0/24", &[]),
        vnet("vnet-c", "10.1.0.0/24", &["vnet-d"]),
        vnet("vnet-d", "10.2.0.0/24", &["vnet-c"]),
        nic("nic-a", "vnet-a", "10.0.0.4"),
        nic("nic-b", "vnet-b", "10.0.0.5"),
        {
            let mut n = nic("nic-b2", "vnet-b", "10.0.0.4");
            n["properties"]["networkSecurityGroup"] =
                json!({ "id": format!("{SUB}/networkSecurityGroups/nsg-b2") });
            n
        },
        json!({ "id": format!("{SUB}/networkSecurityGroups/nsg-b2"), "name": "nsg-b2",
            "type": "Microsoft.Network/networkSecurityGroups", "location": "westeurope",
            "properties": { "securityRules": [] } }),
        nic("nic-c", "vnet-c", "10.1.0.4"),
        nic("nic-d", "vnet-d", "10.2.0.4"),
    ];
    let path = dir.join("overlap.json");
    std::fs::write(&path, serde_json::to_string_pretty(&resources).unwrap()).unwrap();
    path.display().to_string()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aksnet"))
        .args(args)
        .output()
        .expect("runs")
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

fn trace(file: &str, from: &str, to: &str) -> Value {
    json_of(&run(&[
        "trace",
        "--azure-json",
        file,
        "--from",
        from,
        "--to",
        to,
        "--format",
        "json",
    ]))
}

fn reach(file: &str, from: &str, to: &str) -> Value {
    json_of(&run(&[
        "reach",
        "--azure-json",
        file,
        "--from",
        from,
        "--to",
        to,
        "--format",
        "json",
    ]))
}

/// Whether reach lets anything through (its total, or any path).
fn gets_through(r: &Value) -> bool {
    r["total"].as_array().is_some_and(|t| !t.is_empty())
        || r["paths"].as_array().is_some_and(|p| !p.is_empty())
}

/// nic-a → nic-b: 10.0.0.5 is vnet-a's own space, delivered in vnet-a/default; the flow is
/// denied with that reason, and reach lets nothing through, saying why.
#[test]
fn a_nic_in_an_overlapping_unpeered_vnet_is_not_reached() {
    let d = tempfile::tempdir().unwrap();
    let f = estate(d.path());
    let t = trace(&f, "nic-a", "nic-b");
    assert_eq!(t["verdict"], "denied", "{t:#}");
    let reason = t["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("10.0.0.5 is delivered in vnet-a/default, not to nic-b in vnet-b")
            && reason.contains("address spaces of vnet-a and vnet-b overlap"),
        "{reason}"
    );
    // Every hop stays in vnet-a.
    assert!(t["hops"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["at"] == "vnet-a/default"));
    let r = reach(&f, "nic-a", "nic-b");
    assert!(!gets_through(&r), "{r:#}");
    assert!(
        r["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("not to nic-b in vnet-b")),
        "{r:#}"
    );
    // The subnet as a place likewise.
    let t = trace(&f, "nic-a", "vnet-b/default");
    assert_eq!(t["verdict"], "denied", "{t:#}");
    assert!(!gets_through(&reach(&f, "nic-a", "vnet-b/default")));
}

/// nic-a → nic-b2, which has nic-a's own address in vnet-b: the packet is delivered in
/// vnet-a (to nic-a itself), never to nic-b2: denied. The other way round likewise.
#[test]
fn the_same_address_in_the_other_vnet_is_not_reached() {
    let d = tempfile::tempdir().unwrap();
    let f = estate(d.path());
    for (from, to, target) in [
        ("nic-a", "nic-b2", "not to nic-b2 in vnet-b"),
        ("nic-b2", "nic-a", "not to nic-a in vnet-a"),
    ] {
        let t = trace(&f, from, to);
        assert_eq!(t["verdict"], "denied", "{t:#}");
        assert!(t["reason"].as_str().unwrap().contains(target), "{t:#}");
        assert!(!gets_through(&reach(&f, from, to)));
    }
}

/// A NIC's flows start in its own VNet: nic-b2 (10.0.0.4, vnet-b) reaches nic-b in vnet-b, in
/// trace, in reach, and in reach's witness, though vnet-a also holds 10.0.0.4.
#[test]
fn a_nic_starts_in_its_own_vnet() {
    let d = tempfile::tempdir().unwrap();
    let f = estate(d.path());
    let t = trace(&f, "nic-b2", "nic-b");
    assert_eq!(t["verdict"], "allowed", "{t:#}");
    let in_vnet_b = |t: &Value| {
        t["hops"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["at"].as_str().unwrap().starts_with("vnet-b/default"))
    };
    assert!(in_vnet_b(&t), "{t:#}");
    // The other way, nic-b2's own NSG is the one met, by its name (nic-a holds 10.0.0.4 too).
    let t = trace(&f, "nic-b", "nic-b2");
    assert_eq!(t["verdict"], "allowed", "{t:#}");
    assert!(
        t["hops"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["at"] == "vnet-b/default (NIC nic-b2)"),
        "{t:#}"
    );
    let r = reach(&f, "nic-b2", "nic-b");
    assert!(gets_through(&r), "{r:#}");
    let w = &r["paths"][0]["witness"];
    assert_eq!(w["verdict"], "allowed", "{r:#}");
    assert!(in_vnet_b(w), "{r:#}");
}

/// Peered VNets that do not overlap are unaffected: nic-c → nic-d crosses the peering and is
/// delivered to nic-d.
#[test]
fn peered_vnets_without_overlap_still_connect() {
    let d = tempfile::tempdir().unwrap();
    let f = estate(d.path());
    let t = trace(&f, "nic-c", "nic-d");
    assert_eq!(t["verdict"], "allowed", "{t:#}");
    assert!(t["hops"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["kind"] == "peering"));
    assert!(gets_through(&reach(&f, "nic-c", "nic-d")));
}

/// 10.0.0.5 alone is in subnets of vnet-a and vnet-b: refused, naming both qualified places,
/// each of which is a place.
#[test]
fn an_address_both_vnets_hold_is_refused_with_the_qualified_places() {
    let d = tempfile::tempdir().unwrap();
    let f = estate(d.path());
    let o = run(&[
        "trace",
        "--azure-json",
        &f,
        "--from",
        "nic-a",
        "--to",
        "10.0.0.5",
    ]);
    assert_ne!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("`10.0.0.5` is ambiguous") && err.contains("a:10.0.0.5, b:10.0.0.5"),
        "{err}"
    );
    // Qualified, each is the address in that VNet.
    let t = trace(&f, "nic-a", "b:10.0.0.5");
    assert_eq!(t["verdict"], "denied", "{t:#}");
    assert!(t["reason"]
        .as_str()
        .unwrap()
        .contains("not to nic-b in vnet-b"));
    let t = trace(&f, "nic-a", "a:10.0.0.5");
    assert_eq!(t["verdict"], "allowed", "{t:#}");
    // Qualified by a VNet none of whose subnets holds it: refused, saying so.
    let o = run(&[
        "trace",
        "--azure-json",
        &f,
        "--from",
        "nic-a",
        "--to",
        "c:10.0.0.5",
    ]);
    assert_ne!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("10.0.0.5 is in no subnet of vnet-c"), "{err}");
    // An address one VNet holds needs no qualifier.
    let t = trace(&f, "nic-c", "10.2.0.4");
    assert_eq!(t["verdict"], "allowed", "{t:#}");
}
