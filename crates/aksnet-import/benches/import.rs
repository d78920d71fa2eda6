//! `cargo bench -p aksnet-import`: importing a synthetic az-style export (a REST list page) of
//! 100,000 resources (~220 MB; `cargo run -p xtask -- export 100000` writes the same file).
//! Reports the parse alone, the full import (typed estate, children attached, validation), the
//! validation share, and peak memory; then the general path alone (every resource read into a
//! JSON tree and typed from it, as for inputs the fast path does not take), after the peak.

use std::time::Instant;

use xtask::bench::peak_rss_mib;

fn main() {
    let n: usize = std::env::var("AKSNET_BENCH_RESOURCES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("export.json");
    {
        let f = std::fs::File::create(&path).expect("create");
        let mut w = std::io::BufWriter::new(f);
        xtask::write_export(&mut w, n).expect("write");
    }
    let mb = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    let t = Instant::now();
    let mut count = 0usize;
    let _ = aksnet_import::read_paths_into(&[path.as_path()], &mut |_| count += 1);
    let parse = t.elapsed();
    let t = Instant::now();
    let imp = aksnet_import::import_paths("bench", &[path.as_path()]);
    let full = t.elapsed();
    let t = Instant::now();
    let diags = aksnet_model::validate(&imp.estate);
    let validate = t.elapsed();
    let imported: usize = imp.summary.imported.values().sum();
    assert_eq!(imported, n);
    println!("{n} resources, {mb:.0} MB: parse {parse:.2?}, full import {full:.2?} (validation {validate:.2?}, {} diagnostics), peak {:.0} MiB", diags.len(), peak_rss_mib());
    drop(imp);
    let t = Instant::now();
    let mut raws = Vec::new();
    let summary = aksnet_import::read_paths_into(&[path.as_path()], &mut |r| raws.push(r));
    let general = aksnet_import::assemble("bench", raws, summary);
    let general_time = t.elapsed();
    assert_eq!(general.summary.imported.values().sum::<usize>(), n);
    println!("general path (JSON tree per resource, no fast path): {general_time:.2?}");
}
