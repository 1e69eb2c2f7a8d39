//! `backtest import`: files → one event log.
//!
//! Each input file is streamed into its own temporary part log (constant memory), then the
//! parts are k-way merged in the total order `(ts, source priority, seq)` into the output —
//! the source priority of a file is its position in the (sorted, expanded) input list. The
//! output is written under a temporary name and renamed when complete, so an interrupted
//! import never leaves a log that poses as whole.

use anyhow::{bail, Context, Result};
use cascade_import::{open, parse_bar_source, Format, ImportOptions, InstrumentTable, WsClock};
use cascade_journal::{Merge, MergeInput, Reader, Writer};
use std::path::{Path, PathBuf};

/// Arguments of `backtest import`.
#[derive(clap::Args)]
pub struct Args {
    /// Files or directories (searched recursively for .csv, .gz and .zip files, in path order).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The event log to write.
    #[arg(short, long)]
    pub out: PathBuf,
    /// Force the format of every input instead of detecting it (e.g. binance-klines,
    /// tardis-trades, ws-capture).
    #[arg(long)]
    pub format: Option<String>,
    /// Venue of files whose rows do not name it (default: from the path or symbol).
    #[arg(long)]
    pub venue: Option<String>,
    /// Symbol of files without a symbol column (default: from the file name).
    #[arg(long)]
    pub symbol: Option<String>,
    /// What klines are: last, mark, index or premium (default: from the path).
    #[arg(long)]
    pub bar_source: Option<String>,
    /// Instrument file (TOML or JSON, `instruments = [{ venue, symbol, ... }]`): only these
    /// instruments are accepted and an unknown symbol is an error. Default: infer from names.
    #[arg(long)]
    pub instruments: Option<PathBuf>,
    /// Clock of websocket captures: exchange (event time) or local (receive time).
    #[arg(long, default_value = "exchange")]
    pub ws_clock: String,
}

/// Expands directories into their data files, sorted, so the order never depends on the
/// file system.
fn expand(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("reading directory {}", dir.display()))?
            .map(|e| e.map(|e| e.path()))
            .collect::<std::io::Result<_>>()
            .with_context(|| format!("reading directory {}", dir.display()))?;
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
            bail!("input {} does not exist", input.display());
        }
    }
    if files.is_empty() {
        bail!("no data files (.csv, .gz, .zip) found in the inputs");
    }
    Ok(files)
}

fn is_data_file(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".csv") || name.ends_with(".gz") || name.ends_with(".zip")
}

fn options(a: &Args) -> Result<ImportOptions> {
    let mut o = ImportOptions::default();
    if let Some(f) = &a.format {
        o.format = Some(
            f.parse::<Format>()
                .map_err(|e| anyhow::anyhow!("--format: {e}"))?,
        );
    }
    o.venue.clone_from(&a.venue);
    o.symbol.clone_from(&a.symbol);
    if let Some(b) = &a.bar_source {
        o.bar_source = Some(parse_bar_source(b).map_err(|e| anyhow::anyhow!("--bar-source: {e}"))?);
    }
    o.ws_clock = match a.ws_clock.as_str() {
        "exchange" => WsClock::Exchange,
        "local" => WsClock::Local,
        other => bail!("--ws-clock: expected exchange or local, found {other:?}"),
    };
    Ok(o)
}

