//! The on-disk event log of cascade (`.clog`): a versioned preamble, checksummed blocks of
//! bincode-encoded [`Event`](cascade_types::Event)s, and a header (instrument table, source
//! description, event count, content hash, time span) stored as a trailer behind a fixed-size
//! footer. The byte layout is in [`mod@format`].
//!
//! - [`Writer`] streams events to a file in one pass, refusing out-of-order timestamps and
//!   unknown instruments; memory is one block buffer.
//! - [`Reader`] streams them back with constant memory, verifying every block checksum, the
//!   timestamp order, and at the end the counts and the content hash. Use
//!   [`Reader::next_block`] (fills a reused `Vec`) on hot paths, or iterate.
//! - [`Merge`] merges several logs in the one total order `(ts, source priority, seq within
//!   source)` onto a unified instrument table ([`merge_instruments`]).
//! - [`frame`] is the block framing itself, shared with the engine's run journal:
//!   [`FrameWriter`] and [`FrameReader`] over a [`Framing`] (magics, version), for any
//!   payload codec.
//! - [`summarize`] is `backtest inspect`: counts per kind and instrument, span, first and last
//!   events, with a stable text rendering.
//!
//! Bad bytes never panic and are never skipped: they give a [`JournalError`] naming the file,
//! the block and the byte offset.
//!
//! ```
//! use cascade_journal::{Reader, Writer};
//! use cascade_types::{Event, EventBody, InstrumentId, InstrumentKind, InstrumentSpec, Price, Ts};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("btc.clog");
//! let btc = InstrumentSpec::new("binance-um", "BTCUSDT", InstrumentKind::LinearPerp, "BTC", "USDT");
//!
//! let mut writer = Writer::create(&path, vec![btc], "example")?;
//! let events: Vec<Event> = (0..3)
//!     .map(|i| Event {
//!         ts: Ts::from_secs(1_760_000_000 + i).unwrap(),
//!         instrument: InstrumentId(0),
//!         body: EventBody::MarkPrice(Price::from_int(60_000 + i)),
//!     })
//!     .collect();
//! writer.write_all(&events)?;
//! let summary = writer.finish()?;
//! assert_eq!(summary.header.event_count, 3);
//!
//! let reader = Reader::open(&path)?;
//! assert_eq!(reader.header().instruments[0].symbol, "BTCUSDT");
//! let back: Vec<Event> = reader.collect::<Result<_, _>>()?;
//! assert_eq!(back, events);
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod codec;
mod error;
pub mod format;
pub mod frame;
mod merge;
mod reader;
mod retitle;
mod summary;
mod writer;

pub use error::{Bytes8, JournalError, Location, Region, Result};
pub use format::{Header, EVENT_LOG};
pub use frame::{Block, FrameReader, FrameSummary, FrameWriter, Framing};
pub use merge::{merge_instruments, InstrumentMap, Merge, MergeInput, MergedEvent};
pub use reader::Reader;
pub use retitle::{set_header_notes, set_source};
pub use summary::{summarize, Summary};
pub use writer::{WriteSummary, Writer};
