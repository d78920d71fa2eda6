//! AKS-PLK-003: a container registry or key vault without a private endpoint.

use aksnet_model::ResourceId;

use crate::{Context, Doc, Finding, Rule, Severity};

/// ACR / Key Vault without a private endpoint.
pub struct PaasWithoutPrivateEndpoint;

/// Whether some private endpoint connects to `target`.
pub(crate) fn has_private_endpoint(cx: &Context, target: &ResourceId) -> bool {
    cx.estate.private_endpoints.iter().any(|pe| {
        pe.properties
            .private_link_service_connections
            .iter()
            .any(|c| &c.properties.private_link_service_id == target)
    })
}

impl Rule for PaasWithoutPrivateEndpoint {
    fn code(&self) -> &'static str {
        "AKS-PLK-003"
    }
    fn severity(&self) -> Severity {
        Severity::Warning
    }
    fn semantic(&self) -> bool {
        false
    }
    fn doc(&self) -> Doc {
        Doc {
            title: "Container registry or Key Vault without a private endpoint",
            what: "A container registry or key vault that no private endpoint in the estate connects to.",
            why: "Without Private Link, nodes pull images and read secrets over the service's public endpoint: through the firewall at best, and the service must accept public network traffic.",
            fix: "Add a private endpoint in the spoke's private endpoint subnet (`registry`/`vault` group), with a DNS zone group in the `privatelink` zone, then disable public network access.",
            references: &[
                "https://learn.microsoft.com/azure/container-registry/container-registry-private-link",
                "https://learn.microsoft.com/azure/key-vault/general/private-link-service",
                "Checkov CKV2_AZURE_32 (Key Vault only; this rule covers registries too)",
            ],
        }
    }
    fn check(&self, cx: &Context) -> Vec<Finding> {
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
            .filter(|(id, _, _)| !has_private_endpoint(cx, id))
            .map(|(id, name, what)| {
                Finding::new(
                    self,
                    format!("{what} `{name}` has no private endpoint"),
                    vec![id.clone()],
                )
            })
            .collect()
    }
}
