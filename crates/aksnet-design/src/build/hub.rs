//! The hub: VNet, Azure Firewall (or NVA), VPN/ExpressRoute gateway, Bastion, and the
//! GatewaySubnet route table that sends on-premises → spoke traffic through the firewall.

use aksnet_model::azure;
use aksnet_model::firewall::{
    AzureFirewall, DnsSettings, FirewallPolicy, FirewallSku, IntrusionDetection, PolicySku,
};
use aksnet_model::gateway::{
    BastionHost, Connection, GatewayVngSku, LocalNetworkGateway, VirtualNetworkGateway,
};
use aksnet_model::network::{
    AddressSpace, IpConfiguration, NatGateway, NetworkSecurityGroup, NextHopType, PublicIpAddress,
    Route, RouteTable, Subnet, VirtualNetwork, VirtualNetworkPeering,
};
use aksnet_model::{Child, Estate, Maybe, Resource, ResourceId, ResourceType, SubResource};
use aksnet_net::Prefix;

use super::nsg::{bastion_rules, nsg, nva_rules};
use super::Ctx;
use crate::intent::{FirewallKind, Link};
use crate::sizing::SubnetRole;

/// Builds the hub; returns the egress appliance's private IP (firewall or NVA), if any.
pub(super) fn build(ctx: &Ctx, estate: &mut Estate) -> Option<String> {
    let plan = &ctx.plan.hub;
    let vnet_id = ctx.hub_vnet_id();
    let loc = ctx.location();
    let mut subnets = Vec::new();
    for s in &plan.subnets {
        let mut props = Subnet {
            address_prefix: s.prefix,
            ..subnet_defaults(s.prefix)
        };
        if s.role == SubnetRole::Bastion {
            let id = ctx.hub_id(
                NetworkSecurityGroup::TYPE,
                &format!("nsg-bastion-{}", ctx.name()),
            );
            estate
                .network_security_groups
                .insert(nsg(id.clone(), loc, &bastion_rules()));
            props.network_security_group = Some(id.into());
        }
        if s.role == SubnetRole::Nva {
            let id = ctx.hub_id(
                NetworkSecurityGroup::TYPE,
                &format!("nsg-nva-{}", ctx.name()),
            );
            estate
                .network_security_groups
                .insert(nsg(id.clone(), loc, &nva_rules()));
            props.network_security_group = Some(id.into());
            props.nat_gateway = Some(nva_nat_gateway(ctx, estate).into());
        }
        subnets.push(Child::new(
            s.name.clone(),
            Some(vnet_id.child("subnets", &s.name)),
            props,
        ));
    }
    let has_gateway = ctx.intent.on_premises.link != Link::None;
    let peerings = ctx
        .plan
        .spokes
        .iter()
        .zip(&ctx.intent.spokes)
        .map(|(sp, si)| {
            let remote = ResourceId::resource(
                &ctx.subscription(si.subscription.as_deref()),
                &format!("rg-{}-{}", ctx.name(), si.name),
                VirtualNetwork::TYPE,
                &sp.vnet.name,
            );
            let name = format!("peer-hub-to-{}", si.name);
            Child::new(
                name.clone(),
                Some(vnet_id.child("virtualNetworkPeerings", &name)),
                VirtualNetworkPeering {
                    remote_virtual_network: remote.into(),
                    allow_virtual_network_access: true,
                    allow_forwarded_traffic: true,
                    allow_gateway_transit: has_gateway,
                    use_remote_gateways: false,
                    peering_state: Some("Connected".to_string()),
                },
            )
        })
        .collect();
    estate.virtual_networks.insert(Resource::new(
        vnet_id.clone(),
        Some(loc),
        VirtualNetwork {
            address_space: AddressSpace {
                address_prefixes: vec![plan.address_space],
            },
            dhcp_options: None,
            subnets,
            virtual_network_peerings: peerings,
        },
    ));
    if ctx.intent.hub.bastion {
        bastion(ctx, estate, &vnet_id);
    }
    if has_gateway {
        gateway(ctx, estate, &vnet_id);
    }
    match ctx.intent.hub.firewall {
        FirewallKind::AzureFirewall => {
            let ip = firewall(ctx, estate, &vnet_id);
            if has_gateway {
                firewall_subnet_internet_route(ctx, estate);
            }
            Some(ip)
        }
        FirewallKind::Nva => Some(match &ctx.intent.hub.nva_ip {
            Some(ip) => ip.value.clone(),
            None => plan
                .subnet(&SubnetRole::Nva)
                .and_then(|s| azure::first_assignable(&s.prefix))
                .map(|a| a.to_string())
                .expect("the NVA subnet is planned with firewall: nva"),
        }),
        FirewallKind::None => None,
    }
}

