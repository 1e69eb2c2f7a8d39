//! Where the strategy stood when the exchange auto-deleveraged others: for every side of an
//! instrument on which ADL happened, how often and how much, whether the strategy's own
//! position was closed, and — while it held a position on that side — its place in the ADL
//! queue after each round. This is the report's answer to "why was (or was not) my profitable
//! leg deleveraged?": a carry's short that ranks low in the queue is reached only when the
//! deficits are deep enough to close every profitable short ranked above it.
//!
//! A *round* is one input (a market event, a tick of an expanded bar, a command) whose
//! outputs include ADL on that side. ADL walks the queue from the top, so after a round that
//! did not reach the strategy, the positions still ranked above it are the ones it did not
//! need to close. The queue is ranked by the venue's rule through the exchange model (one
//! query per round, and only while the strategy holds a position on the side).

use crate::venue::Venue;
use cascade_types::{AccountId, InstrumentId, Output, Qty, Side, Ts};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The strategy's best place in an ADL queue: right after the round in which it stood
/// closest to the top.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueSpot {
    /// When (the round's time).
    pub at: Ts,
    /// Its rank, 1 = next in line.
    pub rank: u64,
    /// Positions in the queue then (the strategy's included).
    pub queue: u64,
    /// The quantity held by the positions ranked above it: what ADL would have had to close
    /// before reaching it.
    pub ahead_qty: Qty,
    /// ADL events of that round on this side.
    pub round_events: u64,
}

/// ADL on one side of one instrument, as the strategy met it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdlExposure {
    /// The instrument.
    pub instrument: InstrumentId,
    /// Its symbol.
    pub symbol: String,
    /// True when the deleveraged (profitable) positions were longs.
    pub long_side: bool,
    /// Rounds with ADL on this side.
    pub rounds: u64,
    /// ADL events on this side, every account (the market account's included).
    pub events: u64,
    /// Quantity they closed.
    pub qty: Qty,
    /// Of those, the strategy's own: events and quantity.
    pub own_events: u64,
    /// Quantity of the strategy's positions closed by ADL.
    pub own_qty: Qty,
    /// Rounds after which the strategy still held a position on this side.
    pub held_rounds: u64,
    /// Its best place in the queue after a round, if it held a position after any.
    pub closest: Option<QueueSpot>,
}

impl AdlExposure {
    fn side_name(&self) -> &'static str {
        if self.long_side {
            "long"
        } else {
            "short"
        }
    }
}

impl fmt::Display for AdlExposure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = self.side_name();
        write!(
            f,
            "ADL of {side}s on {}: {} event(s) in {} round(s), {} closed; ",
            self.symbol, self.events, self.rounds, self.qty
        )?;
        if self.own_events > 0 {
            write!(
                f,
                "the strategy's {side} was deleveraged {} time(s), {} closed",
                self.own_events, self.own_qty
            )?;
        } else if self.held_rounds == 0 {
            write!(f, "the strategy held no {side} then")?;
        } else {
            write!(f, "the strategy's {side} was never reached")?;
        }
        if let Some(s) = &self.closest {
            write!(
                f,
                "; after {} round(s) holding it, at best (at {}, {} event(s) that round) it ranked #{} of {}: {} position(s) holding {} ranked above it",
                self.held_rounds,
                s.at,
                s.round_events,
                s.rank,
                s.queue,
                s.rank - 1,
                s.ahead_qty
            )?;
        }
        Ok(())
    }
}

/// Collects [`AdlExposure`] over a run.
#[derive(Default)]
pub(crate) struct AdlWatch {
    sides: BTreeMap<(InstrumentId, bool), AdlExposure>,
    /// Sides touched by the current round, with its event count (reused).
    round: Vec<((InstrumentId, bool), u64)>,
}

impl AdlWatch {
    /// One input's outputs, which include ADL. `account` is the strategy's.
    pub(crate) fn round(&mut self, now: Ts, outputs: &[Output], venue: &Venue, account: AccountId) {
        self.round.clear();
        for o in outputs {
            let Output::Adl {
                victim,
                instrument,
                side,
                qty,
                ..
            } = *o
            else {
                continue;
            };
            // The victim closes its position: a sell closes a long.
            let key = (instrument, side == Side::Sell);
            let e = self.sides.entry(key).or_insert_with(|| AdlExposure {
                instrument,
                symbol: venue.symbol(instrument).to_string(),
                long_side: key.1,
                rounds: 0,
                events: 0,
                qty: Qty::ZERO,
                own_events: 0,
                own_qty: Qty::ZERO,
                held_rounds: 0,
                closest: None,
            });
            e.events += 1;
            e.qty += qty;
            if victim == account {
                e.own_events += 1;
                e.own_qty += qty;
            }
            match self.round.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => *n += 1,
                None => self.round.push((key, 1)),
            }
        }
        for &((instrument, long_side), n) in &self.round {
            let e = self
                .sides
                .get_mut(&(instrument, long_side))
                .expect("added above");
            e.rounds += 1;
            if let Some((rank, queue, ahead_qty)) = venue.adl_rank(account, instrument, long_side) {
                e.held_rounds += 1;
                if e.closest.is_none_or(|c| rank < c.rank) {
                    e.closest = Some(QueueSpot {
                        at: now,
                        rank,
                        queue,
                        ahead_qty,
                        round_events: n,
                    });
                }
            }
        }
    }

    /// Every side ADL touched, by instrument, longs first.
    pub(crate) fn finish(self) -> Vec<AdlExposure> {
        let mut v: Vec<AdlExposure> = self.sides.into_values().collect();
        v.sort_by_key(|e| (e.instrument, !e.long_side));
        v
    }
}
