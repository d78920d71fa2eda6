//! AKS clusters and their node pools, the identities they run as with the role assignments AKS
//! needs on the network before it is created, and the registry and key vault they use.

use aksnet_model::aks::{AgentPoolProfile, ManagedCluster};
use aksnet_model::{Resource, ResourceId};

use super::names::sanitize;
use super::Tf;
use crate::hcl::{Block, Expr};
use crate::EmitError;

pub(super) fn emit(tf: &mut Tf) -> Result<(), EmitError> {
    let e = tf.estate;
    for i in e.user_assigned_identities.iter() {
        let mut b = tf.resource("azurerm_user_assigned_identity", &i.id);
        tf.placement(&mut b, &i.id, &i.name, i.location.as_deref());
        let file = tf.names.file(&i.id);
        tf.add(&file, b);
    }
    // Each role assignment's identity found once, grouped by cluster: finding it per cluster
    // made generation clusters² × assignments (400 s at 500 spokes).
    let mut granted: std::collections::BTreeMap<ResourceId, Granted> = Default::default();
    for a in e.role_assignments.iter() {
        if let Some(who) = aksnet_model::authorization::identify(e, &a.properties.principal_id) {
            granted
                .entry(who.cluster().id.clone())
                .or_default()
                .push((a, who));
        }
    }
    for mc in e.managed_clusters.iter() {
        let mine = granted.remove(&mc.id).unwrap_or_default();
        cluster(tf, mc, mine)?;
    }
    for r in e.container_registries.iter() {
        let p = &r.properties;
        let mut b = tf.resource("azurerm_container_registry", &r.id);
        tf.placement(&mut b, &r.id, &r.name, r.location.as_deref());
        b.attr(
            "sku",
            Expr::s(
                r.sku
                    .as_ref()
                    .and_then(|s| s.name.clone())
                    .unwrap_or_else(|| "Premium".into()),
            ),
        )
        .attr("admin_enabled", Expr::Bool(p.admin_user_enabled))
        .attr(
            "public_network_access_enabled",
            Expr::Bool(p.public_network_access.eq_ignore_ascii_case("Enabled")),
        )
        .attr("data_endpoint_enabled", Expr::Bool(p.data_endpoint_enabled));
        if r.sku.as_ref().and_then(|s| s.name.as_deref()) == Some("Premium") {
            // Premium only: zone redundancy (CKV_AZURE_233) and a retention policy for
            // untagged manifests (CKV_AZURE_167).
            b.attr("zone_redundancy_enabled", Expr::Bool(true))
                .attr("retention_policy_in_days", Expr::Num(7));
        }
        let file = tf.names.file(&r.id);
        tf.add(&file, b);
    }
    for v in e.key_vaults.iter() {
        let p = &v.properties;
        let mut b = tf.resource("azurerm_key_vault", &v.id);
        tf.placement(&mut b, &v.id, &v.name, v.location.as_deref());
        b.attr(
            "tenant_id",
            Expr::r("data.azurerm_client_config.current.tenant_id"),
        )
        .attr("sku_name", Expr::s(p.sku.name.to_ascii_lowercase()))
        .attr(
            "rbac_authorization_enabled",
            Expr::Bool(p.enable_rbac_authorization),
        )
        .attr(
            "purge_protection_enabled",
            Expr::Bool(p.enable_purge_protection),
        )
        .attr(
            "public_network_access_enabled",
            Expr::Bool(p.public_network_access.eq_ignore_ascii_case("Enabled")),
        );
        if let Some(acl) = &p.network_acls {
            b.block("network_acls", |x| {
                x.attr("bypass", Expr::s(&acl.bypass))
                    .attr("default_action", Expr::s(&acl.default_action));
            });
        }
        let file = tf.names.file(&v.id);
        tf.add(&file, b);
    }
    if !e.key_vaults.is_empty() {
        tf.add(
            "providers.tf",
            Block::new("data", &["azurerm_client_config", "current"]),
        );
    }
    Ok(())
}

fn cluster_file(mc: &Resource<ManagedCluster>) -> String {
    format!("aks_{}.tf", sanitize(mc.name.trim_start_matches("aks-")))
}

