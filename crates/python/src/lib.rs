//! cascade from Python: the extension module `cascade._cascade` (PyO3, abi3 for CPython ≥
//! 3.9), a thin layer over the library crates with no logic of its own. Each function does
//! what the `backtest` command of the same name does, through the same library calls:
//!
//! - [`score`]: the scoring suite (`cascade-suite`), returning the outcome as the CLI's
//!   `score.json` text (and writing the CLI's files when given a directory);
//! - [`run`]: one run (`cascade-run`), returning its manifest, report and the report data as
//!   columns (equity curve, fills, liquidations, ADL, market series);
//! - [`import_files`]: files → one event log (`cascade-import`), [`events`] a log's events
//!   as columns, [`inspect`] its summary (`cascade-journal`);
//! - [`fetch`]: archive files into the cache (`cascade-fetch`);
//! - [`sweep`], [`merge`] and [`write_sweep_file`]: sweeps, shards and their merge, which
//!   `cascade.ray` runs as Ray tasks;
//! - Python strategies ([`strategy`]): a `cascade.Strategy` subclass registered by name runs
//!   wherever a Rust strategy does.
//!
//! The pure Python package (`python/cascade`) turns the columns into numpy arrays and pandas
//! data frames, draws runs with matplotlib and runs sweeps on Ray. Results never depend on
//! Python: the GIL is released while the engine runs, and a Python strategy's callbacks are
//! called in the engine's one deterministic order.
//!
//! **Dependencies.** It may depend on the library crates and the strategy registry
//! (`cascade-strategies`), never on `cascade-exchange`, `cascade-engine` or `cascade-crowd`
//! directly (the run crate re-exports the engine), nor on the CLI; nothing depends on it.
//! It is outside the cargo workspace (built by maturin, with its own `Cargo.lock`), so the
//! workspace never needs Python.

mod convert;
mod ctx;
mod error;
mod event;
mod strategy;

use convert::{flatten, Columns};
use error::{CascadeError, Error, Result};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use std::path::{Path, PathBuf};

use cascade_run::{ExecConfig, RunConfig, RunSpec, Shard, Sweep};
use cascade_strategy::Params;
use cascade_types::{Output, Ts};

fn time(text: &str, what: &str) -> Result<Ts> {
    Ts::parse_utc(text).map_err(|e| {
        Error::arg(format!(
            "{what} {text:?}: expected a UTC time like 2025-10-01 or 2025-10-01T08:00:00Z ({e})"
        ))
    })
}

fn threads_or_all(threads: Option<usize>) -> usize {
    threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1)
}

/// Strategy parameters from a Python dict (`bool`, `int`, `float` or `str` values) and
/// `k=v` overrides, as the CLI's `--params FILE` and `--param k=v` build them.
fn params_of(params: Option<&Bound<'_, PyDict>>, file: Option<PathBuf>) -> Result<Params> {
    let mut p = match file {
        Some(f) => Params::from_file(&f)?,
        None => Params::new(),
    };
    if let Some(d) = params {
        let mut table = serde_json::Map::new();
        for (k, v) in d.iter() {
            let key: String = k
                .extract()
                .map_err(|_| Error::arg("parameter names must be strings"))?;
            let value = if let Ok(b) = v.downcast::<pyo3::types::PyBool>() {
                serde_json::Value::Bool(b.is_true())
            } else if let Ok(i) = v.extract::<i64>() {
                serde_json::Value::from(i)
            } else if let Ok(x) = v.downcast::<pyo3::types::PyFloat>() {
                serde_json::Value::from(x.value())
            } else {
                serde_json::Value::String(
                    v.str().map_err(|e| Error::arg(e.to_string()))?.to_string(),
                )
            };
            table.insert(key, value);
        }
        let given = Params::from_json_str(&serde_json::Value::Object(table).to_string(), "params")?;
        for (k, v, o) in given.iter() {
            p.set(k, v.clone(), o.clone());
        }
    }
    Ok(p)
}

