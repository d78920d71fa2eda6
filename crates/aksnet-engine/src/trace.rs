//! Follows one flow hop by hop (azure-semantics §9), like Network Watcher's next hop and IP flow
//! verify chained end to end, then walks the reply back to check that every stateful hop sees
//! both directions.

use std::net::IpAddr;

use aksnet_model::network::Direction;
use aksnet_model::Maybe;
use aksnet_net::{Prefix, PrefixSet, Protocol};
use serde::Serialize;

use crate::dns::{self, Answer, ServersFrom};
use crate::endpoints::EndpointKind;
use crate::nsg;
use crate::places::{Host, Location, Place, INTERNET_SERVER};
use crate::routes::NextHop;
use crate::tags::private_space;
use crate::topology::{Crossing, SubnetIx, VnetIx};
use crate::DataPlane;

/// The packet as seen at a hop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Packet {
    /// Source.
    pub src: IpAddr,
    /// Destination.
    pub dst: IpAddr,
    /// Protocol.
    #[serde(serialize_with = "ser_proto")]
    pub protocol: Protocol,
    /// Destination port.
    pub port: u16,
}

fn ser_proto<S: serde::Serializer>(p: &Protocol, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(p)
}

/// What a hop evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HopKind {
    /// Name resolution from the client's VNet.
    Dns,
    /// The source subnet's NSG, outbound.
    NsgOutbound,
    /// A route lookup.
    Route,
    /// A VNet peering crossed.
    Peering,
    /// Azure Firewall's policy.
    Firewall,
    /// A third-party NVA.
    Nva,
    /// The destination subnet's NSG, inbound.
    NsgInbound,
    /// A load balancer frontend.
    LoadBalancer,
    /// An Application Gateway listener.
    AppGateway,
    /// A VPN/ExpressRoute gateway.
    Gateway,
    /// The address a flow leaves to the Internet from.
    Egress,
    /// A service endpoint.
    ServiceEndpoint,
    /// A public API server's authorized ranges.
    ApiServer,
    /// Delivery at the destination.
    Deliver,
}

impl HopKind {
    /// The name in JSON and text.
    pub fn as_str(self) -> &'static str {
        match self {
            HopKind::Dns => "dns",
            HopKind::NsgOutbound => "nsg-outbound",
            HopKind::Route => "route",
            HopKind::Peering => "peering",
            HopKind::Firewall => "firewall",
            HopKind::Nva => "nva",
            HopKind::NsgInbound => "nsg-inbound",
            HopKind::LoadBalancer => "load-balancer",
            HopKind::AppGateway => "app-gateway",
            HopKind::Gateway => "gateway",
            HopKind::Egress => "egress",
            HopKind::ServiceEndpoint => "service-endpoint",
            HopKind::ApiServer => "api-server",
            HopKind::Deliver => "deliver",
        }
    }
}

/// What a hop decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// A rule allowed it.
    Allow,
    /// A rule denied it.
    Deny,
    /// Sent on.
    Forward,
    /// Addresses or ports rewritten.
    Translate,
    /// A name resolved.
    Resolve,
    /// Delivered.
    Deliver,
    /// Dropped without a rule (no route, no listener, no record).
    Drop,
    /// Not known from the estate (a DNS answer from a server it does not explain).
    Unknown,
}

impl Decision {
    /// The name in JSON and text.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
            Decision::Forward => "forward",
            Decision::Translate => "translate",
            Decision::Resolve => "resolve",
            Decision::Deliver => "deliver",
            Decision::Drop => "drop",
            Decision::Unknown => "unknown",
        }
    }
}

/// A flow's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The flow gets through and its reply gets back.
    Allowed,
    /// Something on the way stops it (or its reply).
    Denied,
    /// The answer depends on something the estate does not hold; the reason says what.
    Unknown,
}

impl Verdict {
    /// The name in JSON and text.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Denied => "denied",
            Verdict::Unknown => "unknown",
        }
    }
}

macro_rules! display_as_str {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        /// Compares with the JSON name (`"allowed"`, `"firewall"`, ...).
        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    )*};
}
display_as_str!(HopKind, Decision, Verdict);

/// One decision on the way.
#[derive(Clone, Debug, Serialize)]
pub struct Hop {
    /// Where: `VNET/SUBNET`, `internet`, `onprem`, or a device.
    pub at: String,
    /// What was evaluated: `dns`, `nsg-outbound`, `route`, `peering`, `firewall`, `nsg-inbound`,
    /// `load-balancer`, `app-gateway`, `gateway`, `egress`, `deliver`.
    pub kind: HopKind,
    /// `allow`, `deny`, `forward`, `translate`, `resolve`, `deliver`, `drop` or `unknown`.
    pub decision: Decision,
    /// The route entry, rule or record that decided, in Azure's words.
    pub detail: String,
    /// The packet after this hop.
    pub packet: Packet,
}

pub use crate::reply::Return;

