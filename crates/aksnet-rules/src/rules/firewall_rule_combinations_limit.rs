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
        what: "Counts the rule combinations of each firewall policy as Azure does: for each network and application rule, sources × destinations × protocols × port groups, over the policy's own rule collection groups and those it inherits from its parent; classic rule collections on a firewall count the same way.",
        why: "Azure Firewall refuses a policy past 20,000 unique combinations. Its policy analytics shows the count only after deployment; rules that list many addresses and ports multiply quickly.",
        fix: "Group addresses in IP groups (an IP group counts once), merge port lists into ranges, and use FQDN tags or service tags instead of address lists.",
        references: &[aksnet_model::limits::FIREWALL_LIMITS, "https://learn.microsoft.com/azure/firewall/firewall-faq"],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    findings(rule, cx, LimitId::FirewallRuleCombinations, Past::Here)
}
