//! What a change to an estate lets through that was blocked, and what it breaks: two estates
//! (BASE and HEAD, from any source aksnet reads) compared by what their data planes admit
//! between the places that matter ([`flows`]), by their findings ([`findings`]) and by their
//! resources ([`resources`]). [`render`] writes the result as text, JSON, Markdown for a pull
//! request comment, or SARIF located in HEAD's files.
//!
//! Modules: `flows`, `findings` and `resources` each compare one thing; `scope` says from the
//! resources that changed which flows can change, for `flows`; `render` reads the [`Diff`]
//! they make.

#![warn(missing_docs)]

pub mod findings;
pub mod flows;
pub mod render;
pub mod resources;
pub mod scope;

use aksnet_engine::DataPlane;
use aksnet_model::Estate;
use aksnet_rules::verify::{Origin, Report};
use serde::Serialize;

/// One side of a comparison: an estate, its compiled data plane, its checked findings, and
/// where it was read from (for locations).
pub struct Side<'a, 'e> {
    /// The estate.
    pub estate: &'e Estate,
    /// Its data plane.
    pub plane: &'a DataPlane<'e>,
    /// Its findings.
    pub report: &'a Report,
    /// Where it came from.
    pub origin: &'a Origin,
}

/// What changed from BASE to HEAD.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Diff {
    /// Packets HEAD admits that BASE does not.
    pub opened: Vec<flows::FlowChange>,
    /// Packets BASE admits that HEAD does not.
    pub closed: Vec<flows::FlowChange>,
    /// Flows the firewall admits by name (FQDN or FQDN tag) in one and not the other.
    pub names: Vec<flows::NameChange>,
    /// Findings added and removed.
    pub findings: findings::FindingChanges,
    /// Resources added, removed and changed.
    pub resources: resources::ResourceChanges,
}

/// What makes `aksnet diff` exit 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    /// A flow opened (by address or by name).
    Opened,
    /// A flow closed (by address or by name).
    Closed,
    /// Any flow change, opened or closed.
    Changed,
    /// A finding added.
    Findings,
    /// Never.
    Never,
}

impl Diff {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.opened.is_empty()
            && self.closed.is_empty()
            && self.names.is_empty()
            && self.findings.added.is_empty()
            && self.findings.removed.is_empty()
            && self.resources.is_empty()
    }

    /// Whether `on` is met.
    pub fn fails(&self, on: FailOn) -> bool {
        let opened = !self.opened.is_empty() || self.names.iter().any(|n| n.opened);
        let closed = !self.closed.is_empty() || self.names.iter().any(|n| !n.opened);
        match on {
            FailOn::Opened => opened,
            FailOn::Closed => closed,
            FailOn::Changed => opened || closed,
            FailOn::Findings => !self.findings.added.is_empty(),
            FailOn::Never => false,
        }
    }
}

/// [`diff`] with every flow computed, whatever changed (what the pruning by [`scope`] is
/// tested against).
pub fn diff_exhaustive(base: &Side, head: &Side) -> Diff {
    compared(base, head, &[], |_, _| Some(scope::Reach::Everywhere))
}

/// Compares BASE with HEAD.
pub fn diff(base: &Side, head: &Side) -> Diff {
    diff_from(base, head, &[])
}

/// [`diff`] with more source places: `named` as flow intents name them (the sources of the
/// intents in either input), which need not be among the flow matrix's.
pub fn diff_from(base: &Side, head: &Side, named: &[String]) -> Diff {
    compared(base, head, named, |texts, resources| {
        // The same resources (and on-premises prefixes) make the same data plane.
        let same = resources.is_empty()
            && base.estate.on_premises_prefixes == head.estate.on_premises_prefixes;
        (!same).then(|| scope::of(base, head, texts, resources))
    })
}

/// The diff, with the flows compared where `reach` says (none when it says `None`).
fn compared(
    base: &Side,
    head: &Side,
    named: &[String],
    reach: impl FnOnce([&resources::Texts; 2], &resources::ResourceChanges) -> Option<scope::Reach>,
) -> Diff {
    let texts =
        aksnet_engine::parallel::map(&[base.estate, head.estate], |e| resources::Texts::of(e));
    let resources = resources::compare(&texts[0], &texts[1]);
    let (opened, closed, names) = match reach([&texts[0], &texts[1]], &resources) {
        Some(r) => flows::compare(base, head, &r, named),
        None => Default::default(),
    };
    Diff {
        opened,
        closed,
        names,
        findings: findings::compare(base.report, head.report),
        resources,
    }
}
