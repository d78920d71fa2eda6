//! Azure RBAC as far as an AKS cluster needs it to run: role assignments, the built-in roles
//! that grant what the cluster's identities need, and whether an estate grants one of those
//! identities a role on a resource ([`grant`]) — the one place the generated Terraform and the
//! rules (AKS-IAM-001…003) read it from.
//!
//! What each identity needs, with the page that requires it:
//! - the kubelet identity pulls from each registry the nodes use: AcrPull or a role holding it
//!   (https://learn.microsoft.com/azure/aks/cluster-container-registry-integration; which roles
//!   pull: https://learn.microsoft.com/azure/container-registry/container-registry-roles, in a
//!   registry's default "RBAC registry permissions" mode);
//! - the Secrets Store CSI driver's identity reads secrets of each RBAC-mode vault its pods
//!   mount: Key Vault Secrets User or a role holding its data actions
//!   (https://learn.microsoft.com/azure/aks/csi-secrets-store-identity-access,
//!   https://learn.microsoft.com/azure/key-vault/general/rbac-guide);
//! - the control-plane identity joins the node subnets and edits their route table: Network
//!   Contributor or a role holding its actions, on the subnet or above
//!   (https://learn.microsoft.com/azure/aks/configure-azure-cni#prerequisites,
//!   https://learn.microsoft.com/azure/aks/egress-udr), and manages a bring-your-own private
//!   API zone: Private DNS Zone Contributor (https://learn.microsoft.com/azure/aks/private-clusters).
//!
//! Only built-in roles are read: a custom role's actions are not in the estate, so an
//! assignment of one is `unknown`, never taken for a grant or for nothing. So is an assignment
//! with an ABAC condition, one at management-group scope, and one whose principal is known
//! only at deployment and cannot be matched to the identity.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::aks::ManagedCluster;
use crate::resource::{Resource, ResourceType};
use crate::{Estate, Maybe, ResourceId};

/// `Microsoft.Authorization/roleAssignments` properties.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    /// `/subscriptions/…/providers/Microsoft.Authorization/roleDefinitions/<guid>` (or the
    /// tenant-level form); absent when the input names the role instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_definition_id: Option<Maybe<String>>,
    /// The role's name, when the input names it instead of its id (Terraform's
    /// `role_definition_name`): Azure resolves it at apply. Not part of Azure's JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_definition_name: Option<String>,
    /// The object id of the user, group or service principal (a managed identity's).
    pub principal_id: Maybe<String>,
    /// `ServicePrincipal`, `User`, `Group`, … when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_type: Option<String>,
    /// The scope, as Azure returns it; the id's prefix when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// An ABAC condition narrowing the assignment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

impl ResourceType for RoleAssignment {
    const TYPE: &'static str = "Microsoft.Authorization/roleAssignments";
}

/// A built-in role: its name and its id (the same in every tenant).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltInRole {
    /// `AcrPull`.
    pub name: &'static str,
    /// `7f951dda-4ed3-4680-a7ca-43fe172d538d`.
    pub id: &'static str,
}

/// The built-in roles aksnet reads
/// (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
pub mod roles {
    use super::BuiltInRole;

