//! AKS-PLK-001: a container registry reachable from public networks.

use crate::{Context, Doc, Finding, Rule, Severity};

/// Container registry with public network access.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-PLK-001",
    severity: Severity::Warning,
    semantic: false,
    doc: Doc {
        title: "Container registry reachable from public networks",
        what: "A registry whose `publicNetworkAccess` is `Enabled` (Azure's default when the property is absent).",
        why: "Images and pull tokens are then reachable from the Internet; with private endpoints in place, public access only widens the attack surface.",
        fix: "Set `publicNetworkAccess: Disabled` and reach the registry through a private endpoint (Premium SKU) with the `privatelink.azurecr.io` zone linked where nodes resolve.",
        references: &["https://learn.microsoft.com/azure/container-registry/container-registry-private-link", "Checkov CKV_AZURE_139"],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    cx.estate
        .container_registries
        .iter()
        .filter(|r| {
            r.properties
                .public_network_access
                .eq_ignore_ascii_case("Enabled")
        })
        .map(|r| Finding {
            code: rule.code,
            severity: rule.severity,
            message: format!(
                "registry `{}` accepts connections from public networks",
                r.name
            ),
            resources: vec![r.id.clone()],
            witness: None,
            location: None,
            suppressed: None,
        })
        .collect()
}
