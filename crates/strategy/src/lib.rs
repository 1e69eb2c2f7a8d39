//! The Strategy API: the one small crate a strategy crate depends on.
//!
//! A strategy implements [`Strategy`]: callbacks for market events, for exchange outputs
//! about its own accounts (fills, funding, liquidations, auto-deleveraging), for timers, and
//! for the start and end of a run. Each callback gets a [`Ctx`]: the simulated time, a
//! read-only [`MarketView`] (last trade, book, depth bands, mark, index, funding, open
//! interest, recorded liquidations and taker flow over rolling windows, the modelled
//! liquidation heatmap), read-only [`AccountView`]s of its own accounts, and commands
//! (place/cancel orders, leverage, margin mode, wallet transfers, timers) that the engine
//! executes after the callback returns, after the configured latency.
//!
//! Strategies are found by name in a [`Registry`] and configured from TOML/JSON files and
//! `--param k=v` overrides through [`Params`].
//!
//! This crate knows nothing of the exchange model: the engine fills the plain data views
//! ([`AccountView`], [`PositionView`], [`OrderView`]) from the exchange's state, and the
//! market view keeps itself up to date from recorded events ([`MarketView::apply`]).
//!
//! # Example
//!
//! A strategy that buys once when recorded long liquidations over the last five minutes
//! exceed a threshold, driven by the test [`Harness`](testing::Harness):
//!
//! ```
//! use cascade_strategy::prelude::*;
//! use cascade_strategy::testing::Harness;
//! use cascade_types::*;
//!
//! struct FadeTheFlush {
//!     instrument: InstrumentId,
//!     threshold: Money,
//!     qty: Qty,
//!     done: bool,
//! }
//!
//! impl Strategy for FadeTheFlush {
//!     fn on_event(&mut self, event: &Event, ctx: &mut Ctx<'_>) {
//!         if self.done || event.instrument != self.instrument {
//!             return;
//!         }
//!         let liq = ctx.instrument(self.instrument).liquidations(ctx.now());
//!         if liq.long_notional > self.threshold && ctx.position(self.instrument).is_flat() {
//!             ctx.place(OrderRequest::market(self.instrument, Side::Buy, self.qty));
//!             self.done = true;
//!         }
//!     }
//!
//!     fn on_fill(&mut self, fill: &FillInfo, ctx: &mut Ctx<'_>) {
//!         // Take profit 2 % above the fill, reduce-only.
//!         let target = fill.price.mul_rate("1.02".parse().unwrap(), Rounding::Up);
//!         ctx.place(OrderRequest::limit(fill.instrument, Side::Sell, fill.qty, target).reduce_only());
//!     }
//! }
//!
//! let spec = InstrumentSpec::new("binance-um", "BTCUSDT", InstrumentKind::LinearPerp, "BTC", "USDT");
//! let mut h = Harness::new(&[spec]);
//! let btc = InstrumentId(0);
//! let mut s = FadeTheFlush { instrument: btc, threshold: Money::from_int(1_000_000), qty: Qty::ONE, done: false };
//!
//! let t0 = Ts::parse_utc("2025-10-10T21:15:00Z").unwrap();
//! let liq = |secs: i64, qty: &str| Event {
//!     ts: t0.plus_secs(secs),
//!     instrument: btc,
//!     body: EventBody::Liquidation(Liquidation {
//!         side: Side::Sell, // a forced sell: a long liquidated
//!         price: "105000".parse().unwrap(),
//!         qty: qty.parse().unwrap(),
//!     }),
//! };
//! assert!(h.event(&mut s, &liq(0, "5")).is_empty()); // $525k: not yet
//! let cmds = h.event(&mut s, &liq(60, "5")); // $1.05M within 5 minutes
//! assert_eq!(cmds.len(), 1);
//! let Command::Place(order) = cmds[0].command else { panic!() };
//! assert_eq!((order.side, order.kind), (Side::Buy, OrderKind::Market));
//!
//! let fill = Output::Fill {
//!     account: AccountId(0), instrument: btc, order_id: OrderId(1), side: Side::Buy,
//!     qty: Qty::ONE, price: "104000".parse().unwrap(), fee: Money::from_int(52), maker: false,
//!     reference: "104000".parse().unwrap(), slippage: Money::ZERO,
//! };
//! let cmds = h.output(&mut s, &fill);
//! let Command::Place(tp) = cmds[0].command else { panic!() };
//! assert_eq!(tp.kind, OrderKind::Limit { price: "106080".parse().unwrap() });
//! assert!(tp.reduce_only);
//! ```

mod account;
mod book;
mod builtin;
mod ctx;
mod market;
mod orders;
mod outputs;
mod params;
mod registry;
mod rolling;
pub mod sizing;
pub mod spec;
mod summaries;
pub mod testing;

pub use account::{AccountView, FuturesWallet, OrderView, PositionView};
pub use book::{DepthBands, L2Book, Level, Quote, DEPTH_BANDS_MAX};
pub use builtin::{NoOp, Noise};
pub use ctx::{
    AccountCommand, AccountSource, CommandBuffer, Ctx, TimerRequest, AUTO_CLIENT_ID_BASE,
};
pub use market::{InstrumentState, MarketView, MarketViewConfig, Stamped};
pub use orders::OrderRequestExt;
pub use outputs::{leverage_refused, AdlInfo, FillInfo, FundingInfo, LiquidationInfo};
pub use params::{ParamError, ParamOrigin, ParamType, ParamValue, Params};
pub use registry::{Factory, Registry, RegistryEntry, RegistryError};
pub use rolling::{History, Rolling};
pub use summaries::{FlowSums, HeatBand, HeatmapSummary, LiquidationSums, HEATMAP_BANDS_MAX};

