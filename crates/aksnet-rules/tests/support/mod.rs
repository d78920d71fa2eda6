//! Shared by the differential and mutation tests: a seeded estate mutator and the trace-versus-
//! reach comparison.

#![allow(dead_code)]

use aksnet_engine::places::{Place, INTERNET_SERVER};
use aksnet_engine::reach::PathResult;
use aksnet_engine::trace::{Decision, HopKind, Query, Verdict};
use aksnet_engine::DataPlane;
use aksnet_net::Protocol;
use serde_json::{json, Value};

/// SplitMix64: a small, seeded generator so every run mutates the same way.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A JSON path to a value, as a list of keys and indices.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn paths(v: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                here.push(Step::Key(k.clone()));
                paths(x, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                here.push(Step::Index(i));
                paths(x, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn at<'v>(v: &'v mut Value, path: &[Step]) -> &'v mut Value {
    path.iter().fold(v, |v, s| match s {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

fn get<'v>(v: &'v Value, path: &[Step]) -> &'v Value {
    path.iter().fold(v, |v, s| match s {
        Step::Key(k) => &v[k.as_str()],
        Step::Index(i) => &v[*i],
    })
}

fn show(path: &[Step]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => format!(".{k}"),
            Step::Index(i) => format!("[{i}]"),
        })
        .collect()
}

/// One mutation of the estate's JSON, described for the failure message; `None` when the chosen
/// kind found nothing to change.
pub fn mutate(v: &mut Value, rng: &mut Rng) -> Option<String> {
    let mut all = Vec::new();
    paths(v, &mut Vec::new(), &mut all);
    // Resources live below the top-level collections; leave the envelope keys alone so most
    // mutants load and reach the engine.
    all.retain(|p| p.len() >= 3);
    let strings = |pred: &dyn Fn(&str) -> bool, v: &Value| -> Vec<Vec<Step>> {
        let mut all = Vec::new();
        paths(v, &mut Vec::new(), &mut all);
        all.into_iter()
            .filter(|p| get(v, p).as_str().is_some_and(pred))
            .collect()
    };
    match rng.below(7) {
        0 => {
            // Drop a key.
            let keyed: Vec<_> = all
                .iter()
                .filter(|p| matches!(p.last(), Some(Step::Key(_))))
                .collect();
            let p = keyed.get(rng.below(keyed.len()))?.to_vec();
            let (Step::Key(k), parent) = p.split_last()? else {
                return None;
            };
            at(v, parent).as_object_mut()?.remove(k);
            Some(format!("drop {}", show(&p)))
        }
        1 => {
            // Drop an array element.
            let idx: Vec<_> = all
                .iter()
                .filter(|p| matches!(p.last(), Some(Step::Index(_))))
                .collect();
            let p = idx.get(rng.below(idx.len()))?.to_vec();
            let (Step::Index(i), parent) = p.split_last()? else {
                return None;
            };
            at(v, parent).as_array_mut()?.remove(*i);
            Some(format!("drop {}", show(&p)))
        }
        2 => {
            // Move an address: outside every subnet, or to a subnet's edge.
            let ips = strings(&|s| s.parse::<std::net::Ipv4Addr>().is_ok(), v);
            let p = ips.get(rng.below(ips.len()))?.clone();
            let to = [
                "192.0.2.77",
                "10.255.255.255",
                "0.0.0.0",
                "100.64.0.1",
                "8.8.8.8",
            ][rng.below(5)];
            *at(v, &p) = Value::String(to.into());
            Some(format!("{} = {to}", show(&p)))
        }
        3 => {
            // Shrink or widen a prefix.
            let cidrs = strings(&|s| s.contains('/') && s.split('/').count() == 2, v);
            let cidrs: Vec<_> = cidrs
                .into_iter()
                .filter(|p| {
                    get(v, p)
                        .as_str()
                        .and_then(|s| s.split_once('/'))
                        .is_some_and(|(a, _)| a.parse::<std::net::Ipv4Addr>().is_ok())
                })
                .collect();
            let p = cidrs.get(rng.below(cidrs.len()))?.clone();
            let old = at(v, &p).as_str()?.to_string();
            let (addr, _) = old.split_once('/')?;
            let a: std::net::Ipv4Addr = addr.parse().ok()?;
            let len = [0u8, 8, 16, 24, 28, 29, 30, 31, 32][rng.below(9)];
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            let net = std::net::Ipv4Addr::from(u32::from(a) & mask);
            let new = format!("{net}/{len}");
            *at(v, &p) = Value::String(new.clone());
            Some(format!("{} {old} → {new}", show(&p)))
        }
        4 => {
            // Dangle a reference.
            let ids = strings(&|s| s.starts_with("/subscriptions/"), v);
            let ids: Vec<_> = ids.into_iter().filter(|p| p.len() > 3).collect();
            let p = ids.get(rng.below(ids.len()))?.clone();
            *at(v, &p) = Value::String(
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/gone/providers/Microsoft.Network/virtualNetworks/gone/subnets/gone".into(),
            );
            Some(format!("{} dangles", show(&p)))
        }
        5 => {
            // Null a value.
            let p = all.get(rng.below(all.len()))?.clone();
            *at(v, &p) = Value::Null;
            Some(format!("{} = null", show(&p)))
        }
        _ => {
            // Empty an array.
            let arrays: Vec<_> = all
                .iter()
                .filter(|p| get(v, p).is_array())
                .cloned()
                .collect();
            let p = arrays.get(rng.below(arrays.len()))?.clone();
            *at(v, &p) = Value::Array(Vec::new());
            Some(format!("{} = []", show(&p)))
        }
    }
}

