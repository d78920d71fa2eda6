//! Flow intents at design time: the places an intent names, resolved from the intent and the
//! plan with the spellings `aksnet check` accepts (`onprem`, `<vnet>/<subnet>`, `<spoke>/nodes`,
//! `<spoke>:ilb`, `<spoke>/ilb`, a bare `ilb` when one spoke has it), and the allow intents this
//! architecture forbids. A place the design cannot resolve (an address, a hub subnet, an
//! endpoint whose address Azure assigns) is left to `aksnet check`.

use aksnet_net::{Prefix, Protocol};

use crate::check::pos;
use crate::error::DesignError;
use crate::intent::{At, Expectation, FlowIntent, Intent, Link};
use crate::plan::{Plan, SubnetPlan};
use crate::sizing::SubnetRole;

/// A place the design controls.
#[derive(Clone, Debug)]
pub(crate) enum Designed<'p> {
    /// Any Internet host.
    Internet,
    /// The on-premises prefixes (with a gateway link).
    OnPrem(&'p [Prefix]),
    /// Addresses in subnets of one spoke: whole subnets, or an endpoint's address.
    Spoke {
        /// Index of the spoke.
        spoke: usize,
        /// The subnets, each with the prefix the place covers in it.
        subnets: Vec<(&'p SubnetPlan, Prefix)>,
        /// Subnets a flow to the place is delivered to behind it: an internal load balancer's
        /// backend node subnets (the load balancer keeps the client's address, so their NSGs
        /// judge it too).
        behind: Vec<&'p SubnetPlan>,
    },
}

impl Designed<'_> {
    /// The place's prefixes (none for the Internet).
    pub(crate) fn prefixes(&self) -> Vec<Prefix> {
        match self {
            Designed::Internet => Vec::new(),
            Designed::OnPrem(p) => p.to_vec(),
            Designed::Spoke { subnets, .. } => subnets.iter().map(|(_, p)| *p).collect(),
        }
    }

    /// True when the place is (or is in) a node or pod subnet.
    fn is_nodes(&self) -> bool {
        matches!(self, Designed::Spoke { subnets, .. }
            if subnets.iter().any(|(s, _)| matches!(s.role, SubnetRole::Nodes(_) | SubnetRole::Pods(_))))
    }
}

