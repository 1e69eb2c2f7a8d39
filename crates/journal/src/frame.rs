//! The block framing every cascade file shares — the event log (`.clog`) and the engine's
//! run journal (`.crun`) — without knowing what the blocks hold:
//!
//! ```text
//! 0      8    magic              (the file kind's, e.g. b"CASCLOG\0")
//! 8      4    format version     u32 LE
//! 12     ...  blocks, each: payload length u32, item count u32, xxh3-64 of the payload u64,
//!             then the payload (items encoded back to back by the file kind's codec)
//! T      n    trailer            (the file kind's, e.g. the log's header)
//! T+n    40   footer             trailer offset u64, trailer length u64, trailer checksum u64,
//!                                block count u64, end magic
//! ```
//!
//! (the byte-level description, with every check a reader makes, is in [`crate::format`]).
//! [`FrameWriter`] writes it in one forward pass, closing a block once its payload reaches
//! [`BLOCK_TARGET_BYTES`], so block boundaries depend on the bytes only. [`FrameReader`]
//! checks the preamble, the footer and the trailer's checksum on open, then hands out one
//! verified payload at a time with constant memory; every failure is a [`JournalError`]
//! naming the file, the region and the byte offset. What the items and the trailer are is
//! the caller's business (its own codec).

use crate::error::{Bytes8, JournalError, Location, Region, Result};
use crate::format::{
    BlockHeader, Footer, BLOCK_HEADER_LEN, BLOCK_MAX_BYTES, BLOCK_TARGET_BYTES, FOOTER_LEN,
    PREAMBLE_LEN, TRAILER_MAX_BYTES,
};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::{xxh3_64, Xxh3Default};

/// What distinguishes one kind of framed file from another.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Framing {
    /// The kind in words, for errors: "event log", "run journal".
    pub name: &'static str,
    /// The short noun, for errors: "log", "journal".
    pub noun: &'static str,
    /// The items in words, for errors: "events", "records".
    pub items: &'static str,
    /// What creating the file is called in errors: "creating the log".
    pub creating: &'static str,
    /// What opening the file is called in errors: "opening the log".
    pub opening: &'static str,
    /// The first 8 bytes.
    pub magic: [u8; 8],
    /// The last 8 bytes of a finished file.
    pub end_magic: [u8; 8],
    /// The format version written and the only one read.
    pub version: u32,
    /// The fewest bytes any item encodes to: bounds the item count a block may claim.
    pub min_item_bytes: u64,
}

impl Framing {
    fn preamble(&self) -> [u8; PREAMBLE_LEN as usize] {
        let mut b = [0u8; PREAMBLE_LEN as usize];
        b[0..8].copy_from_slice(&self.magic);
        b[8..12].copy_from_slice(&self.version.to_le_bytes());
        b
    }
}

/// What [`FrameWriter::finish`] wrote.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FrameSummary {
    /// Blocks written.
    pub block_count: u64,
    /// Total file size in bytes (what it would have been, for a writer that writes nothing).
    pub file_bytes: u64,
}

/// Writes a framed file in one forward pass: the caller appends each item's bytes to
/// [`FrameWriter::payload`] and then calls [`FrameWriter::end_item`]; the writer frames
/// full blocks and writes them. A writer dropped without [`FrameWriter::finish`] leaves a
/// file without a footer, which every reader reports as unfinished.
pub struct FrameWriter {
    path: PathBuf,
    /// `None`: frame and count, write nothing.
    file: Option<File>,
    /// The block being filled: `BLOCK_HEADER_LEN` bytes reserved for its frame, then payload.
    block: Vec<u8>,
    block_items: u32,
    /// Blocks already closed; also the index of the block being filled.
    block_count: u64,
    /// Bytes already written; also the file offset of the block being filled.
    offset: u64,
    /// xxh3-64 over every closed payload, when asked for.
    content: Option<Xxh3Default>,
    /// A write failed: nothing more may be written and the file cannot be finished.
    broken: bool,
}

