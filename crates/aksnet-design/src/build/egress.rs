//! The firewall policy's rule collection groups: what AKS requires (per spoke, from the node
//! subnets only) and the user's extra FQDNs.

use crate::fqdn::parse_fqdn_port;
use aksnet_model::aks_egress::{self, Applies, AKS_FQDN_TAG};
use aksnet_model::firewall::{
    ApplicationProtocol, ApplicationRule, FilterRuleCollection, FirewallPolicy, FirewallRule,
    NetworkRule, RuleAction, RuleCollection, RuleCollectionGroup,
};
use aksnet_model::{Estate, Resource, ResourceType};

use super::Ctx;
use crate::sizing::SubnetRole;

/// An application rule from `src` to FQDNs or FQDN tags on the given ports.
fn app_rule(
    name: String,
    ports: &[u16],
    src: &[String],
    fqdns: Vec<String>,
    tags: Vec<String>,
) -> FirewallRule {
    FirewallRule::ApplicationRule(ApplicationRule {
        name,
        protocols: ports.iter().map(|p| app_protocol(*p)).collect(),
        source_addresses: src.to_vec(),
        source_ip_groups: Vec::new(),
        target_fqdns: fqdns,
        fqdn_tags: tags,
    })
}

/// An Allow filter collection.
pub(super) fn allow(name: String, priority: u32, rules: Vec<FirewallRule>) -> RuleCollection {
    RuleCollection::Filter(FilterRuleCollection {
        name,
        priority: Some(priority),
        action: RuleAction {
            kind: "Allow".to_string(),
        },
        rules,
    })
}

fn app_protocol(port: u16) -> ApplicationProtocol {
    ApplicationProtocol {
        protocol_type: if port == 80 { "Http" } else { "Https" }.to_string(),
        port,
    }
}

/// Node (and pod-subnet) prefixes of every spoke, as firewall source addresses.
fn sources(ctx: &Ctx, spoke: usize) -> Vec<String> {
    ctx.plan.spokes[spoke]
        .vnet
        .subnets
        .iter()
        .filter(|s| matches!(s.role, SubnetRole::Nodes(_) | SubnetRole::Pods(_)))
        .map(|s| s.prefix.to_string())
        .collect()
}

pub(super) fn build(ctx: &Ctx, estate: &mut Estate) {
    let policy_id = ctx.hub_id(FirewallPolicy::TYPE, &format!("afwp-{}", ctx.name()));
    if estate.firewall_policies.get(&policy_id).is_none() {
        return; // an NVA: its policy is outside Azure's model
    }
    let loc = ctx.location();
    let mut collections = Vec::new();
    for (i, spoke) in ctx.intent.spokes.iter().enumerate() {
        let src = sources(ctx, i);
        let public = !spoke.cluster.private;
        let applies = |a: Applies| a == Applies::Always || public;
        let network: Vec<FirewallRule> = aks_egress::REQUIRED_NETWORK
            .iter()
            .filter(|r| applies(r.applies))
            .map(|r| {
                let dest = aks_egress::for_location(r.destination, loc);
                FirewallRule::NetworkRule(NetworkRule {
                    name: format!("{}-{}", r.protocol.to_ascii_lowercase(), r.port),
                    ip_protocols: vec![r.protocol.to_string()],
                    source_addresses: src.clone(),
                    source_ip_groups: Vec::new(),
                    destination_ip_groups: Vec::new(),
                    destination_addresses: if r.is_fqdn {
                        Vec::new()
                    } else {
                        vec![dest.clone()]
                    },
                    destination_fqdns: if r.is_fqdn {
                        vec![aksnet_model::Maybe::Known(dest)]
                    } else {
                        Vec::new()
                    },
                    destination_ports: vec![r.port.to_string()],
                })
            })
            .collect();
        collections.push(allow(
            format!("aks-{}-network", spoke.name),
            100 + 10 * i as u32,
            network,
        ));
        let fqdns = |list: &[aks_egress::FqdnRequirement], port: u16| -> Vec<String> {
            list.iter()
                .filter(|r| applies(r.applies) && r.port == port)
                .map(|r| aks_egress::for_location(r.fqdn, loc))
                .collect()
        };
        let mut app = vec![
            app_rule(
                "aks-fqdn-tag".to_string(),
                &[80, 443],
                &src,
                Vec::new(),
                vec![AKS_FQDN_TAG.to_string()],
            ),
            app_rule(
                "aks-required-fqdns".to_string(),
                &[443],
                &src,
                fqdns(aks_egress::REQUIRED_FQDNS, 443),
                Vec::new(),
            ),
        ];
        for port in [80, 443] {
            let targets = fqdns(aks_egress::RECOMMENDED_FQDNS, port);
            if !targets.is_empty() {
                app.push(app_rule(
                    format!("os-updates-{port}"),
                    &[port],
                    &src,
                    targets,
                    Vec::new(),
                ));
            }
        }
        collections.push(allow(
            format!("aks-{}-application", spoke.name),
            1000 + 10 * i as u32,
            app,
        ));
    }
    let rcg = |name: &str, priority: u32, rule_collections: Vec<RuleCollection>| {
        Resource::new(
            policy_id.child("ruleCollectionGroups", name),
            None,
            RuleCollectionGroup {
                priority,
                rule_collections,
            },
        )
    };
    estate
        .rule_collection_groups
        .insert(rcg("rcg-aks-egress", 200, collections));
    onprem_ingress(ctx, estate, &rcg);
    user_fqdns(ctx, estate, &rcg);
}

