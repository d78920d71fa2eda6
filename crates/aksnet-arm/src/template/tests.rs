use std::cell::RefCell;

use serde_json::{json, Map, Value as Json};

use super::*;

fn scope() -> Scope {
    Scope {
        subscription: Some("sub".into()),
        resource_group: Some("rg".into()),
        location: Some("westeurope".into()),
        ..Scope::default()
    }
}

/// Deploys `t` with `params`; returns the resources by id and the outcome.
fn run(t: Json, params: Json) -> (Vec<Deployed>, Outcome) {
    let t = t.as_object().unwrap().clone();
    let world = RefCell::new(World::default());
    let d = Deployment {
        name: "main".into(),
        file: "main.json".into(),
        template: &t,
        scope: scope(),
        parameters: params.as_object().cloned().unwrap_or_default(),
    };
    let o = deploy(&d, &world, &NoLoader);
    (world.into_inner().into_resources(), o)
}

fn body<'a>(rs: &'a [Deployed], id_end: &str) -> &'a Json {
    &rs.iter()
        .find(|r| r.id.ends_with(id_end))
        .unwrap_or_else(|| {
            panic!(
                "no {id_end} in {:?}",
                rs.iter().map(|r| &r.id).collect::<Vec<_>>()
            )
        })
        .value
}