/// A traced flow.
#[derive(Clone, Debug, Serialize)]
pub struct Trace {
    /// Allowed, denied, or unknown with the reason.
    pub verdict: Verdict,
    /// Why, in one line.
    pub reason: String,
    /// Source.
    pub from: String,
    /// Destination.
    pub to: String,
    /// The hops.
    pub hops: Vec<Hop>,
    /// The reply (only for allowed flows).
    #[serde(rename = "return", skip_serializing_if = "Option::is_none")]
    pub return_path: Option<Return>,
    /// Things the engine could not know offline.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// What to trace.
#[derive(Clone, Debug)]
pub struct Query {
    /// Source place.
    pub from: Place,
    /// Destination place.
    pub to: Place,
    /// Protocol.
    pub protocol: Protocol,
    /// Destination port.
    pub port: u16,
    /// Host/SNI name, for DNS and firewall application rules.
    pub fqdn: Option<String>,
}

const MAX_HOPS: usize = 32;
/// Application Gateways a flow may pass in a row before it is taken for a loop.
const MAX_PROXIES: usize = 4;

struct Walk<'a, 'e> {
    dp: &'a DataPlane<'e>,
    hops: Vec<Hop>,
    notes: Vec<String>,
    /// What the request did that decides how its reply travels.
    req: crate::reply::Request,
    /// Application Gateway connections so far (a loop guard).
    proxied: usize,
    /// Why the outcome depends on something the estate does not hold (an NVA's own rules, a
    /// service tag without prefixes, a resource referenced but absent). A flow that is delivered
    /// with any of these is `unknown`; one that is denied anyway stays denied.
    uncertain: Vec<String>,
    fqdn: Option<String>,
}

/// How a walk ends. Reasons — here and in the `Err` of the walk's helpers — stay `String`s on
/// purpose: each is a sentence for a person, written where the decision is made from the rule,
/// address or VNet that made it, and it becomes [`Trace::reason`] verbatim. Nothing matches on
/// them (the [`Verdict`] is the typed part), so an enum would only move the wording away from
/// the decision. Typed errors from other modules (`NoEgress`, `NoTransit`) are rendered here.
enum Outcome {
    Delivered(Location),
    Denied(String),
    /// The packet leaves what the estate describes; the reason says where.
    Unknown(String),
}

impl DataPlane<'_> {
    /// Traces one flow.
    pub fn trace(&self, q: &Query) -> Trace {
        let src = self.host(&q.from);
        let mut dst = self.host(&q.to);
        if q.to == Place::Internet {
            dst.ip = INTERNET_SERVER;
        }
        let mut w = Walk {
            dp: self,
            hops: Vec::new(),
            notes: Vec::new(),
            req: crate::reply::Request::default(),
            proxied: 0,
            uncertain: Vec::new(),
            fqdn: q.fqdn.clone().or(dst.fqdn.clone()),
        };
        let mut pkt = Packet {
            src: src.ip,
            dst: dst.ip,
            protocol: q.protocol,
            port: q.port,
        };
        let outcome = match w.resolve_name(&src, &dst, &mut pkt) {
            Err(outcome) => outcome,
            Ok(server) => {
                if let Some(ip) = server {
                    w.notes.extend(self.dns_query_blocked(&q.from, ip));
                }
                w.forward(src.location, pkt, true)
            }
        };
        // Delivered with its destination untranslated, but outside the destination place's
        // subnet (overlapping VNets): it did not reach the place.
        let outcome = match outcome {
            Outcome::Delivered(at) => {
                let last = w.hops.last().map_or(pkt, |h| h.packet);
                (last.dst == dst.ip)
                    .then(|| self.misdelivered(&q.to, || dst.ip.to_string(), at))
                    .flatten()
                    .map_or(Outcome::Delivered(at), Outcome::Denied)
            }
            other => other,
        };
        let (verdict, reason, return_path) = match outcome {
            Outcome::Delivered(at) => {
                let last = w.hops.last().map(|h| h.packet).unwrap_or(pkt);
                let (ret, breaks, back_unknown) = w.return_path(at, last, src.ip);
                let mut why: Vec<String> = Vec::new();
                // Only a TCP connection needs its reply, as for `breaks`.
                let back = back_unknown.filter(|_| q.protocol == Protocol::Tcp);
                for u in std::mem::take(&mut w.uncertain).into_iter().chain(back) {
                    if !why.contains(&u) {
                        why.push(u);
                    }
                }
                if breaks && q.protocol == Protocol::Tcp {
                    // A TCP connection whose reply misses (or meets) a stateful firewall the
                    // request did not cannot complete [FWFAQ] §6.5.
                    let reason = ret
                        .warning
                        .clone()
                        .unwrap_or_else(|| "the reply does not come back".into());
                    (Verdict::Denied, reason, Some(ret))
                } else if why.is_empty() {
                    (
                        Verdict::Allowed,
                        format!("delivered to {}", dst.label),
                        Some(ret),
                    )
                } else {
                    (
                        Verdict::Unknown,
                        format!(
                            "the path reaches {}, but the estate does not hold the answer: {}",
                            dst.label,
                            why.join("; ")
                        ),
                        Some(ret),
                    )
                }
            }
            Outcome::Denied(reason) => (Verdict::Denied, reason, None),
            Outcome::Unknown(reason) => (Verdict::Unknown, reason, None),
        };
        let mut notes = w.notes;
        notes.extend(self.endpoints.notes.iter().cloned());
        notes.sort();
        notes.dedup();
        Trace {
            verdict,
            reason,
            from: src.label,
            to: dst.label,
            hops: w.hops,
            return_path,
            notes,
        }
    }
}

impl DataPlane<'_> {
    /// The DNS query is a flow of its own: when the client cannot reach its DNS server on
    /// UDP 53 (a trace without a name), a note saying why. TCP 53 (large answers) is not traced.
    fn dns_query_blocked(&self, from: &Place, server: IpAddr) -> Option<String> {
        let t = self.trace(&Query {
            from: from.clone(),
            to: Place::Address(server),
            protocol: Protocol::Udp,
            port: aksnet_model::azure::DNS_PORT,
            fqdn: None,
        });
        (t.verdict != Verdict::Allowed).then(|| {
            format!(
                "the DNS query from {} to its DNS server {server} on udp/53 is {}: {}",
                t.from, t.verdict, t.reason
            )
        })
    }
}

impl Walk<'_, '_> {
    fn at(&self, loc: Location) -> String {
        match loc {
            Location::Internet => "internet".into(),
            Location::OnPrem => "onprem".into(),
            Location::Subnet(s) => self.dp.topology.subnets[s].label(&self.dp.topology),
        }
    }

    fn hop(
        &mut self,
        at: String,
        kind: HopKind,
        decision: Decision,
        detail: String,
        packet: Packet,
    ) {
        self.hops.push(Hop {
            at,
            kind,
            decision,
            detail,
            packet,
        });
    }

