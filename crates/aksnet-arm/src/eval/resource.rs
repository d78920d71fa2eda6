//! Resource, scope and deployment functions (`resourceId` and its family, `resourceGroup`,
//! `subscription`, `tenant`, `managementGroup`, `deployment`, `environment`, `parameters`,
//! `variables`, `copyIndex`, `reference`, `resourceInfo`, `list*`, `pickZones`): Microsoft
//! Learn template-functions-resource, -scope and -deployment. What only the template knows is asked of the [`crate::Host`].

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
        "resourcegroup" | "subscription" | "tenant" => scope_object,
        "deployment" => deployment,
        "managementgroup" => management_group,
        "environment" => environment,
        "pickzones" => pick_zones,
        "resourceid" | "subscriptionresourceid" | "tenantresourceid" | "extensionresourceid" => {
            resource_id
        }
        _ => return None,
    })
}

/// `resourceGroup().name` etc.: a single deployment fact, known or with the reason it is not.
pub(super) fn fact(c: &Context, target: &Expr, prop: &str) -> Option<Result<Value, String>> {
    fact_of(c, &scope_call(target)?, prop)
}

/// The lowercase name of `e` if it is a call without arguments (`resourceGroup()`...).
fn scope_call(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Call { name, args } if args.is_empty() => Some(name.to_ascii_lowercase()),
        _ => None,
    }
}

/// Whether `e` is a scope object built from the facts provided (`resourceGroup()`,
/// `subscription()`, `tenant()`): the properties it lacks (tags, display names) are not
/// among the facts, so reading them is unknown rather than an error.
pub(super) fn partial_object(e: &Expr) -> bool {
    scope_call(e).is_some_and(|n| matches!(n.as_str(), "resourcegroup" | "subscription" | "tenant"))
}

