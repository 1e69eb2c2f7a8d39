//! The metrics of one run. Money is exact (fixed-point, summed as integers); `f64` appears
//! only in ratios (returns, drawdown %, Sharpe, Sortino, leverage).
//!
//! # Conventions
//!
//! - **Total PnL** is final equity minus initial equity (first and last samples of the
//!   equity curve). Transfers between a strategy's own wallets move no equity.
//! - **PnL split**, exact and summing to the total by construction:
//!   - `fees`: minus the trading fees of fills (rebates count positive);
//!   - `funding`: minus the funding paid (received funding counts positive);
//!   - `liquidation`: realised PnL of positions closed by liquidation (all kinds, including
//!     closes against ADL counterparties), measured against the average entry price, minus
//!     liquidation fees;
//!   - `adl`: realised PnL of positions closed by auto-deleveraging as the victim, against
//!     the average entry price (usually positive: profit taken away early);
//!   - `slippage`: minus the slippage of the strategy's own taker fills (negative: a cost).
//!     For each taker fill, slippage = |fill price − reference price| × qty × contract value
//!     (signed: positive when the fill is worse for the taker, which it is unless a recorded
//!     level lay inside the reference), in the margin currency (coin on an inverse
//!     perpetual, as the difference of the coin values at the two prices). The reference is
//!     the price the exchange priced the order from at the fill: the mid of the recorded
//!     book top, else the last trade, else the mark (`Output::Fill::reference`). The exchange
//!     reports the exact amount with the fill (`Output::Fill::slippage`: the fill's notional
//!     against the notional at the reference, in fixed point), and it is summed here as is.
//!     Maker fills have none. Liquidation closes are not fills: what a liquidation fills
//!     away from the mark stays inside `liquidation`, not shown separately.
//!   - `trading`: the rest: **at reference prices**, realised PnL of the strategy's own
//!     fills plus the change of unrealised PnL and of spot holdings' value. `trading +
//!     slippage` is the trading PnL at the prices actually filled, exactly.
//!
//!   Average entry prices come from replaying the strategy's fills, liquidations and ADL per
//!   (account, instrument) with average-cost accounting (linear instruments: PnL is
//!   `qty × Δprice`).
//! - **Max drawdown**: the largest fall of equity from a running peak, as a value and as a
//!   fraction of the peak; both the deepest in % and the deepest in value are reported.
//! - **Sharpe and Sortino**: equity is sampled on a fixed grid (`start + k·interval`, the
//!   last sample at or before each grid point); simple returns `E_k / E_{k−1} − 1`; risk-free
//!   rate 0; annualised by `√(periods per 365-day year)` (crypto trades every day).
//!   Sharpe = mean ÷ sample standard deviation (n − 1). Sortino = mean ÷ downside deviation
//!   `√(Σ min(r, 0)² / n)`. Undefined (`None`) with fewer than two returns or a zero
//!   denominator. Returns stop at the first non-positive equity (the account is gone).
//!   **Not annualised on a window under 30 days** ([`MIN_ANNUALISED_DAYS`]): scaling 5-minute
//!   returns of an 18-hour crash by √105,120 gives ±20-50, or millions on one spiked return,
//!   which says nothing a risk manager can use; those ratios are `None`, with
//!   [`RiskStats::annualised`] false, and tables print `n/a<30d`. The per-interval mean,
//!   standard deviation and downside deviation stay reported.
//! - **Currency**: every money figure is in the run's margin currency ([`money_currency`]):
//!   the coin when an inverse perpetual margins the run (BTC on XBTUSD), else the quote
//!   currency (USDT).
//! - **Exposure**: gross exposure (sum of `|notional|`) over equity is the leverage;
//!   time-weighted over the equity curve as a step function.

use crate::fold::OutputFold;
use crate::record::{EquitySample, RunRecord};
use crate::ser;
use crate::ReportError;
use cascade_types::{InstrumentKind, InstrumentSpec, Money, Qty, Rate, Ts};
use serde::Serialize;

const NS_PER_YEAR: f64 = (365 * Ts::NANOS_PER_DAY) as f64;

/// The shortest equity curve, in days, whose Sharpe and Sortino are annualised.
pub const MIN_ANNUALISED_DAYS: f64 = 30.0;

/// The currency money is counted in for these instruments: the base coin of the first
/// inverse perpetual (it margins and settles the run), else the quote of the first
/// instrument, else `"?"`.
pub fn money_currency(instruments: &[InstrumentSpec]) -> String {
    instruments
        .iter()
        .find(|i| i.kind == InstrumentKind::InversePerp)
        .map(|i| i.base.clone())
        .or_else(|| instruments.first().map(|i| i.quote.clone()))
        .unwrap_or_else(|| "?".to_string())
}

