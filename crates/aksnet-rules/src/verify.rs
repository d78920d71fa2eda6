//! The verification job shared by `aksnet check` and `aksnet design`: the rule catalog (or a
//! selection of it), the intent file's flow intents and suppressions, and source locations for
//! the findings.

use std::collections::HashSet;

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
    let mut unplaced = findings
        .iter_mut()
        .filter(|f| f.location.is_none() && !f.resources.is_empty())
        .peekable();
    if unplaced.peek().is_none() {
        return;
    }
    let unplaced: Vec<&mut Finding> = unplaced.collect();
    let locator = Locator::new(origin, unplaced.iter().map(|f| &f.resources[0]));
    for f in unplaced {
        f.location = locator.locate(&f.resources[0]);
    }
}

/// Finds where resources were written in the input: at a resource's `"id"` in the JSON files
/// read, else where the import says it (or its parent) was declared; in an intent file, at the
/// spoke it belongs to; nowhere for the embedded reference design. The JSON files are indexed
/// once for the ids asked about, so locating every finding of a large estate costs one pass
/// over its text and memory for those ids only.
pub struct Locator<'o> {
    origin: &'o Origin,
    /// Per file, each `"id"` value (lowercase) at its offset, and the file's line starts.
    files: Vec<IdIndex<'o>>,
}

/// One JSON file's `"id"` values: the first occurrence of each, and the first that opens a
/// resource (followed by its `"name"`), which is preferred over a reference.
struct IdIndex<'t> {
    name: &'t str,
    text: &'t str,
    ids: std::collections::HashMap<String, (usize, Option<usize>)>,
    line_starts: Vec<usize>,
}

impl<'o> Locator<'o> {
    /// Indexes the origin's files for the resources `ids` (nothing to index for an intent).
    pub fn new<'a>(origin: &'o Origin, ids: impl IntoIterator<Item = &'a ResourceId>) -> Self {
        let wanted: HashSet<&str> = ids.into_iter().map(ResourceId::lower).collect();
        let files = match origin {
            Origin::Json { files, .. } => files
                .iter()
                .map(|f| IdIndex::new(&f.name, &f.text, &wanted))
                .collect(),
            Origin::Intent { .. } => Vec::new(),
        };
        Locator { origin, files }
    }

    /// Where `id` was written, if the input says.
    pub fn locate(&self, id: &ResourceId) -> Option<SourceLocation> {
        match self.origin {
            Origin::Intent {
                file: Some(file),
                design,
            } => Some(in_intent(file, design, id)),
            Origin::Json { places, .. } => self
                .files
                .iter()
                .find_map(|f| f.locate(id))
                .or_else(|| declared(places, id)),
            Origin::Intent { file: None, .. } => None,
        }
    }
}

impl<'t> IdIndex<'t> {
    /// Indexes `text` for the ids in `wanted` (lower case).
    fn new(name: &'t str, text: &'t str, wanted: &HashSet<&str>) -> Self {
        let mut ids: std::collections::HashMap<String, (usize, Option<usize>)> =
            std::collections::HashMap::new();
        let mut lower = String::new();
        let mut from = 0;
        while let Some(i) = text[from..].find("\"id\"").map(|i| i + from) {
            from = i + 4;
            // A value `"id"` (not a key) is skipped: only `"id": "..."` names a resource.
            let Some(rest) = text[from..].trim_start().strip_prefix(':') else {
                continue;
            };
            let Some(value) = rest.trim_start().strip_prefix('"') else {
                continue;
            };
            let Some(end) = value.find('"') else { continue };
            lower.clear();
            lower.push_str(&value[..end]);
            lower.make_ascii_lowercase();
            if !wanted.contains(lower.as_str()) {
                continue;
            }
            let opens = value[end + 1..]
                .trim_start()
                .trim_start_matches(',')
                .trim_start()
                .starts_with("\"name\"");
            let e = ids.entry(lower.clone()).or_insert((i, None));
            if opens && e.1.is_none() {
                e.1 = Some(i);
            }
        }
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        IdIndex {
            name,
            text,
            ids,
            line_starts,
        }
    }

    fn locate(&self, id: &ResourceId) -> Option<SourceLocation> {
        let &(first, opening) = self.ids.get(&id.as_str().to_ascii_lowercase())?;
        let offset = opening.unwrap_or(first);
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        Some(SourceLocation {
            file: self.name.to_string(),
            line: line as u64,
            column: self.text[start..offset].chars().count() as u64 + 1,
        })
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
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_location_prefers_the_resource_over_references() {
        let text = "{\n  \"a\": { \"id\": \"/x/nsg1\" },\n  \"b\": [\n    { \"id\": \"/x/NSG1\", \"name\": \"nsg1\" }\n  ]\n}";
        let wanted = HashSet::from(["/x/nsg1", "/x/none"]);
        let index = IdIndex::new("f.json", text, &wanted);
        let at = index.locate(&ResourceId::new("/x/nsg1")).unwrap();
        assert_eq!((at.line, at.column), (4, 7));
        assert!(index.locate(&ResourceId::new("/x/none")).is_none());
    }

    #[test]
    fn an_id_written_as_a_value_does_not_end_the_search() {
        // `"id"` as a string value once stopped the scan for the whole file.
        let text = "{ \"keys\": [\"id\", \"name\"],\n  \"r\": { \"id\": \"/x/é/nsg\", \"name\": \"nsg\" } }";
        let at = IdIndex::new("f.json", text, &HashSet::from(["/x/é/nsg"]))
            .locate(&ResourceId::new("/X/é/NSG"))
            .unwrap();
        assert_eq!((at.line, at.column), (2, 10));
    }
}
