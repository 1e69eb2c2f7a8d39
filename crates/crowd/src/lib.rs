//! The crowd of cascade: the rest of the market's open interest, modelled as ordinary
//! exchange accounts under the same margin, liquidation, fee and ADL rules as the strategy's
//! — so a backtest sees the cascades, insurance-fund drain and ADL a lone strategy never would.
//!
//! - **Positions** ([`Crowd`], `model`): the crowd follows recorded open interest — new
//!   positions open at the interval's volume-weighted price, split long/short by the recorded
//!   long/short ratio (or [`CrowdConfig::long_short_ratio`]), with leverage, cushion and size
//!   drawn from seeded distributions ([`LeverageDist`], [`CushionDist`], [`SizeDist`]); when
//!   open interest falls by more than the modelled liquidations explain, positions close by
//!   the [`ClosingRule`]. A log without open interest starts from a book
//!   ([`Crowd::seed_spread`], [`Crowd::seed_book`]) or a scenario's open-interest path
//!   ([`with_oi_path`]).
//! - **Two modes** ([`Mode`]): *replay* keeps recorded prices; *impact* lets forced orders walk
//!   the recorded depth and move the mark, resolving each cascade to a fixed point in bounded
//!   rounds ([`impact`]).
//! - **Outputs** ([`Record`]): the modelled liquidation stream (side, qty, price, round), ADL
//!   fills, the insurance fund over time, every instant's rounds, heatmap snapshots; the
//!   [`cascade_report`], the [`fidelity_table`] (modelled against recorded liquidations per
//!   interval and against published figures) and the [`heatmap_svg`] picture.
//! - **Strategy view** ([`Crowd::heatmap_summary`]): crowd notional within x % below and
//!   above the price — the fields of the strategy API's `HeatmapSummary`.
//! - **Calibration** ([`calibrate()`](calibrate::calibrate)): fits the leverage distribution to recorded liquidations.
//! - **Driver** ([`replay`]): events through exchange and crowd without the engine.
//!
//! **How an engine calls it.** Per market event: `out.clear()`, `exchange.on_market(&ev, &mut
//! out)`, then `crowd.on_event(&mut exchange, &ev, &mut out)` (the crowd appends the outputs
//! of its own trades and impact rounds to `out`); after `exchange.on_command(…)`,
//! `crowd.on_outputs(&exchange, now, &out)`. The heatmap summary for the strategy's market
//! view is `crowd.heatmap_summary(ts, mark)`. Every draw comes from SplitMix64 streams of
//! [`CrowdConfig::seed`]; [`Crowd::manifest`] gives the seed, the draw counts and the whole
//! config for the run manifest. No clock, no hash map, money in fixed point.
//!
//! | module | what |
//! |---|---|
//! | `config`, `dist`, `rng` | [`CrowdConfig`] (TOML/JSON), the distributions, the seeded generator and a platform-exact `exp` |
//! | [`model`] | [`Crowd`]: following open interest, starting books, bookkeeping from the exchange's outputs |
//! | [`heatmap`] | [`Heatmap`]: crowd notional by liquidation-price bucket, incremental; [`HeatSummary`] |
//! | [`impact`] | the depth walk and the cascade's fixed point |
//! | `record`, `driver` | what a run records; [`replay`] |
//! | [`fidelity`], [`calibrate()`](calibrate::calibrate), `report`, `csv` | the fidelity table and its loss, the fit, the text report, the SVG, CSV of the heatmap and the liquidation stream |
//!
//! ```
//! use cascade_crowd::{replay, Crowd, CrowdConfig, Mode};
//! use cascade_exchange::{check_invariants, Exchange, InstrumentConfig, VenueRules};
//! use cascade_types::*;
//!
//! let date = Ts::parse_utc("2024-08-05").unwrap();
//! let mut btc = InstrumentConfig::binance_usdm("BTCUSDT", date).unwrap();
//! btc.spec.lot = "0.001".parse().unwrap();
//! let mut ex = Exchange::new(VenueRules::binance_usdm(date), vec![btc]).unwrap();
//! ex.seed_insurance_fund(0, Money::from_int(1_000_000));
//! let i = InstrumentId(0);
//! let t0 = Ts::parse_utc("2024-08-05T12:00:00Z").unwrap();
//! // A book and a mark, then a crowd of about 100 BTC a side spread ±3 % around 60,000.
//! let at = |s: i64, bid: i64| {
//!     let ts = t0.plus_secs(s);
//!     let top = BookTop { bid_price: Price::from_int(bid), bid_qty: Qty::from_int(20),
//!                         ask_price: Price::from_int(bid + 1), ask_qty: Qty::from_int(20) };
//!     [Event { ts, instrument: i, body: EventBody::BookTop(top) },
//!      Event { ts, instrument: i, body: EventBody::MarkPrice(Price::from_int(bid)) }]
//! };
//! let mut out = Vec::new();
//! for ev in at(0, 60_000) {
//!     ex.on_market(&ev, &mut out);
//! }
//! let config = CrowdConfig { mode: Mode::Impact, initial_spread_bps: 300, ..Default::default() };
//! let mut crowd = Crowd::new(config, &ex).unwrap();
//! crowd.seed_spread(&mut ex, Qty::from_int(100), Price::from_int(60_000), &mut out).unwrap();
//! // Liquidity stacked below and above: crowd notional liquidated by a 10 % move.
//! let before = crowd.heatmap_summary(t0, Price::from_int(60_000));
//! assert!(before.within(1000).unwrap().longs_below.is_positive());
//! // A 10 % slide, one step a minute.
//! let slide = (1..=10).flat_map(|k| at(60 * k, 60_000 - 600 * k));
//! let run = replay(&mut ex, &mut crowd, slide);
//! assert!(run.crowd_liquidations > 0);
//! check_invariants(&ex).unwrap();
//! crowd.check_consistency(&ex).unwrap();
//! print!("{}", cascade_crowd::cascade_report(crowd.record(), 5));
//! ```

pub mod calibrate;
mod config;
mod csv;
mod dist;
mod driver;
mod error;
pub mod fidelity;
pub mod heatmap;
pub mod impact;
pub mod model;
mod record;
mod report;
mod rng;

pub use calibrate::{calibrate, CalibrationFit, CalibrationGrid, CalibrationInput, FitPoint};
pub use config::{ClosingRule, CrowdConfig, HeatmapConfig, Mode, RatioFollow};
pub use csv::{heatmap_csv, liquidations_csv};
pub use dist::{CushionDist, LeverageDist, LeverageWeight, SizeDist};
pub use driver::{replay, replay_with, with_oi_path, CrowdRun};
pub use error::CrowdError;
pub use fidelity::{fidelity_table, FidelityRow, FidelityTable, Published, PublishedRow, Scope};
pub use heatmap::{Bucket, HeatBand, HeatSummary, Heatmap, BANDS_MAX};
pub use model::{Crowd, Manifest, SeedPosition};
pub use record::{
    AdlEvent, CrowdStats, FundPoint, HeatSnapshot, Instant, IntervalTally, ModelledLiquidation,
    Record, Round,
};
pub use report::{cascade_report, heatmap_svg};
pub use rng::{det_exp, Rng};
