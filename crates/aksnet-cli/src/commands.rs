//! One function per command: read the input, call the libraries, print, and choose the exit code.

use std::path::Path;
use std::process::ExitCode;

use aksnet_design::STARTER_INTENT;
use aksnet_emit::{diagram, egress, findings, html, summary, views};
use aksnet_engine::{DataPlane, Options};
use aksnet_model::Diagnostic;
use aksnet_rules::verify::{self, Origin, PolicyFile, Report, Selection, VerifyError};

use crate::cli::{CheckFormat, DiagramFormat, EgressFormat, FailOn, Format, Input, Target};
use crate::input::{load_design, on_premises, read_text};
use crate::status::{self, Progress};
use crate::{output, Failure, EXIT_BAD_INPUT, EXIT_FINDINGS};

/// What a command returns: its exit code, or why it stopped (exit 2).
pub type Outcome = Result<ExitCode, Failure>;

/// Pretty JSON with a final newline.
pub(crate) fn json<T: serde::Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("serialisable");
    s.push('\n');
    s
}

/// Writes `text` to standard output. A reader that stops reading (`aksnet diff ... | head`)
/// is not an error of aksnet's: what it did not read is dropped, and the exit code stays the
/// command's.
pub(crate) fn emit(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Prints `text` and succeeds.
pub(crate) fn print(text: String) -> Outcome {
    emit(&text);
    Ok(ExitCode::SUCCESS)
}

/// A verification that could not run, with its hint.
fn verify_error(e: VerifyError) -> Diagnostic {
    match e {
        VerifyError::UnknownRule(u) => {
            Diagnostic::error(u.to_string()).hint(format!("known rules: {}", u.known.join(", ")))
        }
        VerifyError::Intent(e) => {
            let d = Diagnostic::error(e.message).hint(e.kind.hint());
            match e.location {
                Some(l) => {
                    // The intent or policy file, already read once (bounded) to get here.
                    let source = read_text(Path::new(&l.file)).ok();
                    d.at_text(&l.file, l.line, l.column, source.as_deref())
                }
                None => d,
            }
        }
    }
}

/// `aksnet init`: the starter intent, and beside it the intent's JSON Schema that the
/// starter's `# yaml-language-server` line points editors to. An existing intent is kept unless
/// `--force`; so is a schema file that aksnet did not write.
pub fn init(path: &Path, force: bool) -> Outcome {
    if path.exists() && !force {
        return Err(
            Diagnostic::error(format!("{} already exists", path.display()))
                .hint("pass --force to overwrite it")
                .into(),
        );
    }
    let schema_path = path.with_file_name(aksnet_design::SCHEMA_FILE);
    let schema = aksnet_design::intent_schema();
    let ours = |text: &str| text.contains("\"title\": \"aksnet intent file\"");
    if !force && std::fs::read_to_string(&schema_path).is_ok_and(|t| !ours(&t)) {
        return Err(Diagnostic::error(format!(
            "{} exists and aksnet did not write it",
            schema_path.display()
        ))
        .hint("move it, or pass --force to overwrite it")
        .into());
    }
    output::write_file(&schema_path, &schema).map_err(|e| e.diagnostic())?;
    output::write_file(path, STARTER_INTENT).map_err(|e| e.diagnostic())?;
    println!(
        "wrote {} and {}: edit the intent, then run `aksnet plan {}`",
        path.display(),
        schema_path.display(),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `aksnet schema`: the intent file's JSON Schema.
pub fn schema() -> Outcome {
    print(aksnet_design::intent_schema())
}

/// `aksnet plan`.
pub fn plan(intent: Option<&Path>, format: Format) -> Outcome {
    let d = load_design(intent)?;
    print(summary::plan(&d, format == Format::Json))
}

/// `aksnet design`: every output file, written atomically, then the summary.
pub fn design(a: &crate::cli::DesignArgs) -> Outcome {
    let (intent, out, format) = (a.intent.as_deref(), a.out.as_path(), a.format);
    let progress = Progress::start();
    progress.phase("planning");
    let d = load_design(intent)?;
    progress.phase("checking");
    let dp = DataPlane::compile(&d.estate, Options::default());
    let origin = Origin::Intent {
        file: intent.map(|p| p.display().to_string()),
        design: Box::new(d.clone()),
    };
    let report = verify::verify(&d.estate, &dp, &origin, &Selection::default(), None)
        .map_err(verify_error)?;
    progress.phase("generating");
    let terraform = aksnet_emit::terraform::generate(&d.estate).map_err(|e| e.diagnostic())?;
    let mut owned: Vec<(String, String)> = vec![
        ("estate.json".into(), d.estate.to_json()),
        ("check.json".into(), json(&findings::json_report(&report))),
    ];
    owned.extend(
        terraform
            .into_iter()
            .map(|(name, text)| (format!("terraform/{name}"), text)),
    );
    owned.extend(
        aksnet_emit::kubernetes::generate(&d.estate)
            .into_iter()
            .map(|(name, text)| (format!("k8s/{name}"), text)),
    );
    progress.phase("drawing the diagram and the report");
    let svg = diagram::svg(&d.estate, &views::flows(&dp));
    let mut listed: Vec<String> = owned.iter().map(|(n, _)| n.clone()).collect();
    listed.extend(["diagram.svg".to_string(), "report.html".to_string()]);
    listed.sort();
    let page = html::html(&html::Input {
        estate: &d.estate,
        plane: &dp,
        report: &report,
        design: Some(&d),
        svg: &svg,
        files: &listed,
    });
    owned.push(("diagram.svg".into(), svg));
    owned.push(("report.html".into(), page));
    progress.phase("writing");
    output::write_dir(out, &owned, a.force).map_err(|e| e.diagnostic())?;
    drop(progress);
    emit(&summary::design_summary(
        &d,
        out,
        &owned,
        &report,
        format == Format::Json,
    ));
    Ok(gate(&report, a.fail_on))
}

/// `aksnet generate`.
pub fn generate(target: Target, input: &Input, out: &Path, force: bool) -> Outcome {
    let estate = input.estate()?;
    let files = match target {
        Target::Terraform => {
            aksnet_emit::terraform::generate(&estate).map_err(|e| e.diagnostic())?
        }
        Target::Kubernetes => aksnet_emit::kubernetes::generate(&estate),
    };
    output::write_dir(out, &files, force).map_err(|e| e.diagnostic())?;
    for (name, _) in &files {
        status::done(format!("wrote {}", out.join(name).display()));
    }
    if files.is_empty() {
        println!(
            "nothing to generate: the estate has no AKS cluster ({} is empty)",
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `aksnet diagram`.
pub fn diagram(input: &Input, format: DiagramFormat, out: Option<&Path>) -> Outcome {
    let estate = input.estate()?;
    let dp = input.plane(&estate)?;
    let flows = views::flows(&dp);
    let text = match format {
        DiagramFormat::Svg => diagram::svg(&estate, &flows),
        DiagramFormat::Dot => diagram::dot(&estate, &flows),
        DiagramFormat::Mermaid => diagram::mermaid(&estate, &flows),
    };
    match out {
        Some(path) => {
            output::write_file(path, &text).map_err(|e| e.diagnostic())?;
            status::done(format!("wrote {}", path.display()));
            Ok(ExitCode::SUCCESS)
        }
        None => print(text),
    }
}

/// `aksnet required-egress`.
pub fn required_egress(input: &Input, format: EgressFormat, recommended: bool) -> Outcome {
    let estate = input.estate()?;
    let list = aksnet_model::aks_egress::requirements(&estate, recommended);
    print(match format {
        EgressFormat::Text => egress::text(&list),
        EgressFormat::Json => json(&list),
        EgressFormat::Csv => egress::csv(&list),
    })
}

/// `aksnet rules [CODE]`.
pub fn rules(code: Option<&str>, format: Format) -> Outcome {
    let as_json = format == Format::Json;
    match code {
        Some(c) => {
            let r = verify::find(c).map_err(|u| verify_error(u.into()))?;
            print(if as_json {
                json(&findings::rule_json(r))
            } else {
                aksnet_rules::doc_markdown(r)
            })
        }
        None => {
            let all = aksnet_rules::catalog();
            print(if as_json {
                json(&findings::catalog_json(&all))
            } else {
                findings::catalog_text(&all)
            })
        }
    }
}

/// `aksnet check`.
pub fn check(a: &crate::cli::CheckArgs) -> Outcome {
    let (input, format) = (&a.input, a.format);
    let selection = Selection {
        only: a.rule.clone(),
        skip: a.skip.clone(),
    };
    let (estate, origin) = input.load()?;
    let dp = input.plane(&estate)?;
    let policy = match a.policy.as_deref() {
        Some(path) => {
            let file = path.display().to_string();
            let text = read_text(path)?;
            let policy = aksnet_design::policy(&file, &text)
                .map_err(|e| Failure(e.diagnostics(Some(&text))))?;
            Some(PolicyFile { file, policy })
        }
        None => None,
    };
    let report =
        verify::verify(&estate, &dp, &origin, &selection, policy.as_ref()).map_err(verify_error)?;
    emit(&match format {
        CheckFormat::Text => findings::text(&report),
        CheckFormat::Json => json(&findings::json_report(&report)),
        CheckFormat::Sarif => json(&findings::sarif(&report)),
        CheckFormat::Markdown => findings::markdown(&report),
        CheckFormat::Html => {
            let svg = diagram::svg(&estate, &views::flows(&dp));
            let design = match &origin {
                Origin::Intent { design, .. } => Some(design.as_ref()),
                Origin::Json { .. } => None,
            };
            html::html(&html::Input {
                estate: &estate,
                plane: &dp,
                report: &report,
                design,
                svg: &svg,
                files: &[],
            })
        }
    });
    Ok(gate(&report, a.fail_on))
}

/// `aksnet diff`: both inputs read, compiled and checked, then compared.
pub fn diff(a: &crate::cli::DiffArgs) -> Outcome {
    use crate::cli::{DiffFailOn, DiffFormat};
    let side = |path: &Path| crate::cli::Input {
        intent: Some(path.to_path_buf()),
        settings: a.settings.clone(),
        ..crate::cli::Input::default()
    };
    let (bi, hi) = (side(&a.base), side(&a.head));
    let ((be, bo), (he, ho)) = side_by_side([&bi, &hi], |i| i.load())?;
    let options = bi.options()?;
    let (bp, hp) = side_by_side([&be, &he], |e| Ok(DataPlane::compile(e, options.clone())))?;
    let all = Selection::default();
    let (br, hr) = side_by_side([(&be, &bp, &bo), (&he, &hp, &ho)], |(e, p, o)| {
        verify::verify(e, p, o, &all, None).map_err(|e| verify_error(e).into())
    })?;
    let base = aksnet_diff::Side {
        estate: &be,
        plane: &bp,
        report: &br,
        origin: &bo,
    };
    let head = aksnet_diff::Side {
        estate: &he,
        plane: &hp,
        report: &hr,
        origin: &ho,
    };
    // The places the inputs' flow intents start from are sources too.
    let mut named: Vec<String> = Vec::new();
    for o in [&bo, &ho] {
        if let Origin::Intent { design, .. } = o {
            named.extend(design.intent.intents.iter().map(|i| i.value.from.clone()));
        }
    }
    named.sort();
    named.dedup();
    let d = aksnet_diff::diff_from(&base, &head, &named);
    emit(&match a.format {
        DiffFormat::Text => aksnet_diff::render::text(&d),
        DiffFormat::Json => json(&aksnet_diff::render::json(&d)),
        DiffFormat::Markdown => aksnet_diff::render::markdown(&d),
        DiffFormat::Sarif => json(&aksnet_diff::render::sarif(&d, &head)),
    });
    let on = match a.fail_on {
        DiffFailOn::Opened => aksnet_diff::FailOn::Opened,
        DiffFailOn::Closed => aksnet_diff::FailOn::Closed,
        DiffFailOn::Changed => aksnet_diff::FailOn::Changed,
        DiffFailOn::Findings => aksnet_diff::FailOn::Findings,
        DiffFailOn::Never => aksnet_diff::FailOn::Never,
    };
    Ok(if d.fails(on) {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

/// `f` of BASE's and of HEAD's item, side by side: reading and parsing an estate runs on one
/// core, and compiling and verifying one leave a core idle at times. Both sides' errors are
/// reported, BASE's first.
fn side_by_side<T: Sync, R: Send>(
    pair: [T; 2],
    f: impl Fn(&T) -> Result<R, Failure> + Sync,
) -> Result<(R, R), Failure> {
    let mut done = aksnet_engine::parallel::map(&pair, f).into_iter();
    match (done.next(), done.next()) {
        (Some(Ok(b)), Some(Ok(h))) => Ok((b, h)),
        (b, h) => Err(Failure(
            [b, h]
                .into_iter()
                .flatten()
                .filter_map(Result::err)
                .flat_map(|f| f.0)
                .collect(),
        )),
    }
}

/// `aksnet import`: reads, prints what was read, writes the estate unless there were errors.
pub fn import(a: &crate::cli::ImportArgs) -> Outcome {
    let mut refs: Vec<&Path> = a.paths.iter().map(|p| p.as_path()).collect();
    let mut imp = match &a.templates.deployments {
        Some(file) => {
            refs = vec![file.as_path()];
            aksnet_import::import_deployments(&a.name, file, &a.templates.templates())
        }
        None => aksnet_import::import_paths_with(&a.name, &refs, &a.templates.templates()),
    };
    if imp.summary.files.is_empty() {
        if let Some(e) = aksnet_import::nothing_imported(&refs, &imp.summary) {
            return Err(crate::input::nothing(e).into());
        }
    }
    imp.estate.on_premises_prefixes = on_premises(&a.on_premises)?;
    let errors = imp.summary.diagnostics.iter().filter(|d| d.error).count();
    if a.format == Format::Json {
        emit(&json(&imp.summary));
    } else {
        emit(&summary::import_summary(&imp.summary));
        // Problems go to standard error, the report to standard output.
        imp.summary
            .diagnostics
            .iter()
            .for_each(|d| status::show(&d.diagnostic()));
    }
    if errors > 0 && !a.keep_going {
        status::show(
            &Diagnostic::error(format!("{errors} problem(s) above; nothing written"))
                .hint("fix them, or pass --keep-going to write what could be read"),
        );
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    }
    if let Some(e) = aksnet_import::nothing_imported(&refs, &imp.summary) {
        return Err(crate::input::nothing(e).into());
    }
    if let Some(out) = &a.out {
        output::write_file_with(out, |w| imp.estate.write_json(w)).map_err(|e| e.diagnostic())?;
        status::note(format!("wrote {}", out.display()));
    }
    Ok(ExitCode::SUCCESS)
}

/// Exit code of a verification: 1 when an unsuppressed finding is at or above `fail_on`.
fn gate(report: &Report, fail_on: FailOn) -> ExitCode {
    let threshold = match fail_on {
        FailOn::Error => Some(aksnet_rules::Severity::Error),
        FailOn::Warning => Some(aksnet_rules::Severity::Warning),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| {
        report
            .findings
            .iter()
            .any(|f| f.suppressed.is_none() && f.severity <= t)
    });
    if failed {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}
