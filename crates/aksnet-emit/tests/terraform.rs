//! The generated Terraform against the azurerm 4.55.0 schema (`shared/schemas`): every resource
//! type, argument and nested block exists, nothing computed-only is set, and every required
//! argument and block is there. Plus snapshots of every file for the reference and the examples,
//! and byte-identical output across runs.

mod common;

use common::examples;

use std::path::Path;

use aksnet_design::{design, REFERENCE_INTENT, REFERENCE_NAME};
use aksnet_emit::hcl::Block;
use aksnet_emit::terraform;
use serde_json::Value;

fn schema() -> Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/schemas/azurerm-4.55.0.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("shared/schemas beside the project"))
        .unwrap()
}

/// Meta-arguments Terraform accepts on every resource.
const META: &[&str] = &["provider", "depends_on", "count", "for_each", "lifecycle"];

/// Checks a block's arguments and nested blocks against its schema node; returns problems.
fn check(path: &str, b: &Block, node: &serde_json::Map<String, Value>, top: bool) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, _) in b.attributes() {
        if top && META.contains(&name) {
            continue;
        }
        match node.get(name) {
            None => problems.push(format!("{path}: unknown argument `{name}`")),
            Some(spec) if spec.get("block").is_some() => {
                problems.push(format!("{path}: `{name}` is a block, set as an argument"))
            }
            Some(_) if name == "id" => problems.push(format!("{path}: `id` is computed")),
            Some(_) => {}
        }
    }
    for nested in b.blocks() {
        let name = nested.kind();
        match node.get(name).and_then(|s| s.get("block").map(|_| s)) {
            None => problems.push(format!("{path}: unknown block `{name}`")),
            Some(spec) => {
                let empty = serde_json::Map::new();
                let inner = spec
                    .get("attributes")
                    .and_then(Value::as_object)
                    .unwrap_or(&empty);
                problems.extend(check(&format!("{path}.{name}"), nested, inner, false));
            }
        }
    }
    for (name, spec) in node {
        if spec.get("required").and_then(Value::as_bool) != Some(true) {
            continue;
        }
        let set = b.attributes().any(|(k, _)| k == name) || b.blocks().any(|x| x.kind() == name);
        if !set {
            problems.push(format!("{path}: required `{name}` is missing"));
        }
    }
    problems
}

