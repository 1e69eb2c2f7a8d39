//! Cheap position opening for the crowd model (and for benchmarks and tests): an account with
//! a position already open at a given price, without walking the book or paying a fee. The
//! counterparty is the market account, so open interest and cash stay balanced.

use crate::exchange::Exchange;
use cascade_types::{
    AccountId, InstrumentId, MarginMode, Money, Output, Price, Qty, RejectReason, Rounding,
};
use serde::{Deserialize, Serialize};

/// A position for the crowd to hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrowdPosition {
    /// Instrument (a perpetual).
    pub instrument: InstrumentId,
    /// Signed quantity (negative = short).
    pub qty: Qty,
    /// Entry price.
    pub entry: Price,
    /// Leverage: the initial margin is `notional / leverage` (rounded up).
    pub leverage: u32,
    /// Cross (the deposit is the cross wallet) or isolated (the margin moves into the
    /// position).
    pub mode: MarginMode,
    /// Money the account starts with; at least the initial margin.
    pub deposit: Money,
}

impl Exchange {
    /// Opens an account holding `c.deposit` and the position `c`, checked like an order
    /// (leverage within the bracket, margin available), then checked for liquidation at the
    /// current mark. Cost: `O(log n)` — two index inserts.
    pub fn open_crowd_position(
        &mut self,
        c: &CrowdPosition,
        out: &mut Vec<Output>,
    ) -> Result<AccountId, RejectReason> {
        let Some(inst) = self.inst.get(c.instrument.index()) else {
            return Err(RejectReason::UnknownInstrument);
        };
        if !inst.is_perp() {
            return Err(RejectReason::NotSupported);
        }
        if c.qty.is_zero() || !c.entry.is_positive() {
            return Err(RejectReason::BadQuantity);
        }
        let notional = c.entry.notional(c.qty.abs(), Rounding::HalfEven);
        if c.leverage == 0 || inst.tiers().max_leverage(notional) < c.leverage {
            return Err(RejectReason::LeverageAboveTierMax);
        }
        let im = notional
            .div_int(c.leverage as i64, Rounding::Up)
            .expect("lev > 0");
        if c.deposit < im {
            return Err(RejectReason::InsufficientMargin);
        }
        let a = self.open_account(c.deposit);
        let mut st = self.accounts[a.index()].setting(c.instrument, self.rules.default_leverage);
        st.leverage = c.leverage;
        st.mode = c.mode;
        self.accounts[a.index()].set_setting(st);
        self.open_position_at(a, c.instrument, c.qty, c.entry, out)?;
        Ok(a)
    }

    /// Trades account `a`'s position on `instrument` by the signed `qty` at `price` — opening,
    /// adding to, reducing or closing it (the crowd closes as recorded open interest falls) —
    /// against
    /// the market account, with no fee and no book walk, using the account's leverage and
    /// margin mode. Checked like an order (bracket leverage, initial margin available, pool
    /// solvency); then the account is checked for liquidation at the current mark. For the
    /// crowd model, tests and benchmarks.
    pub fn open_position_at(
        &mut self,
        a: AccountId,
        instrument: InstrumentId,
        qty: Qty,
        price: Price,
        out: &mut Vec<Output>,
    ) -> Result<(), RejectReason> {
        let Some(inst) = self.inst.get(instrument.index()) else {
            return Err(RejectReason::UnknownInstrument);
        };
        if !inst.is_perp() || a == Self::MARKET {
            return Err(RejectReason::NotSupported);
        }
        if qty.is_zero() || !price.is_positive() {
            return Err(RejectReason::BadQuantity);
        }
        let notional = price.notional(qty.abs(), Rounding::HalfEven);
        self.input_seq += 1;
        self.fill_direct(a, instrument, qty, notional)?;
        self.worklist.push(a);
        self.drain_worklist(out);
        Ok(())
    }
}
