//! AKS-IAM-002: the Secrets Store CSI driver's identity cannot read an RBAC-mode vault the
//! cluster uses.

use crate::access::{findings, Identity};
use crate::{Context, Doc, Finding, Rule, Severity};

/// CSI identity without Key Vault Secrets User.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-IAM-002",
    severity: Severity::Warning,
    semantic: false,
    doc: Doc {
        title: "Pods cannot mount secrets from a vault the cluster uses",
        what: "A cluster with the Secrets Store CSI driver add-on on, and a key vault in RBAC mode with a private endpoint in a VNet of its node subnets (or in its resource group), on which no role assignment gives the add-on's identity Key Vault Secrets User, Secrets Officer or Administrator. A vault in access-policy mode is not asked. Unmatched principals, custom roles, ABAC conditions, and a vault on which another principal holds such a role (pods may read it as that identity, through workload identity) are reported as unknown (info).",
        why: "The driver reads secrets as the add-on's identity: without a role holding the secrets' data actions, mounting a SecretProviderClass volume fails with 403 Forbidden and the pod does not start.",
        fix: "Assign Key Vault Secrets User on the vault to the add-on's identity (`principal_id = azurerm_kubernetes_cluster.X.key_vault_secrets_provider[0].secret_identity[0].object_id`), or use workload identity with its own assignment.",
        references: &[
            "https://learn.microsoft.com/azure/aks/csi-secrets-store-identity-access",
            "https://learn.microsoft.com/azure/key-vault/general/rbac-guide",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    findings(rule, cx, Identity::SecretsProvider)
}
