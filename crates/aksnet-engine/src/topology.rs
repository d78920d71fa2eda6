//! Indices over the Estate, the first stage of the data plane: VNets, subnets, peerings,
//! gateways, on-premises prefixes, AKS node pools and public IPs, with the synthetic public
//! addresses the engine uses for public IPs whose address Azure has not assigned yet. Endpoints
//! (`endpoints.rs`) and DNS (`dns.rs`) are built from it; the build order is in `lib.rs`.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr};

use aksnet_model::network::VirtualNetwork;
use aksnet_model::{azure, Estate, Resource, ResourceId};
use aksnet_net::{Family, Prefix, PrefixSet};

use crate::index::{index_type, IndexVec};

index_type!(
    /// Index of a VNet in [`Topology::vnets`].
    VnetIx
);
index_type!(
    /// Index of a subnet in [`Topology::subnets`].
    SubnetIx
);

/// A peering as seen from one VNet.
#[derive(Clone, Debug)]
pub struct Peer {
    /// The remote VNet.
    pub remote: VnetIx,
    /// Both directions exist and neither side reports another state than `Connected`.
    pub connected: bool,
    /// This side's `allowForwardedTraffic`: accept traffic the remote forwarded.
    pub allow_forwarded_traffic: bool,
    /// This side's `allowVirtualNetworkAccess`.
    pub allow_virtual_network_access: bool,
    /// This side uses the remote's gateway.
    pub use_remote_gateways: bool,
    /// This side lets the remote use its gateway.
    pub allow_gateway_transit: bool,
}

/// A VNet.
#[derive(Clone, Debug)]
pub struct Vnet {
    /// Resource id.
    pub id: ResourceId,
    /// Name.
    pub name: String,
    /// Address prefixes.
    pub prefixes: Vec<Prefix>,
    /// Address space as a set.
    pub space: PrefixSet,
    /// Its subnets.
    pub subnets: Vec<SubnetIx>,
    /// Its peerings.
    pub peers: Vec<Peer>,
    /// The gateway in its GatewaySubnet, if any.
    pub gateway: Option<ResourceId>,
    /// It has a VPN gateway.
    pub vpn_gateway: bool,
    /// It has an ExpressRoute gateway.
    pub expressroute_gateway: bool,
}

/// A subnet.
#[derive(Clone, Debug)]
pub struct Subnet {
    /// Resource id.
    pub id: ResourceId,
    /// Name.
    pub name: String,
    /// Its VNet.
    pub vnet: VnetIx,
    /// Prefix.
    pub prefix: Prefix,
    /// Associated NSG.
    pub nsg: Option<ResourceId>,
    /// Associated route table.
    pub route_table: Option<ResourceId>,
    /// Associated NAT gateway.
    pub nat_gateway: Option<ResourceId>,
    /// `privateEndpointNetworkPolicies` (absent = `Disabled`, Azure's default).
    pub pe_policies: String,
    /// `defaultOutboundAccess` (absent = true for subnets created before the 2025 change).
    pub default_outbound_access: bool,
}

impl Subnet {
    /// `VNET/SUBNET`.
    pub fn label(&self, t: &Topology) -> String {
        format!("{}/{}", t.vnets[self.vnet].name, self.name)
    }

    /// NSGs filter traffic to private endpoints in this subnet only with
    /// `privateEndpointNetworkPolicies` `Enabled` or `NetworkSecurityGroupEnabled` [PEPOL] §7.2.
    pub fn pe_nsg_applies(&self) -> bool {
        matches!(
            self.pe_policies.as_str(),
            "Enabled" | "NetworkSecurityGroupEnabled"
        )
    }

    /// A UDR can override private endpoint routes to this subnet only with
    /// `privateEndpointNetworkPolicies` `Enabled` or `RouteTableEnabled` [PEPOL] §7.3.
    pub fn pe_routes_apply(&self) -> bool {
        matches!(self.pe_policies.as_str(), "Enabled" | "RouteTableEnabled")
    }

    /// True for the subnets where NSGs are not applied: AzureFirewallSubnet and
    /// AzureFirewallManagementSubnet ("disabled" [FWFAQ]) and GatewaySubnet ("not supported"
    /// [VPNGW-SETTINGS]); azure-semantics §3.8.
    pub fn nsg_exempt(&self) -> bool {
        azure::special_subnet(&self.name).is_some_and(|s| s.nsg_unsupported)
    }
}

/// What a peering lets through when traffic moves from one VNet to another
/// ([`Topology::crossing`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Crossing {
    /// The same VNet: no peering is crossed.
    Same,
    /// Everything.
    Open,
    /// Only traffic that originated in the sending VNet: the receiving side does not allow
    /// forwarded traffic.
    OnlyFromSender,
    /// Nothing, for this reason.
    Blocked(String),
}

