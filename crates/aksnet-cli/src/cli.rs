//! The command line: every command, its flags and their help.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Design, verify, explain and generate the network of an AKS hub-and-spoke estate.
#[derive(Parser)]
#[command(name = "aksnet", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print only reports and errors: no notes on which design was read, no "wrote FILE" lines,
    /// no progress.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Subcommand)]
pub enum Command {
    /// Write a commented starter intent file, and its JSON Schema beside it for editors.
    Init {
        /// Where to write it.
        #[arg(default_value = "aksnet.yaml")]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Show the address plan: every VNet and subnet with its size and why.
    #[command(
        after_help = "Examples:\n  aksnet plan                       # ./aksnet.yaml, else the embedded reference\n  aksnet plan intent.yaml --format json"
    )]
    Plan {
        /// Intent file (default: ./aksnet.yaml if present, else the embedded reference design).
        intent: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Generate deployable code from the estate.
    #[command(
        after_help = "Examples:\n  aksnet generate terraform --out infra      # your state and tfvars in infra/ are kept\n  aksnet generate kubernetes --estate estate.json --out k8s"
    )]
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
    #[command(
        after_help = "Examples:\n  aksnet check aksnet.yaml --format sarif > aksnet.sarif\n  aksnet check --azure-json export/ --on-premises 10.0.0.0/8 --fail-on warning\n  aksnet check --estate estate.json --policy policy.yaml --skip AKS-PLK-004\n\nExit codes: 0 no finding at or above --fail-on, 1 findings, 2 bad input."
    )]
    Check(CheckArgs),
    /// What a change opens and closes: flows, findings and resources of HEAD against BASE.
    #[command(
        after_help = "BASE and HEAD are any inputs aksnet reads: an intent, an estate.json, Azure JSON or an ARM\ntemplate, a Bicep or .bicepparam file, a Terraform folder or plan; -p, --var, --switch...\napply to both.\n\nExamples:\n  aksnet diff base/infra infra --format markdown > comment.md\n  aksnet diff deployed-export.json infra/ --fail-on changed\n  aksnet diff main.bicepparam next.bicepparam --format sarif > diff.sarif\n\nExit codes: 0 nothing met --fail-on, 1 it was met, 2 bad input."
    )]
    Diff(DiffArgs),
    /// Read Azure resource JSON (az CLI, REST, Resource Graph, ARM templates and deployments) into an estate.
    #[command(
        after_help = "Examples:\n  az network vnet list -o json > vnets.json; aksnet import vnets.json --out estate.json\n  aksnet import export/ --on-premises 10.0.0.0/8 --keep-going --out estate.json"
    )]
    Import(ImportArgs),
    /// Trace one flow hop by hop: routes, NSGs, firewall rules, translations, and the reply path.
    #[command(
        after_help = "Examples:\n  aksnet trace --from onprem --to ilb --port 443\n  aksnet trace --from aks-prod/snet-user --to internet --fqdn mcr.microsoft.com\n  aksnet trace --from internet --to aks-prod/snet-user --port 22 --expect denied   # exit 1 if not"
    )]
    Trace(TraceArgs),
    /// Every packet that gets from one place to another, by path, with a witness trace each.
    #[command(after_help = "Examples:\n  aksnet reach --from onprem --to aks-prod/snet-user")]
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
    #[command(
        after_help = "Examples:\n  aksnet exposure\n  aksnet exposure --from onprem --format json"
    )]
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
    #[command(after_help = "Examples:\n  aksnet routes vnet-aks-prod/snet-user")]
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
    /// Print the intent file's JSON Schema (for editors; `init` writes it beside the intent).
    Schema,
    /// Print a shell completion script, e.g. `aksnet completions bash > /etc/bash_completion.d/aksnet`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Plan, build and validate the estate, and write it to the output directory.
    #[command(
        after_help = "Examples:\n  aksnet design                              # ./aksnet.yaml, else the reference, into aksnet-out/\n  aksnet design intent.yaml --out build --fail-on warning"
    )]
    Design(DesignArgs),
}

/// The flags of `aksnet check`.
#[derive(clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: Input,
    /// Report format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Lowest severity that fails the run.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Run only these rules (repeatable; AKS-INTENT selects the flow intents).
    #[arg(long, value_name = "CODE")]
    pub rule: Vec<String>,
    /// Do not run these rules (repeatable).
    #[arg(long, value_name = "CODE")]
    pub skip: Vec<String>,
    /// A YAML file of flow `intents:` and `suppressions:` (as in an intent file), for
    /// estates from `--estate` or `--azure-json`, or on top of an intent's own.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

/// The flags of `aksnet diff`.
#[derive(clap::Args)]
pub struct DiffArgs {
    /// The estate before the change.
    pub base: PathBuf,
    /// The estate after the change.
    pub head: PathBuf,
    #[command(flatten)]
    pub settings: Settings,
    /// Report format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// What exits 1: a flow opened, closed, either, a finding added, or never.
    #[arg(long, value_enum, default_value_t = DiffFailOn::Opened)]
    pub fail_on: DiffFailOn,
}

