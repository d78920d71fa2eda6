//! Azure Firewall, Firewall Policy and rule collection groups (REST field names, checked against
//! `AzureFirewallPut.json`, `FirewallPolicyPut.json` and the rule-collection-group examples).

use serde::{Deserialize, Serialize};

use crate::network::IpConfiguration;
use crate::resource::{Child, ResourceType, SubResource};

/// `Microsoft.Network/azureFirewalls` properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AzureFirewall {
    /// `{ name: AZFW_VNet, tier: Standard|Premium|Basic }`.
    pub sku: FirewallSku,
    /// Data-path IP configurations (the first one's subnet is `AzureFirewallSubnet`); none for a
    /// firewall in a Virtual WAN hub.
    #[serde(default)]
    pub ip_configurations: Vec<Child<IpConfiguration>>,
    /// Forced-tunnelling management configuration (`AzureFirewallManagementSubnet`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub management_ip_configuration: Option<Child<IpConfiguration>>,
    /// The attached policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firewall_policy: Option<SubResource>,
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
}

/// The firewall's own SKU object (inside `properties`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirewallSku {
    /// `AZFW_VNet` or `AZFW_Hub`.
    pub name: String,
    /// `Basic`, `Standard` or `Premium`.
    pub tier: String,
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
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
    /// Source IP groups (resource ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_ip_groups: Vec<String>,
    /// Destination CIDRs/IPs/service tags/`*`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destination_addresses: Vec<String>,
    /// Destination IP groups (resource ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destination_ip_groups: Vec<String>,
    /// Destination FQDNs (need DNS proxy).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destination_fqdns: Vec<String>,
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
    /// Source IP groups (resource ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_ip_groups: Vec<String>,
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
    /// Port (≤ 64000).
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
    /// The firewall public IP.
    pub destination_addresses: Vec<String>,
    /// Destination port ([`crate::checked::port_range`]).
    #[serde(deserialize_with = "crate::checked::read::ports")]
    pub destination_ports: Vec<String>,
    /// Translated (private) address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translated_address: Option<String>,
    /// Translated port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translated_port: Option<String>,
}
