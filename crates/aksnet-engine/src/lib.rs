//! The engine: Azure's data plane for an Estate.
//!
//! [`DataPlane::compile`] turns an Estate into indices and per-subnet tables — effective routes,
//! the `VirtualNetwork` tag in context, compiled NSG rules — and compiled firewall policies.
//! Analyses on it are pure: [`trace`] follows one flow hop by hop with the rule that made each
//! decision and checks the return path; [`reach`] computes packet sets between places.
//!
//! Every Azure behaviour lives in one module with its source: routes in [`routes`], tags in
//! [`tags`], NSGs in [`nsg`], Azure Firewall in [`firewall`], DNS in [`dns`]; switches for the
//! behaviours the sources disagree on in [`options`].
//!
//! **Build order.** [`DataPlane::compile`] builds in stages, each from the estate and the
//! stages before it, so the module graph is a DAG: a module uses only those listed before it
//! (held by `tests/module_order.rs`), with [`parallel`] (fanning questions out over cores) and
//! [`index`] (typed VNet and subnet indices) first.
//! 1. [`topology`]: VNets, subnets, peerings, gateways, on-premises prefixes, node pools,
//!    public IPs and network interface addresses;
//! 2. [`endpoints`]: the named addresses, placed in the topology's subnets;
//! 3. [`dns`]: name resolution per VNet — its DNS servers (or a client NIC's own, which
//!    override them), firewall DNS proxies, resolver
//!    endpoints, forwarding rulesets and private zones — with the records AKS writes for the
//!    private API servers among the endpoints;
//! 4. service tags in context ([`tags`]) and the [`options`] that carry the loaded ones; per
//!    subnet, effective routes ([`routes`]), the `VirtualNetwork` tag and compiled NSG rules
//!    ([`nsg`]: the subnet's NSG and its NICs' NSGs, application security groups resolved to
//!    the NICs and endpoints that carry them); per firewall, its compiled policy ([`firewall`]);
//! 5. the [`DataPlane`] holding them all (this file), on which [`places`], [`egress`],
//!    [`reply`], [`trace`] and [`reach`] answer questions, in that order.

#![warn(missing_docs)]
// Source tags such as [VNETFAQ] cite the source list of shared/azure-semantics.md; they are
// references for readers, not links to items.
#![allow(rustdoc::broken_intra_doc_links)]

pub mod dns;
pub mod egress;
pub mod endpoints;
pub mod firewall;
pub mod index;
pub mod nsg;
pub mod options;
pub mod parallel;
pub mod places;
pub mod reach;
pub mod reply;
pub mod routes;
pub mod tags;
pub mod topology;
pub mod trace;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::OnceLock;

use aksnet_model::network::Direction;
use aksnet_model::{Estate, ResourceId};
use aksnet_net::{PacketSet, PrefixSet};

pub use options::Options;
pub use places::{Place, PlaceError, PlaceReason};
pub use topology::Topology;

use index::IndexVec;
use topology::SubnetIx;

