use thiserror::Error;

/// Errors from building or parsing core values.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TypesError {
    /// A decimal string was not a finite number with at most 8 decimals. The caller should
    /// report the offending text and where it came from (file, line, column).
    #[error("expected a decimal number with at most 8 decimals, found {text:?}: {why}")]
    BadDecimal {
        /// The text as found.
        text: String,
        /// What was wrong with it.
        why: &'static str,
    },
    /// A value does not fit the 64-bit fixed-point range (about ±92 billion units).
    #[error("{what} overflows the fixed-point range")]
    Overflow {
        /// The quantity that overflowed.
        what: &'static str,
    },
    /// A timestamp string was not an ISO-8601 / `YYYY-MM-DD hh:mm:ss[.frac]` UTC time.
    #[error("expected a UTC timestamp like 2025-10-10T21:20:00Z, found {text:?}")]
    BadTimestamp {
        /// The text as found.
        text: String,
    },
    /// A margin tier table is malformed (not starting at 0, not contiguous, rates falling…).
    #[error("bad margin tier table: {0}")]
    BadTiers(String),
}
