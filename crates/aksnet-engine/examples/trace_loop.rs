//! One trace repeated, for profiling (`perf record`, `valgrind --tool=callgrind`): the engine
//! bench's trace (a user pool of the last spoke to mcr.microsoft.com through the 2,000-rule
//! firewall) on the synthetic estate of `N` spokes (default 100), `K` times (default 20,000).
//! `N=500 cargo run --release -p aksnet-engine --example trace_loop` prints the time per trace.

use aksnet_engine::places::Place;
use aksnet_engine::trace::Query;
use aksnet_engine::{DataPlane, Options};
use aksnet_net::Protocol;
fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let k: usize = std::env::var("K")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20000);
    let estate = xtask::estate(n, 200, 2000);
    let dp = DataPlane::compile(&estate, Options::default());
    let from = dp.place(&format!("s{}/snet-user", n - 1)).expect("place");
    let q = Query {
        from,
        to: Place::Internet,
        protocol: Protocol::Tcp,
        port: 443,
        fqdn: Some("mcr.microsoft.com".into()),
    };
    dp.trace(&q);
    let t = std::time::Instant::now();
    for _ in 0..k {
        std::hint::black_box(dp.trace(&q));
    }
    eprintln!("{:?} per trace", t.elapsed() / k as u32);
}