    /// Owner.
    pub const OWNER: BuiltInRole = BuiltInRole {
        name: "Owner",
        id: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    };
    /// Contributor.
    pub const CONTRIBUTOR: BuiltInRole = BuiltInRole {
        name: "Contributor",
        id: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    };
    /// Reader.
    pub const READER: BuiltInRole = BuiltInRole {
        name: "Reader",
        id: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    };
    /// AcrPull.
    pub const ACR_PULL: BuiltInRole = BuiltInRole {
        name: "AcrPull",
        id: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
    };
    /// AcrPush.
    pub const ACR_PUSH: BuiltInRole = BuiltInRole {
        name: "AcrPush",
        id: "8311e382-0749-4cb8-b61a-304f252e45ec",
    };
    /// Network Contributor.
    pub const NETWORK_CONTRIBUTOR: BuiltInRole = BuiltInRole {
        name: "Network Contributor",
        id: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    };
    /// Private DNS Zone Contributor.
    pub const PRIVATE_DNS_ZONE_CONTRIBUTOR: BuiltInRole = BuiltInRole {
        name: "Private DNS Zone Contributor",
        id: "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
    };
    /// Key Vault Secrets User.
    pub const KEY_VAULT_SECRETS_USER: BuiltInRole = BuiltInRole {
        name: "Key Vault Secrets User",
        id: "4633458b-17de-408a-b874-0445c86b69e6",
    };
    /// Key Vault Secrets Officer.
    pub const KEY_VAULT_SECRETS_OFFICER: BuiltInRole = BuiltInRole {
        name: "Key Vault Secrets Officer",
        id: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    };
    /// Key Vault Administrator.
    pub const KEY_VAULT_ADMINISTRATOR: BuiltInRole = BuiltInRole {
        name: "Key Vault Administrator",
        id: "00482a5a-887f-4fb3-b363-3b7fe8e74483",
    };
    /// Managed Identity Operator.
    pub const MANAGED_IDENTITY_OPERATOR: BuiltInRole = BuiltInRole {
        name: "Managed Identity Operator",
        id: "f1a07417-d97a-45cb-824c-7a7467783830",
    };

    /// Every role above.
    pub const ALL: &[BuiltInRole] = &[
        OWNER,
        CONTRIBUTOR,
        READER,
        ACR_PULL,
        ACR_PUSH,
        NETWORK_CONTRIBUTOR,
        PRIVATE_DNS_ZONE_CONTRIBUTOR,
        KEY_VAULT_SECRETS_USER,
        KEY_VAULT_SECRETS_OFFICER,
        KEY_VAULT_ADMINISTRATOR,
        MANAGED_IDENTITY_OPERATOR,
    ];
}

/// What an identity needs on a resource: the role to grant, and every built-in role that
/// grants it too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Need {
    /// The least-privileged role, which generated code assigns.
    pub role: BuiltInRole,
    /// The built-in roles that grant it, `role` first.
    pub granted_by: &'static [BuiltInRole],
}

/// Pull from a registry: the kubelet identity.
pub const PULL: Need = Need {
    role: roles::ACR_PULL,
    granted_by: &[
        roles::ACR_PULL,
        roles::ACR_PUSH,
        roles::READER,
        roles::CONTRIBUTOR,
        roles::OWNER,
    ],
};
/// Read a vault's secrets: the Secrets Store CSI driver's identity.
pub const READ_SECRETS: Need = Need {
    role: roles::KEY_VAULT_SECRETS_USER,
    granted_by: &[
        roles::KEY_VAULT_SECRETS_USER,
        roles::KEY_VAULT_SECRETS_OFFICER,
        roles::KEY_VAULT_ADMINISTRATOR,
    ],
};
/// Join a subnet, edit a route table: the control-plane identity.
pub const NETWORK: Need = Need {
    role: roles::NETWORK_CONTRIBUTOR,
    granted_by: &[roles::NETWORK_CONTRIBUTOR, roles::CONTRIBUTOR, roles::OWNER],
};
/// Manage a private API server zone: the control-plane identity.
pub const PRIVATE_DNS: Need = Need {
    role: roles::PRIVATE_DNS_ZONE_CONTRIBUTOR,
    granted_by: &[
        roles::PRIVATE_DNS_ZONE_CONTRIBUTOR,
        roles::CONTRIBUTOR,
        roles::OWNER,
    ],
};

/// Assign a pre-created kubelet identity to the nodes: the cluster identity
/// (https://learn.microsoft.com/azure/aks/use-managed-identity#use-a-pre-created-kubelet-managed-identity).
pub const ASSIGN_IDENTITY: Need = Need {
    role: roles::MANAGED_IDENTITY_OPERATOR,
    granted_by: &[
        roles::MANAGED_IDENTITY_OPERATOR,
        roles::CONTRIBUTOR,
        roles::OWNER,
    ],
};

