//! Azure Firewall with Firewall Policy ([FWRULE] [FWSNAT] [FWFAQ], azure-semantics §4).
//!
//! Processing: threat intelligence first (no feed offline: reported, not evaluated); then three
//! passes over the rule collection groups — DNAT, Network, Application — each pass taking the
//! parent (base) policy's groups before the child's, then groups by priority, then collections
//! by priority; the first matching rule decides. Unmatched traffic is denied.

use std::net::IpAddr;
use std::sync::OnceLock;

use aksnet_model::aks_egress::{self, AKS_FQDN_TAG};
use aksnet_model::firewall::{classic, AzureFirewall, FirewallRule, IpGroupEntry, RuleCollection};
use aksnet_model::{Estate, Resource, ResourceId};
use aksnet_net::{
    PacketSet, PortRange, PortSet, Prefix, PrefixSet, Protocol, ProtocolSet, Services, SetIndex,
};

use crate::tags::{resolve, ServiceTags, TagContext};

/// One rule in processing order, with its match fields compiled.
#[derive(Clone, Debug)]
pub struct OrderedRule {
    /// `rcg/collection/rule`.
    pub path: String,
    /// `Allow`, `Deny` or `DNAT`.
    pub action: String,
    /// The rule.
    pub rule: FirewallRule,
    /// Policy that holds it (parent first).
    pub policy: String,
    /// Source addresses.
    pub src: PrefixSet,
    /// Destination addresses (network and NAT rules).
    pub dst: PrefixSet,
    /// Protocols and ports (application rules: TCP on their ports).
    pub services: Services,
    /// Destination names: network-rule FQDNs, or application-rule FQDNs and expanded tags.
    pub names: Vec<String>,
    /// Service tags that could not be resolved offline.
    pub unresolved: Vec<String>,
    /// Destination FQDNs known only at deployment (their expressions): under
    /// [`Reading::GroupsMatchAll`] they match any name, so a flow by a name the known ones do not
    /// match is unknown.
    pub unknown_names: Vec<String>,
    /// IP groups the rule names that the estate does not hold.
    pub missing_groups: Vec<ResourceId>,
    /// `(src, dst)` with every missing IP group taken as every address; `None` when every group
    /// it names is in the estate. Azure's match lies between this and `(src, dst)`.
    pub may: Option<(PrefixSet, PrefixSet)>,
    /// IP groups it names that hold no address: Azure skips the rule, so it matches nothing.
    pub empty_groups: Vec<ResourceId>,
}

/// The IP groups a rule names as sources and as destinations: sources in DNAT, network and
/// application rules, destinations in network rules only [FW-IPGROUPS].
fn groups_of(rule: &FirewallRule) -> (&[ResourceId], &[ResourceId]) {
    match rule {
        FirewallRule::NetworkRule(n) => (&n.source_ip_groups, &n.destination_ip_groups),
        FirewallRule::NatRule(n) => (&n.source_ip_groups, &[]),
        FirewallRule::ApplicationRule(a) => (&a.source_ip_groups, &[]),
    }
}

/// How a rule's missing IP groups are read: as holding nothing, or every address. Where the two
/// readings decide a packet differently, its fate is unknown (the group's addresses are not in
/// the estate); where they agree, the group did not matter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// Missing groups match nothing.
    Resolved,
    /// Missing groups match every address.
    GroupsMatchAll,
}

/// The addresses of the IP groups `ids` [FW-IPGROUPS]: the union of those the estate holds,
/// the ids it does not, and the ids of groups that hold no address (Azure skips a rule naming
/// an IP group emptied of addresses: learn.microsoft.com/azure/firewall/ip-groups, "If you
/// remove all IP addresses in an IP Group while it's still in use in a rule, that rule is
/// skipped").
fn ip_groups(estate: &Estate, ids: &[ResourceId]) -> (PrefixSet, Vec<ResourceId>, Vec<ResourceId>) {
    let (mut set, mut missing, mut empty) = (PrefixSet::new(), Vec::new(), Vec::new());
    for id in ids {
        match estate.ip_groups.get(id) {
            Some(g) if g.properties.ip_addresses.is_empty() => empty.push(id.clone()),
            Some(g) => set = set.union(&g.properties.addresses()),
            None => missing.push(id.clone()),
        }
    }
    (set, missing, empty)
}

