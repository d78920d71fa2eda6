//! The Estate: every resource of one network estate, keyed by id, plus the on-premises context.

use aksnet_net::Prefix;
use serde::{Deserialize, Serialize};

use crate::aks::ManagedCluster;
use crate::appgw::{ApplicationGateway, WafPolicy};
use crate::firewall::{AzureFirewall, FirewallPolicy, IpGroup, RuleCollectionGroup};
use crate::gateway::{BastionHost, Connection, LocalNetworkGateway, VirtualNetworkGateway};
use crate::id::ResourceId;
use crate::network::{
    ApplicationSecurityGroup, LoadBalancer, NatGateway, NetworkInterface, NetworkSecurityGroup,
    PublicIpAddress, RouteTable, Subnet, VirtualNetwork,
};
use crate::paas::{ContainerRegistry, KeyVault, UserAssignedIdentity};
use crate::private::{
    ARecordSet, DnsForwardingRuleset, DnsResolver, ForwardingRule, InboundEndpoint,
    OutboundEndpoint, PrivateDnsZone, PrivateDnsZoneGroup, PrivateEndpoint,
    RulesetVirtualNetworkLink, VirtualNetworkLink,
};
use crate::resource::{Child, Collection, Resource};

/// Version of the `estate.json` format written by this build.
pub const ESTATE_SCHEMA_VERSION: u32 = 1;

/// One network estate: the single hand-off between the planner or importers and every analysis
/// and emitter.
///
/// Each collection holds the resources of one ARM type keyed by resource id; child resources
/// that ARM embeds (subnets, peerings, routes, security rules, agent pools) stay embedded in
/// their parent, and those ARM returns separately (rule collection groups, DNS zone links and
/// records, private DNS zone groups) are collections of their own. Serialised as JSON with
/// every collection sorted by id, so the same estate always gives the same bytes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Estate {
    /// Format version ([`ESTATE_SCHEMA_VERSION`]).
    pub aksnet_schema: u32,
    /// Estate name (from the intent, or the import).
    pub name: String,
    /// On-premises prefixes reached through the gateways (VPN local network gateways hold them
    /// too; ExpressRoute learns them by BGP, so they live here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_premises_prefixes: Vec<Prefix>,
    /// Names given to subscriptions (the intent's `subscriptions:`), by lowercase id: generated
    /// code and reports use them (`provider "azurerm" { alias = "connectivity" }`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub subscription_names: std::collections::BTreeMap<String, String>,
    /// Globally unique names the designer suffixed (absent on imported estates).
    #[serde(default, skip_serializing_if = "crate::naming::UniqueNames::is_empty")]
    pub unique_names: crate::naming::UniqueNames,
    /// Virtual networks with their subnets and peerings.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub virtual_networks: Collection<VirtualNetwork>,
    /// Route tables.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub route_tables: Collection<RouteTable>,
    /// Network security groups.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub network_security_groups: Collection<NetworkSecurityGroup>,
    /// Application security groups.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub application_security_groups: Collection<ApplicationSecurityGroup>,
    /// Network interfaces.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub network_interfaces: Collection<NetworkInterface>,
    /// Public IP addresses.
    #[serde(
        rename = "publicIPAddresses",
        default,
        skip_serializing_if = "Collection::is_empty"
    )]
    pub public_ip_addresses: Collection<PublicIpAddress>,
    /// NAT gateways.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub nat_gateways: Collection<NatGateway>,
    /// Load balancers (for AKS: the planned internal LB frontend).
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub load_balancers: Collection<LoadBalancer>,
    /// Azure Firewalls.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub azure_firewalls: Collection<AzureFirewall>,
    /// Firewall policies.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub firewall_policies: Collection<FirewallPolicy>,
    /// Firewall policy rule collection groups.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub rule_collection_groups: Collection<RuleCollectionGroup>,
    /// IP groups named by firewall policy rules.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub ip_groups: Collection<IpGroup>,
    /// Application gateways.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub application_gateways: Collection<ApplicationGateway>,
    /// Application Gateway WAF policies.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub waf_policies: Collection<WafPolicy>,
    /// Private endpoints.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub private_endpoints: Collection<PrivateEndpoint>,
    /// Private endpoint DNS zone groups.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub private_dns_zone_groups: Collection<PrivateDnsZoneGroup>,
    /// Private DNS zones.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub private_dns_zones: Collection<PrivateDnsZone>,
    /// Private DNS zone virtual network links.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub virtual_network_links: Collection<VirtualNetworkLink>,
    /// Private DNS A record sets.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub a_record_sets: Collection<ARecordSet>,
    /// DNS Private Resolvers.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub dns_resolvers: Collection<DnsResolver>,
    /// DNS Private Resolver inbound endpoints.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub inbound_endpoints: Collection<InboundEndpoint>,
    /// DNS Private Resolver outbound endpoints.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub outbound_endpoints: Collection<OutboundEndpoint>,
    /// DNS forwarding rulesets.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub dns_forwarding_rulesets: Collection<DnsForwardingRuleset>,
    /// DNS forwarding rules.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub forwarding_rules: Collection<ForwardingRule>,
    /// DNS forwarding ruleset virtual network links.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub ruleset_virtual_network_links: Collection<RulesetVirtualNetworkLink>,
    /// Bastion hosts.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub bastion_hosts: Collection<BastionHost>,
    /// VPN and ExpressRoute gateways.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub virtual_network_gateways: Collection<VirtualNetworkGateway>,
    /// Local network gateways (on-premises VPN sides).
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub local_network_gateways: Collection<LocalNetworkGateway>,
    /// Gateway connections.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub connections: Collection<Connection>,
    /// AKS clusters with their agent pools.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub managed_clusters: Collection<ManagedCluster>,
    /// Container registries.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub container_registries: Collection<ContainerRegistry>,
    /// Key vaults.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub key_vaults: Collection<KeyVault>,
    /// User-assigned managed identities.
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub user_assigned_identities: Collection<UserAssignedIdentity>,
    /// Role assignments (`Microsoft.Authorization/roleAssignments`): what the clusters'
    /// identities may do ([`crate::authorization`]).
    #[serde(default, skip_serializing_if = "Collection::is_empty")]
    pub role_assignments: Collection<crate::authorization::RoleAssignment>,
}

