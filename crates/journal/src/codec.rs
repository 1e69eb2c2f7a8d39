//! The one place that knows how events and headers become bytes: bincode 2 through its serde
//! API, `standard()` configuration with **fixed-width integers** (decoding fixed-width
//! integers is a plain load; varints cost a branch per byte).
//!
//! Nothing else in the crate calls bincode, so swapping the codec means changing this file
//! and bumping [`crate::format::FORMAT_VERSION`].
//!
//! **Speed.** Decoding is a chain of serde-generated and bincode functions
//! (`Event::deserialize` → bincode's `deserialize_struct` → the derived visitor → …) that
//! rustc instantiates here, in this crate. With several codegen units they can land in
//! different units and are then not inlined into one another, which halves decode
//! throughput (measured: about 28M events/s with the workspace's `codegen-units = 4`, about
//! 55M with 1). The workspace should therefore build this crate as one unit:
//!
//! ```toml
//! [profile.release.package.cascade-journal]
//! codegen-units = 1
//! ```

use crate::format::{Header, TRAILER_MAX_BYTES};
use bincode::config::{Configuration, Fixint, LittleEndian, NoLimit};
use cascade_types::Event;

/// The configuration of every encoded event.
const CONFIG: Configuration<LittleEndian, Fixint, NoLimit> =
    bincode::config::standard().with_fixed_int_encoding();

/// The fewest bytes any event encodes to (a mark or index price: ts 8, instrument 4, body
/// tag 4, price 8). Bounds how many events a block of a given size can claim to hold.
pub(crate) const MIN_EVENT_BYTES: usize = 24;

/// Why bytes could not be encoded or decoded, in the codec's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CodecError(pub String);

/// bincode's own messages are its `Debug` output; say the common cases in words.
#[cold]
fn describe(e: bincode::error::DecodeError) -> String {
    use bincode::error::DecodeError as E;
    match e {
        E::OtherString(text) => text,
        E::UnexpectedEnd { additional } => format!("the bytes end {additional} bytes too early"),
        other => other.to_string(),
    }
}

/// Room for the largest event (a bar: 104 bytes) with margin.
const MAX_EVENT_BYTES: usize = 256;

/// Appends the encoding of `event` to `out`.
#[inline]
pub(crate) fn encode_event(event: &Event, out: &mut Vec<u8>) -> Result<(), CodecError> {
    // Encoding into a stack buffer and copying once is several times faster than going
    // through `io::Write` field by field.
    let mut scratch = [0u8; MAX_EVENT_BYTES];
    let n = bincode::serde::encode_into_slice(event, &mut scratch, CONFIG)
        .map_err(|e| CodecError(e.to_string()))?;
    out.extend_from_slice(&scratch[..n]);
    Ok(())
}

/// Decodes one event from the front of `bytes`; returns it and how many bytes it used.
#[cfg(test)]
fn decode_event(bytes: &[u8]) -> Result<(Event, usize), CodecError> {
    bincode::serde::decode_from_slice(bytes, CONFIG).map_err(|e| CodecError(describe(e)))
}

/// Why a block payload did not decode to its announced events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BlockError {
    /// Event `index` of the block, starting at byte `offset` of the payload, did not decode.
    Undecodable {
        index: usize,
        offset: usize,
        detail: String,
    },
    /// All events decoded but used only `used` bytes of the payload.
    Trailing { used: usize },
}

/// Decodes a block payload that holds exactly `count` events, appending them to `out`.
///
/// The hot path of every reader: one `decode_from_slice` per event straight into `out`, no
/// allocation once `out` has grown to a block's worth of events.
#[inline]
pub(crate) fn decode_block(
    payload: &[u8],
    count: usize,
    out: &mut Vec<Event>,
) -> Result<(), BlockError> {
    out.reserve(count);
    let mut pos = 0;
    for index in 0..count {
        let rest = payload.get(pos..).unwrap_or_default();
        match bincode::serde::decode_from_slice::<Event, _>(rest, CONFIG) {
            Ok((event, used)) => {
                out.push(event);
                pos += used;
            }
            Err(e) => {
                return Err(BlockError::Undecodable {
                    index,
                    offset: pos,
                    detail: describe(e),
                })
            }
        }
    }
    if pos != payload.len() {
        return Err(BlockError::Trailing { used: pos });
    }
    Ok(())
}

