//! `cascade-fade`: buys the exhaustion of a long-liquidation cascade.
//!
//! On the perpetual whose recorded liquidations it watches (the *signal* instrument), the
//! strategy keeps its own rolling windows, sized by its parameters:
//!
//! 1. **Detect** a cascade: recorded *long* liquidations (forced sells) over the last
//!    `window_s` seconds reach `liq_threshold` of notional, **and** the last price is down
//!    more than `drop` over the same window.
//! 2. **Wait for exhaustion**: the liquidation rate (long-liquidation notional over the last
//!    `rate_window_s` seconds) falls to `exhaustion` of its peak in this cascade or below,
//!    **and** the price has made no new low for `calm_s` seconds. A cascade that does not
//!    exhaust within `max_wait_s` is abandoned (and the strategy cools down, as after a
//!    trade).
//! 3. **Buy** at market — the perpetual at `leverage` with `fraction` of equity as margin, or
//!    spot with `trade = "spot"` — then, on the fill, rest a stop-market sell at the traded
//!    instrument's cascade low less `stop_buffer`, and a take-profit limit sell at the fill
//!    price plus `take_profit` (both reduce-only on the perpetual), and set a timer for the
//!    time exit after `max_hold_s`, which cancels both and sells at market.
//! 4. When the position is gone (stop, take-profit, time exit or liquidation), cancel what
//!    rests, wait `cooldown_s`, and watch again.
//!
//! Prices are rounded to the instrument's tick (stop down, take-profit up) and quantities
//! down to its lot; all money and price math is fixed-point. Every trade is recorded
//! ([`CascadeFade::trades`], [`CascadeFade::summary`]; printed to stderr at the end of the
//! run with `log_summary = true`).
//!
//! # Example
//!
//! ```
//! use cascade_strategy::{Params, Registry};
//!
//! let mut registry = Registry::new();
//! cascade_strategy_cascade_fade::register(&mut registry);
//! let params = Params::new()
//!     .with_overrides(["liq_threshold=20000000", "drop=0.05", "trade=spot"])
//!     .unwrap();
//! assert!(registry.create("cascade-fade", &params).is_ok());
//! ```

mod config;
pub use config::{Config, TradeOn, PARAMS};

use cascade_strategy::prelude::*;
use cascade_strategy::sizing::{
    buy_price, notional_for, qty_for, qty_for_instrument, select_instrument, select_perp,
};
use cascade_strategy::types::{
    Event, EventBody, InstrumentId, InstrumentKind, Money, OrderRequest, Output, Price, Qty, Rate,
    Rounding, Side, Ts, Wallet,
};
use cascade_strategy::{dispatch_output, History, Registry, Rolling, Strategy};
use std::collections::BTreeMap;
use std::fmt;

/// The name the strategy is registered under.
pub const NAME: &str = "cascade-fade";

const NS_PER_SEC: i64 = Ts::NANOS_PER_SEC;

/// Registers [`CascadeFade`] as `cascade-fade`.
pub fn register(registry: &mut Registry) {
    registry.register(
        NAME,
        "buys the exhaustion of a long-liquidation cascade; stop below its low, take-profit or time exit",
        CascadeFade::from_params,
    );
}

/// A cascade under way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cascade {
    /// When it was detected.
    pub detected: Ts,
    /// The signal instrument's lowest last price since, and when it was made.
    pub low: Price,
    /// When `low` was made.
    pub low_ts: Ts,
    /// The traded instrument's lowest last price since (the stop goes below it).
    pub trade_low: Price,
    /// The highest liquidation rate seen (notional over `rate_window_s`).
    pub peak_rate: Money,
}

/// Where the strategy is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Watching for a cascade.
    Watching,
    /// A cascade is under way; waiting for it to exhaust.
    InCascade(Cascade),
    /// The entry order is on its way (client id).
    Entering(Cascade, u64),
    /// Long, with a stop, a take-profit and a time exit.
    InTrade,
    /// Out again; watching resumes at this time.
    Cooldown(Ts),
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            State::Watching => write!(f, "watching"),
            State::InCascade(c) => write!(f, "in-cascade since {}", c.detected),
            State::Entering(..) => write!(f, "entering"),
            State::InTrade => write!(f, "in-trade"),
            State::Cooldown(until) => write!(f, "cooldown until {until}"),
        }
    }
}

