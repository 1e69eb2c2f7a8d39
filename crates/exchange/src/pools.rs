//! Margin pools and the liquidation index: how a position is valued and keyed, what a pool
//! (the cross wallet, or one isolated position) holds, re-keying after a change, trading a
//! position into place, and paying pools and insurance funds.

use crate::account::Position;
use crate::exchange::{Exchange, Pool};
use crate::margin;
use cascade_types::{AccountId, InstrumentId, MarginMode, Money, Output, Price, Qty};

impl Exchange {
    /// The mark used to value a position: the instrument's mark, else its entry.
    pub(crate) fn mark_raw(&self, p: &Position) -> i64 {
        let inst = &self.inst[p.instrument.index()];
        inst.market
            .mark
            .map_or_else(|| inst.contract.entry(p.qty, p.cost).raw(), Price::raw)
    }

    /// A position's average entry price (harmonic for inverse), half-even.
    pub(crate) fn entry_of(&self, p: &Position) -> Price {
        self.inst[p.instrument.index()]
            .contract
            .entry(p.qty, p.cost)
    }

    pub(crate) fn pool_of(p: &Position) -> Pool {
        match p.mode {
            MarginMode::Cross => Pool::Cross,
            MarginMode::Isolated => Pool::Isolated(p.instrument),
        }
    }

    pub(crate) fn in_pool(p: &Position, pool: Pool) -> bool {
        Self::pool_of(p) == pool
    }

    /// The pool's own money: the cross wallet, or the isolated margin.
    pub(crate) fn pool_wallet(&self, a: AccountId, pool: Pool) -> Money {
        let acc = &self.accounts[a.index()];
        match pool {
            Pool::Cross => acc.wallet,
            Pool::Isolated(i) => acc.position(i).map_or(Money::ZERO, |p| p.iso_margin),
        }
    }

    /// Exact equity and maintenance margin of a pool, in x-units.
    pub(crate) fn pool_x(&self, a: AccountId, pool: Pool) -> (i128, i128) {
        let acc = &self.accounts[a.index()];
        let mut eq = margin::money_x(self.pool_wallet(a, pool));
        let mut mm = 0i128;
        for p in acc.positions.iter().filter(|p| Self::in_pool(p, pool)) {
            let mark = self.mark_raw(p);
            let inst = &self.inst[p.instrument.index()];
            let (u, m) =
                inst.contract
                    .upnl_mm_x(inst.tiers(), self.rules.mm_basis, mark, p.terms());
            eq += u;
            mm += m;
        }
        (eq, mm)
    }

    /// Exact equity of a pool with `except` left out: the wallet plus the other positions'
    /// upnl (`rest0` of a bankruptcy price).
    pub(crate) fn pool_rest0_x(&self, a: AccountId, pool: Pool, except: InstrumentId) -> i128 {
        let acc = &self.accounts[a.index()];
        let mut eq = margin::money_x(self.pool_wallet(a, pool));
        for p in acc
            .positions
            .iter()
            .filter(|p| Self::in_pool(p, pool) && p.instrument != except)
        {
            let contract = self.inst[p.instrument.index()].contract;
            eq += contract.upnl_x(self.mark_raw(p), p.terms());
        }
        eq
    }

    /// Recomputes the liquidation keys of every position of a pool.
    pub(crate) fn rekey_pool(&mut self, a: AccountId, pool: Pool) {
        let acc = &self.accounts[a.index()];
        if acc.is_market {
            return;
        }
        let mut in_pool = acc
            .positions
            .iter()
            .enumerate()
            .filter(|(_, p)| Self::in_pool(p, pool));
        if let (Some((k, p)), None) = (in_pool.next(), in_pool.next()) {
            // The only position of its pool (most accounts): the pool's equity less MM less
            // its own upnl − MM, which the loop below computes, is exactly the wallet.
            let inst = &self.inst[p.instrument.index()];
            let rest = margin::money_x(self.pool_wallet(a, pool));
            let key = inst
                .contract
                .liq_key(inst.tiers(), self.rules.mm_basis, p.terms(), rest);
            self.set_key(a, k, Some(key));
            return;
        }
        let (eq, mm) = self.pool_x(a, pool);
        let total = eq - mm;
        let n = self.accounts[a.index()].positions.len();
        for k in 0..n {
            let p = &self.accounts[a.index()].positions[k];
            if !Self::in_pool(p, pool) {
                continue;
            }
            let inst = &self.inst[p.instrument.index()];
            let mark = self.mark_raw(p);
            let basis = self.rules.mm_basis;
            let (u, m) = inst
                .contract
                .upnl_mm_x(inst.tiers(), basis, mark, p.terms());
            let key = inst
                .contract
                .liq_key(inst.tiers(), basis, p.terms(), total - (u - m));
            self.set_key(a, k, Some(key));
        }
    }