    /// DNS from the source's VNet when the destination has a name (azure-semantics §7), as
    /// [`crate::dns::Views::resolve`] answers it for the client at the source address (on its
    /// NIC, whose own DNS servers override the VNet's), with the servers that answered and whose
    /// setting named them. Returns the
    /// DNS server the client asks when it is not Azure DNS (the query is a flow of its own), or
    /// how the trace ends when the name does not resolve or its answer is unknown.
    fn resolve_name(
        &mut self,
        src: &Host,
        dst: &Host,
        pkt: &mut Packet,
    ) -> Result<Option<IpAddr>, Outcome> {
        let (Some(name), Location::Subnet(s)) = (self.fqdn.clone(), src.location) else {
            return Ok(None);
        };
        let t = &self.dp.topology;
        let vnet = t.subnets[s].vnet;
        // The client's NIC, if the estate holds the source address on one: its own DNS servers
        // override the VNet's.
        let res = self.dp.dns.resolve(dns::Client::at(t, vnet, src.ip), &name);
        self.notes.extend(res.notes.iter().cloned());
        let client = match &res.servers {
            Some(ServersFrom::Nic { nic, .. }) => format!("NIC {nic}"),
            _ => t.vnets[vnet].name.clone(),
        };
        let answered = &t.vnets[res.vnet.unwrap_or(vnet)].name;
        // Whose setting named the servers asked (the NIC's or the VNet's), when not the default.
        let from = res.servers.as_ref().and_then(ServersFrom::text);
        let chain = res.via_text();
        let via = format!(
            "{}{}",
            chain
                .as_ref()
                .map(|v| format!(" via {v}"))
                .unwrap_or_default(),
            from.as_ref().map(|f| format!(" ({f})")).unwrap_or_default()
        );
        let asked: Vec<String> = [chain.map(|v| format!("asked via {v}")), from]
            .into_iter()
            .flatten()
            .collect();
        let asked = if asked.is_empty() {
            String::new()
        } else {
            format!(" ({})", asked.join("; "))
        };
        let at = self.at(src.location);
        let server = res.client_server();
        match res.answer {
            Answer::Private { ip, zone } => {
                pkt.dst = ip;
                self.hop(
                    at,
                    HopKind::Dns,
                    Decision::Resolve,
                    format!("{name} → {ip} (A record in {zone}, linked to {answered}){via}"),
                    *pkt,
                );
            }
            Answer::NxDomain { zone } => {
                self.hop(
                    at,
                    HopKind::Dns,
                    Decision::Drop,
                    format!(
                        "{name}: NXDOMAIN — {zone} is linked to {answered} but has no record for it{via}"
                    ),
                    *pkt,
                );
                return Err(Outcome::Denied(format!(
                    "{name} does not resolve from {client}"
                )));
            }
            Answer::Unanswered { reason } => {
                self.hop(
                    at,
                    HopKind::Dns,
                    Decision::Drop,
                    format!("{name}: no answer — {reason}{asked}"),
                    *pkt,
                );
                return Err(Outcome::Denied(format!(
                    "{name} does not resolve from {client}: {reason}"
                )));
            }
            Answer::Unknown { reason } => {
                self.hop(
                    at,
                    HopKind::Dns,
                    Decision::Unknown,
                    format!("{name}: answer unknown — {reason}{asked}"),
                    *pkt,
                );
                return Err(Outcome::Unknown(format!(
                    "what {name} resolves to from {client} is unknown: {reason}"
                )));
            }
            Answer::Public => {
                let target = self.dp.endpoints.at(dst.ip);
                let private_target = matches!(
                    target.map(|e| &e.kind),
                    Some(EndpointKind::PrivateEndpoint(_))
                );
                if let Some(api) = target.filter(|e| e.kind == EndpointKind::ApiServerPrivate) {
                    // No linked zone holds the private cluster's record. Its public FQDN (on
                    // unless `enablePrivateClusterPublicFQDN: false`) resolves publicly to the
                    // private address; without it the name does not resolve [AKS-PRIVATE].
                    let public_fqdn = self
                        .dp
                        .estate
                        .managed_clusters
                        .get(&api.resource)
                        .and_then(|mc| mc.properties.api_server_access_profile.as_ref())
                        .and_then(|a| a.enable_private_cluster_public_fqdn)
                        .unwrap_or(true);
                    if !public_fqdn {
                        self.hop(at, HopKind::Dns, Decision::Drop, format!("{name}: no zone linked to {answered} holds it and the public FQDN is disabled{via}"), *pkt);
                        return Err(Outcome::Denied(format!(
                            "{name} does not resolve from {client}"
                        )));
                    }
                    self.hop(
                        at,
                        HopKind::Dns,
                        Decision::Resolve,
                        format!(
                            "{name} → {} through the cluster's public FQDN (no linked zone){via}",
                            dst.ip
                        ),
                        *pkt,
                    );
                } else if private_target {
                    // No linked zone: the name resolves to the service's public endpoint [ACRPL].
                    pkt.dst = INTERNET_SERVER;
                    self.hop(at, HopKind::Dns, Decision::Resolve, format!("{name} → public address (no privatelink zone linked to {answered}; the private endpoint is bypassed){via}"), *pkt);
                } else if !dst.ip.is_unspecified() && matches!(dst.location, Location::Internet) {
                    self.hop(
                        at,
                        HopKind::Dns,
                        Decision::Resolve,
                        format!("{name} → public address (no private zone for it){via}"),
                        *pkt,
                    );
                }
            }
        }
        Ok(server)
    }

    /// The NSGs a packet meets at subnet `s` in `dir`: the subnet's and that of the NIC holding
    /// the packet's address there (destination inbound, source outbound).
    fn nsg(&mut self, s: SubnetIx, dir: Direction, pkt: Packet) -> Result<(), String> {
        let addr = if dir == Direction::Inbound {
            pkt.dst
        } else {
            pkt.src
        };
        self.nsg_at(s, dir, pkt, addr)
    }

    /// Subnet `s`'s NSG and the NSG of the NIC holding `nic_addr`, in Azure's order
    /// ([`nsg::order`], [NSGHOW] §3.3): the first that denies stops the flow.
    fn nsg_at(
        &mut self,
        s: SubnetIx,
        dir: Direction,
        pkt: Packet,
        nic_addr: IpAddr,
    ) -> Result<(), String> {
        let dp = self.dp;
        let t = &dp.topology;
        let sub = &t.subnets[s];
        if sub.nsg_exempt() {
            return Ok(());
        }
        let kind = if dir == Direction::Inbound {
            HopKind::NsgInbound
        } else {
            HopKind::NsgOutbound
        };
        for level in nsg::order(dir) {
            match level {
                nsg::Level::Subnet => {
                    if let Some(id) = dp.absent_nsg(s) {
                        self.notes.push(format!("{}: its NSG `{id}` is not in the estate; only Azure's default rules are evaluated — import it to know", sub.label(t)));
                        self.uncertain.push(format!(
                            "{}'s NSG `{}` is not in the estate",
                            sub.label(t),
                            id.name()
                        ));
                    }
                    let Some(rules) = &dp.nsgs[s] else {
                        self.hop(
                            sub.label(t),
                            kind,
                            Decision::Allow,
                            "no NSG on the subnet".into(),
                            pkt,
                        );
                        continue;
                    };
                    let nsg_name = sub
                        .nsg
                        .as_ref()
                        .map(|i| i.name().to_string())
                        .unwrap_or_default();
                    self.nsg_rules(sub.label(t), kind, &nsg_name, rules, dir, pkt)?;
                }
                nsg::Level::Nic => {
                    let Some(g) = dp.nic_nsg(s, nic_addr) else {
                        continue;
                    };
                    let nic = t
                        .nic_at(s, nic_addr)
                        .map(|n| n.nic.name().to_string())
                        .unwrap_or_default();
                    let at = format!("{} (NIC {nic})", sub.label(t));
                    if g.absent {
                        self.notes.push(format!("{at}: its NSG `{}` is not in the estate; only Azure's default rules are evaluated — import it to know", g.nsg));
                        self.uncertain.push(format!(
                            "NIC {nic}'s NSG `{}` is not in the estate",
                            g.nsg.name()
                        ));
                    }
                    self.nsg_rules(at, kind, g.nsg.name(), &g.rules, dir, pkt)?;
                }
            }
        }
        Ok(())
    }

    /// One NSG's first matching rule for the packet [NSG] §3.1, as a hop; unknown when the
    /// match depends on a name that did not resolve.
    fn nsg_rules(
        &mut self,
        at: String,
        kind: HopKind,
        nsg_name: &str,
        rules: &[nsg::CompiledRule],
        dir: Direction,
        pkt: Packet,
    ) -> Result<(), String> {
        for r in rules.iter().filter(|r| r.direction == dir) {
            for n in &r.notes {
                if !self.notes.contains(n) {
                    self.notes.push(n.clone());
                }
            }
        }
        let packet = (pkt.src, pkt.dst, pkt.protocol, pkt.port);
        let allows = |r: Option<&nsg::CompiledRule>| r.is_some_and(|r| r.access_name == "Allow");
        let high = nsg::evaluate(rules, dir, nsg::Reading::TagsMatchAll, packet);
        let low = nsg::evaluate(rules, dir, nsg::Reading::Resolved, packet);
        if allows(low) != allows(high) {
            // The decision depends on what an unresolved service tag or application security
            // group holds: follow the flow as if allowed (anything later that denies it still
            // decides), and say why it is unknown.
            let why = nsg::unknown_reason(nsg_name, [low, high].into_iter().flatten());
            self.hop(at, kind, Decision::Allow, format!("unknown — {why}"), pkt);
            self.uncertain.push(why);
            return Ok(());
        }
        match low {
            Some(r) => {
                for u in &r.unresolved {
                    self.notes.push(format!("{nsg_name}/{}: service tag `{u}` has no prefixes offline and matches nothing here", r.name));
                }
                for a in &r.dangling_asgs {
                    self.notes.push(format!("{nsg_name}/{}: application security group `{a}` is not in the estate; only the members the estate's NICs name match here", r.name));
                }
                let detail = format!(
                    "{nsg_name}: {} (priority {}, {} {} → {} {}/{})",
                    r.name,
                    r.priority,
                    r.access_name,
                    r.source,
                    r.destination,
                    r.protocol,
                    r.destination_ports
                );
                let allow = r.access_name == "Allow";
                self.hop(
                    at,
                    kind,
                    if allow {
                        Decision::Allow
                    } else {
                        Decision::Deny
                    },
                    detail.clone(),
                    pkt,
                );
                if allow {
                    Ok(())
                } else {
                    Err(format!("denied by {detail}"))
                }
            }
            None => Err(format!("{nsg_name}: no rule matched")),
        }
    }

