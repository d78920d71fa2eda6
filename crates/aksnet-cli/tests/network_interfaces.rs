//! Network interfaces end to end, from Azure JSON (as `az ... show`/`list` print it) to a trace
//! verdict (issue 14, item 4): a private endpoint with a dynamic address (on its NIC only, or in
//! `customDnsConfigs`), application security groups in NSG rules, and NIC-level NSGs in Azure's
//! order. The expected verdicts are reasoned from Microsoft's documentation (azure-semantics.md
//! §3.3, §3.6, §7.2, §7.3) before running, and written beside each case.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};

const SUB: &str =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-spoke/providers";

fn id(kind: &str, name: &str) -> String {
    format!("{SUB}/Microsoft.Network/{kind}/{name}")
}

fn subnet_id(name: &str) -> String {
    format!("{}/subnets/{name}", id("virtualNetworks", "vnet-spoke"))
}

fn rule(
    name: &str,
    priority: u32,
    direction: &str,
    access: &str,
    protocol: &str,
    port: &str,
    extra: Value,
) -> Value {
    let mut p = json!({
        "priority": priority, "direction": direction, "access": access, "protocol": protocol,
        "sourcePortRange": "*", "destinationPortRange": port,
    });
    for (k, v) in extra.as_object().into_iter().flatten() {
        p[k] = v.clone();
    }
    json!({ "name": name, "properties": p })
}

fn nsg(name: &str, rules: Vec<Value>) -> Value {
    json!({
        "id": id("networkSecurityGroups", name), "name": name,
        "type": "Microsoft.Network/networkSecurityGroups", "location": "westeurope",
        "properties": { "securityRules": rules }
    })
}

/// A NIC with one dynamic IP configuration.
fn nic(name: &str, subnet: &str, ip: &str, extra: Value, config_extra: Value) -> Value {
    let mut config = json!({
        "primary": true, "privateIPAddress": ip, "privateIPAllocationMethod": "Dynamic",
        "privateIPAddressVersion": "IPv4", "subnet": { "id": subnet_id(subnet) },
    });
    for (k, v) in config_extra.as_object().into_iter().flatten() {
        config[k] = v.clone();
    }
    let mut props = json!({
        "enableIPForwarding": false,
        "ipConfigurations": [{
            "name": "ipconfig1",
            "id": format!("{}/ipConfigurations/ipconfig1", id("networkInterfaces", name)),
            "properties": config,
        }],
    });
    for (k, v) in extra.as_object().into_iter().flatten() {
        props[k] = v.clone();
    }
    json!({
        "id": id("networkInterfaces", name), "name": name,
        "type": "Microsoft.Network/networkInterfaces", "location": "westeurope",
        "properties": props,
    })
}

