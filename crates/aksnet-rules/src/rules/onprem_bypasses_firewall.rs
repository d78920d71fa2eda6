//! AKS-HUB-002: on-premises traffic into a spoke that does not cross the hub firewall.

use aksnet_engine::places::Place;
use aksnet_engine::trace::{Query, Trace};
use aksnet_net::Protocol;

use crate::shared::{crosses_appliance, has_appliance, node_subnets};
use crate::{Context, Doc, Finding, Rule, Severity};

/// Whether a trace entered VNet `vnet` (a hop at one of its subnets).
pub(crate) fn entered(tr: &Trace, vnet: &str) -> bool {
    let prefix = format!("{vnet}/");
    tr.hops.iter().any(|h| h.at.starts_with(&prefix))
}

/// On-premises → spoke bypassing the firewall.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-HUB-002",
    severity: Severity::Error,
    semantic: true,
    doc: Doc {
        title: "On-premises traffic enters a spoke without the hub firewall",
        what: "In an estate with a firewall or NVA and an on-premises connection, traces HTTPS from on-premises to the first node subnet of each spoke and reports flows that reach the spoke's VNet without crossing the appliance — whatever the NSG then decides.",
        why: "The gateway forwards on-premises traffic over the peering straight to the spoke unless the GatewaySubnet has a UDR for the spoke's range to the firewall: the traffic is uninspected, and replies follow the spoke's 0/0 to the firewall, which drops them (asymmetric).",
        fix: "Associate a route table with the GatewaySubnet with a route per spoke address space → VirtualAppliance <firewall IP> (keep gateway route propagation on); `aksnet design` writes `rt-gateway-<hub>`.",
        references: &[
            "https://learn.microsoft.com/azure/firewall/tutorial-hybrid-portal-policy",
            "https://learn.microsoft.com/azure/architecture/networking/architecture/hub-spoke",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let t = &cx.plane.topology;
    if !has_appliance(cx) || t.on_premises.is_empty() {
        return Vec::new();
    }
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for (s, _) in node_subnets(cx) {
        let v = t.subnets[s].vnet;
        if seen.contains(&v) {
            continue;
        }
        seen.push(v);
        let tr = cx.plane.trace(&Query {
            from: Place::OnPrem,
            to: Place::Subnet(s),
            protocol: Protocol::Tcp,
            port: 443,
            fqdn: None,
        });
        if !crosses_appliance(&tr) && entered(&tr, &t.vnets[v].name) {
            out.push(
                Finding::new(
                    rule,
                    format!(
                        "on-premises reaches `{}` without the firewall ({})",
                        t.vnets[v].name, tr.verdict
                    ),
                    vec![t.vnets[v].id.clone()],
                )
                .with_witness(tr),
            );
        }
    }
    out
}
