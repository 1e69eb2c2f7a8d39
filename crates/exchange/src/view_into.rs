//! An account query for callers that ask often: [`Exchange::account_into`] fills an
//! [`AccountFigures`] in place, reusing its vectors, with the figures of
//! [`Exchange::account`] — the same values, field for field — except the bankruptcy prices.
//!
//! [`Exchange::account`] allocates three vectors per call and walks the account's margin
//! pool once for the account and once more for every position (for its bankruptcy price).
//! A backtest engine that copies the account into a strategy's view whenever a watched price
//! moves asks this on nearly every market event; here the pools are walked once, the
//! per-position figures are computed once and shared between the account's sums and the
//! positions, and nothing is allocated once the vectors have grown to the account's size.

use crate::exchange::Exchange;
use crate::margin::{self, E8};
use crate::view::OrderState;
use cascade_types::{
    AccountId, InstrumentId, InstrumentKind, MarginMode, Money, Price, Qty, Rate, Rounding,
};

/// One open position: [`crate::PositionState`] without the bankruptcy price.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PositionFigures {
    /// Instrument.
    pub instrument: InstrumentId,
    /// Signed quantity (negative = short).
    pub qty: Qty,
    /// Average entry price (cost basis ÷ quantity, half-even).
    pub entry: Price,
    /// The mark it is valued at (its entry while the instrument has no mark).
    pub mark: Price,
    /// Unrealised PnL at mark (rounded down).
    pub upnl: Money,
    /// Notional at mark (rounded down).
    pub notional: Money,
    /// As [`crate::PositionState::liquidation_price`].
    pub liquidation_price: Option<Price>,
    /// Margin: the isolated margin, or the initial margin `notional / leverage` in cross.
    pub margin: Money,
    /// Maintenance margin (rounded up).
    pub maint_margin: Money,
    /// Leverage.
    pub leverage: u32,
    /// Cross or isolated.
    pub mode: MarginMode,
}

/// An account at a glance, filled in place by [`Exchange::account_into`]: the fields of
/// [`crate::AccountState`] with [`PositionFigures`] for positions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountFigures {
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
    /// Cross maintenance margin (rounded up).
    pub maint_margin: Money,
    /// Cross margin ratio, as [`crate::AccountState::margin_ratio`].
    pub margin_ratio: Option<Rate>,
    /// Open positions, by instrument.
    pub positions: Vec<PositionFigures>,
    /// Open orders, ascending.
    pub orders: Vec<OrderState>,
}

impl Exchange {
    /// Fills `out` with the figures of account `a`: every field equal to the same field of
    /// [`Exchange::account`] (positions without their bankruptcy prices), reusing `out`'s
    /// vectors. Panics when the account does not exist (as `account` does).
    pub fn account_into(&self, a: AccountId, out: &mut AccountFigures) {
        let acc = &self.accounts[a.index()];
        // The cross pool, as `pool_x(a, Cross)` (equity, MM) and `pool_with(a, Cross, None,
        // 0)` (equity at the *available* marks, initial margin) compute it.
        let wallet_x = margin::money_x(acc.wallet);
        let (mut eq, mut mm) = (wallet_x, 0i128);
        let (mut avail_eq, mut initial) = (wallet_x, 0i128);
        let mut has_cross = false;
        out.positions.clear();
        for p in &acc.positions {
            let inst = &self.inst[p.instrument.index()];
            let tiers = inst.tiers();
            let contract = inst.contract;
            let t = p.terms();
            // Valued at the mark, else at the entry (half-even), as `mark_raw`.
            let mark = self.mark_raw(p);
            let (upnl, mm_p) = contract.upnl_mm_x(tiers, self.rules.mm_basis, mark, t);
            if p.mode == MarginMode::Cross {
                has_cross = true;
                eq += upnl;
                mm += mm_p;
                // `pool_with` values a position without a mark at its entry rounded toward
                // zero, not half-even.
                let mark_avail = match inst.market.mark {
                    Some(m) => m.raw(),
                    None => contract.entry_toward_zero(t),
                };
                avail_eq += if mark_avail == mark {
                    upnl
                } else {
                    contract.upnl_x(mark_avail, t)
                };
                let n16 = contract.notional16(mark_avail, t);
                initial += margin::ceil_div(n16 * E8, p.leverage.max(1) as i128);
            }
            let notional = contract.value(Price::from_raw(mark), p.qty.abs(), Rounding::Down);
            out.positions.push(PositionFigures {
                instrument: p.instrument,
                qty: p.qty,
                entry: contract.entry(p.qty, p.cost),
                mark: Price::from_raw(mark),
                upnl: margin::x_to_money(upnl, Rounding::Down),
                notional,
                liquidation_price: liquidation_price(p.qty, p.key),
                margin: match p.mode {
                    MarginMode::Isolated => p.iso_margin,
                    MarginMode::Cross => notional
                        .div_int(p.leverage as i64, Rounding::Up)
                        .expect("lev > 0"),
                },
                maint_margin: margin::x_to_money(mm_p, Rounding::Up),
                leverage: p.leverage,
                mode: p.mode,
            });
        }
        out.account = a;
        out.wallet = acc.wallet;
        out.spot_quote = acc.spot_quote;
        out.spot.clear();
        out.spot.extend_from_slice(&acc.spot_base);
        out.equity = margin::x_to_money(eq, Rounding::Down);
        out.available = margin::x_to_money(
            avail_eq - initial - margin::money_x(acc.reserved),
            Rounding::Down,
        );
        out.maint_margin = margin::x_to_money(mm, Rounding::Up);
        out.margin_ratio = (has_cross && eq > 0).then(|| Rate::from_raw((mm * E8 / eq) as i64));
        out.orders.clear();
        out.orders.extend(acc.orders.iter().map(|id| {
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
        }));
    }
}

