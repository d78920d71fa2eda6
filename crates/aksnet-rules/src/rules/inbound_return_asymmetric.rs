//! AKS-ING-005: inbound flows whose replies take another path through a stateful device.

use std::collections::BTreeMap;

use aksnet_engine::endpoints::{EndpointIx, EndpointKind};
use aksnet_engine::places::Place;
use aksnet_engine::reach::PathResult;
use aksnet_engine::reply::Fault;
use aksnet_engine::topology::SubnetIx;
use aksnet_engine::trace::{Query, Trace};

use crate::shared::crosses_appliance;
use crate::{Context, Doc, Finding, Rule, Severity};

/// Inbound flows with an asymmetric return.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-ING-005",
    severity: Severity::Error,
    semantic: true,
    doc: Doc {
        title: "Inbound flow returns asymmetrically through a stateful device",
        what: "Computes everything the Internet and on-premises reach, per path, traces one packet of each path — to each named frontend in the subnet it reaches, since a load balancer's replies come from its backends — and its reply, and reports flows whose request crossed a firewall or NVA that the reply skips. (A request that skips the firewall while its reply crosses it is AKS-HUB-002's finding; private endpoints are AKS-PLK-006's.)",
        why: "A stateful firewall drops replies for connections it never saw: a public load balancer service on nodes whose 0/0 goes to the firewall, or on-premises traffic that enters the spoke directly while replies go through the hub firewall, times out with nothing in the logs (user reports: MicrosoftDocs/azure-docs#38512, Azure/AKS#2710).",
        fix: "Make both directions cross the same appliance: route on-premises prefixes to the firewall from the GatewaySubnet, publish through the Application Gateway or DNAT on the firewall, or give the subnet a route for the client range that matches the request path.",
        references: &[
            "https://learn.microsoft.com/azure/firewall/integrate-lb#asymmetric-routing",
            "https://learn.microsoft.com/azure/aks/limit-egress-traffic",
            "User report: https://github.com/MicrosoftDocs/azure-docs/issues/38512",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let t = &cx.plane.topology;
    let onprem = (!t.on_premises.is_empty()).then(|| cx.plane.exposure(&Place::OnPrem));
    let sources = std::iter::once(cx.internet_exposure()).chain(onprem.as_ref());
    // Named endpoints by the subnet whose range holds their address.
    let mut named: BTreeMap<SubnetIx, Vec<EndpointIx>> = BTreeMap::new();
    for (i, e) in cx.plane.endpoints.iter_enumerated() {
        if let Some(s) = t.subnet_of(e.ip) {
            named.entry(s).or_default().push(i);
        }
    }
    let mut out = Vec::new();
    for reach in sources {
        for p in &reach.paths {
            let Some(&s) = cx.subnets_labelled(&p.delivered_at).first() else {
                continue;
            };
            let here = named.get(&s).map(Vec::as_slice).unwrap_or_default();
            for (target, w) in witnesses(cx, here, p) {
                // Replies lost to routing are not this rule's: it is about stateful devices.
                let Some(ret) = w
                    .return_path
                    .as_ref()
                    .filter(|r| r.fault.is_some_and(|f| f != Fault::Lost))
                else {
                    continue;
                };
                if !crosses_appliance(&w) {
                    // The request bypassed the appliance: AKS-HUB-002's finding.
                    continue;
                }
                let message = format!(
                    "{} → `{target}`: {}",
                    reach.from,
                    ret.warning
                        .clone()
                        .unwrap_or_else(|| "the reply takes another path".into())
                );
                out.push(
                    Finding::new(rule, message, vec![t.subnets[s].id.clone()]).with_witness(w),
                );
            }
        }
    }
    out
}
/// The flows to trace for one exposure path: one per named endpoint (`named`) in the subnet the path
/// reaches (the load balancer's or gateway's frontend, whose replies come from its backends),
/// or the path's own witness when the subnet has none. Private endpoints are left to
/// AKS-PLK-006, which reports them with the endpoint's name.
fn witnesses(cx: &Context, named: &[EndpointIx], p: &PathResult) -> Vec<(String, Trace)> {
    if named.is_empty() {
        return p
            .witness
            .clone()
            .map(|w| (p.delivered_at.clone(), w))
            .into_iter()
            .collect();
    }
    named
        .iter()
        .copied()
        .filter(|&i| !matches!(cx.plane.endpoints[i].kind, EndpointKind::PrivateEndpoint(_)))
        .filter_map(|i| {
            let (src, _, protocol, port) =
                p.packets.slice_dst(cx.plane.endpoints[i].ip).sample()?;
            Some((
                cx.plane.endpoints[i].name.clone(),
                cx.plane.trace(&Query {
                    from: Place::Address(src),
                    to: Place::Endpoint(i),
                    protocol,
                    port,
                    fqdn: None,
                }),
            ))
        })
        .collect()
}