/// Decimals money in `currency` is printed with: 2 for dollars and dollar stablecoins, 8
/// (the fixed-point resolution) for coins.
pub fn money_decimals(currency: &str) -> usize {
    match currency {
        "USD" | "USDT" | "USDC" | "BUSD" | "FDUSD" | "USDE" => 2,
        _ => 8,
    }
}

/// `amount currency` with the currency's decimals (rounded half away from zero in the
/// last place; exact for coins).
pub fn fmt_money(m: Money, currency: &str) -> String {
    let d = money_decimals(currency) as u32;
    let step = 10i128.pow(8 - d.min(8));
    let raw = m.raw() as i128;
    let q = (raw.abs() + step / 2) / step * raw.signum();
    let neg = q < 0;
    let q = q.abs();
    let unit = 10i128.pow(d);
    let (int, frac) = (q / unit, q % unit);
    let sign = if neg { "-" } else { "" };
    if d == 0 {
        format!("{sign}{int} {currency}")
    } else {
        format!("{sign}{int}.{frac:0w$} {currency}", w = d as usize)
    }
}

/// How metrics are computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportConfig {
    /// Interval of the returns that Sharpe and Sortino use, in nanoseconds.
    pub return_interval_ns: i64,
    /// "De-risked" means gross exposure at or below this fraction of its pre-crash peak.
    pub derisk_fraction: Rate,
}

impl Default for ReportConfig {
    /// 5-minute returns; de-risked at half the peak exposure.
    fn default() -> Self {
        ReportConfig {
            return_interval_ns: 5 * Ts::NANOS_PER_MIN,
            derisk_fraction: Rate::from_raw(cascade_types::SCALE / 2),
        }
    }
}

/// Where the PnL came from.
/// `total == trading + slippage + fees + funding + liquidation + adl`, exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PnlSplit {
    /// Final minus initial equity.
    #[serde(serialize_with = "ser::display")]
    pub total: Money,
    /// Own trading at reference prices: realised on fills plus the change of unrealised
    /// PnL, as if every taker fill had filled at its reference price.
    #[serde(serialize_with = "ser::display")]
    pub trading: Money,
    /// Minus the slippage of the strategy's taker fills against their reference prices.
    #[serde(serialize_with = "ser::display")]
    pub slippage: Money,
    /// Minus trading fees (rebates positive).
    #[serde(serialize_with = "ser::display")]
    pub fees: Money,
    /// Funding received minus funding paid.
    #[serde(serialize_with = "ser::display")]
    pub funding: Money,
    /// Realised PnL of liquidated positions minus liquidation fees.
    #[serde(serialize_with = "ser::display")]
    pub liquidation: Money,
    /// Realised PnL of positions closed by ADL as the victim.
    #[serde(serialize_with = "ser::display")]
    pub adl: Money,
}

/// One drawdown episode: from a peak of equity to the lowest point before a new peak.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Drawdown {
    /// Peak minus trough.
    #[serde(serialize_with = "ser::display")]
    pub value: Money,
    /// `(peak − trough) / peak` (1 when the peak was not positive).
    pub fraction: f64,
    /// When the peak was.
    #[serde(serialize_with = "ser::display")]
    pub peak_ts: Ts,
    /// Equity at the peak.
    #[serde(serialize_with = "ser::display")]
    pub peak_equity: Money,
    /// When the trough was.
    #[serde(serialize_with = "ser::display")]
    pub trough_ts: Ts,
    /// Equity at the trough.
    #[serde(serialize_with = "ser::display")]
    pub trough_equity: Money,
    /// When equity first got back to the peak, if it did.
    #[serde(serialize_with = "ser::opt_display")]
    pub recovered_ts: Option<Ts>,
}

/// The deepest drawdowns.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct DrawdownStats {
    /// The deepest in % of the peak.
    pub max_fraction: Drawdown,
    /// The deepest in value (often the same episode).
    pub max_value: Drawdown,
}

/// Risk-adjusted return ratios (see the module docs for the convention).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RiskStats {
    /// Interval of the returns, in seconds.
    pub interval_s: f64,
    /// Number of returns.
    pub returns: u64,
    /// Mean return per interval.
    pub mean: f64,
    /// Sample standard deviation of the returns.
    pub stdev: f64,
    /// Downside deviation of the returns (target 0).
    pub downside_dev: f64,
    /// Intervals per 365-day year.
    pub periods_per_year: f64,
    /// Days the returns span (returns × interval).
    pub span_days: f64,
    /// Whether the ratios are annualised: false on a span under [`MIN_ANNUALISED_DAYS`],
    /// where `sharpe` and `sortino` are `None`.
    pub annualised: bool,
    /// Annualised Sharpe ratio (`None` under 30 days).
    pub sharpe: Option<f64>,
    /// Annualised Sortino ratio (`None` under 30 days).
    pub sortino: Option<f64>,
}

