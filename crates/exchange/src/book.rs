//! The slippage rule: how a taker order fills against the *recorded* book.
//!
//! A taker of quantity `Q` walks liquidity "pieces" from the best price outward:
//!
//! 1. **L2 levels**, when the replay carries `DepthLevel` events for that side: each level's
//!    quantity at its price.
//! 2. Otherwise the **book top** (`BookTop`: the best ask's quantity at the best ask), then the
//!    **depth bands** of the latest `DepthBand` snapshot: band *k* holds
//!    `cum_qty_k − max(cum_qty_(k−1), top qty)` more, at the band's *incremental* average
//!    price `(cum_notional_k − cum_notional_(k−1)) / (cum_qty_k − cum_qty_(k−1))`, never better
//!    than the top.
//! 3. **Beyond the last piece**, everything left at the last piece's price worsened by
//!    `beyond_book_penalty_bps`; with no book at all, at the last trade (else the mark)
//!    worsened by the same penalty. A market order therefore always fills completely once any
//!    price is known.
//!
//! The recorded book is not changed by our fills, but what our orders took since the book
//! last changed is skipped (`taken_*` in the market state), so several liquidations inside
//! one snapshot walk progressively deeper. Every piece's notional is rounded against the
//! taker (up for a buyer, down for a seller). Limit orders walk the same pieces up to their
//! price and never use the penalty piece.

use crate::market::Market;
use cascade_types::{Money, Price, Qty, Rounding, Side};

/// The result of walking the book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Walk {
    /// Quantity filled.
    pub qty: Qty,
    /// Total notional paid (buyer) or received (seller).
    pub notional: Money,
}

impl Walk {
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

struct Walker {
    taker: Side,
    want: Qty,
    skip: Qty,
    limit: Option<Price>,
    got: Qty,
    notional: Money,
    last_price: Option<Price>,
}

impl Walker {
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
            self.got += take;
            self.notional += price.notional(take, against(self.taker));
        }
        self.got == self.want
    }
}

/// Walks the recorded book for a taker of `qty` on `taker` side, up to `limit` if given.
/// With `limit == None` the result fills `qty` completely whenever any price is known.
pub(crate) fn walk(
    m: &Market,
    taker: Side,
    qty: Qty,
    limit: Option<Price>,
    penalty_bps: u32,
) -> Walk {
    let skip = match taker {
        Side::Buy => m.taken_asks,
        Side::Sell => m.taken_bids,
    };
    let mut w = Walker {
        taker,
        want: qty,
        skip,
        limit,
        got: Qty::ZERO,
        notional: Money::ZERO,
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
            let (mut prev_q, mut prev_n) = (Qty::ZERO, Money::ZERO);
            for b in m.depth.side(taker) {
                let dq = b.qty - prev_q;
                let dn = b.notional - prev_n;
                let covered = prev_q.max_of(top_qty);
                let more = b.qty - covered;
                prev_q = b.qty;
                prev_n = b.notional;
                if !dq.is_positive() || !more.is_positive() || !dn.is_positive() {
                    continue;
                }
                let mut avg = dn.per_qty(dq, against(taker)).expect("positive quantity");
                if let Some(tp) = top_price {
                    avg = match taker {
                        Side::Buy => avg.max_of(tp),
                        Side::Sell => avg.min_of(tp),
                    };
                }
                if w.piece(avg, more) {
                    done = true;
                    break;
                }
            }
        }
    }
    if !done && limit.is_none() && w.got < w.want {
        let base = w.last_price.or(m.last_trade.map(|t| t.price)).or(m.mark);
        if let Some(p) = base {
            let p = worsen(taker, p, penalty_bps);
            let rest = w.want - w.got;
            w.got = w.want;
            w.notional += p.notional(rest, against(taker));
        }
    }
    Walk {
        qty: w.got,
        notional: w.notional,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mark::MarkCalc;
    use crate::rules::MarkMethod;
    use cascade_types::{BookTop, DepthBand, Ts};

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
        let w = walk(&m, Side::Buy, q("1"), None, 100);
        assert_eq!((w.qty, w.notional), (q("1"), Money::from_int(101)));
        // Buy 4: 1 @ 101, then 2 more in band 1 at its average 304/3 = 101.333…34 (up),
        // then 1 of band 2's 2 at (510 − 304)/2 = 103.
        let w = walk(&m, Side::Buy, q("4"), None, 100);
        assert_eq!(w.notional.to_string(), "406.66666668");
        // Buy 7: everything (5) for 101 + 202.66666668 + 206, then 2 at 103 × 1.01 = 104.03.
        let w = walk(&m, Side::Buy, q("7"), None, 100);
        assert_eq!(w.notional.to_string(), "717.72666668");
        // A limit at 102 stops before band 2.
        let w = walk(&m, Side::Buy, q("7"), Some(px(102)), 100);
        assert_eq!(w.qty, q("3"));
        // What we took earlier is skipped.
        m.taken_asks = q("1");
        let w = walk(&m, Side::Buy, q("1"), None, 100);
        assert_eq!(w.notional.to_string(), "101.33333334");
    }

    #[test]
    fn no_book_uses_last_trade_with_penalty_and_l2_when_present() {
        let mut m = market();
        assert_eq!(walk(&m, Side::Sell, q("1"), None, 100).qty, Qty::ZERO);
        m.mark = Some(px(200));
        let w = walk(&m, Side::Sell, q("2"), None, 100);
        assert_eq!(w.notional.to_string(), "396"); // 2 × 200 × 0.99
        m.l2_bids.insert(px(199), q("1"));
        m.l2_bids.insert(px(198), q("1"));
        let w = walk(&m, Side::Sell, q("3"), None, 100);
        // 199 + 198 + 198 × 0.99
        assert_eq!(w.notional.to_string(), "593.02");
        assert_eq!(w.price(Side::Sell).to_string(), "197.67333333");
    }
}
