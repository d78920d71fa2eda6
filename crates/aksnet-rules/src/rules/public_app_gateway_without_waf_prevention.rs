//! AKS-ING-002: a public Application Gateway without a WAF in Prevention mode.

use aksnet_engine::endpoints::EndpointKind;

use crate::{Context, Doc, Finding, Rule, Severity};

/// Public Application Gateway without WAF Prevention.
pub(crate) static RULE: Rule = Rule {
    code: "AKS-ING-002",
    severity: Severity::Error,
    semantic: false,
    doc: Doc {
        title: "Public Application Gateway without a WAF in Prevention mode",
        what: "An Application Gateway with a public frontend and no WAF policy, a disabled policy, a policy in Detection mode, or no managed rule set that Azure WAF still supports: Microsoft_DefaultRuleSet 2.0 or later, or OWASP (CRS) 3.2 — since February 2026 Azure WAF supports the latest three releases (DRS 2.2, 2.1, and CRS 3.2 / DRS 2.0); CRS 3.1, 3.0 and 2.2.9 no longer receive updates.",
        why: "The gateway is the cluster's front door from the Internet; without a blocking WAF, injection and scanning traffic reaches the ingress controller and the pods.",
        fix: "Use the WAF_v2 SKU with a WAF policy in Prevention mode and a current managed rule set (Microsoft_DefaultRuleSet 2.1 or OWASP 3.2).",
        references: &["https://learn.microsoft.com/azure/web-application-firewall/ag/policy-overview", "https://learn.microsoft.com/azure/web-application-firewall/ruleset-support-policy", "Checkov CKV_AZURE_120 (WAF enabled) and CKV_AZURE_122 (which passes Detection mode; this rule does not, and also requires a managed rule set); PSRule Azure.AppGw.UseWAF, Azure.AppGw.WAFEnabled, Azure.AppGw.PreventionMode"],
    },
    check,
};

fn check(rule: &Rule, cx: &Context) -> Vec<Finding> {
    let public: Vec<_> = cx
        .plane
        .endpoints
        .iter()
        .filter(|e| e.kind == EndpointKind::AppGatewayPublic)
        .map(|e| e.resource.clone())
        .collect();
    cx.estate
        .application_gateways
        .iter()
        .filter(|a| public.contains(&a.id))
        .filter_map(|a| {
            let waf = a
                .properties
                .firewall_policy
                .as_ref()
                .and_then(|p| cx.estate.waf_policies.get(&p.id));
            let problem =
                match waf {
                    None => "has no WAF policy".to_string(),
                    Some(w) if !stated(&w.properties.policy_settings.state, "Enabled") => {
                        match &w.properties.policy_settings.state {
                            Some(_) => format!("has WAF policy `{}` disabled", w.name),
                            // Azure documents no default (aksnet_model::defaults::UNSTATED).
                            None => format!("has WAF policy `{}` whose state is not stated (Azure documents no default)", w.name),
                        }
                    }
                    Some(w) if !stated(&w.properties.policy_settings.mode, "Prevention") => {
                        format!(
                            "has WAF policy `{}` in {}",
                            w.name,
                            match &w.properties.policy_settings.mode {
                                Some(m) => format!("{m} mode"),
                                None => "a mode not stated (Azure documents no default)".to_string(),
                            }
                        )
                    }
                    Some(w)
                        if !w
                            .properties
                            .managed_rules
                            .managed_rule_sets
                            .iter()
                            .any(|s| current_rule_set(&s.rule_set_type, &s.rule_set_version)) =>
                    {
                        let sets: Vec<String> = w
                            .properties
                            .managed_rules
                            .managed_rule_sets
                            .iter()
                            .map(|s| format!("{} {}", s.rule_set_type, s.rule_set_version))
                            .collect();
                        format!(
                        "has WAF policy `{}` without a supported OWASP/DRS managed rule set ({})",
                        w.name,
                        if sets.is_empty() { "none".to_string() } else { sets.join(", ") }
                    )
                    }
                    Some(_) => return None,
                };
            Some(Finding {
                code: rule.code,
                severity: rule.severity,
                message: format!("public Application Gateway `{}` {problem}", a.name),
                resources: vec![a.id.clone()],
                witness: None,
                location: None,
                suppressed: None,
            })
        })
        .collect()
}
/// Whether a managed rule set is one Azure WAF supports: the latest three releases as of
/// February 2026 — DRS 2.2, DRS 2.1, CRS 3.2 and DRS 2.0 (Microsoft's "ruleset support policy").
fn current_rule_set(kind: &str, version: &str) -> bool {
    let major_minor = |v: &str| -> (u32, u32) {
        let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
    };
    match kind {
        "Microsoft_DefaultRuleSet" => major_minor(version) >= (2, 0),
        "OWASP" => major_minor(version) >= (3, 2),
        _ => false,
    }
}

/// Whether an optional setting is stated as `value` (case-insensitively, as ARM reads).
fn stated(setting: &Option<String>, value: &str) -> bool {
    setting
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case(value))
}

#[cfg(test)]
mod tests {
    use super::current_rule_set;

    #[test]
    fn supported_rule_sets_are_the_latest_three_releases() {
        assert!(current_rule_set("Microsoft_DefaultRuleSet", "2.1"));
        assert!(current_rule_set("Microsoft_DefaultRuleSet", "2.2"));
        assert!(current_rule_set("OWASP", "3.2"));
        assert!(!current_rule_set("OWASP", "3.1"));
        assert!(!current_rule_set("OWASP", "2.2.9"));
        assert!(!current_rule_set("Microsoft_DefaultRuleSet", "1.0"));
        assert!(!current_rule_set("Microsoft_BotManagerRuleSet", "1.1"));
    }
}
