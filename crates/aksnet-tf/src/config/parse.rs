//! Reading `.tf` files: parsing with hcl-edit, positions as [`Origin`]s, and a module
//! directory's declarations in order.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};
use hcl_edit::Span;

use crate::{Diagnostic, Origin};

/// A source file's text and where its lines start.
#[derive(Debug)]
pub(crate) struct SrcFile {
    /// The path, as found from the user's.
    pub path: PathBuf,
    text: String,
    line_starts: Vec<usize>,
}

impl SrcFile {
    /// A file with its text.
    pub fn new(path: PathBuf, text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SrcFile {
            path,
            text,
            line_starts,
        }
    }

    /// The 1-based line and character column of a byte offset.
    pub fn origin(&self, offset: usize) -> Origin {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|s| *s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        Origin {
            file: self.path.clone(),
            line: line as u32,
            column: column as u32,
        }
    }

    /// The origin of a span's start, or the file's start.
    pub fn origin_of(&self, span: Option<std::ops::Range<usize>>) -> Origin {
        self.origin(span.map(|s| s.start).unwrap_or(0))
    }
}

/// An error diagnostic.
pub(crate) fn error(origin: Option<Origin>, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        error: true,
        origin,
        message: message.into(),
        hint: None,
    }
}

/// A warning diagnostic.
pub(crate) fn warning(origin: Option<Origin>, message: impl Into<String>) -> Diagnostic {
    Diagnostic {
        error: false,
        origin,
        message: message.into(),
        hint: None,
    }
}

/// Reads and parses one HCL file; a problem is a diagnostic and `None`.
pub(crate) fn parse_file(path: &Path, diags: &mut Vec<Diagnostic>) -> Option<(Rc<SrcFile>, Body)> {
    let text = match read_limited(path) {
        Ok(t) => t,
        Err(e) => {
            diags.push(error(
                Some(Origin {
                    file: path.to_path_buf(),
                    line: 1,
                    column: 1,
                }),
                format!("cannot read {}: {e}", path.display()),
            ));
            return None;
        }
    };
    let file = Rc::new(SrcFile::new(path.to_path_buf(), text));
    match hcl_edit::parser::parse_body(&file.text) {
        Ok(body) => Some((file, body)),
        Err(e) => {
            let loc = e.location();
            let mut o = file.origin(loc.offset());
            if o.line as usize != loc.line() {
                o.line = loc.line() as u32;
                o.column = loc.column() as u32;
            }
            diags.push(error(Some(o), format!("syntax error: {}", e.message())));
            None
        }
    }
}

/// Reads a regular file of at most 16 MiB.
pub(crate) fn read_limited(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > 16 << 20 {
        return Err("larger than 16 MiB".into());
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "not valid UTF-8".into())
}

/// A `variable` block.
#[derive(Debug)]
pub(crate) struct VarDecl {
    /// `default`, if given.
    pub default: Option<Expression>,
    /// The head of its `type` (`string`, `list`, `map`, `object`, `number`, `bool`, `any`,
    /// ...), if given.
    pub type_head: Option<String>,
    /// Its `type`, read.
    pub ty: Option<super::types::Ty>,
    /// `nullable` (true unless `nullable = false`).
    pub nullable: bool,
    /// Where it is declared.
    pub origin: Origin,
}

/// A `resource` or `data` block.
#[derive(Debug)]
pub(crate) struct ResDecl {
    /// `azurerm_subnet` or, for data sources, `data.azurerm_subnet`.
    pub kind: String,
    /// `azurerm_subnet.a` or `data.azurerm_subnet.a`.
    pub key: String,
    /// The block.
    pub block: Block,
    /// Its file.
    pub file: Rc<SrcFile>,
}

/// A `module` block.
#[derive(Debug)]
pub(crate) struct CallDecl {
    /// The call's name.
    pub name: String,
    /// The block.
    pub block: Block,
    /// Its file.
    pub file: Rc<SrcFile>,
}

