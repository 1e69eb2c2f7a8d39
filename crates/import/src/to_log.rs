//! Files → one event log: the one import path of cascade (the CLI's `backtest import` and the
//! suite's real data both use it).
//!
//! It runs in two steps so that a caller can look at what the files held before the log is
//! written:
//!
//! 1. [`import_parts`] streams each input file into its own temporary **part log** (constant
//!    memory), resolving instruments in one shared [`InstrumentTable`], keeping only the
//!    events inside an optional time window, and reports each file ([`FileReport`]);
//! 2. [`Parts::write`] k-way merges the parts in the total order
//!    `(ts, source priority, seq)` — the priority of a file is its position in the input
//!    list, `seq` its own order — into the output, written under a temporary name and renamed
//!    when complete, so an interrupted import never leaves a log that poses as whole.
//!
//! Before the merge, inputs are checked against each other: a file with the same bytes as an
//! earlier one (given twice, or a folder and a file inside it) is skipped with its
//! [`FileReport::duplicate_of`] set, and two files holding the same stream (instrument, event
//! kind, bar source and interval) over overlapping times are refused
//! ([`ImportError::Overlap`]): merged, their events would count twice. A gzip or zip file whose
//! rows fail to parse is decompressed whole once more to tell a corrupt archive
//! ([`ImportError::Corrupt`]) from bad rows.
//!
//! The part logs are removed when [`Parts`] is dropped, whatever happened.
//! [`data_files`] expands directories into their data files in path order.

use crate::quality::{CrossCheck, Gate, Verdict};
use crate::{
    open, Format, ImportError, ImportOptions, ImportStats, InstrumentTable, QualityReport,
};
use cascade_journal::{JournalError, Merge, MergeInput, Reader, WriteSummary, Writer};
use cascade_types::{Event, InstrumentId, InstrumentSpec, Ts};
use std::path::{Path, PathBuf};

/// One file to import and how.
#[derive(Clone, Debug)]
pub struct LogInput {
    /// The file (plain, `.gz` or `.zip`).
    pub path: PathBuf,
    /// Its import options (format, venue, symbol, bar source…).
    pub options: ImportOptions,
}

/// What one input file gave.
#[derive(Clone, Debug)]
pub struct FileReport {
    /// The file, as given.
    pub path: PathBuf,
    /// Its format (detected or forced).
    pub format: Format,
    /// The importer's counts (every event of the file, inside the window or not).
    pub stats: ImportStats,
    /// Events kept (inside the window) and written to the part log.
    pub kept: u64,
    /// Set when the file was skipped: it has the same bytes as this earlier input.
    pub duplicate_of: Option<PathBuf>,
    /// The data-quality gate's report on the file's kept events ([`crate::quality`]).
    pub quality: QualityReport,
}

impl FileReport {
    /// One line: `path (format, N rows -> M events[, …])`, as `backtest import` prints it.
    pub fn line(&self) -> String {
        if let Some(original) = &self.duplicate_of {
            return format!(
                "{} (skipped: the same bytes as {}; imported once)",
                self.path.display(),
                original.display()
            );
        }
        let s = &self.stats;
        let mut line = format!(
            "{} ({}, {} rows -> {} events",
            self.path.display(),
            self.format,
            s.rows,
            s.events
        );
        if s.rows_without_events > 0 {
            line.push_str(&format!(", {} rows without events", s.rows_without_events));
        }
        if s.clamped > 0 {
            line.push_str(&format!(", {} capture times clamped", s.clamped));
        }
        line.push(')');
        line
    }
}

/// Which instrument table the output log gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputInstruments {
    /// Every instrument of the import table, sorted by (venue, symbol, kind) — the table of
    /// the journal's merge. `backtest import` writes this.
    AllSorted,
    /// Only the instruments with at least one kept event, in the import table's order (ids
    /// renumbered). The suite writes this, so a scenario's perpetual keeps its place.
    UsedInTableOrder,
}

/// The imported part logs, ready to be merged by [`Parts::write`]. Removes them when dropped.
pub struct Parts {
    parts: Vec<PathBuf>,
    files: Vec<FileReport>,
    specs: Vec<InstrumentSpec>,
    used: Vec<bool>,
    /// The check of each instrument's price streams against each other, over all files.
    cross: QualityReport,
}

