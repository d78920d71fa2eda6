//! How traffic leaves a subnet for the Internet (azure-semantics §6.5, §9): the firewall's public
//! IP, a NAT gateway, the cluster's outbound load balancer, an Application Gateway's public IP,
//! default outbound access — or nothing.

use std::net::IpAddr;

use aksnet_model::ResourceId;

use crate::endpoints::EndpointKind;
use crate::topology::SubnetIx;
use crate::DataPlane;

/// The source address traffic takes when it leaves for the Internet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EgressSource {
    /// This address (a stand-in from 198.18.0.0/15 when Azure assigns it at deployment; see
    /// `Topology::is_stand_in`).
    Address(IpAddr),
    /// An address the estate cannot name, and why (default outbound access, a missing public
    /// IP).
    Unassigned(String),
    /// The outbound load balancer IP AKS assigns to this cluster: unknown offline, but AKS
    /// adds it to the cluster's own authorized IP ranges itself [AKS-AUTHIP] §6.7.
    ClusterLoadBalancer(ResourceId),
}

impl EgressSource {
    /// Why the address is not known, when it is not.
    pub fn unknown_because(&self) -> Option<String> {
        match self {
            EgressSource::Address(_) => None,
            EgressSource::Unassigned(why) => Some(why.clone()),
            EgressSource::ClusterLoadBalancer(c) => Some(format!(
                "{}'s outbound load balancer IP, which AKS assigns",
                c.name()
            )),
        }
    }
}

/// How traffic leaves a subnet for the Internet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Egress {
    /// In words, for traces and paths.
    pub how: String,
    /// The source address it leaves with.
    pub source: EgressSource,
}

/// Why a subnet has no address to leave for the Internet from.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoEgress {
    /// The subnet holds a firewall without a public IP.
    #[error("{firewall} has no public IP")]
    FirewallWithoutPublicIp {
        /// The firewall's name.
        firewall: String,
    },
    /// Default outbound access is off, and nothing else gives the subnet an address.
    #[error("no egress IP: {subnet} has default outbound access disabled and no NAT gateway, public IP or load balancer outbound rule")]
    NoAddress {
        /// The subnet, `VNET/SUBNET`.
        subnet: String,
    },
}

/// A public IP resource's address (real or stand-in), or why there is none.
fn public_ip(dp: &DataPlane, id: Option<&ResourceId>, owner: &str) -> EgressSource {
    match id.and_then(|id| dp.topology.public_ips.get(id)) {
        Some(p) => EgressSource::Address(p.ip),
        None => EgressSource::Unassigned(format!("{owner} has no public IP in the estate")),
    }
}

/// How subnet `s` reaches the Internet and from which address, or why it cannot: the
/// firewall's public IP, a NAT gateway, the cluster's outbound load balancer, an Application
/// Gateway's or Bastion's public IP, default outbound access — in that order.
pub fn egress(dp: &DataPlane, s: SubnetIx) -> Result<Egress, NoEgress> {
    let t = &dp.topology;
    let sub = &t.subnets[s];
    let out = |how: String, source| Ok(Egress { how, source });
    if let Some(e) = dp
        .endpoints
        .iter()
        .find(|e| e.kind == EndpointKind::Firewall && e.subnet == Some(s))
    {
        let pip = dp
            .endpoints
            .iter()
            .find(|p| p.kind == EndpointKind::FirewallPublic && p.resource == e.resource);
        return match pip {
            Some(p) => out(
                format!(
                    "SNAT to the firewall's public IP {}{}",
                    p.name,
                    if p.predicted {
                        " (address assigned at deployment)"
                    } else {
                        ""
                    }
                ),
                EgressSource::Address(p.ip),
            ),
            None => Err(NoEgress::FirewallWithoutPublicIp {
                firewall: e.name.clone(),
            }),
        };
    }
    if let Some(n) = &sub.nat_gateway {
        let first = dp
            .estate
            .nat_gateways
            .get(n)
            .and_then(|g| g.properties.public_ip_addresses.first())
            .map(|p| &p.id);
        let source = public_ip(dp, first, &format!("NAT gateway {}", n.name()));
        return out(format!("SNAT to NAT gateway {}", n.name()), source);
    }
    if let Some(pools) = t.subnet_clusters[s]
        .as_ref()
        .filter(|p| p.load_balancer_outbound)
    {
        return out(
            format!(
                "SNAT to {}'s managed outbound load balancer IP",
                pools.cluster.name()
            ),
            EgressSource::ClusterLoadBalancer(pools.cluster.clone()),
        );
    }
    if let Some(agw) = dp
        .endpoints
        .iter()
        .find(|e| e.kind == EndpointKind::AppGatewayPrivate && e.subnet == Some(s))
    {
        let source = dp
            .endpoints
            .iter()
            .find(|p| p.kind == EndpointKind::AppGatewayPublic && p.resource == agw.resource)
            .map(|p| EgressSource::Address(p.ip))
            .unwrap_or_else(|| {
                EgressSource::Unassigned("the Application Gateway has no public IP".into())
            });
        return out("the Application Gateway's public IP".into(), source);
    }
    // Azure Bastion reaches the Internet from its own public IP (azure-semantics §9 step 3:
    // "PIP on NIC"), for its control plane and certificate checks (§5.2: 80 to Internet).
    if let Some(b) = dp
        .endpoints
        .iter()
        .find(|e| e.kind == EndpointKind::Bastion && e.subnet == Some(s))
    {
        let pip = dp
            .estate
            .bastion_hosts
            .get(&b.resource)
            .and_then(|h| h.properties.ip_configurations.first())
            .and_then(|c| c.properties.public_ip_address.as_ref())
            .map(|p| &p.id);
        return out(
            format!("{}'s public IP", b.name),
            public_ip(dp, pip, &b.name),
        );
    }
    if sub.default_outbound_access {
        return out(
            "default outbound access (an Azure-chosen IP; retiring, not recommended)".into(),
            EgressSource::Unassigned("an Azure-chosen default outbound IP".into()),
        );
    }
    Err(NoEgress::NoAddress {
        subnet: sub.label(t),
    })
}
