//! Compiling small files and deploying the result with the ARM deployer: what Bicep means is
//! what the deployment creates.

use std::cell::RefCell;

use aksnet_arm::template::{self, Deployment, NoLoader, Scope, ScopeKind, World};
use serde_json::{json, Map, Value as Json};

use super::*;

struct Run {
    resources: Vec<(String, Json)>,
    outputs: Map<String, Json>,
    problems: Vec<Problem>,
    notes: Vec<template::Note>,
    map: SourceMap,
}

impl Run {
    fn get(&self, id_end: &str) -> &Json {
        &self
            .resources
            .iter()
            .find(|(id, _)| id.ends_with(id_end))
            .unwrap_or_else(|| panic!("no {id_end} in {:?}", self.ids()))
            .1
    }

    fn ids(&self) -> Vec<&str> {
        self.resources.iter().map(|(i, _)| i.as_str()).collect()
    }

    fn output(&self, name: &str) -> &Json {
        &self.outputs[name]["value"]
    }
}

/// Writes `files` to a temporary folder, compiles the first and deploys it at resource group
/// `rg` of subscription `sub`.
fn run(files: &[(&str, &str)], params: Json) -> Run {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let c = compile(&dir.path().join(files[0].0)).unwrap_or_else(|p| panic!("{p:?}"));
    let scope = match ScopeKind::of(&c.template) {
        ScopeKind::Subscription => Scope {
            subscription: Some("sub".into()),
            ..Scope::default()
        },
        _ => Scope {
            subscription: Some("sub".into()),
            resource_group: Some("rg".into()),
            location: Some("westeurope".into()),
            ..Scope::default()
        },
    };
    let d = Deployment {
        name: "main".into(),
        file: files[0].0.into(),
        template: &c.template,
        scope,
        parameters: params.as_object().cloned().unwrap_or_default(),
    };
    let world = RefCell::new(World::default());
    let out = template::deploy(&d, &world, &NoLoader);
    Run {
        resources: world
            .into_inner()
            .into_resources()
            .into_iter()
            .map(|r| (r.id, r.value))
            .collect(),
        outputs: out.outputs,
        problems: c.problems,
        notes: out.notes,
        map: c.map,
    }
}

#[test]
fn expressions_compile_to_what_bicep_means() {
    let r = run(
        &[(
            "main.bicep",
            r#"
param p string = 'Ab'
param o object = { a: { b: 1 } }
var list = [1, 2, 3]
output interp string = 'x-${p}-{y}-${length(list)}'
output ops array = [p =~ 'ab', p !~ 'AB', !true, -length(list), 7 % 4, 1 < 2 && 2 >= 2 || false]
output safe array = [o.?c, o.a.?b, list[?7], o.?c ?? 'none', o.a.b]
output spread object = { ...o, z: 0 }
output flat array = [0, ...list]
output ternary string = length(list) > 2
  ? 'many'
  : 'few'
output lambdas array = map(filter(list, x => x > 1), (x, i) => x * i)
output multi string = '''
a\n${b}'''
output any int = any(4)
output last int = list[^1]
output name string = nameof(o.a)
output holes string = $'''
${p}-x'''
"#,
        )],
        json!({}),
    );
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.output("interp"), &json!("x-Ab-{y}-3"));
    assert_eq!(r.output("ops"), &json!([true, false, false, -3, 3, true]));
    assert_eq!(r.output("safe"), &json!([null, 1, null, "none", 1]));
    assert_eq!(r.output("spread"), &json!({"a": {"b": 1}, "z": 0}));
    assert_eq!(r.output("flat"), &json!([0, 1, 2, 3]));
    assert_eq!(r.output("ternary"), &json!("many"));
    assert_eq!(r.output("lambdas"), &json!([0, 3]));
    assert_eq!(r.output("multi"), &json!("a\\n${b}"));
    assert_eq!(r.output("any"), &json!(4));
    assert_eq!(r.output("last"), &json!(3));
    assert_eq!(r.output("name"), &json!("a"));
    assert_eq!(r.output("holes"), &json!("Ab-x"));
}

