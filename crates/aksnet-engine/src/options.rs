//! Switches for the behaviours `shared/azure-semantics.md` marks CONFLICT or UNCONFIRMED.
//! Each default is the documented choice; the doc comment says why and where.

/// How the engine resolves Azure behaviours that the sources disagree on or do not confirm.
#[derive(Clone, Debug)]
pub struct Options {
    /// Include `172.16.0.0/12 → None` among the default system routes.
    /// CONFLICT (§2.1): the UDR article's table lists it, real `show-effective-route-table`
    /// output and the article's own example omit it. Default: true (the docs table).
    pub none_route_172_16: bool,
    /// Include the observed undocumented `25.33.80.0/20` and `25.41.3.0/25 → None` routes.
    /// UNCONFIRMED (§2.1, [OBS-EFFROUTES]). Default: true (observed in real output).
    pub none_routes_observed_25: bool,
    /// Remove the RFC 1918/6598 `None` routes when a UDR `0.0.0.0/0` goes to any next hop, not
    /// only to `VirtualAppliance`. UNCONFIRMED (§2.1). Default: false (only VirtualAppliance,
    /// as in the UDR article's worked example).
    pub none_routes_removed_for_any_default_udr: bool,
    /// Treat `allowVirtualNetworkAccess: false` as a hard block instead of a tag-only change.
    /// §2.7: the 2022 doc says traffic still flows if an NSG allows it. Default: false.
    pub peering_access_hard_block: bool,
    /// Azure Firewall DNAT: after translation, network rules still filter the flow (2018–2020
    /// text) instead of the flow being allowed outright (2026 text). CONFLICT (§4.1).
    /// Default: false (current text).
    pub dnat_then_network_rules: bool,
    /// Azure Firewall DNAT keeps the client's source address instead of SNATing it to one of
    /// the firewall's private addresses. The firewall's known-issues page says "Inbound DNAT
    /// rules always change the source IP address for return traffic" and "Inbound connections
    /// on Azure Firewall are SNATed to one of the firewall private IP addresses to ensure
    /// symmetric routing" (learn.microsoft.com/azure/firewall/firewall-known-issues, 2025); Microsoft's "Azure Firewall NAT Behaviors" post
    /// (2023) agrees. Listed as a known issue, so it may change: a what-if switch.
    /// Default: false (the source is translated; backend NSGs see the firewall's address).
    pub dnat_keeps_source: bool,
    /// `VirtualNetwork` tag includes the UDR prefixes of the subnet's own route table (§3.5,
    /// observed). Default: true.
    pub virtual_network_tag_includes_udr_prefixes: bool,
    /// DNS forwarding rules also apply to the privatelink name public DNS CNAMEs a queried name
    /// to (`x.azurecr.io` → `x.privatelink.azurecr.io`), not only to the name queried.
    /// UNCONFIRMED (§7.4): Microsoft documents rule matching on the queried name ("If multiple
    /// rules are matched, the longest prefix match is used",
    /// learn.microsoft.com/azure/dns/private-resolver-endpoints-rulesets) but not whether Azure
    /// DNS re-applies the ruleset to a CNAME target; it does consult linked privatelink zones for
    /// it (§7.1). Default: true (the target is resolved as a query of its own).
    pub forwarding_rules_on_cname_targets: bool,
    /// An Azure Firewall whose private address the input does not give (a template's: Azure
    /// assigns it at deployment) takes the first assignable address of its subnet (x.x.x.4).
    /// UNCONFIRMED: Microsoft documents only that Azure assigns it from `AzureFirewallSubnet`;
    /// quickstart templates (azurefirewall-with-zones-sandbox,
    /// azurefirewall-create-with-ipgroups-and-linux-jumpbox) route to `10.0.1.4` literally,
    /// relying on it. Default: false (the address is unknown, and flows through it too).
    pub firewall_first_address: bool,
    /// Count a firewall network rule's destination port range by its ports (`1000-2000` is
    /// 1,001) in the rule-combination limit, instead of as one entry. UNCONFIRMED: Microsoft's
    /// formula divides "the number of destination ports" by 14 without saying how a range
    /// counts (learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#azure-firewall-limits,
    /// 2026). Not a data-plane behaviour: it only changes AKS-CAP-005's count
    /// ([`aksnet_model::capacity::Counting`]). Default: false (one entry, as written).
    pub firewall_port_ranges_expanded: bool,
    /// Service-tag prefixes (from `--service-tags FILE`); without them, rules naming tags other
    /// than `VirtualNetwork`, `AzureLoadBalancer` and `Internet` match nothing, and service
    /// endpoint routes have no prefixes.
    pub service_tags: crate::tags::ServiceTags,
}

