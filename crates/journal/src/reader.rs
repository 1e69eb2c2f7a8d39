//! The streaming reader: constant memory, every byte verified.
//!
//! A block is read whole into one reused buffer, its checksum verified, and all its events
//! decoded from that slice (decoding from the file one event at a time is several times
//! slower) and checked: instrument ids within the table, timestamps never decreasing. Only
//! then are they handed out, one of two ways sharing one position:
//! - [`Reader::next_block`] fills a caller's reused `Vec<Event>` with a block at a time —
//!   the fast path, no allocation per event;
//! - `Reader` is an [`Iterator`] of `Result<Event>` (over an internal block of events).
//!
//! The log-wide checks (block and event counts, content hash, time span against the header)
//! run when the last block has been consumed, so a caller who needs the whole log known-good
//! reads until `Ok(false)` / `None`. Memory is one block of bytes and one block of events,
//! whatever the file size.

use crate::codec;
use crate::error::{JournalError, Location, Region, Result};
use crate::format::{Header, EVENT_LOG};
use crate::frame::FrameReader;
use cascade_types::{Event, Ts};
use std::path::Path;
use xxhash_rust::xxh3::Xxh3Default;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Reading,
    /// All blocks read and the log-wide checks passed.
    Done,
    /// An error was returned; nothing more is handed out.
    Failed,
}

/// Reads an event log written by [`crate::Writer`], verifying it as it goes.
///
/// After the first error the reader is finished: [`Reader::next_block`] returns `Ok(false)`
/// and the iterator `None`.
pub struct Reader {
    /// The framing: preamble, footer, block frames and checksums.
    frames: FrameReader,
    header: Header,
    state: State,
    /// Events decoded (and checked) so far, handed out or not.
    events_decoded: u64,
    /// Decoded events not yet handed out by the iterator: `pending[pending_pos..]`.
    pending: Vec<Event>,
    pending_pos: usize,
    first_ts: Option<Ts>,
    last_ts: Option<Ts>,
    content: Xxh3Default,
}

impl Reader {
    /// Opens a log: checks the magic and version, then reads the footer and the header (stored
    /// as the trailer) so that [`Reader::header`] is known before the first event.
    ///
    /// A file that was never finished, or was cut short, fails here with
    /// [`JournalError::Unfinished`] or [`JournalError::Truncated`].
    pub fn open(path: impl AsRef<Path>) -> Result<Reader> {
        let frames = FrameReader::open(path.as_ref(), &EVENT_LOG)?;
        let header =
            codec::decode_header(frames.trailer()).map_err(|e| JournalError::Undecodable {
                at: frames.at(Region::Trailer, frames.trailer_offset()),
                what: "the header".to_string(),
                detail: e.0,
            })?;
        Ok(Reader {
            frames,
            header,
            state: State::Reading,
            events_decoded: 0,
            pending: Vec::new(),
            pending_pos: 0,
            first_ts: None,
            last_ts: None,
            content: Xxh3Default::new(),
        })
    }

    /// The log's header: instrument table, source, event count, content hash, time span.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The path this reader was opened with.
    pub fn path(&self) -> &Path {
        self.frames.path()
    }

    /// Number of blocks in the log, from its footer.
    pub fn block_count(&self) -> u64 {
        self.frames.block_count()
    }

    /// Total size of the file in bytes.
    pub fn file_bytes(&self) -> u64 {
        self.frames.file_bytes()
    }

    /// Events handed out so far.
    pub fn events_read(&self) -> u64 {
        self.events_decoded - (self.pending.len() - self.pending_pos) as u64
    }

    /// Fills `out` (cleared first) with the next events: the rest of the block the iterator
    /// was in, or the whole next block. Returns `Ok(false)`, with `out` empty, once the log
    /// is exhausted **and** its counts, content hash and time span matched the header.
    ///
    /// `out` is reused: once it has grown to a block's worth of events, reading allocates
    /// nothing more. A block's events are handed out only after all of them decoded and
    /// passed the order and instrument checks.
    pub fn next_block(&mut self, out: &mut Vec<Event>) -> Result<bool> {
        out.clear();
        if self.state != State::Reading {
            return Ok(false);
        }
        if self.pending_pos < self.pending.len() {
            out.extend_from_slice(&self.pending[self.pending_pos..]);
            self.pending.clear();
            self.pending_pos = 0;
            return Ok(true);
        }
        let r = self.load_block(out);
        if r.is_err() {
            out.clear();
            self.state = State::Failed;
        }
        r
    }

    fn at(&self, region: Region, offset: u64) -> Location {
        self.frames.at(region, offset)
    }

