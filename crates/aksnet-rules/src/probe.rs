//! NSG rule-order probes by service tag: "does this NSG let GatewayManager in on 65200–65535?"
//!
//! The engine evaluates NSGs on addresses, and tags such as `GatewayManager` or `AzureCloud` have
//! no prefixes offline. Platform requirements are written in tags, so these checks walk the rules
//! in priority order on the tag itself: a rule matches when its field names the tag, `*`/`Any`,
//! or a tag that contains it (`Internet` contains every public-address tag). Fields with CIDRs are
//! not assumed to contain a tag. Azure's default rules follow the custom ones [NSG] §3.2.

use aksnet_engine::nsg::{field_list, ports};
use aksnet_model::network::{Access, Direction, NetworkSecurityGroup, SecurityRule};
use aksnet_net::{PortRange, PortSet, Prefix};

/// What a probe asks for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Probe<'a> {
    /// Inbound or outbound.
    pub direction: Direction,
    /// Source tag.
    pub source: &'a str,
    /// Destination tag.
    pub destination: &'a str,
    /// The subnet the traffic goes to, when there is one: a rule whose destination is
    /// `VirtualNetwork` or an address block also matches it — an allow when the block holds the
    /// whole subnet, a deny when it holds any of it.
    pub subnet: Option<Prefix>,
    /// The TCP ports that must be allowed.
    pub ports: (u16, u16),
}

/// Tags that hold public Azure addresses, hence inside `Internet`.
const PUBLIC_TAGS: &[&str] = &["gatewaymanager", "azurecloud", "internet"];

fn field_matches(field: &str, tag: &str) -> bool {
    let f = field.trim().to_ascii_lowercase();
    let t = tag.to_ascii_lowercase();
    f == "*"
        || f == "any"
        || f == t
        || t.starts_with(&format!("{f}."))
        || (f == "internet" && PUBLIC_TAGS.contains(&t.as_str()))
}

/// Azure's default rules as `(name, direction, source, destination, access)`.
const DEFAULTS: &[(&str, Direction, &str, &str, Access)] = &[
    (
        "AllowVnetInBound",
        Direction::Inbound,
        "VirtualNetwork",
        "VirtualNetwork",
        Access::Allow,
    ),
    (
        "AllowAzureLoadBalancerInBound",
        Direction::Inbound,
        "AzureLoadBalancer",
        "*",
        Access::Allow,
    ),
    ("DenyAllInBound", Direction::Inbound, "*", "*", Access::Deny),
    (
        "AllowVnetOutBound",
        Direction::Outbound,
        "VirtualNetwork",
        "VirtualNetwork",
        Access::Allow,
    ),
    (
        "AllowInternetOutBound",
        Direction::Outbound,
        "*",
        "Internet",
        Access::Allow,
    ),
    (
        "DenyAllOutBound",
        Direction::Outbound,
        "*",
        "*",
        Access::Deny,
    ),
];

