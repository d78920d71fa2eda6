//! Azure's structural constants: reserved addresses, special subnets, AKS limits.
//!
//! Every number here carries the source it comes from (the tags refer to
//! `shared/azure-semantics.md` §12). Data-plane behaviour (routing, NSGs, firewall) does not
//! belong here: it lives in the engine.

use aksnet_net::Prefix;

/// Addresses Azure reserves in every subnet: the network address, the default gateway (.1),
/// two for Azure DNS (.2, .3) and the broadcast address. [VNETFAQ], azure-semantics §1.1.
pub const RESERVED_ADDRESSES_PER_SUBNET: u128 = 5;

/// Addresses left for resources in a subnet: size − 5 (a /24 has 251). [VNETFAQ]
pub fn usable_addresses(subnet: &Prefix) -> u128 {
    subnet.size().saturating_sub(RESERVED_ADDRESSES_PER_SUBNET)
}

/// A location as Azure holds it: its short name (`West Europe` is `westeurope`), the form that
/// appears in service names such as `<registry>.westeurope.data.azurecr.io`.
pub fn short_location(location: &str) -> String {
    location
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The first address Azure hands out in a subnet (network + 4), which is where a resource
/// that is alone in a dedicated subnet (Azure Firewall, an App Gateway instance) lands. This is
/// a prediction from the reservation rule [VNETFAQ]; Azure assigns the actual address.
pub fn first_assignable(subnet: &Prefix) -> Option<std::net::IpAddr> {
    subnet.nth(4)
}

/// Smallest IPv4 subnet Azure accepts: /29. [VNETFAQ] §1.2
pub const MIN_SUBNET_V4_LEN: u8 = 29;
/// Largest IPv4 subnet Azure accepts: /2. [VNETFAQ] §1.2
pub const MAX_SUBNET_V4_LEN: u8 = 2;
/// IPv6 subnets must be exactly /64. [VNETFAQ] §1.2
pub const SUBNET_V6_LEN: u8 = 64;

/// Ranges a VNet address space cannot contain. [VNETFAQ] §1.3
pub const VNET_FORBIDDEN: [&str; 5] = [
    "224.0.0.0/4",
    "255.255.255.255/32",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "168.63.129.16/32",
];

/// A subnet that Azure reserves for one service, with its size rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpecialSubnet {
    /// The exact name Azure requires.
    pub name: &'static str,
    /// Longest prefix length (smallest size) Azure accepts.
    pub min_size_len: u8,
    /// Prefix length Microsoft recommends, when stricter than the minimum.
    pub recommended_len: Option<u8>,
    /// Whether an NSG on this subnet is unsupported or disabled.
    pub nsg_unsupported: bool,
    /// Where the rule comes from.
    pub source: &'static str,
}

/// The special subnets. Sizes: `AzureFirewallSubnet` /26 [FWFAQ] §4.4;
/// `AzureFirewallManagementSubnet` /26 [FW-MGMTNIC] §4.4; `GatewaySubnet` ≥ /29, /27
/// recommended, no NSG [VPNGW-SETTINGS] §5.1; `AzureBastionSubnet` ≥ /26 [BASCFG] §5.2.
pub const SPECIAL_SUBNETS: [SpecialSubnet; 4] = [
    SpecialSubnet {
        name: "AzureFirewallSubnet",
        min_size_len: 26,
        recommended_len: None,
        nsg_unsupported: true,
        source: "https://learn.microsoft.com/azure/firewall/firewall-faq",
    },
    SpecialSubnet {
        name: "AzureFirewallManagementSubnet",
        min_size_len: 26,
        recommended_len: None,
        nsg_unsupported: true,
        source: "https://learn.microsoft.com/azure/firewall/management-nic",
    },
    SpecialSubnet {
        name: "GatewaySubnet",
        min_size_len: 29,
        recommended_len: Some(27),
        nsg_unsupported: true,
        source: "https://learn.microsoft.com/azure/vpn-gateway/vpn-gateway-about-vpn-gateway-settings#gwsub",
    },
    SpecialSubnet {
        name: "AzureBastionSubnet",
        min_size_len: 26,
        recommended_len: None,
        nsg_unsupported: false,
        source: "https://learn.microsoft.com/azure/bastion/configuration-settings#subnet",
    },
];

/// The special-subnet rule for `name`, if it is one (names are matched exactly, as Azure does).
pub fn special_subnet(name: &str) -> Option<&'static SpecialSubnet> {
    SPECIAL_SUBNETS.iter().find(|s| s.name == name)
}

