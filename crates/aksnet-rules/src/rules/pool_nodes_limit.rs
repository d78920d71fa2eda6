//! AKS-CAP-012: a node pool near or past 1,000 nodes.

use aksnet_model::limits::LimitId;

use crate::capacity::{findings, Past};
use crate::{Context, Doc, Finding, Rule, Severity};

/// A node pool near or past 1,000 nodes.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-CAP-012",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "A node pool near or past 1,000 nodes",
        what: "Counts each pool's maxCount (or count) against AKS's 1,000 nodes per pool; upgrade surge is named, not counted, as for AKS-CAP-010.",
        why: "A pool cannot scale past 1,000 nodes: AKS refuses a larger maxCount, and a workload sized near the limit has no room to grow in its pool.",
        fix: "Lower maxCount, or add a second pool for the same workload.",
        references: &[aksnet_model::limits::AKS_LIMITS],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    findings(rule, cx, LimitId::PoolNodes, Past::Here)
}
