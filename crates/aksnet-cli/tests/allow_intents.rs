//! End to end: allow intents are designed in (`aksnet design`), then verified (`aksnet check`);
//! the same intents fail on an estate designed without them; an allow intent the architecture
//! forbids is refused at its line and column.

mod common;

use common::{aksnet, err, out};

use std::path::{Path, PathBuf};

fn multi_spoke() -> (PathBuf, String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/multi-spoke.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

/// `aksnet design FILE --out DIR` in `dir`, which must succeed.
fn design(dir: &Path, file: &Path, out_dir: &str) -> PathBuf {
    let o = aksnet(
        dir,
        &["design", file.to_str().unwrap(), "--out", out_dir, "-q"],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    dir.join(out_dir).join("estate.json")
}

#[test]
fn spoke_to_spoke_allow_intent_is_designed_in_and_verified() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (example, text) = multi_spoke();
    let at = text.find("\nintents:\n").expect("the example has intents") + 1;
    std::fs::write(dir.join("policy.yaml"), &text[at..]).unwrap();
    std::fs::write(dir.join("without.yaml"), &text[..at]).unwrap();

    // Designed without the intents (as before allow intents were designed in): the spoke to
    // spoke intent is violated at the firewall.
    let before = design(dir, &dir.join("without.yaml"), "before");
    let o = aksnet(
        dir,
        &[
            "check",
            "--estate",
            before.to_str().unwrap(),
            "--policy",
            "policy.yaml",
            "--rule",
            "AKS-INTENT",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}{}", out(&o), err(&o));
    assert!(
        out(&o)
            .contains("intent violated: aks-prod/nodes → aks-dev/nodes on tcp/443 must be allowed"),
        "{}",
        out(&o)
    );
    assert!(out(&o).contains("policy.yaml:2:5"), "{}", out(&o));
    // Its two findings (one per node subnet of aks-prod) print once, naming both pairs.
    assert_eq!(
        out(&o).matches("aks-prod/nodes → aks-dev/nodes").count(),
        1,
        "{}",
        out(&o)
    );
    assert!(
        out(&o).contains("= 2 pairs (one finding each): vnet-aks-prod/snet-user → vnet-aks-dev/snet-system; vnet-aks-prod/snet-system → vnet-aks-dev/snet-system"),
        "{}",
        out(&o)
    );

    // Designed with them: `design` builds them in and `check` verifies every intent.
    let after = design(dir, &example, "after");
    let tf = std::fs::read_to_string(dir.join("after/terraform/firewall.tf")).unwrap();
    assert!(tf.contains("\"rcg-intents\""), "{tf}");
    assert!(
        tf.contains("intent-1-aks-prod-nodes-to-aks-dev-nodes-tcp"),
        "{tf}"
    );
    let o = aksnet(dir, &["check", example.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", out(&o), err(&o));
    assert!(out(&o).contains("6 intents checked"), "{}", out(&o));
    for switch in [None, Some("vnet-tag-without-udr-prefixes")] {
        let mut args = vec![
            "check",
            "--estate",
            after.to_str().unwrap(),
            "--policy",
            "policy.yaml",
            "--rule",
            "AKS-INTENT",
        ];
        args.extend(switch.iter().flat_map(|s| ["--switch", s]));
        let o = aksnet(dir, &args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{switch:?}: {}{}",
            out(&o),
            err(&o)
        );
        assert!(out(&o).contains("0 error(s)"), "{}", out(&o));
    }
}

#[test]
fn an_allow_intent_from_the_internet_to_nodes_is_refused_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (_, text) = multi_spoke();
    let bad = text.replace(
        "  - { from: internet, to: aks-prod/nodes, expect: deny }",
        "  - { from: internet, to: aks-prod/nodes, ports: tcp/443, expect: allow }",
    );
    assert_ne!(bad, text);
    let line = bad
        .lines()
        .position(|l| l.contains("to: aks-prod/nodes, ports: tcp/443"))
        .unwrap()
        + 1;
    std::fs::write(dir.join("bad.yaml"), &bad).unwrap();
    for command in ["design", "check"] {
        let o = aksnet(dir, &[command, "bad.yaml"]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{command}: {}{}",
            out(&o),
            err(&o)
        );
        let e = err(&o);
        assert!(e.contains(&format!("bad.yaml:{line}:5")), "{e}");
        assert!(
            e.contains("never lets the Internet reach nodes directly"),
            "{e}"
        );
    }
    assert!(!dir.join("aksnet-out").exists(), "nothing is written");
}
