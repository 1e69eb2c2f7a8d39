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

use crate::book::{walk, Walk};
use crate::exchange::{Exchange, Pool};
use crate::margin::{self, Terms};
use crate::orders::Order;
use crate::rules::QueueRule;
use cascade_types::{
    AccountId, InstrumentId, MarginMode, Money, OrderId, OrderKind, OrderRequest, Output, Price,
    Qty, RejectReason, Rounding, Side, TimeInForce, Wallet,
};

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

    /// Clips a reduce-only quantity to what actually reduces the position now.
    fn reduce_only_qty(&self, a: AccountId, i: InstrumentId, side: Side, qty: Qty) -> Qty {
        let pos = self.accounts[a.index()].position_qty(i);
        if pos.is_zero() || (pos.is_positive() == (side == Side::Buy)) {
            Qty::ZERO
        } else {
            qty.min_of(pos.abs())
        }
    }

    /// Takes liquidity now for up to `qty` (up to `limit` when given). Returns the quantity
    /// filled, or the reason nothing could be.
    #[allow(clippy::too_many_arguments)]
    fn take(
        &mut self,
        a: AccountId,
        i: InstrumentId,
        order_id: OrderId,
        side: Side,
        qty: Qty,
        limit: Option<Price>,
        reduce_only: bool,
        release: Money,
        out: &mut Vec<Output>,
    ) -> Result<Qty, RejectReason> {
        let qty = if reduce_only {
            self.reduce_only_qty(a, i, side, qty)
        } else {
            qty
        };
        if qty.is_zero() {
            return Err(RejectReason::ReduceOnlyWouldIncrease);
        }
        let w: Walk = walk(
            &self.inst[i.index()].market,
            self.inst[i.index()].contract,
            side,
            qty,
            limit,
            self.rules.fills.beyond_book_penalty_bps,
            self.rules.fills.no_book,
        );
        if w.qty.is_zero() {
            return if limit.is_some() {
                Ok(Qty::ZERO)
            } else {
                Err(RejectReason::NoMarket)
            };
        }
        let fee = self.fee(w.notional, false);
        let contract = self.inst[i.index()].contract;
        let price = w.vwap();
        let reference = w.reference.unwrap_or(price);
        let how = Liquidity::Taker {
            reference,
            slippage: contract.slippage(side, reference, w.qty, w.notional),
        };
        if self.inst[i.index()].is_perp() {
            self.check_perp_fill(a, i, signed(side, w.qty), w.notional, fee, release)?;
            self.exec_perp(
                a, i, order_id, side, w.qty, w.notional, price, fee, how, out,
            );
        } else {
            self.exec_spot(a, i, order_id, side, w.qty, w.notional, fee, how, out)?;
        }
        let m = &mut self.inst[i.index()].market;
        match side {
            Side::Buy => m.taken_asks += w.qty,
            Side::Sell => m.taken_bids += w.qty,
        }
        Ok(w.qty)
    }

    fn new_order_id(&mut self) -> OrderId {
        let id = OrderId(self.next_order);
        self.next_order += 1;
        id
    }

    /// Handles `Command::Place`.
    pub(crate) fn place(&mut self, a: AccountId, req: OrderRequest, out: &mut Vec<Output>) {
        let cid = req.client_id;
        let Some(inst) = self.inst.get(req.instrument.index()) else {
            return reject(out, a, cid, RejectReason::UnknownInstrument);
        };
        let spec = &inst.cfg.spec;
        // Orders beyond the market bounds (`cascade_types::bounds`) could not be filled in the
        // fixed-point range: refused like any other bad quantity or price.
        if !req.qty.is_positive()
            || req.qty > cascade_types::bounds::MAX_QTY
            || req.qty.raw() % spec.lot.raw() != 0
        {
            return reject(out, a, cid, RejectReason::BadQuantity);
        }
        let tick_ok = |p: Price| {
            p.is_positive()
                && p <= cascade_types::bounds::MAX_PRICE
                && p.raw() % spec.tick.raw() == 0
        };
        let prices_ok = match req.kind {
            OrderKind::Market => true,
            OrderKind::Limit { price } => tick_ok(price),
            OrderKind::StopMarket { trigger } => tick_ok(trigger),
            OrderKind::StopLimit { trigger, price } => tick_ok(trigger) && tick_ok(price),
        };
        if !prices_ok {
            return reject(out, a, cid, RejectReason::BadPrice);
        }
        // An order whose `price × qty` at its own prices or the mark leaves the bounds could
        // not be margined in the fixed-point range.
        let refs = [
            inst.market.mark,
            match req.kind {
                OrderKind::Limit { price } | OrderKind::StopLimit { price, .. } => Some(price),
                _ => None,
            },
            match req.kind {
                OrderKind::StopMarket { trigger } | OrderKind::StopLimit { trigger, .. } => {
                    Some(trigger)
                }
                _ => None,
            },
        ];
        let too_big = |p: Price| {
            p.checked_notional(req.qty, Rounding::Up)
                .is_none_or(|n| n > cascade_types::bounds::MAX_EVENT_NOTIONAL)
        };
        if refs.into_iter().flatten().any(too_big) {
            return reject(out, a, cid, RejectReason::BadQuantity);
        }
        let is_perp = inst.is_perp();
        if req.post_only
            && !matches!(
                req.kind,
                OrderKind::Limit { .. } | OrderKind::StopLimit { .. }
            )
        {
            return reject(out, a, cid, RejectReason::NotSupported);
        }
        if !is_perp && req.reduce_only {
            return reject(out, a, cid, RejectReason::NotSupported);
        }
        let i = req.instrument;
        if is_perp {
            if self.accounts[a.index()]
                .positions
                .iter()
                .any(|p| p.slice_at.is_some())
            {
                return reject(out, a, cid, RejectReason::InLiquidation);
            }
            if req.reduce_only && self.reduce_only_qty(a, i, req.side, req.qty) != req.qty {
                return reject(out, a, cid, RejectReason::ReduceOnlyWouldIncrease);
            }
        }
        let last = self.inst[i.index()].market.last_trade.map(|t| t.price);
        match req.kind {
            OrderKind::Market => {
                // Whatever the time in force, a market order fills completely by the slippage
                // rule (the penalty piece is unbounded), so FOK and IOC change nothing.
                let id = self.new_order_id();
                self.run_taker(a, id, req, None, Money::ZERO, out, true);
            }
            OrderKind::Limit { price } => {
                let id = self.new_order_id();
                self.run_limit(a, id, req, price, out, true);
            }
            OrderKind::StopMarket { trigger } | OrderKind::StopLimit { trigger, .. } => {
                let touched = last.is_some_and(|l| match req.side {
                    Side::Buy => l >= trigger,
                    Side::Sell => l <= trigger,
                });
                let id = self.new_order_id();
                if touched {
                    out.push(Output::Accepted {
                        account: a,
                        order_id: id,
                        client_id: cid,
                    });
                    out.push(Output::Triggered {
                        account: a,
                        order_id: id,
                        client_id: cid,
                    });
                    match req.kind {
                        OrderKind::StopLimit { price, .. } => {
                            self.run_limit(a, id, req, price, out, false)
                        }
                        _ => self.run_taker(a, id, req, None, Money::ZERO, out, false),
                    }
                } else {
                    let reserve_at = match req.kind {
                        OrderKind::StopLimit { price, .. } => price,
                        _ => trigger,
                    };
                    self.rest(a, id, req, reserve_at, out);
                }
            }
        }
    }

    /// A market order (or triggered stop-market): fills completely by the slippage rule.
    #[allow(clippy::too_many_arguments)]
    fn run_taker(
        &mut self,
        a: AccountId,
        id: OrderId,
        req: OrderRequest,
        limit: Option<Price>,
        release: Money,
        out: &mut Vec<Output>,
        announce: bool,
    ) {
        let cid = req.client_id;
        let at = out.len();
        match self.take(
            a,
            req.instrument,
            id,
            req.side,
            req.qty,
            limit,
            req.reduce_only,
            release,
            out,
        ) {
            Ok(_) => {
                if announce {
                    out.insert(
                        at,
                        Output::Accepted {
                            account: a,
                            order_id: id,
                            client_id: cid,
                        },
                    );
                }
            }
            Err(reason) => {
                if announce {
                    reject(out, a, cid, reason);
                } else {
                    out.push(Output::Cancelled {
                        account: a,
                        order_id: id,
                        client_id: cid,
                    });
                }
            }
        }
    }

    /// A limit order (or triggered stop-limit): the crossing part takes, the rest rests by its
    /// time in force.
    fn run_limit(
        &mut self,
        a: AccountId,
        id: OrderId,
        req: OrderRequest,
        price: Price,
        out: &mut Vec<Output>,
        announce: bool,
    ) {
        let cid = req.client_id;
        let i = req.instrument;
        let m = &self.inst[i.index()].market;
        let crossing = walk(
            m,
            self.inst[i.index()].contract,
            req.side,
            req.qty,
            Some(price),
            0,
            crate::rules::NoBookFill::default(),
        );
        if req.post_only && crossing.qty.is_positive() {
            return reject(out, a, cid, RejectReason::PostOnlyWouldCross);
        }
        if req.tif == TimeInForce::Fok && crossing.qty < req.qty {
            return reject(out, a, cid, RejectReason::FokNotFillable);
        }
        let mut left = req.qty;
        if crossing.qty.is_positive() {
            let at = out.len();
            match self.take(
                a,
                i,
                id,
                req.side,
                req.qty,
                Some(price),
                req.reduce_only,
                Money::ZERO,
                out,
            ) {
                Ok(q) => left -= q,
                Err(reason) => {
                    if announce {
                        return reject(out, a, cid, reason);
                    }
                    out.push(Output::Cancelled {
                        account: a,
                        order_id: id,
                        client_id: cid,
                    });
                    return;
                }
            }
            if announce {
                out.insert(
                    at,
                    Output::Accepted {
                        account: a,
                        order_id: id,
                        client_id: cid,
                    },
                );
            }
        } else if announce && req.tif != TimeInForce::Gtc {
            out.push(Output::Accepted {
                account: a,
                order_id: id,
                client_id: cid,
            });
        }
        if left.is_zero() {
            return;
        }
        match req.tif {
            TimeInForce::Gtc => {
                let mut rest_req = req;
                rest_req.qty = left;
                rest_req.kind = OrderKind::Limit { price };
                let announce_rest = announce && crossing.qty.is_zero();
                self.rest_limit(a, id, rest_req, price, out, announce_rest);
            }
            _ => out.push(Output::Cancelled {
                account: a,
                order_id: id,
                client_id: cid,
            }),
        }
    }

    /// The initial margin an order of `qty` at `price` would reserve: the opened part only.
    fn reservation(
        &self,
        a: AccountId,
        i: InstrumentId,
        side: Side,
        qty: Qty,
        price: Price,
    ) -> Money {
        if !self.inst[i.index()].is_perp() {
            return Money::ZERO;
        }
        let acc = &self.accounts[a.index()];
        let st = acc.setting(i, self.rules.default_leverage);
        let (q0, c0) = acc
            .position(i)
            .map_or((Qty::ZERO, Money::ZERO), |p| (p.qty, p.cost));
        let c = self.inst[i.index()].contract;
        let e = c.fill_effect(
            q0,
            c0,
            signed(side, qty),
            c.value(price, qty, Rounding::HalfEven),
        );
        e.opened_notional
            .div_int(st.leverage as i64, Rounding::Up)
            .expect("lev > 0")
    }

    /// Checks and records a resting order (limit or untriggered stop).
    fn rest(
        &mut self,
        a: AccountId,
        id: OrderId,
        req: OrderRequest,
        reserve_at: Price,
        out: &mut Vec<Output>,
    ) {
        self.rest_inner(a, id, req, reserve_at, out, true);
    }

    fn rest_limit(
        &mut self,
        a: AccountId,
        id: OrderId,
        req: OrderRequest,
        price: Price,
        out: &mut Vec<Output>,
        announce: bool,
    ) {
        self.rest_inner(a, id, req, price, out, announce);
    }

    fn rest_inner(
        &mut self,
        a: AccountId,
        id: OrderId,
        req: OrderRequest,
        reserve_at: Price,
        out: &mut Vec<Output>,
        announce: bool,
    ) {
        let i = req.instrument;
        let cid = req.client_id;
        let reserved = if req.reduce_only {
            Money::ZERO
        } else {
            self.reservation(a, i, req.side, req.qty, reserve_at)
        };
        if self.inst[i.index()].is_perp() {
            if reserved.is_positive() {
                let st = self.accounts[a.index()].setting(i, self.rules.default_leverage);
                let n = self.inst[i.index()]
                    .contract
                    .value(reserve_at, req.qty, Rounding::Up)
                    + self.accounts[a.index()]
                        .position(i)
                        .map_or(Money::ZERO, |p| p.cost.abs());
                if self.inst[i.index()].tiers().max_leverage(n) < st.leverage {
                    return reject(out, a, cid, RejectReason::LeverageAboveTierMax);
                }
            }
            if self.available(a) < reserved {
                return if announce {
                    reject(out, a, cid, RejectReason::InsufficientMargin)
                } else {
                    out.push(Output::Cancelled {
                        account: a,
                        order_id: id,
                        client_id: cid,
                    })
                };
            }
        } else {
            let notional = reserve_at.notional(req.qty, Rounding::Up);
            let acc = &self.accounts[a.index()];
            let ok = match req.side {
                Side::Buy => acc.spot_quote >= notional + self.fee(notional, false),
                Side::Sell => acc.spot(i) >= req.qty,
            };
            if !ok {
                return if announce {
                    reject(out, a, cid, RejectReason::InsufficientMargin)
                } else {
                    out.push(Output::Cancelled {
                        account: a,
                        order_id: id,
                        client_id: cid,
                    })
                };
            }
        }
        // The queue ahead: what the recorded book shows at our price now.
        let m = &self.inst[i.index()].market;
        let queue_ahead = match (req.kind, m.top) {
            (OrderKind::Limit { price }, Some(t)) => match req.side {
                Side::Buy if t.bid_price == price => t.bid_qty,
                Side::Sell if t.ask_price == price => t.ask_qty,
                _ => m
                    .l2_bids
                    .get(&price)
                    .or(m.l2_asks.get(&price))
                    .copied()
                    .unwrap_or(Qty::ZERO),
            },
            _ => Qty::ZERO,
        };
        let order = Order {
            id,
            account: a,
            client_id: cid,
            instrument: i,
            side: req.side,
            qty: req.qty,
            kind: req.kind,
            tif: req.tif,
            reduce_only: req.reduce_only,
            post_only: req.post_only,
            triggered: false,
            reserved,
            queue_ahead,
        };
        self.inst[i.index()].book.insert(&order);
        let acc = &mut self.accounts[a.index()];
        acc.reserved += reserved;
        let at = acc.orders.partition_point(|o| *o < id);
        acc.orders.insert(at, id);
        self.orders.insert(id, order);
        if announce {
            out.push(Output::Accepted {
                account: a,
                order_id: id,
                client_id: cid,
            });
        }
    }

    /// Removes an open order from every index and releases its reservation.
    pub(crate) fn remove_order(&mut self, id: OrderId) -> Option<Order> {
        let o = self.orders.remove(&id)?;
        self.inst[o.instrument.index()].book.remove(&o);
        let acc = &mut self.accounts[o.account.index()];
        acc.reserved -= o.reserved;
        if let Ok(k) = acc.orders.binary_search(&id) {
            acc.orders.remove(k);
        }
        Some(o)
    }

    /// Cancels every open order of `a` (on instrument `only` if given), reporting each.
    pub(crate) fn cancel_orders_of(
        &mut self,
        a: AccountId,
        only: Option<InstrumentId>,
        out: &mut Vec<Output>,
    ) {
        let mut k = 0;
        while k < self.accounts[a.index()].orders.len() {
            let id = self.accounts[a.index()].orders[k];
            let o = &self.orders[&id];
            if only.is_some_and(|i| i != o.instrument) {
                k += 1;
                continue;
            }
            let o = self.remove_order(id).expect("listed orders exist");
            out.push(Output::Cancelled {
                account: a,
                order_id: id,
                client_id: o.client_id,
            });
        }
    }

    pub(crate) fn cancel_cmd(&mut self, a: AccountId, id: OrderId, out: &mut Vec<Output>) {
        match self.orders.get(&id) {
            Some(o) if o.account == a => {
                let o = self.remove_order(id).expect("present");
                out.push(Output::Cancelled {
                    account: a,
                    order_id: id,
                    client_id: o.client_id,
                });
            }
            _ => reject(out, a, 0, RejectReason::UnknownOrder),
        }
    }

    pub(crate) fn cancel_all_cmd(&mut self, a: AccountId, i: InstrumentId, out: &mut Vec<Output>) {
        if i.index() >= self.inst.len() {
            return reject(out, a, 0, RejectReason::UnknownInstrument);
        }
        self.cancel_orders_of(a, Some(i), out);
    }

    /// A recorded trade at `price` for `qty` touched our orders: trigger stops, fill limits.
    pub(crate) fn match_trade(&mut self, i: usize, price: Price, qty: Qty, out: &mut Vec<Output>) {
        // Stops first: a trade through a stop triggers it.
        loop {
            let book = &self.inst[i].book;
            let next = match (book.buy_stops.first(), book.sell_stops.last()) {
                (Some(&(t, id)), _) if t <= price => id,
                (_, Some(&(t, id))) if t >= price => id,
                _ => break,
            };
            self.trigger(next, out);
        }
        let mut avail = qty;
        let queue = self.rules.fills.queue;
        // Buys: best (highest) first; a trade strictly below fills them.
        while avail.is_positive() {
            let Some(&(p, id)) = self.inst[i].book.buys.last() else {
                break;
            };
            if p < price || (p == price && queue == QueueRule::StrictlyThrough) {
                break;
            }
            if p == price {
                avail = self.fill_at_price(i, Side::Buy, p, avail, out);
                break;
            }
            avail = self.fill_resting(id, avail, out);
        }
        while avail.is_positive() {
            let Some(&(p, id)) = self.inst[i].book.sells.first() else {
                break;
            };
            if p > price || (p == price && queue == QueueRule::StrictlyThrough) {
                break;
            }
            if p == price {
                self.fill_at_price(i, Side::Sell, p, avail, out);
                break;
            }
            avail = self.fill_resting(id, avail, out);
        }
    }

    /// The queue rule at the trade price: traded quantity first works off each order's queue
    /// ahead (oldest order first), then fills.
    fn fill_at_price(
        &mut self,
        i: usize,
        side: Side,
        p: Price,
        mut avail: Qty,
        out: &mut Vec<Output>,
    ) -> Qty {
        // Only reached when our own orders sit exactly at the trade price under the queue
        // rule, so a small allocation here is off the hot path.
        let mut at: Vec<OrderId> = Vec::new();
        let set = match side {
            Side::Buy => &self.inst[i].book.buys,
            Side::Sell => &self.inst[i].book.sells,
        };
        at.extend(
            set.range((p, OrderId(0))..=(p, OrderId(u64::MAX)))
                .map(|&(_, id)| id),
        );
        for id in at {
            if !avail.is_positive() {
                break;
            }
            let Some(o) = self.orders.get_mut(&id) else {
                continue;
            };
            let worked = o.queue_ahead.min_of(avail);
            o.queue_ahead -= worked;
            avail -= worked;
            if o.queue_ahead.is_zero() && avail.is_positive() {
                avail = self.fill_resting(id, avail, out);
            }
        }
        avail
    }

    /// Fills a resting order from the tape for up to `avail`; returns what is left of `avail`.
    fn fill_resting(&mut self, id: OrderId, avail: Qty, out: &mut Vec<Output>) -> Qty {
        let o = self.orders[&id].clone();
        let price = o.resting_price().expect("resting orders have a price");
        let i = o.instrument;
        let mut qty = o.qty.min_of(avail);
        let cancel = |ex: &mut Exchange, out: &mut Vec<Output>| {
            ex.remove_order(id);
            out.push(Output::Cancelled {
                account: o.account,
                order_id: id,
                client_id: o.client_id,
            });
        };
        if o.reduce_only {
            qty = self.reduce_only_qty(o.account, i, o.side, qty);
            if qty.is_zero() {
                cancel(self, out);
                return avail;
            }
        }
        let notional = self.inst[i.index()]
            .contract
            .value(price, qty, Rounding::HalfEven);
        let fee = self.fee(notional, true);
        let release = if qty == o.qty {
            o.reserved
        } else {
            o.reserved
                .mul_div(qty.raw(), o.qty.raw(), Rounding::Down)
                .expect("fits")
        };
        let ok = if self.inst[i.index()].is_perp() {
            match self.check_perp_fill(o.account, i, signed(o.side, qty), notional, fee, release) {
                Ok(()) => {
                    self.take_reservation(id, release);
                    self.exec_perp(
                        o.account,
                        i,
                        id,
                        o.side,
                        qty,
                        notional,
                        price,
                        fee,
                        Liquidity::Maker,
                        out,
                    );
                    true
                }
                Err(_) => false,
            }
        } else {
            self.exec_spot(
                o.account,
                i,
                id,
                o.side,
                qty,
                notional,
                fee,
                Liquidity::Maker,
                out,
            )
            .is_ok()
        };
        if !ok {
            cancel(self, out);
            return avail;
        }
        let left = o.qty - qty;
        if left.is_zero()
            || o.reduce_only && self.reduce_only_qty(o.account, i, o.side, left).is_zero()
        {
            if let Some(done) = self.remove_order(id) {
                if !left.is_zero() {
                    out.push(Output::Cancelled {
                        account: o.account,
                        order_id: id,
                        client_id: done.client_id,
                    });
                }
            }
        } else if let Some(ord) = self.orders.get_mut(&id) {
            ord.qty = left;
        }
        avail - qty
    }

    fn take_reservation(&mut self, id: OrderId, amount: Money) {
        if let Some(o) = self.orders.get_mut(&id) {
            o.reserved -= amount;
            self.accounts[o.account.index()].reserved -= amount;
        }
    }

    /// A stop's trigger was touched: report it and run it as a market or limit order.
    fn trigger(&mut self, id: OrderId, out: &mut Vec<Output>) {
        let o = self.remove_order(id).expect("stops in the book exist");
        out.push(Output::Triggered {
            account: o.account,
            order_id: id,
            client_id: o.client_id,
        });
        let req = OrderRequest {
            client_id: o.client_id,
            instrument: o.instrument,
            side: o.side,
            qty: o.qty,
            kind: o.kind,
            tif: o.tif,
            reduce_only: o.reduce_only,
            post_only: o.post_only,
        };
        match o.kind {
            OrderKind::StopLimit { price, .. } => {
                let mut req = req;
                req.post_only = false; // a triggered stop-limit is allowed to take
                                       // What does not fill now rests as a plain limit at the stop's price.
                self.run_limit(o.account, id, req, price, out, false);
            }
            _ => self.run_taker(o.account, id, req, None, Money::ZERO, out, false),
        }
    }

    pub(crate) fn set_leverage(
        &mut self,
        a: AccountId,
        i: InstrumentId,
        lev: u32,
        out: &mut Vec<Output>,
    ) {
        let Some(inst) = self.inst.get(i.index()) else {
            return reject(out, a, 0, RejectReason::UnknownInstrument);
        };
        if !inst.is_perp() {
            return reject(out, a, 0, RejectReason::NotSupported);
        }
        if lev == 0 || lev > inst.tiers().tiers()[0].max_leverage {
            return reject(out, a, 0, RejectReason::BadLeverage);
        }
        let acc = &self.accounts[a.index()];
        let mut st = acc.setting(i, self.rules.default_leverage);
        if let Some(p) = acc.position(i) {
            if p.mode == MarginMode::Isolated {
                return reject(out, a, 0, RejectReason::PositionOpen);
            }
            let n =
                inst.contract
                    .value(Price::from_raw(self.mark_raw(p)), p.qty.abs(), Rounding::Up);
            if inst.tiers().max_leverage(n) < lev {
                return reject(out, a, 0, RejectReason::LeverageAboveTierMax);
            }
            let f = self.pool_with(a, Pool::Cross, Some((i, p.terms(), lev)), Money::ZERO);
            if f.equity - f.initial - margin::money_x(acc.reserved) < 0 {
                return reject(out, a, 0, RejectReason::InsufficientMargin);
            }
        }
        st.leverage = lev;
        let acc = &mut self.accounts[a.index()];
        acc.set_setting(st);
        if let Some(k) = acc.position_index(i) {
            acc.positions[k].leverage = lev;
        }
    }

    pub(crate) fn set_margin_mode(
        &mut self,
        a: AccountId,
        i: InstrumentId,
        mode: MarginMode,
        out: &mut Vec<Output>,
    ) {
        let Some(inst) = self.inst.get(i.index()) else {
            return reject(out, a, 0, RejectReason::UnknownInstrument);
        };
        if !inst.is_perp() {
            return reject(out, a, 0, RejectReason::NotSupported);
        }
        let acc = &self.accounts[a.index()];
        let has_orders = acc.orders.iter().any(|id| self.orders[id].instrument == i);
        if acc.position(i).is_some() || has_orders {
            return reject(out, a, 0, RejectReason::PositionOpen);
        }
        let mut st = acc.setting(i, self.rules.default_leverage);
        st.mode = mode;
        self.accounts[a.index()].set_setting(st);
    }

    /// Handles `Command::Transfer` between the spot and futures wallets of one account.
    ///
    /// On a linear exchange it moves quote money between the spot wallet and the futures
    /// wallet. On an inverse exchange the futures wallet holds the settlement coin, so it
    /// moves **coin** between the futures wallet and the account's spot holding of the spot
    /// instrument whose base is that coin (the first such instrument): `amount` is coin, and
    /// without such an instrument the transfer is refused (`NotSupported`). Out of the
    /// futures wallet, never more than is available (equity beyond initial margin and
    /// reservations) nor more than the wallet holds.
    pub(crate) fn transfer(
        &mut self,
        a: AccountId,
        from: Wallet,
        to: Wallet,
        amount: Money,
        out: &mut Vec<Output>,
    ) {
        if !amount.is_positive() {
            return reject(out, a, 0, RejectReason::BadQuantity);
        }
        if from == to {
            return reject(out, a, 0, RejectReason::NotSupported);
        }
        let coin_spot = if self.settlement.is_inverse() {
            match self.coin_spot {
                Some(i) => Some(i),
                None => return reject(out, a, 0, RejectReason::NotSupported),
            }
        } else {
            None
        };
        // Coin and spot holdings share the 10⁻⁸ scale: one coin is one unit of the base.
        let coin = Qty::from_raw(amount.raw());
        let ok = match from {
            Wallet::Spot => match coin_spot {
                Some(i) => self.accounts[a.index()].spot(i) >= coin,
                None => self.accounts[a.index()].spot_quote >= amount,
            },
            Wallet::Futures => {
                self.available(a) >= amount && self.accounts[a.index()].wallet >= amount
            }
        };
        if !ok {
            return reject(out, a, 0, RejectReason::InsufficientMargin);
        }
        let acc = &mut self.accounts[a.index()];
        let into_spot = match from {
            Wallet::Spot => -amount,
            Wallet::Futures => amount,
        };
        acc.wallet -= into_spot;
        match coin_spot {
            Some(i) => {
                acc.add_spot(i, Qty::from_raw(into_spot.raw()));
                self.coin_to_spot += into_spot;
            }
            None => acc.spot_quote += into_spot,
        }
        self.rekey_account(a);
        out.push(Output::Transferred {
            account: a,
            from,
            to,
            amount,
        });
    }
}