/// Application Gateway v2 subnet: /24 recommended for 125 instances. [AGINFRA] §5.3
pub const APP_GATEWAY_V2_RECOMMENDED_LEN: u8 = 24;

/// API server VNet integration subnet: delegated to this service, at least /28. [AKS-APIVNET] §5.4
pub const API_SERVER_SUBNET_MIN_LEN: u8 = 28;
/// The delegation the API server subnet needs. [AKS-APIVNET] §5.4
pub const API_SERVER_DELEGATION: &str = "Microsoft.ContainerService/managedClusters";

/// Ranges AKS rejects for the service CIDR, pod CIDR and cluster VNet. [AKS-CNI-OVERVIEW] §6.4
pub const AKS_RESERVED_RANGES: [&str; 4] = [
    "169.254.0.0/16",
    "172.30.0.0/16",
    "172.31.0.0/16",
    "192.0.2.0/24",
];

/// The service CIDR must be smaller than a /12: its prefix length must be at least 13.
/// [AKS-CNI-OVERVIEW] §6.4
pub const SERVICE_CIDR_MIN_LEN: u8 = 13;

/// maxPods bounds for every plugin. [AKS-CNI-OVERVIEW] §6.2
pub const MAX_PODS_RANGE: std::ops::RangeInclusive<u32> = 10..=250;

/// Overlay and kubenet give each node one /24 of the pod CIDR. [AKS-OVERLAY] [AKS-KUBENET] §6.2
pub const POD_CIDR_PER_NODE_LEN: u8 = 24;

/// The pod CIDR AKS gives an overlay or kubenet cluster that states none: 10.244.0.0/16, the
/// REST API's default for `networkProfile.podCidr` [AKS-OVERLAY] [AKS-KUBENET] §6.2.
pub const DEFAULT_POD_CIDR: &str = "10.244.0.0/16";

/// Azure CNI pod-subnet (dynamic) allocates pod IPs in batches of 16. [AKS-PODSUBNET] §6.2
pub const POD_SUBNET_BATCH: u32 = 16;

/// Subscription id the planner uses when the intent names none: a placeholder that generators
/// turn into a required variable, never a value in generated code.
pub const PLACEHOLDER_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";

/// When [`REGIONS`] was last compared with Microsoft's list.
pub const REGIONS_AS_OF: &str = "2026-12";

/// Azure region names (the programmatic `name` of `az account list-locations`) of the public,
/// US Government and China clouds, physical regions only. Sources: Microsoft's region list,
/// https://learn.microsoft.com/azure/reliability/regions-list, and the sovereign-cloud pages
/// (https://learn.microsoft.com/azure/azure-government/documentation-government-overview-dod,
/// https://learn.microsoft.com/azure/china/resources-developer-guide). New regions open every
/// year: a name missing here is refused with this list's date in the hint, so update it then.
pub const REGIONS: &[&str] = &[
    // Americas
    "brazilsouth",
    "brazilsoutheast",
    "canadacentral",
    "canadaeast",
    "centralus",
    "chilecentral",
    "eastus",
    "eastus2",
    "mexicocentral",
    "northcentralus",
    "southcentralus",
    "westcentralus",
    "westus",
    "westus2",
    "westus3",
    // Europe
    "austriaeast",
    "belgiumcentral",
    "denmarkeast",
    "francecentral",
    "francesouth",
    "germanynorth",
    "germanywestcentral",
    "italynorth",
    "northeurope",
    "norwayeast",
    "norwaywest",
    "polandcentral",
    "spaincentral",
    "swedencentral",
    "swedensouth",
    "switzerlandnorth",
    "switzerlandwest",
    "uksouth",
    "ukwest",
    "westeurope",
    // Asia Pacific
    "australiacentral",
    "australiacentral2",
    "australiaeast",
    "australiasoutheast",
    "centralindia",
    "eastasia",
    "indonesiacentral",
    "japaneast",
    "japanwest",
    "jioindiacentral",
    "jioindiawest",
    "koreacentral",
    "koreasouth",
    "malaysiawest",
    "newzealandnorth",
    "southeastasia",
    "southindia",
    "westindia",
    // Middle East and Africa
    "israelcentral",
    "qatarcentral",
    "southafricanorth",
    "southafricawest",
    "uaecentral",
    "uaenorth",
    // US Government
    "usdodcentral",
    "usdodeast",
    "usgovarizona",
    "usgovtexas",
    "usgovvirginia",
    // China (21Vianet)
    "chinaeast",
    "chinaeast2",
    "chinaeast3",
    "chinanorth",
    "chinanorth2",
    "chinanorth3",
];