/// The packets tried between every pair of places.
pub const GRID: [(Protocol, u16); 8] = [
    (Protocol::Tcp, 22),
    (Protocol::Tcp, 80),
    (Protocol::Tcp, 443),
    (Protocol::Tcp, 8080),
    (Protocol::Tcp, 3389),
    (Protocol::Udp, 53),
    (Protocol::Udp, 123),
    (Protocol::Icmp, 0),
];

/// Whether a name matches one of a path's firewall names (`*.x` matches subdomains only).
fn name_matches(names: &[String], fqdn: &str) -> bool {
    names
        .iter()
        .any(|n| aksnet_engine::firewall::fqdn_match(n, fqdn))
}

/// Every place a user can name in the estate, with its name.
pub fn places(dp: &DataPlane) -> Vec<(String, Place)> {
    let mut v: Vec<(String, Place)> = dp
        .known_places()
        .into_iter()
        .filter_map(|n| dp.place(&n).ok().map(|p| (n, p)))
        .collect();
    // Firewall public IPs have no place name; their DNAT rules are reached by address.
    for e in &dp.endpoints {
        if e.kind == aksnet_engine::endpoints::EndpointKind::FirewallPublic {
            v.push((e.ip.to_string(), Place::Address(e.ip)));
        }
    }
    v
}

/// Every ordered pair of distinct places.
pub fn all_pairs(places: &[(String, Place)]) -> Vec<(usize, usize)> {
    (0..places.len())
        .flat_map(|a| (0..places.len()).map(move |b| (a, b)))
        .filter(|(a, b)| a != b)
        .collect()
}

/// Compares trace and reach on the given pairs of places and every packet of [`GRID`]; returns
/// (comparisons, disagreements).
pub fn compare(
    label: &str,
    dp: &DataPlane,
    places: &[(String, Place)],
    pairs: &[(usize, usize)],
) -> (usize, Vec<String>) {
    let (mut n, mut bad) = (0, Vec::new());
    for &(a, b) in pairs {
        let ((fname, from), (tname, to)) = (&places[a], &places[b]);
        let r = dp.reach(from, to);
        let src = dp.host(from).ip;
        let dst = match to {
            Place::Internet => INTERNET_SERVER,
            _ => dp.host(to).ip,
        };
        let fqdn = dp.host(to).fqdn;
        for (protocol, port) in GRID {
            let t = dp.trace(&Query {
                from: from.clone(),
                to: to.clone(),
                protocol,
                port,
                fqdn: None,
            });
            // The firewall rule that passed the trace by name, if one did: FQDN tags such as
            // AzureKubernetesService stand for names reach lists only as `tag:...`.
            let by_rule = t
                .hops
                .iter()
                .find(|h| h.kind == HopKind::Firewall && h.decision == Decision::Allow)
                .and_then(|h| h.detail.split_once("): "))
                .map(|(_, rule)| rule.split(';').next().unwrap_or("").trim().to_string());
            // The paths that carry this packet: name-independent ones, and by-name ones for the
            // name the trace carries.
            let carried = |p: &&PathResult| {
                p.packets.contains(src, dst, protocol, port)
                    && (p.by_name.is_empty()
                        || fqdn.as_deref().is_some_and(|f| name_matches(&p.by_name, f))
                        || by_rule.as_deref().is_some_and(|rule| {
                            p.via
                                .iter()
                                .any(|v| v.contains(&format!(" {rule}, by name")))
                        }))
            };
            let live = |p: &&PathResult| carried(p) && p.broken.is_none();
            let expected = if r.paths.iter().filter(live).any(|p| p.unknown.is_empty()) {
                Verdict::Allowed
            } else if r.paths.iter().any(|p| live(&p)) {
                Verdict::Unknown
            } else {
                Verdict::Denied
            };
            // A trace follows the destination's name through DNS; reach is over addresses. When
            // the name does not lead to the place's address (a record moved or missing, an answer
            // the estate does not hold), the two
            // answer different questions, and the trace says so in its `dns` hop.
            let renamed = t.hops.first().is_some_and(|h| {
                h.kind == aksnet_engine::trace::HopKind::Dns
                    && (h.decision == aksnet_engine::trace::Decision::Drop
                        || h.decision == aksnet_engine::trace::Decision::Unknown
                        || h.packet.dst != dst)
            });
            if renamed {
                continue;
            }
            n += 1;
            if expected != t.verdict {
                bad.push(format!(
                    "{label}: {fname} → {tname} {protocol}/{port}: reach says {expected}, trace {} ({})",
                    t.verdict, t.reason
                ));
            }
        }
    }
    (n, bad)
}

