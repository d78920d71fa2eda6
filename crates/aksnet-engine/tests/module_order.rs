//! The engine's modules form a DAG in the build order `lib.rs` documents: each module uses only
//! the modules before it (the crate root's `DataPlane` counts as `lib`; re-exports and comments
//! do not count).

use std::collections::BTreeSet;

/// The build order, as `lib.rs` documents it.
const ORDER: [&str; 16] = [
    "parallel",
    "index",
    "topology",
    "endpoints",
    "dns",
    "tags",
    "options",
    "routes",
    "nsg",
    "firewall",
    "lib",
    "places",
    "egress",
    "reply",
    "trace",
    "reach",
];

/// The modules a source file uses: `crate::m` paths, and `DataPlane` (the crate root); in
/// `lib.rs`, `m::` paths outside `pub mod` and `pub use` lines.
fn uses(module: &str, text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with("//") || line.starts_with("pub use") || line.starts_with("pub mod") {
            continue;
        }
        for m in ORDER {
            let qualified = format!("crate::{m}::");
            let bare = format!("{m}::");
            let found = if module == "lib" {
                line.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .any(|w| w.starts_with(&bare) || w.starts_with(&qualified))
            } else {
                line.contains(&qualified)
            };
            if found && m != module {
                out.insert(m.to_string());
            }
        }
        if module != "lib" && line.contains("DataPlane") {
            out.insert("lib".to_string());
        }
    }
    out
}

#[test]
fn each_module_uses_only_earlier_stages() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".rs"))
        .map(|f| f.trim_end_matches(".rs").to_string())
        .collect();
    files.sort();
    let mut listed: Vec<String> = ORDER.iter().map(|m| m.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed, "every module has its place in ORDER");
    let mut wrong = Vec::new();
    for (i, module) in ORDER.iter().enumerate() {
        let text = std::fs::read_to_string(src.join(format!("{module}.rs"))).unwrap();
        for used in uses(module, &text) {
            if ORDER.iter().position(|m| *m == used) >= Some(i) {
                wrong.push(format!("{module} uses {used}"));
            }
        }
    }
    assert!(wrong.is_empty(), "uses against the build order: {wrong:?}");
}
