//! Resource groups, VNets, subnets and their NSG / route table / NAT gateway associations,
//! peerings, route tables, NSGs, public IPs and NAT gateways.

use aksnet_model::network::{Access, Direction, SecurityRule, Subnet};
use aksnet_model::{Child, Maybe, ResourceId};

use super::Tf;
use crate::hcl::{Block, Expr};
use crate::EmitError;

pub(super) fn emit(tf: &mut Tf) -> Result<(), EmitError> {
    resource_groups(tf);
    vnets(tf);
    route_tables(tf)?;
    nsgs(tf);
    public_ips(tf);
    nat_gateways(tf);
    Ok(())
}

fn resource_groups(tf: &mut Tf) {
    let groups: Vec<_> = tf.names.groups().cloned().collect();
    for g in groups {
        let mut b = Block::new("resource", &["azurerm_resource_group", &g.local]);
        if let Some(alias) = tf.provider_alias(&g.sample) {
            b.attr("provider", Expr::r(format!("azurerm.{alias}")));
        }
        b.attr("name", Expr::s(&g.name))
            .attr("location", Expr::s(&g.location));
        tf.add(&g.file, b);
    }
}

fn vnets(tf: &mut Tf) {
    let e = tf.estate;
    for v in e.virtual_networks.iter() {
        let file = tf.names.file(&v.id);
        let mut b = tf.resource("azurerm_virtual_network", &v.id);
        tf.placement(&mut b, &v.id, &v.name, v.location.as_deref());
        b.attr(
            "address_space",
            Expr::strs(
                v.properties
                    .address_space
                    .address_prefixes
                    .iter()
                    .map(|p| p.to_string()),
            ),
        );
        if let Some(d) = v
            .properties
            .dhcp_options
            .as_ref()
            .filter(|d| !d.dns_servers.is_empty())
        {
            b.attr("dns_servers", Expr::strs(d.dns_servers.clone()));
        }
        tf.add(&file, b);
        for s in &v.properties.subnets {
            subnet(tf, &v.id, s, &file);
        }
        for p in &v.properties.virtual_network_peerings {
            let id = v.id.child("virtualNetworkPeerings", &p.name);
            let mut b = tf.resource("azurerm_virtual_network_peering", &id);
            let q = &p.properties;
            b.attr("name", Expr::s(&p.name))
                .attr("resource_group_name", tf.names.resource_group_name(&v.id))
                .attr("virtual_network_name", tf.names.reference(&v.id, "name"))
                .attr(
                    "remote_virtual_network_id",
                    tf.names.reference(&q.remote_virtual_network.id, "id"),
                )
                .attr(
                    "allow_virtual_network_access",
                    Expr::Bool(q.allow_virtual_network_access),
                )
                .attr(
                    "allow_forwarded_traffic",
                    Expr::Bool(q.allow_forwarded_traffic),
                )
                .attr("allow_gateway_transit", Expr::Bool(q.allow_gateway_transit))
                .attr("use_remote_gateways", Expr::Bool(q.use_remote_gateways));
            // Using the remote gateway requires it to exist: order the peering after it.
            let mut after: Vec<Expr> = Vec::new();
            if q.use_remote_gateways {
                after.extend(gateways_in(tf, &q.remote_virtual_network.id));
            }
            if q.allow_gateway_transit {
                after.extend(gateways_in(tf, &v.id));
            }
            if !after.is_empty() {
                b.attr("depends_on", Expr::List(after));
            }
            tf.add(&file, b);
        }
    }
}

/// The gateways of a VNet, as `depends_on` entries.
fn gateways_in(tf: &Tf, vnet: &ResourceId) -> Vec<Expr> {
    tf.estate
        .virtual_network_gateways
        .iter()
        .filter(|g| {
            g.properties
                .ip_configurations
                .iter()
                .any(|c| c.properties.subnet.id.parent().as_ref() == Some(vnet))
        })
        .filter_map(|g| {
            tf.names
                .local(&g.id)
                .map(|l| Expr::r(format!("azurerm_virtual_network_gateway.{l}")))
        })
        .collect()
}

