//! Liquidation: finding unhealthy pools exactly, and the waterfall of MECHANICS A0.4 as each
//! venue runs it.
//!
//! An account reaches [`Exchange::check_account`] from the liquidation index (a mark crossed
//! its key), after its own fills, after funding, and after being ADL'd. Each unhealthy pool
//! (`equity < maintenance margin`, exact) goes through one step at a time, re-checked after
//! every step:
//!
//! 1. its open orders are cancelled (cross: all the account's orders; isolated: that
//!    instrument's);
//! 2. **backstop** (Hyperliquid): below `num/den` of MM, every position of the pool is taken
//!    over at its bankruptcy price — the remaining margin goes to the fund;
//! 3. **partial step** of the largest position of the pool: `TierStep` closes through the
//!    book just enough to drop the notional by `tiers_per_step` brackets; `Slice` closes a
//!    fraction above a notional, then waits out the cooldown;
//! 4. **full close** of every position of the pool, by the venue's [`CloseStyle`].
//!
//! Every close is priced twice: `px`, what the book gives (the slippage rule), and `bk`, the
//! bankruptcy price (pool equity zero, other positions at their marks). The market account
//! takes the position at `px`; the trader closes at `px` (book style, but never worse than
//! `bk`) or at `bk` (takeover); the fund receives the difference, positive or negative. A
//! negative difference is a deficit: when the venue's ADL trigger fires on it, the close goes
//! to ADL instead ([`crate::adl`]) — unless the contract is under the venue's ADL guarantee
//! and it holds ([`crate::AdlGuarantee`]): then the fund pays, below zero if need be. A partial step that would run a deficit is not taken: the
//! full close follows. The liquidation fee (book style) is charged on the closed notional,
//! capped at what the trader keeps above `bk`, and paid to the fund.

use crate::book::walk;
use crate::exchange::{Exchange, Pool};
use crate::rules::{AdlTrigger, CloseStyle, MmBasis, PartialRule};
use cascade_types::{
    AccountId, InstrumentId, LiquidationKind, MarginMode, Money, Output, Price, Qty, Rounding,
    Side, Ts,
};

/// A bound on liquidation steps of one account in one check: each step closes or shrinks a
/// position, so hitting it means a bug.
const MAX_STEPS: usize = 100_000;

/// Who takes a liquidation's deficit.
enum Deficit {
    /// The fund pays it (the venue's trigger does not fire).
    Fund,
    /// The fund pays it under the ADL guarantee, although the trigger fires.
    Guaranteed,
    /// ADL: the trigger fires (and a guarantee, if any, has lapsed at this open interest).
    Adl { lapsed_at: Option<Money> },
}

impl Exchange {
    /// The `k`-th pool of an account: 0 is the cross pool (if it has cross positions),
    /// `k ≥ 1` the isolated position `k − 1` (if isolated).
    fn nth_pool(&self, a: AccountId, k: usize) -> Option<Pool> {
        let acc = &self.accounts[a.index()];
        if k == 0 {
            return acc
                .positions
                .iter()
                .any(|p| p.mode == MarginMode::Cross)
                .then_some(Pool::Cross);
        }
        let p = acc.positions.get(k - 1)?;
        (p.mode == MarginMode::Isolated).then_some(Pool::Isolated(p.instrument))
    }

    /// Is the pool below maintenance (exact)?
    pub(crate) fn pool_unhealthy(&self, a: AccountId, pool: Pool) -> bool {
        let (eq, mm) = self.pool_x(a, pool);
        eq < mm
    }

    /// Liquidates whatever is unhealthy in account `a`, one step at a time, until every pool
    /// is healthy or only waits out a cooldown.
    pub(crate) fn check_account(&mut self, a: AccountId, out: &mut Vec<Output>) {
        if self.accounts[a.index()].is_market {
            return;
        }
        for _ in 0..MAX_STEPS {
            let mut progressed = false;
            let n = self.accounts[a.index()].positions.len();
            for k in 0..=n {
                let Some(pool) = self.nth_pool(a, k) else {
                    continue;
                };
                if !self.pool_unhealthy(a, pool) {
                    self.clear_slices(a, pool);
                    continue;
                }
                if self.liquidate_step(a, pool, out) {
                    progressed = true;
                    break;
                }
            }
            if !progressed {
                return;
            }
        }
        panic!("liquidation of {a} did not converge");
    }

