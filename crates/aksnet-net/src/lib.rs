//! IP prefixes, prefix sets, port ranges and protocols.
//!
//! This crate is the arithmetic under aksnet: the address planner allocates with it and the
//! validator (and later the engine) asks it about containment and overlap. It knows nothing of
//! Azure: Azure's reserved addresses, special subnets and service tags live in `aksnet-model`.
//!
//! - [`Prefix`]: one CIDR block, IPv4 or IPv6, always in canonical (network-address) form.
//! - [`PrefixSet`]: any set of addresses, stored as sorted disjoint intervals per family, with
//!   union, intersection, difference and aggregation back to the fewest CIDR blocks.
//! - [`PortRange`] / [`PortSet`]: transport ports, with the same set algebra.
//! - [`Protocol`] / [`ProtocolSet`]: the IP protocols Azure carries.
//! - [`PacketSet`] / [`Services`]: sets of packets (source, destination, protocol, port), canonical.
//! - [`SetIndex`]: which of many prefix sets hold an address.

#![warn(missing_docs)]

// Module order (each uses only modules before it): interval → prefix → port → prefix_set → protocol
// → packet → set_index.
mod interval;
mod packet;
mod port;
mod prefix;
mod prefix_set;
mod protocol;
mod set_index;

pub use interval::IntervalSet;
pub use packet::{PacketSet, Services, SourceCut};
pub use port::{PortRange, PortSet};
pub use prefix::{Family, ParseError, Prefix};
pub use prefix_set::PrefixSet;
pub use protocol::{Protocol, ProtocolSet};
pub use set_index::SetIndex;
