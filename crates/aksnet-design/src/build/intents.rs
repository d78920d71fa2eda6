//! Allow intents designed in: for each `expect: allow` flow intent between places the design
//! controls (spoke to spoke, on-premises to a spoke, a spoke to on-premises), a network rule in
//! the hub firewall policy's `rcg-intents` group where the design's own rules do not already
//! allow the flow, and NSG allow rules where Azure's default rules would deny it.
//!
//! The NSG judgement uses the documented `VirtualNetwork` tag of a spoke subnet — its VNet, the
//! peered hub and, with a gateway link, the on-premises prefixes (azure-semantics §3.5) — and
//! not the observed extension by the subnet's own UDR prefixes, which the engine can switch off
//! (`vnet-tag-without-udr-prefixes`): a designed flow holds either way.

use aksnet_model::firewall::{
    FirewallPolicy, FirewallRule, NetworkRule, RuleCollection, RuleCollectionGroup,
};
use aksnet_model::network::Direction;
use aksnet_model::{Estate, Resource, ResourceId, ResourceType};
use aksnet_net::{PortRange, Prefix, Protocol};

use super::nsg::{allow_rule, Allow};
use super::Ctx;
use crate::flows::{allow_flows, AllowFlow, Designed};
use crate::intent::Link;
use crate::plan::SubnetPlan;

/// Name of the rule collection group that holds the intents' rules.
const GROUP: &str = "rcg-intents";
/// Its priority: after `rcg-aks-egress` (200), `rcg-onprem-ingress` (250), `rcg-user-egress`
/// (300).
const GROUP_PRIORITY: u32 = 400;
/// The first priority of intent rules in an NSG (the design's own rules sit below 1000).
const NSG_PRIORITY: u32 = 1000;
/// Azure's longest rule name is 80 characters; the base leaves room for the suffixes.
const BASE_LEN: usize = 60;

/// Adds what the allow intents need. Runs after the spokes and the egress rules, so it sees
/// every rule the design already has.
pub(super) fn build(ctx: &Ctx, estate: &mut Estate) {
    let flows = allow_flows(ctx.intent, ctx.plan);
    let policy_id = ctx.hub_id(FirewallPolicy::TYPE, &format!("afwp-{}", ctx.name()));
    let has_policy = estate.firewall_policies.get(&policy_id).is_some();
    let mut rules = Vec::new();
    for flow in &flows {
        let base = base_name(flow);
        if has_policy && crosses_hub(flow) && !allowed_by_policy(estate, &policy_id, flow) {
            rules.extend(firewall_rules(&base, flow));
        }
        nsg_rules(ctx, estate, &base, flow);
    }
    if !rules.is_empty() {
        estate.rule_collection_groups.insert(Resource::new(
            policy_id.child("ruleCollectionGroups", GROUP),
            None,
            RuleCollectionGroup {
                priority: GROUP_PRIORITY,
                rule_collections: vec![super::egress::allow("intents".to_string(), 100, rules)],
            },
        ));
    }
}

/// False for a flow inside one spoke: the VNet's own system route is more specific than the
/// spoke's `0.0.0.0/0` to the appliance, so the flow never reaches the firewall.
fn crosses_hub(flow: &AllowFlow) -> bool {
    !matches!((&flow.from, &flow.to),
        (Designed::Spoke { spoke: a, .. }, Designed::Spoke { spoke: b, .. }) if a == b)
}

