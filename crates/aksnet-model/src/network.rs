//! Core networking resources: virtual networks and subnets, peerings, route tables, network
//! security groups, public IPs, NAT gateways, load balancers, network interfaces and application
//! security groups. Field names follow the Microsoft.Network REST API (checked against
//! `shared/corpus/azure-rest-examples/network`).

use aksnet_net::Prefix;
use serde::{Deserialize, Serialize};

use crate::checked::read;
pub use crate::checked::RouteDestination;
use crate::maybe::Maybe;
use crate::resource::{Child, ResourceType, SubResource};

/// `Microsoft.Network/virtualNetworks` properties.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetwork {
    /// The VNet's address space.
    pub address_space: AddressSpace,
    /// Custom DNS servers; empty means Azure-provided DNS (168.63.129.16).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dhcp_options: Option<DhcpOptions>,
    /// Subnets, embedded as the REST API returns them.
    #[serde(default)]
    pub subnets: Vec<Child<Subnet>>,
    /// Peerings from this VNet to others (one direction each).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub virtual_network_peerings: Vec<Child<VirtualNetworkPeering>>,
}

impl ResourceType for VirtualNetwork {
    const TYPE: &'static str = "Microsoft.Network/virtualNetworks";
}

impl VirtualNetwork {
    /// The address space as a set.
    pub fn space(&self) -> aksnet_net::PrefixSet {
        self.address_space.address_prefixes.iter().collect()
    }

    /// The subnet with this name (case-insensitive).
    pub fn subnet(&self, name: &str) -> Option<&Child<Subnet>> {
        self.subnets
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }
}

/// `{ "addressPrefixes": [...] }`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddressSpace {
    /// The prefixes.
    pub address_prefixes: Vec<Prefix>,
}

/// `{ "dnsServers": [...] }`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DhcpOptions {
    /// DNS server IPs handed to NICs in the VNet.
    #[serde(deserialize_with = "read::ips")]
    pub dns_servers: Vec<String>,
}

/// Subnet properties (`Microsoft.Network/virtualNetworks/subnets`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subnet {
    /// The subnet's prefix.
    pub address_prefix: Prefix,
    /// Associated NSG.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_security_group: Option<SubResource>,
    /// Associated route table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_table: Option<SubResource>,
    /// Associated NAT gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nat_gateway: Option<SubResource>,
    /// Service delegations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delegations: Vec<Child<Delegation>>,
    /// Service endpoints enabled on the subnet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub service_endpoints: Vec<ServiceEndpoint>,
    /// `Disabled` (Azure's default), `Enabled`, `NetworkSecurityGroupEnabled` or
    /// `RouteTableEnabled` (azure-semantics §7.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_endpoint_network_policies: Option<String>,
    /// `Enabled` or `Disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_link_service_network_policies: Option<String>,
    /// Whether VMs in the subnet get default outbound access (false = private subnet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_outbound_access: Option<bool>,
}

/// A subnet delegation's properties.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delegation {
    /// E.g. `Microsoft.ContainerService/managedClusters`.
    pub service_name: String,
}

/// `{ "service": "Microsoft.Storage" }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceEndpoint {
    /// The service, e.g. `Microsoft.Storage`.
    pub service: String,
}

/// Peering properties (`virtualNetworks/virtualNetworkPeerings`); defaults as in the REST API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetworkPeering {
    /// The VNet on the other side.
    pub remote_virtual_network: SubResource,
    /// Peer's space is in the local `VirtualNetwork` tag (default true).
    #[serde(default = "crate::defaults::yes")]
    pub allow_virtual_network_access: bool,
    /// Accept traffic forwarded (by an NVA) from the remote VNet (default false).
    #[serde(default)]
    pub allow_forwarded_traffic: bool,
    /// Let the remote VNet use this VNet's gateway (default false).
    #[serde(default)]
    pub allow_gateway_transit: bool,
    /// Use the remote VNet's gateway (default false).
    #[serde(default)]
    pub use_remote_gateways: bool,
    /// `Initiated`, `Connected` or `Disconnected`; a design states `Connected` once both sides exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peering_state: Option<String>,
}

/// `Microsoft.Network/routeTables` properties.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteTable {
    /// When true, gateway (BGP and static) routes are not propagated to associated subnets.
    #[serde(default)]
    pub disable_bgp_route_propagation: bool,
    /// The user-defined routes.
    #[serde(default)]
    pub routes: Vec<Child<Route>>,
}

