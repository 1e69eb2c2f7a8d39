//! Wall-clock latency statistics: engine time per event and strategy time per callback, as
//! hdrhistogram percentiles. These are **never results**: they are kept apart from the
//! journal, the hash, the final state and the report's results, and written to their own file
//! (`latency.txt`).
//!
//! Reading the clock costs about as much as handling an event, so only one event in
//! [`LatencyStats::every`] is timed (a systematic sample, the same events on every run); with
//! `every = 1` all are.
//!
//! The engine loop has no clock: [`LatencyStats`] is the [`Timing`] the run hands it.

use cascade_engine::Timing;
use cascade_types::Ts;
use hdrhistogram::Histogram;
use std::fmt;
use std::time::Instant;

/// The latency histograms of one run.
#[derive(Clone, Debug)]
pub struct LatencyStats {
    every: u64,
    countdown: u64,
    /// Nanoseconds of engine work per timed market event (market view, exchange, callbacks,
    /// scheduling), strategy time included.
    pub engine_ns: Histogram<u64>,
    /// Nanoseconds per timed strategy callback.
    pub strategy_ns: Histogram<u64>,
}

/// A started timer (or none, when this event is not sampled).
#[derive(Clone, Copy, Debug)]
pub struct Stopwatch(Option<Instant>);

impl LatencyStats {
    /// Histograms timing one event in `every` (at least 1).
    pub fn new(every: u64) -> LatencyStats {
        let h =
            || Histogram::new_with_bounds(1, Ts::NANOS_PER_MIN as u64, 3).expect("valid bounds");
        LatencyStats {
            every: every.max(1),
            countdown: 1,
            engine_ns: h(),
            strategy_ns: h(),
        }
    }

    /// One event in how many is timed.
    pub fn every(&self) -> u64 {
        self.every
    }

    /// Decides whether the next event is timed; starts its stopwatch if so.
    #[inline]
    pub fn start_event(&mut self) -> Stopwatch {
        self.countdown -= 1;
        if self.countdown == 0 {
            self.countdown = self.every;
            Stopwatch::start()
        } else {
            Stopwatch(None)
        }
    }

    /// Records an event's engine time.
    #[inline]
    pub fn stop_event(&mut self, w: Stopwatch) {
        if let Some(ns) = w.elapsed_ns() {
            self.engine_ns.saturating_record(ns);
        }
    }

    /// Records a strategy callback's time.
    #[inline]
    pub fn stop_callback(&mut self, w: Stopwatch) {
        if let Some(ns) = w.elapsed_ns() {
            self.strategy_ns.saturating_record(ns);
        }
    }

    /// Adds another run's histograms (sweeps).
    pub fn merge(&mut self, other: &LatencyStats) {
        self.engine_ns.add(&other.engine_ns).expect("same bounds");
        self.strategy_ns
            .add(&other.strategy_ns)
            .expect("same bounds");
    }
}

/// The engine loop's timing hooks: one item in [`LatencyStats::every`] is timed, and the
/// strategy callbacks within a timed item.
impl Timing for LatencyStats {
    type Watch = Stopwatch;

    #[inline]
    fn start_event(&mut self) -> Stopwatch {
        LatencyStats::start_event(self)
    }

    #[inline]
    fn start_callback(&mut self, event: &Stopwatch) -> Stopwatch {
        if event.is_running() {
            Stopwatch::start()
        } else {
            Stopwatch::off()
        }
    }

    #[inline]
    fn stop_callback(&mut self, w: Stopwatch) {
        LatencyStats::stop_callback(self, w)
    }

    #[inline]
    fn stop_event(&mut self, w: Stopwatch) {
        LatencyStats::stop_event(self, w)
    }
}

impl Stopwatch {
    /// Starts now.
    #[inline]
    pub fn start() -> Stopwatch {
        #[allow(clippy::disallowed_methods)] // wall-clock: latency stats only
        let now = Instant::now();
        Stopwatch(Some(now))
    }

    /// A stopwatch that is not running (nothing is recorded).
    #[inline]
    pub fn off() -> Stopwatch {
        Stopwatch(None)
    }

    /// True when running.
    #[inline]
    pub fn is_running(&self) -> bool {
        self.0.is_some()
    }

    /// Nanoseconds since the start, if running.
    #[inline]
    pub fn elapsed_ns(self) -> Option<u64> {
        self.0
            .map(|t| t.elapsed().as_nanos().min(u64::MAX as u128) as u64)
    }
}

fn line(f: &mut fmt::Formatter<'_>, name: &str, h: &Histogram<u64>) -> fmt::Result {
    if h.is_empty() {
        return writeln!(f, "{name:<22} no samples");
    }
    writeln!(
        f,
        "{name:<22} n={:<9} p50={}ns p90={}ns p99={}ns p99.9={}ns max={}ns",
        h.len(),
        h.value_at_quantile(0.5),
        h.value_at_quantile(0.9),
        h.value_at_quantile(0.99),
        h.value_at_quantile(0.999),
        h.max()
    )
}

impl fmt::Display for LatencyStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "# wall-clock latency (not a result: varies run to run; 1 event in {} timed)",
            self.every
        )?;
        line(f, "engine per event", &self.engine_ns)?;
        line(f, "strategy per callback", &self.strategy_ns)
    }
}
