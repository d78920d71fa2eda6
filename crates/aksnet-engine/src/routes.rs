//! Effective routes per subnet and route selection (azure-semantics §2, [UDR]).

use std::fmt;
use std::net::IpAddr;

use aksnet_model::network::{NextHopType, RouteDestination};
use aksnet_model::{Estate, Maybe, ResourceId, UnknownValue};
use aksnet_net::{Prefix, PrefixSet};
use serde::Serialize;

use crate::endpoints::{EndpointKind, Endpoints};
use crate::options::Options;
use crate::topology::{SubnetIx, Topology, VnetIx};

/// Where a route sends traffic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "nextHopType", content = "nextHopIpAddress")]
pub enum NextHop {
    /// Inside the VNet.
    VnetLocal,
    /// Across a peering to a remote VNet.
    VNetPeering(String),
    /// To the VPN/ExpressRoute gateway.
    VirtualNetworkGateway,
    /// To the Internet.
    Internet,
    /// To an NVA or firewall, at an address that a template may leave unknown until deployment
    /// (what such a route carries is then `unknown`: [`unknown_next_hop`]).
    VirtualAppliance(Maybe<IpAddr>),
    /// A private endpoint's /32.
    InterfaceEndpoint(IpAddr),
    /// A service endpoint's prefixes: straight to the service over the backbone.
    VirtualNetworkServiceEndpoint(String),
    /// Dropped.
    None,
}

impl fmt::Display for NextHop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NextHop::VnetLocal => f.write_str("VnetLocal"),
            NextHop::VNetPeering(v) => write!(f, "VNetPeering ({v})"),
            NextHop::VirtualNetworkGateway => f.write_str("VirtualNetworkGateway"),
            NextHop::Internet => f.write_str("Internet"),
            NextHop::VirtualAppliance(ip) => write!(f, "VirtualAppliance {ip}"),
            NextHop::InterfaceEndpoint(ip) => write!(f, "InterfaceEndpoint {ip}"),
            NextHop::VirtualNetworkServiceEndpoint(s) => {
                write!(f, "VirtualNetworkServiceEndpoint ({s})")
            }
            NextHop::None => f.write_str("None"),
        }
    }
}

/// Who created a route, in Azure's effective-routes vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Source {
    /// System routes (`Default`).
    Default,
    /// Learned from the gateway (BGP or local network gateway).
    VirtualNetworkGateway,
    /// User-defined.
    User,
}

/// Whether a route carries traffic, in the effective-routes API's words (`state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum RouteState {
    /// In use.
    Active,
    /// Overridden by a route with the same prefix and higher precedence [UDR] §2.3.
    Invalid,
}

impl fmt::Display for RouteState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RouteState::Active => "Active",
            RouteState::Invalid => "Invalid",
        })
    }
}

/// One effective route.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EffectiveRoute {
    /// Destination prefix.
    pub address_prefix: Prefix,
    /// Next hop.
    #[serde(flatten)]
    pub next_hop: NextHop,
    /// Origin.
    pub source: Source,
    /// Active, or overridden by a route of higher precedence on the same prefix.
    pub state: RouteState,
    /// The UDR's or system route's name, for traces.
    pub name: String,
    /// For a UDR written with a service tag: the tag, whose prefixes the route was expanded to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_tag: Option<String>,
}

/// RFC 1918 and RFC 6598 `None` routes [UDR] §2.1.
fn none_routes(o: &Options) -> Vec<Prefix> {
    let mut v = vec!["10.0.0.0/8", "192.168.0.0/16", "100.64.0.0/10"];
    if o.none_route_172_16 {
        v.push("172.16.0.0/12");
    }
    if o.none_routes_observed_25 {
        v.extend(["25.33.80.0/20", "25.41.3.0/25"]);
    }
    v.into_iter()
        .map(|p| p.parse().expect("constant"))
        .collect()
}

