//! Private endpoints and private DNS (REST field names, checked against `PrivateEndpointCreate.json`,
//! `PrivateEndpointDnsZoneGroupCreate.json` and the `privatedns` examples).

use serde::{Deserialize, Serialize};

use crate::resource::{Child, ResourceType, SubResource};

/// `Microsoft.Network/privateEndpoints` properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateEndpoint {
    /// The subnet the endpoint's NIC sits in.
    pub subnet: SubResource,
    /// Auto-approved connections to the target service.
    #[serde(default)]
    pub private_link_service_connections: Vec<Child<PrivateLinkServiceConnection>>,
    /// Static IP configurations (one per member, e.g. `registry` and `registry_data_<region>`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_configurations: Vec<Child<PrivateEndpointIpConfiguration>>,
    /// Name of the NIC Azure creates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_network_interface_name: Option<String>,
    /// The NICs Azure created for the endpoint (read-only): with dynamic addresses
    /// (`ipConfigurations: []`) the address is only on the NIC.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_interfaces: Vec<SubResource>,
    /// The names and addresses the endpoint serves, as Azure reports them (read-only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_dns_configs: Vec<CustomDnsConfig>,
    /// Application security groups the endpoint is a member of [ASG-DOC] §3.6.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub application_security_groups: Vec<SubResource>,
}

/// `{ fqdn, ipAddresses }` in a private endpoint's `customDnsConfigs`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomDnsConfig {
    /// The name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fqdn: Option<String>,
    /// Its addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ip_addresses: Vec<String>,
}

impl ResourceType for PrivateEndpoint {
    const TYPE: &'static str = "Microsoft.Network/privateEndpoints";
}

/// `{ privateLinkServiceId, groupIds }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateLinkServiceConnection {
    /// The target resource (registry, vault, cluster...).
    pub private_link_service_id: SubResourceId,
    /// Sub-resources, e.g. `registry`, `vault`, `management`.
    pub group_ids: Vec<String>,
}

/// A bare resource id string (the REST API gives `privateLinkServiceId` as a string, not `{id}`).
pub type SubResourceId = crate::id::ResourceId;

/// `{ groupId, memberName, privateIPAddress }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateEndpointIpConfiguration {
    /// Sub-resource.
    pub group_id: String,
    /// Member (e.g. `registry_data_westeurope`).
    pub member_name: String,
    /// The static private IP.
    #[serde(rename = "privateIPAddress")]
    pub private_ip_address: String,
}

/// `Microsoft.Network/privateEndpoints/privateDnsZoneGroups` properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateDnsZoneGroup {
    /// Zones in which Azure maintains the endpoint's A records.
    pub private_dns_zone_configs: Vec<PrivateDnsZoneConfig>,
}

impl ResourceType for PrivateDnsZoneGroup {
    const TYPE: &'static str = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups";
}

/// One zone config of a zone group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrivateDnsZoneConfig {
    /// Config name (optional in REST responses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `{ privateDnsZoneId }`.
    pub properties: PrivateDnsZoneConfigProperties,
}

/// `{ "privateDnsZoneId": ... }`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateDnsZoneConfigProperties {
    /// The zone.
    pub private_dns_zone_id: crate::id::ResourceId,
}

/// `Microsoft.Network/privateDnsZones` properties (the zone itself has none that matter here).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateDnsZone {}

impl ResourceType for PrivateDnsZone {
    const TYPE: &'static str = "Microsoft.Network/privateDnsZones";
}

/// `Microsoft.Network/privateDnsZones/virtualNetworkLinks` properties.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetworkLink {
    /// The linked VNet: names in the zone resolve from there.
    pub virtual_network: SubResource,
    /// Auto-registration of VM records.
    #[serde(default)]
    pub registration_enabled: bool,
    /// `Default` or `NxDomainRedirect` (fall back to public resolution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution_policy: Option<String>,
}

impl ResourceType for VirtualNetworkLink {
    const TYPE: &'static str = "Microsoft.Network/privateDnsZones/virtualNetworkLinks";
}

