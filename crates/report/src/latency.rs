//! Wall-clock latency percentiles of a run (engine time per event, strategy time per
//! callback). Measured by the engine with hdrhistogram; reported in their own section and
//! **never** part of results, JSON results or snapshots: they differ on every run.

use crate::table::{fmt_ns, Table};
use hdrhistogram::Histogram;
use serde::Serialize;

/// Percentiles of one latency histogram, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Percentiles {
    /// Number of measurements.
    pub count: u64,
    /// Median.
    pub p50_ns: u64,
    /// 90th percentile.
    pub p90_ns: u64,
    /// 99th percentile.
    pub p99_ns: u64,
    /// 99.9th percentile.
    pub p999_ns: u64,
    /// Largest.
    pub max_ns: u64,
}

impl Percentiles {
    /// The percentiles of a histogram of nanoseconds.
    pub fn from_histogram(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return Percentiles::default();
        }
        Percentiles {
            count: h.len(),
            p50_ns: h.value_at_quantile(0.50),
            p90_ns: h.value_at_quantile(0.90),
            p99_ns: h.value_at_quantile(0.99),
            p999_ns: h.value_at_quantile(0.999),
            max_ns: h.max(),
        }
    }
}

/// The engine's latency measurements of one run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Latency {
    /// Engine time per market event (market view, exchange, callbacks, scheduling).
    pub engine_per_event: Percentiles,
    /// Strategy time per callback.
    pub strategy_per_callback: Percentiles,
}

/// The latency section of the text report. Print it after
/// [`render_text`](crate::render_text), never inside results.
pub fn render_latency(l: &Latency) -> String {
    let mut t = Table::new(&["", "count", "p50", "p90", "p99", "p99.9", "max"]).left_columns(1);
    for (name, p) in [
        ("engine per event", &l.engine_per_event),
        ("strategy per callback", &l.strategy_per_callback),
    ] {
        t.row(vec![
            format!("  {name}"),
            p.count.to_string(),
            fmt_ns(p.p50_ns),
            fmt_ns(p.p90_ns),
            fmt_ns(p.p99_ns),
            fmt_ns(p.p999_ns),
            fmt_ns(p.max_ns),
        ]);
    }
    format!(
        "\ntiming (wall clock, varies between runs; not part of the results)\n{}",
        t.render()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use cascade_types::Ts;

    #[test]
    fn percentiles_of_a_histogram() {
        let mut h = Histogram::<u64>::new_with_bounds(1, Ts::NANOS_PER_MIN as u64, 3).unwrap();
        for v in 1..=1000u64 {
            h.record(v * 1000).unwrap();
        }
        let p = Percentiles::from_histogram(&h);
        assert_eq!(p.count, 1000);
        // hdrhistogram values are within its precision (3 significant digits).
        assert!((p.p50_ns as i64 - 500_000).abs() <= 500, "{p:?}");
        assert!((p.p99_ns as i64 - 990_000).abs() <= 1000, "{p:?}");
        assert!((p.max_ns as i64 - 1_000_000).abs() <= 1000, "{p:?}");
        assert_eq!(
            Percentiles::from_histogram(&Histogram::<u64>::new(3).unwrap()),
            Percentiles::default()
        );
        let text = render_latency(&Latency {
            engine_per_event: p,
            strategy_per_callback: p,
        });
        assert!(text.contains("engine per event"));
        assert!(text.contains("p99.9"));
    }
}
