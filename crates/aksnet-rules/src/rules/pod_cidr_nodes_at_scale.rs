//! AKS-CAP-009: an overlay or kubenet pod CIDR with less than 20 % headroom.

use aksnet_model::limits::LimitId;

use crate::capacity::{findings, Past};
use crate::{Context, Doc, Finding, Rule, Severity};

/// An overlay or kubenet pod CIDR with less than 20 % headroom.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-CAP-009",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "An overlay or kubenet pod CIDR with less than 20 % headroom",
        what: "Counts the nodes of an Azure CNI Overlay or kubenet cluster at maxCount plus surge, one /24 of the pod CIDR each, against the /24s the pod CIDR holds (AKS's default 10.244.0.0/16 holds 256 when the cluster states none), and warns from 80 %. Past 100 % it is AKS-ADR-002, an error.",
        why: "When the pod CIDR runs out of /24s, new nodes get no pod range and the autoscaler stops adding them; users report it in the AKS tracker as overlay clusters that cannot scale.",
        fix: "State a larger pod CIDR (a /16 holds 256 nodes, a /14 1,024) before the cluster is created; it cannot be changed on a running cluster.",
        references: &["https://learn.microsoft.com/azure/aks/azure-cni-overlay", "https://learn.microsoft.com/azure/aks/configure-kubenet"],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    findings(rule, cx, LimitId::PodCidrNodes, Past::ByValidation)
}
