//! Private endpoints (with their DNS zone groups), private DNS zones' links and A records.

use serde_json::{json, Map, Value as Json};

use super::val::{block, blocks, child, copy, get, items, last_segment, list, put, sub_ref};
use super::{Ctx, Out};

/// `azurerm_private_endpoint`: subnet, service connections (manual ones as
/// `manualPrivateLinkServiceConnections`), static IP configurations, and each
/// `private_dns_zone_group` as a `privateDnsZoneGroups` child resource.
pub(crate) fn endpoint(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let id = &c.ident.id;
    let mut out = Vec::new();
    let mut p = Map::new();
    put(&mut p, "subnet", sub_ref(v, &["subnet_id"]));
    let mut auto = Vec::new();
    let mut manual = Vec::new();
    for s in blocks(v, "private_service_connection") {
        let Some(name) = get(s, "name") else { continue };
        let mut cp = Map::new();
        match get(s, "private_connection_resource_id") {
            Some(target) => {
                cp.insert("privateLinkServiceId".into(), target.clone());
            }
            None => {
                let alias = get(s, "private_connection_resource_alias")
                    .and_then(Json::as_str)
                    .unwrap_or("?");
                out.push(Out::Warning(format!(
                    "connection `{}` names its service by alias `{alias}`, which aksnet cannot \
                     resolve; it is left out",
                    name.as_str().unwrap_or("?")
                )));
                continue;
            }
        }
        cp.insert(
            "groupIds".into(),
            list(s, "subresource_names").unwrap_or(json!([])),
        );
        copy(&mut cp, "requestMessage", s, &["request_message"]);
        let manual_one = get(s, "is_manual_connection").and_then(Json::as_bool) == Some(true);
        let segment = if manual_one {
            "manualPrivateLinkServiceConnections"
        } else {
            "privateLinkServiceConnections"
        };
        let conn = child(id, segment, name, cp);
        if manual_one {
            manual.push(conn);
        } else {
            auto.push(conn);
        }
    }
    p.insert("privateLinkServiceConnections".into(), Json::Array(auto));
    if !manual.is_empty() {
        p.insert(
            "manualPrivateLinkServiceConnections".into(),
            Json::Array(manual),
        );
    }
    let ipcs: Vec<Json> = blocks(v, "ip_configuration")
        .into_iter()
        .filter_map(|b| {
            let name = get(b, "name")?;
            let mut ip = Map::new();
            copy(&mut ip, "groupId", b, &["subresource_name"]);
            // Azure names the member after the group when none is given.
            copy(
                &mut ip,
                "memberName",
                b,
                &["member_name", "subresource_name"],
            );
            copy(&mut ip, "privateIPAddress", b, &["private_ip_address"]);
            Some(json!({ "name": name, "properties": ip }))
        })
        .collect();
    if !ipcs.is_empty() {
        p.insert("ipConfigurations".into(), Json::Array(ipcs));
    }
    copy(
        &mut p,
        "customNetworkInterfaceName",
        v,
        &["custom_network_interface_name"],
    );
    out.insert(0, c.resource(p));
    if let Some(g) = block(v, "private_dns_zone_group") {
        let name = get(g, "name")
            .and_then(Json::as_str)
            .unwrap_or("default")
            .to_string();
        let configs: Vec<Json> = items(g, "private_dns_zone_ids")
            .into_iter()
            .map(|z| {
                let zname = last_segment(z).unwrap_or_default().replace('.', "-");
                json!({ "name": zname, "properties": { "privateDnsZoneId": z } })
            })
            .collect();
        out.push(Out::Resource(json!({
            "id": format!("{id}/privateDnsZoneGroups/{name}"),
            "name": name,
            "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
            "properties": { "privateDnsZoneConfigs": configs },
        })));
    }
    out
}

/// `azurerm_private_dns_zone`: a global resource with no properties that matter.
pub(crate) fn zone(c: &Ctx) -> Vec<Out> {
    let mut r = c.envelope(Map::new());
    r.insert("location".into(), json!("global"));
    vec![Out::Resource(Json::Object(r))]
}

/// `azurerm_private_dns_zone_virtual_network_link`: a `virtualNetworkLinks` child resource.
pub(crate) fn zone_link(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let mut p = Map::new();
    put(
        &mut p,
        "virtualNetwork",
        sub_ref(v, &["virtual_network_id"]),
    );
    p.insert(
        "registrationEnabled".into(),
        get(v, "registration_enabled")
            .cloned()
            .unwrap_or(json!(false)),
    );
    copy(&mut p, "resolutionPolicy", v, &["resolution_policy"]);
    let mut r = c.envelope(p);
    r.insert("location".into(), json!("global"));
    vec![Out::Resource(Json::Object(r))]
}

/// `azurerm_private_dns_a_record`: an `A` record set child resource.
pub(crate) fn a_record(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let mut p = Map::new();
    copy(&mut p, "ttl", v, &["ttl"]);
    let records: Json = match get(v, "records") {
        Some(Json::Array(a)) => a.iter().map(|ip| json!({ "ipv4Address": ip })).collect(),
        Some(x) => json!([{ "ipv4Address": x }]),
        None => json!([]),
    };
    p.insert("aRecords".into(), records);
    vec![c.child_resource(p)]
}
