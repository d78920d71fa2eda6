//! The architecture diagram: on-premises, the hub and every spoke as containers with their
//! subnets (name, prefix) and what runs in each, peerings as connectors, and the main flows as
//! coloured paths. One deterministic layered layout — on-premises | hub | spokes stacked — that
//! stays readable from 1 to 20 spokes (the page grows downwards), rendered as SVG (no fonts or
//! links to fetch), Graphviz `dot` or Mermaid for users who restyle.
//!
//! Which flows exist is the engine's answer, not this module's: callers pass [`Flow`]s.

use std::collections::BTreeMap;
use std::fmt::Write;

use aksnet_model::{Estate, ResourceId};

/// Where a flow passes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Anchor {
    /// The Internet.
    Internet,
    /// On-premises.
    OnPrem,
    /// A subnet.
    Subnet(ResourceId),
}

/// The kinds of flow drawn, each in its colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FlowKind {
    /// Internet → WAF → internal load balancer → user pool.
    Inbound,
    /// Nodes → firewall → Internet.
    Egress,
    /// On-premises → firewall → internal load balancer.
    OnPrem,
    /// Bastion / on-premises → API server.
    Management,
    /// Nodes → private endpoints.
    PrivateLink,
}

impl FlowKind {
    fn colour(self) -> &'static str {
        match self {
            FlowKind::Inbound => "#1f6feb",
            FlowKind::Egress => "#d4750b",
            FlowKind::OnPrem => "#2da44e",
            FlowKind::Management => "#8250df",
            FlowKind::PrivateLink => "#0c8a8a",
        }
    }

    /// Legend text.
    pub fn label(self) -> &'static str {
        match self {
            FlowKind::Inbound => "inbound: Internet → WAF → ILB → nodes",
            FlowKind::Egress => "egress: nodes → firewall → Internet",
            FlowKind::OnPrem => "on-premises → firewall → ILB",
            FlowKind::Management => "management → API server",
            FlowKind::PrivateLink => "private link: nodes → ACR / Key Vault",
        }
    }

    fn lane(self) -> i64 {
        self as i64
    }
}

/// A flow to draw, through its anchors in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// What it is.
    pub kind: FlowKind,
    /// The places it passes.
    pub hops: Vec<Anchor>,
}

const ROW: i64 = 30;
const HEAD: i64 = 38;
/// A further line of text in a row or header.
const LINE: i64 = 15;
/// Characters of a VNet name that fit beside its address space.
const NAME_CHARS: usize = 34;
/// Characters of a subnet name that fit before its prefix.
const SUBNET_CHARS: usize = 20;
/// Characters of contents per line of a row.
const CHIP_CHARS: usize = 40;
/// Room above a VNet for its subscription frame's label.
const FRAME_PAD: i64 = 24;

/// Text inside a DOT double-quoted string: backslashes and quotes escaped (an intent may name
/// a subscription anything).
fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// How a subscription is named in diagrams: the intent's name for it, else its id; the
/// placeholder of a hub or spoke whose intent names none is `not named`.
fn subscription_label(e: &Estate, id: &ResourceId) -> String {
    let sub = id.subscription().unwrap_or_default().to_ascii_lowercase();
    if sub == aksnet_model::azure::PLACEHOLDER_SUBSCRIPTION {
        return "not named".into();
    }
    e.subscription_names.get(&sub).cloned().unwrap_or(sub)
}

const VNET_W: i64 = 520;
const GAP: i64 = 28;
const ONPREM_X: i64 = 20;
const ONPREM_W: i64 = 170;
const HUB_X: i64 = 250;
const SPOKE_X: i64 = HUB_X + VNET_W + 110;
const TOP: i64 = 110;

/// One subnet row's box.
#[derive(Clone, Copy, Debug)]
struct RowBox {
    x: i64,
    y: i64,
    /// Its height: [`ROW`], and a [`LINE`] per further line its labels wrap onto.
    h: i64,
    column: usize,
}

/// A subnet row: its name, prefix and what runs in it, wrapped into lines (nothing is cut).
struct Row {
    name: String,
    prefix: String,
    /// Lines of contents, right-aligned; the first beside the name.
    lines: Vec<String>,
    /// Top, from the VNet's top.
    top: i64,
    /// Height.
    h: i64,
}

