//! Address-space checks: VNet spaces, subnets inside them, overlaps, peered VNets, subnet sizes.

use aksnet_net::{Family, Prefix, PrefixSet};

use super::{subnet_id, Sink};
use crate::azure;
use crate::estate::Estate;

pub(super) fn check(estate: &Estate, sink: &mut Sink) {
    vnet_spaces(estate, sink);
    subnets(estate, sink);
    peerings(estate, sink);
}

/// VNet address spaces: no forbidden ranges [VNETFAQ] §1.3, no overlap within the VNet.
fn vnet_spaces(estate: &Estate, sink: &mut Sink) {
    let forbidden = azure::prefixes(&azure::VNET_FORBIDDEN);
    for vnet in estate.virtual_networks.iter() {
        let space = &vnet.properties.address_space.address_prefixes;
        if space.is_empty() {
            sink.error(
                "vnet-without-address-space",
                &vnet.id,
                format!("virtual network `{}` has no address space", vnet.name),
                "give it at least one prefix, e.g. 10.240.0.0/16",
            );
        }
        for p in space {
            for f in forbidden.iter().filter(|f| f.overlaps(p)) {
                sink.error(
                    "vnet-forbidden-range",
                    &vnet.id,
                    format!("address space {p} of `{}` overlaps {f}, which Azure does not allow in a VNet", vnet.name),
                    "use RFC 1918 space (10/8, 172.16/12, 192.168/16) or 100.64.0.0/10",
                );
            }
        }
        for (i, a) in space.iter().enumerate() {
            for b in &space[i + 1..] {
                if a.overlaps(b) {
                    sink.error(
                        "vnet-space-overlap",
                        &vnet.id,
                        format!("address prefixes {a} and {b} of `{}` overlap", vnet.name),
                        "list disjoint prefixes in addressSpace",
                    );
                }
            }
        }
    }
}

/// Subnets: inside the VNet [VNETFAQ] §1.4, sizes /29–/2 (IPv6 /64) §1.2, no overlap §1.4,
/// special subnets' sizes §4.4 §5.1 §5.2.
fn subnets(estate: &Estate, sink: &mut Sink) {
    for vnet in estate.virtual_networks.iter() {
        let space: PrefixSet = vnet.properties.space();
        let mut seen: Vec<(Prefix, &str)> = Vec::new();
        for s in &vnet.properties.subnets {
            let id = subnet_id(vnet, s);
            let p = s.properties.address_prefix;
            if !space.contains(&p) {
                sink.error(
                    "subnet-outside-vnet",
                    &id,
                    format!(
                        "subnet `{}` ({p}) is not inside the address space of `{}` ({space})",
                        s.name, vnet.name
                    ),
                    "move the subnet into the VNet's space or add a prefix to the VNet",
                );
            }
            size_limits(&id, &s.name, &p, sink);
            for (q, other) in &seen {
                if q.overlaps(&p) {
                    sink.error(
                        "subnet-overlap",
                        &id,
                        format!("subnet `{}` ({p}) overlaps subnet `{other}` ({q}) in `{}`", s.name, vnet.name),
                        "give each subnet its own range; `aksnet plan` shows a non-overlapping layout",
                    );
                }
            }
            seen.push((p, &s.name));
        }
    }
}

fn size_limits(id: &crate::id::ResourceId, name: &str, p: &Prefix, sink: &mut Sink) {
    match p.family() {
        Family::V4 if p.len() > azure::MIN_SUBNET_V4_LEN => sink.error(
            "subnet-too-small",
            id,
            format!(
                "subnet `{name}` is {p}; Azure's smallest IPv4 subnet is /29 (3 usable addresses)"
            ),
            "use /29 or larger",
        ),
        Family::V4 if p.len() < azure::MAX_SUBNET_V4_LEN => sink.error(
            "subnet-too-large",
            id,
            format!("subnet `{name}` is {p}; Azure's largest IPv4 subnet is /2"),
            "split the range",
        ),
        Family::V6 if p.len() != azure::SUBNET_V6_LEN => sink.error(
            "subnet-ipv6-not-64",
            id,
            format!("IPv6 subnet `{name}` is {p}; Azure IPv6 subnets must be exactly /64"),
            "use a /64",
        ),
        _ => {}
    }
    if let Some(special) = azure::special_subnet(name) {
        if p.len() > special.min_size_len {
            sink.error(
                "special-subnet-too-small",
                id,
                format!(
                    "`{name}` is {p} ({} usable); Azure requires /{} or larger",
                    azure::usable_addresses(p),
                    special.min_size_len
                ),
                format!(
                    "resize it to /{} ({})",
                    special.min_size_len, special.source
                ),
            );
        } else if let Some(rec) = special.recommended_len.filter(|r| p.len() > *r) {
            sink.warn(
                "special-subnet-below-recommended",
                id,
                format!("`{name}` is {p}; Microsoft recommends /{rec} or larger"),
                format!(
                    "resize it to /{rec} before gateways are deployed ({})",
                    special.source
                ),
            );
        }
    }
}

