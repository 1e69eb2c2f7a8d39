//! The computed report of one run: metadata, metrics and crash numbers.

use crate::crash::CrashStats;
use crate::metrics::{compute, money_currency, Metrics, ReportConfig};
use crate::record::{RunMeta, RunRecord};
use crate::ReportError;
use serde::Serialize;

/// Everything computed from a [`RunRecord`]. Serialises to the report JSON (fields in
/// declaration order, money and times as exact strings).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Who ran what on which data.
    pub meta: RunMeta,
    /// The currency every money figure is in (`BTC` when an inverse perpetual margins the
    /// run, else the quote currency: `USDT`).
    pub currency: String,
    /// The metrics.
    pub metrics: Metrics,
    /// Around the crash window.
    pub crash: CrashStats,
}

impl Report {
    /// Computes the report of a run. Errors when the record is unusable (no equity sample,
    /// unsorted series) or the configuration is bad.
    pub fn new(record: &RunRecord, config: &ReportConfig) -> Result<Report, ReportError> {
        let metrics = compute(record, config)?;
        let crash = CrashStats::new(
            &record.equity,
            record.meta.crash_window,
            config.derisk_fraction,
        );
        Ok(Report {
            meta: record.meta.clone(),
            currency: money_currency(&record.instruments),
            metrics,
            crash,
        })
    }
}

/// The report as pretty JSON with a stable field order.
pub fn render_json(r: &Report) -> String {
    serde_json::to_string_pretty(r).expect("a report serialises")
}
