//! `buy-and-hold`: the baselines every other strategy is scored against.
//!
//! - `mode = "spot"` moves the futures wallet's quote currency to the spot wallet and buys
//!   the spot instrument at market, 1x, at the first price it sees; then holds.
//! - `mode = "perp"` sets the perpetual's leverage (default 10), then goes long at market
//!   with `fraction` of the account's equity as initial margin; then holds, through
//!   liquidation if it comes (which is the point of the baseline).
//!
//! The notional is `margin·L / (1 + buffer·L)` (spot: `L = 1`): `buffer` of it is left over
//! for the taker fee, the slippage of the market order and the gap between fill and mark,
//! which the exchange model charges against the margin at once and this crate cannot see in
//! advance. Quantities are rounded down to the instrument's lot. A rejected entry is retried
//! at the next event, at most `max_attempts` times in all.
//!
//! # Example
//!
//! ```
//! use cascade_strategy::testing::Harness;
//! use cascade_strategy::types::*;
//! use cascade_strategy::{Params, Registry};
//!
//! let mut registry = Registry::new();
//! cascade_strategy_buy_and_hold::register(&mut registry);
//! let params = Params::new().with_overrides(["mode=perp", "leverage=5"]).unwrap();
//! let mut s = registry.create("buy-and-hold", &params).unwrap();
//!
//! let perp = InstrumentSpec::new("binance-um", "BTCUSDT", InstrumentKind::LinearPerp, "BTC", "USDT");
//! let mut h = Harness::new(&[perp]);
//! h.accounts[0].equity = Money::from_int(10_000);
//! h.accounts[0].futures.available = Money::from_int(10_000);
//! h.start(s.as_mut()).unwrap();
//! let trade = Event {
//!     ts: Ts::parse_utc("2025-10-10T12:00:00Z").unwrap(),
//!     instrument: InstrumentId(0),
//!     body: EventBody::Trade(Trade {
//!         price: "100000".parse().unwrap(),
//!         qty: Qty::ONE,
//!         aggressor: Side::Buy,
//!         trade_id: 1,
//!     }),
//! };
//! let cmds = h.event(s.as_mut(), &trade);
//! // Leverage first, then the order: 10,000 × 5 / (1 + 2 % × 5) / 100,000 = 0.45454545 BTC.
//! assert_eq!(cmds[0].command, Command::SetLeverage { instrument: InstrumentId(0), leverage: 5 });
//! let Command::Place(order) = cmds[1].command else { panic!() };
//! assert_eq!((order.side, order.qty), (Side::Buy, "0.45454545".parse().unwrap()));
//! ```

use cascade_strategy::prelude::*;
use cascade_strategy::sizing::{
    buy_price, coin_margined, notional_for, qty_for, qty_for_instrument, select_instrument,
    select_perp,
};
use cascade_strategy::spec::{Bound, ParamKind, ParamReader, ParamSpec};
use cascade_strategy::types::{
    Event, InstrumentId, InstrumentKind, Money, OrderRequest, Output, Qty, Rate, Rounding, Side,
    Wallet,
};
use cascade_strategy::{dispatch_output, Registry, Strategy};
use std::fmt;

/// The name the strategy is registered under.
pub const NAME: &str = "buy-and-hold";

/// The parameters [`BuyAndHold::from_params`] reads: names, types, defaults, ranges and
/// docs (the README's table is rendered from it).
pub const PARAMS: &[ParamSpec] = &[
    ParamSpec::new(
        "mode",
        ParamKind::choice(&["spot", "perp"], "spot"),
        "`\"spot\"` or `\"perp\"`",
        "what to buy",
    ),
    ParamSpec::new(
        "symbol",
        ParamKind::text("first instrument of the mode's kind"),
        "venue symbol",
        "the instrument to buy; matched together with the kind, so `BTCUSDT` spot and `BTCUSDT` perp are told apart",
    ),
    ParamSpec::new(
        "leverage",
        ParamKind::int(10, 1, u32::MAX),
        "≥ 1 (the venue's tier table caps it)",
        "leverage set before a perp entry (perp only)",
    )
    .expect("at least 1"),
    ParamSpec::new(
        "fraction",
        ParamKind::decimal("1", Bound::Excl("0"), Bound::Incl("1")),
        "share, (0, 1]",
        "share of equity used as margin (perp) or spent (spot)",
    )
    .expect("a share in (0, 1]"),
    ParamSpec::new(
        "buffer",
        ParamKind::decimal("0.02", Bound::Incl("0"), Bound::Excl("0.5")),
        "share of the notional, [0, 0.5)",
        "held back for the taker fee, slippage and the fill-to-mark gap: notional = margin·L / (1 + buffer·L)",
    )
    .expect("a share in [0, 0.5)"),
    ParamSpec::new(
        "max_attempts",
        ParamKind::int(3, 1, u32::MAX),
        "≥ 1",
        "entry attempts before giving up",
    )
    .expect("at least 1"),
    ParamSpec::new(
        "log_summary",
        ParamKind::bool(false),
        "",
        "print a one-line summary to stderr at the end of the run",
    ),
];

