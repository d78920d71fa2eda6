//! What an AKS cluster must reach when egress is forced through a firewall: the data behind the
//! generated firewall policy and (later) the rule that checks one.
//!
//! Source: [AKS-OUTBOUND-RULES] `outbound-rules-control-egress.md`, ms.date 2026-06-18
//! (azure-semantics §6.9), global Azure. Microsoft revises this list (e.g. `packages.aks.azure.com`
//! replacing `acs-mirror.azureedge.net` in 2025), so it is versioned by that date.

use serde::Serialize;

/// Date of the Microsoft page this table was taken from.
pub const AKS_EGRESS_SOURCE_DATE: &str = "2026-06-18";

/// When an entry applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applies {
    /// Every cluster.
    Always,
    /// Clusters with a public API server (private clusters use Konnectivity over the private
    /// endpoint and do not need it).
    PublicApiServerOnly,
}

/// An FQDN the nodes reach over HTTP(S) (an application rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FqdnRequirement {
    /// FQDN; `{location}` stands for the cluster's region.
    pub fqdn: &'static str,
    /// `Https` or `Http`.
    pub protocol: &'static str,
    /// Port.
    pub port: u16,
    /// When it applies.
    pub applies: Applies,
    /// What it is for.
    pub purpose: &'static str,
}

/// A non-HTTP requirement (a network rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetworkRequirement {
    /// Destination: a service tag (`AzureCloud.{location}`) or an FQDN.
    pub destination: &'static str,
    /// True when `destination` is an FQDN (needs DNS proxy on Azure Firewall).
    pub is_fqdn: bool,
    /// `UDP` or `TCP`.
    pub protocol: &'static str,
    /// Port.
    pub port: u16,
    /// When it applies.
    pub applies: Applies,
    /// What it is for.
    pub purpose: &'static str,
}

/// Required FQDNs (application rules), global Azure.
pub const REQUIRED_FQDNS: &[FqdnRequirement] = &[
    FqdnRequirement {
        fqdn: "*.hcp.{location}.azmk8s.io",
        protocol: "Https",
        port: 443,
        applies: Applies::PublicApiServerOnly,
        purpose: "node and Konnectivity traffic to the API server",
    },
    FqdnRequirement {
        fqdn: "mcr.microsoft.com",
        protocol: "Https",
        port: 443,
        applies: Applies::Always,
        purpose: "Microsoft Container Registry (system images)",
    },
    FqdnRequirement {
        fqdn: "*.data.mcr.microsoft.com",
        protocol: "Https",
        port: 443,
        applies: Applies::Always,
        purpose: "MCR data (CDN)",
    },
    FqdnRequirement {
        fqdn: "mcr-0001.mcr-msedge.net",
        protocol: "Https",
        port: 443,
        applies: Applies::Always,
        purpose: "MCR data",
    },
    FqdnRequirement {
        fqdn: "management.azure.com",
        protocol: "Https",
        port: 443,
        applies: Applies::Always,
        purpose: "Kubernetes operations against the Azure API",
    },
    FqdnRequirement {
        fqdn: "login.microsoftonline.com",
        protocol: "Https",
        port: 443,
        applies: Applies::Always,
        purpose: "Microsoft Entra authentication",
    },
    FqdnRequirement {
        fqdn: "packages.microsoft.com",
        protocol: "Https",
        port: 443,
        applies: Applies::Always,
        purpose: "cached apt-get packages (moby, CLI)",
    },
    FqdnRequirement {
        fqdn: "acs-mirror.azureedge.net",
        protocol: "Https",
        port: 443,
        applies: Applies::Always,
        purpose: "kubenet and Azure CNI binaries (legacy mirror)",
    },
    FqdnRequirement {
        fqdn: "packages.aks.azure.com",
        protocol: "Https",
        port: 443,
        applies: Applies::Always,
        purpose: "kubenet and Azure CNI binaries (replaces acs-mirror)",
    },
];

