//! ARM templates, deployed without Azure by [`aksnet_arm::template`]: the resources a
//! deployment would create become raw resources like any other, at the JSON path (and copy
//! iteration) of their declaration; what the template says about itself becomes diagnostics.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use aksnet_arm::template::{self, Deployed, Deployment, Doubt, Loader, Scope, ScopeKind, World};
use serde_json::{Map, Value};

use crate::raw::{get, Diagnostic, Out, RawResource, Templates};

/// Subscription (and tenant) of template resources when `--subscription` (`--tenant`) is not
/// given: ids need one, and the network does not depend on which.
pub const TEMPLATE_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";
/// Resource group of template resources when `--resource-group` is not given.
pub const TEMPLATE_RESOURCE_GROUP: &str = "arm-template";

pub(crate) fn is_template(o: &Map<String, Value>) -> bool {
    let schema = get(o, "$schema")
        .and_then(Value::as_str)
        .is_some_and(|s| s.contains("deploymentTemplate") || s.contains("DeploymentTemplate"));
    schema
        || (get(o, "contentVersion").is_some()
            && matches!(
                get(o, "resources"),
                Some(Value::Array(_) | Value::Object(_))
            ))
}

/// The scope a template deploys to with these flags.
pub(crate) fn scope(t: &Templates, kind: ScopeKind) -> Scope {
    let sub = t
        .subscription
        .clone()
        .unwrap_or_else(|| TEMPLATE_SUBSCRIPTION.to_string());
    let rg = t
        .resource_group
        .clone()
        .unwrap_or_else(|| TEMPLATE_RESOURCE_GROUP.to_string());
    let tenant = Some(
        t.tenant
            .clone()
            .unwrap_or_else(|| TEMPLATE_SUBSCRIPTION.to_string()),
    );
    let scope = match kind {
        ScopeKind::ResourceGroup => Scope {
            subscription: Some(sub),
            resource_group: Some(rg),
            location: t.location.clone(),
            ..Scope::default()
        },
        ScopeKind::Subscription => Scope {
            subscription: Some(sub),
            location: t.location.clone(),
            ..Scope::default()
        },
        ScopeKind::ManagementGroup => Scope {
            management_group: Some(rg),
            location: t.location.clone(),
            ..Scope::default()
        },
        ScopeKind::Tenant => Scope {
            location: t.location.clone(),
            ..Scope::default()
        },
    };
    Scope { tenant, ..scope }
}

/// Reads linked templates from files beside the template.
pub(crate) struct Files;

impl Loader for Files {
    fn load(&self, from: &str, relative: &str) -> Result<(String, Value), String> {
        let base = Path::new(from).parent().unwrap_or(Path::new("."));
        let path: PathBuf = base.join(relative);
        let name = path.display().to_string();
        read_json(&path).map(|j| (name, j))
    }
}

/// Reads a JSON file as ARM does (comments and line breaks in strings allowed).
pub(crate) fn read_json(path: &Path) -> Result<Value, String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > crate::MAX_FILE_BYTES {
        return Err(format!("{size} bytes is more than the limit"));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let bytes = bytes
        .strip_prefix(&[0xef, 0xbb, 0xbf][..])
        .unwrap_or(&bytes);
    match serde_json::from_slice(bytes) {
        Ok(v) => Ok(v),
        Err(e) => match crate::relax::relax(bytes) {
            Some(r) => serde_json::from_slice(&r.bytes).map_err(|e| {
                let (l, c) = r.original_position(bytes, e.line(), e.column());
                format!("invalid JSON at {l}:{c}: {}", crate::raw::json_message(&e))
            }),
            None => Err(format!(
                "invalid JSON at {}:{}: {}",
                e.line(),
                e.column(),
                crate::raw::json_message(&e)
            )),
        },
    }
}

/// The parameter values `--parameters` gives a template, in order (later wins): parameters
/// files and `name=value`.
pub(crate) fn parameters(
    t: &Templates,
    template: &Map<String, Value>,
    diags: &mut Vec<Diagnostic>,
) -> Map<String, Value> {
    let declared = |name: &str| -> Option<String> {
        let ps = get(template, "parameters")?.as_object()?;
        let p = get(ps, name)?.as_object()?;
        get(p, "type")?.as_str().map(str::to_string)
    };
    let mut out = Map::new();
    for arg in &t.parameters {
        let file = arg.strip_prefix('@').unwrap_or(arg);
        if arg.starts_with('@') || (!arg.contains('=') && Path::new(file).is_file()) {
            let read = read_json(Path::new(file))
                .map_err(|e| e.to_string())
                .and_then(|j| template::parameters_file(&j).map_err(|e| e.to_string()));
            match read {
                Ok(ps) => out.extend(ps),
                Err(e) => diags.push(
                    Diagnostic::error(file, "-", &format!("cannot read the parameters: {e}"))
                        .with_hint("a parameters file holds {\"parameters\": {\"name\": {\"value\": ...}}}, as az deployment takes it"),
                ),
            }
            continue;
        }
        let name = arg.split_once('=').map_or("", |(n, _)| n.trim());
        match template::parameter_arg(arg, declared(name).as_deref()) {
            Ok((n, v)) => {
                out.insert(n, v);
            }
            Err(e) => diags.push(
                Diagnostic::error("--parameters", "-", &e.to_string())
                    .with_hint("pass a parameters file, @file, or name=value"),
            ),
        }
    }
    out
}

