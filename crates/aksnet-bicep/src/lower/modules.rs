//! Where a module's template comes from: a `.bicep` file (compiled in the same session), a
//! `.json` ARM template, or a registry (`br:`, `br/alias:`) or template spec (`ts:`,
//! `ts/alias:`) module, read from Bicep's local cache when `bicep restore` has filled it.
//!
//! Source (the Bicep compiler, Azure/bicep): the cache root is `cacheRootDirectory` of the
//! nearest `bicepconfig.json` (searched upward from the file) or `~/.bicep`; a registry module
//! is at `br/<registry, ':' as '$', lower case>/<repository, '/' as '$'>/<tag>$<hex mask of its
//! upper-case letters>/main.json` (or `<digest, ':' as '#'>`); a template spec at
//! `ts/<subscription>/<resource group>/<name>/<version>/main.json` (lower case), holding the
//! template spec version whose `properties.mainTemplate` is the template. The alias `public`
//! is `mcr.microsoft.com` with module path `bicep` unless the configuration says otherwise.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value as Json};

use super::{Compiled, Unit};

/// A module's template.
pub(crate) enum Source {
    /// A Bicep file, compiled.
    Compiled(Arc<Compiled>),
    /// An ARM template.
    Json(Map<String, Json>),
}

/// Reads a JSON file that may hold `//` and `/* */` comments (as `bicepconfig.json` and ARM
/// templates may).
pub(crate) fn read_jsonc(path: &Path) -> Result<Json, String> {
    let text = super::read_source(path)?;
    serde_json::from_str(&text).or_else(|_| {
        serde_json::from_str(&strip_comments(&text))
            .map_err(|e| format!("invalid JSON at {}:{}: {e}", e.line(), e.column()))
    })
}