impl ResourceType for RouteTable {
    const TYPE: &'static str = "Microsoft.Network/routeTables";
}

/// A user-defined route. Read through [`RawRoute`], so that a `VirtualAppliance` route without a
/// valid next hop address is refused as Azure refuses it [UDR] §2.4.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "RawRoute")]
pub struct Route {
    /// Destination: a CIDR or a service tag.
    pub address_prefix: RouteDestination,
    /// Next hop type.
    pub next_hop_type: NextHopType,
    /// Next hop IP, for `VirtualAppliance`; unknown when a template leaves it to deployment
    /// (the firewall's private IP, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_hop_ip_address: Option<Maybe<String>>,
}

/// A route as written, before its next hop is checked.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawRoute {
    address_prefix: RouteDestination,
    next_hop_type: NextHopType,
    #[serde(default)]
    next_hop_ip_address: Option<Maybe<String>>,
}

impl TryFrom<RawRoute> for Route {
    type Error = String;

    /// `VirtualAppliance` requires `nextHopIpAddress`, an IP address [UDR] §2.4, or one unknown
    /// before deployment.
    fn try_from(r: RawRoute) -> Result<Self, String> {
        if r.next_hop_type == NextHopType::VirtualAppliance {
            let known = r
                .next_hop_ip_address
                .as_ref()
                .map(|a| a.known().map(|s| s.trim()));
            match known {
                None | Some(Some("")) => {
                    return Err("a VirtualAppliance route needs nextHopIpAddress".to_string())
                }
                Some(Some(ip)) if ip.parse::<std::net::IpAddr>().is_err() => {
                    return Err(format!("nextHopIpAddress `{ip}` is not an IP address"))
                }
                Some(_) => {}
            }
        }
        Ok(Route {
            address_prefix: r.address_prefix,
            next_hop_type: r.next_hop_type,
            next_hop_ip_address: r.next_hop_ip_address,
        })
    }
}

/// The UDR next-hop types of the `RouteNextHopType` enum (azure-semantics §2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NextHopType {
    /// A VPN gateway.
    VirtualNetworkGateway,
    /// Default routing inside the VNet.
    VnetLocal,
    /// The Internet.
    Internet,
    /// An NVA or firewall private IP.
    VirtualAppliance,
    /// Drop.
    None,
}

/// `Microsoft.Network/networkSecurityGroups` properties.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkSecurityGroup {
    /// Custom rules (default rules are implied, as in Azure).
    #[serde(default)]
    pub security_rules: Vec<Child<SecurityRule>>,
}

impl ResourceType for NetworkSecurityGroup {
    const TYPE: &'static str = "Microsoft.Network/networkSecurityGroups";
}

/// An NSG rule, with both the singular and the plural (augmented) address and port fields.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityRule {
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `Tcp`, `Udp`, `Icmp`, `Esp`, `Ah` or `*` ([`crate::checked::nsg_protocol`]).
    #[serde(deserialize_with = "read::nsg_protocol")]
    pub protocol: String,
    /// Source port or range (`*`).
    #[serde(
        default,
        deserialize_with = "read::port_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_port_range: Option<String>,
    /// Several source ports.
    #[serde(
        default,
        deserialize_with = "read::ports",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub source_port_ranges: Vec<String>,
    /// Destination port or range ([`crate::checked::port_range`]).
    #[serde(
        default,
        deserialize_with = "read::port_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub destination_port_range: Option<String>,
    /// Several destination ports.
    #[serde(
        default,
        deserialize_with = "read::ports",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub destination_port_ranges: Vec<String>,
    /// Source CIDR, IP, `*` or service tag ([`crate::checked::rule_address`]).
    #[serde(
        default,
        deserialize_with = "read::address_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_address_prefix: Option<String>,
    /// Several source CIDRs.
    #[serde(
        default,
        deserialize_with = "read::addresses",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub source_address_prefixes: Vec<String>,
    /// Destination CIDR, IP, `*` or service tag.
    #[serde(
        default,
        deserialize_with = "read::address_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub destination_address_prefix: Option<String>,
    /// Several destination CIDRs.
    #[serde(
        default,
        deserialize_with = "read::addresses",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub destination_address_prefixes: Vec<String>,
    /// Source application security groups (one, in Azure; instead of source prefixes)
    /// [ASG-DOC] §3.6.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_application_security_groups: Vec<SubResource>,
    /// Destination application security groups (one, in Azure; instead of destination
    /// prefixes) [ASG-DOC] §3.6.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destination_application_security_groups: Vec<SubResource>,
    /// `Allow` or `Deny`.
    pub access: Access,
    /// 100–4096 for custom rules.
    pub priority: u32,
    /// `Inbound` or `Outbound`.
    pub direction: Direction,
}

