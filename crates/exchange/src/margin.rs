//! Exact margin arithmetic of linear contracts: equity, tiered maintenance margin, liquidation
//! and bankruptcy prices (the inverse counterparts, in the same x-units, are in
//! [`crate::inverse`]; `contract` chooses between them).
//!
//! Liquidation decisions must agree *exactly* with the liquidation-price index, so they are
//! made on exact rationals, not on rounded money: every quantity here is an `i128` in units of
//! 10⁻²⁴ of the settlement currency ("x-units"), where a price (10⁻⁸) times a quantity (10⁻⁸)
//! times a rate (10⁻⁸) lands without any rounding. A pool (the cross wallet with its cross
//! positions, or one isolated position with its margin) is liquidatable when
//!
//! ```text
//! equity = W + Σ (mark_i·qty_i − cost_i)  <  Σ MM_i = Σ (|N_i|·mmr_i − cum_i)
//! ```
//!
//! with `W` the wallet (or isolated margin), `cost_i` the signed cost basis of position `i`
//! (`qty × entry`), and `N_i` its notional at mark (or at entry under [`MmBasis::Entry`]).
//! That is MECHANICS A1.2/A1.3 (and A4.2, A2.2), solved for the mark: for a long,
//! `LP = (cost + cum − W') / (qty·(1 − mmr))`, the bracket found by walking the brackets in
//! price order (the "bracket iteration" of A1.3).
//!
//! Range: exact while notionals stay below about 10¹⁴ (x-units overflow `i128` near 1.7·10³⁸);
//! beyond that the arithmetic panics rather than wrap.

use crate::rules::MmBasis;
use cascade_types::{MarginTier, Money, Price, Qty, Rounding, TierTable};

pub(crate) const E8: i128 = 100_000_000;
pub(crate) const E16: i128 = E8 * E8;

/// A position's terms as raw fixed-point integers: signed quantity and signed cost basis
/// (`Σ` signed notional of the open quantity: positive for a long).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Terms {
    pub qty: i64,
    pub cost: i64,
}

fn mul(a: i128, b: i128) -> i128 {
    a.checked_mul(b)
        .expect("margin arithmetic overflow: notional beyond the modelled range")
}

/// `a / b` rounded toward +∞, `b > 0`.
pub(crate) fn ceil_div(a: i128, b: i128) -> i128 {
    debug_assert!(b > 0);
    let q = a.div_euclid(b);
    if a.rem_euclid(b) == 0 {
        q
    } else {
        q + 1
    }
}

/// `a / b` rounded toward −∞, `b > 0`.
pub(crate) fn floor_div(a: i128, b: i128) -> i128 {
    debug_assert!(b > 0);
    a.div_euclid(b)
}

/// `⌊x / 10⁸⌋`: long division in 32-bit limbs by a constant (multiplications), not an
/// `i128` library call.
fn floor_div_e8(x: i128) -> i128 {
    const D: u64 = E8 as u64;
    let m = x.unsigned_abs();
    let (hi, lo) = ((m >> 64) as u64, m as u64);
    // Each step divides a value below D·2³², so each partial quotient fits 32 bits.
    let (q3, r) = (hi / D, hi % D);
    let y = (r << 32) | (lo >> 32);
    let (q2, r) = (y / D, y % D);
    let y = (r << 32) | (lo & 0xffff_ffff);
    let (q1, r) = (y / D, y % D);
    let q = (((q3 as u128) << 64) | ((q2 << 32) | q1) as u128) as i128;
    if x >= 0 {
        q
    } else if r == 0 {
        -q
    } else {
        -q - 1
    }
}

/// `⌊x / 10¹⁶⌋` (`x.div_euclid(E16)`): two floors by 10⁸, which compose exactly.
pub(crate) fn floor_div_e16(x: i128) -> i128 {
    floor_div_e8(floor_div_e8(x))
}

/// Money as x-units.
pub(crate) fn money_x(m: Money) -> i128 {
    // An `i64` times 10¹⁶ is below 2¹²⁰: never overflows.
    m.raw() as i128 * E16
}

