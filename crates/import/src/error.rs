//! The one error type of the crate. Every variant that comes from a file names the file, and
//! where the problem is in a line-oriented file, the line (and the column) and what was
//! expected there. An error ends the import of that file: the events yielded before it are
//! good, nothing after it is read.

use crate::Format;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// A place in an input file: the path as given by the caller and a 1-based line number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file, as the caller named it.
    pub file: PathBuf,
    /// 1-based line number (of the decompressed text).
    pub line: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// Everything that can go wrong while importing. Bad input is never a panic and never a
/// silently skipped row: it is one of these, naming where and what was expected.
#[derive(Debug, Error)]
pub enum ImportError {
    /// The file could not be opened or its first bytes could not be read. Check the path and
    /// the permissions.
    #[error("{}: cannot open: {source}", file.display())]
    Open {
        /// The file.
        file: PathBuf,
        /// The operating-system error.
        source: io::Error,
    },

    /// Reading failed part-way through, typically a truncated or corrupt gzip or zip stream.
    /// The events before `at` were good; re-download or re-export the file.
    #[error("{at}: read failed, the file is truncated or corrupt: {source}")]
    Read {
        /// The line that could not be read.
        at: Location,
        /// The underlying error (from the file system or the decompressor).
        source: io::Error,
    },

