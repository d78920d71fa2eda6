//! `aksnet`: the command line. Thin by design: argument parsing, file I/O, atomic output
//! directories and exit codes; everything else is a library call.

mod args;
mod cli;
mod commands;
mod explain;
mod input;
mod output;
mod status;

use std::process::ExitCode;

use aksnet_model::Diagnostic;
use clap::Parser;

use cli::{Cli, Command};
use commands::Outcome;

/// Exit code for bad input or usage (clap uses it for usage errors too).
const EXIT_BAD_INPUT: u8 = 2;

/// Exit code when a check fails (findings at or above `--fail-on`, or a trace verdict other
/// than `--expect`).
const EXIT_FINDINGS: u8 = 1;

/// Why a command stopped (exit 2): what to show on standard error.
#[derive(Debug)]
pub struct Failure(pub Vec<Diagnostic>);

impl From<Diagnostic> for Failure {
    fn from(d: Diagnostic) -> Self {
        Failure(vec![d])
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    status::set_quiet(cli.quiet);
    match run(cli.command) {
        Ok(code) => code,
        Err(Failure(diagnostics)) => {
            diagnostics.iter().for_each(status::show);
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

/// Hands each command to its function.
fn run(command: Command) -> Outcome {
    match command {
        Command::Init { path, force } => commands::init(&path, force),
        Command::Plan { intent, format } => commands::plan(intent.as_deref(), format),
        Command::Design(a) => commands::design(&a),
        Command::Generate {
            target,
            input,
            out,
            force,
        } => commands::generate(target, &input, &out, force),
        Command::Diagram { input, format, out } => {
            commands::diagram(&input, format, out.as_deref())
        }
        Command::RequiredEgress {
            input,
            format,
            recommended,
        } => commands::required_egress(&input, format, recommended),
        Command::Rules { code, format } => commands::rules(code.as_deref(), format),
        Command::Check(a) => commands::check(&a),
        Command::Diff(a) => commands::diff(&a),
        Command::Import(a) => commands::import(&a),
        Command::Trace(a) => explain::trace(&a),
        Command::Reach {
            input,
            from,
            to,
            format,
        } => explain::reach(&input, &from, &to, format),
        Command::Exposure {
            input,
            from,
            format,
        } => explain::exposure(&input, &from, format),
        Command::Routes {
            subnet,
            input,
            format,
        } => explain::routes(&input, &subnet, format),
        Command::Schema => commands::schema(),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "aksnet", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::NsgRules {
            subnet,
            input,
            format,
        } => explain::nsg_rules(&input, &subnet, format),
    }
}
