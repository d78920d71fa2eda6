//! Flows compared: from every source place of the report's flow matrix (the Internet,
//! on-premises, each cluster's node subnets, the hub's Bastion), matched across the two
//! estates by name, every packet each data plane delivers anywhere, grouped by where it lands
//! — the packets HEAD delivers there that BASE does not are `opened`, the reverse `closed` —
//! each with a witness: one packet of the difference traced in both estates, and the hop where
//! their decisions part (the rule, route or flag that changed). Flows the firewall admits only
//! by name (FQDNs, FQDN tags) are compared by name.

use std::collections::{BTreeMap, BTreeSet};

use aksnet_emit::views::{matrix_places, MatrixPlace};
use aksnet_engine::places::Place;
use aksnet_engine::trace::{Decision, Hop, HopKind, Query, Trace, Verdict};
use aksnet_engine::DataPlane;
use aksnet_net::PacketSet;
use serde::Serialize;

use crate::Side;

/// Packets one estate admits between two places and the other does not.
#[derive(Clone, Debug, Serialize)]
pub struct FlowChange {
    /// The source place.
    pub from: String,
    /// The destination place.
    pub to: String,
    /// The packets, in words.
    pub packets: Vec<String>,
    /// One packet of them traced in both estates.
    pub witness: Witness,
    /// The hop where the two traces part, in words.
    pub cause: String,
}

/// One packet traced in BASE and in HEAD.
#[derive(Clone, Debug, Serialize)]
pub struct Witness {
    /// The packet (`tcp/22 10.1.0.4 → 10.2.0.4`).
    pub packet: String,
    /// BASE's trace (absent when the place is not in BASE).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<Trace>,
    /// HEAD's trace (absent when the place is not in HEAD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<Trace>,
}

/// Names the firewall admits from one place to another in one estate and not the other
/// (whose packets the other estate does not admit by address either).
#[derive(Clone, Debug, Serialize)]
pub struct NameChange {
    /// The source place.
    pub from: String,
    /// The destination place.
    pub to: String,
    /// The FQDNs and `tag:` FQDN tags.
    pub names: Vec<String>,
    /// Admitted in HEAD and not in BASE (else the reverse).
    pub opened: bool,
}

/// A place in both, one or the other estate.
struct Matched<'p> {
    label: &'p str,
    source: bool,
    /// The Internet or on-premises.
    external: bool,
    /// The VNets (lower-case ids) the place is in, in either estate; none for the Internet,
    /// on-premises and the hub's shared places.
    vnets: Vec<String>,
    base: Option<&'p Place>,
    head: Option<&'p Place>,
}

impl Matched<'_> {
    /// Whether the place is in one of `vnets` (the Internet, on-premises and the hub's shared
    /// places are in none).
    fn inside(&self, vnets: &BTreeSet<String>) -> bool {
        self.vnets.iter().any(|v| vnets.contains(v))
    }
}

/// The places of both estates, matched by label, in HEAD's order then BASE's.
fn matched<'p>(
    (bd, b): (&DataPlane, &'p [MatrixPlace]),
    (hd, h): (&DataPlane, &'p [MatrixPlace]),
) -> Vec<Matched<'p>> {
    let index = |v: &'p [MatrixPlace]| -> BTreeMap<&'p str, &'p MatrixPlace> {
        let mut m = BTreeMap::new();
        for p in v {
            m.entry(p.label.as_str()).or_insert(p);
        }
        m
    };
    let (bi, hi) = (index(b), index(h));
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut out: Vec<Matched> = Vec::new();
    for p in h.iter().chain(b) {
        if !seen.insert(p.label.as_str()) {
            continue;
        }
        let (bp, hp) = (
            bi.get(p.label.as_str()).copied(),
            hi.get(p.label.as_str()).copied(),
        );
        let vnet = |dp: &DataPlane, m: Option<&MatrixPlace>| {
            m.and_then(|x| x.vnet)
                .map(|v| dp.topology.vnets[v].id.as_str().to_ascii_lowercase())
        };
        out.push(Matched {
            external: matches!(
                hp.or(bp).map(|x| &x.place),
                Some(Place::Internet | Place::OnPrem)
            ),
            vnets: vnet(bd, bp).into_iter().chain(vnet(hd, hp)).collect(),
            label: &p.label,
            source: bp.is_some_and(|x| x.source) || hp.is_some_and(|x| x.source),
            base: bp.map(|x| &x.place),
            head: hp.map(|x| &x.place),
        });
    }
    out
}

