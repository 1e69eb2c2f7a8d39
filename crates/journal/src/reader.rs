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
use crate::error::{Bytes8, JournalError, Location, Region, Result};
use crate::format::{
    BlockHeader, Footer, Header, BLOCK_HEADER_LEN, BLOCK_MAX_BYTES, END_MAGIC, FOOTER_LEN,
    FORMAT_VERSION, MAGIC, PREAMBLE_LEN, TRAILER_MAX_BYTES,
};
use cascade_types::{Event, Ts};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::{xxh3_64, Xxh3Default};

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
    path: PathBuf,
    file: File,
    header: Header,
    footer: Footer,
    state: State,
    /// File offset of the next block frame to read.
    next_offset: u64,
    /// Blocks loaded so far.
    blocks_read: u64,
    /// The payload of the last block loaded lives in `buf[..payload_len]`; `buf` only grows.
    buf: Vec<u8>,
    payload_len: usize,
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
        let path = path.as_ref().to_path_buf();
        let at = |region, offset| Location {
            path: path.clone(),
            region,
            offset,
        };
        let io = |region, offset, doing| {
            let at = at(region, offset);
            move |source| JournalError::Io { at, doing, source }
        };

        let mut file = File::open(&path).map_err(io(Region::Preamble, 0, "opening the log"))?;
        let file_len = file
            .metadata()
            .map_err(io(Region::Preamble, 0, "reading the file size"))?
            .len();

        // Preamble: magic, then version.
        let mut pre = [0u8; PREAMBLE_LEN as usize];
        let have = file_len.min(PREAMBLE_LEN) as usize;
        file.read_exact(&mut pre[..have]).map_err(io(
            Region::Preamble,
            0,
            "reading the preamble",
        ))?;
        if have >= 8 && pre[..8] != MAGIC {
            let mut found = [0u8; 8];
            found.copy_from_slice(&pre[..8]);
            return Err(JournalError::BadMagic {
                at: at(Region::Preamble, 0),
                found: Bytes8(found),
            });
        }
        if have < PREAMBLE_LEN as usize {
            let head = have.min(8);
            if pre[..head] != MAGIC[..head] {
                // Too short to hold a magic, and not the start of one either.
                let mut found = [0u8; 8];
                found[..head].copy_from_slice(&pre[..head]);
                return Err(JournalError::BadMagic {
                    at: at(Region::Preamble, 0),
                    found: Bytes8(found),
                });
            }
            return Err(JournalError::Truncated {
                at: at(Region::Preamble, 0),
                part: "preamble",
                needed: PREAMBLE_LEN,
                available: file_len,
            });
        }
        let version = u32::from_le_bytes([pre[8], pre[9], pre[10], pre[11]]);
        if version != FORMAT_VERSION {
            return Err(JournalError::UnsupportedVersion {
                at: at(Region::Preamble, 8),
                found: version,
                supported: FORMAT_VERSION,
            });
        }

        // Footer.
        if file_len < PREAMBLE_LEN + FOOTER_LEN {
            return Err(JournalError::Truncated {
                at: at(Region::Footer, PREAMBLE_LEN),
                part: "footer",
                needed: FOOTER_LEN,
                available: file_len - PREAMBLE_LEN,
            });
        }
        let footer_offset = file_len - FOOTER_LEN;
        let mut fb = [0u8; FOOTER_LEN as usize];
        file.seek(SeekFrom::Start(footer_offset))
            .and_then(|_| file.read_exact(&mut fb))
            .map_err(io(Region::Footer, footer_offset, "reading the footer"))?;
        let footer = Footer::from_bytes(&fb);
        if footer.end_magic != END_MAGIC {
            return Err(JournalError::Unfinished {
                at: at(Region::Footer, file_len - 8),
                found: Bytes8(footer.end_magic),
            });
        }
        let trailer_end = footer.trailer_offset.checked_add(footer.trailer_len);
        if footer.trailer_offset < PREAMBLE_LEN
            || footer.trailer_len > TRAILER_MAX_BYTES
            || trailer_end != Some(footer_offset)
        {
            return Err(JournalError::Malformed {
                at: at(Region::Footer, footer_offset),
                detail: format!(
                    "expected the trailer to fill bytes {PREAMBLE_LEN}.. up to the footer at {footer_offset} \
                     (at most {TRAILER_MAX_BYTES} bytes), the footer says {} bytes at {}",
                    footer.trailer_len, footer.trailer_offset
                ),
            });
        }

        // Trailer (the header).
        let mut trailer = vec![0u8; footer.trailer_len as usize];
        file.seek(SeekFrom::Start(footer.trailer_offset))
            .and_then(|_| file.read_exact(&mut trailer))
            .map_err(io(
                Region::Trailer,
                footer.trailer_offset,
                "reading the trailer",
            ))?;
        let computed = xxh3_64(&trailer);
        if computed != footer.trailer_checksum {
            return Err(JournalError::ChecksumMismatch {
                at: at(Region::Trailer, footer.trailer_offset),
                part: "trailer",
                stored: footer.trailer_checksum,
                computed,
            });
        }
        let header = codec::decode_header(&trailer).map_err(|e| JournalError::Undecodable {
            at: at(Region::Trailer, footer.trailer_offset),
            what: "the header".to_string(),
            detail: e.0,
        })?;

        file.seek(SeekFrom::Start(PREAMBLE_LEN)).map_err(io(
            Region::Block(0),
            PREAMBLE_LEN,
            "seeking to the first block",
        ))?;
        Ok(Reader {
            path,
            file,
            header,
            footer,
            state: State::Reading,
            next_offset: PREAMBLE_LEN,
            blocks_read: 0,
            buf: Vec::new(),
            payload_len: 0,
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
        &self.path
    }

    /// Number of blocks in the log, from its footer.
    pub fn block_count(&self) -> u64 {
        self.footer.block_count
    }

    /// Total size of the file in bytes.
    pub fn file_bytes(&self) -> u64 {
        self.footer.trailer_offset + self.footer.trailer_len + FOOTER_LEN
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
        Location {
            path: self.path.clone(),
            region,
            offset,
        }
    }

    /// Reads the next block, verifies its frame and checksum, decodes its events into `out`
    /// (which must be empty) and checks them. Returns `false` (after the log-wide checks)
    /// when the block region is exhausted.
    fn load_block(&mut self, out: &mut Vec<Event>) -> Result<bool> {
        debug_assert!(out.is_empty());
        let region_end = self.footer.trailer_offset;
        if self.next_offset == region_end {
            self.verify_end()?;
            self.state = State::Done;
            return Ok(false);
        }
        let index = self.blocks_read;
        let offset = self.next_offset;
        let left = region_end - offset;
        if left < BLOCK_HEADER_LEN as u64 {
            return Err(JournalError::Malformed {
                at: self.at(Region::Block(index), offset),
                detail: format!(
                    "expected a {BLOCK_HEADER_LEN}-byte block frame, \
                     only {left} bytes remain before the trailer"
                ),
            });
        }
        let mut fb = [0u8; BLOCK_HEADER_LEN];
        self.file
            .read_exact(&mut fb)
            .map_err(|source| JournalError::Io {
                at: self.at(Region::Block(index), offset),
                doing: "reading a block frame",
                source,
            })?;
        let frame = BlockHeader::from_bytes(&fb);
        let len = frame.payload_len as u64;
        let room = left - BLOCK_HEADER_LEN as u64;
        if frame.payload_len == 0
            || frame.payload_len > BLOCK_MAX_BYTES
            || len > room
            || frame.event_count == 0
            || frame.event_count as u64 * codec::MIN_EVENT_BYTES as u64 > len
        {
            return Err(JournalError::Malformed {
                at: self.at(Region::Block(index), offset),
                detail: format!(
                    "expected a block of 1..={BLOCK_MAX_BYTES} payload bytes \
                     (at most {room} before the trailer) holding 1..={} events, \
                     the frame says {} bytes and {} events",
                    len / codec::MIN_EVENT_BYTES as u64,
                    frame.payload_len,
                    frame.event_count
                ),
            });
        }
        let n = frame.payload_len as usize;
        if self.buf.len() < n {
            self.buf.resize(n, 0);
        }
        if let Err(source) = self.file.read_exact(&mut self.buf[..n]) {
            return Err(JournalError::Io {
                at: self.at(Region::Block(index), offset + BLOCK_HEADER_LEN as u64),
                doing: "reading a block payload",
                source,
            });
        }
        self.payload_len = n;
        let payload = &self.buf[..n];
        let computed = xxh3_64(payload);
        if computed != frame.checksum {
            return Err(JournalError::ChecksumMismatch {
                at: self.at(Region::Block(index), offset),
                part: "block payload",
                stored: frame.checksum,
                computed,
            });
        }
        self.content.update(payload);
        self.blocks_read += 1;
        self.next_offset = offset + BLOCK_HEADER_LEN as u64 + len;

        let payload_at = offset + BLOCK_HEADER_LEN as u64;
        let first_index = self.events_decoded;
        if let Err(e) = codec::decode_block(payload, frame.event_count as usize, out) {
            return Err(self.undecodable(e, index, payload_at, frame.event_count, first_index));
        }
        self.check_events(out, index, payload_at)?;
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
                    self.payload_len
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
            payload_at + codec::event_offset(&self.buf[..self.payload_len], i) as u64,
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

    fn verify_end(&mut self) -> Result<()> {
        let at = self.at(Region::Trailer, self.footer.trailer_offset);
        if self.blocks_read != self.footer.block_count {
            return Err(JournalError::CountMismatch {
                at,
                what: "block",
                header: self.footer.block_count,
                found: self.blocks_read,
            });
        }
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
