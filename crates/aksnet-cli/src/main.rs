//! `aksnet`: the command line. Thin by design: argument parsing, file I/O, atomic output
//! directories and exit codes; everything else is a library call.

mod output;
mod render;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use aksnet_design::{
    design, Design, DesignErrors, REFERENCE_INTENT, REFERENCE_NAME, STARTER_INTENT,
};
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
        /// Intent file (default: the embedded reference design).
        intent: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Plan, build and validate the estate, and write it to the output directory.
    Design {
        /// Intent file (default: the embedded reference design).
        intent: Option<PathBuf>,
        /// Output directory (replaced atomically).
        #[arg(long, default_value = "aksnet-out")]
        out: PathBuf,
        /// Summary format on standard output.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// Output formats.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Human-readable.
    Text,
    /// Machine-readable JSON.
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Init { path, force } => init(&path, force),
        Command::Plan { intent, format } => {
            let d = load(intent.as_deref())?;
            print!("{}", render::plan(&d, format == Format::Json));
            Ok(())
        }
        Command::Design {
            intent,
            out,
            format,
        } => {
            let d = load(intent.as_deref())?;
            let files = [("estate.json", d.estate.to_json())];
            output::write_dir(&out, &files).map_err(|e| format!("error: {e}"))?;
            print!(
                "{}",
                render::design_summary(&d, &out, &files, format == Format::Json)
            );
            Ok(())
        }
    }
}

/// Reads and designs an intent file, or the embedded reference.
fn load(path: Option<&Path>) -> Result<Design, String> {
    let (name, text) = match path {
        None => (REFERENCE_NAME.to_string(), REFERENCE_INTENT.to_string()),
        Some(p) => {
            let name = p.display().to_string();
            let bytes = std::fs::read(p).map_err(|e| format!("error: cannot read {name}: {e}\n  = hint: check the path, or run `aksnet init` to create a starter intent"))?;
            let text = String::from_utf8(bytes).map_err(|e| format!("error: {name}: not UTF-8 text (invalid byte at offset {})\n  = hint: save the intent file as UTF-8", e.utf8_error().valid_up_to()))?;
            (name, text)
        }
    };
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
