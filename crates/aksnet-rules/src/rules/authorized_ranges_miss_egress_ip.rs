//! AKS-MGT-003: UDR egress through a firewall whose public IP is not an authorized range.

use aksnet_engine::places::INTERNET_SERVER;
use aksnet_engine::routes::NextHop;
use aksnet_engine::topology::EndpointKind;
use aksnet_net::Prefix;

use crate::{Context, Doc, Finding, Rule, Severity};

/// Authorized IP ranges that omit the firewall's public IP.
pub struct AuthorizedRangesMissEgressIp;

impl Rule for AuthorizedRangesMissEgressIp {
    fn code(&self) -> &'static str {
        "AKS-MGT-003"
    }
    fn severity(&self) -> Severity {
        Severity::Error
    }
    fn semantic(&self) -> bool {
        false
    }
    fn doc(&self) -> Doc {
        Doc {
            title: "Authorized IP ranges omit the firewall's public IP",
            what: "A public API server with authorized IP ranges whose node subnets send Internet traffic to an Azure Firewall: the firewall's public IP (the nodes' egress address) must be inside a range. When the address is assigned only at deployment (a designed estate), the finding is a warning to add it then.",
            why: "Nodes reach the public API server from the firewall's address; when it is not authorized, kubelets lose the API and nodes go NotReady (user reports: MicrosoftDocs/azure-docs#55484, mspnp/aks-baseline). AKS adds its own load balancer outbound IPs automatically, but not a firewall's.",
            fix: "Add the firewall's public IP(s) as /32 to `apiServerAccessProfile.authorizedIPRanges` (in Terraform, reference the public IP resource), or make the cluster private.",
            references: &[
                "https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges",
                "https://learn.microsoft.com/azure/aks/limit-egress-traffic",
                "User report: https://github.com/MicrosoftDocs/azure-docs/issues/55484",
            ],
        }
    }
    fn check(&self, cx: &Context) -> Vec<Finding> {
        let t = &cx.plane.topology;
        let mut out = Vec::new();
        for mc in cx
            .estate
            .managed_clusters
            .iter()
            .filter(|m| !m.properties.is_private())
        {
            let ranges: Vec<Prefix> = mc
                .properties
                .api_server_access_profile
                .as_ref()
                .map(|a| {
                    a.authorized_ip_ranges
                        .iter()
                        .filter_map(|r| Prefix::parse_lenient(r).ok())
                        .collect()
                })
                .unwrap_or_default();
            if ranges.is_empty() {
                continue;
            }
            let mut firewalls: Vec<usize> = (0..t.subnets.len())
                .filter(|&s| t.subnet_clusters[s].as_ref().is_some_and(|c| c.0 == mc.id))
                .filter_map(|s| match cx.plane.route_for(s, INTERNET_SERVER)?.next_hop {
                    NextHop::VirtualAppliance(ip) => t
                        .endpoints
                        .iter()
                        .position(|e| e.kind == EndpointKind::Firewall && e.ip == ip),
                    _ => None,
                })
                .collect();
            firewalls.sort_unstable();
            firewalls.dedup();
            for f in firewalls {
                let fw = &t.endpoints[f];
                for pip in t
                    .endpoints
                    .iter()
                    .filter(|p| p.kind == EndpointKind::FirewallPublic && p.resource == fw.resource)
                {
                    if pip.predicted {
                        out.push(
                            Finding::new(
                                self,
                                format!(
                                    "cluster `{}` egresses through `{}`, whose public IP `{}` is assigned at deployment: add it to the authorized IP ranges then (the Terraform aksnet generates does, by reference)",
                                    mc.name, fw.name, pip.name
                                ),
                                vec![mc.id.clone(), pip.resource.clone()],
                            )
                            .at(Severity::Warning),
                        );
                    } else if !ranges.iter().any(|r| r.contains_addr(pip.ip)) {
                        out.push(Finding::new(
                            self,
                            format!(
                                "cluster `{}` egresses through `{}` from {}, which no authorized IP range contains: nodes lose the API server",
                                mc.name, fw.name, pip.ip
                            ),
                            vec![mc.id.clone(), pip.resource.clone()],
                        ));
                    }
                }
            }
        }
        out
    }
}
