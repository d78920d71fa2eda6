//! NSG evaluation: rules in priority order with Azure's default rules, first match wins,
//! addresses and tags resolved in the subnet's context ([NSG] [NSGHOW], azure-semantics §3);
//! application security groups resolved to their members' addresses ([ASG-DOC] §3.6); the
//! subnet and NIC levels and the order Azure evaluates them in ([NSGHOW] §3.3).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::OnceLock;

use aksnet_model::network::{Access, Direction, SecurityRule};
use aksnet_model::{Estate, ResourceId, SubResource};
use aksnet_net::{PacketSet, PortRange, PortSet, PrefixSet, Protocol, ProtocolSet, Services};
use serde::Serialize;

use crate::endpoints::{EndpointKind, Endpoints};
use crate::index::IndexVec;
use crate::tags::{resolve, Resolved, ServiceTags, TagContext};
use crate::topology::{SubnetIx, Topology};

/// Application security group members: the private addresses of the NIC IP configurations
/// and private endpoints that name each group [ASG-DOC] §3.6 (a rule naming a group applies
/// only to its members).
#[derive(Clone, Debug, Default)]
pub struct Asgs {
    members: HashMap<ResourceId, PrefixSet>,
}

impl Asgs {
    /// Collects the members from the NICs placed in the topology and the private endpoints
    /// that name groups (`applicationSecurityGroups` on the endpoint).
    pub fn new(estate: &Estate, t: &Topology, endpoints: &Endpoints) -> Self {
        let mut members: HashMap<ResourceId, PrefixSet> = HashMap::new();
        let mut add = |asg: &ResourceId, set: PrefixSet| {
            let m = members.entry(asg.clone()).or_default();
            *m = m.union(&set);
        };
        for n in &t.nic_addresses {
            for a in &n.asgs {
                add(a, [n.prefix].into_iter().collect());
            }
        }
        for e in endpoints.iter() {
            if !matches!(e.kind, EndpointKind::PrivateEndpoint(_)) {
                continue;
            }
            if let Some(pe) = estate.private_endpoints.get(&e.resource) {
                for a in &pe.properties.application_security_groups {
                    add(
                        &a.id,
                        [aksnet_net::Prefix::from(e.ip)].into_iter().collect(),
                    );
                }
            }
        }
        Self { members }
    }

    /// The addresses of a group's members (empty when nothing in the estate names it).
    pub fn members(&self, asg: &ResourceId) -> PrefixSet {
        self.members.get(asg).cloned().unwrap_or_default()
    }
}

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
    /// Application security groups the rule names that the estate does not hold: who is in
    /// them is unknown, so the rule may match anything (`may_match`) or only the members the
    /// estate's NICs name (`matches`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dangling_asgs: Vec<String>,
    /// Source ports the rule is restricted to, as written, when not `*`: packets carry no
    /// source port in aksnet's model, so the rule may match any of its packets (`may_match`) or
    /// none (`matches`), and a decision that turns on it is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_ports: Option<String>,
    /// What a reader needs to know about the rule (an application security group no NIC in
    /// the estate carries matches nothing).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
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

