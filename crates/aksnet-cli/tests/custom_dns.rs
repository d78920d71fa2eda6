//! Custom DNS end to end (issue 14, item 6): Azure JSON as `az ... list` prints it, traced by
//! name from a spoke whose VNet names its own DNS servers.
//!
//! The estate: a hub (10.0.0.0/16) with Azure Firewall at 10.0.1.4 and a DNS Private Resolver
//! inbound endpoint at 10.0.2.4; a spoke (10.1.0.0/16) with a registry's private endpoint at
//! 10.1.2.5; the zone `privatelink.azurecr.io` linked to the hub only. Expected results, from
//! Microsoft's documentation before running:
//! - spoke DNS = the firewall, DNS proxy on, no servers: the firewall forwards to Azure DNS
//!   (learn.microsoft.com/azure/firewall/dns-settings), which answers from the zones linked
//!   to the firewall's VNet, the hub (azure-semantics §7.4): the PE's private address, allowed;
//! - DNS proxy off: "By default, DNS Proxy is disabled"; only when enabled does "the firewall
//!   listen on port 53": no answer, the name does not resolve — denied;
//! - a DNS server the estate does not explain (a VM's address): unknown, naming it;
//! - spoke DNS = the inbound endpoint: "DNS queries sent to the inbound endpoint are resolved
//!   using Azure DNS. Private DNS zones that are linked to the virtual network where the inbound
//!   endpoint is provisioned are resolved by the inbound endpoint"
//!   (learn.microsoft.com/azure/dns/private-resolver-endpoints-rulesets): allowed;
//! - spoke on Azure DNS with a ruleset linked to it whose rule sends `privatelink.azurecr.io`
//!   to the inbound endpoint (the page's hub-and-spoke example): allowed; the same rule to an
//!   on-premises server: unknown, naming it;
//! - spoke DNS = a VM's address (unknown), and a NIC in the app subnet whose own
//!   `dnsSettings.dnsServers` name the firewall (DNS proxy on): "The DNS server address you
//!   specify is assigned only to this network interface and overrides any DNS setting for the
//!   virtual network" (learn.microsoft.com/azure/virtual-network/virtual-network-network-interface,
//!   "Change DNS servers"), so from that NIC the name resolves through the firewall to the
//!   private endpoint — allowed — while from another address of the same subnet (the VNet's
//!   setting) it stays unknown; a NIC with an empty list inherits the VNet's (unknown), and one
//!   naming `AzureProvidedDNS` ("to switch to azure provided DNS resolution", REST reference)
//!   asks Azure DNS for the spoke, which has no linked zone: the private endpoint is bypassed.

mod common;

use common::{aksnet, out};
use serde_json::{json, Value};

const RG: &str =
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers";

fn id(rest: &str) -> String {
    format!("{RG}/{rest}")
}

/// A resource in the REST envelope.
fn res(rest: &str, ty: &str, properties: Value) -> Value {
    let name = rest.rsplit('/').next().unwrap_or_default();
    json!({ "id": id(rest), "name": name, "type": ty, "location": "westeurope", "properties": properties })
}

fn subnet(vnet: &str, name: &str, prefix: &str) -> Value {
    json!({ "id": id(&format!("Microsoft.Network/virtualNetworks/{vnet}/subnets/{name}")), "name": name,
            "properties": { "addressPrefix": prefix } })
}

fn peering(to: &str) -> Value {
    json!({ "name": format!("to-{to}"), "properties": {
        "remoteVirtualNetwork": { "id": id(&format!("Microsoft.Network/virtualNetworks/{to}")) },
        "allowVirtualNetworkAccess": true, "allowForwardedTraffic": true, "peeringState": "Connected" } })
}

