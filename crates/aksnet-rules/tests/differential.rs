//! `trace` and `reach` agree (issue 12, item 6): on every example, for every pair of known
//! places and a grid of packets, a trace is `allowed` exactly when reach admits the packet —
//! through a name-independent path, or through a path the firewall passes by name for the name
//! the trace carries.

mod support;

use aksnet_engine::{DataPlane, Options};
use serde_json::{json, Value};

#[test]
fn trace_and_reach_agree_on_every_example() {
    let (mut total, mut bad) = (0, Vec::new());
    for (label, estate) in support::designed_examples() {
        let dp = DataPlane::compile(&estate, Options::default());
        let places = support::places(&dp);
        let pairs = support::all_pairs(&places);
        let (n, b) = support::compare(&label, &dp, &places, &pairs);
        total += n;
        bad.extend(b);
    }
    eprintln!(
        "trace vs reach: {total} comparisons, {} disagreements",
        bad.len()
    );
    assert!(total > 10_000, "{total}");
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// The same under every `--switch`: each disputed behaviour is decided once, so turning it
/// around moves both evaluators together. On the examples and the reference with DNAT rules,
/// on every pair from the Internet and on-premises and a sample of the others.
#[test]
fn trace_and_reach_agree_under_every_switch() {
    let mut estates = support::designed_examples();
    let dnat = support::reference_with_dnat();
    estates.push((
        "reference with DNAT".into(),
        aksnet_model::Estate::from_json(&dnat.to_string()).unwrap(),
    ));
    let (mut total, mut bad) = (0, Vec::new());
    for (switch, _) in aksnet_engine::options::SWITCHES {
        let mut o = Options::default();
        o.set(switch).unwrap();
        for (name, e) in &estates {
            let dp = DataPlane::compile(e, o.clone());
            let places = support::places(&dp);
            let mut rng = support::Rng(0x5717C4);
            let pairs: Vec<(usize, usize)> = support::all_pairs(&places)
                .into_iter()
                .filter(|(a, _)| a < &2 || rng.below(4) == 0)
                .collect();
            let (n, b) =
                support::compare(&format!("{name} --switch {switch}"), &dp, &places, &pairs);
            total += n;
            bad.extend(b);
        }
    }
    eprintln!(
        "trace vs reach under switches: {total} comparisons, {} disagreements",
        bad.len()
    );
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// A spoke with network interfaces (issue 14, item 4): NIC-level NSGs inbound and outbound
/// (one on a third-party NVA's NIC), application security groups in a subnet NSG (one with a
/// member, one with none, one the estate does not hold) and a private endpoint with a dynamic
/// address placed from its NIC. Every NIC address is a place besides the usual ones.
#[test]
fn trace_and_reach_agree_with_network_interfaces() {
    let sub = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";
    let sn = |n: &str| json!({ "id": format!("{sub}/virtualNetworks/v/subnets/{n}") });
    let nsg_ref = |n: &str| json!({ "id": format!("{sub}/networkSecurityGroups/{n}") });
    let asg = |n: &str| json!([{ "id": format!("{sub}/applicationSecurityGroups/{n}") }]);
    let rule = |name: &str,
                prio: u32,
                dir: &str,
                access: &str,
                proto: &str,
                port: &str,
                src: &str,
                dst: Value| {
        let mut p = json!({ "protocol": proto, "sourceAddressPrefix": src, "destinationPortRange": port,
            "access": access, "priority": prio, "direction": dir });
        match dst {
            Value::String(s) => p["destinationAddressPrefix"] = json!(s),
            list => p["destinationApplicationSecurityGroups"] = list,
        }
        json!({ "name": name, "properties": p })
    };
    let nic = |name: &str, subnet: &str, ip: &str, extra: Value, asgs: Value| {
        let mut n = json!({ "id": format!("{sub}/networkInterfaces/{name}"), "properties": {
            "ipConfigurations": [{ "name": "ipconfig1", "properties": {
                "privateIPAddress": ip, "privateIPAllocationMethod": "Dynamic",
                "subnet": sn(subnet), "applicationSecurityGroups": asgs } }] } });
        for (k, v) in extra.as_object().unwrap() {
            n["properties"][k] = v.clone();
        }
        n
    };
    let e: aksnet_model::Estate = serde_json::from_value(json!({
        "aksnetSchema": 1, "name": "nics",
        "virtualNetworks": [{ "id": format!("{sub}/virtualNetworks/v"), "properties": {
            "addressSpace": { "addressPrefixes": ["10.1.0.0/16"] },
            "subnets": [
                { "name": "nodes", "properties": { "addressPrefix": "10.1.0.0/24",
                    "routeTable": { "id": format!("{sub}/routeTables/rt") } } },
                { "name": "pe", "properties": { "addressPrefix": "10.1.1.0/24",
                    "networkSecurityGroup": nsg_ref("nsg-pe") } },
                { "name": "app", "properties": { "addressPrefix": "10.1.2.0/24",
                    "networkSecurityGroup": nsg_ref("nsg-app") } },
                { "name": "nva", "properties": { "addressPrefix": "10.1.3.0/24" } } ] } }],
        "routeTables": [{ "id": format!("{sub}/routeTables/rt"), "properties": { "routes": [
            { "name": "to-pe-and-db", "properties": { "addressPrefix": "10.1.1.0/24",
                "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.1.3.4" } } ] } }],
        "networkSecurityGroups": [
            { "id": format!("{sub}/networkSecurityGroups/nsg-pe"), "properties": { "securityRules": [
                rule("deny-all-in", 100, "Inbound", "Deny", "*", "*", "*", json!("*")) ] } },
            { "id": format!("{sub}/networkSecurityGroups/nsg-app"), "properties": { "securityRules": [
                rule("web", 100, "Inbound", "Allow", "Tcp", "80", "10.1.0.0/24", asg("asg-web")),
                rule("alt", 110, "Inbound", "Allow", "Tcp", "8080", "10.1.0.0/24", asg("asg-missing")),
                rule("rdp", 120, "Inbound", "Allow", "Tcp", "3389", "*", asg("asg-empty")),
                rule("ssh-db", 130, "Inbound", "Allow", "Tcp", "22", "*", json!("10.1.2.20")),
                rule("deny-all-in", 4000, "Inbound", "Deny", "*", "*", "*", json!("*")),
                rule("no-dns-out", 100, "Outbound", "Deny", "Udp", "53", "*", json!("*")) ] } },
            { "id": format!("{sub}/networkSecurityGroups/nsg-db"), "properties": { "securityRules": [
                rule("no-ssh-in", 100, "Inbound", "Deny", "Tcp", "22", "*", json!("*")),
                rule("no-https-out", 100, "Outbound", "Deny", "Tcp", "443", "*", json!("10.1.0.0/24")) ] } },
            { "id": format!("{sub}/networkSecurityGroups/nsg-nva"), "properties": { "securityRules": [
                rule("no-http-in", 100, "Inbound", "Deny", "Tcp", "80", "*", json!("*")) ] } } ],
        "applicationSecurityGroups": [
            { "id": format!("{sub}/applicationSecurityGroups/asg-web"), "properties": {} },
            { "id": format!("{sub}/applicationSecurityGroups/asg-empty"), "properties": {} } ],
        "networkInterfaces": [
            nic("web", "app", "10.1.2.10", json!({}), asg("asg-web")),
            nic("other", "app", "10.1.2.11", json!({}), json!([])),
            nic("db", "app", "10.1.2.20", json!({ "networkSecurityGroup": nsg_ref("nsg-db") }), json!([])),
            nic("nva", "nva", "10.1.3.4", json!({ "networkSecurityGroup": nsg_ref("nsg-nva"), "enableIPForwarding": true }), json!([])),
            nic("pe-acr.nic", "pe", "10.1.1.5", json!({ "privateEndpoint": { "id": format!("{sub}/privateEndpoints/pe-acr") } }), json!([])) ],
        "privateEndpoints": [{ "id": format!("{sub}/privateEndpoints/pe-acr"), "properties": {
            "subnet": sn("pe"), "ipConfigurations": [],
            "privateLinkServiceConnections": [{ "name": "c", "properties": {
                "privateLinkServiceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr",
                "groupIds": ["registry"] } }] } }]
    }))
    .unwrap();
    let dp = DataPlane::compile(&e, Options::default());
    let mut places = support::places(&dp);
    for n in &dp.topology.nic_addresses {
        let ip = n.prefix.network();
        places.push((ip.to_string(), aksnet_engine::Place::Address(ip)));
    }
    let pairs = support::all_pairs(&places);
    let (n, bad) = support::compare("network interfaces", &dp, &places, &pairs);
    eprintln!(
        "trace vs reach with NICs: {n} comparisons, {} disagreements",
        bad.len()
    );
    assert!(n > 500, "{n}");
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
