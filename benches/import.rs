//! Import throughput: CSV files → event log through the one import path
//! (`import_parts` → `Parts::write`, what `backtest import` runs), serial against parallel.
//!
//! ```text
//! cargo bench -p cascade-benches --bench import
//! CASCADE_BENCH_ROWS=1000000 CASCADE_BENCH_RUNS=5 cargo bench -p cascade-benches --bench import
//! ```
//!
//! Workload (generated into a temporary directory, `TMPDIR` chooses where, removed at the
//! end; nothing is downloaded): `CASCADE_BENCH_ROWS` rows (default 10 000 000) of
//! - a **Tardis trades** CSV (`exchange,symbol,timestamp,local_timestamp,id,side,price,amount`,
//!   one symbol, about 89 bytes a row), and
//! - a **Binance aggTrades** CSV with its header (`agg_trade_id,price,quantity,first_trade_id,
//!   last_trade_id,transact_time,is_buyer_maker`, about 68 bytes a row),
//!
//! both a seeded xorshift random walk (prices with 1 decimal, quantities with 3, 0–300 µs or
//! 0–1 ms gaps). Each file is imported `CASCADE_BENCH_RUNS` times (default 3) with
//! `threads = 1` and with the default (one parse thread per core), the two interleaved run by
//! run so that both see the same machine load; the file is in the page cache. Every output
//! log is hashed (xxh3 of its bytes): the serial and parallel logs must be byte for byte the
//! same, or the bench fails.
//!
//! Reported per file and thread count: rows/s and CSV MB/s of the best and median run, the
//! hdrhistogram of the run times, and the peak resident memory of a run (`VmHWM`, reset
//! before it). On a shared machine wall-clock figures include time other processes took; the
//! results file gives the load (`uptime`) with each run.
//!
//! Target (issue 14): at least 5M rows/s on 10M rows of each format on the 2-core machine.

use cascade_benches::{
    best, machine_description, median, mem_opt, ns_histogram, percentiles_us, with_peak_rss,
    PhaseMemory, Stopwatch, Throughput,
};
use cascade_import::{import_parts, ImportOptions, InstrumentTable, LogInput, OutputInstruments};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::Xxh3Default;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// xorshift64*: the generator's only source of variation.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// Writes the Tardis trades file of `rows` rows.
fn tardis_trades(dir: &Path, rows: u64) -> BenchResult<PathBuf> {
    let path = dir.join("binance-futures_trades_2025-10-10_BTCUSDT.csv");
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    writeln!(
        w,
        "exchange,symbol,timestamp,local_timestamp,id,side,price,amount"
    )?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut us: u64 = 1_760_131_200_000_000;
    let mut tenths: i64 = 11_000_000; // 1 100 000.0
    for i in 0..rows {
        let r = rng.next();
        us += r % 300;
        tenths += (r >> 16) as i64 % 11 - 5;
        let side = if r >> 40 & 1 == 0 { "buy" } else { "sell" };
        let qty = 1 + (r >> 20) % 2999;
        writeln!(
            w,
            "binance-futures,BTCUSDT,{us},{},{},{side},{}.{},{}.{:03}",
            us + 1500,
            6_000_000_000 + i,
            tenths / 10,
            tenths % 10,
            qty / 1000,
            qty % 1000
        )?;
    }
    w.flush()?;
    Ok(path)
}

/// Writes the Binance aggTrades file of `rows` rows.
fn binance_agg_trades(dir: &Path, rows: u64) -> BenchResult<PathBuf> {
    let path = dir.join("BTCUSDT-aggTrades-2025-10-10.csv");
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    writeln!(
        w,
        "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker"
    )?;
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let mut ms: u64 = 1_760_131_200_000;
    let mut tenths: i64 = 11_000_000;
    for i in 0..rows {
        let r = rng.next();
        ms += r % 2;
        tenths += (r >> 16) as i64 % 11 - 5;
        let maker = if r >> 40 & 1 == 0 { "true" } else { "false" };
        let qty = 1 + (r >> 20) % 2999;
        writeln!(
            w,
            "{},{}.{},{}.{:03},{},{},{ms},{maker}",
            2_800_000_000 + i,
            tenths / 10,
            tenths % 10,
            qty / 1000,
            qty % 1000,
            6_000_000_000 + 2 * i,
            6_000_000_001 + 2 * i
        )?;
    }
    w.flush()?;
    Ok(path)
}

