//! Aliased azurerm provider configurations: each resource in the subscription of the
//! configuration it uses, in references and in the Azure JSON alike.

use std::path::Path;

use aksnet_tf::azurerm::{to_azure, Azurerm};
use aksnet_tf::config::{load, CliVar, Inputs, Loaded};
use aksnet_tf::Instance;
use serde_json::Value as Json;

const FALLBACK: &str = "99999999-9999-9999-9999-999999999999";
const MAIN: &str = "11111111-1111-1111-1111-111111111111";
const CONN: &str = "22222222-2222-2222-2222-222222222222";

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create dir");
        }
        std::fs::write(p, text).expect("write");
    }
}

fn provider() -> Azurerm {
    Azurerm {
        subscription: FALLBACK.into(),
    }
}

fn load_with(dir: &Path, inputs: &Inputs) -> Loaded {
    load(dir, inputs, &provider())
}

fn instance<'a>(l: &'a Loaded, address: &str) -> &'a Instance {
    l.instances
        .iter()
        .find(|i| i.address == address)
        .unwrap_or_else(|| panic!("no {address}; diagnostics {:#?}", l.diagnostics))
}

fn rg_id(sub: &str, rg: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}")
}

fn vnet_id(sub: &str, rg: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Network/virtualNetworks/{name}",
        rg_id(sub, rg)
    )
}

const LANDING_ZONE: &[(&str, &str)] = &[
    (
        "main.tf",
        r#"
variable "subscription_id" {
  type    = string
  default = "11111111-1111-1111-1111-111111111111"
}
variable "subscription_id_connectivity" {
  type    = string
  default = "22222222-2222-2222-2222-222222222222"
}

provider "azurerm" {
  features {}
  subscription_id = var.subscription_id
}

provider "azurerm" {
  alias           = "connectivity"
  features {}
  subscription_id = var.subscription_id_connectivity
}

resource "azurerm_virtual_network" "hub" {
  provider            = azurerm.connectivity
  name                = "hub"
  resource_group_name = "rg-hub"
  location            = "westeurope"
  address_space       = ["10.0.0.0/16"]
}

resource "azurerm_subnet" "fw" {
  provider             = azurerm.connectivity
  name                 = "AzureFirewallSubnet"
  resource_group_name  = "rg-hub"
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.0.0.0/24"]
}

resource "azurerm_virtual_network" "spoke" {
  name                = "spoke"
  resource_group_name = "rg-spoke"
  location            = "westeurope"
  address_space       = ["10.1.0.0/16"]
}

resource "azurerm_virtual_network_peering" "spoke_to_hub" {
  name                      = "spoke-to-hub"
  resource_group_name       = "rg-spoke"
  virtual_network_name      = azurerm_virtual_network.spoke.name
  remote_virtual_network_id = azurerm_virtual_network.hub.id
}

resource "azurerm_virtual_network_peering" "hub_to_spoke" {
  provider                  = azurerm.connectivity
  name                      = "hub-to-spoke"
  resource_group_name       = "rg-hub"
  virtual_network_name      = azurerm_virtual_network.hub.name
  remote_virtual_network_id = azurerm_virtual_network.spoke.id
}

data "azurerm_client_config" "conn" {
  provider = azurerm.connectivity
}

resource "azurerm_resource_group" "tagged" {
  name     = "rg-tagged"
  location = "westeurope"
  tags     = { sub = data.azurerm_client_config.conn.subscription_id }
}

module "shared" {
  source    = "./shared"
  providers = { azurerm = azurerm.connectivity }
}

module "inherited" {
  source = "./shared"
}
"#,
    ),
    (
        "shared/main.tf",
        r#"
resource "azurerm_virtual_network" "v" {
  name                = "shared"
  resource_group_name = "rg-shared"
  location            = "westeurope"
  address_space       = ["10.2.0.0/16"]
}

module "inner" {
  source = "../inner"
}

output "id" {
  value = azurerm_virtual_network.v.id
}
"#,
    ),
    (
        "inner/main.tf",
        r#"
resource "azurerm_resource_group" "g" {
  name     = "rg-inner"
  location = "westeurope"
}

resource "random_string" "r" {
  length = 4
}
"#,
    ),
];

