//! The catalogue of historical leverage resets cascade scores strategies against, and their
//! **reconstructions**.
//!
//! A [`Scenario`] is one file in `fixtures/scenarios/`: the reset's window and crash window,
//! its instruments, the venue rules in force (by the exchange crate's preset id and the date
//! of the margin-tier table), the **published figures** with their sources and confidence
//! (and, by name, the ones that were looked for and not found), the real data files that
//! cover it, and the parameters of its reconstruction.
//!
//! The real market data cannot ship with the project, so every scenario can be rebuilt
//! synthetically: [`Scenario::reconstruct`] is a documented, seeded generator that passes
//! through the published anchors exactly (the price before, the low at its published time,
//! the first-leg low, the recovery), and emits 1-minute last-price and mark-price bars,
//! funding settlements, open interest, long/short ratios, taker volume, ±1…5 % depth bands
//! and recorded liquidations summing exactly to the published totals scaled to the modelled
//! venue — plus a spot market for spot-versus-leverage signals. It is labelled
//! `reconstruction (synthetic, seed N) of <title> from published figures` wherever it is
//! used ([`Reconstruction::description`]).
//!
//! The rules are written where they are applied: [`Plan`] (how anchors are resolved), and the
//! module docs of the path, bars, flow, spot, liquidations, metrics, depth and funding
//! generators; `fixtures/scenarios/README.md` gathers them for people adding a scenario.
//! Randomness is SplitMix64 with named streams, written out in this crate so values never
//! change with a dependency; floats are used only in correctly rounded IEEE operations
//! (`+ − × ÷ √`, no `ln`/`exp`/`cos` from a libm) and become fixed-point by explicit rounding,
//! so the same file gives the same events on every platform.
//!
//! ```
//! use cascade_scenario::load_dir;
//! use cascade_types::{BarSource, EventBody, EventKind};
//! use std::path::Path;
//!
//! let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/scenarios");
//! let catalogue = load_dir(&dir).unwrap();
//! let ten_ten = catalogue.iter().find(|s| s.id == "2025-10-10-tariff-crash").unwrap();
//! assert_eq!(ten_ten.figures.low.value.to_string(), "101516.5");
//!
//! let r = ten_ten.reconstruct();
//! assert!(r.description.starts_with("reconstruction (synthetic, seed"));
//! // The lowest last price of the perp is the published low, in the bar of 21:20.
//! let low = r
//!     .events
//!     .iter()
//!     .filter_map(|e| match e.body {
//!         EventBody::Bar(b) if e.instrument == r.perp && b.source == BarSource::Last => {
//!             Some((b.low, b.open_time))
//!         }
//!         _ => None,
//!     })
//!     .min()
//!     .unwrap();
//! assert_eq!(low.0.to_string(), "101516.5");
//! assert_eq!(low.1.to_string(), "2025-10-10T21:20:00Z");
//! assert!(r.events.iter().any(|e| e.kind() == EventKind::Liquidation));
//! ```
#![deny(missing_docs)]

mod allocate;
mod bars;
mod de;
mod depth;
mod error;
mod figures;
mod flow;
mod funding;
mod liquidations;
mod load;
mod metrics;
mod params;
mod path;
mod plan;
mod reconstruct;
mod rng;
mod scenario;
mod spot;
mod ticks;
mod units;
mod validate;

pub use error::ScenarioError;
pub use figures::{
    Confidence, Fact, FactTopic, Figures, FundingFigure, FundingSeries, FundingSign,
    LiquidationFigure, OpenInterestFigure, PriceFigure, Settlement,
};
pub use liquidations::liquidation_notional;
pub use load::{load, load_dir, parse};
pub use params::{
    DepthParams, FlowParams, FundingParams, GeneratorParams, LiquidationParams, LongShortParams,
    OpenInterestParams, PathParams, SpotParams,
};
pub use plan::{Plan, PricePoint, Trough};
pub use reconstruct::Reconstruction;
pub use scenario::{RealData, Scenario, ScenarioInstrument, VenueRulesRef, Window};
