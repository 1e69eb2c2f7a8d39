//! Auto-deleveraging: when a liquidation's deficit goes to ADL, the bankrupt position is
//! closed against the opposite side's positions, best-ranked first, at the venue's ADL price,
//! with no fee. Each victim's orders on the instrument are cancelled first. Any account can be
//! a victim, the strategy's own included; the market account is the last resort of the queue
//! (it holds the rest of the market's open interest, so the queue always suffices). A victim
//! never gives up more than its pool's equity (see `adl_capacity`): when the ADL price is
//! worse for it than the mark, only the quantity its equity covers is taken from it.
//!
//! Ranking scans the instrument's holders in account order (a bitset) and scores the victim
//! side's positions — `O(p log p)` — on the ADL path only, once per input and side (a
//! cascade reuses it), because every venue ranks on current marks and nothing cheaper stays
//! exact; or, with [`AdlRules::queue_refresh_s`](crate::AdlRules::queue_refresh_s), once per
//! refresh period. A cursor skips the emptied head of a reused queue. Scores are fixed-point
//! rates (10⁻⁸) computed in `i128`; ties go to the lower account id.

use crate::exchange::Exchange;
use crate::margin::{self, E16, E8};
use crate::rules::{AdlPrice, AdlRanking};
use cascade_types::{
    AccountId, InstrumentId, LiquidationKind, Money, Output, Price, Qty, Rounding, Side, Ts,
};

/// The largest factor of a score (10⁶ as a rate): effective leverage of a pool with no
/// positive equity, and any ratio beyond it, is capped here so products stay in `i128` and
/// scores stay ordered.
const LEVERAGE_CAP: i128 = E8 * 1_000_000;

/// `a / b` truncated toward zero, as `i128` division does, in `i64` when both fit (a
/// hardware division rather than a library call).
fn quot(a: i128, b: i128) -> i128 {
    match (i64::try_from(a), i64::try_from(b)) {
        (Ok(x), Ok(y)) if y != 0 && !(x == i64::MIN && y == -1) => (x / y) as i128,
        _ => a / b,
    }
}

/// Best first: higher score, then lower account. Unique on `(score, account)`, so unstable
/// sorting and selection give one order.
fn rank_order(x: &(i64, u32), y: &(i64, u32)) -> std::cmp::Ordering {
    y.0.cmp(&x.0).then(x.1.cmp(&y.1))
}

/// Puts at least the first `need` entries of `ranked` in their final order, given that the
/// first `*sorted` already are: the best of the rest are selected (`O(n)`) and only they are
/// sorted, in chunks that double, so a walk that stops early never pays for sorting the whole
/// queue, and one that goes to the end pays `O(n log n)` as a full sort would. The order of
/// every entry handed out is exactly that of a full sort.
fn rank_to(ranked: &mut [(i64, u32)], sorted: &mut usize, need: usize) {
    let len = ranked.len();
    if need <= *sorted || *sorted >= len {
        return;
    }
    let end = (*sorted + (*sorted).max(len / 32).max(1_024))
        .max(need)
        .min(len);
    let tail = &mut ranked[*sorted..];
    let m = end - *sorted;
    if end < len {
        tail.select_nth_unstable_by(m - 1, rank_order);
    }
    tail[..m].sort_unstable_by(rank_order);
    *sorted = end;
}