fn subnet(tf: &mut Tf, vnet: &ResourceId, s: &Child<Subnet>, file: &str) {
    let id = vnet.child("subnets", &s.name);
    let p = &s.properties;
    let mut b = tf.resource("azurerm_subnet", &id);
    b.attr("name", Expr::s(&s.name))
        .attr("resource_group_name", tf.names.resource_group_name(vnet))
        .attr("virtual_network_name", tf.names.reference(vnet, "name"))
        .attr(
            "address_prefixes",
            Expr::strs([p.address_prefix.to_string()]),
        );
    if !p.service_endpoints.is_empty() {
        b.attr(
            "service_endpoints",
            Expr::strs(p.service_endpoints.iter().map(|e| e.service.clone())),
        );
    }
    if let Some(pol) = &p.private_endpoint_network_policies {
        b.attr("private_endpoint_network_policies", Expr::s(pol));
    }
    if let Some(d) = p.default_outbound_access {
        b.attr("default_outbound_access_enabled", Expr::Bool(d));
    }
    for d in &p.delegations {
        b.block("delegation", |x| {
            x.attr("name", Expr::s(&d.name));
            x.block("service_delegation", |sd| {
                sd.attr("name", Expr::s(&d.properties.service_name));
            });
        });
    }
    tf.add(file, b);
    let local = tf.names.local(&id).unwrap_or_default();
    let associate = |tf: &mut Tf, kind: &str, attr: &str, target: &ResourceId, ty: &str| {
        let mut a = Block::new("resource", &[kind, &local]);
        if let Some(alias) = tf.provider_alias(&id) {
            a.attr("provider", Expr::r(format!("azurerm.{alias}")));
        }
        a.attr("subnet_id", Expr::r(format!("azurerm_subnet.{local}.id")));
        a.attr(
            attr,
            if tf.names.has(target) {
                Expr::r(format!(
                    "{ty}.{}.id",
                    tf.names.local(target).unwrap_or_default()
                ))
            } else {
                Expr::s(target.as_str())
            },
        );
        tf.add(file, a);
    };
    if let Some(n) = &p.network_security_group {
        associate(
            tf,
            "azurerm_subnet_network_security_group_association",
            "network_security_group_id",
            &n.id,
            "azurerm_network_security_group",
        );
    }
    if let Some(r) = &p.route_table {
        associate(
            tf,
            "azurerm_subnet_route_table_association",
            "route_table_id",
            &r.id,
            "azurerm_route_table",
        );
    }
    if let Some(n) = &p.nat_gateway {
        associate(
            tf,
            "azurerm_subnet_nat_gateway_association",
            "nat_gateway_id",
            &n.id,
            "azurerm_nat_gateway",
        );
    }
}

/// Route tables with their routes. A next hop address unknown before deployment (an imported
/// template's) has no value to write: refused, as a designed estate never holds one.
fn route_tables(tf: &mut Tf) -> Result<(), EmitError> {
    let e = tf.estate;
    for rt in e.route_tables.iter() {
        let mut b = tf.resource("azurerm_route_table", &rt.id);
        tf.placement(&mut b, &rt.id, &rt.name, rt.location.as_deref());
        b.attr(
            "bgp_route_propagation_enabled",
            Expr::Bool(!rt.properties.disable_bgp_route_propagation),
        );
        for r in &rt.properties.routes {
            let ip = match &r.properties.next_hop_ip_address {
                Some(Maybe::Unknown(u)) => {
                    return Err(EmitError {
                        resource: rt.id.to_string(),
                        message: format!(
                            "route `{}` has a next hop address unknown before deployment ({u}): Terraform cannot be generated for it",
                            r.name
                        ),
                        hint: "give the route the appliance's address, or import the deployed estate instead of the template".into(),
                    })
                }
                Some(Maybe::Known(a)) => Some(Expr::s(a)),
                None => None,
            };
            let hop = serde_json::to_value(r.properties.next_hop_type)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            b.block("route", |x| {
                x.attr("name", Expr::s(&r.name))
                    .attr(
                        "address_prefix",
                        Expr::s(r.properties.address_prefix.to_string()),
                    )
                    .attr("next_hop_type", Expr::s(hop))
                    .opt("next_hop_in_ip_address", ip);
            });
        }
        let file = tf.names.file(&rt.id);
        tf.add(&file, b);
    }
    Ok(())
}

fn nsgs(tf: &mut Tf) {
    let e = tf.estate;
    for n in e.network_security_groups.iter() {
        let mut b = tf.resource("azurerm_network_security_group", &n.id);
        tf.placement(&mut b, &n.id, &n.name, n.location.as_deref());
        let mut rules: Vec<&Child<SecurityRule>> = n.properties.security_rules.iter().collect();
        rules.sort_by_key(|r| {
            (
                r.properties.direction == Direction::Outbound,
                r.properties.priority,
            )
        });
        for r in rules {
            b.push(security_rule(r));
        }
        let file = tf.names.file(&n.id);
        tf.add(&file, b);
    }
}