    /// Whether the endpoint at the packet's destination answers on its protocol and port
    /// ([`crate::endpoints::Endpoint::listens`]); a hop says so when it does not.
    fn listening(
        &mut self,
        at: String,
        e: &crate::endpoints::Endpoint,
        pkt: Packet,
    ) -> Result<(), String> {
        match e.listens() {
            Some(svc) if !svc.contains(pkt.protocol, pkt.port) => {
                let why = format!(
                    "{} answers on {svc} only, not {}/{}",
                    e.name, pkt.protocol, pkt.port
                );
                self.hop(at, HopKind::Deliver, Decision::Drop, why.clone(), pkt);
                Err(why)
            }
            _ => Ok(()),
        }
    }

    /// From `loc`, routes the packet until it is delivered or dropped.
    fn forward(&mut self, mut loc: Location, mut pkt: Packet, mut origin: bool) -> Outcome {
        let t = &self.dp.topology;
        for _ in 0..MAX_HOPS {
            match loc {
                Location::Internet => match self.arrive_from_internet(&mut pkt) {
                    Ok(Some(Arrival::Enter(next))) => {
                        loc = next;
                        origin = false;
                        continue;
                    }
                    Ok(Some(Arrival::Delivered(at))) => return Outcome::Delivered(at),
                    Ok(Some(Arrival::Done(o))) => return o,
                    Ok(None) => return Outcome::Delivered(Location::Internet),
                    Err(e) => return Outcome::Denied(e),
                },
                Location::OnPrem => {
                    if t.on_premises.contains_addr(pkt.dst) {
                        self.hop(
                            "onprem".into(),
                            HopKind::Deliver,
                            Decision::Deliver,
                            "on-premises network".into(),
                            pkt,
                        );
                        return Outcome::Delivered(Location::OnPrem);
                    }
                    let Some((gw_vnet, gs)) = t.gateway_entry() else {
                        return Outcome::Denied(
                            "no gateway (in a GatewaySubnet) connects on-premises to Azure".into(),
                        );
                    };
                    let gw = t.vnets[gw_vnet]
                        .gateway
                        .as_ref()
                        .map(|g| g.name().to_string())
                        .unwrap_or_default();
                    self.hop(
                        "onprem".into(),
                        HopKind::Gateway,
                        Decision::Forward,
                        format!("enters Azure through {gw}"),
                        pkt,
                    );
                    loc = Location::Subnet(gs);
                    origin = false;
                    continue;
                }
                Location::Subnet(s) => {
                    if origin {
                        if let Err(e) = self.nsg(s, Direction::Outbound, pkt) {
                            return Outcome::Denied(e);
                        }
                        origin = false;
                    }
                    match self.route(s, &mut pkt) {
                        Step::Next(next) => loc = next,
                        Step::Done(o) => return o,
                    }
                }
            }
        }
        Outcome::Denied(format!("routing loop: more than {MAX_HOPS} hops"))
    }

