//! Work spread over threads with results in input order, and panics caught per item.
//!
//! Items are handed out in order from a shared counter to `threads` scoped workers; each
//! result is stored at its item's index, so the output order never depends on the thread
//! count or on which thread finished first.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// `f` over `items` on `threads` threads (at least one); results in item order.
pub(crate) fn par_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                slots.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(r);
            });
        }
    });
    let slots = slots.into_inner().unwrap_or_else(|p| p.into_inner());
    assert!(
        slots.iter().all(Option::is_some),
        "every item has its result"
    );
    slots.into_iter().flatten().collect()
}

/// Runs `f`, turning a panic into `Err(message)`.
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "a panic without a message".to_string()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_the_items_order_whatever_the_threads() {
        let items: Vec<u64> = (0..57).collect();
        let one = par_map(&items, 1, |x| x * x);
        for t in [2, 3, 8, 100] {
            assert_eq!(par_map(&items, t, |x| x * x), one);
        }
        assert!(par_map(&[] as &[u64], 4, |x| *x).is_empty());
    }

    #[test]
    fn panics_become_errors() {
        let items = [1, 2, 3];
        let out = par_map(&items, 2, |&x| {
            catch(|| {
                if x == 2 {
                    panic!("two is bad");
                }
                x
            })
        });
        assert_eq!(out, [Ok(1), Err("two is bad".to_string()), Ok(3)]);
    }
}
