//! The rule catalog (`aksnet rules`) and a verification report as text, JSON, SARIF 2.1.0 and
//! Markdown.

use std::fmt::Write;

use aksnet_engine::trace::Trace;
use aksnet_rules::verify::Report;
use aksnet_rules::{catalog, doc_markdown, Finding, Rule, Severity, INTENT_CODE};
use serde_json::{json, Value};

/// The catalog as a table: code, severity, kind, title — one line per rule.
pub fn catalog_text(rules: &[&Rule]) -> String {
    let mut out = String::new();
    for r in rules {
        let _ = writeln!(
            out,
            "{}  {:<8} {:<10} {}",
            r.code,
            severity(r.severity),
            r.kind(),
            r.doc.title
        );
    }
    out
}

/// The catalog as JSON: code, severity, kind and title of each rule.
pub fn catalog_json(rules: &[&Rule]) -> Value {
    rules
        .iter()
        .map(|r| json!({ "code": r.code, "severity": r.severity, "semantic": r.semantic, "title": r.doc.title }))
        .collect()
}

/// One rule with its whole documentation, as JSON.
pub fn rule_json(r: &Rule) -> Value {
    json!({ "code": r.code, "severity": r.severity, "semantic": r.semantic, "doc": r.doc })
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn count(report: &Report, s: Severity) -> usize {
    report
        .findings
        .iter()
        .filter(|f| f.severity == s && f.suppressed.is_none())
        .count()
}

fn suppressed(report: &Report) -> usize {
    report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .count()
}

/// One line per finding count, as the last line of text and Markdown reports.
pub fn summary_line(report: &Report) -> String {
    format!(
        "{} error(s), {} warning(s), {} info, {} suppressed — {} rules, {} intents checked",
        count(report, Severity::Error),
        count(report, Severity::Warning),
        count(report, Severity::Info),
        suppressed(report),
        report.rules_run,
        report.intents_checked
    )
}

fn witness_lines(out: &mut String, w: &Trace, indent: &str) {
    let _ = writeln!(
        out,
        "{indent}= witness: {} → {}: {} — {}",
        w.from, w.to, w.verdict, w.reason
    );
    for (i, h) in w.hops.iter().enumerate() {
        let _ = writeln!(
            out,
            "{indent}    {}. {} {} at {}: {}",
            i + 1,
            h.kind,
            h.decision,
            h.at,
            h.detail
        );
    }
    if let Some(r) = w.return_path.as_ref().and_then(|r| r.warning.as_ref()) {
        let _ = writeln!(out, "{indent}    return: {r}");
    }
}

/// Findings that say the same thing at the same place (a flow intent over several subnet pairs),
/// in order of first appearance: the text report prints each group once, naming every pair.
fn repeated<'f>(findings: &[&'f Finding]) -> Vec<Vec<&'f Finding>> {
    let mut groups: Vec<Vec<&Finding>> = Vec::new();
    for &f in findings {
        let same = |g: &&mut Vec<&Finding>| {
            g[0].code == f.code && g[0].message == f.message && g[0].location == f.location
        };
        match groups.iter_mut().find(|g| same(g)) {
            Some(g) => g.push(f),
            None => groups.push(vec![f]),
        }
    }
    groups
}

/// A witness end's place without its host detail: `vnet-a/snet-x (host 10.0.0.4 of ...)` →
/// `vnet-a/snet-x`.
fn place_name(label: &str) -> &str {
    label.split(" (").next().unwrap_or(label)
}

/// Findings grouped by severity, each with its location, resources and witness; repeated
/// findings once, with the subnet pairs they hold for.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    for (s, title) in [
        (Severity::Error, "Errors"),
        (Severity::Warning, "Warnings"),
        (Severity::Info, "Info"),
    ] {
        let group: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.severity == s && f.suppressed.is_none())
            .collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{title} ({})\n", group.len());
        for same in repeated(&group) {
            let f = same[0];
            let _ = writeln!(out, "{}[{}]: {}", severity(f.severity), f.code, f.message);
            if let Some(l) = &f.location {
                let _ = writeln!(out, "  --> {}:{}:{}", l.file, l.line, l.column);
            }
            let mut resources: Vec<&aksnet_model::ResourceId> = Vec::new();
            for r in same.iter().flat_map(|f| &f.resources) {
                if !resources.contains(&r) {
                    resources.push(r);
                }
            }
            for r in resources {
                let _ = writeln!(out, "  = resource: {r}");
            }
            let pairs: Vec<String> = same
                .iter()
                .filter_map(|f| f.witness.as_ref())
                .map(|w| format!("{} → {}", place_name(&w.from), place_name(&w.to)))
                .collect();
            if same.len() > 1 && pairs.len() == same.len() {
                let _ = writeln!(
                    out,
                    "  = {} pairs (one finding each): {}",
                    same.len(),
                    pairs.join("; ")
                );
            }
            if let Some(w) = &f.witness {
                witness_lines(&mut out, w, "  ");
            }
            if f.code != INTENT_CODE {
                let _ = writeln!(out, "  = help: aksnet rules {}", f.code);
            }
            let _ = writeln!(out);
        }
    }
    let quiet: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .collect();
    if !quiet.is_empty() {
        let _ = writeln!(out, "Suppressed ({})\n", quiet.len());
        for f in quiet {
            let _ = writeln!(
                out,
                "{}[{}]: {}\n  = reason: {}\n",
                severity(f.severity),
                f.code,
                f.message,
                f.suppressed.as_deref().unwrap_or_default()
            );
        }
    }
    for u in &report.unused_suppressions {
        let _ = writeln!(out, "note: {u}");
    }
    let table = crate::headroom::text(&report.headroom);
    if !table.is_empty() {
        let _ = writeln!(out, "{table}");
    }
    let _ = writeln!(out, "{}", summary_line(report));
    out
}

