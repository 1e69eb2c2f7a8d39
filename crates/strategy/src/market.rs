//! The read-only market view a strategy sees: one [`InstrumentState`] per instrument, kept up
//! to date from recorded [`Event`]s by [`MarketView::apply`].
//!
//! This is pure bookkeeping of recorded data, so it lives here rather than in the exchange:
//! the engine calls [`MarketView::apply`] for every market event before the strategy sees it,
//! and fills in the one modelled value, the liquidation heatmap
//! ([`MarketView::set_heatmap`]), when a crowd model is running.
//!
//! Everything is allocated when the view is built (fixed slots in a `Vec` indexed by
//! [`InstrumentId`], rolling windows as ring buffers of time buckets), so applying an event
//! never allocates. The one exception is the L2 book, whose level arrays are allocated (once,
//! at their fixed capacity) on an instrument's first L2 update.

use crate::book::{DepthBands, L2Book, Quote};
use crate::rolling::{History, Rolling};
use crate::summaries::{FlowSums, HeatmapSummary, LiquidationSums};
use cascade_types::{
    Bar, BarSource, BookTop, Event, EventBody, Funding, FundingSettlement, InstrumentId,
    InstrumentKind, InstrumentSpec, Liquidation, Money, OpenInterest, Price, Qty, Rate,
    RatioSource, Rounding, Side, TakerVolume, Trade, Ts,
};
use std::ops::Index;

const NS_PER_SEC: i64 = Ts::NANOS_PER_SEC;
const NS_PER_MIN: i64 = 60 * NS_PER_SEC;

/// Sizes of the view's windows. Larger windows cost memory per instrument, never time per
/// event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketViewConfig {
    /// Length of the fast rolling windows of liquidations and taker flow, in seconds
    /// (one bucket per second).
    pub fast_window_s: u32,
    /// Length of the slow rolling windows of liquidations and taker flow, in minutes
    /// (one bucket per minute).
    pub slow_window_min: u32,
    /// How many minutes of per-minute history of last price, mark and open interest to keep.
    pub history_min: u32,
    /// Most L2 price levels kept per side; levels beyond it (the farthest from the top of the
    /// book) are dropped.
    pub l2_levels_max: u32,
}

impl Default for MarketViewConfig {
    /// 5-minute fast windows, 1-hour slow windows, 24 hours of history, 1,000 L2 levels.
    fn default() -> Self {
        MarketViewConfig {
            fast_window_s: 300,
            slow_window_min: 60,
            history_min: 24 * 60,
            l2_levels_max: 1_000,
        }
    }
}

/// A value with the time it became known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamped<T> {
    /// When the value became known.
    pub ts: Ts,
    /// The value.
    pub value: T,
}

/// Everything the view knows about one instrument. Fields are public for reading; only
/// [`MarketView::apply`] (and the engine, for the heatmap) writes them.
#[derive(Clone, Debug)]
pub struct InstrumentState {
    /// The instrument's id.
    pub id: InstrumentId,
    /// Its static description (venue, symbol, kind, tick, lot).
    pub spec: InstrumentSpec,
    /// Time of the last event on this instrument.
    pub last_event: Option<Ts>,
    /// Number of events applied.
    pub events: u64,
    /// The last trade.
    pub last_trade: Option<Stamped<Trade>>,
    /// The last best bid/offer from the book-top feed.
    pub book_top: Option<Stamped<BookTop>>,
    /// The latest depth-band snapshot.
    pub depth: DepthBands,
    /// The L2 book, when the source has L2 updates.
    pub l2: L2Book,
    /// The last bar of each [`BarSource`], in the order `Last`, `Mark`, `Index`, `Premium`
    /// (see [`InstrumentState::bar`]).
    pub bars: [Option<Stamped<Bar>>; 4],
    /// The venue's mark price.
    pub mark: Option<Stamped<Price>>,
    /// The index (oracle) price.
    pub index: Option<Stamped<Price>>,
    /// The premium rate, from premium-index bars.
    pub premium: Option<Stamped<Rate>>,
    /// The published funding rate and the next funding time.
    pub funding: Option<Stamped<Funding>>,
    /// The last funding settlement.
    pub last_settlement: Option<Stamped<FundingSettlement>>,
    /// Open interest.
    pub open_interest: Option<Stamped<OpenInterest>>,
    /// Long/short ratios, in the order `TopAccounts`, `TopPositions`, `Global`
    /// (see [`InstrumentState::long_short`]).
    pub long_short: [Option<Stamped<Rate>>; 3],
    /// The last taker buy/sell volume metric (as published, over the metric's own period).
    pub taker_volume: Option<Stamped<TakerVolume>>,
    /// The last recorded liquidation.
    pub last_liquidation: Option<Stamped<Liquidation>>,
    /// The modelled liquidation heatmap summary (set by the engine's crowd model).
    pub heatmap: Option<HeatmapSummary>,
    trades_seen: bool,
    liq_fast: Rolling<6>,
    liq_slow: Rolling<6>,
    flow_fast: Rolling<4>,
    flow_slow: Rolling<4>,
    price_1m: History<Price>,
    mark_1m: History<Price>,
    oi_1m: History<Qty>,
    oi_value_1m: History<Money>,
}

