//! `regime-filter`: long while growth is spot-led, flat when it is leverage-led, back in
//! after the reset.
//!
//! Every `eval_s` seconds (once `window_min` minutes of history exist) the filter reads the
//! market view ([`Reading`]) and weighs it ([`Assessment`]):
//!
//! - **spot-led** (risk-on) conditions: spot taker buy/sell delta positive, open interest
//!   growing no faster than price (`oi_change − price_change ≤ oi_excess_ok`), funding
//!   moderate (`≤ funding_moderate`) — every condition whose input is present must hold, and
//!   no leverage-led signal may fire;
//! - **leverage-led** signals, each a vote to de-risk: open interest outpacing price
//!   (`≥ oi_excess_max`), hot funding (`≥ funding_hot`), a taker-ratio spike on the perpetual
//!   (one side `≥ taker_spike` times the other), one-sided recorded liquidations (at least
//!   `liq_notional_min`, of which at least `liq_one_sided` on one side), and — when the
//!   modelled heatmap is present — long-heavy liquidation fuel near the price
//!   (longs ÷ shorts within `heatmap_bps` `≥ heatmap_ratio`);
//! - **reset** signs: open interest flushed (`oi_flush` below its peak since the de-risk),
//!   a burst of long liquidations, funding negative; and **re-entry** conditions: open
//!   interest flushed, funding negative (`< funding_reset`), long liquidations exhausted
//!   (down to `liq_exhausted` of their peak).
//!
//! The state machine ([`State`]):
//!
//! ```text
//!  Warmup ──spot-led──▶ RiskOn ──≥ derisk_votes leverage-led──▶ DeRisked ──reset seen──▶ WaitingReEntry
//!    │                    ▲  ▲                                     │                        │
//!    └─≥ derisk_votes ────┼──┼────────────────────────────────────▶┘                        │
//!                         │  └── spot-led for rearm_min (from DeRisked or WaitingReEntry)    │
//!                         └───── re-entry conditions, fewer than derisk_votes leverage-led ◀─┘
//! ```
//!
//! Risk-on holds a long (perpetual at `leverage` with `fraction` of equity as margin, or spot
//! with `hold = "spot"`); de-risked and waiting, it is flat.
//!
//! Every input is used when the data has it. The ones it lacked at an evaluation (no spot
//! instrument → no spot taker delta; no crowd model → no heatmap; …) are recorded by name in
//! [`RegimeFilter::lacked`], with counts in [`RegimeFilter::lacked_counts`], and printed in
//! [`RegimeFilter::summary`] (to stderr at the end of the run with `log_summary = true`), and
//! said in the run's notes ([`Strategy::notes`]: `lacked`, `state`, `regime`), which the
//! engine writes into the manifest and the report and the scoring suite into every scorecard.
//!
//! # Example
//!
//! ```
//! use cascade_strategy::{Params, Registry};
//!
//! let mut registry = Registry::new();
//! cascade_strategy_regime_filter::register(&mut registry);
//! let params = Params::new().with_overrides(["hold=spot", "derisk_votes=1"]).unwrap();
//! assert!(registry.create("regime-filter", &params).is_ok());
//! ```

mod config;
mod signals;

pub use config::{Config, Hold, PARAMS};
pub use signals::{input, Assessment, Peaks, Reading};

use cascade_strategy::prelude::*;
use cascade_strategy::sizing::{
    buy_price, notional_for, qty_for, qty_for_instrument, select_instrument, select_perp,
};
use cascade_strategy::types::{
    Event, InstrumentId, InstrumentKind, Money, OrderRequest, Output, Qty, Rounding, Side, Ts,
    Wallet,
};
use cascade_strategy::{dispatch_output, Registry, Strategy};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The name the strategy is registered under.
pub const NAME: &str = "regime-filter";

/// Entry attempts per risk-on period before the filter stops retrying rejected orders.
pub const MAX_ENTRY_ATTEMPTS: u32 = 3;

