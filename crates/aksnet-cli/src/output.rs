//! Atomic writes: a file or a whole output directory appears complete or not at all.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Why an output could not be written.
#[derive(Debug)]
pub struct WriteError {
    path: PathBuf,
    source: io::Error,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot write {}: {}", self.path.display(), self.source)
    }
}

fn err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError {
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
    let tmp = staging(path, "tmp");
    fs::write(&tmp, content).map_err(err(path))?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        err(path)(e)
    })
}

/// Writes `files` (relative names) into `dir`, replacing the directory as a whole: the files
/// are staged in a sibling directory, which then takes `dir`'s place. On any failure nothing
/// of the new output is left behind and an existing `dir` is kept.
pub fn write_dir(dir: &Path, files: &[(String, String)]) -> Result<(), WriteError> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(WriteError {
            path: dir.to_path_buf(),
            source: io::Error::new(
                io::ErrorKind::NotFound,
                format!("parent directory {} does not exist", parent.display()),
            ),
        });
    }
    if dir.exists() && !dir.is_dir() {
        return Err(WriteError {
            path: dir.to_path_buf(),
            source: io::Error::new(
                io::ErrorKind::AlreadyExists,
                "it exists and is not a directory",
            ),
        });
    }
    let tmp = staging(dir, "new");
    let result = (|| {
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir(&tmp).map_err(err(&tmp))?;
        for (name, content) in files {
            let path = tmp.join(name);
            if let Some(p) = path.parent() {
                fs::create_dir_all(p).map_err(err(p))?;
            }
            fs::write(&path, content).map_err(err(&path))?;
        }
        let old = staging(dir, "old");
        if dir.exists() {
            fs::rename(dir, &old).map_err(err(dir))?;
        }
        if let Err(e) = fs::rename(&tmp, dir) {
            let _ = fs::rename(&old, dir);
            return Err(err(dir)(e));
        }
        let _ = fs::remove_dir_all(&old);
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}
