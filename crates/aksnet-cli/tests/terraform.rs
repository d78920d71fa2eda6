//! Terraform through the CLI: a hub-and-spoke configuration written the way users write them
//! (`tests/fixtures/terraform/hub-spoke`: variables with a `terraform.tfvars`, locals, a local
//! module called with `for_each`, `count`, a `dynamic` block, `cidrsubnet`/`cidrhost`, a firewall
//! policy), read by hand first; and the round trip of aksnet's own generated Terraform.
//!
//! By hand: hub `vnet-contoso-hub` 10.0.0.0/16 with `AzureFirewallSubnet` 10.0.0.0/26 and
//! `snet-shared` 10.0.3.0/24 (no NSG); spokes from `terraform.tfvars` — prod 10.1.0.0/16 and dev
//! 10.2.0.0/16 — each with `snet-aks` x.x.0.0/24 (NSG, route table 0/0 → 10.0.0.4) and `snet-ilb`
//! x.x.1.0/24 (an NSG from the dynamic block only in prod); peerings both ways; the firewall's
//! private address is not in the configuration (Azure assigns it), so routes to 10.0.0.4 meet an
//! unknown appliance unless `--switch firewall-first-address` places the firewall there; then
//! NTP and the AKS FQDN tag are allowed and the rest denied.

mod common;

use std::path::{Path, PathBuf};

use common::{aksnet, err, out};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform/hub-spoke")
}

/// Runs `aksnet` on the fixture with extra arguments, in a temporary directory.
fn run(args: &[&str]) -> std::process::Output {
    let d = tempfile::tempdir().unwrap();
    let f = fixture();
    let mut all: Vec<&str> = args.to_vec();
    all.extend([
        f.to_str().unwrap(),
        "--var",
        "subscription_id=11111111-1111-1111-1111-111111111111",
    ]);
    aksnet(d.path(), &all)
}

#[test]
fn a_configuration_with_tfvars_modules_and_dynamic_blocks_imports_as_read_by_hand() {
    let d = tempfile::tempdir().unwrap();
    let f = fixture();
    let o = aksnet(
        d.path(),
        &[
            "import",
            f.to_str().unwrap(),
            "--var",
            "subscription_id=x",
            "--out",
            "e.json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    for want in [
        "3  Microsoft.Network/virtualNetworks",
        "6  Microsoft.Network/virtualNetworks/subnets",
        "4  Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        "1  Microsoft.ContainerService/managedClusters",
    ] {
        assert!(text.contains(want), "{want}\n{text}");
    }
    assert!(
        err(&o).contains("azurerm_resource_group (3)"),
        "unread types are listed: {}",
        err(&o)
    );
    let e: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("e.json")).unwrap()).unwrap();
    let subnets: Vec<(String, String)> = e["virtualNetworks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| v["properties"]["subnets"].as_array().unwrap().iter())
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["properties"]["addressPrefix"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    for want in [
        ("AzureFirewallSubnet", "10.0.0.0/26"),
        ("snet-shared", "10.0.3.0/24"),
        ("snet-aks", "10.2.0.0/24"),
        ("snet-ilb", "10.1.1.0/24"),
    ] {
        assert!(
            subnets.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} in {subnets:?}"
        );
    }
    let np = &e["managedClusters"][0]["properties"]["networkProfile"];
    assert_eq!(np["dnsServiceIP"], "172.16.0.10", "{np}");
    assert_eq!(np["outboundType"], "userDefinedRouting");
}

