//! Orders and fills: placing, resting, triggering, matching against the tape, cancelling, and
//! the margin checks in front of every voluntary fill.
//!
//! - **Market** orders (and the crossing part of limits) fill at once against the recorded
//!   book by the slippage rule of [`crate::book`], paying the taker fee.
//! - **Limit** orders rest and fill, at their own price and as makers, when a recorded trade
//!   prints through them (see [`QueueRule`]); a trade's quantity is shared among the orders it
//!   fills, best price first, then oldest.
//! - **Stops** trigger when a recorded trade prints at or beyond the trigger (buy stops at or
//!   above, sell stops at or below), then act as a market or limit order.
//! - **Margin** (perpetuals): an order that opens or increases a position needs the initial
//!   margin `notional / leverage` (rounded up) of the opened part plus its fee available in the
//!   cross wallet (equity − initial margin of the cross positions − margin reserved by open
//!   orders); the resulting notional's bracket must allow the account's leverage. A resting
//!   order reserves its margin. A fill that would leave a pool's equity below zero is refused.
//! - **Fees** come out of the position's pool: the cross wallet, or the isolated margin (the
//!   wallet pays the fee together with the margin it moves into a new isolated position).
//! - **Spot** orders trade the spot wallet against spot holdings, no leverage; resting spot
//!   orders reserve nothing and are re-checked when they fill.
//!
//! This file holds the margin checks and the execution of fills; placing orders is in
//! `trading/placing.rs`, resting and cancelling in `trading/resting.rs`, matching the tape in
//! `trading/matching.rs`, leverage, margin mode and transfers in `trading/settings.rs`.

use crate::book::{walk, Walk};
use crate::exchange::{Exchange, Pool};
use crate::margin::{self, Terms};
use crate::orders::Order;
use crate::rules::QueueRule;
use cascade_types::{
    AccountId, InstrumentId, MarginMode, Money, OrderId, OrderKind, OrderRequest, Output, Price,
    Qty, RejectReason, Rounding, Side, TimeInForce, Wallet,
};

mod matching;
mod placing;
mod resting;
mod settings;

/// Exact pool figures in x-units.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PoolFigures {
    pub equity: i128,
    pub maint: i128,
    pub initial: i128,
}

/// Which side of the liquidity a fill was on, and for a taker what it was priced from.
#[derive(Clone, Copy)]
enum Liquidity {
    /// A resting order filled at its own price: no slippage.
    Maker,
    /// A taker fill priced from `reference` (see [`crate::book::reference`]), costing
    /// `slippage` against it ([`crate::contract::Contract::slippage`]).
    Taker { reference: Price, slippage: Money },
}

impl Liquidity {
    /// `(maker, reference, slippage)` of a fill reported at `price`.
    fn parts(self, price: Price) -> (bool, Price, Money) {
        match self {
            Liquidity::Maker => (true, price, Money::ZERO),
            Liquidity::Taker {
                reference,
                slippage,
            } => (false, reference, slippage),
        }
    }
}

fn signed(side: Side, q: Qty) -> Qty {
    match side {
        Side::Buy => q,
        Side::Sell => -q,
    }
}

fn reject(out: &mut Vec<Output>, account: AccountId, client_id: u64, reason: RejectReason) {
    out.push(Output::Rejected {
        account,
        client_id,
        reason,
    });
}

impl Exchange {
    /// Exact figures of a pool, with position `i` replaced by `over` (`(terms, leverage)`,
    /// zero quantity = closed) and `wallet_delta` added to the pool's money.
    pub(crate) fn pool_with(
        &self,
        a: AccountId,
        pool: Pool,
        over: Option<(InstrumentId, Terms, u32)>,
        wallet_delta: Money,
    ) -> PoolFigures {
        let acc = &self.accounts[a.index()];
        let mut f = PoolFigures {
            equity: margin::money_x(self.pool_wallet(a, pool) + wallet_delta),
            ..Default::default()
        };
        let add = |i: InstrumentId, t: Terms, lev: u32, f: &mut PoolFigures| {
            if t.qty == 0 {
                return;
            }
            let inst = &self.inst[i.index()];
            let c = inst.contract;
            let mark = inst.market.mark.map_or_else(
                || c.entry_toward_zero(t), // entry, toward zero
                Price::raw,
            );
            let (u, m) = c.upnl_mm_x(inst.tiers(), self.rules.mm_basis, mark, t);
            f.equity += u;
            f.maint += m;
            let n16 = c.notional16(mark, t);
            f.initial += margin::ceil_div(n16 * margin::E8, lev.max(1) as i128);
        };
        for p in acc.positions.iter().filter(|p| Self::in_pool(p, pool)) {
            match over {
                Some((i, _, _)) if i == p.instrument => {}
                _ => add(p.instrument, p.terms(), p.leverage, &mut f),
            }
        }
        if let Some((i, t, lev)) = over {
            add(i, t, lev, &mut f);
        }
        f
    }

