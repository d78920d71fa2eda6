//! Deploying one template's resources: declarations expanded (copy loops, conditions, child
//! resources), ids given at their scope, dependencies ordered, bodies evaluated, nested
//! deployments run, outputs evaluated.

use std::cell::RefCell;
use std::collections::HashMap;

use serde_json::{Map, Value as Json};

use super::host::{Env, Symbol};
use super::walk::{self, to_json};
use super::world::{Deployed, Doubt, Origin, World};
use super::{Loader, Scope};
use crate::value::{get_ci, Context, Unknown, Value};

/// The deepest chain of nested deployments followed (hostile input must end).
pub const MAX_NESTING: usize = 32;

/// Keys of a resource declaration that steer the deployment and are not part of the resource.
const CONTROL: &[&str] = &[
    "copy",
    "condition",
    "dependsOn",
    "resources",
    "comments",
    "existing",
    "scope",
    "resourceGroup",
    "subscriptionId",
    "metadata",
    "import",
    "asserts",
];

/// One resource to deploy: a declaration at one iteration of its loops.
struct Inst<'t> {
    decl: &'t Map<String, Json>,
    path: String,
    frames: Vec<(String, i64, bool)>,
    id: String,
    ty: String,
    name: String,
    keys: Vec<String>,
    depends: Vec<String>,
    existing: bool,
    /// What is not known about it before deployment.
    doubt: Option<Doubt>,
    /// For a nested deployment, the scope it deploys to.
    target: Scope,
}

/// What a run of one template needs besides its environment.
pub struct Run<'a> {
    /// Where resources go.
    pub world: &'a RefCell<World>,
    /// Reads linked templates.
    pub loader: &'a dyn Loader,
    /// Nested deployments above this one.
    pub depth: usize,
}

/// The facts functions read, for a deployment named `name` at `scope`.
pub fn context(scope: &Scope, name: Option<&str>) -> Context {
    Context {
        subscription_id: scope.subscription.clone(),
        tenant_id: scope.tenant.clone(),
        resource_group_name: scope.resource_group.clone(),
        resource_group_location: scope.location.clone(),
        deployment_name: name.map(str::to_string),
        subscription_scope: scope.resource_group.is_none() && scope.subscription.is_some(),
        ..Context::default()
    }
}

/// Deploys the resources of `template` (an object) at `scope`, evaluating in `env`, then its
/// outputs; returns the outputs as ARM returns them (`{"name": {"type", "value"}}`).
pub fn resources(
    env: &Env,
    template: &Map<String, Json>,
    scope: &Scope,
    run: &Run,
) -> Map<String, Json> {
    let mut insts = Vec::new();
    match get_ci(template, "resources") {
        Some(Json::Array(rs)) => {
            for (i, r) in rs.iter().enumerate() {
                if let Json::Object(o) = r {
                    declare(
                        env,
                        o,
                        &format!("{}.resources[{i}]", env.path()),
                        None,
                        None,
                        scope,
                        &mut insts,
                    );
                }
            }
        }
        Some(Json::Object(rs)) => {
            for (sym, r) in rs {
                if let Json::Object(o) = r {
                    declare(
                        env,
                        o,
                        &format!("{}.resources.{sym}", env.path()),
                        Some(sym),
                        None,
                        scope,
                        &mut insts,
                    );
                }
            }
        }
        _ => {}
    }
    for i in order(env, &insts) {
        deploy_one(env, &insts[i], run);
    }
    outputs(env, template)
}