/// A VNet container: where it is, its header (one line, or two when the name is long) and
/// its subnet rows.
struct VnetBox {
    id: ResourceId,
    x: i64,
    y: i64,
    height: i64,
    head: i64,
    column: usize,
    name: String,
    space: String,
    rows: Vec<Row>,
}

/// A subscription's frame around its VNets in one column: label, x, y, width, height.
type Frame = (String, i64, i64, i64, i64);

struct Layout {
    vnets: Vec<VnetBox>,
    /// Subscription frames, when the estate spans more than one subscription.
    frames: Vec<Frame>,
    rows: BTreeMap<ResourceId, RowBox>,
    width: i64,
    height: i64,
    onprem: Option<(i64, i64, Vec<String>)>,
    zones: Vec<String>,
    zones_y: i64,
}

/// What runs in each subnet, as short labels.
fn contents(e: &Estate) -> BTreeMap<ResourceId, Vec<String>> {
    let mut m: BTreeMap<ResourceId, Vec<String>> = BTreeMap::new();
    let mut put = |id: &ResourceId, label: String| m.entry(id.clone()).or_default().push(label);
    for f in e.azure_firewalls.iter() {
        for c in &f.properties.ip_configurations {
            put(
                &c.properties.subnet.id,
                format!("firewall {}", f.properties.sku.tier)
                    .trim_end()
                    .to_string(),
            );
        }
    }
    for g in e.virtual_network_gateways.iter() {
        if let Some(c) = g.properties.ip_configurations.first() {
            put(
                &c.properties.subnet.id,
                format!("{} gateway", g.properties.gateway_type),
            );
        }
    }
    for b in e.bastion_hosts.iter() {
        if let Some(c) = b.properties.ip_configurations.first() {
            put(&c.properties.subnet.id, "Bastion".into());
        }
    }
    for a in e.application_gateways.iter() {
        let waf = a
            .properties
            .firewall_policy
            .as_ref()
            .and_then(|w| e.waf_policies.get(&w.id))
            .map(|w| format!(" [WAF {}]", w.properties.policy_settings.mode_label()))
            .unwrap_or_default();
        if let Some(g) = a.properties.gateway_ip_configurations.first() {
            put(&g.properties.subnet.id, format!("App Gateway{waf}"));
        }
    }
    for lb in e.load_balancers.iter() {
        for f in &lb.properties.frontend_ip_configurations {
            if let (Some(s), Some(ip)) = (&f.properties.subnet, &f.properties.private_ip_address) {
                put(&s.id, format!("ILB {ip}"));
            }
        }
    }
    for mc in e.managed_clusters.iter() {
        for p in &mc.properties.agent_pool_profiles {
            if let Some(s) = &p.vnet_subnet_id {
                put(s, format!("{}: {} ≤{}", p.name, p.mode, p.max_nodes()));
            }
        }
        if !mc.properties.is_private() {
            let ranges = mc
                .properties
                .api_server_access_profile
                .as_ref()
                .map_or(0, |a| a.authorized_ip_ranges.len());
            if let Some(s) = mc
                .properties
                .agent_pool_profiles
                .first()
                .and_then(|p| p.vnet_subnet_id.as_ref())
            {
                put(
                    s,
                    if ranges == 0 {
                        "API public, open".to_string()
                    } else {
                        format!("API public, {ranges} ranges")
                    },
                );
            }
        }
        if mc.properties.is_private() {
            let api = mc.properties.api_server_access_profile.as_ref();
            let subnet = api.and_then(|a| a.subnet_id.clone()).or_else(|| {
                mc.properties
                    .agent_pool_profiles
                    .first()
                    .and_then(|p| p.vnet_subnet_id.clone())
            });
            if let Some(s) = subnet {
                put(&s, "API private".into());
            }
        }
    }
    for pe in e.private_endpoints.iter() {
        let target = pe
            .properties
            .private_link_service_connections
            .first()
            .map(|c| c.properties.private_link_service_id.name().to_string())
            .unwrap_or_default();
        put(&pe.properties.subnet.id, format!("PE {target}"));
    }
    m
}

