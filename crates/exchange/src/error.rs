//! The crate's one error type. Order-level refusals are not errors: they are
//! [`Output::Rejected`](cascade_types::Output::Rejected) values in the output stream. These are
//! the failures of *setting up* an exchange, and the invariant checker's findings.

use thiserror::Error;

/// Everything that can go wrong building or checking an exchange.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ExchangeError {
    /// A venue rule set (preset or user TOML/JSON) is malformed. The caller should report the
    /// text to the user and stop: a run with half-read rules would be meaningless.
    #[error("bad venue rules: {0}")]
    BadRules(String),
    /// An instrument's configuration is inconsistent (no tiers for a perpetual, a zero tick,
    /// an insurance fund index out of range…). Fix the scenario and start again.
    #[error("bad instrument {symbol}: {why}")]
    BadInstrument {
        /// The instrument's symbol.
        symbol: String,
        /// What is wrong.
        why: String,
    },
    /// No embedded margin-tier table covers this symbol on this date. The caller should supply
    /// its own table (`TierTable::from_brackets`) or choose a covered date.
    #[error("no {venue} tier table for {symbol} on {date}")]
    NoTierTable {
        /// Venue name.
        venue: &'static str,
        /// Symbol asked for.
        symbol: String,
        /// Date asked for (UTC).
        date: String,
    },
    /// A venue preset's text form is not one the exchange knows, or an undated preset has no
    /// date to take its rules from. The message names the text and the known forms.
    #[error("{0}")]
    UnknownVenue(String),
    /// A venue preset has no tier table for an instrument of the run (the message names
    /// both).
    #[error("{0}")]
    NoVenueTiers(String),
    /// The invariant checker found a broken book: a bug in the exchange model, never bad
    /// input. Tests fail on it; a run should stop and report it.
    #[error("invariant violated: {0}")]
    Invariant(String),
}

/// What [`check_invariants`](crate::check_invariants) returns on failure.
pub type InvariantViolation = ExchangeError;
