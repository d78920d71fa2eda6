//! Places: where a flow starts or ends. `internet`, `onprem`, `VNET/SUBNET`, an IP address, or a
//! named endpoint (`acr`, `acr-data`, `keyvault`, `apiserver`, `appgw`, `ilb`, `firewall`,
//! `bastion`), optionally qualified by its VNet: `aks-prod:acr`; a network interface by name; an
//! address qualified by its VNet, `b:10.0.0.4`, where VNets overlap.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use aksnet_model::azure;

use crate::endpoints::EndpointKind;
use crate::topology::SubnetIx;
use crate::DataPlane;

/// Where a flow starts or ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// Any Internet host.
    Internet,
    /// On-premises.
    OnPrem,
    /// A subnet (a host in it, or all of it for `reach`).
    Subnet(SubnetIx),
    /// One address.
    Address(IpAddr),
    /// A named endpoint (index into `DataPlane::endpoints`).
    Endpoint(crate::endpoints::EndpointIx),
    /// One address in one subnet: a network interface by name (its primary address), or an
    /// address qualified by its VNet (`b:10.0.0.4`). Where VNets' address spaces overlap
    /// (azure-semantics §1.5 forbids it only between peered VNets [VNETFAQ]), an address alone
    /// does not say which VNet it is in; this place does.
    InSubnet {
        /// The address.
        ip: IpAddr,
        /// The subnet it is in.
        subnet: SubnetIx,
        /// The network interface's name, when the place is one.
        nic: Option<String>,
    },
}

/// Where a packet is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Location {
    /// On the Internet.
    Internet,
    /// On-premises.
    OnPrem,
    /// In a subnet.
    Subnet(SubnetIx),
}

/// A concrete host for a place.
#[derive(Clone, Debug)]
pub struct Host {
    /// Its address.
    pub ip: IpAddr,
    /// Where it is.
    pub location: Location,
    /// Human label.
    pub label: String,
    /// Its DNS name, if it has one.
    pub fqdn: Option<String>,
}

/// A place that does not exist, with the ones that do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct PlaceError {
    /// What was asked for.
    pub asked: String,
    /// Why it failed.
    pub reason: PlaceReason,
    /// Known places.
    pub known: Vec<String>,
}

/// The message only: the known places are a hint, which the caller shows as one (the CLI's
/// diagnostic, the intent checker's "known places").
impl fmt::Display for PlaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown place `{}`: {}", self.asked, self.reason)
    }
}

/// Why a place name names nothing.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlaceReason {
    /// `onprem` in an estate without on-premises prefixes.
    #[error("the estate has no on-premises prefixes: an intent gives them in `onPremises`; for an imported estate pass `--on-premises CIDR[,CIDR]` (ExpressRoute learns them by BGP, so no resource holds them)")]
    NoOnPremises,
    /// A private address in no subnet and not on-premises.
    #[error("{ip} is a private address in no subnet of the estate and not on-premises{}; name a subnet, or give the on-premises prefixes with --on-premises", .vnet.as_ref().map(|v| format!(" (it is in {v}'s address space, but in none of its subnets)")).unwrap_or_default())]
    UnplacedAddress {
        /// The address.
        ip: IpAddr,
        /// The VNet whose address space holds it, if one does.
        vnet: Option<String>,
    },
    /// No VNet has this name.
    #[error("no VNet named `{0}`")]
    NoVnet(String),
    /// The VNet has no subnet of this name.
    #[error("VNet `{vnet}` has no subnet `{subnet}`")]
    NoSubnet {
        /// The VNet.
        vnet: String,
        /// The subnet asked for.
        subnet: String,
    },
    /// No endpoint has this name (in the VNet asked for).
    #[error("no endpoint `{name}`{}", .vnet.as_ref().map(|q| format!(" in `{q}`")).unwrap_or_default())]
    NoEndpoint {
        /// The endpoint name.
        name: String,
        /// The VNet it was qualified by, as written.
        vnet: Option<String>,
    },
    /// A network interface of this name is in the estate, but with no private address (a dynamic
    /// one is known only once deployed).
    #[error("network interface `{0}` has no private address in the estate (a dynamic address is known once deployed)")]
    NicWithoutAddress(String),
    /// An address qualified by a VNet that none of the VNet's subnets holds.
    #[error("{ip} is in no subnet of {vnet}")]
    NotInVnet {
        /// The address.
        ip: IpAddr,
        /// The VNet.
        vnet: String,
    },
    /// Several endpoints (or NICs, or VNets for an address) have this name.
    #[error("`{name}` is ambiguous ({matches} match); name one: {}", .names.join(", "))]
    Ambiguous {
        /// The endpoint name.
        name: String,
        /// How many endpoints it matches.
        matches: usize,
        /// Their qualified names, each of which is a place.
        names: Vec<String>,
    },
}

