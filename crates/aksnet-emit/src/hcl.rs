//! A small HCL writer for generated Terraform: blocks, attributes and expressions, rendered the
//! way `terraform fmt` lays them out (two-space indent, `=` aligned within a run of one-line
//! attributes). Output is a pure function of the tree, so generated files diff cleanly.
//!
//! Why not a crate: generation needs only this subset, and every generated file is parsed back
//! with python-hcl2 in the tests, which is the check that matters.

use std::fmt::Write;

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A quoted string (escaped on output).
    Str(String),
    /// A number.
    Num(i64),
    /// `true` / `false`.
    Bool(bool),
    /// `[a, b]`.
    List(Vec<Expr>),
    /// `{ k = v }` with keys in the given order.
    Map(Vec<(String, Expr)>),
    /// A reference or function call written as is: `azurerm_subnet.x.id`, `var.y`.
    Raw(String),
}

impl Expr {
    /// A string.
    pub fn s(v: impl Into<String>) -> Self {
        Expr::Str(v.into())
    }

    /// A list of strings.
    pub fn strs<I: IntoIterator<Item = S>, S: Into<String>>(v: I) -> Self {
        Expr::List(v.into_iter().map(|x| Expr::Str(x.into())).collect())
    }

    /// A reference.
    pub fn r(v: impl Into<String>) -> Self {
        Expr::Raw(v.into())
    }