impl RiskStats {
    /// A ratio for tables: two decimals, `-` when undefined, `n/a<30d` when the window is too
    /// short to annualise.
    pub fn cell(&self, ratio: Option<f64>) -> String {
        match ratio {
            _ if !self.annualised => "n/a<30d".to_string(),
            Some(x) => format!("{x:.2}"),
            None => "-".to_string(),
        }
    }
}

/// Exposure at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ExposureAt {
    /// The equity sample used (the last at or before the instant asked).
    #[serde(serialize_with = "ser::display")]
    pub ts: Ts,
    /// Equity.
    #[serde(serialize_with = "ser::display")]
    pub equity: Money,
    /// Gross exposure.
    #[serde(serialize_with = "ser::display")]
    pub gross: Money,
    /// Net exposure (long positive).
    #[serde(serialize_with = "ser::display")]
    pub net: Money,
    /// Gross exposure ÷ equity (`None` when equity is not positive).
    pub leverage: Option<f64>,
}

/// Exposure over the run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ExposureStats {
    /// Time-weighted mean gross exposure.
    #[serde(serialize_with = "ser::display")]
    pub mean_gross: Money,
    /// Time-weighted mean leverage (gross ÷ equity, while equity is positive).
    pub mean_leverage: f64,
    /// Time-weighted mean net leverage (net ÷ equity).
    pub mean_net_leverage: f64,
    /// Highest leverage sampled.
    pub max_leverage: f64,
    /// Fraction of the time with any exposure.
    pub time_in_market: f64,
    /// Exposure at the end.
    pub last: ExposureAt,
}

/// The strategy's own fills.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TradingStats {
    /// Number of fills.
    pub fills: u64,
    /// Of which as maker.
    pub maker_fills: u64,
    /// Traded notional.
    #[serde(serialize_with = "ser::display")]
    pub volume: Money,
    /// Fees paid (positive fees).
    #[serde(serialize_with = "ser::display")]
    pub fees_paid: Money,
    /// Rebates received (negative fees, as a positive amount).
    #[serde(serialize_with = "ser::display")]
    pub rebates: Money,
    /// Slippage paid on taker fills against their reference prices (positive = paid; see
    /// the module docs). The PnL split shows it negated.
    #[serde(serialize_with = "ser::display")]
    pub slippage: Money,
}

/// Liquidations the strategy suffered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LiquidationStats {
    /// Liquidation steps.
    pub count: u64,
    /// Of which partial.
    pub partial: u64,
    /// Of which full closes through the book.
    pub full: u64,
    /// Of which backstop takeovers.
    pub backstop: u64,
    /// Of which closes against ADL counterparties.
    pub against_adl: u64,
    /// Quantity closed.
    #[serde(serialize_with = "ser::display")]
    pub qty: Qty,
    /// Notional closed (at the liquidation prices).
    #[serde(serialize_with = "ser::display")]
    pub notional: Money,
    /// Liquidation fees charged.
    #[serde(serialize_with = "ser::display")]
    pub fees: Money,
    /// Realised PnL of the closes (against average entry), before fees.
    #[serde(serialize_with = "ser::display")]
    pub realised: Money,
}

/// Auto-deleveraging the strategy suffered as the victim.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AdlStats {
    /// ADL closes of the strategy's positions.
    pub count: u64,
    /// Quantity closed.
    #[serde(serialize_with = "ser::display")]
    pub qty: Qty,
    /// Notional closed.
    #[serde(serialize_with = "ser::display")]
    pub notional: Money,
    /// Realised PnL of the closes against average entry.
    #[serde(serialize_with = "ser::display")]
    pub realised: Money,
}

/// Funding payments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FundingStats {
    /// Number of payments.
    pub payments: u64,
    /// Total paid.
    #[serde(serialize_with = "ser::display")]
    pub paid: Money,
    /// Total received.
    #[serde(serialize_with = "ser::display")]
    pub received: Money,
    /// Received minus paid.
    #[serde(serialize_with = "ser::display")]
    pub net: Money,
}

