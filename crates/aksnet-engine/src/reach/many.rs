//! Exposure from many sources in one walk. `aksnet diff` asks, for every source place, what its
//! packets reach; hundreds of node subnets then send their packets through the same firewall
//! into the same spokes. Their walks start apart and meet (at the hub's firewall, typically),
//! so each source's first branch is seeded into one walk taken level by level, and the branches
//! of a level that are in the same state — place, translations, what the request did for its
//! reply, names, unknown reasons, depth — are merged into one that carries the union of their
//! packets.
//!
//! This is exact because the walk is per packet: what a step does to a packet depends on the
//! branch's state and on that packet, never on the rest of the set (the differential tests hold
//! reach against `trace` packet by packet). So a merged branch does to each of its packets what
//! the branch that brought it would have done. The paths are then cut by each source's
//! addresses, which the packets keep in original coordinates through SNAT and DNAT. Sources
//! whose addresses overlap (an endpoint and its subnet, overlapping VNets) go to different
//! walks, so a cut never mixes two sources' packets.
//!
//! What may differ from [`DataPlane::exposure_paths`] source by source is the words: a merged
//! path's `via` is the first merged branch's, which may name another source's first hops, and
//! the paths come out in another order (`tests/exposures.rs` holds the rest equal).

use super::{Agenda, Branch, PathResult, MAX_BRANCHES};
use crate::places::Place;
use crate::DataPlane;
use aksnet_net::{PacketSet, PrefixSet, SourceCut};

/// What each of many sources reaches, the paths shared: [`DataPlane::exposures`].
#[derive(Clone, Debug, Default)]
pub struct Exposures {
    /// The paths walked, each with the packets of every source it carries.
    pub paths: Vec<PathResult>,
    /// For each source, in the order asked: the paths it takes (indices into `paths`), each
    /// with the source's own packets on it.
    pub by_source: Vec<Vec<(usize, PacketSet)>>,
}

impl Exposures {
    /// Each source's paths as [`DataPlane::exposure_paths`] gives them: a shared path copied
    /// once per source, with that source's packets.
    pub fn into_paths(self) -> Vec<Vec<PathResult>> {
        let paths = self.paths;
        self.by_source
            .into_iter()
            .map(|mine| {
                mine.into_iter()
                    .map(|(i, packets)| PathResult {
                        packets,
                        ..paths[i].clone()
                    })
                    .collect()
            })
            .collect()
    }
}

impl DataPlane<'_> {
    /// [`DataPlane::exposure_paths`] for each of `sources` (a place, and the destinations its
    /// packets are addressed to), with one walk for all the sources whose addresses do not
    /// overlap: the same packets delivered at the same places, with the same names, unknowns
    /// and breakage, in another order, and words that may name another source's first hops.
    /// When the shared walk runs out of its step budget (the sum of theirs), each source is
    /// walked alone.
    pub fn exposures_paths(&self, sources: &[(&Place, &PrefixSet)]) -> Vec<Vec<PathResult>> {
        self.exposures(sources).into_paths()
    }

    /// [`DataPlane::exposures_paths`] without copying a shared path for each source: what a
    /// caller that sums packets by place needs (`aksnet diff`, with hundreds of sources on each
    /// path through the hub).
    pub fn exposures(&self, sources: &[(&Place, &PrefixSet)]) -> Exposures {
        let sets: Vec<PrefixSet> = sources.iter().map(|(p, _)| self.place_set(p)).collect();
        let mut out = Exposures {
            paths: Vec::new(),
            by_source: vec![Vec::new(); sources.len()],
        };
        for batch in disjoint(&sets) {
            let mut alone = |i: usize| {
                for p in self.exposure_paths(sources[i].0, sources[i].1) {
                    out.by_source[i].push((out.paths.len(), p.packets.clone()));
                    out.paths.push(p);
                }
            };
            if batch.len() == 1 {
                alone(batch[0]);
                continue;
            }
            let seeds = batch
                .iter()
                .map(|&i| Branch::seed(&sets[i], sources[i].1, self.start(sources[i].0)));
            let mut agenda = Agenda::Levels {
                waiting: Default::default(),
                current: Vec::new(),
            };
            agenda.extend(seeds);
            let (walked, ran_out) = self.walk(agenda, MAX_BRANCHES * batch.len());
            if ran_out {
                batch.iter().for_each(|&i| alone(i));
                continue;
            }
            // Each path cut by source, in one pass over its packets.
            let theirs = SourceCut::new(batch.iter().map(|&i| sets[i].clone()).collect());
            let shows: Vec<_> = batch
                .iter()
                .map(|&i| self.exposed_from(sources[i].0))
                .collect();
            for p in walked {
                let at = out.paths.len();
                for ((&i, packets), shows) in
                    batch.iter().zip(p.packets.by_sources(&theirs)).zip(&shows)
                {
                    if !packets.is_empty() && shows(&p) {
                        out.by_source[i].push((at, packets));
                    }
                }
                out.paths.push(p);
            }
        }
        out
    }
}

