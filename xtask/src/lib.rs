//! Synthetic estates at Azure's scale limits, for benchmarks: a hub and N spokes designed by the
//! planner (6 subnets per spoke), every spoke NSG filled to `nsg_rules` rules, and the firewall
//! policy grown to `firewall_rules` network rules.

use aksnet_design::design;
use aksnet_model::firewall::{
    FilterRuleCollection, FirewallRule, NetworkRule, RuleAction, RuleCollection,
    RuleCollectionGroup,
};
use aksnet_model::network::{Access, Direction, SecurityRule};
use aksnet_model::{Child, Estate, Resource};

/// The intent for `spokes` spokes with isolated pools and Application Gateways.
pub fn intent(spokes: usize) -> String {
    let mut y = String::from("name: synth\nlocation: westeurope\naddressPool: [10.0.0.0/8]\nonPremises: { prefixes: [172.20.0.0/14], link: expressRoute }\nplanning: { headroomPercent: 0 }\nspokes:\n");
    for i in 0..spokes {
        y += &format!(
            "  - name: s{i}\n    cluster:\n      nodePools:\n        - {{ name: system, mode: System, maxCount: 3 }}\n        - {{ name: user, mode: User, maxCount: 10 }}\n        - {{ name: tenant, mode: User, maxCount: 3, isolated: true }}\n    ingress: {{ appGateway: {{ frontend: public, waf: prevention }} }}\n"
        );
    }
    y
}

/// A synthetic estate.
pub fn estate(spokes: usize, nsg_rules: usize, firewall_rules: usize) -> Estate {
    let mut e = design("synthetic", &intent(spokes))
        .expect("the synthetic intent designs")
        .estate;
    let ids: Vec<_> = e
        .network_security_groups
        .iter()
        .filter(|n| n.name.starts_with("nsg-user-"))
        .map(|n| n.id.clone())
        .collect();
    for id in ids {
        let nsg = e.network_security_groups.get_mut(&id).expect("listed");
        for k in 0..nsg_rules {
            let name = format!("rule-{k}");
            nsg.properties.security_rules.push(Child::new(
                name.clone(),
                Some(id.child("securityRules", &name)),
                SecurityRule {
                    protocol: if k % 2 == 0 { "Tcp" } else { "Udp" }.into(),
                    source_address_prefix: Some(format!("10.{}.{}.0/24", 200 + k % 50, k % 256)),
                    destination_address_prefix: Some("*".into()),
                    destination_port_range: Some(format!("{}", 1000 + k)),
                    access: if k % 3 == 0 {
                        Access::Deny
                    } else {
                        Access::Allow
                    },
                    priority: 100 + k as u32,
                    direction: if k % 4 == 0 {
                        Direction::Outbound
                    } else {
                        Direction::Inbound
                    },
                    ..Default::default()
                },
            ));
        }
    }
    let policy = e
        .firewall_policies
        .iter()
        .next()
        .expect("the hub has a policy")
        .id
        .clone();
    let rules = (0..firewall_rules)
        .map(|k| {
            FirewallRule::NetworkRule(NetworkRule {
                name: format!("net-{k}"),
                ip_protocols: vec!["TCP".into()],
                source_addresses: vec![format!("10.{}.0.0/16", k % 200)],
                destination_addresses: vec![format!("172.{}.{}.0/24", 20 + k % 4, k % 256)],
                destination_ports: vec![format!("{}", 2000 + k % 5000)],
                ..Default::default()
            })
        })
        .collect();
    let coll = RuleCollection::Filter(FilterRuleCollection {
        name: "synthetic".into(),
        priority: Some(500),
        action: RuleAction {
            kind: "Allow".into(),
        },
        rules,
    });
    e.rule_collection_groups.insert(Resource::new(
        policy.child("ruleCollectionGroups", "rcg-synthetic"),
        None,
        RuleCollectionGroup {
            priority: 400,
            rule_collections: vec![coll],
        },
    ));
    e
}

/// `e` with one more inbound rule on the last user-pool NSG in id order (spoke `s9` of 10,
/// `s99` of 100 or 500), denying SSH from the VirtualNetwork tag: the change the diff bench
/// and profiling harness compare.
pub fn deny_ssh_in_last_spoke(e: &Estate) -> Estate {
    let mut e = e.clone();
    let id = e
        .network_security_groups
        .iter()
        .filter(|n| n.name.starts_with("nsg-user"))
        .last()
        .expect("a user-pool NSG")
        .id
        .clone();
    let nsg = e.network_security_groups.get_mut(&id).expect("listed");
    nsg.properties.security_rules.push(Child::new(
        "deny-ssh".to_string(),
        Some(id.child("securityRules", "deny-ssh")),
        SecurityRule {
            protocol: "Tcp".into(),
            source_address_prefix: Some("VirtualNetwork".into()),
            destination_address_prefix: Some("*".into()),
            destination_port_range: Some("22".into()),
            source_port_range: Some("*".into()),
            access: Access::Deny,
            priority: 4000,
            direction: Direction::Inbound,
            ..Default::default()
        },
    ));
    e
}

