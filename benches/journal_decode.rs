//! Decode throughput and memory of the event-log reader.
//!
//! ```text
//! cargo bench -p cascade-benches --bench journal_decode
//! CASCADE_BENCH_BIG=1 cargo bench -p cascade-benches --bench journal_decode   # + 100M events
//! ```
//!
//! Workload: 10 million trade events (one instrument, a seeded random walk; 44 bytes each
//! encoded, about 440 MB) are written to a temporary log, which is then read back
//! `CASCADE_BENCH_RUNS` times (default 3) each way, from the page cache:
//!
//! - **write** (for reference): generating the events and writing the log;
//! - **raw floor**: the same file's bytes in the same block-sized reads (frame, then payload
//!   into a reused buffer), with no checksum and no decoding: what any reader pays for IO;
//! - **raw + checksum**: the floor plus xxh3 over every payload (what verification adds);
//! - **batch API**: `Reader::next_block` into a reused `Vec<Event>`; per-block times go to an
//!   hdrhistogram;
//! - **iterator API**: `for event in reader`.
//!
//! Every decoding pass folds the events into a value compared with the generator's, so the
//! decoding cannot be optimised away and all passes provably read the same events. For each
//! pass the peak resident memory (`VmHWM`, reset before the pass) is reported. With
//! `CASCADE_BENCH_BIG=1` the 10M log is deleted and a 100M-event log (about 4.4 GB) is written
//! and read once each way, to show that peak memory does not grow with the file. Temporary
//! files live in a temp directory removed at the end (`TMPDIR` chooses where).
//!
//! `CASCADE_BENCH_EVENTS` changes the event count of the first file (default 10 000 000).
//!
//! On a shared machine the wall-clock figures include time other processes took; the
//! "median block" line (events per block ÷ median `next_block` time) is the figure that is
//! least disturbed by them.
//!
//! Target: at least 40M events/s through the batch API on the 2-core CI machine.

use cascade_benches::{
    best, machine_description, median, mem_opt, ns_histogram, percentiles_us, with_peak_rss,
    PhaseMemory, Stopwatch, Throughput,
};
use cascade_journal::{format, Reader, Writer};
use cascade_types::{
    Event, EventBody, InstrumentId, InstrumentKind, InstrumentSpec, Price, Qty, Side, Trade, Ts,
};
use hdrhistogram::Histogram;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use xxhash_rust::xxh3::xxh3_64;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

/// A deterministic stream of `n` trades: xorshift64* drives a price random walk, quantities,
/// sides and 0–3 ms gaps (so many timestamps repeat).
fn trades(n: u64) -> impl Iterator<Item = Event> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut ts = Ts::from_millis(1_760_131_200_000)
        .unwrap_or(Ts::ZERO)
        .nanos();
    let mut price = 6_000_000_000_000i64; // 60 000.00000000
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

/// Folds an event into a running check value (order-sensitive).
#[inline]
fn fold(acc: u64, e: &Event) -> u64 {
    let body = match e.body {
        EventBody::Trade(t) => t.trade_id ^ t.price.raw() as u64,
        _ => 0,
    };
    acc.rotate_left(5) ^ body ^ e.ts.nanos() as u64
}

fn write_log(path: &Path, n: u64) -> BenchResult<(Throughput, u64)> {
    let spec = InstrumentSpec::new(
        "binance-um",
        "BTCUSDT",
        InstrumentKind::LinearPerp,
        "BTC",
        "USDT",
    );
    let watch = Stopwatch::start();
    let mut w = Writer::create(
        path,
        vec![spec],
        format!("journal_decode bench: {n} synthetic trades"),
    )?;
    for e in trades(n) {
        w.write(&e)?;
    }
    let s = w.finish()?;
    Ok((
        Throughput {
            events: n,
            bytes: s.file_bytes,
            elapsed: watch.elapsed(),
        },
        s.block_count,
    ))
}

/// Reads the block region in the writer's frames without decoding; optionally hashes.
fn raw_pass(path: &Path, blocks: u64, checksum: bool) -> BenchResult<(Throughput, u64)> {
    let watch = Stopwatch::start();
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(format::PREAMBLE_LEN))?;
    let mut buf = vec![0u8; format::BLOCK_TARGET_BYTES * 2];
    let (mut bytes, mut events, mut acc) = (0u64, 0u64, 0u64);
    for _ in 0..blocks {
        let mut frame = [0u8; format::BLOCK_HEADER_LEN];
        f.read_exact(&mut frame)?;
        let len = u32::from_le_bytes([frame[0], frame[1], frame[2], frame[3]]) as usize;
        events += u32::from_le_bytes([frame[4], frame[5], frame[6], frame[7]]) as u64;
        if buf.len() < len {
            buf.resize(len, 0);
        }
        f.read_exact(&mut buf[..len])?;
        acc ^= if checksum {
            xxh3_64(&buf[..len])
        } else {
            buf[len - 1] as u64
        };
        bytes += (format::BLOCK_HEADER_LEN + len) as u64;
    }
    Ok((
        Throughput {
            events,
            bytes,
            elapsed: watch.elapsed(),
        },
        acc,
    ))
}

fn batch_pass(path: &Path, hist: &mut Histogram<u64>) -> BenchResult<(Throughput, u64)> {
    let watch = Stopwatch::start();
    let mut r = Reader::open(path)?;
    let bytes = r.file_bytes();
    let mut block = Vec::new();
    let (mut events, mut acc) = (0u64, 0u64);
    loop {
        let one = Stopwatch::start();
        if !r.next_block(&mut block)? {
            break;
        }
        hist.saturating_record(one.elapsed_ns());
        events += block.len() as u64;
        for e in &block {
            acc = fold(acc, e);
        }
    }
    Ok((
        Throughput {
            events,
            bytes,
            elapsed: watch.elapsed(),
        },
        acc,
    ))
}

