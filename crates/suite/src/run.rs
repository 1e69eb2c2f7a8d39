//! Running the suite: load the catalogue, map each scenario to its venue, prepare its data
//! (reconstruction, and real files when a data directory is given), then run every
//! (entry, scenario, data) triple in parallel — each its own deterministic engine, each
//! guarded against panics — and gather the cards in a fixed order: scenario id, then
//! reconstruction before real data, then suite-file order.

use crate::card::{Card, MarketFacts};
use crate::catalogue::{load_catalogue, select_scenarios};
use crate::data::{self, DataInfo, DataKind, Input, Prepared, RealOutcome};
use crate::outcome::{EntryInfo, Failure, ScenarioInfo, Skip, SuiteOutcome};
use crate::par::{catch, par_map};
use crate::record::run_record;
use crate::suite_file::{Suite, SuiteEntry};
use crate::venue::venue_spec;
use crate::SuiteError;
use cascade_report::{Report, ReportConfig, Scorecard};
use cascade_run::{ExecConfig, Inputs, Progress, RunConfig, RunSpec, VenuePreset};
use cascade_scenario::Scenario;
use cascade_strategy::Registry;
use cascade_types::Note;
use std::path::PathBuf;
use std::sync::Arc;

/// How to run the suite; none of this changes a card except which cards there are.
#[derive(Clone, Debug)]
pub struct SuiteOptions {
    /// The scenario files (`fixtures/scenarios`).
    pub scenarios_dir: PathBuf,
    /// Scenario ids (or id prefixes such as `2025-10-10`) to run; empty runs all.
    pub scenarios: Vec<String>,
    /// A real-data directory: the layout of `../shared/data` (scenarios with `real_data`
    /// entries also run on those files), or a `backtest fetch` cache in the Binance archive's
    /// layout (scenarios run on their archive files it holds). `None` runs reconstructions
    /// only.
    pub data_dir: Option<PathBuf>,
    /// Runs at once (at least 1). Results do not depend on it.
    pub threads: usize,
    /// Where to count finished runs, for a progress bar.
    pub progress: Option<Arc<Progress>>,
}

impl SuiteOptions {
    /// Every scenario of `scenarios_dir`, reconstructions only, one thread.
    pub fn new(scenarios_dir: impl Into<PathBuf>) -> SuiteOptions {
        SuiteOptions {
            scenarios_dir: scenarios_dir.into(),
            scenarios: Vec::new(),
            data_dir: None,
            threads: 1,
            progress: None,
        }
    }
}

/// A scenario with its data prepared.
struct Dataset {
    scenario: Arc<Scenario>,
    venue: VenuePreset,
    prepared: Prepared,
}

enum Prep {
    Ready(Dataset),
    Skipped(Skip),
    Failed(Failure),
}

fn failure(
    s: &Scenario,
    entry: Option<&str>,
    data: Option<DataKind>,
    error: SuiteError,
) -> Failure {
    Failure {
        scenario: s.id.clone(),
        file: s.origin.clone(),
        entry: entry.map(str::to_string),
        data,
        error,
    }
}

/// Prepares one (scenario, data kind); panics become failures.
fn prepare(
    scenario: &Arc<Scenario>,
    venue: VenuePreset,
    kind: DataKind,
    data_dir: Option<&std::path::Path>,
    tmp: Option<&std::path::Path>,
) -> Prep {
    let s = scenario.as_ref();
    let made = catch(|| match (kind, data_dir, tmp) {
        (DataKind::Reconstruction, ..) => {
            Ok(Some(RealOutcome::Ready(Box::new(data::reconstruction(s)))))
        }
        (DataKind::Real, Some(dir), Some(tmp)) => data::real(s, dir, tmp),
        (DataKind::Real, ..) => Ok(None),
    });
    let ready = |prepared: Prepared| {
        Prep::Ready(Dataset {
            scenario: scenario.clone(),
            venue,
            prepared,
        })
    };
    match made {
        Ok(Ok(Some(RealOutcome::Ready(p)))) => ready(*p),
        Ok(Ok(Some(RealOutcome::Skipped(reason)))) => Prep::Skipped(Skip {
            scenario: s.id.clone(),
            file: s.origin.display().to_string(),
            data: Some(kind),
            entry: None,
            reason,
        }),
        Ok(Ok(None)) => Prep::Skipped(Skip {
            scenario: s.id.clone(),
            file: s.origin.display().to_string(),
            data: Some(kind),
            entry: None,
            reason: "the scenario lists no real data".to_string(),
        }),
        Ok(Err(e)) => Prep::Failed(failure(s, None, Some(kind), e)),
        Err(message) => Prep::Failed(failure(
            s,
            None,
            Some(kind),
            SuiteError::Run {
                entry: "-".into(),
                scenario: s.id.clone(),
                data: kind.to_string(),
                message: format!("preparing the data panicked: {message}"),
            },
        )),
    }
}