const NS_PER_SEC: i64 = Ts::NANOS_PER_SEC;

/// Registers [`RegimeFilter`] as `regime-filter`.
pub fn register(registry: &mut Registry) {
    registry.register(
        NAME,
        "long while growth is spot-led, flat when it is leverage-led, back in after the reset",
        RegimeFilter::from_params,
    );
}

/// The filter's regime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    /// Before the first evaluation that is either spot-led or leverage-led: flat.
    Warmup,
    /// Growth is spot-led: long.
    RiskOn,
    /// Growth turned leverage-led: flat, waiting for a reset to begin.
    DeRisked,
    /// A reset is under way: flat, waiting for it to exhaust.
    WaitingReEntry,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            State::Warmup => "warmup",
            State::RiskOn => "risk-on",
            State::DeRisked => "de-risked",
            State::WaitingReEntry => "waiting-re-entry",
        })
    }
}

/// One change of regime, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// When.
    pub ts: Ts,
    /// From this state.
    pub from: State,
    /// To this state.
    pub to: State,
    /// The signals that decided it, comma-separated.
    pub reason: String,
}

impl fmt::Display for Transition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} -> {} ({})",
            self.ts, self.from, self.to, self.reason
        )
    }
}

/// The regime filter. See the crate documentation.
#[derive(Clone, Debug)]
pub struct RegimeFilter {
    cfg: Config,
    perp: Option<InstrumentId>,
    spot: Option<InstrumentId>,
    state: State,
    started: Option<Ts>,
    next_eval: Option<Ts>,
    /// Since when every reading has been spot-led (for re-arming).
    spot_led_since: Option<Ts>,
    peaks: Peaks,
    /// The entry order in flight (client id).
    pending_entry: Option<u64>,
    entry_attempts: u32,
    evaluations: u64,
    lacked: BTreeSet<&'static str>,
    lacked_counts: BTreeMap<&'static str, u64>,
    transitions: Vec<Transition>,
    last: Option<(Reading, Assessment)>,
    /// Entry orders the exchange refused, by reason.
    rejections: BTreeMap<String, u64>,
    liquidated: Qty,
    adl: Qty,
}

impl RegimeFilter {
    /// A filter with these settings (checked by [`Config::from_params`]).
    pub fn new(cfg: Config) -> Self {
        RegimeFilter {
            cfg,
            perp: None,
            spot: None,
            state: State::Warmup,
            started: None,
            next_eval: None,
            spot_led_since: None,
            peaks: Peaks::default(),
            pending_entry: None,
            entry_attempts: 0,
            evaluations: 0,
            lacked: BTreeSet::new(),
            lacked_counts: BTreeMap::new(),
            transitions: Vec::new(),
            last: None,
            rejections: BTreeMap::new(),
            liquidated: Qty::ZERO,
            adl: Qty::ZERO,
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

    /// The current regime.
    pub fn state(&self) -> State {
        self.state
    }

    /// The perpetual and the spot instrument, once resolved by `on_start`.
    pub fn instruments(&self) -> (Option<InstrumentId>, Option<InstrumentId>) {
        (self.perp, self.spot)
    }

    /// Names of the inputs (see [`input`]) that were lacking at one evaluation or more.
    pub fn lacked(&self) -> &BTreeSet<&'static str> {
        &self.lacked
    }

    /// For each lacking input, at how many evaluations it was lacking.
    pub fn lacked_counts(&self) -> &BTreeMap<&'static str, u64> {
        &self.lacked_counts
    }

    /// Evaluations made so far.
    pub fn evaluations(&self) -> u64 {
        self.evaluations
    }

    /// Every change of regime, in order.
    pub fn transitions(&self) -> &[Transition] {
        &self.transitions
    }

    /// The last evaluation's reading and assessment.
    pub fn last_assessment(&self) -> Option<&(Reading, Assessment)> {
        self.last.as_ref()
    }

