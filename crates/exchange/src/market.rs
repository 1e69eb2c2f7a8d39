//! Per-instrument market state kept from the recorded events: last trade, book top, depth
//! bands, L2 levels, mark, index, funding, open interest. Fixed-size where it sits on the hot
//! path (depth bands live in arrays), so updating it never allocates.

use crate::funding::FundingState;
use crate::mark::MarkCalc;
use cascade_types::{
    BookTop, DepthBand, Liquidation, Money, OpenInterest, Price, Qty, Rate, Side, Ts,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most depth bands kept per side of a snapshot (Binance `bookDepth` has 5 or 6).
pub(crate) const MAX_BANDS: usize = 16;

/// The last recorded trade.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastTrade {
    /// When it printed.
    pub ts: Ts,
    /// Price.
    pub price: Price,
    /// Quantity.
    pub qty: Qty,
    /// Side of the taker.
    pub aggressor: Side,
}

/// One side's band of a depth snapshot, cumulative from the mid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Band {
    /// Distance from the mid in basis points (positive on both sides).
    pub bps: i32,
    /// Cumulative quantity within the band.
    pub qty: Qty,
    /// Cumulative notional within the band.
    pub notional: Money,
}

/// The latest depth-band snapshot (the run of `DepthBand` events sharing a timestamp).
#[derive(Clone, Debug)]
pub(crate) struct DepthSnapshot {
    pub ts: Ts,
    pub bids: [Band; MAX_BANDS],
    pub n_bids: usize,
    pub asks: [Band; MAX_BANDS],
    pub n_asks: usize,
}

impl Default for DepthSnapshot {
    fn default() -> Self {
        DepthSnapshot {
            ts: Ts::MIN,
            bids: [Band::default(); MAX_BANDS],
            n_bids: 0,
            asks: [Band::default(); MAX_BANDS],
            n_asks: 0,
        }
    }
}

impl DepthSnapshot {
    /// Adds a band; a new timestamp starts a new snapshot. Returns true when it did.
    pub fn push(&mut self, ts: Ts, d: DepthBand) -> bool {
        let fresh = ts != self.ts;
        if fresh {
            self.ts = ts;
            self.n_bids = 0;
            self.n_asks = 0;
        }
        if d.band_bps == 0 || d.qty.is_negative() {
            return fresh;
        }
        let (bands, n) = if d.band_bps < 0 {
            (&mut self.bids, &mut self.n_bids)
        } else {
            (&mut self.asks, &mut self.n_asks)
        };
        let b = Band {
            bps: d.band_bps.abs(),
            qty: d.qty,
            notional: d.notional,
        };
        // Keep the bands sorted by distance; a repeated band replaces the old value.
        let pos = bands[..*n].partition_point(|x| x.bps < b.bps);
        if pos < *n && bands[pos].bps == b.bps {
            bands[pos] = b;
        } else if *n < MAX_BANDS {
            bands.copy_within(pos..*n, pos + 1);
            bands[pos] = b;
            *n += 1;
        }
        fresh
    }

    /// The bands of the side a taker on `taker` side consumes (asks for a buyer).
    pub fn side(&self, taker: Side) -> &[Band] {
        match taker {
            Side::Buy => &self.asks[..self.n_asks],
            Side::Sell => &self.bids[..self.n_bids],
        }
    }
}

/// Everything the exchange knows about one instrument's market.
#[derive(Clone, Debug)]
pub(crate) struct Market {
    pub last_trade: Option<LastTrade>,
    pub top: Option<BookTop>,
    pub depth: DepthSnapshot,
    pub l2_bids: BTreeMap<Price, Qty>,
    pub l2_asks: BTreeMap<Price, Qty>,
    pub mark: Option<Price>,
    pub prev_mark: Option<Price>,
    /// Set by the first recorded mark: from then on only recorded marks move it.
    pub mark_recorded: bool,
    pub index: Option<Price>,
    /// The recorded (published, predicted) funding rate, if any.
    pub funding_rate: Option<Rate>,
    /// The recorded next funding time, if any.
    pub next_funding: Option<Ts>,
    pub open_interest: Option<OpenInterest>,
    pub last_liquidation: Option<Liquidation>,
    /// Quantity our own market orders took from each side since the book last changed, so
    /// that a burst of liquidations inside one book snapshot walks deeper.
    pub taken_bids: Qty,
    pub taken_asks: Qty,
    pub calc: MarkCalc,
    pub funding: FundingState,
    /// Quantity traded in the minute under way and in the minute before it:
    /// `(minute index, quantity)` each (see [`Market::recent_volume`]).
    pub minute_volume: [(i64, Qty); 2],
}

