//! Private endpoints (with their DNS zone groups), private DNS zones, VNet links and A records.

use std::collections::HashMap;

use aksnet_model::private::PrivateDnsZoneGroup;
use aksnet_model::{Resource, ResourceId};

use super::Tf;
use crate::hcl::Expr;
use crate::EmitError;

/// Private DNS lives in one file.
pub(super) const DNS_FILE: &str = "dns.tf";

pub(super) fn emit(tf: &mut Tf) -> Result<(), EmitError> {
    let e = tf.estate;
    // Zone groups by endpoint and by zone, in id order: one pass, not one per endpoint and record.
    let mut by_endpoint: HashMap<ResourceId, Vec<&Resource<PrivateDnsZoneGroup>>> = HashMap::new();
    let mut by_zone: HashMap<&ResourceId, Vec<&Resource<PrivateDnsZoneGroup>>> = HashMap::new();
    for g in e.private_dns_zone_groups.iter() {
        for c in &g.properties.private_dns_zone_configs {
            let at = by_zone
                .entry(&c.properties.private_dns_zone_id)
                .or_default();
            // A group naming one zone twice is listed once (its configs are consecutive).
            if at.last().is_none_or(|x| x.id != g.id) {
                at.push(g);
            }
        }
        if let Some(pe) = g.id.parent() {
            by_endpoint.entry(pe).or_default().push(g);
        }
    }
    for pe in e.private_endpoints.iter() {
        let q = &pe.properties;
        let mut b = tf.resource("azurerm_private_endpoint", &pe.id);
        tf.placement(&mut b, &pe.id, &pe.name, pe.location.as_deref());
        b.attr("subnet_id", tf.names.reference(&q.subnet.id, "id"));
        if let Some(n) = &q.custom_network_interface_name {
            b.attr("custom_network_interface_name", Expr::s(n));
        }
        for c in &q.private_link_service_connections {
            b.block("private_service_connection", |x| {
                x.attr("name", Expr::s(&c.name))
                    .attr(
                        "private_connection_resource_id",
                        tf.names
                            .reference(&c.properties.private_link_service_id, "id"),
                    )
                    .attr(
                        "subresource_names",
                        Expr::strs(c.properties.group_ids.clone()),
                    )
                    .attr("is_manual_connection", Expr::Bool(false));
            });
        }
        for g in by_endpoint.get(&pe.id).into_iter().flatten() {
            b.block("private_dns_zone_group", |x| {
                x.attr("name", Expr::s(&g.name)).attr(
                    "private_dns_zone_ids",
                    Expr::List(
                        g.properties
                            .private_dns_zone_configs
                            .iter()
                            .map(|c| tf.names.reference(&c.properties.private_dns_zone_id, "id"))
                            .collect(),
                    ),
                );
            });
        }
        for c in &q.ip_configurations {
            b.block("ip_configuration", |x| {
                x.attr("name", Expr::s(&c.name))
                    .attr(
                        "private_ip_address",
                        Expr::s(&c.properties.private_ip_address),
                    )
                    .attr("subresource_name", Expr::s(&c.properties.group_id))
                    .attr("member_name", Expr::s(&c.properties.member_name));
            });
        }
        let file = tf.names.file(&pe.id);
        tf.add(&file, b);
    }
    for z in e.private_dns_zones.iter() {
        let mut b = tf.resource("azurerm_private_dns_zone", &z.id);
        b.attr("name", Expr::s(&z.name))
            .attr("resource_group_name", tf.names.resource_group_name(&z.id));
        tf.add(DNS_FILE, b);
    }
    for l in e.virtual_network_links.iter() {
        let Some(zone) = l.id.parent() else { continue };
        let mut b = tf.resource("azurerm_private_dns_zone_virtual_network_link", &l.id);
        b.attr("name", Expr::s(&l.name))
            .attr("resource_group_name", tf.names.resource_group_name(&l.id))
            .attr("private_dns_zone_name", tf.names.reference(&zone, "name"))
            .attr(
                "virtual_network_id",
                tf.names.reference(&l.properties.virtual_network.id, "id"),
            )
            .attr(
                "registration_enabled",
                Expr::Bool(l.properties.registration_enabled),
            );
        if let Some(p) = &l.properties.resolution_policy {
            b.attr("resolution_policy", Expr::s(p));
        }
        tf.add(DNS_FILE, b);
    }
    for r in e.a_record_sets.iter() {
        let Some(zone) = r.id.parent() else { continue };
        if maintained_by_zone_group(tf, by_zone.get(&zone).map_or(&[], Vec::as_slice), r) {
            continue;
        }
        let mut b = tf.resource("azurerm_private_dns_a_record", &r.id);
        b.attr("name", Expr::s(&r.name))
            .attr("zone_name", tf.names.reference(&zone, "name"))
            .attr("resource_group_name", tf.names.resource_group_name(&r.id))
            .opt("ttl", r.properties.ttl.map(|t| Expr::Num(i64::from(t))))
            .attr(
                "records",
                Expr::strs(
                    r.properties
                        .a_records
                        .iter()
                        .map(|a| a.ipv4_address.clone()),
                ),
            );
        tf.add(DNS_FILE, b);
    }
    Ok(())
}

/// A record that a private endpoint's DNS zone group writes (same zone, one of the endpoint's
/// addresses): Azure maintains it, and declaring it too would conflict.
/// `groups` are the zone groups that write into the record's zone.
fn maintained_by_zone_group(
    tf: &Tf,
    groups: &[&Resource<PrivateDnsZoneGroup>],
    r: &Resource<aksnet_model::private::ARecordSet>,
) -> bool {
    let e = tf.estate;
    groups.iter().any(|g| {
        g.id.parent()
            .and_then(|pe| e.private_endpoints.get(&pe))
            .is_some_and(|pe| {
                r.properties.a_records.iter().all(|a| {
                    pe.properties
                        .ip_configurations
                        .iter()
                        .any(|c| c.properties.private_ip_address == a.ipv4_address)
                })
            })
    })
}
