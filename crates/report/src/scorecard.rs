//! The one-line [`Scorecard`] per (strategy, scenario) that the scenario catalogue is scored
//! with, built from a [`Report`].

use crate::crash::Derisk;
use crate::report::Report;
use crate::ser;
use crate::table::{fmt_opt_f64, fmt_pct, Table};
use cascade_types::{Money, Qty};
use serde::Serialize;

/// One row of the scenario scoreboard: a strategy's result on one scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scorecard {
    /// Strategy name.
    pub strategy: String,
    /// Scenario id (`-` when the run is not a scenario).
    pub scenario: String,
    /// Total return (`None` when the initial equity was not positive).
    pub total_return: Option<f64>,
    /// Total PnL.
    #[serde(serialize_with = "ser::display")]
    pub pnl: Money,
    /// Max drawdown as a fraction of the peak.
    pub max_drawdown: f64,
    /// Max drawdown in value.
    #[serde(serialize_with = "ser::display")]
    pub max_drawdown_value: Money,
    /// Annualised Sharpe ratio.
    pub sharpe: Option<f64>,
    /// Annualised Sortino ratio.
    pub sortino: Option<f64>,
    /// Leverage (gross exposure ÷ equity) at the crash start.
    pub leverage_at_crash: Option<f64>,
    /// Net exposure at the crash start.
    #[serde(serialize_with = "ser::opt_display")]
    pub net_exposure_at_crash: Option<Money>,
    /// De-risk lead time before the crash.
    pub derisk: Derisk,
    /// Equity change over the crash window.
    #[serde(serialize_with = "ser::opt_display")]
    pub crash_pnl: Option<Money>,
    /// Liquidation steps suffered.
    pub liquidations: u64,
    /// Notional liquidated.
    #[serde(serialize_with = "ser::display")]
    pub liquidated_notional: Money,
    /// ADL closes suffered as the victim.
    pub adl_events: u64,
    /// Quantity closed by ADL.
    #[serde(serialize_with = "ser::display")]
    pub adl_qty: Qty,
    /// Net funding (received minus paid).
    #[serde(serialize_with = "ser::display")]
    pub funding: Money,
    /// Net fees paid (trading fees minus rebates, plus liquidation fees).
    #[serde(serialize_with = "ser::display")]
    pub fees: Money,
}

impl Scorecard {
    /// The scorecard of a report.
    pub fn from_report(r: &Report) -> Self {
        let m = &r.metrics;
        Scorecard {
            strategy: r.meta.strategy.clone(),
            scenario: r.meta.scenario.clone().unwrap_or_else(|| "-".to_string()),
            total_return: m.total_return,
            pnl: m.pnl.total,
            max_drawdown: m.drawdown.max_fraction.fraction,
            max_drawdown_value: m.drawdown.max_value.value,
            sharpe: m.risk.sharpe,
            sortino: m.risk.sortino,
            leverage_at_crash: r.crash.exposure_at_start.and_then(|e| e.leverage),
            net_exposure_at_crash: r.crash.exposure_at_start.map(|e| e.net),
            derisk: r.crash.derisk,
            crash_pnl: r.crash.pnl,
            liquidations: m.liquidations.count,
            liquidated_notional: m.liquidations.notional,
            adl_events: m.adl.count,
            adl_qty: m.adl.qty,
            funding: m.funding.net,
            fees: m.trading.fees_paid - m.trading.rebates + m.liquidations.fees,
        }
    }
}

/// The scorecards as a text table, one row each, in the order given.
pub fn render_scorecards(cards: &[Scorecard]) -> String {
    let mut t = Table::new(&[
        "strategy",
        "scenario",
        "return",
        "max dd",
        "sharpe",
        "sortino",
        "lev@crash",
        "de-risk",
        "crash pnl",
        "liqs",
        "liq notional",
        "adl",
        "adl qty",
        "funding",
        "fees",
    ]);
    for c in cards {
        t.row(vec![
            c.strategy.clone(),
            c.scenario.clone(),
            c.total_return.map_or("-".to_string(), fmt_pct),
            fmt_pct(-c.max_drawdown),
            fmt_opt_f64(c.sharpe, 2),
            fmt_opt_f64(c.sortino, 2),
            c.leverage_at_crash
                .map_or("-".to_string(), |l| format!("{l:.2}x")),
            c.derisk.to_text(),
            c.crash_pnl.map_or("-".to_string(), |p| p.to_string()),
            c.liquidations.to_string(),
            c.liquidated_notional.to_string(),
            c.adl_events.to_string(),
            c.adl_qty.to_string(),
            c.funding.to_string(),
            c.fees.to_string(),
        ]);
    }
    t.render()
}

/// The scorecards as a JSON array (pretty, stable field order).
pub fn scorecards_json(cards: &[Scorecard]) -> String {
    serde_json::to_string_pretty(cards).expect("scorecards serialise")
}
