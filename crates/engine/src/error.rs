//! The engine's one error type. Each variant says what the caller should do about it.

use cascade_types::{InstrumentId, Ts};
use thiserror::Error;

/// Everything that can stop the loop or refuse its setup.
#[derive(Debug, Error)]
pub enum EngineError {
    /// The run configuration is unusable (no inputs, a zero batch size, an unknown venue
    /// preset, a bad latency…). Fix the arguments.
    #[error("bad run configuration: {0}")]
    Config(String),
    /// The inputs lack a stream the venue needs in the run's window (a perpetual without a
    /// mark or funding) and no stand-in was chosen: add the data, or choose one
    /// (`--mark-default`, `--funding-default`) and the card will name it.
    #[error("missing input stream: {0}")]
    Coverage(String),

    /// The strategy could not be found or built (unknown name, bad parameter). Fix the
    /// strategy name or parameters; `backtest run --help` lists the registered strategies.
    #[error("strategy: {0}")]
    Strategy(String),

    /// The exchange model could not be set up for this venue and these instruments, or its
    /// invariant checker found a broken book (a bug, to be reported).
    #[error("exchange: {0}")]
    Exchange(String),

    /// The strategy scheduled more commands and timers than may be pending at once: it is
    /// flooding the exchange. Fix the strategy (or raise the bound).
    #[error("at ts {}: more than {capacity} commands and timers pending; the strategy is flooding the scheduler", at.nanos())]
    SchedulerFull {
        /// The bound.
        capacity: usize,
        /// When it was hit.
        at: Ts,
    },

    /// A market event of the input holds a value outside the documented range of
    /// `cascade_types::bounds` (the importers refuse such rows; a log written otherwise may
    /// hold one), or a computation on it does not fit the fixed-point range. The run stops at
    /// that event; fix or drop it in the input.
    #[error("event at {} (ts {}, instrument {instrument}): {problem}", at, at.nanos())]
    BadEvent {
        /// The event's timestamp.
        at: Ts,
        /// The event's instrument.
        instrument: InstrumentId,
        /// What is wrong with it.
        problem: String,
    },

    /// The caller's record sink stopped taking records (in `cascade-run`: writing the journal
    /// or a replay's comparison failed, and its own error says why).
    #[error("pipeline: {0}")]
    Pipeline(String),
}