fn security_rule(r: &Child<SecurityRule>) -> Block {
    let p = &r.properties;
    let mut b = Block::new("security_rule", &[]);
    b.attr("name", Expr::s(&r.name))
        .attr("priority", Expr::Num(i64::from(p.priority)));
    b.attr(
        "direction",
        Expr::s(if p.direction == Direction::Inbound {
            "Inbound"
        } else {
            "Outbound"
        }),
    );
    b.attr(
        "access",
        Expr::s(if p.access == Access::Allow {
            "Allow"
        } else {
            "Deny"
        }),
    );
    b.attr("protocol", Expr::s(&p.protocol));
    b.attr(
        "source_port_range",
        Expr::s(p.source_port_range.clone().unwrap_or_else(|| "*".into())),
    );
    one_or_many(
        &mut b,
        ("destination_port_range", "destination_port_ranges"),
        &p.destination_port_range,
        &p.destination_port_ranges,
    );
    one_or_many(
        &mut b,
        ("source_address_prefix", "source_address_prefixes"),
        &p.source_address_prefix,
        &p.source_address_prefixes,
    );
    one_or_many(
        &mut b,
        ("destination_address_prefix", "destination_address_prefixes"),
        &p.destination_address_prefix,
        &p.destination_address_prefixes,
    );
    if let Some(d) = &p.description {
        b.attr("description", Expr::s(d));
    }
    b
}

/// ARM's singular/plural pairs map to azurerm's `(singular, plural)` arguments.
fn one_or_many(
    b: &mut Block,
    (single, plural): (&str, &str),
    one: &Option<String>,
    many: &[String],
) {
    match one.as_deref().filter(|s| !s.is_empty()) {
        Some(v) => {
            b.attr(single, Expr::s(v));
        }
        None if !many.is_empty() => {
            b.attr(plural, Expr::strs(many.to_vec()));
        }
        None => {}
    }
}

fn public_ips(tf: &mut Tf) {
    let e = tf.estate;
    for p in e.public_ip_addresses.iter() {
        let mut b = tf.resource("azurerm_public_ip", &p.id);
        tf.placement(&mut b, &p.id, &p.name, p.location.as_deref());
        b.attr(
            "allocation_method",
            Expr::s(if p.properties.public_ip_allocation_method.is_empty() {
                "Static"
            } else {
                &p.properties.public_ip_allocation_method
            }),
        );
        let sku = p.sku.as_ref();
        b.attr(
            "sku",
            Expr::s(
                sku.and_then(|s| s.name.clone())
                    .unwrap_or_else(|| "Standard".into()),
            ),
        );
        if let Some(t) = sku.and_then(|s| s.tier.clone()) {
            b.attr("sku_tier", Expr::s(t));
        }
        if !p.properties.public_ip_address_version.is_empty() {
            b.attr(
                "ip_version",
                Expr::s(&p.properties.public_ip_address_version),
            );
        }
        let file = tf.names.file(&p.id);
        tf.add(&file, b);
    }
}

fn nat_gateways(tf: &mut Tf) {
    let e = tf.estate;
    for n in e.nat_gateways.iter() {
        let mut b = tf.resource("azurerm_nat_gateway", &n.id);
        tf.placement(&mut b, &n.id, &n.name, n.location.as_deref());
        b.attr(
            "sku_name",
            Expr::s(
                n.sku
                    .as_ref()
                    .and_then(|s| s.name.clone())
                    .unwrap_or_else(|| "Standard".into()),
            ),
        );
        let file = tf.names.file(&n.id);
        tf.add(&file, b);
        let local = tf.names.local(&n.id).unwrap_or_default();
        for (i, pip) in n.properties.public_ip_addresses.iter().enumerate() {
            let name = if i == 0 {
                local.clone()
            } else {
                format!("{local}_{}", i + 1)
            };
            let mut a = Block::new(
                "resource",
                &["azurerm_nat_gateway_public_ip_association", &name],
            );
            if let Some(alias) = tf.provider_alias(&n.id) {
                a.attr("provider", Expr::r(format!("azurerm.{alias}")));
            }
            a.attr(
                "nat_gateway_id",
                Expr::r(format!("azurerm_nat_gateway.{local}.id")),
            );
            a.attr("public_ip_address_id", tf.names.reference(&pip.id, "id"));
            tf.add(&file, a);
        }
    }
}