    /// A healthy pool is out of liquidation: forget its slice cooldowns.
    pub(crate) fn clear_slices(&mut self, a: AccountId, pool: Pool) {
        for p in self.accounts[a.index()].positions.iter_mut() {
            if Self::in_pool(p, pool) {
                p.slice_at = None;
            }
        }
    }

    /// One step of the waterfall on an unhealthy pool. False when nothing could be done now
    /// (a slice cooldown is running).
    fn liquidate_step(&mut self, a: AccountId, pool: Pool, out: &mut Vec<Output>) -> bool {
        let liq = self.rules.liquidation;
        let only = match pool {
            Pool::Cross => None,
            Pool::Isolated(i) => Some(i),
        };
        self.cancel_orders_of(a, only, out);
        if let Some(b) = liq.backstop_below {
            let (eq, mm) = self.pool_x(a, pool);
            if eq * (b.den as i128) < mm * (b.num as i128) {
                self.close_pool(
                    a,
                    pool,
                    CloseStyle::Takeover,
                    LiquidationKind::Backstop,
                    out,
                );
                return true;
            }
        }
        let Some((i, qty, notional)) = self.largest_position(a, pool) else {
            return false;
        };
        match liq.partial {
            PartialRule::None => {}
            PartialRule::TierStep { tiers_per_step } => {
                // The bracket is read on the notional MM is computed on (mark or entry), and
                // the step keeps the largest whole-lot quantity below the target's cap.
                let p = self.accounts[a.index()]
                    .position(i)
                    .expect("largest exists");
                let basis_price = match self.rules.mm_basis {
                    MmBasis::Mark => Price::from_raw(self.mark_raw(p)),
                    MmBasis::Entry => self.entry_of(p),
                };
                let contract = self.inst[i.index()].contract;
                let basis_notional = contract.value(basis_price, qty.abs(), Rounding::Down);
                let tiers = self.inst[i.index()].tiers();
                let b = tiers
                    .tiers()
                    .partition_point(|t| t.cap != Money::MAX && t.cap <= basis_notional);
                if b > 0 && basis_price.is_positive() {
                    let target = b.saturating_sub(tiers_per_step as usize);
                    let cap = tiers.tiers()[target].cap - Money::from_raw(1);
                    let lot = self.inst[i.index()].cfg.spec.lot.raw();
                    let keep = contract.qty_within(cap, basis_price);
                    let keep = Qty::from_raw(keep.raw() - keep.raw().rem_euclid(lot));
                    let close = qty.abs() - keep.min_of(qty.abs());
                    if close.is_positive()
                        && close < qty.abs()
                        && self.close_position(
                            a,
                            i,
                            close,
                            CloseStyle::Book,
                            LiquidationKind::Partial,
                            true,
                            out,
                        )
                    {
                        return true;
                    }
                }
            }
            PartialRule::Slice {
                min_notional,
                fraction,
                cooldown_s,
            } => {
                if notional > min_notional {
                    let slice_at = self.accounts[a.index()]
                        .position(i)
                        .and_then(|p| p.slice_at);
                    match slice_at {
                        None => {
                            let lot = self.inst[i.index()].cfg.spec.lot.raw();
                            let part = qty.abs().mul_rate(fraction, Rounding::Down);
                            let part =
                                Qty::from_raw((part.raw() - part.raw().rem_euclid(lot)).max(lot));
                            if part < qty.abs()
                                && self.close_position(
                                    a,
                                    i,
                                    part,
                                    CloseStyle::Book,
                                    LiquidationKind::Partial,
                                    true,
                                    out,
                                )
                            {
                                let acc = &mut self.accounts[a.index()];
                                let k = acc.position_index(i).expect("a slice leaves a position");
                                acc.positions[k].slice_at = Some(self.now);
                                return true;
                            }
                        }
                        Some(t)
                            if self.now.nanos()
                                < t.nanos() + cooldown_s as i64 * Ts::NANOS_PER_SEC =>
                        {
                            return false;
                        }
                        Some(_) => {}
                    }
                }
            }
        }
        let kind = match liq.close {
            CloseStyle::Book => LiquidationKind::Full,
            CloseStyle::Takeover => LiquidationKind::Backstop,
        };
        self.close_pool(a, pool, liq.close, kind, out);
        true
    }

