//! `aksnet rules` and the renderings of `aksnet check`.

use std::fmt::Write;
use std::process::ExitCode;

use aksnet_rules::{catalog, doc_markdown, Finding};
use serde_json::json;

/// `aksnet rules [CODE]`.
pub fn list(code: Option<&str>, as_json: bool) -> Result<ExitCode, String> {
    let all = catalog();
    match code {
        Some(c) => {
            let Some(r) = all.iter().find(|r| r.code().eq_ignore_ascii_case(c)) else {
                let known: Vec<&str> = all.iter().map(|r| r.code()).collect();
                return Err(format!(
                    "error: unknown rule `{c}`\n  = hint: known rules: {}",
                    known.join(", ")
                ));
            };
            if as_json {
                println!("{}", serde_json::to_string_pretty(&json!({ "code": r.code(), "severity": r.severity(), "semantic": r.semantic(), "doc": r.doc() })).expect("serialisable"));
            } else {
                print!("{}", doc_markdown(*r));
            }
        }
        None if as_json => {
            let v: Vec<_> = all.iter().map(|r| json!({ "code": r.code(), "severity": r.severity(), "semantic": r.semantic(), "title": r.doc().title })).collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&v).expect("serialisable")
            );
        }
        None => {
            for r in all {
                println!(
                    "{}  {:<8} {:<10} {}",
                    r.code(),
                    format!("{:?}", r.severity()).to_lowercase(),
                    if r.semantic() {
                        "semantic"
                    } else {
                        "attribute"
                    },
                    r.doc().title
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Findings as text, each with its resources and, for semantic rules, the witness in brief.
pub fn text(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(
            out,
            "{}[{}]: {}",
            format!("{:?}", f.severity).to_lowercase(),
            f.code,
            f.message
        );
        for r in &f.resources {
            let _ = writeln!(out, "  --> {r}");
        }
        if let Some(w) = &f.witness {
            let _ = writeln!(
                out,
                "  = witness: {} → {}: {} ({} hops; run `aksnet trace` for every hop)",
                w.from,
                w.to,
                w.verdict,
                w.hops.len()
            );
        }
        let _ = writeln!(out, "  = help: aksnet rules {}", f.code);
    }
    let count = |s: aksnet_rules::Severity| findings.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        out,
        "{} error(s), {} warning(s), {} info",
        count(aksnet_rules::Severity::Error),
        count(aksnet_rules::Severity::Warning),
        count(aksnet_rules::Severity::Info)
    );
    out
}

/// Findings as SARIF 2.1.0, with every rule of the catalog in the tool's driver.
pub fn sarif(findings: &[Finding]) -> serde_json::Value {
    let rules: Vec<_> = catalog()
        .iter()
        .map(|r| {
            let d = r.doc();
            json!({ "id": r.code(), "name": d.title, "shortDescription": { "text": d.title }, "fullDescription": { "text": d.what },
                    "help": { "text": d.fix, "markdown": doc_markdown(*r) },
                    "defaultConfiguration": { "level": level(r.severity()) } })
        })
        .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            let locations: Vec<_> = f.resources.iter().map(|r| json!({ "logicalLocations": [{ "fullyQualifiedName": r.as_str(), "kind": "resource" }] })).collect();
            json!({ "ruleId": f.code, "level": level(f.severity), "message": { "text": f.message }, "locations": locations })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{ "tool": { "driver": { "name": "aksnet", "version": env!("CARGO_PKG_VERSION"), "rules": rules } }, "results": results }]
    })
}

fn level(s: aksnet_rules::Severity) -> &'static str {
    match s {
        aksnet_rules::Severity::Error => "error",
        aksnet_rules::Severity::Warning => "warning",
        aksnet_rules::Severity::Info => "note",
    }
}
