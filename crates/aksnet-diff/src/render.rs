//! The diff as text for a terminal, JSON, Markdown for a pull request comment (a summary
//! first, the detail folded), and SARIF whose results are located in HEAD's files.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use aksnet_model::ResourceId;
use aksnet_rules::verify::Locator;
use aksnet_rules::Severity;
use serde_json::{json, Value};

use crate::flows::FlowChange;
use crate::{Diff, Side};

/// One line that says what changed.
pub fn summary(d: &Diff) -> String {
    if d.is_empty() {
        return "No change: the same flows, findings and resources.".into();
    }
    let count = |opened: bool| -> usize {
        d.names
            .iter()
            .filter(|n| n.opened == opened)
            .map(|n| n.names.len())
            .sum()
    };
    let (opened_names, closed_names) = (count(true), count(false));
    let mut parts = vec![
        format!(
            "flows opened {} (+{} by name)",
            d.opened.len(),
            opened_names
        ),
        format!("closed {} (+{} by name)", d.closed.len(), closed_names),
        format!(
            "findings +{} −{}",
            d.findings.added.len(),
            d.findings.removed.len()
        ),
    ];
    let r = &d.resources;
    parts.push(format!(
        "resources +{} −{} ~{}",
        r.added.len(),
        r.removed.len(),
        r.changed.len()
    ));
    parts.join(", ")
}

fn flow_text(s: &mut String, title: &str, flows: &[FlowChange]) {
    if flows.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n{title} ({})", flows.len());
    for f in flows {
        let _ = writeln!(s, "  {} → {}", f.from, f.to);
        for p in &f.packets {
            let _ = writeln!(s, "      {p}");
        }
        let _ = writeln!(s, "    witness: {}", f.witness.packet);
        let _ = writeln!(s, "    cause: {}", f.cause);
    }
}

