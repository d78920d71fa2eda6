//! Classic Azure Firewall rules: rule collections written on the firewall itself
//! (`networkRuleCollections`, `applicationRuleCollections`, `natRuleCollections`) instead of in
//! a Firewall Policy. REST field names from `AzureFirewallPut.json` (Microsoft.Network
//! 2023-09-01) and the quickstart template azurefirewall-create-with-ipgroups-and-linux-jumpbox.
//!
//! The rules mean what their policy counterparts mean; only the field names differ (`protocols`
//! for `ipProtocols`, no `ruleType`), so each converts into a [`FirewallRule`] and the engine
//! evaluates both forms with one code path.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ApplicationRule, FirewallRule, NatRule, NetworkRule, RuleAction};
use crate::id::ResourceId;
use crate::resource::Child;

/// Every classic collection of a firewall as `(name, priority, action, rules)`, converted to
/// policy rules, in the order written: DNAT, network, application.
pub(crate) fn collections(
    fw: &super::AzureFirewall,
) -> Vec<(&str, Option<u32>, &RuleAction, Vec<FirewallRule>)> {
    fn each<'a, R: Clone + Into<FirewallRule>>(
        v: &'a [Child<ClassicCollection<R>>],
    ) -> impl Iterator<Item = (&'a str, Option<u32>, &'a RuleAction, Vec<FirewallRule>)> + 'a {
        v.iter().map(|c| {
            let p = &c.properties;
            let rules = p.rules.iter().cloned().map(Into::into).collect();
            (c.name.as_str(), p.priority, &p.action, rules)
        })
    }
    each(&fw.nat_rule_collections)
        .chain(each(&fw.network_rule_collections))
        .chain(each(&fw.application_rule_collections))
        .collect()
}

/// A classic rule collection's properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassicCollection<R> {
    /// 100–65000; lower runs first among collections of its type. Templates state it; a missing
    /// one is processed after the others, with a note (as for policies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// `{ "type": "Allow" | "Deny" | "Dnat" }`.
    pub action: RuleAction,
    /// The rules.
    #[serde(default)]
    pub rules: Vec<R>,
}

/// A classic network rule (`AzureFirewallNetworkRule`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassicNetworkRule {
    /// Rule name.
    pub name: String,
    /// `TCP`, `UDP`, `ICMP`, `Any`.
    #[serde(deserialize_with = "crate::checked::read::firewall_protocols")]
    pub protocols: Vec<String>,
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
    /// Destination FQDNs (need DNS proxy); one may be known only at deployment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destination_fqdns: Vec<crate::Maybe<String>>,
    /// Destination ports or ranges.
    #[serde(deserialize_with = "crate::checked::read::ports")]
    pub destination_ports: Vec<String>,
}

impl From<ClassicNetworkRule> for FirewallRule {
    fn from(r: ClassicNetworkRule) -> Self {
        FirewallRule::NetworkRule(NetworkRule {
            name: r.name,
            ip_protocols: r.protocols,
            source_addresses: r.source_addresses,
            source_ip_groups: r.source_ip_groups,
            destination_addresses: r.destination_addresses,
            destination_ip_groups: r.destination_ip_groups,
            destination_fqdns: r.destination_fqdns,
            destination_ports: r.destination_ports,
        })
    }
}

/// A classic DNAT rule (`AzureFirewallNatRule`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClassicNatRule {
    /// Rule name.
    pub name: String,
    /// `TCP`, `UDP`.
    #[serde(deserialize_with = "crate::checked::read::firewall_protocols")]
    pub protocols: Vec<String>,
    /// Source CIDRs/`*`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_addresses: Vec<String>,
    /// Source IP groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_ip_groups: Vec<ResourceId>,
    /// The firewall public IP.
    #[serde(default)]
    pub destination_addresses: Vec<String>,
    /// Destination port.
    #[serde(deserialize_with = "crate::checked::read::ports")]
    pub destination_ports: Vec<String>,
    /// Translated (private) address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translated_address: Option<String>,
    /// Translated FQDN, instead of an address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translated_fqdn: Option<String>,
    /// Translated port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translated_port: Option<String>,
}

impl From<ClassicNatRule> for FirewallRule {
    fn from(r: ClassicNatRule) -> Self {
        FirewallRule::NatRule(NatRule {
            name: r.name,
            ip_protocols: r.protocols,
            source_addresses: r.source_addresses,
            source_ip_groups: r.source_ip_groups,
            destination_addresses: r.destination_addresses,
            destination_ports: r.destination_ports,
            translated_address: r.translated_address,
            translated_fqdn: r.translated_fqdn,
            translated_port: r.translated_port,
        })
    }
}

impl From<ApplicationRule> for FirewallRule {
    fn from(r: ApplicationRule) -> Self {
        FirewallRule::ApplicationRule(r)
    }
}

/// A classic firewall's `additionalProperties`: string settings by documented key.
pub type AdditionalProperties = BTreeMap<String, String>;

/// `Network.DNS.EnableProxy`: the classic firewall's DNS proxy ("true"/"false")
/// (learn.microsoft.com/azure/firewall/dns-settings, "Configure DNS settings ... classic rules").
pub const DNS_ENABLE_PROXY: &str = "Network.DNS.EnableProxy";
/// `Network.DNS.Servers`: the classic firewall's upstream DNS servers, comma-separated (same page).
pub const DNS_SERVERS: &str = "Network.DNS.Servers";
/// `Network.SNAT.PrivateRanges`: the classic firewall's SNAT private ranges, comma-separated
/// (learn.microsoft.com/azure/firewall/snat-private-range, "Classic rules").
pub const SNAT_PRIVATE_RANGES: &str = "Network.SNAT.PrivateRanges";

/// Reads `additionalProperties`: a map whose values are strings, or booleans and numbers written
/// for them (kept as their JSON text); `null` is an empty map.
pub(crate) fn read_additional_properties<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<AdditionalProperties, D::Error> {
    let raw = Option::<BTreeMap<String, serde_json::Value>>::deserialize(d)?.unwrap_or_default();
    raw.into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => Ok((k, s)),
            serde_json::Value::Bool(_) | serde_json::Value::Number(_) => Ok((k, v.to_string())),
            other => Err(serde::de::Error::custom(format!(
                "additionalProperties.{k} must be a string, not {other}"
            ))),
        })
        .collect()
}

/// Whether the classic firewall's DNS proxy is on ([`DNS_ENABLE_PROXY`] is `true`, any case).
pub fn enable_proxy(p: &AdditionalProperties) -> bool {
    p.get(DNS_ENABLE_PROXY)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// A comma-separated setting's items, trimmed, empty ones dropped.
pub fn list(p: &AdditionalProperties, key: &str) -> Vec<String> {
    p.get(key)
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}
