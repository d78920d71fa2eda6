//! Folding: associations, classic rule collections and azapi updates applied to the resources
//! they change, and peering states from both sides.

use serde_json::{json, Value as Json};

use super::ids::type_of_id;
use super::val::{merge, same_id};

/// A change to another resource, found by its id.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Fold {
    /// Sets `properties.{key}` of the target.
    Set {
        /// The target's id.
        target: String,
        /// The property.
        key: &'static str,
        /// Its value.
        value: Json,
    },
    /// Appends to the array `properties.{key}` of the target.
    Push {
        /// The target's id.
        target: String,
        /// The property.
        key: &'static str,
        /// The element.
        value: Json,
    },
    /// Appends to `properties.applicationSecurityGroups` of each of the target's
    /// `ipConfigurations` (a NIC's application security group association).
    EachIpConfiguration {
        /// The network interface's id.
        target: String,
        /// The element.
        value: Json,
    },
    /// Deep-merges `body` into the target (azapi_update_resource).
    Merge {
        /// The target's id.
        target: String,
        /// The patch.
        body: Json,
    },
}

impl Fold {
    /// The id of the resource it changes.
    pub(crate) fn target(&self) -> &str {
        match self {
            Fold::Set { target, .. }
            | Fold::Push { target, .. }
            | Fold::EachIpConfiguration { target, .. }
            | Fold::Merge { target, .. } => target,
        }
    }
}

