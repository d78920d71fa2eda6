//! The hub's edge: Application Gateway with its WAF policy, Bastion, and the VPN / ExpressRoute
//! gateway with its connection (Azure Firewall is [`super::firewall`]).

use aksnet_model::network::IpConfiguration;
use aksnet_model::Child;

use super::{Tf, Variable};
use crate::hcl::{Block, Expr};
use crate::EmitError;

pub(super) fn emit(tf: &mut Tf) -> Result<(), EmitError> {
    app_gateways(tf)?;
    bastions(tf);
    gateways(tf);
    Ok(())
}

/// An `ip_configuration`-shaped block: name, subnet and, when there is one, the public IP.
pub(super) fn ip_configuration(tf: &Tf, kind: &str, c: &Child<IpConfiguration>) -> Block {
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

/// Application Gateways: the estate holds the frontends, the backend pool and the WAF policy;
/// the listener, backend settings, probe and rule that connect them are generated: an HTTPS
/// listener on each frontend port with the certificate from Key Vault (a variable: certificates
/// are never written), forwarding over HTTP to the backend pool (the ingress controller's
/// internal load balancer) with the client's Host header kept, and a health probe on `/healthz`.
fn app_gateways(tf: &mut Tf) -> Result<(), EmitError> {
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
            validation: None,
        });
        let mut b = tf.resource("azurerm_application_gateway", &a.id);
        tf.placement(&mut b, &a.id, &a.name, a.location.as_deref());
        if let Some(w) = &p.firewall_policy {
            b.attr("firewall_policy_id", tf.names.reference(&w.id, "id"));
        }
        b.attr("force_firewall_policy_association", Expr::Bool(true));
        if let (None, Some(c)) = (
            &p.firewall_policy,
            &p.web_application_firewall_configuration,
        ) {
            // Terraform requires the mode; Azure documents no default to write in its place.
            let mode = c.firewall_mode.as_deref().ok_or_else(|| EmitError {
                resource: a.id.to_string(),
                message: "its WAF configuration states no firewallMode, which Terraform requires"
                    .into(),
                hint: "state firewallMode (Prevention or Detection)".into(),
            })?;
            b.block("waf_configuration", |x| {
                x.attr("enabled", Expr::Bool(c.enabled))
                    .attr("firewall_mode", Expr::s(mode))
                    .attr("rule_set_type", Expr::s(&c.rule_set_type))
                    .attr("rule_set_version", Expr::s(&c.rule_set_version));
            });
        }
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
        // How the gateway reaches the ingress controller: the estate's first backend settings,
        // else HTTP on 80 (what the designer used before it recorded them).
        let settings = p
            .backend_http_settings_collection
            .first()
            .map(|c| (c.name.clone(), c.properties.clone()))
            .unwrap_or_else(|| {
                (
                    "ingress-http".into(),
                    aksnet_model::appgw::BackendHttpSettings {
                        port: 80,
                        protocol: "Http".into(),
                        ..Default::default()
                    },
                )
            });
        let (settings_name, settings) = settings;
        let https = settings.protocol.eq_ignore_ascii_case("Https");
        let root_ca = https.then(|| {
            tf.variable(Variable {
                name: format!("{local}_backend_root_certificate_secret_id"),
                description: format!(
                    "Key Vault secret id of the root CA certificate that signed the ingress controller's certificate, which must name {}: Application Gateway {} trusts it for the backend (v2 trusts only well-known CAs otherwise).",
                    settings.host_name.clone().unwrap_or_default(),
                    a.name
                ),
                default: None,
                sensitive: false,
                validation: None,
            })
        });
        let probe = "ingress-health";
        // HTTPS: the gateway sends the settings' host name as SNI and Host header and checks
        // the controller's certificate against it, so the probe asks for the same name
        // (https://learn.microsoft.com/azure/application-gateway/ssl-overview#end-to-end-tls-with-the-v2-sku).
        // HTTP: the client's Host header reaches the ingress controller unchanged, so
        // host-based ingress rules work: the settings neither pick the backend's address as
        // host name (with an IP backend that makes every request `Host: 10.x.y.z`) nor
        // override it
        // (https://learn.microsoft.com/azure/architecture/best-practices/host-name-preservation,
        // https://learn.microsoft.com/azure/application-gateway/configuration-http-settings);
        // the probe then needs its own host, and ingress controllers answer `/healthz` on
        // their default server whatever the host.
        // An HTTPS backend without a host name (imported) gives the probe none to take.
        let from_settings = https && settings.host_name.is_some();
        b.block("probe", |s| {
            s.attr("name", Expr::s(probe))
                .attr("protocol", Expr::s(if https { "Https" } else { "Http" }))
                .opt("host", (!from_settings).then(|| Expr::s("127.0.0.1")))
                .attr("path", Expr::s("/healthz"))
                .attr("interval", Expr::Num(30))
                .attr("timeout", Expr::Num(30))
                .attr("unhealthy_threshold", Expr::Num(3))
                .attr(
                    "pick_host_name_from_backend_http_settings",
                    Expr::Bool(from_settings),
                );
            s.block("match", |m| {
                m.attr("status_code", Expr::strs(vec!["200-399".to_string()]));
            });
        });
        b.block("backend_http_settings", |s| {
            s.attr("name", Expr::s(&settings_name))
                .attr("port", Expr::Num(i64::from(settings.port)))
                .attr("protocol", Expr::s(if https { "Https" } else { "Http" }))
                .attr("cookie_based_affinity", Expr::s("Disabled"))
                .attr("request_timeout", Expr::Num(60))
                .opt("host_name", settings.host_name.clone().map(Expr::s))
                .attr(
                    "pick_host_name_from_backend_address",
                    Expr::Bool(
                        settings
                            .pick_host_name_from_backend_address
                            .unwrap_or(false),
                    ),
                )
                .attr("probe_name", Expr::s(probe));
            if https {
                s.attr(
                    "trusted_root_certificate_names",
                    Expr::strs(vec!["ingress-root-ca".to_string()]),
                );
            }
        });
        if let Some(v) = &root_ca {
            b.block("trusted_root_certificate", |s| {
                s.attr("name", Expr::s("ingress-root-ca"))
                    .attr("key_vault_secret_id", v.clone());
            });
        }
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
                    .attr("backend_http_settings_name", Expr::s(&settings_name));
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
    Ok(())
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
                validation: None,
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
                validation: None,
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
                validation: None,
            });
            b.attr("express_route_circuit_id", circuit);
        }
        let file = tf.names.file(&c.id);
        tf.add(&file, b);
    }
}
