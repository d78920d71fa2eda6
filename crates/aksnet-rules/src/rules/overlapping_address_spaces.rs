//! AKS-ADR-001: address spaces that overlap where they must not.

use crate::validation;
use crate::{Context, Doc, Finding, Rule, Severity};

/// Overlapping VNet, peer, on-premises, pod and service address spaces.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-ADR-001",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "Overlapping address spaces",
        what: "VNets whose address spaces overlap each other or on-premises, peered VNets that overlap, subnets that overlap in a VNet, and an AKS pod or service CIDR that overlaps the cluster VNet, a peer, on-premises or each other.",
        why: "Peering refuses overlapping spaces; AKS refuses a network profile that overlaps the VNet (`NetworkProfileCIDROverlapVNET`); an overlap with on-premises makes routes ambiguous and traffic silently goes to the wrong side (user reports: Azure/AKS-Construction#403).",
        fix: "Re-plan the ranges: let `aksnet plan` pick VNet spaces from an `addressPool` that excludes on-premises, and keep pod/service CIDRs outside every routed range.",
        references: &[
            "https://learn.microsoft.com/azure/aks/configure-azure-cni#plan-ip-addressing-for-your-cluster",
            "https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#requirements-and-constraints",
            "User report: https://github.com/Azure/AKS-Construction/issues/403",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    validation::findings(
        rule,
        cx,
        &[
            "vnet-space-overlap",
            "peering-overlap",
            "subnet-overlap",
            "aks-cidr-overlap",
        ],
    )
}
