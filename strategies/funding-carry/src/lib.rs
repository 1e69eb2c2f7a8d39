//! `funding-carry`: delta-neutral long spot / short perpetual, collecting funding — and
//! exposed to the auto-deleveraging of its profitable short leg in a crash.
//!
//! At the first moment both instruments have a price it:
//!
//! 1. moves the quote currency the spot leg needs from the futures wallet (where the deposit
//!    starts) to the spot wallet, keeping the rest there as the short's margin;
//! 2. sets the perpetual's `leverage`;
//! 3. buys spot and shorts the **same base quantity** on the perpetual, at market.
//!
//! With equity `E` deployed (`fraction` of it) and leverage `L`, each leg's notional is
//! `N = E·L / (L + 1 + 2·b·L)`: `N·(1 + b)` buys the spot and `N/L + N·b` margins the short,
//! where `b` is the `buffer` share of the notional held back for the taker fee, slippage and
//! the gap between fill and mark. The quantity is rounded down to a multiple of both
//! instruments' lots.
//!
//! Then it holds, collecting (or paying) funding on the short, and every `check_s` seconds
//! compares the legs in the account view: when they differ by more than
//! `rebalance_tolerance` of the spot leg, it trades the perpetual back to the spot quantity.
//! A refused entry leg is unwound (whatever filled is closed) and the entry retried; refused
//! orders are retried at most `max_attempts` times in a row, then the strategy stops trying
//! and its state says what it was left with.
//!
//! **When the short leg is closed by the exchange** — auto-deleveraged as the profitable
//! side while the crash bankrupts longs ([`Strategy::on_adl`]), or liquidated in a squeeze
//! ([`Strategy::on_liquidation`]) — the strategy is left **naked long** the spot it still
//! holds. It records that ([`State::NakedLong`], [`Counters`]: events, quantities, the
//! largest naked quantity and since when) and follows `after_adl`:
//!
//! - `hold`: stays naked long (what many "delta-neutral" traders were left with on
//!   2025-10-10); rebalancing stops, so the exposure shows in the results;
//! - `reopen`: shorts the lost quantity again at market, back to delta-neutral;
//! - `flatten`: sells the spot that is no longer hedged, back to delta-neutral at a smaller
//!   size (flat if the whole short went).
//!
//! [`FundingCarry::summary`] says all of it (printed to stderr at the end of the run with
//! `log_summary = true`); its run notes ([`Strategy::notes`]: `state`, `hedge`, `funding`,
//! `event`) say it in the run's manifest, report and scorecard.
//!
//! # Example
//!
//! ```
//! use cascade_strategy::{Params, Registry};
//!
//! let mut registry = Registry::new();
//! cascade_strategy_funding_carry::register(&mut registry);
//! let params = Params::new().with_overrides(["after_adl=reopen", "leverage=3"]).unwrap();
//! assert!(registry.create("funding-carry", &params).is_ok());
//! ```

mod config;
pub use config::{AfterAdl, Config, PARAMS};

use cascade_strategy::prelude::*;
use cascade_strategy::sizing::{
    buy_price, qty_for, round_down_to_lot, select_instrument, select_perp, sell_price,
};
use cascade_strategy::types::{
    Event, InstrumentId, InstrumentKind, Money, OrderRequest, Output, Qty, Rate, Rounding, Side,
    Ts, Wallet,
};
use cascade_strategy::{dispatch_output, Registry, Strategy};
use std::fmt;

/// The name the strategy is registered under.
pub const NAME: &str = "funding-carry";

const NS_PER_SEC: i64 = Ts::NANOS_PER_SEC;

/// Registers [`FundingCarry`] as `funding-carry`.
pub fn register(registry: &mut Registry) {
    registry.register(
        NAME,
        "delta-neutral long spot / short perp collecting funding; policy for an ADL'd short leg",
        FundingCarry::from_params,
    );
}

/// Where the carry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Waiting for both prices.
    Idle,
    /// The entry orders are on their way.
    Entering,
    /// Long spot, short the same quantity on the perpetual.
    Hedged,
    /// The short leg was (partly) closed by the exchange and `after_adl = hold`: long
    /// [`FundingCarry::naked`] spot without a hedge.
    NakedLong,
    /// Restoring the hedge after the short leg was closed (`reopen` or `flatten` in flight).
    Restoring,
    /// An entry leg was refused: closing whatever filled before trying again.
    Unwinding,
    /// Rebalancing was refused `max_attempts` times in a row with the short larger than the
    /// spot leg: left as it is.
    Unbalanced,
    /// Nothing held: flattened completely.
    Flat,
    /// Every entry attempt failed.
    GaveUp,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            State::Idle => "idle",
            State::Entering => "entering",
            State::Hedged => "hedged",
            State::NakedLong => "naked-long",
            State::Restoring => "restoring",
            State::Unwinding => "unwinding",
            State::Unbalanced => "unbalanced",
            State::Flat => "flat",
            State::GaveUp => "gave-up",
        })
    }
}