#[test]
fn variables_follow_terraform_precedence() {
    // --var wins over terraform.tfvars (two spokes) and the default (one).
    let o = run(&[
        "import",
        "--var",
        "spokes={ prod = \"10.1.0.0/16\" }",
        "--var",
        "deploy_aks=false",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    assert!(
        text.contains("2  Microsoft.Network/virtualNetworks\n"),
        "{text}"
    );
    assert!(!text.contains("managedClusters"), "{text}");
}

#[test]
fn routes_traces_and_the_firewall_policy_read_from_terraform() {
    let o = run(&["routes", "vnet-spoke-prod/snet-aks"]);
    assert!(
        out(&o).contains("User     Active   0.0.0.0/0       VirtualAppliance  10.0.0.4"),
        "{}",
        out(&o)
    );
    // The firewall's private address is Azure's to give: nothing says 10.0.0.4 is the firewall.
    let trace = |extra: &[&str]| {
        let mut a = vec!["trace", "--from", "vnet-spoke-prod/snet-aks"];
        a.extend_from_slice(extra);
        out(&run(&a))
    };
    let t = trace(&["--to", "internet", "--fqdn", "mcr.microsoft.com"]);
    assert!(
        t.contains("verdict: unknown")
            && t.contains("10.0.0.4 is in the AzureFirewallSubnet of afw-contoso"),
        "{t}"
    );
    let first = ["--switch", "firewall-first-address"];
    let t = trace(
        &[
            &["--to", "internet", "--fqdn", "mcr.microsoft.com"][..],
            &first,
        ]
        .concat(),
    );
    assert!(
        t.contains("afw-contoso (application pass): rcg-egress/aks/aks-fqdn-tag"),
        "{t}"
    );
    assert!(t.contains("verdict: allowed"), "{t}");
    let t = trace(
        &[
            &["--to", "203.0.113.5", "--protocol", "udp", "--port", "123"][..],
            &first,
        ]
        .concat(),
    );
    assert!(
        t.contains("afw-contoso (network pass): rcg-egress/time/ntp"),
        "{t}"
    );
    let t = trace(&[&["--to", "internet", "--fqdn", "example.org"][..], &first].concat());
    assert!(t.contains("verdict: denied"), "{t}");
    // The dynamic block's rule, then the inline one, in the prod spoke's ingress subnet.
    let o = run(&["nsg-rules", "vnet-spoke-prod/snet-ilb"]);
    let text = out(&o);
    let (a, b) = (
        text.find("allow-appgw-https").expect("dynamic rule"),
        text.find("deny-rest").expect("inline rule"),
    );
    assert!(a < b, "{text}");
}

#[test]
fn findings_point_at_the_resource_block_in_the_module_that_declares_it() {
    let o = run(&["check", "--fail-on", "never"]);
    let text = out(&o);
    let f = fixture();
    for (finding, at) in [
        (
            "warning[AKS-NET-001]: subnet `vnet-contoso-hub/snet-shared` has no NSG",
            format!("{}:26:1", f.join("hub.tf").display()),
        ),
        (
            "warning[AKS-NET-001]: subnet `vnet-spoke-dev/snet-ilb` has no NSG",
            format!("{}:35:1", f.join("modules/spoke/main.tf").display()),
        ),
    ] {
        let i = text
            .find(finding)
            .unwrap_or_else(|| panic!("{finding}\n{text}"));
        let next = &text[i..];
        assert!(
            next.lines().nth(1).is_some_and(|l| l.ends_with(&at)),
            "{finding} at {at}:\n{next}"
        );
    }
    // SARIF carries the same place.
    let o = run(&["check", "--fail-on", "never", "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        common::sarif_locates(&sarif, "modules/spoke/main.tf", 35),
        "{sarif}"
    );
}

#[test]
fn a_missing_registry_module_is_named_and_the_rest_still_imports() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("main.tf"),
        r#"
module "naming" {
  source  = "Azure/naming/azurerm"
  version = "0.4.0"
}

resource "azurerm_virtual_network" "v" {
  name                = "vnet-a"
  location            = "westeurope"
  resource_group_name = "rg-a"
  address_space       = ["10.9.0.0/16"]

  subnet {
    name             = "snet-a"
    address_prefixes = ["10.9.1.0/24"]
  }
}
"#,
    )
    .unwrap();
    let o = aksnet(d.path(), &["import", ".", "--out", "e.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(err(&o).contains("terraform init"), "{}", err(&o));
    assert!(err(&o).contains("naming"), "{}", err(&o));
    assert!(
        out(&o).contains("1  Microsoft.Network/virtualNetworks"),
        "{}",
        out(&o)
    );
}

#[test]
fn a_syntax_error_is_reported_at_its_line_and_nothing_is_written() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("main.tf"),
        "resource \"azurerm_virtual_network\" \"v\" {\n  name = \"x\"\n  address_space = [\n",
    )
    .unwrap();
    let o = aksnet(d.path(), &["import", ".", "--out", "e.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    assert!(err(&o).contains("main.tf:"), "{}", err(&o));
    assert!(!d.path().join("e.json").exists());
}

/// The Terraform `aksnet design` writes imports back to the estate it was generated from: the
/// same resources, and the same findings (by rule and resource) — except what Terraform does not
/// create (the internal load balancer Kubernetes makes, the A records private endpoints' zone
/// groups keep, which the engine derives) and the App Gateway identity Terraform adds. The
/// firewall's address is Azure's to give, so the import is judged with
/// `--switch firewall-first-address`, as the design predicts `.4`. `multi-spoke` spans three
/// subscriptions through aliased providers.
#[test]
fn generated_terraform_imports_back_to_the_designed_estate() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    for example in [
        "reference",
        "multi-spoke",
        "public-api",
        "flat-cni",
        "kubenet",
        "nva-pod-subnet",
    ] {
        let d = tempfile::tempdir().unwrap();
        let intent = examples.join(format!("{example}.yaml"));
        let o = aksnet(
            d.path(),
            &["design", intent.to_str().unwrap(), "--out", "out"],
        );
        assert!(o.status.code().is_some_and(|c| c < 2), "{}", err(&o));
        // Every variable without a default, as a user would give them.
        let vars = std::fs::read_to_string(d.path().join("out/terraform/variables.tf")).unwrap();
        let mut args = vec![
            "import".to_string(),
            "out/terraform".to_string(),
            "--out".to_string(),
            "imported.json".to_string(),
        ];
        // Variables without a default (a block that states none), as a user must give them.
        for name in vars
            .split("\nvariable \"")
            .skip(1)
            .filter(|block| !block.contains("default"))
            .filter_map(|block| block.split('"').next())
        {
            let value = match name {
                "expressroute_circuit_id" => "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-er/providers/Microsoft.Network/expressRouteCircuits/er",
                "onprem_vpn_device_ip" => "203.0.113.1",
                // A subscription the intent names none for is the placeholder in the estate.
                s if s.starts_with("subscription_id") => "00000000-0000-0000-0000-000000000000",
                _ => "x",
            };
            args.extend(["--var".to_string(), format!("{name}={value}")]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = aksnet(d.path(), &args);
        assert_eq!(o.status.code(), Some(0), "{example}: {}", err(&o));
        let read = |f: &str| -> serde_json::Value {
            serde_json::from_str(&std::fs::read_to_string(d.path().join(f)).unwrap()).unwrap()
        };
        let (designed, imported) = (read("out/estate.json"), read("imported.json"));
        let ids = |e: &serde_json::Value, k: &str| -> std::collections::BTreeSet<String> {
            e[k].as_array()
                .into_iter()
                .flatten()
                .map(|r| r["id"].as_str().unwrap().to_ascii_lowercase())
                .collect()
        };
        // A globally unique name whose suffix the design could not know (no subscription
        // named) is completed at deployment, from the subscription given: the formula Rust
        // and the generated HCL share must agree on it.
        let unique = &designed["uniqueNames"]["bases"];
        let completed = |id: String| -> String {
            match unique.as_object().and_then(|m| {
                m.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(&id))
                    .map(|(_, b)| b.as_str().unwrap().to_string())
            }) {
                Some(base) if id.ends_with(base.trim_end_matches('-')) => {
                    let estate = designed["name"].as_str().unwrap();
                    let sub = id.split('/').nth(2).unwrap();
                    let suffix = aksnet_model::naming::derived_suffix(sub, estate);
                    let parent = &id[..id.len() - base.trim_end_matches('-').len()];
                    format!("{parent}{base}{suffix}")
                }
                _ => id,
            }
        };
        for (k, v) in designed.as_object().unwrap() {
            if !v.is_array()
                || ["onPremisesPrefixes", "loadBalancers", "aRecordSets"].contains(&k.as_str())
            {
                continue;
            }
            let mut a: std::collections::BTreeSet<String> =
                ids(&designed, k).into_iter().map(completed).collect();
            let mut b = ids(&imported, k);
            if k == "roleAssignments" {
                // Azure names an assignment (a GUID) when the configuration does not: compared
                // by scope, completed like the rest; who holds which role is held by the
                // findings compared below (AKS-IAM-00x).
                let scopes = |s: std::collections::BTreeSet<String>, complete: bool| {
                    s.into_iter()
                        .map(|id| {
                            let scope = id
                                .split("/providers/microsoft.authorization/")
                                .next()
                                .unwrap()
                                .to_string();
                            if complete {
                                completed(scope)
                            } else {
                                scope
                            }
                        })
                        .collect()
                };
                a = scopes(ids(&designed, k), true);
                b = scopes(b, false);
            }
            if k == "userAssignedIdentities" {
                assert!(a.is_subset(&b), "{example} {k}: {a:?} ⊄ {b:?}");
            } else {
                assert_eq!(a, b, "{example} {k}");
            }
        }
        let findings = |args: &[&str]| -> std::collections::BTreeSet<(String, String)> {
            let o = aksnet(d.path(), args);
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| {
                    (
                        f["code"].as_str().unwrap().to_string(),
                        f["resources"][0].as_str().unwrap().to_ascii_lowercase(),
                    )
                })
                .collect()
        };
        let common = ["--fail-on", "never", "--format", "json"];
        assert_eq!(
            findings(&[&["check", "--estate", "out/estate.json"][..], &common].concat()),
            findings(
                &[
                    &[
                        "check",
                        "--estate",
                        "imported.json",
                        "--switch",
                        "firewall-first-address"
                    ][..],
                    &common
                ]
                .concat()
            ),
            "{example}"
        );
    }
}

/// What public configurations write and Terraform converts or leaves to apply: a location's
/// display name, a port as a string, a Kubernetes version from a data source, a firewall rule
/// whose FQDN is another resource's attribute — and a firewall whose address Azure assigns,
/// which is still a firewall.
#[test]
fn values_terraform_converts_or_leaves_to_apply() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("main.tf"),
        r#"
data "azurerm_kubernetes_service_versions" "current" {
  location = "West Europe"
}

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-hub"
  location            = "West Europe"
  resource_group_name = "rg-hub"
  address_space       = ["10.0.0.0/16"]
}

resource "azurerm_subnet" "fw" {
  name                 = "AzureFirewallSubnet"
  resource_group_name  = "rg-hub"
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.0.0/26"]
}

resource "azurerm_subnet" "aks" {
  name                 = "snet-aks"
  resource_group_name  = "rg-hub"
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.1.0/24"]
}

resource "azurerm_firewall" "fw" {
  name                = "afw"
  location            = "West Europe"
  resource_group_name = "rg-hub"
  sku_name            = "AZFW_VNet"
  sku_tier            = "Standard"
  ip_configuration {
    name      = "c"
    subnet_id = azurerm_subnet.fw.id
  }
}

resource "azurerm_route_table" "aks" {
  name                = "rt-aks"
  location            = "West Europe"
  resource_group_name = "rg-hub"
  route {
    name                   = "to-firewall"
    address_prefix         = "0.0.0.0/0"
    next_hop_type          = "VirtualAppliance"
    next_hop_in_ip_address = azurerm_firewall.fw.ip_configuration[0].private_ip_address
  }
}

resource "azurerm_subnet_route_table_association" "aks" {
  subnet_id      = azurerm_subnet.aks.id
  route_table_id = azurerm_route_table.aks.id
}

resource "azurerm_firewall_application_rule_collection" "web" {
  name                = "web"
  azure_firewall_name = azurerm_firewall.fw.name
  resource_group_name = "rg-hub"
  priority            = 100
  action              = "Allow"
  rule {
    name             = "http"
    source_addresses = ["10.0.1.0/24"]
    target_fqdns     = ["example.org"]
    protocol {
      port = "80"
      type = "Http"
    }
  }
}

resource "azurerm_firewall_policy" "p" {
  name                = "afwp"
  location            = "West Europe"
  resource_group_name = "rg-hub"
}

resource "azurerm_firewall_policy_rule_collection_group" "api" {
  name               = "api"
  firewall_policy_id = azurerm_firewall_policy.p.id
  priority           = 100
  network_rule_collection {
    name     = "api"
    priority = 100
    action   = "Allow"
    rule {
      name              = "api"
      protocols         = ["TCP"]
      source_addresses  = ["*"]
      destination_fqdns = [azurerm_kubernetes_cluster.aks.fqdn]
      destination_ports = ["443"]
    }
  }
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                = "aks"
  location            = "West Europe"
  resource_group_name = "rg-hub"
  dns_prefix          = "aks"
  kubernetes_version  = data.azurerm_kubernetes_service_versions.current.latest_version
  private_cluster_enabled = true
  default_node_pool {
    name           = "system"
    vm_size        = "Standard_D4ds_v5"
    node_count     = 2
    vnet_subnet_id = azurerm_subnet.aks.id
  }
  identity {
    type = "SystemAssigned"
  }
  network_profile {
    network_plugin = "azure"
    outbound_type  = "loadBalancer"
  }
}
"#,
    )
    .unwrap();
    let o = aksnet(d.path(), &["import", ".", "--out", "e.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let text = out(&o);
    for want in [
        "1  Microsoft.ContainerService/managedClusters",
        "1  Microsoft.Network/azureFirewalls",
        // The rule's FQDN is the cluster's, known only after apply: the group still imports.
        "1  Microsoft.Network/firewallPolicies/ruleCollectionGroups",
    ] {
        assert!(text.contains(want), "{want}\n{text}");
    }
    let e: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("e.json")).unwrap()).unwrap();
    assert_eq!(e["managedClusters"][0]["location"], "westeurope");
    assert_eq!(
        e["azureFirewalls"][0]["properties"]["applicationRuleCollections"][0]["properties"]
            ["rules"][0]["protocols"][0]["port"],
        80
    );
    // A firewall with no stated address is still a firewall: no "no firewall anywhere".
    let o = aksnet(
        d.path(),
        &["check", "--estate", "e.json", "--fail-on", "never"],
    );
    assert!(!out(&o).contains("AKS-HUB-001"), "{}", out(&o));
    // The route's next hop is the firewall's private IP: unknown, unless the switch predicts it
    // (the marker names the firewall, so the prediction is that firewall's).
    let routes = |extra: &[&str]| {
        let base = ["routes", "vnet-hub/snet-aks", "--estate", "e.json"];
        out(&aksnet(d.path(), &[&base[..], extra].concat()))
    };
    assert!(
        routes(&[]).contains(
            "unknown before deployment: azurerm_firewall.fw.ip_configuration[0].private_ip_address"
        ),
        "{}",
        routes(&[])
    );
    let predicted = routes(&["--switch", "firewall-first-address"]);
    assert!(
        predicted.contains("User     Active   0.0.0.0/0       VirtualAppliance  10.0.0.4"),
        "{predicted}"
    );
    let o = aksnet(
        d.path(),
        &[
            "trace",
            "--estate",
            "e.json",
            "--from",
            "vnet-hub/snet-aks",
            "--to",
            "internet",
            "--port",
            "80",
            "--fqdn",
            "example.org",
            "--switch",
            "firewall-first-address",
        ],
    );
    assert!(
        out(&o).contains("afw (application pass): web/http"),
        "{}",
        out(&o)
    );
}

