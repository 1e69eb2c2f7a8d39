//! Calibration: fit the lognormal leverage distribution's `(median, σ)` so that modelled
//! liquidations best match recorded ones over a window.
//!
//! 1. **Grid.** Every `(median, σ)` of the grid (medians outer, σ inner) is run from scratch —
//!    a fresh exchange from the caller's factory, a fresh crowd with the base config's
//!    leverage replaced by `LogNormal { median, sigma, max }`, the optional starting book,
//!    then every event — and scored by [`FidelityTable::loss`](crate::FidelityTable::loss)
//!    over the window.
//! 2. **Coordinate search** (`refine_rounds` > 0): from the best grid point, try the median
//!    times and divided by `1 + step` and σ plus and minus `step / 2`; move to the best
//!    improvement, else halve `step`; `refine_rounds` such steps.
//!
//! The best point has the lowest loss; ties go to the first evaluated. Everything is
//! deterministic: the same inputs give the same fit on every machine (the loss uses only
//! IEEE-exact operations, the draws are seeded). The cost is one full replay per point.
//!
//! How a command line calls it (`backtest calibrate`):
//!
//! ```text
//! let events: Vec<Event> = /* the log, in order */;
//! let make = || { let mut ex = Exchange::new(rules.clone(), instruments.clone()).unwrap();
//!                 ex.seed_insurance_fund(0, fund); /* warm-up events */ ex };
//! let input = CalibrationInput { base: crowd_config, exchange: &make,
//!                                starting_book: None /* or Some((oi, price)) */,
//!                                events: &events, window: (from, to) };
//! let fit = calibrate(&input, &CalibrationGrid::default())?;
//! print!("{}", fit.render());          // every point, then the best
//! let fitted: CrowdConfig = fit.config; // the base config with the fitted leverage
//! ```

use crate::config::CrowdConfig;
use crate::dist::LeverageDist;
use crate::driver::replay;
use crate::fidelity::fidelity_table;
use crate::model::Crowd;
use crate::report::fmt_money;
use crate::CrowdError;
use cascade_exchange::Exchange;
use cascade_types::{Event, Money, Price, Qty, Ts};
use std::fmt::Write;

/// The points to try.
#[derive(Clone, Debug, PartialEq)]
pub struct CalibrationGrid {
    /// Median leverages.
    pub medians: Vec<f64>,
    /// Spreads σ of log-leverage.
    pub sigmas: Vec<f64>,
    /// Largest leverage drawn (the bracket caps it further).
    pub max_leverage: u32,
    /// Coordinate-search steps after the grid (0: grid only).
    pub refine_rounds: u32,
}

impl Default for CalibrationGrid {
    fn default() -> Self {
        CalibrationGrid {
            medians: vec![3.0, 5.0, 10.0, 20.0, 35.0, 60.0],
            sigmas: vec![0.2, 0.5, 0.8, 1.2],
            max_leverage: 125,
            refine_rounds: 4,
        }
    }
}

/// What to fit against.
pub struct CalibrationInput<'a> {
    /// The crowd config; its leverage distribution is what is fitted.
    pub base: CrowdConfig,
    /// A fresh exchange for every candidate: the venue rules, instruments and fund seed —
    /// and, when a starting book is seeded, the market as it stands then (at least a mark:
    /// the events before the window's start can be applied here, and left out of `events`).
    pub exchange: &'a dyn Fn() -> Exchange,
    /// A starting book `(open interest, price)` seeded before the events
    /// ([`Crowd::seed_spread`]), for logs without open interest.
    pub starting_book: Option<(Qty, Price)>,
    /// The log: recorded liquidations and whatever drives the model (prices, open interest).
    pub events: &'a [Event],
    /// The window `[from, to)` the loss is computed over.
    pub window: (Ts, Ts),
}

/// One evaluated point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FitPoint {
    /// Median leverage.
    pub median: f64,
    /// σ of log-leverage.
    pub sigma: f64,
    /// Its loss (`None` when the window holds no recorded liquidation).
    pub loss: Option<f64>,
    /// Modelled liquidation notional in the window.
    pub modelled: Money,
    /// Recorded liquidation notional in the window.
    pub recorded: Money,
}

/// The result of a calibration.
#[derive(Clone, Debug, PartialEq)]
pub struct CalibrationFit {
    /// Every point evaluated, in order (grid first, then the coordinate search).
    pub points: Vec<FitPoint>,
    /// Index of the best point.
    pub best: usize,
    /// The base config with the fitted leverage distribution.
    pub config: CrowdConfig,
}

