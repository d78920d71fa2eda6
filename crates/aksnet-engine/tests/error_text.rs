//! The text of the engine's errors, which the CLI prints as it is: unknown switches, service-tag
//! files that do not read, places that name nothing, subnets without an egress address, routes
//! to a gateway that cannot carry transit.

use aksnet_design::{design, REFERENCE_INTENT, REFERENCE_NAME};
use aksnet_engine::tags::parse_service_tags;
use aksnet_engine::{DataPlane, Options};
use aksnet_model::Estate;
use aksnet_net::Prefix;
use serde_json::{json, Value};

const SUB: &str = "/subscriptions/s/resourceGroups/rg/providers";

fn estate(v: Value) -> Estate {
    let mut base = json!({ "aksnetSchema": 1, "name": "errors" });
    for (k, x) in v.as_object().unwrap() {
        base[k] = x.clone();
    }
    serde_json::from_value(base).unwrap()
}

fn vnet_id(name: &str) -> String {
    format!("{SUB}/Microsoft.Network/virtualNetworks/{name}")
}

/// A VNet `v` (10.0.0.0/16) with the given subnets (`(name, prefix, extra properties)`).
fn vnet(subnets: &[(&str, &str, Value)]) -> Value {
    let subnets: Vec<Value> = subnets
        .iter()
        .map(|(name, prefix, extra)| {
            let mut props = json!({ "addressPrefix": prefix });
            for (k, x) in extra.as_object().unwrap() {
                props[k] = x.clone();
            }
            json!({ "name": name, "id": format!("{}/subnets/{name}", vnet_id("v")), "properties": props })
        })
        .collect();
    json!({ "id": vnet_id("v"), "properties": { "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] }, "subnets": subnets } })
}

fn gateway(name: &str, kind: &str, subnet: &str) -> Value {
    json!({ "id": format!("{SUB}/Microsoft.Network/virtualNetworkGateways/{name}"), "properties": { "gatewayType": kind, "sku": { "name": "VpnGw1", "tier": "VpnGw1" }, "ipConfigurations": [{ "name": "c", "properties": { "subnet": { "id": format!("{}/subnets/{subnet}", vnet_id("v")) } } }] } })
}

#[test]
fn unknown_switch() {
    let err = Options::default().set("bogus").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown switch `bogus` (known: no-none-route-172-16, no-observed-25-routes, none-routes-removed-for-any-default-udr, peering-access-hard-block, dnat-then-network-rules, dnat-keeps-source, vnet-tag-without-udr-prefixes, no-forwarding-rules-on-cname-targets, firewall-first-address, firewall-port-ranges-expanded)"
    );
}

#[test]
fn service_tag_files_that_do_not_read() {
    let text = |s: &str| parse_service_tags(s).unwrap_err().to_string();
    let json = serde_json::from_str::<Value>("{\"values\": [").unwrap_err();
    assert_eq!(
        text("{\"values\": ["),
        format!("line {}, column {}: {json}", json.line(), json.column())
    );
    assert_eq!(
        text("{}"),
        "expected {\"values\": [...]} as in ServiceTags_Public.json"
    );
    assert_eq!(text(r#"{"values": [{}]}"#), "values[0] has no name");
    assert_eq!(
        text(r#"{"values": [{"name": "Storage"}]}"#),
        "values[0] (Storage) has no properties.addressPrefixes"
    );
    assert_eq!(
        text(
            r#"{"values": [{"name": "Storage", "properties": {"addressPrefixes": ["not-a-prefix"]}}]}"#
        ),
        format!(
            "values[0] (Storage): {}",
            Prefix::parse_lenient("not-a-prefix").unwrap_err()
        )
    );
}

#[test]
fn places_that_name_nothing() {
    let e = design(REFERENCE_NAME, REFERENCE_INTENT).unwrap().estate;
    let dp = DataPlane::compile(&e, Options::default());
    let reason = |p: &str| dp.place(p).unwrap_err().reason.to_string();
    assert_eq!(reason("nowhere/snet-user"), "no VNet named `nowhere`");
    assert_eq!(reason("nowhere:acr"), "no VNet named `nowhere`");
    assert_eq!(
        reason("aks-prod/snet-nothing"),
        "VNet `vnet-aks-prod` has no subnet `snet-nothing`"
    );
    assert_eq!(reason("widget"), "no endpoint `widget`");
    assert_eq!(
        reason("aks-prod:widget"),
        "no endpoint `widget` in `aks-prod`"
    );
    assert_eq!(
        reason("172.31.9.9"),
        "172.31.9.9 is a private address in no subnet of the estate and not on-premises; name a subnet, or give the on-premises prefixes with --on-premises"
    );
    assert_eq!(
        reason("10.240.250.9"),
        "10.240.250.9 is a private address in no subnet of the estate and not on-premises (it is in vnet-aks-prod's address space, but in none of its subnets); name a subnet, or give the on-premises prefixes with --on-premises"
    );
    let err = dp.place("widget").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown place `widget`: no endpoint `widget`"
    );
    assert_eq!(err.known, dp.known_places());

    let multi = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/multi-spoke.yaml");
    let e = design("x", &std::fs::read_to_string(multi).unwrap())
        .unwrap()
        .estate;
    let dp = DataPlane::compile(&e, Options::default());
    let reason = dp.place("apiserver").unwrap_err().reason.to_string();
    assert!(
        reason.starts_with("`apiserver` is ambiguous (") && reason.contains(" match); name one: "),
        "{reason}"
    );

    let empty = estate(json!({}));
    let dp = DataPlane::compile(&empty, Options::default());
    assert_eq!(
        dp.place("onprem").unwrap_err().reason.to_string(),
        "the estate has no on-premises prefixes: an intent gives them in `onPremises`; for an imported estate pass `--on-premises CIDR[,CIDR]` (ExpressRoute learns them by BGP, so no resource holds them)"
    );
}

#[test]
fn subnets_without_an_egress_address() {
    let e = estate(json!({
        "virtualNetworks": [vnet(&[
            ("app", "10.0.1.0/24", json!({ "defaultOutboundAccess": false })),
            ("AzureFirewallSubnet", "10.0.2.0/26", json!({})),
        ])],
        "azureFirewalls": [{ "id": format!("{SUB}/Microsoft.Network/azureFirewalls/afw"), "properties": {
            "sku": { "name": "AZFW_VNet", "tier": "Standard" },
            "ipConfigurations": [{ "name": "c", "properties": { "privateIPAddress": "10.0.2.4", "subnet": { "id": format!("{}/subnets/AzureFirewallSubnet", vnet_id("v")) } } }] } }]
    }));
    let dp = DataPlane::compile(&e, Options::default());
    let text = |s: &str| {
        let Ok(aksnet_engine::places::Place::Subnet(s)) = dp.place(s) else {
            panic!("{s}")
        };
        aksnet_engine::egress::egress(&dp, s)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        text("v/app"),
        "no egress IP: v/app has default outbound access disabled and no NAT gateway, public IP or load balancer outbound rule"
    );
    assert_eq!(text("v/AzureFirewallSubnet"), "afw has no public IP");
}

#[test]
fn gateways_that_cannot_carry_transit() {
    let transit = |gateways: Value, subnets: &[(&str, &str, Value)]| {
        let e = estate(
            json!({ "virtualNetworks": [vnet(subnets)], "virtualNetworkGateways": gateways }),
        );
        let dp = DataPlane::compile(&e, Options::default());
        let v = dp.topology.vnet_named("v").unwrap();
        dp.topology.vpn_transit(v).unwrap_err().to_string()
    };
    let with_gateway_subnet = [
        ("app", "10.0.1.0/24", json!({})),
        ("GatewaySubnet", "10.0.255.0/27", json!({})),
    ];
    assert_eq!(
        transit(json!([]), &with_gateway_subnet),
        "v has no virtual network gateway to send it to"
    );
    assert_eq!(
        transit(
            json!([gateway("er", "ExpressRoute", "GatewaySubnet")]),
            &with_gateway_subnet
        ),
        "only a VPN gateway can be a route's next hop, and v has an ExpressRoute gateway"
    );
    assert_eq!(
        transit(
            json!([
                gateway("er", "ExpressRoute", "GatewaySubnet"),
                gateway("vpn", "Vpn", "GatewaySubnet")
            ]),
            &with_gateway_subnet
        ),
        "only a VPN gateway can be a route's next hop, and v has a VPN and an ExpressRoute gateway together"
    );
    assert_eq!(
        transit(
            json!([gateway("vpn", "Vpn", "app")]),
            &[("app", "10.0.1.0/24", json!({}))]
        ),
        "v has no GatewaySubnet"
    );
}
