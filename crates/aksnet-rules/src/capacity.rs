//! The AKS-CAP rules' one check: a limit's usages ([`aksnet_model::capacity`]) from
//! [`WARN_PERCENT`](aksnet_model::limits::WARN_PERCENT) of the limit on are warnings, past it
//! errors. Each rule file names its limit and documents it; the numbers and their sources are
//! data in [`aksnet_model::limits`].

use aksnet_model::capacity::{usages_of, Level, Usage};
use aksnet_model::limits::LimitId;
use aksnet_model::validate::thousands;

use crate::{Context, Finding, Rule, Severity};

/// Who reports a usage past its limit.
pub(crate) enum Past {
    /// This rule, as an error.
    Here,
    /// Structural validation already refuses it (Azure would) under AKS-ADR-002; this rule
    /// reports only the band from 80 % up to the limit, so one problem is one finding.
    ByValidation,
}

/// Findings for `limit`'s usages near or past it.
pub(crate) fn findings(rule: &Rule, cx: &Context, limit: LimitId, past: Past) -> Vec<Finding> {
    usages_of(cx.estate, limit, cx.plane.options.counting())
        .into_iter()
        .filter_map(|u| {
            let severity = match (u.level(), &past) {
                (Level::Within, _) | (Level::Over, Past::ByValidation) => return None,
                (Level::Near, _) => Severity::Warning,
                (Level::Over, Past::Here) => rule.severity,
            };
            Some(Finding::new(rule, message(&u), vec![u.resource.clone()]).at(severity))
        })
        .collect()
}

/// "`rt-spoke`: 412 of 400 routes (103 %, 12 over) — routes per route table: 372 routes + …".
pub(crate) fn message(u: &Usage) -> String {
    let l = u.limit.limit();
    let room = match u.headroom() {
        h if h < 0 => format!("{} over", thousands(h.unsigned_abs())),
        h => format!("{} left", thousands(h.unsigned_abs())),
    };
    format!(
        "`{}`: {} of {} {} ({} %, {room}) against Azure's limit on {}: {}",
        u.resource.name(),
        thousands(u.used),
        thousands(u.max),
        l.unit,
        thousands(u.percent()),
        l.name,
        u.counted
    )
}
