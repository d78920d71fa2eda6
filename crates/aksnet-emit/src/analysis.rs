//! Text renderings of the analyses: a trace, a reach, an exposure, a subnet's effective routes
//! and security rules.

use std::fmt::Write;

use aksnet_engine::topology::SubnetIx;
use aksnet_engine::trace::Trace;
use aksnet_engine::DataPlane;

/// Renders a trace as text.
pub fn trace_text(t: &Trace) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "trace {} → {}", t.from, t.to);
    for (i, h) in t.hops.iter().enumerate() {
        let p = &h.packet;
        let _ = writeln!(
            out,
            "{:>3}. {:<13} {:<9} {}  [{} → {} {}/{}]",
            i + 1,
            h.kind,
            h.decision,
            h.at,
            p.src,
            p.dst,
            p.protocol,
            p.port
        );
        let _ = writeln!(out, "     {}", h.detail);
    }
    let _ = writeln!(out, "verdict: {} — {}", t.verdict, t.reason);
    if let Some(r) = &t.return_path {
        let _ = writeln!(
            out,
            "return path: {}",
            if r.symmetric {
                "symmetric"
            } else {
                "ASYMMETRIC"
            }
        );
        for h in &r.hops {
            let _ = writeln!(out, "     {h}");
        }
        if let Some(w) = &r.warning {
            let _ = writeln!(out, "warning: {w}");
        }
    }
    for n in &t.notes {
        let _ = writeln!(out, "note: {n}");
    }
    out
}

/// Renders a reach or exposure result as text.
pub fn reach_text(r: &aksnet_engine::reach::Reach) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "reach {} → {}", r.from, r.to);
    if r.paths.is_empty() {
        let _ = writeln!(out, "nothing gets through");
    }
    if !r.total_described.is_empty() {
        let _ = writeln!(
            out,
            "gets through, with any host name or none: {}",
            r.total_described.join("; ")
        );
    }
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    if r.paths
        .iter()
        .any(|p| p.broken.is_some() || !p.unknown.is_empty())
    {
        let _ = writeln!(
            out,
            "(paths marked `cannot complete` deliver TCP connections whose replies do not come back: a trace of one is denied; paths marked `unknown` depend on what the estate does not hold; neither counts above)"
        );
    }
    for (i, p) in r.paths.iter().enumerate() {
        let _ = writeln!(out, "\n{}. delivered at {}", i + 1, p.delivered_at);
        let _ = writeln!(out, "   via: {}", p.via.join("; "));
        let _ = writeln!(out, "   packets:");
        for line in &p.described {
            let _ = writeln!(out, "     {line}");
        }
        if !p.by_name.is_empty() {
            let _ = writeln!(
                out,
                "   only for these names (matched by name at the firewall): {}",
                p.by_name.join(", ")
            );
        }
        if let Some(why) = &p.broken {
            let _ = writeln!(out, "   cannot complete (TCP): {why}");
        }
        for why in &p.unknown {
            let _ = writeln!(out, "   unknown: {why}");
        }
        if let Some(w) = &p.witness {
            let _ = writeln!(
                out,
                "   witness: {} → {}: {} ({} hops)",
                w.from,
                w.to,
                w.verdict,
                w.hops.len()
            );
        }
    }
    out
}

/// Renders an exposure as text: grouped by where packets are delivered, one line per service
/// and source, with what it takes (names, unknowns, connections that cannot complete) and the
/// witness's verdict; the path's devices follow on an indented line.
pub fn exposure_text(r: &aksnet_engine::reach::Reach) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "exposure {} → {}", r.from, r.to);
    if r.paths.is_empty() {
        let _ = writeln!(out, "nothing gets through");
    }
    let mut at: Vec<&str> = r.paths.iter().map(|p| p.delivered_at.as_str()).collect();
    at.dedup();
    for dest in at {
        let _ = writeln!(out, "\n{dest}");
        for p in r.paths.iter().filter(|p| p.delivered_at == dest) {
            let mut tags = Vec::new();
            if !p.by_name.is_empty() {
                tags.push(format!("only for names: {}", p.by_name.join(", ")));
            }
            if let Some(why) = &p.broken {
                tags.push(format!("cannot complete (TCP): {why}"));
            }
            for why in &p.unknown {
                tags.push(format!("unknown: {why}"));
            }
            if let Some(port) = p.translated_port {
                tags.push(format!("arrives on port {port}"));
            }
            if let Some(w) = &p.witness {
                tags.push(format!("witness {}", w.verdict));
            }
            for line in &p.described {
                let _ = writeln!(out, "  {line}");
            }
            if !tags.is_empty() {
                let _ = writeln!(out, "    [{}]", tags.join("; "));
            }
            let via: Vec<&str> = p
                .via
                .iter()
                .map(String::as_str)
                .filter(|v| !v.starts_with('→'))
                .collect();
            let _ = writeln!(out, "    via {}", via.join("; "));
        }
    }
    out
}