/// One run: the engine over the dataset with the entry's strategy, then its report.
fn run_one(
    entry: &SuiteEntry,
    ds: &Dataset,
    config: &RunConfig,
    registry: &Registry,
) -> Result<Card, SuiteError> {
    let s = ds.scenario.as_ref();
    let info: &DataInfo = &ds.prepared.info;
    let err = |message: String| SuiteError::Run {
        entry: entry.label.clone(),
        scenario: s.id.clone(),
        data: info.kind.to_string(),
        message,
    };
    let mut spec = RunSpec::new(Vec::new(), &entry.strategy, entry.params.clone(), ds.venue);
    spec.config = config.clone();
    if info.kind == DataKind::Reconstruction {
        // A reconstruction generates its own funding: the suite's funding stand-in is for
        // real data that lacks it (the `zero` stand-in would also stop the venue's formula).
        spec.config.funding_default = None;
    }
    // The crowd follows the scenario's first perpetual; its position math is linear, so on an
    // inverse perpetual it does not run, and the card says so.
    let mut suite_notes = Vec::new();
    let first_perp = s
        .instruments
        .iter()
        .find(|i| i.kind != cascade_types::InstrumentKind::Spot);
    if let Some(p) = first_perp.filter(|p| p.kind == cascade_types::InstrumentKind::InversePerp) {
        if spec.config.crowd.take().is_some() {
            suite_notes.push(Note::new(
                "crowd",
                format!(
                    "not run: {} is an inverse perpetual and the crowd model sizes linear \
                     positions only; no one else's deficits, so no ADL pressure",
                    p.symbol
                ),
            ));
        }
    }
    if let Some(t) = ds.prepared.first_price.filter(|t| *t > s.window.start) {
        // Real data: the run starts at the perpetual's first traded price (the coverage
        // table counts what came before it as outside the window).
        spec.config.from = Some(t);
        suite_notes.push(Note::new(
            "window",
            format!(
                "starts at the perpetual's first traded price {t}, not the scenario's {}: the marks and book recorded before it are not applied",
                s.window.start
            ),
        ));
    }
    spec.scenario = Some(s.id.clone());
    spec.crash_window = Some((s.crash_window.start, s.crash_window.end));
    let exec = ExecConfig {
        write_journal: false,
        ..ExecConfig::default()
    };
    let engine_err = |e: cascade_run::RunError| match e {
        cascade_run::RunError::Engine(cascade_run::EngineError::Strategy(message)) => {
            SuiteError::StrategyRefused {
                entry: entry.label.clone(),
                strategy: entry.strategy.clone(),
                scenario: s.id.clone(),
                data: info.kind.to_string(),
                message,
            }
        }
        other => err(other.to_string()),
    };
    let outcome = match &ds.prepared.input {
        Input::Memory {
            instruments,
            events,
        } => {
            let inputs = Inputs::from_events(instruments.clone(), events.clone());
            cascade_run::run_inputs(inputs, &spec, registry, None, &exec)
        }
        Input::Log(path) => {
            spec.inputs = vec![path.clone()];
            cascade_run::run(&spec, registry, None, &exec)
        }
    }
    .map_err(engine_err)?;
    let record = run_record(&outcome, info);
    let report = Report::new(&record, &ReportConfig::default()).map_err(|e| err(e.to_string()))?;
    Ok(Card {
        entry: entry.label.clone(),
        strategy: entry.strategy.clone(),
        scenario: s.id.clone(),
        data: info.kind,
        venue: ds.venue.to_string(),
        venue_rules: outcome.manifest.venue_rules.clone(),
        run_hash: outcome.manifest.journal.final_hash.clone(),
        events: outcome.manifest.final_state.market_events,
        market: MarketFacts::of(&outcome),
        scorecard: Scorecard::from_report(&report),
        notes: outcome
            .manifest
            .venue_notes
            .iter()
            .chain(&outcome.manifest.strategy_notes)
            .cloned()
            .chain(suite_notes)
            .collect(),
        adl_exposure: outcome.manifest.adl_exposure.clone(),
        record,
        report,
    })
}

