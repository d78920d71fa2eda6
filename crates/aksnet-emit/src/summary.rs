//! Text and JSON renderings of a plan and a design summary.

use std::fmt::Write;
use std::path::Path;

use aksnet_design::plan::VnetPlan;
use aksnet_design::Design;
use aksnet_model::validate::thousands;
use serde_json::json;

/// The address plan as a table, or as JSON.
pub fn plan(d: &Design, as_json: bool) -> String {
    if as_json {
        let mut s = serde_json::to_string_pretty(&d.plan).expect("plan serialises");
        s.push('\n');
        return s;
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Address plan for `{}` ({})",
        *d.intent.name, d.intent.location
    );
    if !d.plan.on_premises.is_empty() {
        let onprem: Vec<String> = d.plan.on_premises.iter().map(ToString::to_string).collect();
        let _ = writeln!(out, "On-premises: {} (excluded)", onprem.join(", "));
    }
    vnet_table(&mut out, &d.plan.hub, None);
    for sp in &d.plan.spokes {
        let pod = sp
            .pod_cidr
            .map(|p| format!(", pod CIDR {p}"))
            .unwrap_or_default();
        let cluster = format!(
            "cluster network: {}{pod}, service CIDR {}, DNS {} ({})",
            sp.network_mode, sp.service_cidr, sp.dns_service_ip, sp.cidr_why
        );
        vnet_table(&mut out, &sp.vnet, Some(cluster));
    }
    for w in &d.plan.warnings {
        let _ = writeln!(out, "\nwarning: {w}");
    }
    out
}

fn vnet_table(out: &mut String, v: &VnetPlan, extra: Option<String>) {
    let _ = writeln!(out, "\n{} {} ({})", v.name, v.address_space, v.why);
    let rows: Vec<[String; 6]> = v
        .subnets
        .iter()
        .map(|s| {
            [
                s.name.clone(),
                s.prefix.to_string(),
                thousands(s.usable),
                thousands(s.needed),
                thousands(s.headroom()),
                s.why.clone(),
            ]
        })
        .collect();
    let header = ["SUBNET", "PREFIX", "USABLE", "NEEDED", "HEADROOM", "WHY"].map(String::from);
    let mut widths = [0usize; 5];
    for r in std::iter::once(&header).chain(&rows) {
        for (w, c) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    for r in std::iter::once(&header).chain(&rows) {
        let _ = writeln!(
            out,
            "  {:<w0$}  {:<w1$}  {:>w2$}  {:>w3$}  {:>w4$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
            w4 = widths[4]
        );
    }
    if let Some(e) = extra {
        let _ = writeln!(out, "  {e}");
    }
}

/// What `aksnet design` prints after writing its files.
pub fn design_summary(
    d: &Design,
    out_dir: &Path,
    files: &[(String, String)],
    report: &aksnet_rules::verify::Report,
    as_json: bool,
) -> String {
    let counts = d.estate.counts();
    if as_json {
        let written: Vec<String> = files
            .iter()
            .map(|(n, _)| out_dir.join(n).display().to_string())
            .collect();
        let resources: serde_json::Map<String, serde_json::Value> = counts
            .iter()
            .map(|(t, n)| (t.to_string(), json!(n)))
            .collect();
        let warnings: Vec<String> = d
            .plan
            .warnings
            .iter()
            .cloned()
            .chain(d.warnings.iter().map(|w| w.message.clone()))
            .collect();
        let v = json!({ "name": *d.intent.name, "outDir": out_dir.display().to_string(), "files": written, "resources": resources, "warnings": warnings, "plan": d.plan, "check": crate::findings::json_report(report) });
        let mut s = serde_json::to_string_pretty(&v).expect("summary serialises");
        s.push('\n');
        return s;
    }
    let mut out = plan(d, false);
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let _ = writeln!(out, "\nEstate `{}`: {total} resources", *d.intent.name);
    for (t, n) in &counts {
        let _ = writeln!(out, "  {n:>4}  {t}");
    }
    for w in &d.warnings {
        let _ = writeln!(out, "\n{}", w.diagnostic());
    }
    let _ = writeln!(out, "\nChecks");
    for f in &report.findings {
        let state = f
            .suppressed
            .as_ref()
            .map(|r| format!(" (suppressed: {r})"))
            .unwrap_or_default();
        let sev = match f.severity {
            aksnet_rules::Severity::Error => "error",
            aksnet_rules::Severity::Warning => "warning",
            aksnet_rules::Severity::Info => "info",
        };
        let _ = writeln!(out, "  {sev}[{}]: {}{state}", f.code, f.message);
    }
    for u in &report.unused_suppressions {
        let _ = writeln!(out, "  note: {u}");
    }
    let _ = writeln!(
        out,
        "  {} (details: aksnet check)",
        crate::findings::summary_line(report)
    );
    let _ = writeln!(out);
    for (name, _) in files {
        let _ = writeln!(out, "wrote {}", out_dir.join(name).display());
    }
    out
}

/// What `aksnet import` read.
pub fn import_summary(s: &aksnet_import::Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Read {} file(s)", s.files.len());
    let total: usize = s.imported.values().sum();
    let _ = writeln!(out, "Imported {total} resource(s):");
    for (t, n) in &s.imported {
        let _ = writeln!(out, "  {n:>6}  {t}");
    }
    if !s.skipped.is_empty() {
        let skipped: usize = s.skipped.values().sum();
        let _ = writeln!(
            out,
            "Skipped {skipped} resource(s) for the problems on standard error:"
        );
        for (t, n) in &s.skipped {
            let _ = writeln!(out, "  {n:>6}  {t}");
        }
    }
    if !s.skipped_types.is_empty() {
        let skipped: usize = s.skipped_types.values().sum();
        let _ = writeln!(
            out,
            "Skipped {skipped} resource(s) of types aksnet does not model:"
        );
        for (t, n) in &s.skipped_types {
            let _ = writeln!(out, "  {n:>6}  {t}");
        }
    }
    let _ = writeln!(
        out,
        "Ignored {} unknown propert{}",
        s.unknown_properties,
        if s.unknown_properties == 1 {
            "y"
        } else {
            "ies"
        }
    );
    let errors = s.diagnostics.iter().filter(|d| d.error).count();
    let warnings = s.diagnostics.len() - errors;
    if errors + warnings > 0 {
        let _ = writeln!(
            out,
            "{errors} error(s), {warnings} warning(s) (on standard error)"
        );
    }
    out
}
