//! AKS-PLK-006: firewall-inspected traffic to a private endpoint whose reply bypasses the firewall.

use aksnet_engine::endpoints::EndpointKind;
use aksnet_engine::places::Place;
use aksnet_engine::reply::Fault;
use aksnet_engine::trace::HopKind;
use aksnet_engine::trace::Query;
use aksnet_net::Protocol;

use crate::shared::{client_vnets, node_subnets};
use crate::{Context, Doc, Finding, Rule, Severity};

/// Asymmetric private endpoint flows.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-PLK-006",
    severity: Severity::Error,
    semantic: true,
    doc: Doc {
        title: "Firewall-inspected traffic to a private endpoint returns around the firewall",
        what: "Traces HTTPS to every private endpoint from the node subnets that use it (its own VNet's, or those peered to a shared-services VNet) and from on-premises, and reports allowed flows that cross a firewall or NVA whose reply does not (the firewall did not SNAT it and the endpoint's subnet routes the client directly).",
        why: "Private endpoints ignore UDRs on their own subnet unless network policies are enabled, and they reply straight to the client: a stateful firewall that saw only the request drops the session. Microsoft's guidance is to SNAT at the firewall for traffic to private endpoints.",
        fix: "SNAT private endpoint traffic on the firewall (application rules always SNAT; for network rules set `privateRanges` so the endpoint's range is not excluded), or enable route-table network policies on the endpoint subnet and route replies back through the firewall.",
        references: &[
            "https://learn.microsoft.com/azure/private-link/inspect-traffic-with-azure-firewall",
            "https://learn.microsoft.com/azure/firewall/snat-private-range",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let t = &cx.plane.topology;
    let nodes = node_subnets(cx);
    let mut out = Vec::new();
    for (i, pe) in cx
        .plane
        .endpoints
        .iter_enumerated()
        .filter(|(_, e)| matches!(e.kind, EndpointKind::PrivateEndpoint(_)))
    {
        // The endpoint's clients (as AKS-DNS-001 defines them) and on-premises.
        let clients = client_vnets(cx, pe, &nodes);
        let mut sources: Vec<Place> = nodes
            .iter()
            .filter(|(s, _)| clients.contains(&t.subnets[*s].vnet))
            .map(|(s, _)| Place::Subnet(*s))
            .collect();
        if !t.on_premises.is_empty() {
            sources.push(Place::OnPrem);
        }
        for from in &sources {
            let tr = cx.plane.trace(&Query {
                from: from.clone(),
                to: Place::Endpoint(i),
                protocol: Protocol::Tcp,
                port: 443,
                fqdn: None,
            });
            let inspected = tr
                .hops
                .iter()
                .any(|h| h.kind == HopKind::Firewall || h.kind == HopKind::Nva);
            // Delivered, with a reply that misses the firewall (a TCP trace is then denied
            // for it) — not a reply lost to routing.
            let asymmetric = tr
                .return_path
                .as_ref()
                .is_some_and(|r| r.fault.is_some_and(|f| f != Fault::Lost));
            if inspected && asymmetric {
                let warning = tr
                    .return_path
                    .as_ref()
                    .and_then(|r| r.warning.clone())
                    .unwrap_or_default();
                out.push(
                    Finding::new(
                        rule,
                        format!(
                            "{} → `{}` crosses the firewall but the reply does not: {warning}",
                            tr.from, pe.name
                        ),
                        vec![pe.resource.clone()],
                    )
                    .with_witness(tr),
                );
            }
        }
    }
    out
}
