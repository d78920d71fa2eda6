//! `.bicepparam` files: `using` names the template, `param name = value` gives values (which
//! may use the file's `var`s, other parameters, functions, `readEnvironmentVariable` and
//! `az.getSecret`, whose value is unknown). Values are compiled with [`crate::lower`] into a
//! template that only has outputs, and evaluated by the ARM deployer.

pub use crate::lower::params_file::{read, using, ParamFile};
