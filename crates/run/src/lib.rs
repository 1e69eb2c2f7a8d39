//! Runs of cascade's engine in the world: everything around the pure loop of
//! [`cascade_engine`] that touches threads, files or the wall clock.
//!
//! - the decoder thread ([`pipeline`]; crossbeam-channel at the edge only), feeding the
//!   engine loop on the caller's thread, whose records are hashed, journaled and gathered on
//!   that same thread;
//! - the input event logs, merged in the one total order ([`open_logs`]);
//! - the run journal ([`run_journal`]): what the run adds to its inputs (which it names by
//!   content hash) in the journal crate's block-framed file format, and a rolling hash over
//!   every record, inputs included ([`codec`]);
//! - run directories ([`files`]), the manifest, the reports;
//! - sweeps over parameter grids, shards and their merge ([`mod@sweep`]);
//! - replay and verification ([`verify`]) of a finished run, bit for bit;
//! - the crowd's file-reading entry points and calibration ([`calibrate_logs`]);
//! - wall-clock latency histograms ([`LatencyStats`]), never part of a result.
//!
//! The engine's public API is re-exported, so a user of runs needs this crate only.
//!
//! ```
//! use cascade_run::{run, ExecConfig, RunSpec};
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
//! let mut spec = RunSpec::new(vec![log], "noop", Params::new(), "binance-usdm".parse()?);
//! // The log holds trades only: name what stands in for the mark and funding (the run is
//! // refused otherwise), and the report's notes say so.
//! spec.config = spec.config.with_defaults();
//! let out = dir.path().join("run");
//! let outcome = run(&spec, &Registry::with_builtins(), Some(&out), &ExecConfig::default())?;
//! assert_eq!(outcome.manifest.final_state.market_events, 100);
//! // The run can be re-run from its journal and checked bit for bit.
//! let verified = cascade_run::verify(&out, &Registry::with_builtins(), &ExecConfig::default())?;
//! assert_eq!(format!("{:016x}", verified.final_hash), outcome.manifest.journal.final_hash);
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

pub mod codec;
mod crowd;
mod error;
mod exec;
mod execute;
pub mod files;
mod latency;
mod manifest;
pub mod pipeline;
mod replay;
mod reports;
mod run;
pub mod run_journal;
mod shards;
mod sink;
mod source;
pub mod sweep;

pub use cascade_engine::*;
pub use crowd::{calibrate_logs, crowd_from_args, CalibrateSpec};
pub use error::RunError;
pub use exec::{ExecConfig, Progress};
pub use latency::{LatencyStats, Stopwatch};
pub use manifest::{
    params_to_json, CrowdManifest, JournalInfo, Manifest, ENGINE_VERSION, MANIFEST_VERSION,
};
pub use pipeline::PipelineConfig;
pub use replay::{verify, verify_each, Verified};
pub use reports::report_record;
pub use run::{run, run_inputs, RunOutcome, RunSpec};
pub use shards::merge_results;
pub use source::{open_logs, EventSource, InputInfo, Inputs, JournalMarket, VecSource};
pub use sweep::{sweep, JobResult, Shard, Sweep, SweepJob, SweepResults};
