//! NSG evaluation: rules in priority order with Azure's default rules, first match wins,
//! addresses and tags resolved in the subnet's context ([NSG] [NSGHOW], azure-semantics §3).

use std::net::IpAddr;

use aksnet_model::network::{Access, Direction, SecurityRule};
use aksnet_model::{Estate, ResourceId};
use aksnet_net::{PacketSet, PortRange, PortSet, PrefixSet, Protocol, ProtocolSet, Services};
use serde::Serialize;

use crate::tags::{resolve, Resolved, TagContext};

/// A rule ready to evaluate.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CompiledRule {
    /// Rule name (default rules keep Azure's names).
    pub name: String,
    /// Priority.
    pub priority: u32,
    /// Inbound or outbound.
    #[serde(skip)]
    pub direction: Direction,
    /// Allow or deny.
    #[serde(skip)]
    pub access: Access,
    /// `Allow` / `Deny`.
    pub access_name: &'static str,
    /// Source as written.
    pub source: String,
    /// Destination as written.
    pub destination: String,
    /// Protocol as written.
    pub protocol: String,
    /// Destination ports as written.
    pub destination_ports: String,
    /// The packets the rule matches.
    #[serde(skip)]
    pub matches: PacketSet,
    /// The packets it would match if every unresolved tag held every address; `None` when all
    /// its tags resolved (then it is `matches`). The truth lies between the two.
    #[serde(skip)]
    pub may_match: Option<PacketSet>,
    /// Tags that could not be resolved offline.
    pub unresolved: Vec<String>,
}

/// The default rules Azure adds to every NSG [NSG] §3.2.
fn default_rules() -> Vec<(
    &'static str,
    u32,
    Direction,
    &'static str,
    &'static str,
    Access,
)> {
    use Direction::*;
    vec![
        (
            "AllowVnetInBound",
            65000,
            Inbound,
            "VirtualNetwork",
            "VirtualNetwork",
            Access::Allow,
        ),
        (
            "AllowAzureLoadBalancerInBound",
            65001,
            Inbound,
            "AzureLoadBalancer",
            "*",
            Access::Allow,
        ),
        ("DenyAllInBound", 65500, Inbound, "*", "*", Access::Deny),
        (
            "AllowVnetOutBound",
            65000,
            Outbound,
            "VirtualNetwork",
            "VirtualNetwork",
            Access::Allow,
        ),
        (
            "AllowInternetOutBound",
            65001,
            Outbound,
            "*",
            "Internet",
            Access::Allow,
        ),
        ("DenyAllOutBound", 65500, Outbound, "*", "*", Access::Deny),
    ]
}

/// The addresses of a field list, and the same with every unresolved tag taken as everything.
fn union_of(
    fields: &[String],
    ctx: &TagContext,
    unresolved: &mut Vec<String>,
) -> (PrefixSet, PrefixSet) {
    let mut set = PrefixSet::new();
    let mut upper = PrefixSet::new();
    for f in fields {
        let Resolved {
            set: s,
            unresolved: u,
        } = resolve(f, ctx);
        set = set.union(&s);
        upper = if u.is_some() {
            PrefixSet::everything()
        } else {
            upper.union(&s)
        };
        unresolved.extend(u);
    }
    (set, upper)
}

/// Port fields: the plural list wins when the singular is empty or absent [PSRULE-NSGEVAL] §3.1.
/// Returns the ports and the fields as written.
pub fn ports(single: &Option<String>, plural: &[String]) -> (PortSet, String) {
    let fields: Vec<String> = match single.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => vec![s.to_string()],
        None => plural.to_vec(),
    };
    let set = fields
        .iter()
        .filter_map(|f| f.parse::<PortRange>().ok())
        .collect();
    (set, fields.join(","))
}

/// An address field pair as a list: the singular when set, else the plural (as for ports).
pub fn field_list(single: &Option<String>, plural: &[String]) -> Vec<String> {
    match single.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => vec![s.to_string()],
        None => plural.to_vec(),
    }
}

