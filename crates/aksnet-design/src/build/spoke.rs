//! One spoke: VNet and subnets with NSGs and the egress route table, the peering to the hub,
//! the internal load balancer frontend, Application Gateway + WAF, ACR and Key Vault behind
//! private endpoints, and the AKS cluster.

use std::collections::BTreeMap;

use crate::intent::At;
use aksnet_model::aks::{ApiServerAccessProfile, ManagedCluster, NetworkMode, NetworkProfile};
use aksnet_model::appgw::{
    ApplicationGateway, AutoscaleConfiguration, BackendAddress, BackendAddressPool, FrontendPort,
    GatewaySku, GatewaySubnetRef, ManagedRuleSet, ManagedRules, WafPolicy, WafPolicySettings,
};
use aksnet_model::azure;
use aksnet_model::network::{
    AddressSpace, Delegation, FrontendIpConfiguration, LoadBalancer, NetworkSecurityGroup,
    NextHopType, PublicIpAddress, RouteTable, VirtualNetwork, VirtualNetworkPeering,
};
use aksnet_model::paas::{
    ContainerRegistry, KeyVault, KeyVaultSku, NetworkAcls, UserAssignedIdentity,
};
use aksnet_model::private::{
    ARecord, ARecordSet, PrivateDnsZoneConfig, PrivateDnsZoneConfigProperties, PrivateDnsZoneGroup,
    PrivateEndpoint, PrivateEndpointIpConfiguration, PrivateLinkServiceConnection,
};
use aksnet_model::resource::Identity;
use aksnet_model::{Child, Estate, Resource, ResourceId, ResourceType};

use super::dns::{api_zone_name, zone_id, zone_name};
use super::hub::{public_ip, route, subnet_defaults};
use super::nsg::{app_gateway_rules, nsg};
use super::Ctx;
use crate::intent::{Frontend, Link, PrivateEndpointKind, SpokeIntent, WafMode};
use crate::plan::{SpokePlan, SubnetPlan};
use crate::sizing::{network_mode, pool_profile, SubnetRole};

/// Where one spoke's resources go.
struct Spoke<'a> {
    ctx: &'a Ctx<'a>,
    intent: &'a SpokeIntent,
    plan: &'a SpokePlan,
    subscription: String,
}

impl Spoke<'_> {
    fn rg(&self) -> String {
        format!("rg-{}-{}", self.ctx.name(), self.intent.name)
    }

    fn node_rg(&self) -> String {
        format!("{}-nodes", self.rg())
    }

    fn id(&self, provider_type: &str, name: &str) -> ResourceId {
        ResourceId::resource(&self.subscription, &self.rg(), provider_type, name)
    }

    fn vnet_id(&self) -> ResourceId {
        self.id(VirtualNetwork::TYPE, &self.plan.vnet.name)
    }

    fn subnet_id(&self, role: &SubnetRole) -> Option<ResourceId> {
        self.plan
            .vnet
            .subnet(role)
            .map(|s| self.vnet_id().child("subnets", &s.name))
    }

    fn subnet(&self, role: &SubnetRole) -> &SubnetPlan {
        self.plan
            .vnet
            .subnet(role)
            .expect("the planner creates every subnet the builder asks for")
    }

    fn loc(&self) -> &str {
        self.ctx.location()
    }
}

