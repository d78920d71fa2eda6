//! End-to-end tests of the `aksnet` binary: exit codes, messages, files written or not.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn aksnet(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aksnet"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// Files and directories under `dir`, for "nothing was written" checks.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn design_with_no_arguments_writes_the_reference_estate() {
    let tmp = tempfile::tempdir().unwrap();
    let o = aksnet(tmp.path(), &["design"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Address plan for `contoso`"), "{out}");
    assert!(out.contains("wrote aksnet-out/estate.json"), "{out}");
    let estate = std::fs::read_to_string(tmp.path().join("aksnet-out/estate.json")).unwrap();
    let parsed = aksnet_model::Estate::from_json(&estate).expect("estate.json reads back");
    assert_eq!(parsed.managed_clusters.len(), 1);
    for generated in [
        "terraform/versions.tf",
        "terraform/hub.tf",
        "terraform/spoke_aks_prod.tf",
        "terraform/aks_prod.tf",
        "k8s/aks-prod/ingress-internal-service.yaml",
        "check.json",
    ] {
        assert!(
            tmp.path().join("aksnet-out").join(generated).is_file(),
            "{generated}"
        );
    }
    assert_eq!(
        listing(tmp.path()),
        ["aksnet-out"],
        "no staging directories left behind"
    );
}

#[test]
fn design_is_byte_identical_across_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = examples().join("multi-spoke.yaml");
    let ex = ex.to_str().unwrap();
    assert!(aksnet(tmp.path(), &["design", ex, "--out", "a"])
        .status
        .success());
    assert!(aksnet(tmp.path(), &["design", ex, "--out", "b"])
        .status
        .success());
    let a = std::fs::read(tmp.path().join("a/estate.json")).unwrap();
    let b = std::fs::read(tmp.path().join("b/estate.json")).unwrap();
    assert_eq!(a, b);
}

#[test]
fn every_example_designs_through_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(examples()).unwrap() {
        let path = entry.unwrap().path();
        let o = aksnet(
            tmp.path(),
            &[
                "design",
                path.to_str().unwrap(),
                "--out",
                "out",
                "--format",
                "json",
            ],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}: {}",
            path.display(),
            stderr(&o)
        );
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON summary");
        assert!(
            v["resources"]["Microsoft.ContainerService/managedClusters"]
                .as_u64()
                .unwrap()
                >= 1
        );
        // The design passes its own checks: no errors, and each warning is one the example
        // explains in its comments (kubenet's retirement, the firewall IP of a public API).
        let check = &v["check"];
        assert_eq!(
            check["summary"]["errors"],
            0,
            "{}: {check:#}",
            path.display()
        );
        let text = std::fs::read_to_string(&path).unwrap();
        for f in check["findings"].as_array().unwrap() {
            let explained = match f["code"].as_str().unwrap() {
                "AKS-CLU-003" => text.contains("kubenet") && text.contains("retiring"),
                "AKS-MGT-003" => text.contains("firewall's egress IP must be added"),
                _ => false,
            };
            assert!(explained, "{}: unexplained {f:#}", path.display());
        }
        for generated in [
            "check.json",
            "diagram.svg",
            "report.html",
            "terraform/versions.tf",
        ] {
            assert!(
                tmp.path().join("out").join(generated).exists(),
                "{}: {generated}",
                path.display()
            );
        }
    }
}

#[test]
fn plan_text_for_the_reference_matches_its_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let o = aksnet(tmp.path(), &["plan"]);
    assert_eq!(o.status.code(), Some(0));
    insta::assert_snapshot!("reference-plan-text", stdout(&o));
    assert_eq!(
        listing(tmp.path()),
        Vec::<String>::new(),
        "plan writes nothing"
    );
}

