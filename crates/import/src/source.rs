//! The streaming API: [`open`] a file, then iterate its events.
//!
//! A CSV file is read in line-aligned chunks, parsed on worker threads when
//! [`ImportOptions::threads`] allows ([`crate::chunks`], [`crate::pipeline`]) and handed out
//! event by event in file order; a capture or JSON file one line (or bar) at a time. Memory
//! stays bounded whatever the file size. Events come in the file's
//! order. Each event's time is checked against the previous one's: a step back is an error
//! naming the file and line (captures may step back within a bound, see
//! [`ImportOptions::capture_backstep_ns_max`]). The first error ends the iteration.

use crate::bitmex::BitmexReader;
use crate::chunks::{ChunkParser, ChunkReader, Parsed};
use crate::container::{self, Container};
use crate::detect;
use crate::instruments::InstrumentTable;
use crate::names;
use crate::parser::{CsvParser, FileInstrument, ImportStats, Out};
use crate::pipeline::Chunks;
use crate::ws_capture::WsReader;
use crate::{binance, force_order, tardis, Format, ImportError, ImportOptions, Location};
use cascade_types::InstrumentId;
use cascade_types::{Event, Ts};
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::{Path, PathBuf};

/// An open file: an iterator of its events, in file order.
///
/// Holds the instrument table mutably while iterating (new instruments are added in infer
/// mode); the table is complete for this file once the iterator returns `None`.
pub struct Importer<'t> {
    path: PathBuf,
    format: Format,
    container: Container,
    reader: Reader,
    out: Out<'t>,
    pending_line: u64,
    last: Option<(Ts, u64)>,
    backstep_ns_max: Option<i64>,
    stats: ImportStats,
    done: bool,
}

enum Reader {
    Csv(Box<CsvReader>),
    Ws(WsReader),
    Json(BitmexReader),
}

struct CsvReader {
    chunks: Chunks,
    current: Parsed,
    pos: usize,
    /// The stats before the current chunk.
    before: ImportStats,
    /// The real table's id of each of `current.names`, once met.
    remap: Vec<Option<InstrumentId>>,
}

/// Opens `path` for import: detects (or takes) its format, checks its header, and returns the
/// iterator of its events. Instruments are resolved in `table` as rows name them.
///
/// Fails without reading further when the file cannot be opened, the container is bad, the
/// format is unrecognised, the header is wrong, or the format needs a symbol that neither the
/// caller nor the file name gives.
pub fn open<'t>(
    path: impl AsRef<Path>,
    options: &ImportOptions,
    table: &'t mut InstrumentTable,
) -> Result<Importer<'t>, ImportError> {
    let path = path.as_ref().to_path_buf();
    let (raw, container) = container::open(&path)?;
    let mut buffered = BufReader::with_capacity(1 << 16, raw);
    let first = peek_first_line(&mut buffered).map_err(|source| ImportError::Read {
        at: Location {
            file: path.clone(),
            line: 1,
        },
        source,
    })?;
    if first.is_empty() {
        return Err(ImportError::Empty { file: path });
    }
    let first_text = String::from_utf8_lossy(&first);
    let first_line = first_text.trim_end_matches(['\n', '\r']).to_string();
    let stream: Box<dyn BufRead + Send> = Box::new(Cursor::new(first).chain(buffered));

    let ws = match options.format {
        Some(f) => f == Format::WsCapture,
        None => detect::looks_like_ws_capture(&first_line),
    };
    let json = match options.format {
        Some(f) => f == Format::BitmexBucketed,
        None => detect::looks_like_json(&first_line),
    };
    let (format, reader) = if json {
        let reader = BitmexReader::new(
            stream,
            &path,
            options.venue.clone(),
            options
                .symbol
                .clone()
                .or_else(|| names::symbol_from_file_name(&path)),
            detect::interval_from_name(&path),
        )?;
        (Format::BitmexBucketed, Reader::Json(reader))
    } else if ws {
        let venue = names::venue_hint(options.venue.as_deref(), &path);
        let reader = WsReader::new(
            stream,
            options.ws_clock,
            venue,
            options.symbol.clone(),
            names::symbol_from_file_name(&path),
        );
        (Format::WsCapture, Reader::Ws(reader))
    } else {
        let cells = first_record(&first_line);
        let detected = detect::detect_csv(&path, options.format, &cells, &first_line)?;
        let parser = make_parser(detected.format, &path, options)?;
        let parser = ChunkParser::new(
            path.clone(),
            detect::layout(detected.format),
            detected.map,
            detected.width,
            if detected.has_header {
                "header"
            } else {
                "first row"
            },
            detected.has_header,
            parser,
            table.clone(),
        );
        let threads = match options.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let reader = CsvReader {
            chunks: Chunks::new(
                ChunkReader::new(stream, path.clone(), options.chunk_bytes),
                parser,
                threads,
            ),
            current: Parsed::empty(),
            pos: 0,
            before: ImportStats::default(),
            remap: Vec::new(),
        };
        (detected.format, Reader::Csv(Box::new(reader)))
    };
    let backstep_ns_max = format
        .is_capture()
        .then_some(options.capture_backstep_ns_max.max(0));
    Ok(Importer {
        path,
        format,
        container,
        reader,
        out: Out::new(table),
        pending_line: 0,
        last: None,
        backstep_ns_max,
        stats: ImportStats::default(),
        done: false,
    })
}