    /// One route lookup in subnet `s` and what the next hop does with the packet.
    fn route(&mut self, s: SubnetIx, pkt: &mut Packet) -> Step {
        let dp = self.dp;
        let t = &dp.topology;
        let here = t.subnets[s].label(t);
        if let Some(id) = dp.absent_route_table(s) {
            self.notes.push(format!("{here}: its route table `{id}` is not in the estate; its routes are unknown and only system routes are used — import it to know"));
            self.uncertain.push(format!(
                "{here}'s route table `{}` is not in the estate",
                id.name()
            ));
        }
        if let Some(why) = dp
            .route_tag_unknown(s)
            .filter(|_| !crate::tags::private_space().contains_addr(pkt.dst))
        {
            self.notes.push(why.to_string());
            self.uncertain.push(why.to_string());
        }
        let Some(r) = dp.route_for(s, pkt.dst) else {
            self.hop(
                here,
                HopKind::Route,
                Decision::Drop,
                "no route".into(),
                *pkt,
            );
            return Step::Done(Outcome::Denied("no route".into()));
        };
        let detail = match &r.service_tag {
            Some(tag) => format!(
                "{} → {} ({:?}, {}, service tag {tag})",
                r.address_prefix, r.next_hop, r.source, r.name
            ),
            None => format!(
                "{} → {} ({:?}, {})",
                r.address_prefix, r.next_hop, r.source, r.name
            ),
        };
        let vnet = t.subnets[s].vnet;
        match r.next_hop.clone() {
            NextHop::None => {
                self.hop(here, HopKind::Route, Decision::Drop, detail.clone(), *pkt);
                Step::Done(Outcome::Denied(format!("dropped by route {detail}")))
            }
            NextHop::VnetLocal | NextHop::VNetPeering(_) | NextHop::InterfaceEndpoint(_) => {
                self.hop(here, HopKind::Route, Decision::Forward, detail, *pkt);
                let vnets: Vec<VnetIx> = std::iter::once(vnet)
                    .chain(t.connected_peers(vnet).map(|p| p.remote))
                    .collect();
                let Some(d) = t.subnet_holding(pkt.dst, &vnets) else {
                    return Step::Done(Outcome::Denied(format!("no subnet holds {}", pkt.dst)));
                };
                if let Err(e) = self.cross(
                    vnet,
                    t.subnets[d].vnet,
                    *pkt,
                    t.subnets[s].name == "GatewaySubnet",
                ) {
                    return Step::Done(Outcome::Denied(e));
                }
                self.arrive(d, pkt)
            }
            NextHop::VirtualAppliance(Maybe::Unknown(u)) => {
                let why = crate::routes::unknown_next_hop(r, &u);
                self.hop(here, HopKind::Route, Decision::Unknown, detail, *pkt);
                Step::Done(Outcome::Unknown(why))
            }
            NextHop::VirtualAppliance(Maybe::Known(ip)) => {
                self.hop(here, HopKind::Route, Decision::Forward, detail, *pkt);
                let vnets: Vec<VnetIx> = std::iter::once(vnet)
                    .chain(t.connected_peers(vnet).map(|p| p.remote))
                    .collect();
                let Some(a) = t.subnet_holding(ip, &vnets) else {
                    if t.outside_every_vnet(ip) {
                        return Step::Done(Outcome::Unknown(appliance_outside(ip)));
                    }
                    return Step::Done(Outcome::Denied(format!(
                        "next hop {ip} is not reachable from {} (the route is invalid)",
                        t.vnets[vnet].name
                    )));
                };
                if let Err(e) = self.cross(
                    vnet,
                    t.subnets[a].vnet,
                    *pkt,
                    t.subnets[s].name == "GatewaySubnet",
                ) {
                    return Step::Done(Outcome::Denied(e));
                }
                self.appliance(ip, a, pkt)
            }
            NextHop::VirtualNetworkServiceEndpoint(service) => {
                self.hop(
                    here.clone(),
                    HopKind::Route,
                    Decision::Forward,
                    detail,
                    *pkt,
                );
                self.hop(
                    here,
                    HopKind::ServiceEndpoint,
                    Decision::Deliver,
                    format!(
                        "{service} over the Azure backbone, source kept ({})",
                        pkt.src
                    ),
                    *pkt,
                );
                self.req.service_endpoint = true;
                Step::Done(Outcome::Delivered(Location::Internet))
            }
            NextHop::VirtualNetworkGateway => {
                self.hop(here, HopKind::Route, Decision::Forward, detail, *pkt);
                if t.on_premises.contains_addr(pkt.dst) {
                    self.hop(
                        "onprem".into(),
                        HopKind::Gateway,
                        Decision::Deliver,
                        "through the virtual network gateway".into(),
                        *pkt,
                    );
                    Step::Done(Outcome::Delivered(Location::OnPrem))
                } else if r.source == crate::routes::Source::User {
                    // VPN gateway transit to a VNet peered with the gateway's.
                    let gs = match t.vpn_transit(vnet) {
                        Ok(gs) => gs,
                        Err(why) => return Step::Done(Outcome::Denied(why.to_string())),
                    };
                    let gv = t.subnets[gs].vnet;
                    if let Err(e) = self.cross(vnet, gv, *pkt, t.subnets[s].name == "GatewaySubnet")
                    {
                        return Step::Done(Outcome::Denied(e));
                    }
                    self.hop(
                        t.subnets[gs].label(t),
                        HopKind::Gateway,
                        Decision::Forward,
                        format!(
                            "{} forwards to the VNets peered with {} (gateway transit)",
                            t.vnets[gv]
                                .gateway
                                .as_ref()
                                .map(|g| g.name())
                                .unwrap_or("the gateway"),
                            t.vnets[gv].name
                        ),
                        *pkt,
                    );
                    Step::Next(Location::Subnet(gs))
                } else {
                    Step::Done(Outcome::Denied(format!(
                        "the gateway has no route to {}",
                        pkt.dst
                    )))
                }
            }
            NextHop::Internet => {
                self.hop(
                    here.clone(),
                    HopKind::Route,
                    Decision::Forward,
                    detail,
                    *pkt,
                );
                if private_space().contains_addr(pkt.dst) {
                    self.hop(
                        here,
                        HopKind::Egress,
                        Decision::Drop,
                        format!(
                            "{} is a private address: the Internet does not route it",
                            pkt.dst
                        ),
                        *pkt,
                    );
                    return Step::Done(Outcome::Denied(format!(
                        "{} is private and the route sends it to the Internet",
                        pkt.dst
                    )));
                }
                match crate::egress::egress(self.dp, s) {
                    Ok(egress) => {
                        self.req.egress = Some(s);
                        match egress.source {
                            crate::egress::EgressSource::Address(ip) => {
                                self.req.before_egress = Some((ip, Some(pkt.src)));
                                pkt.src = ip
                            }
                            other => self.req.unassigned_source = Some(other),
                        }
                        self.hop(here, HopKind::Egress, Decision::Forward, egress.how, *pkt);
                        Step::Next(Location::Internet)
                    }
                    Err(why) => {
                        let why = why.to_string();
                        self.hop(here, HopKind::Egress, Decision::Drop, why.clone(), *pkt);
                        Step::Done(Outcome::Denied(why))
                    }
                }
            }
        }
    }

    /// Peering checks when a packet moves from VNet `a` to VNet `b` (azure-semantics §2.7, §9).
    /// `from_gateway`: the packet comes straight from a VPN/ExpressRoute gateway, which does not
    /// need `allowForwardedTraffic` [PEERMG].
    fn cross(
        &mut self,
        a: VnetIx,
        b: VnetIx,
        pkt: Packet,
        from_gateway: bool,
    ) -> Result<(), String> {
        let t = &self.dp.topology;
        let hard_block = self.dp.options.peering_access_hard_block;
        let detail = format!("{} → {}", t.vnets[a].name, t.vnets[b].name);
        let forwarded = !t.vnets[a].space.contains_addr(pkt.src);
        match t.crossing(a, b, from_gateway, hard_block) {
            Crossing::Same => Ok(()),
            Crossing::Blocked(why) => Err(why),
            Crossing::OnlyFromSender if forwarded => {
                self.hop(detail, HopKind::Peering, Decision::Drop, format!("source {} did not originate in {} and {}'s peering does not allow forwarded traffic", pkt.src, t.vnets[a].name, t.vnets[b].name), pkt);
                Err("forwarded traffic not allowed on the peering".into())
            }
            c => {
                let how = if forwarded && c == Crossing::Open && !from_gateway {
                    "Connected; allowForwardedTraffic"
                } else {
                    "Connected"
                };
                self.hop(detail, HopKind::Peering, Decision::Forward, how.into(), pkt);
                Ok(())
            }
        }
    }

