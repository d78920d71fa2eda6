//! AKS-ADR-005: an NSG on AzureBastionSubnet without the rules Bastion requires.

use aksnet_model::network::Direction;

use crate::probe::{blocked_by, Probe};
use crate::{Context, Doc, Finding, Rule, Severity};

/// What an NSG on AzureBastionSubnet must allow [BASNSG] (azure-semantics §5.2):
/// `(direction, source, destination, first port, last port)`.
const REQUIRED: &[(Direction, &str, &str, u16, u16)] = &[
    (Direction::Inbound, "Internet", "*", 443, 443),
    (Direction::Inbound, "GatewayManager", "*", 443, 443),
    (Direction::Inbound, "AzureLoadBalancer", "*", 443, 443),
    (
        Direction::Inbound,
        "VirtualNetwork",
        "VirtualNetwork",
        8080,
        8080,
    ),
    (
        Direction::Inbound,
        "VirtualNetwork",
        "VirtualNetwork",
        5701,
        5701,
    ),
    (Direction::Outbound, "*", "VirtualNetwork", 22, 22),
    (Direction::Outbound, "*", "VirtualNetwork", 3389, 3389),
    (
        Direction::Outbound,
        "VirtualNetwork",
        "VirtualNetwork",
        8080,
        8080,
    ),
    (
        Direction::Outbound,
        "VirtualNetwork",
        "VirtualNetwork",
        5701,
        5701,
    ),
    (Direction::Outbound, "*", "AzureCloud", 443, 443),
    (Direction::Outbound, "*", "Internet", 80, 80),
];

/// Bastion subnet NSG missing its required rules.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-ADR-005",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "Bastion subnet NSG without the rules Bastion requires",
        what: "Evaluates the NSG on `AzureBastionSubnet` in priority order, Azure's default rules included, for each flow Bastion needs: inbound 443 from Internet, GatewayManager and AzureLoadBalancer, 8080/5701 within the VirtualNetwork; outbound 22/3389 to the VirtualNetwork, 8080/5701 within it, 443 to AzureCloud and 80 to the Internet. A rule that names a containing tag (`Internet` for GatewayManager) or `*` counts; a higher-priority deny that shadows an allow is reported.",
        why: "Azure refuses to create or update a Bastion whose subnet NSG lacks these rules; a deny added later breaks sessions (Bastion loses its control plane or cannot reach the VMs).",
        fix: "Add the missing allow rules above any deny, as in Microsoft's \"NSG access and Azure Bastion\" table; `aksnet design` writes them.",
        references: &[
            "https://learn.microsoft.com/azure/bastion/bastion-nsg",
            "No Checkov or PSRule equivalent checks the rule order",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let t = &cx.plane.topology;
    let mut out = Vec::new();
    for s in t
        .subnets
        .iter()
        .filter(|s| s.name.eq_ignore_ascii_case("AzureBastionSubnet"))
    {
        let Some(nsg_id) = &s.nsg else { continue };
        let Some(nsg) = cx.estate.network_security_groups.get(nsg_id) else {
            continue;
        };
        let missing: Vec<String> = REQUIRED
            .iter()
            .filter_map(|&(direction, source, destination, from, to)| {
                let probe = Probe {
                    direction,
                    source,
                    destination,
                    subnet: None,
                    ports: (from, to),
                };
                blocked_by(&nsg.properties, probe).map(|by| {
                    format!(
                        "{} tcp/{from} {source} → {destination} (stopped by {by})",
                        if direction == Direction::Inbound {
                            "inbound"
                        } else {
                            "outbound"
                        }
                    )
                })
            })
            .collect();
        if !missing.is_empty() {
            out.push(Finding::new(
                rule,
                format!(
                    "NSG `{}` on `{}` does not allow what Bastion needs: {}",
                    nsg.name,
                    s.label(t),
                    missing.join("; ")
                ),
                vec![nsg.id.clone(), s.id.clone()],
            ));
        }
    }
    out
}
