//! How much of each Azure limit ([`crate::limits`]) an estate uses: one [`Usage`] per limit and
//! resource it applies to. The AKS-CAP rules report the usages near or past their limit; the
//! reports show the largest usage of each limit as headroom.
//!
//! Counting is per area: [`network`] (route tables, NSGs, peerings), [`firewall`] (policies and
//! their rule collection groups), [`aks`] (subnets, pod CIDRs, clusters and pools, with the AKS
//! arithmetic the planner shares).

pub mod aks;
pub mod firewall;
pub mod network;

use serde::Serialize;

use crate::estate::Estate;
use crate::id::ResourceId;
use crate::limits::{Bound, LimitId, WARN_PERCENT};

/// One resource's use of one limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// The limit.
    pub limit: LimitId,
    /// The resource it applies to.
    pub resource: ResourceId,
    /// How much is used.
    pub used: u128,
    /// The limit for this resource.
    pub max: u128,
    /// How it was counted, e.g. "412 routes + 40 kubenet node routes".
    pub counted: String,
}

/// How close a usage is to its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Below [`WARN_PERCENT`].
    Within,
    /// From [`WARN_PERCENT`] up to the limit.
    Near,
    /// Past the limit.
    Over,
}

impl Usage {
    /// A usage of a fixed limit.
    fn fixed(limit: LimitId, resource: &ResourceId, used: u128, counted: String) -> Self {
        let Bound::Fixed(max) = limit.limit().bound else {
            unreachable!("{limit:?} has a per-resource bound")
        };
        Usage {
            limit,
            resource: resource.clone(),
            used,
            max: u128::from(max),
            counted,
        }
    }

    /// Near or past the limit (nothing used is within any limit, even 0).
    pub fn level(&self) -> Level {
        if self.used > self.max {
            Level::Over
        } else if self.used > 0 && !below(self.used, self.max, WARN_PERCENT) {
            Level::Near
        } else {
            Level::Within
        }
    }

    /// The share of the limit used, in whole percent: rounded down up to the limit (79.9 % is
    /// 79, below the warning), up past it (400.25 of 400 is 101). A limit of 0 is 100 % used.
    pub fn percent(&self) -> u128 {
        if self.max == 0 {
            return if self.used == 0 { 0 } else { 100 };
        }
        match self.used.checked_mul(100) {
            Some(x) if self.used > self.max => x.div_ceil(self.max),
            Some(x) => x / self.max,
            // Beyond 2^121 (IPv6 subnets): a share of a share, exact enough for a percentage.
            None => self.used / (self.max / 100).max(1),
        }
    }

    /// Whether this usage is a larger share of its limit than `other` of its own.
    fn larger_share_than(&self, other: &Usage) -> bool {
        match (
            self.used.checked_mul(other.max),
            other.used.checked_mul(self.max),
        ) {
            (Some(a), Some(b)) => a > b,
            _ => self.percent() > other.percent(),
        }
    }

    /// What is left before the limit; negative past it.
    pub fn headroom(&self) -> i128 {
        i128::try_from(self.max).unwrap_or(i128::MAX)
            - i128::try_from(self.used).unwrap_or(i128::MAX)
    }
}

/// Choices in how a usage is counted where Microsoft does not say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counting {
    /// How a firewall rule's destination port range counts.
    pub port_ranges: firewall::PortRanges,
}

/// Whether `used` is below `percent` % of `max`, without overflowing.
fn below(used: u128, max: u128, percent: u128) -> bool {
    match (used.checked_mul(100), max.checked_mul(percent)) {
        (Some(a), Some(b)) => a < b,
        (None, Some(_)) => false,
        (Some(_), None) => true,
        (None, None) => used / percent < max / 100,
    }
}

/// Every usage of `limit` in the estate, by resource id.
pub fn usages_of(estate: &Estate, limit: LimitId, counting: Counting) -> Vec<Usage> {
    let mut out = match limit {
        LimitId::RouteTableRoutes => network::route_table_routes(estate),
        LimitId::NsgRules => network::nsg_rules(estate),
        LimitId::NsgRuleAddresses => network::nsg_rule_addresses(estate),
        LimitId::VnetPeerings => network::vnet_peerings(estate),
        LimitId::FirewallRuleCombinations => {
            firewall::rule_combinations(estate, counting.port_ranges)
        }
        LimitId::PolicyRuleCollectionGroups => firewall::policy_groups(estate),
        LimitId::RuleCollectionGroupSize => firewall::group_sizes(estate),
        LimitId::SubnetAddresses => aks::subnet_addresses(estate),
        LimitId::PodCidrNodes => aks::pod_cidr_nodes(estate),
        LimitId::ClusterNodes => aks::cluster_nodes(estate),
        LimitId::ClusterPools => aks::cluster_pools(estate),
        LimitId::PoolNodes => aks::pool_nodes(estate),
    };
    out.sort_by(|a, b| a.resource.cmp(&b.resource).then(a.counted.cmp(&b.counted)));
    out
}

/// For each limit that applies to the estate, its largest usage (ties: the first resource).
pub fn headroom(estate: &Estate, counting: Counting) -> Vec<Usage> {
    LimitId::ALL
        .iter()
        .filter_map(|&l| {
            usages_of(estate, l, counting)
                .into_iter()
                .reduce(|best, u| if u.larger_share_than(&best) { u } else { best })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(used: u128, max: u128) -> Usage {
        Usage {
            limit: LimitId::NsgRules,
            resource: ResourceId::new("/subscriptions/s/resourceGroups/g/providers/x/y/z"),
            used,
            max,
            counted: String::new(),
        }
    }

    #[test]
    fn levels_start_at_eighty_percent_and_past_the_limit() {
        assert_eq!(usage(799, 1000).level(), Level::Within);
        assert_eq!(usage(800, 1000).level(), Level::Near);
        assert_eq!(usage(1000, 1000).level(), Level::Near);
        assert_eq!(usage(1001, 1000).level(), Level::Over);
        assert_eq!(usage(1001, 1000).headroom(), -1);
        assert_eq!(usage(999, 1000).percent(), 99);
        assert_eq!(usage(1001, 1000).percent(), 101);
        assert_eq!(usage(1, 0).level(), Level::Over);
        assert_eq!(usage(0, 0).level(), Level::Within);
        assert_eq!(usage(0, 0).percent(), 0);
        // An IPv6 /3 subnet's usable addresses do not overflow the arithmetic.
        let huge = (1u128 << 125) - 5;
        assert_eq!(usage(huge, huge).level(), Level::Near);
        assert_eq!(usage(huge / 2, huge).level(), Level::Within);
        assert_eq!(usage(huge, huge).percent(), 100);
        assert!(usage(huge, huge).larger_share_than(&usage(1, 2)));
    }
}

#[cfg(test)]
mod counting_tests;
