//! The address planner: VNet spaces, subnet layout, pod and service CIDRs.
//!
//! Deterministic by construction: explicit spaces are checked first, then the hub and the
//! spokes (in file order) take the lowest free block of the pool; inside a VNet, subnets are
//! placed largest first at the lowest free aligned address, which packs power-of-two blocks
//! without gaps.

use std::net::IpAddr;

use crate::intent::At;
use aksnet_model::aks::{NetworkMode, PoolDemand};
use aksnet_model::azure;
use aksnet_net::{Family, Prefix, PrefixSet};
use serde::Serialize;

use crate::check::{check, pos};
use crate::error::{DesignError, DesignErrors, Position};
use crate::intent::{Intent, SpokeIntent};
use crate::sizing::{
    hub_requests, network_mode, pool_profile, spoke_requests, Request, SubnetRole,
};

/// The complete address plan.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// The hub VNet.
    pub hub: VnetPlan,
    /// One entry per spoke, in intent order.
    pub spokes: Vec<SpokePlan>,
    /// On-premises prefixes (excluded from allocation).
    pub on_premises: Vec<Prefix>,
    /// Things worth knowing that do not stop the design.
    pub warnings: Vec<String>,
}

/// One VNet's plan.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VnetPlan {
    /// VNet name.
    pub name: String,
    /// Address space.
    pub address_space: Prefix,
    /// Where the space came from.
    pub why: String,
    /// Subnets in address order.
    pub subnets: Vec<SubnetPlan>,
}

impl VnetPlan {
    /// The subnet with this role.
    pub fn subnet(&self, role: &SubnetRole) -> Option<&SubnetPlan> {
        self.subnets.iter().find(|s| &s.role == role)
    }
}

/// One subnet's plan.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubnetPlan {
    /// Subnet name.
    pub name: String,
    /// Its role.
    #[serde(skip)]
    pub role: SubnetRole,
    /// Its prefix.
    pub prefix: Prefix,
    /// Addresses Azure leaves usable (size − 5).
    pub usable: u128,
    /// Addresses needed at full scale.
    pub needed: u128,
    /// Why this size.
    pub why: String,
}

impl SubnetPlan {
    /// Spare addresses at full scale.
    pub fn headroom(&self) -> u128 {
        self.usable.saturating_sub(self.needed)
    }
}

/// One spoke's plan: its VNet and its cluster's CIDRs.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpokePlan {
    /// The VNet.
    pub vnet: VnetPlan,
    /// `overlay`, `podSubnet`, `nodeSubnet` or `kubenet`.
    pub network_mode: &'static str,
    /// Pod CIDR (overlay, kubenet).
    pub pod_cidr: Option<Prefix>,
    /// Service CIDR.
    pub service_cidr: Prefix,
    /// Cluster DNS IP.
    pub dns_service_ip: IpAddr,
    /// Where the CIDRs came from.
    pub cidr_why: String,
}

/// Mode names as the intent spells them.
pub fn mode_name(m: NetworkMode) -> &'static str {
    match m {
        NetworkMode::Overlay => "overlay",
        NetworkMode::AzurePodSubnet => "podSubnet",
        NetworkMode::AzureFlat => "nodeSubnet",
        NetworkMode::Kubenet => "kubenet",
        NetworkMode::None => "none",
    }
}

