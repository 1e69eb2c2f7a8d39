//! Importers of the market-data formats users have — Binance public data, Tardis.dev CSV,
//! `forceOrder` liquidation captures, raw Binance websocket captures, BitMEX bucketed bars
//! (JSON) and BitMEX daily trade dumps (CSV) — into a stream of
//! cascade [`Event`](cascade_types::Event)s.
//!
//! [`open`] a file (plain, `.gz` or `.zip`; the format detected from its name and first line,
//! or forced with [`ImportOptions::format`]) and iterate `Result<Event, ImportError>` in the
//! file's order, with constant memory. Instruments are resolved in an [`InstrumentTable`]:
//! in infer mode new (venue, symbol) pairs are added with a spec inferred from their names
//! ([`infer_spec`]); in strict mode (an instrument file) an unknown symbol is an error.
//!
//! Large CSV files are cut into chunks at line boundaries and parsed on
//! [`ImportOptions::threads`] threads; the events, instrument ids, notes, errors (file and
//! line) and log bytes are the same as a one-thread read's.
//!
//! [`import_parts`] and [`Parts::write`] are the one path from files to an event log (with
//! `cascade-journal`), used by `backtest import` and by the suite's real data alike.
//!
//! ```
//! use cascade_import::{open, ImportOptions, InstrumentTable};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("BTCUSDT-1m-2025-10-10.csv");
//! std::fs::write(
//!     &path,
//!     "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore\n\
//!      1760131200000,104000.0,104500.0,101516.5,102400.0,5000.123,1760131259999,515000000.5,90000,2000.1,206000000.25,0\n",
//! )?;
//!
//! let mut table = InstrumentTable::infer();
//! let events: Vec<_> =
//!     open(&path, &ImportOptions::default(), &mut table)?.collect::<Result<_, _>>()?;
//!
//! // A bar is stamped at its close: open 21:20 + 1 minute.
//! assert_eq!(events[0].ts.to_string(), "2025-10-10T21:21:00Z");
//! assert!(events[0].to_string().contains("l 101516.5"));
//! // The symbol came from the file name, the venue from the default (Binance USDⓈ-M).
//! let spec = &table.specs()[0];
//! assert_eq!((spec.venue.as_str(), spec.symbol.as_str()), ("binance-um", "BTCUSDT"));
//! # Ok(())
//! # }
//! ```
//!
//! # Formats
//!
//! See [`Format`] for each format's columns and events, and for the detection rules: a forced
//! format; a `<digits> {` first line is a websocket capture; a header selects the format with
//! exactly those columns (Tardis trades versus liquidations by `liquidations` in the name); a
//! header-less Binance file is told by its name (`-aggTrades-`, `-trades-`, `-1m-`) or shape.
//!
//! Files without a symbol column take the symbol from [`ImportOptions::symbol`] or the file
//! name (`BTCUSDT-bookDepth-2025-10-10.csv` → `BTCUSDT`), and the venue from
//! [`ImportOptions::venue`], a Binance public-data directory in the path, or the symbol
//! (`…USD_PERP` → `binance-cm`, else `binance-um`). Klines are last-price bars unless the
//! caller or the path (`markPriceKlines`, `markprice`, …) says otherwise. In a BitMEX trade
//! dump, which holds every symbol of a day, [`ImportOptions::symbol`] keeps only that symbol's
//! rows (the others count as rows without events).
//!
//! # Numbers
//!
//! Prices and quantities from a venue have at most 8 decimals and are parsed exactly: a value
//! with more is an error, not rounded. Columns the *source computed* as floats are rounded
//! half-even to 8 decimals ([`cascade_types::Price::parse_rounded`]):
//!
//! | format | rounded columns |
//! |---|---|
//! | klines | `quote_volume`, `taker_buy_quote_volume`; all prices of mark, index and premium klines |
//! | bookDepth | `depth`, `notional` |
//! | metrics, metrics export | open interest and its value, all ratios, `buyVol`, `sellVol` |
//! | fundingRate | `last_funding_rate` |
//! | Tardis derivative_ticker | `funding_rate`, `open_interest`, `index_price`, `mark_price` |
//! | websocket `markPriceUpdate` | `p`, `i`, `r` |
//!
//! Prices must be positive (premium-index values may have any sign), quantities ≥ 0 (> 0 for
//! trades and liquidations); `NaN`, `inf`, empty required cells and timestamps outside
//! 2009–2100 are errors.
//!
//! # Time order
//!
//! Events come in file order and each must not be earlier than the previous one from the same
//! file, else [`ImportError::OutOfOrder`] names the file and line — nothing is sorted or
//! dropped. Captures (websocket and `forceOrder` CSV), whose streams interleave, may step back
//! by up to [`ImportOptions::capture_backstep_ns_max`] (1 s by default); such events take the
//! previous time and are counted in [`ImportStats::clamped`]. Bars are stamped at their close.
//!
//! # Errors
//!
//! Every error names the file, and for bad rows the line, the column and what was expected
//! ([`ImportError`]); the first error ends the file's iteration.

mod binance;
mod bitmex;
mod bitmex_trades;
mod chunks;
mod container;
pub mod dated;
mod detect;
mod error;
mod force_order;
mod format;
mod instruments;
mod layout;
mod names;
mod options;
mod parser;
mod pipeline;
pub mod quality;
mod row;
mod source;
mod tardis;
mod to_log;
mod values;
mod ws_capture;

pub use container::Container;
pub use dated::{dated_spec, DatedSpec};
pub use error::{ImportError, Location};
pub use format::Format;
pub use instruments::{
    infer_spec, InstrumentEntry, InstrumentFile, InstrumentTable, SpecNote, TableMode,
};
pub use options::{parse_bar_source, ImportOptions, WsClock};
pub use parser::ImportStats;
pub use quality::{QualityPolicy, QualityReport};
pub use source::{open, Importer};
pub use to_log::{
    check_output, data_files, import_parts, FileReport, LogInput, OutputInstruments, Parts,
};
