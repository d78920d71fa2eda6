//! Application Gateway and its WAF policy (REST field names, checked against
//! `ApplicationGatewayCreate.json` and `WafPolicyCreateOrUpdate.json`).

use serde::{Deserialize, Serialize};

use crate::network::FrontendIpConfiguration;
use crate::resource::{Child, ResourceType, SubResource};

/// `Microsoft.Network/applicationGateways` properties (the parts that shape the network).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationGateway {
    /// `{ name: WAF_v2 | Standard_v2, tier: WAF_v2 | Standard_v2 }`.
    pub sku: GatewaySku,
    /// Autoscale bounds (v2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscale_configuration: Option<AutoscaleConfiguration>,
    /// The gateway's own subnet.
    #[serde(rename = "gatewayIPConfigurations")]
    pub gateway_ip_configurations: Vec<Child<GatewaySubnetRef>>,
    /// Public and/or private frontends.
    #[serde(rename = "frontendIPConfigurations")]
    pub frontend_ip_configurations: Vec<Child<FrontendIpConfiguration>>,
    /// Listener ports.
    #[serde(default)]
    pub frontend_ports: Vec<Child<FrontendPort>>,
    /// Backend pools (for AKS: the internal load balancer's frontend IP).
    #[serde(default)]
    pub backend_address_pools: Vec<Child<BackendAddressPool>>,
    /// How it connects to the backends (the first settings are the ones routing rules use in
    /// designed estates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backend_http_settings_collection: Vec<Child<BackendHttpSettings>>,
    /// The WAF policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firewall_policy: Option<SubResource>,
    /// The WAF configured on the gateway itself (the form before WAF policies; templates still
    /// write it). A WAF policy, when associated, takes over from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_application_firewall_configuration: Option<WafConfiguration>,
}

/// `webApplicationFirewallConfiguration` (REST `ApplicationGatewayWebApplicationFirewallConfiguration`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WafConfiguration {
    /// Whether the WAF is on.
    pub enabled: bool,
    /// `Detection` or `Prevention`; `None` when not stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firewall_mode: Option<String>,
    /// `OWASP` (the only type this form takes).
    #[serde(default)]
    pub rule_set_type: String,
    /// `3.2`, `3.1`, ...
    #[serde(default)]
    pub rule_set_version: String,
}

impl ResourceType for ApplicationGateway {
    const TYPE: &'static str = "Microsoft.Network/applicationGateways";
}

impl ApplicationGateway {
    /// The first backend address given as an IP (for AKS: the ingress ILB frontend).
    pub fn first_backend_ip(&self) -> Option<std::net::IpAddr> {
        self.backend_address_pools
            .iter()
            .flat_map(|p| &p.properties.backend_addresses)
            .find_map(|a| a.ip_address.as_deref()?.parse().ok())
    }
}

/// App Gateway SKU (inside `properties`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewaySku {
    /// `Standard_v2` or `WAF_v2`.
    pub name: String,
    /// Same values as `name`.
    pub tier: String,
}

/// `{ minCapacity, maxCapacity }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AutoscaleConfiguration {
    /// Minimum instances.
    pub min_capacity: u32,
    /// Maximum instances (v2: up to 125).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_capacity: Option<u32>,
}

/// `{ "subnet": { "id": ... } }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewaySubnetRef {
    /// The subnet.
    pub subnet: SubResource,
}

/// `{ "port": 443 }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontendPort {
    /// Port.
    pub port: u16,
}

/// `backendHttpSettingsCollection[]`: how the gateway connects to its backends.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendHttpSettings {
    /// The backend port.
    #[serde(default)]
    pub port: u16,
    /// `Http` or `Https`.
    #[serde(default)]
    pub protocol: String,
    /// The host name sent to the backend (Host header, and SNI over HTTPS), when overridden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_name: Option<String>,
    /// Whether the backend's own address is sent as the host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pick_host_name_from_backend_address: Option<bool>,
}

/// `{ "backendAddresses": [{ "ipAddress": ... }] }`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendAddressPool {
    /// Backend addresses.
    #[serde(default)]
    pub backend_addresses: Vec<BackendAddress>,
}

/// One backend address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackendAddress {
    /// IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// FQDN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,
}

/// `Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies` properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WafPolicy {
    /// State and mode (absent: neither stated).
    #[serde(default)]
    pub policy_settings: WafPolicySettings,
    /// Managed rule sets.
    pub managed_rules: ManagedRules,
}

impl ResourceType for WafPolicy {
    const TYPE: &'static str = "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies";
}

/// `{ state, mode, requestBodyCheck }`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WafPolicySettings {
    /// `Enabled` or `Disabled`; `None` when not stated (Azure documents no default:
    /// [`crate::defaults::UNSTATED`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `Prevention` or `Detection`; `None` when not stated (no documented default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Inspect request bodies.
    #[serde(default)]
    pub request_body_check: bool,
}

impl WafPolicySettings {
    /// The mode as written, or `mode not stated`.
    pub fn mode_label(&self) -> &str {
        self.mode.as_deref().unwrap_or("mode not stated")
    }
}

/// `{ managedRuleSets: [...] }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedRules {
    /// The rule sets.
    pub managed_rule_sets: Vec<ManagedRuleSet>,
}

/// `{ ruleSetType: OWASP | Microsoft_DefaultRuleSet | Microsoft_BotManagerRuleSet, ruleSetVersion }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedRuleSet {
    /// Rule set type.
    pub rule_set_type: String,
    /// Rule set version.
    pub rule_set_version: String,
}
