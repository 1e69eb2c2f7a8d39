//! [`Crowd`]: synthetic accounts that stand for the rest of the market's open interest, held
//! in the exchange under the venue's own margin, liquidation, fee and ADL rules.
//!
//! **Following open interest.** At each recorded open-interest observation `Q` of its
//! instrument the crowd sets per-side targets and trades toward them:
//!
//! - the crowd's share is `T = oi_share · Q` (whole lots, rounded down);
//! - with `r` = longs ÷ shorts (the recorded ratio of [`CrowdConfig::ratio_source`], else
//!   [`CrowdConfig::long_short_ratio`]), the more crowded side holds all of `T` and the other
//!   `T / r` (for `r ≥ 1`: longs `T`, shorts `T / r`; else longs `T·r`, shorts `T`), rounded
//!   down to whole lots. The rest of each side is the market account (hedgers, market
//!   makers, unleveraged holders, never liquidated), which is the counterparty of every crowd
//!   trade, so long and short open interest stay equal;
//! - a side below its target **opens** new positions for the difference at the interval's
//!   volume-weighted price (trades and last-price bars since the previous observation; the
//!   last price, else the mark, when nothing traded). Each position draws a notional
//!   ([`SizeDist`](crate::dist::SizeDist), converted to whole lots at the entry price, the last
//!   one clipped to the remainder), a leverage ([`LeverageDist`](crate::dist::LeverageDist),
//!   capped by the bracket of its notional at the higher of entry and mark) and a cushion
//!   ([`CushionDist`](crate::dist::CushionDist)); its deposit is `IM·(1 + cushion)` plus the taker
//!   fee when fees are on. When the exchange refuses the entry (the position would be under
//!   water at the mark at once), it opens at the mark instead; if that is refused too, the
//!   quantity is skipped and counted;
//! - a side above its target — open interest fell by more than the modelled liquidations
//!   since the last observation explain — **closes** the difference by the
//!   [`ClosingRule`], at the same volume-weighted price. A close the
//!   exchange refuses (the account would go below zero) is skipped and counted.
//!
//! The first observation of a crowd that never held anything spreads its entries uniformly
//! within ±`initial_spread_bps` of the price (a starting book); so does
//! [`Crowd::seed_spread`]. A starting position that could not be held at the current mark
//! (equity there below its initial margin — every position the mark would liquidate among
//! them) has its entry reflected about the mark: it has survived so far, so it sits on the
//! healthy side. Positions of a starting book pay no fee (they were opened before the run),
//! and are opened in the order of their bankruptcy prices, so their accounts are numbered
//! that way (any order gives the same book; this one builds a million-position book as an
//! append to the liquidation index).
//!
//! **Same rules as everyone.** Crowd accounts are ordinary exchange accounts: liquidated by
//! the venue's procedure, paying its fees, feeding and draining its insurance fund, and
//! ranked in its ADL queue next to the strategy's accounts. The crowd learns what happened to
//! them from the exchange's outputs (liquidations, ADL fills, funding) and re-reads their
//! positions, keeping its totals and the heatmap exact.
//!
//! This file holds the state and the event path; following open interest is in
//! `model/follow.rs`, starting books in `model/seed.rs`.

use crate::config::{ClosingRule, CrowdConfig, Mode};
use crate::heatmap::{HeatSummary, Heatmap};
use crate::impact::DepthBook;
use crate::record::{
    AdlEvent, FundPoint, HeatSnapshot, Instant, ModelledLiquidation, Record, Round,
};
use crate::rng::Rng;
use crate::CrowdError;
use cascade_exchange::{CrowdPosition, Exchange};
use cascade_types::{
    AccountId, Event, EventBody, InstrumentKind, MarginMode, Money, OpenInterest, Output, Price,
    Qty, Rate, RejectReason, Rounding, Side, Ts, SCALE,
};

mod follow;
mod seed;

/// No slot: the account is not a crowd account.
const NONE: u32 = u32::MAX;

/// A bound on positions opened by one observation or seed: a size distribution far too small
/// for the open interest stops here (the rest is counted in `CrowdStats::skipped_qty`)
/// rather than exhausting memory.
const MAX_OPENS_PER_STEP: u64 = 50_000_000;

/// One crowd position as the crowd last saw it.
#[derive(Clone, Copy, Debug)]
struct Slot {
    account: AccountId,
    /// Signed quantity (zero once closed).
    qty: Qty,
    /// Liquidation price in the heatmap, with the notional it contributes there.
    heat: Option<(Price, Money)>,
}