#[test]
fn resources_children_loops_conditions_and_references() {
    let r = run(
        &[(
            "main.bicep",
            r#"
param prefixes array = ['10.1.0.0/24', '10.2.0.0/24', '10.3.0.0/24']
param withRt bool = true
resource rt 'Microsoft.Network/routeTables@2023-04-01' = if (withRt) {
  name: 'rt'
  location: 'westeurope'
  properties: { routes: [] }
}
resource vnet 'Microsoft.Network/virtualNetworks@2023-04-01' = {
  name: 'vnet'
  location: resourceGroup().location
  properties: {
    addressSpace: { addressPrefixes: ['10.0.0.0/8'] }
    subnets: [for (p, i) in prefixes: {
      name: 'snet-${i}'
      properties: { addressPrefix: p, routeTable: withRt ? { id: rt.id } : null }
    }]
  }
  resource nested 'subnets' = {
    name: 'nested'
    properties: { addressPrefix: '10.9.0.0/24' }
  }
}
resource extra 'Microsoft.Network/virtualNetworks/subnets@2023-04-01' = [for (p, i) in prefixes: if (i != 1) {
  parent: vnet
  name: 'extra-${i}'
  properties: { addressPrefix: cidrSubnet(p, 25, 0) }
}]
resource hub 'Microsoft.Network/virtualNetworks@2023-04-01' existing = {
  name: 'hub'
  scope: resourceGroup('other-sub', 'hub-rg')
}
output nestedId string = vnet::nested.id
output nestedName string = vnet::nested.name
output extraId string = extra[2].id
output hubId string = hub.id
output space array = vnet.properties.addressSpace.addressPrefixes
output location string = vnet.location
"#,
        )],
        json!({}),
    );
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    let vnet = r.get("virtualNetworks/vnet");
    let subnets = vnet["properties"]["subnets"].as_array().unwrap();
    assert_eq!(subnets.len(), 3);
    assert_eq!(subnets[2]["name"], "snet-2");
    assert_eq!(
        subnets[0]["properties"]["routeTable"]["id"],
        "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt"
    );
    assert_eq!(vnet["location"], "westeurope");
    r.get("virtualNetworks/vnet/subnets/nested");
    assert_eq!(
        r.get("subnets/extra-2")["properties"]["addressPrefix"],
        "10.3.0.0/25"
    );
    assert!(
        !r.ids().iter().any(|i| i.ends_with("extra-1")),
        "filtered out"
    );
    assert!(!r.ids().iter().any(|i| i.contains("/hub")), "existing");
    assert_eq!(
        r.output("nestedId"),
        &json!("/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/nested")
    );
    assert_eq!(r.output("nestedName"), &json!("nested"));
    assert!(r
        .output("extraId")
        .as_str()
        .unwrap()
        .ends_with("/subnets/extra-2"));
    assert_eq!(
        r.output("hubId"),
        &json!("/subscriptions/other-sub/resourceGroups/hub-rg/providers/Microsoft.Network/virtualNetworks/hub")
    );
    assert_eq!(r.output("space"), &json!(["10.0.0.0/8"]));
    assert_eq!(r.output("location"), &json!("westeurope"));
}

#[test]
fn modules_deploy_where_their_scope_says_and_return_outputs() {
    let r = run(
        &[
            (
                "main.bicep",
                r#"
targetScope = 'subscription'
resource rg 'Microsoft.Resources/resourceGroups@2022-09-01' = {
  name: 'spoke-rg'
  location: 'westeurope'
}
module spokes 'modules/vnet.bicep' = [for i in range(0, 2): {
  name: 'spoke-${i}'
  scope: rg
  params: { name: 'spoke${i}', prefix: '10.${i}.0.0/16' }
}]
module hub './modules/vnet.bicep' = {
  scope: resourceGroup('hub-rg')
  params: { name: 'hub', prefix: '10.100.0.0/16', peerTo: [for i in range(0, 2): spokes[i].outputs.id] }
}
output hubId string = hub.outputs.id
output spokeNames array = [for i in range(0, 2): spokes[i].outputs.name]
"#,
            ),
            (
                "modules/vnet.bicep",
                r#"
param name string
param prefix string
param peerTo array = []
resource vnet 'Microsoft.Network/virtualNetworks@2023-04-01' = {
  name: name
  location: 'westeurope'
  properties: { addressSpace: { addressPrefixes: [prefix] } }
}
resource peerings 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings@2023-04-01' = [for (remote, i) in peerTo: {
  parent: vnet
  name: 'to-${last(split(remote, '/'))}'
  properties: { remoteVirtualNetwork: { id: remote } }
}]
output id string = vnet.id
output name string = vnet.name
"#,
            ),
        ],
        json!({}),
    );
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    r.get("/subscriptions/sub/resourceGroups/spoke-rg/providers/Microsoft.Network/virtualNetworks/spoke1");
    let p = r.get("/subscriptions/sub/resourceGroups/hub-rg/providers/Microsoft.Network/virtualNetworks/hub/virtualNetworkPeerings/to-spoke0");
    assert_eq!(
        p["properties"]["remoteVirtualNetwork"]["id"],
        "/subscriptions/sub/resourceGroups/spoke-rg/providers/Microsoft.Network/virtualNetworks/spoke0"
    );
    assert!(r
        .output("hubId")
        .as_str()
        .unwrap()
        .ends_with("/hub-rg/providers/Microsoft.Network/virtualNetworks/hub"));
    assert_eq!(r.output("spokeNames"), &json!(["spoke0", "spoke1"]));
    // The module's resources map back to the module's file.
    let place = r
        .map
        .place("$.resources.hub.properties.template.resources.vnet.properties")
        .unwrap();
    assert!(place.file.ends_with("vnet.bicep"), "{place:?}");
    assert_eq!(place.line, 8);
}