/// Subnet properties every designed subnet starts from.
pub(super) fn subnet_defaults(prefix: aksnet_net::Prefix) -> Subnet {
    Subnet {
        address_prefix: prefix,
        network_security_group: None,
        route_table: None,
        nat_gateway: None,
        delegations: Vec::new(),
        service_endpoints: Vec::new(),
        private_endpoint_network_policies: None,
        private_link_service_network_policies: None,
        default_outbound_access: Some(false),
    }
}

/// A Standard static IPv4 public IP, zone-redundant.
/// The NVA's way out: subnets are private by default (no default outbound access), so the
/// appliance's Internet traffic leaves through a NAT gateway with one static public IP, a fixed
/// address that partners can allow-list (azure-semantics §9 step 3: "Internet → the source needs
/// an egress IP (PIP on NIC, LB outbound rule, NAT GW, firewall PIP)").
fn nva_nat_gateway(ctx: &Ctx, estate: &mut Estate) -> ResourceId {
    let id = ctx.hub_id(NatGateway::TYPE, &format!("ng-nva-{}", ctx.name()));
    let pip = ctx.hub_id(PublicIpAddress::TYPE, &format!("pip-ng-nva-{}", ctx.name()));
    estate
        .public_ip_addresses
        .insert(public_ip(pip.clone(), ctx.location()));
    estate.nat_gateways.insert(
        Resource::new(
            id.clone(),
            Some(ctx.location()),
            NatGateway {
                public_ip_addresses: vec![pip.into()],
            },
        )
        .with_sku("Standard", None),
    );
    id
}

pub(super) fn public_ip(id: ResourceId, location: &str) -> Resource<PublicIpAddress> {
    Resource::new(
        id,
        Some(location),
        PublicIpAddress {
            public_ip_allocation_method: "Static".to_string(),
            public_ip_address_version: "IPv4".to_string(),
            ip_address: None,
        },
    )
    .with_sku("Standard", Some("Regional"))
}

fn ip_config(
    name: &str,
    parent: &ResourceId,
    child_type: &str,
    subnet: ResourceId,
    pip: Option<ResourceId>,
    private_ip: Option<String>,
) -> Child<IpConfiguration> {
    Child::new(
        name,
        Some(parent.child(child_type, name)),
        IpConfiguration {
            subnet: subnet.into(),
            public_ip_address: pip.map(SubResource::from),
            private_ip_address: private_ip,
        },
    )
}

