//! Sets of packets over (source IP, destination IP, protocol, destination port).
//!
//! Representation: an interval decision diagram of depth two, kept canonical.
//! A [`PacketSet`] partitions source addresses into groups that share the same set of
//! (destination, protocol, port); each group's destination side partitions destination
//! addresses into groups that share the same [`Services`] (protocols and ports). Groups with an
//! empty value are dropped and groups with equal values are merged, so every set has exactly
//! one representation and `==` is set equality. IPv4 addresses live in the IPv4-mapped range
//! `::ffff:0:0/96` of one 128-bit space, so both families share the structure.
//!
//! Why not disjoint hyper-rectangles: their difference fragments into many boxes with no
//! canonical form, so equality needs a subtraction both ways; why not a BDD: the fields are
//! ranges (CIDRs, port ranges), which intervals represent directly and render back to CIDRs and
//! port ranges for humans.

use std::fmt;
use std::net::IpAddr;

use crate::interval::IntervalSet;
use crate::port::{PortRange, PortSet};
use crate::prefix::{Family, Prefix};
use crate::prefix_set::PrefixSet;
use crate::protocol::{Protocol, ProtocolSet};

const V4_MAPPED: u128 = 0xffff_0000_0000;

fn key(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => V4_MAPPED | u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

/// The IPv4-mapped block `::ffff:0:0/96`, where IPv4 keys live.
fn mapped_block() -> IntervalSet {
    IntervalSet::from_range(V4_MAPPED, V4_MAPPED | u128::from(u32::MAX))
}

/// The addresses of a prefix set in the shared 128-bit key space. IPv6 addresses inside
/// `::ffff:0:0/96` are IPv4-mapped, i.e. IPv4 addresses, and are keyed as such.
fn keys(set: &PrefixSet) -> IntervalSet {
    let mut v4 = IntervalSet::new();
    let mut v6 = IntervalSet::new();
    for p in set.prefixes() {
        let (s, e) = (p.start_int(), p.end_int());
        match p.family() {
            Family::V4 => v4.insert(V4_MAPPED | s, V4_MAPPED | e),
            Family::V6 => v6.insert(s, e),
        }
    }
    v4.union(&v6.difference(&mapped_block()))
}

/// Back from the key space to prefixes (IPv4 first).
fn prefixes_of(keys: &IntervalSet) -> PrefixSet {
    let mut out = PrefixSet::new();
    for &(s, e) in keys.ranges() {
        // Split at the IPv4-mapped block boundaries.
        let (v4s, v4e) = (V4_MAPPED, V4_MAPPED | u128::from(u32::MAX));
        let mut push = |a: u128, b: u128, v4: bool| {
            let tmp = IntervalSet::from_range(a, b);
            for &(x, y) in tmp.ranges() {
                let family = if v4 { Family::V4 } else { Family::V6 };
                let (x, y) = if v4 {
                    (x - V4_MAPPED, y - V4_MAPPED)
                } else {
                    (x, y)
                };
                for p in crate::prefix_set::aggregate(family, x, y) {
                    out.insert(p);
                }
            }
        };
        if e < v4s || s > v4e {
            push(s, e, false);
        } else {
            if s < v4s {
                push(s, v4s - 1, false);
            }
            push(s.max(v4s), e.min(v4e), true);
            if e > v4e {
                push(v4e + 1, e, false);
            }
        }
    }
    // All of IPv4 includes its IPv4-mapped IPv6 synonyms, so "everything" reads back as such.
    if keys.is_superset(&mapped_block())
        && keys.intersects(&IntervalSet::from_range(0, V4_MAPPED - 1))
    {
        out.insert("::ffff:0:0/96".parse().expect("constant"));
    }
    out
}

/// Protocols and destination ports: TCP and UDP with port sets; ICMP, ESP and AH with none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Services {
    tcp: PortSet,
    udp: PortSet,
    /// ICMP, ESP, AH (ports do not apply).
    portless: ProtocolSet,
}

