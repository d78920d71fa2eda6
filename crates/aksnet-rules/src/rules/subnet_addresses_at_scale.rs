//! AKS-CAP-008: a subnet with less than 20 % headroom at full scale.

use aksnet_model::limits::LimitId;

use crate::capacity::{findings, Past};
use crate::{Context, Doc, Finding, Rule, Severity};

/// A subnet with less than 20 % headroom at full scale.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-CAP-008",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "A subnet with less than 20 % headroom at full scale",
        what: "Sums what a subnet must hold at full scale (each pool's nodes at maxCount plus upgrade surge, with maxPods + 1 addresses per node under flat Azure CNI; pod subnets in batches of 16 per node; load balancer frontends; private endpoints; the private API server endpoint) and warns from 80 % of the subnet's usable addresses. Past 100 % it is AKS-ADR-002, an error, since AKS refuses the cluster.",
        why: "A subnet that fits exactly leaves no room for one more pool, a larger maxCount or a surge setting raised for faster upgrades, and subnets cannot be resized while in use.",
        fix: "Grow the subnet while it is empty, lower maxCount, maxPods or surge, or move to Azure CNI Overlay, where pods take no VNet addresses.",
        references: &["https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning", "https://learn.microsoft.com/azure/aks/upgrade-aks-cluster#customize-node-surge-upgrade"],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    findings(rule, cx, LimitId::SubnetAddresses, Past::ByValidation)
}