fn firewall(ctx: &Ctx, estate: &mut Estate, vnet_id: &ResourceId) -> String {
    let loc = ctx.location();
    let subnet = ctx
        .plan
        .hub
        .subnet(&SubnetRole::Firewall)
        .expect("planned with azureFirewall");
    // Azure gives the firewall the subnet's first assignable address (.4); predicted, see azure::first_assignable.
    let ip = azure::first_assignable(&subnet.prefix)
        .expect("a /26 has a .4")
        .to_string();
    let pip = ctx.hub_id(PublicIpAddress::TYPE, &format!("pip-afw-{}", ctx.name()));
    estate
        .public_ip_addresses
        .insert(public_ip(pip.clone(), loc));
    let policy_id = ctx.hub_id(FirewallPolicy::TYPE, &format!("afwp-{}", ctx.name()));
    let tier = ctx.intent.hub.firewall_tier.clone();
    estate.firewall_policies.insert(Resource::new(
        policy_id.clone(),
        Some(loc),
        FirewallPolicy {
            sku: Some(PolicySku { tier: tier.clone() }),
            threat_intel_mode: Some("Deny".to_string()),
            dns_settings: Some(DnsSettings {
                enable_proxy: true,
                servers: Vec::new(),
            }),
            base_policy: None,
            snat: None,
            // IDPS blocks what its signatures match (Alert only logs): the secure default,
            // and what Checkov CKV_AZURE_220 asks for. Premium only.
            intrusion_detection: (tier == "Premium").then(|| IntrusionDetection {
                mode: Some("Deny".to_string()),
            }),
        },
    ));
    let fw_id = ctx.hub_id(AzureFirewall::TYPE, &format!("afw-{}", ctx.name()));
    let cfg = ip_config(
        "ipconfig",
        &fw_id,
        "azureFirewallIpConfigurations",
        vnet_id.child("subnets", "AzureFirewallSubnet"),
        Some(pip),
        Some(ip.clone()),
    );
    estate.azure_firewalls.insert(Resource::new(
        fw_id,
        Some(loc),
        AzureFirewall {
            sku: FirewallSku {
                name: "AZFW_VNet".to_string(),
                tier,
            },
            ip_configurations: vec![cfg],
            management_ip_configuration: None,
            firewall_policy: Some(policy_id.into()),
            nat_rule_collections: Vec::new(),
            network_rule_collections: Vec::new(),
            application_rule_collections: Vec::new(),
            additional_properties: Default::default(),
            threat_intel_mode: None,
        },
    ));
    ip
}

fn bastion(ctx: &Ctx, estate: &mut Estate, vnet_id: &ResourceId) {
    let loc = ctx.location();
    let pip = ctx.hub_id(PublicIpAddress::TYPE, &format!("pip-bas-{}", ctx.name()));
    estate
        .public_ip_addresses
        .insert(public_ip(pip.clone(), loc));
    let id = ctx.hub_id(BastionHost::TYPE, &format!("bas-{}", ctx.name()));
    let cfg = ip_config(
        "ipconfig",
        &id,
        "bastionHostIpConfigurations",
        vnet_id.child("subnets", "AzureBastionSubnet"),
        Some(pip),
        None,
    );
    estate.bastion_hosts.insert(
        Resource::new(
            id,
            Some(loc),
            BastionHost {
                ip_configurations: vec![cfg],
                enable_tunneling: true,
            },
        )
        .with_sku("Standard", None),
    );
}

fn gateway(ctx: &Ctx, estate: &mut Estate, vnet_id: &ResourceId) {
    let loc = ctx.location();
    let vpn = ctx.intent.on_premises.link == Link::Vpn;
    let pip = ctx.hub_id(PublicIpAddress::TYPE, &format!("pip-vgw-{}", ctx.name()));
    estate
        .public_ip_addresses
        .insert(public_ip(pip.clone(), loc));
    let id = ctx.hub_id(VirtualNetworkGateway::TYPE, &format!("vgw-{}", ctx.name()));
    let (kind, sku) = if vpn {
        ("Vpn", "VpnGw2AZ")
    } else {
        ("ExpressRoute", "ErGw1AZ")
    };
    let cfg = ip_config(
        "ipconfig",
        &id,
        "ipConfigurations",
        vnet_id.child("subnets", "GatewaySubnet"),
        Some(pip),
        None,
    );
    estate.virtual_network_gateways.insert(Resource::new(
        id.clone(),
        Some(loc),
        VirtualNetworkGateway {
            gateway_type: kind.to_string(),
            vpn_type: vpn.then(|| "RouteBased".to_string()),
            sku: Some(GatewayVngSku {
                name: sku.to_string(),
                tier: sku.to_string(),
            }),
            ip_configurations: vec![cfg],
            enable_bgp: !vpn,
            active_active: false,
        },
    ));
    let con_id = ctx.hub_id(Connection::TYPE, &format!("con-{}-onprem", ctx.name()));
    let lng = vpn.then(|| {
        let lng_id = ctx.hub_id(
            LocalNetworkGateway::TYPE,
            &format!("lgw-{}-onprem", ctx.name()),
        );
        estate.local_network_gateways.insert(Resource::new(
            lng_id.clone(),
            Some(loc),
            LocalNetworkGateway {
                local_network_address_space: AddressSpace {
                    address_prefixes: ctx.plan.on_premises.clone(),
                },
                gateway_ip_address: None,
            },
        ));
        SubResource::from(lng_id)
    });
    estate.connections.insert(Resource::new(
        con_id,
        Some(loc),
        Connection {
            connection_type: if vpn { "IPsec" } else { "ExpressRoute" }.to_string(),
            virtual_network_gateway1: id.into(),
            local_network_gateway2: lng,
            peer: None,
        },
    ));
}

