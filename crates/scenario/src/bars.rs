//! The perp's bars: mark-price bars straight from the mark path, last-price bars with wicks
//! beyond it.
//!
//! - **Mark bar** of a bar interval: open and close are the mark path at the bar's edges, high
//!   and low its extremes over the bar's 10-second points. The mark never prints the
//!   liquidation-driven spikes of the last price (venues mark on an index and a smoothed
//!   basis, MECHANICS.md A1.6), so its range is the path's own range.
//! - **Last-price bar**: the same open and close (last and mark meet at bar edges); the high
//!   is the mark high plus an up-wick, the low the mark low minus a down-wick, each
//!   `|N(0,1)| · wick_bps · (1 + (crash_wick_multiplier − 1)·s)` of the price, `s` the stress
//!   at mid-bar, rounded to the tick. Hence the mark always wicks less than the last price.
//! - **Troughs**: the bar of the low gets last low = the published low exactly; the bar of
//!   the first leg its published low. Every other bar's low is kept at least one tick above
//!   the low, and between the crash start and the bounce, one tick above the first-leg low —
//!   so each published low is the unique extreme of its span. A wick that would cross such a
//!   floor stops at `floor + U·(mark low − floor)`, `U` uniform in [0.05, 0.5), on the tick.

use crate::params::PathParams;
use crate::path::{MarkPath, STEP_S};
use crate::plan::Plan;
use crate::rng::Rng;
use crate::ticks::{f, price_on_tick};
use cascade_types::{Price, Ts};

/// One bar of the perp, prices only.
#[derive(Clone, Copy, Debug)]
pub struct PerpBar {
    /// Opening time.
    pub open_time: Ts,
    /// Closing time (the bar's stamp).
    pub close_time: Ts,
    /// First price (last and mark).
    pub open: Price,
    /// Last price (last and mark).
    pub close: Price,
    /// Mark high.
    pub mark_high: Price,
    /// Mark low.
    pub mark_low: Price,
    /// Last-price high.
    pub high: Price,
    /// Last-price low.
    pub low: Price,
    /// Stress at mid-bar.
    pub stress: f64,
    /// Index of the bar's first path point.
    pub first_step: usize,
}

/// Builds the perp's bars over the window (see the module docs).
pub fn perp_bars(
    plan: &Plan,
    p: &PathParams,
    path: &MarkPath,
    tick: Price,
    seed: u64,
) -> Vec<PerpBar> {
    let steps = (i64::from(plan.bar_interval_s) / STEP_S) as usize;
    let n_bars = (path.price.len() - 1) / steps;
    let mut rng = Rng::stream(seed, "wicks");
    let wick = f64::from(p.wick_bps) / 10_000.0;
    let mult = f(p.crash_wick_multiplier.raw());
    let leg_span = plan
        .first_leg
        .zip(plan.bounce)
        .map(|(t, b)| (plan.crash_start.at, b.at, t));
    (0..n_bars)
        .map(|k| {
            let a = k * steps;
            let pts = &path.price[a..=a + steps];
            let (open, close) = (pts[0], pts[steps]);
            let mark_high = pts.iter().copied().fold(open, Price::max_of);
            let mark_low = pts.iter().copied().fold(open, Price::min_of);
            let stress = path.stress[a + steps / 2];
            let scale = wick * (1.0 + (mult - 1.0) * stress) * f(open.raw());
            let (up, down) = (rng.normal().abs() * scale, rng.normal().abs() * scale);
            let high = price_on_tick(f(mark_high.raw()) + up, tick);
            let mut low = price_on_tick((f(mark_low.raw()) - down).max(0.0), tick);
            let open_time = path.time(a);
            // A wick that would reach a published low stops short of it, at a random point
            // between one tick above the low and the mark low.
            let short = rng.range(0.05, 0.5);
            let stop_short = |low: Price, floor: Price| {
                if low >= floor {
                    return low;
                }
                let room = f(mark_low.raw()) - f(floor.raw());
                price_on_tick(f(floor.raw()) + room * short, tick)
                    .max_of(floor)
                    .min_of(mark_low)
            };
            low = stop_short(low, plan.low.last_low + tick);
            if let Some((from, to, leg)) = leg_span {
                if open_time >= from && open_time < to {
                    low = stop_short(low, leg.last_low + tick);
                }
                if open_time == leg.bar_open {
                    low = leg.last_low;
                }
            }
            if open_time == plan.low.bar_open {
                low = plan.low.last_low;
            }
            PerpBar {
                open_time,
                close_time: path.time(a + steps),
                open,
                close,
                mark_high,
                mark_low,
                high,
                low,
                stress,
                first_step: a,
            }
        })
        .collect()
}