impl OrderedRule {
    fn new(
        estate: &Estate,
        path: String,
        action: String,
        rule: FirewallRule,
        policy: String,
        location: &str,
        tags: &ServiceTags,
    ) -> Self {
        // The firewall resolves tags globally: `VirtualNetwork` has no meaning in a policy.
        let empty = PrefixSet::new();
        let ctx = TagContext {
            vnet: &empty,
            service: tags,
        };
        // A side's addresses, and the service tags on it that have no prefixes offline.
        let set_of = |fields: &[String]| {
            fields
                .iter()
                .fold((PrefixSet::new(), Vec::new()), |(acc, mut unres), f| {
                    // Firewall rules also take ranges `first-last` (AzureFirewallPut.json).
                    if let Ok(range @ IpGroupEntry::Range(..)) = f.parse::<IpGroupEntry>() {
                        return (acc.union(&range.addresses()), unres);
                    }
                    let r = resolve(f, &ctx);
                    unres.extend(r.unresolved);
                    (acc.union(&r.set), unres)
                })
        };
        let protos = |v: &[String]| {
            v.iter()
                .filter_map(|p| p.parse::<ProtocolSet>().ok())
                .fold(ProtocolSet::NONE, ProtocolSet::union)
        };
        let ports = |v: &[String]| {
            v.iter()
                .filter_map(|p| p.parse::<PortRange>().ok())
                .collect::<PortSet>()
        };
        // FQDNs known only at deployment (another resource's), by expression.
        let unknown_names: Vec<String> = match &rule {
            FirewallRule::NetworkRule(n) => n
                .destination_fqdns
                .iter()
                .filter_map(|f| match f {
                    aksnet_model::Maybe::Unknown(u) => Some(u.expression.clone()),
                    aksnet_model::Maybe::Known(_) => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let ((src, src_tags), (dst, dst_tags), services, names) = match &rule {
            FirewallRule::NetworkRule(n) => (
                set_of(&n.source_addresses),
                set_of(&n.destination_addresses),
                Services::new(protos(&n.ip_protocols), &ports(&n.destination_ports)),
                n.destination_fqdns
                    .iter()
                    .filter_map(aksnet_model::Maybe::known)
                    .cloned()
                    .collect(),
            ),
            FirewallRule::NatRule(n) => (
                set_of(&n.source_addresses),
                set_of(&n.destination_addresses),
                Services::new(protos(&n.ip_protocols), &ports(&n.destination_ports)),
                Vec::new(),
            ),
            FirewallRule::ApplicationRule(a) => {
                let p: PortSet = a
                    .protocols
                    .iter()
                    .map(|p| PortRange::single(p.port))
                    .collect();
                let names = a
                    .target_fqdns
                    .iter()
                    .cloned()
                    .chain(a.fqdn_tags.iter().flat_map(|t| tag_fqdns(t, location)))
                    .collect();
                (
                    set_of(&a.source_addresses),
                    (PrefixSet::everything(), Vec::new()),
                    Services::new(Protocol::Tcp.into(), &p),
                    names,
                )
            }
        };
        // Each side is the union of its addresses and its IP groups' [FW-IPGROUPS].
        let (src_groups, dst_groups) = groups_of(&rule);
        let (src_set, src_missing, src_empty) = ip_groups(estate, src_groups);
        let (dst_set, dst_missing, dst_empty) = ip_groups(estate, dst_groups);
        let (mut src, mut dst) = (src.union(&src_set), dst.union(&dst_set));
        let missing_groups: Vec<ResourceId> =
            src_missing.iter().chain(&dst_missing).cloned().collect();
        // What a side may hold beyond what is known: every address, when it names an IP group
        // the estate lacks or a service tag without prefixes offline.
        let src_open = !src_missing.is_empty() || !src_tags.is_empty();
        let dst_open = !dst_missing.is_empty() || !dst_tags.is_empty();
        let mut may = (src_open || dst_open).then(|| {
            let upper = |set: &PrefixSet, open: bool| {
                if open {
                    PrefixSet::everything()
                } else {
                    set.clone()
                }
            };
            (upper(&src, src_open), upper(&dst, dst_open))
        });
        let unresolved: Vec<String> = src_tags.into_iter().chain(dst_tags).collect();
        let empty_groups: Vec<ResourceId> = src_empty.into_iter().chain(dst_empty).collect();
        if !empty_groups.is_empty() {
            // Skipped by Azure whatever the other groups hold.
            (src, dst, may) = (PrefixSet::new(), PrefixSet::new(), None);
        }
        Self {
            path,
            action,
            rule,
            policy,
            src,
            dst,
            services,
            names,
            unresolved,
            unknown_names,
            missing_groups: if empty_groups.is_empty() {
                missing_groups
            } else {
                Vec::new()
            },
            may,
            empty_groups,
        }
    }

    /// Its `(sources, destinations)` under `reading`.
    pub fn sides(&self, reading: Reading) -> (&PrefixSet, &PrefixSet) {
        match (reading, &self.may) {
            (Reading::GroupsMatchAll, Some((src, dst))) => (src, dst),
            _ => (&self.src, &self.dst),
        }
    }

    /// Why its match is unknown, when it names IP groups the estate does not hold or service
    /// tags without prefixes offline.
    pub fn missing_why(&self) -> Option<String> {
        let mut what: Vec<String> = self
            .missing_groups
            .iter()
            .map(|g| format!("IP group `{g}` is not in the estate"))
            .collect();
        what.extend(
            self.unresolved.iter().map(|t| {
                format!("service tag `{t}` has no prefixes offline (pass --service-tags)")
            }),
        );
        what.extend(
            self.unknown_names
                .iter()
                .map(|n| format!("FQDN `{n}` is known only at deployment")),
        );
        (!what.is_empty()).then(|| {
            format!(
                "{}: {}, so whether the rule matches is unknown",
                self.path,
                what.join("; ")
            )
        })
    }

    fn allows(&self) -> bool {
        self.action.eq_ignore_ascii_case("Allow")
    }
}

/// A compiled policy.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// Name.
    pub name: String,
    /// Threat intelligence mode.
    pub threat_intel_mode: String,
    /// DNS proxy on (needed for FQDNs in network rules).
    pub dns_proxy: bool,
    /// SNAT private ranges: network rules do not SNAT to these.
    pub snat_private: PrefixSet,
    /// DNAT rules in order.
    pub nat: Vec<OrderedRule>,
    /// Network rules in order.
    pub network: Vec<OrderedRule>,
    /// Application rules in order.
    pub application: Vec<OrderedRule>,
    /// Notes about what could not be ordered or resolved.
    pub notes: Vec<String>,
    /// Region, for `{location}` in FQDN tags.
    pub location: String,
    /// `(allowed, matched)` network-rule packet sets per [`Reading`], computed on first use.
    sets: [OnceLock<(PacketSet, PacketSet)>; 2],
    /// [`Policy::network_uncertain`], computed on first use.
    uncertain: OnceLock<PacketSet>,
    /// [`Policy::passes_by_name`], computed on first use.
    by_name: OnceLock<Vec<ByName>>,
    /// The network and application rules' sources per [`Reading`], indexed on first use:
    /// one packet's candidate rules without testing every rule.
    sources: [OnceLock<(SetIndex, SetIndex)>; 2],
    /// Whether every rule reads alike under both [`Reading`]s, computed on first use.
    certain: OnceLock<bool>,
}

/// What one name-matching rule lets through, with the packets the network rules already decided
/// removed for application rules (they only see the rest).
#[derive(Clone, Debug)]
pub struct ByName {
    /// `group/collection/rule`.
    pub path: String,
    /// The packets it can pass (every destination: the name decides).
    pub packets: PacketSet,
    /// Its sources, for a cheap disjointness test.
    pub sources: PrefixSet,
    /// FQDNs and `tag:` FQDN tags.
    pub names: Vec<String>,
    /// `network` or `application`.
    pub kind: &'static str,
    /// The packets of `packets` it passes only under one reading of a missing IP group
    /// ([`Reading`]), with the reason; empty when no group is missing.
    pub unsure: (PacketSet, Option<String>),
}

/// `IANAPrivateRanges`: RFC 1918 plus RFC 6598 [FWSNAT] §4.3.
fn iana_private() -> PrefixSet {
    [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
    ]
    .iter()
    .map(|s| s.parse::<Prefix>().expect("constant"))
    .collect()
}

/// Compiles the policy `id` with its parent chain.
pub fn compile(estate: &Estate, id: &ResourceId, location: &str, tags: &ServiceTags) -> Policy {
    let mut chain = estate.policy_chain(id);
    chain.reverse(); // parent first [FWRULE]
    let me = estate.firewall_policies.get(id);
    let mut policy = Policy {
        name: id.name().to_string(),
        threat_intel_mode: me
            .and_then(|p| p.properties.threat_intel_mode.clone())
            .unwrap_or_else(|| "Alert".to_string()),
        dns_proxy: crate::dns::proxy_settings(estate, id).is_some_and(|d| d.enable_proxy),
        location: location.to_string(),
        ..Policy::default()
    };
    policy.snat_private = snat_ranges(
        me.and_then(|p| p.properties.snat.as_ref())
            .map_or(&[][..], |s| &s.private_ranges),
    );
    for pid in &chain {
        let mut groups: Vec<_> = estate.policy_groups(pid).collect();
        groups.sort_by_key(|g| (g.properties.priority, g.name.clone()));
        for g in groups {
            let mut colls: Vec<&RuleCollection> = g.properties.rule_collections.iter().collect();
            let prio = |c: &RuleCollection| match c {
                RuleCollection::Filter(f) => f.priority,
                RuleCollection::Nat(n) => n.priority,
            };
            if colls.iter().any(|c| prio(c).is_none()) {
                policy.notes.push(format!("rule collection group {} has collections without a priority; they are processed after the others", g.name));
            }
            colls.sort_by_key(|c| prio(c).unwrap_or(u32::MAX));
            for c in colls {
                let (name, action, rules) = match c {
                    RuleCollection::Filter(f) => (&f.name, &f.action.kind, &f.rules),
                    RuleCollection::Nat(n) => (&n.name, &n.action.kind, &n.rules),
                };
                let at = Origin {
                    estate,
                    path: format!("{}/{name}", g.name),
                    action,
                    policy: pid.name(),
                    location,
                    tags,
                };
                at.push(&mut policy, rules);
            }
        }
    }
    policy
}

/// Where a collection's rules come from, for [`Origin::push`].
struct Origin<'a> {
    estate: &'a Estate,
    /// `group/collection` (policy) or `collection` (classic).
    path: String,
    action: &'a str,
    policy: &'a str,
    location: &'a str,
    tags: &'a ServiceTags,
}

impl Origin<'_> {
    /// Appends each rule to its pass (DNAT, network or application) in order, noting rules that
    /// name an IP group emptied of addresses.
    fn push(&self, policy: &mut Policy, rules: &[FirewallRule]) {
        for r in rules {
            let (rname, list) = match r {
                FirewallRule::NatRule(x) => (&x.name, &mut policy.nat),
                FirewallRule::NetworkRule(x) => (&x.name, &mut policy.network),
                FirewallRule::ApplicationRule(x) => (&x.name, &mut policy.application),
            };
            let rule = OrderedRule::new(
                self.estate,
                format!("{}/{rname}", self.path),
                self.action.to_string(),
                r.clone(),
                self.policy.to_string(),
                self.location,
                self.tags,
            );
            for id in &rule.empty_groups {
                policy.notes.push(format!(
                    "{}: IP group `{id}` holds no address, so Azure skips the rule",
                    rule.path
                ));
            }
            list.push(rule);
        }
    }
}