/// The role assignments the estate gives one cluster's identities, each with the identity.
type Granted<'e> = Vec<(
    &'e Resource<aksnet_model::authorization::RoleAssignment>,
    aksnet_model::authorization::Who<'e>,
)>;

fn cluster(tf: &mut Tf, mc: &Resource<ManagedCluster>, granted: Granted) -> Result<(), EmitError> {
    let p = &mc.properties;
    let file = cluster_file(mc);
    let Some(system) = p
        .agent_pool_profiles
        .iter()
        .find(|a| a.mode == "System")
        .or(p.agent_pool_profiles.first())
    else {
        return Err(EmitError {
            resource: mc.id.to_string(),
            message: format!("cluster `{}` has no agent pool", mc.name),
            hint: "add a System pool".into(),
        });
    };
    let api = p.api_server_access_profile.clone().unwrap_or_default();
    let private = p.is_private();
    let identity = mc
        .identity
        .as_ref()
        .and_then(|i| i.user_assigned_identities.keys().next().cloned());
    let assignments = role_assignments(tf, mc, &file, granted)?;

    let mut b = tf.resource("azurerm_kubernetes_cluster", &mc.id);
    tf.placement(&mut b, &mc.id, &mc.name, mc.location.as_deref());
    let custom_zone = api.private_dns_zone.as_ref().filter(|z| z.starts_with('/'));
    if private && custom_zone.is_some() {
        // azurerm requires the private-cluster prefix with a bring-your-own zone.
        b.attr("dns_prefix_private_cluster", Expr::s(&p.dns_prefix));
    } else {
        b.attr("dns_prefix", Expr::s(&p.dns_prefix));
    }
    b.opt(
        "kubernetes_version",
        // A version known only at deployment (a data source's latest) is left to AKS's default.
        p.kubernetes_version
            .as_ref()
            .and_then(aksnet_model::Maybe::known)
            .map(Expr::s),
    );
    b.opt(
        "node_resource_group",
        p.node_resource_group.clone().map(Expr::s),
    );
    b.attr("sku_tier", Expr::s("Standard"));
    b.attr("private_cluster_enabled", Expr::Bool(private));
    if private {
        b.attr(
            "private_cluster_public_fqdn_enabled",
            Expr::Bool(api.enable_private_cluster_public_fqdn.unwrap_or(false)),
        );
        if let Some(z) = &api.private_dns_zone {
            let zone = if z.starts_with('/') {
                tf.names.reference(&ResourceId::new(z.clone()), "id")
            } else {
                Expr::s(z)
            };
            b.attr("private_dns_zone_id", zone);
        }
    }
    b.attr("role_based_access_control_enabled", Expr::Bool(true))
        .attr("local_account_disabled", Expr::Bool(true))
        .attr("azure_policy_enabled", Expr::Bool(true))
        .attr("oidc_issuer_enabled", Expr::Bool(true))
        .attr("workload_identity_enabled", Expr::Bool(true))
        .attr("automatic_upgrade_channel", Expr::s("patch"))
        .attr("node_os_upgrade_channel", Expr::s("NodeImage"));
    b.block("azure_active_directory_role_based_access_control", |x| {
        x.attr("azure_rbac_enabled", Expr::Bool(true));
    });
    // Pods read Key Vault secrets through the CSI driver, rotated (Checkov CKV_AZURE_172).
    if aksnet_model::authorization::secrets_provider_on(mc) {
        b.block("key_vault_secrets_provider", |x| {
            x.attr("secret_rotation_enabled", Expr::Bool(true));
        });
    }
    // A range known only at deployment has no value to write: refused, as for routes.
    if let Some(u) = api.unknown_ranges().first() {
        return Err(EmitError {
            resource: mc.id.to_string(),
            message: format!(
                "an authorized IP range of the API server is known only at deployment ({u}): Terraform cannot be generated for it"
            ),
            hint: "give the range's address, or import the deployed estate".into(),
        });
    }
    let ranges: Vec<String> = api.known_ranges().cloned().collect();
    let integrated = api.enable_vnet_integration == Some(true);
    let egress = if !private && !ranges.is_empty() {
        egress_public_ips(tf, mc)
    } else {
        Vec::new()
    };
    if !ranges.is_empty() || integrated {
        b.block("api_server_access_profile", |x| {
            match (egress.is_empty(), ranges.is_empty()) {
                // Nodes reach a public API server from their egress address (the firewall's,
                // an NVA's NAT gateway's, ...), which exists only after apply: authorize it by
                // reference (user report MicrosoftDocs/azure-docs#55484).
                (false, false) => {
                    let listed: Vec<String> = ranges.iter().map(|r| crate::hcl::quote(r)).collect();
                    let refs: Vec<String> = egress
                        .iter()
                        .map(|pip| format!("\"${{{pip}.ip_address}}/32\""))
                        .collect();
                    x.attr(
                        "authorized_ip_ranges",
                        Expr::r(format!(
                            "concat([{}], [{}])",
                            listed.join(", "),
                            refs.join(", ")
                        )),
                    );
                }
                (true, false) => {
                    x.attr("authorized_ip_ranges", Expr::strs(ranges.clone()));
                }
                _ => {}
            }
            if integrated {
                x.attr("virtual_network_integration_enabled", Expr::Bool(true));
                if let Some(s) = &api.subnet_id {
                    x.attr("subnet_id", tf.names.reference(s, "id"));
                }
            }
        });
    }
    let mut pool = Block::new("default_node_pool", &[]);
    let rotation = format!("{}tmp", system.name.chars().take(9).collect::<String>());
    pool_body(
        tf,
        &mut pool,
        system,
        p.agent_pool_profiles.len() > 1,
        Some(rotation),
    );
    b.push(pool);
    if let Some(i) = &identity {
        b.block("identity", |x| {
            x.attr("type", Expr::s("UserAssigned")).attr(
                "identity_ids",
                Expr::List(vec![tf.names.reference(i, "id")]),
            );
        });
    } else {
        b.block("identity", |x| {
            x.attr("type", Expr::s("SystemAssigned"));
        });
    }
    let n = &p.network_profile;
    // As stated, or the plugin AKS picks for the cluster's version; left out when unknown.
    let (plugin, plugin_mode) = p.network_plugin().unzip();
    b.block("network_profile", |x| {
        x.opt("network_plugin", plugin.map(Expr::s))
            .opt("network_plugin_mode", plugin_mode.flatten().map(Expr::s))
            .opt(
                "network_policy",
                n.network_policy
                    .clone()
                    .filter(|p| p != "none")
                    .map(Expr::s),
            )
            .opt(
                "network_data_plane",
                n.network_dataplane.clone().map(Expr::s),
            )
            .attr("outbound_type", Expr::s(&n.outbound_type))
            .attr(
                "load_balancer_sku",
                Expr::s(
                    n.load_balancer_sku
                        .clone()
                        .unwrap_or_else(|| "standard".into()),
                ),
            )
            .opt("pod_cidr", n.pod_cidr.map(|c| Expr::s(c.to_string())))
            .opt(
                "service_cidr",
                n.service_cidr.map(|c| Expr::s(c.to_string())),
            )
            .opt("dns_service_ip", n.dns_service_ip.clone().map(Expr::s));
    });
    // AKS validates the subnet's route table and its permissions at creation: both first.
    let mut after = assignments;
    after.extend(route_table_associations(tf, mc));
    if !after.is_empty() {
        b.attr("depends_on", Expr::List(after));
    }
    tf.add(&file, b);
    let local = tf.names.local(&mc.id).unwrap_or_default();
    for extra in p
        .agent_pool_profiles
        .iter()
        .filter(|a| a.name != system.name)
    {
        let mut np = Block::new(
            "resource",
            &[
                "azurerm_kubernetes_cluster_node_pool",
                &format!("{local}_{}", sanitize(&extra.name)),
            ],
        );
        if let Some(alias) = tf.provider_alias(&mc.id) {
            np.attr("provider", Expr::r(format!("azurerm.{alias}")));
        }
        np.attr(
            "kubernetes_cluster_id",
            Expr::r(format!("azurerm_kubernetes_cluster.{local}.id")),
        );
        np.attr("mode", Expr::s(&extra.mode));
        np.attr(
            "os_type",
            Expr::s(extra.os_type.clone().unwrap_or_else(|| "Linux".into())),
        );
        pool_body(tf, &mut np, extra, false, None);
        tf.add(&file, np);
    }
    Ok(())
}

