//! The Estate: aksnet's one model of an Azure network estate.
//!
//! Every resource type the hub-and-spoke AKS design uses, in ARM's envelope and with ARM's
//! property names, keyed by resource id ([`Estate`]). The planner builds one, importers read
//! one, and every analysis and emitter consumes one. [`validate()`] checks what Azure itself
//! would refuse (see [`azure`] for the constants and their sources).

#![warn(missing_docs)]
// Source tags such as [VNETFAQ] cite the source list of shared/azure-semantics.md; they are
// references for readers, not links to items.
#![allow(rustdoc::broken_intra_doc_links)]

// Module order (each uses only modules before it): azure → defaults → checked → id → resource → aks → aks_egress →
// maybe → network → appgw → diagnostic → firewall → gateway → paas → private → estate → uses → limits → capacity → validate.
pub mod aks;
pub mod aks_egress;
pub mod appgw;
pub mod authorization;
pub mod azure;
pub mod capacity;
pub mod checked;
pub mod defaults;
pub mod diagnostic;
pub mod estate;
pub mod firewall;
pub mod gateway;
pub mod id;
pub mod limits;
pub mod maybe;
pub mod naming;
pub mod network;
pub mod paas;
pub mod private;
pub mod resource;
pub mod uses;
pub mod validate;

pub use diagnostic::{Diagnostic, Location, Severity};
pub use estate::{Estate, EstateJsonError, ESTATE_SCHEMA_VERSION};
pub use id::ResourceId;
pub use maybe::{Maybe, UnknownValue};
pub use resource::{Child, Collection, Resource, ResourceType, SubResource};
pub use validate::{validate, Problem};