/// An Estate compiled for analysis.
pub struct DataPlane<'e> {
    /// The estate.
    pub estate: &'e Estate,
    /// Behaviour switches.
    pub options: Options,
    /// Indices: VNets, subnets, peerings.
    pub topology: Topology,
    /// Named endpoints (`Place::Endpoint` indexes them).
    pub endpoints: endpoints::Endpoints,
    /// Name resolution as each VNet's clients see it.
    pub dns: dns::Views,
    /// Effective routes per subnet.
    pub routes: IndexVec<SubnetIx, Vec<routes::EffectiveRoute>>,
    /// Lookup index per subnet over `routes`.
    route_index: IndexVec<SubnetIx, routes::RouteIndex>,
    /// Per subnet, why routing to public destinations is unknown, if it is
    /// ([`DataPlane::route_tag_unknown`]).
    route_tag_unknown: IndexVec<SubnetIx, Option<String>>,
    /// Per subnet, its routes in precedence order and the prefixes BGP never takes, computed
    /// on first use.
    route_order: IndexVec<SubnetIx, OnceLock<(Vec<usize>, PrefixSet)>>,
    /// `VirtualNetwork` tag per subnet.
    pub vnet_tags: IndexVec<SubnetIx, PrefixSet>,
    /// Compiled NSG rules per subnet (`None` = no NSG associated).
    pub nsgs: IndexVec<SubnetIx, Option<Vec<nsg::CompiledRule>>>,
    /// Per subnet, the NSGs of the network interfaces in it ([`nsg::NicNsg`]).
    pub nic_nsgs: IndexVec<SubnetIx, Vec<nsg::NicNsg>>,
    /// Compiled policy per firewall private IP.
    pub firewalls: BTreeMap<IpAddr, (ResourceId, firewall::Policy)>,
    /// Per subnet, the first subnet whose NSG decides alike ([`nsg::twins`]), whose sets below
    /// it shares.
    nsg_twin: IndexVec<SubnetIx, SubnetIx>,
    /// Per subnet, the packets its NSG allows `[inbound, outbound]`, computed on first use.
    nsg_allowed: IndexVec<SubnetIx, [OnceLock<PacketSet>; 2]>,
    /// Per subnet, the packets whose NSG decision depends on an unresolved service tag.
    nsg_uncertain: IndexVec<SubnetIx, [OnceLock<PacketSet>; 2]>,
}

/// Why routing from subnet `s` to public destinations is unknown: its route table routes service
/// tags whose prefixes are not loaded ([`routes::unresolved_route_tags`]). Worked out once, when
/// the data plane is compiled.
fn route_tag_reason(
    estate: &Estate,
    options: &Options,
    topology: &Topology,
    s: SubnetIx,
) -> Option<String> {
    let table = topology.subnets[s].route_table.as_ref()?;
    let tags = routes::unresolved_route_tags(estate, options, table);
    (!tags.is_empty()).then(|| {
        format!(
            "{}'s route table `{}` routes service tag(s) {} whose prefixes are not loaded: pass --service-tags to know where public destinations go",
            topology.subnets[s].label(topology),
            table.name(),
            tags.join(", ")
        )
    })
}

impl<'e> DataPlane<'e> {
    /// Compiles an estate.
    pub fn compile(estate: &'e Estate, options: Options) -> Self {
        let topology = Topology::new(estate);
        let endpoints =
            endpoints::Endpoints::new(estate, &topology, options.firewall_first_address);
        let dns = dns::Views::build(
            estate,
            &topology,
            &endpoints,
            options.forwarding_rules_on_cname_targets,
            options.firewall_first_address,
        );
        let subnets = || topology.subnets.indices();
        // Per-subnet work on every core, in subnet order.
        let all: Vec<SubnetIx> = subnets().collect();
        let routes: IndexVec<SubnetIx, _> = IndexVec::from(parallel::map(&all, |&s| {
            routes::effective_routes(&topology, &endpoints, estate, &options, s)
        }));
        let vnet_tags: IndexVec<SubnetIx, _> = subnets()
            .map(|s| {
                tags::virtual_network(
                    &topology,
                    estate,
                    options.virtual_network_tag_includes_udr_prefixes,
                    s,
                )
            })
            .collect();
        let asgs = nsg::Asgs::new(estate, &topology, &endpoints);
        let nsgs = IndexVec::from(parallel::map(&all, |&s| {
            topology.subnets[s].nsg.as_ref().map(|id| {
                nsg::compile(
                    estate,
                    id,
                    &tags::TagContext {
                        vnet: &vnet_tags[s],
                        service: &options.service_tags,
                    },
                    &asgs,
                )
            })
        }));
        let nic_nsgs = nsg::nic_nsgs(estate, &topology, &vnet_tags, &options.service_tags, &asgs);
        let mut firewalls = BTreeMap::new();
        for fw in estate.azure_firewalls.iter() {
            let Some(ip) = endpoints::firewall_address(estate, fw, options.firewall_first_address)
            else {
                continue;
            };
            let location = fw.location.clone().unwrap_or_default();
            let tags = &options.service_tags;
            let policy = match &fw.properties.firewall_policy {
                Some(p) => {
                    let mut policy = firewall::compile(estate, &p.id, &location, tags);
                    if fw.properties.has_classic_rules() {
                        policy.notes.push(format!(
                            "{} also has classic rule collections: Azure uses either a policy or classic rules, and aksnet evaluates the policy",
                            fw.name
                        ));
                    }
                    policy
                }
                None if fw.properties.has_classic_rules() => {
                    firewall::compile_classic(estate, fw, &location, tags)
                }
                None => firewall::Policy::without_rules(),
            };
            firewalls.insert(ip, (fw.id.clone(), policy));
        }
        let nsg_allowed = subnets()
            .map(|_| [OnceLock::new(), OnceLock::new()])
            .collect();
        let nsg_uncertain = subnets()
            .map(|_| [OnceLock::new(), OnceLock::new()])
            .collect();
        let route_index = routes.iter().map(|r| routes::RouteIndex::new(r)).collect();
        let route_tag_unknown = subnets()
            .map(|s| route_tag_reason(estate, &options, &topology, s))
            .collect();
        let route_order = subnets().map(|_| OnceLock::new()).collect();
        Self {
            estate,
            options,
            topology,
            endpoints,
            dns,
            routes,
            route_index,
            route_tag_unknown,
            route_order,
            vnet_tags,
            nsg_twin: nsg::twins(&nsgs),
            nsgs,
            nic_nsgs,
            firewalls,
            nsg_allowed,
            nsg_uncertain,
        }
    }

