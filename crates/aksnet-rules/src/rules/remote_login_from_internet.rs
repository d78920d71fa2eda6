//! AKS-MGT-004: SSH or RDP reachable from the Internet anywhere in the estate.

use aksnet_engine::places::Place;
use aksnet_engine::trace::Query;
use aksnet_net::{PacketSet, PortRange, PortSet, PrefixSet, Protocol, Services};

use crate::{Context, Doc, Finding, Rule, Severity};

/// The ports of remote login protocols: SSH and RDP.
const REMOTE_LOGIN: &[(u16, &str)] = &[(22, "SSH"), (3389, "RDP")];

/// SSH/RDP from the Internet.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-MGT-004",
    severity: Severity::Error,
    semantic: true,
    doc: Doc {
        title: "SSH or RDP reachable from the Internet",
        what: "Computes every packet the Internet can deliver anywhere in the estate — public IPs, load balancers, firewall DNAT rules (with the port they translate to), NSGs and routes together — and reports each path whose packets arrive on TCP 22 or 3389, with a traced packet as witness.",
        why: "Remote login from the Internet is the most scanned attack surface there is. Checkov (CKV_AZURE_9/10) and PSRule flag an NSG rule that says `Internet` and 22; they miss a DNAT rule on the firewall, a `*` source, or a rule shadowed by a deny, and flag rules that nothing can reach. This rule reports what actually gets through.",
        fix: "Use Azure Bastion or a private path from on-premises; remove the NSG allow or DNAT rule named in the witness.",
        references: &[
            "https://learn.microsoft.com/azure/bastion/bastion-overview",
            "Checkov CKV_AZURE_9 (RDP), CKV_AZURE_10 (SSH): one NSG rule at a time",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let everything: PrefixSet = ["0.0.0.0/0", "::/0"]
        .iter()
        .map(|p| p.parse::<aksnet_net::Prefix>().expect("literal prefix"))
        .collect();
    let mut out = Vec::new();
    // Connections whose replies cannot come back (`broken`) are denied, not exposure.
    for p in cx
        .internet_exposure()
        .paths
        .iter()
        .filter(|p| p.broken.is_none())
    {
        for &(port, protocol) in REMOTE_LOGIN {
            // The port the packets arrive on: a DNAT rule may translate the one the client
            // sends to (Internet → firewall:2222 → node:22 is SSH from the Internet).
            let sent = match p.translated_port {
                Some(arrives) if arrives == port => PortSet::any(),
                Some(_) => continue,
                None => PortRange::new(port, port).expect("ordered").into(),
            };
            let probe = PacketSet::from_parts(
                &everything,
                &everything,
                Services::new(Protocol::Tcp.into(), &sent),
            );
            let Some((src, dst, _, sent_port)) = p.packets.intersection(&probe).sample() else {
                continue;
            };
            let witness = cx.plane.trace(&Query {
                from: Place::Address(src),
                to: Place::Address(dst),
                protocol: Protocol::Tcp,
                port: sent_port,
                fqdn: None,
            });
            let resources = cx
                .subnets_labelled(&p.delivered_at)
                .iter()
                .map(|&s| cx.plane.topology.subnets[s].id.clone())
                .collect();
            out.push(
                Finding::new(
                    rule,
                    format!(
                        "{protocol} (tcp/{port}) from the Internet reaches `{}` via {}",
                        p.delivered_at,
                        p.via.join("; ")
                    ),
                    resources,
                )
                .with_witness(witness),
            );
        }
    }
    out
}
