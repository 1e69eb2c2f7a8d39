//! `backtest import`: files → one event log.
//!
//! Argument parsing over `cascade_import`'s one import path ([`cascade_import::import_parts`]):
//! each input file is streamed into its own temporary part log, then the parts are k-way
//! merged in the total order `(ts, source priority, seq)` into the output — the source
//! priority of a file is its position in the (sorted, expanded) input list — written under a
//! temporary name and renamed when complete.

use anyhow::{bail, Context, Result};
use cascade_import::{
    data_files, import_parts, parse_bar_source, Format, ImportOptions, InstrumentTable, LogInput,
    OutputInstruments, WsClock,
};
use indicatif::{HumanCount, ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Arguments of `backtest import`.
#[derive(clap::Args)]
pub struct Args {
    /// Files or directories (searched recursively for .csv, .gz, .zip and .json files, in path
    /// order).
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
    /// instruments are accepted and an unknown symbol is an error. Default: infer from names,
    /// with the venue's dated tick, lot and contract size where known (a loud warning where
    /// not).
    #[arg(long)]
    pub instruments: Option<PathBuf>,
    /// Clock of websocket captures: exchange (event time) or local (receive time).
    #[arg(long, default_value = "exchange")]
    pub ws_clock: String,
    /// Data-quality gate: accept price jumps up to this factor between an event and the
    /// previous one of its stream (default 10; above 10 the log is flagged).
    #[arg(long)]
    pub max_jump: Option<f64>,
    /// Data-quality gate: keep implausible values (funding beyond ±5 % per interval, depth
    /// bands beyond ±20 %, taker buy volume above the volume); the log is flagged.
    #[arg(long)]
    pub allow_implausible: bool,
    /// Data-quality gate: drop duplicated rows (a trade id not above the previous one, a
    /// repeated bar or settlement) instead of refusing the file; the log is flagged.
    #[arg(long)]
    pub dedupe: bool,
    /// Threads parsing each large CSV file (0: one per core). The log is byte for byte the
    /// same for any count.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
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
    if let Some(m) = a.max_jump {
        if !(m.is_finite() && m >= 1.0) {
            bail!("--max-jump: expected a factor of at least 1, found {m}");
        }
        o.quality.max_jump = m;
    }
    o.quality.allow_implausible = a.allow_implausible;
    o.quality.dedupe = a.dedupe;
    o.threads = a.threads;
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

/// Refuses an output path that is one of the inputs (the import would destroy it), or that
/// exists as anything but a regular file (renaming over a symbolic link replaces the link,
/// over a device replaces the device).
fn refuse_out(out: &Path, inputs: &[PathBuf]) -> Result<()> {
    Ok(cascade_import::check_output(out, inputs)?)
}

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

/// Runs `backtest import`.
pub fn run(a: Args) -> Result<()> {
    let files = data_files(&a.inputs)?;
    let opts = options(&a)?;
    let mut table = instrument_table(a.instruments.as_deref())?;
    let dir = a
        .out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let stem = a
        .out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    refuse_out(&a.out, &files)?;
    remove_stale(dir, &stem)?;
    let inputs: Vec<LogInput> = files
        .iter()
        .map(|path| LogInput {
            path: path.clone(),
            options: opts.clone(),
        })
        .collect();
    // Progress on stderr when it is a terminal: files done, events so far, the current file.
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(inputs.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} files, {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut events: u64 = 0;
    let mut current = usize::MAX;
    let parts = import_parts(
        &inputs,
        &mut table,
        None,
        dir,
        &stem,
        |i, _| {
            events += 1;
            if events.is_multiple_of(1 << 16) || i != current {
                current = i;
                bar.set_message(format!(
                    "{} events, {}",
                    HumanCount(events),
                    inputs[i].path.display()
                ));
            }
        },
        |f| {
            bar.suspend(|| {
                match f.duplicate_of {
                    Some(_) => eprintln!("WARNING: {}", f.line()),
                    None => eprintln!("imported {}", f.line()),
                }
                for l in &f.quality.lines {
                    eprintln!("  quality: {l}");
                }
                for l in &f.quality.flags {
                    eprintln!("  WARNING (flagged in the log): {l}");
                }
            });
            bar.inc(1);
        },
    );
    let parts = match parts {
        Ok(p) => p,
        Err(e) => {
            bar.finish_and_clear();
            return Err(e.into());
        }
    };
    if parts.files().iter().all(|f| f.kept == 0) {
        bar.finish_and_clear();
        bail!(
            "no events in {} input file(s): nothing to write (header-only or empty files?)",
            files.len()
        );
    }
    bar.set_message(format!(
        "{} events, writing {}",
        HumanCount(events),
        a.out.display()
    ));
    let lines: Vec<String> = parts.files().iter().map(|f| f.line()).collect();
    let mut source = format!(
        "backtest import of {} file(s): {}",
        files.len(),
        lines.join("; ")
    );
    // What was done about each inferred instrument's tick and lot: printed, and the guesses
    // also stored in the log's source description, so every report on it shows them.
    bar.suspend(|| {
        for note in table.notes() {
            if note.known {
                eprintln!("spec: {}", note.text);
            } else {
                eprintln!("WARNING: {}", note.text);
                source.push_str(&format!("; WARNING: {}", note.text));
            }
        }
    });
    // Checked again just before the write: never over a link, a device or an input.
    let written = refuse_out(&a.out, &files)
        .and_then(|()| Ok(parts.write(&a.out, OutputInstruments::AllSorted, source)?));
    bar.finish_and_clear();
    written?;
    let summary = cascade_journal::summarize(&a.out)?;
    print!("{summary}");
    Ok(())
}
