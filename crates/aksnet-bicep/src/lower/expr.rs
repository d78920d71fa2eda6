//! Bicep expressions as ARM expression text, and Bicep values as template JSON.
//!
//! Operators become the functions Bicep compiles them to (`a == b` → `equals(a, b)`, `a =~ b`
//! → `equals(toLower(a), toLower(b))`, `a ?? b` → `coalesce(a, b)`, `c ? a : b` → `if(c, a, b)`,
//! `a.?b` → `tryGet(a, 'b')`); interpolation becomes `format`; a resource's `.id` its
//! `resourceId`, its `.properties` a `reference` by symbolic name; a module's `.outputs.x`
//! the nested deployment's output. In value position an object stays JSON with an expression
//! per leaf and a `for` becomes a `copy` loop, as the Bicep CLI writes them, so that one
//! unknown leaf does not make its whole object unknown.

use serde_json::{Map, Value as Json};

use super::{literal_key, Imported, Unit};
use crate::syntax::ast::*;

/// Names bound where an expression is compiled (loop items and indexes, lambda and function
/// parameters), each to the ARM text that stands for it.
#[derive(Clone, Debug, Default)]
pub struct Env {
    locals: Vec<(String, String)>,
    /// The resource whose body this is (its key): the resources nested in it and in the
    /// resources around it are in scope by their own names, as Bicep scopes them.
    within: Option<String>,
}

impl Env {
    /// This scope inside the body of the resource `key`.
    pub fn within(mut self, key: &str) -> Env {
        self.within = Some(key.to_string());
        self
    }

    /// This scope with `name` bound to `text`.
    pub fn bind(&self, name: &str, text: String) -> Env {
        let mut e = self.clone();
        e.locals.push((name.to_string(), text));
        e
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.locals
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
    }
}

/// Why an expression was not compiled.
#[derive(Clone, Debug)]
pub struct Fail {
    /// Where.
    pub at: usize,
    /// Why.
    pub message: String,
    /// The value is merely unknown before deployment (a Key Vault secret), not an error.
    pub unknown: bool,
}

impl Fail {
    fn at(at: usize, message: impl Into<String>) -> Self {
        Fail {
            at,
            message: message.into(),
            unknown: false,
        }
    }
}

/// A string as an ARM expression literal.
pub fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A string as a template value: one that looks like an expression is escaped with `[[`.
pub fn literal(s: &str) -> Json {
    if s.starts_with('[') && s.ends_with(']') {
        Json::String(format!("[{s}"))
    } else {
        Json::String(s.to_string())
    }
}

/// A resource or module named in an expression.
#[derive(Clone, Debug)]
pub(crate) enum Ref {
    /// A resource, by key, with the ARM text of an index into its loop.
    Res(String, Option<String>),
    /// A module, likewise.
    Mod(String, Option<String>),
}

/// Binary operators and the functions they compile to.
fn binary(op: &str, a: String, b: String) -> String {
    match op {
        "+" => format!("add({a}, {b})"),
        "-" => format!("sub({a}, {b})"),
        "*" => format!("mul({a}, {b})"),
        "/" => format!("div({a}, {b})"),
        "%" => format!("mod({a}, {b})"),
        "==" => format!("equals({a}, {b})"),
        "!=" => format!("not(equals({a}, {b}))"),
        "=~" => format!("equals(toLower({a}), toLower({b}))"),
        "!~" => format!("not(equals(toLower({a}), toLower({b})))"),
        "<" => format!("less({a}, {b})"),
        "<=" => format!("lessOrEquals({a}, {b})"),
        ">" => format!("greater({a}, {b})"),
        ">=" => format!("greaterOrEquals({a}, {b})"),
        "&&" => format!("and({a}, {b})"),
        "||" => format!("or({a}, {b})"),
        _ => format!("coalesce({a}, {b})"),
    }
}

