//! Name resolution as a VNet's clients really resolve (azure-semantics §7.1, §7.4), the third
//! stage of the data plane: indexed from the estate against the [`Topology`] and its
//! [`Endpoints`] (whose private API servers AKS writes records for).
//!
//! A client asks the DNS servers its network interface names (`dnsSettings.dnsServers`, which
//! override the VNet's), else those its VNet names (`dhcpOptions.dnsServers`), or Azure-provided
//! DNS (168.63.129.16) when it names none. Azure DNS answers for a VNet from the forwarding
//! rulesets linked to it, then from the private zones linked to it. An Azure Firewall with its
//! DNS proxy on forwards to its policy's `servers`, or to Azure DNS from the firewall's VNet; a
//! DNS Private Resolver inbound endpoint answers as Azure DNS from the resolver's VNet. Any other
//! server is not explained by the estate: its answer is `unknown`, with the reason.
//!
//! Sources beyond azure-semantics §12: [RESOLVER-RULESETS]
//! learn.microsoft.com/azure/dns/private-resolver-endpoints-rulesets (inbound endpoints, rules,
//! "Rule processing"); [FW-DNS] learn.microsoft.com/azure/firewall/dns-settings (DNS proxy);
//! [NIC-DNS] learn.microsoft.com/azure/virtual-network/virtual-network-network-interface ("Change
//! DNS servers": a NIC "can inherit the settings from the virtual network, or use its own unique
//! settings that override the setting for the virtual network").

use std::collections::HashMap;
use std::net::IpAddr;

use aksnet_model::azure::{AZURE_DNS, AZURE_PROVIDED_DNS, DNS_PORT, WILDCARD_RULE_RESERVED};
use aksnet_model::firewall::{classic, DnsSettings};
use aksnet_model::{Estate, ResourceId};
use serde::Serialize;

use crate::endpoints::{EndpointKind, Endpoints};
use crate::index::IndexVec;
use crate::topology::{Topology, VnetIx};

/// How a name resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "answer")]
pub enum Answer {
    /// An A record in a linked private zone.
    Private {
        /// The address.
        ip: IpAddr,
        /// The zone.
        zone: String,
    },
    /// A linked privatelink zone without the record: NXDOMAIN (no fallback unless the link's
    /// resolution policy is `NxDomainRedirect`) [PE-DNS] [DNS-FALLBACK].
    NxDomain {
        /// The zone.
        zone: String,
    },
    /// Public resolution (no linked zone for the name): the service's public address.
    Public,
    /// No server answers (a firewall whose DNS proxy is off does not listen on port 53; a
    /// resolution loop): the name does not resolve.
    Unanswered {
        /// Why, naming the server.
        reason: String,
    },
    /// The estate does not hold the answer (a DNS server it does not explain, servers that
    /// answer differently): never guessed.
    Unknown {
        /// Why, naming the server.
        reason: String,
    },
}

/// A server that handled a query on its way to the answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "server")]
pub enum Server {
    /// Azure-provided DNS (168.63.129.16) answering for a VNet: its rulesets, then its zones.
    AzureDns {
        /// The VNet the query is answered for.
        vnet: String,
    },
    /// Azure Firewall's DNS proxy.
    FirewallProxy {
        /// The firewall's private address.
        ip: IpAddr,
        /// The firewall's name.
        firewall: String,
    },
    /// A DNS Private Resolver inbound endpoint.
    ResolverInbound {
        /// The endpoint's address.
        ip: IpAddr,
        /// The endpoint's name.
        endpoint: String,
    },
    /// A DNS forwarding rule that sent the query on.
    ForwardingRule {
        /// `ruleset/rule`.
        rule: String,
        /// The rule's domain (`.` for the wildcard).
        domain: String,
    },
}

impl std::fmt::Display for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Server::AzureDns { vnet } => write!(f, "Azure DNS for {vnet}"),
            Server::FirewallProxy { ip, firewall } => write!(f, "{firewall} DNS proxy ({ip})"),
            Server::ResolverInbound { ip, endpoint } => {
                write!(f, "resolver inbound endpoint {endpoint} ({ip})")
            }
            Server::ForwardingRule { rule, domain } => {
                write!(f, "forwarding rule {rule} ({domain})")
            }
        }
    }
}

/// Who asks: a client in a VNet, on a network interface the estate may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Client<'a> {
    /// The client's VNet.
    pub vnet: VnetIx,
    /// The client's network interface, when known: its own DNS servers, if it names any,
    /// override the VNet's [NIC-DNS].
    pub nic: Option<&'a ResourceId>,
}

impl<'a> Client<'a> {
    /// A client of VNet `v` on no particular NIC (the VNet's DNS servers).
    pub fn vnet(v: VnetIx) -> Self {
        Client { vnet: v, nic: None }
    }

    /// The client at address `ip` in VNet `v`: on the NIC IP configuration holding `ip`, when
    /// the estate has one in that VNet.
    pub fn at(t: &'a Topology, v: VnetIx, ip: IpAddr) -> Self {
        let nic = t
            .subnet_holding(ip, &[v])
            .and_then(|s| t.nic_at(s, ip))
            .map(|n| &n.nic);
        Client { vnet: v, nic }
    }
}

/// Whose setting names the DNS servers a client asks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "setting")]
pub enum ServersFrom {
    /// The client's VNet (`dhcpOptions.dnsServers`).
    Vnet {
        /// The VNet's name.
        vnet: String,
        /// Whether it names servers (otherwise Azure-provided DNS, the default).
        custom: bool,
    },
    /// The client's network interface (`dnsSettings.dnsServers`), overriding its VNet's.
    Nic {
        /// The NIC's name.
        nic: String,
        /// Its VNet's name.
        vnet: String,
    },
}

impl ServersFrom {
    /// Where the servers came from, in a few words; `None` for a VNet on Azure-provided DNS by
    /// default (nothing to say).
    pub fn text(&self) -> Option<String> {
        match self {
            ServersFrom::Vnet { custom: false, .. } => None,
            ServersFrom::Vnet { vnet, .. } => Some(format!("DNS servers set on {vnet}")),
            ServersFrom::Nic { nic, vnet } => {
                Some(format!("DNS servers set on NIC {nic}, overriding {vnet}'s"))
            }
        }
    }
}

