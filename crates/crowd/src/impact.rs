//! Impact mode: forced orders walk the recorded depth and move the mark; the move can
//! liquidate more positions in the same instant, whose orders walk further — a cascade,
//! resolved to a fixed point in a bounded number of rounds.
//!
//! **The depth walk** ([`DepthBook::price_after`]). The crowd keeps the latest recorded book
//! top and the latest `bookDepth` snapshot (cumulative quantity within ±1…5 % of the mid).
//! A net forced sell of cumulative quantity `C` (this instant's long liquidations minus its
//! short liquidations; a net buy mirrors it on the asks) is walked along the points
//! `(0, best bid)`, `(top qty, best bid)`, then `(Q_k, R·(1 − b_k))` for each band `k` of
//! cumulative quantity `Q_k` at `b_k` basis points, where `R` is the current reference price
//! (book mid, else the last trade or bar close, else the mark) — band edges are read relative
//! to the current reference, since the snapshot's own mid is not recorded. Between two points
//! the price is linear in quantity (rounded against the forced order); beyond the deepest band
//! it is that band's edge worsened by `beyond_book_bps`. Without a top or bands, nothing moves.
//!
//! **The fixed point** (`Crowd::cascade`). Round 0 is what the recorded event itself
//! liquidated (and what the crowd's own trades did). Then, while the instant's cumulative net
//! forced quantity walks the price past the current mark: move the mark there
//! ([`cascade_exchange::Exchange::set_impact_mark`]), which liquidates what it crosses (round
//! `r`), add those forced orders, walk again. The walked price only moves further as `C`
//! grows, so the rounds are monotone; they stop when a round liquidates nothing (the fixed
//! point) or after `max_rounds` (the instant is then marked truncated). ADL fills do not walk
//! the book; backstop takeovers do (the fund unwinds them into it). The impact price holds
//! until the next recorded price input moves the mark again.

use crate::model::Crowd;
use crate::record::Round;
use cascade_exchange::Exchange;
use cascade_types::{BookTop, Event, EventBody, Money, Output, Price, Qty, Side, Ts};

/// Most bands kept per side (Binance `bookDepth` has 5).
const MAX_BANDS: usize = 16;

/// One side's band: basis points from the mid and the cumulative quantity within.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Band {
    bps: u32,
    qty: Qty,
}

/// The recorded depth the walk uses.
#[derive(Clone, Debug)]
pub struct DepthBook {
    top: Option<BookTop>,
    snap_ts: Ts,
    bids: [Band; MAX_BANDS],
    n_bids: usize,
    asks: [Band; MAX_BANDS],
    n_asks: usize,
    last_price: Option<Price>,
}

impl Default for DepthBook {
    fn default() -> Self {
        DepthBook {
            top: None,
            snap_ts: Ts::MIN,
            bids: [Band::default(); MAX_BANDS],
            n_bids: 0,
            asks: [Band::default(); MAX_BANDS],
            n_asks: 0,
            last_price: None,
        }
    }
}

/// `p · (1 ± bps/10⁴)` on raw prices, toward `p`.
fn shift(p: i64, bps: u32, up: bool) -> i64 {
    let d = (p as i128 * bps as i128 / 10_000) as i64;
    if up {
        p + d
    } else {
        (p - d).max(1)
    }
}