impl Services {
    /// No service.
    pub fn none() -> Self {
        Self::default()
    }

    /// Every protocol on every port.
    pub fn any() -> Self {
        Self::new(ProtocolSet::ANY, &PortSet::any())
    }

    /// `protocols` on `ports` (ports apply to TCP and UDP only).
    pub fn new(protocols: ProtocolSet, ports: &PortSet) -> Self {
        let pick = |p: Protocol| {
            if protocols.contains(p) {
                ports.clone()
            } else {
                PortSet::new()
            }
        };
        let mut portless = ProtocolSet::NONE;
        for p in [Protocol::Icmp, Protocol::Esp, Protocol::Ah] {
            if protocols.contains(p) {
                portless.insert(p);
            }
        }
        Self {
            tcp: pick(Protocol::Tcp),
            udp: pick(Protocol::Udp),
            portless,
        }
    }

    /// One protocol on one port range.
    pub fn of(protocol: Protocol, ports: PortRange) -> Self {
        Self::new(protocol.into(), &ports.into())
    }

    /// True when no packet matches.
    pub fn is_empty(&self) -> bool {
        self.tcp.is_empty() && self.udp.is_empty() && self.portless.is_empty()
    }

    /// True when the protocol/port is in the set (`port` is ignored for portless protocols).
    pub fn contains(&self, protocol: Protocol, port: u16) -> bool {
        match protocol {
            Protocol::Tcp => self.tcp.contains(port),
            Protocol::Udp => self.udp.contains(port),
            p => self.portless.contains(p),
        }
    }

    /// The protocols that include `port`, on every port: `{(p, q) | (p, port) ∈ self}` for TCP
    /// and UDP; portless protocols are dropped. Applies a filter seen after a port translation
    /// to `port`.
    pub fn at_port(&self, port: u16) -> Self {
        let all = |set: &PortSet| {
            if set.contains(port) {
                PortSet::any()
            } else {
                PortSet::new()
            }
        };
        Self {
            tcp: all(&self.tcp),
            udp: all(&self.udp),
            portless: ProtocolSet::NONE,
        }
    }

    fn zip(
        &self,
        o: &Self,
        ports: impl Fn(&PortSet, &PortSet) -> PortSet,
        protos: impl Fn(ProtocolSet, ProtocolSet) -> ProtocolSet,
    ) -> Self {
        Self {
            tcp: ports(&self.tcp, &o.tcp),
            udp: ports(&self.udp, &o.udp),
            portless: protos(self.portless, o.portless),
        }
    }

    /// Services in either.
    pub fn union(&self, o: &Self) -> Self {
        self.zip(o, PortSet::union, ProtocolSet::union)
    }

    /// Services in both.
    pub fn intersection(&self, o: &Self) -> Self {
        self.zip(o, PortSet::intersection, ProtocolSet::intersection)
    }

    /// Services in `self` and not in `o`.
    pub fn difference(&self, o: &Self) -> Self {
        self.zip(o, PortSet::difference, ProtocolSet::difference)
    }
}

impl fmt::Display for Services {
    /// `*`, or e.g. `tcp/443, tcp/8080-8090, udp/53, icmp`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Self::any() {
            return f.write_str("*");
        }
        let mut parts = Vec::new();
        for (name, ports) in [("tcp", &self.tcp), ("udp", &self.udp)] {
            if *ports == PortSet::any() {
                parts.push(name.to_string());
            } else {
                parts.extend(ports.ranges().iter().map(|r| format!("{name}/{r}")));
            }
        }
        parts.extend(self.portless.iter().map(|p| p.to_string()));
        if parts.is_empty() {
            return f.write_str("(none)");
        }
        f.write_str(&parts.join(", "))
    }
}

/// Values a [`Layer`] can hold.
trait Value: Clone + Ord {
    fn is_empty(&self) -> bool;
}

impl Value for Services {
    fn is_empty(&self) -> bool {
        Services::is_empty(self)
    }
}