/// All metrics of a run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Metrics {
    /// First equity sample.
    #[serde(serialize_with = "ser::display")]
    pub start: Ts,
    /// Last equity sample.
    #[serde(serialize_with = "ser::display")]
    pub end: Ts,
    /// Equity at the start.
    #[serde(serialize_with = "ser::display")]
    pub initial_equity: Money,
    /// Equity at the end.
    #[serde(serialize_with = "ser::display")]
    pub final_equity: Money,
    /// `final / initial − 1` (`None` when the initial equity is not positive).
    pub total_return: Option<f64>,
    /// Where the PnL came from.
    pub pnl: PnlSplit,
    /// Deepest drawdowns.
    pub drawdown: DrawdownStats,
    /// Sharpe, Sortino.
    pub risk: RiskStats,
    /// Exposure.
    pub exposure: ExposureStats,
    /// Own fills.
    pub trading: TradingStats,
    /// Liquidations suffered.
    pub liquidations: LiquidationStats,
    /// ADL suffered.
    pub adl: AdlStats,
    /// Funding.
    pub funding: FundingStats,
}

pub(crate) fn validate(r: &RunRecord) -> Result<(), ReportError> {
    if r.equity.is_empty() {
        return Err(ReportError::EmptyEquity);
    }
    if let Some(i) = r.equity.windows(2).position(|w| w[1].ts < w[0].ts) {
        return Err(ReportError::Unsorted {
            what: "equity curve",
            index: i + 1,
        });
    }
    if let Some(i) = r.market.windows(2).position(|w| w[1].ts < w[0].ts) {
        return Err(ReportError::Unsorted {
            what: "market series",
            index: i + 1,
        });
    }
    let unsorted = match &r.fold {
        Some(f) => f.unsorted_at.map(|i| i as usize),
        None => r
            .outputs
            .windows(2)
            .position(|w| w[1].ts < w[0].ts)
            .map(|i| i + 1),
    };
    if let Some(index) = unsorted {
        return Err(ReportError::Unsorted {
            what: "outputs",
            index,
        });
    }
    Ok(())
}

/// Computes every metric of a run.
pub fn compute(r: &RunRecord, cfg: &ReportConfig) -> Result<Metrics, ReportError> {
    validate(r)?;
    if cfg.return_interval_ns <= 0 {
        return Err(ReportError::BadConfig(
            "the return interval must be positive",
        ));
    }
    let first = r.equity[0];
    let last = *r.equity.last().expect("non-empty");

    let fold = match &r.fold {
        Some(f) => f.clone(),
        None => {
            let mut f = OutputFold::new(&r.instruments, &r.accounts);
            for o in &r.outputs {
                f.add(o);
            }
            f
        }
    };
    let OutputFold {
        trading,
        liquidations: liq,
        adl,
        mut funding,
        ..
    } = fold;
    funding.net = funding.received - funding.paid;

    let total = last.equity - first.equity;
    let fees = trading.rebates - trading.fees_paid;
    let liquidation = liq.realised - liq.fees;
    let pnl = PnlSplit {
        total,
        trading: total + trading.slippage - fees - funding.net - liquidation - adl.realised,
        slippage: -trading.slippage,
        fees,
        funding: funding.net,
        liquidation,
        adl: adl.realised,
    };
    debug_assert_eq!(
        pnl.trading + pnl.slippage + pnl.fees + pnl.funding + pnl.liquidation + pnl.adl,
        pnl.total
    );

    Ok(Metrics {
        start: first.ts,
        end: last.ts,
        initial_equity: first.equity,
        final_equity: last.equity,
        total_return: ratio(total, first.equity),
        pnl,
        drawdown: drawdowns(&r.equity),
        risk: risk(&r.equity, cfg.return_interval_ns),
        exposure: exposure(&r.equity),
        trading,
        liquidations: liq,
        adl,
        funding,
    })
}

fn ratio(num: Money, den: Money) -> Option<f64> {
    den.is_positive()
        .then(|| num.raw() as f64 / den.raw() as f64)
}

fn episode(peak: EquitySample, trough: EquitySample) -> Drawdown {
    let value = peak.equity - trough.equity;
    Drawdown {
        value,
        fraction: ratio(value, peak.equity).unwrap_or(if value.is_positive() { 1.0 } else { 0.0 }),
        peak_ts: peak.ts,
        peak_equity: peak.equity,
        trough_ts: trough.ts,
        trough_equity: trough.equity,
        recovered_ts: None,
    }
}