/// Builds one spoke. `appliance_ip` is the hub firewall/NVA that egress is forced through.
pub(super) fn build(
    ctx: &Ctx,
    estate: &mut Estate,
    spanned: &At<SpokeIntent>,
    plan: &SpokePlan,
    appliance_ip: Option<&str>,
) {
    let intent: &SpokeIntent = spanned;
    let s = Spoke {
        ctx,
        intent,
        plan,
        subscription: ctx.subscription(intent.subscription.as_deref()),
    };
    let rt = appliance_ip.map(|ip| route_table(&s, estate, ip));
    let agw_rt = appliance_ip
        .filter(|_| intent.ingress.app_gateway.is_some())
        .and_then(|ip| app_gateway_route_table(&s, estate, ip));
    vnet(&s, estate, rt.as_ref(), agw_rt.as_ref());
    let ilb_ip = intent
        .ingress
        .internal_load_balancer
        .then(|| internal_load_balancer(&s, estate));
    if intent.ingress.app_gateway.is_some() {
        app_gateway(&s, estate, ilb_ip.as_deref());
    }
    for kind in &intent.private_endpoints {
        private_endpoint(&s, estate, *kind);
    }
    cluster(&s, estate, appliance_ip.is_some());
}

/// `0.0.0.0/0 → appliance`, gateway propagation off, so nothing learned from on-premises can
/// bypass the firewall ([AKS-UDR], azure-semantics §2.6, §6.5).
fn route_table(s: &Spoke, estate: &mut Estate, appliance_ip: &str) -> ResourceId {
    let id = s.id(RouteTable::TYPE, &format!("rt-{}", s.intent.name));
    let route = route(
        &id,
        "default-to-firewall",
        super::hub::default_route(),
        NextHopType::VirtualAppliance,
        Some(appliance_ip),
    );
    estate.route_tables.insert(Resource::new(
        id.clone(),
        Some(s.loc()),
        RouteTable {
            disable_bgp_route_propagation: true,
            routes: vec![route],
        },
    ));
    id
}

/// The App Gateway subnet's table: App Gateway v2 must keep its own Internet route (no 0/0 to an
/// appliance [AGINFRA], azure-semantics §5.3), but replies to on-premises clients must return
/// through the firewall that inspected the request, so each on-premises prefix goes to the
/// appliance and gateway propagation is off (a supported UDR form). `None` without on-premises.
fn app_gateway_route_table(
    s: &Spoke,
    estate: &mut Estate,
    appliance_ip: &str,
) -> Option<ResourceId> {
    if s.ctx.intent.on_premises.link == Link::None || s.ctx.plan.on_premises.is_empty() {
        return None;
    }
    let id = s.id(RouteTable::TYPE, &format!("rt-agw-{}", s.intent.name));
    let routes = s
        .ctx
        .plan
        .on_premises
        .iter()
        .enumerate()
        .map(|(i, p)| {
            route(
                &id,
                &format!("onprem-{}-via-firewall", i + 1),
                *p,
                NextHopType::VirtualAppliance,
                Some(appliance_ip),
            )
        })
        .collect();
    estate.route_tables.insert(Resource::new(
        id.clone(),
        Some(s.loc()),
        RouteTable {
            disable_bgp_route_propagation: true,
            routes,
        },
    ));
    Some(id)
}

