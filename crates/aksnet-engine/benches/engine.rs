//! `cargo bench -p aksnet-engine`: compile, trace and exposure on synthetic estates of
//! 1 hub + N spokes (6 subnets each, 200-rule NSGs on the user pools, a 2,000-rule firewall
//! policy). A small harness (no criterion, to keep the build lean): each measurement is the
//! median of several runs; peak memory is the process's VmHWM at the end.

use xtask::bench::{median, peak_rss_mib};

use aksnet_engine::places::Place;
use aksnet_engine::trace::Query;
use aksnet_engine::{DataPlane, Options};
use aksnet_net::Protocol;

fn main() {
    let sizes = xtask::bench::sizes();
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