/// `backtest score`: every entry of the suite file × every scenario. Returns the outcome as
/// JSON text (the CLI's `score.json`) and the text table; with `out`, writes the CLI's files
/// there. Python strategies registered by name can be named in the suite file's entries.
#[pyfunction]
#[pyo3(signature = (params, scenario_dir, strategies=None, scenarios=None, data=None, threads=None, out=None))]
#[allow(clippy::too_many_arguments)]
fn score(
    py: Python<'_>,
    params: PathBuf,
    scenario_dir: PathBuf,
    strategies: Option<Vec<String>>,
    scenarios: Option<Vec<String>>,
    data: Option<PathBuf>,
    threads: Option<usize>,
    out: Option<PathBuf>,
) -> PyResult<(String, String, usize)> {
    let result = py.allow_threads(move || -> Result<(String, String, usize)> {
        let mut suite = cascade_suite::Suite::from_file(&params)?;
        if let Some(s) = strategies.filter(|s| !s.is_empty()) {
            suite.select(&s)?;
        }
        if let Some(d) = &data {
            if !d.is_dir() {
                return Err(Error::arg(format!("data {}: not a directory", d.display())));
            }
        }
        let options = cascade_suite::SuiteOptions {
            scenarios_dir: scenario_dir,
            scenarios: scenarios.unwrap_or_default(),
            data_dir: data,
            threads: threads_or_all(threads),
            progress: None,
        };
        let outcome = cascade_suite::run_suite(&suite, &options, &strategy::registry())?;
        if let Some(dir) = &out {
            cascade_suite::write_outputs(&outcome, dir)?;
        }
        Ok((
            outcome.to_json(),
            cascade_suite::render_text(&outcome),
            outcome.failures.len(),
        ))
    });
    Ok(result?)
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "the run panicked".to_string())
}

/// The options of `backtest run` that shape results.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct RunOptions {
    latency_ms: i64,
    sample_interval_s: i64,
    deposit: String,
    insurance_fund: String,
    seed: u64,
    expand_bars: bool,
    bar_order: String,
    journal: bool,
    check_invariants: bool,
    from_: Option<String>,
    to: Option<String>,
    funding_default: Option<String>,
    mark_default: Option<String>,
    crowd: Option<PathBuf>,
    crowd_book: Option<String>,
}

impl RunOptions {
    fn config(&self) -> Result<RunConfig> {
        let bad = |what: &str, e: &dyn std::fmt::Display| Error::arg(format!("{what}: {e}"));
        Ok(RunConfig {
            latency_ns: self
                .latency_ms
                .checked_mul(1_000_000)
                .ok_or_else(|| Error::arg("latency_ms is too large"))?,
            sample_interval_ns: self
                .sample_interval_s
                .checked_mul(Ts::NANOS_PER_SEC)
                .ok_or_else(|| Error::arg("sample_interval_s is too large"))?,
            deposit: self.deposit.parse().map_err(|e| bad("deposit", &e))?,
            insurance_fund: self
                .insurance_fund
                .parse()
                .map_err(|e| bad("insurance_fund", &e))?,
            seed: self.seed,
            expand_bars: self.expand_bars,
            bar_path: cascade_run::bars::BarPathConfig {
                order: self.bar_order.parse().map_err(|e| bad("bar_order", &e))?,
                ..Default::default()
            },
            crowd: cascade_run::crowd_from_args(self.crowd.as_deref(), self.crowd_book.as_deref())?,
            from: self
                .from_
                .as_deref()
                .map(|t| time(t, "from_"))
                .transpose()?,
            to: self.to.as_deref().map(|t| time(t, "to")).transpose()?,
            funding_default: self
                .funding_default
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e| bad("funding_default", &e))?,
            mark_default: self
                .mark_default
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e| bad("mark_default", &e))?,
            ..RunConfig::default()
        })
    }
}

fn output_columns(data: &cascade_run::RunData, keep: impl Fn(&Output) -> bool) -> Columns {
    let mut c = Columns::default();
    for o in data.outputs.iter().filter(|o| keep(&o.output)) {
        c.row();
        c.ts("ts_ns", o.ts);
        let (kind, fields) = flatten(&o.output);
        c.text("kind", kind);
        c.cells(&fields);
    }
    c
}

