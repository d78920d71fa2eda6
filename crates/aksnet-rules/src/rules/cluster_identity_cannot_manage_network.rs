//! AKS-IAM-003: a cluster's user-assigned identity lacks a role it needs on its network.

use crate::access::{findings, Identity};
use crate::{Context, Doc, Finding, Rule, Severity};

/// Cluster identity without Network Contributor / Private DNS Zone Contributor.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-IAM-003",
    severity: Severity::Warning,
    semantic: false,
    doc: Doc {
        title: "The cluster identity cannot manage its subnets, route table, private zone or kubelet identity",
        what: "A cluster running as a user-assigned identity to which no role assignment gives, on its node and pod subnets (or their VNet, group or subscription), Network Contributor, Contributor or Owner; on a kubenet cluster's node route table, the same; on a bring-your-own private API server zone, Private DNS Zone Contributor (or Contributor, Owner); on a pre-created kubelet identity, Managed Identity Operator (or Contributor, Owner). Generated Terraform also grants Network Contributor on the route table of other clusters' node subnets, which is not reported when missing: mspnp/aks-baseline's CNI overlay cluster runs without it. A system-assigned identity exists only once the cluster does and is not asked. Unmatched principals, custom roles and ABAC conditions are reported as unknown (info).",
        why: "AKS checks the identity's permissions on the subnet and route table when the cluster is created and refuses it without them; later, load balancer and route updates fail, and a private cluster cannot write its API server record.",
        fix: "Assign Network Contributor on the VNet (or subnet) and on the route table, and Private DNS Zone Contributor on the zone, to the cluster's identity before creating the cluster (`depends_on` in Terraform).",
        references: &[
            "https://learn.microsoft.com/azure/aks/configure-azure-cni#prerequisites",
            "https://learn.microsoft.com/azure/aks/egress-udr",
            "https://learn.microsoft.com/azure/aks/private-clusters",
            "https://learn.microsoft.com/azure/aks/configure-kubenet",
            "https://learn.microsoft.com/azure/aks/use-managed-identity#use-a-pre-created-kubelet-managed-identity",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    findings(rule, cx, Identity::ControlPlane)
}