/// x-units as money, rounded as asked.
pub(crate) fn x_to_money(x: i128, rounding: Rounding) -> Money {
    let v = match rounding {
        Rounding::Down => floor_div(x, E16),
        Rounding::Up => ceil_div(x, E16),
        Rounding::HalfEven => {
            let f = floor_div(x, E16);
            let r = x - f * E16;
            if 2 * r > E16 || (2 * r == E16 && f % 2 != 0) {
                f + 1
            } else {
                f
            }
        }
    };
    Money::from_raw(i64::try_from(v).expect("money overflow"))
}

/// Unrealised PnL at `mark`, exact: `mark·qty − cost`.
pub(crate) fn upnl_x(mark: i64, t: Terms) -> i128 {
    // `mark·qty` (two `i64`s) fits; times 10⁸ it is checked unless below 2⁹⁹; `cost·10¹⁶`
    // is below 2¹²⁰.
    let mq = mark as i128 * t.qty as i128;
    let n = if mq.unsigned_abs() < 1 << 99 {
        mq * E8
    } else {
        mul(mq, E8)
    };
    n - t.cost as i128 * E16
}

/// The notional MM is computed on, in 10⁻¹⁶ units (price raw × qty raw).
fn mm_notional16(basis: MmBasis, mark: i64, t: Terms) -> i128 {
    // Products of two `i64`s (or an `i64` and 10⁸) fit `i128`: plain products.
    match basis {
        MmBasis::Mark => (mark as i128 * t.qty as i128).abs(),
        MmBasis::Entry => (t.cost as i128 * E8).abs(),
    }
}

pub(crate) fn tier_for16(tiers: &TierTable, n16: i128) -> &MarginTier {
    let ts = tiers.tiers();
    // `cap · E8` cannot overflow (an `i64` times 10⁸ is below 2⁹¹): a plain product, not the
    // checked one, on this path of every margin computation.
    let i = ts.partition_point(|t| t.cap != Money::MAX && t.cap.raw() as i128 * E8 <= n16);
    &ts[i.min(ts.len() - 1)]
}

/// Maintenance margin, exact: `|N|·mmr − cum` of the bracket `N` falls in.
pub(crate) fn mm_x(tiers: &TierTable, basis: MmBasis, mark: i64, t: Terms) -> i128 {
    if t.qty == 0 {
        return 0;
    }
    let n16 = mm_notional16(basis, mark, t);
    let tier = tier_for16(tiers, n16);
    let mmr = tier.mmr.raw() as i128;
    // Below 2⁹⁶ times below 2³¹ cannot overflow (the usual case, told by two compares);
    // otherwise the checked product.
    let mm = if n16 < 1 << 96 && (0..1 << 31).contains(&mmr) {
        n16 * mmr
    } else {
        mul(n16, mmr)
    };
    // `cum · E16`: an `i64` times 10¹⁶ is below 2¹²⁰.
    mm - tier.cum.raw() as i128 * E16
}

fn clamp_key(k: i128) -> i64 {
    k.clamp(-1, i64::MAX as i128) as i64
}