/// One of a cluster's identities.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Who<'e> {
    /// The identity its nodes pull images as.
    Kubelet(&'e Resource<ManagedCluster>),
    /// The Secrets Store CSI driver add-on's identity.
    SecretsProvider(&'e Resource<ManagedCluster>),
    /// The cluster's own (control-plane) identity.
    ControlPlane(&'e Resource<ManagedCluster>),
}

impl Who<'_> {
    /// The cluster whose identity it is.
    pub fn cluster(&self) -> &Resource<ManagedCluster> {
        match self {
            Who::Kubelet(c) | Who::SecretsProvider(c) | Who::ControlPlane(c) => c,
        }
    }

    /// `the kubelet identity of aks-prod`.
    pub fn describe(&self) -> String {
        let what = match self {
            Who::Kubelet(_) => "the kubelet identity",
            Who::SecretsProvider(_) => "the Secrets Store CSI driver's identity",
            Who::ControlPlane(_) => "the cluster identity",
        };
        format!("{what} of `{}`", self.cluster().name)
    }

    /// The user-assigned identity it is, when the cluster names one.
    pub fn user_assigned(&self) -> Option<&ResourceId> {
        let c = self.cluster();
        match self {
            Who::Kubelet(_) => c
                .properties
                .identity_profile
                .as_ref()?
                .kubeletidentity
                .as_ref()?
                .resource_id
                .as_ref(),
            Who::SecretsProvider(_) => None,
            Who::ControlPlane(_) => c
                .identity
                .as_ref()
                .filter(|i| i.kind.to_ascii_lowercase().contains("userassigned"))?
                .user_assigned_identities
                .keys()
                .next(),
        }
    }

    /// Its object id, when the estate holds it (an export does; a template does not).
    fn object_id<'a>(&'a self, e: &'a Estate) -> Option<&'a str> {
        let c = self.cluster();
        let own = match self {
            Who::Kubelet(_) => c
                .properties
                .identity_profile
                .as_ref()
                .and_then(|p| p.kubeletidentity.as_ref())
                .and_then(|k| k.object_id.as_ref()?.known()),
            Who::SecretsProvider(_) => c
                .properties
                .addon_profiles
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(SECRETS_PROVIDER_ADDON))
                .and_then(|(_, a)| a.identity.as_ref()?.object_id.as_ref()?.known()),
            Who::ControlPlane(_) if self.user_assigned().is_none() => c
                .identity
                .as_ref()
                .and_then(|i| i.principal_id.as_ref()?.known()),
            Who::ControlPlane(_) => None,
        };
        own.map(String::as_str).or_else(|| {
            let uai = self.user_assigned()?;
            e.user_assigned_identities
                .get(uai)?
                .properties
                .principal_id
                .as_ref()?
                .known()
                .map(String::as_str)
        })
    }

    /// Whether a principal known only at deployment is this identity: the expression reads
    /// its object id from the cluster (or from its user-assigned identity), in ARM's words
    /// (`reference(cluster).identityProfile.kubeletidentity.objectId`) or Terraform's
    /// (`azurerm_kubernetes_cluster.x.kubelet_identity[0].object_id`).
    fn is_expression(&self, u: &crate::UnknownValue) -> bool {
        let Some(of) = u.of.as_ref() else {
            return false;
        };
        let path: String = u
            .expression
            .to_ascii_lowercase()
            .replace("[0]", "")
            .replace(['\'', '"', '[', ']', ')', ' '], "");
        if let Some(uai) = self.user_assigned() {
            if of == uai {
                return path.ends_with("principalid") || path.ends_with("principal_id");
            }
        }
        if of != &self.cluster().id {
            return false;
        }
        let kubelet = path.contains("kubeletidentity.objectid")
            || path.contains("kubelet_identity.object_id");
        let csi = path.contains("azurekeyvaultsecretsprovider.identity.objectid")
            || path.contains("secret_identity.object_id");
        match self {
            Who::Kubelet(_) => kubelet,
            Who::SecretsProvider(_) => csi,
            // A cluster's own `identity.principalId` exists only when it is system-assigned,
            // and ARM's `reference()` returns it only with 'Full' (else only properties).
            Who::ControlPlane(_) => {
                self.user_assigned().is_none()
                    && !kubelet
                    && !csi
                    && ((path.ends_with("identity.principalid") && path.contains(",full"))
                        || path.ends_with("identity.principal_id"))
            }
        }
    }
}

