//! `trace` and `reach` agree (issue 12, item 6): on every example, for every pair of known
//! places and a grid of packets, a trace is `allowed` exactly when reach admits the packet —
//! through a name-independent path, or through a path the firewall passes by name for the name
//! the trace carries.

mod support;

use aksnet_design::design;
use aksnet_engine::{DataPlane, Options};

#[test]
fn trace_and_reach_agree_on_every_example() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut examples: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    examples.sort();
    let (mut total, mut bad) = (0, Vec::new());
    for path in &examples {
        let d = design("x", &std::fs::read_to_string(path).unwrap()).unwrap();
        let dp = DataPlane::compile(&d.estate, Options::default());
        let places = support::places(&dp);
        let pairs = support::all_pairs(&places);
        let label = path.file_name().unwrap().to_string_lossy();
        let (n, b) = support::compare(&label, &dp, &places, &pairs);
        total += n;
        bad.extend(b);
    }
    eprintln!(
        "trace vs reach: {total} comparisons, {} disagreements",
        bad.len()
    );
    assert!(total > 10_000, "{total}");
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
