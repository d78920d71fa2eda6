//! End-to-end tests of `aksnet rules` and `aksnet check`: listing, exit codes, report formats.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn aksnet(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aksnet"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("runs")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The reference estate with the registry's public network access turned on.
fn public_registry_estate(dir: &Path) -> PathBuf {
    let o = aksnet(dir, &["design", "--out", "ref"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let path = dir.join("ref/estate.json");
    let mut estate: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for acr in estate["containerRegistries"].as_array_mut().unwrap() {
        acr["properties"]["publicNetworkAccess"] = "Enabled".into();
    }
    let mutated = dir.join("public-acr.json");
    std::fs::write(&mutated, serde_json::to_string_pretty(&estate).unwrap()).unwrap();
    mutated
}

#[test]
fn rules_lists_the_catalog_and_prints_one_rule() {
    let dir = tempfile::tempdir().unwrap();
    let o = aksnet(dir.path(), &["rules"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(out(&o).contains("AKS-EGR-001") && out(&o).contains("semantic"));
    let o = aksnet(dir.path(), &["rules", "aks-plk-001"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(out(&o).starts_with("# AKS-PLK-001"), "{}", out(&o));
    assert!(out(&o).contains("## How to fix"));
    let o = aksnet(dir.path(), &["rules", "AKS-NOPE-999"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("unknown rule `AKS-NOPE-999`") && err(&o).contains("AKS-EGR-001"));
}

#[test]
fn check_passes_the_reference_and_gates_on_findings() {
    let dir = tempfile::tempdir().unwrap();
    let o = aksnet(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("0 error(s)"));

    let estate = public_registry_estate(dir.path());
    let estate = estate.to_str().unwrap();
    let o = aksnet(dir.path(), &["check", "--estate", estate]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "warnings do not fail by default: {}",
        err(&o)
    );
    assert!(out(&o).contains("warning[AKS-PLK-001]"), "{}", out(&o));
    let o = aksnet(
        dir.path(),
        &["check", "--estate", estate, "--fail-on", "warning"],
    );
    assert_eq!(o.status.code(), Some(1));
    let o = aksnet(
        dir.path(),
        &["check", "--estate", estate, "--fail-on", "never"],
    );
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn check_json_and_sarif_carry_the_findings() {
    let dir = tempfile::tempdir().unwrap();
    let estate = public_registry_estate(dir.path());
    let estate = estate.to_str().unwrap();
    let o = aksnet(
        dir.path(),
        &["check", "--estate", estate, "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "AKS-PLK-001" && f["severity"] == "warning"));

    let o = aksnet(
        dir.path(),
        &["check", "--estate", estate, "--format", "sarif"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("sarif is json");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "AKS-PLK-001")
        .expect("a PLK-001 result");
    assert_eq!(result["level"], "warning");
    assert!(rules.iter().any(|r| r["id"] == "AKS-PLK-001"));
}
