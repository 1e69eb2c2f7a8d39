//! Contract semantics: how an instrument turns a price and a quantity into money.
//!
//! [`Contract`] is chosen once per instrument in `Exchange::new` and stored with it; every
//! place that turns `price × quantity` into money (fills, fees, margin, funding, liquidation,
//! ADL, views) asks it. [`Settlement`] is the asset the whole exchange's perpetuals settle in.
//!
//! | | linear | inverse (contract of `s` quote) |
//! |---|---|---|
//! | quantity | base units | contracts, signed, long positive |
//! | money (wallets, margin, fees, funding, funds) | quote | the base coin |
//! | notional of `q` at `p` | `p·q` | `q·s/p` |
//! | cost basis, long positive | `Σ ±p·\|dq\|` | `Σ ±\|dq\|·s/p`, each fill rounded |
//! | upnl at mark `m` | `m·q − cost` | `cost − q·s/m` |
//! | realised on a close | `proceeds − released basis` | `released basis − proceeds` |
//! | cash invariant | `Σ (wallet − cost)` | `Σ (wallet + cost)` |
//!
//! Both kinds share [`fill_effect`](crate::account::fill_effect) on `(qty, cost, dq,
//! notional)`: for inverse the realised PnL is its negation (a long gains coin when the price
//! rises: it bought `s/EP` coin of exposure per contract and gives back only `s/XP`). Long
//! 1,000 contracts of 1 USD at 10,000 (cost 0.1 XBT), sold at 11,000 (0.09090909 XBT):
//! realised +0.00909091 XBT = `c·s·(1/EP − 1/XP)`. A seller of inverse contracts therefore
//! wants the *smaller* coin notional (a higher price), so every "in someone's favour" rounding
//! flips for inverse; [`Contract::against`] and [`Contract::seller_wants_more`] say which way.
//!
//! The linear arms are the exact code the crate had before inverse contracts existed: a
//! linear run does the same arithmetic, in the same order, as before.

use crate::account::{fill_effect, FillEffect};
use crate::inverse;
use crate::margin::{self, Terms, E16, E8};
use crate::rules::MmBasis;
use cascade_types::{
    InstrumentKind, InstrumentSpec, Money, Price, Qty, Rate, Rounding, Side, TierTable,
};
use serde::{Deserialize, Serialize};

/// `a·b/c` exact in `i128`, rounded as asked; `None` when `c` is zero or it does not fit.
fn mul_div(a: i64, b: i64, c: i64, rounding: Rounding) -> Option<i64> {
    Money::from_raw(a).mul_div(b, c, rounding).map(Money::raw)
}

/// The asset every perpetual of one exchange settles in: all linear, or all inverse on one
/// coin (`Exchange::new` refuses a mix). Futures wallets, isolated margin, fees of perpetual
/// trades, funding, insurance funds, the fee and funding pools and futures deposits are in it.
/// Spot instruments may sit beside either.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Settlement {
    /// Linear perpetuals (or none): money is the quote currency (USDT, USDC, USD), as are spot
    /// wallets.
    Linear,
    /// Inverse perpetuals on `coin` (e.g. `XBT`): money is that coin. Spot wallets stay in
    /// their quote currency and are accounted apart (`Exchange::spot_deposits`,
    /// `Exchange::spot_fee_pool`).
    Inverse {
        /// The settlement coin: the base asset of the inverse perpetuals.
        coin: String,
    },
}

impl Settlement {
    /// True for an inverse (coin-settled) exchange.
    pub fn is_inverse(&self) -> bool {
        matches!(self, Settlement::Inverse { .. })
    }

    /// The settlement coin of an inverse exchange.
    pub fn coin(&self) -> Option<&str> {
        match self {
            Settlement::Linear => None,
            Settlement::Inverse { coin } => Some(coin),
        }
    }
}

/// How one instrument values quantities (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Contract {
    /// Notional `price × qty` in the quote currency (linear perpetuals and spot).
    Linear,
    /// Contracts of `size` (raw 10⁻⁸ quote units) each, valued `qty × size / price` in coin.
    Inverse {
        /// `spec.contract_size`, raw.
        size: i64,
    },
}

