//! Minimal PUT bodies — only what Azure requires — of every modelled type import, and every
//! documented default (`aksnet_model::defaults::DOCUMENTED`) comes out as the table says, while
//! every property Azure gives no default (`UNSTATED`) stays absent.

use aksnet_import::{assemble, parse, Summary};
use aksnet_model::defaults::{DOCUMENTED, UNSTATED};
use serde_json::{json, Value};

const RG: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers";

/// A resource id of type `ty` named `name`.
fn id(ty: &str, name: &str) -> String {
    let (ns, rest) = ty.split_once('/').unwrap();
    let parts: Vec<&str> = rest.split('/').collect();
    let mut out = format!("{RG}/{ns}/{}/{name}", parts[0]);
    for p in &parts[1..] {
        out.push_str(&format!("/{p}/{name}"));
    }
    out
}

fn reference(ty: &str, name: &str) -> Value {
    json!({ "id": id(ty, name) })
}

/// One minimal body per modelled top-level type (children are embedded in their parents, as a
/// PUT body states them): only the properties Azure requires.
fn minimal_bodies() -> Vec<(&'static str, Value)> {
    let subnet = || reference("Microsoft.Network/virtualNetworks/subnets", "a");
    vec![
        (
            "Microsoft.Network/virtualNetworks",
            json!({
                "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
                "subnets": [{ "name": "a", "properties": { "addressPrefix": "10.0.0.0/24" } }],
                "virtualNetworkPeerings": [{ "name": "p", "properties": {
                    "remoteVirtualNetwork": reference("Microsoft.Network/virtualNetworks", "b") } }]
            }),
        ),
        (
            "Microsoft.Network/routeTables",
            json!({ "routes": [{ "name": "r", "properties": {
                "addressPrefix": "0.0.0.0/0", "nextHopType": "Internet" } }] }),
        ),
        (
            "Microsoft.Network/networkSecurityGroups",
            json!({ "securityRules": [{ "name": "r", "properties": {
                "protocol": "Tcp", "access": "Allow", "priority": 100, "direction": "Inbound",
                "sourceAddressPrefix": "*", "destinationAddressPrefix": "*",
                "sourcePortRange": "*", "destinationPortRange": "443" } }] }),
        ),
        ("Microsoft.Network/publicIPAddresses", json!({})),
        ("Microsoft.Network/natGateways", json!({})),
        ("Microsoft.Network/loadBalancers", json!({})),
        ("Microsoft.Network/azureFirewalls", json!({})),
        (
            "Microsoft.Network/firewallPolicies",
            // `{}` reads as absent, as in exports; each object states one other property.
            json!({ "dnsSettings": { "servers": ["10.0.0.53"] },
                "intrusionDetection": { "configuration": { "signatureOverrides": [] } } }),
        ),
        (
            "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
            json!({ "priority": 100 }),
        ),
        (
            "Microsoft.Network/applicationGateways",
            json!({
                "sku": { "name": "WAF_v2", "tier": "WAF_v2" },
                "gatewayIPConfigurations": [{ "name": "g", "properties": { "subnet": subnet() } }],
                "frontendIPConfigurations": [{ "name": "f", "properties": {
                    "publicIPAddress": reference("Microsoft.Network/publicIPAddresses", "a") } }],
                "backendAddressPools": [{ "name": "empty" }]
            }),
        ),
        (
            "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies",
            json!({ "managedRules": { "managedRuleSets": [
                { "ruleSetType": "Microsoft_DefaultRuleSet", "ruleSetVersion": "2.1" }] } }),
        ),
        (
            "Microsoft.Network/privateEndpoints",
            json!({ "subnet": subnet() }),
        ),
        (
            "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
            json!({ "privateDnsZoneConfigs": [] }),
        ),
        ("Microsoft.Network/privateDnsZones", json!({})),
        (
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            json!({ "virtualNetwork": reference("Microsoft.Network/virtualNetworks", "a") }),
        ),
        (
            "Microsoft.Network/privateDnsZones/A",
            json!({ "aRecords": [{ "ipv4Address": "10.0.0.5" }] }),
        ),
        (
            "Microsoft.Network/bastionHosts",
            json!({ "ipConfigurations": [{ "name": "i", "properties": { "subnet": subnet() } }] }),
        ),
        (
            "Microsoft.Network/virtualNetworkGateways",
            json!({ "gatewayType": "Vpn",
                "ipConfigurations": [{ "name": "i", "properties": { "subnet": subnet() } }] }),
        ),
        (
            "Microsoft.Network/localNetworkGateways",
            json!({ "localNetworkAddressSpace": { "addressPrefixes": ["192.168.0.0/16"] } }),
        ),
        (
            "Microsoft.Network/connections",
            json!({ "connectionType": "IPsec",
                "virtualNetworkGateway1": reference("Microsoft.Network/virtualNetworkGateways", "a") }),
        ),
        (
            "Microsoft.ContainerService/managedClusters",
            json!({ "agentPoolProfiles": [{ "name": "system" }] }),
        ),
        ("Microsoft.ContainerRegistry/registries", json!({})),
        (
            "Microsoft.KeyVault/vaults",
            json!({ "tenantId": "00000000-0000-0000-0000-000000000002",
                "sku": { "family": "A", "name": "standard" } }),
        ),
        (
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            json!({}),
        ),
        (
            "Microsoft.Authorization/roleAssignments",
            json!({ "roleDefinitionId": "/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d",
                "principalId": "00000000-0000-0000-0000-000000000003" }),
        ),
        ("Microsoft.Network/ipGroups", json!({})),
        ("Microsoft.Network/applicationSecurityGroups", json!({})),
        (
            "Microsoft.Network/networkInterfaces",
            json!({ "ipConfigurations": [{ "name": "ipconfig1", "properties": { "subnet": subnet() } }] }),
        ),
        (
            "Microsoft.Network/dnsResolvers",
            json!({ "virtualNetwork": reference("Microsoft.Network/virtualNetworks", "a") }),
        ),
        (
            "Microsoft.Network/dnsResolvers/inboundEndpoints",
            json!({ "ipConfigurations": [{ "subnet": subnet() }] }),
        ),
        (
            "Microsoft.Network/dnsResolvers/outboundEndpoints",
            json!({ "subnet": subnet() }),
        ),
        ("Microsoft.Network/dnsForwardingRulesets", json!({})),
        (
            "Microsoft.Network/dnsForwardingRulesets/forwardingRules",
            json!({ "domainName": "contoso.com.", "targetDnsServers": [{ "ipAddress": "10.0.0.4" }] }),
        ),
        (
            "Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks",
            json!({ "virtualNetwork": reference("Microsoft.Network/virtualNetworks", "a") }),
        ),
    ]
}

