//! The model's field names are ARM's: real REST example bodies from `shared/corpus` deserialise
//! into the model's resource types with the values where we expect them.

use std::path::PathBuf;

use aksnet_model::aks::ManagedCluster;
use aksnet_model::firewall::{AzureFirewall, FirewallPolicy, RuleCollectionGroup};
use aksnet_model::network::{
    LoadBalancer, NetworkSecurityGroup, PublicIpAddress, RouteTable, VirtualNetwork,
};
use aksnet_model::private::{ARecordSet, PrivateEndpoint, VirtualNetworkLink};
use aksnet_model::Resource;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn corpus(rel: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/azure-rest-examples")
        .join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (shared/ must sit beside the repository)",
            path.display()
        )
    });
    let doc: Value = serde_json::from_str(&text).unwrap();
    let responses = &doc["responses"];
    ["200", "201"]
        .iter()
        .map(|c| responses[c]["body"].clone())
        .find(|b| !b.is_null())
        .expect("a response body")
}

fn parse<P: DeserializeOwned + aksnet_model::ResourceType>(rel: &str) -> Resource<P> {
    serde_json::from_value(corpus(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn virtual_network() {
    let v: Resource<VirtualNetwork> = parse("network/VirtualNetworkGet.json");
    assert_eq!(
        v.properties.address_space.address_prefixes[0].to_string(),
        "10.0.0.0/16"
    );
    assert_eq!(
        v.properties.subnets[0]
            .properties
            .address_prefix
            .to_string(),
        "10.0.1.0/24"
    );
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn route_table_and_nsg() {
    let rt: Resource<RouteTable> = parse("network/RouteTableCreateWithRoute.json");
    assert!(!rt.properties.routes.is_empty());
    let nsg: Resource<NetworkSecurityGroup> =
        parse("network/NetworkSecurityGroupCreateWithRule.json");
    let rule = &nsg.properties.security_rules[0].properties;
    assert!(rule.priority >= 100);
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn firewall_policy_and_rule_collection_groups() {
    let p: Resource<FirewallPolicy> = parse("network/FirewallPolicyPut.json");
    assert_eq!(p.properties.threat_intel_mode.as_deref(), Some("Alert"));
    assert!(p.properties.dns_settings.unwrap().enable_proxy);
    for f in [
        "network/FirewallPolicyNatRuleCollectionGroupPut.json",
        "network/FirewallPolicyRuleCollectionGroupWithIpGroupsPut.json",
    ] {
        let g: Resource<RuleCollectionGroup> = parse(f);
        assert!(!g.properties.rule_collections.is_empty(), "{f}");
    }
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn firewall_public_ip_and_load_balancer() {
    let fw: Resource<AzureFirewall> = parse("network/AzureFirewallPut.json");
    assert!(fw.properties.private_ip().is_some());
    let pip: Resource<PublicIpAddress> = parse("network/PublicIpAddressCreateDefaults.json");
    assert_eq!(pip.properties.public_ip_address_version, "IPv4");
    let lb: Resource<LoadBalancer> = parse("network/LoadBalancerCreateStandardSku.json");
    assert!(!lb.properties.frontend_ip_configurations.is_empty());
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn private_endpoint_and_dns() {
    let pe: Resource<PrivateEndpoint> = parse("network/PrivateEndpointCreate.json");
    assert_eq!(
        pe.properties.ip_configurations[0]
            .properties
            .private_ip_address,
        "192.168.0.6"
    );
    let a: Resource<ARecordSet> = parse("privatedns/RecordSetAPut.json");
    assert_eq!(a.properties.a_records[0].ipv4_address, "1.2.3.4");
    let link: Resource<VirtualNetworkLink> = parse("privatedns/VirtualNetworkLinkPut.json");
    assert!(link
        .properties
        .virtual_network
        .id
        .as_str()
        .contains("virtualNetworks"));
}

#[test]
#[cfg_attr(
    aksnet_no_shared,
    ignore = "needs ../shared beside the repository (CI has it)"
)]
fn managed_cluster() {
    let mc: Resource<ManagedCluster> =
        parse("containerservice/ManagedClustersCreate_PrivateClusterPublicFQDN.json");
    assert!(mc.properties.is_private());
    assert_eq!(
        mc.properties.network_profile.network_plugin.as_deref(),
        Some("kubenet")
    );
    assert_eq!(
        mc.properties
            .network_profile
            .service_cidr
            .unwrap()
            .to_string(),
        "10.0.0.0/16"
    );
    assert_eq!(mc.properties.agent_pool_profiles[0].max_pods, Some(110));
}