    /// A `.zip` archive could not be read, or its CSV entry uses an unsupported compression or
    /// encryption. Re-download the archive or unpack it yourself.
    #[error("{}: bad zip archive: {reason}", file.display())]
    Zip {
        /// The archive.
        file: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// A gzip or zip file is corrupt or truncated: decompressing it fails (the rows read
    /// before the damage are not imported either). Re-download the file.
    #[error("{}: corrupt {container} archive: {reason}", file.display())]
    Corrupt {
        /// The archive.
        file: PathBuf,
        /// `gzip` or `zip`.
        container: &'static str,
        /// What the decompressor said.
        reason: String,
    },

    /// Two input files hold the same stream over overlapping times (a monthly and a daily file
    /// of the same klines, say): merged, every overlapping event would count twice. Give one.
    #[error(
        "{} and {} both hold {stream} from {from} to {to}: merged, those events would count \
         twice; import one of them (or split the range)",
        first.display(),
        second.display()
    )]
    Overlap {
        /// The earlier input.
        first: PathBuf,
        /// The later input.
        second: PathBuf,
        /// The stream (instrument and kind).
        stream: String,
        /// Start of the overlap (RFC 3339).
        from: String,
        /// End of the overlap (RFC 3339).
        to: String,
    },

    /// The data-quality gate ([`crate::quality`]) refused an event: a duplicated row, a price
    /// jump, an implausible value. `remedy` says which option keeps it (flagging the log).
    #[error(
        "{}: data row {row} (event at {ts}): {problem}{}",
        file.display(),
        remedy.as_ref().map_or(String::new(), |r| format!("; {r}"))
    )]
    Quality {
        /// The file.
        file: PathBuf,
        /// The 1-based data row (header excluded) that gave the event.
        row: u64,
        /// The event's time (RFC 3339).
        ts: String,
        /// What is wrong.
        problem: String,
        /// How to keep it anyway, if it can be kept.
        remedy: Option<String>,
    },

    /// A `.zip` archive holds no `.csv` entry. Check that this is the right download.
    #[error("{}: zip archive has no .csv entry (entries: {entries})", file.display())]
    ZipWithoutCsv {
        /// The archive.
        file: PathBuf,
        /// The names of the entries it has, comma-separated (possibly none).
        entries: String,
    },

    /// The file is empty (after decompression): no header, no data. Check the download.
    #[error("{}: the file is empty (no header line, no data)", file.display())]
    Empty {
        /// The file.
        file: PathBuf,
    },

    /// The file's name and first line match no known format. Pass the format explicitly
    /// (`ImportOptions::format`) if it is one of [`Format::ALL`].
    #[error(
        "{}: unrecognised format: the file name and the first line {first_line:?} match none of \
         the known formats ({known}); pass the format explicitly if it is one of them",
        file.display()
    )]
    UnknownFormat {
        /// The file.
        file: PathBuf,
        /// The first line (truncated to 200 characters).
        first_line: String,
        /// The names of the known formats.
        known: String,
    },

    /// The header line does not have the columns of the format (named by the caller or the
    /// file name). Check the file is what it claims to be, or force the right format.
    #[error("{at}: wrong header for {format}: {problem}; expected the columns {expected}")]
    Header {
        /// The header line.
        at: Location,
        /// The format the header was checked against.
        format: Format,
        /// Missing, unexpected or duplicated columns.
        problem: String,
        /// The columns the format has, comma-separated.
        expected: String,
    },

    /// A row has a different number of columns than the header (or the first row of a file
    /// without a header). The file is probably truncated or mixes formats.
    #[error("{at}: expected {expected} columns (like the {reference}), found {found}")]
    ColumnCount {
        /// The row.
        at: Location,
        /// The number of columns of the header or first row.
        expected: usize,
        /// The number found in this row.
        found: usize,
        /// What fixed the expected count: `header` or `first row`.
        reference: &'static str,
    },

    /// A cell does not hold what its column must hold: not a number, `NaN`/`inf`, negative or
    /// zero where a positive value is required, too many decimals, a bad timestamp, an
    /// unknown side… Fix or drop the row at the source; the importer will not guess.
    #[error("{at}: column `{column}`: expected {expected}, found {found:?}")]
    Field {
        /// The row.
        at: Location,
        /// The column's name (as in the format's header).
        column: String,
        /// What the column must hold.
        expected: String,
        /// The text found (truncated to 80 characters).
        found: String,
    },

    /// A field of a websocket capture message does not hold what it must (a missing field, a
    /// string that is not a positive price, …). Check that the capture is of Binance streams.
    #[error("{at}: field `{field}`: expected {expected}, found {found:?}")]
    JsonField {
        /// The line.
        at: Location,
        /// The JSON field's key (`p`, `bids`, …).
        field: String,
        /// What the field must hold.
        expected: String,
        /// The value found (truncated to 80 characters), or `missing`.
        found: String,
    },

    /// A line of a websocket capture is not `<local_ts_ns> <json>` with a message the importer
    /// knows. Check that the file is a raw capture of Binance streams.
    #[error("{at}: {expected}, found {found:?}")]
    Line {
        /// The line.
        at: Location,
        /// What the line must look like.
        expected: String,
        /// The text found (truncated to 80 characters).
        found: String,
    },

    /// The instrument table is strict and does not list this (venue, symbol). Add the
    /// instrument to the instrument file, or import in infer mode.
    #[error("{at}: unknown symbol {symbol:?} on venue {venue:?}: not in the instrument table (strict mode); add it to the instrument file")]
    UnknownSymbol {
        /// The row that named it.
        at: Location,
        /// The venue.
        venue: String,
        /// The symbol.
        symbol: String,
    },

    /// In infer mode, the spec of a new (venue, symbol) cannot be derived from its name (an
    /// unknown venue, a dated future, an unknown quote currency). List the instrument in an
    /// instrument file.
    #[error("{at}: cannot infer an instrument for symbol {symbol:?} on venue {venue:?}: {why}; list it in an instrument file")]
    CannotInfer {
        /// The row that named it.
        at: Location,
        /// The venue.
        venue: String,
        /// The symbol.
        symbol: String,
        /// Why inference failed.
        why: String,
    },

    /// The format has no symbol column and no symbol could be taken from the file name. Pass
    /// the symbol (`ImportOptions::symbol`).
    #[error("{}: {format} files have no symbol column and the file name gives none; pass the symbol explicitly", file.display())]
    NoSymbol {
        /// The file.
        file: PathBuf,
        /// Its format.
        format: Format,
    },

    /// An event's timestamp is earlier than the previous event's from the same file. Files
    /// must be in time order; sort the file at the source (the importer never reorders).
    #[error("{at}: {clock} {ts} is earlier than the previous {previous} (line {previous_line}); the file must be in time order")]
    OutOfOrder {
        /// The row with the earlier timestamp.
        at: Location,
        /// Which time: `timestamp` (the event's), or `local receive time` (of a capture line).
        clock: &'static str,
        /// Its timestamp (RFC 3339).
        ts: String,
        /// The previous event's timestamp.
        previous: String,
        /// The line of the previous event.
        previous_line: u64,
    },

    /// A value outside the documented range of `cascade_types::bounds` (a quantity of a
    /// million BTC, a price of 9·10¹⁰): the row cannot be computed with and is refused. Fix or
    /// drop the row at the source.
    #[error("{at}: event at {ts}: {problem}")]
    OutOfBounds {
        /// The row.
        at: Location,
        /// The event's timestamp (RFC 3339).
        ts: String,
        /// Which field, its value and the accepted range.
        problem: cascade_types::OutOfBounds,
    },

    /// Klines without a hint of which price series they are, whose first row looks like a
    /// price-series kline (volume 0 but a trade count): say which with
    /// `ImportOptions::bar_source` (mark, index or premium).
    #[error("{at}: these klines have volume 0 and count {count}, like mark/index/premium-index klines, but neither the caller nor the path says which; pass the bar source explicitly")]
    AmbiguousBarSource {
        /// The first data row.
        at: Location,
        /// The trade count found.
        count: u64,
    },

    /// An instrument file or list is malformed (bad JSON, a duplicate instrument, a field that
    /// is not a number). Fix the instrument file.
    #[error("instrument table: {0}")]
    Instruments(String),

    /// An input named for import does not exist. Check the path.
    #[error("input {} does not exist", path.display())]
    Missing {
        /// The path as given.
        path: PathBuf,
    },

    /// The inputs hold no data file (`.csv`, `.gz`, `.zip`, `.json`).
    #[error("no data files (.csv, .gz, .zip, .json) found in the inputs")]
    NoDataFiles,

    /// A file-system operation of an import to an event log failed (a directory that cannot
    /// be read or created, a finished log that cannot be moved into place).
    #[error("{}: {doing}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// What was being done.
        doing: &'static str,
        /// The operating-system error.
        source: io::Error,
    },

    /// The output path of an import cannot be written safely: a symbolic link, something
    /// other than a regular file, or one of the inputs. Name another output.
    #[error("{}: refusing to write: {reason}", path.display())]
    RefusedOutput {
        /// The output path.
        path: PathBuf,
        /// Why.
        reason: String,
    },

    /// Writing, reading or merging the event logs of an import failed (the journal's error
    /// names the log and where in it).
    #[error("{doing}: {source}")]
    Log {
        /// What was being done, naming the input file or the output log.
        doing: String,
        /// The journal's error.
        source: Box<cascade_journal::JournalError>,
    },
}

impl ImportError {
    /// The input file the error is about, when it is about one.
    pub fn file(&self) -> Option<&Path> {
        use ImportError::*;
        match self {
            Open { file, .. }
            | Zip { file, .. }
            | Corrupt { file, .. }
            | ZipWithoutCsv { file, .. }
            | Empty { file }
            | UnknownFormat { file, .. }
            | NoSymbol { file, .. } => Some(file),
            Read { at, .. }
            | Header { at, .. }
            | ColumnCount { at, .. }
            | Field { at, .. }
            | JsonField { at, .. }
            | Line { at, .. }
            | UnknownSymbol { at, .. }
            | CannotInfer { at, .. }
            | OutOfOrder { at, .. }
            | OutOfBounds { at, .. }
            | AmbiguousBarSource { at, .. } => Some(&at.file),
            Missing { path } | Io { path, .. } | RefusedOutput { path, .. } => Some(path),
            Overlap { second, .. } => Some(second),
            Quality { file, .. } => Some(file),
            Instruments(_) | NoDataFiles | Log { .. } => None,
        }
    }
}

/// Shortens `text` to at most `max` characters for error messages.
pub(crate) fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}