/// Peerings: remote exists, spaces disjoint [VNETFAQ] §1.5, both directions present (a one-sided
/// peering stays `Initiated`, §2.7), gateway transit constraints [PEERMG] §2.7.
fn peerings(estate: &Estate, sink: &mut Sink) {
    for vnet in estate.virtual_networks.iter() {
        let local: PrefixSet = vnet.properties.space();
        let remote_gw_count = vnet
            .properties
            .virtual_network_peerings
            .iter()
            .filter(|p| p.properties.use_remote_gateways)
            .count();
        if remote_gw_count > 1 {
            sink.error(
                "peering-multiple-remote-gateways",
                &vnet.id,
                format!(
                    "`{}` has {remote_gw_count} peerings with useRemoteGateways; Azure allows one",
                    vnet.name
                ),
                "keep useRemoteGateways on the hub peering only",
            );
        }
        for peering in &vnet.properties.virtual_network_peerings {
            let pid = peering
                .id
                .clone()
                .unwrap_or_else(|| vnet.id.child("virtualNetworkPeerings", &peering.name));
            let remote_id = &peering.properties.remote_virtual_network.id;
            let Some(remote) = estate.virtual_networks.get(remote_id) else {
                sink.warn(
                    "peering-remote-unknown",
                    &pid,
                    format!(
                        "peering `{}` points to `{remote_id}`, which is not in this estate",
                        peering.name
                    ),
                    "include the remote VNet (import it too) so paths through it can be checked",
                );
                continue;
            };
            let theirs: PrefixSet = remote.properties.space();
            let clash = local.intersection(&theirs);
            if !clash.is_empty() && vnet.id < remote.id {
                sink.error(
                    "peering-overlap",
                    &pid,
                    format!(
                        "peered VNets `{}` and `{}` overlap on {clash}",
                        vnet.name, remote.name
                    ),
                    "Azure cannot peer overlapping VNets; re-address one of them",
                );
            }
            let back = remote
                .properties
                .virtual_network_peerings
                .iter()
                .find(|b| b.properties.remote_virtual_network.id == vnet.id);
            match back {
                None => sink.warn(
                    "peering-one-sided",
                    &pid,
                    format!("`{}` peers with `{}` but not the other way round; the peering stays Initiated and carries no traffic", vnet.name, remote.name),
                    format!("add a peering on `{}` back to `{}`", remote.name, vnet.name),
                ),
                Some(back) if peering.properties.use_remote_gateways => {
                    let has_gw = estate.virtual_network_gateways.iter().any(|g| {
                        g.properties.ip_configurations.iter().any(|c| {
                            c.properties.subnet.id.parent().as_ref() == Some(&remote.id)
                        })
                    });
                    if !back.properties.allow_gateway_transit || !has_gw {
                        sink.error(
                            "peering-remote-gateway-unavailable",
                            &pid,
                            format!(
                                "`{}` uses remote gateways of `{}`, which {}",
                                vnet.name,
                                remote.name,
                                if has_gw { "does not allow gateway transit" } else { "has no gateway" }
                            ),
                            "set allowGatewayTransit on the hub's peering and deploy the gateway in the hub, or turn useRemoteGateways off",
                        );
                    }
                }
                Some(_) => {}
            }
        }
    }
}