/// Reads the first line (up to 1 MiB of it) without losing it: the bytes are returned to be
/// chained in front of the rest. A UTF-8 byte-order mark is dropped.
fn peek_first_line(input: &mut impl BufRead) -> io::Result<Vec<u8>> {
    const MAX: usize = 1 << 20;
    let mut line = Vec::new();
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        line.extend_from_slice(&buf[..take]);
        input.consume(take);
        if done || line.len() >= MAX {
            break;
        }
    }
    if line.starts_with(b"\xEF\xBB\xBF") {
        line.drain(..3);
    }
    Ok(line)
}

/// The cells of the first line, parsed as CSV and trimmed.
fn first_record(line: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(line.as_bytes());
    let mut rec = csv::StringRecord::new();
    match r.read_record(&mut rec) {
        Ok(true) => rec.iter().map(str::to_string).collect(),
        _ => Vec::new(),
    }
}

fn make_parser(
    format: Format,
    path: &Path,
    options: &ImportOptions,
) -> Result<Box<dyn CsvParser>, ImportError> {
    let file_instrument = || -> Result<FileInstrument, ImportError> {
        let symbol = options
            .symbol
            .clone()
            .or_else(|| names::symbol_from_file_name(path))
            .ok_or_else(|| ImportError::NoSymbol {
                file: path.to_path_buf(),
                format,
            })?;
        let venue = names::venue_hint(options.venue.as_deref(), path)
            .unwrap_or_else(|| names::venue_for_symbol(&symbol).to_string());
        Ok(FileInstrument { venue, symbol })
    };
    let venue = names::venue_hint(options.venue.as_deref(), path);
    Ok(match format {
        Format::BinanceKlines => Box::new(binance::klines::Klines::new(
            file_instrument()?,
            options
                .bar_source
                .or_else(|| names::bar_source_from_path(path)),
            detect::interval_from_name(path),
        )),
        Format::BinanceAggTrades => Box::new(binance::trades::AggTrades(file_instrument()?)),
        Format::BinanceTrades => Box::new(binance::trades::Trades(file_instrument()?)),
        Format::BinanceBookTicker => Box::new(binance::book_ticker::BookTicker(file_instrument()?)),
        Format::BinanceBookDepth => Box::new(binance::book_depth::BookDepth(file_instrument()?)),
        Format::BinanceMetrics => Box::new(binance::metrics::Metrics { venue }),
        Format::BinanceMetricsApi => Box::new(binance::metrics_api::MetricsApi(file_instrument()?)),
        Format::BinanceFundingRate => {
            Box::new(binance::funding_rate::FundingRate(file_instrument()?))
        }
        Format::TardisTrades => Box::new(tardis::Trades),
        Format::TardisLiquidations => Box::new(tardis::Liquidations),
        Format::TardisBookTicker => Box::new(tardis::BookTicker),
        Format::TardisDerivativeTicker => Box::new(tardis::DerivativeTicker),
        Format::ForceOrderCsv => Box::new(force_order::ForceOrders { venue }),
        Format::BitmexTrades => Box::new(crate::bitmex_trades::Trades {
            venue: venue.unwrap_or_else(|| "bitmex".to_string()),
            only: options.symbol.clone(),
        }),
        Format::WsCapture | Format::BitmexBucketed => {
            unreachable!("websocket captures and BitMEX JSON are not CSV")
        }
    })
}

impl<'t> Importer<'t> {
    /// The file's format (detected or forced).
    pub fn format(&self) -> Format {
        self.format
    }

    /// How the file is packed.
    pub fn container(&self) -> Container {
        self.container
    }

    /// The file, as given to [`open`].
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Counts so far (final once the iterator has returned `None`).
    pub fn stats(&self) -> ImportStats {
        self.stats
    }

    /// The instrument table as it stands (complete for this file after the last event).
    pub fn table(&self) -> &InstrumentTable {
        self.out.table
    }

    fn fail(&mut self, e: ImportError) -> Option<Result<Event, ImportError>> {
        self.done = true;
        self.out.queue.clear();
        Some(Err(e))
    }

