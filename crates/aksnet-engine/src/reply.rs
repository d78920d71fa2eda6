//! The reply's way back (azure-semantics §9 step 4, §6.5): routing only, since NSGs and the
//! firewall let replies of a connection they saw through, then a comparison of the stateful
//! devices the reply crosses with those the request crossed.
//!
//! One walk over a set of client addresses serves both evaluators: a trace asks it for its one
//! client, reach for every source of a path, so they split clients where the routes do and agree
//! on which connections cannot complete.

use std::net::IpAddr;

use aksnet_model::Maybe;
use aksnet_net::{Prefix, PrefixSet};
use serde::Serialize;

use crate::places::Location;
use crate::routes::{NextHop, RoutePart};
use crate::tags::private_space;
use crate::topology::{SubnetIx, SubnetPart, VnetIx};
use crate::DataPlane;

const MAX_HOPS: usize = 32;

/// What the request did that decides how its reply travels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Request {
    /// Stateful devices the request crossed (firewall and NVA private IPs), in order.
    pub stateful: Vec<IpAddr>,
    /// Proxies and SNAT devices: a reply addressed to one of them is handed back to the client
    /// by it (firewall private IPs, Application Gateway instances).
    pub proxies: Vec<IpAddr>,
    /// The subnet the request left to the Internet from, if it did.
    pub egress: Option<SubnetIx>,
    /// The request went to a service endpoint (the service answers over the same path).
    pub service_endpoint: bool,
    /// The egress address the request left for the Internet with, and the source it had
    /// before: a reply to that address is handed back to that source (unless something later
    /// translated the source again).
    pub before_egress: Option<(IpAddr, Option<IpAddr>)>,
    /// How the request left for the Internet, when it did and its address is not known.
    pub unassigned_source: Option<crate::egress::EgressSource>,
}

/// What is wrong with a reply's way back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
    /// It does not reach the client (no route, a `None` route, a private address on the
    /// Internet).
    Lost,
    /// It crosses a stateful device that did not see the request.
    CrossesUnseen,
    /// It bypasses a stateful device that saw the request.
    BypassesSeen,
}

/// The reply's path, as the trace shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Return {
    /// Every stateful device on the request path also sees the reply, and no other.
    pub symmetric: bool,
    /// The reply's hops, as `at: detail`.
    pub hops: Vec<String>,
    /// What goes wrong when the paths differ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
    /// The same, as a kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
}

/// The replies to some of the clients, and whether their connections complete.
#[derive(Clone, Debug)]
pub struct Replies {
    /// The client addresses this outcome holds for.
    pub clients: PrefixSet,
    /// The path and its warning.
    pub ret: Return,
    /// A TCP connection cannot complete: the reply misses an Azure Firewall that saw the
    /// request, crosses one that did not, or does not come back at all. Third-party NVAs are
    /// not assumed stateful, so they warn without breaking (their verdict is unknown anyway).
    pub breaks: bool,
    /// Why the way back is not known: a route on it has a next hop address unknown before
    /// deployment ([`crate::routes::unknown_next_hop`]). A TCP connection is then `unknown`.
    pub unknown: Option<String>,
}

/// Whom a reply is addressed to while it travels.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    /// The client itself (the request's source was kept).
    Client,
    /// A proxy or SNAT address, which hands the reply back to the client.
    Fixed(IpAddr),
}

#[derive(Clone)]
struct State {
    loc: Location,
    target: Target,
    clients: PrefixSet,
    hops: Vec<String>,
    crossed: Vec<IpAddr>,
    steps: usize,
    /// Whether to write the hops (a trace shows them; reach only needs the outcome).
    detail: bool,
}

impl State {
    /// Adds a hop to the shown path, formatting it only when it is shown.
    fn note(&mut self, hop: impl FnOnce() -> String) {
        if self.detail {
            self.hops.push(hop());
        }
    }
}