#[test]
fn parameters_variables_copy_and_conditions() {
    let t = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "parameters": {
            "prefix": {"type": "string", "defaultValue": "10.1"},
            "count": {"type": "int", "defaultValue": 2},
            "withNsg": {"type": "bool", "defaultValue": false}
        },
        "variables": {
            "vnetName": "[concat('vnet-', parameters('prefix'))]",
            "copy": [{"name": "subnets", "count": "[parameters('count')]",
                      "input": {"name": "[format('snet-{0}', copyIndex('subnets'))]",
                                "properties": {"addressPrefix": "[format('{0}.{1}.0/24', parameters('prefix'), copyIndex('subnets'))]"}}}]
        },
        "resources": [
            {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01",
             "name": "[variables('vnetName')]", "location": "[resourceGroup().location]",
             "properties": {"addressSpace": {"addressPrefixes": ["[concat(parameters('prefix'), '.0.0/16')]"]},
                            "subnets": "[variables('subnets')]"}},
            {"condition": "[parameters('withNsg')]", "type": "Microsoft.Network/networkSecurityGroups",
             "apiVersion": "2023-09-01", "name": "nsg", "properties": {}},
            {"type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01",
             "name": "[concat('rt-', copyIndex(1))]", "copy": {"name": "rts", "count": 2},
             "properties": {"copy": [{"name": "routes", "count": "[copyIndex(1)]",
                 "input": {"name": "[concat('r', copyIndex('routes'))]",
                           "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "Internet"}}}]}}
        ]
    });
    let (rs, o) = run(t, json!({"count": 3}));
    assert!(o.notes.is_empty(), "{:?}", o.notes);
    let ids: Vec<&str> = rs.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-10.1",
            "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt-1",
            "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt-2",
        ]
    );
    let vnet = &rs[0].value;
    assert_eq!(vnet["location"], "westeurope");
    assert_eq!(vnet["name"], "vnet-10.1");
    assert_eq!(
        vnet["properties"]["subnets"][2]["properties"]["addressPrefix"],
        "10.1.2.0/24"
    );
    assert_eq!(vnet["properties"]["subnets"].as_array().unwrap().len(), 3);
    assert_eq!(
        rs[2].value["properties"]["routes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(rs[2].value["properties"]["routes"][1]["name"], "r1");
    assert_eq!(rs[2].origin.describe(), "$.resources[2] (rts copy 1)");
    assert!(rs[0].value.get("apiVersion").is_some());
}

#[test]
fn children_dependencies_and_references() {
    let t = json!({
        "resources": [
            {"type": "Microsoft.Network/routeTables", "apiVersion": "2023-09-01", "name": "rt",
             "dependsOn": ["[resourceId('Microsoft.Network/azureFirewalls', 'fw')]"],
             "properties": {"routes": [{"name": "default", "properties": {
                 "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance",
                 "nextHopIpAddress": "[reference(resourceId('Microsoft.Network/azureFirewalls', 'fw')).ipConfigurations[0].properties.privateIPAddress]"}}]}},
            {"type": "Microsoft.Network/azureFirewalls", "apiVersion": "2023-09-01", "name": "fw",
             "properties": {"ipConfigurations": [{"name": "c", "properties": {}}], "threatIntelMode": "Deny"}},
            {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "v",
             "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}},
             "resources": [{"type": "subnets", "apiVersion": "2023-09-01", "name": "a",
                            "dependsOn": ["v"], "properties": {"addressPrefix": "10.0.0.0/24",
                            "routeTable": {"id": "[resourceId('Microsoft.Network/routeTables', 'rt')]"}}}]},
            {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01", "name": "n",
             "properties": {"securityRules": [], "mode": "[reference('fw').threatIntelMode]"}}
        ]
    });
    let (rs, o) = run(t, json!({}));
    assert!(o.notes.is_empty(), "{:?}", o.notes);
    // The firewall is deployed before the route table that depends on it.
    let ids: Vec<&str> = rs
        .iter()
        .map(|r| r.id.rsplit("providers/").next().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "Microsoft.Network/azureFirewalls/fw",
            "Microsoft.Network/routeTables/rt",
            "Microsoft.Network/virtualNetworks/v",
            "Microsoft.Network/virtualNetworks/v/subnets/a",
            "Microsoft.Network/networkSecurityGroups/n",
        ]
    );
    let hop =
        &body(&rs, "routeTables/rt")["properties"]["routes"][0]["properties"]["nextHopIpAddress"];
    let u = as_marker(hop).expect("unknown");
    assert!(u.reason.contains("set by Azure at deployment"), "{u:?}");
    assert_eq!(body(&rs, "subnets/a")["name"], "a");
    assert_eq!(
        body(&rs, "subnets/a")["type"],
        "Microsoft.Network/virtualNetworks/subnets"
    );
    // A declared property of a resource of the same template is read by name.
    assert_eq!(
        body(&rs, "networkSecurityGroups/n")["properties"]["mode"],
        "Deny"
    );
}

#[test]
fn nested_deployments_inner_and_outer_with_outputs() {
    let t = json!({
        "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
        "parameters": {"hubRg": {"type": "string", "defaultValue": "rg-hub"}},
        "variables": {"space": "10.0.0.0/16"},
        "resources": [
            {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "hub",
             "resourceGroup": "[parameters('hubRg')]",
             "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
                "parameters": {"space": {"value": "[variables('space')]"}},
                "template": {"parameters": {"space": {"type": "string"}},
                   "resources": [{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01",
                       "name": "hub", "properties": {"addressSpace": {"addressPrefixes": ["[parameters('space')]"]}}}],
                   "outputs": {"id": {"type": "string", "value": "[resourceId('Microsoft.Network/virtualNetworks', 'hub')]"},
                               "rg": {"type": "string", "value": "[resourceGroup().name]"}}}}},
            {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "outer",
             "resourceGroup": "rg-spoke",
             "dependsOn": ["hub"],
             "properties": {"mode": "Incremental",
                "template": {"resources": [{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01",
                   "name": "spoke", "properties": {"addressSpace": {"addressPrefixes": ["[variables('space')]"]},
                   "peer": "[reference(extensionResourceId(format('/subscriptions/{0}/resourceGroups/{1}', subscription().subscriptionId, parameters('hubRg')), 'Microsoft.Resources/deployments', 'hub'), '2022-09-01').outputs.id.value]",
                   "where": "[reference(subscriptionResourceId(parameters('hubRg'), 'Microsoft.Resources/deployments', 'hub')).outputs.rg.value]"}}]}}}
        ]
    });
    let mut s = scope();
    s.resource_group = None;
    let t = t.as_object().unwrap().clone();
    let world = RefCell::new(World::default());
    let d = Deployment {
        name: "main".into(),
        file: "main.json".into(),
        template: &t,
        scope: s,
        parameters: Map::new(),
    };
    let o = deploy(&d, &world, &NoLoader);
    let rs = world.into_inner().into_resources();
    let ids: Vec<&str> = rs.iter().map(|r| r.id.as_str()).collect();
    assert!(ids.contains(&"/subscriptions/sub/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/hub"), "{ids:?}");
    assert!(ids.contains(&"/subscriptions/sub/resourceGroups/rg-hub/providers/Microsoft.Resources/deployments/hub"), "{ids:?}");
    let spoke = body(&rs, "virtualNetworks/spoke");
    assert_eq!(spoke["id"], "/subscriptions/sub/resourceGroups/rg-spoke/providers/Microsoft.Network/virtualNetworks/spoke");
    // Outer scope: the parent's variables.
    assert_eq!(
        spoke["properties"]["addressSpace"]["addressPrefixes"][0],
        "10.0.0.0/16"
    );
    assert_eq!(
        spoke["properties"]["peer"],
        "/subscriptions/sub/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/hub"
    );
    // `where` names a subscription-level deployment that does not exist: unknown, not an error.
    assert!(as_marker(&spoke["properties"]["where"]).is_some());
    assert!(o.notes.is_empty(), "{:?}", o.notes);
}

#[test]
fn language_version_2_symbolic_names_and_loops() {
    let t = json!({
        "languageVersion": "2.0",
        "parameters": {"names": {"type": "array", "defaultValue": ["a", "b"]}},
        "resources": {
            "existingHub": {"existing": true, "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "hub"},
            "vnets": {"copy": {"name": "vnets", "count": "[length(parameters('names'))]"},
                      "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01",
                      "name": "[parameters('names')[copyIndex()]]",
                      "properties": {"addressSpace": {"addressPrefixes": [ "[format('10.{0}.0.0/16', copyIndex())]" ]}}},
            "nsg": {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01", "name": "nsg",
                    "dependsOn": ["vnets"],
                    "properties": {"first": "[reference('vnets[1]').addressSpace.addressPrefixes[0]]",
                                   "hub": "[reference('existingHub').addressSpace]",
                                   "info": "[resourceInfo('vnets[0]').id]"}}
        }
    });
    let (rs, o) = run(t, json!({}));
    assert!(o.notes.is_empty(), "{:?}", o.notes);
    assert_eq!(rs.len(), 3, "the existing hub is not deployed");
    let nsg = body(&rs, "networkSecurityGroups/nsg");
    assert_eq!(nsg["properties"]["first"], "10.1.0.0/16");
    assert!(as_marker(&nsg["properties"]["hub"]).is_some());
    assert!(nsg["properties"]["info"]
        .as_str()
        .unwrap()
        .ends_with("virtualNetworks/a"));
}

#[test]
fn parameters_are_checked_and_secrets_never_read() {
    let t = json!({
        "parameters": {
            "required": {"type": "string"},
            "sku": {"type": "string", "defaultValue": "Basic", "allowedValues": ["Standard", "Premium"]},
            "password": {"type": "securestring", "defaultValue": ""}
        },
        "resources": [{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01", "name": "n",
                       "properties": {"secret": "[parameters('password')]"}}]
    });
    let (rs, o) = run(t, json!({"nope": 1, "password": "hunter2"}));
    let messages: Vec<String> = o
        .notes
        .iter()
        .map(|n| format!("{}: {}", n.path, n.message))
        .collect();
    assert!(
        messages.iter().any(|m| m
            == "$.parameters.required: the required parameter 'required' (string) has no value"),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("not one of its allowedValues")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("no parameter named 'nope'")),
        "{messages:?}"
    );
    let text = serde_json::to_string(&rs[0].value).unwrap();
    assert!(!text.contains("hunter2"), "{text}");
}

#[test]
fn errors_point_at_the_expression() {
    let t = json!({
        "resources": [{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01", "name": "n",
                       "properties": {"x": "[concat('a', nosuch(1))]", "y": "[copyIndex()]"}},
                      {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "2023-09-01",
                       "name": "[parameters('missing')]"}]
    });
    let (rs, o) = run(t, json!({}));
    assert_eq!(rs.len(), 1);
    let messages: Vec<String> = o
        .notes
        .iter()
        .map(|n| format!("{}: {}", n.path, n.message))
        .collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(
        messages[0].starts_with("$.resources[1].name: column 2: no parameter named 'missing'"),
        "{messages:?}"
    );
    assert!(
        messages[1]
            .starts_with("$.resources[0].properties.x: column 14: unknown function 'nosuch'"),
        "{messages:?}"
    );
    assert!(
        messages[2].contains("copyIndex() outside a copy loop"),
        "{messages:?}"
    );
}

#[test]
fn parameter_files_and_arguments() {
    let f = json!({"$schema": "x", "contentVersion": "1.0.0.0", "parameters": {
        "a": {"value": 1}, "s": {"reference": {"keyVault": {"id": "kv"}, "secretName": "x"}}}});
    let p = parameters_file(&f).unwrap();
    assert_eq!(p["a"], 1);
    assert!(as_marker(&p["s"]).is_some());
    assert_eq!(
        parameters_file(&json!({"b": {"value": "x"}})).unwrap()["b"],
        "x"
    );
    assert!(parameters_file(&json!({"b": 3})).is_err());
    assert_eq!(
        parameter_arg("n=10", Some("string")).unwrap().1,
        json!("10")
    );
    assert_eq!(parameter_arg("n=10", Some("int")).unwrap().1, json!(10));
    assert_eq!(parameter_arg("n=[1,2]", None).unwrap().1, json!([1, 2]));
    assert_eq!(parameter_arg("n=a b", None).unwrap().1, json!("a b"));
    assert!(parameter_arg("n=x", Some("int")).is_err());
    assert!(parameter_arg("novalue", None).is_err());
}

#[test]
fn hostile_templates_end() {
    // A variable that depends on itself, a nested chain deeper than allowed, a huge count.
    let mut inner = json!({"resources": []});
    for _ in 0..40 {
        inner = json!({"resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01",
            "name": "d", "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"}, "template": inner}}]});
    }
    let (_, o) = run(inner, json!({}));
    assert!(o
        .notes
        .iter()
        .any(|n| n.message.contains("nested more than")));
    let t = json!({"variables": {"a": "[variables('b')]", "b": "[variables('a')]"},
                   "resources": [{"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "1", "name": "[variables('a')]"},
                                 {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "1", "name": "x",
                                  "copy": {"name": "c", "count": 100000}}]});
    let (rs, o) = run(t, json!({}));
    assert!(rs.is_empty());
    assert!(
        o.notes
            .iter()
            .any(|n| n.message.contains("depends on itself")),
        "{:?}",
        o.notes
    );
    assert!(
        o.notes.iter().any(|n| n.message.contains("from 0 to 800")),
        "{:?}",
        o.notes
    );
}