#[test]
fn aliased_and_passed_provider_configurations_give_each_resource_its_subscription() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), LANDING_ZONE);
    let l = load_with(dir.path(), &Inputs::default());
    assert!(
        l.diagnostics.iter().all(|d| !d.error),
        "{:#?}",
        l.diagnostics
    );
    let sub_of = |a: &str| instance(&l, a).subscription.clone();
    assert_eq!(sub_of("azurerm_virtual_network.hub").as_deref(), Some(CONN));
    assert_eq!(sub_of("azurerm_subnet.fw").as_deref(), Some(CONN));
    // The root's default configuration (no alias) applies to what names none.
    assert_eq!(
        sub_of("azurerm_virtual_network.spoke").as_deref(),
        Some(MAIN)
    );
    // A module given `providers = { azurerm = azurerm.connectivity }`, and the module it
    // calls, which inherits its default.
    assert_eq!(
        sub_of("module.shared.azurerm_virtual_network.v").as_deref(),
        Some(CONN)
    );
    assert_eq!(
        sub_of("module.shared.module.inner.azurerm_resource_group.g").as_deref(),
        Some(CONN)
    );
    // Without `providers`, the caller's default is inherited.
    assert_eq!(
        sub_of("module.inherited.azurerm_virtual_network.v").as_deref(),
        Some(MAIN)
    );
    assert_eq!(
        sub_of("module.inherited.module.inner.azurerm_resource_group.g").as_deref(),
        Some(MAIN)
    );
    // Other providers' resources have none.
    assert_eq!(
        sub_of("module.inherited.module.inner.random_string.r"),
        None
    );

    // References carry the referenced resource's subscription.
    let v = |a: &str, k: &str| instance(&l, a).values.get(k).cloned();
    assert_eq!(
        v(
            "azurerm_virtual_network_peering.spoke_to_hub",
            "remote_virtual_network_id"
        ),
        Some(Json::String(vnet_id(CONN, "rg-hub", "hub")))
    );
    assert_eq!(
        v(
            "azurerm_virtual_network_peering.hub_to_spoke",
            "remote_virtual_network_id"
        ),
        Some(Json::String(vnet_id(MAIN, "rg-spoke", "spoke")))
    );
    // A data source of the aliased configuration reads its subscription.
    assert_eq!(
        v("azurerm_resource_group.tagged", "tags").and_then(|t| t.get("sub").cloned()),
        Some(Json::String(CONN.into()))
    );

    // The Azure JSON: each resource's id (and its parent's, named by name) in its own
    // subscription.
    let m = to_azure(&l.instances, &provider());
    let ids: Vec<String> = m
        .resources
        .iter()
        .filter_map(|(r, _, _)| r.get("id").and_then(Json::as_str).map(str::to_string))
        .collect();
    let has = |id: &str| ids.iter().any(|x| x == id);
    assert!(has(&vnet_id(CONN, "rg-hub", "hub")), "{ids:#?}");
    assert!(has(&vnet_id(MAIN, "rg-spoke", "spoke")), "{ids:#?}");
    assert!(has(&vnet_id(CONN, "rg-shared", "shared")), "{ids:#?}");
    assert!(has(&vnet_id(MAIN, "rg-shared", "shared")), "{ids:#?}");
    assert!(
        has(&format!(
            "{}/subnets/AzureFirewallSubnet",
            vnet_id(CONN, "rg-hub", "hub")
        )),
        "{ids:#?}"
    );
    assert!(
        has(&format!(
            "{}/virtualNetworkPeerings/spoke-to-hub",
            vnet_id(MAIN, "rg-spoke", "spoke")
        )),
        "{ids:#?}"
    );
    assert!(
        has(&format!(
            "{}/virtualNetworkPeerings/hub-to-spoke",
            vnet_id(CONN, "rg-hub", "hub")
        )),
        "{ids:#?}"
    );
    assert!(!ids.iter().any(|x| x.contains(FALLBACK)), "{ids:#?}");
    let peering = m
        .resources
        .iter()
        .map(|(r, _, _)| r)
        .find(|r| r.get("name").and_then(Json::as_str) == Some("spoke-to-hub"))
        .expect("the spoke's peering");
    assert_eq!(
        peering.pointer("/properties/remoteVirtualNetwork/id"),
        Some(&Json::String(vnet_id(CONN, "rg-hub", "hub"))),
        "{peering:#}"
    );

    // A variable given on the command line moves the aliased configuration.
    let other = "33333333-3333-3333-3333-333333333333";
    let inputs = Inputs {
        cli: vec![CliVar::Pair(format!(
            "subscription_id_connectivity={other}"
        ))],
        env: vec![],
    };
    let l = load_with(dir.path(), &inputs);
    assert_eq!(
        instance(&l, "azurerm_virtual_network.hub")
            .subscription
            .as_deref(),
        Some(other)
    );
}

