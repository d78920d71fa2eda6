//! `cargo bench -p aksnet-import --bench terraform`: reading a Terraform configuration of 50
//! files — a hub (VNet, firewall, policy with a rule collection group) and 49 spoke files, each
//! a VNet peered to the hub with two subnets, an NSG with a `dynamic` rule block over a local
//! list, a route table to the firewall and their associations, with `cidrsubnet` and
//! references — as `aksnet import DIR` does (parse, evaluate, map, type, validate). The
//! configuration is written to a temporary directory first (kept with `AKSNET_BENCH_KEEP=DIR`,
//! for comparing with other tools on the same files). Prints the median and range of ten runs.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

/// The hub file.
fn hub() -> String {
    r#"
locals {
  inbound = [
    { name = "allow-https", priority = 100, port = "443" },
    { name = "allow-http", priority = 110, port = "80" },
    { name = "allow-health", priority = 120, port = "8080" },
  ]
}

variable "location" {
  type    = string
  default = "westeurope"
}

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-hub"
  location            = var.location
  resource_group_name = "rg-hub"
  address_space       = ["10.0.0.0/16"]
}

resource "azurerm_subnet" "firewall" {
  name                 = "AzureFirewallSubnet"
  resource_group_name  = "rg-hub"
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = [cidrsubnet("10.0.0.0/16", 10, 0)]
}

resource "azurerm_firewall_policy" "hub" {
  name                = "afwp-hub"
  location            = var.location
  resource_group_name = "rg-hub"
}

resource "azurerm_firewall" "hub" {
  name                = "afw-hub"
  location            = var.location
  resource_group_name = "rg-hub"
  sku_name            = "AZFW_VNet"
  sku_tier            = "Standard"
  firewall_policy_id  = azurerm_firewall_policy.hub.id
  ip_configuration {
    name      = "c"
    subnet_id = azurerm_subnet.firewall.id
  }
}

resource "azurerm_firewall_policy_rule_collection_group" "egress" {
  name               = "egress"
  firewall_policy_id = azurerm_firewall_policy.hub.id
  priority           = 200
  application_rule_collection {
    name     = "aks"
    priority = 100
    action   = "Allow"
    rule {
      name                  = "aks"
      source_addresses      = ["10.0.0.0/8"]
      destination_fqdn_tags = ["AzureKubernetesService"]
      protocols {
        type = "Https"
        port = 443
      }
    }
  }
}
"#
    .to_string()
}

/// Spoke `i`'s file.
fn spoke(i: usize) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"
resource "azurerm_virtual_network" "spoke_{i}" {{
  name                = "vnet-spoke-{i}"
  location            = var.location
  resource_group_name = "rg-spoke-{i}"
  address_space       = ["10.{i}.0.0/16"]
}}

resource "azurerm_subnet" "nodes_{i}" {{
  name                 = "snet-nodes"
  resource_group_name  = "rg-spoke-{i}"
  virtual_network_name = azurerm_virtual_network.spoke_{i}.name
  address_prefixes     = [cidrsubnet(azurerm_virtual_network.spoke_{i}.address_space[0], 8, 0)]
}}

resource "azurerm_subnet" "ingress_{i}" {{
  name                 = "snet-ingress"
  resource_group_name  = "rg-spoke-{i}"
  virtual_network_name = azurerm_virtual_network.spoke_{i}.name
  address_prefixes     = [cidrsubnet(azurerm_virtual_network.spoke_{i}.address_space[0], 8, 1)]
}}

resource "azurerm_network_security_group" "spoke_{i}" {{
  name                = "nsg-spoke-{i}"
  location            = var.location
  resource_group_name = "rg-spoke-{i}"
  dynamic "security_rule" {{
    for_each = local.inbound
    content {{
      name                       = security_rule.value.name
      priority                   = security_rule.value.priority
      direction                  = "Inbound"
      access                     = "Allow"
      protocol                   = "Tcp"
      source_port_range          = "*"
      destination_port_range     = security_rule.value.port
      source_address_prefix      = "VirtualNetwork"
      destination_address_prefix = "*"
    }}
  }}
}}

resource "azurerm_route_table" "spoke_{i}" {{
  name                = "rt-spoke-{i}"
  location            = var.location
  resource_group_name = "rg-spoke-{i}"
  route {{
    name                   = "default"
    address_prefix         = "0.0.0.0/0"
    next_hop_type          = "VirtualAppliance"
    next_hop_in_ip_address = azurerm_firewall.hub.ip_configuration[0].private_ip_address
  }}
}}

resource "azurerm_subnet_network_security_group_association" "nodes_{i}" {{
  subnet_id                 = azurerm_subnet.nodes_{i}.id
  network_security_group_id = azurerm_network_security_group.spoke_{i}.id
}}

resource "azurerm_subnet_route_table_association" "nodes_{i}" {{
  subnet_id      = azurerm_subnet.nodes_{i}.id
  route_table_id = azurerm_route_table.spoke_{i}.id
}}

resource "azurerm_virtual_network_peering" "to_hub_{i}" {{
  name                      = "to-hub"
  resource_group_name       = "rg-spoke-{i}"
  virtual_network_name      = azurerm_virtual_network.spoke_{i}.name
  remote_virtual_network_id = azurerm_virtual_network.hub.id
}}

resource "azurerm_virtual_network_peering" "from_hub_{i}" {{
  name                      = "to-spoke-{i}"
  resource_group_name       = "rg-hub"
  virtual_network_name      = azurerm_virtual_network.hub.name
  remote_virtual_network_id = azurerm_virtual_network.spoke_{i}.id
}}
"#
    );
    s
}

fn main() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let dir = std::env::var_os("AKSNET_BENCH_KEEP")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir).expect("directory");
    std::fs::write(dir.join("hub.tf"), hub()).expect("write");
    for i in 1..50 {
        std::fs::write(dir.join(format!("spoke_{i:02}.tf")), spoke(i)).expect("write");
    }
    let mut times: Vec<Duration> = Vec::new();
    let mut imported = 0;
    for _ in 0..10 {
        let t = Instant::now();
        let imp = aksnet_import::import_paths("bench", &[Path::new(&dir)]);
        times.push(t.elapsed());
        imported = imp.summary.imported.values().sum::<usize>();
    }
    times.sort();
    println!(
        "Terraform, 50 files (hub + 49 spokes): {imported} resources imported; median {:.1?}, range {:.1?}–{:.1?} (10 runs)",
        times[5], times[0], times[9]
    );
}
