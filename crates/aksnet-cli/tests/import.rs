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
        err.contains("the required parameter 'aksClusterAdminUsername' (string) has no value")
            && !err.contains("vmAdminPasswordOrKey"),
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

/// IP groups from Azure JSON to trace verdicts (learn.microsoft.com/azure/firewall/ip-groups:
/// groups are sources or destinations of network rules; an address, a CIDR block or a range).
/// The reference design's hub firewall gets a rule collection group whose network rules name
/// a destination group, a source group and a group the export does not hold.
#[test]
fn firewall_rules_with_ip_groups_trace_from_azure_json() {
    use serde_json::{json, Value};
    let d = tempfile::tempdir().unwrap();
    let o = aksnet(d.path(), &["design", "--out", "out"]);
    assert!(o.status.success());
    let e: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("out/estate.json")).unwrap())
            .unwrap();
    let mut list = Vec::new();
    for (k, v) in e.as_object().unwrap() {
        if let (true, Some(items)) = (k != "onPremisesPrefixes", v.as_array()) {
            list.extend(items.iter().cloned());
        }
    }
    let net = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-contoso-hub/providers/Microsoft.Network";
    let group = |name: &str| format!("{net}/ipGroups/{name}");
    list.push(
        json!({ "id": group("ipg-partners"), "type": "Microsoft.Network/ipGroups",
        "properties": { "ipAddresses": ["198.51.100.10-198.51.100.20", "203.0.113.0/28"] } }),
    );
    list.push(
        json!({ "id": group("ipg-system"), "type": "Microsoft.Network/ipGroups",
        "properties": { "ipAddresses": ["10.240.1.32-10.240.1.47"] } }),
    );
    let rule = |name: &str, port: &str, extra: Value| {
        let mut r = json!({ "ruleType": "NetworkRule", "name": name, "ipProtocols": ["TCP"],
            "destinationPorts": [port] });
        r.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        r
    };
    let user = ["10.240.1.0/27"];
    list.push(json!({
        "id": format!("{net}/firewallPolicies/afwp-contoso/ruleCollectionGroups/rcg-ipgroups"),
        "properties": { "priority": 150, "ruleCollections": [{
            "ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "ipgroup-rules",
            "priority": 100, "action": { "type": "Allow" }, "rules": [
                rule("to-partners", "8443", json!({ "sourceAddresses": user,
                    "destinationIpGroups": [group("ipg-partners")] })),
                rule("from-system", "9443", json!({ "sourceIpGroups": [group("ipg-system")],
                    "destinationAddresses": ["*"] })),
                rule("to-missing", "7443", json!({ "sourceAddresses": user,
                    "destinationIpGroups": [group("ipg-missing")] })),
            ] }] }
    }));
    std::fs::create_dir(d.path().join("export")).unwrap();
    std::fs::write(
        d.path().join("export/all.json"),
        serde_json::to_string(&list).unwrap(),
    )
    .unwrap();
    let trace = |from: &str, to: &str, port: &str| -> Value {
        let o = aksnet(
            d.path(),
            &[
                "trace",
                "--azure-json",
                "export",
                "--on-premises",
                "10.0.0.0/14",
                "--from",
                from,
                "--to",
                to,
                "--protocol",
                "tcp",
                "--port",
                port,
                "--format",
                "json",
            ],
        );
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&o.stderr));
        })
    };
    let verdict = |v: &Value| v["verdict"].as_str().unwrap_or_default().to_string();
    // Destination group: inside the range and the CIDR block allowed, outside denied (no other
    // rule matches: default deny).
    let user = "aks-prod/snet-user";
    assert_eq!(verdict(&trace(user, "198.51.100.15", "8443")), "allowed");
    assert_eq!(verdict(&trace(user, "203.0.113.5", "8443")), "allowed");
    assert_eq!(verdict(&trace(user, "198.51.100.30", "8443")), "denied");
    // Source group: the system node subnet (10.240.1.36) is in it, the user subnet is not.
    assert_eq!(
        verdict(&trace("aks-prod/snet-system", "198.51.100.30", "9443")),
        "allowed"
    );
    assert_eq!(verdict(&trace(user, "198.51.100.30", "9443")), "denied");
    // A group the export does not hold: unknown, naming it — never allow-all or a silent miss.
    let t = trace(user, "198.51.100.30", "7443");
    assert_eq!(verdict(&t), "unknown");
    let reason = t["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains(&format!(
            "IP group `{}` is not in the estate",
            group("ipg-missing")
        )),
        "{reason}"
    );
}

