//! `cargo bench -p aksnet-rules`: the whole catalog on the synthetic estates of the engine
//! benchmark (1 hub + N spokes, 200-rule NSGs, a 2,000-rule firewall policy), with the slowest
//! rules named. Median of 3 runs; no criterion, to keep the build lean.

use std::time::{Duration, Instant};

use xtask::bench::median;

use aksnet_engine::{DataPlane, Options};
use aksnet_rules::{catalog, check_rules, Context};

fn main() {
    let sizes = xtask::bench::sizes();
    println!(
        "{:>6} {:>12} {:>9}  slowest rules",
        "spokes", "check", "findings"
    );
    for n in sizes {
        let estate = xtask::estate(n, 200, 2000);
        let dp = DataPlane::compile(&estate, Options::default());
        let rules = catalog();
        let findings = check_rules(&estate, &dp, &rules).len();
        let total = median(3, || check_rules(&estate, &dp, &rules));
        let mut per_rule: Vec<(Duration, &str)> = rules
            .iter()
            .map(|r| {
                let t = Instant::now();
                // A fresh context per rule, so shared analyses are charged to the first user.
                std::hint::black_box(r.run(&Context::new(&estate, &dp)));
                (t.elapsed(), r.code)
            })
            .collect();
        per_rule.sort_by(|a, b| b.cmp(a));
        let slowest: Vec<String> = per_rule
            .iter()
            .take(4)
            .map(|(d, c)| format!("{c} {d:.1?}"))
            .collect();
        println!(
            "{n:>6} {:>12.1?} {findings:>9}  {}",
            total,
            slowest.join(", ")
        );
    }
}
