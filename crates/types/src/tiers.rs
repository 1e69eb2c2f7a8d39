//! Tiered maintenance margin ("brackets", "risk limits"): `MM = N·mmr − cum`, where
//! `cum_0 = 0` and `cum_n = cum_{n−1} + floor_n·(mmr_n − mmr_{n−1})` (MECHANICS.md A0.2), which
//! makes MM a continuous function of the notional `N`.

use crate::{Money, Rate, Rounding, TypesError};
use serde::{Deserialize, Serialize};

/// One bracket of a tier table.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct MarginTier {
    /// Lowest notional of the bracket (inclusive).
    pub floor: Money,
    /// Highest notional of the bracket (exclusive); `Money::MAX` for an open last bracket.
    pub cap: Money,
    /// Maintenance margin rate.
    pub mmr: Rate,
    /// Highest leverage allowed for a position whose notional falls in this bracket.
    pub max_leverage: u32,
    /// Maintenance amount (deduction), from the recursion.
    pub cum: Money,
}

/// A venue's bracket table for one instrument, brackets in ascending notional.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TierTable {
    tiers: Vec<MarginTier>,
}

impl TierTable {
    /// Builds a table from `(floor, cap, mmr, max_leverage)` rows, computing every `cum` by the
    /// recursion. Rows must start at 0, be contiguous, and have non-decreasing rates.
    pub fn from_brackets(rows: &[(Money, Money, Rate, u32)]) -> Result<TierTable, TypesError> {
        let bad = |m: String| Err(TypesError::BadTiers(m));
        if rows.is_empty() {
            return bad("no brackets".into());
        }
        if !rows[0].0.is_zero() {
            return bad(format!("first bracket starts at {}, not 0", rows[0].0));
        }
        let mut tiers: Vec<MarginTier> = Vec::with_capacity(rows.len());
        for (i, &(floor, cap, mmr, max_leverage)) in rows.iter().enumerate() {
            if cap <= floor {
                return bad(format!(
                    "bracket {} has cap {} not above floor {}",
                    i + 1,
                    cap,
                    floor
                ));
            }
            if max_leverage == 0 {
                return bad(format!("bracket {} has max leverage 0", i + 1));
            }
            if mmr.is_negative() || mmr > Rate::ONE {
                return bad(format!("bracket {} has maintenance rate {}", i + 1, mmr));
            }
            let cum = match tiers.last() {
                None => Money::ZERO,
                Some(prev) => {
                    if prev.cap != floor {
                        return bad(format!(
                            "bracket {} starts at {} but bracket {} ends at {}",
                            i + 1,
                            floor,
                            i,
                            prev.cap
                        ));
                    }
                    if mmr < prev.mmr {
                        return bad(format!("bracket {} lowers the maintenance rate", i + 1));
                    }
                    prev.cum + floor.mul_rate(mmr - prev.mmr, Rounding::HalfEven)
                }
            };
            tiers.push(MarginTier {
                floor,
                cap,
                mmr,
                max_leverage,
                cum,
            });
        }
        Ok(TierTable { tiers })
    }

    /// The brackets, ascending.
    #[inline]
    pub fn tiers(&self) -> &[MarginTier] {
        &self.tiers
    }

    /// The bracket a notional falls in (the last bracket for anything above its floor).
    #[inline]
    pub fn tier_for(&self, notional: Money) -> &MarginTier {
        let n = notional.abs();
        let i = self.tiers.partition_point(|t| t.cap <= n);
        &self.tiers[i.min(self.tiers.len() - 1)]
    }

    /// Maintenance margin `N·mmr − cum` of a position with this notional, rounded up (in the
    /// venue's favour).
    pub fn maintenance(&self, notional: Money) -> Money {
        let n = notional.abs();
        let t = self.tier_for(n);
        n.mul_rate(t.mmr, Rounding::Up) - t.cum
    }

    /// The highest leverage a position of this notional may use.
    #[inline]
    pub fn max_leverage(&self, notional: Money) -> u32 {
        self.tier_for(notional).max_leverage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(v: i64) -> Money {
        Money::from_int(v)
    }
    fn r(s: &str) -> Rate {
        s.parse().unwrap()
    }

    /// Binance BTCUSDT, valid 2024-05-30 → 2024-10-24 (MECHANICS.md A1.1).
    fn binance_2024() -> TierTable {
        let caps = [
            0i64,
            50_000,
            600_000,
            3_000_000,
            12_000_000,
            70_000_000,
            100_000_000,
            230_000_000,
            480_000_000,
            600_000_000,
            800_000_000,
            1_200_000_000,
            1_800_000_000,
        ];
        let mmr = [
            "0.004", "0.005", "0.0065", "0.01", "0.02", "0.025", "0.05", "0.10", "0.125", "0.15",
            "0.25", "0.50",
        ];
        let lev = [125, 100, 75, 50, 25, 20, 10, 5, 4, 3, 2, 1];
        let rows: Vec<_> = (0..12)
            .map(|i| (m(caps[i]), m(caps[i + 1]), r(mmr[i]), lev[i]))
            .collect();
        TierTable::from_brackets(&rows).unwrap()
    }

    #[test]
    fn binance_2024_cums_match_the_published_table() {
        let cums: Vec<String> = binance_2024()
            .tiers()
            .iter()
            .map(|t| t.cum.to_string())
            .collect();
        assert_eq!(
            cums,
            [
                "0",
                "50",
                "950",
                "11450",
                "131450",
                "481450",
                "2981450",
                "14481450",
                "26481450",
                "41481450",
                "121481450",
                "421481450"
            ]
        );
    }

    #[test]
    fn maintenance_is_continuous_at_every_floor() {
        let t = binance_2024();
        for tier in t.tiers().iter().skip(1) {
            let below = tier.floor - Money::from_raw(1);
            let left = t.maintenance(below);
            let right = t.maintenance(tier.floor);
            assert!((right - left).raw().abs() <= 1, "jump at {}", tier.floor);
        }
        assert_eq!(t.maintenance(m(60_000)).to_string(), "250");
        assert_eq!(t.max_leverage(m(60_000)), 100);
    }

    #[test]
    fn rejects_malformed_tables() {
        let e =
            TierTable::from_brackets(&[(m(0), m(10), r("0.01"), 10), (m(20), m(30), r("0.02"), 5)]);
        assert_eq!(
            e.unwrap_err().to_string(),
            "bad margin tier table: bracket 2 starts at 20 but bracket 1 ends at 10"
        );
        assert!(TierTable::from_brackets(&[]).is_err());
        assert!(TierTable::from_brackets(&[(m(5), m(10), r("0.01"), 10)]).is_err());
    }
}
