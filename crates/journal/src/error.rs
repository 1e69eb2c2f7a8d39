//! The journal's one error type. Every error says **where**: the file, the region of the file
//! (preamble, block *k*, trailer, footer) and the byte offset, and what was expected there.

use cascade_types::{InstrumentId, Ts};
use std::fmt;
use std::path::PathBuf;
use thiserror::Error;

/// Shorthand for results of this crate.
pub type Result<T, E = JournalError> = std::result::Result<T, E>;

/// The part of a log a [`Location`] falls in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Region {
    /// The magic and format version at the start of the file.
    Preamble,
    /// The block with this index (0-based, in file order).
    Block(u64),
    /// The bincode-encoded header stored after the last block.
    Trailer,
    /// The fixed-size footer at the end of the file.
    Footer,
}

/// Where in which file an error was found.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Location {
    /// The log's path, as given to `Writer::create` or `Reader::open`.
    pub path: PathBuf,
    /// Which part of the file.
    pub region: Region,
    /// Byte offset from the start of the file.
    pub offset: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.path.display())?;
        match self.region {
            Region::Preamble => write!(f, "preamble")?,
            Region::Block(k) => write!(f, "block {k}")?,
            Region::Trailer => write!(f, "trailer")?,
            Region::Footer => write!(f, "footer")?,
        }
        write!(f, " at byte {}", self.offset)
    }
}

/// Renders up to 8 raw bytes as an escaped byte string, `b"CASCLOG\0"` style.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Bytes8(pub [u8; 8]);

impl fmt::Display for Bytes8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

/// Everything that can go wrong writing, reading or merging event logs.
///
/// Reading never panics and never skips data: any byte sequence either decodes to the events
/// its writer wrote or yields one of these errors, after which the reader yields nothing more.
#[derive(Debug, Error)]
pub enum JournalError {
    /// The operating system refused a read, write, seek or open. The caller should check the
    /// path, permissions and free disk space; the file itself may be fine.
    #[error("{at}: I/O error while {doing}: {source}")]
    Io {
        /// Where.
        at: Location,
        /// What the journal was doing ("opening", "reading a block", …).
        doing: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// The file does not start with the magic of its kind: it is not a cascade event log (or
    /// run journal), or its first bytes were overwritten. The caller should check that the
    /// right file was passed.
    #[error("{at}: not a cascade {kind}: expected magic {expected}, found {found}")]
    BadMagic {
        /// Where.
        at: Location,
        /// The kind of file expected ("event log", "run journal").
        kind: &'static str,
        /// The magic of that kind.
        expected: Bytes8,
        /// The first 8 bytes as found.
        found: Bytes8,
    },

    /// The log was written in a format version this build cannot read. The caller should use a
    /// matching cascade version or re-import the source data.
    #[error("{at}: unsupported format version {found}: this build reads version {supported}")]
    UnsupportedVersion {
        /// Where.
        at: Location,
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },

    /// The file ends before a part that must be there. The caller should re-create the log
    /// (re-run the import or re-copy the file); nothing past this point can be trusted.
    #[error("{at}: truncated {part}: expected {needed} bytes, only {available} left in the file")]
    Truncated {
        /// Where the missing part starts.
        at: Location,
        /// Which part is cut ("preamble", "footer", "block payload", …).
        part: &'static str,
        /// Bytes the part needs.
        needed: u64,
        /// Bytes the file has from `at` on.
        available: u64,
    },

    /// The last bytes are not the end marker: the writer never called `finish` (it crashed or
    /// is still writing), or the file was cut short. The caller should re-create the file.
    #[error(
        "{at}: truncated or unfinished {noun}: expected the end marker {expected} in the last 8 bytes, found {found}; the writer never finished or the file was cut short"
    )]
    Unfinished {
        /// Where the end marker should be.
        at: Location,
        /// The kind of file, in one word ("log", "journal").
        noun: &'static str,
        /// The end marker of that kind.
        expected: Bytes8,
        /// The last 8 bytes as found.
        found: Bytes8,
    },

    /// A frame field or a cross-check between parts of the file is inconsistent (a length
    /// out of range, a block overrunning the block region, a time span that disagrees with the
    /// header). The file is corrupt; the caller should re-create it.
    #[error("{at}: malformed log: {detail}")]
    Malformed {
        /// Where.
        at: Location,
        /// What was expected and what was found.
        detail: String,
    },

    /// A block's payload (or the trailer) does not hash to its stored checksum: bytes changed
    /// on disk or in transit. The caller should re-create or re-copy the file.
    #[error("{at}: checksum mismatch in {part}: stored {stored:#018x}, computed {computed:#018x}")]
    ChecksumMismatch {
        /// Where the checksummed part starts.
        at: Location,
        /// "block payload" or "trailer".
        part: &'static str,
        /// The checksum in the file.
        stored: u64,
        /// The checksum of the bytes as read.
        computed: u64,
    },

    /// Bytes that passed their checksum do not decode as the expected value: the file was
    /// written by an incompatible build or crafted. The caller should re-create it.
    #[error("{at}: cannot decode {what}: {detail}")]
    Undecodable {
        /// Where the value starts.
        at: Location,
        /// What was being decoded ("event 17", "the header").
        what: String,
        /// The codec's explanation.
        detail: String,
    },

    /// A value could not be encoded. This does not happen with the current codec; if it does,
    /// the caller should report a bug.
    #[error("{at}: cannot encode {what}: {detail}")]
    Unencodable {
        /// Where it would have been written.
        at: Location,
        /// What was being encoded.
        what: String,
        /// The codec's explanation.
        detail: String,
    },

    /// An event's timestamp is earlier than the one before it. At write time the caller must
    /// sort its events (or merge its sources) first; at read time the file is corrupt.
    #[error("{at}: events out of order: event {index} has ts {ts} ({}), before the previous event's {previous_ts} ({})", ts.nanos(), previous_ts.nanos())]
    OutOfOrder {
        /// Where (the block holding, or about to hold, the event).
        at: Location,
        /// 0-based index of the offending event in the log.
        index: u64,
        /// Timestamp of the event before it.
        previous_ts: Ts,
        /// Its own timestamp.
        ts: Ts,
    },

    /// An event refers to an instrument id outside the log's instrument table. At write time
    /// the caller must add the instrument to the table passed to `Writer::create`; at read
    /// time the file is corrupt.
    #[error("{at}: event {index} refers to instrument {instrument}, but the table has {table_len} instruments")]
    UnknownInstrument {
        /// Where.
        at: Location,
        /// 0-based index of the offending event in the log.
        index: u64,
        /// The id it used.
        instrument: InstrumentId,
        /// Length of the table.
        table_len: u64,
    },

    /// An instrument table has two entries for one (venue, symbol, kind), or two logs being
    /// merged describe the same instrument differently (tick, lot, contract size, assets).
    /// The caller should fix the instrument specs (a log's table is fixed when it is written).
    #[error("{at}: instrument conflict: {detail}")]
    InstrumentConflict {
        /// The log (or the table being written) where the conflict shows.
        at: Location,
        /// Which instrument and how its descriptions differ.
        detail: String,
    },

    /// Two merge inputs have the same source priority, so their ties would have no defined
    /// order. The caller must give every input a distinct priority.
    #[error("{at}: source priority {priority} is also used by {other}; merge priorities must be distinct")]
    DuplicatePriority {
        /// The second input with this priority.
        at: Location,
        /// The priority.
        priority: u32,
        /// Path of the first input with it.
        other: String,
    },

    /// Fewer or more events (or blocks) were found than the header says. The file is corrupt
    /// or was assembled from pieces; the caller should re-create it.
    #[error("{at}: {what} count mismatch: the header says {header}, the file has {found}")]
    CountMismatch {
        /// Where the blocks end.
        at: Location,
        /// "event" or "block".
        what: &'static str,
        /// The count in the header (or footer).
        header: u64,
        /// The count found.
        found: u64,
    },

    /// The hash of all event bytes differs from the header's content hash: the events are not
    /// the ones the header was written for. The caller should re-create the log.
    #[error("{at}: content hash mismatch: the header says {header:#018x}, the events hash to {computed:#018x}")]
    HashMismatch {
        /// Where the blocks end.
        at: Location,
        /// The hash in the header.
        header: u64,
        /// The hash of the events read.
        computed: u64,
    },
}

