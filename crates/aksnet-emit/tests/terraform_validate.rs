//! The generated Terraform through Terraform itself: `terraform init` from a local provider
//! mirror and `terraform validate` on the reference and every example — what a user runs before
//! a plan, with no credentials and no network.
//!
//! The azurerm provider comes only from the Terraform registry, which this workplace does not
//! reach, so the test runs only where a mirror holding `hashicorp/azurerm` exists
//! (`$AKSNET_TF_PLUGIN_DIR`, or a directory Terraform searches by itself; the build script
//! `build-support/test_env.rs` finds it). Elsewhere it is reported ignored, and the schema test
//! (`tests/terraform.rs`, azurerm 4.55.0) stands in for it.

mod common;

use std::process::Command;

use aksnet_design::design;
use aksnet_emit::terraform;

#[test]
#[cfg_attr(
    aksnet_no_azurerm_mirror,
    ignore = "needs terraform and a local mirror of hashicorp/azurerm 4.55.x ($AKSNET_TF_PLUGIN_DIR); the azurerm schema test stands in"
)]
fn every_example_passes_terraform_validate() {
    let Some(mirror) = option_env!("AKSNET_AZURERM_MIRROR") else {
        panic!("the build script found no mirror, yet the test was not ignored");
    };
    let tmp = tempfile::tempdir().unwrap();
    for (name, text) in common::examples() {
        let dir = tmp.path().join(&name);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, body) in terraform::generate(&design(&name, &text).unwrap().estate).unwrap() {
            std::fs::write(dir.join(file), body).unwrap();
        }
        let run = |args: &[&str]| {
            let out = Command::new("terraform")
                .args(args)
                .current_dir(&dir)
                .env("TF_IN_AUTOMATION", "1")
                .env("CHECKPOINT_DISABLE", "1")
                .output()
                .expect("terraform runs");
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).into_owned()
                    + &String::from_utf8_lossy(&out.stderr),
            )
        };
        let plugin_dir = format!("-plugin-dir={mirror}");
        let (ok, log) = run(&[
            "init",
            "-backend=false",
            "-input=false",
            "-no-color",
            &plugin_dir,
        ]);
        assert!(ok, "{name}: terraform init failed:\n{log}");
        let (ok, log) = run(&["validate", "-json", "-no-color"]);
        let report: serde_json::Value = serde_json::from_str(
            log.lines()
                .skip_while(|l| !l.starts_with('{'))
                .collect::<Vec<_>>()
                .join("\n")
                .as_str(),
        )
        .unwrap_or_else(|e| panic!("{name}: validate printed no JSON ({e}):\n{log}"));
        let problems: Vec<String> = report["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| {
                format!(
                    "{} {}: {} ({})",
                    d["severity"].as_str().unwrap_or(""),
                    d["range"]["filename"].as_str().unwrap_or(""),
                    d["summary"].as_str().unwrap_or(""),
                    d["detail"].as_str().unwrap_or("")
                )
            })
            .collect();
        // Warnings fail too: a deprecated argument is removed in the next major release.
        assert!(
            ok && report["valid"] == true && problems.is_empty(),
            "{name}: terraform validate:\n{}",
            problems.join("\n")
        );
    }
}
