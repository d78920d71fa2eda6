//! `aksnet diff` through the CLI, on a designed estate changed the ways a pull request changes
//! a network (a DNAT rule added, an NSG rule added, a route table taken off a subnet), on
//! Bicep against itself and against the same network in Terraform.

mod common;

use std::path::{Path, PathBuf};

use common::{aksnet, err, out};
use serde_json::{json, Value};

/// The reference design's estate, with the firewall's public address stated (a DNAT rule
/// names it), written to `dir/base.json`.
fn base(dir: &Path) -> Value {
    let o = aksnet(dir, &["design", "--out", "design"]);
    assert!(o.status.code().is_some_and(|c| c < 2), "{}", err(&o));
    let mut e: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("design/estate.json")).unwrap())
            .unwrap();
    named(&mut e, "publicIPAddresses", "pip-afw-contoso")["properties"]["ipAddress"] =
        json!("203.0.113.50");
    write(dir, "base.json", &e);
    e
}

fn named<'e>(e: &'e mut Value, kind: &str, name: &str) -> &'e mut Value {
    e[kind]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

fn write(dir: &Path, file: &str, e: &Value) {
    std::fs::write(dir.join(file), serde_json::to_string_pretty(e).unwrap()).unwrap();
}

fn diff(dir: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    all.extend(["--format", "json"]);
    let o = aksnet(dir, &all);
    let v =
        serde_json::from_str(&out(&o)).unwrap_or_else(|e| panic!("{e}: {}{}", out(&o), err(&o)));
    (o.status.code(), v)
}

#[test]
fn an_identical_pair_is_an_empty_diff_and_exits_0() {
    let d = tempfile::tempdir().unwrap();
    base(d.path());
    let (code, v) = diff(
        d.path(),
        &["base.json", "base.json", "--fail-on", "changed"],
    );
    assert_eq!(code, Some(0));
    for k in ["opened", "closed", "names"] {
        assert_eq!(v[k], json!([]), "{k}");
    }
    assert_eq!(v["findings"], json!({"added": [], "removed": []}));
    assert_eq!(
        v["resources"],
        json!({"added": [], "removed": [], "changed": []})
    );
    let o = aksnet(
        d.path(),
        &["diff", "base.json", "base.json", "--format", "markdown"],
    );
    assert!(out(&o).contains("**No change"), "{}", out(&o));
}

