//! What the output thread gathers from the record stream for the reports: the equity curve
//! (the engine's samples), the strategy's fills, funding, liquidations and ADL, the whole
//! market's liquidation and ADL totals, and price / mark / open-interest / funding series
//! sampled on the same fixed grid as the equity curve.
//!
//! Memory grows with the number of grid points and of the strategy's own outputs, never with
//! the number of market events.

use crate::record::{Record, RecordBody, Sample};
use cascade_types::{
    AccountId, BarSource, EventBody, InstrumentId, Money, Output, Price, Qty, Rate, Rounding, Ts,
};

/// An output with the time it happened.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TimedOutput {
    /// When.
    pub ts: Ts,
    /// What.
    pub output: Output,
}

/// One instrument's market on one grid point (the latest values at or before `ts`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SeriesPoint {
    /// The grid point.
    pub ts: Ts,
    /// The instrument.
    pub instrument: InstrumentId,
    /// Last trade price.
    pub last: Option<Price>,
    /// Mark price.
    pub mark: Option<Price>,
    /// Open interest.
    pub open_interest: Option<Qty>,
    /// The latest published (or settled) funding rate.
    pub funding_rate: Option<Rate>,
}

/// Totals over every account (the strategy's and everyone else's).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct MarketTotals {
    /// Liquidation steps of longs (forced sells).
    pub long_liquidations: u64,
    /// Notional of long liquidations at their prices.
    pub long_liquidated_notional: Money,
    /// Liquidation steps of shorts (forced buys).
    pub short_liquidations: u64,
    /// Notional of short liquidations.
    pub short_liquidated_notional: Money,
    /// Auto-deleveraging events.
    pub adl_events: u64,
    /// Notional closed by ADL.
    pub adl_notional: Money,
    /// The insurance fund balance after its last move, if it moved.
    pub insurance_fund: Option<Money>,
    /// Recorded (input) liquidation events.
    pub recorded_liquidations: u64,
}

/// Everything gathered for the reports.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct RunData {
    /// The equity curve: the engine's samples, in order.
    pub equity: Vec<(Ts, Sample)>,
    /// The strategy's fills.
    pub fills: Vec<TimedOutput>,
    /// The strategy's funding payments.
    pub funding: Vec<TimedOutput>,
    /// The strategy's liquidation steps.
    pub liquidations: Vec<TimedOutput>,
    /// ADL events involving the strategy.
    pub adl: Vec<TimedOutput>,
    /// Rejections of the strategy's commands.
    pub rejections: u64,
    /// Market series on the sampling grid.
    pub series: Vec<SeriesPoint>,
    /// Totals over all accounts.
    pub totals: MarketTotals,
    /// Records seen.
    pub records: u64,
}

#[derive(Clone, Copy, Default)]
struct Latest {
    seen: bool,
    last: Option<Price>,
    mark: Option<Price>,
    open_interest: Option<Qty>,
    funding_rate: Option<Rate>,
}

/// Builds [`RunData`] from records, in order.
pub struct Collector {
    accounts: Vec<AccountId>,
    step_ns: i64,
    next_point: Option<i64>,
    latest: Vec<Latest>,
    data: RunData,
}

impl Collector {
    /// A collector for a run over `instruments` instruments whose strategy trades through
    /// `accounts`, with series on a grid of `step_ns`.
    pub fn new(instruments: usize, accounts: Vec<AccountId>, step_ns: i64) -> Collector {
        assert!(step_ns > 0);
        Collector {
            accounts,
            step_ns,
            next_point: None,
            latest: vec![Latest::default(); instruments],
            data: RunData::default(),
        }
    }

    fn mine(&self, a: AccountId) -> bool {
        self.accounts.contains(&a)
    }

    /// Emits series points for every grid point crossed before `ts` (one point per
    /// instrument, stamped with the latest crossed grid point).
    fn advance(&mut self, ts: Ts) {
        let step = self.step_ns;
        match self.next_point {
            None => {
                self.next_point = Some(ts.nanos().div_euclid(step) * step);
            }
            Some(p) if ts.nanos() > p => {
                let stamp = Ts((ts.nanos() - 1).div_euclid(step) * step);
                for (i, l) in self.latest.iter().enumerate() {
                    if l.seen {
                        self.data.series.push(SeriesPoint {
                            ts: stamp,
                            instrument: InstrumentId(i as u32),
                            last: l.last,
                            mark: l.mark,
                            open_interest: l.open_interest,
                            funding_rate: l.funding_rate,
                        });
                    }
                }
                let next = ts.nanos().div_euclid(step) * step;
                self.next_point = Some(if next == ts.nanos() {
                    next
                } else {
                    next + step
                });
            }
            Some(_) => {}
        }
    }

    /// Takes one record.
    #[inline]
    pub fn add(&mut self, r: &Record) {
        self.data.records += 1;
        match &r.body {
            RecordBody::Market(e) => {
                self.advance(r.ts);
                let l = &mut self.latest[e.instrument.index()];
                l.seen = true;
                match &e.body {
                    EventBody::Trade(t) => l.last = Some(t.price),
                    EventBody::MarkPrice(p) => l.mark = Some(*p),
                    EventBody::OpenInterest(oi) => l.open_interest = Some(oi.qty),
                    EventBody::Funding(f) => l.funding_rate = Some(f.rate),
                    EventBody::FundingSettlement(f) => l.funding_rate = Some(f.rate),
                    EventBody::Liquidation(_) => self.data.totals.recorded_liquidations += 1,
                    EventBody::Bar(b) => match b.source {
                        BarSource::Last => l.last = Some(b.close),
                        BarSource::Mark => l.mark = Some(b.close),
                        BarSource::Index | BarSource::Premium => {}
                    },
                    _ => {}
                }
            }
            RecordBody::Sample(s) => self.data.equity.push((r.ts, *s)),
            RecordBody::Output(o) => self.output(r.ts, o),
            _ => {}
        }
    }

    fn output(&mut self, ts: Ts, o: &Output) {
        let t = TimedOutput { ts, output: *o };
        match *o {
            Output::Fill { account, .. } if self.mine(account) => self.data.fills.push(t),
            Output::Funding { account, .. } if self.mine(account) => self.data.funding.push(t),
            Output::Rejected { account, .. } if self.mine(account) => self.data.rejections += 1,
            Output::Liquidation {
                account,
                side,
                qty,
                price,
                ..
            } => {
                let n = price.notional(qty, Rounding::HalfEven);
                let tot = &mut self.data.totals;
                match side {
                    cascade_types::Side::Sell => {
                        tot.long_liquidations += 1;
                        tot.long_liquidated_notional += n;
                    }
                    cascade_types::Side::Buy => {
                        tot.short_liquidations += 1;
                        tot.short_liquidated_notional += n;
                    }
                }
                if self.mine(account) {
                    self.data.liquidations.push(t);
                }
            }
            Output::Adl {
                victim,
                counterparty,
                qty,
                price,
                ..
            } => {
                self.data.totals.adl_events += 1;
                self.data.totals.adl_notional += price.notional(qty, Rounding::HalfEven);
                if self.mine(victim) || self.mine(counterparty) {
                    self.data.adl.push(t);
                }
            }
            Output::InsuranceFund { balance, .. } => {
                self.data.totals.insurance_fund = Some(balance)
            }
            _ => {}
        }
    }

    /// The data gathered.
    pub fn finish(self) -> RunData {
        self.data
    }
}
