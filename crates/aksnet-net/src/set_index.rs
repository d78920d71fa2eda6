//! Which of many prefix sets hold an address, without testing each: a firewall's thousands of
//! rules each name a source set, and one packet asks which of them hold its source.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::prefix::{Family, Prefix};
use crate::prefix_set::PrefixSet;

/// A list of [`PrefixSet`]s indexed by the CIDR blocks each is made of
/// ([`PrefixSet::prefixes`], which are disjoint): an address lies in a set exactly when one of
/// the set's blocks holds it, and a block holding the address is found by truncating the
/// address to each block length the list uses. Memory is the total number of blocks; a lookup
/// costs one hash probe per distinct length (at most 33 for IPv4, 129 for IPv6) plus the sets
/// found.
#[derive(Clone, Debug, Default)]
pub struct SetIndex {
    /// Block → positions (ascending) of the sets made of it.
    by_block: HashMap<Prefix, Vec<u32>>,
    /// The block lengths in use, per family (IPv4, IPv6), ascending.
    lengths: [Vec<u8>; 2],
}

fn slot(f: Family) -> usize {
    match f {
        Family::V4 => 0,
        Family::V6 => 1,
    }
}

impl SetIndex {
    /// Indexes `sets` by their position in the iteration.
    pub fn new<'a>(sets: impl IntoIterator<Item = &'a PrefixSet>) -> Self {
        let mut ix = SetIndex::default();
        for (i, set) in sets.into_iter().enumerate() {
            let i = u32::try_from(i).expect("fewer than 2^32 sets");
            for p in set.prefixes() {
                ix.by_block.entry(p).or_default().push(i);
                ix.lengths[slot(p.family())].push(p.len());
            }
        }
        for l in &mut ix.lengths {
            l.sort_unstable();
            l.dedup();
        }
        ix
    }

    /// The positions of the sets holding `addr`, ascending.
    pub fn holding(&self, addr: IpAddr) -> Vec<usize> {
        let mut out: Vec<usize> = self.lengths[slot(Prefix::from(addr).family())]
            .iter()
            .filter_map(|&len| self.by_block.get(&Prefix::new(addr, len)?))
            .flatten()
            .map(|&i| i as usize)
            .collect();
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn v4(a: u32) -> IpAddr {
        IpAddr::V4(a.into())
    }

    proptest! {
        /// Equal to testing each set, on sets of random ranges (which break into blocks of many
        /// lengths) and addresses near their edges.
        #[test]
        fn holding_is_each_set_tested_in_turn(
            ranges in prop::collection::vec(prop::collection::vec((0u32..4096, 0u32..600), 0..4), 0..40),
            probes in prop::collection::vec(0u32..5000, 1..60),
        ) {
            let base = 0x0a00_0000u32;
            let sets: Vec<PrefixSet> = ranges
                .iter()
                .map(|rs| {
                    let mut s = PrefixSet::new();
                    for &(from, len) in rs {
                        let r = PrefixSet::from_range(v4(base + from), v4(base + from + len)).unwrap();
                        s = s.union(&r);
                    }
                    s
                })
                .collect();
            let ix = SetIndex::new(&sets);
            for p in probes {
                let a = v4(base + p);
                let expected: Vec<usize> =
                    (0..sets.len()).filter(|&i| sets[i].contains_addr(a)).collect();
                prop_assert_eq!(ix.holding(a), expected);
            }
        }
    }

    #[test]
    fn both_families_and_everything() {
        let sets = [
            PrefixSet::everything(),
            "2001:db8::/32"
                .parse::<Prefix>()
                .map(|p| {
                    let mut s = PrefixSet::new();
                    s.insert(p);
                    s
                })
                .unwrap(),
            PrefixSet::new(),
        ];
        let ix = SetIndex::new(&sets);
        assert_eq!(ix.holding("2001:db8::1".parse().unwrap()), vec![0, 1]);
        assert_eq!(ix.holding("2001:db9::1".parse().unwrap()), vec![0]);
        assert_eq!(ix.holding(v4(1)), vec![0]);
    }
}
