//! Order-sizing helpers shared by strategy crates: the price a taker would get now, the
//! notional a margin can carry, quantities rounded down to the lot, and instrument selection.
//! All fixed-point; every division rounds down (never more than the budget).

use crate::market::{InstrumentState, MarketView};
use cascade_types::{InstrumentId, InstrumentKind, Money, Price, Qty, Rate, Rounding};

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
    let l = i64::from(leverage);
    let one = Rate::ONE.raw();
    margin
        .mul_div(l * one, one + buffer.raw() * l, Rounding::Down)
        .unwrap_or(Money::ZERO)
        .max_of(Money::ZERO)
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
pub fn qty_for(budget: Money, price: Price, lot: Qty) -> Qty {
    round_down_to_lot(
        budget.per_price(price, Rounding::Down).unwrap_or(Qty::ZERO),
        lot,
    )
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
        // 1,000 of margin at 10x with a 2 % buffer: 10,000 / 1.2 = 8,333.33333333.
        let n = notional_for(Money::from_int(1_000), 10, "0.02".parse().unwrap());
        assert_eq!(n.to_string(), "8333.33333333");
    }
}
