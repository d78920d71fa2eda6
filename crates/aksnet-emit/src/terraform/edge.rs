//! The hub's edge: Azure Firewall with its policy and rule collection groups, Application
//! Gateway with its WAF policy, Bastion, and the VPN / ExpressRoute gateway with its connection.

use aksnet_model::firewall::{FirewallRule, RuleCollection};
use aksnet_model::network::IpConfiguration;
use aksnet_model::Child;

use super::{Tf, Variable};
use crate::hcl::{Block, Expr};
use crate::EmitError;

pub(super) fn emit(tf: &mut Tf) -> Result<(), EmitError> {
    firewalls(tf);
    policies(tf)?;
    app_gateways(tf);
    bastions(tf);
    gateways(tf);
    Ok(())
}

const FIREWALL_FILE: &str = "firewall.tf";

/// An `ip_configuration`-shaped block: name, subnet and, when there is one, the public IP.
fn ip_configuration(tf: &Tf, kind: &str, c: &Child<IpConfiguration>) -> Block {
    let mut x = Block::new(kind, &[]);
    x.attr("name", Expr::s(&c.name)).attr(
        "subnet_id",
        tf.names.reference(&c.properties.subnet.id, "id"),
    );
    if let Some(pip) = &c.properties.public_ip_address {
        x.attr("public_ip_address_id", tf.names.reference(&pip.id, "id"));
    }
    x
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
            b.push(collection(g.id.as_str(), c)?);
        }
        tf.add(FIREWALL_FILE, b);
    }
    Ok(())
}

/// A rule collection; Terraform needs its priority, which some REST bodies omit.
fn collection(group: &str, c: &RuleCollection) -> Result<Block, EmitError> {
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
        let mut x = Block::new("rule", &[]);
        match r {
            FirewallRule::NetworkRule(n) => {
                x.attr("name", Expr::s(&n.name))
                    .attr("protocols", Expr::strs(n.ip_protocols.clone()));
                addresses(&mut x, "source_addresses", &n.source_addresses);
                addresses(&mut x, "destination_addresses", &n.destination_addresses);
                addresses(&mut x, "destination_fqdns", &n.destination_fqdns);
                x.attr("destination_ports", Expr::strs(n.destination_ports.clone()));
            }
            FirewallRule::ApplicationRule(a) => {
                x.attr("name", Expr::s(&a.name));
                for p in &a.protocols {
                    x.block("protocols", |y| {
                        y.attr("type", Expr::s(&p.protocol_type))
                            .attr("port", Expr::Num(i64::from(p.port)));
                    });
                }
                addresses(&mut x, "source_addresses", &a.source_addresses);
                addresses(&mut x, "destination_fqdns", &a.target_fqdns);
                addresses(&mut x, "destination_fqdn_tags", &a.fqdn_tags);
            }
            FirewallRule::NatRule(n) => {
                x.attr("name", Expr::s(&n.name))
                    .attr("protocols", Expr::strs(n.ip_protocols.clone()));
                addresses(&mut x, "source_addresses", &n.source_addresses);
                if let Some(d) = n.destination_addresses.first() {
                    x.attr("destination_address", Expr::s(d));
                }
                x.attr("destination_ports", Expr::strs(n.destination_ports.clone()));
                x.opt(
                    "translated_address",
                    n.translated_address.clone().map(Expr::s),
                );
                let port = n
                    .translated_port
                    .as_deref()
                    .and_then(|p| p.parse::<i64>().ok())
                    .unwrap_or(0);
                x.attr("translated_port", Expr::Num(port));
            }
        }
        b.push(x);
    }
    Ok(b)
}

fn addresses(b: &mut Block, name: &str, list: &[String]) {
    if !list.is_empty() {
        b.attr(name, Expr::strs(list.to_vec()));
    }
}