/// The estate, with the spoke's DNS servers and the firewall policy's DNS settings given.
fn estate(spoke_dns: &[&str], dns_settings: Value, extra: &[Value]) -> Vec<Value> {
    let hub = "Microsoft.Network/virtualNetworks/vnet-hub";
    let zone = "Microsoft.Network/privateDnsZones/privatelink.azurecr.io";
    let mut all = vec![
        res(
            hub,
            "Microsoft.Network/virtualNetworks",
            json!({
                "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
                "subnets": [
                    subnet("vnet-hub", "AzureFirewallSubnet", "10.0.1.0/26"),
                    subnet("vnet-hub", "snet-dns-in", "10.0.2.0/28"),
                    subnet("vnet-hub", "snet-dns-out", "10.0.3.0/28"),
                ],
                "virtualNetworkPeerings": [peering("vnet-spoke")],
            }),
        ),
        res(
            "Microsoft.Network/virtualNetworks/vnet-spoke",
            "Microsoft.Network/virtualNetworks",
            json!({
                "addressSpace": { "addressPrefixes": ["10.1.0.0/16"] },
                "dhcpOptions": { "dnsServers": spoke_dns },
                "subnets": [
                    subnet("vnet-spoke", "snet-app", "10.1.1.0/24"),
                    subnet("vnet-spoke", "snet-pe", "10.1.2.0/24"),
                ],
                "virtualNetworkPeerings": [peering("vnet-hub")],
            }),
        ),
        res(
            "Microsoft.Network/azureFirewalls/afw-hub",
            "Microsoft.Network/azureFirewalls",
            json!({
                "sku": { "name": "AZFW_VNet", "tier": "Standard" },
                "ipConfigurations": [{ "name": "ipconfig", "properties": {
                    "subnet": { "id": id(&format!("{hub}/subnets/AzureFirewallSubnet")) },
                    "privateIPAddress": "10.0.1.4" } }],
                "firewallPolicy": { "id": id("Microsoft.Network/firewallPolicies/afwp-hub") },
            }),
        ),
        res(
            "Microsoft.Network/firewallPolicies/afwp-hub",
            "Microsoft.Network/firewallPolicies",
            json!({ "sku": { "tier": "Standard" }, "dnsSettings": dns_settings }),
        ),
        res(zone, "Microsoft.Network/privateDnsZones", json!({})),
        res(
            &format!("{zone}/virtualNetworkLinks/hub"),
            "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            json!({ "virtualNetwork": { "id": id(hub) }, "registrationEnabled": false }),
        ),
        res(
            &format!("{zone}/A/crdemo"),
            "Microsoft.Network/privateDnsZones/A",
            json!({ "ttl": 10, "aRecords": [{ "ipv4Address": "10.1.2.5" }] }),
        ),
        res(
            "Microsoft.Network/privateEndpoints/pe-crdemo",
            "Microsoft.Network/privateEndpoints",
            json!({
                "subnet": { "id": id("Microsoft.Network/virtualNetworks/vnet-spoke/subnets/snet-pe") },
                "privateLinkServiceConnections": [{ "name": "c", "properties": {
                    "privateLinkServiceId": id("Microsoft.ContainerRegistry/registries/crdemo"),
                    "groupIds": ["registry"] } }],
                "ipConfigurations": [{ "name": "registry", "properties": {
                    "groupId": "registry", "memberName": "registry", "privateIPAddress": "10.1.2.5" } }],
            }),
        ),
        res(
            "Microsoft.Network/dnsResolvers/dnspr-hub",
            "Microsoft.Network/dnsResolvers",
            json!({ "virtualNetwork": { "id": id(hub) } }),
        ),
        res(
            "Microsoft.Network/dnsResolvers/dnspr-hub/inboundEndpoints/in",
            "Microsoft.Network/dnsResolvers/inboundEndpoints",
            json!({ "ipConfigurations": [{ "subnet": { "id": id(&format!("{hub}/subnets/snet-dns-in")) },
                    "privateIpAddress": "10.0.2.4", "privateIpAllocationMethod": "Dynamic" }] }),
        ),
        res(
            "Microsoft.Network/dnsResolvers/dnspr-hub/outboundEndpoints/out",
            "Microsoft.Network/dnsResolvers/outboundEndpoints",
            json!({ "subnet": { "id": id(&format!("{hub}/subnets/snet-dns-out")) } }),
        ),
    ];
    all.extend(extra.iter().cloned());
    all
}

/// A ruleset linked to the spoke with one rule for `privatelink.azurecr.io.` to `target`.
fn ruleset(target: &str) -> Vec<Value> {
    let rs = "Microsoft.Network/dnsForwardingRulesets/rs-hub";
    vec![
        res(
            rs,
            "Microsoft.Network/dnsForwardingRulesets",
            json!({ "dnsResolverOutboundEndpoints": [
            { "id": id("Microsoft.Network/dnsResolvers/dnspr-hub/outboundEndpoints/out") }] }),
        ),
        res(
            &format!("{rs}/forwardingRules/acr"),
            "Microsoft.Network/dnsForwardingRulesets/forwardingRules",
            json!({ "domainName": "privatelink.azurecr.io.", "forwardingRuleState": "Enabled",
                    "targetDnsServers": [{ "ipAddress": target, "port": 53 }] }),
        ),
        res(
            &format!("{rs}/virtualNetworkLinks/spoke"),
            "Microsoft.Network/dnsForwardingRulesets/virtualNetworkLinks",
            json!({ "virtualNetwork": { "id": id("Microsoft.Network/virtualNetworks/vnet-spoke") } }),
        ),
    ]
}