    /// A few lines: the regime, evaluations, the inputs lacked (with counts), rejections,
    /// liquidations and ADL of the position, then every transition.
    pub fn summary(&self) -> String {
        let lacked: Vec<String> = self
            .lacked_counts
            .iter()
            .map(|(k, n)| format!("{k} ({n}/{})", self.evaluations))
            .collect();
        let rejections: Vec<String> = self
            .rejections
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        let mut out = format!(
            "{NAME}: state={} evaluations={} lacked=[{}] rejections=[{}] liquidated={} adl={}",
            self.state,
            self.evaluations,
            lacked.join(", "),
            rejections.join(", "),
            self.liquidated,
            self.adl,
        );
        for t in &self.transitions {
            out.push_str(&format!("\n  {t}"));
        }
        out
    }

    fn traded(&self) -> Option<InstrumentId> {
        match self.cfg.hold {
            Hold::Perp => self.perp,
            Hold::Spot => self.spot,
        }
    }

    fn go(&mut self, now: Ts, to: State, reason: String, ctx: &mut Ctx<'_>) {
        let from = self.state;
        debug_assert_ne!(from, to);
        self.transitions.push(Transition {
            ts: now,
            from,
            to,
            reason,
        });
        self.state = to;
        match to {
            State::RiskOn => {
                self.entry_attempts = 0;
                self.enter(ctx);
            }
            State::DeRisked => {
                self.exit(ctx);
            }
            State::WaitingReEntry | State::Warmup => {}
        }
    }

    /// One evaluation: read, assess, move the state machine.
    fn evaluate(&mut self, now: Ts, ctx: &mut Ctx<'_>) {
        let perp = self.perp.expect("resolved in on_start");
        let market = ctx.market();
        let reading = Reading::read(&self.cfg, now, &market[perp], self.spot.map(|s| &market[s]));
        self.evaluations += 1;
        for name in reading.lacking() {
            self.lacked.insert(name);
            *self.lacked_counts.entry(name).or_insert(0) += 1;
        }
        if matches!(self.state, State::DeRisked | State::WaitingReEntry) {
            self.peaks.update(&reading);
        }
        let a = Assessment::of(&self.cfg, &reading, &self.peaks);
        let spot_led = a.spot_led();
        if spot_led {
            self.spot_led_since.get_or_insert(now);
        } else {
            self.spot_led_since = None;
        }
        let votes = a.leverage_led.len();
        let derisk = votes >= self.cfg.derisk_votes as usize;
        let rearmed = self.cfg.rearm_min > 0
            && self.spot_led_since.is_some_and(|since| {
                now.nanos() - since.nanos() >= i64::from(self.cfg.rearm_min) * 60 * NS_PER_SEC
            });
        match self.state {
            State::Warmup if derisk => {
                self.peaks = Peaks::from_reading(&reading);
                self.go(now, State::DeRisked, a.leverage_led.join(", "), ctx);
            }
            State::Warmup if spot_led => {
                self.go(now, State::RiskOn, a.spot_led_ok.join(", "), ctx);
            }
            State::RiskOn if derisk => {
                self.peaks = Peaks::from_reading(&reading);
                self.go(now, State::DeRisked, a.leverage_led.join(", "), ctx);
            }
            State::RiskOn => self.retry_entry(ctx),
            State::DeRisked if !a.reset_seen.is_empty() => {
                self.go(now, State::WaitingReEntry, a.reset_seen.join(", "), ctx);
            }
            State::WaitingReEntry
                if !derisk
                    && a.reentry_available > 0
                    && a.reentry_ok.len()
                        >= (self.cfg.reentry_votes as usize).min(a.reentry_available) =>
            {
                self.go(now, State::RiskOn, a.reentry_ok.join(", "), ctx);
            }
            State::DeRisked | State::WaitingReEntry if rearmed => {
                let reason = format!(
                    "spot-led for {} min: {}",
                    self.cfg.rearm_min,
                    a.spot_led_ok.join(", ")
                );
                self.go(now, State::RiskOn, reason, ctx);
            }
            _ => {}
        }
        self.last = Some((reading, a));
    }

