//! The inputs the filter reads at each evaluation ([`Reading`]) and what they say
//! ([`Assessment`]): pure functions of the market view, the settings and the peaks seen since
//! the last de-risk, so they can be tested apart from the state machine.
//!
//! All ratios are fixed-point [`Rate`]s computed with an explicit rounding: no floats, so an
//! evaluation gives the same answer on every machine.

use crate::Config;
use cascade_strategy::types::{Money, Qty, Rate, Rounding, Ts};
use cascade_strategy::{InstrumentState, LiquidationSums};

/// Names of the inputs, as recorded in [`RegimeFilter::lacked`](crate::RegimeFilter::lacked).
pub mod input {
    /// Spot taker buy minus sell notional over the slow window (needs a spot instrument
    /// with trades or bars).
    pub const SPOT_TAKER_DELTA: &str = "spot_taker_delta";
    /// Relative change of the perpetual's open interest over `window_min`.
    pub const OPEN_INTEREST: &str = "open_interest";
    /// Relative change of the perpetual's last price over `window_min`.
    pub const PRICE_CHANGE: &str = "price_change";
    /// The perpetual's published (or last settled) funding rate.
    pub const FUNDING: &str = "funding";
    /// The perpetual's taker buy/sell ratio over the fast window (trades or bars), or the
    /// venue's taker-volume metric.
    pub const TAKER_RATIO: &str = "taker_ratio";
    /// Recorded liquidations on the perpetual (lacking until the first one is seen).
    pub const LIQUIDATIONS: &str = "liquidations";
    /// The modelled liquidation heatmap (only when a crowd model runs).
    pub const HEATMAP: &str = "heatmap";

    /// Every input, in a fixed order.
    pub const ALL: [&str; 7] = [
        SPOT_TAKER_DELTA,
        OPEN_INTEREST,
        PRICE_CHANGE,
        FUNDING,
        TAKER_RATIO,
        LIQUIDATIONS,
        HEATMAP,
    ];
}

/// How old the venue's taker-volume metric may be and still stand in for trade flow.
const TAKER_METRIC_MAX_AGE_NS: i64 = 15 * Ts::NANOS_PER_MIN;

/// What the market view holds at one evaluation. `None` means the input is lacking.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reading {
    /// Spot taker delta share `(buy − sell) / (buy + sell)` of notional over the slow window.
    pub spot_delta: Option<Rate>,
    /// Open interest (quantity) change over `window_min`, `oi_now / oi_then − 1`.
    pub oi_change: Option<Rate>,
    /// Last price change over `window_min`.
    pub price_change: Option<Rate>,
    /// Open interest now.
    pub oi: Option<Qty>,
    /// Funding rate per funding interval.
    pub funding: Option<Rate>,
    /// Perpetual taker buy ÷ sell over the fast window (buy-heavy above 1). `Rate::MAX` when
    /// one side is empty and the other is not.
    pub taker_ratio: Option<Rate>,
    /// Recorded liquidations over the fast window.
    pub liquidations: Option<LiquidationSums>,
    /// Modelled long ÷ short liquidation notional within `heatmap_bps` of the mark.
    /// `Rate::MAX` when no shorts sit there.
    pub heat_ratio: Option<Rate>,
}

/// `a ÷ b` as a rate rounded half-even; `Rate::MAX` when `b` is zero and `a` is not.
fn ratio(a: i64, b: i64) -> Option<Rate> {
    match (a, b) {
        (0, 0) => None,
        (_, 0) => Some(Rate::MAX),
        _ => Some(Rate::ratio(a, b, Rounding::HalfEven).unwrap_or(Rate::MAX)),
    }
}

