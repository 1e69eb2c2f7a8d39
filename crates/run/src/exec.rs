//! How a run is executed — batching, threads, progress, latency sampling — none of which
//! changes its results (what does is the engine's [`cascade_engine::RunConfig`]).

use crate::pipeline::PipelineConfig;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Progress of a run (events) or a sweep (jobs), for progress bars. Updated once per batch
/// or job, read by another thread.
#[derive(Debug, Default)]
pub struct Progress {
    total: AtomicU64,
    done: AtomicU64,
}

impl Progress {
    /// A fresh counter.
    pub fn new() -> Arc<Progress> {
        Arc::new(Progress::default())
    }
    /// Sets the total.
    pub fn set_total(&self, n: u64) {
        self.total.store(n, Ordering::Relaxed);
    }
    /// Adds to the work done.
    pub fn add(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }
    /// `(done, total)`.
    pub fn get(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

/// How a run is executed; none of this changes its results.
#[derive(Clone, Debug)]
pub struct ExecConfig {
    /// Batch sizes and channel capacities.
    pub pipeline: PipelineConfig,
    /// Time one event in this many for the latency histograms.
    pub latency_sample_every: u64,
    /// Write the run journal to the run directory (otherwise it is only hashed, and the run
    /// cannot be replayed).
    pub write_journal: bool,
    /// Where to report progress, if anywhere.
    pub progress: Option<Arc<Progress>>,
    /// Check the exchange model's invariants after every event (slow; for tests). They are
    /// always checked once at the end of a run.
    pub check_invariants: bool,
}

impl Default for ExecConfig {
    fn default() -> Self {
        ExecConfig {
            pipeline: PipelineConfig::default(),
            latency_sample_every: 64,
            write_journal: true,
            progress: None,
            check_invariants: false,
        }
    }
}
