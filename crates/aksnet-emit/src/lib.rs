//! Everything aksnet writes for people and tools: deployable Terraform (azurerm 4.x) and
//! Kubernetes manifests from an Estate, diagrams and the flows they show, the HTML report, the
//! findings as text, JSON, SARIF and Markdown, and the text renderings of plans, analyses and
//! summaries. The command line only chooses one and prints it.
//!
//! Every renderer is a pure function of its input: the same input gives byte-identical output.

#![warn(missing_docs)]

// Module order (each uses only modules before it): analysis → diagram → egress → findings → hcl →
// views → html → kubernetes → summary → terraform.
pub mod analysis;
pub mod diagram;
pub mod egress;
pub mod findings;
pub mod hcl;
pub mod headroom;
pub mod html;
pub mod kubernetes;
pub mod summary;
pub mod terraform;
pub mod views;

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

impl EmitError {
    /// As a diagnostic to show.
    pub fn diagnostic(&self) -> aksnet_model::Diagnostic {
        aksnet_model::Diagnostic::error(self.message.clone())
            .on_resource(&aksnet_model::ResourceId::new(&self.resource))
            .hint(self.hint.clone())
    }
}

impl std::fmt::Display for EmitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.diagnostic().fmt(f)
    }
}

/// A generated file: path relative to the output directory, and its text.
pub type File = (String, String);
