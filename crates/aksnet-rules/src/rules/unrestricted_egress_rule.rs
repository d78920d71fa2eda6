//! AKS-EGR-004: firewall allow rules that open every destination.

use aksnet_model::firewall::{FirewallRule, RuleCollection};

use crate::{Context, Doc, Finding, Rule, Severity};

fn any_address(field: &str) -> bool {
    matches!(field.trim(), "*" | "0.0.0.0/0" | "::/0") || field.trim().eq_ignore_ascii_case("any")
}

fn any_port(field: &str) -> bool {
    matches!(field.trim(), "*" | "0-65535" | "1-65535")
}

/// Allow rules to any destination.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-EGR-004",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "Unrestricted egress rule in the firewall policy",
        what: "An allow network rule whose destination is every address (`*`, `0.0.0.0/0`) on every port, or an allow application rule whose target FQDNs include `*`.",
        why: "One such rule turns the egress firewall into a router: everything the rest of the policy restricts is allowed, and data exfiltration is unhindered.",
        fix: "Replace it with rules for the destinations the workloads need (the AKS required FQDNs, your registries and APIs); use `aksnet reach` to see what the policy allows.",
        references: &[
            "https://learn.microsoft.com/azure/aks/limit-egress-traffic",
            "https://learn.microsoft.com/azure/firewall/rule-processing",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for g in cx.estate.rule_collection_groups.iter() {
        for c in &g.properties.rule_collections {
            let RuleCollection::Filter(c) = c else {
                continue;
            };
            if !c.action.kind.eq_ignore_ascii_case("Allow") {
                continue;
            }
            for r in &c.rules {
                let opened = match r {
                    FirewallRule::NetworkRule(n) => {
                        (n.destination_addresses.iter().any(|d| any_address(d))
                            && n.destination_ports.iter().any(|p| any_port(p)))
                        .then(|| {
                            format!(
                                "network rule `{}` allows every address on every port",
                                n.name
                            )
                        })
                    }
                    FirewallRule::ApplicationRule(a) => a
                        .target_fqdns
                        .iter()
                        .any(|f| f.trim() == "*")
                        .then(|| format!("application rule `{}` allows every FQDN", a.name)),
                    FirewallRule::NatRule(_) => None,
                };
                if let Some(what) = opened {
                    out.push(Finding::new(
                        rule,
                        format!("{what} (`{}/{}`)", g.name, c.name),
                        vec![g.id.clone()],
                    ));
                }
            }
        }
    }
    out
}
