//! Order-sizing helpers shared by strategy crates: the price a taker would get now, the
//! notional a margin can carry, quantities rounded down to the lot, and instrument selection.
//! All fixed-point; every division rounds down (never more than the budget).
//!
//! Money is counted in the currency the futures wallet holds: the quote (USDT) on a linear
//! venue, the coin (XBT) on an inverse one, where an account's figures are all in the coin.
//! [`qty_for_instrument`] turns such a budget into the instrument's own unit — base units, or
//! contracts of an inverse perpetual — so that a strategy sized through it runs on both.

use crate::market::{InstrumentState, MarketView};
use cascade_types::{
    InstrumentId, InstrumentKind, InstrumentSpec, Money, Price, Qty, Rate, Rounding,
};

/// The price a buyer would pay now: the best ask, else the last trade, else the mark.
pub fn buy_price(state: &InstrumentState) -> Option<Price> {
    state
        .quote()
        .map(|q| q.ask)
        .or_else(|| state.last_price())
        .or_else(|| state.mark.map(|m| m.value))
        .filter(|p| p.is_positive())
}

/// The price a seller would get now: the best bid, else the last trade, else the mark.
pub fn sell_price(state: &InstrumentState) -> Option<Price> {
    state
        .quote()
        .map(|q| q.bid)
        .or_else(|| state.last_price())
        .or_else(|| state.mark.map(|m| m.value))
        .filter(|p| p.is_positive())
}

/// The notional `margin` can carry at `leverage` with `buffer` of the notional held back:
/// `N = margin·L / (1 + buffer·L)`, so that `N/L + buffer·N = margin`. The buffer pays the
/// taker fee, the slippage of the market order and the gap between the fill and the mark
/// (which the exchange counts against the margin at once, times the leverage) — costs a
/// strategy cannot see in advance. Spot is `L = 1`.
pub fn notional_for(margin: Money, leverage: u32, buffer: Rate) -> Money {
    // In i128: margin·L·10⁸ < 2⁶³·2³²·2²⁷ fits, so a large margin or leverage saturates at
    // the largest notional instead of overflowing into "nothing to buy".
    let l = i128::from(leverage);
    let one = i128::from(Rate::ONE.raw());
    let den = one + i128::from(buffer.raw()) * l;
    if !margin.is_positive() || den <= 0 {
        return Money::ZERO;
    }
    let n = i128::from(margin.raw()) * l * one / den;
    Money::from_raw(i64::try_from(n).unwrap_or(i64::MAX))
}

/// `qty` rounded down to a whole number of lots (negative quantities give zero).
///
/// # Panics
/// When `lot` is not positive (an instrument's lot always is).
pub fn round_down_to_lot(qty: Qty, lot: Qty) -> Qty {
    assert!(lot.is_positive(), "an instrument's lot is positive");
    Qty::from_raw(qty.raw().max(0) / lot.raw() * lot.raw())
}

/// The largest multiple of `lot` whose notional at `price` does not exceed `budget`.
///
/// A budget whose quantity does not fit the fixed-point range saturates at the largest
/// quantity (the exchange then refuses the order for what it is), never at zero.
pub fn qty_for(budget: Money, price: Price, lot: Qty) -> Qty {
    if !budget.is_positive() || !price.is_positive() {
        return Qty::ZERO;
    }
    let q = budget
        .per_price(price, Rounding::Down)
        .unwrap_or(Qty::from_raw(i64::MAX));
    round_down_to_lot(q, lot)
}

/// The largest multiple of the instrument's lot whose notional at `price`, counted in the
/// currency its margin is in, does not exceed `budget`: `budget / price` base units for spot
/// and linear perpetuals; for an inverse perpetual, margined in its coin, `budget × price /
/// contract_size` contracts (a contract is worth `contract_size / price` coin).
pub fn qty_for_instrument(spec: &InstrumentSpec, budget: Money, price: Price) -> Qty {
    if spec.kind != InstrumentKind::InversePerp {
        return qty_for(budget, price, spec.lot);
    }
    if !budget.is_positive() || !price.is_positive() || !spec.contract_size.is_positive() {
        return Qty::ZERO;
    }
    let raw = budget.raw() as i128 * price.raw() as i128 / spec.contract_size.raw() as i128;
    round_down_to_lot(Qty::from_raw(raw.min(i64::MAX as i128) as i64), spec.lot)
}