/// The add-on key of the Secrets Store CSI driver (`addonProfiles`).
pub const SECRETS_PROVIDER_ADDON: &str = "azureKeyvaultSecretsProvider";

/// Whether an estate grants an identity what it needs on a resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Grant {
    /// Granted, by this assignment.
    Granted(ResourceId),
    /// No assignment in the estate grants it.
    Missing,
    /// Assignments that may grant it, but the estate cannot tell: why.
    Unknown(String),
}

/// The scope an assignment applies at (lower case): its `scope` property, else the prefix of
/// its id before `/providers/Microsoft.Authorization/roleAssignments/`.
pub fn scope_of(a: &Resource<RoleAssignment>) -> String {
    scope_text(a).to_ascii_lowercase()
}

/// [`scope_of`] as written, without allocating (`grant` asks it per requirement).
fn scope_text(a: &Resource<RoleAssignment>) -> &str {
    if let Some(s) = &a.properties.scope {
        return s;
    }
    let id = a.id.as_str();
    find_ci(id, "/providers/microsoft.authorization/roleassignments/").map_or(id, |at| &id[..at])
}

/// Where `pat` (lower case, ASCII) first occurs in `s`, ignoring ASCII case.
fn find_ci(s: &str, pat: &str) -> Option<usize> {
    s.as_bytes()
        .windows(pat.len())
        .position(|w| w.eq_ignore_ascii_case(pat.as_bytes()))
}

/// Whether `scope` names a management group, whose subscriptions the estate does not hold.
fn at_management_group(scope: &str) -> bool {
    find_ci(scope, "/providers/microsoft.management/managementgroups/").is_some()
}

/// The estate's role assignments indexed by scope, so that asking about every requirement
/// costs each target's ancestors, not every assignment. A scope covers a target when it is the
/// same resource or one of its ancestors (resource group, subscription, `/` for the tenant
/// root), ignoring ASCII case; a management-group scope may cover anything, which the estate
/// cannot tell.
pub struct Assignments<'e> {
    estate: &'e Estate,
    /// Lower-case scope without a trailing `/` → assignments there, with their position in
    /// the estate (the order verdicts name them in).
    by_scope: HashMap<String, Vec<(usize, &'e Resource<RoleAssignment>)>>,
    /// Assignments at management-group scope, with their positions.
    management_group: Vec<(usize, &'e Resource<RoleAssignment>)>,
}

impl<'e> Assignments<'e> {
    /// Indexes the estate's assignments.
    pub fn new(estate: &'e Estate) -> Self {
        let mut by_scope: HashMap<String, Vec<_>> = HashMap::new();
        let mut management_group = Vec::new();
        for (i, a) in estate.role_assignments.iter().enumerate() {
            let scope = scope_text(a).trim_end_matches('/');
            if at_management_group(scope) {
                management_group.push((i, a));
            } else {
                by_scope
                    .entry(scope.to_ascii_lowercase())
                    .or_default()
                    .push((i, a));
            }
        }
        Assignments {
            estate,
            by_scope,
            management_group,
        }
    }

    /// The assignments whose scope covers `target` (`true`) or may (`false`: a management
    /// group), in the estate's order.
    fn covering(&self, target: &ResourceId) -> Vec<(&'e Resource<RoleAssignment>, bool)> {
        let t = target.lower();
        let ancestors = t
            .match_indices('/')
            .map(|(at, _)| &t[..at])
            .chain(std::iter::once(t));
        let mut found: Vec<(usize, &'e Resource<RoleAssignment>, bool)> = ancestors
            .filter_map(|scope| self.by_scope.get(scope))
            .flatten()
            .map(|&(i, a)| (i, a, true))
            .chain(self.management_group.iter().map(|&(i, a)| (i, a, false)))
            .collect();
        found.sort_by_key(|&(i, ..)| i);
        found.into_iter().map(|(_, a, sure)| (a, sure)).collect()
    }
}

/// The built-in role an assignment gives, when the estate says which: by id (its last
/// segment) or by name.
pub fn role_of(a: &RoleAssignment) -> Result<Option<BuiltInRole>, String> {
    if let Some(id) = &a.role_definition_id {
        let Some(id) = id.known() else {
            return Err("its role is known only at deployment".into());
        };
        let guid = id.rsplit('/').next().unwrap_or("");
        return Ok(roles::ALL
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(guid))
            .copied());
    }
    Ok(a.role_definition_name.as_ref().and_then(|n| {
        roles::ALL
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(n))
            .copied()
    }))
}

