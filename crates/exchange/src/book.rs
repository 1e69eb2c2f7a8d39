//! The slippage rule: how a taker order fills against the *recorded* book.
//!
//! A taker of quantity `Q` walks liquidity "pieces" from the best price outward:
//!
//! 1. **L2 levels**, when the replay carries `DepthLevel` events for that side: each level's
//!    quantity at its price.
//! 2. Otherwise the **book top** (`BookTop`: the best ask's quantity at the best ask), then the
//!    **depth bands** of the latest `DepthBand` snapshot. Bands give the book's *shape* —
//!    cumulative quantity `D_k` within `e_k` basis points of the mid — but not its prices:
//!    a snapshot is up to 30 s old in a market that can move several percent in that time,
//!    and single bands can be frozen upstream (the 10/10 file's −1 % bid band holds the same
//!    ~17.65 BTC at ~121k for most of the day). So band liquidity is priced from the
//!    **current reference price** — the book-top mid when a top is known, else the last trade,
//!    else the mark — and the marginal distance from it grows linearly with cumulative
//!    quantity inside each band: from `e_(k−1)` at `D_(k−1)` to `e_k` at `D_k` (with
//!    `D_0 = 0`, `e_0 = 0`). A piece taking cumulative quantity `[a, b]` of band *k* fills at
//!    `ref × (1 ± e)`, `e = e_(k−1) + (e_k − e_(k−1))·((a + b)/2 − D_(k−1))/(D_k − D_(k−1))`,
//!    the exact average over the piece; never better than the top. Quantity the top already
//!    showed is not counted twice: the walk through the bands starts at the top's quantity.
//! 3. **Beyond the last piece**, everything left at the last piece's price worsened by
//!    `beyond_book_penalty_bps`; with no book at all, at the last trade (else the mark)
//!    worsened by the same penalty. A market order therefore always fills completely once any
//!    price is known.
//!
//! The recorded book is not changed by our fills, but what our orders took since the book
//! last changed is skipped (`taken_*` in the market state), so several liquidations inside
//! one snapshot walk progressively deeper. Every piece's notional and every band distance is
//! rounded against the taker (a band distance away from the mid; a linear notional up for a
//! buyer, down for a seller; an inverse coin notional the other way, since an inverse buyer's
//! cost basis is the coin value it receives). Quantities are contracts for an inverse
//! instrument and notionals its coin value, `Σ qty·size/price` piece by piece. Limit orders
//! walk the same pieces up to their price and never use the penalty piece.

use crate::contract::Contract;
use crate::market::Market;
use cascade_types::{Money, Price, Qty, Rounding, Side};

/// The result of walking the book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Walk {
    /// Quantity filled.
    pub qty: Qty,
    /// Total notional paid (buyer) or received (seller).
    pub notional: Money,
    /// `Σ price × qty` over the pieces, exact (raw × raw, 10⁻¹⁶): the volume-weighted price
    /// without the notional's rounding (an inverse notional is coin, rounded to 10⁻⁸ coin).
    pub quote16: i128,
    /// The price the walk was priced from (see [`reference`]), if any price is known.
    pub reference: Option<Price>,
}

/// The reference price a taker fill is priced from and its slippage measured against: the
/// mid of the recorded book top (both sides known; the same truncated mid the depth bands
/// are priced from), else the last trade, else the mark. Fills through recorded L2 levels
/// are measured against the same price.
pub(crate) fn reference(m: &Market) -> Option<Price> {
    match m.top {
        Some(t) if t.bid_price.is_positive() && t.ask_price.is_positive() => {
            Some(Price::from_raw((t.bid_price.raw() + t.ask_price.raw()) / 2))
        }
        _ => m.last_trade.map(|t| t.price).or(m.mark),
    }
}

