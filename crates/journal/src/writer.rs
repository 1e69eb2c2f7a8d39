//! The streaming writer: events in, one forward pass of blocks out, the header last.
//!
//! Memory is one reusable block buffer (about [`BLOCK_TARGET_BYTES`](crate::format::BLOCK_TARGET_BYTES)) plus the instrument
//! table, whatever the number of events.

use crate::codec;
use crate::error::{JournalError, Location, Region, Result};
use crate::format::{Header, EVENT_LOG};
use crate::frame::FrameWriter;
use cascade_types::{Event, InstrumentId, InstrumentSpec, Ts};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What [`Writer::finish`] wrote.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct WriteSummary {
    /// The log's path.
    pub path: PathBuf,
    /// The header as stored in the file (count, content hash and span filled in).
    pub header: Header,
    /// Number of blocks written.
    pub block_count: u64,
    /// Total file size in bytes.
    pub file_bytes: u64,
}

/// Writes an event log in one forward pass.
///
/// Events must come in non-decreasing `ts` order and refer to instruments of the table given
/// to [`Writer::create`]; anything else is refused with an error and not written (the writer
/// stays usable). A writer dropped without [`Writer::finish`] leaves a file without a footer,
/// which every reader reports as truncated.
pub struct Writer {
    path: PathBuf,
    /// The framing: blocks, checksums, the content hash over the payloads, the footer. After
    /// a failed write it is broken: nothing more may be written and the log cannot be
    /// finished.
    frames: FrameWriter,
    instruments: Vec<InstrumentSpec>,
    source: String,
    event_count: u64,
    first_ts: Option<Ts>,
    last_ts: Option<Ts>,
    quality: Vec<String>,
    flags: Vec<String>,
    max_bar_interval_s: u32,
    funding_settled: Vec<u32>,
}

impl Writer {
    /// Creates (or truncates) the file at `path` and writes the preamble.
    ///
    /// `instruments` is the log's instrument table: event instrument ids index it. Two
    /// entries with the same (venue, symbol, kind) are refused. `source` says where the
    /// events come from (for example which files were imported) and is stored verbatim.
    pub fn create(
        path: impl AsRef<Path>,
        instruments: Vec<InstrumentSpec>,
        source: impl Into<String>,
    ) -> Result<Writer> {
        let path = path.as_ref().to_path_buf();
        let at = |region, offset| Location {
            path: path.clone(),
            region,
            offset,
        };
        let mut seen = BTreeMap::new();
        for (i, spec) in instruments.iter().enumerate() {
            let key = (spec.venue.as_str(), spec.symbol.as_str(), spec.kind);
            if let Some(first) = seen.insert(key, i) {
                return Err(JournalError::InstrumentConflict {
                    at: at(Region::Preamble, 0),
                    detail: format!(
                        "instruments {first} and {i} of the table are both {} {} {}",
                        spec.venue, spec.symbol, spec.kind
                    ),
                });
            }
        }
        let frames = FrameWriter::create(&path, &EVENT_LOG, true)?;
        Ok(Writer {
            path,
            frames,
            instruments,
            source: source.into(),
            event_count: 0,
            first_ts: None,
            last_ts: None,
            quality: Vec::new(),
            flags: Vec::new(),
            max_bar_interval_s: 0,
            funding_settled: Vec::new(),
        })
    }

    /// Sets the data-quality report and flags stored in the header ([`Header::quality`],
    /// [`Header::flags`]).
    pub fn set_quality(&mut self, quality: Vec<String>, flags: Vec<String>) {
        self.quality = quality;
        self.flags = flags;
    }

    /// Appends an instrument to the table and returns its id, for sources that discover
    /// instruments while streaming (an importer meeting a new symbol). The table is stored in
    /// the trailer, so it may grow until [`Writer::finish`]. A (venue, symbol, kind) already in
    /// the table is refused, as in [`Writer::create`].
    pub fn add_instrument(&mut self, spec: InstrumentSpec) -> Result<InstrumentId> {
        self.check_not_broken()?;
        if let Some(i) = self
            .instruments
            .iter()
            .position(|s| s.venue == spec.venue && s.symbol == spec.symbol && s.kind == spec.kind)
        {
            return Err(JournalError::InstrumentConflict {
                at: self.here(),
                detail: format!(
                    "instrument {i} of the table is already {} {} {}",
                    spec.venue, spec.symbol, spec.kind
                ),
            });
        }
        self.instruments.push(spec);
        Ok(InstrumentId((self.instruments.len() - 1) as u32))
    }

