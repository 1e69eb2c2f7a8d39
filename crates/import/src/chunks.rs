//! A CSV file as line-aligned chunks of bytes, and the parse of one chunk into events.
//!
//! [`ChunkReader`] reads the (decompressed) stream in blocks of about
//! [`ImportOptions::chunk_bytes`](crate::ImportOptions), cut after the last newline, and
//! numbers each chunk's first line by counting the newlines before it — so a chunk can be
//! parsed anywhere, by any thread, and still name the right line in its errors.
//!
//! [`ChunkParser`] splits a chunk into rows with a byte splitter (no allocation per row; the
//! chunk is checked as UTF-8 once, and a cell is then sliced, not validated again) and runs the
//! format's [`CsvParser`] on each, into a [`Parsed`] chunk: its events with their lines, its
//! counts and the first error, after which it stops. Instruments are resolved in the
//! parser's own copy of the instrument table; the reader maps the copy's new instruments into
//! the real table in event order ([`Parsed::names`]), so ids, dates and notes come out as a
//! serial read gives them.
//!
//! The splitter follows the `csv` crate's reading of a line: `,` separates, `\r\n` ends a line
//! like `\n`, an empty line is skipped, cells are trimmed. A line holding a `"` is handed to
//! the `csv` crate whole; a quoted cell may not span lines (market data never has one).

use crate::instruments::InstrumentTable;
use crate::layout::Layout;
use crate::parser::{CsvParser, Out};
use crate::row::{Fields, Row};
use crate::{ImportError, Location};
use cascade_types::Event;
use std::io::{self, BufRead};
use std::path::PathBuf;

/// Line-aligned bytes of a file and where they start.
pub(crate) struct Chunk {
    /// Position in the file's chunk order, from 0.
    pub seq: u64,
    /// The line number of the first byte (1-based).
    pub first_line: u64,
    /// Whole lines (the last one may lack its newline at the end of the file).
    pub bytes: Vec<u8>,
}

/// Reads a stream into [`Chunk`]s.
pub(crate) struct ChunkReader {
    stream: Box<dyn BufRead + Send>,
    path: PathBuf,
    size: usize,
    carry: Vec<u8>,
    next_line: u64,
    seq: u64,
    eof: bool,
}

impl ChunkReader {
    pub(crate) fn new(stream: Box<dyn BufRead + Send>, path: PathBuf, size: usize) -> Self {
        ChunkReader {
            stream,
            path,
            size: size.max(1),
            carry: Vec::new(),
            next_line: 1,
            seq: 0,
            eof: false,
        }
    }

    /// The next chunk, read into `buf` (its old contents dropped); `None` at the end.
    pub(crate) fn next(&mut self, mut buf: Vec<u8>) -> Result<Option<Chunk>, ImportError> {
        // The buffer's old bytes are overwritten, never zeroed again: it keeps its length
        // from chunk to chunk, so only a longer chunk grows it.
        let mut len = self.carry.len();
        if buf.len() < len {
            buf.resize(len, 0);
        }
        buf[..len].copy_from_slice(&self.carry);
        self.carry.clear();
        let mut want = self.size;
        loop {
            while !self.eof && len < want {
                if buf.len() < want {
                    buf.resize(want, 0);
                }
                match self.stream.read(&mut buf[len..want]) {
                    Ok(0) => self.eof = true,
                    Ok(n) => len += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(source) => {
                        return Err(ImportError::Read {
                            at: Location {
                                file: self.path.clone(),
                                line: self.next_line + count_lines(&buf[..len]),
                            },
                            source,
                        })
                    }
                }
            }
            if self.eof {
                break;
            }
            match buf[..len].iter().rposition(|&b| b == b'\n') {
                Some(i) => {
                    self.carry.extend_from_slice(&buf[i + 1..len]);
                    len = i + 1;
                    break;
                }
                // A line longer than the chunk: read on.
                None => want = len * 2,
            }
        }
        buf.truncate(len);
        if buf.is_empty() {
            return Ok(None);
        }
        let chunk = Chunk {
            seq: self.seq,
            first_line: self.next_line,
            bytes: buf,
        };
        self.seq += 1;
        self.next_line += count_lines(&chunk.bytes);
        Ok(Some(chunk))
    }
}