/// The spoke VNet. Every subnet that answers clients through the firewall gets the spoke table
/// (0/0 → appliance), so replies retrace the request: nodes and pods, the internal load
/// balancer's, the private endpoints' (their network policies are enabled, so UDRs apply) and
/// the API server's. Whether AKS honours a route table on the delegated API server subnet is
/// UNCONFIRMED in Microsoft's documentation; the engine assumes ordinary subnet routing.
fn vnet(s: &Spoke, estate: &mut Estate, rt: Option<&ResourceId>, agw_rt: Option<&ResourceId>) {
    let vnet_id = s.vnet_id();
    let mut subnets = Vec::new();
    for sp in &s.plan.vnet.subnets {
        let mut props = subnet_defaults(sp.prefix);
        let short = sp.name.trim_start_matches("snet-");
        let nsg_id = s.id(
            NetworkSecurityGroup::TYPE,
            &format!("nsg-{short}-{}", s.intent.name),
        );
        let rules = match (&sp.role, &s.intent.ingress.app_gateway) {
            (SubnetRole::AppGateway, Some(agw)) => {
                app_gateway_rules(if agw.frontend == Frontend::Public {
                    "Internet"
                } else {
                    "VirtualNetwork"
                })
            }
            _ => Vec::new(),
        };
        estate
            .network_security_groups
            .insert(nsg(nsg_id.clone(), s.loc(), &rules));
        props.network_security_group = Some(nsg_id.into());
        match &sp.role {
            SubnetRole::Nodes(_) | SubnetRole::Pods(_) | SubnetRole::InternalLoadBalancer => {
                props.route_table = rt.map(Into::into)
            }
            SubnetRole::AppGateway => props.route_table = agw_rt.map(Into::into),
            SubnetRole::PrivateEndpoints => {
                props.route_table = rt.map(Into::into);
                props.private_endpoint_network_policies = Some("Enabled".to_string())
            }
            SubnetRole::ApiServer => {
                props.route_table = rt.map(Into::into);
                props.delegations = vec![Child::new(
                    "aks-apiserver",
                    None,
                    Delegation {
                        service_name: azure::API_SERVER_DELEGATION.to_string(),
                    },
                )]
            }
            _ => {}
        }
        subnets.push(Child::new(
            sp.name.clone(),
            Some(vnet_id.child("subnets", &sp.name)),
            props,
        ));
    }
    let has_gateway = s.ctx.intent.on_premises.link != Link::None;
    let name = "peer-to-hub".to_string();
    let peering = Child::new(
        name.clone(),
        Some(vnet_id.child("virtualNetworkPeerings", &name)),
        VirtualNetworkPeering {
            remote_virtual_network: s.ctx.hub_vnet_id().into(),
            allow_virtual_network_access: true,
            allow_forwarded_traffic: true,
            allow_gateway_transit: false,
            use_remote_gateways: has_gateway,
            peering_state: Some("Connected".to_string()),
        },
    );
    estate.virtual_networks.insert(Resource::new(
        vnet_id,
        Some(s.loc()),
        VirtualNetwork {
            address_space: AddressSpace {
                address_prefixes: vec![s.plan.vnet.address_space],
            },
            dhcp_options: None,
            subnets,
            virtual_network_peerings: vec![peering],
        },
    ));
}

/// The ingress controller's internal LoadBalancer service frontend, at the ILB subnet's first
/// assignable address. AKS creates the LB `kubernetes-internal` in the node resource group
/// [AKS-ILB] §6.10; the estate records its planned frontend.
fn internal_load_balancer(s: &Spoke, estate: &mut Estate) -> String {
    let sub = s.subnet(&SubnetRole::InternalLoadBalancer);
    let ip = crate::flows::ilb_frontend(&sub.prefix)
        .expect("a /28 has a .4")
        .to_string();
    let id = ResourceId::resource(
        &s.subscription,
        &s.node_rg(),
        LoadBalancer::TYPE,
        "kubernetes-internal",
    );
    let fe = Child::new(
        "ingress",
        Some(id.child("frontendIPConfigurations", "ingress")),
        FrontendIpConfiguration {
            private_ip_address: Some(ip.clone()),
            private_ip_allocation_method: Some("Static".to_string()),
            subnet: s
                .subnet_id(&SubnetRole::InternalLoadBalancer)
                .map(Into::into),
            public_ip_address: None,
        },
    );
    estate.load_balancers.insert(
        Resource::new(
            id,
            Some(s.loc()),
            LoadBalancer {
                frontend_ip_configurations: vec![fe],
                // AKS writes the rules for each Service; the design holds none.
                load_balancing_rules: Vec::new(),
            },
        )
        .with_sku("Standard", Some("Regional")),
    );
    ip
}

