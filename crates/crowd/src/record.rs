//! What a crowd run records: the modelled liquidation stream, ADL events, the insurance fund
//! over time, the cascade instants with their rounds, heatmap snapshots for the picture, the
//! fidelity intervals, and counters. Everything is plain data for reports and tests; nothing
//! here feeds back into the model.

use cascade_types::{
    AccountId, InstrumentId, LiquidationKind, Money, Output, Price, Qty, Side, Ts,
};
use std::collections::BTreeMap;

/// One modelled liquidation step (an exchange `Liquidation` output on the crowd's
/// instrument, whoever's account it was).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelledLiquidation {
    /// When.
    pub ts: Ts,
    /// Cascade round (0: the recorded event itself; ≥ 1: impact rounds).
    pub round: u32,
    /// The account liquidated.
    pub account: AccountId,
    /// True for a crowd account.
    pub crowd: bool,
    /// Partial, full, backstop or ADL (closed against the ADL queue).
    pub kind: LiquidationKind,
    /// Side of the forced order (`Sell` closes a long).
    pub side: Side,
    /// Quantity closed.
    pub qty: Qty,
    /// Price it closed at.
    pub price: Price,
    /// `price × qty`, half-even.
    pub notional: Money,
}

/// One ADL fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdlEvent {
    /// When.
    pub ts: Ts,
    /// Cascade round.
    pub round: u32,
    /// The profitable account deleveraged (the market account when the queue ran out).
    pub victim: AccountId,
    /// True when the victim is a crowd account.
    pub victim_crowd: bool,
    /// The bankrupt account whose position it offset.
    pub counterparty: AccountId,
    /// Side of the victim's closing trade.
    pub side: Side,
    /// Quantity.
    pub qty: Qty,
    /// Price.
    pub price: Price,
}

/// The insurance fund's balance after an event (or round) that moved it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FundPoint {
    /// When.
    pub ts: Ts,
    /// Balance after.
    pub balance: Money,
}

/// One round of a cascade.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Round {
    /// 0 for the recorded event's own liquidations, then 1, 2, … for impact rounds.
    pub round: u32,
    /// The mark after the round (the impact price for rounds ≥ 1).
    pub price: Price,
    /// Liquidation steps.
    pub liquidations: u32,
    /// Quantity of longs liquidated.
    pub long_qty: Qty,
    /// Quantity of shorts liquidated.
    pub short_qty: Qty,
    /// Notional liquidated (`price × qty` of every step).
    pub notional: Money,
    /// ADL fills.
    pub adl_fills: u32,
    /// Quantity deleveraged.
    pub adl_qty: Qty,
    /// Insurance fund balance after the round.
    pub fund: Money,
}

impl Round {
    /// Summarises the outputs of one round on `instrument`.
    pub fn summarise(
        round: u32,
        price: Price,
        out: &[Output],
        instrument: InstrumentId,
        fund: Money,
    ) -> Round {
        let mut r = Round {
            round,
            price,
            liquidations: 0,
            long_qty: Qty::ZERO,
            short_qty: Qty::ZERO,
            notional: Money::ZERO,
            adl_fills: 0,
            adl_qty: Qty::ZERO,
            fund,
        };
        for o in out {
            match *o {
                Output::Liquidation {
                    instrument: i,
                    side,
                    qty,
                    price,
                    ..
                } if i == instrument => {
                    r.liquidations += 1;
                    match side {
                        Side::Sell => r.long_qty += qty,
                        Side::Buy => r.short_qty += qty,
                    }
                    r.notional += price.notional(qty, cascade_types::Rounding::HalfEven);
                }
                Output::Adl {
                    instrument: i, qty, ..
                } if i == instrument => {
                    r.adl_fills += 1;
                    r.adl_qty += qty;
                }
                _ => {}
            }
        }
        r
    }
}

/// One instant that liquidated anything: the event's time and its rounds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instant {
    /// When.
    pub ts: Ts,
    /// The mark before the event.
    pub mark_before: Option<Price>,
    /// Round 0, then the impact rounds.
    pub rounds: Vec<Round>,
    /// The cascade was still liquidating when `max_rounds` ran out.
    pub truncated: bool,
}

