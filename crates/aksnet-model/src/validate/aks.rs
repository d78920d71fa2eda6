//! AKS network-profile checks (azure-semantics §6): reserved ranges, service and pod CIDRs,
//! DNS service IP, maxPods, subnet capacity at full scale, UDR egress prerequisites, API server
//! subnet. kubenet's 400 nodes are the route table's 400 routes, counted by
//! [`crate::capacity::network::route_table_routes`] (AKS-CAP-001).

use std::net::IpAddr;

use aksnet_net::{Prefix, PrefixSet};

use super::{thousands, Sink};
use crate::aks::{
    pod_cidr_holds, pod_cidr_len_for, pod_cidr_node_slots, ManagedCluster, NetworkMode,
};
use crate::azure;
use crate::capacity::{self, Level};
use crate::estate::Estate;
use crate::id::ResourceId;
use crate::network::NextHopType;
use crate::resource::Resource;

pub(super) fn check(estate: &Estate, sink: &mut Sink) {
    let onprem = on_premises(estate);
    for mc in estate.managed_clusters.iter() {
        pools(mc, estate, sink);
        cidrs(mc, estate, &onprem, sink);
        udr_egress(mc, estate, sink);
        api_server_subnet(mc, estate, sink);
    }
    subnet_capacity(estate, sink);
}

/// On-premises prefixes: the estate's own list plus every local network gateway's.
pub(crate) fn on_premises(estate: &Estate) -> PrefixSet {
    let mut set: PrefixSet = estate.on_premises_prefixes.iter().collect();
    for lng in estate.local_network_gateways.iter() {
        set = set.union(&lng.properties.prefixes().iter().collect());
    }
    set
}

/// The VNets a cluster's node subnets sit in.
fn cluster_vnets(mc: &Resource<ManagedCluster>) -> Vec<ResourceId> {
    mc.properties.node_vnets().into_iter().collect()
}

fn pools(mc: &Resource<ManagedCluster>, estate: &Estate, sink: &mut Sink) {
    for pool in &mc.properties.agent_pool_profiles {
        if let Some(mp) = pool
            .max_pods
            .filter(|mp| !azure::MAX_PODS_RANGE.contains(mp))
        {
            sink.error(
                "aks-max-pods-out-of-range",
                &mc.id,
                format!(
                    "node pool `{}` has maxPods {mp}; AKS accepts 10-250",
                    pool.name
                ),
                "set maxPods between 10 and 250 (azure-semantics §6.2)",
            );
        }
        if let Some(sid) = &pool.vnet_subnet_id {
            if let Some((_, s)) = estate.subnet(sid) {
                if !s.properties.delegations.is_empty() {
                    sink.error(
                        "aks-node-subnet-delegated",
                        &mc.id,
                        format!("node pool `{}` uses subnet `{}`, which is delegated; AKS node subnets cannot be delegated", pool.name, s.name),
                        "use an undelegated subnet for nodes (azure-semantics §6.2)",
                    );
                }
            }
        }
    }
}

