//! Sets of unsigned integers stored as sorted, disjoint, non-adjacent closed intervals.

use serde::{Deserialize, Serialize};

/// A set of `u128` values kept as sorted, disjoint, non-adjacent closed intervals.
///
/// This is the canonical form behind [`crate::PrefixSet`] and [`crate::PortSet`]: two sets are
/// equal exactly when their interval lists are equal.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IntervalSet {
    ranges: Vec<(u128, u128)>,
}

impl IntervalSet {
    /// The empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The set holding every value from `start` to `end` inclusive (empty if `start > end`).
    pub fn from_range(start: u128, end: u128) -> Self {
        let mut set = Self::new();
        set.insert(start, end);
        set
    }

    /// The intervals, sorted and disjoint.
    pub fn ranges(&self) -> &[(u128, u128)] {
        &self.ranges
    }

    /// True when the set holds no value.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Number of values in the set (saturating at `u128::MAX`).
    pub fn len(&self) -> u128 {
        self.ranges.iter().fold(0u128, |acc, (s, e)| {
            acc.saturating_add((e - s).saturating_add(1))
        })
    }

    /// Adds every value from `start` to `end` inclusive.
    pub fn insert(&mut self, start: u128, end: u128) {
        if start > end {
            return;
        }
        // First interval that could touch [start, end]: its end + 1 >= start.
        let lo = self
            .ranges
            .partition_point(|&(_, e)| e.saturating_add(1) < start);
        // First interval entirely after: its start > end + 1.
        let hi = self
            .ranges
            .partition_point(|&(s, _)| s <= end.saturating_add(1));
        if lo >= hi {
            self.ranges.insert(lo, (start, end));
            return;
        }
        let merged = (start.min(self.ranges[lo].0), end.max(self.ranges[hi - 1].1));
        self.ranges.splice(lo..hi, std::iter::once(merged));
    }

    /// True when `value` is in the set.
    pub fn contains(&self, value: u128) -> bool {
        self.covers(value, value)
    }

    /// True when every value from `start` to `end` is in the set.
    pub fn covers(&self, start: u128, end: u128) -> bool {
        let i = self.ranges.partition_point(|&(_, e)| e < start);
        self.ranges
            .get(i)
            .is_some_and(|&(s, e)| s <= start && end <= e)
    }

    /// True when some value from `start` to `end` is in the set.
    pub fn intersects_range(&self, start: u128, end: u128) -> bool {
        let i = self.ranges.partition_point(|&(_, e)| e < start);
        self.ranges.get(i).is_some_and(|&(s, _)| s <= end)
    }

    /// Values in either set.
    pub fn union(&self, other: &Self) -> Self {
        let mut out = self.clone();
        for &(s, e) in &other.ranges {
            out.insert(s, e);
        }
        out
    }