impl Value for Layer<Services> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A canonical map from disjoint address sets to distinct, non-empty values.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Layer<T>(Vec<(IntervalSet, T)>);

impl<T> Default for Layer<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T: Value> Layer<T> {
    fn single(keys: IntervalSet, v: T) -> Self {
        if keys.is_empty() || v.is_empty() {
            Self::default()
        } else {
            Self(vec![(keys, v)])
        }
    }

    /// Elementary segments `(start, end, value)`, sorted by start.
    fn segments(&self) -> Vec<(u128, u128, &T)> {
        let mut v: Vec<(u128, u128, &T)> = self
            .0
            .iter()
            .flat_map(|(k, t)| k.ranges().iter().map(move |&(s, e)| (s, e, t)))
            .collect();
        v.sort_by_key(|x| x.0);
        v
    }

    /// Combines two layers pointwise with `f` (called where at least one side has a value).
    fn combine(&self, other: &Self, f: impl Fn(Option<&T>, Option<&T>) -> Option<T>) -> Self {
        let (a, b) = (self.segments(), other.segments());
        let mut cuts: Vec<u128> = Vec::with_capacity(2 * (a.len() + b.len()));
        for &(s, e, _) in a.iter().chain(&b) {
            cuts.push(s);
            if e < u128::MAX {
                cuts.push(e + 1);
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut out: Vec<(u128, u128, T)> = Vec::new();
        let (mut i, mut j) = (0, 0);
        for (n, &start) in cuts.iter().enumerate() {
            let end = cuts.get(n + 1).map_or(u128::MAX, |c| c - 1);
            while i < a.len() && a[i].1 < start {
                i += 1;
            }
            while j < b.len() && b[j].1 < start {
                j += 1;
            }
            let va = a.get(i).filter(|x| x.0 <= start).map(|x| x.2);
            let vb = b.get(j).filter(|x| x.0 <= start).map(|x| x.2);
            if va.is_none() && vb.is_none() {
                continue;
            }
            if let Some(v) = f(va, vb).filter(|v| !v.is_empty()) {
                out.push((start, end, v));
            }
        }
        Self::group(out)
    }

    /// Groups segments with equal values into one key set each, in canonical order.
    fn group(segments: Vec<(u128, u128, T)>) -> Self {
        let mut map: std::collections::BTreeMap<T, IntervalSet> = std::collections::BTreeMap::new();
        for (s, e, v) in segments {
            map.entry(v).or_default().insert(s, e);
        }
        let mut v: Vec<(IntervalSet, T)> = map.into_iter().map(|(t, k)| (k, t)).collect();
        v.sort_by(|x, y| x.0.ranges()[0].0.cmp(&y.0.ranges()[0].0));
        Self(v)
    }

    fn get(&self, key: u128) -> Option<&T> {
        self.0.iter().find(|(k, _)| k.contains(key)).map(|(_, v)| v)
    }
}

/// Pointwise union/intersection/difference for layers whose values have them.
trait SetOps: Sized {
    fn union(&self, o: &Self) -> Self;
    fn intersection(&self, o: &Self) -> Self;
    fn difference(&self, o: &Self) -> Self;
}

impl SetOps for Services {
    fn union(&self, o: &Self) -> Self {
        Services::union(self, o)
    }
    fn intersection(&self, o: &Self) -> Self {
        Services::intersection(self, o)
    }
    fn difference(&self, o: &Self) -> Self {
        Services::difference(self, o)
    }
}

impl<T: Value + SetOps> SetOps for Layer<T> {
    fn union(&self, o: &Self) -> Self {
        self.combine(o, |a, b| match (a, b) {
            (Some(a), Some(b)) => Some(a.union(b)),
            (a, b) => a.or(b).cloned(),
        })
    }
    fn intersection(&self, o: &Self) -> Self {
        self.combine(o, |a, b| Some(a?.intersection(b?)))
    }
    fn difference(&self, o: &Self) -> Self {
        self.combine(o, |a, b| match (a, b) {
            (Some(a), Some(b)) => Some(a.difference(b)),
            (a, _) => a.cloned(),
        })
    }
}

/// Source address sets to cut packet sets by ([`PacketSet::by_sources`]), prepared once for
/// many cuts.
#[derive(Clone, Debug)]
pub struct SourceCut {
    sets: Vec<PrefixSet>,
    /// When no two sets overlap: every set's source keys with the set's index, by start.
    disjoint: Option<Vec<(u128, u128, usize)>>,
}

impl SourceCut {
    /// Prepares a cut by `sets`.
    pub fn new(sets: Vec<PrefixSet>) -> Self {
        let mut tagged: Vec<(u128, u128, usize)> = sets
            .iter()
            .enumerate()
            .flat_map(|(i, s)| {
                keys(s)
                    .ranges()
                    .iter()
                    .map(move |&(a, b)| (a, b, i))
                    .collect::<Vec<_>>()
            })
            .collect();
        tagged.sort_unstable();
        let overlap = tagged.windows(2).any(|w| w[1].0 <= w[0].1);
        SourceCut {
            sets,
            disjoint: (!overlap).then_some(tagged),
        }
    }
}

/// A set of packets (source IP, destination IP, protocol, destination port), canonical.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PacketSet(Layer<Layer<Services>>);

impl PacketSet {
    /// No packet.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Every packet.
    pub fn all() -> Self {
        Self::from_parts(
            &PrefixSet::everything(),
            &PrefixSet::everything(),
            Services::any(),
        )
    }

    /// The product `sources × destinations × services`.
    pub fn from_parts(sources: &PrefixSet, destinations: &PrefixSet, services: Services) -> Self {
        Self(Layer::single(
            keys(sources),
            Layer::single(keys(destinations), services),
        ))
    }

    /// One packet.
    pub fn packet(src: IpAddr, dst: IpAddr, protocol: Protocol, port: u16) -> Self {
        let s: PrefixSet = [Prefix::from(src)].into_iter().collect();
        let d: PrefixSet = [Prefix::from(dst)].into_iter().collect();
        Self::from_parts(&s, &d, Services::of(protocol, PortRange::single(port)))
    }

    /// True when no packet is in the set.
    pub fn is_empty(&self) -> bool {
        self.0 .0.is_empty()
    }

    /// True when the packet is in the set.
    pub fn contains(&self, src: IpAddr, dst: IpAddr, protocol: Protocol, port: u16) -> bool {
        self.0
            .get(key(src))
            .and_then(|d| d.get(key(dst)))
            .is_some_and(|s| s.contains(protocol, port))
    }

    /// Packets in either set.
    pub fn union(&self, o: &Self) -> Self {
        Self(self.0.union(&o.0))
    }

    /// Packets in both sets.
    pub fn intersection(&self, o: &Self) -> Self {
        Self(self.0.intersection(&o.0))
    }

    /// The union of many sets, merged pairwise (a balanced tree), so each packet's structure is
    /// rebuilt O(log n) times instead of once per set as in a left fold.
    pub fn union_all(sets: Vec<PacketSet>) -> Self {
        let mut level = sets;
        while level.len() > 1 {
            let mut next = Vec::with_capacity(level.len().div_ceil(2));
            let mut sets = level.into_iter();
            while let Some(a) = sets.next() {
                next.push(match sets.next() {
                    Some(b) => a.union(&b),
                    None => a,
                });
            }
            level = next;
        }
        level.pop().unwrap_or_else(Self::empty)
    }

    /// Packets in `self` and not in `o`.
    pub fn difference(&self, o: &Self) -> Self {
        Self(self.0.difference(&o.0))
    }

    /// True when every packet of `o` is in `self`.
    pub fn is_superset(&self, o: &Self) -> bool {
        o.difference(self).is_empty()
    }

    /// The packets from each of the cut's source sets: `self ∩ (sets[i] × every destination ×
    /// every service)` for each `i`, in one pass over the set's source groups, where cutting the
    /// set once per source set would take it whole each time (a walk for many sources, cut by
    /// source).
    pub fn by_sources(&self, cut: &SourceCut) -> Vec<PacketSet> {
        let Some(tagged) = &cut.disjoint else {
            // Sets that overlap: one at a time.
            return cut
                .sets
                .iter()
                .map(|s| {
                    self.intersection(&Self::from_parts(
                        s,
                        &PrefixSet::everything(),
                        Services::any(),
                    ))
                })
                .collect();
        };
        let mut parts: Vec<Vec<(IntervalSet, Layer<Services>)>> = vec![Vec::new(); cut.sets.len()];
        for (srcs, inner) in &self.0 .0 {
            let mut mine: std::collections::BTreeMap<usize, IntervalSet> = Default::default();
            for &(s, e) in srcs.ranges() {
                // Disjoint ranges sorted by start are sorted by end too.
                let from = tagged.partition_point(|t| t.1 < s);
                for &(a, b, i) in tagged[from..].iter().take_while(|t| t.0 <= e) {
                    mine.entry(i).or_default().insert(a.max(s), b.min(e));
                }
            }
            for (i, keys) in mine {
                parts[i].push((keys, inner.clone()));
            }
        }
        parts
            .into_iter()
            .map(|mut groups| {
                // Distinct values on disjoint keys already; canonical order is by first key.
                groups.sort_by_key(|(k, _)| k.ranges()[0].0);
                Self(Layer(groups))
            })
            .collect()
    }

    /// The packets with source `ip`, given every source instead:
    /// `{(s, d, v) | (ip, d, v) ∈ self}`. Applies a filter seen after SNAT to `ip`.
    pub fn slice_src(&self, ip: IpAddr) -> Self {
        match self.0.get(key(ip)) {
            Some(inner) => Self(Layer::single(
                IntervalSet::from_range(0, u128::MAX),
                inner.clone(),
            )),
            None => Self::empty(),
        }
    }

    /// The packets with destination `ip`, given every destination instead:
    /// `{(s, d, v) | (s, ip, v) ∈ self}`. Applies a filter seen after DNAT to `ip`.
    pub fn slice_dst(&self, ip: IpAddr) -> Self {
        let k = key(ip);
        let mut segments = Vec::new();
        for (srcs, inner) in &self.0 .0 {
            if let Some(svc) = inner.get(k) {
                let dsts = Layer::single(IntervalSet::from_range(0, u128::MAX), svc.clone());
                segments.extend(srcs.ranges().iter().map(|&(a, b)| (a, b, dsts.clone())));
            }
        }
        Self(Layer::group(segments))
    }

    /// The packets on destination port `port`, given every port instead (TCP and UDP):
    /// `{(s, d, p, q) | (s, d, p, port) ∈ self}`. Applies a filter seen after a port translation
    /// (DNAT to `port`).
    pub fn slice_port(&self, port: u16) -> Self {
        let mut segments = Vec::new();
        for (srcs, inner) in &self.0 .0 {
            let mut dsegs = Vec::new();
            for (dsts, svc) in &inner.0 {
                let v = svc.at_port(port);
                if !v.is_empty() {
                    dsegs.extend(dsts.ranges().iter().map(|&(a, b)| (a, b, v.clone())));
                }
            }
            if dsegs.is_empty() {
                continue;
            }
            let d = Layer::group(dsegs);
            segments.extend(srcs.ranges().iter().map(|&(a, b)| (a, b, d.clone())));
        }
        Self(Layer::group(segments))
    }

    /// One packet of the set (the lowest source, destination, protocol and port), if any.
    pub fn sample(&self) -> Option<(IpAddr, IpAddr, Protocol, u16)> {
        let (srcs, inner) = self.0 .0.first()?;
        let (dsts, svc) = inner.0.first()?;
        let addr = |k: u128| -> IpAddr {
            if k >> 32 == V4_MAPPED >> 32 {
                IpAddr::V4(std::net::Ipv4Addr::from((k & 0xffff_ffff) as u32))
            } else {
                IpAddr::V6(std::net::Ipv6Addr::from(k))
            }
        };
        let (proto, port) = if let Some(r) = svc.tcp.ranges().first() {
            (Protocol::Tcp, r.start)
        } else if let Some(r) = svc.udp.ranges().first() {
            (Protocol::Udp, r.start)
        } else {
            (svc.portless.iter().next()?, 0)
        };
        Some((
            addr(srcs.ranges()[0].0),
            addr(dsts.ranges()[0].0),
            proto,
            port,
        ))
    }

    /// The set as `(sources, destinations, services)` triples, disjoint, in canonical order.
    pub fn parts(&self) -> Vec<(PrefixSet, PrefixSet, Services)> {
        let mut out = Vec::new();
        for (src, inner) in &self.0 .0 {
            for (dst, svc) in &inner.0 {
                out.push((prefixes_of(src), prefixes_of(dst), svc.clone()));
            }
        }
        out
    }

    /// All source addresses that occur.
    pub fn sources(&self) -> PrefixSet {
        let mut all = IntervalSet::new();
        for (k, _) in &self.0 .0 {
            all = all.union(k);
        }
        prefixes_of(&all)
    }

    /// All destination addresses that occur.
    pub fn destinations(&self) -> PrefixSet {
        let mut all = IntervalSet::new();
        for (_, inner) in &self.0 .0 {
            for (k, _) in &inner.0 {
                all = all.union(k);
            }
        }
        prefixes_of(&all)
    }
}

impl fmt::Display for PacketSet {
    /// One line per part: `tcp/443, tcp/8080-8090 from 10.240.0.0/22 to 10.241.0.0/24`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = self.parts();
        if parts.is_empty() {
            return f.write_str("(nothing)");
        }
        for (i, (s, d, svc)) in parts.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            let any = |p: &PrefixSet| {
                if *p == PrefixSet::everything() {
                    "*".to_string()
                } else {
                    p.to_string()
                }
            };
            write!(f, "{svc} from {} to {}", any(s), any(d))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::net::Ipv4Addr;

    /// A small universe: sources and destinations in 10.0.0.0/29, tcp/udp/icmp, ports 0..8.
    fn ip(n: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, n))
    }