    /// Money available for new positions and orders: cross equity − cross initial margin −
    /// margin reserved by orders (rounded down).
    pub fn available(&self, a: AccountId) -> Money {
        let f = self.pool_with(a, Pool::Cross, None, Money::ZERO);
        let reserved = self.accounts[a.index()].reserved;
        margin::x_to_money(
            f.equity - f.initial - margin::money_x(reserved),
            Rounding::Down,
        )
    }

    /// Would a voluntary perpetual fill be allowed? (`release` = margin this order had
    /// reserved, freed by the fill.)
    fn check_perp_fill(
        &self,
        a: AccountId,
        i: InstrumentId,
        dq: Qty,
        notional: Money,
        fee: Money,
        release: Money,
    ) -> Result<(), RejectReason> {
        let acc = &self.accounts[a.index()];
        let contract = self.inst[i.index()].contract;
        let st = acc.setting(i, self.rules.default_leverage);
        let old = acc.position(i);
        let (q0, c0) = old.map_or((Qty::ZERO, Money::ZERO), |p| (p.qty, p.cost));
        let e = contract.fill_effect(q0, c0, dq, notional);
        let mode = old.map_or(st.mode, |p| p.mode);
        let lev = if e.opened.is_positive() {
            st.leverage
        } else {
            old.map_or(st.leverage, |p| p.leverage)
        };
        let terms = Terms {
            qty: e.qty.raw(),
            cost: e.cost.raw(),
        };
        let reserved_x = margin::money_x(acc.reserved - release);
        if e.opened.is_positive() {
            let n_after = self.inst[i.index()]
                .market
                .mark
                .map_or(Money::ZERO, |m| {
                    contract.value(m, e.qty.abs(), Rounding::Up)
                })
                .max_of(e.cost.abs());
            if self.inst[i.index()].tiers().max_leverage(n_after) < lev {
                return Err(RejectReason::LeverageAboveTierMax);
            }
        }
        match mode {
            MarginMode::Cross => {
                let f = self.pool_with(a, Pool::Cross, Some((i, terms, lev)), e.realised - fee);
                if f.equity < 0 {
                    return Err(RejectReason::InsufficientMargin);
                }
                if e.opened.is_positive() && f.equity - f.initial - reserved_x < 0 {
                    return Err(RejectReason::InsufficientMargin);
                }
            }
            MarginMode::Isolated => {
                let iso = old.map_or(Money::ZERO, |p| p.iso_margin);
                if e.closed.is_positive() {
                    // The closed part must not take the isolated pool below zero.
                    let fee_here = if e.opened.is_positive() {
                        Money::ZERO
                    } else {
                        fee
                    };
                    let after = margin::money_x(iso + e.realised - fee_here)
                        + if e.opened.is_positive() {
                            0
                        } else {
                            contract.upnl_x(self.mark_or_entry(i, terms), terms)
                        };
                    if after < 0 {
                        return Err(RejectReason::InsufficientMargin);
                    }
                }
                if e.opened.is_positive() {
                    let im = e
                        .opened_notional
                        .div_int(lev as i64, Rounding::Up)
                        .expect("lev > 0");
                    let f = self.pool_with(a, Pool::Cross, None, -(im + fee));
                    if acc.wallet < im + fee || f.equity - f.initial - reserved_x < 0 {
                        return Err(RejectReason::InsufficientMargin);
                    }
                }
            }
        }
        Ok(())
    }

    fn mark_or_entry(&self, i: InstrumentId, t: Terms) -> i64 {
        let inst = &self.inst[i.index()];
        inst.market.mark.map_or_else(
            || inst.contract.entry_toward_zero(t), // entry, toward zero
            Price::raw,
        )
    }

    /// Executes a checked voluntary perpetual fill against the market account. `price` is
    /// the price reported for an inverse fill (the prices filled at; its notional is coin);
    /// a linear fill reports `notional / qty`.
    #[allow(clippy::too_many_arguments)]
    fn exec_perp(
        &mut self,
        a: AccountId,
        i: InstrumentId,
        order_id: OrderId,
        side: Side,
        qty: Qty,
        notional: Money,
        price: Price,
        fee: Money,
        how: Liquidity,
        out: &mut Vec<Output>,
    ) {
        self.apply_perp(a, i, side, qty, notional, fee);
        let price = if self.inst[i.index()].contract.is_linear() {
            notional.per_qty(qty, Rounding::HalfEven).expect("qty > 0")
        } else {
            price
        };
        let (maker, reference, slippage) = how.parts(price);
        out.push(Output::Fill {
            account: a,
            instrument: i,
            order_id,
            side,
            qty,
            price,
            fee,
            maker,
            reference,
            slippage,
        });
    }

