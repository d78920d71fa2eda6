//! Terraform among the inputs: configurations (a directory of `.tf` files, or one file) and
//! `terraform show -json` documents (plans and states), evaluated by `aksnet-tf` into Azure
//! resource JSON and handed on like any other resource. Each resource's origin is the
//! `file:line:column` of its block ([`origin`]), so findings point at it.

mod plan;

use std::path::Path;

use aksnet_tf::azurerm::{self, Azurerm, Mapped};
use aksnet_tf::{config, Origin};

use crate::raw::{Diagnostic, Out, RawResource, Templates};

pub(crate) use plan::{is_show_json, read_show_json};

/// Whether `path` is a Terraform configuration: a `.tf` file, or a directory with one directly
/// inside.
pub(crate) fn is_configuration(path: &Path) -> bool {
    let tf = |p: &Path| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("tf"));
    if path.is_dir() {
        std::fs::read_dir(path)
            .is_ok_and(|d| d.flatten().any(|e| tf(&e.path()) && e.path().is_file()))
    } else {
        tf(path)
    }
}

/// The provider as the inputs configure it.
fn provider(t: &Templates) -> Azurerm {
    Azurerm {
        subscription: t
            .subscription
            .clone()
            .unwrap_or_else(|| crate::arm::TEMPLATE_SUBSCRIPTION.to_string()),
    }
}

/// Reads the configuration rooted at `path`; returns the files read.
pub(crate) fn read_configuration(
    path: &Path,
    t: &Templates,
    out: &mut Out,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let provider = provider(t);
    let loaded = config::load(path, &t.terraform, &provider);
    let fallback = path.display().to_string();
    diags.extend(loaded.diagnostics.iter().map(|d| diagnostic(d, &fallback)));
    let mapped = azurerm::to_azure(&loaded.instances, &provider);
    hand_on(mapped, &tidy(path), out, diags);
    loaded.files.iter().map(|f| tidy(f)).collect()
}

/// Hands the mapped resources on, each with its block's position as its origin.
fn hand_on(mapped: Mapped, root: &str, out: &mut Out, diags: &mut Vec<Diagnostic>) {
    for d in &mapped.diagnostics {
        diags.push(diagnostic(d, root));
    }
    for (value, address, o) in mapped.resources {
        out.push(RawResource {
            value,
            origin: origin(&o, &address),
        });
    }
    note_unmapped(&mapped.unmapped, root, diags);
}

/// A resource's origin text: `file:line:column: address` (read back by `locate::places`).
pub(crate) fn origin(o: &Origin, address: &str) -> String {
    format!("{}:{}:{}: {address}", tidy(&o.file), o.line, o.column)
}

/// A path without `.` components (`dir/./modules/x` → `dir/modules/x`), as a person writes it.
fn tidy(p: &Path) -> String {
    p.components()
        .collect::<std::path::PathBuf>()
        .display()
        .to_string()
}

/// Says which resource types were not read (counted, not errors).
fn note_unmapped(
    unmapped: &std::collections::BTreeMap<String, usize>,
    file: &str,
    diags: &mut Vec<Diagnostic>,
) {
    if unmapped.is_empty() {
        return;
    }
    let list: Vec<String> = unmapped.iter().map(|(k, n)| format!("{k} ({n})")).collect();
    diags.push(Diagnostic::warning(
        file,
        "-",
        &format!(
            "{} Terraform resource(s) of types aksnet does not read: {}",
            unmapped.values().sum::<usize>(),
            list.join(", ")
        ),
    ));
}

/// An `aksnet-tf` diagnostic as an import diagnostic.
fn diagnostic(d: &aksnet_tf::Diagnostic, fallback: &str) -> Diagnostic {
    let (file, position) = match &d.origin {
        Some(o) if o.line > 0 => (
            tidy(&o.file),
            Some((u64::from(o.line), u64::from(o.column))),
        ),
        Some(o) => (tidy(&o.file), None),
        None => (fallback.to_string(), None),
    };
    let mut out = if d.error {
        Diagnostic::error(&file, "-", &d.message)
    } else {
        Diagnostic::warning(&file, "-", &d.message)
    };
    if let Some((l, c)) = position {
        out.location = format!("{l}:{c}");
        out.position = Some((l, c));
    }
    if let Some(h) = &d.hint {
        out = out.with_hint(h);
    }
    out
}
