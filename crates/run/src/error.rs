//! The run crate's one error type. Each variant says what the caller should do about it.

use cascade_engine::EngineError;
use cascade_journal::JournalError;
use std::path::PathBuf;
use thiserror::Error;

/// Everything that can stop a run, a sweep, a merge of shard results or a replay.
#[derive(Debug, Error)]
pub enum RunError {
    /// The engine refused the setup or stopped the loop (bad configuration, strategy or
    /// venue, a flooding strategy, a broken exchange invariant); its message says which.
    #[error(transparent)]
    Engine(#[from] EngineError),

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

    /// An output path the run would write (a run directory or a file in it) is a symbolic
    /// link, not of the expected kind, or a directory holding files that are not a run's: it
    /// is left as it is. Choose another output path.
    #[error("{}: refusing to write: {why}", path.display())]
    UnsafeOutput {
        /// The path.
        path: PathBuf,
        /// What is in the way.
        why: String,
    },

    /// A report could not be built or written.
    #[error("report: {0}")]
    Report(String),

    /// A run journal's frame (preamble, block frames and checksums, trailer, footer) is not
    /// what its writer wrote: changed, truncated or not a journal at all. The journal crate's
    /// error names the file, block and byte offset. The run cannot be trusted; re-run it.
    #[error("run journal: {0}")]
    RunJournal(JournalError),

    /// A run journal's records are not what its writer wrote (checksums intact, contents
    /// inconsistent). The run cannot be trusted; re-run it.
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

    /// A replay cannot use an input log the run journal names: it is missing, or is not the
    /// log the run read. Put the run's own log back at its recorded path.
    #[error("input log {}: {detail}", path.display())]
    InputLog {
        /// The log's recorded path.
        path: PathBuf,
        /// What is wrong, with the recorded content hash.
        detail: String,
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

impl RunError {
    /// A configuration error ([`EngineError::Config`]).
    pub fn config(message: String) -> RunError {
        RunError::Engine(EngineError::Config(message))
    }

    /// A strategy error ([`EngineError::Strategy`]).
    pub fn strategy(message: String) -> RunError {
        RunError::Engine(EngineError::Strategy(message))
    }
}