/// The spoke: node subnet (with a UDR sending the PE subnet to an NVA), a PE subnet whose NSG
/// denies everything inbound (network policies `Disabled`), an application subnet whose NSG
/// uses ASGs, and an NVA subnet.
fn spoke() -> Vec<Value> {
    let vnet = json!({
        "id": id("virtualNetworks", "vnet-spoke"), "name": "vnet-spoke",
        "type": "Microsoft.Network/virtualNetworks", "location": "westeurope",
        "properties": {
            "addressSpace": { "addressPrefixes": ["10.1.0.0/16"] },
            "subnets": [
                { "name": "snet-nodes", "properties": {
                    "addressPrefix": "10.1.0.0/24",
                    "routeTable": { "id": id("routeTables", "rt-nodes") } } },
                { "name": "snet-pe", "properties": {
                    "addressPrefix": "10.1.1.0/24",
                    "networkSecurityGroup": { "id": id("networkSecurityGroups", "nsg-pe") },
                    "privateEndpointNetworkPolicies": "Disabled" } },
                { "name": "snet-app", "properties": {
                    "addressPrefix": "10.1.2.0/24",
                    "networkSecurityGroup": { "id": id("networkSecurityGroups", "nsg-app") } } },
                { "name": "snet-nva", "properties": { "addressPrefix": "10.1.3.0/24" } },
            ]
        }
    });
    let rt = json!({
        "id": id("routeTables", "rt-nodes"), "name": "rt-nodes",
        "type": "Microsoft.Network/routeTables", "location": "westeurope",
        "properties": { "routes": [{ "name": "pe-subnet-via-nva", "properties": {
            "addressPrefix": "10.1.1.0/24", "nextHopType": "VirtualAppliance",
            "nextHopIpAddress": "10.1.3.4" } }] }
    });
    let deny_all_in = |p| {
        rule(
            "deny-all-in",
            p,
            "Inbound",
            "Deny",
            "*",
            "*",
            json!({ "sourceAddressPrefix": "*", "destinationAddressPrefix": "*" }),
        )
    };
    let asg = |n: &str| json!([{ "id": id("applicationSecurityGroups", n) }]);
    let nodes = json!({ "sourceAddressPrefix": "10.1.0.0/24" });
    let with = |mut base: Value, k: &str, v: Value| {
        base[k] = v;
        base
    };
    let nsg_app = nsg(
        "nsg-app",
        vec![
            rule(
                "web-from-nodes",
                100,
                "Inbound",
                "Allow",
                "Tcp",
                "80",
                with(
                    nodes.clone(),
                    "destinationApplicationSecurityGroups",
                    asg("asg-web"),
                ),
            ),
            rule(
                "alt-to-missing-asg",
                110,
                "Inbound",
                "Allow",
                "Tcp",
                "8080",
                with(
                    nodes.clone(),
                    "destinationApplicationSecurityGroups",
                    asg("asg-missing"),
                ),
            ),
            rule(
                "metrics-to-empty-asg",
                120,
                "Inbound",
                "Allow",
                "Tcp",
                "9090",
                with(
                    nodes.clone(),
                    "destinationApplicationSecurityGroups",
                    asg("asg-empty"),
                ),
            ),
            rule(
                "db-from-nodes",
                130,
                "Inbound",
                "Allow",
                "Tcp",
                "5432",
                with(
                    nodes.clone(),
                    "destinationAddressPrefix",
                    json!("10.1.2.20"),
                ),
            ),
            deny_all_in(4000),
            rule(
                "no-dns-out",
                100,
                "Outbound",
                "Deny",
                "Udp",
                "53",
                json!({ "sourceAddressPrefix": "*", "destinationAddressPrefix": "*" }),
            ),
        ],
    );
    let nsg_db_nic = nsg(
        "nsg-db-nic",
        vec![
            rule(
                "no-postgres-in",
                100,
                "Inbound",
                "Deny",
                "Tcp",
                "5432",
                json!({ "sourceAddressPrefix": "*", "destinationAddressPrefix": "*" }),
            ),
            rule(
                "no-https-out-to-nodes",
                100,
                "Outbound",
                "Deny",
                "Tcp",
                "443",
                json!({ "sourceAddressPrefix": "*", "destinationAddressPrefix": "10.1.0.0/24" }),
            ),
        ],
    );
    let asg_resource = |n: &str| {
        json!({ "id": id("applicationSecurityGroups", n), "name": n,
            "type": "Microsoft.Network/applicationSecurityGroups", "location": "westeurope",
            "properties": { "provisioningState": "Succeeded" } })
    };
    vec![
        vnet,
        rt,
        nsg("nsg-pe", vec![deny_all_in(100)]),
        nsg_app,
        nsg_db_nic,
        asg_resource("asg-web"),
        asg_resource("asg-empty"),
        nic(
            "vm-web-nic",
            "snet-app",
            "10.1.2.10",
            json!({}),
            json!({ "applicationSecurityGroups": asg("asg-web") }),
        ),
        nic(
            "vm-other-nic",
            "snet-app",
            "10.1.2.11",
            json!({}),
            json!({}),
        ),
        nic(
            "vm-db-nic",
            "snet-app",
            "10.1.2.20",
            json!({ "networkSecurityGroup": { "id": id("networkSecurityGroups", "nsg-db-nic") } }),
            json!({}),
        ),
    ]
}