/// A representative Internet host (TEST-NET-3, RFC 5737).
pub const INTERNET_HOST: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 10));
/// A representative Internet server (TEST-NET-2, RFC 5737).
pub const INTERNET_SERVER: IpAddr = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 10));

fn endpoint_name(kind: &EndpointKind, fqdn: Option<&str>) -> Option<&'static str> {
    Some(match kind {
        EndpointKind::PrivateEndpoint(g) if g == "registry" => {
            if fqdn.is_some_and(|f| f.contains(".data.")) {
                "acr-data"
            } else {
                "acr"
            }
        }
        EndpointKind::PrivateEndpoint(g) if g == "vault" => "keyvault",
        EndpointKind::ApiServerPrivate | EndpointKind::ApiServerPublic => "apiserver",
        EndpointKind::AppGatewayPublic => "appgw",
        EndpointKind::AppGatewayPrivate => "appgw-private",
        EndpointKind::InternalLoadBalancer => "ilb",
        EndpointKind::Firewall => "firewall",
        EndpointKind::Bastion => "bastion",
        _ => return None,
    })
}

impl DataPlane<'_> {
    /// Every place name a user can type, for error messages and completion.
    pub fn known_places(&self) -> Vec<String> {
        let t = &self.topology;
        let mut v = vec!["internet".to_string()];
        if !t.on_premises.is_empty() {
            v.push("onprem".to_string());
        }
        v.extend(t.subnets.iter().map(|s| s.label(t)));
        for e in &self.endpoints {
            if let Some(n) = endpoint_name(&e.kind, e.fqdn.as_deref()) {
                v.push(self.qualified_name(e, n));
            }
        }
        v.extend(t.nic_places().into_iter().map(|(n, _, _)| n.to_string()));
        v.dedup();
        v
    }

    /// An endpoint's name as a place, qualified by its VNet (`aks-prod:acr`) when it has one.
    fn qualified_name(&self, e: &crate::endpoints::Endpoint, name: &str) -> String {
        match self.endpoints.vnet_of(&self.topology, e) {
            Some(v) => self.qualified(v, name),
            None => name.to_string(),
        }
    }

    /// `name` qualified by VNet `v` as a place names it (`aks-prod:acr`, `b:10.0.0.4`).
    fn qualified(&self, v: crate::topology::VnetIx, name: &str) -> String {
        format!(
            "{}:{name}",
            self.topology.vnets[v].name.trim_start_matches("vnet-")
        )
    }

    /// Address `ip` in subnet `s` as a place, named after the network interface that holds it
    /// there, if one does.
    fn in_subnet(&self, ip: IpAddr, subnet: SubnetIx) -> Place {
        let nic = self
            .topology
            .nic_places()
            .into_iter()
            .find(|&(_, a, s)| a == ip && s == subnet)
            .map(|(n, _, _)| n.to_string());
        Place::InSubnet { ip, subnet, nic }
    }

    /// Parses a place.
    pub fn place(&self, text: &str) -> Result<Place, PlaceError> {
        let t = &self.topology;
        let err = |reason: PlaceReason| PlaceError {
            asked: text.to_string(),
            reason,
            known: self.known_places(),
        };
        let s = text.trim();
        match s.to_ascii_lowercase().as_str() {
            "internet" => return Ok(Place::Internet),
            "onprem" | "on-premises" => {
                return if t.on_premises.is_empty() {
                    Err(err(PlaceReason::NoOnPremises))
                } else {
                    Ok(Place::OnPrem)
                };
            }
            _ => {}
        }
        if let Ok(ip) = s.parse::<IpAddr>() {
            return self.address_place(ip).map_err(err);
        }
        if let Some((vnet, subnet)) = s.split_once('/') {
            let v = t
                .vnet_named(vnet)
                .ok_or_else(|| err(PlaceReason::NoVnet(vnet.to_string())))?;
            return t.vnets[v]
                .subnets
                .iter()
                .copied()
                .find(|x| t.subnets[*x].name.eq_ignore_ascii_case(subnet))
                .map(Place::Subnet)
                .ok_or_else(|| {
                    err(PlaceReason::NoSubnet {
                        vnet: t.vnets[v].name.clone(),
                        subnet: subnet.to_string(),
                    })
                });
        }
        let (qual, name) = match s.split_once(':') {
            Some((q, n)) => (Some(q), n),
            None => (None, s),
        };
        let qv = match qual {
            Some(q) => Some(
                t.vnet_named(q)
                    .ok_or_else(|| err(PlaceReason::NoVnet(q.to_string())))?,
            ),
            None => None,
        };
        // An address qualified by its VNet: the one subnet of that VNet that holds it.
        if let (Some(v), Ok(ip)) = (qv, name.parse::<IpAddr>()) {
            return t
                .subnet_holding(ip, &[v])
                .map(|s| self.in_subnet(ip, s))
                .ok_or_else(|| {
                    err(PlaceReason::NotInVnet {
                        ip,
                        vnet: t.vnets[v].name.clone(),
                    })
                });
        }
        // A network interface by name: its primary address, in its subnet.
        let nics: Vec<(&str, IpAddr, SubnetIx)> = t
            .nic_places()
            .into_iter()
            .filter(|(n, _, _)| qual.is_none() && n.eq_ignore_ascii_case(name))
            .collect();
        match nics.as_slice() {
            [(n, ip, subnet)] => {
                return Ok(Place::InSubnet {
                    ip: *ip,
                    subnet: *subnet,
                    nic: Some(n.to_string()),
                })
            }
            [] => {}
            many => {
                return Err(err(PlaceReason::Ambiguous {
                    name: name.to_string(),
                    matches: many.len(),
                    names: many
                        .iter()
                        .map(|(_, ip, s)| self.qualified(t.subnets[*s].vnet, &ip.to_string()))
                        .collect(),
                }))
            }
        }
        let hits: Vec<crate::endpoints::EndpointIx> = self
            .endpoints
            .iter_enumerated()
            .filter(|(_, e)| {
                endpoint_name(&e.kind, e.fqdn.as_deref())
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .filter(|(_, e)| qv.is_none() || self.endpoints.vnet_of(t, e) == qv)
            .map(|(i, _)| i)
            .collect();
        match hits.as_slice() {
            [one] => Ok(Place::Endpoint(*one)),
            [] if self.estate.network_interfaces.iter().any(|n| {
                n.name.eq_ignore_ascii_case(name)
                    && n.properties
                        .ip_configurations
                        .iter()
                        .all(|c| c.properties.private_ip_address.is_none())
            }) =>
            {
                Err(err(PlaceReason::NicWithoutAddress(name.to_string())))
            }
            [] => Err(err(PlaceReason::NoEndpoint {
                name: name.to_string(),
                vnet: qual.map(str::to_string),
            })),
            many => {
                let mut names: Vec<String> = many
                    .iter()
                    .map(|&i| {
                        let e = &self.endpoints[i];
                        self.qualified_name(
                            e,
                            endpoint_name(&e.kind, e.fqdn.as_deref()).unwrap_or(name),
                        )
                    })
                    .collect();
                names.dedup();
                Err(err(PlaceReason::Ambiguous {
                    name: name.to_string(),
                    matches: many.len(),
                    names,
                }))
            }
        }
    }

    /// An address as a place: in a subnet, on-premises, one of the estate's public endpoints, or
    /// an Internet host when it is public. A private address that belongs to none of these is
    /// refused rather than guessed at: nothing in the estate says where it is. So is one that
    /// subnets of several VNets hold (VNets that are not peered may overlap, azure-semantics
    /// §1.5 [VNETFAQ]): the refusal names it qualified by each VNet (`b:10.0.0.4`).
    fn address_place(&self, ip: IpAddr) -> Result<Place, PlaceReason> {
        let t = &self.topology;
        let vnets = self.vnets_holding(ip);
        if vnets.len() > 1 {
            return Err(PlaceReason::Ambiguous {
                name: ip.to_string(),
                matches: vnets.len(),
                names: vnets
                    .iter()
                    .map(|&v| self.qualified(v, &ip.to_string()))
                    .collect(),
            });
        }
        let known = t.subnet_of(ip).is_some()
            || t.on_premises.contains_addr(ip)
            || self.endpoints.at(ip).is_some();
        if known || !crate::tags::private_space().contains_addr(ip) {
            return Ok(Place::Address(ip));
        }
        let vnet = t
            .vnets
            .iter()
            .find(|v| v.space.contains_addr(ip))
            .map(|v| v.name.clone());
        Err(PlaceReason::UnplacedAddress { ip, vnet })
    }

    /// The VNets with a subnet that holds `ip`, in index order (several only where VNets that
    /// are not peered overlap).
    fn vnets_holding(&self, ip: IpAddr) -> Vec<crate::topology::VnetIx> {
        let t = &self.topology;
        let mut vnets: Vec<crate::topology::VnetIx> = t
            .subnets_containing(ip)
            .map(|s| t.subnets[s].vnet)
            .collect();
        vnets.sort();
        vnets.dedup();
        vnets
    }

    /// Address `ip` as a place, pinned to `subnet` when that subnet holds it and so do subnets
    /// of other VNets (overlapping VNets), where the address alone would be located in the
    /// first of them; a plain address otherwise. Witness traces (reach's, a flow intent's) so
    /// start and end where the packet-set walk did.
    pub fn pinned_address(&self, ip: IpAddr, subnet: Option<SubnetIx>) -> Place {
        match subnet {
            Some(s)
                if self.topology.subnets[s].prefix.contains_addr(ip)
                    && self.vnets_holding(ip).len() > 1 =>
            {
                self.in_subnet(ip, s)
            }
            _ => Place::Address(ip),
        }
    }

    /// A concrete host for a place: for a subnet, its first assignable address.
    pub fn host(&self, place: &Place) -> Host {
        let t = &self.topology;
        match place {
            Place::Internet => Host {
                ip: INTERNET_HOST,
                location: Location::Internet,
                label: "internet".into(),
                fqdn: None,
            },
            Place::OnPrem => {
                // `place` refuses `onprem` without prefixes; a caller that builds the place
                // itself gets a TEST-NET-1 stand-in (RFC 5737) that routes nowhere.
                let ip = t
                    .on_premises
                    .prefixes()
                    .first()
                    .and_then(|p| p.nth(10.min(p.size().saturating_sub(1))))
                    .unwrap_or(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10)));
                Host {
                    ip,
                    location: Location::OnPrem,
                    label: format!("onprem ({ip})"),
                    fqdn: None,
                }
            }
            Place::Subnet(s) => {
                let sub = &t.subnets[*s];
                let ip = azure::first_assignable(&sub.prefix).unwrap_or(sub.prefix.network());
                Host {
                    ip,
                    location: Location::Subnet(*s),
                    label: format!("{} (host {ip} of {})", sub.label(t), sub.prefix),
                    fqdn: None,
                }
            }
            Place::Address(ip) => {
                let location = self.locate(*ip);
                let label = match location {
                    Location::Internet if self.endpoints.at(*ip).is_none() => {
                        format!("{ip} (Internet host)")
                    }
                    Location::OnPrem => format!("{ip} (on-premises)"),
                    _ => ip.to_string(),
                };
                Host {
                    ip: *ip,
                    location,
                    label,
                    fqdn: None,
                }
            }
            Place::InSubnet { ip, subnet, nic } => Host {
                ip: *ip,
                location: Location::Subnet(*subnet),
                label: match nic {
                    Some(n) => format!("{n} ({ip})"),
                    None => format!("{ip} ({})", t.subnets[*subnet].label(t)),
                },
                fqdn: None,
            },
            Place::Endpoint(i) => {
                let e = &self.endpoints[*i];
                let location = e
                    .subnet
                    .map(Location::Subnet)
                    .unwrap_or_else(|| self.locate(e.ip));
                let note = if e.predicted {
                    ", address predicted"
                } else {
                    ""
                };
                Host {
                    ip: e.ip,
                    location,
                    label: format!("{} ({}{note})", e.name, e.ip),
                    fqdn: e.fqdn.clone(),
                }
            }
        }
    }

    /// A place as reach and exposure read it: a subnet is every address of it, the Internet
    /// and on-premises their whole ranges; other places as a trace names them.
    pub fn set_label(&self, place: &Place) -> String {
        let t = &self.topology;
        match place {
            Place::Subnet(s) => format!(
                "{} (every address of {})",
                t.subnets[*s].label(t),
                t.subnets[*s].prefix
            ),
            Place::OnPrem => format!("onprem ({})", t.on_premises),
            _ => self.host(place).label,
        }
    }

    /// The subnet a place lies in, when it names one: a subnet, an address in a subnet (a
    /// network interface), or an endpoint whose address is in its subnet. Packets addressed to
    /// such a place reach it only when they are delivered there ([`Self::misdelivered`]).
    pub fn home_subnet(&self, place: &Place) -> Option<SubnetIx> {
        let t = &self.topology;
        match place {
            Place::Subnet(s) | Place::InSubnet { subnet: s, .. } => Some(*s),
            Place::Endpoint(i) => {
                let e = &self.endpoints[*i];
                e.subnet
                    .filter(|s| t.subnets[*s].prefix.contains_addr(e.ip))
            }
            Place::Internet | Place::OnPrem | Place::Address(_) => None,
        }
    }

    /// Why packets addressed to `to` (`addressed` puts them in words), delivered at `at` with their
    /// destination untranslated, did not reach it: they were delivered outside the place's own
    /// subnet ([`Self::home_subnet`]). A VNet routes its own address space locally (its
    /// `VnetLocal` system route, azure-semantics §2.1 [UDR]), and only VNets that are peered
    /// must not overlap (§1.5 [VNETFAQ]); so from a VNet whose space overlaps the place's VNet,
    /// the place's address is delivered in the sender's own VNet and never reaches the place.
    /// Trace (a flow is `denied` with this reason) and reach (the path is cut) both ask here.
    pub fn misdelivered(
        &self,
        to: &Place,
        addressed: impl FnOnce() -> String,
        at: Location,
    ) -> Option<String> {
        let t = &self.topology;
        let home = self.home_subnet(to)?;
        if at == Location::Subnet(home) {
            return None;
        }
        let hv = &t.vnets[t.subnets[home].vnet];
        let target = match to {
            Place::Subnet(_) => t.subnets[home].label(t),
            Place::InSubnet { ip, nic, .. } => format!(
                "{} in {}",
                nic.clone().unwrap_or_else(|| ip.to_string()),
                hv.name
            ),
            Place::Endpoint(i) => format!("{} in {}", self.endpoints[*i].name, hv.name),
            Place::Internet | Place::OnPrem | Place::Address(_) => return None,
        };
        let (where_, why) = match at {
            Location::Internet => ("on the Internet".to_string(), String::new()),
            Location::OnPrem => ("on-premises".to_string(), String::new()),
            Location::Subnet(d) => {
                let dv = &t.vnets[t.subnets[d].vnet];
                let overlap = dv.space.intersection(&hv.space);
                let why = if t.subnets[d].vnet != t.subnets[home].vnet && !overlap.is_empty() {
                    format!(
                        ": the address spaces of {} and {} overlap ({overlap}), and {} routes its own address space locally",
                        dv.name, hv.name, dv.name
                    )
                } else {
                    String::new()
                };
                (format!("in {}", t.subnets[d].label(t)), why)
            }
        };
        Some(format!(
            "{} is delivered {where_}, not to {target}{why}",
            addressed()
        ))
    }

    /// Where an address lives: a subnet, on-premises, or the Internet.
    pub fn locate(&self, ip: IpAddr) -> Location {
        if let Some(s) = self.topology.subnet_of(ip) {
            Location::Subnet(s)
        } else if self.topology.on_premises.contains_addr(ip) {
            Location::OnPrem
        } else {
            Location::Internet
        }
    }
}
