//! Events → log → events, and the layout on disk.

use crate::common::*;
use cascade_journal::{format, JournalError, Reader, Writer};
use cascade_types::{Event, EventKind, InstrumentId, Ts};
use xxhash_rust::xxh3::xxh3_64;

#[test]
fn every_kind_round_trips_identically_through_both_apis() {
    let tmp = Tmp::new();
    let path = tmp.path("mixed.clog");
    let events = mixed_events(20);
    // Not vacuous: all 13 kinds are there.
    let kinds: std::collections::BTreeSet<EventKind> = events.iter().map(|e| e.kind()).collect();
    assert_eq!(kinds.len(), EventKind::ALL.len());

    let summary = write_log(&path, instruments3(), &events);
    assert_eq!(summary.header.event_count, events.len() as u64);
    assert_eq!(summary.header.first_ts, Some(events[0].ts));
    assert_eq!(summary.header.last_ts, Some(events.last().unwrap().ts));
    assert_eq!(summary.file_bytes, std::fs::metadata(&path).unwrap().len());

    assert_eq!(read_iter(&path).unwrap(), events);
    assert_eq!(read_blocks(&path).unwrap(), events);
    let r = Reader::open(&path).unwrap();
    assert_eq!(r.header(), &summary.header);
    assert_eq!(r.header().instruments, instruments3());
    assert_eq!(r.header().source, "test fixture");
}

