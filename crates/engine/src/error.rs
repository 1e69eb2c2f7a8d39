//! The engine's one error type. Each variant says what the caller should do about it.

use cascade_journal::JournalError;
use cascade_types::Ts;
use std::path::PathBuf;
use thiserror::Error;

/// Everything that can stop a run, a sweep, a merge of shard results or a replay.
#[derive(Debug, Error)]
pub enum EngineError {
    /// An input event log is missing, unreadable, corrupt, truncated or out of order (the
    /// journal crate's error names the file, block and byte offset). The caller should fix or
    /// re-create the input; nothing of the run is kept.
    #[error("input: {0}")]
    Input(#[from] JournalError),

    /// The operating system refused a file operation on one of the run's outputs (or a
    /// manifest, sweep file or shard result). Check the path, permissions and disk space.
    #[error("{}: I/O error while {doing}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the engine was doing.
        doing: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

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

    /// A report could not be built or written.
    #[error("report: {0}")]
    Report(String),

    /// The strategy scheduled more commands and timers than may be pending at once: it is
    /// flooding the exchange. Fix the strategy (or raise the bound).
    #[error("at ts {}: more than {capacity} commands and timers pending; the strategy is flooding the scheduler", at.nanos())]
    SchedulerFull {
        /// The bound.
        capacity: usize,
        /// When it was hit.
        at: Ts,
    },

    /// A run journal's bytes are not what its writer wrote (changed, truncated or not a
    /// journal at all). The run cannot be trusted; re-run it.
    #[error("{}: {region} at byte {offset}: corrupt run journal: {detail}", path.display())]
    CorruptJournal {
        /// The journal.
        path: PathBuf,
        /// Which part (`preamble`, `block 3`, `trailer`, `footer`).
        region: String,
        /// Byte offset from the start of the file.
        offset: u64,
        /// What was expected and what was found.
        detail: String,
    },

    /// Two hashes that must agree do not: the journal, the manifest or the re-run differ.
    /// The run's results cannot be trusted (the journal or manifest was changed, or the
    /// engine is not deterministic — a bug to report).
    #[error("hash mismatch ({what}): expected {expected:#018x}, found {found:#018x}")]
    HashMismatch {
        /// Which hashes.
        what: String,
        /// The recorded hash.
        expected: u64,
        /// The recomputed hash.
        found: u64,
    },

    /// A replay produced a different record than the journal holds at `seq`.
    #[error("replay diverged at record {seq}: the journal has `{journal}`, the re-run produced `{rerun}`")]
    ReplayDiverged {
        /// Sequence number of the first differing record.
        seq: u64,
        /// The record in the journal.
        journal: String,
        /// The record the re-run produced.
        rerun: String,
    },

    /// A replayed journal's market records are not the events of the run's input logs: the
    /// journal's inputs were changed after the run.
    #[error("the journal's input {index} is `{journal}`, but the input logs have `{log}`: the journal's inputs were changed")]
    InputMismatch {
        /// 0-based index of the first differing market event.
        index: u64,
        /// The journal's event.
        journal: String,
        /// The logs' event.
        log: String,
    },

    /// A replay reached a different final state than the journal and manifest record.
    #[error("replay final state differs: {0}")]
    StateMismatch(String),

    /// A run directory is not a whole, finished run (no manifest: the run was interrupted or
    /// is still going) or its manifest is unreadable. Re-run it.
    #[error("{}: {detail}", path.display())]
    BadRun {
        /// The run directory or manifest.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },

    /// A sweep file is malformed. Fix the file (the message names the key).
    #[error("{}: bad sweep file: {detail}", path.display())]
    BadSweep {
        /// The sweep file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },

    /// Shard result files do not make up one whole sweep (overlap, gap, different sweeps).
    /// Pass exactly one result file per shard `0..n` of one sweep.
    #[error("cannot merge shards: {0}")]
    Shards(String),

    /// A pipeline thread stopped unexpectedly (a panic). This is a bug; report it.
    #[error("pipeline: {0}")]
    Pipeline(String),
}
