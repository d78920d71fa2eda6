//! AKS managed clusters (REST field names from the 2026-05-01 stable API, checked against
//! `shared/corpus/azure-rest-examples/containerservice`).

use aksnet_net::Prefix;
use serde::{Deserialize, Serialize};

use crate::id::ResourceId;
use crate::resource::ResourceType;

/// Tag on a managed cluster listing its application namespaces, comma-separated: Kubernetes
/// objects are not ARM resources, so the design records them here for the manifest generator.
pub const NAMESPACES_TAG: &str = "aksnet-namespaces";

/// `Microsoft.ContainerService/managedClusters` properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedCluster {
    /// DNS prefix of the API server FQDN (empty when the cluster uses `fqdnSubdomain`).
    #[serde(default)]
    pub dns_prefix: String,
    /// Kubernetes version (omitted = AKS default; a Terraform data source's latest is known only
    /// at deployment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_version: Option<crate::Maybe<String>>,
    /// Resource group AKS creates for node resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_resource_group: Option<String>,
    /// Node pools.
    pub agent_pool_profiles: Vec<AgentPoolProfile>,
    /// Network plugin, mode, policy, CIDRs, outbound type.
    #[serde(default)]
    pub network_profile: NetworkProfile,
    /// API server exposure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_server_access_profile: Option<ApiServerAccessProfile>,
    /// The identities AKS gives the nodes (`identityProfile.kubeletidentity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_profile: Option<IdentityProfile>,
    /// Add-ons by key (`azureKeyvaultSecretsProvider`, …): whether each is on, and its identity.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub addon_profiles: std::collections::BTreeMap<String, AddonProfile>,
}

/// `identityProfile`: the identities the cluster's components run as.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityProfile {
    /// The kubelet identity (Azure's casing: `kubeletidentity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubeletidentity: Option<ComponentIdentity>,
}

/// A managed identity a cluster component runs as.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComponentIdentity {
    /// The user-assigned identity, when one was given (else AKS creates one in the node
    /// resource group).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<ResourceId>,
    /// Its object (principal) id: known once deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_id: Option<crate::Maybe<String>>,
    /// Its client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<crate::Maybe<String>>,
}

/// An add-on (`addonProfiles.<key>`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddonProfile {
    /// Whether it is on.
    #[serde(default)]
    pub enabled: bool,
    /// Settings (`enableSecretRotation`, …), as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<serde_json::Value>,
    /// The identity AKS gives it, once deployed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<ComponentIdentity>,
}

impl ResourceType for ManagedCluster {
    const TYPE: &'static str = "Microsoft.ContainerService/managedClusters";
}

impl ManagedCluster {
    /// True when the API server has no public endpoint.
    pub fn is_private(&self) -> bool {
        self.api_server_access_profile
            .as_ref()
            .and_then(|a| a.enable_private_cluster)
            .unwrap_or(false)
    }
}

/// An agent pool as embedded in the cluster (`agentPoolProfiles[]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentPoolProfile {
    /// Pool name (lowercase, ≤ 12 characters for Linux).
    pub name: String,
    /// `System` or `User`; empty when the resource does not say (API versions before 2020-03).
    #[serde(default)]
    pub mode: String,
    /// `VirtualMachineScaleSets`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// VM size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm_size: Option<String>,
    /// `Linux` or `Windows`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_type: Option<String>,
    /// Current node count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// Autoscaler on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_auto_scaling: Option<bool>,
    /// Autoscaler minimum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_count: Option<u32>,
    /// Autoscaler maximum: what the subnet must hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_count: Option<u32>,
    /// Pods per node (10–250).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pods: Option<u32>,
    /// Node subnet.
    #[serde(
        rename = "vnetSubnetID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub vnet_subnet_id: Option<ResourceId>,
    /// Pod subnet (Azure CNI pod-subnet mode).
    #[serde(
        rename = "podSubnetID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pod_subnet_id: Option<ResourceId>,
    /// Public IP per node.
    #[serde(
        rename = "enableNodePublicIP",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub enable_node_public_ip: Option<bool>,
    /// Node taints (`key=value:NoSchedule`): a tainted pool is dedicated to the workloads that
    /// tolerate it, e.g. one tenant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub node_taints: Vec<String>,
    /// Availability zones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub availability_zones: Vec<String>,
    /// `{ maxSurge }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade_settings: Option<UpgradeSettings>,
}

