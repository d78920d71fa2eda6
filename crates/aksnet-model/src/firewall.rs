//! Azure Firewall, Firewall Policy, rule collection groups and IP groups (REST field names,
//! checked against `AzureFirewallPut.json`, `FirewallPolicyPut.json`, the rule-collection-group
//! examples and `IpGroupsCreate.json`).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use aksnet_net::{Prefix, PrefixSet};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::id::ResourceId;
use crate::network::IpConfiguration;
use crate::resource::{Child, ResourceType, SubResource};

pub mod classic;

use classic::{ClassicCollection, ClassicNatRule, ClassicNetworkRule};

/// `Microsoft.Network/azureFirewalls` properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AzureFirewall {
    /// `{ name: AZFW_VNet, tier: Standard|Premium|Basic }`; empty fields when not stated
    /// ([`crate::defaults::UNSTATED`]).
    #[serde(default, skip_serializing_if = "FirewallSku::is_unstated")]
    pub sku: FirewallSku,
    /// Data-path IP configurations (the first one's subnet is `AzureFirewallSubnet`); none for a
    /// firewall in a Virtual WAN hub. Configurations after the first add public IPs only and
    /// name no subnet in Azure; they are read with the first one's (see [`read_ip_configurations`]).
    #[serde(default, deserialize_with = "read_ip_configurations")]
    pub ip_configurations: Vec<Child<IpConfiguration>>,
    /// Forced-tunnelling management configuration (`AzureFirewallManagementSubnet`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_ip_configuration: Option<Child<IpConfiguration>>,
    /// The attached policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firewall_policy: Option<SubResource>,
    /// Classic DNAT rule collections (`action.type` `Dnat`), written on the firewall itself;
    /// classic rules are evaluated when no policy is attached ([`classic`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nat_rule_collections: Vec<Child<ClassicCollection<ClassicNatRule>>>,
    /// Classic network rule collections (`Allow` or `Deny`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_rule_collections: Vec<Child<ClassicCollection<ClassicNetworkRule>>>,
    /// Classic application rule collections (`Allow` or `Deny`); the rule fields are the
    /// policy's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub application_rule_collections: Vec<Child<ClassicCollection<ApplicationRule>>>,
    /// Classic settings by key ([`classic::DNS_ENABLE_PROXY`], [`classic::DNS_SERVERS`],
    /// [`classic::SNAT_PRIVATE_RANGES`]); Azure takes strings, templates also write booleans.
    #[serde(
        default,
        deserialize_with = "classic::read_additional_properties",
        skip_serializing_if = "std::collections::BTreeMap::is_empty"
    )]
    pub additional_properties: classic::AdditionalProperties,
    /// The classic firewall's threat intelligence mode (`Off`, `Alert`, `Deny`); a policy's
    /// takes over when one is attached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threat_intel_mode: Option<String>,
}

/// A firewall IP configuration as written: after the first, the subnet is absent (or null).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawIpConfiguration {
    #[serde(default)]
    subnet: Option<SubResource>,
    #[serde(rename = "publicIPAddress", default)]
    public_ip_address: Option<SubResource>,
    #[serde(rename = "privateIPAddress", default)]
    private_ip_address: Option<String>,
}

/// Reads a firewall's IP configurations. A firewall with several public IPs names the subnet
/// on its first configuration only; the others carry a public IP each, on the same data path
/// (Learn, "Deploy an Azure Firewall with multiple public IP addresses"; the quickstart
/// templates azurefirewall-with-zones-sandbox and mspnp/aks-baseline's hub write them so), so
/// they are read with the first one's subnet.
fn read_ip_configurations<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<Child<IpConfiguration>>, D::Error> {
    let raw = Option::<Vec<Child<RawIpConfiguration>>>::deserialize(d)?.unwrap_or_default();
    let first = raw.first().and_then(|c| c.properties.subnet.clone());
    raw.into_iter()
        .enumerate()
        .map(|(i, c)| {
            let subnet = match (c.properties.subnet, &first) {
                (Some(s), _) => s,
                (None, Some(f)) if i > 0 => f.clone(),
                _ => {
                    return Err(serde::de::Error::custom(
                        "the first ipConfiguration needs a subnet (AzureFirewallSubnet)",
                    ))
                }
            };
            Ok(Child {
                name: c.name,
                id: c.id,
                properties: IpConfiguration {
                    subnet,
                    public_ip_address: c.properties.public_ip_address,
                    private_ip_address: c.properties.private_ip_address,
                },
            })
        })
        .collect()
}

impl ResourceType for AzureFirewall {
    const TYPE: &'static str = "Microsoft.Network/azureFirewalls";
}

