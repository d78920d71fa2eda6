//! `aksnet`: the command line. Thin by design: argument parsing, file I/O, atomic output
//! directories and exit codes; everything else is a library call.

mod analyze;
mod egress;
mod output;
mod render;
mod report;
mod rules;
mod verify;
mod views;

use aksnet_engine::trace::Verdict;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aksnet_design::{
    design, Design, DesignErrors, REFERENCE_INTENT, REFERENCE_NAME, STARTER_INTENT,
};
use aksnet_engine::{DataPlane, Options};
use clap::{Parser, Subcommand, ValueEnum};

/// Exit code for bad input or usage (clap uses it for usage errors too).
const EXIT_BAD_INPUT: u8 = 2;

/// Design, verify, explain and generate the network of an AKS hub-and-spoke estate.
#[derive(Parser)]
#[command(name = "aksnet", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a commented starter intent file.
    Init {
        /// Where to write it.
        #[arg(default_value = "aksnet.yaml")]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Show the address plan: every VNet and subnet with its size and why.
    Plan {
        /// Intent file (default: ./aksnet.yaml if present, else the embedded reference design).
        intent: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Generate deployable code from the estate.
    Generate {
        /// What to generate.
        #[arg(value_enum)]
        target: Target,
        #[command(flatten)]
        input: Input,
        /// Output directory. aksnet replaces only the files it wrote there (listed in its
        /// `.aksnet-manifest`) and refuses to overwrite any other.
        #[arg(long)]
        out: PathBuf,
        /// Overwrite files in the output directory that aksnet did not write.
        #[arg(long)]
        force: bool,
    },
    /// Draw the architecture: containers, subnets, what runs in them, peerings and the main flows.
    Diagram {
        #[command(flatten)]
        input: Input,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiagramFormat::Svg)]
        format: DiagramFormat,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// What each cluster must reach through the firewall (FQDNs, ports, service tags): data for
    /// firewalls without the AzureKubernetesService FQDN tag.
    RequiredEgress {
        #[command(flatten)]
        input: Input,
        /// Output format.
        #[arg(long, value_enum, default_value_t = EgressFormat::Text)]
        format: EgressFormat,
        /// Include the recommended (OS update) destinations.
        #[arg(long)]
        recommended: bool,
    },
    /// List the rules, or print one rule's documentation.
    Rules {
        /// A rule code, e.g. AKS-EGR-001.
        code: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Run the rule catalog; exit 1 when a finding is at or above --fail-on.
    Check {
        #[command(flatten)]
        input: Input,
        /// Report format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        /// Lowest severity that fails the run.
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        /// Run only these rules (repeatable; AKS-INTENT selects the flow intents).
        #[arg(long, value_name = "CODE")]
        rule: Vec<String>,
        /// Do not run these rules (repeatable).
        #[arg(long, value_name = "CODE")]
        skip: Vec<String>,
        /// A YAML file of flow `intents:` and `suppressions:` (as in an intent file), for
        /// estates from `--estate` or `--azure-json`, or on top of an intent's own.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
    },
    /// Read Azure resource JSON (az CLI, REST, Resource Graph, ARM templates with literal values) into an estate.
    Import {
        /// Files or folders (every *.json directly inside).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Write the estate here.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Estate name.
        #[arg(long, default_value = "imported")]
        name: String,
        /// On-premises prefixes (ExpressRoute learns them by BGP; no resource holds them).
        #[arg(long = "on-premises", value_name = "CIDR", value_delimiter = ',')]
        on_premises: Vec<String>,
        /// Write what could be read even when some resources or files had errors.
        #[arg(long)]
        keep_going: bool,
        /// Summary format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Trace one flow hop by hop: routes, NSGs, firewall rules, translations, and the reply path.
    Trace {
        #[command(flatten)]
        input: Input,
        /// Source: internet, onprem, VNET/SUBNET, an IP, or an endpoint (acr, keyvault, apiserver, appgw, ilb, firewall, bastion; SPOKE:acr).
        #[arg(long)]
        from: String,
        /// Destination (same forms as --from).
        #[arg(long)]
        to: String,
        /// Protocol: tcp, udp or icmp.
        #[arg(long, default_value = "tcp")]
        protocol: String,
        /// Destination port.
        #[arg(long, default_value_t = 443)]
        port: u16,
        /// Host name (DNS resolution and firewall application rules match on it).
        #[arg(long)]
        fqdn: Option<String>,
        /// Exit 1 unless the verdict is this (for CI gates).
        #[arg(long, value_enum)]
        expect: Option<Expect>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Every packet that gets from one place to another, by path, with a witness trace each.
    Reach {
        #[command(flatten)]
        input: Input,
        /// Source place.
        #[arg(long)]
        from: String,
        /// Destination place.
        #[arg(long)]
        to: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Everything reachable from a place (default: the Internet), by where it lands.
    Exposure {
        #[command(flatten)]
        input: Input,
        /// Source place: internet, onprem, or any place.
        #[arg(long, default_value = "internet")]
        from: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Effective routes of a subnet (like `az network nic show-effective-route-table`).
    Routes {
        /// The subnet, as VNET/SUBNET.
        subnet: String,
        #[command(flatten)]
        input: Input,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Effective security rules of a subnet (like `az network nic list-effective-nsg`).
    NsgRules {
        /// The subnet, as VNET/SUBNET.
        subnet: String,
        #[command(flatten)]
        input: Input,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Plan, build and validate the estate, and write it to the output directory.
    Design {
        /// Intent file (default: ./aksnet.yaml if present, else the embedded reference design).
        intent: Option<PathBuf>,
        /// Output directory. aksnet replaces only the files it wrote there (listed in its
        /// `.aksnet-manifest`) and refuses to overwrite any other.
        #[arg(long, default_value = "aksnet-out")]
        out: PathBuf,
        /// Overwrite files in the output directory that aksnet did not write.
        #[arg(long)]
        force: bool,
        /// Summary format on standard output.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Lowest check severity that fails the run (the files are written either way).
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
    },
}

/// Where the estate comes from: an intent (designed on the fly) or an `estate.json`.
#[derive(clap::Args)]
struct Input {
    /// Intent file (default: ./aksnet.yaml if present, else the embedded reference design).
    intent: Option<PathBuf>,
    /// Read this estate.json instead of designing an intent.
    #[arg(long, conflicts_with = "intent")]
    estate: Option<PathBuf>,
    /// Import Azure resource JSON (files or folders; repeatable) instead of designing an intent.
    #[arg(long = "azure-json", value_name = "PATH", conflicts_with_all = ["intent", "estate"])]
    azure_json: Vec<PathBuf>,
    /// On-premises prefixes for imported estates (ExpressRoute learns them by BGP; no resource holds them).
    #[arg(long = "on-premises", value_name = "CIDR", value_delimiter = ',')]
    on_premises: Vec<String>,
    /// Service-tag prefixes (ServiceTags_Public JSON or `az network list-service-tags` output):
    /// resolves tags such as AzureCloud or GatewayManager, and service endpoint routes.
    #[arg(long = "service-tags", value_name = "FILE")]
    service_tags: Option<PathBuf>,
    /// Turn around one of the engine's documented defaults where Azure's behaviour is disputed
    /// or unconfirmed (repeatable; see docs/engine.md).
    #[arg(long = "switch", value_name = "NAME")]
    switches: Vec<String>,
}

impl Input {
    /// The engine options with the requested switches applied.
    fn options(&self) -> Result<Options, String> {
        let mut o = Options::default();
        if let Some(path) = &self.service_tags {
            let text = read_text(path)?;
            o.service_tags = aksnet_engine::tags::parse_service_tags(&text).map_err(|e| format!("error: {}: {e}\n  = hint: download ServiceTags_Public.json, or run `az network list-service-tags --location REGION`", path.display()))?;
        }
        for s in &self.switches {
            o.set(s).map_err(|e| {
                format!("error: {e}\n  = hint: see docs/engine.md for what each switch changes")
            })?;
        }
        Ok(o)
    }
}

/// Formats of `required-egress`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EgressFormat {
    /// A table per cluster.
    Text,
    /// JSON.
    Json,
    /// CSV, for firewall rule imports.
    Csv,
}

/// Formats of `diagram`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiagramFormat {
    /// SVG, self-contained.
    Svg,
    /// Graphviz dot.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

/// What `generate` writes.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Target {
    /// Terraform for azurerm 4.x.
    Terraform,
    /// Kubernetes manifests: the ingress Service, default-deny NetworkPolicies.
    Kubernetes,
}

/// Report formats of `check`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    /// Human-readable.
    Text,
    /// JSON.
    Json,
    /// SARIF 2.1.0 (GitHub code scanning, Azure DevOps).
    Sarif,
    /// Markdown (pull-request comments, CI job summaries).
    Markdown,
    /// A self-contained HTML report: diagram, address plan, findings, flow matrix.
    Html,
}

/// Severity threshold for `check`'s exit code.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    /// Errors fail the run.
    Error,
    /// Warnings and errors fail the run.
    Warning,
    /// Never fail on findings.
    Never,
}

/// Expected trace verdicts.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Expect {
    /// The flow must get through.
    Allowed,
    /// The flow must be blocked.
    Denied,
}

/// Output formats.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Human-readable.
    Text,
    /// Machine-readable JSON.
    Json,
}

/// Exit code when a check fails (a trace verdict differs from `--expect`).
const EXIT_FINDINGS: u8 = 1;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

fn json<T: serde::Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("serialisable");
    s.push('\n');
    s
}