/// One trade, from detection to exit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TradeRecord {
    /// When the cascade was detected.
    pub detected: Ts,
    /// The cascade low the stop was set under (traded instrument).
    pub cascade_low: Price,
    /// When the entry filled.
    pub entry_ts: Ts,
    /// Entry quantity.
    pub qty: Qty,
    /// Entry price.
    pub entry_price: Price,
    /// The stop trigger.
    pub stop: Price,
    /// The take-profit limit.
    pub take_profit: Price,
    /// Quantity sold so far and its notional.
    pub exit_qty: Qty,
    /// Notional of the exit fills.
    pub exit_notional: Money,
    /// When the position was gone.
    pub exit_ts: Option<Ts>,
    /// `stop`, `take-profit`, `time`, `exit-refused`, `liquidation` or `adl`; `open` until
    /// then.
    pub reason: &'static str,
}

impl fmt::Display for TradeRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exit = self
            .exit_notional
            .per_qty(self.exit_qty, Rounding::HalfEven)
            .map_or("-".to_string(), |p| p.to_string());
        write!(
            f,
            "detected {} low {} | bought {} @ {} at {} (stop {}, take-profit {}) | exit {} @ {} at {} ({})",
            self.detected,
            self.cascade_low,
            self.qty,
            self.entry_price,
            self.entry_ts,
            self.stop,
            self.take_profit,
            self.exit_qty,
            exit,
            self.exit_ts.map_or("-".to_string(), |t| t.to_string()),
            self.reason
        )
    }
}

/// The cascade fader. See the crate documentation.
#[derive(Clone, Debug)]
pub struct CascadeFade {
    cfg: Config,
    signal: Option<InstrumentId>,
    traded: Option<InstrumentId>,
    state: State,
    /// Long-liquidation notional (raw) over `window_s`, one-second buckets.
    liq_window: Rolling<1>,
    /// Long-liquidation notional (raw) over `rate_window_s`.
    liq_rate: Rolling<1>,
    /// The signal's last price, per second, over `window_s`.
    prices: History<Price>,
    /// Quantity held (from fills, liquidations and ADL).
    held: Qty,
    /// The resting exits (client ids): stop and take-profit.
    exits: [u64; 2],
    /// Why a market exit is on its way (`time`, or `exit-refused` when a stop or
    /// take-profit could not rest).
    closing: Option<&'static str>,
    trades: Vec<TradeRecord>,
    detected: u64,
    abandoned: u64,
    /// Orders the exchange refused, by reason.
    rejections: BTreeMap<String, u64>,
}

impl CascadeFade {
    /// A fader with these settings (checked by [`Config::from_params`]).
    pub fn new(cfg: Config) -> Self {
        let window = cfg.window_s.max(1) as usize;
        CascadeFade {
            liq_window: Rolling::new(NS_PER_SEC, window),
            liq_rate: Rolling::new(NS_PER_SEC, cfg.rate_window_s.max(1) as usize),
            // One bucket more than the window, so the price `window_s` ago is still there.
            prices: History::new(NS_PER_SEC, window + 1),
            cfg,
            signal: None,
            traded: None,
            state: State::Watching,
            held: Qty::ZERO,
            exits: [0; 2],
            closing: None,
            trades: Vec::new(),
            detected: 0,
            abandoned: 0,
            rejections: BTreeMap::new(),
        }
    }

