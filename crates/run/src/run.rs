//! `run`: one strategy over one or more event logs, from files to a finished run directory
//! (journal, reports, latency statistics, and the manifest last).

use crate::error::RunError;
use crate::exec::ExecConfig;
use crate::execute::{execute, Job};
use crate::files::{
    remove_file, write_atomic, StagedRunDir, CROWD_TEXT, FILLS_CSV, HEATMAP_SVG, JOURNAL, LATENCY,
};
use crate::latency::LatencyStats;
use crate::manifest::{params_to_json, JournalInfo, Manifest, ENGINE_VERSION, MANIFEST_VERSION};
use crate::reports;
use crate::run_journal::{JournalInput, JournalWriter};
use crate::source::{open_logs, Inputs};
use cascade_engine::RunConfig;
use cascade_engine::RunData;
use cascade_engine::Venue;
use cascade_engine::VenuePreset;
use cascade_strategy::{Params, Registry};
use cascade_types::{Note, Ts};
use std::path::{Path, PathBuf};

/// What to run.
#[derive(Clone, Debug)]
pub struct RunSpec {
    /// Input event logs; on equal timestamps the first listed wins.
    pub inputs: Vec<PathBuf>,
    /// Strategy registry name.
    pub strategy: String,
    /// Strategy parameters.
    pub params: Params,
    /// The venue preset (recorded in the manifest in its text form, `binance-usdm@2024-05-30`).
    pub venue: VenuePreset,
    /// Settings that shape results.
    pub config: RunConfig,
    /// The scenario the run belongs to, if any (a label for reports and results).
    pub scenario: Option<String>,
    /// The scenario's crash window, if known (for the report's crash figures).
    pub crash_window: Option<(Ts, Ts)>,
}

impl RunSpec {
    /// A run of `strategy` with `params` over `inputs` on `venue`, default settings.
    pub fn new(
        inputs: Vec<PathBuf>,
        strategy: &str,
        params: Params,
        venue: VenuePreset,
    ) -> RunSpec {
        RunSpec {
            inputs,
            strategy: strategy.to_string(),
            params,
            venue,
            config: RunConfig::default(),
            scenario: None,
            crash_window: None,
        }
    }
}

/// What a finished run produced.
#[derive(Debug)]
pub struct RunOutcome {
    /// The manifest (also in `out_dir` when there is one).
    pub manifest: Manifest,
    /// The data the reports were made from.
    pub data: RunData,
    /// The text report.
    pub report_text: String,
    /// Wall-clock latency statistics (not results).
    pub latency: LatencyStats,
    /// The latency statistics rendered (as in `latency.txt`).
    pub latency_text: String,
    /// With a crowd: its report (as in `crowd.txt`: cascade report and fidelity table).
    pub crowd_text: Option<String>,
}

/// Runs `spec`. With `out_dir`, writes the run directory: `journal.crun` (when
/// `exec.write_journal`), the reports, `latency.txt`, and `manifest.json` last — into a
/// staging directory beside it, swapped into place when the run completed
/// ([`StagedRunDir`]). Errors in the
/// inputs, the strategy name or its parameters are found before anything is written.
pub fn run(
    spec: &RunSpec,
    registry: &Registry,
    out_dir: Option<&Path>,
    exec: &ExecConfig,
) -> Result<RunOutcome, RunError> {
    spec.config.validate()?;
    exec.pipeline.validate()?;
    let inputs = open_logs(&spec.inputs)?;
    run_inputs(inputs, spec, registry, out_dir, exec)
}