#[test]
fn hostile_growth_ends_in_an_error() {
    // Doubling an array through variables: refused past the element bound, not an OOM.
    let mut vars = serde_json::Map::new();
    vars.insert("a0".into(), json!("[range(0, 1000)]"));
    for i in 1..16 {
        vars.insert(
            format!("a{i}"),
            json!(format!(
                "[concat(variables('a{}'), variables('a{}'))]",
                i - 1,
                i - 1
            )),
        );
    }
    let t = json!({"variables": vars, "resources": [
        {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "1", "name": "n",
         "properties": {"x": "[length(variables('a15'))]"}}]});
    let (_, o) = run(t, json!({}));
    assert!(
        o.notes.iter().any(|n| n.message.contains("elements")),
        "{:?}",
        o.notes
    );
    // Nested property loops: 800 × 800 × 800 iterations stop at the run's bound.
    let t = json!({"resources": [
        {"type": "Microsoft.Network/networkSecurityGroups", "apiVersion": "1", "name": "n",
         "properties": {"copy": [{"name": "a", "count": 800, "input": {"copy": [{"name": "b", "count": 800,
             "input": {"copy": [{"name": "c", "count": 800, "input": 1}]}}]}}]}}]});
    let (_, o) = run(t, json!({}));
    assert!(
        o.notes
            .iter()
            .any(|n| n.message.contains("loop iterations")),
        "{:?}",
        o.notes
    );
}

