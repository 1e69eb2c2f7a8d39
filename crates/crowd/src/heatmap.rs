//! The liquidation heatmap: open crowd notional by liquidation-price bucket, maintained
//! incrementally as crowd positions open, shrink, close, are liquidated or re-keyed.
//!
//! - **Grid.** Buckets have a fixed width `w` in price, set once from the first price the
//!   crowd sees (`bucket_bps` of it, rounded to the tick, at least one tick); bucket `b`
//!   covers liquidation prices `[b·w, (b+1)·w)`.
//! - **Content.** Each bucket holds the quantity and the notional *at the liquidation price*
//!   (`L × qty`, rounded down: what the forced order would be worth) of the crowd's longs and
//!   shorts whose liquidation price falls in it. Positions no positive price liquidates (1x
//!   with a cushion) are not in the map.
//! - **Summary** ([`Heatmap::summary`]): for each band distance `x`, the long notional whose
//!   bucket's midpoint lies in `[P·(1 − x), P]` (liquidated by a fall of up to `x`) and the
//!   short notional whose bucket's midpoint lies in `[P, P·(1 + x)]` — resolution one bucket.
//!   The fields mirror the strategy API's `HeatmapSummary`, which the engine fills from it.

use cascade_types::{Money, Price, Qty, Rounding, Ts};
use std::collections::BTreeMap;

/// Most bands a summary holds (the strategy API's `HEATMAP_BANDS_MAX`).
pub const BANDS_MAX: usize = 8;

/// One bucket of liquidation prices.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bucket {
    /// Quantity of crowd longs liquidated in this bucket.
    pub long_qty: Qty,
    /// Their notional at the liquidation price.
    pub long_notional: Money,
    /// Quantity of crowd shorts liquidated in this bucket.
    pub short_qty: Qty,
    /// Their notional at the liquidation price.
    pub short_notional: Money,
}

impl Bucket {
    fn is_empty(&self) -> bool {
        self.long_qty.is_zero() && self.short_qty.is_zero()
    }
}

/// One band of a summary (the fields of the strategy API's `HeatBand`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeatBand {
    /// Distance from the reference price, in basis points.
    pub within_bps: u32,
    /// Notional of crowd longs liquidated by a fall of up to `within_bps`.
    pub longs_below: Money,
    /// Notional of crowd shorts liquidated by a rise of up to `within_bps`.
    pub shorts_above: Money,
}

/// The heatmap around a price: the fields of the strategy API's `HeatmapSummary` (the engine
/// copies them across with `HeatmapSummary::new(s.ts, s.reference, s.bands())`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeatSummary {
    /// When it was computed.
    pub ts: Ts,
    /// The price the bands are measured from (the mark).
    pub reference: Price,
    len: usize,
    bands: [HeatBand; BANDS_MAX],
}

impl HeatSummary {
    /// The bands, nearest first.
    pub fn bands(&self) -> &[HeatBand] {
        &self.bands[..self.len]
    }

    /// The band with exactly this distance.
    pub fn within(&self, bps: u32) -> Option<&HeatBand> {
        self.bands().iter().find(|b| b.within_bps == bps)
    }
}

/// The incremental heatmap.
#[derive(Clone, Debug)]
pub struct Heatmap {
    bucket_bps: u32,
    width: Option<i64>,
    buckets: BTreeMap<i64, Bucket>,
}

/// `p × (1 ± bps/10⁴)` on raw prices, rounded toward `p` (so a band never reaches further
/// than asked).
fn shift(p: i64, bps: u32, up: bool) -> i64 {
    let d = (p as i128 * bps as i128 / 10_000) as i64; // toward zero: p > 0
    if up {
        p + d
    } else {
        p - d
    }
}

impl Heatmap {
    /// An empty heatmap whose buckets will be `bucket_bps` of the first price wide.
    pub fn new(bucket_bps: u32) -> Heatmap {
        assert!(bucket_bps > 0, "a bucket has a width");
        Heatmap {
            bucket_bps,
            width: None,
            buckets: BTreeMap::new(),
        }
    }

    /// Fixes the grid from the first price seen (later calls do nothing): `bucket_bps` of
    /// `price`, rounded down to a multiple of `tick`, at least one tick.
    pub fn fix_width(&mut self, price: Price, tick: Price) {
        if self.width.is_some() || !price.is_positive() {
            return;
        }
        let tick = tick.raw().max(1);
        let w = (price.raw() as i128 * self.bucket_bps as i128 / 10_000) as i64;
        self.width = Some((w - w % tick).max(tick));
    }

    /// An empty heatmap on the same grid.
    pub(crate) fn clone_empty(&self) -> Heatmap {
        Heatmap {
            bucket_bps: self.bucket_bps,
            width: self.width,
            buckets: BTreeMap::new(),
        }
    }

    /// Same buckets with the same content.
    pub(crate) fn same_buckets(&self, other: &Heatmap) -> bool {
        self.width == other.width && self.buckets == other.buckets
    }

    /// The bucket width, once fixed.
    pub fn width(&self) -> Option<Price> {
        self.width.map(Price::from_raw)
    }

    /// The bucket a liquidation price falls in.
    pub fn bucket_of(&self, liq: Price) -> i64 {
        liq.raw()
            .div_euclid(self.width.expect("the grid is fixed before use"))
    }

    /// The lowest price of bucket `b`.
    pub fn bucket_price(&self, b: i64) -> Price {
        Price::from_raw(b * self.width.expect("the grid is fixed before use"))
    }