    fn inline(&self) -> String {
        match self {
            Expr::Str(s) => quote(s),
            Expr::Num(n) => n.to_string(),
            Expr::Bool(b) => b.to_string(),
            Expr::Raw(r) => r.clone(),
            Expr::List(v) => format!(
                "[{}]",
                v.iter().map(Expr::inline).collect::<Vec<_>>().join(", ")
            ),
            Expr::Map(m) => {
                if m.is_empty() {
                    "{}".into()
                } else {
                    format!(
                        "{{ {} }}",
                        m.iter()
                            .map(|(k, v)| format!("{} = {}", key(k), v.inline()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            }
        }
    }
}

/// HCL string literal: quotes, backslashes, control characters and template sequences escaped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !k.starts_with(|c: char| c.is_ascii_digit())
    {
        k.to_string()
    } else {
        quote(k)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Item {
    Attr(String, Expr),
    Block(Block),
}

/// A block: `kind "label" { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    kind: String,
    labels: Vec<String>,
    items: Vec<Item>,
}

impl Block {
    /// An empty block.
    pub fn new(kind: &str, labels: &[&str]) -> Self {
        Block {
            kind: kind.to_string(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            items: Vec::new(),
        }
    }

    /// Adds an attribute.
    pub fn attr(&mut self, name: &str, value: Expr) -> &mut Self {
        self.items.push(Item::Attr(name.to_string(), value));
        self
    }

    /// Adds an attribute when there is a value.
    pub fn opt(&mut self, name: &str, value: Option<Expr>) -> &mut Self {
        if let Some(v) = value {
            self.attr(name, v);
        }
        self
    }

    /// Adds a nested block built by `f`.
    pub fn block(&mut self, kind: &str, f: impl FnOnce(&mut Block)) -> &mut Self {
        let mut b = Block::new(kind, &[]);
        f(&mut b);
        self.items.push(Item::Block(b));
        self
    }

    /// Adds a finished nested block.
    pub fn push(&mut self, b: Block) -> &mut Self {
        self.items.push(Item::Block(b));
        self
    }

    /// The block type (`resource`, `network_profile`, ...).
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The labels (`["azurerm_subnet", "snet"]`).
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The attributes, in order.
    pub fn attributes(&self) -> impl Iterator<Item = (&str, &Expr)> {
        self.items.iter().filter_map(|i| match i {
            Item::Attr(k, v) => Some((k.as_str(), v)),
            Item::Block(_) => None,
        })
    }

    /// The nested blocks, in order.
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.items.iter().filter_map(|i| match i {
            Item::Block(b) => Some(b),
            Item::Attr(..) => None,
        })
    }

    /// Renders the block at `indent` levels.
    pub fn render(&self, indent: usize) -> String {
        let mut out = String::new();
        let pad = "  ".repeat(indent);
        let labels: String = self
            .labels
            .iter()
            .map(|l| format!(" {}", quote(l)))
            .collect();
        if self.items.is_empty() {
            let _ = writeln!(out, "{pad}{}{labels} {{}}", self.kind);
            return out;
        }
        let _ = writeln!(out, "{pad}{}{labels} {{", self.kind);
        let inner = "  ".repeat(indent + 1);
        let mut i = 0;
        let mut previous_was_block = false;
        while i < self.items.len() {
            match &self.items[i] {
                Item::Block(b) => {
                    if i > 0 {
                        out.push('\n');
                    }
                    out.push_str(&b.render(indent + 1));
                    previous_was_block = true;
                    i += 1;
                }
                Item::Attr(..) => {
                    if previous_was_block {
                        out.push('\n');
                    }
                    // A run of attributes: `=` aligned over the one-line ones.
                    let start = i;
                    while i < self.items.len() && matches!(self.items[i], Item::Attr(..)) {
                        i += 1;
                    }
                    let run: Vec<(&String, String)> = self.items[start..i]
                        .iter()
                        .map(|it| match it {
                            Item::Attr(k, v) => (k, render_value(v, indent + 1)),
                            Item::Block(_) => {
                                unreachable!("a run holds attributes")
                            }
                        })
                        .collect();
                    // As `terraform fmt`: a multi-line value stands alone; the one-line
                    // attributes between them align among themselves.
                    for group in run.split_inclusive(|(_, v)| v.contains('\n')) {
                        let (single, multi) = match group.split_last() {
                            Some((last, rest)) if last.1.contains('\n') => (rest, Some(last)),
                            _ => (group, None),
                        };
                        let width = single.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
                        for (k, v) in single {
                            let _ = writeln!(out, "{inner}{k:<width$} = {v}");
                        }
                        if let Some((k, v)) = multi {
                            let _ = writeln!(out, "{inner}{k} = {v}");
                        }
                    }
                    previous_was_block = false;
                }
            }
        }
        let _ = writeln!(out, "{pad}}}");
        out
    }
}

/// A value on one line when it fits, else a list one element per line.
fn render_value(v: &Expr, indent: usize) -> String {
    let one = v.inline();
    match v {
        Expr::List(items) if one.len() > 80 && !items.is_empty() => {
            let pad = "  ".repeat(indent + 1);
            let mut s = String::from("[\n");
            for it in items {
                let _ = writeln!(s, "{pad}{},", render_value(it, indent + 1));
            }
            let _ = write!(s, "{}]", "  ".repeat(indent));
            s
        }
        Expr::Map(entries) if one.len() > 80 && !entries.is_empty() => {
            let pad = "  ".repeat(indent + 1);
            let width = entries.iter().map(|(k, _)| key(k).len()).max().unwrap_or(0);
            let mut s = String::from("{\n");
            for (k, val) in entries {
                let _ = writeln!(
                    s,
                    "{pad}{:<width$} = {}",
                    key(k),
                    render_value(val, indent + 1)
                );
            }
            let _ = write!(s, "{}}}", "  ".repeat(indent));
            s
        }
        _ => one,
    }
}

/// A file: top-level blocks separated by blank lines, with an optional header comment.
pub fn file(header: &str, blocks: &[Block]) -> String {
    let mut out = String::new();
    for line in header.lines() {
        let _ = writeln!(out, "# {line}");
    }
    for (i, b) in blocks.iter().enumerate() {
        if i > 0 || !header.is_empty() {
            out.push('\n');
        }
        out.push_str(&b.render(0));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_and_templates_disarmed() {
        assert_eq!(
            quote(r#"a "b" \ ${x} %{y} $z"#),
            r#""a \"b\" \\ $${x} %%{y} $z""#
        );
        assert_eq!(quote("line\nnext"), r#""line\nnext""#);
    }

    #[test]
    fn blocks_render_like_terraform_fmt() {
        let mut b = Block::new("resource", &["azurerm_subnet", "snet"]);
        b.attr("name", Expr::s("snet-a"))
            .attr("address_prefixes", Expr::strs(["10.0.0.0/24"]))
            .block("delegation", |d| {
                d.attr("name", Expr::s("x"));
            })
            .attr("default_outbound_access_enabled", Expr::Bool(false));
        assert_eq!(
            b.render(0),
            "resource \"azurerm_subnet\" \"snet\" {\n  name             = \"snet-a\"\n  address_prefixes = [\"10.0.0.0/24\"]\n\n  delegation {\n    name = \"x\"\n  }\n\n  default_outbound_access_enabled = false\n}\n"
        );
    }
}
