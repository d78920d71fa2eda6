//! The rule catalog. One file per rule under `rules/`, each with a stable code, a severity and a
//! doc (What it checks / Why it matters / How to fix / References); [`catalog`] lists them all.
//!
//! Two kinds of rule: attribute rules read the Estate; semantic rules ask the DataPlane (what
//! reaches what) and attach the witness trace to their findings — what no attribute scanner can do.

#![warn(missing_docs)]

// Module order (each uses only modules before it): intents → probe → shared → validation → rules →
// verify.
mod access;
mod capacity;
mod intents;
mod probe;
mod rules;
mod shared;
mod validation;
pub mod verify;

pub use intents::{
    check_intents, places as intent_places, FlowIntent, IntentError, IntentErrorKind, INTENT_CODE,
};

use std::sync::OnceLock;

use aksnet_engine::reach::Reach;
use aksnet_engine::topology::SubnetIx;
use aksnet_engine::trace::Trace;
use aksnet_engine::DataPlane;
use aksnet_model::validate::Problem;
use aksnet_model::{Estate, ResourceId};
use serde::Serialize;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Must be fixed.
    Error,
    /// Should be fixed.
    Warning,
    /// Worth knowing.
    Info,
}

/// One problem found.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Rule code, e.g. `AKS-EGR-001`.
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// What is wrong, with the names and numbers.
    pub message: String,
    /// The resources at fault.
    pub resources: Vec<ResourceId>,
    /// For semantic rules: the flow that shows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<Trace>,
    /// Where in the input it was written, when the input is a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
    /// The reason it is suppressed, from the intent file's `suppressions`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
}

/// A place in an input file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceLocation {
    /// The file, as given on the command line.
    pub file: String,
    /// Line, from 1.
    pub line: u64,
    /// Column, from 1.
    pub column: u64,
}

/// A suppression from the intent file: findings of `rule` whose resources or message mention
/// `resource` (all of the rule's findings when absent) are reported as suppressed, with the
/// reason, and do not fail the run.
#[derive(Clone, Debug)]
pub struct Suppression {
    /// Rule code.
    pub rule: String,
    /// A resource name or id fragment, matched case-insensitively.
    pub resource: Option<String>,
    /// Why: mandatory.
    pub reason: String,
}

/// Marks the findings that a suppression covers; returns, per suppression, how many it covered
/// (an unused suppression is worth a warning: the problem it excused is gone).
pub fn suppress(findings: &mut [Finding], suppressions: &[Suppression]) -> Vec<usize> {
    let mut used = vec![0; suppressions.len()];
    for f in findings.iter_mut() {
        let hit = suppressions.iter().position(|s| {
            s.rule.eq_ignore_ascii_case(f.code)
                && s.resource.as_deref().is_none_or(|r| {
                    let r = r.to_ascii_lowercase();
                    f.message.to_ascii_lowercase().contains(&r)
                        || f.resources
                            .iter()
                            .any(|id| id.as_str().to_ascii_lowercase().contains(&r))
                })
        });
        if let Some(i) = hit {
            f.suppressed = Some(suppressions[i].reason.clone());
            used[i] += 1;
        }
    }
    used
}

/// What a rule looks at, with the analyses several rules share computed once.
pub struct Context<'a, 'e> {
    /// The estate.
    pub estate: &'e Estate,
    /// Its data plane.
    pub plane: &'a DataPlane<'e>,
    diagnostics: OnceLock<Vec<Problem>>,
    internet_exposure: OnceLock<Reach>,
    subnets_by_label: OnceLock<std::collections::HashMap<String, Vec<SubnetIx>>>,
}

impl<'a, 'e> Context<'a, 'e> {
    /// A context over an estate and its compiled data plane.
    pub fn new(estate: &'e Estate, plane: &'a DataPlane<'e>) -> Self {
        Context {
            estate,
            plane,
            diagnostics: OnceLock::new(),
            internet_exposure: OnceLock::new(),
            subnets_by_label: OnceLock::new(),
        }
    }

    /// The subnets labelled `VNET/SUBNET` (how exposure paths name where they are delivered).
    pub fn subnets_labelled(&self, label: &str) -> &[SubnetIx] {
        let t = &self.plane.topology;
        let index = self.subnets_by_label.get_or_init(|| {
            let mut m: std::collections::HashMap<String, Vec<SubnetIx>> =
                std::collections::HashMap::new();
            for s in t.subnets.indices() {
                m.entry(t.subnets[s].label(t)).or_default().push(s);
            }
            m
        });
        index.get(label).map(Vec::as_slice).unwrap_or_default()
    }

    /// The estate's structural diagnostics ([`aksnet_model::validate()`]).
    pub fn diagnostics(&self) -> &[Problem] {
        self.diagnostics
            .get_or_init(|| aksnet_model::validate(self.estate))
    }

    /// Everything the Internet reaches, per path.
    pub fn internet_exposure(&self) -> &Reach {
        self.internet_exposure
            .get_or_init(|| self.plane.exposure(&aksnet_engine::Place::Internet))
    }
}

