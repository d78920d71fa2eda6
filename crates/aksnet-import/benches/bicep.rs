//! `cargo bench -p aksnet-import --bench bicep`: reading a Bicep tree of 100 files — a
//! subscription-scope `main.bicep` that creates the resource groups and calls a hub module and
//! 96 spoke modules (one file each), each spoke a VNet with subnets from a `for` loop, an NSG
//! whose rules come from a `map` lambda over an imported list, a route table to the firewall
//! (an output of the hub module), and peerings both ways through a shared peering module — as
//! `aksnet import main.bicep` does (parse, compile, deploy, type, validate). The tree is written
//! to a temporary directory first (kept with `AKSNET_BENCH_KEEP=DIR`). Prints the median and
//! range of ten runs.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

/// Spoke files: with main, hub, peering and shared, 100 files.
const SPOKES: usize = 96;

fn main_file() -> String {
    let mut s = String::from(
        "targetScope = 'subscription'\nparam location string = 'westeurope'\n\nresource hubRg 'Microsoft.Resources/resourceGroups@2024-03-01' = {\n  name: 'rg-hub'\n  location: location\n}\n\nmodule hub 'hub.bicep' = {\n  name: 'hub'\n  scope: hubRg\n  params: { location: location }\n}\n",
    );
    for i in 1..=SPOKES {
        let _ = write!(
            s,
            "\nresource rg{i} 'Microsoft.Resources/resourceGroups@2024-03-01' = {{\n  name: 'rg-spoke-{i}'\n  location: location\n}}\n\nmodule spoke{i} 'spokes/spoke{i:03}.bicep' = {{\n  name: 'spoke-{i}'\n  scope: rg{i}\n  params: {{\n    location: location\n    firewallIp: hub.outputs.firewallIp\n    hubId: hub.outputs.vnetId\n  }}\n}}\n\nmodule back{i} 'peering.bicep' = {{\n  name: 'hub-to-{i}'\n  scope: hubRg\n  params: {{ vnetName: 'vnet-hub', name: 'to-spoke-{i}', remoteId: spoke{i}.outputs.vnetId }}\n}}\n"
        );
    }
    s
}

const HUB: &str = r#"param location string
resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: 'vnet-hub'
  location: location
  properties: {
    addressSpace: { addressPrefixes: ['10.0.0.0/16'] }
    subnets: [{ name: 'AzureFirewallSubnet', properties: { addressPrefix: cidrSubnet('10.0.0.0/16', 26, 0) } }]
  }
}
resource policy 'Microsoft.Network/firewallPolicies@2024-05-01' = {
  name: 'afwp-hub'
  location: location
  properties: {}
}
resource egress 'Microsoft.Network/firewallPolicies/ruleCollectionGroups@2024-05-01' = {
  parent: policy
  name: 'egress'
  properties: {
    priority: 200
    ruleCollections: [{
      ruleCollectionType: 'FirewallPolicyFilterRuleCollection'
      name: 'aks'
      priority: 100
      action: { type: 'Allow' }
      rules: [{ ruleType: 'ApplicationRule', name: 'aks', sourceAddresses: ['10.0.0.0/8'], fqdnTags: ['AzureKubernetesService'], protocols: [{ protocolType: 'Https', port: 443 }] }]
    }]
  }
}
resource firewall 'Microsoft.Network/azureFirewalls@2024-05-01' = {
  name: 'afw-hub'
  location: location
  properties: {
    sku: { name: 'AZFW_VNet', tier: 'Standard' }
    firewallPolicy: { id: policy.id }
    ipConfigurations: [{ name: 'c', properties: { subnet: { id: resourceId('Microsoft.Network/virtualNetworks/subnets', vnet.name, 'AzureFirewallSubnet') } } }]
  }
  dependsOn: [egress]
}
output vnetId string = vnet.id
output firewallIp string = firewall.properties.ipConfigurations[0].properties.privateIPAddress
"#;

