//! P1–P3 of issue 12 reached the engine through a log written without the importer: a clear
//! error naming the event (time, instrument, field), never a panic.

use crate::check::*;
use cascade_types::*;

fn bar(ts: i64, source: BarSource, price: &str) -> Event {
    let p = px(price);
    ev(
        ts,
        EventBody::Bar(Bar {
            source,
            open_time: Ts(ts - 60 * SEC),
            interval_s: 60,
            open: px("60000"),
            high: p,
            low: px("59990"),
            close: p,
            volume: Qty::ZERO,
            quote_volume: Money::ZERO,
            trades: 60,
            taker_buy_volume: Qty::ZERO,
            taker_buy_quote_volume: Money::ZERO,
        }),
    )
}

/// Runs `strategy` over the sample market with `bad` appended, and returns the error.
fn check(bad: Event, strategy: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut events = market(200, 3);
    let last = events.last().unwrap().ts.nanos();
    let mut bad = bad;
    bad.ts = Ts(last + SEC);
    if let EventBody::Bar(b) = &mut bad.body {
        b.open_time = Ts(last + SEC - 60 * SEC);
    }
    events.push(bad);
    let log = write_log(dir.path(), "bad.clog", &events);
    let out = dir.path().join("run");
    let err = run_err(&spec(vec![log], strategy, &[]), &out);
    assert!(!out.join(cascade_run::files::MANIFEST).exists(), "{err}");
    err
}

#[test]
fn p1_a_trade_of_a_million_btc_is_an_error_naming_the_event() {
    for strategy in ["noop", "noise"] {
        let err = check(trade(0, "122055.9", "1000000", Side::Buy, 7), strategy);
        assert!(
            err.contains("event at 2024-08-05T00:00:10.95Z")
                && err.contains("instrument i0")
                && err.contains("trade notional (price × qty) = 122055900000"),
            "{strategy}: {err}"
        );
    }
}

#[test]
fn p2_a_mark_of_9e10_is_an_error_naming_the_event() {
    for strategy in ["noop", "noise"] {
        let err = check(bar(0, BarSource::Mark, "90000000000"), strategy);
        assert!(err.contains("bar.high = 90000000000"), "{strategy}: {err}");
        let err = check(mark(0, "90000000000"), strategy);
        assert!(
            err.contains("mark_price = 90000000000"),
            "{strategy}: {err}"
        );
    }
}

#[test]
fn p3_a_last_price_bar_of_92e9_is_an_error_naming_the_event() {
    for strategy in ["noop", "noise"] {
        let err = check(bar(0, BarSource::Last, "92000000000"), strategy);
        assert!(err.contains("bar.high = 92000000000"), "{strategy}: {err}");
    }
}