    /// The bookkeeping of a voluntary perpetual fill: both positions, the isolated margin
    /// moved in for an opened part, the fee.
    fn apply_perp(
        &mut self,
        a: AccountId,
        i: InstrumentId,
        side: Side,
        qty: Qty,
        notional: Money,
        fee: Money,
    ) {
        let dq = signed(side, qty);
        let acc = &self.accounts[a.index()];
        let st = acc.setting(i, self.rules.default_leverage);
        let old = acc.position(i);
        let (q0, c0) = old.map_or((Qty::ZERO, Money::ZERO), |p| (p.qty, p.cost));
        let e = self.inst[i.index()]
            .contract
            .fill_effect(q0, c0, dq, notional);
        let mode = old.map_or(st.mode, |p| p.mode);
        // Re-keyed once at the end, after the margin and the fee have moved too.
        self.trade_position_unindexed(a, i, dq, notional, true);
        self.trade_position(Self::MARKET, i, -dq, notional, false);
        if mode == MarginMode::Isolated && e.opened.is_positive() {
            let im = e
                .opened_notional
                .div_int(st.leverage as i64, Rounding::Up)
                .expect("lev > 0");
            let acc = &mut self.accounts[a.index()];
            acc.wallet -= im + fee;
            let k = acc.position_index(i).expect("just opened");
            acc.positions[k].iso_margin += im;
        } else {
            let pool = if mode == MarginMode::Isolated && !e.qty.is_zero() {
                Pool::Isolated(i)
            } else {
                Pool::Cross
            };
            self.pool_pay(a, pool, fee);
        }
        self.fee_pool += fee;
        self.refresh_registrations(a, i);
        self.worklist.push(a);
    }

    /// Spot fill against the market account; `Err` when balances do not cover it.
    #[allow(clippy::too_many_arguments)]
    fn exec_spot(
        &mut self,
        a: AccountId,
        i: InstrumentId,
        order_id: OrderId,
        side: Side,
        qty: Qty,
        notional: Money,
        fee: Money,
        how: Liquidity,
        out: &mut Vec<Output>,
    ) -> Result<(), RejectReason> {
        let acc = &self.accounts[a.index()];
        let ok = match side {
            Side::Buy => acc.spot_quote >= notional + fee,
            Side::Sell => acc.spot(i) >= qty && acc.spot_quote + notional >= fee,
        };
        if !ok {
            return Err(RejectReason::InsufficientMargin);
        }
        let (cash, base) = match side {
            Side::Buy => (-notional, qty),
            Side::Sell => (notional, -qty),
        };
        let acc = &mut self.accounts[a.index()];
        acc.spot_quote += cash - fee;
        acc.add_spot(i, base);
        let m = &mut self.accounts[Self::MARKET.index()];
        m.spot_quote -= cash;
        m.add_spot(i, -base);
        // Spot fees are in the spot quote: the settlement asset's fee pool on a linear
        // exchange, a pool of their own on an inverse one.
        if self.settlement.is_inverse() {
            self.spot_fee_pool += fee;
        } else {
            self.fee_pool += fee;
        }
        let price = notional.per_qty(qty, Rounding::HalfEven).expect("qty > 0");
        let (maker, reference, slippage) = how.parts(price);
        out.push(Output::Fill {
            account: a,
            instrument: i,
            order_id,
            side,
            qty,
            price,
            fee,
            maker,
            reference,
            slippage,
        });
        Ok(())
    }

    /// A checked fill against the market account at a given notional and fee (the crowd
    /// path): margin and leverage checks as for an order, then the trade.
    pub(crate) fn fill_direct(
        &mut self,
        a: AccountId,
        i: InstrumentId,
        dq: Qty,
        notional: Money,
        fee: Money,
    ) -> Result<(), RejectReason> {
        self.check_perp_fill(a, i, dq, notional, fee, Money::ZERO)?;
        let side = if dq.is_positive() {
            Side::Buy
        } else {
            Side::Sell
        };
        self.apply_perp(a, i, side, dq.abs(), notional, fee);
        Ok(())
    }

    pub(crate) fn fee(&self, notional: Money, maker: bool) -> Money {
        let r = if maker {
            self.rules.fees.maker
        } else {
            self.rules.fees.taker
        };
        notional.mul_rate(r, Rounding::Up)
    }
}
