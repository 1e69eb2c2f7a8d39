//! The run journal file (`journal.crun`): what a run adds to its inputs, in the journal
//! crate's block framing ([`cascade_journal::frame`]) with its own magics, and in the trailer
//! the input logs it read (by content hash), the record counts, the final rolling hash and the
//! final state.
//!
//! **What is stored.** Every record the run produces except its market inputs: commands,
//! arrivals, timers, exchange outputs (the crowd's trades and liquidations among them), bar
//! ticks, samples. A market record repeats an event of an input log, which is content-hashed
//! and named in the trailer, so it is only *hashed* as it streams, never stored: the journal
//! is a few percent of its inputs instead of 1.46× them. Records keep their run-wide `seq`,
//! so the stored ones have gaps where the market records were. A run over events held in
//! memory (no input log names them, [`crate::Inputs::from_events`]) stores its market records
//! too ([`JournalTrailer::inputs_stored`]), so that it can still be replayed.
//!
//! **The rolling hash** is over *every* record, stored or not, in the one total order (see
//! [`crate::codec`]): the same value whether a journal was written, only hashed, or stored its
//! inputs. [`JournalTrailer::stored_hash`] chains the stored records only, so a reader checks
//! the file on its own; the full hash is confirmed by a replay from the inputs.
//!
//! **Writing** happens on the engine's thread ([`crate::pipeline`]): records are appended to a
//! block buffer and a block of 64 KiB (the journal crate's block size) is written when full,
//! so a run writes a block every few thousand outputs. [`JournalWriter::finish`] writes the
//! last block, the trailer and the footer, then `sync_all()`s the file before renaming it into
//! place: the journal is small (commands and outputs only), so the sync costs a few
//! milliseconds, and a journal that is in place is on the disk.
//!
//! ```text
//! offset   size  field
//! 0        8     magic            b"CASCRUN\0"
//! 8        4     format version   u32 LE = FORMAT_VERSION
//! 12       ...   blocks, back to back, each:
//!   +0     4       payload length   u32 LE (at most BLOCK_MAX_BYTES)
//!   +4     4       record count     u32 LE (at least 1)
//!   +8     8       checksum         u64 LE, xxh3-64 of the payload
//!   +16    len     payload          records, each encoded by `codec::encode_record`
//! T        n     trailer          the encoded [`JournalTrailer`]
//! T+n      40    footer: trailer offset u64, trailer length u64, trailer checksum u64,
//!                block count u64, end magic b"CRUNEND\0"
//! ```
//!
//! Block boundaries fall by payload size only, never by how the engine batched its records,
//! so the file's bytes do not depend on batch sizes or thread counts. The writer writes to
//! `NAME.partial` and renames it to `NAME` only in [`JournalWriter::finish`], so an
//! interrupted run never leaves a journal that looks whole.
//!
//! The framing checks, in this order: magic, version, footer, trailer checksum; each block's
//! frame and checksum as it is reached; the block count. This module then checks each
//! record's decoding and that the `seq`s rise (below the run's record count), and at the end
//! the stored record count and the rolling hash recomputed over the stored records against
//! the trailer's. Any failure names the file, the block and the byte offset.

use crate::codec::{self, HASH_SEED};
use crate::error::RunError;
use crate::source::InputInfo;
use cascade_engine::FinalState;
use cascade_engine::{Record, RecordBody};
use cascade_journal::{Block, FrameReader, FrameWriter, Framing};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// First 8 bytes of a run journal.
pub const MAGIC: [u8; 8] = *b"CASCRUN\0";
/// Last 8 bytes of a finished run journal.
pub const END_MAGIC: [u8; 8] = *b"CRUNEND\0";
/// The format version written and read (2: market inputs named by content hash, not stored).
pub const FORMAT_VERSION: u32 = 2;
/// The fewest bytes a record encodes to (seq 8, ts 8, body tag 4, and more).
const MIN_RECORD_BYTES: u64 = 20;

