//! The streaming writer: events in, one forward pass of blocks out, the header last.
//!
//! Memory is one reusable block buffer (about [`BLOCK_TARGET_BYTES`]) plus the instrument
//! table, whatever the number of events.

use crate::codec;
use crate::error::{JournalError, Location, Region, Result};
use crate::format::{
    preamble, BlockHeader, Footer, Header, BLOCK_HEADER_LEN, BLOCK_TARGET_BYTES, END_MAGIC,
    PREAMBLE_LEN,
};
use cascade_types::{Event, InstrumentId, InstrumentSpec, Ts};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::{xxh3_64, Xxh3Default};

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
    file: File,
    instruments: Vec<InstrumentSpec>,
    source: String,
    /// The block being filled: `BLOCK_HEADER_LEN` bytes reserved for its frame, then payload.
    block: Vec<u8>,
    block_events: u32,
    /// Blocks already written; also the index of the block being filled.
    block_count: u64,
    /// Bytes already written; also the file offset of the block being filled.
    offset: u64,
    event_count: u64,
    first_ts: Option<Ts>,
    last_ts: Option<Ts>,
    content: Xxh3Default,
    /// Set when a write to the file failed: what is on disk no longer matches the writer's
    /// state, so nothing more may be written and the log cannot be finished.
    broken: bool,
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
        let mut file = File::create(&path).map_err(|source| JournalError::Io {
            at: at(Region::Preamble, 0),
            doing: "creating the log",
            source,
        })?;
        file.write_all(&preamble())
            .map_err(|source| JournalError::Io {
                at: at(Region::Preamble, 0),
                doing: "writing the preamble",
                source,
            })?;
        let mut block = Vec::with_capacity(BLOCK_HEADER_LEN + BLOCK_TARGET_BYTES + 256);
        block.resize(BLOCK_HEADER_LEN, 0);
        Ok(Writer {
            path,
            file,
            instruments,
            source: source.into(),
            block,
            block_events: 0,
            block_count: 0,
            offset: PREAMBLE_LEN,
            event_count: 0,
            first_ts: None,
            last_ts: None,
            content: Xxh3Default::new(),
            broken: false,
        })
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
        Location {
            path: self.path.clone(),
            region: Region::Block(self.block_count),
            offset: self.offset,
        }
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
        let before = self.block.len();
        if let Err(e) = codec::encode_event(event, &mut self.block) {
            self.block.truncate(before);
            return Err(JournalError::Unencodable {
                at: self.here(),
                what: format!("event {index}"),
                detail: e.0,
            });
        }
        self.block_events += 1;
        self.event_count += 1;
        self.first_ts.get_or_insert(event.ts);
        self.last_ts = Some(event.ts);
        if self.block.len() - BLOCK_HEADER_LEN >= BLOCK_TARGET_BYTES {
            self.flush_block()?;
        }
        Ok(())
    }

    /// Appends events in order; stops at the first refused one (see [`Writer::write`]).
    pub fn write_all<'a>(&mut self, events: impl IntoIterator<Item = &'a Event>) -> Result<()> {
        for event in events {
            self.write(event)?;
        }
        Ok(())
    }

    fn check_not_broken(&self) -> Result<()> {
        if self.broken {
            return Err(JournalError::Io {
                at: self.here(),
                doing: "writing after an earlier write failed",
                source: std::io::Error::other("the log is incomplete and cannot be continued"),
            });
        }
        Ok(())
    }

    fn flush_block(&mut self) -> Result<()> {
        debug_assert!(self.block_events > 0);
        let payload = &self.block[BLOCK_HEADER_LEN..];
        // The target keeps payloads near 64 KiB, far below u32::MAX.
        let frame = BlockHeader {
            payload_len: payload.len() as u32,
            event_count: self.block_events,
            checksum: xxh3_64(payload),
        };
        self.content.update(payload);
        self.block[..BLOCK_HEADER_LEN].copy_from_slice(&frame.to_bytes());
        if let Err(source) = self.file.write_all(&self.block) {
            self.broken = true;
            return Err(JournalError::Io {
                at: self.here(),
                doing: "writing a block",
                source,
            });
        }
        self.offset += self.block.len() as u64;
        self.block_count += 1;
        self.block.truncate(BLOCK_HEADER_LEN);
        self.block_events = 0;
        Ok(())
    }

    /// Writes the last block, the header (as the trailer) and the footer, and closes the
    /// file. Only a finished log can be read.
    ///
    /// The file is flushed to the operating system but not synced to disk (`fsync`): a
    /// crash of the machine right after may leave it unfinished or damaged, which a reader
    /// reports. Callers that need durability sync the file themselves.
    pub fn finish(mut self) -> Result<WriteSummary> {
        self.check_not_broken()?;
        if self.block_events > 0 {
            self.flush_block()?;
        }
        let header = Header {
            instruments: std::mem::take(&mut self.instruments),
            source: std::mem::take(&mut self.source),
            event_count: self.event_count,
            content_hash: self.content.digest(),
            first_ts: self.first_ts,
            last_ts: self.last_ts,
        };
        let at = Location {
            path: self.path.clone(),
            region: Region::Trailer,
            offset: self.offset,
        };
        let trailer = codec::encode_header(&header).map_err(|e| JournalError::Unencodable {
            at: at.clone(),
            what: "the header".to_string(),
            detail: e.0,
        })?;
        let footer = Footer {
            trailer_offset: self.offset,
            trailer_len: trailer.len() as u64,
            trailer_checksum: xxh3_64(&trailer),
            block_count: self.block_count,
            end_magic: END_MAGIC,
        };
        let io = |source| JournalError::Io {
            at: at.clone(),
            doing: "writing the trailer",
            source,
        };
        self.file.write_all(&trailer).map_err(io)?;
        self.file.write_all(&footer.to_bytes()).map_err(io)?;
        self.file.flush().map_err(io)?;
        let file_bytes = self.offset + trailer.len() as u64 + footer.to_bytes().len() as u64;
        Ok(WriteSummary {
            path: self.path,
            header,
            block_count: self.block_count,
            file_bytes,
        })
    }
}
