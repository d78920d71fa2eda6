//! Reachability over packet sets: every packet that gets from one place to another, split by the
//! path it takes, with a witness trace per path; and exposure, everything reachable from a place.
//!
//! The walk carries, per branch, the set of *original* packets still alive and how the current
//! packet differs from the original (source fixed by SNAT or a proxy, destination fixed by a
//! load balancer or a proxy). A filter met downstream is pulled back to original coordinates by
//! slicing it at the fixed address, so every result is stated in the packets the client sends.

use std::net::IpAddr;

use aksnet_model::network::Direction;
use aksnet_model::Maybe;
use aksnet_net::{PacketSet, PortSet, Prefix, PrefixSet, Protocol, Services};
use serde::Serialize;

use crate::endpoints::EndpointKind;
use crate::nsg;
use crate::places::{Location, Place};
use crate::routes::{NextHop, RoutePart};
use crate::tags::{internet, private_space};
use crate::topology::{Crossing, SubnetIx, SubnetPart, VnetIx};
use crate::trace::{Query, Trace};
use crate::DataPlane;

mod many;
pub use many::Exposures;

const MAX_DEPTH: usize = 24;
const MAX_BRANCHES: usize = 20_000;

#[derive(Clone)]
struct Branch {
    orig: PacketSet,
    src_fixed: Option<IpAddr>,
    dst_fixed: Option<IpAddr>,
    /// The destination port after a DNAT rule that translates it.
    port_fixed: Option<u16>,
    loc: Location,
    via: Vec<String>,
    depth: usize,
    origin: bool,
    by_name: Vec<String>,
    /// The original packets whose fate depends on something the estate does not hold, and why.
    unsure: PacketSet,
    unknown: Vec<String>,
    /// What the request did that decides how its reply travels (its stateful devices also stop
    /// loops).
    req: crate::reply::Request,
    /// Routed to this appliance (a firewall or NVA at this address in this subnet) and not yet
    /// through it: the branch's next step is the appliance's, where the walks of many sources
    /// meet ([`many`]).
    appliance: Option<(IpAddr, SubnetIx)>,
}

impl Branch {
    /// A walk's first branch: the packets from `src` to `dst` at `start`.
    fn seed(src: &PrefixSet, dst: &PrefixSet, start: Location) -> Self {
        Branch {
            orig: PacketSet::from_parts(src, dst, Services::any()),
            src_fixed: None,
            dst_fixed: None,
            port_fixed: None,
            loc: start,
            via: Vec::new(),
            depth: 0,
            origin: true,
            by_name: Vec::new(),
            unsure: PacketSet::empty(),
            unknown: Vec::new(),
            req: crate::reply::Request::default(),
            appliance: None,
        }
    }
}

/// The branches a walk has still to take.
enum Agenda {
    /// Last in, first out: one source's walk, whose paths come out in the order reach has
    /// always given them.
    Stack(Vec<Branch>),
    /// Many sources' walk ([`many`]): level by level, so that branches which reach the same
    /// state are waiting together and are taken as one.
    Levels {
        /// Waiting, by depth, those handed to an appliance before the others of their depth
        /// (the appliance's step gives branches of the same depth).
        waiting: std::collections::BTreeMap<(usize, bool), Vec<Branch>>,
        /// The level being taken, merged.
        current: Vec<Branch>,
    },
}

impl Agenda {
    fn pop(&mut self) -> Option<Branch> {
        match self {
            Agenda::Stack(v) => v.pop(),
            Agenda::Levels { waiting, current } => loop {
                if let Some(b) = current.pop() {
                    return Some(b);
                }
                *current = many::merged(waiting.pop_first()?.1);
            },
        }
    }

    fn extend(&mut self, branches: impl IntoIterator<Item = Branch>) {
        match self {
            Agenda::Stack(v) => v.extend(branches),
            Agenda::Levels { waiting, .. } => {
                for b in branches {
                    waiting
                        .entry((b.depth, b.appliance.is_none()))
                        .or_default()
                        .push(b);
                }
            }
        }
    }
}

/// Packets that take one path.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PathResult {
    /// Where they are delivered.
    pub delivered_at: String,
    /// The devices and decisions on the way.
    pub via: Vec<String>,
    /// The packets, as the client sends them.
    #[serde(skip)]
    pub packets: PacketSet,
    /// The packets in words (`tcp/443 from Internet to agw-aks-prod (public) (198.18.0.1)`).
    #[serde(rename = "packets")]
    pub described: Vec<String>,
    /// When set, the packets pass only for these names (firewall application rules: FQDNs and
    /// `tag:` FQDN tags); such paths are not counted in `total`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_name: Vec<String>,
    /// When set, whether these packets get through depends on what the estate does not hold
    /// (an NVA's own rules, a service tag without prefixes, a resource referenced but absent);
    /// such paths are not counted in `total`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<String>,
    /// The destination port the packets arrive on when a DNAT rule translated it (the packets
    /// themselves are stated with the port the client sends to).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub translated_port: Option<u16>,
    /// When set, these TCP connections cannot complete: their replies miss (or meet) a stateful
    /// firewall the request did not, or do not come back; a trace of one of them is `denied`
    /// with this reason. Such paths are not counted in `total`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken: Option<String>,
    /// One traced packet of the set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<Trace>,
    /// Where the packets were delivered, when they still carry the destination the client
    /// sent them to (no DNAT or proxy changed it) and the outcome is known: what
    /// [`DataPlane::misdelivered`] judges.
    #[serde(skip)]
    pub landed: Option<Location>,
}