/// The reference with DNAT rules on the firewall's public IP (SSH to a node, HTTPS to the ILB,
/// and 2222 to another node's 22) and load-balancing rules on the ingress ILB (443, and 80 to
/// 8080), so that mutations and comparisons reach DNAT and load-balancer rules, port
/// translation included; the examples have none.
pub fn reference_with_dnat() -> Value {
    let d = aksnet_design::design("x", aksnet_design::REFERENCE_INTENT).unwrap();
    let mut v = serde_json::to_value(&d.estate).unwrap();
    let policy = v["firewallPolicies"][0]["id"].as_str().unwrap().to_string();
    let rule = |name: &str, port: &str, to: &str| {
        json!({ "ruleType": "NatRule", "name": name, "ipProtocols": ["TCP"], "sourceAddresses": ["*"],
            "destinationAddresses": ["198.18.0.2"], "destinationPorts": [port],
            "translatedAddress": to, "translatedPort": port })
    };
    // The ingress ILB with the rules AKS would write for a Service: 443 as is, 80 to 8080.
    let lb = &mut v["loadBalancers"][0];
    let fe = format!(
        "{}/frontendIPConfigurations/{}",
        lb["id"].as_str().unwrap(),
        lb["properties"]["frontendIPConfigurations"][0]["name"]
            .as_str()
            .unwrap()
    );
    let lb_rule = |name: &str, port: u16, backend: u16| {
        json!({ "name": name, "properties": { "frontendIPConfiguration": { "id": fe },
            "protocol": "Tcp", "frontendPort": port, "backendPort": backend } })
    };
    lb["properties"]["loadBalancingRules"] =
        json!([lb_rule("https", 443, 443), lb_rule("http", 80, 8080)]);
    let mut alt = rule("ssh-alt", "2222", "10.240.1.5");
    alt["translatedPort"] = "22".into();
    v["ruleCollectionGroups"].as_array_mut().unwrap().push(json!({
        "id": format!("{policy}/ruleCollectionGroups/rcg-dnat"), "name": "rcg-dnat",
        "type": "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
        "properties": { "priority": 150, "ruleCollections": [{
            "ruleCollectionType": "FirewallPolicyNatRuleCollection", "name": "dnat", "priority": 100,
            "action": { "type": "DNAT" },
            "rules": [rule("ssh", "22", "10.240.1.4"), rule("https", "443", "10.240.1.52"), alt] }] }
    }));
    v
}

