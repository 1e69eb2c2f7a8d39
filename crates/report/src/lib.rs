//! Run metrics and reports: equity, PnL split, drawdown, Sharpe/Sortino, exposure,
//! liquidations and ADL suffered, funding, fees; per-scenario [`Scorecard`]s; text, JSON,
//! CSV and a self-contained HTML page with SVG charts (the [`chart`] module draws them, and
//! the suite's page uses it too).
//!
//! The engine fills a [`RunRecord`] (equity curve, the strategy's outputs, market series,
//! metadata); [`Report::new`] computes everything from it alone, so a report can never
//! change a result. Money stays exact fixed-point; `f64` is used only for ratios. The
//! conventions (PnL split, Sharpe/Sortino sampling and annualisation, exposure, de-risk
//! lead time) are documented in [`metrics`] and [`Derisk`].
//!
//! Wall-clock latency percentiles ([`Latency`]) are rendered in a separate section
//! ([`render_latency`]) and are never part of the results.
//!
//! ```
//! use cascade_report::*;
//! use cascade_types::*;
//!
//! let t = |min: i64| Ts::from_secs(1_760_130_000 + min * 60).unwrap();
//! let sample = |min, equity: i64| EquitySample {
//!     ts: t(min),
//!     equity: Money::from_int(equity),
//!     gross_exposure: Money::ZERO,
//!     net_exposure: Money::ZERO,
//! };
//! let record = RunRecord {
//!     meta: RunMeta { strategy: "noop".into(), ..RunMeta::default() },
//!     equity: vec![sample(0, 1000), sample(5, 1100), sample(10, 990), sample(15, 1050)],
//!     ..RunRecord::default()
//! };
//! let report = Report::new(&record, &ReportConfig::default()).unwrap();
//! assert_eq!(report.metrics.pnl.total, Money::from_int(50));
//! assert_eq!(report.metrics.drawdown.max_fraction.value, Money::from_int(110));
//! assert!(render_text(&report).contains("total return      5.00%"));
//! assert!(render_html(&record, &report).contains("<svg"));
//! ```

pub mod chart;
pub mod coverage;
mod crash;
mod csv;
mod fold;
mod html;
mod latency;
pub mod metrics;
mod record;
mod report;
mod scorecard;
mod ser;
mod table;
mod text;

pub use coverage::{Coverage, CoverageBuilder, StreamCoverage, StreamKind};
pub use crash::{derisk_lead, CrashStats, Derisk};
pub use csv::{equity_csv, fills_csv, fills_csv_row, FILLS_CSV_HEADER};
pub use fold::OutputFold;
pub use html::{render_html, render_html_with, HtmlSection};
pub use latency::{render_latency, Latency, Percentiles};
pub use metrics::{
    fmt_money, money_currency, money_decimals, AdlStats, Drawdown, DrawdownStats, ExposureAt,
    ExposureStats, FundingStats, LiquidationStats, Metrics, PnlSplit, ReportConfig, RiskStats,
    TradingStats, MIN_ANNUALISED_DAYS,
};
pub use record::{EquitySample, InputFile, MarketPoint, RunMeta, RunRecord, TimedOutput};
pub use report::{render_json, Report};
pub use scorecard::{
    render_legend, render_scorecards, scorecard_legend, scorecards_json, Scorecard,
};
pub use text::render_text;

use thiserror::Error;

/// Why a report could not be computed. These are bugs in what the engine recorded or in
/// the configuration; the caller should report them, the run's results are unaffected.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ReportError {
    /// The equity curve has no sample: record at least the start and the end of the run.
    #[error("the equity curve is empty: a report needs at least one equity sample")]
    EmptyEquity,
    /// A series is not sorted by time.
    #[error("the {what} is not sorted by time (entry {index} is earlier than the one before)")]
    Unsorted {
        /// Which series.
        what: &'static str,
        /// The first out-of-order entry.
        index: usize,
    },
    /// A configuration value is out of range.
    #[error("bad report configuration: {0}")]
    BadConfig(&'static str),
}

#[cfg(test)]
mod tests;