/// Builds the effective route table of a subnet.
pub fn effective_routes(
    t: &Topology,
    endpoints: &Endpoints,
    estate: &Estate,
    o: &Options,
    s: SubnetIx,
) -> Vec<EffectiveRoute> {
    let subnet = &t.subnets[s];
    let vnet = &t.vnets[subnet.vnet];
    let table = subnet
        .route_table
        .as_ref()
        .and_then(|id| estate.route_tables.get(id));
    let mut routes = Vec::new();
    let sys = |prefix: Prefix, next_hop: NextHop, name: &str| EffectiveRoute {
        address_prefix: prefix,
        next_hop,
        source: Source::Default,
        state: RouteState::Active,
        name: name.to_string(),
        service_tag: None,
    };
    // VNet ranges: one route per address range [UDR] §2.1.
    for p in &vnet.prefixes {
        routes.push(sys(*p, NextHop::VnetLocal, "VNet"));
    }
    // Peering routes, one per remote range, on connected peerings [UDR] §2.2.
    for peer in t.connected_peers(subnet.vnet) {
        for p in &t.vnets[peer.remote].prefixes {
            routes.push(sys(
                *p,
                NextHop::VNetPeering(t.vnets[peer.remote].name.clone()),
                "VNet peering",
            ));
        }
    }
    routes.push(sys(
        "0.0.0.0/0".parse().expect("constant"),
        NextHop::Internet,
        "Internet",
    ));
    // None routes, adjusted to the VNet space [UDR] §2.1: equal → becomes VnetLocal (already
    // present), VNet contains it → removed, VNet inside it → both stay.
    let default_udr_hop = table
        .and_then(|rt| {
            rt.properties
                .routes
                .iter()
                .find(|r| r.properties.address_prefix.is_default_route())
        })
        .map(|r| r.properties.next_hop_type);
    let removed_by_udr = match default_udr_hop {
        Some(NextHopType::VirtualAppliance) => true,
        Some(_) => o.none_routes_removed_for_any_default_udr,
        None => false,
    };
    if !removed_by_udr {
        for p in none_routes(o) {
            if vnet.prefixes.iter().any(|v| v.contains(&p)) {
                continue;
            }
            routes.push(sys(p, NextHop::None, "Reserved range"));
        }
    }
    // Gateway routes unless propagation is disabled on the subnet's table [UDR] §2.6.
    let propagation = table.is_none_or(|rt| !rt.properties.disable_bgp_route_propagation);
    if propagation {
        if let Some(onprem) = t.gateway_prefixes(subnet.vnet) {
            for p in onprem.prefixes() {
                routes.push(EffectiveRoute {
                    address_prefix: p,
                    next_hop: NextHop::VirtualNetworkGateway,
                    source: Source::VirtualNetworkGateway,
                    state: RouteState::Active,
                    name: "gateway".to_string(),
                    service_tag: None,
                });
            }
        }
    }
    // UDRs.
    let mut udrs = Vec::new();
    if let Some(rt) = table {
        for r in &rt.properties.routes {
            // A service tag is expanded to its prefixes when they are loaded; otherwise the
            // route's reach is unknown ([`unresolved_route_tags`]).
            let (prefixes, service_tag): (Vec<Prefix>, _) = match &r.properties.address_prefix {
                RouteDestination::Prefix(p) => (vec![*p], None),
                RouteDestination::ServiceTag(tag) => {
                    match o.service_tags.get(&tag.to_ascii_lowercase()) {
                        Some(set) => (set.prefixes(), Some(tag.clone())),
                        None => continue,
                    }
                }
            };
            let ip = match &r.properties.next_hop_ip_address {
                Some(Maybe::Known(a)) => a.parse().ok().map(Maybe::Known),
                Some(Maybe::Unknown(u)) => Some(
                    predicted_firewall(estate, o, u)
                        .map_or_else(|| Maybe::Unknown(u.clone()), Maybe::Known),
                ),
                None => None,
            };
            let hop = match (r.properties.next_hop_type, ip) {
                (NextHopType::VirtualAppliance, Some(ip)) => NextHop::VirtualAppliance(ip),
                (NextHopType::VirtualAppliance, None) => NextHop::None,
                (NextHopType::VirtualNetworkGateway, _) => NextHop::VirtualNetworkGateway,
                (NextHopType::VnetLocal, _) => NextHop::VnetLocal,
                (NextHopType::Internet, _) => NextHop::Internet,
                (NextHopType::None, _) => NextHop::None,
            };
            for prefix in prefixes {
                udrs.push(EffectiveRoute {
                    address_prefix: prefix,
                    next_hop: hop.clone(),
                    source: Source::User,
                    state: RouteState::Active,
                    name: udr_name(&rt.name, &r.name),
                    service_tag: service_tag.clone(),
                });
            }
        }
    }
    // Private endpoint /32s in the PE's VNet and directly peered VNets [PEPOL-2022] §2.2, unless
    // a UDR at least as specific as the PE's VNet range covers it and the PE subnet has
    // route-table policies on [PEPOL] §7.3.
    let reachable: Vec<VnetIx> = std::iter::once(subnet.vnet)
        .chain(t.connected_peers(subnet.vnet).map(|p| p.remote))
        .collect();
    for e in endpoints {
        let (EndpointKind::PrivateEndpoint(_), Some(pe_subnet)) = (&e.kind, e.subnet) else {
            continue;
        };
        let pe_vnet = t.subnets[pe_subnet].vnet;
        if !reachable.contains(&pe_vnet) {
            continue;
        }
        let vnet_len = t.vnets[pe_vnet]
            .prefixes
            .iter()
            .find(|p| p.contains_addr(e.ip))
            .map_or(0, |p| p.len());
        let policies = t.subnets[pe_subnet].pe_routes_apply();
        let overridden = policies
            && udrs.iter().any(|u| {
                u.address_prefix.contains_addr(e.ip) && u.address_prefix.len() >= vnet_len
            });
        let mut r = EffectiveRoute {
            address_prefix: Prefix::from(e.ip),
            next_hop: NextHop::InterfaceEndpoint(e.ip),
            source: Source::Default,
            state: RouteState::Active,
            name: e.name.clone(),
            service_tag: None,
        };
        if overridden {
            r.state = RouteState::Invalid;
        }
        routes.push(r);
    }
    routes.extend(udrs);
    routes.extend(service_endpoint_routes(estate, o, subnet));
    mark_invalid(&mut routes);
    routes.sort_by_key(|r| (r.address_prefix, r.source));
    routes
}