/// The members of the application security groups a rule field names, as
/// `(known members, upper bound)`: a group the estate does not hold may have any member, so
/// its upper bound is everything and its name goes to `dangling`; a group nothing in the estate
/// carries matches nothing, and `notes` says so [ASG-DOC] §3.6.
fn asg_union(
    refs: &[SubResource],
    estate: &Estate,
    asgs: &Asgs,
    rule: &str,
    dangling: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> (PrefixSet, PrefixSet) {
    let mut set = PrefixSet::new();
    let mut upper = PrefixSet::new();
    for r in refs {
        let members = asgs.members(&r.id);
        let name = r.id.name().to_string();
        if estate.application_security_groups.get(&r.id).is_none() {
            upper = PrefixSet::everything();
            if !dangling.contains(&name) {
                dangling.push(name);
            }
        } else {
            if members.is_empty() {
                notes.push(format!("{rule}: application security group `{name}` has no member among the estate's network interfaces and private endpoints, so the rule matches nothing through it"));
            }
            upper = upper.union(&members);
        }
        set = set.union(&members);
    }
    (set, upper)
}

/// Compiles an NSG's rules (custom + defaults), sorted by direction and priority, in the
/// context `ctx` (the `VirtualNetwork` tag of the subnet it is evaluated for, and service tags),
/// with application security groups resolved by `asgs`.
pub fn compile(
    estate: &Estate,
    nsg: &ResourceId,
    ctx: &TagContext,
    asgs: &Asgs,
) -> Vec<CompiledRule> {
    let mut out = Vec::new();
    if let Some(n) = estate.network_security_groups.get(nsg) {
        for r in &n.properties.security_rules {
            out.push(compile_rule(
                &format!("{}/{}", n.name, r.name),
                &r.name,
                &r.properties,
                ctx,
                (estate, asgs),
            ));
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
        out.push(compile_rule(name, name, &rule, ctx, (estate, asgs)));
    }
    out.sort_by_key(|r| (r.direction == Direction::Outbound, r.priority));
    out
}

/// One rule; `label` (`nsg/rule`) names it in notes.
fn compile_rule(
    label: &str,
    name: &str,
    r: &SecurityRule,
    ctx: &TagContext,
    (estate, asgs): (&Estate, &Asgs),
) -> CompiledRule {
    let mut unresolved = Vec::new();
    let mut dangling_asgs = Vec::new();
    let mut notes = Vec::new();
    let mut src_fields = field_list(&r.source_address_prefix, &r.source_address_prefixes);
    let mut dst_fields = field_list(
        &r.destination_address_prefix,
        &r.destination_address_prefixes,
    );
    let (mut src, mut src_upper) = union_of(&src_fields, ctx, &mut unresolved);
    let (mut dst, mut dst_upper) = union_of(&dst_fields, ctx, &mut unresolved);
    for (refs, fields, set, upper) in [
        (
            &r.source_application_security_groups,
            &mut src_fields,
            &mut src,
            &mut src_upper,
        ),
        (
            &r.destination_application_security_groups,
            &mut dst_fields,
            &mut dst,
            &mut dst_upper,
        ),
    ] {
        if refs.is_empty() {
            continue;
        }
        let (members, bound) = asg_union(refs, estate, asgs, label, &mut dangling_asgs, &mut notes);
        *set = set.union(&members);
        *upper = upper.union(&bound);
        fields.extend(refs.iter().map(|a| a.id.name().to_string()));
    }
    let protocols: ProtocolSet = r.protocol.parse().unwrap_or(ProtocolSet::NONE);
    let (port_set, port_text) = ports(&r.destination_port_range, &r.destination_port_ranges);
    // Source ports: `*` (or not stated) matches every packet; anything narrower is a bound.
    let (source_set, source_text) = ports(&r.source_port_range, &r.source_port_ranges);
    let source_ports =
        (!source_text.is_empty() && source_set != PortSet::any()).then_some(source_text);
    let services = Services::new(protocols, &port_set);
    let upper = PacketSet::from_parts(&src_upper, &dst_upper, services.clone());
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
        matches: match source_ports {
            Some(_) => PacketSet::empty(),
            None => PacketSet::from_parts(&src, &dst, services),
        },
        may_match: (!unresolved.is_empty() || !dangling_asgs.is_empty() || source_ports.is_some())
            .then_some(upper),
        source_ports,
        unresolved,
        dangling_asgs,
        notes,
    }
}

/// Why an NSG's decision is unknown, naming what its rules could not resolve: service tags
/// without prefixes and application security groups the estate does not hold. Trace and reach
/// both word it so.
pub fn unknown_reason<'a>(
    nsg_name: &str,
    rules: impl IntoIterator<Item = &'a CompiledRule>,
) -> String {
    let mut tags: Vec<&str> = Vec::new();
    let mut groups: Vec<&str> = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    for r in rules {
        tags.extend(r.unresolved.iter().map(String::as_str));
        groups.extend(r.dangling_asgs.iter().map(String::as_str));
        sources.extend(
            r.source_ports
                .as_ref()
                .map(|p| format!("`{}` (source ports {p})", r.name)),
        );
    }
    let mut parts = Vec::new();
    if !tags.is_empty() {
        parts.push(format!(
            "service tag `{}`, which has no prefixes offline (pass --service-tags)",
            tags.join("`, `")
        ));
    }
    if !groups.is_empty() {
        groups.dedup();
        parts.push(format!(
            "application security group `{}`, which is not in the estate (its members are unknown)",
            groups.join("`, `")
        ));
    }
    if !sources.is_empty() {
        parts.push(format!(
            "rule {}, whose source ports aksnet does not model (a flow's source port is not known)",
            sources.join(", ")
        ));
    }
    format!(
        "{nsg_name}: whether the flow is allowed depends on {}",
        parts.join(" and on ")
    )
}