    /// The packet reaches subnet `d`: deliver it to what sits at the destination address.
    fn arrive(&mut self, d: SubnetIx, pkt: &mut Packet) -> Step {
        let t = &self.dp.topology;
        let sub = &t.subnets[d];
        let here = sub.label(t);
        let endpoint = self.dp.endpoints.arriving(t, pkt.dst, d).cloned();
        match endpoint.as_ref().map(|e| &e.kind) {
            Some(EndpointKind::InternalLoadBalancer) => {
                // The LB forwards to a backend node, keeping the client's source [AKS-ILB] §3.4.
                let Some(backend) = self.dp.topology.backend_subnet(sub.vnet) else {
                    return Step::Done(Outcome::Denied(
                        "the internal load balancer has no backend node pool".into(),
                    ));
                };
                let Some(ip) = t.instance_address(backend) else {
                    return Step::Done(Outcome::Denied(format!(
                        "the internal load balancer's backend subnet {} ({}) has no assignable address for a node",
                        t.subnets[backend].label(t),
                        t.subnets[backend].prefix
                    )));
                };
                let lb_rules = endpoint
                    .as_ref()
                    .map(|e| e.lb_rules.as_slice())
                    .unwrap_or_default();
                let rule = crate::endpoints::LbRule::carve(lb_rules)
                    .into_iter()
                    .find(|(_, svc)| svc.contains(pkt.protocol, pkt.port))
                    .map(|(r, _)| r);
                if rule.is_none() && !lb_rules.is_empty() {
                    let why = format!(
                        "{} has no load-balancing rule for {}/{}",
                        endpoint
                            .as_ref()
                            .map(|e| e.name.as_str())
                            .unwrap_or("the load balancer"),
                        pkt.protocol,
                        pkt.port
                    );
                    self.hop(
                        here,
                        HopKind::LoadBalancer,
                        Decision::Drop,
                        why.clone(),
                        *pkt,
                    );
                    return Step::Done(Outcome::Denied(why));
                }
                let before = *pkt;
                pkt.dst = ip;
                if let Some(port) = rule.and_then(|r| r.backend_port) {
                    pkt.port = port;
                }
                self.hop(
                    here,
                    HopKind::LoadBalancer,
                    Decision::Translate,
                    format!(
                        "{}:{} → backend node {ip}:{} in {}{}",
                        before.dst,
                        before.port,
                        pkt.port,
                        t.subnets[backend].label(t),
                        rule.map(|r| format!(" (rule {})", r.name))
                            .unwrap_or_default()
                    ),
                    *pkt,
                );
                if let Err(e) = self.nsg(backend, Direction::Inbound, *pkt) {
                    return Step::Done(Outcome::Denied(e));
                }
                self.hop(
                    t.subnets[backend].label(t),
                    HopKind::Deliver,
                    Decision::Deliver,
                    format!("node {ip}"),
                    *pkt,
                );
                Step::Done(Outcome::Delivered(Location::Subnet(backend)))
            }
            Some(EndpointKind::AppGatewayPrivate) => match endpoint {
                Some(e) => self.app_gateway(e, pkt),
                None => Step::Done(Outcome::Denied("no Application Gateway".into())),
            },
            Some(EndpointKind::PrivateEndpoint(_)) => {
                // NSGs filter traffic to a private endpoint only with network policies on [PEPOL] §7.2.
                if sub.pe_nsg_applies() {
                    if let Err(e) = self.nsg(d, Direction::Inbound, *pkt) {
                        return Step::Done(Outcome::Denied(e));
                    }
                } else {
                    self.hop(
                        here.clone(),
                        HopKind::NsgInbound,
                        Decision::Allow,
                        "private endpoint network policies are Disabled: NSG not applied".into(),
                        *pkt,
                    );
                }
                let Some(e) = endpoint else {
                    return Step::Done(Outcome::Denied("no private endpoint".into()));
                };
                if let Err(why) = self.listening(here.clone(), &e, *pkt) {
                    return Step::Done(Outcome::Denied(why));
                }
                self.hop(
                    here,
                    HopKind::Deliver,
                    Decision::Deliver,
                    format!("private endpoint {}", e.name),
                    *pkt,
                );
                Step::Done(Outcome::Delivered(Location::Subnet(d)))
            }
            _ => {
                if let Err(e) = self.nsg(d, Direction::Inbound, *pkt) {
                    return Step::Done(Outcome::Denied(e));
                }
                if let Some(e) = &endpoint {
                    if let Err(why) = self.listening(here.clone(), e, *pkt) {
                        return Step::Done(Outcome::Denied(why));
                    }
                }
                let what = endpoint
                    .map(|e| e.name)
                    .unwrap_or_else(|| format!("host {}", pkt.dst));
                self.hop(here, HopKind::Deliver, Decision::Deliver, what, *pkt);
                Step::Done(Outcome::Delivered(Location::Subnet(d)))
            }
        }
    }

    /// Application Gateway: listener, subnet NSG, then a new connection to the backend from the
    /// gateway's own address [AGINFRA].
    fn app_gateway(&mut self, e: crate::endpoints::Endpoint, pkt: &mut Packet) -> Step {
        let dp = self.dp;
        let t = &dp.topology;
        // Each proxy starts a new connection: a gateway whose backend leads back to a gateway
        // would recurse without end.
        self.proxied += 1;
        if self.proxied > MAX_PROXIES {
            return Step::Done(Outcome::Denied(format!(
                "routing loop: more than {MAX_PROXIES} Application Gateway connections in a row"
            )));
        }
        let Some(agw) = dp.estate.application_gateways.get(&e.resource) else {
            return Step::Done(Outcome::Denied("unknown Application Gateway".into()));
        };
        let Some(s) = agw
            .properties
            .gateway_ip_configurations
            .first()
            .and_then(|c| t.subnet_by_id(&c.properties.subnet.id))
        else {
            return Step::Done(Outcome::Denied(
                "the Application Gateway's subnet is not in the estate".into(),
            ));
        };
        let Some(instance) = t.instance_address(s) else {
            return Step::Done(Outcome::Denied(format!(
                "{}'s subnet {} ({}) has no assignable address for an instance",
                agw.name,
                t.subnets[s].label(t),
                t.subnets[s].prefix
            )));
        };
        if let Err(err) = self.nsg(
            s,
            Direction::Inbound,
            Packet {
                dst: instance,
                ..*pkt
            },
        ) {
            return Step::Done(Outcome::Denied(err));
        }
        let listens = crate::endpoints::app_gateway_listeners(&agw.properties)
            .contains(pkt.protocol, pkt.port);
        if !listens {
            self.hop(
                t.subnets[s].label(t),
                HopKind::AppGateway,
                Decision::Drop,
                format!(
                    "{} has no listener on {}/{}",
                    agw.name, pkt.protocol, pkt.port
                ),
                *pkt,
            );
            return Step::Done(Outcome::Denied(format!(
                "{} does not listen on {}/{}",
                agw.name, pkt.protocol, pkt.port
            )));
        }
        let waf = agw
            .properties
            .firewall_policy
            .as_ref()
            .and_then(|w| dp.estate.waf_policies.get(&w.id))
            .map(|w| {
                format!(
                    "WAF {} ({})",
                    w.name,
                    w.properties.policy_settings.mode_label()
                )
            })
            .or_else(|| {
                let c = agw
                    .properties
                    .web_application_firewall_configuration
                    .as_ref()?;
                Some(match (c.enabled, &c.firewall_mode) {
                    (false, _) => "its own WAF configuration (disabled)".to_string(),
                    (true, Some(m)) => format!("its own WAF configuration ({m})"),
                    (true, None) => "its own WAF configuration (mode not stated)".to_string(),
                })
            })
            .unwrap_or_else(|| "no WAF".into());
        let Some(backend) = agw.properties.first_backend_ip() else {
            self.hop(
                t.subnets[s].label(t),
                HopKind::AppGateway,
                Decision::Drop,
                format!("{} has no backend address", agw.name),
                *pkt,
            );
            return Step::Done(Outcome::Denied("no backend".into()));
        };
        *pkt = Packet {
            src: instance,
            dst: backend,
            ..*pkt
        };
        self.req.proxies.push(instance);
        self.hop(
            t.subnets[s].label(t),
            HopKind::AppGateway,
            Decision::Translate,
            format!(
                "{} listener {}/{}, {waf}; proxies to backend {backend} from {instance}",
                agw.name, pkt.protocol, pkt.port
            ),
            *pkt,
        );
        match self.route(s, pkt) {
            Step::Next(loc) => Step::Done(self.forward(loc, *pkt, false)),
            done => done,
        }
    }