/// The arguments a node pool shares between `default_node_pool` and a separate pool.
/// `rotation` is the default pool's `temporary_name_for_rotation` (changing its VM size or
/// zones then rotates the pool instead of recreating the cluster).
fn pool_body(
    tf: &Tf,
    b: &mut Block,
    a: &AgentPoolProfile,
    critical_only: bool,
    rotation: Option<String>,
) {
    b.attr("name", Expr::s(&a.name));
    b.attr(
        "vm_size",
        Expr::s(
            a.vm_size
                .clone()
                .unwrap_or_else(|| "Standard_D4ds_v5".into()),
        ),
    );
    let autoscale = a.enable_auto_scaling.unwrap_or(false);
    b.attr("auto_scaling_enabled", Expr::Bool(autoscale));
    if autoscale {
        b.opt("min_count", a.min_count.map(|n| Expr::Num(i64::from(n))));
        b.opt("max_count", a.max_count.map(|n| Expr::Num(i64::from(n))));
    } else {
        b.opt("node_count", a.count.map(|n| Expr::Num(i64::from(n))));
    }
    b.opt("max_pods", a.max_pods.map(|n| Expr::Num(i64::from(n))));
    if let Some(s) = &a.vnet_subnet_id {
        b.attr("vnet_subnet_id", tf.names.reference(s, "id"));
    }
    if let Some(s) = &a.pod_subnet_id {
        b.attr("pod_subnet_id", tf.names.reference(s, "id"));
    }
    if !a.availability_zones.is_empty() {
        b.attr("zones", Expr::strs(a.availability_zones.clone()));
    }
    b.attr(
        "node_public_ip_enabled",
        Expr::Bool(a.enable_node_public_ip.unwrap_or(false)),
    );
    b.attr("host_encryption_enabled", Expr::Bool(true));
    b.attr("os_disk_type", Expr::s("Ephemeral"));
    if critical_only {
        b.attr("only_critical_addons_enabled", Expr::Bool(true));
    }
    if !a.node_taints.is_empty() {
        b.attr("node_taints", Expr::strs(a.node_taints.clone()));
    }
    b.opt("temporary_name_for_rotation", rotation.map(Expr::s));
    if let Some(s) = a
        .upgrade_settings
        .as_ref()
        .and_then(|u| u.max_surge.clone())
    {
        b.block("upgrade_settings", |x| {
            x.attr("max_surge", Expr::s(s));
        });
    }
}