    /// While risk-on and flat with nothing in flight (a rejected entry), tries again, at most
    /// [`MAX_ENTRY_ATTEMPTS`] times per risk-on period.
    fn retry_entry(&mut self, ctx: &mut Ctx<'_>) {
        let Some(i) = self.traded() else { return };
        if self.pending_entry.is_none()
            && ctx.position(i).is_flat()
            && self.entry_attempts < MAX_ENTRY_ATTEMPTS
        {
            self.enter(ctx);
        }
    }

    fn enter(&mut self, ctx: &mut Ctx<'_>) {
        let Some(i) = self.traded() else { return };
        let state = ctx.instrument(i);
        let Some(price) = buy_price(state) else {
            return;
        };
        let lot = state.spec.lot;
        let account = ctx.account();
        let buffer = self.cfg.buffer;
        self.entry_attempts += 1;
        match self.cfg.hold {
            Hold::Perp => {
                let margin = account
                    .equity
                    .mul_rate(self.cfg.fraction, Rounding::Down)
                    .min_of(account.futures.available)
                    .max_of(Money::ZERO);
                let notional = notional_for(margin, self.cfg.leverage, buffer);
                // Only what is missing: a partial position left by a liquidation counts.
                let held = ctx.position(i).qty.max_of(Qty::ZERO);
                let qty =
                    (qty_for_instrument(&state.spec, notional, price) - held).max_of(Qty::ZERO);
                if qty.is_positive() {
                    ctx.set_leverage(i, self.cfg.leverage);
                    self.pending_entry = Some(ctx.place(OrderRequest::market(i, Side::Buy, qty)));
                }
            }
            Hold::Spot => {
                let movable = account
                    .futures
                    .available
                    .min_of(account.futures.balance)
                    .max_of(Money::ZERO);
                let have = account.spot_quote.max_of(Money::ZERO);
                let spend = (have + movable).mul_rate(self.cfg.fraction, Rounding::Down);
                let transfer = (spend - have).max_of(Money::ZERO).min_of(movable);
                let qty = qty_for(notional_for(spend, 1, buffer), price, lot);
                if qty.is_positive() {
                    if transfer.is_positive() {
                        ctx.transfer(Wallet::Futures, Wallet::Spot, transfer);
                    }
                    self.pending_entry = Some(ctx.place(OrderRequest::market(i, Side::Buy, qty)));
                }
            }
        }
    }

    /// Closes the long (whatever the account view shows of it).
    fn exit(&mut self, ctx: &mut Ctx<'_>) {
        let Some(i) = self.traded() else { return };
        let held = ctx.position(i).qty;
        if held.is_positive() {
            self.close(i, held, ctx);
        }
    }

    fn close(&mut self, i: InstrumentId, qty: Qty, ctx: &mut Ctx<'_>) {
        match self.cfg.hold {
            Hold::Perp => {
                ctx.cancel_all(i);
                ctx.place(OrderRequest::market(i, Side::Sell, qty).reduce_only());
            }
            Hold::Spot => {
                let lot = ctx.instrument(i).spec.lot;
                let q = Qty::from_raw(qty.raw() / lot.raw() * lot.raw());
                if q.is_positive() {
                    ctx.place(OrderRequest::market(i, Side::Sell, q));
                }
            }
        }
    }
}