impl Market {
    pub fn new(calc: MarkCalc) -> Market {
        Market {
            last_trade: None,
            top: None,
            depth: DepthSnapshot::default(),
            l2_bids: BTreeMap::new(),
            l2_asks: BTreeMap::new(),
            mark: None,
            prev_mark: None,
            mark_recorded: false,
            index: None,
            funding_rate: None,
            next_funding: None,
            open_interest: None,
            last_liquidation: None,
            taken_bids: Qty::ZERO,
            taken_asks: Qty::ZERO,
            calc,
            funding: FundingState::default(),
            minute_volume: [(i64::MIN, Qty::ZERO); 2],
        }
    }

    /// Counts a trade of `qty` at `ts` into the per-minute volume.
    pub fn add_volume(&mut self, ts: Ts, qty: Qty) {
        let minute = ts.nanos().div_euclid(Ts::NANOS_PER_MIN);
        let [prev, cur] = &mut self.minute_volume;
        if cur.0 != minute {
            *prev = if cur.0 == minute - 1 {
                *cur
            } else {
                (minute - 1, Qty::ZERO)
            };
            *cur = (minute, Qty::ZERO);
        }
        cur.1 += qty.max_of(Qty::ZERO);
    }

    /// The volume of the last full minute or of the minute under way, whichever is larger.
    pub fn recent_volume(&self) -> Qty {
        self.minute_volume[0].1.max_of(self.minute_volume[1].1)
    }

    /// The book changed: our earlier takes are no longer in front of us.
    pub fn book_refreshed(&mut self) {
        self.taken_bids = Qty::ZERO;
        self.taken_asks = Qty::ZERO;
    }

    /// The mid of the book top, if both sides are known, rounded half-even (in `i64`: a sum
    /// of two prices cannot overflow below 4·10¹⁰ per unit).
    pub fn mid(&self) -> Option<Price> {
        let t = self.top?;
        let (b, a) = (t.bid_price.raw(), t.ask_price.raw());
        if b <= 0 || a <= 0 {
            return None;
        }
        let s = b.checked_add(a).expect("prices within range");
        let half = s >> 1;
        let mid = if s & 1 == 1 && half & 1 == 1 {
            half + 1
        } else {
            half
        };
        Some(Price::from_raw(mid))
    }

    /// The best reference price known: mark, else last trade, else mid.
    pub fn reference(&self) -> Option<Price> {
        self.mark
            .or(self.last_trade.map(|t| t.price))
            .or_else(|| self.mid())
    }
}

/// A read-only copy of an instrument's market state, for strategies and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketState {
    /// The last recorded trade.
    pub last_trade: Option<LastTrade>,
    /// The last recorded best bid/offer.
    pub book_top: Option<BookTop>,
    /// The mark price in force (recorded or computed).
    pub mark: Option<Price>,
    /// True when the mark comes from recorded mark-price events.
    pub mark_recorded: bool,
    /// The index (oracle) price.
    pub index: Option<Price>,
    /// The funding rate: the recorded one if published, else the exchange's estimate.
    pub funding_rate: Option<Rate>,
    /// The next funding settlement time, if known.
    pub next_funding: Option<Ts>,
    /// The last recorded open interest.
    pub open_interest: Option<OpenInterest>,
    /// The last recorded (venue-published) liquidation.
    pub last_recorded_liquidation: Option<Liquidation>,
}