/// On-premises clients reach each spoke's internal load balancer subnet on TCP 443 through the
/// firewall (the GatewaySubnet route table sends them there).
fn onprem_ingress(
    ctx: &Ctx,
    estate: &mut Estate,
    rcg: &impl Fn(&str, u32, Vec<RuleCollection>) -> Resource<RuleCollectionGroup>,
) {
    if ctx.intent.on_premises.link == crate::intent::Link::None || ctx.plan.on_premises.is_empty() {
        return;
    }
    let onprem: Vec<String> = ctx
        .plan
        .on_premises
        .iter()
        .map(ToString::to_string)
        .collect();
    let rules: Vec<FirewallRule> = ctx
        .intent
        .spokes
        .iter()
        .zip(&ctx.plan.spokes)
        .filter_map(|(si, sp)| {
            let ilb = sp.vnet.subnet(&SubnetRole::InternalLoadBalancer)?;
            Some(FirewallRule::NetworkRule(NetworkRule {
                name: format!("onprem-to-{}-ilb", si.name),
                ip_protocols: vec!["TCP".to_string()],
                source_addresses: onprem.clone(),
                source_ip_groups: Vec::new(),
                destination_addresses: vec![ilb.prefix.to_string()],
                destination_ip_groups: Vec::new(),
                destination_fqdns: Vec::new(),
                destination_ports: vec!["443".to_string()],
            }))
        })
        .collect();
    if !rules.is_empty() {
        estate.rule_collection_groups.insert(rcg(
            "rcg-onprem-ingress",
            250,
            vec![allow("onprem-to-ingress".to_string(), 100, rules)],
        ));
    }
}

/// The intent's `egress.allowFqdns`, from every spoke's node subnets, grouped by port.
fn user_fqdns(
    ctx: &Ctx,
    estate: &mut Estate,
    rcg: &impl Fn(&str, u32, Vec<RuleCollection>) -> Resource<RuleCollectionGroup>,
) {
    let mut by_port: std::collections::BTreeMap<u16, Vec<String>> = Default::default();
    for f in &ctx.intent.egress.allow_fqdns {
        let (host, port) = parse_fqdn_port(f).expect("checked before planning");
        let list = by_port.entry(port).or_default();
        if !list.contains(&host) {
            list.push(host);
        }
    }
    if by_port.is_empty() {
        return;
    }
    let src: Vec<String> = (0..ctx.intent.spokes.len())
        .flat_map(|i| sources(ctx, i))
        .collect();
    let rules = by_port
        .into_iter()
        .map(|(port, fqdns)| {
            app_rule(
                format!("allow-fqdns-{port}"),
                &[port],
                &src,
                fqdns,
                Vec::new(),
            )
        })
        .collect();
    let coll = allow("user-egress".to_string(), 100, rules);
    estate
        .rule_collection_groups
        .insert(rcg("rcg-user-egress", 300, vec![coll]));
}
