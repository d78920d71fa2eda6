//! Named endpoints, the second stage of the data plane: the addresses traces start from and go
//! to (firewalls, NVAs, private endpoints, load balancer and Application Gateway frontends, API
//! servers, Bastion), with their DNS names and the services they answer on, collected from the
//! estate against the [`Topology`].

use std::collections::HashMap;
use std::net::IpAddr;

use aksnet_model::network::{NetworkInterface, NextHopType};
use aksnet_model::private::PrivateEndpoint;
use aksnet_model::{azure, Estate, Resource, ResourceId};
use aksnet_net::{Family, PortRange, PortSet, PrefixSet, Protocol, Services};

use crate::index::IndexVec;
use crate::topology::{PublicIp, SubnetIx, Topology, VnetIx};

/// What sits at an address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointKind {
    /// Azure Firewall (its private IP).
    Firewall,
    /// A third-party NVA (the next hop of a `VirtualAppliance` route that is not a firewall).
    Nva,
    /// A private endpoint; the group id (`registry`, `vault`, ...).
    PrivateEndpoint(String),
    /// An internal load balancer frontend.
    InternalLoadBalancer,
    /// An Application Gateway private frontend.
    AppGatewayPrivate,
    /// An Application Gateway public frontend.
    AppGatewayPublic,
    /// Azure Firewall public IP.
    FirewallPublic,
    /// A private cluster's API server endpoint (predicted address).
    ApiServerPrivate,
    /// A public API server (synthetic address).
    ApiServerPublic,
    /// Bastion.
    Bastion,
}

/// A named address in the estate.
#[derive(Clone, Debug)]
pub struct Endpoint {
    /// What it is.
    pub kind: EndpointKind,
    /// Its address (synthetic for public IPs not yet assigned).
    pub ip: IpAddr,
    /// Whether `ip` is a prediction or a synthetic stand-in rather than a known address.
    pub predicted: bool,
    /// Its subnet (private endpoints).
    pub subnet: Option<SubnetIx>,
    /// The owning resource.
    pub resource: ResourceId,
    /// Display name.
    pub name: String,
    /// DNS name, where the resource has one.
    pub fqdn: Option<String>,
    /// A load balancer frontend's rules, when the estate holds them (AKS writes them per
    /// Service, so a designed estate has none: then the frontend answers on any port).
    pub lb_rules: Vec<LbRule>,
}

/// What a load-balancing rule lets through a frontend, and where it sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LbRule {
    /// The rule's name.
    pub name: String,
    /// Protocol and frontend port (HA ports: every port of TCP and UDP).
    pub services: Services,
    /// The backend port when it differs from the frontend's.
    pub backend_port: Option<u16>,
}

impl LbRule {
    /// Each rule with the services it takes: its own, minus what an earlier rule took (first
    /// match). A trace looks up its one packet in the same list.
    pub fn carve(rules: &[LbRule]) -> Vec<(&LbRule, Services)> {
        let mut taken = Services::none();
        rules
            .iter()
            .map(|r| {
                let mine = r.services.difference(&taken);
                taken = taken.union(&r.services);
                (r, mine)
            })
            .filter(|(_, s)| !s.is_empty())
            .collect()
    }

    /// The rules of `lb` that listen on frontend `frontend` [AKS-LB-STD] §6.10: protocol `Tcp`,
    /// `Udp` or `All`; HA ports (`All`, port 0) take every port and keep it.
    pub fn of(lb: &aksnet_model::network::LoadBalancer, frontend: &ResourceId) -> Vec<LbRule> {
        lb.load_balancing_rules
            .iter()
            .filter(|r| {
                r.properties
                    .frontend_ip_configuration
                    .as_ref()
                    .is_some_and(|f| f.id == *frontend)
            })
            .map(|r| {
                let p = &r.properties;
                let ports: PortSet = if p.frontend_port == 0 {
                    PortSet::any()
                } else {
                    PortRange::single(p.frontend_port).into()
                };
                let protocols = match p.protocol.to_ascii_lowercase().as_str() {
                    "tcp" => Protocol::Tcp.into(),
                    "udp" => Protocol::Udp.into(),
                    _ => {
                        let mut both = aksnet_net::ProtocolSet::NONE;
                        both.insert(Protocol::Tcp);
                        both.insert(Protocol::Udp);
                        both
                    }
                };
                LbRule {
                    name: r.name.clone(),
                    services: Services::new(protocols, &ports),
                    backend_port: p.backend_port.filter(|b| *b != 0 && *b != p.frontend_port),
                }
            })
            .collect()
    }
}