impl Strategy for RegimeFilter {
    fn on_start(&mut self, ctx: &mut Ctx<'_>) -> Result<(), ParamError> {
        let market = ctx.market();
        let perp = select_perp(market, self.cfg.perp.as_deref(), None).ok_or_else(|| {
            ParamError::rejected(
                "perp",
                match &self.cfg.perp {
                    Some(s) => format!("the run has no perpetual with symbol {s:?}"),
                    None => "the run has no perpetual to watch".to_string(),
                },
            )
        })?;
        let base = market[perp].spec.base.as_str();
        let spot = match &self.cfg.spot {
            Some(sym) => Some(
                select_instrument(market, InstrumentKind::Spot, Some(sym), None).ok_or_else(
                    || {
                        ParamError::rejected(
                            "spot",
                            format!("the run has no spot instrument with symbol {sym:?}"),
                        )
                    },
                )?,
            ),
            None => select_instrument(market, InstrumentKind::Spot, None, Some(base)),
        };
        if self.cfg.hold == Hold::Spot && spot.is_none() {
            return Err(ParamError::rejected(
                "hold",
                format!("hold = \"spot\" needs a spot instrument of {base}, and the run has none"),
            ));
        }
        self.perp = Some(perp);
        self.spot = spot;
        Ok(())
    }

    fn on_event(&mut self, event: &Event, ctx: &mut Ctx<'_>) {
        let Some(perp) = self.perp else { return };
        if event.instrument != perp && Some(event.instrument) != self.spot {
            return;
        }
        let now = ctx.now();
        let started = *self.started.get_or_insert(now);
        let warm = started.plus_nanos(i64::from(self.cfg.window_min) * 60 * NS_PER_SEC);
        if now < warm || self.next_eval.is_some_and(|t| now < t) {
            return;
        }
        // Evaluations on a fixed grid of eval_s, whatever the events' spacing.
        let step = i64::from(self.cfg.eval_s) * NS_PER_SEC;
        self.next_eval = Some(Ts::from_nanos((now.nanos().div_euclid(step) + 1) * step));
        self.evaluate(now, ctx);
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
            if self.pending_entry == Some(client_id) {
                self.pending_entry = None;
                *self.rejections.entry(format!("{reason:?}")).or_insert(0) += 1;
            }
        }
        dispatch_output(self, output, ctx);
    }

    fn on_fill(&mut self, fill: &FillInfo, ctx: &mut Ctx<'_>) {
        if Some(fill.instrument) != self.traded() || fill.side != Side::Buy {
            return;
        }
        self.pending_entry = None;
        if self.state != State::RiskOn {
            // The regime turned while the entry was on its way: undo it.
            self.close(fill.instrument, fill.qty, ctx);
        }
    }

    fn on_liquidation(&mut self, l: &LiquidationInfo, ctx: &mut Ctx<'_>) {
        if Some(l.instrument) != self.perp {
            return;
        }
        self.liquidated += l.qty;
        // The account view already shows the position after the liquidation.
        if self.state == State::RiskOn && ctx.position(l.instrument).is_flat() {
            // Liquidated while risk-on: the filter failed; treat it as a leverage-led event.
            self.peaks = Peaks::default();
            self.go(ctx.now(), State::DeRisked, "liquidated".to_string(), ctx);
        }
    }

    fn on_adl(&mut self, adl: &AdlInfo, ctx: &mut Ctx<'_>) {
        if Some(adl.instrument) == self.perp && adl.victim == ctx.account().id {
            self.adl += adl.qty;
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
                "ended {} after {} evaluation(s) and {} regime change(s)",
                self.state,
                self.evaluations,
                self.transitions.len()
            ),
        )];
        let lacked: Vec<String> = self
            .lacked_counts
            .iter()
            .map(|(k, n)| format!("{k} ({n}/{})", self.evaluations))
            .collect();
        notes.push(Note::new(
            "lacked",
            if lacked.is_empty() {
                "nothing: every input was in the data at every evaluation".to_string()
            } else {
                format!("decided without {}", lacked.join(", "))
            },
        ));
        notes.extend(Note::capped(
            "regime",
            self.transitions.iter().map(|t| t.to_string()),
            6,
        ));
        notes.extend(Note::capped(
            "rejected",
            self.rejections.iter().map(|(k, n)| format!("{k} ×{n}")),
            4,
        ));
        notes
    }
}

#[cfg(test)]
mod tests;