/// A private endpoint to a registry as `az network private-endpoint show` prints one with a
/// dynamic address: `ipConfigurations: []`, the address on its NIC and in `customDnsConfigs`.
fn private_endpoint() -> Value {
    json!({
        "id": id("privateEndpoints", "pe-acr"), "name": "pe-acr",
        "type": "Microsoft.Network/privateEndpoints", "location": "westeurope",
        "properties": {
            "subnet": { "id": subnet_id("snet-pe") },
            "ipConfigurations": [],
            "customDnsConfigs": [{ "fqdn": "acrprod.azurecr.io", "ipAddresses": ["10.1.1.5"] }],
            "networkInterfaces": [{ "id": id("networkInterfaces", "pe-acr.nic.0a1b2c3d") }],
            "privateLinkServiceConnections": [{ "name": "pe-acr", "properties": {
                "privateLinkServiceId": format!("{SUB}/Microsoft.ContainerRegistry/registries/acrprod"),
                "groupIds": ["registry"] } }],
        }
    })
}

/// The endpoint's NIC, with its back-reference and the address.
fn private_endpoint_nic() -> Value {
    nic(
        "pe-acr.nic.0a1b2c3d",
        "snet-pe",
        "10.1.1.5",
        json!({ "privateEndpoint": { "id": id("privateEndpoints", "pe-acr") } }),
        json!({ "privateLinkConnectionProperties": {
            "groupId": "registry", "requiredMemberName": "registry",
            "fqdns": ["acrprod.azurecr.io"] } }),
    )
}

fn write(dir: &Path, resources: &[Value]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("export.json"),
        serde_json::to_string_pretty(resources).unwrap(),
    )
    .unwrap();
}

fn trace(dir: &Path, from: &str, to: &str, proto: &str, port: &str) -> Value {
    let o: Output = Command::new(env!("CARGO_BIN_EXE_aksnet"))
        .args([
            "trace",
            "--azure-json",
            &dir.display().to_string(),
            "--from",
            from,
            "--to",
            to,
            "--protocol",
            proto,
            "--port",
            port,
            "--format",
            "json",
        ])
        .output()
        .expect("runs");
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// The hops of a trace as `kind decision at: detail`.
fn hops(t: &Value) -> Vec<String> {
    t["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            format!(
                "{} {} {}: {}",
                h["kind"].as_str().unwrap(),
                h["decision"].as_str().unwrap(),
                h["at"].as_str().unwrap(),
                h["detail"].as_str().unwrap()
            )
        })
        .collect()
}

fn verdict(t: &Value) -> &str {
    t["verdict"].as_str().unwrap()
}

/// (a) The endpoint's address is on its NIC only. Azure adds a /32 `InterfaceEndpoint` route
/// for it in its VNet that a UDR for the PE subnet does not invalidate while the subnet's
/// `privateEndpointNetworkPolicies` is `Disabled` (§7.3), and the subnet NSG does not filter
/// traffic to it (§7.2): allowed, routed by the /32, not by the UDR to the NVA.
#[test]
fn dynamic_private_endpoint_from_its_nic_gets_its_route_and_nsg_exemption() {
    let d = tempfile::tempdir().unwrap();
    let mut all = spoke();
    all.push(private_endpoint());
    all.push(private_endpoint_nic());
    write(d.path(), &all);
    let t = trace(d.path(), "vnet-spoke/snet-nodes", "10.1.1.5", "tcp", "443");
    let h = hops(&t);
    assert_eq!(verdict(&t), "allowed", "{h:#?}");
    assert!(
        h.iter()
            .any(|x| x.starts_with("route forward") && x.contains("10.1.1.5/32")),
        "{h:#?}"
    );
    assert!(!h.iter().any(|x| x.contains("10.1.3.4")), "{h:#?}");
    assert!(
        h.iter()
            .any(|x| x.contains("network policies are Disabled: NSG not applied")),
        "{h:#?}"
    );
    assert!(
        h.last()
            .unwrap()
            .contains("private endpoint pe-acr (registry)"),
        "{h:#?}"
    );
}

