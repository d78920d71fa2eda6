//! The evaluation environment of one template: parameters and variables evaluated on first
//! use, the copy loops being expanded, and the resources deployed so far (for `reference`).

use std::cell::RefCell;
use std::collections::HashMap;

use serde_json::{Map, Value as Json};

use super::note::Notes;
use super::walk::{self, from_json};
use super::world::World;
use crate::eval::eval_with;
use crate::expr::Expr;
use crate::value::{get_ci, Context, EvalError, Host, Unknown, UserFunction, Value};

/// A parameter's declaration and what the deployment gave it.
struct Param {
    decl: Map<String, Json>,
    given: Option<Json>,
}

/// A declaration whose type is `{"$ref": "#/definitions/name"}` (language version 2.0 user-
/// defined types) with the definition's `type`, `nullable` and `allowedValues` filled in where
/// the declaration does not say them.
fn resolve_type(
    decl: &Map<String, Json>,
    definitions: Option<&Map<String, Json>>,
) -> Map<String, Json> {
    let mut out = decl.clone();
    let mut seen = 0;
    let mut current = decl.clone();
    while let Some(r) = get_ci(&current, "$ref").and_then(Json::as_str) {
        seen += 1;
        let Some(def) = r
            .strip_prefix("#/definitions/")
            .and_then(|n| definitions.and_then(|d| get_ci(d, n)))
            .and_then(Json::as_object)
        else {
            break;
        };
        for key in ["type", "nullable", "allowedValues"] {
            if get_ci(&out, key).is_none() {
                if let Some(v) = get_ci(def, key) {
                    out.insert(key.to_string(), v.clone());
                }
            }
        }
        current = def.clone();
        if seen > 32 {
            break;
        }
    }
    out
}

/// A resource of this template, by symbolic name (language version 2.0) or name.
#[derive(Clone, Debug)]
pub struct Symbol {
    /// Its id.
    pub id: String,
    /// Its type.
    pub ty: String,
    /// Its name (full, `vnet/subnet` for a child).
    pub name: String,
    /// Its API version.
    pub api_version: Option<String>,
}

/// The environment expressions of one template are evaluated in.
pub struct Env<'a> {
    /// Facts for `resourceGroup()`, `subscription()`, `deployment()`, `resourceId()`.
    pub ctx: Context,
    params: HashMap<String, Param>,
    param_values: RefCell<HashMap<String, Value>>,
    vars: Option<&'a Map<String, Json>>,
    var_values: RefCell<HashMap<String, Value>>,
    busy: RefCell<Vec<String>>,
    loops: RefCell<Vec<(String, i64, bool)>>,
    /// Resources of this template by symbolic name (and, for language version 1.0, by name).
    pub symbols: RefCell<HashMap<String, Option<Symbol>>>,
    /// The resources deployed so far, in every deployment.
    pub world: &'a RefCell<World>,
    /// What was noted.
    pub notes: RefCell<Notes>,
    /// The template's JSON path (`$` or a nested template's).
    path: RefCell<String>,
    /// User-defined functions by lowercase `(namespace, member)`.
    functions: HashMap<(String, String), UserFunction>,
}

/// A template's `functions`: `[{ namespace, members: { name: { parameters: [{name}], output:
/// { value } } } }]` (Learn, "User-defined functions in ARM templates").
fn functions(template: &Map<String, Json>) -> HashMap<(String, String), UserFunction> {
    let mut out = HashMap::new();
    for ns in get_ci(template, "functions")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let Some(namespace) = get_ci_obj(ns, "namespace").and_then(Json::as_str) else {
            continue;
        };
        let Some(members) = get_ci_obj(ns, "members").and_then(Json::as_object) else {
            continue;
        };
        for (name, m) in members {
            let parameters = get_ci_obj(m, "parameters")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| get_ci_obj(p, "name")?.as_str().map(String::from))
                .collect();
            let output = get_ci_obj(m, "output")
                .and_then(|o| get_ci_obj(o, "value"))
                .cloned()
                .unwrap_or(Json::Null);
            out.insert(
                (namespace.to_ascii_lowercase(), name.to_ascii_lowercase()),
                UserFunction { parameters, output },
            );
        }
    }
    out
}

/// `get_ci` on a value that may not be an object.
fn get_ci_obj<'j>(v: &'j Json, key: &str) -> Option<&'j Json> {
    get_ci(v.as_object()?, key)
}

