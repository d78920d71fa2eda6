//! The verification job shared by `aksnet check` and `aksnet design`: the rule catalog (or a
//! selection of it), the intent file's flow intents and suppressions, and source locations for
//! the findings.

use aksnet_design::Design;
use aksnet_engine::DataPlane;
use aksnet_model::{Estate, ResourceId};

use crate::{catalog, Finding, FlowIntent, IntentError, Rule, SourceLocation, Suppression};

/// Where the analysed estate came from.
pub enum Origin {
    /// An intent file (`None`: the embedded reference).
    Intent {
        /// The file name as given.
        file: Option<String>,
        /// The design.
        design: Box<Design>,
    },
    /// JSON files (an estate.json, or the Azure resource JSON an import read): findings are
    /// located at their resource's `"id"` in the files, else where the import says the
    /// resource (or its parent) was declared (`places`, by lowercase id: templates hold no
    /// ids).
    Json {
        /// The files read.
        files: Vec<SourceText>,
        /// Where resources were declared, by lowercase id.
        places: std::collections::BTreeMap<String, SourceLocation>,
    },
}

/// An input file's name, as given, and its text.
pub struct SourceText {
    /// The name, as given on the command line.
    pub name: String,
    /// Its text.
    pub text: String,
}

/// Why a verification could not run.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// `--rule` or `--skip` names a code the catalog does not have.
    #[error(transparent)]
    UnknownRule(#[from] UnknownRule),
    /// A flow intent names a place or ports the estate does not know.
    #[error(transparent)]
    Intent(#[from] IntentError),
}

/// A rule code the catalog does not have.
#[derive(Debug, thiserror::Error)]
#[error("unknown rule `{code}`")]
pub struct UnknownRule {
    /// The code as given.
    pub code: String,
    /// The codes the catalog has (and `AKS-INTENT`).
    pub known: Vec<&'static str>,
}

/// The rule with this code (case-insensitive).
pub fn find(code: &str) -> Result<&'static Rule, UnknownRule> {
    let all = catalog();
    all.iter()
        .find(|r| r.code.eq_ignore_ascii_case(code))
        .copied()
        .ok_or_else(|| UnknownRule {
            code: code.to_string(),
            known: all.iter().map(|r| r.code).collect(),
        })
}

/// Which rules run.
#[derive(Default)]
pub struct Selection {
    /// Only these codes (all when empty).
    pub only: Vec<String>,
    /// Not these codes.
    pub skip: Vec<String>,
}

/// The result of a verification.
pub struct Report {
    /// Findings, suppressed ones included (marked), in report order.
    pub findings: Vec<Finding>,
    /// Suppressions that matched nothing, described.
    pub unused_suppressions: Vec<String>,
    /// How many rules ran.
    pub rules_run: usize,
    /// How many flow intents were checked.
    pub intents_checked: usize,
    /// The largest use of each Azure limit that applies ([`aksnet_model::capacity::headroom`]).
    pub headroom: Vec<aksnet_model::capacity::Usage>,
}

impl Selection {
    /// The catalog rules to run, and whether the flow intents (`AKS-INTENT`) run: everything
    /// unless `--rule` names codes, minus `--skip`. An unknown code is a usage error.
    fn resolve(&self) -> Result<(Vec<&'static Rule>, bool), UnknownRule> {
        let all = catalog();
        let known = |c: &String| {
            c.eq_ignore_ascii_case(crate::INTENT_CODE)
                || all.iter().any(|r| r.code.eq_ignore_ascii_case(c))
        };
        if let Some(code) = self.only.iter().chain(&self.skip).find(|c| !known(c)) {
            let mut known: Vec<&str> = all.iter().map(|r| r.code).collect();
            known.push(crate::INTENT_CODE);
            return Err(UnknownRule {
                code: code.clone(),
                known,
            });
        }
        let wanted = |code: &str| {
            (self.only.is_empty() || self.only.iter().any(|c| c.eq_ignore_ascii_case(code)))
                && !self.skip.iter().any(|c| c.eq_ignore_ascii_case(code))
        };
        let rules = all.into_iter().filter(|r| wanted(r.code)).collect();
        Ok((rules, wanted(crate::INTENT_CODE)))
    }
}