fn layout(e: &Estate) -> Layout {
    let what = contents(e);
    let is_hub = |v: &aksnet_model::Resource<aksnet_model::network::VirtualNetwork>| {
        v.properties
            .subnets
            .iter()
            .any(|s| aksnet_model::azure::special_subnet(&s.name).is_some())
    };
    let hub = e
        .virtual_networks
        .iter()
        .find(|v| is_hub(v))
        .map(|v| v.id.clone());
    let mut vnets = Vec::new();
    let mut rows = BTreeMap::new();
    let mut spoke_y = TOP;
    let mut hub_bottom = TOP;
    // Spanning subscriptions, each column groups its VNets by subscription.
    let subscription = |v: &aksnet_model::Resource<aksnet_model::network::VirtualNetwork>| {
        subscription_label(e, &v.id)
    };
    let many: bool = e
        .virtual_networks
        .iter()
        .map(subscription)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        > 1;
    let mut ordered: Vec<_> = e.virtual_networks.iter().collect();
    ordered.sort_by_key(|v| {
        (
            Some(&v.id) != hub.as_ref(),
            if many { subscription(v) } else { String::new() },
            v.name.clone(),
        )
    });
    let mut frames: Vec<Frame> = Vec::new();
    if many {
        spoke_y += FRAME_PAD;
    }
    let mut last_spoke_sub: Option<String> = None;
    for v in ordered {
        let in_hub = Some(&v.id) == hub.as_ref();
        if many && !in_hub {
            let sub = subscription(v);
            if last_spoke_sub.as_ref().is_some_and(|l| *l != sub) {
                spoke_y += FRAME_PAD;
            }
            last_spoke_sub = Some(sub);
        }
        let in_hub = Some(&v.id) == hub.as_ref();
        let (x, y, column) = if in_hub {
            (HUB_X, TOP, 1)
        } else {
            (if hub.is_some() { SPOKE_X } else { HUB_X }, spoke_y, 2)
        };
        // A long name takes the header's line; the address space goes below it.
        let head = if v.name.chars().count() > NAME_CHARS {
            HEAD + LINE
        } else {
            HEAD
        };
        let mut top = head;
        let mut subnet_rows = Vec::new();
        for s in &v.properties.subnets {
            let id = v.id.child("subnets", &s.name);
            let lines = wrap(&what.get(&id).cloned().unwrap_or_default(), CHIP_CHARS);
            // A long subnet name takes its line: the prefix and the contents start below it.
            let long = s.name.chars().count() > SUBNET_CHARS;
            let h = if long {
                ROW + LINE * lines.len().max(1) as i64
            } else {
                ROW + LINE * (lines.len() as i64 - 1).max(0)
            };
            rows.insert(
                id,
                RowBox {
                    x,
                    y: y + top,
                    h,
                    column,
                },
            );
            subnet_rows.push(Row {
                name: s.name.clone(),
                prefix: s.properties.address_prefix.to_string(),
                lines,
                top,
                h,
            });
            top += h;
        }
        let height = top + 10;
        let space: Vec<String> = v
            .properties
            .address_space
            .address_prefixes
            .iter()
            .map(|p| p.to_string())
            .collect();
        vnets.push(VnetBox {
            id: v.id.clone(),
            x,
            y,
            height,
            head,
            column,
            name: v.name.clone(),
            space: space.join(", "),
            rows: subnet_rows,
        });
        if many {
            let label = format!("subscription {}", subscription(v));
            match frames.last_mut() {
                Some(f) if f.0 == label && f.1 == x - 10 => f.4 = y + height + 10 - f.2,
                _ => frames.push((
                    label,
                    x - 10,
                    y - FRAME_PAD + 4,
                    VNET_W + 20,
                    height + FRAME_PAD + 6,
                )),
            }
        }
        if in_hub {
            hub_bottom = y + height;
        } else {
            spoke_y = y + height + GAP;
        }
    }
    let zones: Vec<String> = e.private_dns_zones.iter().map(|z| z.name.clone()).collect();
    let zones_y = hub_bottom + GAP;
    let zones_bottom = if zones.is_empty() {
        hub_bottom
    } else {
        zones_y + 28 + 18 * zones.len() as i64
    };
    let onprem =
        (!e.on_premises_prefixes.is_empty() || !e.local_network_gateways.is_empty()).then(|| {
            let mut prefixes: Vec<String> = e
                .on_premises_prefixes
                .iter()
                .map(|p| p.to_string())
                .collect();
            for l in e.local_network_gateways.iter() {
                prefixes.extend(
                    l.properties
                        .local_network_address_space
                        .address_prefixes
                        .iter()
                        .map(|p| p.to_string()),
                );
            }
            prefixes.sort();
            prefixes.dedup();
            (TOP, 46 + 18 * prefixes.len() as i64, prefixes)
        });
    let right = if vnets.iter().any(|v| v.column == 2) && hub.is_some() {
        SPOKE_X + VNET_W
    } else {
        HUB_X + VNET_W
    };
    let height = spoke_y.max(zones_bottom + GAP).max(TOP + 200) + 60;
    Layout {
        vnets,
        frames,
        rows,
        width: right + 90,
        height,
        onprem,
        zones,
        zones_y,
    }
}

