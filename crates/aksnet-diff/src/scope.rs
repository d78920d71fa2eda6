//! Where a change can be seen, so that flows it cannot touch are not computed again.
//!
//! A changed resource touches the VNets its JSON names (a NIC's subnet, a cluster's node
//! subnets, a peering's remote), the VNets whose JSON names it (a subnet's NSG, route table or
//! NAT gateway), and the VNets named by any resource that names it (an NSG on a NIC). When all
//! of them are spokes — no more than one peering, no gateway, no firewall or appliance subnet —
//! a flow between two places outside them, which crosses only the hub, cannot change: from a
//! source outside them only the packets addressed into them, or to a device that delivers into
//! them (an Application Gateway with a backend there, their clusters' public API servers, a
//! firewall's DNAT), are compared; when only inbound NSG rules changed, from inside them too,
//! and only the packets addressed to the subnets those NSGs guard or to a device that delivers
//! into the spokes.
//! Anything else (the hub, the firewall and its policy, gateways, DNS, a type aksnet does not
//! model, the on-premises prefixes) makes every flow comparable again.

use std::collections::BTreeSet;

use aksnet_engine::routes::NextHop;
use aksnet_engine::DataPlane;
use aksnet_model::Maybe;
use aksnet_net::PrefixSet;
use serde_json::Value;

use crate::resources::ResourceChanges;
use crate::Side;

/// Where the change between two estates can be seen.
#[derive(Clone, Debug, PartialEq)]
pub enum Reach {
    /// Anywhere: every flow is compared.
    Everywhere,
    /// Only in these spokes (lowercase VNet ids), whose address spaces are `space`.
    Spokes {
        /// The VNets.
        vnets: BTreeSet<String>,
        /// Their address spaces, in either estate (for an inbound-only change, only where it
        /// can decide: [`decided_by`]), with the addresses outside them that deliver into
        /// them: their own public endpoints (a client in another spoke may reach those through
        /// the Internet), Application Gateways with a backend in them, and firewalls' public
        /// addresses (DNAT).
        space: PrefixSet,
        /// `space` with every public address of the estates: from the Internet and
        /// on-premises a DNAT rule on the firewall's address, or any public IP, may deliver
        /// into the spokes.
        from_outside: PrefixSet,
        /// Every change is to inbound NSG rules, which decide only what enters the spokes'
        /// subnets (replies pass NSGs statefully): from inside the spokes too, only packets
        /// delivered into them can change.
        inbound_only: bool,
    },
}

/// Types whose change is seen only where the resources naming them, or named by them, are.
const LOCAL: &[&str] = &[
    "microsoft.network/virtualnetworks",
    "microsoft.network/virtualnetworks/subnets",
    "microsoft.network/virtualnetworks/virtualnetworkpeerings",
    "microsoft.network/networksecuritygroups",
    "microsoft.network/networksecuritygroups/securityrules",
    "microsoft.network/routetables",
    "microsoft.network/routetables/routes",
    "microsoft.network/natgateways",
    "microsoft.network/networkinterfaces",
    "microsoft.network/applicationsecuritygroups",
    "microsoft.network/privateendpoints",
    "microsoft.network/loadbalancers",
    "microsoft.network/applicationgateways",
    "microsoft.network/publicipaddresses",
    "microsoft.containerservice/managedclusters",
    "microsoft.containerservice/managedclusters/agentpools",
];

/// The type of a resource id (`Microsoft.Network/virtualNetworks/subnets`), lower case.
fn type_of(id: &str) -> String {
    let lower = id.to_ascii_lowercase();
    let Some(at) = lower.rfind("/providers/") else {
        return String::new();
    };
    let segs: Vec<&str> = lower[at + "/providers/".len()..].split('/').collect();
    let mut t = vec![segs.first().copied().unwrap_or("")];
    t.extend(segs.iter().skip(1).step_by(2));
    t.join("/")
}

/// The VNet ids (lower case) a JSON value names: VNet ids, and the VNets of subnet ids.
fn vnets_named(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            let l = s.to_ascii_lowercase();
            if let Some(at) = l.find("/providers/microsoft.network/virtualnetworks/") {
                let rest = &l[at + "/providers/microsoft.network/virtualnetworks/".len()..];
                let name = rest.split('/').next().unwrap_or("");
                if !name.is_empty() {
                    out.insert(format!(
                        "{}{}",
                        &l[..at + "/providers/microsoft.network/virtualnetworks/".len()],
                        name
                    ));
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| vnets_named(x, out)),
        Value::Object(o) => o.values().for_each(|x| vnets_named(x, out)),
        _ => {}
    }
}