/// An account's totals as a trader's screen shows them, from its [`AccountFigures`]
/// ([`Exchange::account_totals`]). Money is in the exchange's settlement currency; on an
/// inverse exchange, quote-currency amounts (the spot wallet, spot holdings at their last
/// trade) are converted to the coin at the perpetual's mark, rounded down.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccountTotals {
    /// Unrealised PnL of every position (cross and isolated).
    pub upnl: Money,
    /// Cross margin balance plus every isolated position's own margin and upnl.
    pub margin_balance: Money,
    /// Margin in use: every position's margin plus what open orders reserve.
    pub initial_margin: Money,
    /// Cross maintenance margin plus every isolated position's.
    pub maint_margin: Money,
    /// The spot wallet plus spot holdings at their last trade (quote currency).
    pub spot_total: Money,
    /// Margin balance plus `spot_total` in the settlement currency.
    pub equity: Money,
}

impl Exchange {
    /// The perpetual whose mark values quote-currency amounts in the coin, on an inverse
    /// exchange: its first inverse perpetual. `None` on a linear exchange.
    pub fn coin_perp(&self) -> Option<InstrumentId> {
        if !self.settlement().is_inverse() {
            return None;
        }
        self.inst
            .iter()
            .position(|x| x.cfg.spec.kind == InstrumentKind::InversePerp)
            .map(|k| InstrumentId(k as u32))
    }

    /// The value of a spot holding of `qty` on instrument `i` at its last trade, in the
    /// settlement currency (zero before any trade; on an inverse exchange converted at the
    /// coin perpetual's mark, rounded down, once it has one).
    pub fn spot_holding_value(&self, i: InstrumentId, qty: Qty) -> Money {
        let last = self.inst[i.index()].market.last_trade.map(|t| t.price);
        let quote = last.map_or(Money::ZERO, |px| px.notional(qty, Rounding::Down));
        match self.coin_perp().and_then(|c| self.mark_price(c)) {
            Some(m) => quote
                .per_price(m, Rounding::Down)
                .map_or(Money::ZERO, |q| Money::from_raw(q.raw())),
            None => quote,
        }
    }

