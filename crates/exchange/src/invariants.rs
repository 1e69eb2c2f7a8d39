//! The invariant checker: a whole-state audit meant to run after every event in tests
//! (TigerBeetle-style). It is `O(accounts + positions + orders)`, so it is for tests and
//! debugging, never the hot path.

use crate::exchange::{Exchange, Pool};
use crate::margin;
use crate::ExchangeError;
use cascade_types::{InstrumentKind, MarginMode, Money, Qty};

/// Checks every invariant of the exchange:
///
/// 1. **Cash**: `Σ (futures wallet + spot wallet + isolated margins − cost bases)` over all
///    accounts (the market included) `+` insurance funds `+` fee pool `+` funding pool equals
///    the money deposited, to the last 10⁻⁸. (`−cost basis` is the positions' value at a
///    price of zero; with long and short open interest equal, the sum of everyone's upnl at
///    any common price is the same number.) On an inverse exchange the ledger is in coin and
///    a cost basis (the coin value paid for a long) counts with a `+`: `Σ (futures wallet +
///    isolated margins + cost bases)` `+` funds `+` fee pool `+` funding pool `+` coin moved
///    into spot holdings equals the futures deposits and seeds; and, apart, in the spot quote
///    currency, `Σ spot wallets + spot fee pool` equals the spot deposits.
/// 2. **Open interest**: on every perpetual, long open interest equals short open interest;
///    on every spot market, holdings sum to zero (the market account is short what others
///    bought) — except the settlement coin's spot market on an inverse exchange, whose
///    holdings sum to the coin transferred in from futures wallets.
/// 3. **No negative balance** outside the market account: every pool's equity at mark is
///    `≥ 0` (the bankruptcy path closes at the bankruptcy price, with the fund or ADL
///    covering), spot balances are `≥ 0`, the funds (except the fund of contracts under an
///    ADL guarantee, which pays every deficit) and the funding pool are `≥ 0`.
/// 4. **Liquidation search is complete**: no pool is below maintenance after an event unless
///    it is waiting out a liquidation cooldown; every position's key in the index is the key
///    recomputed from scratch, and the index holds nothing else.
/// 5. **Orders**: every account's reserved margin is the sum over its open orders, and the
///    order indices agree.
pub fn check_invariants(ex: &Exchange) -> Result<(), ExchangeError> {
    let fail = |m: String| Err(ExchangeError::Invariant(m));
    // 1. Cash.
    let inverse = ex.settlement.is_inverse();
    let mut total: i128 = 0;
    let mut spot_total: i128 = ex.spot_fee_pool.raw() as i128;
    for acc in &ex.accounts {
        total += acc.wallet.raw() as i128;
        if inverse {
            spot_total += acc.spot_quote.raw() as i128;
        } else {
            total += acc.spot_quote.raw() as i128;
        }
        for p in &acc.positions {
            let cost = p.cost.raw() as i128;
            total += p.iso_margin.raw() as i128 + if inverse { cost } else { -cost };
        }
    }
    for f in &ex.funds {
        total += f.raw() as i128;
    }
    total += ex.fee_pool.raw() as i128 + ex.funding_pool.raw() as i128;
    total += ex.coin_to_spot.raw() as i128;
    if spot_total != ex.spot_deposits.raw() as i128 {
        return fail(format!(
            "spot cash: spot wallets + spot fee pool = {} but spot deposits = {}",
            Money::from_raw(spot_total as i64),
            ex.spot_deposits
        ));
    }
    if total != ex.deposits.raw() as i128 {
        return fail(format!(
            "cash: accounts + funds + pools = {} but deposits = {} (difference {} raw)",
            Money::from_raw(total as i64),
            ex.deposits,
            total - ex.deposits.raw() as i128
        ));
    }
    // 2. Open interest.
    for (k, inst) in ex.inst.iter().enumerate() {
        let id = cascade_types::InstrumentId(k as u32);
        let mut net: i128 = 0;
        let mut holders = 0usize;
        for (a, acc) in ex.accounts.iter().enumerate() {
            match inst.cfg.spec.kind {
                InstrumentKind::Spot => net += acc.spot(id).raw() as i128,
                _ => {
                    if let Some(p) = acc.position(id) {
                        net += p.qty.raw() as i128;
                        if a != 0 {
                            holders += 1;
                            if !inst.holders.contains(&(a as u32)) {
                                return fail(format!(
                                    "{id}: a{a} holds a position but is not a holder"
                                ));
                            }
                        }
                        if p.qty.is_zero() {
                            return fail(format!("{id}: a{a} keeps a flat position"));
                        }
                    }
                }
            }
        }
        if ex.coin_spot == Some(id) {
            // Coin transferred in from futures wallets sits in these holdings.
            net -= ex.coin_to_spot.raw() as i128;
        }
        if net != 0 {
            return fail(format!(
                "{id}: long and short open interest differ by {} raw",
                net
            ));
        }
        if holders != inst.holders.len() {
            return fail(format!(
                "{id}: {} holders listed, {holders} hold",
                inst.holders.len()
            ));
        }
    }
    for (f, bal) in ex.funds.iter().enumerate() {
        // Under an ADL guarantee the fund of a guaranteed contract pays every deficit.
        let guaranteed = ex.rules.adl.guarantee.is_some()
            && ex
                .inst
                .iter()
                .any(|x| x.cfg.adl_guaranteed && x.cfg.fund as usize == f);
        if bal.is_negative() && !guaranteed {
            return fail(format!("insurance fund {f} is negative: {bal}"));
        }
    }
    if ex.funding_pool.is_negative() {
        return fail(format!("funding pool is negative: {}", ex.funding_pool));
    }
    // 3 and 4, per account.
    let mut keyed = vec![0usize; ex.inst.len()];
    for (a, acc) in ex.accounts.iter().enumerate().skip(1) {
        let id = cascade_types::AccountId(a as u32);
        if acc.spot_quote.is_negative() || acc.spot_base.iter().any(|(_, q)| *q < Qty::ZERO) {
            return fail(format!("{id}: negative spot balance"));
        }
        let mut pools = Vec::new();
        if acc.positions.iter().any(|p| p.mode == MarginMode::Cross) || acc.wallet.is_negative() {
            pools.push(Pool::Cross);
        }
        pools.extend(
            acc.positions
                .iter()
                .filter(|p| p.mode == MarginMode::Isolated)
                .map(|p| Pool::Isolated(p.instrument)),
        );
        for pool in pools {
            let (eq, mm) = ex.pool_x(id, pool);
            if eq < 0 {
                return fail(format!(
                    "{id} {pool:?}: equity {} below zero",
                    margin::x_to_money(eq, cascade_types::Rounding::Down)
                ));
            }
            let waiting = acc
                .positions
                .iter()
                .any(|p| Exchange::in_pool(p, pool) && p.slice_at.is_some());
            if eq < mm && !waiting {
                return fail(format!(
                    "{id} {pool:?}: equity {} below maintenance {} and not liquidated",
                    margin::x_to_money(eq, cascade_types::Rounding::Down),
                    margin::x_to_money(mm, cascade_types::Rounding::Up)
                ));
            }
        }
        // Keys, recomputed from scratch.
        let mut fresh = ExchangeKeys::default();
        fresh.compute(ex, id);
        for p in &acc.positions {
            let Some(key) = p.key else {
                return fail(format!(
                    "{id}: position on {} is not in the liquidation index",
                    p.instrument
                ));
            };
            let inst = &ex.inst[p.instrument.index()];
            let set = if p.qty.is_positive() {
                &inst.longs
            } else {
                &inst.shorts
            };
            if !set.contains(&(key, a as u32)) {
                return fail(format!(
                    "{id}: key {key} of {} missing from the index",
                    p.instrument
                ));
            }
            let want = fresh.get(p.instrument);
            if Some(key) != want {
                return fail(format!(
                    "{id}: stale key on {}: {key}, recomputed {want:?}",
                    p.instrument
                ));
            }
            keyed[p.instrument.index()] += 1;
        }
        // 5. Orders.
        let mut reserved = Money::ZERO;
        for oid in &acc.orders {
            let Some(o) = ex.orders.get(oid) else {
                return fail(format!("{id}: lists unknown order {oid}"));
            };
            if o.account != id {
                return fail(format!("{id}: lists {oid} of {}", o.account));
            }
            reserved += o.reserved;
        }
        if reserved != acc.reserved {
            return fail(format!(
                "{id}: reserved {} but its orders reserve {reserved}",
                acc.reserved
            ));
        }
    }
    for (k, inst) in ex.inst.iter().enumerate() {
        if inst.longs.len() + inst.shorts.len() != keyed[k] {
            return fail(format!("i{k}: the liquidation index holds stale entries"));
        }
        let long_max = inst.longs.last().map_or(i64::MIN, |&(key, _)| key);
        let short_min = inst.shorts.first().map_or(i64::MAX, |&(key, _)| key);
        if (long_max, short_min) != (inst.long_max, inst.short_min) {
            return fail(format!("i{k}: cached index bounds are stale"));
        }
    }
    let listed: usize = ex.accounts.iter().map(|a| a.orders.len()).sum();
    let booked: usize = ex.inst.iter().map(|i| i.book.len()).sum();
    if listed != ex.orders.len() || booked != ex.orders.len() {
        return fail(format!(
            "orders: {} open, {listed} listed by accounts, {booked} in books",
            ex.orders.len()
        ));
    }
    Ok(())
}