/// (a, fallback) Without the NIC in the input, the address comes from `customDnsConfigs`:
/// the same verdict. Without either, the endpoint is left out with a note and the flow is what
/// it was before: the UDR sends it to the NVA, and at the PE subnet the NSG, which nothing
/// exempts any more, denies it.
#[test]
fn dynamic_private_endpoint_falls_back_to_custom_dns_configs_then_says_so() {
    let d = tempfile::tempdir().unwrap();
    let mut all = spoke();
    all.push(private_endpoint());
    write(&d.path().join("dns"), &all);
    let t = trace(
        &d.path().join("dns"),
        "vnet-spoke/snet-nodes",
        "10.1.1.5",
        "tcp",
        "443",
    );
    assert_eq!(verdict(&t), "allowed", "{:#?}", hops(&t));
    assert!(hops(&t).iter().any(|x| x.contains("10.1.1.5/32")));

    let mut pe = private_endpoint();
    pe["properties"]["customDnsConfigs"] = json!([]);
    let mut all = spoke();
    all.push(pe);
    write(&d.path().join("none"), &all);
    let t = trace(
        &d.path().join("none"),
        "vnet-spoke/snet-nodes",
        "10.1.1.5",
        "tcp",
        "443",
    );
    assert_eq!(verdict(&t), "denied", "{:#?}", hops(&t));
    assert!(hops(&t).iter().any(|x| x.contains("NVA 10.1.3.4")));
    assert!(t["reason"].as_str().unwrap().contains("deny-all-in"));
    let notes = t["notes"].to_string();
    assert!(notes.contains("pe-acr: no address in the input"), "{notes}");
}

/// (b) A subnet NSG rule whose destination is an ASG applies only to the NICs in it (§3.6):
/// to the member on port 80, allowed; to a non-member in the same subnet, the rule does not
/// match and the custom deny does; other ports on the member, denied.
#[test]
fn asg_rule_allows_its_members_only() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), &spoke());
    let member = trace(d.path(), "vnet-spoke/snet-nodes", "10.1.2.10", "tcp", "80");
    assert_eq!(verdict(&member), "allowed", "{:#?}", hops(&member));
    assert!(hops(&member)
        .iter()
        .any(|x| x.contains("nsg-app: web-from-nodes (priority 100, Allow 10.1.0.0/24 → asg-web")));
    let other = trace(d.path(), "vnet-spoke/snet-nodes", "10.1.2.11", "tcp", "80");
    assert_eq!(verdict(&other), "denied", "{:#?}", hops(&other));
    assert!(other["reason"].as_str().unwrap().contains("deny-all-in"));
    let ssh = trace(d.path(), "vnet-spoke/snet-nodes", "10.1.2.10", "tcp", "22");
    assert_eq!(verdict(&ssh), "denied");
}

/// (b) An ASG the estate does not hold may have any member: whether its rule matches is
/// unknown, never allow-all and never nothing. An ASG no NIC carries matches nothing, and the
/// trace says so.
#[test]
fn dangling_asg_is_unknown_and_empty_asg_is_noted() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), &spoke());
    let t = trace(
        d.path(),
        "vnet-spoke/snet-nodes",
        "10.1.2.11",
        "tcp",
        "8080",
    );
    assert_eq!(verdict(&t), "unknown", "{:#?}", hops(&t));
    assert!(
        t["reason"].to_string().contains("asg-missing"),
        "{}",
        t["reason"]
    );
    let t = trace(
        d.path(),
        "vnet-spoke/snet-nodes",
        "10.1.2.10",
        "tcp",
        "9090",
    );
    assert_eq!(verdict(&t), "denied", "{:#?}", hops(&t));
    assert!(
        t["notes"].to_string().contains("`asg-empty` has no member"),
        "{}",
        t["notes"]
    );
}

