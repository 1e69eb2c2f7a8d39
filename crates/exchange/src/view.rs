//! Read-only queries: account, position, order and market states, funds. They are owned
//! copies (queries allocate; the event path does not). The strategy's views of the same
//! figures are `cascade_strategy`'s `AccountView` and `MarketView`.
//!
//! Money figures are in the exchange's settlement asset ([`crate::Settlement`]): the quote
//! currency on a linear exchange, the coin on an inverse one (wallets, upnl, notionals,
//! margins, funds). Quantities of inverse perpetuals are contracts; their entry price is the
//! harmonic one, `|qty|·size / |cost|`.

use crate::exchange::{Exchange, Pool};
use crate::margin;
use crate::market::MarketState;
use cascade_types::{
    AccountId, InstrumentId, MarginMode, Money, OrderId, OrderKind, Price, Qty, Rate, Rounding,
    Side, TierTable, TimeInForce,
};
use serde::{Deserialize, Serialize};

/// A liquidation-index key as a price: `None` when no positive mark liquidates the position
/// (a long keyed at or below zero, a short keyed below zero or at `i64::MAX`).
fn key_price(qty: Qty, key: Option<i64>) -> Option<Price> {
    key.and_then(|k| {
        let never = if qty.is_positive() {
            k <= 0
        } else {
            k < 0 || k == i64::MAX
        };
        (!never).then(|| Price::from_raw(k))
    })
}

/// One open position as an account sees it. Money at the mark price, in the settlement asset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionState {
    /// Instrument.
    pub instrument: InstrumentId,
    /// Signed quantity (negative = short).
    pub qty: Qty,
    /// Average entry price (cost basis ÷ quantity, half-even; inverse: quantity × contract
    /// size ÷ coin cost basis, half-even).
    pub entry: Price,
    /// The mark it is valued at.
    pub mark: Price,
    /// Unrealised PnL at mark (rounded down).
    pub upnl: Money,
    /// Notional at mark (rounded down; inverse: the coin value `|qty|·size / mark`).
    pub notional: Money,
    /// The mark at which the position's pool reaches maintenance margin, other marks fixed
    /// (`None` when no positive mark does). For a long, liquidation happens strictly below it;
    /// for a short, strictly above.
    pub liquidation_price: Option<Price>,
    /// The mark at which the pool's equity is zero, other marks fixed.
    pub bankruptcy_price: Price,
    /// Margin: the isolated margin, or the initial margin `notional / leverage` in cross.
    pub margin: Money,
    /// Maintenance margin `N·mmr − cum` (rounded up).
    pub maint_margin: Money,
    /// Leverage.
    pub leverage: u32,
    /// Cross or isolated.
    pub mode: MarginMode,
}

/// The cheap facts of one position: what the crowd model's heatmap needs after every
/// change, without the money figures of a [`PositionState`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionBrief {
    /// Signed quantity (negative = short).
    pub qty: Qty,
    /// Signed cost basis (`qty × entry` as traded; positive for a long). For an inverse
    /// perpetual, the coin value as traded (`Σ |dq|·size / price`, signed).
    pub cost: Money,
    /// The position's key in the liquidation index as a price, as in
    /// [`PositionState::liquidation_price`].
    pub liquidation_price: Option<Price>,
}

/// One open order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderState {
    /// Exchange id.
    pub order_id: OrderId,
    /// Caller's id.
    pub client_id: u64,
    /// Instrument.
    pub instrument: InstrumentId,
    /// Side.
    pub side: Side,
    /// Quantity still open.
    pub qty: Qty,
    /// Kind (limit price, stop trigger).
    pub kind: OrderKind,
    /// Time in force.
    pub tif: TimeInForce,
    /// Reduce-only.
    pub reduce_only: bool,
    /// Post-only (must rest as a maker).
    pub post_only: bool,
    /// Margin reserved.
    pub reserved: Money,
}