/// The estate's role assignments to the cluster's identities
/// ([`aksnet_model::authorization`]: the designer makes the ones it needs to run — Network
/// Contributor on its VNets and route tables and Private DNS Zone Contributor on a
/// bring-your-own API zone for its own identity, AcrPull for its kubelet identity, Key Vault
/// Secrets User for its CSI driver's), each principal written as the attribute that holds it.
/// Returns those of the cluster's own identity, which must exist before the cluster is created
/// (AKS validates its subnet permissions then), as `depends_on` entries.
fn role_assignments(
    tf: &mut Tf,
    mc: &Resource<ManagedCluster>,
    file: &str,
    granted: Granted,
) -> Result<Vec<Expr>, EmitError> {
    use aksnet_model::authorization::{role_of, Who};
    let cluster = tf.names.local(&mc.id).unwrap_or_default();
    let mut before = Vec::new();
    // One role at one scope for two of the cluster's identities (an imported estate may hold
    // both) must still be two addresses.
    let mut taken = std::collections::BTreeSet::new();
    for (a, who) in granted {
        let p = &a.properties;
        let principal = match who {
            Who::Kubelet(_) => Expr::r(format!(
                "azurerm_kubernetes_cluster.{cluster}.kubelet_identity[0].object_id"
            )),
            Who::SecretsProvider(_) => Expr::r(format!(
                "azurerm_kubernetes_cluster.{cluster}.key_vault_secrets_provider[0].secret_identity[0].object_id"
            )),
            Who::ControlPlane(_) => match who.user_assigned() {
                Some(uai) => tf.names.reference(uai, "principal_id"),
                None => Expr::r(format!(
                    "azurerm_kubernetes_cluster.{cluster}.identity[0].principal_id"
                )),
            },
        };
        let scope = ResourceId::new(aksnet_model::authorization::scope_of(a));
        let role = role_of(p).map_err(|why| EmitError {
            resource: a.id.to_string(),
            message: format!("role assignment `{}`: {why}", a.name),
            hint: "name the role's id or built-in name".into(),
        })?;
        let (role_attr, role_value, role_label) = match (role, &p.role_definition_id) {
            (Some(r), _) => ("role_definition_name", Expr::s(r.name), sanitize(r.name)),
            (None, Some(aksnet_model::Maybe::Known(id))) => (
                "role_definition_id",
                Expr::s(id),
                sanitize(id.rsplit('/').next().unwrap_or("role")),
            ),
            (None, _) => continue,
        };
        let target = tf
            .names
            .local(&scope)
            .unwrap_or_else(|| sanitize(scope.name()));
        let mut name = format!("{cluster}_{role_label}_{target}");
        let mut n = 2;
        while !taken.insert(name.clone()) {
            name = format!("{cluster}_{role_label}_{target}_{n}");
            n += 1;
        }
        let mut b = Block::new("resource", &["azurerm_role_assignment", &name]);
        if let Some(alias) = tf.provider_alias(&scope) {
            b.attr("provider", Expr::r(format!("azurerm.{alias}")));
        }
        b.attr("scope", tf.names.reference(&scope, "id"))
            .attr(role_attr, role_value)
            .attr("principal_id", principal);
        match who {
            // Created in the same apply: Entra ID may not have replicated it yet.
            Who::Kubelet(_) | Who::SecretsProvider(_) => {
                b.attr("skip_service_principal_aad_check", Expr::Bool(true));
            }
            Who::ControlPlane(_) => {
                before.push(Expr::r(format!("azurerm_role_assignment.{name}")));
            }
        }
        tf.add(file, b);
    }
    Ok(before)
}

