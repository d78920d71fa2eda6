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
        title: "A cluster near or past its node limit (5,000; 1,000 on the Free tier)",
        what: "Sums every pool's maxCount (or count) against AKS's nodes per cluster: 5,000 on the Standard and Premium tiers, 1,000 on the Free tier, which is AKS's default when the cluster states no `sku.tier`. Upgrade surge nodes are named in the message but not counted: Microsoft does not say whether they count toward the limit, and AKS accepts pools configured up to it.",
        why: "Past the limit AKS refuses the pool configuration, and near it the autoscaler has no room left for the next pool or a larger maxCount.",
        fix: "Lower maxCount, move a Free-tier cluster to the Standard tier, or split the workload over several clusters.",
        references: &[aksnet_model::limits::AKS_LIMITS],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    findings(rule, cx, LimitId::ClusterNodes, Past::Here)
}
