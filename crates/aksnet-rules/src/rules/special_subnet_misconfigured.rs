//! AKS-ADR-004: GatewaySubnet, AzureFirewallSubnet, AzureBastionSubnet and App Gateway subnets
//! set up in ways Azure refuses or breaks.

use crate::validation;
use crate::{Context, Doc, Finding, Rule, Severity};

/// Special subnets misconfigured.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-ADR-004",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "Special subnet misconfigured",
        what: "An NSG on GatewaySubnet or AzureFirewallSubnet; a 0.0.0.0/0 UDR or disabled gateway route propagation on GatewaySubnet; special subnets below their minimum size (firewall /26, Bastion /26, gateway /29, warning below /27); a firewall, Bastion or gateway outside its special subnet; other resources in an Application Gateway or special subnet.",
        why: "Azure refuses some of these at deployment; the others break quietly: a 0/0 UDR on GatewaySubnet or disabled propagation cuts on-premises off, an App Gateway sharing its subnet fails its next update.",
        fix: "Follow the hint on each finding; `aksnet design` builds these subnets correctly.",
        references: &[
            "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings#gwsub",
            "https://learn.microsoft.com/azure/firewall/firewall-faq#does-the-firewall-subnet-size-need-to-change-as-the-service-scales",
            "https://learn.microsoft.com/azure/application-gateway/configuration-infrastructure#virtual-network-and-dedicated-subnet",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    validation::findings(
        rule,
        cx,
        &[
            "nsg-on-special-subnet",
            "gateway-subnet-default-route",
            "gateway-subnet-propagation-disabled",
            "special-subnet-too-small",
            "special-subnet-below-recommended",
            "special-subnet-shared",
            "app-gateway-subnet-not-dedicated",
            "service-outside-special-subnet",
        ],
    )
}
