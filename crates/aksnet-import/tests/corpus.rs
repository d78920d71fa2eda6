//! Every file of `shared/corpus` imports: the resources it holds (snapshot of the extracted
//! estate and of what was read), or a clear message. No panic, also on mangled copies.

use std::path::{Path, PathBuf};

use aksnet_import::{assemble, import_paths, parse};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

fn files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![corpus()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (shared/ must sit beside the repository)",
                d.display()
            )
        }) {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    assert!(out.len() > 80, "{} corpus files", out.len());
    out
}

fn rel(p: &Path) -> String {
    p.strip_prefix(corpus()).unwrap().display().to_string()
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn every_corpus_file_imports_or_says_why_not() {
    for f in files() {
        let name = rel(&f);
        let imp = import_paths("corpus", &[f.as_path()]);
        let mut s = imp.summary.clone();
        s.files = vec![name.clone()];
        let total: usize = s.imported.values().sum();
        let explained = total > 0 || !s.diagnostics.is_empty() || !s.skipped_types.is_empty();
        assert!(explained, "{name}: nothing imported and nothing said");
        // Diagnostics name files by the path they were read from; make it machine-independent.
        let snap = format!(
            "{}\n---\n{}",
            serde_json::to_string_pretty(&s).unwrap(),
            imp.estate.to_json()
        )
        .replace(&corpus().display().to_string(), "corpus");
        insta::assert_snapshot!(name.replace(['/', '.'], "_"), snap);
    }
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn mangled_corpus_files_never_panic() {
    for f in files() {
        let text = std::fs::read_to_string(&f).unwrap();
        let bytes = text.as_bytes();
        let step = (bytes.len() / 7).max(1);
        for cut in (1..bytes.len()).step_by(step) {
            let s = String::from_utf8_lossy(&bytes[..cut]);
            let mut raws = Vec::new();
            let mut diags = Vec::new();
            parse("m.json", &s, &mut raws, &mut diags);
            if bytes[cut..].iter().any(|b| !b.is_ascii_whitespace()) {
                assert!(
                    diags.iter().any(|d| d.error && d.location.contains(':')),
                    "{}: truncated at {cut} must be a JSON error with line:column",
                    f.display()
                );
            }
        }
        for (from, to) in [
            ("\"id\"", "\"ID\""),
            ("\"properties\"", "\"Properties\""),
            ("\"addressPrefix\"", "\"addressprefix\""),
            (": [", ": 7, \"x\": ["),
            ("\"10.", "\"999."),
        ] {
            let s = text.replacen(from, to, 3);
            let mut raws = Vec::new();
            let mut diags = Vec::new();
            parse("m.json", &s, &mut raws, &mut diags);
            let _ = assemble(
                "m",
                raws,
                aksnet_import::Summary {
                    diagnostics: diags,
                    ..Default::default()
                },
            );
        }
    }
}

/// The Coverage table of `docs/import.md`: each row's first cell (the types) and last cell (what
/// is ignored), and the sentence naming what every type ignores.
fn coverage() -> (Vec<(String, String)>, String) {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/import.md"))
            .unwrap();
    let section = docs
        .split("## Coverage")
        .nth(1)
        .expect("a Coverage section");
    let everywhere = section
        .split("Ignored for every type:")
        .nth(1)
        .and_then(|s| s.split("\n\n").next())
        .expect("the sentence naming what every type ignores")
        .to_string();
    let rows = section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").collect();
            (cells[0].to_string(), cells[cells.len() - 1].to_string())
        })
        .collect();
    (rows, everywhere)
}

/// Whether `text` names `word` (as a whole word, case-insensitively).
fn names(text: &str, word: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w.eq_ignore_ascii_case(word))
}

/// The row for an ARM type: one whose first cell names its last segment in backticks.
fn row_for<'a>(rows: &'a [(String, String)], ty: &str) -> Option<&'a (String, String)> {
    let last = ty.rsplit('/').next().unwrap_or(ty);
    rows.iter().find(|(types, _)| {
        types.split('`').skip(1).step_by(2).any(|t| {
            t.eq_ignore_ascii_case(last)
                || t.to_ascii_lowercase()
                    .ends_with(&format!("/{}", last.to_ascii_lowercase()))
        })
    })
}

/// docs/import.md has a row for every type the Estate holds, and names every property the
/// corpus's files have that aksnet ignores — so what the page says is ignored stays true.
#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn docs_name_every_type_and_every_ignored_property() {
    let (rows, everywhere) = coverage();
    for (ty, _) in aksnet_model::Estate::default().type_counts() {
        assert!(
            row_for(&rows, ty).is_some(),
            "docs/import.md has no row for {ty}"
        );
    }
    let mut unnamed = Vec::new();
    for f in files() {
        let imp = import_paths("corpus", &[f.as_path()]);
        for (ty, keys) in &imp.summary.ignored_properties {
            let (_, ignored) = row_for(&rows, ty).unwrap_or_else(|| panic!("no row for {ty}"));
            for k in keys {
                if !names(ignored, k) && !names(&everywhere, k) {
                    unnamed.push(format!("{ty}: {k} ({})", rel(&f)));
                }
            }
        }
    }
    unnamed.sort();
    unnamed.dedup_by(|a, b| a.split(" (").next() == b.split(" (").next());
    assert!(
        unnamed.is_empty(),
        "docs/import.md does not say these are ignored:\n{}",
        unnamed.join("\n")
    );
}
