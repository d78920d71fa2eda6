//! The compile-time functions that read files beside the Bicep file: `loadTextContent`,
//! `loadFileAsBase64`, `loadJsonContent` (with a JSON path) and `loadYamlContent`. Their
//! results are literals of the compiled template, as the Bicep CLI writes them.

use std::path::Path;

use base64::Engine;
use serde_json::Value as Json;

use super::expr::{q, Fail};
use super::Unit;
use crate::syntax::ast::*;

/// The largest file a `load*` function reads (Bicep's own limits are lower: 131,072
/// characters of text, 96 KiB as base64, 1 MiB of JSON).
const MAX_LOAD_BYTES: u64 = 4 << 20;

fn literal_arg(args: &[Expr], i: usize) -> Option<&str> {
    match args.get(i).map(|a| &a.kind) {
        Some(ExprKind::Str { pieces, holes }) if holes.is_empty() => Some(&pieces[0]),
        _ => None,
    }
}

/// The value at a simple JSON path (`$.a.b[0]`, `.a`, `a.b`) of `j`.
fn select<'j>(j: &'j Json, path: &str) -> Option<&'j Json> {
    let mut cur = j;
    let p = path.trim().trim_start_matches('$');
    for part in p.split('.').filter(|s| !s.is_empty()) {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            cur = cur.get(name)?;
        }
        while let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let k = r[..end].trim_matches(['\'', '"']);
            cur = match k.parse::<usize>() {
                Ok(i) => cur.get(i)?,
                Err(_) => cur.get(k)?,
            };
            rest = &r[end + 1..];
        }
    }
    Some(cur)
}

impl Unit<'_> {
    /// A `load*` call, evaluated now.
    pub(crate) fn load(&self, name: &str, args: &[Expr], at: usize) -> Result<String, Fail> {
        let fail = |m: String| Fail {
            at,
            message: m,
            unknown: false,
        };
        let rel = literal_arg(args, 0)
            .ok_or_else(|| fail(format!("{name} takes a literal file path")))?;
        let file = super::join(self.path.parent().unwrap_or(Path::new(".")), rel);
        let size = std::fs::metadata(&file)
            .map_err(|e| fail(format!("{name}: cannot read {}: {e}", file.display())))?
            .len();
        if size > MAX_LOAD_BYTES {
            return Err(fail(format!(
                "{name}: {} is {size} bytes, more than {MAX_LOAD_BYTES}",
                file.display()
            )));
        }
        let bytes = std::fs::read(&file)
            .map_err(|e| fail(format!("{name}: cannot read {}: {e}", file.display())))?;
        self.session
            .files
            .borrow_mut()
            .insert(file.display().to_string());
        let text = || {
            String::from_utf8(bytes.clone())
                .map_err(|_| fail(format!("{name}: {} is not UTF-8 text", file.display())))
        };
        let json = |j: &Json| format!("json({})", q(&j.to_string()));
        match name {
            "loadTextContent" => Ok(q(&text()?)),
            "loadFileAsBase64" => Ok(q(&base64::engine::general_purpose::STANDARD.encode(&bytes))),
            "loadJsonContent" | "loadYamlContent" => {
                let t = text()?;
                let t = t.strip_prefix('\u{feff}').unwrap_or(&t);
                let j: Json = if name == "loadJsonContent" {
                    serde_json::from_str(t)
                        .map_err(|e| fail(format!("{name}: {} is not JSON: {e}", file.display())))?
                } else {
                    serde_saphyr::from_str(t)
                        .map_err(|e| fail(format!("{name}: {} is not YAML: {e}", file.display())))?
                };
                match literal_arg(args, 1) {
                    Some(p) => select(&j, p).map(json).ok_or_else(|| {
                        fail(format!(
                            "{name}: '{p}' selects nothing in {}",
                            file.display()
                        ))
                    }),
                    None => Ok(json(&j)),
                }
            }
            _ => Err(fail(format!("{name} is not a load function"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_json_paths() {
        let j = serde_json::json!({"a": {"b": [1, {"c": 2}]}});
        assert_eq!(select(&j, "$.a.b[1].c"), Some(&Json::from(2)));
        assert_eq!(select(&j, ".a.b[0]"), Some(&Json::from(1)));
        assert_eq!(select(&j, "$"), Some(&j));
        assert_eq!(select(&j, "$.x"), None);
    }
}