#[test]
fn an_unknown_or_unstated_subscription_falls_back_to_the_callers() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        &[(
            "main.tf",
            r#"
variable "subscription_id_connectivity" {
  type = string
}

provider "azurerm" {
  features {}
}

provider "azurerm" {
  alias           = "connectivity"
  features {}
  subscription_id = var.subscription_id_connectivity
}

resource "azurerm_virtual_network" "hub" {
  provider            = azurerm.connectivity
  name                = "hub"
  resource_group_name = "rg-hub"
  location            = "westeurope"
  address_space       = ["10.0.0.0/16"]
}

resource "azurerm_virtual_network" "spoke" {
  name                = "spoke"
  resource_group_name = "rg-spoke"
  location            = "westeurope"
  address_space       = ["10.1.0.0/16"]
}

resource "azurerm_virtual_network_peering" "p" {
  name                      = "p"
  resource_group_name       = "rg-spoke"
  virtual_network_name      = azurerm_virtual_network.spoke.name
  remote_virtual_network_id = azurerm_virtual_network.hub.id
}
"#,
        )],
    );
    let l = load_with(dir.path(), &Inputs::default());
    assert_eq!(
        instance(&l, "azurerm_virtual_network.hub").subscription,
        None
    );
    assert_eq!(
        instance(&l, "azurerm_virtual_network.spoke").subscription,
        None
    );
    assert_eq!(
        instance(&l, "azurerm_virtual_network_peering.p")
            .values
            .get("remote_virtual_network_id"),
        Some(&Json::String(vnet_id(FALLBACK, "rg-hub", "hub")))
    );
    let m = to_azure(&l.instances, &provider());
    assert!(m
        .resources
        .iter()
        .any(|(r, _, _)| r.get("id").and_then(Json::as_str)
            == Some(vnet_id(FALLBACK, "rg-hub", "hub").as_str())));
}

#[test]
fn a_default_provider_with_a_subscription_applies_to_everything() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        &[
            (
                "main.tf",
                r#"
provider "azurerm" {
  features {}
  subscription_id = "11111111-1111-1111-1111-111111111111"
}

resource "azurerm_resource_group" "rg" {
  name     = "rg"
  location = "westeurope"
}

resource "azapi_resource" "vnet" {
  type      = "Microsoft.Network/virtualNetworks@2023-11-01"
  name      = "v"
  parent_id = azurerm_resource_group.rg.id
  location  = "westeurope"
  body = {
    properties = { addressSpace = { addressPrefixes = ["10.0.0.0/16"] } }
  }
}

module "m" {
  source = "./m"
}
"#,
            ),
            (
                "m/main.tf",
                r#"
resource "azurerm_public_ip" "pip" {
  name                = "pip"
  resource_group_name = "rg"
  location            = "westeurope"
  allocation_method   = "Static"
}
"#,
            ),
        ],
    );
    let l = load_with(dir.path(), &Inputs::default());
    for a in [
        "azurerm_resource_group.rg",
        "azapi_resource.vnet",
        "module.m.azurerm_public_ip.pip",
    ] {
        assert_eq!(instance(&l, a).subscription.as_deref(), Some(MAIN), "{a}");
    }
    let m = to_azure(&l.instances, &provider());
    let ids: Vec<&str> = m
        .resources
        .iter()
        .filter_map(|(r, _, _)| r.get("id").and_then(Json::as_str))
        .collect();
    assert!(ids.contains(&vnet_id(MAIN, "rg", "v").as_str()), "{ids:#?}");
    assert!(
        ids.contains(
            &format!(
                "{}/providers/Microsoft.Network/publicIPAddresses/pip",
                rg_id(MAIN, "rg")
            )
            .as_str()
        ),
        "{ids:#?}"
    );
}