/// The result of `reach` or `exposure`.
#[derive(Clone, Debug, Serialize)]
pub struct Reach {
    /// Source.
    pub from: String,
    /// Destination.
    pub to: String,
    /// Every packet that gets through whatever name it carries (union of the paths that do not
    /// depend on names, nor on anything the estate does not hold).
    #[serde(skip)]
    pub total: PacketSet,
    /// `total` in words.
    #[serde(rename = "total")]
    pub total_described: Vec<String>,
    /// Per path.
    pub paths: Vec<PathResult>,
    /// What a reader needs to read the result right (why an empty answer differs from
    /// exposure, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The lowest and highest address of a set, as integers of their family (an empty set spans
/// nothing): two sets that share an address have overlapping spans, whatever their families.
fn span(set: &PrefixSet) -> (u128, u128) {
    set.prefixes().iter().fold((u128::MAX, 0), |(lo, hi), p| {
        (lo.min(p.start_int()), hi.max(p.end_int()))
    })
}

/// Paths merged as [`Reach`] shows them (one per place delivered, devices crossed, unknowns
/// and breakage; their packets and names united), empty ones dropped, in that order; and the
/// total: the packets of the merged paths that need no name, nothing unknown and are not
/// broken.
pub fn merge(mut paths: Vec<PathResult>) -> (Vec<PathResult>, PacketSet) {
    paths.sort_by(|a, b| {
        (&a.delivered_at, &a.via, &a.unknown, &a.broken).cmp(&(
            &b.delivered_at,
            &b.via,
            &b.unknown,
            &b.broken,
        ))
    });
    let mut merged: Vec<PathResult> = Vec::new();
    for p in paths {
        match merged.last_mut() {
            Some(m)
                if m.delivered_at == p.delivered_at
                    && m.via == p.via
                    && m.unknown == p.unknown
                    && m.broken == p.broken =>
            {
                m.packets = m.packets.union(&p.packets);
                m.by_name.extend(p.by_name);
            }
            _ => merged.push(p),
        }
    }
    let mut total = PacketSet::empty();
    for m in &mut merged {
        m.by_name.sort();
        m.by_name.dedup();
        if m.by_name.is_empty() && m.unknown.is_empty() && m.broken.is_none() {
            total = total.union(&m.packets);
        }
    }
    merged.retain(|m| !m.packets.is_empty());
    (merged, total)
}

/// An endpoint in words: its name and address, labelled when the address is a stand-in for
/// one Azure assigns at deployment (public IPs, from 198.18.0.0/15) or a prediction (a private
/// address the engine places by Azure's rules).
fn endpoint_text(e: &crate::endpoints::Endpoint) -> String {
    let synthetic: Prefix = "198.18.0.0/15".parse().expect("constant");
    match (e.predicted, synthetic.contains_addr(e.ip)) {
        (true, true) => format!("{} (stand-in {}, assigned at deployment)", e.name, e.ip),
        (true, false) => format!("{} ({}, predicted)", e.name, e.ip),
        _ => format!("{} ({})", e.name, e.ip),
    }
}

impl DataPlane<'_> {
    /// The addresses a place stands for in packet sets.
    pub fn place_set(&self, p: &Place) -> PrefixSet {
        match p {
            Place::Internet => self.internet_hosts(),
            Place::OnPrem => self.topology.on_premises.clone(),
            Place::Subnet(s) => [self.topology.subnets[*s].prefix].into_iter().collect(),
            Place::Address(ip) | Place::InSubnet { ip, .. } => {
                [Prefix::from(*ip)].into_iter().collect()
            }
            Place::Endpoint(i) => [Prefix::from(self.endpoints[*i].ip)].into_iter().collect(),
        }
    }

