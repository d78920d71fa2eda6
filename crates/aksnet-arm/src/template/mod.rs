//! ARM templates deployed as Azure deploys them, without Azure: parameters bound and checked,
//! variables and expressions evaluated, copy loops and conditions expanded, child resources
//! and nested deployments followed, dependencies ordered, outputs computed. The result is the
//! resources a deployment would create, each with its id, its evaluated body (unknown values as
//! markers, see [`UNKNOWN_KEY`]) and where it was declared.
//!
//! A front end other than JSON (Bicep, later) feeds the same [`deploy`] with the template it
//! compiles to.
//!
//! Modules: `note` (diagnostics) and `world` (resources deployed so far) use no other; `walk`
//! (evaluating JSON values) and `host` (the environment: parameters, variables, loops,
//! references) use each other; `deploy` (resources, ids, order, outputs) and `nested` (nested
//! deployments) build on them; `params` (parameter files and `name=value`) stands alone.

mod deploy;
mod host;
mod nested;
mod note;
mod params;
mod walk;
mod world;

use std::cell::RefCell;

use serde_json::{Map, Value as Json};

pub use deploy::{resource_id, MAX_NESTING};
pub use note::Note;
pub use params::{parameter_arg, parameters_file, ParameterError};
pub use walk::{as_marker, marker, MAX_COPY, UNKNOWN_KEY};
pub use world::{Deployed, Doubt, Origin, World};

/// The scope a deployment targets: a resource group, a subscription, a management group or
/// the tenant (the narrowest one set wins).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    /// The tenant id.
    pub tenant: Option<String>,
    /// The management group name.
    pub management_group: Option<String>,
    /// The subscription id.
    pub subscription: Option<String>,
    /// The resource group name.
    pub resource_group: Option<String>,
    /// The resource group's location (or a subscription deployment's `--location`).
    pub location: Option<String>,
}

impl Scope {
    /// The id of the scope (`/subscriptions/s/resourceGroups/rg`, `/subscriptions/s`, a
    /// management group's id, or empty for the tenant).
    pub fn prefix(&self) -> String {
        match (
            &self.subscription,
            &self.resource_group,
            &self.management_group,
        ) {
            (Some(s), Some(rg), _) => format!("/subscriptions/{s}/resourceGroups/{rg}"),
            (Some(s), None, _) => format!("/subscriptions/{s}"),
            (None, _, Some(mg)) => format!("/providers/Microsoft.Management/managementGroups/{mg}"),
            (None, _, None) => String::new(),
        }
    }
}

/// The scope a template's `$schema` says it deploys to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    /// `deploymentTemplate.json`.
    ResourceGroup,
    /// `subscriptionDeploymentTemplate.json`.
    Subscription,
    /// `managementGroupDeploymentTemplate.json`.
    ManagementGroup,
    /// `tenantDeploymentTemplate.json`.
    Tenant,
}

impl ScopeKind {
    /// Reads the `$schema` of a template (a resource group when absent or unrecognised).
    pub fn of(template: &Map<String, Json>) -> Self {
        let schema = crate::value::get_ci(template, "$schema")
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        if schema.contains("subscriptiondeploymenttemplate") {
            Self::Subscription
        } else if schema.contains("managementgroupdeploymenttemplate") {
            Self::ManagementGroup
        } else if schema.contains("tenantdeploymenttemplate") {
            Self::Tenant
        } else {
            Self::ResourceGroup
        }
    }
}

/// Reads linked templates (`templateLink.relativePath`).
pub trait Loader {
    /// The template at `relative` to the file `from`: its file name and JSON.
    fn load(&self, from: &str, relative: &str) -> Result<(String, Json), String>;
}

/// A [`Loader`] that reads nothing (every linked template is reported unread).
pub struct NoLoader;

impl Loader for NoLoader {
    fn load(&self, _from: &str, _relative: &str) -> Result<(String, Json), String> {
        Err("linked templates are not read here".into())
    }
}

/// One deployment: a template, where it goes, and its parameter values.
#[derive(Clone, Debug)]
pub struct Deployment<'t> {
    /// The deployment name (`deployment().name`; outputs are addressed by it).
    pub name: String,
    /// The template's file, for messages.
    pub file: String,
    /// The template (a JSON object).
    pub template: &'t Map<String, Json>,
    /// Where it deploys.
    pub scope: Scope,
    /// Parameter values by name (the deployment's `parameters`, already unwrapped from
    /// `{"value": ...}`).
    pub parameters: Map<String, Json>,
}

/// What a deployment produced besides its resources (which go to the [`World`]).
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// The outputs, `{"name": {"type", "value"}}`.
    pub outputs: Map<String, Json>,
    /// Problems, in the order met.
    pub notes: Vec<Note>,
}

/// Deploys `d` into `world` (resources already there are what earlier deployments created, and
/// what `reference` reads).
pub fn deploy(d: &Deployment, world: &RefCell<World>, loader: &dyn Loader) -> Outcome {
    let env = host::Env::new(
        d.template,
        d.parameters.clone(),
        deploy::context(&d.scope, Some(&d.name)),
        world,
        &d.file,
        "$",
    );
    env.check_parameters(&nested::declared(d.template));
    let run = deploy::Run {
        world,
        loader,
        depth: 0,
    };
    let outputs = deploy::resources(&env, d.template, &d.scope, &run);
    Outcome {
        outputs,
        notes: env.notes.into_inner().list,
    }
}

#[cfg(test)]
mod tests;