#[test]
fn an_undeclared_alias_is_a_warning_and_the_default() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        &[(
            "main.tf",
            r#"
resource "azurerm_resource_group" "rg" {
  provider = azurerm.nowhere
  name     = "rg"
  location = "westeurope"
}
"#,
        )],
    );
    let l = load_with(dir.path(), &Inputs::default());
    assert_eq!(instance(&l, "azurerm_resource_group.rg").subscription, None);
    assert!(
        l.diagnostics
            .iter()
            .any(|d| !d.error && d.message.contains("azurerm.nowhere")),
        "{:#?}",
        l.diagnostics
    );
}

#[test]
fn a_module_given_an_aliased_configuration_and_one_declaring_its_own() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        &[
            (
                "main.tf",
                r#"
provider "azurerm" {
  features {}
  subscription_id = "11111111-1111-1111-1111-111111111111"
}

provider "azurerm" {
  alias           = "connectivity"
  features {}
  subscription_id = "22222222-2222-2222-2222-222222222222"
}

module "spoke" {
  source = "./spoke"
  providers = {
    azurerm     = azurerm
    azurerm.hub = azurerm.connectivity
  }
}

module "own" {
  source = "./own"
}
"#,
            ),
            (
                "spoke/main.tf",
                r#"
terraform {
  required_providers {
    azurerm = {
      source                = "hashicorp/azurerm"
      configuration_aliases = [azurerm.hub]
    }
  }
}

resource "azurerm_virtual_network" "spoke" {
  name                = "spoke"
  resource_group_name = "rg-spoke"
  location            = "westeurope"
  address_space       = ["10.1.0.0/16"]
}

resource "azurerm_virtual_network_peering" "hub_to_spoke" {
  provider                  = azurerm.hub
  name                      = "hub-to-spoke"
  resource_group_name       = "rg-hub"
  virtual_network_name      = "hub"
  remote_virtual_network_id = azurerm_virtual_network.spoke.id
}
"#,
            ),
            (
                "own/main.tf",
                r#"
variable "sub" {
  type    = string
  default = "44444444-4444-4444-4444-444444444444"
}

provider "azurerm" {
  features {}
  subscription_id = var.sub
}

resource "azurerm_resource_group" "g" {
  name     = "g"
  location = "westeurope"
}
"#,
            ),
        ],
    );
    let l = load_with(dir.path(), &Inputs::default());
    let sub_of = |a: &str| instance(&l, a).subscription.clone();
    assert_eq!(
        sub_of("module.spoke.azurerm_virtual_network.spoke").as_deref(),
        Some(MAIN)
    );
    assert_eq!(
        sub_of("module.spoke.azurerm_virtual_network_peering.hub_to_spoke").as_deref(),
        Some(CONN)
    );
    assert_eq!(
        instance(
            &l,
            "module.spoke.azurerm_virtual_network_peering.hub_to_spoke"
        )
        .values
        .get("remote_virtual_network_id"),
        Some(&Json::String(vnet_id(MAIN, "rg-spoke", "spoke")))
    );
    assert_eq!(
        sub_of("module.own.azurerm_resource_group.g").as_deref(),
        Some("44444444-4444-4444-4444-444444444444")
    );
    let m = to_azure(&l.instances, &provider());
    assert!(
        m.resources
            .iter()
            .any(|(r, _, _)| r.get("id").and_then(Json::as_str)
                == Some(
                    format!(
                        "{}/virtualNetworkPeerings/hub-to-spoke",
                        vnet_id(CONN, "rg-hub", "hub")
                    )
                    .as_str()
                )),
        "{:#?}",
        m.resources
    );
}