/// Effective routes, in the layout of `az network nic show-effective-route-table -o table`.
pub fn routes_text(dp: &DataPlane, s: SubnetIx) -> String {
    let mut out = String::new();
    let t = &dp.topology;
    let _ = writeln!(out, "Effective routes of {}", t.subnets[s].label(t));
    let rows: Vec<[String; 5]> = dp.routes[s]
        .iter()
        .map(|r| {
            let (hop, ip) = match &r.next_hop {
                aksnet_engine::routes::NextHop::VirtualAppliance(ip) => {
                    ("VirtualAppliance".to_string(), ip.to_string())
                }
                aksnet_engine::routes::NextHop::InterfaceEndpoint(ip) => {
                    ("InterfaceEndpoint".to_string(), ip.to_string())
                }
                aksnet_engine::routes::NextHop::VirtualNetworkServiceEndpoint(_) => {
                    ("VirtualNetworkServiceEndpoint".to_string(), String::new())
                }
                aksnet_engine::routes::NextHop::VNetPeering(_) => {
                    ("VNetPeering".to_string(), String::new())
                }
                other => (other.to_string(), String::new()),
            };
            [
                format!("{:?}", r.source),
                r.state.to_string(),
                r.address_prefix.to_string(),
                hop,
                ip,
            ]
        })
        .collect();
    table(
        &mut out,
        &[
            "Source",
            "State",
            "Address Prefix",
            "Next Hop Type",
            "Next Hop IP",
        ],
        &rows,
    );
    for note in route_notes(dp, s) {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

/// What the table of subnet `s` cannot show: a route table the estate does not hold, routes to
/// service tags whose prefixes are not loaded, active routes whose next hop address is unknown
/// before deployment.
pub fn route_notes(dp: &DataPlane, s: SubnetIx) -> Vec<String> {
    use aksnet_engine::routes::{unknown_next_hop, NextHop, RouteState};
    let mut notes = Vec::new();
    if let Some(id) = dp.absent_route_table(s) {
        notes.push(format!(
            "route table `{}` is not in the estate: only system routes are shown",
            id.name()
        ));
    }
    notes.extend(dp.route_tag_unknown(s).map(str::to_string));
    notes.extend(dp.routes[s].iter().filter_map(|r| match &r.next_hop {
        NextHop::VirtualAppliance(aksnet_model::Maybe::Unknown(u))
            if r.state == RouteState::Active =>
        {
            Some(format!(
                "{}: what it carries is unknown",
                unknown_next_hop(r, u)
            ))
        }
        _ => None,
    }));
    notes
}

/// Effective security rules of a subnet's NSG, in priority order per direction, then those of
/// the NIC-level NSGs of the network interfaces in it.
pub fn nsg_text(dp: &DataPlane, s: SubnetIx) -> String {
    let mut out = String::new();
    let t = &dp.topology;
    let sub = &t.subnets[s];
    let _ = writeln!(out, "Effective security rules of {}", sub.label(t));
    if sub.nsg_exempt() {
        let _ = writeln!(
            out,
            "NSGs are not applied on {} (azure-semantics §3.8)",
            sub.name
        );
        return out;
    }
    match &dp.nsgs[s] {
        None => {
            let _ = writeln!(
                out,
                "no NSG associated: all traffic is allowed at the subnet"
            );
        }
        Some(rules) => {
            let _ = writeln!(
                out,
                "NSG {}; VirtualNetwork here = {}",
                sub.nsg.as_ref().map(|n| n.name()).unwrap_or(""),
                dp.vnet_tags[s]
            );
            rules_table(&mut out, rules);
        }
    }
    for g in &dp.nic_nsgs[s] {
        let _ = writeln!(
            out,
            "\nNIC-level NSG {} on {} ({}): inbound after the subnet's NSG, outbound before it{}",
            g.nsg.name(),
            g.nics.join(", "),
            g.addresses,
            if g.absent {
                "; not in the estate, so only Azure's default rules are known"
            } else {
                ""
            }
        );
        rules_table(&mut out, &g.rules);
    }
    out
}

/// One NSG's compiled rules as a table, with what did not resolve.
fn rules_table(out: &mut String, rules: &[aksnet_engine::nsg::CompiledRule]) {
    let rows: Vec<[String; 8]> = rules
        .iter()
        .map(|r| {
            [
                format!("{:?}", r.direction),
                r.priority.to_string(),
                r.name.clone(),
                r.access_name.to_string(),
                r.protocol.clone(),
                r.source.clone(),
                r.destination.clone(),
                r.destination_ports.clone(),
            ]
        })
        .collect();
    table(
        out,
        &[
            "Direction",
            "Priority",
            "Name",
            "Access",
            "Protocol",
            "Source",
            "Destination",
            "Ports",
        ],
        &rows,
    );
    let mut unresolved: Vec<&str> = rules
        .iter()
        .flat_map(|r| r.unresolved.iter().map(String::as_str))
        .collect();
    unresolved.sort_unstable();
    unresolved.dedup();
    if !unresolved.is_empty() {
        let _ = writeln!(out, "note: service tags without prefixes offline: {}; rules naming them match nothing in traces", unresolved.join(", "));
    }
    let mut dangling: Vec<&str> = rules
        .iter()
        .flat_map(|r| r.dangling_asgs.iter().map(String::as_str))
        .collect();
    dangling.sort_unstable();
    dangling.dedup();
    if !dangling.is_empty() {
        let _ = writeln!(out, "note: application security groups not in the estate: {}; what rules naming them decide is unknown in traces", dangling.join(", "));
    }
    for n in rules.iter().flat_map(|r| &r.notes) {
        let _ = writeln!(out, "note: {n}");
    }
}

/// A left-aligned table.
fn table<const N: usize>(out: &mut String, header: &[&str; N], rows: &[[String; N]]) {
    let mut w = [0usize; N];
    for (i, h) in header.iter().enumerate() {
        w[i] = h.len();
    }
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<width$}", width = w[i]))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let _ = writeln!(out, "{}", line(header.to_vec()));
    let _ = writeln!(
        out,
        "{}",
        line(
            w.iter()
                .map(|n| "-".repeat(*n))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str)
                .collect()
        )
    );
    for r in rows {
        let _ = writeln!(out, "{}", line(r.iter().map(String::as_str).collect()));
    }
}