    /// Values in both sets.
    pub fn intersection(&self, other: &Self) -> Self {
        let (mut i, mut j) = (0, 0);
        let mut ranges = Vec::new();
        while i < self.ranges.len() && j < other.ranges.len() {
            let (a0, a1) = self.ranges[i];
            let (b0, b1) = other.ranges[j];
            let (s, e) = (a0.max(b0), a1.min(b1));
            if s <= e {
                ranges.push((s, e));
            }
            if a1 < b1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        Self { ranges }
    }

    /// Values in `self` and not in `other`.
    pub fn difference(&self, other: &Self) -> Self {
        let mut ranges = Vec::new();
        let mut j = 0;
        for &(s, e) in &self.ranges {
            let mut cur = s;
            let mut open = true;
            while j < other.ranges.len() && other.ranges[j].1 < cur {
                j += 1;
            }
            let mut k = j;
            while k < other.ranges.len() && other.ranges[k].0 <= e {
                let (b0, b1) = other.ranges[k];
                if b0 > cur {
                    ranges.push((cur, b0 - 1));
                }
                if b1 >= e {
                    open = false;
                    break;
                }
                cur = cur.max(b1 + 1);
                k += 1;
            }
            if open {
                ranges.push((cur, e));
            }
        }
        Self { ranges }
    }

    /// True when the two sets share a value.
    pub fn intersects(&self, other: &Self) -> bool {
        // Both lists are sorted and disjoint: walk them together, without building the
        // intersection.
        let (mut i, mut j) = (0, 0);
        while let (Some(&(a, b)), Some(&(c, d))) = (self.ranges.get(i), other.ranges.get(j)) {
            if b < c {
                i += 1;
            } else if d < a {
                j += 1;
            } else {
                return true;
            }
        }
        false
    }

    /// True when every value of `other` is in `self`.
    pub fn is_superset(&self, other: &Self) -> bool {
        other.difference(self).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn brute(ranges: &[(u8, u8)]) -> BTreeSet<u128> {
        ranges
            .iter()
            .flat_map(|&(a, b)| (a.min(b) as u128)..=(a.max(b) as u128))
            .collect()
    }

    fn build(ranges: &[(u8, u8)]) -> IntervalSet {
        let mut s = IntervalSet::new();
        for &(a, b) in ranges {
            s.insert(a.min(b) as u128, a.max(b) as u128);
        }
        s
    }

    fn members(s: &IntervalSet) -> BTreeSet<u128> {
        s.ranges().iter().flat_map(|&(a, b)| a..=b).collect()
    }

    fn canonical(s: &IntervalSet) -> bool {
        s.ranges()
            .windows(2)
            .all(|w| w[0].1.saturating_add(1) < w[1].0)
            && s.ranges().iter().all(|(a, b)| a <= b)
    }

    proptest! {
        #[test]
        fn algebra_matches_brute_force(a in prop::collection::vec((any::<u8>(), any::<u8>()), 0..6),
                                       b in prop::collection::vec((any::<u8>(), any::<u8>()), 0..6)) {
            let (sa, sb) = (build(&a), build(&b));
            let (ba, bb) = (brute(&a), brute(&b));
            for s in [&sa, &sb] { prop_assert!(canonical(s)); }
            prop_assert_eq!(members(&sa), ba.clone());
            let u = sa.union(&sb);
            let i = sa.intersection(&sb);
            let d = sa.difference(&sb);
            prop_assert!(canonical(&u) && canonical(&i) && canonical(&d));
            prop_assert_eq!(members(&u), &ba | &bb);
            prop_assert_eq!(members(&i), &ba & &bb);
            prop_assert_eq!(members(&d), &ba - &bb);
            prop_assert_eq!(sa.intersects(&sb), !(&ba & &bb).is_empty());
            prop_assert_eq!(sa.is_superset(&sb), bb.is_subset(&ba));
            prop_assert_eq!(sa.len(), ba.len() as u128);
        }

        #[test]
        fn covers_and_intersects_range(a in prop::collection::vec((any::<u8>(), any::<u8>()), 0..6),
                                       x in any::<u8>(), y in any::<u8>()) {
            let s = build(&a);
            let b = brute(&a);
            let (lo, hi) = (x.min(y) as u128, x.max(y) as u128);
            prop_assert_eq!(s.covers(lo, hi), (lo..=hi).all(|v| b.contains(&v)));
            prop_assert_eq!(s.intersects_range(lo, hi), (lo..=hi).any(|v| b.contains(&v)));
        }
    }

    #[test]
    fn extremes_do_not_overflow() {
        let mut s = IntervalSet::from_range(0, u128::MAX);
        s.insert(5, 9);
        assert_eq!(s.ranges(), &[(0, u128::MAX)]);
        let d = s.difference(&IntervalSet::from_range(u128::MAX, u128::MAX));
        assert_eq!(d.ranges(), &[(0, u128::MAX - 1)]);
        assert_eq!(s.len(), u128::MAX);
    }
}