impl<'e> Assignments<'e> {
    /// Whether the estate grants `who` what `need` asks on `target` ([`Grant`]).
    pub fn grant(&self, who: Who, target: &ResourceId, need: &Need) -> Grant {
        let e = self.estate;
        let mut doubts: Vec<String> = Vec::new();
        let object_id = who.object_id(e);
        for (a, sure) in self.covering(target) {
            let p = &a.properties;
            if !sure {
                doubts.push(format!(
                "`{}` is at management-group scope, whose subscriptions the input does not hold",
                a.name
            ));
                continue;
            }
            let role = match role_of(p) {
                Ok(Some(r)) if need.granted_by.contains(&r) => r,
                Ok(Some(_)) => continue,
                Ok(None) => {
                    // A custom role, or a built-in role aksnet does not list: its actions are not
                    // in the estate. Only one given to this identity is a doubt.
                    if principal_is(e, &who, object_id, &p.principal_id) != Some(false) {
                        doubts.push(format!(
                            "`{}` gives a role whose actions the input does not hold",
                            a.name
                        ));
                    }
                    continue;
                }
                Err(why) => {
                    doubts.push(format!("`{}`: {why}", a.name));
                    continue;
                }
            };
            match principal_is(e, &who, object_id, &p.principal_id) {
                Some(true) if p.condition.is_some() => doubts.push(format!(
                    "`{}` gives {} under an ABAC condition",
                    a.name, role.name
                )),
                Some(true) => return Grant::Granted(a.id.clone()),
                Some(false) => {}
                None => doubts.push(format!(
                    "`{}` gives {} to a principal the input cannot match to {} ({})",
                    a.name,
                    role.name,
                    who.describe(),
                    match &p.principal_id {
                        Maybe::Known(id) => format!("object id {id}"),
                        Maybe::Unknown(u) => u.expression.clone(),
                    }
                )),
            }
        }
        if doubts.is_empty() {
            Grant::Missing
        } else {
            Grant::Unknown(doubts.join("; "))
        }
    }

    /// Assignments in the estate that give anyone a role granting `need` on `target`, other
    /// than to `who`: a principal pods may act as instead (workload identity, an identity named
    /// in a SecretProviderClass), which the estate does not tie to the cluster.
    pub fn granted_to_others(
        &self,
        who: Who,
        target: &ResourceId,
        need: &Need,
    ) -> Vec<&'e Resource<RoleAssignment>> {
        let e = self.estate;
        let object_id = who.object_id(e);
        self.covering(target)
            .into_iter()
            .filter(|&(_, sure)| sure)
            .map(|(a, _)| a)
            .filter(
                |a| matches!(role_of(&a.properties), Ok(Some(r)) if need.granted_by.contains(&r)),
            )
            .filter(|a| principal_is(e, &who, object_id, &a.properties.principal_id) != Some(true))
            .collect()
    }
}

