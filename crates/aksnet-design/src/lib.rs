//! Design: the intent file, the address planner, and intent → Estate.
//!
//! [`design`] is the whole pipeline: parse the YAML ([`intent`]), check it, plan addresses
//! ([`plan`]), build the reference hub-and-spoke architecture ([`build`]) and validate the
//! result with `aksnet_model::validate`, so a design that Azure would refuse is never returned.

#![warn(missing_docs)]

// Module order (each uses only those above it): error, intent, fqdn, check, sizing, plan,
// flows, build; this file runs them in that order.
pub mod build;
mod check;
pub mod error;
mod flows;
mod fqdn;
pub mod intent;
pub mod plan;
pub mod sizing;

use aksnet_model::{validate, Estate, Problem, Severity};

pub use error::{DesignError, DesignErrors, Position};
pub use intent::Intent;
pub use plan::Plan;

/// The embedded reference design: the hub-and-spoke AKS baseline (`examples/reference.yaml`).
pub const REFERENCE_INTENT: &str = include_str!("../../../examples/reference.yaml");

/// Name under which the embedded reference is reported.
pub const REFERENCE_NAME: &str = "<embedded reference>";

/// The commented starter intent `aksnet init` writes.
pub const STARTER_INTENT: &str = include_str!("starter.yaml");

/// A finished design.
#[derive(Clone, Debug)]
pub struct Design {
    /// The parsed intent.
    pub intent: Intent,
    /// The address plan.
    pub plan: Plan,
    /// The estate.
    pub estate: Estate,
    /// Structural warnings on the estate (errors never reach here).
    pub warnings: Vec<Problem>,
}

/// The JSON Schema (draft 2020-12) of the intent file, generated from the same types the parser
/// reads (so it cannot drift from them): editors complete and validate `aksnet.yaml` with it
/// through the `# yaml-language-server: $schema=` line `aksnet init` writes. It checks shape
/// only; `aksnet plan` checks the rest (sizes, overlaps, regions).
pub fn intent_schema() -> String {
    let mut schema = schemars::schema_for!(Intent);
    schema.insert("title".into(), "aksnet intent file".into());
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serialises");
    text.push('\n');
    text
}

/// The file name `aksnet init` writes the schema to, beside the intent.
pub const SCHEMA_FILE: &str = "aksnet.schema.json";

/// Parses a policy file (`check --policy`: flow intents and suppressions) and checks its
/// suppressions. `file` names it in errors.
pub fn policy(file: &str, text: &str) -> Result<intent::Policy, DesignErrors> {
    let p = intent::Policy::parse(file, text)?;
    let errors = check::suppressions(&p.suppressions, file);
    if errors.is_empty() {
        Ok(p)
    } else {
        Err(DesignErrors(errors))
    }
}

/// Parses, plans, builds and validates. `file` names the intent in error messages.
pub fn design(file: &str, text: &str) -> Result<Design, DesignErrors> {
    let intent = Intent::parse(file, text)?;
    let plan = plan::plan(&intent, file)?;
    let forbidden = flows::forbidden(&intent, &plan, file);
    if !forbidden.is_empty() {
        return Err(DesignErrors(forbidden));
    }
    let estate = build::build(&intent, &plan);
    let diagnostics = validate(&estate);
    let (errors, warnings): (Vec<_>, Vec<_>) = diagnostics
        .into_iter()
        .partition(|d| d.severity == Severity::Error);
    if !errors.is_empty() {
        return Err(DesignErrors(
            errors
                .into_iter()
                .map(|d| DesignError {
                    file: file.to_string(),
                    position: None,
                    resource: Some(d.resource.to_string()),
                    message: d.message,
                    hint: d.hint,
                })
                .collect(),
        ));
    }
    Ok(Design {
        intent,
        plan,
        estate,
        warnings,
    })
}