impl Drop for Parts {
    fn drop(&mut self) {
        for p in &self.parts {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The error of a failed log operation; `doing` is called only then (formatting a path per
/// event would cost more than the write).
fn log_err(doing: impl FnOnce() -> String) -> impl FnOnce(JournalError) -> ImportError {
    move |source| ImportError::Log {
        doing: doing(),
        source: Box::new(source),
    }
}

/// Imports each input into a part log in `dir` (named `.{stem}.part{i}`), in order. Only
/// events with `window.0 <= ts < window.1` are kept when a window is given. `observe` sees
/// every kept event, with the index of its input, in file order; `on_file` each file's
/// report once the file is done. Instruments are resolved in `table` (strict or infer).
pub fn import_parts(
    inputs: &[LogInput],
    table: &mut InstrumentTable,
    window: Option<(Ts, Ts)>,
    dir: &Path,
    stem: &str,
    mut observe: impl FnMut(usize, &Event),
    mut on_file: impl FnMut(&FileReport),
) -> Result<Parts, ImportError> {
    std::fs::create_dir_all(dir).map_err(|source| ImportError::Io {
        path: dir.to_path_buf(),
        doing: "creating the directory",
        source,
    })?;
    let mut parts = Parts {
        parts: Vec::with_capacity(inputs.len()),
        files: Vec::with_capacity(inputs.len()),
        specs: Vec::new(),
        used: Vec::new(),
        cross: QualityReport::default(),
    };
    let mut cross = CrossCheck::new();
    let mut ranges: Vec<(PathBuf, StreamRanges)> = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.iter().enumerate() {
        if let Some(original) = earlier_copy(&input.path, &inputs[..i])? {
            let report = FileReport {
                path: input.path.clone(),
                format: parts
                    .files
                    .iter()
                    .find(|f| f.path == original)
                    .map_or(Format::ALL[0], |f| f.format),
                stats: ImportStats::default(),
                kept: 0,
                duplicate_of: Some(original),
                quality: QualityReport::default(),
            };
            on_file(&report);
            parts.files.push(report);
            continue;
        }
        let part = dir.join(format!(".{stem}.part{i}"));
        parts.parts.push(part.clone());
        let (report, mine) = import_one(
            input,
            i,
            &part,
            table,
            window,
            &mut parts.used,
            &mut cross,
            &mut observe,
        )
        .map_err(|e| name_corrupt_archive(&input.path, e))?;
        check_overlaps(&input.path, &mine, &ranges, table.specs())?;
        ranges.push((input.path.clone(), mine));
        on_file(&report);
        parts.files.push(report);
    }
    parts.specs = table.specs().to_vec();
    parts.cross = cross.finish(table.specs());
    parts.used.resize(parts.specs.len(), false);
    Ok(parts)
}

/// Imports one file into a part log.
#[allow(clippy::too_many_arguments)]
fn import_one(
    input: &LogInput,
    index: usize,
    part: &Path,
    table: &mut InstrumentTable,
    window: Option<(Ts, Ts)>,
    used: &mut Vec<bool>,
    cross: &mut CrossCheck,
    observe: &mut impl FnMut(usize, &Event),
) -> Result<(FileReport, StreamRanges), ImportError> {
    let mut ranges = StreamRanges::new();
    let file = &input.path;
    let doing = || format!("importing {} into {}", file.display(), part.display());
    let mut importer = open(file, &input.options, table)?;
    let mut writer = Writer::create(
        part,
        importer.table().specs().to_vec(),
        file.display().to_string(),
    )
    .map_err(log_err(doing))?;
    let mut kept = 0;
    let mut gate = Gate::new(input.options.quality);
    let mut current: Option<(StreamKey, (Ts, Ts))> = None;
    while let Some(event) = importer.next() {
        let event = event?;
        if window.is_some_and(|(start, end)| !(start <= event.ts && event.ts < end)) {
            continue;
        }
        let verdict = gate.check(&event).and_then(|v| match v {
            Verdict::Keep => cross.check(&event, input.options.quality).map(|()| v),
            Verdict::Drop => Ok(v),
        });
        match verdict {
            Ok(Verdict::Keep) => {}
            Ok(Verdict::Drop) => continue,
            Err(refusal) => {
                return Err(ImportError::Quality {
                    file: file.clone(),
                    row: importer.stats().rows,
                    ts: event.ts.to_string(),
                    problem: refusal.problem,
                    remedy: refusal.remedy,
                })
            }
        }
        let specs = importer.table().specs();
        for spec in &specs[writer.instruments().len()..] {
            writer
                .add_instrument(spec.clone())
                .map_err(log_err(doing))?;
        }
        writer.write(&event).map_err(log_err(doing))?;
        let id = event.instrument.index();
        if used.len() <= id {
            used.resize(id + 1, false);
        }
        used[id] = true;
        kept += 1;
        // The usual file is one stream: its range is kept aside, not looked up per event.
        let key = StreamKey::of(&event);
        match &mut current {
            Some((k, r)) if *k == key => {
                r.0 = r.0.min(event.ts);
                r.1 = r.1.max(event.ts);
            }
            _ => {
                if let Some((k, r)) = current.take() {
                    add_range(&mut ranges, k, r);
                }
                current = Some((key, (event.ts, event.ts)));
            }
        }
        observe(index, &event);
    }
    if let Some((k, r)) = current.take() {
        add_range(&mut ranges, k, r);
    }
    let stats = importer.stats();
    let mut quality = gate.finish(importer.table().specs());
    if stats.rows == 0 {
        quality
            .flags
            .push("no data rows (a header-only or empty file)".to_string());
    }
    let report = FileReport {
        path: file.clone(),
        format: importer.format(),
        stats,
        kept,
        duplicate_of: None,
        quality,
    };
    drop(importer);
    // Instruments a late row added after the last event are still in the table.
    for spec in &table.specs()[writer.instruments().len()..] {
        writer
            .add_instrument(spec.clone())
            .map_err(log_err(doing))?;
    }
    writer.finish().map_err(log_err(doing))?;
    Ok((report, ranges))
}

/// One stream of a file: instrument, event kind, and for bars their price source and interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct StreamKey {
    instrument: u32,
    kind: cascade_types::EventKind,
    bar: Option<(u8, u32)>,
}

impl StreamKey {
    fn of(e: &Event) -> StreamKey {
        StreamKey {
            instrument: e.instrument.0,
            kind: e.body.kind(),
            bar: match &e.body {
                cascade_types::EventBody::Bar(b) => Some((b.source as u8, b.interval_s)),
                _ => None,
            },
        }
    }

    fn describe(&self, specs: &[InstrumentSpec]) -> String {
        let symbol = specs.get(self.instrument as usize).map_or_else(
            || format!("instrument #{}", self.instrument),
            |s| format!("{} {}", s.venue, s.symbol),
        );
        match self.bar {
            Some((source, interval)) => {
                let source = ["last-price", "mark-price", "index-price", "premium-index"]
                    .get(source as usize)
                    .copied()
                    .unwrap_or("other");
                format!("{symbol} {source} bars of {interval} s")
            }
            None => format!("{symbol} {:?} events", self.kind),
        }
    }
}

/// Per stream, the first and last kept event's time.
type StreamRanges = std::collections::BTreeMap<StreamKey, (Ts, Ts)>;

/// Widens `key`'s range in `ranges` to cover `r`.
fn add_range(ranges: &mut StreamRanges, key: StreamKey, r: (Ts, Ts)) {
    let e = ranges.entry(key).or_insert(r);
    e.0 = e.0.min(r.0);
    e.1 = e.1.max(r.1);
}

/// Refuses `path` when one of its streams overlaps in time the same stream of an earlier file.
fn check_overlaps(
    path: &Path,
    mine: &StreamRanges,
    earlier: &[(PathBuf, StreamRanges)],
    specs: &[InstrumentSpec],
) -> Result<(), ImportError> {
    for (key, &(a0, a1)) in mine {
        for (other, theirs) in earlier {
            if let Some(&(b0, b1)) = theirs.get(key) {
                let (from, to) = (a0.max(b0), a1.min(b1));
                if from <= to {
                    return Err(ImportError::Overlap {
                        first: other.clone(),
                        second: path.to_path_buf(),
                        stream: key.describe(specs),
                        from: from.to_string(),
                        to: to.to_string(),
                    });
                }
            }
        }
    }
    Ok(())
}

/// The earlier input with the same bytes as `path`, if any (compared only when the sizes
/// match).
fn earlier_copy(path: &Path, earlier: &[LogInput]) -> Result<Option<PathBuf>, ImportError> {
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| ImportError::Open { file: p, source }
    };
    let size = std::fs::metadata(path).map_err(io(path))?.len();
    for e in earlier {
        let Ok(meta) = std::fs::metadata(&e.path) else {
            continue;
        };
        if meta.len() == size && same_bytes(path, &e.path).map_err(io(path))? {
            return Ok(Some(e.path.clone()));
        }
    }
    Ok(None)
}

fn same_bytes(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let (mut a, mut b) = (std::fs::File::open(a)?, std::fs::File::open(b)?);
    let (mut x, mut y) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let n = read_full(&mut a, &mut x)?;
        let m = read_full(&mut b, &mut y)?;
        if n != m || x[..n] != y[..m] {
            return Ok(false);
        }
        if n == 0 {
            return Ok(true);
        }
    }
    fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            match r.read(&mut buf[n..])? {
                0 => break,
                k => n += k,
            }
        }
        Ok(n)
    }
}