impl Exchange {
    /// The ADL score of account `a`'s position on `i` (higher is deleveraged first).
    pub(crate) fn adl_score(&self, a: AccountId, i: InstrumentId) -> i128 {
        let acc = &self.accounts[a.index()];
        let p = acc.position(i).expect("ranked positions exist");
        let pool = Self::pool_of(p);
        let mark = self.mark_raw(p);
        let t = p.terms();
        let contract = self.inst[i.index()].contract;
        // Ratios on money in raw 10⁻⁸ units: exact enough to rank, and far from overflow.
        // Every division in a score truncates toward zero: scores only order positions.
        // For inverse every figure is in coin, and the upnl is in profit when the price
        // moved the position's way, as for linear.
        let raw = margin::floor_div_e16;
        let upnl_x = contract.upnl_x(mark, t);
        if self.rules.adl.ranking == AdlRanking::BinanceLeveragePnl {
            // PnL% is zero unless the upnl is at least one raw unit, and then so is the
            // score: positions in loss (half the book in a crash) cost one product.
            if upnl_x < E16 {
                return 0;
            }
            let only = acc
                .positions
                .iter()
                .filter(|q| Self::in_pool(q, pool))
                .count()
                == 1;
            let (eq, mm) = if only {
                // The pool is this position and its wallet: `pool_x` without walking it again
                // (the same sums).
                let inst = &self.inst[i.index()];
                let (u, m) = contract.upnl_mm_x(inst.tiers(), self.rules.mm_basis, mark, t);
                (margin::money_x(self.pool_wallet(a, pool)) + u, m)
            } else {
                self.pool_x(a, pool)
            };
            let (eq, mm) = (raw(eq), raw(mm));
            if eq <= 0 {
                return 0; // margin ratio 0
            }
            let upnl = raw(upnl_x);
            let wallet = (self.pool_wallet(a, pool).raw() as i128).max(Money::ONE.raw() as i128);
            let pnl_pct = quot(upnl * E8, wallet).min(LEVERAGE_CAP);
            let margin_ratio = quot(mm * E8, eq).min(LEVERAGE_CAP);
            return quot(pnl_pct * margin_ratio, E8);
        }
        let upnl = raw(upnl_x);
        let (eq, _) = self.pool_x(a, pool);
        let eq = raw(eq);
        let notional = contract.notional_raw(mark, t);
        let cost = (t.cost as i128).abs();
        let eff_lev = if eq > 0 {
            (notional * E8 / eq).min(LEVERAGE_CAP)
        } else {
            LEVERAGE_CAP
        };
        match self.rules.adl.ranking {
            AdlRanking::BinanceLeveragePnl => unreachable!("ranked above"),
            AdlRanking::PnlTimesLeverage => {
                if cost == 0 {
                    return 0;
                }
                let pnl_pct = (upnl * E8 / cost).clamp(-LEVERAGE_CAP, LEVERAGE_CAP);
                if pnl_pct > 0 {
                    pnl_pct * eff_lev / E8
                } else {
                    pnl_pct * E8 / eff_lev.max(1)
                }
            }
            AdlRanking::Hyperliquid => {
                if cost == 0 || notional == 0 {
                    return 0;
                }
                // mark / entry for longs; entry / mark for shorts (the docs leave the sign open).
                // An inverse notional falls as the price rises, so the ratios swap.
                let ratio = if (t.qty > 0) == contract.seller_wants_more() {
                    notional * E8 / cost
                } else {
                    cost * E8 / notional
                }
                .min(LEVERAGE_CAP);
                ratio * eff_lev / E8
            }
        }
    }

    /// How much of `victim`'s position on `i` can be closed at `price` without taking its
    /// pool below zero equity. A victim is normally in profit and loses nothing against its
    /// mark; but when the ADL price is worse for it than the mark (a gap through a bankruptcy
    /// price far from the market), each unit costs `|price − mark|`, and the victim gives up
    /// at most its whole equity — the rest of the queue, and finally the market account,
    /// takes the remainder. A victim already below zero equity gives nothing. Whole lots,
    /// rounded down.
    fn adl_capacity(&self, victim: AccountId, i: InstrumentId, price: Price) -> Qty {
        let acc = &self.accounts[victim.index()];
        let Some(p) = acc.position(i) else {
            return Qty::ZERO;
        };
        let mark = self.mark_raw(p);
        let (eq, _) = self.pool_x(victim, Self::pool_of(p));
        if eq < 0 {
            // Bankrupt itself (the same mark move took it under): it is liquidated on its own
            // account, not used to absorb someone else's deficit.
            return Qty::ZERO;
        }
        // A victim long sells at `price`, a victim short buys at it: what one raw unit costs
        // it against the mark (exact for linear, rounded up for inverse).
        let unit =
            self.inst[i.index()]
                .contract
                .adverse_unit_x(mark, price.raw(), p.qty.is_positive());
        if unit <= 0 {
            return p.qty.abs();
        }
        // One unit of money of slack for the rounding of each piece's notional.
        let spare = eq - margin::money_x(Money::from_raw(1));
        if spare <= 0 {
            return Qty::ZERO;
        }
        // Floor (both positive): never more than the equity covers.
        let raw = (spare / unit).min(p.qty.abs().raw() as i128) as i64;
        let lot = self.inst[i.index()].cfg.spec.lot.raw();
        Qty::from_raw(raw - raw.rem_euclid(lot))
    }

