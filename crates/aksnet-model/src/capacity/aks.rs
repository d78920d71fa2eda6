//! AKS limits and IP arithmetic at full scale: what each subnet must hold, how many node /24s a
//! pod CIDR must hold, nodes and pools per cluster, nodes per pool. Validation
//! (`subnet-capacity-exceeded`, `aks-pod-cidr-too-small`) and the AKS-CAP rules count with the
//! same functions; the planner sizes with [`crate::aks::PoolDemand`] and
//! [`crate::aks::pod_cidr_len_for`], which these use too.

use std::collections::BTreeMap;

use super::Usage;
use crate::aks::{api_endpoint_in_node_subnet, pod_cidr_node_slots, ManagedCluster, PoolDemand};
use crate::azure;
use crate::diagnostic::thousands;
use crate::estate::Estate;
use crate::id::ResourceId;
use crate::limits::{LimitId, CLUSTER_NODES, FREE_TIER_CLUSTER_NODES};

/// Nodes a cluster reaches at full scale during an upgrade: every pool's maximum plus surge.
pub fn nodes_with_surge(mc: &ManagedCluster) -> u32 {
    mc.agent_pool_profiles
        .iter()
        .map(|p| p.max_nodes().saturating_add(p.surge_nodes()))
        .fold(0, u32::saturating_add)
}

/// What one subnet must hold at full scale.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubnetDemand {
    /// Each part, explained ("pool `user` needs 1,581 addresses (50 nodes + 1 surge) × …").
    pub parts: Vec<String>,
    /// Addresses in all.
    pub addresses: u128,
}

impl SubnetDemand {
    fn add(&mut self, part: String, addresses: u128) {
        self.parts.push(part);
        self.addresses += addresses;
    }
}

/// Every subnet's demand at full scale: node pools (clusters whose plugin is known), pod
/// subnets, load balancer frontends, private endpoints and a private API server endpoint
/// without VNet integration (in the first pool's subnet). [AKS-IPPLAN] §6.3, [VNETFAQ] §1.1
pub fn subnet_demand(estate: &Estate) -> BTreeMap<ResourceId, SubnetDemand> {
    let mut demand: BTreeMap<ResourceId, SubnetDemand> = BTreeMap::new();
    for mc in estate.managed_clusters.iter() {
        let Some(mode) = mc.properties.network_mode() else {
            continue;
        };
        for (i, pool) in mc.properties.agent_pool_profiles.iter().enumerate() {
            let d = PoolDemand::of(mode, pool);
            if let Some(sid) = &pool.vnet_subnet_id {
                let e = demand.entry(sid.clone()).or_default();
                e.add(
                    format!(
                        "pool `{}` needs {} addresses {}",
                        pool.name,
                        thousands(d.addresses()),
                        d.explain()
                    ),
                    d.addresses(),
                );
                let api = mc.properties.api_server_access_profile.as_ref();
                let integrated = api.and_then(|a| a.enable_vnet_integration) == Some(true);
                if i == 0 && api_endpoint_in_node_subnet(mc.properties.is_private(), integrated) {
                    e.add("the private API server endpoint needs 1".to_string(), 1);
                }
            }
            if let Some(pid) = &pool.pod_subnet_id {
                demand.entry(pid.clone()).or_default().add(
                    format!(
                        "pods of pool `{}` need {} addresses ({} nodes × {} pods, in batches of 16)",
                        pool.name,
                        thousands(d.pod_subnet_addresses()),
                        d.total_nodes(),
                        d.max_pods
                    ),
                    d.pod_subnet_addresses(),
                );
            }
        }
    }
    for lb in estate.load_balancers.iter() {
        for f in &lb.properties.frontend_ip_configurations {
            if let Some(s) = &f.properties.subnet {
                demand
                    .entry(s.id.clone())
                    .or_default()
                    .add(format!("load balancer frontend `{}` needs 1", f.name), 1);
            }
        }
    }
    for pe in estate.private_endpoints.iter() {
        let n = pe.properties.ip_configurations.len().max(1) as u128;
        demand
            .entry(pe.properties.subnet.id.clone())
            .or_default()
            .add(format!("private endpoint `{}` needs {n}", pe.name), n);
    }
    demand
}

