//! Mutated Bicep never panics or hangs: the hub-and-spoke fixture's spoke module with random
//! bytes deleted, duplicated or replaced (and arbitrary text) either fails with an error at a
//! position or compiles, and what compiles deploys.

use std::cell::RefCell;

use aksnet_arm::template::{self, Deployment, NoLoader, Scope, World};
use proptest::prelude::*;

const SPOKE: &str =
    include_str!("../../aksnet-cli/tests/fixtures/bicep/hub-spoke/modules/spoke.bicep");
const HUB: &str = include_str!("../../aksnet-cli/tests/fixtures/bicep/hub-spoke/modules/hub.bicep");

/// Compiles `text` as a file and, if it compiles, deploys it.
fn exercise(text: &str) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("main.bicep");
    std::fs::write(&p, text).unwrap();
    match aksnet_bicep::compile(&p) {
        Ok(c) => {
            for pr in &c.problems {
                assert!(pr.place.line >= 1 && pr.place.column >= 1);
            }
            let d = Deployment {
                name: "m".into(),
                file: "main.bicep".into(),
                template: &c.template,
                scope: Scope {
                    subscription: Some("s".into()),
                    resource_group: Some("rg".into()),
                    ..Scope::default()
                },
                parameters: Default::default(),
            };
            let world = RefCell::new(World::default());
            let _ = template::deploy(&d, &world, &NoLoader);
        }
        Err(e) => {
            assert!(
                !e.message.contains("a bug in aksnet"),
                "the compiler panicked on {text:?}"
            );
            let lines = text.lines().count().max(1) as u64 + 1;
            assert!(e.place.line >= 1 && e.place.line <= lines, "{e:?}");
        }
    }
}

/// One edit: delete, duplicate or replace a byte range.
fn mutate(text: &str, at: usize, len: usize, how: u8, with: char) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = at % chars.len().max(1);
    let end = (at + len).min(chars.len());
    match how % 3 {
        0 => {
            chars.drain(at..end);
        }
        1 => {
            let copy: Vec<char> = chars[at..end].to_vec();
            chars.splice(at..at, copy);
        }
        _ => {
            for c in &mut chars[at..end] {
                *c = with;
            }
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn mutated_files_end_in_an_error_or_a_deployment(
        which in 0usize..2,
        edits in prop::collection::vec((0usize..20_000, 0usize..40, 0u8..3, prop::sample::select(vec!['{', '}', '[', ']', '(', ')', '\'', '$', '\n', ':', '?', '.', 'x', '=', '@', '/', '*'])), 1..4),
    ) {
        let mut text = [SPOKE, HUB][which].to_string();
        for (at, len, how, with) in edits {
            text = mutate(&text, at, len, how, with);
        }
        exercise(&text);
    }

    #[test]
    fn arbitrary_text_ends_in_an_error_or_a_deployment(text in "[ -~\n]{0,300}") {
        exercise(&text);
    }
}
