//! Configurations: parse, load modules and variables, evaluate into [`crate::Instance`]s.
//!
//! - `parse`: `.tf` files read with hcl-edit (override files merged), positions as origins;
//! - `vars`: the root module's variable values by Terraform's precedence; `types`: type
//!   constraints applied to them;
//! - `eval`: expressions, templates, `for`, splats and operators over
//!   [`aksnet_arm::Value`], unknowns propagating; `functions`: the built-in functions;
//! - `modules`: module instances, evaluated lazily (locals, resources, data sources, module
//!   calls, outputs, each once, cycles reported) with `count`/`for_each`; `scope`: the names
//!   an expression in a module sees; `body`: block bodies (nested and `dynamic` blocks) as
//!   JSON;
//! - `value`: conversions, limits and the markers shared by all.
//!
//! Evaluation is bounded: expression depth, chained references, module depth, instances,
//! list and string sizes and the total work of one [`load`] all have limits that end in a
//! diagnostic, never a hang or a stack overflow.

mod body;
mod eval;
mod functions;
mod modules;
mod parse;
mod scope;
mod types;
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

    /// [`Provider::computed`] for a resource whose provider configuration states
    /// `subscription` ([`Instance::subscription`]); `None` is the provider's own default. By
    /// default the subscription is not used.
    fn computed_in(
        &self,
        kind: &str,
        values: &Json,
        subscription: Option<&str>,
    ) -> Map<String, Json> {
        let _ = subscription;
        self.computed(kind, values)
    }
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
pub fn load(root: &Path, inputs: &Inputs, provider: &(dyn Provider + Sync)) -> Loaded {
    let (instances, diagnostics, files) = run_on_large_stack(root, inputs, provider);
    Loaded {
        instances,
        diagnostics,
        files,
    }
}

/// The stack of the evaluating thread: evaluation recurses (expressions, references, modules,
/// each bounded), and a large stack keeps the bounds generous whatever thread calls [`load`].
const EVAL_STACK: usize = 256 << 20;

type Run = (Vec<Instance>, Vec<Diagnostic>, Vec<PathBuf>);

/// Evaluates on a scoped thread with a large stack, the provider shared with it (it is
/// `Sync`: no round trip between threads per reference); a panic there is an error, not a
/// crash.
fn run_on_large_stack(root: &Path, inputs: &Inputs, provider: &(dyn Provider + Sync)) -> Run {
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name("aksnet-tf-eval".into())
            .stack_size(EVAL_STACK)
            .spawn_scoped(s, || modules::run(root, inputs, provider));
        match worker {
            Ok(w) => w.join().map_err(|_| ()),
            // No thread to be had (a constrained environment): evaluate here, on the
            // caller's stack.
            Err(_) => Ok(modules::run(root, inputs, provider)),
        }
    })
    .unwrap_or_else(|()| {
        (
            Vec::new(),
            vec![Diagnostic {
                error: true,
                origin: None,
                message: "internal error: the configuration evaluator failed".into(),
                hint: None,
            }],
            Vec::new(),
        )
    })
}