    /// Recomputes every key of an account.
    pub(crate) fn rekey_account(&mut self, a: AccountId) {
        let acc = &self.accounts[a.index()];
        if acc.is_market {
            return;
        }
        if acc.positions.iter().any(|p| p.mode == MarginMode::Cross) {
            self.rekey_pool(a, Pool::Cross);
        }
        let n = self.accounts[a.index()].positions.len();
        for k in 0..n {
            let p = &self.accounts[a.index()].positions[k];
            if p.mode == MarginMode::Isolated {
                let i = p.instrument;
                self.rekey_pool(a, Pool::Isolated(i));
            }
        }
    }

    /// Moves position `k` of account `a` to `key` in its instrument's index.
    pub(crate) fn set_key(&mut self, a: AccountId, k: usize, key: Option<i64>) {
        let p = &mut self.accounts[a.index()].positions[k];
        if p.key == key {
            return;
        }
        let inst = &mut self.inst[p.instrument.index()];
        let long = p.qty.is_positive();
        let set = if long {
            &mut inst.longs
        } else {
            &mut inst.shorts
        };
        if let Some(old) = p.key {
            set.remove(&(old, a.0));
        }
        if let Some(new) = key {
            set.insert((new, a.0));
        }
        // The cached ends move only when the end itself is removed (look it up again) or a
        // key beyond it arrives: a descent of the index only when needed.
        if long {
            if p.key.is_some_and(|old| old >= inst.long_max) {
                inst.long_max = inst.longs.last().map_or(i64::MIN, |&(k, _)| k);
            } else if let Some(new) = key {
                inst.long_max = inst.long_max.max(new);
            }
        } else if p.key.is_some_and(|old| old <= inst.short_min) {
            inst.short_min = inst.shorts.first().map_or(i64::MAX, |&(k, _)| k);
        } else if let Some(new) = key {
            inst.short_min = inst.short_min.min(new);
        }
        p.key = key;
    }

    /// Applies a perpetual trade to account `a` (any account, the market included): updates
    /// the position and its pool and returns the realised PnL. With `release_margin`, an
    /// isolated position's margin goes back to the wallet in proportion to what was closed
    /// (voluntary trades); liquidation keeps it in the position until the position is flat.
    /// Open margin for the opened part of an isolated position is moved in by the caller.
    /// Index registrations are refreshed; the caller queues a liquidation check if needed.
    pub(crate) fn trade_position(
        &mut self,
        a: AccountId,
        i: InstrumentId,
        dq: Qty,
        notional: Money,
        release_margin: bool,
    ) -> Money {
        let realised = self.trade_position_unindexed(a, i, dq, notional, release_margin);
        self.refresh_registrations(a, i);
        realised
    }