    /// The instrument table so far.
    pub fn instruments(&self) -> &[InstrumentSpec] {
        &self.instruments
    }

    /// The path being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Events accepted so far.
    pub fn event_count(&self) -> u64 {
        self.event_count
    }

    fn here(&self) -> Location {
        self.frames.here()
    }

    /// Appends one event.
    ///
    /// Refuses (and does not write) an event whose `ts` is earlier than the previous event's
    /// ([`JournalError::OutOfOrder`], naming the event's index and both timestamps) or whose
    /// instrument is not in the table ([`JournalError::UnknownInstrument`]).
    ///
    /// After an I/O error the writer is broken: every later call fails, and the file (which
    /// has no footer) reads as unfinished.
    pub fn write(&mut self, event: &Event) -> Result<()> {
        self.check_not_broken()?;
        let index = self.event_count;
        if event.instrument.index() >= self.instruments.len() {
            return Err(JournalError::UnknownInstrument {
                at: self.here(),
                index,
                instrument: event.instrument,
                table_len: self.instruments.len() as u64,
            });
        }
        if let Some(previous_ts) = self.last_ts {
            if event.ts < previous_ts {
                return Err(JournalError::OutOfOrder {
                    at: self.here(),
                    index,
                    previous_ts,
                    ts: event.ts,
                });
            }
        }
        let block = self.frames.payload();
        let before = block.len();
        if let Err(e) = codec::encode_event(event, block) {
            block.truncate(before);
            return Err(JournalError::Unencodable {
                at: self.here(),
                what: format!("event {index}"),
                detail: e.0,
            });
        }
        self.event_count += 1;
        match &event.body {
            cascade_types::EventBody::Bar(b) => {
                self.max_bar_interval_s = self.max_bar_interval_s.max(b.interval_s);
            }
            cascade_types::EventBody::FundingSettlement(_) => {
                let id = event.instrument.0;
                if let Err(at) = self.funding_settled.binary_search(&id) {
                    self.funding_settled.insert(at, id);
                }
            }
            _ => {}
        }
        self.first_ts.get_or_insert(event.ts);
        self.last_ts = Some(event.ts);
        self.frames.end_item()
    }

    /// Appends events in order; stops at the first refused one (see [`Writer::write`]).
    pub fn write_all<'a>(&mut self, events: impl IntoIterator<Item = &'a Event>) -> Result<()> {
        for event in events {
            self.write(event)?;
        }
        Ok(())
    }

    fn check_not_broken(&self) -> Result<()> {
        self.frames.check_not_broken()
    }

    /// Writes the last block, the header (as the trailer) and the footer, and closes the
    /// file. Only a finished log can be read.
    ///
    /// The file is flushed to the operating system but not synced to disk (`fsync`): a
    /// crash of the machine right after may leave it unfinished or damaged, which a reader
    /// reports. Callers that need durability sync the file themselves.
    pub fn finish(mut self) -> Result<WriteSummary> {
        self.check_not_broken()?;
        self.frames.flush()?;
        let header = Header {
            instruments: std::mem::take(&mut self.instruments),
            source: std::mem::take(&mut self.source),
            event_count: self.event_count,
            content_hash: self.frames.content_hash(),
            first_ts: self.first_ts,
            last_ts: self.last_ts,
            quality: std::mem::take(&mut self.quality),
            flags: std::mem::take(&mut self.flags),
            max_bar_interval_s: self.max_bar_interval_s,
            funding_settled: std::mem::take(&mut self.funding_settled),
        };
        let at = Location {
            path: self.path.clone(),
            region: Region::Trailer,
            offset: self.frames.here().offset,
        };
        let trailer = codec::encode_header(&header).map_err(|e| JournalError::Unencodable {
            at,
            what: "the header".to_string(),
            detail: e.0,
        })?;
        let frames = self.frames.finish(&EVENT_LOG, &trailer, false)?;
        Ok(WriteSummary {
            path: self.path,
            header,
            block_count: frames.block_count,
            file_bytes: frames.file_bytes,
        })
    }
}
