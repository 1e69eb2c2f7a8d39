//! The total order of simultaneous events, pinned: three sources with equal timestamps, bars
//! whose ticks (spread over their intervals, `cascade_engine::bars`) land on and between them, and commands and timers scheduled onto the same instants
//! as market events. The rule (see `cascade_run::order`): at equal `ts`, timers, then
//! market events (the log listed first wins among them), then command arrivals.

use crate::check::*;
use cascade_run::files::JOURNAL;
use cascade_run::{Record, RecordBody};
use cascade_types::*;

const T: i64 = T0;

fn fixture(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let trades = vec![
        trade(T + 1_000, "60000", "0.5", Side::Buy, 1),
        trade(T + 1_000, "60001", "0.5", Side::Buy, 2),
        trade(T + 2_000, "60002", "0.5", Side::Sell, 3),
        trade(T + 3_000, "60003", "0.5", Side::Buy, 4),
        trade(T + 3_000, "60004", "0.5", Side::Sell, 5),
        trade(T + 4_000, "60005", "0.5", Side::Buy, 6),
        trade(T + 4_997, "60006", "0.5", Side::Buy, 7),
        trade(T + 6_000, "60007", "0.5", Side::Sell, 8),
    ];
    let tops = vec![
        top(T + 1_000, "59999.9", "60000"),
        top(T + 2_000, "60001.9", "60002"),
        top(T + 2_000, "60002.9", "60003"),
        top(T + 3_998, "60003.9", "60004"),
    ];
    let bar = |close_ts: i64, source, o: &str, h: &str, l: &str, c: &str, v: &str| {
        ev(
            close_ts,
            EventBody::Bar(Bar {
                source,
                // A 3 µs span (shorter than any real bar) so that the ticks at O, O + S/3,
                // O + 2S/3 and C − 1 fall on the recorded instants.
                open_time: Ts(close_ts - 3_000),
                interval_s: 1,
                open: px(o),
                high: px(h),
                low: px(l),
                close: px(c),
                volume: qty(v),
                quote_volume: Money::ZERO,
                trades: 0,
                taker_buy_volume: Qty::ZERO,
                taker_buy_quote_volume: Money::ZERO,
            }),
        )
    };
    let marks = vec![
        mark(T + 1_000, "60000"),
        mark(T + 3_000, "60003"),
        // Its ticks land at 1000, 2000, 3000 (before the recorded events there) and 3999.
        bar(
            T + 4_000,
            BarSource::Mark,
            "60000",
            "60010",
            "59990",
            "60005",
            "0",
        ),
        // Its ticks land at 2000, 3000, 4000 and 4999; the high is nearer the open: O H L C.
        bar(
            T + 5_000,
            BarSource::Last,
            "60010",
            "60020",
            "59980",
            "59990",
            "2",
        ),
    ];
    vec![
        write_log(dir, "a-trades.clog", &trades),
        write_log(dir, "b-tops.clog", &tops),
        write_log(dir, "c-marks.clog", &marks),
    ]
}

/// The lane of the item that caused a record (outputs, commands issued and samples follow
/// their cause and are not classified).
fn lane(body: &RecordBody) -> Option<u8> {
    match body {
        RecordBody::TimerFired { .. } => Some(0),
        RecordBody::Market(_) | RecordBody::Tick(_) => Some(1),
        RecordBody::Arrival { .. } => Some(2),
        _ => None,
    }
}

#[test]
fn simultaneous_events_follow_the_one_total_order() {
    let dir = tempfile::tempdir().unwrap();
    let logs = fixture(dir.path());
    let mut s = spec(logs, "pinger", &["every=2", "timer_ns=1000"]);
    s.config.latency_ns = 1_000; // commands issued at T+k·1000 arrive on the next market instant
    let out = dir.path().join("run");
    run_into(&s, &out, &exec(3, 1));

    // Mechanically: time never goes back, and at each instant timers < market < commands.
    let records = run_records(&out);
    let mut last: Option<(Ts, u8)> = None;
    for rec in &records {
        if let Some(l) = lane(&rec.body) {
            if let Some((ts, pl)) = last {
                assert!(
                    rec.ts > ts || (rec.ts == ts && l >= pl),
                    "out of order at {rec}"
                );
            }
            last = Some((rec.ts, l));
        }
    }
    // Bar ticks, timers and same-instant arrivals replay bit for bit.
    let v = cascade_run::verify(&out, &registry(), &exec(1, 1)).unwrap();
    assert!(v.inputs_checked);
    // The journal stores every record but the market inputs, which its logs hold.
    let stored: Vec<Record> = records
        .iter()
        .filter(|r| !matches!(r.body, RecordBody::Market(_)))
        .copied()
        .collect();
    assert_eq!(stored_records(&out.join(JOURNAL)), stored);
    // And the whole order, pinned.
    insta::assert_snapshot!(dump_run(&out));
}
