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

    // ---- following open interest ---------------------------------------------------------

    /// The price new positions open and old ones close at: the volume-weighted price since
    /// the last observation, else the last price, else the mark. Resets the interval.
    fn interval_price(&mut self, ex: &Exchange) -> Option<Price> {
        let p = if self.vwap_qty > 0 {
            // Half-even division of the notional (10⁻¹⁶) by the quantity (10⁻⁸).
            let q = self.vwap_qty;
            let n = self.vwap_notional;
            let (d, r) = (n.div_euclid(q), n.rem_euclid(q));
            let up = 2 * r > q || (2 * r == q && d % 2 != 0);
            Some(Price::from_raw((d + up as i128) as i64))
        } else {
            self.depth
                .reference(None)
                .or(ex.mark_price(self.cfg.instrument))
        };
        self.vwap_notional = 0;
        self.vwap_qty = 0;
        p.filter(|p| p.is_positive())
    }

    /// Per-side targets for a crowd share `t` (raw, whole lots): see the module docs.
    fn targets(&self, t: i64) -> (Qty, Qty) {
        let lot = self.lot.raw();
        let r = self.ratio.raw() as i128;
        let t128 = t as i128;
        let (long, short) = if r >= SCALE as i128 {
            (t128, t128 * SCALE as i128 / r)
        } else {
            (t128 * r / SCALE as i128, t128)
        };
        (
            Qty::from_raw(floor_lot(long, lot)),
            Qty::from_raw(floor_lot(short, lot)),
        )
    }

    fn follow_oi(&mut self, ex: &mut Exchange, oi: OpenInterest, out: &mut Vec<Output>) {
        self.record.stats.oi_updates += 1;
        let Some(price) = self.interval_price(ex) else {
            return;
        };
        self.heatmap.fix_width(price, self.tick);
        let share = rate_of(self.cfg.oi_share);
        let t = floor_lot(
            oi.qty.raw() as i128 * share.raw() as i128 / SCALE as i128,
            self.lot.raw(),
        );
        let (long_t, short_t) = self.targets(t);
        let starting = !self.ever_opened;
        let spread = if starting {
            self.cfg.initial_spread_bps
        } else {
            0
        };
        for long in [true, false] {
            let (cur, target) = if long {
                (self.long_qty, long_t)
            } else {
                (self.short_qty, short_t)
            };
            if target > cur {
                self.open_side(ex, long, target - cur, price, spread, !starting, out);
            } else if target < cur {
                self.close_side(ex, long, cur - target, price, out);
            }
        }
    }

    /// Opens `qty` (whole lots) of new positions on one side around `price`: draws them all,
    /// then opens them — a starting book (`spread_bps > 0`) in the order of its bankruptcy
    /// prices (so its accounts are numbered that way), which makes building a book of a
    /// million positions an append to the liquidation index rather than a million random
    /// inserts; any order gives the same book, this one is fast.
    #[allow(clippy::too_many_arguments)]
    fn open_side(
        &mut self,
        ex: &mut Exchange,
        long: bool,
        qty: Qty,
        price: Price,
        spread_bps: u32,
        pay_fee: bool,
        out: &mut Vec<Output>,
    ) {
        let lot = self.lot.raw();
        let mut left = floor_lot(qty.raw() as i128, lot);
        let mut draws = Vec::new();
        while left >= lot {
            if draws.len() as u64 >= MAX_OPENS_PER_STEP {
                self.record.stats.skipped_qty += Qty::from_raw(left);
                break;
            }
            let entry = self.draw_entry(price, spread_bps);
            let notional_f = self.cfg.size.sample(&mut self.rng_size);
            let q = money_of(notional_f)
                .per_price(entry, Rounding::Down)
                .expect("entry > 0");
            let q = floor_lot(q.raw() as i128, lot).clamp(lot, left);
            left -= q;
            let signed = if long { q } else { -q };
            let lev = self.cfg.leverage.sample(&mut self.rng_leverage, u32::MAX);
            let cushion = rate_of(self.cfg.cushion.sample(&mut self.rng_cushion));
            let mut cp = self.position_at(ex, Qty::from_raw(signed), entry, lev, cushion);
            if spread_bps > 0 {
                cp = self.survivor(ex, cp, cushion);
            }
            draws.push(Draw { cp, lev, cushion });
        }
        if spread_bps > 0 {
            // Bankruptcy price, `entry ∓ deposit / qty`: the liquidation order up to the
            // maintenance margin, which is all an ordering for speed needs. Stable: ties keep
            // the draw order.
            draws.sort_by_cached_key(|d| {
                let q = d.cp.qty.raw() as i128;
                d.cp.entry.raw() as i128 - d.cp.deposit.raw() as i128 * SCALE as i128 / q
            });
        }
        for d in draws {
            self.open_draw(ex, d, pay_fee, out);
        }
    }

    /// Opens one drawn position; when the exchange refuses its entry (under water at the
    /// mark at once), at the mark instead; counts what it could not open.
    fn open_draw(&mut self, ex: &mut Exchange, d: Draw, pay_fee: bool, out: &mut Vec<Output>) {
        let taker_fee = self.taker_fee;
        let fee_at = |p: Price, q: Qty| {
            if pay_fee {
                p.notional(q.abs(), Rounding::HalfEven)
                    .mul_rate(taker_fee, Rounding::Up)
            } else {
                Money::ZERO
            }
        };
        let mut cp = d.cp;
        let fee = fee_at(cp.entry, cp.qty);
        cp.deposit += fee;
        let opened = match self.open(ex, &cp, pay_fee, out) {
            Ok(a) => Some((a, fee)),
            Err(RejectReason::InsufficientMargin | RejectReason::LeverageAboveTierMax) => {
                let mark = ex
                    .mark_price(self.cfg.instrument)
                    .filter(|m| *m != cp.entry);
                match mark {
                    Some(m) => {
                        let mut c = self.position_at(ex, cp.qty, m, d.lev, d.cushion);
                        let fee = fee_at(m, c.qty);
                        c.deposit += fee;
                        let r = self.open(ex, &c, pay_fee, out).ok().map(|a| (a, fee));
                        self.record.stats.opened_at_mark += r.is_some() as u64;
                        r
                    }
                    None => None,
                }
            }
            Err(_) => None,
        };
        match opened {
            Some((a, fee)) => {
                self.record.stats.fees += fee;
                self.record.stats.opened += 1;
                self.record.stats.opened_qty += cp.qty.abs();
                self.add_slot(ex, a);
            }
            None => self.record.stats.refused += 1,
        }
    }

    fn open(
        &mut self,
        ex: &mut Exchange,
        cp: &CrowdPosition,
        pay_fee: bool,
        out: &mut Vec<Output>,
    ) -> Result<AccountId, RejectReason> {
        if pay_fee {
            ex.open_crowd_position_with_fee(cp, out)
        } else {
            ex.open_crowd_position(cp, out)
        }
    }

    /// The entry of one new position: `price`, or with a spread `price·(1 + u·spread)` for
    /// `u` uniform in `[−1, 1)`, rounded to the tick.
    fn draw_entry(&mut self, price: Price, spread_bps: u32) -> Price {
        if spread_bps == 0 {
            return price;
        }
        let u = self.rng_entry.uniform() * 2.0 - 1.0;
        let off = rate_of(u * spread_bps as f64 / 10_000.0);
        let p = price + price.mul_rate(off, Rounding::HalfEven);
        let tick = self.tick.raw().max(1);
        Price::from_raw((p.raw() - p.raw().rem_euclid(tick)).max(tick))
    }

    /// A crowd position of `qty` at `entry`: leverage capped by the bracket of its notional
    /// at the higher of entry and mark, deposit `IM·(1 + cushion)`, rounded up.
    fn position_at(
        &self,
        ex: &Exchange,
        qty: Qty,
        entry: Price,
        lev: u32,
        cushion: Rate,
    ) -> CrowdPosition {
        let i = self.cfg.instrument;
        let notional = entry.notional(qty.abs(), Rounding::HalfEven);
        let at_mark = ex
            .mark_price(i)
            .map_or(Money::ZERO, |m| m.notional(qty.abs(), Rounding::Up));
        let tiers = ex.tiers(i).expect("a perpetual has tiers");
        let lev = lev.clamp(1, tiers.max_leverage(notional.max_of(at_mark)).max(1));
        let im = notional.div_int(lev as i64, Rounding::Up).expect("lev ≥ 1");
        CrowdPosition {
            instrument: i,
            qty,
            entry,
            leverage: lev,
            mode: self.cfg.margin_mode,
            deposit: im + im.mul_rate(cushion, Rounding::Up),
        }
    }

    /// A starting position that could not be held at the current mark — its equity there
    /// below the initial margin, which includes every position the mark would liquidate —
    /// survived only on the other side of the mark: reflect its entry about the mark (see the
    /// module docs). Reflected, it is in profit, so its deposit covers the initial margin at
    /// the mark.
    fn survivor(&self, ex: &Exchange, cp: CrowdPosition, cushion: Rate) -> CrowdPosition {
        let Some(mark) = ex.mark_price(self.cfg.instrument) else {
            return cp;
        };
        let n_entry = cp.entry.notional(cp.qty.abs(), Rounding::HalfEven);
        let n_mark = mark.notional(cp.qty.abs(), Rounding::HalfEven);
        let upnl = if cp.qty.is_positive() {
            n_mark - n_entry
        } else {
            n_entry - n_mark
        };
        // The pool's money: the whole deposit in cross, the initial margin when isolated.
        let margin = match cp.mode {
            MarginMode::Cross => cp.deposit,
            MarginMode::Isolated => n_entry
                .div_int(cp.leverage as i64, Rounding::Up)
                .expect("lev ≥ 1"),
        };
        let im_mark = n_mark
            .div_int(cp.leverage as i64, Rounding::Up)
            .expect("lev ≥ 1");
        if margin + upnl >= im_mark {
            return cp;
        }
        let reflected = Price::from_raw((2 * mark.raw() - cp.entry.raw()).max(self.tick.raw()));
        self.position_at(ex, cp.qty, reflected, cp.leverage, cushion)
    }

    /// Closes `qty` of one side by the closing rule at `price`.
    fn close_side(
        &mut self,
        ex: &mut Exchange,
        long: bool,
        qty: Qty,
        price: Price,
        out: &mut Vec<Output>,
    ) {
        let lot = self.lot.raw();
        let mut left = floor_lot(qty.raw() as i128, lot);
        match self.cfg.closing {
            ClosingRule::Oldest => self.close_oldest(ex, long, &mut left, price, out),
            ClosingRule::Newest => {
                let mut k = self.order(long).len();
                while left >= lot && k > 0 {
                    k -= 1;
                    let s = self.order(long)[k];
                    self.close_slot(ex, s, &mut left, price, out);
                }
                // Closed (or liquidated) positions at the end need not be visited again.
                while let Some(&s) = self.order(long).last() {
                    if !self.slots[s as usize].qty.is_zero() {
                        break;
                    }
                    self.order_mut(long).pop();
                }
            }
            ClosingRule::ProRata => {
                let total = if long { self.long_qty } else { self.short_qty }.raw() as i128;
                let want = left as i128;
                if total > 0 {
                    let order = self.order(long).clone();
                    for s in order {
                        let q = self.slots[s as usize].qty.abs().raw() as i128;
                        let mut part = floor_lot(q * want / total, lot);
                        if part > 0 && left > 0 {
                            let before = part;
                            self.close_slot(ex, s, &mut part, price, out);
                            left -= before - part;
                        }
                    }
                }
                self.close_oldest(ex, long, &mut left, price, out);
            }
        }
        self.record.stats.closed_qty += Qty::from_raw(qty.raw() - left);
    }

    fn order(&self, long: bool) -> &Vec<u32> {
        if long {
            &self.order_long
        } else {
            &self.order_short
        }
    }

    fn order_mut(&mut self, long: bool) -> &mut Vec<u32> {
        if long {
            &mut self.order_long
        } else {
            &mut self.order_short
        }
    }

    fn close_oldest(
        &mut self,
        ex: &mut Exchange,
        long: bool,
        left: &mut i64,
        price: Price,
        out: &mut Vec<Output>,
    ) {
        let lot = self.lot.raw();
        let mut k = if long {
            self.head_long
        } else {
            self.head_short
        };
        while *left >= lot && k < self.order(long).len() {
            let s = self.order(long)[k];
            self.close_slot(ex, s, left, price, out);
            let head = if long {
                &mut self.head_long
            } else {
                &mut self.head_short
            };
            if self.slots[s as usize].qty.is_zero() && *head == k {
                *head = k + 1;
            }
            k += 1;
        }
    }

    /// Closes up to `left` of slot `s` at `price`; refused closes are counted and skipped.
    fn close_slot(
        &mut self,
        ex: &mut Exchange,
        s: u32,
        left: &mut i64,
        price: Price,
        out: &mut Vec<Output>,
    ) {
        let slot = self.slots[s as usize];
        if slot.qty.is_zero() || *left <= 0 {
            return;
        }
        let take = slot.qty.abs().raw().min(*left);
        let dq = if slot.qty.is_positive() { -take } else { take };
        match ex.crowd_trade(
            slot.account,
            self.cfg.instrument,
            Qty::from_raw(dq),
            price,
            self.cfg.pay_fees,
            out,
        ) {
            Ok(fee) => {
                self.record.stats.fees += fee;
                *left -= take;
            }
            Err(_) => self.record.stats.close_refused += 1,
        }
        self.refresh(ex, slot.account);
    }

    // ---- starting books ------------------------------------------------------------------

    /// Seeds explicit positions (a scenario's starting book), in the configured margin mode,
    /// without fees. Each is checked like an order; a refusal is an error naming the position.
    pub fn seed_book(
        &mut self,
        ex: &mut Exchange,
        positions: &[SeedPosition],
        out: &mut Vec<Output>,
    ) -> Result<(), CrowdError> {
        let from = out.len();
        for (k, p) in positions.iter().enumerate() {
            if let Some(price) = ex.mark_price(self.cfg.instrument).or(Some(p.entry)) {
                self.heatmap.fix_width(price, self.tick);
            }
            let cp = CrowdPosition {
                instrument: self.cfg.instrument,
                qty: p.qty,
                entry: p.entry,
                leverage: p.leverage,
                mode: self.cfg.margin_mode,
                deposit: p.deposit,
            };
            let a = ex
                .open_crowd_position(&cp, out)
                .map_err(|r| CrowdError::Seed(format!("position {k}: refused ({r:?})")))?;
            self.add_slot(ex, a);
            self.record.stats.opened += 1;
            self.record.stats.opened_qty += p.qty.abs();
        }
        let ts = ex.now();
        self.observe_from(ex, ts, 0, out, from);
        Ok(())
    }

    /// Seeds a starting book drawn from the configured distributions: the crowd's share of
    /// `open_interest`, split by the long/short ratio, entries spread within
    /// ±`initial_spread_bps` of `price` (survivors only, see the module docs), no fees. For
    /// logs without open interest; a later recorded observation is followed from there.
    pub fn seed_spread(
        &mut self,
        ex: &mut Exchange,
        open_interest: Qty,
        price: Price,
        out: &mut Vec<Output>,
    ) -> Result<(), CrowdError> {
        if !price.is_positive() {
            return Err(CrowdError::Seed(
                "the reference price must be positive".into(),
            ));
        }
        self.heatmap.fix_width(price, self.tick);
        let share = rate_of(self.cfg.oi_share);
        let t = floor_lot(
            open_interest.raw() as i128 * share.raw() as i128 / SCALE as i128,
            self.lot.raw(),
        );
        let (long_t, short_t) = self.targets(t);
        let from = out.len();
        let spread = self.cfg.initial_spread_bps;
        self.open_side(ex, true, long_t, price, spread, false, out);
        self.open_side(ex, false, short_t, price, spread, false, out);
        let ts = ex.now();
        self.observe_from(ex, ts, 0, out, from);
        Ok(())
    }
}
