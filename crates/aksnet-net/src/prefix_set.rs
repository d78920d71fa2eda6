//! Sets of addresses, both families, with set algebra and CIDR aggregation.

use std::fmt;
use std::net::IpAddr;

use crate::interval::IntervalSet;
use crate::prefix::{addr_to_int, Family, Prefix};

/// Any set of IPv4 and IPv6 addresses.
///
/// Stored as one [`IntervalSet`] per family, so the representation is canonical: two sets
/// holding the same addresses are `==`. [`PrefixSet::prefixes`] turns it back into the fewest
/// CIDR blocks that cover exactly the same addresses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct PrefixSet {
    v4: IntervalSet,
    v6: IntervalSet,
}

impl PrefixSet {
    /// The empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every IPv4 and IPv6 address.
    pub fn everything() -> Self {
        let mut s = Self::new();
        s.v4.insert(0, u128::from(u32::MAX));
        s.v6.insert(0, u128::MAX);
        s
    }

    fn family(&self, f: Family) -> &IntervalSet {
        match f {
            Family::V4 => &self.v4,
            Family::V6 => &self.v6,
        }
    }

    /// Every address from `first` to `last` inclusive (`10.2.0.0`–`10.2.0.31`); `None` when the
    /// two are of different families or `first` comes after `last`.
    pub fn from_range(first: IpAddr, last: IpAddr) -> Option<Self> {
        let (f, l) = (Prefix::from(first).family(), Prefix::from(last).family());
        let (a, b) = (addr_to_int(first), addr_to_int(last));
        if f != l || a > b {
            return None;
        }
        let mut s = Self::new();
        match f {
            Family::V4 => s.v4.insert(a, b),
            Family::V6 => s.v6.insert(a, b),
        }
        Some(s)
    }

    /// Adds every address of `prefix`.
    pub fn insert(&mut self, prefix: Prefix) {
        let (s, e) = (prefix.start_int(), prefix.end_int());
        match prefix.family() {
            Family::V4 => self.v4.insert(s, e),
            Family::V6 => self.v6.insert(s, e),
        }
    }

    /// True when the set holds no address.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }

    /// Number of IPv4 addresses in the set.
    pub fn v4_len(&self) -> u128 {
        self.v4.len()
    }

    /// True when `addr` is in the set.
    pub fn contains_addr(&self, addr: IpAddr) -> bool {
        let f = Prefix::from(addr).family();
        self.family(f).contains(addr_to_int(addr))
    }

    /// True when every address of `prefix` is in the set.
    pub fn contains(&self, prefix: &Prefix) -> bool {
        self.family(prefix.family())
            .covers(prefix.start_int(), prefix.end_int())
    }

    /// True when some address of `prefix` is in the set.
    pub fn overlaps(&self, prefix: &Prefix) -> bool {
        self.family(prefix.family())
            .intersects_range(prefix.start_int(), prefix.end_int())
    }

    /// Addresses in either set.
    pub fn union(&self, other: &Self) -> Self {
        Self {
            v4: self.v4.union(&other.v4),
            v6: self.v6.union(&other.v6),
        }
    }

    /// Addresses in both sets.
    pub fn intersection(&self, other: &Self) -> Self {
        Self {
            v4: self.v4.intersection(&other.v4),
            v6: self.v6.intersection(&other.v6),
        }
    }

    /// Addresses in `self` but not in `other`.
    pub fn difference(&self, other: &Self) -> Self {
        Self {
            v4: self.v4.difference(&other.v4),
            v6: self.v6.difference(&other.v6),
        }
    }

    /// True when the two sets share an address.
    pub fn intersects(&self, other: &Self) -> bool {
        self.v4.intersects(&other.v4) || self.v6.intersects(&other.v6)
    }

    /// True when every address of `other` is in `self`.
    pub fn is_superset(&self, other: &Self) -> bool {
        self.v4.is_superset(&other.v4) && self.v6.is_superset(&other.v6)
    }