/// Keys of one account's positions recomputed without the incremental machinery.
#[derive(Default)]
struct ExchangeKeys {
    keys: Vec<(cascade_types::InstrumentId, i64)>,
}

impl ExchangeKeys {
    fn compute(&mut self, ex: &Exchange, a: cascade_types::AccountId) {
        let acc = &ex.accounts[a.index()];
        for p in &acc.positions {
            let pool = Exchange::pool_of(p);
            let mut rest = margin::money_x(ex.pool_wallet(a, pool));
            for o in acc
                .positions
                .iter()
                .filter(|o| Exchange::in_pool(o, pool) && o.instrument != p.instrument)
            {
                let mark = ex.mark_raw(o);
                let inst = &ex.inst[o.instrument.index()];
                let (u, mm) =
                    inst.contract
                        .upnl_mm_x(inst.tiers(), ex.rules.mm_basis, mark, o.terms());
                rest += u - mm;
            }
            let inst = &ex.inst[p.instrument.index()];
            self.keys.push((
                p.instrument,
                inst.contract
                    .liq_key(inst.tiers(), ex.rules.mm_basis, p.terms(), rest),
            ));
        }
    }

    fn get(&self, i: cascade_types::InstrumentId) -> Option<i64> {
        self.keys.iter().find(|(x, _)| *x == i).map(|(_, k)| *k)
    }
}
