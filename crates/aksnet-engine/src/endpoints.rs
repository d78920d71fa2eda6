//! Named endpoints: the addresses traces start from and go to (firewalls, private endpoints,
//! load balancer and Application Gateway frontends, API servers, Bastion), with their DNS names.

use std::net::IpAddr;

use aksnet_model::network::NextHopType;
use aksnet_model::{azure, Estate, ResourceId};

use crate::topology::{Endpoint, EndpointKind, LbRule, PublicIp, SubnetIx, Topology};

fn subnet_of(t: &Topology, id: &ResourceId) -> Option<SubnetIx> {
    t.subnet_by_id(id)
}

/// The DNS name of a private endpoint member (azure-semantics §7.1): `registry` →
/// `<acr>.azurecr.io`, `registry_data_<region>` → `<acr>.<region>.data.azurecr.io`,
/// `vault` → `<kv>.vault.azure.net`.
pub(crate) fn pe_fqdn(target: &str, group: &str, member: &str) -> Option<String> {
    match group {
        "registry" => Some(match member.strip_prefix("registry_data_") {
            Some(region) => format!("{target}.{region}.data.azurecr.io"),
            None => format!("{target}.azurecr.io"),
        }),
        "vault" => Some(format!("{target}.vault.azure.net")),
        _ => None,
    }
}

/// A frontend's private address and subnet, when it has one.
fn private_frontend(
    f: &aksnet_model::network::FrontendIpConfiguration,
    t: &Topology,
) -> Option<(IpAddr, Option<SubnetIx>)> {
    let ip = f.private_ip_address.as_deref()?.parse().ok()?;
    Some((ip, f.subnet.as_ref().and_then(|s| subnet_of(t, &s.id))))
}

