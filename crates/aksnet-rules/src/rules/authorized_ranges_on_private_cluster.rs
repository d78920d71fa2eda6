//! AKS-MGT-002: authorized IP ranges on a private cluster do nothing.

use crate::{Context, Doc, Finding, Rule, Severity};

/// Authorized IP ranges set on a private cluster.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-MGT-002",
    severity: Severity::Warning,
    semantic: false,
    doc: Doc {
        title: "Authorized IP ranges on a private cluster",
        what: "A private cluster (`enablePrivateCluster: true`) that also lists `authorizedIPRanges`.",
        why: "Authorized ranges apply to the public endpoint only; a private cluster has none, so the ranges give a false sense of control over who reaches the private endpoint (azure-semantics §6.6).",
        fix: "Remove the ranges, and control access to the private endpoint with NSGs and routing (`aksnet exposure`, `aksnet reach --to apiserver`).",
        references: &["https://learn.microsoft.com/azure/aks/private-clusters", "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges"],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    cx.estate
        .managed_clusters
        .iter()
        .filter(|mc| mc.properties.is_private())
        .filter(|mc| mc.properties.api_server_access_profile.as_ref().is_some_and(|a| !a.authorized_ip_ranges.is_empty()))
        .map(|mc| Finding {
            code: rule.code,
            severity: rule.severity,
            message: format!("private cluster `{}` lists authorized IP ranges; they apply to the public endpoint only and do nothing here", mc.name),
            resources: vec![mc.id.clone()],
            witness: None,
            location: None,
            suppressed: None,
        })
        .collect()
}
