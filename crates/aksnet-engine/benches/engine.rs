//! `cargo bench -p aksnet-engine`: compile, trace and exposure on synthetic estates of
//! 1 hub + N spokes (6 subnets each, 200-rule NSGs on the user pools, a 2,000-rule firewall
//! policy). A small harness (no criterion, to keep the build lean): each measurement is the
//! median of several runs; peak memory is the process's VmHWM at the end.

use std::time::{Duration, Instant};

use aksnet_engine::places::Place;
use aksnet_engine::trace::Query;
use aksnet_engine::{DataPlane, Options};
use aksnet_net::Protocol;

fn median<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut v: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .collect();
    v.sort();
    v[v.len() / 2]
}

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let sizes: Vec<usize> = std::env::var("AKSNET_BENCH_SPOKES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![10, 100, 500]);
    println!(
        "{:>6} {:>9} {:>12} {:>12} {:>14} {:>16}",
        "spokes", "subnets", "compile", "trace", "exposure", "reach (1 pair)"
    );
    for n in sizes {
        let estate = xtask::estate(n, 200, 2000);
        let subnets = estate.subnets().count();
        let compile = median(3, || DataPlane::compile(&estate, Options::default()));
        let dp = DataPlane::compile(&estate, Options::default());
        let from = dp.place(&format!("s{}/snet-user", n - 1)).expect("place");
        let q = Query {
            from: from.clone(),
            to: Place::Internet,
            protocol: Protocol::Tcp,
            port: 443,
            fqdn: Some("mcr.microsoft.com".into()),
        };
        assert_eq!(dp.trace(&q).verdict, "allowed");
        let trace = median(51, || dp.trace(&q));
        let exposure = median(3, || dp.exposure(&Place::Internet));
        let to = dp.place("s0/snet-system").expect("place");
        let reach = median(3, || dp.reach(&from, &to));
        println!(
            "{n:>6} {subnets:>9} {:>12.1?} {:>12.1?} {:>14.1?} {:>16.1?}",
            compile, trace, exposure, reach
        );
    }
    println!("peak memory (VmHWM): {:.0} MiB", peak_rss_mib());
}
