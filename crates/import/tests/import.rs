//! Integration tests of the importers: one binary, topic modules, small `check` helpers that
//! render a purpose-built text report, insta snapshots of those reports.
//!
//! Real-data tests read `../shared/data` (or `$CASCADE_DATA_DIR`) in place and print
//! `skipped: <reason>` when it is absent, so a fresh clone passes without it.

#[path = "import/bad_input.rs"]
mod bad_input;
#[path = "import/bitmex.rs"]
mod bitmex;
#[path = "import/detection.rs"]
mod detection;
#[path = "import/fixtures.rs"]
mod fixtures;
#[path = "import/formats.rs"]
mod formats;
#[path = "import/parallel.rs"]
mod parallel;
#[path = "import/quality.rs"]
mod quality;
#[path = "import/real_data.rs"]
mod real_data;
#[path = "import/robustness.rs"]
mod robustness;
#[path = "import/specs.rs"]
mod specs;
#[path = "import/to_log.rs"]
mod to_log;

use cascade_import::{open, ImportError, ImportOptions, InstrumentTable};
use cascade_types::{Event, EventKind, Ts};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The shared real-data directory, or `None` (after printing why) when it is absent.
pub fn data_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("CASCADE_DATA_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "skipped: no real data at {} (set CASCADE_DATA_DIR)",
            dir.display()
        );
        None
    }
}

/// A file under the real-data directory, or `None` (after printing why).
pub fn data_file(rel: &str) -> Option<PathBuf> {
    let path = data_dir()?.join(rel);
    if path.is_file() {
        Some(path)
    } else {
        println!("skipped: {} is missing", path.display());
        None
    }
}

/// The repository's bundled synthetic fixtures.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

/// Imports a file (at most `limit` events), calling `visit` on each event, and renders a
/// summary: format, instruments, counts per kind, first and last events, time span, stats.
/// Panics on an import error (the real files must import cleanly).
pub fn summarize(
    path: &Path,
    options: &ImportOptions,
    limit: Option<usize>,
    mut visit: impl FnMut(&Event),
) -> String {
    let mut table = InstrumentTable::infer();
    let mut importer = open(path, options, &mut table).unwrap_or_else(|e| panic!("{e}"));
    let mut counts: BTreeMap<EventKind, u64> = BTreeMap::new();
    let (mut first, mut last): (Option<Event>, Option<Event>) = (None, None);
    let mut n = 0usize;
    for ev in importer.by_ref() {
        let ev = ev.unwrap_or_else(|e| panic!("{e}"));
        visit(&ev);
        *counts.entry(ev.kind()).or_default() += 1;
        first.get_or_insert(ev);
        last = Some(ev);
        n += 1;
        if limit.is_some_and(|l| n >= l) {
            break;
        }
    }
    let mut s = String::new();
    let name = path.file_name().unwrap().to_string_lossy();
    writeln!(s, "file: {name}").unwrap();
    writeln!(
        s,
        "format: {} ({:?})",
        importer.format(),
        importer.container()
    )
    .unwrap();
    if let Some(l) = limit {
        writeln!(s, "limited to the first {l} events").unwrap();
    }
    let stats = importer.stats();
    drop(importer);
    for (i, spec) in table.specs().iter().enumerate() {
        writeln!(
            s,
            "instrument i{i}: {} {} {} {}/{} contract {} lot {}",
            spec.venue, spec.symbol, spec.kind, spec.base, spec.quote, spec.contract_size, spec.lot
        )
        .unwrap();
    }
    writeln!(s, "events: {n}").unwrap();
    for (k, c) in &counts {
        writeln!(s, "  {k}: {c}").unwrap();
    }
    if let (Some(f), Some(l)) = (first, last) {
        writeln!(s, "first: {f}").unwrap();
        writeln!(s, "last:  {l}").unwrap();
        writeln!(s, "span: {} → {} ({})", f.ts, l.ts, duration(f.ts, l.ts)).unwrap();
    }
    writeln!(
        s,
        "stats: rows {} events {} rows_without_events {} clamped {}",
        stats.rows, stats.events, stats.rows_without_events, stats.clamped
    )
    .unwrap();
    s
}

fn duration(a: Ts, b: Ts) -> String {
    let secs = (b.nanos() - a.nanos()) / Ts::NANOS_PER_SEC;
    format!("{}h{:02}m{:02}s", secs / 3600, secs / 60 % 60, secs % 60)
}

/// Imports `path` to the end and returns the first error's message with the temp directory
/// redacted to `[tmp]`; panics if the import succeeds.
pub fn import_error(path: &Path, options: &ImportOptions, table: &mut InstrumentTable) -> String {
    let err = match open(path, options, table) {
        Err(e) => e,
        Ok(importer) => {
            let mut found = None;
            for ev in importer {
                if let Err(e) = ev {
                    found = Some(e);
                    break;
                }
            }
            found.unwrap_or_else(|| panic!("{} imported without an error", path.display()))
        }
    };
    redact(&err, path)
}

/// The error's message with the file's directory replaced by `[tmp]`.
pub fn redact(err: &ImportError, path: &Path) -> String {
    let dir = path.parent().unwrap().display().to_string();
    err.to_string().replace(&dir, "[tmp]")
}

/// Writes `content` to a fresh temp dir as `name` and returns (dir guard, path).
pub fn temp_file(name: &str, content: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    (dir, path)
}

/// Imports an in-memory file named `name` in infer mode and returns every event's `Display`
/// line, or the redacted error.
pub fn check(name: &str, content: &str, options: &ImportOptions) -> String {
    let (_dir, path) = temp_file(name, content.as_bytes());
    let mut table = InstrumentTable::infer();
    let mut out = String::new();
    match open(&path, options, &mut table) {
        Err(e) => return format!("error: {}", redact(&e, &path)),
        Ok(importer) => {
            writeln!(out, "format: {}", importer.format()).unwrap();
            for ev in importer {
                match ev {
                    Ok(ev) => writeln!(out, "{ev}").unwrap(),
                    Err(e) => {
                        writeln!(out, "error: {}", redact(&e, &path)).unwrap();
                        break;
                    }
                }
            }
        }
    }
    for (i, spec) in table.specs().iter().enumerate() {
        writeln!(
            out,
            "i{i} = {} {} {} {}/{}",
            spec.venue, spec.symbol, spec.kind, spec.base, spec.quote
        )
        .unwrap();
    }
    out
}