/// The NSG levels of Azure's evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// The subnet's NSG.
    Subnet,
    /// The NSG of the network interface holding the address.
    Nic,
}

/// The order Azure evaluates the two levels in [NSGHOW] §3.3: inbound, the subnet's NSG first,
/// then the NIC's; outbound, the NIC's first, then the subnet's. Traffic passes only if every
/// NSG present allows it, and a deny at the first level stops evaluation; trace walks the
/// levels in this order, reach intersects what each lets through.
pub fn order(direction: Direction) -> [Level; 2] {
    match direction {
        Direction::Inbound => [Level::Subnet, Level::Nic],
        Direction::Outbound => [Level::Nic, Level::Subnet],
    }
}

/// A NIC-level NSG compiled for one subnet: the addresses, in that subnet, of the NIC IP
/// configurations whose NIC it is associated with ([NSGHOW] §3.3). Rules are compiled in the
/// subnet's context (its `VirtualNetwork` tag).
#[derive(Debug)]
pub struct NicNsg {
    /// The NSG.
    pub nsg: ResourceId,
    /// The NICs it is associated with here, by name.
    pub nics: Vec<String>,
    /// Their addresses in the subnet.
    pub addresses: PrefixSet,
    /// Its rules; only Azure's defaults when the estate does not hold it.
    pub rules: Vec<CompiledRule>,
    /// The estate does not hold the NSG: what it decides is unknown.
    pub absent: bool,
    /// Per direction `[inbound, outbound]`: (the packets it lets through, of all packets —
    /// everything not to or from its addresses passes —, and those whose fate depends on an
    /// unresolved name), on first use.
    filters: [OnceLock<(PacketSet, PacketSet)>; 2],
}

impl NicNsg {
    /// The packets this level concerns: those to its addresses inbound, from them outbound.
    pub fn scope(&self, direction: Direction) -> PacketSet {
        let every = PrefixSet::everything();
        match direction {
            Direction::Inbound => PacketSet::from_parts(&every, &self.addresses, Services::any()),
            Direction::Outbound => PacketSet::from_parts(&self.addresses, &every, Services::any()),
        }
    }

    /// What the NSG lets through in `direction` taken alone (as for traffic through an NVA's
    /// NIC): the allowed packets and, apart, those whose fate depends on an unresolved name.
    pub fn own(&self, direction: Direction) -> (PacketSet, PacketSet) {
        (
            allowed(&self.rules, direction),
            uncertain(&self.rules, direction),
        )
    }

    /// The packets that pass this level, out of all packets (those outside its scope pass), and
    /// those in scope whose fate depends on an unresolved name.
    pub fn filter(&self, direction: Direction) -> &(PacketSet, PacketSet) {
        self.filters[usize::from(direction == Direction::Outbound)].get_or_init(|| {
            let scope = self.scope(direction);
            let (ok, unsure) = self.own(direction);
            let pass = PacketSet::all()
                .difference(&scope)
                .union(&ok.union(&unsure).intersection(&scope));
            (pass, unsure.intersection(&scope))
        })
    }
}