/// A `terraform show -json` plan (`tests/fixtures/terraform/plan/plan.json`, written in the
/// documented format for a plan that creates everything): what refers to a new resource is
/// unknown in `planned_values` and resolved from `configuration`'s references, so the
/// associations still attach the route table and the NSG; a child module's resources are read;
/// each resource takes its provider configuration's subscription; findings point at the
/// resource's element of the plan.
#[test]
fn a_plan_imports_with_its_references_resolved() {
    let d = tempfile::tempdir().unwrap();
    let plan =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform/plan/plan.json");
    let plan = plan.to_str().unwrap();
    let o = aksnet(d.path(), &["routes", "vnet-hub/snet-app", plan]);
    assert!(
        out(&o).contains("User     Active   0.0.0.0/0       VirtualAppliance  10.0.2.4"),
        "{}{}",
        out(&o),
        err(&o)
    );
    let o = aksnet(d.path(), &["nsg-rules", "vnet-hub/snet-app", plan]);
    assert!(out(&o).contains("deny-ssh"), "{}", out(&o));
    let o = aksnet(d.path(), &["check", plan, "--fail-on", "never"]);
    let text = out(&o);
    let i = text
        .find("warning[AKS-NET-001]: subnet `vnet-hub/snet-nva` has no NSG")
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        text[i..]
            .lines()
            .nth(1)
            .is_some_and(|l| l.ends_with("plan.json:192:13")),
        "{}",
        &text[i..]
    );
    assert!(!text.contains("snet-app` has no NSG"), "{text}");
    // Each resource in its provider configuration's subscription: a constant, or a variable the
    // plan gives.
    let o = aksnet(d.path(), &["import", plan, "--out", "e.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let e = std::fs::read_to_string(d.path().join("e.json")).unwrap();
    for id in [
        "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworks/vnet-hub\"",
        "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/rg-edge/providers/Microsoft.Network/virtualNetworks/vnet-edge\"",
    ] {
        assert!(e.contains(id), "{id}");
    }
}
