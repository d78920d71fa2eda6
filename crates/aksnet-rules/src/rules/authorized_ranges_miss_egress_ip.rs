//! AKS-MGT-003: the address nodes egress from is not in their public API server's authorized
//! ranges (asked of the engine, whatever the egress: firewall, NVA, NAT gateway).

use aksnet_engine::endpoints::EndpointKind;
use aksnet_engine::places::Place;
use aksnet_engine::trace::{Decision, HopKind, Query};
use aksnet_net::Protocol;

use crate::shared::node_subnets;
use crate::{Context, Doc, Finding, Rule, Severity};

/// Authorized IP ranges that omit the nodes' egress address.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-MGT-003",
    severity: Severity::Error,
    semantic: true,
    doc: Doc {
        title: "Authorized IP ranges omit the nodes' egress address",
        what: "For a public API server with authorized IP ranges, traces each node subnet of the cluster to it and reports where the engine finds the nodes' egress address — an Azure Firewall's or an NVA's public IP or NAT gateway, a NAT gateway on the node subnet — outside every range. When the address is assigned only at deployment (a designed estate), the finding is a warning to add it then. The cluster's own outbound load balancer IP is exempt: AKS adds it itself.",
        why: "Nodes reach the public API server from the firewall's address; when it is not authorized, kubelets lose the API and nodes go NotReady (user reports: MicrosoftDocs/azure-docs#55484, mspnp/aks-baseline). AKS adds its own load balancer outbound IPs automatically, but not a firewall's.",
        fix: "Add the egress public IP(s) — the firewall's, the NVA's NAT gateway's — as /32 to `apiServerAccessProfile.authorizedIPRanges` (in Terraform, reference the public IP resource), or make the cluster private.",
        references: &[
            "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges",
            "https://learn.microsoft.com/azure/aks/limit-egress-traffic",
            "User report: https://github.com/MicrosoftDocs/azure-docs/issues/55484",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let t = &cx.plane.topology;
    let mut out = Vec::new();
    for (i, api) in cx
        .plane
        .endpoints
        .iter_enumerated()
        .filter(|(_, e)| e.kind == EndpointKind::ApiServerPublic)
    {
        if cx.plane.api_authorized(&api.resource).is_none() {
            continue;
        }
        let cluster = api.resource.name();
        // Each node subnet of the cluster, as the engine sees the nodes reach their API
        // server: the hop at the API server says whether the ranges hold the address the
        // nodes egress from (firewall, NVA's NAT gateway, ...), or that it is not known yet.
        let mut seen: Vec<String> = Vec::new();
        for (s, _) in node_subnets(cx)
            .into_iter()
            .filter(|(_, c)| *c == api.resource)
        {
            let tr = cx.plane.trace(&Query {
                from: Place::Subnet(s),
                to: Place::Endpoint(i),
                protocol: Protocol::Tcp,
                port: 443,
                fqdn: None,
            });
            let Some(hop) = tr.hops.iter().find(|h| h.kind == HopKind::ApiServer) else {
                continue; // stopped before the API server: another rule's finding
            };
            let egress = tr
                .hops
                .iter()
                .find(|h| h.kind == HopKind::Egress)
                .map(|h| h.detail.clone())
                .unwrap_or_else(|| "their egress".into());
            if seen.contains(&egress) {
                continue;
            }
            let nodes = t.subnets[s].label(t);
            let finding = if hop.decision == Decision::Deny {
                Finding::new(
                    rule,
                    format!(
                        "cluster `{cluster}`: nodes in `{nodes}` reach the API server from {} ({egress}), which no authorized IP range contains: nodes lose the API server",
                        hop.packet.src
                    ),
                    vec![api.resource.clone(), t.subnets[s].id.clone()],
                )
            } else if hop.detail.starts_with("unknown") {
                Finding::new(
                    rule,
                    format!(
                        "cluster `{cluster}`: nodes in `{nodes}` reach the API server from an address assigned at deployment ({egress}): add it to the authorized IP ranges then (the Terraform aksnet generates adds it by reference)"
                    ),
                    vec![api.resource.clone(), t.subnets[s].id.clone()],
                )
                .at(Severity::Warning)
            } else {
                continue;
            };
            seen.push(egress);
            out.push(finding.with_witness(tr));
        }
    }
    out
}
