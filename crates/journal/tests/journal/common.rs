//! Fixtures and helpers shared by the topic modules.

use cascade_journal::{JournalError, Reader, WriteSummary, Writer};
use cascade_types::{
    Bar, BarSource, BookTop, DepthBand, DepthLevel, Event, EventBody, Funding, FundingSettlement,
    InstrumentId, InstrumentKind, InstrumentSpec, Liquidation, LongShortRatio, Money, OpenInterest,
    Price, Qty, Rate, RatioSource, Side, TakerVolume, Trade, Ts,
};
use std::path::{Path, PathBuf};

/// A temporary directory whose path is redacted to `[TMP]` in rendered errors.
pub struct Tmp {
    dir: tempfile::TempDir,
}

impl Tmp {
    pub fn new() -> Tmp {
        Tmp {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    pub fn redact(&self, text: &str) -> String {
        text.replace(self.dir.path().to_str().unwrap(), "[TMP]")
    }
}

pub fn btc_perp() -> InstrumentSpec {
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

pub fn btc_spot() -> InstrumentSpec {
    InstrumentSpec::new(
        "binance-spot",
        "BTCUSDT",
        InstrumentKind::Spot,
        "BTC",
        "USDT",
    )
}

pub fn eth_perp() -> InstrumentSpec {
    InstrumentSpec::new(
        "binance-um",
        "ETHUSDT",
        InstrumentKind::LinearPerp,
        "ETH",
        "USDT",
    )
}

/// 2025-10-10T21:20:00Z plus `ms` milliseconds.
pub fn t(ms: i64) -> Ts {
    Ts::from_millis(1_760_131_200_000 + ms).unwrap()
}

pub fn qty(v: &str) -> Qty {
    v.parse().unwrap()
}

pub fn trade(ts: Ts, instrument: u32, price: i64, trade_id: u64) -> Event {
    Event {
        ts,
        instrument: InstrumentId(instrument),
        body: EventBody::Trade(Trade {
            price: Price::from_int(price),
            qty: qty("0.5"),
            aggressor: if trade_id & 1 == 0 {
                Side::Buy
            } else {
                Side::Sell
            },
            trade_id,
        }),
    }
}

/// One body of every `EventBody` variant, in declaration order; `k` varies the values.
pub fn one_of_each(k: i64) -> Vec<EventBody> {
    let p = Price::from_raw(6_000_000_000_000 + k);
    let q = Qty::from_raw(50_000_000 + k);
    let m = Money::from_raw(3_000_000_000_000 + k);
    let r = Rate::from_raw(10_000 + k);
    vec![
        EventBody::Trade(Trade {
            price: p,
            qty: q,
            aggressor: Side::Sell,
            trade_id: k as u64,
        }),
        EventBody::BookTop(BookTop {
            bid_price: p,
            bid_qty: q,
            ask_price: p + Price::from_raw(10),
            ask_qty: q,
        }),
        EventBody::DepthBand(DepthBand {
            band_bps: -500,
            qty: q,
            notional: m,
        }),
        EventBody::DepthLevel(DepthLevel {
            side: Side::Buy,
            price: p,
            qty: Qty::ZERO,
        }),
        EventBody::Bar(Bar {
            source: BarSource::Mark,
            open_time: Ts(k * Ts::NANOS_PER_MIN),
            interval_s: 60,
            open: p,
            high: p + Price::from_raw(100),
            low: p - Price::from_raw(100),
            close: p,
            volume: q,
            quote_volume: m,
            trades: 42,
            taker_buy_volume: q,
            taker_buy_quote_volume: m,
        }),
        EventBody::MarkPrice(p),
        EventBody::IndexPrice(p),
        EventBody::Funding(Funding {
            rate: r,
            next_funding: Ts(8 * Ts::NANOS_PER_HOUR),
        }),
        EventBody::FundingSettlement(FundingSettlement {
            rate: -r,
            interval_h: 8,
        }),
        EventBody::OpenInterest(OpenInterest { qty: q, value: m }),
        EventBody::Liquidation(Liquidation {
            side: Side::Sell,
            price: p,
            qty: q,
        }),
        EventBody::LongShortRatio(LongShortRatio {
            source: RatioSource::TopPositions,
            ratio: r,
        }),
        EventBody::TakerVolume(TakerVolume { buy: q, sell: q }),
    ]
}

/// Events of every kind on three instruments, `n` rounds of 13, several sharing a timestamp.
pub fn mixed_events(n: i64) -> Vec<Event> {
    let mut out = Vec::new();
    for k in 0..n {
        for (j, body) in one_of_each(k).into_iter().enumerate() {
            out.push(Event {
                ts: t(k * 100 + j as i64 / 4),
                instrument: InstrumentId((j % 3) as u32),
                body,
            });
        }
    }
    out
}

pub fn instruments3() -> Vec<InstrumentSpec> {
    vec![btc_perp(), btc_spot(), eth_perp()]
}

pub fn write_log(path: &Path, instruments: Vec<InstrumentSpec>, events: &[Event]) -> WriteSummary {
    let mut w = Writer::create(path, instruments, "test fixture").unwrap();
    w.write_all(events).unwrap();
    w.finish().unwrap()
}

/// All events through the iterator API.
pub fn read_iter(path: &Path) -> Result<Vec<Event>, JournalError> {
    Reader::open(path)?.collect()
}

/// All events through the batch API.
pub fn read_blocks(path: &Path) -> Result<Vec<Event>, JournalError> {
    let mut r = Reader::open(path)?;
    let mut out = Vec::new();
    let mut block = Vec::new();
    while r.next_block(&mut block)? {
        assert!(!block.is_empty(), "next_block returned true with no events");
        out.extend_from_slice(&block);
    }
    assert!(block.is_empty());
    assert!(
        !r.next_block(&mut block).unwrap(),
        "a finished reader stays finished"
    );
    Ok(out)
}

/// Reads the whole log through both APIs, asserts they agree, and renders the outcome:
/// `ok: N events` or the error message with the temp dir redacted.
pub fn check_read(tmp: &Tmp, path: &Path) -> String {
    let a = read_iter(path);
    let b = read_blocks(path);
    match (a, b) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "iterator and batch API disagree");
            format!("ok: {} events", a.len())
        }
        (Err(a), Err(b)) => {
            assert_eq!(
                a.to_string(),
                b.to_string(),
                "iterator and batch API disagree"
            );
            tmp.redact(&a.to_string())
        }
        (a, b) => panic!(
            "iterator and batch API disagree: {:?} vs {:?}",
            a.map(|v| v.len()),
            b.map(|v| v.len())
        ),
    }
}

/// Parses the frames of a log by the documented layout, independently of the `Reader`:
/// `(block offset, payload length, event count)` per block, and the footer's trailer offset.
pub fn frames(bytes: &[u8]) -> (Vec<(usize, usize, u32)>, usize) {
    let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    let footer = bytes.len() - 40;
    let trailer_offset = u64_at(footer) as usize;
    let mut at = 12;
    let mut out = Vec::new();
    while at < trailer_offset {
        let len = u32_at(at) as usize;
        out.push((at, len, u32_at(at + 4)));
        at += 16 + len;
    }
    assert_eq!(at, trailer_offset);
    (out, trailer_offset)
}

/// Rewrites the checksum of the block at `offset` to match its (edited) payload.
pub fn fix_block_checksum(bytes: &mut [u8], offset: usize) {
    let len = u32::from_le_bytes(bytes[offset..offset + 4].try_into().unwrap()) as usize;
    let sum = xxhash_rust::xxh3::xxh3_64(&bytes[offset + 16..offset + 16 + len]);
    bytes[offset + 8..offset + 16].copy_from_slice(&sum.to_le_bytes());
}
