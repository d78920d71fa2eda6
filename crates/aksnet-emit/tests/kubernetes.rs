//! Generated Kubernetes manifests: valid YAML documents with the expected kinds, the ingress
//! Service on the planned internal address, a default-deny policy per namespace; snapshots.

use aksnet_design::{design, REFERENCE_INTENT, REFERENCE_NAME};
use aksnet_emit::kubernetes;
use serde_json::Value;

fn documents(text: &str) -> Vec<Value> {
    text.split("\n---\n")
        .map(|d| {
            serde_saphyr::from_str::<Value>(d).unwrap_or_else(|e| panic!("invalid YAML: {e}\n{d}"))
        })
        .collect()
}

#[test]
fn the_reference_gets_its_ingress_service_and_default_deny() {
    let estate = design(REFERENCE_NAME, REFERENCE_INTENT).unwrap().estate;
    let files = kubernetes::generate(&estate);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "aks-prod/ingress-internal-service.yaml",
            "aks-prod/namespace-apps.yaml"
        ]
    );
    let svc = documents(&files[0].1);
    let annotations = &svc[1]["metadata"]["annotations"];
    assert_eq!(
        annotations["service.beta.kubernetes.io/azure-load-balancer-internal"],
        "true"
    );
    assert_eq!(
        annotations["service.beta.kubernetes.io/azure-load-balancer-internal-subnet"],
        "snet-ilb"
    );
    let ilb = estate
        .load_balancers
        .iter()
        .next()
        .unwrap()
        .properties
        .frontend_ip_configurations[0]
        .properties
        .private_ip_address
        .clone()
        .unwrap();
    assert_eq!(
        annotations["service.beta.kubernetes.io/azure-load-balancer-ipv4"],
        ilb.as_str()
    );
    let deny = documents(&files[1].1);
    assert_eq!(
        deny[1]["spec"]["policyTypes"],
        serde_json::json!(["Ingress", "Egress"])
    );
    assert_eq!(deny[2]["spec"]["egress"][0]["ports"][0]["port"], 53);
    for (name, text) in files {
        insta::assert_snapshot!(name.replace('/', "__"), text);
    }
}

#[test]
fn every_example_parses() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let estate = design("x", &std::fs::read_to_string(&path).unwrap())
            .unwrap()
            .estate;
        for (name, text) in kubernetes::generate(&estate) {
            for d in documents(&text) {
                assert!(d["kind"].is_string(), "{}: {name}", path.display());
            }
        }
    }
}

#[test]
fn only_valid_namespace_names_from_the_tag_become_manifests() {
    let mut estate = design(REFERENCE_NAME, REFERENCE_INTENT).unwrap().estate;
    let id = estate.managed_clusters.iter().next().unwrap().id.clone();
    let mc = estate.managed_clusters.get_mut(&id).unwrap();
    mc.tags.insert(
        aksnet_model::aks::NAMESPACES_TAG.into(),
        "apps, Bad_NS, ops,,-x, payments".into(),
    );
    let names: Vec<String> = kubernetes::generate(&estate)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "aks-prod/ingress-internal-service.yaml",
            "aks-prod/namespace-apps.yaml",
            "aks-prod/namespace-ops.yaml",
            "aks-prod/namespace-payments.yaml"
        ]
    );
}