fn run(command: Command) -> Result<ExitCode, String> {
    let ok = |text: String| {
        print!("{text}");
        Ok(ExitCode::SUCCESS)
    };
    match command {
        Command::Init { path, force } => init(&path, force).map(|()| ExitCode::SUCCESS),
        Command::Plan { intent, format } => {
            let d = load(intent.as_deref())?;
            ok(render::plan(&d, format == Format::Json))
        }
        Command::Design {
            intent,
            out,
            force,
            format,
            fail_on,
        } => {
            let d = load(intent.as_deref())?;
            let dp = DataPlane::compile(&d.estate, Options::default());
            let file = intent.as_ref().map(|p| p.display().to_string());
            let origin = verify::Origin::Intent {
                file,
                design: Box::new(d.clone()),
            };
            let report =
                verify::verify(&d.estate, &dp, &origin, &verify::Selection::default(), None)?;
            let terraform =
                aksnet_emit::terraform::generate(&d.estate).map_err(|e| e.to_string())?;
            let mut owned: Vec<(String, String)> = vec![
                ("estate.json".into(), d.estate.to_json()),
                ("check.json".into(), json(&rules::json_report(&report))),
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
            let svg = aksnet_emit::diagram::svg(&d.estate, &views::flows(&dp));
            let mut listed: Vec<String> = owned.iter().map(|(n, _)| n.clone()).collect();
            listed.extend(["diagram.svg".to_string(), "report.html".to_string()]);
            listed.sort();
            let html = report::html(&report::Input {
                estate: &d.estate,
                plane: &dp,
                report: &report,
                design: Some(&d),
                svg: &svg,
                files: &listed,
            });
            owned.push(("diagram.svg".into(), svg));
            owned.push(("report.html".into(), html));
            output::write_dir(&out, &owned, force).map_err(|e| format!("error: {e}"))?;
            print!(
                "{}",
                render::design_summary(&d, &out, &owned, &report, format == Format::Json)
            );
            Ok(gate(&report, fail_on))
        }
        Command::Generate {
            target,
            input,
            out,
            force,
        } => {
            let estate = load_estate(&input)?;
            let files = match target {
                Target::Terraform => {
                    aksnet_emit::terraform::generate(&estate).map_err(|e| e.to_string())?
                }
                Target::Kubernetes => aksnet_emit::kubernetes::generate(&estate),
            };
            output::write_dir(&out, &files, force).map_err(|e| format!("error: {e}"))?;
            for (name, _) in &files {
                println!("wrote {}", out.join(name).display());
            }
            if files.is_empty() {
                println!(
                    "nothing to generate: the estate has no AKS cluster ({} is empty)",
                    out.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Diagram { input, format, out } => {
            let estate = load_estate(&input)?;
            let dp = plane(&estate, &input)?;
            let flows = views::flows(&dp);
            let text = match format {
                DiagramFormat::Svg => aksnet_emit::diagram::svg(&estate, &flows),
                DiagramFormat::Dot => aksnet_emit::diagram::dot(&estate, &flows),
                DiagramFormat::Mermaid => aksnet_emit::diagram::mermaid(&estate, &flows),
            };
            match out {
                Some(path) => {
                    output::write_file(&path, &text).map_err(|e| format!("error: {e}"))?;
                    println!("wrote {}", path.display());
                }
                None => print!("{text}"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::RequiredEgress {
            input,
            format,
            recommended,
        } => {
            let estate = load_estate(&input)?;
            let list = egress::requirements(&estate, recommended);
            print!(
                "{}",
                match format {
                    EgressFormat::Text => egress::text(&list),
                    EgressFormat::Json => json(&list),
                    EgressFormat::Csv => egress::csv(&list),
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { code, format } => rules::list(code.as_deref(), format == Format::Json),
        Command::Check {
            input,
            format,
            fail_on,
            rule,
            skip,
            policy,
        } => {
            let (estate, origin) = load_input(&input)?;
            let dp = plane(&estate, &input)?;
            let selection = verify::Selection { only: rule, skip };
            let policy = match &policy {
                Some(path) => {
                    let file = path.display().to_string();
                    let text = read_text(path)?;
                    let parsed = aksnet_design::intent::Policy::parse(&file, &text)
                        .map_err(|e| e.to_string())?;
                    Some(verify::PolicyFile {
                        file,
                        policy: parsed,
                    })
                }
                None => None,
            };
            let report = verify::verify(&estate, &dp, &origin, &selection, policy.as_ref())?;
            print!(
                "{}",
                match format {
                    CheckFormat::Text => rules::text(&report),
                    CheckFormat::Json => json(&rules::json_report(&report)),
                    CheckFormat::Sarif => json(&rules::sarif(&report)),
                    CheckFormat::Markdown => rules::markdown(&report),
                    CheckFormat::Html => {
                        let svg = aksnet_emit::diagram::svg(&estate, &views::flows(&dp));
                        let design = match &origin {
                            verify::Origin::Intent { design, .. } => Some(design.as_ref()),
                            _ => None,
                        };
                        report::html(&report::Input {
                            estate: &estate,
                            plane: &dp,
                            report: &report,
                            design,
                            svg: &svg,
                            files: &[],
                        })
                    }
                }
            );
            Ok(gate(&report, fail_on))
        }
        Command::Import {
            paths,
            out,
            name,
            on_premises,
            keep_going,
            format,
        } => import(
            &paths,
            out.as_deref(),
            &name,
            &on_premises,
            keep_going,
            format,
        ),
        Command::Trace {
            input,
            from,
            to,
            protocol,
            port,
            fqdn,
            expect,
            format,
        } => {
            let estate = load_estate(&input)?;
            let dp = plane(&estate, &input)?;
            let q = analyze::query(&dp, &from, &to, &protocol, port, fqdn)?;
            let t = dp.trace(&q);
            print!(
                "{}",
                if format == Format::Json {
                    json(&t)
                } else {
                    analyze::trace_text(&t)
                }
            );
            let want = expect.map(|e| {
                if e == Expect::Allowed {
                    Verdict::Allowed
                } else {
                    Verdict::Denied
                }
            });
            Ok(if want.is_some_and(|w| w != t.verdict) {
                ExitCode::from(EXIT_FINDINGS)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Reach {
            input,
            from,
            to,
            format,
        } => {
            let estate = load_estate(&input)?;
            let dp = plane(&estate, &input)?;
            let r = dp.reach(&analyze::place(&dp, &from)?, &analyze::place(&dp, &to)?);
            ok(if format == Format::Json {
                json(&r)
            } else {
                analyze::reach_text(&r)
            })
        }
        Command::Exposure {
            input,
            from,
            format,
        } => {
            let estate = load_estate(&input)?;
            let dp = plane(&estate, &input)?;
            let r = dp.exposure(&analyze::place(&dp, &from)?);
            ok(if format == Format::Json {
                json(&r)
            } else {
                analyze::exposure_text(&r)
            })
        }
        Command::Routes {
            subnet,
            input,
            format,
        } => {
            let estate = load_estate(&input)?;
            let dp = plane(&estate, &input)?;
            let s = analyze::subnet(&dp, &subnet)?;
            ok(if format == Format::Json {
                json(&serde_json::json!({ "subnet": subnet, "value": dp.routes[s] }))
            } else {
                analyze::routes_text(&dp, s)
            })
        }
        Command::NsgRules {
            subnet,
            input,
            format,
        } => {
            let estate = load_estate(&input)?;
            let dp = plane(&estate, &input)?;
            let s = analyze::subnet(&dp, &subnet)?;
            let sub = &dp.topology.subnets[s];
            ok(if format == Format::Json {
                json(
                    &serde_json::json!({ "subnet": subnet, "nsg": sub.nsg, "exempt": sub.nsg_exempt(), "effectiveSecurityRules": dp.nsgs[s] }),
                )
            } else {
                analyze::nsg_text(&dp, s)
            })
        }
    }
}

/// Compiles the estate with the options the input asks for.
fn plane<'e>(estate: &'e aksnet_model::Estate, input: &Input) -> Result<DataPlane<'e>, String> {
    Ok(DataPlane::compile(estate, input.options()?))
}

/// Exit code of a verification: 1 when an unsuppressed finding is at or above `fail_on`.
fn gate(report: &verify::Report, fail_on: FailOn) -> ExitCode {
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

/// Loads the estate to analyse with where it came from.
fn load_input(input: &Input) -> Result<(aksnet_model::Estate, verify::Origin), String> {
    if !input.azure_json.is_empty() {
        let (estate, files) = import_azure(input)?;
        return Ok((estate, verify::Origin::AzureJson(files)));
    }
    if let Some(path) = &input.estate {
        return Ok((
            load_estate(input)?,
            verify::Origin::EstateFile(path.clone()),
        ));
    }
    let d = load(input.intent.as_deref())?;
    let file = input.intent.as_ref().map(|p| p.display().to_string());
    Ok((
        d.estate.clone(),
        verify::Origin::Intent {
            file,
            design: Box::new(d),
        },
    ))
}

/// Imports `--azure-json`; returns the estate and the JSON files read (for source locations).
fn import_azure(input: &Input) -> Result<(aksnet_model::Estate, Vec<PathBuf>), String> {
    let paths: Vec<&Path> = input.azure_json.iter().map(PathBuf::as_path).collect();
    let imp = aksnet_import::import_paths("imported", &paths);
    let errors: Vec<String> = imp
        .summary
        .diagnostics
        .iter()
        .filter(|d| d.error)
        .map(ToString::to_string)
        .collect();
    if !errors.is_empty() {
        return Err(format!(
            "{}\n  = hint: run `aksnet import` to see everything that was read",
            errors.join("\n")
        ));
    }
    let mut estate = imp.estate;
    estate.on_premises_prefixes = on_premises(&input.on_premises)?;
    let files = imp.summary.files.iter().map(PathBuf::from).collect();
    Ok((estate, files))
}

/// Loads the estate to analyse: `--estate FILE`, or the designed intent (or reference).
fn load_estate(input: &Input) -> Result<aksnet_model::Estate, String> {
    if !input.azure_json.is_empty() {
        return import_azure(input).map(|(estate, _)| estate);
    }
    match &input.estate {
        Some(path) => {
            let name = path.display().to_string();
            let text = read_text(path)?;
            aksnet_model::Estate::from_json(&text).map_err(|e| format!("error: {name}:{}:{}: {}\n  = hint: pass an estate.json written by `aksnet design`", e.line, e.column, e.message))
        }
        None => load(input.intent.as_deref()).map(|d| d.estate),
    }
}

/// The largest input file aksnet reads; larger ones are refused while reading. An estate of
/// 100,000 resources is about 150 MB.
const MAX_INPUT: u64 = 512 << 20;

/// Reads a text input: a regular file (devices, FIFOs and directories are refused at once, so
/// `/dev/zero` or a pipe cannot make aksnet read without end) of at most [`MAX_INPUT`] bytes.
fn read_text(p: &Path) -> Result<String, String> {
    use std::io::Read;
    let name = p.display().to_string();
    let cannot = |e: std::io::Error| {
        format!("error: cannot read {name}: {e}\n  = hint: check the path, or run `aksnet init` to create a starter intent")
    };
    let meta = std::fs::metadata(p).map_err(cannot)?;
    if !meta.is_file() {
        return Err(format!("error: {name}: not a regular file (a directory, device or pipe)\n  = hint: pass a file; aksnet reads inputs whole, so it does not read from devices or pipes"));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(p)
        .and_then(|f| f.take(MAX_INPUT + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(format!(
            "error: {name}: larger than {} MiB\n  = hint: aksnet reads inputs whole; split the input or check that it is the file you meant",
            MAX_INPUT >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|e| format!("error: {name}: not UTF-8 text (invalid byte at offset {})\n  = hint: save the file as UTF-8", e.utf8_error().valid_up_to()))
}

/// Parses `--on-premises` prefixes.
fn on_premises(list: &[String]) -> Result<Vec<aksnet_net::Prefix>, String> {
    list.iter()
        .map(|p| p.parse().map_err(|e| format!("error: --on-premises: {e}")))
        .collect()
}

/// `aksnet import`: reads, prints what was read, writes the estate unless there were errors.
fn import(
    paths: &[PathBuf],
    out: Option<&Path>,
    name: &str,
    onprem: &[String],
    keep_going: bool,
    format: Format,
) -> Result<ExitCode, String> {
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let mut imp = aksnet_import::import_paths(name, &refs);
    imp.estate.on_premises_prefixes = on_premises(onprem)?;
    let errors = imp.summary.diagnostics.iter().filter(|d| d.error).count();
    if format == Format::Json {
        print!("{}", json(&imp.summary));
    } else {
        print!("{}", render::import_summary(&imp.summary));
    }
    if errors > 0 && !keep_going {
        eprintln!("error: {errors} problem(s) above; nothing written\n  = hint: fix them, or pass --keep-going to write what could be read");
        return Ok(ExitCode::from(EXIT_BAD_INPUT));
    }
    if let Some(out) = out {
        output::write_file(out, &imp.estate.to_json()).map_err(|e| format!("error: {e}"))?;
        eprintln!("wrote {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The intent a command reads when none is named: `./aksnet.yaml` when it exists (as
/// `terraform` reads the current directory), else the embedded reference design.
const LOCAL_INTENT: &str = "aksnet.yaml";

/// Reads and designs an intent file: the one named, else `./aksnet.yaml`, else the embedded
/// reference. Says on standard error which design it is, so no one analyses the wrong network
/// unknowingly.
fn load(path: Option<&Path>) -> Result<Design, String> {
    let local = Path::new(LOCAL_INTENT);
    let (name, text) = match path {
        Some(p) => (p.display().to_string(), read_text(p)?),
        None if local.is_file() => (LOCAL_INTENT.to_string(), read_text(local)?),
        None => (REFERENCE_NAME.to_string(), REFERENCE_INTENT.to_string()),
    };
    if path.is_none() {
        let which = if name == REFERENCE_NAME {
            "the embedded reference design (no ./aksnet.yaml; `aksnet init` writes one)".to_string()
        } else {
            format!("./{name}")
        };
        eprintln!("design: {which}");
    }
    design(&name, &text).map_err(|e: DesignErrors| e.to_string())
}

fn init(path: &Path, force: bool) -> Result<(), String> {
    if path.exists() && !force {
        return Err(format!(
            "error: {} already exists\n  = hint: pass --force to overwrite it",
            path.display()
        ));
    }
    output::write_file(path, STARTER_INTENT).map_err(|e| format!("error: {e}"))?;
    println!(
        "wrote {}: edit it, then run `aksnet plan {}`",
        path.display(),
        path.display()
    );
    Ok(())
}