/// SNAT private ranges: the ranges given, with `IANAPrivateRanges` expanded; none given is
/// `IANAPrivateRanges` [FWSNAT] §4.3.
fn snat_ranges(given: &[String]) -> PrefixSet {
    if given.is_empty() {
        return iana_private();
    }
    given
        .iter()
        .flat_map(|r| {
            if r.eq_ignore_ascii_case("IANAPrivateRanges") {
                iana_private().prefixes()
            } else {
                Prefix::parse_lenient(r).into_iter().collect()
            }
        })
        .collect()
}

/// Compiles a firewall's classic rule collections (azure-semantics §4.1: collections processed
/// by type, in priority order; DNAT before network before application, as with a policy) and
/// its classic settings (`additionalProperties`: DNS proxy, SNAT private ranges).
pub fn compile_classic(
    estate: &Estate,
    fw: &Resource<AzureFirewall>,
    location: &str,
    tags: &ServiceTags,
) -> Policy {
    let p = &fw.properties;
    let extra = &p.additional_properties;
    let mut policy = Policy {
        name: format!("{} (classic rules)", fw.name),
        // Its own `threatIntelMode`; unstated, Alert ("threat intelligence-based filtering is
        // enabled in alert mode by default", Learn, "Azure Firewall threat intelligence-based
        // filtering"). No feed offline either way: a note only.
        threat_intel_mode: p
            .threat_intel_mode
            .clone()
            .unwrap_or_else(|| "Alert".to_string()),
        dns_proxy: classic::enable_proxy(extra),
        snat_private: snat_ranges(&classic::list(extra, classic::SNAT_PRIVATE_RANGES)),
        location: location.to_string(),
        ..Policy::default()
    };
    let mut colls = p.classic_collections();
    if colls.iter().any(|c| c.1.is_none()) {
        policy.notes.push(format!(
            "{} has classic rule collections without a priority; they are processed after the others",
            fw.name
        ));
    }
    // Stable: collections of equal priority keep the order written.
    colls.sort_by_key(|c| c.1.unwrap_or(u32::MAX));
    let holder = policy.name.clone();
    for (name, _, action, rules) in &colls {
        let at = Origin {
            estate,
            path: name.to_string(),
            action: &action.kind,
            policy: &holder,
            location,
            tags,
        };
        at.push(&mut policy, rules);
    }
    policy
}

