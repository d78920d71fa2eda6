//! The report's flow matrix computes each row with one walk to all its columns
//! (`views::row`, `DataPlane::reach_paths_each`); every cell must be what a walk to that cell
//! alone gives (`views::cell`), for every source and destination of every example — not only
//! the pairs the report draws — under the default semantics and the switches that change
//! paths.

mod common;

use aksnet_design::design;
use aksnet_emit::views;
use std::collections::BTreeMap;

use aksnet_engine::reach::{merge, PathResult};
use aksnet_engine::{DataPlane, Options, Place};
use aksnet_net::PacketSet;

/// What the paths say: per place delivered, names, whether something unknown decides them, and
/// breakage, the packets; and the total. The words are left out (`reach_paths_each`): a row's
/// walk labels a route hop with every route of the row that leads the same way, and keeps a
/// branch's unknown reasons for all its packets.
type Said = BTreeMap<(String, Vec<String>, bool, Option<String>), PacketSet>;

fn said(paths: Vec<PathResult>) -> (Said, PacketSet) {
    let (merged, total) = merge(paths);
    let mut by: Said = BTreeMap::new();
    for p in merged {
        let e = by
            .entry((p.delivered_at, p.by_name, !p.unknown.is_empty(), p.broken))
            .or_insert_with(PacketSet::empty);
        *e = e.union(&p.packets);
    }
    (by, total)
}

#[test]
fn rows_walked_once_give_the_cells_walked_alone() {
    let mut checked = 0;
    for (name, text) in common::examples() {
        let estate = design(&name, &text).unwrap().estate;
        for switch in [
            None,
            Some("firewall-first-address"),
            Some("dnat-then-network-rules"),
        ] {
            let mut options = Options::default();
            if let Some(s) = switch {
                options.set(s).unwrap();
            }
            let dp = DataPlane::compile(&estate, options);
            let places = views::matrix_places(&dp);
            let all: Vec<&Place> = places.iter().map(|p| &p.place).collect();
            for from in places.iter().filter(|p| p.source) {
                // The engine's cut: every merged path and its packets, not only the services
                // a cell shows.
                let each = dp.reach_paths_each(&from.place, &all);
                for (to, paths) in places.iter().zip(each) {
                    assert!(
                        said(paths) == said(dp.reach_paths(&from.place, &to.place)),
                        "{name} ({switch:?}): paths {} → {}",
                        from.label,
                        to.label
                    );
                }
                let row = views::row(&dp, &from.place, &all);
                for (to, got) in places.iter().zip(&row) {
                    let alone = views::cell(&dp, &from.place, &to.place);
                    assert_eq!(
                        got, &alone,
                        "{name} ({switch:?}): {} → {}",
                        from.label, to.label
                    );
                    checked += 1;
                }
            }
        }
    }
    // Six examples, three semantics, every source against every place.
    assert!(checked > 1000, "{checked} cells");
}
