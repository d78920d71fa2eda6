//! AKS-EGR-007: an Application Gateway v2 subnet whose Internet route goes to an appliance.

use aksnet_engine::places::INTERNET_SERVER;
use aksnet_engine::routes::NextHop;

use crate::shared::app_gateway_subnets;
use crate::{Context, Doc, Finding, Rule, Severity};

/// App Gateway v2 subnet with 0/0 to an appliance or gateway.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-EGR-007",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "Application Gateway v2 subnet forced through an appliance",
        what: "An Application Gateway v2 whose subnet's effective route for Internet addresses has next hop VirtualAppliance or VirtualNetworkGateway (a 0/0 UDR to the firewall, or forced tunnelling from on-premises).",
        why: "App Gateway v2 (standard deployment) must reach the Internet directly for its control plane: Microsoft lists 0/0 to a virtual appliance, hub NVA or on-premises as unsupported; the gateway goes unhealthy (user reports: MicrosoftDocs/azure-docs#87202).",
        fix: "Give the App Gateway subnet its own route table without a 0/0 appliance route and with gateway propagation disabled, or use a network-isolated (private-only) deployment.",
        references: &[
            "https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure#supported-user-defined-routes",
            "User report: https://github.com/MicrosoftDocs/azure-docs/issues/87202",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let t = &cx.plane.topology;
    let mut out = Vec::new();
    for (a, _, s) in app_gateway_subnets(cx).into_iter().filter(|x| x.1) {
        let Some(r) = cx.plane.route_for(s, INTERNET_SERVER) else {
            continue;
        };
        if matches!(
            r.next_hop,
            NextHop::VirtualAppliance(_) | NextHop::VirtualNetworkGateway
        ) {
            out.push(Finding::new(
                rule,
                format!(
                    "Application Gateway `{}`: subnet `{}` sends {} to {} ({}), which App Gateway v2 does not support",
                    a.name,
                    t.subnets[s].label(t),
                    r.address_prefix,
                    r.next_hop,
                    r.name
                ),
                vec![a.id.clone(), t.subnets[s].id.clone()],
            ));
        }
    }
    out
}
