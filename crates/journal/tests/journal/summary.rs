//! `inspect`: the summary of a log and its stable rendering.

use crate::common::*;
use cascade_journal::{summarize, Writer};
use cascade_types::EventKind;

#[test]
fn a_mixed_log_is_summarised() {
    let tmp = Tmp::new();
    let path = tmp.path("mixed.clog");
    let events = mixed_events(10);
    write_log(&path, instruments3(), &events);
    let s = summarize(&path).unwrap();
    assert_eq!(s.event_count, 130);
    assert_eq!(s.events_per_kind.values().sum::<u64>(), 130);
    assert_eq!(s.events_per_kind[&EventKind::Bar], 10);
    assert_eq!(s.events_per_instrument.iter().sum::<u64>(), 130);
    assert_eq!(s.first, Some(events[0]));
    assert_eq!(s.last, events.last().copied());
    insta::assert_snapshot!(s.to_string());
}

#[test]
fn an_empty_log_is_summarised() {
    let tmp = Tmp::new();
    let path = tmp.path("empty.clog");
    Writer::create(&path, vec![btc_perp()], "an empty import")
        .unwrap()
        .finish()
        .unwrap();
    let s = summarize(&path).unwrap();
    assert_eq!(s.span(), None);
    insta::assert_snapshot!(s.to_string());
}

#[test]
fn a_corrupt_log_cannot_be_summarised() {
    let tmp = Tmp::new();
    let path = tmp.path("bad.clog");
    write_log(&path, instruments3(), &mixed_events(10));
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    let e = summarize(&path).unwrap_err();
    assert!(
        tmp.redact(&e.to_string())
            .starts_with("[TMP]/bad.clog: block 0 at byte 12: checksum mismatch"),
        "{e}"
    );
}