/// Imports `resources` and traces HTTPS by name from the spoke's app subnet to the private
/// endpoint; returns the exit code and the text.
fn trace(resources: Vec<Value>) -> (Option<i32>, String) {
    trace_with(resources, &[])
}

/// [`trace`] with more flags.
fn trace_with(resources: Vec<Value>, more: &[&str]) -> (Option<i32>, String) {
    trace_from(resources, "vnet-spoke/snet-app", more)
}

/// [`trace_with`] from another place.
fn trace_from(resources: Vec<Value>, from: &str, more: &[&str]) -> (Option<i32>, String) {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("export.json"),
        serde_json::to_string(&resources).unwrap(),
    )
    .unwrap();
    let mut args = vec![
        "trace",
        "--azure-json",
        "export.json",
        "--from",
        from,
        "--to",
        "10.1.2.5",
        "--port",
        "443",
        "--fqdn",
        "crdemo.azurecr.io",
    ];
    args.extend(more);
    let o = aksnet(d.path(), &args);
    let text = format!("{}{}", out(&o), common::err(&o));
    if std::env::var_os("AKSNET_SHOW").is_some() {
        eprintln!("{text}");
    }
    (o.status.code(), text)
}

fn verdict(text: &str) -> &str {
    text.lines()
        .find_map(|l| l.strip_prefix("verdict: "))
        .unwrap_or_default()
}

#[test]
fn a_spoke_resolves_through_the_hub_firewall_dns_proxy() {
    let (code, text) = trace(estate(&["10.0.1.4"], json!({ "enableProxy": true }), &[]));
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("crdemo.azurecr.io → 10.1.2.5 (A record in privatelink.azurecr.io, linked to vnet-hub) via afw-hub DNS proxy (10.0.1.4) → Azure DNS for vnet-hub"),
        "{text}"
    );
    assert!(verdict(&text).starts_with("allowed"), "{text}");
}

#[test]
fn a_dns_query_the_client_cannot_send_is_noted() {
    // The DNS query is a flow of its own: an NSG on the client's subnet that denies UDP 53 to
    // the firewall leaves a note (the name's answer itself is still shown).
    let mut all = estate(&["10.0.1.4"], json!({ "enableProxy": true }), &[]);
    let nsg = "Microsoft.Network/networkSecurityGroups/nsg-app";
    all[1]["properties"]["subnets"][0]["properties"]["networkSecurityGroup"] =
        json!({ "id": id(nsg) });
    all.push(res(nsg, "Microsoft.Network/networkSecurityGroups", json!({ "securityRules": [
        { "name": "deny-dns", "properties": { "priority": 100, "direction": "Outbound", "access": "Deny",
          "protocol": "Udp", "sourceAddressPrefix": "*", "sourcePortRange": "*",
          "destinationAddressPrefix": "10.0.1.4", "destinationPortRange": "53" } }] })));
    let (_, text) = trace(all);
    assert!(
        text.contains("note: the DNS query from vnet-spoke/snet-app (host 10.1.1.4 of 10.1.1.0/24) to its DNS server 10.0.1.4 on udp/53 is denied"),
        "{text}"
    );
    assert!(text.contains("deny-dns"), "{text}");
}

#[test]
fn a_firewall_without_dns_proxy_does_not_answer() {
    let (_, text) = trace(estate(&["10.0.1.4"], json!({ "enableProxy": false }), &[]));
    assert!(
        text.contains("afw-hub (10.0.1.4) has its DNS proxy off, so it does not listen on port 53"),
        "{text}"
    );
    assert!(
        verdict(&text).starts_with("denied — crdemo.azurecr.io does not resolve from vnet-spoke"),
        "{text}"
    );
}

#[test]
fn a_dns_server_the_estate_does_not_explain_is_unknown() {
    let (_, text) = trace(estate(&["10.1.1.10"], json!({ "enableProxy": true }), &[]));
    assert!(verdict(&text).starts_with("unknown"), "{text}");
    assert!(
        text.contains("DNS server 10.1.1.10 is an address in vnet-spoke/snet-app"),
        "{text}"
    );
}

#[test]
fn a_spoke_resolves_through_the_resolver_inbound_endpoint() {
    let (code, text) = trace(estate(&["10.0.2.4"], json!({ "enableProxy": false }), &[]));
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("via resolver inbound endpoint in (10.0.2.4) → Azure DNS for vnet-hub"),
        "{text}"
    );
    assert!(verdict(&text).starts_with("allowed"), "{text}");
}

