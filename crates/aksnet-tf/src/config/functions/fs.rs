//! Filesystem functions, relative to the module's directory.

use std::path::{Component, Path, PathBuf};

use aksnet_arm::Value;
use serde_json::Value as Json;

use super::super::eval::{EmptyScope, Env};
use super::super::value::{to_map, to_str, EvalError, MAX_STRING, R};
use super::{arity, Dirs};

/// The most a file function reads.
const MAX_FILE: u64 = 16 << 20;

fn resolve(dirs: &Dirs, p: &str) -> PathBuf {
    let p = expand_home(p);
    if p.is_absolute() {
        p
    } else {
        dirs.module.join(p)
    }
}

fn expand_home(p: &str) -> PathBuf {
    if let Some(rest) = p.strip_prefix('~') {
        if rest.is_empty() || rest.starts_with('/') {
            if let Some(home) = std::env::var_os("HOME") {
                return PathBuf::from(format!("{}{}", Path::new(&home).display(), rest));
            }
        }
    }
    PathBuf::from(p)
}

/// Reads a regular file of at most 16 MiB as UTF-8.
pub(crate) fn read_text(path: &Path) -> R<String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| EvalError::new(format!("cannot read {}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(EvalError::new(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    if meta.len() > MAX_FILE {
        return Err(EvalError::new(format!(
            "{} is larger than 16 MiB",
            path.display()
        )));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| EvalError::new(format!("cannot read {}: {e}", path.display())))?;
    String::from_utf8(bytes)
        .map_err(|_| EvalError::new(format!("{} is not valid UTF-8", path.display())))
}

fn clean(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Calls a filesystem function.
pub(super) fn call(name: &str, a: &[Json], dirs: &Dirs) -> R<Value> {
    let k = |j: Json| Ok(Value::Known(j));
    match name {
        "file" => {
            arity(a, 1)?;
            k(Json::String(read_text(&resolve(dirs, &to_str(&a[0])?))?))
        }
        "filebase64" => {
            use base64::Engine;
            arity(a, 1)?;
            let p = resolve(dirs, &to_str(&a[0])?);
            let text = read_text(&p)?;
            k(Json::String(
                base64::engine::general_purpose::STANDARD.encode(text),
            ))
        }
        "fileexists" => {
            arity(a, 1)?;
            let p = resolve(dirs, &to_str(&a[0])?);
            match std::fs::metadata(&p) {
                Ok(m) if m.is_file() => k(Json::Bool(true)),
                Ok(_) => Err(EvalError::new(format!(
                    "{} is not a regular file",
                    p.display()
                ))),
                Err(_) => k(Json::Bool(false)),
            }
        }
        "templatefile" => {
            arity(a, 2)?;
            if dirs.in_template {
                return Err(EvalError::new(
                    "templatefile cannot be called from inside a template",
                ));
            }
            let p = resolve(dirs, &to_str(&a[0])?);
            let text = read_text(&p)?;
            let template = hcl_edit::parser::parse_template(&text)
                .map_err(|e| EvalError::new(format!("{}: {}", p.display(), e.message())))?;
            let vars = to_map(&a[1])?;
            let scope = EmptyScope {
                depth: std::cell::Cell::new(0),
                dir: p.parent().map(Path::to_path_buf).unwrap_or_default(),
                in_template: true,
            };
            let env = Env::new(&scope);
            let env = env.child(
                vars.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v.clone())))
                    .collect(),
            );
            let v = env.render_template(&template).map_err(|e| {
                let at = e
                    .span
                    .map(|s| {
                        let f = super::super::parse::SrcFile::new(p.clone(), text.clone());
                        let o = f.origin(s.start);
                        format!(":{}:{}", o.line, o.column)
                    })
                    .unwrap_or_default();
                EvalError::new(format!("{}{at}: {}", p.display(), e.message))
            })?;
            if let Value::Known(Json::String(s)) = &v {
                if s.len() > MAX_STRING {
                    return Err(EvalError::new("resulting string too long"));
                }
            }
            Ok(v)
        }
        "abspath" => {
            arity(a, 1)?;
            let p = expand_home(&to_str(&a[0])?);
            let abs = if p.is_absolute() {
                p
            } else {
                std::env::current_dir()
                    .map_err(|e| EvalError::new(format!("no current directory: {e}")))?
                    .join(p)
            };
            k(Json::String(clean(&abs).display().to_string()))
        }
        "basename" => {
            arity(a, 1)?;
            let s = to_str(&a[0])?;
            let t = s.trim_end_matches('/');
            if t.is_empty() {
                return k(Json::String(if s.is_empty() { "." } else { "/" }.into()));
            }
            k(Json::String(t.rsplit('/').next().unwrap_or(t).to_string()))
        }
        "dirname" => {
            arity(a, 1)?;
            let s = to_str(&a[0])?;
            let d = match s.rfind('/') {
                None => ".".to_string(),
                Some(0) => "/".to_string(),
                Some(i) => clean(Path::new(&s[..i])).display().to_string(),
            };
            k(Json::String(if d.is_empty() { ".".into() } else { d }))
        }
        "pathexpand" => {
            arity(a, 1)?;
            k(Json::String(
                expand_home(&to_str(&a[0])?).display().to_string(),
            ))
        }
        _ => Err(EvalError::new("unknown filesystem function")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{ev_in, k};
    use aksnet_arm::Value;
    use serde_json::json;

    #[test]
    fn documentation_examples() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("hello.txt"), "Hello World").expect("write");
        std::fs::write(
            dir.path().join("backends.tftpl"),
            "%{ for addr in ip_addrs ~}\nbackend ${addr}:${port}\n%{ endfor ~}\n",
        )
        .expect("write");
        let kv = |src: &str| match ev_in(src, dir.path()) {
            Ok(Value::Known(j)) => j,
            other => panic!("{src}: {other:?}"),
        };
        assert_eq!(kv("file(\"hello.txt\")"), json!("Hello World"));
        assert_eq!(kv("fileexists(\"hello.txt\")"), json!(true));
        assert_eq!(kv("fileexists(\"nope.txt\")"), json!(false));
        assert!(ev_in("file(\".\")", dir.path()).is_err());
        assert_eq!(
            kv("templatefile(\"backends.tftpl\", { port = 8080, ip_addrs = [\"10.0.0.1\", \"10.0.0.2\"] })"),
            json!("backend 10.0.0.1:8080\nbackend 10.0.0.2:8080\n")
        );
        std::fs::write(
            dir.path().join("self.tftpl"),
            "${templatefile(\"self.tftpl\", {})}",
        )
        .expect("write");
        assert!(ev_in("templatefile(\"self.tftpl\", {})", dir.path()).is_err());
        assert_eq!(k("basename(\"foo/bar/baz.txt\")"), json!("baz.txt"));
        assert_eq!(k("dirname(\"foo/bar/baz.txt\")"), json!("foo/bar"));
        assert_eq!(k("abspath(\"/a/b/../c\")"), json!("/a/c"));
        assert_eq!(k("pathexpand(\"/etc/x\")"), json!("/etc/x"));
    }
}
