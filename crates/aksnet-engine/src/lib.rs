//! The engine: Azure's data plane for an Estate.
//!
//! [`DataPlane::compile`] turns an Estate into indices and per-subnet tables — effective routes,
//! the `VirtualNetwork` tag in context, compiled NSG rules — and compiled firewall policies.
//! Analyses on it are pure: [`trace`] follows one flow hop by hop with the rule that made each
//! decision and checks the return path; [`reach`] computes packet sets between places.
//!
//! Every Azure behaviour lives in one module with its source: routes in [`routes`], tags in
//! [`tags`], NSGs in [`nsg`], Azure Firewall in [`firewall`], DNS in [`dns`]; switches for the
//! behaviours the sources disagree on in [`options`].

pub mod dns;
mod endpoints;
pub mod firewall;
pub mod nsg;
pub mod options;
pub mod places;
pub mod reach;
pub mod routes;
pub mod tags;
pub mod topology;
pub mod trace;

use std::collections::BTreeMap;
use std::net::IpAddr;

use aksnet_model::{Estate, ResourceId};
use aksnet_net::PrefixSet;

pub use options::Options;
pub use places::{Place, PlaceError};
pub use topology::Topology;

/// An Estate compiled for analysis.
pub struct DataPlane<'e> {
    /// The estate.
    pub estate: &'e Estate,
    /// Behaviour switches.
    pub options: Options,
    /// Indices.
    pub topology: Topology,
    /// Effective routes per subnet.
    pub routes: Vec<Vec<routes::EffectiveRoute>>,
    /// `VirtualNetwork` tag per subnet.
    pub vnet_tags: Vec<PrefixSet>,
    /// Compiled NSG rules per subnet (`None` = no NSG associated).
    pub nsgs: Vec<Option<Vec<nsg::CompiledRule>>>,
    /// Compiled policy per firewall private IP.
    pub firewalls: BTreeMap<IpAddr, (ResourceId, firewall::Policy)>,
}

impl<'e> DataPlane<'e> {
    /// Compiles an estate.
    pub fn compile(estate: &'e Estate, options: Options) -> Self {
        let topology = Topology::new(estate);
        let n = topology.subnets.len();
        let routes = (0..n)
            .map(|s| routes::effective_routes(&topology, estate, &options, s))
            .collect();
        let vnet_tags: Vec<PrefixSet> = (0..n)
            .map(|s| tags::virtual_network(&topology, estate, &options, s))
            .collect();
        let nsgs = (0..n)
            .map(|s| {
                topology.subnets[s]
                    .nsg
                    .as_ref()
                    .map(|id| nsg::compile(estate, id, &vnet_tags[s]))
            })
            .collect();
        let mut firewalls = BTreeMap::new();
        for fw in estate.azure_firewalls.iter() {
            let Some(ip) = fw.properties.private_ip().and_then(|a| a.parse().ok()) else {
                continue;
            };
            let location = fw.location.clone().unwrap_or_default();
            let policy = match &fw.properties.firewall_policy {
                Some(p) => firewall::compile(estate, &p.id, &location),
                None => firewall::Policy {
                    name: "(no policy)".to_string(),
                    threat_intel_mode: "Off".to_string(),
                    ..Default::default()
                },
            };
            firewalls.insert(ip, (fw.id.clone(), policy));
        }
        Self {
            estate,
            options,
            topology,
            routes,
            vnet_tags,
            nsgs,
            firewalls,
        }
    }
}