/// The deepest drawdowns of an equity curve (non-empty).
pub fn drawdowns(curve: &[EquitySample]) -> DrawdownStats {
    assert!(!curve.is_empty(), "an equity curve has at least one sample");
    let mut peak = curve[0];
    let mut by_fraction = episode(peak, peak);
    let mut by_value = by_fraction;
    for &s in curve {
        if s.equity > peak.equity {
            peak = s;
            continue;
        }
        let e = episode(peak, s);
        if e.fraction > by_fraction.fraction {
            by_fraction = e;
        }
        if e.value > by_value.value {
            by_value = e;
        }
    }
    let recover = |mut d: Drawdown| {
        if d.value.is_positive() {
            d.recovered_ts = curve
                .iter()
                .find(|s| s.ts > d.trough_ts && s.equity >= d.peak_equity)
                .map(|s| s.ts);
        }
        d
    };
    DrawdownStats {
        max_fraction: recover(by_fraction),
        max_value: recover(by_value),
    }
}

/// The equity on a fixed grid from the first sample: the last sample at or before each grid
/// point.
pub fn resample(curve: &[EquitySample], interval_ns: i64) -> Vec<Money> {
    assert!(interval_ns > 0, "a positive interval");
    let Some(first) = curve.first() else {
        return Vec::new();
    };
    let last = curve[curve.len() - 1].ts;
    let steps = ((last.nanos() as i128 - first.ts.nanos() as i128) / interval_ns as i128) as usize;
    let mut out = Vec::with_capacity(steps + 1);
    let mut i = 0;
    for k in 0..=steps {
        let t = first.ts.nanos() as i128 + k as i128 * interval_ns as i128;
        while i + 1 < curve.len() && (curve[i + 1].ts.nanos() as i128) <= t {
            i += 1;
        }
        out.push(curve[i].equity);
    }
    out
}

/// Simple returns between consecutive values, stopping at the first non-positive value.
pub fn simple_returns(values: &[Money]) -> Vec<f64> {
    let mut out = Vec::with_capacity(values.len().saturating_sub(1));
    for w in values.windows(2) {
        if !w[0].is_positive() {
            break;
        }
        out.push(w[1].raw() as f64 / w[0].raw() as f64 - 1.0);
    }
    out
}

/// Sharpe and Sortino on returns sampled every `interval_ns`.
pub fn risk(curve: &[EquitySample], interval_ns: i64) -> RiskStats {
    let returns = simple_returns(&resample(curve, interval_ns));
    let periods_per_year = NS_PER_YEAR / interval_ns as f64;
    let mut k = risk_of_returns(&returns, interval_ns, periods_per_year);
    if k.span_days < MIN_ANNUALISED_DAYS {
        k.annualised = false;
        k.sharpe = None;
        k.sortino = None;
    }
    k
}

fn risk_of_returns(r: &[f64], interval_ns: i64, periods_per_year: f64) -> RiskStats {
    let n = r.len();
    let mean = if n == 0 {
        0.0
    } else {
        r.iter().sum::<f64>() / n as f64
    };
    let stdev = if n < 2 {
        0.0
    } else {
        (r.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64).sqrt()
    };
    let downside_dev = if n == 0 {
        0.0
    } else {
        (r.iter().map(|x| x.min(0.0) * x.min(0.0)).sum::<f64>() / n as f64).sqrt()
    };
    let annual = periods_per_year.sqrt();
    let ok = |den: f64| n >= 2 && den > 0.0;
    RiskStats {
        interval_s: interval_ns as f64 / Ts::NANOS_PER_SEC as f64,
        returns: n as u64,
        mean,
        stdev,
        downside_dev,
        periods_per_year,
        span_days: n as f64 * interval_ns as f64 / Ts::NANOS_PER_DAY as f64,
        annualised: true,
        sharpe: ok(stdev).then(|| mean / stdev * annual),
        sortino: ok(downside_dev).then(|| mean / downside_dev * annual),
    }
}

/// Exposure at the last sample at or before `ts` (`None` before the first sample).
pub fn exposure_at(curve: &[EquitySample], ts: Ts) -> Option<ExposureAt> {
    let i = curve.partition_point(|s| s.ts <= ts);
    (i > 0).then(|| exposure_of(&curve[i - 1]))
}

fn exposure_of(s: &EquitySample) -> ExposureAt {
    ExposureAt {
        ts: s.ts,
        equity: s.equity,
        gross: s.gross_exposure,
        net: s.net_exposure,
        leverage: ratio(s.gross_exposure, s.equity),
    }
}

