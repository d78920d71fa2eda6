//! Compiling Bicep to the ARM template language, version 2.0 (resources by symbolic name), as
//! the Bicep CLI does: parameters with their types and decorators, variables, user-defined
//! functions, resources (children by `parent:` or nesting, `existing`, `scope:`, conditions,
//! loops), modules as nested deployments with their own compiled templates, outputs.
//! Expressions become ARM expression text ([`expr`]); what cannot be compiled becomes an
//! unknown value with the reason, and a [`Problem`] at the Bicep position.
//!
//! Modules: `expr` (expressions and values), `decls` (parameters, variables, functions,
//! outputs, imports), `resources` (resources and modules), `names` (resource names, ids and
//! scopes), `modules` (where a module's template comes from), `load` (the `load*Content`
//! functions).

mod decls;
pub mod expr;
mod load;
pub mod modules;
mod names;
pub mod params_file;
mod resources;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value as Json};

use crate::source_map::{Place, SourceMap};
use crate::syntax::ast::*;

/// The deepest chain of modules compiled (a module that includes itself must end).
pub const MAX_MODULE_DEPTH: usize = 32;
/// The largest `.bicep` file read.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Something the compiler says about a Bicep file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where.
    pub place: Place,
    /// What.
    pub message: String,
    /// Errors mean a declaration or value was not compiled (its value is unknown).
    pub error: bool,
}

/// A compiled Bicep file.
#[derive(Clone, Debug)]
pub struct Compiled {
    /// The ARM template (language version 2.0).
    pub template: Map<String, Json>,
    /// Template JSON paths to Bicep positions.
    pub map: SourceMap,
    /// What the compiler said, in the order met.
    pub problems: Vec<Problem>,
    /// Every file read (the file itself, its modules, imports and loaded files).
    pub files: Vec<String>,
}

/// How to compile.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Resource types in their canonical casing: a declaration's type that matches one
    /// (ignoring case) is written as it, as the Bicep CLI writes types as its type catalog
    /// spells them (`publicIpAddresses` → `publicIPAddresses`).
    pub known_types: Vec<String>,
}

/// Compiles the Bicep file at `path`. An unreadable or unparsable file is an error; anything
/// less becomes a [`Problem`] in the result.
pub fn compile(path: &Path) -> Result<Compiled, Problem> {
    compile_with(path, &Options::default())
}

/// [`compile`] with options.
pub fn compile_with(path: &Path, options: &Options) -> Result<Compiled, Problem> {
    // Expressions and modules nest: compile on a stack that their limits fit in.
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn_scoped(s, || {
                let session = Session {
                    known_types: options.known_types.clone(),
                    root: path.display().to_string(),
                    ..Session::default()
                };
                compile_in(path, &session, 0)
            })
            .map_err(|e| Problem {
                place: Place {
                    file: path.display().to_string(),
                    line: 1,
                    column: 1,
                },
                message: format!("cannot start the compiler's thread: {e}"),
                error: true,
            })?
            .join()
            .unwrap_or_else(|_| {
                Err(Problem {
                    place: Place {
                        file: path.display().to_string(),
                        line: 1,
                        column: 1,
                    },
                    message: "the Bicep compiler failed (a bug in aksnet)".into(),
                    error: true,
                })
            })
    })
}

/// The stack the compiler runs on.
const STACK_BYTES: usize = 256 << 20;

/// What the compilation of one root file shares across its modules.
#[derive(Default)]
pub(crate) struct Session {
    /// Files being compiled, outermost first (a module cycle must end).
    stack: RefCell<Vec<PathBuf>>,
    /// Files read.
    files: RefCell<BTreeSet<String>>,
    /// Modules already compiled, by canonical path.
    done: RefCell<HashMap<PathBuf, Arc<Compiled>>>,
    /// Files imported so far (each import's names get a prefix of their own).
    imports: RefCell<usize>,
    /// See [`Options::known_types`].
    known_types: Vec<String>,
    /// The file compiled (what `bicep restore` is to be run on).
    root: String,
}

/// `base` joined with `relative`, with `.` dropped and `..` applied where it can be (the name
/// messages give: `bicep/network.bicep`, not `bicep/./network.bicep`).
pub(crate) fn join(base: &Path, relative: &str) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in base.join(relative).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Reads a source file within the size limit.
pub(crate) fn read_source(path: &Path) -> Result<String, String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "{size} bytes is more than the {MAX_FILE_BYTES}-byte limit"
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
}