fn cidrs(mc: &Resource<ManagedCluster>, estate: &Estate, onprem: &PrefixSet, sink: &mut Sink) {
    let np = &mc.properties.network_profile;
    let reserved = azure::prefixes(&azure::AKS_RESERVED_RANGES);
    let mut vnet_space = PrefixSet::new();
    let mut peer_space = PrefixSet::new();
    for vid in cluster_vnets(mc) {
        let Some(vnet) = estate.virtual_networks.get(&vid) else {
            continue;
        };
        for p in &vnet.properties.address_space.address_prefixes {
            vnet_space.insert(*p);
            for r in reserved.iter().filter(|r| r.overlaps(p)) {
                sink.error(
                    "aks-reserved-range",
                    &mc.id,
                    format!(
                        "cluster VNet `{}` space {p} overlaps {r}, which AKS reserves",
                        vnet.name
                    ),
                    "re-address the VNet outside 169.254/16, 172.30/16, 172.31/16 and 192.0.2/24",
                );
            }
        }
        for peering in &vnet.properties.virtual_network_peerings {
            if let Some(remote) = estate
                .virtual_networks
                .get(&peering.properties.remote_virtual_network.id)
            {
                peer_space = peer_space.union(
                    &remote
                        .properties
                        .address_space
                        .address_prefixes
                        .iter()
                        .collect(),
                );
            }
        }
    }
    let mode = mc.properties.network_mode();
    let pod_cidr = np
        .pod_cidr
        .filter(|_| matches!(mode, Some(NetworkMode::Overlay | NetworkMode::Kubenet)));
    let named: [(&str, Option<Prefix>); 2] =
        [("service CIDR", np.service_cidr), ("pod CIDR", pod_cidr)];
    for (what, cidr) in named {
        let Some(cidr) = cidr else { continue };
        for r in reserved.iter().filter(|r| r.overlaps(&cidr)) {
            sink.error(
                "aks-reserved-range",
                &mc.id,
                format!("{what} {cidr} overlaps {r}, which AKS reserves"),
                "pick a range outside 169.254/16, 172.30/16, 172.31/16 and 192.0.2/24 (172.16.0.0/16 is fine)",
            );
        }
        let clashes = [
            ("the cluster VNet", &vnet_space),
            ("a peered VNet", &peer_space),
            ("on-premises", onprem),
        ];
        for (place, space) in clashes {
            let hit = space.intersection(&[cidr].into_iter().collect());
            if !hit.is_empty() {
                // Name the network's own prefixes, then what they share with the CIDR.
                let theirs: Vec<String> = space
                    .prefixes()
                    .into_iter()
                    .filter(|p| p.overlaps(&cidr))
                    .map(|p| p.to_string())
                    .collect();
                let shared = if theirs == [cidr.to_string()] {
                    String::new()
                } else {
                    format!("; in common: {hit}")
                };
                sink.error(
                    "aks-cidr-overlap",
                    &mc.id,
                    format!("{what} {cidr} overlaps {place} ({}{shared})", theirs.join(", ")),
                    format!("choose a {what} that no routed network uses; packets to it would never leave the node"),
                );
            }
        }
    }
    if let Some(svc) = np.service_cidr {
        if svc.len() < azure::SERVICE_CIDR_MIN_LEN {
            sink.error(
                "aks-service-cidr-too-large",
                &mc.id,
                format!(
                    "service CIDR {svc} is /{}; AKS requires it smaller than /12",
                    svc.len()
                ),
                "use a /16 or smaller, e.g. 172.16.0.0/16",
            );
        }
        if let Some(pod) = pod_cidr.filter(|p| p.overlaps(&svc)) {
            sink.error(
                "aks-cidr-overlap",
                &mc.id,
                format!("service CIDR {svc} overlaps pod CIDR {pod}"),
                "give services and pods separate ranges",
            );
        }
        dns_service_ip(mc, &svc, sink);
    }
    if let Some((pod, stated)) = mc.properties.pod_cidr_in_use() {
        let nodes = u128::from(capacity::aks::nodes_with_surge(&mc.properties));
        if !pod_cidr_holds(&pod, nodes) {
            let slots = pod_cidr_node_slots(&pod);
            let whose = if stated {
                ""
            } else {
                " (AKS's default, as the cluster states none)"
            };
            sink.error(
                "aks-pod-cidr-too-small",
                &mc.id,
                format!("pod CIDR {pod}{whose} holds {slots} node /24s, but the cluster can reach {nodes} nodes with surge"),
                format!("use a /{} or larger pod CIDR; each node takes one /24", pod_cidr_len_for(nodes)),
            );
        }
    }
}

/// `dnsServiceIP` inside the service CIDR, not its network or first address. [AKS-CNI-OVERVIEW] §6.4
fn dns_service_ip(mc: &Resource<ManagedCluster>, svc: &Prefix, sink: &mut Sink) {
    let Some(ip) = mc.properties.network_profile.dns_service_ip.as_deref() else {
        return;
    };
    match ip.parse::<IpAddr>() {
        Err(_) => sink.error(
            "aks-dns-service-ip-invalid",
            &mc.id,
            format!("dnsServiceIP `{ip}` is not an IP address"),
            "use an address inside the service CIDR, e.g. its .10",
        ),
        Ok(addr) if !svc.contains_addr(addr) => sink.error(
            "aks-dns-service-ip-outside",
            &mc.id,
            format!("dnsServiceIP {addr} is not inside service CIDR {svc}"),
            format!(
                "use an address inside {svc}, e.g. {}",
                svc.nth(10).map(|a| a.to_string()).unwrap_or_default()
            ),
        ),
        Ok(addr) if Some(addr) == svc.nth(0) || Some(addr) == svc.nth(1) => sink.error(
            "aks-dns-service-ip-first",
            &mc.id,
            format!(
                "dnsServiceIP {addr} is the {} address of {svc}",
                if Some(addr) == svc.nth(0) {
                    "network"
                } else {
                    "first (kubernetes.default)"
                }
            ),
            format!(
                "use another address, e.g. {}",
                svc.nth(10).map(|a| a.to_string()).unwrap_or_default()
            ),
        ),
        Ok(_) => {}
    }
}