/// Plans addresses for an intent. `file` names the intent in errors.
pub fn plan(intent: &Intent, file: &str) -> Result<Plan, DesignErrors> {
    let (errors, warnings) = check(intent, file);
    if !errors.is_empty() {
        return Err(DesignErrors(errors));
    }
    let mut planner = Planner::new(intent, file);
    planner.reserve_explicit();
    let hub_reqs = hub_requests(intent);
    let spoke_reqs: Vec<Vec<Request>> = intent
        .spokes
        .iter()
        .map(|s| spoke_requests(intent, s))
        .collect();
    let hub = planner.vnet(
        format!("vnet-{}-hub", *intent.name),
        intent.hub.address_space.as_ref(),
        &hub_reqs,
        "hub",
        intent.hub.address_space.as_ref().map(pos),
    );
    let vnets: Vec<Option<VnetPlan>> = intent
        .spokes
        .iter()
        .zip(&spoke_reqs)
        .map(|(s, reqs)| {
            planner.vnet(
                format!("vnet-{}", s.name),
                s.address_space.as_ref(),
                reqs,
                &format!("spoke `{}`", s.name),
                s.position,
            )
        })
        .collect();
    if let Some(hub) = &hub {
        planner.check_nva_ip(hub);
    }
    if !planner.errors.is_empty() {
        return Err(DesignErrors(planner.errors));
    }
    let routed = planner.routed();
    let mut spokes = Vec::new();
    for (spoke, vnet) in intent.spokes.iter().zip(vnets) {
        let vnet = vnet.expect("no errors means every VNet was planned");
        if let Some(sp) = planner.cidrs(spoke, vnet, &routed) {
            spokes.push(sp);
        }
    }
    if !planner.errors.is_empty() {
        return Err(DesignErrors(planner.errors));
    }
    Ok(Plan {
        hub: hub.expect("planned"),
        spokes,
        on_premises: intent.on_premises.prefixes.clone(),
        warnings,
    })
}

struct Planner<'a> {
    intent: &'a Intent,
    file: &'a str,
    /// Everything allocated or excluded so far, with a label for messages.
    taken: Vec<(String, Prefix)>,
    errors: Vec<DesignError>,
}

impl<'a> Planner<'a> {
    fn new(intent: &'a Intent, file: &'a str) -> Self {
        let taken = intent
            .on_premises
            .prefixes
            .iter()
            .map(|p| ("on-premises".to_string(), *p))
            .collect();
        Self {
            intent,
            file,
            taken,
            errors: Vec::new(),
        }
    }

    fn taken_set(&self) -> PrefixSet {
        self.taken.iter().map(|(_, p)| p).collect()
    }

    fn clash(&self, p: &Prefix) -> Option<&(String, Prefix)> {
        self.taken.iter().find(|(_, q)| q.overlaps(p))
    }

    /// Explicit VNet spaces go in first, so planned ones avoid them; overlaps are errors.
    fn reserve_explicit(&mut self) {
        let mut explicit: Vec<(String, &At<Prefix>)> = Vec::new();
        if let Some(s) = &self.intent.hub.address_space {
            explicit.push(("the hub".to_string(), s));
        }
        for spoke in &self.intent.spokes {
            if let Some(s) = &spoke.address_space {
                explicit.push((format!("spoke `{}`", spoke.name), s));
            }
        }
        let forbidden = azure::prefixes(&azure::VNET_FORBIDDEN);
        let reserved = azure::prefixes(&azure::AKS_RESERVED_RANGES);
        for (label, s) in explicit {
            let p = s.value;
            if let Some((other, q)) = self.clash(&p) {
                let m = format!("address space {p} of {label} overlaps {other} ({q})");
                self.errors.push(DesignError::at(self.file, pos(s), m, "peered and connected networks must not overlap; pick another range or omit addressSpace to let the planner choose"));
            } else if let Some(f) = forbidden.iter().chain(&reserved).find(|f| f.overlaps(&p)) {
                let m = format!(
                    "address space {p} of {label} overlaps {f}, which Azure or AKS reserves"
                );
                self.errors
                    .push(DesignError::at(self.file, pos(s), m, "use RFC 1918 space"));
            }
            self.taken.push((label, p));
        }
    }

