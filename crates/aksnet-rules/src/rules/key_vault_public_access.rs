//! AKS-PLK-002: a key vault reachable from public networks.

use crate::{Context, Doc, Finding, Rule, Severity};

/// Key vault with public network access.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-PLK-002",
    severity: Severity::Warning,
    semantic: false,
    doc: Doc {
        title: "Key vault reachable from public networks",
        what: "A vault whose `publicNetworkAccess` is `Enabled` (the default when absent) and whose network ACLs do not deny by default.",
        why: "Secrets are then reachable from the Internet with valid credentials; the AKS design reaches vaults through private endpoints.",
        fix: "Set `publicNetworkAccess: Disabled` (or `networkAcls.defaultAction: Deny`) and use a private endpoint with the `privatelink.vaultcore.azure.net` zone linked where clients resolve.",
        references: &["https://learn.microsoft.com/azure/key-vault/general/private-link-service", "Checkov CKV_AZURE_109 / CKV_AZURE_189"],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    cx.estate
        .key_vaults
        .iter()
        .filter(|v| {
            v.properties
                .public_network_access
                .eq_ignore_ascii_case("Enabled")
                && !v
                    .properties
                    .network_acls
                    .as_ref()
                    .is_some_and(|a| a.default_action.eq_ignore_ascii_case("Deny"))
        })
        .map(|v| Finding {
            code: rule.code,
            severity: rule.severity,
            message: format!(
                "key vault `{}` accepts connections from public networks",
                v.name
            ),
            resources: vec![v.id.clone()],
            witness: None,
            location: None,
            suppressed: None,
        })
        .collect()
}