/// (c) Inbound, the subnet NSG is evaluated first and then the NIC's; both must allow (§3.3):
/// the subnet NSG allows Postgres to 10.1.2.20, its NIC's NSG denies it.
#[test]
fn nic_nsg_denies_what_the_subnet_nsg_allows_inbound() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), &spoke());
    let t = trace(
        d.path(),
        "vnet-spoke/snet-nodes",
        "10.1.2.20",
        "tcp",
        "5432",
    );
    let h = hops(&t);
    assert_eq!(verdict(&t), "denied", "{h:#?}");
    let subnet = h
        .iter()
        .position(|x| x.starts_with("nsg-inbound allow vnet-spoke/snet-app:"))
        .expect("the subnet NSG allows first");
    let nic = h
        .iter()
        .position(|x| x.starts_with("nsg-inbound deny vnet-spoke/snet-app (NIC vm-db-nic):"))
        .expect("then the NIC NSG denies");
    assert!(subnet < nic, "{h:#?}");
    assert!(t["reason"].as_str().unwrap().contains("no-postgres-in"));
    // The NIC by name is its primary address.
    let by_name = trace(
        d.path(),
        "vnet-spoke/snet-nodes",
        "vm-db-nic",
        "tcp",
        "5432",
    );
    assert_eq!(hops(&by_name), h);
    // The NIC NSG applies to its NIC only: the neighbour without it is not affected by it.
    let t = trace(
        d.path(),
        "vnet-spoke/snet-nodes",
        "10.1.2.11",
        "tcp",
        "5432",
    );
    assert!(!hops(&t).iter().any(|x| x.contains("vm-db-nic")));
}

/// (c) Outbound, the NIC NSG is evaluated first, then the subnet's (§3.3): the NIC's deny stops
/// HTTPS before the subnet NSG is consulted; for DNS the NIC allows and the subnet denies; other
/// traffic passes both, NIC first.
#[test]
fn outbound_nic_nsg_comes_before_the_subnet_nsg() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), &spoke());
    let t = trace(d.path(), "10.1.2.20", "vnet-spoke/snet-nodes", "tcp", "443");
    let h = hops(&t);
    assert_eq!(verdict(&t), "denied", "{h:#?}");
    assert!(
        h[0].starts_with("nsg-outbound deny vnet-spoke/snet-app (NIC vm-db-nic):"),
        "{h:#?}"
    );
    assert_eq!(
        h.iter().filter(|x| x.starts_with("nsg-outbound")).count(),
        1
    );
    let t = trace(d.path(), "10.1.2.20", "vnet-spoke/snet-nodes", "udp", "53");
    let h = hops(&t);
    assert_eq!(verdict(&t), "denied", "{h:#?}");
    assert!(h[0].starts_with("nsg-outbound allow vnet-spoke/snet-app (NIC vm-db-nic):"));
    assert!(
        h[1].starts_with("nsg-outbound deny vnet-spoke/snet-app: "),
        "{h:#?}"
    );
    let t = trace(d.path(), "10.1.2.20", "vnet-spoke/snet-nodes", "tcp", "22");
    let h = hops(&t);
    assert_eq!(verdict(&t), "allowed", "{h:#?}");
    assert!(
        h[0].contains("(NIC vm-db-nic)")
            && h[1].starts_with("nsg-outbound allow vnet-spoke/snet-app: ")
    );
}

/// A `VirtualAppliance` next hop whose NIC has `enableIPForwarding: false` drops what the route
/// sends it (azure-semantics §2.4): denied there, with the reason; with forwarding on, the flow
/// goes on (and the PE subnet's NSG denies it, the endpoint not being the destination).
#[test]
fn an_nva_nic_without_ip_forwarding_drops_routed_traffic() {
    let d = tempfile::tempdir().unwrap();
    for forwarding in [false, true] {
        let mut all = spoke();
        all.push(nic(
            "nva-nic",
            "snet-nva",
            "10.1.3.4",
            json!({ "enableIPForwarding": forwarding }),
            json!({}),
        ));
        let dir = d.path().join(forwarding.to_string());
        write(&dir, &all);
        let t = trace(&dir, "vnet-spoke/snet-nodes", "10.1.1.99", "tcp", "443");
        assert_eq!(verdict(&t), "denied", "{:#?}", hops(&t));
        let reason = t["reason"].as_str().unwrap();
        assert_eq!(
            reason.contains("NIC nva-nic, whose enableIPForwarding is false"),
            !forwarding,
            "{reason}"
        );
        assert_eq!(reason.contains("deny-all-in"), forwarding, "{reason}");
    }
}

