//! What the pictures show, asked of the engine: the main flows to draw (each only if the data
//! plane lets it through, along the path it actually takes) and the flow matrix between the
//! main places.

use aksnet_engine::trace::Verdict;
use std::collections::BTreeMap;

use crate::diagram::{Anchor, Flow, FlowKind};
use aksnet_engine::endpoints::EndpointKind;
use aksnet_engine::places::Place;
use aksnet_engine::topology::{SubnetIx, VnetIx};
use aksnet_engine::trace::{Query, Trace};
use aksnet_engine::DataPlane;
use aksnet_net::{Protocol, Services};

/// Traces flows for the diagram, with the subnet labels indexed once.
struct Tracer<'a, 'e> {
    dp: &'a DataPlane<'e>,
    by_label: BTreeMap<String, SubnetIx>,
}

impl<'a, 'e> Tracer<'a, 'e> {
    fn new(dp: &'a DataPlane<'e>) -> Self {
        let t = &dp.topology;
        let by_label = t
            .subnets
            .iter_enumerated()
            .map(|(s, sub)| (sub.label(t), s))
            .collect();
        Tracer { dp, by_label }
    }

    /// The anchors of a trace: each Internet, on-premises or subnet hop, without repeats.
    fn anchors(&self, tr: &Trace) -> Vec<Anchor> {
        let t = &self.dp.topology;
        let mut out = Vec::new();
        for h in &tr.hops {
            let a = match h.at.as_str() {
                "internet" => Some(Anchor::Internet),
                "onprem" => Some(Anchor::OnPrem),
                at => self
                    .by_label
                    .get(at)
                    .map(|&s| Anchor::Subnet(t.subnets[s].id.clone())),
            };
            if let Some(a) = a.filter(|a| out.last() != Some(a)) {
                out.push(a);
            }
        }
        out
    }

    /// HTTPS from `from` to `to` as a flow, when the data plane lets it through: where it starts,
    /// each subnet it crosses, where it ends.
    fn flow(&self, kind: FlowKind, from: Place, to: Place, fqdn: Option<&str>) -> Option<Flow> {
        let ends = |p: &Place| match p {
            Place::Internet => Some(Anchor::Internet),
            Place::OnPrem => Some(Anchor::OnPrem),
            _ => None,
        };
        let (first, last) = (ends(&from), ends(&to));
        let tr = self.dp.trace(&Query {
            from,
            to,
            protocol: Protocol::Tcp,
            port: 443,
            fqdn: fqdn.map(String::from),
        });
        if tr.verdict != Verdict::Allowed {
            return None;
        }
        let mut hops = self.anchors(&tr);
        if let Some(a) = first.filter(|a| hops.first() != Some(a)) {
            hops.insert(0, a);
        }
        if let Some(a) = last.filter(|a| hops.last() != Some(a)) {
            hops.push(a);
        }
        (hops.len() > 1).then_some(Flow { kind, hops })
    }
}

/// The flows of the diagram: per VNet with node pools, egress from its first user-pool subnet
/// (else its first node subnet); inbound through each public App Gateway; on-premises to each
/// internal load balancer; management to each private API server (from Bastion, else
/// on-premises); and nodes to each private endpoint in their VNet.
pub fn flows(dp: &DataPlane) -> Vec<Flow> {
    let t = &dp.topology;
    let tracer = Tracer::new(dp);
    // VNet → the node subnet its flows start from: a user pool's when there is one.
    let mut pools: BTreeMap<VnetIx, SubnetIx> = BTreeMap::new();
    for s in t.subnets.indices() {
        let Some(here) = &t.subnet_clusters[s] else {
            continue;
        };
        let chosen = pools.entry(t.subnets[s].vnet).or_insert(s);
        let chosen_is_user = t.subnet_clusters[*chosen].as_ref().is_some_and(|c| c.user);
        if here.user && !chosen_is_user {
            *chosen = s;
        }
    }
    let mut out = Vec::new();
    for &s in pools.values() {
        out.extend(tracer.flow(
            FlowKind::Egress,
            Place::Subnet(s),
            Place::Internet,
            Some("mcr.microsoft.com"),
        ));
    }
    let bastion = dp
        .endpoints
        .iter_enumerated()
        .find(|(_, b)| b.kind == EndpointKind::Bastion)
        .map(|(i, _)| i);
    for (i, e) in dp.endpoints.iter_enumerated() {
        let to = Place::Endpoint(i);
        let f = match &e.kind {
            EndpointKind::AppGatewayPublic => {
                tracer.flow(FlowKind::Inbound, Place::Internet, to, None)
            }
            EndpointKind::InternalLoadBalancer if !t.on_premises.is_empty() => {
                tracer.flow(FlowKind::OnPrem, Place::OnPrem, to, None)
            }
            EndpointKind::ApiServerPrivate => bastion
                .and_then(|b| {
                    tracer.flow(FlowKind::Management, Place::Endpoint(b), to.clone(), None)
                })
                .or_else(|| {
                    (!t.on_premises.is_empty())
                        .then(|| tracer.flow(FlowKind::Management, Place::OnPrem, to, None))
                        .flatten()
                }),
            EndpointKind::PrivateEndpoint(group) if !group.contains("data") => e
                .subnet
                .and_then(|ps| pools.get(&t.subnets[ps].vnet))
                .and_then(|&s| tracer.flow(FlowKind::PrivateLink, Place::Subnet(s), to, None)),
            _ => None,
        };
        out.extend(f);
    }
    out
}

