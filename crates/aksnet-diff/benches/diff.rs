//! `cargo bench -p aksnet-diff --bench diff`: `aksnet diff` against `aksnet check` on the
//! synthetic estates (`cargo run -p xtask -- synth N`: a hub with a firewall of 2,000 rules and
//! N spokes of 6 subnets, each user pool behind a 200-rule NSG), HEAD the same estate with an
//! inbound deny rule added to one spoke's user-pool NSG (`xtask::deny_ssh_in_last_spoke`).
//! `check` is one estate compiled and verified; `diff` is both compiled and verified (side by
//! side, as `aksnet diff` does), then compared. `benches/diff_cli.rs` in `aksnet-cli` measures
//! the same pair end to end, through the binary. Sizes by
//! `AKSNET_BENCH_SPOKES` (default `10,100`); three runs each, the median shown.

use std::time::{Duration, Instant};

use aksnet_diff::Side;
use aksnet_engine::{parallel, DataPlane, Options};
use aksnet_model::Estate;
use aksnet_rules::verify::{verify, Origin, Selection};

fn origin() -> Origin {
    Origin::Json {
        files: Vec::new(),
        places: Default::default(),
    }
}

fn check(e: &Estate) -> usize {
    let dp = DataPlane::compile(e, Options::default());
    verify(e, &dp, &origin(), &Selection::default(), None)
        .expect("verifies")
        .findings
        .len()
}

fn diff(b: &Estate, h: &Estate) -> usize {
    // Compiled and verified side by side, as `aksnet diff` does.
    let planes = parallel::map(&[b, h], |e| DataPlane::compile(e, Options::default()));
    let (bp, hp) = (&planes[0], &planes[1]);
    let o = origin();
    let all = Selection::default();
    let reports = parallel::map(&[(b, bp), (h, hp)], |(e, p)| {
        verify(e, p, &o, &all, None).expect("verifies")
    });
    let (br, hr) = (&reports[0], &reports[1]);
    let d = aksnet_diff::diff(
        &Side {
            estate: b,
            plane: bp,
            report: br,
            origin: &o,
        },
        &Side {
            estate: h,
            plane: hp,
            report: hr,
            origin: &o,
        },
    );
    d.opened.len() + d.closed.len()
}

/// The median of three runs of `f`, and its result.
fn time<T>(f: impl Fn() -> T) -> (Duration, T) {
    let mut runs: Vec<(Duration, T)> = (0..3)
        .map(|_| {
            let t = Instant::now();
            let r = f();
            (t.elapsed(), r)
        })
        .collect();
    runs.sort_by_key(|(d, _)| *d);
    runs.swap_remove(1)
}

fn main() {
    let sizes = std::env::var("AKSNET_BENCH_SPOKES").unwrap_or_else(|_| "10,100".into());
    for n in sizes
        .split(',')
        .filter_map(|s| s.trim().parse::<usize>().ok())
    {
        let base = xtask::estate(n, 200, 2000);
        let head = xtask::deny_ssh_in_last_spoke(&base);
        let (tc, findings) = time(|| check(&base));
        let (td, changes) = time(|| diff(&base, &head));
        println!(
            "{n} spokes: check {tc:.2?} ({findings} findings); diff {td:.2?} ({changes} flow changes); ratio {:.1}",
            td.as_secs_f64() / tc.as_secs_f64()
        );
    }
}
