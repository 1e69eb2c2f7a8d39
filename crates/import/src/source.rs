//! The streaming API: [`open`] a file, then iterate its events.
//!
//! One row (or capture line) is read at a time and turned into its events, which are handed
//! out one by one; memory stays constant whatever the file size. Events come in the file's
//! order. Each event's time is checked against the previous one's: a step back is an error
//! naming the file and line (captures may step back within a bound, see
//! [`ImportOptions::capture_backstep_ns_max`]). The first error ends the iteration.

use crate::bitmex::BitmexReader;
use crate::container::{self, Container};
use crate::detect;
use crate::instruments::InstrumentTable;
use crate::layout::Layout;
use crate::names;
use crate::parser::{CsvParser, FileInstrument, ImportStats, Out};
use crate::row::Row;
use crate::ws_capture::WsReader;
use crate::{binance, force_order, tardis, Format, ImportError, ImportOptions, Location};
use cascade_types::{Event, Ts};
use csv::ByteRecord;
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
    Csv(CsvReader),
    Ws(WsReader),
    Json(BitmexReader),
}

struct CsvReader {
    csv: csv::Reader<Box<dyn Read + Send>>,
    record: ByteRecord,
    layout: &'static Layout,
    map: Vec<Option<usize>>,
    width: usize,
    width_from: &'static str,
    skip_header: bool,
    last_line: u64,
    parser: Box<dyn CsvParser>,
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
        let csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(Box::new(stream) as Box<dyn Read + Send>);
        let reader = CsvReader {
            csv,
            record: ByteRecord::new(),
            layout: detect::layout(detected.format),
            map: detected.map,
            width: detected.width,
            width_from: if detected.has_header {
                "header"
            } else {
                "first row"
            },
            skip_header: detected.has_header,
            last_line: 0,
            parser,
        };
        (detected.format, Reader::Csv(reader))
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
        Format::WsCapture | Format::BitmexBucketed => {
            unreachable!("websocket captures and BitMEX JSON are not CSV")
        }
    })
}

impl CsvReader {
    /// Reads the next data row and queues its events; `Ok(false)` at the end of the file.
    fn next_row(
        &mut self,
        path: &Path,
        out: &mut Out<'_>,
        stats: &mut ImportStats,
    ) -> Result<Option<u64>, ImportError> {
        loop {
            match self.csv.read_byte_record(&mut self.record) {
                Ok(false) => return Ok(None),
                Ok(true) => {}
                Err(e) => {
                    let at = Location {
                        file: path.to_path_buf(),
                        line: self.last_line + 1,
                    };
                    let source = match e.into_kind() {
                        csv::ErrorKind::Io(io) => io,
                        other => io::Error::other(format!("{other:?}")),
                    };
                    return Err(ImportError::Read { at, source });
                }
            }
            let line = self
                .record
                .position()
                .map_or(self.last_line + 1, |p| p.line());
            self.last_line = line;
            if self.skip_header {
                self.skip_header = false;
                continue;
            }
            stats.rows += 1;
            if self.record.len() != self.width {
                return Err(ImportError::ColumnCount {
                    at: Location {
                        file: path.to_path_buf(),
                        line,
                    },
                    expected: self.width,
                    found: self.record.len(),
                    reference: self.width_from,
                });
            }
            let row = Row::new(path, line, &self.record, self.layout, &self.map);
            self.parser.parse(&row, out)?;
            return Ok(Some(line));
        }
    }
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
    fn order(&mut self, mut ev: Event) -> Result<Event, ImportError> {
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
}

impl Iterator for Importer<'_> {
    type Item = Result<Event, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
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
                Reader::Csv(r) => r.next_row(&self.path, &mut self.out, &mut self.stats),
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
