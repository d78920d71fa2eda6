//! Terraform, read as Terraform would plan it, without Terraform.
//!
//! Two halves with one meeting point, [`Instance`]:
//!
//! - [`config`] reads a configuration — a root module directory of `.tf` files, its variables
//!   (`terraform.tfvars`, `*.auto.tfvars`, `--var-file`, `--var`, `TF_VAR_*`) and its local
//!   modules — and evaluates it: locals, `count`, `for_each`, `dynamic` blocks, conditionals,
//!   `for` expressions, splats, templates and the built-in functions, into the resource
//!   instances a plan would create, each with its arguments as JSON and where it is declared.
//!   A value Terraform knows only after apply (a dynamic private IP, a variable without a
//!   value) is `unknown`: aksnet-arm's `{"$unknown": {...}}` marker ([`aksnet_arm::Unknown`])
//!   naming the expression and the reason. Nothing is guessed.
//! - [`azurerm`] turns `azurerm_*` (and `azapi_resource`) instances into the Azure resource
//!   JSON that Azure would hold after apply — the shape `aksnet-import` already reads — and
//!   gives the attributes Azure computes (`id`, ...) that other resources refer to.
//!
//! The crate reads files and evaluates; it does not print and knows nothing of the Estate.

pub mod azurerm;
pub mod config;

use std::path::PathBuf;

/// A resource instance as a plan would create it.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    /// Its full address, as Terraform prints it: `module.hub.azurerm_subnet.fw[0]`,
    /// `azurerm_subnet.spoke["a"]`.
    pub address: String,
    /// The resource type: `azurerm_subnet`.
    pub kind: String,
    /// Its arguments, evaluated, as a JSON object: each attribute its value (numbers, strings,
    /// bools, lists, maps as objects, `null` for null); each nested block type an array of
    /// objects, one per block, in order (`dynamic` blocks expanded). A value known only after
    /// apply is an [`aksnet_arm::Unknown`] marker (`Unknown::to_json`).
    pub values: serde_json::Value,
    /// Where its `resource` block is declared (in the module that declares it).
    pub origin: Origin,
    /// The subscription of the `azurerm` provider configuration the resource uses (its
    /// `provider = azurerm.ALIAS`, else its module's default `azurerm` configuration: the one
    /// the module declares, the one its caller passes in `providers = { ... }`, else the
    /// caller's own default), when that configuration states a `subscription_id` and it is
    /// known. `azapi_*` resources use the azurerm configurations by the same rules. `None`
    /// otherwise (the caller's subscription then applies).
    pub subscription: Option<String>,
}

/// A position in a file: 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    /// The file, as found from the path the user gave.
    pub file: PathBuf,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// A problem found while reading or evaluating, at a place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Errors stop what they are about (a file, a module, a resource); warnings do not.
    pub error: bool,
    /// Where; `None` for the whole input.
    pub origin: Option<Origin>,
    /// What, naming the variable, module, resource or expression at fault.
    pub message: String,
    /// What to do about it, when there is something to do.
    pub hint: Option<String>,
}