impl Reading {
    /// Reads the inputs at `now` from the perpetual's state and the spot's (when the run has
    /// one).
    pub fn read(
        cfg: &Config,
        now: Ts,
        perp: &InstrumentState,
        spot: Option<&InstrumentState>,
    ) -> Reading {
        let spot_delta = spot.and_then(|s| {
            let f = s.flow_slow(now);
            let total = f.buy_notional + f.sell_notional;
            Rate::ratio(f.delta_notional().raw(), total.raw(), Rounding::HalfEven)
        });
        let funding = match (perp.funding, perp.last_settlement) {
            (Some(f), Some(s)) if s.ts > f.ts => Some(s.value.rate),
            (Some(f), _) => Some(f.value.rate),
            (None, Some(s)) => Some(s.value.rate),
            (None, None) => None,
        };
        let flow = perp.flow(now);
        let taker_ratio = ratio(flow.buy_notional.raw(), flow.sell_notional.raw()).or_else(|| {
            perp.taker_volume
                .filter(|v| v.ts.nanos() >= now.nanos().saturating_sub(TAKER_METRIC_MAX_AGE_NS))
                .and_then(|v| ratio(v.value.buy.raw(), v.value.sell.raw()))
        });
        let liquidations = perp.last_liquidation.map(|_| perp.liquidations(now));
        let heat_ratio = perp.heatmap.and_then(|h| {
            h.bands()
                .iter()
                .rev()
                .find(|b| b.within_bps <= cfg.heatmap_bps)
                .and_then(|b| ratio(b.longs_below.raw(), b.shorts_above.raw()))
        });
        Reading {
            spot_delta,
            oi_change: perp.open_interest_change(now, cfg.window_min),
            price_change: perp.price_change(now, cfg.window_min),
            oi: perp.open_interest.map(|o| o.value.qty),
            funding,
            taker_ratio,
            liquidations,
            heat_ratio,
        }
    }

    /// The inputs this reading lacks, in [`input::ALL`] order.
    pub fn lacking(&self) -> Vec<&'static str> {
        let have = [
            self.spot_delta.is_some(),
            self.oi_change.is_some(),
            self.price_change.is_some(),
            self.funding.is_some(),
            self.taker_ratio.is_some(),
            self.liquidations.is_some(),
            self.heat_ratio.is_some(),
        ];
        input::ALL
            .iter()
            .zip(have)
            .filter(|(_, h)| !h)
            .map(|(n, _)| *n)
            .collect()
    }

    /// Open interest change minus price change: how far leverage outgrew the price.
    pub fn oi_excess(&self) -> Option<Rate> {
        Some(self.oi_change? - self.price_change?)
    }
}

/// Peaks since the last de-risk, against which a reset is measured.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Peaks {
    /// Highest open interest seen.
    pub oi: Option<Qty>,
    /// Highest long-liquidation notional over the fast window seen.
    pub long_liq: Money,
}

impl Peaks {
    /// Starts the peaks at the current reading.
    pub fn from_reading(r: &Reading) -> Peaks {
        let mut p = Peaks::default();
        p.update(r);
        p
    }

    /// Raises the peaks to the current reading.
    pub fn update(&mut self, r: &Reading) {
        if let Some(oi) = r.oi {
            self.oi = Some(self.oi.map_or(oi, |p| p.max_of(oi)));
        }
        if let Some(l) = r.liquidations {
            self.long_liq = self.long_liq.max_of(l.long_notional);
        }
    }
}

/// What one reading says, signal by signal; each list names the signals that hold.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assessment {
    /// Leverage-led signals that fire (votes to de-risk).
    pub leverage_led: Vec<&'static str>,
    /// Spot-led conditions that hold, of those whose input is present.
    pub spot_led_ok: Vec<&'static str>,
    /// Spot-led conditions that fail, of those whose input is present.
    pub spot_led_failed: Vec<&'static str>,
    /// Signs that a reset (a flush of leverage) is under way.
    pub reset_seen: Vec<&'static str>,
    /// Re-entry conditions that hold.
    pub reentry_ok: Vec<&'static str>,
    /// How many re-entry conditions could be evaluated (their inputs present).
    pub reentry_available: usize,
}

impl Assessment {
    /// True when the growth looks spot-led: at least one spot-led condition could be
    /// evaluated, all that could hold, and no leverage-led signal fires.
    pub fn spot_led(&self) -> bool {
        !self.spot_led_ok.is_empty()
            && self.spot_led_failed.is_empty()
            && self.leverage_led.is_empty()
    }