/// `backtest run`: one strategy over event logs. Returns a dict: `final_hash`, `records`,
/// `manifest` (the manifest's JSON text), `report_text`, and the report data as columns:
/// `equity`, `fills`, `liquidations`, `adl`, `outputs` (all of the strategy's), `market`.
#[pyfunction]
#[pyo3(signature = (logs, strategy, venue, params, params_file, out, options))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    logs: Vec<PathBuf>,
    strategy: String,
    venue: String,
    params: Option<&Bound<'py, PyDict>>,
    params_file: Option<PathBuf>,
    out: Option<PathBuf>,
    options: RunOptions,
) -> PyResult<Bound<'py, PyDict>> {
    let params = params_of(params, params_file)?;
    let venue = venue
        .parse()
        .map_err(|e| Error::arg(format!("venue {venue:?}: {e}")))?;
    let mut spec = RunSpec::new(logs, &strategy, params, venue);
    spec.config = options.config()?;
    let exec = ExecConfig {
        write_journal: options.journal,
        check_invariants: options.check_invariants,
        ..ExecConfig::default()
    };
    let outcome = py.allow_threads(|| {
        // A Python strategy's exception stops the run as a panic carrying its traceback
        // (`strategy.rs`); it arrives here as the run's error.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            cascade_run::run(&spec, &strategy::registry(), out.as_deref(), &exec)
        }))
        .map_err(|p| Error::Stopped(panic_text(p.as_ref())))?
        .map_err(Error::from)
    })?;
    let d = PyDict::new(py);
    d.set_item("final_hash", &outcome.manifest.journal.final_hash)?;
    d.set_item("records", outcome.manifest.journal.records)?;
    d.set_item(
        "manifest",
        serde_json::to_string(&outcome.manifest).map_err(|e| Error::arg(e.to_string()))?,
    )?;
    d.set_item("report_text", &outcome.report_text)?;
    d.set_item("crowd_text", &outcome.crowd_text)?;
    let data = &outcome.data;
    let mut eq = Columns::default();
    for s in &data.equity {
        eq.row();
        eq.ts("ts_ns", s.ts);
        eq.fixed("equity", s.equity.raw());
        eq.fixed("gross_exposure", s.gross_exposure.raw());
        eq.fixed("net_exposure", s.net_exposure.raw());
    }
    d.set_item("equity", eq.into_py(py)?)?;
    d.set_item(
        "fills",
        output_columns(data, |o| matches!(o, Output::Fill { .. })).into_py(py)?,
    )?;
    d.set_item(
        "liquidations",
        output_columns(data, |o| matches!(o, Output::Liquidation { .. })).into_py(py)?,
    )?;
    d.set_item(
        "adl",
        output_columns(data, |o| matches!(o, Output::Adl { .. })).into_py(py)?,
    )?;
    d.set_item("outputs", output_columns(data, |_| true).into_py(py)?)?;
    let mut m = Columns::default();
    for p in &data.market {
        m.row();
        m.ts("ts_ns", p.ts);
        m.int("instrument", i64::from(p.instrument.0));
        m.fixed_opt("last", p.last.map(|x| x.raw()));
        m.fixed_opt("mark", p.mark.map(|x| x.raw()));
        m.fixed_opt("open_interest", p.open_interest.map(|x| x.raw()));
        m.fixed_opt("funding_rate", p.funding_rate.map(|x| x.raw()));
        m.fixed("long_liquidated", p.long_liquidated.raw());
        m.fixed("short_liquidated", p.short_liquidated.raw());
    }
    d.set_item("market", m.into_py(py)?)?;
    Ok(d)
}