impl AgentPoolProfile {
    /// The most nodes the pool can reach: `maxCount` with the autoscaler, else `count`.
    pub fn max_nodes(&self) -> u32 {
        self.max_count.or(self.count).unwrap_or(1)
    }

    /// Extra nodes during an upgrade. `maxSurge` may be a count or a percentage of the pool;
    /// AKS's default is 1 node (aks `upgrade-cluster`, "maxSurge default 1" for API < 2025).
    pub fn surge_nodes(&self) -> u32 {
        let nodes = self.max_nodes();
        match self
            .upgrade_settings
            .as_ref()
            .and_then(|u| u.max_surge.as_deref())
        {
            Some(s) if s.ends_with('%') => {
                let pct: u64 = s.trim_end_matches('%').trim().parse().unwrap_or(0);
                let n = (u64::from(nodes) * pct.min(u64::from(u32::MAX))).div_ceil(100);
                u32::try_from(n).unwrap_or(u32::MAX).max(1)
            }
            Some(s) => s.trim().parse().unwrap_or(1),
            None => 1,
        }
    }
}

/// `{ "maxSurge": "1" | "33%" }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpgradeSettings {
    /// Count or percentage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_surge: Option<String>,
}

/// `networkProfile` (azure-semantics §6.1); absent, every field takes its default.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkProfile {
    /// `azure`, `kubenet` or `none`; absent, AKS picks one by Kubernetes version
    /// ([`ManagedCluster::network_plugin`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_plugin: Option<String>,
    /// `overlay` (Azure CNI Overlay) or absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_plugin_mode: Option<String>,
    /// `none`, `calico`, `azure` or `cilium`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_policy: Option<String>,
    /// `azure` or `cilium`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_dataplane: Option<String>,
    /// `loadBalancer`, `userDefinedRouting`, `managedNATGateway`, `userAssignedNATGateway`, `none`.
    /// Absent means `loadBalancer`, AKS's default [AKS-OUTBOUND] §6.5.
    #[serde(default = "crate::defaults::outbound_type")]
    pub outbound_type: String,
    /// `standard`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer_sku: Option<String>,
    /// Pod CIDR (overlay, kubenet). Not defaulted: AKS's 10.244.0.0/16 applies only to kubenet
    /// and overlay, and an Azure CNI cluster's body omits it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_cidr: Option<Prefix>,
    /// Service CIDR (absent: 10.0.0.0/16).
    #[serde(
        default = "crate::defaults::service_cidr",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_cidr: Option<Prefix>,
    /// Cluster DNS service IP (absent: 10.0.0.10).
    #[serde(
        rename = "dnsServiceIP",
        default = "crate::defaults::dns_service_ip",
        skip_serializing_if = "Option::is_none"
    )]
    pub dns_service_ip: Option<String>,
}

impl Default for NetworkProfile {
    /// An absent `networkProfile`: as an empty one reads.
    fn default() -> Self {
        Self {
            network_plugin: None,
            network_plugin_mode: None,
            network_policy: None,
            network_dataplane: None,
            outbound_type: crate::defaults::outbound_type(),
            load_balancer_sku: None,
            pod_cidr: None,
            service_cidr: crate::defaults::service_cidr(),
            dns_service_ip: crate::defaults::dns_service_ip(),
        }
    }
}

/// The networking mode a cluster runs in, derived from plugin, plugin mode and pool pod subnets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetworkMode {
    /// Azure CNI node subnet (legacy, "flat"): pods take node-subnet IPs.
    AzureFlat,
    /// Azure CNI with a dedicated pod subnet.
    AzurePodSubnet,
    /// Azure CNI Overlay: pods in a private pod CIDR, /24 per node.
    Overlay,
    /// kubenet: pods in a pod CIDR, /24 per node, UDRs per node.
    Kubenet,
    /// `networkPlugin: none` (bring your own CNI).
    None,
}

