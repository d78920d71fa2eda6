//! PaaS services reached over Private Link: Container Registry and Key Vault; and the
//! user-assigned identities clusters run as.

use serde::{Deserialize, Serialize};

use crate::resource::ResourceType;

/// `Microsoft.ContainerRegistry/registries` properties.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerRegistry {
    /// `Enabled` or `Disabled`; Azure's default when absent is `Enabled`.
    #[serde(default = "crate::defaults::enabled")]
    pub public_network_access: String,
    /// Admin user (should be off).
    #[serde(default)]
    pub admin_user_enabled: bool,
    /// Dedicated data endpoints `<reg>.<region>.data.azurecr.io` (Premium).
    #[serde(default)]
    pub data_endpoint_enabled: bool,
}

impl ResourceType for ContainerRegistry {
    const TYPE: &'static str = "Microsoft.ContainerRegistry/registries";
}

/// `Microsoft.KeyVault/vaults` properties.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyVault {
    /// Tenant id (a deployment input; Terraform usually reads it from the signed-in client, so
    /// it is unknown before apply). Nothing in the network depends on it.
    pub tenant_id: crate::Maybe<String>,
    /// `{ family: A, name: standard | premium }`.
    pub sku: KeyVaultSku,
    /// `Enabled` or `Disabled`; Azure's default when absent is `Enabled`.
    #[serde(default = "crate::defaults::enabled")]
    pub public_network_access: String,
    /// Azure RBAC instead of access policies.
    #[serde(default)]
    pub enable_rbac_authorization: bool,
    /// Purge protection.
    #[serde(default)]
    pub enable_purge_protection: bool,
    /// `{ defaultAction: Deny, bypass: AzureServices }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_acls: Option<NetworkAcls>,
}

impl ResourceType for KeyVault {
    const TYPE: &'static str = "Microsoft.KeyVault/vaults";
}

/// Key Vault SKU (inside `properties`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyVaultSku {
    /// `A`.
    pub family: String,
    /// `standard` or `premium`.
    pub name: String,
}

/// Key Vault firewall.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkAcls {
    /// `Allow` or `Deny`.
    pub default_action: String,
    /// `AzureServices` or `None`.
    pub bypass: String,
}

/// `Microsoft.ManagedIdentity/userAssignedIdentities` properties.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserAssignedIdentity {
    /// Its object (principal) id, which role assignments name: known once deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<crate::Maybe<String>>,
}

impl ResourceType for UserAssignedIdentity {
    const TYPE: &'static str = "Microsoft.ManagedIdentity/userAssignedIdentities";
}