/// A user-defined route's name in effective routes: `table/route` (ARM names hold no `/`).
/// A next hop known only at deployment that is an Azure Firewall's private IP (the marker says
/// whose: `UnknownValue::of`), with `--switch firewall-first-address`: the address that switch
/// predicts for that firewall ([`crate::endpoints::firewall_address`]), the same everywhere.
fn predicted_firewall(estate: &Estate, o: &Options, u: &UnknownValue) -> Option<std::net::IpAddr> {
    if !o.firewall_first_address {
        return None;
    }
    let fw = estate.azure_firewalls.get(u.of.as_ref()?)?;
    // Only the firewall's private address (Terraform's `private_ip_address`, ARM's
    // `privateIPAddress`), not another of its attributes.
    let e = u.expression.to_ascii_lowercase();
    (e.ends_with("private_ip_address") || e.ends_with("privateipaddress"))
        .then(|| crate::endpoints::firewall_address(estate, fw, true))
        .flatten()
}

fn udr_name(table: &str, route: &str) -> String {
    format!("{table}/{route}")
}

/// Why what route `r` carries is `unknown`: its next hop address `u` is known only at deployment
/// (a template's `reference(...)` to the firewall, say). Names the route table, the route and
/// the expression; trace and reach both give it.
pub fn unknown_next_hop(r: &EffectiveRoute, u: &UnknownValue) -> String {
    let (table, route) = r.name.split_once('/').unwrap_or(("?", &r.name));
    format!(
        "route `{route}` of route table `{table}` ({} → VirtualAppliance) has a next hop address unknown before deployment: {u}",
        r.address_prefix
    )
}

/// Same prefix: a route is `Invalid` when an active one of higher [`rank`] has its prefix
/// (User > VirtualNetworkGateway > Default) [UDR] §2.3.
fn mark_invalid(routes: &mut [EffectiveRoute]) {
    let mut best: std::collections::HashMap<Prefix, u8> = std::collections::HashMap::new();
    for r in routes.iter().filter(|r| r.state == RouteState::Active) {
        let b = best.entry(r.address_prefix).or_insert(0);
        *b = (*b).max(rank(r));
    }
    for r in routes.iter_mut() {
        if best.get(&r.address_prefix).is_some_and(|b| *b > rank(r)) {
            r.state = RouteState::Invalid;
        }
    }
}

