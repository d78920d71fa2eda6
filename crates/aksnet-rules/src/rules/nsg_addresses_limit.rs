//! AKS-CAP-003: a network security group near or past 4,000 addresses on one side.

use aksnet_model::limits::LimitId;

use crate::capacity::{findings, Past};
use crate::{Context, Doc, Finding, Rule, Severity};

/// A network security group near or past 4,000 addresses on one side.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-CAP-003",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "A network security group near or past 4,000 addresses on one side",
        what: "Sums the IP addresses and ranges named on each side (source, destination) of an NSG's rules, over all its rules, against Azure's 4,000 addresses and ranges for source or destination per group; service tags, `*` and application security groups are not counted.",
        why: "Allow-lists of partner or on-premises ranges grow one prefix at a time until Azure refuses the update of the group.",
        fix: "Aggregate prefixes into supernets, use service tags or application security groups, or move the allow-list to Azure Firewall with an IP group.",
        references: &[aksnet_model::limits::NETWORKING_LIMITS],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    findings(rule, cx, LimitId::NsgRuleAddresses, Past::Here)
}
