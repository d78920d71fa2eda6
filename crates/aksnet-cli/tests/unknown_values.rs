//! Values unknown before deployment end to end: Azure JSON whose route sends traffic to the
//! firewall's private IP as a template states it (the unknown marker) imports with `--keep-going`
//! past a subnet whose prefix is unknown (skipped, with the property and the expression), the
//! estate keeps the marker, and a trace over the route answers `unknown` naming the route table,
//! the route and the expression; `routes` shows the expression.

mod common;

use common::{aksnet, err, out};
use serde_json::{json, Value};

const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network";
const FIREWALL_IP: &str =
    "reference(variables('firewallId')).ipConfigurations[0].properties.privateIPAddress";

fn marker(expression: &str, reason: &str) -> Value {
    json!({ "$unknown": { "expression": expression, "reason": reason } })
}

fn export() -> Value {
    let vnet = format!("{RG}/virtualNetworks/vnet-spoke");
    let rt = format!("{RG}/routeTables/rt-spoke");
    json!([
        { "id": vnet, "type": "Microsoft.Network/virtualNetworks", "location": "westeurope",
          "properties": { "addressSpace": { "addressPrefixes": ["10.1.0.0/16"] },
            "subnets": [{ "name": "snet-app", "properties": { "addressPrefix": "10.1.1.0/24",
              "routeTable": { "id": rt } } }] } },
        { "id": format!("{vnet}/subnets/snet-late"), "type": "Microsoft.Network/virtualNetworks/subnets",
          "properties": { "addressPrefix": marker("parameters('latePrefix')", "the parameter has no value") } },
        { "id": rt, "type": "Microsoft.Network/routeTables", "location": "westeurope",
          "properties": { "disableBgpRoutePropagation": true, "routes": [{ "name": "to-firewall",
            "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance",
              "nextHopIpAddress": marker(FIREWALL_IP, "the firewall's private IP is assigned at deployment") } }] } }
    ])
}

#[test]
fn a_next_hop_unknown_before_deployment_traces_unknown() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("export.json"), export().to_string()).unwrap();
    let o = aksnet(
        d.path(),
        &[
            "import",
            "export.json",
            "--keep-going",
            "--out",
            "estate.json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        err(&o).contains("value unknown before deployment at properties.addressPrefix: parameters('latePrefix') (the parameter has no value)"),
        "{}",
        err(&o)
    );
    let estate = std::fs::read_to_string(d.path().join("estate.json")).unwrap();
    assert!(
        estate.contains("$unknown") && estate.contains("firewallId"),
        "{estate}"
    );

    let o = aksnet(
        d.path(),
        &[
            "trace",
            "--estate",
            "estate.json",
            "--from",
            "vnet-spoke/snet-app",
            "--to",
            "internet",
            "--protocol",
            "tcp",
            "--port",
            "443",
            "--format",
            "json",
        ],
    );
    let t: Value = serde_json::from_str(&out(&o)).unwrap_or_else(|e| panic!("{e}: {}", err(&o)));
    assert_eq!(t["verdict"], "unknown", "{t:#}");
    let reason = t["reason"].as_str().unwrap();
    assert!(
        reason.contains("route `to-firewall` of route table `rt-spoke`")
            && reason.contains(FIREWALL_IP),
        "{reason}"
    );

    let o = aksnet(
        d.path(),
        &["routes", "vnet-spoke/snet-app", "--estate", "estate.json"],
    );
    assert!(
        out(&o).contains(FIREWALL_IP)
            && out(&o).contains("note: route `to-firewall` of route table `rt-spoke`"),
        "{}{}",
        out(&o),
        err(&o)
    );
}