/// Application Gateways: the estate holds the frontends, the backend pool and the WAF policy;
/// the listener, backend settings, probe and rule that connect them are generated: an HTTPS
/// listener on each frontend port with the certificate from Key Vault (a variable: certificates
/// are never written), forwarding over HTTP to the backend pool (the ingress controller's
/// internal load balancer) with the client's Host header kept, and a health probe on `/healthz`.
fn app_gateways(tf: &mut Tf) {
    let e = tf.estate;
    for a in e.application_gateways.iter() {
        let p = &a.properties;
        let local = tf.names.local(&a.id).unwrap_or_default();
        let file = tf.names.file(&a.id);
        let identity = format!("id_{local}");
        let mut id = Block::new("resource", &["azurerm_user_assigned_identity", &identity]);
        if let Some(alias) = tf.provider_alias(&a.id) {
            id.attr("provider", Expr::r(format!("azurerm.{alias}")));
        }
        id.attr("name", Expr::s(format!("id-{}", a.name)))
            .attr("resource_group_name", tf.names.resource_group_name(&a.id))
            .attr("location", Expr::s(a.location.clone().unwrap_or_default()));
        tf.add(&file, id);
        let secret = tf.variable(Variable {
            name: format!("{local}_certificate_secret_id"),
            description: format!("Key Vault secret id of the TLS certificate for Application Gateway {} (grant id-{} `Key Vault Secrets User` on its vault).", a.name, a.name),
            default: None,
            sensitive: false,
        });
        let mut b = tf.resource("azurerm_application_gateway", &a.id);
        tf.placement(&mut b, &a.id, &a.name, a.location.as_deref());
        if let Some(w) = &p.firewall_policy {
            b.attr("firewall_policy_id", tf.names.reference(&w.id, "id"));
        }
        b.attr("force_firewall_policy_association", Expr::Bool(true));
        b.block("sku", |s| {
            s.attr("name", Expr::s(&p.sku.name))
                .attr("tier", Expr::s(&p.sku.tier));
        });
        if let Some(auto) = &p.autoscale_configuration {
            b.block("autoscale_configuration", |s| {
                s.attr("min_capacity", Expr::Num(i64::from(auto.min_capacity)))
                    .opt(
                        "max_capacity",
                        auto.max_capacity.map(|m| Expr::Num(i64::from(m))),
                    );
            });
        }
        b.block("identity", |s| {
            s.attr("type", Expr::s("UserAssigned")).attr(
                "identity_ids",
                Expr::List(vec![Expr::r(format!(
                    "azurerm_user_assigned_identity.{identity}.id"
                ))]),
            );
        });
        for g in &p.gateway_ip_configurations {
            b.block("gateway_ip_configuration", |s| {
                s.attr("name", Expr::s(&g.name)).attr(
                    "subnet_id",
                    tf.names.reference(&g.properties.subnet.id, "id"),
                );
            });
        }
        for f in &p.frontend_ip_configurations {
            b.block("frontend_ip_configuration", |s| {
                s.attr("name", Expr::s(&f.name));
                if let Some(pip) = &f.properties.public_ip_address {
                    s.attr("public_ip_address_id", tf.names.reference(&pip.id, "id"));
                }
                if let Some(sub) = &f.properties.subnet {
                    s.attr("subnet_id", tf.names.reference(&sub.id, "id"));
                }
                if let Some(ip) = &f.properties.private_ip_address {
                    s.attr("private_ip_address", Expr::s(ip))
                        .attr("private_ip_address_allocation", Expr::s("Static"));
                }
            });
        }
        for fp in &p.frontend_ports {
            b.block("frontend_port", |s| {
                s.attr("name", Expr::s(&fp.name))
                    .attr("port", Expr::Num(i64::from(fp.properties.port)));
            });
        }
        let pool = p
            .backend_address_pools
            .first()
            .map(|x| x.name.clone())
            .unwrap_or_else(|| "backend".into());
        for bp in &p.backend_address_pools {
            b.block("backend_address_pool", |s| {
                s.attr("name", Expr::s(&bp.name));
                let ips: Vec<String> = bp
                    .properties
                    .backend_addresses
                    .iter()
                    .filter_map(|x| x.ip_address.clone())
                    .collect();
                let fqdns: Vec<String> = bp
                    .properties
                    .backend_addresses
                    .iter()
                    .filter_map(|x| x.fqdn.clone())
                    .collect();
                if !ips.is_empty() {
                    s.attr("ip_addresses", Expr::strs(ips));
                }
                if !fqdns.is_empty() {
                    s.attr("fqdns", Expr::strs(fqdns));
                }
            });
        }
        // The client's Host header reaches the ingress controller unchanged, so host-based
        // ingress rules work: the settings neither pick the backend's address as host name
        // (with an IP backend that makes every request `Host: 10.x.y.z`) nor override it. Source:
        // https://learn.microsoft.com/azure/architecture/best-practices/host-name-preservation
        // and https://learn.microsoft.com/azure/application-gateway/configuration-http-settings.
        // The probe then needs its own host; ingress controllers answer `/healthz` on their
        // default server whatever the host.
        b.block("probe", |s| {
            s.attr("name", Expr::s("ingress-health"))
                .attr("protocol", Expr::s("Http"))
                .attr("host", Expr::s("127.0.0.1"))
                .attr("path", Expr::s("/healthz"))
                .attr("interval", Expr::Num(30))
                .attr("timeout", Expr::Num(30))
                .attr("unhealthy_threshold", Expr::Num(3))
                .attr(
                    "pick_host_name_from_backend_http_settings",
                    Expr::Bool(false),
                );
            s.block("match", |m| {
                m.attr("status_code", Expr::strs(vec!["200-399".to_string()]));
            });
        });
        b.block("backend_http_settings", |s| {
            s.attr("name", Expr::s("ingress-http"))
                .attr("port", Expr::Num(80))
                .attr("protocol", Expr::s("Http"))
                .attr("cookie_based_affinity", Expr::s("Disabled"))
                .attr("request_timeout", Expr::Num(60))
                .attr("pick_host_name_from_backend_address", Expr::Bool(false))
                .attr("probe_name", Expr::s("ingress-health"));
        });
        b.block("ssl_certificate", |s| {
            s.attr("name", Expr::s("listener-tls"))
                .attr("key_vault_secret_id", secret.clone());
        });
        b.block("ssl_policy", |s| {
            // TLS 1.2+ with strong ciphers only (the `S` policy): Checkov CKV_AZURE_218.
            s.attr("policy_type", Expr::s("Predefined"))
                .attr("policy_name", Expr::s("AppGwSslPolicy20220101S"));
        });
        let port = p
            .frontend_ports
            .first()
            .map(|x| x.name.clone())
            .unwrap_or_else(|| "https".into());
        for (i, f) in p.frontend_ip_configurations.iter().enumerate() {
            let listener = format!("{}-{port}", f.name);
            b.block("http_listener", |s| {
                s.attr("name", Expr::s(&listener))
                    .attr("frontend_ip_configuration_name", Expr::s(&f.name))
                    .attr("frontend_port_name", Expr::s(&port))
                    .attr("protocol", Expr::s("Https"))
                    .attr("ssl_certificate_name", Expr::s("listener-tls"));
            });
            b.block("request_routing_rule", |s| {
                s.attr("name", Expr::s(format!("{listener}-to-ingress")))
                    .attr("rule_type", Expr::s("Basic"))
                    .attr("priority", Expr::Num(100 + 10 * i as i64))
                    .attr("http_listener_name", Expr::s(&listener))
                    .attr("backend_address_pool_name", Expr::s(&pool))
                    .attr("backend_http_settings_name", Expr::s("ingress-http"));
            });
        }
        tf.add(&file, b);
        tf.output(
            &format!("{local}_identity_principal_id"),
            "Grant this identity `Key Vault Secrets User` on the certificate's vault.",
            Expr::r(format!(
                "azurerm_user_assigned_identity.{identity}.principal_id"
            )),
            false,
        );
    }
    for w in e.waf_policies.iter() {
        let q = &w.properties;
        let mut b = tf.resource("azurerm_web_application_firewall_policy", &w.id);
        tf.placement(&mut b, &w.id, &w.name, w.location.as_deref());
        b.block("policy_settings", |s| {
            s.opt(
                "enabled",
                (q.policy_settings.state.as_deref())
                    .map(|state| Expr::Bool(state.eq_ignore_ascii_case("Enabled"))),
            )
            .opt("mode", q.policy_settings.mode.as_deref().map(Expr::s))
            .attr(
                "request_body_check",
                Expr::Bool(q.policy_settings.request_body_check),
            );
        });
        b.block("managed_rules", |m| {
            for set in &q.managed_rules.managed_rule_sets {
                m.block("managed_rule_set", |s| {
                    s.attr("type", Expr::s(&set.rule_set_type))
                        .attr("version", Expr::s(&set.rule_set_version));
                });
            }
        });
        let file = tf.names.file(&w.id);
        tf.add(&file, b);
    }
}

