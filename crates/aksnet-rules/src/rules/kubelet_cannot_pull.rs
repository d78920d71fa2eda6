//! AKS-IAM-001: the kubelet identity holds no role that pulls from a registry the cluster uses.

use crate::access::{findings, Identity};
use crate::{Context, Doc, Finding, Rule, Severity};

/// Kubelet identity without AcrPull.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-IAM-001",
    severity: Severity::Warning,
    semantic: false,
    doc: Doc {
        title: "Nodes cannot pull from a registry the cluster uses",
        what: "A container registry with a private endpoint in a VNet of the cluster's node subnets, or in the cluster's resource group, on which no role assignment gives the cluster's kubelet identity AcrPull, AcrPush, Reader, Contributor or Owner (the roles that pull in a registry's default RBAC permissions mode). Custom roles, ABAC conditions, management-group scopes, principals the input cannot match, a registry whose admin user is enabled (pods may pull with its credentials), and one that only shares the cluster's resource group, without a private endpoint in its VNets (the input does not say the nodes pull from it), are reported as unknown (info).",
        why: "Nodes pull images as the kubelet identity: without a pull role, every pull from the private registry fails with 401 Unauthorized and pods stay in ImagePullBackOff.",
        fix: "Assign AcrPull on the registry to the kubelet identity (`azurerm_role_assignment` with `principal_id = azurerm_kubernetes_cluster.X.kubelet_identity[0].object_id`, or `az aks update --attach-acr`).",
        references: &[
            "https://learn.microsoft.com/azure/aks/cluster-container-registry-integration",
            "https://learn.microsoft.com/azure/container-registry/container-registry-roles",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    findings(rule, cx, Identity::Kubelet)
}