/// The vocabulary the views and callbacks speak (`Event`, `Side`, `Price`, `Qty`, `Money`,
/// `Rate`, `Ts`, `OrderRequest`, `Command`, …), re-exported so that a strategy crate can
/// depend on this crate alone (`use cascade_strategy::types::*;`).
pub use cascade_types as types;

pub use cascade_types::Note;
use cascade_types::{Event, Output};

/// What a strategy crate usually imports: `use cascade_strategy::prelude::*;`.
pub mod prelude {
    pub use crate::spec::{Bound, ParamKind, ParamReader, ParamSpec};
    pub use crate::{
        AccountView, AdlInfo, Ctx, FillInfo, FundingInfo, InstrumentState, LiquidationInfo,
        MarketView, Note, OrderRequestExt, ParamError, Params, PositionView, Strategy,
    };
}

/// A trading strategy, driven by the engine through callbacks.
///
/// Every method has a default that does nothing, so a strategy implements only what it
/// needs. The trait is object-safe: the engine holds a `Box<dyn Strategy>` from the
/// [`Registry`]. It is `Send` so that a sweep can build strategies on one thread and run
/// them on others.
///
/// Order of calls for each market event, in simulated time:
///
/// 1. timers due at or before the event's time fire ([`Strategy::on_timer`]), in
///    (due time, order set) order;
/// 2. the event is applied to the market view and to the exchange model, and the outputs it
///    caused for the strategy's accounts (fills, funding, liquidations, ADL, …) are delivered
///    through [`Strategy::on_output`];
/// 3. [`Strategy::on_event`] sees the event.
///
/// Commands issued in any callback reach the exchange after the order-entry latency, as
/// scheduled events of their own; their outputs arrive through `on_output` in turn.
///
/// Callbacks must be deterministic: no wall clock, no randomness that is not seeded from
/// parameters, no iteration over hash maps.
pub trait Strategy: Send {
    /// Called once before the first event. Check the configuration against the run's
    /// instruments here; an error stops the run before it begins.
    fn on_start(&mut self, ctx: &mut Ctx<'_>) -> Result<(), ParamError> {
        let _ = ctx;
        Ok(())
    }

    /// A recorded market event, already applied to [`Ctx::market`].
    fn on_event(&mut self, event: &Event, ctx: &mut Ctx<'_>) {
        let _ = (event, ctx);
    }

    /// An exchange output concerning one of the strategy's accounts. The default dispatches
    /// fills, funding payments, liquidations and ADL to the methods below and ignores the
    /// rest (acceptances, rejections, cancellations, margin calls). Override it to see
    /// everything, and call [`dispatch_output`] to keep the dispatch.
    fn on_output(&mut self, output: &Output, ctx: &mut Ctx<'_>) {
        dispatch_output(self, output, ctx);
    }

    /// One of the strategy's orders was filled (partly or fully).
    fn on_fill(&mut self, fill: &FillInfo, ctx: &mut Ctx<'_>) {
        let _ = (fill, ctx);
    }

    /// Funding was paid or received on one of the strategy's positions.
    fn on_funding(&mut self, funding: &FundingInfo, ctx: &mut Ctx<'_>) {
        let _ = (funding, ctx);
    }

    /// One of the strategy's positions was (partly) liquidated.
    fn on_liquidation(&mut self, liquidation: &LiquidationInfo, ctx: &mut Ctx<'_>) {
        let _ = (liquidation, ctx);
    }

    /// One of the strategy's positions was auto-deleveraged (as the profitable victim), or
    /// its bankrupt position was offset by ADL (as the counterparty).
    fn on_adl(&mut self, adl: &AdlInfo, ctx: &mut Ctx<'_>) {
        let _ = (adl, ctx);
    }

    /// A timer set with [`Ctx::set_timer`] is due.
    fn on_timer(&mut self, id: u64, ctx: &mut Ctx<'_>) {
        let _ = (id, ctx);
    }

    /// Called once after the last event. The context is read-only: the run is over.
    fn on_finish(&mut self, ctx: &Ctx<'_>) {
        let _ = ctx;
    }

    /// What the strategy says about its run, asked once after [`Strategy::on_finish`]: the
    /// inputs it lacked, the state it ended in, anything a reader of its scorecard must know
    /// (see [`Note`]). The engine records them in the manifest and the reports; the scoring
    /// suite prints them in every scorecard. The default says nothing.
    fn notes(&self) -> Vec<Note> {
        Vec::new()
    }
}

/// Routes an output to [`Strategy::on_fill`], [`Strategy::on_funding`],
/// [`Strategy::on_liquidation`] or [`Strategy::on_adl`]; other outputs are ignored.
pub fn dispatch_output<S: Strategy + ?Sized>(strategy: &mut S, output: &Output, ctx: &mut Ctx<'_>) {
    if let Some(f) = FillInfo::from_output(output) {
        strategy.on_fill(&f, ctx);
    } else if let Some(f) = FundingInfo::from_output(output) {
        strategy.on_funding(&f, ctx);
    } else if let Some(l) = LiquidationInfo::from_output(output) {
        strategy.on_liquidation(&l, ctx);
    } else if let Some(a) = AdlInfo::from_output(output) {
        strategy.on_adl(&a, ctx);
    }
}

#[cfg(test)]
mod tests;