/// XML (and HTML) text and attribute escaping.
pub fn escape_xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Labels joined by ` · ` into lines of at most `chars` characters where they fit; a label
/// longer than a line is split across lines. Nothing is cut.
fn wrap(labels: &[String], chars: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for label in labels {
        let mut rest: Vec<char> = label.chars().collect();
        if let Some(last) = lines.last_mut() {
            if last.chars().count() + 3 + rest.len() <= chars {
                last.push_str(" · ");
                last.push_str(label);
                continue;
            }
        }
        while rest.len() > chars {
            lines.push(rest.drain(..chars).collect());
        }
        lines.push(rest.into_iter().collect());
    }
    lines
}

/// The diagram as SVG.
pub fn svg(e: &Estate, flows: &[Flow]) -> String {
    let l = layout(e);
    let mut s = String::new();
    let legend_h = 24 * 5 + 20;
    let height = l.height + legend_h;
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{height}" viewBox="0 0 {} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">"#,
        l.width, l.width
    );
    let _ = writeln!(s, r#"<title>{}</title>"#, escape_xml(&e.name));
    s.push_str(r#"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>"#);
    s.push('\n');
    let _ = writeln!(
        s,
        r##"<rect x="0" y="0" width="{}" height="{height}" fill="#ffffff"/>"##,
        l.width
    );
    // The Internet.
    let _ = writeln!(
        s,
        r##"<rect x="{HUB_X}" y="20" width="{}" height="40" rx="20" fill="#eef2f7" stroke="#8c959f"/><text x="{}" y="45" text-anchor="middle" font-weight="bold">Internet</text>"##,
        l.width - HUB_X - 40,
        (HUB_X + l.width - 40) / 2
    );
    if let Some((y, h, prefixes)) = &l.onprem {
        let _ = writeln!(
            s,
            r##"<rect x="{ONPREM_X}" y="{y}" width="{ONPREM_W}" height="{h}" rx="6" fill="#f6f8fa" stroke="#57606a"/><text x="{}" y="{}" font-weight="bold">On-premises</text>"##,
            ONPREM_X + 10,
            y + 22
        );
        for (i, p) in prefixes.iter().enumerate() {
            let _ = writeln!(
                s,
                r#"<text x="{}" y="{}">{}</text>"#,
                ONPREM_X + 10,
                y + 42 + 18 * i as i64,
                escape_xml(p)
            );
        }
    }
    for (label, x, y, w, h) in &l.frames {
        let _ = writeln!(
            s,
            r##"<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="10" fill="none" stroke="#8c959f" stroke-dasharray="6 4"/><text x="{}" y="{}" font-size="11" fill="#57606a">{}</text>"##,
            x + 10,
            y + 14,
            escape_xml(label)
        );
    }
    for VnetBox {
        x,
        y,
        height: h,
        head,
        column,
        name,
        space,
        rows,
        ..
    } in &l.vnets
    {
        let fill = if *column == 1 { "#fff8e6" } else { "#eef6ff" };
        // The address space beside the name, or on the line below a long name.
        let (space_x, space_y, anchor) = if *head > HEAD {
            (x + 10, y + 24 + LINE, "start")
        } else {
            (x + VNET_W - 10, y + 24, "end")
        };
        let _ = writeln!(
            s,
            r##"<rect x="{x}" y="{y}" width="{VNET_W}" height="{h}" rx="8" fill="{fill}" stroke="#57606a"/><text x="{}" y="{}" font-weight="bold" font-size="13">{}</text><text x="{space_x}" y="{space_y}" text-anchor="{anchor}" fill="#57606a">{}</text>"##,
            x + 10,
            y + 24,
            escape_xml(name),
            escape_xml(space)
        );
        for row in rows {
            let ry = y + row.top;
            let long = row.name.chars().count() > SUBNET_CHARS;
            let (px, py) = if long {
                (x + 14, ry + 17 + LINE)
            } else {
                (x + 165, ry + 17)
            };
            let _ = writeln!(
                s,
                r##"<rect x="{}" y="{ry}" width="{}" height="{}" rx="4" fill="#ffffff" stroke="#d0d7de"/><text x="{}" y="{}">{}</text><text x="{px}" y="{py}" fill="#57606a" font-size="11">{}</text>"##,
                x + 8,
                VNET_W - 16,
                row.h - 4,
                x + 14,
                ry + 17,
                escape_xml(&row.name),
                escape_xml(&row.prefix)
            );
            let first = if long { LINE } else { 0 };
            for (i, line) in row.lines.iter().enumerate() {
                let _ = writeln!(
                    s,
                    r##"<text x="{}" y="{}" text-anchor="end" font-size="11" fill="#24292f">{}</text>"##,
                    x + VNET_W - 14,
                    ry + 17 + first + LINE * i as i64,
                    escape_xml(line)
                );
            }
        }
    }
    if !l.zones.is_empty() {
        let h = 28 + 18 * l.zones.len() as i64;
        let _ = writeln!(
            s,
            r##"<rect x="{HUB_X}" y="{}" width="{VNET_W}" height="{h}" rx="6" fill="#f6f8fa" stroke="#8c959f" stroke-dasharray="4 3"/><text x="{}" y="{}" font-weight="bold">Private DNS zones</text>"##,
            l.zones_y,
            HUB_X + 10,
            l.zones_y + 18
        );
        for (i, z) in l.zones.iter().enumerate() {
            let _ = writeln!(
                s,
                r#"<text x="{}" y="{}" font-size="11">{}</text>"#,
                HUB_X + 14,
                l.zones_y + 36 + 18 * i as i64,
                escape_xml(z)
            );
        }
    }
    // Peerings.
    let boxes: BTreeMap<&ResourceId, (i64, i64, usize)> = l
        .vnets
        .iter()
        .map(|v| (&v.id, (v.x, v.y, v.column)))
        .collect();
    let mut drawn = std::collections::BTreeSet::new();
    for v in e.virtual_networks.iter() {
        for p in &v.properties.virtual_network_peerings {
            let (a, b) = (&v.id, &p.properties.remote_virtual_network.id);
            let key = if a < b {
                (a.clone(), b.clone())
            } else {
                (b.clone(), a.clone())
            };
            let (Some(&(ax, ay, ac)), Some(&(bx, by, bc))) = (boxes.get(a), boxes.get(b)) else {
                continue;
            };
            if !drawn.insert(key) || (ac == 2 && bc == 2 && ax > bx) {
                continue;
            }
            let (hx, hy, sx, sy) = if ac <= bc {
                (ax + VNET_W, ay + 20, bx, by + 20)
            } else {
                (bx + VNET_W, by + 20, ax, ay + 20)
            };
            if ac == bc {
                let rx = ax + VNET_W + 30;
                let _ = writeln!(
                    s,
                    r##"<polyline points="{},{ay} {rx},{ay} {rx},{by} {},{by}" fill="none" stroke="#8c959f" stroke-width="1.5" stroke-dasharray="6 4"/>"##,
                    ax + VNET_W,
                    bx + VNET_W
                );
            } else {
                let bus = hx + 55;
                let _ = writeln!(
                    s,
                    r##"<polyline points="{hx},{hy} {bus},{hy} {bus},{sy} {sx},{sy}" fill="none" stroke="#8c959f" stroke-width="1.5" stroke-dasharray="6 4"/>"##
                );
            }
        }
    }
    // Flows.
    for f in flows {
        let points = route(&l, f);
        if points.len() < 2 {
            continue;
        }
        let pts: Vec<String> = points.iter().map(|(x, y)| format!("{x},{y}")).collect();
        let _ = writeln!(
            s,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2.2" stroke-opacity="0.85" marker-end="url(#arrow)"/>"#,
            pts.join(" "),
            f.kind.colour()
        );
    }
    // Legend.
    let ly = l.height;
    let _ = writeln!(
        s,
        r#"<text x="{ONPREM_X}" y="{}" font-weight="bold">Flows</text>"#,
        ly
    );
    for (i, k) in [
        FlowKind::Inbound,
        FlowKind::Egress,
        FlowKind::OnPrem,
        FlowKind::Management,
        FlowKind::PrivateLink,
    ]
    .iter()
    .enumerate()
    {
        let y = ly + 20 + 22 * i as i64;
        let _ = writeln!(
            s,
            r#"<line x1="{ONPREM_X}" y1="{y}" x2="{}" y2="{y}" stroke="{}" stroke-width="3"/><text x="{}" y="{}">{}</text>"#,
            ONPREM_X + 40,
            k.colour(),
            ONPREM_X + 50,
            y + 4,
            escape_xml(k.label())
        );
    }
    s.push_str("</svg>\n");
    s
}

/// Orthogonal polyline for a flow, attached to container edges so it never crosses a label:
/// from the Internet down a container's left margin and back up its right margin; from
/// on-premises across to the hub's left margin; between hub and spokes through the bus between
/// the columns; within a column along its right margin. A flow that passes through a subnet
/// (a firewall, a gateway) enters and leaves on the same side, or runs along the gap under the
/// row. Each kind has its own lane, so flows run side by side.
fn route(l: &Layout, f: &Flow) -> Vec<(i64, i64)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Side {
        Left,
        Right,
    }
    let lane = f.kind.lane();
    struct At {
        column: usize,
        y: i64,
        x: i64,
        gap: i64,
    }
    let at = |a: &Anchor| -> Option<At> {
        match a {
            Anchor::Internet => Some(At {
                column: 0,
                y: 60,
                x: 0,
                gap: 60,
            }),
            Anchor::OnPrem => l.onprem.as_ref().map(|(y, _, _)| At {
                column: 0,
                y: *y + 30 + 5 * lane,
                x: ONPREM_X + ONPREM_W,
                gap: 0,
            }),
            Anchor::Subnet(id) => l.rows.get(id).map(|r| At {
                column: r.column,
                y: r.y + ROW / 2 - 8 + 4 * lane,
                x: r.x,
                gap: r.y + r.h - 2,
            }),
        }
    };
    let anchors: Vec<(&Anchor, At)> = f
        .hops
        .iter()
        .filter_map(|a| at(a).map(|p| (a, p)))
        .collect();
    let mut pts: Vec<(i64, i64)> = Vec::new();
    let mut entered: Option<Side> = None;
    let edge = |a: &At, side: Side| {
        if side == Side::Left {
            a.x
        } else {
            a.x + VNET_W
        }
    };
    for w in anchors.windows(2) {
        let ((a, pa), (b, pb)) = (&w[0], &w[1]);
        // The sides the segment leaves `a` and enters `b` by, and the lane between.
        let (exit, entry) = match (a, b) {
            (Anchor::Internet, _) | (Anchor::OnPrem, _) => (None, Some(Side::Left)),
            (_, Anchor::Internet) => (Some(Side::Right), None),
            _ if pa.column == pb.column => (Some(Side::Right), Some(Side::Right)),
            _ if pa.column == 1 => (Some(Side::Right), Some(Side::Left)),
            _ => (Some(Side::Left), Some(Side::Right)),
        };
        if let (Some(ex), Anchor::Subnet(_)) = (exit, a) {
            match entered {
                // Passing through: along the gap under the row when the sides differ.
                Some(en) if en != ex => {
                    pts.push((edge(pa, en), pa.gap));
                    pts.push((edge(pa, ex), pa.gap));
                }
                Some(_) => {}
                None => pts.push((edge(pa, ex), pa.y)),
            }
        }
        let from = *pts.last().unwrap_or(&(pa.x, pa.y));
        match (a, b) {
            (Anchor::Internet, _) => {
                let m = pb.x - 14 - 7 * lane;
                pts.push((m, 60));
                pts.push((m, pb.y));
            }
            (Anchor::OnPrem, _) => {
                let m = HUB_X - 14 - 7 * lane;
                pts.push((pa.x, pa.y));
                pts.push((m, pa.y));
                pts.push((m, pb.y));
            }
            (_, Anchor::Internet) => {
                let m = pa.x + VNET_W + 14 + 7 * lane;
                pts.push((m, from.1));
                pts.push((m, 60));
            }
            _ => {
                let lane_x = if pa.column == pb.column {
                    pa.x + VNET_W + 12 + 8 * lane
                } else {
                    HUB_X + VNET_W + 24 + 10 * lane
                };
                pts.push((lane_x, from.1));
                pts.push((lane_x, pb.y));
            }
        }
        if let Some(en) = entry {
            if matches!(b, Anchor::Subnet(_)) {
                pts.push((edge(pb, en), pb.y));
            }
        }
        entered = entry;
    }
    pts.dedup();
    pts
}

/// Node ids for dot and Mermaid that a reader recognises and that stay put when unrelated
/// resources change: a VNet's name, and `VNET__SUBNET` for a subnet, made identifier-safe; VNets
/// that share a name (in other resource groups or subscriptions) get `_2`, `_3`, … in id order.
struct NodeIds {
    vnets: BTreeMap<ResourceId, String>,
}

impl NodeIds {
    fn new(e: &Estate) -> Self {
        let mut used: BTreeMap<String, usize> = BTreeMap::new();
        let vnets = e
            .virtual_networks
            .iter()
            .map(|v| {
                let base = ident(&v.name);
                let n = used.entry(base.clone()).or_insert(0);
                *n += 1;
                let name = if *n == 1 { base } else { format!("{base}_{n}") };
                (v.id.clone(), name)
            })
            .collect();
        Self { vnets }
    }

    /// A VNet's node (its cluster in dot, its subgraph in Mermaid).
    fn vnet(&self, id: &ResourceId) -> String {
        self.vnets
            .get(id)
            .cloned()
            .unwrap_or_else(|| ident(id.as_str()))
    }

    /// A subnet's node.
    fn subnet(&self, id: &ResourceId) -> String {
        let s = id.as_str();
        match s.rfind("/subnets/") {
            Some(i) => format!(
                "{}__{}",
                self.vnet(&ResourceId::new(&s[..i])),
                ident(&s[i + "/subnets/".len()..])
            ),
            None => ident(s),
        }
    }

    /// The node a flow passes.
    fn anchor(&self, a: &Anchor) -> String {
        match a {
            Anchor::Internet => "internet".to_string(),
            Anchor::OnPrem => "onprem".to_string(),
            Anchor::Subnet(id) => self.subnet(id),
        }
    }
}

/// A name as a dot and Mermaid identifier: letters, digits and `_`, starting with a letter, and
/// none of the two languages' keywords.
fn ident(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        s.insert(0, 'n');
    }
    const KEYWORDS: &[&str] = &[
        "digraph", "edge", "end", "graph", "node", "strict", "subgraph",
    ];
    if KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(&s)) || s == "internet" || s == "onprem" {
        s.push('_');
    }
    s
}

