//! ARM template expressions: the `[...]` strings of Azure Resource Manager templates, parsed and
//! evaluated as Azure deploys them, with values the caller cannot know (`Unknown`) carried
//! through instead of guessed.
//!
//! The modules form a chain without cycles: `expr` (the grammar) uses no other module; `value`
//! (values, unknowns, the deployment context, errors) uses `expr`; `eval` (the evaluator and
//! functions) builds on both; this file re-exports them.

#![warn(missing_docs)]

pub mod expr;
