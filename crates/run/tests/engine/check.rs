//! Shared helpers: fixture logs built with the journal writer, runs, and text renderings.

use cascade_journal::Writer;
use cascade_run::run_journal::JournalReader;
use cascade_run::{run, ExecConfig, PipelineConfig, Record, RunOutcome, RunSpec};
use cascade_strategy::{Params, Registry};
use cascade_types::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// 2024-08-05T00:00:00Z: a date every venue preset covers.
pub const T0: i64 = 1_722_816_000_000_000_000;
pub const SEC: i64 = Ts::NANOS_PER_SEC;

pub fn btc() -> InstrumentSpec {
    let mut s = InstrumentSpec::new(
        "binance-um",
        "BTCUSDT",
        InstrumentKind::LinearPerp,
        "BTC",
        "USDT",
    );
    s.tick = "0.1".parse().unwrap();
    s.lot = "0.001".parse().unwrap();
    s
}

pub fn px(x: &str) -> Price {
    x.parse().unwrap()
}

pub fn qty(x: &str) -> Qty {
    x.parse().unwrap()
}

pub fn ev(ts: i64, body: EventBody) -> Event {
    Event {
        ts: Ts(ts),
        instrument: InstrumentId(0),
        body,
    }
}

pub fn trade(ts: i64, price: &str, q: &str, aggressor: Side, id: u64) -> Event {
    ev(
        ts,
        EventBody::Trade(Trade {
            price: px(price),
            qty: qty(q),
            aggressor,
            trade_id: id,
        }),
    )
}

pub fn top(ts: i64, bid: &str, ask: &str) -> Event {
    ev(
        ts,
        EventBody::BookTop(BookTop {
            bid_price: px(bid),
            bid_qty: qty("5"),
            ask_price: px(ask),
            ask_qty: qty("5"),
        }),
    )
}

pub fn mark(ts: i64, price: &str) -> Event {
    ev(ts, EventBody::MarkPrice(px(price)))
}

/// A deterministic BTC market of `n` events: a random walk of trades and book tops, marks
/// every 10 events, open interest every 100, a funding settlement every 8 hours of data and
/// recorded liquidations now and then. Events are 50 ms apart.
pub fn market(n: usize, seed: u64) -> Vec<Event> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut price: i64 = 60_000 * 10; // in ticks of 0.1
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let ts = T0 + k as i64 * 50_000_000;
        let r = rnd();
        price += (r % 7) as i64 - 3;
        let p = Price::from_raw(price * 10_000_000);
        let body = match k % 10 {
            0 => EventBody::MarkPrice(p),
            1 | 5 => EventBody::BookTop(BookTop {
                bid_price: Price::from_raw((price - 1) * 10_000_000),
                bid_qty: Qty::from_int(3),
                ask_price: p,
                ask_qty: Qty::from_int(3),
            }),
            7 if k % 100 == 7 => EventBody::OpenInterest(OpenInterest {
                qty: Qty::from_int(90_000 + (r % 1000) as i64),
                value: Money::ZERO,
            }),
            9 if k % 1000 == 9 => EventBody::Liquidation(Liquidation {
                side: Side::Sell,
                price: p,
                qty: Qty::from_int(1),
            }),
            _ => EventBody::Trade(Trade {
                price: p,
                qty: Qty::from_raw(((r >> 8) % 50 + 1) as i64 * 100_000),
                aggressor: if r % 2 == 0 { Side::Buy } else { Side::Sell },
                trade_id: k as u64,
            }),
        };
        out.push(Event {
            ts: Ts(ts),
            instrument: InstrumentId(0),
            body,
        });
    }
    out
}

/// Writes `events` (over the BTC instrument) to `dir/name`.
pub fn write_log(dir: &Path, name: &str, events: &[Event]) -> PathBuf {
    let path = dir.join(name);
    let mut w = Writer::create(&path, vec![btc()], format!("test fixture {name}")).unwrap();
    w.write_all(events).unwrap();
    w.finish().unwrap();
    path
}

/// The built-in strategies plus the test ones.
pub fn registry() -> Registry {
    let mut r = Registry::with_builtins();
    crate::strategies::register(&mut r);
    r
}

pub fn exec(batch: usize, capacity: usize) -> ExecConfig {
    ExecConfig {
        pipeline: PipelineConfig {
            batch_events: batch,
            channel_capacity: capacity,
        },
        check_invariants: true,
        ..ExecConfig::default()
    }
}

pub fn spec(inputs: Vec<PathBuf>, strategy: &str, params: &[&str]) -> RunSpec {
    let params = Params::new()
        .with_overrides(params.iter().copied())
        .unwrap();
    let mut s = RunSpec::new(inputs, strategy, params, "binance-usdm".parse().unwrap());
    // The synthetic logs hold trades only: name the stand-ins for mark and funding.
    s.config = s.config.with_defaults();
    s
}

pub fn run_into(spec: &RunSpec, out: &Path, exec: &ExecConfig) -> RunOutcome {
    run(spec, &registry(), Some(out), exec).unwrap_or_else(|e| panic!("run failed: {e}"))
}

/// Every file of a run directory except the wall-clock latency statistics.
pub fn result_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if name == cascade_run::files::LATENCY || e.file_type().unwrap().is_dir() {
            continue;
        }
        out.insert(name, std::fs::read(e.path()).unwrap());
    }
    out
}

/// Every record of the finished run in `out` (market inputs included), from a verified
/// replay: the journal stores only what the run added.
pub fn run_records(out: &Path) -> Vec<Record> {
    let mut records = Vec::new();
    cascade_run::verify_each(out, &registry(), &exec(64, 2), &mut |r| records.push(*r))
        .unwrap_or_else(|e| panic!("replay failed: {e}"));
    records
}

/// The records of the run in `out`, one per line.
pub fn dump_run(out: &Path) -> String {
    run_records(out).iter().map(|r| format!("{r}\n")).collect()
}

/// The records stored in a run journal, in order.
pub fn stored_records(path: &Path) -> Vec<Record> {
    let mut r = JournalReader::open(path).unwrap();
    let mut v = Vec::new();
    while let Some(rec) = r.next_record().unwrap() {
        v.push(rec);
    }
    v
}

/// The error of a failed run, as text.
pub fn run_err(spec: &RunSpec, out: &Path) -> String {
    match run(spec, &registry(), Some(out), &exec(64, 2)) {
        Ok(_) => "ok".to_string(),
        Err(e) => e.to_string(),
    }
}
