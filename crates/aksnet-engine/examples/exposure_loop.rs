//! One exposure repeated, for profiling: from a user pool of the last spoke to every address,
//! on the synthetic estate of `N` spokes (default 100), `K` times (default 20).
use aksnet_engine::{DataPlane, Options};
use aksnet_net::PrefixSet;
fn main() {
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(d)
    };
    let (n, k) = (env("N", 100), env("K", 20));
    let estate = xtask::estate(n, 200, 2000);
    let dp = DataPlane::compile(&estate, Options::default());
    let from = dp.place(&format!("s{}/snet-user", n - 1)).expect("place");
    let all = PrefixSet::everything();
    let t = std::time::Instant::now();
    let mut paths = 0;
    for _ in 0..k {
        paths += dp.exposure_paths(&from, &all).len();
    }
    println!(
        "{:?} per exposure ({} paths)",
        t.elapsed() / k as u32,
        paths / k
    );
}