/// `backtest import`: data files (or folders of them) into one event log at `out`. Returns
/// the log's summary (as `backtest inspect` prints it) and each file's import line.
#[pyfunction]
#[pyo3(signature = (inputs, out, format=None, venue=None, symbol=None, bar_source=None, max_jump=None, allow_implausible=false, dedupe=false, threads=0))]
#[allow(clippy::too_many_arguments)]
fn import_files(
    py: Python<'_>,
    inputs: Vec<PathBuf>,
    out: PathBuf,
    format: Option<String>,
    venue: Option<String>,
    symbol: Option<String>,
    bar_source: Option<String>,
    max_jump: Option<f64>,
    allow_implausible: bool,
    dedupe: bool,
    threads: usize,
) -> PyResult<(String, Vec<String>)> {
    use cascade_import::{
        check_output, data_files, import_parts, parse_bar_source, Format, ImportOptions,
        InstrumentTable, LogInput, OutputInstruments,
    };
    let r = py.allow_threads(move || -> Result<(String, Vec<String>)> {
        let files = data_files(&inputs)?;
        let mut o = ImportOptions::default();
        if let Some(f) = &format {
            o.format = Some(
                f.parse::<Format>()
                    .map_err(|e| Error::arg(format!("format: {e}")))?,
            );
        }
        o.venue = venue;
        o.symbol = symbol;
        if let Some(b) = &bar_source {
            o.bar_source =
                Some(parse_bar_source(b).map_err(|e| Error::arg(format!("bar_source: {e}")))?);
        }
        if let Some(m) = max_jump {
            if !(m.is_finite() && m >= 1.0) {
                return Err(Error::arg(format!(
                    "max_jump: expected a factor of at least 1, found {m}"
                )));
            }
            o.quality.max_jump = m;
        }
        o.quality.allow_implausible = allow_implausible;
        o.quality.dedupe = dedupe;
        o.threads = threads;
        check_output(&out, &files)?;
        let dir = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let stem = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let log_inputs: Vec<LogInput> = files
            .iter()
            .map(|path| LogInput {
                path: path.clone(),
                options: o.clone(),
            })
            .collect();
        let mut table = InstrumentTable::infer();
        let parts = import_parts(
            &log_inputs,
            &mut table,
            None,
            &dir,
            &stem,
            |_, _| {},
            |_| {},
        )?;
        if parts.files().iter().all(|f| f.kept == 0) {
            return Err(Error::arg(format!(
                "no events in {} input file(s): nothing to write (header-only or empty files?)",
                files.len()
            )));
        }
        let lines: Vec<String> = parts.files().iter().map(|f| f.line()).collect();
        let mut source = format!(
            "backtest import of {} file(s): {}",
            files.len(),
            lines.join("; ")
        );
        for note in table.notes() {
            if !note.known {
                source.push_str(&format!("; WARNING: {}", note.text));
            }
        }
        check_output(&out, &files)?;
        parts.write(&out, OutputInstruments::AllSorted, source)?;
        let summary = cascade_journal::summarize(&out)?;
        Ok((summary.to_string(), lines))
    });
    Ok(r?)
}

/// `backtest inspect`: the log's summary text (streams and verifies the whole file).
#[pyfunction]
fn inspect(py: Python<'_>, log: PathBuf) -> PyResult<String> {
    let s = py
        .allow_threads(|| cascade_journal::summarize(&log))
        .map_err(Error::from)?;
    Ok(s.to_string())
}

/// A log's events as columns, one table per event kind: `{kind: [(name, dtype, data)]}`
/// with `ts_ns`, `instrument` and the body's fields (fixed-point ones as float, exact
/// string and raw `int64` 10⁻⁸ units). Also returns the instruments' symbols.
#[pyfunction]
fn events<'py>(py: Python<'py>, log: PathBuf) -> PyResult<(Bound<'py, PyDict>, Vec<String>)> {
    let (tables, symbols) = py.allow_threads(|| -> Result<_> {
        let mut reader = cascade_journal::Reader::open(&log)?;
        let symbols: Vec<String> = reader
            .header()
            .instruments
            .iter()
            .map(|s| s.symbol.clone())
            .collect();
        let mut tables: std::collections::BTreeMap<String, Columns> = Default::default();
        let mut block = Vec::new();
        while reader.next_block(&mut block)? {
            for e in &block {
                let (kind, fields) = flatten(&e.body);
                let t = tables.entry(kind).or_default();
                t.row();
                t.ts("ts_ns", e.ts);
                t.int("instrument", i64::from(e.instrument.0));
                t.cells(&fields);
            }
        }
        Ok((tables, symbols))
    })?;
    let d = PyDict::new(py);
    for (kind, cols) in tables {
        d.set_item(kind, cols.into_py(py)?)?;
    }
    Ok((d, symbols))
}

