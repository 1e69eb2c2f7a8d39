//! Placing orders: `Command::Place` checked and answered, market orders and the crossing
//! part of limits taking liquidity now by the slippage rule, reduce-only clipping.

use super::*;

impl Exchange {
    /// Clips a reduce-only quantity to what actually reduces the position now.
    pub(super) fn reduce_only_qty(
        &self,
        a: AccountId,
        i: InstrumentId,
        side: Side,
        qty: Qty,
    ) -> Qty {
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
    pub(super) fn take(
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

    pub(super) fn new_order_id(&mut self) -> OrderId {
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
    pub(super) fn run_taker(
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
    pub(super) fn run_limit(
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
}
