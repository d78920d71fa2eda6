//! Azure's service limits that a network estate runs into, as data: one [`Limit`] per limit,
//! with its number, what Azure counts, where Microsoft documents it and when it was read.
//!
//! Limits change (Azure raises them): update the number, the source and [`LIMITS_AS_OF`]
//! together. What each limit measures in an estate is computed in [`crate::capacity`].

use serde::Serialize;

/// When the numbers below were last compared with Microsoft's pages.
pub const LIMITS_AS_OF: &str = "2026-12";

/// A usage from this percentage of its limit on is reported as a warning; past 100 % it is an
/// error (the AKS-CAP rules).
pub const WARN_PERCENT: u128 = 80;

/// Nodes per cluster on the Standard and Premium tiers ([`AKS_LIMITS`]).
pub const CLUSTER_NODES: u64 = 5000;

/// Nodes per cluster on the Free tier, AKS's default tier ([`AKS_LIMITS`]; "Free tier: up to
/// 1,000 nodes", learn.microsoft.com/azure/aks/free-standard-pricing-tiers, 2026).
pub const FREE_TIER_CLUSTER_NODES: u64 = 1000;

/// One of the limits aksnet measures. The order is the report's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LimitId {
    /// Routes per route table.
    RouteTableRoutes,
    /// Security rules per network security group.
    NsgRules,
    /// Addresses and ranges on the source or destination side of an NSG's rules.
    NsgRuleAddresses,
    /// Peerings per virtual network.
    VnetPeerings,
    /// Unique rule combinations in a firewall policy.
    FirewallRuleCombinations,
    /// Rule collection groups per firewall policy.
    PolicyRuleCollectionGroups,
    /// A rule collection group's size.
    RuleCollectionGroupSize,
    /// Addresses a subnet must hold at full scale: node pools, pods, frontends, endpoints.
    SubnetAddresses,
    /// Node /24s an overlay or kubenet pod CIDR must hold.
    PodCidrNodes,
    /// Nodes per cluster.
    ClusterNodes,
    /// Node pools per cluster.
    ClusterPools,
    /// Nodes per node pool.
    PoolNodes,
}

/// How large a limit is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bound {
    /// The same number for every resource.
    Fixed(u64),
    /// A number of the resource itself (a subnet's usable addresses).
    PerResource(&'static str),
}

/// One documented limit.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Limit {
    /// Which.
    pub id: LimitId,
    /// What is limited, short enough for a table column, e.g. "routes per route table".
    pub name: &'static str,
    /// The number.
    pub bound: Bound,
    /// The unit a usage is counted in, plural ("routes").
    pub unit: &'static str,
    /// How Azure counts it, where that is not obvious from the name.
    pub counts: &'static str,
    /// Microsoft's page.
    pub source: &'static str,
}

impl LimitId {
    /// Every limit, in report order.
    pub const ALL: [LimitId; 12] = [
        LimitId::RouteTableRoutes,
        LimitId::NsgRules,
        LimitId::NsgRuleAddresses,
        LimitId::VnetPeerings,
        LimitId::FirewallRuleCombinations,
        LimitId::PolicyRuleCollectionGroups,
        LimitId::RuleCollectionGroupSize,
        LimitId::SubnetAddresses,
        LimitId::PodCidrNodes,
        LimitId::ClusterNodes,
        LimitId::ClusterPools,
        LimitId::PoolNodes,
    ];

    /// The limit's data.
    pub fn limit(self) -> &'static Limit {
        &LIMITS[self as usize]
    }

    /// The number, for a limit that is the same for every resource.
    pub fn fixed(self) -> Option<u64> {
        match self.limit().bound {
            Bound::Fixed(n) => Some(n),
            Bound::PerResource(_) => None,
        }
    }
}

/// Microsoft's networking limits table (read from `MicrosoftDocs/azure-docs`
/// `includes/azure-virtual-network-limits.md`, commit 04cb4ea, ms.date 12/05/2022: "User-defined
/// routes per route table 400", "NSG rules per NSG 1,000", "IP addresses and ranges specified for
/// source or destination in a security group (The limit applies separately to source and
/// destination) 4,000", "Virtual network peerings per virtual network 500").
pub const NETWORKING_LIMITS: &str = "https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#azure-resource-manager-virtual-networking-limits";
/// Microsoft's Azure Firewall limits table (`includes/firewall-limits.md`, ms.date 10/14/2026:
/// "20,000 unique source-destination combinations in network rules", counted as "(number of IP
/// protocols) × (number of source IP addresses) × (number of destination IP addresses) ×
/// (number of destination ports ÷ 14, rounded up)"; 90 rule collection groups per policy and
/// 2 MB per group for policies created after July 2022). The 2023 text adds "An IP group counts
/// as one address".
pub const FIREWALL_LIMITS: &str = "https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#azure-firewall-limits";
/// AKS's quotas and limits page (`includes/container-service-limits.md`, commit 03adcc3, ms.date
/// 01/12/2024: 5,000 nodes per cluster with Virtual Machine Scale Sets, 1,000 nodes per pool,
/// 100 node pools per cluster).
pub const AKS_LIMITS: &str =
    "https://learn.microsoft.com/azure/aks/quotas-skus-regions#service-quotas-and-limits";