/// A name's resolution: the answer and the servers that gave it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolution {
    /// The answer.
    #[serde(flatten)]
    pub answer: Answer,
    /// The servers the query went through, the client's first; the last answered.
    pub via: Vec<Server>,
    /// Whose setting named the client's servers (set by [`Views::resolve`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servers: Option<ServersFrom>,
    /// The VNet whose Azure DNS answered, when one did.
    #[serde(skip)]
    pub vnet: Option<VnetIx>,
    /// Servers passed over (not answering), and the like.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Resolution {
    fn of(answer: Answer) -> Self {
        Resolution {
            answer,
            via: Vec::new(),
            servers: None,
            vnet: None,
            notes: Vec::new(),
        }
    }

    /// The server chain as text (`a → b → c`), or `None` when the client's own Azure DNS
    /// answered directly (nothing to add to the answer).
    pub fn via_text(&self) -> Option<String> {
        if self.via.len() <= 1
            && self
                .via
                .first()
                .is_none_or(|s| matches!(s, Server::AzureDns { .. }))
        {
            return None;
        }
        Some(
            self.via
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" → "),
        )
    }

    /// The first server the client asks, when it is not Azure-provided DNS (whose address is
    /// not subject to NSGs or routes [168-DOC] §1.7): a DNS query to it is a flow of its own.
    pub fn client_server(&self) -> Option<IpAddr> {
        match self.via.first()? {
            Server::FirewallProxy { ip, .. } | Server::ResolverInbound { ip, .. } => Some(*ip),
            _ => None,
        }
    }
}

/// The most servers one query may pass through before the engine gives up (`unknown`).
const MAX_CHAIN: usize = 8;

/// What a DNS server the estate explains does with a query.
#[derive(Clone, Debug)]
enum Known {
    /// An Azure Firewall's private address.
    Firewall {
        /// The firewall's name.
        name: String,
        /// Its VNet (from its first IP configuration's subnet).
        vnet: Option<VnetIx>,
        /// Its DNS proxy.
        proxy: Proxy,
    },
    /// A DNS Private Resolver inbound endpoint.
    Inbound {
        /// The endpoint's name.
        name: String,
        /// The resolver's VNet (the endpoint subnet's).
        vnet: VnetIx,
    },
}

/// An Azure Firewall's DNS proxy.
#[derive(Clone, Debug)]
enum Proxy {
    /// Off (Azure's default): the firewall does not listen on port 53.
    Off,
    /// On, forwarding to these servers (none: Azure DNS), or why they are not known.
    On(Result<Vec<IpAddr>, String>),
    /// The estate does not say (no policy, or the policy is absent).
    Unknown(String),
}

/// A forwarding rule of a ruleset linked to a VNet.
#[derive(Clone, Debug)]
struct Rule {
    /// `ruleset/rule`.
    name: String,
    /// The domain, lowercase without the final dot; empty for the wildcard `.`.
    domain: String,
    /// Its target servers in order, or why they are not known.
    targets: Result<Vec<IpAddr>, String>,
}

impl Rule {
    /// Whether the rule applies to `name` (lowercase, no final dot): the domain or a name under
    /// it; the wildcard applies to every name except those under the domains reserved for Azure
    /// services [`WILDCARD_RULE_RESERVED`].
    fn matches(&self, name: &str) -> bool {
        if self.domain.is_empty() {
            return !WILDCARD_RULE_RESERVED.iter().any(|d| under(name, d));
        }
        under(name, &self.domain)
    }
}

/// `name` is `domain` or a name under it.
fn under(name: &str, domain: &str) -> bool {
    name == domain
        || name
            .strip_suffix(domain)
            .is_some_and(|stem| stem.ends_with('.'))
}

/// How a list of DNS servers is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Order {
    /// The first server that answers decides: a forwarding rule's targets ("the first IP
    /// address that is entered is used unless it doesn't respond" [RESOLVER-RULESETS]).
    FirstAnswering,
    /// Which one is asked is not documented (a VNet's DNS servers, left to each client's
    /// resolver; a firewall DNS proxy's servers): the answer is known only when every server
    /// that answers agrees.
    Agreeing,
}

/// The DNS proxy settings an Azure Firewall takes from its policy: the policy's own
/// `dnsSettings` (the proxy is off unless `enableProxy` is true — "By default, DNS Proxy is
/// disabled", learn.microsoft.com/azure/firewall/dns-settings). One reading for the DNS
/// answer here and for FQDN network rules in [`crate::firewall`].
pub fn proxy_settings<'e>(estate: &'e Estate, policy: &ResourceId) -> Option<&'e DnsSettings> {
    estate
        .firewall_policies
        .get(policy)
        .and_then(|p| p.properties.dns_settings.as_ref())
}

/// The privatelink name Azure's public DNS CNAMEs a service name to [ACRPL] [PEOV-OLD] §7.1:
/// `x.azurecr.io` → `x.privatelink.azurecr.io`, `x.<region>.data.azurecr.io` →
/// `x.<region>.data.privatelink.azurecr.io`, `x.vault.azure.net` →
/// `x.privatelink.vaultcore.azure.net`. Other names are looked up as they are.
pub fn privatelink_name(name: &str) -> String {
    let n = name.trim_end_matches('.').to_ascii_lowercase();
    if let Some(stem) = n
        .strip_suffix(".azurecr.io")
        .filter(|s| !s.contains("privatelink"))
    {
        return format!("{stem}.privatelink.azurecr.io");
    }
    if let Some(stem) = n.strip_suffix(".vault.azure.net") {
        return format!("{stem}.privatelink.vaultcore.azure.net");
    }
    n
}

/// An A record of a private zone: its address, or why it is unknown.
#[derive(Clone, Debug)]
enum Record {
    /// The address.
    Known(IpAddr),
    /// Not known before deployment (an endpoint's dynamic address), with the reason.
    Unknown(String),
}