fn count_lines(bytes: &[u8]) -> u64 {
    // Summed in small blocks so the compiler vectorises the compare.
    bytes
        .chunks(4096)
        .map(|c| c.iter().map(|&b| u32::from(b == b'\n')).sum::<u32>() as u64)
        .sum()
}

/// An event's row: its line, and the chunk's counts when the row was read, so the stats an
/// importer shows at each event are the ones a row-by-row read shows.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mark {
    /// The row's line.
    pub line: u64,
    /// Rows of the chunk up to this one, this one included.
    pub rows: u64,
    /// Rows of the chunk before this one that gave no event.
    pub rows_without_events: u64,
}

/// One chunk's parse. Its events have passed `cascade_types::check_event`.
pub(crate) struct Parsed {
    /// The chunk's position in the file.
    pub seq: u64,
    /// The chunk's bytes, handed back for reuse.
    pub bytes: Vec<u8>,
    /// The events, in row order; instrument ids are the parser's table's (see `names`).
    pub events: Vec<Event>,
    /// Where each event came from.
    pub marks: Vec<Mark>,
    /// Data rows read (the header excluded, a bad row included).
    pub rows: u64,
    /// Rows that gave no event.
    pub rows_without_events: u64,
    /// The first error; nothing after it was parsed.
    pub error: Option<ImportError>,
    /// (venue, symbol) of the parser table's ids from `base` on: instruments this parser met
    /// that the real table did not have when the file was opened.
    pub names: Vec<(String, String)>,
    /// The first id of `names`.
    pub base: usize,
}

impl Parsed {
    pub(crate) fn empty() -> Parsed {
        Parsed {
            seq: 0,
            bytes: Vec::new(),
            events: Vec::new(),
            marks: Vec::new(),
            rows: 0,
            rows_without_events: 0,
            error: None,
            names: Vec::new(),
            base: 0,
        }
    }

    /// A chunk that is only an error (a failed read).
    pub(crate) fn failed(seq: u64, error: ImportError) -> Parsed {
        Parsed {
            seq,
            error: Some(error),
            ..Parsed::empty()
        }
    }
}

/// Parses chunks of one file: the format's parser, its own copy of the instrument table, and
/// reusable row buffers.
pub(crate) struct ChunkParser {
    pub path: PathBuf,
    pub layout: &'static Layout,
    pub map: Vec<Option<usize>>,
    pub width: usize,
    pub width_from: &'static str,
    pub skip_header: bool,
    pub parser: Box<dyn CsvParser>,
    pub table: InstrumentTable,
    pub base: usize,
    bounds: Vec<(usize, usize)>,
    unquoted: Vec<u8>,
}

