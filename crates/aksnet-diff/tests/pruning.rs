//! The flows `diff` leaves out when a change is confined to some spokes are flows that did not
//! change: on designed estates changed in one spoke, in the hub and on a shared resource, the
//! diff equals the exhaustive one (every flow computed).

use aksnet_diff::{diff, diff_exhaustive, Side};
use aksnet_engine::{DataPlane, Options};
use aksnet_model::Estate;
use aksnet_rules::verify::{verify, Origin, Selection};
use serde_json::{json, Value};

/// The multi-spoke example's estate as JSON.
fn designed() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/multi-spoke.yaml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let d = aksnet_design::design(path, &text).unwrap_or_else(|e| panic!("{e:?}"));
    serde_json::from_str(&d.estate.to_json()).unwrap()
}

fn named<'e>(e: &'e mut Value, kind: &str, pred: impl Fn(&str) -> bool) -> &'e mut Value {
    e[kind]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|r| pred(r["name"].as_str().unwrap_or("")))
        .unwrap_or_else(|| panic!("no {kind}"))
}

/// Adds `rule` to the security rules of the NSG whose name `nsg` accepts.
fn add_rule(e: &mut Value, nsg: impl Fn(&str) -> bool, rule: Value) {
    named(e, "networkSecurityGroups", nsg)["properties"]["securityRules"]
        .as_array_mut()
        .unwrap()
        .push(rule);
}

/// Asserts that the exhaustive diff `full` holds flows (closed, or changed by name) that
/// `elsewhere` picks, and that the pruned diff equals it.
fn compared_elsewhere(pruned: &Value, full: &Value, elsewhere: impl Fn(&Value) -> bool) {
    let picked = ["closed", "names"]
        .iter()
        .flat_map(|k| full[k].as_array().unwrap())
        .filter(|c| elsewhere(c))
        .count();
    assert!(picked > 0, "{}", full["summary"]);
    assert!(
        pruned == full,
        "pruned: {}; exhaustive: {}",
        pruned["summary"],
        full["summary"]
    );
}

/// Compiles and checks both estates and hands their sides to `f`.
fn with_sides<R>(base: &Value, head: &Value, f: impl FnOnce(&Side, &Side) -> R) -> R {
    let (be, he) = (
        Estate::from_json(&base.to_string()).unwrap(),
        Estate::from_json(&head.to_string()).unwrap(),
    );
    let (bp, hp) = (
        DataPlane::compile(&be, Options::default()),
        DataPlane::compile(&he, Options::default()),
    );
    let origin = Origin::Json {
        files: Vec::new(),
        places: Default::default(),
    };
    let all = Selection::default();
    let (br, hr) = (
        verify(&be, &bp, &origin, &all, None).unwrap(),
        verify(&he, &hp, &origin, &all, None).unwrap(),
    );
    let b = Side {
        estate: &be,
        plane: &bp,
        report: &br,
        origin: &origin,
    };
    let h = Side {
        estate: &he,
        plane: &hp,
        report: &hr,
        origin: &origin,
    };
    f(&b, &h)
}

/// The diff of `base` and `head`, pruned and exhaustive, as JSON, and where the change was
/// found: `everywhere`, `spokes`, or `spokes, inbound only`.
fn both(base: &Value, head: &Value) -> (Value, Value, &'static str) {
    with_sides(base, head, |b, h| {
        let texts = [b.estate, h.estate].map(aksnet_diff::resources::Texts::of);
        let changes = aksnet_diff::resources::compare(&texts[0], &texts[1]);
        let spokes = match aksnet_diff::scope::of(b, h, [&texts[0], &texts[1]], &changes) {
            aksnet_diff::scope::Reach::Everywhere => "everywhere",
            aksnet_diff::scope::Reach::Spokes {
                inbound_only: false,
                ..
            } => "spokes",
            aksnet_diff::scope::Reach::Spokes {
                inbound_only: true, ..
            } => "spokes, inbound only",
        };
        (
            aksnet_diff::render::json(&diff(b, h)),
            aksnet_diff::render::json(&diff_exhaustive(b, h)),
            spokes,
        )
    })
}

