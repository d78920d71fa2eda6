//! `.bicepparam` files, compiled to a template whose outputs are the parameter values and
//! evaluated by the ARM deployer (so that they use the same function library).

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use aksnet_arm::template::{self, Deployment, NoLoader, Scope, World};
use serde_json::{Map, Value as Json};

use super::expr::Env;
use super::{Problem, Session, Unit};
use crate::source_map::{Place, SourceMap};
use crate::syntax::ast::*;

/// A `.bicepparam` file read.
#[derive(Clone, Debug)]
pub struct ParamFile {
    /// The template its `using` names, relative to the current directory (`None` for `using
    /// none` or no `using`).
    pub using: Option<PathBuf>,
    /// The parameter values (unknown ones as markers).
    pub values: Map<String, Json>,
    /// What was said about it.
    pub problems: Vec<Problem>,
}

/// The template the `.bicepparam` file at `path` names (`using`), read without evaluating
/// its values.
pub fn using(path: &Path) -> Result<Option<PathBuf>, Problem> {
    let (_, _, stmts) = super::read_parsed(path)?;
    Ok(stmts
        .iter()
        .find_map(|s| match &s.decl {
            Decl::Using(u) => Some(
                u.as_ref()
                    .map(|u| super::join(path.parent().unwrap_or(Path::new(".")), u)),
            ),
            _ => None,
        })
        .flatten())
}

/// Reads the `.bicepparam` file at `path`.
pub fn read(path: &Path) -> Result<ParamFile, Problem> {
    let (name, text, stmts) = super::read_parsed(path)?;
    let session = Session::default();
    let mut map = SourceMap::default();
    let src = map.add_source(&name, text.clone());
    let mut unit = Unit::with_names(path, &name, src, &stmts, &session, 0, map, "", "__bicep");
    // A parameter's value is a variable of the evaluating template, so that other values can
    // use it.
    let mut using = None;
    let mut given = Vec::new();
    for s in &stmts {
        match &s.decl {
            Decl::Using(u) => {
                using = u
                    .as_ref()
                    .map(|u| super::join(path.parent().unwrap_or(Path::new(".")), u));
            }
            Decl::Param {
                name,
                default: Some(v),
                ..
            } => {
                unit.params.remove(name);
                unit.vars
                    .insert(name.clone(), (v, format!("__param_{name}")));
                given.push((name.clone(), v, s.at));
            }
            Decl::Param {
                name,
                default: None,
                ..
            } => {
                unit.error(s.at, &format!("the parameter '{name}' has no value"));
            }
            _ => {}
        }
    }
    let mut vars = unit.vars_json();
    let mut outputs = Map::new();
    for (name, v, at) in &given {
        let path = format!("$.variables.__param_{name}");
        unit.record(&path, *at);
        vars.insert(
            format!("__param_{name}"),
            unit.val(v, &Env::default(), &path),
        );
        let mut o = Map::new();
        o.insert("type".into(), Json::String("object".into()));
        o.insert(
            "value".into(),
            Json::String(format!("[variables('__param_{name}')]")),
        );
        outputs.insert(name.clone(), Json::Object(o));
    }
    let (ivars, ifuncs) = unit.imported_json.take();
    vars.extend(ivars);
    let mut t = Map::new();
    t.insert(
        "$schema".into(),
        Json::String(
            "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
                .into(),
        ),
    );
    t.insert("languageVersion".into(), Json::String("2.0".into()));
    t.insert("contentVersion".into(), Json::String("1.0.0.0".into()));
    let mut funcs = unit.funcs_json();
    funcs.extend(ifuncs);
    if !funcs.is_empty() {
        t.insert("functions".into(), Json::Array(funcs));
    }
    t.insert("variables".into(), Json::Object(vars));
    t.insert("resources".into(), Json::Object(Map::new()));
    t.insert("outputs".into(), Json::Object(outputs));
    let d = Deployment {
        name: "bicepparam".into(),
        file: name.clone(),
        template: &t,
        scope: Scope::default(),
        parameters: Map::new(),
    };
    let world = RefCell::new(World::default());
    let outcome = template::deploy(&d, &world, &NoLoader);
    let map = unit.map.borrow().clone();
    let mut problems = unit.problems.borrow().clone();
    for n in outcome.notes {
        let place = map.place(&n.path).unwrap_or(Place {
            file: name.clone(),
            line: 1,
            column: 1,
        });
        problems.push(Problem {
            place,
            message: n.message,
            error: n.error,
        });
    }
    let values = outcome
        .outputs
        .into_iter()
        .filter_map(|(k, v)| v.get("value").cloned().map(|v| (k, v)))
        .collect();
    Ok(ParamFile {
        using,
        values,
        problems,
    })
}
