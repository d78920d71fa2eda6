//! The intent's JSON Schema accepts every intent aksnet accepts (the starter, every example),
//! refuses what the parser refuses by shape (unknown fields, unknown values, wrong types), and
//! is generated deterministically.

use aksnet_design::{intent_schema, STARTER_INTENT};

/// Compiles the schema and validates `yaml` (read as JSON data) against it.
fn validates(yaml: &str) -> Result<(), String> {
    let schema: serde_json::Value = serde_json::from_str(&intent_schema()).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("file:///aksnet.schema.json", schema)
        .unwrap();
    let index = compiler
        .compile("file:///aksnet.schema.json", &mut schemas)
        .map_err(|e| format!("the schema does not compile: {e:#}"))?;
    let data: serde_json::Value = serde_saphyr::from_str(yaml).map_err(|e| e.to_string())?;
    schemas.validate(&data, index).map_err(|e| format!("{e:#}"))
}

#[test]
fn the_starter_and_every_example_validate() {
    validates(STARTER_INTENT).unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).unwrap();
            validates(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            n += 1;
        }
    }
    assert!(n >= 6, "examples read: {n}");
}

#[test]
fn shape_errors_the_parser_refuses_are_refused_by_the_schema_too() {
    let base = "name: t\nlocation: westeurope\nspokes:\n  - name: a\n    cluster:\n      nodePools:\n        - { name: system, mode: System, maxCount: 3 }\n";
    validates(base).unwrap();
    for (from, to) in [
        ("maxCount: 3", "maxCont: 3"),
        ("mode: System", "mode: Sytem"),
        ("maxCount: 3", "maxCount: lots"),
        ("location: westeurope\n", ""),
    ] {
        let bad = base.replace(from, to);
        assert!(aksnet_design::design("x.yaml", &bad).is_err(), "{to}");
        assert!(validates(&bad).is_err(), "the schema accepts `{to}`");
    }
}

#[test]
fn the_schema_is_deterministic_and_describes_fields() {
    let a = intent_schema();
    assert_eq!(a, intent_schema());
    assert!(a.contains("\"title\": \"aksnet intent file\""));
    assert!(a.contains("Growth headroom added to computed subnet needs"));
    assert!(STARTER_INTENT.starts_with("# yaml-language-server: $schema=./aksnet.schema.json\n"));
}
