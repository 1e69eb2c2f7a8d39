//! What the reports need from a run's record stream (gathered by whoever consumes it, e.g.
//! the record sink of `cascade-run`), in the report crate's own types: the equity curve
//! (the engine's samples), every output concerning the
//! strategy's accounts, market series (last, mark, open interest, funding, recorded
//! liquidations) sampled on the same fixed grid as the equity curve, and the whole market's
//! liquidation and ADL totals.
//!
//! Memory grows with the number of grid points and of the strategy's own outputs, never with
//! the number of market events.

use crate::record::{Record, RecordBody};
use cascade_report::{EquitySample, MarketPoint, OutputFold, TimedOutput};
use cascade_types::{
    AccountId, BarSource, EventBody, InstrumentId, InstrumentSpec, Money, Output, Price, Qty,
    Rounding, Side, Ts,
};

/// Totals over every account (the strategy's and everyone else's).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct MarketTotals {
    /// Liquidation steps of longs (forced sells) by the exchange model.
    pub long_liquidations: u64,
    /// Notional of those steps at their prices.
    pub long_liquidated_notional: Money,
    /// Liquidation steps of shorts (forced buys).
    pub short_liquidations: u64,
    /// Notional of those steps.
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
#[derive(Clone, PartialEq, Debug, Default)]
pub struct RunData {
    /// The equity curve: the engine's samples, in order (several accounts summed per stamp).
    pub equity: Vec<EquitySample>,
    /// The outputs concerning the strategy's accounts, in run order: every funding payment,
    /// liquidation step and ADL event, and the first [`KEEP_ORDER_OUTPUTS`] of the others
    /// (fills and order events), so memory stays flat however often the strategy trades.
    pub outputs: Vec<TimedOutput>,
    /// Every output concerning the strategy's accounts, folded into the metrics' figures as
    /// it happened (`None` only in a `RunData::default()`).
    pub fold: Option<OutputFold>,
    /// The strategy's fills, liquidation steps and ADL events (kept or not).
    pub counts: OutputCounts,
    /// Market series on the sampling grid, instruments interleaved, sorted by time.
    pub market: Vec<MarketPoint>,
    /// Totals over all accounts.
    pub totals: MarketTotals,
    /// Records seen.
    pub records: u64,
    /// What each input stream held inside the run's window.
    pub coverage: cascade_report::Coverage,
}

/// How many order-related outputs (fills, acceptances, rejections, cancels, triggers,
/// transfers, margin calls) of the strategy a run keeps in [`RunData::outputs`]; later ones are
/// folded and counted but not kept (about 100 bytes each: 5 MB at this bound).
pub const KEEP_ORDER_OUTPUTS: usize = 50_000;

/// Counts of the strategy's outputs over the whole run.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct OutputCounts {
    /// Fills.
    pub fills: u64,
    /// Liquidation steps.
    pub liquidations: u64,
    /// ADL events (as the victim or the counterparty).
    pub adl: u64,
    /// Order-related outputs kept in `outputs`.
    pub order_outputs_kept: u64,
    /// Fills not kept in `outputs` (beyond [`KEEP_ORDER_OUTPUTS`]).
    pub fills_not_kept: u64,
    /// Other order-related outputs not kept.
    pub others_not_kept: u64,
}

impl RunData {
    /// The strategy's fills.
    pub fn fills(&self) -> usize {
        self.counts.fills as usize
    }
    /// The strategy's liquidation steps.
    pub fn liquidations(&self) -> usize {
        self.counts.liquidations as usize
    }
    /// ADL events involving the strategy.
    pub fn adl(&self) -> usize {
        self.counts.adl as usize
    }
}

#[derive(Clone, Copy)]
struct Latest {
    point: MarketPoint,
    seen: bool,
}

/// Builds [`RunData`] from records, in order.
pub struct Collector {
    specs: Vec<InstrumentSpec>,
    accounts: Vec<AccountId>,
    step_ns: i64,
    next_point: Option<i64>,
    latest: Vec<Latest>,
    /// The previous record was a sample: the next sample at the same time belongs to the
    /// same sampling moment (another account) and is summed into it.
    in_samples: bool,
    data: RunData,
}

impl Collector {
    /// A collector for a run over `instruments` instruments whose strategy trades through
    /// `accounts`, with series on a grid of `step_ns`.
    pub fn new(
        instruments: &[InstrumentSpec],
        accounts: Vec<AccountId>,
        step_ns: i64,
    ) -> Collector {
        assert!(step_ns > 0);
        let latest = (0..instruments.len())
            .map(|i| Latest {
                point: MarketPoint::new(Ts::ZERO, InstrumentId(i as u32)),
                seen: false,
            })
            .collect();
        let fold = OutputFold::new(instruments, &accounts);
        Collector {
            specs: instruments.to_vec(),
            accounts,
            step_ns,
            next_point: None,
            latest,
            in_samples: false,
            data: RunData {
                fold: Some(fold),
                ..RunData::default()
            },
        }
    }

    /// A modelled trade's value in the money the venue counts in ([`InstrumentSpec::value`]).
    fn value(&self, i: InstrumentId, price: Price, qty: Qty) -> Money {
        self.specs
            .get(i.index())
            .map_or(price.notional(qty, Rounding::HalfEven), |s| {
                s.value(price, qty)
            })
    }

    fn mine(&self, a: AccountId) -> bool {
        self.accounts.contains(&a)
    }

