//! What sits where: references resolve, special subnets hold only their service, the App
//! Gateway subnet is dedicated, routes and NSG rules are well-formed.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::{subnet_id, Sink};
use crate::azure;
use crate::estate::Estate;
use crate::id::ResourceId;
use crate::network::{Direction, NextHopType};

/// A resource placed in a subnet.
struct Tenant {
    /// The kind of thing, e.g. "Azure Firewall", "node pool".
    kind: &'static str,
    /// Its id (for node pools, the cluster's).
    owner: ResourceId,
    /// Label for messages.
    label: String,
}

pub(super) fn check(estate: &Estate, sink: &mut Sink) {
    let tenants = tenants(estate);
    subnet_references(estate, sink);
    ip_group_references(estate, sink);
    special_subnet_tenants(&tenants, sink);
    app_gateway_dedicated(&tenants, sink);
    dangling_tenants(estate, &tenants, sink);
    dangling_interfaces(estate, sink);
    routes(estate, sink);
    nsg_rules(estate, sink);
    application_security_groups(estate, sink);
    ip_in_subnet(estate, sink);
}

/// Every subnet's occupants, by subnet id.
fn tenants(estate: &Estate) -> BTreeMap<ResourceId, Vec<Tenant>> {
    let mut map: BTreeMap<ResourceId, Vec<Tenant>> = BTreeMap::new();
    let mut add =
        |kind: &'static str, owner: &ResourceId, label: &str, subnets: Vec<&ResourceId>| {
            for subnet in subnets {
                map.entry(subnet.clone()).or_default().push(Tenant {
                    kind,
                    owner: owner.clone(),
                    label: label.to_string(),
                });
            }
        };
    let ip_config_subnets =
        |cs: &[crate::resource::Child<crate::network::IpConfiguration>]| -> Vec<ResourceId> {
            cs.iter().map(|c| c.properties.subnet.id.clone()).collect()
        };
    for fw in estate.azure_firewalls.iter() {
        add(
            "Azure Firewall",
            &fw.id,
            &fw.name,
            ip_config_subnets(&fw.properties.ip_configurations)
                .iter()
                .collect(),
        );
        let mgmt: Vec<&ResourceId> = fw
            .properties
            .management_ip_configuration
            .iter()
            .map(|c| &c.properties.subnet.id)
            .collect();
        add("Azure Firewall management", &fw.id, &fw.name, mgmt);
    }
    for b in estate.bastion_hosts.iter() {
        add(
            "Bastion",
            &b.id,
            &b.name,
            ip_config_subnets(&b.properties.ip_configurations)
                .iter()
                .collect(),
        );
    }
    for g in estate.virtual_network_gateways.iter() {
        add(
            "virtual network gateway",
            &g.id,
            &g.name,
            ip_config_subnets(&g.properties.ip_configurations)
                .iter()
                .collect(),
        );
    }
    for a in estate.application_gateways.iter() {
        add(
            "Application Gateway",
            &a.id,
            &a.name,
            a.properties
                .gateway_ip_configurations
                .iter()
                .map(|c| &c.properties.subnet.id)
                .collect(),
        );
    }
    for pe in estate.private_endpoints.iter() {
        add(
            "private endpoint",
            &pe.id,
            &pe.name,
            vec![&pe.properties.subnet.id],
        );
    }
    for lb in estate.load_balancers.iter() {
        let subnets = lb
            .properties
            .frontend_ip_configurations
            .iter()
            .filter_map(|f| f.properties.subnet.as_ref().map(|s| &s.id))
            .collect();
        add("load balancer frontend", &lb.id, &lb.name, subnets);
    }
    for mc in estate.managed_clusters.iter() {
        for pool in &mc.properties.agent_pool_profiles {
            let label = format!("{}/{}", mc.name, pool.name);
            add(
                "node pool",
                &mc.id,
                &label,
                pool.vnet_subnet_id.iter().collect(),
            );
            add(
                "pod subnet of node pool",
                &mc.id,
                &label,
                pool.pod_subnet_id.iter().collect(),
            );
        }
        let api = mc
            .properties
            .api_server_access_profile
            .as_ref()
            .and_then(|a| a.subnet_id.as_ref());
        add(
            "API server (VNet integration)",
            &mc.id,
            &mc.name,
            api.into_iter().collect(),
        );
    }
    map
}