/// Per subnet, the NIC-level NSGs of the NICs placed in it, one per NSG.
pub fn nic_nsgs(
    estate: &Estate,
    t: &Topology,
    vnet_tags: &IndexVec<SubnetIx, PrefixSet>,
    service: &ServiceTags,
    asgs: &Asgs,
) -> IndexVec<SubnetIx, Vec<NicNsg>> {
    let mut out: IndexVec<SubnetIx, Vec<NicNsg>> = t.subnets.iter().map(|_| Vec::new()).collect();
    for n in &t.nic_addresses {
        let Some(nsg) = &n.nsg else { continue };
        let here = &mut out[n.subnet];
        let i = match here.iter().position(|g| &g.nsg == nsg) {
            Some(i) => i,
            None => {
                let ctx = TagContext {
                    vnet: &vnet_tags[n.subnet],
                    service,
                };
                here.push(NicNsg {
                    nsg: nsg.clone(),
                    nics: Vec::new(),
                    addresses: PrefixSet::new(),
                    rules: compile(estate, nsg, &ctx, asgs),
                    absent: estate.network_security_groups.get(nsg).is_none(),
                    filters: [OnceLock::new(), OnceLock::new()],
                });
                here.len() - 1
            }
        };
        let g = &mut here[i];
        g.addresses = g.addresses.union(&[n.prefix].into_iter().collect());
        let name = n.nic.name().to_string();
        if !g.nics.contains(&name) {
            g.nics.push(name);
        }
    }
    out
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
    /// Whether everything the rule names resolved offline (then both readings agree).
    pub fn is_exact(&self) -> bool {
        self.unresolved.is_empty() && self.dangling_asgs.is_empty() && self.source_ports.is_none()
    }

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
        .all(|r| r.direction != direction || r.is_exact())
    {
        return PacketSet::empty();
    }
    let low = allowed_under(rules, direction, Reading::Resolved);
    let high = allowed_under(rules, direction, Reading::TagsMatchAll);
    low.difference(&high).union(&high.difference(&low))
}

/// Whether two compiled rule lists decide every packet alike: rule by rule the same direction,
/// access and packets under both readings (what [`allowed_under`] and [`uncertain`] read).
fn decide_alike(a: &[CompiledRule], b: &[CompiledRule]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.direction == y.direction
                && x.access == y.access
                && x.matches == y.matches
                && x.may_match == y.may_match
        })
}

