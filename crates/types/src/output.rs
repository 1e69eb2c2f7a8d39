//! What the exchange model says back: every acceptance, rejection, fill, funding payment,
//! liquidation, insurance-fund move and auto-deleveraging, as one closed enum.

use crate::{AccountId, InstrumentId, Money, OrderId, Price, Qty, Rate, Side, Wallet};
use serde::{Deserialize, Serialize};

/// Why a command was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum RejectReason {
    /// Not enough available margin (or spot balance) for the order.
    InsufficientMargin,
    /// The leverage asked exceeds the bracket's maximum for the resulting notional.
    LeverageAboveTierMax,
    /// A reduce-only order would increase or flip the position.
    ReduceOnlyWouldIncrease,
    /// A post-only order would cross the book and take liquidity.
    PostOnlyWouldCross,
    /// A fill-or-kill order cannot fill entirely now.
    FokNotFillable,
    /// There is no book or price yet to fill against.
    NoMarket,
    /// The quantity is zero, negative, or not a multiple of the lot.
    BadQuantity,
    /// The price is zero, negative, or not a multiple of the tick.
    BadPrice,
    /// The instrument is unknown to the exchange.
    UnknownInstrument,
    /// The order id is unknown or already closed.
    UnknownOrder,
    /// Margin mode cannot change while a position or order is open.
    PositionOpen,
    /// The account is being liquidated.
    InLiquidation,
    /// Leverage outside 1..=venue maximum.
    BadLeverage,
    /// The instrument does not support this (reduce-only or leverage on spot, an inverse
    /// perpetual in an exchange that only models linear ones, a transfer to the same wallet).
    NotSupported,
}

/// How a position was liquidated.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum LiquidationKind {
    /// A slice of the position was closed (tier step, Hyperliquid 20 % slice).
    Partial,
    /// The whole position was closed through the book.
    Full,
    /// The insurance fund / liquidator vault took the position over at the bankruptcy price.
    Backstop,
    /// The position was closed against auto-deleveraged counterparties (see [`Output::Adl`])
    /// because the insurance fund could not (or, by the venue's rule, would not) cover it.
    Adl,
}

/// One output of the exchange model.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum Output {
    /// An order was accepted.
    Accepted {
        /// Account.
        account: AccountId,
        /// Exchange order id.
        order_id: OrderId,
        /// Caller's id.
        client_id: u64,
    },
    /// A command was refused.
    Rejected {
        /// Account.
        account: AccountId,
        /// Caller's id (0 for commands without one).
        client_id: u64,
        /// Why.
        reason: RejectReason,
    },
    /// A resting order was cancelled (by request, by IOC expiry, or by liquidation / ADL).
    Cancelled {
        /// Account.
        account: AccountId,
        /// Exchange order id.
        order_id: OrderId,
        /// Caller's id.
        client_id: u64,
    },
    /// A stop order's trigger price was touched: it now acts as a market or limit order.
    Triggered {
        /// Account.
        account: AccountId,
        /// Exchange order id.
        order_id: OrderId,
        /// Caller's id.
        client_id: u64,
    },
    /// Quote currency moved between an account's spot and futures wallets.
    Transferred {
        /// Account.
        account: AccountId,
        /// From this wallet.
        from: Wallet,
        /// To this wallet.
        to: Wallet,
        /// Amount moved.
        amount: Money,
    },
    /// A fill of an order.
    Fill {
        /// Account.
        account: AccountId,
        /// Instrument.
        instrument: InstrumentId,
        /// Exchange order id.
        order_id: OrderId,
        /// Side of the order.
        side: Side,
        /// Filled quantity.
        qty: Qty,
        /// Fill price.
        price: Price,
        /// Fee paid (negative for a rebate).
        fee: Money,
        /// True when the order provided liquidity.
        maker: bool,
        /// The price the exchange priced a taker fill from: the mid of the recorded book top,
        /// else the last trade, else the mark, at the fill. A maker fill's is its own price.
        reference: Price,
        /// What filling away from `reference` cost, in the margin currency (coin for an
        /// inverse contract): a linear buyer's notional minus `reference × qty`, a seller's
        /// the other way; an inverse buyer's coin value at `reference` minus its coin cost
        /// basis, a seller's the other way. Positive is a cost; zero for a maker fill.
        /// Exact in fixed point: the trading P&L at reference prices minus the sum of these
        /// is the trading P&L.
        slippage: Money,
    },
    /// A funding payment. `amount` > 0 means the account paid.
    Funding {
        /// Account.
        account: AccountId,
        /// Instrument.
        instrument: InstrumentId,
        /// The rate settled.
        rate: Rate,
        /// Paid (> 0) or received (< 0).
        amount: Money,
    },
    /// The account's margin ratio crossed the venue's warning level.
    MarginCall {
        /// Account.
        account: AccountId,
        /// Maintenance margin ÷ margin balance.
        margin_ratio: Rate,
    },
    /// A liquidation step of a position.
    Liquidation {
        /// Account liquidated.
        account: AccountId,
        /// Instrument.
        instrument: InstrumentId,
        /// Partial, full or backstop.
        kind: LiquidationKind,
        /// Side of the forced order (`Sell` closes a long).
        side: Side,
        /// Quantity closed.
        qty: Qty,
        /// Price it closed at.
        price: Price,
        /// The position's bankruptcy price at the time.
        bankruptcy_price: Price,
        /// Liquidation (clearance) fee charged.
        fee: Money,
    },
    /// The insurance fund moved.
    InsuranceFund {
        /// Instrument whose liquidation moved it.
        instrument: InstrumentId,
        /// Change (> 0 surplus received, < 0 deficit paid).
        delta: Money,
        /// Balance after.
        balance: Money,
    },
    /// Auto-deleveraging: `victim`'s position was closed against the bankrupt `counterparty`.
    Adl {
        /// The profitable account whose position was closed.
        victim: AccountId,
        /// The bankrupt account whose position it offset.
        counterparty: AccountId,
        /// Instrument.
        instrument: InstrumentId,
        /// Side of the victim's closing trade.
        side: Side,
        /// Quantity closed.
        qty: Qty,
        /// Price it closed at.
        price: Price,
    },
}