/// Recommended (optional) FQDNs: OS security updates.
pub const RECOMMENDED_FQDNS: &[FqdnRequirement] = &[
    FqdnRequirement {
        fqdn: "security.ubuntu.com",
        protocol: "Http",
        port: 80,
        applies: Applies::Always,
        purpose: "Ubuntu security updates",
    },
    FqdnRequirement {
        fqdn: "azure.archive.ubuntu.com",
        protocol: "Http",
        port: 80,
        applies: Applies::Always,
        purpose: "Ubuntu updates",
    },
    FqdnRequirement {
        fqdn: "changelogs.ubuntu.com",
        protocol: "Http",
        port: 80,
        applies: Applies::Always,
        purpose: "Ubuntu changelogs",
    },
    FqdnRequirement {
        fqdn: "snapshot.ubuntu.com",
        protocol: "Https",
        port: 443,
        applies: Applies::Always,
        purpose: "Ubuntu snapshot updates",
    },
];

/// Required network rules.
pub const REQUIRED_NETWORK: &[NetworkRequirement] = &[
    NetworkRequirement {
        destination: "AzureCloud.{location}",
        is_fqdn: false,
        protocol: "UDP",
        port: 1194,
        applies: Applies::PublicApiServerOnly,
        purpose: "tunnelled node-to-control-plane traffic",
    },
    NetworkRequirement {
        destination: "AzureCloud.{location}",
        is_fqdn: false,
        protocol: "TCP",
        port: 9000,
        applies: Applies::PublicApiServerOnly,
        purpose: "tunnelled node-to-control-plane traffic",
    },
    NetworkRequirement {
        destination: "ntp.ubuntu.com",
        is_fqdn: true,
        protocol: "UDP",
        port: 123,
        applies: Applies::Always,
        purpose: "NTP time sync (nodes provisioned before March 2021)",
    },
];

/// The FQDN tag that Azure Firewall expands to the required FQDNs (its members are not
/// published; aksnet models it as [`REQUIRED_FQDNS`], azure-semantics §4.2, UNCONFIRMED).
pub const AKS_FQDN_TAG: &str = "AzureKubernetesService";

/// Substitutes `{location}`.
pub fn for_location(template: &str, location: &str) -> String {
    template.replace("{location}", location)
}

/// One destination a cluster's nodes need.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    /// The cluster.
    pub cluster: String,
    /// FQDN or service tag (`AzureCloud.<region>`).
    pub destination: String,
    /// `https`, `http`, `tcp` or `udp`.
    pub protocol: String,
    /// Port.
    pub port: u16,
    /// `application` (by name, HTTP/S) or `network` rule.
    pub rule: &'static str,
    /// Required, or recommended (OS updates).
    pub required: bool,
    /// What it is for.
    pub purpose: &'static str,
}

/// The requirements of every cluster in the estate, for its region and API server mode
/// (private clusters do not need the tunnel to a public API server).
pub fn requirements(e: &crate::Estate, recommended: bool) -> Vec<Requirement> {
    let mut out = Vec::new();
    for mc in e.managed_clusters.iter() {
        let location = mc.location.clone().unwrap_or_default();
        let needed = |a: Applies| a == Applies::Always || !mc.properties.is_private();
        let fqdns = REQUIRED_FQDNS.iter().map(|r| (r, true)).chain(
            RECOMMENDED_FQDNS
                .iter()
                .filter(|_| recommended)
                .map(|r| (r, false)),
        );
        for (r, required) in fqdns.filter(|(r, _)| needed(r.applies)) {
            out.push(Requirement {
                cluster: mc.name.clone(),
                destination: for_location(r.fqdn, &location),
                protocol: r.protocol.to_ascii_lowercase(),
                port: r.port,
                rule: "application",
                required,
                purpose: r.purpose,
            });
        }
        for r in REQUIRED_NETWORK.iter().filter(|r| needed(r.applies)) {
            out.push(Requirement {
                cluster: mc.name.clone(),
                destination: for_location(r.destination, &location),
                protocol: r.protocol.to_ascii_lowercase(),
                port: r.port,
                rule: "network",
                required: true,
                purpose: r.purpose,
            });
        }
    }
    out
}
