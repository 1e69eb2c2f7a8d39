//! What a scenario is run on, and saying so: the bundled **reconstruction** (always), and the
//! **real** recorded files of its `real_data` entries when a data directory is given.
//!
//! Real files are imported with `cascade-import` into one temporary event log per scenario:
//!
//! - only entries whose (venue, symbol) is one of the scenario's instruments are used; the
//!   others are listed as not used, with the reason;
//! - entries marked `check_only` (files the figures were read off, in a format with no
//!   importer yet) are listed as not used;
//! - kline files whose `contents` says `mark-price` are imported as mark-price bars;
//! - events outside the scenario window are dropped (the funding history spans years);
//! - files are merged in the total order `(ts, position in the scenario's list, row)`;
//! - instruments without any event are left out of the log's instrument table;
//! - a scenario whose real files hold no last price of its perpetual in the window (funding
//!   rates only) has no real-data run: it is listed as skipped, with the reason.
//!
//! A missing or unreadable file is an error naming the scenario file and the data file.

use crate::SuiteError;
use cascade_import::{ImportOptions, InstrumentTable};
use cascade_journal::Writer;
use cascade_scenario::{RealData, Scenario};
use cascade_types::{BarSource, Event, EventBody, InstrumentId, InstrumentSpec};
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// Which data a run used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DataKind {
    /// The scenario's seeded synthetic reconstruction from published figures.
    Reconstruction,
    /// Real recorded files from the data directory.
    Real,
}

impl DataKind {
    /// `reconstruction` or `real`.
    pub fn as_str(self) -> &'static str {
        match self {
            DataKind::Reconstruction => "reconstruction",
            DataKind::Real => "real",
        }
    }
}

impl fmt::Display for DataKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one data set of a scenario is, for every report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataInfo {
    /// The scenario id.
    pub scenario: String,
    /// Reconstruction or real.
    pub kind: DataKind,
    /// One line: the reconstruction's label (`reconstruction (synthetic, seed N) of …`), or
    /// `real data: …` naming the files.
    pub description: String,
    /// The files used, relative to the data directory, each with what it holds and how many
    /// events it gave inside the window (empty for a reconstruction).
    pub files: Vec<String>,
    /// Entries of the scenario's `real_data` that were not used, and why.
    pub notes: Vec<String>,
    /// Instruments of the scenario this data set has no events of (left out of its
    /// instrument table), as `venue symbol (kind)`.
    pub missing: Vec<String>,
    /// Market events.
    pub events: u64,
    /// The content hash of the imported log (`xxh3:…`), for real data.
    pub content_hash: Option<String>,
    /// True when the data's last prices of the perpetual span the whole crash window (always,
    /// for a reconstruction). Real data that does leads the tables; the reconstruction is then
    /// the fallback.
    pub covers_crash: bool,
}

/// Where a run's events come from.
#[derive(Clone, Debug)]
pub(crate) enum Input {
    /// Events held in memory (a reconstruction).
    Memory {
        instruments: Vec<InstrumentSpec>,
        events: Vec<Event>,
    },
    /// An event log (imported real data).
    Log(PathBuf),
}

/// One data set of a scenario, ready to run.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    pub info: DataInfo,
    pub input: Input,
}

/// The scenario's reconstruction.
pub(crate) fn reconstruction(s: &Scenario) -> Prepared {
    let r = s.reconstruct();
    Prepared {
        info: DataInfo {
            scenario: s.id.clone(),
            kind: DataKind::Reconstruction,
            description: r.description,
            files: Vec::new(),
            notes: Vec::new(),
            missing: Vec::new(),
            events: r.events.len() as u64,
            content_hash: None,
            covers_crash: true,
        },
        input: Input::Memory {
            instruments: r.instruments,
            events: r.events,
        },
    }
}

/// The outcome of preparing a scenario's real data.
#[derive(Debug)]
pub(crate) enum RealOutcome {
    /// Ready to run.
    Ready(Box<Prepared>),
    /// Nothing to run on, and why.
    Skipped(String),
}