impl Walk {
    /// The volume-weighted average of the prices filled at, half-even (zero for an empty
    /// walk). The fill price reported for an inverse contract, whose notional is coin.
    pub fn vwap(&self) -> Price {
        if !self.qty.is_positive() {
            return Price::ZERO;
        }
        let q = self.qty.raw() as i128;
        let (f, r) = (self.quote16.div_euclid(q), self.quote16.rem_euclid(q));
        let up = 2 * r > q || (2 * r == q && f % 2 != 0);
        Price::from_raw(i64::try_from(f + i128::from(up)).unwrap_or(i64::MAX))
    }

    /// Volume-weighted price, rounded against the taker.
    #[cfg(test)]
    pub fn price(&self, taker: Side) -> Price {
        let r = match taker {
            Side::Buy => Rounding::Up,
            Side::Sell => Rounding::Down,
        };
        self.notional
            .per_qty(self.qty, r)
            .expect("a walk with a fill has a quantity")
    }
}

fn against(taker: Side) -> Rounding {
    match taker {
        Side::Buy => Rounding::Up,
        Side::Sell => Rounding::Down,
    }
}

/// True when `p` is at or better than `limit` for the taker.
fn within(taker: Side, p: Price, limit: Option<Price>) -> bool {
    match (taker, limit) {
        (_, None) => true,
        (Side::Buy, Some(l)) => p <= l,
        (Side::Sell, Some(l)) => p >= l,
    }
}

fn worsen(taker: Side, p: Price, bps: u32) -> Price {
    let r = cascade_types::Rate::from_raw(10_000 * bps as i64); // bps as a rate: 1 bp = 10⁻⁴
    match taker {
        Side::Buy => p + p.mul_rate(r, Rounding::Up),
        Side::Sell => (p - p.mul_rate(r, Rounding::Up)).max_of(Price::from_raw(1)),
    }
}

/// The fixed-point unit of `sqrt(q / V)` in [`no_book_centi_bps`]: 10⁶ (units of 10⁻⁶).
const SQRT_UNIT: u128 = 1_000_000;

/// The slippage of a market order with no recorded book, in hundredths of a basis point:
/// half-spread plus `impact · sqrt(q / V)`, capped at `cap_bps` (see
/// [`crate::rules::NoBookFill`]); the cap when no volume is known. Integer square root,
/// rounded up (against the taker).
fn no_book_centi_bps(rules: crate::rules::NoBookFill, q: Qty, volume: Qty, cap_bps: u32) -> u32 {
    let cap = u64::from(cap_bps) * 100;
    if !volume.is_positive() {
        return cap as u32;
    }
    // sqrt(q / V) in units of 10⁻⁶: sqrt(q · 10¹² / V).
    let ratio = (q.raw().max(0) as u128) * SQRT_UNIT * SQRT_UNIT / volume.raw() as u128;
    let mut r = ratio.isqrt();
    if r * r < ratio {
        r += 1;
    }
    let impact = (u128::from(rules.impact_centi_bps) * r).div_ceil(SQRT_UNIT);
    let total = u128::from(rules.half_spread_centi_bps) + impact;
    total.min(u128::from(cap)) as u32
}

/// `p` worsened for the taker by `centi` hundredths of a basis point (rounded against it).
fn worsen_centi(taker: Side, p: Price, centi: u32) -> Price {
    let r = cascade_types::Rate::from_raw(100 * centi as i64); // 0.01 bp = 10⁻⁶ = 100 raw
    match taker {
        Side::Buy => p + p.mul_rate(r, Rounding::Up),
        Side::Sell => (p - p.mul_rate(r, Rounding::Up)).max_of(Price::from_raw(1)),
    }
}

struct Walker {
    contract: Contract,
    taker: Side,
    want: Qty,
    skip: Qty,
    limit: Option<Price>,
    got: Qty,
    notional: Money,
    quote16: i128,
    last_price: Option<Price>,
}

impl Walker {
    /// Fills `qty` at `price`: its notional rounded against the taker.
    #[inline]
    fn fill(&mut self, price: Price, qty: Qty) {
        self.got += qty;
        self.notional += match self.contract {
            Contract::Linear => price.notional(qty, against(self.taker)),
            c => c.value(price, qty, c.against(self.taker)),
        };
        self.quote16 = self
            .quote16
            .saturating_add(price.raw() as i128 * qty.raw() as i128);
    }

