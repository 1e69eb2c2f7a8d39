//! **The one total order** of everything the engine loop handles. This module is the only
//! place that says who wins a tie; everything else sorts by [`OrderKey`].
//!
//! ```text
//! (ts, lane, seq)
//! ```
//!
//! - **`ts`**: earlier first. Simulated time only ever comes from here.
//! - **`lane`**, on equal `ts`: [`Lane::Timer`] < [`Lane::Market`] < [`Lane::Command`].
//!   - **Timers first**: when the clock reaches `T`, the timers due at `T` fire before the
//!     data stamped `T` is applied (the strategy API's contract: "timers due at or before an
//!     event's time fire before it"), so a timer set for the top of the minute sees the state
//!     just before that minute's events.
//!   - **Market events next**, in the merged input order.
//!   - **Commands last**: a command arriving at the exchange at `T` meets the book as it
//!     stands after *everything* recorded at `T`. The strategy never slips in between events
//!     that share a timestamp (their true order inside that nanosecond is unknown), and a
//!     zero-latency reaction to an event at `T` is applied after the rest of `T`'s events,
//!     never before its own trigger.
//! - **`seq`**, within a lane: for market events, the position in the merged input stream
//!   (which is itself ordered by `(ts, source priority, seq within source)`, see
//!   the journal crate's `Merge`: on the command line the log listed first has the lowest
//!   priority number and wins ties); for commands and timers, the run-wide order in which they
//!   were scheduled. Scheduled items share one counter, so `seq` is unique and the key is a
//!   strict total order.
//!
//! Bars are expanded into ticks *before* they enter this order (see [`crate::bars`]); the ticks
//! are ordinary market events.

use cascade_types::Ts;
use serde::{Deserialize, Serialize};

/// The class of an item at a given instant; the declaration order is the tie-break order.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub enum Lane {
    /// A strategy timer firing. First at equal `ts`.
    Timer,
    /// A recorded market event (or a tick of an expanded bar).
    Market,
    /// A strategy command arriving at the exchange after its latency. Last at equal `ts`.
    Command,
}

/// The sort key of the total order. The derived `Ord` compares `ts`, then `lane`, then `seq`
/// — the field order is the rule, so do not reorder the fields.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct OrderKey {
    /// When.
    pub ts: Ts,
    /// Which lane wins at equal `ts`.
    pub lane: Lane,
    /// Position within the lane (see the module docs).
    pub seq: u64,
}

impl OrderKey {
    /// The key of a market event at `ts`, `seq`-th in the merged input stream.
    pub const fn market(ts: Ts, seq: u64) -> OrderKey {
        OrderKey {
            ts,
            lane: Lane::Market,
            seq,
        }
    }

    /// True when a scheduled item with this key must run before a market event at `ts`:
    /// anything earlier, and timers at `ts` itself.
    pub fn runs_before_market_at(&self, ts: Ts) -> bool {
        debug_assert!(
            self.lane != Lane::Market,
            "only scheduled items are compared this way"
        );
        *self < OrderKey::market(ts, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timer_beats_market_beats_command_at_equal_ts() {
        let t = Ts(100);
        let m = OrderKey::market(t, 99);
        let c = OrderKey {
            ts: t,
            lane: Lane::Command,
            seq: 0,
        };
        let tm = OrderKey {
            ts: t,
            lane: Lane::Timer,
            seq: 5,
        };
        assert!(tm < m && m < c);
        assert!(tm.runs_before_market_at(t));
        assert!(!c.runs_before_market_at(t));
        assert!(c.runs_before_market_at(Ts(101)));
        // Anything earlier beats a later market event.
        assert!(
            OrderKey {
                ts: Ts(99),
                lane: Lane::Command,
                seq: 7
            } < OrderKey::market(t, 0)
        );
    }
}
