//! Commands: what a strategy (or a crowd account) asks the exchange to do.

use crate::{InstrumentId, Money, OrderId, Price, Qty, Side};
use serde::{Deserialize, Serialize};

/// How long an order lives.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum TimeInForce {
    /// Good till cancelled: rests on the book.
    Gtc,
    /// Immediate or cancel: fills what it can now, cancels the rest.
    Ioc,
    /// Fill or kill: fills entirely now or not at all.
    Fok,
}

/// Order type.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum OrderKind {
    /// Fills now against the book.
    Market,
    /// Fills at `price` or better.
    Limit {
        /// Limit price.
        price: Price,
    },
    /// Becomes a market order when the trigger price is touched.
    StopMarket {
        /// Trigger price (compared with the last trade).
        trigger: Price,
    },
    /// Becomes a limit order at `price` when the trigger price is touched.
    StopLimit {
        /// Trigger price (compared with the last trade).
        trigger: Price,
        /// Limit price once triggered.
        price: Price,
    },
}

/// A new order.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct OrderRequest {
    /// The caller's own id, echoed in every output about this order.
    pub client_id: u64,
    /// Instrument.
    pub instrument: InstrumentId,
    /// Buy or sell.
    pub side: Side,
    /// Quantity (positive).
    pub qty: Qty,
    /// Market, limit, stop.
    pub kind: OrderKind,
    /// Time in force.
    pub tif: TimeInForce,
    /// May only reduce the position.
    pub reduce_only: bool,
    /// Must rest as a maker; rejected if it would cross.
    pub post_only: bool,
}

/// Cross or isolated margin for an instrument's position.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Default)]
pub enum MarginMode {
    /// The position shares the account's cross wallet with other cross positions.
    #[default]
    Cross,
    /// The position has its own margin; its loss is limited to it.
    Isolated,
}

/// Which wallet of an account.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum Wallet {
    /// The spot wallet (holds quote currency and spot assets).
    Spot,
    /// The futures (margin) wallet.
    Futures,
}

/// A command to the exchange.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum Command {
    /// Place an order.
    Place(OrderRequest),
    /// Cancel one resting order.
    Cancel {
        /// The order to cancel.
        order_id: OrderId,
    },
    /// Cancel every resting order on an instrument.
    CancelAll {
        /// The instrument.
        instrument: InstrumentId,
    },
    /// Set the leverage used for initial margin on an instrument.
    SetLeverage {
        /// The instrument.
        instrument: InstrumentId,
        /// Leverage, 1 or more.
        leverage: u32,
    },
    /// Set cross or isolated margin for an instrument (only with no open position).
    SetMarginMode {
        /// The instrument.
        instrument: InstrumentId,
        /// The mode.
        mode: MarginMode,
    },
    /// Move quote currency between the spot and futures wallets. On an inverse (coin-margined)
    /// venue the futures wallet holds the coin: `amount` is coin, moved to or from the holding
    /// of the spot market whose base is that coin (refused when the run has none).
    Transfer {
        /// From this wallet.
        from: Wallet,
        /// To this wallet.
        to: Wallet,
        /// Amount (positive).
        amount: Money,
    },
}
