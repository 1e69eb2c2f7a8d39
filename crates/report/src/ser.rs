//! Serde helpers: exact fixed-point values and times are written as strings in JSON
//! (`"1500.5"`, `"2025-10-10T21:20:00Z"`), never as raw integers or floats.

use cascade_types::Ts;
use serde::ser::SerializeSeq;
use serde::Serializer;
use std::fmt::Display;

/// Any `Display` value as a JSON string.
pub(crate) fn display<T: Display, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// An optional `Display` value as a JSON string or `null`.
pub(crate) fn opt_display<T: Display, S: Serializer>(
    v: &Option<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

/// An optional `(start, end)` window as `["start", "end"]` or `null`.
pub(crate) fn opt_window<S: Serializer>(v: &Option<(Ts, Ts)>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some((a, b)) => {
            let mut seq = s.serialize_seq(Some(2))?;
            seq.serialize_element(&a.to_string())?;
            seq.serialize_element(&b.to_string())?;
            seq.end()
        }
        None => s.serialize_none(),
    }
}
