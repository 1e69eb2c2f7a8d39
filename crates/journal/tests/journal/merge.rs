//! The k-way merge in the one total order `(ts, source priority, seq within source)`.

use crate::common::*;
use cascade_journal::{merge_instruments, JournalError, Merge, MergeInput, MergedEvent, Reader};
use cascade_types::{Event, EventBody, InstrumentId, Price};
use std::fmt::Write as _;
use std::path::PathBuf;

fn mark(ts_ms: i64, instrument: u32, price: i64) -> Event {
    Event {
        ts: t(ts_ms),
        instrument: InstrumentId(instrument),
        body: EventBody::MarkPrice(Price::from_int(price)),
    }
}

/// Three sources whose events mostly share timestamps:
/// - `trades.clog` (priority 0): BTC and ETH perp trades, three per instant;
/// - `marks.clog` (priority 1): mark prices, with its table in the *other* order (ETH, BTC);
/// - `spot.clog` (priority 2): spot trades, missing instant 2.
struct Fixture {
    tmp: Tmp,
    trades: PathBuf,
    marks: PathBuf,
    spot: PathBuf,
}

fn fixture() -> Fixture {
    let tmp = Tmp::new();
    let (trades, marks, spot) = (
        tmp.path("trades.clog"),
        tmp.path("marks.clog"),
        tmp.path("spot.clog"),
    );
    let mut tr = Vec::new();
    let mut mk = Vec::new();
    let mut sp = Vec::new();
    for ts in 0..4i64 {
        for j in 0..3u32 {
            tr.push(trade(
                t(ts),
                j % 2,
                60_000 + ts * 10 + j as i64,
                (ts * 3) as u64 + j as u64,
            ));
        }
        mk.push(mark(ts, 1, 60_000 + ts)); // BTC in this file's table
        mk.push(mark(ts, 0, 4_000 + ts)); // ETH in this file's table
        if ts != 2 {
            for j in 0..2u32 {
                sp.push(trade(
                    t(ts),
                    0,
                    59_990 + ts,
                    100 + (ts * 2) as u64 + j as u64,
                ));
            }
        }
    }
    write_log(&trades, vec![btc_perp(), eth_perp()], &tr);
    write_log(&marks, vec![eth_perp(), btc_perp()], &mk);
    write_log(&spot, vec![btc_spot()], &sp);
    Fixture {
        tmp,
        trades,
        marks,
        spot,
    }
}

fn open(path: &PathBuf, priority: u32) -> MergeInput {
    MergeInput {
        reader: Reader::open(path).unwrap(),
        priority,
    }
}

fn render(merge: Merge) -> String {
    let mut out = String::new();
    for (i, spec) in merge.instruments().iter().enumerate() {
        writeln!(out, "i{i} = {} {} {}", spec.venue, spec.symbol, spec.kind).unwrap();
    }
    for m in merge {
        let m = m.unwrap();
        writeln!(
            out,
            "p{} seq {:>2} (input {}) {}",
            m.priority, m.seq, m.input, m.event
        )
        .unwrap();
    }
    out
}

#[test]
fn ties_are_broken_by_priority_then_file_order() {
    let f = fixture();
    // Inputs deliberately passed in an order that is not their priority order.
    let inputs = vec![open(&f.spot, 2), open(&f.trades, 0), open(&f.marks, 1)];
    let merged: Vec<MergedEvent> = Merge::new(inputs).unwrap().map(|m| m.unwrap()).collect();
    assert_eq!(merged.len(), 12 + 8 + 6);
    // The key is strictly increasing, and each input is consumed in file order.
    for w in merged.windows(2) {
        let key = |m: &MergedEvent| (m.event.ts, m.priority, m.seq);
        assert!(key(&w[0]) < key(&w[1]), "{:?} then {:?}", w[0], w[1]);
    }
    for input in 0..3 {
        let seqs: Vec<u64> = merged
            .iter()
            .filter(|m| m.input == input)
            .map(|m| m.seq)
            .collect();
        assert_eq!(seqs, (0..seqs.len() as u64).collect::<Vec<_>>());
    }
    let inputs = vec![open(&f.spot, 2), open(&f.trades, 0), open(&f.marks, 1)];
    insta::assert_snapshot!(render(Merge::new(inputs).unwrap()));
}

#[test]
fn the_order_of_the_inputs_does_not_matter() {
    let f = fixture();
    let run = |order: [usize; 3]| {
        let all = [(&f.trades, 0), (&f.marks, 1), (&f.spot, 2)];
        let inputs = order.iter().map(|&i| open(all[i].0, all[i].1)).collect();
        Merge::new(inputs)
            .unwrap()
            .map(|m| {
                let m = m.unwrap();
                (m.priority, m.seq, m.event)
            })
            .collect::<Vec<_>>()
    };
    let reference = run([0, 1, 2]);
    assert_eq!(reference.len(), 26);
    for order in [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
        assert_eq!(run(order), reference, "inputs in order {order:?}");
    }
}