impl DataPlane<'_> {
    /// The replies to a request delivered at `at`, whose last source was `last_src`, sent by
    /// `clients` (one address for a trace, a set for reach).
    pub fn replies(
        &self,
        req: &Request,
        at: Location,
        last_src: Option<IpAddr>,
        clients: &PrefixSet,
        detail: bool,
    ) -> Vec<Replies> {
        if req.service_endpoint && req.stateful.is_empty() {
            return vec![Replies {
                clients: clients.clone(),
                ret: Return {
                    symmetric: true,
                    hops: vec!["the service answers over the service endpoint".into()],
                    warning: None,
                    fault: None,
                },
                breaks: false,
                unknown: None,
            }];
        }
        let t = &self.topology;
        let mut hops = Vec::new();
        // A reply to an Internet destination comes back to the egress address.
        let loc = match (at, req.egress) {
            (Location::Internet, Some(e)) => {
                hops.push(format!(
                    "internet: reply to the egress address of {}",
                    t.subnets[e].label(t)
                ));
                Location::Subnet(e)
            }
            (l, _) => l,
        };
        let last_src = match req.before_egress {
            Some((egress, before)) if last_src == Some(egress) => before,
            _ => last_src,
        };
        let target = match last_src {
            Some(ip) if req.proxies.contains(&ip) => Target::Fixed(ip),
            _ => Target::Client,
        };
        let mut todo = vec![State {
            loc,
            target,
            clients: clients.clone(),
            hops,
            crossed: Vec::new(),
            steps: 0,
            detail,
        }];
        let mut out = Vec::new();
        while let Some(s) = todo.pop() {
            if s.clients.is_empty() {
                continue;
            }
            self.reply_step(req, s, &mut todo, &mut out);
        }
        out.sort_by_key(|a| a.clients.prefixes());
        out
    }

    fn reply_step(
        &self,
        req: &Request,
        mut s: State,
        todo: &mut Vec<State>,
        out: &mut Vec<Replies>,
    ) {
        let t = &self.topology;
        if s.steps >= MAX_HOPS {
            return self.reply_end(req, s, false, out);
        }
        s.steps += 1;
        // A reply addressed to a SNAT device or proxy is handed back to the client by it.
        if let Target::Fixed(x) = s.target {
            if let (Some(p), Location::Subnet(here)) = (t.subnet_of(x), s.loc) {
                if here == p || t.subnets[here].prefix.contains_addr(x) {
                    // The device is here: where VNets overlap, `subnet_of` may name the other's.
                    let p = here;
                    if self.firewalls.contains_key(&x) && !s.crossed.contains(&x) {
                        s.crossed.push(x);
                    }
                    if s.detail {
                        let hop = format!(
                            "{}: {x} hands the reply back to {}",
                            t.subnets[p].label(t),
                            self.clients_text(&s.clients)
                        );
                        s.hops.push(hop);
                    }
                    s.target = Target::Client;
                    s.loc = Location::Subnet(p);
                }
            }
        }
        match s.loc {
            Location::OnPrem => {
                let (home, rest) = self.split(&s, &t.on_premises);
                if let Some(mut h) = home {
                    h.note(|| "onprem: delivered".into());
                    self.reply_end(req, h, true, out);
                }
                let Some(mut r) = rest else { return };
                let Some((_, gs)) = t.gateway_entry() else {
                    return self.reply_end(req, r, false, out);
                };
                r.hops
                    .push("onprem: enters Azure through the gateway".into());
                r.loc = Location::Subnet(gs);
                todo.push(r);
            }
            Location::Internet => {
                let public = PrefixSet::everything().difference(private_space());
                let (home, rest) = self.split(&s, &public);
                if let Some(mut h) = home {
                    h.note(|| "internet: delivered".into());
                    self.reply_end(req, h, true, out);
                }
                if let Some(mut r) = rest {
                    r.note(|| "internet: private destination, dropped".into());
                    self.reply_end(req, r, false, out);
                }
            }
            Location::Subnet(sub) => {
                let here: PrefixSet = [t.subnets[sub].prefix].into_iter().collect();
                let (home, rest) = match s.target {
                    Target::Fixed(x) if req.proxies.contains(&x) => (None, Some(s)),
                    _ => self.split(&s, &here),
                };
                if let Some(mut h) = home {
                    if h.detail {
                        let hop = format!(
                            "{}: delivered to {}",
                            t.subnets[sub].label(t),
                            self.target_text(&h)
                        );
                        h.hops.push(hop);
                    }
                    self.reply_end(req, h, true, out);
                }
                let Some(r) = rest else { return };
                self.reply_route(req, r, sub, todo, out);
            }
        }
    }

    /// Routes the reply from subnet `sub`, splitting clients by the route each takes.
    fn reply_route(
        &self,
        req: &Request,
        s: State,
        sub: SubnetIx,
        todo: &mut Vec<State>,
        out: &mut Vec<Replies>,
    ) {
        let t = &self.topology;
        let dsts = match s.target {
            Target::Client => s.clients.clone(),
            Target::Fixed(x) => [Prefix::from(x)].into_iter().collect(),
        };
        let parts = self.route_split(sub, &dsts);
        let routed = parts
            .iter()
            .fold(PrefixSet::new(), |acc, p| acc.union(&p.dsts));
        if let Some(dead) = self.narrow_to(&s, &dsts.difference(&routed)) {
            self.reply_end(req, dead, false, out);
        }
        let vnet = t.subnets[sub].vnet;
        let vnets: Vec<VnetIx> = std::iter::once(vnet)
            .chain(t.connected_peers(vnet).map(|p| p.remote))
            .collect();
        for RoutePart {
            route: i,
            dsts: region,
        } in parts
        {
            let Some(mut n) = self.narrow_to(&s, &region) else {
                continue;
            };
            let r = &self.routes[sub][i];
            n.note(|| {
                format!(
                    "{}: {} → {}",
                    t.subnets[sub].label(t),
                    r.address_prefix,
                    r.next_hop
                )
            });
            match &r.next_hop {
                NextHop::VnetLocal | NextHop::VNetPeering(_) | NextHop::InterfaceEndpoint(_) => {
                    let target_set = match n.target {
                        Target::Client => n.clients.clone(),
                        Target::Fixed(x) => [Prefix::from(x)].into_iter().collect(),
                    };
                    let split = t.split_by_subnet(&target_set, &vnets);
                    let held = split
                        .iter()
                        .fold(PrefixSet::new(), |acc, p| acc.union(&p.addrs));
                    if let Some(lost) = self.narrow_to(&n, &target_set.difference(&held)) {
                        self.reply_end(req, lost, false, out);
                    }
                    for SubnetPart {
                        subnet: d,
                        addrs: part,
                    } in split
                    {
                        if let Some(mut m) = self.narrow_to(&n, &part) {
                            m.loc = Location::Subnet(d);
                            todo.push(m);
                        }
                    }
                }
                NextHop::VirtualAppliance(Maybe::Unknown(u)) => {
                    let why = crate::routes::unknown_next_hop(r, u);
                    out.push(Replies {
                        clients: n.clients,
                        ret: Return {
                            symmetric: false,
                            hops: n.hops,
                            warning: Some(why.clone()),
                            fault: None,
                        },
                        breaks: false,
                        unknown: Some(why),
                    });
                }
                NextHop::VirtualAppliance(Maybe::Known(ip)) => {
                    if n.crossed.contains(ip) && n.target != Target::Fixed(*ip) {
                        n.note(|| format!("loop at {ip}"));
                        self.reply_end(req, n, false, out);
                        continue;
                    }
                    if !n.crossed.contains(ip) {
                        n.crossed.push(*ip);
                    }
                    match t.subnet_holding(*ip, &vnets) {
                        Some(a) => {
                            n.loc = Location::Subnet(a);
                            if n.target == Target::Fixed(*ip) {
                                n.target = Target::Client;
                            }
                            todo.push(n);
                        }
                        None => self.reply_end(req, n, false, out),
                    }
                }
                NextHop::VirtualNetworkGateway => {
                    n.loc = Location::OnPrem;
                    todo.push(n);
                }
                NextHop::Internet | NextHop::VirtualNetworkServiceEndpoint(_) => {
                    n.loc = Location::Internet;
                    todo.push(n);
                }
                NextHop::None => self.reply_end(req, n, false, out),
            }
        }
    }

    /// Splits a state by whether its reply destination lies in `region`: (inside, outside).
    fn split(&self, s: &State, region: &PrefixSet) -> (Option<State>, Option<State>) {
        match s.target {
            Target::Client => (
                self.narrow_to(s, &s.clients.intersection(region)),
                self.narrow_to(s, &s.clients.difference(region)),
            ),
            Target::Fixed(x) if region.contains_addr(x) => (Some(s.clone()), None),
            Target::Fixed(_) => (None, Some(s.clone())),
        }
    }

    /// The state restricted to the reply destinations in `dsts` (all clients when the reply is
    /// addressed to a fixed address that `dsts` holds); `None` when nothing is left.
    fn narrow_to(&self, s: &State, dsts: &PrefixSet) -> Option<State> {
        let clients = match s.target {
            Target::Client => s.clients.intersection(dsts),
            Target::Fixed(x) if dsts.contains_addr(x) => s.clients.clone(),
            Target::Fixed(_) => PrefixSet::new(),
        };
        (!clients.is_empty()).then(|| State {
            clients,
            ..s.clone()
        })
    }

    fn target_text(&self, s: &State) -> String {
        match s.target {
            Target::Client => self.clients_text(&s.clients),
            Target::Fixed(x) => x.to_string(),
        }
    }

    /// One client as its address (a trace's), a set in words.
    fn clients_text(&self, clients: &PrefixSet) -> String {
        match clients.prefixes().as_slice() {
            [one] if one.size() == 1 => one.network().to_string(),
            _ => self.describe(clients),
        }
    }

    fn reply_end(&self, req: &Request, s: State, delivered: bool, out: &mut Vec<Replies>) {
        let names = |ips: &[IpAddr]| {
            ips.iter()
                .map(|ip| {
                    self.firewalls
                        .get(ip)
                        .map(|(id, _)| id.name().to_string())
                        .unwrap_or_else(|| format!("NVA {ip}"))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let extra: Vec<IpAddr> = s
            .crossed
            .iter()
            .copied()
            .filter(|ip| !req.stateful.contains(ip))
            .collect();
        let missing: Vec<IpAddr> = req
            .stateful
            .iter()
            .copied()
            .filter(|ip| !s.crossed.contains(ip))
            .collect();
        let firewall = |ips: &[IpAddr]| ips.iter().any(|ip| self.firewalls.contains_key(ip));
        let (warning, fault) = if !delivered {
            (
                Some("the reply does not find its way back to the client".to_string()),
                Some(Fault::Lost),
            )
        } else if !extra.is_empty() {
            (Some(format!("asymmetric: the reply crosses {}, which did not see the request; a stateful firewall drops it", names(&extra))), Some(Fault::CrossesUnseen))
        } else if !missing.is_empty() {
            (Some(format!("asymmetric: the reply bypasses {}, which saw the request; its connection state never completes and the flow breaks", names(&missing))), Some(Fault::BypassesSeen))
        } else {
            (None, None)
        };
        let breaks = !delivered || firewall(&extra) || firewall(&missing);
        out.push(Replies {
            clients: s.clients,
            ret: Return {
                symmetric: warning.is_none(),
                hops: s.hops,
                warning,
                fault,
            },
            breaks,
            unknown: None,
        });
    }
}
