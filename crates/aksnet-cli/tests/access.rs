//! What a cluster's identities may do, on imported estates (AKS-IAM-001…003): an ARM template
//! whose role assignments name their principals as deployments do (known only at deployment),
//! and an export whose object ids are known. Each expectation was worked out by hand from the
//! template before running: the assignment's principal is the cluster's kubelet identity only
//! when it reads `identityProfile.kubeletidentity.objectId` of that cluster.

mod common;

use common::{aksnet, err};
use serde_json::{json, Value};

const KUBELET: &str = "[reference(resourceId('Microsoft.ContainerService/managedClusters', 'aks'), '2024-05-01').identityProfile.kubeletidentity.objectId]";
const CLUSTER_IDENTITY: &str = "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-aks'), '2023-01-31').principalId]";
const ACR_PULL: &str = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
const NETWORK_CONTRIBUTOR: &str = "4d97b98b-1d4f-4787-a291-c67834d212e7";

/// A role assignment in the template: `role` to `principal` on the resource `scope`.
fn assignment(name: &str, scope: &str, role: &str, principal: &str) -> Value {
    json!({ "type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
        "name": name, "scope": scope,
        "properties": {
            "roleDefinitionId": format!("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{role}')]"),
            "principalId": principal } })
}

/// A cluster on a user-assigned identity, a Premium registry in its group, and `extra`.
fn template(admin_user: bool, extra: Vec<Value>) -> Value {
    let mut resources = vec![
        json!({ "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "vnet",
            "location": "westeurope", "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
            "subnets": [{ "name": "nodes", "properties": { "addressPrefix": "10.0.0.0/24" } }] } }),
        json!({ "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31",
            "name": "id-aks", "location": "westeurope" }),
        json!({ "type": "Microsoft.ContainerService/managedClusters", "apiVersion": "2024-05-01", "name": "aks",
            "location": "westeurope",
            "identity": { "type": "UserAssigned", "userAssignedIdentities": {
                "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id-aks')]": {} } },
            "properties": { "dnsPrefix": "aks",
                "agentPoolProfiles": [{ "name": "system", "mode": "System", "count": 3,
                    "vnetSubnetID": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'nodes')]" }],
                "networkProfile": { "networkPlugin": "azure", "networkPluginMode": "overlay" } } }),
        json!({ "type": "Microsoft.ContainerRegistry/registries", "apiVersion": "2023-07-01", "name": "craccess",
            "location": "westeurope", "sku": { "name": "Premium" },
            "properties": { "adminUserEnabled": admin_user } }),
        // The nodes reach the registry over Private Link: the cluster uses it.
        json!({ "type": "Microsoft.Network/privateEndpoints", "apiVersion": "2023-09-01", "name": "pep-craccess",
            "location": "westeurope", "properties": {
                "subnet": { "id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'nodes')]" },
                "privateLinkServiceConnections": [{ "name": "registry", "properties": {
                    "privateLinkServiceId": "[resourceId('Microsoft.ContainerRegistry/registries', 'craccess')]",
                    "groupIds": ["registry"] } }] } }),
    ];
    resources.extend(extra);
    json!({ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0", "resources": resources })
}

/// `(code, severity, message)` of the AKS-IAM findings of `aksnet check` on `input`.
fn iam(input: &Value) -> Vec<(String, String, String)> {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("in.json"), input.to_string()).unwrap();
    let o = aksnet(d.path(), &["check", "in.json", "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", err(&o)));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("AKS-IAM"))
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap().to_string();
            (s("code"), s("severity"), s("message"))
        })
        .collect()
}

fn network() -> Value {
    assignment(
        "[guid('vnet', 'network')]",
        "Microsoft.Network/virtualNetworks/vnet",
        NETWORK_CONTRIBUTOR,
        CLUSTER_IDENTITY,
    )
}

#[test]
fn acr_pull_to_the_kubelet_identity_is_a_grant() {
    let t = template(
        false,
        vec![
            network(),
            assignment(
                "[guid('acr', 'pull')]",
                "Microsoft.ContainerRegistry/registries/craccess",
                ACR_PULL,
                KUBELET,
            ),
        ],
    );
    assert_eq!(iam(&t), vec![]);
}