#[test]
fn functions_imports_and_loaded_files() {
    let r = run(
        &[
            (
                "main.bicep",
                r#"
import { prefixes, cidrOf, net } from 'shared.bicep'
import * as lib from 'shared.bicep'
func twice(x int) int => x * 2
param p net = { cidr: '10.0.0.0/16' }
var cfg = loadJsonContent('cfg.json', '$.network')
var yaml = loadYamlContent('cfg.yaml')
output a int = twice(21)
output b string = cidrOf(p)
output c array = prefixes
output d string = lib.cidrOf({ cidr: 'x' })
output e string = cfg.name
output f string = loadTextContent('note.txt')
output g int = yaml.size
output h string = lib.prefixes[0]
"#,
            ),
            (
                "shared.bicep",
                r#"
@export()
type net = { cidr: string }
var base = '10.0'
@export()
var prefixes = ['${base}.1.0/24']
@export()
func cidrOf(n net) string => n.cidr
"#,
            ),
            ("cfg.json", r#"{"network": {"name": "hub"}}"#),
            ("cfg.yaml", "size: 3\n"),
            ("note.txt", "it's"),
        ],
        json!({}),
    );
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    assert_eq!(r.output("a"), &json!(42));
    assert_eq!(r.output("b"), &json!("10.0.0.0/16"));
    assert_eq!(r.output("c"), &json!(["10.0.1.0/24"]));
    assert_eq!(r.output("d"), &json!("x"));
    assert_eq!(r.output("e"), &json!("hub"));
    assert_eq!(r.output("f"), &json!("it's"));
    assert_eq!(r.output("g"), &json!(3));
    assert_eq!(r.output("h"), &json!("10.0.1.0/24"));
}

#[test]
fn what_cannot_compile_is_unknown_at_its_position() {
    let r = run(
        &[(
            "main.bicep",
            "resource vnet 'Microsoft.Network/virtualNetworks@2023-04-01' = {\n  name: 'v'\n  properties: {\n    addressSpace: { addressPrefixes: [nope] }\n  }\n}\nmodule m 'br/public:avm/res/network/nat-gateway:1.0.0' = {\n  name: 'm'\n}\n",
        )],
        json!({}),
    );
    let e = &r.problems[0];
    assert_eq!((e.place.line, e.place.column), (4, 39));
    assert!(e.message.contains("'nope' is not a parameter"), "{e:?}");
    let v = r.get("virtualNetworks/v");
    assert!(template::as_marker(&v["properties"]["addressSpace"]["addressPrefixes"][0]).is_some());
    let m = &r.problems[1];
    assert_eq!((m.place.line, m.place.column), (7, 10));
    assert!(m.message.contains("not in Bicep's local cache"), "{m:?}");
    assert!(
        m.message.contains("its resources are not imported"),
        "{m:?}"
    );
}

#[test]
fn registry_modules_come_from_the_local_cache() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let module = cache.join("br/mcr.microsoft.com/bicep$avm$res$network$route-table/0.4.0$");
    std::fs::create_dir_all(&module).unwrap();
    std::fs::write(
        module.join("main.json"),
        r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0",
            "parameters": {"name": {"type": "string"}},
            "resources": [{"type": "Microsoft.Network/routeTables", "apiVersion": "2023-04-01", "name": "[parameters('name')]", "location": "westeurope", "properties": {}}],
            "outputs": {"id": {"type": "string", "value": "[resourceId('Microsoft.Network/routeTables', parameters('name'))]"}}}"#,
    )
    .unwrap();
    let config = format!(
        "{{ // comments are allowed\n \"cacheRootDirectory\": {} }}",
        serde_json::to_string(&cache.display().to_string()).unwrap()
    );
    let r = run(
        &[
            ("main.bicep", "module rt 'br/public:avm/res/network/route-table:0.4.0' = {\n  name: 'rt'\n  params: { name: 'rt-spoke' }\n}\noutput id string = rt.outputs.id\n"),
            ("bicepconfig.json", &config),
        ],
        json!({}),
    );
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    r.get("/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt-spoke");
    assert!(r
        .output("id")
        .as_str()
        .unwrap()
        .ends_with("routeTables/rt-spoke"));
}