/// A firewall's decision on one packet.
#[derive(Clone, Debug)]
pub struct Decision {
    /// Allowed or not.
    pub allowed: bool,
    /// The rule that decided (`None` = default deny).
    pub rule: Option<String>,
    /// Which pass decided: `network`, `application`, or `default` (DNAT is decided by
    /// [`Policy::dnat_rules`] before a packet reaches these passes).
    pub pass: &'static str,
    /// Source address after SNAT: `Some(true)` = SNAT to the firewall.
    pub snat: bool,
    /// Notes (unresolved tags, FQDN rules without DNS proxy...).
    pub notes: Vec<String>,
    /// Set when the decision turns on an IP group the estate does not hold: the reason. The
    /// decision is then the one that lets the flow through (anything later that denies it
    /// still decides), and the verdict is unknown.
    pub unknown: Option<String>,
}

/// `*.contoso.com` matches subdomains only, not the apex [FWFAQ]; `*` matches everything.
pub fn fqdn_match(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.to_ascii_lowercase(), name.to_ascii_lowercase());
    if p == "*" {
        return true;
    }
    match p.strip_prefix("*.") {
        Some(suffix) => n.len() > suffix.len() + 1 && n.ends_with(&format!(".{suffix}")),
        None => p == n,
    }
}

/// The FQDNs an FQDN tag stands for. `AzureKubernetesService` is modelled as the AKS required
/// FQDN table (its real membership is not published, azure-semantics §4.2 UNCONFIRMED).
fn tag_fqdns(tag: &str, location: &str) -> Vec<String> {
    if tag.eq_ignore_ascii_case(AKS_FQDN_TAG) {
        aks_egress::REQUIRED_FQDNS
            .iter()
            .map(|r| aks_egress::for_location(r.fqdn, location))
            .collect()
    } else {
        Vec::new()
    }
}

/// A DNAT rule as it applies to one of the firewall's public addresses.
#[derive(Clone, Debug)]
pub struct Dnat {
    /// Where the rule sits (`group/collection/rule`).
    pub path: String,
    /// The packets it translates: those it matches on that address that no earlier DNAT rule
    /// took (first match, as [`Policy::decide`] evaluates them).
    pub packets: PacketSet,
    /// The translated address and, when the rule sets one, port; `None` when the rule gives no
    /// address (an FQDN, or nothing): the flow is unknown ([`Dnat::untranslatable`]).
    pub to: Option<(IpAddr, Option<u16>)>,
    /// The translated FQDN, when the rule gives one.
    pub fqdn: Option<String>,
    /// The rule's first destination port and translated port as written, for display.
    pub ports: (Option<String>, Option<String>),
    /// The packets of `packets` it takes only under one reading of a missing IP group, with
    /// the reason; empty when no DNAT rule up to it names one.
    pub unsure: (PacketSet, Option<String>),
}

impl Dnat {
    /// Why a DNAT rule without a translated address leaves its flow unknown: it translates to
    /// an FQDN the firewall resolves (or to an address the estate does not give).
    pub fn untranslatable(&self, firewall: &str) -> String {
        format!(
            "{firewall}: DNAT rule {} translates to {}, which the estate does not resolve",
            self.path,
            self.fqdn
                .as_deref()
                .map_or("an address that is not given".to_string(), |q| format!(
                    "the FQDN `{q}`"
                ))
        )
    }
}

impl Policy {
    /// The DNAT rules that apply to packets arriving at public address `public`, in order, each
    /// with the packets it takes [FWRULE] §4.1. The per-packet view is [`Policy::decide`]; the
    /// two share the match conditions and are compared by the differential test.
    ///
    /// A rule naming an IP group the estate does not hold takes its packets under one reading
    /// ([`Reading`]) and not the other: those are `unsure`, and appear under every rule that
    /// takes them in either reading.
    pub fn dnat_rules(&self, public: IpAddr) -> Vec<Dnat> {
        let at: PrefixSet = [aksnet_net::Prefix::from(public)].into_iter().collect();
        let mut taken = [PacketSet::empty(), PacketSet::empty()];
        let mut missing = Vec::new();
        let mut out = Vec::new();
        for r in &self.nat {
            let FirewallRule::NatRule(n) = &r.rule else {
                continue;
            };
            if !(r.dst.contains_addr(public) || n.destination_addresses.iter().any(|d| d == "*")) {
                continue;
            }
            let [low, high] = [Reading::Resolved, Reading::GroupsMatchAll].map(|reading| {
                let i = usize::from(reading == Reading::GroupsMatchAll);
                let matched = PacketSet::from_parts(r.sides(reading).0, &at, r.services.clone());
                let packets = matched.difference(&taken[i]);
                taken[i] = taken[i].union(&matched);
                packets
            });
            missing.extend(r.missing_why());
            let unsure = low.difference(&high).union(&high.difference(&low));
            let why = (!unsure.is_empty()).then(|| missing.join("; "));
            let packets = low.union(&high);
            let to = n
                .translated_address
                .as_deref()
                .and_then(|a| a.parse().ok())
                .map(|ip| {
                    (
                        ip,
                        n.translated_port.as_deref().and_then(|p| p.parse().ok()),
                    )
                });
            out.push(Dnat {
                path: r.path.clone(),
                packets,
                to,
                fqdn: n.translated_fqdn.clone(),
                ports: (
                    n.destination_ports.first().cloned(),
                    n.translated_port.clone(),
                ),
                unsure: (unsure, why),
            });
        }
        out
    }

    /// A firewall with neither a policy nor classic rules: everything is denied (default deny,
    /// azure-semantics §4.1).
    pub fn without_rules() -> Self {
        Self {
            name: "(no rules)".to_string(),
            threat_intel_mode: "Off".to_string(),
            ..Self::default()
        }
    }