/// The A records private endpoints' DNS zone groups keep: for each zone a group names, one
/// record per FQDN of the endpoint with its private address ("Azure Private Endpoint DNS
/// integration": a private DNS zone group creates and maintains them, §7.1). The FQDNs are the
/// endpoint's `customDnsConfigs` when it states them (exports do), else those of the service it
/// connects to — a registry's login server and data endpoints, a vault's name — with the
/// addresses of its IP configurations; a service aksnet does not know gives none.
fn zone_group_records(estate: &Estate) -> Vec<((ResourceId, String), Record)> {
    let mut out = Vec::new();
    for g in estate.private_dns_zone_groups.iter() {
        let Some(pe) = g.id.parent().and_then(|p| estate.private_endpoints.get(&p)) else {
            continue;
        };
        let fqdns = endpoint_fqdns(estate, pe);
        for c in &g.properties.private_dns_zone_configs {
            let zone_id = &c.properties.private_dns_zone_id;
            let zone = estate
                .private_dns_zones
                .get(zone_id)
                .map_or_else(|| zone_id.name(), |z| z.name.as_str())
                .to_ascii_lowercase();
            for (fqdn, ip) in &fqdns {
                let Some(relative) = privatelink_name(fqdn)
                    .strip_suffix(&format!(".{zone}"))
                    .map(str::to_string)
                else {
                    continue;
                };
                let record = match ip {
                    Some(ip) => Record::Known(*ip),
                    None => Record::Unknown(format!(
                        "private endpoint `{}` takes its address at deployment (dynamic), and its zone group's record holds it",
                        pe.name
                    )),
                };
                out.push(((zone_id.clone(), relative), record));
            }
        }
    }
    out
}

/// A private endpoint's FQDNs with their addresses (`None`: assigned at deployment).
fn endpoint_fqdns(
    estate: &Estate,
    pe: &aksnet_model::Resource<aksnet_model::private::PrivateEndpoint>,
) -> Vec<(String, Option<IpAddr>)> {
    let p = &pe.properties;
    let stated: Vec<(String, Option<IpAddr>)> = p
        .custom_dns_configs
        .iter()
        .filter_map(|c| {
            let ip = c.ip_addresses.first().and_then(|a| a.parse().ok());
            Some((c.fqdn.clone()?.to_ascii_lowercase(), ip))
        })
        .collect();
    if !stated.is_empty() {
        return stated;
    }
    let member_ip = |member: &str| {
        p.ip_configurations
            .iter()
            .find(|c| c.properties.member_name.eq_ignore_ascii_case(member))
            .and_then(|c| c.properties.private_ip_address.parse().ok())
    };
    let mut out = Vec::new();
    for conn in &p.private_link_service_connections {
        let target = &conn.properties.private_link_service_id;
        let name = target.name().to_ascii_lowercase();
        let kind = target.as_str().to_ascii_lowercase();
        if kind.contains("/microsoft.containerregistry/registries/") {
            out.push((format!("{name}.azurecr.io"), member_ip("registry")));
            // One data endpoint per region the registry serves: its home region here.
            let location = estate
                .container_registries
                .get(target)
                .and_then(|r| r.location.clone())
                .or_else(|| pe.location.clone());
            if let Some(l) = location {
                let l = aksnet_model::azure::short_location(&l);
                out.push((
                    format!("{name}.{l}.data.azurecr.io"),
                    member_ip(&format!("registry_data_{l}")),
                ));
            }
        } else if kind.contains("/microsoft.keyvault/vaults/") {
            out.push((format!("{name}.vault.azure.net"), member_ip("default")));
        }
    }
    out
}

/// A private zone linked to a VNet.
#[derive(Clone, Debug)]
struct Linked {
    /// Zone name, lowercase.
    name: String,
    /// Zone id.
    zone: ResourceId,
    /// The link's resolution policy is `NxDomainRedirect`.
    redirect: bool,
}

/// A private cluster's API server record, which AKS writes at deployment
/// ([`Views::aks_record`]).
#[derive(Clone, Debug)]
struct AksRecord {
    /// The API server's private FQDN (indexed in lower case).
    fqdn: String,
    /// Its predicted address.
    ip: IpAddr,
    /// The cluster's `privateDNSZone` setting (`system` when absent).
    zone: String,
    /// The cluster's VNet.
    home: VnetIx,
}

/// Private DNS as each VNet sees it, indexed once when the data plane is compiled, so that a
/// resolution is a lookup rather than a scan of every zone, link and record.
#[derive(Clone, Debug, Default)]
pub struct Views {
    /// Per VNet: the zones linked to it.
    linked: IndexVec<VnetIx, Vec<Linked>>,
    /// `(zone id, lowercase relative name)` → the record's first IPv4 address (`None` when it
    /// has none or it does not parse).
    records: HashMap<(ResourceId, String), Record>,
    /// The records AKS writes for private API servers, in endpoint order.
    aks: HashMap<String, Vec<AksRecord>>,
    /// VNet names, for the servers' descriptions.
    vnet_names: IndexVec<VnetIx, String>,
    /// Per VNet: the DNS servers its clients ask (`dhcpOptions.dnsServers`; empty: Azure DNS),
    /// or why they are not known.
    servers: IndexVec<VnetIx, Result<Vec<IpAddr>, String>>,
    /// Per network interface that names its own DNS servers (`dnsSettings.dnsServers` not
    /// empty): its name and those servers (empty: Azure DNS), or why they are not known.
    nics: HashMap<ResourceId, (String, Result<Vec<IpAddr>, String>)>,
    /// The DNS servers the estate explains, by address.
    known: HashMap<IpAddr, Known>,
    /// Per VNet: the enabled forwarding rules of the rulesets linked to it.
    rules: IndexVec<VnetIx, Vec<Rule>>,
    /// Why each server address the estate names but does not explain is unknown.
    unexplained: HashMap<IpAddr, String>,
    /// Forwarding rules also match the privatelink name a queried name CNAMEs to
    /// (`Options::forwarding_rules_on_cname_targets`).
    rules_on_cname_targets: bool,
}

