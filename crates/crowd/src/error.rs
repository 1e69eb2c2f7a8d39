//! The crate's one error type: what can go wrong setting a crowd up. Nothing in the event path
//! fails — a crowd position the exchange refuses is counted, never an error.

use thiserror::Error;

/// Everything that can go wrong configuring or seeding a crowd.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CrowdError {
    /// The configuration (TOML, JSON or built in code) is out of range or malformed. The
    /// message names the field; fix it and build the crowd again.
    #[error("bad crowd config: {0}")]
    BadConfig(String),
    /// The crowd's instrument is not a perpetual of the exchange it was built for. Choose a
    /// perpetual's instrument id (its index in the exchange's instrument list).
    #[error("instrument {0} is not a perpetual of this exchange")]
    NotAPerpetual(u32),
    /// A starting book could not be seeded: no price to open at, or a position the exchange
    /// refused. The message says which; seed with a reference price or fix the position.
    #[error("cannot seed the crowd's book: {0}")]
    Seed(String),
    /// A calibration was asked with nothing to fit: an empty grid, or a window without any
    /// recorded liquidation. Give a grid and a window that holds recorded liquidations.
    #[error("cannot calibrate: {0}")]
    Calibration(String),
    /// The crowd's own bookkeeping disagrees with the exchange (found by
    /// [`Crowd::check_consistency`](crate::Crowd::check_consistency)): a bug, never bad
    /// input. Tests fail on it; a run should stop and report it.
    #[error("crowd bookkeeping inconsistent: {0}")]
    Inconsistent(String),
}
