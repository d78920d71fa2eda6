//! User flow intents: "internet must not reach aks-prod/nodes", "onprem must reach aks-prod/ilb
//! on tcp/443", checked by the engine. A deny intent is checked exhaustively on packet sets (no
//! packet on those ports gets through, by any path, for any name); an allow intent is checked by
//! tracing each port range's first and last port between the places' representative hosts.

use aksnet_design::intent::flow_services as services;
use aksnet_engine::places::Place;
use aksnet_engine::trace::Query;
use aksnet_engine::trace::Verdict;
use aksnet_engine::DataPlane;
use aksnet_net::{PacketSet, PortRange, PrefixSet, Protocol, ProtocolSet, Services};
use serde::Serialize;

use crate::{Finding, Severity, SourceLocation};

/// The code of intent findings.
pub const INTENT_CODE: &str = "AKS-INTENT";

/// One flow intent, as written by the user.
#[derive(Clone, Debug)]
pub struct FlowIntent {
    /// Source place.
    pub from: String,
    /// Destination place.
    pub to: String,
    /// `tcp/443`, `udp/53`, `tcp/8000-8100`, comma-separated; `None` is every protocol and port.
    pub ports: Option<String>,
    /// True for `expect: allow`.
    pub allow: bool,
    /// Where it was written.
    pub location: Option<SourceLocation>,
}

/// An intent that cannot be evaluated: a place or port spec the estate does not know.
#[derive(Clone, Debug, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct IntentError {
    /// What kind of mistake.
    pub kind: IntentErrorKind,
    /// What is wrong.
    pub message: String,
    /// Where the intent was written.
    pub location: Option<SourceLocation>,
}

/// What an unusable intent gets wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum IntentErrorKind {
    /// `from` or `to` is no place of the estate.
    Place,
    /// `ports` does not parse, or an allow intent has none.
    Ports,
}

impl IntentErrorKind {
    /// How to fix it.
    pub fn hint(self) -> &'static str {
        match self {
            IntentErrorKind::Place => {
                "places are those of `aksnet trace` (run `aksnet trace --help`), plus <spoke>/nodes"
            }
            IntentErrorKind::Ports => {
                "write ports as tcp/443, udp/53, tcp/8000-8100 or icmp, comma-separated; an allow intent needs them"
            }
        }
    }
}

/// The places a name stands for: the engine's places, plus `<spoke>/nodes` (every node subnet
/// of that VNet) and `<spoke>/<endpoint>` for `<spoke>:<endpoint>`.
pub fn places(plane: &DataPlane, name: &str) -> Result<Vec<Place>, String> {
    match plane.place(name) {
        Ok(p) => Ok(vec![p]),
        Err(e) => {
            let t = &plane.topology;
            if let Some(vnet) = name.strip_suffix("/nodes") {
                let found: Vec<Place> = t
                    .subnets
                    .indices()
                    .filter(|&s| t.subnet_clusters[s].is_some())
                    .filter(|&s| {
                        let v = &t.vnets[t.subnets[s].vnet].name;
                        v.eq_ignore_ascii_case(vnet)
                            || v.eq_ignore_ascii_case(&format!("vnet-{vnet}"))
                    })
                    .map(Place::Subnet)
                    .collect();
                if !found.is_empty() {
                    return Ok(found);
                }
            }
            if let Some((spoke, endpoint)) = name.split_once('/') {
                if let Ok(p) = plane.place(&format!("{spoke}:{endpoint}")) {
                    return Ok(vec![p]);
                }
            }
            Err(format!(
                "{}{}",
                e.reason,
                if e.known.is_empty() {
                    String::new()
                } else {
                    format!(" (known places: {}, or <spoke>/nodes)", e.known.join(", "))
                }
            ))
        }
    }
}

