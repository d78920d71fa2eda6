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