    /// Emits series points for the grid crossed before `ts` (one point per instrument seen,
    /// stamped with the latest crossed grid point), as the engine stamps its samples.
    fn advance(&mut self, ts: Ts) {
        let step = self.step_ns;
        match self.next_point {
            None => self.next_point = Some(ts.nanos().div_euclid(step) * step),
            Some(p) if ts.nanos() > p => {
                let stamp = Ts((ts.nanos() - 1).div_euclid(step) * step);
                for l in self.latest.iter_mut().filter(|l| l.seen) {
                    let mut point = l.point;
                    point.ts = stamp;
                    self.data.market.push(point);
                    l.point.long_liquidated = Money::ZERO;
                    l.point.short_liquidated = Money::ZERO;
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

    /// Takes one record; true when it is an output concerning the strategy's accounts.
    #[inline]
    pub fn add(&mut self, r: &Record) -> bool {
        self.data.records += 1;
        let after_sample = std::mem::replace(
            &mut self.in_samples,
            matches!(r.body, RecordBody::Sample(_)),
        );
        match &r.body {
            RecordBody::Market(e) => {
                self.advance(r.ts);
                let l = &mut self.latest[e.instrument.index()];
                l.seen = true;
                let p = &mut l.point;
                match &e.body {
                    EventBody::Trade(t) => p.last = Some(t.price),
                    EventBody::MarkPrice(m) => p.mark = Some(*m),
                    EventBody::OpenInterest(oi) => p.open_interest = Some(oi.qty),
                    EventBody::Funding(f) => p.funding_rate = Some(f.rate),
                    EventBody::FundingSettlement(f) => p.funding_rate = Some(f.rate),
                    EventBody::Bar(b) => match b.source {
                        BarSource::Last => p.last = Some(b.close),
                        BarSource::Mark => p.mark = Some(b.close),
                        BarSource::Index | BarSource::Premium => {}
                    },
                    EventBody::Liquidation(x) => {
                        self.data.totals.recorded_liquidations += 1;
                        // Recorded liquidations in the quote currency (their face value).
                        let n = self.specs[e.instrument.index()].quote_value(x.price, x.qty);
                        match x.side {
                            Side::Sell => p.long_liquidated += n,
                            Side::Buy => p.short_liquidated += n,
                        }
                    }
                    _ => {}
                }
            }
            RecordBody::Sample(s) => {
                let signed = |e: &mut EquitySample| {
                    e.equity += s.equity;
                    e.gross_exposure += s.gross_exposure;
                    e.net_exposure += s.net_exposure;
                };
                match self.data.equity.last_mut() {
                    Some(last) if after_sample && last.ts == r.ts => signed(last),
                    _ => {
                        let mut e = EquitySample {
                            ts: r.ts,
                            equity: Money::ZERO,
                            gross_exposure: Money::ZERO,
                            net_exposure: Money::ZERO,
                        };
                        signed(&mut e);
                        self.data.equity.push(e);
                    }
                }
            }
            RecordBody::Output(o) => return self.output(r.ts, o),
            _ => {}
        }
        false
    }

    fn output(&mut self, ts: Ts, o: &Output) -> bool {
        let mine = match *o {
            Output::Accepted { account, .. }
            | Output::Rejected { account, .. }
            | Output::Cancelled { account, .. }
            | Output::Triggered { account, .. }
            | Output::Transferred { account, .. }
            | Output::Fill { account, .. }
            | Output::Funding { account, .. }
            | Output::MarginCall { account, .. } => self.mine(account),
            Output::Liquidation {
                account,
                instrument,
                side,
                qty,
                price,
                ..
            } => {
                let n = self.value(instrument, price, qty);
                let t = &mut self.data.totals;
                match side {
                    Side::Sell => {
                        t.long_liquidations += 1;
                        t.long_liquidated_notional += n;
                    }
                    Side::Buy => {
                        t.short_liquidations += 1;
                        t.short_liquidated_notional += n;
                    }
                }
                self.mine(account)
            }
            Output::Adl {
                victim,
                counterparty,
                instrument,
                qty,
                price,
                ..
            } => {
                self.data.totals.adl_events += 1;
                self.data.totals.adl_notional += self.value(instrument, price, qty);
                self.mine(victim) || self.mine(counterparty)
            }
            Output::InsuranceFund { balance, .. } => {
                self.data.totals.insurance_fund = Some(balance);
                false
            }
        };
        if mine {
            let t = TimedOutput { ts, output: *o };
            if let Some(f) = &mut self.data.fold {
                f.add(&t);
            }
            let c = &mut self.data.counts;
            let keep = match o {
                Output::Funding { .. } => true,
                Output::Liquidation { .. } => {
                    c.liquidations += 1;
                    true
                }
                Output::Adl { .. } => {
                    c.adl += 1;
                    true
                }
                _ => {
                    let is_fill = matches!(o, Output::Fill { .. });
                    c.fills += u64::from(is_fill);
                    let keep = c.order_outputs_kept < KEEP_ORDER_OUTPUTS as u64;
                    if keep {
                        c.order_outputs_kept += 1;
                    } else if is_fill {
                        c.fills_not_kept += 1;
                    } else {
                        c.others_not_kept += 1;
                    }
                    keep
                }
            };
            if keep {
                self.data.outputs.push(t);
            }
        }
        mine
    }

    /// The data gathered.
    pub fn finish(self) -> RunData {
        self.data
    }
}
