//! Azure Firewall with Firewall Policy ([FWRULE] [FWSNAT] [FWFAQ], azure-semantics §4).
//!
//! Processing: threat intelligence first (no feed offline: reported, not evaluated); then three
//! passes over the rule collection groups — DNAT, Network, Application — each pass taking the
//! parent (base) policy's groups before the child's, then groups by priority, then collections
//! by priority; the first matching rule decides. Unmatched traffic is denied.

use std::net::IpAddr;

use aksnet_model::aks_egress::{self, AKS_FQDN_TAG};
use aksnet_model::firewall::{FirewallRule, RuleCollection};
use aksnet_model::{Estate, ResourceId};
use aksnet_net::{
    PacketSet, PortRange, PortSet, Prefix, PrefixSet, Protocol, ProtocolSet, Services,
};

use crate::tags::resolve;

/// One rule in processing order.
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
pub fn compile(estate: &Estate, id: &ResourceId, location: &str) -> Policy {
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
        dns_proxy: me
            .and_then(|p| p.properties.dns_settings.as_ref())
            .is_some_and(|d| d.enable_proxy),
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
                    list.push(OrderedRule {
                        path: format!("{}/{name}/{rname}", g.name),
                        action: action.clone(),
                        rule: r.clone(),
                        policy: pid.name().to_string(),
                    });
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
    /// Which pass decided: `network`, `application`, `dnat`, or `default`.
    pub pass: &'static str,
    /// Source address after SNAT: `Some(true)` = SNAT to the firewall.
    pub snat: bool,
    /// DNAT target.
    pub dnat: Option<(IpAddr, u16)>,
    /// Notes (unresolved tags, FQDN rules without DNS proxy...).
    pub notes: Vec<String>,
}

fn addr_match(fields: &[String], ip: IpAddr, notes: &mut Vec<String>) -> bool {
    fields.iter().any(|f| {
        let r = resolve(f, &PrefixSet::new());
        if let Some(tag) = r.unresolved {
            notes.push(format!(
                "service tag `{tag}` has no prefixes offline; the rule is not matched on it"
            ));
        }
        r.set.contains_addr(ip)
    })
}

fn port_match(fields: &[String], port: u16) -> bool {
    fields
        .iter()
        .filter_map(|p| p.parse::<PortRange>().ok())
        .any(|r| r.contains(port))
}

