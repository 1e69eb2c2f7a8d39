//! Resting orders: the order records and, per instrument, the price-ordered sets the tape is
//! matched against. Checking whether a trade touches any of our orders is four `first`/`last`
//! lookups in `BTreeSet`s — the hot path does no more than that when nothing crosses.

use cascade_types::{
    AccountId, InstrumentId, Money, OrderId, OrderKind, Price, Qty, Side, TimeInForce,
};
use std::collections::BTreeSet;

/// An order that is open (resting or waiting for its trigger).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Order {
    pub id: OrderId,
    pub account: AccountId,
    pub client_id: u64,
    pub instrument: InstrumentId,
    pub side: Side,
    /// Quantity still to fill.
    pub qty: Qty,
    pub kind: OrderKind,
    pub tif: TimeInForce,
    pub reduce_only: bool,
    pub post_only: bool,
    /// A stop whose trigger was touched (it now rests as a limit).
    pub triggered: bool,
    /// Initial margin reserved for this order.
    pub reserved: Money,
    /// Quantity displayed at our price when the order started resting (the queue rule).
    pub queue_ahead: Qty,
}

impl Order {
    /// The limit price the order rests at, if it is resting as a limit.
    pub fn resting_price(&self) -> Option<Price> {
        match self.kind {
            OrderKind::Limit { price } => Some(price),
            OrderKind::StopLimit { price, .. } if self.triggered => Some(price),
            _ => None,
        }
    }

    /// The trigger of an untriggered stop.
    pub fn trigger(&self) -> Option<Price> {
        match self.kind {
            OrderKind::StopMarket { trigger } | OrderKind::StopLimit { trigger, .. }
                if !self.triggered =>
            {
                Some(trigger)
            }
            _ => None,
        }
    }
}

/// One instrument's open orders, ordered for matching, with the four set ends cached as
/// plain integers so that the tape's "does this trade touch anything?" is four compares.
#[derive(Clone, Debug)]
pub(crate) struct OrderBook {
    /// Highest resting buy price (`i64::MIN` when none).
    best_buy: i64,
    /// Lowest resting sell price (`i64::MAX` when none).
    best_sell: i64,
    /// Lowest buy-stop trigger (`i64::MAX` when none).
    low_buy_stop: i64,
    /// Highest sell-stop trigger (`i64::MIN` when none).
    high_sell_stop: i64,
    /// Resting buys by price (best = last).
    pub buys: BTreeSet<(Price, OrderId)>,
    /// Resting sells by price (best = first).
    pub sells: BTreeSet<(Price, OrderId)>,
    /// Buy stops by trigger (trigger when a trade prints at or above: first).
    pub buy_stops: BTreeSet<(Price, OrderId)>,
    /// Sell stops by trigger (trigger when a trade prints at or below: last).
    pub sell_stops: BTreeSet<(Price, OrderId)>,
}

impl Default for OrderBook {
    fn default() -> Self {
        OrderBook {
            best_buy: i64::MIN,
            best_sell: i64::MAX,
            low_buy_stop: i64::MAX,
            high_sell_stop: i64::MIN,
            buys: BTreeSet::new(),
            sells: BTreeSet::new(),
            buy_stops: BTreeSet::new(),
            sell_stops: BTreeSet::new(),
        }
    }
}

impl OrderBook {
    fn refresh(&mut self) {
        self.best_buy = self.buys.last().map_or(i64::MIN, |(p, _)| p.raw());
        self.best_sell = self.sells.first().map_or(i64::MAX, |(p, _)| p.raw());
        self.low_buy_stop = self.buy_stops.first().map_or(i64::MAX, |(p, _)| p.raw());
        self.high_sell_stop = self.sell_stops.last().map_or(i64::MIN, |(p, _)| p.raw());
    }

    pub fn insert(&mut self, o: &Order) {
        if let Some(p) = o.resting_price() {
            match o.side {
                Side::Buy => self.buys.insert((p, o.id)),
                Side::Sell => self.sells.insert((p, o.id)),
            };
        } else if let Some(t) = o.trigger() {
            match o.side {
                Side::Buy => self.buy_stops.insert((t, o.id)),
                Side::Sell => self.sell_stops.insert((t, o.id)),
            };
        }
        self.refresh();
    }

    pub fn remove(&mut self, o: &Order) {
        if let Some(p) = o.resting_price() {
            match o.side {
                Side::Buy => self.buys.remove(&(p, o.id)),
                Side::Sell => self.sells.remove(&(p, o.id)),
            };
        } else if let Some(t) = o.trigger() {
            match o.side {
                Side::Buy => self.buy_stops.remove(&(t, o.id)),
                Side::Sell => self.sell_stops.remove(&(t, o.id)),
            };
        }
        self.refresh();
    }

    /// Could a trade at `price` touch any order here? (Four integer compares.)
    #[inline]
    pub fn touched_by(&self, price: Price) -> bool {
        let p = price.raw();
        self.best_buy >= p
            || self.best_sell <= p
            || self.low_buy_stop <= p
            || self.high_sell_stop >= p
    }

    pub fn len(&self) -> usize {
        self.buys.len() + self.sells.len() + self.buy_stops.len() + self.sell_stops.len()
    }
}
