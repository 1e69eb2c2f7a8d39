//! The mark path: the perp's price every 10 seconds through the plan's anchors, and the
//! stress level that drives everything else.
//!
//! **Construction** (`j` counts 10-second steps from the window start):
//!
//! 1. *Anchors*: price before, crash start, first-leg trough and bounce, low trough,
//!    recovery, window end, as [`Plan`] resolved them. A trough's anchor sits in the middle of
//!    its bar (30 s after the opening of a 1-minute bar) at the trough's **mark** low.
//! 2. *Skeleton* between consecutive anchors A → B at fraction `u` of the way:
//!    `A + (B − A)·shape(u)`, with `shape = u` for drifts, `u^p` (`p = crash_power`) into a
//!    trough — a fall that accelerates — and `1 − (1 − u)²` out of one — a bounce that slows.
//! 3. *Stress* `s ∈ [0, 1]`: 0 before the crash start; from there to the low, the drawdown of
//!    the skeleton below the crash-start price as a fraction of the fall to the mark low; after
//!    the low, `1 / (1 + Δt/τ)²` with `τ = stress_decay_min`.
//! 4. *Noise*: in each segment a Brownian bridge `b` (pinned to 0 at both anchors) with
//!    normal steps of standard deviation `vol_bps / √6 · (1 + (crash_vol_multiplier − 1)·s)`
//!    basis points; the price is `skeleton · (1 + b)`, rounded to the tick.
//! 5. *Clamps*, which make the anchors the extremes they claim to be: every point other than
//!    the low's anchor is at least the mark low plus one tick; between the crash start and the
//!    bounce, every point other than the first leg's anchor is at least the first-leg mark low
//!    plus one tick. The anchors themselves are set exactly.

use crate::params::PathParams;
use crate::plan::Plan;
use crate::rng::Rng;
use crate::ticks::{f, price_on_tick};
use cascade_types::{Price, Ts};

/// Seconds between path points.
pub const STEP_S: i64 = 10;

/// How the skeleton moves into an anchor.
#[derive(Clone, Copy)]
enum Shape {
    Drift,
    Fall(u32),
    Rise,
}

impl Shape {
    fn at(self, u: f64) -> f64 {
        match self {
            Shape::Drift => u,
            Shape::Fall(p) => (0..p).fold(1.0, |acc, _| acc * u),
            Shape::Rise => 1.0 - (1.0 - u) * (1.0 - u),
        }
    }
}

/// The mark path and its stress, one point per [`STEP_S`] from the window start to its end
/// (inclusive).
pub struct MarkPath {
    /// Window start.
    pub start: Ts,
    /// Price at each step.
    pub price: Vec<Price>,
    /// Stress at each step.
    pub stress: Vec<f64>,
}

impl MarkPath {
    /// Time of step `j`.
    pub fn time(&self, j: usize) -> Ts {
        self.start.plus_secs(j as i64 * STEP_S)
    }
}

fn index(start: Ts, t: Ts) -> usize {
    let d = t.nanos() - start.nanos();
    assert!(
        d >= 0 && d % (STEP_S * Ts::NANOS_PER_SEC) == 0,
        "time off the path grid"
    );
    (d / (STEP_S * Ts::NANOS_PER_SEC)) as usize
}

/// Builds the mark path of `plan` (see the module docs). `tick` is the perp's.
pub fn build(plan: &Plan, p: &PathParams, tick: Price, seed: u64) -> MarkPath {
    let start = plan.window.start;
    let n = index(start, plan.window.end);
    let half_bar = plan.bar_interval_s as i64 / 2 * Ts::NANOS_PER_SEC;
    let mid = |t: Ts| index(start, t.plus_nanos(half_bar));

    // 1. Anchors, in time order, each with the shape of the segment that ends there.
    let mut anchors: Vec<(usize, Price, Shape)> = vec![(0, plan.price_before.price, Shape::Drift)];
    let fall = Shape::Fall(p.crash_power);
    let mut push = |j: usize, price: Price, shape: Shape| {
        if anchors.last().is_some_and(|a| a.0 == j) {
            anchors.pop();
        }
        anchors.push((j, price, shape));
    };
    push(
        index(start, plan.price_before.at),
        plan.price_before.price,
        Shape::Drift,
    );
    push(
        index(start, plan.crash_start.at),
        plan.crash_start.price,
        Shape::Drift,
    );
    if let (Some(t), Some(b)) = (plan.first_leg, plan.bounce) {
        push(mid(t.bar_open), t.mark_low, fall);
        push(index(start, b.at), b.price, Shape::Rise);
    }
    let low_j = mid(plan.low.bar_open);
    push(low_j, plan.low.mark_low, fall);
    push(
        index(start, plan.recovery.at),
        plan.recovery.price,
        Shape::Rise,
    );
    push(n, plan.end.price, Shape::Drift);

    // 2. Skeleton.
    let mut skel = vec![0.0f64; n + 1];
    for w in anchors.windows(2) {
        let ((ja, pa, _), (jb, pb, shape)) = (w[0], w[1]);
        let (a, b) = (f(pa.raw()), f(pb.raw()));
        for (j, x) in skel.iter_mut().enumerate().take(jb + 1).skip(ja) {
            let u = (j - ja) as f64 / (jb - ja) as f64;
            *x = a + (b - a) * shape.at(u);
        }
    }

    // 3. Stress.
    let cs_j = index(start, plan.crash_start.at);
    let (cs, m) = (f(plan.crash_start.price.raw()), f(plan.low.mark_low.raw()));
    let tau_steps = f64::from(p.stress_decay_min.max(1)) * 60.0 / STEP_S as f64;
    let stress: Vec<f64> = (0..=n)
        .map(|j| {
            if j < cs_j {
                0.0
            } else if j <= low_j {
                ((cs - skel[j]) / (cs - m)).clamp(0.0, 1.0)
            } else {
                let x = 1.0 + (j - low_j) as f64 / tau_steps;
                1.0 / (x * x)
            }
        })
        .collect();

    // 4. Noise: a Brownian bridge per segment.
    let mut rng = Rng::stream(seed, "path");
    let sigma_calm = f64::from(p.vol_bps) / 10_000.0 / 6f64.sqrt();
    let mult = f(p.crash_vol_multiplier.raw());
    let mut price = vec![Price::ZERO; n + 1];
    for w in anchors.windows(2) {
        let ((ja, _, _), (jb, _, _)) = (w[0], w[1]);
        let mut walk = vec![0.0f64; jb - ja + 1];
        for k in 1..walk.len() {
            let s = stress[ja + k];
            walk[k] = walk[k - 1] + rng.normal() * sigma_calm * (1.0 + (mult - 1.0) * s);
        }
        let end = walk[walk.len() - 1];
        let len = (jb - ja) as f64;
        for k in 0..walk.len() {
            let bridge = walk[k] - end * k as f64 / len;
            price[ja + k] = price_on_tick(skel[ja + k] * (1.0 + bridge), tick);
        }
    }

    // 5. Clamps, then the exact anchors.
    let floor = plan.low.mark_low + tick;
    for x in price.iter_mut() {
        *x = (*x).max_of(floor);
    }
    if let (Some(t), Some(b)) = (plan.first_leg, plan.bounce) {
        let leg_floor = t.mark_low + tick;
        for x in &mut price[cs_j..=index(start, b.at)] {
            *x = (*x).max_of(leg_floor);
        }
    }
    for &(j, p, _) in &anchors {
        price[j] = p;
    }
    MarkPath {
        start,
        price,
        stress,
    }
}