impl AzureFirewall {
    /// The firewall's private IP (the first data-path IP configuration's), when known.
    pub fn private_ip(&self) -> Option<&str> {
        self.ip_configurations
            .first()
            .and_then(|c| c.properties.private_ip_address.as_deref())
    }

    /// Whether it has classic rule collections.
    pub fn has_classic_rules(&self) -> bool {
        !(self.nat_rule_collections.is_empty()
            && self.network_rule_collections.is_empty()
            && self.application_rule_collections.is_empty())
    }

    /// Its classic collections as `(name, priority, action, rules)`, converted to policy rules,
    /// in the order written: DNAT, network, application.
    pub fn classic_collections(&self) -> Vec<(&str, Option<u32>, &RuleAction, Vec<FirewallRule>)> {
        classic::collections(self)
    }
}

/// The firewall's own SKU object (inside `properties`); an empty field is one not stated.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirewallSku {
    /// `AZFW_VNet` or `AZFW_Hub`.
    #[serde(default)]
    pub name: String,
    /// `Basic`, `Standard` or `Premium`.
    #[serde(default)]
    pub tier: String,
}

impl FirewallSku {
    /// Whether neither name nor tier is stated.
    pub fn is_unstated(&self) -> bool {
        self.name.is_empty() && self.tier.is_empty()
    }
}

/// `Microsoft.Network/firewallPolicies` properties.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FirewallPolicy {
    /// `{ tier }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<PolicySku>,
    /// `Off`, `Alert` or `Deny`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threat_intel_mode: Option<String>,
    /// DNS proxy settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_settings: Option<DnsSettings>,
    /// Parent policy, whose rule collection groups always run first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_policy: Option<SubResource>,
    /// SNAT private ranges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snat: Option<SnatSettings>,
    /// IDPS (Premium).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intrusion_detection: Option<IntrusionDetection>,
}

impl ResourceType for FirewallPolicy {
    const TYPE: &'static str = "Microsoft.Network/firewallPolicies";
}

/// `{ "tier": "Premium" }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySku {
    /// `Basic`, `Standard` or `Premium`.
    pub tier: String,
}

/// `{ "enableProxy": true, "servers": [...] }`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsSettings {
    /// DNS proxy on port 53 of the firewall (needed for FQDNs in network rules).
    #[serde(default)]
    pub enable_proxy: bool,
    /// Upstream servers; empty means Azure DNS.
    #[serde(
        default,
        deserialize_with = "crate::checked::read::ips",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub servers: Vec<String>,
}

/// `{ "privateRanges": [...] }`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnatSettings {
    /// Ranges not SNATed by network rules; `IANAPrivateRanges` is the default keyword.
    #[serde(default)]
    pub private_ranges: Vec<String>,
}

/// `{ "mode": "Alert" | "Deny" | "Off" }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntrusionDetection {
    /// IDPS mode; `None` when not stated (no documented default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
}

/// `Microsoft.Network/firewallPolicies/ruleCollectionGroups` properties.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleCollectionGroup {
    /// 100–65000; lower runs first within each pass.
    pub priority: u32,
    /// The collections.
    #[serde(default)]
    pub rule_collections: Vec<RuleCollection>,
}

impl ResourceType for RuleCollectionGroup {
    const TYPE: &'static str = "Microsoft.Network/firewallPolicies/ruleCollectionGroups";
}

/// A rule collection, tagged by `ruleCollectionType` as in the REST API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "ruleCollectionType")]
pub enum RuleCollection {
    /// Network or application rules with an Allow/Deny action.
    #[serde(rename = "FirewallPolicyFilterRuleCollection")]
    Filter(FilterRuleCollection),
    /// DNAT rules.
    #[serde(rename = "FirewallPolicyNatRuleCollection")]
    Nat(NatRuleCollection),
}

/// A filter rule collection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterRuleCollection {
    /// Collection name.
    pub name: String,
    /// 100–65000. Optional in REST bodies (some examples omit it); analyses treat a missing
    /// priority as unknown rather than guessing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// `{ "type": "Allow" | "Deny" }`.
    pub action: RuleAction,
    /// The rules.
    pub rules: Vec<FirewallRule>,
}

/// A NAT rule collection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NatRuleCollection {
    /// Collection name.
    pub name: String,
    /// 100–65000. Optional in REST bodies (some examples omit it); analyses treat a missing
    /// priority as unknown rather than guessing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// `{ "type": "DNAT" }`.
    pub action: RuleAction,
    /// The rules.
    pub rules: Vec<FirewallRule>,
}

