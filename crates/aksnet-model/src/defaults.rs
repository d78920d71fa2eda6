//! What Azure does when a property the model reads is absent: one table per resource type
//! ([`DOCUMENTED`]: the value Azure applies, with its source) and the properties Azure gives no
//! documented default for ([`UNSTATED`]: read as "not stated", which analyses treat as unknown).
//!
//! The model's serde attributes call the functions below, so the same default applies to REST
//! bodies, exports, templates and `estate.json` alike; `aksnet-import`'s tests import a minimal
//! PUT body of every modelled type and check each row of [`DOCUMENTED`] against what comes out,
//! and `docs/import.md` lists every row (also tested).
//!
//! Sources: the Azure REST API specifications (`Azure/azure-rest-api-specs`, `stable/2025-05-01`
//! for Microsoft.Network, `2025-10-01` for Microsoft.ContainerService) and Microsoft Learn, as
//! named per row.

/// A default Azure applies when the property is absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Documented {
    /// ARM resource type.
    pub resource_type: &'static str,
    /// JSON path inside the resource (`properties.x.y`; `[]` for every element of a list).
    pub path: &'static str,
    /// The value, as JSON.
    pub value: &'static str,
    /// Where Azure says so.
    pub source: &'static str,
}

/// A property Azure documents no default for: when absent, the model keeps "not stated" and
/// analyses that need it say `unknown`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unstated {
    /// ARM resource type.
    pub resource_type: &'static str,
    /// JSON path inside the resource.
    pub path: &'static str,
    /// Why no value is assumed.
    pub why: &'static str,
}

/// Every default the model applies, by resource type.
pub const DOCUMENTED: &[Documented] = &[
    Documented {
        resource_type: "Microsoft.Network/publicIPAddresses",
        path: "properties.publicIPAddressVersion",
        value: "\"IPv4\"",
        source: "the spec's PublicIpAddressCreateDefaults example (a body without it answers IPv4); Learn, public IP addresses: IPv4 unless IPv6 is chosen",
    },
    Documented {
        resource_type: "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        path: "properties.allowVirtualNetworkAccess",
        value: "true",
        source: "Learn, virtual network peering settings (azure-semantics §2.7); the spec states no default",
    },
    Documented {
        resource_type: "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        path: "properties.allowForwardedTraffic",
        value: "false",
        source: "Learn, virtual network peering settings (azure-semantics §2.7)",
    },
    Documented {
        resource_type: "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        path: "properties.allowGatewayTransit",
        value: "false",
        source: "Learn, virtual network peering settings (azure-semantics §2.7)",
    },
    Documented {
        resource_type: "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        path: "properties.useRemoteGateways",
        value: "false",
        source: "Learn, virtual network peering settings (azure-semantics §2.7)",
    },
    Documented {
        resource_type: "Microsoft.Network/networkInterfaces",
        path: "properties.enableIPForwarding",
        value: "false",
        source: "Learn, network interface settings: IP forwarding is disabled by default (azure-semantics §2.4)",
    },
    Documented {
        resource_type: "Microsoft.Network/routeTables",
        path: "properties.disableBgpRoutePropagation",
        value: "false",
        source: "Learn, route tables: gateway route propagation is on unless disabled (the spec's RouteTableCreate example answers true; treated as an example artefact)",
    },
    Documented {
        resource_type: "Microsoft.Network/firewallPolicies",
        path: "properties.dnsSettings.enableProxy",
        value: "false",
        source: "Learn, Azure Firewall DNS settings: \"By default, DNS Proxy is disabled\"",
    },
    Documented {
        resource_type: "Microsoft.Network/applicationGateways",
        path: "properties.backendAddressPools[].properties.backendAddresses",
        value: "[]",
        source: "Learn, troubleshooting 502 errors (empty BackendAddressPool): a pool may be empty",
    },
    Documented {
        resource_type: "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies",
        path: "properties.policySettings.requestBodyCheck",
        value: "false",
        source: "not stated means not enabled (the model reads it only for display)",
    },
    Documented {
        resource_type: "Microsoft.ContainerService/managedClusters",
        path: "properties.networkProfile.outboundType",
        value: "\"loadBalancer\"",
        source: "REST spec Microsoft.ContainerService stable/2025-10-01: \"default\": \"loadBalancer\" (azure-semantics §6.5)",
    },
    Documented {
        resource_type: "Microsoft.ContainerService/managedClusters",
        path: "properties.networkProfile.serviceCidr",
        value: "\"10.0.0.0/16\"",
        source: "REST spec Microsoft.ContainerService stable/2025-10-01: \"default\": \"10.0.0.0/16\"",
    },
    Documented {
        resource_type: "Microsoft.ContainerService/managedClusters",
        path: "properties.networkProfile.dnsServiceIP",
        value: "\"10.0.0.10\"",
        source: "REST spec Microsoft.ContainerService stable/2025-10-01: \"default\": \"10.0.0.10\"",
    },
    Documented {
        resource_type: "Microsoft.ContainerRegistry/registries",
        path: "properties.publicNetworkAccess",
        value: "\"Enabled\"",
        source: "REST spec Microsoft.ContainerRegistry (Registry.models.tsp): publicNetworkAccess = Enabled",
    },
    Documented {
        resource_type: "Microsoft.ContainerRegistry/registries",
        path: "properties.adminUserEnabled",
        value: "false",
        source: "REST spec Microsoft.ContainerRegistry (Registry.models.tsp): adminUserEnabled = false",
    },
    Documented {
        resource_type: "Microsoft.KeyVault/vaults",
        path: "properties.publicNetworkAccess",
        value: "\"Enabled\"",
        source: "REST spec Microsoft.KeyVault (models.tsp): publicNetworkAccess = \"enabled\"",
    },
];

