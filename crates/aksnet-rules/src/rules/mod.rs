//! One file per rule.

mod aks_reserved_ranges;
mod app_gateway_forced_tunnel;
mod app_gateway_nsg_blocks_platform;
mod authorized_ranges_miss_egress_ip;
mod authorized_ranges_on_private_cluster;
mod bastion_nsg_missing_rules;
mod dedicated_pool_shares_subnet;
mod diagnostics;
mod egress_bypasses_firewall;
mod firewall_blocks_required_endpoint;
mod fqdn_network_rule_without_dns_proxy;
mod inbound_return_asymmetric;
mod key_vault_public_access;
mod kubenet_retiring;
mod no_network_policy;
mod node_public_ip;
mod nodes_reachable_from_internet;
mod onprem_bypasses_firewall;
mod outbound_type_inconsistent_with_routes;
mod overlapping_address_spaces;
mod paas_without_private_endpoint;
mod private_api_without_management_path;
mod private_endpoint_asymmetric;
mod private_endpoint_name_not_private;
mod public_api_without_authorized_ranges;
mod public_app_gateway_without_waf_prevention;
mod registry_data_record_missing;
mod registry_not_premium;
mod registry_public_access;
mod remote_login_from_internet;
mod special_subnet_misconfigured;
mod spoke_to_spoke_bypasses_hub;
mod spoke_without_firewall;
mod subnet_too_small_for_pools;
mod subnet_without_nsg;
mod threat_intel_not_deny;
mod unrestricted_egress_rule;

use aksnet_engine::topology::EndpointKind;
use aksnet_engine::trace::HopKind;
use aksnet_engine::trace::Trace;

use crate::Rule;

pub(crate) fn all() -> Vec<&'static dyn Rule> {
    vec![
        &aks_reserved_ranges::AksReservedRanges,
        &app_gateway_forced_tunnel::AppGatewayForcedTunnel,
        &app_gateway_nsg_blocks_platform::AppGatewayNsgBlocksPlatform,
        &authorized_ranges_miss_egress_ip::AuthorizedRangesMissEgressIp,
        &authorized_ranges_on_private_cluster::AuthorizedRangesOnPrivateCluster,
        &bastion_nsg_missing_rules::BastionNsgMissingRules,
        &dedicated_pool_shares_subnet::DedicatedPoolSharesSubnet,
        &egress_bypasses_firewall::EgressBypassesFirewall,
        &firewall_blocks_required_endpoint::FirewallBlocksRequiredEndpoint,
        &fqdn_network_rule_without_dns_proxy::FqdnNetworkRuleWithoutDnsProxy,
        &inbound_return_asymmetric::InboundReturnAsymmetric,
        &key_vault_public_access::KeyVaultPublicAccess,
        &kubenet_retiring::KubenetRetiring,
        &no_network_policy::NoNetworkPolicy,
        &node_public_ip::NodePublicIp,
        &nodes_reachable_from_internet::NodesReachableFromInternet,
        &onprem_bypasses_firewall::OnPremBypassesFirewall,
        &outbound_type_inconsistent_with_routes::OutboundTypeInconsistentWithRoutes,
        &overlapping_address_spaces::OverlappingAddressSpaces,
        &paas_without_private_endpoint::PaasWithoutPrivateEndpoint,
        &private_api_without_management_path::PrivateApiWithoutManagementPath,
        &private_endpoint_asymmetric::PrivateEndpointAsymmetric,
        &private_endpoint_name_not_private::PrivateEndpointNameNotPrivate,
        &public_api_without_authorized_ranges::PublicApiWithoutAuthorizedRanges,
        &public_app_gateway_without_waf_prevention::PublicAppGatewayWithoutWafPrevention,
        &registry_data_record_missing::RegistryDataRecordMissing,
        &registry_not_premium::RegistryNotPremium,
        &registry_public_access::RegistryPublicAccess,
        &remote_login_from_internet::RemoteLoginFromInternet,
        &special_subnet_misconfigured::SpecialSubnetMisconfigured,
        &spoke_to_spoke_bypasses_hub::SpokeToSpokeBypassesHub,
        &spoke_without_firewall::SpokeWithoutFirewall,
        &subnet_too_small_for_pools::SubnetTooSmallForPools,
        &subnet_without_nsg::SubnetWithoutNsg,
        &threat_intel_not_deny::ThreatIntelNotDeny,
        &unrestricted_egress_rule::UnrestrictedEgressRule,
    ]
}

