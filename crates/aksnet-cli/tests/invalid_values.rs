//! Values Azure refuses are errors at their JSON path, never rules or routes that silently match
//! nothing; a route to a service tag is followed with `--service-tags` and `unknown` without.

mod common;

use common::aksnet;

const RG: &str = "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network";

fn route_table(routes: &str) -> String {
    format!(
        r#"{{"id": "{RG}/routeTables/rt", "type": "Microsoft.Network/routeTables", "name": "rt",
            "properties": {{"routes": [{routes}]}}}}"#
    )
}

fn nsg(rule: &str) -> String {
    format!(
        r#"{{"id": "{RG}/networkSecurityGroups/nsg", "type": "Microsoft.Network/networkSecurityGroups",
            "name": "nsg", "properties": {{"securityRules": [{{"name": "r", "properties": {{
            "access": "Allow", "priority": 100, "direction": "Inbound",
            "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", {rule}}}}}]}}}}"#
    )
}

/// Imports one resource and returns standard error.
fn import_error(resource: &str) -> String {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("r.json"), resource).unwrap();
    let o = aksnet(d.path(), &["import", "r.json"]);
    assert_eq!(o.status.code(), Some(2), "{resource}");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn invalid_values_are_errors_at_their_json_path() {
    let cases = [
        (
            route_table(
                r#"{"name": "a", "properties": {"addressPrefix": "10.2.0.1/16", "nextHopType": "None"}}"#,
            ),
            "properties.routes[0].properties.addressPrefix",
            "`10.2.0.1/16` is not a route prefix",
        ),
        (
            route_table(
                r#"{"name": "a", "properties": {"addressPrefix": "10.0.0.0/33", "nextHopType": "None"}}"#,
            ),
            "properties.routes[0].properties.addressPrefix",
            "`10.0.0.0/33`",
        ),
        (
            route_table(
                r#"{"name": "a", "properties": {"addressPrefix": "Internet", "nextHopType": "None"}}"#,
            ),
            "properties.routes[0].properties.addressPrefix",
            "does not accept as a route prefix",
        ),
        (
            route_table(
                r#"{"name": "a", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance"}}"#,
            ),
            "properties.routes[0].properties",
            "needs nextHopIpAddress",
        ),
        (
            route_table(
                r#"{"name": "a", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualApplianceEcmp"}}"#,
            ),
            "properties.routes[0].properties.nextHopType",
            "unknown variant `VirtualApplianceEcmp`",
        ),
        (
            nsg(r#""protocol": "Tcp", "destinationPortRange": "443-80""#),
            "properties.securityRules[0].properties.destinationPortRange",
            "ends swapped (write 80-443)",
        ),
        (
            nsg(r#""protocol": "Tcp", "destinationPortRanges": ["443", "99999"]"#),
            "properties.securityRules[0].properties.destinationPortRanges",
            "`99999` is not a port",
        ),
        (
            nsg(r#""protocol": "Sctp", "destinationPortRange": "443""#),
            "properties.securityRules[0].properties.protocol",
            "`Sctp` is not an NSG protocol",
        ),
    ];
    for (resource, path, message) in cases {
        let err = import_error(&resource);
        assert!(
            err.contains(&format!(" at {path}")) && err.contains(message),
            "expected `{message}` at {path}:\n{err}"
        );
    }
}

/// A route to the `Storage` tag that drops traffic: Azure expands the tag to its prefixes
/// [UDR] §2.3. Without the tag's prefixes aksnet cannot tell which public destinations it takes.
#[test]
fn a_service_tag_route_is_followed_with_tags_and_unknown_without() {
    let d = tempfile::tempdir().unwrap();
    let vnet = format!(
        r#"{{"id": "{RG}/virtualNetworks/vnet", "type": "Microsoft.Network/virtualNetworks",
            "name": "vnet", "properties": {{"addressSpace": {{"addressPrefixes": ["10.1.0.0/16"]}},
            "subnets": [{{"name": "app", "properties": {{"addressPrefix": "10.1.0.0/24",
            "routeTable": {{"id": "{RG}/routeTables/rt"}}}}}}]}}}}"#
    );
    let rt = route_table(
        r#"{"name": "storage-dropped", "properties": {"addressPrefix": "Storage", "nextHopType": "None"}}"#,
    );
    std::fs::write(d.path().join("net.json"), format!("[{vnet}, {rt}]")).unwrap();
    std::fs::write(
        d.path().join("tags.json"),
        r#"{"values": [{"name": "Storage", "properties": {"addressPrefixes": ["20.0.0.0/8"]}}]}"#,
    )
    .unwrap();
    let trace = |to: &str, tags: bool| {
        let mut args = vec![
            "trace",
            "--azure-json",
            "net.json",
            "--from",
            "vnet/app",
            "--to",
            to,
            "--port",
            "443",
        ];
        if tags {
            args.extend(["--service-tags", "tags.json"]);
        }
        let o = aksnet(d.path(), &args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("verdict: "))
            .unwrap_or_default()
            .to_string()
    };
    let v = trace("20.1.2.3", false);
    assert!(
        v.starts_with("unknown")
            && v.contains("service tag(s) Storage")
            && v.contains("--service-tags"),
        "{v}"
    );
    // A private destination is in no service tag: the tag route cannot take it.
    assert!(trace("10.1.0.9", false).starts_with("allowed"));
    // reach agrees with trace, per packet: public destinations unknown.
    let o = aksnet(
        d.path(),
        &[
            "reach",
            "--azure-json",
            "net.json",
            "--from",
            "vnet/app",
            "--to",
            "internet",
        ],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("unknown: ") && out.contains("service tag(s) Storage"),
        "{out}"
    );
    // `routes` shows what its table cannot: the tag route whose prefixes are not loaded.
    let o = aksnet(
        d.path(),
        &["routes", "--azure-json", "net.json", "vnet/app"],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("note: ") && out.contains("service tag(s) Storage"),
        "{out}"
    );
    let v = trace("20.1.2.3", true);
    assert!(
        v.starts_with("denied") && v.contains("20.0.0.0/8 → None"),
        "{v}"
    );
    assert!(trace("8.8.8.8", true).starts_with("allowed"));
}

/// An NSG rule restricted to some source ports: a flow's source port is not part of aksnet's
/// model, so a decision that turns on such a rule is `unknown`, never a guess either way.
#[test]
fn a_rule_on_source_ports_makes_its_decision_unknown() {
    let d = tempfile::tempdir().unwrap();
    let vnet = format!(
        r#"{{"id": "{RG}/virtualNetworks/vnet", "type": "Microsoft.Network/virtualNetworks",
            "name": "vnet", "properties": {{"addressSpace": {{"addressPrefixes": ["10.1.0.0/16"]}},
            "subnets": [{{"name": "app", "properties": {{"addressPrefix": "10.1.0.0/24",
            "networkSecurityGroup": {{"id": "{RG}/networkSecurityGroups/nsg"}}}}}}]}}}}"#
    );
    let nsg = format!(
        r#"{{"id": "{RG}/networkSecurityGroups/nsg", "type": "Microsoft.Network/networkSecurityGroups",
            "name": "nsg", "properties": {{"securityRules": [{{"name": "deny-high-ports", "properties": {{
            "access": "Deny", "priority": 100, "direction": "Outbound", "protocol": "Tcp",
            "sourceAddressPrefix": "*", "destinationAddressPrefix": "*",
            "sourcePortRanges": ["1024-65535"], "destinationPortRange": "443"}}}}]}}}}"#
    );
    std::fs::write(d.path().join("net.json"), format!("[{vnet}, {nsg}]")).unwrap();
    let verdict = |port: &str| {
        let o = aksnet(
            d.path(),
            &[
                "trace",
                "--azure-json",
                "net.json",
                "--from",
                "vnet/app",
                "--to",
                "8.8.8.8",
                "--port",
                port,
            ],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("verdict: "))
            .unwrap_or_default()
            .to_string()
    };
    let v = verdict("443");
    assert!(
        v.starts_with("unknown") && v.contains("source ports 1024-65535"),
        "{v}"
    );
    // Another destination port: the rule cannot match, the flow is allowed.
    assert!(verdict("80").starts_with("allowed"));
}