/// True when the run's futures wallet holds `coin`: an inverse perpetual margined in it is
/// among the instruments (its figures, and a transfer between the wallets, are in the coin).
pub fn coin_margined(market: &MarketView, coin: &str) -> bool {
    market
        .instruments()
        .iter()
        .any(|s| s.spec.kind == InstrumentKind::InversePerp && s.spec.base == coin)
}

/// The first perpetual, linear or inverse (with this symbol, or this base asset, when given).
pub fn select_perp(
    market: &MarketView,
    symbol: Option<&str>,
    base: Option<&str>,
) -> Option<InstrumentId> {
    select_instrument(market, InstrumentKind::LinearPerp, symbol, base)
        .or_else(|| select_instrument(market, InstrumentKind::InversePerp, symbol, base))
}

/// The first instrument of `kind` (with this symbol, or this base asset, when given).
pub fn select_instrument(
    market: &MarketView,
    kind: InstrumentKind,
    symbol: Option<&str>,
    base: Option<&str>,
) -> Option<InstrumentId> {
    market
        .instruments()
        .iter()
        .find(|s| {
            s.spec.kind == kind
                && symbol.is_none_or(|x| s.spec.symbol == x)
                && base.is_none_or(|b| s.spec.base == b)
        })
        .map(|s| s.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_round_down_and_never_exceed_the_budget() {
        let lot: Qty = "0.001".parse().unwrap();
        let q = qty_for(Money::from_int(1_000), Price::from_int(60_000), lot);
        assert_eq!(q.to_string(), "0.016"); // 0.01666… → 0.016
        assert!(Price::from_int(60_000).notional(q, Rounding::Up) <= Money::from_int(1_000));
        assert_eq!(round_down_to_lot("-1".parse().unwrap(), lot), Qty::ZERO);
        // Overflow saturates at the largest notional and quantity, never at "below one lot".
        let huge = notional_for(Money::MAX, 100, "0.02".parse().unwrap());
        assert_eq!(huge, Money::MAX);
        assert!(qty_for(huge, "0.0001".parse().unwrap(), lot).is_positive());
        assert_eq!(
            notional_for(Money::from_int(-5), 10, Rate::ZERO),
            Money::ZERO
        );
        // 1,000 of margin at 10x with a 2 % buffer: 10,000 / 1.2 = 8,333.33333333.
        let n = notional_for(Money::from_int(1_000), 10, "0.02".parse().unwrap());
        assert_eq!(n.to_string(), "8333.33333333");
    }

    #[test]
    fn an_inverse_budget_in_coin_buys_contracts() {
        let mut xbt = InstrumentSpec::new(
            "bitmex",
            "XBTUSD",
            InstrumentKind::InversePerp,
            "BTC",
            "USD",
        );
        xbt.lot = Qty::ONE;
        // 0.5 XBT at 7,353 is 3,676.5 USD: 3,676 one-dollar contracts.
        let q = qty_for_instrument(&xbt, "0.5".parse().unwrap(), Price::from_int(7_353));
        assert_eq!(q, Qty::from_int(3_676));
        xbt.contract_size = Qty::from_int(100);
        let q = qty_for_instrument(&xbt, "0.5".parse().unwrap(), Price::from_int(7_353));
        assert_eq!(q, Qty::from_int(36));
        assert_eq!(
            qty_for_instrument(&xbt, Money::ZERO, Price::from_int(7_353)),
            Qty::ZERO
        );
        // Linear: the budget divided by the price, to the lot.
        let mut btc = InstrumentSpec::new(
            "binance-um",
            "BTCUSDT",
            InstrumentKind::LinearPerp,
            "BTC",
            "USDT",
        );
        btc.lot = "0.001".parse().unwrap();
        let q = qty_for_instrument(&btc, Money::from_int(1_000), Price::from_int(60_000));
        assert_eq!(q.to_string(), "0.016");
    }
}