/// Registers [`BuyAndHold`] as `buy-and-hold`.
pub fn register(registry: &mut Registry) {
    registry.register(
        NAME,
        "baseline: buys spot 1x, or goes long the perp at a fixed leverage, and holds",
        BuyAndHold::from_params,
    );
}

/// What is bought and held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The spot instrument, 1x, paid from the spot wallet.
    Spot,
    /// A long position on the perpetual (linear, or inverse and margined in its coin) at a
    /// fixed leverage.
    Perp,
}

impl Mode {
    /// What the mode trades, for messages.
    fn wanted(self) -> &'static str {
        match self {
            Mode::Spot => "spot",
            Mode::Perp => "perpetual",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Mode::Spot => "spot",
            Mode::Perp => "perp",
        })
    }
}

/// The strategy's settings, as read from its parameters (see the crate's README for the
/// table).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Spot or perp.
    pub mode: Mode,
    /// The symbol of the instrument to buy; `None` picks the run's first instrument of the
    /// mode's kind.
    pub symbol: Option<String>,
    /// Leverage set on the perpetual before buying (perp mode only), at least 1.
    pub leverage: u32,
    /// Share of the account's equity used as margin (perp) or spent (spot), in (0, 1].
    pub fraction: Rate,
    /// Share of the notional held back for the taker fee, slippage and the fill-to-mark gap,
    /// in [0, 0.5): notional = margin·L / (1 + buffer·L).
    pub buffer: Rate,
    /// Entry attempts before giving up (a rejected order is retried at the next event).
    pub max_attempts: u32,
    /// Print a one-line summary to stderr when the run ends.
    pub log_summary: bool,
}

impl Default for Config {
    /// The declared defaults ([`PARAMS`]).
    fn default() -> Self {
        BuyAndHold::config_from_params(&Params::new()).expect("the declared defaults are valid")
    }
}

fn rate(s: &str) -> Rate {
    s.parse().expect("a valid rate literal")
}

/// Where the strategy is in its (short) life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// No position yet: the entry goes out at the next event with a price.
    Waiting,
    /// The entry order is on its way (client id).
    Entering(u64),
    /// Bought: holding until the end of the run.
    Holding,
    /// Gave up: every attempt was rejected, or the budget is below one lot.
    GaveUp,
    /// The exchange closed the whole position (liquidation or ADL); a baseline does not
    /// re-enter.
    ClosedByExchange,
}

/// Buys once and holds. See the crate documentation.
#[derive(Clone, Debug)]
pub struct BuyAndHold {
    config: Config,
    instrument: Option<InstrumentId>,
    state: State,
    attempts: u32,
    rejections: Vec<String>,
    /// The exchange refused the leverage: entering again would fail the same way.
    leverage_refused: bool,
    bought: Qty,
    cost: Money,
    fees: Money,
    liquidated: Qty,
    adl: Qty,
}

impl BuyAndHold {
    /// A strategy with these settings. Panics on settings out of range (use
    /// [`BuyAndHold::from_params`] for user input).
    pub fn new(config: Config) -> Self {
        assert!(config.leverage >= 1, "leverage must be at least 1");
        assert!(
            config.fraction.is_positive() && config.fraction <= Rate::ONE,
            "fraction must be in (0, 1]"
        );
        assert!(
            !config.buffer.is_negative() && config.buffer < rate("0.5"),
            "buffer must be in [0, 0.5)"
        );
        assert!(config.max_attempts >= 1, "at least one attempt");
        BuyAndHold {
            config,
            instrument: None,
            state: State::Waiting,
            attempts: 0,
            rejections: Vec::new(),
            leverage_refused: false,
            bought: Qty::ZERO,
            cost: Money::ZERO,
            fees: Money::ZERO,
            liquidated: Qty::ZERO,
            adl: Qty::ZERO,
        }
    }

    /// The registry factory: reads and checks the parameters.
    pub fn from_params(p: &Params) -> Result<Box<dyn Strategy>, ParamError> {
        Ok(Box::new(Self::new(Self::config_from_params(p)?)))
    }