/// An error importing a gzip or zip file is the archive's when the archive itself does not
/// decompress: say so, rather than report the garbage it decompressed to as a bad row.
fn name_corrupt_archive(path: &Path, e: ImportError) -> ImportError {
    let container = match crate::container::kind(path) {
        crate::container::Container::Gzip => "gzip",
        crate::container::Container::Zip => "zip",
        crate::container::Container::Plain => return e,
    };
    match e {
        ImportError::Open { .. } | ImportError::Log { .. } | ImportError::Io { .. } => e,
        other => match crate::container::verify(path) {
            Ok(()) => other,
            Err(reason) => ImportError::Corrupt {
                file: path.to_path_buf(),
                container,
                reason,
            },
        },
    }
}

impl Parts {
    /// Each input file's report, in input order.
    pub fn files(&self) -> &[FileReport] {
        &self.files
    }

    /// The import table's instruments.
    pub fn instruments(&self) -> &[InstrumentSpec] {
        &self.specs
    }

    /// The data-quality report lines (each prefixed with its file) and the flags of every
    /// input, in input order.
    pub fn quality(&self) -> (Vec<String>, Vec<String>) {
        let mut lines = Vec::new();
        let mut flags = Vec::new();
        for f in &self.files {
            let name = f.path.display();
            lines.extend(f.quality.lines.iter().map(|l| format!("{name}: {l}")));
            flags.extend(f.quality.flags.iter().map(|l| format!("{name}: {l}")));
        }
        lines.extend(self.cross.lines.iter().cloned());
        flags.extend(self.cross.flags.iter().cloned());
        (lines, flags)
    }