    /// Plans one VNet: its space (explicit or allocated) and its subnets. `owner` is where the
    /// spoke (or hub) is written, for errors about it.
    fn vnet(
        &mut self,
        name: String,
        explicit: Option<&At<Prefix>>,
        reqs: &[Request],
        label: &str,
        owner: Option<Position>,
    ) -> Option<VnetPlan> {
        let total: u128 = reqs.iter().map(|r| 1u128 << (32 - r.len)).sum();
        let fit_len = 32 - (total.max(1).next_power_of_two().trailing_zeros() as u8);
        let (space, why) = match explicit {
            Some(s) => (s.value, "from the intent".to_string()),
            None => {
                let len = fit_len.saturating_sub(1).min(24);
                let taken = self.taken_set();
                let found = self
                    .intent
                    .address_pool
                    .iter()
                    .find_map(|pool| taken.first_free(pool, len).map(|p| (p, pool)));
                let Some((p, pool)) = found else {
                    let pools: Vec<String> = self
                        .intent
                        .address_pool
                        .iter()
                        .map(ToString::to_string)
                        .collect();
                    // At the addressPool when the intent sets it, else at the spoke.
                    let at = self.intent.address_pool.position.or(owner);
                    self.errors.push(DesignError {
                        position: at,
                        ..DesignError::in_file(
                            self.file,
                            format!(
                                "no free /{len} left in addressPool ({}) for {label}",
                                pools.join(", ")
                            ),
                            "add a prefix to addressPool or give the VNet an explicit addressSpace",
                        )
                    });
                    return None;
                };
                self.taken.push((label.to_string(), p));
                (p, format!("planned: subnets need a /{fit_len}, doubled for growth (min /24), lowest free block of {pool}"))
            }
        };
        match layout(space, reqs) {
            Ok(subnets) => Some(VnetPlan {
                name,
                address_space: space,
                why,
                subnets,
            }),
            Err(missing) => {
                let needs: Vec<String> = reqs
                    .iter()
                    .map(|r| format!("{} needs a /{} ({})", r.name, r.len, r.why))
                    .collect();
                let m = format!(
                    "{label} does not fit in {space}: its subnets need {} addresses in all, {space} holds {}; {}{}",
                    aksnet_model::validate::thousands(total),
                    aksnet_model::validate::thousands(space.size()),
                    needs.join("; "),
                    missing.map(|n| format!(" (first to run out of room: {n})")).unwrap_or_default()
                );
                let hint = format!("use a /{fit_len} or larger, lower maxCount/maxPods, or move to Azure CNI Overlay");
                let e = DesignError {
                    position: explicit.map(pos).or(owner),
                    ..DesignError::in_file(self.file, m, hint)
                };
                self.errors.push(e);
                None
            }
        }
    }

    /// An explicit NVA IP must be an assignable address of the planned NVA subnet.
    fn check_nva_ip(&mut self, hub: &VnetPlan) {
        let (Some(ip), Some(subnet)) = (&self.intent.hub.nva_ip, hub.subnet(&SubnetRole::Nva))
        else {
            return;
        };
        let p = subnet.prefix;
        let ok = ip
            .value
            .parse::<IpAddr>()
            .ok()
            .filter(|a| p.contains_addr(*a) && (4..p.size() - 1).any(|n| p.nth(n) == Some(*a)));
        if ok.is_none() {
            let first = azure::first_assignable(&p)
                .map(|a| a.to_string())
                .unwrap_or_default();
            let m = format!(
                "nvaIp `{}` is not an assignable address of the NVA subnet snet-nva ({p})",
                ip.value
            );
            self.errors.push(DesignError::at(self.file, pos(ip), m, format!("omit nvaIp to use {first}, or pick an address from {p} other than its first four and last")));
        }
    }

    /// All routed space: every VNet and on-premises.
    fn routed(&self) -> PrefixSet {
        self.taken_set()
    }

