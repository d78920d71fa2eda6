//! Structural validation: what Azure itself would refuse to deploy, or what makes an estate
//! self-contradictory (subnets outside their VNet, overlapping peers, undersized special
//! subnets, impossible AKS network profiles).
//!
//! This is not the rule catalog: it does not judge security or reachability. It answers "can
//! this estate exist?", so that the planner can refuse to write one that cannot, and an import
//! can say what is broken before any analysis runs.

mod addressing;
mod aks;
mod placement;

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};
use crate::estate::Estate;
use crate::id::ResourceId;

/// One structural problem: data for the rules and the planner; shown as a [`Diagnostic`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// A stable kebab-case code, e.g. `subnet-outside-vnet`.
    pub code: &'static str,
    /// The resource (or child resource) at fault.
    pub resource: ResourceId,
    /// What is wrong, with the numbers.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl Problem {
    /// As a diagnostic to show: its code, message, resource and hint.
    pub fn diagnostic(&self) -> Diagnostic {
        Diagnostic {
            severity: self.severity,
            code: Some(self.code),
            message: self.message.clone(),
            location: None,
            hint: Some(self.hint.clone()),
        }
        .on_resource(&self.resource)
    }
}

/// Collects diagnostics.
#[derive(Default)]
pub(crate) struct Sink(Vec<Problem>);

impl Sink {
    pub(crate) fn push(
        &mut self,
        severity: Severity,
        code: &'static str,
        resource: &ResourceId,
        message: String,
        hint: impl Into<String>,
    ) {
        self.0.push(Problem {
            severity,
            code,
            resource: resource.clone(),
            message,
            hint: hint.into(),
        });
    }

    pub(crate) fn error(
        &mut self,
        code: &'static str,
        r: &ResourceId,
        m: String,
        h: impl Into<String>,
    ) {
        self.push(Severity::Error, code, r, m, h);
    }

    pub(crate) fn warn(
        &mut self,
        code: &'static str,
        r: &ResourceId,
        m: String,
        h: impl Into<String>,
    ) {
        self.push(Severity::Warning, code, r, m, h);
    }
}

/// Checks an estate's structure. Errors first, then warnings; within each, in resource order.
pub fn validate(estate: &Estate) -> Vec<Problem> {
    let mut sink = Sink::default();
    addressing::check(estate, &mut sink);
    placement::check(estate, &mut sink);
    aks::check(estate, &mut sink);
    let mut out = sink.0;
    out.sort_by(|a, b| {
        (a.severity, &a.resource, a.code, &a.message).cmp(&(
            b.severity,
            &b.resource,
            b.code,
            &b.message,
        ))
    });
    out
}

/// Subnet id of a subnet child, falling back to `<vnet>/subnets/<name>` when the child has none.
pub(crate) fn subnet_id(
    vnet: &crate::resource::Resource<crate::network::VirtualNetwork>,
    s: &crate::resource::Child<crate::network::Subnet>,
) -> ResourceId {
    s.id.clone()
        .unwrap_or_else(|| vnet.id.child("subnets", &s.name))
}

pub use crate::diagnostic::thousands;

#[cfg(test)]
mod tests;