/// The region a mistyped name most likely means: the display name written as a programmatic
/// one (`West Europe` → `westeurope`), else the nearest name by edit distance (at most 3).
pub fn region_suggestion(name: &str) -> Option<&'static str> {
    let squashed: String = name
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect();
    if let Some(r) = REGIONS.iter().find(|r| **r == squashed) {
        return Some(r);
    }
    REGIONS
        .iter()
        .map(|r| (edit_distance(&squashed, r), *r))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, r)| r)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// Parses one of the constant CIDR lists above.
pub fn prefixes(list: &[&str]) -> Vec<Prefix> {
    list.iter()
        .map(|s| s.parse().expect("constant CIDR"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_take_their_short_name() {
        assert_eq!(short_location("West Europe"), "westeurope");
        assert_eq!(short_location("westeurope"), "westeurope");
        assert_eq!(short_location(" Sweden Central "), "swedencentral");
    }

    #[test]
    fn usable_matches_the_documented_examples() {
        // "/24 … 251 usable" [VNETFAQ] [AGINFRA] [AKS-OVERLAY]
        assert_eq!(usable_addresses(&"10.0.0.0/24".parse().unwrap()), 251);
        assert_eq!(usable_addresses(&"10.0.0.0/29".parse().unwrap()), 3);
        assert_eq!(
            first_assignable(&"10.200.0.0/26".parse().unwrap())
                .unwrap()
                .to_string(),
            "10.200.0.4"
        );
    }

    #[test]
    fn constant_lists_parse() {
        assert_eq!(prefixes(&AKS_RESERVED_RANGES).len(), 4);
        assert_eq!(prefixes(&VNET_FORBIDDEN).len(), 5);
    }
}

#[cfg(test)]
mod region_tests {
    use super::*;

    #[test]
    fn suggestions_fix_display_names_and_typos_only() {
        assert_eq!(region_suggestion("West Europe"), Some("westeurope"));
        assert_eq!(region_suggestion("east-us-2"), Some("eastus2"));
        assert_eq!(region_suggestion("swedencentrl"), Some("swedencentral"));
        assert_eq!(region_suggestion("mars"), None);
        assert!(REGIONS.windows(1).all(|w| w[0]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())));
        let mut sorted = REGIONS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), REGIONS.len(), "no duplicates");
    }
}

/// Azure-provided DNS: the address a VNet's clients query when the VNet names no DNS servers
/// (`dhcpOptions.dnsServers` empty), and the upstream of Azure Firewall's DNS proxy with no
/// `servers` [168-DOC] azure-semantics §1.7, §7.4.
pub const AZURE_DNS: std::net::Ipv4Addr = std::net::Ipv4Addr::new(168, 63, 129, 16);

/// The value of a network interface's `dnsSettings.dnsServers` that switches it to Azure-provided
/// DNS whatever its VNet names: "Use 'AzureProvidedDNS' to switch to azure provided DNS
/// resolution. 'AzureProvidedDNS' value cannot be combined with other IPs, it must be the only
/// value in dnsServers collection" (`NetworkInterfaceDnsSettings.dnsServers` in the SDK references
/// generated from the REST spec, e.g.
/// learn.microsoft.com/javascript/api/@azure/arm-network/networkinterfacednssettings).
pub const AZURE_PROVIDED_DNS: &str = "AzureProvidedDNS";

/// The DNS port: Azure Firewall's DNS proxy listens on it when enabled ("When enabled, the
/// firewall listens on port 53 and forwards DNS requests to the configured DNS servers" —
/// learn.microsoft.com/azure/firewall/dns-settings).
pub const DNS_PORT: u16 = 53;

/// Domains a DNS Private Resolver wildcard forwarding rule (`.`) does not apply to, because they
/// are reserved for Azure services: "The two-label DNS names listed in this article (for example:
/// windows.net, azure.com, azure.net, windowsazure.us) are reserved for Azure services"
/// (learn.microsoft.com/azure/dns/private-resolver-endpoints-rulesets, "Rule processing",
/// pointing at private-endpoint-dns "Azure services DNS zone configuration", whose list also
/// holds `azurecr.io` and `azmk8s.io`, the parents of `privatelink.azurecr.io` and
/// `privatelink.<region>.azmk8s.io`). Only the names this tool resolves are listed.
pub const WILDCARD_RULE_RESERVED: [&str; 6] = [
    "windows.net",
    "azure.com",
    "azure.net",
    "windowsazure.us",
    "azurecr.io",
    "azmk8s.io",
];