    /// The pool's position with the largest notional at mark (ties: lowest instrument).
    fn largest_position(&self, a: AccountId, pool: Pool) -> Option<(InstrumentId, Qty, Money)> {
        let mut best: Option<(InstrumentId, Qty, Money)> = None;
        for p in self.accounts[a.index()]
            .positions
            .iter()
            .filter(|p| Self::in_pool(p, pool))
        {
            let n = self.inst[p.instrument.index()].contract.value(
                Price::from_raw(self.mark_raw(p)),
                p.qty.abs(),
                Rounding::Down,
            );
            if best.is_none_or(|(_, _, bn)| n > bn) {
                best = Some((p.instrument, p.qty, n));
            }
        }
        best
    }

    /// Closes every position of a pool, in instrument order.
    fn close_pool(
        &mut self,
        a: AccountId,
        pool: Pool,
        style: CloseStyle,
        kind: LiquidationKind,
        out: &mut Vec<Output>,
    ) {
        loop {
            let next = self.accounts[a.index()]
                .positions
                .iter()
                .find(|p| Self::in_pool(p, pool))
                .map(|p| (p.instrument, p.qty.abs()));
            let Some((i, q)) = next else { break };
            self.close_position(a, i, q, style, kind, false, out);
        }
    }

    /// Does the venue hand a deficit of `deficit` on instrument `i` to ADL?
    fn adl_fires(&self, i: usize, deficit: Money) -> bool {
        let fund = self.funds[self.fund_of(i)];
        match self.rules.adl.trigger {
            AdlTrigger::FundInsufficient => fund < deficit,
            AdlTrigger::FundBelowFloor { floor } => fund - deficit < floor,
            AdlTrigger::Always => true,
        }
    }

    /// Who takes a deficit of `deficit` on instrument `i`: the venue's trigger, then its ADL
    /// guarantee ([`crate::AdlGuarantee`]) for a guaranteed contract.
    fn deficit_rule(&self, i: usize, deficit: Money) -> Deficit {
        if !self.adl_fires(i, deficit) {
            return Deficit::Fund;
        }
        match self.rules.adl.guarantee {
            Some(g) if self.inst[i].cfg.adl_guaranteed => {
                let oi = self.guaranteed_open_interest();
                if oi <= g.max_open_interest {
                    Deficit::Guaranteed
                } else {
                    Deficit::Adl {
                        lapsed_at: Some(oi),
                    }
                }
            }
            _ => Deficit::Adl { lapsed_at: None },
        }
    }

    /// The total open interest of the instruments under the ADL guarantee, in the settlement
    /// currency: per instrument its recorded open interest (the value, else the quantity at
    /// the mark), else the exchange's own long open interest at the mark.
    pub fn guaranteed_open_interest(&self) -> Money {
        let mut total = Money::ZERO;
        for (k, x) in self.inst.iter().enumerate() {
            if !x.cfg.adl_guaranteed {
                continue;
            }
            let Some(mark) = x.market.mark else { continue };
            total += match x.market.open_interest {
                Some(o) if o.value.is_positive() => o.value,
                Some(o) => x.contract.value(mark, o.qty, Rounding::Down),
                None => x.contract.value(
                    mark,
                    self.open_interest(InstrumentId(k as u32)),
                    Rounding::Down,
                ),
            };
        }
        total
    }