/// `backtest fetch`: archive files into the cache, by scenario (`scenario`, with the
/// catalogue in `scenario_dir`) or by selection (`symbols`, `types`, `from_`, `to`).
/// Returns `(urls, summary text)`; with `dry_run` nothing is downloaded and the summary is
/// empty. Raises when a file could not be fetched.
#[pyfunction]
#[pyo3(signature = (scenario, with_trades, scenario_dir, symbols, types, interval, from_, to, market, cache, mirror, threads, dry_run))]
#[allow(clippy::too_many_arguments)]
fn fetch(
    py: Python<'_>,
    scenario: Option<String>,
    with_trades: bool,
    scenario_dir: PathBuf,
    symbols: Vec<String>,
    types: Vec<String>,
    interval: String,
    from_: Option<String>,
    to: Option<String>,
    market: String,
    cache: Option<PathBuf>,
    mirror: Option<String>,
    threads: usize,
    dry_run: bool,
) -> PyResult<(Vec<String>, String)> {
    use cascade_fetch::{
        cache as cache_dir, scenario_files, scenarios_named, ArchiveFile, DataType, Day, Fetcher,
        Market, Selection,
    };
    let r = py.allow_threads(move || -> Result<(Vec<String>, String)> {
        let mut files: Vec<ArchiveFile> = if let Some(id) = &scenario {
            let catalogue = cascade_scenario::load_dir(&scenario_dir)?;
            scenarios_named(&catalogue, id)?
                .into_iter()
                .flat_map(|s| scenario_files(s, with_trades).files)
                .collect()
        } else {
            if symbols.is_empty() {
                return Err(Error::arg("name scenario, or symbols with from_ (and to)"));
            }
            let from = from_.ok_or_else(|| Error::arg("from_ is needed with symbols"))?;
            let from = Day::parse(&from, "from_")?;
            let to = match &to {
                Some(t) => Day::parse(t, "to")?,
                None => from,
            };
            Selection {
                market: Market::parse(&market)?,
                symbols,
                types: types
                    .iter()
                    .map(|t| DataType::parse(t))
                    .collect::<std::result::Result<_, _>>()?,
                interval,
                from,
                to,
            }
            .files()?
        };
        files.sort();
        files.dedup();
        let env = |k: &str| std::env::var_os(k);
        let mirror = cache_dir::mirror(mirror, env);
        let dir = cache_dir::cache_dir(cache, env).ok_or_else(|| {
            Error::arg("no cache directory: pass cache or set CASCADE_DATA_DIR (HOME is not set)")
        })?;
        let fetcher = Fetcher::new(&mirror, &dir).threads(threads);
        let urls = files.iter().map(|f| fetcher.url(&f.path())).collect();
        if dry_run {
            return Ok((urls, String::new()));
        }
        let summary = fetcher.fetch(&files, &cascade_fetch::Quiet);
        let failures = summary.failures();
        if !failures.is_empty() {
            let list: Vec<String> = failures.iter().map(|(_, e)| e.to_string()).collect();
            return Err(Error::Fetched(format!(
                "{} file(s) could not be fetched: {}",
                list.len(),
                list.join("; ")
            )));
        }
        Ok((urls, summary.to_string()))
    });
    Ok(r?)
}

/// `backtest sweep FILE --out DIR [--shard i/n]`: runs the shard's jobs and writes its
/// results file into `out`; returns the results file's text (the bytes the CLI writes).
#[pyfunction]
#[pyo3(signature = (file, out, shard_index=0, shard_count=1, threads=None))]
fn sweep(
    py: Python<'_>,
    file: PathBuf,
    out: PathBuf,
    shard_index: u32,
    shard_count: u32,
    threads: Option<usize>,
) -> PyResult<String> {
    let r = py.allow_threads(move || -> Result<String> {
        let sweep = Sweep::from_file(&file)?;
        let shard = Shard::parse(&format!("{shard_index}/{shard_count}"))?;
        let results = cascade_run::sweep(
            &sweep,
            shard,
            threads_or_all(threads),
            &out,
            &strategy::registry(),
            &ExecConfig::default(),
            None,
        )?;
        Ok(results.to_json())
    });
    Ok(r?)
}

/// `backtest merge`: the shards' results files combined in the sweep's job order; returns
/// the merged text (the bytes `backtest merge --out` writes) and writes it to `out` if given.
#[pyfunction]
#[pyo3(signature = (files, out=None))]
fn merge(files: Vec<PathBuf>, out: Option<PathBuf>) -> PyResult<String> {
    let merged = cascade_run::merge_results(&files).map_err(Error::from)?;
    let text = merged.to_json();
    if let Some(out) = out {
        let dir = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = out
            .file_name()
            .ok_or_else(|| Error::arg("out must name a file"))?
            .to_string_lossy()
            .into_owned();
        cascade_run::files::write_atomic(&dir, &name, text.as_bytes()).map_err(Error::from)?;
    }
    Ok(text)
}

