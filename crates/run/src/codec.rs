//! The one place that turns run-journal records into bytes, and the rolling hash over them.
//!
//! Encoding: bincode 2 through serde, `standard()` configuration with fixed-width integers,
//! the same codec the event logs use. Nothing else in the engine calls bincode, so changing
//! the encoding means changing this file and bumping [`crate::run_journal::FORMAT_VERSION`].
//!
//! Rolling hash: `h₀ = HASH_SEED`, `hₙ₊₁ = xxh3_64_with_seed(bytes(recordₙ), hₙ)` — xxh3
//! chained over each record's encoded bytes, so the final hash depends on every byte of every
//! record *and* on their order.

use bincode::config::{Configuration, Fixint, LittleEndian, NoLimit};
use cascade_engine::Record;
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
    // Encoding a plain value into a Vec cannot fail: there is no IO and no size limit.
    bincode::serde::encode_into_std_write(record, out, CONFIG).expect("records always encode");
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
    use cascade_engine::RecordBody;
    use cascade_types::Ts;

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