/// `None` when the probe's ports are all allowed; otherwise the rule that denies (some of) them.
pub(crate) fn blocked_by(nsg: &NetworkSecurityGroup, probe: Probe) -> Option<String> {
    let mut remaining: PortSet = [PortRange::new(probe.ports.0, probe.ports.1).expect("ordered")]
        .into_iter()
        .collect();
    let mut custom: Vec<&aksnet_model::Child<SecurityRule>> = nsg
        .security_rules
        .iter()
        .filter(|r| r.properties.direction == probe.direction)
        .collect();
    custom.sort_by_key(|r| r.properties.priority);
    let custom = custom.into_iter().filter_map(|r| {
        let p = &r.properties;
        let tcp = matches!(
            p.protocol.to_ascii_lowercase().as_str(),
            "tcp" | "*" | "any"
        );
        let src = field_list(&p.source_address_prefix, &p.source_address_prefixes);
        let dst = field_list(
            &p.destination_address_prefix,
            &p.destination_address_prefixes,
        );
        let to_subnet = |f: &str| {
            probe.subnet.is_some_and(|s| {
                f.trim().eq_ignore_ascii_case("VirtualNetwork")
                    || Prefix::parse_lenient(f.trim()).is_ok_and(|b| match p.access {
                        Access::Allow => b.contains(&s),
                        Access::Deny => b.overlaps(&s),
                    })
            })
        };
        let hit = tcp
            && src.iter().any(|f| field_matches(f, probe.source))
            && dst
                .iter()
                .any(|f| field_matches(f, probe.destination) || to_subnet(f));
        hit.then(|| {
            (
                format!("{} (priority {})", r.name, p.priority),
                p.access,
                ports(&p.destination_port_range, &p.destination_port_ranges).0,
            )
        })
    });
    let defaults = DEFAULTS
        .iter()
        .filter(|d| d.1 == probe.direction)
        .filter(|d| field_matches(d.2, probe.source) && field_matches(d.3, probe.destination))
        .map(|d| (format!("default rule {}", d.0), d.4, PortSet::any()));
    for (name, access, rule_ports) in custom.chain(defaults) {
        let hit = remaining.intersection(&rule_ports);
        if hit.is_empty() {
            continue;
        }
        if access == Access::Deny {
            return Some(name);
        }
        remaining = remaining.difference(&rule_ports);
        if remaining.is_empty() {
            return None;
        }
    }
    Some("no rule".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nsg(rules: serde_json::Value) -> NetworkSecurityGroup {
        serde_json::from_value(serde_json::json!({ "securityRules": rules })).unwrap()
    }

    fn rule(name: &str, priority: u32, access: &str, src: &str, ports: &str) -> serde_json::Value {
        serde_json::json!({ "name": name, "properties": { "priority": priority, "access": access, "direction": "Inbound", "protocol": "Tcp",
            "sourceAddressPrefix": src, "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": ports } })
    }

    const GWM: Probe = Probe {
        direction: Direction::Inbound,
        source: "GatewayManager",
        destination: "*",
        subnet: None,
        ports: (65200, 65535),
    };

    #[test]
    fn gateway_manager_needs_an_allow_before_any_deny() {
        assert_eq!(
            blocked_by(&nsg(serde_json::json!([])), GWM).as_deref(),
            Some("default rule DenyAllInBound")
        );
        let ok = nsg(serde_json::json!([rule(
            "gwm",
            100,
            "Allow",
            "GatewayManager",
            "65200-65535"
        )]));
        assert_eq!(blocked_by(&ok, GWM), None);
        let shadowed = nsg(serde_json::json!([
            rule("gwm", 200, "Allow", "GatewayManager", "65200-65535"),
            rule("deny-internet", 100, "Deny", "Internet", "*")
        ]));
        assert_eq!(
            blocked_by(&shadowed, GWM).as_deref(),
            Some("deny-internet (priority 100)")
        );
        let partial = nsg(serde_json::json!([rule(
            "gwm",
            100,
            "Allow",
            "GatewayManager",
            "65200-65300"
        )]));
        assert_eq!(
            blocked_by(&partial, GWM).as_deref(),
            Some("default rule DenyAllInBound")
        );
        let split = nsg(serde_json::json!([
            rule("a", 100, "Allow", "GatewayManager", "65200-65300"),
            rule("b", 110, "Allow", "Internet", "65301-65535")
        ]));
        assert_eq!(blocked_by(&split, GWM), None);
    }

    #[test]
    fn the_load_balancer_is_allowed_by_default_unless_denied_first() {
        let lb = Probe {
            source: "AzureLoadBalancer",
            ports: (0, 65535),
            ..GWM
        };
        assert_eq!(blocked_by(&nsg(serde_json::json!([])), lb), None);
        let deny = nsg(serde_json::json!([rule(
            "deny-all", 4096, "Deny", "*", "*"
        )]));
        assert_eq!(
            blocked_by(&deny, lb).as_deref(),
            Some("deny-all (priority 4096)")
        );
    }

    #[test]
    fn an_allow_to_the_vnet_or_a_block_holding_the_subnet_reaches_the_gateway() {
        let to = |dst: &str, access: &str, priority: u32| {
            let mut r = rule("r", priority, access, "AzureLoadBalancer", "*");
            r["properties"]["destinationAddressPrefix"] = serde_json::json!(dst);
            r
        };
        let lb = Probe {
            source: "AzureLoadBalancer",
            ports: (0, 65535),
            subnet: Some("10.0.1.0/24".parse().unwrap()),
            ..GWM
        };
        for (dst, blocked) in [
            ("VirtualNetwork", false),
            ("10.0.0.0/16", false),
            ("10.0.1.0/25", true), // half the subnet: the rest meets the deny
        ] {
            let n = nsg(serde_json::json!([
                to(dst, "Allow", 100),
                rule("deny-all", 4096, "Deny", "*", "*")
            ]));
            assert_eq!(blocked_by(&n, lb).is_some(), blocked, "{dst}");
        }
        // A deny on part of the subnet blocks.
        let n = nsg(serde_json::json!([to("10.0.1.128/25", "Deny", 100)]));
        assert_eq!(blocked_by(&n, lb).as_deref(), Some("r (priority 100)"));
        // Without a subnet, a destination block is not taken to hold the gateway.
        let n = nsg(serde_json::json!([
            to("VirtualNetwork", "Allow", 100),
            rule("deny-all", 4096, "Deny", "*", "*")
        ]));
        assert!(blocked_by(&n, Probe { subnet: None, ..lb }).is_some());
    }
}
