//! AKS-ING-002: a public Application Gateway without a WAF in Prevention mode.

use aksnet_engine::topology::EndpointKind;

use crate::{Context, Doc, Finding, Rule, Severity};

/// Public Application Gateway without WAF Prevention.
pub struct PublicAppGatewayWithoutWafPrevention;

impl Rule for PublicAppGatewayWithoutWafPrevention {
    fn code(&self) -> &'static str {
        "AKS-ING-002"
    }
    fn severity(&self) -> Severity {
        Severity::Error
    }
    fn semantic(&self) -> bool {
        false
    }
    fn doc(&self) -> Doc {
        Doc {
            title: "Public Application Gateway without a WAF in Prevention mode",
            what: "An Application Gateway with a public frontend and no WAF policy, a disabled policy, a policy in Detection mode, or no OWASP/DRS managed rule set.",
            why: "The gateway is the cluster's front door from the Internet; without a blocking WAF, injection and scanning traffic reaches the ingress controller and the pods.",
            fix: "Use the WAF_v2 SKU with a WAF policy in Prevention mode and a current managed rule set (Microsoft_DefaultRuleSet 2.1 or OWASP 3.2).",
            references: &["https://learn.microsoft.com/azure/web-application-firewall/ag/policy-overview", "Checkov CKV_AZURE_120 (WAF enabled) and CKV_AZURE_122 (which passes Detection mode; this rule does not, and also requires a managed rule set); PSRule Azure.AppGw.UseWAF, Azure.AppGw.WAFEnabled, Azure.AppGw.PreventionMode"],
        }
    }
    fn check(&self, cx: &Context) -> Vec<Finding> {
        let public: Vec<_> = cx
            .plane
            .topology
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
                let problem = match waf {
                    None => "has no WAF policy".to_string(),
                    Some(w)
                        if !w
                            .properties
                            .policy_settings
                            .state
                            .eq_ignore_ascii_case("Enabled") =>
                    {
                        format!("has WAF policy `{}` disabled", w.name)
                    }
                    Some(w)
                        if !w
                            .properties
                            .policy_settings
                            .mode
                            .eq_ignore_ascii_case("Prevention") =>
                    {
                        format!(
                            "has WAF policy `{}` in {} mode",
                            w.name, w.properties.policy_settings.mode
                        )
                    }
                    Some(w)
                        if !w
                            .properties
                            .managed_rules
                            .managed_rule_sets
                            .iter()
                            .any(|s| {
                                s.rule_set_type == "OWASP"
                                    || s.rule_set_type == "Microsoft_DefaultRuleSet"
                            }) =>
                    {
                        format!(
                            "has WAF policy `{}` without an OWASP/DRS managed rule set",
                            w.name
                        )
                    }
                    Some(_) => return None,
                };
                Some(Finding {
                    code: self.code(),
                    severity: self.severity(),
                    message: format!("public Application Gateway `{}` {problem}", a.name),
                    resources: vec![a.id.clone()],
                    witness: None,
                    location: None,
                    suppressed: None,
                })
            })
            .collect()
    }
}
