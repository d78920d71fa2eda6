//! AKS-MGT-005: a private API server that no operator can reach.

use aksnet_engine::endpoints::EndpointKind;
use aksnet_engine::places::Place;
use aksnet_engine::trace::Query;
use aksnet_engine::trace::Verdict;
use aksnet_net::Protocol;

use crate::{Context, Doc, Finding, Rule, Severity};

/// Subnet names that hold jump hosts or build agents.
const MANAGEMENT_NAMES: &[&str] = &[
    "jump",
    "mgmt",
    "management",
    "runner",
    "agent",
    "devops",
    "admin",
];

/// Private API server without a management path.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-MGT-005",
    severity: Severity::Error,
    semantic: true,
    doc: Doc {
        title: "Private API server without a management path",
        what: "For every private cluster, traces HTTPS to its API server — DNS resolution of its private FQDN included — from each management place: on-premises, the VNet of each Azure Bastion (where the jump host it serves lives, traced from the Bastion's address), and subnets whose names mark jump hosts or build agents (`jump`, `mgmt`, `management`, `runner`, `agent`, `devops`, `admin`). Reports clusters that none of them reaches, with the on-premises (or first) trace as witness. Node subnets do not count.",
        why: "A private cluster is managed only from networks that can route to its private endpoint and resolve its `privatelink.<region>.azmk8s.io` name; otherwise `kubectl` and pipelines time out or fail to resolve (see the user reports below).",
        fix: "Allow TCP 443 from the management range to the API server in the firewall policy and NSGs, and link the API server's private DNS zone to the VNet where management clients (or their DNS forwarder) resolve; or deploy Bastion with a jump host in a peered VNet.",
        references: &[
            "https://learn.microsoft.com/azure/aks/private-clusters#options-for-connecting-to-the-private-cluster",
            "https://learn.microsoft.com/azure/aks/private-clusters#hub-and-spoke-with-custom-dns",
            "User report: https://github.com/Azure/AKS/issues/1686", "User report: https://github.com/MicrosoftDocs/cloud-adoption-framework/issues/451",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let t = &cx.plane.topology;
    let mut sources: Vec<Place> = Vec::new();
    if !t.on_premises.is_empty() {
        sources.push(Place::OnPrem);
    }
    sources.extend(
        cx.plane
            .endpoints
            .iter_enumerated()
            .filter(|(_, e)| e.kind == EndpointKind::Bastion)
            .map(|(i, _)| Place::Endpoint(i)),
    );
    sources.extend(
        t.subnets
            .indices()
            .filter(|&s| {
                let name = t.subnets[s].name.to_ascii_lowercase();
                t.subnet_clusters[s].is_none() && MANAGEMENT_NAMES.iter().any(|m| name.contains(m))
            })
            .map(Place::Subnet),
    );
    let mut out = Vec::new();
    for (i, api) in cx
        .plane
        .endpoints
        .iter_enumerated()
        .filter(|(_, e)| e.kind == EndpointKind::ApiServerPrivate)
    {
        let traces: Vec<_> = sources
            .iter()
            .map(|from| {
                cx.plane.trace(&Query {
                    from: from.clone(),
                    to: Place::Endpoint(i),
                    protocol: Protocol::Tcp,
                    port: 443,
                    fqdn: None,
                })
            })
            .collect();
        if traces.iter().any(|tr| tr.verdict != Verdict::Denied) {
            continue;
        }
        let tried: Vec<String> = traces
            .iter()
            .map(|tr| format!("{}: {}", tr.from, tr.reason))
            .collect();
        let mut finding = Finding::new(
            rule,
            format!(
                "no management place reaches `{}`{}",
                api.name,
                if tried.is_empty() {
                    " (the estate has no on-premises link, Bastion or jump-host subnet)".to_string()
                } else {
                    format!(" — {}", tried.join("; "))
                }
            ),
            vec![api.resource.clone()],
        );
        if let Some(w) = traces.into_iter().next() {
            finding = finding.with_witness(w);
        }
        out.push(finding);
    }
    out
}