#[test]
fn expression_keys_extension_children_and_trailing_slashes() {
    let t = json!({"resources": [
        {"type": "Microsoft.ContainerService/managedClusters", "apiVersion": "1", "name": "aks",
         "identity": {"type": "UserAssigned", "userAssignedIdentities": {
             "[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'id1')]": {}}},
         "properties": {"vnet": "[resourceId('Microsoft.Network/virtualNetworks/', 'v')]"},
         "resources": [{"type": "providers/diagnosticSettings", "apiVersion": "1",
                        "name": "Microsoft.Insights/service", "properties": {}}]},
        {"type": "Microsoft.Network/virtualNetworks/providers/diagnosticSettings", "apiVersion": "1",
         "name": "v/Microsoft.Insights/d", "properties": {}}
    ]});
    let (rs, o) = run(t, json!({}));
    assert!(o.notes.is_empty(), "{:?}", o.notes);
    let aks = &rs[0].value;
    let ids = aks["identity"]["userAssignedIdentities"]
        .as_object()
        .unwrap();
    assert_eq!(
        ids.keys().next().unwrap(),
        "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"
    );
    assert!(aks["properties"]["vnet"]
        .as_str()
        .unwrap()
        .ends_with("/virtualNetworks/v"));
    assert_eq!(
        rs[1].id,
        "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks/providers/Microsoft.Insights/diagnosticSettings/service"
    );
    assert_eq!(
        rs[2].id,
        "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/providers/Microsoft.Insights/diagnosticSettings/d"
    );
}

