//! Inverse (coin-margined) perpetual margin math, as pure functions: contracts of a fixed
//! quote value `contract_size` (e.g. 100 USD on Binance COIN-M BTC, 1 USD on BitMEX XBTUSD),
//! margin and PnL in the base coin. The exchange's accounts settle linear contracts only;
//! these functions are the inverse half of the margin math, exact in `i128` like the linear
//! one. Quantities: `contracts` signed (negative = short), coin amounts as [`Money`] in coin.
//!
//! - notional (coin) = `|contracts| × size / price`
//! - upnl (coin) = `contracts × size × (1/entry − 1/mark)`
//! - maintenance (coin) = `notional × mmr − cum` (brackets in coin)
//! - isolated liquidation price: the mark where `margin + upnl = maintenance`:
//!   long `P = c·s·(1 + mmr) / (M + cum + c·s/EP)`,
//!   short `P = a·s·(1 − mmr) / (a·s/EP − M − cum)` with `a = |c|`.

use cascade_types::{Money, Price, Qty, Rounding, TierTable};

const E8: i128 = 100_000_000;

/// Notional in coin of `contracts` at `price`, rounded as asked.
pub fn inverse_notional(
    contracts: Qty,
    contract_size: Qty,
    price: Price,
    rounding: Rounding,
) -> Money {
    // |c| × s / p: raw (1e8·1e8) / 1e8 → coin raw.
    let num = (contracts.raw() as i128).abs() * contract_size.raw() as i128;
    let v = div_round(num, price.raw() as i128, rounding);
    Money::from_raw(v as i64)
}

/// Unrealised PnL in coin (rounded down).
pub fn inverse_upnl(contracts: Qty, contract_size: Qty, entry: Price, mark: Price) -> Money {
    // c·s·(1/EP − 1/MP) = c·s·(MP − EP)/(EP·MP), scaled to coin raw (× 1e8).
    let cs = contracts.raw() as i128 * contract_size.raw() as i128; // 1e16 scale
    let num = cs * (mark.raw() as i128 - entry.raw() as i128); // 1e24 scale
    let den = entry.raw() as i128 * mark.raw() as i128; // 1e16 scale → result at 1e8
    Money::from_raw(num.div_euclid(den) as i64)
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

/// The isolated liquidation price of an inverse position with `margin` coin of margin, the
/// bracket chosen by the coin notional at that price (iterated, as for linear). `None` when no
/// positive price liquidates it. Rounded in the venue's favour (up for a long, down for a
/// short) to 10⁻⁸.
pub fn inverse_liquidation_price(
    tiers: &TierTable,
    contracts: Qty,
    contract_size: Qty,
    entry: Price,
    margin: Money,
) -> Option<Price> {
    if contracts.is_zero() || !entry.is_positive() {
        return None;
    }
    let a = (contracts.raw() as i128).abs();
    let s = contract_size.raw() as i128;
    let cs = a * s; // 1e16 scale (contract-size units × contracts)
    for t in tiers.tiers() {
        let mmr = t.mmr.raw() as i128;
        // Everything at 1e24: margin and cum raw × 1e16; c·s/EP = cs × 1e8 / EP raw → 1e16
        // scale × 1e8 = 1e24 via cs·E8·E8/EP.
        let m_x = margin.raw() as i128 * E8 * E8;
        let cum_x = t.cum.raw() as i128 * E8 * E8;
        let cs_over_ep = cs * E8 * E8 / entry.raw() as i128; // 1e24 scale, toward zero
        let (num, den) = if contracts.is_positive() {
            (cs * (E8 + mmr), m_x + cum_x + cs_over_ep) // num at 1e24; P raw = num·1e8 / den
        } else {
            (cs * (E8 - mmr), cs_over_ep - m_x - cum_x)
        };
        if den <= 0 {
            continue;
        }
        let p = div_round(
            num * E8,
            den,
            if contracts.is_positive() {
                Rounding::Up
            } else {
                Rounding::Down
            },
        );
        if p <= 0 || p > i64::MAX as i128 {
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

#[cfg(test)]
mod tests {
    use super::*;

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