/// `text` with comments outside strings replaced by spaces (line breaks kept, so positions
/// stay).
fn strip_comments(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let (mut i, mut in_str) = (0, false);
    while i < b.len() {
        let c = b[i];
        if in_str {
            out.push(c);
            if c == b'\\' && i + 1 < b.len() {
                out.push(b[i + 1]);
                i += 1;
            } else if c == b'"' {
                in_str = false;
            }
        } else if c == b'"' {
            in_str = true;
            out.push(c);
        } else if b[i..].starts_with(b"//") {
            while i < b.len() && b[i] != b'\n' {
                out.push(b' ');
                i += 1;
            }
            continue;
        } else if b[i..].starts_with(b"/*") {
            let end = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
            while i < end {
                out.push(if b[i] == b'\n' { b'\n' } else { b' ' });
                i += 1;
            }
            continue;
        } else {
            out.push(c);
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The nearest `bicepconfig.json` at or above `dir`, read.
fn config(dir: &Path) -> Option<(PathBuf, Json)> {
    let mut d = Some(dir);
    while let Some(x) = d {
        let f = x.join("bicepconfig.json");
        if f.is_file() {
            return read_jsonc(&f).ok().map(|j| (f, j));
        }
        d = x.parent();
    }
    None
}

/// A registry tag as a cache directory name: the tag, `$`, and (when it has upper-case
/// letters) the hexadecimal mask of their positions (`V1` → `V1$1`, `AbCd` → `AbCd$5`).
pub fn encode_tag(tag: &str) -> Option<String> {
    let mut mask: u128 = 0;
    for (i, c) in tag.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i >= 128 {
                return None;
            }
            mask |= 1 << i;
        }
    }
    Some(if mask == 0 {
        format!("{tag}$")
    } else {
        format!("{tag}${mask:X}")
    })
}

/// Where in the cache root a module reference is, or why it cannot be there.
pub fn cache_path(reference: &str, cfg: Option<&Json>) -> Result<PathBuf, String> {
    let alias = |kind: &str, name: &str| -> Option<Map<String, Json>> {
        cfg.and_then(|c| {
            c.get("moduleAliases")?
                .get(kind)?
                .get(name)?
                .as_object()
                .cloned()
        })
        .or_else(|| {
            (kind == "br" && name == "public").then(|| {
                let mut m = Map::new();
                m.insert("registry".into(), Json::String("mcr.microsoft.com".into()));
                m.insert("modulePath".into(), Json::String("bicep".into()));
                m
            })
        })
    };
    let s = |m: &Map<String, Json>, k: &str| m.get(k).and_then(Json::as_str).map(str::to_string);
    if let Some(rest) = reference.strip_prefix("br") {
        let (registry, repo_tag) = if let Some(r) = rest.strip_prefix(':') {
            let (reg, rt) = r
                .split_once('/')
                .ok_or("a registry reference needs registry/path:tag")?;
            (reg.to_string(), rt.to_string())
        } else if let Some(r) = rest.strip_prefix('/') {
            let (name, rt) = r
                .split_once(':')
                .ok_or("a registry alias reference needs br/alias:path:tag")?;
            let a = alias("br", name).ok_or_else(|| {
                format!("the registry alias '{name}' is not in bicepconfig.json's moduleAliases.br")
            })?;
            let reg =
                s(&a, "registry").ok_or_else(|| format!("the alias '{name}' has no registry"))?;
            let rt = match s(&a, "modulePath") {
                Some(p) => format!("{}/{rt}", p.trim_matches('/')),
                None => rt.to_string(),
            };
            (reg, rt)
        } else {
            return Err("not a registry reference".into());
        };
        let (repo, version) = match repo_tag.split_once('@') {
            Some((r, digest)) => (r.to_string(), digest.replace(':', "#")),
            None => {
                let (r, t) = repo_tag
                    .rsplit_once(':')
                    .ok_or("a registry reference needs a :tag")?;
                (r.to_string(), encode_tag(t).ok_or("the tag is too long")?)
            }
        };
        return Ok(PathBuf::from("br")
            .join(registry.replace(':', "$").to_ascii_lowercase())
            .join(repo.replace('/', "$"))
            .join(version)
            .join("main.json"));
    }
    if let Some(rest) = reference.strip_prefix("ts") {
        let full = if let Some(r) = rest.strip_prefix(':') {
            r.to_string()
        } else if let Some(r) = rest.strip_prefix('/') {
            let (name, tail) = r
                .split_once(':')
                .ok_or("a template spec alias reference needs ts/alias:name:version")?;
            let a = alias("ts", name).ok_or_else(|| format!("the template spec alias '{name}' is not in bicepconfig.json's moduleAliases.ts"))?;
            let sub = s(&a, "subscription")
                .ok_or_else(|| format!("the alias '{name}' has no subscription"))?;
            let rg = s(&a, "resourceGroup")
                .ok_or_else(|| format!("the alias '{name}' has no resourceGroup"))?;
            format!("{sub}/{rg}/{tail}")
        } else {
            return Err("not a template spec reference".into());
        };
        let (spec, version) = full
            .rsplit_once(':')
            .ok_or("a template spec reference needs :version")?;
        let parts: Vec<&str> = spec.split('/').collect();
        if parts.len() != 3 {
            return Err(
                "a template spec reference is subscription/resourceGroup/name:version".into(),
            );
        }
        let mut p = PathBuf::from("ts");
        for x in parts.iter().copied().chain([version]) {
            p.push(x.to_ascii_lowercase());
        }
        return Ok(p.join("main.json"));
    }
    Err("not a registry or template spec reference".into())
}

/// The cache root for a file in `dir`: `cacheRootDirectory` (with `~` expanded) or
/// `~/.bicep`.
fn cache_root(cfg: Option<&(PathBuf, Json)>) -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    match cfg.and_then(|(_, j)| j.get("cacheRootDirectory")?.as_str().map(str::to_string)) {
        Some(d) => Some(
            match d.strip_prefix("~/").or_else(|| d.strip_prefix("~\\")) {
                Some(rest) => home?.join(rest),
                None if d == "~" => home?,
                None => PathBuf::from(d),
            },
        ),
        None => home.map(|h| h.join(".bicep")),
    }
}