    /// Closes `qty` of account `a`'s position on `i` for liquidation (see the module docs).
    /// Returns false only for a `partial` close that would run a deficit (nothing is done).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn close_position(
        &mut self,
        a: AccountId,
        i: InstrumentId,
        qty: Qty,
        style: CloseStyle,
        kind: LiquidationKind,
        partial: bool,
        out: &mut Vec<Output>,
    ) -> bool {
        let p = self.accounts[a.index()]
            .position(i)
            .expect("closing an open position");
        let terms = p.terms();
        let pool = Self::pool_of(p);
        let long = p.qty.is_positive();
        let mark = self.mark_raw(p);
        let close_side = if long { Side::Sell } else { Side::Buy };
        let contract = self.inst[i.index()].contract;
        let bk = contract.bankruptcy_raw(terms, self.pool_rest0_x(a, pool, i));
        let bk_price = Price::from_raw(bk);
        let m = &self.inst[i.index()].market;
        let w = walk(
            m,
            contract,
            close_side,
            qty,
            None,
            self.rules.fills.beyond_book_penalty_bps,
            self.rules.fills.no_book,
        );
        // `up`: a larger notional is better for the trader (a linear seller, an inverse
        // buyer); every comparison and rounding below is in the trader's terms.
        let up = long == contract.seller_wants_more();
        let favour = if up { Rounding::Up } else { Rounding::Down };
        let n_px = if w.qty == qty {
            w.notional
        } else {
            contract.value(Price::from_raw(mark), qty, favour)
        };
        let n_bk = contract.value(bk_price, qty, favour);
        let n_t = match style {
            CloseStyle::Book if up => n_px.max_of(n_bk),
            CloseStyle::Book => n_px.min_of(n_bk),
            CloseStyle::Takeover => n_bk,
        };
        // The market account pays (receives) `n_px`, the trader receives (pays) `n_t`.
        let gain = if up { n_px - n_t } else { n_t - n_px };
        if gain.is_negative() {
            if partial {
                return false;
            }
            let f = self.fund_of(i.index());
            match self.deficit_rule(i.index(), -gain) {
                Deficit::Fund => {}
                Deficit::Guaranteed => {
                    let s = &mut self.fund_stats[f];
                    s.guaranteed += 1;
                    s.guaranteed_total -= gain;
                }
                Deficit::Adl { lapsed_at } => {
                    let balance = self.funds[f];
                    let s = &mut self.fund_stats[f];
                    s.to_adl += 1;
                    s.to_adl_total -= gain;
                    s.first_adl.get_or_insert((balance, -gain));
                    if s.lapsed_at_oi.is_none() {
                        s.lapsed_at_oi = lapsed_at;
                    }
                    self.adl_close(a, i, qty, bk, out);
                    return true;
                }
            }
        }
        let dq = if long { -qty } else { qty };
        let fee_rate = self.inst[i.index()]
            .cfg
            .liquidation_fee_rate
            .unwrap_or(self.rules.liquidation.fee_rate);
        // The fee never takes the trader below bankruptcy: cap it at the surplus over `bk`.
        let surplus = if up { n_t - n_bk } else { n_bk - n_t };
        let fee = match style {
            CloseStyle::Book => n_t
                .mul_rate(fee_rate, Rounding::Up)
                .min_of(surplus.max_of(Money::ZERO)),
            CloseStyle::Takeover => Money::ZERO,
        };
        out.push(Output::Liquidation {
            account: a,
            instrument: i,
            kind,
            side: close_side,
            qty,
            price: if contract.is_linear() {
                contract.price_of(n_t, qty)
            } else if n_t == n_bk {
                bk_price // an inverse notional is rounded coin: report the price itself
            } else if w.qty == qty {
                w.vwap()
            } else {
                Price::from_raw(mark)
            },
            bankruptcy_price: bk_price,
            fee,
        });
        self.trade_position(a, i, dq, n_t, false);
        self.trade_position(Self::MARKET, i, -dq, n_px, false);
        let mk = &mut self.inst[i.index()].market;
        match close_side {
            Side::Sell => mk.taken_bids += qty,
            Side::Buy => mk.taken_asks += qty,
        }
        self.fund_move(i.index(), gain, out);
        if fee.is_positive() {
            // Still open: the pool pays; flat: an isolated remainder went to the wallet.
            let payer = if self.accounts[a.index()].position(i).is_some() {
                pool
            } else {
                Pool::Cross
            };
            self.pool_pay(a, payer, fee);
            self.fund_move(i.index(), fee, out);
        }
        self.rekey_account(a);
        true
    }
}
