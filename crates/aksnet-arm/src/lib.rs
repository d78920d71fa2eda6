//! ARM template expressions: the `[...]` strings of Azure Resource Manager templates, parsed and
//! evaluated as Azure deploys them, with values the caller cannot know (`Unknown`) carried
//! through instead of guessed.
//!
//! The modules form a chain without cycles: `expr` (the grammar) and `hash` (`uniqueString`'s
//! hash) use no other module; `value` (values, unknowns, the deployment context, errors) uses
//! neither; `eval` (the evaluator and functions) builds on all three; this file re-exports them.

#![warn(missing_docs)]

pub mod eval;
pub mod expr;
mod hash;
pub mod template;
pub mod value;

pub use eval::{eval, eval_template_string, eval_with};
pub use expr::{parse_expr, parse_template_string, Expr, ExprKind, ParseError, Template};
pub use value::{Context, EvalError, Host, NoHost, Unknown, UserFunction, Value};

/// Any error from parsing or evaluating a template string.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The expression does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The expression parses but cannot be evaluated.
    #[error(transparent)]
    Eval(#[from] EvalError),
}
