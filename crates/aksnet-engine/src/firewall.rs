//! Azure Firewall with Firewall Policy ([FWRULE] [FWSNAT] [FWFAQ], azure-semantics §4).
//!
//! Processing: threat intelligence first (no feed offline: reported, not evaluated); then three
//! passes over the rule collection groups — DNAT, Network, Application — each pass taking the
//! parent (base) policy's groups before the child's, then groups by priority, then collections
//! by priority; the first matching rule decides. Unmatched traffic is denied.

use std::net::IpAddr;
use std::sync::OnceLock;

use aksnet_model::aks_egress::{self, AKS_FQDN_TAG};
use aksnet_model::firewall::{FirewallRule, RuleCollection};
use aksnet_model::{Estate, ResourceId};
use aksnet_net::{
    PacketSet, PortRange, PortSet, Prefix, PrefixSet, Protocol, ProtocolSet, Services,
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
    /// Service tags and IP groups that could not be resolved offline.
    pub unresolved: Vec<String>,
}

impl OrderedRule {
    fn new(
        path: String,
        action: String,
        rule: FirewallRule,
        policy: String,
        location: &str,
        tags: &ServiceTags,
    ) -> Self {
        let mut unresolved = Vec::new();
        // The firewall resolves tags globally: `VirtualNetwork` has no meaning in a policy.
        let empty = PrefixSet::new();
        let ctx = TagContext {
            vnet: &empty,
            service: tags,
        };
        let mut set_of = |fields: &[String]| {
            fields.iter().fold(PrefixSet::new(), |acc, f| {
                let r = resolve(f, &ctx);
                unresolved.extend(r.unresolved);
                acc.union(&r.set)
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
        let (src, dst, services, names, groups) = match &rule {
            FirewallRule::NetworkRule(n) => (
                set_of(&n.source_addresses),
                set_of(&n.destination_addresses),
                Services::new(protos(&n.ip_protocols), &ports(&n.destination_ports)),
                n.destination_fqdns.clone(),
                n.source_ip_groups.len() + n.destination_ip_groups.len(),
            ),
            FirewallRule::NatRule(n) => (
                set_of(&n.source_addresses),
                set_of(&n.destination_addresses),
                Services::new(protos(&n.ip_protocols), &ports(&n.destination_ports)),
                Vec::new(),
                0,
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
                    PrefixSet::everything(),
                    Services::new(Protocol::Tcp.into(), &p),
                    names,
                    a.source_ip_groups.len(),
                )
            }
        };
        if groups > 0 {
            unresolved.push("IP groups".to_string());
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
        }
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
    /// `(allowed, matched)` network-rule packet sets, computed on first use.
    sets: OnceLock<(PacketSet, PacketSet)>,
    /// [`Policy::passes_by_name`], computed on first use.
    by_name: OnceLock<Vec<ByName>>,
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
    let mut chain = Vec::new();
    let mut cur = Some(id.clone());
    while let Some(pid) = cur {
        if chain.contains(&pid) || chain.len() > 8 {
            break;
        }
        let parent = estate
            .firewall_policies
            .get(&pid)
            .and_then(|p| p.properties.base_policy.as_ref().map(|b| b.id.clone()));
        chain.push(pid);
        cur = parent;
    }
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
    policy.snat_private = match me.and_then(|p| p.properties.snat.as_ref()) {
        Some(snat) if !snat.private_ranges.is_empty() => snat
            .private_ranges
            .iter()
            .flat_map(|r| {
                if r.eq_ignore_ascii_case("IANAPrivateRanges") {
                    iana_private().prefixes()
                } else {
                    Prefix::parse_lenient(r).into_iter().collect()
                }
            })
            .collect(),
        _ => iana_private(),
    };
    for pid in &chain {
        let mut groups: Vec<_> = estate
            .rule_collection_groups
            .iter()
            .filter(|g| g.id.parent().as_ref() == Some(pid))
            .collect();
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
                for r in rules {
                    let (rname, list) = match r {
                        FirewallRule::NatRule(x) => (&x.name, &mut policy.nat),
                        FirewallRule::NetworkRule(x) => (&x.name, &mut policy.network),
                        FirewallRule::ApplicationRule(x) => (&x.name, &mut policy.application),
                    };
                    list.push(OrderedRule::new(
                        format!("{}/{name}/{rname}", g.name),
                        action.clone(),
                        r.clone(),
                        pid.name().to_string(),
                        location,
                        tags,
                    ));
                }
            }
        }
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
    /// The translated address and, when the rule sets one, port; `None` when the translated
    /// address is not an address (the flow is dropped).
    pub to: Option<(IpAddr, Option<u16>)>,
    /// The rule's first destination port and translated port as written, for display.
    pub ports: (Option<String>, Option<String>),
}

impl Policy {
    /// The DNAT rules that apply to packets arriving at public address `public`, in order, each
    /// with the packets it takes [FWRULE] §4.1. The per-packet view is [`Policy::decide`]; the
    /// two share the match conditions and are compared by the differential test.
    pub fn dnat_rules(&self, public: IpAddr) -> Vec<Dnat> {
        let at: PrefixSet = [aksnet_net::Prefix::from(public)].into_iter().collect();
        let mut taken = PacketSet::empty();
        let mut out = Vec::new();
        for r in &self.nat {
            let FirewallRule::NatRule(n) = &r.rule else {
                continue;
            };
            if !(r.dst.contains_addr(public) || n.destination_addresses.iter().any(|d| d == "*")) {
                continue;
            }
            let matched = PacketSet::from_parts(&r.src, &at, r.services.clone());
            let packets = matched.difference(&taken);
            taken = taken.union(&matched);
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
                ports: (
                    n.destination_ports.first().cloned(),
                    n.translated_port.clone(),
                ),
            });
        }
        out
    }

