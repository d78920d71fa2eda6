//! Import: Azure resource JSON → Estate.
//!
//! Reads what Azure returns in every common shape — `az ... show` and REST GET bodies, `az ...
//! list` arrays, REST list pages, Resource Graph results, REST API specification examples,
//! PowerShell exports, ARM templates deployed by the template engine, and Terraform
//! configurations, plans and states evaluated by `aksnet-tf` — from files or folders, attaches
//! child resources (subnets, peerings, routes, security rules, agent pools, ...) to their parents
//! whether embedded or separate, matches property names case-insensitively as ARM does, and
//! reports what it skipped. The result is an `Estate` like any other: every analysis works on it.
//!
//! The modules form a chain without cycles: `raw` (shared types, JSON helpers), `relax` (JSON as
//! ARM reads it) and `ci` (the case-insensitive deserializer) use no other module; `arm` (templates) builds on `raw`, `shapes`
//! (where resources sit in a document) on `raw`, `arm` and `terraform` (configurations and plans,
//! on `raw`), `stream` (a document read element by
//! element) on `raw` and `shapes`, `assemble` (typing, attaching) on `raw` and `ci`, `found` (an import
//! that found nothing) on `raw`; this file on all of them.

#![warn(missing_docs)]

mod arm;
mod assemble;
mod bicep;
mod ci;
mod deployments;
mod found;
mod locate;
mod raw;
mod relax;
mod shapes;
mod stream;
mod terraform;

use std::path::Path;

use aksnet_model::Estate;

pub use arm::{TEMPLATE_RESOURCE_GROUP, TEMPLATE_SUBSCRIPTION};
pub use found::{nothing_imported, NothingImported};
pub use raw::{Diagnostic, FastPath, Out, RawResource, Summary, Templates};

/// The result of an import.
#[derive(Clone, Debug)]
pub struct Import {
    /// The estate.
    pub estate: Estate,
    /// What was read and what was not.
    pub summary: Summary,
}

/// The most resources an import records the declaration places of (templates hold no ids
/// to find findings by; large exports do, and are not walked again).
pub const MAX_PLACED: usize = 20_000;

/// Largest file read (hostile-input guard).
pub const MAX_FILE_BYTES: u64 = 2 << 30;

/// A document that could not be read, at the position `serde_json` gives, mapped back to the
/// text as written when it was relaxed ([`relax::relax`]).
fn json_error(
    file: &str,
    e: &serde_json::Error,
    text: &[u8],
    relaxed: Option<&relax::Relaxed>,
) -> Diagnostic {
    let msg = raw::json_message(e);
    let (line, column) = match relaxed {
        Some(r) => r.original_position(text, e.line(), e.column()),
        None => (e.line(), e.column()),
    };
    Diagnostic::at_position(file, line as u64, column as u64, &format!("invalid JSON: {msg}")).with_hint("the file must hold JSON as Azure returns it (az ... -o json, a REST response, an ARM template)")
}

/// Reads one JSON document, streaming the elements of a top-level array or of a top-level
/// `value`/`data` array so that a large export is never held whole; syntax errors become
/// diagnostics with line and column.
pub fn read<'de, D: serde::Deserializer<'de, Error = serde_json::Error>>(
    file: &str,
    de: D,
    out: &mut Out,
    diags: &mut Vec<Diagnostic>,
) -> Result<(), serde_json::Error> {
    use serde::de::DeserializeSeed;
    let before = out.len();
    stream::Top { file, out, diags }.deserialize(de)?;
    if out.len() == before && !diags.iter().any(|d| d.file == file) {
        diags.push(Diagnostic::warning(file, "$", "no Azure resource found (expected a resource with id and type, an array of them, {\"value\": [...]}, {\"data\": [...]}, a REST example with responses, or an ARM template)"));
    }
    Ok(())
}

/// Reads one document from its bytes (see [`read`]). Strict JSON first, at no extra cost; only
/// when that fails and the text holds what ARM also accepts — comments, line breaks or tabs in
/// strings — is it read again relaxed ([`relax::relax`]), passing over the resources the first
/// read already took, with positions in messages mapped back to the file as written.
fn read_bytes(file: &str, bytes: &[u8], out: &mut Out, diags: &mut Vec<Diagnostic>) {
    let (before, noted) = (out.len(), diags.len());
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let Err(e) = read(file, &mut de, out, diags).and_then(|()| de.end()) else {
        return;
    };
    let relaxed = (e.is_syntax() || e.is_eof())
        .then(|| relax::relax(bytes))
        .flatten();
    let Some(relaxed) = relaxed else {
        diags.push(json_error(file, &e, bytes, None));
        return;
    };
    // What the first read said about the resources it took is said again by the second.
    diags.truncate(noted);
    out.skip(out.len() - before);
    let mut de = serde_json::Deserializer::from_slice(&relaxed.bytes);
    if let Err(e) = read(file, &mut de, out, diags).and_then(|()| de.end()) {
        diags.push(json_error(file, &e, bytes, Some(&relaxed)));
    }
}

