//! `cargo run -p xtask -- synth SPOKES [NSG_RULES] [FIREWALL_RULES] > estate.json`
//! `cargo run -p xtask -- synth-head SPOKES [NSG_RULES] [FIREWALL_RULES] > head.json` (the same
//! estate with the diff bench's change, `xtask::deny_ssh_in_last_spoke`)
//! `cargo run -p xtask -- export RESOURCES > export.json` (an az-style list page for import benchmarks)
//! `cargo run -p xtask -- intent SPOKES > aksnet.yaml` (the design benchmark's intent)

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("rule-docs") {
        return match xtask::write_rule_docs(std::path::Path::new("docs/rules")) {
            Ok(n) => {
                println!("wrote {n} files to docs/rules");
                std::process::ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}\n  = hint: run it from the workspace root");
                std::process::ExitCode::from(2)
            }
        };
    }
    if args.first().map(String::as_str) == Some("intent") {
        let n = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100);
        print!("{}", xtask::intent(n));
        return std::process::ExitCode::SUCCESS;
    }
    if args.first().map(String::as_str) == Some("export") {
        let n = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
        let stdout = std::io::stdout();
        let mut w = std::io::BufWriter::new(stdout.lock());
        return match xtask::write_export(&mut w, n) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                std::process::ExitCode::from(2)
            }
        };
    }
    let num = |i: usize, default: usize| args.get(i).map_or(Ok(default), |a| a.parse::<usize>());
    match (
        args.first().map(String::as_str),
        num(1, 10),
        num(2, 200),
        num(3, 2000),
    ) {
        (Some(cmd @ ("synth" | "synth-head")), Ok(spokes), Ok(nsg), Ok(fw)) => {
            let mut e = xtask::estate(spokes, nsg, fw);
            if cmd == "synth-head" {
                e = xtask::deny_ssh_in_last_spoke(&e);
            }
            print!("{}", e.to_json());
            std::process::ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: cargo run -p xtask -- synth|synth-head SPOKES [NSG_RULES=200] [FIREWALL_RULES=2000] > estate.json");
            std::process::ExitCode::from(2)
        }
    }
}