/// (a, by name) The usual AKS flow: nodes pull from the registry by name. The exported
/// privatelink zone, linked to the spoke, holds the address Azure assigned (§7.1, §7.4); the
/// endpoint placed from its NIC answers there, so `acr` is a place, the name resolves to it and
/// the /32 carries it.
#[test]
fn dynamic_private_endpoint_by_name_through_its_private_dns_zone() {
    let d = tempfile::tempdir().unwrap();
    let zone = format!("{SUB}/Microsoft.Network/privateDnsZones/privatelink.azurecr.io");
    let mut all = spoke();
    all.push(private_endpoint());
    all.push(private_endpoint_nic());
    all.push(json!({ "id": zone, "name": "privatelink.azurecr.io",
        "type": "Microsoft.Network/privateDnsZones", "location": "global", "properties": {} }));
    all.push(
        json!({ "id": format!("{zone}/virtualNetworkLinks/spoke"), "name": "spoke",
        "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "location": "global",
        "properties": { "registrationEnabled": false,
            "virtualNetwork": { "id": id("virtualNetworks", "vnet-spoke") } } }),
    );
    all.push(
        json!({ "id": format!("{zone}/A/acrprod"), "name": "acrprod",
        "type": "Microsoft.Network/privateDnsZones/A",
        "properties": { "ttl": 10, "aRecords": [{ "ipv4Address": "10.1.1.5" }] } }),
    );
    write(d.path(), &all);
    let t = trace(d.path(), "vnet-spoke/snet-nodes", "acr", "tcp", "443");
    let h = hops(&t);
    assert_eq!(verdict(&t), "allowed", "{h:#?}");
    assert!(
        h[0].starts_with("dns resolve") && h[0].contains("10.1.1.5"),
        "{h:#?}"
    );
    assert!(h.iter().any(|x| x.contains("10.1.1.5/32")), "{h:#?}");
}

/// `nsg-rules` shows the NIC-level NSGs of a subnet's network interfaces after its own, and the
/// ASG rules with their groups; JSON lists them under `nicSecurityGroups`.
#[test]
fn nsg_rules_lists_nic_level_nsgs() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), &spoke());
    let run = |format: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_aksnet"))
            .args(["nsg-rules", "vnet-spoke/snet-app", "--azure-json"])
            .arg(d.path())
            .args(["--format", format])
            .output()
            .expect("runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let text = run("text");
    assert!(
        text.contains("NIC-level NSG nsg-db-nic on vm-db-nic (10.1.2.20/32)"),
        "{text}"
    );
    assert!(text.contains("asg-web"), "{text}");
    assert!(
        text.contains("application security groups not in the estate: asg-missing"),
        "{text}"
    );
    assert!(text.contains("`asg-empty` has no member"), "{text}");
    let v: Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(
        v["nicSecurityGroups"][0]["networkInterfaces"],
        json!(["vm-db-nic"])
    );
}

/// A NIC exported before Azure gave it its dynamic address cannot be a place, and the refusal
/// says so (rather than "no endpoint").
#[test]
fn a_nic_without_an_address_is_refused_with_the_reason() {
    let d = tempfile::tempdir().unwrap();
    let mut resources = spoke();
    let mut bare = nic("nic-new", "snet-app", "10.1.2.99", json!({}), json!({}));
    bare["properties"]["ipConfigurations"][0]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("privateIPAddress");
    resources.push(bare);
    write(d.path(), &resources);
    let o = Command::new(env!("CARGO_BIN_EXE_aksnet"))
        .args([
            "trace",
            "--azure-json",
            &d.path().display().to_string(),
            "--from",
            "nic-new",
            "--to",
            "internet",
        ])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("network interface `nic-new` has no private address"),
        "{err}"
    );
}