/// IP groups named by firewall policy rules resolve.
fn ip_group_references(estate: &Estate, sink: &mut Sink) {
    use crate::firewall::{FirewallRule, RuleCollection};
    for g in estate.rule_collection_groups.iter() {
        for c in &g.properties.rule_collections {
            let (coll, rules) = match c {
                RuleCollection::Filter(f) => (&f.name, &f.rules),
                RuleCollection::Nat(n) => (&n.name, &n.rules),
            };
            for r in rules {
                let (name, groups): (&str, Vec<&ResourceId>) = match r {
                    FirewallRule::NetworkRule(n) => (
                        &n.name,
                        n.source_ip_groups
                            .iter()
                            .chain(&n.destination_ip_groups)
                            .collect(),
                    ),
                    FirewallRule::ApplicationRule(a) => {
                        (&a.name, a.source_ip_groups.iter().collect())
                    }
                    FirewallRule::NatRule(n) => (&n.name, n.source_ip_groups.iter().collect()),
                };
                for id in groups {
                    if estate.ip_groups.get(id).is_none() {
                        sink.warn(
                            "dangling-reference",
                            &g.id,
                            format!("firewall rule `{coll}/{name}` refers to IP group `{id}`, which is not in this estate"),
                            "include the IP group; analyses treat the rule's match as unknown, never as allow-all",
                        );
                    }
                }
            }
        }
    }
}

/// NSG, route table and NAT gateway references resolve; NSGs and routes on GatewaySubnet
/// follow [VPNGW-SETTINGS] §5.1.
fn subnet_references(estate: &Estate, sink: &mut Sink) {
    for (vnet, s) in estate.subnets() {
        let id = subnet_id(vnet, s);
        let p = &s.properties;
        let refs = [
            (
                "network security group",
                p.network_security_group
                    .as_ref()
                    .map(|r| (&r.id, estate.network_security_groups.get(&r.id).is_some())),
            ),
            (
                "route table",
                p.route_table
                    .as_ref()
                    .map(|r| (&r.id, estate.route_tables.get(&r.id).is_some())),
            ),
            (
                "NAT gateway",
                p.nat_gateway
                    .as_ref()
                    .map(|r| (&r.id, estate.nat_gateways.get(&r.id).is_some())),
            ),
        ];
        for (what, r) in refs {
            if let Some((rid, exists)) = r {
                if !exists {
                    sink.warn(
                        "dangling-reference",
                        &id,
                        format!("subnet `{}` refers to {what} `{rid}`, which is not in this estate", s.name),
                        "include the referenced resource; analyses treat it as unknown, never as allow-all",
                    );
                }
            }
        }
        let special = azure::special_subnet(&s.name);
        if let (Some(sp), Some(_)) = (special, &p.network_security_group) {
            if sp.nsg_unsupported {
                let gateway = sp.name == "GatewaySubnet";
                sink.push(
                    if gateway { super::Severity::Error } else { super::Severity::Warning },
                    "nsg-on-special-subnet",
                    &id,
                    if gateway {
                        "GatewaySubnet has an NSG; Azure does not support NSGs there and gateway creation is blocked".to_string()
                    } else {
                        format!("`{}` has an NSG; Azure disables subnet NSGs there, so it filters nothing", s.name)
                    },
                    format!("remove the NSG association ({})", sp.source),
                );
            }
        }
        if s.name == "GatewaySubnet" {
            if let Some(rt) = p
                .route_table
                .as_ref()
                .and_then(|r| estate.route_tables.get(&r.id))
            {
                if rt.properties.disable_bgp_route_propagation {
                    sink.error(
                        "gateway-subnet-propagation-disabled",
                        &id,
                        format!("GatewaySubnet uses route table `{}` with gateway route propagation disabled; the gateway will not function", rt.name),
                        "set disableBgpRoutePropagation to false on the GatewaySubnet route table (azure-semantics §2.5)",
                    );
                }
                if rt
                    .properties
                    .routes
                    .iter()
                    .any(|r| r.properties.address_prefix.is_default_route())
                {
                    sink.error(
                        "gateway-subnet-default-route",
                        &id,
                        format!("GatewaySubnet uses route table `{}` with a 0.0.0.0/0 route; Azure blocks gateways with a default UDR", rt.name),
                        "route only the spoke prefixes to the firewall from GatewaySubnet (azure-semantics §5.1)",
                    );
                }
            }
        }
    }
}