    /// The route subnet `s` uses to reach `dst` [UDR] §2.3 (indexed; see `routes::select`).
    pub fn route_for(&self, s: SubnetIx, dst: IpAddr) -> Option<&routes::EffectiveRoute> {
        self.route_index[s].lookup(dst).map(|i| &self.routes[s][i])
    }

    /// A firewall's private IP and compiled policy, by its resource id.
    pub fn firewall_of(
        &self,
        id: &ResourceId,
    ) -> Option<(IpAddr, &(ResourceId, firewall::Policy))> {
        self.firewalls
            .iter()
            .find(|(_, (fw, _))| fw == id)
            .map(|(ip, p)| (*ip, p))
    }

    /// Why an appliance address in `AzureFirewallSubnet` is unknown rather than a third-party
    /// NVA: that subnet holds only Azure Firewall (Learn, "Azure Firewall FAQ": the subnet is
    /// dedicated to it), and the firewall there has no address the input gives (Azure assigns
    /// it at deployment), so whether `ip` is the firewall is unknown. `None` when `ip` is known
    /// or the subnet is another.
    pub fn unplaced_firewall(&self, subnet: topology::SubnetIx, ip: IpAddr) -> Option<String> {
        let s = &self.topology.subnets[subnet];
        if !s.name.eq_ignore_ascii_case("AzureFirewallSubnet") || self.firewalls.contains_key(&ip) {
            return None;
        }
        let fw = self.estate.azure_firewalls.iter().find(|f| {
            f.properties
                .ip_configurations
                .first()
                .is_some_and(|c| c.properties.subnet.id == s.id)
        })?;
        Some(format!(
            "{ip} is in the AzureFirewallSubnet of {}, whose private address Azure assigns at deployment, so whether {ip} is the firewall is unknown (--switch firewall-first-address takes the subnet's first address for it)",
            fw.name
        ))
    }

    /// Splits destinations by the route subnet `s` sends each by ([`routes::partition`]; one
    /// address takes the index).
    pub fn route_split(&self, s: SubnetIx, dsts: &PrefixSet) -> Vec<routes::RoutePart> {
        if let [one] = dsts.prefixes().as_slice() {
            if one.size() == 1 {
                return self.route_index[s]
                    .lookup(one.network())
                    .map(|route| routes::RoutePart {
                        route,
                        dsts: dsts.clone(),
                    })
                    .into_iter()
                    .collect();
            }
        }
        let (order, protected) = self.route_order[s].get_or_init(|| {
            (
                routes::precedence(&self.routes[s]),
                routes::protected_prefixes(&self.routes[s]),
            )
        });
        routes::partition_in(&self.routes[s], order, protected, dsts)
    }

