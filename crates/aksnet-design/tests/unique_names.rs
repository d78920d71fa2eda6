//! Globally unique names (registries, key vaults): two users of one intent — two subscriptions —
//! get two names; the intent may give the suffix; the same inputs give the same names.

use aksnet_design::{design, REFERENCE_INTENT, REFERENCE_NAME};
use aksnet_model::Estate;

/// The reference design with its spoke in `subscription` (an id), and `extra` lines at the top.
fn reference_in(subscription: Option<&str>, extra: &str) -> Estate {
    let mut text = format!("{extra}{REFERENCE_INTENT}");
    if let Some(s) = subscription {
        text = text.replace(
            "  - name: aks-prod\n",
            &format!("  - name: aks-prod\n    subscription: {s}\n"),
        );
    }
    design(REFERENCE_NAME, &text).unwrap().estate
}

fn names(e: &Estate) -> (String, String) {
    let one = |v: Vec<&str>| {
        assert_eq!(v.len(), 1);
        v[0].to_string()
    };
    (
        one(e
            .container_registries
            .iter()
            .map(|r| r.name.as_str())
            .collect()),
        one(e.key_vaults.iter().map(|r| r.name.as_str()).collect()),
    )
}

#[test]
fn two_subscriptions_give_two_names_and_one_gives_the_same_bytes() {
    let a = "11111111-2222-3333-4444-555555555555";
    let b = "99999999-8888-7777-6666-555555555555";
    let (ea, eb) = (reference_in(Some(a), ""), reference_in(Some(b), ""));
    // Worked out by hand: `printf '%s' "$sub/contoso" | sha1sum | cut -c1-6`.
    assert_eq!(
        names(&ea),
        ("crcontosoaksprod49db56".into(), "kv-aks-prod-49db56".into())
    );
    assert_ne!(names(&ea).0, names(&eb).0);
    assert_ne!(names(&ea).1, names(&eb).1);
    assert_eq!(
        ea.to_json(),
        reference_in(Some(a), "").to_json(),
        "same intent, same bytes"
    );
    // The base is recorded for the generated code, and the private endpoint keeps it.
    let base = ea
        .unique_names
        .bases
        .iter()
        .find(|(id, _)| id.name() == "crcontosoaksprod49db56")
        .map(|(_, b)| b.as_str());
    assert_eq!(base, Some("crcontosoaksprod"));
    assert!(ea
        .private_endpoints
        .iter()
        .any(|p| p.name == "pep-crcontosoaksprod"));
}

#[test]
fn the_intent_may_give_the_suffix_for_every_subscription() {
    let e = reference_in(
        Some("11111111-2222-3333-4444-555555555555"),
        "naming: { suffix: x7k2 }\n",
    );
    assert_eq!(
        names(&e),
        ("crcontosoaksprodx7k2".into(), "kv-aks-prod-x7k2".into())
    );
    assert_eq!(e.unique_names.suffix.as_deref(), Some("x7k2"));
}

#[test]
fn without_a_subscription_the_suffix_waits_for_deployment() {
    let e = reference_in(None, "");
    assert_eq!(names(&e), ("crcontosoaksprod".into(), "kv-aks-prod".into()));
    assert_eq!(e.unique_names.suffix, None);
    assert_eq!(e.unique_names.bases.len(), 2);
}

#[test]
fn a_suffix_azure_would_refuse_is_an_error_at_its_value() {
    for bad in ["X7", "abc-1", "abcdefg", "\"\""] {
        let text = format!("naming: {{ suffix: {bad} }}\n{REFERENCE_INTENT}");
        let e = design("intent.yaml", &text).expect_err(bad).0.remove(0);
        assert_eq!(
            e.position.map(|p| (p.line, p.column)),
            Some((1, 19)),
            "{bad}: {}",
            e.message
        );
        assert!(e.message.contains("naming suffix"), "{}", e.message);
        assert!(e.hint.contains("registry"), "{}", e.hint);
    }
}
