//! The diagram: valid SVG (parsed as XML), every VNet and subnet drawn, boxes that never overlap
//! from 1 to 20 spokes, flows drawn as coloured polylines, deterministic output; dot and
//! Mermaid snapshots.

use aksnet_design::{design, REFERENCE_INTENT, REFERENCE_NAME};
use aksnet_emit::diagram::{dot, mermaid, svg, Anchor, Flow, FlowKind};
use aksnet_model::Estate;

fn reference() -> Estate {
    design(REFERENCE_NAME, REFERENCE_INTENT).unwrap().estate
}

fn spokes(n: usize) -> Estate {
    let mut text = String::from("name: many\nlocation: westeurope\naddressPool: [10.0.0.0/8]\nonPremises: { prefixes: [172.16.0.0/16], link: vpn }\nspokes:\n");
    for i in 0..n {
        text.push_str(&format!("  - name: s{i}\n    cluster:\n      nodePools:\n        - {{ name: system, mode: System, maxCount: 3 }}\n"));
    }
    design("many", &text).unwrap().estate
}

/// `(x, y, width, height)` of every VNet container (the rounded rects with `rx="8"`).
fn containers(doc: &roxmltree::Document) -> Vec<(f64, f64, f64, f64)> {
    doc.descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("rx") == Some("8"))
        .map(|n| {
            let f = |a| n.attribute(a).unwrap().parse::<f64>().unwrap();
            (f("x"), f("y"), f("width"), f("height"))
        })
        .collect()
}

#[test]
fn svg_is_valid_xml_with_every_vnet_and_subnet() {
    let e = reference();
    let flows = vec![Flow {
        kind: FlowKind::Egress,
        hops: vec![
            Anchor::Subnet(
                e.virtual_networks
                    .iter()
                    .find(|v| v.name == "vnet-aks-prod")
                    .unwrap()
                    .id
                    .child("subnets", "snet-user"),
            ),
            Anchor::Internet,
        ],
    }];
    let text = svg(&e, &flows);
    let doc = roxmltree::Document::parse(&text).expect("valid XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let labels: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    for v in e.virtual_networks.iter() {
        assert!(labels.contains(&v.name.as_str()), "{}", v.name);
        for s in &v.properties.subnets {
            assert!(labels.contains(&s.name.as_str()), "{}", s.name);
        }
    }
    let lines = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("marker-end").is_some())
        .count();
    assert_eq!(lines, 1, "one flow, one arrow");
    assert!(
        !text.contains("href") && !text.contains("@import"),
        "nothing to fetch"
    );
    assert_eq!(text, svg(&e, &flows), "deterministic");
}

#[test]
fn containers_never_overlap_from_1_to_20_spokes() {
    for n in [1, 3, 10, 20] {
        let text = svg(&spokes(n), &[]);
        let doc = roxmltree::Document::parse(&text).unwrap();
        let boxes = containers(&doc);
        assert_eq!(boxes.len(), n + 1, "hub + {n} spokes");
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let apart =
                    a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || a.1 + a.3 <= b.1 || b.1 + b.3 <= a.1;
                assert!(apart, "{n} spokes: {a:?} overlaps {b:?}");
            }
        }
        let height: f64 = doc
            .root_element()
            .attribute("height")
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            boxes.iter().all(|b| b.1 + b.3 < height),
            "{n} spokes: everything on the page"
        );
    }
}

#[test]
fn dot_and_mermaid_match_their_snapshots() {
    let e = reference();
    insta::assert_snapshot!("reference.dot", dot(&e, &[]));
    insta::assert_snapshot!("reference.mmd", mermaid(&e, &[]));
}

/// dot and Mermaid node ids are the VNet and subnet names (`vnet_aks_prod__snet_user`), two
/// VNets of one name in different resource groups stay apart, a peering ends at the clusters
/// (`compound=true`), and two flows of one kind over the same hop draw it once.
#[test]
fn export_ids_are_readable_distinct_and_edges_drawn_once() {
    let mut e = reference();
    let original = e.virtual_networks.iter().next().unwrap().clone();
    let mut twin = original.clone();
    twin.id = aksnet_model::ResourceId::new(
        original
            .id
            .as_str()
            .replace("/resourceGroups/", "/resourceGroups/other-"),
    );
    twin.properties.virtual_network_peerings.clear();
    e.virtual_networks.insert(twin);
    let user = original.id.child("subnets", "snet-user");
    let flow = Flow {
        kind: FlowKind::Egress,
        hops: vec![Anchor::Subnet(user.clone()), Anchor::Internet],
    };
    let text = dot(&e, &[flow.clone(), flow.clone()]);
    assert!(text.contains("  compound=true;\n"));
    let name = original.name.replace('-', "_");
    assert!(
        text.contains(&format!("subgraph cluster_{name} {{")),
        "{text}"
    );
    assert!(
        text.contains(&format!("subgraph cluster_{name}_2 {{")),
        "{text}"
    );
    // The twin's id (`other-rg-…`) sorts first, so the original is the second of the name.
    assert!(
        text.contains(&format!("  {name}_2__snet_user -> internet")),
        "{text}"
    );
    assert_eq!(text.matches(" -> internet [").count(), 1, "{text}");
    let m = mermaid(&e, &[flow.clone(), flow]);
    assert!(m.contains(&format!("subgraph {name}_2[")), "{m}");
    assert_eq!(m.matches(" --> internet").count(), 1, "{m}");
    assert_eq!(m.matches("linkStyle").count(), m.matches("-->").count());
}