/// Compiles an NSG's rules (custom + defaults), sorted by direction and priority, in the
/// context `ctx` (the `VirtualNetwork` tag of the subnet it is evaluated for, and service tags).
pub fn compile(estate: &Estate, nsg: &ResourceId, ctx: &TagContext) -> Vec<CompiledRule> {
    let mut out = Vec::new();
    if let Some(n) = estate.network_security_groups.get(nsg) {
        for r in &n.properties.security_rules {
            out.push(compile_rule(&r.name, &r.properties, ctx));
        }
    }
    for (name, priority, direction, src, dst, access) in default_rules() {
        let rule = SecurityRule {
            protocol: "*".to_string(),
            source_address_prefix: Some(src.to_string()),
            destination_address_prefix: Some(dst.to_string()),
            destination_port_range: Some("*".to_string()),
            access,
            priority,
            direction,
            ..Default::default()
        };
        out.push(compile_rule(name, &rule, ctx));
    }
    out.sort_by_key(|r| (r.direction == Direction::Outbound, r.priority));
    out
}

fn compile_rule(name: &str, r: &SecurityRule, ctx: &TagContext) -> CompiledRule {
    let mut unresolved = Vec::new();
    let src_fields = field_list(&r.source_address_prefix, &r.source_address_prefixes);
    let dst_fields = field_list(
        &r.destination_address_prefix,
        &r.destination_address_prefixes,
    );
    let (src, src_upper) = union_of(&src_fields, ctx, &mut unresolved);
    let (dst, dst_upper) = union_of(&dst_fields, ctx, &mut unresolved);
    let protocols: ProtocolSet = r.protocol.parse().unwrap_or(ProtocolSet::NONE);
    let (port_set, port_text) = ports(&r.destination_port_range, &r.destination_port_ranges);
    CompiledRule {
        name: name.to_string(),
        priority: r.priority,
        direction: r.direction,
        access: r.access,
        access_name: if r.access == Access::Allow {
            "Allow"
        } else {
            "Deny"
        },
        source: src_fields.join(","),
        destination: dst_fields.join(","),
        protocol: r.protocol.clone(),
        destination_ports: port_text,
        matches: PacketSet::from_parts(&src, &dst, Services::new(protocols, &port_set)),
        may_match: (!unresolved.is_empty()).then(|| {
            PacketSet::from_parts(&src_upper, &dst_upper, Services::new(protocols, &port_set))
        }),
        unresolved,
    }
}

/// Which packets a rule is taken to match: what resolved offline, or that with every unresolved
/// service tag holding every address. Azure's answer lies between the two; where they disagree,
/// the verdict is unknown (see [`uncertain`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// Unresolved tags match nothing.
    Resolved,
    /// Unresolved tags match everything.
    TagsMatchAll,
}

impl CompiledRule {
    /// The packets this rule matches under `reading`.
    pub fn matched(&self, reading: Reading) -> &PacketSet {
        match reading {
            Reading::Resolved => &self.matches,
            Reading::TagsMatchAll => self.may_match.as_ref().unwrap_or(&self.matches),
        }
    }
}

/// The first rule of `direction` matching the packet [NSG] §3.1, under `reading`.
pub fn evaluate(
    rules: &[CompiledRule],
    direction: Direction,
    reading: Reading,
    (src, dst, proto, port): (IpAddr, IpAddr, Protocol, u16),
) -> Option<&CompiledRule> {
    rules
        .iter()
        .filter(|r| r.direction == direction)
        .find(|r| r.matched(reading).contains(src, dst, proto, port))
}

