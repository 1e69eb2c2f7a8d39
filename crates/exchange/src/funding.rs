//! Funding: premium sampling, the rate formula, and settlement.
//!
//! Settlement pays `rate ×` the position's signed notional at the funding price per position
//! (`qty × price` linear, `contracts × size / price` in coin for inverse; longs pay shorts
//! when the rate is positive), the price being the mark (or the index on venues that use
//! it). Every payment
//! is rounded **up** — payers pay the extra 10⁻⁸, receivers get the smaller magnitude — and the
//! residual stays in a funding pool, so funding never creates money. The market account pays
//! and receives like everyone else, so the flows net out across the market.

use crate::exchange::Exchange;
use crate::rules::{FundingCap, FundingPrice, PremiumAverage};
use cascade_types::{
    AccountId, FundingSettlement, InstrumentId, Money, Output, Rate, Rounding, Ts,
};
use serde::{Deserialize, Serialize};

/// Where an instrument's funding settlements come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum FundingSource {
    /// Scheduled settlements on the venue's grid until the first recorded
    /// `FundingSettlement` arrives; recorded ones only from then on. (Should another event of
    /// the instrument reach the grid time before the first recorded settlement does, both
    /// are paid: choose `Recorded` when the log has settlements.)
    #[default]
    Auto,
    /// Only recorded `FundingSettlement` events.
    Recorded,
    /// Only the venue's grid, with the recorded published rate when there is one, else the
    /// rate computed from the premium samples.
    Scheduled,
}

/// Per-instrument funding state.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FundingState {
    /// The next scheduled settlement.
    pub next: Option<Ts>,
    /// A recorded settlement has been seen (Auto switches to recorded).
    pub recorded_seen: bool,
    /// Premium samples of the current interval: Σ w·P (raw rate units), Σ w, count.
    sum: i128,
    weight: i128,
    count: i64,
    last_sample: Option<Ts>,
    /// The running estimate of this interval's rate (also fed to the mark's P1).
    pub estimate: Option<Rate>,
}

const NS_PER_H: i64 = Ts::NANOS_PER_HOUR;

impl Exchange {
    /// Takes a premium sample if the book top and index are known and the sampling period
    /// has passed: `P = [max(0, bid − index) − max(0, index − ask)] / index`, the book top
    /// standing in for the impact bid/ask.
    pub(crate) fn sample_premium(&mut self, i: usize) {
        if !self.inst[i].is_perp() {
            return; // spot markets have no funding
        }
        let every_ns = self.rules.funding.premium_sample_s as i64 * Ts::NANOS_PER_SEC;
        let avg = self.rules.funding.premium_average;
        let now = self.now;
        let m = &mut self.inst[i].market;
        let (Some(index), Some(top)) = (m.index, m.top) else {
            return;
        };
        if !index.is_positive()
            || m.funding
                .last_sample
                .is_some_and(|t| now.nanos() - t.nanos() < every_ns)
        {
            return;
        }
        let up = (top.bid_price.raw() - index.raw()).max(0) as i128;
        let down = (index.raw() - top.ask_price.raw()).max(0) as i128;
        let p = ((up - down) * 100_000_000) / index.raw() as i128; // toward zero
        let f = &mut m.funding;
        f.last_sample = Some(now);
        f.count += 1;
        let w = match avg {
            PremiumAverage::Simple => 1,
            PremiumAverage::LinearWeighted => f.count as i128,
        };
        f.sum += w * p;
        f.weight += w;
        let estimate = self.rate_from_samples(i);
        self.inst[i].market.funding.estimate = Some(estimate);
    }

    /// `F = [P̄ + clamp(I − P̄, ±c)] × interval/8h`, then the cap. With no sample, `P̄ = 0`.
    fn rate_from_samples(&self, i: usize) -> Rate {
        let r = &self.rules.funding;
        let f = &self.inst[i].market.funding;
        let mean = if f.weight > 0 {
            (f.sum / f.weight) as i64 // toward zero
        } else {
            0
        };
        let c = r.clamp_per_8h.raw();
        let f8 = mean + (r.interest_per_8h.raw() - mean).clamp(-c, c);
        let per_interval = (f8 as i128 * r.interval_h as i128 / 8) as i64; // toward zero
        let cap = match r.cap {
            FundingCap::None => None,
            FundingCap::Fixed(x) => Some(x.raw()),
            FundingCap::MmrMultiple(k) => {
                let t = self.inst[i].tiers().tiers()[0];
                Some(
                    t.mmr
                        .mul_div(k.raw(), 100_000_000, Rounding::Down)
                        .expect("fits")
                        .raw(),
                )
            }
            FundingCap::ImMinusMm(k) => {
                let t = self.inst[i].tiers().tiers()[0];
                let imr = 100_000_000 / t.max_leverage as i64; // floor
                                                               // Toward zero: the cap never exceeds k × (IMR − MMR).
                Some(((imr - t.mmr.raw()) as i128 * k.raw() as i128 / 100_000_000) as i64)
            }
        };
        let v = match cap {
            Some(cap) => per_interval.clamp(-cap.abs(), cap.abs()),
            None => per_interval,
        };
        Rate::from_raw(v)
    }