/// With a gateway, on-premises may advertise 0.0.0.0/0 by BGP; the firewall needs direct
/// Internet access, so `AzureFirewallSubnet` gets a UDR `0.0.0.0/0 → Internet`, which wins over
/// a BGP route of the same prefix ([FWFAQ], azure-semantics §4.4 and §2.3). Propagation stays on
/// so the firewall still learns the on-premises prefixes.
fn firewall_subnet_internet_route(ctx: &Ctx, estate: &mut Estate) {
    let id = ctx.hub_id(RouteTable::TYPE, &format!("rt-firewall-{}", ctx.name()));
    let routes = vec![route(
        &id,
        "default-to-internet",
        default_route(),
        NextHopType::Internet,
        None,
    )];
    attach_hub_route_table(ctx, estate, id, routes, "AzureFirewallSubnet");
}

/// GatewaySubnet route table: each spoke's space → the appliance, so on-premises → spoke traffic
/// is inspected both ways (azure-semantics §5.1). Propagation stays on: the gateway needs it.
pub(super) fn gateway_subnet_routes(ctx: &Ctx, estate: &mut Estate, appliance_ip: &str) {
    if ctx.intent.on_premises.link == Link::None {
        return;
    }
    let id = ctx.hub_id(RouteTable::TYPE, &format!("rt-gateway-{}", ctx.name()));
    let routes = ctx
        .plan
        .spokes
        .iter()
        .zip(&ctx.intent.spokes)
        .map(|(sp, si)| {
            route(
                &id,
                &format!("to-{}", si.name),
                sp.vnet.address_space,
                NextHopType::VirtualAppliance,
                Some(appliance_ip),
            )
        })
        .collect();
    attach_hub_route_table(ctx, estate, id, routes, "GatewaySubnet");
}

/// `0.0.0.0/0`.
pub(super) fn default_route() -> Prefix {
    "0.0.0.0/0".parse().expect("constant")
}

/// A user-defined route of `table`.
pub(super) fn route(
    table: &ResourceId,
    name: &str,
    prefix: Prefix,
    hop: NextHopType,
    ip: Option<&str>,
) -> Child<Route> {
    Child::new(
        name,
        Some(table.child("routes", name)),
        Route {
            address_prefix: prefix.into(),
            next_hop_type: hop,
            next_hop_ip_address: ip.map(|a| Maybe::Known(a.to_string())),
        },
    )
}

/// Adds a hub route table with gateway propagation on, and associates it with a hub subnet.
fn attach_hub_route_table(
    ctx: &Ctx,
    estate: &mut Estate,
    id: ResourceId,
    routes: Vec<Child<Route>>,
    subnet: &str,
) {
    estate.route_tables.insert(Resource::new(
        id.clone(),
        Some(ctx.location()),
        RouteTable {
            disable_bgp_route_propagation: false,
            routes,
        },
    ));
    let vnet = estate
        .virtual_networks
        .get_mut(&ctx.hub_vnet_id())
        .expect("hub built first");
    if let Some(s) = vnet
        .properties
        .subnets
        .iter_mut()
        .find(|s| s.name == subnet)
    {
        s.properties.route_table = Some(id.into());
    }
}
