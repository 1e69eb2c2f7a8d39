//! The 5-minute metrics of the perp, as in Binance's `metrics` files: open interest,
//! long/short ratios and taker buy/sell volume. One row per 5-minute mark after the window
//! start, up to and including its end.
//!
//! - **Open interest**: `OI₀ = before_usd / crash-start price` in the perp's units (1-USD
//!   contracts for an inverse perp) at the crash start; before it, a straight build-up from
//!   `OI₀ / (1 + build_up)` at the window start; after it,
//!   `OI₀ · (1 + change · F(t))`, where `F(t)` is the share of all liquidated dollars after the
//!   crash start that were liquidated by `t` — open interest is flushed as positions are
//!   force-closed, and ends at exactly `OI₀ · (1 + change)` (to the lot). Value = quantity ×
//!   mark (an inverse perp's: the contracts' face value).
//! - **Long/short ratio** (global accounts): `before + (after − before) · L(t)`, where `L(t)`
//!   is the share of long liquidations so far, plus noise of ±0.01, rounded to 4 decimals
//!   (as Binance publishes it); top traders' position ratio = global × `top_positions_factor`.
//! - **Taker volume**: the sums of the perp's (and the spot's) bars over the five minutes.

use crate::bars::PerpBar;
use crate::liquidations::LiquidationSeries;
use crate::params::{LongShortParams, OpenInterestParams};
use crate::rng::Rng;
use crate::ticks::f;
use crate::units::Units;
use cascade_types::{
    Bar, LongShortRatio, OpenInterest, Qty, Rate, RatioSource, Rounding, TakerVolume, Ts,
};

/// Seconds between metric rows.
pub const METRICS_S: i64 = 300;

/// One 5-minute row.
pub struct MetricsRow {
    /// The row's stamp (end of its five minutes).
    pub ts: Ts,
    /// Open interest of the perp.
    pub open_interest: OpenInterest,
    /// Global account ratio, then top traders' position ratio.
    pub ratios: [LongShortRatio; 2],
    /// Perp taker flow over the five minutes.
    pub perp_taker: TakerVolume,
    /// Spot taker flow over the five minutes, when there is a spot market.
    pub spot_taker: Option<TakerVolume>,
}

fn taker(bars: &[Bar]) -> TakerVolume {
    let buy: Qty = bars.iter().map(|b| b.taker_buy_volume).sum();
    let vol: Qty = bars.iter().map(|b| b.volume).sum();
    TakerVolume {
        buy,
        sell: vol - buy,
    }
}

/// Builds the rows (see the module docs). `perp` and `spot` are the emitted last-price bars,
/// aligned with `shape`.
#[allow(clippy::too_many_arguments)]
pub fn metrics(
    shape: &[PerpBar],
    perp: &[Bar],
    spot: Option<&[Bar]>,
    liqs: &LiquidationSeries,
    units: &Units,
    crash_start: (Ts, f64),
    oi: &OpenInterestParams,
    oi_change: Rate,
    ls: &LongShortParams,
    seed: u64,
) -> Vec<MetricsRow> {
    let mut rng = Rng::stream(seed, "metrics");
    let (cs_at, cs_price) = crash_start;
    let oi0 = units.qty_of_usd(oi.before_usd as f64, cs_price);
    let oi_start = f(oi0.raw()) / (1.0 + f(oi.build_up.raw()));
    let lot = units.lot().raw();
    let oi_end = oi0
        .mul_rate(Rate::ONE + oi_change, Rounding::HalfEven)
        .raw();
    let oi_end = Qty::from_raw(((oi_end + lot / 2) / lot * lot).max(lot));
    let start = shape.first().map_or(cs_at, |b| b.open_time);
    let bars_per_row = ((METRICS_S * Ts::NANOS_PER_SEC)
        / (shape[0].close_time.nanos() - shape[0].open_time.nanos()))
        as usize;

    // Liquidated dollars after the crash start, cumulative by bar.
    let after: Vec<u64> = shape
        .iter()
        .enumerate()
        .map(|(k, b)| {
            if b.open_time >= cs_at {
                liqs.long_usd[k] + liqs.short_usd[k]
            } else {
                0
            }
        })
        .collect();
    let total_after: u64 = after.iter().sum();
    let total_long: u64 = liqs.long_usd.iter().sum();
    let (mut cum_after, mut cum_long) = (0u64, 0u64);
    let (ls_before, ls_after) = (f(ls.before.raw()), f(ls.after.raw()));
    let factor = f(ls.top_positions_factor.raw());

    let mut rows = Vec::with_capacity(shape.len() / bars_per_row);
    for (r, chunk) in shape.chunks(bars_per_row).enumerate() {
        let first = r * bars_per_row;
        let span = first..first + chunk.len();
        cum_after += after[span.clone()].iter().sum::<u64>();
        cum_long += liqs.long_usd[span].iter().sum::<u64>();
        let last = chunk[chunk.len() - 1];
        let ts = last.close_time;
        let qty = if ts <= cs_at {
            let span = (cs_at.nanos() - start.nanos()) as f64;
            let u = if span > 0.0 {
                (ts.nanos() - start.nanos()) as f64 / span
            } else {
                1.0
            };
            units.on_lot(oi_start + (f(oi0.raw()) - oi_start) * u)
        } else if cum_after == total_after {
            oi_end
        } else {
            let share = cum_after as f64 / total_after as f64;
            units.on_lot(f(oi0.raw()) * (1.0 + f(oi_change.raw()) * share))
        };
        let qty = if ts == cs_at { oi0 } else { qty };
        let open_interest = OpenInterest {
            qty,
            value: units.notional(qty, last.close),
        };
        let long_share = if total_long > 0 {
            cum_long as f64 / total_long as f64
        } else {
            0.0
        };
        let global =
            (ls_before + (ls_after - ls_before) * long_share + 0.01 * rng.range(-1.0, 1.0))
                .max(0.01);
        let ratio = |x: f64| Rate::from_raw(((x * 10_000.0).round() as i64) * 10_000);
        let ratios = [
            LongShortRatio {
                source: RatioSource::Global,
                ratio: ratio(global),
            },
            LongShortRatio {
                source: RatioSource::TopPositions,
                ratio: ratio(global * factor),
            },
        ];
        let perp_taker = taker(&perp[first..first + chunk.len()]);
        let spot_taker = spot.map(|s| taker(&s[first..first + chunk.len()]));
        rows.push(MetricsRow {
            ts,
            open_interest,
            ratios,
            perp_taker,
            spot_taker,
        });
    }
    rows
}