/// Parses a list of server addresses, or says which one is not an address.
fn addresses<'a>(
    list: impl IntoIterator<Item = &'a str>,
    whose: &str,
) -> Result<Vec<IpAddr>, String> {
    list.into_iter()
        .map(|a| {
            a.trim()
                .parse()
                .map_err(|_| format!("{whose} names DNS server `{a}`, which is not an address"))
        })
        .collect()
}

impl Views {
    /// Indexes the estate's zones, VNet links and A records against the topology's VNets, the
    /// records AKS writes for the private API servers among `endpoints`, each VNet's DNS
    /// servers, the firewalls and resolver inbound endpoints that answer DNS, and the
    /// forwarding rules linked to each VNet (`rules_on_cname_targets`: they also match the
    /// privatelink name a queried name CNAMEs to).
    pub fn build(
        estate: &Estate,
        t: &Topology,
        endpoints: &Endpoints,
        rules_on_cname_targets: bool,
        firewall_first_address: bool,
    ) -> Self {
        let vnet_ix: HashMap<&ResourceId, VnetIx> =
            t.vnets.iter_enumerated().map(|(i, v)| (&v.id, i)).collect();
        let mut linked: IndexVec<VnetIx, Vec<Linked>> =
            t.vnets.iter().map(|_| Vec::new()).collect();
        for l in estate.virtual_network_links.iter() {
            let Some(zone) = l.id.parent() else { continue };
            let (Some(z), Some(&v)) = (
                estate.private_dns_zones.get(&zone),
                vnet_ix.get(&l.properties.virtual_network.id),
            ) else {
                continue;
            };
            linked[v].push(Linked {
                name: z.name.to_ascii_lowercase(),
                zone,
                redirect: l.properties.resolution_policy.as_deref() == Some("NxDomainRedirect"),
            });
        }
        let mut records = HashMap::new();
        for r in estate.a_record_sets.iter() {
            // Record sets are `<zone id>/A/<relative name>`.
            let Some(zone) = r.id.parent() else { continue };
            let ip = r
                .properties
                .a_records
                .first()
                .and_then(|a| a.ipv4_address.parse().ok());
            records
                .entry((zone, r.name.to_ascii_lowercase()))
                .or_insert(ip.map_or_else(
                    || {
                        Record::Unknown(format!(
                            "A record `{}` has no address aksnet reads",
                            r.name
                        ))
                    },
                    Record::Known,
                ));
        }
        // What Azure writes for private endpoints' zone groups, where no record set says it.
        for (key, record) in zone_group_records(estate) {
            records.entry(key).or_insert(record);
        }
        let mut aks: HashMap<String, Vec<AksRecord>> = HashMap::new();
        let predicted = endpoints
            .iter()
            .filter(|e| e.kind == EndpointKind::ApiServerPrivate)
            .filter_map(|e| {
                let mc = estate.managed_clusters.get(&e.resource)?;
                let zone = mc
                    .properties
                    .api_server_access_profile
                    .as_ref()
                    .and_then(|a| a.private_dns_zone.clone())
                    .unwrap_or_else(|| "system".into());
                Some(AksRecord {
                    fqdn: e.fqdn.clone()?,
                    ip: e.ip,
                    zone,
                    home: t.subnets[e.subnet?].vnet,
                })
            });
        for r in predicted {
            aks.entry(r.fqdn.to_ascii_lowercase()).or_default().push(r);
        }
        let vnet_names: IndexVec<VnetIx, String> = t.vnets.iter().map(|v| v.name.clone()).collect();
        let servers: IndexVec<VnetIx, _> = t
            .vnets
            .iter()
            .map(|v| {
                let list = estate
                    .virtual_networks
                    .get(&v.id)
                    .and_then(|r| r.properties.dhcp_options.as_ref())
                    .map(|d| d.dns_servers.as_slice())
                    .unwrap_or_default();
                addresses(list.iter().map(String::as_str), &v.name)
            })
            .collect();
        let nics = nic_servers(estate);
        let known = known_servers(estate, &vnet_ix, firewall_first_address);
        let rules = linked_rules(estate, t, &vnet_ix);
        let unexplained = unexplained(t, &servers, &nics, &rules, &known);
        Views {
            linked,
            records,
            aks,
            vnet_names,
            servers,
            nics,
            known,
            rules,
            unexplained,
            rules_on_cname_targets,
        }
    }

    /// Resolves `name` as `client` does: through the DNS servers its network interface names,
    /// which override its VNet's ("The DNS server address you specify is assigned only to this
    /// network interface and overrides any DNS setting for the virtual network" [NIC-DNS]),
    /// else those its VNet names, or Azure-provided DNS when neither names any ([168-DOC];
    /// azure-semantics §7.4: "VNets with custom DNS servers need those servers (or a DNS Private
    /// Resolver) in a linked VNet to forward to 168.63.129.16"). The one resolution every
    /// caller uses; the answer says whose setting named the servers.
    pub fn resolve(&self, client: Client<'_>, name: &str) -> Resolution {
        let v = client.vnet;
        let vnet = self.vnet_names.get(v).cloned().unwrap_or_default();
        let (from, list) = match client.nic.and_then(|n| self.nics.get(n)) {
            Some((nic, list)) => (
                ServersFrom::Nic {
                    nic: nic.clone(),
                    vnet,
                },
                Some(list),
            ),
            None => {
                let list = self.servers.get(v);
                let custom = !matches!(list, Some(Ok(l)) if l.is_empty());
                (ServersFrom::Vnet { vnet, custom }, list)
            }
        };
        let mut path = Vec::new();
        let mut r = match list {
            None => Resolution::of(Answer::Unknown {
                reason: "the client's VNet is not in the estate".into(),
            }),
            Some(Err(reason)) => Resolution::of(Answer::Unknown {
                reason: reason.clone(),
            }),
            Some(Ok(list)) if list.is_empty() => self.azure(v, name, &mut path),
            Some(Ok(list)) => self.ask(list, Order::Agreeing, Some(v), name, &mut path),
        };
        r.servers = Some(from);
        r
    }

