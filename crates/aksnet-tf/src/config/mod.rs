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
pub fn load(root: &Path, inputs: &Inputs, provider: &dyn Provider) -> Loaded {
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

/// A request to the calling thread's provider: kind, values and subscription.
type Request = (String, Json, Option<String>);

/// Evaluates on a thread with a large stack; the provider, which need not be `Sync`, is
/// asked from the calling thread, which answers each request until the evaluation ends.
fn run_on_large_stack(root: &Path, inputs: &Inputs, provider: &dyn Provider) -> Run {
    use std::sync::mpsc;
    let (req_tx, req_rx) = mpsc::channel::<Request>();
    let (resp_tx, resp_rx) = mpsc::channel::<Map<String, Json>>();
    // The channels move into the scope, so that a panicking provider drops them and the
    // evaluating thread, seeing them closed, finishes instead of waiting for ever.
    std::thread::scope(move |s| {
        let worker = std::thread::Builder::new()
            .name("aksnet-tf-eval".into())
            .stack_size(EVAL_STACK)
            .spawn_scoped(s, move || {
                let proxy = ProxyProvider {
                    requests: req_tx,
                    responses: resp_rx,
                };
                modules::run(root, inputs, &proxy)
            });
        let worker = match worker {
            Ok(w) => w,
            // No thread to be had (a constrained environment): evaluate here, on the
            // caller's stack.
            Err(_) => return Ok(modules::run(root, inputs, provider)),
        };
        for (kind, values, sub) in req_rx {
            if resp_tx
                .send(provider.computed_in(&kind, &values, sub.as_deref()))
                .is_err()
            {
                break;
            }
        }
        worker.join().map_err(|_| ())
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

/// A [`Provider`] on the evaluating thread that asks the calling thread's provider.
struct ProxyProvider {
    requests: std::sync::mpsc::Sender<Request>,
    responses: std::sync::mpsc::Receiver<Map<String, Json>>,
}

impl Provider for ProxyProvider {
    fn computed(&self, kind: &str, values: &Json) -> Map<String, Json> {
        self.computed_in(kind, values, None)
    }

    fn computed_in(
        &self,
        kind: &str,
        values: &Json,
        subscription: Option<&str>,
    ) -> Map<String, Json> {
        let request = (
            kind.to_string(),
            values.clone(),
            subscription.map(str::to_string),
        );
        if self.requests.send(request).is_err() {
            return Map::new();
        }
        self.responses.recv().unwrap_or_default()
    }
}
