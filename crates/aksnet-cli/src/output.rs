//! Atomic writes: a file or a whole output directory appears complete or not at all.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use aksnet_model::Diagnostic;

/// Why an output could not be written.
#[derive(Debug)]
pub enum WriteError {
    /// The file system refused.
    Io {
        /// What was being written.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The output directory's parent does not exist.
    NoParent {
        /// The output directory.
        dir: PathBuf,
    },
    /// The output directory exists as something else.
    NotADirectory {
        /// The output directory.
        dir: PathBuf,
    },
    /// Files in the output directory that aksnet did not write.
    NotOurs {
        /// The output directory.
        dir: PathBuf,
        /// Their names, relative to it.
        names: Vec<String>,
    },
}

impl WriteError {
    /// As a diagnostic, with what to do about it.
    pub fn diagnostic(&self) -> Diagnostic {
        match self {
            WriteError::Io { path, source } => {
                Diagnostic::error(format!("cannot write {}: {source}", path.display()))
                    .hint("check that the directory is writable and the disk is not full")
            }
            WriteError::NoParent { dir } => Diagnostic::error(format!(
                "cannot write {}: its parent directory does not exist",
                dir.display()
            ))
            .hint("create the parent directory first, or choose another --out"),
            WriteError::NotADirectory { dir } => Diagnostic::error(format!(
                "cannot write {}: it exists and is not a directory",
                dir.display()
            ))
            .hint("choose another --out"),
            WriteError::NotOurs { dir, names } => Diagnostic::error(format!(
                "cannot write {}: it exists and aksnet did not write it ({} such file(s): {})",
                dir.join(&names[0]).display(),
                names.len(),
                names.join(", ")
            ))
            .hint("aksnet never overwrites files it did not write — move them, choose another --out, or pass --force to overwrite them"),
        }
    }
}

fn err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A sibling path of `target` for staging, unique to this process.
fn staging(target: &Path, tag: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    target.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Writes one file through a temporary sibling and a rename.
pub fn write_file(path: &Path, content: &str) -> Result<(), WriteError> {
    write_file_with(path, |w| w.write_all(content.as_bytes()))
}

/// [`write_file`] of what `write` produces, streamed into the temporary sibling (a large
/// estate is never held as text); on any failure the sibling is removed and `path` is as it
/// was.
pub fn write_file_with(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<fs::File>) -> io::Result<()>,
) -> Result<(), WriteError> {
    let tmp = staging(path, "tmp");
    let written = fs::File::create(&tmp).and_then(|f| {
        let mut w = io::BufWriter::with_capacity(1 << 20, f);
        write(&mut w)?;
        w.into_inner()
            .map_err(io::IntoInnerError::into_error)
            .map(drop)
    });
    written.and_then(|()| fs::rename(&tmp, path)).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        err(path)(e)
    })
}

/// The file in an output directory listing what aksnet wrote there, one relative path a line.
pub const MANIFEST: &str = ".aksnet-manifest";

/// Staging directories inside an output directory: this process's, and any a killed run left.
const STAGING_PREFIX: &str = ".aksnet-staging-";

/// The files a previous run wrote into `dir`, from its manifest.
fn manifest(dir: &Path) -> Vec<String> {
    fs::read_to_string(dir.join(MANIFEST))
        .map(|t| {
            t.lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Writes `files` (relative names) into `dir` without ever touching a file aksnet did not write:
/// `dir` may hold Terraform state, `.terraform/`, tfvars or anything else, and `--out .` works.
///
/// - A file to write that exists but is not in the directory's manifest ([`MANIFEST`]) is
///   someone else's: the whole write is refused, nothing changes, unless `force` is set (then it
///   is overwritten; nothing is ever deleted that aksnet did not write).
/// - Every file is written to a staging directory inside `dir` first; only when all are
///   complete are they renamed into place, each rename atomic. A failure before that leaves
///   `dir` as it was.
/// - Files the previous run wrote and this one does not are removed; then the manifest is
///   replaced. Staging directories left by a killed run are removed.
pub fn write_dir(dir: &Path, files: &[(String, String)], force: bool) -> Result<(), WriteError> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(WriteError::NoParent {
            dir: dir.to_path_buf(),
        });
    }
    if dir.exists() && !dir.is_dir() {
        return Err(WriteError::NotADirectory {
            dir: dir.to_path_buf(),
        });
    }
    let before = manifest(dir);
    if !force {
        let theirs: Vec<String> = files
            .iter()
            .map(|(name, _)| name.clone())
            .filter(|name| dir.join(name).exists() && !before.contains(name))
            .collect();
        if !theirs.is_empty() {
            return Err(WriteError::NotOurs {
                dir: dir.to_path_buf(),
                names: theirs,
            });
        }
    }
    fs::create_dir_all(dir).map_err(err(dir))?;
    // Staging left by killed runs is aksnet's own: remove it.
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(STAGING_PREFIX) {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    let tmp = dir.join(format!("{STAGING_PREFIX}{}", std::process::id()));
    let staged = (|| {
        fs::create_dir(&tmp).map_err(err(&tmp))?;
        for (name, content) in files {
            let path = tmp.join(name);
            if let Some(p) = path.parent() {
                fs::create_dir_all(p).map_err(err(p))?;
            }
            fs::write(&path, content).map_err(err(&path))?;
        }
        for (name, _) in files {
            let target = dir.join(name);
            if let Some(p) = target.parent() {
                fs::create_dir_all(p).map_err(err(p))?;
            }
            fs::rename(tmp.join(name), &target).map_err(err(&target))?;
        }
        Ok(())
    })();
    let _ = fs::remove_dir_all(&tmp);
    staged?;
    let now: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for old in before.iter().filter(|b| !now.contains(&b.as_str())) {
        let path = dir.join(old);
        if path.is_file() {
            let _ = fs::remove_file(&path);
        }
    }
    let mut listed: Vec<&str> = now;
    listed.sort();
    let text = format!(
        "# Files aksnet wrote here; it replaces only these. Do not edit.\n{}\n",
        listed.join("\n")
    );
    write_file(&dir.join(MANIFEST), &text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A write that fails halfway leaves the file as it was and no staging file beside it.
    #[test]
    fn a_failed_streamed_write_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("estate.json");
        fs::write(&path, "good\n").unwrap();
        let failed = write_file_with(&path, |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("the serializer failed"))
        });
        assert!(matches!(failed, Err(WriteError::Io { .. })));
        assert_eq!(fs::read_to_string(&path).unwrap(), "good\n");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("estate.json")]);
        write_file_with(&path, |w| w.write_all(b"new\n")).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
    }
}
