//! The headroom table: for each Azure limit that applies, its largest use in the estate, as
//! text, Markdown and JSON (the check report and the HTML report show it).

use std::fmt::Write;

use aksnet_model::capacity::{Level, Usage};
use aksnet_model::limits::LIMITS_AS_OF;
use aksnet_model::validate::thousands;
use serde_json::{json, Value};

/// "12 left" / "3 over".
fn room(u: &Usage) -> String {
    let h = u.headroom();
    let n = thousands(h.unsigned_abs());
    if h < 0 {
        format!("{n} over")
    } else {
        format!("{n} left")
    }
}

fn mark(u: &Usage) -> &'static str {
    match u.level() {
        Level::Within => "",
        Level::Near => " (near)",
        Level::Over => " (over)",
    }
}

/// Aligned columns: limit, use, percentage, headroom, where.
pub fn text(usages: &[Usage]) -> String {
    if usages.is_empty() {
        return String::new();
    }
    let rows: Vec<[String; 5]> = usages
        .iter()
        .map(|u| {
            [
                u.limit.limit().name.to_string(),
                format!("{} / {}", thousands(u.used), thousands(u.max)),
                format!("{} %{}", thousands(u.percent()), mark(u)),
                room(u),
                u.resource.name().to_string(),
            ]
        })
        .collect();
    let head = ["limit", "used / limit", "use", "headroom", "largest at"];
    let mut width = head.map(str::len);
    for r in &rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out =
        format!("Headroom (Azure limits as of {LIMITS_AS_OF}; `aksnet rules AKS-CAP-001`…)\n");
    for r in std::iter::once(head.map(str::to_string)).chain(rows) {
        let mut line = String::from(" ");
        for (i, (c, w)) in r.iter().zip(width).enumerate() {
            let pad = w - c.chars().count();
            // Numbers right-aligned, names left.
            if (1..=3).contains(&i) {
                let _ = write!(line, " {}{c}", " ".repeat(pad));
            } else {
                let _ = write!(line, " {c}{}", " ".repeat(pad));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// A Markdown table.
pub fn markdown(usages: &[Usage]) -> String {
    if usages.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "| Limit (as of {LIMITS_AS_OF}) | Used / limit | Use | Headroom | Largest at |\n|---|--:|--:|--:|---|\n"
    );
    for u in usages {
        let _ = writeln!(
            out,
            "| {} | {} / {} | {} %{} | {} | `{}` |",
            u.limit.limit().name,
            thousands(u.used),
            thousands(u.max),
            thousands(u.percent()),
            mark(u),
            room(u),
            u.resource.name()
        );
    }
    out
}

/// The JSON array of the check report's `headroom`.
pub fn json(usages: &[Usage]) -> Value {
    usages
        .iter()
        .map(|u| {
            let l = u.limit.limit();
            json!({
                "limit": u.limit,
                "name": l.name,
                "resource": u.resource,
                "used": u.used,
                "max": u.max,
                "percent": u.percent(),
                "level": u.level(),
                "counted": u.counted,
                "source": l.source,
            })
        })
        .collect()
}
