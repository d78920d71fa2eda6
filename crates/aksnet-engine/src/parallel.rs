//! Questions to the data plane on every core. A [`crate::DataPlane`] is read-only once
//! compiled, so analyses that ask many independent questions (the rule catalog, the report's
//! flow matrix rows, `aksnet diff`'s sources) fan out here; results come back in the items'
//! order, so output does not depend on scheduling.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` of each item, computed on up to as many threads as the machine has cores, each thread
/// taking the next item left (items of very different cost balance), in the items' order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    std::thread::scope(|s| {
        let (f, next) = (&f, &next);
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, f(item)));
                    }
                    done
                })
            })
            .collect();
        for h in handles {
            // A panic in `f` is a bug; re-raise it on the caller's thread as it was.
            let done = h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            for (i, r) in done {
                slots[i] = Some(r);
            }
        }
    });
    slots
        .into_iter()
        .map(|r| r.expect("every item computed"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_items_order() {
        let items: Vec<u64> = (0..1000).collect();
        let out = super::map(&items, |&i| {
            // Uneven work, so threads finish out of order.
            (0..(i % 7) * 1000).fold(i, |a, b| a.wrapping_add(b))
        });
        let seq: Vec<u64> = items
            .iter()
            .map(|&i| (0..(i % 7) * 1000).fold(i, |a, b| a.wrapping_add(b)))
            .collect();
        assert_eq!(out, seq);
        assert!(super::map(&[] as &[u8], |_| 0).is_empty());
    }
}