/// `a.name` in ARM text (`a['name']` when the name is not an identifier).
fn member(base: &str, name: &str) -> String {
    if !name.is_empty()
        && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
        && !name.starts_with(|c: char| c.is_ascii_digit())
    {
        format!("{base}.{name}")
    } else {
        format!("{base}[{}]", q(name))
    }
}

impl Unit<'_> {
    /// `e` as ARM expression text.
    pub fn ex(&self, e: &Expr, env: &Env) -> Result<String, Fail> {
        Ok(match &e.kind {
            ExprKind::Null => "null()".into(),
            ExprKind::Bool(b) => format!("{b}()"),
            ExprKind::Int(n) => n.to_string(),
            ExprKind::Str { pieces, holes } => {
                if holes.is_empty() {
                    q(&pieces[0])
                } else {
                    let mut fmt = String::new();
                    for (i, p) in pieces.iter().enumerate() {
                        fmt.push_str(&p.replace('{', "{{").replace('}', "}}"));
                        if i < holes.len() {
                            fmt.push_str(&format!("{{{i}}}"));
                        }
                    }
                    let args: Result<Vec<_>, _> = holes.iter().map(|h| self.ex(h, env)).collect();
                    format!("format({}, {})", q(&fmt), args?.join(", "))
                }
            }
            ExprKind::Ident(n) => self.ident(n, e.at, env)?,
            ExprKind::Array(items) => self.array(items, env)?,
            ExprKind::Object(props) => self.object(props, env)?,
            ExprKind::For(f) => {
                if matches!(f.body.kind, ExprKind::If(..)) {
                    return Err(Fail::at(
                        e.at,
                        "a filtered for-expression is compiled only as a resource or module loop",
                    ));
                }
                let iter = self.ex(&f.iter, env)?;
                let i = format!("__i{}", e.at);
                let mut inner = env.bind(&f.item, format!("{iter}[lambdaVariables('{i}')]"));
                if let Some(ix) = &f.index {
                    inner = inner.bind(ix, format!("lambdaVariables('{i}')"));
                }
                let body = self.ex(&f.body, &inner)?;
                format!("map(range(0, length({iter})), lambda('{i}', {body}))")
            }
            ExprKind::If(..) => {
                return Err(Fail::at(
                    e.at,
                    "`if` is allowed only before a resource or module body",
                ))
            }
            ExprKind::Call { ns, name, args } => self.call(ns.as_deref(), name, args, e.at, env)?,
            ExprKind::Member { base, name, safe } => {
                if let ExprKind::Ident(ns) = &base.kind {
                    if env.get(ns).is_none() {
                        if let Some(Imported::Namespace(members)) = self.imports.get(ns) {
                            return self.imported(members.get(name), name, e.at);
                        }
                    }
                }
                if let Some(r) = self.output_of(base, env)? {
                    return Ok(member(&r, name) + ".value");
                }
                if let Some(r) = self.resolve_ref(base, env)? {
                    return self.ref_member(&r, name, e.at);
                }
                let b = self.ex(base, env)?;
                if *safe {
                    format!("tryGet({b}, {})", q(name))
                } else {
                    member(&b, name)
                }
            }
            ExprKind::Index {
                base,
                index,
                safe,
                from_end,
            } => {
                if let Some(r) = self.output_of(base, env)? {
                    return Ok(format!("{r}[{}].value", self.ex(index, env)?));
                }
                if self.resolve_ref(e, env)?.is_some() {
                    return Err(self.as_value(e.at));
                }
                let b = self.ex(base, env)?;
                let i = self.ex(index, env)?;
                // `a[^i]`: the i-th element from the end.
                let i = if *from_end {
                    format!("sub(length({b}), {i})")
                } else {
                    i
                };
                if *safe {
                    format!("tryGet({b}, {i})")
                } else {
                    format!("{b}[{i}]")
                }
            }
            ExprKind::Child(..) => return Err(self.as_value(e.at)),
            ExprKind::Unary(op, x) => {
                let x = self.ex(x, env)?;
                match *op {
                    "!" => format!("not({x})"),
                    "-" => format!("sub(0, {x})"),
                    _ => x,
                }
            }
            ExprKind::Binary(op, a, b) => binary(op, self.ex(a, env)?, self.ex(b, env)?),
            ExprKind::Ternary(c, a, b) => format!(
                "if({}, {}, {})",
                self.ex(c, env)?,
                self.ex(a, env)?,
                self.ex(b, env)?
            ),
            ExprKind::Lambda(params, body) => {
                let mut inner = env.clone();
                for p in params {
                    inner = inner.bind(p, format!("lambdaVariables({})", q(p)));
                }
                let names: Vec<String> = params.iter().map(|p| q(p)).collect();
                format!("lambda({}, {})", names.join(", "), self.ex(body, &inner)?)
            }
            ExprKind::NonNull(x) => self.ex(x, env)?,
        })
    }

    fn as_value(&self, at: usize) -> Fail {
        Fail::at(at, "a resource or module used as a value: only its members (.id, .name, .properties, .outputs) are compiled")
    }

    fn ident(&self, n: &str, at: usize, env: &Env) -> Result<String, Fail> {
        if let Some(t) = env.get(n) {
            return Ok(t.to_string());
        }
        if self.params.contains(n) {
            return Ok(format!("parameters({})", q(n)));
        }
        if let Some((_, arm)) = self.vars.get(n) {
            return Ok(format!("variables({})", q(arm)));
        }
        if let Some(i) = self.imports.get(n) {
            return self.imported(Some(i), n, at);
        }
        if self.resources.contains_key(n) || self.modules.contains_key(n) {
            return Err(self.as_value(at));
        }
        Err(Fail::at(
            at,
            format!("'{n}' is not a parameter, variable, resource, module or loop variable here"),
        ))
    }

    fn imported(&self, i: Option<&Imported>, n: &str, at: usize) -> Result<String, Fail> {
        match i {
            Some(Imported::Var(v)) => Ok(format!("variables({})", q(v))),
            Some(Imported::Unavailable(why)) => Err(Fail::at(at, why.clone())),
            _ => Err(Fail::at(at, format!("the import '{n}' is not a variable"))),
        }
    }

    fn array(&self, items: &[Item], env: &Env) -> Result<String, Fail> {
        let spread = items.iter().any(|i| matches!(i, Item::Spread(_)));
        let mut parts = Vec::new();
        let mut run = Vec::new();
        for it in items {
            match it {
                Item::Value(v) => run.push(self.ex(v, env)?),
                Item::Spread(s) => {
                    if !run.is_empty() {
                        parts.push(format!("createArray({})", run.join(", ")));
                        run.clear();
                    }
                    parts.push(self.ex(s, env)?);
                }
            }
        }
        if !spread {
            return Ok(format!("createArray({})", run.join(", ")));
        }
        if !run.is_empty() {
            parts.push(format!("createArray({})", run.join(", ")));
        }
        Ok(format!("flatten(createArray({}))", parts.join(", ")))
    }

    fn object(&self, props: &[Prop], env: &Env) -> Result<String, Fail> {
        let mut parts = Vec::new();
        let mut run = Vec::new();
        let spread = props.iter().any(|p| matches!(p, Prop::Spread(_)));
        for p in props {
            match p {
                Prop::Pair { key, value, .. } => {
                    run.push(format!("{}, {}", self.ex(key, env)?, self.ex(value, env)?));
                }
                Prop::Spread(s) => {
                    if !run.is_empty() {
                        parts.push(format!("createObject({})", run.join(", ")));
                        run.clear();
                    }
                    parts.push(self.ex(s, env)?);
                }
                Prop::Resource(r) => {
                    return Err(Fail::at(r.at, "a resource declared inside a value"))
                }
            }
        }
        if !spread {
            return Ok(format!("createObject({})", run.join(", ")));
        }
        if !run.is_empty() {
            parts.push(format!("createObject({})", run.join(", ")));
        }
        Ok(format!("shallowMerge(createArray({}))", parts.join(", ")))
    }

    fn call(
        &self,
        ns: Option<&str>,
        name: &str,
        args: &[Expr],
        at: usize,
        env: &Env,
    ) -> Result<String, Fail> {
        let lowered = |this: &Self| -> Result<String, Fail> {
            let a: Result<Vec<_>, _> = args.iter().map(|x| this.ex(x, env)).collect();
            Ok(a?.join(", "))
        };
        match ns {
            Some("sys" | "az") | None => {}
            Some(other) => {
                if env.get(other).is_none() {
                    if let Some(Imported::Namespace(m)) = self.imports.get(other) {
                        return match m.get(name) {
                            Some(Imported::Func(fns, f)) => {
                                Ok(format!("{fns}.{f}({})", lowered(self)?))
                            }
                            Some(Imported::Unavailable(why)) => Err(Fail::at(at, why.clone())),
                            _ => Err(Fail::at(
                                at,
                                format!("'{other}.{name}' is not an imported function"),
                            )),
                        };
                    }
                }
                return Err(Fail::at(
                    at,
                    format!("'{other}' is not a namespace (sys, az or an import)"),
                ));
            }
        }
        if ns.is_none() {
            if self.funcs.contains(name) {
                return Ok(format!("{}.{name}({})", self.func_ns, lowered(self)?));
            }
            match self.imports.get(name) {
                Some(Imported::Func(fns, f)) => {
                    return Ok(format!("{fns}.{f}({})", lowered(self)?))
                }
                Some(Imported::Unavailable(why)) => return Err(Fail::at(at, why.clone())),
                _ => {}
            }
        }
        match name {
            "any" if args.len() == 1 => self.ex(&args[0], env),
            // The name of a symbol or property, as written.
            "nameof" if args.len() == 1 => match &args[0].kind {
                ExprKind::Ident(n) | ExprKind::Member { name: n, .. } => Ok(q(n)),
                ExprKind::Child(_, n) => Ok(q(n)),
                _ => Err(Fail::at(at, "nameof takes a symbol or a property")),
            },
            "loadTextContent" | "loadJsonContent" | "loadYamlContent" | "loadFileAsBase64" => {
                self.load(name, args, at)
            }
            "readEnvironmentVariable" => self.environment_variable(args, at),
            "getSecret" => Err(Fail {
                at,
                message: "a Key Vault secret (getSecret) is known only at deployment".into(),
                unknown: true,
            }),
            "loadDirectoryFileInfo" | "externalInput" => {
                Err(Fail::at(at, format!("{name} is not compiled offline")))
            }
            _ => Ok(format!("{name}({})", lowered(self)?)),
        }
    }

    fn environment_variable(&self, args: &[Expr], at: usize) -> Result<String, Fail> {
        let name = match args.first().map(|a| &a.kind) {
            Some(ExprKind::Str { pieces, holes }) if holes.is_empty() => pieces[0].clone(),
            _ => return Err(Fail::at(at, "readEnvironmentVariable takes a literal name")),
        };
        match std::env::var(&name) {
            Ok(v) => Ok(q(&v)),
            Err(_) => match args.get(1) {
                Some(d) => self.ex(d, &Env::default()),
                None => Err(Fail::at(
                    at,
                    format!("the environment variable {name} is not set and has no default"),
                )),
            },
        }
    }

    /// `m.outputs` (or `ms[i].outputs`) as `reference(...).outputs`, if `e` is that.
    fn output_of(&self, e: &Expr, env: &Env) -> Result<Option<String>, Fail> {
        let ExprKind::Member { base, name, .. } = &e.kind else {
            return Ok(None);
        };
        if name != "outputs" {
            return Ok(None);
        }
        match self.resolve_ref(base, env)? {
            Some(Ref::Mod(m, idx)) => Ok(Some(format!(
                "reference({}).outputs",
                self.symref(&self.modules[&m].sym, idx.as_deref())
            ))),
            _ => Ok(None),
        }
    }

    /// The resource or module `e` names, if it names one.
    pub(crate) fn resolve_ref(&self, e: &Expr, env: &Env) -> Result<Option<Ref>, Fail> {
        match &e.kind {
            ExprKind::Ident(n) if env.get(n).is_none() => Ok(if self.resources.contains_key(n) {
                Some(Ref::Res(n.clone(), None))
            } else if self.modules.contains_key(n) {
                Some(Ref::Mod(n.clone(), None))
            } else {
                self.nested_key(n, env).map(|k| Ref::Res(k, None))
            }),
            ExprKind::Index { base, index, .. } => {
                let ExprKind::Ident(n) = &base.kind else {
                    return Ok(None);
                };
                if env.get(n).is_some() {
                    return Ok(None);
                }
                let looped = self
                    .resources
                    .get(n)
                    .map(|r| r.looped.is_some())
                    .or_else(|| self.modules.get(n).map(|m| m.looped.is_some()));
                match looped {
                    Some(true) => {
                        let i = self.ex(index, env)?;
                        Ok(Some(if self.resources.contains_key(n) {
                            Ref::Res(n.clone(), Some(i))
                        } else {
                            Ref::Mod(n.clone(), Some(i))
                        }))
                    }
                    _ => Ok(None),
                }
            }
            ExprKind::Child(base, child) => match self.resolve_ref(base, env)? {
                Some(Ref::Res(k, None)) => {
                    let key = format!("{k}::{child}");
                    if self.resources.contains_key(&key) {
                        Ok(Some(Ref::Res(key, None)))
                    } else {
                        Err(Fail::at(
                            e.at,
                            format!("'{k}' has no nested resource '{child}'"),
                        ))
                    }
                }
                _ => Err(Fail::at(e.at, "`::` must follow a resource without a loop")),
            },
            _ => Ok(None),
        }
    }

    /// The key of the resource `name` nested in the resource whose body `env` is in, or in one
    /// around it (`parent::name`, then `grandparent::name`...).
    pub(crate) fn nested_key(&self, name: &str, env: &Env) -> Option<String> {
        let mut p = env.within.as_deref()?;
        loop {
            let cand = format!("{p}::{name}");
            if self.resources.contains_key(&cand) {
                return Some(cand);
            }
            p = &p[..p.rfind("::")?];
        }
    }

    /// The symbolic name of a declaration as an ARM string (`'vnet'`, or
    /// `format('vnets[{0}]', i)` for one element of a loop).
    pub(crate) fn symref(&self, sym: &str, idx: Option<&str>) -> String {
        match idx {
            Some(i) => format!("format({}, {i})", q(&format!("{sym}[{{0}}]"))),
            None => q(sym),
        }
    }

    fn ref_member(&self, r: &Ref, name: &str, at: usize) -> Result<String, Fail> {
        match r {
            Ref::Res(k, idx) => {
                let res = &self.resources[k];
                let sym = self.symref(&res.sym, idx.as_deref());
                Ok(match name {
                    "id" => self.id_expr(k, idx.as_deref())?,
                    "name" => self.own_name(k, idx.as_deref())?,
                    "type" => q(&res.ty),
                    "apiVersion" => q(&res.api),
                    "properties" => format!("reference({sym})"),
                    other => member(&format!("reference({sym}, {}, 'full')", q(&res.api)), other),
                })
            }
            Ref::Mod(m, idx) => match name {
                "name" => self.module_name(&self.modules[m], idx.as_deref()),
                _ => Err(Fail::at(
                    at,
                    format!("a module has .name and .outputs, not .{name}"),
                )),
            },
        }
    }

    /// `e` as template JSON at `path`: literals as JSON, objects and arrays kept as JSON with
    /// an expression per leaf, property `for` loops as `copy`; what cannot be compiled becomes
    /// an unknown marker (and a problem).
    pub fn val(&self, e: &Expr, env: &Env, path: &str) -> Json {
        match &e.kind {
            ExprKind::Null => Json::Null,
            ExprKind::Bool(b) => Json::Bool(*b),
            ExprKind::Int(n) => Json::from(*n),
            ExprKind::Str { pieces, holes } if holes.is_empty() => literal(&pieces[0]),
            ExprKind::Array(items) if items.iter().all(|i| matches!(i, Item::Value(_))) => {
                Json::Array(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, it)| {
                            let Item::Value(v) = it else { unreachable!() };
                            let p = format!("{path}[{i}]");
                            self.record(&p, v.at);
                            self.val(v, env, &p)
                        })
                        .collect(),
                )
            }
            ExprKind::Object(props) if !props.iter().any(|p| matches!(p, Prop::Spread(_))) => {
                let mut o = Map::new();
                let mut copies = Vec::new();
                for p in props {
                    let Prop::Pair { key, value, at } = p else {
                        continue;
                    };
                    let k = match literal_key(key) {
                        Some(k) => k,
                        None => match self.ex(key, env) {
                            Ok(t) => format!("[{t}]"),
                            Err(f) => {
                                self.fail(&f);
                                continue;
                            }
                        },
                    };
                    let p = format!("{path}.{k}");
                    self.record(&p, *at);
                    if let ExprKind::For(f) = &value.kind {
                        if !matches!(f.body.kind, ExprKind::If(..)) {
                            let at = format!("{path}.copy[{}]", copies.len());
                            copies.push(self.copy_entry(&k, f, env, &at));
                            continue;
                        }
                    }
                    o.insert(k, self.val(value, env, &p));
                }
                if !copies.is_empty() {
                    o.insert("copy".into(), Json::Array(copies));
                }
                Json::Object(o)
            }
            _ => match self.ex(e, env) {
                Ok(t) => Json::String(format!("[{t}]")),
                Err(f) => self.fail(&f),
            },
        }
    }

    /// One entry of a `copy` array: `{"name", "count", "input"}` for the loop `f` writing the
    /// property (or variable) `name`.
    pub(crate) fn copy_entry(&self, name: &str, f: &For, env: &Env, path: &str) -> Json {
        self.record(path, f.iter.at);
        let mut c = Map::new();
        c.insert("name".into(), literal(name));
        let (count, inner) = match self.ex(&f.iter, env) {
            Ok(iter) => {
                let idx = format!("copyIndex({})", q(name));
                let mut inner = env.bind(&f.item, format!("{iter}[{idx}]"));
                if let Some(i) = &f.index {
                    inner = inner.bind(i, idx);
                }
                (Json::String(format!("[length({iter})]")), inner)
            }
            Err(e) => (self.fail(&e), env.clone()),
        };
        c.insert("count".into(), count);
        c.insert(
            "input".into(),
            self.val(&f.body, &inner, &format!("{path}.input")),
        );
        Json::Object(c)
    }

    /// Records a failure and returns the unknown that stands for the value.
    pub(crate) fn fail(&self, f: &Fail) -> Json {
        let (line, column) = {
            let p = self.place(f.at);
            (p.line, p.column)
        };
        if f.unknown {
            self.warning(f.at, &format!("{}; the value is unknown", f.message));
        } else {
            self.error(f.at, &format!("{}; the value is unknown", f.message));
        }
        aksnet_arm::template::marker(&aksnet_arm::Unknown {
            expression: format!("{}:{line}:{column}", self.name),
            reason: f.message.clone(),
            of: None,
        })
    }
}
