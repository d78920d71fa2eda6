//! AKS-CAP-006: a firewall policy near or past its limit of rule collection groups.

use aksnet_model::limits::LimitId;

use crate::capacity::{findings, Past};
use crate::{Context, Doc, Finding, Rule, Severity};

/// A firewall policy near or past its limit of rule collection groups.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-CAP-006",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "A firewall policy near or past 90 rule collection groups",
        what: "Counts the rule collection groups of each firewall policy against Azure Firewall's 90 per policy (50 for policies created before July 2022, which aksnet cannot tell apart).",
        why: "Teams that give every application or spoke its own rule collection group reach the limit, and the next group cannot be added.",
        fix: "Put several rule collections in one group (a group holds many collections), or use a parent policy for the shared rules.",
        references: &[aksnet_model::limits::FIREWALL_LIMITS],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    findings(rule, cx, LimitId::PolicyRuleCollectionGroups, Past::Here)
}