#[test]
fn rewriting_what_was_read_gives_the_same_bytes() {
    let tmp = Tmp::new();
    let (a, b) = (tmp.path("a.clog"), tmp.path("b.clog"));
    write_log(&a, instruments3(), &mixed_events(5_000)); // 65k events: several blocks
    let back = read_blocks(&a).unwrap();
    write_log(&b, instruments3(), &back);
    let (bytes_a, bytes_b) = (std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert!(frames(&bytes_a).0.len() > 3);
    assert!(
        bytes_a == bytes_b,
        "a rewrite of the events read back differs from the original"
    );
}

#[test]
fn the_file_follows_the_documented_layout() {
    let tmp = Tmp::new();
    let path = tmp.path("layout.clog");
    let events: Vec<Event> = (0..10_000)
        .map(|i| trade(t(i), 0, 60_000 + i, i as u64))
        .collect();
    let summary = write_log(&path, vec![btc_perp()], &events);
    let bytes = std::fs::read(&path).unwrap();

    assert_eq!(&bytes[..8], b"CASCLOG\0");
    assert_eq!(&bytes[8..12], &2u32.to_le_bytes());
    assert_eq!(&bytes[bytes.len() - 8..], b"CASCEND\0");
    let (blocks, trailer_offset) = frames(&bytes);
    let footer = bytes.len() - 40;
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    assert_eq!(
        u64_at(footer + 8) as usize,
        footer - trailer_offset,
        "trailer length"
    );
    assert_eq!(
        u64_at(footer + 16),
        xxh3_64(&bytes[trailer_offset..footer]),
        "trailer checksum"
    );
    assert_eq!(u64_at(footer + 24), blocks.len() as u64, "block count");
    assert_eq!(summary.block_count, blocks.len() as u64);

    // Trades are 44 bytes each; blocks close at the first event that reaches 64 KiB.
    let per_block = format::BLOCK_TARGET_BYTES.div_ceil(44);
    assert_eq!(blocks.len(), 10_000usize.div_ceil(per_block));
    let mut content = Vec::new();
    let mut total = 0;
    for (i, &(at, len, count)) in blocks.iter().enumerate() {
        let payload = &bytes[at + 16..at + 16 + len];
        assert_eq!(u64_at(at + 8), xxh3_64(payload), "checksum of block {i}");
        assert_eq!(len, count as usize * 44);
        if i + 1 < blocks.len() {
            assert_eq!(count as usize, per_block);
        }
        total += count as u64;
        content.extend_from_slice(payload);
    }
    assert_eq!(total, 10_000);
    assert_eq!(
        summary.header.content_hash,
        xxh3_64(&content),
        "content hash is over all payloads"
    );
    // The first event, by hand: ts, instrument, Trade tag, price, qty, Buy tag, trade id.
    let p = &bytes[blocks[0].0 + 16..];
    assert_eq!(&p[0..8], &events[0].ts.nanos().to_le_bytes());
    assert_eq!(&p[8..12], &0u32.to_le_bytes());
    assert_eq!(&p[12..16], &0u32.to_le_bytes());
    assert_eq!(&p[16..24], &(60_000i64 * 100_000_000).to_le_bytes());
}

#[test]
fn an_empty_log_has_a_header_and_no_events() {
    let tmp = Tmp::new();
    let path = tmp.path("empty.clog");
    let summary = Writer::create(&path, vec![btc_perp()], "nothing")
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(summary.block_count, 0);
    assert_eq!(summary.header.event_count, 0);
    assert_eq!(
        (summary.header.first_ts, summary.header.last_ts),
        (None, None)
    );
    assert_eq!(summary.header.content_hash, xxh3_64(b""));

    let r = Reader::open(&path).unwrap();
    assert_eq!(r.header().instruments, vec![btc_perp()]);
    assert_eq!(r.header().source, "nothing");
    assert_eq!(check_read(&tmp, &path), "ok: 0 events");
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(frames(&bytes).0.len(), 0);
}

#[test]
fn equal_timestamps_are_allowed_and_keep_their_order() {
    let tmp = Tmp::new();
    let path = tmp.path("ties.clog");
    let events: Vec<Event> = (0..50)
        .map(|i| trade(t(7), (i % 2) as u32, 100 + i, i as u64))
        .collect();
    write_log(&path, vec![btc_perp(), eth_perp()], &events);
    assert_eq!(read_iter(&path).unwrap(), events);
}

#[test]
fn a_refused_event_is_not_written_and_the_writer_stays_usable() {
    let tmp = Tmp::new();
    let path = tmp.path("refused.clog");
    let mut w = Writer::create(&path, vec![btc_perp()], "x").unwrap();
    w.write(&trade(t(10), 0, 1, 1)).unwrap();
    assert!(matches!(
        w.write(&trade(t(5), 0, 2, 2)),
        Err(JournalError::OutOfOrder { .. })
    ));
    assert!(matches!(
        w.write(&trade(t(10), 1, 3, 3)),
        Err(JournalError::UnknownInstrument { .. })
    ));
    w.write(&trade(t(11), 0, 4, 4)).unwrap();
    assert_eq!(w.event_count(), 2);
    w.finish().unwrap();
    let ids: Vec<u64> = read_iter(&path)
        .unwrap()
        .iter()
        .map(|e| match e.body {
            cascade_types::EventBody::Trade(t) => t.trade_id,
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(ids, [1, 4]);
}

#[test]
fn an_instrument_outside_the_table_is_refused_at_write_time() {
    let tmp = Tmp::new();
    let path = tmp.path("unknown.clog");
    let mut w = Writer::create(&path, vec![btc_perp(), eth_perp()], "x").unwrap();
    w.write(&trade(t(0), 1, 1, 1)).unwrap();
    let e = w.write(&trade(t(1), 2, 1, 2)).unwrap_err();
    insta::assert_snapshot!(tmp.redact(&e.to_string()), @"[TMP]/unknown.clog: block 0 at byte 12: event 1 refers to instrument i2, but the table has 2 instruments");
}

#[test]
fn a_table_with_one_instrument_twice_is_refused() {
    let tmp = Tmp::new();
    let mut twin = btc_perp();
    twin.tick = "0.01".parse().unwrap();
    let e = Writer::create(
        tmp.path("dup.clog"),
        vec![btc_perp(), eth_perp(), twin],
        "x",
    )
    .err()
    .unwrap();
    insta::assert_snapshot!(tmp.redact(&e.to_string()), @"[TMP]/dup.clog: preamble at byte 0: instrument conflict: instruments 0 and 2 of the table are both binance-um BTCUSDT linear-perp");
}

#[test]
fn header_is_known_before_the_first_event_and_events_read_counts() {
    let tmp = Tmp::new();
    let path = tmp.path("h.clog");
    let events: Vec<Event> = (0..3).map(|i| trade(t(i), 0, 1, i as u64)).collect();
    write_log(&path, vec![btc_perp()], &events);
    let mut r = Reader::open(&path).unwrap();
    assert_eq!(r.header().event_count, 3);
    assert_eq!(r.header().last_ts, Some(t(2)));
    assert_eq!(r.events_read(), 0);
    r.next().unwrap().unwrap();
    assert_eq!(r.events_read(), 1);
    // The batch API continues where the iterator stopped: the rest of the block.
    let mut block = Vec::new();
    assert!(r.next_block(&mut block).unwrap());
    assert_eq!(block, events[1..]);
    assert!(!r.next_block(&mut block).unwrap());
    assert!(r.next().is_none());
    assert_eq!(events[0].instrument, InstrumentId(0));
    assert_eq!(events[0].ts, Ts::from_millis(1_760_131_200_000).unwrap());
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_an_io_error_naming_the_path() {
    let e = Writer::create("/dev/full", vec![btc_perp()], "x")
        .err()
        .unwrap();
    insta::assert_snapshot!(e.to_string(), @"/dev/full: preamble at byte 0: I/O error while writing the preamble: No space left on device (os error 28)");
}

#[test]
fn instruments_added_while_streaming_are_in_the_table_and_usable() {
    let tmp = Tmp::new();
    let path = tmp.path("grow.clog");
    let mut w = Writer::create(&path, vec![btc_perp()], "x").unwrap();
    w.write(&trade(t(0), 0, 1, 1)).unwrap();
    // Not yet in the table: refused, and the writer stays usable.
    assert!(w.write(&trade(t(1), 1, 1, 2)).is_err());
    assert_eq!(w.add_instrument(eth_perp()).unwrap(), InstrumentId(1));
    w.write(&trade(t(1), 1, 1, 2)).unwrap();
    let e = w.add_instrument(btc_perp()).unwrap_err();
    insta::assert_snapshot!(tmp.redact(&e.to_string()), @"[TMP]/grow.clog: block 0 at byte 12: instrument conflict: instrument 0 of the table is already binance-um BTCUSDT linear-perp");
    w.finish().unwrap();
    let r = Reader::open(&path).unwrap();
    assert_eq!(r.header().instruments, vec![btc_perp(), eth_perp()]);
    let ids: Vec<u32> = r.map(|e| e.unwrap().instrument.0).collect();
    assert_eq!(ids, [0, 1]);
}

#[test]
fn set_source_gives_the_bytes_of_a_log_written_with_that_source() {
    let tmp = Tmp::new();
    let events = mixed_events(3000);
    let direct = tmp.path("direct.clog");
    let mut w = Writer::create(&direct, instruments3(), "the new, longer description").unwrap();
    w.write_all(&events).unwrap();
    let direct_summary = w.finish().unwrap();
    for old in [
        "",
        "test fixture",
        "an old description much longer than the new one, by far",
    ] {
        let path = tmp.path("retitled.clog");
        let mut w = Writer::create(&path, instruments3(), old).unwrap();
        w.write_all(&events).unwrap();
        w.finish().unwrap();
        let summary = cascade_journal::set_source(&path, "the new, longer description").unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            std::fs::read(&direct).unwrap()
        );
        assert_eq!(summary.header, direct_summary.header);
        assert_eq!(summary.file_bytes, direct_summary.file_bytes);
        assert_eq!(summary.block_count, direct_summary.block_count);
        assert_eq!(read_blocks(&path).unwrap(), events);
    }
    // An unfinished file is refused, not rewritten.
    let cut = tmp.path("cut.clog");
    let bytes = std::fs::read(&direct).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() - 10]).unwrap();
    assert!(cascade_journal::set_source(&cut, "x").is_err());
    assert_eq!(std::fs::read(&cut).unwrap(), &bytes[..bytes.len() - 10]);
}