/// One drawn position, before it is opened.
#[derive(Clone, Copy)]
struct Draw {
    cp: CrowdPosition,
    /// The leverage drawn (before the bracket capped it), for a retry at the mark.
    lev: u32,
    cushion: Rate,
}

/// An explicit position of a starting book ([`Crowd::seed_book`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedPosition {
    /// Signed quantity (negative = short).
    pub qty: Qty,
    /// Entry price.
    pub entry: Price,
    /// Leverage.
    pub leverage: u32,
    /// Money the account holds (at least the initial margin).
    pub deposit: Money,
}

/// The seed and draw counts of a crowd, for the run manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// The seed every stream derives from.
    pub seed: u64,
    /// Draws (64-bit outputs) taken from each stream so far.
    pub draws: Vec<(&'static str, u64)>,
    /// The whole configuration, as TOML.
    pub config_toml: String,
}

impl std::fmt::Display for Manifest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "crowd seed {} (SplitMix64 streams; draws:", self.seed)?;
        for (name, n) in &self.draws {
            write!(f, " {name} {n}")?;
        }
        write!(f, ")")
    }
}

/// The crowd of one perpetual. See the module docs for the model; [`crate::replay`] drives
/// it over a log, an engine calls [`Crowd::on_event`] after each `Exchange::on_market`.
#[derive(Clone, Debug)]
pub struct Crowd {
    pub(crate) cfg: CrowdConfig,
    /// The insurance fund backing the instrument.
    pub(crate) fund: u32,
    lot: Qty,
    tick: Price,
    taker_fee: Rate,
    rng_leverage: Rng,
    rng_cushion: Rng,
    rng_size: Rng,
    rng_entry: Rng,
    slots: Vec<Slot>,
    slot_of: Vec<u32>,
    /// Slots of each side in opening order, with the first possibly-live index.
    order_long: Vec<u32>,
    head_long: usize,
    order_short: Vec<u32>,
    head_short: usize,
    long_qty: Qty,
    short_qty: Qty,
    ever_opened: bool,
    ratio: Rate,
    vwap_notional: i128,
    vwap_qty: i128,
    pub(crate) heatmap: Heatmap,
    pub(crate) depth: DepthBook,
    pub(crate) record: Record,
    last_mark: Option<Price>,
    next_snapshot: Option<i64>,
    low: Option<Price>,
    high: Option<Price>,
}

/// `v` rounded down to a whole number of lots.
fn floor_lot(v: i128, lot: i64) -> i64 {
    let v = v.max(0);
    (v - v % lot as i128) as i64
}

/// A float fraction as a fixed-point rate, rounded half away from zero: with
/// [`money_of`], the only places a float parameter or draw becomes exact arithmetic.
fn rate_of(x: f64) -> Rate {
    Rate::from_raw((x * SCALE as f64).round() as i64)
}

/// A float amount as money, rounded half away from zero.
fn money_of(x: f64) -> Money {
    Money::from_raw((x * SCALE as f64).round() as i64)
}