/// Special subnets hold only their own service; services sit only in their special subnet.
/// [FWFAQ] [BASCFG] [VPNGW-SETTINGS] §4.4 §5.1 §5.2
fn special_subnet_tenants(tenants: &BTreeMap<ResourceId, Vec<Tenant>>, sink: &mut Sink) {
    let home = |kind: &str| match kind {
        "Azure Firewall" => Some("AzureFirewallSubnet"),
        "Azure Firewall management" => Some("AzureFirewallManagementSubnet"),
        "Bastion" => Some("AzureBastionSubnet"),
        "virtual network gateway" => Some("GatewaySubnet"),
        _ => None,
    };
    for (subnet, list) in tenants {
        let name = subnet.name();
        for t in list {
            match home(t.kind) {
                Some(required) if required != name => sink.error(
                    "service-outside-special-subnet",
                    &t.owner,
                    format!("{} `{}` is placed in subnet `{name}`; Azure requires a subnet named exactly `{required}`", t.kind, t.label),
                    format!("create `{required}` in the VNet and place it there"),
                ),
                None if azure::special_subnet(name).is_some() => sink.error(
                    "special-subnet-shared",
                    subnet,
                    format!("{} `{}` is placed in `{name}`, which Azure reserves for its own service", t.kind, t.label),
                    "move it to an ordinary subnet",
                ),
                _ => {}
            }
        }
    }
}

/// The Application Gateway subnet holds only application gateways. [AGINFRA] §5.3
fn app_gateway_dedicated(tenants: &BTreeMap<ResourceId, Vec<Tenant>>, sink: &mut Sink) {
    for (subnet, list) in tenants {
        if !list.iter().any(|t| t.kind == "Application Gateway") {
            continue;
        }
        for t in list.iter().filter(|t| t.kind != "Application Gateway") {
            sink.error(
                "app-gateway-subnet-not-dedicated",
                subnet,
                format!(
                    "Application Gateway subnet `{}` also holds {} `{}`",
                    subnet.name(),
                    t.kind,
                    t.label
                ),
                "give the Application Gateway a subnet of its own (/24 recommended for v2)",
            );
        }
    }
}

/// Occupants referring to subnets that do not exist.
fn dangling_tenants(estate: &Estate, tenants: &BTreeMap<ResourceId, Vec<Tenant>>, sink: &mut Sink) {
    for (subnet, list) in tenants {
        if estate.subnet(subnet).is_none() {
            for t in list {
                sink.warn(
                    "dangling-reference",
                    &t.owner,
                    format!(
                        "{} `{}` is placed in subnet `{subnet}`, which is not in this estate",
                        t.kind, t.label
                    ),
                    "include the subnet's VNet; analyses treat the placement as unknown",
                );
            }
        }
    }
}