impl CalibrationFit {
    /// The best point.
    pub fn best(&self) -> &FitPoint {
        &self.points[self.best]
    }

    /// The fit as text: every point, then the best.
    pub fn render(&self) -> String {
        let mut s = String::new();
        writeln!(
            s,
            "{:>8} {:>6} {:>8} {:>10} {:>10}",
            "median", "sigma", "loss", "modelled", "recorded"
        )
        .unwrap();
        for (k, p) in self.points.iter().enumerate() {
            writeln!(
                s,
                "{:>8.3} {:>6.3} {:>8} {:>10} {:>10}{}",
                p.median,
                p.sigma,
                p.loss.map_or("-".into(), |l| format!("{l:.4}")),
                fmt_money(p.modelled),
                fmt_money(p.recorded),
                if k == self.best { "  <- best" } else { "" }
            )
            .unwrap();
        }
        let b = self.best();
        writeln!(
            s,
            "fit: leverage lognormal median {:.3}, sigma {:.3}, loss {}",
            b.median,
            b.sigma,
            b.loss.map_or("-".into(), |l| format!("{l:.4}"))
        )
        .unwrap();
        s
    }
}

fn candidate(base: &CrowdConfig, median: f64, sigma: f64, max: u32) -> CrowdConfig {
    let mut c = base.clone();
    c.leverage = LeverageDist::LogNormal { median, sigma, max };
    c
}

fn evaluate(
    input: &CalibrationInput<'_>,
    median: f64,
    sigma: f64,
    max: u32,
) -> Result<FitPoint, CrowdError> {
    let cfg = candidate(&input.base, median, sigma, max);
    let interval = cfg.fidelity_interval_s;
    let mut ex = (input.exchange)();
    let mut crowd = Crowd::new(cfg, &ex)?;
    if let Some((oi, price)) = input.starting_book {
        let mut out = Vec::new();
        crowd.seed_spread(&mut ex, oi, price, &mut out)?;
    }
    replay(&mut ex, &mut crowd, input.events.iter().copied());
    let t = fidelity_table(crowd.record(), interval, Some(input.window), &[]);
    Ok(FitPoint {
        median,
        sigma,
        loss: t.loss(),
        modelled: t.totals.modelled_long + t.totals.modelled_short,
        recorded: t.totals.recorded_long + t.totals.recorded_short,
    })
}

fn better(a: &FitPoint, b: &FitPoint) -> bool {
    match (a.loss, b.loss) {
        (Some(x), Some(y)) => x < y,
        (Some(_), None) => true,
        _ => false,
    }
}

/// Fits the leverage distribution (see the module docs).
pub fn calibrate(
    input: &CalibrationInput<'_>,
    grid: &CalibrationGrid,
) -> Result<CalibrationFit, CrowdError> {
    if grid.medians.is_empty() || grid.sigmas.is_empty() {
        return Err(CrowdError::Calibration("the grid is empty".into()));
    }
    let max = grid.max_leverage.max(1);
    let mut points = Vec::new();
    for &m in &grid.medians {
        for &s in &grid.sigmas {
            points.push(evaluate(input, m, s, max)?);
        }
    }
    let mut best = 0;
    for k in 1..points.len() {
        if better(&points[k], &points[best]) {
            best = k;
        }
    }
    if points[best].loss.is_none() {
        return Err(CrowdError::Calibration(
            "the window holds no recorded liquidation".into(),
        ));
    }
    let mut step = 0.5;
    for _ in 0..grid.refine_rounds {
        let b = points[best];
        let tries = [
            (b.median * (1.0 + step), b.sigma),
            (b.median / (1.0 + step), b.sigma),
            (b.median, b.sigma + step / 2.0),
            (b.median, (b.sigma - step / 2.0).max(0.0)),
        ];
        let mut moved = false;
        for (m, s) in tries {
            if m < 1.0 || (m == b.median && s == b.sigma) {
                continue;
            }
            let p = evaluate(input, m, s, max)?;
            points.push(p);
            if better(&p, &points[best]) {
                best = points.len() - 1;
                moved = true;
            }
        }
        if !moved {
            step /= 2.0;
        }
    }
    let b = points[best];
    Ok(CalibrationFit {
        config: candidate(&input.base, b.median, b.sigma, max),
        points,
        best,
    })
}
