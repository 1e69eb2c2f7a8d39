//! Builders for common orders. [`OrderRequest`] lives in `cascade-types`; this extension
//! trait adds constructors and modifiers to it, so with the trait in scope (it is in the
//! [`prelude`](crate::prelude)) a strategy writes
//! `OrderRequest::limit(btc, Side::Buy, qty, px).post_only()`.
//!
//! Every constructor makes a good-till-cancelled order (immediate-or-cancel for market
//! orders) with client id 0, which [`Ctx::place`](crate::Ctx::place) replaces by a fresh one.

use cascade_types::{InstrumentId, OrderKind, OrderRequest, Price, Qty, Side, TimeInForce};

/// Constructors and modifiers for [`OrderRequest`].
pub trait OrderRequestExt: Sized {
    /// A market order (IOC).
    fn market(instrument: InstrumentId, side: Side, qty: Qty) -> Self;
    /// A limit order (GTC).
    fn limit(instrument: InstrumentId, side: Side, qty: Qty, price: Price) -> Self;
    /// A stop-market order (GTC until triggered).
    fn stop_market(instrument: InstrumentId, side: Side, qty: Qty, trigger: Price) -> Self;
    /// A stop-limit order (GTC until triggered).
    fn stop_limit(
        instrument: InstrumentId,
        side: Side,
        qty: Qty,
        trigger: Price,
        price: Price,
    ) -> Self;
    /// The same order, reduce-only.
    fn reduce_only(self) -> Self;
    /// The same order, post-only.
    fn post_only(self) -> Self;
    /// The same order with another time in force.
    fn with_tif(self, tif: TimeInForce) -> Self;
    /// The same order with the strategy's own client id (non-zero).
    fn with_client_id(self, client_id: u64) -> Self;
}

fn new(instrument: InstrumentId, side: Side, qty: Qty, kind: OrderKind) -> OrderRequest {
    let tif = if kind == OrderKind::Market {
        TimeInForce::Ioc
    } else {
        TimeInForce::Gtc
    };
    OrderRequest {
        client_id: 0,
        instrument,
        side,
        qty,
        kind,
        tif,
        reduce_only: false,
        post_only: false,
    }
}

impl OrderRequestExt for OrderRequest {
    fn market(instrument: InstrumentId, side: Side, qty: Qty) -> Self {
        new(instrument, side, qty, OrderKind::Market)
    }
    fn limit(instrument: InstrumentId, side: Side, qty: Qty, price: Price) -> Self {
        new(instrument, side, qty, OrderKind::Limit { price })
    }
    fn stop_market(instrument: InstrumentId, side: Side, qty: Qty, trigger: Price) -> Self {
        new(instrument, side, qty, OrderKind::StopMarket { trigger })
    }
    fn stop_limit(
        instrument: InstrumentId,
        side: Side,
        qty: Qty,
        trigger: Price,
        price: Price,
    ) -> Self {
        new(
            instrument,
            side,
            qty,
            OrderKind::StopLimit { trigger, price },
        )
    }
    fn reduce_only(mut self) -> Self {
        self.reduce_only = true;
        self
    }
    fn post_only(mut self) -> Self {
        self.post_only = true;
        self
    }
    fn with_tif(mut self, tif: TimeInForce) -> Self {
        self.tif = tif;
        self
    }
    fn with_client_id(mut self, client_id: u64) -> Self {
        assert!(client_id != 0, "client id 0 means 'assign one for me'");
        self.client_id = client_id;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_set_what_they_say() {
        let i = InstrumentId(3);
        let q: Qty = "0.5".parse().unwrap();
        let p: Price = "100".parse().unwrap();
        let m = OrderRequest::market(i, Side::Sell, q).reduce_only();
        assert_eq!(
            (m.kind, m.tif, m.reduce_only, m.post_only),
            (OrderKind::Market, TimeInForce::Ioc, true, false)
        );
        let l = OrderRequest::limit(i, Side::Buy, q, p)
            .post_only()
            .with_client_id(7);
        assert_eq!(l.kind, OrderKind::Limit { price: p });
        assert_eq!(
            (l.tif, l.post_only, l.client_id),
            (TimeInForce::Gtc, true, 7)
        );
        let s = OrderRequest::stop_limit(i, Side::Sell, q, p, p).with_tif(TimeInForce::Fok);
        assert_eq!(
            s.kind,
            OrderKind::StopLimit {
                trigger: p,
                price: p
            }
        );
        assert_eq!(s.tif, TimeInForce::Fok);
        assert_eq!(
            OrderRequest::stop_market(i, Side::Buy, q, p).kind,
            OrderKind::StopMarket { trigger: p }
        );
    }
}