/// Where a child type's elements sit in its parent's properties.
const CHILD_LISTS: &[(&str, &str, &str)] = &[
    (
        "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        "Microsoft.Network/virtualNetworks",
        "virtualNetworkPeerings",
    ),
    (
        "Microsoft.Network/virtualNetworks/subnets",
        "Microsoft.Network/virtualNetworks",
        "subnets",
    ),
];

fn import_minimal() -> (Value, aksnet_import::Summary) {
    let resources: Vec<Value> = minimal_bodies()
        .into_iter()
        .map(|(ty, properties)| {
            let name = "a";
            json!({ "id": id(ty, name), "type": ty, "name": name, "properties": properties })
        })
        .collect();
    let text = serde_json::to_string(&json!({ "value": resources })).unwrap();
    let (mut raws, mut diags) = (Vec::new(), Vec::new());
    parse("minimal.json", &text, &mut raws, &mut diags);
    let imp = assemble(
        "minimal",
        raws,
        Summary {
            diagnostics: diags,
            ..Default::default()
        },
    );
    (serde_json::to_value(&imp.estate).unwrap(), imp.summary)
}

/// The typed JSON of the first resource of type `ty` in the estate's JSON (a child: the first
/// element of its parent's list).
fn resource<'a>(estate: &'a Value, ty: &str) -> Option<&'a Value> {
    if let Some((_, parent, list)) = CHILD_LISTS
        .iter()
        .find(|(c, ..)| c.eq_ignore_ascii_case(ty))
    {
        return resource(estate, parent)?.pointer(&format!("/properties/{list}/0"));
    }
    estate
        .as_object()?
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .find(|r| {
            r["type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(ty))
        })
}