    #[derive(Clone, Debug)]
    struct Cube {
        src: (u8, u8),
        dst: (u8, u8),
        protos: u8,
        ports: (u16, u16),
    }

    fn cube() -> impl Strategy<Value = Cube> {
        (
            (0u8..8, 0u8..8),
            (0u8..8, 0u8..8),
            1u8..8,
            (0u16..8, 0u16..8),
        )
            .prop_map(|(s, d, p, o)| Cube {
                src: s,
                dst: d,
                protos: p,
                ports: o,
            })
    }

    fn range_set(a: u8, b: u8) -> PrefixSet {
        (a.min(b)..=a.max(b)).map(|n| Prefix::from(ip(n))).collect()
    }

    fn protos(bits: u8) -> ProtocolSet {
        let mut s = ProtocolSet::NONE;
        for (i, p) in [Protocol::Tcp, Protocol::Udp, Protocol::Icmp]
            .into_iter()
            .enumerate()
        {
            if bits & (1 << i) != 0 {
                s.insert(p);
            }
        }
        s
    }

    fn build(cubes: &[Cube]) -> PacketSet {
        cubes.iter().fold(PacketSet::empty(), |acc, c| {
            let ports: PortSet = PortRange::new(c.ports.0.min(c.ports.1), c.ports.0.max(c.ports.1))
                .unwrap()
                .into();
            acc.union(&PacketSet::from_parts(
                &range_set(c.src.0, c.src.1),
                &range_set(c.dst.0, c.dst.1),
                Services::new(protos(c.protos), &ports),
            ))
        })
    }

