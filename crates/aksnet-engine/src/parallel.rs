//! Questions to the data plane on every core. A [`crate::DataPlane`] is read-only once
//! compiled, so analyses that ask many independent questions (the rule catalog, the report's
//! flow matrix rows, `aksnet diff`'s sources) fan out here; results come back in the items'
//! order, so output does not depend on scheduling.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Stack for each thread: the main thread's usual 8 MiB, so that deep work that runs there
/// runs here too (spawned threads default to 2 MiB).
const STACK: usize = 8 << 20;

/// `f` of each item, computed on up to as many threads as the machine has cores, each thread
/// taking the next item left (items of very different cost balance), in the items' order. A
/// panic in `f` stops the other threads taking items and is raised again here, the first
/// item's panic if several, so the same input fails the same way.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let mut slots: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    let mut panics: Vec<(usize, Box<dyn std::any::Any + Send>)> = Vec::new();
    std::thread::scope(|s| {
        let (f, next, stop) = (&f, &next, &stop);
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                std::thread::Builder::new()
                    .stack_size(STACK)
                    .spawn_scoped(s, move || {
                        let mut done = Vec::new();
                        while !stop.load(Ordering::Relaxed) {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(item) = items.get(i) else { break };
                            match catch_unwind(AssertUnwindSafe(|| f(item))) {
                                Ok(r) => done.push((i, Ok(r))),
                                Err(e) => {
                                    stop.store(true, Ordering::Relaxed);
                                    done.push((i, Err(e)));
                                }
                            }
                        }
                        done
                    })
                    .expect("a thread starts")
            })
            .collect();
        for h in handles {
            for (i, r) in h.join().expect("panics are caught per item") {
                match r {
                    Ok(r) => slots[i] = Some(r),
                    Err(e) => panics.push((i, e)),
                }
            }
        }
    });
    if let Some((_, e)) = panics.into_iter().min_by_key(|(i, _)| *i) {
        std::panic::resume_unwind(e);
    }
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

    #[test]
    fn a_panic_is_raised_again_with_the_first_items_message() {
        let items: Vec<u32> = (0..64).collect();
        let got = std::panic::catch_unwind(|| {
            super::map(&items, |&i| {
                if i % 10 == 3 {
                    panic!("item {i}");
                }
                i
            })
        });
        let e = got.expect_err("the panic comes back");
        // Several items panic; the one raised is the first of those the threads reached,
        // and item 3 is always reached before any thread stops.
        assert_eq!(
            e.downcast_ref::<String>().map(String::as_str),
            Some("item 3")
        );
    }
}