    /// The Internet as a destination: the `Internet` tag minus the estate's own public addresses.
    pub fn internet_hosts(&self) -> PrefixSet {
        let own: PrefixSet = self
            .endpoints
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EndpointKind::AppGatewayPublic
                        | EndpointKind::FirewallPublic
                        | EndpointKind::ApiServerPublic
                )
            })
            .map(|e| Prefix::from(e.ip))
            .collect();
        internet().difference(&own)
    }

    /// A short name for an address set: `Internet`, `onprem`, a subnet, a VNet, an endpoint, or
    /// `Internet except ...`; CIDRs otherwise.
    pub fn describe(&self, set: &PrefixSet) -> String {
        let t = &self.topology;
        if *set == PrefixSet::everything() {
            return "*".into();
        }
        let inet = internet();
        if set == inet {
            return "Internet".into();
        }
        if !t.on_premises.is_empty() && *set == t.on_premises {
            return "onprem".into();
        }
        let prefixes = set.prefixes();
        if let [one] = prefixes.as_slice() {
            if let Some(s) = t.subnet_with_prefix(one) {
                return t.subnets[s].label(t);
            }
        }
        for v in &t.vnets {
            if *set == v.space {
                return v.name.clone();
            }
        }
        if let [one] = set.prefixes().as_slice() {
            if let Some(e) = self.endpoints.at(one.network()).filter(|_| one.size() == 1) {
                return endpoint_text(e);
            }
        }
        if set.is_superset(&PrefixSet::new()) && inet.is_superset(set) {
            // Missing only the estate's own public addresses (some predicted): name them.
            let gap = inet.difference(set);
            let own: Vec<&crate::endpoints::Endpoint> = self
                .endpoints
                .iter()
                .filter(|e| gap.contains_addr(e.ip))
                .collect();
            let covered: PrefixSet = own.iter().map(|e| Prefix::from(e.ip)).collect();
            if !own.is_empty() && own.len() <= 12 && covered == gap {
                let mut names: Vec<String> = own.iter().map(|e| e.name.clone()).collect();
                names.dedup();
                return format!("Internet except the estate's own {}", names.join(", "));
            }
            let missing = gap.prefixes();
            if missing.len() <= 6 {
                return format!(
                    "Internet except {}",
                    missing
                        .iter()
                        .map(|p| self.describe(&[*p].into_iter().collect()))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        // A handful of the estate's own addresses: by name.
        let own: Vec<&crate::endpoints::Endpoint> = self
            .endpoints
            .iter()
            .filter(|e| set.contains_addr(e.ip))
            .take(13)
            .collect();
        if (2..=12).contains(&own.len())
            && own
                .iter()
                .map(|e| Prefix::from(e.ip))
                .collect::<PrefixSet>()
                == *set
        {
            return own
                .iter()
                .map(|e| endpoint_text(e))
                .collect::<Vec<_>>()
                .join(", ");
        }
        set.to_string()
    }

    /// A packet set in words, one line per part.
    pub fn render(&self, p: &PacketSet) -> Vec<String> {
        p.parts()
            .iter()
            .map(|(s, d, svc)| format!("{svc} from {} to {}", self.describe(s), self.describe(d)))
            .collect()
    }

    fn start(&self, p: &Place) -> Location {
        match p {
            Place::Internet => Location::Internet,
            Place::OnPrem => Location::OnPrem,
            Place::Subnet(s) | Place::InSubnet { subnet: s, .. } => Location::Subnet(*s),
            Place::Address(ip) => self.locate(*ip),
            Place::Endpoint(i) => self.endpoints[*i]
                .subnet
                .map(Location::Subnet)
                .unwrap_or_else(|| self.locate(self.endpoints[*i].ip)),
        }
    }

    /// Every packet from `from` that reaches `to`, by path.
    pub fn reach(&self, from: &Place, to: &Place) -> Reach {
        let (fl, tl) = (self.set_label(from), self.set_label(to));
        let mut elsewhere: Vec<String> = Vec::new();
        let r = self.reach_walk(from, to, Some(&mut elsewhere));
        let pins = (self.start_subnet(from), self.home_subnet(to));
        let mut out = self.finish(fl, tl, r, pins);
        elsewhere.sort();
        elsewhere.dedup();
        out.notes.extend(elsewhere);
        if out.paths.is_empty() {
            out.notes.extend(self.delivered_elsewhere(from, to));
        }
        out
    }

    /// The paths of [`DataPlane::reach`] as the walk finds them: not merged, without their
    /// packets in words, witness traces or notes, for callers that only read packet sets (the
    /// report's flow matrix), where those are most of the cost.
    pub fn reach_paths(&self, from: &Place, to: &Place) -> Vec<PathResult> {
        self.reach_walk(from, to, None)
    }

    /// The walk of [`DataPlane::reach`]: the paths from `from` addressed to `to`, less
    /// Internet-to-Internet and less what lands outside the destination's own subnet
    /// (overlapping VNets), whose reasons go to `elsewhere` when asked for.
    fn reach_walk(
        &self,
        from: &Place,
        to: &Place,
        elsewhere: Option<&mut Vec<String>>,
    ) -> Vec<PathResult> {
        let mut r = self.reach_sets(&self.place_set(from), &self.place_set(to), self.start(from));
        self.keep_reaching(from, to, &mut r, elsewhere);
        r
    }

    /// [`DataPlane::reach_paths`] from one place to each of several, with one walk: the walk to
    /// all their addresses at once, cut per destination. Packets take the same path whatever
    /// else is in the set (the walk is per packet, as the differential tests hold it against
    /// `trace`), so each cut delivers the same packets where the walk to that destination alone
    /// does, with the same names and breakage, and unknowns where it has them
    /// (`aksnet-emit/tests/matrix.rs` holds them equal on every example). The words may differ:
    /// a route hop names every route of the row that leads the same way, and a branch's
    /// unknown reasons are kept for all its packets, so a cut may carry another destination's
    /// reason beside its own. When the row's walk runs out of its step budget, each
    /// destination is walked alone.
    pub fn reach_paths_each(&self, from: &Place, tos: &[&Place]) -> Vec<Vec<PathResult>> {
        let sets: Vec<PrefixSet> = tos.iter().map(|t| self.place_set(t)).collect();
        let all = sets.iter().fold(PrefixSet::new(), |acc, s| acc.union(s));
        let (walked, ran_out) =
            self.reach_sets_within(&self.place_set(from), &all, self.start(from));
        if ran_out {
            // The row's walk shares one step budget; a cell's own walk has a whole one.
            return tos.iter().map(|to| self.reach_paths(from, to)).collect();
        }
        // Each path's destinations, and their span for a cheap first test.
        let spans: Vec<(PrefixSet, u128, u128)> = walked
            .iter()
            .map(|p| {
                let d = p.packets.destinations();
                let (lo, hi) = span(&d);
                (d, lo, hi)
            })
            .collect();
        tos.iter()
            .zip(&sets)
            .map(|(to, set)| {
                let (lo, hi) = span(set);
                let only = PacketSet::from_parts(&PrefixSet::everything(), set, Services::any());
                let mut r: Vec<PathResult> = walked
                    .iter()
                    .zip(&spans)
                    .filter(|(_, (d, a, b))| *a <= hi && lo <= *b && d.intersects(set))
                    .map(|(p, _)| PathResult {
                        packets: p.packets.intersection(&only),
                        ..p.clone()
                    })
                    .collect();
                self.keep_reaching(from, to, &mut r, None);
                r
            })
            .collect()
    }

    /// Of the paths walked from `from` with packets addressed to `to`, those that reach it:
    /// less Internet-to-Internet and less what lands outside the destination's own subnet
    /// (overlapping VNets), whose reasons go to `elsewhere` when asked for.
    fn keep_reaching(
        &self,
        from: &Place,
        to: &Place,
        r: &mut Vec<PathResult>,
        mut elsewhere: Option<&mut Vec<String>>,
    ) {
        // Internet-to-Internet is outside the estate (a proxy in the estate that forwards to an
        // Internet backend is not).
        r.retain(|p| !(matches!(from, Place::Internet) && Self::never_entered(p, "internet")));
        // Packets delivered outside the destination's own subnet (overlapping VNets) do not
        // reach it: cut, as a trace denies them.
        r.retain(|p| {
            let addressed = || self.describe(&p.packets.destinations());
            match p.landed.and_then(|at| self.misdelivered(to, addressed, at)) {
                Some(why) => {
                    if let Some(e) = elsewhere.as_deref_mut() {
                        e.push(why);
                    }
                    false
                }
                None => true,
            }
        });
    }

    /// When nothing addressed to subnet `to` gets through, packets addressed elsewhere may still
    /// be delivered into it (through a load balancer, a proxy or DNAT), which exposure shows:
    /// says so, so the two answers do not seem to disagree.
    fn delivered_elsewhere(&self, from: &Place, to: &Place) -> Option<String> {
        let Place::Subnet(s) = to else { return None };
        let label = self.topology.subnets[*s].label(&self.topology);
        let paths: Vec<PathResult> = self
            .reach_sets(
                &self.place_set(from),
                &PrefixSet::everything(),
                self.start(from),
            )
            .into_iter()
            .filter(|p| p.delivered_at == label && p.broken.is_none())
            .collect();
        let first = paths.first()?;
        let addressed = paths
            .iter()
            .fold(PacketSet::empty(), |acc, p| acc.union(&p.packets))
            .destinations();
        Some(format!(
            "nothing addressed to {label} gets through, but packets addressed to {} are delivered into it (via {}); `aksnet exposure --from {}` lists them",
            self.describe(&addressed),
            first.via.iter().filter(|v| !v.starts_with('→')).cloned().collect::<Vec<_>>().join("; "),
            match from {
                Place::Internet => "internet".to_string(),
                Place::OnPrem => "onprem".to_string(),
                _ => "PLACE".to_string(),
            }
        ))
    }

    /// Everything reachable from `from`, by where it is delivered.
    pub fn exposure(&self, from: &Place) -> Reach {
        self.exposure_to(from, &PrefixSet::everything())
    }

    /// What [`DataPlane::exposure`] gives for the packets addressed to `destinations` only
    /// (delivered wherever they land).
    pub fn exposure_to(&self, from: &Place, destinations: &PrefixSet) -> Reach {
        let r = self.exposure_paths(from, destinations);
        let shown = self.set_label(from);
        let pins = (self.start_subnet(from), None);
        self.finish(shown, "anywhere".to_string(), r, pins)
    }

    /// The paths of [`DataPlane::exposure_to`] as the walk finds them: not merged, without
    /// their packets in words and without witness traces, for callers that only compare
    /// packet sets (`aksnet diff`), where those are most of the cost.
    pub fn exposure_paths(&self, from: &Place, destinations: &PrefixSet) -> Vec<PathResult> {
        let mut r = self.reach_sets(&self.place_set(from), destinations, self.start(from));
        r.retain(self.exposed_from(from));
        r
    }

    /// Which paths walked from `from` exposure shows: not those delivered where the place
    /// itself is, nor Internet-to-Internet or on-premises-to-on-premises.
    fn exposed_from<'a>(&self, from: &'a Place) -> impl Fn(&PathResult) -> bool + 'a {
        let own = match from {
            Place::Subnet(s) => self.topology.subnets[*s].label(&self.topology),
            Place::Endpoint(i) => self.endpoints[*i].name.clone(),
            _ => self.host(from).label,
        };
        move |p: &PathResult| {
            p.delivered_at != own
                && !(matches!(from, Place::Internet) && Self::never_entered(p, "internet"))
                && !(matches!(from, Place::OnPrem) && Self::never_entered(p, "onprem"))
        }
    }

    /// The subnet a place's packets start from, if they start in one.
    fn start_subnet(&self, p: &Place) -> Option<SubnetIx> {
        match self.start(p) {
            Location::Subnet(s) => Some(s),
            Location::Internet | Location::OnPrem => None,
        }
    }

    /// A path delivered where it started, without crossing anything of the estate.
    fn never_entered(p: &PathResult, home: &str) -> bool {
        p.delivered_at == home && p.via.len() <= 1
    }

    /// Merges paths and traces a witness for each; `pins` are the subnets of the source and
    /// the destination, which the witness's addresses are pinned to where overlapping VNets
    /// make an address alone ambiguous ([`DataPlane::pinned_address`]).
    fn finish(
        &self,
        from: String,
        to: String,
        paths: Vec<PathResult>,
        pins: (Option<SubnetIx>, Option<SubnetIx>),
    ) -> Reach {
        let (mut merged, total) = merge(paths);
        for m in &mut merged {
            m.described = self.render(&m.packets);
            let fqdn = m.by_name.first().map(|n| match n.strip_prefix("tag:") {
                Some(_) => "mcr.microsoft.com".to_string(),
                None => n.replace("*.", "www."),
            });
            m.witness = self.sample(&m.packets).map(|(s, d, protocol, port)| {
                self.trace(&Query {
                    from: self.pinned_address(s, pins.0),
                    to: self.pinned_address(d, pins.1),
                    protocol,
                    port,
                    fqdn: fqdn.clone(),
                })
            });
        }
        let total_described = self.render(&total);
        Reach {
            from,
            to,
            total,
            total_described,
            paths: merged,
            notes: Vec::new(),
        }
    }

    /// A packet of the set to trace as its witness: from the representative Internet or
    /// on-premises host when the set holds one (rather than the lowest address, `1.0.0.0`).
    fn sample(&self, packets: &PacketSet) -> Option<(IpAddr, IpAddr, Protocol, u16)> {
        let (s, d, p, port) = packets.sample()?;
        let onprem = self.host(&Place::OnPrem).ip;
        let src = [crate::places::INTERNET_HOST, onprem]
            .into_iter()
            .find(|h| packets.contains(*h, d, p, port))
            .unwrap_or(s);
        Some((src, d, p, port))
    }

    fn reach_sets(&self, src: &PrefixSet, dst: &PrefixSet, start: Location) -> Vec<PathResult> {
        self.reach_sets_within(src, dst, start).0
    }

    /// [`DataPlane::reach_sets`], and whether the walk ran out of its step budget
    /// (`MAX_BRANCHES`) and left branches unexplored.
    fn reach_sets_within(
        &self,
        src: &PrefixSet,
        dst: &PrefixSet,
        start: Location,
    ) -> (Vec<PathResult>, bool) {
        self.walk(
            Agenda::Stack(vec![Branch::seed(src, dst, start)]),
            MAX_BRANCHES,
        )
    }

    /// Walks every branch of `todo` to its end, in the agenda's order, within `budget` steps
    /// (a branch's passage through an appliance is part of the step that routed it there);
    /// and whether the budget ran out and left branches unexplored.
    fn walk(&self, mut todo: Agenda, budget: usize) -> (Vec<PathResult>, bool) {
        let mut out = Vec::new();
        let mut steps = 0;
        let mut ran_out = false;
        let mut next = Vec::new();
        while let Some(b) = todo.pop() {
            if b.appliance.is_none() {
                steps += 1;
            }
            if b.orig.is_empty() || b.depth > MAX_DEPTH {
                continue;
            }
            if steps > budget {
                ran_out = true;
                continue;
            }
            self.step(b, &mut next, &mut out);
            todo.extend(next.drain(..));
        }
        (out, ran_out)
    }

    /// A set of current packets in original coordinates.
    fn pull<'f>(b: &Branch, f: &'f PacketSet) -> std::borrow::Cow<'f, PacketSet> {
        use std::borrow::Cow;
        let mut g = Cow::Borrowed(f);
        if let Some(a) = b.src_fixed {
            g = Cow::Owned(g.slice_src(a));
        }
        if let Some(d) = b.dst_fixed {
            g = Cow::Owned(g.slice_dst(d));
        }
        if let Some(p) = b.port_fixed {
            g = Cow::Owned(g.slice_port(p));
        }
        g
    }

    /// Pulls a filter back to original coordinates and applies it.
    fn apply(b: &mut Branch, f: &PacketSet) {
        b.orig = b.orig.intersection(&Self::pull(b, f));
    }

    /// Marks the branch's packets in `f` (current coordinates) as depending on something the
    /// estate does not hold; all of them when `f` is `None`.
    fn unsure(b: &mut Branch, f: Option<&PacketSet>, why: String) {
        let part = match f {
            Some(f) => b.orig.intersection(&Self::pull(b, f)),
            None => b.orig.clone(),
        };
        if part.is_empty() {
            return;
        }
        b.unsure = b.unsure.union(&part);
        if !b.unknown.contains(&why) {
            b.unknown.push(why);
        }
    }

    /// Keeps the packets a firewall's network rules allow ([`crate::firewall::Policy::decide`]
    /// for a set): those allowed under one reading of a missing IP group only are kept and
    /// marked unknown, as a trace follows them.
    fn firewall_network(b: &mut Branch, fw: &str, policy: &crate::firewall::Policy) {
        let allowed = &policy.network_sets().0;
        let uncertain = policy.network_uncertain();
        if uncertain.is_empty() {
            Self::apply(b, allowed);
            return;
        }
        Self::apply(b, &allowed.union(uncertain));
        let why = policy
            .network_missing_why()
            .unwrap_or_else(|| "an IP group is not in the estate".to_string());
        Self::unsure(b, Some(uncertain), format!("{fw}: {why}"));
    }

    /// Keeps the packets on these services.
    fn filter_services(b: &mut Branch, services: &Services) {
        Self::apply(
            b,
            &PacketSet::from_parts(
                &PrefixSet::everything(),
                &PrefixSet::everything(),
                services.clone(),
            ),
        );
    }

    /// Keeps the packets the endpoint answers on ([`crate::endpoints::Endpoint::listens`]).
    fn listening(b: &mut Branch, e: &crate::endpoints::Endpoint) {
        if let Some(svc) = e.listens() {
            Self::filter_services(b, &svc);
        }
    }

    /// The NSGs packets meet at subnet `s` in `dir`: the subnet's, and those of the NICs holding
    /// the packets' addresses there (destination inbound, source outbound).
    fn nsg_filter(&self, b: &mut Branch, s: SubnetIx, dir: Direction) {
        self.nsg_filter_at(b, s, dir, None);
    }

    /// Subnet `s`'s NSG and the NIC-level NSGs ([`nsg::order`], [NSGHOW] §3.3): a packet passes
    /// only if each allows it. With `nic`, the NSG of the NIC holding that address (an NVA's)
    /// applies to every packet instead of each NIC's to its own addresses.
    fn nsg_filter_at(&self, b: &mut Branch, s: SubnetIx, dir: Direction, nic: Option<IpAddr>) {
        let sub = &self.topology.subnets[s];
        if sub.nsg_exempt() {
            return;
        }
        for level in nsg::order(dir) {
            match level {
                nsg::Level::Subnet => self.subnet_nsg_filter(b, s, dir),
                nsg::Level::Nic => self.nic_nsg_filter(b, s, dir, nic),
            }
        }
    }

    fn nic_nsg_filter(&self, b: &mut Branch, s: SubnetIx, dir: Direction, nic: Option<IpAddr>) {
        let label = self.topology.subnets[s].label(&self.topology);
        let groups: Vec<&nsg::NicNsg> = match nic {
            Some(ip) => self.nic_nsg(s, ip).into_iter().collect(),
            None => self.nic_nsgs[s].iter().collect(),
        };
        for g in groups {
            let nics = g.nics.join(", ");
            let (pass, unsure, scope) = match nic {
                Some(_) => {
                    let (ok, unsure) = g.own(dir);
                    (ok.union(&unsure), unsure, PacketSet::all())
                }
                None => {
                    let (pass, unsure) = g.filter(dir);
                    (pass.clone(), unsure.clone(), g.scope(dir))
                }
            };
            if g.absent {
                Self::unsure(
                    b,
                    Some(&scope),
                    format!("NIC {nics}'s NSG `{}` is not in the estate", g.nsg.name()),
                );
            }
            if !unsure.is_empty() {
                let rules = g.rules.iter().filter(|r| r.direction == dir);
                Self::unsure(b, Some(&unsure), nsg::unknown_reason(g.nsg.name(), rules));
            }
            let seen = !b.orig.intersection(&Self::pull(b, &scope)).is_empty();
            Self::apply(b, &pass);
            if seen {
                b.via.push(format!(
                    "{} {} (NIC {nics} in {label})",
                    g.nsg.name(),
                    if dir == Direction::Inbound {
                        "in"
                    } else {
                        "out"
                    }
                ));
            }
        }
    }

    fn subnet_nsg_filter(&self, b: &mut Branch, s: SubnetIx, dir: Direction) {
        let sub = &self.topology.subnets[s];
        if let Some(id) = self.absent_nsg(s) {
            Self::unsure(
                b,
                None,
                format!(
                    "{}'s NSG `{}` is not in the estate",
                    sub.label(&self.topology),
                    id.name()
                ),
            );
        }
        if let Some(rules) = &self.nsgs[s] {
            let uncertain = self.nsg_uncertain(s, dir);
            if uncertain.is_empty() {
                Self::apply(b, self.nsg_allowed(s, dir));
            } else {
                Self::apply(b, &self.nsg_allowed(s, dir).union(uncertain));
                Self::unsure(
                    b,
                    Some(uncertain),
                    nsg::unknown_reason(
                        sub.nsg.as_ref().map(|n| n.name()).unwrap_or(""),
                        rules.iter().filter(|r| r.direction == dir),
                    ),
                );
            }
            b.via.push(format!(
                "{} {}",
                sub.nsg.as_ref().map(|n| n.name()).unwrap_or(""),
                if dir == Direction::Inbound {
                    "in"
                } else {
                    "out"
                }
            ));
        }
    }

    /// Delivers the branch at `at` (shown as `label`): the connections whose reply cannot come
    /// back past the request's stateful firewalls are dropped for TCP, as a trace denies them
    /// ([`DataPlane::replies`]). `at` is `None` where the outcome is unknown anyway.
    fn deliver(
        &self,
        mut b: Branch,
        label: String,
        at: Option<Location>,
        out: &mut Vec<PathResult>,
    ) {
        let at_label = format!("→ {label}");
        if let Some(at) = at {
            let tcp = Services::new(Protocol::Tcp.into(), &PortSet::any());
            for r in self.replies(&b.req, at, b.src_fixed, &b.orig.sources(), false) {
                if let Some(why) = r.unknown {
                    // A TCP connection whose way back is unknown is unknown, as in a trace.
                    let part = b.orig.intersection(&PacketSet::from_parts(
                        &r.clients,
                        &PrefixSet::everything(),
                        tcp.clone(),
                    ));
                    if !part.is_empty() {
                        b.unsure = b.unsure.union(&part);
                        if !b.unknown.contains(&why) {
                            b.unknown.push(why);
                        }
                    }
                    continue;
                }
                if !r.breaks {
                    continue;
                }
                let broken = b.orig.intersection(&PacketSet::from_parts(
                    &r.clients,
                    &PrefixSet::everything(),
                    tcp.clone(),
                ));
                if broken.is_empty() {
                    continue;
                }
                b.orig = b.orig.difference(&broken);
                let mut via = b.via.clone();
                via.push(at_label.clone());
                out.push(PathResult {
                    delivered_at: label.clone(),
                    via,
                    packets: broken,
                    described: Vec::new(),
                    by_name: b.by_name.clone(),
                    translated_port: b.port_fixed,
                    unknown: Vec::new(),
                    broken: r.ret.warning.clone(),
                    witness: None,
                    landed: b.dst_fixed.is_none().then_some(at),
                });
            }
        }
        let landed = at.filter(|_| b.dst_fixed.is_none());
        let at = label;
        b.via.push(at_label);
        let unsure = b.orig.intersection(&b.unsure);
        let sure = b.orig.difference(&b.unsure);
        for (packets, unknown) in [(sure, Vec::new()), (unsure, b.unknown)] {
            if packets.is_empty() {
                continue;
            }
            out.push(PathResult {
                delivered_at: at.clone(),
                via: b.via.clone(),
                packets,
                described: Vec::new(),
                by_name: b.by_name.clone(),
                translated_port: b.port_fixed,
                unknown,
                broken: None,
                witness: None,
                landed,
            });
        }
    }

    /// The destinations the branch is heading to, in current coordinates.
    fn current_dsts(b: &Branch) -> PrefixSet {
        match b.dst_fixed {
            Some(d) => [Prefix::from(d)].into_iter().collect(),
            None => b.orig.destinations(),
        }
    }

    /// Restricts a branch to current destinations in `region`: a destination fixed by a
    /// translation is in it or not, for all the branch's packets.
    fn narrow(b: &Branch, region: &PrefixSet) -> Branch {
        let mut n = b.clone();
        match b.dst_fixed {
            None => {
                n.orig = b.orig.intersection(&PacketSet::from_parts(
                    &PrefixSet::everything(),
                    region,
                    Services::any(),
                ))
            }
            Some(d) if !region.contains_addr(d) => n.orig = PacketSet::empty(),
            Some(_) => {}
        }
        n
    }

    fn step(&self, mut b: Branch, todo: &mut Vec<Branch>, out: &mut Vec<PathResult>) {
        let t = &self.topology;
        if let Some((ip, a)) = b.appliance.take() {
            // The rest of the step that routed the branch here.
            self.appliance(b, ip, a, todo, out);
            return;
        }
        b.depth += 1;
        match b.loc {
            Location::Internet => self.at_internet(b, todo, out),
            Location::OnPrem => {
                let dsts = Self::current_dsts(&b);
                let home = dsts.intersection(&t.on_premises);
                if !home.is_empty() {
                    self.deliver(
                        Self::narrow(&b, &home),
                        "onprem".into(),
                        Some(Location::OnPrem),
                        out,
                    );
                }
                let rest = dsts.difference(&t.on_premises);
                let gs = t.gateway_entry().map(|(_, s)| s);
                if let (false, Some(gs)) = (rest.is_empty(), gs) {
                    let mut n = Self::narrow(&b, &rest);
                    n.loc = Location::Subnet(gs);
                    n.origin = false;
                    n.via.push("gateway".into());
                    todo.push(n);
                }
            }
            Location::Subnet(s) => {
                if b.origin {
                    self.nsg_filter(&mut b, s, Direction::Outbound);
                    b.origin = false;
                }
                self.route(b, s, todo, out);
            }
        }
    }

    /// Splits the branch by the route each destination takes in subnet `s` (LPM, BGP never over
    /// VNet/peering prefixes) and follows each next hop.
    fn route(&self, b: Branch, s: SubnetIx, todo: &mut Vec<Branch>, out: &mut Vec<PathResult>) {
        let t = &self.topology;
        let mut b = b;
        if let Some(id) = self.absent_route_table(s) {
            Self::unsure(
                &mut b,
                None,
                format!(
                    "{}'s route table `{}` is not in the estate",
                    t.subnets[s].label(t),
                    id.name()
                ),
            );
        }
        if let Some(why) = self.route_tag_unknown(s) {
            // Per packet, as in a trace: only destinations a service tag may hold.
            static PUBLIC: std::sync::LazyLock<PacketSet> = std::sync::LazyLock::new(|| {
                PacketSet::from_parts(
                    &PrefixSet::everything(),
                    &PrefixSet::everything().difference(private_space()),
                    Services::any(),
                )
            });
            Self::unsure(&mut b, Some(&PUBLIC), why.to_string());
        }
        let vnet = t.subnets[s].vnet;
        let reachable: Vec<VnetIx> = std::iter::once(vnet)
            .chain(t.connected_peers(vnet).map(|p| p.remote))
            .collect();
        // Routes to the same appliance are followed as one branch: a GatewaySubnet with a route
        // per spoke would otherwise send the firewall one branch per spoke.
        let mut appliances: Vec<(IpAddr, PrefixSet, Vec<String>)> = Vec::new();
        for RoutePart {
            route: i,
            dsts: region,
        } in self.route_split(s, &Self::current_dsts(&b))
        {
            let r = &self.routes[s][i];
            if let NextHop::VirtualAppliance(Maybe::Known(ip)) = &r.next_hop {
                match appliances.iter_mut().find(|(a, _, _)| a == ip) {
                    Some((_, set, prefixes)) => {
                        *set = set.union(&region);
                        prefixes.push(r.address_prefix.to_string());
                    }
                    None => appliances.push((*ip, region, vec![r.address_prefix.to_string()])),
                }
                continue;
            }
            let mut n = Self::narrow(&b, &region);
            n.via.push(format!(
                "{} {} → {}",
                t.subnets[s].label(t),
                r.address_prefix,
                r.next_hop
            ));
            match &r.next_hop {
                NextHop::None => {}
                NextHop::VirtualAppliance(Maybe::Unknown(u)) => {
                    // As a trace: everything the route carries is unknown, delivered nowhere.
                    let mut n = n;
                    Self::unsure(&mut n, None, crate::routes::unknown_next_hop(r, u));
                    self.deliver(
                        n,
                        format!(
                            "the next hop of route {} (unknown before deployment)",
                            r.name
                        ),
                        None,
                        out,
                    );
                }
                NextHop::VnetLocal | NextHop::VNetPeering(_) | NextHop::InterfaceEndpoint(_) => {
                    self.enter_subnets(n, s, &region, &reachable, todo, out)
                }
                NextHop::VirtualAppliance(Maybe::Known(_)) => unreachable!("collected above"),
                NextHop::VirtualNetworkServiceEndpoint(service) => {
                    let mut n = n;
                    n.req.service_endpoint = true;
                    self.deliver(
                        n,
                        format!("service endpoint {service}"),
                        Some(Location::Internet),
                        out,
                    )
                }
                NextHop::VirtualNetworkGateway => {
                    // A user route: VPN gateway transit for what is not on-premises.
                    let transit = region.difference(&t.on_premises);
                    if let (false, crate::routes::Source::User, Ok(gs)) =
                        (transit.is_empty(), r.source, t.vpn_transit(vnet))
                    {
                        let mut m = Self::narrow(&n, &transit);
                        self.peering_filter(
                            &mut m,
                            vnet,
                            t.subnets[gs].vnet,
                            t.subnets[s].name == "GatewaySubnet",
                        );
                        m.via.push("gateway transit".into());
                        m.loc = Location::Subnet(gs);
                        m.origin = false;
                        todo.push(m);
                    }
                    let home = region.intersection(&t.on_premises);
                    if !home.is_empty() {
                        self.deliver(
                            Self::narrow(&n, &home),
                            "onprem".into(),
                            Some(Location::OnPrem),
                            out,
                        );
                    }
                }
                NextHop::Internet => {
                    let public = region.difference(private_space());
                    if public.is_empty() {
                        continue;
                    }
                    let Ok(egress) = crate::egress::egress(self, s) else {
                        continue;
                    };
                    let mut m = Self::narrow(&n, &public);
                    m.via.push(egress.how);
                    m.req.egress = Some(s);
                    match egress.source {
                        crate::egress::EgressSource::Address(ip) => {
                            m.req.before_egress = Some((ip, m.src_fixed));
                            m.src_fixed = Some(ip)
                        }
                        other => m.req.unassigned_source = Some(other),
                    }
                    m.loc = Location::Internet;
                    todo.push(m);
                }
            }
        }
        for (ip, region, prefixes) in appliances {
            let mut n = Self::narrow(&b, &region);
            let Some(a) = t.subnet_holding(ip, &reachable) else {
                if t.outside_every_vnet(ip) {
                    Self::unsure(&mut n, None, crate::trace::appliance_outside(ip));
                    self.deliver(n, format!("appliance {ip} (outside the estate)"), None, out);
                }
                continue;
            };
            let shown = if prefixes.len() > 3 {
                format!(
                    "{}, … ({} prefixes)",
                    prefixes[..3].join(", "),
                    prefixes.len()
                )
            } else {
                prefixes.join(", ")
            };
            n.via.push(format!(
                "{} {shown} → {}",
                t.subnets[s].label(t),
                NextHop::VirtualAppliance(ip.into())
            ));
            self.peering_filter(
                &mut n,
                vnet,
                t.subnets[a].vnet,
                t.subnets[s].name == "GatewaySubnet",
            );
            // Handed over as a branch of its own, where other sources' branches may join it.
            n.loc = Location::Subnet(a);
            n.origin = false;
            n.appliance = Some((ip, a));
            todo.push(n);
        }
    }

    /// `allowForwardedTraffic` on the receiving side for packets not from the sending VNet.
    fn peering_filter(&self, b: &mut Branch, a: VnetIx, d: VnetIx, from_gateway: bool) {
        let t = &self.topology;
        let hard_block = self.options.peering_access_hard_block;
        match t.crossing(a, d, from_gateway, hard_block) {
            Crossing::Same | Crossing::Open => {}
            Crossing::Blocked(_) => b.orig = PacketSet::empty(),
            Crossing::OnlyFromSender => match b.src_fixed {
                Some(ip) if !t.vnets[a].space.contains_addr(ip) => b.orig = PacketSet::empty(),
                Some(_) => {}
                None => {
                    b.orig = b.orig.intersection(&PacketSet::from_parts(
                        &t.vnets[a].space,
                        &PrefixSet::everything(),
                        Services::any(),
                    ))
                }
            },
        }
    }

    fn enter_subnets(
        &self,
        n: Branch,
        s: SubnetIx,
        region: &PrefixSet,
        reachable: &[VnetIx],
        todo: &mut Vec<Branch>,
        out: &mut Vec<PathResult>,
    ) {
        let t = &self.topology;
        for SubnetPart {
            subnet: d,
            addrs: part,
        } in t.split_by_subnet(region, reachable)
        {
            let mut m = Self::narrow(&n, &part);
            self.peering_filter(
                &mut m,
                t.subnets[s].vnet,
                t.subnets[d].vnet,
                t.subnets[s].name == "GatewaySubnet",
            );
            self.arrive(m, d, &part, todo, out);
        }
    }

    /// Delivery inside subnet `d` for destinations `part`: endpoints first, hosts for the rest.
    fn arrive(
        &self,
        b: Branch,
        d: SubnetIx,
        part: &PrefixSet,
        todo: &mut Vec<Branch>,
        out: &mut Vec<PathResult>,
    ) {
        let t = &self.topology;
        let mut rest = part.clone();
        for e in self.endpoints.arriving_within(t, part, d) {
            let one: PrefixSet = [Prefix::from(e.ip)].into_iter().collect();
            rest = rest.difference(&one);
            let mut m = Self::narrow(&b, &one);
            match &e.kind {
                EndpointKind::InternalLoadBalancer => {
                    let Some(backend) = t.backend_subnet(t.subnets[d].vnet) else {
                        continue;
                    };
                    let Some(ip) = t.instance_address(backend) else {
                        continue;
                    };
                    // Without rules in the estate the frontend answers on any port; with them,
                    // each rule takes its packets (first match) and may change the port.
                    let carved = crate::endpoints::LbRule::carve(&e.lb_rules);
                    let mut branches: Vec<(Branch, Option<u16>, String)> = Vec::new();
                    if e.lb_rules.is_empty() {
                        branches.push((m.clone(), None, String::new()));
                    }
                    for (r, svc) in carved {
                        let mut n = m.clone();
                        Self::filter_services(&mut n, &svc);
                        branches.push((n, r.backend_port, format!(" (rule {})", r.name)));
                    }
                    for (mut n, port, rule) in branches {
                        if n.orig.is_empty() {
                            continue;
                        }
                        n.dst_fixed = Some(ip);
                        if port.is_some() {
                            n.port_fixed = port;
                        }
                        n.via.push(format!(
                            "{}{rule} → backend {}",
                            e.name,
                            t.subnets[backend].label(t)
                        ));
                        self.nsg_filter(&mut n, backend, Direction::Inbound);
                        self.deliver(
                            n,
                            t.subnets[backend].label(t),
                            Some(Location::Subnet(backend)),
                            out,
                        );
                    }
                }
                EndpointKind::AppGatewayPrivate => self.app_gateway(m, e.resource.clone(), todo),
                EndpointKind::PrivateEndpoint(_) => {
                    if t.subnets[d].pe_nsg_applies() {
                        self.nsg_filter(&mut m, d, Direction::Inbound);
                    }
                    Self::listening(&mut m, e);
                    self.deliver(m, e.name.clone(), Some(Location::Subnet(d)), out);
                }
                _ => {
                    self.nsg_filter(&mut m, d, Direction::Inbound);
                    Self::listening(&mut m, e);
                    self.deliver(m, e.name.clone(), Some(Location::Subnet(d)), out);
                }
            }
        }
        if !rest.is_empty() {
            let mut m = Self::narrow(&b, &rest);
            self.nsg_filter(&mut m, d, Direction::Inbound);
            self.deliver(m, t.subnets[d].label(t), Some(Location::Subnet(d)), out);
        }
    }

    /// Application Gateway: subnet NSG and listener ports, then a new connection to the backend.
    fn app_gateway(&self, mut b: Branch, id: aksnet_model::ResourceId, todo: &mut Vec<Branch>) {
        let t = &self.topology;
        let Some(agw) = self.estate.application_gateways.get(&id) else {
            return;
        };
        let Some(s) = agw
            .properties
            .gateway_ip_configurations
            .first()
            .and_then(|c| t.subnet_by_id(&c.properties.subnet.id))
        else {
            return;
        };
        let Some(instance) = t.instance_address(s) else {
            return;
        };
        let saved = b.dst_fixed;
        b.dst_fixed = Some(instance);
        self.nsg_filter(&mut b, s, Direction::Inbound);
        b.dst_fixed = saved;
        let listeners = crate::endpoints::app_gateway_listeners(&agw.properties);
        Self::filter_services(&mut b, &listeners);
        let Some(backend) = agw.properties.first_backend_ip() else {
            return;
        };
        b.via.push(format!("{} listener {listeners}", agw.name));
        b.src_fixed = Some(instance);
        b.req.proxies.push(instance);
        b.dst_fixed = Some(backend);
        b.loc = Location::Subnet(s);
        b.origin = false;
        todo.push(b);
    }

    /// A firewall or NVA gets the branch.
    fn appliance(
        &self,
        mut b: Branch,
        ip: IpAddr,
        a: SubnetIx,
        todo: &mut Vec<Branch>,
        out: &mut Vec<PathResult>,
    ) {
        if b.req.stateful.contains(&ip) {
            return; // a loop: the packet comes back to an appliance it crossed
        }
        b.req.stateful.push(ip);
        // Routed to the firewall addressed to its own public IP: unknown, as in a trace.
        if let Some((fw_id, _)) = self.firewalls.get(&ip) {
            let dsts = Self::current_dsts(&b);
            let own: Vec<&crate::endpoints::Endpoint> = self
                .endpoints
                .iter()
                .filter(|e| {
                    e.kind == EndpointKind::FirewallPublic
                        && e.resource == *fw_id
                        && dsts.contains_addr(e.ip)
                })
                .collect();
            for e in own {
                let one: PrefixSet = [Prefix::from(e.ip)].into_iter().collect();
                let mut h = Self::narrow(&b, &one);
                Self::unsure(
                    &mut h,
                    None,
                    crate::trace::hairpin_unknown(fw_id.name(), e.ip),
                );
                self.deliver(h, format!("{} (own public IP)", fw_id.name()), None, out);
                let rest = Self::current_dsts(&b).difference(&one);
                b = Self::narrow(&b, &rest);
            }
        }
        let Some((fw_id, policy)) = self.firewalls.get(&ip) else {
            if let Some(why) = self.unplaced_firewall(a, ip) {
                // As a trace: unknown, delivered nowhere.
                Self::unsure(&mut b, None, why);
                self.deliver(
                    b,
                    format!("appliance {ip} (AzureFirewallSubnet)"),
                    None,
                    out,
                );
                return;
            }
            b.via.push(format!("appliance {ip} (NVA)"));
            Self::unsure(&mut b, None, crate::trace::nva_unknown(ip));
            self.nsg_filter_at(&mut b, a, Direction::Inbound, Some(ip));
            if self.topology.forwarding(a, ip).is_err() {
                // The NIC drops what is not addressed to it, as a trace says.
                return;
            }
            self.nsg_filter_at(&mut b, a, Direction::Outbound, Some(ip));
            b.loc = Location::Subnet(a);
            todo.push(b);
            return;
        };
        // Application rules pass HTTP(S) by name (Host/SNI), always with SNAT, for what the
        // network rules did not decide [FWRULE] §4.1.
        let arriving_from = match b.src_fixed {
            Some(a) => [Prefix::from(a)].into_iter().collect(),
            None => b.orig.sources(),
        };
        for rule in policy.passes_by_name() {
            if !rule.sources.intersects(&arriving_from) {
                continue;
            }
            let mut n = b.clone();
            Self::apply(&mut n, &rule.packets);
            if n.orig.is_empty() {
                continue;
            }
            if let Some(why) = &rule.unsure.1 {
                Self::unsure(
                    &mut n,
                    Some(&rule.unsure.0),
                    format!("{}: {why}", fw_id.name()),
                );
            }
            n.by_name = rule.names.clone();
            n.via.push(format!(
                "appliance {ip} {} ({} rule {}, by name), SNAT",
                fw_id.name(),
                rule.kind,
                rule.path
            ));
            n.src_fixed = Some(ip);
            n.req.proxies.push(ip);
            n.loc = Location::Subnet(a);
            n.origin = false;
            todo.push(n);
        }
        Self::firewall_network(&mut b, fw_id.name(), policy);
        let label = format!("appliance {ip} {} (network rules)", fw_id.name());
        let private = Self::narrow(
            &b,
            &Self::current_dsts(&b).intersection(&policy.snat_private),
        );
        let public_dsts = Self::current_dsts(&b).difference(&policy.snat_private);
        let public = Self::narrow(&b, &public_dsts);
        for (mut n, snat) in [(private, false), (public, true)] {
            n.via.push(if snat {
                format!("{label}, SNAT")
            } else {
                label.clone()
            });
            if snat {
                n.src_fixed = Some(ip);
                n.req.proxies.push(ip);
            }
            n.loc = Location::Subnet(a);
            n.origin = false;
            if !n.orig.is_empty() {
                todo.push(n);
            }
        }
    }

    /// A firewall's public IP: each DNAT rule passes its packets on to the translated address
    /// ([FWRULE] §4.1: DNAT first; the translated flow is allowed). A changed port is noted.
    fn dnat(
        &self,
        b: Branch,
        fw: aksnet_model::ResourceId,
        public: IpAddr,
        todo: &mut Vec<Branch>,
        out: &mut Vec<PathResult>,
    ) {
        let t = &self.topology;
        let Some((fw_ip, (_, policy))) = self.firewall_of(&fw) else {
            return;
        };
        let Some(a) = t.subnet_of(fw_ip) else { return };
        for d in policy.dnat_rules(public) {
            let mut m = b.clone();
            Self::apply(&mut m, &d.packets);
            if m.orig.is_empty() {
                continue;
            }
            let Some((to, port)) = d.to else {
                // Translated to what the estate cannot say (an FQDN): unknown, as in a trace.
                let why = d.untranslatable(fw.name());
                Self::unsure(&mut m, None, why.clone());
                self.deliver(m, why, None, out);
                continue;
            };
            if let Some(why) = &d.unsure.1 {
                // Taken only under one reading of a missing IP group, as in a trace.
                Self::unsure(&mut m, Some(&d.unsure.0), format!("{}: {why}", fw.name()));
            }
            let port_note = match d.ports {
                (Some(from), Some(to_port)) if from != to_port => {
                    format!(", port {from} → {to_port}")
                }
                _ => String::new(),
            };
            m.via.push(format!("DNAT {} → {to}{port_note}", d.path));
            m.dst_fixed = Some(to);
            if port.is_some() {
                m.port_fixed = port;
            }
            if self.options.dnat_then_network_rules {
                // CONFLICT §4.1, as in a trace: the translated flow also needs a network rule.
                Self::firewall_network(&mut m, fw.name(), policy);
            }
            m.req.stateful.push(fw_ip);
            if !self.options.dnat_keeps_source {
                // Azure Firewall SNATs DNAT'd connections to one of its private addresses
                // (learn.microsoft.com/azure/firewall/firewall-known-issues; as in a trace).
                m.src_fixed = Some(fw_ip);
                m.req.proxies.push(fw_ip);
            }
            m.loc = Location::Subnet(a);
            m.origin = false;
            todo.push(m);
        }
    }

    /// On the Internet: the estate's public endpoints, or an Internet destination.
    fn at_internet(&self, b: Branch, todo: &mut Vec<Branch>, out: &mut Vec<PathResult>) {
        let t = &self.topology;
        let dsts = Self::current_dsts(&b);
        let mut rest = dsts.difference(private_space());
        // An endpoint that is not a public frontend is not exposed to the Internet, whatever
        // its address.
        for e in self.endpoints.within(&rest) {
            let one: PrefixSet = [Prefix::from(e.ip)].into_iter().collect();
            rest = rest.difference(&one);
            let mut m = Self::narrow(&b, &one);
            m.via.push(format!("internet → {}", e.name));
            match e.kind {
                EndpointKind::AppGatewayPublic => self.app_gateway(m, e.resource.clone(), todo),
                EndpointKind::ApiServerPublic => {
                    let allowed = self
                        .api_authorized(&e.resource)
                        .unwrap_or_else(PrefixSet::everything);
                    let refused = PacketSet::from_parts(
                        &PrefixSet::everything().difference(&allowed),
                        &PrefixSet::everything(),
                        Services::any(),
                    );
                    // As in a trace: a source assigned at deployment makes the ranges' answer
                    // unknown rather than a refusal.
                    let admits = |why: String| {
                        format!(
                            "whether {}'s authorizedIPRanges admit it depends on {why}",
                            e.name
                        )
                    };
                    let own_lb = matches!(&m.req.unassigned_source,
                        Some(crate::egress::EgressSource::ClusterLoadBalancer(c)) if *c == e.resource);
                    if own_lb {
                        // AKS adds the cluster's own outbound load balancer IP [AKS-AUTHIP].
                    } else if let Some(why) = m
                        .req
                        .unassigned_source
                        .as_ref()
                        .and_then(|s| s.unknown_because())
                    {
                        Self::unsure(&mut m, Some(&refused), admits(why));
                    } else if let Some(why) = self.api_ranges_unknown(&e.resource) {
                        // Ranges known only at deployment: every refused source may be admitted.
                        Self::unsure(&mut m, Some(&refused), admits(why));
                    } else {
                        // Refused sources that stand in for addresses assigned at deployment
                        // are unknown, the others refused: per packet, as in a trace.
                        let stand_ins = PacketSet::from_parts(
                            &t.stand_ins(),
                            &PrefixSet::everything(),
                            Services::any(),
                        );
                        let unknown = refused.intersection(&stand_ins);
                        let shown = m
                            .src_fixed
                            .map_or_else(|| "the source".to_string(), |ip| ip.to_string());
                        Self::unsure(
                            &mut m,
                            Some(&unknown),
                            admits(format!(
                                "{shown} standing in for a public IP assigned at deployment"
                            )),
                        );
                        Self::apply(
                            &mut m,
                            &PacketSet::all().difference(&refused.difference(&unknown)),
                        );
                    }
                    Self::listening(&mut m, e);
                    self.deliver(m, e.name.clone(), Some(Location::Internet), out);
                }
                EndpointKind::FirewallPublic => self.dnat(m, e.resource.clone(), e.ip, todo, out),
                _ => {}
            }
        }
        if !rest.is_empty() {
            self.deliver(
                Self::narrow(&b, &rest),
                "internet".into(),
                Some(Location::Internet),
                out,
            );
        }
    }
}
