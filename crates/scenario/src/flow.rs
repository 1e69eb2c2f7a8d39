//! Traded volume and who aggresses, per bar, and the bar events that carry them.
//!
//! - **Volume** (base coins): `volume_per_bar · (1 + (crash_volume_multiplier − 1)·s) · U`,
//!   `U` uniform in [0.6, 1.4), `s` the stress at mid-bar.
//! - **Taker-buy share**: `0.5 + 0.15·clamp(r / 2σ, −1, 1) − taker_sell_skew·s + 0.03·N`,
//!   clamped to [0.05, 0.95], where `r` is the bar's return and `σ` its expected size: buyers
//!   aggress into up bars, sellers into down bars, and sellers dominate under stress.
//! - **Bar fields**: quantities in the instrument's units ([`Units`]); quote volume =
//!   volume × the bar's typical price `(o + h + l + c)/4` (an inverse perp's: the contracts'
//!   USD face value); trade count = volume ÷ `avg_trade_qty`, at least 1.

use crate::bars::PerpBar;
use crate::params::{FlowParams, PathParams};
use crate::rng::Rng;
use crate::ticks::f;
use crate::units::Units;
use cascade_types::{Bar, BarSource, Money, Price, Qty, Ts};

/// The flow of one bar.
#[derive(Clone, Copy, Debug)]
pub struct Flow {
    /// Volume in base coins.
    pub base: f64,
    /// Share of it bought by takers.
    pub taker_buy: f64,
}

/// The perp's flow per bar (see the module docs).
pub fn perp_flow(
    bars: &[PerpBar],
    fp: &FlowParams,
    pp: &PathParams,
    bar_s: u32,
    seed: u64,
) -> Vec<Flow> {
    let mut rng = Rng::stream(seed, "flow");
    let base = f(fp.volume_per_bar.raw());
    let vmult = f(fp.crash_volume_multiplier.raw());
    let skew = f(fp.taker_sell_skew.raw());
    let vol = f64::from(pp.vol_bps) / 10_000.0 * (f64::from(bar_s) / 60.0).sqrt();
    let vol_mult = f(pp.crash_vol_multiplier.raw());
    bars.iter()
        .map(|b| {
            let s = b.stress;
            let volume = base * (1.0 + (vmult - 1.0) * s) * rng.range(0.6, 1.4);
            let r = (f(b.close.raw()) - f(b.open.raw())) / f(b.open.raw());
            let sigma = vol * (1.0 + (vol_mult - 1.0) * s);
            let lean = (r / (2.0 * sigma)).clamp(-1.0, 1.0);
            let taker_buy = (0.5 + 0.15 * lean - skew * s + 0.03 * rng.normal()).clamp(0.05, 0.95);
            Flow {
                base: volume,
                taker_buy,
            }
        })
        .collect()
}

/// The four prices of a bar.
#[derive(Clone, Copy, Debug)]
pub struct Ohlc {
    /// Open.
    pub open: Price,
    /// High.
    pub high: Price,
    /// Low.
    pub low: Price,
    /// Close.
    pub close: Price,
}

impl Ohlc {
    fn typical(&self) -> Price {
        let sum = self.open.raw() as i128
            + self.high.raw() as i128
            + self.low.raw() as i128
            + self.close.raw() as i128;
        Price::from_raw((sum / 4) as i64)
    }
}

/// A last-price bar with volumes, in `units`.
pub fn last_bar(
    open_time: Ts,
    interval_s: u32,
    px: Ohlc,
    flow: Flow,
    units: &Units,
    avg_trade: Qty,
) -> Bar {
    let typical = px.typical();
    let volume = units.qty_of_base(flow.base, f(typical.raw()));
    // Volume is a whole number of lots; so is its taker-buy part (rounded to the nearest).
    let lot = units.lot().raw();
    let lots = ((volume.raw() / lot) as f64 * flow.taker_buy).round() as i64;
    let taker_buy_volume = Qty::from_raw(lots * lot);
    let trades = (flow.base / f(avg_trade.raw())).round().max(1.0) as u64;
    Bar {
        source: BarSource::Last,
        open_time,
        interval_s,
        open: px.open,
        high: px.high,
        low: px.low,
        close: px.close,
        volume,
        quote_volume: units.notional(volume, typical),
        trades,
        taker_buy_volume,
        taker_buy_quote_volume: units.notional(taker_buy_volume, typical),
    }
}

/// A mark-price bar: no volume, no trades.
pub fn mark_bar(open_time: Ts, interval_s: u32, px: Ohlc) -> Bar {
    Bar {
        source: BarSource::Mark,
        open_time,
        interval_s,
        open: px.open,
        high: px.high,
        low: px.low,
        close: px.close,
        volume: Qty::ZERO,
        quote_volume: Money::ZERO,
        trades: 0,
        taker_buy_volume: Qty::ZERO,
        taker_buy_quote_volume: Money::ZERO,
    }
}
