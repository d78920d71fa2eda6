//! AKS-HUB-001: clusters in an estate with no egress firewall at all.

use aksnet_engine::topology::EndpointKind;

use super::node_subnets;
use crate::{Context, Doc, Finding, Rule, Severity};

/// Spokes with egress but no firewall.
pub struct SpokeWithoutFirewall;

impl Rule for SpokeWithoutFirewall {
    fn code(&self) -> &'static str {
        "AKS-HUB-001"
    }
    fn severity(&self) -> Severity {
        Severity::Warning
    }
    fn semantic(&self) -> bool {
        false
    }
    fn doc(&self) -> Doc {
        Doc {
            title: "Clusters without an egress firewall",
            what: "An estate with AKS node pools and neither an Azure Firewall nor a network virtual appliance (a route to a VirtualAppliance next hop).",
            why: "Without a firewall, node and pod egress is whatever the load balancer or NAT gateway allows — everything — and nothing logs it. The secure hub-and-spoke design puts a firewall in the hub for every spoke.",
            fix: "Add a hub with Azure Firewall (or an NVA), route the node subnets' 0.0.0.0/0 to it and use `outboundType: userDefinedRouting`; `aksnet design` builds this with `hub: { firewall: azureFirewall }`.",
            references: &[
                "https://learn.microsoft.com/azure/architecture/reference-architectures/containers/aks/baseline-aks",
                "https://learn.microsoft.com/azure/aks/limit-egress-traffic",
            ],
        }
    }
    fn check(&self, cx: &Context) -> Vec<Finding> {
        let t = &cx.plane.topology;
        if t.endpoints
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
            .map(|c| Finding::new(self, format!("cluster `{}` egresses with no firewall or appliance anywhere in the estate", c.name()), vec![c]))
            .collect()
    }
}
