//! Throughput and memory of the whole run pipeline, from an event-log file.
//!
//! ```text
//! CARGO_TARGET_DIR=/work/targets/engine cargo bench -p cascade-run --bench pipeline
//! CASCADE_BENCH_EVENTS=20000000 cargo bench -p cascade-run --bench pipeline   # other size
//! ```
//!
//! Workload: 10 million trade events (one BTCUSDT perpetual, a seeded random walk, 0–3 ms
//! apart, 44 bytes each encoded — the same generator as the journal's `journal_decode`
//! bench) are written to a temporary log. Then each configuration runs the **full pipeline**
//! `CASCADE_BENCH_RUNS` times (default 3) through `cascade_run::run`: the decoder thread
//! (journal reader: checksums, decoding, order checks), the engine loop (market view,
//! exchange model on the `binance-usdm` preset, strategy callbacks, latency scheduling,
//! equity samples), and on the engine's thread the record sink (every record encoded and
//! chained into the rolling hash, the journal's records written, report data gathered):
//!
//! - `noop, hash only`: the no-op strategy; the journal is encoded and hashed, not written;
//! - `noise/1000, hash only`: a strategy that places a market order every 1,000 events;
//! - `noise/1000 reading, hash only`: the same, reading its account (equity, position) on
//!   every event, as a strategy that sizes or stops on its account does: the engine then
//!   copies the account out of the exchange whenever the mark has moved while a position is
//!   open (half of the time here);
//! - `noop, journal file`: as the first, with the run journal written to a temporary run
//!   directory (journal + reports + manifest), as `backtest run` does.
//!
//! Then **the user's path, journal against `--no-journal`** (`CASCADE_BENCH_ONLY=user`): for
//! `noise/1000`, `noise/10` (an order every 10 events: 1M orders, the memory-flat-in-orders
//! workload) and `buy-and-hold` (`mode=perp leverage=2`), a run into a run directory as
//! `backtest run` does (journal, reports, manifest) and the same run with
//! `ExecConfig::write_journal = false` (`backtest run --no-journal`: the records are only
//! hashed), **interleaved** (journal, no journal, journal, …) so that both see the same
//! machine load. Each pair of lines gives both throughputs, the ratio of the medians, and the
//! journal's size as a percentage of the input log's.
//!
//! Each line gives the best and median wall-clock throughput (bytes are the log's) and the
//! peak resident memory (`VmHWM`, reset before each run, through the `cascade-benches`
//! helpers). Peak memory is then compared with a run over half the
//! events: it must not grow with the input length.
//!
//! `CASCADE_BENCH_BAR_WINDOW_S` sets the bar stager's look-ahead window (default: the
//! engine's, one hour): the log has no bars, so results do not depend on it, but the stager
//! holds a window's worth of events (about 2.4M here, ≈ 400 MiB) and its cost dominates.
//!
//! `CASCADE_BENCH_BATCH` and `CASCADE_BENCH_CAPACITY` override the pipeline's batch size and
//! channel capacity (defaults: `PipelineConfig::default()`).
//!
//! `CASCADE_BENCH_ONLY=noop` (or `noise`, `journal`) runs only the lines whose name contains
//! it, e.g. under `perf record`.
//!
//! Targets: ≥ 25M events/s with the no-op strategy, ≥ 20M events/s trading every 1,000
//! events. On a shared 2-core machine the figures include other processes' time.

use cascade_benches::{
    best, machine_description, median, mem_opt, with_peak_rss, PhaseMemory, Stopwatch, Throughput,
};
use cascade_journal::Writer;
use cascade_run::{run, ExecConfig, RunConfig, RunSpec};
use cascade_strategy::{Ctx, Noise, ParamError, Params, Registry, Strategy};
use cascade_types::{
    Event, EventBody, InstrumentId, InstrumentKind, InstrumentSpec, Money, Price, Qty, Side, Trade,
    Ts,
};
use std::path::{Path, PathBuf};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

/// [`Noise`], reading its account on every event (bench-only: `noise-reader`).
struct NoiseReader {
    noise: Box<dyn Strategy>,
    seen: i64,
}

impl NoiseReader {
    fn from_params(p: &Params) -> Result<Box<dyn Strategy>, ParamError> {
        Ok(Box::new(NoiseReader {
            noise: Noise::from_params(p)?,
            seen: 0,
        }))
    }
}

impl Strategy for NoiseReader {
    fn on_start(&mut self, ctx: &mut Ctx<'_>) -> Result<(), ParamError> {
        self.noise.on_start(ctx)
    }