    /// Adds a position; returns the notional it contributes (`liq × qty`, rounded down), which
    /// the caller passes back to [`Heatmap::remove`].
    pub(crate) fn add(&mut self, long: bool, liq: Price, qty: Qty) -> Money {
        let n = liq.notional(qty, Rounding::Down);
        let b = self.buckets.entry(self.bucket_of(liq)).or_default();
        if long {
            b.long_qty += qty;
            b.long_notional += n;
        } else {
            b.short_qty += qty;
            b.short_notional += n;
        }
        n
    }

    /// Removes exactly what [`Heatmap::add`] added.
    pub(crate) fn remove(&mut self, long: bool, liq: Price, qty: Qty, notional: Money) {
        let key = self.bucket_of(liq);
        let b = self.buckets.get_mut(&key).expect("removing what was added");
        if long {
            b.long_qty -= qty;
            b.long_notional -= notional;
        } else {
            b.short_qty -= qty;
            b.short_notional -= notional;
        }
        assert!(
            !b.long_qty.is_negative() && !b.short_qty.is_negative(),
            "heatmap bucket below zero"
        );
        if b.is_empty() {
            self.buckets.remove(&key);
        }
    }

    /// Non-empty buckets in price order: `(bucket, content)`.
    pub fn buckets(&self) -> impl Iterator<Item = (i64, &Bucket)> {
        self.buckets.iter().map(|(&b, c)| (b, c))
    }

    /// Total long and short notional in the map.
    pub fn totals(&self) -> (Money, Money) {
        self.buckets
            .values()
            .fold((Money::ZERO, Money::ZERO), |a, b| {
                (a.0 + b.long_notional, a.1 + b.short_notional)
            })
    }

    /// Is bucket `b`'s midpoint within `[lo, hi]` (raw prices)? Exact: `2bw + w` against
    /// `2lo` and `2hi`.
    fn mid_within(&self, b: i64, lo: i64, hi: i64) -> bool {
        let w = self.width.expect("fixed") as i128;
        let mid2 = 2 * b as i128 * w + w;
        mid2 >= 2 * lo as i128 && mid2 <= 2 * hi as i128
    }

    /// Crowd notional liquidated by a move of up to `bps` from `price`: `(longs below, shorts
    /// above)`, resolution one bucket (see the module docs).
    pub fn notional_within(&self, price: Price, bps: u32) -> (Money, Money) {
        let s = self.summary(Ts::MIN, price, &[bps]);
        let b = s.bands()[0];
        (b.longs_below, b.shorts_above)
    }

    /// The summary around `price` for the given band distances (increasing, at most
    /// [`BANDS_MAX`]): one pass over the buckets each side, `O(log n + buckets in range)`.
    pub fn summary(&self, ts: Ts, price: Price, bands_bps: &[u32]) -> HeatSummary {
        assert!(bands_bps.len() <= BANDS_MAX, "at most {BANDS_MAX} bands");
        assert!(
            bands_bps.windows(2).all(|w| w[0] < w[1]),
            "bands are sorted by distance"
        );
        let mut out = HeatSummary {
            ts,
            reference: price,
            len: bands_bps.len(),
            bands: [HeatBand::default(); BANDS_MAX],
        };
        for (k, &bps) in bands_bps.iter().enumerate() {
            out.bands[k].within_bps = bps;
        }
        let (Some(w), Some(&far)) = (self.width, bands_bps.last()) else {
            return out;
        };
        let p = price.raw();
        if p <= 0 {
            return out;
        }
        let lo = shift(p, far, false);
        let hi = shift(p, far, true);
        // Candidate buckets: those that can hold a midpoint in [lo, hi].
        let range = (lo.div_euclid(w) - 1)..=(hi.div_euclid(w) + 1);
        for (&b, c) in self.buckets.range(range) {
            if c.long_qty.is_positive() {
                for (k, &bps) in bands_bps.iter().enumerate() {
                    if self.mid_within(b, shift(p, bps, false), p) {
                        out.bands[k].longs_below += c.long_notional;
                    }
                }
            }
            if c.short_qty.is_positive() {
                for (k, &bps) in bands_bps.iter().enumerate() {
                    if self.mid_within(b, p, shift(p, bps, true)) {
                        out.bands[k].shorts_above += c.short_notional;
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn px(v: i64) -> Price {
        Price::from_int(v)
    }

    #[test]
    fn buckets_add_remove_and_summarise() {
        let mut h = Heatmap::new(10); // 0.1 % of 60,000 = 60
        h.fix_width(px(60_000), Price::from_raw(10_000_000)); // tick 0.1
        assert_eq!(h.width(), Some(px(60)));
        let q = Qty::ONE;
        // A long liquidated at 59,700 (bucket [59,700, 59,760), midpoint 59,730: −0.45 %).
        let n1 = h.add(true, px(59_700), q);
        // A long at 57,000 (−5 %: midpoint 57,030 is −4.95 %).
        let n2 = h.add(true, px(57_000), q);
        // A short at 60,500 (+0.85 %).
        let n3 = h.add(false, px(60_500), q);
        let s = h.summary(Ts::ZERO, px(60_000), &[50, 100, 500]);
        let got: Vec<_> = s
            .bands()
            .iter()
            .map(|b| {
                (
                    b.within_bps,
                    b.longs_below.to_string(),
                    b.shorts_above.to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (50, "59700".into(), "0".into()),
                (100, "59700".into(), "60500".into()),
                (500, "116700".into(), "60500".into())
            ]
        );
        h.remove(true, px(59_700), q, n1);
        h.remove(true, px(57_000), q, n2);
        h.remove(false, px(60_500), q, n3);
        assert_eq!(h.buckets().count(), 0);
        assert_eq!(
            h.notional_within(px(60_000), 500),
            (Money::ZERO, Money::ZERO)
        );
    }
}
