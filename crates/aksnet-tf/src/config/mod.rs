//! Configurations: parse, load modules and variables, evaluate into [`crate::Instance`]s.

mod eval;
mod functions;
mod modules;
mod parse;
mod value;
mod vars;

use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json};

use crate::{Diagnostic, Instance};

/// Values for the root module's variables, by source; [`load`] applies Terraform's precedence
/// (later wins): variable defaults, environment `TF_VAR_name`, `terraform.tfvars`,
/// `terraform.tfvars.json`, `*.auto.tfvars(.json)` in lexical order, then `--var-file` and
/// `--var` in the order given on the command line.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// `--var-file` and `--var`, in command-line order.
    pub cli: Vec<CliVar>,
    /// `TF_VAR_*` environment variables as `(name without the prefix, value)`; the caller reads
    /// the environment, so tests need not.
    pub env: Vec<(String, String)>,
}

/// One `--var-file FILE` or `--var NAME=VALUE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CliVar {
    /// `--var-file FILE` (`.tfvars` or `.tfvars.json`).
    File(PathBuf),
    /// `--var NAME=VALUE`, as written (VALUE is an HCL expression for complex types, a plain
    /// string otherwise, as Terraform reads it).
    Pair(String),
}

/// The attributes a provider computes for a resource or data source (`id`, ...), from its
/// evaluated arguments: what references like `azurerm_subnet.a.id` resolve to. An attribute
/// neither in the arguments nor computed is unknown ("known after apply").
pub trait Provider {
    /// `kind` is the resource type (`azurerm_subnet`) or `data.` and the data source type
    /// (`data.azurerm_subnet`); `values` its evaluated arguments ([`Instance::values`]).
    fn computed(&self, kind: &str, values: &Json) -> Map<String, Json>;
}

/// What [`load`] read.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    /// Every resource instance of the root module and the modules it calls, in declaration
    /// order (module calls expanded where they are declared).
    pub instances: Vec<Instance>,
    /// Problems, each at its place.
    pub diagnostics: Vec<Diagnostic>,
    /// The `.tf` files read (so a caller can say how many, and fail when there are none).
    pub files: Vec<PathBuf>,
}

/// Reads the root module in `root` (a directory of `.tf` files, or one `.tf` file) and
/// evaluates it with `inputs`, asking `provider` for computed attributes.
pub fn load(root: &Path, inputs: &Inputs, provider: &dyn Provider) -> Loaded {
    let (instances, diagnostics, files) = modules::run(root, inputs, provider);
    Loaded {
        instances,
        diagnostics,
        files,
    }
}