/// Runs every entry of `suite` on every selected scenario (see [`SuiteOptions`]).
///
/// Returns an error only for the suite's own configuration: a strategy missing from
/// `registry` or refusing its parameters, a `--strategies`/`--scenarios` name that selects
/// nothing, an unreadable scenario directory. Everything that concerns one scenario or one
/// run — a bad scenario file, an unknown venue, missing real data, an engine error, a
/// strategy that panics — is a [`Failure`] in the outcome, and the other runs complete.
pub fn run_suite(
    suite: &Suite,
    options: &SuiteOptions,
    registry: &Registry,
) -> Result<SuiteOutcome, SuiteError> {
    suite.check(registry)?;
    let mut slots = load_catalogue(&options.scenarios_dir)?;
    select_scenarios(&mut slots, &options.scenarios)?;

    let mut out = SuiteOutcome {
        entries: suite.entries.iter().map(EntryInfo::of).collect(),
        baseline: suite.baseline.clone(),
        ..SuiteOutcome::default()
    };
    // (scenario, venue, data kind) to prepare, in card order.
    let mut tasks: Vec<(Arc<Scenario>, VenuePreset, DataKind)> = Vec::new();
    for slot in slots {
        let s = match slot.scenario {
            Ok(s) => Arc::new(s),
            Err(error) => {
                out.failures.push(Failure {
                    scenario: slot.id,
                    file: slot.file,
                    entry: None,
                    data: None,
                    error,
                });
                continue;
            }
        };
        let venue = match venue_spec(&s) {
            Ok(v) => v,
            Err(e) if e.is_skip() => {
                out.skipped.push(Skip {
                    scenario: s.id.clone(),
                    file: s.origin.display().to_string(),
                    data: None,
                    entry: None,
                    reason: e.to_string(),
                });
                continue;
            }
            Err(e) => {
                out.failures.push(failure(&s, None, None, e));
                continue;
            }
        };
        out.scenarios.push(ScenarioInfo::of(&s, &venue.to_string()));
        tasks.push((s.clone(), venue, DataKind::Reconstruction));
        if options.data_dir.is_some() && data::has_real_sources(&s) {
            tasks.push((s, venue, DataKind::Real));
        }
    }

    let tmp = match &options.data_dir {
        Some(_) => Some(tempfile::tempdir().map_err(|source| SuiteError::Io {
            path: std::env::temp_dir(),
            source,
        })?),
        None => None,
    };
    let prepared = par_map(&tasks, options.threads, |(s, venue, kind)| {
        prepare(
            s,
            *venue,
            *kind,
            options.data_dir.as_deref(),
            tmp.as_ref().map(|t| t.path()),
        )
    });
    let mut datasets: Vec<Dataset> = Vec::new();
    for p in prepared {
        match p {
            Prep::Ready(d) => datasets.push(d),
            Prep::Skipped(s) => out.skipped.push(s),
            Prep::Failed(f) => out.failures.push(f),
        }
    }
    out.datasets = datasets.iter().map(|d| d.prepared.info.clone()).collect();

    let jobs: Vec<(usize, usize)> = (0..datasets.len())
        .flat_map(|d| (0..suite.entries.len()).map(move |e| (d, e)))
        .collect();
    if let Some(p) = &options.progress {
        p.set_total(jobs.len() as u64);
    }
    let results = par_map(&jobs, options.threads, |&(d, e)| {
        let (ds, entry) = (&datasets[d], &suite.entries[e]);
        let r = catch(|| run_one(entry, ds, &suite.config, registry));
        if let Some(p) = &options.progress {
            p.add(1);
        }
        r.unwrap_or_else(|message| {
            Err(SuiteError::Panic {
                entry: entry.label.clone(),
                strategy: entry.strategy.clone(),
                scenario: ds.scenario.id.clone(),
                data: ds.prepared.info.kind.to_string(),
                message,
            })
        })
    });
    for (&(d, e), r) in jobs.iter().zip(results) {
        match r {
            Ok(card) => out.cards.push(card),
            // A strategy that cannot start on a data set lacking some of the scenario's
            // instruments (a spot strategy on perp-only real data) has nothing to score.
            Err(SuiteError::StrategyRefused { message, .. })
                if !datasets[d].prepared.info.missing.is_empty() =>
            {
                let ds = &datasets[d];
                out.skipped.push(Skip {
                    scenario: ds.scenario.id.clone(),
                    file: ds.scenario.origin.display().to_string(),
                    data: Some(ds.prepared.info.kind),
                    entry: Some(suite.entries[e].label.clone()),
                    reason: format!(
                        "the data has no {}, and the strategy refused to start: {message}",
                        ds.prepared.info.missing.join(", ")
                    ),
                });
            }
            Err(error) => {
                let ds = &datasets[d];
                out.failures.push(failure(
                    &ds.scenario,
                    Some(&suite.entries[e].label),
                    Some(ds.prepared.info.kind),
                    error,
                ));
            }
        }
    }
    // Failures and skips in the scenario order of the cards, whenever they were found.
    out.failures.sort_by(|a, b| a.scenario.cmp(&b.scenario));
    out.skipped.sort_by(|a, b| a.scenario.cmp(&b.scenario));
    drop(tmp);
    Ok(out)
}