/// Properties read as "not stated" when absent, with the reason no value is assumed.
pub const UNSTATED: &[Unstated] = &[
    Unstated {
        resource_type: "Microsoft.Network/azureFirewalls",
        path: "properties.sku",
        why: "the spec gives no default (templates such as the azurefirewall-create-with-ipgroups quickstart omit it and deploy); no analysis reads the tier, and generated Terraform leaves it to the provider",
    },
    Unstated {
        resource_type: "Microsoft.Network/publicIPAddresses",
        path: "properties.publicIPAllocationMethod",
        why: "depends on the SKU (Standard: Static only; Basic: Dynamic in the spec's example); no analysis needs it",
    },
    Unstated {
        resource_type: "Microsoft.ContainerService/managedClusters",
        path: "properties.networkProfile.networkPlugin",
        why: "AKS picks it by Kubernetes version (below 1.30 kubenet, from 1.30 Azure CNI Overlay: spec PRs 30844/30845); aksnet applies that rule when kubernetesVersion is stated, else the plugin is unknown",
    },
    Unstated {
        resource_type: "Microsoft.ContainerService/managedClusters",
        path: "properties.networkProfile.podCidr",
        why: "AKS's 10.244.0.0/16 (REST spec default) applies to kubenet and overlay only, which the plugin decides",
    },
    Unstated {
        resource_type: "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies",
        path: "properties.policySettings.mode",
        why: "the spec states no default (its example answers Detection; PSRule's docs say Prevention)",
    },
    Unstated {
        resource_type: "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies",
        path: "properties.policySettings.state",
        why: "the spec states no default (its example answers Enabled)",
    },
    Unstated {
        resource_type: "Microsoft.Network/firewallPolicies",
        path: "properties.intrusionDetection.mode",
        why: "the spec states no default (Off, Alert or Deny)",
    },
    Unstated {
        resource_type: "Microsoft.Network/firewallPolicies",
        path: "properties.threatIntelMode",
        why: "Learn says threat intelligence runs in Alert mode by default; rules judge absence as not Deny",
    },
    Unstated {
        resource_type: "Microsoft.Network/privateDnsZones/A",
        path: "properties.ttl",
        why: "Azure refuses a record set without it (spec issue 13011); no analysis needs it",
    },
    Unstated {
        resource_type: "Microsoft.Network/virtualNetworkGateways",
        path: "properties.sku",
        why: "the spec states no default",
    },
    Unstated {
        resource_type: "Microsoft.Network/virtualNetworks/subnets",
        path: "properties.defaultOutboundAccess",
        why: "depends on the API version: from 2025-07-01 new subnets are private (false), before that default outbound access is on",
    },
];

/// `publicIPAddressVersion` when absent.
pub(crate) fn ip_version() -> String {
    "IPv4".to_string()
}

/// `outboundType` when absent.
pub(crate) fn outbound_type() -> String {
    "loadBalancer".to_string()
}

/// `Enabled`, for network access Azure leaves open by default.
pub(crate) fn enabled() -> String {
    "Enabled".to_string()
}

/// AKS's `serviceCidr` when absent.
pub(crate) fn service_cidr() -> Option<aksnet_net::Prefix> {
    "10.0.0.0/16".parse().ok()
}

/// AKS's `dnsServiceIP` when absent.
pub(crate) fn dns_service_ip() -> Option<String> {
    Some("10.0.0.10".to_string())
}

/// `true`, for boolean properties Azure turns on by default.
pub(crate) fn yes() -> bool {
    true
}

/// The network plugin (and plugin mode) AKS chooses when `networkPlugin` is absent, by the
/// cluster's Kubernetes version: below 1.30 `kubenet`, from 1.30 `azure` with `overlay`
/// (Azure/azure-rest-api-specs PRs 30844 and 30845, 2024-10: "NetworkPlugin will be defaulted
/// based on k8s version rather than API version"; confirmed in Azure/AKS issue 4897). `None`
/// when the version is not stated or not a version.
pub fn aks_network_plugin(
    kubernetes_version: Option<&str>,
) -> Option<(&'static str, Option<&'static str>)> {
    let v = kubernetes_version?.trim().trim_start_matches(['v', 'V']);
    let mut parts = v.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next()?.parse().ok()?;
    Some(if (major, minor) < (1, 30) {
        ("kubenet", None)
    } else {
        ("azure", Some("overlay"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_plugin_follows_the_kubernetes_version() {
        assert_eq!(aks_network_plugin(Some("1.29.9")), Some(("kubenet", None)));
        assert_eq!(
            aks_network_plugin(Some("1.30")),
            Some(("azure", Some("overlay")))
        );
        assert_eq!(
            aks_network_plugin(Some("v1.31.2")),
            Some(("azure", Some("overlay")))
        );
        assert_eq!(
            aks_network_plugin(Some("2.0")),
            Some(("azure", Some("overlay")))
        );
        assert_eq!(aks_network_plugin(None), None);
        assert_eq!(aks_network_plugin(Some("latest")), None);
    }

    #[test]
    fn every_value_is_json() {
        for d in DOCUMENTED {
            assert!(
                serde_json::from_str::<serde_json::Value>(d.value).is_ok(),
                "{d:?}"
            );
        }
    }
}
