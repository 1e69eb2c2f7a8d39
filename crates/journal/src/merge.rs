//! The k-way merge of several logs into the **one total order** of cascade:
//!
//! ```text
//! (ts, source priority, seq within source)
//! ```
//!
//! - earlier `ts` first;
//! - on equal `ts`, the input with the **lower priority number wins** (comes first): give the
//!   source whose events must be seen first at an instant — say the trade tape before the
//!   mark price derived from it — the smaller number;
//! - on equal `ts` and the same input, **file order**: `seq` is the event's 0-based position
//!   in its own log.
//!
//! Priorities must be distinct ([`JournalError::DuplicatePriority`] otherwise), so the key is
//! a strict total order and the merge is deterministic whatever the order the inputs are
//! passed in, the block sizes of the logs or the machine.
//!
//! The merged stream refers to **one instrument table**, built by [`merge_instruments`]:
//! instruments are identified by (venue, symbol, kind), and every input's ids are remapped.

use crate::error::{JournalError, Location, Region, Result};
use crate::reader::Reader;
use crate::writer::{WriteSummary, Writer};
use cascade_types::{Event, InstrumentId, InstrumentKind, InstrumentSpec, Ts};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::path::Path;

/// The unified instrument table of several logs and how each log's ids map into it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct InstrumentMap {
    /// The merged table, sorted by (venue, symbol, kind) so that it does not depend on the
    /// order of the inputs.
    pub instruments: Vec<InstrumentSpec>,
    /// `remap[input][old id]` is the instrument's id in the merged table.
    pub remap: Vec<Vec<InstrumentId>>,
}

impl InstrumentMap {
    /// The merged id of instrument `id` of input `input`, if both exist.
    pub fn get(&self, input: usize, id: InstrumentId) -> Option<InstrumentId> {
        self.remap.get(input)?.get(id.index()).copied()
    }
}

type InstrumentKey<'a> = (&'a str, &'a str, InstrumentKind);

fn key(spec: &InstrumentSpec) -> InstrumentKey<'_> {
    (spec.venue.as_str(), spec.symbol.as_str(), spec.kind)
}

/// Builds the unified instrument table of several logs: one entry per distinct
/// (venue, symbol, kind), sorted by that key, and each input's id remapping.
///
/// Each input is the log's path (named in errors) and its instrument table. Two entries with
/// the same key must agree on everything else (assets, tick, lot, contract size), or the
/// result is [`JournalError::InstrumentConflict`].
pub fn merge_instruments(inputs: &[(&Path, &[InstrumentSpec])]) -> Result<InstrumentMap> {
    // key -> (the spec as first seen, the input it was first seen in)
    let mut unified: BTreeMap<InstrumentKey<'_>, (&InstrumentSpec, usize)> = BTreeMap::new();
    for (i, (path, table)) in inputs.iter().enumerate() {
        for spec in table.iter() {
            match unified.get(&key(spec)) {
                None => {
                    unified.insert(key(spec), (spec, i));
                }
                Some(&(first, first_input)) if first != spec => {
                    return Err(JournalError::InstrumentConflict {
                        at: Location {
                            path: path.to_path_buf(),
                            region: Region::Trailer,
                            offset: 0,
                        },
                        detail: format!(
                            "{} {} {} is {first:?} in {} but {spec:?} here",
                            spec.venue,
                            spec.symbol,
                            spec.kind,
                            inputs[first_input].0.display()
                        ),
                    });
                }
                Some(_) => {}
            }
        }
    }
    let ids: BTreeMap<InstrumentKey<'_>, InstrumentId> = unified
        .keys()
        .enumerate()
        .map(|(n, k)| (*k, InstrumentId(n as u32)))
        .collect();
    let remap = inputs
        .iter()
        .map(|(_, table)| table.iter().map(|spec| ids[&key(spec)]).collect())
        .collect();
    let instruments = unified.values().map(|(spec, _)| (*spec).clone()).collect();
    Ok(InstrumentMap { instruments, remap })
}

/// One input of a [`Merge`]: an open log and its source priority (lower wins ties).
pub struct MergeInput {
    /// The log.
    pub reader: Reader,
    /// Its priority on equal timestamps: the lower number comes first. Must be distinct
    /// across the inputs of one merge.
    pub priority: u32,
}

/// An event of the merged stream, with where it came from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MergedEvent {
    /// The event, its instrument id remapped into the merged table.
    pub event: Event,
    /// Index of the input it came from (position in the `Vec` given to [`Merge::new`]).
    pub input: usize,
    /// The input's priority.
    pub priority: u32,
    /// Its 0-based position in its own log.
    pub seq: u64,
}

/// The sort key of an input's next event. Field order is the total order: the derived `Ord`
/// compares `ts`, then `priority`, then `seq`. `input` never decides (priorities are distinct)
/// and only says which input the head belongs to.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
struct Head {
    ts: Ts,
    priority: u32,
    seq: u64,
    input: usize,
}