    /// An appliance at `ip` in subnet `a` gets the packet.
    fn appliance(&mut self, ip: IpAddr, a: SubnetIx, pkt: &mut Packet) -> Step {
        let dp = self.dp;
        let t = &dp.topology;
        let here = t.subnets[a].label(t);
        if self.req.stateful.contains(&ip) {
            return Step::Done(Outcome::Denied(format!(
                "routing loop: the packet returns to {ip}"
            )));
        }
        if let Some((fw_id, policy)) = dp.firewalls.get(&ip) {
            self.req.stateful.push(ip);
            let own_public = dp
                .endpoints
                .all_at(pkt.dst)
                .any(|e| e.kind == EndpointKind::FirewallPublic && &e.resource == fw_id);
            if own_public {
                return Step::Done(Outcome::Unknown(hairpin_unknown(fw_id.name(), pkt.dst)));
            }
            let d = policy.decide(
                pkt.src,
                pkt.dst,
                pkt.protocol,
                pkt.port,
                self.fqdn.as_deref(),
            );
            self.notes.extend(d.notes.iter().cloned());
            self.notes.extend(policy.notes.iter().cloned());
            let rule = d
                .rule
                .clone()
                .unwrap_or_else(|| "no rule matched: default deny".into());
            if !d.allowed {
                self.hop(
                    here,
                    HopKind::Firewall,
                    Decision::Deny,
                    format!("{} ({} pass): {rule}", fw_id.name(), d.pass),
                    *pkt,
                );
                return Step::Done(Outcome::Denied(format!(
                    "denied by {} ({rule})",
                    fw_id.name()
                )));
            }
            let before = *pkt;
            if d.snat {
                pkt.src = ip;
                self.req.proxies.push(ip);
            }
            let nat = if d.snat {
                format!("; SNAT {} → {}", before.src, pkt.src)
            } else {
                "; no SNAT (destination in the private ranges)".into()
            };
            // A decision that turns on a missing IP group: followed as allowed, unknown.
            let unknown = match &d.unknown {
                Some(why) => {
                    let why = format!("{}: {why}", fw_id.name());
                    self.uncertain.push(why.clone());
                    format!("unknown — {why}; ")
                }
                None => String::new(),
            };
            self.hop(
                here,
                HopKind::Firewall,
                Decision::Allow,
                format!("{unknown}{} ({} pass): {rule}{nat}", fw_id.name(), d.pass),
                *pkt,
            );
            return Step::Next(Location::Subnet(a));
        }
        if let Some(why) = self.dp.unplaced_firewall(a, ip) {
            return Step::Done(Outcome::Unknown(why));
        }
        // A third-party NVA: it forwards; its NIC sits behind the subnet NSG and its own NIC's
        // NSG both ways. What its own rules let through is not in the estate.
        self.req.stateful.push(ip);
        self.uncertain.push(nva_unknown(ip));
        let at_nva = Packet { ..*pkt };
        if let Err(e) = self.nsg_at(a, Direction::Inbound, at_nva, ip) {
            return Step::Done(Outcome::Denied(e));
        }
        if let Err(why) = self.dp.topology.forwarding(a, ip) {
            self.hop(here, HopKind::Nva, Decision::Drop, why.clone(), *pkt);
            return Step::Done(Outcome::Denied(why));
        }
        self.hop(
            here,
            HopKind::Nva,
            Decision::Forward,
            format!("NVA {ip} forwards (its own policy is outside the model)"),
            *pkt,
        );
        if let Err(e) = self.nsg_at(a, Direction::Outbound, *pkt, ip) {
            return Step::Done(Outcome::Denied(e));
        }
        Step::Next(Location::Subnet(a))
    }

