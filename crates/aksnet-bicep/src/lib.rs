//! Bicep without the Bicep CLI: `.bicep` files parsed with positions ([`syntax`]) and compiled
//! ([`lower`]) to the ARM template (language version 2.0) that `aksnet_arm::template` deploys,
//! with a [`SourceMap`] from the template's JSON paths back to the Bicep files, so that what
//! the deployer says about a resource points at its declaration. `.bicepparam` files are read
//! by [`params`]; registry and template-spec modules come from Bicep's local cache
//! ([`lower::modules`]) or are named as unavailable offline.
//!
//! Modules: `syntax` uses no other; `source_map` uses `syntax`'s line arithmetic; `lower`
//! builds on both; `params` compiles a `.bicepparam` file's values with `lower` and evaluates
//! them with `aksnet_arm`.

#![warn(missing_docs)]

pub mod lower;
pub mod params;
mod source_map;
pub mod syntax;

pub use lower::{compile, compile_with, Compiled, Options, Problem};
pub use source_map::{Place, SourceMap};