impl Endpoint {
    /// The services this endpoint answers on, where Azure fixes them; `None` when it answers on
    /// whatever reaches it (a node, an NVA) or the estate does not say (a private endpoint for a
    /// service other than ACR and Key Vault). Every evaluator filters arrivals through this one
    /// place. Application Gateway listeners come from the resource: see [`app_gateway_listeners`];
    /// an internal load balancer's, from its rules: see [`LbRule::carve`].
    ///
    /// - API servers, public and private: TCP 443 ("APIServerPublicIP TCP 443", AKS outbound
    ///   rules [AKS-OUTBOUND-RULES] §6.9; the private endpoint and the VNet-integrated ILB front
    ///   the same listener [AKS-PRIVATE] [AKS-APIVNET] §6.6, §6.8).
    /// - ACR (registry and data endpoints) and Key Vault private endpoints: HTTPS, TCP 443
    ///   [ACRPL] [PEOV-OLD] §7.1.
    pub fn listens(&self) -> Option<Services> {
        let https = || Services::of(Protocol::Tcp, PortRange::single(443));
        match &self.kind {
            EndpointKind::ApiServerPublic | EndpointKind::ApiServerPrivate => Some(https()),
            EndpointKind::PrivateEndpoint(g) if g == "registry" || g == "vault" => Some(https()),
            _ => None,
        }
    }
}

/// The services an Application Gateway's listeners answer on: TCP on each frontend port
/// [AGINFRA] §5.3.
pub fn app_gateway_listeners(agw: &aksnet_model::appgw::ApplicationGateway) -> Services {
    let ports: PortSet = agw
        .frontend_ports
        .iter()
        .map(|p| PortRange::single(p.properties.port))
        .collect();
    Services::new(Protocol::Tcp.into(), &ports)
}

crate::index::index_type!(
    /// Index of an endpoint in [`Endpoints`] (what [`crate::places::Place::Endpoint`] holds).
    EndpointIx
);

/// The estate's named endpoints, with an index by address.
#[derive(Clone, Debug, Default)]
pub struct Endpoints {
    /// In collection order (`Place::Endpoint` indexes it).
    all: IndexVec<EndpointIx, Endpoint>,
    /// Address → the first endpoint with it.
    by_ip: HashMap<IpAddr, EndpointIx>,
    /// Every endpoint, by address then index: the endpoints at one address, and the addresses
    /// in a set, by binary search.
    by_addr: Vec<EndpointIx>,
    /// Devices that cannot work as configured (a Bastion in a subnet with no assignable
    /// address, ...), each naming its resource: they are left out and every trace says so.
    pub notes: Vec<String>,
}

/// A firewall's private address: the one its first IP configuration states, else (with
/// `first_address`, [`crate::Options::firewall_first_address`]) the first assignable address
/// of that configuration's subnet; `None` when unknown.
pub fn firewall_address(
    estate: &Estate,
    fw: &aksnet_model::Resource<aksnet_model::firewall::AzureFirewall>,
    first_address: bool,
) -> Option<std::net::IpAddr> {
    if let Some(ip) = fw.properties.private_ip() {
        return ip.parse().ok();
    }
    if !first_address {
        return None;
    }
    let subnet = &fw
        .properties
        .ip_configurations
        .first()?
        .properties
        .subnet
        .id;
    let (_, s) = estate.subnet(subnet)?;
    aksnet_model::azure::first_assignable(&s.properties.address_prefix)
}