/// Deploys the template `o` read from `file` and hands its resources on.
pub(crate) fn extract(
    o: Map<String, Value>,
    file: &str,
    path: &str,
    out: &mut Out,
    diags: &mut Vec<Diagnostic>,
) {
    if path != "$" {
        diags.push(Diagnostic::warning(
            file,
            path,
            "a template inside another document; deployed on its own",
        ));
    }
    let t = out.templates().clone();
    let t = &t;
    let name = t.name.clone().unwrap_or_else(|| {
        Path::new(file)
            .file_stem()
            .map_or("deployment".to_string(), |s| {
                s.to_string_lossy().into_owned()
            })
    });
    let given = parameters(t, &o, diags);
    let d = Deployment {
        name,
        file: file.to_string(),
        template: &o,
        scope: scope(t, ScopeKind::of(&o)),
        parameters: given,
    };
    let world = RefCell::new(World::default());
    let outcome = template::deploy(&d, &world, &Files);
    notes(outcome.notes, diags);
    hand_on(world.into_inner(), out, diags);
}

/// What a deployment said about its template, as diagnostics.
pub(crate) fn notes(notes: Vec<template::Note>, diags: &mut Vec<Diagnostic>) {
    for n in notes {
        diags.push(if n.error {
            Diagnostic::error(&n.file, &n.path, &n.message)
        } else {
            Diagnostic::warning(&n.file, &n.path, &n.message)
        });
    }
}

/// Hands the deployed resources on, in the order first deployed. A resource whose name is
/// unknown cannot be identified: one of a modelled type is an error, any other is passed on
/// (and counted as a type aksnet does not model).
pub(crate) fn hand_on(world: World, out: &mut Out, diags: &mut Vec<Diagnostic>) {
    for mut r in world.into_resources() {
        if let Some(doubt) = &r.doubt {
            let ty = r.value.get("type").and_then(Value::as_str).unwrap_or("");
            // A role assignment's name (a guid of its principal, as often as not) decides
            // nothing it grants: it is kept under a name unique to its declaration.
            if let Doubt::Name(_) = doubt {
                if ty.eq_ignore_ascii_case(
                    <aksnet_model::authorization::RoleAssignment as aksnet_model::ResourceType>::TYPE,
                ) {
                    stand_in_name(&mut r);
                    out.push(raw(r));
                    continue;
                }
            }
            if crate::assemble::is_modelled(ty) {
                let (what, at, u) = match doubt {
                    Doubt::Name(u) => ("the name of", "name", u),
                    Doubt::Condition(u) => ("whether the template deploys", "condition", u),
                };
                diags.push(
                    Diagnostic::error(
                        &r.origin.file,
                        &format!("{}.{at}", r.origin.describe()),
                        &format!(
                            "{what} this {ty} is unknown ({}: {}); resource skipped",
                            u.expression, u.reason
                        ),
                    )
                    .with_hint(&format!(
                        "pass the parameters its {at} depends on (-p NAME=VALUE)"
                    )),
                );
                continue;
            }
        }
        out.push(raw(r));
    }
}

/// Names a resource whose name is known only at deployment after what it is — its id's prefix
/// (the scope) and its properties, markers included (`unknown-name-<8 hex digits>`) — in its
/// `name` and its `id`: each iteration of a loop (its own, or an enclosing module's) stays one
/// resource, and the same template gives the same name wherever it lies. Two assignments alike
/// in scope, role and principal are one to Azure too (`RoleAssignmentExists`).
fn stand_in_name(r: &mut Deployed) {
    let Value::Object(o) = &mut r.value else {
        return;
    };
    let id = o.get("id").and_then(Value::as_str).unwrap_or("");
    let scope = id.rfind("unknown-name-").map_or(id, |at| &id[..at]);
    let what = format!(
        "{}|{}",
        scope.to_ascii_lowercase(),
        o.get("properties")
            .map(Value::to_string)
            .unwrap_or_default()
    );
    let token = format!(
        "unknown-name-{}",
        &sha1_smol::Sha1::from(what).digest().to_string()[..8]
    );
    for key in ["name", "id"] {
        if let Some(Value::String(s)) = o.get_mut(key) {
            if let Some(at) = s.rfind("unknown-name-") {
                s.replace_range(at.., &token);
            }
        }
    }
}

/// A deployed resource as a raw resource. Its location and tags are informational: an unknown
/// one is left out (an unknown location is no location) rather than failing the resource.
fn raw(r: Deployed) -> RawResource {
    let Deployed { value, origin, .. } = r;
    let mut value = value;
    if let Value::Object(o) = &mut value {
        // Which API version a template asks for decides no property aksnet reads.
        o.remove("apiVersion");
        if o.get("location")
            .is_some_and(|l| template::as_marker(l).is_some())
        {
            o.remove("location");
        }
        if let Some(Value::Object(tags)) = o.get_mut("tags") {
            tags.retain(|_, v| template::as_marker(v).is_none());
        }
        if o.get("tags")
            .is_some_and(|t| template::as_marker(t).is_some())
        {
            o.remove("tags");
        }
    }
    RawResource {
        value,
        origin: format!("{}: {}", origin.file, origin.describe()),
    }
}