/// Each flow's edges, once per (from, to, kind): flows of one kind that share a hop draw it once.
fn flow_edges(ids: &NodeIds, flows: &[Flow]) -> Vec<(String, String, FlowKind)> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for f in flows {
        let names: Vec<String> = f.hops.iter().map(|a| ids.anchor(a)).collect();
        for w in names.windows(2) {
            if seen.insert((w[0].clone(), w[1].clone(), f.kind.colour())) {
                out.push((w[0].clone(), w[1].clone(), f.kind));
            }
        }
    }
    out
}

/// The diagram as Graphviz `dot`: a cluster per VNet, a node per subnet, peerings and flows as
/// edges.
pub fn dot(e: &Estate, flows: &[Flow]) -> String {
    let what = contents(e);
    let ids = NodeIds::new(e);
    // compound=true lets a peering edge end at the VNets' clusters (ltail/lhead), not at two
    // arbitrary subnets.
    let mut s = String::from("digraph aksnet {\n  rankdir=LR;\n  compound=true;\n  node [shape=box, fontname=\"DejaVu Sans\", fontsize=10];\n  internet [label=\"Internet\", shape=ellipse];\n");
    if !e.on_premises_prefixes.is_empty() || !e.local_network_gateways.is_empty() {
        s.push_str("  onprem [label=\"On-premises\", shape=folder];\n");
    }
    // Spanning subscriptions, each one's VNets are drawn inside its own cluster.
    let mut by_sub: BTreeMap<
        String,
        Vec<&aksnet_model::Resource<aksnet_model::network::VirtualNetwork>>,
    > = BTreeMap::new();
    for v in e.virtual_networks.iter() {
        by_sub
            .entry(subscription_label(e, &v.id))
            .or_default()
            .push(v);
    }
    let many = by_sub.len() > 1;
    for (n, (sub, vnets)) in by_sub.iter().enumerate() {
        if many {
            let _ = writeln!(
                s,
                "  subgraph cluster_subscription_{} {{\n    label=\"subscription {}\";\n    style=dashed;\n    color=gray50;",
                n + 1,
                dot_text(sub)
            );
        }
        for v in vnets {
            let _ = writeln!(
                s,
                // Solid and black, whatever a subscription cluster around it sets.
            "  subgraph cluster_{} {{\n    label=\"{} {}\";\n    style=solid;\n    color=black;",
                ids.vnet(&v.id),
                v.name,
                v.properties
                    .address_space
                    .address_prefixes
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            for sn in &v.properties.subnets {
                let id = v.id.child("subnets", &sn.name);
                let extra = what
                    .get(&id)
                    .map(|w| format!("\\n{}", w.join("\\n")))
                    .unwrap_or_default();
                let _ = writeln!(
                    s,
                    "    {} [label=\"{}\\n{}{}\"];",
                    ids.subnet(&id),
                    sn.name,
                    sn.properties.address_prefix,
                    extra.replace('"', "'")
                );
            }
            s.push_str("  }\n");
        }
        if many {
            s.push_str("  }\n");
        }
    }
    for v in e.virtual_networks.iter() {
        for p in &v.properties.virtual_network_peerings {
            if v.id < p.properties.remote_virtual_network.id {
                let a = v
                    .properties
                    .subnets
                    .first()
                    .map(|x| ids.subnet(&v.id.child("subnets", &x.name)));
                let remote = e
                    .virtual_networks
                    .get(&p.properties.remote_virtual_network.id);
                let b = remote.and_then(|r| {
                    r.properties
                        .subnets
                        .first()
                        .map(|x| ids.subnet(&r.id.child("subnets", &x.name)))
                });
                if let (Some(a), Some(b)) = (a, b) {
                    let _ = writeln!(s, "  {a} -> {b} [dir=both, style=dashed, color=gray, label=\"peering\", ltail=cluster_{}, lhead=cluster_{}];", ids.vnet(&v.id), ids.vnet(&p.properties.remote_virtual_network.id));
                }
            }
        }
    }
    for (from, to, kind) in flow_edges(&ids, flows) {
        let _ = writeln!(
            s,
            "  {from} -> {to} [color=\"{}\", penwidth=2];",
            kind.colour()
        );
    }
    s.push_str("}\n");
    s
}

/// The diagram as a Mermaid flowchart.
pub fn mermaid(e: &Estate, flows: &[Flow]) -> String {
    let what = contents(e);
    let ids = NodeIds::new(e);
    let mut s = String::from("flowchart LR\n  internet((Internet))\n");
    if !e.on_premises_prefixes.is_empty() || !e.local_network_gateways.is_empty() {
        s.push_str("  onprem[/On-premises/]\n");
    }
    for v in e.virtual_networks.iter() {
        let _ = writeln!(s, "  subgraph {}[\"{}\"]", ids.vnet(&v.id), v.name);
        for sn in &v.properties.subnets {
            let id = v.id.child("subnets", &sn.name);
            let extra = what
                .get(&id)
                .map(|w| format!("<br/>{}", w.join("<br/>")))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "    {}[\"{}<br/>{}{}\"]",
                ids.subnet(&id),
                sn.name,
                sn.properties.address_prefix,
                extra.replace('"', "'")
            );
        }
        s.push_str("  end\n");
    }
    // Mermaid numbers links in order of appearance: the peerings come first.
    let mut link = 0;
    for v in e.virtual_networks.iter() {
        for p in &v.properties.virtual_network_peerings {
            if v.id < p.properties.remote_virtual_network.id
                && e.virtual_networks
                    .get(&p.properties.remote_virtual_network.id)
                    .is_some()
            {
                let _ = writeln!(
                    s,
                    "  {} <-. peering .-> {}",
                    ids.vnet(&v.id),
                    ids.vnet(&p.properties.remote_virtual_network.id)
                );
                link += 1;
            }
        }
    }
    let mut styles = Vec::new();
    for (from, to, kind) in flow_edges(&ids, flows) {
        let _ = writeln!(s, "  {from} --> {to}");
        styles.push(format!(
            "  linkStyle {link} stroke:{},stroke-width:2px",
            kind.colour()
        ));
        link += 1;
    }
    for st in styles {
        s.push_str(&st);
        s.push('\n');
    }
    s
}