/// A network interface IP configuration in a subnet the estate does not hold: its address is
/// in no subnet aksnet knows, so flows to and from it are unknown — said, not silent.
fn dangling_interfaces(estate: &Estate, sink: &mut Sink) {
    for nic in estate.network_interfaces.iter() {
        for c in &nic.properties.ip_configurations {
            let Some(subnet) = &c.properties.subnet else {
                continue;
            };
            if estate.subnet(&subnet.id).is_none() {
                sink.warn(
                    "dangling-reference",
                    &nic.id,
                    format!(
                        "network interface `{}` ({}) is placed in subnet `{}`, which is not in this estate",
                        nic.name, c.name, subnet.id
                    ),
                    "include the subnet's VNet; analyses treat the interface's placement as unknown",
                );
            }
        }
    }
}

/// Route well-formedness [UDR] §2.4.
fn routes(estate: &Estate, sink: &mut Sink) {
    for rt in estate.route_tables.iter() {
        for r in &rt.properties.routes {
            let p = &r.properties;
            let needs_ip = p.next_hop_type == NextHopType::VirtualAppliance;
            // An address unknown before deployment is the template's to give (analyses answer
            // `unknown` for what the route carries).
            let ip_ok = p
                .next_hop_ip_address
                .as_ref()
                .is_some_and(|a| a.known().is_none_or(|ip| ip.parse::<IpAddr>().is_ok()));
            if needs_ip && !ip_ok {
                sink.error(
                    "route-appliance-without-ip",
                    &rt.id,
                    format!(
                        "route `{}` has next hop VirtualAppliance but no valid nextHopIpAddress",
                        r.name
                    ),
                    "set nextHopIpAddress to the firewall's or NVA's private IP",
                );
            }
        }
    }
}

/// NSG rules: priority 100–4096, one rule per priority and direction, a source and a
/// destination each (Azure refuses a rule without: `SecurityRuleParametersMissing`, "must
/// specify SourceAddressPrefixes, SourceAddressPrefix, or SourceApplicationSecurityGroups").
/// [NSG] §3.1
fn nsg_rules(estate: &Estate, sink: &mut Sink) {
    for nsg in estate.network_security_groups.iter() {
        let mut seen: BTreeMap<(u32, bool), &str> = BTreeMap::new();
        for rule in &nsg.properties.security_rules {
            let p = &rule.properties;
            let stated = |one: &Option<String>, many: &[String], asgs: &[_]| {
                one.as_deref().is_some_and(|s| !s.is_empty())
                    || !many.is_empty()
                    || !asgs.is_empty()
            };
            for (side, ok) in [
                (
                    "source",
                    stated(
                        &p.source_address_prefix,
                        &p.source_address_prefixes,
                        &p.source_application_security_groups,
                    ),
                ),
                (
                    "destination",
                    stated(
                        &p.destination_address_prefix,
                        &p.destination_address_prefixes,
                        &p.destination_application_security_groups,
                    ),
                ),
            ] {
                if !ok {
                    sink.error(
                        "nsg-rule-without-address",
                        &nsg.id,
                        format!("rule `{}` states no {side} (an address prefix, prefixes or an application security group); Azure refuses it, and it matches nothing here", rule.name),
                        format!("give the rule a {side}: `*`, a prefix, a service tag or an application security group"),
                    );
                }
            }
            if !(100..=4096).contains(&p.priority) {
                sink.error(
                    "nsg-priority-out-of-range",
                    &nsg.id,
                    format!(
                        "rule `{}` has priority {}; custom rules use 100-4096",
                        rule.name, p.priority
                    ),
                    "pick a priority between 100 and 4096",
                );
            }
            let key = (p.priority, p.direction == Direction::Inbound);
            if let Some(other) = seen.insert(key, &rule.name) {
                sink.error(
                    "nsg-priority-duplicate",
                    &nsg.id,
                    format!(
                        "rules `{other}` and `{}` share priority {} in the same direction",
                        rule.name, p.priority
                    ),
                    "give every rule of a direction its own priority",
                );
            }
        }
    }
}

