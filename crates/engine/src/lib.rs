//! The replay engine of cascade: the total-order event loop, market state, latency
//! scheduling, the run journal with its rolling hash, the pipeline threads, and sweeps.
//!
//! A run is the fold of its ordered input events: the engine pushes them, in the one total
//! order ([`order`]), through the market view and the exchange model, calls the strategy, and
//! schedules its commands after the order-entry latency ([`scheduler`]). Every input and
//! output is a journal [`Record`] with a sequence number, chained into a rolling hash
//! ([`codec`]); [`verify`] re-runs a journal and checks it bit for bit.
//!
//! ```
//! use cascade_engine::{run, ExecConfig, RunSpec};
//! use cascade_journal::Writer;
//! use cascade_strategy::{Params, Registry};
//! use cascade_types::*;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let log = dir.path().join("btc.clog");
//! let btc = InstrumentSpec::new("binance-um", "BTCUSDT", InstrumentKind::LinearPerp, "BTC", "USDT");
//! let mut w = Writer::create(&log, vec![btc], "example")?;
//! for i in 0..100 {
//!     w.write(&Event {
//!         ts: Ts::from_secs(1_760_000_000 + i).unwrap(),
//!         instrument: InstrumentId(0),
//!         body: EventBody::Trade(Trade {
//!             price: Price::from_int(60_000 + i),
//!             qty: "0.5".parse()?,
//!             aggressor: Side::Buy,
//!             trade_id: i as u64,
//!         }),
//!     })?;
//! }
//! w.finish()?;
//!
//! let spec = RunSpec::new(vec![log], "noop", Params::new(), "binance-usdm".parse()?);
//! let out = dir.path().join("run");
//! let outcome = run(&spec, &Registry::with_builtins(), Some(&out), &ExecConfig::default())?;
//! assert_eq!(outcome.manifest.final_state.market_events, 100);
//! // The run can be re-run from its journal and checked bit for bit.
//! let verified = cascade_engine::verify(&out, &Registry::with_builtins(), &ExecConfig::default())?;
//! assert_eq!(format!("{:016x}", verified.final_hash), outcome.manifest.journal.final_hash);
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod adl_watch;
pub mod bars;
pub mod codec;
mod collect;
mod config;
mod engine;
mod error;
mod execute;
pub mod files;
mod latency;
mod manifest;
pub mod order;
pub mod pipeline;
mod record;
mod replay;
mod reports;
mod run;
pub mod run_journal;
pub mod scheduler;
mod shards;
mod source;
mod state;
pub mod sweep;
pub mod venue;
mod views;

pub use adl_watch::{AdlExposure, QueueSpot};
pub use cascade_crowd::CrowdConfig;
pub use cascade_exchange::{FundSetting, VenueKind, VenuePreset};
pub use collect::{MarketTotals, RunData};
pub use config::{CrowdBook, CrowdSetup, ExecConfig, Progress, RunConfig};
pub use error::EngineError;
pub use latency::{LatencyStats, Stopwatch};
pub use manifest::{
    params_to_json, CrowdManifest, JournalInfo, Manifest, ENGINE_VERSION, MANIFEST_VERSION,
};
pub use pipeline::PipelineConfig;
pub use record::{Record, RecordBody, Sample};
pub use replay::{verify, Verified};
pub use reports::report_record;
pub use run::{run, run_inputs, RunOutcome, RunSpec};
pub use shards::merge_results;
pub use source::{
    open_logs, CheckedAgainstLogs, EventSource, InputInfo, Inputs, JournalMarket, VecSource,
};
pub use state::{AccountFinal, FinalState};
pub use sweep::{sweep, JobResult, Shard, Sweep, SweepJob, SweepResults};
pub use venue::{build_exchange, calibrate_logs, CalibrateSpec};