/// The addresses of a set that one subnet holds, as [`Topology::split_by_subnet`] splits it.
#[derive(Clone, Debug)]
pub struct SubnetPart {
    /// The subnet.
    pub subnet: SubnetIx,
    /// The addresses of the set in it.
    pub addrs: PrefixSet,
}

/// A public IP resource's address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicIp {
    /// The address: the estate's, or a stand-in from 198.18.0.0/15.
    pub ip: IpAddr,
    /// `ip` is a stand-in for an address Azure assigns at deployment.
    pub stand_in: bool,
}

/// The AKS node pools in a subnet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodePools {
    /// The cluster whose pools they are.
    pub cluster: ResourceId,
    /// One of them is a user pool (where ingress backends run).
    pub user: bool,
    /// The cluster's `outboundType` is `loadBalancer`.
    pub load_balancer_outbound: bool,
}

/// Why a user route with next hop `VirtualNetworkGateway` cannot carry traffic between VNets
/// ([`Topology::vpn_transit`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoTransit {
    /// The VNet uses no gateway.
    #[error("{vnet} has no virtual network gateway to send it to")]
    NoGateway {
        /// The VNet with the route.
        vnet: String,
    },
    /// The gateway's VNet has an ExpressRoute gateway, which cannot be a route's next hop.
    #[error(
        "only a VPN gateway can be a route's next hop, and {vnet} has an ExpressRoute gateway"
    )]
    ExpressRoute {
        /// The gateway's VNet.
        vnet: String,
    },
    /// The gateway's VNet has a VPN and an ExpressRoute gateway together, so neither can be.
    #[error("only a VPN gateway can be a route's next hop, and {vnet} has a VPN and an ExpressRoute gateway together")]
    VpnAndExpressRoute {
        /// The gateway's VNet.
        vnet: String,
    },
    /// The gateway's VNet has no GatewaySubnet.
    #[error("{vnet} has no GatewaySubnet")]
    NoGatewaySubnet {
        /// The gateway's VNet.
        vnet: String,
    },
}

/// The estate's network topology.
#[derive(Clone, Debug, Default)]
pub struct Topology {
    /// VNets in id order.
    pub vnets: IndexVec<VnetIx, Vnet>,
    /// Subnets in id order.
    pub subnets: IndexVec<SubnetIx, Subnet>,
    /// On-premises prefixes (estate context plus local network gateways).
    pub on_premises: PrefixSet,
    /// Public IP resource → address (real or synthetic from 198.18.0.0/15).
    pub public_ips: BTreeMap<ResourceId, PublicIp>,
    /// Per subnet, the AKS cluster whose pools use it.
    pub subnet_clusters: IndexVec<SubnetIx, Option<NodePools>>,
    /// Network interface IP configurations with a known address in a subnet of the estate, in
    /// NIC id order.
    pub nic_addresses: Vec<NicAddress>,
    /// What could not be placed as configured (a NIC address outside its subnet, ...), each
    /// naming its resource; every trace carries these notes.
    pub notes: Vec<String>,
    index: Index,
}

/// One NIC IP configuration placed in its subnet.
#[derive(Clone, Debug)]
pub struct NicAddress {
    /// The NIC.
    pub nic: ResourceId,
    /// The IP configuration's name.
    pub config: String,
    /// Its subnet.
    pub subnet: SubnetIx,
    /// Its private address (a prefix for an IP prefix configuration).
    pub prefix: Prefix,
    /// The NIC-level NSG.
    pub nsg: Option<ResourceId>,
    /// The application security groups the configuration belongs to.
    pub asgs: Vec<ResourceId>,
    /// The private endpoint that owns the NIC.
    pub private_endpoint: Option<ResourceId>,
    /// The NIC's `enableIPForwarding`.
    pub ip_forwarding: bool,
    /// Whether this is the NIC's primary IP configuration.
    pub primary: bool,
}

/// Lookup tables, so that per-hop questions do not scan the estate.
#[derive(Clone, Debug, Default)]
struct Index {
    subnet_by_id: HashMap<ResourceId, SubnetIx>,
    /// `(first, last, subnet)` sorted by first address, with the largest subnet size per
    /// family (IPv4, IPv6: one IPv6 /64 must not widen every IPv4 search), for containment
    /// lookups.
    ranges: Vec<(u128, u128, SubnetIx)>,
    largest: [u128; 2],
    /// Single-address NIC IP configurations by address (the first in NIC id order).
    nic_by_ip: HashMap<IpAddr, usize>,
}

/// Where IPv4 addresses sit in [`key`]'s space.
const V4_KEYS: u128 = 0xffff_0000_0000;

/// The slot of a family in per-family tables.
fn slot(f: Family) -> usize {
    usize::from(f == Family::V6)
}