fn app_gateway(s: &Spoke, estate: &mut Estate, ilb_ip: Option<&str>) {
    let agw_intent = s
        .intent
        .ingress
        .app_gateway
        .as_ref()
        .expect("caller checked");
    let sub = s.subnet(&SubnetRole::AppGateway);
    let subnet_id = s.subnet_id(&SubnetRole::AppGateway).expect("planned");
    let id = s.id(ApplicationGateway::TYPE, &format!("agw-{}", s.intent.name));
    let mut frontends = Vec::new();
    if agw_intent.frontend == Frontend::Public {
        let pip = s.id(PublicIpAddress::TYPE, &format!("pip-agw-{}", s.intent.name));
        estate
            .public_ip_addresses
            .insert(public_ip(pip.clone(), s.loc()));
        frontends.push(Child::new(
            "public",
            Some(id.child("frontendIPConfigurations", "public")),
            FrontendIpConfiguration {
                public_ip_address: Some(pip.into()),
                ..Default::default()
            },
        ));
    }
    // The private frontend takes the subnet's last usable address, away from the instances,
    // which Azure assigns from the bottom.
    let private_ip = sub
        .prefix
        .nth(sub.prefix.size() - 2)
        .expect("inside the subnet")
        .to_string();
    frontends.push(Child::new(
        "private",
        Some(id.child("frontendIPConfigurations", "private")),
        FrontendIpConfiguration {
            private_ip_address: Some(private_ip),
            private_ip_allocation_method: Some("Static".to_string()),
            subnet: Some(subnet_id.clone().into()),
            public_ip_address: None,
        },
    ));
    let waf = agw_intent.waf != WafMode::Off;
    let sku = if waf { "WAF_v2" } else { "Standard_v2" };
    let waf_id = waf.then(|| {
        let wid = s.id(WafPolicy::TYPE, &format!("waf-{}", s.intent.name));
        estate.waf_policies.insert(Resource::new(
            wid.clone(),
            Some(s.loc()),
            WafPolicy {
                policy_settings: WafPolicySettings {
                    state: Some("Enabled".to_string()),
                    mode: Some(
                        if agw_intent.waf == WafMode::Prevention {
                            "Prevention"
                        } else {
                            "Detection"
                        }
                        .to_string(),
                    ),
                    request_body_check: true,
                },
                managed_rules: ManagedRules {
                    managed_rule_sets: vec![
                        ManagedRuleSet {
                            rule_set_type: agw_intent.rule_set.arm().0.to_string(),
                            rule_set_version: agw_intent.rule_set.arm().1.to_string(),
                        },
                        ManagedRuleSet {
                            rule_set_type: "Microsoft_BotManagerRuleSet".to_string(),
                            rule_set_version: "1.1".to_string(),
                        },
                    ],
                },
            },
        ));
        wid.into()
    });
    let backend = Child::new(
        "aks-ingress",
        Some(id.child("backendAddressPools", "aks-ingress")),
        BackendAddressPool {
            backend_addresses: ilb_ip
                .map(|ip| {
                    vec![BackendAddress {
                        ip_address: Some(ip.to_string()),
                        fqdn: None,
                    }]
                })
                .unwrap_or_default(),
        },
    );
    estate.application_gateways.insert(Resource::new(
        id.clone(),
        Some(s.loc()),
        ApplicationGateway {
            sku: GatewaySku {
                name: sku.to_string(),
                tier: sku.to_string(),
            },
            autoscale_configuration: Some(AutoscaleConfiguration {
                min_capacity: 2,
                max_capacity: Some(agw_intent.max_capacity),
            }),
            gateway_ip_configurations: vec![Child::new(
                "gateway",
                Some(id.child("gatewayIPConfigurations", "gateway")),
                GatewaySubnetRef {
                    subnet: subnet_id.into(),
                },
            )],
            frontend_ip_configurations: frontends,
            frontend_ports: vec![Child::new(
                "https",
                Some(id.child("frontendPorts", "https")),
                FrontendPort { port: 443 },
            )],
            backend_address_pools: vec![backend],
            backend_http_settings_collection: vec![backend_settings(&id, agw_intent)],
            firewall_policy: waf_id,
            web_application_firewall_configuration: None,
        },
    ));
}

