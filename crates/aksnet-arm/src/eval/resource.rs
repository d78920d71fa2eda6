//! Resource, scope and deployment functions (`resourceId` and its family, `resourceGroup`,
//! `subscription`, `deployment`, `parameters`, `variables`, `copyIndex`, `reference`,
//! `resourceInfo`, `list*`): Microsoft Learn template-functions-resource, -scope and
//! -deployment. What only the template knows is asked of the [`crate::Host`].

use serde_json::{json, Value as Json};

use super::{k, unknown, Call, Ev, Fun};
use crate::expr::{Expr, ExprKind};
use crate::value::{get_ci, Context, EvalError, Value};

/// The resource, scope or deployment function named `lname`.
pub(super) fn function(lname: &str) -> Option<Fun> {
    Some(match lname {
        "parameters" | "variables" => parameter_or_variable,
        "copyindex" => copy_index,
        "reference" => reference,
        "resourceinfo" => resource_info,
        l if l.starts_with("list") => list,
        "resourcegroup" | "subscription" | "deployment" => whole_object,
        "resourceid" | "subscriptionresourceid" | "tenantresourceid" | "extensionresourceid" => {
            resource_id
        }
        _ => return None,
    })
}

/// `resourceGroup().name` etc.: a single deployment fact, known or with the reason it is not.
pub(super) fn fact(c: &Context, target: &Expr, prop: &str) -> Option<Result<Value, String>> {
    let ExprKind::Call { name, args } = &target.kind else {
        return None;
    };
    if !args.is_empty() {
        return None;
    }
    let p = prop.to_ascii_lowercase();
    let s = |o: &Option<String>, what: &str| -> Result<Value, String> {
        o.clone()
            .map(|v| Value::Known(Json::String(v)))
            .ok_or_else(|| format!("the {what} was not provided"))
    };
    let r = match (name.to_ascii_lowercase().as_str(), p.as_str()) {
        ("resourcegroup", "name") => s(&c.resource_group_name, "resource group name"),
        ("resourcegroup", "location") => s(&c.resource_group_location, "resource group location"),
        ("resourcegroup", "id") => match (&c.subscription_id, &c.resource_group_name) {
            (Some(sub), Some(rg)) => Ok(Value::Known(Json::String(format!(
                "/subscriptions/{sub}/resourceGroups/{rg}"
            )))),
            _ => Err("the subscription id or resource group name was not provided".into()),
        },
        ("subscription", "subscriptionid") => s(&c.subscription_id, "subscription id"),
        ("subscription", "tenantid") => s(&c.tenant_id, "tenant id"),
        ("subscription", "id") => c
            .subscription_id
            .as_ref()
            .map(|sub| Value::Known(Json::String(format!("/subscriptions/{sub}"))))
            .ok_or_else(|| "the subscription id was not provided".to_string()),
        ("deployment", "name") => s(&c.deployment_name, "deployment name"),
        _ => return None,
    };
    Some(r)
}

fn parameter_or_variable(ev: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    let key = c.str(v, 0)?;
    let hosted = if c.lname == "parameters" {
        ev.host.parameter(key)
    } else {
        ev.host.variable(key)
    };
    if let Some(r) = hosted {
        return r;
    }
    let (map, kind) = if c.lname == "parameters" {
        (&ev.ctx.parameters, "parameter")
    } else {
        (&ev.ctx.variables, "variable")
    };
    get_ci(map, key)
        .cloned()
        .map(Value::Known)
        .ok_or_else(|| EvalError::Undefined {
            kind,
            name: key.to_string(),
            column: c.call.start + 1,
        })
}

fn copy_index(ev: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(0, 2)?;
    let (name, offset) = match v {
        [] => (None, 0),
        [Json::String(n)] => (Some(n.as_str()), 0),
        [o] => (
            None,
            c.int(v, 0).map_err(|_| c.bad(0, "int or loop name", o))?,
        ),
        [_, _] => (Some(c.str(v, 0)?), c.int(v, 1)?),
        _ => unreachable!("arity checked"),
    };
    match ev.host.copy_index(name) {
        Some(i) => k(json!(i + offset)),
        None => Err(EvalError::Access {
            message: match name {
                Some(n) => format!("copyIndex('{n}') outside a copy loop named '{n}'"),
                None => "copyIndex() outside a copy loop".into(),
            },
            column: c.call.start + 1,
        }),
    }
}

fn reference(ev: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 3)?;
    let target = c.str(v, 0)?;
    let full = v
        .get(2)
        .and_then(Json::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("full"));
    Ok(ev.host.reference(target, full).unwrap_or_else(|| {
        unknown(
            c.call,
            "not a resource of this deployment: its state is known only to Azure",
        )
    }))
}

fn resource_info(ev: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(1, 1)?;
    let target = c.str(v, 0)?;
    Ok(ev
        .host
        .resource_info(target)
        .unwrap_or_else(|| unknown(c.call, "not a resource of this deployment")))
}

fn list(_: &Ev, c: &Call, _: &[Json]) -> Result<Value, EvalError> {
    Ok(unknown(
        c.call,
        "list* functions return keys and secrets known only to Azure",
    ))
}

fn whole_object(_: &Ev, c: &Call, _: &[Json]) -> Result<Value, EvalError> {
    c.arity(0, 0)?;
    Ok(unknown(
        c.call,
        "the whole object is not modelled; read one property (name, id, location, subscriptionId, tenantId)",
    ))
}

