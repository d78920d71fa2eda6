//! AKS-EGR-002: `outboundType` that contradicts the node subnet's routes.

use aksnet_engine::places::INTERNET_SERVER;
use aksnet_engine::routes::NextHop;

use crate::shared::node_subnets;
use crate::validation;
use crate::{Context, Doc, Finding, Rule, Severity};

/// `outboundType` inconsistent with the node subnet's routes.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-EGR-002",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "outboundType inconsistent with the node subnet's routes",
        what: "`userDefinedRouting` on a node subnet whose route table has no `0.0.0.0/0` to a VirtualAppliance or VirtualNetworkGateway (or none at all); `loadBalancer` on a node subnet whose effective route for the Internet goes to an appliance.",
        why: "AKS refuses UDR outbound without the 0/0 route (`RouteTableMissingDefaultRouteError`, and it does not count routes propagated by BGP or Virtual WAN). With load-balancer outbound beside a 0/0 to the firewall, egress goes through the firewall anyway while inbound load balancer traffic returns through it and is dropped (asymmetric routing); the landing zone accelerator shipped this combination (user reports: Azure/AKS#1842, MicrosoftDocs/azure-docs#108240, #38512).",
        fix: "With a hub firewall, use `outboundType: userDefinedRouting` and associate the route table `0.0.0.0/0 → VirtualAppliance <firewall IP>` before the cluster is created.",
        references: &[
            "https://learn.microsoft.com/azure/aks/egress-outboundtype",
            "https://learn.microsoft.com/azure/aks/egress-udr",
            "User report: https://github.com/hashicorp/terraform-provider-azurerm/issues/8609", "User report: https://github.com/MicrosoftDocs/azure-docs/issues/108240", "User report: https://github.com/MicrosoftDocs/azure-docs/issues/38512",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let t = &cx.plane.topology;
    let mut out = validation::findings(rule, cx, &["aks-udr-without-default-route"]);
    for (s, cluster) in node_subnets(cx) {
        if !t.subnet_clusters[s]
            .as_ref()
            .is_some_and(|c| c.load_balancer_outbound)
        {
            continue;
        }
        if let Some(r) = cx.plane.route_for(s, INTERNET_SERVER) {
            if matches!(
                r.next_hop,
                NextHop::VirtualAppliance(_) | NextHop::VirtualNetworkGateway
            ) {
                out.push(Finding::new(
                    rule,
                    format!(
                        "cluster `{}` uses outboundType loadBalancer, but `{}` sends {} to {}: egress bypasses the load balancer and its inbound replies return through the appliance",
                        cluster.name(),
                        t.subnets[s].label(t),
                        r.address_prefix,
                        r.next_hop
                    ),
                    vec![cluster.clone(), t.subnets[s].id.clone()],
                ));
            }
        }
    }
    out
}