/// `Microsoft.Network/privateDnsZones/A` properties.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ARecordSet {
    /// TTL in seconds (Azure requires it; not needed by any analysis, so an absent one is kept
    /// absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u32>,
    /// The addresses.
    pub a_records: Vec<ARecord>,
}

impl ResourceType for ARecordSet {
    const TYPE: &'static str = "Microsoft.Network/privateDnsZones/A";
}

/// `{ "ipv4Address": ... }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ARecord {
    /// The address.
    pub ipv4_address: String,
}

/// `Microsoft.Network/dnsResolvers` properties: an Azure DNS Private Resolver (REST field names
/// checked against the `dnsresolver` examples, `DnsResolver_Get.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsResolver {
    /// The VNet the resolver is deployed in: its endpoints resolve as that VNet does.
    pub virtual_network: SubResource,
}

impl ResourceType for DnsResolver {
    const TYPE: &'static str = "Microsoft.Network/dnsResolvers";
}

/// `Microsoft.Network/dnsResolvers/inboundEndpoints` properties (`InboundEndpoint_Get.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundEndpoint {
    /// The endpoint's addresses, each in a subnet of the resolver's VNet.
    #[serde(default)]
    pub ip_configurations: Vec<InboundIpConfiguration>,
}

impl ResourceType for InboundEndpoint {
    const TYPE: &'static str = "Microsoft.Network/dnsResolvers/inboundEndpoints";
}

/// `{ subnet, privateIpAddress, privateIpAllocationMethod }` of an inbound endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboundIpConfiguration {
    /// The subnet (dedicated to the endpoint).
    pub subnet: SubResource,
    /// The address DNS clients send queries to, when known.
    #[serde(
        default,
        deserialize_with = "crate::checked::read::ip_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub private_ip_address: Option<String>,
    /// `Static` or `Dynamic`.
    #[serde(
        default,
        deserialize_with = "crate::checked::read::allocation_method_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub private_ip_allocation_method: Option<String>,
}

/// `Microsoft.Network/dnsResolvers/outboundEndpoints` properties (`OutboundEndpoint_Get.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundEndpoint {
    /// The subnet forwarded queries leave from.
    pub subnet: SubResource,
}

impl ResourceType for OutboundEndpoint {
    const TYPE: &'static str = "Microsoft.Network/dnsResolvers/outboundEndpoints";
}

/// `Microsoft.Network/dnsForwardingRulesets` properties (`DnsForwardingRuleset_Get.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsForwardingRuleset {
    /// The outbound endpoints the ruleset's rules forward through.
    #[serde(default)]
    pub dns_resolver_outbound_endpoints: Vec<SubResource>,
}

impl ResourceType for DnsForwardingRuleset {
    const TYPE: &'static str = "Microsoft.Network/dnsForwardingRulesets";
}

/// `Microsoft.Network/dnsForwardingRulesets/forwardingRules` properties
/// (`ForwardingRule_Get.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForwardingRule {
    /// The dot-terminated namespace the rule applies to (`.` for every name).
    pub domain_name: String,
    /// Where matching queries go, in order.
    #[serde(default)]
    pub target_dns_servers: Vec<TargetDnsServer>,
    /// `Enabled` or `Disabled` (a disabled rule is ignored).
    #[serde(
        default,
        deserialize_with = "crate::checked::read::forwarding_rule_state_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub forwarding_rule_state: Option<String>,
}

impl ResourceType for ForwardingRule {
    const TYPE: &'static str = "Microsoft.Network/dnsForwardingRulesets/forwardingRules";
}

/// `{ ipAddress, port }` of a forwarding rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetDnsServer {
    /// The server's address.
    #[serde(deserialize_with = "crate::checked::read::ip")]
    pub ip_address: String,
    /// Its port (53 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

/// `Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks` properties
/// (`VirtualNetworkLink_Get.json` of `dnsresolver`): the VNets whose queries the ruleset's
/// rules apply to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RulesetVirtualNetworkLink {
    /// The linked VNet.
    pub virtual_network: SubResource,
}

impl ResourceType for RulesetVirtualNetworkLink {
    const TYPE: &'static str = "Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks";
}
