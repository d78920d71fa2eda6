//! Generators: deployable Terraform (azurerm 4.x) and Kubernetes manifests from an Estate.
//!
//! Every generator is a pure function of the Estate: the same estate gives byte-identical files.

#![warn(missing_docs)]

pub mod diagram;
pub mod hcl;
pub mod kubernetes;
pub mod terraform;

/// Something in the estate that cannot be expressed in the generated code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmitError {
    /// The resource at fault.
    pub resource: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl std::fmt::Display for EmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "error: {}\n  --> {}\n  = hint: {}",
            self.message, self.resource, self.hint
        )
    }
}

/// A generated file: path relative to the output directory, and its text.
pub type File = (String, String);