    /// Assesses a reading against the thresholds of `cfg` and the peaks since the last
    /// de-risk.
    pub fn of(cfg: &Config, r: &Reading, peaks: &Peaks) -> Assessment {
        let mut a = Assessment::default();
        let excess = r.oi_excess();

        // Leverage-led: votes to de-risk.
        if excess.is_some_and(|e| e >= cfg.oi_excess_max) {
            a.leverage_led.push("oi_outpacing_price");
        }
        if r.funding.is_some_and(|f| f >= cfg.funding_hot) {
            a.leverage_led.push("funding_hot");
        }
        if r.taker_ratio.is_some_and(|t| is_spike(t, cfg.taker_spike)) {
            a.leverage_led.push("taker_ratio_spike");
        }
        if let Some(l) = r.liquidations {
            let total = l.total_notional();
            let top = l.long_notional.max_of(l.short_notional);
            if total >= cfg.liq_notional_min
                && top >= total.mul_rate(cfg.liq_one_sided, Rounding::Up)
            {
                a.leverage_led.push("liquidations_one_sided");
            }
        }
        if r.heat_ratio.is_some_and(|h| h >= cfg.heatmap_ratio) {
            a.leverage_led.push("heatmap_long_heavy");
        }

        // Spot-led: all present conditions must hold.
        let mut spot = |name, ok: Option<bool>| match ok {
            Some(true) => a.spot_led_ok.push(name),
            Some(false) => a.spot_led_failed.push(name),
            None => {}
        };
        spot(
            "spot_taker_delta_positive",
            r.spot_delta.map(|d| d > cfg.spot_delta_min),
        );
        spot(
            "oi_not_outpacing_price",
            excess.map(|e| e <= cfg.oi_excess_ok),
        );
        spot(
            "funding_moderate",
            r.funding.map(|f| f <= cfg.funding_moderate),
        );

        // A reset under way: open interest flushed, or a burst of long liquidations; only
        // when neither input exists, negative funding alone.
        let flushed = match (r.oi, peaks.oi) {
            (Some(now), Some(peak)) => {
                Some(now <= peak.mul_rate(Rate::ONE - cfg.oi_flush, Rounding::Down))
            }
            _ => None,
        };
        let negative = r.funding.map(|f| f < cfg.funding_reset);
        let burst = r
            .liquidations
            .map(|l| l.long_notional >= cfg.liq_notional_min);
        if flushed == Some(true) {
            a.reset_seen.push("oi_flushed");
        }
        if burst == Some(true) {
            a.reset_seen.push("long_liquidation_burst");
        }
        if flushed.is_none() && burst.is_none() && negative == Some(true) {
            a.reset_seen.push("funding_negative");
        }

        // Re-entry: flushed, negative funding, long liquidations exhausted (quiet against
        // their peak since the de-risk, or against the significance threshold if no burst
        // came).
        let exhausted = r.liquidations.map(|l| {
            let reference = peaks.long_liq.max_of(cfg.liq_notional_min);
            l.long_notional <= reference.mul_rate(cfg.liq_exhausted, Rounding::Down)
        });
        for (name, ok) in [
            ("oi_flushed", flushed),
            ("funding_negative", negative),
            ("long_liquidations_exhausted", exhausted),
        ] {
            if let Some(ok) = ok {
                a.reentry_available += 1;
                if ok {
                    a.reentry_ok.push(name);
                }
            }
        }
        a
    }
}

/// True when one side of the taker flow outweighs the other by at least `spike` (buy ÷ sell
/// at or above `spike`, or at or below `1 ÷ spike`).
fn is_spike(buy_over_sell: Rate, spike: Rate) -> bool {
    if buy_over_sell >= spike {
        return true;
    }
    // buy/sell <= 1/spike  <=>  (buy/sell) × spike <= 1
    let scaled = i128::from(buy_over_sell.raw()) * i128::from(spike.raw());
    let one = i128::from(Rate::ONE.raw()) * i128::from(Rate::ONE.raw());
    scaled <= one
}
