//! The book as a strategy sees it: the best bid and offer ([`Quote`]), the latest depth
//! snapshot ([`DepthBands`]) and the L2 book ([`L2Book`]), each kept by [`crate::MarketView`].

use cascade_types::{DepthBand, DepthLevel, Money, Price, Qty, Rounding, Side, Ts};

/// Best bid and offer, from the book-top feed or the L2 book, whichever is newer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quote {
    /// When the quote became known.
    pub ts: Ts,
    /// Best bid price.
    pub bid: Price,
    /// Quantity at the best bid.
    pub bid_qty: Qty,
    /// Best ask price.
    pub ask: Price,
    /// Quantity at the best ask.
    pub ask_qty: Qty,
}

impl Quote {
    /// The mid price, rounded half-even to the price resolution.
    pub fn mid(&self) -> Price {
        self.bid
            .checked_add(self.ask)
            .and_then(|sum| sum.mul_div(1, 2, Rounding::HalfEven))
            .expect("mid price overflow")
    }
    /// Ask minus bid.
    pub fn spread(&self) -> Price {
        self.ask - self.bid
    }
}

/// Most depth bands one snapshot holds (Binance `bookDepth` has 10 or 12).
pub const DEPTH_BANDS_MAX: usize = 16;

/// The latest depth snapshot: cumulative quantity and notional within percentage bands of the
/// mid (see [`DepthBand`]), sorted by `band_bps` (bids first, most negative first).
#[derive(Clone, Copy, Debug)]
pub struct DepthBands {
    ts: Option<Ts>,
    len: usize,
    bands: [DepthBand; DEPTH_BANDS_MAX],
    dropped: u64,
}

impl Default for DepthBands {
    fn default() -> Self {
        DepthBands {
            ts: None,
            len: 0,
            bands: [DepthBand {
                band_bps: 0,
                qty: Qty::ZERO,
                notional: Money::ZERO,
            }; DEPTH_BANDS_MAX],
            dropped: 0,
        }
    }
}

impl DepthBands {
    /// The snapshot's time; `None` before the first band.
    pub fn ts(&self) -> Option<Ts> {
        self.ts
    }
    /// The bands of the latest snapshot, sorted by `band_bps`.
    pub fn bands(&self) -> &[DepthBand] {
        &self.bands[..self.len]
    }
    /// The band with exactly this edge (−500 for "bids within 5 %").
    pub fn band(&self, band_bps: i32) -> Option<&DepthBand> {
        self.bands().iter().find(|b| b.band_bps == band_bps)
    }
    /// Bid notional within `bps` below the mid (the band at `−bps`).
    pub fn bid_notional_within(&self, bps: i32) -> Option<Money> {
        self.band(-bps.abs()).map(|b| b.notional)
    }
    /// Ask notional within `bps` above the mid (the band at `+bps`).
    pub fn ask_notional_within(&self, bps: i32) -> Option<Money> {
        self.band(bps.abs()).map(|b| b.notional)
    }
    /// Bands dropped because a snapshot had more than [`DEPTH_BANDS_MAX`] distinct edges.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    pub(crate) fn apply(&mut self, ts: Ts, band: &DepthBand) {
        if self.ts != Some(ts) {
            // A new timestamp starts a new snapshot.
            self.ts = Some(ts);
            self.len = 0;
        }
        let live = &mut self.bands[..self.len];
        match live.binary_search_by_key(&band.band_bps, |b| b.band_bps) {
            Ok(i) => live[i] = *band,
            Err(_) if self.len == DEPTH_BANDS_MAX => self.dropped += 1,
            Err(i) => {
                self.bands.copy_within(i..self.len, i + 1);
                self.bands[i] = *band;
                self.len += 1;
            }
        }
    }
}

/// One price level of the L2 book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Level {
    /// Level price.
    pub price: Price,
    /// Total quantity at the level.
    pub qty: Qty,
}

/// The L2 book built from [`DepthLevel`] updates, at most
/// [`crate::MarketViewConfig::l2_levels_max`] levels per side.
#[derive(Clone, Debug, Default)]
pub struct L2Book {
    ts: Option<Ts>,
    /// Best (highest) first.
    bids: Vec<Level>,
    /// Best (lowest) first.
    asks: Vec<Level>,
    levels_max: usize,
}

impl L2Book {
    /// Time of the last update; `None` before the first.
    pub fn ts(&self) -> Option<Ts> {
        self.ts
    }
    /// Bid levels, best (highest) first.
    pub fn bids(&self) -> &[Level] {
        &self.bids
    }
    /// Ask levels, best (lowest) first.
    pub fn asks(&self) -> &[Level] {
        &self.asks
    }
    /// The best bid.
    pub fn best_bid(&self) -> Option<Level> {
        self.bids.first().copied()
    }
    /// The best ask.
    pub fn best_ask(&self) -> Option<Level> {
        self.asks.first().copied()
    }

    pub(crate) fn apply(&mut self, ts: Ts, level: &DepthLevel, levels_max: usize) {
        if self.levels_max == 0 {
            // First update: allocate both sides once, at their fixed capacity.
            self.levels_max = levels_max.max(1);
            self.bids = Vec::with_capacity(self.levels_max);
            self.asks = Vec::with_capacity(self.levels_max);
        }
        self.ts = Some(ts);
        let max = self.levels_max;
        let is_bid = level.side == Side::Buy;
        let levels = if is_bid {
            &mut self.bids
        } else {
            &mut self.asks
        };
        // Bids are kept highest first, asks lowest first: "better" sorts first on both.
        let better_first = |l: &Level| {
            if is_bid {
                level.price.cmp(&l.price)
            } else {
                l.price.cmp(&level.price)
            }
        };
        match levels.binary_search_by(better_first) {
            Ok(i) if level.qty.is_zero() => {
                levels.remove(i);
            }
            Ok(i) => levels[i].qty = level.qty,
            Err(_) if level.qty.is_zero() => {}
            Err(i) if i >= max => {} // beyond the kept depth
            Err(i) => {
                if levels.len() == max {
                    levels.pop(); // keep the capacity: never reallocate
                }
                levels.insert(
                    i,
                    Level {
                        price: level.price,
                        qty: level.qty,
                    },
                );
            }
        }
        debug_assert!(levels.len() <= max && levels.capacity() == max);
    }
}