impl Endpoints {
    /// Collects the estate's endpoints against its topology; `firewall_first_address` is
    /// [`crate::Options::firewall_first_address`].
    pub fn new(estate: &Estate, t: &Topology, firewall_first_address: bool) -> Self {
        let (all, mut notes) = collect(estate, t, firewall_first_address);
        notes.splice(0..0, t.notes.iter().cloned());
        let all: IndexVec<EndpointIx, Endpoint> = IndexVec::from(all);
        let mut by_ip = HashMap::new();
        for (i, e) in all.iter_enumerated() {
            by_ip.entry(e.ip).or_insert(i);
        }
        let mut by_addr: Vec<EndpointIx> = all.iter_enumerated().map(|(i, _)| i).collect();
        by_addr.sort_by_key(|&i| (all[i].ip, i));
        Endpoints {
            all,
            by_ip,
            by_addr,
            notes,
        }
    }

    /// Every endpoint with its index.
    pub fn iter_enumerated(&self) -> impl DoubleEndedIterator<Item = (EndpointIx, &Endpoint)> + '_ {
        self.all.iter_enumerated()
    }

    /// Every endpoint, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Endpoint> {
        self.all.iter()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// The endpoint at `ip`, if any.
    pub fn at(&self, ip: IpAddr) -> Option<&Endpoint> {
        self.by_ip.get(&ip).map(|i| &self.all[*i])
    }

    /// Every endpoint at `ip`, in index order.
    pub fn all_at(&self, ip: IpAddr) -> impl Iterator<Item = &Endpoint> + '_ {
        let from = self.by_addr.partition_point(|&i| self.all[i].ip < ip);
        self.by_addr[from..]
            .iter()
            .map(|&i| &self.all[i])
            .take_while(move |e| e.ip == ip)
    }

    /// The endpoints with an address in `set`, one per address: the one a trace finds there
    /// ([`Endpoints::at`]), in address order.
    pub fn within(&self, set: &PrefixSet) -> Vec<&Endpoint> {
        self.addresses_in(set)
            .into_iter()
            .filter_map(|ip| self.at(ip))
            .collect()
    }

    /// The endpoints a packet reaching subnet `d` meets at the addresses of `set`, one per
    /// address ([`Endpoints::arriving`]), in address order.
    pub fn arriving_within(&self, t: &Topology, set: &PrefixSet, d: SubnetIx) -> Vec<&Endpoint> {
        self.addresses_in(set)
            .into_iter()
            .filter_map(|ip| self.arriving(t, ip, d))
            .collect()
    }

    /// The endpoint a packet to `ip` meets when it reaches subnet `d`: the one at `ip`
    /// ([`Endpoints::at`]) unless that one is in a subnet of another VNet — VNets that are not
    /// peered may overlap (azure-semantics §1.5 [VNETFAQ]) — and then the one at `ip` in `d`'s
    /// VNet, if there is one.
    pub fn arriving(&self, t: &Topology, ip: IpAddr, d: SubnetIx) -> Option<&Endpoint> {
        let v = t.subnets[d].vnet;
        let here = |e: &Endpoint| e.subnet.is_none_or(|s| t.subnets[s].vnet == v);
        match self.at(ip) {
            Some(e) if !here(e) => self.all_at(ip).find(|o| o.subnet.is_some() && here(o)),
            other => other,
        }
    }

    /// The endpoints' distinct addresses in `set`, in order.
    fn addresses_in(&self, set: &PrefixSet) -> Vec<IpAddr> {
        let addr = |f: Family, n: u128| match f {
            Family::V4 => IpAddr::V4((n as u32).into()),
            Family::V6 => IpAddr::V6(n.into()),
        };
        let mut ips: Vec<IpAddr> = Vec::new();
        for (f, first, last) in set.ranges() {
            let (first, last) = (addr(f, first), addr(f, last));
            let from = self.by_addr.partition_point(|&i| self.all[i].ip < first);
            let to = self.by_addr.partition_point(|&i| self.all[i].ip <= last);
            ips.extend(self.by_addr[from..to].iter().map(|&i| self.all[i].ip));
        }
        ips.dedup();
        ips
    }

    /// The VNet an endpoint belongs to: its subnet's, or that of another endpoint of the same
    /// resource (a public frontend belongs where its gateway's private side is).
    /// A public API server belongs where its cluster's nodes are.
    pub fn vnet_of(&self, t: &Topology, e: &Endpoint) -> Option<VnetIx> {
        e.subnet
            .or_else(|| {
                self.all
                    .iter()
                    .find(|o| o.resource == e.resource && o.subnet.is_some())
                    .and_then(|o| o.subnet)
            })
            .or_else(|| {
                t.subnet_clusters
                    .iter_enumerated()
                    .find(|(_, c)| c.as_ref().is_some_and(|c| c.cluster == e.resource))
                    .map(|(s, _)| s)
            })
            .map(|s| t.subnets[s].vnet)
    }
}