#[test]
fn pruned_diffs_equal_exhaustive_ones() {
    let base = designed();
    let deny = json!({"name": "deny-ssh", "properties": {"priority": 100, "direction": "Inbound", "access": "Deny",
        "protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": "22",
        "sourceAddressPrefix": "VirtualNetwork", "destinationAddressPrefix": "*"}});
    let mut cases: Vec<(&str, Value, &str)> = Vec::new();
    // One spoke's NSG.
    let mut h = base.clone();
    add_rule(&mut h, |n| n.starts_with("nsg-system"), deny.clone());
    cases.push(("a spoke's NSG", h, "spokes, inbound only"));
    // One spoke's NSG, outbound: what its nodes reach elsewhere changes.
    let mut h = base.clone();
    add_rule(
        &mut h,
        |n| n == "nsg-system-aks-prod",
        json!({"name": "deny-dev", "properties": {"priority": 100, "direction": "Outbound",
            "access": "Deny", "protocol": "*", "sourcePortRange": "*", "destinationPortRange": "*",
            "sourceAddressPrefix": "*", "destinationAddressPrefix": "10.100.2.0/24"}}),
    );
    cases.push(("a spoke's NSG, outbound", h, "spokes"));
    // One spoke's route table loses its default route.
    let mut h = base.clone();
    named(&mut h, "routeTables", |n| {
        n.starts_with("rt-") && !n.contains("firewall") && !n.contains("gateway")
    })["properties"]["routes"] = json!([]);
    cases.push(("a spoke's routes", h, "spokes"));
    // The hub's Bastion NSG: everywhere.
    let mut h = base.clone();
    add_rule(&mut h, |n| n.starts_with("nsg-bastion"), deny);
    cases.push(("the hub's NSG", h, "everywhere"));
    let mut changed = 0;
    for (what, head, confined) in cases {
        let (pruned, full, spokes) = both(&base, &head);
        assert_eq!(spokes, confined, "{what}: confined to spokes");
        assert_eq!(pruned, full, "{what}");
        if pruned["opened"] != json!([]) || pruned["closed"] != json!([]) {
            changed += 1;
        }
    }
    assert!(changed >= 3, "the cases change flows");
}

/// A proxy outside the changed spoke delivers into it: the shared spoke's Application Gateway
/// has its backend in the dev spoke (routed through the firewall, which allows it, and let in
/// by the dev NSG), whose NSG then denies the gateway's subnet. Packets addressed to the
/// gateway, not to the dev spoke, change; the pruned diff must see them.
#[test]
fn flows_through_a_proxy_into_the_changed_spoke_are_compared() {
    let mut base = designed();
    named(&mut base, "applicationGateways", |n| n == "agw-aks-shared")["properties"]
        ["backendAddressPools"][0]["properties"]["backendAddresses"] =
        json!([{ "ipAddress": "10.100.2.4" }]);
    named(&mut base, "routeTables", |n| n == "rt-agw-aks-shared")["properties"]["routes"]
        .as_array_mut()
        .unwrap()
        .push(
            json!({"name": "to-dev", "properties": {"addressPrefix": "10.100.2.0/24",
            "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.100.0.4"}}),
        );
    named(&mut base, "ruleCollectionGroups", |n| n == "rcg-intents")["properties"]
        ["ruleCollections"][0]["rules"]
        .as_array_mut()
        .unwrap()
        .push(
            json!({"ruleType": "NetworkRule", "name": "agw-to-dev", "ipProtocols": ["TCP"],
            "sourceAddresses": ["10.100.8.0/24"], "destinationAddresses": ["10.100.2.0/28"],
            "destinationPorts": ["443"]}),
        );
    let rule = |name: &str, priority: u32, access: &str| {
        json!({"name": name, "properties": {"priority": priority, "direction": "Inbound",
            "access": access, "protocol": "Tcp", "sourcePortRange": "*",
            "destinationPortRange": "443", "sourceAddressPrefix": "10.100.8.0/24",
            "destinationAddressPrefix": "*"}})
    };
    let dev_rules = |e: &mut Value| -> Vec<Value> {
        let rules = &mut named(e, "networkSecurityGroups", |n| n == "nsg-system-aks-dev")
            ["properties"]["securityRules"];
        std::mem::take(rules.as_array_mut().unwrap())
    };
    let mut rules = dev_rules(&mut base);
    rules.push(rule("allow-agw", 200, "Allow"));
    named(&mut base, "networkSecurityGroups", |n| {
        n == "nsg-system-aks-dev"
    })["properties"]["securityRules"] = json!(rules.clone());
    let mut head = base.clone();
    rules.push(rule("deny-agw", 100, "Deny"));
    named(&mut head, "networkSecurityGroups", |n| {
        n == "nsg-system-aks-dev"
    })["properties"]["securityRules"] = json!(rules);
    let (pruned, full, spokes) = both(&base, &head);
    assert_eq!(spokes, "spokes, inbound only");
    compared_elsewhere(&pruned, &full, |c| {
        !c["from"].as_str().unwrap().starts_with("vnet-aks-dev")
    });
}

#[test]
fn places_flow_intents_start_from_are_sources_too() {
    let base = designed();
    let mut head = base.clone();
    add_rule(
        &mut head,
        |n| n == "nsg-system-aks-prod",
        json!({"name": "deny-ssh", "properties": {"priority": 100, "direction": "Inbound", "access": "Deny",
            "protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": "22",
            "sourceAddressPrefix": "VirtualNetwork", "destinationAddressPrefix": "*"}}),
    );
    with_sides(&base, &head, |b, h| {
        let pep = "vnet-aks-prod/snet-pep";
        let from_pep = |d: &aksnet_diff::Diff| d.closed.iter().any(|c| c.from == pep);
        assert!(!from_pep(&diff(b, h)), "not a source of the flow matrix");
        let d = aksnet_diff::diff_from(b, h, &[pep.to_string()]);
        let c = d
            .closed
            .iter()
            .find(|c| c.from == pep)
            .expect("a closed flow from the named place");
        assert_eq!(c.to, "vnet-aks-prod/snet-system");
        assert!(c.cause.contains("deny-ssh"), "{}", c.cause);
    });
}