/// An account at a glance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountState {
    /// The account.
    pub account: AccountId,
    /// Futures (cross) wallet balance.
    pub wallet: Money,
    /// Spot wallet (quote currency).
    pub spot_quote: Money,
    /// Spot holdings by spot instrument.
    pub spot: Vec<(InstrumentId, Qty)>,
    /// Cross margin balance: wallet + cross upnl (rounded down).
    pub equity: Money,
    /// Available for new orders and transfers out.
    pub available: Money,
    /// Cross maintenance margin.
    pub maint_margin: Money,
    /// Cross margin ratio `MM / margin balance` (liquidation at 100 %); `None` without cross
    /// positions or with no positive balance.
    pub margin_ratio: Option<Rate>,
    /// Open positions.
    pub positions: Vec<PositionState>,
    /// Open orders.
    pub orders: Vec<OrderState>,
}

impl Exchange {
    /// The cheap facts of one position of an account, if open: `O(log positions)`, no
    /// allocation, no margin arithmetic.
    pub fn position_brief(&self, a: AccountId, i: InstrumentId) -> Option<PositionBrief> {
        let p = self.accounts.get(a.index())?.position(i)?;
        Some(PositionBrief {
            qty: p.qty,
            cost: p.cost,
            liquidation_price: key_price(p.qty, p.key),
        })
    }

    /// One position of an account, if open.
    pub fn position(&self, a: AccountId, i: InstrumentId) -> Option<PositionState> {
        let acc = self.accounts.get(a.index())?;
        let p = acc.position(i)?;
        let pool = Self::pool_of(p);
        let mark = self.mark_raw(p);
        let tiers = self.inst[i.index()].tiers();
        let contract = self.inst[i.index()].contract;
        let t = p.terms();
        let notional = contract.value(Price::from_raw(mark), p.qty.abs(), Rounding::Down);
        let liquidation_price = key_price(p.qty, p.key);
        let bk = contract.bankruptcy_raw(t, self.pool_rest0_x(a, pool, i));
        let (upnl, mm) = contract.upnl_mm_x(tiers, self.rules.mm_basis, mark, t);
        Some(PositionState {
            instrument: i,
            qty: p.qty,
            entry: contract.entry(p.qty, p.cost),
            mark: Price::from_raw(mark),
            upnl: margin::x_to_money(upnl, Rounding::Down),
            notional,
            liquidation_price,
            bankruptcy_price: Price::from_raw(bk),
            margin: match p.mode {
                MarginMode::Isolated => p.iso_margin,
                MarginMode::Cross => notional
                    .div_int(p.leverage as i64, Rounding::Up)
                    .expect("lev > 0"),
            },
            maint_margin: margin::x_to_money(mm, Rounding::Up),
            leverage: p.leverage,
            mode: p.mode,
        })
    }

    /// Everything about one account.
    pub fn account(&self, a: AccountId) -> AccountState {
        let acc = &self.accounts[a.index()];
        let (eq, mm) = self.pool_x(a, Pool::Cross);
        let has_cross = acc.positions.iter().any(|p| p.mode == MarginMode::Cross);
        AccountState {
            account: a,
            wallet: acc.wallet,
            spot_quote: acc.spot_quote,
            spot: acc.spot_base.clone(),
            equity: margin::x_to_money(eq, Rounding::Down),
            available: self.available(a),
            maint_margin: margin::x_to_money(mm, Rounding::Up),
            margin_ratio: (has_cross && eq > 0)
                .then(|| Rate::from_raw((mm * margin::E8 / eq) as i64)), // toward zero
            positions: acc
                .positions
                .iter()
                .filter_map(|p| self.position(a, p.instrument))
                .collect(),
            orders: acc
                .orders
                .iter()
                .map(|id| {
                    let o = &self.orders[id];
                    OrderState {
                        order_id: o.id,
                        client_id: o.client_id,
                        instrument: o.instrument,
                        side: o.side,
                        qty: o.qty,
                        kind: o.kind,
                        tif: o.tif,
                        reduce_only: o.reduce_only,
                        post_only: o.post_only,
                        reserved: o.reserved,
                    }
                })
                .collect(),
        }
    }

