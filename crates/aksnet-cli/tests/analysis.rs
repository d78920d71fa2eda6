//! End-to-end tests of the analysis commands: trace, reach, exposure, routes, nsg-rules.

mod common;

use common::{aksnet, err, out};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn trace_text_for_on_premises_to_the_ilb_matches_its_snapshot() {
    let o = aksnet(
        tmp().path(),
        &["trace", "--from", "onprem", "--to", "ilb", "--port", "443"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    insta::assert_snapshot!("trace-onprem-ilb", out(&o));
}

#[test]
fn trace_json_has_verdict_hops_and_return() {
    let o = aksnet(
        tmp().path(),
        &[
            "trace",
            "--from",
            "aks-prod/snet-user",
            "--to",
            "internet",
            "--fqdn",
            "mcr.microsoft.com",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(v["verdict"], "allowed");
    let hops = v["hops"].as_array().unwrap();
    assert!(hops
        .iter()
        .any(|h| h["kind"] == "firewall" && h["detail"].as_str().unwrap().contains("SNAT")));
    assert_eq!(v["return"]["symmetric"], true);
}

#[test]
fn trace_expect_gates_ci() {
    let d = tmp();
    let allowed = [
        "trace",
        "--from",
        "bastion",
        "--to",
        "aks-prod/snet-user",
        "--port",
        "22",
    ];
    assert_eq!(
        aksnet(d.path(), &[&allowed[..], &["--expect", "allowed"]].concat())
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        aksnet(d.path(), &[&allowed[..], &["--expect", "denied"]].concat())
            .status
            .code(),
        Some(1)
    );
    let o = aksnet(
        d.path(),
        &[
            "trace",
            "--from",
            "internet",
            "--to",
            "aks-prod/snet-user",
            "--port",
            "22",
            "--expect",
            "denied",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(out(&o).contains("verdict: denied"));
}

#[test]
fn unknown_places_exit_2_and_list_the_known_ones() {
    let o = aksnet(
        tmp().path(),
        &["trace", "--from", "aks-prod/nodes", "--to", "internet"],
    );
    assert_eq!(o.status.code(), Some(2));
    let e = err(&o);
    assert!(
        e.contains("unknown place `aks-prod/nodes`")
            && e.contains("vnet-aks-prod/snet-user")
            && e.contains("aks-prod:acr"),
        "{e}"
    );
    let o = aksnet(
        tmp().path(),
        &[
            "trace",
            "--from",
            "internet",
            "--to",
            "acr",
            "--protocol",
            "gre",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("not a protocol"));
    let o = aksnet(tmp().path(), &["routes", "internet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("is not a subnet"));
}

#[test]
fn exposure_from_the_internet_is_the_app_gateway_only() {
    let o = aksnet(tmp().path(), &["exposure", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    // Connections that cannot complete (replies to the observed 25.x `None` ranges are dropped)
    // are listed apart, with a denied witness.
    let (live, broken): (Vec<_>, Vec<_>) = v["paths"]
        .as_array()
        .unwrap()
        .iter()
        .partition(|p| p["broken"].is_null());
    assert_eq!(live.len(), 1);
    assert_eq!(live[0]["deliveredAt"], "vnet-aks-prod/snet-user");
    assert_eq!(live[0]["witness"]["verdict"], "allowed");
    assert!(broken.iter().all(|p| p["witness"]["verdict"] == "denied"));
}

#[test]
fn reach_text_lists_paths_and_names() {
    let o = aksnet(
        tmp().path(),
        &[
            "reach",
            "--from",
            "aks-prod/snet-system",
            "--to",
            "internet",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    let t = out(&o);
    assert!(
        t.contains("mcr.microsoft.com") && t.contains("ntp.ubuntu.com") && t.contains("witness:"),
        "{t}"
    );
}

#[test]
fn routes_and_nsg_rules_match_their_snapshots() {
    let d = tmp();
    let o = aksnet(d.path(), &["routes", "aks-prod/snet-user"]);
    assert_eq!(o.status.code(), Some(0));
    insta::assert_snapshot!("routes-snet-user", out(&o));
    let o = aksnet(d.path(), &["nsg-rules", "aks-prod/snet-agw"]);
    insta::assert_snapshot!("nsg-rules-snet-agw", out(&o));
    let o = aksnet(d.path(), &["nsg-rules", "contoso-hub/AzureFirewallSubnet"]);
    assert!(out(&o).contains("NSGs are not applied"));
}

#[test]
fn analyses_read_an_estate_file_and_report_its_errors() {
    let d = tmp();
    assert!(aksnet(d.path(), &["design", "--out", "out"])
        .status
        .success());
    let o = aksnet(
        d.path(),
        &[
            "trace",
            "--estate",
            "out/estate.json",
            "--from",
            "onprem",
            "--to",
            "ilb",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(out(&o).contains("verdict: allowed"));
    std::fs::write(
        d.path().join("bad.json"),
        "{\n  \"aksnetSchema\": 1,\n  \"name\": [\n}",
    )
    .unwrap();
    let o = aksnet(d.path(), &["routes", "a/b", "--estate", "bad.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("--> bad.json:3:10"), "{}", err(&o));
    let o = aksnet(d.path(), &["exposure", "--estate", "missing.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("cannot read missing.json"));
}

#[test]
fn service_tags_file_resolves_tags_and_bad_files_exit_2() {
    let d = tmp();
    std::fs::write(d.path().join("tags.json"), r#"{"values": [{"name": "GatewayManager", "properties": {"addressPrefixes": ["13.66.140.0/26"]}}]}"#).unwrap();
    let o = aksnet(
        d.path(),
        &[
            "nsg-rules",
            "aks-prod/snet-agw",
            "--service-tags",
            "tags.json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(!out(&o).contains("without prefixes offline"), "{}", out(&o));
    std::fs::write(d.path().join("bad.json"), r#"{"values": [{"name": "X"}]}"#).unwrap();
    let o = aksnet(
        d.path(),
        &["routes", "aks-prod/snet-user", "--service-tags", "bad.json"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("error: values[0] (X) has no properties.addressPrefixes\n--> bad.json"),
        "{}",
        err(&o)
    );
}