    /// Evaluates one packet arriving at the firewall's private side: network rules, then
    /// application rules [FWRULE] §4.1. `fqdn` is the Host/SNI (or, for network rules with
    /// FQDNs, the name the client resolved). DNAT on its public IPs is [`Policy::dnat_rules`].
    ///
    /// Rules naming IP groups the estate does not hold are evaluated under both readings
    /// ([`Reading`]); where the two decide differently, the decision is the one that lets the
    /// flow through, with [`Decision::unknown`] naming the group.
    pub fn decide(
        &self,
        src: IpAddr,
        dst: IpAddr,
        proto: Protocol,
        port: u16,
        fqdn: Option<&str>,
    ) -> Decision {
        let low = self.decide_under(Reading::Resolved, src, dst, proto, port, fqdn);
        let certain = *self.certain.get_or_init(|| {
            self.all_rules()
                .all(|r| r.may.is_none() && r.unknown_names.is_empty())
        });
        if certain {
            return low;
        }
        let high = self.decide_under(Reading::GroupsMatchAll, src, dst, proto, port, fqdn);
        if low.allowed == high.allowed && low.snat == high.snat && low.rule == high.rule {
            return low;
        }
        // The rule that decides under the wide reading matched only because of a missing
        // group (the narrow reading's matches are a subset), so it names the group.
        let why = high
            .rule
            .as_ref()
            .and_then(|p| self.all_rules().find(|r| &r.path == p))
            .and_then(OrderedRule::missing_why);
        if low.allowed == high.allowed && low.snat == high.snat {
            let mut d = low;
            d.notes
                .extend(why.map(|w| format!("{w}; the flow is treated alike either way")));
            return d;
        }
        let mut d = if low.allowed { low } else { high };
        d.unknown = why.or_else(|| Some("an IP group is not in the estate".to_string()));
        d
    }

    /// The network and application rules indexed by their sources under `reading`.
    fn sources(&self, reading: Reading) -> &(SetIndex, SetIndex) {
        let i = usize::from(reading == Reading::GroupsMatchAll);
        self.sources[i].get_or_init(|| {
            let index =
                |rules: &[OrderedRule]| SetIndex::new(rules.iter().map(|r| r.sides(reading).0));
            (index(&self.network), index(&self.application))
        })
    }

    /// Every rule, DNAT, network and application.
    fn all_rules(&self) -> impl Iterator<Item = &OrderedRule> {
        self.nat
            .iter()
            .chain(&self.network)
            .chain(&self.application)
    }

    /// [`Policy::decide`] under one reading of missing IP groups.
    fn decide_under(
        &self,
        reading: Reading,
        src: IpAddr,
        dst: IpAddr,
        proto: Protocol,
        port: u16,
        fqdn: Option<&str>,
    ) -> Decision {
        let mut notes = Vec::new();
        if self.threat_intel_mode != "Off" {
            notes.push(format!(
                "threat intelligence ({}) runs first; its feed is not available offline",
                self.threat_intel_mode
            ));
        }
        let note_unresolved = |r: &OrderedRule, notes: &mut Vec<String>| {
            for u in &r.unresolved {
                notes.push(format!(
                    "{}: service tag {u} has no prefixes offline (pass --service-tags)",
                    r.path
                ));
            }
        };
        let (network, application) = self.sources(reading);
        for r in network.holding(src).into_iter().map(|i| &self.network[i]) {
            let r_dst = r.sides(reading).1;
            if !r.services.contains(proto, port) {
                continue;
            }
            note_unresolved(r, &mut notes);
            // Under the reading where unknowns match everything, an FQDN known only at
            // deployment may be the one asked for.
            let by_name = fqdn.is_some_and(|f| {
                r.names.iter().any(|p| fqdn_match(p, f))
                    || (reading == Reading::GroupsMatchAll && !r.unknown_names.is_empty())
            });
            if by_name && !self.dns_proxy {
                notes.push(format!(
                    "{}: FQDNs in network rules need DNS proxy, which is off",
                    r.path
                ));
            }
            if r_dst.contains_addr(dst) || (by_name && self.dns_proxy) {
                // Network rules SNAT unless the destination is in the private ranges [FWSNAT].
                let snat = r.allows() && !self.snat_private.contains_addr(dst);
                return Decision {
                    allowed: r.allows(),
                    rule: Some(r.path.clone()),
                    pass: "network",
                    snat,
                    notes,
                    unknown: None,
                };
            }
        }
        // Application rules: HTTP/HTTPS/MSSQL only, matched on Host/SNI, always SNAT [FWRULE] [FWSNAT].
        for r in application
            .holding(src)
            .into_iter()
            .map(|i| &self.application[i])
        {
            if !r.services.contains(proto, port) {
                continue;
            }
            let Some(name) = fqdn else {
                notes.push("application rules match on the Host header or TLS SNI: pass --fqdn to evaluate them".to_string());
                break;
            };
            if r.names.iter().any(|p| fqdn_match(p, name)) {
                return Decision {
                    allowed: r.allows(),
                    rule: Some(r.path.clone()),
                    pass: "application",
                    snat: r.allows(),
                    notes,
                    unknown: None,
                };
            }
        }
        notes.dedup();
        Decision {
            allowed: false,
            rule: None,
            pass: "default",
            snat: false,
            notes,
            unknown: None,
        }
    }

    /// Every packet its network rules allow (application rules depend on names, not packets;
    /// FQDN network rules and unresolved tags are left out): the ordered fold.
    pub fn network_allowed(&self) -> PacketSet {
        self.network_sets().0.clone()
    }

    /// `(allowed, matched)`: what the network rules allow, and everything they decide (allow or
    /// deny), so application rules see only the rest. Computed once per policy.
    pub fn network_sets(&self) -> &(PacketSet, PacketSet) {
        self.network_sets_under(Reading::Resolved)
    }

