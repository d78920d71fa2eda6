//! Module instances and lazy evaluation: locals, resources, data sources, module calls,
//! outputs and `azurerm` provider configurations (each resource's subscription), each
//! evaluated on first use and remembered, cycles reported.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use aksnet_arm::Value;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::Body;
use hcl_edit::Span;
use serde_json::{Map, Value as Json};

use super::body::eval_body;
use super::eval::Env;
use super::parse::{error, read_module, CallDecl, Item, ModuleSrc, ResDecl, SrcFile};
use super::scope::ModScope;
use super::value::{embed, strip_hidden, unknown, EvalError, R, RESOURCE_KEY};
use super::Provider;
use crate::{Diagnostic, Instance, Origin};

/// The deepest module nesting.
const MAX_MODULE_DEPTH: u32 = 32;
/// The longest chain of lazily evaluated items (locals, resources, ...) needing each other.
const MAX_REFERENCE_DEPTH: usize = 500;
/// The most resource and module instances.
const MAX_INSTANCES: usize = 100_000;

/// A variable's value in a module instance.
pub(crate) struct VarState {
    /// Its value; `None` when nothing gives it one.
    pub value: Option<Rc<Value>>,
    /// Where it is declared.
    pub origin: Origin,
    /// Whether the "no value" warning was given.
    pub warned: Cell<bool>,
}

enum Memo<T> {
    Busy,
    Done(T),
}

/// The `azurerm` provider configurations a module instance has, by name (`azurerm`,
/// `azurerm.hub`): each its subscription, when stated and known.
type Configs = HashMap<String, Option<String>>;

/// A resource's evaluation: its instances (address, arguments), the subscription of its
/// provider configuration, and its value for references.
pub(super) struct ResResult {
    instances: Vec<(String, Json)>,
    subscription: Option<String>,
    pub(super) value: Rc<Value>,
}

/// How a module call expanded.
#[derive(Clone)]
enum CallResult {
    /// Not installed or failed: its outputs are this unknown.
    Unavailable(aksnet_arm::Unknown),
    /// One instance.
    Single(usize),
    /// `count` instances.
    Count(Vec<usize>),
    /// `for_each` instances by key.
    ForEach(Vec<(String, usize)>),
}

/// One instance of a module: its source, address and variables, and what has been evaluated.
pub(crate) struct ModInst {
    pub(super) src: Rc<ModuleSrc>,
    /// `""` for the root, `module.a.` / `module.a["k"].` below it.
    prefix: String,
    /// The key in `.terraform/modules/modules.json`: `a`, `a.b`.
    key_path: String,
    depth: u32,
    /// The directories of this module and the modules calling it (to refuse recursion).
    chain: Vec<PathBuf>,
    pub(super) vars: HashMap<String, VarState>,
    locals: RefCell<HashMap<String, Memo<Rc<Value>>>>,
    outputs: RefCell<HashMap<String, Memo<Value>>>,
    resources: RefCell<HashMap<String, Memo<Rc<ResResult>>>>,
    calls: RefCell<HashMap<String, Memo<CallResult>>>,
    /// The provider configurations its caller gives it (`providers = { ... }`, and the
    /// caller's default `azurerm`, inherited).
    passed: Configs,
    /// Its provider configurations: its own `provider` blocks over `passed`.
    configs: RefCell<Option<Memo<Rc<Configs>>>>,
}

/// An entry of `.terraform/modules/modules.json`.
struct Installed {
    key: String,
    source: String,
    dir: String,
}

/// Everything one [`super::load`] shares.
pub(crate) struct Loader<'p> {
    provider: &'p dyn Provider,
    pub(super) root_dir: PathBuf,
    installed: Option<Vec<Installed>>,
    modules: RefCell<Vec<Rc<ModInst>>>,
    sources: RefCell<HashMap<PathBuf, Rc<ModuleSrc>>>,
    /// Diagnostics so far.
    pub diags: RefCell<Vec<Diagnostic>>,
    /// Files read so far.
    pub files: RefCell<Vec<PathBuf>>,
    pub(super) depth: Cell<u32>,
    instances: Cell<usize>,
    stack: RefCell<Vec<String>>,
}

impl<'p> Loader<'p> {
    /// A loader for the configuration whose root module is in `root_dir`.
    pub fn new(provider: &'p dyn Provider, root_dir: PathBuf) -> Self {
        let installed = read_modules_json(&root_dir);
        Loader {
            provider,
            root_dir,
            installed,
            modules: RefCell::new(Vec::new()),
            sources: RefCell::new(HashMap::new()),
            diags: RefCell::new(Vec::new()),
            files: RefCell::new(Vec::new()),
            depth: Cell::new(0),
            instances: Cell::new(0),
            stack: RefCell::new(Vec::new()),
        }
    }

    pub(super) fn diag(&self, d: Diagnostic) {
        self.diags.borrow_mut().push(d);
    }

