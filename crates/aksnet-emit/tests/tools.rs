//! The generated Terraform through real tools: every file parses with python-hcl2, and Checkov
//! reports no failed check other than the deliberate ones listed in docs/terraform.md.
//!
//! The tools live in a Python virtual environment: `$AKSNET_VENV`, else `.venv` at the workspace
//! root (`.ci/run` creates it). Without it the test says so and passes — unless `CI` is set,
//! where a missing tool is a failure.

mod common;

use common::examples;

use std::path::{Path, PathBuf};
use std::process::Command;

use aksnet_design::design;
use aksnet_emit::terraform;

/// Checkov failures that are deliberate choices, with the reason (the same table as
/// docs/terraform.md, which a test keeps in step). `None`: every example; `Some(example)`:
/// only there.
const DELIBERATE: &[(&str, Option<&str>, &str)] = &[
    ("CKV_AZURE_4", None, "monitoring (Container Insights) is outside the network estate"),
    ("CKV_AZURE_117", None, "customer-managed disk keys need a key and a disk encryption set the estate does not model; host encryption is on"),
    ("CKV_AZURE_164", None, "Docker Content Trust is being retired by ACR; sign with Notation instead"),
    ("CKV_AZURE_165", None, "a single-region design: geo-replication is a cost decision"),
    ("CKV_AZURE_166", None, "quarantine blocks pulls until a scanner releases images; enable with Defender for Containers"),
    ("CKV_AZURE_168", None, "system pools keep maxPods 30 (Azure CNI's default) unless the intent raises it"),
    ("CKV_AZURE_232", Some("multi-spoke"), "a cluster with a single (system) pool must run workloads on it"),
    ("CKV_AZURE_115", Some("public-api"), "the example is a public API server restricted to authorized ranges (CKV_AZURE_6 passes)"),
    ("CKV2_AZURE_29", Some("kubenet"), "the example shows kubenet (aksnet warns: AKS-CLU-003)"),
];

/// Checks the issue requires to pass everywhere they apply.
const REQUIRED: &[&str] = &[
    "CKV_AZURE_6",
    "CKV_AZURE_7",
    "CKV_AZURE_9",
    "CKV_AZURE_10",
    "CKV_AZURE_77",
    "CKV_AZURE_160",
    "CKV_AZURE_143",
    "CKV_AZURE_139",
    "CKV_AZURE_216",
    "CKV_AZURE_219",
    "CKV_AZURE_220",
    "CKV_AZURE_135",
    "CKV2_AZURE_31",
];

fn venv() -> Option<PathBuf> {
    let dir = std::env::var_os("AKSNET_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv"));
    let ok = dir.join("bin/python").exists() && dir.join("bin/checkov").exists();
    if !ok && std::env::var_os("CI").is_some() {
        panic!(
            "python-hcl2 and checkov are required in CI: expected a virtual environment at {}",
            dir.display()
        );
    }
    ok.then_some(dir)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let out = dir.join(name);
    std::fs::create_dir_all(&out).unwrap();
    for (file, body) in terraform::generate(&design(name, text).unwrap().estate).unwrap() {
        std::fs::write(out.join(file), body).unwrap();
    }
    out
}

#[test]
#[cfg_attr(
    aksnet_no_tools,
    ignore = "needs python-hcl2 and Checkov in .venv or $AKSNET_VENV (.ci/run makes it)"
)]
fn every_file_parses_with_python_hcl2_and_checkov_finds_only_deliberate_failures() {
    let Some(venv) = venv() else {
        eprintln!("skipped: no virtual environment with python-hcl2 and checkov (run .ci/run, or set AKSNET_VENV)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in examples() {
        let dir = write(tmp.path(), &name, &text);
        let parse = Command::new(venv.join("bin/python"))
            .args(["-c", "import sys, glob, hcl2\nfor f in sorted(glob.glob(sys.argv[1] + '/*.tf')):\n    with open(f) as h:\n        hcl2.load(h)\nprint('ok')", dir.to_str().unwrap()])
            .output()
            .expect("python runs");
        assert!(
            parse.status.success(),
            "{name}: python-hcl2 cannot parse: {}",
            String::from_utf8_lossy(&parse.stderr)
        );

        let run = Command::new(venv.join("bin/checkov"))
            .args([
                "-d",
                dir.to_str().unwrap(),
                "--framework",
                "terraform",
                "--skip-download",
                "--quiet",
                "--compact",
                "-o",
                "json",
            ])
            .output()
            .expect("checkov runs");
        let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap_or_else(|e| {
            panic!(
                "{name}: checkov output is not JSON ({e}): {}",
                String::from_utf8_lossy(&run.stderr)
            )
        });
        let failed: Vec<String> = report["results"]["failed_checks"]
            .as_array()
            .map(|v| {
                v.iter()
                    .map(|c| {
                        format!(
                            "{} {}",
                            c["check_id"].as_str().unwrap_or(""),
                            c["resource"].as_str().unwrap_or("")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let unexpected: Vec<&String> = failed
            .iter()
            .filter(|f| {
                let id = f.split(' ').next().unwrap_or("");
                !DELIBERATE
                    .iter()
                    .any(|(d, only, _)| *d == id && only.is_none_or(|o| o == name))
            })
            .collect();
        assert!(
            unexpected.is_empty(),
            "{name}: Checkov failures that are not deliberate: {unexpected:#?}"
        );
        for r in REQUIRED {
            assert!(
                !failed.iter().any(|f| f.starts_with(&format!("{r} ")))
                    || DELIBERATE
                        .iter()
                        .any(|(d, only, _)| d == r && *only == Some(name.as_str())),
                "{name}: required {r} failed"
            );
        }
        let summary = &report["summary"];
        eprintln!(
            "{name}: Checkov passed {} failed {} skipped {}",
            summary["passed"], summary["failed"], summary["skipped"]
        );
    }
}

#[test]
fn docs_list_every_deliberate_failure() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/terraform.md"),
    )
    .unwrap();
    for (id, _, _) in DELIBERATE {
        assert!(
            doc.contains(&format!("`{id}`")),
            "docs/terraform.md does not explain {id}"
        );
    }
}
