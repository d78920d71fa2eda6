//! AKS-ING-004: node pools with a public IP per node.

use crate::{Context, Doc, Finding, Rule, Severity};

/// Node pools with `enableNodePublicIP`.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-ING-004",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "Node pool with public IPs on its nodes",
        what: "An agent pool with `enableNodePublicIP: true`.",
        why: "Every node gets its own Internet address: inbound traffic can bypass the Application Gateway and the firewall, and egress leaves from the node instead of the firewall.",
        fix: "Set `enableNodePublicIP: false` (recreate the pool); publish through the Application Gateway and egress through the firewall.",
        references: &[
            "https://learn.microsoft.com/azure/aks/use-node-public-ips",
            "Checkov CKV_AZURE_143 (same attribute)",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    cx.estate
        .managed_clusters
        .iter()
        .flat_map(|mc| {
            mc.properties
                .agent_pool_profiles
                .iter()
                .filter(|p| p.enable_node_public_ip == Some(true))
                .map(move |p| {
                    Finding::new(
                        rule,
                        format!(
                            "pool `{}` of cluster `{}` gives every node a public IP",
                            p.name, mc.name
                        ),
                        vec![mc.id.clone()],
                    )
                })
        })
        .collect()
}