/// How the gateway reaches the ingress controller: HTTP on 80 passing the client's Host header
/// on, or HTTPS on 443 naming the controller's certificate (SNI and Host header).
fn backend_settings(
    agw: &ResourceId,
    intent: &crate::intent::AppGatewayIntent,
) -> Child<aksnet_model::appgw::BackendHttpSettings> {
    use crate::intent::BackendProtocol;
    let (name, port, protocol) = match intent.backend.protocol {
        BackendProtocol::Http => ("ingress-http", 80, "Http"),
        BackendProtocol::Https => ("ingress-https", 443, "Https"),
    };
    Child::new(
        name,
        Some(agw.child("backendHttpSettingsCollection", name)),
        aksnet_model::appgw::BackendHttpSettings {
            port,
            protocol: protocol.into(),
            host_name: intent.backend.host_name.as_ref().map(|h| h.value.clone()),
            pick_host_name_from_backend_address: Some(false),
        },
    )
}

/// A globally unique PaaS name ([`aksnet_model::naming`]): `base` and the intent's suffix, else
/// the suffix derived from the spoke's subscription, else (no subscription named) `base` alone
/// until deployment derives it. The base is recorded for the generated code.
fn unique_name(s: &Spoke, estate: &mut Estate, provider_type: &str, base: String) -> String {
    use aksnet_model::naming;
    let suffix = match &s.ctx.intent.naming.suffix {
        Some(x) => Some(x.value.clone()),
        None if s.subscription != azure::PLACEHOLDER_SUBSCRIPTION => {
            Some(naming::derived_suffix(&s.subscription, s.ctx.name()))
        }
        None => None,
    };
    let name = naming::name(&base, suffix.as_deref());
    estate.unique_names.suffix = s.ctx.intent.naming.suffix.as_ref().map(|x| x.value.clone());
    estate
        .unique_names
        .bases
        .insert(s.id(provider_type, &name), base);
    name
}

