//! Property tests: random event streams of every kind round-trip; random damage is always
//! an error, never a panic; the merge equals a stable sort by the documented key.

use crate::common::*;
use cascade_journal::{Merge, MergeInput, Reader};
use cascade_types::{
    Bar, BarSource, BookTop, DepthBand, DepthLevel, Event, EventBody, Funding, FundingSettlement,
    InstrumentId, Liquidation, LongShortRatio, Money, OpenInterest, Price, Qty, Rate, RatioSource,
    Side, TakerVolume, Trade, Ts,
};
use proptest::prelude::*;

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Buy), Just(Side::Sell)]
}
fn price() -> impl Strategy<Value = Price> {
    any::<i64>().prop_map(Price::from_raw)
}
fn qty() -> impl Strategy<Value = Qty> {
    any::<i64>().prop_map(Qty::from_raw)
}
fn money() -> impl Strategy<Value = Money> {
    any::<i64>().prop_map(Money::from_raw)
}
fn rate() -> impl Strategy<Value = Rate> {
    any::<i64>().prop_map(Rate::from_raw)
}
fn ts() -> impl Strategy<Value = Ts> {
    any::<i64>().prop_map(Ts)
}

/// Every `EventBody` variant, with arbitrary field values.
fn body() -> impl Strategy<Value = EventBody> {
    prop_oneof![
        (price(), qty(), side(), any::<u64>()).prop_map(|(price, qty, aggressor, trade_id)| {
            EventBody::Trade(Trade {
                price,
                qty,
                aggressor,
                trade_id,
            })
        }),
        (price(), qty(), price(), qty()).prop_map(|(bid_price, bid_qty, ask_price, ask_qty)| {
            EventBody::BookTop(BookTop {
                bid_price,
                bid_qty,
                ask_price,
                ask_qty,
            })
        }),
        (any::<i32>(), qty(), money()).prop_map(|(band_bps, qty, notional)| EventBody::DepthBand(
            DepthBand {
                band_bps,
                qty,
                notional
            }
        )),
        (side(), price(), qty()).prop_map(|(side, price, qty)| EventBody::DepthLevel(DepthLevel {
            side,
            price,
            qty
        })),
        (
            prop_oneof![
                Just(BarSource::Last),
                Just(BarSource::Mark),
                Just(BarSource::Index),
                Just(BarSource::Premium)
            ],
            ts(),
            any::<u32>(),
            (price(), price(), price(), price()),
            (qty(), money(), any::<u64>(), qty(), money()),
        )
            .prop_map(
                |(
                    source,
                    open_time,
                    interval_s,
                    (open, high, low, close),
                    (volume, quote_volume, trades, tbv, tbqv),
                )| {
                    EventBody::Bar(Bar {
                        source,
                        open_time,
                        interval_s,
                        open,
                        high,
                        low,
                        close,
                        volume,
                        quote_volume,
                        trades,
                        taker_buy_volume: tbv,
                        taker_buy_quote_volume: tbqv,
                    })
                }
            ),
        price().prop_map(EventBody::MarkPrice),
        price().prop_map(EventBody::IndexPrice),
        (rate(), ts())
            .prop_map(|(rate, next_funding)| EventBody::Funding(Funding { rate, next_funding })),
        (rate(), any::<u32>()).prop_map(|(rate, interval_h)| EventBody::FundingSettlement(
            FundingSettlement { rate, interval_h }
        )),
        (qty(), money())
            .prop_map(|(qty, value)| EventBody::OpenInterest(OpenInterest { qty, value })),
        (side(), price(), qty()).prop_map(|(side, price, qty)| EventBody::Liquidation(
            Liquidation { side, price, qty }
        )),
        (
            prop_oneof![
                Just(RatioSource::TopAccounts),
                Just(RatioSource::TopPositions),
                Just(RatioSource::Global)
            ],
            rate()
        )
            .prop_map(|(source, ratio)| EventBody::LongShortRatio(LongShortRatio {
                source,
                ratio
            })),
        (qty(), qty()).prop_map(|(buy, sell)| EventBody::TakerVolume(TakerVolume { buy, sell })),
    ]
}

/// A stream with non-decreasing timestamps (many ties: steps are often 0) over 3 instruments.
fn stream(max_len: usize) -> impl Strategy<Value = Vec<Event>> {
    (
        any::<i64>(),
        prop::collection::vec(
            (
                prop_oneof![Just(0i64), 0..Ts::NANOS_PER_SEC],
                0..3u32,
                body(),
            ),
            0..max_len,
        ),
    )
        .prop_map(|(start, steps)| {
            let mut ts = start / 2; // leave room so the steps cannot overflow
            steps
                .into_iter()
                .map(|(step, instrument, body)| {
                    ts = ts.saturating_add(step);
                    Event {
                        ts: Ts(ts),
                        instrument: InstrumentId(instrument),
                        body,
                    }
                })
                .collect()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_streams_round_trip(events in stream(5_000)) {
        let tmp = Tmp::new();
        let path = tmp.path("p.clog");
        let summary = write_log(&path, instruments3(), &events);
        prop_assert_eq!(summary.header.event_count, events.len() as u64);
        prop_assert_eq!(summary.header.first_ts, events.first().map(|e| e.ts));
        prop_assert_eq!(summary.header.last_ts, events.last().map(|e| e.ts));
        prop_assert_eq!(&read_iter(&path).unwrap(), &events);
        prop_assert_eq!(&read_blocks(&path).unwrap(), &events);
    }

    #[test]
    fn random_damage_is_an_error_never_a_panic(
        events in stream(300),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 1..=255u8), 1..4),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let tmp = Tmp::new();
        let path = tmp.path("p.clog");
        write_log(&path, instruments3(), &events);
        let good = std::fs::read(&path).unwrap();
        let mut bad = good.clone();
        for (at, mask) in edits {
            let i = at.index(bad.len());
            bad[i] ^= mask;
        }
        if let Some(cut) = cut {
            bad.truncate(cut.index(bad.len()));
        }
        prop_assume!(bad != good);
        std::fs::write(&path, &bad).unwrap();
        let outcome = check_read(&tmp, &path);
        prop_assert!(!outcome.starts_with("ok"), "damage went unnoticed");
    }

    #[test]
    fn the_merge_is_a_stable_sort_by_ts_then_priority(
        a in stream(400), b in stream(400), c in stream(400), order in Just([2u32, 0, 1]).prop_shuffle(),
    ) {
        let tmp = Tmp::new();
        let streams = [a, b, c];
        let mut inputs = Vec::new();
        let mut expected = Vec::new();
        for (i, events) in streams.iter().enumerate() {
            let path = tmp.path(&format!("{i}.clog"));
            write_log(&path, instruments3(), events);
            inputs.push(MergeInput { reader: Reader::open(&path).unwrap(), priority: order[i] });
            expected.extend(events.iter().enumerate().map(|(seq, e)| (e.ts, order[i], seq as u64, *e)));
        }
        expected.sort_by_key(|&(ts, p, seq, _)| (ts, p, seq));
        let merge = Merge::new(inputs).unwrap();
        // Same table in every input: the merged table sorts it, BTC spot first.
        let remap = vec![InstrumentId(1), InstrumentId(0), InstrumentId(2)];
        prop_assert_eq!(&merge.instrument_map().remap, &vec![remap.clone(); 3]);
        for e in &mut expected {
            e.3.instrument = remap[e.3.instrument.index()];
        }
        let merged: Vec<_> = merge
            .map(|m| { let m = m.unwrap(); (m.event.ts, m.priority, m.seq, m.event) })
            .collect();
        prop_assert_eq!(merged, expected);
    }
}