/// The service tag whose prefixes a service endpoint routes [TAGS] §2.2 (the common AKS-adjacent
/// services; others drop their `Microsoft.` prefix).
fn service_tag(service: &str) -> String {
    match service.to_ascii_lowercase().as_str() {
        "microsoft.keyvault" => "AzureKeyVault".into(),
        "microsoft.containerregistry" => "AzureContainerRegistry".into(),
        "microsoft.web" => "AppService".into(),
        "microsoft.azurecosmosdb" => "AzureCosmosDB".into(),
        _ => service.trim_start_matches("Microsoft.").to_string(),
    }
}

/// Service endpoint routes of a subnet: the service tag's prefixes (regional tag first), next hop
/// `VirtualNetworkServiceEndpoint` [UDR] §2.2. Without loaded service tags there are none.
fn service_endpoint_routes(
    estate: &Estate,
    o: &Options,
    subnet: &crate::topology::Subnet,
) -> Vec<EffectiveRoute> {
    let Some((vnet, s)) = estate.subnet(&subnet.id) else {
        return Vec::new();
    };
    let region = vnet
        .location
        .clone()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let mut out = Vec::new();
    for se in &s.properties.service_endpoints {
        let tag = service_tag(&se.service).to_ascii_lowercase();
        let Some(set) = o
            .service_tags
            .get(&format!("{tag}.{region}"))
            .or_else(|| o.service_tags.get(&tag))
        else {
            continue;
        };
        for p in set.prefixes() {
            out.push(EffectiveRoute {
                address_prefix: p,
                next_hop: NextHop::VirtualNetworkServiceEndpoint(se.service.clone()),
                source: Source::Default,
                state: RouteState::Active,
                name: format!("service endpoint {}", se.service),
                service_tag: None,
            });
        }
    }
    out
}

/// Precedence among routes with the same prefix: service endpoint routes cannot be overridden
/// even by a route table [UDR] §2.3; then User > VirtualNetworkGateway > Default.
pub fn rank(r: &EffectiveRoute) -> u8 {
    match (&r.next_hop, r.source) {
        (NextHop::VirtualNetworkServiceEndpoint(_), _) => 30,
        (_, Source::User) => 20 + r.service_tag.as_deref().map_or(5, tag_rank),
        (_, Source::VirtualNetworkGateway) => 10,
        (_, Source::Default) => 0,
    }
}

/// Among UDRs with the same prefix, one written as a prefix beats one expanded from a service
/// tag, and among tags a regional tag (`Storage.EastUS`) beats its top-level tag (`Storage`),
/// which beats `AzureCloud.<region>`, which beats `AzureCloud` [UDR] §2.3 item 5. Higher wins;
/// an explicit prefix ranks 5.
fn tag_rank(tag: &str) -> u8 {
    let (base, region) = match tag.split_once('.') {
        Some((base, _)) => (base, true),
        None => (tag, false),
    };
    match (base.eq_ignore_ascii_case("AzureCloud"), region) {
        (false, true) => 4,
        (false, false) => 3,
        (true, true) => 2,
        (true, false) => 1,
    }
}

/// The service tags subnet `s`'s route table routes to whose prefixes are not loaded
/// (`--service-tags`): where they send traffic is unknown for every destination such a tag may
/// hold (public addresses: service tags hold no private ones) [UDR] §2.3 item 5.
pub fn unresolved_route_tags(estate: &Estate, o: &Options, table: &ResourceId) -> Vec<String> {
    let Some(rt) = estate.route_tables.get(table) else {
        return Vec::new();
    };
    rt.properties
        .routes
        .iter()
        .filter_map(|r| match &r.properties.address_prefix {
            RouteDestination::ServiceTag(t)
                if !o.service_tags.contains_key(&t.to_ascii_lowercase()) =>
            {
                Some(t.clone())
            }
            _ => None,
        })
        .collect()
}

/// True for the system routes whose prefixes BGP routes never take, however specific: "System
/// routes for traffic related to virtual network, virtual network peerings, or virtual network
/// service endpoints, are preferred routes, even if BGP routes are more specific" [UDR] §2.3.
pub fn protects(r: &EffectiveRoute) -> bool {
    r.source == Source::Default
        && matches!(
            r.next_hop,
            NextHop::VnetLocal
                | NextHop::VNetPeering(_)
                | NextHop::VirtualNetworkServiceEndpoint(_)
        )
}

