//! `azurerm_*` and `azapi_*` instances as Azure resource JSON.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

use crate::config::Provider;
use crate::{Diagnostic, Instance, Origin};

/// The azurerm provider as aksnet knows it: the subscription resources go to (the provider's
/// `subscription_id`, `--subscription`, or the placeholder `00000000-…`).
#[derive(Clone, Debug)]
pub struct Azurerm {
    /// Subscription id for the ids of resources.
    pub subscription: String,
}

impl Provider for Azurerm {
    fn computed(&self, kind: &str, values: &Json) -> Map<String, Json> {
        let _ = (kind, values);
        Map::new()
    }
}

/// What [`to_azure`] made of the instances.
#[derive(Clone, Debug, Default)]
pub struct Mapped {
    /// Azure resource JSON (`id`, `type`, `name`, `location`, `tags`, `properties`, and
    /// `sku`/`zones` where the type has them), as Azure would hold it after apply, each with
    /// the instance it came from (address and origin). Associations and separate child
    /// resources are folded into their targets or given as child resources by id, as Azure
    /// JSON exports give them.
    pub resources: Vec<(Json, String, Origin)>,
    /// Resource types not mapped (not network-relevant, or not yet), with how many instances.
    pub unmapped: BTreeMap<String, usize>,
    /// Problems, each at the instance's origin.
    pub diagnostics: Vec<Diagnostic>,
}

/// Maps `instances` to Azure resource JSON.
pub fn to_azure(instances: &[Instance], provider: &Azurerm) -> Mapped {
    let _ = (instances, provider);
    Mapped::default()
}
