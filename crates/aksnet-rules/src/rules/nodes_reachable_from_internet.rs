//! AKS-ING-001: node pools reachable from the Internet other than through the WAF.

use crate::shared::node_subnets;
use crate::{Context, Doc, Finding, Rule, Severity};

/// Nodes reachable from the Internet not through an Application Gateway.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-ING-001",
    severity: Severity::Error,
    semantic: true,
    doc: Doc {
        title: "Node pools reachable from the Internet other than through the WAF",
        what: "Computes everything the Internet reaches (`aksnet exposure`) and reports each path delivered into a node-pool subnet that does not pass an Application Gateway listener.",
        why: "Inbound traffic must meet the WAF first; a public load balancer, a DNAT rule or a public IP straight to nodes bypasses it — and with a 0/0 route to the firewall, the replies are dropped anyway (asymmetric routing, user reports: MicrosoftDocs/azure-docs#38512).",
        fix: "Publish workloads through the Application Gateway (WAF) to an internal load balancer; remove public load balancer services and DNAT rules towards node subnets.",
        references: &["https://learn.microsoft.com/azure/architecture/reference-architectures/containers/aks/baseline-aks", "User report: https://github.com/MicrosoftDocs/azure-docs/issues/38512"],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let t = &cx.plane.topology;
    let nodes: Vec<String> = node_subnets(cx)
        .into_iter()
        .map(|(s, _)| t.subnets[s].label(t))
        .collect();
    let exposure = cx.internet_exposure();
    exposure
        .paths
        .iter()
        // Connections whose replies cannot come back (`broken`) are denied, not exposure.
        .filter(|p| {
            p.broken.is_none()
                && nodes.contains(&p.delivered_at)
                && !p.via.iter().any(|v| v.contains(" listener "))
        })
        .map(|p| Finding {
            code: rule.code,
            severity: rule.severity,
            message: format!(
                "the Internet reaches `{}` without an Application Gateway: {}",
                p.delivered_at,
                p.described.join("; ")
            ),
            resources: cx
                .subnets_labelled(&p.delivered_at)
                .iter()
                .map(|&s| t.subnets[s].id.clone())
                .collect(),
            witness: p.witness.clone(),
            location: None,
            suppressed: None,
        })
        .collect()
}
