//! Bicep files, compiled by [`aksnet_bicep`] and deployed like ARM templates: the resources a
//! deployment would create are handed on with their declaration's `file:line:column` as their
//! origin, and what the compiler and deployer say is reported at the Bicep position it is
//! about (the compiled template's JSON paths are mapped back through the source map).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

use aksnet_arm::template::{self, Deployment, Note, Origin, ScopeKind, World};
use aksnet_bicep::{Compiled, Problem, SourceMap};
use serde_json::{Map, Value};

use crate::arm;
use crate::raw::{Diagnostic, Out, Templates};

/// Whether `p` is a `.bicep` file.
pub(crate) fn is_bicep(p: &Path) -> bool {
    p.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("bicep"))
}

/// Whether `p` is a `.bicepparam` file.
pub(crate) fn is_bicepparam(p: &Path) -> bool {
    p.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("bicepparam"))
}

/// A compiler problem as a diagnostic at its position.
pub(crate) fn problem(p: &Problem) -> Diagnostic {
    let d = Diagnostic::at_position(&p.place.file, p.place.line, p.place.column, &p.message);
    Diagnostic {
        error: p.error,
        ..d
    }
}

/// Compiles `path` with the types aksnet models in their canonical casing.
pub(crate) fn compile_file(path: &Path) -> Result<Compiled, Problem> {
    let options = aksnet_bicep::Options {
        known_types: crate::assemble::modelled_types()
            .into_iter()
            .map(str::to_string)
            .collect(),
    };
    aksnet_bicep::compile_with(path, &options)
}

/// The hint of a file that does not compile.
const HINT: &str =
    "aksnet reads Bicep without the Bicep CLI; docs/import.md lists the language it covers";

/// Compiles `path`; the compiler's problems go to `diags`.
pub(crate) fn compile(path: &Path, diags: &mut Vec<Diagnostic>) -> Option<Compiled> {
    match compile_file(path) {
        Ok(c) => {
            diags.extend(c.problems.iter().map(problem));
            Some(c)
        }
        Err(p) => {
            diags.push(problem(&p).with_hint(HINT));
            None
        }
    }
}

/// The source maps of the Bicep files deployed in a run, by the file name the deployer gives
/// their notes and origins.
#[derive(Default)]
pub(crate) struct Maps(HashMap<String, SourceMap>);

impl Maps {
    /// Remembers the map of the Bicep file `file`.
    pub(crate) fn add(&mut self, file: &str, map: SourceMap) {
        self.0.insert(file.to_string(), map);
    }

    /// The deployer's notes: those about a Bicep file at their Bicep position, others as ARM
    /// notes.
    pub(crate) fn notes(&self, notes: Vec<Note>, diags: &mut Vec<Diagnostic>) {
        let mut arm_notes = Vec::new();
        for n in notes {
            match self.0.get(&n.file).and_then(|m| m.place(&n.path)) {
                Some(p) => {
                    // A column inside a compiled expression means nothing in the Bicep file.
                    let message = n
                        .message
                        .strip_prefix("column ")
                        .and_then(|r| r.split_once(": "))
                        .filter(|(c, _)| c.parse::<u64>().is_ok())
                        .map_or(n.message.as_str(), |(_, m)| m);
                    let d = Diagnostic::at_position(&p.file, p.line, p.column, message);
                    diags.push(Diagnostic {
                        error: n.error,
                        ..d
                    });
                }
                None => arm_notes.push(n),
            }
        }
        arm::notes(arm_notes, diags);
    }

    /// The world with each resource a Bicep file declared given its Bicep position as its
    /// origin (`main.bicep:12:1` and its address, `hub > vnet`).
    pub(crate) fn relocate(&self, world: World) -> World {
        let mut out = World::default();
        for mut r in world.into_resources() {
            if let Some(p) = self
                .0
                .get(&r.origin.file)
                .and_then(|m| m.place(&r.origin.path))
            {
                r.origin = Origin {
                    file: format!("{}:{}:{}", p.file, p.line, p.column),
                    path: address(&r.origin.path),
                    copies: r.origin.copies,
                };
            }
            out.put(r);
        }
        out
    }
}

/// A compiled template's resource path as Bicep names it:
/// `$.resources.hub.properties.template.resources.vnet` → `hub > vnet`.
fn address(path: &str) -> String {
    path.strip_prefix("$.resources.")
        .unwrap_or(path)
        .split(".properties.template.resources.")
        .collect::<Vec<_>>()
        .join(" > ")
}

