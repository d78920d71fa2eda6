//! Findings added and removed, matched by rule and resource (not by message, whose numbers
//! may change without the finding changing).

use std::collections::BTreeMap;

use aksnet_rules::verify::Report;
use aksnet_rules::{Finding, Severity, SourceLocation};
use serde::Serialize;

/// Findings added and removed.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FindingChanges {
    /// In HEAD, not in BASE (located in HEAD's files).
    pub added: Vec<FindingRef>,
    /// In BASE, not in HEAD (located in BASE's files).
    pub removed: Vec<FindingRef>,
}

/// A finding, as the diff names it.
#[derive(Clone, Debug, Serialize)]
pub struct FindingRef {
    /// The rule.
    pub code: String,
    /// How bad.
    pub severity: Severity,
    /// The message.
    pub message: String,
    /// The resources at fault.
    pub resources: Vec<String>,
    /// Where it was written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
}

/// What identifies a finding across two estates: its rule and its resources (lower case).
fn key(f: &Finding) -> (String, Vec<String>) {
    let mut ids: Vec<String> = f
        .resources
        .iter()
        .map(|r| r.as_str().to_ascii_lowercase())
        .collect();
    ids.sort();
    if ids.is_empty() {
        ids.push(f.message.clone());
    }
    (f.code.to_string(), ids)
}

fn reference(f: &Finding) -> FindingRef {
    FindingRef {
        code: f.code.to_string(),
        severity: f.severity,
        message: f.message.clone(),
        resources: f.resources.iter().map(|r| r.as_str().to_string()).collect(),
        location: f.location.clone(),
    }
}

/// Compares the (unsuppressed) findings of two reports.
pub fn compare(base: &Report, head: &Report) -> FindingChanges {
    let index = |r: &Report| -> BTreeMap<(String, Vec<String>), FindingRef> {
        r.findings
            .iter()
            .filter(|f| f.suppressed.is_none())
            .map(|f| (key(f), reference(f)))
            .collect()
    };
    let (b, h) = (index(base), index(head));
    FindingChanges {
        added: h
            .iter()
            .filter(|(k, _)| !b.contains_key(*k))
            .map(|(_, f)| f.clone())
            .collect(),
        removed: b
            .iter()
            .filter(|(k, _)| !h.contains_key(*k))
            .map(|(_, f)| f.clone())
            .collect(),
    }
}