/// Property `prop` of the scope function `lname` (lowercase), if it is a single fact.
fn fact_of(c: &Context, lname: &str, prop: &str) -> Option<Result<Value, String>> {
    let p = prop.to_ascii_lowercase();
    let s = |o: &Option<String>, what: &str| -> Result<Value, String> {
        o.clone()
            .map(|v| Value::Known(Json::String(v)))
            .ok_or_else(|| format!("the {what} was not provided"))
    };
    let r = match (lname, p.as_str()) {
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
        // A subscription (or wider) deployment's own location, which the caller gives as the
        // scope's location.
        ("deployment", "location") => s(&c.resource_group_location, "deployment location"),
        ("tenant", "tenantid") => s(&c.tenant_id, "tenant id"),
        ("tenant", "id") => c
            .tenant_id
            .as_ref()
            .map(|t| Value::Known(Json::String(format!("/tenants/{t}"))))
            .ok_or_else(|| "the tenant id was not provided".to_string()),
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
        Some(i) => i
            .checked_add(offset)
            .map(|n| Value::Known(json!(n)))
            .ok_or_else(|| {
                c.bad_value(v.len() - 1, "an offset within 64 bits", offset.to_string())
            }),
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

/// `resourceGroup()`, `subscription()`, `tenant()`: the documented object, from the facts
/// provided (unknown if one is missing); what no fact gives (tags, display names) is left out.
fn scope_object(ev: &Ev, c: &Call, _: &[Json]) -> Result<Value, EvalError> {
    c.arity(0, 0)?;
    let (props, mut out): (&[&str], Json) = match c.lname {
        "resourcegroup" => (
            &["id", "name", "location"],
            json!({
                "type": "Microsoft.Resources/resourceGroups",
                "properties": {"provisioningState": "Succeeded"}
            }),
        ),
        "subscription" => (&["id", "subscriptionId", "tenantId"], json!({})),
        _ => (&["id", "tenantId"], json!({})),
    };
    for p in props {
        match fact_of(ev.ctx, c.lname, p) {
            Some(Ok(Value::Known(j))) => out[*p] = j,
            Some(Err(reason)) => return Ok(unknown(c.call, &reason)),
            _ => return Ok(unknown(c.call, "not among the deployment facts provided")),
        }
    }
    k(out)
}

fn deployment(_: &Ev, c: &Call, _: &[Json]) -> Result<Value, EvalError> {
    c.arity(0, 0)?;
    Ok(unknown(
        c.call,
        "the whole deployment object (template, parameters, links) is not modelled; read deployment().name",
    ))
}

fn management_group(_: &Ev, c: &Call, _: &[Json]) -> Result<Value, EvalError> {
    c.arity(0, 1)?;
    Ok(unknown(
        c.call,
        "the management group is not among the deployment facts provided",
    ))
}

fn pick_zones(_: &Ev, c: &Call, _: &[Json]) -> Result<Value, EvalError> {
    c.arity(3, 5)?;
    Ok(unknown(
        c.call,
        "depends on the region's zones, known only to Azure",
    ))
}

/// `environment()` in Azure's global cloud, as Microsoft Learn's template-functions-deployment
/// shows it.
fn environment(_: &Ev, c: &Call, _: &[Json]) -> Result<Value, EvalError> {
    c.arity(0, 0)?;
    k(json!({
        "name": "AzureCloud",
        "gallery": "https://gallery.azure.com/",
        "graph": "https://graph.windows.net/",
        "portal": "https://portal.azure.com",
        "graphAudience": "https://graph.windows.net/",
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "batch": "https://batch.core.windows.net/",
        "media": "https://rest.media.azure.net",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "vmImageAliasDoc": "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json",
        "resourceManager": "https://management.azure.com/",
        "authentication": {
            "loginEndpoint": "https://login.microsoftonline.com/",
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD"
        },
        "suffixes": {
            "acrLoginServer": ".azurecr.io",
            "azureDatalakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "azureDatalakeStoreFileSystem": "azuredatalakestore.net",
            "azureFrontDoorEndpointSuffix": "azurefd.net",
            "keyvaultDns": ".vault.azure.net",
            "sqlServerHostname": ".database.windows.net",
            "storage": "core.windows.net"
        }
    }))
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
    // ARM accepts a trailing slash after the type (`Microsoft.Network/virtualNetworks/`).
    let rtype = strs[ti].trim_end_matches('/');
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
    use super::super::tests::{ctx, ev, unk};
    use crate::eval::eval_template_string;
    use crate::value::Value;
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

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-deployment#environment
    #[test]
    fn environment_doc_example() {
        let env = ev("[environment()]");
        assert_eq!(env["name"], json!("AzureCloud"));
        assert_eq!(env["gallery"], json!("https://gallery.azure.com/"));
        assert_eq!(env["graph"], json!("https://graph.windows.net/"));
        assert_eq!(env["portal"], json!("https://portal.azure.com"));
        assert_eq!(
            env["resourceManager"],
            json!("https://management.azure.com/")
        );
        assert_eq!(
            env["authentication"]["loginEndpoint"],
            json!("https://login.microsoftonline.com/")
        );
        assert_eq!(
            ev("[environment().suffixes.storage]"),
            json!("core.windows.net")
        );
        assert_eq!(
            ev("[environment().suffixes.keyvaultDns]"),
            json!(".vault.azure.net")
        );
        assert_eq!(
            ev("[environment().suffixes.acrLoginServer]"),
            json!(".azurecr.io")
        );
    }

    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-scope#resourcegroup
    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-scope#subscription
    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-scope#tenant
    #[test]
    fn scope_objects_from_facts() {
        assert_eq!(
            ev("[resourceGroup()]"),
            json!({
                "id": "/subscriptions/sub-1/resourceGroups/rg-1",
                "name": "rg-1",
                "type": "Microsoft.Resources/resourceGroups",
                "location": "westeurope",
                "properties": {"provisioningState": "Succeeded"}
            })
        );
        assert_eq!(
            ev("[subscription()]"),
            json!({"id": "/subscriptions/sub-1", "subscriptionId": "sub-1", "tenantId": "t-1"})
        );
        assert_eq!(
            ev("[tenant()]"),
            json!({"id": "/tenants/t-1", "tenantId": "t-1"})
        );
        assert_eq!(ev("[tenant().tenantId]"), json!("t-1"));
        assert_eq!(ev("[resourceGroup()['name']]"), json!("rg-1"));
        // What no fact gives is unknown, not an error.
        let c = ctx();
        assert!(unk("[resourceGroup().tags]", &c).reason.contains("facts"));
        assert!(unk("[subscription().displayName]", &c)
            .reason
            .contains("facts"));
        let mut c = ctx();
        c.resource_group_location = None;
        assert!(unk("[resourceGroup()]", &c).reason.contains("location"));
        assert_eq!(
            eval_template_string("[resourceGroup().name]", &c).unwrap(),
            Value::Known(json!("rg-1"))
        );
        assert!(unk("[managementGroup()]", &c)
            .reason
            .contains("management group"));
        assert!(unk("[deployment()]", &c).reason.contains("deployment"));
        assert!(unk(
            "[pickZones('Microsoft.Compute', 'virtualMachines', 'westus2')]",
            &c
        )
        .reason
        .contains("zones"));
        assert!(unk("[newGuid()]", &c).reason.contains("every deployment"));
    }

    #[test]
    fn copy_index_offset_overflow_is_an_error() {
        struct Loop;
        impl crate::Host for Loop {
            fn copy_index(&self, _: Option<&str>) -> Option<i64> {
                Some(5)
            }
        }
        let run = |s: &str| crate::eval_with(&crate::parse_expr(s).unwrap(), &ctx(), &Loop);
        assert_eq!(run("copyIndex(1)"), Ok(Value::Known(json!(6))));
        assert!(matches!(
            run("copyIndex('loop', 9223372036854775807)"),
            Err(crate::EvalError::Argument { argument: 2, .. })
        ));
    }
}