/// The sources in groups whose address sets do not overlap (greedily, in order).
fn disjoint(sets: &[PrefixSet]) -> Vec<Vec<usize>> {
    let mut batches: Vec<(PrefixSet, Vec<usize>)> = Vec::new();
    for (i, s) in sets.iter().enumerate() {
        match batches.iter_mut().find(|(all, _)| !all.intersects(s)) {
            Some((all, members)) => {
                *all = all.union(s);
                members.push(i);
            }
            None => batches.push((s.clone(), vec![i])),
        }
    }
    batches.into_iter().map(|(_, m)| m).collect()
}

/// Whether two branches of one level (so of one depth) are in the same state: everything that
/// decides what the walk does next to a packet, and what it says of the path, other than the
/// words of the way so far.
fn same_state(a: &Branch, b: &Branch) -> bool {
    a.loc == b.loc
        && a.appliance == b.appliance
        && a.origin == b.origin
        && a.src_fixed == b.src_fixed
        && a.dst_fixed == b.dst_fixed
        && a.port_fixed == b.port_fixed
        && a.by_name == b.by_name
        && a.unknown == b.unknown
        && a.req == b.req
}

/// A level's branches with those in the same state merged: their packets and unsure packets
/// united, the first one's words kept; in order of first appearance. Each branch is compared
/// only with the groups at its own place (a level holds one branch per source at its start).
pub(super) fn merged(level: Vec<Branch>) -> Vec<Branch> {
    let mut groups: Vec<(Branch, Vec<PacketSet>, Vec<PacketSet>)> = Vec::new();
    let mut at: std::collections::HashMap<_, Vec<usize>> = std::collections::HashMap::new();
    for b in level {
        let here = at.entry((b.loc, b.appliance)).or_default();
        match here.iter().copied().find(|&i| same_state(&groups[i].0, &b)) {
            Some(i) => {
                let (_, orig, unsure) = &mut groups[i];
                orig.push(b.orig);
                unsure.push(b.unsure);
            }
            None => {
                here.push(groups.len());
                groups.push((b, Vec::new(), Vec::new()));
            }
        }
    }
    groups
        .into_iter()
        .map(|(mut g, mut orig, mut unsure)| {
            if !orig.is_empty() {
                orig.push(std::mem::take(&mut g.orig));
                unsure.push(std::mem::take(&mut g.unsure));
                g.orig = PacketSet::union_all(orig);
                g.unsure = PacketSet::union_all(unsure);
            }
            g
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::places::Location;

    fn seed(src: &str) -> Branch {
        let src: PrefixSet = [src.parse::<aksnet_net::Prefix>().unwrap()]
            .into_iter()
            .collect();
        Branch::seed(&src, &PrefixSet::everything(), Location::Internet)
    }

    #[test]
    fn branches_merge_only_in_the_same_state() {
        let (a, b) = (seed("10.1.0.0/24"), seed("10.2.0.0/24"));
        // Apart only in the words of their way: one branch with both sources' packets, the
        // first one's words.
        let mut worded = b.clone();
        worded.via.push("another way".into());
        let m = merged(vec![a.clone(), worded]);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].orig, a.orig.union(&b.orig));
        assert!(m[0].via.is_empty());
        // Apart in anything a later step reads or a path says: kept apart.
        let ip: std::net::IpAddr = "10.0.0.4".parse().unwrap();
        let changes: [fn(&mut Branch, std::net::IpAddr); 9] = [
            |x, _| x.loc = Location::OnPrem,
            |x, ip| x.appliance = Some((ip, crate::topology::SubnetIx::new(0))),
            |x, _| x.origin = false,
            |x, ip| x.src_fixed = Some(ip),
            |x, ip| x.dst_fixed = Some(ip),
            |x, _| x.port_fixed = Some(8080),
            |x, _| x.by_name = vec!["example.com".into()],
            |x, _| x.unknown = vec!["an NVA's rules".into()],
            |x, ip| x.req.stateful.push(ip),
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut c = b.clone();
            change(&mut c, ip);
            assert_eq!(merged(vec![a.clone(), c]).len(), 2, "change {i}");
        }
    }
}
