//! AKS-HUB-001: clusters in an estate with no egress firewall at all.

use aksnet_engine::endpoints::EndpointKind;

use crate::shared::node_subnets;
use crate::{Context, Doc, Finding, Rule, Severity};

/// Spokes with egress but no firewall.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-HUB-001",
    severity: Severity::Warning,
    semantic: false,
    doc: Doc {
        title: "Clusters without an egress firewall",
        what: "An estate with AKS node pools and neither an Azure Firewall nor a network virtual appliance (a route to a VirtualAppliance next hop).",
        why: "Without a firewall, node and pod egress is whatever the load balancer or NAT gateway allows — everything — and nothing logs it. The secure hub-and-spoke design puts a firewall in the hub for every spoke.",
        fix: "Add a hub with Azure Firewall (or an NVA), route the node subnets' 0.0.0.0/0 to it and use `outboundType: userDefinedRouting`; `aksnet design` builds this with `hub: { firewall: azureFirewall }`.",
        references: &[
            "https://learn.microsoft.com/azure/architecture/reference-architectures/containers/aks/baseline-aks",
            "https://learn.microsoft.com/azure/aks/limit-egress-traffic",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    // A firewall counts whether or not its address is known (a template's or Terraform's is
    // assigned at deployment), and so does a route to an appliance whose address is unknown.
    let unknown_appliance = cx.estate.route_tables.iter().any(|rt| {
        rt.properties.routes.iter().any(|r| {
            r.properties.next_hop_type == aksnet_model::network::NextHopType::VirtualAppliance
                && r.properties
                    .next_hop_ip_address
                    .as_ref()
                    .is_some_and(|a| a.known().is_none())
        })
    });
    if !cx.estate.azure_firewalls.is_empty()
        || unknown_appliance
        || cx
            .plane
            .endpoints
            .iter()
            .any(|e| matches!(e.kind, EndpointKind::Firewall | EndpointKind::Nva))
    {
        return Vec::new();
    }
    let mut clusters: Vec<aksnet_model::ResourceId> =
        node_subnets(cx).into_iter().map(|(_, c)| c).collect();
    clusters.sort();
    clusters.dedup();
    clusters
        .into_iter()
        .map(|c| {
            Finding::new(
                rule,
                format!(
                    "cluster `{}` egresses with no firewall or appliance anywhere in the estate",
                    c.name()
                ),
                vec![c],
            )
        })
        .collect()
}