/// One thing a cluster's identity needs to run: `need` on `target`. Generated code assigns it at
/// `assign_at` (the target, or the VNet of a subnet, so that a subnet added later is covered).
#[derive(Clone, Debug, PartialEq)]
pub struct Requirement<'e> {
    /// The identity.
    pub who: Who<'e>,
    /// The resource it acts on.
    pub target: ResourceId,
    /// What it needs there.
    pub need: Need,
    /// Where generated code assigns it.
    pub assign_at: ResourceId,
    /// Whether Microsoft documents it as required, so that a cluster without it is reported;
    /// else generated code grants it as a precaution and nothing is reported.
    pub required: bool,
}

/// What a cluster's identities need on the estate's resources to run (the pages in the module
/// doc):
/// - a user-assigned cluster identity: [`NETWORK`] on each node and pod subnet (assigned on its
///   VNet), [`PRIVATE_DNS`] on a bring-your-own private API zone, [`ASSIGN_IDENTITY`] on a
///   pre-created kubelet identity, and [`NETWORK`] on each node subnet's route table — required
///   for kubenet, where AKS writes a route per node into it (configure-kubenet); for other
///   plugins generated code grants it too (AKS reads the table when it validates outbound type
///   UDR, Azure/AKS#1842) but nothing is reported: mspnp/aks-baseline's CNI overlay cluster
///   runs without it. A system-assigned identity exists only once the cluster does, so
///   nothing can be assigned to it beforehand; it is not asked;
/// - the kubelet identity: [`PULL`] on each registry the cluster uses ([`crate::uses::Uses::registries_of`]);
/// - the Secrets Store CSI driver's identity, when the add-on is on: [`READ_SECRETS`] on each
///   RBAC-mode vault the cluster uses ([`crate::uses::Uses::key_vaults_of`]). A vault in access-policy
///   mode is granted by its policies instead.
///
/// Every cluster's, in the estate's order of clusters.
pub fn requirements(e: &Estate) -> Vec<Requirement<'_>> {
    let uses = crate::uses::Uses::new(e);
    e.managed_clusters
        .iter()
        .flat_map(|mc| requirements_of(e, &uses, mc))
        .collect()
}

