//! AKS-CAP-010: a cluster near or past 5,000 nodes.

use aksnet_model::limits::LimitId;

use crate::capacity::{findings, Past};
use crate::{Context, Doc, Finding, Rule, Severity};

/// A cluster near or past 5,000 nodes.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-CAP-010",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "A cluster near or past 5,000 nodes",
        what: "Sums every pool's maxCount plus upgrade surge against AKS's 5,000 nodes per cluster.",
        why: "Past the limit the autoscaler and upgrades stop adding nodes: an upgrade that surges every pool at full scale fails.",
        fix: "Lower maxCount or surge, or split the workload over several clusters.",
        references: &[aksnet_model::limits::AKS_LIMITS],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    findings(rule, cx, LimitId::ClusterNodes, Past::Here)
}