fn resource_id(ev: &Ev, c: &Call, v: &[Json]) -> Result<Value, EvalError> {
    c.arity(2, usize::MAX)?;
    let mut strs = Vec::with_capacity(v.len());
    for i in 0..v.len() {
        strs.push(c.str(v, i)?);
    }
    let (prefix_args, ti) = if c.lname == "extensionresourceid" {
        (0, 1)
    } else {
        // The resource type is the first argument containing '/'.
        let ti = strs.iter().position(|s| s.contains('/')).ok_or_else(|| {
            c.bad_value(
                0,
                "a resource type such as 'Microsoft.Network/virtualNetworks'",
                "no argument with '/'".into(),
            )
        })?;
        (ti, ti)
    };
    let max_prefix = match c.lname {
        "resourceid" => 2,
        "subscriptionresourceid" => 1,
        _ => 0,
    };
    if c.lname != "extensionresourceid" && prefix_args > max_prefix {
        return Err(c.bad_value(
            ti,
            "the resource type at an earlier argument",
            strs[ti].to_string(),
        ));
    }
    let rtype = strs[ti];
    let names = &strs[ti + 1..];
    let segs: Vec<&str> = rtype.split('/').collect();
    if segs.len() < 2 || names.len() != segs.len() - 1 {
        return Err(EvalError::Arity {
            function: c.name.into(),
            expected: format!(
                "{} resource name(s) for type '{rtype}'",
                segs.len().saturating_sub(1)
            ),
            found: names.len(),
            column: c.call.start + 1,
        });
    }
    let mut tail = format!("providers/{}", segs[0]);
    for (seg, name) in segs[1..].iter().zip(names) {
        tail.push_str(&format!("/{seg}/{name}"));
    }
    let need = |o: &Option<String>, what: &str| -> Result<String, Value> {
        o.clone()
            .ok_or_else(|| unknown(c.call, &format!("the {what} was not provided")))
    };
    let id = match c.lname {
        "tenantresourceid" => format!("/{tail}"),
        "extensionresourceid" => format!("{}/{tail}", strs[0].trim_end_matches('/')),
        "subscriptionresourceid" => {
            let sub = if prefix_args == 1 {
                strs[0].to_string()
            } else {
                match need(&ev.ctx.subscription_id, "subscription id") {
                    Ok(s) => s,
                    Err(u) => return Ok(u),
                }
            };
            format!("/subscriptions/{sub}/{tail}")
        }
        _ => {
            let (sub, rg) = match prefix_args {
                2 => (Ok(strs[0].to_string()), Ok(strs[1].to_string())),
                1 => (
                    need(&ev.ctx.subscription_id, "subscription id"),
                    Ok(strs[0].to_string()),
                ),
                _ if ev.ctx.resource_group_name.is_none() && ev.ctx.subscription_scope => {
                    // At subscription scope, resourceId names a subscription-level resource.
                    return match need(&ev.ctx.subscription_id, "subscription id") {
                        Ok(sub) => k(Json::String(format!("/subscriptions/{sub}/{tail}"))),
                        Err(u) => Ok(u),
                    };
                }
                _ => (
                    need(&ev.ctx.subscription_id, "subscription id"),
                    need(&ev.ctx.resource_group_name, "resource group name"),
                ),
            };
            let sub = match sub {
                Ok(s) => s,
                Err(u) => return Ok(u),
            };
            let rg = match rg {
                Ok(s) => s,
                Err(u) => return Ok(u),
            };
            format!("/subscriptions/{sub}/resourceGroups/{rg}/{tail}")
        }
    };
    k(Json::String(id))
}

#[cfg(test)]
mod tests {
    use super::super::tests::ev;
    use serde_json::json;

    #[test]
    fn deployment_facts_and_resource_ids() {
        assert_eq!(ev("[resourceGroup().location]"), json!("westeurope"));
        assert_eq!(
            ev("[resourceGroup().id]"),
            json!("/subscriptions/sub-1/resourceGroups/rg-1")
        );
        assert_eq!(ev("[subscription().subscriptionId]"), json!("sub-1"));
        assert_eq!(ev("[deployment().name]"), json!("dep"));
        // template-functions-resource
        assert_eq!(
            ev("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'myvnet', 'mysubnet')]"),
            json!("/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Network/virtualNetworks/myvnet/subnets/mysubnet")
        );
        assert_eq!(
            ev("[resourceId('otherResourceGroup', 'Microsoft.Storage/storageAccounts', 'examplestorage')]"),
            json!("/subscriptions/sub-1/resourceGroups/otherResourceGroup/providers/Microsoft.Storage/storageAccounts/examplestorage")
        );
        assert_eq!(
            ev("[resourceId('s2', 'otherResourceGroup', 'Microsoft.Storage/storageAccounts', 'examplestorage')]"),
            json!("/subscriptions/s2/resourceGroups/otherResourceGroup/providers/Microsoft.Storage/storageAccounts/examplestorage")
        );
        assert_eq!(
            ev("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')]"),
            json!("/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7")
        );
        assert_eq!(
            ev("[tenantResourceId('Microsoft.Authorization/policyDefinitions', 'p1')]"),
            json!("/providers/Microsoft.Authorization/policyDefinitions/p1")
        );
        assert_eq!(
            ev("[extensionResourceId(resourceGroup().id, 'Microsoft.Authorization/locks', 'mylock')]"),
            json!("/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Authorization/locks/mylock")
        );
    }
}
