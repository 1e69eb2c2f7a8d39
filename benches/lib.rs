//! Shared helpers for the benchmark binaries in `benches/`: wall-clock stopwatches (the only
//! place benchmarks read the clock), peak-memory probes from `/proc/self/status`, throughput
//! and percentile formatting, and a description of the machine for the record.
//!
//! Every benchmark is a `harness = false` binary documented at the top of its file with the
//! exact command that runs it.

use cascade_types::Ts;
use hdrhistogram::Histogram;
use std::fmt;
use std::time::{Duration, Instant};

/// A wall-clock stopwatch. Benchmarks measure wall time by definition; nothing they time
/// feeds a result of cascade.
#[derive(Clone, Copy, Debug)]
pub struct Stopwatch {
    start: Instant,
}

impl Stopwatch {
    /// Starts timing now.
    #[allow(clippy::disallowed_methods)] // wall-clock: benchmark timing only
    pub fn start() -> Stopwatch {
        Stopwatch {
            start: Instant::now(),
        }
    }

    /// Time since [`Stopwatch::start`].
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Nanoseconds since [`Stopwatch::start`], saturating.
    pub fn elapsed_ns(&self) -> u64 {
        u64::try_from(self.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

/// A field of `/proc/self/status` in KiB (`VmHWM`, `VmRSS`, …); `None` off Linux.
pub fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status
        .lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
    line[field.len() + 1..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Peak resident memory of this process so far (`VmHWM`), in KiB.
pub fn peak_rss_kib() -> Option<u64> {
    proc_status_kib("VmHWM")
}

/// Current resident memory (`VmRSS`), in KiB.
pub fn rss_kib() -> Option<u64> {
    proc_status_kib("VmRSS")
}

/// Resets the peak-memory mark to the current resident size (Linux ≥ 4.0: writing `5` to
/// `/proc/self/clear_refs`), so that [`peak_rss_kib`] measures one phase at a time. Returns
/// false when the kernel refused; peaks are then cumulative.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Resident memory around one phase of a benchmark, in KiB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PhaseMemory {
    /// Resident memory when the phase started.
    pub before_kib: u64,
    /// Peak resident memory during the phase.
    pub peak_kib: u64,
}

impl PhaseMemory {
    /// How far the phase pushed resident memory above where it started.
    pub fn growth_kib(&self) -> u64 {
        self.peak_kib.saturating_sub(self.before_kib)
    }
}

impl fmt::Display for PhaseMemory {
    /// `peak 3.1 MiB (+412 KiB)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "peak {} (+{})",
            kib(self.peak_kib),
            kib(self.growth_kib())
        )
    }
}

/// Runs `f` with the peak-memory mark reset before it, and returns its result with the
/// resident memory before and at the peak during it (`None` where `/proc` cannot tell).
pub fn with_peak_rss<T>(f: impl FnOnce() -> T) -> (T, Option<PhaseMemory>) {
    let reset = reset_peak_rss();
    let before = rss_kib();
    let out = f();
    let peak = if reset { peak_rss_kib() } else { None };
    let mem = match (before, peak) {
        (Some(before_kib), Some(peak_kib)) => Some(PhaseMemory {
            before_kib,
            peak_kib,
        }),
        _ => None,
    };
    (out, mem)
}

/// KiB as a short human string: `812 KiB`, `3.4 MiB`, `1.20 GiB`.
pub fn kib(v: u64) -> String {
    match v {
        v if v < 10 * 1024 => format!("{v} KiB"),
        v if v < 10 * 1024 * 1024 => format!("{:.1} MiB", v as f64 / 1024.0),
        v => format!("{:.2} GiB", v as f64 / (1024.0 * 1024.0)),
    }
}

/// An optional phase memory figure, `n/a` when unknown.
pub fn mem_opt(v: Option<PhaseMemory>) -> String {
    v.map_or_else(|| "n/a".to_string(), |m| m.to_string())
}

/// One throughput measurement: how many events and bytes in how long.
#[derive(Clone, Copy, Debug)]
pub struct Throughput {
    /// Events processed.
    pub events: u64,
    /// Bytes processed.
    pub bytes: u64,
    /// Wall time taken.
    pub elapsed: Duration,
}

impl Throughput {
    /// Events per second.
    pub fn events_per_s(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64()
    }
    /// Megabytes (10⁶ bytes) per second.
    pub fn mb_per_s(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64()
    }
    /// Nanoseconds per event.
    pub fn ns_per_event(&self) -> f64 {
        self.elapsed.as_nanos() as f64 / self.events.max(1) as f64
    }
}

impl fmt::Display for Throughput {
    /// `  52.31 M events/s   2301.6 MB/s   19.1 ns/event   (0.191 s)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:>8.2} M events/s {:>8.1} MB/s {:>7.1} ns/event ({:.3} s)",
            self.events_per_s() / 1e6,
            self.mb_per_s(),
            self.ns_per_event(),
            self.elapsed.as_secs_f64()
        )
    }
}

/// The best (fastest) of several measurements: the one least disturbed by other load.
pub fn best(runs: &[Throughput]) -> Option<Throughput> {
    runs.iter().copied().min_by_key(|t| t.elapsed)
}

/// The median of several measurements.
pub fn median(runs: &[Throughput]) -> Option<Throughput> {
    let mut v = runs.to_vec();
    v.sort_by_key(|t| t.elapsed);
    v.get(v.len() / 2).copied()
}

/// A new histogram of nanosecond timings from 1 ns to 60 s, 3 significant digits.
pub fn ns_histogram() -> Histogram<u64> {
    // The bounds are constants that hdrhistogram accepts.
    Histogram::new_with_bounds(1, Ts::NANOS_PER_MIN as u64, 3).expect("valid histogram bounds")
}

/// Percentiles of a nanosecond histogram in microseconds: `p50 … p90 … p99 … p99.9 … max`.
pub fn percentiles_us(h: &Histogram<u64>) -> String {
    let us = |v: u64| v as f64 / 1e3;
    format!(
        "n={} p50 {:.1} µs  p90 {:.1} µs  p99 {:.1} µs  p99.9 {:.1} µs  max {:.1} µs",
        h.len(),
        us(h.value_at_quantile(0.5)),
        us(h.value_at_quantile(0.9)),
        us(h.value_at_quantile(0.99)),
        us(h.value_at_quantile(0.999)),
        us(h.max())
    )
}

/// The machine, for the record: CPU model, logical CPUs, memory, kernel.
pub fn machine_description() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|r| r.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .and_then(|v| v.parse::<u64>().ok())
        .map_or_else(|| "? memory".to_string(), |k| format!("{} memory", kib(k)));
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!(
        "{model}, {cpus} logical CPUs, {mem}, Linux {}",
        kernel.trim()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_stable() {
        assert_eq!(kib(812), "812 KiB");
        assert_eq!(kib(3472), "3472 KiB");
        assert_eq!(kib(20 * 1024), "20.0 MiB");
        assert_eq!(kib(20 * 1024 * 1024), "20.00 GiB");
        let t = Throughput {
            events: 50_000_000,
            bytes: 2_200_000_000,
            elapsed: Duration::from_secs(1),
        };
        assert_eq!(
            t.to_string(),
            "   50.00 M events/s   2200.0 MB/s    20.0 ns/event (1.000 s)"
        );
        assert!(peak_rss_kib().unwrap_or(1) > 0);
    }
}
