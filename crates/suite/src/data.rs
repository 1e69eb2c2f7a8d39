//! What a scenario is run on, and saying so: the bundled **reconstruction** (always), and the
//! **real** recorded files of its `real_data` entries when a data directory is given.
//!
//! Real files are imported through `cascade-import`'s one import path ([`import_parts`]) into
//! one temporary event log per scenario:
//!
//! - entries marked `check_only` (files the figures were read off, in a format with no
//!   importer yet) are listed as not used;
//! - only entries whose (venue, symbol) is one of the scenario's instruments are used; the
//!   others are listed as not used, with the reason;
//! - kline files whose `contents` says `mark-price` are imported as mark-price bars;
//! - events outside the scenario window are dropped (the funding history spans years);
//! - files are merged in the total order `(ts, position in the scenario's list, row)`;
//! - instruments without any event are left out of the log's instrument table;
//! - a scenario whose real files hold no last price of its perpetual in the window (funding
//!   rates only) has no real-data run: it is listed as skipped, with the reason.
//!
//! A missing or unreadable file is an error naming the scenario file and the data file.

use crate::archive;
use crate::SuiteError;
use cascade_fetch::scenario_files;
use cascade_import::{import_parts, ImportOptions, InstrumentTable, LogInput, OutputInstruments};
use cascade_scenario::{RealData, Scenario};
use cascade_types::{BarSource, Event, EventBody, InstrumentId, InstrumentSpec, Ts};
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
    /// Real data: the first traded price of the perpetual (trade or last-price bar) in the
    /// window, where its runs start — marks and book snapshots recorded before any trade say
    /// nothing about where an order would have filled.
    pub first_price: Option<Ts>,
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
        first_price: None,
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

/// Whether the suite may look for a scenario's real data at all: it lists `real_data`
/// entries, or archive files (a Binance perpetual or spot market).
pub(crate) fn has_real_sources(s: &Scenario) -> bool {
    !s.real_data.is_empty() || !scenario_files(s, false).files.is_empty()
}

/// One file to import, with the label and contents the reports give it.
struct Used {
    label: String,
    contents: String,
}

