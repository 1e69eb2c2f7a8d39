//! Summaries a strategy reads off [`crate::InstrumentState`]: the modelled liquidation heatmap
//! ([`HeatmapSummary`]) and the recorded liquidations and taker flow summed over a window
//! ([`LiquidationSums`], [`FlowSums`]).

use cascade_types::{Money, Price, Qty, Ts};

/// Width of the heatmap summary: how many distance bands it can hold.
pub const HEATMAP_BANDS_MAX: usize = 8;

/// One band of the liquidation heatmap: the notional of positions that would be liquidated
/// if the price moved by up to `within_bps` from the reference price.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeatBand {
    /// Distance from the reference price, in basis points (100 = 1 %).
    pub within_bps: u32,
    /// Notional of long positions liquidated by a fall of up to `within_bps`.
    pub longs_below: Money,
    /// Notional of short positions liquidated by a rise of up to `within_bps`.
    pub shorts_above: Money,
}

/// A summary of the modelled liquidation heatmap around the current price: how much notional
/// sits within x % above and below. Filled by the engine from the crowd model; `None` in
/// [`crate::InstrumentState::heatmap`] when no crowd model runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeatmapSummary {
    /// When the summary was computed.
    pub ts: Ts,
    /// The price the bands are measured from (the mark).
    pub reference: Price,
    len: usize,
    bands: [HeatBand; HEATMAP_BANDS_MAX],
}

impl HeatmapSummary {
    /// A summary from up to [`HEATMAP_BANDS_MAX`] bands, which must be sorted by
    /// `within_bps` (nearest first). Panics otherwise (a programmer error).
    pub fn new(ts: Ts, reference: Price, bands: &[HeatBand]) -> Self {
        assert!(
            bands.len() <= HEATMAP_BANDS_MAX,
            "at most {HEATMAP_BANDS_MAX} heatmap bands"
        );
        assert!(
            bands.windows(2).all(|w| w[0].within_bps < w[1].within_bps),
            "heatmap bands must be sorted by distance"
        );
        let mut out = HeatmapSummary {
            ts,
            reference,
            len: bands.len(),
            bands: [HeatBand::default(); HEATMAP_BANDS_MAX],
        };
        out.bands[..bands.len()].copy_from_slice(bands);
        out
    }
    /// The bands, nearest first.
    pub fn bands(&self) -> &[HeatBand] {
        &self.bands[..self.len]
    }
    /// The band with exactly this distance.
    pub fn within(&self, bps: u32) -> Option<&HeatBand> {
        self.bands().iter().find(|b| b.within_bps == bps)
    }
}

/// Recorded liquidations summed over a window. A forced *sell* closes a long, so
/// `long_*` counts liquidated longs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LiquidationSums {
    /// Quantity of longs liquidated.
    pub long_qty: Qty,
    /// Notional (price × qty) of longs liquidated.
    pub long_notional: Money,
    /// Number of long liquidation orders.
    pub long_count: u64,
    /// Quantity of shorts liquidated.
    pub short_qty: Qty,
    /// Notional (price × qty) of shorts liquidated.
    pub short_notional: Money,
    /// Number of short liquidation orders.
    pub short_count: u64,
}

impl LiquidationSums {
    pub(crate) fn from_raw(v: [i64; 6]) -> Self {
        LiquidationSums {
            long_qty: Qty::from_raw(v[0]),
            long_notional: Money::from_raw(v[1]),
            long_count: v[2].max(0) as u64,
            short_qty: Qty::from_raw(v[3]),
            short_notional: Money::from_raw(v[4]),
            short_count: v[5].max(0) as u64,
        }
    }
    /// Long plus short notional.
    pub fn total_notional(&self) -> Money {
        self.long_notional + self.short_notional
    }
}

/// Taker (aggressor) flow summed over a window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlowSums {
    /// Quantity bought by takers.
    pub buy_qty: Qty,
    /// Quantity sold by takers.
    pub sell_qty: Qty,
    /// Notional bought by takers.
    pub buy_notional: Money,
    /// Notional sold by takers.
    pub sell_notional: Money,
}

impl FlowSums {
    pub(crate) fn from_raw(v: [i64; 4]) -> Self {
        FlowSums {
            buy_qty: Qty::from_raw(v[0]),
            sell_qty: Qty::from_raw(v[1]),
            buy_notional: Money::from_raw(v[2]),
            sell_notional: Money::from_raw(v[3]),
        }
    }
    /// Taker buy minus taker sell quantity (the "taker delta").
    pub fn delta_qty(&self) -> Qty {
        self.buy_qty - self.sell_qty
    }
    /// Taker buy minus taker sell notional.
    pub fn delta_notional(&self) -> Money {
        self.buy_notional - self.sell_notional
    }
}