    /// The set as ranges of addresses (first, last, as integers of their family), IPv4 first,
    /// in address order.
    pub fn ranges(&self) -> impl Iterator<Item = (Family, u128, u128)> + '_ {
        let v4 = self.v4.ranges().iter().map(|&(s, e)| (Family::V4, s, e));
        v4.chain(self.v6.ranges().iter().map(|&(s, e)| (Family::V6, s, e)))
    }

    /// The fewest CIDR blocks covering exactly this set, IPv4 first, in address order.
    pub fn prefixes(&self) -> Vec<Prefix> {
        let mut out = Vec::new();
        for (family, set) in [(Family::V4, &self.v4), (Family::V6, &self.v6)] {
            for &(s, e) in set.ranges() {
                aggregate_range(family, s, e, &mut out);
            }
        }
        out
    }

    /// The lowest block of length `len` inside `within` that shares no address with this set.
    ///
    /// This is the address planner's allocation step: `self` holds what is already taken.
    pub fn first_free(&self, within: &Prefix, len: u8) -> Option<Prefix> {
        let family = within.family();
        if len < within.len() || len > family.bits() {
            return None;
        }
        let size = block_size(family, len)?;
        let (start, end) = (within.start_int(), within.end_int());
        let taken = self.family(family);
        let mut cand = start;
        loop {
            let last = cand.checked_add(size - 1)?;
            if last > end {
                return None;
            }
            let i = taken.ranges().partition_point(|&(_, e)| e < cand);
            match taken.ranges().get(i) {
                Some(&(s, e)) if s <= last => {
                    // Skip past the clash, to the next aligned block.
                    let next = e.checked_add(1)?;
                    cand = next.checked_add(size - 1)? / size * size;
                }
                _ => return Some(Prefix::from_int(family, cand, len)),
            }
        }
    }
}

/// Size of a block of length `len`, or `None` for an IPv6 /0 (2^128 does not fit).
fn block_size(family: Family, len: u8) -> Option<u128> {
    1u128.checked_shl(u32::from(family.bits() - len))
}

/// The fewest aligned CIDR blocks covering `[s, e]` in `family`.
pub(crate) fn aggregate(family: Family, s: u128, e: u128) -> Vec<Prefix> {
    let mut out = Vec::new();
    aggregate_range(family, s, e, &mut out);
    out
}

/// Appends the fewest aligned CIDR blocks covering `[s, e]`.
fn aggregate_range(family: Family, mut s: u128, e: u128, out: &mut Vec<Prefix>) {
    let bits = family.bits();
    loop {
        // Largest block aligned at `s` ...
        let align = if s == 0 {
            u32::from(bits)
        } else {
            s.trailing_zeros().min(u32::from(bits))
        };
        // ... that does not run past `e`.
        let span = e - s; // block size - 1 must be <= span
        let fit = if span == u128::MAX {
            128
        } else {
            127 - (span + 1).leading_zeros()
        };
        let host = align.min(fit);
        let len = bits - host as u8;
        out.push(Prefix::from_int(family, s, len));
        let last = s + (block_size(family, len).unwrap_or(0).wrapping_sub(1));
        if last >= e {
            return;
        }
        s = last + 1;
    }
}

impl FromIterator<Prefix> for PrefixSet {
    fn from_iter<I: IntoIterator<Item = Prefix>>(iter: I) -> Self {
        let mut s = Self::new();
        for p in iter {
            s.insert(p);
        }
        s
    }
}

impl<'a> FromIterator<&'a Prefix> for PrefixSet {
    fn from_iter<I: IntoIterator<Item = &'a Prefix>>(iter: I) -> Self {
        iter.into_iter().copied().collect()
    }
}