    /// The registry factory.
    pub fn from_params(p: &Params) -> Result<Box<dyn Strategy>, ParamError> {
        Ok(Box::new(Self::new(Config::from_params(p)?)))
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Where the strategy is.
    pub fn state(&self) -> State {
        self.state
    }

    /// Every trade so far, in order.
    pub fn trades(&self) -> &[TradeRecord] {
        &self.trades
    }

    /// A few lines: cascades detected and abandoned, refused orders by reason, then every
    /// trade.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "{NAME}: state={} cascades={} abandoned={} trades={} rejections=[{}]",
            self.state,
            self.detected,
            self.abandoned,
            self.trades.len(),
            counts(&self.rejections)
        );
        for t in &self.trades {
            out.push_str(&format!("\n  {t}"));
        }
        out
    }

    /// The long-liquidation notional over `window_s` and over `rate_window_s`, at `now`.
    fn liquidation_sums(&self, now: Ts) -> (Money, Money) {
        (
            Money::from_raw(self.liq_window.sum_at(now)[0]),
            Money::from_raw(self.liq_rate.sum_at(now)[0]),
        )
    }

    /// One step of detection and exhaustion, after an event of the signal or traded
    /// instrument.
    fn step(&mut self, now: Ts, ctx: &mut Ctx<'_>) {
        let signal = self.signal.expect("resolved in on_start");
        let traded = self.traded.expect("resolved in on_start");
        let Some(price) = ctx.instrument(signal).last_price() else {
            return;
        };
        let trade_price = ctx.instrument(traded).last_price();
        let (liq, liq_rate) = self.liquidation_sums(now);
        match self.state {
            State::Cooldown(until) if now >= until => self.state = State::Watching,
            State::Watching => {
                let then = self
                    .prices
                    .at(now.plus_nanos(-i64::from(self.cfg.window_s) * NS_PER_SEC));
                let fell = then.is_some_and(|p0| {
                    Rate::ratio((price - p0).raw(), p0.raw(), Rounding::HalfEven)
                        .is_some_and(|change| change < -self.cfg.drop)
                });
                if liq >= self.cfg.liq_threshold && fell {
                    self.detected += 1;
                    self.state = State::InCascade(Cascade {
                        detected: now,
                        low: price,
                        low_ts: now,
                        trade_low: trade_price.unwrap_or(price),
                        peak_rate: liq_rate,
                    });
                }
            }
            State::InCascade(mut c) => {
                if price < c.low {
                    c.low = price;
                    c.low_ts = now;
                }
                if let Some(p) = trade_price {
                    c.trade_low = c.trade_low.min_of(p);
                }
                c.peak_rate = c.peak_rate.max_of(liq_rate);
                let waited = now.nanos() - c.detected.nanos();
                let calm = now.nanos() - c.low_ts.nanos();
                let quiet = liq_rate <= c.peak_rate.mul_rate(self.cfg.exhaustion, Rounding::Down);
                self.state = State::InCascade(c);
                if quiet && calm >= i64::from(self.cfg.calm_s) * NS_PER_SEC {
                    self.enter(c, ctx);
                } else if waited > i64::from(self.cfg.max_wait_s) * NS_PER_SEC {
                    self.abandon(now);
                }
            }
            _ => {}
        }
    }

    /// Lets a cascade go. Cooling down first keeps the same liquidations, still in the
    /// window, from detecting it again at the next event.
    fn abandon(&mut self, now: Ts) {
        self.abandoned += 1;
        self.state = State::Cooldown(now.plus_nanos(i64::from(self.cfg.cooldown_s) * NS_PER_SEC));
    }

    fn enter(&mut self, c: Cascade, ctx: &mut Ctx<'_>) {
        let i = self.traded.expect("resolved in on_start");
        let state = ctx.instrument(i);
        let Some(price) = buy_price(state) else {
            return;
        };
        let lot = state.spec.lot;
        let account = ctx.account();
        let buffer = self.cfg.buffer;
        let qty = match self.cfg.trade {
            TradeOn::Perp => {
                let margin = account
                    .equity
                    .mul_rate(self.cfg.fraction, Rounding::Down)
                    .min_of(account.futures.available)
                    .max_of(Money::ZERO);
                let notional = notional_for(margin, self.cfg.leverage, buffer);
                qty_for_instrument(&state.spec, notional, price)
            }
            TradeOn::Spot => {
                let movable = account
                    .futures
                    .available
                    .min_of(account.futures.balance)
                    .max_of(Money::ZERO);
                let have = account.spot_quote.max_of(Money::ZERO);
                let spend = (have + movable).mul_rate(self.cfg.fraction, Rounding::Down);
                let qty = qty_for(notional_for(spend, 1, buffer), price, lot);
                let transfer = (spend - have).max_of(Money::ZERO).min_of(movable);
                if qty.is_positive() && transfer.is_positive() {
                    ctx.transfer(Wallet::Futures, Wallet::Spot, transfer);
                }
                qty
            }
        };
        if !qty.is_positive() {
            // Nothing to buy with: let the cascade go.
            self.abandon(ctx.now());
            return;
        }
        if self.cfg.trade == TradeOn::Perp {
            ctx.set_leverage(i, self.cfg.leverage);
        }
        let id = ctx.place(OrderRequest::market(i, Side::Buy, qty));
        self.state = State::Entering(c, id);
    }

    /// The entry filled: rest the stop and the take-profit, set the time exit.
    fn arm_exits(&mut self, c: Cascade, fill: &FillInfo, ctx: &mut Ctx<'_>) {
        let i = fill.instrument;
        let tick = ctx.instrument(i).spec.tick;
        let stop = round_price(
            c.trade_low
                .mul_rate(Rate::ONE - self.cfg.stop_buffer, Rounding::Down),
            tick,
            Rounding::Down,
        );
        let tp = round_price(
            fill.price
                .mul_rate(Rate::ONE + self.cfg.take_profit, Rounding::Up),
            tick,
            Rounding::Up,
        );
        let qty = fill.qty;
        let perp = self.cfg.trade == TradeOn::Perp;
        let reduce = |o: OrderRequest| if perp { o.reduce_only() } else { o };
        let stop_id = if stop.is_positive() {
            ctx.place(reduce(OrderRequest::stop_market(i, Side::Sell, qty, stop)))
        } else {
            0
        };
        let tp_id = ctx.place(reduce(OrderRequest::limit(i, Side::Sell, qty, tp)));
        self.exits = [stop_id, tp_id];
        let n = self.trades.len() as u64;
        ctx.set_timer(
            ctx.now()
                .plus_nanos(i64::from(self.cfg.max_hold_s) * NS_PER_SEC),
            n,
        );
        self.trades.push(TradeRecord {
            detected: c.detected,
            cascade_low: c.trade_low,
            entry_ts: ctx.now(),
            qty,
            entry_price: fill.price,
            stop,
            take_profit: tp,
            exit_qty: Qty::ZERO,
            exit_notional: Money::ZERO,
            exit_ts: None,
            reason: "open",
        });
    }

    /// Sells what is held at market and cancels the resting exits.
    fn close_now(&mut self, ctx: &mut Ctx<'_>) {
        let i = self.traded.expect("resolved in on_start");
        ctx.cancel_all(i);
        let lot = ctx.instrument(i).spec.lot;
        let q = Qty::from_raw(self.held.raw().max(0) / lot.raw() * lot.raw());
        if q.is_positive() {
            let order = OrderRequest::market(i, Side::Sell, q);
            ctx.place(if self.cfg.trade == TradeOn::Perp {
                order.reduce_only()
            } else {
                order
            });
        }
    }

    /// `qty` of the position is gone (sold, liquidated, ADL'd); when none is left, the trade
    /// is over.
    fn reduced(&mut self, qty: Qty, price: Price, reason: &'static str, ctx: &mut Ctx<'_>) {
        self.held = (self.held - qty).max_of(Qty::ZERO);
        let now = ctx.now();
        if let Some(t) = self.trades.last_mut() {
            t.exit_qty += qty;
            t.exit_notional += price.notional(qty, Rounding::HalfEven);
            if self.held.is_zero() {
                t.exit_ts = Some(now);
                t.reason = reason;
            }
        }
        if self.held.is_zero() && self.state == State::InTrade {
            let i = self.traded.expect("resolved in on_start");
            ctx.cancel_all(i);
            self.exits = [0; 2];
            self.closing = None;
            self.state =
                State::Cooldown(now.plus_nanos(i64::from(self.cfg.cooldown_s) * NS_PER_SEC));
        }
    }
}