#[test]
fn acr_pull_to_another_identity_is_not() {
    // The cluster identity holds AcrPull, but nodes pull as the kubelet identity.
    let t = template(
        false,
        vec![
            network(),
            assignment(
                "[guid('acr', 'pull')]",
                "Microsoft.ContainerRegistry/registries/craccess",
                ACR_PULL,
                CLUSTER_IDENTITY,
            ),
        ],
    );
    let f = iam(&t);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].0.as_str(), f[0].1.as_str()),
        ("AKS-IAM-001", "warning")
    );
    assert!(f[0].2.contains("`craccess`"), "{}", f[0].2);
}

#[test]
fn the_cluster_identity_needs_its_subnet_and_an_admin_user_leaves_pulls_unknown() {
    // No Network Contributor: the node subnet is not covered. Reader (which pulls) goes to the
    // cluster identity, not the kubelet's; the admin user may serve imagePullSecrets, so the
    // missing pull role is unknown, not a warning.
    let t = template(
        true,
        vec![assignment(
            "[guid('other')]",
            "Microsoft.ContainerRegistry/registries/craccess",
            "acdd72a7-3385-48ef-bd42-f606fba81ae7",
            CLUSTER_IDENTITY,
        )],
    );
    let f = iam(&t);
    let codes: Vec<(&str, &str)> = f.iter().map(|x| (x.0.as_str(), x.1.as_str())).collect();
    assert_eq!(
        codes,
        vec![("AKS-IAM-003", "warning"), ("AKS-IAM-001", "info")],
        "{f:#?}"
    );
    assert!(f[0].2.contains("`nodes`"), "{}", f[0].2);
    assert!(f[1].2.contains("admin user"), "{}", f[1].2);
}

#[test]
fn a_principal_known_by_object_id_cannot_be_matched_to_a_template_s_identity() {
    // The kubelet's object id exists only once the cluster does: a literal id may be it.
    let t = template(
        false,
        vec![
            network(),
            assignment(
                "[guid('acr', 'pull')]",
                "Microsoft.ContainerRegistry/registries/craccess",
                ACR_PULL,
                "00000000-0000-0000-0000-0000000000ee",
            ),
        ],
    );
    let f = iam(&t);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].0.as_str(), f[0].1.as_str()), ("AKS-IAM-001", "info"));
    assert!(f[0].2.contains("cannot match"), "{}", f[0].2);
}

#[test]
fn an_input_without_role_assignments_says_unknown() {
    let f = iam(&template(false, vec![]));
    assert!(!f.is_empty() && f.iter().all(|x| x.1 == "info"), "{f:#?}");
    assert!(
        f.iter().all(|x| x.2.contains("holds no role assignments")),
        "{f:#?}"
    );
}

#[test]
fn an_export_matches_object_ids() {
    // What `az resource show` returns once deployed: object ids are known.
    let sub = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg";
    let kubelet = "aaaaaaaa-0000-0000-0000-000000000001";
    let export = |principal: &str| {
        json!([
            { "id": format!("{sub}/providers/Microsoft.ContainerService/managedClusters/aks"), "name": "aks",
              "type": "Microsoft.ContainerService/managedClusters", "location": "westeurope",
              "identity": { "type": "SystemAssigned", "principalId": "aaaaaaaa-0000-0000-0000-000000000009" },
              "properties": { "dnsPrefix": "aks",
                "agentPoolProfiles": [{ "name": "system", "mode": "System", "count": 3 }],
                "identityProfile": { "kubeletidentity": { "objectId": kubelet,
                    "resourceId": format!("{sub}-nodes/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aks-agentpool") } } } },
            { "id": format!("{sub}/providers/Microsoft.ContainerRegistry/registries/craccess"), "name": "craccess",
              "type": "Microsoft.ContainerRegistry/registries", "location": "westeurope", "sku": { "name": "Premium" },
              "properties": { "adminUserEnabled": false } },
            { "id": format!("{sub}/providers/Microsoft.ContainerRegistry/registries/craccess/providers/Microsoft.Authorization/roleAssignments/0f1e2d3c-0000-0000-0000-000000000001"),
              "name": "0f1e2d3c-0000-0000-0000-000000000001", "type": "Microsoft.Authorization/roleAssignments",
              "properties": { "roleDefinitionId": format!("/subscriptions/11111111-2222-3333-4444-555555555555/providers/Microsoft.Authorization/roleDefinitions/{ACR_PULL}"),
                "principalId": principal, "principalType": "ServicePrincipal",
                "scope": format!("{sub}/providers/Microsoft.ContainerRegistry/registries/craccess") } }
        ])
    };
    assert_eq!(iam(&export(kubelet)), vec![]);
    // Only the resource group ties the registry to the cluster here (no subnet, no private
    // endpoint): whether the nodes pull from it is not in the input.
    let f = iam(&export("aaaaaaaa-0000-0000-0000-000000000009"));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].0.as_str(), f[0].1.as_str()), ("AKS-IAM-001", "info"));
    assert!(f[0].2.contains("resource group"), "{}", f[0].2);
}