/// Every example under `examples/`, designed, by file name in name order.
pub fn designed_examples() -> Vec<(String, aksnet_model::Estate)> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut out: Vec<(String, aksnet_model::Estate)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let d = aksnet_design::design("x", &std::fs::read_to_string(&p).unwrap()).unwrap();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                d.estate,
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A spoke with network interfaces (issue 14, item 4), as an `estate.json` value: NIC-level
/// NSGs inbound and outbound (one on a third-party NVA's NIC; another NVA's NIC does not
/// forward), application security groups in a subnet NSG (one with a member, one with none, one
/// the estate does not hold), a private endpoint with a dynamic address placed from its NIC, and
/// NIC-level DNS servers (Azure-provided on one NIC; the NVA's address, which the estate does
/// not explain, on another).
pub fn network_interfaces() -> Value {
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
    json!({
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
                "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.1.3.4" } },
            { "name": "to-db", "properties": { "addressPrefix": "10.1.2.20/32",
                "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.1.3.5" } } ] } }],
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
            nic("web", "app", "10.1.2.10", json!({ "dnsSettings": { "dnsServers": ["AzureProvidedDNS"] } }), asg("asg-web")),
            nic("other", "app", "10.1.2.11", json!({ "dnsSettings": { "dnsServers": ["10.1.3.4"] } }), json!([])),
            nic("db", "app", "10.1.2.20", json!({ "networkSecurityGroup": nsg_ref("nsg-db") }), json!([])),
            nic("nva", "nva", "10.1.3.4", json!({ "networkSecurityGroup": nsg_ref("nsg-nva"), "enableIPForwarding": true }), json!([])),
            nic("nva-off", "nva", "10.1.3.5", json!({ "enableIPForwarding": false }), json!([])),
            nic("pe-acr.nic", "pe", "10.1.1.5", json!({ "privateEndpoint": { "id": format!("{sub}/privateEndpoints/pe-acr") } }), json!([])) ],
        "privateEndpoints": [{ "id": format!("{sub}/privateEndpoints/pe-acr"), "properties": {
            "subnet": sn("pe"), "ipConfigurations": [],
            "privateLinkServiceConnections": [{ "name": "c", "properties": {
                "privateLinkServiceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr",
                "groupIds": ["registry"] } }] } }]
    })
}

/// Two unpeered VNets with the same address space 10.0.0.0/24 (only peered VNets must not
/// overlap, azure-semantics §1.5), with NICs at the same address (10.0.0.4) in each, one more in
/// the second (10.0.0.5) and, at that address in the first, a private endpoint; beside a peered
/// pair that does not overlap.
pub fn overlapping_vnets() -> Value {
    let sub = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";
    let vnet = |name: &str, space: &str, peer: Option<&str>| {
        let peerings: Vec<Value> = peer
            .map(|p| {
                json!({ "name": format!("to-{p}"), "properties": {
                "remoteVirtualNetwork": { "id": format!("{sub}/virtualNetworks/{p}") },
                "allowVirtualNetworkAccess": true, "peeringState": "Connected" } })
            })
            .into_iter()
            .collect();
        json!({ "id": format!("{sub}/virtualNetworks/{name}"), "properties": {
            "addressSpace": { "addressPrefixes": [space] },
            "subnets": [{ "name": "default", "properties": { "addressPrefix": space } }],
            "virtualNetworkPeerings": peerings } })
    };
    let nic = |name: &str, vnet: &str, ip: &str| {
        json!({ "id": format!("{sub}/networkInterfaces/{name}"), "properties": {
            "ipConfigurations": [{ "name": "ipconfig1", "properties": {
                "privateIPAddress": ip, "privateIPAllocationMethod": "Static",
                "subnet": { "id": format!("{sub}/virtualNetworks/{vnet}/subnets/default") } } }] } })
    };
    let mut pe_nic = nic("pe-acr.nic", "vnet-a", "10.0.0.5");
    pe_nic["properties"]["privateEndpoint"] =
        json!({ "id": format!("{sub}/privateEndpoints/pe-acr") });
    json!({
        "aksnetSchema": 1, "name": "overlap",
        "virtualNetworks": [
            vnet("vnet-a", "10.0.0.0/24", None),
            vnet("vnet-b", "10.0.0.0/24", None),
            vnet("vnet-c", "10.1.0.0/24", Some("vnet-d")),
            vnet("vnet-d", "10.2.0.0/24", Some("vnet-c")),
        ],
        "networkInterfaces": [
            nic("nic-a", "vnet-a", "10.0.0.4"),
            nic("nic-b", "vnet-b", "10.0.0.5"),
            nic("nic-b2", "vnet-b", "10.0.0.4"),
            nic("nic-c", "vnet-c", "10.1.0.4"),
            nic("nic-d", "vnet-d", "10.2.0.4"),
            pe_nic,
        ],
        "privateEndpoints": [{ "id": format!("{sub}/privateEndpoints/pe-acr"), "properties": {
            "subnet": { "id": format!("{sub}/virtualNetworks/vnet-a/subnets/default") },
            "ipConfigurations": [],
            "privateLinkServiceConnections": [{ "name": "c", "properties": {
                "privateLinkServiceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr",
                "groupIds": ["registry"] } }] } }],
    })
}