impl NetworkMode {
    /// maxPods when the pool does not say. [AKS-CNI-OVERVIEW] §6.2: kubenet 110, Azure CNI node
    /// subnet 30, pod subnet 110, overlay 250.
    pub fn default_max_pods(self) -> u32 {
        match self {
            NetworkMode::Kubenet | NetworkMode::AzurePodSubnet => 110,
            NetworkMode::AzureFlat => 30,
            NetworkMode::Overlay => 250,
            NetworkMode::None => 110,
        }
    }
}

impl ManagedCluster {
    /// The VNets its node subnets sit in, each once, in id order.
    pub fn node_vnets(&self) -> std::collections::BTreeSet<crate::ResourceId> {
        self.agent_pool_profiles
            .iter()
            .filter_map(|p| p.vnet_subnet_id.as_ref()?.parent())
            .collect()
    }

    /// The network plugin and plugin mode the cluster runs: as stated, or AKS's default for
    /// its Kubernetes version ([`crate::defaults::aks_network_plugin`]); `None` when neither
    /// says.
    pub fn network_plugin(&self) -> Option<(&str, Option<&str>)> {
        let np = &self.network_profile;
        match &np.network_plugin {
            Some(p) => Some((p.as_str(), np.network_plugin_mode.as_deref())),
            None => crate::defaults::aks_network_plugin(
                self.kubernetes_version
                    .as_ref()
                    .and_then(crate::Maybe::known)
                    .map(String::as_str),
            )
            .map(|(p, m)| (p, np.network_plugin_mode.as_deref().or(m))),
        }
    }

    /// The cluster's networking mode (azure-semantics §6.2); `None` when the network plugin is
    /// unknown ([`ManagedCluster::network_plugin`]).
    pub fn network_mode(&self) -> Option<NetworkMode> {
        let (plugin, mode) = self.network_plugin()?;
        Some(match plugin.to_ascii_lowercase().as_str() {
            "kubenet" => NetworkMode::Kubenet,
            "none" => NetworkMode::None,
            _ if mode.is_some_and(|m| m.eq_ignore_ascii_case("overlay")) => NetworkMode::Overlay,
            _ if self
                .agent_pool_profiles
                .iter()
                .any(|p| p.pod_subnet_id.is_some()) =>
            {
                NetworkMode::AzurePodSubnet
            }
            _ => NetworkMode::AzureFlat,
        })
    }

    /// The IPv4 pod CIDR an overlay or kubenet cluster gives its nodes /24s from, and whether
    /// the cluster states it (else it is AKS's default, [`crate::azure::DEFAULT_POD_CIDR`]);
    /// `None` for other modes, whose pods take VNet addresses, and for an IPv6 pod CIDR (a
    /// dual-stack cluster's second range, whose per-node size aksnet does not model).
    pub fn pod_cidr_in_use(&self) -> Option<(Prefix, bool)> {
        if !matches!(
            self.network_mode(),
            Some(NetworkMode::Overlay | NetworkMode::Kubenet)
        ) {
            return None;
        }
        match self.network_profile.pod_cidr {
            Some(p) if p.family() == aksnet_net::Family::V4 => Some((p, true)),
            Some(_) => None,
            None => Some((crate::azure::DEFAULT_POD_CIDR.parse().ok()?, false)),
        }
    }
}

/// `apiServerAccessProfile`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiServerAccessProfile {
    /// Ranges allowed to reach the public endpoint.
    #[serde(
        rename = "authorizedIPRanges",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub authorized_ip_ranges: Vec<crate::Maybe<String>>,
    /// No public API endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_private_cluster: Option<bool>,
    /// Keep a public DNS name resolving to the private IP.
    #[serde(
        rename = "enablePrivateClusterPublicFQDN",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub enable_private_cluster_public_fqdn: Option<bool>,
    /// `system`, `none` or a zone resource id.
    #[serde(
        rename = "privateDNSZone",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub private_dns_zone: Option<String>,
    /// API server VNet integration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_vnet_integration: Option<bool>,
    /// The delegated API server subnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<ResourceId>,
}