/// What az CLI prints: properties flattened beside `id` and `name`, at every depth (subnets,
/// their delegations), `null` for what is not set, `resourceGroup` beside the id; its create
/// commands wrap the resource (`{"newVNet": {...}}`). `az aks show` flattens too, and its agent
/// pool profiles are plain objects, not children.
#[test]
fn az_cli_output_imports() {
    let d = tempfile::tempdir().unwrap();
    let rg = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers";
    let vnets = format!(
        r#"[{{"addressSpace": {{"addressPrefixes": ["10.10.0.0/16"]}}, "dhcpOptions": null,
            "enableDdosProtection": false, "etag": "W/\"1\"",
            "id": "{rg}/Microsoft.Network/virtualNetworks/vnet-app", "location": "westeurope",
            "name": "vnet-app", "provisioningState": "Succeeded", "resourceGroup": "rg",
            "subnets": [{{"addressPrefix": "10.10.1.0/24", "delegations": [{{"actions": [],
                "id": "{rg}/Microsoft.Network/virtualNetworks/vnet-app/subnets/nodes/delegations/d",
                "name": "d", "serviceName": "Microsoft.ContainerInstance/containerGroups",
                "type": "Microsoft.Network/virtualNetworks/subnets/delegations"}}],
              "id": "{rg}/Microsoft.Network/virtualNetworks/vnet-app/subnets/nodes",
              "name": "nodes", "networkSecurityGroup": null, "routeTable": null,
              "privateEndpointNetworkPolicies": "Disabled", "resourceGroup": "rg",
              "serviceEndpoints": null, "type": "Microsoft.Network/virtualNetworks/subnets"}}],
            "type": "Microsoft.Network/virtualNetworks", "virtualNetworkPeerings": []}}]"#
    );
    std::fs::write(d.path().join("vnets.json"), vnets).unwrap();
    let nsg = format!(
        r#"{{"NewNSG": {{"id": "{rg}/Microsoft.Network/networkSecurityGroups/nsg-app",
            "name": "nsg-app", "resourceGroup": "rg", "type": "Microsoft.Network/networkSecurityGroups",
            "securityRules": [{{"access": "Deny", "direction": "Inbound", "name": "deny-ssh",
              "priority": 100, "protocol": "Tcp", "sourceAddressPrefix": "*",
              "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "22",
              "id": "{rg}/Microsoft.Network/networkSecurityGroups/nsg-app/securityRules/deny-ssh"}}]}}}}"#
    );
    std::fs::write(d.path().join("nsg.json"), nsg).unwrap();
    let aks = format!(
        r#"{{"agentPoolProfiles": [{{"count": 3, "mode": "System", "name": "system",
            "vmSize": "Standard_D4s_v5", "maxPods": 30,
            "vnetSubnetId": "{rg}/Microsoft.Network/virtualNetworks/vnet-app/subnets/nodes"}}],
          "dnsPrefix": "app", "id": "{rg}/Microsoft.ContainerService/managedClusters/aks-app",
          "kubernetesVersion": "1.30.5", "location": "westeurope", "name": "aks-app",
          "networkProfile": {{"networkPlugin": "azure", "outboundType": "loadBalancer",
            "serviceCidr": "10.0.0.0/16", "dnsServiceIp": "10.0.0.10"}},
          "resourceGroup": "rg", "type": "Microsoft.ContainerService/ManagedClusters"}}"#
    );
    std::fs::write(d.path().join("aks.json"), aks).unwrap();
    let o = aksnet(
        d.path(),
        &[
            "import",
            "vnets.json",
            "nsg.json",
            "aks.json",
            "--out",
            "estate.json",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let e = aksnet_model::Estate::from_json(
        &std::fs::read_to_string(d.path().join("estate.json")).unwrap(),
    )
    .unwrap();
    let vnet = e.virtual_networks.iter().next().unwrap();
    assert_eq!(vnet.properties.address_space.address_prefixes.len(), 1);
    let subnet = &vnet.properties.subnets[0];
    assert_eq!(subnet.properties.address_prefix.to_string(), "10.10.1.0/24");
    assert_eq!(
        subnet.properties.delegations[0].properties.service_name,
        "Microsoft.ContainerInstance/containerGroups"
    );
    let nsg = e.network_security_groups.iter().next().unwrap();
    assert_eq!(nsg.properties.security_rules[0].properties.priority, 100);
    let mc = e.managed_clusters.iter().next().unwrap();
    assert_eq!(mc.properties.agent_pool_profiles[0].max_pods, Some(30));
    assert_eq!(
        mc.properties.network_mode(),
        Some(aksnet_model::aks::NetworkMode::AzureFlat)
    );
}

/// An id whose segments do not name the type its `type` field names (as in some REST spec
/// examples) is skipped with a warning saying so, not silently counted as an unmodelled type.
#[test]
fn a_type_the_id_contradicts_is_reported() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("ep.json"),
        r#"{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/inboundEndpoints/ep1",
            "type": "Microsoft.Network/dnsResolvers/inboundEndpoints",
            "properties": {"ipConfigurations": []}}"#,
    )
    .unwrap();
    let o = aksnet(d.path(), &["import", "ep.json"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("`type` says Microsoft.Network/dnsResolvers/inboundEndpoints, but the id names Microsoft.Network/inboundEndpoints"),
        "{err}"
    );
}