/// The addresses BGP routes never take in this table (the prefixes of [`protects`] routes).
pub fn protected_prefixes(routes: &[EffectiveRoute]) -> PrefixSet {
    routes
        .iter()
        .filter(|r| protects(r))
        .map(|r| r.address_prefix)
        .collect()
}

/// The active routes in the order route selection tries them [UDR] §2.3: longest prefix first,
/// then [`rank`], then table order. Selection for an address is the first of these that contains
/// it and is [`eligible`]; [`select`], [`RouteIndex`] and [`partition`] are the three views of
/// this one definition (for one address, indexed, and over a set of addresses).
pub fn precedence(routes: &[EffectiveRoute]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..routes.len())
        .filter(|&i| routes[i].state == RouteState::Active)
        .collect();
    order.sort_by_key(|&i| {
        (
            std::cmp::Reverse(routes[i].address_prefix.len()),
            std::cmp::Reverse(rank(&routes[i])),
            i,
        )
    });
    order
}

/// Whether route `r` may carry traffic to a destination that is (`protected`) or is not inside
/// the table's protected prefixes: BGP routes never take protected destinations [UDR] §2.3.
pub fn eligible(r: &EffectiveRoute, protected: bool) -> bool {
    !(protected && r.source == Source::VirtualNetworkGateway)
}

/// The route that carries traffic to `dst` [UDR] §2.3 (see [`precedence`]). This is the
/// reference the index and the set partition are tested against.
pub fn select(routes: &[EffectiveRoute], dst: IpAddr) -> Option<&EffectiveRoute> {
    let protected = routes
        .iter()
        .any(|r| protects(r) && r.address_prefix.contains_addr(dst));
    precedence(routes)
        .into_iter()
        .map(|i| &routes[i])
        .find(|r| r.address_prefix.contains_addr(dst) && eligible(r, protected))
}

/// The destinations one route carries, as [`partition`] splits a set.
#[derive(Clone, Debug)]
pub struct RoutePart {
    /// The route: its position in the table.
    pub route: usize,
    /// The destinations it carries.
    pub dsts: PrefixSet,
}

/// Splits a set of destinations by the route that carries each (see [`precedence`]): the same
/// answer as [`select`] for every address, for packet sets. Destinations no route takes are left
/// out.
pub fn partition(routes: &[EffectiveRoute], dsts: &PrefixSet) -> Vec<RoutePart> {
    partition_in(
        routes,
        &precedence(routes),
        &protected_prefixes(routes),
        dsts,
    )
}

/// [`partition`] with the table's [`precedence`] and [`protected_prefixes`] computed once
/// (`DataPlane` keeps them per subnet).
pub fn partition_in(
    routes: &[EffectiveRoute],
    order: &[usize],
    protected: &PrefixSet,
    dsts: &PrefixSet,
) -> Vec<RoutePart> {
    let mut remaining = dsts.clone();
    let mut out = Vec::new();
    for &i in order {
        if remaining.is_empty() {
            break;
        }
        let r = &routes[i];
        // A route whose prefix holds none of the destinations takes none (a binary search,
        // where the intersection would allocate: hubs carry a route per spoke).
        if !remaining.overlaps(&r.address_prefix) {
            continue;
        }
        let mut region = remaining.intersection(&[r.address_prefix].into_iter().collect());
        if !eligible(r, true) {
            region = region.difference(protected);
        }
        if region.is_empty() {
            continue;
        }
        remaining = remaining.difference(&region);
        out.push(RoutePart {
            route: i,
            dsts: region,
        });
    }
    out
}

/// Network → (best route, best eligible route for protected destinations), for one prefix length
/// and family.
type LengthMap = std::collections::HashMap<u128, (usize, Option<usize>)>;

/// An index over a subnet's effective routes for fast longest-prefix lookups: the first route
/// of [`precedence`] per prefix, overall and among those [`eligible`] for protected
/// destinations. [`select`] is the reference it is property-tested against.
#[derive(Clone, Debug, Default)]
pub struct RouteIndex {
    /// Per prefix length (longest first): network → (best route, best route for protected).
    by_len: Vec<(u8, bool, LengthMap)>,
    /// Destinations BGP routes never take.
    protected: PrefixSet,
}