    /// Asks a list of servers in `order`, from VNet `from` (whose Azure DNS 168.63.129.16 is).
    fn ask(
        &self,
        list: &[IpAddr],
        order: Order,
        from: Option<VnetIx>,
        name: &str,
        path: &mut Vec<Hop>,
    ) -> Resolution {
        let mut silent = Vec::new();
        let mut answers: Vec<(IpAddr, Resolution)> = Vec::new();
        for &ip in list {
            let r = self.server(ip, from, name, path);
            if let Answer::Unanswered { reason } = &r.answer {
                silent.push(reason.clone());
                continue;
            }
            answers.push((ip, r));
            if order == Order::FirstAnswering {
                break;
            }
        }
        let Some((_, first)) = answers.first() else {
            return Resolution::of(Answer::Unanswered {
                reason: silent.join("; "),
            });
        };
        let mut out = if answers.iter().all(|(_, r)| r.answer == first.answer) {
            first.clone()
        } else {
            Resolution::of(Answer::Unknown {
                reason: format!(
                    "the DNS servers answer differently ({}) and which one is asked is up to the client",
                    answers
                        .iter()
                        .map(|(ip, r)| format!("{ip}: {}", brief(&r.answer)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
        };
        out.notes.extend(silent);
        out
    }

    /// Asks one server.
    fn server(
        &self,
        ip: IpAddr,
        from: Option<VnetIx>,
        name: &str,
        path: &mut Vec<Hop>,
    ) -> Resolution {
        if ip == IpAddr::V4(AZURE_DNS) {
            return match from {
                Some(v) => self.azure(v, name, path),
                None => Resolution::of(Answer::Unknown {
                    reason: "Azure DNS asked from a VNet the estate does not hold".into(),
                }),
            };
        }
        if path.len() >= MAX_CHAIN {
            return Resolution::of(Answer::Unknown {
                reason: format!("the query passes more than {MAX_CHAIN} DNS servers"),
            });
        }
        if path.contains(&Hop::Server(ip)) {
            return Resolution::of(Answer::Unanswered {
                reason: format!("DNS resolution loop: the query comes back to {ip}"),
            });
        }
        let (me, mut r) = match self.known.get(&ip) {
            None => {
                return Resolution::of(Answer::Unknown {
                    reason: self
                        .unexplained
                        .get(&ip)
                        .cloned()
                        .unwrap_or_else(|| format!("DNS server {ip} is not in the estate")),
                })
            }
            Some(Known::Firewall {
                name: fw,
                proxy,
                vnet,
            }) => {
                let me = Server::FirewallProxy {
                    ip,
                    firewall: fw.clone(),
                };
                path.push(Hop::Server(ip));
                let r = match proxy {
                    Proxy::Off => Resolution::of(Answer::Unanswered {
                        reason: format!(
                            "{fw} ({ip}) has its DNS proxy off, so it does not listen on port {DNS_PORT}"
                        ),
                    }),
                    Proxy::Unknown(reason) => Resolution::of(Answer::Unknown {
                        reason: reason.clone(),
                    }),
                    Proxy::On(Err(reason)) => Resolution::of(Answer::Unknown {
                        reason: reason.clone(),
                    }),
                    // No servers: Azure DNS, from the firewall's VNet [FW-DNS].
                    Proxy::On(Ok(list)) if list.is_empty() => match vnet {
                        Some(v) => self.azure(*v, name, path),
                        None => Resolution::of(Answer::Unknown {
                            reason: format!("{fw}'s VNet is not in the estate"),
                        }),
                    },
                    Proxy::On(Ok(list)) => self.ask(list, Order::Agreeing, *vnet, name, path),
                };
                (me, r)
            }
            Some(Known::Inbound { name: ep, vnet }) => {
                path.push(Hop::Server(ip));
                // "DNS queries sent to the inbound endpoint are resolved using Azure DNS" from
                // the resolver's VNet [RESOLVER-RULESETS].
                let me = Server::ResolverInbound {
                    ip,
                    endpoint: ep.clone(),
                };
                (me, self.azure(*vnet, name, path))
            }
        };
        path.pop();
        r.via.insert(0, me);
        r
    }

    /// Azure-provided DNS answering for VNet `v`: a forwarding rule of a ruleset linked to `v`
    /// that matches the name (longest domain; the query name first, then — unless switched off —
    /// the privatelink name public DNS CNAMEs it to) sends it to the rule's targets — "If a ruleset is linked to the
    /// Hub, all DNS traffic sent to the inbound endpoint is processed by the ruleset", and a rule
    /// to the inbound endpoint of the ruleset's own VNet loops [RESOLVER-RULESETS]; otherwise
    /// the private zones linked to `v` answer ([`Views::zones`]).
    fn azure(&self, v: VnetIx, name: &str, path: &mut Vec<Hop>) -> Resolution {
        let vnet = self.vnet_names.get(v).cloned().unwrap_or_default();
        if path.contains(&Hop::Azure(v)) {
            return Resolution::of(Answer::Unanswered {
                reason: format!("DNS resolution loop: the query comes back to Azure DNS for {vnet} (a ruleset linked to the VNet of the inbound endpoint it forwards to)"),
            });
        }
        let queried = name.trim_end_matches('.').to_ascii_lowercase();
        let target = privatelink_name(name);
        let rule = self.rule_for(v, &queried).or_else(|| {
            self.rules_on_cname_targets
                .then(|| self.rule_for(v, &target))
                .flatten()
        });
        let mut r = match rule {
            None => Resolution {
                answer: self.zones(v, name),
                via: Vec::new(),
                servers: None,
                vnet: Some(v),
                notes: Vec::new(),
            },
            Some(rule) => {
                path.push(Hop::Azure(v));
                let mut r = match &rule.targets {
                    Err(reason) => Resolution::of(Answer::Unknown {
                        reason: reason.clone(),
                    }),
                    Ok(list) => self.ask(list, Order::FirstAnswering, Some(v), name, path),
                };
                path.pop();
                r.via.insert(
                    0,
                    Server::ForwardingRule {
                        rule: rule.name.clone(),
                        domain: if rule.domain.is_empty() {
                            ".".into()
                        } else {
                            format!("{}.", rule.domain)
                        },
                    },
                );
                r
            }
        };
        r.via.insert(0, Server::AzureDns { vnet });
        r
    }

    /// The forwarding rule for `name` among those linked to `v`: the longest matching domain
    /// ("If multiple rules are matched, the longest prefix match is used" [RESOLVER-RULESETS]).
    fn rule_for(&self, v: VnetIx, name: &str) -> Option<&Rule> {
        let mut best: Option<&Rule> = None;
        for r in self.rules.get(v).map(Vec::as_slice).unwrap_or_default() {
            if r.matches(name) && best.is_none_or(|b| r.domain.len() > b.domain.len()) {
                best = Some(r);
            }
        }
        best
    }

    /// The private zones linked to VNet `v` answering `name` (Azure DNS for `v`): the longest
    /// linked zone that is a suffix of the (CNAME-followed) name decides; links do not follow
    /// peering [DNSLINK] §7.4.
    fn zones(&self, v: VnetIx, name: &str) -> Answer {
        let target = privatelink_name(name);
        // The longest zone linked to this VNet that is a suffix of the name (Azure refuses two
        // zones of one name linked to one VNet, so there are no ties).
        let mut best: Option<&Linked> = None;
        for l in self.linked.get(v).map(Vec::as_slice).unwrap_or_default() {
            let z = &l.name;
            if (target == *z || target.ends_with(&format!(".{z}")))
                && best.is_none_or(|b| z.len() > b.name.len())
            {
                best = Some(l);
            }
        }
        let Some(Linked {
            name: zone,
            zone: zone_id,
            redirect,
        }) = best
        else {
            return match self.aks_record(&target, None) {
                Some((ip, home)) if home == v => Answer::Private {
                    ip,
                    zone: "(AKS-managed zone)".into(),
                },
                _ => Answer::Public,
            };
        };
        let relative = target.strip_suffix(&format!(".{zone}")).unwrap_or("@");
        let record = match self.records.get(&(zone_id.clone(), relative.to_string())) {
            Some(Record::Known(ip)) => Some(*ip),
            Some(Record::Unknown(reason)) => {
                return Answer::Unknown {
                    reason: format!("{target} in {zone}: {reason}"),
                }
            }
            None => None,
        };
        let managed = || self.aks_record(&target, Some(zone_id)).map(|(ip, _)| ip);
        match record.or_else(managed) {
            Some(ip) => Answer::Private {
                ip,
                zone: zone.to_string(),
            },
            None if *redirect => Answer::Public,
            None => Answer::NxDomain {
                zone: zone.to_string(),
            },
        }
    }

    /// The record AKS itself writes for a private cluster's API server: with a bring-your-own
    /// zone (`privateDNSZone` is a zone id) in that zone, with `system` (or absent) in a zone
    /// AKS creates in the node resource group and links to the cluster VNet only; with `none`,
    /// no private record [AKS-PRIVATE] (azure-semantics §6.4). The record appears at deployment,
    /// so a designed estate never holds it. Returns the predicted address and the cluster's
    /// VNet when `name` is such a record in `zone` (`None`: the AKS-created zone, which is not
    /// in the estate).
    fn aks_record(&self, name: &str, zone: Option<&ResourceId>) -> Option<(IpAddr, VnetIx)> {
        self.aks
            .get(&name.to_ascii_lowercase())?
            .iter()
            .find(|r| match zone {
                Some(z) => r.zone.eq_ignore_ascii_case(z.as_str()),
                None => r.zone.eq_ignore_ascii_case("system"),
            })
            .map(|r| (r.ip, r.home))
    }
}

/// The network interfaces that name their own DNS servers (`dnsSettings.dnsServers` not empty;
/// empty inherits the VNet's [NIC-DNS]), with those servers: `["AzureProvidedDNS"]` is
/// Azure-provided DNS (an empty list here), which "cannot be combined with other IPs" — a list
/// that combines it, or names something that is not an address, is not known.
fn nic_servers(estate: &Estate) -> HashMap<ResourceId, (String, Result<Vec<IpAddr>, String>)> {
    estate
        .network_interfaces
        .iter()
        .filter_map(|nic| {
            let list = &nic.properties.dns_settings.as_ref()?.dns_servers;
            if list.is_empty() {
                return None;
            }
            let azure = |a: &String| a.trim().eq_ignore_ascii_case(AZURE_PROVIDED_DNS);
            let servers = match list.iter().filter(|a| azure(a)).count() {
                0 => addresses(list.iter().map(String::as_str), &format!("NIC {}", nic.name)),
                n if n == list.len() => Ok(Vec::new()),
                _ => Err(format!(
                    "NIC {} names `{AZURE_PROVIDED_DNS}` with other DNS servers, which Azure refuses (it must be the only value)",
                    nic.name
                )),
            };
            Some((nic.id.clone(), (nic.name.clone(), servers)))
        })
        .collect()
}

/// The DNS servers the estate explains, by address: Azure Firewalls (with their DNS proxy as
/// their policy sets it) and DNS Private Resolver inbound endpoints (with the resolver's VNet,
/// the endpoint subnet's).
fn known_servers(
    estate: &Estate,
    vnet_ix: &HashMap<&ResourceId, VnetIx>,
    firewall_first_address: bool,
) -> HashMap<IpAddr, Known> {
    let mut known = HashMap::new();
    for fw in estate.azure_firewalls.iter() {
        let Some(ip) = crate::endpoints::firewall_address(estate, fw, firewall_first_address)
        else {
            continue;
        };
        let vnet = fw
            .properties
            .ip_configurations
            .first()
            .and_then(|c| c.properties.subnet.id.parent())
            .and_then(|v| vnet_ix.get(&v).copied());
        let proxy = match &fw.properties.firewall_policy {
            // Classic settings (learn.microsoft.com/azure/firewall/dns-settings).
            None if classic::enable_proxy(&fw.properties.additional_properties) => {
                let servers =
                    classic::list(&fw.properties.additional_properties, classic::DNS_SERVERS);
                Proxy::On(addresses(
                    servers.iter().map(String::as_str),
                    &format!("{}'s additionalProperties", fw.name),
                ))
            }
            None => Proxy::Off,
            Some(p) if estate.firewall_policies.get(&p.id).is_none() => Proxy::Unknown(format!(
                "{}'s policy `{}` is not in the estate",
                fw.name,
                p.id.name()
            )),
            Some(p) => match proxy_settings(estate, &p.id) {
                Some(d) if d.enable_proxy => Proxy::On(addresses(
                    d.servers.iter().map(String::as_str),
                    &format!("{}'s policy", fw.name),
                )),
                _ => Proxy::Off,
            },
        };
        known.insert(
            ip,
            Known::Firewall {
                name: fw.name.clone(),
                vnet,
                proxy,
            },
        );
    }
    for ep in estate.inbound_endpoints.iter() {
        for c in &ep.properties.ip_configurations {
            let (Some(ip), Some(&vnet)) = (
                c.private_ip_address
                    .as_deref()
                    .and_then(|a| a.parse::<IpAddr>().ok()),
                c.subnet.id.parent().as_ref().and_then(|v| vnet_ix.get(v)),
            ) else {
                continue;
            };
            known.entry(ip).or_insert(Known::Inbound {
                name: ep.name.clone(),
                vnet,
            });
        }
    }
    known
}

/// Per VNet, the enabled forwarding rules of the rulesets linked to it.
fn linked_rules(
    estate: &Estate,
    t: &Topology,
    vnet_ix: &HashMap<&ResourceId, VnetIx>,
) -> IndexVec<VnetIx, Vec<Rule>> {
    let mut rules: IndexVec<VnetIx, Vec<Rule>> = t.vnets.iter().map(|_| Vec::new()).collect();
    for link in estate.ruleset_virtual_network_links.iter() {
        let (Some(ruleset), Some(&v)) = (
            link.id.parent(),
            vnet_ix.get(&link.properties.virtual_network.id),
        ) else {
            continue;
        };
        for r in estate.forwarding_rules.iter() {
            if r.id.parent().as_ref() != Some(&ruleset)
                || r.properties
                    .forwarding_rule_state
                    .as_deref()
                    .is_some_and(|st| st.eq_ignore_ascii_case("Disabled"))
            {
                continue;
            }
            let name = format!("{}/{}", ruleset.name(), r.name);
            rules[v].push(Rule {
                domain: r
                    .properties
                    .domain_name
                    .trim_end_matches('.')
                    .to_ascii_lowercase(),
                targets: addresses(
                    r.properties
                        .target_dns_servers
                        .iter()
                        .map(|d| d.ip_address.as_str()),
                    &format!("forwarding rule {name}"),
                ),
                name,
            });
        }
    }
    rules
}

/// Why each server address named anywhere (a VNet's or a NIC's servers, a rule's targets, a
/// firewall proxy's servers) that the estate does not explain is unknown, naming what the
/// address is.
fn unexplained(
    t: &Topology,
    servers: &IndexVec<VnetIx, Result<Vec<IpAddr>, String>>,
    nics: &HashMap<ResourceId, (String, Result<Vec<IpAddr>, String>)>,
    rules: &IndexVec<VnetIx, Vec<Rule>>,
    known: &HashMap<IpAddr, Known>,
) -> HashMap<IpAddr, String> {
    servers
        .iter()
        .chain(nics.values().map(|(_, l)| l))
        .chain(rules.iter().flatten().map(|r| &r.targets))
        .chain(known.values().filter_map(|k| match k {
            Known::Firewall {
                proxy: Proxy::On(list),
                ..
            } => Some(list),
            _ => None,
        }))
        .filter_map(|l| l.as_ref().ok())
        .flatten()
        .copied()
        .filter(|ip| *ip != IpAddr::V4(AZURE_DNS) && !known.contains_key(ip))
        .map(|ip| {
            let why = match t.subnets_containing(ip).next() {
                Some(s) => format!(
                    "DNS server {ip} is an address in {} that the estate does not describe as a DNS server (a VM's or appliance's DNS service is not modelled)",
                    t.subnets[s].label(t)
                ),
                None if t.on_premises.contains_addr(ip) => {
                    format!("DNS server {ip} is on premises; its answers are not in the estate")
                }
                None => format!("DNS server {ip} is not in the estate"),
            };
            (ip, why)
        })
        .collect()
}

/// A step of a query's path, for loop detection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hop {
    /// Azure DNS answering for a VNet.
    Azure(VnetIx),
    /// A server by address.
    Server(IpAddr),
}

/// An answer in a few words, for a message.
fn brief(a: &Answer) -> String {
    match a {
        Answer::Private { ip, .. } => ip.to_string(),
        Answer::NxDomain { .. } => "NXDOMAIN".into(),
        Answer::Public => "public address".into(),
        Answer::Unanswered { .. } => "no answer".into(),
        Answer::Unknown { .. } => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::{privatelink_name, under, Answer, Client, Rule, Server, ServersFrom, Views};
    use crate::endpoints::Endpoints;
    use crate::topology::Topology;
    use aksnet_model::Estate;
    use serde_json::{json, Value};

    const NET: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";

    /// A NIC `name` at `ip` in subnet `app` naming these DNS servers.
    fn nic(name: &str, ip: &str, servers: Value) -> Value {
        json!({ "id": format!("{NET}/networkInterfaces/{name}"), "name": name, "properties": {
            "dnsSettings": { "dnsServers": servers, "appliedDnsServers": [] },
            "ipConfigurations": [{ "name": "ipconfig1", "properties": { "primary": true,
                "privateIPAddress": ip, "privateIPAllocationMethod": "Dynamic",
                "subnet": { "id": format!("{NET}/virtualNetworks/v/subnets/app") } } }] } })
    }

    /// VNet `v` naming a VM's address (10.0.1.10, which the estate does not explain) as its DNS
    /// server, a firewall at 10.0.2.4 with its DNS proxy on, `privatelink.azurecr.io` linked to
    /// `v` with `cr` → 10.0.1.9, and NICs overriding the VNet's servers or not.
    fn estate() -> Estate {
        serde_json::from_value(json!({
            "aksnetSchema": 1, "name": "t",
            "virtualNetworks": [{ "id": format!("{NET}/virtualNetworks/v"), "name": "v", "properties": {
                "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
                "dhcpOptions": { "dnsServers": ["10.0.1.10"] },
                "subnets": [
                    { "name": "app", "properties": { "addressPrefix": "10.0.1.0/24" } },
                    { "name": "AzureFirewallSubnet", "properties": { "addressPrefix": "10.0.2.0/26" } }
                ] } }],
            "azureFirewalls": [{ "id": format!("{NET}/azureFirewalls/fw"), "name": "fw", "properties": {
                "sku": { "name": "AZFW_VNet", "tier": "Standard" },
                "ipConfigurations": [{ "name": "c", "properties": { "privateIPAddress": "10.0.2.4",
                    "subnet": { "id": format!("{NET}/virtualNetworks/v/subnets/AzureFirewallSubnet") } } }],
                "firewallPolicy": { "id": format!("{NET}/firewallPolicies/p") } } }],
            "firewallPolicies": [{ "id": format!("{NET}/firewallPolicies/p"), "properties": {
                "dnsSettings": { "enableProxy": true } } }],
            "privateDnsZones": [{ "id": format!("{NET}/privateDnsZones/privatelink.azurecr.io"),
                "name": "privatelink.azurecr.io", "properties": {} }],
            "virtualNetworkLinks": [{ "id": format!("{NET}/privateDnsZones/privatelink.azurecr.io/virtualNetworkLinks/v"),
                "properties": { "virtualNetwork": { "id": format!("{NET}/virtualNetworks/v") } } }],
            "aRecordSets": [{ "id": format!("{NET}/privateDnsZones/privatelink.azurecr.io/A/cr"), "name": "cr",
                "properties": { "ttl": 10, "aRecords": [{ "ipv4Address": "10.0.1.9" }] } }],
            "networkInterfaces": [
                nic("to-fw", "10.0.1.20", json!(["10.0.2.4"])),
                nic("azure", "10.0.1.21", json!(["AzureProvidedDNS"])),
                nic("inherit", "10.0.1.22", json!([])),
                nic("mixed", "10.0.1.23", json!(["AzureProvidedDNS", "10.0.2.4"])),
            ],
        }))
        .unwrap()
    }

    #[test]
    fn a_nic_s_own_dns_servers_override_its_vnet_s() {
        let e = estate();
        let t = Topology::new(&e);
        let views = Views::build(&e, &t, &Endpoints::new(&e, &t, false), true, false);
        let v = t.vnet_named("v").unwrap();
        let at = |ip: &str| views.resolve(Client::at(&t, v, ip.parse().unwrap()), "cr.azurecr.io");
        let private = Answer::Private {
            ip: "10.0.1.9".parse().unwrap(),
            zone: "privatelink.azurecr.io".into(),
        };
        // The VNet's server is a VM's address: unknown, from the VNet's setting — for the VNet,
        // an address on no NIC, and a NIC that inherits (empty list).
        for r in [
            views.resolve(Client::vnet(v), "cr.azurecr.io"),
            at("10.0.1.50"),
            at("10.0.1.22"),
        ] {
            assert!(
                matches!(&r.answer, Answer::Unknown { reason } if reason.contains("10.0.1.10")),
                "{r:?}"
            );
            assert_eq!(
                r.servers,
                Some(ServersFrom::Vnet {
                    vnet: "v".into(),
                    custom: true
                })
            );
        }
        // A NIC naming the firewall: its proxy forwards to Azure DNS for the firewall's VNet.
        let r = at("10.0.1.20");
        assert_eq!(r.answer, private);
        assert!(matches!(r.via[0], Server::FirewallProxy { .. }), "{r:?}");
        let from = r.servers.as_ref().and_then(ServersFrom::text).unwrap();
        assert_eq!(from, "DNS servers set on NIC to-fw, overriding v's");
        // `AzureProvidedDNS`: Azure DNS for the NIC's VNet, whatever the VNet names.
        let r = at("10.0.1.21");
        assert_eq!(r.answer, private);
        assert_eq!(r.via, vec![Server::AzureDns { vnet: "v".into() }]);
        // Combined with an address, which Azure refuses: unknown, naming why.
        let r = at("10.0.1.23");
        assert!(
            matches!(&r.answer, Answer::Unknown { reason } if reason.contains("AzureProvidedDNS")),
            "{r:?}"
        );
    }

    fn rule(domain: &str) -> Rule {
        Rule {
            name: "rs/r".into(),
            domain: domain.into(),
            targets: Ok(Vec::new()),
        }
    }

    #[test]
    fn rules_match_their_domain_and_names_under_it() {
        assert!(under("contoso.com", "contoso.com"));
        assert!(under("a.b.contoso.com", "contoso.com"));
        assert!(!under("notcontoso.com", "contoso.com"));
        assert!(rule("contoso.com").matches("www.contoso.com"));
        assert!(!rule("contoso.com").matches("contoso.org"));
        // The wildcard skips the domains reserved for Azure services.
        assert!(rule("").matches("example.org"));
        assert!(!rule("").matches("cr.privatelink.azurecr.io"));
        assert!(!rule("").matches("kv.privatelink.vaultcore.azure.net"));
    }

    #[test]
    fn cname_chain_to_privatelink() {
        assert_eq!(
            privatelink_name("crcontoso.azurecr.io"),
            "crcontoso.privatelink.azurecr.io"
        );
        assert_eq!(
            privatelink_name("crcontoso.westeurope.data.azurecr.io"),
            "crcontoso.westeurope.data.privatelink.azurecr.io"
        );
        assert_eq!(
            privatelink_name("kv-x.vault.azure.net."),
            "kv-x.privatelink.vaultcore.azure.net"
        );
        assert_eq!(privatelink_name("mcr.microsoft.com"), "mcr.microsoft.com");
    }
}
