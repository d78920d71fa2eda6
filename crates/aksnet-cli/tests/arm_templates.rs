//! ARM templates through the CLI: parameters as az takes them, chained deployments, errors at
//! their place, and the analyses on what the templates deploy.

mod common;

use std::path::{Path, PathBuf};

use common::{aksnet, err, out};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/arm/chain")
}

fn arg(p: &Path) -> String {
    p.display().to_string()
}

#[test]
fn chained_deployments_feed_outputs_and_update_earlier_resources() {
    let d = tempfile::tempdir().unwrap();
    let file = arg(&fixtures().join("deployments.yaml"));
    let o = aksnet(
        d.path(),
        &["import", "--deployments", &file, "--out", "estate.json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let e = aksnet_model::Estate::from_json(
        &std::fs::read_to_string(d.path().join("estate.json")).unwrap(),
    )
    .unwrap();
    // Two spokes from the copy loop, the hub; four peerings (two from the nested deployment
    // into the hub's resource group).
    assert_eq!(e.virtual_networks.len(), 3);
    let hub = e
        .virtual_networks
        .iter()
        .find(|v| v.name == "vnet-hub")
        .unwrap();
    assert_eq!(
        hub.id.as_str(),
        "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub"
    );
    assert_eq!(hub.properties.virtual_network_peerings.len(), 2);
    // The third step replaced the hub subnet, which now has the NSG.
    let nva = &hub.properties.subnets[0];
    assert!(
        nva.properties
            .network_security_group
            .as_ref()
            .is_some_and(|n| n
                .id
                .as_str()
                .ends_with("rg-hub/providers/Microsoft.Network/networkSecurityGroups/nsg-nva")),
        "{nva:?}"
    );
    // The spokes' route took the hub's output through the deployments file.
    let rt = e.route_tables.iter().next().unwrap();
    assert_eq!(
        rt.properties.routes[0]
            .properties
            .next_hop_ip_address
            .as_ref()
            .and_then(|m| m.known())
            .map(String::as_str),
        Some("10.0.1.4")
    );

    // Every analysis reads the same deployments: the hub NSG the last step added decides.
    let trace = |from: &str| {
        aksnet(
            d.path(),
            &[
                "trace",
                "--deployments",
                &file,
                "--from",
                from,
                "--to",
                "10.0.1.4",
                "--port",
                "22",
            ],
        )
    };
    let a = trace("vnet-spoke-a/workload");
    assert!(out(&a).contains("verdict: allowed"), "{}", out(&a));
    let b = trace("vnet-spoke-b/workload");
    assert!(
        out(&b).contains("verdict: denied") && out(&b).contains("deny-blocked-spoke"),
        "{}",
        out(&b)
    );
    let i = aksnet(
        d.path(),
        &[
            "trace",
            "--deployments",
            &file,
            "--from",
            "vnet-spoke-a/workload",
            "--to",
            "internet",
        ],
    );
    assert!(
        out(&i).contains("0.0.0.0/0 → VirtualAppliance 10.0.1.4 (User, rt-spokes/default)"),
        "{}",
        out(&i)
    );
}

#[test]
fn parameters_as_az_takes_them() {
    let d = tempfile::tempdir().unwrap();
    let hub = arg(&fixtures().join("hub.json"));
    std::fs::write(
        d.path().join("hub.parameters.json"),
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
            "contentVersion": "1.0.0.0", "parameters": {"hubPrefix": {"value": "10.50"}}}"#,
    )
    .unwrap();
    // A file with @, then name=value: the later one wins.
    let o = aksnet(
        d.path(),
        &[
            "import",
            &hub,
            "--parameters",
            "@hub.parameters.json",
            "-p",
            "hubPrefix=10.60",
            "-g",
            "rg-x",
            "-l",
            "northeurope",
            "--out",
            "estate.json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = std::fs::read_to_string(d.path().join("estate.json")).unwrap();
    assert!(
        text.contains("10.60.0.0/16") && !text.contains("10.50."),
        "{text}"
    );
    assert!(text.contains("/resourceGroups/rg-x/") && text.contains("northeurope"));

    // A required parameter without a value names it and its type; nothing is written.
    let spoke = arg(&fixtures().join("spoke.json"));
    let o = aksnet(
        d.path(),
        &[
            "import",
            &spoke,
            "-p",
            "nvaIp=10.0.1.4",
            "--out",
            "spoke.json",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("the required parameter 'hubVnetId' (string) has no value"),
        "{}",
        err(&o)
    );
    assert!(!d.path().join("spoke.json").exists());

    // A parameter the template does not declare, and a value of the wrong type.
    let o = aksnet(
        d.path(),
        &["import", &hub, "-p", "nosuch=1", "--out", "x.json"],
    );
    assert!(
        err(&o).contains("the template has no parameter named 'nosuch'"),
        "{}",
        err(&o)
    );
    let o = aksnet(
        d.path(),
        &[
            "import",
            &spoke,
            "-p",
            "spokes=a",
            "-p",
            "hubVnetId=/x",
            "-p",
            "nvaIp=1.2.3.4",
        ],
    );
    assert!(
        err(&o).contains("the parameter 'spokes' is declared array; `a` is not a JSON array"),
        "{}",
        err(&o)
    );
}

#[test]
fn template_errors_say_where() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("t.json"),
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.Network/virtualNetworks",
      "apiVersion": "2023-09-01",
      "name": "v",
      "properties": { "addressSpace": { "addressPrefixes": [ "[concat('10.0.0.0/', nosuch())]" ] } }
    }
  ]
}"#,
    )
    .unwrap();
    let o = aksnet(d.path(), &["import", "t.json"]);
    assert_eq!(o.status.code(), Some(2));
    let e = err(&o);
    assert!(
        e.contains("error: unknown function 'nosuch' in `[concat('10.0.0.0/', nosuch())]`\n--> t.json:9:84"),
        "{e}"
    );
}

