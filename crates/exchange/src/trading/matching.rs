//! Matching the tape: a recorded trade triggers the stops it prints through and fills the
//! resting limits it prints through, best price first, then oldest (see [`QueueRule`]).

use super::*;

impl Exchange {
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
    pub(super) fn fill_at_price(
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
    pub(super) fn fill_resting(&mut self, id: OrderId, avail: Qty, out: &mut Vec<Output>) -> Qty {
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

    pub(super) fn take_reservation(&mut self, id: OrderId, amount: Money) {
        if let Some(o) = self.orders.get_mut(&id) {
            o.reserved -= amount;
            self.accounts[o.account.index()].reserved -= amount;
        }
    }

    /// A stop's trigger was touched: report it and run it as a market or limit order.
    pub(super) fn trigger(&mut self, id: OrderId, out: &mut Vec<Output>) {
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
}