/// An expression with its file (a local or an output).
#[derive(Debug)]
pub(crate) struct Named {
    /// The expression.
    pub expr: Expression,
    /// Its file.
    pub file: Rc<SrcFile>,
}

/// A `provider "azurerm"` block: the configuration's name and its `subscription_id`.
#[derive(Debug)]
pub(crate) struct ProviderDecl {
    /// `azurerm`, or `azurerm.ALIAS` for an aliased configuration.
    pub name: String,
    /// `subscription_id`, if given.
    pub subscription_id: Option<Expression>,
    /// Its file.
    pub file: Rc<SrcFile>,
}

/// A top-level item that produces instances, in declaration order.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    /// A managed resource.
    Resource(Rc<ResDecl>),
    /// A module call.
    Module(Rc<CallDecl>),
}

/// A module directory's declarations.
#[derive(Debug, Default)]
pub(crate) struct ModuleSrc {
    /// The module's directory.
    pub dir: PathBuf,
    /// Its variables by name.
    pub variables: HashMap<String, VarDecl>,
    /// Its locals by name.
    pub locals: HashMap<String, Rc<Named>>,
    /// Its outputs by name.
    pub outputs: HashMap<String, Rc<Named>>,
    /// Its resources and data sources by key.
    pub resources: HashMap<String, Rc<ResDecl>>,
    /// Its module calls by name.
    pub calls: HashMap<String, Rc<CallDecl>>,
    /// Resources and module calls in declaration order.
    pub items: Vec<Item>,
    /// Its `provider "azurerm"` blocks.
    pub providers: Vec<Rc<ProviderDecl>>,
}

fn label(b: &Block, i: usize) -> Option<String> {
    b.labels.get(i).map(|l| l.as_str().to_string())
}

/// The name of a `type` expression's head: `string`, `list`, `object`, ...
fn type_head(e: &Expression) -> Option<String> {
    match e {
        Expression::Variable(v) => Some(v.value().to_string()),
        Expression::FuncCall(f) => Some(f.name.name.value().to_string()),
        _ => None,
    }
}

/// The `.tf` files of a module directory (or the one file given), sorted by name.
pub(crate) fn tf_files(root: &Path, diags: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    if root.is_file() {
        return vec![root.to_path_buf()];
    }
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(root) {
        Ok(e) => e,
        Err(e) => {
            diags.push(error(
                None,
                format!("cannot read directory {}: {e}", root.display()),
            ));
            return out;
        }
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        // Terraform ignores hidden files and editor backups.
        if name.starts_with('.')
            || name.starts_with('#')
            || name.ends_with('~')
            || name.ends_with('#')
            || !p.is_file()
        {
            continue;
        }
        if name.ends_with(".tf") {
            out.push(p);
        } else if name.ends_with(".tf.json") {
            diags.push(warning(
                Some(Origin {
                    file: p.clone(),
                    line: 1,
                    column: 1,
                }),
                format!("{name}: JSON configuration files are not read"),
            ));
        }
    }
    out.sort();
    out
}

/// Whether a file is an override file (`override.tf`, `*_override.tf`), merged into the
/// blocks the other files declare.
fn is_override(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n == "override.tf" || n.ends_with("_override.tf"))
}