fn network_key(ip: IpAddr, len: u8) -> (bool, u128) {
    match ip {
        IpAddr::V4(a) => {
            let v = u32::from(a);
            (
                true,
                u128::from(if len == 0 {
                    0
                } else {
                    v & (u32::MAX << (32 - u32::from(len)))
                }),
            )
        }
        IpAddr::V6(a) => {
            let v = u128::from(a);
            (
                false,
                if len == 0 {
                    0
                } else {
                    v & (u128::MAX << (128 - u32::from(len)))
                },
            )
        }
    }
}

impl RouteIndex {
    /// Indexes the active routes, in [`precedence`] order so the first entry per prefix wins.
    pub fn new(routes: &[EffectiveRoute]) -> Self {
        let mut maps: std::collections::BTreeMap<(u8, bool), LengthMap> = Default::default();
        for i in precedence(routes) {
            let r = &routes[i];
            let (v4, k) = network_key(r.address_prefix.network(), r.address_prefix.len());
            let slot = maps
                .entry((r.address_prefix.len(), v4))
                .or_default()
                .entry(k)
                .or_insert((i, None));
            if slot.1.is_none() && eligible(r, true) {
                slot.1 = Some(i);
            }
        }
        let mut by_len: Vec<_> = maps
            .into_iter()
            .map(|((len, v4), m)| (len, v4, m))
            .collect();
        by_len.sort_by_key(|(len, _, _)| std::cmp::Reverse(*len));
        let protected = protected_prefixes(routes);
        Self { by_len, protected }
    }

