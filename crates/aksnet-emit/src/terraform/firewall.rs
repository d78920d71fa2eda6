//! Azure Firewall: the firewall, its policy and rule collection groups, and classic rule
//! collections written on the firewall itself.

use aksnet_model::firewall::{FirewallRule, RuleCollection};

use super::edge::ip_configuration;
use super::Tf;
use crate::hcl::{Block, Expr};
use crate::EmitError;

pub(super) fn emit(tf: &mut Tf) -> Result<(), EmitError> {
    ip_groups(tf);
    firewalls(tf);
    policies(tf)?;
    classic(tf)?;
    Ok(())
}

const FIREWALL_FILE: &str = "firewall.tf";

/// IP groups, which firewall rules name by id.
fn ip_groups(tf: &mut Tf) {
    let e = tf.estate;
    for g in e.ip_groups.iter() {
        let mut b = tf.resource("azurerm_ip_group", &g.id);
        tf.placement(&mut b, &g.id, &g.name, g.location.as_deref());
        b.attr(
            "cidrs",
            Expr::strs(g.properties.ip_addresses.iter().map(ToString::to_string)),
        );
        tf.add(FIREWALL_FILE, b);
    }
}

fn firewalls(tf: &mut Tf) {
    let e = tf.estate;
    for f in e.azure_firewalls.iter() {
        let mut b = tf.resource("azurerm_firewall", &f.id);
        tf.placement(&mut b, &f.id, &f.name, f.location.as_deref());
        b.attr(
            "sku_name",
            Expr::s(if f.properties.sku.name.is_empty() {
                "AZFW_VNet"
            } else {
                &f.properties.sku.name
            }),
        );
        b.attr(
            "sku_tier",
            Expr::s(if f.properties.sku.tier.is_empty() {
                "Standard"
            } else {
                &f.properties.sku.tier
            }),
        );
        if let Some(p) = &f.properties.firewall_policy {
            b.attr("firewall_policy_id", tf.names.reference(&p.id, "id"));
            // The policy's threat intelligence mode decides; the firewall's mirrors it.
            if let Some(mode) = e
                .firewall_policies
                .get(&p.id)
                .and_then(|x| x.properties.threat_intel_mode.clone())
            {
                b.attr("threat_intel_mode", Expr::s(mode));
            }
        } else {
            // Without a policy, the firewall's own mode.
            b.opt(
                "threat_intel_mode",
                f.properties.threat_intel_mode.clone().map(Expr::s),
            );
        }
        for c in &f.properties.ip_configurations {
            b.push(ip_configuration(tf, "ip_configuration", c));
        }
        if let Some(c) = &f.properties.management_ip_configuration {
            b.push(ip_configuration(tf, "management_ip_configuration", c));
        }
        tf.add(FIREWALL_FILE, b);
        let local = tf.names.local(&f.id).unwrap_or_default();
        tf.output(
            &format!("{local}_private_ip"),
            "The firewall's private IP (next hop of the spokes' default routes).",
            Expr::r(format!(
                "azurerm_firewall.{local}.ip_configuration[0].private_ip_address"
            )),
            false,
        );
    }
}

fn policies(tf: &mut Tf) -> Result<(), EmitError> {
    let e = tf.estate;
    for p in e.firewall_policies.iter() {
        let q = &p.properties;
        let mut b = tf.resource("azurerm_firewall_policy", &p.id);
        tf.placement(&mut b, &p.id, &p.name, p.location.as_deref());
        if let Some(s) = &q.sku {
            b.attr("sku", Expr::s(&s.tier));
        }
        if let Some(m) = &q.threat_intel_mode {
            b.attr("threat_intelligence_mode", Expr::s(m));
        }
        if let Some(base) = &q.base_policy {
            b.attr("base_policy_id", tf.names.reference(&base.id, "id"));
        }
        if let Some(s) = q.snat.as_ref().filter(|s| !s.private_ranges.is_empty()) {
            b.attr("private_ip_ranges", Expr::strs(s.private_ranges.clone()));
        }
        if let Some(d) = &q.dns_settings {
            b.block("dns", |x| {
                x.attr("proxy_enabled", Expr::Bool(d.enable_proxy));
                if !d.servers.is_empty() {
                    x.attr("servers", Expr::strs(d.servers.clone()));
                }
            });
        }
        if let Some(i) = &q.intrusion_detection {
            b.block("intrusion_detection", |x| {
                x.opt("mode", i.mode.as_deref().map(Expr::s));
            });
        }
        tf.add(FIREWALL_FILE, b);
    }
    for g in e.rule_collection_groups.iter() {
        let Some(policy) = g.id.parent() else {
            continue;
        };
        let mut b = tf.resource("azurerm_firewall_policy_rule_collection_group", &g.id);
        b.attr("name", Expr::s(&g.name))
            .attr("firewall_policy_id", tf.names.reference(&policy, "id"))
            .attr("priority", Expr::Num(i64::from(g.properties.priority)));
        for c in &g.properties.rule_collections {
            b.push(collection(tf, g.id.as_str(), c)?);
        }
        tf.add(FIREWALL_FILE, b);
    }
    Ok(())
}