/// Checks every intent; a violated one becomes a finding with its witness trace.
pub fn check_intents(
    plane: &DataPlane,
    intents: &[FlowIntent],
) -> Result<Vec<Finding>, IntentError> {
    let mut out = Vec::new();
    for i in intents {
        let fail = |kind: IntentErrorKind, message: String| IntentError {
            kind,
            message,
            location: i.location.clone(),
        };
        let wanted = services(i.ports.as_deref()).map_err(|m| fail(IntentErrorKind::Ports, m))?;
        let from = places(plane, &i.from).map_err(|m| {
            fail(
                IntentErrorKind::Place,
                format!("intent from `{}`: {m}", i.from),
            )
        })?;
        let to = places(plane, &i.to)
            .map_err(|m| fail(IntentErrorKind::Place, format!("intent to `{}`: {m}", i.to)))?;
        if i.allow && i.ports.is_none() {
            return Err(fail(
                IntentErrorKind::Ports,
                format!(
                    "intent {} → {} expects allow but names no ports; add e.g. `ports: tcp/443`",
                    i.from, i.to
                ),
            ));
        }
        let what = format!(
            "{} → {}{} must be {}",
            i.from,
            i.to,
            i.ports
                .as_ref()
                .map(|p| format!(" on {p}"))
                .unwrap_or_default(),
            if i.allow { "allowed" } else { "denied" }
        );
        for f in &from {
            for t in &to {
                let violation = if i.allow {
                    refused(plane, f, t, &wanted)
                } else {
                    admitted(plane, f, t, &wanted)
                };
                if let Some((why, witness)) = violation {
                    out.push(Finding {
                        code: INTENT_CODE,
                        severity: Severity::Error,
                        message: format!("intent violated: {what}; {why}"),
                        resources: Vec::new(),
                        witness,
                        location: i.location.clone(),
                        suppressed: None,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// For an allow intent: the first port that does not get through, with its trace.
fn refused(
    plane: &DataPlane,
    from: &Place,
    to: &Place,
    wanted: &[(Protocol, PortRange)],
) -> Option<(String, Option<aksnet_engine::trace::Trace>)> {
    for &(protocol, range) in wanted {
        let ports = if range.start == range.end {
            vec![range.start]
        } else {
            vec![range.start, range.end]
        };
        for port in ports {
            let tr = plane.trace(&Query {
                from: from.clone(),
                to: to.clone(),
                protocol,
                port,
                fqdn: None,
            });
            match tr.verdict {
                Verdict::Allowed => {}
                Verdict::Denied => {
                    return Some((format!("{protocol}/{port} is {}", tr.reason), Some(tr)))
                }
                Verdict::Unknown => {
                    return Some((
                        format!("{protocol}/{port} is unknown: {}", tr.reason),
                        Some(tr),
                    ))
                }
            }
        }
    }
    None
}

/// A concrete name a by-name allowance admits: `*.example.com` → `aksnet-probe.example.com`;
/// the AKS FQDN tag → its first member as aksnet models it (`aks_egress::REQUIRED_FQDNS`).
fn witness_name(allowance: &str) -> String {
    match allowance.strip_prefix("tag:") {
        Some(tag) if tag.eq_ignore_ascii_case(aksnet_model::aks_egress::AKS_FQDN_TAG) => {
            aksnet_model::aks_egress::REQUIRED_FQDNS
                .iter()
                .find(|r| !r.fqdn.contains('{') && !r.fqdn.starts_with('*'))
                .map_or_else(|| tag.to_string(), |r| r.fqdn.to_string())
        }
        Some(tag) => tag.to_string(),
        None => match allowance.strip_prefix("*.") {
            Some(rest) => format!("aksnet-probe.{rest}"),
            None => allowance.to_string(),
        },
    }
}

/// For a deny intent: packets that get through on the ports, with a traced one.
fn admitted(
    plane: &DataPlane,
    from: &Place,
    to: &Place,
    wanted: &[(Protocol, PortRange)],
) -> Option<(String, Option<aksnet_engine::trace::Trace>)> {
    let everything = PrefixSet::everything();
    let ports = wanted.iter().fold(PacketSet::empty(), |acc, &(p, r)| {
        let mut protocols = ProtocolSet::NONE;
        protocols.insert(p);
        let services = if p.has_ports() {
            Services::of(p, r)
        } else {
            Services::new(protocols, &aksnet_net::PortSet::any())
        };
        acc.union(&PacketSet::from_parts(&everything, &everything, services))
    });
    let reach = plane.reach(from, to);
    // Connections whose replies cannot come back are denied (a trace says so): not a breach.
    for path in reach.paths.iter().filter(|p| p.broken.is_none()) {
        let hit = path.packets.intersection(&ports);
        let Some((src, dst, protocol, port)) = hit.sample() else {
            continue;
        };
        let names = if path.by_name.is_empty() {
            String::new()
        } else {
            format!(" for names {}", path.by_name.join(", "))
        };
        // Pinned to the places' subnets where overlapping VNets make an address ambiguous.
        let witness = plane.trace(&Query {
            from: plane.pinned_address(src, plane.home_subnet(from)),
            to: plane.pinned_address(dst, plane.home_subnet(to)),
            protocol,
            port,
            fqdn: path.by_name.first().map(|n| witness_name(n)),
        });
        return Some((
            format!(
                "{} gets through{names} (delivered at {})",
                plane.render(&hit).join("; "),
                path.delivered_at
            ),
            Some(witness),
        ));
    }
    None
}