/// Reads and parses a Bicep file: its name, text and statements, or the problem at the
/// position where reading or parsing stopped.
pub(crate) fn read_parsed(path: &Path) -> Result<(String, Arc<str>, Vec<Statement>), Problem> {
    let name = path.display().to_string();
    let at = |line, column, message| Problem {
        place: Place {
            file: name.clone(),
            line,
            column,
        },
        message,
        error: true,
    };
    let text: Arc<str> =
        Arc::from(read_source(path).map_err(|e| at(1, 1, format!("cannot read: {e}")))?);
    let stmts = crate::syntax::parser::parse(&text).map_err(|e| {
        let (line, column) = crate::syntax::line_column(&text, e.at);
        at(line, column, e.message)
    })?;
    Ok((name, text, stmts))
}

pub(crate) fn compile_in(
    path: &Path,
    session: &Session,
    depth: usize,
) -> Result<Compiled, Problem> {
    let (name, text, stmts) = read_parsed(path)?;
    session.files.borrow_mut().insert(name.clone());
    let mut map = SourceMap::default();
    let src = map.add_source(&name, text.clone());
    let unit = Unit::with_names(path, &name, src, &stmts, session, depth, map, "", "__bicep");
    let template = unit.template();
    let Unit { map, problems, .. } = unit;
    Ok(Compiled {
        template,
        map: map.into_inner(),
        problems: problems.into_inner(),
        files: session.files.borrow().iter().cloned().collect(),
    })
}

/// The scope a file deploys to (`targetScope`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetScope {
    /// `resourceGroup` (the default).
    ResourceGroup,
    /// `subscription`.
    Subscription,
    /// `managementGroup`.
    ManagementGroup,
    /// `tenant`.
    Tenant,
}

impl TargetScope {
    fn schema(self) -> &'static str {
        match self {
            Self::ResourceGroup => {
                "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
            }
            Self::Subscription => "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
            Self::ManagementGroup => "https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#",
            Self::Tenant => {
                "https://schema.management.azure.com/schemas/2019-08-01/tenantDeploymentTemplate.json#"
            }
        }
    }
}

/// A resource declared in the file (top level, or nested in its parent's body).
pub(crate) struct Res<'a> {
    /// Its symbolic name in the template (`vnet`, `vnet::subnet` for a nested child).
    pub sym: String,
    /// Its full type.
    pub ty: String,
    /// Its API version.
    pub api: String,
    /// The declaration.
    pub decl: &'a Resource,
    /// The object body (inside `if`/`for`).
    pub object: Option<&'a [Prop]>,
    /// The loop, if declared with one.
    pub looped: Option<&'a For>,
    /// The condition, if any.
    pub condition: Option<&'a Expr>,
    /// The parent: its key among the resources, and an index into it when it loops.
    pub parent: Option<(String, Option<&'a Expr>)>,
    /// `scope:`.
    pub scope: Option<&'a Expr>,
}

/// A module declared in the file.
pub(crate) struct Module<'a> {
    /// Its symbolic name.
    pub sym: String,
    /// Its path or registry reference.
    pub path: &'a str,
    /// Where the path is.
    pub path_at: usize,
    /// The statement.
    pub stmt: &'a Statement,
    /// The object body.
    pub object: Option<&'a [Prop]>,
    /// The loop.
    pub looped: Option<&'a For>,
    /// The condition.
    pub condition: Option<&'a Expr>,
}

/// What an imported name is.
#[derive(Clone, Debug)]
pub(crate) enum Imported {
    /// A variable, under this name in the importing template.
    Var(String),
    /// A function, in this namespace of the importing template.
    Func(String, String),
    /// A type.
    Type(Type),
    /// A namespace of `import * as`: its members.
    Namespace(BTreeMap<String, Imported>),
    /// Not available, with the reason.
    Unavailable(String),
}

/// One file being compiled.
pub(crate) struct Unit<'a> {
    /// The file's path.
    pub path: PathBuf,
    /// Its name for messages.
    pub name: String,
    /// Its index in the source map.
    pub src: usize,
    /// Its statements.
    pub stmts: &'a [Statement],
    /// `targetScope`.
    pub scope: TargetScope,
    /// Parameters.
    pub params: BTreeSet<String>,
    /// Variables, and the name each has in the template.
    pub vars: BTreeMap<String, (&'a Expr, String)>,
    /// Resources by key (a nested child's key is `parent::child`).
    pub resources: BTreeMap<String, Res<'a>>,
    /// Modules.
    pub modules: BTreeMap<String, Module<'a>>,
    /// User-defined functions.
    pub funcs: BTreeSet<String>,
    /// User-defined types.
    pub types: BTreeMap<String, &'a Type>,
    /// Imported names.
    pub imports: BTreeMap<String, Imported>,
    /// Variables and functions imported from other files, for the template.
    pub imported_json: RefCell<(Map<String, Json>, Vec<Json>)>,
    /// The compilation.
    pub session: &'a Session,
    /// Modules above this file.
    pub depth: usize,
    /// The source map being built.
    pub map: RefCell<SourceMap>,
    /// What was said.
    pub problems: RefCell<Vec<Problem>>,
    /// Prefix of this file's variable names in the template (imported files).
    pub var_prefix: String,
    /// Namespace of this file's functions in the template.
    pub func_ns: String,
}

