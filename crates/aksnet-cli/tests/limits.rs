//! Azure's limits on an imported estate: the AKS-CAP rules and the headroom table judge a
//! template by the same numbers as a designed estate. The fixture's expectations were worked out
//! by hand from its metadata before the rules existed: the kubenet cluster's route table needs
//! 361 + (3 + 1) + (36 + 1) = 402 routes of 400; the overlay cluster without a pod CIDR reaches
//! (3 + 1) + (210 + 1) = 215 nodes in AKS's default /16 (256 /24s), 83 %.

mod common;

use std::path::Path;

use common::{aksnet, err, out, sarif_locates};
use serde_json::Value;

fn dir() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/arm/limits"
    ))
}

fn json(args: &[&str]) -> (Value, i32) {
    let mut all = vec!["check", "kubenet-and-overlay.json", "--format", "json"];
    all.extend_from_slice(args);
    let o = aksnet(dir(), &all);
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", err(&o)));
    (v, o.status.code().unwrap())
}

/// (code, severity, message) of the AKS-CAP findings.
fn capacity(v: &Value) -> Vec<(String, String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("AKS-CAP"))
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_string();
            (s("code"), s("severity"), s("message"))
        })
        .collect()
}

#[test]
fn a_template_is_judged_by_the_limits_it_reaches_at_full_scale() {
    let (v, code) = json(&[]);
    assert_eq!(code, 1, "errors fail the run");
    let found = capacity(&v);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].0, "AKS-CAP-001");
    assert_eq!(found[0].1, "error");
    assert!(
        found[0].2.contains("402 of 400 routes")
            && found[0]
                .2
                .contains("41 node routes of kubenet cluster `aks-kubenet`"),
        "{}",
        found[0].2
    );
    assert_eq!(found[1].0, "AKS-CAP-009");
    assert_eq!(found[1].1, "warning");
    assert!(
        found[1].2.contains("215 of 256 nodes (83 %")
            && found[1].2.contains("AKS's default pod CIDR 10.244.0.0/16"),
        "{}",
        found[1].2
    );
    // The route table is located at its declaration in the template.
    let route_table = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "AKS-CAP-001")
        .unwrap();
    assert_eq!(route_table["location"]["line"], 13);
    // The headroom names the largest use of each limit that applies.
    let headroom = v["headroom"].as_array().unwrap();
    let routes = headroom
        .iter()
        .find(|h| h["limit"] == "route-table-routes")
        .unwrap();
    assert_eq!(
        (
            routes["used"].as_u64(),
            routes["max"].as_u64(),
            routes["level"].as_str()
        ),
        (Some(402), Some(400), Some("over"))
    );
    let pods = headroom
        .iter()
        .find(|h| h["limit"] == "pod-cidr-nodes")
        .unwrap();
    assert_eq!(
        (
            pods["used"].as_u64(),
            pods["max"].as_u64(),
            pods["level"].as_str()
        ),
        (Some(215), Some(256), Some("near"))
    );
    assert!(
        headroom
            .iter()
            .all(|h| h["limit"] != "firewall-rule-combinations"),
        "no firewall, no firewall limits"
    );
}

#[test]
fn parameters_move_a_usage_between_levels() {
    // 300 partner routes: 301 + 41 = 342 of 400 (85 %), a warning; 190 user nodes: 195 of 256
    // (76 %), nothing.
    let (v, _) = json(&["-p", "partnerRoutes=300", "-p", "overlayMaxCount=190"]);
    let found = capacity(&v);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        ("AKS-CAP-001", "warning")
    );
    assert!(
        found[0].2.contains("342 of 400 routes (85 %"),
        "{}",
        found[0].2
    );
    // 251 user nodes: 256 of 256 is still a warning; 252 is AKS-ADR-002's error, not a second
    // finding here.
    let (v, _) = json(&["-p", "overlayMaxCount=251"]);
    assert!(capacity(&v)
        .iter()
        .any(|f| f.0 == "AKS-CAP-009" && f.2.contains("256 of 256")));
    let (v, _) = json(&["-p", "overlayMaxCount=252"]);
    assert!(capacity(&v).iter().all(|f| f.0 != "AKS-CAP-009"));
    let adr: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "AKS-ADR-002")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(adr.iter().any(|m| m.contains("pod CIDR 10.244.0.0/16 (AKS's default, as the cluster states none) holds 256 node /24s, but the cluster can reach 257 nodes")), "{adr:#?}");
}

#[test]
fn text_sarif_and_markdown_show_the_limits() {
    let o = aksnet(dir(), &["check", "kubenet-and-overlay.json"]);
    let text = out(&o);
    assert!(
        text.contains("Headroom (Azure limits as of 2026-12"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.contains("routes per route table")
            && l.contains("402 / 400")
            && l.contains("(over)")
            && l.contains("rt-nodes")),
        "{text}"
    );
    let o = aksnet(
        dir(),
        &["check", "kubenet-and-overlay.json", "--format", "sarif"],
    );
    let sarif: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(sarif_locates(&sarif, "kubenet-and-overlay.json", 13));
    let o = aksnet(
        dir(),
        &["check", "kubenet-and-overlay.json", "--format", "markdown"],
    );
    assert!(
        out(&o).contains(
            "| routes per route table | 402 / 400 | 101 % (over) | 2 over | `rt-nodes` |"
        ),
        "{}",
        out(&o)
    );
}
