//! Private DNS: the privatelink zones in the hub, linked to the hub and to every spoke whose
//! clients resolve them (links do not follow peering, azure-semantics §7.4).

use aksnet_model::private::{PrivateDnsZone, VirtualNetworkLink};
use aksnet_model::{Estate, Resource, ResourceId, ResourceType};

use super::Ctx;
use crate::intent::PrivateEndpointKind;

/// Zone of a private endpoint kind [PEOV-OLD] [ACRPL] §7.1.
pub(super) fn zone_name(kind: PrivateEndpointKind) -> &'static str {
    match kind {
        PrivateEndpointKind::ContainerRegistry => "privatelink.azurecr.io",
        PrivateEndpointKind::KeyVault => "privatelink.vaultcore.azure.net",
    }
}

/// Zone of a private cluster's API server [AKS-PRIVATE] §6.6: `privatelink.<region>.azmk8s.io`,
/// or `private.<region>.azmk8s.io` with API server VNet integration.
pub(super) fn api_zone_name(location: &str, vnet_integration: bool) -> String {
    if vnet_integration {
        format!("private.{location}.azmk8s.io")
    } else {
        format!("privatelink.{location}.azmk8s.io")
    }
}

/// Id of a zone in the hub resource group.
pub(super) fn zone_id(ctx: &Ctx, zone: &str) -> ResourceId {
    ctx.hub_id(PrivateDnsZone::TYPE, zone)
}

/// Creates every zone the spokes use, linked to the hub and to the spokes that use it.
pub(super) fn build(ctx: &Ctx, estate: &mut Estate) {
    // zone name -> VNets to link (hub first, then spokes in order).
    let mut zones: std::collections::BTreeMap<String, Vec<ResourceId>> = Default::default();
    let spoke_vnets: Vec<ResourceId> = estate
        .virtual_networks
        .iter()
        .map(|v| v.id.clone())
        .filter(|id| *id != ctx.hub_vnet_id())
        .collect();
    for (si, spoke) in ctx.intent.spokes.iter().enumerate() {
        let vnet = spoke_vnets
            .iter()
            .find(|id| id.name() == ctx.plan.spokes[si].vnet.name)
            .expect("spoke VNet built")
            .clone();
        let mut names: Vec<String> = spoke
            .private_endpoints
            .iter()
            .map(|k| zone_name(*k).to_string())
            .collect();
        if spoke.cluster.private {
            names.push(api_zone_name(
                ctx.location(),
                spoke.cluster.api_server_vnet_integration,
            ));
        }
        for z in names {
            zones.entry(z).or_default().push(vnet.clone());
        }
    }
    for (zone, mut vnets) in zones {
        vnets.insert(0, ctx.hub_vnet_id());
        vnets.dedup();
        let zid = zone_id(ctx, &zone);
        estate.private_dns_zones.insert(Resource::new(
            zid.clone(),
            Some("global"),
            PrivateDnsZone {},
        ));
        for v in vnets {
            let link = zid.child("virtualNetworkLinks", &format!("link-{}", v.name()));
            estate.virtual_network_links.insert(Resource::new(
                link,
                Some("global"),
                VirtualNetworkLink {
                    virtual_network: v.into(),
                    registration_enabled: false,
                    resolution_policy: Some("Default".to_string()),
                },
            ));
        }
    }
}
