//! Accounts and positions: wallets, one-way positions with an exact cost basis, per-instrument
//! leverage and margin mode.
//!
//! A position keeps its **cost basis** (`Σ` signed notional of the open quantity) rather than
//! only an average entry price. Every trade moves the *same* rounded notional between the two
//! sides, so `Σ (wallet − cost basis)` over all accounts changes only by fees, funding and
//! explicit deposits — the cash invariant holds to the last 10⁻⁸ with open positions. (For
//! inverse contracts the notional is coin and the realised PnL has the other sign, so it is
//! `Σ (wallet + cost basis)`: see `contract`.)

use crate::margin::Terms;
use cascade_types::{InstrumentId, MarginMode, Money, OrderId, Qty, Rounding, Ts};

/// One open position (never flat: a closed position is removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Position {
    pub instrument: InstrumentId,
    /// Signed: positive long, negative short.
    pub qty: Qty,
    /// Signed cost basis: `qty × entry`, exactly as traded (for an inverse perpetual the coin
    /// value as traded, `Σ ±|dq|·size/price`; see `contract`).
    pub cost: Money,
    pub mode: MarginMode,
    /// Leverage used for initial margin when the position was opened or increased.
    pub leverage: u32,
    /// Isolated margin (isolated mode only; zero for cross).
    pub iso_margin: Money,
    /// The position's key in the liquidation index, while indexed.
    pub key: Option<i64>,
    /// When the last liquidation slice was taken (Hyperliquid's cooldown).
    pub slice_at: Option<Ts>,
}

impl Position {
    pub fn terms(&self) -> Terms {
        Terms {
            qty: self.qty.raw(),
            cost: self.cost.raw(),
        }
    }
}

/// What one trade does to a position: the new quantity and cost basis, and the PnL it
/// realises. `dq` is the signed traded quantity, `notional` the (positive) traded notional.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FillEffect {
    pub qty: Qty,
    pub cost: Money,
    pub realised: Money,
    /// Quantity that reduced the old position.
    pub closed: Qty,
    /// Quantity that opened or increased (in the new direction).
    pub opened: Qty,
    /// Notional of the opened part.
    pub opened_notional: Money,
}

/// Applies a trade to `(qty, cost)`. A trade that crosses zero is split in a close of the old
/// position and an open of the new one, the notional split in proportion (half-even; the
/// open part takes the remainder, so the two parts sum exactly).
pub(crate) fn fill_effect(qty: Qty, cost: Money, dq: Qty, notional: Money) -> FillEffect {
    assert!(
        !dq.is_zero() && !notional.is_negative(),
        "a fill has a quantity and a notional"
    );
    let signed_n = if dq.is_positive() {
        notional
    } else {
        -notional
    };
    let same_way = qty.is_zero() || (qty.is_positive() == dq.is_positive());
    if same_way {
        return FillEffect {
            qty: qty + dq,
            cost: cost + signed_n,
            realised: Money::ZERO,
            closed: Qty::ZERO,
            opened: dq.abs(),
            opened_notional: notional,
        };
    }
    let closed = dq.abs().min_of(qty.abs());
    let opened = dq.abs() - closed;
    let close_n = if opened.is_zero() {
        notional
    } else {
        notional
            .mul_div(closed.raw(), dq.abs().raw(), Rounding::HalfEven)
            .expect("fits")
    };
    let open_n = notional - close_n;
    // The basis released by the close: all of it when flat, else its share (half-even; the
    // remainder stays in the basis, so nothing is created or lost).
    let released = if closed == qty.abs() {
        cost
    } else {
        cost.mul_div(closed.raw(), qty.abs().raw(), Rounding::HalfEven)
            .expect("fits")
    };
    // Closing a long sells (receives close_n); closing a short buys (pays close_n).
    let proceeds = if qty.is_positive() { close_n } else { -close_n };
    let realised = proceeds - released;
    let new_qty = qty + dq;
    let new_cost = if opened.is_zero() {
        cost - released
    } else {
        debug_assert_eq!(cost - released, Money::ZERO);
        if dq.is_positive() {
            open_n
        } else {
            -open_n
        }
    };
    FillEffect {
        qty: new_qty,
        cost: new_cost,
        realised,
        closed,
        opened,
        opened_notional: open_n,
    }
}

/// Per-instrument settings of an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Setting {
    pub instrument: InstrumentId,
    pub leverage: u32,
    pub mode: MarginMode,
}