/// Byte offset within a payload of its event `index`, found by decoding the events before
/// it. Only for error messages (the payload is known to decode).
#[cold]
pub(crate) fn event_offset(payload: &[u8], index: usize) -> usize {
    let mut pos = 0;
    for _ in 0..index {
        let rest = payload.get(pos..).unwrap_or_default();
        match bincode::serde::decode_from_slice::<Event, _>(rest, CONFIG) {
            Ok((_, used)) => pos += used,
            Err(_) => break,
        }
    }
    pos
}

/// Encodes a header (the trailer of a log).
pub(crate) fn encode_header(header: &Header) -> Result<Vec<u8>, CodecError> {
    bincode::serde::encode_to_vec(header, CONFIG).map_err(|e| CodecError(e.to_string()))
}

/// Decodes a header, which must use up all of `bytes`. Allocation is bounded by the trailer
/// size limit, so a corrupt length prefix cannot make the decoder reserve gigabytes.
pub(crate) fn decode_header(bytes: &[u8]) -> Result<Header, CodecError> {
    const LIMIT: usize = TRAILER_MAX_BYTES as usize;
    let (header, used): (Header, usize) =
        bincode::serde::decode_from_slice(bytes, CONFIG.with_limit::<LIMIT>())
            .map_err(|e| CodecError(describe(e)))?;
    if used != bytes.len() {
        return Err(CodecError(format!(
            "the header used {used} of the trailer's {} bytes",
            bytes.len()
        )));
    }
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cascade_types::{EventBody, InstrumentId, Price, Qty, Side, Trade, Ts};

    fn trade() -> Event {
        Event {
            ts: Ts(1),
            instrument: InstrumentId(2),
            body: EventBody::Trade(Trade {
                price: Price::from_raw(3),
                qty: Qty::from_raw(4),
                aggressor: Side::Sell,
                trade_id: 5,
            }),
        }
    }

    #[test]
    fn a_trade_is_44_fixed_width_bytes() {
        let mut out = Vec::new();
        encode_event(&trade(), &mut out).unwrap();
        // ts 8, instrument 4, body tag 4, price 8, qty 8, side tag 4, trade id 8.
        assert_eq!(out.len(), 44);
        assert_eq!(&out[..8], &1i64.to_le_bytes());
        assert_eq!(&out[12..16], &0u32.to_le_bytes(), "Trade is variant 0");
        assert_eq!(decode_event(&out).unwrap(), (trade(), 44));
    }

    #[test]
    fn no_event_encodes_shorter_than_the_minimum() {
        let p = Price::from_raw(1);
        let bodies = [
            EventBody::MarkPrice(p),
            EventBody::IndexPrice(p),
            EventBody::LongShortRatio(cascade_types::LongShortRatio {
                source: cascade_types::RatioSource::Global,
                ratio: cascade_types::Rate::from_raw(1),
            }),
            EventBody::FundingSettlement(cascade_types::FundingSettlement {
                rate: cascade_types::Rate::from_raw(1),
                interval_h: 8,
            }),
        ];
        let mut sizes = Vec::new();
        for body in bodies {
            let mut out = Vec::new();
            encode_event(
                &Event {
                    ts: Ts(0),
                    instrument: InstrumentId(0),
                    body,
                },
                &mut out,
            )
            .unwrap();
            sizes.push(out.len());
        }
        assert_eq!(sizes.iter().min(), Some(&MIN_EVENT_BYTES), "{sizes:?}");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut out = Vec::new();
        encode_event(&trade(), &mut out).unwrap();
        out[12] = 200; // no such EventBody variant
        assert!(decode_event(&out).is_err());
        assert!(decode_event(&out[..10]).is_err());
        assert!(decode_header(&[0xff; 64]).is_err());
        let mut events = Vec::new();
        assert_eq!(
            decode_block(&out, 1, &mut events),
            Err(BlockError::Undecodable {
                index: 0,
                offset: 0,
                detail: "invalid value: integer `200`, expected variant index 0 <= i < 13"
                    .to_string()
            })
        );
    }

    #[test]
    fn blocks_decode_exactly_their_events() {
        let mut payload = Vec::new();
        for _ in 0..3 {
            encode_event(&trade(), &mut payload).unwrap();
        }
        let mut events = Vec::new();
        decode_block(&payload, 3, &mut events).unwrap();
        assert_eq!(events, vec![trade(); 3]);
        assert_eq!(event_offset(&payload, 2), 88);
        assert_eq!(
            decode_block(&payload, 2, &mut events),
            Err(BlockError::Trailing { used: 88 })
        );
        assert_eq!(
            decode_block(&payload, 4, &mut events),
            Err(BlockError::Undecodable {
                index: 3,
                offset: 132,
                detail: "the bytes end 8 bytes too early".to_string()
            })
        );
    }
}