/// Writes a sweep file (the TOML `backtest sweep` reads) from its parts: the strategy, the
/// venue, fixed `params`, the `grid` (each key a list of values), `config` and the
/// scenarios (name → logs). Checks it by reading it back; returns the number of jobs.
#[pyfunction]
#[pyo3(signature = (path, strategy, venue, grid, scenarios, params=None, config=None, journal=true))]
#[allow(clippy::too_many_arguments)]
fn write_sweep_file(
    path: PathBuf,
    strategy: String,
    venue: String,
    grid: &Bound<'_, PyDict>,
    scenarios: Vec<(String, Vec<String>)>,
    params: Option<&Bound<'_, PyDict>>,
    config: Option<&Bound<'_, PyDict>>,
    journal: bool,
) -> PyResult<u64> {
    let mut doc = toml::Table::new();
    doc.insert("strategy".into(), toml::Value::String(strategy));
    doc.insert("venue".into(), toml::Value::String(venue));
    doc.insert("journal".into(), toml::Value::Boolean(journal));
    doc.insert("params".into(), toml::Value::Table(toml_table(params)?));
    doc.insert("grid".into(), toml::Value::Table(toml_table(Some(grid))?));
    if config.is_some() {
        doc.insert("config".into(), toml::Value::Table(toml_table(config)?));
    }
    let list = scenarios
        .into_iter()
        .map(|(name, logs)| {
            let mut t = toml::Table::new();
            t.insert("name".into(), toml::Value::String(name));
            t.insert(
                "logs".into(),
                toml::Value::Array(logs.into_iter().map(toml::Value::String).collect()),
            );
            toml::Value::Table(t)
        })
        .collect();
    doc.insert("scenario".into(), toml::Value::Array(list));
    let text = toml::to_string(&doc).map_err(|e| Error::arg(e.to_string()))?;
    std::fs::write(&path, text)
        .map_err(|e| Error::arg(format!("{}: writing the sweep file: {e}", path.display())))?;
    Ok(Sweep::from_file(&path).map_err(Error::from)?.total_jobs())
}

fn toml_table(d: Option<&Bound<'_, PyDict>>) -> Result<toml::Table> {
    let mut t = toml::Table::new();
    let Some(d) = d else { return Ok(t) };
    for (k, v) in d.iter() {
        let key: String = k
            .extract()
            .map_err(|_| Error::arg("keys must be strings"))?;
        t.insert(key, toml_value(&v)?);
    }
    Ok(t)
}

fn toml_value(v: &Bound<'_, PyAny>) -> Result<toml::Value> {
    if let Ok(b) = v.downcast::<pyo3::types::PyBool>() {
        return Ok(toml::Value::Boolean(b.is_true()));
    }
    if let Ok(i) = v.extract::<i64>() {
        return Ok(toml::Value::Integer(i));
    }
    if let Ok(x) = v.downcast::<pyo3::types::PyFloat>() {
        return Ok(toml::Value::Float(x.value()));
    }
    if let Ok(s) = v.downcast::<pyo3::types::PyString>() {
        return Ok(toml::Value::String(s.to_string()));
    }
    if let Ok(l) = v.downcast::<PyList>() {
        return l
            .iter()
            .map(|x| toml_value(&x))
            .collect::<Result<Vec<_>>>()
            .map(toml::Value::Array);
    }
    if let Ok(l) = v.downcast::<pyo3::types::PyTuple>() {
        return l
            .iter()
            .map(|x| toml_value(&x))
            .collect::<Result<Vec<_>>>()
            .map(toml::Value::Array);
    }
    // decimal.Decimal and the like: their exact text.
    Ok(toml::Value::String(
        v.str().map_err(|e| Error::arg(e.to_string()))?.to_string(),
    ))
}

/// The extension module.
#[pymodule]
fn _cascade(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("CascadeError", m.py().get_type::<CascadeError>())?;
    m.add("ENGINE_VERSION", cascade_run::ENGINE_VERSION)?;
    m.add_class::<ctx::PyCtx>()?;
    m.add_class::<event::PyEvent>()?;
    m.add_function(wrap_pyfunction!(score, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(import_files, m)?)?;
    m.add_function(wrap_pyfunction!(inspect, m)?)?;
    m.add_function(wrap_pyfunction!(events, m)?)?;
    m.add_function(wrap_pyfunction!(fetch, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(write_sweep_file, m)?)?;
    m.add_function(wrap_pyfunction!(strategy::register_strategy, m)?)?;
    m.add_function(wrap_pyfunction!(strategy::unregister_strategy, m)?)?;
    m.add_function(wrap_pyfunction!(strategy::strategy_names, m)?)?;
    Ok(())
}
