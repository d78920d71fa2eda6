//! `cargo bench -p aksnet-cli --bench diff_cli`: `aksnet diff BASE HEAD` against
//! `aksnet check BASE` end to end, as a user runs them: the release binary on files, reading
//! and parsing included, report written (to a null sink). The estates are the diff bench's
//! (`aksnet-diff/benches/diff.rs`): `xtask::estate(N, 200, 2000)` and the same with one inbound
//! rule added to a user-pool NSG (`xtask::deny_ssh_in_last_spoke`). Sizes by
//! `AKSNET_BENCH_SPOKES` (default `10,100`); three runs each, the median shown.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The median wall time of three runs of `aksnet ARGS` in `dir`, which must exit 0 or 1.
fn time(dir: &Path, args: &[&str]) -> Duration {
    let mut runs: Vec<Duration> = (0..3)
        .map(|_| {
            let t = Instant::now();
            let status = Command::new(env!("CARGO_BIN_EXE_aksnet"))
                .args(args)
                .current_dir(dir)
                .stdout(Stdio::null())
                .status()
                .expect("aksnet runs");
            assert!(
                matches!(status.code(), Some(0 | 1)),
                "aksnet {args:?}: {status}"
            );
            t.elapsed()
        })
        .collect();
    runs.sort();
    runs[1]
}

fn main() {
    let sizes = std::env::var("AKSNET_BENCH_SPOKES").unwrap_or_else(|_| "10,100".into());
    let dir = tempfile::tempdir().expect("a temporary directory");
    for n in sizes
        .split(',')
        .filter_map(|s| s.trim().parse::<usize>().ok())
    {
        let base = xtask::estate(n, 200, 2000);
        let head = xtask::deny_ssh_in_last_spoke(&base);
        std::fs::write(dir.path().join("base.json"), base.to_json()).expect("written");
        std::fs::write(dir.path().join("head.json"), head.to_json()).expect("written");
        let tc = time(dir.path(), &["check", "base.json"]);
        let td = time(dir.path(), &["diff", "base.json", "head.json"]);
        println!(
            "{n} spokes: aksnet check {tc:.2?}; aksnet diff {td:.2?}; ratio {:.2}",
            td.as_secs_f64() / tc.as_secs_f64()
        );
    }
}