impl DepthBook {
    /// Takes what the walk needs from a recorded event of the crowd's instrument.
    pub fn on_event(&mut self, ev: &Event) {
        match ev.body {
            EventBody::BookTop(t) if t.bid_price.is_positive() && t.ask_price.is_positive() => {
                self.top = Some(t);
            }
            EventBody::DepthBand(d) => {
                if ev.ts != self.snap_ts {
                    self.snap_ts = ev.ts;
                    self.n_bids = 0;
                    self.n_asks = 0;
                }
                if d.band_bps == 0 || d.qty.is_negative() {
                    return;
                }
                let (bands, n) = if d.band_bps < 0 {
                    (&mut self.bids, &mut self.n_bids)
                } else {
                    (&mut self.asks, &mut self.n_asks)
                };
                let b = Band {
                    bps: d.band_bps.unsigned_abs(),
                    qty: d.qty,
                };
                let pos = bands[..*n].partition_point(|x| x.bps < b.bps);
                if pos < *n && bands[pos].bps == b.bps {
                    bands[pos] = b;
                } else if *n < MAX_BANDS {
                    bands.copy_within(pos..*n, pos + 1);
                    bands[pos] = b;
                    *n += 1;
                }
            }
            EventBody::Trade(t) => self.last_price = Some(t.price),
            EventBody::Bar(b) if b.source == cascade_types::BarSource::Last => {
                self.last_price = Some(b.close)
            }
            _ => {}
        }
    }

    /// True when there is anything to walk.
    pub fn has_depth(&self) -> bool {
        self.top.is_some() || self.n_bids > 0 || self.n_asks > 0
    }

    /// The price band edges are measured from: the book mid, else the last trade or bar
    /// close, else `mark`.
    pub fn reference(&self, mark: Option<Price>) -> Option<Price> {
        self.top
            .map(|t| Price::from_raw((t.bid_price.raw() + t.ask_price.raw()) / 2))
            .or(self.last_price)
            .or(mark)
    }

    /// Where a forced order of side `taker` and cumulative quantity `qty` leaves the price
    /// (see the module docs); `None` without any recorded depth or reference.
    pub fn price_after(
        &self,
        taker: Side,
        qty: Qty,
        reference: Price,
        beyond_bps: u32,
    ) -> Option<Price> {
        if !self.has_depth() || !reference.is_positive() {
            return None;
        }
        let sell = taker == Side::Sell;
        let r = reference.raw();
        // The walk's points (cumulative qty, price), monotone in both.
        let mut pts: [(i64, i64); MAX_BANDS + 2] = [(0, 0); MAX_BANDS + 2];
        let mut n = 0;
        let start = match self.top {
            Some(t) if sell => (t.bid_price.raw(), t.bid_qty.raw()),
            Some(t) => (t.ask_price.raw(), t.ask_qty.raw()),
            None => (r, 0),
        };
        pts[n] = (0, start.0);
        n += 1;
        if start.1 > 0 {
            pts[n] = (start.1, start.0);
            n += 1;
        }
        let bands = if sell {
            &self.bids[..self.n_bids]
        } else {
            &self.asks[..self.n_asks]
        };
        for b in bands {
            let (q0, p0) = pts[n - 1];
            let edge = shift(r, b.bps, !sell);
            let further = if sell { edge < p0 } else { edge > p0 };
            if b.qty.raw() > q0 && further {
                pts[n] = (b.qty.raw(), edge);
                n += 1;
            }
        }
        let c = qty.raw();
        for k in 1..n {
            let (q0, p0) = pts[k - 1];
            let (q1, p1) = pts[k];
            if c <= q1 {
                if q1 == q0 {
                    return Some(Price::from_raw(p1));
                }
                // Linear in quantity, rounded against the forced order.
                let rounding = if sell {
                    cascade_types::Rounding::Down
                } else {
                    cascade_types::Rounding::Up
                };
                let step = Money::from_raw(p1 - p0)
                    .mul_div(c - q0, q1 - q0, rounding)
                    .expect("fits");
                return Some(Price::from_raw(p0 + step.raw()));
            }
        }
        let last = pts[n - 1].1;
        Some(Price::from_raw(shift(last, beyond_bps, !sell)))
    }
}

/// Net forced quantity of liquidation outputs on the crowd's instrument: sells (long
/// liquidations, book or backstop) minus buys. ADL closes do not walk the book.
pub(crate) fn forced_flow(
    out: &[Output],
    instrument: cascade_types::InstrumentId,
) -> (Qty, Qty, usize) {
    let (mut sells, mut buys, mut n) = (Qty::ZERO, Qty::ZERO, 0);
    for o in out {
        if let Output::Liquidation {
            instrument: i,
            kind,
            side,
            qty,
            ..
        } = *o
        {
            if i != instrument || kind == cascade_types::LiquidationKind::Adl {
                continue;
            }
            n += 1;
            match side {
                Side::Sell => sells += qty,
                Side::Buy => buys += qty,
            }
        }
    }
    (sells, buys, n)
}

