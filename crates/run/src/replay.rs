//! `replay --verify`: re-runs a finished run from its input logs — the logs its journal names
//! by content hash — with the strategy, parameters, venue and settings of its manifest, and
//! checks that the re-run produces the same stored records, the same final rolling hash over
//! every record and the same final state.
//!
//! What it catches, in the order it checks:
//! 1. a changed byte anywhere in the journal: a block checksum, the trailer checksum, or the
//!    frame checks fail, naming the block and byte offset;
//! 2. a journal whose records were rewritten consistently (checksums fixed up): the rolling
//!    hash no longer matches the manifest's, or the re-run's records differ from the
//!    journal's at the first changed one;
//! 3. an input log that is gone, or is not the one the run read: refused before the re-run,
//!    naming the file and the expected and found content hash (the header's); a log whose
//!    events were changed under an intact header fails as it is read (block checksum or
//!    content hash, naming the file);
//! 4. an engine that is not deterministic: the re-run diverges.
//!
//! A run over events held in memory has no input logs; its journal stores its market records
//! and is replayed from them alone.

use crate::error::RunError;
use crate::exec::ExecConfig;
use crate::execute::{execute, Job};
use crate::files::JOURNAL;
use crate::manifest::Manifest;
use crate::run_journal::{JournalReader, JournalTrailer, JournalWriter};
use crate::sink::Observer;
use crate::source::{open_logs, EventSource, JournalMarket};
use cascade_engine::{Record, Venue};
use cascade_strategy::Registry;
use std::path::Path;

/// What a successful verification found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// Records re-run (the rolling hash chains them all).
    pub records: u64,
    /// The final rolling hash (equal in journal, manifest and re-run).
    pub final_hash: u64,
    /// True when the market events came from the run's input logs (checked against their
    /// recorded content hashes); false when the journal stored them (events held in memory).
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
    verify_with(dir, registry, exec, None)
}

/// Verifies the run in `dir` as [`verify`] does, handing `each` every record of the re-run
/// in order (market inputs included: the whole run, for dumps).
pub fn verify_each(
    dir: &Path,
    registry: &Registry,
    exec: &ExecConfig,
    each: &mut dyn FnMut(&Record),
) -> Result<Verified, RunError> {
    verify_with(dir, registry, exec, Some(each))
}

fn verify_with(
    dir: &Path,
    registry: &Registry,
    exec: &ExecConfig,
    observer: Option<Observer<'_>>,
) -> Result<Verified, RunError> {
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
    let compare = JournalReader::open(&path)?;
    let trailer = compare.trailer().clone();
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
    let (source, inputs_checked): (Box<dyn EventSource>, bool) = if trailer.inputs_stored {
        let market = JournalMarket::new(JournalReader::open(&path)?);
        (Box::new(market), false)
    } else {
        (input_logs(&manifest, &trailer, &path)?, true)
    };
    if let Some(p) = &exec.progress {
        p.set_total(manifest.final_state.market_events);
    }
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
        observer,
        fills_csv: None,
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

/// The run's input logs, opened for the re-run once each is found at its recorded path with
/// the content hash the journal (and the manifest) recorded for it. The reader then checks,
/// as it streams, that the events still hash to the header's content hash.
fn input_logs(
    manifest: &Manifest,
    trailer: &JournalTrailer,
    journal: &Path,
) -> Result<Box<dyn EventSource>, RunError> {
    let named: Vec<u64> = trailer.inputs.iter().map(|i| i.content_hash).collect();
    let listed: Vec<String> = manifest
        .inputs
        .iter()
        .map(|i| i.content_hash.clone())
        .collect();
    let agree = named.len() == listed.len()
        && named
            .iter()
            .zip(&listed)
            .all(|(n, l)| format!("{n:016x}") == *l);
    if named.is_empty() || !agree {
        return Err(RunError::BadRun {
            path: journal.to_path_buf(),
            detail: format!(
                "the journal names input logs with content hashes [{}], the manifest [{}]",
                named
                    .iter()
                    .map(|h| format!("{h:016x}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                listed.join(", ")
            ),
        });
    }
    for (info, input) in manifest.inputs.iter().zip(&trailer.inputs) {
        if !info.path.exists() {
            return Err(RunError::InputLog {
                path: info.path.clone(),
                detail: format!(
                    "not found; the run journal names it by content hash {:016x} ({} events) \
                     and does not hold its events: put the run's log back at this path to replay",
                    input.content_hash, input.event_count
                ),
            });
        }
        let reader = cascade_journal::Reader::open(&info.path)?;
        let found = reader.header().content_hash;
        if found != input.content_hash {
            return Err(RunError::HashMismatch {
                what: format!(
                    "input log {} against the run journal (it is not the log the run read)",
                    info.path.display()
                ),
                expected: input.content_hash,
                found,
            });
        }
    }
    let paths: Vec<_> = manifest.inputs.iter().map(|i| i.path.clone()).collect();
    let opened = open_logs(&paths)?;
    if opened.instruments != manifest.instruments {
        return Err(RunError::BadRun {
            path: journal.to_path_buf(),
            detail: "the input logs' instrument table differs from the manifest's".into(),
        });
    }
    Ok(opened.source)
}
