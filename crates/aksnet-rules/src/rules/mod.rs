//! One file per rule.

mod authorized_ranges_on_private_cluster;
mod egress_bypasses_firewall;
mod key_vault_public_access;
mod nodes_reachable_from_internet;
mod private_endpoint_name_not_private;
mod public_api_without_authorized_ranges;
mod public_app_gateway_without_waf_prevention;
mod registry_public_access;
mod subnet_without_nsg;

use crate::Rule;

pub(crate) fn all() -> Vec<&'static dyn Rule> {
    vec![
        &authorized_ranges_on_private_cluster::AuthorizedRangesOnPrivateCluster,
        &egress_bypasses_firewall::EgressBypassesFirewall,
        &key_vault_public_access::KeyVaultPublicAccess,
        &nodes_reachable_from_internet::NodesReachableFromInternet,
        &private_endpoint_name_not_private::PrivateEndpointNameNotPrivate,
        &public_api_without_authorized_ranges::PublicApiWithoutAuthorizedRanges,
        &public_app_gateway_without_waf_prevention::PublicAppGatewayWithoutWafPrevention,
        &registry_public_access::RegistryPublicAccess,
        &subnet_without_nsg::SubnetWithoutNsg,
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
