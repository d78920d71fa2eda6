//! Values a template leaves to deployment (the unknown marker, `aksnet_model::maybe`): kept where
//! the model takes them (a route's next hop address), and where it needs the value the resource
//! fails with the property, the expression and the reason — on the general path and the fast one.

use aksnet_import::{assemble, import_paths, parse, Import, Summary};
use aksnet_model::network::Route;
use aksnet_model::{Maybe, ResourceId};
use serde_json::{json, Value};

const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers";

fn marker(expression: &str, reason: &str) -> Value {
    json!({ "$unknown": { "expression": expression, "reason": reason } })
}

/// A VNet with two subnets listed on their own, one whose prefix is unknown, and a route table
/// whose default route goes to the firewall's private IP, unknown before deployment.
fn resources() -> Value {
    let vnet = format!("{RG}/Microsoft.Network/virtualNetworks/v");
    json!([
        { "id": vnet, "type": "Microsoft.Network/virtualNetworks",
          "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] } } },
        { "id": format!("{vnet}/subnets/ok"), "type": "Microsoft.Network/virtualNetworks/subnets",
          "properties": { "addressPrefix": "10.0.1.0/24" } },
        { "id": format!("{vnet}/subnets/app"), "type": "Microsoft.Network/virtualNetworks/subnets",
          "properties": { "addressPrefix": marker("parameters('appPrefix')", "the parameter has no value") } },
        { "id": format!("{RG}/Microsoft.Network/routeTables/rt"), "type": "Microsoft.Network/routeTables",
          "properties": { "routes": [{ "name": "to-firewall", "properties": {
            "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance",
            "nextHopIpAddress": marker("reference(variables('firewallId')).ipConfigurations[0].properties.privateIPAddress", "assigned by Azure at deployment") } }] } }
    ])
}

fn check(imp: &Import) {
    let rt = imp
        .estate
        .route_tables
        .get(&ResourceId::new(format!(
            "{RG}/Microsoft.Network/routeTables/rt"
        )))
        .expect("the route table imports");
    let r: &Route = &rt.properties.routes[0].properties;
    match &r.next_hop_ip_address {
        Some(Maybe::Unknown(u)) => assert!(u
            .expression
            .starts_with("reference(variables('firewallId'))")),
        other => panic!("{other:?}"),
    }
    let vnet = imp.estate.virtual_networks.iter().next().unwrap();
    let names: Vec<&str> = vnet
        .properties
        .subnets
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["ok"]);
    let d = imp
        .summary
        .diagnostics
        .iter()
        .find(|d| d.error && d.location.contains("subnets/app"))
        .unwrap_or_else(|| panic!("{:#?}", imp.summary.diagnostics));
    assert_eq!(
        d.message,
        "value unknown before deployment at properties.addressPrefix: parameters('appPrefix') (the parameter has no value); child skipped"
    );
    assert!(d
        .hint
        .as_deref()
        .unwrap()
        .contains("leaves this value to deployment"));
    // The estate round-trips with the marker.
    let text = serde_json::to_string(&imp.estate).unwrap();
    assert!(text.contains(r#""nextHopIpAddress":{"$unknown":{"expression":"reference("#));
    assert_eq!(aksnet_model::Estate::from_json(&text).unwrap(), imp.estate);
}

#[test]
fn unknown_values_on_the_general_path() {
    let (mut raws, mut diags) = (Vec::new(), Vec::new());
    parse("t.json", &resources().to_string(), &mut raws, &mut diags);
    assert!(diags.is_empty(), "{diags:?}");
    check(&assemble("t", raws, Summary::default()));
}

#[test]
fn unknown_values_on_the_fast_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    std::fs::write(&path, resources().to_string()).unwrap();
    check(&import_paths("t", &[&path]));
}