/// A switch name that [`SWITCHES`] does not list.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown switch `{name}` (known: {})", switch_names())]
pub struct UnknownSwitch {
    /// The name given.
    pub name: String,
}

/// Every switch name, comma-separated.
fn switch_names() -> String {
    SWITCHES
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The switch names the CLI accepts (`--switch NAME`), each turning one default around.
pub const SWITCHES: [(&str, &str); 10] = [
    (
        "no-none-route-172-16",
        "leave 172.16.0.0/12 out of the None system routes",
    ),
    (
        "no-observed-25-routes",
        "leave the observed 25.33.80.0/20 and 25.41.3.0/25 None routes out",
    ),
    (
        "none-routes-removed-for-any-default-udr",
        "remove the None routes under any 0.0.0.0/0 UDR, not only to a VirtualAppliance",
    ),
    (
        "peering-access-hard-block",
        "treat allowVirtualNetworkAccess=false as blocking traffic",
    ),
    (
        "dnat-then-network-rules",
        "filter DNAT'd flows with network rules too",
    ),
    (
        "dnat-keeps-source",
        "DNAT'd flows keep the client's source address (no SNAT to the firewall)",
    ),
    (
        "vnet-tag-without-udr-prefixes",
        "do not add the subnet's UDR prefixes to the VirtualNetwork tag",
    ),
    (
        "no-forwarding-rules-on-cname-targets",
        "DNS forwarding rules match the queried name only, not the privatelink name it CNAMEs to",
    ),
    (
        "firewall-first-address",
        "an Azure Firewall without a stated private address gets its subnet's first assignable one (x.x.x.4)",
    ),
    (
        "firewall-port-ranges-expanded",
        "count each port of a firewall rule's port range toward the 20,000 rule-combination limit (AKS-CAP-005)",
    ),
];

impl Options {
    /// How capacity usages are counted under these switches.
    pub fn counting(&self) -> aksnet_model::capacity::Counting {
        aksnet_model::capacity::Counting {
            port_ranges: if self.firewall_port_ranges_expanded {
                aksnet_model::capacity::firewall::PortRanges::Expanded
            } else {
                aksnet_model::capacity::firewall::PortRanges::Entries
            },
        }
    }

    /// Turns one default around by its switch name (see [`SWITCHES`]).
    pub fn set(&mut self, switch: &str) -> Result<(), UnknownSwitch> {
        match switch {
            "no-none-route-172-16" => self.none_route_172_16 = false,
            "no-observed-25-routes" => self.none_routes_observed_25 = false,
            "none-routes-removed-for-any-default-udr" => {
                self.none_routes_removed_for_any_default_udr = true
            }
            "peering-access-hard-block" => self.peering_access_hard_block = true,
            "dnat-then-network-rules" => self.dnat_then_network_rules = true,
            "dnat-keeps-source" => self.dnat_keeps_source = true,
            "vnet-tag-without-udr-prefixes" => {
                self.virtual_network_tag_includes_udr_prefixes = false
            }
            "no-forwarding-rules-on-cname-targets" => {
                self.forwarding_rules_on_cname_targets = false
            }
            "firewall-first-address" => self.firewall_first_address = true,
            "firewall-port-ranges-expanded" => self.firewall_port_ranges_expanded = true,
            other => {
                return Err(UnknownSwitch {
                    name: other.to_string(),
                })
            }
        }
        Ok(())
    }
}

impl Default for Options {
    fn default() -> Self {
        Self {
            none_route_172_16: true,
            none_routes_observed_25: true,
            none_routes_removed_for_any_default_udr: false,
            peering_access_hard_block: false,
            dnat_then_network_rules: false,
            dnat_keeps_source: false,
            virtual_network_tag_includes_udr_prefixes: true,
            forwarding_rules_on_cname_targets: true,
            firewall_first_address: false,
            firewall_port_ranges_expanded: false,
            service_tags: Default::default(),
        }
    }
}
