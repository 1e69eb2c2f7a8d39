//! Recorded liquidations: one aggregate forced order per bar and side, summing **exactly** to
//! the plan's targets (the published totals × `venue_share`, whole USD).
//!
//! 1. *Weights* per bar: longs `s · (open − low)/open + s · max(0, open − close)/open` (the
//!    fall and its wick under stress), shorts the same with the rise and the up-wick; then
//!    `(1 − background_share) · w/Σw + background_share / bars`, as integers (× 10¹²).
//! 2. *Whole dollars* per bar by largest remainder ([`allocate`]): they sum to the target.
//! 3. *Orders*, stamped at the bar's close, side `Sell` for longs liquidated and `Buy` for
//!    shorts. The reference price lies in the lower half of the range between the low and
//!    the body (longs), or the upper half between the body and the high (shorts), on the
//!    tick. On a coin-margined (linear) perp every order but the side's last has a whole
//!    number of lots at the reference price, its notional rounded down, and the few dollars'
//!    difference carried to the next; the side's last order takes what is left exactly: a
//!    quantity at 10⁻⁸ resolution and an average price at 10⁻⁸ resolution with
//!    `price × qty` (rounded down) equal to it. On an inverse perp an order is the bar's
//!    dollars in 1-USD contracts, exact by construction.
//!
//! The notional of an order is [`liquidation_notional`].

use crate::allocate::allocate;
use crate::bars::PerpBar;
use crate::rng::Rng;
use crate::ticks::{f, price_on_tick};
use crate::units::Units;
use cascade_types::{InstrumentSpec, Liquidation, Money, Price, Qty, Side, SCALE};

/// The USD notional of a recorded liquidation on `spec`: `price × qty` rounded down for a
/// linear perp or spot; the contracts' face value for an inverse perp.
pub fn liquidation_notional(spec: &InstrumentSpec, l: &Liquidation) -> Money {
    Units::of(spec).notional(l.qty, l.price)
}

/// The liquidations of a reconstruction, by bar.
pub struct LiquidationSeries {
    /// Each order with the index of its bar.
    pub orders: Vec<(usize, Liquidation)>,
    /// Whole USD of longs liquidated in each bar.
    pub long_usd: Vec<u64>,
    /// Whole USD of shorts liquidated in each bar.
    pub short_usd: Vec<u64>,
}

fn weights(bars: &[PerpBar], background: f64, side: Side) -> Vec<u64> {
    let raw: Vec<f64> = bars
        .iter()
        .map(|b| {
            let (o, c, h, l) = (
                f(b.open.raw()),
                f(b.close.raw()),
                f(b.high.raw()),
                f(b.low.raw()),
            );
            let mv = match side {
                Side::Sell => (o - l) / o + (o - c).max(0.0) / o,
                Side::Buy => (h - o) / o + (c - o).max(0.0) / o,
            };
            b.stress * mv
        })
        .collect();
    let sum: f64 = raw.iter().sum();
    let n = bars.len() as f64;
    raw.iter()
        .map(|&w| {
            let share = if sum > 0.0 {
                (1.0 - background) * w / sum + background / n
            } else {
                1.0 / n
            };
            (share * 1e12).round() as u64
        })
        .collect()
}

/// How many quantities [`exact_order`] tries, from its first candidate up (a count, not time).
const EXACT_ORDER_TRIES: i128 = 1_000_000_000;

/// The order for the last `n_raw` of a side: the smallest quantity from `n_raw / p_ref` up
/// whose rounded-up average price makes `price × qty` round down to exactly `n_raw`.
fn exact_order(n_raw: i64, p_ref: Price) -> (Price, Qty) {
    let n = i128::from(n_raw) * i128::from(SCALE);
    let q0 = (n / i128::from(p_ref.raw())).max(1);
    // For q ≤ 10⁸ the first candidate always fits; above, about one q in q/10⁸ does.
    for q in q0..q0 + EXACT_ORDER_TRIES {
        let p = (n + q - 1) / q;
        if p * q < n + i128::from(SCALE) {
            return (Price::from_raw(p as i64), Qty::from_raw(q as i64));
        }
    }
    panic!("no exact liquidation order for {n_raw} at {p_ref}");
}

/// Builds the liquidation orders of the perp (see the module docs).
pub fn liquidations(
    bars: &[PerpBar],
    spec: &InstrumentSpec,
    long_target: Money,
    short_target: Money,
    background_share: f64,
    seed: u64,
) -> LiquidationSeries {
    let units = Units::of(spec);
    let mut rng = Rng::stream(seed, "liquidations");
    let mut orders = Vec::new();
    let mut per_side = Vec::with_capacity(2);
    for (side, target) in [(Side::Sell, long_target), (Side::Buy, short_target)] {
        let usd = u64::try_from(target.raw() / SCALE).expect("targets are positive");
        let parts = if usd == 0 {
            vec![0; bars.len()]
        } else {
            allocate(usd, &weights(bars, background_share, side))
        };
        let last = parts.iter().rposition(|&x| x > 0);
        let mut carry: i64 = 0;
        for (k, (&dollars, b)) in parts.iter().zip(bars).enumerate() {
            if dollars == 0 {
                continue;
            }
            let u = rng.uniform() * 0.5;
            let p_ref = match side {
                Side::Sell => {
                    let body = f(b.open.raw().min(b.close.raw()));
                    f(b.low.raw()) + u * (body - f(b.low.raw()))
                }
                Side::Buy => {
                    let body = f(b.open.raw().max(b.close.raw()));
                    f(b.high.raw()) - u * (f(b.high.raw()) - body)
                }
            };
            let p_ref = price_on_tick(p_ref, spec.tick).max_of(b.low).min_of(b.high);
            let n_raw = dollars as i64 * SCALE + carry;
            let (price, qty) = if units.inverse() {
                (
                    p_ref,
                    Qty::from_raw(n_raw / spec.contract_size.raw() * SCALE),
                )
            } else if Some(k) == last {
                exact_order(n_raw, p_ref)
            } else {
                let lot = spec.lot.raw();
                let lots =
                    (i128::from(n_raw) * i128::from(SCALE) / i128::from(p_ref.raw())) as i64 / lot;
                (p_ref, Qty::from_raw(lots * lot))
            };
            carry = n_raw - units.notional(qty, price).raw();
            if qty.is_positive() {
                orders.push((k, Liquidation { side, price, qty }));
            }
        }
        assert_eq!(carry, 0, "liquidations of one side must sum to the target");
        per_side.push(parts);
    }
    let short_usd = per_side.pop().expect("two sides");
    let long_usd = per_side.pop().expect("two sides");
    orders.sort_by_key(|(k, _)| *k);
    LiquidationSeries {
        orders,
        long_usd,
        short_usd,
    }
}