    /// The packets whose network-rule decision turns on an IP group the estate does not hold:
    /// allowed under one [`Reading`] and not the other. Exact for one missing group per
    /// decision, as [`crate::nsg::uncertain`] is for service tags.
    pub fn network_uncertain(&self) -> &PacketSet {
        self.uncertain.get_or_init(|| {
            if self.network.iter().all(|r| r.may.is_none()) {
                return PacketSet::empty();
            }
            let low = &self.network_sets_under(Reading::Resolved).0;
            let high = &self.network_sets_under(Reading::GroupsMatchAll).0;
            low.difference(high).union(&high.difference(low))
        })
    }

    /// The missing IP groups of the network rules, as a reason (`None` when there are none).
    pub fn network_missing_why(&self) -> Option<String> {
        let why: Vec<String> = self
            .network
            .iter()
            .filter_map(OrderedRule::missing_why)
            .collect();
        (!why.is_empty()).then(|| why.join("; "))
    }

    /// [`Policy::network_sets`] under one reading of missing IP groups.
    pub fn network_sets_under(&self, reading: Reading) -> &(PacketSet, PacketSet) {
        // First match in rule order, as in `nsg::allowed`: an allow's packets minus every
        // earlier deny; what is decided is the union of everything matched.
        let i = usize::from(reading == Reading::GroupsMatchAll);
        self.sets[i].get_or_init(|| {
            let mut denied = PacketSet::empty();
            let mut allowed = Vec::new();
            let mut matched = Vec::new();
            for r in &self.network {
                let (src, dst) = r.sides(reading);
                let m = PacketSet::from_parts(src, dst, r.services.clone());
                if r.allows() {
                    allowed.push(m.difference(&denied));
                } else {
                    denied = denied.union(&m);
                }
                matched.push(m);
            }
            (PacketSet::union_all(allowed), PacketSet::union_all(matched))
        })
    }

    /// Rules that allow by name: network rules with FQDNs (only with DNS proxy, §4.1) and
    /// application rules, each as `(path, packets it can pass, names, kind)`.
    pub fn name_allowances(&self) -> Vec<(String, PacketSet, Vec<String>, &'static str)> {
        self.passes_by_name()
            .iter()
            .map(|b| (b.path.clone(), b.packets.clone(), b.names.clone(), b.kind))
            .collect()
    }

    /// [`Policy::name_allowances`] as the packet-set analysis needs them: application rules net
    /// of what the network rules decided, computed once per policy.
    pub fn passes_by_name(&self) -> &[ByName] {
        self.by_name.get_or_init(|| {
            let wide = self.all_rules().any(|r| r.may.is_some());
            let (_, matched_low) = self.network_sets_under(Reading::Resolved);
            let (_, matched_high) = self.network_sets_under(Reading::GroupsMatchAll);
            let low = self.allowances_uncached(Reading::Resolved);
            let high = self.allowances_uncached(Reading::GroupsMatchAll);
            low.into_iter()
                .zip(high)
                .map(|((path, set, names, kind), (_, set_high, _, _))| {
                    let app = kind == "application";
                    // What it may pass: the widest sources, net of what the network rules
                    // surely decided; what it surely passes: the narrowest, net of what they
                    // may decide. The difference turns on a missing IP group.
                    let rule = self.all_rules().find(|r| r.path == path);
                    // A name known only at deployment: whatever the rule passes by name may be
                    // for it, so all of it turns on that name.
                    let by_unknown_name = rule.is_some_and(|r| !r.unknown_names.is_empty());
                    let (packets, unsure) = if by_unknown_name {
                        let packets = set_high.clone();
                        (packets.clone(), packets)
                    } else if !wide {
                        let packets = if app {
                            set.difference(matched_low)
                        } else {
                            set
                        };
                        (packets, PacketSet::empty())
                    } else if app {
                        let packets = set_high.difference(matched_low);
                        let sure = set.difference(matched_high);
                        let unsure = packets.difference(&sure);
                        (packets, unsure)
                    } else {
                        let unsure = set_high.difference(&set);
                        (set_high, unsure)
                    };
                    let why = (!unsure.is_empty()).then(|| {
                        let own = rule.and_then(OrderedRule::missing_why);
                        let network = if app {
                            self.network_missing_why()
                        } else {
                            None
                        };
                        own.into_iter()
                            .chain(network)
                            .collect::<Vec<_>>()
                            .join("; ")
                    });
                    ByName {
                        path,
                        sources: packets.sources(),
                        packets,
                        names,
                        kind,
                        unsure: (unsure, why),
                    }
                })
                .collect()
        })
    }

