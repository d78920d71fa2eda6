//! Network security groups the design needs: required rule sets for Bastion and Application
//! Gateway, and empty (default-rules-only) NSGs for every other subnet.

use aksnet_model::network::{Access, Direction, NetworkSecurityGroup, SecurityRule};
use aksnet_model::{Child, Resource, ResourceId};

/// One rule, compactly: name, priority, direction, protocol, source, destination, ports.
pub(crate) struct R<'a> {
    pub name: &'a str,
    pub priority: u32,
    pub direction: Direction,
    pub protocol: &'a str,
    pub source: &'a str,
    pub destination: &'a str,
    pub ports: &'a [&'a str],
}

fn rule(nsg: &ResourceId, r: &R) -> Child<SecurityRule> {
    let owned = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    allow_rule(
        nsg,
        &Allow {
            name: r.name.to_string(),
            priority: r.priority,
            direction: r.direction,
            protocol: r.protocol.to_string(),
            sources: owned(&[r.source]),
            destinations: owned(&[r.destination]),
            ports: owned(r.ports),
        },
    )
}

/// An allow rule with owned fields, for rules computed from the intent (flow intents).
pub(crate) struct Allow {
    pub name: String,
    pub priority: u32,
    pub direction: Direction,
    pub protocol: String,
    pub sources: Vec<String>,
    pub destinations: Vec<String>,
    pub ports: Vec<String>,
}

/// One value in ARM's singular field, several in the plural (augmented) one.
fn one_or_many(list: &[String]) -> (Option<String>, Vec<String>) {
    match list {
        [one] => (Some(one.clone()), Vec::new()),
        many => (None, many.to_vec()),
    }
}

/// The NSG rule child for `r` in NSG `nsg`.
pub(crate) fn allow_rule(nsg: &ResourceId, r: &Allow) -> Child<SecurityRule> {
    let (port, ports) = one_or_many(&r.ports);
    let (source, sources) = one_or_many(&r.sources);
    let (destination, destinations) = one_or_many(&r.destinations);
    Child::new(
        r.name.as_str(),
        Some(nsg.child("securityRules", &r.name)),
        SecurityRule {
            description: None,
            protocol: r.protocol.clone(),
            source_port_range: Some("*".to_string()),
            source_port_ranges: Vec::new(),
            destination_port_range: port,
            destination_port_ranges: ports,
            source_address_prefix: source,
            source_address_prefixes: sources,
            destination_address_prefix: destination,
            destination_address_prefixes: destinations,
            source_application_security_groups: Vec::new(),
            destination_application_security_groups: Vec::new(),
            access: Access::Allow,
            priority: r.priority,
            direction: r.direction,
        },
    )
}

/// An NSG with these allow rules (Azure's default rules are implied).
pub(crate) fn nsg(id: ResourceId, location: &str, rules: &[R]) -> Resource<NetworkSecurityGroup> {
    let security_rules = rules.iter().map(|r| rule(&id, r)).collect();
    Resource::new(id, Some(location), NetworkSecurityGroup { security_rules })
}

use Direction::{Inbound as In, Outbound as Out};

/// The rules Azure Bastion's subnet NSG must contain, or create/update fails.
/// [BASNSG] azure-semantics §5.2.
pub(crate) fn bastion_rules() -> Vec<R<'static>> {
    vec![
        R {
            name: "AllowHttpsInbound",
            priority: 120,
            direction: In,
            protocol: "Tcp",
            source: "Internet",
            destination: "*",
            ports: &["443"],
        },
        R {
            name: "AllowGatewayManagerInbound",
            priority: 130,
            direction: In,
            protocol: "Tcp",
            source: "GatewayManager",
            destination: "*",
            ports: &["443"],
        },
        R {
            name: "AllowAzureLoadBalancerInbound",
            priority: 140,
            direction: In,
            protocol: "Tcp",
            source: "AzureLoadBalancer",
            destination: "*",
            ports: &["443"],
        },
        R {
            name: "AllowBastionHostCommunication",
            priority: 150,
            direction: In,
            protocol: "*",
            source: "VirtualNetwork",
            destination: "VirtualNetwork",
            ports: &["8080", "5701"],
        },
        R {
            name: "AllowSshRdpOutbound",
            priority: 100,
            direction: Out,
            protocol: "*",
            source: "*",
            destination: "VirtualNetwork",
            ports: &["22", "3389"],
        },
        R {
            name: "AllowAzureCloudOutbound",
            priority: 110,
            direction: Out,
            protocol: "Tcp",
            source: "*",
            destination: "AzureCloud",
            ports: &["443"],
        },
        R {
            name: "AllowBastionCommunication",
            priority: 120,
            direction: Out,
            protocol: "*",
            source: "VirtualNetwork",
            destination: "VirtualNetwork",
            ports: &["8080", "5701"],
        },
        R {
            name: "AllowHttpOutbound",
            priority: 130,
            direction: Out,
            protocol: "*",
            source: "*",
            destination: "Internet",
            ports: &["80"],
        },
    ]
}

/// The rules an Application Gateway v2 subnet needs: GatewayManager 65200-65535 and
/// AzureLoadBalancer inbound [AGINFRA] §5.3, plus HTTPS from the clients (`client_source`:
/// `Internet` for a public frontend, `VirtualNetwork` for a private one).
/// The NVA subnet: the appliance receives traffic addressed to other hosts (the Internet, other
/// spokes), which the default `AllowVnetInBound` does not match — an NSG evaluates the packet's
/// real destination [NSGHOW] (azure-semantics §3). Everything from the `VirtualNetwork` tag
/// (spokes, hub, on-premises through the gateway) may reach the appliance; its own policy filters.
pub(crate) fn nva_rules() -> Vec<R<'static>> {
    vec![R {
        name: "AllowForwardedFromVirtualNetwork",
        priority: 100,
        direction: In,
        protocol: "*",
        source: "VirtualNetwork",
        destination: "*",
        ports: &["*"],
    }]
}

pub(crate) fn app_gateway_rules(client_source: &'static str) -> Vec<R<'static>> {
    vec![
        R {
            name: "AllowGatewayManagerInbound",
            priority: 100,
            direction: In,
            protocol: "Tcp",
            source: "GatewayManager",
            destination: "*",
            ports: &["65200-65535"],
        },
        R {
            name: "AllowAzureLoadBalancerInbound",
            priority: 110,
            direction: In,
            protocol: "*",
            source: "AzureLoadBalancer",
            destination: "*",
            ports: &["*"],
        },
        R {
            name: "AllowHttpsInbound",
            priority: 120,
            direction: In,
            protocol: "Tcp",
            source: client_source,
            destination: "*",
            ports: &["443"],
        },
    ]
}