/// Node subnets: `(subnet index, cluster)` for every agent pool's node subnet.
pub(crate) fn node_subnets(cx: &crate::Context) -> Vec<(usize, aksnet_model::ResourceId)> {
    let t = &cx.plane.topology;
    let mut v: Vec<(usize, aksnet_model::ResourceId)> = (0..t.subnets.len())
        .filter_map(|s| t.subnet_clusters[s].as_ref().map(|c| (s, c.0.clone())))
        .collect();
    v.sort_by_key(|x| x.0);
    v
}

/// Whether the estate has an egress firewall or NVA.
pub(crate) fn has_appliance(cx: &crate::Context) -> bool {
    cx.plane
        .topology
        .endpoints
        .iter()
        .any(|e| matches!(e.kind, EndpointKind::Firewall | EndpointKind::Nva))
}

/// Whether a traced flow crossed a firewall or NVA.
pub(crate) fn crosses_appliance(tr: &Trace) -> bool {
    tr.hops
        .iter()
        .any(|h| h.kind == HopKind::Firewall || h.kind == HopKind::Nva)
}

/// The VNets whose nodes use endpoint `e`: a private API server's own cluster; for a private
/// endpoint, the nodes in its own VNet, or — when its VNet has no nodes (a hub or shared-services
/// VNet) — the node VNets peered to it. An endpoint in another spoke is not assumed to be used
/// across spokes. `nodes` is [`node_subnets`].
pub(crate) fn client_vnets(
    cx: &crate::Context,
    e: &aksnet_engine::topology::Endpoint,
    nodes: &[(usize, aksnet_model::ResourceId)],
) -> Vec<usize> {
    let t = &cx.plane.topology;
    let mut vnets: Vec<usize> = if e.kind == EndpointKind::ApiServerPrivate {
        nodes
            .iter()
            .filter(|(_, c)| *c == e.resource)
            .map(|(s, _)| t.subnets[*s].vnet)
            .collect()
    } else {
        let Some(home) = e.subnet.map(|s| t.subnets[s].vnet) else {
            return Vec::new();
        };
        let node_vnets: Vec<usize> = nodes.iter().map(|(s, _)| t.subnets[*s].vnet).collect();
        if node_vnets.contains(&home) {
            vec![home]
        } else {
            node_vnets
                .into_iter()
                .filter(|&v| t.vnets[home].peers.iter().any(|p| p.remote == v))
                .collect()
        }
    };
    vnets.sort_unstable();
    vnets.dedup();
    vnets
}

/// Every Application Gateway with each subnet it sits in: `(gateway, is v2, subnet index)`.
pub(crate) fn app_gateway_subnets<'e>(
    cx: &crate::Context<'_, 'e>,
) -> Vec<(
    &'e aksnet_model::Resource<aksnet_model::appgw::ApplicationGateway>,
    bool,
    usize,
)> {
    let t = &cx.plane.topology;
    let mut out = Vec::new();
    for a in cx.estate.application_gateways.iter() {
        let v2 = a.properties.sku.tier.to_ascii_lowercase().ends_with("_v2");
        for cfg in &a.properties.gateway_ip_configurations {
            if let Some(s) = t.subnet_by_id(&cfg.properties.subnet.id) {
                out.push((a, v2, s));
            }
        }
    }
    out
}
