//! `docs/rules/` is generated from the rules' documentation and must match it.

use std::collections::BTreeSet;
use std::path::Path;

#[test]
fn docs_rules_is_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    let generated = aksnet_rules::rule_docs();
    let stale =
        "docs/rules is out of date: run `cargo run -p xtask -- rule-docs` and commit the result";
    for (name, text) in &generated {
        let on_disk = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(on_disk == *text, "{stale} ({name} differs)");
    }
    let expected: BTreeSet<String> = generated.into_iter().map(|(n, _)| n).collect();
    let present: BTreeSet<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(present, expected, "{stale} (files added or removed)");
}
