//! Parameters (types and decorators), variables (with `for` as a variable `copy`),
//! user-defined functions (namespace `__bicep`, as Bicep emits them), outputs, and
//! compile-time imports of exported variables, functions and types from other files.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value as Json};

use super::expr::{q, Env};
use super::{Imported, Unit};
use crate::syntax::ast::*;

/// The ARM type of a Bicep type, the values it allows (a union of literals), and whether it
/// is nullable.
struct ArmType {
    base: &'static str,
    allowed: Option<Vec<Json>>,
    nullable: bool,
}

impl Unit<'_> {
    /// The parameters of the template.
    pub(crate) fn params_json(&self) -> Map<String, Json> {
        let mut params = Map::new();
        for s in self.stmts {
            if let Decl::Param { name, ty, default } = &s.decl {
                let path = format!("$.parameters.{name}");
                self.record(&path, s.at);
                params.insert(
                    name.clone(),
                    self.param(s, ty.as_ref(), default.as_ref(), &path),
                );
            }
        }
        params
    }

    /// The outputs of the template (a `for` as an output `copy`).
    pub(crate) fn outputs_json(&self) -> Map<String, Json> {
        let mut outputs = Map::new();
        for s in self.stmts {
            let Decl::Output { name, ty, value } = &s.decl else {
                continue;
            };
            let path = format!("$.outputs.{name}");
            self.record(&path, s.at);
            let mut o = Map::new();
            o.insert(
                "type".into(),
                Json::String(self.arm_type(ty, 0).base.into()),
            );
            match &value.kind {
                ExprKind::For(f) if !matches!(f.body.kind, ExprKind::If(..)) => {
                    let env = self.loop_env(f, "copyIndex()").unwrap_or_default();
                    let mut c = Map::new();
                    let count = match self.ex(&f.iter, &Env::default()) {
                        Ok(t) => Json::String(format!("[length({t})]")),
                        Err(e) => self.fail(&e),
                    };
                    c.insert("count".into(), count);
                    let input = self.val(&f.body, &env, &format!("{path}.copy.input"));
                    c.insert("input".into(), input);
                    o.insert("copy".into(), Json::Object(c));
                }
                _ => {
                    let v = self.val(value, &Env::default(), &format!("{path}.value"));
                    o.insert("value".into(), v);
                }
            }
            outputs.insert(name.clone(), Json::Object(o));
        }
        outputs
    }

    /// The variables (named as the template names them).
    pub(crate) fn vars_json(&self) -> Map<String, Json> {
        let mut vars = Map::new();
        let mut copies = Vec::new();
        for s in self.stmts {
            let Decl::Var { name, value } = &s.decl else {
                continue;
            };
            let arm = &self.vars[name].1;
            let path = format!("$.variables.{arm}");
            self.record(&path, s.at);
            match &value.kind {
                ExprKind::For(f) if !matches!(f.body.kind, ExprKind::If(..)) => {
                    let at = format!("$.variables.copy[{}]", copies.len());
                    copies.push(self.copy_entry(arm, f, &Env::default(), &at));
                }
                _ => {
                    vars.insert(arm.clone(), self.val(value, &Env::default(), &path));
                }
            }
        }
        if !copies.is_empty() {
            vars.insert("copy".into(), Json::Array(copies));
        }
        vars
    }

    /// The user-defined functions, in this file's namespace.
    pub(crate) fn funcs_json(&self) -> Vec<Json> {
        let mut members = Map::new();
        for s in self.stmts {
            let Decl::Func {
                name,
                params,
                ret,
                body,
            } = &s.decl
            else {
                continue;
            };
            let mut env = Env::default();
            let mut ps = Vec::new();
            for (p, t) in params {
                env = env.bind(p, format!("parameters({})", q(p)));
                let mut o = Map::new();
                o.insert("name".into(), Json::String(p.clone()));
                o.insert("type".into(), Json::String(self.arm_type(t, 0).base.into()));
                ps.push(Json::Object(o));
            }
            let path = format!("$.functions[0].members.{name}");
            self.record(&path, s.at);
            let value = match self.ex(body, &env) {
                Ok(t) => Json::String(format!("[{t}]")),
                Err(f) => self.fail(&f),
            };
            let mut out = Map::new();
            out.insert(
                "type".into(),
                Json::String(self.arm_type(ret, 0).base.into()),
            );
            out.insert("value".into(), value);
            let mut m = Map::new();
            m.insert("parameters".into(), Json::Array(ps));
            m.insert("output".into(), Json::Object(out));
            members.insert(name.clone(), Json::Object(m));
        }
        if members.is_empty() {
            return Vec::new();
        }
        let mut f = Map::new();
        f.insert("namespace".into(), Json::String(self.func_ns.clone()));
        f.insert("members".into(), Json::Object(members));
        vec![Json::Object(f)]
    }

    fn param(&self, s: &Statement, ty: Option<&Type>, default: Option<&Expr>, path: &str) -> Json {
        let mut o = Map::new();
        let t = ty.map(|t| self.arm_type(t, 0)).unwrap_or(ArmType {
            base: "object",
            allowed: None,
            nullable: false,
        });
        let secure = s.decorator("secure").is_some();
        let base = match (t.base, secure) {
            ("string", true) => "securestring",
            ("object", true) => "secureObject",
            (b, _) => b,
        };
        o.insert("type".into(), Json::String(base.into()));
        if t.nullable {
            o.insert("nullable".into(), Json::Bool(true));
        }
        if let Some(a) = t.allowed {
            o.insert("allowedValues".into(), Json::Array(a));
        }
        for d in &s.decorators {
            let key = match d.name.as_str() {
                "allowed" => "allowedValues",
                "minValue" | "maxValue" | "minLength" | "maxLength" => d.name.as_str(),
                "description" => {
                    if let Some(a) = d.args.first() {
                        let mut m = Map::new();
                        m.insert("description".into(), self.val(a, &Env::default(), path));
                        o.insert("metadata".into(), Json::Object(m));
                    }
                    continue;
                }
                _ => continue,
            };
            if let Some(a) = d.args.first() {
                o.insert(
                    key.into(),
                    self.val(a, &Env::default(), &format!("{path}.{key}")),
                );
            }
        }
        if let Some(d) = default {
            o.insert(
                "defaultValue".into(),
                self.val(d, &Env::default(), &format!("{path}.defaultValue")),
            );
        }
        Json::Object(o)
    }

    /// The ARM type of `t` (user-defined and imported types resolved).
    fn arm_type(&self, t: &Type, depth: usize) -> ArmType {
        let plain = |base| ArmType {
            base,
            allowed: None,
            nullable: false,
        };
        if depth > 32 {
            return plain("object");
        }
        match t {
            Type::Named(n) => match n.as_str() {
                "string" => plain("string"),
                "int" => plain("int"),
                "bool" => plain("bool"),
                "array" => plain("array"),
                "object" => plain("object"),
                // A type whose shape only Bicep's type catalog knows: not checked.
                "any" => plain("any"),
                other => {
                    if let Some(u) = self.types.get(other) {
                        return self.arm_type(u, depth + 1);
                    }
                    let imported = match other.split_once('.') {
                        Some((ns, m)) => match self.imports.get(ns) {
                            Some(Imported::Namespace(ms)) => ms.get(m).cloned(),
                            _ => None,
                        },
                        None => self.imports.get(other).cloned(),
                    };
                    match imported {
                        Some(Imported::Type(u)) => self.arm_type(&u, depth + 1),
                        // A type from a registry not in the cache: not checked.
                        _ => plain("object"),
                    }
                }
            },
            Type::Resource(_) => plain("string"),
            Type::Literal(j) => ArmType {
                base: match j {
                    Json::String(_) => "string",
                    Json::Number(_) => "int",
                    Json::Bool(_) => "bool",
                    Json::Array(_) => "array",
                    _ => "object",
                },
                allowed: Some(vec![j.clone()]),
                nullable: false,
            },
            Type::Union(alts) => {
                let parts: Vec<ArmType> =
                    alts.iter().map(|a| self.arm_type(a, depth + 1)).collect();
                let nullable = alts.iter().any(|a| matches!(a, Type::Literal(Json::Null)));
                let base = parts
                    .iter()
                    .find(|p| {
                        p.allowed
                            .as_ref()
                            .is_none_or(|a| a.iter().all(|v| !v.is_null()))
                    })
                    .map_or("object", |p| p.base);
                let allowed = parts
                    .iter()
                    .map(|p| p.allowed.clone())
                    .collect::<Option<Vec<_>>>()
                    .map(|v| v.into_iter().flatten().filter(|x| !x.is_null()).collect());
                ArmType {
                    base,
                    allowed,
                    nullable,
                }
            }
            Type::Array(_) | Type::Tuple(_) => plain("array"),
            Type::Object(_) => plain("object"),
            Type::Nullable(inner) => ArmType {
                nullable: true,
                ..self.arm_type(inner, depth + 1)
            },
        }
    }

    /// Reads an `import` statement: the names it brings in.
    pub(crate) fn import(&mut self, s: &Statement) {
        let Decl::Import {
            items,
            wildcard,
            from,
        } = &s.decl
        else {
            return;
        };
        let found = self.import_file(from, s.at);
        let pick = |name: &str| -> Imported {
            match &found {
                Ok(m) => m.get(name).cloned().unwrap_or_else(|| {
                    Imported::Unavailable(format!("'{from}' exports no '{name}'"))
                }),
                Err(why) => Imported::Unavailable(why.clone()),
            }
        };
        if let Some(ns) = wildcard {
            let members = match &found {
                Ok(m) => m.clone(),
                Err(_) => BTreeMap::new(),
            };
            if let Err(why) = &found {
                self.warning(s.at, &format!("import from '{from}': {why}; its types are not checked and its values are unknown"));
            }
            self.imports
                .insert(ns.clone(), Imported::Namespace(members));
        }
        if let (Some(_), Err(why)) = (items, &found) {
            self.warning(s.at, &format!("import from '{from}': {why}; its types are not checked and its values are unknown"));
        }
        for it in items.iter().flatten() {
            let i = pick(&it.name);
            if let (Imported::Unavailable(why), Ok(_)) = (&i, &found) {
                self.error(s.at, why);
            }
            self.imports.insert(it.alias.clone(), i);
        }
    }

    /// The exported names of the file `from` (its variables and functions added to this
    /// template under names of their own).
    fn import_file(&self, from: &str, at: usize) -> Result<BTreeMap<String, Imported>, String> {
        if from.starts_with("br:")
            || from.starts_with("br/")
            || from.starts_with("ts:")
            || from.starts_with("ts/")
        {
            return match self.registry_template(from) {
                Ok(t) => Ok(exported_from_json(&t)),
                Err(e) => Err(e),
            };
        }
        let path = super::join(self.path.parent().unwrap_or(Path::new(".")), from);
        let n = {
            let mut st = self.session.stack.borrow_mut();
            if st.len() > super::MAX_MODULE_DEPTH || st.contains(&path) {
                return Err("imports form a cycle or nest too deeply".into());
            }
            st.push(path.clone());
            self.session.imports.replace_with(|n| *n + 1)
        };
        let r = self.import_parsed(&path, n, at);
        self.session.stack.borrow_mut().pop();
        r
    }

    fn import_parsed(
        &self,
        path: &Path,
        n: usize,
        _at: usize,
    ) -> Result<BTreeMap<String, Imported>, String> {
        let (name, text, stmts) = super::read_parsed(path).map_err(|p| {
            format!(
                "{}:{}:{}: {}",
                p.place.file, p.place.line, p.place.column, p.message
            )
        })?;
        self.session.files.borrow_mut().insert(name.clone());
        let mut map = crate::source_map::SourceMap::default();
        let src = map.add_source(&name, text.clone());
        let prefix = format!("__import{n}_");
        let ns = format!("__import{n}");
        let unit = Unit::with_names(
            path,
            &name,
            src,
            &stmts,
            self.session,
            self.depth + 1,
            map,
            &prefix,
            &ns,
        );
        let vars = unit.vars_json();
        let funcs = unit.funcs_json();
        let mut out = BTreeMap::new();
        for s in &stmts {
            let exported = s.decorator("export").is_some();
            match &s.decl {
                Decl::Var { name, .. } if exported => {
                    out.insert(name.clone(), Imported::Var(format!("{prefix}{name}")));
                }
                Decl::Func { name, .. } if exported => {
                    out.insert(name.clone(), Imported::Func(ns.clone(), name.clone()));
                }
                Decl::TypeAlias { name, ty } if exported => {
                    out.insert(name.clone(), Imported::Type(ty.clone()));
                }
                _ => {}
            }
        }
        {
            let (ivars, ifuncs) = unit.imported_json.take();
            let mut j = self.imported_json.borrow_mut();
            j.0.extend(vars);
            j.0.extend(ivars);
            j.1.extend(funcs);
            j.1.extend(ifuncs);
        }
        self.map.borrow_mut().nest("$", &unit.map.borrow());
        self.problems
            .borrow_mut()
            .extend(unit.problems.into_inner());
        Ok(out)
    }
}

/// What a compiled template in a registry exports: its exported types only (variables and
/// functions in a compiled template are not read back).
fn exported_from_json(t: &Map<String, Json>) -> BTreeMap<String, Imported> {
    let mut out = BTreeMap::new();
    if let Some(Json::Object(defs)) = t.get("definitions") {
        for k in defs.keys() {
            out.insert(k.clone(), Imported::Type(Type::Named("object".into())));
        }
    }
    out
}