/// The run journal's framing: the journal crate's, with the run journal's magics.
pub const RUN_JOURNAL: Framing = Framing {
    name: "run journal",
    noun: "journal",
    items: "records",
    creating: "creating the run journal",
    opening: "opening the run journal",
    magic: MAGIC,
    end_magic: END_MAGIC,
    version: FORMAT_VERSION,
    min_item_bytes: MIN_RECORD_BYTES,
};

/// One input log of a run, as the journal names it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct JournalInput {
    /// The path as the run was given it.
    pub path: String,
    /// The content hash of its header (xxh3-64 of its event bytes), which a replay checks.
    pub content_hash: u64,
    /// Its event count.
    pub event_count: u64,
}

impl JournalInput {
    /// The journal's entry for a log the manifest lists.
    pub fn from_info(info: &InputInfo) -> JournalInput {
        JournalInput {
            path: info.path.to_string_lossy().into_owned(),
            content_hash: u64::from_str_radix(&info.content_hash, 16).unwrap_or(0),
            event_count: info.event_count,
        }
    }
}

/// What the journal says about the whole run, stored after the last block.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct JournalTrailer {
    /// The input logs, in tie-break order, by content hash (empty for events held in memory).
    pub inputs: Vec<JournalInput>,
    /// True when the market records are stored too (the inputs were not logs).
    pub inputs_stored: bool,
    /// Number of records the run produced (the rolling hash chains them all).
    pub record_count: u64,
    /// Number of records stored in the blocks.
    pub stored_count: u64,
    /// The rolling hash after the last record, over every record.
    pub final_hash: u64,
    /// The rolling hash over the stored records only (the file's own check).
    pub stored_hash: u64,
    /// The run's final state.
    pub final_state: FinalState,
}

/// What [`JournalWriter::finish`] wrote.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct JournalSummary {
    /// Where the journal is (`None` when only hashing).
    pub path: Option<PathBuf>,
    /// Number of records the run produced.
    pub record_count: u64,
    /// Number of records stored (0 when only hashing).
    pub stored_count: u64,
    /// The rolling hash after the last record.
    pub final_hash: u64,
    /// File size in bytes (0 when only hashing).
    pub file_bytes: u64,
}