impl std::ops::Index<EndpointIx> for Endpoints {
    type Output = Endpoint;
    fn index(&self, i: EndpointIx) -> &Endpoint {
        &self.all[i]
    }
}

impl<'a> IntoIterator for &'a Endpoints {
    type Item = &'a Endpoint;
    type IntoIter = std::slice::Iter<'a, Endpoint>;
    fn into_iter(self) -> Self::IntoIter {
        self.all.iter()
    }
}

fn subnet_of(t: &Topology, id: &ResourceId) -> Option<SubnetIx> {
    t.subnet_by_id(id)
}

/// The DNS name of a private endpoint member (azure-semantics §7.1): `registry` →
/// `<acr>.azurecr.io`, `registry_data_<region>` → `<acr>.<region>.data.azurecr.io`,
/// `vault` → `<kv>.vault.azure.net`.
pub(crate) fn pe_fqdn(target: &str, group: &str, member: &str) -> Option<String> {
    match group {
        "registry" => Some(match member.strip_prefix("registry_data_") {
            Some(region) => format!("{target}.{region}.data.azurecr.io"),
            None => format!("{target}.azurecr.io"),
        }),
        "vault" => Some(format!("{target}.vault.azure.net")),
        _ => None,
    }
}

/// One address of a private endpoint, with the member it serves.
struct PeAddress {
    ip: IpAddr,
    group_id: String,
    member: String,
    /// The name Azure reports for it.
    fqdn: Option<String>,
    /// Whether that name wins over the one the engine derives from the member
    /// (`customDnsConfigs` name the address itself; a NIC's names are per member).
    reported_first: bool,
}

/// The NICs of the estate by the private endpoint that owns them: those the endpoint lists
/// (`networkInterfaces`) and those naming it (`privateEndpoint`), in id order.
fn pe_nics(estate: &Estate) -> HashMap<ResourceId, Vec<&Resource<NetworkInterface>>> {
    let mut out: HashMap<ResourceId, Vec<&Resource<NetworkInterface>>> = HashMap::new();
    for pe in estate.private_endpoints.iter() {
        for r in &pe.properties.network_interfaces {
            if let Some(nic) = estate.network_interfaces.get(&r.id) {
                out.entry(pe.id.clone()).or_default().push(nic);
            }
        }
    }
    for nic in estate.network_interfaces.iter() {
        if let Some(pe) = &nic.properties.private_endpoint {
            let list = out.entry(pe.id.clone()).or_default();
            if !list.iter().any(|n| n.id == nic.id) {
                list.push(nic);
            }
        }
    }
    out
}