fn iter_pass(path: &Path) -> BenchResult<(Throughput, u64)> {
    let watch = Stopwatch::start();
    let r = Reader::open(path)?;
    let bytes = r.file_bytes();
    let (mut events, mut acc) = (0u64, 0u64);
    for e in r {
        acc = fold(acc, &e?);
        events += 1;
    }
    Ok((
        Throughput {
            events,
            bytes,
            elapsed: watch.elapsed(),
        },
        acc,
    ))
}

struct Size {
    events: u64,
    runs: usize,
}

/// One file size: write, then each pass `runs` times. Returns the peak memory of the
/// batch and iterator passes.
fn bench_size(
    dir: &Path,
    size: &Size,
    hist: &mut Histogram<u64>,
) -> BenchResult<(Option<PhaseMemory>, Option<PhaseMemory>)> {
    let path = dir.join(format!("trades-{}.clog", size.events));
    println!("\n== {} events", size.events);
    let ((write, blocks), write_peak) = {
        let (r, peak) = with_peak_rss(|| write_log(&path, size.events));
        (r?, peak)
    };
    println!("write            {write}   RSS {}", mem_opt(write_peak));
    println!("file             {} bytes, {blocks} blocks", write.bytes);

    let expected: u64 = trades(size.events).fold(0, |a, e| fold(a, &e));
    let report = |name: &str, runs: Vec<Throughput>, peak: Option<PhaseMemory>| {
        if let (Some(b), Some(m)) = (best(&runs), median(&runs)) {
            println!("{name:<16} best {b}");
            println!("{:<16} med  {m}   RSS {}", "", mem_opt(peak));
        }
    };

    for (name, checksum) in [("raw floor", false), ("raw + checksum", true)] {
        let mut runs = Vec::new();
        let mut peak = None;
        for _ in 0..size.runs {
            let (r, p) = with_peak_rss(|| raw_pass(&path, blocks, checksum));
            runs.push(r?.0);
            peak = max_mem(peak, p);
        }
        report(name, runs, peak);
    }

    hist.reset();
    let mut runs = Vec::new();
    let mut batch_peak = None;
    for _ in 0..size.runs {
        let (r, p) = with_peak_rss(|| batch_pass(&path, hist));
        let (t, acc) = r?;
        assert_eq!(
            (t.events, acc),
            (size.events, expected),
            "batch pass read different events"
        );
        runs.push(t);
        batch_peak = max_mem(batch_peak, p);
    }
    report("batch API", runs, batch_peak);
    println!("{:<16} per-block next_block: {}", "", percentiles_us(hist));
    // The median block is the figure least disturbed by other processes on a shared machine.
    let p50_ns = hist.value_at_quantile(0.5).max(1) as f64;
    println!(
        "{:<16} median block: {:.2} M events/s",
        "",
        size.events as f64 / blocks as f64 / p50_ns * 1e3
    );

    let mut runs = Vec::new();
    let mut iter_peak = None;
    for _ in 0..size.runs {
        let (r, p) = with_peak_rss(|| iter_pass(&path));
        let (t, acc) = r?;
        assert_eq!(
            (t.events, acc),
            (size.events, expected),
            "iterator pass read different events"
        );
        runs.push(t);
        iter_peak = max_mem(iter_peak, p);
    }
    report("iterator API", runs, iter_peak);
    std::fs::remove_file(&path)?;
    Ok((batch_peak, iter_peak))
}

/// The phase that grew resident memory most.
fn max_mem(a: Option<PhaseMemory>, b: Option<PhaseMemory>) -> Option<PhaseMemory> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if y.growth_kib() > x.growth_kib() {
            y
        } else {
            x
        }),
        (x, y) => x.or(y),
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> BenchResult<()> {
    // `cargo bench` passes `--bench`; a filter argument would mean nothing here.
    let runs = env_u64("CASCADE_BENCH_RUNS", 3).max(1) as usize;
    let big = std::env::var("CASCADE_BENCH_BIG").is_ok_and(|v| v == "1");
    println!("journal_decode: {}", machine_description());
    println!(
        "block target {} bytes; runs per pass {runs}; times are wall clock, file in page cache",
        format::BLOCK_TARGET_BYTES
    );
    let dir = tempfile::tempdir()?;
    // One histogram for the whole process, reset per size, so that the resident baseline
    // does not move between the 10M and 100M runs.
    let mut hist = ns_histogram();
    let small = bench_size(
        dir.path(),
        &Size {
            events: env_u64("CASCADE_BENCH_EVENTS", 10_000_000),
            runs,
        },
        &mut hist,
    )?;
    if big {
        let large = bench_size(
            dir.path(),
            &Size {
                events: 100_000_000,
                runs: 1,
            },
            &mut hist,
        )?;
        println!("\n== peak memory, 10x the file");
        println!(
            "batch API        {} -> {}",
            mem_opt(small.0),
            mem_opt(large.0)
        );
        println!(
            "iterator API     {} -> {}",
            mem_opt(small.1),
            mem_opt(large.1)
        );
    } else {
        println!("\n(set CASCADE_BENCH_BIG=1 to also run 100M events, a ~4.4 GB file, and compare peak memory)");
    }
    Ok(())
}
