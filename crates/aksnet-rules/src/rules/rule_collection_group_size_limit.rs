//! AKS-CAP-007: a rule collection group near or past 2 MB.

use aksnet_model::limits::LimitId;

use crate::capacity::{findings, Past};
use crate::{Context, Doc, Finding, Rule, Severity};

/// A rule collection group near or past 2 MB.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-CAP-007",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "A rule collection group near or past 2 MB",
        what: "Measures each rule collection group's properties as compact JSON against Azure Firewall's 2 MB limit per group. Azure measures its own stored form, so the number is an estimate, close for groups made of address and port lists.",
        why: "A group past the limit is refused as a whole: the rules it would add, and any fix in the same group, do not deploy.",
        fix: "Split the group into several groups, and use IP groups for long address lists.",
        references: &[aksnet_model::limits::FIREWALL_LIMITS],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    findings(rule, cx, LimitId::RuleCollectionGroupSize, Past::Here)
}