/// BASE and HEAD are read side by side; when both are bad, both errors are shown, BASE's
/// first, and nothing is written to standard output.
#[test]
fn both_inputs_errors_are_reported_base_first() {
    let d = tempfile::tempdir().unwrap();
    // Both are JSON with the estate marker, so both are read as estates, and fail as such.
    std::fs::write(
        d.path().join("a.json"),
        "{\"aksnetSchema\": 1,\n  \"name\": []}",
    )
    .unwrap();
    std::fs::write(
        d.path().join("b.json"),
        "{\"aksnetSchema\": 1, \"name\": 7}",
    )
    .unwrap();
    let o = aksnet(d.path(), &["diff", "a.json", "b.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(out(&o).is_empty(), "{}", out(&o));
    let (a, b) = (err(&o).find("a.json:2:"), err(&o).find("b.json:1:"));
    assert!(a.is_some() && b.is_some() && a < b, "{}", err(&o));
    assert_eq!(err(&o).matches("written by `aksnet design`").count(), 2);
    let o = aksnet(d.path(), &["diff", "b.json", "a.json"]);
    let (a, b) = (err(&o).find("a.json:2:"), err(&o).find("b.json:1:"));
    assert!(a.is_some() && b.is_some() && b < a, "{}", err(&o));
}

#[test]
fn a_dnat_rule_opens_the_internet_to_a_subnet_with_the_rule_as_cause() {
    let d = tempfile::tempdir().unwrap();
    let mut e = base(d.path());
    named(&mut e, "ruleCollectionGroups", "rcg-onprem-ingress")["properties"]["ruleCollections"]
        .as_array_mut()
        .unwrap()
        .insert(0, json!({"ruleCollectionType": "FirewallPolicyNatRuleCollection", "name": "dnat-ssh", "priority": 90,
            "action": {"type": "DNAT"},
            "rules": [{"ruleType": "NatRule", "name": "ssh-to-node", "ipProtocols": ["TCP"], "sourceAddresses": ["*"],
                       "destinationAddresses": ["203.0.113.50"], "destinationPorts": ["2222"],
                       "translatedAddress": "10.240.0.4", "translatedPort": "22"}]}));
    write(d.path(), "head.json", &e);
    let (code, v) = diff(d.path(), &["base.json", "head.json"]);
    assert_eq!(code, Some(1), "an opened flow fails by default: {v}");
    let opened = &v["opened"][0];
    assert_eq!(opened["from"], "Internet");
    assert_eq!(opened["to"], "vnet-aks-prod/snet-agw");
    assert!(opened["packets"][0]
        .as_str()
        .unwrap()
        .starts_with("tcp/2222 from Internet"));
    assert_eq!(opened["witness"]["head"]["verdict"], "allowed");
    assert_eq!(opened["witness"]["base"]["verdict"], "denied");
    let cause = opened["cause"].as_str().unwrap();
    assert!(
        cause.contains("BASE drop")
            && cause.contains("HEAD translate")
            && cause.contains("dnat-ssh/ssh-to-node"),
        "{cause}"
    );
    assert_eq!(v["closed"], json!([]));
    assert_eq!(v["findings"]["added"][0]["code"], "AKS-MGT-004");
    assert_eq!(
        v["resources"]["changed"][0]["properties"],
        json!(["properties.ruleCollections[dnat-ssh] added"])
    );
    // The other way round, the same flow is closed.
    let (code, v) = diff(d.path(), &["head.json", "base.json"]);
    assert_eq!(code, Some(0));
    assert_eq!(v["closed"][0]["to"], "vnet-aks-prod/snet-agw");
    assert_eq!(v["findings"]["removed"][0]["code"], "AKS-MGT-004");
}

#[test]
fn an_nsg_rule_closes_ssh_and_fail_on_says_which_change_fails() {
    let d = tempfile::tempdir().unwrap();
    let mut e = base(d.path());
    named(&mut e, "networkSecurityGroups", "nsg-system-aks-prod")["properties"]["securityRules"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "deny-ssh", "properties": {"priority": 100, "direction": "Inbound", "access": "Deny",
            "protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": "22",
            "sourceAddressPrefix": "VirtualNetwork", "destinationAddressPrefix": "*"}}));
    write(d.path(), "head.json", &e);
    let (code, v) = diff(d.path(), &["base.json", "head.json"]);
    assert_eq!(code, Some(0), "nothing opened");
    let closed: Vec<(&str, &str)> = v["closed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["from"].as_str().unwrap(), c["to"].as_str().unwrap()))
        .collect();
    assert!(
        closed.contains(&("bas-contoso", "vnet-aks-prod/snet-system")),
        "{closed:?}"
    );
    for c in v["closed"].as_array().unwrap() {
        assert!(
            c["packets"][0].as_str().unwrap().starts_with("tcp/22 "),
            "{c}"
        );
        assert!(
            c["cause"]
                .as_str()
                .unwrap()
                .contains("HEAD deny (nsg-system-aks-prod: deny-ssh"),
            "{c}"
        );
    }
    assert_eq!(
        diff(d.path(), &["base.json", "head.json", "--fail-on", "closed"]).0,
        Some(1)
    );
    assert_eq!(
        diff(
            d.path(),
            &["base.json", "head.json", "--fail-on", "changed"]
        )
        .0,
        Some(1)
    );
    assert_eq!(
        diff(
            d.path(),
            &["base.json", "head.json", "--fail-on", "findings"]
        )
        .0,
        Some(0)
    );
    assert_eq!(
        diff(d.path(), &["base.json", "head.json", "--fail-on", "never"]).0,
        Some(0)
    );
    // Taking the rule out again opens the same flows, the rule named as what changed.
    let (code, v) = diff(d.path(), &["head.json", "base.json"]);
    assert_eq!(code, Some(1));
    let reopened = v["opened"].as_array().unwrap().iter().any(|o| {
        o["from"] == "bas-contoso"
            && o["cause"]
                .as_str()
                .unwrap()
                .contains("BASE deny (nsg-system-aks-prod: deny-ssh")
    });
    assert!(reopened, "{v}");
}

/// A copy of the Bicep hub-and-spoke fixture in `dir`, with `edit` applied to its spoke module.
fn bicep_copy(dir: &Path, name: &str, edit: impl Fn(String) -> String) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bicep/hub-spoke");
    let to = dir.join(name);
    std::fs::create_dir_all(to.join("modules")).unwrap();
    for f in ["main.bicep", "main.bicepparam"] {
        std::fs::copy(src.join(f), to.join(f)).unwrap();
    }
    for e in std::fs::read_dir(src.join("modules")).unwrap() {
        let p = e.unwrap().path();
        let mut text = std::fs::read_to_string(&p).unwrap();
        if p.ends_with("spoke.bicep") {
            text = edit(text);
        }
        std::fs::write(to.join("modules").join(p.file_name().unwrap()), text).unwrap();
    }
    to.join("main.bicepparam")
}

