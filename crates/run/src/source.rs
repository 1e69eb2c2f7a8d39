//! Where a run's market events come from: one or more event logs (k-way merged in the total
//! order onto one instrument table), a run journal that stores its market records being
//! replayed, or events in memory.
//!
//! A source hands out events in order, in slices, to the decoder thread; it never sees bars
//! expanded (that is the pipeline's next step).

use crate::error::RunError;
use crate::run_journal::JournalReader;
use cascade_engine::RecordBody;
use cascade_journal::{merge_instruments, Merge, MergeInput, Reader};
use cascade_types::{Event, InstrumentId, InstrumentSpec, Ts};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A stream of market events in the engine's input order.
pub trait EventSource: Send {
    /// Appends up to `max` (≥ 1) next events to `out`. Returns `false` once the source is
    /// exhausted (and fully verified); it may append fewer than `max` events before that.
    fn fill(&mut self, out: &mut Vec<Event>, max: usize) -> Result<bool, RunError>;

    /// The longest bar interval the source can yield, in seconds (0: no bars), when known
    /// before reading: the engine then reads ahead only that far to place bars' ticks (the
    /// same order as with its configured window, in far less memory). `None`: unknown.
    fn max_bar_interval_s(&self) -> Option<u32> {
        None
    }

    /// The instruments (run ids) whose inputs hold recorded funding settlements, when known
    /// before reading: their funding is settled from those records only (never also on the
    /// venue's grid with a computed rate). `None`: unknown (the venue's `Auto` rule applies).
    fn recorded_funding(&self) -> Option<Vec<InstrumentId>> {
        None
    }
}

/// What a run's manifest records about one input log.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct InputInfo {
    /// The path as given.
    pub path: PathBuf,
    /// Its tie-break priority in the merge (position on the command line: lower wins ties).
    pub priority: u32,
    /// The content hash from its header (xxh3-64 of its event bytes), as hex.
    pub content_hash: String,
    /// Its event count.
    pub event_count: u64,
    /// Its header's source description.
    pub source: String,
    /// First and last timestamps, if any.
    pub span: Option<(Ts, Ts)>,
    /// Its header's data-quality flags: what its import kept beyond the gate's default
    /// policy. Every report on the run shows them (`data quality` notes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
}

/// The opened inputs of a run: the unified instrument table, what the manifest records, and
/// the event stream.
pub struct Inputs {
    /// The run's instrument table (sorted by venue, symbol, kind); event ids index it.
    pub instruments: Vec<InstrumentSpec>,
    /// One entry per log, in command-line order.
    pub logs: Vec<InputInfo>,
    /// Total events across the logs (before bar expansion), for progress bars.
    pub event_count: u64,
    /// The time of the first event (venue presets use the rules in force then).
    pub start: Option<Ts>,
    /// The merged stream.
    pub source: Box<dyn EventSource>,
}

impl Inputs {
    /// Inputs from events held in memory (in timestamp order, instrument ids indexing
    /// `instruments`). The manifest then lists no input logs, so a replay checks the journal
    /// alone.
    pub fn from_events(instruments: Vec<InstrumentSpec>, events: Vec<Event>) -> Inputs {
        assert!(
            events
                .iter()
                .all(|e| e.instrument.index() < instruments.len()),
            "every event's instrument is in the table"
        );
        Inputs {
            instruments,
            logs: Vec::new(),
            event_count: events.len() as u64,
            start: events.first().map(|e| e.ts),
            source: Box::new(VecSource::new(events)),
        }
    }
}

/// Opens event logs for a run. The log listed first gets priority 0 and wins ties at equal
/// timestamps, the second priority 1, and so on (see [`cascade_engine::order`]). Every log is fully
/// verified (checksums, order, counts, content hash) as it is read.
pub fn open_logs(paths: &[PathBuf]) -> Result<Inputs, RunError> {
    if paths.is_empty() {
        return Err(RunError::config("no input event logs given".into()));
    }
    let mut readers = Vec::with_capacity(paths.len());
    for p in paths {
        readers.push(Reader::open(p)?);
    }
    let logs: Vec<InputInfo> = readers
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let h = r.header();
            InputInfo {
                path: r.path().to_path_buf(),
                priority: i as u32,
                content_hash: format!("{:016x}", h.content_hash),
                event_count: h.event_count,
                source: h.source.clone(),
                span: h.first_ts.zip(h.last_ts),
                flags: h.flags.clone(),
            }
        })
        .collect();
    let event_count = logs.iter().map(|l| l.event_count).sum();
    let start = logs.iter().filter_map(|l| l.span.map(|s| s.0)).min();
    if readers.len() == 1 {
        let reader = readers.pop().expect("one reader");
        let tables: [(&Path, &[InstrumentSpec]); 1] =
            [(reader.path(), reader.header().instruments.as_slice())];
        let map = merge_instruments(&tables)?;
        let remap = map.remap[0].clone();
        let identity = remap.iter().enumerate().all(|(i, id)| id.index() == i);
        let settled = settled_in(
            &readers_headers(std::slice::from_ref(&reader)),
            &map.instruments,
        );
        let source = Box::new(SingleLog {
            settled,
            reader,
            block: Vec::new(),
            pos: 0,
            remap: if identity { None } else { Some(remap) },
        });
        return Ok(Inputs {
            instruments: map.instruments,
            logs,
            event_count,
            start,
            source,
        });
    }
    let headers = readers_headers(&readers);
    let max_bar = readers
        .iter()
        .map(|r| r.header().max_bar_interval_s)
        .max()
        .unwrap_or(0);
    let inputs = readers
        .into_iter()
        .enumerate()
        .map(|(i, reader)| MergeInput {
            reader,
            priority: i as u32,
        })
        .collect();
    let merge = Merge::new(inputs)?;
    let instruments = merge.instruments().to_vec();
    let settled = settled_in(&headers, &instruments);
    Ok(Inputs {
        instruments,
        logs,
        event_count,
        start,
        source: Box::new(MergedLogs {
            merge,
            max_bar,
            settled,
        }),
    })
}