    /// Reads the next block, verifies its frame and checksum, decodes its events into `out`
    /// (which must be empty) and checks them. Returns `false` (after the log-wide checks)
    /// when the block region is exhausted.
    fn load_block(&mut self, out: &mut Vec<Event>) -> Result<bool> {
        debug_assert!(out.is_empty());
        let Some(block) = self.frames.next_block()? else {
            self.verify_end()?;
            self.state = State::Done;
            return Ok(false);
        };
        let payload = self.frames.payload();
        self.content.update(payload);
        let first_index = self.events_decoded;
        if let Err(e) = codec::decode_block(payload, block.items as usize, out) {
            return Err(self.undecodable(
                e,
                block.index,
                block.payload_at,
                block.items,
                first_index,
            ));
        }
        self.check_events(out, block.index, block.payload_at)?;
        self.events_decoded += out.len() as u64;
        Ok(true)
    }

    #[cold]
    fn undecodable(
        &self,
        e: codec::BlockError,
        block: u64,
        payload_at: u64,
        count: u32,
        first_index: u64,
    ) -> JournalError {
        match e {
            codec::BlockError::Undecodable {
                index,
                offset,
                detail,
            } => JournalError::Undecodable {
                at: self.at(Region::Block(block), payload_at + offset as u64),
                what: format!(
                    "event {} (event {index} of the block)",
                    first_index + index as u64
                ),
                detail,
            },
            codec::BlockError::Trailing { used } => JournalError::Malformed {
                at: self.at(Region::Block(block), payload_at + used as u64),
                detail: format!(
                    "the block frame says {count} events, which end at payload byte {used}, \
                     but the payload has {} bytes",
                    self.frames.payload().len()
                ),
            },
        }
    }

    /// Checks a freshly decoded block: instruments within the table, timestamps never
    /// decreasing (from the previous block on). Records the first and last timestamps.
    #[inline]
    fn check_events(&mut self, events: &[Event], block: u64, payload_at: u64) -> Result<()> {
        let table_len = self.header.instruments.len();
        let mut previous_ts = self.last_ts.unwrap_or(Ts::MIN);
        for (i, event) in events.iter().enumerate() {
            if event.instrument.index() >= table_len || event.ts < previous_ts {
                return Err(self.bad_event(events, i, block, payload_at));
            }
            previous_ts = event.ts;
        }
        if let (Some(first), Some(last)) = (events.first(), events.last()) {
            self.first_ts.get_or_insert(first.ts);
            self.last_ts = Some(last.ts);
        }
        Ok(())
    }

    #[cold]
    fn bad_event(&self, events: &[Event], i: usize, block: u64, payload_at: u64) -> JournalError {
        let event = events[i];
        let at = self.at(
            Region::Block(block),
            payload_at + codec::event_offset(self.frames.payload(), i) as u64,
        );
        let index = self.events_decoded + i as u64;
        let table_len = self.header.instruments.len() as u64;
        if event.instrument.index() as u64 >= table_len {
            return JournalError::UnknownInstrument {
                at,
                index,
                instrument: event.instrument,
                table_len,
            };
        }
        let previous_ts = match i {
            0 => self.last_ts.unwrap_or(Ts::MIN),
            _ => events[i - 1].ts,
        };
        JournalError::OutOfOrder {
            at,
            index,
            previous_ts,
            ts: event.ts,
        }
    }

    /// The log-wide checks once the blocks are exhausted (the framing has checked the block
    /// count).
    fn verify_end(&mut self) -> Result<()> {
        let at = self.at(Region::Trailer, self.frames.trailer_offset());
        if self.events_decoded != self.header.event_count {
            return Err(JournalError::CountMismatch {
                at,
                what: "event",
                header: self.header.event_count,
                found: self.events_decoded,
            });
        }
        let computed = self.content.digest();
        if computed != self.header.content_hash {
            return Err(JournalError::HashMismatch {
                at,
                header: self.header.content_hash,
                computed,
            });
        }
        if (self.first_ts, self.last_ts) != (self.header.first_ts, self.header.last_ts) {
            return Err(JournalError::Malformed {
                at,
                detail: format!(
                    "the header says the events span {} .. {}, they span {} .. {}",
                    show(self.header.first_ts),
                    show(self.header.last_ts),
                    show(self.first_ts),
                    show(self.last_ts)
                ),
            });
        }
        Ok(())
    }
}

fn show(ts: Option<Ts>) -> String {
    ts.map_or_else(|| "(none)".to_string(), |t| t.to_string())
}

impl Iterator for Reader {
    type Item = Result<Event>;

    fn next(&mut self) -> Option<Result<Event>> {
        if self.state != State::Reading {
            return None;
        }
        if self.pending_pos == self.pending.len() {
            let mut pending = std::mem::take(&mut self.pending);
            pending.clear();
            self.pending_pos = 0;
            let r = self.load_block(&mut pending);
            self.pending = pending;
            match r {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => {
                    self.pending.clear();
                    self.state = State::Failed;
                    return Some(Err(e));
                }
            }
        }
        let event = self.pending[self.pending_pos];
        self.pending_pos += 1;
        Some(Ok(event))
    }
}

impl std::iter::FusedIterator for Reader {}
