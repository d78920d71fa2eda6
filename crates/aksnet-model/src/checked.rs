//! The values Azure accepts for the free-text properties the model keeps as text (NSG protocols,
//! ports and addresses, route destinations, firewall rule ports and protocols), checked where
//! they are read: a value Azure refuses is an error at its JSON path, never a rule or route that
//! silently matches nothing. Each check names its source.

use std::fmt;

use aksnet_net::{PortRange, Prefix};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a value is not one Azure accepts.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` {why}")]
pub struct InvalidValue {
    /// The value as written.
    pub value: String,
    /// What is wrong with it.
    pub why: String,
}

fn invalid(value: &str, why: impl Into<String>) -> InvalidValue {
    InvalidValue {
        value: value.to_string(),
        why: why.into(),
    }
}

/// NSG rule protocols: the `SecurityRuleProtocol` enum of the REST spec (`Tcp`, `Udp`, `Icmp`,
/// `Esp`, `Ah`, `*`) [SCHEMA-NRP] azure-semantics §3.1, matched case-insensitively as ARM does.
pub fn nsg_protocol(value: &str) -> Result<(), InvalidValue> {
    const ALLOWED: [&str; 6] = ["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"];
    if ALLOWED.iter().any(|a| a.eq_ignore_ascii_case(value.trim())) {
        Ok(())
    } else {
        Err(invalid(
            value,
            "is not an NSG protocol (Azure accepts Tcp, Udp, Icmp, Esp, Ah or *)",
        ))
    }
}

/// A port or port range as NSG rules and firewall network and NAT rules write them: `*`, `N` or
/// `A-B` with 0 ≤ A ≤ B ≤ 65535 [NSG] azure-semantics §3.1.
pub fn port_range(value: &str) -> Result<PortRange, InvalidValue> {
    let t = value.trim();
    if let Some((a, b)) = t.split_once('-') {
        if let (Ok(a), Ok(b)) = (a.trim().parse::<u32>(), b.trim().parse::<u32>()) {
            if a > b && b <= 65535 {
                return Err(invalid(
                    value,
                    format!("has its ends swapped (write {b}-{a})"),
                ));
            }
        }
    }
    t.parse::<PortRange>().map_err(|_| {
        invalid(
            value,
            "is not a port or port range (Azure accepts *, N or A-B within 0-65535)",
        )
    })
}

/// An address field of an NSG or firewall rule that looks like an address (it starts with a
/// digit or holds `:` or `/`) must be an IP address or a CIDR; anything else is a tag or `*`,
/// resolved (or left unknown) by the engine [NSG] azure-semantics §3.1. Host bits in such a CIDR
/// are accepted: whether Azure normalises or refuses them on NSG rules is not documented.
pub fn rule_address(value: &str) -> Result<(), InvalidValue> {
    let t = value.trim();
    if t.is_empty() {
        return Err(invalid(
            value,
            "is empty (write *, an address, a CIDR or a tag)",
        ));
    }
    if is_rule_address(t) {
        Prefix::parse_lenient(t).map_err(|e| invalid(value, format!("is not an address: {e}")))?;
    }
    Ok(())
}

/// Whether an NSG or firewall rule's address field is written as an address or CIDR (it
/// starts with a digit or holds `:` or `/`) rather than a tag or `*` [NSG] azure-semantics §3.1.
pub fn is_rule_address(value: &str) -> bool {
    let t = value.trim();
    t.starts_with(|c: char| c.is_ascii_digit()) || t.contains(':') || t.contains('/')
}

/// A private address of a network interface's IP configuration: an IP address, or for an IP
/// prefix configuration a CIDR without host bits (`172.20.2.16/28`) [NIC] azure-semantics §1.
pub fn interface_address(value: &str) -> Result<(), InvalidValue> {
    let t = value.trim();
    if t.parse::<std::net::IpAddr>().is_ok() || (t.contains('/') && Prefix::parse_strict(t).is_ok())
    {
        Ok(())
    } else {
        Err(invalid(
            value,
            "is not an IP address (or, for an IP prefix configuration, a CIDR)",
        ))
    }
}

/// A DNS server or target address: an IP address (VNet `dhcpOptions.dnsServers`, a firewall
/// policy's DNS servers, a forwarding rule's targets; Azure accepts only addresses there). A NIC
/// may also name `AzureProvidedDNS` ([`nic_dns_server`]).
pub fn ip_address(value: &str) -> Result<(), InvalidValue> {
    value
        .trim()
        .parse::<std::net::IpAddr>()
        .map(|_| ())
        .map_err(|_| invalid(value, "is not an IP address"))
}

/// A NIC's DNS server: an IP address or `AzureProvidedDNS` [NIC-DNS].
pub fn nic_dns_server(value: &str) -> Result<(), InvalidValue> {
    if value.trim().eq_ignore_ascii_case("AzureProvidedDNS") {
        return Ok(());
    }
    ip_address(value).map_err(|_| invalid(value, "is neither an IP address nor AzureProvidedDNS"))
}

/// One of the values of an ARM enum Azure keeps as text (matched case-insensitively).
fn one_of(value: &str, allowed: &[&str]) -> Result<(), InvalidValue> {
    if allowed.iter().any(|a| a.eq_ignore_ascii_case(value.trim())) {
        Ok(())
    } else {
        Err(invalid(
            value,
            format!("is not one of {}", allowed.join(", ")),
        ))
    }
}

/// A forwarding rule's state: `Enabled` or `Disabled` (`ForwardingRuleState`, REST spec
/// dnsresolver).
pub fn forwarding_rule_state(value: &str) -> Result<(), InvalidValue> {
    one_of(value, &["Enabled", "Disabled"])
}

/// An address allocation method: `Static` or `Dynamic` (`IpAllocationMethod`, REST spec).
pub fn allocation_method(value: &str) -> Result<(), InvalidValue> {
    one_of(value, &["Static", "Dynamic"])
}

/// Firewall network and NAT rule protocols: `TCP`, `UDP`, `ICMP` or `Any`
/// (`AzureFirewallNetworkRuleProtocol`, REST spec) azure-semantics §4.
pub fn firewall_protocol(value: &str) -> Result<(), InvalidValue> {
    const ALLOWED: [&str; 4] = ["TCP", "UDP", "ICMP", "Any"];
    if ALLOWED.iter().any(|a| a.eq_ignore_ascii_case(value.trim())) {
        Ok(())
    } else {
        Err(invalid(
            value,
            "is not a firewall rule protocol (Azure accepts TCP, UDP, ICMP or Any)",
        ))
    }
}

/// Service tags Azure refuses as route prefixes [TAGS] azure-semantics §2.3 item 5.
pub const NOT_ROUTABLE_TAGS: [&str; 6] = [
    "AzurePlatformDNS",
    "AzurePlatformIMDS",
    "AzurePlatformLKM",
    "VirtualNetwork",
    "AzureLoadBalancer",
    "Internet",
];

/// A user-defined route's destination: a CIDR, or a service tag (Azure expands it to the tag's
/// prefixes) [UDR] azure-semantics §2.3 item 5.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RouteDestination {
    /// A CIDR without host bits.
    Prefix(Prefix),
    /// A service tag, e.g. `AzureCloud` or `Storage.WestEurope`.
    ServiceTag(String),
}

impl RouteDestination {
    /// Reads a route's `addressPrefix`: a CIDR must have no host bits and a length in range; a
    /// name is a service tag, unless it is one Azure refuses as a route prefix.
    pub fn parse(value: &str) -> Result<Self, InvalidValue> {
        let t = value.trim();
        if t.is_empty() {
            return Err(invalid(value, "is empty (write a CIDR or a service tag)"));
        }
        let looks_like_address =
            t.starts_with(|c: char| c.is_ascii_digit()) || t.contains(':') || t.contains('/');
        if looks_like_address {
            return Prefix::parse_strict(t)
                .map(RouteDestination::Prefix)
                .map_err(|e| invalid(value, format!("is not a route prefix: {e}")));
        }
        let tag_chars = t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-');
        if !tag_chars {
            return Err(invalid(value, "is neither a CIDR nor a service tag name"));
        }
        if let Some(tag) = NOT_ROUTABLE_TAGS.iter().find(|n| n.eq_ignore_ascii_case(t)) {
            return Err(invalid(
                value,
                format!("names {tag}, a service tag Azure does not accept as a route prefix"),
            ));
        }
        Ok(RouteDestination::ServiceTag(t.to_string()))
    }

    /// The prefix, for a CIDR destination.
    pub fn prefix(&self) -> Option<Prefix> {
        match self {
            RouteDestination::Prefix(p) => Some(*p),
            RouteDestination::ServiceTag(_) => None,
        }
    }

    /// Whether this is `0.0.0.0/0`.
    pub fn is_default_route(&self) -> bool {
        self.prefix() == "0.0.0.0/0".parse().ok()
    }
}

impl From<Prefix> for RouteDestination {
    fn from(p: Prefix) -> Self {
        RouteDestination::Prefix(p)
    }
}

impl fmt::Display for RouteDestination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteDestination::Prefix(p) => p.fmt(f),
            RouteDestination::ServiceTag(t) => f.write_str(t),
        }
    }
}

impl Serialize for RouteDestination {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RouteDestination {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RouteDestination::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Serde readers that check a text property as it is read, for `deserialize_with`.
pub(crate) mod read {
    use serde::{Deserialize, Deserializer};

    use super::InvalidValue;

    fn one<'de, D: Deserializer<'de>>(
        d: D,
        check: impl Fn(&str) -> Result<(), InvalidValue>,
    ) -> Result<String, D::Error> {
        let s = String::deserialize(d)?;
        check(&s).map_err(serde::de::Error::custom)?;
        Ok(s)
    }

    fn optional<'de, D: Deserializer<'de>>(
        d: D,
        check: impl Fn(&str) -> Result<(), InvalidValue>,
    ) -> Result<Option<String>, D::Error> {
        let s = Option::<String>::deserialize(d)?;
        if let Some(v) = &s {
            // An empty singular field means "use the plural one" [PSRULE-NSGEVAL] §3.1.
            if !v.is_empty() {
                check(v).map_err(serde::de::Error::custom)?;
            }
        }
        Ok(s)
    }

    fn list<'de, D: Deserializer<'de>>(
        d: D,
        check: impl Fn(&str) -> Result<(), InvalidValue>,
    ) -> Result<Vec<String>, D::Error> {
        let v = Vec::<String>::deserialize(d)?;
        for s in &v {
            check(s).map_err(serde::de::Error::custom)?;
        }
        Ok(v)
    }

    fn port(s: &str) -> Result<(), InvalidValue> {
        super::port_range(s).map(|_| ())
    }

    /// A port written as text or as a JSON number: Azure's REST API reads `8080` where it
    /// declares a string (templates such as the AKS landing zone accelerator's compiled
    /// `main.json` write `destinationPortRanges: [8080]`, and deploy).
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum PortText {
        Text(String),
        Number(u64),
    }

    impl PortText {
        fn text(self) -> String {
            match self {
                PortText::Text(s) => s,
                PortText::Number(n) => n.to_string(),
            }
        }
    }

    /// An NSG protocol.
    pub(crate) fn nsg_protocol<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        one(d, super::nsg_protocol)
    }

    /// An optional port range ([`PortText`]); empty text is no port, as Azure reads it (the
    /// Azure Verified Modules' NSG module sends `destinationPortRange: ''` beside
    /// `destinationPortRanges`).
    pub(crate) fn port_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let s = Option::<PortText>::deserialize(d)?
            .map(PortText::text)
            .filter(|s| !s.is_empty());
        if let Some(v) = &s {
            port(v).map_err(serde::de::Error::custom)?;
        }
        Ok(s)
    }

    /// One port as a number, or as its digits in a string (Terraform's and ARM's string-typed
    /// inputs convert it so).
    pub(crate) fn port_number<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
        match PortText::deserialize(d)? {
            PortText::Number(n) => u16::try_from(n).map_err(|_| {
                serde::de::Error::custom(format!("port {n} is not between 0 and 65535"))
            }),
            PortText::Text(t) => t
                .trim()
                .parse()
                .map_err(|_| serde::de::Error::custom(format!("`{t}` is not a port number"))),
        }
    }

    /// A list of port ranges ([`PortText`]).
    pub(crate) fn ports<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        let v: Vec<String> = Vec::<PortText>::deserialize(d)?
            .into_iter()
            .map(PortText::text)
            .collect();
        for s in &v {
            port(s).map_err(serde::de::Error::custom)?;
        }
        Ok(v)
    }

    /// An optional rule address.
    pub(crate) fn address_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        optional(d, super::rule_address)
    }

    /// A list of rule addresses.
    pub(crate) fn addresses<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        list(d, super::rule_address)
    }

    /// An optional interface address.
    pub(crate) fn interface_address_opt<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<String>, D::Error> {
        optional(d, super::interface_address)
    }

    /// A list of IP addresses.
    pub(crate) fn ips<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        list(d, super::ip_address)
    }

    /// An IP address.
    pub(crate) fn ip<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        one(d, super::ip_address)
    }

    /// An optional IP address.
    pub(crate) fn ip_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        optional(d, super::ip_address)
    }

    /// A NIC's DNS servers.
    pub(crate) fn nic_dns_servers<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<String>, D::Error> {
        list(d, super::nic_dns_server)
    }

    /// An optional forwarding rule state.
    pub(crate) fn forwarding_rule_state_opt<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<String>, D::Error> {
        optional(d, super::forwarding_rule_state)
    }

    /// An optional allocation method.
    pub(crate) fn allocation_method_opt<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<String>, D::Error> {
        optional(d, super::allocation_method)
    }

    /// A list of firewall rule protocols.
    pub(crate) fn firewall_protocols<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<String>, D::Error> {
        list(d, super::firewall_protocol)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_destinations() {
        assert!(matches!(
            RouteDestination::parse("10.2.0.0/16"),
            Ok(RouteDestination::Prefix(_))
        ));
        assert_eq!(
            RouteDestination::parse("AzureCloud.westeurope"),
            Ok(RouteDestination::ServiceTag("AzureCloud.westeurope".into()))
        );
        for bad in [
            "10.2.0.1/16",
            "10.0.0.0/33",
            "",
            "10.0.0",
            "Internet",
            "a b",
        ] {
            assert!(RouteDestination::parse(bad).is_err(), "{bad}");
        }
        assert!(RouteDestination::parse("0.0.0.0/0")
            .unwrap()
            .is_default_route());
        let e = RouteDestination::parse("10.2.0.1/16").unwrap_err();
        assert!(e.to_string().contains("10.2.0.1/16"), "{e}");
    }

    #[test]
    fn ports() {
        assert!(port_range("*").is_ok());
        assert!(port_range("443").is_ok());
        assert!(port_range("0-65535").is_ok());
        let e = port_range("443-80").unwrap_err();
        assert!(e.why.contains("swapped (write 80-443)"), "{e}");
        assert!(port_range("99999").is_err());
        assert!(port_range("80-").is_err());
        assert!(port_range("").is_err());
    }

    #[test]
    fn protocols_and_addresses() {
        assert!(nsg_protocol("tcp").is_ok());
        assert!(nsg_protocol("*").is_ok());
        assert!(nsg_protocol("Sctp").is_err());
        assert!(firewall_protocol("Any").is_ok());
        assert!(firewall_protocol("Sctp").is_err());
        for ok in [
            "*",
            "10.0.0.0/8",
            "10.0.0.1",
            "VirtualNetwork",
            "Storage.WestEurope",
        ] {
            assert!(rule_address(ok).is_ok(), "{ok}");
        }
        for bad in ["10.0.0.0/33", "300.1.1.1", "", "1.2.3.4/"] {
            assert!(rule_address(bad).is_err(), "{bad}");
        }
        assert!(interface_address("10.0.0.4").is_ok());
        assert!(interface_address("172.20.2.16/28").is_ok());
        for bad in ["10.0.0.999", "172.20.2.17/28", "abc"] {
            assert!(interface_address(bad).is_err(), "{bad}");
        }
    }
}
