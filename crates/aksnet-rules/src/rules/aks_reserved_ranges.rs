//! AKS-ADR-003: ranges AKS or Azure reserve, and impossible service networks.

use crate::validation;
use crate::{Context, Doc, Finding, Rule, Severity};

/// AKS reserved ranges, forbidden VNet ranges and invalid service CIDR / DNS service IP.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-ADR-003",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "Reserved or invalid AKS address ranges",
        what: "Service, pod or VNet ranges inside 169.254.0.0/16, 172.30.0.0/16, 172.31.0.0/16 or 192.0.2.0/24; VNet spaces Azure forbids (224.0.0.0/4, 255.255.255.255/32, 127.0.0.0/8, 168.63.129.16/32, 169.254.169.254/32); a service CIDR of /12 or larger; a `dnsServiceIP` outside the service CIDR or at its first address.",
        why: "AKS rejects these network profiles at creation, or the cluster starts with DNS and service routing that cannot work.",
        fix: "Pick a service CIDR smaller than /12 outside every routed and reserved range, and a DNS service IP inside it other than `.0`/`.1` (by convention `.10`).",
        references: &[
            "https://learn.microsoft.com/azure/aks/configure-azure-cni#deployment-parameters",
            "https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#what-address-ranges-can-i-use-in-my-vnets",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    validation::findings(
        rule,
        cx,
        &[
            "aks-reserved-range",
            "vnet-forbidden-range",
            "aks-service-cidr-too-large",
            "aks-dns-service-ip-first",
            "aks-dns-service-ip-invalid",
            "aks-dns-service-ip-outside",
        ],
    )
}
