//! Load balancers and their rules.

use serde_json::{json, Map, Value as Json};

use super::fold::Fold;
use super::val::{blocks, child, copy, get, put, sub_ref};
use super::{Ctx, Out};

/// A `frontend_ip_configuration` block of a load balancer or an App Gateway as Azure's
/// `properties`: its private address and allocation, subnet and public IP.
pub(crate) fn frontend_ip(b: &Json) -> Map<String, Json> {
    let mut m = Map::new();
    copy(&mut m, "privateIPAddress", b, &["private_ip_address"]);
    copy(
        &mut m,
        "privateIPAllocationMethod",
        b,
        &["private_ip_address_allocation"],
    );
    put(&mut m, "subnet", sub_ref(b, &["subnet_id"]));
    put(
        &mut m,
        "publicIPAddress",
        sub_ref(b, &["public_ip_address_id"]),
    );
    m
}

/// `azurerm_lb`: SKU and frontend IP configurations.
pub(crate) fn load_balancer(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let frontends: Vec<Json> = blocks(v, "frontend_ip_configuration")
        .into_iter()
        .filter_map(|b| {
            let m = frontend_ip(b);
            Some(child(
                &c.ident.id,
                "frontendIPConfigurations",
                get(b, "name")?,
                m,
            ))
        })
        .collect();
    let mut p = Map::new();
    p.insert("frontendIPConfigurations".into(), Json::Array(frontends));
    p.insert("loadBalancingRules".into(), json!([]));
    let mut r = c.envelope(p);
    let mut sku = Map::new();
    sku.insert(
        "name".into(),
        get(v, "sku").cloned().unwrap_or(json!("Standard")),
    );
    copy(&mut sku, "tier", v, &["sku_tier"]);
    r.insert("sku".into(), Json::Object(sku));
    vec![Out::Resource(Json::Object(r))]
}

/// `azurerm_lb_rule`: one of the load balancer's `loadBalancingRules`.
pub(crate) fn rule(c: &Ctx) -> Vec<Out> {
    let v = c.v;
    let Some((lb, _)) = c.ident.id.rsplit_once("/loadBalancingRules/") else {
        return Vec::new();
    };
    let mut p = Map::new();
    if let Some(f) = get(v, "frontend_ip_configuration_name").and_then(Json::as_str) {
        p.insert(
            "frontendIPConfiguration".into(),
            json!({ "id": format!("{lb}/frontendIPConfigurations/{f}") }),
        );
    }
    copy(&mut p, "protocol", v, &["protocol"]);
    copy(&mut p, "frontendPort", v, &["frontend_port"]);
    copy(&mut p, "backendPort", v, &["backend_port"]);
    copy(
        &mut p,
        "enableFloatingIP",
        v,
        &["floating_ip_enabled", "enable_floating_ip"],
    );
    let value = json!({ "name": c.ident.name, "id": c.ident.id, "properties": p });
    vec![Out::Fold(Fold::Push {
        target: lb.to_string(),
        key: "loadBalancingRules",
        value,
    })]
}