/// What one estate admits from one place to another: packets by address, and the packets the
/// firewall admits for each name.
#[derive(PartialEq)]
struct Admitted {
    total: PacketSet,
    names: BTreeMap<String, PacketSet>,
}

impl Admitted {
    /// The names this admits whose packets `other` admits neither by address nor for the
    /// same name.
    fn names_beyond(&self, other: &Admitted) -> Vec<String> {
        self.names
            .iter()
            .filter(|(n, p)| {
                let theirs = other
                    .names
                    .get(*n)
                    .map_or(other.total.clone(), |q| other.total.union(q));
                !theirs.is_superset(p)
            })
            .map(|(n, _)| n.clone())
            .collect()
    }
}

impl Admitted {
    fn none() -> Self {
        Admitted {
            total: PacketSet::empty(),
            names: BTreeMap::new(),
        }
    }
}

/// What one estate admits from one source, by the place it is delivered at.
type Exposed = BTreeMap<String, Admitted>;

/// The packets of the paths arriving at one place, gathered to be united once
/// ([`Gathered::admitted`]).
#[derive(Default)]
struct Gathered {
    total: Vec<PacketSet>,
    names: BTreeMap<String, Vec<PacketSet>>,
}

impl Gathered {
    /// Takes in one path of a reach with a source's `packets` on it: they count by address
    /// when they pass whatever name they carry and nothing unknown or broken stands in the
    /// way, by name when only names pass them.
    fn add(&mut self, p: &aksnet_engine::reach::PathResult, packets: PacketSet) {
        if p.broken.is_some() || !p.unknown.is_empty() {
            return;
        }
        if p.by_name.is_empty() {
            self.total.push(packets);
            return;
        }
        for n in &p.by_name {
            self.names
                .entry(n.clone())
                .or_default()
                .push(packets.clone());
        }
    }

    fn admitted(self) -> Admitted {
        Admitted {
            total: PacketSet::union_all(self.total),
            names: self
                .names
                .into_iter()
                .map(|(n, sets)| (n, PacketSet::union_all(sets)))
                .collect(),
        }
    }
}

/// What one estate admits from each of `sources` (a place, absent from this estate, and the
/// destinations asked), by where it is delivered: exposures (a reach to every address asked)
/// cut by the place each path lands in, so that any destination address counts (a DNAT rule or
/// a public IP delivers packets addressed to a public address into a subnet) and one reach per
/// source serves every destination. The sources share one walk
/// ([`DataPlane::exposures`]): they meet at the hub's firewall.
fn exposed(dp: &DataPlane, sources: &[(Option<&Place>, &aksnet_net::PrefixSet)]) -> Vec<Exposed> {
    let present: Vec<(&Place, &aksnet_net::PrefixSet)> = sources
        .iter()
        .filter_map(|(p, d)| p.map(|p| (p, *d)))
        .collect();
    let walked = dp.exposures(&present);
    let mut mine = walked.by_source.into_iter();
    sources
        .iter()
        .map(|(p, _)| {
            let mut out: BTreeMap<&str, Gathered> = BTreeMap::new();
            if p.is_some() {
                for (i, packets) in mine.next().unwrap_or_default() {
                    let path = &walked.paths[i];
                    out.entry(&path.delivered_at)
                        .or_default()
                        .add(path, packets);
                }
            }
            out.into_iter()
                .map(|(at, g)| (at.to_string(), g.admitted()))
                .collect()
        })
        .collect()
}