fn instrument_table(path: Option<&Path>) -> Result<InstrumentTable> {
    let Some(path) = path else {
        return Ok(InstrumentTable::infer());
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let table = if is_json {
        InstrumentTable::from_json(&text)
    } else {
        let file: cascade_import::InstrumentFile =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        InstrumentTable::from_entries(file.instruments)
    };
    table.with_context(|| format!("instrument file {}", path.display()))
}

/// Removes the temporary files of an import, whatever happened.
struct Cleanup(Vec<PathBuf>);
impl Drop for Cleanup {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Refuses an output path that is one of the inputs (the import would destroy it), or that
/// exists as anything but a regular file (renaming over a symbolic link replaces the link,
/// over a device replaces the device).
fn refuse_out(out: &Path, inputs: &[PathBuf]) -> Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(out) else {
        return Ok(());
    };
    if meta.file_type().is_symlink() {
        bail!(
            "{}: refusing to write: it is a symbolic link; the log is never written through one",
            out.display()
        );
    }
    if !meta.is_file() {
        bail!(
            "{}: refusing to write: it exists and is not a regular file",
            out.display()
        );
    }
    let same = |p: &Path| match (std::fs::canonicalize(p), std::fs::canonicalize(out)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if let Some(input) = inputs.iter().find(|p| same(p)) {
        bail!(
            "{}: refusing to write: it is also an input ({}); importing into it would destroy it",
            out.display(),
            input.display()
        );
    }
    Ok(())
}

/// Removes (naming them) the temporary files an interrupted import into the same output left
/// behind: `.NAME.partial` and `.NAME.partN`.
fn remove_stale(dir: &Path, stem: &str) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let partial = format!(".{stem}.partial");
    let part = format!(".{stem}.part");
    let mut stale: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n == partial
                || n.strip_prefix(&part)
                    .is_some_and(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(|e| e.path())
        .collect();
    stale.sort();
    for p in stale {
        eprintln!(
            "note: removing {}, left by an interrupted import",
            p.display()
        );
        std::fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
    }
    Ok(())
}

/// Imports one file into a part log; returns a one-line description of what it held.
fn import_one(
    file: &Path,
    part: &Path,
    opts: &ImportOptions,
    table: &mut InstrumentTable,
) -> Result<String> {
    let mut importer = open(file, opts, table)?;
    let mut writer = Writer::create(
        part,
        importer.table().specs().to_vec(),
        file.display().to_string(),
    )?;
    while let Some(event) = importer.next() {
        let event = event?;
        let specs = importer.table().specs();
        for spec in &specs[writer.instruments().len()..] {
            writer.add_instrument(spec.clone())?;
        }
        writer.write(&event)?;
    }
    let stats = importer.stats();
    let line = format!(
        "{} ({}, {} rows -> {} events{}{})",
        file.display(),
        importer.format(),
        stats.rows,
        stats.events,
        if stats.rows_without_events > 0 {
            format!(", {} rows without events", stats.rows_without_events)
        } else {
            String::new()
        },
        if stats.clamped > 0 {
            format!(", {} capture times clamped", stats.clamped)
        } else {
            String::new()
        },
    );
    drop(importer);
    // Instruments a late row added after the last event are still in the table.
    for spec in &table.specs()[writer.instruments().len()..] {
        writer.add_instrument(spec.clone())?;
    }
    writer.finish()?;
    Ok(line)
}

/// Runs `backtest import`.
pub fn run(a: Args) -> Result<()> {
    let files = expand(&a.inputs)?;
    let opts = options(&a)?;
    let mut table = instrument_table(a.instruments.as_deref())?;
    let dir = a
        .out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let stem = a
        .out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    refuse_out(&a.out, &files)?;
    let tmp_out = dir.join(format!(".{stem}.partial"));
    remove_stale(dir, &stem)?;
    let mut cleanup = Cleanup(vec![tmp_out.clone()]);

    let mut lines = Vec::with_capacity(files.len());
    let mut parts = Vec::with_capacity(files.len());
    for (i, file) in files.iter().enumerate() {
        let part = dir.join(format!(".{stem}.part{i}"));
        cleanup.0.push(part.clone());
        let line = import_one(file, &part, &opts, &mut table)?;
        eprintln!("imported {line}");
        lines.push(line);
        parts.push(part);
    }
    let inputs = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Ok(MergeInput {
                reader: Reader::open(p)?,
                priority: i as u32,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let source = format!(
        "backtest import of {} file(s): {}",
        files.len(),
        lines.join("; ")
    );
    Merge::new(inputs)?.write_to(&tmp_out, source)?;
    // Checked again just before the rename: never over a link, a device or an input.
    refuse_out(&a.out, &files)?;
    std::fs::rename(&tmp_out, &a.out)
        .with_context(|| format!("moving the finished log to {}", a.out.display()))?;
    drop(cleanup);
    let summary = cascade_journal::summarize(&a.out)?;
    print!("{summary}");
    Ok(())
}
