//! Serde helpers that write fixed-point numbers as decimal strings (`"0.0005"`), so that rule
//! files a person writes in TOML or JSON read like the venue's documentation rather than raw
//! 10⁻⁸ counts.

use serde::{Deserialize, Deserializer, Serializer};
use std::fmt::Display;
use std::str::FromStr;

/// Serialises any fixed-point value through its exact `Display`.
pub(crate) fn serialize<T: Display, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// Parses a decimal string exactly (more than 8 decimals is an error, never a rounding).
pub(crate) fn deserialize<'de, T, D>(d: D) -> Result<T, D::Error>
where
    T: FromStr,
    T::Err: Display,
    D: Deserializer<'de>,
{
    let text = String::deserialize(d)?;
    text.parse::<T>().map_err(serde::de::Error::custom)
}