/// The liquidation key of one position of a pool, given `rest_x` = the pool's wallet plus,
/// for every *other* position of the pool, its upnl minus its MM (all at their current
/// marks). For a long the pool is liquidatable exactly when `mark < key`; for a short,
/// exactly when `mark > key` (a key of −1 means at any price, `i64::MAX` for a long means at
/// any price too). Assumes equity − MM is monotone in the mark, which holds because `cum`
/// keeps MM continuous across brackets.
pub(crate) fn liq_key(tiers: &TierTable, basis: MmBasis, t: Terms, rest_x: i128) -> i64 {
    assert!(t.qty != 0, "no key for a flat position");
    let cost_x = mul(t.cost as i128, E16);
    if basis == MmBasis::Entry {
        let c = rest_x - cost_x - mm_x(tiers, basis, 0, t);
        return if t.qty > 0 {
            // healthy ⟺ c + m·q·E8 ≥ 0 ⟺ m ≥ −c / (q·E8)
            clamp_key(ceil_div(-c, mul(t.qty as i128, E8)))
        } else {
            // healthy ⟺ c − m·|q|·E8 ≥ 0 ⟺ m ≤ c / (|q|·E8)
            clamp_key(floor_div(c, mul(-(t.qty as i128), E8)))
        };
    }
    let aq = (t.qty as i128).abs();
    let ts = tiers.tiers();
    for (b, tier) in ts.iter().enumerate() {
        // The marks whose notional falls in this bracket: [lo, hi).
        let lo = if b == 0 {
            0
        } else {
            ceil_div(mul(tier.floor.raw() as i128, E8), aq)
        };
        let hi = if b + 1 == ts.len() || tier.cap == Money::MAX {
            None
        } else {
            Some(ceil_div(mul(tier.cap.raw() as i128, E8), aq))
        };
        let mmr = tier.mmr.raw() as i128;
        // Within the bracket equity − MM = c0 + m·q·E8 − m·|q|·mmr, linear in m.
        let c0 = rest_x - cost_x + money_x(tier.cum);
        if t.qty > 0 {
            let slope = aq * (E8 - mmr);
            if slope <= 0 {
                if c0 >= 0 {
                    return clamp_key(lo);
                }
            } else {
                let k = ceil_div(-c0, slope).max(lo); // smallest healthy mark in the piece
                if hi.is_none_or(|h| k < h) {
                    return clamp_key(k);
                }
            }
        } else {
            let slope = aq * (E8 + mmr);
            let k = floor_div(c0, slope); // largest healthy mark in the piece
            if k < lo {
                return clamp_key(lo - 1);
            }
            if hi.is_none_or(|h| k < h) {
                return clamp_key(k);
            }
        }
        if hi.is_none() {
            break;
        }
    }
    // A long whose last bracket never turns healthy (mmr = 100 %): liquidatable at any mark.
    i64::MAX
}

/// The bankruptcy price of one position of a pool: the mark at which the pool's equity is
/// zero, other positions held at their marks (`rest0_x` = wallet + their upnl). Rounded in
/// the trader's favour (up for a long, down for a short) so that closing at it never leaves
/// the pool below zero; never below 0.
pub(crate) fn bankruptcy_raw(t: Terms, rest0_x: i128) -> i64 {
    assert!(t.qty != 0, "no bankruptcy price for a flat position");
    let cost_x = mul(t.cost as i128, E16);
    let k = if t.qty > 0 {
        ceil_div(cost_x - rest0_x, mul(t.qty as i128, E8))
    } else {
        floor_div(rest0_x - cost_x, mul(-(t.qty as i128), E8))
    };
    k.clamp(0, i64::MAX as i128) as i64
}

/// The liquidation price of an isolated position: `qty` signed (negative for a short), opened
/// at `entry` with `margin` of isolated margin (MECHANICS A1.3 with `TMM1 = UPNL1 = 0`).
/// Returns the boundary mark itself, unrounded to any tick (round for display with
/// [`round_to`]); `None` when no positive mark liquidates it.
///
/// ```
/// use cascade_exchange::{binance_usdm_tiers, isolated_liquidation_price, round_to, MmBasis};
/// use cascade_types::{Money, Price, Qty, Rounding, Ts};
/// let tiers = binance_usdm_tiers("BTCUSDT", Ts::parse_utc("2024-08-05").unwrap()).unwrap();
/// let lp = isolated_liquidation_price(&tiers, MmBasis::Mark, Qty::ONE,
///     Price::from_int(60_000), Money::from_int(6_000)).unwrap();
/// assert_eq!(round_to(lp, "0.01".parse().unwrap(), Rounding::HalfEven).to_string(), "54221.11");
/// ```
pub fn isolated_liquidation_price(
    tiers: &TierTable,
    basis: MmBasis,
    qty: Qty,
    entry: Price,
    margin: Money,
) -> Option<Price> {
    if qty.is_zero() {
        return None;
    }
    let cost = entry.notional(qty, Rounding::HalfEven);
    let t = Terms {
        qty: qty.raw(),
        cost: cost.raw(),
    };
    let key = liq_key(tiers, basis, t, money_x(margin));
    match (qty.is_positive(), key) {
        (true, k) if k <= 0 => None,
        (_, k) if k < 0 => None,
        (_, k) => Some(Price::from_raw(k)),
    }
}