    /// Offers `qty` at `price`; returns true when the walk is complete.
    fn piece(&mut self, price: Price, qty: Qty) -> bool {
        if !qty.is_positive() || !price.is_positive() {
            return false;
        }
        if !within(self.taker, price, self.limit) {
            return true;
        }
        self.last_price = Some(price);
        // Liquidity our own orders already took from this book is not there any more.
        let skip = self.skip.min_of(qty);
        self.skip -= skip;
        let avail = qty - skip;
        let take = avail.min_of(self.want - self.got);
        if take.is_positive() {
            self.fill(price, take);
        }
        self.got == self.want
    }
}

/// Walks the depth bands (see the module docs, rule 2): cumulative quantity from `start` (the
/// top's quantity) outward, priced from `reference`. Returns true when the walk is complete.
fn walk_bands(
    w: &mut Walker,
    bands: &[crate::market::Band],
    reference: Price,
    start: Qty,
    top_price: Option<Price>,
) -> bool {
    let (mut prev_q, mut prev_e) = (Qty::ZERO, 0i64); // D_(k−1), e_(k−1) as a raw rate
    let mut at = start.max_of(Qty::ZERO); // cumulative quantity already walked
    for b in bands {
        let e_k = b.bps as i64 * 10_000; // bps as a raw rate: 1 bp = 10⁻⁴ = 10 000 raw
        let (d_lo, e_lo) = (prev_q, prev_e);
        prev_q = b.qty.max_of(prev_q);
        prev_e = e_k;
        let width = prev_q - d_lo;
        if !width.is_positive() || at >= prev_q {
            continue;
        }
        // Our own earlier fills in this snapshot, then what is still wanted.
        let from = at.max_of(d_lo);
        let skip = w.skip.min_of(prev_q - from);
        w.skip -= skip;
        let a = from + skip;
        at = prev_q;
        let take = (prev_q - a).min_of(w.want - w.got);
        if !take.is_positive() {
            continue;
        }
        let bq = a + take;
        // e = e_lo + (e_k − e_lo)·((a + b)/2 − D_lo)/(D_k − D_lo), exact in i128 and rounded
        // against the taker (a larger distance is worse for both sides).
        let num =
            (a.raw() as i128 + bq.raw() as i128 - 2 * d_lo.raw() as i128) * (e_k - e_lo) as i128;
        let den = 2 * width.raw() as i128;
        let e = e_lo + ((num + den - 1) / den) as i64;
        let step = reference.mul_rate(cascade_types::Rate::from_raw(e), Rounding::Up);
        let mut price = match w.taker {
            Side::Buy => reference + step,
            Side::Sell => (reference - step).max_of(Price::from_raw(1)),
        };
        if let Some(tp) = top_price {
            price = match w.taker {
                Side::Buy => price.max_of(tp),
                Side::Sell => price.min_of(tp),
            };
        }
        if !within(w.taker, price, w.limit) {
            return true;
        }
        w.last_price = Some(price);
        w.fill(price, take);
        if w.got == w.want {
            return true;
        }
    }
    false
}

