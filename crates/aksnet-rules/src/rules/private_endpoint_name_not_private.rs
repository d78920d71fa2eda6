//! AKS-DNS-001: a private endpoint's name does not resolve to it where the nodes are.

use aksnet_engine::dns::{Answer, Client};
use aksnet_engine::endpoints::EndpointKind;

use crate::shared::{client_vnets, node_subnets};
use crate::{Context, Doc, Finding, Rule, Severity};

/// Private endpoint name not private from the node VNets.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-DNS-001",
    severity: Severity::Error,
    semantic: true,
    doc: Doc {
        title: "A private endpoint's name does not resolve to it from the node VNets",
        what: "For every private endpoint with a DNS name (ACR login server and data endpoint, Key Vault) and every private cluster's API server, resolves the name from each VNet of AKS nodes that are its clients, as that VNet really resolves it (through its DNS servers — Azure DNS, a firewall DNS proxy, a DNS Private Resolver inbound endpoint — with the zones and forwarding rulesets linked where they answer; an answer from a server the estate does not explain is not judged), and expects the endpoint's private address. Clients are the nodes in the endpoint's own VNet; an endpoint in a VNet without nodes (a hub or shared-services VNet) serves the node VNets peered to it. An endpoint in another spoke is not assumed to be used across spokes. A private API server's clients are its own cluster's nodes.",
        why: "Without the `privatelink` zone linked to the VNet, the name resolves publicly and pulls go to the public endpoint (blocked, or around the firewall); a linked zone without the record answers NXDOMAIN (user reports: Azure/acr#360, MicrosoftDocs/cloud-adoption-framework#451).",
        fix: "Link the zone (`privatelink.azurecr.io`, `privatelink.vaultcore.azure.net`) to every VNet whose clients use the endpoint, or to the VNet of the DNS forwarder they use, and keep the private endpoint's DNS zone group so Azure maintains the records.",
        references: &["https://learn.microsoft.com/azure/private-link/private-endpoint-dns", "User report: https://github.com/Azure/AKS/issues/1686", "User report: https://github.com/MicrosoftDocs/cloud-adoption-framework/issues/451", "User report: https://github.com/Azure/acr/issues/360"],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let t = &cx.plane.topology;
    let nodes = node_subnets(cx);
    let mut out = Vec::new();
    for e in cx.plane.endpoints.iter().filter(|e| {
        matches!(
            e.kind,
            EndpointKind::PrivateEndpoint(_) | EndpointKind::ApiServerPrivate
        )
    }) {
        let Some(name) = &e.fqdn else { continue };
        for v in client_vnets(cx, e, &nodes) {
            let res = cx.plane.dns.resolve(Client::vnet(v), name);
            let via = res
                .via_text()
                .map(|v| format!(" (via {v})"))
                .unwrap_or_default();
            let problem = match res.answer {
                Answer::Private { ip, .. } if ip == e.ip => continue,
                Answer::Private { ip, zone } => {
                    format!("resolves to {ip} in {zone}, not the endpoint's {}", e.ip)
                }
                Answer::NxDomain { zone } => {
                    format!("is NXDOMAIN: {zone} is linked but has no record for it")
                }
                Answer::Public => {
                    "resolves publicly: no privatelink zone is linked to the VNet".to_string()
                }
                Answer::Unanswered { reason } => format!("does not resolve: {reason}"),
                // The estate does not hold the answer (a DNS server it does not explain):
                // nothing to judge; a trace by name says so.
                Answer::Unknown { .. } => continue,
            };
            let problem = format!("{problem}{via}");
            out.push(Finding {
                code: rule.code,
                severity: rule.severity,
                message: format!("from `{}`, `{name}` {problem}", t.vnets[v].name),
                resources: vec![e.resource.clone(), t.vnets[v].id.clone()],
                witness: None,
                location: None,
                suppressed: None,
            });
        }
    }
    out
}