impl fmt::Display for PrefixSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ps = self.prefixes();
        if ps.is_empty() {
            return f.write_str("(none)");
        }
        for (i, p) in ps.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;
    use std::net::Ipv4Addr;

    fn p(s: &str) -> Prefix {
        s.parse().unwrap()
    }

    /// Random prefixes inside 10.0.0.0/24, so a brute-force model can list every address.
    fn small_prefix() -> impl Strategy<Value = Prefix> {
        (any::<u8>(), 24u8..=32)
            .prop_map(|(host, len)| Prefix::new(Ipv4Addr::new(10, 0, 0, host).into(), len).unwrap())
    }

    fn brute(ps: &[Prefix]) -> BTreeSet<u128> {
        ps.iter()
            .flat_map(|p| p.start_int()..=p.end_int())
            .collect()
    }

    #[test]
    fn ranges_become_the_fewest_prefixes() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let r = PrefixSet::from_range(ip("10.0.0.1"), ip("10.0.0.5")).unwrap();
        assert_eq!(
            r.prefixes(),
            vec![p("10.0.0.1/32"), p("10.0.0.2/31"), p("10.0.0.4/31")]
        );
        let aligned = PrefixSet::from_range(ip("10.2.0.0"), ip("10.2.0.31")).unwrap();
        assert_eq!(aligned.prefixes(), vec![p("10.2.0.0/27")]);
        assert_eq!(
            PrefixSet::from_range(ip("10.0.0.7"), ip("10.0.0.7"))
                .unwrap()
                .prefixes(),
            vec![p("10.0.0.7/32")]
        );
        assert!(PrefixSet::from_range(ip("10.0.0.5"), ip("10.0.0.1")).is_none());
        assert!(PrefixSet::from_range(ip("10.0.0.1"), ip("::1")).is_none());
    }

    proptest! {
        #[test]
        fn set_algebra_matches_brute_force(a in prop::collection::vec(small_prefix(), 0..5),
                                           b in prop::collection::vec(small_prefix(), 0..5)) {
            let (sa, sb): (PrefixSet, PrefixSet) = (a.iter().collect(), b.iter().collect());
            let (ba, bb) = (brute(&a), brute(&b));
            prop_assert_eq!(brute(&sa.union(&sb).prefixes()), &ba | &bb);
            prop_assert_eq!(brute(&sa.intersection(&sb).prefixes()), &ba & &bb);
            prop_assert_eq!(brute(&sa.difference(&sb).prefixes()), &ba - &bb);
            prop_assert_eq!(sa.intersects(&sb), !(&ba & &bb).is_empty());
            prop_assert_eq!(sa.is_superset(&sb), bb.is_subset(&ba));
            for q in &b {
                let bq = brute(std::slice::from_ref(q));
                prop_assert_eq!(sa.contains(q), bq.is_subset(&ba));
                prop_assert_eq!(sa.overlaps(q), !(&bq & &ba).is_empty());
            }
        }

        #[test]
        fn aggregation_is_exact_minimal_and_disjoint(a in prop::collection::vec(small_prefix(), 0..6)) {
            let s: PrefixSet = a.iter().collect();
            let agg = s.prefixes();
            prop_assert_eq!(brute(&agg), brute(&a));
            // Disjoint, sorted, and no two neighbours could merge into one block.
            for w in agg.windows(2) {
                prop_assert!(w[0].end_int() < w[1].start_int());
                let merged = w[0].len() == w[1].len()
                    && w[0].end_int() + 1 == w[1].start_int()
                    && w[0].start_int() % (w[0].size() * 2) == 0;
                prop_assert!(!merged, "{} and {} should have been one block", w[0], w[1]);
            }
            // Round trip through the aggregate gives the same canonical set.
            prop_assert_eq!(agg.iter().collect::<PrefixSet>(), s);
        }

        #[test]
        fn first_free_is_free_aligned_and_lowest(taken in prop::collection::vec(small_prefix(), 0..6),
                                                 len in 24u8..=32) {
            let within = p("10.0.0.0/24");
            let s: PrefixSet = taken.iter().collect();
            let bt = brute(&taken);
            let size = 1u128 << (32 - len);
            let expected = (0..256u128 / size)
                .map(|k| within.start_int() + k * size)
                .find(|&start| (start..start + size).all(|a| !bt.contains(&a)));
            let got = s.first_free(&within, len);
            prop_assert_eq!(got.map(|g| g.start_int()), expected);
            if let Some(g) = got {
                prop_assert_eq!(g.len(), len);
                prop_assert!(!s.overlaps(&g));
                prop_assert!(within.contains(&g));
            }
        }
    }

    #[test]
    fn aggregates_classic_cases() {
        let s: PrefixSet = [p("10.0.0.0/25"), p("10.0.0.128/25"), p("10.0.1.0/24")]
            .into_iter()
            .collect();
        assert_eq!(s.to_string(), "10.0.0.0/23");
        let all = PrefixSet::everything();
        assert_eq!(all.to_string(), "0.0.0.0/0, ::/0");
        let rfc1918: PrefixSet = [p("10.0.0.0/8"), p("172.16.0.0/12"), p("192.168.0.0/16")]
            .into_iter()
            .collect();
        let hole = all.difference(&rfc1918);
        assert!(!hole.overlaps(&p("10.1.0.0/16")));
        assert!(hole.contains(&p("8.8.8.8/32")));
        assert_eq!(PrefixSet::new().to_string(), "(none)");
    }

    #[test]
    fn first_free_skips_taken_space() {
        let taken: PrefixSet = [p("10.240.0.0/24"), p("10.240.1.0/26")]
            .into_iter()
            .collect();
        let within = p("10.240.0.0/16");
        assert_eq!(taken.first_free(&within, 26), Some(p("10.240.1.64/26")));
        assert_eq!(taken.first_free(&within, 24), Some(p("10.240.2.0/24")));
        assert_eq!(taken.first_free(&within, 15), None);
        assert_eq!(PrefixSet::everything().first_free(&within, 24), None);
    }
}