/// The place to trace one packet from or to: the packet's own address in a subnet place, the
/// place itself otherwise.
fn at(dp: &DataPlane, p: &Place, ip: std::net::IpAddr) -> Place {
    match p {
        Place::Subnet(s) if dp.topology.subnets[*s].prefix.contains_addr(ip) => Place::InSubnet {
            ip,
            subnet: *s,
            nic: None,
        },
        other => other.clone(),
    }
}

/// A packet of `set` a reader recognises: from the engine's representative Internet host when
/// the set holds it, else the lowest source; to the lowest destination; each moved to the
/// first address Azure gives a host (`.4`) when that is in the set too; on a common service
/// (HTTPS, HTTP, SSH, DNS, NTP) when the set has it.
fn pick(
    set: &PacketSet,
) -> (
    std::net::IpAddr,
    std::net::IpAddr,
    aksnet_net::Protocol,
    u16,
) {
    use aksnet_net::Protocol;
    let (mut src, mut dst, mut protocol, mut port) = set.sample().expect("a non-empty set");
    let host = |ip: std::net::IpAddr| match ip {
        std::net::IpAddr::V4(v) if v.octets()[3] == 0 => {
            let o = v.octets();
            std::net::IpAddr::from([o[0], o[1], o[2], 4])
        }
        other => other,
    };
    if set.contains(aksnet_engine::places::INTERNET_HOST, dst, protocol, port) {
        // The engine's representative Internet host, as its own witnesses use.
        src = aksnet_engine::places::INTERNET_HOST;
    } else if set.contains(host(src), dst, protocol, port) {
        src = host(src);
    }
    if set.contains(src, host(dst), protocol, port) {
        dst = host(dst);
    }
    for (p, n) in [
        (Protocol::Tcp, 443),
        (Protocol::Tcp, 80),
        (Protocol::Tcp, 22),
        (Protocol::Udp, 53),
        (Protocol::Udp, 123),
    ] {
        if set.contains(src, dst, p, n) {
            (protocol, port) = (p, n);
            break;
        }
    }
    (src, dst, protocol, port)
}

/// Traces one packet of `set` in both estates.
fn witness(
    base: &Side,
    head: &Side,
    from: &Matched,
    to: &str,
    set: &PacketSet,
) -> (Witness, String) {
    let (src, dst, protocol, port) = pick(set);
    let trace = |dp: &DataPlane, f: Option<&Place>, t: Option<&Place>| -> Option<Trace> {
        let (f, t) = (f?, t?);
        Some(dp.trace(&Query {
            from: at(dp, f, src),
            to: at(dp, t, dst),
            protocol,
            port,
            fqdn: None,
        }))
    };
    // The packet's own destination address, wherever it lands.
    let d = Place::Address(dst);
    let b = trace(base.plane, from.base, Some(&d));
    let h = trace(head.plane, from.head, Some(&d));
    let cause = cause(b.as_ref(), h.as_ref(), from, to);
    (
        Witness {
            packet: format!("{protocol}/{port} {src} → {dst}"),
            base: b,
            head: h,
        },
        cause,
    )
}

