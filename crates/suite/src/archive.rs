//! A scenario's real files in a `backtest fetch` cache: the Binance public-data archive's own
//! layout (`data/futures/um/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2025-10-10.zip` …) under the
//! data directory. Which files a scenario needs is `cascade_fetch::scenario_files` (a pure
//! function of the scenario); this module finds those present (a kline day at a coarser
//! interval when the cache lacks its 1-minute file), says how each is imported
//! (mark, index and premium klines as such) and which streams the data had and lacked.

use cascade_fetch::{scenario_files, ArchiveFile, DataType, Market};
use cascade_scenario::Scenario;
use cascade_types::BarSource;
use std::path::Path;

/// The archive files of one scenario, split by whether the cache holds them.
pub(crate) struct Cached {
    /// The files present, sorted as the archive list is.
    pub present: Vec<ArchiveFile>,
    /// The files the scenario names that the cache lacks.
    pub missing: Vec<ArchiveFile>,
    /// The perpetual's (venue, symbol) in the scenario.
    perp: (String, String),
}

/// Whether `dir` looks like a `backtest fetch` cache (it has the archive's `data/` root).
pub(crate) fn is_cache(dir: &Path) -> bool {
    dir.join("data").is_dir()
}

/// The scenario's archive files in `dir`, when it holds at least one of them.
pub(crate) fn in_cache(s: &Scenario, dir: &Path) -> Option<Cached> {
    if !is_cache(dir) {
        return None;
    }
    let listed = scenario_files(s, false);
    let perp = s.perp_index().map(|i| &s.instruments[i])?;
    let mut present = Vec::new();
    let mut missing = Vec::new();
    for f in listed.files {
        match find(dir, f) {
            Ok(here) => present.push(here),
            Err(absent) => missing.push(absent),
        }
    }
    (!present.is_empty()).then(|| Cached {
        present,
        missing,
        perp: (perp.venue.clone(), perp.symbol.clone()),
    })
}

/// Coarser kline intervals the cache may hold instead of the 1-minute files the scenario
/// names (`backtest fetch --interval 5m`), finest first.
const COARSER: [&str; 5] = ["3m", "5m", "15m", "30m", "1h"];

/// The file in the cache: as named, else (klines) the same day at the finest coarser
/// interval present; `Err(f)` when neither is there.
fn find(dir: &Path, f: ArchiveFile) -> Result<ArchiveFile, ArchiveFile> {
    if dir.join(f.path()).is_file() {
        return Ok(f);
    }
    if f.interval.is_some() {
        for iv in COARSER {
            let other = ArchiveFile {
                interval: Some(iv.to_string()),
                ..f.clone()
            };
            if dir.join(other.path()).is_file() {
                return Ok(other);
            }
        }
    }
    Err(f)
}

impl Cached {
    /// The scenario instrument a file is of: spot files are of the scenario's `binance-spot`
    /// instrument of that symbol, futures files of its perpetual.
    pub fn instrument(&self, f: &ArchiveFile) -> (String, String) {
        match f.market {
            Market::Spot => ("binance-spot".to_string(), f.symbol.clone()),
            Market::Um | Market::Cm => self.perp.clone(),
        }
    }

    /// Two lines: the streams the data had (with how many of each one's files) and the
    /// streams it lacked.
    pub fn stream_notes(&self) -> Vec<String> {
        // Streams in the archive list's order, each with (present, total) files.
        let mut streams: Vec<(String, usize, usize)> = Vec::new();
        let mut all: Vec<(&ArchiveFile, bool)> = self
            .present
            .iter()
            .map(|f| (f, true))
            .chain(self.missing.iter().map(|f| (f, false)))
            .collect();
        all.sort_by(|a, b| a.0.cmp(b.0));
        for (f, here) in all {
            let name = stream(f);
            match streams.last_mut() {
                Some((n, p, t)) if *n == name => {
                    *p += usize::from(here);
                    *t += 1;
                }
                _ => streams.push((name, usize::from(here), 1)),
            }
        }
        let had: Vec<String> = streams
            .iter()
            .filter(|(_, p, _)| *p > 0)
            .map(|(n, p, t)| {
                if p == t {
                    n.clone()
                } else {
                    format!("{n} ({p} of {t} files)")
                }
            })
            .collect();
        let lacked: Vec<&str> = streams
            .iter()
            .filter(|(_, p, _)| *p == 0)
            .map(|(n, ..)| n.as_str())
            .collect();
        let list = |v: Vec<&str>| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        };
        vec![
            format!(
                "streams had (backtest fetch cache): {}",
                list(had.iter().map(String::as_str).collect())
            ),
            format!("streams lacked: {}", list(lacked)),
        ]
    }
}

/// A stream's name: `futures/um BTCUSDT markPriceKlines 1m`.
fn stream(f: &ArchiveFile) -> String {
    let mut s = format!("{} {} {}", f.market.dir(), f.symbol, f.kind.name());
    if let Some(i) = &f.interval {
        s.push(' ');
        s.push_str(i);
    }
    s
}

/// How a file's klines are imported: mark, index and premium klines as such; other types
/// carry no bars or are last-price klines.
pub(crate) fn bar_source(kind: DataType) -> Option<BarSource> {
    match kind {
        DataType::MarkPriceKlines => Some(BarSource::Mark),
        DataType::IndexPriceKlines => Some(BarSource::Index),
        DataType::PremiumIndexKlines => Some(BarSource::Premium),
        DataType::Klines => Some(BarSource::Last),
        _ => None,
    }
}

/// What a file holds, for the reports: `archive markPriceKlines 1m`.
pub(crate) fn contents(f: &ArchiveFile) -> String {
    match &f.interval {
        Some(i) => format!("archive {} {i}", f.kind.name()),
        None => format!("archive {}", f.kind.name()),
    }
}