/// Expands one declaration (its copy loop, condition and children) into instances.
fn declare<'t>(
    env: &Env,
    o: &'t Map<String, Json>,
    path: &str,
    symbolic: Option<&str>,
    parent: Option<(&str, &str)>,
    scope: &Scope,
    insts: &mut Vec<Inst<'t>>,
) {
    let Some(Json::Object(copy)) = get_ci(o, "copy") else {
        instance(env, o, path, symbolic, None, parent, scope, insts);
        return;
    };
    let name = match get_ci(copy, "name")
        .map(|n| walk::value(env, n, &format!("{path}.copy.name"), false))
    {
        Some(Json::String(n)) => n,
        _ => {
            env.error(&format!("{path}.copy"), "a copy loop needs a name");
            return;
        }
    };
    let Some(count) = walk::count(env, get_ci(copy, "count"), &format!("{path}.copy.count")) else {
        return;
    };
    for i in 0..count {
        if !env.spend(path) {
            break;
        }
        let _frame = env.enter_loop(&name, i, true);
        instance(
            env,
            o,
            path,
            symbolic,
            Some((&name, i)),
            parent,
            scope,
            insts,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn instance<'t>(
    env: &Env,
    o: &'t Map<String, Json>,
    path: &str,
    symbolic: Option<&str>,
    copy: Option<(&str, i64)>,
    parent: Option<(&str, &str)>,
    scope: &Scope,
    insts: &mut Vec<Inst<'t>>,
) {
    let sym_key = symbolic.map(|s| match copy {
        Some((_, i)) => format!("{s}[{i}]"),
        None => s.to_string(),
    });
    let mut doubt = None;
    if let Some(c) = get_ci(o, "condition") {
        match walk::condition(env, c, &format!("{path}.condition")) {
            walk::Condition::Yes => {}
            walk::Condition::No => return,
            walk::Condition::Unknown(u) => doubt = Some(Doubt::Condition(u)),
        }
    }
    let Some(ty) = get_ci(o, "type").and_then(Json::as_str) else {
        if get_ci(o, "import").is_none() {
            env.warning(path, "a resource without a type; skipped");
        }
        return;
    };
    let deployment = ty.eq_ignore_ascii_case("Microsoft.Resources/deployments");
    let name = match get_ci(o, "name").map(|n| walk::value(env, n, &format!("{path}.name"), false))
    {
        Some(Json::String(n)) => n,
        // A nested deployment's name only addresses its outputs: its resources are still
        // deployed, and `deployment().name` inside it is unknown.
        Some(other)
            if walk::as_marker(&other).is_some_and(|u| u.reason.starts_with(walk::FAILED)) =>
        {
            return
        }
        // A resource whose name is unknown is still deployed: the caller decides whether
        // that matters (a role assignment's guid name does not; a subnet's name does). A
        // nested deployment's name only addresses its outputs, which are then unknown, and
        // `deployment().name` inside it is unknown.
        Some(other) if walk::as_marker(&other).is_some() => {
            let u = walk::as_marker(&other).expect("checked");
            if deployment {
                env.warning(
                    &format!("{path}.name"),
                    &format!("the deployment's name is unknown ({}: {}); its resources are deployed, its outputs are unknown", u.expression, u.reason),
                );
            }
            doubt = Some(Doubt::Name(u));
            // One placeholder segment per segment the type needs beyond its parent's.
            let depth = if parent.is_some() && !ty.contains('/') {
                1
            } else {
                ty.split('/').count().saturating_sub(1).max(1)
            };
            vec![format!("unknown-name-{}", insts.len()); depth].join("/")
        }
        Some(other) => {
            env.error(
                &format!("{path}.name"),
                &format!("the resource's name is {other}, not a string; skipped"),
            );
            return;
        }
        None => {
            env.error(path, "a resource without a name; skipped");
            return;
        }
    };
    let (ty, name) = match parent {
        // A child by its short type (`subnets`) or an extension of its parent
        // (`providers/diagnosticSettings`, named `Microsoft.Insights/setting`).
        Some((pt, pn)) if !ty.contains('/') || ty.starts_with("providers/") => {
            (format!("{pt}/{ty}"), format!("{pn}/{name}"))
        }
        _ => (ty.to_string(), name),
    };
    let existing = get_ci(o, "existing").and_then(Json::as_bool) == Some(true);
    let text = |key: &str| -> Option<String> {
        get_ci(o, key).and_then(
            |v| match walk::value(env, v, &format!("{path}.{key}"), false) {
                Json::String(s) => Some(s),
                _ => None,
            },
        )
    };
    let mut target = scope.clone();
    if let Some(sub) = text("subscriptionId") {
        target.subscription = Some(sub);
        target.resource_group = None;
    }
    if let Some(rg) = text("resourceGroup") {
        target.resource_group = Some(rg);
    }
    if deployment {
        if let Some(loc) = text("location") {
            target.location = Some(loc);
        }
    }
    let ext = text("scope");
    let id = match resource_id(&target, &ty, &name, ext.as_deref()) {
        Ok(id) => id,
        Err(e) => {
            env.error(path, &format!("{e}; skipped"));
            return;
        }
    };
    let depends = match get_ci(o, "dependsOn") {
        Some(d) => match walk::value(env, d, &format!("{path}.dependsOn"), false) {
            Json::Array(a) => a
                .into_iter()
                .filter_map(|x| x.as_str().map(str::to_ascii_lowercase))
                .collect(),
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    let mut keys = vec![id.to_ascii_lowercase(), name.to_ascii_lowercase()];
    if let Some(at) = id.to_ascii_lowercase().rfind("/providers/") {
        keys.push(id[at + "/providers/".len()..].to_ascii_lowercase());
    }
    keys.extend(sym_key.iter().map(|s| s.to_ascii_lowercase()));
    keys.extend(symbolic.map(str::to_ascii_lowercase));
    keys.extend(copy.map(|(n, _)| n.to_ascii_lowercase()));
    let symbol = Symbol {
        id: id.clone(),
        ty: ty.clone(),
        name: name.clone(),
        api_version: get_ci(o, "apiVersion")
            .and_then(Json::as_str)
            .map(str::to_string),
    };
    {
        let mut symbols = env.symbols.borrow_mut();
        if let Some(s) = &sym_key {
            symbols.insert(s.to_ascii_lowercase(), Some(symbol.clone()));
        }
        // Language version 1.0 names a resource of the same template by its name.
        for n in [
            name.to_ascii_lowercase(),
            name.rsplit('/').next().unwrap_or("").to_ascii_lowercase(),
        ] {
            let slot = symbols.entry(n).or_insert_with(|| Some(symbol.clone()));
            if slot
                .as_ref()
                .is_some_and(|s| !s.id.eq_ignore_ascii_case(&id))
            {
                *slot = None;
            }
        }
    }
    let frames = env.frames();
    let children = match get_ci(o, "resources") {
        Some(Json::Array(kids)) => Some(kids),
        _ => None,
    };
    insts.push(Inst {
        decl: o,
        path: path.to_string(),
        frames,
        id,
        ty: ty.clone(),
        name: name.clone(),
        keys,
        depends,
        existing,
        doubt,
        target,
    });
    for (j, k) in children.into_iter().flatten().enumerate() {
        if let Json::Object(ko) = k {
            declare(
                env,
                ko,
                &format!("{path}.resources[{j}]"),
                None,
                Some((&ty, &name)),
                scope,
                insts,
            );
        }
    }
}

/// The id of a resource of type `ty` named `name` (`vnet/subnet` for a child) at `scope`, or
/// under `ext` for an extension resource (an id, or a `Type/name` relative to the scope).
pub fn resource_id(
    scope: &Scope,
    ty: &str,
    name: &str,
    ext: Option<&str>,
) -> Result<String, String> {
    // An extension resource written under its parent's type:
    // `Microsoft.Network/virtualNetworks/providers/diagnosticSettings` named
    // `vnet/Microsoft.Insights/setting` is
    // `.../virtualNetworks/vnet/providers/Microsoft.Insights/diagnosticSettings/setting`.
    if let Some(at) = ty.to_ascii_lowercase().find("/providers/") {
        let (base_ty, ext_ty) = (&ty[..at], &ty[at + "/providers/".len()..]);
        let names: Vec<&str> = name.split('/').collect();
        let depth = base_ty.split('/').count().saturating_sub(1);
        let ext_types: Vec<&str> = ext_ty.split('/').collect();
        if names.len() != depth + 1 + ext_types.len() {
            return Err(format!(
                "the type `{ty}` and the name `{name}` have different numbers of segments"
            ));
        }
        let mut id = resource_id(scope, base_ty, &names[..depth].join("/"), ext)?;
        id.push_str("/providers/");
        id.push_str(names[depth]);
        for (t, n) in ext_types.iter().zip(&names[depth + 1..]) {
            id.push('/');
            id.push_str(t);
            id.push('/');
            id.push_str(n);
        }
        return Ok(id);
    }
    let mut segs = ty.split('/');
    let ns = segs.next().unwrap_or("");
    let types: Vec<&str> = segs.collect();
    let names: Vec<&str> = name.split('/').collect();
    if ns.is_empty() || types.is_empty() || types.len() != names.len() {
        return Err(format!(
            "the type `{ty}` and the name `{name}` have different numbers of segments"
        ));
    }
    if ty.eq_ignore_ascii_case("Microsoft.Resources/resourceGroups") {
        if let Some(sub) = &scope.subscription {
            return Ok(format!("/subscriptions/{sub}/resourceGroups/{name}"));
        }
    }
    let base = match ext {
        Some(e) if e.starts_with('/') => e.trim_end_matches('/').to_string(),
        Some(e) => format!("{}/providers/{}", scope.prefix(), e.trim_matches('/')),
        None => scope.prefix(),
    };
    let mut id = format!("{base}/providers/{ns}");
    for (t, n) in types.iter().zip(&names) {
        id.push('/');
        id.push_str(t);
        id.push('/');
        id.push_str(n);
    }
    Ok(id)
}

/// The order to deploy in: dependencies first, otherwise as declared.
fn order(env: &Env, insts: &[Inst]) -> Vec<usize> {
    let mut by_key: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, inst) in insts.iter().enumerate() {
        for k in &inst.keys {
            by_key.entry(k.as_str()).or_default().push(i);
        }
    }
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Busy,
        Done,
    }
    let mut state = vec![State::New; insts.len()];
    let mut out = Vec::with_capacity(insts.len());
    let mut stack: Vec<(usize, usize)> = Vec::new();
    for root in 0..insts.len() {
        if state[root] != State::New {
            continue;
        }
        stack.push((root, 0));
        state[root] = State::Busy;
        while let Some((i, next)) = stack.pop() {
            let deps: Vec<usize> = insts[i]
                .depends
                .iter()
                .flat_map(|d| by_key.get(d.as_str()).into_iter().flatten().copied())
                .filter(|&j| j != i)
                .collect();
            if let Some(&j) = deps.get(next) {
                stack.push((i, next + 1));
                match state[j] {
                    State::New => {
                        state[j] = State::Busy;
                        stack.push((j, 0));
                    }
                    State::Busy => env.warning(
                        &insts[i].path,
                        &format!(
                            "dependsOn forms a cycle through {}; the order is as declared",
                            insts[j].id
                        ),
                    ),
                    State::Done => {}
                }
            } else {
                state[i] = State::Done;
                out.push(i);
            }
        }
    }
    out
}

fn deploy_one(env: &Env, inst: &Inst, run: &Run) {
    let _frames: Vec<_> = inst
        .frames
        .iter()
        .map(|(n, i, r)| env.enter_loop(n, *i, *r))
        .collect();
    if inst.existing {
        return;
    }
    let origin = Origin {
        file: env.notes.borrow().file.clone(),
        path: inst.path.clone(),
        copies: inst
            .frames
            .iter()
            .filter(|f| f.2)
            .map(|(n, i, _)| (n.clone(), *i))
            .collect(),
    };
    let mut body = Map::new();
    if let Some(Doubt::Condition(u)) = &inst.doubt {
        // Whether it exists is unknown: nothing of it is evaluated, and a nested deployment's
        // resources are not deployed.
        if inst
            .ty
            .eq_ignore_ascii_case("Microsoft.Resources/deployments")
        {
            env.error(
                &format!("{}.condition", inst.path),
                &format!("whether deployment '{}' runs is unknown ({}: {}); its resources are not imported", inst.name, u.expression, u.reason),
            );
        }
    } else if inst
        .ty
        .eq_ignore_ascii_case("Microsoft.Resources/deployments")
    {
        let outputs = super::nested::deployment(
            env,
            inst.decl,
            &inst.path,
            (!matches!(inst.doubt, Some(Doubt::Name(_)))).then_some(inst.name.as_str()),
            &inst.target,
            run,
        );
        let mut props = Map::new();
        props.insert("outputs".into(), Json::Object(outputs));
        body.insert("properties".into(), Json::Object(props));
    } else {
        for (k, v) in inst.decl {
            if CONTROL.iter().any(|c| c.eq_ignore_ascii_case(k)) {
                continue;
            }
            body.insert(
                k.clone(),
                walk::value(env, v, &format!("{}.{k}", inst.path), true),
            );
        }
    }
    let short = inst.name.rsplit('/').next().unwrap_or("").to_string();
    body.insert("id".into(), Json::String(inst.id.clone()));
    body.insert("name".into(), Json::String(short));
    body.insert("type".into(), Json::String(inst.ty.clone()));
    run.world.borrow_mut().put(Deployed {
        id: inst.id.clone(),
        value: Json::Object(body),
        origin,
        doubt: inst.doubt.clone(),
    });
}

/// A template's outputs, each `{"type", "value"}` (an output's `copy` builds an array).
fn outputs(env: &Env, template: &Map<String, Json>) -> Map<String, Json> {
    let mut out = Map::new();
    let Some(Json::Object(decls)) = get_ci(template, "outputs") else {
        return out;
    };
    for (name, d) in decls {
        let Json::Object(d) = d else { continue };
        let at = format!("{}.outputs.{name}", env.path());
        // An output whose condition is false, or unknown, is not there to read.
        if let Some(c) = get_ci(d, "condition") {
            if !matches!(
                walk::condition(env, c, &format!("{at}.condition")),
                walk::Condition::Yes
            ) {
                continue;
            }
        }
        let value = if let Some(Json::Object(copy)) = get_ci(d, "copy") {
            match walk::count(env, get_ci(copy, "count"), &format!("{at}.copy.count")) {
                Some(n) => Json::Array(
                    (0..n)
                        .map(|i| {
                            let _f = env.enter_loop("", i, true);
                            get_ci(copy, "input").map_or(Json::Null, |x| {
                                walk::value(env, x, &format!("{at}.copy.input"), true)
                            })
                        })
                        .collect(),
                ),
                None => to_json(Value::Unknown(Unknown {
                    expression: format!("outputs.{name}"),
                    reason: "its copy count is unknown".into(),
                    of: None,
                })),
            }
        } else {
            get_ci(d, "value").map_or(Json::Null, |v| {
                walk::value(env, v, &format!("{at}.value"), true)
            })
        };
        let mut o = Map::new();
        if let Some(t) = get_ci(d, "type") {
            o.insert("type".into(), t.clone());
        }
        o.insert("value".into(), value);
        out.insert(name.clone(), Json::Object(o));
    }
    out
}