fn private_endpoint(s: &Spoke, estate: &mut Estate, kind: PrivateEndpointKind) {
    let subnet = s.subnet(&SubnetRole::PrivateEndpoints);
    let loc = s.loc().to_string();
    // Static IPs from the PE subnet: ACR registry .4 and data endpoint .5, Key Vault .6.
    let (target, group, members): (ResourceId, &str, Vec<(String, u128, String)>) = match kind {
        PrivateEndpointKind::ContainerRegistry => {
            let base = aksnet_model::naming::registry_base(s.ctx.name(), &s.intent.name);
            let name = unique_name(s, estate, ContainerRegistry::TYPE, base);
            let id = s.id(ContainerRegistry::TYPE, &name);
            estate.container_registries.insert(
                Resource::new(
                    id.clone(),
                    Some(&loc),
                    ContainerRegistry {
                        public_network_access: "Disabled".to_string(),
                        admin_user_enabled: false,
                        data_endpoint_enabled: true,
                    },
                )
                .with_sku("Premium", Some("Premium")),
            );
            let members = vec![
                ("registry".to_string(), 4, name.clone()),
                (
                    format!("registry_data_{loc}"),
                    5,
                    format!("{name}.{loc}.data"),
                ),
            ];
            (id, "registry", members)
        }
        PrivateEndpointKind::KeyVault => {
            let base = aksnet_model::naming::vault_base(s.ctx.name(), &s.intent.name);
            let name = unique_name(s, estate, KeyVault::TYPE, base);
            let id = s.id(KeyVault::TYPE, &name);
            estate.key_vaults.insert(Resource::new(
                id.clone(),
                Some(&loc),
                KeyVault {
                    tenant_id: aksnet_model::Maybe::Known(
                        "00000000-0000-0000-0000-000000000000".to_string(),
                    ),
                    sku: KeyVaultSku {
                        family: "A".to_string(),
                        name: "standard".to_string(),
                    },
                    public_network_access: "Disabled".to_string(),
                    enable_rbac_authorization: true,
                    enable_purge_protection: true,
                    network_acls: Some(NetworkAcls {
                        default_action: "Deny".to_string(),
                        bypass: "AzureServices".to_string(),
                    }),
                },
            ));
            (id, "vault", vec![("default".to_string(), 6, name)])
        }
    };
    // Named after the target's base name: not global, so it need not follow the suffix.
    let stem = estate
        .unique_names
        .bases
        .get(&target)
        .map_or(target.name(), |b| b.trim_end_matches('-'));
    let pe_name = format!("pep-{stem}");
    let pe_id = s.id(PrivateEndpoint::TYPE, &pe_name);
    let zone = zone_id(s.ctx, zone_name(kind));
    let mut ip_configs = Vec::new();
    for (member, offset, record) in members {
        let ip = subnet
            .prefix
            .nth(offset)
            .expect("a /28 has .4-.6")
            .to_string();
        ip_configs.push(Child::new(
            member.clone(),
            None,
            PrivateEndpointIpConfiguration {
                group_id: group.to_string(),
                member_name: member,
                private_ip_address: ip.clone(),
            },
        ));
        estate.a_record_sets.insert(Resource::new(
            zone.child("A", &record),
            None,
            ARecordSet {
                ttl: Some(10),
                a_records: vec![ARecord { ipv4_address: ip }],
            },
        ));
    }
    estate.private_endpoints.insert(Resource::new(
        pe_id.clone(),
        Some(&loc),
        PrivateEndpoint {
            subnet: s
                .subnet_id(&SubnetRole::PrivateEndpoints)
                .expect("planned")
                .into(),
            private_link_service_connections: vec![Child::new(
                pe_name.clone(),
                None,
                PrivateLinkServiceConnection {
                    private_link_service_id: target,
                    group_ids: vec![group.to_string()],
                },
            )],
            ip_configurations: ip_configs,
            custom_network_interface_name: Some(format!("nic-{pe_name}")),
            network_interfaces: Vec::new(),
            custom_dns_configs: Vec::new(),
            application_security_groups: Vec::new(),
        },
    ));
    estate.private_dns_zone_groups.insert(Resource::new(
        pe_id.child("privateDnsZoneGroups", "default"),
        None,
        PrivateDnsZoneGroup {
            private_dns_zone_configs: vec![PrivateDnsZoneConfig {
                name: Some(zone_name(kind).replace('.', "-")),
                properties: PrivateDnsZoneConfigProperties {
                    private_dns_zone_id: zone,
                },
            }],
        },
    ));
}

