//! What a format module's parser writes to: [`Out`] (instrument resolution and the queue of
//! events), the [`CsvParser`] trait, the file-level instrument of symbol-less formats, and
//! the [`ImportStats`] counts. Parsers depend on this module; the reader ([`crate::source`])
//! drives them. Nothing here depends on a format module.

use crate::instruments::{InstrumentTable, Unresolved};
use crate::row::Row;
use crate::{ImportError, Location};
use cascade_types::{Event, EventBody, InstrumentId, Ts};
use std::collections::VecDeque;

/// Counts kept while importing a file, for progress and for reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportStats {
    /// Data rows (or capture lines) read, header excluded.
    pub rows: u64,
    /// Events yielded.
    pub events: u64,
    /// Rows that produced no event: every optional cell empty (metrics, derivative ticker) or
    /// an empty depth update. Not an error, but worth reporting.
    pub rows_without_events: u64,
    /// Capture events whose time was raised to the previous event's (see [`crate::WsClock`]).
    pub clamped: u64,
}

/// Where a row's events go: the instrument table (with a one-entry cache so that the usual
/// single-symbol file does no lookup per row) and the queue of events to hand out.
pub(crate) struct Out<'t> {
    pub(crate) table: &'t mut InstrumentTable,
    cache: Option<(String, String, InstrumentId)>,
    pub(crate) queue: VecDeque<Event>,
}

impl<'t> Out<'t> {
    /// An empty queue over `table`.
    pub(crate) fn new(table: &'t mut InstrumentTable) -> Out<'t> {
        Out {
            table,
            cache: None,
            queue: VecDeque::new(),
        }
    }

    /// The id of (venue, symbol) for the row at `at`, adding it in infer mode.
    pub(crate) fn instrument(
        &mut self,
        venue: &str,
        symbol: &str,
        at: impl FnOnce() -> Location,
    ) -> Result<InstrumentId, ImportError> {
        if let Some((v, s, id)) = &self.cache {
            if v == venue && s == symbol {
                return Ok(*id);
            }
        }
        let id = self.table.resolve(venue, symbol).map_err(|e| match e {
            Unresolved::Unknown => ImportError::UnknownSymbol {
                at: at(),
                venue: venue.to_string(),
                symbol: symbol.to_string(),
            },
            Unresolved::CannotInfer(why) => ImportError::CannotInfer {
                at: at(),
                venue: venue.to_string(),
                symbol: symbol.to_string(),
                why,
            },
        })?;
        self.cache = Some((venue.to_string(), symbol.to_string(), id));
        Ok(id)
    }

    /// Queues one event.
    pub(crate) fn push(&mut self, ts: Ts, instrument: InstrumentId, body: EventBody) {
        if self.table.has_undated() {
            self.table.date(instrument, ts);
        }
        self.queue.push_back(Event {
            ts,
            instrument,
            body,
        });
    }
}

/// Turns one CSV row into events.
pub(crate) trait CsvParser: Send {
    fn parse(&mut self, row: &Row<'_>, out: &mut Out<'_>) -> Result<(), ImportError>;

    /// Another parser for a worker thread, when rows are parsed independently of each other;
    /// `None` (the default) for a parser that carries state from row to row, whose file is
    /// then parsed on one thread.
    fn fork(&self) -> Option<Box<dyn CsvParser>> {
        None
    }
}

/// The venue and symbol of a file without a symbol column.
#[derive(Clone)]
pub(crate) struct FileInstrument {
    pub venue: String,
    pub symbol: String,
}

impl FileInstrument {
    pub(crate) fn id(&self, row: &Row<'_>, out: &mut Out<'_>) -> Result<InstrumentId, ImportError> {
        out.instrument(&self.venue, &self.symbol, || row.at())
    }
}