#[test]
fn swapping_priorities_swaps_who_wins_ties() {
    let f = fixture();
    let first_at_t0 = |p_trades, p_marks| {
        let m = Merge::new(vec![open(&f.trades, p_trades), open(&f.marks, p_marks)]).unwrap();
        m.map(|m| m.unwrap().event.kind()).next().unwrap()
    };
    assert_eq!(first_at_t0(0, 1), cascade_types::EventKind::Trade);
    assert_eq!(first_at_t0(1, 0), cascade_types::EventKind::MarkPrice);
}

#[test]
fn instrument_ids_are_remapped_onto_one_sorted_table() {
    let f = fixture();
    let m = Merge::new(vec![
        open(&f.marks, 1),
        open(&f.spot, 2),
        open(&f.trades, 0),
    ])
    .unwrap();
    let map = m.instrument_map().clone();
    assert_eq!(map.instruments, vec![btc_spot(), btc_perp(), eth_perp()]);
    // marks: (ETH, BTC) -> (2, 1); spot: (BTC spot) -> (0); trades: (BTC, ETH) -> (1, 2).
    assert_eq!(
        map.remap,
        vec![
            vec![InstrumentId(2), InstrumentId(1)],
            vec![InstrumentId(0)],
            vec![InstrumentId(1), InstrumentId(2)],
        ]
    );
    for merged in m {
        let merged = merged.unwrap();
        let spec = &map.instruments[merged.event.instrument.index()];
        match (merged.input, merged.event.body) {
            (0, EventBody::MarkPrice(p)) => {
                // BTC marks are priced near 60 000, ETH near 4 000.
                let btc = p > Price::from_int(10_000);
                assert_eq!(spec.symbol, if btc { "BTCUSDT" } else { "ETHUSDT" });
            }
            (1, _) => assert_eq!(spec, &btc_spot()),
            (2, _) => assert_eq!(spec.venue, "binance-um"),
            other => panic!("unexpected {other:?}"),
        }
    }
}

#[test]
fn a_merge_written_out_reads_back_as_merged() {
    let f = fixture();
    let inputs = || vec![open(&f.trades, 0), open(&f.marks, 1), open(&f.spot, 2)];
    let expected: Vec<Event> = Merge::new(inputs())
        .unwrap()
        .map(|m| m.unwrap().event)
        .collect();
    let out = f.tmp.path("merged.clog");
    let summary = Merge::new(inputs())
        .unwrap()
        .write_to(&out, "merge of 3")
        .unwrap();
    assert_eq!(summary.header.event_count, 26);
    assert_eq!(read_blocks(&out).unwrap(), expected);
    assert_eq!(Reader::open(&out).unwrap().header().instruments.len(), 3);
}

#[test]
fn equal_priorities_are_refused() {
    let f = fixture();
    let e = Merge::new(vec![open(&f.trades, 1), open(&f.marks, 1)])
        .err()
        .unwrap();
    insta::assert_snapshot!(f.tmp.redact(&e.to_string()), @"[TMP]/marks.clog: preamble at byte 0: source priority 1 is also used by [TMP]/trades.clog; merge priorities must be distinct");
}

#[test]
fn one_instrument_described_two_ways_is_a_conflict() {
    let tmp = Tmp::new();
    let mut other = btc_perp();
    other.contract_size = "0.001".parse().unwrap();
    let (a, b) = (tmp.path("a.clog"), tmp.path("b.clog"));
    let e =
        merge_instruments(&[(&a, &[btc_perp()][..]), (&b, &[eth_perp(), other][..])]).unwrap_err();
    assert!(matches!(e, JournalError::InstrumentConflict { .. }));
    let text = tmp.redact(&e.to_string());
    assert!(text.starts_with("[TMP]/b.clog: trailer at byte 0: instrument conflict: binance-um BTCUSDT linear-perp is "), "{text}");
    assert!(text.contains("in [TMP]/a.clog but"), "{text}");
}

#[test]
fn a_corrupt_input_ends_the_merge_with_its_error() {
    let f = fixture();
    let mut bytes = std::fs::read(&f.marks).unwrap();
    bytes[12 + 16 + 3] ^= 0xff;
    std::fs::write(&f.marks, &bytes).unwrap();
    let e = Merge::new(vec![open(&f.trades, 0), open(&f.marks, 1)])
        .err()
        .unwrap();
    insta::assert_snapshot!(f.tmp.redact(&e.to_string()).split(": stored").next().unwrap(), @"[TMP]/marks.clog: block 0 at byte 12: checksum mismatch in block payload");
}