/// NSG rule access.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    /// Allow.
    #[default]
    Allow,
    /// Deny.
    Deny,
}

/// NSG rule direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// Towards the subnet/NIC.
    #[default]
    Inbound,
    /// Away from the subnet/NIC.
    Outbound,
}

/// `Microsoft.Network/publicIPAddresses` properties.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicIpAddress {
    /// `Static` or `Dynamic`; empty when not stated (it depends on the SKU: see
    /// [`crate::defaults::UNSTATED`]).
    #[serde(rename = "publicIPAllocationMethod", default)]
    pub public_ip_allocation_method: String,
    /// `IPv4` or `IPv6` (absent: IPv4, [`crate::defaults::DOCUMENTED`]).
    #[serde(
        rename = "publicIPAddressVersion",
        default = "crate::defaults::ip_version"
    )]
    pub public_ip_address_version: String,
    /// The allocated address, known only after deployment (or from an import).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
}

impl ResourceType for PublicIpAddress {
    const TYPE: &'static str = "Microsoft.Network/publicIPAddresses";
}

/// `Microsoft.Network/natGateways` properties.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NatGateway {
    /// Public IPs used for SNAT.
    #[serde(default)]
    pub public_ip_addresses: Vec<SubResource>,
}

impl ResourceType for NatGateway {
    const TYPE: &'static str = "Microsoft.Network/natGateways";
}

/// `Microsoft.Network/loadBalancers` properties (frontends, and the rules that say what they
/// answer on).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancer {
    /// Frontend IP configurations.
    #[serde(rename = "frontendIPConfigurations", default)]
    pub frontend_ip_configurations: Vec<Child<FrontendIpConfiguration>>,
    /// Load-balancing rules. AKS writes them for each Service of type LoadBalancer, so a
    /// designed estate has none; an exported one does.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancing_rules: Vec<Child<LoadBalancingRule>>,
}

/// A load-balancing rule (field names from `LoadBalancerGet.json`, REST 2025-05-01).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancingRule {
    /// The frontend it listens on.
    #[serde(
        rename = "frontendIPConfiguration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub frontend_ip_configuration: Option<SubResource>,
    /// `Tcp`, `Udp`, or `All` (HA ports, with ports 0).
    pub protocol: String,
    /// The port the frontend answers on (0 with HA ports: every port).
    pub frontend_port: u16,
    /// The port the backend receives on (0 with HA ports: the frontend port).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_port: Option<u16>,
}

impl ResourceType for LoadBalancer {
    const TYPE: &'static str = "Microsoft.Network/loadBalancers";
}

/// A frontend IP configuration (load balancer or application gateway).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FrontendIpConfiguration {
    /// Private frontend address.
    #[serde(
        rename = "privateIPAddress",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub private_ip_address: Option<String>,
    /// `Static` or `Dynamic`.
    #[serde(
        rename = "privateIPAllocationMethod",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub private_ip_allocation_method: Option<String>,
    /// Subnet of a private frontend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<SubResource>,
    /// Public IP of a public frontend.
    #[serde(
        rename = "publicIPAddress",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub public_ip_address: Option<SubResource>,
}

/// An IP configuration that sits in a subnet, optionally with a public IP (firewalls, Bastion,
/// gateways, application gateways).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpConfiguration {
    /// The subnet.
    pub subnet: SubResource,
    /// The public IP, if any.
    #[serde(
        rename = "publicIPAddress",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub public_ip_address: Option<SubResource>,
    /// The private IP, when known (Azure assigns it; the planner predicts it).
    #[serde(
        rename = "privateIPAddress",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub private_ip_address: Option<String>,
}

/// `Microsoft.Network/applicationSecurityGroups` properties: none that matter here; its
/// members are the NIC IP configurations (and private endpoints) that name it [ASG-DOC] §3.6.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationSecurityGroup {}

impl ResourceType for ApplicationSecurityGroup {
    const TYPE: &'static str = "Microsoft.Network/applicationSecurityGroups";
}