impl Finding {
    /// A finding of `rule` at its default severity.
    pub fn new(rule: &Rule, message: String, resources: Vec<ResourceId>) -> Self {
        Finding {
            code: rule.code,
            severity: rule.severity,
            message,
            resources,
            witness: None,
            location: None,
            suppressed: None,
        }
    }

    /// The same finding with the flow that shows it.
    pub fn with_witness(mut self, witness: Trace) -> Self {
        self.witness = Some(witness);
        self
    }

    /// The same finding at another severity.
    pub fn at(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

/// A rule's documentation, rendered to `docs/rules/<code>.md`.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Doc {
    /// One-line title.
    pub title: &'static str,
    /// What it checks.
    pub what: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// How to fix.
    pub fix: &'static str,
    /// References: Microsoft docs, equivalent Checkov/PSRule ids, user reports.
    pub references: &'static [&'static str],
}

/// A rule: declared once, as a `static RULE` in its own file under `rules/`, and registered by
/// that file's `mod` line (see `rules/mod.rs`).
#[derive(Debug)]
pub struct Rule {
    /// Stable code, e.g. `AKS-EGR-001`.
    pub code: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// Whether it asks the DataPlane (and attaches witness traces).
    pub semantic: bool,
    /// Documentation.
    pub doc: Doc,
    /// The check itself; called through [`Rule::run`].
    pub check: fn(&Rule, &Context) -> Vec<Finding>,
}

impl Rule {
    /// Runs the rule.
    pub fn run(&self, cx: &Context) -> Vec<Finding> {
        (self.check)(self, cx)
    }

    /// `attribute` or `semantic`.
    pub fn kind(&self) -> &'static str {
        if self.semantic {
            "semantic"
        } else {
            "attribute"
        }
    }
}

/// Every rule, in code order.
pub fn catalog() -> Vec<&'static Rule> {
    let mut v = rules::ALL.to_vec();
    v.sort_by_key(|r| r.code);
    v
}

/// Runs the whole catalog; findings sorted by severity, code, then message.
pub fn check(estate: &Estate, plane: &DataPlane) -> Vec<Finding> {
    check_rules(estate, plane, &catalog())
}

/// Runs the given rules; findings sorted by severity, code, then message.
pub fn check_rules(estate: &Estate, plane: &DataPlane, rules: &[&Rule]) -> Vec<Finding> {
    let cx = Context::new(estate, plane);
    // Rules are independent questions to one data plane; the context's caches are shared.
    let mut out: Vec<Finding> = aksnet_engine::parallel::map(rules, |r| r.run(&cx))
        .into_iter()
        .flatten()
        .collect();
    sort(&mut out);
    out
}

/// The report order: severity, code, message.
pub fn sort(findings: &mut [Finding]) {
    findings
        .sort_by(|a, b| (a.severity, a.code, &a.message).cmp(&(b.severity, b.code, &b.message)));
}

/// Renders a rule's documentation as Markdown (the source of `docs/rules/*.md`).
pub fn doc_markdown(r: &Rule) -> String {
    let d = &r.doc;
    let refs: Vec<String> = d.references.iter().map(|x| format!("- {x}")).collect();
    format!(
        "# {} — {}\n\nSeverity: {:?}. Kind: {}.\n\n## What it checks\n\n{}\n\n## Why it matters\n\n{}\n\n## How to fix\n\n{}\n\n## References\n\n{}\n",
        r.code,
        d.title,
        r.severity,
        if r.semantic { "semantic (asks the data plane; findings carry a witness trace)" } else { "attribute" },
        d.what,
        d.why,
        d.fix,
        refs.join("\n")
    )
}

/// The generated rule documentation: `(file name, Markdown)` for `docs/rules/`, one file per
/// rule plus a `README.md` index. Written by `cargo run -p xtask -- rule-docs`; a test keeps the
/// checked-in copy equal to this.
pub fn rule_docs() -> Vec<(String, String)> {
    let rules = catalog();
    let mut index = String::from(
        "# Rule catalog\n\nGenerated from the rules' documentation by `cargo run -p xtask -- rule-docs`; do not edit.\n\
         `aksnet rules` lists the same table, `aksnet rules CODE` prints one rule.\n\n\
         | Code | Severity | Kind | Title |\n|---|---|---|---|\n",
    );
    let mut files = Vec::new();
    for r in &rules {
        let file = format!("{}.md", r.code);
        index.push_str(&format!(
            "| [{}]({file}) | {} | {} | {} |\n",
            r.code,
            format!("{:?}", r.severity).to_lowercase(),
            r.kind(),
            r.doc.title
        ));
        files.push((file, doc_markdown(r)));
    }
    index.push_str(&format!(
        "\nFlow intents from the intent file are reported as `{INTENT_CODE}` (see docs/check.md).\n"
    ));
    files.insert(0, ("README.md".to_string(), index));
    files
}