/// The limits, indexed by [`LimitId`] (a test holds the order).
pub static LIMITS: [Limit; 12] = [
    Limit {
        id: LimitId::RouteTableRoutes,
        name: "routes per route table",
        bound: Bound::Fixed(400),
        unit: "routes",
        counts: "the table's routes, plus one route per node that AKS writes for a kubenet cluster whose node subnet uses the table",
        source: NETWORKING_LIMITS,
    },
    Limit {
        id: LimitId::NsgRules,
        name: "rules per NSG",
        bound: Bound::Fixed(1000),
        unit: "rules",
        counts: "the rules written on the group; the default rules do not count",
        source: NETWORKING_LIMITS,
    },
    Limit {
        id: LimitId::NsgRuleAddresses,
        name: "addresses per NSG side",
        bound: Bound::Fixed(4000),
        unit: "addresses and ranges",
        counts: "the address prefixes named on one side (source or destination) over all the group's rules; service tags and application security groups are not addresses",
        source: NETWORKING_LIMITS,
    },
    Limit {
        id: LimitId::VnetPeerings,
        name: "peerings per VNet",
        bound: Bound::Fixed(500),
        unit: "peerings",
        counts: "the virtual network's own peering links",
        source: NETWORKING_LIMITS,
    },
    Limit {
        id: LimitId::FirewallRuleCombinations,
        name: "firewall network rule combinations",
        bound: Bound::Fixed(20_000),
        unit: "combinations",
        counts: "for each network rule of the policy and the policies it inherits from (or each classic network rule of a firewall without a policy): protocols × sources × destinations × ⌈destination ports ÷ 14⌉, summed; an IP group or an FQDN counts as one address. Microsoft does not say how a port range counts: one entry by default, its ports with `--switch firewall-port-ranges-expanded`",
        source: FIREWALL_LIMITS,
    },
    Limit {
        id: LimitId::PolicyRuleCollectionGroups,
        name: "rule collection groups per policy",
        bound: Bound::Fixed(90),
        unit: "groups",
        counts: "the policy's own rule collection groups (policies created before July 2022 have 50)",
        source: FIREWALL_LIMITS,
    },
    Limit {
        id: LimitId::RuleCollectionGroupSize,
        name: "rule collection group size",
        bound: Bound::Fixed(2 * 1024 * 1024),
        unit: "bytes",
        counts: "the group's properties as compact JSON, as the estate holds them; Azure measures its own stored form, so this is an estimate (policies created before July 2022 have 1 MB)",
        source: FIREWALL_LIMITS,
    },
    Limit {
        id: LimitId::SubnetAddresses,
        name: "subnet addresses at full scale",
        bound: Bound::PerResource("the subnet's size less the 5 addresses Azure reserves"),
        unit: "addresses",
        counts: "per pool (maxCount + surge) nodes × 1 address, or × (maxPods + 1) with flat Azure CNI; pod subnets (maxCount + surge) × maxPods rounded up to batches of 16; one per load balancer frontend, private endpoint address and private API server endpoint",
        source: "https://learn.microsoft.com/azure/aks/concepts-network-ip-address-planning",
    },
    Limit {
        id: LimitId::PodCidrNodes,
        name: "pod CIDR /24s at full scale",
        bound: Bound::PerResource("the pod CIDR's number of /24s"),
        unit: "nodes",
        counts: "one /24 per node at maxCount plus surge, over all the cluster's pools",
        source: "https://learn.microsoft.com/azure/aks/azure-cni-overlay#ip-address-planning",
    },
    Limit {
        id: LimitId::ClusterNodes,
        name: "nodes per cluster",
        bound: Bound::PerResource("5,000 on the Standard and Premium tiers, 1,000 on the Free tier (AKS's default when the cluster states none)"),
        unit: "nodes",
        counts: "maxCount (or count) over the cluster's pools; surge nodes are named but not counted, as Microsoft does not say whether they count (kubenet clusters are further limited to 400 by AKS-ADR-002)",
        source: AKS_LIMITS,
    },
    Limit {
        id: LimitId::ClusterPools,
        name: "node pools per cluster",
        bound: Bound::Fixed(100),
        unit: "pools",
        counts: "the cluster's agent pools",
        source: AKS_LIMITS,
    },
    Limit {
        id: LimitId::PoolNodes,
        name: "nodes per node pool",
        bound: Bound::Fixed(1000),
        unit: "nodes",
        counts: "maxCount (or count); surge nodes are named but not counted, as for nodes per cluster",
        source: AKS_LIMITS,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_indexed_by_their_id() {
        for id in LimitId::ALL {
            assert_eq!(id.limit().id, id);
        }
        assert_eq!(LimitId::ALL.len(), LIMITS.len());
    }
}