    /// Service CIDR, DNS IP and pod CIDR of a spoke's cluster.
    fn cidrs(
        &mut self,
        spanned: &At<SpokeIntent>,
        vnet: VnetPlan,
        routed: &PrefixSet,
    ) -> Option<SpokePlan> {
        let spoke: &SpokeIntent = spanned;
        let net = &spoke.cluster.network;
        let mode = network_mode(spoke);
        let reserved: PrefixSet = azure::prefixes(&azure::AKS_RESERVED_RANGES)
            .into_iter()
            .collect();
        let avoid = routed.union(&reserved);
        let p = pos(spanned);
        let mut why = Vec::new();
        for (what, cidr) in [
            ("service CIDR", &net.service_cidr),
            ("pod CIDR", &net.pod_cidr),
        ] {
            if let Some(s) = cidr.as_ref().filter(|s| s.value.family() != Family::V4) {
                self.errors.push(DesignError::at(
                    self.file,
                    pos(s),
                    format!("{what} {} is IPv6; aksnet designs IPv4 clusters (dual-stack is not supported yet)", s.value),
                    "use an IPv4 range, e.g. 172.16.0.0/16 for services or 192.168.0.0/16 for pods",
                ));
                return None;
            }
        }
        let service_cidr = match &net.service_cidr {
            Some(s) => {
                self.check_cidr("service CIDR", s, &avoid, routed, spoke);
                if s.value.len() < azure::SERVICE_CIDR_MIN_LEN {
                    self.errors.push(DesignError::at(
                        self.file,
                        pos(s),
                        format!(
                            "service CIDR {} is /{}; AKS requires it smaller than /12",
                            s.value,
                            s.value.len()
                        ),
                        "use a /16, e.g. 172.16.0.0/16",
                    ));
                }
                why.push("service CIDR from the intent".to_string());
                s.value
            }
            None => {
                let Some(c) = first_free_in(
                    &avoid,
                    &["172.16.0.0/12", "192.168.0.0/16", "10.0.0.0/8"],
                    16,
                ) else {
                    self.errors.push(DesignError::at(
                        self.file,
                        p,
                        format!("spoke `{}`: no free /16 for the service CIDR", spoke.name),
                        "set cluster.network.serviceCidr",
                    ));
                    return None;
                };
                why.push(format!(
                    "service CIDR {c}: first free /16 outside routed space"
                ));
                c
            }
        };
        let dns_service_ip = match &net.dns_service_ip {
            Some(s) => match s.value.parse::<IpAddr>() {
                Ok(ip)
                    if service_cidr.contains_addr(ip)
                        && Some(ip) != service_cidr.nth(0)
                        && Some(ip) != service_cidr.nth(1) =>
                {
                    ip
                }
                Ok(ip) => {
                    self.errors.push(DesignError::at(self.file, pos(s), format!("dnsServiceIp {ip} must be inside service CIDR {service_cidr} and not its network or first address"), format!("use {}", service_cidr.nth(10).map(|a| a.to_string()).unwrap_or_default())));
                    return None;
                }
                Err(_) => {
                    self.errors.push(DesignError::at(
                        self.file,
                        pos(s),
                        format!("dnsServiceIp `{}` is not an IP address", s.value),
                        "e.g. 172.16.0.10",
                    ));
                    return None;
                }
            },
            None => match service_cidr.nth(10) {
                Some(ip) => ip,
                None => {
                    // A service CIDR too small to hold the default DNS service IP (.10).
                    let at = net.service_cidr.as_ref().map(pos).unwrap_or(p);
                    self.errors.push(DesignError::at(
                        self.file,
                        at,
                        format!(
                            "service CIDR {service_cidr} holds {} address(es): too few for the cluster DNS service IP (.10) and the cluster's Services",
                            service_cidr.size()
                        ),
                        "use a /16 (AKS's default size), e.g. 172.16.0.0/16",
                    ));
                    return None;
                }
            },
        };
        let pod_cidr = if matches!(mode, NetworkMode::Overlay | NetworkMode::Kubenet) {
            let nodes: u128 = spoke
                .cluster
                .node_pools
                .iter()
                .map(|np| u128::from(PoolDemand::of(mode, &pool_profile(np)).total_nodes()))
                .sum();
            let need_len = aksnet_model::aks::pod_cidr_len_for(nodes);
            match &net.pod_cidr {
                Some(s) => {
                    self.check_cidr("pod CIDR", s, &avoid, routed, spoke);
                    if s.value.overlaps(&service_cidr) {
                        self.errors.push(DesignError::at(
                            self.file,
                            pos(s),
                            format!("pod CIDR {} overlaps service CIDR {service_cidr}", s.value),
                            "give pods and services separate ranges",
                        ));
                    }
                    if !aksnet_model::aks::pod_cidr_holds(&s.value, nodes) {
                        self.errors.push(DesignError::at(self.file, pos(s), format!("pod CIDR {} holds {} node /24s; the cluster can reach {nodes} nodes with surge", s.value, aksnet_model::aks::pod_cidr_node_slots(&s.value)), format!("use a /{need_len} or larger")));
                    }
                    why.push("pod CIDR from the intent".to_string());
                    Some(s.value)
                }
                None => {
                    let len = need_len.min(16);
                    let avoid_pods = avoid.union(&[service_cidr].into_iter().collect());
                    let Some(c) = first_free_in(
                        &avoid_pods,
                        &["192.168.0.0/16", "100.64.0.0/10", "172.16.0.0/12"],
                        len,
                    ) else {
                        self.errors.push(DesignError::at(
                            self.file,
                            p,
                            format!("spoke `{}`: no free /{len} for the pod CIDR", spoke.name),
                            "set cluster.network.podCidr",
                        ));
                        return None;
                    };
                    why.push(format!(
                        "pod CIDR {c}: {nodes} nodes × /24, at least a /16, outside routed space"
                    ));
                    Some(c)
                }
            }
        } else {
            None
        };
        Some(SpokePlan {
            vnet,
            network_mode: mode_name(mode),
            pod_cidr,
            service_cidr,
            dns_service_ip,
            cidr_why: why.join("; "),
        })
    }