/// A copy-loop frame: the loop's index while it lives.
pub struct Frame<'e> {
    loops: &'e RefCell<Vec<(String, i64, bool)>>,
}

impl Drop for Frame<'_> {
    fn drop(&mut self) {
        self.loops.borrow_mut().pop();
    }
}

impl<'a> Env<'a> {
    /// An environment for a template with the given parameter values.
    pub fn new(
        template: &'a Map<String, Json>,
        given: Map<String, Json>,
        ctx: Context,
        world: &'a RefCell<World>,
        file: &str,
        path: &str,
    ) -> Self {
        let mut params = HashMap::new();
        let mut given = given;
        let definitions = get_ci(template, "definitions").and_then(Json::as_object);
        if let Some(Json::Object(decls)) = get_ci(template, "parameters") {
            for (name, d) in decls {
                let Json::Object(decl) = d else { continue };
                let decl = resolve_type(decl, definitions);
                let g = given
                    .keys()
                    .find(|k| k.eq_ignore_ascii_case(name))
                    .cloned()
                    .and_then(|k| given.remove(&k));
                params.insert(name.to_ascii_lowercase(), Param { decl, given: g });
            }
        }
        let mut notes = Notes::new(file);
        for name in given.keys() {
            notes.error(
                &format!("{path}.parameters"),
                &format!("the template has no parameter named '{name}'"),
            );
        }
        let vars = match get_ci(template, "variables") {
            Some(Json::Object(v)) => Some(v),
            _ => None,
        };
        Self {
            ctx,
            params,
            param_values: RefCell::default(),
            vars,
            var_values: RefCell::default(),
            busy: RefCell::default(),
            loops: RefCell::default(),
            symbols: RefCell::default(),
            world,
            notes: RefCell::new(notes),
            path: RefCell::new(path.to_string()),
            functions: functions(template),
        }
    }

    /// The JSON path of the template being evaluated.
    pub fn path(&self) -> String {
        self.path.borrow().clone()
    }

