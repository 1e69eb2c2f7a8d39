//! The one-line [`Scorecard`] per (strategy, scenario) that the scenario catalogue is scored
//! with, built from a [`Report`].

use crate::crash::Derisk;
use crate::metrics::{fmt_money, MIN_ANNUALISED_DAYS};
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
    /// The currency of every money field (`BTC` on an inverse venue, else `USDT`, …).
    pub currency: String,
    /// Total PnL.
    #[serde(serialize_with = "ser::display")]
    pub pnl: Money,
    /// Max drawdown as a fraction of the peak.
    pub max_drawdown: f64,
    /// Max drawdown in value.
    #[serde(serialize_with = "ser::display")]
    pub max_drawdown_value: Money,
    /// Whether the window was long enough (30 days) to annualise Sharpe and Sortino; when
    /// not, both are `None` and tables print `n/a<30d`.
    pub ratios_annualised: bool,
    /// Annualised Sharpe ratio (`None` under 30 days).
    pub sharpe: Option<f64>,
    /// Annualised Sortino ratio (`None` under 30 days).
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
    /// Slippage paid on the strategy's taker fills against their reference prices (positive
    /// = paid; the PnL split's `slippage` line negated). Liquidation closes not included.
    #[serde(serialize_with = "ser::display")]
    pub slippage: Money,
}

impl Scorecard {
    /// The scorecard of a report.
    pub fn from_report(r: &Report) -> Self {
        let m = &r.metrics;
        Scorecard {
            strategy: r.meta.strategy.clone(),
            scenario: r.meta.scenario.clone().unwrap_or_else(|| "-".to_string()),
            total_return: m.total_return,
            currency: r.currency.clone(),
            pnl: m.pnl.total,
            max_drawdown: m.drawdown.max_fraction.fraction,
            max_drawdown_value: m.drawdown.max_value.value,
            ratios_annualised: m.risk.annualised,
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
            slippage: m.trading.slippage,
        }
    }
}

impl Scorecard {
    /// A Sharpe or Sortino cell: two decimals, `-` when undefined, `n/a<30d` when the window
    /// was too short to annualise.
    pub fn ratio_cell(&self, ratio: Option<f64>) -> String {
        if self.ratios_annualised {
            fmt_opt_f64(ratio, 2)
        } else {
            "n/a<30d".to_string()
        }
    }

    /// A money amount of this card with its currency and decimals (`-1.34497880 BTC`,
    /// `-1234.57 USDT`).
    pub fn money(&self, m: Money) -> String {
        fmt_money(m, &self.currency)
    }
}

/// What each scorecard column means, one `(column, meaning)` pair per column of
/// [`render_scorecards`] (plus `data`, `run hash` and `fallback` of the suite's tables).
pub fn scorecard_legend() -> Vec<(&'static str, String)> {
    vec![
        ("strategy / entry", "the strategy (the suite entry's label)".into()),
        (
            "scenario (data)",
            "the reset, and the data the run used: `reconstruction` = the scenario's seeded synthetic events rebuilt from published figures; `real` = recorded market files; `fallback` = a reconstruction shown after real data that covers the crash window".into(),
        ),
        (
            "return",
            "final equity / initial equity − 1, in the money currency's terms (BTC terms on an inverse venue)".into(),
        ),
        (
            "max dd",
            "the deepest fall of equity from a running peak, as a fraction of that peak".into(),
        ),
        (
            "sharpe / sortino",
            format!("mean ÷ standard deviation (Sortino: ÷ downside deviation) of 5-minute simple returns, risk-free 0, annualised by √(periods per 365-day year); only on windows of at least {MIN_ANNUALISED_DAYS} days — `n/a<30d` otherwise, as annualising hours of crash returns gives meaningless numbers"),
        ),
        (
            "lev@crash",
            "leverage at the crash-window start: gross exposure (Σ |position notional|) ÷ equity, from the last equity sample at or before it".into(),
        ),
        (
            "de-risk",
            "how long before the crash start the strategy cut its gross exposure to at most half its pre-crash peak and kept it there up to the crash start; `no` = above half at the crash start; `flat` = never exposed before the crash; `-` = no crash window".into(),
        ),
        (
            "crash pnl",
            "equity at the crash window's end minus equity at its start (money)".into(),
        ),
        ("liqs", "liquidation steps the strategy's accounts suffered".into()),
        (
            "liq notional",
            "notional of the strategy's positions closed by liquidation (money)".into(),
        ),
        ("adl", "auto-deleveraging closes the strategy suffered as the victim".into()),
        (
            "adl qty",
            "quantity closed by ADL, in the instrument's units (base coin on a linear perp, contracts on an inverse perp)".into(),
        ),
        (
            "funding",
            "net funding: received minus paid (money; positive = received)".into(),
        ),
        (
            "fees",
            "trading fees minus maker rebates, plus liquidation fees (money; positive = paid)".into(),
        ),
        (
            "slippage",
            "what the strategy's taker fills cost against the price the exchange priced them from (the recorded book-top mid, else the last trade, else the mark): Σ |fill − reference| × qty × contract value (money; positive = paid; liquidation closes not included)".into(),
        ),
        (
            "money",
            "every money cell carries its currency: the coin (8 decimals) when an inverse perpetual margins the run, else the quote currency (2 decimals)".into(),
        ),
    ]
}

/// [`scorecard_legend`] as text lines: `  column  meaning`.
pub fn render_legend() -> String {
    let legend = scorecard_legend();
    let w = legend
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::from("legend\n");
    for (k, v) in legend {
        out.push_str(&format!("  {k:<w$}  {v}\n"));
    }
    out
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
        "slippage",
    ]);
    for c in cards {
        t.row(vec![
            c.strategy.clone(),
            c.scenario.clone(),
            c.total_return.map_or("-".to_string(), fmt_pct),
            fmt_pct(-c.max_drawdown),
            c.ratio_cell(c.sharpe),
            c.ratio_cell(c.sortino),
            c.leverage_at_crash
                .map_or("-".to_string(), |l| format!("{l:.2}x")),
            c.derisk.to_text(),
            c.crash_pnl.map_or("-".to_string(), |p| c.money(p)),
            c.liquidations.to_string(),
            c.money(c.liquidated_notional),
            c.adl_events.to_string(),
            c.adl_qty.to_string(),
            c.money(c.funding),
            c.money(c.fees),
            c.money(c.slippage),
        ]);
    }
    t.render()
}

/// The scorecards as a JSON array (pretty, stable field order).
pub fn scorecards_json(cards: &[Scorecard]) -> String {
    serde_json::to_string_pretty(cards).expect("scorecards serialise")
}
