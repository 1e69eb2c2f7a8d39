//! Inverse (coin-margined) perpetual margin math: contracts of a fixed quote value
//! `contract_size` (e.g. 100 USD on Binance COIN-M BTC, 1 USD on BitMEX XBTUSD), margin and PnL
//! in the base coin. Quantities: `contracts` signed (negative = short), coin amounts as
//! [`Money`] in coin.
//!
//! - notional (coin) = `|contracts| × size / price`
//! - upnl (coin) = `contracts × size × (1/entry − 1/mark)`
//! - maintenance (coin) = `notional × mmr − cum` (brackets in coin)
//! - isolated liquidation price: the mark where `margin + upnl = maintenance`:
//!   long `P = c·s·(1 + mmr) / (M + cum + c·s/EP)`,
//!   short `P = a·s·(1 − mmr) / (a·s/EP − M − cum)` with `a = |c|`.
//!
//! The public functions are the closed forms above, for checks and reports. The exchange's
//! own accounts use the crate-private half of this module: the same quantities in exact
//! `i128` x-units (10⁻²⁴ coin, as in `margin`), with one documented rounding, and the
//! liquidation keys and bankruptcy prices found by search on that exact evaluation.
//!
//! **Exact evaluation.** A position holds `q` contracts (raw, signed) of size `s` (raw) and a
//! signed coin cost basis `cost` (long positive: the coin value of what it paid, see
//! `contract`). Its face value is `F = |q|·s` (10⁻¹⁶ quote units). At a mark `m` (raw; a
//! non-positive mark counts as 1 raw, 10⁻⁸) its coin value is
//!
//! ```text
//! A(m)   = floor(F · 10¹⁶ / m)          x-units, the magnitude rounded down
//! N16(m) = floor(A(m) / 10⁸)            = floor(F · 10⁸ / m), 10⁻¹⁶ coin (what brackets read)
//! upnl   = cost − sign(q) · A(m)        (a long gains when the mark rises: A falls)
//! MM     = N16 · mmr − cum              (bracket by N16; |cost| under `MmBasis::Entry`)
//! ```
//!
//! Both `A` and `N16` are non-increasing in `m`, so for a long `equity − MM` is
//! non-decreasing in the mark and for a short non-increasing (brackets' `cum` keeps MM
//! continuous in the notional, and `mmr ≤ 1`). It is not linear in the mark, so a key is not
//! a closed form: `liq_key` finds the exact boundary of this evaluation by a galloping
//! search over integer mark raws from a floating-point estimate of the closed form. The
//! estimate only chooses where the search starts; the key is the boundary of the exact
//! integer predicate whatever the estimate, so it cannot change a result. Typically the
//! estimate is within one raw unit and a key costs four evaluations.
//!
//! **Range.** `A` needs `F·10¹⁶/m < 1.7·10³⁸`: a coin value below about 10¹⁴ coin at the
//! marks that occur. The search also probes absurd marks (down to 10⁻⁸); where the value
//! leaves the range there, it is unbounded for the search's purpose (a long is underwater, a
//! short in profit). At a real mark beyond the range the arithmetic panics rather than wrap,
//! as the linear math does.

use crate::margin::{money_x, tier_for16, Terms, E16};
use crate::rules::MmBasis;
use cascade_types::{Money, Price, Qty, Rounding, TierTable};

const E8: i128 = 100_000_000;

