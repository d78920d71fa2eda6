//! AKS clusters and their node pools.

use serde_json::{json, Map, Value as Json};

use super::val::{any, block, copy, get, list, put};
use super::{Ctx, Out};

/// An agent pool's properties from `default_node_pool` or an `azurerm_kubernetes_cluster_node_pool`
/// (4.x and 3.x names); `mode` is the pool's default mode.
fn pool(b: &Json, mode: &str) -> Map<String, Json> {
    let mut p = Map::new();
    copy(&mut p, "name", b, &["name"]);
    p.insert(
        "mode".into(),
        get(b, "mode").cloned().unwrap_or(json!(mode)),
    );
    p.insert(
        "type".into(),
        get(b, "type")
            .cloned()
            .unwrap_or(json!("VirtualMachineScaleSets")),
    );
    copy(&mut p, "vmSize", b, &["vm_size"]);
    p.insert(
        "osType".into(),
        get(b, "os_type").cloned().unwrap_or(json!("Linux")),
    );
    let auto = any(b, &["auto_scaling_enabled", "enable_auto_scaling"])
        .cloned()
        .unwrap_or(json!(false));
    let count = get(b, "node_count")
        .or_else(|| get(b, "min_count"))
        .cloned();
    put(&mut p, "count", count);
    p.insert("enableAutoScaling".into(), auto);
    copy(&mut p, "minCount", b, &["min_count"]);
    copy(&mut p, "maxCount", b, &["max_count"]);
    copy(&mut p, "maxPods", b, &["max_pods"]);
    copy(&mut p, "vnetSubnetID", b, &["vnet_subnet_id"]);
    copy(&mut p, "podSubnetID", b, &["pod_subnet_id"]);
    copy(
        &mut p,
        "enableNodePublicIP",
        b,
        &["node_public_ip_enabled", "enable_node_public_ip"],
    );
    let mut taints = list(b, "node_taints").unwrap_or(json!([]));
    if get(b, "only_critical_addons_enabled").and_then(Json::as_bool) == Some(true) {
        if let Some(a) = taints.as_array_mut() {
            a.push(json!("CriticalAddonsOnly=true:NoSchedule"));
        }
    }
    if taints.as_array().is_some_and(|a| !a.is_empty()) || !taints.is_array() {
        p.insert("nodeTaints".into(), taints);
    }
    put(&mut p, "availabilityZones", list(b, "zones"));
    if let Some(u) = block(b, "upgrade_settings") {
        let mut us = Map::new();
        copy(&mut us, "maxSurge", u, &["max_surge"]);
        p.insert("upgradeSettings".into(), Json::Object(us));
    }
    p
}

/// AKS's default node resource group, `MC_{resource group}_{name}_{location}` (location in
/// its short form), when all three are known.
pub(crate) fn node_resource_group(v: &Json) -> Option<String> {
    let rg = get(v, "resource_group_name")?.as_str()?;
    let name = get(v, "name")?.as_str()?;
    let location = get(v, "location")?.as_str()?;
    let location = super::val::short_location(location);
    Some(format!("MC_{rg}_{name}_{location}"))
}