/// `intent-<n>-<from>-to-<to>`, lowercase, in the characters Azure allows in rule names.
fn base_name(flow: &AllowFlow) -> String {
    let slug = |s: &str| {
        s.to_ascii_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-")
    };
    let name = format!(
        "intent-{}-{}-to-{}",
        flow.index + 1,
        slug(&flow.intent.from),
        slug(&flow.intent.to)
    );
    name.chars()
        .take(BASE_LEN)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

/// The flow's services grouped by protocol, each with its port ranges as Azure writes them.
fn by_protocol(flow: &AllowFlow) -> Vec<(Protocol, Vec<String>)> {
    let mut out: Vec<(Protocol, Vec<String>)> = Vec::new();
    for &(protocol, range) in &flow.services {
        let port = if protocol.has_ports() {
            range.to_string()
        } else {
            "*".to_string()
        };
        match out.iter_mut().find(|(p, _)| *p == protocol) {
            Some((_, ports)) if !ports.contains(&port) => ports.push(port),
            Some(_) => {}
            None => out.push((protocol, vec![port])),
        }
    }
    out
}

/// One firewall network rule per protocol: the source's prefixes to the destination's.
fn firewall_rules(base: &str, flow: &AllowFlow) -> Vec<FirewallRule> {
    let text = |v: Vec<Prefix>| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    by_protocol(flow)
        .into_iter()
        .map(|(protocol, ports)| {
            FirewallRule::NetworkRule(NetworkRule {
                name: format!("{base}-{protocol}"),
                ip_protocols: vec![protocol.to_string().to_ascii_uppercase()],
                source_addresses: text(flow.from.prefixes()),
                source_ip_groups: Vec::new(),
                destination_addresses: text(flow.to.prefixes()),
                destination_ip_groups: Vec::new(),
                destination_fqdns: Vec::new(),
                destination_ports: ports,
            })
        })
        .collect()
}

/// True when an allow network rule the design already has admits every packet of the flow
/// (the design writes no deny collections, so any allowing rule decides).
fn allowed_by_policy(estate: &Estate, policy: &ResourceId, flow: &AllowFlow) -> bool {
    let parent = policy.to_string().to_ascii_lowercase();
    let rules: Vec<&NetworkRule> = estate
        .rule_collection_groups
        .iter()
        .filter(|g| {
            g.id.to_string()
                .to_ascii_lowercase()
                .starts_with(&format!("{parent}/"))
        })
        .flat_map(|g| &g.properties.rule_collections)
        .filter_map(|c| match c {
            RuleCollection::Filter(f) if f.action.kind.eq_ignore_ascii_case("Allow") => {
                Some(&f.rules)
            }
            _ => None,
        })
        .flatten()
        .filter_map(|r| match r {
            FirewallRule::NetworkRule(n) => Some(n),
            _ => None,
        })
        .collect();
    let holds = |list: &[String], p: &Prefix| {
        list.iter()
            .any(|a| a == "*" || a.parse::<Prefix>().is_ok_and(|q| q.contains(p)))
    };
    let sources = flow.from.prefixes();
    let destinations = flow.to.prefixes();
    flow.services.iter().all(|&(protocol, range)| {
        rules.iter().any(|r| {
            let proto = r.ip_protocols.iter().any(|x| {
                x.eq_ignore_ascii_case("Any") || x.eq_ignore_ascii_case(&protocol.to_string())
            });
            let ports = !protocol.has_ports()
                || r.destination_ports.iter().any(|p| {
                    p.parse::<PortRange>()
                        .is_ok_and(|q| q.start <= range.start && range.end <= q.end)
                });
            proto
                && ports
                && sources.iter().all(|s| holds(&r.source_addresses, s))
                && destinations
                    .iter()
                    .all(|d| holds(&r.destination_addresses, d))
        })
    })
}

/// The documented `VirtualNetwork` tag of a subnet of spoke `spoke` as the design builds it.
fn virtual_network_tag(ctx: &Ctx, spoke: usize) -> Vec<Prefix> {
    let mut tag = vec![
        ctx.plan.spokes[spoke].vnet.address_space,
        ctx.plan.hub.address_space,
    ];
    if ctx.intent.on_premises.link != Link::None {
        tag.extend(ctx.plan.on_premises.iter().copied());
    }
    tag
}

/// True when the default `AllowVnetInBound` / `AllowVnetOutBound` rule of a subnet of `spoke`
/// covers every one of `far` (the other end's prefixes).
fn default_allows(ctx: &Ctx, spoke: usize, far: &[Prefix]) -> bool {
    let tag = virtual_network_tag(ctx, spoke);
    far.iter().all(|p| tag.iter().any(|t| t.contains(p)))
}

/// Inbound rules on the destination's subnets (and the subnets behind it) and outbound rules on
/// the source's, where the default rules would deny.
fn nsg_rules(ctx: &Ctx, estate: &mut Estate, base: &str, flow: &AllowFlow) {
    let ends = [
        (&flow.to, flow.from.prefixes(), Direction::Inbound, "in"),
        (&flow.from, flow.to.prefixes(), Direction::Outbound, "out"),
    ];
    for (here, far, direction, suffix) in ends {
        let Designed::Spoke {
            spoke,
            subnets,
            behind,
        } = here
        else {
            continue;
        };
        if default_allows(ctx, *spoke, &far) {
            continue;
        }
        let delivered = behind
            .iter()
            .filter(|_| direction == Direction::Inbound)
            .map(|s| (*s, s.prefix));
        for (subnet, near) in subnets.iter().copied().chain(delivered) {
            let Some(nsg) = nsg_of(ctx, estate, *spoke, subnet) else {
                continue;
            };
            let (sources, destinations) = match direction {
                Direction::Inbound => (far.clone(), vec![near]),
                Direction::Outbound => (vec![near], far.clone()),
            };
            for (protocol, ports) in by_protocol(flow) {
                add_nsg_rule(
                    estate,
                    &nsg,
                    Allow {
                        name: format!("{base}-{protocol}-{suffix}"),
                        priority: 0,
                        direction,
                        protocol: nsg_protocol(protocol).to_string(),
                        sources: sources.iter().map(ToString::to_string).collect(),
                        destinations: destinations.iter().map(ToString::to_string).collect(),
                        ports: ports.clone(),
                    },
                );
            }
        }
    }
}

/// The NSG on a planned spoke subnet, as the spoke builder attached it.
fn nsg_of(ctx: &Ctx, estate: &Estate, spoke: usize, subnet: &SubnetPlan) -> Option<ResourceId> {
    let vnet = &ctx.plan.spokes[spoke].vnet.name;
    estate
        .subnets()
        .find(|(v, s)| v.name.eq_ignore_ascii_case(vnet) && s.name == subnet.name)
        .and_then(|(_, s)| s.properties.network_security_group.as_ref())
        .map(|r| r.id.clone())
}

/// Adds `rule` to NSG `nsg` at the first free priority from [`NSG_PRIORITY`] in its direction.
fn add_nsg_rule(estate: &mut Estate, nsg: &ResourceId, mut rule: Allow) {
    let Some(group) = estate.network_security_groups.get_mut(nsg) else {
        return;
    };
    let rules = &mut group.properties.security_rules;
    rule.priority = (NSG_PRIORITY..)
        .find(|p| {
            !rules
                .iter()
                .any(|r| r.properties.direction == rule.direction && r.properties.priority == *p)
        })
        .unwrap_or(NSG_PRIORITY);
    rules.push(allow_rule(nsg, &rule));
}

/// An NSG rule's protocol as ARM spells it.
fn nsg_protocol(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "Tcp",
        Protocol::Udp => "Udp",
        Protocol::Icmp => "Icmp",
        Protocol::Esp => "Esp",
        Protocol::Ah => "Ah",
    }
}