/// Application security groups as Azure accepts them ([ASG-DOC], azure-semantics §3.6): at most
/// one group per rule field ("You can't put ... multiple ASGs in one rule"), and every member
/// NIC IP configuration in the same VNet ("All NICs in an ASG must be in the same VNet as the
/// first NIC added").
fn application_security_groups(estate: &Estate, sink: &mut Sink) {
    for nsg in estate.network_security_groups.iter() {
        for rule in &nsg.properties.security_rules {
            let p = &rule.properties;
            for (side, list) in [
                ("source", &p.source_application_security_groups),
                ("destination", &p.destination_application_security_groups),
            ] {
                if list.len() > 1 {
                    sink.error(
                        "nsg-rule-several-asgs",
                        &nsg.id,
                        format!(
                            "rule `{}` names {} application security groups as its {side}; Azure allows one",
                            rule.name,
                            list.len()
                        ),
                        "use one application security group per side, or several rules",
                    );
                }
            }
        }
    }
    let mut vnets: BTreeMap<&ResourceId, BTreeMap<ResourceId, &ResourceId>> = BTreeMap::new();
    for nic in estate.network_interfaces.iter() {
        for c in &nic.properties.ip_configurations {
            let Some(vnet) = c.properties.subnet.as_ref().and_then(|s| s.id.parent()) else {
                continue;
            };
            for a in &c.properties.application_security_groups {
                vnets
                    .entry(&a.id)
                    .or_default()
                    .entry(vnet.clone())
                    .or_insert(&nic.id);
            }
        }
    }
    for (asg, by_vnet) in vnets {
        if by_vnet.len() > 1 {
            let list: Vec<String> = by_vnet
                .iter()
                .map(|(v, nic)| format!("{} (NIC {})", v.name(), nic.name()))
                .collect();
            sink.error(
                "asg-vnets-differ",
                asg,
                format!(
                    "its members are in {} VNets: {}; all must be in one",
                    by_vnet.len(),
                    list.join(", ")
                ),
                "use one application security group per VNet",
            );
        }
    }
}

/// Static private IPs lie inside their subnet and outside its reserved addresses.
fn ip_in_subnet(estate: &Estate, sink: &mut Sink) {
    let mut check = |owner: &ResourceId, subnet: &ResourceId, ip: &str| {
        let Some((_, s)) = estate.subnet(subnet) else {
            return;
        };
        let prefix = s.properties.address_prefix;
        let Ok(addr) = ip.parse::<IpAddr>() else {
            sink.error(
                "invalid-ip",
                owner,
                format!("`{ip}` is not an IP address"),
                "use a dotted IPv4 address",
            );
            return;
        };
        let reserved = [
            prefix.nth(0),
            prefix.nth(1),
            prefix.nth(2),
            prefix.nth(3),
            Some(prefix.last()),
        ];
        if !prefix.contains_addr(addr) {
            sink.error(
                "ip-outside-subnet",
                owner,
                format!(
                    "private IP {addr} is not inside subnet `{}` ({prefix})",
                    s.name
                ),
                "pick an address from the subnet's range",
            );
        } else if reserved.contains(&Some(addr)) {
            sink.error(
                "ip-reserved",
                owner,
                format!("private IP {addr} is one of the 5 addresses Azure reserves in {prefix}"),
                "Azure reserves the first four addresses and the last one of every subnet",
            );
        }
    };
    for lb in estate.load_balancers.iter() {
        for f in &lb.properties.frontend_ip_configurations {
            if let (Some(s), Some(ip)) = (&f.properties.subnet, &f.properties.private_ip_address) {
                check(&lb.id, &s.id, ip);
            }
        }
    }
    for fw in estate.azure_firewalls.iter() {
        for c in &fw.properties.ip_configurations {
            if let Some(ip) = &c.properties.private_ip_address {
                check(&fw.id, &c.properties.subnet.id, ip);
            }
        }
    }
    for pe in estate.private_endpoints.iter() {
        for c in &pe.properties.ip_configurations {
            check(
                &pe.id,
                &pe.properties.subnet.id,
                &c.properties.private_ip_address,
            );
        }
    }
}
