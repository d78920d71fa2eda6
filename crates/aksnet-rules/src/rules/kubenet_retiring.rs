//! AKS-CLU-003: kubenet networking, which Microsoft retires.

use crate::{Context, Doc, Finding, Rule, Severity};

/// Kubenet cluster.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-CLU-003",
    severity: Severity::Warning,
    semantic: false,
    doc: Doc {
        title: "Kubenet networking (retiring)",
        what: "A cluster with `networkPlugin: kubenet`.",
        why: "Microsoft retires kubenet on 31 March 2028; it also needs a route table per cluster, limits clusters to 400 nodes and does not support Windows pools or several clusters per subnet. Azure CNI Overlay keeps pods off the VNet address space like kubenet, without those limits.",
        fix: "Migrate to Azure CNI Overlay (`network: { plugin: azure, mode: overlay }`; in place with `az aks update --network-plugin azure --network-plugin-mode overlay`).",
        references: &[
            "https://learn.microsoft.com/azure/aks/upgrade-azure-cni",
            "https://learn.microsoft.com/azure/aks/configure-kubenet (retirement notice)",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    cx.estate
        .managed_clusters
        .iter()
        .filter(|mc| mc.properties.network_mode() == Some(aksnet_model::aks::NetworkMode::Kubenet))
        .map(|mc| {
            Finding::new(
                rule,
                format!(
                    "cluster `{}` uses kubenet, which is retiring: move to Azure CNI Overlay",
                    mc.name
                ),
                vec![mc.id.clone()],
            )
        })
        .collect()
}