fn bastions(tf: &mut Tf) {
    let e = tf.estate;
    for h in e.bastion_hosts.iter() {
        let mut b = tf.resource("azurerm_bastion_host", &h.id);
        tf.placement(&mut b, &h.id, &h.name, h.location.as_deref());
        b.attr(
            "sku",
            Expr::s(
                h.sku
                    .as_ref()
                    .and_then(|s| s.name.clone())
                    .unwrap_or_else(|| "Standard".into()),
            ),
        );
        b.attr(
            "tunneling_enabled",
            Expr::Bool(h.properties.enable_tunneling),
        );
        if let Some(c) = h.properties.ip_configurations.first() {
            b.push(ip_configuration(tf, "ip_configuration", c));
        }
        let file = tf.names.file(&h.id);
        tf.add(&file, b);
    }
}

fn gateways(tf: &mut Tf) {
    let e = tf.estate;
    for g in e.virtual_network_gateways.iter() {
        let q = &g.properties;
        let mut b = tf.resource("azurerm_virtual_network_gateway", &g.id);
        tf.placement(&mut b, &g.id, &g.name, g.location.as_deref());
        b.attr("type", Expr::s(&q.gateway_type))
            .opt("sku", q.sku.as_ref().map(|s| Expr::s(&s.name)));
        if q.gateway_type.eq_ignore_ascii_case("Vpn") {
            b.attr(
                "vpn_type",
                Expr::s(q.vpn_type.clone().unwrap_or_else(|| "RouteBased".into())),
            );
        }
        b.attr("active_active", Expr::Bool(q.active_active))
            .attr("enable_bgp", Expr::Bool(q.enable_bgp));
        for c in &q.ip_configurations {
            let mut x = ip_configuration(tf, "ip_configuration", c);
            x.attr("private_ip_address_allocation", Expr::s("Dynamic"));
            b.push(x);
        }
        let file = tf.names.file(&g.id);
        tf.add(&file, b);
    }
    for l in e.local_network_gateways.iter() {
        let mut b = tf.resource("azurerm_local_network_gateway", &l.id);
        tf.placement(&mut b, &l.id, &l.name, l.location.as_deref());
        let address = match &l.properties.gateway_ip_address {
            Some(ip) => Expr::s(ip),
            None => tf.variable(Variable {
                name: "onprem_vpn_device_ip".into(),
                description: "Public IP of the on-premises VPN device.".into(),
                default: None,
                sensitive: false,
            }),
        };
        b.attr("gateway_address", address);
        b.attr(
            "address_space",
            Expr::strs(
                l.properties
                    .local_network_address_space
                    .address_prefixes
                    .iter()
                    .map(|p| p.to_string()),
            ),
        );
        let file = tf.names.file(&l.id);
        tf.add(&file, b);
    }
    for c in e.connections.iter() {
        let q = &c.properties;
        let mut b = tf.resource("azurerm_virtual_network_gateway_connection", &c.id);
        tf.placement(&mut b, &c.id, &c.name, c.location.as_deref());
        b.attr("type", Expr::s(&q.connection_type)).attr(
            "virtual_network_gateway_id",
            tf.names.reference(&q.virtual_network_gateway1.id, "id"),
        );
        if let Some(l) = &q.local_network_gateway2 {
            b.attr("local_network_gateway_id", tf.names.reference(&l.id, "id"));
            let key = tf.variable(Variable {
                name: "vpn_shared_key".into(),
                description: "IPsec pre-shared key of the VPN connection.".into(),
                default: None,
                sensitive: true,
            });
            b.attr("shared_key", key);
        }
        if q.connection_type.eq_ignore_ascii_case("ExpressRoute") {
            let circuit = tf.variable(Variable {
                name: "expressroute_circuit_id".into(),
                description:
                    "Resource id of the ExpressRoute circuit (provisioned with your provider)."
                        .into(),
                default: None,
                sensitive: false,
            });
            b.attr("express_route_circuit_id", circuit);
        }
        let file = tf.names.file(&c.id);
        tf.add(&file, b);
    }
}