#[test]
fn hostile_input_ends_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("main.bicep");
    // A module that includes itself.
    std::fs::write(&p, "module m 'main.bicep' = { name: 'm' }\n").unwrap();
    let c = compile(&p).unwrap();
    assert!(
        c.problems
            .iter()
            .any(|x| x.message.contains("includes itself")),
        "{:?}",
        c.problems
    );
    for text in [
        "var x = (((((",
        "resource r 'T@1' = {",
        "param",
        "var x = '${",
        "output o string = [for x in y: ]",
    ] {
        std::fs::write(&p, text).unwrap();
        assert!(compile(&p).is_err(), "{text}");
    }
    std::fs::write(&p, format!("var x = {}", "[".repeat(100_000))).unwrap();
    assert!(compile(&p).unwrap_err().message.contains("too deeply"));
}

#[test]
fn bicepparam_values_use_vars_params_and_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("main.bicepparam");
    std::fs::write(
        &p,
        "using 'main.bicep'\nvar base = '10.1'\nparam prefix = '${base}.0.0/16'\nparam subnets = [for i in range(0, 2): cidrSubnet(prefix, 24, i)]\nparam who = readEnvironmentVariable('AKSNET_TEST_UNSET_VARIABLE', 'nobody')\nparam secret = az.getSecret('sub', 'rg', 'kv', 'name')\n",
    )
    .unwrap();
    let f = params_file::read(&p).unwrap();
    assert_eq!(
        f.using.as_deref(),
        Some(dir.path().join("main.bicep").as_path())
    );
    assert_eq!(f.values["prefix"], json!("10.1.0.0/16"));
    assert_eq!(f.values["subnets"], json!(["10.1.0.0/24", "10.1.1.0/24"]));
    assert_eq!(f.values["who"], json!("nobody"));
    assert!(template::as_marker(&f.values["secret"]).is_some());
    assert!(f.problems.iter().all(|p| !p.error), "{:?}", f.problems);
    std::fs::write(&p, "using 'main.bicep'\nparam x = nope\n").unwrap();
    let f = params_file::read(&p).unwrap();
    assert_eq!(f.problems[0].place.line, 2);
    assert!(template::as_marker(&f.values["x"]).is_some());
}

#[test]
fn module_paths_read_as_written_without_dot_segments() {
    assert_eq!(
        join(Path::new("a/b"), "./c.bicep"),
        PathBuf::from("a/b/c.bicep")
    );
    assert_eq!(
        join(Path::new("a/b"), "../c/d.bicep"),
        PathBuf::from("a/c/d.bicep")
    );
    assert_eq!(
        join(Path::new(".."), "../x.bicep"),
        PathBuf::from("../../x.bicep")
    );
}

#[test]
fn nested_resources_see_their_siblings_by_name() {
    let r = run(
        &[(
            "main.bicep",
            "resource p 'Microsoft.Cdn/profiles@2023-05-01' = {\n  name: 'p'\n  resource sec 'securityPolicies' = {\n    name: 'sec'\n    properties: { x: endpoint.id }\n  }\n  resource endpoint 'afdEndpoints' = {\n    name: 'e'\n    resource route 'routes' = {\n      name: 'r'\n      properties: { g: og.id }\n    }\n  }\n  resource og 'originGroups' = {\n    name: 'og'\n  }\n}\n",
        )],
        json!({}),
    );
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert!(r.get("profiles/p/securityPolicies/sec")["properties"]["x"]
        .as_str()
        .unwrap()
        .ends_with("/profiles/p/afdEndpoints/e"));
    assert!(r.get("afdEndpoints/e/routes/r")["properties"]["g"]
        .as_str()
        .unwrap()
        .ends_with("/profiles/p/originGroups/og"));
}

#[test]
fn using_is_read_without_evaluating_the_values() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.bicepparam");
    std::fs::write(&p, "using './infra/main.bicep'\nparam a = nope\n").unwrap();
    assert_eq!(
        params_file::using(&p).unwrap(),
        Some(dir.path().join("infra/main.bicep"))
    );
    std::fs::write(&p, "using none\n").unwrap();
    assert_eq!(params_file::using(&p).unwrap(), None);
    std::fs::write(&p, "using\n").unwrap();
    assert!(params_file::using(&p).is_err());
}
