//! The read-only view of a strategy's own accounts. Plain data: the engine copies the
//! exchange's state into it before each callback, so a strategy never touches exchange
//! internals (and this crate does not depend on the exchange crate).

use cascade_types::{
    AccountId, InstrumentId, MarginMode, Money, OrderId, OrderKind, Price, Qty, Rate, Side,
    TimeInForce,
};

/// The futures (margin) wallet of an account, all on the mark price.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FuturesWallet {
    /// Wallet balance: transfers in, plus realised PnL, minus fees, plus or minus funding.
    pub balance: Money,
    /// Unrealised PnL of all positions, at the mark.
    pub unrealised_pnl: Money,
    /// Margin balance: `balance + unrealised_pnl` (of cross positions, plus isolated margins).
    pub margin_balance: Money,
    /// Initial margin held by positions and open orders.
    pub initial_margin: Money,
    /// Maintenance margin of all positions.
    pub maint_margin: Money,
    /// What can be used for new orders or transferred out.
    pub available: Money,
    /// Maintenance margin ÷ margin balance; the account is liquidated at 1.
    pub margin_ratio: Rate,
}

/// One instrument's position in an account.
///
/// For a perpetual, `qty` is signed (positive long, negative short). For a spot instrument
/// it is the base asset held in the spot wallet, `notional` its value at the last trade, and
/// `entry_price` and the margin fields are zero or `None` (the exchange keeps no cost basis of
/// spot holdings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PositionView {
    /// The instrument.
    pub instrument: InstrumentId,
    /// Signed quantity: positive long, negative short, zero flat.
    pub qty: Qty,
    /// Average entry price (zero when flat).
    pub entry_price: Price,
    /// Notional at the mark, `|qty| × mark`.
    pub notional: Money,
    /// Unrealised PnL at the mark.
    pub unrealised_pnl: Money,
    /// The mark price at which the position would be liquidated, when there is one.
    pub liquidation_price: Option<Price>,
    /// Cross or isolated.
    pub margin_mode: MarginMode,
    /// Leverage set for the instrument.
    pub leverage: u32,
    /// Margin assigned to an isolated position (zero for cross).
    pub isolated_margin: Money,
    /// Maintenance margin of the position.
    pub maint_margin: Money,
    /// The position's own margin ratio (isolated), or `None` for cross positions (see
    /// [`FuturesWallet::margin_ratio`]).
    pub margin_ratio: Option<Rate>,
}

impl PositionView {
    /// A flat position on `instrument` with leverage 1 and cross margin.
    pub fn flat(instrument: InstrumentId) -> Self {
        PositionView {
            instrument,
            qty: Qty::ZERO,
            entry_price: Price::ZERO,
            notional: Money::ZERO,
            unrealised_pnl: Money::ZERO,
            liquidation_price: None,
            margin_mode: MarginMode::Cross,
            leverage: 1,
            isolated_margin: Money::ZERO,
            maint_margin: Money::ZERO,
            margin_ratio: None,
        }
    }
    /// True when there is no position.
    pub fn is_flat(&self) -> bool {
        self.qty.is_zero()
    }
    /// `Buy` for a long, `Sell` for a short, `None` when flat.
    pub fn side(&self) -> Option<Side> {
        if self.qty.is_positive() {
            Some(Side::Buy)
        } else if self.qty.is_negative() {
            Some(Side::Sell)
        } else {
            None
        }
    }
}

/// One open (resting or untriggered) order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderView {
    /// The exchange's id.
    pub order_id: OrderId,
    /// The strategy's id from the [`OrderRequest`](cascade_types::OrderRequest).
    pub client_id: u64,
    /// Instrument.
    pub instrument: InstrumentId,
    /// Buy or sell.
    pub side: Side,
    /// Market, limit, stop.
    pub kind: OrderKind,
    /// Time in force.
    pub tif: TimeInForce,
    /// Quantity still open (what is left after partial fills).
    pub qty: Qty,
    /// May only reduce the position.
    pub reduce_only: bool,
    /// Must rest as a maker.
    pub post_only: bool,
}

impl OrderView {
    /// Quantity still open.
    pub fn remaining(&self) -> Qty {
        self.qty
    }
}

/// One of the strategy's accounts: wallets, per-instrument positions, open orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountView {
    /// The account's id.
    pub id: AccountId,
    /// Total equity in the settlement currency: futures margin balance plus spot quote
    /// balance plus spot holdings at the last price, as the exchange computes it.
    pub equity: Money,
    /// The futures (margin) wallet.
    pub futures: FuturesWallet,
    /// Quote currency in the spot wallet.
    pub spot_quote: Money,
    /// One position per instrument of the run, indexed by [`InstrumentId`] (flat ones
    /// included, so lookups are O(1)).
    pub positions: Vec<PositionView>,
    /// Open orders, in the order they were placed.
    pub orders: Vec<OrderView>,
}

impl AccountView {
    /// An empty account over `instruments` instruments: no money, flat everywhere. The order
    /// list is pre-sized so that refilling it does not allocate in steady state.
    pub fn new(id: AccountId, instruments: usize) -> Self {
        AccountView {
            id,
            equity: Money::ZERO,
            futures: FuturesWallet::default(),
            spot_quote: Money::ZERO,
            positions: (0..instruments)
                .map(|i| PositionView::flat(InstrumentId(i as u32)))
                .collect(),
            orders: Vec::with_capacity(64),
        }
    }

    /// The position on an instrument. Panics when the id is out of range (a programmer
    /// error).
    pub fn position(&self, instrument: InstrumentId) -> &PositionView {
        &self.positions[instrument.index()]
    }

    /// Non-flat positions.
    pub fn open_positions(&self) -> impl Iterator<Item = &PositionView> {
        self.positions.iter().filter(|p| !p.is_flat())
    }

    /// Open orders on one instrument.
    pub fn orders_on(&self, instrument: InstrumentId) -> impl Iterator<Item = &OrderView> {
        self.orders
            .iter()
            .filter(move |o| o.instrument == instrument)
    }

    /// The open order with this client id.
    pub fn order_by_client_id(&self, client_id: u64) -> Option<&OrderView> {
        self.orders.iter().find(|o| o.client_id == client_id)
    }
}