const PEERING: &str = r#"param vnetName string
param name string
param remoteId string
resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' existing = {
  name: vnetName
}
resource peering 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings@2024-05-01' = {
  parent: vnet
  name: name
  properties: { remoteVirtualNetwork: { id: remoteId }, allowForwardedTraffic: true }
}
"#;

const SHARED: &str = r#"@export()
var inbound = [
  { name: 'allow-https', priority: 100, port: '443' }
  { name: 'allow-http', priority: 110, port: '80' }
  { name: 'allow-health', priority: 120, port: '8080' }
]
"#;

fn spoke(i: usize) -> String {
    format!(
        r#"import {{ inbound }} from '../shared.bicep'
param location string
param firewallIp string
param hubId string
var space = '10.{i}.0.0/16'
var subnetNames = ['snet-nodes', 'snet-ingress']
resource nsg 'Microsoft.Network/networkSecurityGroups@2024-05-01' = {{
  name: 'nsg-spoke-{i}'
  location: location
  properties: {{
    securityRules: map(inbound, r => {{
      name: r.name
      properties: {{ priority: r.priority, direction: 'Inbound', access: 'Allow', protocol: 'Tcp', sourcePortRange: '*', destinationPortRange: r.port, sourceAddressPrefix: 'VirtualNetwork', destinationAddressPrefix: '*' }}
    }})
  }}
}}
resource rt 'Microsoft.Network/routeTables@2024-05-01' = {{
  name: 'rt-spoke-{i}'
  location: location
  properties: {{ routes: [{{ name: 'default', properties: {{ addressPrefix: '0.0.0.0/0', nextHopType: 'VirtualAppliance', nextHopIpAddress: firewallIp }} }}] }}
}}
resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {{
  name: 'vnet-spoke-{i}'
  location: location
  properties: {{
    addressSpace: {{ addressPrefixes: [space] }}
    subnets: [for (n, k) in subnetNames: {{
      name: n
      properties: {{
        addressPrefix: cidrSubnet(space, 24, k)
        networkSecurityGroup: k == 0 ? {{ id: nsg.id }} : null
        routeTable: k == 0 ? {{ id: rt.id }} : null
      }}
    }}]
  }}
  resource toHub 'virtualNetworkPeerings' = {{
    name: 'to-hub'
    properties: {{ remoteVirtualNetwork: {{ id: hubId }}, allowForwardedTraffic: true }}
  }}
}}
output vnetId string = vnet.id
"#
    )
}

fn main() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let dir = std::env::var_os("AKSNET_BENCH_KEEP")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(dir.join("spokes")).expect("directory");
    std::fs::write(dir.join("main.bicep"), main_file()).expect("write");
    std::fs::write(dir.join("hub.bicep"), HUB).expect("write");
    std::fs::write(dir.join("peering.bicep"), PEERING).expect("write");
    std::fs::write(dir.join("shared.bicep"), SHARED).expect("write");
    for i in 1..=SPOKES {
        std::fs::write(dir.join(format!("spokes/spoke{i:03}.bicep")), spoke(i)).expect("write");
    }
    let main = dir.join("main.bicep");
    let mut times: Vec<Duration> = Vec::new();
    let (mut imported, mut files, mut errors) = (0, 0, 0);
    for _ in 0..10 {
        let t = Instant::now();
        let imp = aksnet_import::import_paths("bench", &[Path::new(&main)]);
        times.push(t.elapsed());
        imported = imp.summary.imported.values().sum::<usize>();
        files = imp.summary.files.len();
        errors = imp.summary.diagnostics.iter().filter(|d| d.error).count();
    }
    times.sort();
    println!(
        "Bicep, {files} files (main, hub, peering, shared, {SPOKES} spokes): {imported} resources imported, {errors} errors; median {:.1?}, range {:.1?}–{:.1?} (10 runs)",
        times[5], times[0], times[9]
    );
}