    /// The index of the route that carries traffic to `dst` (same answer as [`select`]).
    pub fn lookup(&self, dst: IpAddr) -> Option<usize> {
        let protected = self.protected.contains_addr(dst);
        let v4 = dst.is_ipv4();
        for (len, fam, map) in &self.by_len {
            if *fam != v4 {
                continue;
            }
            if let Some((any, for_protected)) = map.get(&network_key(dst, *len).1) {
                let pick = if protected {
                    *for_protected
                } else {
                    Some(*any)
                };
                if pick.is_some() {
                    return pick;
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::net::Ipv4Addr;

    fn route(p: Prefix, hop: NextHop, source: Source) -> EffectiveRoute {
        EffectiveRoute {
            address_prefix: p,
            next_hop: hop,
            source,
            state: RouteState::Active,
            name: String::new(),
            service_tag: None,
        }
    }

    /// A route of every kind a subnet's table holds: system VNet, peering, Internet and `None`
    /// routes, BGP routes from the gateway, service endpoint prefixes, private endpoint /32s
    /// and user routes to every next hop type.
    fn any_route() -> impl Strategy<Value = EffectiveRoute> {
        // Addresses in a small space (10.0.0.0/14 and 20.0.0.0/14) so prefixes overlap often.
        let prefix = (any::<bool>(), 0u32..(1 << 18), 0u8..=32).prop_map(|(hi, host, len)| {
            let base = if hi { 20u32 << 24 } else { 10u32 << 24 };
            let len = if len < 6 { 0 } else { len.max(14) };
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
            Prefix::new(Ipv4Addr::from((base | host) & mask).into(), len).unwrap()
        });
        (prefix, 0u8..9).prop_map(|(p, kind)| {
            let nva: IpAddr = "10.0.0.4".parse().unwrap();
            match kind {
                0 => route(p, NextHop::VnetLocal, Source::Default),
                1 => route(p, NextHop::VNetPeering("hub".into()), Source::Default),
                2 => route(p, NextHop::Internet, Source::Default),
                3 => route(p, NextHop::None, Source::Default),
                4 => route(
                    p,
                    NextHop::VirtualNetworkGateway,
                    Source::VirtualNetworkGateway,
                ),
                5 => route(
                    p,
                    NextHop::VirtualNetworkServiceEndpoint("Microsoft.Storage".into()),
                    Source::Default,
                ),
                6 => {
                    let ip = p.network();
                    route(
                        Prefix::from(ip),
                        NextHop::InterfaceEndpoint(ip),
                        Source::Default,
                    )
                }
                7 => route(p, NextHop::VirtualAppliance(nva.into()), Source::User),
                _ => route(p, NextHop::None, Source::User),
            }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// The index, the set partition and the linear reference pick the same route for every
        /// address, over random tables (with `Invalid` marking as `effective_routes` does it).
        #[test]
        fn select_index_and_partition_agree(
            mut routes in prop::collection::vec(any_route(), 0..24),
            dsts in prop::collection::vec((any::<bool>(), 0u32..(1 << 18)), 16),
        ) {
            mark_invalid(&mut routes);
            let idx = RouteIndex::new(&routes);
            let all: PrefixSet = ["10.0.0.0/14".parse::<Prefix>().unwrap(), "20.0.0.0/14".parse::<Prefix>().unwrap()]
                .into_iter()
                .collect();
            let parts = partition(&routes, &all);
            for (hi, host) in dsts {
                let base = if hi { 20u32 << 24 } else { 10u32 << 24 };
                let dst: IpAddr = Ipv4Addr::from(base | host).into();
                let linear = select(&routes, dst).map(|r| r as *const EffectiveRoute);
                let fast = idx.lookup(dst).map(|i| &routes[i] as *const EffectiveRoute);
                let split = parts
                    .iter()
                    .find(|p| p.dsts.contains_addr(dst))
                    .map(|p| &routes[p.route] as *const EffectiveRoute);
                prop_assert_eq!(linear, fast, "index differs at {}", dst);
                prop_assert_eq!(linear, split, "partition differs at {}", dst);
            }
        }
    }

    /// Same prefix written three ways: as a prefix, through `Storage.WestEurope` and through
    /// `AzureCloud`. The prefix wins, then the regional tag, then AzureCloud [UDR] §2.3 item 5;
    /// the losers are `Invalid`, and every view agrees.
    #[test]
    fn an_explicit_prefix_beats_a_regional_tag_which_beats_azure_cloud() {
        let p: Prefix = "20.1.0.0/16".parse().unwrap();
        let tagged = |tag: Option<&str>, hop: NextHop| EffectiveRoute {
            service_tag: tag.map(str::to_string),
            ..route(p, hop, Source::User)
        };
        let nva =
            |last: u8| NextHop::VirtualAppliance(IpAddr::V4(Ipv4Addr::new(10, 0, 0, last)).into());
        let dst = IpAddr::V4(Ipv4Addr::new(20, 1, 2, 3));
        let mut routes = vec![
            tagged(Some("AzureCloud"), nva(1)),
            tagged(Some("Storage.WestEurope"), nva(2)),
        ];
        mark_invalid(&mut routes);
        assert_eq!(select(&routes, dst).map(|r| &r.next_hop), Some(&nva(2)));
        assert_eq!(routes[0].state, RouteState::Invalid);
        routes.push(tagged(None, nva(3)));
        routes.iter_mut().for_each(|r| r.state = RouteState::Active);
        mark_invalid(&mut routes);
        assert_eq!(select(&routes, dst).map(|r| &r.next_hop), Some(&nva(3)));
        let parts = partition(&routes, &[p].into_iter().collect());
        assert_eq!(parts.len(), 1);
        assert_eq!(routes[parts[0].route].next_hop, nva(3));
        assert!(tag_rank("Storage") > tag_rank("AzureCloud.westeurope"));
    }

    /// A /16 service endpoint route and a /24 BGP route inside it: BGP never takes
    /// service-endpoint prefixes [UDR] §2.3, in every view (the 20.0.1.5 case).
    #[test]
    fn bgp_never_takes_a_service_endpoint_prefix() {
        let routes = vec![
            route(
                "0.0.0.0/0".parse().unwrap(),
                NextHop::Internet,
                Source::Default,
            ),
            route(
                "20.0.0.0/16".parse().unwrap(),
                NextHop::VirtualNetworkServiceEndpoint("Microsoft.Storage".into()),
                Source::Default,
            ),
            route(
                "20.0.1.0/24".parse().unwrap(),
                NextHop::VirtualNetworkGateway,
                Source::VirtualNetworkGateway,
            ),
        ];
        let dst: IpAddr = "20.0.1.5".parse().unwrap();
        let want = &routes[1];
        assert!(std::ptr::eq(select(&routes, dst).unwrap(), want));
        assert!(std::ptr::eq(
            &routes[RouteIndex::new(&routes).lookup(dst).unwrap()],
            want
        ));
        let one: PrefixSet = [Prefix::from(dst)].into_iter().collect();
        assert_eq!(partition(&routes, &one)[0].route, 1);
    }
}