#[test]
fn a_ruleset_linked_to_the_spoke_forwards_to_the_inbound_endpoint_or_on_premises() {
    let (code, text) = trace(estate(&[], json!({}), &ruleset("10.0.2.4")));
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("via Azure DNS for vnet-spoke → forwarding rule rs-hub/acr (privatelink.azurecr.io.) → resolver inbound endpoint in (10.0.2.4) → Azure DNS for vnet-hub"),
        "{text}"
    );
    // Under the switch, the rule for the privatelink zone does not catch the registry's own
    // name, and the spoke's Azure DNS has no zone: the private endpoint is bypassed.
    let (_, text) = trace_with(
        estate(&[], json!({}), &ruleset("10.0.2.4")),
        &["--switch", "no-forwarding-rules-on-cname-targets"],
    );
    assert!(
        text.contains("crdemo.azurecr.io → public address (no privatelink zone linked to vnet-spoke; the private endpoint is bypassed)"),
        "{text}"
    );
    let (_, text) = trace(estate(&[], json!({}), &ruleset("192.168.10.53")));
    assert!(verdict(&text).starts_with("unknown"), "{text}");
    assert!(text.contains("DNS server 192.168.10.53"), "{text}");
}

/// A VM's network interface `name` at `ip` in the spoke's app subnet, as `az network nic list`
/// prints it, with `dnsSettings.dnsServers` = `servers` (empty: inherit the VNet's).
fn nic(name: &str, ip: &str, servers: &[&str]) -> Value {
    let rest = format!("Microsoft.Network/networkInterfaces/{name}");
    res(
        &rest,
        "Microsoft.Network/networkInterfaces",
        json!({
            "dnsSettings": { "dnsServers": servers, "appliedDnsServers": servers,
                "internalDomainNameSuffix": "x.ax.internal.cloudapp.net" },
            "enableIPForwarding": false,
            "ipConfigurations": [{ "name": "ipconfig1", "id": id(&format!("{rest}/ipConfigurations/ipconfig1")),
                "properties": { "primary": true, "privateIPAddress": ip,
                    "privateIPAllocationMethod": "Dynamic", "privateIPAddressVersion": "IPv4",
                    "subnet": { "id": id("Microsoft.Network/virtualNetworks/vnet-spoke/subnets/snet-app") } } }],
            "virtualMachine": { "id": id(&format!("Microsoft.Compute/virtualMachines/{name}")) },
        }),
    )
}

#[test]
fn a_nic_s_own_dns_servers_override_the_vnet_s() {
    // The spoke names a VM's address (the estate does not explain it); one NIC names the hub
    // firewall (DNS proxy on), one inherits, one switches to Azure-provided DNS.
    let all = || {
        estate(
            &["10.1.1.10"],
            json!({ "enableProxy": true }),
            &[
                nic("nic-vm1", "10.1.1.20", &["10.0.1.4"]),
                nic("nic-vm2", "10.1.1.21", &[]),
                nic("nic-vm3", "10.1.1.22", &["AzureProvidedDNS"]),
            ],
        )
    };
    // From the NIC (by name): its own servers, the firewall's proxy, the hub's zone.
    let (code, text) = trace_from(all(), "nic-vm1", &[]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("crdemo.azurecr.io → 10.1.2.5 (A record in privatelink.azurecr.io, linked to vnet-hub) via afw-hub DNS proxy (10.0.1.4) → Azure DNS for vnet-hub (DNS servers set on NIC nic-vm1, overriding vnet-spoke's)"),
        "{text}"
    );
    assert!(verdict(&text).starts_with("allowed"), "{text}");
    // The same by its address.
    let (_, text) = trace_from(all(), "10.1.1.20", &[]);
    assert!(verdict(&text).starts_with("allowed"), "{text}");
    // Another address of the same subnet, and the subnet's host: the VNet's setting, unknown.
    for from in ["10.1.1.30", "vnet-spoke/snet-app"] {
        let (_, text) = trace_from(all(), from, &[]);
        assert!(
            verdict(&text).starts_with("unknown — what crdemo.azurecr.io resolves to from vnet-spoke is unknown: DNS server 10.1.1.10 is an address in vnet-spoke/snet-app"),
            "{text}"
        );
        assert!(text.contains("(DNS servers set on vnet-spoke)"), "{text}");
    }
    // A NIC with an empty list inherits the VNet's servers.
    let (_, text) = trace_from(all(), "nic-vm2", &[]);
    assert!(verdict(&text).starts_with("unknown"), "{text}");
    assert!(text.contains("(DNS servers set on vnet-spoke)"), "{text}");
    // `AzureProvidedDNS`: Azure DNS for the spoke, to which no privatelink zone is linked.
    let (_, text) = trace_from(all(), "nic-vm3", &[]);
    assert!(
        text.contains("crdemo.azurecr.io → public address (no privatelink zone linked to vnet-spoke; the private endpoint is bypassed) (DNS servers set on NIC nic-vm3, overriding vnet-spoke's)"),
        "{text}"
    );
}
