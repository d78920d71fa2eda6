//! What several rules ask of the estate or the data plane, defined once.

use aksnet_engine::endpoints::EndpointKind;
use aksnet_engine::topology::{SubnetIx, VnetIx};
use aksnet_engine::trace::HopKind;
use aksnet_engine::trace::Trace;

/// Node subnets: `(subnet index, cluster)` for every agent pool's node subnet.
pub(crate) fn node_subnets(cx: &crate::Context) -> Vec<(SubnetIx, aksnet_model::ResourceId)> {
    let t = &cx.plane.topology;
    let mut v: Vec<(SubnetIx, aksnet_model::ResourceId)> = t
        .subnets
        .indices()
        .filter_map(|s| {
            t.subnet_clusters[s]
                .as_ref()
                .map(|c| (s, c.cluster.clone()))
        })
        .collect();
    v.sort_by_key(|x| x.0);
    v
}

/// Whether the estate has an egress firewall or NVA.
pub(crate) fn has_appliance(cx: &crate::Context) -> bool {
    cx.plane
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
    e: &aksnet_engine::endpoints::Endpoint,
    nodes: &[(SubnetIx, aksnet_model::ResourceId)],
) -> Vec<VnetIx> {
    let t = &cx.plane.topology;
    let mut vnets: Vec<VnetIx> = if e.kind == EndpointKind::ApiServerPrivate {
        nodes
            .iter()
            .filter(|(_, c)| *c == e.resource)
            .map(|(s, _)| t.subnets[*s].vnet)
            .collect()
    } else {
        let Some(home) = e.subnet.map(|s| t.subnets[s].vnet) else {
            return Vec::new();
        };
        let node_vnets: Vec<VnetIx> = nodes.iter().map(|(s, _)| t.subnets[*s].vnet).collect();
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
    SubnetIx,
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