fn cluster(s: &Spoke, estate: &mut Estate, udr_egress: bool) {
    let c = &s.intent.cluster;
    let mode = network_mode(s.intent);
    let name = c
        .name
        .clone()
        .unwrap_or_else(|| default_cluster_name(&s.intent.name));
    let identity_id = s.id(UserAssignedIdentity::TYPE, &format!("id-{name}"));
    estate.user_assigned_identities.insert(Resource::new(
        identity_id.clone(),
        Some(s.loc()),
        UserAssignedIdentity::default(),
    ));
    let mut pools = Vec::new();
    for (i, np) in c.node_pools.iter().enumerate() {
        let mut profile = pool_profile(np);
        let in_group = |role: &SubnetRole| matches!(role, SubnetRole::Nodes(v) | SubnetRole::Pods(v) if v.contains(&i));
        for sp in &s.plan.vnet.subnets {
            let id = s.vnet_id().child("subnets", &sp.name);
            match &sp.role {
                r @ SubnetRole::Nodes(_) if in_group(r) => profile.vnet_subnet_id = Some(id),
                r @ SubnetRole::Pods(_) if in_group(r) => profile.pod_subnet_id = Some(id),
                _ => {}
            }
        }
        pools.push(profile);
    }
    // The system pool goes first: a private cluster's API endpoint lands in the first pool's subnet.
    pools.sort_by_key(|p| p.mode != "System");
    let (plugin, plugin_mode, default_policy) = match mode {
        NetworkMode::Kubenet => ("kubenet", None, "calico"),
        NetworkMode::Overlay => ("azure", Some("overlay"), "cilium"),
        _ => ("azure", None, "cilium"),
    };
    let policy = c
        .network
        .policy
        .clone()
        .unwrap_or_else(|| default_policy.to_string());
    let cilium = policy == "cilium";
    let api = if c.private {
        let zone = zone_id(
            s.ctx,
            &api_zone_name(s.loc(), c.api_server_vnet_integration),
        );
        ApiServerAccessProfile {
            authorized_ip_ranges: Vec::new(),
            enable_private_cluster: Some(true),
            enable_private_cluster_public_fqdn: Some(false),
            private_dns_zone: Some(zone.to_string()),
            enable_vnet_integration: c.api_server_vnet_integration.then_some(true),
            subnet_id: s.subnet_id(&SubnetRole::ApiServer),
        }
    } else {
        ApiServerAccessProfile {
            authorized_ip_ranges: c
                .api_server_authorized_ranges
                .iter()
                .map(|r| aksnet_model::Maybe::Known(r.value.to_string()))
                .collect(),
            enable_private_cluster: Some(false),
            enable_vnet_integration: c.api_server_vnet_integration.then_some(true),
            subnet_id: s.subnet_id(&SubnetRole::ApiServer),
            ..Default::default()
        }
    };
    let mut identities = BTreeMap::new();
    identities.insert(identity_id, serde_json::json!({}));
    let mut r = Resource::new(
        s.id(ManagedCluster::TYPE, &name),
        Some(s.loc()),
        ManagedCluster {
            dns_prefix: name.clone(),
            kubernetes_version: c.kubernetes_version.clone().map(aksnet_model::Maybe::Known),
            node_resource_group: Some(s.node_rg()),
            agent_pool_profiles: pools,
            network_profile: NetworkProfile {
                network_plugin: Some(plugin.to_string()),
                network_plugin_mode: plugin_mode.map(str::to_string),
                network_policy: Some(policy),
                network_dataplane: (plugin == "azure" && cilium).then(|| "cilium".to_string()),
                outbound_type: if udr_egress {
                    "userDefinedRouting"
                } else {
                    "loadBalancer"
                }
                .to_string(),
                load_balancer_sku: Some("standard".to_string()),
                pod_cidr: s.plan.pod_cidr,
                service_cidr: Some(s.plan.service_cidr),
                dns_service_ip: Some(s.plan.dns_service_ip.to_string()),
            },
            api_server_access_profile: Some(api),
            identity_profile: None,
            // Pods read Key Vault secrets through the CSI driver, rotated (Checkov
            // CKV_AZURE_172 asks for rotation).
            addon_profiles: [(
                aksnet_model::authorization::SECRETS_PROVIDER_ADDON.to_string(),
                aksnet_model::aks::AddonProfile {
                    enabled: true,
                    config: Some(serde_json::json!({"enableSecretRotation": "true"})),
                    identity: None,
                },
            )]
            .into_iter()
            .collect(),
        },
    )
    .with_sku("Base", Some("Standard"));
    r.identity = Some(Identity {
        kind: "UserAssigned".to_string(),
        user_assigned_identities: identities,
        principal_id: None,
    });
    // Kubernetes namespaces are not ARM; the tag carries them to the manifest generator.
    r.tags.insert(
        aksnet_model::aks::NAMESPACES_TAG.to_string(),
        s.intent.cluster.namespaces.join(","),
    );
    estate.managed_clusters.insert(r);
}

/// `aks-<spoke>`, or the spoke name itself when it already starts with `aks`.
pub(crate) fn default_cluster_name(spoke: &str) -> String {
    if spoke.starts_with("aks") {
        spoke.to_string()
    } else {
        format!("aks-{spoke}")
    }
}