/// Runs `spec` over already opened `inputs` (from [`open_logs`], or events of the caller's
/// own, see [`Inputs::from_events`]); `spec.inputs` is ignored. Otherwise as [`run`].
pub fn run_inputs(
    inputs: Inputs,
    spec: &RunSpec,
    registry: &Registry,
    out_dir: Option<&Path>,
    exec: &ExecConfig,
) -> Result<RunOutcome, RunError> {
    spec.config.validate()?;
    exec.pipeline.validate()?;
    let strategy = registry
        .create(&spec.strategy, &spec.params)
        .map_err(|e| RunError::strategy(e.to_string()))?;
    // With a window, the run starts at its opening (the venue's rules in force then).
    let start = inputs
        .start
        .map(|s| spec.config.from.map_or(s, |f| f.max(s)));
    let venue = Venue::new(
        &spec.venue,
        &inputs.instruments,
        start,
        spec.config.insurance_fund,
        spec.config.crowd.as_ref(),
    )?;
    if let Some(p) = &exec.progress {
        p.set_total(inputs.event_count);
    }
    // Everything is written into a staging directory beside `out_dir`, swapped into place
    // only when the run completed: a failed run leaves the previous one untouched.
    let staged = out_dir.map(StagedRunDir::create).transpose()?;
    let journal = match staged.as_ref().map(StagedRunDir::path) {
        Some(dir) => {
            if exec.write_journal {
                let logs = inputs.logs.iter().map(JournalInput::from_info).collect();
                JournalWriter::create(&dir.join(JOURNAL), logs)?
            } else {
                JournalWriter::hash_only()
            }
        }
        None => JournalWriter::hash_only(),
    };
    let executed = execute(Job {
        source: inputs.source,
        instruments: &inputs.instruments,
        strategy,
        venue,
        config: &spec.config,
        exec,
        journal,
        verify: None,
        observer: None,
        fills_csv: staged.as_ref().map(|d| d.path().join(FILLS_CSV)),
    })?;
    // The inputs' data-quality flags come first among the run's notes, on every report.
    let venue_notes = inputs
        .logs
        .iter()
        .flat_map(|l| {
            l.flags
                .iter()
                .map(|f| Note::new("data quality", format!("FLAG: {f}")))
        })
        .chain(executed.venue_notes)
        .collect();
    let mut manifest = Manifest {
        manifest_version: MANIFEST_VERSION,
        engine_version: ENGINE_VERSION.to_string(),
        inputs: inputs.logs,
        instruments: inputs.instruments,
        strategy: spec.strategy.clone(),
        params: params_to_json(&spec.params),
        scenario: spec.scenario.clone(),
        crash_window: spec.crash_window,
        start,
        venue: spec.venue.to_string(),
        venue_rules: executed.rules_name,
        config: spec.config.clone(),
        seeds: [("run".to_string(), spec.config.seed)]
            .into_iter()
            .chain(
                executed
                    .crowd
                    .as_ref()
                    .map(|c| ("crowd".to_string(), c.manifest.seed)),
            )
            .collect(),
        journal: JournalInfo {
            file: executed.journal.path.as_ref().map(|_| JOURNAL.to_string()),
            records: executed.journal.record_count,
            final_hash: format!("{:016x}", executed.journal.final_hash),
        },
        final_state: executed.final_state,
        reports: Vec::new(),
        crowd: executed.crowd.as_ref().map(|c| c.manifest.clone().into()),
        strategy_notes: executed.notes,
        adl_exposure: executed.adl,
        venue_notes,
    };
    let rendered = reports::render(
        &manifest,
        &executed.data,
        executed.crowd.as_ref().map(|c| c.svg.as_str()),
        staged.is_some(),
    )?;
    let latency_text = reports::latency_text(&executed.latency);
    if let Some(staged) = staged {
        let dir = staged.path();
        for (name, bytes) in &rendered.files {
            // `None`: already written in place (the fills CSV, streamed during the run).
            if let Some(bytes) = bytes {
                write_atomic(dir, name, bytes)?;
            }
            manifest.reports.push(name.clone());
        }
        if !rendered.files.iter().any(|(name, _)| name == FILLS_CSV) {
            // A run without market events reports nothing: no fills file either.
            remove_file(&dir.join(FILLS_CSV))?;
        }
        if let Some(c) = &executed.crowd {
            for (name, text) in [(CROWD_TEXT, &c.text), (HEATMAP_SVG, &c.svg)] {
                write_atomic(dir, name, text.as_bytes())?;
                manifest.reports.push(name.to_string());
            }
        }
        write_atomic(dir, LATENCY, latency_text.as_bytes())?;
        manifest.write(dir)?;
        staged.commit()?;
    }
    Ok(RunOutcome {
        manifest,
        data: executed.data,
        report_text: rendered.text,
        latency: executed.latency,
        latency_text,
        crowd_text: executed.crowd.map(|c| c.text),
    })
}