#[test]
fn plan_json_is_json() {
    let tmp = tempfile::tempdir().unwrap();
    let o = aksnet(tmp.path(), &["plan", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["hub"]["addressSpace"], "10.200.0.0/22");
}

/// Runs `design` on a bad intent and checks: exit 2, the message, and that nothing was written.
fn rejects(intent: &str, expected: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("bad.yaml"), intent).unwrap();
    let o = aksnet(tmp.path(), &["design", "bad.yaml", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    for e in expected {
        assert!(err.contains(e), "expected `{e}` in:\n{err}");
    }
    assert!(err.contains("hint:"), "{err}");
    assert_eq!(listing(tmp.path()), ["bad.yaml"], "nothing written");
}

const GOOD: &str = "name: t\nlocation: westeurope\nspokes:\n  - name: a\n    cluster:\n      nodePools:\n        - { name: system, mode: System, maxCount: 3 }\n";

#[test]
fn yaml_syntax_error() {
    rejects("name: t\nlocation: [westeurope\n", &["bad.yaml:"]);
}

#[test]
fn type_error_has_file_line_column() {
    rejects(
        &GOOD.replace("maxCount: 3", "maxCount: lots"),
        &["bad.yaml:7:"],
    );
}

#[test]
fn unknown_field_has_file_line_column() {
    rejects(
        &GOOD.replace("maxCount: 3", "maxcount: 3"),
        &["error: unknown field `maxcount`", "--> bad.yaml:7:41"],
    );
}

#[test]
fn semantic_error_has_the_numbers() {
    let text = "name: t\nlocation: westeurope\nspokes:\n  - name: a\n    addressSpace: 10.240.0.0/24\n    cluster:\n      network: { plugin: azure, mode: nodeSubnet }\n      nodePools:\n        - { name: system, mode: System, maxCount: 3 }\n        - { name: user, mode: User, maxCount: 20, maxPods: 50 }\n";
    rejects(
        text,
        &[
            "--> bad.yaml:5:19",
            "(20 nodes + 1 surge) × (50 pods + 1) = 1,071",
            "10.240.0.0/24 holds 256",
        ],
    );
}

#[test]
fn failed_design_keeps_the_previous_output() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(aksnet(tmp.path(), &["design", "--out", "out"])
        .status
        .success());
    let before = std::fs::read(tmp.path().join("out/estate.json")).unwrap();
    std::fs::write(tmp.path().join("bad.yaml"), "name: [").unwrap();
    assert_eq!(
        aksnet(tmp.path(), &["design", "bad.yaml", "--out", "out"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        std::fs::read(tmp.path().join("out/estate.json")).unwrap(),
        before
    );
    assert_eq!(listing(tmp.path()), ["bad.yaml", "out"]);
}

#[test]
fn missing_and_binary_files() {
    let tmp = tempfile::tempdir().unwrap();
    let o = aksnet(tmp.path(), &["design", "nope.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read nope.yaml"));
    std::fs::write(tmp.path().join("bin.yaml"), [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let o = aksnet(tmp.path(), &["plan", "bin.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not UTF-8"));
}

#[test]
fn output_path_that_is_a_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("out"), "x").unwrap();
    let o = aksnet(tmp.path(), &["design", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a directory"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("out")).unwrap(),
        "x"
    );
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(aksnet(tmp.path(), &["desing"]).status.code(), Some(2));
    assert_eq!(
        aksnet(tmp.path(), &["plan", "--format", "xml"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn init_writes_a_starter_that_designs_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let o = aksnet(tmp.path(), &["init"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(aksnet(tmp.path(), &["design", "aksnet.yaml"])
        .status
        .success());
    let o = aksnet(tmp.path(), &["init"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--force"));
    assert!(aksnet(tmp.path(), &["init", "--force"]).status.success());
}

#[test]
fn generate_writes_terraform_and_manifests_from_an_estate() {
    let tmp = tempfile::tempdir().unwrap();
    let o = aksnet(tmp.path(), &["design", "--out", "d"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = aksnet(
        tmp.path(),
        &[
            "generate",
            "terraform",
            "--estate",
            "d/estate.json",
            "--out",
            "tf",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("tf/aks_prod.tf")).unwrap(),
        std::fs::read_to_string(tmp.path().join("d/terraform/aks_prod.tf")).unwrap(),
        "the same estate gives the same files through design and generate"
    );
    let o = aksnet(
        tmp.path(),
        &[
            "generate",
            "kubernetes",
            "--estate",
            "d/estate.json",
            "--out",
            "k8s",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(tmp
        .path()
        .join("k8s/aks-prod/namespace-apps.yaml")
        .is_file());
    let o = aksnet(tmp.path(), &["generate", "bicep", "--out", "x"]);
    assert_eq!(o.status.code(), Some(2));
}

/// aksnet never deletes or overwrites a file it did not write (issue 15, item 1): Terraform
/// state, `.terraform/`, tfvars and a backend beside the generated files survive every run;
/// a generated name that collides with a user's file is refused (exit 2, nothing changed)
/// unless `--force`; `--out .` works; files a previous run wrote and this one does not are
/// removed; staging left by a killed run is cleaned up.
#[test]
fn output_never_touches_files_aksnet_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let infra = tmp.path().join("infra");
    std::fs::create_dir_all(infra.join(".terraform/providers")).unwrap();
    let mine = [
        ("terraform.tfstate", "{\"version\": 4, \"serial\": 7}\n"),
        ("terraform.tfvars", "vpn_shared_key = \"s3cret\"\n"),
        ("backend.tf", "terraform {\n  backend \"azurerm\" {}\n}\n"),
        (".terraform/providers/lock", "x\n"),
    ];
    for (name, text) in mine {
        std::fs::write(infra.join(name), text).unwrap();
    }
    // A staging directory a killed run left behind.
    std::fs::create_dir_all(infra.join(".aksnet-staging-99999/x")).unwrap();
    let o = aksnet(tmp.path(), &["generate", "terraform", "--out", "infra"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for (name, text) in mine {
        assert_eq!(
            std::fs::read_to_string(infra.join(name)).unwrap(),
            text,
            "{name}"
        );
    }
    assert!(infra.join("versions.tf").is_file());
    assert!(!infra.join(".aksnet-staging-99999").exists());
    let manifest = std::fs::read_to_string(infra.join(".aksnet-manifest")).unwrap();
    assert!(manifest.lines().any(|l| l == "versions.tf"));
    assert!(!manifest.contains("terraform.tfstate"));
    // Again: aksnet replaces its own files.
    let o = aksnet(tmp.path(), &["generate", "terraform", "--out", "infra"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A user's file with a generated name is refused, and nothing changes.
    let theirs = tmp.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("providers.tf"), "# mine\n").unwrap();
    let o = aksnet(tmp.path(), &["generate", "terraform", "--out", "theirs"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("aksnet did not write it") && stderr(&o).contains("--force"));
    assert_eq!(std::fs::read_dir(&theirs).unwrap().count(), 1);
    assert_eq!(
        std::fs::read_to_string(theirs.join("providers.tf")).unwrap(),
        "# mine\n"
    );
    let o = aksnet(
        tmp.path(),
        &["generate", "terraform", "--out", "theirs", "--force"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_ne!(
        std::fs::read_to_string(theirs.join("providers.tf")).unwrap(),
        "# mine\n"
    );
    // `--out .` writes into the current directory, beside what is there.
    let here = tmp.path().join("here");
    std::fs::create_dir(&here).unwrap();
    std::fs::write(here.join("notes.txt"), "keep\n").unwrap();
    let o = aksnet(&here, &["generate", "kubernetes", "--out", "."]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(here.join("notes.txt")).unwrap(),
        "keep\n"
    );
    assert!(here.join(".aksnet-manifest").is_file());
    // `design` into the Terraform folder: the generated Terraform of the last run is replaced
    // by the design's layout, whose stale files are removed; the user's files stay.
    let o = aksnet(tmp.path(), &["design", "--out", "infra"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        !infra.join("versions.tf").exists(),
        "generate's files, not design's, are gone"
    );
    assert!(infra.join("terraform/versions.tf").is_file());
    for (name, text) in mine {
        assert_eq!(
            std::fs::read_to_string(infra.join(name)).unwrap(),
            text,
            "{name}"
        );
    }
}

/// With no intent named, a command reads `./aksnet.yaml` when it exists, as `aksnet init`
/// writes it, and says which design it analysed (issue 15, item 3).
#[test]
fn commands_read_the_intent_in_the_current_directory_and_say_so() {
    let tmp = tempfile::tempdir().unwrap();
    let o = aksnet(tmp.path(), &["plan"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("the embedded reference design"),
        "{}",
        stderr(&o)
    );
    let reference = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(aksnet(tmp.path(), &["init"]).status.code(), Some(0));
    let o = aksnet(tmp.path(), &["plan"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("./aksnet.yaml"), "{}", stderr(&o));
    let local = aksnet(tmp.path(), &["plan", "aksnet.yaml"]);
    assert_eq!(o.stdout, local.stdout, "the same plan as naming the file");
    assert_ne!(
        String::from_utf8_lossy(&o.stdout),
        reference,
        "not the reference"
    );
    let o = aksnet(tmp.path(), &["exposure"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("./aksnet.yaml"));
}

/// Devices and pipes are refused at once, with exit 2 and a hint, instead of read without end
/// (issue 15, item 4: `aksnet plan /dev/zero` read 4.8 GB in 4 s).
#[test]
fn devices_and_pipes_are_refused_not_read_without_end() {
    let tmp = tempfile::tempdir().unwrap();
    let o = aksnet(tmp.path(), &["plan", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
    let fifo = tmp.path().join("intent.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let o = aksnet(tmp.path(), &["check", "--estate", fifo.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
    }
    let o = aksnet(tmp.path(), &["plan", tmp.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}

/// `aksnet completions SHELL` prints a script that names the commands; bash's own parser
/// accepts the bash one.
#[test]
fn completions_for_every_shell() {
    let tmp = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = aksnet(tmp.path(), &["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let script = stdout(&o);
        for command in ["design", "required-egress", "nsg-rules"] {
            assert!(script.contains(command), "{shell} lacks {command}");
        }
        if shell == "bash" {
            std::fs::write(tmp.path().join("aksnet.bash"), &script).unwrap();
            let check = std::process::Command::new("bash")
                .args(["-n", "aksnet.bash"])
                .current_dir(tmp.path())
                .output()
                .expect("bash runs");
            assert!(
                check.status.success(),
                "{}",
                String::from_utf8_lossy(&check.stderr)
            );
        }
    }
    let o = aksnet(tmp.path(), &["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

/// `init` writes the intent and its schema (what `aksnet schema` prints) beside it, and keeps a
/// schema file that aksnet did not write.
#[test]
fn init_writes_the_schema_the_starter_points_to() {
    let tmp = tempfile::tempdir().unwrap();
    let o = aksnet(tmp.path(), &["init"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let schema = stdout(&aksnet(tmp.path(), &["schema"]));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("aksnet.schema.json")).unwrap(),
        schema
    );
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("aksnet.schema.json"), "{\"mine\": true}").unwrap();
    let o = aksnet(other.path(), &["init"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("aksnet did not write it"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(other.path().join("aksnet.schema.json")).unwrap(),
        "{\"mine\": true}"
    );
    assert!(!other.path().join("aksnet.yaml").exists());
}

/// `--quiet` drops the notes (which design was read, files written) and keeps the reports and
/// the errors.
#[test]
fn quiet_keeps_reports_and_errors_only() {
    let tmp = tempfile::tempdir().unwrap();
    let loud = aksnet(tmp.path(), &["plan"]);
    assert!(stderr(&loud).contains("design: the embedded reference design"));
    let quiet = aksnet(tmp.path(), &["plan", "--quiet"]);
    assert_eq!(stderr(&quiet), "");
    assert_eq!(stdout(&quiet), stdout(&loud));
    let o = aksnet(
        tmp.path(),
        &["-q", "generate", "kubernetes", "--out", "k8s"],
    );
    assert_eq!(
        (o.status.code(), stdout(&o), stderr(&o)),
        (Some(0), String::new(), String::new())
    );
    assert!(tmp.path().join("k8s").is_dir());
    let o = aksnet(tmp.path(), &["-q", "plan", "missing.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read missing.yaml"));
}

/// An import that read nothing fails (exit 2) and says why — never "Imported 0 resource(s)"
/// with exit 0: a folder of Terraform holding no resource aksnet reads, a folder without JSON
/// directly inside, JSON without a resource; the same through `--azure-json` and the positional
/// argument.
#[test]
fn an_import_that_read_nothing_fails() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("tf")).unwrap();
    std::fs::write(tmp.path().join("tf/main.tf"), "resource \"x\" \"y\" {}\n").unwrap();
    std::fs::create_dir_all(tmp.path().join("deep/sub")).unwrap();
    std::fs::write(tmp.path().join("deep/sub/vnet.json"), "{}").unwrap();
    std::fs::write(tmp.path().join("none.json"), "{\"a\": 1}").unwrap();
    for (args, says) in [
        (vec!["import", "tf"], "found no Azure resource in 1 file(s)"),
        (vec!["import", "deep"], "read no JSON file from deep"),
        (
            vec!["import", "none.json"],
            "found no Azure resource in 1 file(s)",
        ),
        (
            vec!["check", "--azure-json", "tf"],
            "found no Azure resource in 1 file(s)",
        ),
        (vec!["check", "tf"], "found no Azure resource in 1 file(s)"),
    ] {
        let o = aksnet(tmp.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stdout(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
}

/// Azure JSON with ARM's `//` and `/* */` comments imports as without them, and a syntax error
/// after a comment is reported at its own line and column (issue 14, item 2).
#[test]
fn json_with_comments_imports_and_positions_stay_exact() {
    let tmp = tempfile::tempdir().unwrap();
    let vnet = r#"{
  // the hub VNet, exported by hand
  "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-a",
  "name": "vnet-a", /* the name */ "type": "Microsoft.Network/virtualNetworks",
  "location": "westeurope",
  "properties": { "addressSpace": { "addressPrefixes": ["10.1.0.0/16"] } } // "https://not/a/comment" stays
}
"#;
    std::fs::write(tmp.path().join("vnet.json"), vnet).unwrap();
    let o = aksnet(tmp.path(), &["import", "vnet.json", "--out", "e.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("1  Microsoft.Network/virtualNetworks"),
        "{}",
        stdout(&o)
    );
    std::fs::write(
        tmp.path().join("bad.json"),
        "{ /* note */ \"a\": 1,\n  // x\n  ,\n}",
    )
    .unwrap();
    let o = aksnet(tmp.path(), &["import", "bad.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--> bad.json:3:3"), "{}", stderr(&o));
    // ARM's other relaxation: line breaks (and tabs) inside strings; the value is kept, and a
    // later error is still reported where it is in the file.
    let nsg = "{\"id\": \"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n\",\n \"type\": \"Microsoft.Network/networkSecurityGroups\", \"name\": \"n\",\n \"properties\": {\"securityRules\": [{\"name\": \"r\", \"properties\": {\n  \"description\": \"line one\r\nline\ttwo\",\n  \"protocol\": \"Tcp\", \"access\": \"Allow\", \"priority\": 100, \"direction\": \"Inbound\",\n  \"sourceAddressPrefix\": \"*\", \"destinationAddressPrefix\": \"*\", \"destinationPortRange\": \"443\"}}]}}\n";
    std::fs::write(tmp.path().join("nsg.json"), nsg).unwrap();
    let o = aksnet(tmp.path(), &["import", "nsg.json", "--out", "n.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let e = std::fs::read_to_string(tmp.path().join("n.json")).unwrap();
    assert!(
        e.contains(r#""description": "line one\r\nline\ttwo""#),
        "{e}"
    );
    std::fs::write(
        tmp.path().join("bad2.json"),
        "{\"a\": \"one\ntwo\nthree\",\n  \"b\": ?}",
    )
    .unwrap();
    let o = aksnet(tmp.path(), &["import", "bad2.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--> bad2.json:4:8"), "{}", stderr(&o));
    // A list read strictly up to a comment is read again relaxed: every resource once.
    let v = |n: u8| {
        format!(
            r#"{{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v{n}", "type": "Microsoft.Network/virtualNetworks", "properties": {{"addressSpace": {{"addressPrefixes": ["10.{n}.0.0/16"]}}}}}}"#
        )
    };
    std::fs::write(
        tmp.path().join("list.json"),
        format!("[{},\n{}, // the third is new\n{}]", v(1), v(2), v(3)),
    )
    .unwrap();
    let o = aksnet(tmp.path(), &["import", "list.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Imported 3 resource(s)"),
        "{}",
        stdout(&o)
    );
    assert!(!stderr(&o).contains("also defined"), "{}", stderr(&o));
}