impl<'a> Unit<'a> {
    /// A unit whose variables take `var_prefix` and whose functions live in `func_ns` (an
    /// imported file's, inside the importing template).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn with_names(
        path: &Path,
        name: &str,
        src: usize,
        stmts: &'a [Statement],
        session: &'a Session,
        depth: usize,
        map: SourceMap,
        var_prefix: &str,
        func_ns: &str,
    ) -> Self {
        let mut u = Unit {
            path: path.to_path_buf(),
            name: name.to_string(),
            src,
            stmts,
            scope: TargetScope::ResourceGroup,
            params: BTreeSet::new(),
            vars: BTreeMap::new(),
            resources: BTreeMap::new(),
            modules: BTreeMap::new(),
            funcs: BTreeSet::new(),
            types: BTreeMap::new(),
            imports: BTreeMap::new(),
            imported_json: RefCell::new((Map::new(), Vec::new())),
            session,
            depth,
            map: RefCell::new(map),
            problems: RefCell::new(Vec::new()),
            var_prefix: var_prefix.to_string(),
            func_ns: func_ns.to_string(),
        };
        u.declare();
        u
    }

    /// The place of byte offset `at` in this file.
    pub fn place(&self, at: usize) -> Place {
        let m = self.map.borrow();
        let (line, column) = crate::syntax::line_column(&m.sources[self.src].text, at);
        Place {
            file: self.name.clone(),
            line,
            column,
        }
    }

    /// Records an error at `at`.
    pub fn error(&self, at: usize, message: &str) {
        self.problems.borrow_mut().push(Problem {
            place: self.place(at),
            message: message.to_string(),
            error: true,
        });
    }

    /// Records a warning at `at`.
    pub fn warning(&self, at: usize, message: &str) {
        self.problems.borrow_mut().push(Problem {
            place: self.place(at),
            message: message.to_string(),
            error: false,
        });
    }

    /// Records that the template value at `path` comes from `at`.
    pub fn record(&self, path: &str, at: usize) {
        self.map.borrow_mut().record(path, self.src, at);
    }

    /// Collects the declarations' names (before anything is compiled, as Bicep resolves names
    /// regardless of order).
    fn declare(&mut self) {
        let stmts = self.stmts;
        for s in stmts {
            match &s.decl {
                Decl::TargetScope(e) => {
                    self.scope = match &e.kind {
                        ExprKind::Str { pieces, holes } if holes.is_empty() => {
                            match pieces[0].as_str() {
                                "resourceGroup" => TargetScope::ResourceGroup,
                                "subscription" => TargetScope::Subscription,
                                "managementGroup" => TargetScope::ManagementGroup,
                                "tenant" => TargetScope::Tenant,
                                other => {
                                    self.error(e.at, &format!("targetScope '{other}' is not one of resourceGroup, subscription, managementGroup, tenant"));
                                    TargetScope::ResourceGroup
                                }
                            }
                        }
                        _ => {
                            self.error(e.at, "targetScope must be a string literal");
                            TargetScope::ResourceGroup
                        }
                    }
                }
                Decl::Param { name, .. } => {
                    self.params.insert(name.clone());
                }
                Decl::Var { name, value } => {
                    let arm = format!("{}{name}", self.var_prefix);
                    self.vars.insert(name.clone(), (value, arm));
                }
                Decl::Resource(r) => self.declare_resource(r, None),
                Decl::Module {
                    name,
                    path,
                    path_at,
                    body,
                } => {
                    let (object, looped, condition) = shape(body);
                    self.modules.insert(
                        name.clone(),
                        Module {
                            sym: name.clone(),
                            path,
                            path_at: *path_at,
                            stmt: s,
                            object,
                            looped,
                            condition,
                        },
                    );
                }
                Decl::Func { name, .. } => {
                    self.funcs.insert(name.clone());
                }
                Decl::TypeAlias { name, ty } => {
                    self.types.insert(name.clone(), ty);
                }
                Decl::Import { .. } => self.import(s),
                Decl::Output { .. } | Decl::Using(_) | Decl::Ignored(_) => {}
            }
        }
    }

    fn declare_resource(&mut self, r: &'a Resource, parent: Option<(&str, &str)>) {
        let (object, looped, condition) = shape(&r.body);
        let (ty, api) = r.ty.split_once('@').unwrap_or((&r.ty, ""));
        // A nested child written by its short type takes its parent's API version.
        let api = match parent {
            Some((pk, _)) if api.is_empty() => self
                .resources
                .get(pk)
                .map_or("", |p| p.api.as_str())
                .to_string(),
            _ => api.to_string(),
        };
        if api.is_empty() {
            self.warning(r.ty_at, &format!("the type '{}' has no @apiVersion", r.ty));
        }
        let key = match parent {
            Some((pk, _)) => format!("{pk}::{}", r.name),
            None => r.name.clone(),
        };
        let full_ty = match parent {
            Some((_, pt)) if !ty.contains('/') => format!("{pt}/{ty}"),
            _ => ty.to_string(),
        };
        let full_ty = self
            .session
            .known_types
            .iter()
            .find(|k| k.eq_ignore_ascii_case(&full_ty))
            .cloned()
            .unwrap_or(full_ty);
        let mut parent_ref = parent.map(|(pk, _)| (pk.to_string(), None));
        let mut scope = None;
        for p in object.into_iter().flatten() {
            if let Prop::Pair { key: k, value, .. } = p {
                match literal_key(k).as_deref() {
                    Some("parent") => match parent_target(value) {
                        Some((name, idx)) => parent_ref = Some((name, idx)),
                        None => self.error(
                            value.at,
                            "parent: must name a resource (`parent: vnet` or `parent: vnets[i]`)",
                        ),
                    },
                    Some("scope") => scope = Some(value),
                    _ => {}
                }
            }
        }
        self.resources.insert(
            key.clone(),
            Res {
                sym: key.clone(),
                ty: full_ty.clone(),
                api,
                decl: r,
                object,
                looped,
                condition,
                parent: parent_ref,
                scope,
            },
        );
        for p in object.into_iter().flatten() {
            if let Prop::Resource(child) = p {
                if looped.is_some() {
                    self.error(
                        child.at,
                        "a resource nested in a resource with a loop is not allowed (Bicep BCP160)",
                    );
                    continue;
                }
                self.declare_resource(child, Some((&key, &full_ty)));
            }
        }
    }

    /// The template.
    fn template(&self) -> Map<String, Json> {
        let mut t = Map::new();
        t.insert("$schema".into(), Json::String(self.scope.schema().into()));
        t.insert("languageVersion".into(), Json::String("2.0".into()));
        t.insert("contentVersion".into(), Json::String("1.0.0.0".into()));
        let params = self.params_json();
        let mut vars = self.vars_json();
        let mut funcs = self.funcs_json();
        let outputs = self.outputs_json();
        let resources = self.all_resources();
        let (ivars, ifuncs) = self.imported_json.take();
        vars.extend(ivars);
        funcs.extend(ifuncs);
        t.insert("parameters".into(), Json::Object(params));
        if !funcs.is_empty() {
            t.insert("functions".into(), Json::Array(funcs));
        }
        t.insert("variables".into(), Json::Object(vars));
        t.insert("resources".into(), Json::Object(resources));
        t.insert("outputs".into(), Json::Object(outputs));
        t
    }
}

