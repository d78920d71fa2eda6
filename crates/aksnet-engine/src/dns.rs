//! Name resolution from a VNet through private DNS zones (azure-semantics §7.1, §7.4).

use std::net::IpAddr;

use aksnet_model::Estate;
use serde::Serialize;

use crate::topology::{EndpointKind, Topology, VnetIx};

/// How a name resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "answer")]
pub enum Answer {
    /// An A record in a linked private zone.
    Private {
        /// The address.
        ip: IpAddr,
        /// The zone.
        zone: String,
    },
    /// A linked privatelink zone without the record: NXDOMAIN (no fallback unless the link's
    /// resolution policy is `NxDomainRedirect`) [PE-DNS] [DNS-FALLBACK].
    NxDomain {
        /// The zone.
        zone: String,
    },
    /// Public resolution (no linked zone for the name): the service's public address.
    Public,
}

/// The privatelink name Azure's public DNS CNAMEs a service name to [ACRPL] [PEOV-OLD] §7.1:
/// `x.azurecr.io` → `x.privatelink.azurecr.io`, `x.<region>.data.azurecr.io` →
/// `x.<region>.data.privatelink.azurecr.io`, `x.vault.azure.net` →
/// `x.privatelink.vaultcore.azure.net`. Other names are looked up as they are.
pub fn privatelink_name(name: &str) -> String {
    let n = name.trim_end_matches('.').to_ascii_lowercase();
    if let Some(stem) = n
        .strip_suffix(".azurecr.io")
        .filter(|s| !s.contains("privatelink"))
    {
        return format!("{stem}.privatelink.azurecr.io");
    }
    if let Some(stem) = n.strip_suffix(".vault.azure.net") {
        return format!("{stem}.privatelink.vaultcore.azure.net");
    }
    n
}

/// Resolves `name` as a client in VNet `v` using Azure-provided DNS: the longest linked zone that
/// is a suffix of the (CNAME-followed) name decides; links do not follow peering [DNSLINK] §7.4.
pub fn resolve(estate: &Estate, t: &Topology, v: VnetIx, name: &str) -> Answer {
    let target = privatelink_name(name);
    let vnet_id = &t.vnets[v].id;
    let mut best: Option<(&str, bool)> = None;
    for zone in estate.private_dns_zones.iter() {
        let z = zone.name.to_ascii_lowercase();
        if !(target == z || target.ends_with(&format!(".{z}"))) {
            continue;
        }
        let link = estate.virtual_network_links.iter().find(|l| {
            l.id.parent().as_ref() == Some(&zone.id) && &l.properties.virtual_network.id == vnet_id
        });
        let Some(link) = link else { continue };
        let redirect = link.properties.resolution_policy.as_deref() == Some("NxDomainRedirect");
        if best.is_none_or(|(b, _)| zone.name.len() > b.len()) {
            best = Some((zone.name.as_str(), redirect));
        }
    }
    let Some((zone, redirect)) = best else {
        return match aks_record(estate, t, &target, None) {
            Some((ip, home)) if home == v => Answer::Private {
                ip,
                zone: "(AKS-managed zone)".into(),
            },
            _ => Answer::Public,
        };
    };
    let zone_id = estate
        .private_dns_zones
        .iter()
        .find(|z| z.name == zone)
        .map(|z| z.id.clone());
    let relative = target
        .strip_suffix(&format!(".{}", zone.to_ascii_lowercase()))
        .unwrap_or("@");
    // Record sets are `<zone id>/A/<relative name>`.
    let record = estate
        .a_record_sets
        .iter()
        .find(|r| r.id.parent() == zone_id && r.name.eq_ignore_ascii_case(relative));
    let managed = || aks_record(estate, t, &target, zone_id.as_ref()).map(|(ip, _)| ip);
    match record
        .and_then(|r| r.properties.a_records.first())
        .and_then(|a| a.ipv4_address.parse().ok())
        .or_else(managed)
    {
        Some(ip) => Answer::Private {
            ip,
            zone: zone.to_string(),
        },
        None if redirect => Answer::Public,
        None => Answer::NxDomain {
            zone: zone.to_string(),
        },
    }
}

/// The record AKS itself writes for a private cluster's API server: with a bring-your-own zone
/// (`privateDNSZone` is a zone id) in that zone, with `system` (or absent) in a zone AKS creates
/// in the node resource group and links to the cluster VNet only; with `none`, no private record
/// [AKS-PRIVATE] (azure-semantics §6.4). The record appears at deployment, so a designed estate
/// never holds it. Returns the predicted address and the cluster's VNet when `name` is such a
/// record in `zone` (`None`: the AKS-created zone, which is not in the estate).
fn aks_record(
    estate: &Estate,
    t: &Topology,
    name: &str,
    zone: Option<&aksnet_model::ResourceId>,
) -> Option<(IpAddr, VnetIx)> {
    t.endpoints
        .iter()
        .filter(|e| e.kind == EndpointKind::ApiServerPrivate)
        .filter(|e| {
            e.fqdn
                .as_deref()
                .is_some_and(|f| f.eq_ignore_ascii_case(name))
        })
        .find_map(|e| {
            let mc = estate.managed_clusters.get(&e.resource)?;
            let setting = mc
                .properties
                .api_server_access_profile
                .as_ref()
                .and_then(|a| a.private_dns_zone.clone())
                .unwrap_or_else(|| "system".into());
            let ours = match zone {
                Some(z) => setting.eq_ignore_ascii_case(z.as_str()),
                None => setting.eq_ignore_ascii_case("system"),
            };
            let home = t.subnets[e.subnet?].vnet;
            ours.then_some((e.ip, home))
        })
}

#[cfg(test)]
mod tests {
    use super::privatelink_name;

    #[test]
    fn cname_chain_to_privatelink() {
        assert_eq!(
            privatelink_name("crcontoso.azurecr.io"),
            "crcontoso.privatelink.azurecr.io"
        );
        assert_eq!(
            privatelink_name("crcontoso.westeurope.data.azurecr.io"),
            "crcontoso.westeurope.data.privatelink.azurecr.io"
        );
        assert_eq!(
            privatelink_name("kv-x.vault.azure.net."),
            "kv-x.privatelink.vaultcore.azure.net"
        );
        assert_eq!(privatelink_name("mcr.microsoft.com"), "mcr.microsoft.com");
    }
}