#[test]
fn a_firewall_with_several_public_ips_imports() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("fw.json"),
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "variables": { "count": 2 },
  "resources": [
    { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "hub",
      "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
        "subnets": [ { "name": "AzureFirewallSubnet", "properties": { "addressPrefix": "10.0.1.0/26" } } ] } },
    { "type": "Microsoft.Network/azureFirewalls", "apiVersion": "2023-09-01", "name": "fw",
      "properties": {
        "copy": [ { "name": "ipConfigurations", "count": "[variables('count')]",
          "input": { "name": "[format('ip{0}', copyIndex('ipConfigurations'))]",
            "properties": {
              "subnet": "[if(equals(copyIndex('ipConfigurations'), 0), createObject('id', resourceId('Microsoft.Network/virtualNetworks/subnets', 'hub', 'AzureFirewallSubnet')), null())]",
              "publicIPAddress": { "id": "[resourceId('Microsoft.Network/publicIPAddresses', format('pip{0}', copyIndex('ipConfigurations')))]" } } } } ] } }
  ]
}"#,
    )
    .unwrap();
    let o = aksnet(d.path(), &["import", "fw.json", "--out", "estate.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let e = aksnet_model::Estate::from_json(
        &std::fs::read_to_string(d.path().join("estate.json")).unwrap(),
    )
    .unwrap();
    let fw = e.azure_firewalls.iter().next().unwrap();
    assert_eq!(fw.properties.ip_configurations.len(), 2);
    assert!(fw.properties.ip_configurations[1]
        .properties
        .subnet
        .id
        .as_str()
        .ends_with("/subnets/AzureFirewallSubnet"));
}