fn proto_match(fields: &[String], proto: Protocol) -> bool {
    fields
        .iter()
        .any(|p| p.parse::<ProtocolSet>().is_ok_and(|s| s.contains(proto)))
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

impl Policy {
    /// Evaluates one packet arriving at the firewall. `fqdn` is the Host/SNI (or, for network
    /// rules with FQDNs, the name the client resolved); `public_ips` are the firewall's own.
    pub fn decide(
        &self,
        src: IpAddr,
        dst: IpAddr,
        proto: Protocol,
        port: u16,
        fqdn: Option<&str>,
        public_ips: &[IpAddr],
    ) -> Decision {
        let mut notes = Vec::new();
        if self.threat_intel_mode != "Off" {
            notes.push(format!(
                "threat intelligence ({}) runs first; its feed is not available offline",
                self.threat_intel_mode
            ));
        }
        if public_ips.contains(&dst) {
            for r in &self.nat {
                let FirewallRule::NatRule(n) = &r.rule else {
                    continue;
                };
                if addr_match(&n.source_addresses, src, &mut notes)
                    && proto_match(&n.ip_protocols, proto)
                    && port_match(&n.destination_ports, port)
                    && n.destination_addresses
                        .iter()
                        .any(|d| d.parse::<IpAddr>().ok() == Some(dst) || d == "*")
                {
                    let to = n.translated_address.as_deref().and_then(|a| a.parse().ok());
                    let to_port = n
                        .translated_port
                        .as_deref()
                        .and_then(|p| p.parse().ok())
                        .unwrap_or(port);
                    return Decision {
                        allowed: to.is_some(),
                        rule: Some(r.path.clone()),
                        pass: "dnat",
                        snat: false,
                        dnat: to.map(|t| (t, to_port)),
                        notes,
                    };
                }
            }
            return Decision {
                allowed: false,
                rule: None,
                pass: "dnat",
                snat: false,
                dnat: None,
                notes,
            };
        }
        for r in &self.network {
            let FirewallRule::NetworkRule(n) = &r.rule else {
                continue;
            };
            if !addr_match(&n.source_addresses, src, &mut notes) {
                if !n.source_ip_groups.is_empty() {
                    notes.push(format!(
                        "{}: IP groups are not resolved; the rule is matched on its addresses only",
                        r.path
                    ));
                }
                continue;
            }
            if !proto_match(&n.ip_protocols, proto)
                || (!port_match(&n.destination_ports, port) && proto.has_ports())
            {
                continue;
            }
            let by_addr = addr_match(&n.destination_addresses, dst, &mut notes);
            let by_fqdn = !n.destination_fqdns.is_empty()
                && fqdn.is_some_and(|f| n.destination_fqdns.iter().any(|p| fqdn_match(p, f)))
                && {
                    if !self.dns_proxy {
                        notes.push(format!(
                            "{}: FQDNs in network rules need DNS proxy, which is off",
                            r.path
                        ));
                    }
                    self.dns_proxy
                };
            if by_addr || by_fqdn {
                let allowed = r.action.eq_ignore_ascii_case("Allow");
                // Network rules SNAT unless the destination is in the private ranges [FWSNAT].
                let snat = allowed && !self.snat_private.contains_addr(dst);
                return Decision {
                    allowed,
                    rule: Some(r.path.clone()),
                    pass: "network",
                    snat,
                    dnat: None,
                    notes,
                };
            }
        }
        // Application rules: HTTP/HTTPS/MSSQL only, matched on Host/SNI, always SNAT [FWRULE] [FWSNAT].
        if proto == Protocol::Tcp {
            for r in &self.application {
                let FirewallRule::ApplicationRule(a) = &r.rule else {
                    continue;
                };
                if !addr_match(&a.source_addresses, src, &mut notes)
                    || !a.protocols.iter().any(|p| p.port == port)
                {
                    continue;
                }
                let Some(name) = fqdn else {
                    notes.push("application rules match on the Host header or TLS SNI: pass --fqdn to evaluate them".to_string());
                    break;
                };
                let tags: Vec<String> = a
                    .fqdn_tags
                    .iter()
                    .flat_map(|t| tag_fqdns(t, &self.location))
                    .collect();
                if a.target_fqdns
                    .iter()
                    .chain(&tags)
                    .any(|p| fqdn_match(p, name))
                {
                    let allowed = r.action.eq_ignore_ascii_case("Allow");
                    return Decision {
                        allowed,
                        rule: Some(r.path.clone()),
                        pass: "application",
                        snat: allowed,
                        dnat: None,
                        notes,
                    };
                }
            }
        }
        notes.dedup();
        Decision {
            allowed: false,
            rule: None,
            pass: "default",
            snat: false,
            dnat: None,
            notes,
        }
    }

    /// Every packet its network rules allow (application rules depend on names, not packets;
    /// FQDN network rules and unresolved tags are left out): the ordered fold.
    pub fn network_allowed(&self) -> PacketSet {
        self.network_sets().0
    }

    /// `(allowed, matched)`: what the network rules allow, and everything they decide (allow or
    /// deny), so application rules see only the rest.
    pub fn network_sets(&self) -> (PacketSet, PacketSet) {
        let mut remaining = PacketSet::all();
        let mut allowed = PacketSet::empty();
        for r in &self.network {
            let FirewallRule::NetworkRule(n) = &r.rule else {
                continue;
            };
            let set_of = |fields: &[String]| {
                fields.iter().fold(PrefixSet::new(), |acc, f| {
                    acc.union(&resolve(f, &PrefixSet::new()).set)
                })
            };
            let protos = n
                .ip_protocols
                .iter()
                .filter_map(|p| p.parse::<ProtocolSet>().ok())
                .fold(ProtocolSet::NONE, ProtocolSet::union);
            let ports: PortSet = n
                .destination_ports
                .iter()
                .filter_map(|p| p.parse::<PortRange>().ok())
                .collect();
            let hit = PacketSet::from_parts(
                &set_of(&n.source_addresses),
                &set_of(&n.destination_addresses),
                Services::new(protos, &ports),
            )
            .intersection(&remaining);
            if r.action.eq_ignore_ascii_case("Allow") {
                allowed = allowed.union(&hit);
            }
            remaining = remaining.difference(&hit);
        }
        (allowed, PacketSet::all().difference(&remaining))
    }

    /// Network rules with destination FQDNs that allow (they need DNS proxy, §4.1): the packets
    /// they can pass to any destination, and the names.
    pub fn network_fqdn_allowances(&self) -> Vec<(String, PacketSet, Vec<String>)> {
        if !self.dns_proxy {
            return Vec::new();
        }
        let mut out = Vec::new();
        for r in &self.network {
            let FirewallRule::NetworkRule(n) = &r.rule else {
                continue;
            };
            if n.destination_fqdns.is_empty() || !r.action.eq_ignore_ascii_case("Allow") {
                continue;
            }
            let src = n.source_addresses.iter().fold(PrefixSet::new(), |acc, f| {
                acc.union(&resolve(f, &PrefixSet::new()).set)
            });
            let protos = n
                .ip_protocols
                .iter()
                .filter_map(|p| p.parse::<ProtocolSet>().ok())
                .fold(ProtocolSet::NONE, ProtocolSet::union);
            let ports: PortSet = n
                .destination_ports
                .iter()
                .filter_map(|p| p.parse::<PortRange>().ok())
                .collect();
            out.push((
                r.path.clone(),
                PacketSet::from_parts(
                    &src,
                    &PrefixSet::everything(),
                    Services::new(protos, &ports),
                ),
                n.destination_fqdns.clone(),
            ));
        }
        out
    }

    /// Application rules that allow, each as the packets it can pass (sources × any destination ×
    /// TCP on its ports) and the names it passes them for (FQDNs, FQDN tags).
    pub fn application_allowances(&self) -> Vec<(String, PacketSet, Vec<String>)> {
        let mut out = Vec::new();
        for r in &self.application {
            let FirewallRule::ApplicationRule(a) = &r.rule else {
                continue;
            };
            if !r.action.eq_ignore_ascii_case("Allow") {
                continue;
            }
            let src = a.source_addresses.iter().fold(PrefixSet::new(), |acc, f| {
                acc.union(&resolve(f, &PrefixSet::new()).set)
            });
            let ports: PortSet = a
                .protocols
                .iter()
                .map(|p| PortRange::single(p.port))
                .collect();
            let set = PacketSet::from_parts(
                &src,
                &PrefixSet::everything(),
                Services::new(Protocol::Tcp.into(), &ports),
            );
            let names = a
                .target_fqdns
                .iter()
                .cloned()
                .chain(a.fqdn_tags.iter().map(|t| format!("tag:{t}")))
                .collect();
            out.push((r.path.clone(), set, names));
        }
        out
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