/// Runs the selected rules and the intents; locates and suppresses the findings.
pub fn verify(
    estate: &Estate,
    plane: &DataPlane,
    origin: &Origin,
    selection: &Selection,
    policy: Option<&PolicyFile>,
) -> Result<Report, VerifyError> {
    let (rules, run_intents) = selection.resolve()?;
    let mut findings = crate::check_rules(estate, plane, &rules);
    let (intents, suppressions) = intent_file(origin, policy);
    let intents_checked = if run_intents { intents.len() } else { 0 };
    if intents_checked > 0 {
        let violated = crate::check_intents(plane, &intents)?;
        findings.extend(violated);
        crate::sort(&mut findings);
    }
    locate(&mut findings, origin);
    let used = crate::suppress(&mut findings, &suppressions);
    let unused_suppressions = suppressions
        .iter()
        .zip(used)
        .filter(|(_, n)| *n == 0)
        .map(|(s, _)| {
            format!(
                "suppression of {}{} matched no finding; remove it",
                s.rule,
                s.resource
                    .as_ref()
                    .map(|r| format!(" for `{r}`"))
                    .unwrap_or_default()
            )
        })
        .collect();
    Ok(Report {
        findings,
        unused_suppressions,
        rules_run: rules.len(),
        intents_checked,
        headroom: aksnet_model::capacity::headroom(estate, plane.options.counting()),
    })
}

/// A policy file given with `--policy`: flow intents and suppressions for any input.
pub struct PolicyFile {
    /// The file name as given.
    pub file: String,
    /// Its contents.
    pub policy: aksnet_design::intent::Policy,
}

/// Flow intents and suppressions in engine terms, located in `file`.
fn convert(
    file: Option<&String>,
    intents: &[aksnet_design::intent::At<aksnet_design::intent::FlowIntent>],
    suppressions: &[aksnet_design::intent::At<aksnet_design::intent::Suppression>],
) -> (Vec<FlowIntent>, Vec<Suppression>) {
    let at = |p: Option<aksnet_design::Position>| {
        file.zip(p).map(|(f, p)| SourceLocation {
            file: f.clone(),
            line: p.line,
            column: p.column,
        })
    };
    let intents = intents
        .iter()
        .map(|i| FlowIntent {
            from: i.from.clone(),
            to: i.to.clone(),
            ports: i.ports.clone(),
            allow: i.expect == aksnet_design::intent::Expectation::Allow,
            location: at(i.position),
        })
        .collect();
    let suppressions = suppressions
        .iter()
        .map(|s| Suppression {
            rule: s.rule.clone(),
            resource: s.resource.clone(),
            reason: s.reason.clone(),
        })
        .collect();
    (intents, suppressions)
}

/// The intent file's flow intents and suppressions, then the policy file's.
fn intent_file(
    origin: &Origin,
    policy: Option<&PolicyFile>,
) -> (Vec<FlowIntent>, Vec<Suppression>) {
    let (mut intents, mut suppressions) = match origin {
        Origin::Intent { file, design } => convert(
            file.as_ref(),
            &design.intent.intents,
            &design.intent.suppressions,
        ),
        _ => (Vec::new(), Vec::new()),
    };
    if let Some(p) = policy {
        let (i, s) = convert(Some(&p.file), &p.policy.intents, &p.policy.suppressions);
        intents.extend(i);
        suppressions.extend(s);
    }
    (intents, suppressions)
}

/// Gives findings without a location the place of their first resource in the input.
fn locate(findings: &mut [Finding], origin: &Origin) {
    for f in findings.iter_mut().filter(|f| f.location.is_none()) {
        if let Some(id) = f.resources.first() {
            f.location = locate_resource(origin, id);
        }
    }
}