/// The headers of `readers`, cloned (the readers move into the merge).
fn readers_headers(readers: &[Reader]) -> Vec<cascade_journal::Header> {
    readers.iter().map(|r| r.header().clone()).collect()
}

/// The run ids of the instruments whose logs hold recorded funding settlements: each log's
/// `funding_settled` ids, found in the run's table by (venue, symbol, kind). Sorted.
fn settled_in(
    headers: &[cascade_journal::Header],
    instruments: &[InstrumentSpec],
) -> Vec<InstrumentId> {
    let mut ids: Vec<InstrumentId> = headers
        .iter()
        .flat_map(|h| {
            h.funding_settled
                .iter()
                .filter_map(|&k| h.instruments.get(k as usize))
        })
        .filter_map(|s| {
            instruments
                .iter()
                .position(|t| t.venue == s.venue && t.symbol == s.symbol && t.kind == s.kind)
                .map(|n| InstrumentId(n as u32))
        })
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// One log, read a block at a time (the fast path: no heap, no per-event `Result`).
struct SingleLog {
    reader: Reader,
    block: Vec<Event>,
    pos: usize,
    remap: Option<Vec<InstrumentId>>,
    settled: Vec<InstrumentId>,
}

impl EventSource for SingleLog {
    fn fill(&mut self, out: &mut Vec<Event>, max: usize) -> Result<bool, RunError> {
        if self.pos == self.block.len() {
            self.pos = 0;
            if !self.reader.next_block(&mut self.block)? {
                return Ok(false);
            }
        }
        let n = max.min(self.block.len() - self.pos);
        let start = out.len();
        out.extend_from_slice(&self.block[self.pos..self.pos + n]);
        self.pos += n;
        if let Some(remap) = &self.remap {
            for e in &mut out[start..] {
                e.instrument = remap[e.instrument.index()];
            }
        }
        Ok(true)
    }

    fn max_bar_interval_s(&self) -> Option<u32> {
        Some(self.reader.header().max_bar_interval_s)
    }

    fn recorded_funding(&self) -> Option<Vec<InstrumentId>> {
        Some(self.settled.clone())
    }
}

/// Several logs through the journal crate's k-way merge.
struct MergedLogs {
    merge: Merge,
    max_bar: u32,
    settled: Vec<InstrumentId>,
}

impl EventSource for MergedLogs {
    fn fill(&mut self, out: &mut Vec<Event>, max: usize) -> Result<bool, RunError> {
        for _ in 0..max {
            match self.merge.next() {
                Some(e) => out.push(e?.event),
                None => return Ok(false),
            }
        }
        Ok(true)
    }

    fn max_bar_interval_s(&self) -> Option<u32> {
        Some(self.max_bar)
    }

    fn recorded_funding(&self) -> Option<Vec<InstrumentId>> {
        Some(self.settled.clone())
    }
}

/// The market records of a run journal that stores them (a run over events held in memory),
/// for replays. The journal is verified as it is read (block checksums, sequence numbers, and
/// at the end the stored count and the rolling hash).
pub struct JournalMarket {
    reader: JournalReader,
}

impl JournalMarket {
    /// Reads the market records of `reader` from its start.
    pub fn new(reader: JournalReader) -> JournalMarket {
        JournalMarket { reader }
    }
}

impl EventSource for JournalMarket {
    fn fill(&mut self, out: &mut Vec<Event>, max: usize) -> Result<bool, RunError> {
        let mut n = 0;
        while n < max {
            match self.reader.next_record()? {
                Some(r) => {
                    if let RecordBody::Market(e) = r.body {
                        out.push(e);
                        n += 1;
                    }
                }
                None => return Ok(false),
            }
        }
        Ok(true)
    }
}

/// Events held in memory (tests, library users that build events themselves). They must be
/// in timestamp order.
pub struct VecSource {
    events: Vec<Event>,
    pos: usize,
}

impl VecSource {
    /// A source over `events`; panics when they are not in timestamp order.
    pub fn new(events: Vec<Event>) -> VecSource {
        assert!(
            events.windows(2).all(|w| w[0].ts <= w[1].ts),
            "events must be in ts order"
        );
        VecSource { events, pos: 0 }
    }
}

impl EventSource for VecSource {
    fn fill(&mut self, out: &mut Vec<Event>, max: usize) -> Result<bool, RunError> {
        if self.pos == self.events.len() {
            return Ok(false);
        }
        let n = max.min(self.events.len() - self.pos);
        out.extend_from_slice(&self.events[self.pos..self.pos + n]);
        self.pos += n;
        Ok(true)
    }
}