#[test]
fn findings_on_a_template_point_at_the_declaration() {
    let d = tempfile::tempdir().unwrap();
    let hub = arg(&fixtures().join("hub.json"));
    let o = aksnet(
        d.path(),
        &[
            "check",
            "--azure-json",
            &hub,
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "AKS-NET-001")
        .expect("the NVA subnet has no NSG");
    // The subnet is declared inside its VNet: the VNet's declaration, line 16 column 5.
    assert_eq!(f["location"]["file"], hub.as_str());
    assert_eq!(
        (
            f["location"]["line"].as_u64(),
            f["location"]["column"].as_u64()
        ),
        (Some(16), Some(5))
    );
}

#[test]
fn an_unknown_condition_matters_only_for_what_aksnet_models() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("t.json"),
        r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "secret": { "type": "secureObject" } },
  "resources": [
    { "condition": "[not(empty(parameters('secret')))]", "type": "Microsoft.OperationalInsights/workspaces",
      "apiVersion": "2022-10-01", "name": "law", "properties": {} },
    { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "v",
      "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] } } }
  ]
}"#,
    )
    .unwrap();
    // The workspace depends on a secret aksnet never reads: no matter.
    let o = aksnet(d.path(), &["import", "t.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(
        out(&o).contains("1  Microsoft.OperationalInsights/workspaces"),
        "{}",
        out(&o)
    );
    // The same condition on the VNet: whether it exists is unknown, an error at the condition.
    let text = std::fs::read_to_string(d.path().join("t.json"))
        .unwrap()
        .replace(r#""type": "Microsoft.Network/virtualNetworks""#, r#""condition": "[not(empty(parameters('secret')))]", "type": "Microsoft.Network/virtualNetworks""#);
    std::fs::write(d.path().join("t.json"), text).unwrap();
    let o = aksnet(d.path(), &["import", "t.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("whether the template deploys this Microsoft.Network/virtualNetworks is unknown (parameters('secret'): a secure parameter")
            && err(&o).contains("--> t.json:8:20"),
        "{}",
        err(&o)
    );
}

/// A route to the firewall's private IP read with `reference()` (the AKS baseline's way): unknown
/// before deployment, naming the firewall, so `--switch firewall-first-address` follows it to
/// the address it predicts for that firewall.
#[test]
fn a_route_to_the_firewall_by_reference_follows_the_predicted_address() {
    let d = tempfile::tempdir().unwrap();
    let t = serde_json::json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "variables": { "fw": "[resourceId('Microsoft.Network/azureFirewalls', 'afw')]" },
        "resources": [
            { "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "hub", "location": "westeurope",
              "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] }, "subnets": [
                { "name": "AzureFirewallSubnet", "properties": { "addressPrefix": "10.0.1.0/26" } },
                { "name": "snet-app", "properties": { "addressPrefix": "10.0.2.0/24",
                  "routeTable": { "id": "[resourceId('Microsoft.Network/routeTables', 'rt')]" } } } ] } },
            { "type": "Microsoft.Network/azureFirewalls", "apiVersion": "2023-09-01", "name": "afw", "location": "westeurope",
              "properties": { "sku": { "name": "AZFW_VNet", "tier": "Standard" }, "ipConfigurations": [ { "name": "c",
                "properties": { "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'hub', 'AzureFirewallSubnet')]" } } } ] } },
            { "type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01", "name": "rt", "location": "westeurope",
              "properties": { "routes": [ { "name": "to-fw", "properties": { "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance",
                "nextHopIpAddress": "[reference(variables('fw')).ipConfigurations[0].properties.privateIPAddress]" } } ] } }
        ]
    });
    std::fs::write(d.path().join("t.json"), t.to_string()).unwrap();
    let routes = |extra: &[&str]| {
        let base = ["routes", "hub/snet-app", "--azure-json", "t.json"];
        out(&aksnet(d.path(), &[&base[..], extra].concat()))
    };
    assert!(
        routes(&[]).contains("unknown before deployment"),
        "{}",
        routes(&[])
    );
    let predicted = routes(&["--switch", "firewall-first-address"]);
    assert!(
        predicted.contains("VirtualAppliance  10.0.1.4"),
        "{predicted}"
    );
}