/// An address as a key in one 128-bit space (IPv4 in `::ffff:0:0/96`).
fn key(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(a) => V4_KEYS | u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

/// Synthetic addresses for public IPs that have none yet: 198.18.0.0/15 (RFC 2544, never
/// routed on the Internet), allocated in resource-id order so traces are deterministic.
fn synthetic_public(n: u32) -> IpAddr {
    IpAddr::V4(Ipv4Addr::from(u32::from(Ipv4Addr::new(198, 18, 0, 1)) + n))
}

impl Topology {
    /// Builds the indices.
    pub fn new(estate: &Estate) -> Self {
        let mut t = Topology::default();
        let mut vnet_ix: BTreeMap<ResourceId, VnetIx> = BTreeMap::new();
        for v in estate.virtual_networks.iter() {
            let vi = t.vnets.push(Vnet {
                id: v.id.clone(),
                name: v.name.clone(),
                prefixes: v.properties.address_space.address_prefixes.clone(),
                space: v.properties.space(),
                subnets: Vec::new(),
                peers: Vec::new(),
                gateway: None,
                vpn_gateway: false,
                expressroute_gateway: false,
            });
            vnet_ix.insert(v.id.clone(), vi);
        }
        for v in estate.virtual_networks.iter() {
            let vi = vnet_ix[&v.id];
            for s in &v.properties.subnets {
                let p = &s.properties;
                let ix = t.subnets.push(Subnet {
                    id: s
                        .id
                        .clone()
                        .unwrap_or_else(|| v.id.child("subnets", &s.name)),
                    name: s.name.clone(),
                    vnet: vi,
                    prefix: p.address_prefix,
                    nsg: p.network_security_group.as_ref().map(|r| r.id.clone()),
                    route_table: p.route_table.as_ref().map(|r| r.id.clone()),
                    nat_gateway: p.nat_gateway.as_ref().map(|r| r.id.clone()),
                    pe_policies: p
                        .private_endpoint_network_policies
                        .clone()
                        .unwrap_or_else(|| "Disabled".to_string()),
                    default_outbound_access: p.default_outbound_access.unwrap_or(true),
                });
                t.vnets[vi].subnets.push(ix);
            }
            t.vnets[vi].peers = peers(v, estate, &vnet_ix);
        }
        for g in estate.virtual_network_gateways.iter() {
            if let Some(vi) = g
                .properties
                .ip_configurations
                .first()
                .and_then(|c| c.properties.subnet.id.parent())
                .and_then(|v| vnet_ix.get(&v))
            {
                t.vnets[*vi].gateway = Some(g.id.clone());
                if g.properties.gateway_type.eq_ignore_ascii_case("Vpn") {
                    t.vnets[*vi].vpn_gateway = true;
                } else {
                    t.vnets[*vi].expressroute_gateway = true;
                }
            }
        }
        t.on_premises = estate.on_premises_prefixes.iter().collect();
        for lng in estate.local_network_gateways.iter() {
            t.on_premises = t
                .on_premises
                .union(&lng.properties.prefixes().iter().collect());
        }
        for (n, pip) in estate.public_ip_addresses.iter().enumerate() {
            let known = pip
                .properties
                .ip_address
                .as_deref()
                .and_then(|a| a.parse().ok());
            let entry = match known {
                Some(ip) => PublicIp {
                    ip,
                    stand_in: false,
                },
                None => PublicIp {
                    ip: synthetic_public(n as u32),
                    stand_in: true,
                },
            };
            t.public_ips.insert(pip.id.clone(), entry);
        }
        t.index.subnet_by_id = t
            .subnets
            .iter_enumerated()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        t.index_addresses();
        t.place_nics(estate);
        t.subnet_clusters = t.subnets.iter().map(|_| None).collect();
        for mc in estate.managed_clusters.iter() {
            let lb = mc
                .properties
                .network_profile
                .outbound_type
                .eq_ignore_ascii_case("loadBalancer");
            for p in &mc.properties.agent_pool_profiles {
                if let Some(s) = p
                    .vnet_subnet_id
                    .as_ref()
                    .and_then(|id| t.index.subnet_by_id.get(id))
                {
                    let user = p.mode.eq_ignore_ascii_case("User");
                    let slot = &mut t.subnet_clusters[*s];
                    let was_user = slot.as_ref().is_some_and(|c| c.user);
                    *slot = Some(NodePools {
                        cluster: mc.id.clone(),
                        user: user || was_user,
                        load_balancer_outbound: lb,
                    });
                }
            }
        }
        t
    }

    /// Places every NIC IP configuration with an address in its subnet. A configuration whose
    /// subnet is not in the estate is left out (its VNet is not modelled); one whose address lies
    /// outside its own subnet cannot exist in Azure and is left out with a note.
    fn place_nics(&mut self, estate: &Estate) {
        for nic in estate.network_interfaces.iter() {
            let p = &nic.properties;
            for c in &p.ip_configurations {
                let cp = &c.properties;
                let (Some(addr), Some(subnet)) = (
                    cp.private_ip_address.as_deref(),
                    cp.subnet.as_ref().and_then(|r| self.subnet_by_id(&r.id)),
                ) else {
                    continue;
                };
                let Ok(prefix) = Prefix::parse_lenient(addr) else {
                    self.notes.push(format!(
                        "{}: IP configuration {} has the address `{addr}`, which is not an address; left out",
                        nic.id, c.name
                    ));
                    continue;
                };
                if !self.subnets[subnet].prefix.contains(&prefix) {
                    self.notes.push(format!(
                        "{}: IP configuration {} has {prefix}, outside its subnet {} ({}); left out",
                        nic.id,
                        c.name,
                        self.subnets[subnet].label(self),
                        self.subnets[subnet].prefix
                    ));
                    continue;
                }
                if prefix.size() == 1 {
                    self.index
                        .nic_by_ip
                        .entry(prefix.network())
                        .or_insert(self.nic_addresses.len());
                }
                self.nic_addresses.push(NicAddress {
                    nic: nic.id.clone(),
                    config: c.name.clone(),
                    subnet,
                    prefix,
                    nsg: p.network_security_group.as_ref().map(|r| r.id.clone()),
                    asgs: cp
                        .application_security_groups
                        .iter()
                        .map(|r| r.id.clone())
                        .collect(),
                    private_endpoint: p.private_endpoint.as_ref().map(|r| r.id.clone()),
                    ip_forwarding: p.enable_ip_forwarding,
                    primary: cp.primary,
                });
            }
        }
    }

    /// The NIC IP configuration in subnet `s` that holds `ip`, if the estate has one (the first,
    /// in NIC id order, if several claim it). By subnet, since VNets that are not peered may
    /// overlap (azure-semantics §1.5 [VNETFAQ]) and hold NICs at the same address.
    pub fn nic_at(&self, s: SubnetIx, ip: IpAddr) -> Option<&NicAddress> {
        self.index
            .nic_by_ip
            .get(&ip)
            .and_then(|i| self.nic_addresses.get(*i))
            .filter(|n| n.subnet == s)
            .or_else(|| {
                self.nic_addresses
                    .iter()
                    .find(|n| n.subnet == s && n.prefix.contains_addr(ip))
            })
    }

    /// The network interfaces a user can name as places (a private endpoint's NIC is not one:
    /// the endpoint is), by name in NIC id order, each with its primary address (the first
    /// placed address when no configuration is marked primary) and that address's subnet.
    pub fn nic_places(&self) -> Vec<(&str, IpAddr, SubnetIx)> {
        let mut out: Vec<(&NicAddress, bool)> = Vec::new();
        for n in self
            .nic_addresses
            .iter()
            .filter(|n| n.private_endpoint.is_none())
        {
            match out.iter_mut().find(|(m, _)| m.nic == n.nic) {
                Some(slot) if n.primary && !slot.1 => *slot = (n, true),
                Some(_) => {}
                None => out.push((n, n.primary)),
            }
        }
        out.into_iter()
            .map(|(n, _)| (n.nic.name(), n.prefix.network(), n.subnet))
            .collect()
    }

    /// Whether the appliance at `ip` can forward what a `VirtualAppliance` route sends it: a NIC
    /// needs `enableIPForwarding` to receive traffic not addressed to it (azure-semantics §2.4,
    /// [UDR]: "that NIC needs enableIPForwarding in Azure, plus OS forwarding"). `Err` with the
    /// reason when the estate holds the NIC with forwarding off; a NIC the estate does not hold
    /// is not judged (the NVA's own behaviour is unknown anyway). `s` is the appliance's subnet.
    pub fn forwarding(&self, s: SubnetIx, ip: IpAddr) -> Result<(), String> {
        match self.nic_at(s, ip) {
            Some(n) if !n.ip_forwarding => Err(format!(
                "{ip} is NIC {}, whose enableIPForwarding is false: Azure drops what a route sends it that is not addressed to it",
                n.nic.name()
            )),
            _ => Ok(()),
        }
    }

    /// The address a device that Azure places in subnet `s` answers on, as the engine predicts
    /// it: the first assignable address (Azure reserves the first four [VNETFAQ] §1.2). `None`
    /// when the subnet has none (a /30 or smaller that the estate holds anyway): the device
    /// cannot work there, and callers deny with a reason naming the subnet.
    pub fn instance_address(&self, s: SubnetIx) -> Option<IpAddr> {
        azure::first_assignable(&self.subnets[s].prefix)
    }

    /// Indexes the subnets by address range, with the largest per family.
    fn index_addresses(&mut self) {
        self.index.ranges = self
            .subnets
            .iter_enumerated()
            .map(|(i, s)| (key(s.prefix.network()), key(s.prefix.last()), i))
            .collect();
        self.index.ranges.sort_unstable();
        for s in self.subnets.iter() {
            let l = &mut self.index.largest[slot(s.prefix.family())];
            *l = (*l).max(s.prefix.size());
        }
    }

    /// The subnet with this id.
    pub fn subnet_by_id(&self, id: &ResourceId) -> Option<SubnetIx> {
        self.index.subnet_by_id.get(id).copied()
    }

    /// Every subnet whose prefix holds `ip` (several only when unpeered VNets overlap).
    /// An IPv6 subnet never holds an IPv4 address, even one whose key it spans.
    pub fn subnets_containing(&self, ip: IpAddr) -> impl Iterator<Item = SubnetIx> + '_ {
        let (k, family) = (key(ip), Prefix::from(ip).family());
        let end = self.index.ranges.partition_point(|r| r.0 <= k);
        let floor = k.saturating_sub(self.index.largest[slot(family)]);
        self.index.ranges[..end]
            .iter()
            .rev()
            .take_while(move |r| r.0 >= floor)
            .filter(move |r| r.1 >= k && self.subnets[r.2].prefix.family() == family)
            .map(|r| r.2)
    }

    /// The order in which subnets claim an address when several hold it (only in estates Azure
    /// would refuse, with overlapping subnets): the first of `vnets` first, then the most
    /// specific prefix, then index. [`Self::subnet_holding`] and [`Self::split_by_subnet`] are
    /// the address and set views of this one order. `None`: the subnet is in none of `vnets`.
    fn claim_order(
        &self,
        s: SubnetIx,
        vnets: &[VnetIx],
    ) -> Option<(usize, std::cmp::Reverse<u8>, SubnetIx)> {
        let v = vnets.iter().position(|v| *v == self.subnets[s].vnet)?;
        Some((v, std::cmp::Reverse(self.subnets[s].prefix.len()), s))
    }

    /// The subnet whose prefix holds `ip`, searching the given VNets.
    pub fn subnet_holding(&self, ip: IpAddr, vnets: &[VnetIx]) -> Option<SubnetIx> {
        self.subnets_containing(ip)
            .filter_map(|s| self.claim_order(s, vnets))
            .min()
            .map(|(.., s)| s)
    }

    /// Splits a set of addresses by the subnet of `vnets` that holds each, as
    /// [`Self::subnet_holding`] decides it; addresses no subnet holds are left out.
    pub fn split_by_subnet(&self, region: &PrefixSet, vnets: &[VnetIx]) -> Vec<SubnetPart> {
        if let [one] = region.prefixes().as_slice() {
            if one.size() == 1 {
                return self
                    .subnet_holding(one.network(), vnets)
                    .map(|subnet| SubnetPart {
                        subnet,
                        addrs: region.clone(),
                    })
                    .into_iter()
                    .collect();
            }
        }
        // The candidates, in `claim_order` below: the subnets whose ranges may meet the region,
        // found by binary search in `ranges` (a subnet starts at most its family's `largest`
        // below an address it holds) — unless those windows hold more subnets than the VNets
        // asked about (VNets that overlap without being peered, a region as wide as 10/8), and
        // then those VNets' own subnets. Subnets that share no address are skipped below.
        let ranges = &self.index.ranges;
        let windows: Vec<(usize, usize, u128)> = region
            .ranges()
            .map(|(family, first, last)| {
                let (a, b) = match family {
                    Family::V4 => (V4_KEYS | first, V4_KEYS | last),
                    Family::V6 => (first, last),
                };
                let floor = a.saturating_sub(self.index.largest[slot(family)]);
                let from = ranges.partition_point(|r| r.0 < floor);
                (from, ranges.partition_point(|r| r.0 <= b).max(from), a)
            })
            .collect();
        let in_windows: usize = windows.iter().map(|(from, to, _)| to - from).sum();
        let own: usize = vnets.iter().map(|v| self.vnets[*v].subnets.len()).sum();
        let mut near: Vec<SubnetIx> = if in_windows <= own {
            windows
                .iter()
                .flat_map(|&(from, to, a)| ranges[from..to].iter().filter(move |r| r.1 >= a))
                .map(|r| r.2)
                .collect()
        } else {
            vnets
                .iter()
                .flat_map(|v| self.vnets[*v].subnets.iter().copied())
                .collect()
        };
        near.sort_unstable();
        near.dedup();
        // Each VNet's rank in `vnets` (its first place): a table when the product is large (a
        // hub peered to hundreds of spokes, a region spanning them), else a scan.
        let table: Vec<usize> = if near.len() * vnets.len() > 4096 {
            let mut t = vec![usize::MAX; self.vnets.len()];
            for (i, v) in vnets.iter().enumerate().rev() {
                t[v.index()] = i;
            }
            t
        } else {
            Vec::new()
        };
        let rank = |v: VnetIx| {
            if table.is_empty() {
                vnets.iter().position(|x| *x == v)
            } else {
                Some(table[v.index()]).filter(|&i| i != usize::MAX)
            }
        };
        let mut subnets: Vec<(usize, std::cmp::Reverse<u8>, SubnetIx)> = near
            .into_iter()
            .filter_map(|s| {
                let sub = &self.subnets[s];
                Some((rank(sub.vnet)?, std::cmp::Reverse(sub.prefix.len()), s))
            })
            .collect();
        subnets.sort_unstable();
        let mut rest = region.clone();
        let mut out = Vec::new();
        for (_, _, s) in subnets {
            if rest.is_empty() {
                break;
            }
            // Most subnets of a hub's peered VNets hold none of the addresses: a binary search
            // says so without building the intersection.
            if !rest.overlaps(&self.subnets[s].prefix) {
                continue;
            }
            let part = rest.intersection(&[self.subnets[s].prefix].into_iter().collect());
            if !part.is_empty() {
                rest = rest.difference(&part);
                out.push(SubnetPart {
                    subnet: s,
                    addrs: part,
                });
            }
        }
        out
    }

    /// What the peering from VNet `a` into VNet `b` lets through (azure-semantics §2.7, §9):
    /// only a Connected peering carries traffic; with the hard-block switch,
    /// `allowVirtualNetworkAccess: false` blocks it; traffic that did not originate in `a` needs
    /// `allowForwardedTraffic` on `b`'s side, except straight from a VPN/ExpressRoute gateway
    /// (`from_gateway`) [PEERMG]. Trace and reach both ask here.
    pub fn crossing(&self, a: VnetIx, b: VnetIx, from_gateway: bool, hard_block: bool) -> Crossing {
        if a == b {
            return Crossing::Same;
        }
        let (na, nb) = (&self.vnets[a].name, &self.vnets[b].name);
        let Some(there) = self.vnets[b].peers.iter().find(|p| p.remote == a) else {
            return Crossing::Blocked(format!("{na} and {nb} are not peered"));
        };
        if !there.connected {
            return Crossing::Blocked(format!(
                "the peering between {na} and {nb} is not Connected"
            ));
        }
        if hard_block && !there.allow_virtual_network_access {
            return Crossing::Blocked(format!(
                "{nb} blocks access from {na} (allowVirtualNetworkAccess false, hard-block switch on)"
            ));
        }
        if from_gateway || there.allow_forwarded_traffic {
            Crossing::Open
        } else {
            Crossing::OnlyFromSender
        }
    }

    /// Where on-premises traffic enters Azure: the GatewaySubnet of the first VNet (in id order)
    /// with a gateway that has one (azure-semantics §2.7: one gateway per hub; spokes use it
    /// through gateway transit).
    pub fn gateway_entry(&self) -> Option<(VnetIx, SubnetIx)> {
        self.vnets
            .iter_enumerated()
            .filter(|(_, v)| v.gateway.is_some())
            .find_map(|(i, v)| {
                v.subnets
                    .iter()
                    .copied()
                    .find(|s| self.subnets[*s].name == "GatewaySubnet")
                    .map(|s| (i, s))
            })
    }

    /// The on-premises prefixes VNet `v` learns from a gateway: its own, or the hub's through
    /// `useRemoteGateways` + `allowGatewayTransit` on a connected peering [PEERMG] §2.7.
    pub fn gateway_prefixes(&self, v: VnetIx) -> Option<PrefixSet> {
        self.gateway_vnet(v).map(|_| self.on_premises.clone())
    }

    /// The VNet whose gateway VNet `v` uses: its own, or the hub's through `useRemoteGateways`
    /// on a connected peering whose other side has `allowGatewayTransit` [PEERMG] §2.7.
    pub fn gateway_vnet(&self, v: VnetIx) -> Option<VnetIx> {
        if self.vnets[v].gateway.is_some() {
            return Some(v);
        }
        self.connected_peers(v)
            .find(|p| {
                p.use_remote_gateways
                    && self.vnets[p.remote].gateway.is_some()
                    && self.vnets[p.remote]
                        .peers
                        .iter()
                        .any(|b| b.remote == v && b.allow_gateway_transit)
            })
            .map(|p| p.remote)
    }

    /// Where a user route with next hop `VirtualNetworkGateway` in VNet `v` sends traffic that is
    /// not for on-premises: into the GatewaySubnet of the VPN gateway `v` uses, which forwards
    /// it to the VNets peered with its own ("a VPN gateway can forward network traffic between
    /// virtual networks that are peered with the virtual network the gateway is in … This
    /// scenario requires … user-defined routes that specify the virtual network gateway as the
    /// next hop type", virtual-network-manage-peering, 2022; no forwarded-traffic flag needed).
    /// Only a VPN gateway can be that next hop, not an ExpressRoute one, nor when both coexist
    /// [UDR] §2.4.
    pub fn vpn_transit(&self, v: VnetIx) -> Result<SubnetIx, NoTransit> {
        let Some(g) = self.gateway_vnet(v) else {
            return Err(NoTransit::NoGateway {
                vnet: self.vnets[v].name.clone(),
            });
        };
        let gw = &self.vnets[g];
        let vnet = gw.name.clone();
        match (gw.vpn_gateway, gw.expressroute_gateway) {
            (true, true) => return Err(NoTransit::VpnAndExpressRoute { vnet }),
            (false, _) => return Err(NoTransit::ExpressRoute { vnet }),
            (true, false) => {}
        }
        gw.subnets
            .iter()
            .copied()
            .find(|s| self.subnets[*s].name == "GatewaySubnet")
            .ok_or(NoTransit::NoGatewaySubnet { vnet })
    }

    /// True when `ip` is a stand-in for a public IP Azure assigns at deployment (from
    /// 198.18.0.0/15): a check of it against address ranges cannot be answered offline.
    pub fn is_stand_in(&self, ip: IpAddr) -> bool {
        self.public_ips.values().any(|p| p.stand_in && p.ip == ip)
    }

    /// Every stand-in address ([`Topology::is_stand_in`]).
    pub fn stand_ins(&self) -> PrefixSet {
        self.public_ips
            .values()
            .filter(|p| p.stand_in)
            .map(|p| Prefix::from(p.ip))
            .collect()
    }

    /// True when no VNet of the estate has `ip` in its address space.
    pub fn outside_every_vnet(&self, ip: IpAddr) -> bool {
        !self.vnets.iter().any(|v| v.space.contains_addr(ip))
    }

    /// The subnet holding `ip` anywhere in the estate (the most specific, when subnets overlap).
    pub fn subnet_of(&self, ip: IpAddr) -> Option<SubnetIx> {
        self.subnets_containing(ip)
            .min_by_key(|s| (std::cmp::Reverse(self.subnets[*s].prefix.len()), *s))
    }

    /// The subnet whose prefix is exactly `p`.
    pub fn subnet_with_prefix(&self, p: &Prefix) -> Option<SubnetIx> {
        let k = key(p.network());
        let i = self.index.ranges.partition_point(|r| r.0 < k);
        self.index.ranges[i..]
            .iter()
            .take_while(|r| r.0 == k)
            .find(|r| self.subnets[r.2].prefix == *p)
            .map(|r| r.2)
    }

    /// The node subnet in VNet `v` where ingress backends run: a user pool's, else any pool's.
    pub fn backend_subnet(&self, v: VnetIx) -> Option<SubnetIx> {
        let pools = || {
            self.vnets[v]
                .subnets
                .iter()
                .copied()
                .filter(|s| self.subnet_clusters[*s].is_some())
        };
        pools()
            .find(|s| self.subnet_clusters[*s].as_ref().is_some_and(|c| c.user))
            .or_else(|| pools().next())
    }

    /// The connected peer VNets of `v`.
    pub fn connected_peers(&self, v: VnetIx) -> impl Iterator<Item = &Peer> {
        self.vnets[v].peers.iter().filter(|p| p.connected)
    }

    /// A VNet by name (or by name without its `vnet-` prefix).
    pub fn vnet_named(&self, name: &str) -> Option<VnetIx> {
        self.vnets
            .iter_enumerated()
            .find(|(_, v)| {
                v.name.eq_ignore_ascii_case(name)
                    || v.name
                        .strip_prefix("vnet-")
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .map(|(i, _)| i)
    }
}

/// Peerings of one VNet, with the connected state derived from both sides (§2.7: only
/// `Connected`, i.e. both links present, carries traffic).
fn peers(
    v: &Resource<VirtualNetwork>,
    estate: &Estate,
    ix: &BTreeMap<ResourceId, VnetIx>,
) -> Vec<Peer> {
    let ok = |state: &Option<String>| {
        state
            .as_deref()
            .is_none_or(|s| s.eq_ignore_ascii_case("Connected"))
    };
    v.properties
        .virtual_network_peerings
        .iter()
        .filter_map(|p| {
            let remote_id = &p.properties.remote_virtual_network.id;
            let remote = *ix.get(remote_id)?;
            let back = estate.virtual_networks.get(remote_id).and_then(|r| {
                r.properties
                    .virtual_network_peerings
                    .iter()
                    .find(|b| b.properties.remote_virtual_network.id == v.id)
            });
            let connected = ok(&p.properties.peering_state)
                && back.is_some_and(|b| ok(&b.properties.peering_state));
            Some(Peer {
                remote,
                connected,
                allow_forwarded_traffic: p.properties.allow_forwarded_traffic,
                allow_virtual_network_access: p.properties.allow_virtual_network_access,
                use_remote_gateways: p.properties.use_remote_gateways,
                allow_gateway_transit: p.properties.allow_gateway_transit,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// VNets `0..vnets` holding `subnets` (VNet, prefix), indexed as `Topology::new` does.
    fn topology(vnets: usize, subnets: &[(usize, Prefix)]) -> Topology {
        let mut t = Topology::default();
        for i in 0..vnets {
            t.vnets.push(Vnet {
                id: ResourceId::new(format!(
                    "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v{i}"
                )),
                name: format!("v{i}"),
                prefixes: vec![],
                space: PrefixSet::new(),
                subnets: vec![],
                peers: vec![],
                gateway: None,
                vpn_gateway: false,
                expressroute_gateway: false,
            });
        }
        for (k, (v, p)) in subnets.iter().enumerate() {
            let vi = VnetIx::new(*v);
            let ix = t.subnets.push(Subnet {
                id: t.vnets[vi].id.child("subnets", &format!("s{k}")),
                name: format!("s{k}"),
                vnet: vi,
                prefix: *p,
                nsg: None,
                route_table: None,
                nat_gateway: None,
                pe_policies: "Disabled".into(),
                default_outbound_access: true,
            });
            t.vnets[vi].subnets.push(ix);
        }
        t.index_addresses();
        t
    }

    /// The definition `split_by_subnet` indexes: the requested VNets in order (each once),
    /// each VNet's subnets most specific first, each taking what is left of the region.
    fn by_definition(
        t: &Topology,
        region: &PrefixSet,
        vnets: &[VnetIx],
    ) -> Vec<(SubnetIx, PrefixSet)> {
        let mut seen: Vec<VnetIx> = Vec::new();
        let mut rest = region.clone();
        let mut out = Vec::new();
        for v in vnets {
            if seen.contains(v) {
                continue;
            }
            seen.push(*v);
            let mut claim = t.vnets[*v].subnets.clone();
            claim.sort_by_key(|s| (std::cmp::Reverse(t.subnets[*s].prefix.len()), *s));
            for s in claim {
                let part = rest.intersection(&[t.subnets[s].prefix].into_iter().collect());
                if !part.is_empty() {
                    rest = rest.difference(&part);
                    out.push((s, part));
                }
            }
        }
        out
    }

    fn prefix(six: bool, a: u32, len: u8) -> Prefix {
        let ip: IpAddr = if six {
            format!("2001:db8:0:{a:x}::").parse().unwrap()
        } else {
            IpAddr::V4(Ipv4Addr::from(0x0a00_0000 | (a << 8)))
        };
        Prefix::new(ip, if six { len + 40 } else { len }).unwrap()
    }

    proptest! {
        /// Overlapping subnets in several VNets of both families, regions of several ranges
        /// (single addresses included), VNets asked in any order with repeats: the index and
        /// its fallback split exactly as the definition.
        #[test]
        fn split_by_subnet_is_the_claim_order(
            subnets in prop::collection::vec((0usize..4, any::<bool>(), 0u32..64, 20u8..27), 0..20),
            ranges in prop::collection::vec((any::<bool>(), 0u32..64, 0u32..3000), 1..4),
            asked in prop::collection::vec(0usize..4, 0..6),
        ) {
            let subnets: Vec<(usize, Prefix)> =
                subnets.into_iter().map(|(v, six, a, l)| (v, prefix(six, a, l))).collect();
            let t = topology(4, &subnets);
            let mut region = PrefixSet::new();
            for (six, a, n) in ranges {
                let first = prefix(six, a, if six { 88 } else { 32 }).network();
                let last = match first {
                    IpAddr::V4(x) => IpAddr::V4((u32::from(x) + n).into()),
                    IpAddr::V6(x) => IpAddr::V6((u128::from(x) + u128::from(n)).into()),
                };
                region = region.union(&PrefixSet::from_range(first, last).unwrap());
            }
            let vnets: Vec<VnetIx> = asked.into_iter().map(VnetIx::new).collect();
            let got: Vec<(SubnetIx, PrefixSet)> = t
                .split_by_subnet(&region, &vnets)
                .into_iter()
                .map(|p| (p.subnet, p.addrs))
                .collect();
            prop_assert_eq!(got, by_definition(&t, &region, &vnets));
        }
    }

    /// An IPv6 subnet spanning the keys of IPv4 addresses (`::/64` holds `::ffff:0:0/96` only
    /// as a key) holds none of them.
    #[test]
    fn an_ipv6_subnet_holds_no_ipv4_address() {
        let t = topology(1, &[(0, "::/64".parse().unwrap())]);
        assert_eq!(t.subnets_containing("10.0.0.1".parse().unwrap()).count(), 0);
        assert_eq!(t.subnets_containing("::1".parse().unwrap()).count(), 1);
    }
}
