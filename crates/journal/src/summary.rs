//! `inspect`: what a log holds, found by streaming (and so verifying) the whole file, with a
//! stable text rendering for the CLI and for snapshots.

use crate::error::Result;
use crate::format::FORMAT_VERSION;
use crate::reader::Reader;
use cascade_types::{Event, EventKind, InstrumentSpec, Ts};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// What a log holds. Built by [`summarize`]; rendered by its `Display`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Summary {
    /// The log's path.
    pub path: PathBuf,
    /// File size in bytes.
    pub file_bytes: u64,
    /// Format version of the file.
    pub format_version: u32,
    /// Number of blocks.
    pub block_count: u64,
    /// The header's source description.
    pub source: String,
    /// The instrument table.
    pub instruments: Vec<InstrumentSpec>,
    /// Events per instrument, indexed like `instruments`.
    pub events_per_instrument: Vec<u64>,
    /// Events per kind; kinds that do not occur are absent.
    pub events_per_kind: BTreeMap<EventKind, u64>,
    /// Total number of events.
    pub event_count: u64,
    /// The content hash (verified against the events).
    pub content_hash: u64,
    /// The first event, if any.
    pub first: Option<Event>,
    /// The last event, if any.
    pub last: Option<Event>,
    /// The importer's data-quality report ([`crate::Header::quality`]).
    pub quality: Vec<String>,
    /// The data-quality flags ([`crate::Header::flags`]).
    pub flags: Vec<String>,
}

impl Summary {
    /// The time span `(first ts, last ts)`, `None` for an empty log.
    pub fn span(&self) -> Option<(Ts, Ts)> {
        Some((self.first?.ts, self.last?.ts))
    }
}

/// Streams the log at `path` (verifying every block, the counts and the content hash) and
/// summarises it. Memory is one block, whatever the file size.
pub fn summarize(path: impl AsRef<Path>) -> Result<Summary> {
    let mut reader = Reader::open(path)?;
    let header = reader.header().clone();
    let mut events_per_instrument = vec![0u64; header.instruments.len()];
    let mut events_per_kind = BTreeMap::new();
    let mut first = None;
    let mut last = None;
    let mut block = Vec::new();
    while reader.next_block(&mut block)? {
        first = first.or_else(|| block.first().copied());
        last = block.last().copied().or(last);
        for event in &block {
            // The reader has checked every id against the table.
            if let Some(n) = events_per_instrument.get_mut(event.instrument.index()) {
                *n += 1;
            }
            *events_per_kind.entry(event.kind()).or_insert(0) += 1;
        }
    }
    Ok(Summary {
        path: reader.path().to_path_buf(),
        file_bytes: reader.file_bytes(),
        format_version: FORMAT_VERSION,
        block_count: reader.block_count(),
        source: header.source,
        quality: header.quality,
        flags: header.flags,
        instruments: header.instruments,
        events_per_instrument,
        events_per_kind,
        event_count: header.event_count,
        content_hash: header.content_hash,
        first,
        last,
    })
}

/// Seconds with the fraction only as long as needed: `86400`, `0.25`, `-1.5`.
fn seconds(ns: i128) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let ns = ns.unsigned_abs();
    let per_sec = Ts::NANOS_PER_SEC as u128;
    let (s, frac) = (ns / per_sec, ns % per_sec);
    if frac == 0 {
        format!("{sign}{s}")
    } else {
        format!("{sign}{s}.{}", format!("{frac:09}").trim_end_matches('0'))
    }
}

impl fmt::Display for Summary {
    /// A stable report: only the file *name* is shown (not its directory), maps are ordered,
    /// and nothing depends on the machine or the time of day.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        writeln!(f, "file:         {name}")?;
        writeln!(
            f,
            "format:       version {}, {} bytes, {} blocks",
            self.format_version, self.file_bytes, self.block_count
        )?;
        writeln!(f, "source:       {}", self.source)?;
        writeln!(f, "events:       {}", self.event_count)?;
        writeln!(f, "content hash: {:#018x}", self.content_hash)?;
        match self.span() {
            Some((a, b)) => writeln!(
                f,
                "span:         {a} .. {b} ({} s)",
                seconds(b.nanos() as i128 - a.nanos() as i128)
            )?,
            None => writeln!(f, "span:         (empty)")?,
        }
        writeln!(f, "instruments:  {}", self.instruments.len())?;
        for (i, spec) in self.instruments.iter().enumerate() {
            writeln!(
                f,
                "  i{i:<3} {} {} {} {}/{} tick {} lot {} contract {}: {} events",
                spec.venue,
                spec.symbol,
                spec.kind,
                spec.base,
                spec.quote,
                spec.tick,
                spec.lot,
                spec.contract_size,
                self.events_per_instrument.get(i).copied().unwrap_or(0)
            )?;
        }
        writeln!(f, "kinds:")?;
        for (kind, n) in &self.events_per_kind {
            writeln!(f, "  {kind:<20} {n}")?;
        }
        match (&self.first, &self.last) {
            (Some(a), Some(b)) => {
                writeln!(f, "first:        {a}")?;
                writeln!(f, "last:         {b}")?;
            }
            _ => writeln!(f, "first, last:  (none)")?,
        }
        if !self.quality.is_empty() {
            writeln!(f, "quality:")?;
            for l in &self.quality {
                writeln!(f, "  {l}")?;
            }
        }
        match self.flags.is_empty() {
            true => writeln!(
                f,
                "flags:        none (the data-quality gate's default policy)"
            )?,
            false => {
                writeln!(
                    f,
                    "flags:        {} (kept beyond the default policy)",
                    self.flags.len()
                )?;
                for l in &self.flags {
                    writeln!(f, "  FLAG: {l}")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{seconds, Ts};

    #[test]
    fn seconds_trim_their_fraction() {
        assert_eq!(seconds(i128::from(Ts::NANOS_PER_DAY)), "86400");
        assert_eq!(seconds(250_000_000), "0.25");
        assert_eq!(seconds(-1_500_000_000), "-1.5");
        assert_eq!(seconds(1), "0.000000001");
    }
}