impl Contract {
    /// The contract of an instrument spec.
    pub fn of(spec: &InstrumentSpec) -> Contract {
        match spec.kind {
            InstrumentKind::InversePerp => Contract::Inverse {
                size: spec.contract_size.raw(),
            },
            InstrumentKind::LinearPerp | InstrumentKind::Spot => Contract::Linear,
        }
    }

    /// True for a linear contract.
    #[inline]
    pub fn is_linear(self) -> bool {
        self == Contract::Linear
    }

    /// The notional of `qty ≥ 0` at `price`, rounded as asked. Inverse: `qty·size/price` in
    /// coin (a non-positive price counts as 10⁻⁸).
    #[inline]
    pub fn value(self, price: Price, qty: Qty, rounding: Rounding) -> Money {
        match self {
            Contract::Linear => price.notional(qty, rounding),
            Contract::Inverse { size } => Money::from_raw(
                mul_div(qty.raw(), size, price.raw().max(1), rounding).expect("notional overflow"),
            ),
        }
    }

    /// Rounding of a notional against a taker on `taker` side: a linear buyer pays more, an
    /// inverse buyer (who wants a larger coin cost basis) gets less.
    #[inline]
    pub fn against(self, taker: Side) -> Rounding {
        match (self.is_linear(), taker) {
            (true, Side::Buy) | (false, Side::Sell) => Rounding::Up,
            (true, Side::Sell) | (false, Side::Buy) => Rounding::Down,
        }
    }

    /// What a taker fill of `qty` on `taker` side at `notional` cost against the notional at
    /// `reference` (half-even): positive when the fill is worse for the taker. Linear: a
    /// buyer's `notional − reference × qty`, a seller's the reverse. Inverse (coin notional,
    /// the coin value of the contracts): a buyer's `value(reference) − notional`, a seller's
    /// the reverse. Exact: the cost basis differs from the one at `reference` by this.
    pub fn slippage(self, taker: Side, reference: Price, qty: Qty, notional: Money) -> Money {
        let at_ref = self.value(reference, qty, Rounding::HalfEven);
        let buyer_cost = match self {
            Contract::Linear => notional - at_ref,
            Contract::Inverse { .. } => at_ref - notional,
        };
        match taker {
            Side::Buy => buyer_cost,
            Side::Sell => -buyer_cost,
        }
    }

    /// True when a larger notional is better for the seller (linear: it receives the
    /// notional), false when smaller is (inverse: it gives up the coin value).
    #[inline]
    pub fn seller_wants_more(self) -> bool {
        self.is_linear()
    }

    /// A trade's effect on `(qty, cost)` (see [`fill_effect`]), with the realised PnL in
    /// this contract's sign convention.
    #[inline]
    pub fn fill_effect(self, qty: Qty, cost: Money, dq: Qty, notional: Money) -> FillEffect {
        let mut e = fill_effect(qty, cost, dq, notional);
        if !self.is_linear() {
            e.realised = -e.realised;
        }
        e
    }

    /// Average entry price, half-even: `|cost| / |qty|`, or for inverse the harmonic
    /// `|qty|·size / |cost|` (`Price::MAX` when the basis rounded to zero). Zero when flat.
    pub fn entry(self, qty: Qty, cost: Money) -> Price {
        match self {
            Contract::Linear => cost
                .abs()
                .per_qty(qty.abs(), Rounding::HalfEven)
                .unwrap_or(Price::ZERO),
            Contract::Inverse { size } => {
                if qty.is_zero() {
                    return Price::ZERO;
                }
                mul_div(qty.abs().raw(), size, cost.abs().raw(), Rounding::HalfEven)
                    .map_or(Price::MAX, Price::from_raw)
            }
        }
    }