    fn err_at(&self, file: &SrcFile, e: &EvalError, what: &str) {
        self.diag(error(
            Some(file.origin_of(e.span.clone())),
            format!("{what}: {}", e.message),
        ));
    }

    /// Adds the root module instance.
    pub fn add_root(&self, src: Rc<ModuleSrc>, vars: HashMap<String, Value>) -> usize {
        let vars = src
            .variables
            .iter()
            .map(|(n, d)| {
                (
                    n.clone(),
                    VarState {
                        value: vars.get(n).cloned().map(Rc::new),
                        origin: d.origin.clone(),
                        warned: Cell::new(false),
                    },
                )
            })
            .collect();
        self.add(ModInst::new(src, String::new(), String::new(), 0, vars))
    }

    fn add(&self, m: ModInst) -> usize {
        let mut ms = self.modules.borrow_mut();
        ms.push(Rc::new(m));
        ms.len() - 1
    }

    fn module(&self, id: usize) -> Rc<ModInst> {
        self.modules.borrow()[id].clone()
    }

    /// Every managed resource instance of module `id` and the modules it calls, in
    /// declaration order.
    pub fn emit(&self, id: usize, out: &mut Vec<Instance>) {
        let m = self.module(id);
        for item in &m.src.items {
            match item {
                Item::Resource(d) => {
                    let r = self.resource(id, &d.key);
                    let o = d.file.origin_of(d.block.span());
                    for (address, values) in r.instances.iter().cloned() {
                        out.push(Instance {
                            address,
                            kind: d.kind.clone(),
                            values: strip_hidden(values),
                            origin: o.clone(),
                            subscription: r.subscription.clone(),
                        });
                    }
                }
                Item::Module(c) => match self.call(id, &c.name) {
                    CallResult::Unavailable(_) => {}
                    CallResult::Single(child) => self.emit(child, out),
                    CallResult::Count(children) => {
                        for child in children {
                            self.emit(child, out)
                        }
                    }
                    CallResult::ForEach(children) => {
                        for (_, child) in children {
                            self.emit(child, out)
                        }
                    }
                },
            }
        }
    }

