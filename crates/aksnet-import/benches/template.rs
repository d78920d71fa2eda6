//! `cargo bench -p aksnet-import --bench template`: deploying and importing the AKS landing
//! zone accelerator's compiled `main.json` (2.75 MB, ~5,400 expressions, 191 nested
//! deployments) from `../shared/corpus/arm`, as `aksnet import main.json -l eastus` does.
//! Prints the median and range of ten runs (the file is read each time, as the CLI does).

use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/arm/aks-lza-secure-baseline-private-cluster.main.json");
    if !path.is_file() {
        println!("skipped: {} is not beside the repository", path.display());
        return;
    }
    let templates = aksnet_import::Templates {
        location: Some("eastus".into()),
        ..Default::default()
    };
    let mut times: Vec<Duration> = Vec::new();
    let mut imported = 0;
    for _ in 0..10 {
        let t = Instant::now();
        let imp = aksnet_import::import_paths_with("bench", &[path.as_path()], &templates);
        times.push(t.elapsed());
        imported = imp.summary.imported.values().sum::<usize>();
    }
    times.sort();
    println!(
        "AKS landing zone accelerator main.json (2.75 MB): {imported} resources imported; median {:.1?}, range {:.1?}–{:.1?} (10 runs)",
        times[5], times[0], times[9]
    );
}