    fn member(cubes: &[Cube], s: u8, d: u8, p: Protocol, port: u16) -> bool {
        cubes.iter().any(|c| {
            let inr = |x: u8, (a, b): (u8, u8)| a.min(b) <= x && x <= a.max(b);
            let proto_ok = protos(c.protos).contains(p);
            let port_ok = p == Protocol::Icmp
                || (c.ports.0.min(c.ports.1) <= port && port <= c.ports.0.max(c.ports.1));
            inr(s, c.src) && inr(d, c.dst) && proto_ok && port_ok
        })
    }

    fn universe() -> impl Iterator<Item = (u8, u8, Protocol, u16)> {
        (0..8).flat_map(|s| {
            (0..8).flat_map(move |d| {
                [Protocol::Tcp, Protocol::Udp, Protocol::Icmp]
                    .into_iter()
                    .flat_map(move |p| (0..9).map(move |port| (s, d, p, port)))
            })
        })
    }

    proptest! {
        #[test]
        fn algebra_matches_brute_force(a in prop::collection::vec(cube(), 0..4), b in prop::collection::vec(cube(), 0..4)) {
            let (sa, sb) = (build(&a), build(&b));
            let (u, i, d) = (sa.union(&sb), sa.intersection(&sb), sa.difference(&sb));
            for (s, dd, p, port) in universe() {
                let (ma, mb) = (member(&a, s, dd, p, port), member(&b, s, dd, p, port));
                let pkt = (ip(s), ip(dd), p, port);
                prop_assert_eq!(sa.contains(pkt.0, pkt.1, pkt.2, pkt.3), ma);
                prop_assert_eq!(u.contains(pkt.0, pkt.1, pkt.2, pkt.3), ma || mb);
                prop_assert_eq!(i.contains(pkt.0, pkt.1, pkt.2, pkt.3), ma && mb);
                prop_assert_eq!(d.contains(pkt.0, pkt.1, pkt.2, pkt.3), ma && !mb);
            }
            prop_assert_eq!(sa.is_empty(), a.is_empty() || universe().all(|(s, dd, p, port)| !member(&a, s, dd, p, port)));
        }

        #[test]
        fn slices_match_brute_force(a in prop::collection::vec(cube(), 0..4), at in 0u8..8) {
            let sa = build(&a);
            let (by_src, by_dst) = (sa.slice_src(ip(at)), sa.slice_dst(ip(at)));
            for (s, d, p, port) in universe() {
                prop_assert_eq!(by_src.contains(ip(s), ip(d), p, port), member(&a, at, d, p, port));
                prop_assert_eq!(by_dst.contains(ip(s), ip(d), p, port), member(&a, s, at, p, port));
            }
            if let Some((s, d, p, port)) = sa.sample() {
                prop_assert!(sa.contains(s, d, p, port));
            }
        }

        #[test]
        fn cuts_by_sources_match_intersections(a in prop::collection::vec(cube(), 0..4), cuts in prop::collection::vec((0u8..8, 0u8..8), 0..4)) {
            let sa = build(&a);
            let sets: Vec<PrefixSet> = cuts.iter().map(|&(x, y)| range_set(x, y)).collect();
            let got = sa.by_sources(&SourceCut::new(sets.clone()));
            prop_assert_eq!(got.len(), sets.len());
            for (set, part) in sets.iter().zip(&got) {
                let want = sa.intersection(&PacketSet::from_parts(set, &PrefixSet::everything(), Services::any()));
                prop_assert_eq!(part, &want);
            }
        }

        #[test]
        fn port_slices_match_brute_force(a in prop::collection::vec(cube(), 0..4), at in 0u16..9) {
            let sa = build(&a);
            let by_port = sa.slice_port(at);
            for (s, d, p, port) in universe() {
                let want = p != Protocol::Icmp && member(&a, s, d, p, at);
                prop_assert_eq!(by_port.contains(ip(s), ip(d), p, port), want);
            }
        }

        #[test]
        fn representation_is_canonical(a in prop::collection::vec(cube(), 0..4), b in prop::collection::vec(cube(), 0..4)) {
            let (sa, sb) = (build(&a), build(&b));
            let same = universe().all(|(s, d, p, port)| member(&a, s, d, p, port) == member(&b, s, d, p, port));
            prop_assert_eq!(sa == sb, same);
            // Built in another order, the same set has the same representation.
            let mut rev = a.clone();
            rev.reverse();
            prop_assert_eq!(build(&rev), sa.clone());
            prop_assert_eq!(sa.union(&sb), sb.union(&sa));
            prop_assert!(sa.union(&sb).is_superset(&sa));
        }

        #[test]
        fn union_all_equals_the_fold(sets in prop::collection::vec(prop::collection::vec(cube(), 0..3), 0..7)) {
            let built: Vec<PacketSet> = sets.iter().map(|c| build(c)).collect();
            let fold = built.iter().fold(PacketSet::empty(), |acc, s| acc.union(s));
            prop_assert_eq!(PacketSet::union_all(built), fold);
        }
    }