#[test]
fn user_defined_functions() {
    // Learn, "User-defined functions in ARM templates": the namespace `contoso` with
    // `uniqueName(namePrefix)` = concat(toLower(prefix), uniqueString(resourceGroup().id)).
    let t = json!({
        "functions": [{ "namespace": "contoso", "members": {
            "uniqueName": {
                "parameters": [{ "name": "namePrefix", "type": "string" }],
                "output": { "type": "string",
                    "value": "[concat(toLower(parameters('namePrefix')), uniqueString(resourceGroup().id))]" } },
            "subnet": {
                "parameters": [{ "name": "vnet", "type": "string" }, { "name": "i", "type": "int" }],
                "output": { "type": "object", "value": { "name": "[format('s{0}', parameters('i'))]",
                    "prefix": "[cidrSubnet(parameters('vnet'), 24, parameters('i'))]" } } },
            "leaky": {
                "parameters": [],
                "output": { "type": "string", "value": "[variables('v')]" } }
        } }],
        "variables": { "v": "x" },
        "resources": [{
            "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01",
            "name": "[contoso.uniqueName('VNet')]",
            "properties": { "subnets": [{
                "name": "[contoso.subnet('10.1.0.0/16', 3).name]",
                "properties": { "addressPrefix": "[contoso.subnet('10.1.0.0/16', 3).prefix]" } }] }
        }]
    });
    let (rs, o) = run(t, json!({}));
    assert!(o.notes.iter().all(|n| !n.error), "{:?}", o.notes);
    let id_rg = "/subscriptions/sub/resourceGroups/rg";
    let name = format!("vnet{}", crate::hash::unique_string(&[id_rg]));
    let v = body(&rs, &format!("virtualNetworks/{name}"));
    assert_eq!(v["properties"]["subnets"][0]["name"], "s3");
    assert_eq!(
        v["properties"]["subnets"][0]["properties"]["addressPrefix"],
        "10.1.3.0/24"
    );
    // A function cannot read the template's variables; a call with the wrong arity is an error.
    let bad = |name: &str| {
        let t = json!({
            "functions": [{ "namespace": "contoso", "members": {
                "leaky": { "parameters": [], "output": { "type": "string", "value": "[variables('v')]" } },
                "one": { "parameters": [{ "name": "a" }], "output": { "type": "string", "value": "[parameters('a')]" } } } }],
            "variables": { "v": "x" },
            "resources": [{ "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01",
                "name": name, "properties": {} }]
        });
        let (_, o) = run(t, json!({}));
        o.notes
            .iter()
            .filter(|n| n.error)
            .map(|n| n.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let e = bad("[contoso.leaky()]");
    assert!(e.contains("in user-defined function contoso.leaky"), "{e}");
    let e = bad("[contoso.one()]");
    assert!(
        e.contains("contoso.one expects 1 argument(s), got 0"),
        "{e}"
    );
    let e = bad("[contoso.nosuch()]");
    assert!(e.contains("unknown function 'contoso.nosuch'"), "{e}");
}

#[test]
fn reference_reads_a_child_written_inside_its_parent() {
    // A subnet declared in its VNet's `subnets` is a resource of its own in Azure, and
    // `reference(subnetId)` reads it (the AKS baseline's IP group reads its node subnet so).
    let (rs, o) = run(
        json!({
            "resources": [
                {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-09-01", "name": "spoke",
                 "properties": {"addressSpace": {"addressPrefixes": ["10.240.0.0/16"]},
                                "subnets": [{"name": "snet-nodes", "properties": {"addressPrefix": "10.240.0.0/22"}}]}},
                {"type": "Microsoft.Network/ipGroups", "apiVersion": "2023-09-01", "name": "ipg",
                 "dependsOn": ["spoke"],
                 "properties": {"ipAddresses": ["[reference(resourceId('Microsoft.Network/virtualNetworks/subnets', 'spoke', 'SNET-NODES'), '2023-11-01').addressPrefix]"]}}
            ],
            "outputs": {"missing": {"type": "string", "value": "[reference(resourceId('Microsoft.Network/virtualNetworks/subnets', 'spoke', 'other')).addressPrefix]"}}
        }),
        json!({}),
    );
    assert_eq!(
        body(&rs, "ipGroups/ipg")["properties"]["ipAddresses"],
        json!(["10.240.0.0/22"])
    );
    assert!(
        as_marker(&o.outputs["missing"]["value"]).is_some(),
        "{:?}",
        o.outputs
    );
}