fn bar_slot(source: BarSource) -> usize {
    match source {
        BarSource::Last => 0,
        BarSource::Mark => 1,
        BarSource::Index => 2,
        BarSource::Premium => 3,
    }
}

fn ratio_slot(source: RatioSource) -> usize {
    match source {
        RatioSource::TopAccounts => 0,
        RatioSource::TopPositions => 1,
        RatioSource::Global => 2,
    }
}

fn newer<T: Copy>(a: Option<Stamped<T>>, b: Option<Stamped<T>>) -> Option<Stamped<T>> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.ts > x.ts { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

impl InstrumentState {
    fn new(id: InstrumentId, spec: InstrumentSpec, cfg: &MarketViewConfig) -> Self {
        let fast = cfg.fast_window_s.max(1) as usize;
        let slow = cfg.slow_window_min.max(1) as usize;
        let hist = cfg.history_min.max(1) as usize;
        InstrumentState {
            id,
            spec,
            last_event: None,
            events: 0,
            last_trade: None,
            book_top: None,
            depth: DepthBands::default(),
            l2: L2Book::default(),
            bars: [None; 4],
            mark: None,
            index: None,
            premium: None,
            funding: None,
            last_settlement: None,
            open_interest: None,
            long_short: [None; 3],
            taker_volume: None,
            last_liquidation: None,
            heatmap: None,
            trades_seen: false,
            liq_fast: Rolling::new(NS_PER_SEC, fast),
            liq_slow: Rolling::new(NS_PER_MIN, slow),
            flow_fast: Rolling::new(NS_PER_SEC, fast),
            flow_slow: Rolling::new(NS_PER_MIN, slow),
            price_1m: History::new(NS_PER_MIN, hist),
            mark_1m: History::new(NS_PER_MIN, hist),
            oi_1m: History::new(NS_PER_MIN, hist),
            oi_value_1m: History::new(NS_PER_MIN, hist),
        }
    }

    /// True for a spot instrument.
    pub fn is_spot(&self) -> bool {
        self.spec.kind == InstrumentKind::Spot
    }

    /// The last traded price: the last trade, or the close of the last `Last` bar when that
    /// is newer (bar-only data).
    pub fn last_price(&self) -> Option<Price> {
        let bar = self.bars[0].map(|b| Stamped {
            ts: b.ts,
            value: b.value.close,
        });
        newer(
            self.last_trade.map(|t| Stamped {
                ts: t.ts,
                value: t.value.price,
            }),
            bar,
        )
        .map(|s| s.value)
    }

    /// The mark price, falling back to the last price when the source has no mark.
    pub fn mark_or_last(&self) -> Option<Price> {
        self.mark.map(|m| m.value).or_else(|| self.last_price())
    }

    /// The best bid and offer: from the book-top feed or the L2 book, whichever was updated
    /// last.
    pub fn quote(&self) -> Option<Quote> {
        let top = self.book_top.map(|b| Stamped {
            ts: b.ts,
            value: Quote {
                ts: b.ts,
                bid: b.value.bid_price,
                bid_qty: b.value.bid_qty,
                ask: b.value.ask_price,
                ask_qty: b.value.ask_qty,
            },
        });
        let l2 = match (self.l2.ts(), self.l2.best_bid(), self.l2.best_ask()) {
            (Some(ts), Some(b), Some(a)) => Some(Stamped {
                ts,
                value: Quote {
                    ts,
                    bid: b.price,
                    bid_qty: b.qty,
                    ask: a.price,
                    ask_qty: a.qty,
                },
            }),
            _ => None,
        };
        newer(top, l2).map(|s| s.value)
    }

    /// The last bar of a source.
    pub fn bar(&self, source: BarSource) -> Option<&Bar> {
        self.bars[bar_slot(source)].as_ref().map(|b| &b.value)
    }

    /// The last long/short ratio of a source.
    pub fn long_short(&self, source: RatioSource) -> Option<Stamped<Rate>> {
        self.long_short[ratio_slot(source)]
    }

    /// Recorded liquidations over the fast window (default 5 minutes) ending at `now`.
    pub fn liquidations(&self, now: Ts) -> LiquidationSums {
        LiquidationSums::from_raw(self.liq_fast.sum_at(now))
    }

    /// Recorded liquidations over the slow window (default 1 hour) ending at `now`.
    pub fn liquidations_slow(&self, now: Ts) -> LiquidationSums {
        LiquidationSums::from_raw(self.liq_slow.sum_at(now))
    }

    /// Taker flow over the fast window ending at `now`: from trades, or from bars' taker-buy
    /// volume when the instrument has had no trades (bar-only data).
    pub fn flow(&self, now: Ts) -> FlowSums {
        FlowSums::from_raw(self.flow_fast.sum_at(now))
    }

    /// Taker flow over the slow window ending at `now`.
    pub fn flow_slow(&self, now: Ts) -> FlowSums {
        FlowSums::from_raw(self.flow_slow.sum_at(now))
    }

    /// The last price as of the end of the minute holding `ts` (per-minute history).
    pub fn price_at(&self, ts: Ts) -> Option<Price> {
        self.price_1m.at(ts)
    }

    /// The mark as of the end of the minute holding `ts`.
    pub fn mark_at(&self, ts: Ts) -> Option<Price> {
        self.mark_1m.at(ts)
    }

    /// Open interest (quantity) as of the end of the minute holding `ts`.
    pub fn open_interest_at(&self, ts: Ts) -> Option<Qty> {
        self.oi_1m.at(ts)
    }

    /// Open interest value as of the end of the minute holding `ts`.
    pub fn open_interest_value_at(&self, ts: Ts) -> Option<Money> {
        self.oi_value_1m.at(ts)
    }

    /// Relative change of the last price from `minutes` ago to now: `p_now / p_then − 1`,
    /// rounded half-even. `None` without both prices.
    pub fn price_change(&self, now: Ts, minutes: u32) -> Option<Rate> {
        let then = now.plus_nanos(-(minutes as i64) * NS_PER_MIN);
        let (a, b) = (self.price_1m.at(then)?, self.price_1m.latest()?);
        relative_change(a.raw(), b.raw())
    }

    /// Relative change of open interest (quantity) from `minutes` ago to now.
    pub fn open_interest_change(&self, now: Ts, minutes: u32) -> Option<Rate> {
        let then = now.plus_nanos(-(minutes as i64) * NS_PER_MIN);
        let (a, b) = (self.oi_1m.at(then)?, self.oi_1m.latest()?);
        relative_change(a.raw(), b.raw())
    }

    fn record_price(&mut self, ts: Ts, price: Price) {
        self.price_1m.record(ts, price);
    }

    fn add_flow(&mut self, ts: Ts, side: Side, qty: Qty, notional: Money) {
        // Counters: buy qty, sell qty, buy notional, sell notional.
        let k = match side {
            Side::Buy => 0,
            Side::Sell => 1,
        };
        let (q, n) = ((k, qty.raw()), (k + 2, notional.raw()));
        self.flow_fast.add_pair(ts, q, n);
        self.flow_slow.add_pair(ts, q, n);
    }

    fn apply(&mut self, ts: Ts, body: &EventBody, cfg: &MarketViewConfig) {
        self.last_event = Some(ts);
        self.events += 1;
        match body {
            EventBody::Trade(t) => {
                self.last_trade = Some(Stamped { ts, value: *t });
                self.trades_seen = true;
                self.record_price(ts, t.price);
                let notional = notional_half_even(t.price, t.qty);
                self.add_flow(ts, t.aggressor, t.qty, notional);
            }
            EventBody::BookTop(b) => self.book_top = Some(Stamped { ts, value: *b }),
            EventBody::DepthBand(d) => self.depth.apply(ts, d),
            EventBody::DepthLevel(l) => self.l2.apply(ts, l, cfg.l2_levels_max as usize),
            EventBody::Bar(bar) => self.apply_bar(ts, bar),
            EventBody::MarkPrice(p) => {
                self.mark = Some(Stamped { ts, value: *p });
                self.mark_1m.record(ts, *p);
            }
            EventBody::IndexPrice(p) => self.index = Some(Stamped { ts, value: *p }),
            EventBody::Funding(f) => self.funding = Some(Stamped { ts, value: *f }),
            EventBody::FundingSettlement(s) => {
                self.last_settlement = Some(Stamped { ts, value: *s })
            }
            EventBody::OpenInterest(oi) => {
                self.open_interest = Some(Stamped { ts, value: *oi });
                self.oi_1m.record(ts, oi.qty);
                self.oi_value_1m.record(ts, oi.value);
            }
            EventBody::Liquidation(l) => {
                self.last_liquidation = Some(Stamped { ts, value: *l });
                let notional = notional_half_even(l.price, l.qty).raw();
                let v = match l.side {
                    Side::Sell => [l.qty.raw(), notional, 1, 0, 0, 0],
                    Side::Buy => [0, 0, 0, l.qty.raw(), notional, 1],
                };
                self.liq_fast.add(ts, v);
                self.liq_slow.add(ts, v);
            }
            EventBody::LongShortRatio(r) => {
                self.long_short[ratio_slot(r.source)] = Some(Stamped { ts, value: r.ratio })
            }
            EventBody::TakerVolume(v) => self.taker_volume = Some(Stamped { ts, value: *v }),
        }
    }

    fn apply_bar(&mut self, ts: Ts, bar: &Bar) {
        self.bars[bar_slot(bar.source)] = Some(Stamped { ts, value: *bar });
        match bar.source {
            BarSource::Last => {
                // Trades, when present, are the finer record: bars then only fill the bar slot.
                if !self.trades_seen {
                    self.record_price(ts, bar.close);
                    let buy = bar.taker_buy_volume;
                    let buy_n = bar.taker_buy_quote_volume;
                    self.add_flow(ts, Side::Buy, buy, buy_n);
                    self.add_flow(ts, Side::Sell, bar.volume - buy, bar.quote_volume - buy_n);
                }
            }
            BarSource::Mark => {
                if self.mark.is_none_or(|m| m.ts <= ts) {
                    self.mark = Some(Stamped {
                        ts,
                        value: bar.close,
                    });
                    self.mark_1m.record(ts, bar.close);
                }
            }
            BarSource::Index => {
                if self.index.is_none_or(|m| m.ts <= ts) {
                    self.index = Some(Stamped {
                        ts,
                        value: bar.close,
                    });
                }
            }
            BarSource::Premium => {
                self.premium = Some(Stamped {
                    ts,
                    value: Rate::from_raw(bar.close.raw()),
                })
            }
        }
    }
}

/// `price × qty` rounded half-even: exactly `price.notional(qty, Rounding::HalfEven)` — the
/// same value; saturating at ±[`Money::MAX`] when it does not fit (market values within
/// `cascade_types::bounds` never do, and the rolling sums it feeds saturate too) — without the two `i128` divisions by a
/// run-time divisor that [`Price::notional`] pays (it goes through the generic `mul_div`).
/// This runs on every trade, so the exact product is divided by the constant 10⁸ in 64-bit
/// steps, which compile to multiplications.
#[inline]
pub(crate) fn notional_half_even(price: Price, qty: Qty) -> Money {
    match notional_half_even_raw(price.raw(), qty.raw()) {
        Some(raw) => Money::from_raw(raw),
        None if price.is_negative() != qty.is_negative() => Money::from_raw(-i64::MAX),
        None => Money::MAX,
    }
}

/// The raw value of [`notional_half_even`]; `None` when it does not fit in an `i64`.
#[inline]
pub(crate) fn notional_half_even_raw(price: i64, qty: i64) -> Option<i64> {
    const D: u64 = cascade_types::SCALE as u64; // 10⁸ < 2³²
    let num = price as i128 * qty as i128;
    let m = num.unsigned_abs(); // < 2¹²⁶
    let (hi, lo) = ((m >> 64) as u64, m as u64);
    // m = q·D + r, 0 ≤ r < D.
    let (q, r) = if hi == 0 {
        ((lo / D) as u128, lo % D)
    } else {
        // Long division by 32-bit limbs below the high word: every partial dividend is below
        // D·2³² < 2⁶⁴.
        let (q2, r2) = (hi / D, hi % D);
        let c1 = (r2 << 32) | (lo >> 32);
        let (q1, r1) = (c1 / D, c1 % D);
        let c0 = (r1 << 32) | (lo & 0xFFFF_FFFF);
        let (q0, r0) = (c0 / D, c0 % D);
        (((q2 as u128) << 64) | ((q1 as u128) << 32) | q0 as u128, r0)
    };
    // Floor and the remainder above it, as `mul_div` normalises them.
    let (floor, rem) = if num >= 0 {
        (q as i128, r)
    } else if r == 0 {
        (-(q as i128), 0)
    } else {
        (-(q as i128) - 1, D - r)
    };
    let twice = 2 * rem;
    let out = if twice < D || (twice == D && floor & 1 == 0) {
        floor
    } else {
        floor + 1
    };
    i64::try_from(out).ok()
}

fn relative_change(then: i64, now: i64) -> Option<Rate> {
    if then == 0 {
        return None;
    }
    Rate::ratio(now.checked_sub(then)?, then, Rounding::HalfEven)
}

/// The market as the strategy sees it: one [`InstrumentState`] per instrument of the run,
/// indexed by [`InstrumentId`].
///
/// ```
/// use cascade_strategy::MarketView;
/// use cascade_types::*;
///
/// let spec = InstrumentSpec::new("binance-um", "BTCUSDT", InstrumentKind::LinearPerp, "BTC", "USDT");
/// let mut market = MarketView::new(&[spec]);
/// let btc = market.find("BTCUSDT").unwrap();
/// let ts = Ts::parse_utc("2025-10-10T21:20:00Z").unwrap();
/// market.apply(&Event {
///     ts,
///     instrument: btc,
///     body: EventBody::Liquidation(Liquidation {
///         side: Side::Sell, // a long was liquidated
///         price: "101516.5".parse().unwrap(),
///         qty: "2".parse().unwrap(),
///     }),
/// });
/// let liq = market[btc].liquidations(ts);
/// assert_eq!(liq.long_notional.to_string(), "203033");
/// assert_eq!(liq.short_count, 0);
/// ```
#[derive(Clone, Debug)]
pub struct MarketView {
    config: MarketViewConfig,
    instruments: Vec<InstrumentState>,
    now: Ts,
    events: u64,
}

impl MarketView {
    /// A view of these instruments (ids are their positions in `specs`), default windows.
    pub fn new(specs: &[InstrumentSpec]) -> Self {
        Self::with_config(specs, MarketViewConfig::default())
    }

    /// A view of these instruments with the given window sizes.
    pub fn with_config(specs: &[InstrumentSpec], config: MarketViewConfig) -> Self {
        let instruments = specs
            .iter()
            .enumerate()
            .map(|(i, s)| InstrumentState::new(InstrumentId(i as u32), s.clone(), &config))
            .collect();
        MarketView {
            config,
            instruments,
            now: Ts::MIN,
            events: 0,
        }
    }

    /// Applies one recorded market event. Never allocates (but see [`L2Book`]). Panics when
    /// the event's instrument is not in the view's table (a programmer error: the engine
    /// builds the view from the same table as the log).
    pub fn apply(&mut self, event: &Event) {
        let i = event.instrument.index();
        assert!(
            i < self.instruments.len(),
            "event for {} but the market view has {} instruments",
            event.instrument,
            self.instruments.len()
        );
        self.now = self.now.max(event.ts);
        self.events += 1;
        let cfg = self.config;
        self.instruments[i].apply(event.ts, &event.body, &cfg);
    }

    /// Sets the modelled liquidation heatmap summary of an instrument (the crowd model's
    /// output).
    pub fn set_heatmap(&mut self, instrument: InstrumentId, summary: HeatmapSummary) {
        self.instruments[instrument.index()].heatmap = Some(summary);
    }

    /// The time of the newest event applied (`Ts::MIN` before the first).
    pub fn now(&self) -> Ts {
        self.now
    }

    /// Number of events applied.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// The window sizes.
    pub fn config(&self) -> &MarketViewConfig {
        &self.config
    }

    /// All instruments, indexed by id.
    pub fn instruments(&self) -> &[InstrumentState] {
        &self.instruments
    }

    /// One instrument, or `None` when the id is out of range.
    pub fn get(&self, id: InstrumentId) -> Option<&InstrumentState> {
        self.instruments.get(id.index())
    }

    /// The first instrument with this symbol (as the venue writes it).
    pub fn find(&self, symbol: &str) -> Option<InstrumentId> {
        self.instruments
            .iter()
            .find(|s| s.spec.symbol == symbol)
            .map(|s| s.id)
    }

    /// The first instrument with this base asset and kind: e.g. the spot and the perp of
    /// `BTC`.
    pub fn find_kind(&self, base: &str, kind: InstrumentKind) -> Option<InstrumentId> {
        self.instruments
            .iter()
            .find(|s| s.spec.base == base && s.spec.kind == kind)
            .map(|s| s.id)
    }
}

impl Index<InstrumentId> for MarketView {
    type Output = InstrumentState;
    /// Panics when the id is out of range.
    fn index(&self, id: InstrumentId) -> &InstrumentState {
        &self.instruments[id.index()]
    }
}
