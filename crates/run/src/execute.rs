//! One run through the pipeline: the decoder thread and the engine loop on the caller's
//! thread, whose records go to the [`RunSink`] on the same thread (rolling hash, run journal,
//! replay comparison, report data); the first real error wins (an input error over the engine
//! stopping because its input ended early, the sink's error over the engine stopping because
//! the sink stopped taking records).

use crate::error::RunError;
use crate::exec::ExecConfig;
use crate::latency::LatencyStats;
use crate::pipeline::{decode, BatchChannel, BatchReceiver, BatchSender};
use crate::run_journal::{JournalReader, JournalSummary, JournalWriter};
use crate::sink::{FillsCsv, Observer, RunSink};
use crate::source::EventSource;
use cascade_engine::{
    AdlExposure, Collector, Core, CrowdArtifacts, FinalState, LoopConfig, RunConfig, RunData, Venue,
};
use cascade_strategy::Strategy;
use cascade_types::{InstrumentSpec, Note};

/// What a run produced.
pub(crate) struct Executed {
    pub final_state: FinalState,
    pub journal: JournalSummary,
    pub data: RunData,
    pub latency: LatencyStats,
    pub rules_name: String,
    /// The crowd's manifest and report files, when the run had a crowd.
    pub crowd: Option<CrowdArtifacts>,
    /// What the strategy said about its run.
    pub notes: Vec<Note>,
    /// ADL as the strategy met it.
    pub adl: Vec<AdlExposure>,
    /// What the venue says about the run.
    pub venue_notes: Vec<Note>,
}

/// What the engine loop hands back to the pipeline.
struct Ended {
    state: FinalState,
    latency: LatencyStats,
    crowd: Option<CrowdArtifacts>,
    notes: Vec<Note>,
    adl: Vec<AdlExposure>,
    venue_notes: Vec<Note>,
    coverage: cascade_report::Coverage,
}

/// Everything one execution needs.
pub(crate) struct Job<'a, 'o> {
    pub source: Box<dyn EventSource>,
    pub instruments: &'a [InstrumentSpec],
    pub strategy: Box<dyn Strategy>,
    pub venue: Venue,
    pub config: &'a RunConfig,
    pub exec: &'a ExecConfig,
    pub journal: JournalWriter,
    /// In a replay: the journal to compare every produced record with.
    pub verify: Option<JournalReader>,
    /// Sees every record (dumps of a replayed run).
    pub observer: Option<Observer<'o>>,
    /// Where to stream `report.fills.csv` as the strategy's outputs happen (a run directory
    /// being written), so the rows need not be kept in memory.
    pub fills_csv: Option<std::path::PathBuf>,
}

fn joined<T>(r: std::thread::Result<Result<T, RunError>>, who: &str) -> Result<T, RunError> {
    r.unwrap_or_else(|_| Err(RunError::Pipeline(format!("the {who} thread panicked"))))
}

/// Runs `job` to the end.
pub(crate) fn execute(job: Job<'_, '_>) -> Result<Executed, RunError> {
    job.exec.pipeline.validate()?;
    job.config.validate()?;
    let pipe = job.exec.pipeline;
    let mut venue = job.venue;
    let rules_name = venue.rules_name();
    let account = venue.open_account(job.config.deposit);
    let input = BatchChannel::new(&pipe);
    let collector = Collector::new(
        job.instruments,
        vec![account],
        job.config.sample_interval_ns,
    );
    let mut cfg = LoopConfig::new(job.config, job.exec.check_invariants);
    // Read ahead only as far as the longest bar the inputs hold (none: no read-ahead). The
    // order is the same as with the configured window: a bar's ticks still land in its own
    // interval, and nothing else depends on the window.
    if let Some(m) = job.source.max_bar_interval_s() {
        cfg.bar_path.window_s = cfg.bar_path.window_s.min(m);
    }
    // Instruments whose logs hold recorded settlements settle from them only.
    if let Some(ids) = job.source.recorded_funding() {
        venue.prefer_recorded_funding(&ids);
    }
    let timing = LatencyStats::new(job.exec.latency_sample_every);
    let progress = job.exec.progress.clone();
    let source = job.source;
    let fills_csv = job
        .fills_csv
        .as_deref()
        .map(|p| FillsCsv::create(p, job.instruments, &[account]))
        .transpose()?;
    let mut sink = RunSink::new(job.journal, job.verify, collector, job.observer, fills_csv);

    std::thread::scope(|s| {
        let in_tx = BatchSender::new(pipe.batch_events, input.data_tx, input.empty_rx);
        let decoder = std::thread::Builder::new()
            .name("cascade-decoder".into())
            .spawn_scoped(s, move || decode(source, in_tx))
            .map_err(|e| RunError::Pipeline(format!("cannot start the decoder thread: {e}")))?;

        // The engine loop. The input channel end it holds is dropped when this closure
        // returns, which stops the decoder if it returns early.
        let engine = |sink: &mut RunSink<'_>| -> Result<Ended, RunError> {
            let mut core = Core::new(
                job.instruments,
                venue,
                job.strategy,
                vec![account],
                cfg,
                sink,
                timing,
            );
            core.start()?;
            let in_rx = BatchReceiver::new(input.data_rx, input.empty_tx);
            in_rx.for_each(|batch: &[cascade_types::Event]| {
                for e in batch {
                    core.on_market(e)?;
                }
                if let Some(p) = &progress {
                    p.add(batch.len() as u64);
                }
                if !core.sink_ok() {
                    return Err(RunError::Pipeline("the record sink stopped".into()));
                }
                Ok(())
            })?;
            drop(in_rx);
            // The input ended: make sure it ended because it was exhausted, not broken.
            joined(decoder.join(), "decoder")?;
            let f = core.finish()?;
            Ok(Ended {
                state: f.state,
                latency: f.timing,
                crowd: f.crowd,
                notes: f.notes,
                adl: f.adl,
                venue_notes: f.venue_notes,
                coverage: f.coverage,
            })
        };
        let ended = match engine(&mut sink) {
            Ok(e) => e,
            // The sink's own failure (a write, a replay's divergence) explains the engine's.
            Err(e) => return Err(sink.take_error().unwrap_or(e)),
        };
        let (journal, collector) = sink.finish()?;
        let journal = journal.finish(ended.state.clone())?;
        let mut data = collector.finish();
        data.coverage = ended.coverage;
        Ok(Executed {
            final_state: ended.state,
            journal,
            data,
            latency: ended.latency,
            rules_name,
            crowd: ended.crowd,
            notes: ended.notes,
            adl: ended.adl,
            venue_notes: ended.venue_notes,
        })
    })
}