/// `Microsoft.Network/networkInterfaces` properties (field names from `NetworkInterfaceGet.json`,
/// REST 2025-05-01).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkInterface {
    /// IP configurations (the primary and any secondary ones).
    #[serde(default)]
    pub ip_configurations: Vec<Child<NetworkInterfaceIpConfiguration>>,
    /// The NIC-level NSG (evaluated with the subnet's, azure-semantics §3.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_security_group: Option<SubResource>,
    /// Whether the NIC forwards packets not addressed to it (an NVA).
    #[serde(rename = "enableIPForwarding", default)]
    pub enable_ip_forwarding: bool,
    /// The private endpoint that owns the NIC (a back-reference Azure writes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_endpoint: Option<SubResource>,
    /// The virtual machine the NIC is attached to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_machine: Option<SubResource>,
    /// The NIC's own DNS servers, which override its VNet's (`dnsSettings`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_settings: Option<NicDnsSettings>,
}

/// A network interface's `dnsSettings` (field names from `NetworkInterfaceGet.json`): only
/// `dnsServers` is read. The read-only `appliedDnsServers` (what Azure hands the VM, a union over
/// an availability set's NICs) is output derived from the settings, so it is not read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NicDnsSettings {
    /// DNS server addresses handed to this NIC instead of the VNet's `dhcpOptions.dnsServers`;
    /// empty: inherit the VNet's; `["AzureProvidedDNS"]`: Azure-provided DNS (168.63.129.16).
    #[serde(default, deserialize_with = "read::nic_dns_servers")]
    pub dns_servers: Vec<String>,
}

impl ResourceType for NetworkInterface {
    const TYPE: &'static str = "Microsoft.Network/networkInterfaces";
}

/// How a private address is assigned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IpAllocationMethod {
    /// Chosen by the owner.
    Static,
    /// Assigned by Azure (known once deployed; an export holds it).
    Dynamic,
}

/// A NIC IP configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkInterfaceIpConfiguration {
    /// Whether this is the NIC's primary configuration.
    #[serde(default)]
    pub primary: bool,
    /// The private address (an address, or a prefix for an IP prefix configuration such as
    /// `172.20.2.16/28`); absent before Azure assigns a dynamic one.
    #[serde(
        rename = "privateIPAddress",
        default,
        deserialize_with = "read::interface_address_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub private_ip_address: Option<String>,
    /// `Static` or `Dynamic`.
    #[serde(
        rename = "privateIPAllocationMethod",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub private_ip_allocation_method: Option<IpAllocationMethod>,
    /// The subnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subnet: Option<SubResource>,
    /// The public IP, if any.
    #[serde(
        rename = "publicIPAddress",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub public_ip_address: Option<SubResource>,
    /// The application security groups this configuration is a member of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub application_security_groups: Vec<SubResource>,
    /// The load balancer backend pools this configuration is a member of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancer_backend_address_pools: Vec<SubResource>,
    /// On a private endpoint's NIC: the member this address serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_link_connection_properties: Option<PrivateLinkConnectionProperties>,
}

/// `{ groupId, requiredMemberName, fqdns }` on a private endpoint NIC's IP configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateLinkConnectionProperties {
    /// Sub-resource, e.g. `registry`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// Member, e.g. `registry_data_westeurope`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_member_name: Option<String>,
    /// The names the address answers for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fqdns: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn route(ip: serde_json::Value) -> Result<Route, serde_json::Error> {
        serde_json::from_value(json!({ "addressPrefix": "0.0.0.0/0",
            "nextHopType": "VirtualAppliance", "nextHopIpAddress": ip }))
    }

    /// A `VirtualAppliance` route takes an address unknown before deployment, and writes it back
    /// as the marker; a known one must still be an IP address.
    #[test]
    fn a_virtual_appliance_route_accepts_an_unknown_address() {
        let marker = json!({ "$unknown": { "expression": "reference(variables('fw')).ipConfigurations[0].properties.privateIPAddress", "reason": "assigned at deployment" } });
        let r = route(marker.clone()).unwrap();
        let u = r
            .next_hop_ip_address
            .as_ref()
            .and_then(Maybe::unknown)
            .unwrap();
        assert_eq!(u.reason, "assigned at deployment");
        assert_eq!(
            serde_json::to_value(&r).unwrap()["nextHopIpAddress"],
            marker
        );
        let known = route(json!("10.0.0.4")).unwrap();
        assert_eq!(
            known.next_hop_ip_address,
            Some(Maybe::Known("10.0.0.4".into()))
        );
        let e = route(json!("fw")).unwrap_err().to_string();
        assert!(
            e.contains("nextHopIpAddress `fw` is not an IP address"),
            "{e}"
        );
    }
}