/// Where two traces of one packet part: the first hop of the same kind at the same place that
/// decided differently, else the verdicts' reasons.
fn cause(b: Option<&Trace>, h: Option<&Trace>, from: &Matched, to: &str) -> String {
    let (b, h) = match (b, h) {
        (Some(b), Some(h)) => (b, h),
        (None, _) => {
            let new = if from.base.is_none() { from.label } else { to };
            return format!("{new} is not in BASE");
        }
        (_, None) => {
            let gone = if from.head.is_none() { from.label } else { to };
            return format!("{gone} is not in HEAD");
        }
    };
    let stops = |d: Decision| matches!(d, Decision::Deny | Decision::Drop | Decision::Unknown);
    let paired: Vec<(&Hop, &Hop)> = b
        .hops
        .iter()
        .filter_map(|bh| {
            h.hops
                .iter()
                .find(|x| x.kind == bh.kind && x.at == bh.at)
                .map(|hh| (bh, hh))
        })
        .collect();
    let both = |bh: &Hop, hh: &Hop| {
        format!(
            "{} at {}: BASE {} ({}); HEAD {} ({})",
            bh.kind, bh.at, bh.decision, bh.detail, hh.decision, hh.detail
        )
    };
    // Where one decided otherwise; then where a route sent them apart; then a stop the other
    // never met; then any hop decided by another rule.
    if let Some((bh, hh)) = paired.iter().find(|(bh, hh)| bh.decision != hh.decision) {
        return both(bh, hh);
    }
    if let Some((bh, hh)) = paired
        .iter()
        .find(|(bh, hh)| bh.kind == HopKind::Route && bh.detail != hh.detail)
    {
        return both(bh, hh);
    }
    for (mine, theirs, me, other) in [(b, h, "BASE", "HEAD"), (h, b, "HEAD", "BASE")] {
        if let Some(x) = mine.hops.iter().find(|x| {
            stops(x.decision) && !theirs.hops.iter().any(|y| y.kind == x.kind && y.at == x.at)
        }) {
            return format!(
                "{} at {}: {me} {} ({}); {other} does not pass there",
                x.kind, x.at, x.decision, x.detail
            );
        }
    }
    if let Some((bh, hh)) = paired.iter().find(|(bh, hh)| bh.detail != hh.detail) {
        return both(bh, hh);
    }
    format!(
        "BASE: {} — {}; HEAD: {} — {}",
        verdict(b.verdict),
        b.reason,
        verdict(h.verdict),
        h.reason
    )
}

fn verdict(v: Verdict) -> &'static str {
    v.as_str()
}

/// The places `names` stand for (as flow intents name them: `aksnet trace` places and
/// `<spoke>/nodes`), added to `v` as sources where they are not already there.
fn named_sources(dp: &DataPlane, names: &[String], v: &mut Vec<MatrixPlace>) {
    let t = &dp.topology;
    for n in names {
        for place in aksnet_rules::intent_places(dp, n).unwrap_or_default() {
            let label = match &place {
                Place::Subnet(s) => t.subnets[*s].label(t),
                Place::Endpoint(i) => dp.endpoints[*i].name.clone(),
                Place::Internet => "Internet".to_string(),
                Place::OnPrem => "on-premises".to_string(),
                _ => n.clone(),
            };
            let vnet = match &place {
                Place::Subnet(s) | Place::InSubnet { subnet: s, .. } => Some(t.subnets[*s].vnet),
                Place::Endpoint(i) => dp.endpoints[*i].subnet.map(|s| t.subnets[s].vnet),
                _ => None,
            };
            match v.iter_mut().find(|p| p.label == label) {
                Some(p) => p.source = true,
                None => v.push(MatrixPlace {
                    label,
                    place,
                    vnet,
                    source: true,
                }),
            }
        }
    }
}

/// What the two estates admit from one source to one destination, compared: the flow changes
/// go to `opened` and `closed`, the name changes to `names`.
struct Changes {
    opened: Vec<FlowChange>,
    closed: Vec<FlowChange>,
    names: Vec<NameChange>,
}

impl Changes {
    fn record(
        &mut self,
        base: &Side,
        head: &Side,
        from: &Matched,
        to: &str,
        b: &Admitted,
        h: &Admitted,
    ) {
        for (more, less, opened) in [(h, b, true), (b, h, false)] {
            let extra = more.total.difference(&less.total);
            if !extra.is_empty() {
                let (w, cause) = witness(base, head, from, to, &extra);
                let dp = if opened { head.plane } else { base.plane };
                let list = if opened {
                    &mut self.opened
                } else {
                    &mut self.closed
                };
                list.push(FlowChange {
                    from: from.label.to_string(),
                    to: to.to_string(),
                    packets: dp.render(&extra),
                    witness: w,
                    cause,
                });
            }
            let names = more.names_beyond(less);
            if !names.is_empty() {
                self.names.push(NameChange {
                    from: from.label.to_string(),
                    to: to.to_string(),
                    names,
                    opened,
                });
            }
        }
    }
}