    #[test]
    fn slices_and_samples() {
        let a: PrefixSet = ["10.0.0.0/24".parse::<Prefix>().unwrap()]
            .into_iter()
            .collect();
        let b: PrefixSet = ["10.1.0.0/24".parse::<Prefix>().unwrap()]
            .into_iter()
            .collect();
        let web = Services::of(Protocol::Tcp, PortRange::single(443));
        let s = PacketSet::from_parts(&a, &b, web.clone());
        let by_src = s.slice_src("10.0.0.5".parse().unwrap());
        assert!(by_src.contains(
            "192.0.2.1".parse().unwrap(),
            "10.1.0.9".parse().unwrap(),
            Protocol::Tcp,
            443
        ));
        assert!(!by_src.contains(
            "192.0.2.1".parse().unwrap(),
            "10.2.0.9".parse().unwrap(),
            Protocol::Tcp,
            443
        ));
        assert!(s.slice_src("10.9.9.9".parse().unwrap()).is_empty());
        let by_dst = s.slice_dst("10.1.0.7".parse().unwrap());
        assert!(by_dst.contains(
            "10.0.0.3".parse().unwrap(),
            "8.8.8.8".parse().unwrap(),
            Protocol::Tcp,
            443
        ));
        assert!(!by_dst.contains(
            "10.0.1.3".parse().unwrap(),
            "8.8.8.8".parse().unwrap(),
            Protocol::Tcp,
            443
        ));
        assert_eq!(
            s.sample(),
            Some((
                "10.0.0.0".parse().unwrap(),
                "10.1.0.0".parse().unwrap(),
                Protocol::Tcp,
                443
            ))
        );
        assert_eq!(PacketSet::empty().sample(), None);
    }

