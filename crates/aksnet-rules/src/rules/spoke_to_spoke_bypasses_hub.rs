//! AKS-HUB-003: spokes that reach each other without the hub firewall.

use aksnet_engine::places::Place;
use aksnet_engine::topology::{SubnetIx, VnetIx};
use aksnet_engine::trace::Query;
use aksnet_net::Protocol;

use super::onprem_bypasses_firewall::entered;
use crate::shared::{crosses_appliance, has_appliance, node_subnets};
use crate::{Context, Doc, Finding, Rule, Severity};

/// Spoke-to-spoke bypassing the hub.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-HUB-003",
    severity: Severity::Error,
    semantic: true,
    doc: Doc {
        title: "Spoke-to-spoke traffic bypasses the hub firewall",
        what: "In an estate with a firewall or NVA, traces HTTPS between the node subnets of every two spoke VNets that are peered directly and reports flows that enter the other spoke without crossing the appliance. Spokes peered only to the hub cannot reach each other except through it, so only direct peerings are traced.",
        why: "A direct spoke-to-spoke peering (often added to fix latency or a broken route) turns the hub's inspection off between those clusters: lateral movement from one cluster to another is unlogged.",
        fix: "Remove the direct peering and route spoke ranges through the hub firewall (0/0 UDR on both sides covers it), or, if the peering is intended, add UDRs for the other spoke's range → VirtualAppliance on both sides.",
        references: &[
            "https://learn.microsoft.com/azure/architecture/networking/architecture/hub-spoke#spoke-connectivity",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let t = &cx.plane.topology;
    if !has_appliance(cx) {
        return Vec::new();
    }
    let mut first: Vec<(VnetIx, SubnetIx)> = Vec::new();
    for (s, _) in node_subnets(cx) {
        if !first.iter().any(|&(v, _)| v == t.subnets[s].vnet) {
            first.push((t.subnets[s].vnet, s));
        }
    }
    let mut out = Vec::new();
    for &(va, sa) in &first {
        for &(vb, sb) in &first {
            if va == vb || !t.vnets[va].peers.iter().any(|p| p.remote == vb) {
                continue;
            }
            let tr = cx.plane.trace(&Query {
                from: Place::Subnet(sa),
                to: Place::Subnet(sb),
                protocol: Protocol::Tcp,
                port: 443,
                fqdn: None,
            });
            if !crosses_appliance(&tr) && entered(&tr, &t.vnets[vb].name) {
                out.push(
                    Finding::new(
                        rule,
                        format!(
                            "`{}` reaches `{}` over a direct peering without the firewall ({})",
                            t.subnets[sa].label(t),
                            t.subnets[sb].label(t),
                            tr.verdict
                        ),
                        vec![t.vnets[va].id.clone(), t.vnets[vb].id.clone()],
                    )
                    .with_witness(tr),
                );
            }
        }
    }
    out
}