fn is_scenario_instrument(s: &Scenario, r: &RealData) -> bool {
    s.instruments
        .iter()
        .any(|i| i.venue == r.venue && i.symbol == r.symbol)
}

/// Imports the scenario's real files from `data_dir` into a log in `tmp`. `Ok(None)` when
/// the scenario lists no real data.
pub(crate) fn real(
    s: &Scenario,
    data_dir: &Path,
    tmp: &Path,
) -> Result<Option<RealOutcome>, SuiteError> {
    if s.real_data.is_empty() {
        return Ok(None);
    }
    let specs: Vec<InstrumentSpec> = s.instruments.iter().map(|i| i.spec()).collect();
    let err = |data_file: &Path, message: String| SuiteError::RealData {
        scenario_file: s.origin.clone(),
        data_file: data_file.to_path_buf(),
        message,
    };
    let mut table = InstrumentTable::strict(specs.iter().cloned())
        .map_err(|e| err(Path::new("-"), e.to_string()))?;
    let mut notes = Vec::new();
    let mut files = Vec::new();
    // (ts, file position, event): a stable sort keeps each file's own order.
    let mut tagged: Vec<(i64, usize, Event)> = Vec::new();
    for (k, r) in s.real_data.iter().enumerate() {
        if r.check_only {
            notes.push(format!(
                "not used: {} (checked against the figures only: no importer for {})",
                r.path, r.contents
            ));
            continue;
        }
        if !is_scenario_instrument(s, r) {
            notes.push(format!(
                "not used: {} ({} {} is not one of the scenario's instruments)",
                r.path, r.venue, r.symbol
            ));
            continue;
        }
        let path = data_dir.join(&r.path);
        if !path.is_file() {
            return Err(err(&path, "not found in the data directory".into()));
        }
        let opts = ImportOptions {
            venue: Some(r.venue.clone()),
            symbol: Some(r.symbol.clone()),
            bar_source: r.contents.contains("mark-price").then_some(BarSource::Mark),
            ..ImportOptions::default()
        };
        let importer = cascade_import::open(&path, &opts, &mut table)
            .map_err(|e| err(&path, e.to_string()))?;
        let before = tagged.len();
        for e in importer {
            let e = e.map_err(|e| err(&path, e.to_string()))?;
            if s.window.contains(e.ts) {
                tagged.push((e.ts.nanos(), k, e));
            }
        }
        files.push(format!(
            "{} ({}, {} events in the window)",
            r.path,
            r.contents,
            tagged.len() - before
        ));
    }
    tagged.sort_by_key(|t| (t.0, t.1));
    mark_bars_finest(&mut tagged, &specs, &mut notes);
    let perp = s.perp_index().map(|i| InstrumentId(i as u32));
    let has_last_prices = tagged.iter().any(|(_, _, e)| {
        Some(e.instrument) == perp
            && matches!(
                e.body,
                EventBody::Trade(_)
                    | EventBody::Bar(cascade_types::Bar {
                        source: BarSource::Last,
                        ..
                    })
            )
    });
    let first_price = tagged.iter().find_map(|(_, _, e)| {
        (Some(e.instrument) == perp
            && matches!(
                e.body,
                EventBody::Trade(_)
                    | EventBody::Bar(cascade_types::Bar {
                        source: BarSource::Last,
                        ..
                    })
            ))
        .then_some(e.ts)
    });
    let last_price = tagged.iter().rev().find_map(|(_, _, e)| {
        (Some(e.instrument) == perp
            && matches!(
                e.body,
                EventBody::Trade(_)
                    | EventBody::Bar(cascade_types::Bar {
                        source: BarSource::Last,
                        ..
                    })
            ))
        .then_some(e.ts)
    });
    let covers_crash = matches!(
        (first_price, last_price),
        (Some(a), Some(b)) if a <= s.crash_window.start && b >= s.crash_window.end
    );
    if let Some(t) = first_price.filter(|t| *t > s.crash_window.start) {
        notes.push(format!(
            "the real prices start at {t}, after the crash start {}: exposure at the crash start and the de-risk lead say nothing about the strategy here",
            s.crash_window.start
        ));
    }
    if !has_last_prices {
        let what = if files.is_empty() {
            "none of its real files is of the scenario's instruments".to_string()
        } else {
            format!(
                "its real files hold no last price of the perpetual in the window ({})",
                files.join("; ")
            )
        };
        return Ok(Some(RealOutcome::Skipped(what)));
    }
    // Only the instruments with events, ids renumbered in table order.
    let mut used = vec![false; specs.len()];
    for (_, _, e) in &tagged {
        used[e.instrument.index()] = true;
    }
    let mut remap = vec![InstrumentId(0); specs.len()];
    let mut kept = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        if used[i] {
            remap[i] = InstrumentId(kept.len() as u32);
            kept.push(spec.clone());
        }
    }
    let missing: Vec<String> = specs
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(spec, _)| format!("{} {} ({})", spec.venue, spec.symbol, spec.kind))
        .collect();
    for m in &missing {
        notes.push(format!("no real data for {m}: left out"));
    }
    let log = tmp.join(format!("{}.real.clog", s.id));
    let description = format!(
        "real data: {}",
        s.real_data
            .iter()
            .filter(|r| is_scenario_instrument(s, r))
            .map(|r| r.path.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let write_err = |e: cascade_journal::JournalError| err(&log, e.to_string());
    let mut w = Writer::create(&log, kept, description.clone()).map_err(write_err)?;
    for (_, _, mut e) in tagged {
        e.instrument = remap[e.instrument.index()];
        w.write(&e).map_err(write_err)?;
    }
    let summary = w.finish().map_err(write_err)?;
    Ok(Some(RealOutcome::Ready(Box::new(Prepared {
        info: DataInfo {
            scenario: s.id.clone(),
            kind: DataKind::Real,
            description,
            files,
            notes,
            missing,
            events: summary.header.event_count,
            content_hash: Some(format!("xxh3:{:016x}", summary.header.content_hash)),
            covers_crash,
        },
        input: Input::Log(log),
    }))))
}

/// Keeps, per instrument, only the finest mark-price bars (1-minute ones where present: a
/// coarser mark is a coarser path, see `cascade_engine::bars`), and says in a note when the
/// finest is coarser than a minute or when coarser bars were left out.
fn mark_bars_finest(
    tagged: &mut Vec<(i64, usize, Event)>,
    specs: &[InstrumentSpec],
    notes: &mut Vec<String>,
) {
    let interval = |e: &Event| match &e.body {
        EventBody::Bar(b) if b.source == BarSource::Mark => Some(b.interval_s),
        _ => None,
    };
    let mut finest: Vec<Option<u32>> = vec![None; specs.len()];
    let mut coarsest: Vec<Option<u32>> = vec![None; specs.len()];
    for (_, _, e) in tagged.iter() {
        if let Some(iv) = interval(e) {
            let i = e.instrument.index();
            finest[i] = Some(finest[i].map_or(iv, |f| f.min(iv)));
            coarsest[i] = Some(coarsest[i].map_or(iv, |c| c.max(iv)));
        }
    }
    tagged
        .retain(|(_, _, e)| interval(e).is_none_or(|iv| Some(iv) == finest[e.instrument.index()]));
    for (i, spec) in specs.iter().enumerate() {
        let (Some(f), Some(c)) = (finest[i], coarsest[i]) else {
            continue;
        };
        if c > f {
            notes.push(format!(
                "{} {}: mark-price bars of {c} s left out for the finer {f} s ones",
                spec.venue, spec.symbol
            ));
        }
        if f > 60 {
            notes.push(format!(
                "{} {}: the mark comes from {f} s bars (no 1-minute mark klines): the liquidation check meets each bar's extremes at a third and two thirds of the bar, not when they happened",
                spec.venue, spec.symbol
            ));
        }
    }
}

/// The real-data directory from the environment: `CASCADE_DATA_DIR` when it is set and is a
/// directory.
pub fn data_dir_from_env() -> Option<PathBuf> {
    std::env::var_os("CASCADE_DATA_DIR")
        .map(PathBuf::from)
        .filter(|d| d.is_dir())
}
