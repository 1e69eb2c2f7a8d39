//! Non-decreasing timestamps, enforced at write time (and, for crafted files, at read time:
//! see `corrupt::out_of_order_events_in_a_crafted_file_are_refused_at_read_time`).

use crate::common::*;
use cascade_journal::{JournalError, Writer};
use cascade_types::Ts;

#[test]
fn an_out_of_order_event_is_refused_naming_its_index_and_both_timestamps() {
    let tmp = Tmp::new();
    let mut w = Writer::create(tmp.path("order.clog"), vec![btc_perp()], "x").unwrap();
    w.write(&trade(t(0), 0, 1, 0)).unwrap();
    w.write(&trade(t(250), 0, 1, 1)).unwrap();
    let e = w.write(&trade(t(249), 0, 1, 2)).unwrap_err();
    match &e {
        JournalError::OutOfOrder {
            index,
            previous_ts,
            ts,
            ..
        } => {
            assert_eq!((*index, *previous_ts, *ts), (2, t(250), t(249)));
        }
        other => panic!("expected OutOfOrder, got {other}"),
    }
    insta::assert_snapshot!(tmp.redact(&e.to_string()), @"[TMP]/order.clog: block 0 at byte 12: events out of order: event 2 has ts 2025-10-10T21:20:00.249Z (1760131200249000000), before the previous event's 2025-10-10T21:20:00.25Z (1760131200250000000)");
}

#[test]
fn the_write_time_error_names_the_block_being_filled() {
    let tmp = Tmp::new();
    let mut w = Writer::create(tmp.path("later.clog"), vec![btc_perp()], "x").unwrap();
    for i in 0..2000 {
        w.write(&trade(t(i), 0, 1, i as u64)).unwrap();
    }
    let e = w.write(&trade(Ts(0), 0, 1, 0)).unwrap_err();
    let at = e.location();
    // 1490 trades fill block 0 (16-byte frame + 65560 bytes), so block 1 starts at 12 + 65576.
    assert_eq!(
        (at.region, at.offset),
        (cascade_journal::Region::Block(1), 65_588)
    );
    assert!(
        e.to_string()
            .contains("event 2000 has ts 1970-01-01T00:00:00Z (0)"),
        "{e}"
    );
}

#[test]
fn one_nanosecond_back_is_refused_and_equal_is_accepted() {
    let tmp = Tmp::new();
    let mut w = Writer::create(tmp.path("ns.clog"), vec![btc_perp()], "x").unwrap();
    w.write(&trade(Ts(1_000), 0, 1, 0)).unwrap();
    w.write(&trade(Ts(1_000), 0, 1, 1)).unwrap();
    assert!(w.write(&trade(Ts(999), 0, 1, 2)).is_err());
    w.write(&trade(Ts(1_001), 0, 1, 3)).unwrap();
    assert_eq!(w.finish().unwrap().header.event_count, 3);
}
