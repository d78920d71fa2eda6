//! AKS-PLK-004: a container registry below the Premium SKU.

use crate::{Context, Doc, Finding, Rule, Severity};

/// ACR not Premium.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-PLK-004",
    severity: Severity::Warning,
    semantic: false,
    doc: Doc {
        title: "Container registry not on the Premium SKU",
        what: "A container registry whose SKU is Basic or Standard (or unknown).",
        why: "Private endpoints, network rules and disabling public network access exist only on Premium: a Basic or Standard registry is always reachable from the Internet and cannot be pulled from privately.",
        fix: "Upgrade the registry to Premium (`az acr update --sku Premium`), then add its private endpoint.",
        references: &[
            "https://learn.microsoft.com/azure/container-registry/container-registry-skus",
            "PSRule Azure.ACR.MinSku (asks for Standard or Premium; this rule asks for Premium, which Private Link needs)",
        ],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    cx.estate
        .container_registries
        .iter()
        .filter_map(|r| {
            let sku = r
                .sku
                .as_ref()
                .and_then(|s| s.name.clone())
                .unwrap_or_else(|| "unknown".into());
            (!sku.eq_ignore_ascii_case("Premium")).then(|| {
                Finding::new(
                    rule,
                    format!("registry `{}` is on the {sku} SKU: no Private Link", r.name),
                    vec![r.id.clone()],
                )
            })
        })
        .collect()
}