/// The bankruptcy price of an isolated position (the mark at which its margin plus upnl is
/// zero), rounded in the trader's favour.
pub fn isolated_bankruptcy_price(qty: Qty, entry: Price, margin: Money) -> Option<Price> {
    if qty.is_zero() {
        return None;
    }
    let cost = entry.notional(qty, Rounding::HalfEven);
    Some(Price::from_raw(bankruptcy_raw(
        Terms {
            qty: qty.raw(),
            cost: cost.raw(),
        },
        money_x(margin),
    )))
}

/// Rounds a price to a multiple of `tick` (for display and check values; the exchange keeps
/// exact boundaries internally).
pub fn round_to(price: Price, tick: Price, rounding: Rounding) -> Price {
    assert!(tick.is_positive(), "tick must be positive");
    let n = cascade_types::Money::from_raw(price.raw())
        .div_int(tick.raw(), rounding)
        .expect("tick is non-zero")
        .raw();
    Price::from_raw(n * tick.raw())
}

#[cfg(test)]
mod tests {
    #[test]
    fn floor_div_e16_is_div_euclid() {
        let mut x: u64 = 9;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x
        };
        let mut cases = vec![
            i128::MIN,
            i128::MIN + 1,
            i128::MAX,
            0,
            1,
            -1,
            E16,
            -E16,
            E16 - 1,
            -E16 + 1,
            E16 + 1,
            -E16 - 1,
        ];
        for _ in 0..20_000 {
            let v = ((next() as u128) << 64 | next() as u128) as i128;
            let shift = (next() % 127) as u32;
            cases.push(v >> shift);
            cases.push((v >> shift) / E16 * E16);
        }
        for v in cases {
            assert_eq!(super::floor_div_e16(v), v.div_euclid(E16), "{v}");
        }
    }

    use super::*;
    use crate::rules::tiers::{binance_usdm_tiers, bybit_btcusdt_tiers, hyperliquid_2025_tiers};
    use cascade_types::Ts;

    fn cents(p: Option<Price>) -> String {
        round_to(p.unwrap(), "0.01".parse().unwrap(), Rounding::HalfEven).to_string()
    }

    fn binance_2024() -> TierTable {
        binance_usdm_tiers("BTCUSDT", Ts::parse_utc("2024-08-05").unwrap()).unwrap()
    }

    #[test]
    fn binance_check_values_mechanics_a1_3() {
        let t = binance_2024();
        let e = Price::from_int(60_000);
        let m = Money::from_int(6_000);
        assert_eq!(
            cents(isolated_liquidation_price(
                &t,
                MmBasis::Mark,
                Qty::ONE,
                e,
                m
            )),
            "54221.11"
        );
        assert_eq!(
            cents(isolated_liquidation_price(
                &t,
                MmBasis::Mark,
                -Qty::ONE,
                e,
                m
            )),
            "65721.39"
        );
    }

    #[test]
    fn binance_bracket_iteration_lands_in_the_right_bracket() {
        // 20 BTC long at 60,000 (1.2M notional) with 120,000 margin: the guess "bracket of the
        // entry notional" (tier 3, 0.65 %) gives LP·Q inside tier 3 [600k, 3M), so tier 3.
        let t = binance_2024();
        let lp = isolated_liquidation_price(
            &t,
            MmBasis::Mark,
            Qty::from_int(20),
            Price::from_int(60_000),
            Money::from_int(120_000),
        )
        .unwrap();
        // (1,200,000 − 120,000 − 950) / (20 × 0.9935) = 54,305.4856…
        assert_eq!(cents(Some(lp)), "54305.49");
        // 11 BTC at 60,000 = 660k (tier 3 at entry) with 66k margin: tier 3's answer,
        // (660,000 − 66,000 − 950) / (11 × 0.9935) = 54,266.37, puts the notional at 596,930,
        // below tier 3's floor, so the answer comes from tier 2 (0.5 %, cum 50):
        // (660,000 − 66,000 − 50) / (11 × 0.995) = 54,266.7885…
        let lp = isolated_liquidation_price(
            &t,
            MmBasis::Mark,
            Qty::from_int(11),
            Price::from_int(60_000),
            Money::from_int(66_000),
        )
        .unwrap();
        assert_eq!(cents(Some(lp)), "54266.79");
        assert!(lp.notional(Qty::from_int(11), Rounding::Down) < Money::from_int(600_000));
    }

    #[test]
    fn hyperliquid_check_values_mechanics_a4_2() {
        let t = hyperliquid_2025_tiers("BTC").unwrap();
        let e = Price::from_int(60_000);
        let m = Money::from_int(6_000);
        let long = isolated_liquidation_price(&t, MmBasis::Mark, Qty::ONE, e, m);
        let short = isolated_liquidation_price(&t, MmBasis::Mark, -Qty::ONE, e, m);
        assert_eq!(cents(long), "54683.54");
        assert_eq!(cents(short), "65185.19");
        // The docs' own formula: liq = MP − side·margin_available/Q/(1 − l·side) at MP = 60,000,
        // margin_available = 6,000 − 750.
        let hl = |side: f64| 60_000.0 - side * 5_250.0 / (1.0 - 0.0125 * side);
        assert_eq!(format!("{:.2}", hl(1.0)), "54683.54");
        assert_eq!(format!("{:.2}", hl(-1.0)), "65185.19");
    }

    #[test]
    fn bybit_check_value_mechanics_a2_2() {
        // 1 BTC at 20,000, 50x: IM 400, MM = 20,000 × 0.5 % = 100 → LP = 20,000 − 300.
        let t = bybit_btcusdt_tiers();
        let lp = isolated_liquidation_price(
            &t,
            MmBasis::Entry,
            Qty::ONE,
            Price::from_int(20_000),
            Money::from_int(400),
        );
        assert_eq!(lp.unwrap().to_string(), "19700");
        let bk = isolated_bankruptcy_price(Qty::ONE, Price::from_int(20_000), Money::from_int(400));
        assert_eq!(bk.unwrap().to_string(), "19600"); // EP·(1 − IMR), IMR = 1/50
    }

    #[test]
    fn the_key_agrees_with_the_exact_predicate_around_it() {
        let t = binance_2024();
        for (q, e, m) in [
            (1i64, 60_000i64, 6_000i64),
            (-1, 60_000, 6_000),
            (11, 60_000, 66_000),
            (-37, 31_000, 9_000),
        ] {
            let terms = Terms {
                qty: q * 100_000_000,
                cost: q * e * 100_000_000,
            };
            let rest = money_x(Money::from_int(m));
            let key = liq_key(&t, MmBasis::Mark, terms, rest);
            let short_of =
                |mark: i64| rest + upnl_x(mark, terms) < mm_x(&t, MmBasis::Mark, mark, terms);
            if q > 0 {
                assert!(short_of(key - 1) && !short_of(key), "long {q}");
            } else {
                assert!(!short_of(key) && short_of(key + 1), "short {q}");
            }
        }
    }

    #[test]
    fn round_to_ticks() {
        let p: Price = "54221.10552764".parse().unwrap();
        assert_eq!(
            round_to(p, "0.1".parse().unwrap(), Rounding::Down).to_string(),
            "54221.1"
        );
        assert_eq!(
            round_to(p, "0.1".parse().unwrap(), Rounding::Up).to_string(),
            "54221.2"
        );
    }
}