/// One account. Account 0 is the market: the counterparty of every fill against the recorded
/// book, standing for the rest of the market (see [`crate::Exchange::MARKET`]).
#[derive(Clone, Debug, Default)]
pub(crate) struct Account {
    /// Futures (cross margin) wallet balance.
    pub wallet: Money,
    /// Spot wallet: quote currency.
    pub spot_quote: Money,
    /// Spot holdings of base assets, by spot instrument, sorted.
    pub spot_base: Vec<(InstrumentId, Qty)>,
    /// Open positions, sorted by instrument.
    pub positions: Vec<Position>,
    /// Leverage and margin mode per instrument, sorted; absent = the venue's default.
    pub settings: Vec<Setting>,
    /// Open orders, ascending.
    pub orders: Vec<OrderId>,
    /// Initial margin reserved by open orders.
    pub reserved: Money,
    /// The market account: no margin, no liquidation, unbounded balances.
    pub is_market: bool,
}

impl Account {
    pub fn position(&self, i: InstrumentId) -> Option<&Position> {
        self.positions
            .binary_search_by_key(&i, |p| p.instrument)
            .ok()
            .map(|k| &self.positions[k])
    }

    pub fn position_index(&self, i: InstrumentId) -> Option<usize> {
        self.positions
            .binary_search_by_key(&i, |p| p.instrument)
            .ok()
    }

    pub fn position_qty(&self, i: InstrumentId) -> Qty {
        self.position(i).map_or(Qty::ZERO, |p| p.qty)
    }

    pub fn setting(&self, i: InstrumentId, default_leverage: u32) -> Setting {
        match self.settings.binary_search_by_key(&i, |s| s.instrument) {
            Ok(k) => self.settings[k],
            Err(_) => Setting {
                instrument: i,
                leverage: default_leverage,
                mode: MarginMode::Cross,
            },
        }
    }

    pub fn set_setting(&mut self, s: Setting) {
        match self
            .settings
            .binary_search_by_key(&s.instrument, |x| x.instrument)
        {
            Ok(k) => self.settings[k] = s,
            Err(k) => {
                // Most accounts (a million crowd accounts) trade one instrument: room for one,
                // not the four a first push would reserve.
                self.settings.reserve_exact(1);
                self.settings.insert(k, s)
            }
        }
    }

    pub fn spot(&self, i: InstrumentId) -> Qty {
        match self.spot_base.binary_search_by_key(&i, |x| x.0) {
            Ok(k) => self.spot_base[k].1,
            Err(_) => Qty::ZERO,
        }
    }

    pub fn add_spot(&mut self, i: InstrumentId, dq: Qty) {
        match self.spot_base.binary_search_by_key(&i, |x| x.0) {
            Ok(k) => self.spot_base[k].1 += dq,
            Err(k) => self.spot_base.insert(k, (i, dq)),
        }
    }

    pub fn cross_positions(&self) -> usize {
        self.positions
            .iter()
            .filter(|p| p.mode == MarginMode::Cross)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(v: &str) -> Qty {
        v.parse().unwrap()
    }
    fn m(v: &str) -> Money {
        v.parse().unwrap()
    }

    #[test]
    fn open_reduce_flip() {
        // Buy 2 @ 100.
        let e = fill_effect(Qty::ZERO, Money::ZERO, q("2"), m("200"));
        assert_eq!((e.qty, e.cost, e.realised), (q("2"), m("200"), Money::ZERO));
        // Sell 0.5 @ 110: realise 0.5 × 10.
        let e = fill_effect(e.qty, e.cost, q("-0.5"), m("55"));
        assert_eq!((e.qty, e.cost, e.realised), (q("1.5"), m("150"), m("5")));
        // Sell 3.5 @ 90 (315): close 1.5 for 135 (−15), open a short of 2 for 180.
        let e = fill_effect(e.qty, e.cost, q("-3.5"), m("315"));
        assert_eq!((e.qty, e.cost, e.realised), (q("-2"), m("-180"), m("-15")));
        assert_eq!(
            (e.closed, e.opened, e.opened_notional),
            (q("1.5"), q("2"), m("180"))
        );
        // Buy back 2 @ 80: +20.
        let e = fill_effect(e.qty, e.cost, q("2"), m("160"));
        assert_eq!(
            (e.qty, e.cost, e.realised),
            (Qty::ZERO, Money::ZERO, m("20"))
        );
    }

    #[test]
    fn thirds_leave_no_dust() {
        let mut e = fill_effect(Qty::ZERO, Money::ZERO, q("3"), m("100"));
        let mut realised = Money::ZERO;
        for _ in 0..3 {
            e = fill_effect(e.qty, e.cost, q("-1"), m("33.33333333"));
            realised += e.realised;
        }
        assert_eq!((e.qty, e.cost), (Qty::ZERO, Money::ZERO));
        // Total proceeds 99.99999999 against a basis of exactly 100.
        assert_eq!(realised, m("-0.00000001"));
    }
}