    /// A packet on the Internet reaches one of the estate's public addresses, or leaves it.
    fn arrive_from_internet(&mut self, pkt: &mut Packet) -> Result<Option<Arrival>, String> {
        let dp = self.dp;
        let t = &dp.topology;
        let Some(e) = self.dp.endpoints.at(pkt.dst).cloned() else {
            if private_space().contains_addr(pkt.dst) {
                self.hop(
                    "internet".into(),
                    HopKind::Deliver,
                    Decision::Drop,
                    format!(
                        "{} is a private address, not reachable from the Internet",
                        pkt.dst
                    ),
                    *pkt,
                );
                return Err(format!("{} is not reachable from the Internet", pkt.dst));
            }
            self.hop(
                "internet".into(),
                HopKind::Deliver,
                Decision::Deliver,
                format!("Internet host {}", pkt.dst),
                *pkt,
            );
            return Ok(None);
        };
        match e.kind {
            EndpointKind::AppGatewayPublic => match self.app_gateway(e, pkt) {
                Step::Done(Outcome::Delivered(l)) => Ok(Some(Arrival::Delivered(l))),
                Step::Done(Outcome::Denied(r)) => Err(r),
                Step::Done(o @ Outcome::Unknown(_)) => Ok(Some(Arrival::Done(o))),
                Step::Next(l) => Ok(Some(Arrival::Enter(l))),
            },
            EndpointKind::FirewallPublic => {
                let Some((fw_ip, (fw_id, policy))) = dp.firewall_of(&e.resource) else {
                    return Err("firewall without policy".into());
                };
                // The DNAT rule that takes this packet, first match (the same table reach uses).
                let hit = policy
                    .dnat_rules(pkt.dst)
                    .into_iter()
                    .find(|d| d.packets.contains(pkt.src, pkt.dst, pkt.protocol, pkt.port));
                if let Some(d) = hit.as_ref().filter(|d| d.to.is_none()) {
                    // The same words as reach's for these packets.
                    return Ok(Some(Arrival::Done(Outcome::Unknown(
                        d.untranslatable(fw_id.name()),
                    ))));
                }
                match hit.as_ref().and_then(|d| d.to.map(|to| (d, to))) {
                    Some((d, (to, port))) => {
                        // Taken only under one reading of a missing IP group: unknown.
                        if let (true, Some(why)) = (
                            d.unsure
                                .0
                                .contains(pkt.src, pkt.dst, pkt.protocol, pkt.port),
                            &d.unsure.1,
                        ) {
                            self.uncertain.push(format!("{}: {why}", fw_id.name()));
                        }
                        pkt.dst = to;
                        pkt.port = port.unwrap_or(pkt.port);
                        self.req.stateful.push(fw_ip);
                        self.hop(
                            fw_id.name().into(),
                            HopKind::Firewall,
                            Decision::Translate,
                            format!("DNAT by {}", d.path),
                            *pkt,
                        );
                        // CONFLICT (§4.1): 2018–2020 text filters the translated flow with
                        // network rules; the current text does not. Switch, default off.
                        if dp.options.dnat_then_network_rules {
                            let n = policy.decide(pkt.src, pkt.dst, pkt.protocol, pkt.port, None);
                            if let Some(why) = &n.unknown {
                                self.uncertain.push(format!("{}: {why}", fw_id.name()));
                            }
                            if !n.allowed || n.pass != "network" {
                                let why = format!(
                                    "DNAT'd flow not allowed by a network rule ({})",
                                    n.rule.unwrap_or_else(|| "default deny".into())
                                );
                                self.hop(
                                    fw_id.name().into(),
                                    HopKind::Firewall,
                                    Decision::Deny,
                                    why.clone(),
                                    *pkt,
                                );
                                return Err(why);
                            }
                        }
                        if !dp.options.dnat_keeps_source {
                            // Inbound DNAT'd connections are SNATed to one of the firewall's
                            // private addresses (learn.microsoft.com/azure/firewall/firewall-known-issues): the backend (and its NSG) sees the
                            // firewall, and the reply comes back to it.
                            let client = pkt.src;
                            pkt.src = fw_ip;
                            self.req.proxies.push(fw_ip);
                            self.hop(
                                fw_id.name().into(),
                                HopKind::Firewall,
                                Decision::Translate,
                                format!("SNAT {client} → {fw_ip} (inbound DNAT'd connections take a firewall address)"),
                                *pkt,
                            );
                        }
                        match e.subnet.or_else(|| t.subnet_of(fw_ip)) {
                            Some(s) => Ok(Some(Arrival::Enter(Location::Subnet(s)))),
                            None => {
                                let why = format!(
                                    "{}: its private IP {fw_ip} lies in no subnet of the estate, so it cannot forward the translated flow",
                                    fw_id
                                );
                                self.hop(
                                    fw_id.name().into(),
                                    HopKind::Firewall,
                                    Decision::Drop,
                                    why.clone(),
                                    *pkt,
                                );
                                Err(why)
                            }
                        }
                    }
                    None => {
                        self.hop(
                            fw_id.name().into(),
                            HopKind::Firewall,
                            Decision::Drop,
                            format!(
                                "no DNAT rule for {}/{} on {}",
                                pkt.protocol, pkt.port, e.name
                            ),
                            *pkt,
                        );
                        Err(format!(
                            "{} has no DNAT rule for {}/{}",
                            fw_id.name(),
                            pkt.protocol,
                            pkt.port
                        ))
                    }
                }
            }
            EndpointKind::ApiServerPublic => {
                self.listening(e.name.clone(), &e, *pkt)?;
                let authorized = dp.api_authorized(&e.resource);
                let ranges: Vec<String> = dp
                    .estate
                    .managed_clusters
                    .get(&e.resource)
                    .and_then(|m| m.properties.api_server_access_profile.as_ref())
                    .map(|a| a.known_ranges().cloned().collect())
                    .unwrap_or_default();
                // AKS adds the cluster's own outbound load balancer IP to its ranges [AKS-AUTHIP].
                let own_lb = matches!(&self.req.unassigned_source,
                    Some(crate::egress::EgressSource::ClusterLoadBalancer(c)) if *c == e.resource);
                let ok = own_lb
                    || authorized
                        .as_ref()
                        .is_none_or(|set| set.contains_addr(pkt.src));
                // Whether the ranges hold the source cannot be known when it is an address
                // Azure assigns at deployment.
                let unsure = if t.is_stand_in(pkt.src) {
                    Some(format!(
                        "the source {} stands in for a public IP assigned at deployment",
                        pkt.src
                    ))
                } else {
                    self.req
                        .unassigned_source
                        .as_ref()
                        .and_then(|s| s.unknown_because())
                        .or_else(|| dp.api_ranges_unknown(&e.resource))
                };
                if let (false, Some(why)) = (ok, unsure) {
                    let why = format!(
                        "whether {}'s authorizedIPRanges admit it depends on {why}",
                        e.name
                    );
                    self.hop(
                        e.name.clone(),
                        HopKind::ApiServer,
                        Decision::Deliver,
                        format!("unknown — {why}"),
                        *pkt,
                    );
                    self.uncertain.push(why);
                    return Ok(None);
                }
                let egress_note = self
                    .hops
                    .iter()
                    .rev()
                    .find(|h| h.kind == HopKind::Egress)
                    .map(|h| h.detail.clone());
                if ok {
                    self.hop(
                        e.name.clone(),
                        HopKind::ApiServer,
                        Decision::Deliver,
                        if ranges.is_empty() {
                            "public API server, no authorized IP ranges".into()
                        } else {
                            "source within authorizedIPRanges".into()
                        },
                        *pkt,
                    );
                    Ok(None)
                } else {
                    let why = format!(
                        "source {} is not in authorizedIPRanges [{}]{}",
                        pkt.src,
                        ranges.join(", "),
                        egress_note
                            .map(|n| format!(" (egress: {n}; add that address once it is known)"))
                            .unwrap_or_default()
                    );
                    self.hop(
                        e.name.clone(),
                        HopKind::ApiServer,
                        Decision::Deny,
                        why.clone(),
                        *pkt,
                    );
                    Err(why)
                }
            }
            _ => {
                self.hop(
                    "internet".into(),
                    HopKind::Deliver,
                    Decision::Drop,
                    format!("{} is not exposed to the Internet", e.name),
                    *pkt,
                );
                Err(format!("{} is not reachable from the Internet", e.name))
            }
        }
    }
}

/// Why a flow routed to an appliance outside every VNet of the estate is `unknown`: the
/// appliance (in a VNet the estate does not hold) decides, and the estate does not say how.
pub(crate) fn appliance_outside(ip: IpAddr) -> String {
    format!("the next hop {ip} lies in no VNet of the estate; what happens there is not in it")
}

/// Why a flow routed to a firewall with the firewall's own public address as its destination
/// is `unknown`: whether its DNAT rules apply to traffic that arrives on the private side is not
/// documented (DNAT is described for traffic to the public IP from the Internet).
pub(crate) fn hairpin_unknown(firewall: &str, public: IpAddr) -> String {
    format!("{firewall} receives this on its private side addressed to its own public IP {public}; whether its DNAT rules apply there is not documented")
}

/// Why a flow through a third-party NVA is `unknown`: its own rules are outside the estate.
pub(crate) fn nva_unknown(ip: IpAddr) -> String {
    format!("NVA {ip} forwards by its own rules, which are not in the estate")
}

enum Step {
    Next(Location),
    Done(Outcome),
}

/// What happens to a packet that reaches one of the estate's public addresses.
enum Arrival {
    /// It enters the estate at this location and is routed on.
    Enter(Location),
    /// It was delivered (through a proxy such as Application Gateway).
    Delivered(Location),
    /// Its fate is decided some other way (the proxy's backend lies outside the estate).
    Done(Outcome),
}

impl Walk<'_, '_> {
    /// Walks the reply back with routing only (stateful devices let replies through) and compares
    /// the stateful devices it crosses with the request's (azure-semantics §9 step 4, §6.5), by
    /// the walk reach uses too ([`DataPlane::replies`]). Returns the path, whether the
    /// connection breaks, and why the way back is unknown, if it is.
    fn return_path(
        &self,
        at: Location,
        last: Packet,
        client: IpAddr,
    ) -> (Return, bool, Option<String>) {
        let clients: PrefixSet = [Prefix::from(client)].into_iter().collect();
        match self
            .dp
            .replies(&self.req, at, Some(last.src), &clients, true)
            .pop()
        {
            Some(r) => (r.ret, r.breaks, r.unknown),
            None => (
                Return {
                    symmetric: false,
                    hops: Vec::new(),
                    warning: Some("the reply does not find its way back to the client".into()),
                    fault: Some(crate::reply::Fault::Lost),
                },
                true,
                None,
            ),
        }
    }
}
