//! AKS-EGR-006: firewall policy with threat intelligence not in Deny.

use crate::{Context, Doc, Finding, Rule, Severity};

/// Threat intelligence in Off or Alert.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-EGR-006",
    severity: Severity::Warning,
    semantic: false,
    doc: Doc {
        title: "Firewall threat intelligence not in Deny mode",
        what: "A firewall policy whose `threatIntelMode` is `Off` or `Alert` (absent means Alert, Azure's default).",
        why: "In Alert mode the firewall logs traffic to known-malicious addresses and domains and lets it through: a compromised pod can reach its command-and-control servers.",
        fix: "Set `threatIntelMode: Deny` on the policy (and on a parent policy, which children inherit).",
        references: &[
            "https://learn.microsoft.com/azure/firewall/threat-intel",
            "Checkov CKV_AZURE_216 (the classic firewall's `threatIntelMode` only, not a policy's); PSRule Azure.Firewall.PolicyMode",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    cx.estate
        .firewall_policies
        .iter()
        .filter_map(|p| {
            let mode = p.properties.threat_intel_mode.as_deref().unwrap_or("Alert");
            (!mode.eq_ignore_ascii_case("Deny")).then(|| {
                Finding::new(
                    rule,
                    format!(
                        "firewall policy `{}` has threat intelligence in {mode} mode",
                        p.name
                    ),
                    vec![p.id.clone()],
                )
            })
        })
        .collect()
}