    /// A firewall with no policy attached: everything is denied (classic rules are not modelled).
    pub fn without_rules() -> Self {
        Self {
            name: "(no policy)".to_string(),
            threat_intel_mode: "Off".to_string(),
            ..Self::default()
        }
    }

    /// Evaluates one packet arriving at the firewall's private side: network rules, then
    /// application rules [FWRULE] §4.1. `fqdn` is the Host/SNI (or, for network rules with
    /// FQDNs, the name the client resolved). DNAT on its public IPs is [`Policy::dnat_rules`].
    pub fn decide(
        &self,
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
                    "{}: {u} cannot be resolved offline; the rule is matched without it",
                    r.path
                ));
            }
        };
        for r in &self.network {
            if !r.src.contains_addr(src) || !r.services.contains(proto, port) {
                continue;
            }
            note_unresolved(r, &mut notes);
            let by_name = !r.names.is_empty()
                && fqdn.is_some_and(|f| r.names.iter().any(|p| fqdn_match(p, f)));
            if by_name && !self.dns_proxy {
                notes.push(format!(
                    "{}: FQDNs in network rules need DNS proxy, which is off",
                    r.path
                ));
            }
            if r.dst.contains_addr(dst) || (by_name && self.dns_proxy) {
                // Network rules SNAT unless the destination is in the private ranges [FWSNAT].
                let snat = r.allows() && !self.snat_private.contains_addr(dst);
                return Decision {
                    allowed: r.allows(),
                    rule: Some(r.path.clone()),
                    pass: "network",
                    snat,
                    notes,
                };
            }
        }
        // Application rules: HTTP/HTTPS/MSSQL only, matched on Host/SNI, always SNAT [FWRULE] [FWSNAT].
        for r in &self.application {
            if !r.src.contains_addr(src) || !r.services.contains(proto, port) {
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
        // First match in rule order, as in `nsg::allowed`: an allow's packets minus every
        // earlier deny; what is decided is the union of everything matched.
        self.sets.get_or_init(|| {
            let mut denied = PacketSet::empty();
            let mut allowed = Vec::new();
            let mut matched = Vec::new();
            for r in &self.network {
                let m = PacketSet::from_parts(&r.src, &r.dst, r.services.clone());
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
            let (_, network_matched) = self.network_sets();
            self.allowances_uncached()
                .into_iter()
                .map(|(path, set, names, kind)| {
                    let packets = if kind == "application" {
                        set.difference(network_matched)
                    } else {
                        set
                    };
                    ByName {
                        path,
                        sources: packets.sources(),
                        packets,
                        names,
                        kind,
                    }
                })
                .collect()
        })
    }

    fn allowances_uncached(&self) -> Vec<(String, PacketSet, Vec<String>, &'static str)> {
        let network = self
            .network
            .iter()
            .filter(|r| self.dns_proxy && r.allows() && !r.names.is_empty())
            .map(|r| (r, "network"));
        let application = self
            .application
            .iter()
            .filter(|r| r.allows())
            .map(|r| (r, "application"));
        network
            .chain(application)
            .map(|(r, kind)| {
                let shown = match &r.rule {
                    FirewallRule::ApplicationRule(a) => a
                        .target_fqdns
                        .iter()
                        .cloned()
                        .chain(a.fqdn_tags.iter().map(|t| format!("tag:{t}")))
                        .collect(),
                    _ => r.names.clone(),
                };
                (
                    r.path.clone(),
                    PacketSet::from_parts(&r.src, &PrefixSet::everything(), r.services.clone()),
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

    #[test]
    fn wildcards_match_subdomains_only() {
        assert!(fqdn_match("*.github.com", "api.github.com"));
        assert!(!fqdn_match("*.github.com", "github.com"));
        assert!(fqdn_match("mcr.microsoft.com", "MCR.microsoft.com"));
        assert!(!fqdn_match("mcr.microsoft.com", "evilmcr.microsoft.com"));
        assert!(fqdn_match("*", "anything.example"));
    }
}
