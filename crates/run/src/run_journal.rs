//! The run journal file (`journal.crun`): every record of a run, in the journal crate's
//! block framing ([`cascade_journal::frame`]) with its own magics, and the record count, the
//! final rolling hash and the final state in the trailer.
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
//! record's `seq` and decoding, and at the end the record count and the rolling hash
//! recomputed over the records against the trailer's. Any failure names the file, the block
//! and the byte offset.

use crate::codec::{self, HASH_SEED};
use crate::error::RunError;
use cascade_engine::FinalState;
use cascade_engine::Record;
use cascade_journal::{Block, FrameReader, FrameWriter, Framing};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// First 8 bytes of a run journal.
pub const MAGIC: [u8; 8] = *b"CASCRUN\0";
/// Last 8 bytes of a finished run journal.
pub const END_MAGIC: [u8; 8] = *b"CRUNEND\0";
/// The format version written and read.
pub const FORMAT_VERSION: u32 = 1;
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

/// What the journal says about the whole run, stored after the last block.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct JournalTrailer {
    /// Number of records.
    pub record_count: u64,
    /// The rolling hash after the last record.
    pub final_hash: u64,
    /// The run's final state.
    pub final_state: FinalState,
}

/// What [`JournalWriter::finish`] wrote.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct JournalSummary {
    /// Where the journal is (`None` when only hashing).
    pub path: Option<PathBuf>,
    /// Number of records.
    pub record_count: u64,
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

/// Streams records into a run journal (or only hashes them), one forward pass.
pub struct JournalWriter {
    /// The final path; `None` hashes without writing.
    path: Option<PathBuf>,
    frames: FrameWriter,
    record_count: u64,
    hash: u64,
}

impl JournalWriter {
    /// Starts a journal at `path` (written as `path.partial` until [`JournalWriter::finish`]).
    pub fn create(path: &Path) -> Result<JournalWriter, RunError> {
        let frames = FrameWriter::create(&partial_path(path), &RUN_JOURNAL, false)
            .map_err(RunError::RunJournal)?;
        Ok(JournalWriter {
            path: Some(path.to_path_buf()),
            frames,
            record_count: 0,
            hash: HASH_SEED,
        })
    }

    /// A writer that encodes and hashes records but writes nothing (benchmarks, sweeps that
    /// keep only results, and replays, which compare instead of writing).
    pub fn hash_only() -> JournalWriter {
        JournalWriter {
            path: None,
            frames: FrameWriter::discard(false),
            record_count: 0,
            hash: HASH_SEED,
        }
    }

    /// The rolling hash so far.
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// Records appended so far.
    pub fn record_count(&self) -> u64 {
        self.record_count
    }

    /// Appends one record; its `seq` must be the number of records before it.
    #[inline]
    pub fn append(&mut self, record: &Record) -> Result<(), RunError> {
        assert_eq!(
            record.seq, self.record_count,
            "journal records must come in seq order"
        );
        let block = self.frames.payload();
        let start = block.len();
        codec::encode_record(record, block);
        self.hash = codec::chain(self.hash, &block[start..]);
        self.record_count += 1;
        self.frames.end_item().map_err(RunError::RunJournal)
    }

    /// Writes the last block, the trailer and the footer, syncs, and renames the file into
    /// place.
    pub fn finish(self, final_state: FinalState) -> Result<JournalSummary, RunError> {
        let trailer = JournalTrailer {
            record_count: self.record_count,
            final_hash: self.hash,
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

    /// The next record, or `None` once all records were read **and** the count and the
    /// recomputed rolling hash matched the trailer.
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
        if record.seq != self.records_read {
            return Err(corrupt(
                &self.path,
                region,
                at,
                format!("record {} carries seq {}", self.records_read, record.seq),
            ));
        }
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
        if self.records_read != self.trailer.record_count {
            return Err(corrupt(
                &self.path,
                "trailer".into(),
                at,
                format!(
                    "the trailer says {} records, the blocks hold {}",
                    self.trailer.record_count, self.records_read
                ),
            ));
        }
        if self.hash != self.trailer.final_hash {
            return Err(RunError::HashMismatch {
                what: format!(
                    "{}: rolling hash of the records against the trailer",
                    self.path.display()
                ),
                expected: self.trailer.final_hash,
                found: self.hash,
            });
        }
        Ok(())
    }
}