impl Unit<'_> {
    /// The template of a registry or template spec module, from the local cache.
    pub(crate) fn registry_template(&self, reference: &str) -> Result<Map<String, Json>, String> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let cfg = config(dir);
        let rel = cache_path(reference, cfg.as_ref().map(|(_, j)| j))?;
        let root = cache_root(cfg.as_ref()).ok_or("no home directory for Bicep's cache")?;
        let file = root.join(&rel);
        if !file.is_file() {
            return Err(format!(
                "a registry module is not read offline, and it is not in Bicep's local cache ({}); run `bicep restore {}` where the registry can be reached, or set cacheRootDirectory in bicepconfig.json to a restored cache",
                file.display(),
                if self.session.root.is_empty() { &self.name } else { &self.session.root }
            ));
        }
        self.session
            .files
            .borrow_mut()
            .insert(file.display().to_string());
        let j = read_jsonc(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let j = if reference.starts_with("ts") {
            j.get("properties")
                .and_then(|p| p.get("mainTemplate"))
                .cloned()
                .ok_or_else(|| format!("{} holds no properties.mainTemplate", file.display()))?
        } else {
            j
        };
        match j {
            Json::Object(t) => Ok(t),
            _ => Err(format!("{} is not a template", file.display())),
        }
    }

    /// The template of the module at `path` (as written in the `module` statement).
    pub(crate) fn module_source(&self, path: &str, _at: usize) -> Result<Source, String> {
        if ["br:", "br/", "ts:", "ts/"]
            .iter()
            .any(|p| path.starts_with(p))
        {
            return self.registry_template(path).map(Source::Json);
        }
        let file = super::join(self.path.parent().unwrap_or(Path::new(".")), path);
        if !file.is_file() {
            return Err(format!("{} is not a file", file.display()));
        }
        if file
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        {
            self.session
                .files
                .borrow_mut()
                .insert(file.display().to_string());
            return match read_jsonc(&file)? {
                Json::Object(t) => Ok(Source::Json(t)),
                _ => Err(format!("{} is not a template", file.display())),
            };
        }
        let key = file.canonicalize().unwrap_or_else(|_| file.clone());
        if let Some(c) = self.session.done.borrow().get(&key) {
            return Ok(Source::Compiled(c.clone()));
        }
        {
            let st = self.session.stack.borrow();
            if st.contains(&key) {
                return Err("the module includes itself".into());
            }
            if self.depth >= super::MAX_MODULE_DEPTH {
                return Err(format!(
                    "modules nest more than {} deep",
                    super::MAX_MODULE_DEPTH
                ));
            }
        }
        self.session.stack.borrow_mut().push(key.clone());
        let r = super::compile_in(&file, self.session, self.depth + 1);
        self.session.stack.borrow_mut().pop();
        match r {
            Ok(c) => {
                let c = Arc::new(c);
                self.session.done.borrow_mut().insert(key, c.clone());
                Ok(Source::Compiled(c))
            }
            Err(p) => Err(format!(
                "{}:{}:{}: {}",
                p.place.file, p.place.line, p.place.column, p.message
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_references_as_the_cache_names_them() {
        assert_eq!(encode_tag("v1").as_deref(), Some("v1$"));
        assert_eq!(encode_tag("V1").as_deref(), Some("V1$1"));
        assert_eq!(encode_tag("AbCd").as_deref(), Some("AbCd$5"));
        assert_eq!(
            cache_path("br/public:avm/res/network/virtual-network:0.5.1", None).unwrap(),
            PathBuf::from(
                "br/mcr.microsoft.com/bicep$avm$res$network$virtual-network/0.5.1$/main.json"
            )
        );
        assert_eq!(
            cache_path("br:localhost:5000/a/b:V1", None).unwrap(),
            PathBuf::from("br/localhost$5000/a$b/V1$1/main.json")
        );
        assert_eq!(
            cache_path("ts:Sub/RG/Spec:1.0", None).unwrap(),
            PathBuf::from("ts/sub/rg/spec/1.0/main.json")
        );
        let cfg: Json = serde_json::json!({"moduleAliases": {"br": {"corp": {"registry": "corp.azurecr.io", "modulePath": "mods"}}}});
        assert_eq!(
            cache_path("br/corp:net/vnet:2", Some(&cfg)).unwrap(),
            PathBuf::from("br/corp.azurecr.io/mods$net$vnet/2$/main.json")
        );
        assert!(cache_path("br/nope:x:1", Some(&cfg))
            .unwrap_err()
            .contains("moduleAliases"));
    }

    #[test]
    fn comments_are_blanked_outside_strings() {
        let s = strip_comments("{\"a\": \"//x\" // c\n/* d */}");
        assert_eq!(serde_json::from_str::<Json>(&s).unwrap()["a"], "//x");
    }
}