    /// Closes `qty` of the bankrupt account `a`'s position on `i` against the ADL queue.
    /// `bk` is the position's bankruptcy price.
    pub(crate) fn adl_close(
        &mut self,
        a: AccountId,
        i: InstrumentId,
        qty: Qty,
        bk: i64,
        out: &mut Vec<Output>,
    ) {
        let p = self.accounts[a.index()]
            .position(i)
            .expect("ADL of an open position");
        let long = p.qty.is_positive();
        let pool = Self::pool_of(p);
        let contract = self.inst[i.index()].contract;
        // A larger notional is better for the bankrupt side (a linear seller, an inverse
        // buyer).
        let up = long == contract.seller_wants_more();
        let m = &self.inst[i.index()].market;
        let mark = m.mark.map_or(bk, Price::raw);
        let mut price = match self.rules.adl.price {
            AdlPrice::Bankruptcy => bk,
            AdlPrice::Mark => mark,
            AdlPrice::PreviousMark => m.prev_mark.map_or(mark, Price::raw),
        };
        // The bankrupt side's favour (linear: a seller's notional rounds up, a buyer's down).
        let favour = if up { Rounding::Up } else { Rounding::Down };
        let against = if up { Rounding::Down } else { Rounding::Up };
        let bk_price = Price::from_raw(bk);
        // A mark-based price worse than bankruptcy leaves a gap the fund must pay first;
        // when it cannot, the bankruptcy price is used.
        let worse = if long { price < bk } else { price > bk };
        let mut gap = Money::ZERO;
        if worse {
            let n_bk = contract.value(bk_price, qty, favour);
            let n_px = contract.value(Price::from_raw(price), qty, against);
            gap = if up { n_bk - n_px } else { n_px - n_bk };
            if self.funds[self.fund_of(i.index())] < gap {
                price = bk;
                gap = Money::ZERO;
            }
        }
        let price = Price::from_raw(price);
        out.push(Output::Liquidation {
            account: a,
            instrument: i,
            kind: LiquidationKind::Adl,
            side: if long { Side::Sell } else { Side::Buy },
            qty,
            price,
            bankruptcy_price: bk_price,
            fee: Money::ZERO,
        });
        if gap.is_positive() {
            self.fund_move(i.index(), -gap, out);
            self.pool_pay(a, pool, -gap);
        }
        // Rank the other side.
        let victim_long = !long;
        // The queue is ranked once per input (venues publish it periodically, not per
        // liquidation) and reused by every ADL of the same input on the same side: a cascade
        // of k bankruptcies costs one O(p log p) ranking, not k. Victims' quantities and
        // capacities are read live below.
        // With a refresh period the ranking lives for a period of the UTC clock instead
        // (`AdlRules::queue_refresh_s`); the top bit keeps periods apart from input numbers.
        let refresh_s = self.rules.adl.queue_refresh_s;
        let epoch = if refresh_s == 0 {
            self.input_seq
        } else {
            let period = self
                .now
                .nanos()
                .div_euclid(refresh_s as i64 * Ts::NANOS_PER_SEC);
            (period as u64) | (1 << 63)
        };
        let key = (epoch, i, victim_long);
        let mut ranked = std::mem::take(&mut self.adl_queue);
        if self.adl_queue_key != Some(key) {
            ranked.clear();
            // Holders in account order: accounts are laid out by id, so the walk is
            // sequential in memory (a walk in key order would jump around a million of them).
            let holders = std::mem::take(&mut self.inst[i.index()].holders);
            for v in holders.iter() {
                let Some(vp) = self.accounts[v as usize].position(i) else {
                    continue;
                };
                if vp.qty.is_positive() != victim_long {
                    continue;
                }
                let s = self.adl_score(AccountId(v), i);
                // Kept as i64: scores beyond ±9.2·10¹⁰ (a billion times leverage) are
                // clamped, which keeps their order among themselves.
                ranked.push((s.clamp(i64::MIN as i128 + 1, i64::MAX as i128) as i64, v));
            }
            self.inst[i.index()].holders = holders;
            // Ordered lazily (`rank_to`): a period's ADL usually reaches a small part of it.
            self.adl_queue_key = Some(key);
            self.adl_queue_cursor = 0;
            self.adl_queue_sorted = 0;
        }
        let mut sorted = self.adl_queue_sorted;
        let mut left = qty;
        let trader_dq = |q: Qty| if long { -q } else { q };
        // Victims before the cursor hold nothing on the victim side any more: ADL only ever
        // shrinks a victim, so a cascade of k bankruptcies walks the queue once, not k times.
        let mut k = self.adl_queue_cursor;
        let mut front = true;
        while left.is_positive() {
            rank_to(&mut ranked, &mut sorted, k + 1);
            let victim = match ranked.get(k) {
                Some(&(_, v)) => AccountId(v),
                None => Self::MARKET,
            };
            k += 1;
            // The market account, last, takes whatever is left whatever it holds: it stands
            // for the rest of the market, whose aggregate position is always opposite.
            let take = if victim == Self::MARKET {
                left
            } else {
                // Read live: a ranking reused across inputs may list a position that has
                // since shrunk, closed or (a strategy's) flipped to the bankrupt's side.
                let held = self.accounts[victim.index()].position_qty(i);
                let held = if held.is_positive() == victim_long {
                    held.abs()
                } else {
                    Qty::ZERO
                };
                if held.is_zero() {
                    if front {
                        self.adl_queue_cursor = k;
                    }
                    continue;
                }
                front = false;
                if victim == a {
                    continue;
                }
                held.min_of(left)
                    .min_of(self.adl_capacity(victim, i, price))
            };
            if take.is_zero() {
                continue;
            }
            if victim != Self::MARKET {
                self.cancel_orders_of(victim, Some(i), out);
            }
            let n = contract.value(price, take, favour);
            // The bankrupt account is re-keyed once, after the loop.
            self.trade_position_unindexed(a, i, trader_dq(take), n, false);
            self.trade_position(victim, i, -trader_dq(take), n, true);
            out.push(Output::Adl {
                victim,
                counterparty: a,
                instrument: i,
                side: if long { Side::Buy } else { Side::Sell },
                qty: take,
                price,
            });
            if victim != Self::MARKET {
                self.worklist.push(victim);
            }
            left -= take;
        }
        self.adl_queue = ranked;
        self.adl_queue_sorted = sorted;
        self.refresh_registrations(a, i);
    }

    /// The ADL queue of one side of an instrument as the venue would rank it now: accounts,
    /// best first (the market account excluded). For lights / reports.
    pub fn adl_queue(&self, instrument: InstrumentId, long_side: bool) -> Vec<(AccountId, i128)> {
        let Some(inst) = self.inst.get(instrument.index()) else {
            return Vec::new();
        };
        let mut v: Vec<(AccountId, i128)> = inst
            .holders
            .iter()
            .map(AccountId)
            .filter(|a| {
                self.accounts[a.index()]
                    .position_qty(instrument)
                    .is_positive()
                    == long_side
            })
            .map(|a| (a, self.adl_score(a, instrument)))
            .collect();
        v.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        v
    }
}
