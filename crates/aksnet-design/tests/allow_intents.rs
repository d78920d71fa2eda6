//! Allow intents designed in: a firewall network rule in `rcg-intents` and NSG rules where the
//! default rules would deny; nothing for places the design does not control or flows its own
//! rules already allow.

use aksnet_design::design;
use aksnet_model::firewall::{FirewallRule, RuleCollection};
use aksnet_model::network::Direction;
use aksnet_model::Estate;

const BASE: &str = "name: t\nlocation: westeurope\nonPremises: { prefixes: [10.0.0.0/16], link: vpn }\nspokes:\n  - name: a\n    cluster:\n      nodePools:\n        - { name: system, mode: System, maxCount: 3 }\n  - name: b\n    cluster:\n      nodePools:\n        - { name: system, mode: System, maxCount: 3 }\n";

fn estate(intents: &str) -> Estate {
    design("intent.yaml", &format!("{BASE}intents:\n{intents}"))
        .unwrap()
        .estate
}

/// Names of the firewall network rules in `rcg-intents`.
fn firewall_rules(e: &Estate) -> Vec<String> {
    e.rule_collection_groups
        .iter()
        .filter(|g| g.name == "rcg-intents")
        .flat_map(|g| &g.properties.rule_collections)
        .flat_map(|c| match c {
            RuleCollection::Filter(f) => f.rules.clone(),
            RuleCollection::Nat(_) => Vec::new(),
        })
        .map(|r| match r {
            FirewallRule::NetworkRule(n) => n.name,
            other => panic!("not a network rule: {other:?}"),
        })
        .collect()
}

/// `(nsg, rule, direction)` of every NSG rule named after an intent.
fn nsg_rules(e: &Estate) -> Vec<(String, String, Direction)> {
    e.network_security_groups
        .iter()
        .flat_map(|n| {
            n.properties
                .security_rules
                .iter()
                .filter(|r| r.name.starts_with("intent-"))
                .map(|r| (n.name.clone(), r.name.clone(), r.properties.direction))
        })
        .collect()
}

#[test]
fn spoke_to_spoke_gets_a_firewall_rule_and_nsg_rules_at_both_ends() {
    let e = estate("  - { from: a/nodes, to: b/snet-system, ports: \"tcp/443,tcp/8000-8100\", expect: allow }\n");
    assert_eq!(
        firewall_rules(&e),
        ["intent-1-a-nodes-to-b-snet-system-tcp"]
    );
    let g = e
        .rule_collection_groups
        .iter()
        .find(|g| g.name == "rcg-intents")
        .unwrap();
    assert_eq!(g.properties.priority, 400);
    assert_eq!(
        nsg_rules(&e),
        [
            (
                "nsg-system-a".to_string(),
                "intent-1-a-nodes-to-b-snet-system-tcp-out".to_string(),
                Direction::Outbound
            ),
            (
                "nsg-system-b".to_string(),
                "intent-1-a-nodes-to-b-snet-system-tcp-in".to_string(),
                Direction::Inbound
            ),
        ]
    );
    let rule = e
        .network_security_groups
        .iter()
        .flat_map(|n| &n.properties.security_rules)
        .find(|r| r.name.ends_with("-in"))
        .unwrap();
    assert_eq!(rule.properties.priority, 1000);
    assert_eq!(
        rule.properties.destination_port_ranges,
        ["443", "8000-8100"]
    );
}

#[test]
fn a_flow_to_a_load_balancer_is_also_allowed_into_the_node_subnets_behind_it() {
    let e = estate("  - { from: a/snet-system, to: b:ilb, ports: tcp/443, expect: allow }\n");
    assert_eq!(firewall_rules(&e), ["intent-1-a-snet-system-to-b-ilb-tcp"]);
    let mut nsgs: Vec<(String, Direction)> = nsg_rules(&e)
        .into_iter()
        .map(|(nsg, _, d)| (nsg, d))
        .collect();
    nsgs.sort_by(|x, y| x.0.cmp(&y.0));
    assert_eq!(
        nsgs,
        [
            ("nsg-ilb-b".to_string(), Direction::Inbound),
            ("nsg-system-a".to_string(), Direction::Outbound),
            ("nsg-system-b".to_string(), Direction::Inbound),
        ]
    );
}

#[test]
fn on_premises_flows_need_only_the_firewall_rule() {
    let e = estate(concat!(
        "  - { from: onprem, to: b:ilb, ports: tcp/8443, expect: allow }\n",
        "  - { from: a/snet-system, to: onprem, ports: \"tcp/5432,udp/53,icmp\", expect: allow }\n",
    ));
    assert_eq!(
        firewall_rules(&e),
        [
            "intent-1-onprem-to-b-ilb-tcp",
            "intent-2-a-snet-system-to-onprem-tcp",
            "intent-2-a-snet-system-to-onprem-udp",
            "intent-2-a-snet-system-to-onprem-icmp",
        ]
    );
    assert!(nsg_rules(&e).is_empty(), "{:?}", nsg_rules(&e));
}

#[test]
fn flows_the_design_already_allows_or_does_not_control_add_nothing() {
    let e = estate(concat!(
        // rcg-onprem-ingress already allows this.
        "  - { from: onprem, to: a/ilb, ports: tcp/443, expect: allow }\n",
        // Inside one spoke: the VNet's route keeps it off the firewall; the defaults allow it.
        "  - { from: a/nodes, to: a/snet-ilb, ports: tcp/443, expect: allow }\n",
        // An address, an endpoint whose address Azure assigns, an unknown spoke: left to check.
        "  - { from: a/snet-system, to: 10.9.9.9, ports: tcp/443, expect: allow }\n",
        "  - { from: a:acr, to: b/nodes, ports: tcp/443, expect: allow }\n",
        "  - { from: nowhere/nodes, to: b/nodes, ports: tcp/443, expect: allow }\n",
        // A deny intent, and an allow intent without ports (an error for check).
        "  - { from: a/nodes, to: b/nodes, ports: tcp/443, expect: deny }\n",
        "  - { from: a/nodes, to: b/nodes, expect: allow }\n",
    ));
    assert!(firewall_rules(&e).is_empty(), "{:?}", firewall_rules(&e));
    assert!(nsg_rules(&e).is_empty(), "{:?}", nsg_rules(&e));
}

#[test]
fn allow_intents_design_byte_identically() {
    let text = format!(
        "{BASE}intents:\n  - {{ from: a/nodes, to: b/nodes, ports: tcp/443, expect: allow }}\n"
    );
    let one = design("intent.yaml", &text).unwrap().estate.to_json();
    let two = design("intent.yaml", &text).unwrap().estate.to_json();
    assert_eq!(one, two);
}