    #[test]
    fn renders_compactly() {
        let nodes: PrefixSet = ["10.240.0.0/22".parse::<Prefix>().unwrap()]
            .into_iter()
            .collect();
        let dst: PrefixSet = ["10.241.0.0/24".parse::<Prefix>().unwrap()]
            .into_iter()
            .collect();
        let svc = Services::of(Protocol::Tcp, PortRange::single(443)).union(&Services::of(
            Protocol::Tcp,
            PortRange::new(8080, 8090).unwrap(),
        ));
        let s = PacketSet::from_parts(&nodes, &dst, svc);
        assert_eq!(
            s.to_string(),
            "tcp/443, tcp/8080-8090 from 10.240.0.0/22 to 10.241.0.0/24"
        );
        assert_eq!(PacketSet::all().to_string(), "* from * to *");
        assert_eq!(PacketSet::empty().to_string(), "(nothing)");
        let v6: PrefixSet = ["fd00::/64".parse::<Prefix>().unwrap()]
            .into_iter()
            .collect();
        let mixed = PacketSet::from_parts(
            &nodes.union(&v6),
            &dst,
            Services::of(Protocol::Udp, PortRange::single(53)),
        );
        assert_eq!(mixed.sources().to_string(), "10.240.0.0/22, fd00::/64");
    }
}