fn corrupt(path: &Path, region: String, offset: u64, detail: impl Into<String>) -> RunError {
    RunError::CorruptJournal {
        path: path.to_path_buf(),
        region,
        offset,
        detail: detail.into(),
    }
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

/// True when a record is stored in a journal whose market inputs are (`inputs_stored`) or are
/// not stored: everything but market records, which are stored only with `inputs_stored`.
#[inline]
pub fn is_stored(body: &RecordBody, inputs_stored: bool) -> bool {
    inputs_stored || !matches!(body, RecordBody::Market(_))
}

/// Streams records into a run journal (or only hashes them), one forward pass.
pub struct JournalWriter {
    /// The final path; `None` hashes without writing.
    path: Option<PathBuf>,
    frames: FrameWriter,
    inputs: Vec<JournalInput>,
    inputs_stored: bool,
    /// A market record's encoding when it is hashed, not stored.
    scratch: Vec<u8>,
    record_count: u64,
    stored_count: u64,
    hash: u64,
    stored_hash: u64,
}

impl JournalWriter {
    /// Starts a journal at `path` (written as `path.partial` until [`JournalWriter::finish`])
    /// of a run over `inputs`; with no inputs (events held in memory) the market records are
    /// stored too (see [`is_stored`]).
    pub fn create(path: &Path, inputs: Vec<JournalInput>) -> Result<JournalWriter, RunError> {
        let frames = FrameWriter::create(&partial_path(path), &RUN_JOURNAL, false)
            .map_err(RunError::RunJournal)?;
        Ok(JournalWriter::with(
            Some(path.to_path_buf()),
            frames,
            inputs,
        ))
    }

    /// A writer that encodes and hashes records but writes nothing (benchmarks, sweeps that
    /// keep only results, runs without a journal, and replays, which compare instead of
    /// writing). Only the rolling hash is computed: no market record is stored (or encoded
    /// twice) for a file that is not written.
    pub fn hash_only() -> JournalWriter {
        let mut w = JournalWriter::with(None, FrameWriter::discard(false), Vec::new());
        w.inputs_stored = false;
        w
    }

    fn with(path: Option<PathBuf>, frames: FrameWriter, inputs: Vec<JournalInput>) -> Self {
        JournalWriter {
            path,
            frames,
            inputs_stored: inputs.is_empty(),
            inputs,
            scratch: Vec::with_capacity(256),
            record_count: 0,
            stored_count: 0,
            hash: HASH_SEED,
            stored_hash: HASH_SEED,
        }
    }

    /// True when the market records are stored (the run's inputs are not logs; never when
    /// only hashing).
    pub fn inputs_stored(&self) -> bool {
        self.inputs_stored
    }

    /// The rolling hash so far.
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// Records appended so far.
    pub fn record_count(&self) -> u64 {
        self.record_count
    }

    /// Appends one record (hashes it, and stores it unless it is a market input named by a
    /// log); its `seq` must be the number of records before it. Returns whether it was
    /// stored.
    #[inline]
    pub fn append(&mut self, record: &Record) -> Result<bool, RunError> {
        assert_eq!(
            record.seq, self.record_count,
            "journal records must come in seq order"
        );
        self.record_count += 1;
        if self.path.is_none() || !is_stored(&record.body, self.inputs_stored) {
            self.scratch.clear();
            codec::encode_record(record, &mut self.scratch);
            self.hash = codec::chain(self.hash, &self.scratch);
            return Ok(false);
        }
        let block = self.frames.payload();
        let start = block.len();
        codec::encode_record(record, block);
        self.hash = codec::chain(self.hash, &block[start..]);
        self.stored_hash = codec::chain(self.stored_hash, &block[start..]);
        self.stored_count += 1;
        self.frames.end_item().map_err(RunError::RunJournal)?;
        Ok(true)
    }

    /// Writes the last block, the trailer and the footer, syncs (cheap: the journal holds
    /// what the run added, not its inputs), and renames the file into place.
    pub fn finish(self, final_state: FinalState) -> Result<JournalSummary, RunError> {
        let trailer = JournalTrailer {
            inputs: self.inputs,
            inputs_stored: self.inputs_stored,
            record_count: self.record_count,
            stored_count: self.stored_count,
            final_hash: self.hash,
            stored_hash: self.stored_hash,
            final_state,
        };
        let bytes = codec::encode_value(&trailer);
        let written = self
            .frames
            .finish(&RUN_JOURNAL, &bytes, true)
            .map_err(RunError::RunJournal)?;
        let Some(path) = self.path else {
            return Ok(JournalSummary {
                path: None,
                record_count: self.record_count,
                stored_count: self.stored_count,
                final_hash: self.hash,
                file_bytes: 0,
            });
        };
        std::fs::rename(partial_path(&path), &path).map_err(|source| RunError::Io {
            path: path.clone(),
            doing: "renaming the finished run journal into place",
            source,
        })?;
        Ok(JournalSummary {
            file_bytes: written.file_bytes,
            path: Some(path),
            record_count: self.record_count,
            stored_count: self.stored_count,
            final_hash: self.hash,
        })
    }
}

/// Reads a run journal back, verifying it as it goes (see the module docs).
pub struct JournalReader {
    path: PathBuf,
    frames: FrameReader,
    trailer: JournalTrailer,
    /// The block being read, and where in its payload.
    block: Option<Block>,
    cursor: usize,
    block_left: u32,
    records_read: u64,
    last_seq: Option<u64>,
    hash: u64,
    done: bool,
}

impl JournalReader {
    /// Opens a journal: checks magic, version, footer and trailer.
    pub fn open(path: &Path) -> Result<JournalReader, RunError> {
        let frames = FrameReader::open(path, &RUN_JOURNAL).map_err(RunError::RunJournal)?;
        let trailer: JournalTrailer = codec::decode_value(frames.trailer()).map_err(|e| {
            corrupt(
                path,
                "trailer".into(),
                frames.trailer_offset(),
                format!("cannot decode: {}", e.0),
            )
        })?;
        Ok(JournalReader {
            path: path.to_path_buf(),
            frames,
            trailer,
            block: None,
            cursor: 0,
            block_left: 0,
            records_read: 0,
            last_seq: None,
            hash: HASH_SEED,
            done: false,
        })
    }

    /// The trailer: record count, final hash and final state as written.
    pub fn trailer(&self) -> &JournalTrailer {
        &self.trailer
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next stored record, or `None` once all were read **and** the stored count and the
    /// rolling hash recomputed over them matched the trailer.
    pub fn next_record(&mut self) -> Result<Option<Record>, RunError> {
        if self.done {
            return Ok(None);
        }
        let r = self.step();
        if !matches!(r, Ok(Some(_))) {
            self.done = true;
        }
        r
    }

    fn step(&mut self) -> Result<Option<Record>, RunError> {
        if self.block_left == 0 {
            // A block announces at least one record.
            match self.frames.next_block().map_err(RunError::RunJournal)? {
                None => return self.finish_checks().map(|_| None),
                Some(b) => {
                    self.block = Some(b);
                    self.cursor = 0;
                    self.block_left = b.items;
                }
            }
        }
        let block = self.block.expect("a block is loaded");
        let payload = self.frames.payload();
        let at = block.payload_at + self.cursor as u64;
        let region = format!("block {}", block.index);
        let (record, used) = codec::decode_record(&payload[self.cursor..]).map_err(|e| {
            corrupt(
                &self.path,
                region.clone(),
                at,
                format!("cannot decode record {}: {}", self.records_read, e.0),
            )
        })?;
        let next = self.last_seq.map_or(0, |s| s + 1);
        if record.seq < next || record.seq >= self.trailer.record_count {
            return Err(corrupt(
                &self.path,
                region,
                at,
                format!(
                    "stored record {} carries seq {}, expected {next} or more and below the run's {} records",
                    self.records_read, record.seq, self.trailer.record_count
                ),
            ));
        }
        if !self.trailer.inputs_stored && !is_stored(&record.body, false) {
            return Err(corrupt(
                &self.path,
                region,
                at,
                format!(
                    "stored record {} (seq {}) is a market input, which this journal names by log",
                    self.records_read, record.seq
                ),
            ));
        }
        self.last_seq = Some(record.seq);
        self.hash = codec::chain(self.hash, &payload[self.cursor..self.cursor + used]);
        self.cursor += used;
        self.block_left -= 1;
        self.records_read += 1;
        if self.block_left == 0 && self.cursor != payload.len() {
            return Err(corrupt(
                &self.path,
                region,
                at,
                format!(
                    "the block's records end at payload byte {}, its payload has {}",
                    self.cursor,
                    payload.len()
                ),
            ));
        }
        Ok(Some(record))
    }

    fn finish_checks(&self) -> Result<(), RunError> {
        let at = self.frames.trailer_offset();
        if self.records_read != self.trailer.stored_count {
            return Err(corrupt(
                &self.path,
                "trailer".into(),
                at,
                format!(
                    "the trailer says {} stored records, the blocks hold {}",
                    self.trailer.stored_count, self.records_read
                ),
            ));
        }
        if self.hash != self.trailer.stored_hash {
            return Err(RunError::HashMismatch {
                what: format!(
                    "{}: rolling hash of the stored records against the trailer",
                    self.path.display()
                ),
                expected: self.trailer.stored_hash,
                found: self.hash,
            });
        }
        Ok(())
    }
}
