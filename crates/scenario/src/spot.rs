//! The spot market of the same underlying: the perp's mark path times `1 + basis`, with its
//! own wicks and flow, for spot-versus-leverage signals.
//!
//! - **Basis** `spot / mark − 1 = basis_calm + (basis_crash − basis_calm)·s`: a small perp
//!   premium when calm, a perp discount that widens with stress (on 2020-03-13 the BitMEX
//!   perp traded ~$400 below spot).
//! - **Bars**: open and close from the spot path at the bar's edges, high/low its extremes
//!   plus wicks of `wick_ratio` times the perp's wick scale, rounded to the spot tick.
//! - **Flow**: volume = the perp's × `volume_ratio` × U[0.8, 1.2); taker-buy share
//!   `0.5 + 0.1·sign(r) − (taker_sell_skew / 2)·s + 0.03·N`, clamped to [0.05, 0.95]: half the
//!   perp's stress skew, as spot holders are not forced sellers.

use crate::bars::PerpBar;
use crate::flow::{Flow, Ohlc};
use crate::params::GeneratorParams;
use crate::path::{MarkPath, STEP_S};
use crate::rng::Rng;
use crate::ticks::{f, price_on_tick};
use cascade_types::Price;

/// One spot bar: prices and flow.
#[derive(Clone, Copy, Debug)]
pub struct SpotBar {
    /// Prices.
    pub ohlc: Ohlc,
    /// Volume and taker share.
    pub flow: Flow,
}

/// The spot bars aligned with the perp's `bars` (see the module docs).
pub fn spot_bars(
    bars: &[PerpBar],
    perp_flow: &[Flow],
    path: &MarkPath,
    g: &GeneratorParams,
    tick: Price,
) -> Vec<SpotBar> {
    let (sp, pp, fp) = (&g.spot, &g.path, &g.flow);
    let (calm, crash) = (f(sp.basis_calm.raw()), f(sp.basis_crash.raw()));
    let spot_at = |j: usize| {
        let basis = calm + (crash - calm) * path.stress[j];
        price_on_tick(f(path.price[j].raw()) * (1.0 + basis), tick)
    };
    let mut rng = Rng::stream(g.seed, "spot");
    let wick = f64::from(pp.wick_bps) / 10_000.0 * f(sp.wick_ratio.raw());
    let wmult = f(pp.crash_wick_multiplier.raw());
    let vratio = f(sp.volume_ratio.raw());
    let skew = f(fp.taker_sell_skew.raw()) / 2.0;
    let steps = (i64::from(g.bar_interval_s) / STEP_S) as usize;
    bars.iter()
        .zip(perp_flow)
        .map(|(b, pf)| {
            let pts: Vec<Price> = (b.first_step..=b.first_step + steps).map(spot_at).collect();
            let (open, close) = (pts[0], pts[steps]);
            let hi = pts.iter().copied().fold(open, Price::max_of);
            let lo = pts.iter().copied().fold(open, Price::min_of);
            let scale = wick * (1.0 + (wmult - 1.0) * b.stress) * f(open.raw());
            let high = price_on_tick(f(hi.raw()) + rng.normal().abs() * scale, tick);
            let low = price_on_tick((f(lo.raw()) - rng.normal().abs() * scale).max(0.0), tick);
            let base = pf.base * vratio * rng.range(0.8, 1.2);
            let r = (f(close.raw()) - f(open.raw())) / f(open.raw());
            let lean = if r > 0.0 {
                1.0
            } else if r < 0.0 {
                -1.0
            } else {
                0.0
            };
            let taker_buy =
                (0.5 + 0.1 * lean - skew * b.stress + 0.03 * rng.normal()).clamp(0.05, 0.95);
            SpotBar {
                ohlc: Ohlc {
                    open,
                    high,
                    low,
                    close,
                },
                flow: Flow { base, taker_buy },
            }
        })
        .collect()
}