/// Writes a REST list page of `n` resources, as a large subscription export would look: per
/// group of 4, a VNet with 4 subnets, an NSG with 5 rules, a route table with 3 routes and a
/// public IP, with the envelope noise real exports carry (etag, provisioningState, tags).
pub fn write_export(w: &mut impl std::io::Write, n: usize) -> std::io::Result<()> {
    let sub = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups";
    write!(w, "{{\"value\": [")?;
    for i in 0..n {
        if i > 0 {
            write!(w, ",")?;
        }
        let g = i / 4;
        let rg = format!("{sub}/rg-{:05}/providers/Microsoft.Network", g % 5000);
        let (a, b) = ((g / 250) % 250, g % 250);
        match i % 4 {
            0 => {
                let subnets: Vec<String> = (0..4).map(|k| format!(r#"{{"name":"snet-{k}","id":"{rg}/virtualNetworks/vnet-{g}/subnets/snet-{k}","etag":"W/\"{g}\"","properties":{{"provisioningState":"Succeeded","addressPrefix":"10.{a}.{b}.{}/29","networkSecurityGroup":{{"id":"{rg}/networkSecurityGroups/nsg-{g}"}},"routeTable":{{"id":"{rg}/routeTables/rt-{g}"}},"privateEndpointNetworkPolicies":"Disabled","privateLinkServiceNetworkPolicies":"Enabled"}},"type":"Microsoft.Network/virtualNetworks/subnets"}}"#, k * 8)).collect();
                write!(
                    w,
                    r#"{{"name":"vnet-{g}","id":"{rg}/virtualNetworks/vnet-{g}","etag":"W/\"{g}\"","type":"Microsoft.Network/virtualNetworks","location":"westeurope","tags":{{"env":"prod","owner":"team-{}"}},"properties":{{"provisioningState":"Succeeded","resourceGuid":"00000000-0000-0000-0000-{g:012}","addressSpace":{{"addressPrefixes":["10.{a}.{b}.0/24"]}},"subnets":[{}],"virtualNetworkPeerings":[],"enableDdosProtection":false}}}}"#,
                    g % 17,
                    subnets.join(",")
                )?;
            }
            1 => {
                let rules: Vec<String> = (0..5).map(|k| format!(r#"{{"name":"rule-{k}","id":"{rg}/networkSecurityGroups/nsg-{g}/securityRules/rule-{k}","etag":"W/\"{g}\"","type":"Microsoft.Network/networkSecurityGroups/securityRules","properties":{{"provisioningState":"Succeeded","protocol":"Tcp","sourcePortRange":"*","destinationPortRange":"{}","sourceAddressPrefix":"10.{k}.0.0/16","destinationAddressPrefix":"*","access":"Allow","priority":{},"direction":"Inbound","sourcePortRanges":[],"destinationPortRanges":[],"sourceAddressPrefixes":[],"destinationAddressPrefixes":[]}}}}"#, 1000 + k, 100 + k)).collect();
                write!(
                    w,
                    r#"{{"name":"nsg-{g}","id":"{rg}/networkSecurityGroups/nsg-{g}","etag":"W/\"{g}\"","type":"Microsoft.Network/networkSecurityGroups","location":"westeurope","properties":{{"provisioningState":"Succeeded","resourceGuid":"00000000-0000-0000-0000-{g:012}","securityRules":[{}],"defaultSecurityRules":[]}}}}"#,
                    rules.join(",")
                )?;
            }
            2 => {
                let routes: Vec<String> = (0..3).map(|k| format!(r#"{{"name":"r-{k}","id":"{rg}/routeTables/rt-{g}/routes/r-{k}","etag":"W/\"{g}\"","type":"Microsoft.Network/routeTables/routes","properties":{{"provisioningState":"Succeeded","addressPrefix":"172.{k}.0.0/16","nextHopType":"VirtualAppliance","nextHopIpAddress":"10.200.0.4","hasBgpOverride":false}}}}"#)).collect();
                write!(
                    w,
                    r#"{{"name":"rt-{g}","id":"{rg}/routeTables/rt-{g}","etag":"W/\"{g}\"","type":"Microsoft.Network/routeTables","location":"westeurope","properties":{{"provisioningState":"Succeeded","disableBgpRoutePropagation":true,"routes":[{}]}}}}"#,
                    routes.join(",")
                )?;
            }
            _ => {
                write!(
                    w,
                    r#"{{"name":"pip-{g}","id":"{rg}/publicIPAddresses/pip-{g}","etag":"W/\"{g}\"","type":"Microsoft.Network/publicIPAddresses","location":"westeurope","sku":{{"name":"Standard","tier":"Regional"}},"zones":["1","2","3"],"properties":{{"provisioningState":"Succeeded","publicIPAllocationMethod":"Static","publicIPAddressVersion":"IPv4","ipAddress":"20.{a}.{b}.{}","idleTimeoutInMinutes":4,"ipTags":[]}}}}"#,
                    g % 250
                )?;
            }
        }
    }
    writeln!(w, "]}}")
}

/// Regenerates `docs/rules/` from the rule catalog: writes every file and removes stale ones.
pub fn write_rule_docs(dir: &std::path::Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let files = aksnet_rules::rule_docs();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !files.iter().any(|(n, _)| *n == name) {
            std::fs::remove_file(entry.path())?;
        }
    }
    for (name, text) in &files {
        std::fs::write(dir.join(name), text)?;
    }
    Ok(files.len())
}

/// Timing helpers for the benchmarks (a small harness instead of criterion, to keep builds lean).
pub mod bench {
    use std::time::{Duration, Instant};

    /// The median wall time of `runs` calls of `f`.
    pub fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
        let mut v: Vec<Duration> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect();
        v.sort();
        v[v.len() / 2]
    }

    /// The process's peak resident memory (VmHWM) in MiB, NaN where /proc is missing.
    pub fn peak_rss_mib() -> f64 {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            })
            .map_or(f64::NAN, |kb| kb / 1024.0)
    }

    /// The spoke counts to run: `AKSNET_BENCH_SPOKES=10,100`, else 10, 100 and 500.
    pub fn sizes() -> Vec<usize> {
        std::env::var("AKSNET_BENCH_SPOKES")
            .ok()
            .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
            .unwrap_or_else(|| vec![10, 100, 500])
    }
}