/// The resource (or an inline child of one) with id `id` among `resources`.
pub(crate) fn find_mut<'a>(resources: &'a mut [Json], id: &str) -> Option<&'a mut Json> {
    let id_of = |r: &Json| r.get("id").and_then(Json::as_str).map(str::to_string);
    if let Some(i) = resources
        .iter()
        .position(|r| id_of(r).is_some_and(|x| same_id(&x, id)))
    {
        return resources.get_mut(i);
    }
    // An inline child: `{parent}/{collection}/{name}` inside the parent's properties.
    let trimmed = id.trim_end_matches('/');
    let (rest, name) = trimmed.rsplit_once('/')?;
    let (parent, collection) = rest.rsplit_once('/')?;
    type_of_id(parent)?;
    let p = resources
        .iter_mut()
        .find(|r| id_of(r).is_some_and(|x| same_id(&x, parent)))?;
    let list = p
        .get_mut("properties")?
        .as_object_mut()?
        .iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case(collection))
        .map(|(_, v)| v)?
        .as_array_mut()?;
    list.iter_mut().find(|c| {
        c.get("name")
            .and_then(Json::as_str)
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

/// Applies `fold`; false when its target is not among `resources`.
pub(crate) fn apply(resources: &mut [Json], fold: &Fold) -> bool {
    let Some(t) = find_mut(resources, fold.target()) else {
        return false;
    };
    let Some(obj) = t.as_object_mut() else {
        return false;
    };
    if let Fold::Merge { body, .. } = fold {
        merge(t, body);
        return true;
    }
    let props = obj
        .entry("properties")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    let Some(props) = props else {
        return false;
    };
    match fold {
        Fold::Set { key, value, .. } => {
            props.insert(key.to_string(), value.clone());
        }
        Fold::Push { key, value, .. } => {
            let list = props.entry(key.to_string()).or_insert_with(|| json!([]));
            match list.as_array_mut() {
                Some(a) => a.push(value.clone()),
                None => *list = json!([value]),
            }
        }
        Fold::EachIpConfiguration { value, .. } => {
            if let Some(Json::Array(cfgs)) = props.get_mut("ipConfigurations") {
                for c in cfgs {
                    let Some(cp) = c
                        .as_object_mut()
                        .map(|o| o.entry("properties").or_insert_with(|| json!({})))
                        .and_then(Json::as_object_mut)
                    else {
                        continue;
                    };
                    let list = cp
                        .entry("applicationSecurityGroups")
                        .or_insert_with(|| json!([]));
                    if let Some(a) = list.as_array_mut() {
                        a.push(value.clone());
                    }
                }
            }
        }
        Fold::Merge { .. } => {}
    }
    true
}

/// Sets each peering's `peeringState`, unless stated: `Connected` when the remote network peers
/// back with this one in the same input, else `Initiated` (Terraform connects a peering once
/// both sides are applied).
pub(crate) fn peering_states(resources: &mut [Json]) {
    const PEERINGS: &str = "Microsoft.Network/virtualNetworks/virtualNetworkPeerings";
    let remote_of = |p: &Json| {
        p.pointer("/properties/remoteVirtualNetwork/id")
            .and_then(Json::as_str)
            .map(str::to_string)
    };
    // (local vnet id, remote vnet id) for every peering, separate or inline.
    let mut pairs: Vec<(String, String)> = Vec::new();
    for r in resources.iter() {
        let ty = r.get("type").and_then(Json::as_str).unwrap_or_default();
        let id = r.get("id").and_then(Json::as_str).unwrap_or_default();
        if ty.eq_ignore_ascii_case(PEERINGS) {
            if let (Some((vnet, _)), Some(remote)) = (parent_of(id), remote_of(r)) {
                pairs.push((vnet.to_string(), remote));
            }
        } else if ty.eq_ignore_ascii_case("Microsoft.Network/virtualNetworks") {
            for p in inline_peerings(r) {
                if let Some(remote) = remote_of(p) {
                    pairs.push((id.to_string(), remote));
                }
            }
        }
    }
    let connected = |local: &str, remote: &str| {
        pairs
            .iter()
            .any(|(l, r)| same_id(l, remote) && same_id(r, local))
    };
    let state = |local: &str, p: &Json| -> Option<Json> {
        if p.pointer("/properties/peeringState").is_some() {
            return None;
        }
        let remote = remote_of(p)?;
        Some(json!(if connected(local, &remote) {
            "Connected"
        } else {
            "Initiated"
        }))
    };
    for r in resources.iter_mut() {
        let ty = r
            .get("type")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        let id = r
            .get("id")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string();
        if ty.eq_ignore_ascii_case(PEERINGS) {
            let Some((vnet, _)) = parent_of(&id) else {
                continue;
            };
            if let Some(s) = state(vnet, r) {
                if let Some(p) = r.get_mut("properties").and_then(Json::as_object_mut) {
                    p.insert("peeringState".into(), s);
                }
            }
        } else if ty.eq_ignore_ascii_case("Microsoft.Network/virtualNetworks") {
            let Some(Json::Array(list)) = r
                .get_mut("properties")
                .and_then(|p| p.get_mut("virtualNetworkPeerings"))
            else {
                continue;
            };
            for p in list {
                if let Some(s) = state(&id, p) {
                    if let Some(pp) = p.get_mut("properties").and_then(Json::as_object_mut) {
                        pp.insert("peeringState".into(), s);
                    }
                }
            }
        }
    }
}

fn inline_peerings(vnet: &Json) -> Vec<&Json> {
    vnet.pointer("/properties/virtualNetworkPeerings")
        .and_then(Json::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// `(parent id, child name)` of a child id.
fn parent_of(id: &str) -> Option<(&str, &str)> {
    let (rest, name) = id.trim_end_matches('/').rsplit_once('/')?;
    let (parent, _) = rest.rsplit_once('/')?;
    Some((parent, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_inline_children() {
        let mut rs = vec![
            json!({"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/v",
            "properties": {"subnets": [{"name": "a", "properties": {}}]}}),
        ];
        let f = Fold::Set {
            target: "/subscriptions/s/resourceGroups/r/providers/Microsoft.Network/virtualNetworks/V/subnets/A".into(),
            key: "routeTable",
            value: json!({"id": "x"}),
        };
        assert!(apply(&mut rs, &f));
        assert_eq!(
            rs[0]["properties"]["subnets"][0]["properties"]["routeTable"]["id"],
            "x"
        );
    }
}