    /// Whether instrument `id` of the import table has a kept event.
    pub fn is_used(&self, id: InstrumentId) -> bool {
        self.used.get(id.index()).copied().unwrap_or(false)
    }

    /// Merges the parts into the log at `out` (written as `.{name}.partial` beside it, then
    /// renamed) with the instrument table `instruments` says and the source description
    /// `source`; the parts are removed.
    pub fn write(
        self,
        out: &Path,
        instruments: OutputInstruments,
        source: String,
    ) -> Result<WriteSummary, ImportError> {
        let dir = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.partial"));
        let (quality, flags) = self.quality();
        let result = match self.single_part_as_is(&tmp, instruments)? {
            true => cascade_journal::set_header_notes(&tmp, source, quality, flags).map_err(
                log_err(|| format!("writing the header of {}", tmp.display())),
            ),
            false => self.merge_into(&tmp, instruments, source),
        };
        let summary = match result {
            Ok(s) => s,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        };
        std::fs::rename(&tmp, out).map_err(|source| {
            let _ = std::fs::remove_file(&tmp);
            ImportError::Io {
                path: out.to_path_buf(),
                doing: "moving the finished log into place",
                source,
            }
        })?;
        Ok(WriteSummary {
            path: out.to_path_buf(),
            ..summary
        })
    }