/// Graphviz renders the dot export of every example, with a flow, without an error or a
/// warning. (Graphviz ignores `lhead`/`ltail` silently without `compound=true`; the id test
/// above checks that line.)
#[test]
#[cfg_attr(
    aksnet_no_graphviz,
    ignore = "needs Graphviz `dot` on PATH (.ci/run installs it)"
)]
fn graphviz_renders_every_example_without_warnings() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let e = design("x", &text).unwrap().estate;
        let user = e
            .virtual_networks
            .iter()
            .flat_map(|v| {
                v.properties
                    .subnets
                    .iter()
                    .map(|s| v.id.child("subnets", &s.name))
            })
            .next()
            .unwrap();
        let flows = [Flow {
            kind: FlowKind::Egress,
            hops: vec![Anchor::Subnet(user), Anchor::Internet],
        }];
        let mut child = std::process::Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("dot runs");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(dot(&e, &flows).as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.is_empty(),
            "{}: {stderr}",
            path.display()
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"));
        n += 1;
    }
    assert!(n >= 6);
}

/// The multi-spoke example spans the intent's `connectivity` and `workloads` subscriptions and
/// one its intent leaves unnamed (the `aks-dev` spoke).
fn multi_spoke() -> Estate {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/multi-spoke.yaml"
    ))
    .unwrap();
    design("multi-spoke", &text).unwrap().estate
}

#[test]
fn subscriptions_are_groups_and_no_label_is_cut() {
    let e = multi_spoke();
    // DOT: one dashed cluster per subscription, holding its VNets' clusters.
    let d = dot(&e, &[]);
    for (sub, vnets) in [
        ("connectivity", &["vnet-fabrikam-hub"][..]),
        ("not named", &["vnet-aks-dev"][..]),
        ("workloads", &["vnet-aks-prod", "vnet-aks-shared"][..]),
    ] {
        let at = d
            .find(&format!("label=\"subscription {sub}\""))
            .unwrap_or_else(|| panic!("no cluster for {sub}:\n{d}"));
        let end = d[at..]
            .find("\n  }\n  subgraph cluster_subscription")
            .map_or(d.len(), |n| at + n);
        for v in vnets {
            assert!(
                d[at..end].contains(&format!("label=\"{v} ")),
                "{v} not in {sub}"
            );
        }
    }
    // SVG: a labelled frame per subscription and column, around its VNet boxes, and every
    // label whole: the private endpoints' long names wrap instead of ending in "…".
    let text = svg(&e, &[]);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    for sub in ["connectivity", "workloads", "not named"] {
        assert!(
            texts.contains(&format!("subscription {sub}").as_str()),
            "{sub}"
        );
    }
    assert!(!text.contains('…'), "a label was cut");
    for pe in e.private_endpoints.iter() {
        let target = pe.properties.private_link_service_connections[0]
            .properties
            .private_link_service_id
            .name();
        assert!(
            texts.iter().any(|t| t.contains(&format!("PE {target}"))),
            "PE {target}"
        );
    }
    let frames: Vec<(f64, f64, f64, f64)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("rx") == Some("10"))
        .map(|n| {
            let f = |a| n.attribute(a).unwrap().parse::<f64>().unwrap();
            (f("x"), f("y"), f("width"), f("height"))
        })
        .collect();
    assert_eq!(frames.len(), 3);
    for b in containers(&doc) {
        let inside = frames.iter().filter(|f| {
            f.0 <= b.0 && b.0 + b.2 <= f.0 + f.2 && f.1 <= b.1 && b.1 + b.3 <= f.1 + f.3
        });
        assert_eq!(inside.count(), 1, "{b:?} in one frame");
    }
    // One subscription: no frames, as before.
    assert!(!svg(&reference(), &[]).contains("subscription "));
}

#[test]
fn a_subscription_name_with_a_quote_stays_inside_its_dot_string() {
    let mut e = multi_spoke();
    for name in e.subscription_names.values_mut() {
        if name == "workloads" {
            *name = "work\"loads\\x".into();
        }
    }
    let d = dot(&e, &[]);
    assert!(
        d.contains("label=\"subscription work\\\"loads\\\\x\";"),
        "{d}"
    );
}