#[test]
fn a_route_table_taken_off_the_node_subnet_opens_direct_egress_and_adds_a_finding() {
    let d = tempfile::tempdir().unwrap();
    let b = bicep_copy(d.path(), "base", |t| t);
    let h = bicep_copy(d.path(), "head", |t| {
        let cut = t.replace("          routeTable: { id: rt.id }\n", "");
        assert_ne!(
            cut, t,
            "the fixture's association is where the test expects it"
        );
        cut
    });
    let (code, v) = diff(
        d.path(),
        &[
            b.to_str().unwrap(),
            h.to_str().unwrap(),
            "--switch",
            "firewall-first-address",
        ],
    );
    assert_eq!(code, Some(1), "{v}");
    let opened = v["opened"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["from"] == "vnet-spoke-prod/snet-aks" && o["to"] == "internet")
        .unwrap_or_else(|| panic!("{v}"));
    assert!(
        opened["cause"]
            .as_str()
            .unwrap()
            .contains("route at vnet-spoke-prod/snet-aks"),
        "{opened}"
    );
    assert!(
        v["findings"]["added"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "AKS-EGR-002"),
        "{}",
        v["findings"]
    );
    let changed = &v["resources"]["changed"];
    assert!(
        changed.to_string().contains("snet-aks") && changed.to_string().contains("routeTable"),
        "{changed}"
    );
    // SARIF locates the opened flow at HEAD's subnet, in the Bicep module that declares it.
    let o = aksnet(
        d.path(),
        &[
            "diff",
            b.to_str().unwrap(),
            h.to_str().unwrap(),
            "--switch",
            "firewall-first-address",
            "--format",
            "sarif",
        ],
    );
    let sarif: Value = serde_json::from_str(&out(&o)).unwrap();
    let hit = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| {
            r["ruleId"] == "AKSNET-DIFF-OPENED"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .is_some_and(|u| {
                        u.starts_with(&*h.parent().unwrap().to_string_lossy())
                            && u.ends_with("modules/spoke.bicep")
                    })
        });
    assert!(hit, "{sarif}");
    // Markdown: the summary first, the detail folded.
    let o = aksnet(
        d.path(),
        &[
            "diff",
            b.to_str().unwrap(),
            h.to_str().unwrap(),
            "--format",
            "markdown",
        ],
    );
    let md = out(&o);
    assert!(md.starts_with("### aksnet diff\n\n**flows opened"), "{md}");
    assert!(
        md.contains("| opened | vnet-spoke-prod/snet-aks | internet |"),
        "{md}"
    );
    assert!(md.contains("<details><summary>Findings"), "{md}");
}

#[test]
fn terraform_against_bicep_of_one_network_opens_and_closes_nothing() {
    let d = tempfile::tempdir().unwrap();
    let tf = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform/hub-spoke");
    let bicep = bicep_copy(d.path(), "bicep", |t| t);
    let (code, v) = diff(
        d.path(),
        &[
            tf.to_str().unwrap(),
            bicep.to_str().unwrap(),
            "--var",
            "subscription_id=00000000-0000-0000-0000-000000000000",
            "--fail-on",
            "changed",
        ],
    );
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(v["opened"], json!([]));
    assert_eq!(v["closed"], json!([]));
    assert_eq!(v["names"], json!([]));
    assert_eq!(v["findings"], json!({"added": [], "removed": []}));
}