/// Merges an override file's block into the block it overrides, as Terraform does: each
/// argument replaces the original's, each nested block type replaces all the original's
/// blocks of that type; a `locals` block replaces the locals it names.
fn apply_override(
    blocks: &mut [(Rc<SrcFile>, Block)],
    file: &SrcFile,
    o: Block,
    diags: &mut Vec<Diagnostic>,
) {
    let kind = o.ident.value().to_string();
    if kind == "locals" {
        for a in o.body.attributes() {
            let key = a.key.value().to_string();
            let target = blocks
                .iter_mut()
                .find(|(_, b)| b.ident.value().as_str() == "locals" && b.body.has_attribute(&key));
            match target {
                Some((_, b)) => {
                    b.body.remove_attribute(&key);
                    b.body.push(a.clone());
                }
                None => diags.push(error(
                    Some(file.origin_of(a.span())),
                    format!("override of local value \"{key}\", which is not declared"),
                )),
            }
        }
        return;
    }
    if matches!(kind.as_str(), "terraform" | "provider") {
        return;
    }
    let labels: Vec<&str> = o.labels.iter().map(|l| l.as_str()).collect();
    let target = blocks.iter_mut().find(|(_, b)| {
        b.ident.value().as_str() == kind
            && b.labels
                .iter()
                .map(|l| l.as_str())
                .eq(labels.iter().copied())
    });
    let Some((_, b)) = target else {
        diags.push(error(
            Some(file.origin_of(o.span())),
            format!(
                "override of {kind} {}, which is not declared",
                labels.join(".")
            ),
        ));
        return;
    };
    for a in o.body.attributes() {
        b.body.remove_attribute(a.key.value().as_str());
        b.body.push(a.clone());
    }
    let mut kinds: Vec<String> = o
        .body
        .blocks()
        .map(|x| x.ident.value().to_string())
        .collect();
    kinds.dedup();
    for k in &kinds {
        b.body.remove_blocks(k);
    }
    for x in o.body.blocks() {
        b.body.push(x.clone());
    }
}