    /// Checks the next event's values against `cascade_types::bounds`, and (for captures,
    /// clamps) its time against the previous one's.
    fn order(&mut self, ev: Event) -> Result<Event, ImportError> {
        if let Err(problem) = cascade_types::check_event(&ev) {
            return Err(ImportError::OutOfBounds {
                at: Location {
                    file: self.path.clone(),
                    line: self.pending_line,
                },
                ts: ev.ts.to_string(),
                problem,
            });
        }
        self.order_checked(ev)
    }

    /// [`Importer::order`] for an event whose values are already checked (CSV chunks).
    fn order_checked(&mut self, mut ev: Event) -> Result<Event, ImportError> {
        if let Some((prev, prev_line)) = self.last {
            if ev.ts < prev {
                let back = prev.nanos().saturating_sub(ev.ts.nanos());
                match self.backstep_ns_max {
                    Some(max) if back <= max => {
                        ev.ts = prev;
                        self.stats.clamped += 1;
                    }
                    _ => {
                        return Err(ImportError::OutOfOrder {
                            at: Location {
                                file: self.path.clone(),
                                line: self.pending_line,
                            },
                            clock: "timestamp",
                            ts: ev.ts.to_string(),
                            previous: prev.to_string(),
                            previous_line: prev_line,
                        })
                    }
                }
            }
        }
        self.last = Some((ev.ts, self.pending_line));
        Ok(ev)
    }

    /// The next event of a CSV file: from the current parsed chunk (its instruments mapped
    /// into the real table, which dates them, in event order), else from the next chunk.
    fn next_csv(&mut self) -> Option<Result<Event, ImportError>> {
        loop {
            if self.done {
                return None;
            }
            let Reader::Csv(r) = &mut self.reader else {
                return None;
            };
            if r.pos < r.current.events.len() {
                let mut ev = r.current.events[r.pos];
                let mark = r.current.marks[r.pos];
                let line = mark.line;
                r.pos += 1;
                self.stats.rows = r.before.rows + mark.rows;
                self.stats.rows_without_events =
                    r.before.rows_without_events + mark.rows_without_events;
                if let Some(k) = ev.instrument.index().checked_sub(r.current.base) {
                    let id = match r.remap.get(k).copied().flatten() {
                        Some(id) => id,
                        None => {
                            let Some((venue, symbol)) = r.current.names.get(k) else {
                                return self.fail(ImportError::Read {
                                    at: Location {
                                        file: self.path.clone(),
                                        line,
                                    },
                                    source: io::Error::other("an event of an unnamed instrument"),
                                });
                            };
                            let path = &self.path;
                            match self.out.instrument(venue, symbol, || Location {
                                file: path.clone(),
                                line,
                            }) {
                                Ok(id) => {
                                    r.remap[k] = Some(id);
                                    id
                                }
                                Err(e) => return self.fail(e),
                            }
                        }
                    };
                    ev.instrument = id;
                }
                if self.out.table.has_undated() {
                    self.out.table.date(ev.instrument, ev.ts);
                }
                self.pending_line = line;
                return match self.order_checked(ev) {
                    Ok(ev) => {
                        self.stats.events += 1;
                        Some(Ok(ev))
                    }
                    Err(e) => self.fail(e),
                };
            }
            self.stats.rows = r.before.rows + r.current.rows;
            self.stats.rows_without_events =
                r.before.rows_without_events + r.current.rows_without_events;
            if let Some(e) = r.current.error.take() {
                return self.fail(e);
            }
            r.before = self.stats;
            if !r.chunks.next(&mut r.current) {
                self.done = true;
                return None;
            }
            r.pos = 0;
            r.remap.clear();
            r.remap.resize(r.current.names.len(), None);
        }
    }
}

impl Iterator for Importer<'_> {
    type Item = Result<Event, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if matches!(self.reader, Reader::Csv(_)) {
            return self.next_csv();
        }
        loop {
            if let Some(ev) = self.out.queue.pop_front() {
                return match self.order(ev) {
                    Ok(ev) => {
                        self.stats.events += 1;
                        Some(Ok(ev))
                    }
                    Err(e) => self.fail(e),
                };
            }
            if self.done {
                return None;
            }
            let read = match &mut self.reader {
                Reader::Csv(_) => Ok(None),
                Reader::Ws(r) => r.next_line(&self.path, &mut self.out, &mut self.stats),
                Reader::Json(r) => r.next_bar(&mut self.out, &mut self.stats),
            };
            match read {
                Ok(Some(line)) => {
                    self.pending_line = line;
                    if self.out.queue.is_empty() {
                        self.stats.rows_without_events += 1;
                    }
                }
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(e) => return self.fail(e),
            }
        }
    }
}