/// `{ "type": ... }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleAction {
    /// `Allow`, `Deny` or `DNAT`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A firewall policy rule, tagged by `ruleType`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "ruleType")]
pub enum FirewallRule {
    /// L3/L4 rule.
    NetworkRule(NetworkRule),
    /// HTTP/HTTPS/MSSQL rule matched on Host/SNI.
    ApplicationRule(ApplicationRule),
    /// DNAT rule.
    NatRule(NatRule),
}

/// A network rule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkRule {
    /// Rule name.
    pub name: String,
    /// `TCP`, `UDP`, `ICMP`, `Any` ([`crate::checked::firewall_protocol`]).
    #[serde(deserialize_with = "crate::checked::read::firewall_protocols")]
    pub ip_protocols: Vec<String>,
    /// Source CIDRs/IPs/`*`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_addresses: Vec<String>,
    /// Source IP groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_ip_groups: Vec<ResourceId>,
    /// Destination CIDRs/IPs/service tags/`*`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destination_addresses: Vec<String>,
    /// Destination IP groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destination_ip_groups: Vec<ResourceId>,
    /// Destination FQDNs (need DNS proxy); one may be known only at deployment (another
    /// resource's FQDN).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destination_fqdns: Vec<crate::Maybe<String>>,
    /// Destination ports or ranges ([`crate::checked::port_range`]).
    #[serde(deserialize_with = "crate::checked::read::ports")]
    pub destination_ports: Vec<String>,
}

/// An application rule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationRule {
    /// Rule name.
    pub name: String,
    /// Protocols and ports, e.g. `{ protocolType: Https, port: 443 }`.
    pub protocols: Vec<ApplicationProtocol>,
    /// Source CIDRs/IPs/`*`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_addresses: Vec<String>,
    /// Source IP groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_ip_groups: Vec<ResourceId>,
    /// Target FQDNs (`*.example.com` matches subdomains only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_fqdns: Vec<String>,
    /// FQDN tags such as `AzureKubernetesService`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fqdn_tags: Vec<String>,
}

/// `{ "protocolType": "Https", "port": 443 }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationProtocol {
    /// `Http`, `Https` or `Mssql`.
    pub protocol_type: String,
    /// Port (≤ 64000); digits in a string are read as the number.
    #[serde(deserialize_with = "crate::checked::read::port_number")]
    pub port: u16,
}

/// A DNAT rule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NatRule {
    /// Rule name.
    pub name: String,
    /// `TCP`, `UDP` ([`crate::checked::firewall_protocol`]).
    #[serde(deserialize_with = "crate::checked::read::firewall_protocols")]
    pub ip_protocols: Vec<String>,
    /// Source CIDRs/`*`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_addresses: Vec<String>,
    /// Source IP groups (DNAT rules take IP groups as sources only [FW-IPGROUPS]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_ip_groups: Vec<ResourceId>,
    /// The firewall public IP.
    pub destination_addresses: Vec<String>,
    /// Destination port ([`crate::checked::port_range`]).
    #[serde(deserialize_with = "crate::checked::read::ports")]
    pub destination_ports: Vec<String>,
    /// Translated (private) address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translated_address: Option<String>,
    /// Translated FQDN, instead of an address (resolved by the firewall; aksnet does not
    /// resolve it, so the translated flow goes nowhere it knows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translated_fqdn: Option<String>,
    /// Translated port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translated_port: Option<String>,
}

/// `Microsoft.Network/ipGroups` properties: a named set of addresses that firewall policy rules
/// name as sources (DNAT, network and application rules) or destinations (network rules)
/// [FW-IPGROUPS] (learn.microsoft.com/azure/firewall/ip-groups).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpGroup {
    /// The addresses, CIDR blocks and ranges.
    #[serde(default)]
    pub ip_addresses: Vec<IpGroupEntry>,
}

impl ResourceType for IpGroup {
    const TYPE: &'static str = "Microsoft.Network/ipGroups";
}

impl IpGroup {
    /// Every address the group holds.
    pub fn addresses(&self) -> PrefixSet {
        self.ip_addresses
            .iter()
            .fold(PrefixSet::new(), |acc, e| acc.union(&e.addresses()))
    }
}

/// One entry of an IP group's `ipAddresses`. The documented forms [FW-IPGROUPS] are a single
/// address (`10.0.0.0`), a CIDR block (`10.1.0.0/32`) and a range of addresses
/// (`10.2.0.0-10.2.0.31`). A CIDR block with host bits set is refused (the portal validates
/// "formatting problems"; what the API does with one is not documented), as is a range whose
/// ends are of different families or in the wrong order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpGroupEntry {
    /// An address (a /32 or /128) or a CIDR block.
    Prefix(Prefix),
    /// `first-last`, inclusive, `first` ≤ `last`, one family.
    Range(IpAddr, IpAddr),
}