/// A cluster's public API server is outside every VNet yet belongs to its spoke: narrowing
/// its authorized ranges is compared from the other spokes too, whose packets reach it through
/// the firewall's public address.
#[test]
fn a_public_api_servers_ranges_are_compared_from_other_spokes() {
    let mut base = designed();
    named(&mut base, "publicIPAddresses", |n| n.starts_with("pip-afw"))["properties"]
        ["ipAddress"] = json!("20.50.0.1");
    fn profile(e: &mut Value) -> &mut Value {
        &mut named(e, "managedClusters", |n| n == "aks-dev")["properties"]["apiServerAccessProfile"]
    }
    *profile(&mut base) = json!({"enablePrivateCluster": false,
        "authorizedIPRanges": ["20.50.0.1/32", "203.0.113.0/24"]});
    let mut head = base.clone();
    profile(&mut head)["authorizedIPRanges"] = json!(["203.0.113.0/24"]);
    let (pruned, full, spokes) = both(&base, &head);
    assert_eq!(spokes, "spokes");
    compared_elsewhere(&pruned, &full, |c| {
        !c["from"].as_str().unwrap().starts_with("vnet-aks-dev")
            && c["to"].as_str().unwrap().contains("API server")
    });
}

/// An inbound-only change is compared only where it decides (its subnets) and at the spokes'
/// named endpoints: an internal load balancer's frontend, in a subnet whose NSG did not change,
/// delivers into the node subnet whose NSG did.
#[test]
fn an_internal_load_balancers_frontend_is_compared_with_its_backends_nsg() {
    let base = designed();
    let mut head = base.clone();
    add_rule(
        &mut head,
        |n| n == "nsg-user-aks-prod",
        json!({"name": "deny-vnet", "properties": {"priority": 100, "direction": "Inbound",
            "access": "Deny", "protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": "*",
            "sourceAddressPrefix": "VirtualNetwork", "destinationAddressPrefix": "*"}}),
    );
    let (pruned, full, spokes) = both(&base, &head);
    assert_eq!(spokes, "spokes, inbound only");
    // The prod spoke's internal load balancer frontend, 10.100.5.148, in snet-ilb (whose NSG
    // did not change), asked from another spoke: delivered into snet-user, now denied.
    assert!(
        full["closed"].as_array().unwrap().iter().any(|c| {
            c["from"] == "vnet-aks-shared/snet-tenanta"
                && c["packets"].to_string().contains("(10.100.5.148)")
        }),
        "the exhaustive diff closes flows to the frontend: {}",
        full["closed"]
    );
    assert_eq!(pruned, full);
}

/// An NSG on a network interface decides for the NIC's addresses in a subnet whose own NSG did
/// not change: an inbound-only change to it is compared there.
#[test]
fn a_network_interfaces_nsg_is_compared_where_the_nic_is() {
    let mut base = designed();
    let system = named(&mut base, "networkSecurityGroups", |n| {
        n == "nsg-system-aks-prod"
    })["id"]
        .as_str()
        .unwrap()
        .to_string();
    let nsg_id = system.replace("nsg-system-aks-prod", "nsg-nic-vm");
    let vnet = named(&mut base, "virtualNetworks", |n| n == "vnet-aks-prod")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let nic_id = nsg_id
        .replace("networkSecurityGroups", "networkInterfaces")
        .replace("nsg-nic-vm", "nic-vm");
    base["networkSecurityGroups"].as_array_mut().unwrap().push(
        json!({"id": nsg_id, "name": "nsg-nic-vm", "type": "Microsoft.Network/networkSecurityGroups",
            "location": "westeurope", "properties": {"securityRules": []}}),
    );
    base["networkInterfaces"] = json!([{
        "id": nic_id, "name": "nic-vm", "type": "Microsoft.Network/networkInterfaces",
        "location": "westeurope",
        "properties": {
            "networkSecurityGroup": {"id": nsg_id},
            "ipConfigurations": [{"name": "ipconfig1", "properties": {
                "privateIPAddress": "10.100.5.140", "privateIPAllocationMethod": "Static",
                "subnet": {"id": format!("{vnet}/subnets/snet-system")}}}]
        }
    }]);
    let mut head = base.clone();
    add_rule(
        &mut head,
        |n| n == "nsg-nic-vm",
        json!({"name": "deny-ssh", "properties": {"priority": 100,
            "direction": "Inbound", "access": "Deny", "protocol": "Tcp", "sourcePortRange": "*",
            "destinationPortRange": "22", "sourceAddressPrefix": "VirtualNetwork",
            "destinationAddressPrefix": "*"}}),
    );
    let (pruned, full, spokes) = both(&base, &head);
    assert_eq!(spokes, "spokes, inbound only");
    assert!(
        full["closed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["packets"].to_string().contains("10.100.5.140")),
        "the exhaustive diff closes SSH to the NIC: {}",
        full["closed"]
    );
    assert_eq!(pruned, full);
}
