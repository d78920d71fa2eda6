//! AKS-ING-003: an App Gateway subnet NSG that blocks GatewayManager or the load balancer probe.

use aksnet_model::network::Direction;

use crate::probe::{blocked_by, Probe};
use crate::shared::app_gateway_subnets;
use crate::{Context, Doc, Finding, Rule, Severity};

/// App Gateway subnet NSG missing GatewayManager or AzureLoadBalancer.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-ING-003",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "App Gateway subnet NSG blocks the gateway's infrastructure traffic",
        what: "Evaluates the NSG of each Application Gateway subnet in priority order, Azure's default rules included: TCP 65200–65535 (v2; 65503–65534 for v1) from `GatewayManager` must be allowed before any deny, and so must inbound traffic from `AzureLoadBalancer`. An allow naming `Internet` or `*` counts for GatewayManager; a rule's destination counts when it is `*`, `VirtualNetwork` or an address block — holding the whole gateway subnet for an allow, any of it for a deny.",
        why: "Azure refuses the update (`ApplicationGatewaySubnetInboundTrafficBlockedByNetworkSecurityGroup`) or the gateway loses its health probes. A custom deny — `Internet` or `*` at a priority above the allows — blocks the infrastructure ports as surely as a missing allow (see the user reports below). No Checkov or PSRule check evaluates the rule order.",
        fix: "Add inbound allows from `GatewayManager` on TCP 65200-65535 and from `AzureLoadBalancer` on any port, with priorities above any deny rule.",
        references: &[
            "https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure#network-security-groups",
            "User report: https://github.com/MicrosoftDocs/azure-docs/issues/84596",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let t = &cx.plane.topology;
    let mut out = Vec::new();
    for (a, v2, s) in app_gateway_subnets(cx) {
        let infra = if v2 { (65200, 65535) } else { (65503, 65534) };
        let s = &t.subnets[s];
        let Some(nsg) = s
            .nsg
            .as_ref()
            .and_then(|n| cx.estate.network_security_groups.get(n))
        else {
            continue;
        };
        let probes = [("GatewayManager", infra), ("AzureLoadBalancer", (0, 65535))];
        let blocked: Vec<String> = probes
            .iter()
            .filter_map(|&(source, ports)| {
                let probe = Probe {
                    direction: Direction::Inbound,
                    source,
                    destination: "*",
                    subnet: Some(s.prefix),
                    ports,
                };
                blocked_by(&nsg.properties, probe)
                    .map(|by| format!("{source} tcp/{}-{} (stopped by {by})", ports.0, ports.1))
            })
            .collect();
        if !blocked.is_empty() {
            out.push(Finding::new(
                rule,
                format!(
                    "NSG `{}` on `{}` (Application Gateway `{}`) blocks {}",
                    nsg.name,
                    s.label(t),
                    a.name,
                    blocked.join("; ")
                ),
                vec![nsg.id.clone(), a.id.clone()],
            ));
        }
    }
    out
}
