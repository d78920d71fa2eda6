//! One CIDR block.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An address family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// IPv4, 32-bit addresses.
    V4,
    /// IPv6, 128-bit addresses.
    V6,
}

impl Family {
    /// Number of bits in an address of this family.
    pub fn bits(self) -> u8 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }
}

/// Why a prefix, port or protocol string did not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not an address or CIDR block at all.
    #[error("`{0}` is not an IP address or CIDR block (expected e.g. 10.240.0.0/16)")]
    NotAPrefix(String),
    /// A CIDR block with host bits set, such as `10.0.0.1/24`.
    #[error("`{given}` has host bits set; the network address is `{canonical}`")]
    HostBitsSet {
        /// What was written.
        given: String,
        /// The network address it probably meant.
        canonical: String,
    },
    /// A port or port range that is not `N`, `A-B` or `*` within 0–65535.
    #[error("`{0}` is not a port or port range (expected N, A-B or *, within 0-65535)")]
    NotAPort(String),
    /// An unknown protocol name.
    #[error("`{0}` is not a protocol (expected tcp, udp, icmp, esp, ah or *)")]
    NotAProtocol(String),
}

/// A CIDR block, IPv4 or IPv6, always in canonical form (host bits zero).
///
/// Ordering is by family, then network address, then length, so sorted lists of prefixes read
/// the way an address plan does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Prefix(IpNet);

impl Prefix {
    /// Parses a CIDR block strictly: host bits must be zero. A bare address is a /32 (or /128).
    pub fn parse_strict(s: &str) -> Result<Self, ParseError> {
        let trimmed = s.trim();
        if let Ok(given) = trimmed.parse::<IpNet>() {
            let p = Self(given.trunc());
            if given.addr() != given.network() {
                return Err(ParseError::HostBitsSet {
                    given: trimmed.to_string(),
                    canonical: p.to_string(),
                });
            }
            return Ok(p);
        }
        Self::parse_lenient(s)
    }

    /// Parses a CIDR block, truncating host bits (`10.0.0.1/24` → `10.0.0.0/24`).
    pub fn parse_lenient(s: &str) -> Result<Self, ParseError> {
        let t = s.trim();
        if let Ok(net) = t.parse::<IpNet>() {
            return Ok(Self(net.trunc()));
        }
        t.parse::<IpAddr>()
            .map(|a| Self(IpNet::from(a)))
            .map_err(|_| ParseError::NotAPrefix(s.to_string()))
    }

    /// Builds a prefix from an address and a length, truncating host bits.
    /// Returns `None` when the length exceeds the family's bit width.
    pub fn new(addr: IpAddr, len: u8) -> Option<Self> {
        IpNet::new(addr, len).ok().map(|n| Self(n.trunc()))
    }

    /// The prefix of `len` bits whose first address is the integer `start` in `family`.
    pub(crate) fn from_int(family: Family, start: u128, len: u8) -> Self {
        let net = match family {
            Family::V4 => IpNet::V4(
                Ipv4Net::new(std::net::Ipv4Addr::from(start as u32), len).expect("len <= 32"),
            ),
            Family::V6 => {
                IpNet::V6(Ipv6Net::new(std::net::Ipv6Addr::from(start), len).expect("len <= 128"))
            }
        };
        Self(net)
    }

    /// The family of this prefix.
    pub fn family(&self) -> Family {
        match self.0 {
            IpNet::V4(_) => Family::V4,
            IpNet::V6(_) => Family::V6,
        }
    }

    /// The prefix length.
    pub fn len(&self) -> u8 {
        self.0.prefix_len()
    }

    /// Never true: a prefix holds at least one address. Present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The network (first) address.
    pub fn network(&self) -> IpAddr {
        self.0.network()
    }

    /// The last address (the broadcast address for IPv4).
    pub fn last(&self) -> IpAddr {
        self.0.broadcast()
    }

    /// The first address as an integer.
    pub fn start_int(&self) -> u128 {
        addr_to_int(self.0.network())
    }

    /// The last address as an integer.
    pub fn end_int(&self) -> u128 {
        addr_to_int(self.0.broadcast())
    }