/// Time-weighted exposure over an equity curve (non-empty), as a step function: each
/// sample holds until the next.
pub fn exposure(curve: &[EquitySample]) -> ExposureStats {
    assert!(!curve.is_empty(), "an equity curve has at least one sample");
    let last = exposure_of(&curve[curve.len() - 1]);
    let max_leverage = curve
        .iter()
        .filter_map(|s| ratio(s.gross_exposure, s.equity))
        .fold(0.0, f64::max);
    let span = curve[curve.len() - 1].ts.nanos() as i128 - curve[0].ts.nanos() as i128;
    if span == 0 {
        let lev = last.leverage.unwrap_or(0.0);
        return ExposureStats {
            mean_gross: last.gross,
            mean_leverage: lev,
            mean_net_leverage: ratio(last.net, last.equity).unwrap_or(0.0),
            max_leverage,
            time_in_market: if last.gross.is_zero() { 0.0 } else { 1.0 },
            last,
        };
    }
    let (mut gross_ns, mut in_market_ns) = (0i128, 0i128);
    let (mut lev_ns, mut net_lev_ns, mut lev_time) = (0.0f64, 0.0f64, 0.0f64);
    for w in curve.windows(2) {
        let dt = w[1].ts.nanos() as i128 - w[0].ts.nanos() as i128;
        gross_ns += w[0].gross_exposure.raw() as i128 * dt;
        if !w[0].gross_exposure.is_zero() {
            in_market_ns += dt;
        }
        if let (Some(l), Some(nl)) = (
            ratio(w[0].gross_exposure, w[0].equity),
            ratio(w[0].net_exposure, w[0].equity),
        ) {
            lev_ns += l * dt as f64;
            net_lev_ns += nl * dt as f64;
            lev_time += dt as f64;
        }
    }
    let mean_gross = Money::from_raw(
        i64::try_from(div_round(gross_ns, span)).expect("a mean of i64 values fits in i64"),
    );
    ExposureStats {
        mean_gross,
        mean_leverage: if lev_time > 0.0 {
            lev_ns / lev_time
        } else {
            0.0
        },
        mean_net_leverage: if lev_time > 0.0 {
            net_lev_ns / lev_time
        } else {
            0.0
        },
        max_leverage,
        time_in_market: in_market_ns as f64 / span as f64,
        last,
    }
}