impl ApiServerAccessProfile {
    /// The authorized ranges the input gives.
    pub fn known_ranges(&self) -> impl Iterator<Item = &String> {
        self.authorized_ip_ranges
            .iter()
            .filter_map(crate::Maybe::known)
    }

    /// The expressions of authorized ranges known only at deployment (a Terraform range made
    /// of a public IP's address, ...).
    pub fn unknown_ranges(&self) -> Vec<&str> {
        self.authorized_ip_ranges
            .iter()
            .filter_map(|r| match r {
                crate::Maybe::Unknown(u) => Some(u.expression.as_str()),
                crate::Maybe::Known(_) => None,
            })
            .collect()
    }
}

/// How many nodes an IPv4 pod CIDR serves at one /24 each (0 when it is smaller than a /24).
/// [AKS-OVERLAY] [AKS-KUBENET] §6.2
pub fn pod_cidr_node_slots(pod: &Prefix) -> u128 {
    if pod.len() > crate::azure::POD_CIDR_PER_NODE_LEN {
        0
    } else {
        pod.size() >> (32 - u32::from(crate::azure::POD_CIDR_PER_NODE_LEN))
    }
}

/// Whether a cluster's private API server endpoint takes an address in its first pool's node
/// subnet: a private cluster without API server VNet integration gets a private endpoint
/// there; with VNet integration the API server lives in its own delegated subnet.
/// [AKS-PRIVATE] §6.6
pub fn api_endpoint_in_node_subnet(private: bool, vnet_integration: bool) -> bool {
    private && !vnet_integration
}

/// Whether an IPv4 pod CIDR holds one /24 for each of `nodes` nodes: the one test the planner
/// and the validator apply.
pub fn pod_cidr_holds(pod: &Prefix, nodes: u128) -> bool {
    pod_cidr_node_slots(pod) >= nodes
}

/// The longest IPv4 pod CIDR prefix that serves `nodes` nodes at one /24 each (a /24 for one
/// node, a /0 for more than 2^24, which no pod CIDR serves).
pub fn pod_cidr_len_for(nodes: u128) -> u8 {
    // ⌈log2 nodes⌉ bits of node index above the /24.
    let bits = if nodes <= 1 {
        0
    } else {
        128 - (nodes - 1).leading_zeros()
    };
    crate::azure::POD_CIDR_PER_NODE_LEN.saturating_sub(u8::try_from(bits).unwrap_or(u8::MAX))
}

/// Addresses one node pool takes from its node subnet at full scale, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolDemand {
    /// Maximum nodes (autoscaler max, else count).
    pub nodes: u32,
    /// Upgrade surge nodes.
    pub surge: u32,
    /// Addresses each node takes from the node subnet (1, or maxPods + 1 for flat Azure CNI).
    pub per_node: u32,
    /// maxPods used in the computation.
    pub max_pods: u32,
}

impl PoolDemand {
    /// Sizes a pool for a cluster mode, following [AKS-IPPLAN] (azure-semantics §6.3):
    /// flat Azure CNI reserves `maxPods` IPs per node up front, so each node takes
    /// `maxPods + 1`; overlay, kubenet and pod-subnet modes take one node IP per node.
    /// Surge nodes count, since upgrades add them before removing old ones.
    pub fn of(mode: NetworkMode, pool: &AgentPoolProfile) -> Self {
        let max_pods = pool.max_pods.unwrap_or_else(|| mode.default_max_pods());
        let per_node = match mode {
            NetworkMode::AzureFlat => max_pods.saturating_add(1),
            _ => 1,
        };
        Self {
            nodes: pool.max_nodes(),
            surge: pool.surge_nodes(),
            per_node,
            max_pods,
        }
    }

    /// Nodes at full scale during an upgrade.
    pub fn total_nodes(&self) -> u32 {
        self.nodes.saturating_add(self.surge)
    }

    /// Node-subnet addresses at full scale during an upgrade.
    pub fn addresses(&self) -> u128 {
        u128::from(self.total_nodes()) * u128::from(self.per_node)
    }

