//! AKS-CAP-001: a route table near or past 400 routes.

use aksnet_model::limits::LimitId;

use crate::capacity::{findings, Past};
use crate::{Context, Doc, Finding, Rule, Severity};

/// A route table near or past 400 routes.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-CAP-001",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "A route table near or past 400 routes",
        what: "Counts each route table's routes, plus the route per node that AKS writes into the route table of a kubenet cluster's node subnet (maxCount plus surge over the cluster's pools), against Azure's 400 routes per table. A kubenet cluster whose node subnets use no route table of the estate is counted against the table AKS creates for it. This is why kubenet clusters stop at 400 nodes.",
        why: "Azure refuses the route that would be the 401st: a deployment that adds a spoke's route to every table, or a kubenet cluster scaling out, fails half-way. Hubs that route each spoke and each on-premises prefix separately reach the limit first.",
        fix: "Summarise routes (one route per supernet rather than per spoke), move kubenet clusters to Azure CNI Overlay (no per-node routes), or split the subnets over several route tables.",
        references: &[aksnet_model::limits::NETWORKING_LIMITS, "https://learn.microsoft.com/azure/aks/configure-kubenet#limitations--considerations-for-kubenet"],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    findings(rule, cx, LimitId::RouteTableRoutes, Past::Here)
}
