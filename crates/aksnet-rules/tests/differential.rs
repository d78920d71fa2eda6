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

/// The same under every `--switch`: each disputed behaviour is decided once, so turning it
/// around moves both evaluators together. On the examples and the reference with DNAT rules,
/// on every pair from the Internet and on-premises and a sample of the others.
#[test]
fn trace_and_reach_agree_under_every_switch() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut estates: Vec<(String, aksnet_model::Estate)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let d = design("x", &std::fs::read_to_string(&p).unwrap()).unwrap();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                d.estate,
            )
        })
        .collect();
    estates.sort_by(|a, b| a.0.cmp(&b.0));
    let dnat = support::reference_with_dnat();
    estates.push((
        "reference with DNAT".into(),
        aksnet_model::Estate::from_json(&dnat.to_string()).unwrap(),
    ));
    let (mut total, mut bad) = (0, Vec::new());
    for (switch, _) in aksnet_engine::options::SWITCHES {
        let mut o = Options::default();
        o.set(switch).unwrap();
        for (name, e) in &estates {
            let dp = DataPlane::compile(e, o.clone());
            let places = support::places(&dp);
            let mut rng = support::Rng(0x5717C4);
            let pairs: Vec<(usize, usize)> = support::all_pairs(&places)
                .into_iter()
                .filter(|(a, _)| a < &2 || rng.below(4) == 0)
                .collect();
            let (n, b) =
                support::compare(&format!("{name} --switch {switch}"), &dp, &places, &pairs);
            total += n;
            bad.extend(b);
        }
    }
    eprintln!(
        "trace vs reach under switches: {total} comparisons, {} disagreements",
        bad.len()
    );
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