    fn on_event(&mut self, event: &Event, ctx: &mut Ctx<'_>) {
        let a = ctx.account();
        self.seen = self
            .seen
            .wrapping_add(a.equity.raw())
            .wrapping_add(a.positions[0].qty.raw());
        std::hint::black_box(self.seen);
        self.noise.on_event(event, ctx);
    }
}

/// The built-ins, buy-and-hold and the bench's own strategy.
fn registry() -> Registry {
    let mut r = Registry::with_builtins();
    cascade_strategy_buy_and_hold::register(&mut r);
    r.register(
        "noise-reader",
        "noise, reading its account on every event",
        NoiseReader::from_params,
    );
    r
}

/// A deterministic stream of `n` trades (the `journal_decode` generator).
fn trades(n: u64) -> impl Iterator<Item = Event> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut ts = 1_760_131_200_000_000_000i64;
    let mut price = 6_000_000_000_000i64; // 60 000
    (0..n).map(move |i| {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        let r = state.wrapping_mul(0x2545_F491_4F6C_DD1D);
        ts += ((r >> 60) % 4) as i64 * 1_000_000;
        price += ((r >> 8) % 201) as i64 * 1_000_000 - 100_000_000;
        Event {
            ts: Ts(ts),
            instrument: InstrumentId(0),
            body: EventBody::Trade(Trade {
                price: Price::from_raw(price),
                qty: Qty::from_raw(((r >> 20) % 500_000 + 1) as i64 * 1_000),
                aggressor: if r & 1 == 0 { Side::Buy } else { Side::Sell },
                trade_id: 1_000_000_000 + i,
            }),
        }
    })
}

/// Writes the log; returns its size in bytes.
fn write_log(path: &Path, n: u64) -> BenchResult<u64> {
    let spec = InstrumentSpec::new(
        "binance-um",
        "BTCUSDT",
        InstrumentKind::LinearPerp,
        "BTC",
        "USDT",
    );
    let mut w = Writer::create(
        path,
        vec![spec],
        format!("pipeline bench: {n} synthetic trades"),
    )?;
    for e in trades(n) {
        w.write(&e)?;
    }
    Ok(w.finish()?.file_bytes)
}

/// One run of the full pipeline: its throughput (events of the log, bytes of the log), the
/// strategy's fills and the phase's peak memory.
fn one_run(
    spec: &RunSpec,
    out: Option<&Path>,
    bytes: u64,
) -> BenchResult<(Throughput, usize, Option<PhaseMemory>)> {
    one_run_with(spec, out, bytes, true)
}

/// [`one_run`], writing the run journal into `out` or not (`--no-journal`).
fn one_run_with(
    spec: &RunSpec,
    out: Option<&Path>,
    bytes: u64,
    write_journal: bool,
) -> BenchResult<(Throughput, usize, Option<PhaseMemory>)> {
    let mut exec = ExecConfig {
        write_journal,
        ..ExecConfig::default()
    };
    if let Some(b) = std::env::var("CASCADE_BENCH_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        exec.pipeline.batch_events = b;
    }
    if let Some(c) = std::env::var("CASCADE_BENCH_CAPACITY")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        exec.pipeline.channel_capacity = c;
    }
    let (r, mem) = with_peak_rss(|| {
        let watch = Stopwatch::start();
        run(spec, &registry(), out, &exec).map(|o| (o, watch.elapsed()))
    });
    let (o, elapsed) = r?;
    let t = Throughput {
        events: o.manifest.final_state.market_events,
        bytes,
        elapsed,
    };
    Ok((t, o.data.fills(), mem))
}

fn spec(log: PathBuf, strategy: &str, params: &[&str]) -> BenchResult<RunSpec> {
    let mut s = RunSpec::new(
        vec![log],
        strategy,
        Params::new().with_overrides(params.iter().copied())?,
        "binance-usdm".parse()?,
    );
    // The log holds trades alone: mark = last price and computed funding stand in
    // (`--mark-default last --funding-default computed`), as a user must say for such a log.
    s.config = RunConfig {
        deposit: Money::from_int(1_000_000),
        ..RunConfig::default()
    }
    .with_defaults();
    // The bar stager's look-ahead (default one hour): the log has no bars, so any window gives
    // the same results; a short one measures the pipeline without the stager's buffering.
    if let Some(w) = std::env::var("CASCADE_BENCH_BAR_WINDOW_S")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        s.config.bar_path.window_s = w;
    }
    Ok(s)
}

