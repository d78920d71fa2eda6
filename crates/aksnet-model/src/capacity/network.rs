//! Network limits: routes per route table, rules and addresses per NSG, peerings per VNet.

use std::collections::BTreeMap;

use super::Usage;
use crate::aks::NetworkMode;
use crate::diagnostic::thousands;
use crate::estate::Estate;
use crate::id::ResourceId;
use crate::limits::LimitId;

/// Routes per route table: the table's own routes, plus the route per node AKS writes into the
/// node subnets' table of a kubenet cluster (which is why kubenet stops at 400 nodes). A kubenet
/// cluster whose node subnets use no route table of the estate gets one AKS creates in its node
/// resource group, holding only the node routes: that table is a usage on the cluster.
/// [AKS-KUBENET] §6.2
pub fn route_table_routes(estate: &Estate) -> Vec<Usage> {
    let mut kubenet: BTreeMap<ResourceId, Vec<(String, u128)>> = BTreeMap::new();
    let mut out = Vec::new();
    for mc in estate.managed_clusters.iter() {
        if mc.properties.network_mode() != Some(NetworkMode::Kubenet) {
            continue;
        }
        let nodes = u128::from(super::aks::nodes_with_surge(&mc.properties));
        let mut tables: Vec<ResourceId> = mc
            .properties
            .agent_pool_profiles
            .iter()
            .filter_map(|p| estate.subnet(p.vnet_subnet_id.as_ref()?))
            .filter_map(|(_, s)| Some(s.properties.route_table.as_ref()?.id.clone()))
            .collect();
        tables.sort();
        tables.dedup();
        if tables.is_empty() {
            let counted = format!(
                "{} node routes at full scale in the route table AKS creates for kubenet cluster `{}`",
                thousands(nodes),
                mc.name
            );
            out.push(Usage::fixed(
                LimitId::RouteTableRoutes,
                &mc.id,
                nodes,
                counted,
            ));
        }
        for t in tables {
            kubenet.entry(t).or_default().push((mc.name.clone(), nodes));
        }
    }
    out.extend(estate.route_tables.iter().map(|rt| {
        let own = rt.properties.routes.len() as u128;
        let mut counted = format!("{} routes", thousands(own));
        let mut used = own;
        for (cluster, nodes) in kubenet.get(&rt.id).into_iter().flatten() {
            counted.push_str(&format!(
                " + {} node routes of kubenet cluster `{cluster}` at full scale",
                thousands(*nodes)
            ));
            used += nodes;
        }
        Usage::fixed(LimitId::RouteTableRoutes, &rt.id, used, counted)
    }));
    out
}

/// Security rules per NSG (the default rules do not count). [NET-LIMITS]
pub fn nsg_rules(estate: &Estate) -> Vec<Usage> {
    estate
        .network_security_groups
        .iter()
        .map(|nsg| {
            let n = nsg.properties.security_rules.len() as u128;
            Usage::fixed(
                LimitId::NsgRules,
                &nsg.id,
                n,
                format!("{} rules", thousands(n)),
            )
        })
        .collect()
}

/// Addresses and ranges named on each side of an NSG's rules, over all its rules; the larger
/// side is the usage. A service tag, `*` or an application security group is not an address.
/// [NET-LIMITS]
pub fn nsg_rule_addresses(estate: &Estate) -> Vec<Usage> {
    estate
        .network_security_groups
        .iter()
        .map(|nsg| {
            let (mut src, mut dst) = (0u128, 0u128);
            for r in &nsg.properties.security_rules {
                let p = &r.properties;
                src += addresses(
                    p.source_address_prefix
                        .iter()
                        .chain(&p.source_address_prefixes),
                );
                dst += addresses(
                    p.destination_address_prefix
                        .iter()
                        .chain(&p.destination_address_prefixes),
                );
            }
            let (used, side) = if dst > src {
                (dst, "destination")
            } else {
                (src, "source")
            };
            let counted = format!(
                "{} on the {side} side ({} source, {} destination)",
                thousands(used),
                thousands(src),
                thousands(dst)
            );
            Usage::fixed(LimitId::NsgRuleAddresses, &nsg.id, used, counted)
        })
        .collect()
}

/// How many of these NSG address fields are IP addresses or ranges (not `*`, not a tag).
fn addresses<'a>(fields: impl Iterator<Item = &'a String>) -> u128 {
    fields
        .filter(|a| crate::checked::is_rule_address(a))
        .count() as u128
}

/// Peerings per virtual network. [NET-LIMITS]
pub fn vnet_peerings(estate: &Estate) -> Vec<Usage> {
    estate
        .virtual_networks
        .iter()
        .map(|v| {
            let n = v.properties.virtual_network_peerings.len() as u128;
            Usage::fixed(
                LimitId::VnetPeerings,
                &v.id,
                n,
                format!("{} peerings", thousands(n)),
            )
        })
        .collect()
}
