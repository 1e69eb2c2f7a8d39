//! The pure core of cascade's replay engine: the total-order event loop, market state,
//! latency scheduling, the intra-bar path, the exchange adapter, and the records a run
//! produces. **No threads, no files, no wall clock**: a run is a pure function of its
//! events, its strategy and its settings.
//!
//! A run is the fold of its ordered input events: the caller pushes them, in the one total
//! order ([`order`]), into the loop ([`Core::on_market`]), which runs them through the market
//! view and the exchange model ([`venue`]), calls the strategy, and schedules its commands
//! after the order-entry latency ([`scheduler`]). Every input and output becomes a
//! [`Record`] with a sequence number, handed to a [`RecordSink`] the caller provides; the
//! caller may also time the loop through [`Timing`] hooks (the engine itself never reads a
//! clock).
//!
//! Reading event logs, the decoder thread, the run journal and its rolling hash,
//! run directories, manifests, reports, sweeps and replays are the `cascade-run` crate's.
//!
//! ```
//! use cascade_engine::venue::Venue;
//! use cascade_engine::{Collector, Core, LoopConfig, RunConfig, Untimed};
//! use cascade_strategy::{Params, Registry};
//! use cascade_types::*;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let btc = InstrumentSpec::new("binance-um", "BTCUSDT", InstrumentKind::LinearPerp, "BTC", "USDT");
//! let instruments = vec![btc];
//! // The log holds trades only: name what stands in for the mark and funding (a run is
//! // refused otherwise), and the notes say so.
//! let config = RunConfig::default().with_defaults();
//! let start = Ts::from_secs(1_760_000_000).unwrap();
//! let mut venue = Venue::new(&"binance-usdm".parse()?, &instruments, Some(start), config.insurance_fund, None)?;
//! let account = venue.open_account(config.deposit);
//! let strategy = Registry::with_builtins().create("noop", &Params::new())?;
//! // Any `RecordSink` takes the records; a `Vec<Record>` keeps them all.
//! let mut core = Core::new(
//!     &instruments,
//!     venue,
//!     strategy,
//!     vec![account],
//!     LoopConfig::new(&config, false),
//!     Vec::new(),
//!     Untimed,
//! );
//! core.start()?;
//! for i in 0..100 {
//!     core.on_market(&Event {
//!         ts: start.plus_secs(i),
//!         instrument: InstrumentId(0),
//!         body: EventBody::Trade(Trade {
//!             price: Price::from_int(60_000 + i),
//!             qty: "0.5".parse()?,
//!             aggressor: Side::Buy,
//!             trade_id: i as u64,
//!         }),
//!     })?;
//! }
//! let finished = core.finish()?;
//! assert_eq!(finished.state.market_events, 100);
//! let mut collector = Collector::new(&instruments, vec![account], config.sample_interval_ns);
//! for r in &finished.records {
//!     collector.add(r);
//! }
//! assert!(!collector.finish().equity.is_empty());
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod adl_watch;
pub mod bars;
mod collect;
mod config;
mod engine;
mod error;
mod hooks;
pub mod order;
mod record;
pub mod scheduler;
mod state;
pub mod venue;
mod views;

pub use adl_watch::{AdlExposure, QueueSpot};
pub use cascade_crowd::CrowdConfig;
pub use collect::{Collector, MarketTotals, OutputCounts, RunData, KEEP_ORDER_OUTPUTS};
pub use config::{CrowdBook, CrowdSetup, FundingDefault, MarkDefault, RunConfig};
pub use engine::{Core, Finished, LoopConfig};
pub use error::EngineError;
pub use hooks::{RecordSink, Timing, Untimed};
pub use record::{Record, RecordBody, Sample};
pub use state::{AccountFinal, FinalState};
pub use venue::{
    build_exchange, calibrate_events, CrowdArtifacts, FundSetting, Venue, VenueKind, VenuePreset,
};
