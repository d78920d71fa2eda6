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
        what: "An Application Gateway with a public frontend and no WAF (a WAF policy, or the WAF configuration on the gateway itself when no policy is associated), a disabled one, a policy in Detection mode, or no managed rule set that Azure WAF still supports: Microsoft_DefaultRuleSet 2.0 or later, or OWASP (CRS) 3.2 — since February 2026 Azure WAF supports the latest three releases (DRS 2.2, 2.1, and CRS 3.2 / DRS 2.0); CRS 3.1, 3.0 and 2.2.9 no longer receive updates.",
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
            let problem = match Waf::of(a, cx) {
                None => "has no WAF policy".to_string(),
                Some(w) if !stated(&w.state, "Enabled") => match &w.state {
                    Some(_) => format!("has {} disabled", w.name),
                    // Azure documents no default (aksnet_model::defaults::UNSTATED).
                    None => format!(
                        "has {} whose state is not stated (Azure documents no default)",
                        w.name
                    ),
                },
                Some(w) if !stated(&w.mode, "Prevention") => format!(
                    "has {} in {}",
                    w.name,
                    match &w.mode {
                        Some(m) => format!("{m} mode"),
                        None => "a mode not stated (Azure documents no default)".to_string(),
                    }
                ),
                Some(w) if !w.sets.iter().any(|(k, v)| current_rule_set(k, v)) => {
                    let sets: Vec<String> =
                        w.sets.iter().map(|(k, v)| format!("{k} {v}")).collect();
                    format!(
                        "has {} without a supported OWASP/DRS managed rule set ({})",
                        w.name,
                        if sets.is_empty() {
                            "none".to_string()
                        } else {
                            sets.join(", ")
                        }
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
/// A gateway's WAF, from its policy or (without one) its own configuration.
struct Waf<'a> {
    /// `WAF policy `x`` or `its own WAF configuration`.
    name: String,
    /// `Enabled`/`Disabled`, `None` when not stated.
    state: Option<String>,
    /// `Prevention`/`Detection`, `None` when not stated.
    mode: Option<String>,
    /// Managed rule sets as `(type, version)`.
    sets: Vec<(&'a str, &'a str)>,
}

impl<'a> Waf<'a> {
    fn of(
        a: &'a aksnet_model::Resource<aksnet_model::appgw::ApplicationGateway>,
        cx: &'a Context,
    ) -> Option<Self> {
        let policy = a
            .properties
            .firewall_policy
            .as_ref()
            .and_then(|p| cx.estate.waf_policies.get(&p.id));
        if let Some(w) = policy {
            let p = &w.properties;
            return Some(Waf {
                name: format!("WAF policy `{}`", w.name),
                state: p.policy_settings.state.clone(),
                mode: p.policy_settings.mode.clone(),
                sets: p
                    .managed_rules
                    .managed_rule_sets
                    .iter()
                    .map(|s| (s.rule_set_type.as_str(), s.rule_set_version.as_str()))
                    .collect(),
            });
        }
        let c = a
            .properties
            .web_application_firewall_configuration
            .as_ref()?;
        Some(Waf {
            name: "its own WAF configuration".to_string(),
            state: Some(if c.enabled { "Enabled" } else { "Disabled" }.to_string()),
            mode: c.firewall_mode.clone(),
            sets: vec![(c.rule_set_type.as_str(), c.rule_set_version.as_str())],
        })
    }
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
