//! Transport ports.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::interval::IntervalSet;
use crate::prefix::ParseError;

/// An inclusive range of ports, `start..=end`; `*` is `0-65535`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortRange {
    /// First port.
    pub start: u16,
    /// Last port (inclusive).
    pub end: u16,
}

impl PortRange {
    /// Every port.
    pub const ANY: PortRange = PortRange {
        start: 0,
        end: u16::MAX,
    };

    /// A single port.
    pub const fn single(port: u16) -> Self {
        Self {
            start: port,
            end: port,
        }
    }

    /// `start..=end`, or `None` when `start > end`.
    pub fn new(start: u16, end: u16) -> Option<Self> {
        (start <= end).then_some(Self { start, end })
    }

    /// True when `port` is in the range.
    pub fn contains(&self, port: u16) -> bool {
        self.start <= port && port <= self.end
    }

    /// Number of ports in the range.
    pub fn count(&self) -> u32 {
        u32::from(self.end - self.start) + 1
    }
}

impl FromStr for PortRange {
    type Err = ParseError;
    /// Accepts `N`, `A-B` and `*` (Azure's spelling for any port).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t == "*" {
            return Ok(Self::ANY);
        }
        let bad = || ParseError::NotAPort(s.to_string());
        let num = |x: &str| x.trim().parse::<u16>().map_err(|_| bad());
        match t.split_once('-') {
            Some((a, b)) => Self::new(num(a)?, num(b)?).ok_or_else(bad),
            None => num(t).map(Self::single),
        }
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Self::ANY {
            f.write_str("*")
        } else if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

impl Serialize for PortRange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PortRange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Num(u16),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Num(n) => Ok(Self::single(n)),
            Raw::Text(t) => t.parse().map_err(serde::de::Error::custom),
        }
    }
}

/// Any set of ports, canonical (sorted, disjoint, merged ranges).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortSet(IntervalSet);

impl PortSet {
    /// No port.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every port.
    pub fn any() -> Self {
        PortRange::ANY.into()
    }

    /// Adds a range.
    pub fn insert(&mut self, r: PortRange) {
        self.0.insert(u128::from(r.start), u128::from(r.end));
    }

    /// True when no port is in the set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when `port` is in the set.
    pub fn contains(&self, port: u16) -> bool {
        self.0.contains(u128::from(port))
    }

    /// True when every port of `r` is in the set.
    pub fn covers(&self, r: PortRange) -> bool {
        self.0.covers(u128::from(r.start), u128::from(r.end))
    }

    /// Ports in either set.
    pub fn union(&self, o: &Self) -> Self {
        Self(self.0.union(&o.0))
    }

    /// Ports in both sets.
    pub fn intersection(&self, o: &Self) -> Self {
        Self(self.0.intersection(&o.0))
    }

    /// Ports in `self` and not in `o`.
    pub fn difference(&self, o: &Self) -> Self {
        Self(self.0.difference(&o.0))
    }

    /// The set as sorted, merged ranges.
    pub fn ranges(&self) -> Vec<PortRange> {
        self.0
            .ranges()
            .iter()
            .map(|&(s, e)| PortRange {
                start: s as u16,
                end: e as u16,
            })
            .collect()
    }
}

impl From<PortRange> for PortSet {
    fn from(r: PortRange) -> Self {
        let mut s = Self::new();
        s.insert(r);
        s
    }
}

impl FromIterator<PortRange> for PortSet {
    fn from_iter<I: IntoIterator<Item = PortRange>>(iter: I) -> Self {
        let mut s = Self::new();
        for r in iter {
            s.insert(r);
        }
        s
    }
}

impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.ranges().iter().map(|r| r.to_string()).collect();
        if parts.is_empty() {
            f.write_str("(none)")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_azure_port_spellings() {
        assert_eq!("443".parse::<PortRange>().unwrap(), PortRange::single(443));
        assert_eq!(
            "65200-65535".parse::<PortRange>().unwrap(),
            PortRange::new(65200, 65535).unwrap()
        );
        assert_eq!("*".parse::<PortRange>().unwrap(), PortRange::ANY);
        for bad in ["", "70000", "90-80", "a-b", "-1", "1-"] {
            assert!(bad.parse::<PortRange>().is_err(), "{bad}");
        }
    }

    #[test]
    fn renders_merged_ranges() {
        let s: PortSet = ["80", "443", "8080-8090", "8085-8100", "81"]
            .iter()
            .map(|x| x.parse().unwrap())
            .collect();
        assert_eq!(s.to_string(), "80-81, 443, 8080-8100");
        assert_eq!(PortSet::any().to_string(), "*");
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(a in any::<u16>(), b in any::<u16>()) {
            let r = PortRange::new(a.min(b), a.max(b)).unwrap();
            prop_assert_eq!(r.to_string().parse::<PortRange>().unwrap(), r);
            prop_assert_eq!(r.count(), u32::from(a.max(b) - a.min(b)) + 1);
        }
    }
}
