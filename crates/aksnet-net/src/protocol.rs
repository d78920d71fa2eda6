//! IP protocols.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::prefix::ParseError;

/// One IP protocol that Azure virtual networks carry (TCP, UDP, ICMP, ESP, AH).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    /// TCP (6).
    Tcp,
    /// UDP (17).
    Udp,
    /// ICMP (1).
    Icmp,
    /// ESP (50).
    Esp,
    /// AH (51).
    Ah,
}

impl Protocol {
    /// All protocols, in a fixed order.
    pub const ALL: [Protocol; 5] = [
        Protocol::Tcp,
        Protocol::Udp,
        Protocol::Icmp,
        Protocol::Esp,
        Protocol::Ah,
    ];

    /// True for protocols that have ports.
    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
            Protocol::Esp => "esp",
            Protocol::Ah => "ah",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Protocol {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Protocol::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| ParseError::NotAProtocol(s.to_string()))
    }
}

/// A set of protocols. `*` / `Any` is every protocol in [`Protocol::ALL`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProtocolSet(u8);

impl ProtocolSet {
    /// No protocol.
    pub const NONE: ProtocolSet = ProtocolSet(0);
    /// Every protocol.
    pub const ANY: ProtocolSet = ProtocolSet(0b1_1111);

    /// True when `p` is in the set.
    pub fn contains(self, p: Protocol) -> bool {
        self.0 & p.bit() != 0
    }

    /// Adds `p`.
    pub fn insert(&mut self, p: Protocol) {
        self.0 |= p.bit();
    }

    /// True when the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Protocols in either set.
    pub fn union(self, o: Self) -> Self {
        Self(self.0 | o.0)
    }

    /// Protocols in both sets.
    pub fn intersection(self, o: Self) -> Self {
        Self(self.0 & o.0)
    }

    /// Protocols in `self` and not in `o`.
    pub fn difference(self, o: Self) -> Self {
        Self(self.0 & !o.0)
    }

    /// The protocols, in [`Protocol::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Protocol> {
        Protocol::ALL.into_iter().filter(move |p| self.contains(*p))
    }
}

impl From<Protocol> for ProtocolSet {
    fn from(p: Protocol) -> Self {
        Self(p.bit())
    }
}

impl FromStr for ProtocolSet {
    type Err = ParseError;
    /// Accepts one protocol name or `*` / `any` (case-insensitive, as ARM does).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t == "*" || t.eq_ignore_ascii_case("any") {
            return Ok(Self::ANY);
        }
        t.parse::<Protocol>().map(Self::from)
    }
}

impl fmt::Display for ProtocolSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Self::ANY {
            return f.write_str("*");
        }
        let names: Vec<&str> = self.iter().map(Protocol::name).collect();
        f.write_str(&names.join("|"))
    }
}

impl Serialize for Protocol {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Protocol {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_arm_spellings_case_insensitively() {
        assert_eq!("Tcp".parse::<Protocol>().unwrap(), Protocol::Tcp);
        assert_eq!("UDP".parse::<Protocol>().unwrap(), Protocol::Udp);
        assert_eq!("*".parse::<ProtocolSet>().unwrap(), ProtocolSet::ANY);
        assert_eq!("Any".parse::<ProtocolSet>().unwrap(), ProtocolSet::ANY);
        assert!("gre".parse::<Protocol>().is_err());
    }

    #[test]
    fn set_operations() {
        let tcp = ProtocolSet::from(Protocol::Tcp);
        let mut web = tcp;
        web.insert(Protocol::Udp);
        assert_eq!(web.to_string(), "tcp|udp");
        assert_eq!(ProtocolSet::ANY.difference(web).iter().count(), 3);
        assert_eq!(web.intersection(tcp), tcp);
        assert!(ProtocolSet::NONE.is_empty());
        assert_eq!(ProtocolSet::NONE.union(tcp), tcp);
    }
}