    /// The path, to change while an outer-scope nested template is evaluated here.
    pub fn path_mut(&self) -> std::cell::RefMut<'_, String> {
        self.path.borrow_mut()
    }

    /// Evaluates an expression here.
    pub fn eval(&self, e: &Expr) -> Result<Value, EvalError> {
        eval_with(e, &self.ctx, self)
    }

    /// Notes an error at `path`.
    pub fn error(&self, path: &str, message: &str) {
        self.notes.borrow_mut().error(path, message);
    }

    /// Notes a warning at `path`.
    pub fn warning(&self, path: &str, message: &str) {
        self.notes.borrow_mut().warning(path, message);
    }

    /// Counts one loop iteration against the run's bound ([`super::world::MAX_ITERATIONS`]);
    /// false (noted once, at `path`) when it is spent.
    pub fn spend(&self, path: &str) -> bool {
        let mut world = self.world.borrow_mut();
        if world.spend() {
            return true;
        }
        let first = !world.exhausted;
        world.exhausted = true;
        drop(world);
        if first {
            self.error(
                path,
                &format!("the templates expand to more than {} loop iterations; the rest is not deployed", super::world::MAX_ITERATIONS),
            );
        }
        false
    }

    /// Enters iteration `index` of the copy loop `name` until the frame drops.
    pub fn enter_loop(&self, name: &str, index: i64, resource: bool) -> Frame<'_> {
        self.loops
            .borrow_mut()
            .push((name.to_string(), index, resource));
        Frame { loops: &self.loops }
    }

    /// The loop frames active now (to enter again later).
    pub fn frames(&self) -> Vec<(String, i64, bool)> {
        self.loops.borrow().clone()
    }

    /// Evaluates every declared parameter in order, so that a required one without a value, a
    /// value of the wrong type or outside `allowedValues` is reported even if nothing reads it.
    pub fn check_parameters(&self, order: &[String]) {
        for name in order {
            let _ = self.parameter_value(name);
        }
    }

    fn parameter_value(&self, name: &str) -> Option<Result<Value, EvalError>> {
        let key = name.to_ascii_lowercase();
        if let Some(v) = self.param_values.borrow().get(&key) {
            return Some(Ok(v.clone()));
        }
        let p = self.params.get(&key)?;
        let at = format!("{}.parameters.{name}", self.path());
        let ty = get_ci(&p.decl, "type")
            .and_then(Json::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        let secure = ty.starts_with("secure");
        let v = if secure && p.given.is_some() {
            // Secure values given to a deployment are never read: nothing derived from them
            // can reach the estate. (A template's own default is no secret: it is read.)
            Value::Unknown(Unknown {
                expression: format!("parameters('{name}')"),
                reason: "a secure parameter: aksnet never reads its value".into(),
                of: None,
            })
        } else if let Some(g) = p
            .given
            .as_ref()
            .filter(|g| !g.is_null() || get_ci(&p.decl, "defaultValue").is_none())
        {
            // A null passed to a parameter with a default takes the default: Bicep's safe
            // dereference (`x.?y`) passes null for "not set", and the Azure Verified Modules
            // rely on the callee's default then (their deployments would fail otherwise).
            from_json(g.clone())
        } else if let Some(d) = get_ci(&p.decl, "defaultValue") {
            if self.enter(&key) {
                return Some(Err(cycle("parameter", name)));
            }
            let v = from_json(walk::value(self, d, &format!("{at}.defaultValue"), false));
            self.leave();
            // Named after the parameter, so that what depends on it says which one to pass.
            match v {
                Value::Unknown(u) => Value::Unknown(Unknown {
                    expression: format!("parameters('{name}')"),
                    reason: format!(
                        "its default value {} is unknown ({})",
                        u.expression, u.reason
                    ),
                    of: None,
                }),
                known => known,
            }
        } else if get_ci(&p.decl, "nullable").and_then(Json::as_bool) == Some(true) {
            Value::Known(Json::Null)
        } else if secure {
            // A secret the deployment would be given: aksnet needs none.
            Value::Unknown(Unknown {
                expression: format!("parameters('{name}')"),
                reason: "a secure parameter: aksnet never reads its value".into(),
                of: None,
            })
        } else {
            self.error(
                &at,
                &format!(
                    "the required parameter '{name}' ({}) has no value",
                    if ty.is_empty() { "untyped" } else { &ty }
                ),
            );
            Value::Unknown(Unknown {
                expression: format!("parameters('{name}')"),
                reason: "a required parameter without a value".into(),
                of: None,
            })
        };
        if let Value::Known(j) = &v {
            check_parameter(self, &p.decl, &ty, j, name, &at);
        }
        self.param_values.borrow_mut().insert(key, v.clone());
        Some(Ok(v))
    }

    fn enter(&self, key: &str) -> bool {
        let mut busy = self.busy.borrow_mut();
        if busy.iter().any(|b| b == key) {
            return true;
        }
        busy.push(key.to_string());
        false
    }

    fn leave(&self) {
        self.busy.borrow_mut().pop();
    }

    fn variable_value(&self, name: &str) -> Option<Result<Value, EvalError>> {
        let key = format!("var:{}", name.to_ascii_lowercase());
        if let Some(v) = self.var_values.borrow().get(&key) {
            return Some(Ok(v.clone()));
        }
        let vars = self.vars?;
        let at = format!("{}.variables", self.path());
        let v = if name.eq_ignore_ascii_case("copy") {
            None
        } else {
            vars.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(k, d)| (k.clone(), d))
        };
        let result = match v {
            Some((k, d)) => {
                if self.enter(&key) {
                    return Some(Err(cycle("variable", name)));
                }
                let r = walk::value(self, d, &format!("{at}.{k}"), true);
                self.leave();
                from_json(r)
            }
            None => {
                // A variable built by the variables' `copy` array.
                let Some(Json::Array(loops)) = get_ci(vars, "copy") else {
                    return None;
                };
                let (i, item) = loops.iter().enumerate().find(|(_, l)| {
                    l.as_object()
                        .and_then(|o| get_ci(o, "name"))
                        .and_then(Json::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                })?;
                if self.enter(&key) {
                    return Some(Err(cycle("variable", name)));
                }
                let r = walk::property_loop(self, item, &format!("{at}.copy[{i}]"));
                self.leave();
                from_json(r.map_or(Json::Null, |(_, a)| a))
            }
        };
        self.var_values.borrow_mut().insert(key, result.clone());
        Some(Ok(result))
    }

    /// The resource a `reference`/`resourceInfo` target names, if this deployment knows it.
    fn symbol(&self, target: &str) -> Option<Option<Symbol>> {
        self.symbols
            .borrow()
            .get(&target.to_ascii_lowercase())
            .cloned()
    }
}