/// Imports the scenario's real files from `data_dir` into a log in `tmp`: its archive files
/// when the directory is a `backtest fetch` cache holding some of them ([`crate::archive`]),
/// else its `real_data` entries. `Ok(None)` when the scenario lists neither.
pub(crate) fn real(
    s: &Scenario,
    data_dir: &Path,
    tmp: &Path,
) -> Result<Option<RealOutcome>, SuiteError> {
    let specs: Vec<InstrumentSpec> = s.instruments.iter().map(|i| i.spec()).collect();
    let err = |data_file: &Path, message: String| SuiteError::RealData {
        scenario_file: s.origin.clone(),
        data_file: data_file.to_path_buf(),
        message,
    };
    let mut table = InstrumentTable::strict(specs.iter().cloned())
        .map_err(|e| err(Path::new("-"), e.to_string()))?;
    let mut notes = Vec::new();
    let mut inputs = Vec::new();
    let mut used: Vec<Used> = Vec::new();
    let cached = archive::in_cache(s, data_dir);
    if let Some(cached) = &cached {
        for f in &cached.present {
            let (venue, symbol) = cached.instrument(f);
            inputs.push(LogInput {
                path: data_dir.join(f.path()),
                options: ImportOptions {
                    venue: Some(venue),
                    symbol: Some(symbol),
                    bar_source: archive::bar_source(f.kind),
                    ..ImportOptions::default()
                },
            });
            used.push(Used {
                label: f.path(),
                contents: archive::contents(f),
            });
        }
        notes.extend(cached.stream_notes());
    } else if s.real_data.is_empty() {
        return Ok(None);
    } else if archive::is_cache(data_dir) && !listed_files_present(s, data_dir) {
        return Ok(Some(RealOutcome::Skipped(format!(
            "the data directory is a `backtest fetch` cache holding none of its files (`backtest fetch --scenario {}`)",
            s.id
        ))));
    }
    for r in s.real_data.iter().filter(|_| cached.is_none()) {
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
        inputs.push(LogInput {
            path,
            options: ImportOptions {
                venue: Some(r.venue.clone()),
                symbol: Some(r.symbol.clone()),
                bar_source: r.contents.contains("mark-price").then_some(BarSource::Mark),
                ..ImportOptions::default()
            },
        });
        used.push(Used {
            label: r.path.clone(),
            contents: r.contents.clone(),
        });
    }
    let log = tmp.join(format!("{}.real.clog", s.id));
    let import_err = |e: cascade_import::ImportError| err(e.file().unwrap_or(&log), e.to_string());
    // The first last price (trade or last-price bar) of the perpetual in the window.
    let perp = s.perp_index().map(|i| InstrumentId(i as u32));
    let mut first_price: Option<Ts> = None;
    let mut last_price_seen: Option<Ts> = None;
    // Per instrument: the finest and coarsest mark-price bar intervals (s).
    let mut mark_intervals: Vec<Option<(u32, u32)>> = vec![None; specs.len()];
    let parts = import_parts(
        &inputs,
        &mut table,
        Some((s.window.start, s.window.end)),
        tmp,
        &format!("{}.real.clog", s.id),
        |_, e| {
            let last_price = matches!(
                e.body,
                EventBody::Trade(_)
                    | EventBody::Bar(cascade_types::Bar {
                        source: BarSource::Last,
                        ..
                    })
            );
            if Some(e.instrument) == perp && last_price {
                first_price = Some(first_price.map_or(e.ts, |t| t.min(e.ts)));
                last_price_seen = Some(last_price_seen.map_or(e.ts, |t: Ts| t.max(e.ts)));
            }
            if let EventBody::Bar(b) = &e.body {
                if b.source == BarSource::Mark {
                    if let Some(m) = mark_intervals.get_mut(e.instrument.index()) {
                        let iv = b.interval_s;
                        *m = Some(m.map_or((iv, iv), |(f, c)| (f.min(iv), c.max(iv))));
                    }
                }
            }
        },
        |_| {},
    )
    .map_err(import_err)?;
    let files: Vec<String> = parts
        .files()
        .iter()
        .zip(&used)
        .map(|(f, u)| {
            format!(
                "{} ({}, {} events in the window)",
                u.label, u.contents, f.kept
            )
        })
        .collect();
    for (spec, m) in specs.iter().zip(&mark_intervals) {
        let Some((f, c)) = *m else { continue };
        if c > f {
            notes.push(format!(
                "{} {}: mark-price bars of both {f} s and {c} s: both are applied (give one interval)",
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
    let covers_crash = matches!(
        (first_price, last_price_seen),
        (Some(a), Some(b)) if a <= s.crash_window.start && b >= s.crash_window.end
    );
    if let Some(t) = first_price.filter(|t| *t > s.crash_window.start) {
        notes.push(format!(
            "the real prices start at {t}, after the crash start {}: exposure at the crash start and the de-risk lead say nothing about the strategy here",
            s.crash_window.start
        ));
    }
    if first_price.is_none() {
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
    // Only the instruments with events (ids renumbered in table order by the writer).
    let missing: Vec<String> = specs
        .iter()
        .enumerate()
        .filter(|(i, _)| !parts.is_used(InstrumentId(*i as u32)))
        .map(|(_, spec)| format!("{} {} ({})", spec.venue, spec.symbol, spec.kind))
        .collect();
    for m in &missing {
        notes.push(format!("no real data for {m}: left out"));
    }
    let description = format!(
        "real data{}: {}",
        if cached.is_some() {
            " (backtest fetch cache)"
        } else {
            ""
        },
        used.iter()
            .map(|u| u.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let summary = parts
        .write(
            &log,
            OutputInstruments::UsedInTableOrder,
            description.clone(),
        )
        .map_err(import_err)?;
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
        first_price,
        input: Input::Log(log),
    }))))
}

/// The real-data directory from the environment: `CASCADE_DATA_DIR` when it is set and is a
/// directory.
pub fn data_dir_from_env() -> Option<PathBuf> {
    std::env::var_os("CASCADE_DATA_DIR")
        .map(PathBuf::from)
        .filter(|d| d.is_dir())
}

/// Whether any of the scenario's importable `real_data` files is in `data_dir`.
fn listed_files_present(s: &Scenario, data_dir: &Path) -> bool {
    s.real_data
        .iter()
        .any(|r| !r.check_only && data_dir.join(&r.path).is_file())
}