/// Why an IP group entry did not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IpGroupEntryError {
    /// Neither an address, a CIDR block nor a range.
    #[error("`{0}` is not an IP address, CIDR block or range (expected 10.0.0.0, 10.1.0.0/24 or 10.2.0.0-10.2.0.31)")]
    Malformed(String),
    /// A CIDR block with host bits set.
    #[error(transparent)]
    Prefix(#[from] aksnet_net::ParseError),
    /// A range that runs backwards or mixes IPv4 and IPv6.
    #[error("`{0}` is not a range: its first address must come before its last, in one family")]
    BadRange(String),
}

impl IpGroupEntry {
    /// The addresses the entry stands for.
    pub fn addresses(&self) -> PrefixSet {
        match self {
            Self::Prefix(p) => [*p].into_iter().collect(),
            // Checked when parsed; the empty set only for a hand-built backwards range.
            Self::Range(a, b) => PrefixSet::from_range(*a, *b).unwrap_or_default(),
        }
    }
}

impl FromStr for IpGroupEntry {
    type Err = IpGroupEntryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if let Some((a, b)) = t.split_once('-') {
            let (Ok(first), Ok(last)) = (a.trim().parse::<IpAddr>(), b.trim().parse::<IpAddr>())
            else {
                return Err(IpGroupEntryError::Malformed(s.to_string()));
            };
            return match PrefixSet::from_range(first, last) {
                Some(_) => Ok(Self::Range(first, last)),
                None => Err(IpGroupEntryError::BadRange(s.to_string())),
            };
        }
        match Prefix::parse_strict(t) {
            Ok(p) => Ok(Self::Prefix(p)),
            Err(e @ aksnet_net::ParseError::HostBitsSet { .. }) => Err(e.into()),
            Err(_) => Err(IpGroupEntryError::Malformed(s.to_string())),
        }
    }
}

impl fmt::Display for IpGroupEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Prefix(p) => write!(f, "{p}"),
            Self::Range(a, b) => write!(f, "{a}-{b}"),
        }
    }
}

impl Serialize for IpGroupEntry {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IpGroupEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(entries: &[&str]) -> Vec<String> {
        entries
            .iter()
            .map(|e| e.parse::<IpGroupEntry>().unwrap().addresses().to_string())
            .collect()
    }

    #[test]
    fn ip_group_entries_take_the_documented_forms() {
        // The three forms of the IP groups page: single address, CIDR, range.
        assert_eq!(
            set(&["10.0.0.0", "10.1.0.0/32", "10.2.0.0-10.2.0.31"]),
            ["10.0.0.0/32", "10.1.0.0/32", "10.2.0.0/27"]
        );
        assert_eq!(
            set(&[" 10.0.0.1 - 10.0.0.5 "]),
            ["10.0.0.1/32, 10.0.0.2/31, 10.0.0.4/31"]
        );
        assert_eq!(set(&["10.0.0.0/24"]), ["10.0.0.0/24"]);
        assert_eq!(set(&["2001:db8::/64"]), ["2001:db8::/64"]);
    }

    #[test]
    fn ip_group_entries_round_trip_as_written() {
        for e in ["10.0.0.4", "10.1.0.0/16", "10.2.0.0-10.2.0.31"] {
            let parsed: IpGroupEntry = e.parse().unwrap();
            let shown = parsed.to_string();
            assert_eq!(shown.parse::<IpGroupEntry>().unwrap(), parsed);
        }
        assert_eq!(
            "10.0.0.4".parse::<IpGroupEntry>().unwrap().to_string(),
            "10.0.0.4/32"
        );
    }

    #[test]
    fn invalid_ip_group_entries_are_refused() {
        use IpGroupEntryError::*;
        let err = |e: &str| e.parse::<IpGroupEntry>().unwrap_err();
        assert!(matches!(err("10.0.0.1/24"), Prefix(_)));
        assert!(matches!(err("10.0.0.5-10.0.0.1"), BadRange(_)));
        assert!(matches!(err("10.0.0.1-::1"), BadRange(_)));
        assert!(matches!(err("10.0.0.300"), Malformed(_)));
        assert!(matches!(err("AzureCloud"), Malformed(_)));
        assert!(matches!(err("10.0.0.1-"), Malformed(_)));
        assert!(matches!(err(""), Malformed(_)));
        assert!(matches!(err("10.0.0.0/33"), Malformed(_)));
    }
}