/// The most sources walked together. Merging more sources' branches saves less than cutting
/// the merged paths by more sources costs: flows of the 500-spoke bench pair (1,503 sources,
/// 2 cores) take 940 ms in shares of 4, 510 ms of 16, 430 ms of 32, 410 ms of 64, 450 ms of
/// 128, 650 ms in one share per core and 1.2 s in one share.
const SHARE: usize = 64;

/// Compares what the two estates admit from each source place of the flow matrix, by where it
/// is delivered.
pub fn compare(
    base: &Side,
    head: &Side,
    reach: &crate::scope::Reach,
    named: &[String],
) -> (Vec<FlowChange>, Vec<FlowChange>, Vec<NameChange>) {
    let with_named = |dp: &DataPlane| {
        let mut v = matrix_places(dp);
        named_sources(dp, named, &mut v);
        v
    };
    let (bp, hp) = (with_named(base.plane), with_named(head.plane));
    let places = matched((base.plane, &bp), (head.plane, &hp));
    let mut c = Changes {
        opened: Vec::new(),
        closed: Vec::new(),
        names: Vec::new(),
    };
    let sources: Vec<&Matched> = places.iter().filter(|p| p.source).collect();
    let everything = aksnet_net::PrefixSet::everything();
    // Outside the spokes a change is confined to, only packets delivered into them can differ;
    // from inside too when the change is to inbound NSG rules.
    let within: Vec<&aksnet_net::PrefixSet> = sources
        .iter()
        .map(|from| match reach {
            crate::scope::Reach::Spokes {
                vnets,
                space,
                from_outside,
                inbound_only,
            } if *inbound_only || !from.inside(vnets) => {
                if from.external {
                    from_outside
                } else {
                    space
                }
            }
            _ => &everything,
        })
        .collect();
    // The sources in shares of at most `SHARE` (at least one share per core), each share
    // walked in both estates and compared by the thread that took it: the sets it cuts are
    // made and freed on one thread, and only the places where the estates part come back.
    // Shares do not merge their branches with each other's (a walk each past the firewall);
    // that costs less than cutting large shares' merged paths by source, and small shares
    // balance the cores.
    let asked: Vec<(usize, &Matched, &aksnet_net::PrefixSet)> = sources
        .iter()
        .zip(&within)
        .enumerate()
        .map(|(i, (m, w))| (i, *m, *w))
        .collect();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let size = asked.len().div_ceil(cores).clamp(1, SHARE);
    let shares: Vec<&[(usize, &Matched, &aksnet_net::PrefixSet)]> = asked.chunks(size).collect();
    let parted = aksnet_engine::parallel::map(&shares, |share| {
        let walk = |dp: &DataPlane, head: bool| {
            let mine: Vec<_> = share
                .iter()
                .map(|(_, m, w)| (if head { m.head } else { m.base }, *w))
                .collect();
            exposed(dp, &mine)
        };
        let (b, h) = (walk(base.plane, false), walk(head.plane, true));
        let mut parted: Vec<(usize, String, Admitted, Admitted)> = Vec::new();
        for ((i, _, _), (mut b, mut h)) in share.iter().zip(b.into_iter().zip(h)) {
            let labels: BTreeSet<String> = b.keys().chain(h.keys()).cloned().collect();
            for l in labels {
                let none = Admitted::none;
                let (bb, hh) = (
                    b.remove(&l).unwrap_or_else(none),
                    h.remove(&l).unwrap_or_else(none),
                );
                if bb != hh {
                    parted.push((*i, l, bb, hh));
                }
            }
        }
        parted
    });
    for (i, l, bb, hh) in parted.into_iter().flatten() {
        c.record(base, head, sources[i], &l, &bb, &hh);
    }
    (c.opened, c.closed, c.names)
}