struct Source {
    reader: Reader,
    priority: u32,
    block: Vec<Event>,
    pos: usize,
    /// Position in its log of `block[pos]`.
    seq: u64,
}

impl Source {
    /// Makes `block[pos]` the next event, loading a block if needed. `false` when exhausted.
    fn ensure(&mut self) -> Result<bool> {
        if self.pos < self.block.len() {
            return Ok(true);
        }
        self.pos = 0;
        self.reader.next_block(&mut self.block)
    }
}

/// A k-way merge of logs in the order `(ts, source priority, seq within source)` (see the
/// module docs), as an iterator of `Result<MergedEvent>`.
///
/// Memory is one block of events per input plus a heap of one entry per input. Every input
/// is fully verified as it is read; the first error ends the merge.
pub struct Merge {
    sources: Vec<Source>,
    heap: BinaryHeap<Reverse<Head>>,
    map: InstrumentMap,
    failed: bool,
}

impl Merge {
    /// Starts a merge: checks that priorities are distinct, builds the merged instrument
    /// table and reads the first block of every input.
    pub fn new(inputs: Vec<MergeInput>) -> Result<Merge> {
        let mut by_priority: BTreeMap<u32, &Path> = BTreeMap::new();
        for input in &inputs {
            if let Some(other) = by_priority.insert(input.priority, input.reader.path()) {
                return Err(JournalError::DuplicatePriority {
                    at: Location {
                        path: input.reader.path().to_path_buf(),
                        region: Region::Preamble,
                        offset: 0,
                    },
                    priority: input.priority,
                    other: other.display().to_string(),
                });
            }
        }
        let tables: Vec<(&Path, &[InstrumentSpec])> = inputs
            .iter()
            .map(|i| (i.reader.path(), i.reader.header().instruments.as_slice()))
            .collect();
        let map = merge_instruments(&tables)?;
        let mut sources: Vec<Source> = inputs
            .into_iter()
            .map(|i| Source {
                reader: i.reader,
                priority: i.priority,
                block: Vec::new(),
                pos: 0,
                seq: 0,
            })
            .collect();
        let mut heap = BinaryHeap::with_capacity(sources.len());
        for (input, s) in sources.iter_mut().enumerate() {
            if s.ensure()? {
                heap.push(Reverse(Head {
                    ts: s.block[0].ts,
                    priority: s.priority,
                    seq: 0,
                    input,
                }));
            }
        }
        Ok(Merge {
            sources,
            heap,
            map,
            failed: false,
        })
    }

    /// The merged instrument table the events' ids refer to.
    pub fn instruments(&self) -> &[InstrumentSpec] {
        &self.map.instruments
    }

    /// The merged table and every input's id remapping.
    pub fn instrument_map(&self) -> &InstrumentMap {
        &self.map
    }

    fn step(&mut self) -> Result<Option<MergedEvent>> {
        let Some(Reverse(head)) = self.heap.pop() else {
            return Ok(None);
        };
        let s = &mut self.sources[head.input];
        debug_assert_eq!(s.seq, head.seq);
        let mut event = s.block[s.pos];
        event.instrument = match self.map.get(head.input, event.instrument) {
            Some(id) => id,
            // The reader has checked every id against its table, so this cannot happen.
            None => {
                return Err(JournalError::UnknownInstrument {
                    at: Location {
                        path: s.reader.path().to_path_buf(),
                        region: Region::Trailer,
                        offset: 0,
                    },
                    index: head.seq,
                    instrument: event.instrument,
                    table_len: s.reader.header().instruments.len() as u64,
                })
            }
        };
        s.pos += 1;
        s.seq += 1;
        if s.ensure()? {
            let next = Head {
                ts: s.block[s.pos].ts,
                priority: s.priority,
                seq: s.seq,
                input: head.input,
            };
            // Each reader checks its own order, so an input's next head never sorts before
            // the one just taken.
            debug_assert!(next > head);
            self.heap.push(Reverse(next));
        }
        Ok(Some(MergedEvent {
            event,
            input: head.input,
            priority: head.priority,
            seq: head.seq,
        }))
    }

    /// Drains the merge into a new log at `path` with the merged instrument table.
    pub fn write_to(
        self,
        path: impl AsRef<Path>,
        source: impl Into<String>,
    ) -> Result<WriteSummary> {
        let mut writer = Writer::create(path, self.map.instruments.clone(), source)?;
        for merged in self {
            writer.write(&merged?.event)?;
        }
        writer.finish()
    }
}

impl Iterator for Merge {
    type Item = Result<MergedEvent>;

    fn next(&mut self) -> Option<Result<MergedEvent>> {
        if self.failed {
            return None;
        }
        match self.step() {
            Ok(Some(e)) => Some(Ok(e)),
            Ok(None) => None,
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

impl std::iter::FusedIterator for Merge {}
