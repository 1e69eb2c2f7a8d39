//! `cascade-fetch`: real history from the **Binance public-data archive**
//! (`https://data.binance.vision`, layout documented in the `binance/binance-public-data`
//! repository), checksummed, cached and resumable.
//!
//! - [`archive`]: the archive's layout — markets, data types, daily and monthly files, and
//!   the path of each file and of its `.CHECKSUM`.
//! - [`select`]: which files to fetch — an explicit [`Selection`] (symbols × types × dates),
//!   or [`scenario_files`], the files covering a scenario's window (a pure function of the
//!   scenario file).
//! - [`download`]: the [`Fetcher`], which downloads them in a small pool of threads into a
//!   cache laid out like the archive, verifying every file against its SHA-256 before it is
//!   kept under its final name, resuming interrupted files with `Range` requests, skipping
//!   verified ones and listing the archive's missing days (HTTP 404) as gaps.
//! - [`cache`]: the cache directory and mirror from flags and the environment
//!   (`CASCADE_DATA_DIR`, `CASCADE_MIRROR`, `CASCADE_TARDIS_MIRROR`, `TARDIS_API_KEY`).
//! - [`tardis`] and [`tardis_fetch`]: **Tardis.dev** datasets as a second source
//!   (`<host>/v1/{exchange}/{data_type}/{YYYY}/{MM}/{DD}/{SYMBOL}.csv.gz`) into
//!   `<cache>/tardis/…`, each kept only when its gzip stream is whole and its header is the
//!   one our Tardis importer reads; without an API key only first-of-month days are asked for.
//!
//! The cached files are imported like any others (`backtest import <cache>/data`,
//! `backtest import <cache>/tardis`);
//! this crate does not parse them.

pub mod archive;
pub mod cache;
pub mod download;
mod error;
pub mod select;
pub mod tardis;
pub mod tardis_fetch;

pub use archive::{ArchiveFile, DataType, Day, Market, Period};
pub use download::{Fetcher, Outcome, Progress, Quiet, Summary, DEFAULT_MIRROR};
pub use error::FetchError;
pub use select::{scenario_files, scenarios_named, ScenarioFiles, Selection};
pub use tardis::{TardisFile, TardisSelection, TardisType, TARDIS_HOST};
pub use tardis_fetch::{TardisFetcher, TardisSummary, Verified};