impl FrameWriter {
    /// Creates (or truncates) the file at `path` and writes the preamble of `framing`. With
    /// `content_hash`, the writer also hashes every payload ([`FrameWriter::content_hash`]).
    pub fn create(path: &Path, framing: &Framing, content_hash: bool) -> Result<FrameWriter> {
        let at = Location {
            path: path.to_path_buf(),
            region: Region::Preamble,
            offset: 0,
        };
        let mut file = File::create(path).map_err(|source| JournalError::Io {
            at: at.clone(),
            doing: framing.creating,
            source,
        })?;
        file.write_all(&framing.preamble())
            .map_err(|source| JournalError::Io {
                at,
                doing: "writing the preamble",
                source,
            })?;
        let mut w = FrameWriter::discard(content_hash);
        w.path = path.to_path_buf();
        w.file = Some(file);
        w.offset = PREAMBLE_LEN;
        Ok(w)
    }

    /// A writer that frames and counts but writes nothing (for a caller that only wants
    /// what it computes over the items, e.g. a hash).
    pub fn discard(content_hash: bool) -> FrameWriter {
        let mut block = Vec::with_capacity(BLOCK_HEADER_LEN + BLOCK_TARGET_BYTES + 1024);
        block.resize(BLOCK_HEADER_LEN, 0);
        FrameWriter {
            path: PathBuf::new(),
            file: None,
            block,
            block_items: 0,
            block_count: 0,
            offset: 0,
            content: content_hash.then(Xxh3Default::new),
            broken: false,
        }
    }

    /// The path being written (empty for [`FrameWriter::discard`]).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the block being filled is (or the trailer will be): for errors.
    pub fn here(&self) -> Location {
        Location {
            path: self.path.clone(),
            region: Region::Block(self.block_count),
            offset: self.offset,
        }
    }

    /// The open block: append one item's bytes, then call [`FrameWriter::end_item`]. Only
    /// append (or truncate back to a length it had, to drop a half-encoded item): the bytes
    /// before the current length belong to earlier items and the frame.
    #[inline]
    pub fn payload(&mut self) -> &mut Vec<u8> {
        &mut self.block
    }

    /// One more item was appended to [`FrameWriter::payload`]; closes and writes the block
    /// when it is full.
    #[inline]
    pub fn end_item(&mut self) -> Result<()> {
        self.block_items += 1;
        if self.block.len() - BLOCK_HEADER_LEN >= BLOCK_TARGET_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    /// Fails when an earlier write failed.
    pub fn check_not_broken(&self) -> Result<()> {
        if self.broken {
            return Err(JournalError::Io {
                at: self.here(),
                doing: "writing after an earlier write failed",
                source: std::io::Error::other("the file is incomplete and cannot be continued"),
            });
        }
        Ok(())
    }

    /// Closes and writes the open block, if it holds any item.
    pub fn flush(&mut self) -> Result<()> {
        if self.block_items == 0 {
            return Ok(());
        }
        let payload = &self.block[BLOCK_HEADER_LEN..];
        assert!(payload.len() <= BLOCK_MAX_BYTES as usize);
        if let Some(content) = &mut self.content {
            content.update(payload);
        }
        if let Some(file) = &mut self.file {
            let frame = BlockHeader {
                payload_len: payload.len() as u32,
                event_count: self.block_items,
                checksum: xxh3_64(payload),
            };
            self.block[..BLOCK_HEADER_LEN].copy_from_slice(&frame.to_bytes());
            if let Err(source) = file.write_all(&self.block) {
                self.broken = true;
                return Err(JournalError::Io {
                    at: self.here(),
                    doing: "writing a block",
                    source,
                });
            }
        }
        self.offset += self.block.len() as u64;
        self.block_count += 1;
        self.block.truncate(BLOCK_HEADER_LEN);
        self.block_items = 0;
        Ok(())
    }

    /// xxh3-64 over the payloads of the blocks closed so far ([`FrameWriter::flush`] first
    /// to include the open one); 0 unless asked for at creation.
    pub fn content_hash(&self) -> u64 {
        self.content.as_ref().map_or(0, |c| c.digest())
    }

    /// Writes the open block, the `trailer` and the footer of `framing`, and flushes the file
    /// to the operating system; with `sync`, to the disk too.
    pub fn finish(mut self, framing: &Framing, trailer: &[u8], sync: bool) -> Result<FrameSummary> {
        self.check_not_broken()?;
        self.flush()?;
        let footer = Footer {
            trailer_offset: self.offset,
            trailer_len: trailer.len() as u64,
            trailer_checksum: xxh3_64(trailer),
            block_count: self.block_count,
            end_magic: framing.end_magic,
        };
        let summary = FrameSummary {
            block_count: self.block_count,
            file_bytes: self.offset + trailer.len() as u64 + FOOTER_LEN,
        };
        if let Some(mut file) = self.file.take() {
            let io = |source| JournalError::Io {
                at: Location {
                    path: self.path.clone(),
                    region: Region::Trailer,
                    offset: self.offset,
                },
                doing: "writing the trailer",
                source,
            };
            file.write_all(trailer).map_err(io)?;
            file.write_all(&footer.to_bytes()).map_err(io)?;
            file.flush().map_err(io)?;
            if sync {
                file.sync_all().map_err(io)?;
            }
        }
        Ok(summary)
    }
}

/// A verified block, as [`FrameReader::next_block`] announces it; its payload is
/// [`FrameReader::payload`] until the next block is read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Block {
    /// 0-based index of the block in the file.
    pub index: u64,
    /// File offset of the payload's first byte.
    pub payload_at: u64,
    /// The item count its frame announces (at least 1).
    pub items: u32,
}