/// For a terminal.
pub fn text(d: &Diff) -> String {
    let mut s = format!("{}\n", summary(d));
    flow_text(&mut s, "Opened", &d.opened);
    flow_text(&mut s, "Closed", &d.closed);
    if !d.names.is_empty() {
        let _ = writeln!(s, "\nBy name, through the firewall");
        for n in &d.names {
            let what = if n.opened {
                "now allowed"
            } else {
                "no longer allowed"
            };
            let _ = writeln!(s, "  {} → {}: {what}: {}", n.from, n.to, n.names.join(", "));
        }
    }
    for (title, list) in [
        ("Findings added", &d.findings.added),
        ("Findings removed", &d.findings.removed),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{title} ({})", list.len());
        for f in list {
            let _ = writeln!(s, "  {}[{}]: {}", severity(f.severity), f.code, f.message);
        }
    }
    let r = &d.resources;
    for (title, list) in [
        ("Resources added", &r.added),
        ("Resources removed", &r.removed),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{title} ({})", list.len());
        for id in list {
            let _ = writeln!(s, "  {id}");
        }
    }
    if !r.changed.is_empty() {
        let _ = writeln!(s, "\nResources changed ({})", r.changed.len());
        for c in &r.changed {
            let _ = writeln!(s, "  {}", c.id);
            for p in &c.properties {
                let _ = writeln!(s, "      {p}");
            }
            if c.more > 0 {
                let _ = writeln!(s, "      … and {} more", c.more);
            }
        }
    }
    s
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// As JSON: `{"summary", "opened", "closed", "names", "findings", "resources"}`.
pub fn json(d: &Diff) -> Value {
    let mut v = serde_json::to_value(d).unwrap_or(Value::Null);
    v["summary"] = Value::String(summary(d));
    v
}

/// Markdown for a pull-request comment: the summary and a table of flow changes first, the
/// witnesses, findings and resources folded.
pub fn markdown(d: &Diff) -> String {
    let mut s = format!("### aksnet diff\n\n**{}**\n", summary(d));
    if d.is_empty() {
        return s;
    }
    let rows: Vec<(String, &FlowChange)> = d
        .opened
        .iter()
        .map(|f| ("opened".to_string(), f))
        .chain(d.closed.iter().map(|f| ("closed".to_string(), f)))
        .collect();
    if !rows.is_empty() || !d.names.is_empty() {
        s.push_str("\n| | from | to | packets |\n|---|---|---|---|\n");
        for (what, f) in &rows {
            let _ = writeln!(
                s,
                "| {what} | {} | {} | {} |",
                cell(&f.from),
                cell(&f.to),
                short(&cell(&f.packets.join("; ")))
            );
        }
        for n in &d.names {
            let what = if n.opened { "opened" } else { "closed" };
            let _ = writeln!(
                s,
                "| {what} (by name) | {} | {} | {} |",
                cell(&n.from),
                cell(&n.to),
                cell(&n.names.join(", "))
            );
        }
    }
    if !rows.is_empty() {
        s.push_str("\n<details><summary>Witnesses and causes</summary>\n\n");
        for (what, f) in &rows {
            let _ = writeln!(
                s,
                "- **{what}** {} → {}: `{}` — {}",
                f.from,
                f.to,
                f.witness.packet,
                cell(&f.cause)
            );
        }
        s.push_str("\n</details>\n");
    }
    let fd = &d.findings;
    if !fd.added.is_empty() || !fd.removed.is_empty() {
        let _ = writeln!(
            s,
            "\n<details><summary>Findings: {} added, {} removed</summary>\n",
            fd.added.len(),
            fd.removed.len()
        );
        for (sign, list) in [("+", &fd.added), ("−", &fd.removed)] {
            for f in list {
                let at = f
                    .location
                    .as_ref()
                    .map(|l| format!(" ({}:{})", l.file, l.line))
                    .unwrap_or_default();
                let _ = writeln!(
                    s,
                    "- {sign} `{}` {}: {}{at}",
                    f.code,
                    severity(f.severity),
                    cell(&f.message)
                );
            }
        }
        s.push_str("\n</details>\n");
    }
    let r = &d.resources;
    if !r.is_empty() {
        let _ = writeln!(
            s,
            "\n<details><summary>Resources: {} added, {} removed, {} changed</summary>\n",
            r.added.len(),
            r.removed.len(),
            r.changed.len()
        );
        for id in &r.added {
            let _ = writeln!(s, "- + `{id}`");
        }
        for id in &r.removed {
            let _ = writeln!(s, "- − `{id}`");
        }
        for c in &r.changed {
            let more = if c.more > 0 {
                format!(", … {} more", c.more)
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "- ~ `{}`: {}{more}",
                c.id,
                c.properties
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        s.push_str("\n</details>\n");
    }
    s
}

/// At most [`CELL`] characters, ending in `…` when cut (the JSON has the whole).
fn short(t: &str) -> String {
    match t.char_indices().nth(CELL) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    }
}

/// The longest packet description in a Markdown table cell.
const CELL: usize = 240;

/// Text safe in a Markdown table cell.
fn cell(t: &str) -> String {
    t.replace('|', "\\|").replace('\n', " ")
}

/// HEAD's resources by the names hops give them (`nsg-aks`, `afw-hub`, `vnet/subnet` for a
/// subnet), lower case; a name two resources share names neither.
fn resources_by_name(side: &Side) -> BTreeMap<String, Option<ResourceId>> {
    let mut out: BTreeMap<String, Option<ResourceId>> = BTreeMap::new();
    let mut add = |name: String, id: &str| {
        let id = ResourceId::parse(id).ok();
        out.entry(name.to_ascii_lowercase())
            .and_modify(|e| {
                if e.as_ref().map(ResourceId::as_str) != id.as_ref().map(ResourceId::as_str) {
                    *e = None;
                }
            })
            .or_insert(id);
    };
    let Ok(Value::Object(top)) = serde_json::to_value(side.estate) else {
        return out;
    };
    for arr in top.values() {
        for r in arr.as_array().into_iter().flatten() {
            let Some(id) = r.get("id").and_then(Value::as_str) else {
                continue;
            };
            let name = id.rsplit('/').next().unwrap_or("");
            add(name.to_string(), id);
            for s in r
                .pointer("/properties/subnets")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(sname) = s.get("name").and_then(Value::as_str) else {
                    continue;
                };
                let sid = match s.get("id").and_then(Value::as_str) {
                    Some(sid) => sid.to_string(),
                    None => format!("{id}/subnets/{sname}"),
                };
                add(format!("{name}/{sname}"), &sid);
            }
        }
    }
    out
}

/// The hop place a cause names (`kind at PLACE: ...`).
fn cause_place(cause: &str) -> Option<&str> {
    let rest = cause.split_once(" at ")?.1;
    rest.split_once(": ").map(|(p, _)| p)
}

/// SARIF 2.1.0: opened flows as errors, closed flows as warnings, names and added findings,
/// each located at HEAD's resource that decides (for flows) or at the finding.
pub fn sarif(d: &Diff, head: &Side) -> Value {
    let by_name = resources_by_name(head);
    let resource_named = |place: &str| by_name.get(&place.to_ascii_lowercase()).cloned().flatten();
    let deciding = |f: &FlowChange| cause_place(&f.cause).and_then(resource_named);
    let ids: Vec<ResourceId> = d
        .opened
        .iter()
        .chain(&d.closed)
        .filter_map(deciding)
        .collect();
    let locator = Locator::new(head.origin, &ids);
    let located = |id: Option<ResourceId>| -> Value {
        let Some(id) = id else { return json!([]) };
        let mut loc = json!({ "logicalLocations": [{ "fullyQualifiedName": id.as_str(), "kind": "resource" }] });
        if let Some(l) = locator.locate(&id) {
            loc["physicalLocation"] = json!({ "artifactLocation": { "uri": l.file }, "region": { "startLine": l.line, "startColumn": l.column } });
        }
        json!([loc])
    };
    let mut results = Vec::new();
    for (rule, level, list) in [
        ("AKSNET-DIFF-OPENED", "error", &d.opened),
        ("AKSNET-DIFF-CLOSED", "warning", &d.closed),
    ] {
        for f in list {
            let id = deciding(f);
            let verb = if rule.ends_with("OPENED") {
                "opened"
            } else {
                "closed"
            };
            results.push(json!({
                "ruleId": rule, "level": level,
                "message": { "text": format!("{} → {} {verb}: {} (witness {}; {})", f.from, f.to, f.packets.join("; "), f.witness.packet, f.cause) },
                "locations": located(id),
            }));
        }
    }
    for n in &d.names {
        let (rule, level, verb) = if n.opened {
            ("AKSNET-DIFF-OPENED", "error", "now allowed")
        } else {
            ("AKSNET-DIFF-CLOSED", "warning", "no longer allowed")
        };
        results.push(json!({ "ruleId": rule, "level": level, "message": { "text": format!("{} → {}: {verb} by the firewall: {}", n.from, n.to, n.names.join(", ")) } }));
    }
    for f in &d.findings.added {
        let mut r = json!({ "ruleId": f.code, "level": severity(f.severity), "message": { "text": f.message } });
        if let Some(l) = &f.location {
            r["locations"] = json!([{ "physicalLocation": { "artifactLocation": { "uri": l.file }, "region": { "startLine": l.line, "startColumn": l.column } } }]);
        }
        results.push(r);
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "aksnet", "version": env!("CARGO_PKG_VERSION"), "informationUri": "https://github.com/aksnet/aksnet",
                "rules": [
                    { "id": "AKSNET-DIFF-OPENED", "name": "FlowOpened", "shortDescription": { "text": "The change lets through packets that were blocked" }, "defaultConfiguration": { "level": "error" } },
                    { "id": "AKSNET-DIFF-CLOSED", "name": "FlowClosed", "shortDescription": { "text": "The change blocks packets that got through" }, "defaultConfiguration": { "level": "warning" } }
                ] } },
            "results": results
        }]
    })
}