/// A rule collection; Terraform needs its priority, which some REST bodies omit.
fn collection(tf: &Tf, group: &str, c: &RuleCollection) -> Result<Block, EmitError> {
    let (name, priority, action, rules) = match c {
        RuleCollection::Filter(f) => (&f.name, f.priority, &f.action.kind, &f.rules),
        RuleCollection::Nat(n) => (&n.name, n.priority, &n.action.kind, &n.rules),
    };
    let priority = priority.ok_or_else(|| EmitError {
        resource: group.to_string(),
        message: format!("rule collection `{name}` has no priority, which Terraform requires"),
        hint: "export the policy with `az network firewall policy rule-collection-group show`, which includes priorities".into(),
    })?;
    let kind = match (c, rules.first()) {
        (RuleCollection::Nat(_), _) => "nat_rule_collection",
        (_, Some(FirewallRule::ApplicationRule(_))) => "application_rule_collection",
        _ => "network_rule_collection",
    };
    let mut b = Block::new(kind, &[]);
    b.attr("name", Expr::s(name))
        .attr("priority", Expr::Num(i64::from(priority)))
        .attr(
            "action",
            Expr::s(if kind == "nat_rule_collection" {
                "Dnat"
            } else {
                action
            }),
        );
    for r in rules {
        b.push(rule(tf, r, Form::Policy)?);
    }
    Ok(b)
}

/// Which resource a rule is written in: the attribute names differ.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// A block of `azurerm_firewall_policy_rule_collection_group`.
    Policy,
    /// A block of `azurerm_firewall_{network,application,nat}_rule_collection`.
    Classic,
}

/// One `rule` block, with its IP groups by reference.
fn rule(tf: &Tf, r: &FirewallRule, form: Form) -> Result<Block, EmitError> {
    let classic = form == Form::Classic;
    let groups = |ids: &[aksnet_model::ResourceId]| {
        Expr::List(ids.iter().map(|id| tf.names.reference(id, "id")).collect())
    };
    let mut x = Block::new("rule", &[]);
    match r {
        FirewallRule::NetworkRule(n) => {
            x.attr("name", Expr::s(&n.name))
                .attr("protocols", Expr::strs(n.ip_protocols.clone()));
            addresses(&mut x, "source_addresses", &n.source_addresses);
            if !n.source_ip_groups.is_empty() {
                x.attr("source_ip_groups", groups(&n.source_ip_groups));
            }
            addresses(&mut x, "destination_addresses", &n.destination_addresses);
            if !n.destination_ip_groups.is_empty() {
                x.attr("destination_ip_groups", groups(&n.destination_ip_groups));
            }
            // An FQDN known only at deployment has no value to write: refused, as for routes.
            let mut fqdns = Vec::new();
            for f in &n.destination_fqdns {
                match f {
                    aksnet_model::Maybe::Known(f) => fqdns.push(f.clone()),
                    aksnet_model::Maybe::Unknown(u) => {
                        return Err(EmitError {
                            resource: n.name.clone(),
                            message: format!(
                                "network rule `{}` has a destination FQDN known only at deployment ({u}): Terraform cannot be generated for it",
                                n.name
                            ),
                            hint: "give the FQDN, or import the deployed estate".into(),
                        })
                    }
                }
            }
            addresses(&mut x, "destination_fqdns", &fqdns);
            x.attr("destination_ports", Expr::strs(n.destination_ports.clone()));
        }
        FirewallRule::ApplicationRule(a) => {
            x.attr("name", Expr::s(&a.name));
            for p in &a.protocols {
                x.block(if classic { "protocol" } else { "protocols" }, |y| {
                    y.attr("type", Expr::s(&p.protocol_type))
                        .attr("port", Expr::Num(i64::from(p.port)));
                });
            }
            addresses(&mut x, "source_addresses", &a.source_addresses);
            if !a.source_ip_groups.is_empty() {
                x.attr("source_ip_groups", groups(&a.source_ip_groups));
            }
            let (fqdns, tags) = if classic {
                ("target_fqdns", "fqdn_tags")
            } else {
                ("destination_fqdns", "destination_fqdn_tags")
            };
            addresses(&mut x, fqdns, &a.target_fqdns);
            addresses(&mut x, tags, &a.fqdn_tags);
        }
        FirewallRule::NatRule(n) => {
            x.attr("name", Expr::s(&n.name))
                .attr("protocols", Expr::strs(n.ip_protocols.clone()));
            addresses(&mut x, "source_addresses", &n.source_addresses);
            if !n.source_ip_groups.is_empty() {
                x.attr("source_ip_groups", groups(&n.source_ip_groups));
            }
            if classic {
                x.attr(
                    "destination_addresses",
                    Expr::strs(n.destination_addresses.clone()),
                );
            } else if let Some(d) = n.destination_addresses.first() {
                x.attr("destination_address", Expr::s(d));
            }
            x.attr("destination_ports", Expr::strs(n.destination_ports.clone()));
            x.opt(
                "translated_address",
                n.translated_address.clone().map(Expr::s),
            );
            if !classic {
                x.opt("translated_fqdn", n.translated_fqdn.clone().map(Expr::s));
            }
            let port = n.translated_port.clone().unwrap_or_default();
            if classic {
                x.attr("translated_port", Expr::s(port));
            } else {
                x.attr(
                    "translated_port",
                    Expr::Num(port.parse::<i64>().unwrap_or(0)),
                );
            }
        }
    }
    Ok(x)
}