    /// Pod-subnet addresses for Azure CNI pod-subnet (dynamic) mode: pods are allocated in
    /// batches of 16 per node [AKS-PODSUBNET] §6.2, so each node may hold `maxPods` rounded up
    /// to a multiple of 16.
    pub fn pod_subnet_addresses(&self) -> u128 {
        let batch = crate::azure::POD_SUBNET_BATCH;
        u128::from(self.total_nodes()) * u128::from(self.max_pods.div_ceil(batch) * batch)
    }

    /// Human explanation, e.g. "(20 nodes + 1 surge) × (50 pods + 1)".
    pub fn explain(&self) -> String {
        let nodes = format!("({} nodes + {} surge)", self.nodes, self.surge);
        if self.per_node == 1 {
            format!("{nodes} × 1 node IP")
        } else {
            format!("{nodes} × ({} pods + 1)", self.max_pods)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(max: u32, pods: Option<u32>, surge: Option<&str>) -> AgentPoolProfile {
        serde_json::from_value(serde_json::json!({
            "name": "p", "mode": "User", "maxCount": max, "maxPods": pods,
            "upgradeSettings": surge.map(|s| serde_json::json!({ "maxSurge": s })),
        }))
        .unwrap()
    }

    #[test]
    fn flat_cni_reserves_max_pods_plus_one_per_node() {
        // [AKS-IPPLAN]: 50 nodes, default 30 pods: 51 + 51 × 30 = 1,581.
        let d = PoolDemand::of(NetworkMode::AzureFlat, &pool(50, None, None));
        assert_eq!(d.addresses(), 1581);
        assert_eq!(d.explain(), "(50 nodes + 1 surge) × (30 pods + 1)");
    }

    #[test]
    fn overlay_takes_one_ip_per_node() {
        let d = PoolDemand::of(NetworkMode::Overlay, &pool(20, Some(250), None));
        assert_eq!(d.addresses(), 21);
    }

    #[test]
    fn surge_as_count_or_percentage() {
        assert_eq!(pool(10, None, Some("3")).surge_nodes(), 3);
        assert_eq!(pool(10, None, Some("33%")).surge_nodes(), 4);
        assert_eq!(pool(10, None, Some("1%")).surge_nodes(), 1);
        assert_eq!(pool(10, None, None).surge_nodes(), 1);
    }

    #[test]
    fn pod_cidr_arithmetic_at_its_edges() {
        let p = |s: &str| s.parse::<Prefix>().unwrap();
        assert_eq!(pod_cidr_node_slots(&p("10.244.0.0/16")), 256);
        assert_eq!(pod_cidr_node_slots(&p("10.244.0.0/25")), 0);
        assert_eq!(pod_cidr_node_slots(&p("0.0.0.0/0")), 1 << 24);
        assert_eq!(pod_cidr_len_for(0), 24);
        assert_eq!(pod_cidr_len_for(1), 24);
        assert_eq!(pod_cidr_len_for(256), 16);
        assert_eq!(pod_cidr_len_for(257), 15);
        assert_eq!(pod_cidr_len_for(1 << 24), 0);
        assert_eq!(pod_cidr_len_for(u128::MAX), 0);
        assert!(
            pod_cidr_holds(&p("10.244.0.0/16"), 256) && !pod_cidr_holds(&p("10.244.0.0/16"), 257)
        );
        // A huge surge percentage or maxCount saturates instead of overflowing.
        assert_eq!(pool(u32::MAX, None, Some("400%")).surge_nodes(), u32::MAX);
        let d = PoolDemand::of(
            NetworkMode::AzureFlat,
            &pool(u32::MAX, Some(u32::MAX), None),
        );
        assert_eq!(d.total_nodes(), u32::MAX);
    }

    #[test]
    fn pod_subnet_rounds_to_batches_of_16() {
        let d = PoolDemand::of(NetworkMode::AzurePodSubnet, &pool(9, Some(30), None));
        assert_eq!(d.pod_subnet_addresses(), 10 * 32);
    }
}