#[test]
fn an_assignment_named_at_deployment_gets_the_same_stand_in_name_wherever_the_template_lies() {
    // `guid()` of a principal known only at deployment: the name is unknown, the assignment kept.
    let t = template(
        false,
        vec![assignment(
            &format!("[guid('acr', {})]", &KUBELET[1..KUBELET.len() - 1]),
            "Microsoft.ContainerRegistry/registries/craccess",
            ACR_PULL,
            KUBELET,
        )],
    );
    let ids = |sub: &str| -> Vec<String> {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join(sub)).unwrap();
        std::fs::write(d.path().join(sub).join("t.json"), t.to_string()).unwrap();
        let path = format!("{sub}/t.json");
        let o = aksnet(d.path(), &["import", &path, "--out", "e.json"]);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        let e: Value =
            serde_json::from_str(&std::fs::read_to_string(d.path().join("e.json")).unwrap())
                .unwrap();
        e["roleAssignments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect()
    };
    let a = ids("here");
    assert_eq!(a.len(), 1);
    assert!(a[0].starts_with("unknown-name-"), "{a:?}");
    assert_eq!(a, ids("somewhere/else"));
}

#[test]
fn each_iteration_of_a_loop_named_at_deployment_stays_an_assignment() {
    // Two roles to the kubelet in one copy loop, each named by a guid of its principal: two
    // assignments, whatever their stand-in names.
    let mut a = assignment(
        &format!(
            "[guid({}, string(copyIndex()))]",
            &KUBELET[1..KUBELET.len() - 1]
        ),
        "Microsoft.ContainerRegistry/registries/craccess",
        ACR_PULL,
        KUBELET,
    );
    a["copy"] = json!({ "name": "roles", "count": 2 });
    a["properties"]["roleDefinitionId"] = json!("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', createArray('7f951dda-4ed3-4680-a7ca-43fe172d538d', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')[copyIndex()])]");
    let t = template(false, vec![network(), a]);
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("t.json"), t.to_string()).unwrap();
    let o = aksnet(d.path(), &["import", "t.json", "--out", "e.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let e: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("e.json")).unwrap()).unwrap();
    let roles: Vec<&str> = e["roleAssignments"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["properties"]["roleDefinitionId"].as_str())
        .filter(|r| r.contains("registries") || !r.contains("4d97b98b"))
        .collect();
    assert_eq!(roles.len(), 2, "{roles:?}");
    assert_eq!(iam(&t), vec![]);
}

#[test]
fn a_user_assigned_cluster_has_no_identity_principal_id_of_its_own() {
    // `reference(cluster).identity.principalId` is empty on a cluster running as a
    // user-assigned identity: it grants that identity nothing.
    let t = template(
        false,
        vec![
            assignment(
                "[guid('vnet', 'network')]",
                "Microsoft.Network/virtualNetworks/vnet",
                NETWORK_CONTRIBUTOR,
                "[reference(resourceId('Microsoft.ContainerService/managedClusters', 'aks'), '2024-05-01', 'Full').identity.principalId]",
            ),
            assignment("[guid('acr', 'pull')]", "Microsoft.ContainerRegistry/registries/craccess", ACR_PULL, KUBELET),
        ],
    );
    let f = iam(&t);
    let codes: Vec<(&str, &str)> = f.iter().map(|x| (x.0.as_str(), x.1.as_str())).collect();
    assert_eq!(codes, vec![("AKS-IAM-003", "warning")], "{f:#?}");
}

#[test]
fn each_iteration_of_a_module_loop_stays_an_assignment_whatever_the_order() {
    // A nested deployment in a copy loop, each iteration assigning `guid(p, role)` on the
    // registry: AcrPull to the kubelet, Reader to another identity (fixture from the review).
    // Both iterations had one placeholder id, and the last replaced the first.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/arm/access");
    for f in ["module-loop.json", "module-loop-swapped.json"] {
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(format!("{dir}/{f}")).unwrap()).unwrap();
        let found = iam(&v);
        assert!(
            found.iter().all(|x| x.0 != "AKS-IAM-001"),
            "{f}: {found:#?}"
        );
    }
}
