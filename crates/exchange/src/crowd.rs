//! Hooks for the crowd model (`cascade-crowd`), also used by benchmarks and tests:
//!
//! - cheap position opening: an account with a position already open at a given price,
//!   without walking the book, with or without the venue's taker fee
//!   ([`Exchange::open_crowd_position`], [`Exchange::open_crowd_position_with_fee`]);
//! - trades of an existing account at a given price, opening, adding, reducing or closing
//!   ([`Exchange::open_position_at`], [`Exchange::crowd_trade`]);
//! - the impact price: a mark moved by modelled forced orders rather than by a recorded
//!   input ([`Exchange::set_impact_mark`]).
//!
//! The counterparty is always the market account, so open interest and cash stay balanced.
//! On an inverse perpetual quantities are contracts and money (deposits, margin, fees) is
//! the settlement coin; a position's notional is its coin value at the given price.

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
    /// Signed quantity (negative = short; contracts for an inverse perpetual).
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
    /// current mark. No fee is charged. Cost: `O(log n)` — two index inserts.
    pub fn open_crowd_position(
        &mut self,
        c: &CrowdPosition,
        out: &mut Vec<Output>,
    ) -> Result<AccountId, RejectReason> {
        self.open_crowd(c, false, out)
    }

    /// As [`Exchange::open_crowd_position`], but the position pays the venue's taker fee on
    /// its entry notional (rounded up, to the fee pool), as if it had been opened by a market
    /// order; the deposit must cover the initial margin and the fee.
    pub fn open_crowd_position_with_fee(
        &mut self,
        c: &CrowdPosition,
        out: &mut Vec<Output>,
    ) -> Result<AccountId, RejectReason> {
        self.open_crowd(c, true, out)
    }

    fn open_crowd(
        &mut self,
        c: &CrowdPosition,
        pay_fee: bool,
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
        let notional = inst
            .contract
            .value(c.entry, c.qty.abs(), Rounding::HalfEven);
        if c.leverage == 0 || inst.tiers().max_leverage(notional) < c.leverage {
            return Err(RejectReason::LeverageAboveTierMax);
        }
        let im = notional
            .div_int(c.leverage as i64, Rounding::Up)
            .expect("lev > 0");
        let fee = if pay_fee {
            self.fee(notional, false)
        } else {
            Money::ZERO
        };
        if c.deposit < im + fee {
            return Err(RejectReason::InsufficientMargin);
        }
        let a = self.open_account(c.deposit);
        let mut st = self.accounts[a.index()].setting(c.instrument, self.rules.default_leverage);
        st.leverage = c.leverage;
        st.mode = c.mode;
        self.accounts[a.index()].set_setting(st);
        self.crowd_trade(a, c.instrument, c.qty, c.entry, pay_fee, out)?;
        Ok(a)
    }

    /// Trades account `a`'s position on `instrument` by the signed `qty` at `price` — opening,
    /// adding to, reducing or closing it (the crowd closes as recorded open interest falls) —
    /// against the market account, with no fee and no book walk, using the account's leverage
    /// and margin mode. Checked like an order (bracket leverage, initial margin available, pool
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
        self.crowd_trade(a, instrument, qty, price, false, out)
            .map(|_| ())
    }

    /// As [`Exchange::open_position_at`]; with `taker_fee` the trade also pays the venue's
    /// taker fee on its notional (rounded up, to the fee pool), as a market order would.
    /// Returns the fee paid. No `Fill` output is written: the crowd model records its own
    /// trades, and a million of them would swamp the output stream.
    pub fn crowd_trade(
        &mut self,
        a: AccountId,
        instrument: InstrumentId,
        qty: Qty,
        price: Price,
        taker_fee: bool,
        out: &mut Vec<Output>,
    ) -> Result<Money, RejectReason> {
        let Some(inst) = self.inst.get(instrument.index()) else {
            return Err(RejectReason::UnknownInstrument);
        };
        if !inst.is_perp() || a == Self::MARKET || a.index() >= self.accounts.len() {
            return Err(RejectReason::NotSupported);
        }
        if qty.is_zero() || !price.is_positive() {
            return Err(RejectReason::BadQuantity);
        }
        let notional = inst.contract.value(price, qty.abs(), Rounding::HalfEven);
        let fee = if taker_fee {
            self.fee(notional, false)
        } else {
            Money::ZERO
        };
        self.input_seq += 1;
        // The fill queues the account for its liquidation check.
        self.fill_direct(a, instrument, qty, notional, fee)?;
        self.drain_worklist(out);
        Ok(fee)
    }

    /// Moves the mark of perpetual `instrument` to `price` because modelled forced orders
    /// walked the book there (the crowd model's impact mode), and liquidates what the move
    /// makes liquidatable, exactly as a recorded mark would. The impact price holds until the
    /// next recorded price input of the instrument moves the mark again.
    ///
    /// A cascade's rounds belong to the input that set it off: the input counter is not
    /// advanced, so the ADL queue ranked for that input is reused (like every ADL of one
    /// input), and the "previous mark" of Hyperliquid's ADL price is the mark before this
    /// round. Returns false (and does nothing) for an unknown or spot instrument or a
    /// non-positive price.
    pub fn set_impact_mark(
        &mut self,
        instrument: InstrumentId,
        price: Price,
        out: &mut Vec<Output>,
    ) -> bool {
        let Some(inst) = self.inst.get(instrument.index()) else {
            return false;
        };
        if !inst.is_perp() || !price.is_positive() {
            return false;
        }
        self.set_mark(instrument.index(), price);
        self.drain_worklist(out);
        true
    }
}
