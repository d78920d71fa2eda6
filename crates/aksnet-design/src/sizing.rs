//! What each VNet needs: one subnet request per role, sized from the workload with headroom.
//!
//! Sizing follows [AKS-IPPLAN] (azure-semantics §6.3) through `aksnet_model::aks::PoolDemand`,
//! the same arithmetic the validator uses, so a planned subnet always passes validation.

use aksnet_model::aks::{AgentPoolProfile, NetworkMode, PoolDemand, UpgradeSettings};
use aksnet_model::azure;
use aksnet_model::validate::thousands;

use crate::intent::{
    CniMode, FirewallKind, Intent, Link, NodePoolIntent, Plugin, PoolMode, SpokeIntent,
};

/// What a subnet is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubnetRole {
    /// `AzureFirewallSubnet`.
    Firewall,
    /// `GatewaySubnet`.
    Gateway,
    /// `AzureBastionSubnet`.
    Bastion,
    /// The NVA's subnet.
    Nva,
    /// Node subnet of these pools (indexes into the cluster's node pools).
    Nodes(Vec<usize>),
    /// Pod subnet of these pools (Azure CNI pod-subnet mode).
    Pods(Vec<usize>),
    /// Internal load balancer frontends.
    InternalLoadBalancer,
    /// Application Gateway (dedicated).
    AppGateway,
    /// Private endpoints.
    PrivateEndpoints,
    /// API server VNet integration (delegated).
    ApiServer,
}

/// One subnet the planner must place.
#[derive(Clone, Debug)]
pub struct Request {
    /// Subnet name.
    pub name: String,
    /// Role.
    pub role: SubnetRole,
    /// Addresses needed at full scale, before headroom.
    pub need: u128,
    /// Chosen prefix length.
    pub len: u8,
    /// Why this size.
    pub why: String,
}

/// The cluster's networking mode as the intent asks for it.
pub fn network_mode(spoke: &SpokeIntent) -> NetworkMode {
    match (spoke.cluster.network.plugin, spoke.cluster.network.mode) {
        (Plugin::Kubenet, _) => NetworkMode::Kubenet,
        (Plugin::Azure, None | Some(CniMode::Overlay)) => NetworkMode::Overlay,
        (Plugin::Azure, Some(CniMode::PodSubnet)) => NetworkMode::AzurePodSubnet,
        (Plugin::Azure, Some(CniMode::NodeSubnet)) => NetworkMode::AzureFlat,
    }
}

/// The agent pool profile for a pool, without its subnet ids.
pub fn pool_profile(pool: &NodePoolIntent) -> AgentPoolProfile {
    let system = pool.mode == PoolMode::System;
    AgentPoolProfile {
        name: pool.name.clone(),
        mode: if system { "System" } else { "User" }.to_string(),
        kind: Some("VirtualMachineScaleSets".to_string()),
        vm_size: Some(pool.vm_size.clone()),
        os_type: Some("Linux".to_string()),
        count: None,
        enable_auto_scaling: Some(true),
        min_count: Some(
            pool.min_count
                .unwrap_or(if system { 2 } else { 1 })
                .min(pool.max_count),
        ),
        max_count: Some(pool.max_count),
        max_pods: pool.max_pods,
        vnet_subnet_id: None,
        pod_subnet_id: None,
        enable_node_public_ip: Some(false),
        node_taints: if pool.isolated {
            vec![format!("tenant={}:NoSchedule", pool.name)]
        } else {
            Vec::new()
        },
        availability_zones: pool.zones.clone(),
        upgrade_settings: Some(UpgradeSettings {
            max_surge: Some(pool.max_surge.clone().unwrap_or_else(|| "1".to_string())),
        }),
    }
}

/// Smallest block (longest prefix, at most `min_len`) with at least `need` usable addresses.
pub fn len_for(need: u128, min_len: u8) -> u8 {
    (azure::MAX_SUBNET_V4_LEN..=min_len)
        .rev()
        .find(|&len| {
            (1u128 << (32 - len)).saturating_sub(azure::RESERVED_ADDRESSES_PER_SUBNET) >= need
        })
        .unwrap_or(azure::MAX_SUBNET_V4_LEN)
}

fn with_headroom(need: u128, pct: u32) -> u128 {
    need + (need * u128::from(pct)).div_ceil(100)
}

fn fixed(name: &str, role: SubnetRole, len: u8, need: u128, why: &str) -> Request {
    Request {
        name: name.to_string(),
        role,
        need,
        len,
        why: why.to_string(),
    }
}

/// The hub's subnets.
pub fn hub_requests(intent: &Intent) -> Vec<Request> {
    let mut out = Vec::new();
    match intent.hub.firewall {
        FirewallKind::AzureFirewall => out.push(fixed(
            "AzureFirewallSubnet",
            SubnetRole::Firewall,
            26,
            20,
            "Azure Firewall: this exact name, /26 (FWFAQ); scales to 20 instances (FW-OVERVIEW)",
        )),
        FirewallKind::Nva => out.push(fixed(
            "snet-nva",
            SubnetRole::Nva,
            28,
            2,
            "NVA instances and their internal load balancer; /28 leaves 11 addresses",
        )),
        FirewallKind::None => {}
    }
    if intent.on_premises.link != Link::None {
        out.push(fixed(
            "GatewaySubnet",
            SubnetRole::Gateway,
            27,
            2,
            "gateway subnet: /29 minimum, /27 recommended (VPNGW-SETTINGS)",
        ));
    }
    if intent.hub.bastion {
        out.push(fixed(
            "AzureBastionSubnet",
            SubnetRole::Bastion,
            26,
            2,
            "Azure Bastion requires /26 or larger (BASCFG)",
        ));
    }
    out
}