    fn grid_after(&self, ts: Ts) -> Ts {
        let r = &self.rules.funding;
        let step = r.interval_h as i64 * NS_PER_H;
        let offset = r.offset_h as i64 * NS_PER_H;
        let k = (ts.nanos() - offset).div_euclid(step) + 1;
        Ts::from_nanos(k * step + offset)
    }

    /// Settles a scheduled funding if one is due by now (at most one per call: a gap in the
    /// data longer than an interval settles once, then the grid resumes after now). Called
    /// before every event: the usual case, a settlement not yet due, is one compare here.
    #[inline]
    pub(crate) fn scheduled_funding(&mut self, i: usize, out: &mut Vec<Output>) {
        if self.inst[i]
            .market
            .funding
            .next
            .is_some_and(|next| self.now < next)
        {
            return; // not due (the full check below would return too)
        }
        self.scheduled_funding_check(i, out);
    }

    #[inline(never)]
    fn scheduled_funding_check(&mut self, i: usize, out: &mut Vec<Output>) {
        if !self.inst[i].is_perp() {
            return;
        }
        let source = self.inst[i].cfg.funding_source;
        let f = &self.inst[i].market.funding;
        let scheduled = match source {
            FundingSource::Scheduled => true,
            FundingSource::Auto => !f.recorded_seen,
            FundingSource::Recorded => false,
        };
        if !scheduled {
            return;
        }
        let now = self.now;
        let Some(next) = f.next else {
            self.inst[i].market.funding.next = Some(self.grid_after(now));
            return;
        };
        if now < next {
            return;
        }
        let rate = self.inst[i]
            .market
            .funding_rate
            .unwrap_or_else(|| self.rate_from_samples(i));
        self.inst[i].market.funding.next = Some(self.grid_after(now));
        self.settle_funding(i, rate, out);
    }

    /// A recorded settlement: pays it (unless the instrument is on the scheduled grid only).
    pub(crate) fn recorded_settlement(
        &mut self,
        i: usize,
        s: FundingSettlement,
        out: &mut Vec<Output>,
    ) {
        if !self.inst[i].is_perp() || self.inst[i].cfg.funding_source == FundingSource::Scheduled {
            return;
        }
        self.inst[i].market.funding.recorded_seen = true;
        self.settle_funding(i, s.rate, out);
    }

    /// Pays funding at `rate` on every position of instrument `i`, then checks the payers.
    pub(crate) fn settle_funding(&mut self, i: usize, rate: Rate, out: &mut Vec<Output>) {
        let m = &self.inst[i].market;
        let price = match self.rules.funding.price {
            FundingPrice::Index => m.index.or(m.mark),
            FundingPrice::Mark => m.mark,
        }
        .or_else(|| m.reference());
        // A new interval starts: reset the premium accumulators.
        let f = &mut self.inst[i].market.funding;
        f.sum = 0;
        f.weight = 0;
        f.count = 0;
        f.estimate = None;
        let contract = self.inst[i].contract;
        // An inverse notional at a non-positive price is unbounded: bad data, nothing paid.
        let Some(price) = price.filter(|p| p.is_positive() || contract.is_linear()) else {
            return;
        };
        if rate.is_zero() {
            return;
        }
        let id = InstrumentId(i as u32);
        let mut ids = std::mem::take(&mut self.scratch_ids);
        ids.clear();
        ids.push(Exchange::MARKET.0);
        ids.extend(self.inst[i].holders.iter());
        for &a in &ids {
            let a = AccountId(a);
            let Some(p) = self.accounts[a.index()].position(id) else {
                continue;
            };
            // rate × signed notional, rounded up: the payer's favour is never taken.
            let amount = contract.funding(p.qty, price, rate);
            let pool = Exchange::pool_of(p);
            self.pool_pay(a, pool, amount);
            self.funding_pool += amount;
            if a != Exchange::MARKET {
                out.push(Output::Funding {
                    account: a,
                    instrument: id,
                    rate,
                    amount,
                });
                self.rekey_account(a);
                self.worklist.push(a);
            }
        }
        ids.clear();
        self.scratch_ids = ids;
    }

    /// Where instrument `i`'s funding settlements come from; `None` for an unknown id.
    pub fn funding_source(&self, i: InstrumentId) -> Option<FundingSource> {
        self.inst
            .get(i.0 as usize)
            .map(|inst| inst.cfg.funding_source)
    }

    /// Changes where instrument `i`'s funding settlements come from (before the run starts:
    /// a run that chose "no funding" for inputs without any sets [`FundingSource::Recorded`]).
    pub fn set_funding_source(&mut self, i: InstrumentId, source: FundingSource) {
        if let Some(inst) = self.inst.get_mut(i.0 as usize) {
            inst.cfg.funding_source = source;
        }
    }

    /// The funding pool: rounding residuals of funding payments (never negative).
    pub fn funding_pool(&self) -> Money {
        self.funding_pool
    }

    /// The current estimate of the next funding rate from premium samples (or the recorded
    /// published rate).
    pub fn funding_estimate(&self, i: InstrumentId) -> Option<Rate> {
        let m = &self.inst.get(i.index())?.market;
        m.funding_rate.or(m.funding.estimate)
    }

    /// The next scheduled settlement of an instrument, if on the grid.
    pub fn next_funding(&self, i: InstrumentId) -> Option<Ts> {
        let m = &self.inst.get(i.index())?.market;
        m.next_funding.or(m.funding.next)
    }
}