    /// The entry as a raw price rounded toward zero (what a position is valued at when its
    /// instrument has no mark yet, in the margin checks).
    pub fn entry_toward_zero(self, t: Terms) -> i64 {
        match self {
            Contract::Linear => (t.cost as i128 * E8 / t.qty as i128).abs() as i64,
            Contract::Inverse { size } => {
                let c = (t.cost as i128).abs();
                if c == 0 {
                    return i64::MAX;
                }
                ((t.qty as i128).abs() * size as i128 / c).min(i64::MAX as i128) as i64
            }
        }
    }

    /// The average price of a fill of `qty` for `notional`, half-even (`Price::MAX` for an
    /// inverse fill whose coin value rounded to zero).
    pub fn price_of(self, notional: Money, qty: Qty) -> Price {
        match self {
            Contract::Linear => notional.per_qty(qty, Rounding::HalfEven).expect("qty > 0"),
            Contract::Inverse { size } => {
                mul_div(qty.raw(), size, notional.raw(), Rounding::HalfEven)
                    .map_or(Price::MAX, Price::from_raw)
            }
        }
    }

    /// Unrealised PnL at `mark`, exact x-units.
    #[inline]
    pub fn upnl_x(self, mark: i64, t: Terms) -> i128 {
        match self {
            Contract::Linear => margin::upnl_x(mark, t),
            Contract::Inverse { size } => inverse::upnl_x(size, mark, t),
        }
    }

    /// Unrealised PnL and maintenance margin at `mark`, exact x-units.
    #[inline]
    pub fn upnl_mm_x(self, tiers: &TierTable, basis: MmBasis, mark: i64, t: Terms) -> (i128, i128) {
        match self {
            Contract::Linear => (margin::upnl_x(mark, t), margin::mm_x(tiers, basis, mark, t)),
            Contract::Inverse { size } => inverse::upnl_mm_x(size, tiers, basis, mark, t),
        }
    }

    /// `|notional|` at `mark` in 10⁻¹⁶ units (initial margin is its ceiling over leverage).
    #[inline]
    pub fn notional16(self, mark: i64, t: Terms) -> i128 {
        match self {
            Contract::Linear => (mark as i128 * t.qty as i128).abs(),
            Contract::Inverse { size } => inverse::notional16(size, mark, t),
        }
    }

    /// `|notional|` at `mark` in raw money units, rounded toward zero (ADL scores).
    pub fn notional_raw(self, mark: i64, t: Terms) -> i128 {
        match self {
            Contract::Linear => (mark as i128 * t.qty as i128).abs() / E8,
            Contract::Inverse { size } => inverse::notional16(size, mark, t) / E8,
        }
    }

    /// The liquidation key of a position (see [`margin::liq_key`]).
    pub fn liq_key(self, tiers: &TierTable, basis: MmBasis, t: Terms, rest_x: i128) -> i64 {
        match self {
            Contract::Linear => margin::liq_key(tiers, basis, t, rest_x),
            Contract::Inverse { size } => inverse::liq_key(size, tiers, basis, t, rest_x),
        }
    }

    /// The bankruptcy price of a position (see [`margin::bankruptcy_raw`]).
    pub fn bankruptcy_raw(self, t: Terms, rest0_x: i128) -> i64 {
        match self {
            Contract::Linear => margin::bankruptcy_raw(t, rest0_x),
            Contract::Inverse { size } => inverse::bankruptcy_raw(size, t, rest0_x),
        }
    }

    /// A funding payment: `rate × signed notional at price`, positive = paid (longs pay a
    /// positive rate), rounded up — the payer's favour is never taken.
    pub fn funding(self, qty: Qty, price: Price, rate: Rate) -> Money {
        let raw = match self {
            Contract::Linear => {
                let product = qty.raw() as i128 * price.raw() as i128 * rate.raw() as i128;
                margin::ceil_div(product, E16)
            }
            Contract::Inverse { size } => {
                // q·s/p coin (raw) × rate / 10⁸.
                let product = (qty.raw() as i128 * size as i128)
                    .checked_mul(rate.raw() as i128)
                    .expect("funding overflow");
                margin::ceil_div(product, price.raw().max(1) as i128 * E8)
            }
        };
        Money::from_raw(i64::try_from(raw).expect("funding overflow"))
    }