fn main() -> BenchResult<()> {
    let n: u64 = std::env::var("CASCADE_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let runs: usize = std::env::var("CASCADE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let only = std::env::var("CASCADE_BENCH_ONLY").unwrap_or_default();
    println!("pipeline: {}", machine_description());
    println!("{n} trade events; {runs} runs per line; wall clock, log in the page cache");
    let dir = tempfile::tempdir()?;
    let log = dir.path().join("trades.clog");
    let bytes = write_log(&log, n)?;
    let half = dir.path().join("half.clog");
    let half_bytes = write_log(&half, n / 2)?;

    let mut peaks = Vec::new();
    for (name, strategy, params, to_file) in [
        ("noop, hash only", "noop", &[][..], false),
        (
            "noise/1000, hash only",
            "noise",
            &["every=1000", "qty=0.001"][..],
            false,
        ),
        (
            "noise/1000 reading, hash only",
            "noise-reader",
            &["every=1000", "qty=0.001"][..],
            false,
        ),
        ("noop, journal file", "noop", &[][..], true),
    ] {
        if !name.contains(only.as_str()) {
            continue;
        }
        let s = spec(log.clone(), strategy, params)?;
        let out = dir.path().join("run");
        let mut ts = Vec::new();
        let mut fills = 0;
        let mut peak: Option<PhaseMemory> = None;
        for _ in 0..runs {
            let (t, f, m) = one_run(&s, to_file.then_some(out.as_path()), bytes)?;
            ts.push(t);
            fills = f;
            peak = match (peak, m) {
                (Some(a), Some(b)) if a.peak_kib >= b.peak_kib => Some(a),
                (_, b) => b.or(peak),
            };
        }
        let (b, m) = (best(&ts).expect("runs"), median(&ts).expect("runs"));
        println!("{name:<30} best {b}");
        println!(
            "{:<30} med  {m}   fills {fills}   RSS {}",
            "",
            mem_opt(peak)
        );
        let (_, _, half_mem) = one_run(
            &spec(half.clone(), strategy, params)?,
            to_file.then_some(out.as_path()),
            half_bytes,
        )?;
        peaks.push((name, half_mem, peak));
    }
    if !peaks.is_empty() {
        println!("peak memory, {} events -> {n} events:", n / 2);
        for (name, a, b) in peaks {
            println!("  {name:<30} {} -> {}", mem_opt(a), mem_opt(b));
        }
    }
    if only.is_empty() || only == "user" {
        user_path(&dir, &log, bytes, runs)?;
    }
    Ok(())
}

/// The user's path: `backtest run` with its journal against `--no-journal`, interleaved.
fn user_path(dir: &tempfile::TempDir, log: &Path, bytes: u64, runs: usize) -> BenchResult<()> {
    println!("user path: run into a run directory, journal vs --no-journal, interleaved");
    for (name, strategy, params) in [
        ("noise/1000", "noise", &["every=1000", "qty=0.001"][..]),
        // An order every 10 events: 1M orders on 10M events (memory flat in orders).
        ("noise/10", "noise", &["every=10", "qty=0.001"][..]),
        (
            "buy-and-hold",
            "buy-and-hold",
            &["mode=perp", "leverage=2"][..],
        ),
    ] {
        let s = spec(log.to_path_buf(), strategy, params)?;
        let out = dir.path().join("user-run");
        let (mut with, mut without) = (Vec::new(), Vec::new());
        let (mut mem_with, mut mem_without) = (None, None);
        let mut journal_bytes = 0;
        for _ in 0..runs {
            let (t, _, m) = one_run_with(&s, Some(&out), bytes, true)?;
            journal_bytes = std::fs::metadata(out.join(cascade_run::files::JOURNAL))?.len();
            with.push(t);
            mem_with = max_mem(mem_with, m);
            let (t, _, m) = one_run_with(&s, Some(&out), bytes, false)?;
            without.push(t);
            mem_without = max_mem(mem_without, m);
        }
        let (mw, mo) = (
            median(&with).expect("runs"),
            median(&without).expect("runs"),
        );
        let line = |label: &str, ts: &[Throughput], mem| {
            println!(
                "{:<30} best {}",
                format!("{name}, {label}"),
                best(ts).expect("runs")
            );
            println!(
                "{:<30} med  {}   RSS {}",
                "",
                median(ts).expect("runs"),
                mem_opt(mem)
            );
        };
        line("journal", &with, mem_with);
        line("--no-journal", &without, mem_without);
        println!(
            "{:<30} journal run takes {:.3}× the --no-journal run (medians); journal {} bytes = {:.3} % of the {} byte log",
            "",
            mw.elapsed.as_secs_f64() / mo.elapsed.as_secs_f64(),
            journal_bytes,
            journal_bytes as f64 * 100.0 / bytes as f64,
            bytes
        );
    }
    Ok(())
}

fn max_mem(a: Option<PhaseMemory>, b: Option<PhaseMemory>) -> Option<PhaseMemory> {
    match (a, b) {
        (Some(a), Some(b)) if a.peak_kib >= b.peak_kib => Some(a),
        (a, b) => b.or(a),
    }
}
