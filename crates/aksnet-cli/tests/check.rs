//! End-to-end tests of `aksnet rules` and `aksnet check`: listing, exit codes, report formats.

mod common;

use common::{aksnet, err, out};

use std::path::{Path, PathBuf};

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

/// An `estate.json` given as the positional argument is known by its `aksnetSchema` key
/// wherever the key stands (a file rewritten by another tool may order keys its own way), and
/// is checked as `--estate` checks it, not imported as Azure JSON.
#[test]
fn a_positional_estate_is_known_by_its_marker_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let estate = public_registry_estate(dir.path());
    let text = std::fs::read_to_string(&estate).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let fields = value.as_object().unwrap();
    // The marker last: every other key first, in the file's order.
    let mut moved = String::from("{");
    for (k, v) in fields.iter().filter(|(k, _)| *k != "aksnetSchema") {
        moved += &format!("{}:{},", serde_json::json!(k), v);
    }
    moved += &format!("\"aksnetSchema\":{}}}", fields["aksnetSchema"]);
    let last = dir.path().join("marker-last.json");
    std::fs::write(&last, moved).unwrap();
    for path in [&estate, &last] {
        let o = aksnet(dir.path(), &["check", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        assert!(out(&o).contains("warning[AKS-PLK-001]"), "{}", out(&o));
        assert!(
            !err(&o).contains("import"),
            "read as an estate: {}",
            err(&o)
        );
    }
}

/// A positional `.json` that cannot be read as text (here, not UTF-8) is left to the importer,
/// which says what is wrong with it exactly as it does for `--azure-json`.
#[test]
fn a_positional_json_that_is_not_text_is_reported_as_azure_json_is() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.json"), b"{\"a\": \"\xff\"}").unwrap();
    let positional = aksnet(dir.path(), &["check", "bad.json"]);
    let flag = aksnet(dir.path(), &["check", "--azure-json", "bad.json"]);
    assert_eq!(positional.status.code(), Some(2));
    assert_eq!(err(&positional), err(&flag));
    assert!(
        err(&positional).contains("bad.json:1:"),
        "{}",
        err(&positional)
    );
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn check_json_and_sarif_carry_the_findings() {
    let dir = tempfile::tempdir().unwrap();
    let estate = public_registry_estate(dir.path());
    let estate = estate.to_str().unwrap();
    let o = aksnet(
        dir.path(),
        &["check", "--estate", estate, "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["summary"]["warnings"], 1);
    assert!(v["findings"]
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

/// Validates a SARIF log against the OASIS SARIF 2.1.0 schema (`shared/schemas`).
fn assert_valid_sarif(log: &serde_json::Value) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/schemas/sarif-schema-2.1.0.json"
    );
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(path).expect("the SARIF schema beside the project"),
    )
    .unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("file:///sarif-schema-2.1.0.json", schema)
        .unwrap();
    let index = compiler
        .compile("file:///sarif-schema-2.1.0.json", &mut schemas)
        .unwrap();
    if let Err(e) = schemas.validate(log, index) {
        panic!("SARIF does not validate: {e:#}");
    }
    // The validator can fail: a run without its tool driver is refused.
    let broken = serde_json::json!({ "version": "2.1.0", "runs": [{ "results": [] }] });
    assert!(schemas.validate(&broken, index).is_err());
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn sarif_validates_against_the_oasis_schema_with_locations_witnesses_and_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    // An estate file: findings carry the line and column of the resource.
    let estate = public_registry_estate(dir.path());
    let o = aksnet(
        dir.path(),
        &[
            "check",
            "--estate",
            estate.to_str().unwrap(),
            "--format",
            "sarif",
        ],
    );
    let log: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_valid_sarif(&log);
    let result = &log["runs"][0]["results"][0];
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert!(region["startLine"].as_u64().unwrap() > 1, "{result:#}");

    // An intent file with a violated intent (witness as a code flow) and a suppression.
    let intent = dir.path().join("intent.yaml");
    let text = aksnet_design::REFERENCE_INTENT.to_string()
        + "  - { from: onprem, to: aks-prod/apiserver, ports: tcp/443, expect: allow }\n"
        + "suppressions:\n  - { rule: AKS-INTENT, resource: nothing-matches, reason: \"unused\" }\n";
    std::fs::write(&intent, text).unwrap();
    let o = aksnet(
        dir.path(),
        &["check", intent.to_str().unwrap(), "--format", "sarif"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let log: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_valid_sarif(&log);
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "AKS-INTENT");
    assert!(
        result["codeFlows"][0]["threadFlows"][0]["locations"]
            .as_array()
            .unwrap()
            .len()
            > 1
    );
    assert!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("intent.yaml")
    );
}

#[test]
fn intents_suppressions_and_rule_selection() {
    let dir = tempfile::tempdir().unwrap();
    let intent = dir.path().join("intent.yaml");
    let text = aksnet_design::REFERENCE_INTENT.to_string()
        + "  - { from: onprem, to: aks-prod/apiserver, ports: tcp/443, expect: allow }\n"
        + "suppressions:\n  - { rule: AKS-INTENT, resource: apiserver, reason: \"admins use Bastion\" }\n";
    std::fs::write(&intent, &text).unwrap();
    let path = intent.to_str().unwrap();
    let o = aksnet(dir.path(), &["check", path]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "a suppressed finding does not fail: {}",
        out(&o)
    );
    assert!(
        out(&o).contains("Suppressed (1)") && out(&o).contains("reason: admins use Bastion"),
        "{}",
        out(&o)
    );

    let o = aksnet(
        dir.path(),
        &["check", path, "--rule", "AKS-EGR-001", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (
            v["summary"]["rules"].as_u64(),
            v["summary"]["intents"].as_u64()
        ),
        (Some(1), Some(0))
    );
    // The intents are selected or skipped by their code like any rule.
    let o = aksnet(
        dir.path(),
        &["check", path, "--skip", "AKS-INTENT", "--format", "json"],
    );
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", err(&o)));
    assert_eq!(
        (
            v["summary"]["rules"].as_u64(),
            v["summary"]["intents"].as_u64()
        ),
        (Some(51), Some(0))
    );
    let o = aksnet(
        dir.path(),
        &["check", path, "--rule", "AKS-INTENT", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (
            v["summary"]["rules"].as_u64(),
            v["summary"]["intents"].as_u64()
        ),
        (Some(0), Some(3))
    );
    let o = aksnet(dir.path(), &["check", path, "--skip", "AKS-NOPE"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("unknown rule `AKS-NOPE`"));

    // A suppression without a reason is refused where it is written.
    std::fs::write(
        &intent,
        text.replace("reason: \"admins use Bastion\"", "reason: \"\""),
    )
    .unwrap();
    let o = aksnet(dir.path(), &["check", path]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("intent.yaml:") && err(&o).contains("has no reason"),
        "{}",
        err(&o)
    );

    // An intent naming an unknown place is bad input.
    std::fs::write(
        &intent,
        aksnet_design::REFERENCE_INTENT.to_string()
            + "  - { from: mars, to: internet, expect: deny }\n",
    )
    .unwrap();
    let o = aksnet(dir.path(), &["check", path]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("intent from `mars`"), "{}", err(&o));
}

#[test]
fn markdown_report_has_the_table_and_witnesses() {
    let dir = tempfile::tempdir().unwrap();
    let intent = dir.path().join("intent.yaml");
    std::fs::write(
        &intent,
        aksnet_design::REFERENCE_INTENT.to_string()
            + "  - { from: onprem, to: aks-prod/apiserver, ports: tcp/443, expect: allow }\n",
    )
    .unwrap();
    let o = aksnet(
        dir.path(),
        &["check", intent.to_str().unwrap(), "--format", "markdown"],
    );
    insta::assert_snapshot!(
        "check-markdown",
        out(&o).replace(dir.path().to_str().unwrap(), "<tmp>")
    );
}

#[test]
fn a_policy_file_brings_intents_and_suppressions_to_an_estate() {
    let dir = tempfile::tempdir().unwrap();
    let estate = public_registry_estate(dir.path());
    let policy = dir.path().join("policy.yaml");
    std::fs::write(
        &policy,
        "intents:\n  - { from: onprem, to: aks-prod/apiserver, ports: tcp/443, expect: allow }\nsuppressions:\n  - { rule: AKS-PLK-001, resource: crcontosoaksprod, reason: \"public mirror for open-source images\" }\n",
    )
    .unwrap();
    let args = [
        "check",
        "--estate",
        estate.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
        "--format",
        "json",
    ];
    let o = aksnet(dir.path(), &args);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the intent is violated: {}",
        err(&o)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["intents"], 1);
    assert_eq!(v["summary"]["suppressed"], 1);
    let intent = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "AKS-INTENT")
        .unwrap();
    assert!(intent["location"]["file"]
        .as_str()
        .unwrap()
        .ends_with("policy.yaml"));
    assert_eq!(intent["location"]["line"], 2);

    std::fs::write(&policy, "intents: []\nsupressions: []\n").unwrap();
    let o = aksnet(
        dir.path(),
        &[
            "check",
            "--estate",
            estate.to_str().unwrap(),
            "--policy",
            policy.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("policy.yaml:2:1") && err(&o).contains("supressions"),
        "{}",
        err(&o)
    );
}

#[test]
fn required_egress_depends_on_the_api_server_mode() {
    let dir = tempfile::tempdir().unwrap();
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    let private = aksnet(dir.path(), &["required-egress", "--format", "json"]);
    let private: serde_json::Value = serde_json::from_slice(&private.stdout).unwrap();
    let destinations = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["destination"].as_str().unwrap().to_string())
            .collect()
    };
    let p = destinations(&private);
    assert!(
        p.contains(&"mcr.microsoft.com".to_string()) && !p.iter().any(|d| d.contains("azmk8s.io")),
        "{p:?}"
    );
    let public = aksnet(
        dir.path(),
        &[
            "required-egress",
            &format!("{examples}/public-api.yaml"),
            "--format",
            "csv",
        ],
    );
    let csv = out(&public);
    assert!(csv.starts_with("cluster,destination,protocol,port,rule,required,purpose\n"));
    assert!(
        csv.contains("aks-web,*.hcp.eastus2.azmk8s.io,https,443,application,true,"),
        "{csv}"
    );
    assert!(
        csv.contains("aks-web,AzureCloud.eastus2,udp,1194,network,true,"),
        "{csv}"
    );
    let with = aksnet(dir.path(), &["required-egress", "--recommended"]);
    assert!(out(&with).contains("security.ubuntu.com") && out(&with).contains("(recommended)"));
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn findings_on_azure_json_point_at_the_file_and_line_of_the_resource() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/psrule");
    let o = aksnet(
        dir.path(),
        &[
            "check",
            "--azure-json",
            corpus,
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let located: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["location"].is_object())
        .collect();
    assert!(!located.is_empty());
    for f in located {
        let file = f["location"]["file"].as_str().unwrap();
        let line = f["location"]["line"].as_u64().unwrap() as usize;
        let text = std::fs::read_to_string(file).unwrap();
        let at = text.lines().nth(line - 1).unwrap();
        // The resource's `"id"`, or (a resource without its own id in the text, such as a
        // subnet inside its VNet) the declaration of the nearest parent.
        assert!(
            at.contains("\"id\"") || at.trim_end().ends_with('{'),
            "{file}:{line} is neither the resource's id nor a declaration: {at}"
        );
    }
}
