//! The one place that turns run-journal records into bytes, and the rolling hash over them.
//!
//! Encoding: bincode 2 through serde, `standard()` configuration with fixed-width integers,
//! the same codec the event logs use. Nothing else in the engine calls bincode, so changing
//! the encoding means changing this file and bumping [`crate::run_journal::FORMAT_VERSION`].
//! A market record of a trade — one per input trade, hashed though not stored — is written
//! by hand with the bytes bincode would write (checked against bincode in the tests): it is
//! the one encoding on the engine's thread for every input event.
//!
//! Rolling hash: `h₀ = HASH_SEED`, `hₙ₊₁ = xxh3_64_with_seed(bytes(recordₙ), hₙ)` — xxh3
//! chained over each record's encoded bytes, so the final hash depends on every byte of every
//! record *and* on their order.

use bincode::config::{Configuration, Fixint, LittleEndian, NoLimit};
use cascade_engine::{Record, RecordBody};
use cascade_types::{Event, EventBody, Side, Trade, Ts};
use serde::de::DeserializeOwned;
use serde::Serialize;

const CONFIG: Configuration<LittleEndian, Fixint, NoLimit> =
    bincode::config::standard().with_fixed_int_encoding();

/// The rolling hash before any record.
pub const HASH_SEED: u64 = 0x6361_7363_6164_6521; // "cascade!"

/// Why bytes could not be encoded or decoded, in the codec's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecError(pub String);

/// Appends the encoding of `record` to `out`.
#[inline]
pub fn encode_record(record: &Record, out: &mut Vec<u8>) {
    if let RecordBody::Market(Event {
        ts,
        instrument,
        body: EventBody::Trade(t),
    }) = &record.body
    {
        encode_market_trade(record.seq, record.ts, *ts, instrument.0, t, out);
        return;
    }
    // Encoding a plain value into a Vec cannot fail: there is no IO and no size limit.
    bincode::serde::encode_into_std_write(record, out, CONFIG).expect("records always encode");
}

/// The bytes bincode writes for a market record of a trade (the most common record, hashed
/// for every trade of the inputs), written directly: fixed-width little-endian fields in
/// declaration order, `u32` enum variant indices. `a_market_trade_encodes_as_bincode_does`
/// checks them against bincode's.
#[inline]
fn encode_market_trade(
    seq: u64,
    record_ts: Ts,
    ts: Ts,
    instrument: u32,
    t: &Trade,
    out: &mut Vec<u8>,
) {
    const RECORD_MARKET: u32 = 0;
    const EVENT_TRADE: u32 = 0;
    let mut b = [0u8; 64];
    b[0..8].copy_from_slice(&seq.to_le_bytes());
    b[8..16].copy_from_slice(&record_ts.0.to_le_bytes());
    b[16..20].copy_from_slice(&RECORD_MARKET.to_le_bytes());
    b[20..28].copy_from_slice(&ts.0.to_le_bytes());
    b[28..32].copy_from_slice(&instrument.to_le_bytes());
    b[32..36].copy_from_slice(&EVENT_TRADE.to_le_bytes());
    b[36..44].copy_from_slice(&t.price.raw().to_le_bytes());
    b[44..52].copy_from_slice(&t.qty.raw().to_le_bytes());
    let side: u32 = match t.aggressor {
        Side::Buy => 0,
        Side::Sell => 1,
    };
    b[52..56].copy_from_slice(&side.to_le_bytes());
    b[56..64].copy_from_slice(&t.trade_id.to_le_bytes());
    out.extend_from_slice(&b);
}

/// Decodes one record from the front of `bytes`; returns it and how many bytes it used.
#[inline]
pub fn decode_record(bytes: &[u8]) -> Result<(Record, usize), CodecError> {
    bincode::serde::decode_from_slice(bytes, CONFIG).map_err(|e| CodecError(e.to_string()))
}

/// Encodes any other journal value (the trailer) with the same configuration.
pub fn encode_value<T: Serialize>(value: &T) -> Vec<u8> {
    bincode::serde::encode_to_vec(value, CONFIG).expect("journal values always encode")
}

/// Decodes a value that must use up all of `bytes`.
pub fn decode_value<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    let (v, used): (T, usize) =
        bincode::serde::decode_from_slice(bytes, CONFIG).map_err(|e| CodecError(e.to_string()))?;
    if used != bytes.len() {
        return Err(CodecError(format!("used {used} of {} bytes", bytes.len())));
    }
    Ok(v)
}

/// One step of the rolling hash: the hash after a record whose encoding is `bytes`.
#[inline]
pub fn chain(previous: u64, bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(bytes, previous)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cascade_types::{InstrumentId, Price, Qty};

    #[test]
    fn a_market_trade_encodes_as_bincode_does() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for i in 0..10_000u64 {
            let r = Record {
                seq: if i < 2 { i * u64::MAX } else { next() },
                ts: Ts(next() as i64),
                body: RecordBody::Market(Event {
                    ts: Ts(next() as i64),
                    instrument: InstrumentId(next() as u32),
                    body: EventBody::Trade(Trade {
                        price: Price::from_raw(next() as i64),
                        qty: Qty::from_raw(next() as i64),
                        aggressor: if next() & 1 == 0 {
                            Side::Buy
                        } else {
                            Side::Sell
                        },
                        trade_id: next(),
                    }),
                }),
            };
            let (mut fast, mut slow) = (vec![7u8], vec![7u8]);
            encode_record(&r, &mut fast);
            bincode::serde::encode_into_std_write(r, &mut slow, CONFIG).unwrap();
            assert_eq!(fast, slow, "{r}");
            assert_eq!(decode_record(&fast[1..]).unwrap(), (r, 64));
        }
    }

    #[test]
    fn records_round_trip_and_the_hash_depends_on_order() {
        let a = Record {
            seq: 0,
            ts: Ts(1),
            body: RecordBody::Arrival { id: 1 },
        };
        let b = Record {
            seq: 1,
            ts: Ts(2),
            body: RecordBody::Arrival { id: 2 },
        };
        let (mut ea, mut eb) = (Vec::new(), Vec::new());
        encode_record(&a, &mut ea);
        encode_record(&b, &mut eb);
        assert_eq!(decode_record(&ea).unwrap(), (a, ea.len()));
        let ab = chain(chain(HASH_SEED, &ea), &eb);
        let ba = chain(chain(HASH_SEED, &eb), &ea);
        assert_ne!(ab, ba);
        assert!(decode_record(&ea[..5]).is_err());
    }
}
