//! Bastion, VPN/ExpressRoute gateways, local network gateways and connections (REST field names,
//! checked against `BastionHostPut.json` and `VirtualNetworkGatewayGet.json`).

use aksnet_net::Prefix;
use serde::{Deserialize, Serialize};

use crate::network::{AddressSpace, IpConfiguration};
use crate::resource::{Child, ResourceType, SubResource};

/// `Microsoft.Network/bastionHosts` properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BastionHost {
    /// The IP configuration in `AzureBastionSubnet`.
    pub ip_configurations: Vec<Child<IpConfiguration>>,
    /// Native-client tunnelling (Standard SKU).
    #[serde(default)]
    pub enable_tunneling: bool,
}

impl ResourceType for BastionHost {
    const TYPE: &'static str = "Microsoft.Network/bastionHosts";
}

/// `Microsoft.Network/virtualNetworkGateways` properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetworkGateway {
    /// `Vpn` or `ExpressRoute`.
    pub gateway_type: String,
    /// `RouteBased` for VPN gateways.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpn_type: Option<String>,
    /// `{ name, tier }`, e.g. `VpnGw2AZ` or `ErGw1AZ`; `None` when not stated (no documented
    /// default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<GatewayVngSku>,
    /// IP configurations in `GatewaySubnet`.
    pub ip_configurations: Vec<Child<IpConfiguration>>,
    /// BGP on.
    #[serde(default)]
    pub enable_bgp: bool,
    /// Two active instances.
    #[serde(default)]
    pub active_active: bool,
}

impl ResourceType for VirtualNetworkGateway {
    const TYPE: &'static str = "Microsoft.Network/virtualNetworkGateways";
}

/// Gateway SKU (inside `properties`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayVngSku {
    /// SKU name.
    pub name: String,
    /// SKU tier.
    pub tier: String,
}

/// `Microsoft.Network/localNetworkGateways` properties: the on-premises side of a VPN.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalNetworkGateway {
    /// On-premises prefixes reached through this gateway.
    pub local_network_address_space: AddressSpace,
    /// The on-premises VPN device's public IP (a deployment input; unknown to a design).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_ip_address: Option<String>,
}

impl ResourceType for LocalNetworkGateway {
    const TYPE: &'static str = "Microsoft.Network/localNetworkGateways";
}

impl LocalNetworkGateway {
    /// The on-premises prefixes.
    pub fn prefixes(&self) -> &[Prefix] {
        &self.local_network_address_space.address_prefixes
    }
}

/// `Microsoft.Network/connections` properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// `IPsec` or `ExpressRoute`.
    pub connection_type: String,
    /// The Azure-side gateway.
    pub virtual_network_gateway1: SubResource,
    /// The on-premises side of an IPsec connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_network_gateway2: Option<SubResource>,
    /// The ExpressRoute circuit (a deployment input, kept as an id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer: Option<SubResource>,
}

impl ResourceType for Connection {
    const TYPE: &'static str = "Microsoft.Network/connections";
}