/// Formats of `diff`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// For a terminal.
    Text,
    /// JSON.
    Json,
    /// Markdown for a pull-request comment.
    Markdown,
    /// SARIF 2.1.0, located in HEAD's files.
    Sarif,
}

/// What makes `diff` exit 1.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFailOn {
    /// A flow opened (by address or by name).
    Opened,
    /// A flow closed.
    Closed,
    /// A flow opened or closed.
    Changed,
    /// A finding added.
    Findings,
    /// Never.
    Never,
}

/// The flags of `aksnet design`.
#[derive(clap::Args)]
pub struct DesignArgs {
    /// Intent file (default: ./aksnet.yaml if present, else the embedded reference design).
    pub intent: Option<PathBuf>,
    /// Output directory. aksnet replaces only the files it wrote there (listed in its
    /// `.aksnet-manifest`) and refuses to overwrite any other.
    #[arg(long, default_value = "aksnet-out")]
    pub out: PathBuf,
    /// Overwrite files in the output directory that aksnet did not write.
    #[arg(long)]
    pub force: bool,
    /// Summary format on standard output.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Lowest check severity that fails the run (the files are written either way).
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
}

/// How infrastructure as code among the inputs is evaluated: what `az deployment group create`
/// (or `az deployment sub create`) is told for ARM templates, what `terraform plan` is told for
/// Terraform configurations.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct TemplateArgs {
    /// A template parameter, as az takes it: a parameters file (with or without @) or
    /// NAME=VALUE; one per flag, repeatable (-p @main.parameters.json -p location=eastus),
    /// later ones win.
    #[arg(long, short = 'p', value_name = "FILE|NAME=VALUE")]
    pub parameters: Vec<String>,
    /// Subscription id the templates deploy to (default 00000000-0000-0000-0000-000000000000).
    #[arg(long, value_name = "ID")]
    pub subscription: Option<String>,
    /// Tenant id (`subscription().tenantId`; default 00000000-0000-0000-0000-000000000000).
    #[arg(long, value_name = "ID")]
    pub tenant: Option<String>,
    /// Resource group the templates deploy to (default arm-template).
    #[arg(long = "resource-group", short = 'g', value_name = "NAME")]
    pub resource_group: Option<String>,
    /// Location of the resource group (or of a subscription deployment, which needs one).
    #[arg(long, short = 'l', value_name = "REGION")]
    pub location: Option<String>,
    /// Deployment name (default: the template file's name without extension, as az).
    #[arg(long = "deployment-name", value_name = "NAME")]
    pub deployment_name: Option<String>,
    /// Run the deployments this YAML file lists, in order (templates, scopes, parameters,
    /// earlier outputs; see docs/import.md), instead of reading paths.
    #[arg(long, value_name = "FILE")]
    pub deployments: Option<PathBuf>,
    /// A Terraform variable, as terraform takes it: NAME=VALUE (repeatable; wins over
    /// --var-file, *.auto.tfvars, terraform.tfvars and TF_VAR_NAME).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// A Terraform variable definitions file (.tfvars or .tfvars.json; repeatable, later ones
    /// win; --var wins over all of them).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
}

impl TemplateArgs {
    /// As the import takes them.
    pub fn templates(&self) -> aksnet_import::Templates {
        aksnet_import::Templates {
            parameters: self.parameters.clone(),
            subscription: self.subscription.clone(),
            tenant: self.tenant.clone(),
            resource_group: self.resource_group.clone(),
            location: self.location.clone(),
            name: self.deployment_name.clone(),
            terraform: aksnet_tf::config::Inputs {
                cli: self
                    .var_files
                    .iter()
                    .cloned()
                    .map(aksnet_tf::config::CliVar::File)
                    .chain(
                        self.vars
                            .iter()
                            .cloned()
                            .map(aksnet_tf::config::CliVar::Pair),
                    )
                    .collect(),
                // As terraform reads them: TF_VAR_name, lowest precedence after defaults.
                env: std::env::vars()
                    .filter_map(|(k, v)| Some((k.strip_prefix("TF_VAR_")?.to_string(), v)))
                    .collect(),
            },
        }
    }
}

/// The flags of `aksnet import`.
#[derive(clap::Args)]
pub struct ImportArgs {
    /// Files or folders: Azure JSON, ARM templates and Terraform plans (a folder: every *.json
    /// directly inside), a Terraform configuration (a folder with .tf files, or a .tf file), or
    /// Bicep (a .bicep file, a .bicepparam file naming its template, or a folder's .bicep files
    /// that no other one uses as a module).
    #[arg(required_unless_present = "deployments")]
    pub paths: Vec<PathBuf>,
    /// Write the estate here.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Estate name.
    #[arg(long, default_value = "imported")]
    pub name: String,
    /// On-premises prefixes (ExpressRoute learns them by BGP; no resource holds them).
    #[arg(long = "on-premises", value_name = "CIDR", value_delimiter = ',')]
    pub on_premises: Vec<String>,
    /// Write what could be read even when some resources or files had errors.
    #[arg(long)]
    pub keep_going: bool,
    /// Summary format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub templates: TemplateArgs,
}

