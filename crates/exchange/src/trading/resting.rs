//! Resting orders: the margin an order reserves, recording a resting limit or stop, removing
//! and cancelling orders.

use super::*;

impl Exchange {
    /// The initial margin an order of `qty` at `price` would reserve: the opened part only.
    pub(super) fn reservation(
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
    pub(super) fn rest(
        &mut self,
        a: AccountId,
        id: OrderId,
        req: OrderRequest,
        reserve_at: Price,
        out: &mut Vec<Output>,
    ) {
        self.rest_inner(a, id, req, reserve_at, out, true);
    }

    pub(super) fn rest_limit(
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

    pub(super) fn rest_inner(
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
}
