//! The historical-reset scoring suite: every strategy of a suite file × every scenario of
//! the catalogue → one [`Scorecard`](cascade_report::Scorecard) each, printed as a table,
//! written as JSON and as one HTML page with a chart per scenario. A risk team can call it
//! as a library; the `backtest` binary (`backtest score`, or no arguments at all) is a thin
//! layer over it.
//!
//! - [`Suite`]: the entries (label, strategy, parameters) and shared run settings, from a
//!   suite file (`fixtures/suite.toml`; the format is in [`Suite`]'s docs).
//! - [`run_suite`]: loads the scenarios ([`load_catalogue`]), maps each to its engine venue
//!   ([`venue_spec`]), prepares its data — the scenario's seeded **reconstruction**, and the
//!   **real** files of its `real_data` entries when a data directory is given (imported into
//!   a temporary event log) — and runs every (entry, scenario, data) in parallel, each run
//!   guarded against panics. The cards come back in a fixed order whatever the thread count.
//! - [`SuiteOutcome`]: cards, data sets, skips and failures; [`render_text`],
//!   [`SuiteOutcome::to_json`], [`render_html`] and [`write_outputs`].
//!
//! A bad scenario file, an unknown venue, missing real data, an engine error or a strategy
//! that panics fails that scenario or that run only: the rest completes and is reported, and
//! [`SuiteOutcome::is_success`] says whether anything failed.
//!
//! ```
//! use cascade_suite::{run_suite, DataKind, Suite, SuiteOptions};
//! use cascade_strategy::Registry;
//! use std::path::Path;
//!
//! let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
//! let suite = Suite::parse(
//!     "[[entry]]\nlabel = \"idle\"\nstrategy = \"noop\"\n",
//!     Path::new("inline.toml"),
//! )
//! .unwrap();
//! let mut options = SuiteOptions::new(root.join("fixtures/scenarios"));
//! options.scenarios = vec!["2025-02-03".into()];
//! let outcome = run_suite(&suite, &options, &Registry::with_builtins()).unwrap();
//!
//! assert!(outcome.is_success());
//! let card = outcome.card("idle", "2025-02-03-tariffs", DataKind::Reconstruction).unwrap();
//! assert_eq!(card.scorecard.liquidations, 0);
//! assert_eq!(card.venue, "binance-usdm@2024-05-30");
//! // Every report says the data was a reconstruction.
//! assert!(cascade_suite::render_text(&outcome).contains("2025-02-03-tariffs (reconstruction)"));
//! assert!(cascade_suite::render_html(&outcome).contains("reconstruction (synthetic, seed"));
//! ```
#![deny(missing_docs)]

mod archive;
mod card;
mod catalogue;
mod data;
mod error;
mod html;
mod outcome;
mod par;
mod record;
mod run;
mod suite_file;
mod text;
mod venue;
mod write;

pub use card::{Card, MarketFacts};
pub use catalogue::{load_catalogue, select_scenarios, ScenarioSlot};
pub use data::{data_dir_from_env, DataInfo, DataKind};
pub use error::SuiteError;
pub use html::{render_html, run_page_path};
pub use outcome::{EntryInfo, Failure, ScenarioInfo, Skip, SuiteOutcome};
pub use run::{run_suite, SuiteOptions};
pub use suite_file::{Suite, SuiteEntry};
pub use text::{comparison_rows, render_text, scenario_label};
pub use venue::{venue_spec, KNOWN_PRESETS};
pub use write::{write_outputs, Written};
