//! Build script shared by the crates whose tests need something outside the repository. It
//! sets a cfg for each thing that is missing, so those tests are reported as *ignored* with the
//! reason (visible in the summary line), not passed, on a fresh clone; CI, which has them all,
//! runs every test.
//!
//! - `aksnet_no_shared`: `../shared` (corpus, schemas) is not beside the repository.
//! - `aksnet_no_tools`: no Python virtual environment with python-hcl2 and Checkov
//!   (`$AKSNET_VENV`, else `.venv` at the workspace root; `.ci/run` makes it).
//! - `aksnet_no_chromium`: no `chromium` on `PATH` (`.ci/run` installs Debian's).
//! - `aksnet_no_graphviz`: no Graphviz `dot` on `PATH` (`.ci/run` installs Debian's).
//! - `aksnet_no_pycep`: no Python virtual environment with pycep-parser, Checkov's Bicep parser
//!   (`$AKSNET_PYCEP_VENV`, else `.venv-bicep` at the workspace root; `.ci/run` makes it apart
//!   from `.venv`, as Checkov pins an older pycep).
//! - `aksnet_no_azurerm_mirror`: no `terraform` on `PATH`, or no local mirror of the
//!   `hashicorp/azurerm` provider in a 4.55.x release (see `azurerm_mirror`). The one exception to the next
//!   paragraph: the provider comes only from the Terraform registry, which neither CI nor a
//!   developer's machine reaches, so this test is ignored under `CI` too when there is none.
//!
//! Under `CI` nothing else is ignored: there a missing tool fails its test, as it should.

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let workspace = manifest.join("../..");
    for cfg in [
        "aksnet_no_shared",
        "aksnet_no_tools",
        "aksnet_no_chromium",
        "aksnet_no_graphviz",
        "aksnet_no_pycep",
        "aksnet_no_azurerm_mirror",
    ] {
        println!("cargo:rustc-check-cfg=cfg({cfg})");
    }
    // The folder beside the repository changes when `shared/` appears or goes.
    println!("cargo:rerun-if-changed={}", workspace.join("..").display());
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join(".venv").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        workspace.join(".venv-bicep").display()
    );
    println!("cargo:rerun-if-env-changed=AKSNET_VENV");
    println!("cargo:rerun-if-env-changed=AKSNET_PYCEP_VENV");
    println!("cargo:rerun-if-env-changed=PATH");
    println!("cargo:rerun-if-env-changed=CI");
    println!("cargo:rerun-if-env-changed=AKSNET_TF_PLUGIN_DIR");
    let terraform = std::env::var_os("PATH").is_some_and(|p| {
        std::env::split_paths(&p).any(|d| Path::new(&d).join("terraform").exists())
    });
    match azurerm_mirror().filter(|_| terraform) {
        Some(dir) => println!("cargo:rustc-env=AKSNET_AZURERM_MIRROR={}", dir.display()),
        None => println!("cargo:rustc-cfg=aksnet_no_azurerm_mirror"),
    }
    if std::env::var_os("CI").is_some() {
        return;
    }
    if !workspace.join("../shared").is_dir() {
        println!("cargo:rustc-cfg=aksnet_no_shared");
    }
    let venv = std::env::var_os("AKSNET_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join(".venv"));
    if !venv.join("bin/checkov").exists() {
        println!("cargo:rustc-cfg=aksnet_no_tools");
    }
    let pycep = std::env::var_os("AKSNET_PYCEP_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join(".venv-bicep"));
    if !pycep.join("bin/python").exists() {
        println!("cargo:rustc-cfg=aksnet_no_pycep");
    }
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| Path::new(&d).join(name).exists()))
    };
    if !on_path("chromium") {
        println!("cargo:rustc-cfg=aksnet_no_chromium");
    }
    if !on_path("dot") {
        println!("cargo:rustc-cfg=aksnet_no_graphviz");
    }
}

/// A local provider mirror (a `-plugin-dir` for `terraform init`) holding `hashicorp/azurerm`:
/// `$AKSNET_TF_PLUGIN_DIR`, else the implied local mirror directories Terraform itself searches
/// on Linux (`~/.terraform.d/plugins`, `/usr/local/share/terraform/plugins`,
/// `/usr/share/terraform/plugins`), else `/opt/tf-plugins`.
fn azurerm_mirror() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("AKSNET_TF_PLUGIN_DIR")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".terraform.d/plugins"));
    }
    for d in [
        "/usr/local/share/terraform/plugins",
        "/usr/share/terraform/plugins",
        "/opt/tf-plugins",
    ] {
        dirs.push(PathBuf::from(d));
    }
    for d in &dirs {
        println!("cargo:rerun-if-changed={}", d.display());
    }
    // A release the generated constraint (`~> 4.55.0`) accepts: another one would fail
    // `terraform init`, which is the mirror's fault, not the code's.
    dirs.into_iter().find(|d| {
        std::fs::read_dir(d.join("registry.terraform.io/hashicorp/azurerm")).is_ok_and(|versions| {
            versions
                .filter_map(Result::ok)
                .any(|v| v.file_name().to_string_lossy().starts_with("4.55."))
        })
    })
}
