//! Helpers shared by the end-to-end tests: run the binary, read what it printed.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs `aksnet` with `args` in `cwd`.
pub fn aksnet(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aksnet"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("runs")
}

/// Standard output as text.
pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Whether a SARIF log has a result located in a file whose URI ends with `file`, at `line`.
pub fn sarif_locates(sarif: &serde_json::Value, file: &str, line: u64) -> bool {
    sarif["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|r| {
            let l = &r["locations"][0]["physicalLocation"];
            l["artifactLocation"]["uri"]
                .as_str()
                .is_some_and(|u| u.ends_with(file))
                && l["region"]["startLine"] == line
        })
}