fn schema_problems(estate: &aksnet_model::Estate, schema: &Value) -> Vec<String> {
    let resources = schema["resources"].as_object().unwrap();
    let mut problems = Vec::new();
    for (file, b) in terraform::resource_blocks(estate).unwrap() {
        if b.kind() != "resource" {
            continue;
        }
        let (ty, local) = (&b.labels()[0], &b.labels()[1]);
        let path = format!("{file}: {ty}.{local}");
        match resources.get(ty.as_str()).and_then(Value::as_object) {
            None => problems.push(format!("{path}: unknown resource type")),
            Some(node) => problems.extend(check(&path, &b, node, true)),
        }
    }
    problems
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn the_provider_constraint_allows_only_the_checked_schema() {
    let checked = schema()["version"].as_str().unwrap().to_string();
    assert_eq!(checked, terraform::AZURERM_SCHEMA_VERSION);
    // `~> X.Y.Z` allows X.Y.Z and its later patch releases, nothing else.
    assert_eq!(terraform::AZURERM_VERSION, format!("~> {checked}"));
    let estate = design(REFERENCE_NAME, REFERENCE_INTENT).unwrap().estate;
    let versions = terraform::generate(&estate)
        .unwrap()
        .into_iter()
        .find(|(n, _)| n == "versions.tf")
        .unwrap()
        .1;
    assert!(
        versions.contains(&format!("version = \"~> {checked}\"")),
        "{versions}"
    );
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn every_resource_matches_the_azurerm_schema() {
    let schema = schema();
    for (name, text) in examples() {
        let estate = design(&name, &text).unwrap().estate;
        let problems = schema_problems(&estate, &schema);
        assert!(problems.is_empty(), "{name}:\n{}", problems.join("\n"));
    }
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn the_schema_check_catches_a_misspelt_argument() {
    let schema = schema();
    let resources = schema["resources"].as_object().unwrap();
    let mut b = Block::new("resource", &["azurerm_subnet", "x"]);
    b.attr("name", aksnet_emit::hcl::Expr::s("a"))
        .attr("resource_group_nam", aksnet_emit::hcl::Expr::s("rg"))
        .attr("virtual_network_name", aksnet_emit::hcl::Expr::s("v"))
        .block("delegaton", |_| {});
    let problems = check(
        "t",
        &b,
        resources["azurerm_subnet"].as_object().unwrap(),
        true,
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("unknown argument `resource_group_nam`")),
        "{problems:?}"
    );
    assert!(problems
        .iter()
        .any(|p| p.contains("unknown block `delegaton`")));
    assert!(problems
        .iter()
        .any(|p| p.contains("required `resource_group_name` is missing")));
}

#[test]
fn generated_files_match_their_snapshots_and_are_deterministic() {
    for (name, text) in examples() {
        let estate = design(&name, &text).unwrap().estate;
        let files = terraform::generate(&estate).unwrap();
        assert_eq!(
            files,
            terraform::generate(&estate).unwrap(),
            "{name}: not deterministic"
        );
        for (file, body) in files {
            insta::assert_snapshot!(format!("{name}__{file}"), body);
        }
    }
    let reference = design(REFERENCE_NAME, REFERENCE_INTENT).unwrap().estate;
    assert!(terraform::generate(&reference)
        .unwrap()
        .iter()
        .any(|(f, _)| f == "spoke_aks_prod.tf"));
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn imported_estates_generate_schema_valid_terraform() {
    // PSRule's test resources: real REST shapes, many clusters and settings the designs never use.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/psrule");
    let imported = aksnet_import::import_paths("psrule", &[dir.as_path()]);
    let estate = imported.estate;
    assert!(estate.managed_clusters.len() > 5);
    let problems = schema_problems(&estate, &schema());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let files = terraform::generate(&estate).unwrap();
    assert!(files.iter().any(|(f, _)| f.starts_with("aks_")));
    // Classic rule collections of all three types, and IP groups, from templates and REST.
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let firewall = corpus.join("azure-rest-examples/network/AzureFirewallPut.json");
    let groups = corpus.join(
        "arm/quickstart-azurefirewall-create-with-ipgroups-and-linux-jumpbox.azuredeploy.json",
    );
    let templates = aksnet_import::Templates {
        parameters: vec!["adminUsername=azureuser".into()],
        location: Some("westus".into()),
        ..Default::default()
    };
    for path in [firewall, groups] {
        let mut estate =
            aksnet_import::import_paths_with("classic", &[path.as_path()], &templates).estate;
        assert!(estate
            .azure_firewalls
            .iter()
            .any(|f| f.properties.has_classic_rules()));
        // The REST example DNATs to an FQDN, which the classic Terraform resource cannot say.
        if let Err(e) = terraform::generate(&estate) {
            assert!(
                e.message
                    .contains("translates to the FQDN `internalhttpserver`"),
                "{}",
                e.message
            );
            let ids: Vec<_> = estate
                .azure_firewalls
                .iter()
                .map(|f| f.id.clone())
                .collect();
            for id in ids {
                let fw = estate.azure_firewalls.get_mut(&id).unwrap();
                for c in &mut fw.properties.nat_rule_collections {
                    c.properties
                        .rules
                        .retain(|r| r.translated_address.is_some());
                }
            }
        }
        let problems = schema_problems(&estate, &schema());
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}

/// Providers are aliased by the intent's subscription names, and the placeholder subscription
/// of an intent that names none is a required variable, never a zero GUID in generated code
/// (issue 21, item 4).
#[test]
fn providers_take_the_intents_names_and_no_zero_guid_is_generated() {
    for (name, text) in examples() {
        let estate = design(&name, &text).unwrap().estate;
        for (file, body) in terraform::generate(&estate).unwrap() {
            assert!(
                !body.contains("00000000-0000-0000-0000-000000000000"),
                "{name}/{file} holds the placeholder subscription"
            );
        }
    }
    let multi = examples()
        .into_iter()
        .find(|(n, _)| n.contains("multi-spoke"))
        .expect("the multi-spoke example");
    let estate = design(&multi.0, &multi.1).unwrap().estate;
    let files = terraform::generate(&estate).unwrap();
    let providers = &files.iter().find(|(f, _)| f == "providers.tf").unwrap().1;
    assert!(
        providers.contains("alias           = \"connectivity\""),
        "{providers}"
    );
    let variables = &files.iter().find(|(f, _)| f == "variables.tf").unwrap().1;
    let spoke_sub = variables
        .split("variable ")
        .find(|v| v.starts_with("\"subscription_id_sub2\""))
        .expect("the spoke without a subscription has a variable");
    assert!(!spoke_sub.contains("default"), "{spoke_sub}");
}

/// The App Gateway keeps the client's Host header (no `pick_host_name_from_backend_address`
/// with an IP backend, which would make every request `Host: 10.x.y.z`), and its probe names its
/// own host (issue 21, item 3).
#[test]
fn app_gateway_keeps_the_host_header() {
    let reference = design(REFERENCE_NAME, REFERENCE_INTENT).unwrap().estate;
    let files = terraform::generate(&reference).unwrap();
    let gw: String = files
        .iter()
        .filter(|(_, b)| b.contains("azurerm_application_gateway"))
        .map(|(_, b)| b.clone())
        .collect();
    assert!(!gw.is_empty());
    assert!(
        !gw.contains("pick_host_name_from_backend_address = true"),
        "{gw}"
    );
    assert!(
        gw.contains("pick_host_name_from_backend_address = false"),
        "{gw}"
    );
    assert!(
        !gw.contains("pick_host_name_from_backend_http_settings = true"),
        "{gw}"
    );
    assert!(
        gw.contains("host                                      = \"127.0.0.1\""),
        "{gw}"
    );
}

/// Every cluster's kubelet identity gets AcrPull on the registries it pulls from — its own
/// spoke's — and on no other, and its Secrets Store CSI identity Key Vault Secrets User on each
/// RBAC-mode vault it reads (issue 21, item 1).
#[test]
fn every_cluster_can_pull_from_its_registry() {
    for (name, text) in examples() {
        let estate = design(&name, &text).unwrap().estate;
        let uses = aksnet_model::uses::Uses::new(&estate);
        let all: String = terraform::generate(&estate)
            .unwrap()
            .into_iter()
            .map(|(_, b)| b)
            .collect();
        for mc in estate.managed_clusters.iter() {
            let pulls = uses.registries_of(mc);
            assert!(
                estate.container_registries.is_empty() || !pulls.is_empty(),
                "{name}: {} pulls from no registry",
                mc.name
            );
            for r in pulls {
                let local = mc.name.replace('-', "_");
                // Labelled by the registry's base name, which does not follow the suffix.
                let base = estate
                    .unique_names
                    .bases
                    .get(&r.id)
                    .map_or(r.name.as_str(), |b| b.trim_end_matches('-'));
                let block = format!("\"{local}_acrpull_{}\"", base.replace('-', "_"));
                assert!(all.contains(&block), "{name}: no AcrPull {block}");
            }
        }
        let vaults: usize = estate
            .managed_clusters
            .iter()
            .map(|mc| {
                uses.key_vaults_of(mc)
                    .iter()
                    .filter(|v| v.properties.enable_rbac_authorization)
                    .count()
            })
            .sum();
        assert!(vaults > 0 || estate.key_vaults.is_empty(), "{name}");
        assert_eq!(
            all.matches("\"Key Vault Secrets User\"").count(),
            vaults,
            "{name}"
        );
        assert_eq!(
            all.matches("\"AcrPull\"").count(),
            estate
                .managed_clusters
                .iter()
                .map(|mc| uses.registries_of(mc).len())
                .sum::<usize>(),
            "{name}"
        );
    }
}

/// A public API server's authorized ranges take the address the nodes really egress from, by
/// reference: behind a third-party NVA that is the NVA subnet's NAT gateway, not a firewall
/// (issue 15, item 5; the engine decides, as for AKS-MGT-003).
#[test]
fn authorized_ranges_reference_an_nva_s_nat_gateway_ip() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/nva-pod-subnet.yaml"
    ))
    .unwrap();
    let d = design("nva", &text).unwrap();
    let mut v = serde_json::to_value(&d.estate).unwrap();
    v["managedClusters"][0]["properties"]["apiServerAccessProfile"] =
        serde_json::json!({ "authorizedIPRanges": ["203.0.113.0/24"] });
    let estate = aksnet_model::Estate::from_json(&v.to_string()).unwrap();
    let all: String = terraform::generate(&estate)
        .unwrap()
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    assert!(
        all.contains(
            "authorized_ip_ranges = concat([\"203.0.113.0/24\"], [\"${azurerm_public_ip.pip_ng_nva_adatum.ip_address}/32\"])"
        ),
        "{}",
        all.lines()
            .filter(|l| l.contains("authorized_ip_ranges"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A route whose next hop address is unknown before deployment (an imported template's) has no
/// value to write: generation refuses, naming the route and the expression.
#[test]
fn a_next_hop_unknown_before_deployment_is_refused() {
    let d = design(REFERENCE_NAME, REFERENCE_INTENT).unwrap();
    let mut v = serde_json::to_value(&d.estate).unwrap();
    let route = &mut v["routeTables"][0]["properties"]["routes"][0];
    let name = route["name"].as_str().unwrap().to_string();
    route["properties"]["nextHopType"] = "VirtualAppliance".into();
    route["properties"]["nextHopIpAddress"] = serde_json::json!({ "$unknown": {
        "expression": "reference(parameters('fw')).ipConfigurations[0].properties.privateIPAddress",
        "reason": "assigned at deployment" } });
    let e: aksnet_model::Estate = serde_json::from_value(v).unwrap();
    let err = terraform::generate(&e).unwrap_err();
    assert!(
        err.message.contains(&format!("route `{name}`"))
            && err.message.contains("reference(parameters('fw'))"),
        "{}",
        err.message
    );
}
