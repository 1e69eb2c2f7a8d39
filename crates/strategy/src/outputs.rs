//! Typed views of the exchange [`Output`]s a strategy most often handles, so that
//! [`Strategy::on_fill`](crate::Strategy::on_fill) and friends take a struct rather than an
//! enum they would have to match again.

use cascade_types::{
    AccountId, InstrumentId, LiquidationKind, Money, OrderId, Output, Price, Qty, Rate, Side,
};

/// A fill of one of the strategy's orders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FillInfo {
    /// Account.
    pub account: AccountId,
    /// Instrument.
    pub instrument: InstrumentId,
    /// Exchange order id.
    pub order_id: OrderId,
    /// Side of the order.
    pub side: Side,
    /// Filled quantity.
    pub qty: Qty,
    /// Fill price.
    pub price: Price,
    /// Fee paid (negative for a rebate).
    pub fee: Money,
    /// True when the order provided liquidity.
    pub maker: bool,
}

/// A funding payment on one of the strategy's positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FundingInfo {
    /// Account.
    pub account: AccountId,
    /// Instrument.
    pub instrument: InstrumentId,
    /// The rate settled.
    pub rate: Rate,
    /// Paid (> 0) or received (< 0).
    pub amount: Money,
}

/// A liquidation step of one of the strategy's positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiquidationInfo {
    /// Account liquidated.
    pub account: AccountId,
    /// Instrument.
    pub instrument: InstrumentId,
    /// Partial, full or backstop.
    pub kind: LiquidationKind,
    /// Side of the forced order (`Sell` closes a long).
    pub side: Side,
    /// Quantity closed.
    pub qty: Qty,
    /// Price it closed at.
    pub price: Price,
    /// The position's bankruptcy price at the time.
    pub bankruptcy_price: Price,
    /// Liquidation fee charged.
    pub fee: Money,
}

/// An auto-deleveraging that involved one of the strategy's accounts, as the profitable
/// `victim` (its position was closed) or as the bankrupt `counterparty`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdlInfo {
    /// The profitable account whose position was closed.
    pub victim: AccountId,
    /// The bankrupt account whose position it offset.
    pub counterparty: AccountId,
    /// Instrument.
    pub instrument: InstrumentId,
    /// Side of the victim's closing trade.
    pub side: Side,
    /// Quantity closed.
    pub qty: Qty,
    /// Price it closed at.
    pub price: Price,
}

impl FillInfo {
    /// The fill in `output`, if it is one.
    pub fn from_output(output: &Output) -> Option<Self> {
        match *output {
            Output::Fill {
                account,
                instrument,
                order_id,
                side,
                qty,
                price,
                fee,
                maker,
                ..
            } => Some(FillInfo {
                account,
                instrument,
                order_id,
                side,
                qty,
                price,
                fee,
                maker,
            }),
            _ => None,
        }
    }
}

impl FundingInfo {
    /// The funding payment in `output`, if it is one.
    pub fn from_output(output: &Output) -> Option<Self> {
        match *output {
            Output::Funding {
                account,
                instrument,
                rate,
                amount,
                ..
            } => Some(FundingInfo {
                account,
                instrument,
                rate,
                amount,
            }),
            _ => None,
        }
    }
}

impl LiquidationInfo {
    /// The liquidation step in `output`, if it is one.
    pub fn from_output(output: &Output) -> Option<Self> {
        match *output {
            Output::Liquidation {
                account,
                instrument,
                kind,
                side,
                qty,
                price,
                bankruptcy_price,
                fee,
                ..
            } => Some(LiquidationInfo {
                account,
                instrument,
                kind,
                side,
                qty,
                price,
                bankruptcy_price,
                fee,
            }),
            _ => None,
        }
    }
}

impl AdlInfo {
    /// The auto-deleveraging in `output`, if it is one.
    pub fn from_output(output: &Output) -> Option<Self> {
        match *output {
            Output::Adl {
                victim,
                counterparty,
                instrument,
                side,
                qty,
                price,
                ..
            } => Some(AdlInfo {
                victim,
                counterparty,
                instrument,
                side,
                qty,
                price,
            }),
            _ => None,
        }
    }
}

/// When `output` is the exchange refusing a `SetLeverage` (leverage zero or above the venue's
/// maximum for the instrument's first tier), the reason; `None` otherwise. `SetLeverage` has
/// no client id, so a strategy that matched rejects by its orders' ids alone would miss it —
/// and then report only the `InsufficientMargin` of the order sized for that leverage.
pub fn leverage_refused(output: &Output) -> Option<cascade_types::RejectReason> {
    match *output {
        Output::Rejected {
            client_id: 0,
            reason: reason @ cascade_types::RejectReason::BadLeverage,
            ..
        } => Some(reason),
        _ => None,
    }
}
