//! `replay --verify`: re-runs a finished run from its journal — its recorded market events,
//! with the strategy, parameters, venue and settings of its manifest — and checks, record by
//! record, that the re-run produces the same journal, the same final hash and the same final
//! state.
//!
//! What it catches, in the order it checks:
//! 1. a changed byte anywhere in the journal: a block checksum, the trailer checksum, or the
//!    frame checks fail, naming the block and byte offset;
//! 2. a journal whose records were rewritten consistently (checksums fixed up): the rolling
//!    hash no longer matches the manifest's, or the re-run's records differ from the
//!    journal's at the first changed one;
//! 3. an engine that is not deterministic: the re-run diverges.

use crate::error::RunError;
use crate::exec::ExecConfig;
use crate::execute::{execute, Job};
use crate::files::JOURNAL;
use crate::manifest::Manifest;
use crate::run_journal::{JournalReader, JournalWriter};
use crate::source::{open_logs, CheckedAgainstLogs, EventSource, JournalMarket};
use cascade_engine::Venue;
use cascade_strategy::Registry;
use std::path::Path;

/// What a successful verification found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// Records compared.
    pub records: u64,
    /// The final rolling hash (equal in journal, manifest and re-run).
    pub final_hash: u64,
    /// True when the journal's market records were also checked against the run's input
    /// logs (they were found at their recorded paths with their recorded content hashes).
    pub inputs_checked: bool,
}

fn parse_hash(text: &str, dir: &Path) -> Result<u64, RunError> {
    u64::from_str_radix(text, 16).map_err(|_| RunError::BadRun {
        path: dir.to_path_buf(),
        detail: format!("manifest journal.final_hash {text:?} is not 16 hex digits"),
    })
}

/// Verifies the run in `dir` (see the module docs).
pub fn verify(dir: &Path, registry: &Registry, exec: &ExecConfig) -> Result<Verified, RunError> {
    let manifest = Manifest::read(dir)?;
    let Some(file) = &manifest.journal.file else {
        return Err(RunError::BadRun {
            path: dir.to_path_buf(),
            detail: "the run kept no journal (it was run without one), so it cannot be replayed"
                .into(),
        });
    };
    if file != JOURNAL {
        return Err(RunError::BadRun {
            path: dir.to_path_buf(),
            detail: format!("unexpected journal file name {file:?}"),
        });
    }
    let path = dir.join(file);
    let expected = parse_hash(&manifest.journal.final_hash, dir)?;
    let inputs = JournalReader::open(&path)?;
    let compare = JournalReader::open(&path)?;
    let trailer = inputs.trailer().clone();
    if trailer.final_hash != expected {
        return Err(RunError::HashMismatch {
            what: format!("{} trailer against the manifest", path.display()),
            expected,
            found: trailer.final_hash,
        });
    }
    if let Some(d) = manifest.final_state.diff(&trailer.final_state) {
        return Err(RunError::StateMismatch(format!(
            "the journal's trailer against the manifest: {d}"
        )));
    }
    let params = manifest.params()?;
    let strategy = registry
        .create(&manifest.strategy, &params)
        .map_err(|e| RunError::strategy(e.to_string()))?;
    if let Some(p) = &exec.progress {
        p.set_total(manifest.final_state.market_events);
    }
    let inputs_checked = logs_unchanged(&manifest)?;
    let source: Box<dyn EventSource> = if inputs_checked {
        let paths: Vec<_> = manifest.inputs.iter().map(|i| i.path.clone()).collect();
        Box::new(CheckedAgainstLogs::new(
            JournalMarket::new(inputs),
            open_logs(&paths)?.source,
        ))
    } else {
        Box::new(JournalMarket::new(inputs))
    };
    let executed = execute(Job {
        source,
        instruments: &manifest.instruments,
        strategy,
        venue: Venue::new(
            &manifest
                .venue
                .parse::<cascade_engine::VenuePreset>()
                .map_err(|e| RunError::config(format!("the manifest's venue: {e}")))?,
            &manifest.instruments,
            manifest.start(),
            manifest.config.insurance_fund,
            manifest.config.crowd.as_ref(),
        )?,
        config: &manifest.config,
        exec,
        journal: JournalWriter::hash_only(),
        verify: Some(compare),
    })?;
    if executed.journal.final_hash != expected {
        return Err(RunError::HashMismatch {
            what: "re-run against the manifest".into(),
            expected,
            found: executed.journal.final_hash,
        });
    }
    if let Some(d) = manifest.final_state.diff(&executed.final_state) {
        return Err(RunError::StateMismatch(format!(
            "the re-run against the manifest: {d}"
        )));
    }
    Ok(Verified {
        records: executed.journal.record_count,
        final_hash: executed.journal.final_hash,
        inputs_checked,
    })
}

/// True when every input log is still at its recorded path with its recorded content hash
/// (then the journal is checked against them); false when any is gone (the journal alone is
/// replayed). A log that is there but changed is an error: it is no longer the run's input.
fn logs_unchanged(manifest: &Manifest) -> Result<bool, RunError> {
    if manifest.inputs.is_empty() || !manifest.inputs.iter().all(|i| i.path.exists()) {
        return Ok(false);
    }
    for i in &manifest.inputs {
        let reader = cascade_journal::Reader::open(&i.path)?;
        let found = reader.header().content_hash;
        if format!("{found:016x}") != i.content_hash {
            return Err(RunError::HashMismatch {
                what: format!(
                    "input log {} against the manifest (the log changed since the run)",
                    i.path.display()
                ),
                expected: u64::from_str_radix(&i.content_hash, 16).unwrap_or(0),
                found,
            });
        }
    }
    Ok(true)
}