/// The flags of `aksnet trace`.
#[derive(clap::Args)]
pub struct TraceArgs {
    #[command(flatten)]
    pub input: Input,
    /// Source: internet, onprem, VNET/SUBNET, an IP, or an endpoint (acr, keyvault, apiserver, appgw, ilb, firewall, bastion; SPOKE:acr).
    #[arg(long)]
    pub from: String,
    /// Destination (same forms as --from).
    #[arg(long)]
    pub to: String,
    /// Protocol: tcp, udp or icmp.
    #[arg(long, default_value = "tcp")]
    pub protocol: String,
    /// Destination port.
    #[arg(long, default_value_t = 443)]
    pub port: u16,
    /// Host name (DNS resolution and firewall application rules match on it).
    #[arg(long)]
    pub fqdn: Option<String>,
    /// Exit 1 unless the verdict is this (for CI gates).
    #[arg(long, value_enum)]
    pub expect: Option<Expect>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Where the estate comes from: an intent (designed on the fly) or an `estate.json`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct Input {
    /// Intent file (default: ./aksnet.yaml if present, else the embedded reference design); or
    /// what to import instead: a Terraform folder or .tf file, a .bicep or .bicepparam file, a
    /// folder of Bicep or JSON, or an Azure JSON / ARM template / Terraform plan .json file (as
    /// --azure-json).
    pub intent: Option<PathBuf>,
    /// Read this estate.json instead of designing an intent.
    #[arg(long, conflicts_with = "intent")]
    pub estate: Option<PathBuf>,
    /// Import Azure resource JSON or ARM templates (files or folders; repeatable) instead of
    /// designing an intent.
    #[arg(long = "azure-json", value_name = "PATH", conflicts_with_all = ["intent", "estate"])]
    pub azure_json: Vec<PathBuf>,
    #[command(flatten)]
    pub settings: Settings,
}

/// How any input is read and analysed, whatever it is: the flags `diff` applies to both sides.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct Settings {
    /// On-premises prefixes for imported estates (ExpressRoute learns them by BGP; no resource holds them).
    #[arg(long = "on-premises", value_name = "CIDR", value_delimiter = ',')]
    pub on_premises: Vec<String>,
    #[command(flatten)]
    pub templates: TemplateArgs,
    /// Service-tag prefixes (ServiceTags_Public JSON or `az network list-service-tags` output):
    /// resolves tags such as AzureCloud or GatewayManager, and service endpoint routes.
    #[arg(long = "service-tags", value_name = "FILE")]
    pub service_tags: Option<PathBuf>,
    /// Turn around one of the engine's documented defaults where Azure's behaviour is disputed
    /// or unconfirmed (repeatable; see docs/engine.md).
    #[arg(long = "switch", value_name = "NAME")]
    pub switches: Vec<String>,
}

/// Formats of `required-egress`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EgressFormat {
    /// A table per cluster.
    Text,
    /// JSON.
    Json,
    /// CSV, for firewall rule imports.
    Csv,
}

/// Formats of `diagram`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagramFormat {
    /// SVG, self-contained.
    Svg,
    /// Graphviz dot.
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

/// What `generate` writes.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// Terraform for azurerm 4.x.
    Terraform,
    /// Kubernetes manifests: the ingress Service, default-deny NetworkPolicies.
    Kubernetes,
}

/// Report formats of `check`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
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
pub enum FailOn {
    /// Errors fail the run.
    Error,
    /// Warnings and errors fail the run.
    Warning,
    /// Never fail on findings.
    Never,
}

/// Expected trace verdicts.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Expect {
    /// The flow must get through.
    Allowed,
    /// The flow must be blocked.
    Denied,
}

/// Output formats.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Human-readable.
    Text,
    /// Machine-readable JSON.
    Json,
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::Cli;

    /// Every example in `--help` is a command line the parser accepts.
    #[test]
    fn help_examples_parse() {
        let mut n = 0;
        for sub in Cli::command().get_subcommands() {
            let Some(help) = sub.get_after_help() else {
                continue;
            };
            for line in help.to_string().lines() {
                let Some(rest) = line.trim_start().strip_prefix("aksnet ") else {
                    continue;
                };
                let rest = rest.split(['#', '>', ';']).next().unwrap_or_default();
                let args = std::iter::once("aksnet").chain(rest.split_whitespace());
                if let Err(e) = Cli::try_parse_from(args) {
                    panic!("`{line}` does not parse: {e}");
                }
                n += 1;
            }
        }
        assert!(n >= 12, "examples checked: {n}");
    }
}
