//! The phases of one diff, timed, for profiling: the bench's pair (`benches/diff.rs`: the
//! synthetic estate of `N` spokes, default 100, and the same with a deny rule added to the last
//! spoke's user-pool NSG). `N=500 cargo run --release -p aksnet-diff --example diff_phases`.
use std::time::Instant;

use aksnet_diff::Side;
use aksnet_engine::{DataPlane, Options};
use aksnet_rules::verify::{verify, Origin, Selection};

fn main() {
    let n: usize = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let base = xtask::estate(n, 200, 2000);
    let head = xtask::deny_ssh_in_last_spoke(&base);
    let o = Origin::Json {
        files: Vec::new(),
        places: Default::default(),
    };
    let all = Selection::default();
    let t = Instant::now();
    // A check of BASE alone, the bench's yardstick.
    let one = DataPlane::compile(&base, Options::default());
    let _ = verify(&base, &one, &o, &all, None).unwrap();
    eprintln!("check (compile and verify BASE) {:?}", t.elapsed());
    let t = Instant::now();
    let (bp, hp) = (
        DataPlane::compile(&base, Options::default()),
        DataPlane::compile(&head, Options::default()),
    );
    eprintln!("compile x2 {:?}", t.elapsed());
    let t = Instant::now();
    let (br, hr) = (
        verify(&base, &bp, &o, &all, None).unwrap(),
        verify(&head, &hp, &o, &all, None).unwrap(),
    );
    eprintln!("verify x2 {:?}", t.elapsed());
    let (b, h) = (
        Side {
            estate: &base,
            plane: &bp,
            report: &br,
            origin: &o,
        },
        Side {
            estate: &head,
            plane: &hp,
            report: &hr,
            origin: &o,
        },
    );
    let t = Instant::now();
    let texts = [&base, &head].map(aksnet_diff::resources::Texts::of);
    let r = aksnet_diff::resources::compare(&texts[0], &texts[1]);
    eprintln!("resources {:?}", t.elapsed());
    let t = Instant::now();
    let s = aksnet_diff::scope::of(&b, &h, [&texts[0], &texts[1]], &r);
    eprintln!("scope {:?}", t.elapsed());
    let t = Instant::now();
    let f = aksnet_diff::flows::compare(&b, &h, &s, &[]);
    eprintln!(
        "flows {:?} ({} {} {})",
        t.elapsed(),
        f.0.len(),
        f.1.len(),
        f.2.len()
    );
    let t = Instant::now();
    let d = aksnet_diff::diff(&b, &h);
    eprintln!(
        "diff after verify {:?} ({} opened, {} closed)",
        t.elapsed(),
        d.opened.len(),
        d.closed.len()
    );
}
