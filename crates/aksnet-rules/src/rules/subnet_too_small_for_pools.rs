//! AKS-ADR-002: a subnet that cannot hold its pools at full scale.

use crate::validation;
use crate::{Context, Doc, Finding, Rule, Severity};

/// Node, pod or API server subnet too small for the cluster at maximum scale plus surge.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-ADR-002",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "Subnet too small for its pools at maximum scale plus surge",
        what: "Sums what every pool in a subnet needs at `maxCount` plus upgrade surge — one IP per node, plus `maxPods` per node with flat Azure CNI, pod subnets allocated in batches of 16 — with load balancer frontends, private endpoints and the 5 addresses Azure reserves, and compares it with the subnet; also overlay and kubenet pod CIDRs (stated, or AKS's default 10.244.0.0/16) that cannot hold one /24 per node, and an API server subnet smaller than /28. Warnings from 80 % are AKS-CAP-008 and AKS-CAP-009; kubenet's 400 nodes are its route table's 400 routes (AKS-CAP-001).",
        why: "AKS pre-allocates for the autoscaler's maximum: creation fails with `InsufficientSubnetSize` (\"Pre-allocated IPs 310 exceeds IPs available in Subnet 251\"), and upgrades fail half-way when surge nodes find no address (user reports: Azure/AKS#1546, Azure/AKS#2003).",
        fix: "Grow the subnet (the planner sizes it with headroom), lower `maxCount`/`maxPods`, or move to Azure CNI Overlay, where pods do not take VNet addresses.",
        references: &[
            "https://learn.microsoft.com/azure/aks/azure-cni-overlay",
            "https://learn.microsoft.com/azure/aks/configure-azure-cni#plan-ip-addressing-for-your-cluster",
            "PSRule Azure.AKS.CNISubnetSize (checks a fixed /23, not the pools)",
            "User report: https://github.com/Azure/AKS/issues/456", "User report: https://github.com/Azure/AKS/issues/2119",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    validation::findings(
        rule,
        cx,
        &[
            "subnet-capacity-exceeded",
            "aks-pod-cidr-too-small",
            "aks-api-subnet-too-small",
        ],
    )
}
