//! AKS-CAP-005: a firewall policy near or past 20,000 rule combinations.

use aksnet_model::limits::LimitId;

use crate::capacity::{findings, Past};
use crate::{Context, Doc, Finding, Rule, Severity};

/// A firewall policy near or past 20,000 rule combinations.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-CAP-005",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "A firewall policy near or past 20,000 rule combinations",
        what: "Counts the rule combinations of each firewall policy as Azure does: for each network rule, protocols × sources × destinations × ⌈destination ports ÷ 14⌉ (an IP group or an FQDN counts once), summed over the policy's own rule collection groups and those it inherits from its parents; classic network rule collections on a firewall without a policy count the same way. Application rules are not part of this limit. How a port range counts is not documented: one entry by default, its ports with `--switch firewall-port-ranges-expanded`.",
        why: "Azure Firewall refuses a policy past 20,000 unique combinations. Its policy analytics shows the count only after deployment; rules that list many addresses and ports multiply quickly.",
        fix: "Group addresses in IP groups (an IP group counts once), merge port lists into ranges, and use FQDN tags or service tags instead of address lists.",
        references: &[aksnet_model::limits::FIREWALL_LIMITS, "https://learn.microsoft.com/azure/firewall/firewall-faq"],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    findings(rule, cx, LimitId::FirewallRuleCombinations, Past::Here)
}
