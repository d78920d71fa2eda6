//! `trace` and `reach` agree (issue 12, item 6): on every example, for every pair of known
//! places and a grid of packets, a trace is `allowed` exactly when reach admits the packet —
//! through a name-independent path, or through a path the firewall passes by name for the name
//! the trace carries.

mod support;

use aksnet_engine::{DataPlane, Options};

#[test]
fn trace_and_reach_agree_on_every_example() {
    let (mut total, mut bad) = (0, Vec::new());
    for (label, estate) in support::designed_examples() {
        let dp = DataPlane::compile(&estate, Options::default());
        let places = support::places(&dp);
        let pairs = support::all_pairs(&places);
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
    let mut estates = support::designed_examples();
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