/// Reads a module directory (or one `.tf` file): its declarations, in order.
pub(crate) fn read_module(
    path: &Path,
    diags: &mut Vec<Diagnostic>,
    files: &mut Vec<PathBuf>,
) -> ModuleSrc {
    let dir = if path.is_file() {
        path.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        path.to_path_buf()
    };
    let mut m = ModuleSrc {
        dir,
        ..Default::default()
    };
    let mut blocks: Vec<(Rc<SrcFile>, Block)> = Vec::new();
    let mut overrides: Vec<(Rc<SrcFile>, Block)> = Vec::new();
    let all = tf_files(path, diags);
    let (normal, over): (Vec<PathBuf>, Vec<PathBuf>) =
        all.into_iter().partition(|p| !is_override(p));
    for p in normal.into_iter().chain(over) {
        files.push(p.clone());
        let Some((file, body)) = parse_file(&p, diags) else {
            continue;
        };
        let target = if is_override(&p) {
            &mut overrides
        } else {
            &mut blocks
        };
        for b in body.blocks() {
            target.push((file.clone(), b.clone()));
        }
    }
    for (file, o) in overrides {
        apply_override(&mut blocks, &file, o, diags);
    }
    {
        for (file, b) in &blocks {
            let file = file.clone();
            let origin = file.origin_of(b.span());
            match b.ident.value().as_str() {
                "variable" => {
                    let Some(name) = label(b, 0) else {
                        diags.push(error(Some(origin), "a variable block needs a name"));
                        continue;
                    };
                    let attr = |k: &str| b.body.get_attribute(k).map(|a| a.value.clone());
                    let nullable =
                        !matches!(attr("nullable"), Some(Expression::Bool(b)) if !*b.value());
                    let decl = VarDecl {
                        default: attr("default"),
                        type_head: attr("type").as_ref().and_then(type_head),
                        ty: attr("type").as_ref().and_then(super::types::parse),
                        nullable,
                        origin: origin.clone(),
                    };
                    if m.variables.insert(name.clone(), decl).is_some() {
                        diags.push(error(
                            Some(origin),
                            format!("duplicate variable \"{name}\""),
                        ));
                    }
                }
                "locals" => {
                    for a in b.body.attributes() {
                        let name = a.key.value().to_string();
                        let n = Rc::new(Named {
                            expr: a.value.clone(),
                            file: file.clone(),
                        });
                        if m.locals.insert(name.clone(), n).is_some() {
                            diags.push(error(
                                Some(file.origin_of(a.span())),
                                format!("duplicate local value \"{name}\""),
                            ));
                        }
                    }
                }
                "output" => {
                    let (Some(name), Some(v)) = (label(b, 0), b.body.get_attribute("value")) else {
                        diags.push(error(Some(origin), "an output needs a name and a value"));
                        continue;
                    };
                    m.outputs.insert(
                        name,
                        Rc::new(Named {
                            expr: v.value.clone(),
                            file: file.clone(),
                        }),
                    );
                }
                kw @ ("resource" | "data") => {
                    let (Some(t), Some(n)) = (label(b, 0), label(b, 1)) else {
                        diags.push(error(
                            Some(origin),
                            format!("a {kw} block needs a type and a name"),
                        ));
                        continue;
                    };
                    let (kind, key) = if kw == "data" {
                        (format!("data.{t}"), format!("data.{t}.{n}"))
                    } else {
                        (t.clone(), format!("{t}.{n}"))
                    };
                    let d = Rc::new(ResDecl {
                        kind,
                        key: key.clone(),
                        block: b.clone(),
                        file: file.clone(),
                    });
                    if m.resources.insert(key.clone(), d.clone()).is_some() {
                        diags.push(error(Some(origin), format!("duplicate {kw} \"{key}\"")));
                        continue;
                    }
                    if kw == "resource" {
                        m.items.push(Item::Resource(d));
                    }
                }
                "module" => {
                    let Some(name) = label(b, 0) else {
                        diags.push(error(Some(origin), "a module block needs a name"));
                        continue;
                    };
                    let c = Rc::new(CallDecl {
                        name: name.clone(),
                        block: b.clone(),
                        file: file.clone(),
                    });
                    if m.calls.insert(name.clone(), c.clone()).is_some() {
                        diags.push(error(Some(origin), format!("duplicate module \"{name}\"")));
                        continue;
                    }
                    m.items.push(Item::Module(c));
                }
                "provider" if label(b, 0).as_deref() == Some("azurerm") => {
                    let name = match b.body.get_attribute("alias").map(|a| &a.value) {
                        None => "azurerm".to_string(),
                        Some(Expression::String(s)) => format!("azurerm.{}", s.value()),
                        Some(_) => {
                            diags.push(error(
                                Some(origin),
                                "provider \"azurerm\": alias must be a literal string",
                            ));
                            continue;
                        }
                    };
                    if m.providers.iter().any(|p| p.name == name) {
                        diags.push(error(
                            Some(origin),
                            format!("duplicate provider configuration {name}"),
                        ));
                        continue;
                    }
                    m.providers.push(Rc::new(ProviderDecl {
                        name,
                        subscription_id: b
                            .body
                            .get_attribute("subscription_id")
                            .map(|a| a.value.clone()),
                        file: file.clone(),
                    }));
                }
                _ => {}
            }
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_starts_at_its_keyword() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("main.tf");
        std::fs::write(
            &p,
            "# comment\n\n  /* c */ resource \"azurerm_subnet\" \"a\" {\n  name = \"a\"\n}\n",
        )
        .expect("write");
        let (mut diags, mut files) = (Vec::new(), Vec::new());
        let m = read_module(&p, &mut diags, &mut files);
        let d = &m.resources["azurerm_subnet.a"];
        let o = d.file.origin_of(d.block.span());
        assert_eq!((o.line, o.column), (3, 11));
        assert!(diags.is_empty());
        assert_eq!(files, vec![p]);
    }

    #[test]
    fn origins_count_characters() {
        let f = SrcFile::new("x.tf".into(), "ab\n\u{e9}\u{e9}x\n".into());
        let o = f.origin(0);
        assert_eq!((o.line, o.column), (1, 1));
        let o = f.origin(3);
        assert_eq!((o.line, o.column), (2, 1));
        let o = f.origin(7);
        assert_eq!((o.line, o.column), (2, 3));
    }
}