impl Instant {
    /// Total notional liquidated in the instant.
    pub fn notional(&self) -> Money {
        self.rounds.iter().map(|r| r.notional).sum()
    }
}

/// The heatmap at one moment, for the picture: non-empty buckets within the snapshot range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeatSnapshot {
    /// When.
    pub ts: Ts,
    /// The mark.
    pub mark: Price,
    /// Lowest and highest mark since the previous snapshot.
    pub low: Price,
    /// See `low`.
    pub high: Price,
    /// `(lowest price of the bucket, long notional, short notional)`, in price order.
    pub buckets: Vec<(Price, Money, Money)>,
}

/// Modelled and recorded liquidations of one fidelity interval.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IntervalTally {
    /// Modelled long liquidation notional.
    pub modelled_long: Money,
    /// Modelled short liquidation notional.
    pub modelled_short: Money,
    /// Modelled liquidation steps.
    pub modelled_count: u64,
    /// Recorded (venue-published) long liquidation notional.
    pub recorded_long: Money,
    /// Recorded short liquidation notional.
    pub recorded_short: Money,
    /// Recorded liquidation orders.
    pub recorded_count: u64,
}

/// Counters of the crowd's own actions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CrowdStats {
    /// Positions opened.
    pub opened: u64,
    /// Quantity opened.
    pub opened_qty: Qty,
    /// Positions opened at the mark because the exchange refused the interval's
    /// volume-weighted price (the position would have been under water at once).
    pub opened_at_mark: u64,
    /// Openings the exchange refused even at the mark (quantity skipped).
    pub refused: u64,
    /// Quantity not opened because one observation would have needed more than
    /// 50,000,000 positions (a size distribution far too small for the open interest).
    pub skipped_qty: Qty,
    /// Quantity closed voluntarily (open interest fell more than liquidations explain).
    pub closed_qty: Qty,
    /// Voluntary closes the exchange refused (the account was under water; it stays open).
    pub close_refused: u64,
    /// Open-interest observations followed.
    pub oi_updates: u64,
    /// Fees paid by the crowd.
    pub fees: Money,
}

/// Everything a crowd run recorded.
#[derive(Clone, Debug, Default)]
pub struct Record {
    /// The modelled liquidation stream.
    pub liquidations: Vec<ModelledLiquidation>,
    /// ADL fills.
    pub adl: Vec<AdlEvent>,
    /// The insurance fund after every event that moved it.
    pub fund: Vec<FundPoint>,
    /// Instants that liquidated anything, with their rounds.
    pub instants: Vec<Instant>,
    /// Heatmap snapshots.
    pub snapshots: Vec<HeatSnapshot>,
    /// Fidelity intervals, keyed by `ts ÷ interval` (see [`crate::fidelity`]).
    pub intervals: BTreeMap<i64, IntervalTally>,
    /// Counters.
    pub stats: CrowdStats,
}

impl Record {
    /// Appends a round to the newest instant.
    pub(crate) fn push_round(&mut self, r: Round) {
        self.instants
            .last_mut()
            .expect("a round belongs to an instant")
            .rounds
            .push(r);
    }

    /// Marks the newest instant as cut short by `max_rounds`.
    pub(crate) fn truncate_instant(&mut self) {
        if let Some(i) = self.instants.last_mut() {
            i.truncated = true;
        }
    }

    /// The deepest cascade: most rounds of any instant.
    pub fn max_rounds(&self) -> usize {
        self.instants
            .iter()
            .map(|i| i.rounds.len().saturating_sub(1))
            .max()
            .unwrap_or(0)
    }

    /// Total modelled liquidation notional with `from ≤ ts < to`: `(longs, shorts)`.
    pub fn liquidated_between(&self, from: Ts, to: Ts) -> (Money, Money) {
        let lo = self.liquidations.partition_point(|l| l.ts < from);
        let hi = self.liquidations.partition_point(|l| l.ts < to);
        self.liquidations[lo..hi]
            .iter()
            .fold((Money::ZERO, Money::ZERO), |(l, s), x| match x.side {
                Side::Sell => (l + x.notional, s),
                Side::Buy => (l, s + x.notional),
            })
    }
}