impl Crowd {
    /// Resolves the cascade of one instant (impact mode): `out[round0..]` holds what the
    /// recorded event and the crowd's own trades liquidated. Appends the rounds' outputs to
    /// `out` and their summaries to the record.
    pub(crate) fn cascade(&mut self, ex: &mut Exchange, ts: Ts, out: &mut Vec<Output>) {
        let i = self.cfg.instrument;
        let (mut sells, mut buys, n0) = forced_flow(out, i);
        if n0 == 0 || !self.depth.has_depth() {
            return;
        }
        let Some(reference) = self.depth.reference(ex.mark_price(i)) else {
            return;
        };
        for round in 1..=self.cfg.max_rounds {
            let (taker, net) = if sells >= buys {
                (Side::Sell, sells - buys)
            } else {
                (Side::Buy, buys - sells)
            };
            if net.is_zero() {
                return;
            }
            let Some(p) = self
                .depth
                .price_after(taker, net, reference, self.cfg.beyond_book_bps)
            else {
                return;
            };
            let mark = ex.mark_price(i);
            let moves = match (taker, mark) {
                (_, None) => true,
                (Side::Sell, Some(m)) => p < m,
                (Side::Buy, Some(m)) => p > m,
            };
            if !moves {
                return;
            }
            let from = out.len();
            ex.set_impact_mark(i, p, out);
            self.observe_from(ex, ts, round, out, from);
            let (s, b, n) = forced_flow(&out[from..], i);
            self.record.push_round(Round::summarise(
                round,
                p,
                &out[from..],
                i,
                ex.insurance_fund(self.fund),
            ));
            if n == 0 {
                return;
            }
            if round == self.cfg.max_rounds {
                self.record.truncate_instant();
                return;
            }
            sells += s;
            buys += b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cascade_types::{DepthBand, InstrumentId};

    fn ev(ts: i64, body: EventBody) -> Event {
        Event {
            ts: Ts::from_nanos(ts),
            instrument: InstrumentId(0),
            body,
        }
    }

    #[test]
    fn walks_top_then_bands_then_beyond() {
        let mut d = DepthBook::default();
        let px = |s: &str| s.parse::<Price>().unwrap();
        d.on_event(&ev(
            1,
            EventBody::BookTop(BookTop {
                bid_price: px("99.5"),
                bid_qty: Qty::from_int(10),
                ask_price: px("100.5"),
                ask_qty: Qty::from_int(10),
            }),
        ));
        for (bps, q) in [(-100, 30), (-500, 130)] {
            d.on_event(&ev(
                2,
                EventBody::DepthBand(DepthBand {
                    band_bps: bps,
                    qty: Qty::from_int(q),
                    notional: Money::from_int(q * 98),
                }),
            ));
        }
        let r = d.reference(None).unwrap();
        assert_eq!(r, Price::from_int(100));
        let at = |q: i64| {
            d.price_after(Side::Sell, Qty::from_int(q), r, 100)
                .unwrap()
                .to_string()
        };
        assert_eq!(at(5), "99.5"); // within the top
        assert_eq!(at(20), "99.25"); // halfway from (10, 99.5) to (30, 99): the 1 % edge
        assert_eq!(at(80), "97"); // halfway from (30, 99) to (130, 95)
        assert_eq!(at(130), "95");
        assert_eq!(at(1_000), "94.05"); // beyond: 95 × 0.99
                                        // The asks side has no bands: beyond the top at once.
        let up = d.price_after(Side::Buy, Qty::from_int(11), r, 100).unwrap();
        assert_eq!(up.to_string(), "101.505");
        assert!(DepthBook::default()
            .price_after(Side::Sell, Qty::ONE, r, 100)
            .is_none());
    }
}
