//! The on-disk layout of a cascade event log (`.clog`), format version 2, byte by byte.
//! (Version 2 added the header's data-quality `quality` and `flags`; version-1 logs are
//! refused: re-import their files.)
//!
//! All fixed-width integers are **little-endian**. "bincode" means the crate's one codec
//! (`codec.rs`): bincode 2 through serde, `standard()` with fixed-width integers (`u32`/`u64`/
//! `i64` take 4/8/8 bytes, enum tags are `u32`, lengths and `Option` tags as bincode writes
//! them: `u64` lengths, a 1-byte `Option` tag).
//!
//! ```text
//! offset        size  field
//! ------------  ----  ---------------------------------------------------------------
//! 0             8     magic            b"CASCLOG\0"
//! 8             4     format version   u32 = 2
//! 12            ...   blocks, back to back, each:
//!   +0          4       payload length   u32, bytes (at most BLOCK_MAX_BYTES)
//!   +4          4       event count      u32, events in the payload (at least 1)
//!   +8          8       checksum         u64, xxh3-64 of the payload bytes
//!   +16         len     payload          the block's events, each bincode-encoded, concatenated
//! T             n     trailer          the bincode-encoded [`Header`] (see below)
//! T+n           40    footer:
//!   +0          8       trailer offset   u64 = T, where the blocks end
//!   +8          8       trailer length   u64 = n
//!   +16         8       trailer checksum u64, xxh3-64 of the trailer bytes
//!   +24         8       block count      u64
//!   +32         8       end magic        b"CASCEND\0"
//! ```
//!
//! **Why a trailer.** The header's event count, content hash and time span are only known
//! once the last event is written, so the header is written *after* the blocks and a
//! fixed-size footer at the very end points back at it. A reader opens the file, checks the
//! magic and version at the start, then reads the footer and the trailer before the first
//! block. A file whose writer never called `finish` (a crash, a full disk, a copy cut short)
//! has no footer — its last 8 bytes are not the end magic — and is reported as truncated
//! before any event is handed out. The file is written in one forward pass, so it can go to
//! any seekable or non-seekable sink.
//!
//! The framing (preamble, block frames, trailer and footer) is shared with the engine's run
//! journal, with its own magics ([`crate::frame`]); only the payloads and the trailer differ.
//!
//! **Invariants a reader checks** (each violation is a [`crate::JournalError`]):
//! - the footer's trailer offset + trailer length + 40 equals the file length, and the
//!   blocks fill exactly `12..T`;
//! - every block's payload hashes to its checksum, decodes to exactly its event count and
//!   uses up exactly its payload length;
//! - timestamps never decrease, across blocks too, and every instrument id indexes the
//!   header's instrument table;
//! - at the end: the block count, the event count, the content hash and the first/last
//!   timestamps equal the header's.
//!
//! The **content hash** is xxh3-64 over the encoded bytes of every event in file order (the
//! concatenation of all payloads). It does not depend on where block boundaries fall, so two
//! logs of the same events have the same hash whatever block size wrote them.

use crate::frame::Framing;
use cascade_types::{InstrumentSpec, Ts};
use serde::{Deserialize, Serialize};

/// The first 8 bytes of every log.
pub const MAGIC: [u8; 8] = *b"CASCLOG\0";
/// The last 8 bytes of every finished log.
pub const END_MAGIC: [u8; 8] = *b"CASCEND\0";
/// The format version this crate writes and the only one it reads.
pub const FORMAT_VERSION: u32 = 2;
/// Bytes before the first block: magic and version.
pub const PREAMBLE_LEN: u64 = 12;
/// Bytes of a block's frame before its payload: length, count, checksum.
pub const BLOCK_HEADER_LEN: usize = 16;
/// Bytes of the fixed-size footer.
pub const FOOTER_LEN: u64 = 40;
/// The writer closes a block once its payload reaches this many bytes (64 KiB).
pub const BLOCK_TARGET_BYTES: usize = 64 * 1024;
/// The largest block payload a reader accepts (16 MiB), so that a corrupt length field can
/// never make it allocate an arbitrary amount of memory.
pub const BLOCK_MAX_BYTES: u32 = 16 << 20;
/// The largest trailer a reader accepts (64 MiB): far above any instrument table.
pub const TRAILER_MAX_BYTES: u64 = 64 << 20;

/// The event log's framing ([`crate::frame`]): its magics, version and item size bound.
pub const EVENT_LOG: Framing = Framing {
    name: "event log",
    noun: "log",
    items: "events",
    creating: "creating the log",
    opening: "opening the log",
    magic: MAGIC,
    end_magic: END_MAGIC,
    version: FORMAT_VERSION,
    min_item_bytes: crate::codec::MIN_EVENT_BYTES as u64,
};