impl Crowd {
    /// A crowd for `config.instrument` of `ex`, holding nothing yet.
    pub fn new(config: CrowdConfig, ex: &Exchange) -> Result<Crowd, CrowdError> {
        config.validate()?;
        let i = config.instrument;
        let Some(ic) = ex.instrument_config(i) else {
            return Err(CrowdError::NotAPerpetual(i.0));
        };
        if ic.spec.kind != InstrumentKind::LinearPerp {
            return Err(CrowdError::NotAPerpetual(i.0));
        }
        let seed = config.seed;
        Ok(Crowd {
            fund: ic.fund,
            lot: ic.spec.lot,
            tick: ic.spec.tick,
            taker_fee: ex.rules().fees.taker,
            rng_leverage: Rng::stream(seed, "leverage"),
            rng_cushion: Rng::stream(seed, "cushion"),
            rng_size: Rng::stream(seed, "size"),
            rng_entry: Rng::stream(seed, "entry"),
            slots: Vec::new(),
            slot_of: Vec::new(),
            order_long: Vec::new(),
            head_long: 0,
            order_short: Vec::new(),
            head_short: 0,
            long_qty: Qty::ZERO,
            short_qty: Qty::ZERO,
            ever_opened: false,
            ratio: rate_of(config.long_short_ratio),
            vwap_notional: 0,
            vwap_qty: 0,
            heatmap: Heatmap::new(config.heatmap.bucket_bps),
            depth: DepthBook::default(),
            record: Record::default(),
            last_mark: ex.mark_price(i),
            next_snapshot: None,
            low: None,
            high: None,
            cfg: config,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &CrowdConfig {
        &self.cfg
    }

    /// What the crowd recorded so far.
    pub fn record(&self) -> &Record {
        &self.record
    }

    /// Takes the record out (leaving an empty one), e.g. to keep it after the crowd is gone.
    pub fn take_record(&mut self) -> Record {
        std::mem::take(&mut self.record)
    }

    /// The liquidation heatmap.
    pub fn heatmap(&self) -> &Heatmap {
        &self.heatmap
    }

    /// The crowd's open long and short quantity.
    pub fn open_interest(&self) -> (Qty, Qty) {
        (self.long_qty, self.short_qty)
    }

    /// Crowd positions ever opened (live or not).
    pub fn positions_opened(&self) -> usize {
        self.slots.len()
    }

    /// True when `a` is a crowd account.
    pub fn is_crowd(&self, a: AccountId) -> bool {
        self.slot_of.get(a.index()).is_some_and(|&s| s != NONE)
    }

    /// The seed and the draws taken, for the run manifest.
    pub fn manifest(&self) -> Manifest {
        Manifest {
            seed: self.cfg.seed,
            draws: vec![
                ("leverage", self.rng_leverage.draws()),
                ("cushion", self.rng_cushion.draws()),
                ("size", self.rng_size.draws()),
                ("entry", self.rng_entry.draws()),
            ],
            config_toml: self.cfg.to_toml(),
        }
    }

    /// The heatmap summary around `price` with the configured bands — what the engine copies
    /// into the strategy's market view (`HeatmapSummary::new(s.ts, s.reference, s.bands())`).
    /// `O(log n + buckets within the widest band)`.
    pub fn heatmap_summary(&self, ts: Ts, price: Price) -> HeatSummary {
        self.heatmap.summary(ts, price, &self.cfg.heatmap.bands_bps)
    }

    /// Recomputes the crowd's totals and heatmap from the exchange's positions and compares:
    /// `O(positions)`, for tests (the crowd's counterpart of `check_invariants`).
    pub fn check_consistency(&self, ex: &Exchange) -> Result<(), CrowdError> {
        let bad = |m: String| Err(CrowdError::Inconsistent(m));
        let i = self.cfg.instrument;
        let mut fresh = self.heatmap.clone_empty();
        let (mut long, mut short) = (Qty::ZERO, Qty::ZERO);
        for s in &self.slots {
            let brief = ex.position_brief(s.account, i);
            let qty = brief.map_or(Qty::ZERO, |b| b.qty);
            let liq = brief.and_then(|b| b.liquidation_price);
            if qty != s.qty {
                return bad(format!(
                    "{}: crowd sees {} but holds {qty}",
                    s.account, s.qty
                ));
            }
            let want = if qty.is_zero() { None } else { liq };
            if want != s.heat.map(|h| h.0) {
                return bad(format!(
                    "{}: heatmap at {:?} but liquidation price {want:?}",
                    s.account,
                    s.heat.map(|h| h.0)
                ));
            }
            if qty.is_positive() {
                long += qty;
            } else {
                short -= qty;
            }
            if let Some(p) = want {
                fresh.add(qty.is_positive(), p, qty.abs());
            }
        }
        if (long, short) != (self.long_qty, self.short_qty) {
            return bad(format!(
                "totals {}/{} but positions sum to {long}/{short}",
                self.long_qty, self.short_qty
            ));
        }
        if !fresh.same_buckets(&self.heatmap) {
            return bad("heatmap buckets differ from a rebuild".into());
        }
        Ok(())
    }

    // ---- the event path ----------------------------------------------------------------

    /// Reacts to one recorded event. Call it right after `ex.on_market(ev, out)`, with `out`
    /// holding exactly that call's outputs: the crowd records them (liquidations, ADL, fund),
    /// follows open interest and the long/short ratio, and in impact mode resolves the
    /// cascade. Its own trades' and rounds' outputs are appended to `out`.
    pub fn on_event(&mut self, ex: &mut Exchange, ev: &Event, out: &mut Vec<Output>) {
        let i = self.cfg.instrument;
        let ts = ev.ts;
        let mark_before = self.last_mark;
        if ev.instrument == i {
            self.track_market(ev);
        }
        self.observe_from(ex, ts, 0, out, 0);
        if let (true, EventBody::OpenInterest(oi)) = (ev.instrument == i, ev.body) {
            let from = out.len();
            self.follow_oi(ex, oi, out);
            self.observe_from(ex, ts, 0, out, from);
        }
        let r0 = Round::summarise(
            0,
            ex.mark_price(i).unwrap_or(Price::ZERO),
            out,
            i,
            ex.insurance_fund(self.fund),
        );
        if r0.liquidations > 0 || r0.adl_fills > 0 {
            self.record.instants.push(Instant {
                ts,
                mark_before,
                rounds: vec![r0],
                truncated: false,
            });
            if self.cfg.mode == Mode::Impact {
                self.cascade(ex, ts, out);
            }
        }
        self.after_event(ex, ts);
    }

    /// Records outputs that did not come from a market event — an engine calls it after
    /// `Exchange::on_command`, whose fills can liquidate accounts and ADL crowd positions.
    pub fn on_outputs(&mut self, ex: &Exchange, ts: Ts, out: &[Output]) {
        self.observe_from(ex, ts, 0, out, 0);
        self.after_event(ex, ts);
    }

    /// Market facts the crowd keeps: the volume-weighted price since the last open-interest
    /// observation, the depth for impact mode, the long/short ratio, recorded liquidations.
    fn track_market(&mut self, ev: &Event) {
        self.depth.on_event(ev);
        match ev.body {
            EventBody::Trade(t) => {
                self.vwap_notional += t.price.raw() as i128 * t.qty.raw() as i128;
                self.vwap_qty += t.qty.raw() as i128;
            }
            EventBody::Bar(b)
                if b.source == cascade_types::BarSource::Last
                    && b.volume.is_positive()
                    && b.quote_volume.is_positive() =>
            {
                self.vwap_notional += b.quote_volume.raw() as i128 * SCALE as i128;
                self.vwap_qty += b.volume.raw() as i128;
            }
            EventBody::LongShortRatio(r)
                if Some(r.source) == self.cfg.ratio_source.source() && r.ratio.is_positive() =>
            {
                self.ratio = r.ratio;
            }
            EventBody::Liquidation(l) => {
                let key = ev.ts.nanos().div_euclid(self.interval_ns());
                let n = l.price.notional(l.qty, Rounding::HalfEven);
                let t = self.record.intervals.entry(key).or_default();
                match l.side {
                    Side::Sell => t.recorded_long += n,
                    Side::Buy => t.recorded_short += n,
                }
                t.recorded_count += 1;
            }
            _ => {}
        }
    }

    fn interval_ns(&self) -> i64 {
        self.cfg.fidelity_interval_s as i64 * Ts::NANOS_PER_SEC
    }

    /// Records `out[from..]` as round `round` and re-reads every crowd account they touch.
    pub(crate) fn observe_from(
        &mut self,
        ex: &Exchange,
        ts: Ts,
        round: u32,
        out: &[Output],
        from: usize,
    ) {
        let i = self.cfg.instrument;
        for o in &out[from..] {
            match *o {
                Output::Liquidation {
                    account,
                    instrument,
                    kind,
                    side,
                    qty,
                    price,
                    ..
                } if instrument == i => {
                    let notional = price.notional(qty, Rounding::HalfEven);
                    let crowd = self.is_crowd(account);
                    self.record.liquidations.push(ModelledLiquidation {
                        ts,
                        round,
                        account,
                        crowd,
                        kind,
                        side,
                        qty,
                        price,
                        notional,
                    });
                    let key = ts.nanos().div_euclid(self.interval_ns());
                    let t = self.record.intervals.entry(key).or_default();
                    match side {
                        Side::Sell => t.modelled_long += notional,
                        Side::Buy => t.modelled_short += notional,
                    }
                    t.modelled_count += 1;
                    if crowd {
                        self.refresh(ex, account);
                    }
                }
                Output::Adl {
                    victim,
                    counterparty,
                    instrument,
                    side,
                    qty,
                    price,
                } if instrument == i => {
                    let victim_crowd = self.is_crowd(victim);
                    self.record.adl.push(AdlEvent {
                        ts,
                        round,
                        victim,
                        victim_crowd,
                        counterparty,
                        side,
                        qty,
                        price,
                    });
                    if victim_crowd {
                        self.refresh(ex, victim);
                    }
                    if self.is_crowd(counterparty) {
                        self.refresh(ex, counterparty);
                    }
                }
                Output::Funding { account, .. } if self.is_crowd(account) => {
                    self.refresh(ex, account)
                }
                _ => {}
            }
        }
    }

    /// Bookkeeping after every event: the fund series, the mark range and heatmap snapshots.
    fn after_event(&mut self, ex: &Exchange, ts: Ts) {
        let bal = ex.insurance_fund(self.fund);
        match self.record.fund.last_mut() {
            Some(p) if p.balance == bal => {}
            Some(p) if p.ts == ts => p.balance = bal,
            _ => self.record.fund.push(FundPoint { ts, balance: bal }),
        }
        let mark = ex.mark_price(self.cfg.instrument);
        self.last_mark = mark;
        let Some(m) = mark else { return };
        self.heatmap.fix_width(m, self.tick);
        self.low = Some(self.low.map_or(m, |l| l.min_of(m)));
        self.high = Some(self.high.map_or(m, |h| h.max_of(m)));
        let every = self.cfg.heatmap.snapshot_every_s as i64 * Ts::NANOS_PER_SEC;
        if every == 0 {
            return;
        }
        let boundary = ts.nanos().div_euclid(every) * every + every;
        let Some(next) = self.next_snapshot else {
            self.next_snapshot = Some(boundary);
            return;
        };
        if ts.nanos() < next {
            return;
        }
        self.snapshot(ts, m);
        self.next_snapshot = Some(boundary);
    }

    fn snapshot(&mut self, ts: Ts, mark: Price) {
        let range = self.cfg.heatmap.snapshot_range_bps as i128;
        let lo = Price::from_raw((mark.raw() as i128 * (10_000 - range) / 10_000) as i64);
        let hi = Price::from_raw((mark.raw() as i128 * (10_000 + range) / 10_000) as i64);
        let buckets = self
            .heatmap
            .buckets()
            .map(|(b, c)| (self.heatmap.bucket_price(b), c))
            .filter(|(p, _)| *p >= lo && *p <= hi)
            .map(|(p, c)| (p, c.long_notional, c.short_notional))
            .collect();
        self.record.snapshots.push(HeatSnapshot {
            ts,
            mark,
            low: self.low.unwrap_or(mark),
            high: self.high.unwrap_or(mark),
            buckets,
        });
        self.low = Some(mark);
        self.high = Some(mark);
    }

    /// Re-reads crowd account `a` and brings the totals and the heatmap in line.
    fn refresh(&mut self, ex: &Exchange, a: AccountId) {
        let s = self.slot_of[a.index()] as usize;
        let old = self.slots[s];
        let brief = ex.position_brief(a, self.cfg.instrument);
        let qty = brief.map_or(Qty::ZERO, |b| b.qty);
        let liq = brief.and_then(|b| b.liquidation_price);
        if qty == old.qty && liq == old.heat.map(|h| h.0) {
            return;
        }
        if let Some((p, n)) = old.heat {
            self.heatmap
                .remove(old.qty.is_positive(), p, old.qty.abs(), n);
        }
        self.adjust_totals(old.qty, qty);
        let heat = match liq {
            Some(p) if !qty.is_zero() => {
                self.heatmap.fix_width(p, self.tick);
                Some((p, self.heatmap.add(qty.is_positive(), p, qty.abs())))
            }
            _ => None,
        };
        self.slots[s] = Slot {
            account: a,
            qty,
            heat,
        };
    }

    fn adjust_totals(&mut self, old: Qty, new: Qty) {
        for (q, sign) in [(old, -1i64), (new, 1)] {
            let d = Qty::from_raw(q.abs().raw() * sign);
            if q.is_positive() {
                self.long_qty += d;
            } else if q.is_negative() {
                self.short_qty += d;
            }
        }
    }

    fn add_slot(&mut self, ex: &Exchange, a: AccountId) {
        let s = u32::try_from(self.slots.len()).expect("fewer than 2³² crowd positions");
        if self.slot_of.len() <= a.index() {
            self.slot_of.resize(a.index() + 1, NONE);
        }
        self.slot_of[a.index()] = s;
        self.slots.push(Slot {
            account: a,
            qty: Qty::ZERO,
            heat: None,
        });
        self.ever_opened = true;
        self.refresh(ex, a);
        let q = self.slots[s as usize].qty;
        if q.is_positive() {
            self.order_long.push(s);
        } else if q.is_negative() {
            self.order_short.push(s);
        }
    }
}