impl JournalError {
    /// Where the error was found.
    pub fn location(&self) -> &Location {
        match self {
            JournalError::Io { at, .. }
            | JournalError::BadMagic { at, .. }
            | JournalError::UnsupportedVersion { at, .. }
            | JournalError::Truncated { at, .. }
            | JournalError::Unfinished { at, .. }
            | JournalError::Malformed { at, .. }
            | JournalError::ChecksumMismatch { at, .. }
            | JournalError::Undecodable { at, .. }
            | JournalError::Unencodable { at, .. }
            | JournalError::OutOfOrder { at, .. }
            | JournalError::UnknownInstrument { at, .. }
            | JournalError::InstrumentConflict { at, .. }
            | JournalError::DuplicatePriority { at, .. }
            | JournalError::CountMismatch { at, .. }
            | JournalError::HashMismatch { at, .. } => at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_stay_small_and_render_their_location() {
        // Results of events travel through iterators; keep the error from bloating them
        // (clippy's `result_large_err` draws the line at 128 bytes).
        assert!(
            std::mem::size_of::<JournalError>() <= 112,
            "{}",
            std::mem::size_of::<JournalError>()
        );
        let e = JournalError::BadMagic {
            at: Location {
                path: "x.clog".into(),
                region: Region::Preamble,
                offset: 0,
            },
            kind: "event log",
            expected: Bytes8(crate::format::MAGIC),
            found: Bytes8(*b"PK\x03\x04abcd"),
        };
        assert_eq!(
            e.to_string(),
            r#"x.clog: preamble at byte 0: not a cascade event log: expected magic b"CASCLOG\x00", found b"PK\x03\x04abcd""#
        );
        assert_eq!(e.location().offset, 0);
    }
}