/// The value at a dotted path (`[]` takes a list's first element).
fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(v, |v, key| match key.strip_suffix("[]") {
            Some(list) => v.get(list)?.get(0),
            None => v.get(key),
        })
}

#[test]
fn minimal_put_bodies_of_every_modelled_type_import() {
    let (estate, summary) = import_minimal();
    let errors: Vec<_> = summary.diagnostics.iter().filter(|d| d.error).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(summary.skipped.is_empty(), "{:?}", summary.skipped);
    let bodies = minimal_bodies();
    let e = aksnet_model::Estate::from_json(&estate.to_string()).unwrap();
    for (ty, n) in e.type_counts() {
        let child = CHILD_LISTS.iter().any(|(c, ..)| *c == ty);
        assert!(
            child || bodies.iter().any(|(t, _)| *t == ty),
            "no minimal body for {ty}"
        );
        assert!(n >= 1, "{ty} did not import");
    }
}

#[test]
fn every_documented_default_is_applied() {
    let (estate, _) = import_minimal();
    for d in DOCUMENTED {
        let r = resource(&estate, d.resource_type)
            .unwrap_or_else(|| panic!("no {} imported", d.resource_type));
        let expected: Value = serde_json::from_str(d.value).unwrap();
        // An empty list is not serialised: absent reads as the table's `[]`.
        let got = at(r, d.path).cloned().unwrap_or(Value::Array(vec![]));
        assert_eq!(got, expected, "{} {}", d.resource_type, d.path);
    }
}

#[test]
fn every_unstated_property_stays_absent() {
    let (estate, _) = import_minimal();
    for u in UNSTATED {
        let r = resource(&estate, u.resource_type)
            .unwrap_or_else(|| panic!("no {} imported", u.resource_type));
        assert_eq!(
            at(r, u.path).filter(|v| !matches!(v, Value::String(s) if s.is_empty())),
            None,
            "{} {} was given a value",
            u.resource_type,
            u.path
        );
    }
}

#[test]
fn a_cluster_without_network_profile_takes_the_plugin_of_its_version() {
    let cluster = |version: Option<&str>| {
        let mut props = json!({ "agentPoolProfiles": [{ "name": "system" }] });
        if let Some(v) = version {
            props["kubernetesVersion"] = json!(v);
        }
        let ty = "Microsoft.ContainerService/managedClusters";
        let text =
            json!({ "id": id(ty, "a"), "type": ty, "name": "a", "properties": props }).to_string();
        let (mut raws, mut diags) = (Vec::new(), Vec::new());
        parse("c.json", &text, &mut raws, &mut diags);
        let imp = assemble("c", raws, Summary::default());
        let mc = imp.estate.managed_clusters.iter().next().unwrap().clone();
        mc.properties.network_mode()
    };
    use aksnet_model::aks::NetworkMode;
    assert_eq!(cluster(Some("1.29.7")), Some(NetworkMode::Kubenet));
    assert_eq!(cluster(Some("1.31.1")), Some(NetworkMode::Overlay));
    assert_eq!(cluster(None), None);
}

#[test]
fn docs_list_every_default_and_every_unstated_property() {
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/import.md"),
    )
    .unwrap();
    let rows = DOCUMENTED
        .iter()
        .map(|d| (d.resource_type, d.path))
        .chain(UNSTATED.iter().map(|u| (u.resource_type, u.path)));
    for (ty, path) in rows {
        let row = format!("| `{ty}` | `{path}` |");
        assert!(docs.contains(&row), "docs/import.md lacks the row {row}");
    }
}