/// Parses one JSON text (see [`read`]) into `out`.
pub fn parse(file: &str, text: &str, out: &mut Vec<RawResource>, diags: &mut Vec<Diagnostic>) {
    let mut push = |r: RawResource| out.push(r);
    let mut sink = Out::new(&mut push);
    read_bytes(file, text.as_bytes(), &mut sink, diags);
}

/// Reads files and folders (every `*.json` directly inside a folder, in name order) into
/// `sink`, streaming each file; returns what was read.
pub fn read_paths_into(paths: &[&Path], sink: &mut dyn FnMut(RawResource)) -> Summary {
    read_paths_with(paths, sink, None, &Templates::default())
}

/// [`read_paths_into`] with an optional fast path for plain resources in top-level lists.
fn read_paths_with(
    paths: &[&Path],
    sink: &mut dyn FnMut(RawResource),
    mut fast: Option<FastPath>,
    templates: &Templates,
) -> Summary {
    let mut summary = Summary::default();
    let mut files = Vec::new();
    for p in paths {
        if bicep::is_bicep(p) || bicep::is_bicepparam(p) {
            let mut out = Out::new(sink).with_templates(templates);
            let read = if bicep::is_bicepparam(p) {
                bicep_with_params(p, templates, sink, &mut summary.diagnostics)
            } else {
                bicep::read(p, &mut out, &mut summary.diagnostics)
            };
            summary.files.extend(read);
            continue;
        }
        let entries = if p.is_dir() && !terraform::is_configuration(p) {
            bicep::entry_points(p)
        } else {
            Vec::new()
        };
        if !entries.is_empty() {
            for (f, c) in entries {
                let mut out = Out::new(sink).with_templates(templates);
                let read = bicep::deploy(&f, c, &mut out, &mut summary.diagnostics);
                summary.files.extend(read);
            }
            // ARM templates compiled from these files are the same resources again.
            for j in json_files(p) {
                if compiled_from_bicep(&j) {
                    summary.diagnostics.push(Diagnostic::warning(
                        &j.display().to_string(),
                        "-",
                        "an ARM template the Bicep CLI compiled, beside the Bicep files it was compiled from; the .bicep files are read instead",
                    ));
                } else {
                    files.push(j);
                }
            }
            continue;
        }
        if terraform::is_configuration(p) {
            let mut out = Out::new(sink).with_templates(templates);
            let read =
                terraform::read_configuration(p, templates, &mut out, &mut summary.diagnostics);
            summary.files.extend(read);
            continue;
        }
        if p.is_dir() {
            match std::fs::read_dir(p) {
                Ok(_) => files.extend(json_files(p)),
                Err(e) => summary.diagnostics.push(Diagnostic::error(
                    &p.display().to_string(),
                    "-",
                    &format!("cannot read the folder: {e}"),
                )),
            }
        } else {
            files.push(p.to_path_buf());
        }
    }
    for f in files {
        let name = f.display().to_string();
        let size = std::fs::metadata(&f).map(|m| m.len()).unwrap_or(0);
        if size > MAX_FILE_BYTES {
            summary.diagnostics.push(Diagnostic::error(
                &name,
                "-",
                &format!("{size} bytes is more than the {MAX_FILE_BYTES}-byte limit"),
            ));
            continue;
        }
        // The bytes are read whole (parsing from a slice is several times faster than from a
        // reader); the JSON tree is not: elements are typed and dropped one at a time.
        match std::fs::read(&f) {
            Ok(bytes) => {
                let body = bytes
                    .strip_prefix(&[0xef, 0xbb, 0xbf][..])
                    .unwrap_or(&bytes);
                let mut out = Out::new(sink).with_templates(templates);
                if let Some(f) = fast.as_mut() {
                    out = out.with_fast_path(&mut **f);
                }
                read_bytes(&name, body, &mut out, &mut summary.diagnostics);
            }
            Err(e) => summary.diagnostics.push(
                Diagnostic::error(&name, "-", &format!("cannot read: {e}")).with_hint(
                    if name.contains('=') && !f.exists() {
                        "to pass a template parameter, give each its own -p: -p NAME=VALUE"
                    } else {
                        "check the path"
                    },
                ),
            ),
        }
        summary.files.push(name);
    }
    summary
}