/// What happened to the carry, for the report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Funding received on the short (paid counts negative), in quote currency.
    pub funding_received: Money,
    /// Funding settlements seen.
    pub funding_payments: u64,
    /// Auto-deleveragings of the short leg.
    pub adl_events: u64,
    /// Quantity of the short leg closed by ADL.
    pub adl_qty: Qty,
    /// Liquidation steps of the short leg.
    pub liquidations: u64,
    /// Quantity of the short leg closed by liquidation.
    pub liquidated_qty: Qty,
    /// The largest unhedged spot quantity.
    pub naked_max: Qty,
    /// When the strategy was first left naked long.
    pub naked_since: Option<Ts>,
    /// Quantity re-shorted under `reopen`.
    pub reopened: Qty,
    /// Spot quantity sold under `flatten`.
    pub flattened: Qty,
    /// Rebalancing trades of the perpetual leg.
    pub rebalances: u64,
    /// Orders the exchange refused.
    pub rejections: u64,
}

/// The carry. See the crate documentation.
#[derive(Clone, Debug)]
pub struct FundingCarry {
    cfg: Config,
    perp: Option<InstrumentId>,
    spot: Option<InstrumentId>,
    state: State,
    attempts: u32,
    restore_attempts: u32,
    unwind_attempts: u32,
    rebalance_refusals: u32,
    next_check: Option<Ts>,
    /// Orders in flight (client ids): entry legs, rebalances, restores.
    pending: Vec<u64>,
    /// Spot held without a hedge since the exchange closed (part of) the short.
    naked: Qty,
    counters: Counters,
    events: Vec<String>,
}