/// A private endpoint's addresses [PEOV-2023] §7.1: its static `ipConfigurations`; with
/// dynamic addresses (`ipConfigurations: []`, what `az network private-endpoint show` prints)
/// the IP configurations of its NIC, each naming its member in
/// `privateLinkConnectionProperties`; without the NIC, the addresses in `customDnsConfigs`;
/// otherwise none (the caller notes it).
fn pe_addresses(
    pe: &Resource<PrivateEndpoint>,
    nics: &HashMap<ResourceId, Vec<&Resource<NetworkInterface>>>,
) -> Vec<PeAddress> {
    let p = &pe.properties;
    let group = p
        .private_link_service_connections
        .first()
        .and_then(|c| c.properties.group_ids.first().cloned())
        .unwrap_or_default();
    let from_configs: Vec<PeAddress> = p
        .ip_configurations
        .iter()
        .filter_map(|c| {
            Some(PeAddress {
                ip: c.properties.private_ip_address.parse().ok()?,
                group_id: c.properties.group_id.clone(),
                member: c.properties.member_name.clone(),
                fqdn: None,
                reported_first: false,
            })
        })
        .collect();
    if !from_configs.is_empty() {
        return from_configs;
    }
    let from_nics: Vec<PeAddress> = nics
        .get(&pe.id)
        .into_iter()
        .flatten()
        .flat_map(|nic| &nic.properties.ip_configurations)
        .filter_map(|c| {
            let ip = c.properties.private_ip_address.as_deref()?.parse().ok()?;
            let link = c.properties.private_link_connection_properties.as_ref();
            let group_id = link
                .and_then(|l| l.group_id.clone())
                .unwrap_or_else(|| group.clone());
            let member = link
                .and_then(|l| l.required_member_name.clone())
                .unwrap_or_else(|| group_id.clone());
            Some(PeAddress {
                ip,
                group_id,
                member,
                fqdn: link.and_then(|l| l.fqdns.first().cloned()),
                reported_first: false,
            })
        })
        .collect();
    if !from_nics.is_empty() {
        return from_nics;
    }
    p.custom_dns_configs
        .iter()
        .flat_map(|c| {
            c.ip_addresses.iter().filter_map(|a| {
                Some(PeAddress {
                    ip: a.parse().ok()?,
                    group_id: group.clone(),
                    member: c.fqdn.clone().unwrap_or_else(|| group.clone()),
                    fqdn: c.fqdn.clone(),
                    reported_first: true,
                })
            })
        })
        .collect()
}

/// A frontend's private address and subnet, when it has one.
fn private_frontend(
    f: &aksnet_model::network::FrontendIpConfiguration,
    t: &Topology,
) -> Option<(IpAddr, Option<SubnetIx>)> {
    let ip = f.private_ip_address.as_deref()?.parse().ok()?;
    Some((ip, f.subnet.as_ref().and_then(|s| subnet_of(t, &s.id))))
}