/// The `.json` files of a folder, sorted.
fn json_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|f| {
            f.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("json"))
        })
        .collect();
    v.sort();
    v
}

/// Whether a JSON file is an ARM template the Bicep CLI wrote (its `metadata._generator.name`
/// is `bicep`, near the top of the file).
fn compiled_from_bicep(f: &Path) -> bool {
    use std::io::Read;
    let mut head = vec![0u8; 4096];
    let n = std::fs::File::open(f)
        .and_then(|mut h| h.read(&mut head))
        .unwrap_or(0);
    let head = String::from_utf8_lossy(&head[..n]);
    head.find("\"_generator\"").is_some_and(|i| {
        let after = &head[i..];
        after[..after.len().min(200)].contains("\"bicep\"")
    })
}

/// A `.bicepparam` file given as the input: the template its `using` names, deployed with its
/// values (and any other `--parameters`, which come after it).
fn bicep_with_params(
    p: &Path,
    templates: &Templates,
    sink: &mut dyn FnMut(RawResource),
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let name = p.display().to_string();
    let Some(template) = bicep::using(p) else {
        diags.push(
            Diagnostic::error(
                &name,
                "-",
                "the parameters file names no template (`using 'main.bicep'`)",
            )
            .with_hint("give the template instead: aksnet import main.bicep -p main.bicepparam"),
        );
        return vec![name];
    };
    let mut t = templates.clone();
    t.parameters.insert(0, name.clone());
    let mut out = Out::new(sink).with_templates(&t);
    let mut files = bicep::read(&template, &mut out, diags);
    files.push(name);
    files
}

/// Builds an estate named `name` from raw resources (see [`parse`]).
pub fn assemble(name: &str, raws: Vec<RawResource>, summary: Summary) -> Import {
    let mut a = assemble::Assembler::new(name, summary);
    for r in raws {
        a.add(r);
    }
    finish(a)
}

/// Attaches children, validates, and wraps up.
fn finish(a: assemble::Assembler) -> Import {
    let origins = a.origins(MAX_PLACED);
    let (estate, mut summary) = a.finish();
    locate::place(&mut summary.diagnostics);
    summary.places = locate::places(&origins);
    for d in aksnet_model::validate(&estate) {
        let error = d.severity == aksnet_model::Severity::Error;
        summary.diagnostics.push(Diagnostic {
            error: false,
            file: "estate".into(),
            location: d.resource.to_string(),
            position: None,
            message: format!(
                "{}[{}]: {}",
                if error {
                    "structural error"
                } else {
                    "structural warning"
                },
                d.code,
                d.message
            ),
            hint: Some(d.hint),
        });
    }
    Import { estate, summary }
}

/// Runs the deployments a deployments file lists, in order (see the `deployments` module),
/// and assembles what they deployed.
pub fn import_deployments(name: &str, file: &Path, defaults: &Templates) -> Import {
    let mut raws = Vec::new();
    let mut summary = Summary::default();
    let mut push = |r: RawResource| raws.push(r);
    let mut out = Out::new(&mut push);
    summary.files = deployments::run(file, defaults, &mut out, &mut summary.diagnostics);
    assemble(name, raws, summary)
}

/// Reads and assembles in one go, typing each resource as it is read.
pub fn import_paths(name: &str, paths: &[&Path]) -> Import {
    import_paths_with(name, paths, &Templates::default())
}

/// [`import_paths`], deploying the templates among the inputs as `templates` says.
pub fn import_paths_with(name: &str, paths: &[&Path], templates: &Templates) -> Import {
    let a = std::cell::RefCell::new(assemble::Assembler::new(name, Summary::default()));
    let mut fast = |id: &str, text: &str, origin: &str| a.borrow_mut().add_text(id, text, origin);
    let mut summary = read_paths_with(
        paths,
        &mut |r| a.borrow_mut().add(r),
        Some(&mut fast),
        templates,
    );
    let mut a = a.into_inner();
    summary.diagnostics.append(&mut a.summary.diagnostics);
    a.summary.diagnostics = summary.diagnostics;
    a.summary.files = summary.files;
    finish(a)
}