/// For each subnet, the first subnet whose NSG rules decide alike ([`decide_alike`]; itself
/// when none comes before, or when it has no NSG): a module that gives every spoke a copy of one
/// NSG gives them one allowed set, computed once. Found by hashing what the rules decide, so
/// the cost is linear in the rules.
pub fn twins(nsgs: &IndexVec<SubnetIx, Option<Vec<CompiledRule>>>) -> IndexVec<SubnetIx, SubnetIx> {
    use std::hash::{Hash, Hasher};
    let mut seen: HashMap<u64, Vec<SubnetIx>> = HashMap::new();
    nsgs.iter_enumerated()
        .map(|(s, rules)| {
            let Some(rules) = rules else { return s };
            let mut h = std::collections::hash_map::DefaultHasher::new();
            for r in rules {
                (r.direction == Direction::Inbound, r.access == Access::Allow).hash(&mut h);
                r.matches.hash(&mut h);
                r.may_match.hash(&mut h);
            }
            let same = seen.entry(h.finish()).or_default();
            match same
                .iter()
                .find(|t| nsgs[**t].as_deref().is_some_and(|o| decide_alike(o, rules)))
            {
                Some(&t) => t,
                None => {
                    same.push(s);
                    s
                }
            }
        })
        .collect()
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
            dangling_asgs: Vec::new(),
            source_ports: None,
            notes: Vec::new(),
        }
    }

    /// Copies of one NSG share a representative (names and priorities aside: only what the
    /// rules decide counts); an NSG that decides otherwise, or none, is its own.
    #[test]
    fn copies_of_one_nsg_are_twins() {
        let a = vec![
            rule(0, (1, 9, 80, 90, true)),
            rule(1, (3, 4, 85, 85, false)),
        ];
        let mut copy = a.clone();
        copy[0].name = "other-name".into();
        copy[0].priority = 4000;
        let mut other = a.clone();
        other[1].access = Access::Allow;
        let nsgs: IndexVec<SubnetIx, _> = IndexVec::from(vec![
            Some(a.clone()),
            None,
            Some(copy),
            Some(other),
            Some(a),
        ]);
        let twins: Vec<usize> = twins(&nsgs).iter().map(|s| s.index()).collect();
        assert_eq!(twins, vec![0, 1, 0, 3, 0]);
    }

    const SUB: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";

    /// One subnet 10.0.1.0/24 with NSG `n` holding `rules`; NICs `(name, ip, asgs, nic nsg)`;
    /// ASG resources `asgs`.
    fn estate(
        rules: serde_json::Value,
        nics: &[(&str, &str, &[&str], Option<&str>)],
        asgs: &[&str],
    ) -> Estate {
        let nics: Vec<serde_json::Value> = nics
            .iter()
            .map(|(name, ip, groups, nsg)| {
                let groups: Vec<_> = groups
                    .iter()
                    .map(|g| serde_json::json!({ "id": format!("{SUB}/applicationSecurityGroups/{g}") }))
                    .collect();
                let mut n = serde_json::json!({ "id": format!("{SUB}/networkInterfaces/{name}"), "properties": {
                    "ipConfigurations": [{ "name": "c", "properties": { "privateIPAddress": ip,
                        "subnet": { "id": format!("{SUB}/virtualNetworks/v/subnets/app") },
                        "applicationSecurityGroups": groups } }] } });
                if let Some(g) = nsg {
                    n["properties"]["networkSecurityGroup"] =
                        serde_json::json!({ "id": format!("{SUB}/networkSecurityGroups/{g}") });
                }
                n
            })
            .collect();
        let asgs: Vec<_> = asgs
            .iter()
            .map(|a| serde_json::json!({ "id": format!("{SUB}/applicationSecurityGroups/{a}"), "properties": {} }))
            .collect();
        serde_json::from_value(serde_json::json!({
            "aksnetSchema": 1, "name": "t",
            "virtualNetworks": [{ "id": format!("{SUB}/virtualNetworks/v"), "properties": {
                "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
                "subnets": [{ "name": "app", "properties": { "addressPrefix": "10.0.1.0/24",
                    "networkSecurityGroup": { "id": format!("{SUB}/networkSecurityGroups/n") } } }] } }],
            "networkSecurityGroups": [
                { "id": format!("{SUB}/networkSecurityGroups/n"), "properties": { "securityRules": rules } },
                { "id": format!("{SUB}/networkSecurityGroups/nic"), "properties": { "securityRules": [
                    { "name": "deny-22", "properties": { "protocol": "Tcp", "sourceAddressPrefix": "*",
                      "destinationAddressPrefix": "*", "destinationPortRange": "22", "access": "Deny",
                      "priority": 100, "direction": "Inbound" } } ] } } ],
            "networkInterfaces": nics,
            "applicationSecurityGroups": asgs,
        }))
        .unwrap()
    }

    /// One inbound rule to the destination ASG `asg` on TCP 80.
    fn to_asg(asg: &str) -> serde_json::Value {
        serde_json::json!([{ "name": "web", "properties": { "protocol": "Tcp", "sourceAddressPrefix": "*",
            "destinationApplicationSecurityGroups": [{ "id": format!("{SUB}/applicationSecurityGroups/{asg}") }],
            "destinationPortRange": "80", "access": "Allow", "priority": 100, "direction": "Inbound" } }])
    }

    fn compiled(e: &Estate) -> Vec<CompiledRule> {
        let t = Topology::new(e);
        let endpoints = Endpoints::new(e, &t, false);
        let vnet: PrefixSet = ["10.0.0.0/16".parse::<Prefix>().unwrap()]
            .into_iter()
            .collect();
        let service = ServiceTags::default();
        let ctx = TagContext {
            vnet: &vnet,
            service: &service,
        };
        compile(
            e,
            &ResourceId::new(format!("{SUB}/networkSecurityGroups/n")),
            &ctx,
            &Asgs::new(e, &t, &endpoints),
        )
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_asg_rule_matches_its_members_only() {
        let e = estate(
            to_asg("web"),
            &[
                ("a", "10.0.1.10", &["web"], None),
                ("b", "10.0.1.11", &[], None),
            ],
            &["web"],
        );
        let rules = compiled(&e);
        let r = &rules[0];
        assert_eq!(r.destination, "web");
        assert!(r.is_exact() && r.notes.is_empty());
        let src = ip("10.0.0.4");
        assert!(r.matches.contains(src, ip("10.0.1.10"), Protocol::Tcp, 80));
        assert!(!r.matches.contains(src, ip("10.0.1.11"), Protocol::Tcp, 80));
    }

    #[test]
    fn an_asg_nothing_carries_matches_nothing_with_a_note() {
        let e = estate(to_asg("web"), &[("b", "10.0.1.11", &[], None)], &["web"]);
        let r = &compiled(&e)[0];
        assert!(r.matches.is_empty() && r.is_exact());
        assert!(r.notes[0].contains("`web` has no member"), "{:?}", r.notes);
    }

    #[test]
    fn a_dangling_asg_may_match_anything_but_is_not_taken_to() {
        let e = estate(to_asg("gone"), &[("a", "10.0.1.10", &["gone"], None)], &[]);
        let rules = compiled(&e);
        let r = &rules[0];
        assert_eq!(r.dangling_asgs, ["gone"]);
        let (src, other) = (ip("10.0.0.4"), ip("10.0.1.11"));
        // The member the estate names matches; anyone else might.
        assert!(r.matches.contains(src, ip("10.0.1.10"), Protocol::Tcp, 80));
        assert!(!r.matches.contains(src, other, Protocol::Tcp, 80));
        assert!(r
            .matched(Reading::TagsMatchAll)
            .contains(src, other, Protocol::Tcp, 80));
        // From outside the VNet (no default rule allows it) the decision is unknown.
        let far = ip("20.0.0.1");
        assert!(uncertain(&rules, Direction::Inbound).contains(far, other, Protocol::Tcp, 80));
        let why = unknown_reason("n", [r]);
        assert!(why.contains("application security group `gone`, which is not in the estate"));
    }

    #[test]
    fn levels_in_azures_order() {
        assert_eq!(order(Direction::Inbound), [Level::Subnet, Level::Nic]);
        assert_eq!(order(Direction::Outbound), [Level::Nic, Level::Subnet]);
    }

    #[test]
    fn a_nic_nsg_filters_its_own_addresses_only() {
        let e = estate(
            serde_json::json!([]),
            &[
                ("a", "10.0.1.10", &[], Some("nic")),
                ("b", "10.0.1.11", &[], Some("nic")),
                ("c", "10.0.1.12", &[], None),
                ("d", "10.0.1.13", &[], Some("gone")),
            ],
            &[],
        );
        let t = Topology::new(&e);
        let endpoints = Endpoints::new(&e, &t, false);
        let tags: IndexVec<SubnetIx, PrefixSet> = [PrefixSet::everything()].into_iter().collect();
        let groups = nic_nsgs(
            &e,
            &t,
            &tags,
            &ServiceTags::default(),
            &Asgs::new(&e, &t, &endpoints),
        );
        let here = &groups[SubnetIx::new(0)];
        assert_eq!(here.len(), 2, "one per NSG");
        assert_eq!(here[0].nics, ["a", "b"]);
        assert!(!here[0].absent && here[1].absent);
        let (pass, unsure) = here[0].filter(Direction::Inbound);
        let src = ip("10.0.0.4");
        assert!(!pass.contains(src, ip("10.0.1.10"), Protocol::Tcp, 22));
        assert!(!pass.contains(src, ip("10.0.1.11"), Protocol::Tcp, 22));
        assert!(pass.contains(src, ip("10.0.1.10"), Protocol::Tcp, 80));
        assert!(pass.contains(src, ip("10.0.1.12"), Protocol::Tcp, 22));
        assert!(unsure.is_empty());
        // Outbound the NIC NSG's defaults allow VirtualNetwork traffic from its addresses.
        let (out, _) = here[0].filter(Direction::Outbound);
        assert!(out.contains(ip("10.0.1.10"), src, Protocol::Tcp, 22));
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
