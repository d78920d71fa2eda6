//! How traffic leaves a subnet for the Internet (azure-semantics §6.5, §9): the firewall's public
//! IP, a NAT gateway, the cluster's outbound load balancer, an Application Gateway's public IP,
//! default outbound access — or nothing.

use crate::topology::{EndpointKind, SubnetIx};
use crate::DataPlane;

/// The egress address of subnet `s`, described, or why there is none.
pub fn egress(dp: &DataPlane, s: SubnetIx) -> Result<String, String> {
    let t = &dp.topology;
    let sub = &t.subnets[s];
    if let Some(e) = t
        .endpoints
        .iter()
        .find(|e| e.kind == EndpointKind::Firewall && e.subnet == Some(s))
    {
        let pip = t
            .endpoints
            .iter()
            .find(|p| p.kind == EndpointKind::FirewallPublic && p.resource == e.resource);
        return match pip {
            Some(p) => Ok(format!(
                "SNAT to the firewall's public IP {}{}",
                p.name,
                if p.predicted {
                    " (address assigned at deployment)"
                } else {
                    ""
                }
            )),
            None => Err(format!("{} has no public IP", e.name)),
        };
    }
    if let Some(n) = &sub.nat_gateway {
        return Ok(format!("SNAT to NAT gateway {}", n.name()));
    }
    if let Some((cluster, _, true)) = &t.subnet_clusters[s] {
        return Ok(format!(
            "SNAT to {}'s managed outbound load balancer IP",
            cluster.name()
        ));
    }
    if t.endpoints
        .iter()
        .any(|e| e.kind == EndpointKind::AppGatewayPrivate && e.subnet == Some(s))
    {
        return Ok("the Application Gateway's public IP".into());
    }
    // Azure Bastion reaches the Internet from its own public IP (azure-semantics §9 step 3:
    // "PIP on NIC"), for its control plane and certificate checks (§5.2: 80 to Internet).
    if let Some(b) = t
        .endpoints
        .iter()
        .find(|e| e.kind == EndpointKind::Bastion && e.subnet == Some(s))
    {
        return Ok(format!("{}'s public IP", b.name));
    }
    if sub.default_outbound_access {
        return Ok(
            "default outbound access (an Azure-chosen IP; retiring, not recommended)".into(),
        );
    }
    Err(format!("no egress IP: {} has default outbound access disabled and no NAT gateway, public IP or load balancer outbound rule", sub.label(t)))
}
