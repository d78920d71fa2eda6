//! `aksnet import` and `--azure-json` end to end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn aksnet(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aksnet"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("runs")
}

fn corpus(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus")
        .join(rel)
        .display()
        .to_string()
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn import_prints_counts_and_writes_the_estate() {
    let d = tempfile::tempdir().unwrap();
    let o = aksnet(
        d.path(),
        &[
            "import",
            &corpus("azure-rest-examples/network"),
            "--out",
            "estate.json",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("Microsoft.Network/virtualNetworks")
            && out.contains("Skipped")
            && out.contains("unknown properties"),
        "{out}"
    );
    let e = aksnet_model::Estate::from_json(
        &std::fs::read_to_string(d.path().join("estate.json")).unwrap(),
    )
    .unwrap();
    assert!(e.virtual_networks.len() >= 3);
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn import_errors_exit_2_and_write_nothing_unless_keep_going() {
    let d = tempfile::tempdir().unwrap();
    let template = corpus("arm/demo-private-aks-cluster.azuredeploy.json");
    let o = aksnet(d.path(), &["import", &template, "--out", "estate.json"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("ARM template expressions are not supported yet: [parameters("),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("error(s)"));
    assert!(!d.path().join("estate.json").exists());
    std::fs::write(d.path().join("bad.json"), "[{\"id\": 1,,}]").unwrap();
    // Only a broken file: even with --keep-going nothing was imported, so nothing is written.
    let o = aksnet(
        d.path(),
        &["import", "bad.json", "--out", "estate.json", "--keep-going"],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("invalid JSON") && err.contains("--> bad.json:1:11"),
        "{err}"
    );
    assert!(err.contains("found no Azure resource"), "{err}");
    assert!(!d.path().join("estate.json").exists());
    // With a readable file beside it, --keep-going writes what could be read.
    let vnet = corpus("azure-rest-examples/network/VirtualNetworkGet.json");
    let o = aksnet(
        d.path(),
        &[
            "import",
            "bad.json",
            &vnet,
            "--out",
            "estate.json",
            "--keep-going",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("--> bad.json:1:11"));
    assert!(d.path().join("estate.json").exists());
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn analyses_read_azure_json_directly() {
    let d = tempfile::tempdir().unwrap();
    let o = aksnet(d.path(), &["design", "--out", "out"]);
    assert!(o.status.success());
    // Re-shape the designed estate as an az-style list of resources.
    let e: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("out/estate.json")).unwrap())
            .unwrap();
    let mut list = Vec::new();
    for (k, v) in e.as_object().unwrap() {
        if let (true, Some(items)) = (k != "onPremisesPrefixes", v.as_array()) {
            list.extend(items.iter().cloned());
        }
    }
    std::fs::create_dir(d.path().join("export")).unwrap();
    std::fs::write(
        d.path().join("export/all.json"),
        serde_json::to_string(&list).unwrap(),
    )
    .unwrap();
    let o = aksnet(
        d.path(),
        &[
            "trace",
            "--azure-json",
            "export",
            "--on-premises",
            "10.0.0.0/14",
            "--from",
            "onprem",
            "--to",
            "ilb",
            "--expect",
            "allowed",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let o = aksnet(d.path(), &["exposure", "--azure-json", "export/all.json"]);
    // Grouped by where packets are delivered.
    assert!(String::from_utf8_lossy(&o.stdout)
        .lines()
        .any(|l| l == "vnet-aks-prod/snet-user"));
}

/// `--keep-going` skips the bad resource, keeps the rest of its file, and the summary counts
/// what was imported and what was skipped, matching the messages.
#[test]
fn keep_going_skips_one_resource_and_counts_it() {
    let d = tempfile::tempdir().unwrap();
    let pip = |name: &str, method: &str| {
        format!(
            r#"{{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/publicIPAddresses/{name}",
                "type": "Microsoft.Network/publicIPAddresses", "name": "{name}",
                "properties": {{"publicIPAllocationMethod": {method}, "publicIPAddressVersion": "IPv4"}}}}"#
        )
    };
    let rule = r#"{"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/networkSecurityGroups/gone/securityRules/r1",
        "type": "Microsoft.Network/networkSecurityGroups/securityRules", "name": "r1",
        "properties": {"protocol": "Tcp", "access": "Allow", "priority": 100, "direction": "Inbound"}}"#;
    let text = format!(
        "[{}, {}, {}, {}]",
        pip("a", "\"Static\""),
        pip("b", "42"),
        pip("c", "\"Static\""),
        rule
    );
    std::fs::write(d.path().join("pips.json"), text).unwrap();
    let o = aksnet(
        d.path(),
        &[
            "import",
            "pips.json",
            "--keep-going",
            "--out",
            "estate.json",
        ],
    );
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(out.contains("Imported 2 resource(s)"), "{out}");
    assert!(
        out.contains("Skipped 2 resource(s) for the problems")
            && out.contains("1  Microsoft.Network/publicIPAddresses")
            && out.contains("1  Microsoft.Network/networkSecurityGroups/securityRules"),
        "{out}"
    );
    assert_eq!(err.matches("skipped").count(), 2, "{err}");
    assert!(
        err.contains("publicIPAddresses/b at properties.publicIPAllocationMethod"),
        "{err}"
    );
    let e = aksnet_model::Estate::from_json(
        &std::fs::read_to_string(d.path().join("estate.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(e.public_ip_addresses.len(), 2);
}