    /// The totals of the account whose figures are `f` (see [`AccountTotals`]).
    pub fn account_totals(&self, f: &AccountFigures) -> AccountTotals {
        let mut t = AccountTotals::default();
        let mut isolated_equity = Money::ZERO;
        let mut isolated_mm = Money::ZERO;
        for p in &f.positions {
            t.upnl += p.upnl;
            t.initial_margin += p.margin;
            if p.mode == MarginMode::Isolated {
                isolated_equity += p.margin + p.upnl;
                isolated_mm += p.maint_margin;
            }
        }
        for o in &f.orders {
            t.initial_margin += o.reserved;
        }
        let mut spot_value = Money::ZERO;
        for &(i, q) in &f.spot {
            if let Some(t) = self.inst[i.index()].market.last_trade {
                spot_value += t.price.notional(q, Rounding::Down);
            }
        }
        t.margin_balance = f.equity + isolated_equity;
        t.maint_margin = f.maint_margin + isolated_mm;
        t.spot_total = f.spot_quote + spot_value;
        t.equity = t.margin_balance
            + match self.coin_perp() {
                None => t.spot_total,
                Some(i) => self
                    .mark_price(i)
                    .and_then(|m| t.spot_total.per_price(m, Rounding::Down))
                    .map_or(Money::ZERO, |q| Money::from_raw(q.raw())),
            };
        t
    }
}