/// One row or column of the flow matrix.
pub struct MatrixPlace {
    /// Shown name.
    pub label: String,
    /// The engine's place.
    pub place: Place,
    /// The VNet it belongs to (none for the Internet, on-premises, the hub's Bastion and
    /// public endpoints, which every per-VNet table shows).
    pub vnet: Option<VnetIx>,
    /// Whether it is a row (where flows start) as well as a column.
    pub source: bool,
}

/// The main places: the Internet, on-premises, the hub's Bastion, each cluster's node subnets,
/// and each endpoint
/// clients reach (App Gateways, internal load balancers, API servers, private endpoints).
pub fn matrix_places(dp: &DataPlane) -> Vec<MatrixPlace> {
    let t = &dp.topology;
    let mut v = vec![MatrixPlace {
        label: "Internet".into(),
        place: Place::Internet,
        vnet: None,
        source: true,
    }];
    if !t.on_premises.is_empty() {
        v.push(MatrixPlace {
            label: "on-premises".into(),
            place: Place::OnPrem,
            vnet: None,
            source: true,
        });
    }
    for s in t.subnets.indices() {
        if t.subnet_clusters[s].is_some() {
            v.push(MatrixPlace {
                label: t.subnets[s].label(t),
                place: Place::Subnet(s),
                vnet: Some(t.subnets[s].vnet),
                source: true,
            });
        }
    }
    // The hub's management entry point is a source too.
    for (i, e) in dp
        .endpoints
        .iter_enumerated()
        .filter(|(_, e)| e.kind == EndpointKind::Bastion)
    {
        v.push(MatrixPlace {
            label: e.name.clone(),
            place: Place::Endpoint(i),
            vnet: None,
            source: true,
        });
    }
    for (i, e) in dp.endpoints.iter_enumerated() {
        let keep = matches!(
            e.kind,
            EndpointKind::AppGatewayPublic
                | EndpointKind::AppGatewayPrivate
                | EndpointKind::InternalLoadBalancer
                | EndpointKind::ApiServerPrivate
                | EndpointKind::ApiServerPublic
        ) || matches!(&e.kind, EndpointKind::PrivateEndpoint(g) if !g.contains("data"));
        if keep {
            v.push(MatrixPlace {
                label: e.name.clone(),
                place: Place::Endpoint(i),
                vnet: home_vnet(dp, e),
                source: false,
            });
        }
    }
    v
}

/// The VNet an endpoint belongs to: its subnet's, or for a public frontend (no subnet) the VNet
/// of its resource — an App Gateway's private frontend, a cluster's node subnets — so that a
/// spoke's public gateway is drawn in that spoke's table, not in every VNet's.
fn home_vnet(dp: &DataPlane, e: &aksnet_engine::endpoints::Endpoint) -> Option<VnetIx> {
    let t = &dp.topology;
    let subnet = e.subnet.or_else(|| {
        dp.endpoints
            .iter()
            .find(|o| o.resource == e.resource && o.subnet.is_some())
            .and_then(|o| o.subnet)
            .or_else(|| {
                t.subnets.indices().find(|&s| {
                    t.subnet_clusters[s]
                        .as_ref()
                        .is_some_and(|c| c.cluster == e.resource)
                })
            })
    })?;
    Some(t.subnets[subnet].vnet)
}

/// What gets from `from` to `to`, as protocols and ports ("—" for nothing; names the firewall
/// admits by FQDN are marked "more by name", what depends on what the estate does not hold "more
/// unknown"; nothing from a place to itself).
pub fn cell(dp: &DataPlane, from: &Place, to: &Place) -> String {
    if from == to {
        return String::new();
    }
    summary(dp.reach_paths(from, to))
}

/// [`cell`] from `from` to each of `tos`, with one walk of the data plane for the whole row.
pub fn row(dp: &DataPlane, from: &Place, tos: &[&Place]) -> Vec<String> {
    dp.reach_paths_each(from, tos)
        .into_iter()
        .zip(tos)
        .map(|(paths, to)| {
            if *to == from {
                String::new()
            } else {
                summary(paths)
            }
        })
        .collect()
}

/// A cell's text from the paths of `reach` (merged as `reach` merges them, without its
/// descriptions and witness traces).
fn summary(paths: Vec<aksnet_engine::reach::PathResult>) -> String {
    let (paths, total) = aksnet_engine::reach::merge(paths);
    let services = total
        .parts()
        .into_iter()
        .fold(Services::none(), |acc, (_, _, s)| acc.union(&s));
    let mut text = if services.is_empty() {
        String::new()
    } else {
        services.to_string()
    };
    let mut mark = |on: bool, what: &str| {
        if on {
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(what);
        }
    };
    mark(
        paths
            .iter()
            .any(|p| !p.by_name.is_empty() && p.broken.is_none()),
        "more by name",
    );
    mark(
        paths
            .iter()
            .any(|p| !p.unknown.is_empty() && p.broken.is_none()),
        "more unknown",
    );
    if text.is_empty() {
        "—".into()
    } else {
        text
    }
}