    /// Number of addresses in the block (saturating for a /0 IPv6 block).
    pub fn size(&self) -> u128 {
        let host_bits = u32::from(self.family().bits() - self.len());
        1u128.checked_shl(host_bits).unwrap_or(u128::MAX)
    }

    /// The `n`-th address of the block (0 = the network address), if the block is large enough.
    pub fn nth(&self, n: u128) -> Option<IpAddr> {
        (n < self.size()).then(|| int_to_addr(self.family(), self.start_int() + n))
    }

    /// True when `other` lies entirely inside this block.
    pub fn contains(&self, other: &Prefix) -> bool {
        self.0.contains(&other.0)
    }

    /// True when `addr` lies inside this block.
    pub fn contains_addr(&self, addr: IpAddr) -> bool {
        self.0.contains(&addr)
    }

    /// True when the two blocks share at least one address.
    pub fn overlaps(&self, other: &Prefix) -> bool {
        self.family() == other.family() && (self.contains(other) || other.contains(self))
    }

    /// The underlying `ipnet` value.
    pub fn as_ipnet(&self) -> IpNet {
        self.0
    }
}

/// An address as an unsigned integer (IPv4 in the low 32 bits).
pub(crate) fn addr_to_int(addr: IpAddr) -> u128 {
    match addr {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

/// The address of `family` whose integer value is `v`.
pub(crate) fn int_to_addr(family: Family, v: u128) -> IpAddr {
    match family {
        Family::V4 => IpAddr::V4(std::net::Ipv4Addr::from(v as u32)),
        Family::V6 => IpAddr::V6(std::net::Ipv6Addr::from(v)),
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for Prefix {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse_strict(s)
    }
}

impl From<IpNet> for Prefix {
    fn from(n: IpNet) -> Self {
        Self(n.trunc())
    }
}

impl From<IpAddr> for Prefix {
    fn from(a: IpAddr) -> Self {
        Self(IpNet::from(a))
    }
}

impl Serialize for Prefix {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Prefix {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Prefix::parse_strict(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Prefix {
        s.parse().unwrap()
    }

    #[test]
    fn parses_and_prints_canonically() {
        assert_eq!(p("10.240.0.0/16").to_string(), "10.240.0.0/16");
        assert_eq!(p("10.1.2.3").to_string(), "10.1.2.3/32");
        assert_eq!(p("fd00::/64").to_string(), "fd00::/64");
        assert_eq!(
            Prefix::parse_lenient("10.0.0.1/24").unwrap().to_string(),
            "10.0.0.0/24"
        );
    }

    #[test]
    fn strict_parse_rejects_host_bits_and_garbage() {
        assert_eq!(
            "10.0.0.1/24".parse::<Prefix>(),
            Err(ParseError::HostBitsSet {
                given: "10.0.0.1/24".into(),
                canonical: "10.0.0.0/24".into()
            })
        );
        assert!(matches!(
            "10.0.0.0/33".parse::<Prefix>(),
            Err(ParseError::NotAPrefix(_))
        ));
        assert!("banana".parse::<Prefix>().is_err());
        assert!("".parse::<Prefix>().is_err());
    }

    #[test]
    fn containment_and_overlap() {
        assert!(p("10.0.0.0/8").contains(&p("10.240.0.0/16")));
        assert!(!p("10.240.0.0/16").contains(&p("10.0.0.0/8")));
        assert!(p("10.240.0.0/16").overlaps(&p("10.0.0.0/8")));
        assert!(!p("10.240.0.0/16").overlaps(&p("10.241.0.0/16")));
        assert!(!p("10.0.0.0/8").overlaps(&p("fd00::/8")));
    }

    #[test]
    fn sizes_and_nth() {
        assert_eq!(p("10.0.0.0/24").size(), 256);
        assert_eq!(p("0.0.0.0/0").size(), 1 << 32);
        assert_eq!(p("::/0").size(), u128::MAX);
        assert_eq!(p("10.0.0.0/24").nth(10).unwrap().to_string(), "10.0.0.10");
        assert_eq!(p("10.0.0.0/30").nth(4), None);
    }
}