/// The endpoints of an estate, and notes on those that cannot work as configured.
fn collect(
    estate: &Estate,
    t: &Topology,
    firewall_first_address: bool,
) -> (Vec<Endpoint>, Vec<String>) {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let mut push =
        |kind, ip: IpAddr, predicted, subnet, resource: &ResourceId, name: String, fqdn| {
            out.push(Endpoint {
                kind,
                ip,
                predicted,
                subnet,
                resource: resource.clone(),
                name,
                fqdn,
                lb_rules: Vec::new(),
            });
        };
    // Load balancer rules per (load balancer, frontend address), attached after collection.
    let mut lb_rules: Vec<(ResourceId, IpAddr, Vec<LbRule>)> = Vec::new();
    let mut firewall_ips = Vec::new();
    let mut nvas: Vec<IpAddr> = Vec::new();
    for fw in estate.azure_firewalls.iter() {
        for (i, c) in fw.properties.ip_configurations.iter().enumerate() {
            let stated = c
                .properties
                .private_ip_address
                .as_deref()
                .and_then(|a| a.parse().ok());
            // The private address is the first configuration's (the one in AzureFirewallSubnet);
            // unstated, it is predicted only with the switch.
            let ip = match stated {
                Some(ip) => Some((ip, false)),
                None if i == 0 => {
                    firewall_address(estate, fw, firewall_first_address).map(|ip| (ip, true))
                }
                None => None,
            };
            if let Some((ip, predicted)) = ip {
                firewall_ips.push(ip);
                push(
                    EndpointKind::Firewall,
                    ip,
                    predicted,
                    subnet_of(t, &c.properties.subnet.id),
                    &fw.id,
                    fw.name.clone(),
                    None,
                );
            }
            if let Some(&PublicIp { ip, stand_in }) = c
                .properties
                .public_ip_address
                .as_ref()
                .and_then(|p| t.public_ips.get(&p.id))
            {
                let name = c
                    .properties
                    .public_ip_address
                    .as_ref()
                    .map(|p| p.id.name().to_string())
                    .unwrap_or_default();
                push(
                    EndpointKind::FirewallPublic,
                    ip,
                    stand_in,
                    None,
                    &fw.id,
                    name,
                    None,
                );
            }
        }
    }
    for rt in estate.route_tables.iter() {
        for r in &rt.properties.routes {
            if r.properties.next_hop_type != NextHopType::VirtualAppliance {
                continue;
            }
            let Some(ip) = r
                .properties
                .next_hop_ip_address
                .as_ref()
                .and_then(|a| a.known())
                .and_then(|a| a.parse::<IpAddr>().ok())
            else {
                continue;
            };
            let known = firewall_ips.contains(&ip) || nvas.contains(&ip);
            if !known {
                nvas.push(ip);
                push(
                    EndpointKind::Nva,
                    ip,
                    false,
                    t.subnet_of(ip),
                    &rt.id,
                    format!("NVA {ip}"),
                    None,
                );
            }
        }
    }
    let pe_nics = pe_nics(estate);
    for pe in estate.private_endpoints.iter() {
        let subnet = subnet_of(t, &pe.properties.subnet.id);
        let target = pe
            .properties
            .private_link_service_connections
            .first()
            .map(|c| c.properties.private_link_service_id.name().to_string())
            .unwrap_or_default();
        let addresses = pe_addresses(pe, &pe_nics);
        if addresses.is_empty() {
            notes.push(format!(
                "{}: no address in the input (ipConfigurations is empty, its network interface is not in the input and it has no customDnsConfigs), so it is left out: import its NIC to place it",
                pe.id
            ));
        }
        for a in addresses {
            let fqdn = match a.fqdn {
                Some(reported) if a.reported_first => Some(reported),
                reported => pe_fqdn(&target, &a.group_id, &a.member).or(reported),
            };
            push(
                EndpointKind::PrivateEndpoint(a.group_id),
                a.ip,
                false,
                subnet,
                &pe.id,
                format!("{} ({})", pe.name, a.member),
                fqdn,
            );
        }
    }
    for lb in estate.load_balancers.iter() {
        for f in &lb.properties.frontend_ip_configurations {
            if let Some((ip, subnet)) = private_frontend(&f.properties, t) {
                push(
                    EndpointKind::InternalLoadBalancer,
                    ip,
                    false,
                    subnet,
                    &lb.id,
                    format!("{}/{}", lb.name, f.name),
                    None,
                );
                let frontend = lb.id.child("frontendIPConfigurations", &f.name);
                lb_rules.push((lb.id.clone(), ip, LbRule::of(&lb.properties, &frontend)));
            }
        }
    }
    for agw in estate.application_gateways.iter() {
        for f in &agw.properties.frontend_ip_configurations {
            if let Some((ip, subnet)) = private_frontend(&f.properties, t) {
                push(
                    EndpointKind::AppGatewayPrivate,
                    ip,
                    false,
                    subnet,
                    &agw.id,
                    format!("{} (private)", agw.name),
                    None,
                );
            }
            if let Some(&PublicIp { ip, stand_in }) = f
                .properties
                .public_ip_address
                .as_ref()
                .and_then(|p| t.public_ips.get(&p.id))
            {
                push(
                    EndpointKind::AppGatewayPublic,
                    ip,
                    stand_in,
                    None,
                    &agw.id,
                    format!("{} (public)", agw.name),
                    None,
                );
            }
        }
    }
    for b in estate.bastion_hosts.iter() {
        if let Some(s) = b
            .properties
            .ip_configurations
            .first()
            .and_then(|c| subnet_of(t, &c.properties.subnet.id))
        {
            let Some(ip) = t.instance_address(s) else {
                notes.push(format!(
                    "{}: its subnet {} has no assignable address, so the Bastion cannot run there and is left out",
                    b.id, t.subnets[s].prefix
                ));
                continue;
            };
            push(
                EndpointKind::Bastion,
                ip,
                true,
                Some(s),
                &b.id,
                b.name.clone(),
                None,
            );
        }
    }
    let mut synthetic = t.public_ips.len() as u32;
    for mc in estate.managed_clusters.iter() {
        let p = &mc.properties;
        let loc = mc.location.clone().unwrap_or_default();
        let api = p.api_server_access_profile.clone().unwrap_or_default();
        let integrated = api.enable_vnet_integration == Some(true);
        if p.is_private() {
            // The endpoint's address is assigned at deployment: predicted as the API server
            // subnet's first assignable address (VNet integration) or the first pool subnet's
            // last usable address (private endpoint) [AKS-PRIVATE] [AKS-APIVNET].
            let subnet = if integrated {
                api.subnet_id.as_ref()
            } else {
                p.agent_pool_profiles
                    .first()
                    .and_then(|a| a.vnet_subnet_id.as_ref())
            };
            let Some(s) = subnet.and_then(|s| subnet_of(t, s)) else {
                continue;
            };
            let prefix = t.subnets[s].prefix;
            let ip = if integrated {
                azure::first_assignable(&prefix)
            } else {
                prefix.size().checked_sub(2).and_then(|n| prefix.nth(n))
            };
            let zone = if integrated {
                format!("private.{loc}.azmk8s.io")
            } else {
                format!("privatelink.{loc}.azmk8s.io")
            };
            if let Some(ip) = ip {
                push(
                    EndpointKind::ApiServerPrivate,
                    ip,
                    true,
                    Some(s),
                    &mc.id,
                    format!("{} API server", mc.name),
                    Some(format!("{}.{zone}", p.dns_prefix)),
                );
            }
        } else {
            let ip = IpAddr::V4(std::net::Ipv4Addr::from(
                u32::from(std::net::Ipv4Addr::new(198, 18, 0, 1)) + synthetic,
            ));
            synthetic += 1;
            push(
                EndpointKind::ApiServerPublic,
                ip,
                true,
                None,
                &mc.id,
                format!("{} API server", mc.name),
                Some(format!("{}.hcp.{loc}.azmk8s.io", p.dns_prefix)),
            );
        }
    }
    for (lb, ip, rules) in lb_rules {
        if let Some(e) = out.iter_mut().find(|e| {
            e.kind == EndpointKind::InternalLoadBalancer && e.resource == lb && e.ip == ip
        }) {
            e.lb_rules = rules;
        }
    }
    // A private address that lies outside its own subnet (or, without one, outside every
    // subnet) cannot receive traffic: Azure assigns private addresses from the subnet's prefix.
    // Such a device is left out, and the note names it.
    out.retain(|e| {
        let public = matches!(
            e.kind,
            EndpointKind::AppGatewayPublic
                | EndpointKind::FirewallPublic
                | EndpointKind::ApiServerPublic
        );
        let placed = match e.subnet {
            Some(s) => t.subnets[s].prefix.contains_addr(e.ip),
            None => t.subnet_of(e.ip).is_some(),
        };
        if !public && !placed {
            notes.push(match e.subnet {
                Some(s) => format!(
                    "{}: its address {} lies outside its subnet {} ({}), so nothing reaches it there; it is left out",
                    e.resource,
                    e.ip,
                    t.subnets[s].label(t),
                    t.subnets[s].prefix
                ),
                None => format!(
                    "{}: its address {} lies in no subnet of the estate; it is left out",
                    e.resource, e.ip
                ),
            });
        }
        public || placed
    });
    (out, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    const SUB: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";

    /// A VNet with subnet `pe` (10.0.1.0/24), the private endpoint `pe` with these properties
    /// on top of its subnet and registry connection, and these NICs.
    fn estate(pe: Value, nics: Value) -> Estate {
        let mut props = json!({
            "subnet": { "id": format!("{SUB}/virtualNetworks/v/subnets/pe") },
            "privateLinkServiceConnections": [{ "name": "c", "properties": {
                "privateLinkServiceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr",
                "groupIds": ["registry"] } }] });
        for (k, v) in pe.as_object().into_iter().flatten() {
            props[k] = v.clone();
        }
        serde_json::from_value(json!({
            "aksnetSchema": 1, "name": "t",
            "virtualNetworks": [{ "id": format!("{SUB}/virtualNetworks/v"), "properties": {
                "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
                "subnets": [{ "name": "pe", "properties": { "addressPrefix": "10.0.1.0/24" } }] } }],
            "privateEndpoints": [{ "id": format!("{SUB}/privateEndpoints/pe"), "properties": props }],
            "networkInterfaces": nics,
        }))
        .unwrap()
    }

    fn nic(ip: &str, member: &str, back_reference: bool) -> Value {
        let mut n = json!({ "id": format!("{SUB}/networkInterfaces/pe.nic"), "properties": {
            "ipConfigurations": [{ "name": member, "properties": {
                "privateIPAddress": ip, "privateIPAllocationMethod": "Dynamic",
                "subnet": { "id": format!("{SUB}/virtualNetworks/v/subnets/pe") },
                "privateLinkConnectionProperties": { "groupId": "registry",
                    "requiredMemberName": member, "fqdns": ["ignored.example"] } } }] } });
        if back_reference {
            n["properties"]["privateEndpoint"] =
                json!({ "id": format!("{SUB}/privateEndpoints/pe") });
        }
        n
    }

    /// `(address, name, fqdn)` of a placed private endpoint address.
    type Placed = (String, String, Option<String>);

    /// The private endpoint's placed addresses, and the notes.
    fn placed(e: &Estate) -> (Vec<Placed>, Vec<String>) {
        let t = Topology::new(e);
        let ep = Endpoints::new(e, &t, false);
        let list = ep
            .iter()
            .filter(|x| matches!(x.kind, EndpointKind::PrivateEndpoint(_)))
            .map(|x| (x.ip.to_string(), x.name.clone(), x.fqdn.clone()))
            .collect();
        (list, ep.notes.clone())
    }

    #[test]
    fn static_ip_configurations_come_first() {
        let e = estate(
            json!({ "ipConfigurations": [{ "name": "s", "properties": {
                "groupId": "registry", "memberName": "registry", "privateIPAddress": "10.0.1.9" } }],
                "customDnsConfigs": [{ "fqdn": "acr.azurecr.io", "ipAddresses": ["10.0.1.7"] }] }),
            json!([nic("10.0.1.5", "registry", true)]),
        );
        assert_eq!(placed(&e).0[0].0, "10.0.1.9");
    }

    #[test]
    fn a_dynamic_endpoint_takes_its_nics_addresses_by_either_reference() {
        let listed = json!({ "ipConfigurations": [],
            "networkInterfaces": [{ "id": format!("{SUB}/networkInterfaces/pe.nic") }] });
        for (pe, back) in [(listed, false), (json!({ "ipConfigurations": [] }), true)] {
            let e = estate(
                pe,
                json!([nic("10.0.1.5", "registry_data_westeurope", back)]),
            );
            let (list, _) = placed(&e);
            assert_eq!(
                list,
                [(
                    "10.0.1.5".to_string(),
                    "pe (registry_data_westeurope)".to_string(),
                    Some("acr.westeurope.data.azurecr.io".to_string())
                )]
            );
        }
    }

    #[test]
    fn without_the_nic_custom_dns_configs_then_a_note() {
        let e = estate(
            json!({ "ipConfigurations": [], "customDnsConfigs": [
                { "fqdn": "acr.westeurope.data.azurecr.io", "ipAddresses": ["10.0.1.6"] },
                { "fqdn": "acr.azurecr.io", "ipAddresses": ["10.0.1.7"] } ] }),
            json!([]),
        );
        let (list, notes) = placed(&e);
        let fqdns: Vec<_> = list.iter().map(|x| x.2.clone().unwrap()).collect();
        assert_eq!(fqdns, ["acr.westeurope.data.azurecr.io", "acr.azurecr.io"]);
        assert!(notes.is_empty());
        let (list, notes) = placed(&estate(json!({ "ipConfigurations": [] }), json!([])));
        assert!(list.is_empty());
        assert!(notes[0].contains("no address in the input"), "{notes:?}");
    }

    #[test]
    fn a_nic_address_outside_its_subnet_is_left_out_with_a_note() {
        let mut n = nic("10.0.9.5", "registry", true);
        n["properties"]["ipConfigurations"][0]["properties"]["privateLinkConnectionProperties"] =
            Value::Null;
        let e = estate(json!({ "ipConfigurations": [] }), json!([n]));
        let t = Topology::new(&e);
        assert!(t.nic_addresses.is_empty());
        assert!(t.notes[0].contains("outside its subnet"), "{:?}", t.notes);
    }
}
