//! Azure Firewall limits: network rule combinations, rule collection groups per policy and
//! their size. [FW-LIMITS] (see [`crate::limits::FIREWALL_LIMITS`])

use aksnet_net::PortRange;

use super::Usage;
use crate::checked::port_range;
use crate::diagnostic::thousands;
use crate::estate::Estate;
use crate::firewall::{FirewallRule, NetworkRule, RuleCollection};
use crate::limits::LimitId;

/// How a destination port range counts toward the firewall's combinations. Microsoft's formula
/// counts "destination ports ÷ 14, rounded up" and does not say whether `1000-2000` is one
/// port or 1,001 (UNCONFIRMED, [FW-LIMITS] 2026 text); `*` is taken as one entry either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PortRanges {
    /// A range is one entry (the default: the formula names ports as written).
    #[default]
    Entries,
    /// A range counts each of its ports (`--switch firewall-port-ranges-expanded`).
    Expanded,
}

/// What is counted for one rule: its protocols, sources, destinations and ports as written.
struct Counts {
    protocols: usize,
    sources: usize,
    destinations: usize,
    ports: u128,
}

impl Counts {
    /// protocols × sources × destinations × ⌈ports ÷ 14⌉; an empty side counts as one.
    fn combinations(&self) -> u128 {
        let n = |x: usize| x.max(1) as u128;
        n(self.protocols) * n(self.sources) * n(self.destinations) * self.ports.max(1).div_ceil(14)
    }
}

/// One network rule's combinations: protocols × (addresses + IP groups) × (addresses + IP
/// groups + FQDNs) × port groups.
fn combinations(r: &NetworkRule, ranges: PortRanges) -> u128 {
    Counts {
        protocols: r.ip_protocols.len(),
        sources: r.source_addresses.len() + r.source_ip_groups.len(),
        destinations: r.destination_addresses.len()
            + r.destination_ip_groups.len()
            + r.destination_fqdns.len(),
        ports: ports(&r.destination_ports, ranges),
    }
    .combinations()
}

/// Ports as the formula counts them.
fn ports(list: &[String], ranges: PortRanges) -> u128 {
    list.iter()
        .map(|p| match (ranges, port_range(p)) {
            (PortRanges::Expanded, Ok(r)) if r != PortRange::ANY => u128::from(r.end - r.start) + 1,
            _ => 1,
        })
        .sum()
}

/// Network rule combinations per firewall policy (its own groups and its parents') and per
/// firewall with classic network rule collections. [FW-LIMITS]
pub fn rule_combinations(estate: &Estate, ranges: PortRanges) -> Vec<Usage> {
    let mut out = Vec::new();
    for policy in estate.firewall_policies.iter() {
        let chain = estate.policy_chain(&policy.id);
        let rules = chain
            .iter()
            .flat_map(|pid| estate.policy_groups(pid))
            .flat_map(|g| &g.properties.rule_collections)
            .filter_map(|c| match c {
                RuleCollection::Filter(f) => Some(&f.rules),
                RuleCollection::Nat(_) => None,
            })
            .flatten()
            .filter_map(|r| match r {
                FirewallRule::NetworkRule(r) => Some(r),
                _ => None,
            });
        let inherited = match chain.len() {
            1 => String::new(),
            n => format!(
                ", with the rules of {} parent polic{}",
                n - 1,
                if n == 2 { "y" } else { "ies" }
            ),
        };
        out.push(tally(
            &policy.id,
            rules,
            ranges,
            &format!("network rules{inherited}"),
        ));
    }
    for fw in estate.azure_firewalls.iter() {
        // A firewall with a policy is counted with its policy above (Azure does not take
        // classic collections on a firewall managed by a policy).
        if fw.properties.network_rule_collections.is_empty()
            || fw.properties.firewall_policy.is_some()
        {
            continue;
        }
        // A classic rule counts as the policy rule it converts to.
        let converted: Vec<NetworkRule> = fw
            .properties
            .network_rule_collections
            .iter()
            .flat_map(|c| &c.properties.rules)
            .filter_map(|r| match FirewallRule::from(r.clone()) {
                FirewallRule::NetworkRule(r) => Some(r),
                _ => None,
            })
            .collect();
        out.push(tally(
            &fw.id,
            converted.iter(),
            ranges,
            "classic network rules",
        ));
    }
    out
}

/// The combinations of `rules` as one usage of `resource`.
fn tally<'a>(
    resource: &crate::id::ResourceId,
    rules: impl Iterator<Item = &'a NetworkRule>,
    ranges: PortRanges,
    what: &str,
) -> Usage {
    let (mut total, mut n) = (0u128, 0usize);
    for r in rules {
        total += combinations(r, ranges);
        n += 1;
    }
    let counted = format!("{} combinations from {n} {what}", thousands(total));
    Usage::fixed(LimitId::FirewallRuleCombinations, resource, total, counted)
}

/// Rule collection groups per policy. [FW-LIMITS]
pub fn policy_groups(estate: &Estate) -> Vec<Usage> {
    estate
        .firewall_policies
        .iter()
        .map(|p| {
            let n = estate.policy_groups(&p.id).count() as u128;
            Usage::fixed(
                LimitId::PolicyRuleCollectionGroups,
                &p.id,
                n,
                format!("{n} rule collection groups"),
            )
        })
        .collect()
}

/// Each rule collection group's properties as compact JSON. An estimate: Azure measures its own
/// stored form. [FW-LIMITS]
pub fn group_sizes(estate: &Estate) -> Vec<Usage> {
    estate
        .rule_collection_groups
        .iter()
        .map(|g| {
            let bytes = serde_json::to_vec(&g.properties).map_or(0, |v| v.len()) as u128;
            let n = g.properties.rule_collections.len();
            let counted = format!(
                "{} bytes of properties as JSON in {n} rule collection{} (an estimate of Azure's stored size)",
                thousands(bytes),
                if n == 1 { "" } else { "s" }
            );
            Usage::fixed(LimitId::RuleCollectionGroupSize, &g.id, bytes, counted)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn ports_count_in_fourteens() {
        // 2 protocols × 3 sources × 2 destinations × ⌈15 ÷ 14⌉ = 24.
        let c = Counts {
            protocols: 2,
            sources: 3,
            destinations: 2,
            ports: 15,
        };
        assert_eq!(c.combinations(), 24);
        let c = Counts {
            protocols: 1,
            sources: 1,
            destinations: 1,
            ports: 14,
        };
        assert_eq!(c.combinations(), 1);
    }

    #[test]
    fn a_port_range_is_one_entry_unless_expanded() {
        let list = s(&["443", "1000-2000", "*"]);
        assert_eq!(ports(&list, PortRanges::Entries), 3);
        assert_eq!(ports(&list, PortRanges::Expanded), 1 + 1001 + 1);
    }
}