    fn allowances_uncached(
        &self,
        reading: Reading,
    ) -> Vec<(String, PacketSet, Vec<String>, &'static str)> {
        let network = self
            .network
            .iter()
            .filter(|r| {
                self.dns_proxy && r.allows() && !(r.names.is_empty() && r.unknown_names.is_empty())
            })
            .map(|r| (r, "network"));
        let application = self
            .application
            .iter()
            .filter(|r| r.allows())
            .map(|r| (r, "application"));
        network
            .chain(application)
            .map(|(r, kind)| {
                let shown: Vec<String> = match &r.rule {
                    FirewallRule::ApplicationRule(a) => a
                        .target_fqdns
                        .iter()
                        .cloned()
                        .chain(a.fqdn_tags.iter().map(|t| format!("tag:{t}")))
                        .collect(),
                    _ => r
                        .names
                        .iter()
                        .cloned()
                        .chain(
                            r.unknown_names
                                .iter()
                                .map(|n| format!("{n} (known only at deployment)")),
                        )
                        .collect(),
                };
                (
                    r.path.clone(),
                    PacketSet::from_parts(
                        r.sides(reading).0,
                        &PrefixSet::everything(),
                        r.services.clone(),
                    ),
                    shown,
                    kind,
                )
            })
            // A rule with no name to match (no target FQDN or FQDN tag the engine knows)
            // passes nothing by name.
            .filter(|(_, _, names, _)| !names.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    const NET: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";

    fn group(name: &str) -> String {
        format!("{NET}/ipGroups/{name}")
    }

    /// A policy `p` with one group of `collections`, and IP groups `a` (a range and a block)
    /// and `empty` (no address); `missing` is named by rules but absent.
    fn policy(collections: Value) -> Policy {
        let e: Estate = serde_json::from_value(json!({
            "aksnetSchema": 1, "name": "t",
            "firewallPolicies": [{ "id": format!("{NET}/firewallPolicies/p"), "properties": {} }],
            "ruleCollectionGroups": [{ "id": format!("{NET}/firewallPolicies/p/ruleCollectionGroups/g"),
                "properties": { "priority": 100, "ruleCollections": collections } }],
            "ipGroups": [
                { "id": group("a"), "properties": { "ipAddresses": ["10.9.0.10-10.9.0.20", "192.0.2.0/28"] } },
                { "id": group("empty"), "properties": { "ipAddresses": [] } }
            ]
        }))
        .unwrap();
        compile(
            &e,
            &ResourceId::new(format!("{NET}/firewallPolicies/p")),
            "westeurope",
            &ServiceTags::default(),
        )
    }

    fn allow(rules: Value) -> Value {
        json!([{ "ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "c",
            "priority": 100, "action": { "type": "Allow" }, "rules": rules }])
    }

    fn net(name: &str, extra: Value) -> Value {
        let mut r = json!({ "ruleType": "NetworkRule", "name": name, "ipProtocols": ["TCP"],
            "destinationPorts": ["443"] });
        r.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        r
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn decide(p: &Policy, src: &str, dst: &str, fqdn: Option<&str>) -> Decision {
        p.decide(ip(src), ip(dst), Protocol::Tcp, 443, fqdn)
    }

    #[test]
    fn ip_groups_resolve_to_their_addresses_on_either_side() {
        let p = policy(allow(json!([
            net(
                "to-a",
                json!({ "sourceAddresses": ["10.0.0.0/24"], "destinationIpGroups": [group("a")] })
            ),
            net(
                "from-a",
                json!({ "sourceIpGroups": [group("a")], "sourceAddresses": ["10.1.0.4"],
                "destinationAddresses": ["203.0.113.0/24"] })
            ),
        ])));
        for (src, dst, allowed) in [
            ("10.0.0.5", "10.9.0.10", true),    // range, first address
            ("10.0.0.5", "10.9.0.20", true),    // range, last address
            ("10.0.0.5", "10.9.0.21", false),   // just past the range
            ("10.0.0.5", "192.0.2.15", true),   // the CIDR block
            ("10.9.0.15", "203.0.113.9", true), // source group
            ("10.1.0.4", "203.0.113.9", true),  // the rule's own address, kept beside the group
            ("10.9.0.9", "203.0.113.9", false),
        ] {
            let d = decide(&p, src, dst, None);
            assert_eq!(d.allowed, allowed, "{src} → {dst}");
            assert!(d.unknown.is_none());
        }
        assert!(p.network_uncertain().is_empty());
    }

    #[test]
    fn a_missing_ip_group_makes_the_match_unknown_not_allow_all() {
        let p = policy(allow(json!([net(
            "to-missing",
            json!({ "sourceAddresses": ["10.0.0.0/24"], "destinationIpGroups": [group("missing")] })
        )])));
        let d = decide(&p, "10.0.0.5", "198.51.100.1", None);
        let why = d.unknown.expect("unknown");
        assert!(
            why.contains(&format!(
                "IP group `{}` is not in the estate",
                group("missing")
            )),
            "{why}"
        );
        // The other side still decides: a source outside the rule's is denied, known.
        let d = decide(&p, "10.5.0.5", "198.51.100.1", None);
        assert!(!d.allowed && d.unknown.is_none());
        // reach's view of the same: the packets between the two readings.
        let u = p.network_uncertain();
        assert!(u.contains(ip("10.0.0.5"), ip("198.51.100.1"), Protocol::Tcp, 443));
        assert!(!u.contains(ip("10.5.0.5"), ip("198.51.100.1"), Protocol::Tcp, 443));
        assert!(!p.network_sets().0.contains(
            ip("10.0.0.5"),
            ip("198.51.100.1"),
            Protocol::Tcp,
            443
        ));
    }

    #[test]
    fn a_service_tag_without_prefixes_makes_the_match_unknown_as_in_an_nsg() {
        // Without --service-tags, `AzureCloud.westeurope` holds unknown addresses: the rule may
        // or may not match, so the flow is unknown, not "no rule matched".
        let p = policy(allow(json!([net(
            "to-azurecloud",
            json!({ "sourceAddresses": ["10.0.0.0/24"], "destinationAddresses": ["AzureCloud.westeurope"] })
        )])));
        let d = decide(&p, "10.0.0.5", "20.50.0.1", None);
        let why = d.unknown.expect("unknown");
        assert!(
            why.contains("service tag `AzureCloud.westeurope` has no prefixes offline"),
            "{why}"
        );
        // A source outside the rule's is denied, known; reach sees the same packets unsure.
        let d = decide(&p, "10.5.0.5", "20.50.0.1", None);
        assert!(!d.allowed && d.unknown.is_none());
        let u = p.network_uncertain();
        assert!(u.contains(ip("10.0.0.5"), ip("20.50.0.1"), Protocol::Tcp, 443));
        assert!(!u.contains(ip("10.5.0.5"), ip("20.50.0.1"), Protocol::Tcp, 443));
    }

    #[test]
    fn an_fqdn_known_only_at_deployment_makes_flows_by_other_names_unknown() {
        // `destination_fqdns = [azurerm_kubernetes_cluster.aks.fqdn]`: the rule may allow the
        // name asked for, or not; flows by address are untouched.
        let fqdn = json!({ "$unknown": { "expression": "azurerm_kubernetes_cluster.aks.fqdn",
            "reason": "known only after apply" } });
        let e: Estate = serde_json::from_value(json!({
            "aksnetSchema": 1, "name": "t",
            "firewallPolicies": [{ "id": format!("{NET}/firewallPolicies/p"),
                "properties": { "dnsSettings": { "enableProxy": true } } }],
            "ruleCollectionGroups": [{ "id": format!("{NET}/firewallPolicies/p/ruleCollectionGroups/g"),
                "properties": { "priority": 100, "ruleCollections": allow(json!([
                    net("api", json!({ "sourceAddresses": ["10.0.0.0/24"], "destinationFqdns": [fqdn] }))
                ])) } }]
        }))
        .unwrap();
        let p = compile(
            &e,
            &ResourceId::new(format!("{NET}/firewallPolicies/p")),
            "westeurope",
            &ServiceTags::default(),
        );
        let d = decide(
            &p,
            "10.0.0.5",
            "20.1.2.3",
            Some("aks-x.hcp.westeurope.azmk8s.io"),
        );
        let why = d.unknown.expect("unknown");
        assert!(
            why.contains("FQDN `azurerm_kubernetes_cluster.aks.fqdn` is known only at deployment"),
            "{why}"
        );
        // By address (no name), the rule has nothing to match: denied, known.
        let d = decide(&p, "10.0.0.5", "20.1.2.3", None);
        assert!(!d.allowed && d.unknown.is_none());
        // reach's view: the rule passes by a name known only at deployment, all of it unsure.
        let b = &p.passes_by_name()[0];
        assert!(
            b.names[0].contains("known only at deployment"),
            "{:?}",
            b.names
        );
        assert!(!b.unsure.0.is_empty() && b.unsure.1.is_some());
    }

    #[test]
    fn a_missing_group_that_cannot_change_the_outcome_leaves_it_known() {
        // An earlier allow covers the packet whatever the missing group holds.
        let p = policy(allow(json!([
            net(
                "all",
                json!({ "sourceAddresses": ["*"], "destinationAddresses": ["*"] })
            ),
            net(
                "to-missing",
                json!({ "sourceAddresses": ["*"], "destinationIpGroups": [group("missing")] })
            ),
        ])));
        let d = decide(&p, "10.0.0.5", "198.51.100.1", None);
        assert!(d.allowed && d.unknown.is_none());
        assert!(p.network_uncertain().is_empty());
    }

    #[test]
    fn a_rule_naming_an_empty_ip_group_is_skipped() {
        let p = policy(allow(json!([net(
            "with-empty",
            json!({ "sourceAddresses": ["*"], "destinationIpGroups": [group("a"), group("empty")] })
        )])));
        let d = decide(&p, "10.0.0.5", "10.9.0.10", None);
        assert!(!d.allowed && d.unknown.is_none());
        assert!(
            p.notes.iter().any(|n| n.contains("holds no address")),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn application_and_dnat_rules_take_source_ip_groups() {
        let app = json!({ "ruleCollectionType": "FirewallPolicyFilterRuleCollection", "name": "app",
            "priority": 200, "action": { "type": "Allow" }, "rules": [
                { "ruleType": "ApplicationRule", "name": "a", "protocols": [{ "protocolType": "Https", "port": 443 }],
                  "sourceIpGroups": [group("a")], "targetFqdns": ["example.com"] },
                { "ruleType": "ApplicationRule", "name": "m", "protocols": [{ "protocolType": "Https", "port": 443 }],
                  "sourceIpGroups": [group("missing")], "targetFqdns": ["example.org"] }] });
        let dnat = json!({ "ruleCollectionType": "FirewallPolicyNatRuleCollection", "name": "dnat",
            "priority": 100, "action": { "type": "DNAT" }, "rules": [
                { "ruleType": "NatRule", "name": "n", "ipProtocols": ["TCP"], "sourceIpGroups": [group("a")],
                  "destinationAddresses": ["20.0.0.1"], "destinationPorts": ["443"], "translatedAddress": "10.2.0.4" },
                { "ruleType": "NatRule", "name": "m", "ipProtocols": ["TCP"], "sourceIpGroups": [group("missing")],
                  "destinationAddresses": ["20.0.0.1"], "destinationPorts": ["443"], "translatedAddress": "10.2.0.5" }] });
        let p = policy(json!([app, dnat]));
        let web = |src: &str, name: &str| decide(&p, src, "198.51.100.1", Some(name));
        assert!(web("10.9.0.12", "example.com").allowed);
        assert!(!web("10.8.0.1", "example.com").allowed);
        let m = web("10.8.0.1", "example.org");
        assert!(m.allowed && m.unknown.is_some(), "{m:?}");
        // The packet-set view marks the same packets.
        let by_name = p.passes_by_name();
        let m = by_name.iter().find(|b| b.path.ends_with("/m")).unwrap();
        assert!(m
            .unsure
            .0
            .contains(ip("10.8.0.1"), ip("198.51.100.1"), Protocol::Tcp, 443));
        assert!(m.unsure.1.as_deref().is_some_and(|w| w.contains("missing")));
        // DNAT: the group's sources are translated by the first rule, others only maybe by the
        // second.
        let rules = p.dnat_rules(ip("20.0.0.1"));
        let pkt = |src: &str| (ip(src), ip("20.0.0.1"), Protocol::Tcp, 443);
        let first = |src: &str| {
            let (s, d, pr, po) = pkt(src);
            rules
                .iter()
                .find(|r| r.packets.contains(s, d, pr, po))
                .map(|r| (r.path.clone(), r.unsure.0.contains(s, d, pr, po)))
        };
        assert_eq!(first("192.0.2.3"), Some(("g/dnat/n".to_string(), false)));
        assert_eq!(first("10.8.0.1"), Some(("g/dnat/m".to_string(), true)));
    }

    #[test]
    fn wildcards_match_subdomains_only() {
        assert!(fqdn_match("*.github.com", "api.github.com"));
        assert!(!fqdn_match("*.github.com", "github.com"));
        assert!(fqdn_match("mcr.microsoft.com", "MCR.microsoft.com"));
        assert!(!fqdn_match("mcr.microsoft.com", "evilmcr.microsoft.com"));
        assert!(fqdn_match("*", "anything.example"));
    }
}