/// Resolves a place name, or `None` when the design does not control it.
pub(crate) fn resolve<'p>(intent: &Intent, plan: &'p Plan, name: &str) -> Option<Designed<'p>> {
    let s = name.trim();
    match s.to_ascii_lowercase().as_str() {
        "internet" => return Some(Designed::Internet),
        "onprem" | "on-premises" => {
            return (intent.on_premises.link != Link::None && !plan.on_premises.is_empty())
                .then_some(Designed::OnPrem(&plan.on_premises));
        }
        _ => {}
    }
    if let Some((vnet, rest)) = s.split_once('/') {
        let spoke = spoke_named(plan, vnet)?;
        let subnets = &plan.spokes[spoke].vnet.subnets;
        let whole = |f: &dyn Fn(&SubnetPlan) -> bool| -> Vec<(&'p SubnetPlan, Prefix)> {
            subnets
                .iter()
                .filter(|x| f(x))
                .map(|x| (x, x.prefix))
                .collect()
        };
        let named = whole(&|x| x.name.eq_ignore_ascii_case(rest));
        if !named.is_empty() {
            return Some(Designed::Spoke {
                spoke,
                subnets: named,
                behind: Vec::new(),
            });
        }
        if rest.eq_ignore_ascii_case("nodes") {
            let nodes = whole(&|x| matches!(x.role, SubnetRole::Nodes(_)));
            return (!nodes.is_empty()).then_some(Designed::Spoke {
                spoke,
                subnets: nodes,
                behind: Vec::new(),
            });
        }
        return endpoint(plan, spoke, rest);
    }
    if let Some((vnet, rest)) = s.split_once(':') {
        return endpoint(plan, spoke_named(plan, vnet)?, rest);
    }
    let mut hits = (0..plan.spokes.len()).filter_map(|i| endpoint(plan, i, s));
    match (hits.next(), hits.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// The spoke whose VNet is named `name` (or `vnet-<name>`), as the engine's places read it.
fn spoke_named(plan: &Plan, name: &str) -> Option<usize> {
    plan.spokes.iter().position(|sp| {
        let v = &sp.vnet.name;
        v.eq_ignore_ascii_case(name)
            || v.strip_prefix("vnet-")
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

/// A named endpoint of a spoke whose address the design chooses: the internal load balancer's
/// planned frontend, with the spoke's node subnets behind it.
fn endpoint<'p>(plan: &'p Plan, spoke: usize, name: &str) -> Option<Designed<'p>> {
    if !name.eq_ignore_ascii_case("ilb") {
        return None;
    }
    let subnet = plan.spokes[spoke]
        .vnet
        .subnet(&SubnetRole::InternalLoadBalancer)?;
    let ip = ilb_frontend(&subnet.prefix)?;
    let host = Prefix::new(ip, if ip.is_ipv4() { 32 } else { 128 })?;
    let vnet = &plan.spokes[spoke].vnet;
    Some(Designed::Spoke {
        spoke,
        subnets: vec![(subnet, host)],
        behind: vnet
            .subnets
            .iter()
            .filter(|x| matches!(x.role, SubnetRole::Nodes(_)))
            .collect(),
    })
}

/// The planned ingress frontend of an internal load balancer subnet: its first assignable
/// address.
pub(crate) fn ilb_frontend(subnet: &Prefix) -> Option<std::net::IpAddr> {
    aksnet_model::azure::first_assignable(subnet)
}

/// An allow intent between places the design controls, ready to build.
#[derive(Clone, Debug)]
pub(crate) struct AllowFlow<'p> {
    /// Its index among the intent's flow intents (file order).
    pub index: usize,
    /// The intent.
    pub intent: &'p FlowIntent,
    /// Source.
    pub from: Designed<'p>,
    /// Destination.
    pub to: Designed<'p>,
    /// Protocols with their port ranges (TCP, UDP and ICMP only).
    pub services: Vec<(Protocol, aksnet_net::PortRange)>,
}

/// The allow intents the design builds in: both places resolved, neither the Internet, ports
/// given and of protocols a firewall network rule names. Others are left to `aksnet check`.
pub(crate) fn allow_flows<'p>(intent: &'p Intent, plan: &'p Plan) -> Vec<AllowFlow<'p>> {
    intent
        .intents
        .iter()
        .enumerate()
        .filter(|(_, i)| i.expect == Expectation::Allow && i.ports.is_some())
        .filter_map(|(index, i)| {
            let from = resolve(intent, plan, &i.from)?;
            let to = resolve(intent, plan, &i.to)?;
            if matches!(from, Designed::Internet) || matches!(to, Designed::Internet) {
                return None;
            }
            if matches!((&from, &to), (Designed::OnPrem(_), Designed::OnPrem(_))) {
                return None;
            }
            let services = i.services().ok()?;
            services
                .iter()
                .all(|(p, _)| matches!(p, Protocol::Tcp | Protocol::Udp | Protocol::Icmp))
                .then_some(AllowFlow {
                    index,
                    intent: &i.value,
                    from,
                    to,
                    services,
                })
        })
        .collect()
}

/// Allow intents this architecture forbids: the Internet straight to node (or pod) subnets.
/// Clients reach a cluster only through the Application Gateway or the internal load balancer.
pub(crate) fn forbidden(intent: &Intent, plan: &Plan, file: &str) -> Vec<DesignError> {
    intent
        .intents
        .iter()
        .filter(|i| i.expect == Expectation::Allow)
        .filter(|i| matches!(resolve(intent, plan, &i.from), Some(Designed::Internet)))
        .filter(|i| resolve(intent, plan, &i.to).is_some_and(|to| to.is_nodes()))
        .map(|i: &At<FlowIntent>| {
            DesignError::at(
                file,
                pos(i),
                format!(
                    "intent {} → {} expects allow, but this architecture never lets the Internet reach nodes directly: clients reach a cluster only through the Application Gateway or the internal load balancer, and the nodes' default route goes to the hub appliance",
                    i.from, i.to
                ),
                "expect deny here, or allow `internet` to the spoke's App Gateway (`<spoke>:appgw`, with `ingress.appGateway.frontend: public`)",
            )
        })
        .collect()
}