/// [`requirements`] of one cluster.
fn requirements_of<'e>(
    e: &'e Estate,
    uses: &crate::uses::Uses<'e>,
    mc: &'e Resource<ManagedCluster>,
) -> Vec<Requirement<'e>> {
    let mut out = Vec::new();
    let cp = Who::ControlPlane(mc);
    if cp.user_assigned().is_some() {
        let p = &mc.properties;
        let kubenet = mc
            .properties
            .network_plugin()
            .is_some_and(|(plugin, _)| plugin == "kubenet");
        for a in &p.agent_pool_profiles {
            for s in a.vnet_subnet_id.iter().chain(a.pod_subnet_id.iter()) {
                out.push(Requirement {
                    who: cp,
                    target: s.clone(),
                    need: NETWORK,
                    assign_at: s.parent().unwrap_or_else(|| s.clone()),
                    required: true,
                });
            }
            if let Some(rt) = a
                .vnet_subnet_id
                .as_ref()
                .and_then(|s| e.subnet(s))
                .and_then(|(_, sub)| sub.properties.route_table.as_ref())
            {
                out.push(Requirement {
                    who: cp,
                    target: rt.id.clone(),
                    need: NETWORK,
                    assign_at: rt.id.clone(),
                    required: kubenet,
                });
            }
        }
        if let Some(z) = p
            .api_server_access_profile
            .as_ref()
            .and_then(|a| a.private_dns_zone.as_ref())
            .filter(|z| z.starts_with('/'))
        {
            let z = ResourceId::new(z.clone());
            out.push(Requirement {
                who: cp,
                target: z.clone(),
                need: PRIVATE_DNS,
                assign_at: z,
                required: true,
            });
        }
        if let Some(k) = Who::Kubelet(mc).user_assigned() {
            out.push(Requirement {
                who: cp,
                target: k.clone(),
                need: ASSIGN_IDENTITY,
                assign_at: k.clone(),
                required: true,
            });
        }
    }
    for r in uses.registries_of(mc) {
        out.push(Requirement {
            who: Who::Kubelet(mc),
            target: r.id.clone(),
            need: PULL,
            assign_at: r.id.clone(),
            required: true,
        });
    }
    if secrets_provider_on(mc) {
        for v in uses.key_vaults_of(mc) {
            if v.properties.enable_rbac_authorization {
                out.push(Requirement {
                    who: Who::SecretsProvider(mc),
                    target: v.id.clone(),
                    need: READ_SECRETS,
                    assign_at: v.id.clone(),
                    required: true,
                });
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|r| seen.insert((r.target.clone(), r.need.role.id, r.who.describe())));
    out
}

/// Whether the Secrets Store CSI driver add-on is on.
pub fn secrets_provider_on(mc: &Resource<ManagedCluster>) -> bool {
    mc.properties
        .addon_profiles
        .iter()
        .any(|(k, a)| k.eq_ignore_ascii_case(SECRETS_PROVIDER_ADDON) && a.enabled)
}

/// Which of the estate's cluster identities a principal known only at deployment is, when it
/// is one.
pub fn identify<'e>(e: &'e Estate, principal: &Maybe<String>) -> Option<Who<'e>> {
    let Maybe::Unknown(u) = principal else {
        return None;
    };
    let of = u.of.as_ref()?;
    // Read off the cluster itself: one lookup.
    if let Some(mc) = e.managed_clusters.get(of) {
        return [
            Who::Kubelet(mc),
            Who::SecretsProvider(mc),
            Who::ControlPlane(mc),
        ]
        .into_iter()
        .find(|w| w.is_expression(u));
    }
    // Read off a user-assigned identity: the cluster that runs as it.
    e.managed_clusters.iter().find_map(|mc| {
        [Who::Kubelet(mc), Who::ControlPlane(mc)]
            .into_iter()
            .find(|w| w.user_assigned() == Some(of) && w.is_expression(u))
    })
}

/// The principal of `who` as a deployment would name it (an ARM expression, with the resource
/// it reads): what the designer writes for an identity that does not exist yet.
pub fn deployment_principal(who: Who) -> Maybe<String> {
    let c = who.cluster();
    let (of, expression) = match (who, who.user_assigned()) {
        (Who::ControlPlane(_), Some(uai)) => (
            uai.clone(),
            format!("[reference('{uai}', '2023-01-31').principalId]"),
        ),
        (Who::Kubelet(_), _) => (
            c.id.clone(),
            format!(
                "[reference('{}', '2024-05-01').identityProfile.kubeletidentity.objectId]",
                c.id
            ),
        ),
        (Who::SecretsProvider(_), _) => (
            c.id.clone(),
            format!(
                "[reference('{}', '2024-05-01').addonProfiles.azureKeyvaultSecretsProvider.identity.objectId]",
                c.id
            ),
        ),
        (Who::ControlPlane(_), None) => (
            c.id.clone(),
            format!("[reference('{}', '2024-05-01', 'Full').identity.principalId]", c.id),
        ),
    };
    Maybe::Unknown(crate::UnknownValue {
        expression,
        reason: "Azure assigns it when the identity is created".into(),
        of: Some(of),
    })
}