/// The subnets of one spoke.
pub fn spoke_requests(intent: &Intent, spoke: &SpokeIntent) -> Vec<Request> {
    let pct = intent.planning.headroom_percent;
    let mode = network_mode(spoke);
    let cluster = &spoke.cluster;
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, pool) in cluster.node_pools.iter().enumerate() {
        let name = if pool.isolated {
            format!("snet-{}", pool.name)
        } else if pool.mode == PoolMode::System {
            "snet-system".to_string()
        } else {
            "snet-user".to_string()
        };
        match groups.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => v.push(i),
            None => groups.push((name, vec![i])),
        }
    }
    // System subnet first: the private API server endpoint lands in the first pool's subnet.
    groups.sort_by_key(|(n, _)| n != "snet-system");
    let api_pe_in_nodes = aksnet_model::aks::api_endpoint_in_node_subnet(
        cluster.private,
        cluster.api_server_vnet_integration,
    );
    let mut out = Vec::new();
    for (gi, (name, pools)) in groups.iter().enumerate() {
        let mut parts = Vec::new();
        let mut need = 0u128;
        let mut pod_parts = Vec::new();
        let mut pod_need = 0u128;
        for &i in pools {
            let d = PoolDemand::of(mode, &pool_profile(&cluster.node_pools[i]));
            parts.push(format!(
                "`{}` {} = {}",
                cluster.node_pools[i].name,
                d.explain(),
                thousands(d.addresses())
            ));
            need += d.addresses();
            pod_parts.push(format!(
                "`{}` ({} nodes × {} pods, batches of 16) = {}",
                cluster.node_pools[i].name,
                d.total_nodes(),
                d.max_pods,
                thousands(d.pod_subnet_addresses())
            ));
            pod_need += d.pod_subnet_addresses();
        }
        if gi == 0 && api_pe_in_nodes {
            parts.push("private API server endpoint 1".to_string());
            need += 1;
        }
        out.push(Request {
            name: name.clone(),
            role: SubnetRole::Nodes(pools.clone()),
            need,
            len: len_for(with_headroom(need, pct), 28),
            why: format!("{}; +{pct}% headroom", parts.join(" + ")),
        });
        if mode == NetworkMode::AzurePodSubnet {
            out.push(Request {
                name: format!("{name}-pods"),
                role: SubnetRole::Pods(pools.clone()),
                need: pod_need,
                len: len_for(with_headroom(pod_need, pct), 28),
                why: format!("pod IPs: {}; +{pct}% headroom", pod_parts.join(" + ")),
            });
        }
    }
    if spoke.ingress.internal_load_balancer {
        out.push(fixed(
            "snet-ilb",
            SubnetRole::InternalLoadBalancer,
            28,
            1,
            "internal LoadBalancer services' frontends; /28 leaves room for 10 more",
        ));
    }
    if let Some(agw) = &spoke.ingress.app_gateway {
        out.push(Request {
            name: "snet-agw".to_string(),
            role: SubnetRole::AppGateway,
            need: u128::from(agw.max_capacity) + 1,
            len: azure::APP_GATEWAY_V2_RECOMMENDED_LEN.min(len_for(with_headroom(u128::from(agw.max_capacity) + 1, pct), 28)),
            why: format!("Application Gateway v2, dedicated: {} instances + 1 private frontend; /24 recommended for up to 125 instances (AGINFRA)", agw.max_capacity),
        });
    }
    if !spoke.private_endpoints.is_empty() {
        let need: u128 = spoke
            .private_endpoints
            .iter()
            .map(|k| match k {
                crate::intent::PrivateEndpointKind::ContainerRegistry => 2,
                crate::intent::PrivateEndpointKind::KeyVault => 1,
            })
            .sum();
        out.push(Request {
            name: "snet-pep".to_string(),
            role: SubnetRole::PrivateEndpoints,
            need,
            len: len_for(with_headroom(need, pct), 28),
            why: format!(
                "private endpoints: {}; +{pct}% headroom, /28 minimum",
                spoke
                    .private_endpoints
                    .iter()
                    .map(|k| match k {
                        crate::intent::PrivateEndpointKind::ContainerRegistry =>
                            "ACR 2 (registry + data endpoint)",
                        crate::intent::PrivateEndpointKind::KeyVault => "Key Vault 1",
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    if cluster.api_server_vnet_integration {
        out.push(fixed(
            "snet-apiserver",
            SubnetRole::ApiServer,
            azure::API_SERVER_SUBNET_MIN_LEN,
            9,
            "API server VNet integration: delegated, /28 minimum, AKS reserves at least 9 (AKS-APIVNET)",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn len_for_uses_usable_addresses() {
        assert_eq!(len_for(251, 28), 24);
        assert_eq!(len_for(252, 28), 23);
        assert_eq!(len_for(1, 28), 28);
        assert_eq!(len_for(11, 28), 28);
        assert_eq!(len_for(12, 28), 27);
    }

    #[test]
    fn headroom_rounds_up() {
        assert_eq!(with_headroom(6, 25), 8);
        assert_eq!(with_headroom(1071, 25), 1339);
        assert_eq!(with_headroom(10, 0), 10);
    }
}