/// `outboundType: userDefinedRouting` needs a 0/0 route to an appliance or VPN gateway on every
/// node subnet before the cluster is created; 0/0 → Internet is rejected. [AKS-UDR] §6.5
fn udr_egress(mc: &Resource<ManagedCluster>, estate: &Estate, sink: &mut Sink) {
    if !mc
        .properties
        .network_profile
        .outbound_type
        .eq_ignore_ascii_case("userDefinedRouting")
    {
        return;
    }
    let mut subnets: Vec<&ResourceId> = mc
        .properties
        .agent_pool_profiles
        .iter()
        .filter_map(|p| p.vnet_subnet_id.as_ref())
        .collect();
    subnets.sort();
    subnets.dedup();
    for sid in subnets {
        let Some((_, s)) = estate.subnet(sid) else {
            continue;
        };
        let rt = s
            .properties
            .route_table
            .as_ref()
            .and_then(|r| estate.route_tables.get(&r.id));
        let default = rt.and_then(|rt| {
            rt.properties
                .routes
                .iter()
                .find(|r| r.properties.address_prefix.is_default_route())
        });
        let problem = match default.map(|r| r.properties.next_hop_type) {
            Some(NextHopType::VirtualAppliance | NextHopType::VirtualNetworkGateway) => continue,
            Some(other) => format!("its 0.0.0.0/0 route goes to {other:?}; AKS accepts only VirtualAppliance or VirtualNetworkGateway"),
            None if rt.is_none() => "it has no route table".to_string(),
            None => "its route table has no 0.0.0.0/0 route".to_string(),
        };
        sink.error(
            "aks-udr-without-default-route",
            &mc.id,
            format!("cluster `{}` uses outboundType userDefinedRouting, but node subnet `{}`: {problem}", mc.name, s.name),
            "associate a route table with 0.0.0.0/0 -> VirtualAppliance (the firewall's private IP) before creating the cluster",
        );
    }
}

/// API server VNet integration subnet: exists, delegated, at least /28. [AKS-APIVNET] §5.4
fn api_server_subnet(mc: &Resource<ManagedCluster>, estate: &Estate, sink: &mut Sink) {
    let Some(api) = &mc.properties.api_server_access_profile else {
        return;
    };
    if api.enable_vnet_integration != Some(true) {
        return;
    }
    let Some(sid) = &api.subnet_id else {
        sink.error(
            "aks-api-subnet-missing",
            &mc.id,
            "API server VNet integration is on but no subnetId is set".to_string(),
            "add a delegated /28 subnet and set apiServerAccessProfile.subnetId",
        );
        return;
    };
    let Some((_, s)) = estate.subnet(sid) else {
        return;
    };
    let delegated = s.properties.delegations.iter().any(|d| {
        d.properties
            .service_name
            .eq_ignore_ascii_case(azure::API_SERVER_DELEGATION)
    });
    if !delegated {
        sink.error(
            "aks-api-subnet-not-delegated",
            sid,
            format!(
                "API server subnet `{}` is not delegated to {}",
                s.name,
                azure::API_SERVER_DELEGATION
            ),
            "add the delegation",
        );
    }
    if s.properties.address_prefix.len() > azure::API_SERVER_SUBNET_MIN_LEN {
        sink.error(
            "aks-api-subnet-too-small",
            sid,
            format!(
                "API server subnet `{}` is {}; AKS needs /28 or larger",
                s.name, s.properties.address_prefix
            ),
            "resize it to /28",
        );
    }
}

/// Every subnet holds what is placed in it at full scale ([`crate::capacity::aks::subnet_demand`]).
/// [AKS-IPPLAN] §6.3, [VNETFAQ] §1.1
fn subnet_capacity(estate: &Estate, sink: &mut Sink) {
    for mc in estate.managed_clusters.iter() {
        if mc.properties.network_mode().is_none() {
            sink.warn(
                "aks-network-plugin-unknown",
                &mc.id,
                format!("cluster `{}` states neither networkPlugin nor kubernetesVersion, so the plugin AKS picks (kubenet below 1.30, Azure CNI Overlay from 1.30) is unknown; its pools' subnet demand is not checked", mc.name),
                "state networkProfile.networkPlugin (or kubernetesVersion) in the input",
            );
        }
    }
    for u in capacity::aks::subnet_addresses(estate) {
        let Some((_, s)) = estate.subnet(&u.resource) else {
            continue;
        };
        if u.level() == Level::Over {
            sink.error(
                "subnet-capacity-exceeded",
                &u.resource,
                format!("{}; `{}` has {} usable (total needed {})", u.counted, s.properties.address_prefix, thousands(u.max), thousands(u.used)),
                "enlarge the subnet, lower maxCount or maxPods, or move to Azure CNI Overlay (pods stop consuming subnet IPs)",
            );
        }
    }
}