    /// Signed position quantity (zero when flat) — cheap, no allocation.
    pub fn position_qty(&self, a: AccountId, i: InstrumentId) -> Qty {
        self.accounts
            .get(a.index())
            .map_or(Qty::ZERO, |acc| acc.position_qty(i))
    }

    /// An instrument's market state.
    pub fn market(&self, i: InstrumentId) -> MarketState {
        let m = &self.inst[i.index()].market;
        MarketState {
            last_trade: m.last_trade,
            book_top: m.top,
            mark: m.mark,
            mark_recorded: m.mark_recorded,
            index: m.index,
            funding_rate: m.funding_rate.or(m.funding.estimate),
            next_funding: m.next_funding.or(m.funding.next),
            open_interest: m.open_interest,
            last_recorded_liquidation: m.last_liquidation,
        }
    }

    /// The mark price of instrument `i` in force, if any (cheap: no copy of the market state).
    pub fn mark_price(&self, i: InstrumentId) -> Option<Price> {
        self.inst.get(i.index()).and_then(|x| x.market.mark)
    }

    /// The configuration of instrument `i` (spec, brackets, fund, fee override), if known.
    pub fn instrument_config(&self, i: InstrumentId) -> Option<&crate::InstrumentConfig> {
        self.inst.get(i.index()).map(|x| &x.cfg)
    }

    /// The margin brackets of instrument `i` (`None` for spot or an unknown instrument).
    pub fn tiers(&self, i: InstrumentId) -> Option<&TierTable> {
        self.inst.get(i.index()).and_then(|x| x.cfg.tiers.as_ref())
    }

    /// Long open interest of an instrument across all accounts (equal to short OI).
    pub fn open_interest(&self, i: InstrumentId) -> Qty {
        self.accounts
            .iter()
            .filter_map(|a| a.position(i))
            .filter(|p| p.qty.is_positive())
            .map(|p| p.qty)
            .sum()
    }

    /// Balance of insurance fund `fund`.
    pub fn insurance_fund(&self, fund: u32) -> Money {
        self.funds[fund as usize]
    }

    /// Every insurance fund's balance.
    pub fn insurance_funds(&self) -> &[Money] {
        &self.funds
    }

    /// What happened to each insurance fund so far, by fund index
    /// ([`FundStats`](crate::funds::FundStats)).
    pub fn fund_stats(&self) -> &[crate::funds::FundStats] {
        &self.fund_stats
    }

    /// Trading and liquidation fees collected by the venue (net of maker rebates), in the
    /// settlement asset (on an inverse exchange spot fees are apart: [`Exchange::spot_fee_pool`]).
    pub fn fee_pool(&self) -> Money {
        self.fee_pool
    }

    /// All money deposited (accounts and fund seeds), in the settlement asset (on an inverse
    /// exchange spot-wallet deposits are apart: [`Exchange::spot_deposits`]).
    pub fn deposits(&self) -> Money {
        self.deposits
    }

    /// Fees of spot trades on an inverse exchange, in the spot quote currency (zero on a
    /// linear exchange, whose spot fees are in [`Exchange::fee_pool`]).
    pub fn spot_fee_pool(&self) -> Money {
        self.spot_fee_pool
    }

    /// Spot-wallet deposits on an inverse exchange, in the spot quote currency (zero on a
    /// linear exchange, whose spot deposits are in [`Exchange::deposits`]).
    pub fn spot_deposits(&self) -> Money {
        self.spot_deposits
    }

    /// Coin moved from futures wallets into spot holdings by transfers on an inverse exchange,
    /// net (zero on a linear exchange).
    pub fn coin_transferred_to_spot(&self) -> Money {
        self.coin_to_spot
    }

    /// Positions in the liquidation index of instrument `i` (longs, shorts).
    pub fn indexed_positions(&self, i: InstrumentId) -> (usize, usize) {
        let inst = &self.inst[i.index()];
        (inst.longs.len(), inst.shorts.len())
    }
}