/// `a / b` rounded half away from zero, for `b > 0`.
fn div_round(a: i128, b: i128) -> i128 {
    let q = a.div_euclid(b);
    let r = a.rem_euclid(b);
    if 2 * r >= b {
        q + 1
    } else {
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fold::{value, Position};
    use cascade_types::{Price, Rounding, Side};

    fn m(s: &str) -> Money {
        s.parse().unwrap()
    }

    fn t(min: i64) -> Ts {
        Ts::from_secs(1_760_000_000 + min * 60).unwrap()
    }

    fn curve(values: &[(i64, &str)]) -> Vec<EquitySample> {
        values
            .iter()
            .map(|&(min, e)| EquitySample {
                ts: t(min),
                equity: m(e),
                gross_exposure: Money::ZERO,
                net_exposure: Money::ZERO,
            })
            .collect()
    }

    #[test]
    fn drawdown_of_a_hand_computed_curve() {
        // Peak 120 at 1, trough 90 at 3 (25 %, 30); new peak 150 at 5, trough 105 at 6
        // (30 %, 45); recovers at 8.
        let c = curve(&[
            (0, "100"),
            (1, "120"),
            (2, "110"),
            (3, "90"),
            (4, "130"),
            (5, "150"),
            (6, "105"),
            (7, "140"),
            (8, "150"),
        ]);
        let d = drawdowns(&c);
        assert_eq!(d.max_fraction.value, m("45"));
        assert!((d.max_fraction.fraction - 0.3).abs() < 1e-12);
        assert_eq!(
            (d.max_fraction.peak_ts, d.max_fraction.trough_ts),
            (t(5), t(6))
        );
        assert_eq!(d.max_fraction.recovered_ts, Some(t(8)));
        assert_eq!(d.max_value, d.max_fraction);

        // Deepest in % and in value differ: 10 -> 5 (50 %, 5) then 100 -> 60 (40 %, 40).
        let c = curve(&[(0, "10"), (1, "5"), (2, "100"), (3, "60")]);
        let d = drawdowns(&c);
        assert_eq!(
            (d.max_fraction.value, d.max_fraction.recovered_ts),
            (m("5"), Some(t(2)))
        );
        assert_eq!(
            (d.max_value.value, d.max_value.recovered_ts),
            (m("40"), None)
        );
        assert!((d.max_value.fraction - 0.4).abs() < 1e-12);

        // Only rising: no drawdown.
        let d = drawdowns(&curve(&[(0, "1"), (1, "2")]));
        assert_eq!(
            (d.max_fraction.value, d.max_fraction.fraction),
            (Money::ZERO, 0.0)
        );
    }

    #[test]
    fn money_carries_its_currency_and_decimals() {
        assert_eq!(fmt_money(m("-1.34497880"), "BTC"), "-1.34497880 BTC");
        assert_eq!(fmt_money(m("0.00011074"), "BTC"), "0.00011074 BTC");
        assert_eq!(fmt_money(m("-1234.565"), "USDT"), "-1234.57 USDT");
        assert_eq!(fmt_money(m("-0.004"), "USDT"), "0.00 USDT");
        assert_eq!(fmt_money(m("12"), "USD"), "12.00 USD");
        let spec = |kind, base: &str, quote: &str| InstrumentSpec::new("v", "S", kind, base, quote);
        let inv = spec(InstrumentKind::InversePerp, "BTC", "USD");
        let lin = spec(InstrumentKind::LinearPerp, "BTC", "USDT");
        let spot = spec(InstrumentKind::Spot, "BTC", "USD");
        assert_eq!(money_currency(&[spot.clone(), inv]), "BTC");
        assert_eq!(money_currency(&[lin, spot]), "USDT");
        assert_eq!(money_currency(&[]), "?");
    }

    #[test]
    fn resampling_takes_the_last_value_at_or_before_each_grid_point() {
        let c = curve(&[(0, "100"), (3, "103"), (4, "104"), (11, "111")]);
        let five = 5 * Ts::NANOS_PER_MIN;
        assert_eq!(resample(&c, five), [m("100"), m("104"), m("104")]);
        assert_eq!(resample(&c, Ts::NANOS_PER_MIN).len(), 12);
    }

    #[test]
    fn sharpe_and_sortino_of_a_known_series() {
        // Returns +10 %, −5 %, +10 %, −5 %: mean 0.025, sample stdev 0.0866025…,
        // downside dev √(2·0.0025 / 4) = 0.0353553…
        let r = [0.10, -0.05, 0.10, -0.05];
        let s = risk_of_returns(&r, Ts::NANOS_PER_DAY, 365.0);
        assert!((s.mean - 0.025).abs() < 1e-15);
        assert!((s.stdev - 0.086_602_540_378_443_86).abs() < 1e-12);
        assert!((s.downside_dev - 0.035_355_339_059_327_38).abs() < 1e-12);
        let want_sharpe = 0.025 / 0.086_602_540_378_443_86 * 365f64.sqrt();
        let want_sortino = 0.025 / 0.035_355_339_059_327_38 * 365f64.sqrt();
        assert!(
            (s.sharpe.unwrap() - want_sharpe).abs() < 1e-9,
            "{:?}",
            s.sharpe
        );
        assert!((s.sortino.unwrap() - want_sortino).abs() < 1e-9);
        assert!((s.sharpe.unwrap() - 5.515_130_4).abs() < 1e-6);

        // From an equity curve: 100 -> 110 -> 104.5 -> 114.95 -> 109.2025 daily.
        let c: Vec<EquitySample> = ["100", "110", "104.5", "114.95", "109.2025"]
            .iter()
            .enumerate()
            .map(|(d, e)| EquitySample {
                ts: Ts::from_secs(d as i64 * 86_400).unwrap(),
                equity: m(e),
                gross_exposure: Money::ZERO,
                net_exposure: Money::ZERO,
            })
            .collect();
        // Four days: too short to annualise.
        let s2 = risk(&c, Ts::NANOS_PER_DAY);
        assert_eq!(s2.returns, 4);
        assert!(!s2.annualised && s2.sharpe.is_none() && s2.sortino.is_none());
        assert!((s2.mean - 0.025).abs() < 1e-12);
        assert_eq!(s2.cell(s2.sharpe), "n/a<30d");
        // Thirty days of the same pattern: annualised, as the returns give.
        let mut e = m("100");
        let mut c = Vec::new();
        for d in 0..=30 {
            c.push(EquitySample {
                ts: Ts::from_secs(d as i64 * 86_400).unwrap(),
                equity: e,
                gross_exposure: Money::ZERO,
                net_exposure: Money::ZERO,
            });
            let r = if d % 2 == 0 { "1.1" } else { "0.95" };
            e = e.mul_rate(r.parse().unwrap(), Rounding::HalfEven);
        }
        let s3 = risk(&c, Ts::NANOS_PER_DAY);
        let direct = risk_of_returns(
            &simple_returns(&resample(&c, Ts::NANOS_PER_DAY)),
            Ts::NANOS_PER_DAY,
            365.0,
        );
        assert!(s3.annualised && s3.span_days >= 30.0);
        assert_eq!(s3.sharpe, direct.sharpe);
        assert!(s3.sharpe.is_some());
        assert!((s2.periods_per_year - 365.0).abs() < 1e-12);

        // Too few returns, or no variation: undefined.
        assert_eq!(risk_of_returns(&[0.1], 1, 1.0).sharpe, None);
        assert_eq!(risk_of_returns(&[0.1, 0.1], 1, 1.0).sharpe, None);
        assert_eq!(risk_of_returns(&[0.1, 0.1], 1, 1.0).sortino, None);
    }

    #[test]
    fn returns_stop_when_equity_is_gone() {
        assert_eq!(
            simple_returns(&[m("100"), m("50"), m("0"), m("10")]),
            [-0.5, -1.0]
        );
    }

    #[test]
    fn average_cost_positions() {
        let mut p = Position::default();
        let px = |s: &str| s.parse::<Price>().unwrap();
        let q = |s: &str| s.parse::<Qty>().unwrap();
        assert_eq!(p.trade(Side::Buy, q("1"), px("100"), None), Money::ZERO);
        assert_eq!(p.trade(Side::Buy, q("1"), px("110"), None), Money::ZERO); // avg 105
        assert_eq!(p.trade(Side::Sell, q("0.5"), px("120"), None), m("7.5"));
        // Sell 2.5 of a 1.5 long: close 1.5 at 100 (−7.5), open short 1 at 100.
        assert_eq!(p.trade(Side::Sell, q("2.5"), px("100"), None), m("-7.5"));
        assert_eq!((p.qty, p.cost), (q("-1"), m("100")));
        assert_eq!(p.trade(Side::Buy, q("1"), px("90"), None), m("10"));
        assert_eq!((p.qty, p.cost), (Qty::ZERO, Money::ZERO));
        // A third of an odd cost: rounding stays exact overall.
        p.trade(Side::Buy, q("3"), px("1.00000001"), None);
        let a = p.trade(Side::Sell, q("1"), px("1"), None);
        let b = p.trade(Side::Sell, q("2"), px("1"), None);
        assert_eq!(a + b, m("-0.00000003"));
    }

    #[test]
    fn inverse_positions_count_in_the_coin() {
        let mut xbt = InstrumentSpec::new(
            "bitmex",
            "XBTUSD",
            InstrumentKind::InversePerp,
            "BTC",
            "USD",
        );
        xbt.contract_size = Qty::ONE;
        let spec = Some(&xbt);
        let mut p = Position::default();
        let px = |s: &str| s.parse::<Price>().unwrap();
        let q = |s: &str| s.parse::<Qty>().unwrap();
        // Long 1,000 one-dollar contracts at 10,000 (0.1 XBT), sold at 11,000 (0.09090909):
        // +0.00909091 XBT, as c·s·(1/10,000 − 1/11,000).
        assert_eq!(
            p.trade(Side::Buy, q("1000"), px("10000"), spec),
            Money::ZERO
        );
        assert_eq!(p.cost, m("0.1"));
        assert_eq!(
            p.trade(Side::Sell, q("1000"), px("11000"), spec),
            m("0.00909091")
        );
        // A short loses coin when the price rises.
        assert_eq!(
            p.trade(Side::Sell, q("1000"), px("10000"), spec),
            Money::ZERO
        );
        assert_eq!(
            p.trade(Side::Buy, q("1000"), px("11000"), spec),
            m("-0.00909091")
        );
        assert_eq!(value(spec, px("7353"), q("1")), m("0.000136"));
    }

    #[test]
    fn exposure_is_time_weighted() {
        let mut c = curve(&[(0, "100"), (10, "100"), (30, "50"), (40, "50")]);
        c[0].gross_exposure = m("200"); // 2x for 10 minutes
        c[0].net_exposure = m("-200");
        c[1].gross_exposure = Money::ZERO; // flat for 20 minutes
        c[2].gross_exposure = m("150"); // 3x for 10 minutes
        c[2].net_exposure = m("150");
        c[3].gross_exposure = m("150");
        let e = exposure(&c);
        assert_eq!(e.mean_gross, m("87.5")); // (200·10 + 150·10) / 40
        assert!((e.mean_leverage - 1.25).abs() < 1e-12); // (2·10 + 3·10) / 40
        assert!((e.mean_net_leverage - 0.25).abs() < 1e-12); // (−2·10 + 3·10) / 40
        assert!((e.max_leverage - 3.0).abs() < 1e-12);
        assert!((e.time_in_market - 0.5).abs() < 1e-12);
        let at = exposure_at(&c, t(5)).unwrap();
        assert_eq!((at.ts, at.gross, at.leverage), (t(0), m("200"), Some(2.0)));
        assert_eq!(exposure_at(&c, t(-1)), None);
        assert_eq!(exposure_at(&c, t(99)).unwrap().ts, t(40));
    }
}