    /// Enters a lazily evaluated item; `Err` (after a diagnostic) on a cycle.
    fn enter(
        &self,
        name: String,
        file: &SrcFile,
        span: Option<std::ops::Range<usize>>,
    ) -> Result<(), &'static str> {
        let mut st = self.stack.borrow_mut();
        if st.len() >= MAX_REFERENCE_DEPTH {
            drop(st);
            self.diag(error(
                Some(file.origin_of(span)),
                format!("{name}: references nested too deeply (more than {MAX_REFERENCE_DEPTH} locals, resources, outputs and modules, each needing the next)"),
            ));
            return Err("references nested too deeply");
        }
        if let Some(pos) = st.iter().position(|s| *s == name) {
            let mut cyc: Vec<String> = st[pos..].to_vec();
            cyc.push(name);
            drop(st);
            self.diag(error(
                Some(file.origin_of(span)),
                format!("cycle: {}", cyc.join(" -> ")),
            ));
            return Err("part of a cycle");
        }
        st.push(name);
        Ok(())
    }

    fn leave(&self) {
        self.stack.borrow_mut().pop();
    }

    fn scope<'a>(&'a self, id: usize) -> ModScope<'a, 'p> {
        ModScope {
            loader: self,
            id,
            m: self.module(id),
        }
    }

    pub(super) fn local(&self, id: usize, name: &str) -> R<Rc<Value>> {
        let m = self.module(id);
        let Some(n) = m.src.locals.get(name).cloned() else {
            return Err(EvalError::new(format!(
                "reference to undeclared local value \"{name}\""
            )));
        };
        match m.locals.borrow().get(name) {
            Some(Memo::Done(v)) => return Ok(v.clone()),
            Some(Memo::Busy) | None => {}
        }
        let label = format!("{}local.{name}", m.prefix);
        if let Err(why) = self.enter(label.clone(), &n.file, n.expr.span()) {
            return Ok(Rc::new(unknown(format!("local.{name}"), why)));
        }
        m.locals.borrow_mut().insert(name.into(), Memo::Busy);
        let scope = self.scope(id);
        let v = Rc::new(match Env::new(&scope).eval(&n.expr) {
            Ok(v) => v,
            Err(e) => {
                self.err_at(&n.file, &e, &label);
                unknown(
                    format!("local.{name}"),
                    format!("evaluation failed: {}", e.message),
                )
            }
        });
        self.leave();
        m.locals
            .borrow_mut()
            .insert(name.into(), Memo::Done(v.clone()));
        Ok(v)
    }

    fn output(&self, id: usize, name: &str) -> Option<Value> {
        let m = self.module(id);
        let n = m.src.outputs.get(name).cloned()?;
        match m.outputs.borrow().get(name) {
            Some(Memo::Done(v)) => return Some(v.clone()),
            Some(Memo::Busy) | None => {}
        }
        let label = format!("{}output.{name}", m.prefix);
        if let Err(why) = self.enter(label.clone(), &n.file, n.expr.span()) {
            return Some(unknown(format!("output.{name}"), why));
        }
        m.outputs.borrow_mut().insert(name.into(), Memo::Busy);
        let scope = self.scope(id);
        let v = match Env::new(&scope).eval(&n.expr) {
            Ok(v) => v,
            Err(e) => {
                self.err_at(&n.file, &e, &label);
                unknown(
                    format!("{}output.{name}", m.prefix),
                    format!("evaluation failed: {}", e.message),
                )
            }
        };
        self.leave();
        m.outputs
            .borrow_mut()
            .insert(name.into(), Memo::Done(v.clone()));
        Some(v)
    }

    /// The value of `module.<name>` in module `id`.
    pub(super) fn module_value(&self, id: usize, name: &str) -> Value {
        let outputs = |child: usize| -> Json {
            let cm = self.module(child);
            let mut names: Vec<&String> = cm.src.outputs.keys().collect();
            names.sort();
            let mut o = Map::new();
            for n in names {
                if let Some(v) = self.output(child, n) {
                    o.insert(n.clone(), embed(v));
                }
            }
            Json::Object(o)
        };
        match self.call(id, name) {
            CallResult::Unavailable(u) => Value::Unknown(u),
            CallResult::Single(c) => Value::Known(outputs(c)),
            CallResult::Count(cs) => {
                Value::Known(Json::Array(cs.into_iter().map(outputs).collect()))
            }
            CallResult::ForEach(cs) => Value::Known(Json::Object(
                cs.into_iter().map(|(k, c)| (k, outputs(c))).collect(),
            )),
        }
    }

    fn call(&self, id: usize, name: &str) -> CallResult {
        let m = self.module(id);
        match m.calls.borrow().get(name) {
            Some(Memo::Done(r)) => return r.clone(),
            Some(Memo::Busy) | None => {}
        }
        let Some(c) = m.src.calls.get(name).cloned() else {
            return CallResult::Unavailable(aksnet_arm::Unknown {
                expression: format!("module.{name}"),
                reason: format!("no module call \"{name}\""),
                of: None,
            });
        };
        let label = format!("{}module.{name}", m.prefix);
        if let Err(why) = self.enter(label, &c.file, c.block.span()) {
            return CallResult::Unavailable(aksnet_arm::Unknown {
                expression: format!("module.{name}"),
                reason: why.into(),
                of: None,
            });
        }
        m.calls.borrow_mut().insert(name.into(), Memo::Busy);
        let r = self.expand_call(id, &m, &c);
        self.leave();
        m.calls
            .borrow_mut()
            .insert(name.into(), Memo::Done(r.clone()));
        r
    }

    fn expand_call(&self, id: usize, m: &ModInst, c: &CallDecl) -> CallResult {
        let name = &c.name;
        let origin = c.file.origin_of(c.block.span());
        let unavailable = |reason: String| {
            CallResult::Unavailable(aksnet_arm::Unknown {
                expression: format!("module.{name}"),
                reason,
                of: None,
            })
        };
        if m.depth + 1 > MAX_MODULE_DEPTH {
            self.diag(error(
                Some(origin),
                format!("module \"{name}\": modules nested more than {MAX_MODULE_DEPTH} deep"),
            ));
            return unavailable("modules nested too deeply".into());
        }
        let source = match c.block.body.get_attribute("source").map(|a| &a.value) {
            Some(Expression::String(s)) => s.value().to_string(),
            Some(Expression::StringTemplate(t)) => {
                let scope = self.scope(id);
                match Env::new(&scope).render_template(t) {
                    Ok(Value::Known(Json::String(s))) => s,
                    _ => {
                        self.diag(error(
                            Some(origin),
                            format!("module \"{name}\": source must be a literal string"),
                        ));
                        return unavailable("invalid source".into());
                    }
                }
            }
            _ => {
                self.diag(error(
                    Some(origin),
                    format!("module \"{name}\": a literal source is required"),
                ));
                return unavailable("no source".into());
            }
        };
        let key_path = if m.key_path.is_empty() {
            name.clone()
        } else {
            format!("{}.{name}", m.key_path)
        };
        let dir = if source.starts_with("./") || source.starts_with("../") {
            let rel = match source.find("//") {
                Some(i) => format!("{}/{}", &source[..i], &source[i + 2..]),
                None => source.clone(),
            };
            m.src.dir.join(rel)
        } else {
            match self
                .installed
                .as_ref()
                .and_then(|l| l.iter().find(|i| i.key == key_path))
            {
                Some(i) => {
                    let _ = &i.source;
                    self.root_dir.join(&i.dir)
                }
                None => {
                    self.diag(Diagnostic {
                        error: false,
                        origin: Some(origin),
                        message: format!(
                            "module \"{name}\" (source \"{source}\") is not installed; its resources are not read and its outputs are unknown"
                        ),
                        hint: Some("run `terraform init` to install it".into()),
                    });
                    return unavailable(format!(
                        "module \"{name}\" (source \"{source}\") is not installed"
                    ));
                }
            }
        };
        if !dir.is_dir() {
            self.diag(error(
                Some(origin),
                format!(
                    "module \"{name}\": no module directory at {}",
                    dir.display()
                ),
            ));
            return unavailable("module directory not found".into());
        }
        let canonical = std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone());
        if m.chain.contains(&canonical) {
            self.diag(error(
                Some(origin),
                format!(
                    "module \"{name}\" (source \"{source}\") calls a module that is calling it: modules cannot be recursive"
                ),
            ));
            return unavailable("recursive module".into());
        }
        let src = self.source(&dir);
        let scope = self.scope(id);
        let env = Env::new(&scope);
        let expansion =
            match self.expansion(&env, &c.block.body, &c.file, &format!("module.{name}")) {
                Some(e) => e,
                None => return unavailable("count or for_each could not be evaluated".into()),
            };
        let mut missing: Vec<&String> = src
            .variables
            .iter()
            .filter(|(vn, d)| d.default.is_none() && c.block.body.get_attribute(vn).is_none())
            .map(|(vn, _)| vn)
            .collect();
        missing.sort();
        for vn in missing {
            self.diag(Diagnostic {
                error: true,
                origin: Some(origin.clone()),
                message: format!(
                    "module \"{name}\": missing required argument \"{vn}\"; what depends on it is unknown"
                ),
                hint: Some(format!("give it in the module block: {vn} = ...")),
            });
        }
        let make = |bindings: Vec<(String, Value)>, suffix: String| -> Option<usize> {
            if !self.count_instance(&origin) {
                return None;
            }
            let env = env.child(bindings);
            let mut vars: HashMap<String, VarState> = HashMap::new();
            for a in c.block.body.attributes() {
                let k = a.key.value().as_str();
                if matches!(
                    k,
                    "source" | "version" | "count" | "for_each" | "providers" | "depends_on"
                ) {
                    continue;
                }
                if !src.variables.contains_key(k) {
                    self.diag(error(
                        Some(c.file.origin_of(a.span())),
                        format!("module \"{name}\": unsupported argument \"{k}\": the module declares no such variable"),
                    ));
                }
            }
            for (vn, d) in &src.variables {
                let value = match c.block.body.get_attribute(vn) {
                    Some(a) => match env.eval(&a.value) {
                        Ok(v) => Some(v),
                        Err(e) => {
                            self.err_at(
                                &c.file,
                                &e,
                                &format!("module \"{name}\" argument \"{vn}\""),
                            );
                            Some(unknown(
                                format!("var.{vn}"),
                                format!("evaluation failed: {}", e.message),
                            ))
                        }
                    },
                    None => d
                        .default
                        .as_ref()
                        .and_then(|e| super::vars::eval_constant(e, &src.dir).ok()),
                };
                let value = value.map(|v| match super::vars::convert(d, v.clone()) {
                    Ok(c) => c,
                    Err(msg) => {
                        let at = c
                            .block
                            .body
                            .get_attribute(vn)
                            .map(|a| c.file.origin_of(a.span()))
                            .unwrap_or_else(|| origin.clone());
                        self.diag(error(
                            Some(at),
                            format!("module \"{name}\" argument \"{vn}\": invalid value for the variable's type: {msg}"),
                        ));
                        v
                    }
                });
                let value = match value {
                    Some(Value::Known(Json::Null)) if !d.nullable => d
                        .default
                        .as_ref()
                        .and_then(|e| super::vars::eval_constant(e, &src.dir).ok())
                        .or(Some(Value::Known(Json::Null))),
                    v => v,
                };
                // A required variable the call does not give is an error at the call (as
                // Terraform has it), and reads of it are unknown without a further warning.
                vars.insert(
                    vn.clone(),
                    VarState {
                        warned: Cell::new(value.is_none()),
                        value: value.map(Rc::new),
                        origin: d.origin.clone(),
                    },
                );
            }
            let prefix = format!("{}module.{name}{suffix}.", m.prefix);
            let mut inst = ModInst::new(src.clone(), prefix, key_path.clone(), m.depth + 1, vars);
            inst.chain.extend(m.chain.iter().cloned());
            inst.passed = self.passed_configs(id, c);
            Some(self.add(inst))
        };
        match expansion {
            Expansion::Single => match make(vec![], String::new()) {
                Some(c) => CallResult::Single(c),
                None => unavailable("too many instances".into()),
            },
            Expansion::Count(n) => {
                let mut out = Vec::new();
                for i in 0..n {
                    let b = vec![(
                        "count".to_string(),
                        Value::Known(serde_json::json!({"index": i})),
                    )];
                    match make(b, format!("[{i}]")) {
                        Some(c) => out.push(c),
                        None => break,
                    }
                }
                CallResult::Count(out)
            }
            Expansion::ForEach(items) => {
                let mut out = Vec::new();
                for (k, v) in items {
                    let mut each = Map::new();
                    each.insert("key".into(), Json::String(k.clone()));
                    each.insert("value".into(), embed(v));
                    let b = vec![("each".to_string(), Value::Known(Json::Object(each)))];
                    match make(b, format!("[{}]", Json::String(k.clone()))) {
                        Some(c) => out.push((k, c)),
                        None => break,
                    }
                }
                CallResult::ForEach(out)
            }
        }
    }

    fn count_instance(&self, origin: &Origin) -> bool {
        let n = self.instances.get() + 1;
        self.instances.set(n);
        if n == MAX_INSTANCES + 1 {
            self.diag(error(
                Some(origin.clone()),
                format!("more than {MAX_INSTANCES} resource and module instances; the rest are not read"),
            ));
        }
        n <= MAX_INSTANCES
    }

    fn source(&self, dir: &Path) -> Rc<ModuleSrc> {
        if let Some(s) = self.sources.borrow().get(dir) {
            return s.clone();
        }
        let mut diags = Vec::new();
        let mut files = Vec::new();
        let src = Rc::new(read_module(dir, &mut diags, &mut files));
        self.diags.borrow_mut().extend(diags);
        self.files.borrow_mut().extend(files);
        self.sources
            .borrow_mut()
            .insert(dir.to_path_buf(), src.clone());
        src
    }

    /// Evaluates `count` / `for_each` of a resource or module block; `None` after an error
    /// diagnostic.
    fn expansion(&self, env: &Env, body: &Body, file: &SrcFile, what: &str) -> Option<Expansion> {
        let count = body.get_attribute("count");
        let for_each = body.get_attribute("for_each");
        if let (Some(_), Some(f)) = (count, for_each) {
            self.diag(error(
                Some(file.origin_of(f.span())),
                format!("{what}: \"count\" and \"for_each\" cannot both be set"),
            ));
            return None;
        }
        if let Some(c) = count {
            let o = Some(file.origin_of(c.span()));
            return match env.eval(&c.value) {
                Err(e) => {
                    self.err_at(file, &e, &format!("{what}: invalid count"));
                    None
                }
                Ok(Value::Unknown(u)) => {
                    self.diag(unknown_expansion(o, what, "count", &u));
                    None
                }
                Ok(Value::Known(j)) => match super::value::to_number(&j) {
                    Ok(n) if n >= 0.0 && n.fract() == 0.0 && n <= MAX_INSTANCES as f64 => {
                        Some(Expansion::Count(n as usize))
                    }
                    Ok(n) => {
                        self.diag(error(o, format!("{what}: invalid count {n} (a whole number from 0 to {MAX_INSTANCES} is required)")));
                        None
                    }
                    Err(e) => {
                        self.diag(error(o, format!("{what}: invalid count: {}", e.message)));
                        None
                    }
                },
            };
        }
        if let Some(f) = for_each {
            let o = Some(file.origin_of(f.span()));
            return match env.eval(&f.value) {
                Err(e) => {
                    self.err_at(file, &e, &format!("{what}: invalid for_each"));
                    None
                }
                Ok(Value::Unknown(u)) => {
                    self.diag(unknown_expansion(o, what, "for_each", &u));
                    None
                }
                Ok(Value::Known(j)) => {
                    if let Some(u) = super::value::first_unknown(&j).filter(|_| j.is_array()) {
                        self.diag(unknown_expansion(o, what, "for_each", &u));
                        return None;
                    }
                    let n = match &j {
                        Json::Object(m) => m.len(),
                        Json::Array(a) => a.len(),
                        _ => 0,
                    };
                    if n > MAX_INSTANCES {
                        self.diag(error(o, format!("{what}: invalid for_each argument: {n} elements, more than {MAX_INSTANCES} instances")));
                        return None;
                    }
                    match j {
                        Json::Object(m) => Some(Expansion::ForEach(
                            m.into_iter()
                                .filter(|(k, _)| k != RESOURCE_KEY)
                                .map(|(k, v)| (k, Value::from_json(v)))
                                .collect(),
                        )),
                        Json::Array(items) => {
                            if self.is_list_expr(env, &f.value, 0) {
                                self.diag(Diagnostic {
                                    error: true,
                                    origin: o,
                                    message: format!("{what}: invalid for_each argument: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type list or tuple"),
                                    hint: Some("convert it with toset(...), or build a map with a for expression".into()),
                                });
                                return None;
                            }
                            let mut out = Vec::new();
                            for i in items {
                                match i {
                                    Json::String(s) => {
                                        out.push((s.clone(), Value::Known(Json::String(s))))
                                    }
                                    other => {
                                        self.diag(error(o.clone(), format!("{what}: invalid for_each argument: a set of strings is required, found an element of type {}", super::value::type_name(&other))));
                                        return None;
                                    }
                                }
                            }
                            Some(Expansion::ForEach(out))
                        }
                        Json::Null => {
                            self.diag(error(o, format!("{what}: invalid for_each argument: null")));
                            None
                        }
                        other => {
                            self.diag(error(o, format!("{what}: invalid for_each argument: a map or set of strings is required, found {}", super::value::type_name(&other))));
                            None
                        }
                    }
                }
            };
        }
        Some(Expansion::Single)
    }

    /// Whether an expression is certainly a list or tuple rather than a set (Terraform keeps
    /// the type; JSON does not): list literals, list `for` expressions, functions returning
    /// lists, variables typed as lists, and locals that are one of these. Anything else (a
    /// set function, an untyped variable, a resource attribute) is given the benefit of the
    /// doubt.
    fn is_list_expr(&self, env: &Env, e: &Expression, depth: u32) -> bool {
        if depth > 16 {
            return false;
        }
        match e {
            Expression::Array(_) => true,
            Expression::ForExpr(f) => f.key_expr.is_none(),
            Expression::Parenthesis(p) => self.is_list_expr(env, p.inner(), depth + 1),
            Expression::FuncCall(f) => matches!(
                f.name.name.value().as_str(),
                "concat"
                    | "keys"
                    | "values"
                    | "distinct"
                    | "flatten"
                    | "split"
                    | "compact"
                    | "sort"
                    | "range"
                    | "slice"
                    | "reverse"
                    | "tolist"
                    | "formatlist"
                    | "chunklist"
                    | "regexall"
                    | "cidrsubnets"
                    | "matchkeys"
                    | "coalescelist"
            ),
            Expression::Conditional(c) => {
                self.is_list_expr(env, &c.true_expr, depth + 1)
                    && self.is_list_expr(env, &c.false_expr, depth + 1)
            }
            Expression::Traversal(t) => {
                let Expression::Variable(root) = &t.expr else {
                    return false;
                };
                let Some(first) = t.operators.first().and_then(|o| match o.value() {
                    hcl_edit::expr::TraversalOperator::GetAttr(a) => Some(a.value().to_string()),
                    _ => None,
                }) else {
                    return false;
                };
                if t.operators.len() != 1 {
                    return false;
                }
                let m = self.module(env.scope.module_id());
                match root.value().as_str() {
                    "var" => {
                        m.src.variables.get(&first).is_some_and(|d| {
                            matches!(d.type_head.as_deref(), Some("list" | "tuple"))
                        })
                    }
                    "local" => m
                        .src
                        .locals
                        .get(&first)
                        .is_some_and(|n| self.is_list_expr(env, &n.expr, depth + 1)),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    pub(super) fn resource(&self, id: usize, key: &str) -> Rc<ResResult> {
        let m = self.module(id);
        let Some(d) = m.src.resources.get(key).cloned() else {
            return Rc::new(ResResult {
                instances: vec![],
                subscription: None,
                value: Rc::new(unknown(key, "no such resource")),
            });
        };
        match m.resources.borrow().get(key) {
            Some(Memo::Done(r)) => return r.clone(),
            Some(Memo::Busy) | None => {}
        }
        let label = format!("{}{key}", m.prefix);
        if let Err(why) = self.enter(label, &d.file, d.block.span()) {
            return Rc::new(ResResult {
                instances: vec![],
                subscription: None,
                value: Rc::new(unknown(key, why)),
            });
        }
        m.resources.borrow_mut().insert(key.into(), Memo::Busy);
        let r = Rc::new(self.eval_resource(id, &m, &d));
        self.leave();
        m.resources
            .borrow_mut()
            .insert(key.into(), Memo::Done(r.clone()));
        r
    }

    fn eval_resource(&self, id: usize, m: &ModInst, d: &ResDecl) -> ResResult {
        let scope = self.scope(id);
        let env = Env::new(&scope);
        let addr = format!("{}{}", m.prefix, d.key);
        let origin = d.file.origin_of(d.block.span());
        let subscription = self.resource_subscription(id, d);
        let failed = |why: &str| ResResult {
            instances: vec![],
            subscription: subscription.clone(),
            value: Rc::new(unknown(&d.key, why)),
        };
        let Some(expansion) = self.expansion(&env, &d.block.body, &d.file, &addr) else {
            return failed("its count or for_each could not be evaluated");
        };
        let mut instances = Vec::new();
        let mut one = |bindings: Vec<(String, Value)>, address: String| -> Option<Value> {
            if !self.count_instance(&origin) {
                return None;
            }
            let env = env.child(bindings);
            match eval_body(&env, &d.block.body, true) {
                Ok(values) => {
                    let mut full = values.clone();
                    for (k, v) in self.provider.computed_in(
                        &d.kind,
                        &strip_hidden(Json::Object(values.clone())),
                        subscription.as_deref(),
                    ) {
                        full.entry(k).or_insert(v);
                    }
                    full.insert(RESOURCE_KEY.into(), Json::String(address.clone()));
                    instances.push((address, Json::Object(values)));
                    Some(Value::Known(Json::Object(full)))
                }
                Err(e) => {
                    self.err_at(&d.file, &e, &address);
                    Some(unknown(
                        &address,
                        format!("evaluation failed: {}", e.message),
                    ))
                }
            }
        };
        let value = match expansion {
            Expansion::Single => {
                one(vec![], addr.clone()).unwrap_or_else(|| unknown(&addr, "too many instances"))
            }
            Expansion::Count(n) => {
                let mut out = Vec::new();
                for i in 0..n {
                    let b = vec![(
                        "count".to_string(),
                        Value::Known(serde_json::json!({"index": i})),
                    )];
                    match one(b, format!("{addr}[{i}]")) {
                        Some(v) => out.push(embed(v)),
                        None => break,
                    }
                }
                Value::Known(Json::Array(out))
            }
            Expansion::ForEach(items) => {
                let mut out = Map::new();
                for (k, v) in items {
                    let mut each = Map::new();
                    each.insert("key".into(), Json::String(k.clone()));
                    each.insert("value".into(), embed(v));
                    let b = vec![("each".to_string(), Value::Known(Json::Object(each)))];
                    match one(b, format!("{addr}[{}]", Json::String(k.clone()))) {
                        Some(v) => {
                            out.insert(k, embed(v));
                        }
                        None => break,
                    }
                }
                Value::Known(Json::Object(out))
            }
        };
        ResResult {
            instances,
            subscription,
            value: Rc::new(value),
        }
    }

    /// The provider configurations of module `id`: those its caller gives it, and its own
    /// `provider "azurerm"` blocks (evaluated once, in the module) over them.
    fn configs(&self, id: usize) -> Rc<Configs> {
        let m = self.module(id);
        match &*m.configs.borrow() {
            Some(Memo::Done(c)) => return c.clone(),
            Some(Memo::Busy) | None => {}
        }
        let Some(first) = m.src.providers.first() else {
            return Rc::new(m.passed.clone());
        };
        let label = format!("{}provider.azurerm", m.prefix);
        if self.enter(label.clone(), &first.file, None).is_err() {
            return Rc::new(m.passed.clone());
        }
        *m.configs.borrow_mut() = Some(Memo::Busy);
        let mut configs = m.passed.clone();
        let scope = self.scope(id);
        let env = Env::new(&scope);
        for p in &m.src.providers {
            let sub = match &p.subscription_id {
                None => None,
                Some(e) => match env.eval(e) {
                    Ok(Value::Known(Json::String(s))) if !s.is_empty() => Some(s),
                    Ok(_) => None,
                    Err(err) => {
                        self.err_at(
                            &p.file,
                            &err,
                            &format!("{label}: provider {}: subscription_id", p.name),
                        );
                        None
                    }
                },
            };
            configs.insert(p.name.clone(), sub);
        }
        self.leave();
        let configs = Rc::new(configs);
        *m.configs.borrow_mut() = Some(Memo::Done(configs.clone()));
        configs
    }

    /// The subscription of the azurerm provider configuration resource `d` of module `id`
    /// uses: its `provider = azurerm.ALIAS` (an `azapi` resource's `provider = azapi.ALIAS`
    /// names `azurerm.ALIAS` when the module has it), else the module's default `azurerm`.
    /// `None` for other providers' resources, and when the configuration states no known
    /// subscription.
    fn resource_subscription(&self, id: usize, d: &ResDecl) -> Option<String> {
        let bare = d.kind.strip_prefix("data.").unwrap_or(&d.kind);
        let local = bare.split('_').next().unwrap_or_default();
        if local != "azurerm" && local != "azapi" {
            return None;
        }
        let configs = self.configs(id);
        let named = d
            .block
            .body
            .get_attribute("provider")
            .and_then(|a| provider_ref(&a.value));
        let name = match named {
            Some((p, Some(alias))) if p == "azurerm" || p == "azapi" => {
                let n = format!("azurerm.{alias}");
                if p == "azapi" && !configs.contains_key(&n) {
                    "azurerm".to_string()
                } else {
                    n
                }
            }
            _ => "azurerm".to_string(),
        };
        match configs.get(&name) {
            Some(s) => s.clone(),
            None => {
                if name != "azurerm" {
                    let m = self.module(id);
                    self.diag(Diagnostic {
                        error: false,
                        origin: Some(d.file.origin_of(d.block.span())),
                        message: format!(
                            "{}{}: provider configuration {name} is not declared nor passed to the module; its subscription is the default",
                            m.prefix, d.key
                        ),
                        hint: Some(format!(
                            "declare provider \"azurerm\" {{ alias = \"{}\" ... }} or pass it in the module call's providers",
                            name.trim_start_matches("azurerm.")
                        )),
                    });
                }
                None
            }
        }
    }

    /// The provider configurations a call of module `c` from module `id` gives it: the
    /// caller's default `azurerm`, inherited, and those its `providers` map names.
    fn passed_configs(&self, id: usize, c: &CallDecl) -> Configs {
        let caller = self.configs(id);
        let mut passed = Configs::new();
        if let Some(d) = caller.get("azurerm") {
            passed.insert("azurerm".into(), d.clone());
        }
        let Some(Expression::Object(map)) =
            c.block.body.get_attribute("providers").map(|a| &a.value)
        else {
            return passed;
        };
        for (k, v) in map.iter() {
            let key = match k {
                ObjectKey::Ident(i) => Some((i.value().to_string(), None)),
                ObjectKey::Expression(e) => provider_ref(e),
            };
            let (Some((kp, ka)), Some((vp, va))) = (key, provider_ref(v.expr())) else {
                continue;
            };
            if kp != "azurerm" || vp != "azurerm" {
                continue;
            }
            let name = |a: Option<String>| match a {
                Some(a) => format!("azurerm.{a}"),
                None => "azurerm".to_string(),
            };
            passed.insert(name(ka), caller.get(&name(va)).cloned().flatten());
        }
        passed
    }
}

/// A provider configuration reference, `azurerm` or `azurerm.hub`: the provider's local name
/// and the alias.
fn provider_ref(e: &Expression) -> Option<(String, Option<String>)> {
    match e {
        Expression::Variable(v) => Some((v.value().to_string(), None)),
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else {
                return None;
            };
            let [op] = t.operators.as_slice() else {
                return None;
            };
            match op.value() {
                TraversalOperator::GetAttr(a) => {
                    Some((root.value().to_string(), Some(a.value().to_string())))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn unknown_expansion(
    o: Option<Origin>,
    what: &str,
    arg: &str,
    u: &aksnet_arm::Unknown,
) -> Diagnostic {
    Diagnostic {
        error: true,
        origin: o,
        message: format!(
            "{what}: invalid {arg} argument: the \"{arg}\" value depends on resource attributes that cannot be determined until apply ({}: {}); it is not read",
            u.expression, u.reason
        ),
        hint: Some(format!("give \"{arg}\" a value known before apply (a variable, a literal)")),
    }
}

/// How a resource or module block expands.
enum Expansion {
    Single,
    Count(usize),
    ForEach(Vec<(String, Value)>),
}

impl ModInst {
    /// Whether this is the root module.
    pub(super) fn is_root(&self) -> bool {
        self.prefix.is_empty()
    }

    fn new(
        src: Rc<ModuleSrc>,
        prefix: String,
        key_path: String,
        depth: u32,
        vars: HashMap<String, VarState>,
    ) -> Self {
        let dir = std::fs::canonicalize(&src.dir).unwrap_or_else(|_| src.dir.clone());
        ModInst {
            src,
            prefix,
            key_path,
            depth,
            chain: vec![dir],
            vars,
            locals: RefCell::new(HashMap::new()),
            outputs: RefCell::new(HashMap::new()),
            resources: RefCell::new(HashMap::new()),
            calls: RefCell::new(HashMap::new()),
            passed: Configs::new(),
            configs: RefCell::new(None),
        }
    }
}

fn read_modules_json(root: &Path) -> Option<Vec<Installed>> {
    let text = std::fs::read_to_string(root.join(".terraform/modules/modules.json")).ok()?;
    let j: Json = serde_json::from_str(&text).ok()?;
    let mods = j.get("Modules")?.as_array()?;
    Some(
        mods.iter()
            .filter_map(|m| {
                Some(Installed {
                    key: m.get("Key")?.as_str()?.to_string(),
                    source: m
                        .get("Source")
                        .and_then(Json::as_str)
                        .unwrap_or("")
                        .to_string(),
                    dir: m.get("Dir")?.as_str()?.to_string(),
                })
            })
            .collect(),
    )
}

/// Reads the root module and evaluates it.
pub(crate) fn run(
    root: &Path,
    inputs: &super::Inputs,
    provider: &dyn Provider,
) -> (Vec<Instance>, Vec<Diagnostic>, Vec<PathBuf>) {
    let root_dir = if root.is_file() {
        root.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        root.to_path_buf()
    };
    super::value::reset_work();
    let loader = Loader::new(provider, root_dir.clone());
    let mut diags = Vec::new();
    let mut files = Vec::new();
    if !root.exists() {
        diags.push(error(None, format!("{} does not exist", root.display())));
        return (vec![], diags, files);
    }
    let src = Rc::new(read_module(root, &mut diags, &mut files));
    let vars = super::vars::root_values(
        &src.variables,
        if root.is_dir() { Some(root) } else { None },
        inputs,
        &mut diags,
    );
    loader.diags.borrow_mut().extend(diags);
    loader.files.borrow_mut().extend(files);
    let id = loader.add_root(src, vars);
    let mut out = Vec::new();
    loader.emit(id, &mut out);
    (out, loader.diags.into_inner(), loader.files.into_inner())
}
