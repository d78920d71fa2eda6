//! AKS-EGR-001: node egress that reaches the Internet without crossing the firewall.

use aksnet_engine::places::{Place, INTERNET_SERVER};
use aksnet_engine::trace::Query;
use aksnet_engine::trace::{HopKind, Verdict};
use aksnet_net::Protocol;

use crate::shared::node_subnets;
use crate::{Context, Doc, Finding, Rule, Severity};

/// Node pool egress that bypasses the firewall.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-EGR-001",
    severity: Severity::Error,
    semantic: true,
    doc: Doc {
        title: "Node egress reaches the Internet without the firewall",
        what: "For every node-pool subnet of an estate that has an egress firewall or NVA, traces HTTPS from a node to an Internet address and reports a delivered flow that crosses no appliance.",
        why: "The hub-and-spoke design forces egress through the firewall; a missing or overridden 0.0.0.0/0 route (or default outbound access) lets nodes reach anything, unlogged (user reports: Azure/AKS#2710).",
        fix: "Associate the spoke route table with `0.0.0.0/0 → VirtualAppliance <firewall IP>` and gateway propagation disabled to every node subnet; disable default outbound access on the subnets.",
        references: &["https://learn.microsoft.com/azure/aks/limit-egress-traffic", "https://learn.microsoft.com/azure/aks/egress-udr", "User report: https://github.com/Azure/AKS/issues/2710"],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let t = &cx.plane.topology;
    let has_appliance = cx.plane.endpoints.iter().any(|e| {
        matches!(
            e.kind,
            aksnet_engine::endpoints::EndpointKind::Firewall
                | aksnet_engine::endpoints::EndpointKind::Nva
        )
    });
    if !has_appliance {
        return Vec::new();
    }
    node_subnets(cx)
        .into_iter()
        .filter_map(|(s, cluster)| {
            let q = Query {
                from: Place::Subnet(s),
                to: Place::Address(INTERNET_SERVER),
                protocol: Protocol::Tcp,
                port: 443,
                fqdn: None,
            };
            let tr = cx.plane.trace(&q);
            let crossed = tr
                .hops
                .iter()
                .any(|h| h.kind == HopKind::Firewall || h.kind == HopKind::Nva);
            (tr.verdict == Verdict::Allowed && !crossed).then(|| Finding {
                code: rule.code,
                severity: rule.severity,
                message: format!(
                    "nodes in `{}` reach the Internet without the firewall ({})",
                    t.subnets[s].label(t),
                    tr.hops
                        .iter()
                        .rev()
                        .find(|h| h.kind == HopKind::Egress)
                        .map(|h| h.detail.clone())
                        .unwrap_or_default()
                ),
                resources: vec![t.subnets[s].id.clone(), cluster],
                witness: Some(tr),
                location: None,
                suppressed: None,
            })
        })
        .collect()
}