/// What a log says about itself: its instrument table, where its events came from, and the
/// facts only known at the end (count, content hash, time span).
///
/// Stored as the trailer (see the module docs); [`crate::Reader::header`] returns it before
/// the first event is read.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Header {
    /// The instruments events refer to: an event's [`cascade_types::InstrumentId`] indexes
    /// this table.
    pub instruments: Vec<InstrumentSpec>,
    /// Free text saying where the events came from, e.g. which files were imported.
    pub source: String,
    /// Number of events in the log.
    pub event_count: u64,
    /// xxh3-64 over the encoded bytes of all events in file order.
    pub content_hash: u64,
    /// Timestamp of the first event; `None` for an empty log.
    pub first_ts: Option<Ts>,
    /// Timestamp of the last event; `None` for an empty log.
    pub last_ts: Option<Ts>,
    /// The importer's data-quality report, one line per input stream (events, gaps, largest
    /// price step…). Empty for logs not written by an importer. (Since format version 2.)
    pub quality: Vec<String>,
    /// What the data-quality gate kept that its default policy refuses (duplicated rows
    /// dropped, price jumps or implausible values kept): every run on the log shows these.
    /// (Since format version 2.)
    pub flags: Vec<String>,
    /// The longest bar interval among the log's events, in seconds (0: the log holds no
    /// bars). A run needs to read ahead only this far to place bars' ticks back in their
    /// intervals. (Since format version 2.)
    pub max_bar_interval_s: u32,
    /// The instruments (ids in this log's table, ascending) with recorded funding
    /// settlements: a run settles their funding from these records only. (Since format
    /// version 2.)
    pub funding_settled: Vec<u32>,
}

/// The frame in front of a block's payload.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct BlockHeader {
    pub payload_len: u32,
    pub event_count: u32,
    pub checksum: u64,
}

impl BlockHeader {
    pub(crate) fn to_bytes(self) -> [u8; BLOCK_HEADER_LEN] {
        let mut b = [0u8; BLOCK_HEADER_LEN];
        b[0..4].copy_from_slice(&self.payload_len.to_le_bytes());
        b[4..8].copy_from_slice(&self.event_count.to_le_bytes());
        b[8..16].copy_from_slice(&self.checksum.to_le_bytes());
        b
    }

    pub(crate) fn from_bytes(b: &[u8; BLOCK_HEADER_LEN]) -> BlockHeader {
        BlockHeader {
            payload_len: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            event_count: u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
            checksum: u64_at(b, 8),
        }
    }
}

/// The fixed-size record at the very end of a finished log.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Footer {
    pub trailer_offset: u64,
    pub trailer_len: u64,
    pub trailer_checksum: u64,
    pub block_count: u64,
    pub end_magic: [u8; 8],
}

impl Footer {
    pub(crate) fn to_bytes(self) -> [u8; FOOTER_LEN as usize] {
        let mut b = [0u8; FOOTER_LEN as usize];
        b[0..8].copy_from_slice(&self.trailer_offset.to_le_bytes());
        b[8..16].copy_from_slice(&self.trailer_len.to_le_bytes());
        b[16..24].copy_from_slice(&self.trailer_checksum.to_le_bytes());
        b[24..32].copy_from_slice(&self.block_count.to_le_bytes());
        b[32..40].copy_from_slice(&self.end_magic);
        b
    }

    pub(crate) fn from_bytes(b: &[u8; FOOTER_LEN as usize]) -> Footer {
        let mut end_magic = [0u8; 8];
        end_magic.copy_from_slice(&b[32..40]);
        Footer {
            trailer_offset: u64_at(b, 0),
            trailer_len: u64_at(b, 8),
            trailer_checksum: u64_at(b, 16),
            block_count: u64_at(b, 24),
            end_magic,
        }
    }
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_are_little_endian() {
        let h = BlockHeader {
            payload_len: 0x0102_0304,
            event_count: 7,
            checksum: u64::MAX - 1,
        };
        let b = h.to_bytes();
        assert_eq!(&b[0..4], &[4, 3, 2, 1]);
        assert_eq!(BlockHeader::from_bytes(&b), h);

        let f = Footer {
            trailer_offset: 12,
            trailer_len: 99,
            trailer_checksum: 0xdead_beef,
            block_count: 3,
            end_magic: END_MAGIC,
        };
        let b = f.to_bytes();
        assert_eq!(&b[32..], b"CASCEND\0");
        assert_eq!(Footer::from_bytes(&b), f);
    }
}
