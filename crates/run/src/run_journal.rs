//! The run journal file (`journal.crun`): every record of a run, framed in checksummed
//! blocks, with the record count, the final rolling hash and the final state in a trailer.
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
//! Block boundaries fall by payload size only ([`BLOCK_TARGET_BYTES`]), never by how the
//! engine batched its records, so the file's bytes do not depend on batch sizes or thread
//! counts. The writer writes to `NAME.partial` and renames it to `NAME` only in
//! [`JournalWriter::finish`], so an interrupted run never leaves a journal that looks whole.
//!
//! The reader checks, in this order: magic, version, footer, trailer checksum; each block's
//! checksum as it is reached; each record's `seq`; and at the end the record count and the
//! rolling hash recomputed over the records against the trailer's. Any failure names the
//! file, the block and the byte offset.

use crate::codec::{self, HASH_SEED};
use crate::error::EngineError;
use crate::record::Record;
use crate::state::FinalState;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::xxh3_64;

/// First 8 bytes of a run journal.
pub const MAGIC: [u8; 8] = *b"CASCRUN\0";
/// Last 8 bytes of a finished run journal.
pub const END_MAGIC: [u8; 8] = *b"CRUNEND\0";
/// The format version written and read.
pub const FORMAT_VERSION: u32 = 1;
/// A block is closed once its payload reaches this many bytes.
pub const BLOCK_TARGET_BYTES: usize = 64 * 1024;
/// The largest block payload a reader accepts.
pub const BLOCK_MAX_BYTES: u32 = 16 << 20;
const PREAMBLE_LEN: u64 = 12;
const BLOCK_HEADER_LEN: usize = 16;
const FOOTER_LEN: u64 = 40;
const TRAILER_MAX_BYTES: u64 = 64 << 20;

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

