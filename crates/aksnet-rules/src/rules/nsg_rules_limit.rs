//! AKS-CAP-002: a network security group near or past 1,000 rules.

use aksnet_model::limits::LimitId;

use crate::capacity::{findings, Past};
use crate::{Context, Doc, Finding, Rule, Severity};

/// A network security group near or past 1,000 rules.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-CAP-002",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "A network security group near or past 1,000 rules",
        what: "Counts the security rules written on each NSG (Azure's default rules do not count) against Azure's 1,000 rules per group.",
        why: "Azure refuses the rule past the limit, so generated rule sets (one rule per partner range, per spoke, per port) fail to deploy when they grow.",
        fix: "Merge rules: several prefixes and ports in one rule (`sourceAddressPrefixes`, `destinationPortRanges`), service tags and application security groups instead of address lists.",
        references: &[aksnet_model::limits::NETWORKING_LIMITS],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    findings(rule, cx, LimitId::NsgRules, Past::Here)
}