    /// Reads and checks the parameters without building the strategy.
    pub fn config_from_params(p: &Params) -> Result<Config, ParamError> {
        let r = ParamReader::new(p, PARAMS)?;
        Ok(Config {
            mode: r.choice_of("mode", &[("spot", Mode::Spot), ("perp", Mode::Perp)])?,
            symbol: r.text("symbol")?,
            leverage: r.u32("leverage")?,
            fraction: r.rate("fraction")?,
            buffer: r.rate("buffer")?,
            max_attempts: r.u32("max_attempts")?,
            log_summary: r.bool("log_summary")?,
        })
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The instrument bought, once [`Strategy::on_start`] has resolved it.
    pub fn instrument(&self) -> Option<InstrumentId> {
        self.instrument
    }

    /// Where the strategy is.
    pub fn state(&self) -> State {
        self.state
    }

    /// Quantity bought, in total.
    pub fn bought(&self) -> Qty {
        self.bought
    }

    /// Quantity of the position liquidated and auto-deleveraged (perp mode).
    pub fn lost(&self) -> (Qty, Qty) {
        (self.liquidated, self.adl)
    }

    /// One line saying what happened: state, quantity, average price, fees, rejections,
    /// liquidations and ADL.
    pub fn summary(&self) -> String {
        let avg = self
            .cost
            .per_qty(self.bought, Rounding::HalfEven)
            .map_or("-".to_string(), |p| p.to_string());
        format!(
            "{NAME}: mode={} state={:?} bought={} avg_price={} fees={} attempts={} rejections=[{}] liquidated={} adl={}",
            self.config.mode,
            self.state,
            self.bought,
            avg,
            self.fees,
            self.attempts,
            self.rejections.join(", "),
            self.liquidated,
            self.adl,
        )
    }

    fn enter(&mut self, instrument: InstrumentId, ctx: &mut Ctx<'_>) {
        let state = ctx.instrument(instrument);
        let Some(price) = buy_price(state) else {
            return; // no price yet
        };
        let lot = state.spec.lot;
        let account = ctx.account();
        let buffer = self.config.buffer;
        if self.config.mode == Mode::Spot && coin_margined(ctx.market(), &state.spec.base) {
            // An inverse venue: the futures wallet already holds the coin this market trades,
            // so moving it to the spot wallet is the purchase (no fee, no slippage).
            let coin = account
                .futures
                .available
                .min_of(account.futures.balance)
                .max_of(Money::ZERO)
                .mul_rate(self.config.fraction, Rounding::Down);
            self.attempts += 1;
            if !coin.is_positive() {
                self.rejections
                    .push("no coin in the futures wallet".to_string());
                self.state = State::GaveUp;
                return;
            }
            ctx.transfer(Wallet::Futures, Wallet::Spot, coin);
            let held = Qty::from_raw(coin.raw());
            self.bought = held;
            self.cost = price.notional(held, Rounding::HalfEven);
            self.state = State::Holding;
            return;
        }
        let (transfer, qty) = match self.config.mode {
            Mode::Spot => {
                // Everything that can leave the futures wallet, plus what the spot wallet holds.
                let movable = account
                    .futures
                    .available
                    .min_of(account.futures.balance)
                    .max_of(Money::ZERO);
                let have = account.spot_quote.max_of(Money::ZERO);
                let spend = (have + movable).mul_rate(self.config.fraction, Rounding::Down);
                let transfer = (spend - have).max_of(Money::ZERO).min_of(movable);
                let notional = notional_for(spend, 1, buffer);
                (transfer, qty_for(notional, price, lot))
            }
            Mode::Perp => {
                let margin = account
                    .equity
                    .mul_rate(self.config.fraction, Rounding::Down)
                    .min_of(account.futures.available)
                    .max_of(Money::ZERO);
                let notional = notional_for(margin, self.config.leverage, buffer);
                (
                    Money::ZERO,
                    qty_for_instrument(&state.spec, notional, price),
                )
            }
        };
        self.attempts += 1;
        if qty.is_zero() {
            self.rejections.push("budget below one lot".to_string());
            self.state = State::GaveUp;
            return;
        }
        if transfer.is_positive() {
            ctx.transfer(Wallet::Futures, Wallet::Spot, transfer);
        }
        if self.config.mode == Mode::Perp {
            ctx.set_leverage(instrument, self.config.leverage);
        }
        let id = ctx.place(OrderRequest::market(instrument, Side::Buy, qty));
        self.state = State::Entering(id);
    }
}

impl BuyAndHold {
    /// After a liquidation or ADL step: the account view already shows what is left.
    fn closed_by_exchange(&mut self, instrument: InstrumentId, ctx: &Ctx<'_>) {
        if self.state == State::Holding && ctx.position(instrument).is_flat() {
            self.state = State::ClosedByExchange;
        }
    }
}

impl Strategy for BuyAndHold {
    fn on_start(&mut self, ctx: &mut Ctx<'_>) -> Result<(), ParamError> {
        let symbol = self.config.symbol.as_deref();
        let found = match self.config.mode {
            Mode::Spot => select_instrument(ctx.market(), InstrumentKind::Spot, symbol, None),
            Mode::Perp => select_perp(ctx.market(), symbol, None),
        };
        let Some(id) = found else {
            let kind = self.config.mode.wanted();
            let (name, what) = match &self.config.symbol {
                Some(sym) => (
                    "symbol",
                    format!("no {kind} instrument with symbol {sym:?}"),
                ),
                None => ("mode", format!("no {kind} instrument")),
            };
            let have: Vec<String> = ctx
                .market()
                .instruments()
                .iter()
                .map(|s| format!("{} ({})", s.spec.symbol, s.spec.kind))
                .collect();
            return Err(ParamError::Rejected {
                name: name.to_string(),
                message: format!(
                    "mode {} needs a {kind} instrument: the run has {what} (it has {})",
                    self.config.mode,
                    have.join(", ")
                ),
            });
        };
        self.instrument = Some(id);
        Ok(())
    }