fn corrupt(path: &Path, region: String, offset: u64, detail: impl Into<String>) -> EngineError {
    EngineError::CorruptJournal {
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
    /// `(final path, writer of the .partial file)`; `None` hashes without writing.
    file: Option<(PathBuf, BufWriter<File>)>,
    block: Vec<u8>,
    block_records: u32,
    block_count: u64,
    offset: u64,
    record_count: u64,
    hash: u64,
}

impl JournalWriter {
    /// Starts a journal at `path` (written as `path.partial` until [`JournalWriter::finish`]).
    pub fn create(path: &Path) -> Result<JournalWriter, EngineError> {
        let tmp = partial_path(path);
        let io = |source| EngineError::Io {
            path: tmp.clone(),
            doing: "creating the run journal",
            source,
        };
        let mut w = BufWriter::with_capacity(256 * 1024, File::create(&tmp).map_err(io)?);
        w.write_all(&MAGIC).map_err(io)?;
        w.write_all(&FORMAT_VERSION.to_le_bytes()).map_err(io)?;
        let mut j = JournalWriter::hash_only();
        j.file = Some((path.to_path_buf(), w));
        j.offset = PREAMBLE_LEN;
        Ok(j)
    }

    /// A writer that encodes and hashes records but writes nothing (benchmarks, sweeps that
    /// keep only results, and replays, which compare instead of writing).
    pub fn hash_only() -> JournalWriter {
        let mut block = Vec::with_capacity(BLOCK_TARGET_BYTES + 1024);
        block.resize(BLOCK_HEADER_LEN, 0);
        JournalWriter {
            file: None,
            block,
            block_records: 0,
            block_count: 0,
            offset: 0,
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
    pub fn append(&mut self, record: &Record) -> Result<(), EngineError> {
        assert_eq!(
            record.seq, self.record_count,
            "journal records must come in seq order"
        );
        let start = self.block.len();
        codec::encode_record(record, &mut self.block);
        self.hash = codec::chain(self.hash, &self.block[start..]);
        self.record_count += 1;
        self.block_records += 1;
        if self.block.len() - BLOCK_HEADER_LEN >= BLOCK_TARGET_BYTES {
            self.flush_block()?;
        }
        Ok(())
    }

    fn flush_block(&mut self) -> Result<(), EngineError> {
        if self.block_records == 0 {
            return Ok(());
        }
        let payload_len = self.block.len() - BLOCK_HEADER_LEN;
        assert!(payload_len <= BLOCK_MAX_BYTES as usize);
        if let Some((path, w)) = &mut self.file {
            let checksum = xxh3_64(&self.block[BLOCK_HEADER_LEN..]);
            self.block[0..4].copy_from_slice(&(payload_len as u32).to_le_bytes());
            self.block[4..8].copy_from_slice(&self.block_records.to_le_bytes());
            self.block[8..16].copy_from_slice(&checksum.to_le_bytes());
            w.write_all(&self.block).map_err(|source| EngineError::Io {
                path: partial_path(path),
                doing: "writing the run journal",
                source,
            })?;
            self.offset += self.block.len() as u64;
        }
        self.block_count += 1;
        self.block.truncate(BLOCK_HEADER_LEN);
        self.block_records = 0;
        Ok(())
    }

    /// Writes the last block, the trailer and the footer, syncs, and renames the file into
    /// place.
    pub fn finish(mut self, final_state: FinalState) -> Result<JournalSummary, EngineError> {
        self.flush_block()?;
        let trailer = JournalTrailer {
            record_count: self.record_count,
            final_hash: self.hash,
            final_state,
        };
        let Some((path, mut w)) = self.file.take() else {
            return Ok(JournalSummary {
                path: None,
                record_count: self.record_count,
                final_hash: self.hash,
                file_bytes: 0,
            });
        };
        let tmp = partial_path(&path);
        let io = |source| EngineError::Io {
            path: tmp.clone(),
            doing: "finishing the run journal",
            source,
        };
        let bytes = codec::encode_value(&trailer);
        let mut footer = Vec::with_capacity(FOOTER_LEN as usize);
        footer.extend_from_slice(&self.offset.to_le_bytes());
        footer.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        footer.extend_from_slice(&xxh3_64(&bytes).to_le_bytes());
        footer.extend_from_slice(&self.block_count.to_le_bytes());
        footer.extend_from_slice(&END_MAGIC);
        w.write_all(&bytes).map_err(io)?;
        w.write_all(&footer).map_err(io)?;
        let file = w.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        drop(file);
        std::fs::rename(&tmp, &path).map_err(|source| EngineError::Io {
            path: path.clone(),
            doing: "renaming the finished run journal into place",
            source,
        })?;
        Ok(JournalSummary {
            file_bytes: self.offset + bytes.len() as u64 + FOOTER_LEN,
            path: Some(path),
            record_count: self.record_count,
            final_hash: self.hash,
        })
    }
}

/// Reads a run journal back, verifying it as it goes (see the module docs).
pub struct JournalReader {
    path: PathBuf,
    file: BufReader<File>,
    trailer: JournalTrailer,
    blocks_end: u64,
    block_count: u64,
    /// Offset of the next block frame.
    next_offset: u64,
    block_index: u64,
    block_offset: u64,
    buf: Vec<u8>,
    cursor: usize,
    block_left: u32,
    blocks_read: u64,
    records_read: u64,
    hash: u64,
    done: bool,
}

impl JournalReader {
    /// Opens a journal: checks magic, version, footer and trailer.
    pub fn open(path: &Path) -> Result<JournalReader, EngineError> {
        let io = |doing| {
            let path = path.to_path_buf();
            move |source| EngineError::Io {
                path,
                doing,
                source,
            }
        };
        let mut file = File::open(path).map_err(io("opening the run journal"))?;
        let len = file
            .metadata()
            .map_err(io("reading the run journal's size"))?
            .len();
        if len < PREAMBLE_LEN + FOOTER_LEN {
            return Err(corrupt(
                path,
                "preamble".into(),
                0,
                format!(
                    "truncated: {len} bytes, a run journal has at least {}",
                    PREAMBLE_LEN + FOOTER_LEN
                ),
            ));
        }
        let mut pre = [0u8; PREAMBLE_LEN as usize];
        file.read_exact(&mut pre)
            .map_err(io("reading the preamble"))?;
        if pre[..8] != MAGIC {
            return Err(corrupt(
                path,
                "preamble".into(),
                0,
                format!(
                    "not a run journal: expected magic b\"{}\", found b\"{}\"",
                    MAGIC.escape_ascii(),
                    pre[..8].escape_ascii()
                ),
            ));
        }
        let version = u32::from_le_bytes([pre[8], pre[9], pre[10], pre[11]]);
        if version != FORMAT_VERSION {
            return Err(corrupt(
                path,
                "preamble".into(),
                8,
                format!(
                    "unsupported run journal version {version}, this build reads {FORMAT_VERSION}"
                ),
            ));
        }
        let footer_at = len - FOOTER_LEN;
        let mut f = [0u8; FOOTER_LEN as usize];
        file.seek(SeekFrom::Start(footer_at))
            .and_then(|_| file.read_exact(&mut f))
            .map_err(io("reading the footer"))?;
        let u = |at: usize| u64::from_le_bytes(f[at..at + 8].try_into().expect("8 bytes"));
        if f[32..40] != END_MAGIC {
            return Err(corrupt(
                path,
                "footer".into(),
                len - 8,
                format!(
                "truncated or unfinished journal: expected the end marker b\"{}\", found b\"{}\"",
                END_MAGIC.escape_ascii(),
                f[32..40].escape_ascii()
            ),
            ));
        }
        let (trailer_at, trailer_len, trailer_sum, block_count) = (u(0), u(8), u(16), u(24));
        if trailer_at < PREAMBLE_LEN
            || trailer_len > TRAILER_MAX_BYTES
            || trailer_at.checked_add(trailer_len) != Some(footer_at)
        {
            return Err(corrupt(path, "footer".into(), footer_at, format!(
                "the footer puts a {trailer_len}-byte trailer at {trailer_at}, which does not end at the footer ({footer_at})"
            )));
        }
        let mut t = vec![0u8; trailer_len as usize];
        file.seek(SeekFrom::Start(trailer_at))
            .and_then(|_| file.read_exact(&mut t))
            .map_err(io("reading the trailer"))?;
        let computed = xxh3_64(&t);
        if computed != trailer_sum {
            return Err(corrupt(
                path,
                "trailer".into(),
                trailer_at,
                format!("checksum mismatch: stored {trailer_sum:#018x}, computed {computed:#018x}"),
            ));
        }
        let trailer: JournalTrailer = codec::decode_value(&t).map_err(|e| {
            corrupt(
                path,
                "trailer".into(),
                trailer_at,
                format!("cannot decode: {}", e.0),
            )
        })?;
        file.seek(SeekFrom::Start(PREAMBLE_LEN))
            .map_err(io("seeking to the first block"))?;
        Ok(JournalReader {
            path: path.to_path_buf(),
            file: BufReader::with_capacity(256 * 1024, file),
            trailer,
            blocks_end: trailer_at,
            block_count,
            next_offset: PREAMBLE_LEN,
            block_index: 0,
            block_offset: PREAMBLE_LEN,
            buf: Vec::new(),
            cursor: 0,
            block_left: 0,
            blocks_read: 0,
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
    pub fn next_record(&mut self) -> Result<Option<Record>, EngineError> {
        if self.done {
            return Ok(None);
        }
        let r = self.step();
        if !matches!(r, Ok(Some(_))) {
            self.done = true;
        }
        r
    }

    fn step(&mut self) -> Result<Option<Record>, EngineError> {
        if self.block_left == 0 {
            // Skip blocks that are finished; a block announces at least one record.
            if !self.load_block()? {
                return self.finish_checks().map(|_| None);
            }
        }
        let at = self.block_offset + BLOCK_HEADER_LEN as u64 + self.cursor as u64;
        let region = format!("block {}", self.block_index);
        let (record, used) = codec::decode_record(&self.buf[self.cursor..]).map_err(|e| {
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
        self.hash = codec::chain(self.hash, &self.buf[self.cursor..self.cursor + used]);
        self.cursor += used;
        self.block_left -= 1;
        self.records_read += 1;
        if self.block_left == 0 && self.cursor != self.buf.len() {
            return Err(corrupt(
                &self.path,
                region,
                at,
                format!(
                    "the block's records end at payload byte {}, its payload has {}",
                    self.cursor,
                    self.buf.len()
                ),
            ));
        }
        Ok(Some(record))
    }

    fn load_block(&mut self) -> Result<bool, EngineError> {
        if self.next_offset == self.blocks_end {
            return Ok(false);
        }
        let region = format!("block {}", self.blocks_read);
        let at = self.next_offset;
        if self.blocks_end - at < BLOCK_HEADER_LEN as u64 {
            return Err(corrupt(&self.path, region, at, "truncated block frame"));
        }
        let mut h = [0u8; BLOCK_HEADER_LEN];
        self.file
            .read_exact(&mut h)
            .map_err(|source| EngineError::Io {
                path: self.path.clone(),
                doing: "reading a block frame",
                source,
            })?;
        let len = u32::from_le_bytes(h[0..4].try_into().expect("4 bytes"));
        let count = u32::from_le_bytes(h[4..8].try_into().expect("4 bytes"));
        let sum = u64::from_le_bytes(h[8..16].try_into().expect("8 bytes"));
        let end = at + BLOCK_HEADER_LEN as u64 + len as u64;
        if len == 0 || len > BLOCK_MAX_BYTES || count == 0 || end > self.blocks_end {
            return Err(corrupt(
                &self.path,
                region,
                at,
                format!(
                    "bad block frame: {len} payload bytes, {count} records, blocks end at {}",
                    self.blocks_end
                ),
            ));
        }
        self.buf.resize(len as usize, 0);
        self.file
            .read_exact(&mut self.buf)
            .map_err(|source| EngineError::Io {
                path: self.path.clone(),
                doing: "reading a block payload",
                source,
            })?;
        let computed = xxh3_64(&self.buf);
        if computed != sum {
            return Err(corrupt(&self.path, region, at, format!(
                "checksum mismatch: stored {sum:#018x}, computed {computed:#018x}: the journal was changed after it was written"
            )));
        }
        self.block_index = self.blocks_read;
        self.block_offset = at;
        self.blocks_read += 1;
        self.next_offset = end;
        self.cursor = 0;
        self.block_left = count;
        Ok(true)
    }

    fn finish_checks(&self) -> Result<(), EngineError> {
        let at = self.blocks_end;
        if self.blocks_read != self.block_count {
            return Err(corrupt(
                &self.path,
                "footer".into(),
                at,
                format!(
                    "the footer says {} blocks, the file has {}",
                    self.block_count, self.blocks_read
                ),
            ));
        }
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
            return Err(EngineError::HashMismatch {
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
