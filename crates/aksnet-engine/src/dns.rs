//! Name resolution from a VNet through private DNS zones (azure-semantics §7.1, §7.4), the third
//! stage of the data plane: indexed from the estate against the [`Topology`] and its
//! [`Endpoints`] (whose private API servers AKS writes records for).

use std::collections::HashMap;
use std::net::IpAddr;

use aksnet_model::{Estate, ResourceId};
use serde::Serialize;

use crate::endpoints::{EndpointKind, Endpoints};
use crate::index::IndexVec;
use crate::topology::{Topology, VnetIx};

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

/// A private zone linked to a VNet.
#[derive(Clone, Debug)]
struct Linked {
    /// Zone name, lowercase.
    name: String,
    /// Zone id.
    zone: ResourceId,
    /// The link's resolution policy is `NxDomainRedirect`.
    redirect: bool,
}

/// A private cluster's API server record, which AKS writes at deployment
/// ([`Views::aks_record`]).
#[derive(Clone, Debug)]
struct AksRecord {
    /// The API server's private FQDN.
    fqdn: String,
    /// Its predicted address.
    ip: IpAddr,
    /// The cluster's `privateDNSZone` setting (`system` when absent).
    zone: String,
    /// The cluster's VNet.
    home: VnetIx,
}

/// Private DNS as each VNet sees it, indexed once when the data plane is compiled, so that a
/// resolution is a lookup rather than a scan of every zone, link and record.
#[derive(Clone, Debug, Default)]
pub struct Views {
    /// Per VNet: the zones linked to it.
    linked: IndexVec<VnetIx, Vec<Linked>>,
    /// `(zone id, lowercase relative name)` → the record's first IPv4 address (`None` when it
    /// has none or it does not parse).
    records: HashMap<(ResourceId, String), Option<IpAddr>>,
    /// The records AKS writes for private API servers, in endpoint order.
    aks: Vec<AksRecord>,
}

impl Views {
    /// Indexes the estate's zones, VNet links and A records against the topology's VNets, and
    /// the records AKS writes for the private API servers among `endpoints`.
    pub fn build(estate: &Estate, t: &Topology, endpoints: &Endpoints) -> Self {
        let vnet_ix: HashMap<&ResourceId, VnetIx> =
            t.vnets.iter_enumerated().map(|(i, v)| (&v.id, i)).collect();
        let mut linked: IndexVec<VnetIx, Vec<Linked>> =
            t.vnets.iter().map(|_| Vec::new()).collect();
        for l in estate.virtual_network_links.iter() {
            let Some(zone) = l.id.parent() else { continue };
            let (Some(z), Some(&v)) = (
                estate.private_dns_zones.get(&zone),
                vnet_ix.get(&l.properties.virtual_network.id),
            ) else {
                continue;
            };
            linked[v].push(Linked {
                name: z.name.to_ascii_lowercase(),
                zone,
                redirect: l.properties.resolution_policy.as_deref() == Some("NxDomainRedirect"),
            });
        }
        let mut records = HashMap::new();
        for r in estate.a_record_sets.iter() {
            // Record sets are `<zone id>/A/<relative name>`.
            let Some(zone) = r.id.parent() else { continue };
            let ip = r
                .properties
                .a_records
                .first()
                .and_then(|a| a.ipv4_address.parse().ok());
            records
                .entry((zone, r.name.to_ascii_lowercase()))
                .or_insert(ip);
        }
        let aks = endpoints
            .iter()
            .filter(|e| e.kind == EndpointKind::ApiServerPrivate)
            .filter_map(|e| {
                let mc = estate.managed_clusters.get(&e.resource)?;
                let zone = mc
                    .properties
                    .api_server_access_profile
                    .as_ref()
                    .and_then(|a| a.private_dns_zone.clone())
                    .unwrap_or_else(|| "system".into());
                Some(AksRecord {
                    fqdn: e.fqdn.clone()?,
                    ip: e.ip,
                    zone,
                    home: t.subnets[e.subnet?].vnet,
                })
            })
            .collect();
        Views {
            linked,
            records,
            aks,
        }
    }

    /// Resolves `name` as a client in VNet `v` using Azure-provided DNS: the longest linked
    /// zone that is a suffix of the (CNAME-followed) name decides; links do not follow peering
    /// [DNSLINK] §7.4.
    pub fn resolve(&self, v: VnetIx, name: &str) -> Answer {
        let target = privatelink_name(name);
        // The longest zone linked to this VNet that is a suffix of the name (Azure refuses two
        // zones of one name linked to one VNet, so there are no ties).
        let mut best: Option<&Linked> = None;
        for l in self.linked.get(v).map(Vec::as_slice).unwrap_or_default() {
            let z = &l.name;
            if (target == *z || target.ends_with(&format!(".{z}")))
                && best.is_none_or(|b| z.len() > b.name.len())
            {
                best = Some(l);
            }
        }
        let Some(Linked {
            name: zone,
            zone: zone_id,
            redirect,
        }) = best
        else {
            return match self.aks_record(&target, None) {
                Some((ip, home)) if home == v => Answer::Private {
                    ip,
                    zone: "(AKS-managed zone)".into(),
                },
                _ => Answer::Public,
            };
        };
        let relative = target.strip_suffix(&format!(".{zone}")).unwrap_or("@");
        let record = self
            .records
            .get(&(zone_id.clone(), relative.to_string()))
            .copied()
            .flatten();
        let managed = || self.aks_record(&target, Some(zone_id)).map(|(ip, _)| ip);
        match record.or_else(managed) {
            Some(ip) => Answer::Private {
                ip,
                zone: zone.to_string(),
            },
            None if *redirect => Answer::Public,
            None => Answer::NxDomain {
                zone: zone.to_string(),
            },
        }
    }

    /// The record AKS itself writes for a private cluster's API server: with a bring-your-own
    /// zone (`privateDNSZone` is a zone id) in that zone, with `system` (or absent) in a zone
    /// AKS creates in the node resource group and links to the cluster VNet only; with `none`,
    /// no private record [AKS-PRIVATE] (azure-semantics §6.4). The record appears at deployment,
    /// so a designed estate never holds it. Returns the predicted address and the cluster's
    /// VNet when `name` is such a record in `zone` (`None`: the AKS-created zone, which is not
    /// in the estate).
    fn aks_record(&self, name: &str, zone: Option<&ResourceId>) -> Option<(IpAddr, VnetIx)> {
        self.aks
            .iter()
            .filter(|r| r.fqdn.eq_ignore_ascii_case(name))
            .find(|r| match zone {
                Some(z) => r.zone.eq_ignore_ascii_case(z.as_str()),
                None => r.zone.eq_ignore_ascii_case("system"),
            })
            .map(|r| (r.ip, r.home))
    }
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
