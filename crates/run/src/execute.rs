//! One run through the pipeline: the decoder thread, the engine loop on the caller's thread,
//! the output thread (journal, rolling hash, report data), joined with the first real error
//! winning (an input error over the engine stopping because its input ended early, an output
//! error over the engine stopping because its output went away).

use crate::error::RunError;
use crate::exec::ExecConfig;
use crate::latency::LatencyStats;
use crate::pipeline::{decode, BatchChannel, BatchReceiver, BatchSender};
use crate::run_journal::{JournalReader, JournalSummary, JournalWriter};
use crate::source::EventSource;
use cascade_engine::{
    AdlExposure, Collector, Core, CrowdArtifacts, EngineError, FinalState, LoopConfig, Record,
    RunConfig, RunData, Venue,
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
pub(crate) struct Job<'a> {
    pub source: Box<dyn EventSource>,
    pub instruments: &'a [InstrumentSpec],
    pub strategy: Box<dyn Strategy>,
    pub venue: Venue,
    pub config: &'a RunConfig,
    pub exec: &'a ExecConfig,
    pub journal: JournalWriter,
    /// In a replay: the journal to compare every produced record with.
    pub verify: Option<JournalReader>,
}

fn joined<T>(r: std::thread::Result<Result<T, RunError>>, who: &str) -> Result<T, RunError> {
    r.unwrap_or_else(|_| Err(RunError::Pipeline(format!("the {who} thread panicked"))))
}

/// Runs `job` to the end.
pub(crate) fn execute(job: Job<'_>) -> Result<Executed, RunError> {
    job.exec.pipeline.validate()?;
    job.config.validate()?;
    let pipe = job.exec.pipeline;
    let mut venue = job.venue;
    let rules_name = venue.rules_name();
    let account = venue.open_account(job.config.deposit);
    let input = BatchChannel::new(&pipe);
    let output = BatchChannel::new(&pipe);
    let collector = Collector::new(
        job.instruments,
        vec![account],
        job.config.sample_interval_ns,
    );
    let cfg = LoopConfig::new(job.config, job.exec.check_invariants);
    let timing = LatencyStats::new(job.exec.latency_sample_every);
    let progress = job.exec.progress.clone();
    let (source, journal, verify) = (job.source, job.journal, job.verify);

    std::thread::scope(|s| {
        let in_tx = BatchSender::new(pipe.batch_events, input.data_tx, input.empty_rx);
        let spawn_err =
            |e: std::io::Error| RunError::Pipeline(format!("cannot start a pipeline thread: {e}"));
        let decoder = std::thread::Builder::new()
            .name("cascade-decoder".into())
            .spawn_scoped(s, move || decode(source, in_tx))
            .map_err(spawn_err)?;
        let out_rx = BatchReceiver::new(output.data_rx, output.empty_tx);
        let writer = std::thread::Builder::new()
            .name("cascade-output".into())
            .spawn_scoped(s, move || write_records(out_rx, journal, verify, collector))
            .map_err(spawn_err)?;

        // The engine loop. Every channel end it holds is dropped when this closure returns,
        // which stops the other threads if it returns early.
        let engine = || -> Result<Ended, RunError> {
            let out_tx: BatchSender<Record> =
                BatchSender::new(pipe.batch_events, output.data_tx, output.empty_rx);
            let mut core = Core::new(
                job.instruments,
                venue,
                job.strategy,
                vec![account],
                cfg,
                out_tx,
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
                    return Err(RunError::Pipeline("the output thread stopped".into()));
                }
                Ok(())
            })?;
            drop(in_rx);
            // The input ended: make sure it ended because it was exhausted, not broken.
            joined(decoder.join(), "decoder")?;
            let mut f = core.finish()?;
            if !f.records.flush() {
                return Err(RunError::Pipeline("the output thread stopped".into()));
            }
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
        let engine_result = engine();
        let written = joined(writer.join(), "output");
        let (ended, (journal, collector)) = match (engine_result, written) {
            (Ok(e), Ok(w)) => (e, w),
            // The output thread's own failure explains the engine's.
            (Err(RunError::Pipeline(_) | RunError::Engine(EngineError::Pipeline(_))), Err(w)) => {
                return Err(w)
            }
            (Err(e), _) => return Err(e),
            (Ok(_), Err(w)) => return Err(w),
        };
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

/// The output thread: appends every record to the journal (which hashes it), compares it
/// with the recorded journal in a replay, and gathers the report data.
fn write_records(
    rx: BatchReceiver<Record>,
    mut journal: JournalWriter,
    mut verify: Option<JournalReader>,
    mut collector: Collector,
) -> Result<(JournalWriter, Collector), RunError> {
    rx.for_each(|batch| {
        for r in batch {
            journal.append(r)?;
            if let Some(v) = &mut verify {
                match v.next_record()? {
                    Some(j) if j == *r => {}
                    Some(j) => {
                        return Err(RunError::ReplayDiverged {
                            seq: r.seq,
                            journal: j.to_string(),
                            rerun: r.to_string(),
                        })
                    }
                    None => {
                        return Err(RunError::ReplayDiverged {
                            seq: r.seq,
                            journal: "(end of journal)".into(),
                            rerun: r.to_string(),
                        })
                    }
                }
            }
            collector.add(r);
        }
        Ok(())
    })?;
    if let Some(v) = &mut verify {
        // The journal must end here too; reading its end also checks its count and hash.
        if let Some(j) = v.next_record()? {
            return Err(RunError::ReplayDiverged {
                seq: j.seq,
                journal: j.to_string(),
                rerun: "(end of the re-run)".into(),
            });
        }
    }
    Ok((journal, collector))
}