fn route_table_associations(tf: &Tf, mc: &Resource<ManagedCluster>) -> Vec<Expr> {
    let mut out = Vec::new();
    for a in &mc.properties.agent_pool_profiles {
        let Some(s) = &a.vnet_subnet_id else { continue };
        let Some((_, sub)) = tf.estate.subnet(s) else {
            continue;
        };
        if sub.properties.route_table.is_some() {
            if let Some(local) = tf.names.local(s) {
                let e = Expr::r(format!("azurerm_subnet_route_table_association.{local}"));
                if !out.contains(&e) {
                    out.push(e);
                }
            }
        }
    }
    out
}

/// The public IPs a cluster's nodes reach their public API server from, asked of the engine as
/// AKS-MGT-003 asks it (a trace from each node subnet to the API server): Azure Firewall's, an
/// NVA's NAT gateway's, a NAT gateway on the node subnet — whichever the nodes egress from.
/// Only public IPs this code creates and whose address Azure assigns at deployment are
/// returned (as `azurerm_public_ip.NAME`): those the authorized ranges must take by reference.
fn egress_public_ips(tf: &Tf, mc: &Resource<ManagedCluster>) -> Vec<String> {
    use aksnet_engine::endpoints::EndpointKind;
    use aksnet_engine::places::Place;
    use aksnet_engine::trace::{HopKind, Query};
    let dp = tf.plane();
    let t = &dp.topology;
    let Some((api, _)) = dp
        .endpoints
        .iter_enumerated()
        .find(|(_, e)| e.kind == EndpointKind::ApiServerPublic && e.resource == mc.id)
    else {
        return Vec::new();
    };
    let mut out = std::collections::BTreeSet::new();
    for (s, pools) in t.subnet_clusters.iter_enumerated() {
        if pools.as_ref().is_none_or(|p| p.cluster != mc.id) {
            continue;
        }
        let tr = dp.trace(&Query {
            from: Place::Subnet(s),
            to: Place::Endpoint(api),
            protocol: aksnet_net::Protocol::Tcp,
            port: 443,
            fqdn: None,
        });
        let Some(hop) = tr.hops.iter().find(|h| h.kind == HopKind::ApiServer) else {
            continue;
        };
        let src = hop.packet.src;
        for (id, pip) in &t.public_ips {
            if pip.stand_in && pip.ip == src {
                if let Some(local) = tf.names.local(id) {
                    out.insert(format!("azurerm_public_ip.{local}"));
                }
            }
        }
    }
    out.into_iter().collect()
}
