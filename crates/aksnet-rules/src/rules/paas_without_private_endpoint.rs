//! AKS-PLK-003: a container registry or key vault without a private endpoint.

use std::collections::BTreeMap;

use aksnet_model::ResourceId;

use crate::{Context, Doc, Finding, Rule, Severity};

/// Whether some private endpoint connects to `target`.
/// The private endpoints of each resource they connect to, indexed once per check.
pub(crate) fn endpoints_by_target<'e>(
    cx: &Context<'_, 'e>,
) -> BTreeMap<&'e ResourceId, Vec<&'e ResourceId>> {
    let mut m: BTreeMap<&ResourceId, Vec<&ResourceId>> = BTreeMap::new();
    for pe in cx.estate.private_endpoints.iter() {
        for c in &pe.properties.private_link_service_connections {
            m.entry(&c.properties.private_link_service_id)
                .or_default()
                .push(&pe.id);
        }
    }
    m
}

/// ACR / Key Vault without a private endpoint.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-PLK-003",
    severity: Severity::Warning,
    semantic: false,
    doc: Doc {
        title: "Container registry or Key Vault without a private endpoint",
        what: "A container registry or key vault that no private endpoint in the estate connects to.",
        why: "Without Private Link, nodes pull images and read secrets over the service's public endpoint: through the firewall at best, and the service must accept public network traffic.",
        fix: "Add a private endpoint in the spoke's private endpoint subnet (`registry`/`vault` group), with a DNS zone group in the `privatelink` zone, then disable public network access.",
        references: &[
            "https://learn.microsoft.com/azure/container-registry/container-registry-private-link",
            "https://learn.microsoft.com/azure/key-vault/general/private-link-service",
            "Checkov CKV2_AZURE_32 (Key Vault only; this rule covers registries too)",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let targets = endpoints_by_target(cx);
    let registries = cx
        .estate
        .container_registries
        .iter()
        .map(|r| (&r.id, &r.name, "registry"));
    let vaults = cx
        .estate
        .key_vaults
        .iter()
        .map(|v| (&v.id, &v.name, "key vault"));
    registries
        .chain(vaults)
        .filter(|(id, _, _)| !targets.contains_key(id))
        .map(|(id, name, what)| {
            Finding::new(
                rule,
                format!("{what} `{name}` has no private endpoint"),
                vec![id.clone()],
            )
        })
        .collect()
}