/// A deterministic name (a GUID's form, as Azure requires) for an assignment of `role` to
/// `principal` at `scope`: the same inputs always give the same name.
pub fn assignment_name(scope: &ResourceId, role: &BuiltInRole, principal: &str) -> String {
    let h = sha1_smol::Sha1::from(format!(
        "{}|{}|{principal}",
        scope.as_str().to_ascii_lowercase(),
        role.id
    ))
    .digest()
    .to_string();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Whether an assignment's principal is the identity: `None` when the estate cannot tell.
fn principal_is(
    e: &Estate,
    who: &Who,
    object_id: Option<&str>,
    principal: &Maybe<String>,
) -> Option<bool> {
    match principal {
        Maybe::Known(id) => object_id.map(|o| o.eq_ignore_ascii_case(id)),
        Maybe::Unknown(u) if who.is_expression(u) => Some(true),
        // An identity the estate holds — a cluster's or a user-assigned one — read for another
        // of its values is another principal. Anything else (a nested deployment's output, a
        // data source, a variable) may be this identity under another name: it cannot be told.
        Maybe::Unknown(u) => u
            .of
            .as_ref()
            .filter(|of| {
                e.managed_clusters.get(of).is_some() || e.user_assigned_identities.get(of).is_some()
            })
            .map(|_| false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition [`Assignments::covering`] indexes, checked pair by pair.
    fn covers(scope: &str, target: &ResourceId) -> Option<bool> {
        let scope = scope.trim_end_matches('/');
        if at_management_group(scope) {
            return None;
        }
        let (t, s) = (target.as_str().as_bytes(), scope.as_bytes());
        Some(
            s.is_empty()
                || (t.len() >= s.len()
                    && t[..s.len()].eq_ignore_ascii_case(s)
                    && (t.len() == s.len() || t[s.len()] == b'/')),
        )
    }

    const RG: &str = "/subscriptions/S1/resourceGroups/rg-A";
    const VNET: &str =
        "/subscriptions/S1/resourceGroups/rg-A/providers/Microsoft.Network/virtualNetworks/vnet";

    /// Every scope of the table against every target: the index finds exactly the assignments
    /// the pairwise definition says cover it, in the estate's order.
    #[test]
    fn the_index_finds_what_covers_says() {
        let scopes: Vec<String> = vec![
            "/".into(),
            "".into(),
            "/subscriptions/s1".into(),
            "/subscriptions/S1/".into(),
            "/subscriptions/S10".into(),
            RG.into(),
            RG.to_uppercase(),
            "/subscriptions/S1/resourceGroups/rg-AB".into(),
            VNET.into(),
            format!("{VNET}/subnets/snet"),
            format!("{VNET}/subnets/snet-2"),
            format!("{VNET}2"),
            "/providers/Microsoft.Management/managementGroups/mg".into(),
        ];
        let mut e = Estate::default();
        for (i, scope) in scopes.iter().enumerate() {
            let id = ResourceId::new(format!(
                "{}/providers/{}/a{i:02}",
                if scope.is_empty() {
                    ""
                } else {
                    scope.trim_end_matches('/')
                },
                RoleAssignment::TYPE
            ));
            e.role_assignments.insert(Resource::new(
                id,
                None,
                RoleAssignment {
                    role_definition_id: None,
                    role_definition_name: Some("Owner".into()),
                    principal_id: Maybe::Known("p".into()),
                    principal_type: None,
                    scope: Some(scope.clone()),
                    condition: None,
                },
            ));
        }
        let index = Assignments::new(&e);
        for target in [
            "/subscriptions/S1".to_string(),
            RG.to_string(),
            "/subscriptions/s1/resourcegroups/RG-AB".into(),
            VNET.into(),
            format!("{VNET}/subnets/SNET"),
            format!("{VNET}/subnets/snet-2"),
            "/subscriptions/S2/resourceGroups/rg-A".into(),
        ] {
            let target = ResourceId::new(target);
            let expected: Vec<(&str, bool)> = e
                .role_assignments
                .iter()
                .filter_map(|a| match covers(scope_text(a), &target) {
                    Some(true) => Some((a.name.as_str(), true)),
                    Some(false) => None,
                    None => Some((a.name.as_str(), false)),
                })
                .collect();
            let got: Vec<(&str, bool)> = index
                .covering(&target)
                .into_iter()
                .map(|(a, sure)| (a.name.as_str(), sure))
                .collect();
            assert_eq!(got, expected, "{target}");
            assert!(
                got.len() >= 3,
                "{target}: the table covers each target at least at / and ''"
            );
        }
    }
}