    fn check_cidr(
        &mut self,
        what: &str,
        s: &At<Prefix>,
        avoid: &PrefixSet,
        routed: &PrefixSet,
        spoke: &SpokeIntent,
    ) {
        if !avoid.overlaps(&s.value) {
            return;
        }
        let m = if routed.overlaps(&s.value) {
            let clash = match self.clash(&s.value) {
                Some((label, q)) => format!("{label} ({q})"),
                None => "routed space".to_string(),
            };
            format!(
                "spoke `{}`: {what} {} overlaps {clash}; packets to it would never leave the node",
                spoke.name, s.value
            )
        } else {
            format!("spoke `{}`: {what} {} overlaps a range AKS reserves (169.254/16, 172.30/16, 172.31/16, 192.0.2/24)", spoke.name, s.value)
        };
        self.errors.push(DesignError::at(
            self.file,
            pos(s),
            m,
            "omit it to let the planner choose a free range",
        ));
    }
}

fn first_free_in(avoid: &PrefixSet, candidates: &[&str], len: u8) -> Option<Prefix> {
    candidates.iter().find_map(|c| {
        let within: Prefix = c.parse().expect("constant");
        avoid.first_free(&within, len)
    })
}

/// Places subnets in `space`, largest first; returns them in address order, or the name of the
/// first subnet that did not fit.
pub(crate) fn layout(space: Prefix, reqs: &[Request]) -> Result<Vec<SubnetPlan>, Option<String>> {
    let mut order: Vec<&Request> = reqs.iter().collect();
    order.sort_by_key(|r| r.len);
    let mut used = PrefixSet::new();
    let mut out = Vec::new();
    for r in order {
        let Some(p) = used.first_free(&space, r.len) else {
            return Err(Some(r.name.clone()));
        };
        used.insert(p);
        out.push(SubnetPlan {
            name: r.name.clone(),
            role: r.role.clone(),
            prefix: p,
            usable: azure::usable_addresses(&p),
            needed: r.need,
            why: r.why.clone(),
        });
    }
    out.sort_by_key(|s| s.prefix);
    Ok(out)
}