/// One import of `path` into `out` with `threads` parse threads: the time and the log's hash.
fn import_once(path: &Path, out: &Path, threads: usize) -> BenchResult<(Throughput, u64)> {
    let input = LogInput {
        path: path.to_path_buf(),
        options: ImportOptions {
            threads,
            ..ImportOptions::default()
        },
    };
    let dir = out.parent().ok_or("no parent")?;
    let bytes = std::fs::metadata(path)?.len();
    let clock = Stopwatch::start();
    let mut table = InstrumentTable::infer();
    let parts = import_parts(
        &[input],
        &mut table,
        None,
        dir,
        "bench.clog",
        |_, _| {},
        |_| {},
    )?;
    let rows = parts.files()[0].stats.rows;
    parts.write(out, OutputInstruments::AllSorted, "bench".to_string())?;
    let elapsed = clock.elapsed();
    // Hashed in pieces, so the check does not count in the run's peak memory.
    let mut hasher = Xxh3Default::new();
    let mut file = std::fs::File::open(out)?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    let hash = hasher.digest();
    Ok((
        Throughput {
            events: rows,
            bytes,
            elapsed,
        },
        hash,
    ))
}

struct Side {
    label: &'static str,
    threads: usize,
    runs: Vec<Throughput>,
    peak: Option<PhaseMemory>,
    hash: Option<u64>,
}

fn bench_file(name: &str, path: &Path, runs: usize) -> BenchResult<()> {
    let out = path.with_extension("clog");
    let mut sides = [
        Side {
            label: "threads 1 (serial)",
            threads: 1,
            runs: Vec::new(),
            peak: None,
            hash: None,
        },
        Side {
            label: "threads default",
            threads: 0,
            runs: Vec::new(),
            peak: None,
            hash: None,
        },
    ];
    for _ in 0..runs {
        for side in &mut sides {
            let (result, mem) = with_peak_rss(|| import_once(path, &out, side.threads));
            let (t, hash) = result?;
            if side.hash.is_some_and(|h| h != hash) {
                return Err(format!("{name}: {} gave different log bytes", side.label).into());
            }
            side.hash = Some(hash);
            side.runs.push(t);
            side.peak = match (side.peak, mem) {
                (Some(a), Some(b)) if a.peak_kib >= b.peak_kib => Some(a),
                (_, m) => m,
            };
        }
    }
    if sides[0].hash != sides[1].hash {
        return Err(format!("{name}: serial and parallel logs differ").into());
    }
    println!(
        "\n== {name}: {} rows, {} bytes of CSV; log xxh3 {:#018x} (serial = parallel)",
        sides[0].runs[0].events,
        sides[0].runs[0].bytes,
        sides[0].hash.unwrap_or(0)
    );
    for side in &sides {
        let mut hist = ns_histogram();
        for t in &side.runs {
            let ns = u64::try_from(t.elapsed.as_nanos()).unwrap_or(u64::MAX);
            hist.record(ns.max(1))?;
        }
        let (b, m) = (best(&side.runs), median(&side.runs));
        if let (Some(b), Some(m)) = (b, m) {
            println!(
                "{:<20} best {:>6.2} M rows/s {:>7.1} MB/s ({:.3} s)   median {:>6.2} M rows/s ({:.3} s)   peak RSS {}",
                side.label,
                b.events_per_s() / 1e6,
                b.mb_per_s(),
                b.elapsed.as_secs_f64(),
                m.events_per_s() / 1e6,
                m.elapsed.as_secs_f64(),
                mem_opt(side.peak)
            );
        }
        println!("{:<20} run times: {}", "", percentiles_us(&hist));
    }
    std::fs::remove_file(&out)?;
    Ok(())
}

fn main() -> BenchResult<()> {
    let rows = env_u64("CASCADE_BENCH_ROWS", 10_000_000);
    let runs = env_u64("CASCADE_BENCH_RUNS", 3).max(1) as usize;
    println!("import: {}", machine_description());
    println!("rows per file {rows}; runs per side {runs}, serial and parallel interleaved; times are wall clock, files in page cache");
    let dir = tempfile::tempdir()?;
    let tardis = tardis_trades(dir.path(), rows)?;
    bench_file("Tardis trades", &tardis, runs)?;
    std::fs::remove_file(&tardis)?;
    let agg = binance_agg_trades(dir.path(), rows)?;
    bench_file("Binance aggTrades", &agg, runs)?;
    Ok(())
}