/// The JSON report (documented in docs/check.md).
pub fn json_report(report: &Report) -> Value {
    json!({
        "summary": {
            "errors": count(report, Severity::Error),
            "warnings": count(report, Severity::Warning),
            "info": count(report, Severity::Info),
            "suppressed": suppressed(report),
            "rules": report.rules_run,
            "intents": report.intents_checked,
        },
        "findings": report.findings,
        "unusedSuppressions": report.unused_suppressions,
        "headroom": crate::headroom::json(&report.headroom),
    })
}

/// Findings as SARIF 2.1.0: every rule of the catalog (and the intent pseudo-rule) in the
/// driver, physical locations when the input was a file, logical locations for resources, and
/// suppressions as `external` with their justification.
pub fn sarif(report: &Report) -> Value {
    let mut rules: Vec<Value> = catalog()
        .iter()
        .map(|r| {
            let d = r.doc;
            json!({ "id": r.code, "name": pascal(d.title), "shortDescription": { "text": d.title }, "fullDescription": { "text": d.what },
                    "help": { "text": d.fix, "markdown": doc_markdown(r) },
                    "defaultConfiguration": { "level": level(r.severity) },
                    "properties": { "tags": [if r.semantic { "semantic" } else { "attribute" }] } })
        })
        .collect();
    rules.push(json!({ "id": INTENT_CODE, "name": "FlowIntent", "shortDescription": { "text": "A flow intent from the intent file is violated" },
        "fullDescription": { "text": "An `intents:` entry (must-allow or must-deny flow between two places) that the data plane contradicts." },
        "help": { "text": "Fix the network so the flow matches, or correct the intent." }, "defaultConfiguration": { "level": "error" } }));
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let logical: Vec<Value> = f.resources.iter().map(|r| json!({ "fullyQualifiedName": r.as_str(), "kind": "resource" })).collect();
            let mut location = json!({});
            if let Some(l) = &f.location {
                location["physicalLocation"] = json!({ "artifactLocation": { "uri": l.file }, "region": { "startLine": l.line, "startColumn": l.column } });
            }
            if !logical.is_empty() {
                location["logicalLocations"] = Value::Array(logical);
            }
            let mut result = json!({ "ruleId": f.code, "level": level(f.severity), "message": { "text": f.message } });
            if location.as_object().is_some_and(|o| !o.is_empty()) {
                result["locations"] = json!([location]);
            }
            if let Some(reason) = &f.suppressed {
                result["suppressions"] = json!([{ "kind": "external", "justification": reason }]);
            }
            if let Some(w) = &f.witness {
                result["codeFlows"] = json!([{ "threadFlows": [{ "locations": w.hops.iter().map(|h| json!({ "location": { "message": { "text": format!("{} {} at {}: {}", h.kind, h.decision, h.at, h.detail) } } })).collect::<Vec<_>>() }] }]);
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{ "tool": { "driver": { "name": "aksnet", "version": env!("CARGO_PKG_VERSION"), "informationUri": "https://github.com/aksnet/aksnet", "rules": rules } }, "results": results }]
    })
}

/// `Public API server without ...` → `PublicApiServerWithout...` (SARIF rule names are identifiers).
fn pascal(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A Markdown report for pull-request comments and CI summaries.
pub fn markdown(report: &Report) -> String {
    let mut out = String::from("# aksnet check\n\n");
    let _ = writeln!(out, "**{}**\n", summary_line(report));
    if report.findings.is_empty() {
        out.push_str("No findings.\n");
    } else {
        out.push_str("| Severity | Rule | Finding | Where |\n|---|---|---|---|\n");
        for f in &report.findings {
            let sev = if f.suppressed.is_some() {
                format!("{} (suppressed)", severity(f.severity))
            } else {
                severity(f.severity).to_string()
            };
            let at = f
                .location
                .as_ref()
                .map(|l| format!("`{}:{}:{}`", l.file, l.line, l.column))
                .or_else(|| f.resources.first().map(|r| format!("`{}`", r.name())))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {sev} | `{}` | {} | {at} |",
                f.code,
                f.message.replace('|', "\\|")
            );
        }
        let witnessed: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.witness.is_some() && f.suppressed.is_none())
            .collect();
        if !witnessed.is_empty() {
            out.push_str("\n## Witness flows\n");
            for f in witnessed {
                let _ = writeln!(
                    out,
                    "\n<details><summary><code>{}</code>: {}</summary>\n\n```",
                    f.code,
                    f.message.replace('<', "&lt;")
                );
                let mut w = String::new();
                witness_lines(&mut w, f.witness.as_ref().expect("filtered"), "");
                out.push_str(&w);
                out.push_str("```\n\n</details>\n");
            }
        }
    }
    for u in &report.unused_suppressions {
        let _ = writeln!(out, "\n> note: {u}");
    }
    let table = crate::headroom::markdown(&report.headroom);
    if !table.is_empty() {
        let _ = write!(
            out,
            "\n<details><summary>Headroom of Azure limits</summary>\n\n{table}\n</details>\n"
        );
    }
    out
}
