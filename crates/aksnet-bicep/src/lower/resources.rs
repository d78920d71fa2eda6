//! Resources and modules as template resources: a resource keeps its body (less `parent`,
//! `scope`, `dependsOn`) with its full name and type; a module becomes a nested deployment
//! (`Microsoft.Resources/deployments`, inner scope) carrying its compiled template. Each gets
//! `condition`, `copy` and the `dependsOn` that Bicep infers from the names it uses.

use std::collections::BTreeSet;

use serde_json::{Map, Value as Json};

use super::expr::{literal, Env};
use super::modules::Source;
use super::{literal_key, Module, Res, Unit};
use crate::syntax::ast::*;

/// Body keys of a resource that steer compilation and are not written as they are.
const CONTROL: &[&str] = &["name", "parent", "scope", "dependsOn"];

impl Unit<'_> {
    /// Every resource and module, by symbolic name.
    pub(crate) fn all_resources(&self) -> Map<String, Json> {
        let mut out = Map::new();
        for (key, r) in &self.resources {
            out.insert(r.sym.clone(), self.resource(key, r));
        }
        for m in self.modules.values() {
            if let Some(j) = self.module(m) {
                out.insert(m.sym.clone(), j);
            }
        }
        out
    }

    /// `copy` and `condition` of a looped or conditional declaration, and the scope of one
    /// of its instances.
    fn loop_and_condition(
        &self,
        sym: &str,
        looped: Option<&For>,
        condition: Option<&Expr>,
        decorators: &[Decorator],
        path: &str,
        o: &mut Map<String, Json>,
    ) -> Env {
        let env = match self.instance_env(looped, None) {
            Ok(e) => e,
            Err(f) => {
                self.fail(&f);
                Env::default()
            }
        };
        if let Some(f) = looped {
            self.record(&format!("{path}.copy"), f.iter.at);
            let mut c = Map::new();
            c.insert("name".into(), literal(sym));
            c.insert(
                "count".into(),
                match self.ex(&f.iter, &Env::default()) {
                    Ok(t) => Json::String(format!("[length({t})]")),
                    Err(e) => self.fail(&e),
                },
            );
            if let Some(d) = decorators.iter().find(|d| d.name == "batchSize") {
                c.insert("mode".into(), Json::String("serial".into()));
                if let Some(n) = d.args.first() {
                    c.insert(
                        "batchSize".into(),
                        self.val(n, &env, &format!("{path}.copy.batchSize")),
                    );
                }
            }
            o.insert("copy".into(), Json::Object(c));
        }
        if let Some(c) = condition {
            let p = format!("{path}.condition");
            self.record(&p, c.at);
            o.insert("condition".into(), self.val(c, &env, &p));
        }
        env
    }

    fn resource(&self, key: &str, r: &Res) -> Json {
        let path = format!("$.resources.{}", r.sym);
        self.record(&path, r.decl.at);
        let mut o = Map::new();
        o.insert("type".into(), Json::String(r.ty.clone()));
        o.insert("apiVersion".into(), Json::String(r.api.clone()));
        if r.decl.existing {
            o.insert("existing".into(), Json::Bool(true));
        }
        let env = self
            .loop_and_condition(
                &r.sym,
                r.looped,
                r.condition,
                &r.decl.decorators,
                &path,
                &mut o,
            )
            .within(key);
        let name_path = format!("{path}.name");
        let simple = r.parent.is_none()
            && matches!(self.prop_at(r.object, "name").map(|e| &e.kind), Some(ExprKind::Str { holes, .. }) if holes.is_empty());
        let name = if simple {
            Ok(self.val(
                self.prop_at(r.object, "name").expect("checked"),
                &env,
                &name_path,
            ))
        } else {
            self.full_name(key, None)
                .map(|t| Json::String(format!("[{t}]")))
        };
        if let Some(n) = self.prop_at(r.object, "name") {
            self.record(&name_path, n.at);
        }
        o.insert("name".into(), name.unwrap_or_else(|f| self.fail(&f)));
        if let Some(s) = r.scope {
            o.extend(self.scope_keys(s, &env, &path));
        }
        for p in r.object.into_iter().flatten() {
            let Prop::Pair { key: k, value, at } = p else {
                continue;
            };
            let Some(k) = literal_key(k) else {
                self.error(*at, "a resource's property names must be literal");
                continue;
            };
            if CONTROL.contains(&k.as_str()) {
                continue;
            }
            let p = format!("{path}.{k}");
            self.record(&p, *at);
            o.insert(k, self.val(value, &env, &p));
        }
        let mut deps = BTreeSet::new();
        if let Some(f) = r.looped {
            self.refs(&f.iter, &env, &mut deps, &mut BTreeSet::new());
        }
        // The resources nested in this body are its children, not its dependencies.
        for p in r.object.into_iter().flatten() {
            if let Prop::Pair { value, .. } = p {
                self.refs(value, &env, &mut deps, &mut BTreeSet::new());
            }
        }
        if let Some(c) = r.condition {
            self.refs(c, &env, &mut deps, &mut BTreeSet::new());
        }
        if let Some((pk, _)) = &r.parent {
            deps.insert(pk.clone());
        }
        o.insert("dependsOn".into(), self.depends(deps, key));
        Json::Object(o)
    }

    /// `dependsOn`: the declarations named, less `me` and resources that are not deployed.
    fn depends(&self, deps: BTreeSet<String>, me: &str) -> Json {
        Json::Array(
            deps.into_iter()
                .filter(|d| d != me)
                .filter(|d| !self.resources.get(d).is_some_and(|r| r.decl.existing))
                .filter(|d| self.resources.contains_key(d) || self.modules.contains_key(d))
                .map(Json::String)
                .collect(),
        )
    }

    pub(crate) fn prop_at<'p>(&self, props: Option<&'p [Prop]>, name: &str) -> Option<&'p Expr> {
        props?.iter().find_map(|p| match p {
            Prop::Pair { key, value, .. } if literal_key(key).as_deref() == Some(name) => {
                Some(value)
            }
            _ => None,
        })
    }

    /// The declarations `e` names, directly or through variables.
    pub(crate) fn refs(
        &self,
        e: &Expr,
        env: &Env,
        out: &mut BTreeSet<String>,
        seen: &mut BTreeSet<String>,
    ) {
        let mut walk = |x: &Expr| self.refs(x, env, out, seen);
        match &e.kind {
            ExprKind::Ident(n) => {
                if self.resources.contains_key(n) || self.modules.contains_key(n) {
                    out.insert(n.clone());
                } else if let Some(k) = self.nested_key(n, env) {
                    out.insert(k);
                } else if let Some((v, _)) = self.vars.get(n) {
                    if seen.insert(n.clone()) {
                        self.refs(v, &Env::default(), out, seen);
                    }
                }
            }
            ExprKind::Child(..) => {
                let mut chain = Vec::new();
                let mut cur = e;
                while let ExprKind::Child(b, c) = &cur.kind {
                    chain.push(c.clone());
                    cur = b;
                }
                if let ExprKind::Ident(n) = &cur.kind {
                    let mut key = self.nested_key(n, env).unwrap_or_else(|| n.clone());
                    out.insert(key.clone());
                    for c in chain.into_iter().rev() {
                        key = format!("{key}::{c}");
                        out.insert(key.clone());
                    }
                } else {
                    self.refs(cur, env, out, seen);
                }
            }
            ExprKind::Str { holes, .. } => holes.iter().for_each(walk),
            ExprKind::Array(items) => items.iter().for_each(|i| match i {
                Item::Value(v) | Item::Spread(v) => walk(v),
            }),
            ExprKind::Object(props) => props.iter().for_each(|p| match p {
                Prop::Pair { key, value, .. } => {
                    walk(key);
                    walk(value)
                }
                Prop::Spread(v) => walk(v),
                Prop::Resource(_) => {}
            }),
            ExprKind::For(f) => {
                walk(&f.iter);
                walk(&f.body)
            }
            ExprKind::If(c, b) => {
                walk(c);
                walk(b)
            }
            ExprKind::Call { args, .. } => args.iter().for_each(walk),
            ExprKind::Member { base, .. } => walk(base),
            ExprKind::Index { base, index, .. } => {
                walk(base);
                walk(index)
            }
            ExprKind::Unary(_, x) | ExprKind::NonNull(x) | ExprKind::Lambda(_, x) => walk(x),
            ExprKind::Binary(_, a, b) => {
                walk(a);
                walk(b)
            }
            ExprKind::Ternary(c, a, b) => {
                walk(c);
                walk(a);
                walk(b)
            }
            ExprKind::Null | ExprKind::Bool(_) | ExprKind::Int(_) => {}
        }
    }

    fn module(&self, m: &Module) -> Option<Json> {
        let path = format!("$.resources.{}", m.sym);
        self.record(&path, m.stmt.at);
        let template_path = format!("{path}.properties.template");
        let template = match self.module_source(m.path, m.path_at) {
            Ok(Source::Compiled(c)) => {
                self.map.borrow_mut().nest(&template_path, &c.map);
                self.problems
                    .borrow_mut()
                    .extend(c.problems.iter().cloned());
                Json::Object(c.template.clone())
            }
            Ok(Source::Json(t)) => {
                self.record(&template_path, m.path_at);
                Json::Object(t)
            }
            Err(why) => {
                self.error(
                    m.path_at,
                    &format!(
                        "module '{}' ({}): {why}; its resources are not imported",
                        m.sym, m.path
                    ),
                );
                return None;
            }
        };
        let mut o = Map::new();
        o.insert(
            "type".into(),
            Json::String("Microsoft.Resources/deployments".into()),
        );
        o.insert("apiVersion".into(), Json::String("2022-09-01".into()));
        let env = self.loop_and_condition(
            &m.sym,
            m.looped,
            m.condition,
            &m.stmt.decorators,
            &path,
            &mut o,
        );
        let name_path = format!("{path}.name");
        if let Some(n) = self.prop_at(m.object, "name") {
            self.record(&name_path, n.at);
        }
        let name = match self.prop_at(m.object, "name") {
            Some(n) => self.val(n, &env, &name_path),
            None => match self.module_name(m, None) {
                Ok(t) => Json::String(format!("[{t}]")),
                Err(f) => self.fail(&f),
            },
        };
        o.insert("name".into(), name);
        if let Some(s) = self.prop_at(m.object, "scope") {
            o.extend(self.scope_keys(s, &env, &path));
        }
        let mut params = Map::new();
        if let Some(ExprKind::Object(ps)) = self.prop_at(m.object, "params").map(|p| &p.kind) {
            for p in ps {
                let Prop::Pair { key, value, at } = p else {
                    continue;
                };
                let Some(k) = literal_key(key) else {
                    self.error(*at, "a module parameter's name must be literal");
                    continue;
                };
                let pp = format!("{path}.properties.parameters.{k}");
                self.record(&pp, *at);
                let mut wrapper = Map::new();
                match &value.kind {
                    ExprKind::For(f) if !matches!(f.body.kind, ExprKind::If(..)) => {
                        let c = self.copy_entry("value", f, &env, &format!("{pp}.copy[0]"));
                        wrapper.insert("copy".into(), Json::Array(vec![c]));
                    }
                    _ => {
                        wrapper.insert(
                            "value".into(),
                            self.val(value, &env, &format!("{pp}.value")),
                        );
                    }
                }
                params.insert(k, Json::Object(wrapper));
            }
        } else if let Some(p) = self.prop_at(m.object, "params") {
            self.error(p.at, "a module's params must be an object literal");
        }
        let mut props = Map::new();
        let mut eval = Map::new();
        eval.insert("scope".into(), Json::String("inner".into()));
        props.insert("expressionEvaluationOptions".into(), Json::Object(eval));
        props.insert("mode".into(), Json::String("Incremental".into()));
        props.insert("parameters".into(), Json::Object(params));
        props.insert("template".into(), template);
        o.insert("properties".into(), Json::Object(props));
        let mut deps = BTreeSet::new();
        let none = Env::default();
        if let Some(f) = m.looped {
            self.refs(&f.iter, &none, &mut deps, &mut BTreeSet::new());
        }
        if let Some(b) = m.object {
            for p in b {
                if let Prop::Pair { value, .. } = p {
                    self.refs(value, &none, &mut deps, &mut BTreeSet::new());
                }
            }
        }
        if let Some(c) = m.condition {
            self.refs(c, &none, &mut deps, &mut BTreeSet::new());
        }
        o.insert("dependsOn".into(), self.depends(deps, &m.sym));
        Some(Json::Object(o))
    }
}