fn cycle(kind: &'static str, name: &str) -> EvalError {
    EvalError::Access {
        message: format!("the {kind} '{name}' depends on itself"),
        column: 1,
    }
}

/// A given parameter value against its declared type and `allowedValues` (Microsoft Learn,
/// "Parameters in ARM templates": types string, securestring, int, bool, object, secureObject,
/// array; a value outside `allowedValues` fails the deployment).
fn check_parameter(env: &Env, decl: &Map<String, Json>, ty: &str, v: &Json, name: &str, at: &str) {
    let ok = match ty {
        "string" | "securestring" => v.is_string(),
        "int" => v.is_i64(),
        "bool" => v.is_boolean(),
        "object" | "secureobject" => v.is_object(),
        "array" => v.is_array(),
        _ => true,
    };
    if v.is_null() {
        return;
    }
    if !ok {
        env.error(
            at,
            &format!("the parameter '{name}' is declared {ty} but its value is {v}"),
        );
        return;
    }
    if let Some(Json::Array(allowed)) = get_ci(decl, "allowedValues") {
        let fits = |x: &Json| allowed.iter().any(|a| a == x);
        let inside = match v {
            Json::Array(items) if ty == "array" => items.iter().all(fits),
            other => fits(other),
        };
        if !inside {
            env.error(
                at,
                &format!(
                    "the parameter '{name}' is {v}, not one of its allowedValues {}",
                    Json::Array(allowed.clone())
                ),
            );
        }
    }
}

impl Host for Env<'_> {
    fn parameter(&self, name: &str) -> Option<Result<Value, EvalError>> {
        self.parameter_value(name)
    }

    fn user_function(&self, namespace: &str, member: &str) -> Option<UserFunction> {
        self.functions
            .get(&(namespace.to_ascii_lowercase(), member.to_ascii_lowercase()))
            .cloned()
    }

    fn variable(&self, name: &str) -> Option<Result<Value, EvalError>> {
        self.variable_value(name)
    }

    fn copy_index(&self, loop_name: Option<&str>) -> Option<i64> {
        let loops = self.loops.borrow();
        let hit = match loop_name {
            Some(n) => loops
                .iter()
                .rev()
                .find(|(l, _, _)| l.eq_ignore_ascii_case(n)),
            None => loops.iter().rev().find(|(_, _, resource)| *resource),
        };
        hit.map(|(_, i, _)| *i)
    }

    fn reference(&self, target: &str, full: bool) -> Option<Value> {
        let id = if target.starts_with('/') {
            target.to_string()
        } else {
            match self.symbol(target) {
                Some(Some(s)) => s.id,
                Some(None) => {
                    return Some(Value::Unknown(Unknown {
                        expression: format!("reference('{target}')"),
                        reason: "the name is ambiguous in this template".into(),
                        of: None,
                    }))
                }
                None => return None,
            }
        };
        let world = self.world.borrow();
        if world.get(&id).is_none() {
            if let Some(child) = world.embedded(&id) {
                let v = if full {
                    child.clone()
                } else {
                    get_ci(child.as_object()?, "properties")
                        .cloned()
                        .unwrap_or_else(|| Json::Object(Map::new()))
                };
                return Some(from_json(v));
            }
        }
        let Some(r) = world.get(&id) else {
            return Some(Value::Unknown(Unknown {
                expression: format!("reference('{target}')"),
                reason: "not deployed by these templates (an existing resource, or one deployed later): its state is known only to Azure".into(),
                of: None,
            }));
        };
        let v = if full {
            r.value.clone()
        } else {
            get_ci(r.value.as_object()?, "properties")
                .cloned()
                .unwrap_or_else(|| Json::Object(Map::new()))
        };
        Some(from_json(v))
    }

    fn resource_info(&self, symbolic: &str) -> Option<Value> {
        let s = self.symbol(symbolic)??;
        let mut m = Map::new();
        m.insert("id".into(), Json::String(s.id));
        m.insert("name".into(), Json::String(s.name));
        m.insert("type".into(), Json::String(s.ty));
        if let Some(a) = s.api_version {
            m.insert("apiVersion".into(), Json::String(a));
        }
        Some(Value::Known(Json::Object(m)))
    }
}