    /// The largest quantity whose notional at `price` stays within `cap` (rounded down).
    pub fn qty_within(self, cap: Money, price: Price) -> Qty {
        match self {
            Contract::Linear => cap.per_price(price, Rounding::Down).expect("price > 0"),
            Contract::Inverse { size } => Qty::from_raw(
                mul_div(cap.raw(), price.raw(), size, Rounding::Down).unwrap_or(i64::MAX),
            ),
        }
    }

    /// What one raw unit of a position loses, in x-units, when closed at `price` instead of at
    /// `mark` (`≤ 0` when `price` is not worse): the ADL victim's capacity.
    pub fn adverse_unit_x(self, mark: i64, price: i64, long: bool) -> i128 {
        match self {
            Contract::Linear => {
                let adverse = if long { mark - price } else { price - mark };
                adverse as i128 * E8
            }
            Contract::Inverse { size } => inverse::adverse_unit_x(size, mark, price, long),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        s.parse().unwrap()
    }

    #[test]
    fn inverse_realised_pnl_has_the_coin_sign() {
        let c = Contract::Inverse {
            size: Qty::ONE.raw(),
        };
        let q = Qty::from_int(1_000);
        // Long 1,000 contracts at 10,000: cost 0.1 XBT.
        let n = c.value(Price::from_int(10_000), q, Rounding::HalfEven);
        assert_eq!(n, m("0.1"));
        let e = c.fill_effect(Qty::ZERO, Money::ZERO, q, n);
        assert_eq!((e.qty, e.cost, e.realised), (q, m("0.1"), Money::ZERO));
        assert_eq!(c.entry(e.qty, e.cost), Price::from_int(10_000));
        // Sold at 11,000: 0.09090909 XBT; realised 1,000 × (1/10,000 − 1/11,000).
        let x = c.value(Price::from_int(11_000), q, Rounding::HalfEven);
        assert_eq!(x, m("0.09090909"));
        let e = c.fill_effect(e.qty, e.cost, -q, x);
        assert_eq!(
            (e.qty, e.cost, e.realised),
            (Qty::ZERO, Money::ZERO, m("0.00909091"))
        );
        // A short gains when the price falls: short at 10,000, bought back at 8,000.
        let e = c.fill_effect(Qty::ZERO, Money::ZERO, -q, m("0.1"));
        assert_eq!(e.cost, m("-0.1"));
        let e = c.fill_effect(
            e.qty,
            e.cost,
            q,
            c.value(Price::from_int(8_000), q, Rounding::HalfEven),
        );
        assert_eq!(e.realised, m("0.025")); // 1,000/8,000 − 1,000/10,000
        assert_eq!(c.price_of(m("0.125"), q), Price::from_int(8_000));
    }

    #[test]
    fn rounding_directions_flip_for_inverse() {
        let inv = Contract::Inverse {
            size: Qty::ONE.raw(),
        };
        assert_eq!(Contract::Linear.against(Side::Buy), Rounding::Up);
        assert_eq!(inv.against(Side::Buy), Rounding::Down);
        assert!(Contract::Linear.seller_wants_more() && !inv.seller_wants_more());
        // Funding on a long of 1,000 USD at 10,000 at 0.01 %: 0.1 XBT × 0.0001, paid.
        let f = inv.funding(
            Qty::from_int(1_000),
            Price::from_int(10_000),
            "0.0001".parse().unwrap(),
        );
        assert_eq!(f, m("0.00001"));
        // A short receives the smaller magnitude of an inexact payment.
        let f = inv.funding(
            Qty::from_int(-1_000),
            Price::from_int(7_000),
            "0.0001".parse().unwrap(),
        );
        assert_eq!(f, m("-0.00001428")); // −0.0000142857…, rounded up
                                         // Largest quantity within a 200 XBT cap at 5,000: 1,000,000 contracts.
        assert_eq!(
            inv.qty_within(Money::from_int(200), Price::from_int(5_000)),
            Qty::from_int(1_000_000)
        );
    }
}
