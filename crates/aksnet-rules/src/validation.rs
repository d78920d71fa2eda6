//! Rules backed by the model's structural validation: the check lives in
//! `aksnet_model::validate` (one arithmetic for the planner and the catalog); the rule gives a
//! group of its diagnostics a code, a severity floor and the documentation.

use crate::{Context, Finding, Rule, Severity};

/// Findings for the diagnostics with these codes. A diagnostic's own severity wins when it is
/// milder than the rule's (a "below recommended size" warning stays a warning).
pub(crate) fn findings(rule: &Rule, cx: &Context, codes: &[&str]) -> Vec<Finding> {
    cx.diagnostics()
        .iter()
        .filter(|d| codes.contains(&d.code))
        .map(|d| {
            let severity = match d.severity {
                aksnet_model::Severity::Error => rule.severity,
                aksnet_model::Severity::Warning => rule.severity.max(Severity::Warning),
            };
            Finding::new(
                rule,
                format!("{} [{}]; {}", d.message, d.code, d.hint),
                vec![d.resource.clone()],
            )
            .at(severity)
        })
        .collect()
}