/// A liquidation-index key as a price: `None` when no positive mark liquidates the position
/// (as [`crate::PositionState::liquidation_price`]).
fn liquidation_price(qty: Qty, key: Option<i64>) -> Option<Price> {
    key.and_then(|k| {
        let never = if qty.is_positive() {
            k <= 0
        } else {
            k < 0 || k == i64::MAX
        };
        (!never).then(|| Price::from_raw(k))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{InstrumentConfig, VenueRules};
    use cascade_types::*;

    /// The figures of `account`, in the shape of [`AccountFigures`].
    fn expected(ex: &Exchange, a: AccountId) -> AccountFigures {
        let v = ex.account(a);
        AccountFigures {
            account: v.account,
            wallet: v.wallet,
            spot_quote: v.spot_quote,
            spot: v.spot,
            equity: v.equity,
            available: v.available,
            maint_margin: v.maint_margin,
            margin_ratio: v.margin_ratio,
            positions: v
                .positions
                .into_iter()
                .map(|p| PositionFigures {
                    instrument: p.instrument,
                    qty: p.qty,
                    entry: p.entry,
                    mark: p.mark,
                    upnl: p.upnl,
                    notional: p.notional,
                    liquidation_price: p.liquidation_price,
                    margin: p.margin,
                    maint_margin: p.maint_margin,
                    leverage: p.leverage,
                    mode: p.mode,
                })
                .collect(),
            orders: v.orders,
        }
    }

    /// Random order flow over two perpetuals and a spot market, several accounts in cross
    /// and isolated margin, resting orders, mark moves that liquidate: after every step,
    /// `account_into` (into one reused value per account) equals `account` for every
    /// account; now and then also with every mark taken away.
    #[test]
    fn account_into_equals_account_after_every_step() {
        let date = Ts::parse_utc("2024-08-05").unwrap();
        let spot = InstrumentSpec::new(
            "binance-spot",
            "BTCUSDT",
            InstrumentKind::Spot,
            "BTC",
            "USDT",
        );
        let mut ex = Exchange::new(
            VenueRules::binance_usdm(date),
            vec![
                InstrumentConfig::binance_usdm("BTCUSDT", date).unwrap(),
                InstrumentConfig::binance_usdm("ETHUSDT", date).unwrap(),
                InstrumentConfig::spot(spot),
            ],
        )
        .unwrap();
        ex.seed_insurance_fund(0, Money::from_int(1_000_000));
        let accounts: Vec<AccountId> = (0..5)
            .map(|k| ex.open_account(Money::from_int(2_000 + 3_000 * k)))
            .collect();
        let mut out = Vec::new();
        let t0 = Ts::parse_utc("2024-08-05T00:00:00Z").unwrap();
        for &a in &accounts[..2] {
            // Two accounts start isolated on both perpetuals, the others cross.
            for i in 0..2 {
                let mode = MarginMode::Isolated;
                let instrument = InstrumentId(i);
                ex.on_command(
                    t0,
                    a,
                    &Command::SetMarginMode { instrument, mode },
                    &mut out,
                );
            }
        }
        let mut figures: Vec<AccountFigures> = vec![AccountFigures::default(); accounts.len()];
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        // 60,000, 3,000 and 60,000 in ticks of 0.1, 0.01 and 0.1.
        let mut px = [600_000i64, 300_000, 600_000];
        let scale = [10_000_000i64, 1_000_000, 10_000_000];
        let mut seen = [0usize; 4]; // cross, isolated, without marks, orders
        for step in 0..6_000i64 {
            let ts = t0.plus_nanos(step * 250_000_000);
            let r = rnd();
            let i = (r % 3) as usize;
            let inst = InstrumentId(i as u32);
            px[i] = (px[i] + (r >> 8) as i64 % 41 - 20).max(1);
            let price = Price::from_raw(px[i] * scale[i]);
            let a = accounts[(r >> 16) as usize % accounts.len()];
            let body = match (r >> 24) % 10 {
                0 | 1 => Some(EventBody::MarkPrice(price)),
                2..=4 => Some(EventBody::BookTop(BookTop {
                    bid_price: Price::from_raw((px[i] - 1) * scale[i]),
                    bid_qty: Qty::from_int(40),
                    ask_price: price,
                    ask_qty: Qty::from_int(40),
                })),
                5 | 6 => Some(EventBody::Trade(Trade {
                    price,
                    qty: Qty::from_raw(((r >> 32) % 300 + 1) as i64 * 1_000_000),
                    aggressor: if r & 1 == 0 { Side::Buy } else { Side::Sell },
                    trade_id: step as u64,
                })),
                _ => None,
            };
            if let Some(body) = body {
                ex.on_market(
                    &Event {
                        ts,
                        instrument: inst,
                        body,
                    },
                    &mut out,
                );
            } else {
                let side = if (r >> 40) & 1 == 0 {
                    Side::Buy
                } else {
                    Side::Sell
                };
                let qty = Qty::from_raw(((r >> 41) % 50 + 1) as i64 * 1_000_000);
                let command = match (r >> 48) % 8 {
                    0 => Command::SetMarginMode {
                        instrument: inst,
                        mode: if (r >> 51) & 1 == 0 {
                            MarginMode::Cross
                        } else {
                            MarginMode::Isolated
                        },
                    },
                    1 => Command::SetLeverage {
                        instrument: inst,
                        leverage: 1 + ((r >> 52) % 50) as u32,
                    },
                    2 => Command::CancelAll { instrument: inst },
                    3 | 4 => {
                        let off = ((r >> 53) % 40) as i64 - 20;
                        Command::Place(OrderRequest {
                            client_id: step as u64,
                            instrument: inst,
                            side,
                            qty,
                            kind: OrderKind::Limit {
                                price: Price::from_raw((px[i] + off).max(1) * scale[i]),
                            },
                            tif: TimeInForce::Gtc,
                            reduce_only: false,
                            post_only: false,
                        })
                    }
                    _ => Command::Place(OrderRequest {
                        client_id: step as u64,
                        instrument: inst,
                        side,
                        qty,
                        kind: OrderKind::Market,
                        tif: TimeInForce::Ioc,
                        reduce_only: (r >> 54) & 3 == 0,
                        post_only: false,
                    }),
                };
                ex.on_command(ts, a, &command, &mut out);
            }
            out.clear();
            for (k, &a) in accounts.iter().enumerate() {
                ex.account_into(a, &mut figures[k]);
                assert_eq!(figures[k], expected(&ex, a), "step {step}, {a}");
                let f = &figures[k];
                seen[0] += f.positions.iter().any(|p| p.mode == MarginMode::Cross) as usize;
                seen[1] += f.positions.iter().any(|p| p.mode == MarginMode::Isolated) as usize;
                seen[3] += !f.orders.is_empty() as usize;
            }
            if step % 50 == 0 {
                // Positions without a mark are valued at their entry, rounded differently
                // for the available balance: a book top sets the mark before any fill, so
                // this flow never gets there by itself; take the marks away in a copy.
                let mut bare = ex.clone();
                for inst in &mut bare.inst {
                    inst.market.mark = None;
                }
                for (k, &a) in accounts.iter().enumerate() {
                    bare.account_into(a, &mut figures[k]);
                    assert_eq!(figures[k], expected(&bare, a), "step {step}, {a}, no marks");
                    seen[2] += !figures[k].positions.is_empty() as usize;
                }
            }
        }
        // The flow must reach every case it is there for.
        assert!(seen.iter().all(|&n| n > 100), "cases seen: {seen:?}");
    }
}