/// The VNet a VNet's (or a VNet child's) lower-case id belongs to.
fn own_vnet(id: &str) -> Option<String> {
    let key = "/providers/microsoft.network/virtualnetworks/";
    let at = id.find(key)?;
    let name = id[at + key.len()..].split('/').next()?;
    Some(format!("{}{name}", &id[..at + key.len()]))
}

/// Whether the VNet `id` carries traffic between others: more than one peering, a gateway, a
/// subnet for a firewall or Route Server, or an appliance some route sends packets to
/// (packets addressed elsewhere then enter it).
fn transit(dp: &DataPlane, id: &str) -> bool {
    let t = &dp.topology;
    t.vnets.iter().any(|v| {
        v.id.as_str().eq_ignore_ascii_case(id)
            && (v.peers.len() > 1
                || v.gateway.is_some()
                || v.subnets.iter().any(|s| {
                    let n = t.subnets[*s].name.to_ascii_lowercase();
                    matches!(
                        n.as_str(),
                        "azurefirewallsubnet" | "gatewaysubnet" | "routeserversubnet"
                    )
                })
                || dp.routes.iter().flatten().any(|r| {
                    matches!(&r.next_hop, NextHop::VirtualAppliance(Maybe::Known(ip))
                        if v.space.contains_addr(*ip))
                }))
    })
}

/// Whether packets addressed to endpoint `e` may be delivered into `vnets` (lowercase ids,
/// whose address spaces are `space`): an endpoint of their own, an Application Gateway whose
/// backend is in them (the backend the engine follows, [`aksnet_model::appgw`]'s first one), a
/// public API server of a cluster whose nodes are in them (its authorized ranges belong to the
/// spoke), and a firewall's public address, whose DNAT rules may translate into them.
fn delivers_into(
    dp: &DataPlane,
    e: &aksnet_engine::endpoints::Endpoint,
    vnets: &BTreeSet<String>,
    space: &PrefixSet,
) -> bool {
    use aksnet_engine::endpoints::EndpointKind;
    let own = e
        .subnet
        .is_some_and(|s| space.contains_addr(dp.topology.subnets[s].prefix.network()));
    match e.kind {
        EndpointKind::AppGatewayPublic | EndpointKind::AppGatewayPrivate => {
            own || dp
                .estate
                .application_gateways
                .get(&e.resource)
                .and_then(|a| a.properties.first_backend_ip())
                .is_some_and(|ip| space.contains_addr(ip))
        }
        EndpointKind::ApiServerPublic => {
            dp.estate
                .managed_clusters
                .get(&e.resource)
                .is_some_and(|mc| {
                    mc.properties
                        .node_vnets()
                        .iter()
                        .any(|v| vnets.contains(&v.as_str().to_ascii_lowercase()))
                })
        }
        EndpointKind::FirewallPublic => true,
        _ => own,
    }
}