/// `InsufficientMargin 2, NoMarket 1`: counts by name, in name order.
fn counts(map: &BTreeMap<String, u64>) -> String {
    map.iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `price` rounded to a multiple of `tick`, down or up.
fn round_price(price: Price, tick: Price, rounding: Rounding) -> Price {
    let t = tick.raw();
    assert!(t > 0, "an instrument's tick is positive");
    let down = price.raw().div_euclid(t) * t;
    match rounding {
        Rounding::Up if down != price.raw() => Price::from_raw(down + t),
        _ => Price::from_raw(down),
    }
}

impl Strategy for CascadeFade {
    fn on_start(&mut self, ctx: &mut Ctx<'_>) -> Result<(), ParamError> {
        let market = ctx.market();
        let signal = select_perp(market, self.cfg.signal.as_deref(), None).ok_or_else(|| {
            ParamError::rejected(
                "signal",
                match &self.cfg.signal {
                    Some(s) => format!("the run has no perpetual with symbol {s:?}"),
                    None => "the run has no perpetual to watch".to_string(),
                },
            )
        })?;
        let traded = match self.cfg.trade {
            TradeOn::Perp => signal,
            TradeOn::Spot => {
                let base = market[signal].spec.base.as_str();
                match &self.cfg.spot {
                    Some(sym) => select_instrument(market, InstrumentKind::Spot, Some(sym), None),
                    None => select_instrument(market, InstrumentKind::Spot, None, Some(base)),
                }
                .ok_or_else(|| {
                    ParamError::rejected(
                        "spot",
                        match &self.cfg.spot {
                            Some(s) => format!("the run has no spot instrument with symbol {s:?}"),
                            None => format!(
                                "trade = \"spot\" needs a spot instrument of {base}; the run has none"
                            ),
                        },
                    )
                })?
            }
        };
        self.signal = Some(signal);
        self.traded = Some(traded);
        Ok(())
    }

    fn on_event(&mut self, event: &Event, ctx: &mut Ctx<'_>) {
        let (Some(signal), Some(traded)) = (self.signal, self.traded) else {
            return;
        };
        if event.instrument == signal {
            match event.body {
                EventBody::Liquidation(l) if l.side == Side::Sell => {
                    // A forced sell: a long liquidated.
                    let notional = l.price.notional(l.qty, Rounding::HalfEven).raw();
                    self.liq_window.add(event.ts, [notional]);
                    self.liq_rate.add(event.ts, [notional]);
                }
                _ => {
                    if let Some(p) = ctx.instrument(signal).last_price() {
                        self.prices.record(event.ts, p);
                    }
                }
            }
        } else if event.instrument != traded {
            return;
        }
        self.step(ctx.now(), ctx);
    }

    fn on_output(&mut self, output: &Output, ctx: &mut Ctx<'_>) {
        if let Some(reason) = cascade_strategy::leverage_refused(output) {
            let key = format!(
                "SetLeverage {}x: {reason:?} (above the venue's maximum)",
                self.cfg.leverage
            );
            *self.rejections.entry(key).or_insert(0) += 1;
        }
        if let Output::Rejected {
            client_id, reason, ..
        } = *output
        {
            match self.state {
                State::Entering(_, id) if id == client_id => {
                    *self.rejections.entry(format!("{reason:?}")).or_insert(0) += 1;
                    self.state = State::Watching;
                }
                State::InTrade if client_id != 0 && self.exits.contains(&client_id) => {
                    // An exit could not rest: do not hold a position without it.
                    *self.rejections.entry(format!("{reason:?}")).or_insert(0) += 1;
                    if self.closing.is_none() {
                        self.closing = Some("exit-refused");
                        self.close_now(ctx);
                    }
                }
                _ => {}
            }
        }
        dispatch_output(self, output, ctx);
    }

    fn on_fill(&mut self, fill: &FillInfo, ctx: &mut Ctx<'_>) {
        if Some(fill.instrument) != self.traded {
            return;
        }
        match (self.state, fill.side) {
            (State::Entering(c, _), Side::Buy) => {
                self.held += fill.qty;
                self.state = State::InTrade;
                self.arm_exits(c, fill, ctx);
            }
            (State::InTrade, Side::Sell) => {
                let reason = if let Some(why) = self.closing {
                    why
                } else if self
                    .trades
                    .last()
                    .is_some_and(|t| fill.price >= t.take_profit)
                {
                    "take-profit"
                } else {
                    "stop"
                };
                self.reduced(fill.qty, fill.price, reason, ctx);
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, id: u64, ctx: &mut Ctx<'_>) {
        // Only the current trade's timer counts; an older one outlived its trade.
        if self.state == State::InTrade && id + 1 == self.trades.len() as u64 {
            self.closing = Some("time");
            self.close_now(ctx);
        }
    }

    fn on_liquidation(&mut self, l: &LiquidationInfo, ctx: &mut Ctx<'_>) {
        if Some(l.instrument) == self.traded && self.state == State::InTrade {
            self.reduced(l.qty, l.price, "liquidation", ctx);
        }
    }

    fn on_adl(&mut self, adl: &AdlInfo, ctx: &mut Ctx<'_>) {
        if Some(adl.instrument) == self.traded
            && adl.victim == ctx.account().id
            && self.state == State::InTrade
        {
            self.reduced(adl.qty, adl.price, "adl", ctx);
        }
    }

    fn on_finish(&mut self, _ctx: &Ctx<'_>) {
        if self.cfg.log_summary {
            eprintln!("{}", self.summary());
        }
    }

    fn notes(&self) -> Vec<Note> {
        let mut notes = vec![Note::new(
            "state",
            format!(
                "ended {}; {} cascade(s) detected, {} abandoned, {} trade(s)",
                self.state,
                self.detected,
                self.abandoned,
                self.trades.len()
            ),
        )];
        notes.extend(Note::capped(
            "trade",
            self.trades.iter().map(|t| t.to_string()),
            6,
        ));
        if !self.rejections.is_empty() {
            notes.push(Note::new("rejected", counts(&self.rejections)));
        }
        notes
    }
}

#[cfg(test)]
mod tests;