/// Subnets against their usable addresses.
pub fn subnet_addresses(estate: &Estate) -> Vec<Usage> {
    subnet_demand(estate)
        .into_iter()
        .filter_map(|(sid, d)| {
            let (_, s) = estate.subnet(&sid)?;
            Some(Usage {
                limit: LimitId::SubnetAddresses,
                resource: sid,
                used: d.addresses,
                max: azure::usable_addresses(&s.properties.address_prefix),
                counted: d.parts.join(", "),
            })
        })
        .collect()
}

/// Overlay and kubenet clusters' pod CIDRs (stated, or AKS's default) against one /24 per node.
/// [AKS-OVERLAY] [AKS-KUBENET] §6.2
pub fn pod_cidr_nodes(estate: &Estate) -> Vec<Usage> {
    estate
        .managed_clusters
        .iter()
        .filter_map(|mc| {
            let (pod, stated) = mc.properties.pod_cidr_in_use()?;
            let nodes = nodes_with_surge(&mc.properties);
            Some(Usage {
                limit: LimitId::PodCidrNodes,
                resource: mc.id.clone(),
                used: u128::from(nodes),
                max: pod_cidr_node_slots(&pod),
                counted: format!(
                    "{} nodes with surge, one /24 each, in {} pod CIDR {pod}",
                    thousands(u128::from(nodes)),
                    if stated { "the" } else { "AKS's default" }
                ),
            })
        })
        .collect()
}

/// Nodes per cluster: every pool's maximum (`maxCount`, else `count`), against 5,000, or
/// 1,000 on the Free tier (`sku.tier`; absent, AKS's default Free). Surge nodes are left out:
/// Microsoft does not say whether they count toward the limit (UNCONFIRMED), and AKS accepts
/// pools configured up to it; the message names them. [AKS-LIMITS]
pub fn cluster_nodes(estate: &Estate) -> Vec<Usage> {
    estate
        .managed_clusters
        .iter()
        .map(|mc| {
            let tier = mc.sku.as_ref().and_then(|s| s.tier.as_deref());
            let (max, tier) = match tier {
                Some(t) if !t.eq_ignore_ascii_case("Free") => (CLUSTER_NODES, String::new()),
                Some(_) => (FREE_TIER_CLUSTER_NODES, ", Free tier".to_string()),
                None => (
                    FREE_TIER_CLUSTER_NODES,
                    ", Free tier (AKS's default: the cluster states no sku.tier)".to_string(),
                ),
            };
            let pools = &mc.properties.agent_pool_profiles;
            let n: u128 = pools.iter().map(|p| u128::from(p.max_nodes())).sum();
            let surge: u128 = pools.iter().map(|p| u128::from(p.surge_nodes())).sum();
            let parts: Vec<String> = pools
                .iter()
                .map(|p| format!("`{}` {}", p.name, thousands(p.max_nodes().into())))
                .collect();
            let counted = format!(
                "{} nodes at maximum scale ({}){tier}; upgrades add {} surge",
                thousands(n),
                parts.join(", "),
                thousands(surge)
            );
            Usage {
                limit: LimitId::ClusterNodes,
                resource: mc.id.clone(),
                used: n,
                max: u128::from(max),
                counted,
            }
        })
        .collect()
}

/// Node pools per cluster. [AKS-LIMITS]
pub fn cluster_pools(estate: &Estate) -> Vec<Usage> {
    estate
        .managed_clusters
        .iter()
        .map(|mc| {
            let n = mc.properties.agent_pool_profiles.len() as u128;
            Usage::fixed(LimitId::ClusterPools, &mc.id, n, format!("{n} pools"))
        })
        .collect()
}

/// Nodes per pool at maximum scale, one usage per pool (on its cluster); surge as in
/// [`cluster_nodes`]. [AKS-LIMITS]
pub fn pool_nodes(estate: &Estate) -> Vec<Usage> {
    estate
        .managed_clusters
        .iter()
        .flat_map(|mc| {
            mc.properties.agent_pool_profiles.iter().map(|p| {
                let n = u128::from(p.max_nodes());
                let counted = format!(
                    "pool `{}` at maximum scale; upgrades add {} surge",
                    p.name,
                    p.surge_nodes()
                );
                Usage::fixed(LimitId::PoolNodes, &mc.id, n, counted)
            })
        })
        .collect()
}