    /// [`Exchange::trade_position`] without refreshing the index and registrations: the
    /// position's key is dropped and stays dropped until the caller calls
    /// `refresh_registrations(a, i)` — once after a run of trades of one account (the ADL
    /// loop), instead of re-keying it after every piece.
    pub(crate) fn trade_position_unindexed(
        &mut self,
        a: AccountId,
        i: InstrumentId,
        dq: Qty,
        notional: Money,
        release_margin: bool,
    ) -> Money {
        let default_lev = self.rules.default_leverage;
        let contract = self.inst[i.index()].contract;
        let acc = &mut self.accounts[a.index()];
        let setting = acc.setting(i, default_lev);
        let k = match acc.position_index(i) {
            Some(k) => k,
            None => {
                let at = acc.positions.partition_point(|p| p.instrument < i);
                // Room for exactly one more (most accounts hold one position).
                acc.positions.reserve_exact(1);
                acc.positions.insert(
                    at,
                    Position {
                        instrument: i,
                        qty: Qty::ZERO,
                        cost: Money::ZERO,
                        mode: setting.mode,
                        leverage: setting.leverage,
                        iso_margin: Money::ZERO,
                        key: None,
                        slice_at: None,
                    },
                );
                at
            }
        };
        // Drop the old key first: the side may flip.
        if acc.positions[k].key.is_some() {
            self.set_key(a, k, None);
        }
        let acc = &mut self.accounts[a.index()];
        let p = &mut acc.positions[k];
        let old_abs = p.qty.abs();
        let e = contract.fill_effect(p.qty, p.cost, dq, notional);
        p.qty = e.qty;
        p.cost = e.cost;
        if e.opened.is_positive() && old_abs.is_zero()
            || (e.closed == old_abs && e.opened.is_positive())
        {
            // A fresh position (or a flip) takes the account's current settings.
            p.mode = setting.mode;
            p.leverage = setting.leverage;
            p.slice_at = None;
        }
        match p.mode {
            MarginMode::Cross => acc.wallet += e.realised,
            MarginMode::Isolated => {
                p.iso_margin += e.realised;
                if e.qty.is_zero() || (e.closed == old_abs && e.opened.is_positive()) {
                    // Flat (or flipped): whatever is left of the old margin goes home.
                    let m = p.iso_margin;
                    p.iso_margin = Money::ZERO;
                    acc.wallet += m;
                } else if release_margin && e.closed.is_positive() && p.iso_margin.is_positive() {
                    let share = p
                        .iso_margin
                        .mul_div(e.closed.raw(), old_abs.raw(), cascade_types::Rounding::Down)
                        .expect("fits");
                    p.iso_margin -= share;
                    acc.wallet += share;
                }
            }
        }
        if e.qty.is_zero() {
            acc.positions.remove(k);
        }
        e.realised
    }

    /// Keeps `holders` and `multi_cross` in step with an account's positions after a change
    /// in instrument `i`, and re-keys the account.
    pub(crate) fn refresh_registrations(&mut self, a: AccountId, i: InstrumentId) {
        if self.accounts[a.index()].is_market {
            return;
        }
        let acc = &self.accounts[a.index()];
        let has = acc.position(i).is_some();
        let cross_here = acc.position(i).is_some_and(|p| p.mode == MarginMode::Cross);
        let multi = acc.cross_positions() >= 2;
        let inst = &mut self.inst[i.index()];
        if has {
            inst.holders.insert(a.0);
        } else {
            inst.holders.remove(&a.0);
        }
        if !cross_here {
            inst.multi_cross.remove(&a.0);
        }
        let acc = &self.accounts[a.index()];
        for p in acc.positions.iter().filter(|p| p.mode == MarginMode::Cross) {
            let set = &mut self.inst[p.instrument.index()].multi_cross;
            if multi {
                set.insert(a.0);
            } else {
                set.remove(&a.0);
            }
        }
        self.rekey_account(a);
    }

    /// Moves money between the pools of one account (wallet ↔ isolated margin).
    pub(crate) fn pool_pay(&mut self, a: AccountId, pool: Pool, amount: Money) {
        let acc = &mut self.accounts[a.index()];
        match pool {
            Pool::Cross => acc.wallet -= amount,
            Pool::Isolated(i) => {
                let k = acc
                    .position_index(i)
                    .expect("an isolated pool has its position");
                acc.positions[k].iso_margin -= amount;
            }
        }
    }

    /// The insurance fund index of instrument `i`.
    pub(crate) fn fund_of(&self, i: usize) -> usize {
        self.inst[i].cfg.fund as usize
    }

    /// Moves the insurance fund of instrument `i` by `delta` and reports it.
    pub(crate) fn fund_move(&mut self, i: usize, delta: Money, out: &mut Vec<Output>) {
        if delta.is_zero() {
            return;
        }
        let f = self.fund_of(i);
        self.funds[f] += delta;
        let s = &mut self.fund_stats[f];
        if delta.is_negative() {
            s.paid -= delta;
        } else {
            s.received += delta;
        }
        s.lowest = s.lowest.min_of(self.funds[f]);
        out.push(Output::InsuranceFund {
            instrument: InstrumentId(i as u32),
            delta,
            balance: self.funds[f],
        });
    }
}
