//! AKS-PLK-005: a registry behind a private endpoint without its data endpoint record.

use std::collections::HashSet;

use super::paas_without_private_endpoint::endpoints_by_target;
use crate::{Context, Doc, Finding, Rule, Severity};

/// ACR data endpoint A record missing.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-PLK-005",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "Registry private endpoint without its data endpoint record",
        what: "A container registry with a private endpoint where the estate's `privatelink.azurecr.io` zone has the registry's record (`<registry>`) but not the regional data endpoint's (`<registry>.<region>.data`), and no private endpoint of the registry has a DNS zone group that would write it.",
        why: "`docker pull` authenticates against the login server and then downloads layers from the data endpoint: with only the first record, pulls resolve the data endpoint publicly and time out or leave through the firewall (user reports: Azure/acr#360).",
        fix: "Create both A records from the private endpoint's two IP configurations, or better, attach a DNS zone group so Azure maintains them.",
        references: &[
            "https://learn.microsoft.com/azure/container-registry/container-registry-private-link#dns-configuration-options",
            "User report: https://github.com/Azure/acr/issues/360",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let e = cx.estate;
    let zones: Vec<_> = e
        .private_dns_zones
        .iter()
        .filter(|z| z.name.eq_ignore_ascii_case("privatelink.azurecr.io"))
        .map(|z| z.id.clone())
        .collect();
    let records: HashSet<(aksnet_model::ResourceId, String)> = e
        .a_record_sets
        .iter()
        .filter_map(|r| Some((r.id.parent()?, r.name.to_ascii_lowercase())))
        .collect();
    let record = |zone: &aksnet_model::ResourceId, name: &str| {
        records.contains(&(zone.clone(), name.to_ascii_lowercase()))
    };
    let with_group: HashSet<aksnet_model::ResourceId> = e
        .private_dns_zone_groups
        .iter()
        .filter_map(|g| g.id.parent())
        .collect();
    let targets = endpoints_by_target(cx);
    let mut out = Vec::new();
    for acr in e
        .container_registries
        .iter()
        .filter(|r| targets.contains_key(&r.id))
    {
        let location = acr
            .location
            .clone()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let data = format!("{}.{location}.data", acr.name.to_ascii_lowercase());
        for zone in &zones {
            if record(zone, &acr.name)
                && !record(zone, &data)
                && !targets[&acr.id].iter().any(|pe| with_group.contains(*pe))
            {
                out.push(Finding::new(
                    rule,
                    format!("zone `privatelink.azurecr.io` has `{}` but not `{data}`: layer downloads resolve publicly", acr.name),
                    vec![acr.id.clone(), zone.clone()],
                ));
            }
        }
    }
    out
}