/// Where the resource `id` was written in the input: at its `"id"` in the JSON files read,
/// else where the import says it (or its parent) was declared; in an intent file, at the
/// spoke it belongs to. `None` for the embedded reference design.
pub fn locate_resource(origin: &Origin, id: &ResourceId) -> Option<SourceLocation> {
    match origin {
        Origin::Intent {
            file: Some(file),
            design,
        } => Some(in_intent(file, design, id)),
        Origin::Json { files, places } => files
            .iter()
            .find_map(|s| in_json(&s.name, &s.text, id))
            .or_else(|| declared(places, id)),
        Origin::Intent { file: None, .. } => None,
    }
}

/// Where the resource, or the nearest parent declared on its own (a subnet inside its
/// VNet's declaration), was declared.
fn declared(
    places: &std::collections::BTreeMap<String, SourceLocation>,
    id: &ResourceId,
) -> Option<SourceLocation> {
    let mut id = id.as_str().to_ascii_lowercase();
    loop {
        if let Some(p) = places.get(&id) {
            return Some(p.clone());
        }
        // `.../type/name` off the end, while a resource remains.
        let cut = id.rfind('/').and_then(|a| id[..a].rfind('/'))?;
        if !id[..cut].contains("/providers/") {
            return None;
        }
        id.truncate(cut);
    }
}

/// The spoke entry whose name the resource id carries (`vnet-aks-prod`, `rg-contoso-aks-prod`),
/// else the top of the file (hub and shared resources).
fn in_intent(file: &str, design: &Design, id: &ResourceId) -> SourceLocation {
    let id = id.as_str().to_ascii_lowercase();
    let carries = |name: &str| {
        let name = name.to_ascii_lowercase();
        id.match_indices(&name).any(|(i, _)| {
            let before = id[..i].chars().last();
            let after = id[i + name.len()..].chars().next();
            matches!(before, Some('-' | '/')) && matches!(after, None | Some('/' | '-'))
        })
    };
    let spoke = design
        .intent
        .spokes
        .iter()
        .filter(|s| carries(&s.name))
        .max_by_key(|s| s.name.len());
    let p = spoke.and_then(|s| s.position);
    SourceLocation {
        file: file.to_string(),
        line: p.map_or(1, |p| p.line),
        column: p.map_or(1, |p| p.column),
    }
}

/// The line and column of the resource's `"id"` in a JSON file: the occurrence followed by a
/// `"name"` key (a resource, not a reference to it), else the first.
fn in_json(file: &str, text: &str, id: &ResourceId) -> Option<SourceLocation> {
    let mut first = None;
    let mut from = 0;
    while let Some(i) = text[from..].find("\"id\"").map(|i| i + from) {
        from = i + 4;
        let rest = text[from..].trim_start().strip_prefix(':')?.trim_start();
        let Some(value) = rest.strip_prefix('"') else {
            continue;
        };
        let Some(end) = value.find('"') else { continue };
        if !value[..end].eq_ignore_ascii_case(id.as_str()) {
            continue;
        }
        let after = value[end + 1..]
            .trim_start()
            .trim_start_matches(',')
            .trim_start();
        let here = position(file, text, i);
        if after.starts_with("\"name\"") {
            return Some(here);
        }
        first.get_or_insert(here);
    }
    first
}

fn position(file: &str, text: &str, offset: usize) -> SourceLocation {
    let before = &text[..offset];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    SourceLocation {
        file: file.to_string(),
        line,
        column,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_location_prefers_the_resource_over_references() {
        let text = "{\n  \"a\": { \"id\": \"/x/nsg1\" },\n  \"b\": [\n    { \"id\": \"/x/NSG1\", \"name\": \"nsg1\" }\n  ]\n}";
        let id = ResourceId::new("/x/nsg1");
        let at = in_json("f.json", text, &id).unwrap();
        assert_eq!((at.line, at.column), (4, 7));
        let other = ResourceId::new("/x/none");
        assert!(in_json("f.json", text, &other).is_none());
    }
}