/// The packets whose fate depends on what an unresolved service tag holds: allowed under one
/// reading and not the other. Exact for one unresolved tag per decision; with several, a packet
/// may also change under mixed readings, which this does not enumerate (noted in
/// docs/engine.md).
pub fn uncertain(rules: &[CompiledRule], direction: Direction) -> PacketSet {
    if rules
        .iter()
        .all(|r| r.direction != direction || r.unresolved.is_empty())
    {
        return PacketSet::empty();
    }
    let low = allowed_under(rules, direction, Reading::Resolved);
    let high = allowed_under(rules, direction, Reading::TagsMatchAll);
    low.difference(&high).union(&high.difference(&low))
}

/// Every packet the NSG lets through in `direction`: the priority-ordered fold of its rules.
///
/// Computed as the union, over allow rules, of what each matches minus every earlier deny: a
/// packet's first match is an allow exactly when some allow matches it before any deny does.
/// The same set as carrying the unmatched remainder through every rule, without rebuilding that
/// remainder per rule; the pieces are merged pairwise ([`PacketSet::union_all`]).
pub fn allowed(rules: &[CompiledRule], direction: Direction) -> PacketSet {
    allowed_under(rules, direction, Reading::Resolved)
}

/// [`allowed`] under a reading of unresolved tags.
pub fn allowed_under(rules: &[CompiledRule], direction: Direction, reading: Reading) -> PacketSet {
    let mut denied = PacketSet::empty();
    let mut pieces = Vec::new();
    for r in rules.iter().filter(|r| r.direction == direction) {
        if r.access == Access::Allow {
            let piece = r.matched(reading).difference(&denied);
            if !piece.is_empty() {
                pieces.push(piece);
            }
        } else {
            denied = denied.union(r.matched(reading));
            if denied == PacketSet::all() {
                break;
            }
        }
    }
    PacketSet::union_all(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aksnet_net::Prefix;
    use proptest::prelude::*;

    /// A rule over sources `10.0.0.a/32..b` and ports `lo..hi` (TCP), Allow or Deny.
    fn rule(i: usize, (a, b, lo, hi, allow): (u8, u8, u16, u16, bool)) -> CompiledRule {
        let src: PrefixSet = (a.min(b)..=a.max(b))
            .map(|x| format!("10.0.0.{x}/32").parse::<Prefix>().unwrap())
            .collect();
        let ports: PortSet = [PortRange::new(lo.min(hi), lo.max(hi)).unwrap()]
            .into_iter()
            .collect();
        let mut tcp = ProtocolSet::NONE;
        tcp.insert(Protocol::Tcp);
        CompiledRule {
            name: format!("r{i}"),
            priority: 100 + i as u32,
            direction: Direction::Inbound,
            access: if allow { Access::Allow } else { Access::Deny },
            access_name: if allow { "Allow" } else { "Deny" },
            source: String::new(),
            destination: String::new(),
            protocol: String::new(),
            destination_ports: String::new(),
            matches: PacketSet::from_parts(
                &src,
                &PrefixSet::everything(),
                Services::new(tcp, &ports),
            ),
            may_match: None,
            unresolved: Vec::new(),
        }
    }

    proptest! {
        #[test]
        fn allowed_equals_first_match(specs in prop::collection::vec((0u8..6, 0u8..6, 0u16..8, 0u16..8, any::<bool>()), 0..8)) {
            let rules: Vec<CompiledRule> = specs.into_iter().enumerate().map(|(i, s)| rule(i, s)).collect();
            let allowed = allowed(&rules, Direction::Inbound);
            let dst: IpAddr = "10.1.0.1".parse().unwrap();
            for a in 0..7u8 {
                for port in 0..9u16 {
                    let src: IpAddr = format!("10.0.0.{a}").parse().unwrap();
                    let first = evaluate(&rules, Direction::Inbound, Reading::Resolved, (src, dst, Protocol::Tcp, port));
                    let expected = first.is_some_and(|r| r.access == Access::Allow);
                    prop_assert_eq!(allowed.contains(src, dst, Protocol::Tcp, port), expected, "{}:{}", a, port);
                }
            }
        }
    }
}
