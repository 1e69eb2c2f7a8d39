//! How scenario files spell exact numbers and times, for serde.
//!
//! - **Decimals** ([`Price`](cascade_types::Price), [`Qty`](cascade_types::Qty),
//!   [`Rate`](cascade_types::Rate)) may be written as a TOML integer (`122000`), float
//!   (`101516.5`, `-0.00375`) or string (`"0.1"`). A float is converted through its shortest
//!   round-trip decimal text (Rust's `Display` of `f64`), so `101516.5` becomes exactly
//!   101516.5 — never the nearest binary fraction. More than 8 decimals is an error.
//! - **Times** ([`Ts`]) are UTC strings as [`Ts::parse_utc`] reads them
//!   (`"2025-10-10T21:20:00Z"`); an unquoted TOML datetime is accepted too.
//! - **Windows** are two times, `["start", "end"]`, start inclusive, end exclusive.

use cascade_types::{Ts, TypesError};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

/// The key under which the `toml` crate hands an unquoted datetime to a visitor.
const TOML_DATETIME_KEY: &str = "$__toml_private_datetime";

struct DecimalVisitor<T>(PhantomData<T>);

impl<T: FromStr<Err = TypesError>> DecimalVisitor<T> {
    fn parse<E: de::Error>(text: &str) -> Result<T, E> {
        text.parse::<T>().map_err(E::custom)
    }
}

impl<'de, T: FromStr<Err = TypesError>> Visitor<'de> for DecimalVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal number with at most 8 decimals")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        Self::parse(&v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        Self::parse(&v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        if !v.is_finite() {
            return Err(E::custom(format!(
                "expected a finite decimal number, found {v}"
            )));
        }
        Self::parse(&v.to_string())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Self::parse(v)
    }
}

/// Deserializes a fixed-point decimal (see the module docs).
pub fn decimal<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr<Err = TypesError>,
{
    d.deserialize_any(DecimalVisitor(PhantomData))
}

/// Deserializes an optional fixed-point decimal; use with `#[serde(default)]`.
pub fn decimal_opt<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr<Err = TypesError>,
{
    decimal(d).map(Some)
}

struct TsVisitor;

impl<'de> Visitor<'de> for TsVisitor {
    type Value = Ts;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a UTC time like \"2025-10-10T21:20:00Z\"")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Ts, E> {
        Ts::parse_utc(v).map_err(E::custom)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ts, A::Error> {
        // An unquoted TOML datetime arrives as a one-entry map under a private key.
        match map.next_key::<String>()? {
            Some(k) if k == TOML_DATETIME_KEY => {
                let text: String = map.next_value()?;
                Ts::parse_utc(&text).map_err(de::Error::custom)
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

/// Deserializes a UTC time (see the module docs).
pub fn ts<'de, D: Deserializer<'de>>(d: D) -> Result<Ts, D::Error> {
    d.deserialize_any(TsVisitor)
}

/// Deserializes an optional UTC time; use with `#[serde(default)]`.
pub fn ts_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Ts>, D::Error> {
    ts(d).map(Some)
}

/// A time wrapped so it can sit in a sequence.
struct TsElem(Ts);

impl<'de> de::Deserialize<'de> for TsElem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ts(d).map(TsElem)
    }
}

struct WindowVisitor;

impl<'de> Visitor<'de> for WindowVisitor {
    type Value = (Ts, Ts);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("two UTC times [start, end]")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(Ts, Ts), A::Error> {
        let start: TsElem = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let end: TsElem = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        if seq.next_element::<TsElem>()?.is_some() {
            return Err(de::Error::invalid_length(3, &self));
        }
        Ok((start.0, end.0))
    }
}

/// Deserializes a `[start, end]` pair of UTC times.
pub fn window<'de, D: Deserializer<'de>>(d: D) -> Result<(Ts, Ts), D::Error> {
    d.deserialize_seq(WindowVisitor)
}

/// Deserializes an optional `[first, last]` pair of UTC times; use with `#[serde(default)]`.
pub fn window_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<(Ts, Ts)>, D::Error> {
    window(d).map(Some)
}
