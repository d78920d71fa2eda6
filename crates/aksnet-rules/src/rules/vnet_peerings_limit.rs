//! AKS-CAP-004: a virtual network near or past 500 peerings.

use aksnet_model::limits::LimitId;

use crate::capacity::{findings, Past};
use crate::{Context, Doc, Finding, Rule, Severity};

/// A virtual network near or past 500 peerings.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-CAP-004",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "A virtual network near or past 500 peerings",
        what: "Counts each virtual network's peering links against Azure's 500 peerings per virtual network. A hub peers with every spoke, so the hub reaches it first.",
        why: "The 501st spoke cannot be peered: the landing zone stops growing at the hub, and the fix (a second hub, or Virtual WAN) is a re-architecture, best planned before.",
        fix: "Plan a second hub per region (peered hub to hub), or move to Azure Virtual WAN or Azure Virtual Network Manager connectivity, whose limits are larger.",
        references: &[aksnet_model::limits::NETWORKING_LIMITS, "https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview"],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    findings(rule, cx, LimitId::VnetPeerings, Past::Here)
}
