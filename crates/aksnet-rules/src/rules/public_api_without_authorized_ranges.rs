//! AKS-MGT-001: a public API server open to every address.

use crate::{Context, Doc, Finding, Rule, Severity};

/// A public API server without authorized IP ranges.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-MGT-001",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "Public API server without authorized IP ranges",
        what: "A cluster whose API server has a public endpoint (`enablePrivateCluster` not true) and no `apiServerAccessProfile.authorizedIPRanges`, or a range of `0.0.0.0/0`.",
        why: "The Kubernetes API is then reachable from the whole Internet; only credentials stand between it and anyone. Checkov CKV_AZURE_6 and PSRule Azure.AKS.AuthorizedIPs accept `0.0.0.0/0` as a range; this rule does not.",
        fix: "Make the cluster private (`private: true` in the intent), or list the operators' and the egress addresses in `apiServerAuthorizedRanges` (with UDR egress, the firewall's public IP).",
        references: &[
            "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges",
            "Checkov CKV_AZURE_6; PSRule Azure.AKS.AuthorizedIPs (both pass 0.0.0.0/0)",
            "User report: https://github.com/MicrosoftDocs/azure-docs/issues/55484", "User report: https://github.com/MicrosoftDocs/azure-docs/issues/78967",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    cx.estate
        .managed_clusters
        .iter()
        .filter(|mc| !mc.properties.is_private())
        .filter_map(|mc| {
            let ranges = mc
                .properties
                .api_server_access_profile
                .as_ref()
                .map(|a| a.authorized_ip_ranges.clone())
                .unwrap_or_default();
            // A range known only at deployment is a range: the cluster is not open for it.
            let open = ranges.is_empty()
                || ranges
                    .iter()
                    .filter_map(aksnet_model::Maybe::known)
                    .any(|r| r.trim() == "0.0.0.0/0");
            open.then(|| Finding {
                code: rule.code,
                severity: rule.severity,
                message: format!(
                    "cluster `{}` has a public API server reachable from {}",
                    mc.name,
                    if ranges.is_empty() {
                        "any address (no authorized IP ranges)"
                    } else {
                        "0.0.0.0/0"
                    }
                ),
                resources: vec![mc.id.clone()],
                witness: None,
                location: None,
                suppressed: None,
            })
        })
        .collect()
}