/// Notional in coin of `contracts` at `price`, rounded as asked (a non-positive price counts
/// as 10⁻⁸; saturates at `Money::MAX`).
pub fn inverse_notional(
    contracts: Qty,
    contract_size: Qty,
    price: Price,
    rounding: Rounding,
) -> Money {
    // |c| × s / p: raw (1e8·1e8) / 1e8 → coin raw.
    let num = (contracts.raw() as i128).abs() * contract_size.raw() as i128;
    let v = div_round(num, price.raw().max(1) as i128, rounding);
    Money::from_raw(v.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
}

/// Unrealised PnL in coin, rounded down (non-positive prices count as 10⁻⁸; saturates at
/// the ends of `Money`).
pub fn inverse_upnl(contracts: Qty, contract_size: Qty, entry: Price, mark: Price) -> Money {
    // c·s·(1/EP − 1/MP) = c·s·(MP − EP)/(EP·MP), scaled to coin raw (× 1e8).
    let (e, m) = (entry.raw().max(1) as i128, mark.raw().max(1) as i128);
    let cs = (contracts.raw() as i128).unsigned_abs() * contract_size.raw().max(0) as u128;
    let gain = (contracts.is_positive() == (m >= e)) || m == e;
    let mag = mul_div_wide(cs, (m - e).unsigned_abs(), (e * m) as u128, !gain); // 1e24 / 1e16
    let v = match mag.and_then(|v| i128::try_from(v).ok()) {
        Some(v) if gain => v,
        Some(v) => -v,
        None if gain => i128::MAX,
        None => i128::MIN,
    };
    Money::from_raw(v.clamp(i64::MIN as i128, i64::MAX as i128) as i64)
}

fn div_round(num: i128, den: i128, rounding: Rounding) -> i128 {
    let q = num.div_euclid(den);
    let r = num.rem_euclid(den);
    match rounding {
        Rounding::Down => q,
        Rounding::Up => q + i128::from(r != 0),
        Rounding::HalfEven => {
            if 2 * r > den || (2 * r == den && q % 2 != 0) {
                q + 1
            } else {
                q
            }
        }
    }
}

/// `a·b/c` (`c > 0`), rounded down or up, exact through the 256-bit product; `None` when the
/// quotient does not fit in `u128`. For the closed forms below, whose products of a face
/// value (up to 10²⁶ for a billion 1-USD contracts) and two scale factors leave `i128`.
fn mul_div_wide(a: u128, b: u128, c: u128, up: bool) -> Option<u128> {
    const LO: u128 = u64::MAX as u128;
    let (a1, a0, b1, b0) = (a >> 64, a & LO, b >> 64, b & LO);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    let mid = (p00 >> 64) + (p01 & LO) + (p10 & LO);
    let lo = (p00 & LO) | (mid << 64);
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    if c == 0 || hi >= c {
        return None;
    }
    // Restoring division of (hi, lo) by c, one bit at a time; the remainder stays below c.
    let (mut r, mut q) = (hi, 0u128);
    for i in (0..128).rev() {
        let carry = r >> 127;
        r = (r << 1) | ((lo >> i) & 1);
        q <<= 1;
        if carry == 1 || r >= c {
            r = r.wrapping_sub(c);
            q |= 1;
        }
    }
    if up && r != 0 {
        q.checked_add(1)
    } else {
        Some(q)
    }
}

/// The isolated liquidation price of an inverse position with `margin` coin of margin, the
/// bracket chosen by the coin notional at that price (iterated, as for linear). `None` when no
/// positive price liquidates it. Rounded in the venue's favour (up for a long, down for a
/// short) to 10⁻⁸. Exact for any position an `i64` can hold (the products go through 256
/// bits).
pub fn inverse_liquidation_price(
    tiers: &TierTable,
    contracts: Qty,
    contract_size: Qty,
    entry: Price,
    margin: Money,
) -> Option<Price> {
    if contracts.is_zero() || !entry.is_positive() || !contract_size.is_positive() {
        return None;
    }
    let long = contracts.is_positive();
    // |c|·s at 1e16 (contract-size units × contracts); fits: both factors are i64.
    let cs = (contracts.raw() as i128).unsigned_abs() * contract_size.raw() as u128;
    // Everything else at 1e24 (x-units): margin and cum raw × 1e16; c·s/EP = cs·1e16/EP raw,
    // toward zero.
    let cs_over_ep = mul_div_wide(cs, E16 as u128, entry.raw() as u128, false)?;
    let cs_over_ep = i128::try_from(cs_over_ep).ok()?;
    let m_x = margin.raw() as i128 * E16;
    for t in tiers.tiers() {
        let mmr = t.mmr.raw() as i128;
        let cum_x = t.cum.raw() as i128 * E16;
        // P raw = cs·(1 ± mmr)·1e16 / den, the numerator factor `k` = (E8 ± mmr)·E8.
        let (k, den) = if long {
            ((E8 + mmr) * E8, m_x + cum_x + cs_over_ep)
        } else {
            ((E8 - mmr) * E8, cs_over_ep - m_x - cum_x)
        };
        if den <= 0 || k <= 0 {
            continue;
        }
        let Some(p) = mul_div_wide(cs, k as u128, den as u128, long) else {
            continue;
        };
        if p == 0 || p > i64::MAX as u128 {
            continue;
        }
        let price = Price::from_raw(p as i64);
        let n = inverse_notional(contracts, contract_size, price, Rounding::HalfEven);
        if n >= t.floor && (t.cap == Money::MAX || n < t.cap) {
            return Some(price);
        }
    }
    None
}

// ---- the exchange's exact evaluation (x-units, 10⁻²⁴ coin) -------------------------------

/// The face value `|q|·s` of a position (10⁻¹⁶ quote units; fits: both factors are `i64`).
fn face(size: i64, t: Terms) -> i128 {
    (t.qty as i128).abs() * size as i128
}

/// `floor(face · scale / m)` for `m ≥ 1` (a lower mark counts as 1), without forming the
/// product: `face = h·m + l` gives `h·scale + floor(l·scale / m)`, and `l·scale < 2⁶³·10¹⁶`
/// fits. `None` when the result does not fit in `i128`.
fn scaled(face: i128, scale: i128, m: i64) -> Option<i128> {
    let m = m.max(1) as i128;
    let (h, l) = (face / m, face % m);
    h.checked_mul(scale)?.checked_add(l * scale / m)
}

/// The coin value `A(m)` of the position at mark `m` in x-units, magnitude rounded down.
pub(crate) fn value_x(size: i64, m: i64, t: Terms) -> Option<i128> {
    scaled(face(size, t), E16, m)
}

/// Unrealised PnL and maintenance margin at mark `m` (see the module docs); `None` beyond
/// the `i128` range.
pub(crate) fn upnl_mm_checked(
    size: i64,
    tiers: &TierTable,
    basis: MmBasis,
    m: i64,
    t: Terms,
) -> Option<(i128, i128)> {
    if t.qty == 0 {
        return Some((0, 0));
    }
    let a = value_x(size, m, t)?;
    let cost_x = (t.cost as i128).checked_mul(E16)?;
    let upnl = if t.qty > 0 {
        cost_x.checked_sub(a)?
    } else {
        cost_x.checked_add(a)?
    };
    let n16 = match basis {
        MmBasis::Mark => a / E8, // floor: a ≥ 0
        MmBasis::Entry => (t.cost as i128).abs() * E8,
    };
    let tier = tier_for16(tiers, n16);
    let mm = n16
        .checked_mul(tier.mmr.raw() as i128)?
        .checked_sub(money_x(tier.cum))?;
    Some((upnl, mm))
}

const RANGE: &str = "margin arithmetic overflow: notional beyond the modelled range";

/// Unrealised PnL at mark `m`, x-units (panics beyond the modelled range, as `margin` does).
pub(crate) fn upnl_x(size: i64, m: i64, t: Terms) -> i128 {
    if t.qty == 0 {
        return 0;
    }
    let a = value_x(size, m, t).expect(RANGE);
    let cost_x = (t.cost as i128).checked_mul(E16).expect(RANGE);
    if t.qty > 0 {
        cost_x - a
    } else {
        cost_x + a
    }
}

/// Unrealised PnL and maintenance margin at mark `m`, x-units.
pub(crate) fn upnl_mm_x(
    size: i64,
    tiers: &TierTable,
    basis: MmBasis,
    m: i64,
    t: Terms,
) -> (i128, i128) {
    upnl_mm_checked(size, tiers, basis, m, t).expect(RANGE)
}

/// The coin notional at mark `m` in 10⁻¹⁶ units, `floor(F·10⁸/m)` (initial margin).
pub(crate) fn notional16(size: i64, m: i64, t: Terms) -> i128 {
    scaled(face(size, t), E8, m).expect(RANGE)
}

/// The smallest `m` in `(lo, hi]` with `pred(m)`, given `pred(lo)` false, `pred(hi)` true and
/// `pred` monotone (false, then true). Gallops from `guess` to bracket the boundary, then
/// bisects: `O(log |guess − boundary|)` evaluations.
fn first_true(mut lo: i64, mut hi: i64, guess: i64, pred: impl Fn(i64) -> bool) -> i64 {
    debug_assert!(lo < hi);
    let g = guess.clamp(lo + 1, hi);
    let mut step: i64 = 1;
    if pred(g) {
        hi = g;
        while hi - lo > 1 {
            let probe = hi.saturating_sub(step).max(lo + 1);
            if pred(probe) {
                hi = probe;
                step = step.saturating_mul(2);
            } else {
                lo = probe;
                break;
            }
        }
    } else {
        lo = g;
        while hi - lo > 1 {
            let probe = lo.saturating_add(step).min(hi - 1);
            if pred(probe) {
                hi = probe;
                break;
            }
            lo = probe;
            step = step.saturating_mul(2);
        }
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// A mark estimate as a raw price, clamped to `[1, i64::MAX]` (NaN → 1).
fn raw_guess(x: f64) -> i64 {
    // `as` saturates and maps NaN to 0: deterministic whatever the input.
    (x as i64).max(1)
}

/// The floating-point estimate of a key: the closed form of `equity − MM = 0` in the bracket
/// that is consistent with its own answer (walked in order, as the linear bracket iteration).
/// Only where the exact search starts.
fn key_guess(size: i64, tiers: &TierTable, basis: MmBasis, t: Terms, rest_x: i128) -> i64 {
    let f = face(size, t) as f64;
    let (e8, e16) = (1e8, 1e16);
    let base = rest_x as f64 + t.cost as f64 * e16;
    let long = t.qty > 0;
    if basis == MmBasis::Entry {
        let n16 = (t.cost as i128).abs() * E8;
        let tier = tier_for16(tiers, n16);
        let mm = (n16 * tier.mmr.raw() as i128 - money_x(tier.cum)) as f64;
        let k = base - mm;
        return raw_guess(if long { f * e16 / k } else { f * e16 / -k });
    }
    for tier in tiers.tiers() {
        let r = tier.mmr.raw() as f64;
        let k = base + tier.cum.raw() as f64 * e16;
        let m = if long {
            f * (e16 + e8 * r) / k
        } else {
            f * (e16 - e8 * r) / -k
        };
        if !(m.is_finite() && m > 0.0) {
            continue;
        }
        let n = f / m; // coin notional, raw money units
        let floor_ok = n >= tier.floor.raw() as f64;
        let cap_ok = tier.cap == Money::MAX || n < tier.cap.raw() as f64;
        if floor_ok && cap_ok {
            return raw_guess(m);
        }
    }
    raw_guess(9.0e18 / 2.0)
}

/// The liquidation key of one inverse position of a pool, given `rest_x` = the pool's wallet
/// plus, for every other position of the pool, its upnl minus its MM. The same convention as
/// [`crate::margin::liq_key`]: a long is liquidatable exactly when `mark < key`, a short
/// exactly when `mark > key`; `−1` encodes "never" for a long and "at any mark" for a short,
/// `i64::MAX` "at any mark" for a long and "never" for a short. Exact: the key is the boundary
/// of [`upnl_mm_x`] (found by search, see the module docs).
pub(crate) fn liq_key(size: i64, tiers: &TierTable, basis: MmBasis, t: Terms, rest_x: i128) -> i64 {
    assert!(t.qty != 0, "no key for a flat position");
    let long = t.qty > 0;
    let last = tiers.tiers()[tiers.tiers().len() - 1];
    let own = |m: i64| {
        let (u, mm) = upnl_mm_checked(size, tiers, basis, m, t)?;
        u.checked_sub(mm)
    };
    let healthy = |m: i64| match own(m) {
        Some(own) => rest_x.checked_add(own).map_or(own > 0, |v| v >= 0),
        // Beyond the range the coin value is astronomically large: a long is underwater; a
        // short is in profit by it, unless a 100 % bracket takes it all back as margin.
        None => {
            !long
                && (basis == MmBasis::Entry
                    || last.mmr.raw() < E8 as i64
                    || rest_x + (t.cost as i128) * E16 + money_x(last.cum) >= 0)
        }
    };
    if long {
        if !healthy(i64::MAX) {
            return i64::MAX;
        }
        if healthy(1) {
            return -1;
        }
        first_true(
            1,
            i64::MAX,
            key_guess(size, tiers, basis, t, rest_x),
            healthy,
        )
    } else {
        if healthy(i64::MAX) {
            return i64::MAX;
        }
        if !healthy(1) {
            return -1;
        }
        let g = key_guess(size, tiers, basis, t, rest_x).saturating_add(1);
        first_true(1, i64::MAX, g, |m| !healthy(m)) - 1
    }
}

/// The bankruptcy price of one inverse position of a pool: the mark at which the pool's
/// equity is zero (`rest0_x` = wallet + the other positions' upnl), rounded in the trader's
/// favour like the linear one — the smallest solvent mark for a long, the largest for a
/// short. Always in `[1, i64::MAX]` (a coin value at a zero price is unbounded).
pub(crate) fn bankruptcy_raw(size: i64, t: Terms, rest0_x: i128) -> i64 {
    assert!(t.qty != 0, "no bankruptcy price for a flat position");
    let long = t.qty > 0;
    let solvent = |m: i64| {
        let a = value_x(size, m, t);
        let u = a.and_then(|a| {
            let c = (t.cost as i128).checked_mul(E16)?;
            if long {
                c.checked_sub(a)
            } else {
                c.checked_add(a)
            }
        });
        match u {
            Some(u) => rest0_x.checked_add(u).map_or(u > 0, |v| v >= 0),
            None => !long,
        }
    };
    let d = rest0_x as f64 + t.cost as f64 * 1e16;
    let f = face(size, t) as f64 * 1e16;
    let guess = raw_guess(if long { f / d } else { f / -d });
    if long {
        if !solvent(i64::MAX) {
            return i64::MAX;
        }
        if solvent(1) {
            return 1;
        }
        first_true(1, i64::MAX, guess, solvent)
    } else {
        if solvent(i64::MAX) {
            return i64::MAX;
        }
        if !solvent(1) {
            return 1;
        }
        first_true(1, i64::MAX, guess.saturating_add(1), |m| !solvent(m)) - 1
    }
}

/// The coin one raw unit of contracts loses (x-units) when closed at `price` rather than at
/// `mark` — an ADL victim's cost of a price worse than the mark. Rounded up (never more
/// taken than the equity covers); `≤ 0` when `price` is not worse. Longs close by selling.
pub(crate) fn adverse_unit_x(size: i64, mark: i64, price: i64, long: bool) -> i128 {
    let unit = Terms { qty: 1, cost: 0 };
    let at = |p: i64, up: bool| {
        let f = face(size, unit) * E16;
        let p = p.max(1) as i128;
        if up {
            crate::margin::ceil_div(f, p)
        } else {
            f / p
        }
    };
    // A long selling below the mark gives up `1/price − 1/mark` per unit; a short buying
    // above it, `1/mark − 1/price`.
    if long {
        if price >= mark {
            return 0;
        }
        at(price, true) - at(mark, false)
    } else {
        if price <= mark {
            return 0;
        }
        at(mark, true) - at(price, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Healthy (`equity ≥ MM`) at mark `m`, by the exact evaluation; `None` beyond its range
    /// (a huge position at a mark of a few 10⁻⁸).
    fn healthy(
        size: i64,
        tiers: &TierTable,
        basis: MmBasis,
        t: Terms,
        rest: i128,
        m: i64,
    ) -> Option<bool> {
        let (u, mm) = upnl_mm_checked(size, tiers, basis, m, t)?;
        Some(rest.checked_add(u.checked_sub(mm)?)? >= 0)
    }

    fn tables() -> [TierTable; 2] {
        let r = |s: &str| s.parse().unwrap();
        [
            crate::bitmex_2020_xbtusd_tiers_xbt(),
            // Small brackets, so that keys of ordinary positions cross several of them; the
            // last at 100 %.
            TierTable::from_brackets(&[
                (Money::ZERO, Money::from_int(1), r("0.005"), 100),
                (Money::from_int(1), Money::from_int(5), r("0.02"), 25),
                (Money::from_int(5), Money::from_int(50), r("0.1"), 5),
                (Money::from_int(50), Money::MAX, r("1"), 1),
            ])
            .unwrap(),
        ]
    }

    proptest! {
        /// The key is the boundary of the exact check: for a long healthy at `key` and not at
        /// `key − 1`, for a short healthy at `key` and not at `key + 1` (where those marks are
        /// positive prices); and the bankruptcy price is the boundary of zero equity, rounded
        /// the trader's way. Positions from one contract to 10⁹ contracts of 1 or 100 USD,
        /// any pool balance, both MM bases, two tables.
        #[test]
        fn keys_and_bankruptcy_prices_are_exact_boundaries(
            contracts in prop_oneof![1i64..1_000, 1_000i64..1_000_000, 1_000_000i64..1_000_000_000],
            short in any::<bool>(),
            size_usd in prop_oneof![Just(1i64), Just(100)],
            entry in 100i64..200_000,
            rest_bp in -15_000i64..30_000,
            entry_basis in any::<bool>(),
            table in 0usize..2,
        ) {
            let size = size_usd * 100_000_000;
            let q = if short { -contracts } else { contracts } * 100_000_000;
            let cost_abs = (contracts as i128 * size as i128 / entry as i128) as i64; // coin raw
            let t = Terms { qty: q, cost: if short { -cost_abs } else { cost_abs } };
            let rest = cost_abs as i128 * E16 * rest_bp as i128 / 10_000;
            let basis = if entry_basis { MmBasis::Entry } else { MmBasis::Mark };
            let tiers = &tables()[table];
            let key = liq_key(size, tiers, basis, t, rest);
            // Marks where the evaluation is out of range are not checked (the search decides
            // them by the sign of the astronomically large coin value).
            let ok = |m: i64, want: bool| {
                healthy(size, tiers, basis, t, rest, m).is_none_or(|h| h == want)
            };
            if !short {
                if key == i64::MAX {
                    prop_assert!(ok(i64::MAX, false));
                } else if key == -1 {
                    prop_assert!(ok(1, true));
                } else {
                    prop_assert!(key >= 2 && ok(key, true) && ok(key - 1, false), "long {}", key);
                }
            } else if key == i64::MAX {
                prop_assert!(ok(i64::MAX, true));
            } else if key == -1 {
                prop_assert!(ok(1, false));
            } else {
                prop_assert!(key >= 1 && ok(key, true) && ok(key + 1, false), "short {}", key);
            }
            let bk = bankruptcy_raw(size, t, rest);
            let solvent = |m: i64| {
                value_x(size, m, t).map(|_| rest + upnl_x(size, m, t) >= 0)
            };
            let solvent = |m: i64, want: bool| solvent(m).is_none_or(|s| s == want);
            prop_assert!((1..=i64::MAX).contains(&bk));
            if !short && bk > 1 && bk < i64::MAX {
                prop_assert!(solvent(bk, true) && solvent(bk - 1, false), "long bk {}", bk);
            }
            if short && bk > 1 && bk < i64::MAX {
                prop_assert!(solvent(bk, true) && solvent(bk + 1, false), "short bk {}", bk);
            }
        }
    }

    proptest! {
        /// With an exact coin basis (entries dividing 10⁸ USD), the exchange's key of an
        /// isolated position is the closed form of [`inverse_liquidation_price`] to one raw
        /// unit: the exchange's roundings of the coin value and notional (10⁻²⁴, 10⁻¹⁶ coin)
        /// are below the closed form's 10⁻⁸ price step.
        #[test]
        fn the_key_is_the_closed_form_to_one_raw_unit(
            contracts in prop_oneof![1i64..1_000, 1_000i64..100_000_000],
            short in any::<bool>(),
            entry in prop::sample::select(vec![1_000i64, 2_000, 2_500, 4_000, 5_000, 8_000, 10_000, 12_500, 20_000, 25_000, 40_000, 50_000]),
            leverage in 1i64..=100,
        ) {
            let size = 100_000_000; // 1 USD
            let cost_abs = contracts * 100_000_000 / entry; // exact: entry divides 10⁸
            let t = Terms { qty: if short { -contracts } else { contracts } * 100_000_000, cost: if short { -cost_abs } else { cost_abs } };
            let margin = Money::from_raw(cost_abs).div_int(leverage, Rounding::Up).unwrap();
            let tiers = crate::bitmex_2020_xbtusd_tiers_xbt();
            let key = liq_key(size, &tiers, MmBasis::Mark, t, money_x(margin));
            let pure = inverse_liquidation_price(&tiers, Qty::from_raw(t.qty), Qty::ONE, Price::from_int(entry), margin);
            match pure {
                Some(p) => prop_assert!((key - p.raw()).abs() <= 1, "key {} pure {}", key, p),
                None => prop_assert!(if short { key == i64::MAX } else { key <= 1 }, "key {}", key),
            }
        }
    }

    #[test]
    fn wide_division_is_exact() {
        let big = u128::MAX / 3;
        // A product far beyond 128 bits divides back exactly.
        assert_eq!(
            mul_div_wide(big, 10u128.pow(16), 10u128.pow(16), false),
            Some(big)
        );
        assert_eq!(mul_div_wide(7, 3, 2, false), Some(10));
        assert_eq!(mul_div_wide(7, 3, 2, true), Some(11));
        assert_eq!(mul_div_wide(u128::MAX, 2, 1, false), None);
        let (a, b, c) = (
            123_456_789_012_345_678_901u128,
            98_765_432_109_876u128,
            3_333_333_333u128,
        );
        assert_eq!(mul_div_wide(a, b, c, false), Some(a * b / c));
        assert_eq!(
            mul_div_wide(u128::MAX, u128::MAX, u128::MAX, false),
            Some(u128::MAX)
        );
    }

    #[test]
    fn the_search_finds_a_boundary_far_from_its_guess() {
        // A monotone step far from the guess either way, and at the ends of the range.
        for (b, g) in [
            (7, 1_000_000),
            (1_000_000, 7),
            (2, 2),
            (i64::MAX, 3),
            (5, i64::MAX),
        ] {
            assert_eq!(
                first_true(1, i64::MAX, g, |m| m >= b),
                b,
                "boundary {b} guess {g}"
            );
        }
    }

    #[test]
    fn inverse_long_hand_computed() {
        // 1,000 contracts of 1 USD long at 10,000 with 0.01 coin of margin, mmr 0.5 %:
        // P = 1,000 × 1.005 / (0.01 + 1,000/10,000) = 1,005 / 0.11 = 9,136.3636…
        let tiers =
            TierTable::from_brackets(&[(Money::ZERO, Money::MAX, "0.005".parse().unwrap(), 100)])
                .unwrap();
        let c = Qty::from_int(1_000);
        let p = inverse_liquidation_price(
            &tiers,
            c,
            Qty::ONE,
            Price::from_int(10_000),
            "0.01".parse().unwrap(),
        )
        .unwrap();
        assert_eq!(p.to_string(), "9136.36363637");
        // At that mark equity ≈ maintenance: 0.01 + upnl vs notional × 0.5 %.
        let upnl = inverse_upnl(c, Qty::ONE, Price::from_int(10_000), p);
        let mm = inverse_notional(c, Qty::ONE, p, Rounding::Up)
            .mul_rate("0.005".parse().unwrap(), Rounding::Up);
        let eq = "0.01".parse::<Money>().unwrap() + upnl;
        assert!((eq - mm).raw().abs() <= 2, "{eq} vs {mm}");
        // Short: P = 1,000 × 0.995 / (0.1 − 0.01) = 11,055.555…
        let p = inverse_liquidation_price(
            &tiers,
            -c,
            Qty::ONE,
            Price::from_int(10_000),
            "0.01".parse().unwrap(),
        )
        .unwrap();
        assert_eq!(p.to_string(), "11055.55555555");
        assert_eq!(
            inverse_notional(
                c,
                Qty::from_int(100),
                Price::from_int(50_000),
                Rounding::Down
            )
            .to_string(),
            "2"
        );
    }
}
