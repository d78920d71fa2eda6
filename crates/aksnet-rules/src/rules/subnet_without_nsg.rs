//! AKS-NET-001: a subnet with no NSG.

use crate::{Context, Doc, Finding, Rule, Severity};

/// Subnet without an NSG.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-NET-001",
    severity: Severity::Warning,
    semantic: false,
    doc: Doc {
        title: "Subnet without a network security group",
        what: "A subnet with no NSG associated, except the special subnets where Azure does not apply or support one (GatewaySubnet, AzureFirewallSubnet, AzureFirewallManagementSubnet).",
        why: "Without an NSG nothing filters traffic at the subnet; AKS leaves subnet NSGs to you (it manages only the NIC-level one).",
        fix: "Associate an NSG; Azure's default rules already deny Internet inbound, and you can add explicit rules from there.",
        references: &["https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview", "Checkov CKV2_AZURE_31"],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let t = &cx.plane.topology;
    t.subnets
        .iter()
        .filter(|s| s.nsg.is_none() && !s.nsg_exempt())
        .map(|s| Finding {
            code: rule.code,
            severity: rule.severity,
            message: format!("subnet `{}` has no NSG", s.label(t)),
            resources: vec![s.id.clone()],
            witness: None,
            location: None,
            suppressed: None,
        })
        .collect()
}
