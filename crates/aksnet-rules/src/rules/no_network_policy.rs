//! AKS-CLU-001: a cluster without a network policy engine.

use crate::{Context, Doc, Finding, Rule, Severity};

/// No network policy engine.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-CLU-001",
    severity: Severity::Warning,
    semantic: false,
    doc: Doc {
        title: "Cluster without a network policy engine",
        what: "A cluster whose `networkProfile.networkPolicy` is absent or `none`.",
        why: "Kubernetes NetworkPolicy objects are then accepted and silently ignored: every pod reaches every other pod, across namespaces and tenants. NSGs and the firewall see only node addresses and cannot separate pods.",
        fix: "Set `networkPolicy` to `cilium` (with the Cilium dataplane), `azure` or `calico` — at creation, or with `az aks update --network-policy`.",
        references: &[
            "https://learn.microsoft.com/azure/aks/use-network-policies",
            "Checkov CKV_AZURE_7; PSRule Azure.AKS.NetworkPolicy",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    cx.estate
        .managed_clusters
        .iter()
        .filter(|mc| {
            mc.properties
                .network_profile
                .network_policy
                .as_deref()
                .is_none_or(|p| p.eq_ignore_ascii_case("none") || p.is_empty())
        })
        .map(|mc| {
            Finding::new(
                rule,
                format!(
                    "cluster `{}` has no network policy engine: NetworkPolicy objects are ignored",
                    mc.name
                ),
                vec![mc.id.clone()],
            )
        })
        .collect()
}