/// A JSON error in an `estate.json`, with its position.
#[derive(Debug, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct EstateJsonError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What serde_json said.
    pub message: String,
}

/// serde_json's message without its position suffix: its `Display` writes the message, then
/// " at line L column C" when the line is known; rebuilt from the error's classification and
/// position rather than cut from the text.
fn json_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match full.strip_suffix(&suffix) {
        Some(m) => m.to_string(),
        None => full,
    }
}

impl Estate {
    /// An empty estate with a name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            aksnet_schema: ESTATE_SCHEMA_VERSION,
            name: name.into(),
            ..Self::default()
        }
    }

    /// Pretty JSON, sorted, with a trailing newline: byte-identical for equal estates.
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        self.write_json(&mut out)
            .expect("an Estate always serialises, and a Vec takes every byte");
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }

    /// [`Estate::to_json`] written to `w` as it is produced, without holding the text: a
    /// 100,000-resource estate is 230 MB of it.
    pub fn write_json(&self, w: &mut impl std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, self).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    }

    /// Reads an `estate.json`.
    pub fn from_json(text: &str) -> Result<Self, EstateJsonError> {
        let estate: Estate = serde_json::from_str(text).map_err(|e| EstateJsonError {
            line: e.line(),
            column: e.column(),
            // serde_json's Display appends " at line L column C"; the location is kept apart.
            message: json_message(&e),
        })?;
        if estate.aksnet_schema != ESTATE_SCHEMA_VERSION {
            return Err(EstateJsonError {
                line: 1,
                column: 1,
                message: format!(
                    "aksnetSchema {} is not supported by this build (expected {ESTATE_SCHEMA_VERSION})",
                    estate.aksnet_schema
                ),
            });
        }
        Ok(estate)
    }

    /// The subnet with this id, with its VNet.
    pub fn subnet(&self, id: &ResourceId) -> Option<(&Resource<VirtualNetwork>, &Child<Subnet>)> {
        let vnet = self.virtual_networks.get(&id.parent()?)?;
        let subnet = vnet
            .properties
            .subnets
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(id.name()))?;
        Some((vnet, subnet))
    }

    /// A firewall policy and the policies it inherits from, the policy itself first, its
    /// root parent last. A chain that loops stops before the repeat, and one longer than 9
    /// policies is cut at 9 (Azure allows one parent per policy; the bound keeps a hostile
    /// estate finite). [FWRULE] §4.1
    pub fn policy_chain(&self, id: &ResourceId) -> Vec<ResourceId> {
        let mut chain: Vec<ResourceId> = Vec::new();
        let mut cur = Some(id.clone());
        while let Some(pid) = cur {
            if chain.contains(&pid) || chain.len() > 8 {
                break;
            }
            cur = self
                .firewall_policies
                .get(&pid)
                .and_then(|p| p.properties.base_policy.as_ref().map(|b| b.id.clone()));
            chain.push(pid);
        }
        chain
    }

    /// The rule collection groups of one firewall policy (its children), in id order.
    pub fn policy_groups<'a>(
        &'a self,
        policy: &'a ResourceId,
    ) -> impl Iterator<Item = &'a Resource<RuleCollectionGroup>> + 'a {
        self.rule_collection_groups
            .iter()
            .filter(move |g| g.id.parent().as_ref() == Some(policy))
    }

    /// Every subnet in the estate with its VNet, in id order.
    pub fn subnets(&self) -> impl Iterator<Item = (&Resource<VirtualNetwork>, &Child<Subnet>)> {
        self.virtual_networks
            .iter()
            .flat_map(|v| v.properties.subnets.iter().map(move |s| (v, s)))
    }

    /// Resource counts by ARM type, in a fixed order, for every type the Estate holds.
    pub fn type_counts(&self) -> Vec<(&'static str, usize)> {
        use crate::resource::ResourceType as T;
        let subnets = self.subnets().count();
        let peerings: usize = self
            .virtual_networks
            .iter()
            .map(|v| v.properties.virtual_network_peerings.len())
            .sum();
        let all = [
            (VirtualNetwork::TYPE, self.virtual_networks.len()),
            ("Microsoft.Network/virtualNetworks/subnets", subnets),
            (
                "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
                peerings,
            ),
            (RouteTable::TYPE, self.route_tables.len()),
            (
                NetworkSecurityGroup::TYPE,
                self.network_security_groups.len(),
            ),
            (
                ApplicationSecurityGroup::TYPE,
                self.application_security_groups.len(),
            ),
            (NetworkInterface::TYPE, self.network_interfaces.len()),
            (PublicIpAddress::TYPE, self.public_ip_addresses.len()),
            (NatGateway::TYPE, self.nat_gateways.len()),
            (LoadBalancer::TYPE, self.load_balancers.len()),
            (AzureFirewall::TYPE, self.azure_firewalls.len()),
            (FirewallPolicy::TYPE, self.firewall_policies.len()),
            (RuleCollectionGroup::TYPE, self.rule_collection_groups.len()),
            (IpGroup::TYPE, self.ip_groups.len()),
            (ApplicationGateway::TYPE, self.application_gateways.len()),
            (WafPolicy::TYPE, self.waf_policies.len()),
            (PrivateEndpoint::TYPE, self.private_endpoints.len()),
            (
                PrivateDnsZoneGroup::TYPE,
                self.private_dns_zone_groups.len(),
            ),
            (PrivateDnsZone::TYPE, self.private_dns_zones.len()),
            (VirtualNetworkLink::TYPE, self.virtual_network_links.len()),
            (ARecordSet::TYPE, self.a_record_sets.len()),
            (DnsResolver::TYPE, self.dns_resolvers.len()),
            (InboundEndpoint::TYPE, self.inbound_endpoints.len()),
            (OutboundEndpoint::TYPE, self.outbound_endpoints.len()),
            (
                DnsForwardingRuleset::TYPE,
                self.dns_forwarding_rulesets.len(),
            ),
            (ForwardingRule::TYPE, self.forwarding_rules.len()),
            (
                RulesetVirtualNetworkLink::TYPE,
                self.ruleset_virtual_network_links.len(),
            ),
            (BastionHost::TYPE, self.bastion_hosts.len()),
            (
                VirtualNetworkGateway::TYPE,
                self.virtual_network_gateways.len(),
            ),
            (LocalNetworkGateway::TYPE, self.local_network_gateways.len()),
            (Connection::TYPE, self.connections.len()),
            (ManagedCluster::TYPE, self.managed_clusters.len()),
            (ContainerRegistry::TYPE, self.container_registries.len()),
            (KeyVault::TYPE, self.key_vaults.len()),
            (
                UserAssignedIdentity::TYPE,
                self.user_assigned_identities.len(),
            ),
            (
                <crate::authorization::RoleAssignment as crate::ResourceType>::TYPE,
                self.role_assignments.len(),
            ),
        ];
        all.into_iter().collect()
    }

    /// Resources held, by ARM type, leaving out the types with none.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        self.type_counts()
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}
