//! The latency scheduler: engine-internal items (commands in flight, timers) waiting for their
//! instant, in a binary heap keyed by [`OrderKey`] `(ts, lane, seq)`.
//!
//! Latency is a scheduled item, never a sleep. The heap is bounded: scheduling past
//! [`Scheduler::capacity`] is an error (a strategy flooding commands), not unbounded growth;
//! its storage is reserved up front, so scheduling does not allocate on the hot path.

use crate::error::EngineError;
use crate::order::{Lane, OrderKey};
use cascade_types::Ts;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// One scheduled item and its key.
#[derive(Clone, Copy, Debug)]
struct Entry<T> {
    key: OrderKey,
    item: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<T> Eq for Entry<T> {}
impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Entry<T> {
    /// Keys are unique (one `seq` counter for all lanes), so this is a strict order.
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

/// A min-heap of items by [`OrderKey`], with the run-wide `seq` counter of scheduled items.
#[derive(Debug)]
pub struct Scheduler<T> {
    heap: BinaryHeap<Reverse<Entry<T>>>,
    next_seq: u64,
    capacity: usize,
}

impl<T: Copy> Scheduler<T> {
    /// An empty scheduler holding at most `capacity` pending items.
    pub fn new(capacity: usize) -> Scheduler<T> {
        assert!(capacity > 0, "a scheduler must hold at least one item");
        Scheduler {
            heap: BinaryHeap::with_capacity(capacity),
            next_seq: 0,
            capacity,
        }
    }

    /// The most items that may be pending at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Items pending.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Schedules `item` at `ts` in `lane`; returns its key. Items scheduled earlier win ties
    /// within a lane.
    pub fn schedule(&mut self, ts: Ts, lane: Lane, item: T) -> Result<OrderKey, EngineError> {
        assert!(lane != Lane::Market, "market events are not scheduled");
        if self.heap.len() >= self.capacity {
            return Err(EngineError::SchedulerFull {
                capacity: self.capacity,
                at: ts,
            });
        }
        let key = OrderKey {
            ts,
            lane,
            seq: self.next_seq,
        };
        self.next_seq += 1;
        self.heap.push(Reverse(Entry { key, item }));
        Ok(key)
    }

    /// The key of the next item, if any.
    pub fn peek(&self) -> Option<OrderKey> {
        self.heap.peek().map(|Reverse(e)| e.key)
    }

    /// Removes and returns the next item if it must run before a market event at `ts`
    /// (see [`OrderKey::runs_before_market_at`]).
    #[inline]
    pub fn pop_before_market_at(&mut self, ts: Ts) -> Option<(OrderKey, T)> {
        match self.heap.peek() {
            Some(Reverse(e)) if e.key.runs_before_market_at(ts) => {
                self.heap.pop().map(|Reverse(e)| (e.key, e.item))
            }
            _ => None,
        }
    }

    /// Removes and returns the next item if its `ts` is at or before `ts`.
    pub fn pop_until(&mut self, ts: Ts) -> Option<(OrderKey, T)> {
        match self.heap.peek() {
            Some(Reverse(e)) if e.key.ts <= ts => self.heap.pop().map(|Reverse(e)| (e.key, e.item)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_key_order_around_market_events() {
        let mut s: Scheduler<&'static str> = Scheduler::new(8);
        s.schedule(Ts(20), Lane::Timer, "timer@20").unwrap();
        s.schedule(Ts(20), Lane::Command, "cmd@20 first").unwrap();
        s.schedule(Ts(10), Lane::Command, "cmd@10").unwrap();
        s.schedule(Ts(20), Lane::Command, "cmd@20 second").unwrap();
        let mut got = Vec::new();
        // Before a market event at 20: what is earlier, and the timer at 20.
        while let Some((_, x)) = s.pop_before_market_at(Ts(20)) {
            got.push(x);
        }
        assert_eq!(got, ["cmd@10", "timer@20"]);
        while let Some((_, x)) = s.pop_until(Ts(20)) {
            got.push(x);
        }
        assert_eq!(got, ["cmd@10", "timer@20", "cmd@20 first", "cmd@20 second"]);
    }

    #[test]
    fn a_full_scheduler_is_an_error() {
        let mut s: Scheduler<u8> = Scheduler::new(1);
        s.schedule(Ts(1), Lane::Command, 0).unwrap();
        assert!(matches!(
            s.schedule(Ts(2), Lane::Command, 1),
            Err(EngineError::SchedulerFull { capacity: 1, .. })
        ));
    }
}