/// Reads a framed file: [`FrameReader::open`] checks the preamble, the footer and the
/// trailer's checksum; [`FrameReader::next_block`] reads and verifies one block at a time
/// into a reused buffer.
pub struct FrameReader {
    framing: Framing,
    path: PathBuf,
    file: File,
    footer: Footer,
    trailer: Vec<u8>,
    /// File offset of the next block frame.
    next_offset: u64,
    blocks_read: u64,
    /// The last payload read is `buf[..payload_len]`; `buf` only grows.
    buf: Vec<u8>,
    payload_len: usize,
}

impl FrameReader {
    /// Opens a file of `framing`: checks the magic and version, then reads the footer and the
    /// trailer (checksum verified) so that [`FrameReader::trailer`] is known before the first
    /// block.
    ///
    /// A file that was never finished, or was cut short, fails here with
    /// [`JournalError::Unfinished`] or [`JournalError::Truncated`].
    pub fn open(path: &Path, framing: &Framing) -> Result<FrameReader> {
        let path = path.to_path_buf();
        let at = |region, offset| Location {
            path: path.clone(),
            region,
            offset,
        };
        let io = |region, offset, doing| {
            let at = at(region, offset);
            move |source| JournalError::Io { at, doing, source }
        };
        let magic = framing.magic;
        let bad_magic = |found: [u8; 8]| JournalError::BadMagic {
            at: at(Region::Preamble, 0),
            kind: framing.name,
            expected: Bytes8(magic),
            found: Bytes8(found),
        };

        let mut file = File::open(&path).map_err(io(Region::Preamble, 0, framing.opening))?;
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
        if have >= 8 && pre[..8] != magic {
            let mut found = [0u8; 8];
            found.copy_from_slice(&pre[..8]);
            return Err(bad_magic(found));
        }
        if have < PREAMBLE_LEN as usize {
            let head = have.min(8);
            if pre[..head] != magic[..head] {
                // Too short to hold a magic, and not the start of one either.
                let mut found = [0u8; 8];
                found[..head].copy_from_slice(&pre[..head]);
                return Err(bad_magic(found));
            }
            return Err(JournalError::Truncated {
                at: at(Region::Preamble, 0),
                part: "preamble",
                needed: PREAMBLE_LEN,
                available: file_len,
            });
        }
        let version = u32::from_le_bytes([pre[8], pre[9], pre[10], pre[11]]);
        if version != framing.version {
            return Err(JournalError::UnsupportedVersion {
                at: at(Region::Preamble, 8),
                found: version,
                supported: framing.version,
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
        if footer.end_magic != framing.end_magic {
            return Err(JournalError::Unfinished {
                at: at(Region::Footer, file_len - 8),
                noun: framing.noun,
                expected: Bytes8(framing.end_magic),
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

        // Trailer.
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

        file.seek(SeekFrom::Start(PREAMBLE_LEN)).map_err(io(
            Region::Block(0),
            PREAMBLE_LEN,
            "seeking to the first block",
        ))?;
        Ok(FrameReader {
            framing: *framing,
            path,
            file,
            footer,
            trailer,
            next_offset: PREAMBLE_LEN,
            blocks_read: 0,
            buf: Vec::new(),
            payload_len: 0,
        })
    }

    /// The trailer's bytes (checksum verified), for the caller's codec.
    pub fn trailer(&self) -> &[u8] {
        &self.trailer
    }

    /// File offset of the trailer (where the blocks end).
    pub fn trailer_offset(&self) -> u64 {
        self.footer.trailer_offset
    }

    /// The path this reader was opened with.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of blocks in the file, from its footer.
    pub fn block_count(&self) -> u64 {
        self.footer.block_count
    }

    /// Blocks handed out so far.
    pub fn blocks_read(&self) -> u64 {
        self.blocks_read
    }

    /// Total size of the file in bytes.
    pub fn file_bytes(&self) -> u64 {
        self.footer.trailer_offset + self.footer.trailer_len + FOOTER_LEN
    }

    /// A location in this file, for the caller's errors.
    pub fn at(&self, region: Region, offset: u64) -> Location {
        Location {
            path: self.path.clone(),
            region,
            offset,
        }
    }

    /// The payload of the last block [`FrameReader::next_block`] returned (checksum
    /// verified).
    #[inline]
    pub fn payload(&self) -> &[u8] {
        &self.buf[..self.payload_len]
    }

    /// Reads the next block, verifies its frame and checksum, and announces it (its payload
    /// is then [`FrameReader::payload`]). `None` once the blocks are exhausted **and** their
    /// number matched the footer's.
    pub fn next_block(&mut self) -> Result<Option<Block>> {
        let region_end = self.footer.trailer_offset;
        if self.next_offset == region_end {
            if self.blocks_read != self.footer.block_count {
                return Err(JournalError::CountMismatch {
                    at: self.at(Region::Trailer, region_end),
                    what: "block",
                    header: self.footer.block_count,
                    found: self.blocks_read,
                });
            }
            return Ok(None);
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
        let min = self.framing.min_item_bytes.max(1);
        if frame.payload_len == 0
            || frame.payload_len > BLOCK_MAX_BYTES
            || len > room
            || frame.event_count == 0
            || frame.event_count as u64 * min > len
        {
            return Err(JournalError::Malformed {
                at: self.at(Region::Block(index), offset),
                detail: format!(
                    "expected a block of 1..={BLOCK_MAX_BYTES} payload bytes \
                     (at most {room} before the trailer) holding 1..={} {}, \
                     the frame says {} bytes and {} {}",
                    len / min,
                    self.framing.items,
                    frame.payload_len,
                    frame.event_count,
                    self.framing.items,
                ),
            });
        }
        let n = frame.payload_len as usize;
        self.payload_len = 0;
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
        let computed = xxh3_64(&self.buf[..n]);
        if computed != frame.checksum {
            return Err(JournalError::ChecksumMismatch {
                at: self.at(Region::Block(index), offset),
                part: "block payload",
                stored: frame.checksum,
                computed,
            });
        }
        self.payload_len = n;
        self.blocks_read += 1;
        self.next_offset = offset + BLOCK_HEADER_LEN as u64 + len;
        Ok(Some(Block {
            index,
            payload_at: offset + BLOCK_HEADER_LEN as u64,
            items: frame.event_count,
        }))
    }
}