    /// The packets whose fate at subnet `s`'s NSG depends on what an unresolved service tag
    /// holds ([`nsg::uncertain`]); empty when every tag resolved.
    pub fn nsg_uncertain(&self, s: SubnetIx, direction: Direction) -> &PacketSet {
        let s = self.nsg_twin[s];
        let slot = &self.nsg_uncertain[s][usize::from(direction == Direction::Outbound)];
        slot.get_or_init(|| match &self.nsgs[s] {
            Some(rules) => nsg::uncertain(rules, direction),
            None => PacketSet::empty(),
        })
    }

    /// The sources a public API server accepts [AKS-AUTHIP] §6.7: `None` when it has no
    /// authorized IP ranges (everyone), else the ranges written (an entry that is not an address
    /// range admits nothing; Azure refuses such a cluster).
    pub fn api_authorized(&self, cluster: &ResourceId) -> Option<PrefixSet> {
        let profile = self
            .estate
            .managed_clusters
            .get(cluster)?
            .properties
            .api_server_access_profile
            .as_ref()?;
        (!profile.authorized_ip_ranges.is_empty()).then(|| {
            profile
                .known_ranges()
                .filter_map(|r| aksnet_net::Prefix::parse_lenient(r).ok())
                .collect()
        })
    }

    /// Why a source outside the known authorized ranges may still be admitted: ranges known only
    /// at deployment (their expressions); `None` when every range is known.
    pub fn api_ranges_unknown(&self, cluster: &ResourceId) -> Option<String> {
        let profile = self
            .estate
            .managed_clusters
            .get(cluster)?
            .properties
            .api_server_access_profile
            .as_ref()?;
        let unknown = profile.unknown_ranges();
        (!unknown.is_empty()).then(|| {
            format!(
                "authorized ranges known only at deployment ({})",
                unknown.join(", ")
            )
        })
    }

    /// The NSG subnet `s` names that the estate does not hold: only Azure's default rules are
    /// known, so what it decides is not.
    pub fn absent_nsg(&self, s: SubnetIx) -> Option<&ResourceId> {
        self.topology.subnets[s]
            .nsg
            .as_ref()
            .filter(|id| self.estate.network_security_groups.get(id).is_none())
    }

    /// The NIC-level NSG of the network interface in subnet `s` holding `addr`, if it has one.
    pub fn nic_nsg(&self, s: SubnetIx, addr: IpAddr) -> Option<&nsg::NicNsg> {
        self.nic_nsgs[s]
            .iter()
            .find(|g| g.addresses.contains_addr(addr))
    }

    /// The route table subnet `s` names that the estate does not hold: only system routes are
    /// known.
    pub fn absent_route_table(&self, s: SubnetIx) -> Option<&ResourceId> {
        self.topology.subnets[s]
            .route_table
            .as_ref()
            .filter(|id| self.estate.route_tables.get(id).is_none())
    }

    /// Why routing from subnet `s` to `dst` is unknown: its route table routes service tags whose
    /// prefixes are not loaded, and `dst` is an address such a tag may hold (a public one)
    /// ([`routes::unresolved_route_tags`]).
    pub fn route_tag_unknown(&self, s: SubnetIx) -> Option<&str> {
        self.route_tag_unknown[s].as_deref()
    }

    /// The packets subnet `s`'s NSG allows in `direction` (everything when it has none).
    pub fn nsg_allowed(&self, s: SubnetIx, direction: Direction) -> &PacketSet {
        let s = self.nsg_twin[s];
        let slot = &self.nsg_allowed[s][usize::from(direction == Direction::Outbound)];
        slot.get_or_init(|| match &self.nsgs[s] {
            Some(rules) => nsg::allowed(rules, direction),
            None => PacketSet::all(),
        })
    }
}
