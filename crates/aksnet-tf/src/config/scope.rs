//! Names as a module instance sees them: `var`, `local`, `path`, `terraform`, `module`,
//! `data` and resources.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use aksnet_arm::Value;
use serde_json::Value as Json;

use super::eval::Scope;
use super::functions::Dirs;
use super::modules::{Loader, ModInst};
use super::value::{unknown, EvalError, R};
use crate::Diagnostic;

/// Names as a module instance sees them.
pub(crate) struct ModScope<'a, 'p> {
    /// The loader.
    pub(super) loader: &'a Loader<'p>,
    /// The module instance's id.
    pub(super) id: usize,
    /// The module instance.
    pub(super) m: Rc<ModInst>,
}

impl Scope for ModScope<'_, '_> {
    fn resolve(&self, root: &str, attrs: &[&str]) -> R<(Rc<Value>, usize)> {
        let first = attrs.first().copied();
        let need = |what: &str| {
            EvalError::new(format!(
                "\"{root}\" must be followed by an attribute name ({what})"
            ))
        };
        match root {
            "var" => {
                let n = first.ok_or_else(|| need("var.NAME"))?;
                let Some(v) = self.m.vars.get(n) else {
                    return Err(EvalError::new(format!(
                        "reference to undeclared input variable \"{n}\""
                    )));
                };
                match &v.value {
                    Some(x) => Ok((x.clone(), 1)),
                    None => {
                        if !v.warned.replace(true) {
                            self.loader.diag(Diagnostic {
                                error: false,
                                origin: Some(v.origin.clone()),
                                message: format!(
                                    "variable \"{n}\" has no value; what depends on it is unknown"
                                ),
                                hint: Some(format!(
                                    "give it with --var {n}=VALUE or a .tfvars file"
                                )),
                            });
                        }
                        let reason = if self.m.is_root() {
                            format!("variable \"{n}\" has no value (give it with --var {n}=VALUE or a .tfvars file)")
                        } else {
                            format!(
                                "variable \"{n}\" has no value (the module call does not give it)"
                            )
                        };
                        Ok((Rc::new(unknown(format!("var.{n}"), reason)), 1))
                    }
                }
            }
            "local" => {
                let n = first.ok_or_else(|| need("local.NAME"))?;
                Ok((self.loader.local(self.id, n)?, 1))
            }
            "each" | "count" => Err(EvalError::new(format!(
                "\"{root}\" can only be used in a block that sets {}",
                if root == "each" { "for_each" } else { "count" }
            ))),
            "path" => {
                let n = first.ok_or_else(|| need("path.module"))?;
                let p = match n {
                    "module" => absolute(&self.m.src.dir).display().to_string(),
                    "root" => absolute(&self.loader.root_dir).display().to_string(),
                    "cwd" => std::env::current_dir()
                        .map(|d| d.display().to_string())
                        .unwrap_or_else(|_| ".".into()),
                    other => {
                        return Err(EvalError::new(format!(
                            "unknown path attribute \"{other}\""
                        )))
                    }
                };
                let p = if p.is_empty() { ".".into() } else { p };
                Ok((Rc::new(Value::Known(Json::String(p))), 1))
            }
            "terraform" => match first {
                Some("workspace") => Ok((Rc::new(Value::Known(Json::String("default".into()))), 1)),
                _ => Err(EvalError::new("only terraform.workspace is available")),
            },
            "module" => {
                let n = first.ok_or_else(|| need("module.NAME"))?;
                if !self.m.src.calls.contains_key(n) {
                    return Err(EvalError::new(format!(
                        "reference to undeclared module \"{n}\""
                    )));
                }
                match self.loader.module_value(self.id, n) {
                    Value::Unknown(mut u) => {
                        let used = if attrs.len() > 1 { 2 } else { 1 };
                        u.expression = format!("module.{}", attrs[..used].join("."));
                        Ok((Rc::new(Value::Unknown(u)), used))
                    }
                    v => Ok((Rc::new(v), 1)),
                }
            }
            "data" => {
                if attrs.len() < 2 {
                    return Err(need("data.TYPE.NAME"));
                }
                let key = format!("data.{}.{}", attrs[0], attrs[1]);
                if !self.m.src.resources.contains_key(&key) {
                    return Err(EvalError::new(format!(
                        "reference to undeclared data source \"{key}\""
                    )));
                }
                Ok((self.loader.resource(self.id, &key).value.clone(), 2))
            }
            "self" => Err(EvalError::new("\"self\" is only available in provisioners")),
            t => {
                let n = first.ok_or_else(|| EvalError::new(format!("unknown name \"{t}\"")))?;
                let key = format!("{t}.{n}");
                if !self.m.src.resources.contains_key(&key) {
                    return Err(EvalError::new(format!(
                        "reference to undeclared resource \"{key}\""
                    )));
                }
                Ok((self.loader.resource(self.id, &key).value.clone(), 1))
            }
        }
    }

    fn dirs(&self) -> Dirs {
        Dirs {
            module: self.m.src.dir.clone(),
            in_template: false,
        }
    }

    fn depth(&self) -> &Cell<u32> {
        &self.loader.depth
    }

    fn module_id(&self) -> usize {
        self.id
    }
}

/// `p` made absolute against the current directory, `.` and `..` resolved.
fn absolute(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}
