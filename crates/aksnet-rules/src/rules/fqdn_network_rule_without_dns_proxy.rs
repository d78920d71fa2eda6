//! AKS-EGR-005: FQDNs in network rules without the firewall's DNS proxy.

use aksnet_model::firewall::{FirewallRule, RuleCollection};

use crate::{Context, Doc, Finding, Rule, Severity};

/// Network rules with `destinationFqdns` on a policy without DNS proxy.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-EGR-005",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "FQDNs in network rules without DNS proxy",
        what: "A network rule with `destinationFqdns` in a policy (or its parent) whose `dnsSettings.enableProxy` is not true.",
        why: "Azure Firewall resolves network-rule FQDNs itself; unless clients resolve through the firewall (DNS proxy) they may get other addresses for the same name and the rule does not match — traffic is denied intermittently (e.g. `ntp.ubuntu.com` for AKS nodes).",
        fix: "Enable DNS proxy on the policy and point the VNets' DNS servers at the firewall's private IP, or use application rules for HTTP(S) names.",
        references: &[
            "https://learn.microsoft.com/azure/firewall/fqdn-filtering-network-rules",
            "https://learn.microsoft.com/azure/firewall/dns-settings",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let proxy = |policy: &aksnet_model::ResourceId| {
        let mut id = Some(policy.clone());
        let mut depth = 0;
        while let (Some(p), true) = (
            id.as_ref().and_then(|i| cx.estate.firewall_policies.get(i)),
            depth < 8,
        ) {
            if p.properties
                .dns_settings
                .as_ref()
                .is_some_and(|d| d.enable_proxy)
            {
                return true;
            }
            id = p.properties.base_policy.as_ref().map(|b| b.id.clone());
            depth += 1;
        }
        false
    };
    let mut out = Vec::new();
    for g in cx.estate.rule_collection_groups.iter() {
        let Some(policy) = g.id.parent() else {
            continue;
        };
        if proxy(&policy) {
            continue;
        }
        for c in &g.properties.rule_collections {
            let RuleCollection::Filter(c) = c else {
                continue;
            };
            for r in &c.rules {
                if let FirewallRule::NetworkRule(n) = r {
                    if !n.destination_fqdns.is_empty() {
                        out.push(Finding::new(
                            rule,
                            format!(
                                "network rule `{}` in `{}/{}` matches {} but policy `{}` has no DNS proxy",
                                n.name,
                                g.name,
                                c.name,
                                n.destination_fqdns
                                    .iter()
                                    .map(|f| match f {
                                        aksnet_model::Maybe::Known(f) => f.clone(),
                                        aksnet_model::Maybe::Unknown(u) => u.expression.clone(),
                                    })
                                    .collect::<Vec<_>>()
                                    .join(", "),
                                policy.name()
                            ),
                            vec![g.id.clone()],
                        ));
                    }
                }
            }
        }
    }
    out
}
