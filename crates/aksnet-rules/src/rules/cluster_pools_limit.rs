//! AKS-CAP-011: a cluster near or past 100 node pools.

use aksnet_model::limits::LimitId;

use crate::capacity::{findings, Past};
use crate::{Context, Doc, Finding, Rule, Severity};

/// A cluster near or past 100 node pools.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-CAP-011",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "A cluster near or past 100 node pools",
        what: "Counts a cluster's node pools against AKS's 100 pools per cluster.",
        why: "Designs that give each tenant its own pool reach the limit, and the next tenant's pool cannot be added.",
        fix: "Share pools between tenants with taints and namespaces, or split tenants over clusters.",
        references: &[aksnet_model::limits::AKS_LIMITS],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    findings(rule, cx, LimitId::ClusterPools, Past::Here)
}