/// The endpoints of an estate, and notes on those that cannot work as configured.
pub(crate) fn collect(estate: &Estate, t: &Topology) -> (Vec<Endpoint>, Vec<String>) {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let mut push =
        |kind, ip: IpAddr, predicted, subnet, resource: &ResourceId, name: String, fqdn| {
            out.push(Endpoint {
                kind,
                ip,
                predicted,
                subnet,
                resource: resource.clone(),
                name,
                fqdn,
                lb_rules: Vec::new(),
            });
        };
    // Load balancer rules per (load balancer, frontend address), attached after collection.
    let mut lb_rules: Vec<(ResourceId, IpAddr, Vec<LbRule>)> = Vec::new();
    let mut firewall_ips = Vec::new();
    let mut nvas: Vec<IpAddr> = Vec::new();
    for fw in estate.azure_firewalls.iter() {
        for c in &fw.properties.ip_configurations {
            if let Some(ip) = c
                .properties
                .private_ip_address
                .as_deref()
                .and_then(|a| a.parse().ok())
            {
                firewall_ips.push(ip);
                push(
                    EndpointKind::Firewall,
                    ip,
                    false,
                    subnet_of(t, &c.properties.subnet.id),
                    &fw.id,
                    fw.name.clone(),
                    None,
                );
            }
            if let Some(&PublicIp { ip, stand_in }) = c
                .properties
                .public_ip_address
                .as_ref()
                .and_then(|p| t.public_ips.get(&p.id))
            {
                let name = c
                    .properties
                    .public_ip_address
                    .as_ref()
                    .map(|p| p.id.name().to_string())
                    .unwrap_or_default();
                push(
                    EndpointKind::FirewallPublic,
                    ip,
                    stand_in,
                    None,
                    &fw.id,
                    name,
                    None,
                );
            }
        }
    }
    for rt in estate.route_tables.iter() {
        for r in &rt.properties.routes {
            if r.properties.next_hop_type != NextHopType::VirtualAppliance {
                continue;
            }
            let Some(ip) = r
                .properties
                .next_hop_ip_address
                .as_deref()
                .and_then(|a| a.parse::<IpAddr>().ok())
            else {
                continue;
            };
            let known = firewall_ips.contains(&ip) || nvas.contains(&ip);
            if !known {
                nvas.push(ip);
                push(
                    EndpointKind::Nva,
                    ip,
                    false,
                    t.subnet_of(ip),
                    &rt.id,
                    format!("NVA {ip}"),
                    None,
                );
            }
        }
    }
    for pe in estate.private_endpoints.iter() {
        let subnet = subnet_of(t, &pe.properties.subnet.id);
        let target = pe
            .properties
            .private_link_service_connections
            .first()
            .map(|c| c.properties.private_link_service_id.name().to_string())
            .unwrap_or_default();
        for c in &pe.properties.ip_configurations {
            let Ok(ip) = c.properties.private_ip_address.parse() else {
                continue;
            };
            let fqdn = pe_fqdn(&target, &c.properties.group_id, &c.properties.member_name);
            push(
                EndpointKind::PrivateEndpoint(c.properties.group_id.clone()),
                ip,
                false,
                subnet,
                &pe.id,
                format!("{} ({})", pe.name, c.properties.member_name),
                fqdn,
            );
        }
    }
    for lb in estate.load_balancers.iter() {
        for f in &lb.properties.frontend_ip_configurations {
            if let Some((ip, subnet)) = private_frontend(&f.properties, t) {
                push(
                    EndpointKind::InternalLoadBalancer,
                    ip,
                    false,
                    subnet,
                    &lb.id,
                    format!("{}/{}", lb.name, f.name),
                    None,
                );
                let frontend = lb.id.child("frontendIPConfigurations", &f.name);
                lb_rules.push((lb.id.clone(), ip, LbRule::of(&lb.properties, &frontend)));
            }
        }
    }
    for agw in estate.application_gateways.iter() {
        for f in &agw.properties.frontend_ip_configurations {
            if let Some((ip, subnet)) = private_frontend(&f.properties, t) {
                push(
                    EndpointKind::AppGatewayPrivate,
                    ip,
                    false,
                    subnet,
                    &agw.id,
                    format!("{} (private)", agw.name),
                    None,
                );
            }
            if let Some(&PublicIp { ip, stand_in }) = f
                .properties
                .public_ip_address
                .as_ref()
                .and_then(|p| t.public_ips.get(&p.id))
            {
                push(
                    EndpointKind::AppGatewayPublic,
                    ip,
                    stand_in,
                    None,
                    &agw.id,
                    format!("{} (public)", agw.name),
                    None,
                );
            }
        }
    }
    for b in estate.bastion_hosts.iter() {
        if let Some(s) = b
            .properties
            .ip_configurations
            .first()
            .and_then(|c| subnet_of(t, &c.properties.subnet.id))
        {
            let Some(ip) = t.instance_address(s) else {
                notes.push(format!(
                    "{}: its subnet {} has no assignable address, so the Bastion cannot run there and is left out",
                    b.id, t.subnets[s].prefix
                ));
                continue;
            };
            push(
                EndpointKind::Bastion,
                ip,
                true,
                Some(s),
                &b.id,
                b.name.clone(),
                None,
            );
        }
    }
    let mut synthetic = t.public_ips.len() as u32;
    for mc in estate.managed_clusters.iter() {
        let p = &mc.properties;
        let loc = mc.location.clone().unwrap_or_default();
        let api = p.api_server_access_profile.clone().unwrap_or_default();
        let integrated = api.enable_vnet_integration == Some(true);
        if p.is_private() {
            // The endpoint's address is assigned at deployment: predicted as the API server
            // subnet's first assignable address (VNet integration) or the first pool subnet's
            // last usable address (private endpoint) [AKS-PRIVATE] [AKS-APIVNET].
            let subnet = if integrated {
                api.subnet_id.as_ref()
            } else {
                p.agent_pool_profiles
                    .first()
                    .and_then(|a| a.vnet_subnet_id.as_ref())
            };
            let Some(s) = subnet.and_then(|s| subnet_of(t, s)) else {
                continue;
            };
            let prefix = t.subnets[s].prefix;
            let ip = if integrated {
                azure::first_assignable(&prefix)
            } else {
                prefix.size().checked_sub(2).and_then(|n| prefix.nth(n))
            };
            let zone = if integrated {
                format!("private.{loc}.azmk8s.io")
            } else {
                format!("privatelink.{loc}.azmk8s.io")
            };
            if let Some(ip) = ip {
                push(
                    EndpointKind::ApiServerPrivate,
                    ip,
                    true,
                    Some(s),
                    &mc.id,
                    format!("{} API server", mc.name),
                    Some(format!("{}.{zone}", p.dns_prefix)),
                );
            }
        } else {
            let ip = IpAddr::V4(std::net::Ipv4Addr::from(
                u32::from(std::net::Ipv4Addr::new(198, 18, 0, 1)) + synthetic,
            ));
            synthetic += 1;
            push(
                EndpointKind::ApiServerPublic,
                ip,
                true,
                None,
                &mc.id,
                format!("{} API server", mc.name),
                Some(format!("{}.hcp.{loc}.azmk8s.io", p.dns_prefix)),
            );
        }
    }
    for (lb, ip, rules) in lb_rules {
        if let Some(e) = out.iter_mut().find(|e| {
            e.kind == EndpointKind::InternalLoadBalancer && e.resource == lb && e.ip == ip
        }) {
            e.lb_rules = rules;
        }
    }
    // A private address that lies outside its own subnet (or, without one, outside every
    // subnet) cannot receive traffic: Azure assigns private addresses from the subnet's prefix.
    // Such a device is left out, and the note names it.
    out.retain(|e| {
        let public = matches!(
            e.kind,
            EndpointKind::AppGatewayPublic
                | EndpointKind::FirewallPublic
                | EndpointKind::ApiServerPublic
        );
        let placed = match e.subnet {
            Some(s) => t.subnets[s].prefix.contains_addr(e.ip),
            None => t.subnet_of(e.ip).is_some(),
        };
        if !public && !placed {
            notes.push(match e.subnet {
                Some(s) => format!(
                    "{}: its address {} lies outside its subnet {} ({}), so nothing reaches it there; it is left out",
                    e.resource,
                    e.ip,
                    t.subnets[s].label(t),
                    t.subnets[s].prefix
                ),
                None => format!(
                    "{}: its address {} lies in no subnet of the estate; it is left out",
                    e.resource, e.ip
                ),
            });
        }
        public || placed
    });
    (out, notes)
}