    fn on_event(&mut self, event: &Event, ctx: &mut Ctx<'_>) {
        match (self.state, self.instrument) {
            (State::Waiting, Some(i)) if event.instrument == i => self.enter(i, ctx),
            _ => {}
        }
    }

    fn on_output(&mut self, output: &Output, ctx: &mut Ctx<'_>) {
        if let Some(reason) = cascade_strategy::leverage_refused(output) {
            if matches!(self.state, State::Entering(_)) {
                // The order sized for this leverage cannot succeed either: say why, once,
                // and give up when its own reject arrives.
                self.rejections.push(format!(
                    "SetLeverage {}x: {reason:?} (above the venue's maximum)",
                    self.config.leverage
                ));
                self.leverage_refused = true;
            }
        }
        if let Output::Rejected {
            client_id, reason, ..
        } = *output
        {
            if self.state == State::Entering(client_id) {
                self.rejections.push(format!("{reason:?}"));
                self.state = if self.leverage_refused || self.attempts >= self.config.max_attempts {
                    State::GaveUp
                } else {
                    State::Waiting
                };
            }
        }
        dispatch_output(self, output, ctx);
    }

    fn on_fill(&mut self, fill: &FillInfo, _ctx: &mut Ctx<'_>) {
        if Some(fill.instrument) != self.instrument || fill.side != Side::Buy {
            return;
        }
        self.bought += fill.qty;
        self.cost += fill.price.notional(fill.qty, Rounding::HalfEven);
        self.fees += fill.fee;
        self.state = State::Holding;
    }

    fn on_liquidation(&mut self, l: &LiquidationInfo, ctx: &mut Ctx<'_>) {
        if Some(l.instrument) == self.instrument {
            self.liquidated += l.qty;
            self.closed_by_exchange(l.instrument, ctx);
        }
    }

    fn on_adl(&mut self, adl: &AdlInfo, ctx: &mut Ctx<'_>) {
        if Some(adl.instrument) == self.instrument && adl.victim == ctx.account().id {
            self.adl += adl.qty;
            self.closed_by_exchange(adl.instrument, ctx);
        }
    }

    fn on_finish(&mut self, _ctx: &Ctx<'_>) {
        if self.config.log_summary {
            eprintln!("{}", self.summary());
        }
    }

    fn notes(&self) -> Vec<Note> {
        let avg = self
            .cost
            .per_qty(self.bought, Rounding::HalfEven)
            .map_or("-".to_string(), |p| p.to_string());
        let state = match self.state {
            State::Waiting => "never entered: no price reached it".to_string(),
            State::Entering(_) => "the entry order was still on its way at the end".to_string(),
            State::Holding => format!("held {} bought at {avg} to the end", self.bought),
            State::GaveUp => format!("gave up after {} attempt(s)", self.attempts),
            State::ClosedByExchange => format!(
                "bought {} at {avg}; the exchange closed it all (liquidated {}, ADL {})",
                self.bought, self.liquidated, self.adl
            ),
        };
        let mut notes = vec![Note::new("state", state)];
        notes.extend(Note::capped("rejected", self.rejections.iter().cloned(), 4));
        notes
    }
}

#[cfg(test)]
mod tests;