/// Where the change between `base` and `head` can be seen; `texts` are their resources
/// ([`crate::resources::Texts`]).
pub fn of(
    base: &Side,
    head: &Side,
    texts: [&crate::resources::Texts; 2],
    changes: &ResourceChanges,
) -> Reach {
    if base.estate.on_premises_prefixes != head.estate.on_premises_prefixes {
        return Reach::Everywhere;
    }
    let changed: Vec<&String> = changes
        .added
        .iter()
        .chain(&changes.removed)
        .chain(changes.changed.iter().map(|c| &c.id))
        .collect();
    let mut vnets = BTreeSet::new();
    for id in changed {
        if !LOCAL.contains(&type_of(id).as_str()) {
            return Reach::Everywhere;
        }
        let id = id.to_ascii_lowercase();
        // A VNet whose peerings changed touches the VNets at their other ends too.
        let peerings = changes
            .added
            .iter()
            .chain(&changes.removed)
            .any(|a| a.eq_ignore_ascii_case(&id))
            || changes.changed.iter().any(|c| {
                c.id.eq_ignore_ascii_case(&id)
                    && c.properties
                        .iter()
                        .any(|p| p.starts_with("properties.virtualNetworkPeerings"))
            });
        for t in texts {
            match own_vnet(&id) {
                Some(own) if !peerings && !id.contains("/virtualnetworkpeerings/") => {
                    vnets.insert(own);
                }
                _ => {
                    if let Some(v) = t.value(&id) {
                        vnets_named(&v, &mut vnets);
                    }
                }
            }
            // What names the changed resource: a VNet is touched itself (not the VNets its
            // peerings name); anything else where its own subnets are.
            for rid in t.naming(&id) {
                match own_vnet(rid) {
                    Some(own) => {
                        vnets.insert(own);
                    }
                    None => {
                        if let Some(v) = t.value(rid) {
                            vnets_named(&v, &mut vnets);
                        }
                    }
                }
            }
        }
    }
    if vnets.is_empty()
        || vnets
            .iter()
            .any(|v| transit(base.plane, v) || transit(head.plane, v))
    {
        return Reach::Everywhere;
    }
    let mut space = PrefixSet::default();
    for dp in [base.plane, head.plane] {
        for v in dp.topology.vnets.iter() {
            if vnets.contains(&v.id.as_str().to_ascii_lowercase()) {
                space = space.union(&v.space);
            }
        }
    }
    let mut public = PrefixSet::default();
    let mut delivering = PrefixSet::default();
    for dp in [base.plane, head.plane] {
        for e in dp.endpoints.iter() {
            let host: PrefixSet = [aksnet_net::Prefix::from(e.ip)].into_iter().collect();
            if delivers_into(dp, e, &vnets, &space) {
                delivering = delivering.union(&host);
            }
            if !dp
                .topology
                .vnets
                .iter()
                .any(|v| v.space.contains_addr(e.ip))
            {
                public = public.union(&host);
            }
        }
    }
    let inbound_only = inbound_only(texts, changes);
    let space = if inbound_only {
        decided_by(changes, [base.plane, head.plane])
    } else {
        space
    };
    let space = space.union(&delivering);
    let from_outside = space.union(&public);
    Reach::Spokes {
        vnets,
        space,
        from_outside,
        inbound_only,
    }
}

/// Where an inbound-only change can decide differently: the subnets whose NSG, or a NIC's in
/// them, is a changed one. Packets addressed elsewhere in the spokes are delivered as
/// addressed, into subnets whose inbound rules are the same in both estates, unless a named
/// endpoint takes them on (an internal load balancer into its VNet's node subnet, an
/// Application Gateway to its backend): every endpoint in the spokes delivers into them
/// ([`delivers_into`]), so those stay compared.
fn decided_by(changes: &ResourceChanges, planes: [&DataPlane; 2]) -> PrefixSet {
    let changed = |id: &aksnet_model::ResourceId| {
        changes
            .changed
            .iter()
            .any(|c| c.id.eq_ignore_ascii_case(id.as_str()))
    };
    let mut out = PrefixSet::default();
    for dp in planes {
        let t = &dp.topology;
        for s in t.subnets.indices() {
            if t.subnets[s].nsg.as_ref().is_some_and(changed)
                || dp.nic_nsgs[s].iter().any(|n| changed(&n.nsg))
            {
                out = out.union(&[t.subnets[s].prefix].into_iter().collect());
            }
        }
    }
    out
}

/// Whether every change is to inbound security rules of NSGs: only NSGs changed, each only in
/// rules (`properties.securityRules[name]`, every changed path listed) that are inbound in
/// each estate holding them. An NSG added or removed changes outbound defaults too.
fn inbound_only(texts: [&crate::resources::Texts; 2], changes: &ResourceChanges) -> bool {
    let inbound = |nsg: &str, rule: &str| {
        texts.iter().all(|t| {
            let Some(v) = t.value(nsg) else { return true };
            v["properties"]["securityRules"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|r| {
                    r["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(rule))
                })
                .all(|r| r["properties"]["direction"].as_str() == Some("Inbound"))
        })
    };
    changes.added.is_empty()
        && changes.removed.is_empty()
        && changes.changed.iter().all(|c| {
            let id = c.id.to_ascii_lowercase();
            type_of(&id) == "microsoft.network/networksecuritygroups"
                && c.more == 0
                && c.properties.iter().all(|p| {
                    p.strip_prefix("properties.securityRules[")
                        .and_then(|rest| rest.split_once(']'))
                        .is_some_and(|(rule, _)| inbound(&id, rule))
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_vnets_of_ids() {
        assert_eq!(
            type_of("/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v/subnets/a"),
            "microsoft.network/virtualnetworks/subnets"
        );
        let mut out = BTreeSet::new();
        vnets_named(
            &serde_json::json!({"subnet": {"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/V1/subnets/a"}}),
            &mut out,
        );
        assert_eq!(
            out.into_iter().collect::<Vec<_>>(),
            ["/subscriptions/s/resourcegroups/r/providers/microsoft.network/virtualnetworks/v1"]
        );
    }
}