/// Walks the recorded book for a taker of `qty` on `taker` side, up to `limit` if given.
/// With `limit == None` the result fills `qty` completely whenever any price is known.
pub(crate) fn walk(
    m: &Market,
    contract: Contract,
    taker: Side,
    qty: Qty,
    limit: Option<Price>,
    penalty_bps: u32,
    no_book: crate::rules::NoBookFill,
) -> Walk {
    let skip = match taker {
        Side::Buy => m.taken_asks,
        Side::Sell => m.taken_bids,
    };
    let mut w = Walker {
        contract,
        taker,
        want: qty,
        skip,
        limit,
        got: Qty::ZERO,
        notional: Money::ZERO,
        quote16: 0,
        last_price: None,
    };
    let l2 = match taker {
        Side::Buy => &m.l2_asks,
        Side::Sell => &m.l2_bids,
    };
    let mut done = false;
    if !l2.is_empty() {
        done = match taker {
            Side::Buy => l2.iter().any(|(p, q)| w.piece(*p, *q)),
            Side::Sell => l2.iter().rev().any(|(p, q)| w.piece(*p, *q)),
        };
    } else {
        let mut top_qty = Qty::ZERO;
        let mut top_price = None;
        if let Some(t) = m.top {
            let (p, q) = match taker {
                Side::Buy => (t.ask_price, t.ask_qty),
                Side::Sell => (t.bid_price, t.bid_qty),
            };
            if p.is_positive() {
                top_qty = q.max_of(Qty::ZERO);
                top_price = Some(p);
                done = w.piece(p, q);
            }
        }
        if !done {
            if let Some(reference) = reference(m) {
                done = walk_bands(&mut w, m.depth.side(taker), reference, top_qty, top_price);
            }
        }
    }
    if !done && limit.is_none() && w.got < w.want {
        let bookless = w.last_price.is_none();
        let base = w.last_price.or(m.last_trade.map(|t| t.price)).or(m.mark);
        if let Some(p) = base {
            let p = if bookless {
                worsen_centi(
                    taker,
                    p,
                    no_book_centi_bps(no_book, qty, m.recent_volume(), penalty_bps),
                )
            } else {
                worsen(taker, p, penalty_bps)
            };
            let rest = w.want - w.got;
            w.fill(p, rest);
        }
    }
    Walk {
        qty: w.got,
        notional: w.notional,
        quote16: w.quote16,
        reference: reference(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mark::MarkCalc;
    use crate::rules::MarkMethod;
    use cascade_types::{BookTop, DepthBand, Ts};

    const NB: crate::rules::NoBookFill = crate::rules::NoBookFill {
        half_spread_centi_bps: 50,
        impact_centi_bps: 1_000,
    };

    fn market() -> Market {
        Market::new(MarkCalc::new(MarkMethod::LastTrade))
    }
    fn q(v: &str) -> Qty {
        v.parse().unwrap()
    }
    fn px(v: i64) -> Price {
        Price::from_int(v)
    }

    #[test]
    fn top_then_bands_then_penalty() {
        let mut m = market();
        m.top = Some(BookTop {
            bid_price: px(99),
            bid_qty: q("1"),
            ask_price: px(101),
            ask_qty: q("1"),
        });
        let ts = Ts::from_nanos(1);
        // Asks: within 1 %: 3 units for 304 in all; within 5 %: 5 units for 510.
        m.depth.push(
            ts,
            DepthBand {
                band_bps: 100,
                qty: q("3"),
                notional: Money::from_int(304),
            },
        );
        m.depth.push(
            ts,
            DepthBand {
                band_bps: 500,
                qty: q("5"),
                notional: Money::from_int(510),
            },
        );
        // Buy 1: the top.
        let w = walk(&m, Contract::Linear, Side::Buy, q("1"), None, 100, NB);
        assert_eq!((w.qty, w.notional), (q("1"), Money::from_int(101)));
        // The mid is 100. Buy 4: 1 @ 101 (the top); then band 1 from cumulative 1 to 3, at
        // distance 0 + 1 % × ((1 + 3)/2 − 0)/3 = 0.667 % → 100.67, never better than the top:
        // 2 @ 101; then band 2 from 3 to 4 at 1 % + 4 % × ((3 + 4)/2 − 3)/2 = 2 % → 1 @ 102.
        let w = walk(&m, Contract::Linear, Side::Buy, q("4"), None, 100, NB);
        assert_eq!(w.notional.to_string(), "405");
        // Buy 7: band 2 whole (3 → 5) at 1 % + 4 % × (4 − 3)/2 = 3 % → 2 @ 103, then 2 beyond
        // the book at 103 × 1.01 = 104.03: 101 + 202 + 206 + 208.06.
        let w = walk(&m, Contract::Linear, Side::Buy, q("7"), None, 100, NB);
        assert_eq!(w.notional.to_string(), "717.06");
        // A limit at 102 stops before band 2.
        let w = walk(
            &m,
            Contract::Linear,
            Side::Buy,
            q("7"),
            Some(px(102)),
            100,
            NB,
        );
        assert_eq!(w.qty, q("3"));
        // What we took earlier is skipped: the top's 1 is gone, so 1 from band 1 at
        // 1 % × ((1 + 2)/2)/3 = 0.5 % → 100.5, never better than the top: 101.
        m.taken_asks = q("1");
        let w = walk(&m, Contract::Linear, Side::Buy, q("1"), None, 100, NB);
        assert_eq!(w.notional.to_string(), "101");
    }

    /// Regression (10/10 real data): the bookDepth file's −1 % bid band stays at ~17.65 BTC
    /// and ~121.4k for most of the day, while the market fell to ~104k. A seller must fill
    /// near the current price, not at the frozen band's average.
    #[test]
    fn stale_band_prices_do_not_leak_into_fills() {
        let mut m = market();
        m.last_trade = Some(crate::market::LastTrade {
            ts: Ts::from_nanos(2),
            price: px(104_000),
            qty: q("1"),
            aggressor: Side::Sell,
        });
        let ts = Ts::from_nanos(1);
        m.depth.push(
            ts,
            DepthBand {
                band_bps: -100,
                qty: q("17.654"),
                notional: "2142546.22".parse().unwrap(),
            },
        );
        m.depth.push(
            ts,
            DepthBand {
                band_bps: -200,
                qty: q("40"),
                notional: "4900000".parse().unwrap(),
            },
        );
        // Sell 0.685: distance 1 % × (0.685/2)/17.654 = 0.00019401 (rounded up) → 104000 − 20.17704.
        let w = walk(&m, Contract::Linear, Side::Sell, q("0.685"), None, 100, NB);
        assert_eq!(w.price(Side::Sell).to_string(), "103979.82296");
        // Deeper: 30 = 17.654 in band 1 (avg 0.5 %) + 12.346 in band 2 (1 % + 1 % × (6.173/22.346)).
        let w = walk(&m, Contract::Linear, Side::Sell, q("30"), None, 100, NB);
        assert!(w.price(Side::Sell) < px(103_500) && w.price(Side::Sell) > px(102_500));
    }

    #[test]
    fn no_book_uses_last_trade_with_penalty_and_l2_when_present() {
        let mut m = market();
        assert_eq!(
            walk(&m, Contract::Linear, Side::Sell, q("1"), None, 100, NB).qty,
            Qty::ZERO
        );
        m.mark = Some(px(200));
        let w = walk(&m, Contract::Linear, Side::Sell, q("2"), None, 100, NB);
        assert_eq!(w.notional.to_string(), "396"); // 2 × 200 × 0.99
        m.l2_bids.insert(px(199), q("1"));
        m.l2_bids.insert(px(198), q("1"));
        let w = walk(&m, Contract::Linear, Side::Sell, q("3"), None, 100, NB);
        // 199 + 198 + 198 × 0.99
        assert_eq!(w.notional.to_string(), "593.02");
        assert_eq!(w.price(Side::Sell).to_string(), "197.67333333");
    }

    #[test]
    fn no_book_slippage_is_half_spread_plus_square_root_impact_capped() {
        // 0.685 BTC against a 200 BTC minute: 0.5 bp + 10 bp · sqrt(0.003425) ≈ 0.5 + 0.586.
        assert_eq!(no_book_centi_bps(NB, q("0.685"), q("200"), 100), 50 + 59);
        // A whole minute's volume: 0.5 + 10 bp.
        assert_eq!(no_book_centi_bps(NB, q("200"), q("200"), 100), 1_050);
        // Capped at the penalty, and the cap when no volume is known.
        assert_eq!(no_book_centi_bps(NB, q("20000"), q("200"), 100), 10_000);
        assert_eq!(no_book_centi_bps(NB, q("1"), Qty::ZERO, 100), 10_000);
        // A buyer at 100 000 pays 1.09 bp more: 100 010.9.
        assert_eq!(
            worsen_centi(Side::Buy, px(100_000), 109),
            "100010.9".parse().unwrap()
        );
    }
}