/// Classic rule collections, one `azurerm_firewall_*_rule_collection` each; Terraform needs a
/// priority.
fn classic(tf: &mut Tf) -> Result<(), EmitError> {
    let e = tf.estate;
    for f in e.azure_firewalls.iter() {
        let local = tf.names.local(&f.id).unwrap_or_default();
        for (name, priority, action, rules) in f.properties.classic_collections() {
            let kind = match rules.first() {
                Some(FirewallRule::NatRule(_)) => "nat",
                Some(FirewallRule::ApplicationRule(_)) => "application",
                _ => "network",
            };
            let priority = priority.ok_or_else(|| EmitError {
                resource: f.id.to_string(),
                message: format!(
                    "classic rule collection `{name}` has no priority, which Terraform requires"
                ),
                hint: "state the collection's priority (100-65000)".into(),
            })?;
            if let Some(FirewallRule::NatRule(n)) = rules
                .iter()
                .find(|r| matches!(r, FirewallRule::NatRule(n) if n.translated_address.is_none()))
            {
                return Err(EmitError {
                    resource: f.id.to_string(),
                    message: format!(
                        "classic DNAT rule `{name}/{}` translates to {}, and azurerm_firewall_nat_rule_collection takes only an address",
                        n.name,
                        n.translated_fqdn.as_deref().map_or("no address".to_string(), |q| format!("the FQDN `{q}`")),
                    ),
                    hint: "move the rule to a firewall policy (its NAT rules take translated_fqdn), or give it a translatedAddress".into(),
                });
            }
            let tf_type = format!("azurerm_firewall_{kind}_rule_collection");
            let label = format!("{local}_{}", super::names::sanitize(name));
            let mut b = Block::new("resource", &[&tf_type, &label]);
            if let Some(alias) = tf.provider_alias(&f.id) {
                b.attr("provider", Expr::r(format!("azurerm.{alias}")));
            }
            b.attr("name", Expr::s(name))
                .attr("azure_firewall_name", tf.names.reference(&f.id, "name"))
                .attr("resource_group_name", tf.names.resource_group_name(&f.id))
                .attr("priority", Expr::Num(i64::from(priority)))
                .attr("action", Expr::s(&action.kind));
            for r in &rules {
                b.push(rule(tf, r, Form::Classic)?);
            }
            tf.add(FIREWALL_FILE, b);
        }
    }
    Ok(())
}

fn addresses(b: &mut Block, name: &str, list: &[String]) {
    if !list.is_empty() {
        b.attr(name, Expr::strs(list.to_vec()));
    }
}