/// The values of a `.bicepparam` file; its problems go to `diags`.
pub(crate) fn param_values(path: &Path, diags: &mut Vec<Diagnostic>) -> Option<Map<String, Value>> {
    match aksnet_bicep::params::read(path) {
        Ok(f) => {
            diags.extend(f.problems.iter().map(problem));
            Some(f.values)
        }
        Err(p) => {
            diags.push(problem(&p));
            None
        }
    }
}

/// The parameter values `--parameters` gives: `.bicepparam` files here, the rest as for ARM
/// templates, in order (later wins).
fn parameters(
    t: &Templates,
    template: &Map<String, Value>,
    diags: &mut Vec<Diagnostic>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for arg in &t.parameters {
        let file = Path::new(arg.strip_prefix('@').unwrap_or(arg));
        if is_bicepparam(file) && !arg.contains('=') {
            out.extend(param_values(file, diags).unwrap_or_default());
        } else {
            let one = Templates {
                parameters: vec![arg.clone()],
                ..t.clone()
            };
            out.extend(arm::parameters(&one, template, diags));
        }
    }
    out
}

/// The template a `.bicepparam` file's `using` names (its values are read when the template
/// is deployed).
pub(crate) fn using(path: &Path) -> Option<std::path::PathBuf> {
    aksnet_bicep::params::using(path).ok().flatten()
}

/// Deploys the Bicep file `path` (with `--parameters`, which may be `.bicepparam` files) and
/// hands its resources on; returns the files read.
pub(crate) fn read(path: &Path, out: &mut Out, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let c = compile_file(path);
    deploy(path, c, out, diags)
}

/// Deploys the compiled Bicep file `path`; returns the files read.
pub(crate) fn deploy(
    path: &Path,
    compiled: Result<Compiled, Problem>,
    out: &mut Out,
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let name = path.display().to_string();
    let c = match compiled {
        Ok(c) => {
            diags.extend(c.problems.iter().map(problem));
            c
        }
        Err(p) => {
            diags.push(problem(&p).with_hint(HINT));
            return vec![name];
        }
    };
    let t = out.templates().clone();
    let given = parameters(&t, &c.template, diags);
    let d = Deployment {
        name: t.name.clone().unwrap_or_else(|| {
            path.file_stem().map_or("deployment".to_string(), |s| {
                s.to_string_lossy().into_owned()
            })
        }),
        file: name.clone(),
        template: &c.template,
        scope: arm::scope(&t, ScopeKind::of(&c.template)),
        parameters: given,
    };
    let world = RefCell::new(World::default());
    let outcome = template::deploy(&d, &world, &arm::Files);
    let mut maps = Maps::default();
    maps.add(&name, c.map.clone());
    maps.notes(outcome.notes, diags);
    arm::hand_on(maps.relocate(world.into_inner()), out, diags);
    let mut files = c.files.clone();
    for p in &t.parameters {
        let f = p.strip_prefix('@').unwrap_or(p);
        if is_bicepparam(Path::new(f)) {
            files.push(f.to_string());
        }
    }
    files
}

/// The Bicep files of a folder to deploy, compiled: each `.bicep` file that no other one in
/// the folder reads as a module or import (those are deployed as part of the file that uses
/// them). Files that do not compile are kept, so that their error is reported.
pub(crate) fn entry_points(dir: &Path) -> Vec<(std::path::PathBuf, Result<Compiled, Problem>)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| is_bicep(p) && p.is_file())
        .collect();
    files.sort();
    let compiled: Vec<_> = files.iter().map(|f| compile_file(f)).collect();
    let reads: Vec<std::collections::BTreeSet<std::path::PathBuf>> = compiled
        .iter()
        .map(|c| match c {
            Ok(c) => c
                .files
                .iter()
                .filter_map(|x| Path::new(x).canonicalize().ok())
                .collect(),
            Err(_) => Default::default(),
        })
        .collect();
    let me: Vec<_> = files.iter().map(|f| f.canonicalize().ok()).collect();
    files
        .into_iter()
        .zip(compiled)
        .enumerate()
        .filter(|(i, _)| {
            !reads
                .iter()
                .enumerate()
                .any(|(j, r)| j != *i && me[*i].as_ref().is_some_and(|m| r.contains(m)))
        })
        .map(|(_, x)| x)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_read_as_bicep_names_them() {
        assert_eq!(address("$.resources.vnet"), "vnet");
        assert_eq!(
            address("$.resources.hub.properties.template.resources.vnet::snet"),
            "hub > vnet::snet"
        );
    }
}