/// The object, loop and condition of a resource or module body.
pub(crate) fn shape(body: &Expr) -> (Option<&[Prop]>, Option<&For>, Option<&Expr>) {
    match &body.kind {
        ExprKind::Object(p) => (Some(p), None, None),
        ExprKind::If(c, b) => match &b.kind {
            ExprKind::Object(p) => (Some(p), None, Some(c)),
            _ => (None, None, Some(c)),
        },
        ExprKind::For(f) => {
            let (o, _, c) = shape(&f.body);
            (o, Some(f), c)
        }
        _ => (None, None, None),
    }
}

/// A property key written as a name or a plain string.
pub(crate) fn literal_key(k: &Expr) -> Option<String> {
    match &k.kind {
        ExprKind::Str { pieces, holes } if holes.is_empty() => Some(pieces[0].clone()),
        _ => None,
    }
}

/// The value of `parent:`: a resource, or an element of a resource loop.
fn parent_target(e: &Expr) -> Option<(String, Option<&Expr>)> {
    match &e.kind {
        ExprKind::Ident(n) => Some((n.clone(), None)),
        ExprKind::Index { base, index, .. } => match &base.kind {
            ExprKind::Ident(n) => Some((n.clone(), Some(index))),
            _ => None,
        },
        ExprKind::Child(base, c) => {
            let (b, i) = parent_target(base)?;
            i.is_none().then(|| (format!("{b}::{c}"), None))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