impl FundingCarry {
    /// A carry with these settings (checked by [`Config::from_params`]).
    pub fn new(cfg: Config) -> Self {
        FundingCarry {
            cfg,
            perp: None,
            spot: None,
            state: State::Idle,
            attempts: 0,
            restore_attempts: 0,
            unwind_attempts: 0,
            rebalance_refusals: 0,
            next_check: None,
            pending: Vec::with_capacity(4),
            naked: Qty::ZERO,
            counters: Counters::default(),
            events: Vec::new(),
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

    /// Where the carry is.
    pub fn state(&self) -> State {
        self.state
    }

    /// Spot held without a hedge (zero while delta-neutral).
    pub fn naked(&self) -> Qty {
        self.naked
    }

    /// The counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// What happened to the hedge, one line per event (ADL, liquidation, restore, rebalance).
    pub fn events(&self) -> &[String] {
        &self.events
    }

    /// A few lines: state, naked quantity, funding, ADL and liquidation of the short leg,
    /// the policy and what it did, then the events.
    pub fn summary(&self) -> String {
        let c = &self.counters;
        let since = c.naked_since.map_or("-".to_string(), |t| t.to_string());
        let mut out = format!(
            "{NAME}: state={} naked={} (max {}, since {since}) after_adl={} funding_received={} \
             ({} payments) adl={} ({} events) liquidated={} ({} steps) reopened={} flattened={} \
             rebalances={} rejections={}",
            self.state,
            self.naked,
            c.naked_max,
            self.cfg.after_adl,
            c.funding_received,
            c.funding_payments,
            c.adl_qty,
            c.adl_events,
            c.liquidated_qty,
            c.liquidations,
            c.reopened,
            c.flattened,
            c.rebalances,
            c.rejections,
        );
        for e in &self.events {
            out.push_str("\n  ");
            out.push_str(e);
        }
        out
    }

    fn legs(&self) -> Option<(InstrumentId, InstrumentId)> {
        Some((self.perp?, self.spot?))
    }

    fn enter(&mut self, ctx: &mut Ctx<'_>) {
        let Some((perp, spot)) = self.legs() else {
            return;
        };
        let (ps, ss) = (ctx.instrument(perp), ctx.instrument(spot));
        if ps.spec.kind == InstrumentKind::InversePerp {
            // On a coin-margined venue the carry is a short of contracts against the coin
            // margin itself, with no spot leg: another trade than the one built here.
            self.events.push(format!(
                "{}: no entry: {} is an inverse perpetual margined in {}; the carry there is a \
                 short against the coin margin with no spot leg, which this strategy does not \
                 implement",
                ctx.now(),
                ps.spec.symbol,
                ps.spec.base
            ));
            self.state = State::GaveUp;
            return;
        }
        let (Some(spot_px), Some(perp_px)) = (buy_price(ss), sell_price(ps)) else {
            return; // not both prices yet
        };
        let Some(lot) = common_lot(ps.spec.lot, ss.spec.lot) else {
            self.events
                .push("the two lots have no common multiple in range: no entry".to_string());
            self.state = State::GaveUp;
            return;
        };
        let account = ctx.account();
        let lev = i64::from(self.cfg.leverage);
        let deploy = account
            .equity
            .mul_rate(self.cfg.fraction, Rounding::Down)
            .min_of(account.futures.available + account.spot_quote)
            .max_of(Money::ZERO);
        // Each leg's notional N: the spot leg costs N·(1 + b), the short needs N/L + N·b
        // (margin, then fee, slippage and the fill-to-mark gap), so N = E·L / (L + 1 + 2·b·L).
        let one = Rate::ONE.raw();
        let leg = deploy
            .mul_div(
                lev * one,
                (lev + 1) * one + 2 * self.cfg.buffer.raw() * lev,
                Rounding::Down,
            )
            .unwrap_or(Money::ZERO);
        let qty = qty_for(leg, spot_px.max_of(perp_px), lot);
        self.attempts += 1;
        if !qty.is_positive() {
            self.events.push(format!(
                "{}: budget below one lot ({lot}): no entry",
                ctx.now()
            ));
            self.state = State::GaveUp;
            return;
        }
        // The spot leg's cost with the buffer on top, from the spot wallet first.
        let spot_cost = spot_px
            .notional(qty, Rounding::Up)
            .mul_rate(Rate::ONE + self.cfg.buffer, Rounding::Up);
        let movable = account
            .futures
            .available
            .min_of(account.futures.balance)
            .max_of(Money::ZERO);
        let transfer = (spot_cost - account.spot_quote.max_of(Money::ZERO))
            .max_of(Money::ZERO)
            .min_of(movable);
        if transfer.is_positive() {
            ctx.transfer(Wallet::Futures, Wallet::Spot, transfer);
        }
        ctx.set_leverage(perp, self.cfg.leverage);
        let a = ctx.place(OrderRequest::market(spot, Side::Buy, qty));
        let b = ctx.place(OrderRequest::market(perp, Side::Sell, qty));
        self.pending.clear();
        self.pending.extend([a, b]);
        self.state = State::Entering;
    }

    /// The legs as the account view shows them: (spot held, short size).
    fn view_legs(&self, ctx: &Ctx<'_>) -> (Qty, Qty) {
        let (perp, spot) = self.legs().expect("resolved in on_start");
        let long = ctx.position(spot).qty.max_of(Qty::ZERO);
        let short = (-ctx.position(perp).qty).max_of(Qty::ZERO);
        (long, short)
    }

    /// The periodic check: retries a pending entry, unwinds a failed one, or aligns the short
    /// to the spot leg when they drift apart.
    fn check(&mut self, ctx: &mut Ctx<'_>) {
        if !self.pending.is_empty() {
            return; // wait for what is in flight
        }
        match self.state {
            State::Idle => self.enter(ctx),
            State::Unwinding => self.unwind(ctx),
            State::Hedged => self.rebalance(ctx),
            _ => {}
        }
    }

    /// After a refused entry leg: closes whatever filled, then retries the entry (or gives
    /// up after `max_attempts`).
    fn unwind(&mut self, ctx: &mut Ctx<'_>) {
        let (perp, spot) = self.legs().expect("resolved in on_start");
        let (long, short) = self.view_legs(ctx);
        let sellable = round_down_to_lot(long, ctx.instrument(spot).spec.lot);
        if sellable.is_zero() && short.is_zero() {
            if self.attempts < self.cfg.max_attempts {
                self.state = State::Idle;
                self.enter(ctx);
            } else {
                self.state = State::GaveUp;
            }
            return;
        }
        if self.unwind_attempts >= self.cfg.max_attempts {
            self.state = State::GaveUp;
            self.events.push(format!(
                "{}: could not unwind the failed entry: spot {long}, short {short} left",
                ctx.now()
            ));
            return;
        }
        self.unwind_attempts += 1;
        if sellable.is_positive() {
            self.pending
                .push(ctx.place(OrderRequest::market(spot, Side::Sell, sellable)));
        }
        if short.is_positive() {
            self.pending
                .push(ctx.place(OrderRequest::market(perp, Side::Buy, short).reduce_only()));
        }
        self.events.push(format!(
            "{}: unwinding the failed entry: spot {long}, short {short}",
            ctx.now()
        ));
    }

    /// While hedged: trades the perpetual back to the spot quantity when the legs drift
    /// apart by more than the tolerance.
    fn rebalance(&mut self, ctx: &mut Ctx<'_>) {
        let (perp, _) = self.legs().expect("resolved in on_start");
        let (long, short) = self.view_legs(ctx);
        if long.is_zero() && short.is_zero() {
            self.state = State::Flat;
            return;
        }
        let drift = long - short;
        let allowed = long.mul_rate(self.cfg.rebalance_tolerance, Rounding::Down);
        if drift.abs() <= allowed {
            return;
        }
        let lot = ctx.instrument(perp).spec.lot;
        let q = round_down_to_lot(drift.abs(), lot);
        if q.is_zero() {
            return;
        }
        let order = if drift.is_positive() {
            OrderRequest::market(perp, Side::Sell, q)
        } else {
            OrderRequest::market(perp, Side::Buy, q).reduce_only()
        };
        self.pending.push(ctx.place(order));
        self.counters.rebalances += 1;
        self.events.push(format!(
            "{}: legs drifted (spot {long}, short {short}): {} {q} perp",
            ctx.now(),
            order.side
        ));
    }

    /// A rebalance was refused `max_attempts` times in a row: stop trying, and say what the
    /// legs are left as.
    fn give_up_rebalancing(&mut self, ctx: &Ctx<'_>) {
        let now = ctx.now();
        let (long, short) = self.view_legs(ctx);
        if long > short {
            self.naked = long - short;
            self.counters.naked_max = self.counters.naked_max.max_of(self.naked);
            self.counters.naked_since.get_or_insert(now);
            self.state = State::NakedLong;
        } else {
            self.state = State::Unbalanced;
        }
        self.events.push(format!(
            "{now}: rebalancing refused {} times: spot {long}, short {short} left as they are",
            self.cfg.max_attempts
        ));
    }

    /// The exchange closed `qty` of the short leg.
    fn lost_hedge(&mut self, qty: Qty, cause: &str, ctx: &mut Ctx<'_>) {
        let now = ctx.now();
        let (long, _) = self.view_legs(ctx);
        // Never more naked than the spot actually held.
        self.naked = (self.naked + qty).min_of(long);
        self.counters.naked_max = self.counters.naked_max.max_of(self.naked);
        self.counters.naked_since.get_or_insert(now);
        self.events.push(format!(
            "{now}: {cause} closed {qty} of the short leg: naked long {} (after_adl = {})",
            self.naked, self.cfg.after_adl
        ));
        match self.cfg.after_adl {
            AfterAdl::Hold => {
                if self.naked.is_positive() {
                    self.state = State::NakedLong;
                }
            }
            AfterAdl::Reopen | AfterAdl::Flatten => {
                self.state = State::Restoring;
                self.restore_attempts = 0;
                self.restore(ctx);
            }
        }
    }

    /// Sends the order that restores delta-neutrality, unless one is in flight.
    fn restore(&mut self, ctx: &mut Ctx<'_>) {
        if !self.pending.is_empty() {
            return;
        }
        let (perp, spot) = self.legs().expect("resolved in on_start");
        let (i, side) = match self.cfg.after_adl {
            AfterAdl::Reopen => (perp, Side::Sell),
            AfterAdl::Flatten => (spot, Side::Sell),
            AfterAdl::Hold => return,
        };
        let q = round_down_to_lot(self.naked, ctx.instrument(i).spec.lot);
        if q.is_zero() {
            self.finish_restore(ctx);
            return;
        }
        self.restore_attempts += 1;
        self.pending
            .push(ctx.place(OrderRequest::market(i, side, q)));
    }

    /// Done restoring: hedged, or flat when nothing is left.
    fn finish_restore(&mut self, ctx: &Ctx<'_>) {
        self.naked = Qty::ZERO;
        let (long, short) = self.view_legs(ctx);
        self.state = if long.is_zero() && short.is_zero() {
            State::Flat
        } else {
            State::Hedged
        };
    }
}

/// The smallest quantity that is a whole number of both lots (their least common multiple).
fn common_lot(a: Qty, b: Qty) -> Option<Qty> {
    let (x, y) = (a.raw(), b.raw());
    assert!(x > 0 && y > 0, "lots are positive");
    let (mut m, mut n) = (x, y);
    while n != 0 {
        (m, n) = (n, m % n);
    }
    (x / m).checked_mul(y).map(Qty::from_raw)
}

impl Strategy for FundingCarry {
    fn on_start(&mut self, ctx: &mut Ctx<'_>) -> Result<(), ParamError> {
        let market = ctx.market();
        let perp = select_perp(market, self.cfg.perp.as_deref(), None).ok_or_else(|| {
            ParamError::rejected(
                "perp",
                match &self.cfg.perp {
                    Some(s) => format!("the run has no perpetual with symbol {s:?}"),
                    None => "the run has no perpetual to short".to_string(),
                },
            )
        })?;
        let base = market[perp].spec.base.as_str();
        let spot = match &self.cfg.spot {
            Some(sym) => select_instrument(market, InstrumentKind::Spot, Some(sym), None),
            None => select_instrument(market, InstrumentKind::Spot, None, Some(base)),
        }
        .ok_or_else(|| {
            ParamError::rejected(
                "spot",
                match &self.cfg.spot {
                    Some(s) => format!("the run has no spot instrument with symbol {s:?}"),
                    None => {
                        format!("the carry needs a spot instrument of {base}; the run has none")
                    }
                },
            )
        })?;
        self.perp = Some(perp);
        self.spot = Some(spot);
        Ok(())
    }

    fn on_event(&mut self, event: &Event, ctx: &mut Ctx<'_>) {
        let Some((perp, spot)) = self.legs() else {
            return;
        };
        if event.instrument != perp && event.instrument != spot {
            return;
        }
        if self.state == State::Idle && self.pending.is_empty() && self.attempts == 0 {
            // The first entry goes out as soon as both prices are known.
            self.enter(ctx);
        }
        let now = ctx.now();
        if self.next_check.is_some_and(|t| now < t) {
            return;
        }
        let step = i64::from(self.cfg.check_s) * NS_PER_SEC;
        let first = self.next_check.is_none();
        self.next_check = Some(Ts::from_nanos((now.nanos().div_euclid(step) + 1) * step));
        if !first {
            self.check(ctx);
        }
    }

    fn on_output(&mut self, output: &Output, ctx: &mut Ctx<'_>) {
        if let Some(reason) = cascade_strategy::leverage_refused(output) {
            self.events.push(format!(
                "{}: SetLeverage {}x refused ({reason:?}: above the venue's maximum)",
                ctx.now(),
                self.cfg.leverage
            ));
        }
        if let Output::Rejected {
            client_id, reason, ..
        } = *output
        {
            if let Some(k) = self.pending.iter().position(|&id| id == client_id) {
                self.pending.swap_remove(k);
                self.counters.rejections += 1;
                self.events
                    .push(format!("{}: order refused ({reason:?})", ctx.now()));
                match self.state {
                    // One leg refused: the other has filled or will in the same step (market
                    // orders execute on arrival). The periodic check then closes whatever
                    // filled and retries the entry.
                    State::Entering => {
                        self.pending.clear();
                        self.unwind_attempts = 0;
                        self.state = State::Unwinding;
                    }
                    // A rebalance refused: the next check tries again, `max_attempts` times
                    // in a row at most.
                    State::Hedged => {
                        self.rebalance_refusals += 1;
                        if self.rebalance_refusals >= self.cfg.max_attempts {
                            self.give_up_rebalancing(ctx);
                        }
                    }
                    // A restore refused: try again, at most `max_attempts` times in a row;
                    // then the carry stays naked long.
                    State::Restoring if self.restore_attempts < self.cfg.max_attempts => {
                        self.restore(ctx)
                    }
                    State::Restoring => {
                        self.state = State::NakedLong;
                        self.events.push(format!(
                            "{}: could not restore the hedge: naked long {}",
                            ctx.now(),
                            self.naked
                        ));
                    }
                    _ => {}
                }
            }
        }
        dispatch_output(self, output, ctx);
    }

    fn on_fill(&mut self, fill: &FillInfo, ctx: &mut Ctx<'_>) {
        let Some((perp, spot)) = self.legs() else {
            return;
        };
        match self.state {
            State::Entering => {
                // Market orders fill completely (the exchange walks the book and beyond),
                // so each leg has one fill; both in, the carry is on.
                let (long, short) = self.view_legs(ctx);
                if long.is_positive() && short.is_positive() {
                    self.pending.clear();
                    self.state = State::Hedged;
                }
            }
            State::Restoring => {
                let restoring = match self.cfg.after_adl {
                    AfterAdl::Reopen => fill.instrument == perp && fill.side == Side::Sell,
                    AfterAdl::Flatten => fill.instrument == spot && fill.side == Side::Sell,
                    AfterAdl::Hold => false,
                };
                self.pending.clear();
                if restoring {
                    self.restore_attempts = 0;
                    match self.cfg.after_adl {
                        AfterAdl::Reopen => self.counters.reopened += fill.qty,
                        _ => self.counters.flattened += fill.qty,
                    }
                    self.naked = (self.naked - fill.qty).max_of(Qty::ZERO);
                    self.events.push(format!(
                        "{}: {} {} {} ({}): naked long {}",
                        ctx.now(),
                        self.cfg.after_adl,
                        fill.side,
                        fill.qty,
                        if fill.instrument == perp {
                            "perp"
                        } else {
                            "spot"
                        },
                        self.naked
                    ));
                }
                // The next piece, or done.
                self.restore(ctx);
            }
            _ => {
                // A rebalance or an unwinding order filled.
                self.pending.clear();
                self.rebalance_refusals = 0;
            }
        }
    }

    fn on_funding(&mut self, funding: &FundingInfo, _ctx: &mut Ctx<'_>) {
        if Some(funding.instrument) == self.perp {
            // `amount` > 0 is paid; a short receives when funding is positive.
            self.counters.funding_received -= funding.amount;
            self.counters.funding_payments += 1;
        }
    }

    fn on_liquidation(&mut self, l: &LiquidationInfo, ctx: &mut Ctx<'_>) {
        if Some(l.instrument) != self.perp {
            return;
        }
        self.counters.liquidations += 1;
        self.counters.liquidated_qty += l.qty;
        if l.side == Side::Buy {
            // A forced buy closes (part of) the short.
            self.lost_hedge(l.qty, "liquidation", ctx);
        }
    }

    fn on_adl(&mut self, adl: &AdlInfo, ctx: &mut Ctx<'_>) {
        if Some(adl.instrument) != self.perp || adl.victim != ctx.account().id {
            return; // not ours, or we were the bankrupt side
        }
        self.counters.adl_events += 1;
        self.counters.adl_qty += adl.qty;
        if adl.side == Side::Buy {
            // The victim's closing trade is a buy: our short was closed.
            self.lost_hedge(adl.qty, "ADL", ctx);
        }
    }

    fn on_finish(&mut self, _ctx: &Ctx<'_>) {
        if self.cfg.log_summary {
            eprintln!("{}", self.summary());
        }
    }

    fn notes(&self) -> Vec<Note> {
        let c = &self.counters;
        let mut notes = vec![Note::new(
            "state",
            format!("ended {} (after_adl = {})", self.state, self.cfg.after_adl),
        )];
        notes.push(Note::new(
            "hedge",
            match c.naked_since {
                None if c.adl_events == 0 && c.liquidations == 0 => {
                    "the exchange never closed the short leg".to_string()
                }
                None => format!(
                    "the exchange closed {} of the short (ADL {} in {} event(s), liquidation {}) \
                     and it was restored at once",
                    c.adl_qty + c.liquidated_qty,
                    c.adl_qty,
                    c.adl_events,
                    c.liquidated_qty
                ),
                Some(since) => format!(
                    "left naked long from {since}: {} spot unhedged at the end (max {}); short \
                     closed by ADL {} in {} event(s), by liquidation {}; reopened {}, flattened {}",
                    self.naked,
                    c.naked_max,
                    c.adl_qty,
                    c.adl_events,
                    c.liquidated_qty,
                    c.reopened,
                    c.flattened
                ),
            },
        ));
        notes.push(Note::new(
            "funding",
            format!(
                "received {} over {} settlement(s); {} rebalance(s), {} rejection(s)",
                c.funding_received, c.funding_payments, c.rebalances, c.rejections
            ),
        ));
        notes.extend(Note::capped("event", self.events.iter().cloned(), 6));
        notes
    }
}

#[cfg(test)]
mod tests;
