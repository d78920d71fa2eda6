//! Nested deployments (`Microsoft.Resources/deployments`): an inline template or one linked by
//! a relative path, evaluated in the parent's scope (`outer`, the default) or its own (`inner`).
//!
//! Source: Microsoft Learn, "Using linked and nested templates when deploying Azure resources"
//! (expression evaluation scope: `outer` is the default; with `inner` the nested template has
//! its own parameters and variables) and "Deploy Azure resources to more than one subscription
//! or resource group" (with `outer`, `resourceGroup()` and `subscription()` resolve to the parent
//! template's scope; with `inner`, and for linked templates, to the nested deployment's).

use serde_json::{Map, Value as Json};

use super::deploy::{self, context, Run, MAX_NESTING};
use super::host::Env;
use super::walk::{self, marker};
use crate::value::{get_ci, Unknown};

/// Runs the nested deployment declared by `decl` (named `name`, deploying to `target`) and
/// returns its outputs; unknown when its template cannot be read.
pub fn deployment(
    env: &Env,
    decl: &Map<String, Json>,
    path: &str,
    name: Option<&str>,
    target: &super::Scope,
    run: &Run,
) -> Map<String, Json> {
    let Some(Json::Object(props)) = get_ci(decl, "properties") else {
        env.error(path, "a deployment without properties");
        return Map::new();
    };
    let at = format!("{path}.properties");
    if run.depth >= MAX_NESTING {
        env.error(
            path,
            &format!("deployments nested more than {MAX_NESTING} deep are not followed"),
        );
        return Map::new();
    }
    let inner = get_ci(props, "expressionEvaluationOptions")
        .and_then(|o| get_ci(o.as_object()?, "scope"))
        .and_then(Json::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("inner"));
    // The template: inline, or linked by a path relative to this file.
    let linked;
    let evaluated;
    let (file, tpath, template) = match (get_ci(props, "template"), get_ci(props, "templateLink")) {
        (Some(Json::Object(t)), _) => {
            (env.notes.borrow().file.clone(), format!("{at}.template"), t)
        }
        // A template held in a variable (Bicep's `loadJsonContent` of a template).
        (Some(Json::String(s)), _) => {
            evaluated = walk::string(env, s, &format!("{at}.template"));
            match &evaluated {
                crate::value::Value::Known(Json::Object(t)) => {
                    (env.notes.borrow().file.clone(), format!("{at}.template"), t)
                }
                _ => {
                    env.error(&format!("{at}.template"), "the template expression does not give a template object; the deployment's resources are not imported");
                    return Map::new();
                }
            }
        }
        (_, Some(Json::Object(link))) => {
            let relative = get_ci(link, "relativePath")
                .map(|r| walk::value(env, r, &format!("{at}.templateLink.relativePath"), false));
            let Some(Json::String(rel)) = relative else {
                let what = get_ci(link, "uri")
                    .or_else(|| get_ci(link, "id"))
                    .map_or_else(String::new, |u| format!(" ({u})"));
                env.error(
                    &format!("{at}.templateLink"),
                    &format!("the linked template{what} is not read (only templateLink.relativePath is followed, offline); the resources of deployment '{}' are not imported", name.unwrap_or("(unnamed)")),
                );
                return Map::new();
            };
            let from = env.notes.borrow().file.clone();
            match run.loader.load(&from, &rel) {
                Ok((f, j)) => {
                    linked = j;
                    match &linked {
                        Json::Object(t) => (f, "$".to_string(), t),
                        _ => {
                            env.error(
                                &format!("{at}.templateLink"),
                                &format!("{f} is not a template (not a JSON object)"),
                            );
                            return Map::new();
                        }
                    }
                }
                Err(e) => {
                    env.error(
                        &format!("{at}.templateLink.relativePath"),
                        &format!("cannot read the linked template `{rel}`: {e}"),
                    );
                    return Map::new();
                }
            }
        }
        _ => {
            env.error(&at, "a deployment without a template or templateLink");
            return Map::new();
        }
    };
    let linked_file = tpath == "$";
    // A nested template that declares parameters, passed values for them, runs in its own
    // scope even when `outer` is asked: the Azure Verified Modules deploy such templates
    // (Bicep `loadJsonContent`, scope `Outer`) and they read their own parameters. Microsoft
    // Learn says outer-scope templates cannot declare parameters; which rule ARM applies
    // here is inferred from those modules deploying, not documented.
    let declares = get_ci(template, "parameters")
        .is_some_and(|p| p.as_object().is_some_and(|o| !o.is_empty()));
    let inner = inner || (declares && get_ci(props, "parameters").is_some());
    let child_run = Run {
        world: run.world,
        loader: run.loader,
        depth: run.depth + 1,
    };
    if inner || linked_file {
        let given = parameters(env, props, &at);
        let child = Env::new(
            template,
            given,
            context(target, name),
            run.world,
            &file,
            &tpath,
        );
        child.check_parameters(&declared(template));
        let outputs = deploy::resources(&child, template, target, &child_run);
        let notes = child.notes.into_inner();
        env.notes.borrow_mut().absorb(notes);
        outputs
    } else {
        // Outer scope: the parent's parameters, variables and functions; the resources still
        // go to the nested deployment's scope.
        if get_ci(template, "parameters")
            .is_some_and(|p| p.as_object().is_some_and(|o| !o.is_empty()))
        {
            env.warning(&format!("{tpath}.parameters"), "a nested template evaluated in the outer scope cannot declare parameters; they are not read (set expressionEvaluationOptions.scope to inner)");
        }
        let saved = std::mem::replace(&mut *env.path_mut(), tpath);
        let outputs = deploy::resources(env, template, target, &child_run);
        *env.path_mut() = saved;
        outputs
    }
}

/// The parameters a nested deployment passes: `{"name": {"value": ...}}`, evaluated in the
/// parent; a Key Vault `reference` is a secret, never read.
fn parameters(env: &Env, props: &Map<String, Json>, at: &str) -> Map<String, Json> {
    let mut out = Map::new();
    if let Some(link) = get_ci(props, "parametersLink") {
        env.error(&format!("{at}.parametersLink"), &format!("a linked parameters file ({link}) is not read; the deployment's parameters without defaults are unknown"));
    }
    let Some(Json::Object(ps)) = get_ci(props, "parameters") else {
        return out;
    };
    for (name, p) in ps {
        let here = format!("{at}.parameters.{name}");
        // `{"copy": [{"name": "value", ...}]}` builds the value with a loop (Bicep's module
        // parameter loops), so the object is evaluated before `value` is read.
        let p = match p {
            Json::Object(o) if get_ci(o, "reference").is_some() => {
                out.insert(
                    name.clone(),
                    marker(&Unknown {
                        expression: format!("parameters('{name}')"),
                        reason: "a Key Vault secret reference: aksnet never reads secrets".into(),
                        of: None,
                    }),
                );
                continue;
            }
            other => walk::value(env, other, &here, true),
        };
        if walk::as_marker(&p).is_some() {
            out.insert(name.clone(), p);
            continue;
        }
        let Some(v) = p.as_object().and_then(|o| get_ci(o, "value")).cloned() else {
            env.error(&here, "a parameter passed without `value`");
            continue;
        };
        out.insert(name.clone(), v);
    }
    out
}

/// The declared parameter names of a template, in order.
pub fn declared(template: &Map<String, Json>) -> Vec<String> {
    match get_ci(template, "parameters") {
        Some(Json::Object(p)) => p.keys().cloned().collect(),
        _ => Vec::new(),
    }
}