    /// With one part whose events and instrument table the merge would copy unchanged (the
    /// usual single-file import), moves the part to `tmp` and says so: its blocks are already
    /// the output's, byte for byte, and only the header's source description differs, which
    /// the caller then rewrites — no event is decoded or written again.
    fn single_part_as_is(
        &self,
        tmp: &Path,
        instruments: OutputInstruments,
    ) -> Result<bool, ImportError> {
        let [part] = self.parts.as_slice() else {
            return Ok(false);
        };
        let doing = || format!("reading the part log {}", part.display());
        let reader = Reader::open(part).map_err(log_err(doing))?;
        let own = reader.header().instruments.clone();
        let merge = Merge::new(vec![MergeInput {
            reader,
            priority: 0,
        }])
        .map_err(log_err(doing))?;
        let same = merge.instruments() == own.as_slice()
            && match instruments {
                OutputInstruments::AllSorted => true,
                OutputInstruments::UsedInTableOrder => self
                    .specs
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| self.used[*i])
                    .map(|(_, s)| s)
                    .eq(own.iter()),
            };
        drop(merge);
        // A part that cannot be moved (another file system) is merged instead.
        Ok(same && std::fs::rename(part, tmp).is_ok())
    }

    fn merge_into(
        &self,
        tmp: &Path,
        instruments: OutputInstruments,
        source: String,
    ) -> Result<WriteSummary, ImportError> {
        let doing = || format!("merging the part logs into {}", tmp.display());
        let inputs = self
            .parts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                Ok(MergeInput {
                    reader: Reader::open(p)?,
                    priority: i as u32,
                })
            })
            .collect::<Result<Vec<_>, JournalError>>()
            .map_err(log_err(doing))?;
        let merge = Merge::new(inputs).map_err(log_err(doing))?;
        let (quality, flags) = self.quality();
        match instruments {
            OutputInstruments::AllSorted => {
                let mut w = Writer::create(tmp, merge.instruments().to_vec(), source)
                    .map_err(log_err(doing))?;
                w.set_quality(quality, flags);
                for merged in merge {
                    w.write(&merged.map_err(log_err(doing))?.event)
                        .map_err(log_err(doing))?;
                }
                w.finish().map_err(log_err(doing))
            }
            OutputInstruments::UsedInTableOrder => {
                let kept: Vec<&InstrumentSpec> = self
                    .specs
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| self.used[*i])
                    .map(|(_, s)| s)
                    .collect();
                let key = |s: &InstrumentSpec| (s.venue.clone(), s.symbol.clone(), s.kind);
                // Merged id → output id (None: an instrument without kept events).
                let remap: Vec<Option<InstrumentId>> = merge
                    .instruments()
                    .iter()
                    .map(|m| {
                        kept.iter()
                            .position(|k| key(k) == key(m))
                            .map(|n| InstrumentId(n as u32))
                    })
                    .collect();
                let specs = kept.into_iter().cloned().collect();
                let mut w = Writer::create(tmp, specs, source).map_err(log_err(doing))?;
                w.set_quality(quality, flags);
                for merged in merge {
                    let mut e = merged.map_err(log_err(doing))?.event;
                    // Every kept event's instrument is used, so it has an output id.
                    e.instrument = remap[e.instrument.index()].unwrap_or(e.instrument);
                    w.write(&e).map_err(log_err(doing))?;
                }
                w.finish().map_err(log_err(doing))
            }
        }
    }
}

/// Refuses an import's output path that cannot be written safely: a symbolic link (a log
/// is never written through one), something that exists and is not a regular file, or one
/// of `inputs` (importing into it would destroy it). A missing output is fine. Checked before
/// an import starts and again just before its log is renamed into place.
pub fn check_output(out: &Path, inputs: &[PathBuf]) -> Result<(), ImportError> {
    let Ok(meta) = std::fs::symlink_metadata(out) else {
        return Ok(());
    };
    let refuse = |reason: String| {
        Err(ImportError::RefusedOutput {
            path: out.to_path_buf(),
            reason,
        })
    };
    if meta.file_type().is_symlink() {
        return refuse("it is a symbolic link; the log is never written through one".into());
    }
    if !meta.is_file() {
        return refuse("it exists and is not a regular file".into());
    }
    let same = |p: &Path| match (std::fs::canonicalize(p), std::fs::canonicalize(out)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if let Some(input) = inputs.iter().find(|p| same(p)) {
        return refuse(format!(
            "it is also an input ({}); importing into it would destroy it",
            input.display()
        ));
    }
    Ok(())
}

/// Expands directories into their data files (`.csv`, `.gz`, `.zip`, `.json`, searched
/// recursively),
/// sorted, so the order never depends on the file system. Files are taken as given.
pub fn data_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, ImportError> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ImportError> {
        let io = |source| ImportError::Io {
            path: dir.to_path_buf(),
            doing: "reading the directory",
            source,
        };
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(io)?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<_>>()
            .map_err(io)?;
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out)?;
            } else if is_data_file(&p) {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            walk(input, &mut files)?;
        } else if input.exists() {
            files.push(input.clone());
        } else {
            return Err(ImportError::Missing {
                path: input.clone(),
            });
        }
    }
    if files.is_empty() {
        return Err(ImportError::NoDataFiles);
    }
    Ok(files)
}

fn is_data_file(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    [".csv", ".gz", ".zip", ".json"]
        .iter()
        .any(|ext| name.ends_with(ext))
}