impl ChunkParser {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        path: PathBuf,
        layout: &'static Layout,
        map: Vec<Option<usize>>,
        width: usize,
        width_from: &'static str,
        skip_header: bool,
        parser: Box<dyn CsvParser>,
        table: InstrumentTable,
    ) -> ChunkParser {
        let base = table.len();
        ChunkParser {
            path,
            layout,
            map,
            width,
            width_from,
            skip_header,
            parser,
            table,
            base,
            bounds: Vec::new(),
            unquoted: Vec::new(),
        }
    }

    /// Another parser of the same file for a worker thread, when the format's parser keeps
    /// no state between rows.
    pub(crate) fn fork(&self) -> Option<ChunkParser> {
        let parser = self.parser.fork()?;
        Some(ChunkParser {
            path: self.path.clone(),
            layout: self.layout,
            map: self.map.clone(),
            width: self.width,
            width_from: self.width_from,
            skip_header: self.skip_header,
            parser,
            table: self.table.clone(),
            base: self.base,
            bounds: Vec::new(),
            unquoted: Vec::new(),
        })
    }

    /// Parses `chunk` into `out` (cleared first).
    pub(crate) fn parse(&mut self, chunk: Chunk, out: &mut Parsed) {
        out.seq = chunk.seq;
        out.events.clear();
        out.marks.clear();
        out.rows = 0;
        out.rows_without_events = 0;
        out.error = None;
        out.names.clear();
        out.base = self.base;
        let bytes = chunk.bytes;
        if let Err(e) = self.parse_rows(&bytes, chunk.first_line, chunk.seq == 0, out) {
            out.error = Some(e);
        }
        out.names.extend(
            self.table.specs()[self.base..]
                .iter()
                .map(|s| (s.venue.clone(), s.symbol.clone())),
        );
        out.bytes = bytes;
    }

    fn parse_rows(
        &mut self,
        bytes: &[u8],
        first_line: u64,
        first_chunk: bool,
        out: &mut Parsed,
    ) -> Result<(), ImportError> {
        let text = std::str::from_utf8(bytes).ok();
        let mut header = first_chunk && self.skip_header;
        let mut sink = Out::new(&mut self.table);
        let mut line = first_line;
        let mut start = 0;
        while start < bytes.len() {
            // One pass over the line: its end, its commas, and whether it has a quote.
            self.bounds.clear();
            let mut cell = start;
            let mut quoted = false;
            let mut end = bytes.len();
            for (i, &b) in bytes[start..].iter().enumerate() {
                match b {
                    b',' => {
                        self.bounds.push(trim(bytes, cell, start + i));
                        cell = start + i + 1;
                    }
                    b'\n' => {
                        end = start + i;
                        break;
                    }
                    b'"' => quoted = true,
                    _ => {}
                }
            }
            let this_line = line;
            line += 1;
            let mut stop = end;
            if stop > start && bytes[stop - 1] == b'\r' {
                stop -= 1;
            }
            let row_start = start;
            start = end + 1;
            if stop == row_start {
                continue; // an empty line, as the csv crate skips it
            }
            self.bounds.push(trim(bytes, cell.min(stop), stop));
            let fields = if quoted {
                unquote(
                    &bytes[row_start..stop],
                    &mut self.unquoted,
                    &mut self.bounds,
                )
                .map_err(|source| ImportError::Read {
                    at: Location {
                        file: self.path.clone(),
                        line: this_line,
                    },
                    source,
                })?;
                Fields {
                    bytes: &self.unquoted,
                    text: std::str::from_utf8(&self.unquoted).ok(),
                    bounds: &self.bounds,
                }
            } else {
                Fields {
                    bytes,
                    text,
                    bounds: &self.bounds,
                }
            };
            if header {
                header = false;
                continue;
            }
            out.rows += 1;
            if fields.len() != self.width {
                return Err(ImportError::ColumnCount {
                    at: Location {
                        file: self.path.clone(),
                        line: this_line,
                    },
                    expected: self.width,
                    found: fields.len(),
                    reference: self.width_from,
                });
            }
            let row = Row::new(&self.path, this_line, fields, self.layout, &self.map);
            self.parser.parse(&row, &mut sink)?;
            if sink.queue.is_empty() {
                out.rows_without_events += 1;
            }
            let mark = Mark {
                line: this_line,
                rows: out.rows,
                rows_without_events: out.rows_without_events,
            };
            // Each event's values are checked here, off the reader's thread, in the order
            // the reader would check them: the events before a bad one are kept.
            while let Some(event) = sink.queue.pop_front() {
                if let Err(problem) = cascade_types::check_event(&event) {
                    sink.queue.clear();
                    return Err(ImportError::OutOfBounds {
                        at: Location {
                            file: self.path.clone(),
                            line: this_line,
                        },
                        ts: event.ts.to_string(),
                        problem,
                    });
                }
                out.events.push(event);
                out.marks.push(mark);
            }
        }
        Ok(())
    }
}

/// The range `start..end` of `bytes` without its leading and trailing ASCII whitespace.
fn trim(bytes: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && bytes[start].is_ascii_whitespace() {
        start += 1;
    }
    while end > start && bytes[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    (start, end)
}

/// A line with quotes, read by the `csv` crate; its cells are copied into `out`.
fn unquote(line: &[u8], out: &mut Vec<u8>, bounds: &mut Vec<(usize, usize)>) -> io::Result<()> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(line);
    let mut record = csv::ByteRecord::new();
    reader
        .read_byte_record(&mut record)
        .map_err(|e| io::Error::other(format!("{:?}", e.into_kind())))?;
    out.clear();
    bounds.clear();
    for cell in record.iter() {
        let start = out.len();
        out.extend_from_slice(cell);
        bounds.push((start, out.len()));
    }
    Ok(())
}
