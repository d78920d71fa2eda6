//! AKS-PLK-005: a registry behind a private endpoint without its data endpoint record.

use super::paas_without_private_endpoint::has_private_endpoint;
use crate::{Context, Doc, Finding, Rule, Severity};

/// ACR data endpoint A record missing.
pub struct RegistryDataRecordMissing;

impl Rule for RegistryDataRecordMissing {
    fn code(&self) -> &'static str {
        "AKS-PLK-005"
    }
    fn severity(&self) -> Severity {
        Severity::Error
    }
    fn semantic(&self) -> bool {
        false
    }
    fn doc(&self) -> Doc {
        Doc {
            title: "Registry private endpoint without its data endpoint record",
            what: "A container registry with a private endpoint where the estate's `privatelink.azurecr.io` zone has the registry's record (`<registry>`) but not the regional data endpoint's (`<registry>.<region>.data`), and no private endpoint of the registry has a DNS zone group that would write it.",
            why: "`docker pull` authenticates against the login server and then downloads layers from the data endpoint: with only the first record, pulls resolve the data endpoint publicly and time out or leave through the firewall (user reports: Azure/acr#360).",
            fix: "Create both A records from the private endpoint's two IP configurations, or better, attach a DNS zone group so Azure maintains them.",
            references: &[
                "https://learn.microsoft.com/azure/container-registry/container-registry-private-link#dns-configuration-options",
                "User report: https://github.com/Azure/acr/issues/360",
            ],
        }
    }
    fn check(&self, cx: &Context) -> Vec<Finding> {
        let e = cx.estate;
        let zones: Vec<_> = e
            .private_dns_zones
            .iter()
            .filter(|z| z.name.eq_ignore_ascii_case("privatelink.azurecr.io"))
            .map(|z| z.id.clone())
            .collect();
        let record = |zone: &aksnet_model::ResourceId, name: &str| {
            e.a_record_sets
                .iter()
                .any(|r| r.id.parent().as_ref() == Some(zone) && r.name.eq_ignore_ascii_case(name))
        };
        let zone_group = |acr: &aksnet_model::ResourceId| {
            e.private_endpoints.iter().any(|pe| {
                pe.properties
                    .private_link_service_connections
                    .iter()
                    .any(|c| &c.properties.private_link_service_id == acr)
                    && e.private_dns_zone_groups
                        .iter()
                        .any(|g| g.id.parent().as_ref() == Some(&pe.id))
            })
        };
        let mut out = Vec::new();
        for acr in e
            .container_registries
            .iter()
            .filter(|r| has_private_endpoint(cx, &r.id))
        {
            let location = acr
                .location
                .clone()
                .unwrap_or_default()
                .to_ascii_lowercase();
            let data = format!("{}.{location}.data", acr.name.to_ascii_lowercase());
            for zone in &zones {
                if record(zone, &acr.name) && !record(zone, &data) && !zone_group(&acr.id) {
                    out.push(Finding::new(
                        self,
                        format!("zone `privatelink.azurecr.io` has `{}` but not `{data}`: layer downloads resolve publicly", acr.name),
                        vec![acr.id.clone(), zone.clone()],
                    ));
                }
            }
        }
        out
    }
}