/// `azurerm_kubernetes_cluster`: the default node pool, network profile, API server access
/// (4.x `api_server_access_profile.authorized_ip_ranges`, 3.x `api_server_authorized_ip_ranges`),
/// private cluster and its DNS zone, identity and SKU tier.
pub(crate) fn cluster(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let mut p = Map::new();
    p.insert(
        "dnsPrefix".into(),
        any(v, &["dns_prefix", "dns_prefix_private_cluster"])
            .cloned()
            .unwrap_or(json!("")),
    );
    copy(&mut p, "kubernetesVersion", v, &["kubernetes_version"]);
    put(
        &mut p,
        "nodeResourceGroup",
        get(v, "node_resource_group")
            .cloned()
            .or_else(|| node_resource_group(v).map(Json::String)),
    );
    let pools: Vec<Json> = block(v, "default_node_pool")
        .map(|b| Json::Object(pool(b, "System")))
        .into_iter()
        .collect();
    p.insert("agentPoolProfiles".into(), Json::Array(pools));
    if let Some(np) = block(v, "network_profile") {
        let mut n = Map::new();
        copy(&mut n, "networkPlugin", np, &["network_plugin"]);
        copy(&mut n, "networkPluginMode", np, &["network_plugin_mode"]);
        copy(&mut n, "networkPolicy", np, &["network_policy"]);
        copy(
            &mut n,
            "networkDataplane",
            np,
            &["network_data_plane", "ebpf_data_plane"],
        );
        copy(&mut n, "podCidr", np, &["pod_cidr"]);
        copy(&mut n, "serviceCidr", np, &["service_cidr"]);
        copy(&mut n, "dnsServiceIP", np, &["dns_service_ip"]);
        n.insert(
            "outboundType".into(),
            get(np, "outbound_type")
                .cloned()
                .unwrap_or(json!("loadBalancer")),
        );
        n.insert(
            "loadBalancerSku".into(),
            get(np, "load_balancer_sku")
                .cloned()
                .unwrap_or(json!("standard")),
        );
        p.insert("networkProfile".into(), Json::Object(n));
    }
    let mut api = Map::new();
    let access = block(v, "api_server_access_profile");
    put(
        &mut api,
        "authorizedIPRanges",
        access
            .and_then(|a| list(a, "authorized_ip_ranges"))
            .or_else(|| list(v, "api_server_authorized_ip_ranges")),
    );
    copy(
        &mut api,
        "enablePrivateCluster",
        v,
        &["private_cluster_enabled"],
    );
    copy(
        &mut api,
        "enablePrivateClusterPublicFQDN",
        v,
        &["private_cluster_public_fqdn_enabled"],
    );
    copy(&mut api, "privateDNSZone", v, &["private_dns_zone_id"]);
    if let Some(a) = access {
        copy(&mut api, "subnetId", a, &["subnet_id"]);
        copy(
            &mut api,
            "enableVnetIntegration",
            a,
            // 4.x, then 3.x.
            &[
                "virtual_network_integration_enabled",
                "vnet_integration_enabled",
            ],
        );
    }
    if !api.is_empty() {
        p.insert("apiServerAccessProfile".into(), Json::Object(api));
    }
    // A pre-created kubelet identity (`kubelet_identity { user_assigned_identity_id }`).
    if let Some(uai) =
        block(v, "kubelet_identity").and_then(|k| get(k, "user_assigned_identity_id"))
    {
        p.insert(
            "identityProfile".into(),
            json!({ "kubeletidentity": { "resourceId": uai } }),
        );
    }
    // The Secrets Store CSI driver add-on: on when its block is there.
    if let Some(k) = block(v, "key_vault_secrets_provider") {
        // REST's add-on config values are strings ("true").
        let rotation = match get(k, "secret_rotation_enabled") {
            Some(Json::Bool(b)) => json!(b.to_string()),
            Some(other) => other.clone(),
            None => json!("false"),
        };
        p.insert(
            "addonProfiles".into(),
            json!({ "azureKeyvaultSecretsProvider": {
                "enabled": true,
                "config": { "enableSecretRotation": rotation }
            } }),
        );
    }
    let mut r = c.envelope(p);
    r.insert(
        "sku".into(),
        json!({ "name": "Base", "tier": get(v, "sku_tier").cloned().unwrap_or(json!("Free")) }),
    );
    if let Some(i) = block(v, "identity") {
        let mut id = Map::new();
        copy(&mut id, "type", i, &["type"]);
        if let Some(Json::Array(ids)) = get(i, "identity_ids") {
            let m: Map<String, Json> = ids
                .iter()
                .filter_map(|x| Some((x.as_str()?.to_string(), json!({}))))
                .collect();
            id.insert("userAssignedIdentities".into(), Json::Object(m));
        }
        r.insert("identity".into(), Json::Object(id));
    }
    vec![Out::Resource(Json::Object(r))]
}

/// `azurerm_kubernetes_cluster_node_pool`: an `agentPools` child resource.
pub(crate) fn node_pool(c: &Ctx) -> Vec<Out> {
    let mut p = pool(c.v, "User");
    p.remove("name");
    vec![c.child_resource(p)]
}

/// `azurerm_role_assignment`: `Microsoft.Authorization/roleAssignments` at its `scope`. A role
/// named rather than given by id keeps its name (`roleDefinitionName`), which the Estate
/// resolves; the principal stays the marker of the attribute it reads when known only after
/// apply (`azurerm_kubernetes_cluster.x.kubelet_identity[0].object_id`).
pub(super) fn role_assignment(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let mut p = Map::new();
    put(
        &mut p,
        "roleDefinitionId",
        get(v, "role_definition_id").cloned(),
    );
    put(
        &mut p,
        "roleDefinitionName",
        get(v, "role_definition_name").cloned(),
    );
    put(&mut p, "principalId", get(v, "principal_id").cloned());
    put(&mut p, "principalType", get(v, "principal_type").cloned());
    put(&mut p, "scope", get(v, "scope").cloned());
    put(&mut p, "condition", get(v, "condition").cloned());
    vec![c.child_resource(p)]
}
