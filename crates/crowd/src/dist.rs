//! The distributions a crowd position is drawn from: leverage, margin cushion and size.
//! Parameters are floats (they are fitted); every draw is turned into fixed-point money or an
//! integer leverage by an explicit rounding at the point of use, so results stay exact.
//!
//! | distribution | draw |
//! |---|---|
//! | [`LeverageDist::Discrete`] | leverage `L_k` with probability `w_k / Σw`: `u·Σw` (u uniform) picks the level |
//! | [`LeverageDist::LogNormal`] | `round_half_up(median · exp(σ·z))`, z Irwin–Hall normal, clamped to `1..=max` |
//! | [`CushionDist`] | extra margin as a fraction `c ≥ 0` of the initial margin: deposit = `IM·(1 + c)` |
//! | [`SizeDist`] | notional in quote currency, converted to a whole-lot quantity at the entry price |
//!
//! The leverage actually used is further capped by the instrument's bracket for the
//! position's notional (a venue would refuse more).

use crate::rng::{det_exp, det_exp2, Rng};
use serde::{Deserialize, Serialize};

/// One level of a discrete leverage distribution.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeverageWeight {
    /// Leverage (1 or more).
    pub leverage: u32,
    /// Relative weight (any non-negative number; they need not sum to 1).
    pub weight: f64,
}

/// How the leverage of a new crowd position is drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LeverageDist {
    /// Discrete weights over leverages.
    Discrete {
        /// The levels, in any order.
        levels: Vec<LeverageWeight>,
    },
    /// Lognormal: `median · exp(σ·z)`, rounded half up to an integer, clamped to `1..=max`.
    LogNormal {
        /// Median leverage (> 0).
        median: f64,
        /// Spread `σ` of `ln(leverage)` (≥ 0).
        sigma: f64,
        /// Largest leverage drawn (the bracket may cap it further).
        max: u32,
    },
}

/// The margin a crowd account holds beyond the initial margin, as a fraction of it: a
/// cushion of 0.5 on a 20x position makes its effective leverage 20 / 1.5 ≈ 13.3x.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CushionDist {
    /// Always the same fraction.
    Fixed {
        /// The fraction (≥ 0).
        fraction: f64,
    },
    /// Uniform in `[lo, hi)`.
    Uniform {
        /// Lower end (≥ 0).
        lo: f64,
        /// Upper end (≥ lo).
        hi: f64,
    },
    /// Lognormal `median · exp(σ·z)`.
    LogNormal {
        /// Median fraction (> 0).
        median: f64,
        /// Spread of its logarithm (≥ 0).
        sigma: f64,
    },
}

/// The notional of a new crowd position, in quote currency.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SizeDist {
    /// Always the same notional.
    Fixed {
        /// Notional (> 0).
        notional: f64,
    },
    /// Lognormal `median · exp(σ·z)`, clamped to `[min, max]`.
    LogNormal {
        /// Median notional (> 0).
        median: f64,
        /// Spread of its logarithm (≥ 0).
        sigma: f64,
        /// Smallest notional (> 0).
        min: f64,
        /// Largest notional (≥ min).
        max: f64,
    },
}

fn finite_pos(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

fn finite_nonneg(x: f64) -> bool {
    x.is_finite() && x >= 0.0
}

impl LeverageDist {
    /// Draws a leverage in `1..=cap` (the caller passes the bracket's maximum as `cap`).
    pub fn sample(&self, rng: &mut Rng, cap: u32) -> u32 {
        let cap = cap.max(1);
        let lev = match self {
            LeverageDist::Discrete { levels } => {
                let total: f64 = levels.iter().map(|l| l.weight).sum();
                let mut u = rng.uniform() * total;
                let mut pick = levels[levels.len() - 1].leverage;
                for l in levels {
                    if u < l.weight {
                        pick = l.leverage;
                        break;
                    }
                    u -= l.weight;
                }
                pick
            }
            LeverageDist::LogNormal { median, sigma, max } => {
                let x = median * det_exp(sigma * rng.normal());
                // Half up, then clamp; the float is finite and positive, so the cast is exact
                // for any value we keep.
                let r = (x + 0.5).floor().clamp(1.0, (*max).max(1) as f64);
                r as u32
            }
        };
        lev.clamp(1, cap)
    }

    /// Checks the parameters.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            LeverageDist::Discrete { levels } => {
                if levels.is_empty() {
                    return Err("leverage.levels is empty".into());
                }
                if levels
                    .iter()
                    .any(|l| l.leverage == 0 || !finite_nonneg(l.weight))
                {
                    return Err("leverage levels need leverage ≥ 1 and a weight ≥ 0".into());
                }
                if !finite_pos(levels.iter().map(|l| l.weight).sum()) {
                    return Err("leverage weights sum to zero".into());
                }
            }
            LeverageDist::LogNormal { median, sigma, max } => {
                if !finite_pos(*median) || !finite_nonneg(*sigma) || *sigma > 5.0 || *max == 0 {
                    return Err(
                        "leverage log_normal needs median > 0, 0 ≤ sigma ≤ 5 and max ≥ 1".into(),
                    );
                }
            }
        }
        Ok(())
    }
}

impl CushionDist {
    /// Draws a cushion fraction (≥ 0).
    pub fn sample(&self, rng: &mut Rng) -> f64 {
        match *self {
            CushionDist::Fixed { fraction } => fraction,
            CushionDist::Uniform { lo, hi } => lo + (hi - lo) * rng.uniform(),
            CushionDist::LogNormal { median, sigma } => median * det_exp(sigma * rng.normal()),
        }
    }

    /// Checks the parameters.
    pub fn validate(&self) -> Result<(), String> {
        let ok = match *self {
            CushionDist::Fixed { fraction } => finite_nonneg(fraction) && fraction <= 100.0,
            CushionDist::Uniform { lo, hi } => finite_nonneg(lo) && hi.is_finite() && hi >= lo,
            CushionDist::LogNormal { median, sigma } => {
                finite_pos(median) && finite_nonneg(sigma) && sigma <= 5.0
            }
        };
        if ok {
            Ok(())
        } else {
            Err("cushion parameters out of range (fractions ≥ 0, lo ≤ hi, 0 ≤ sigma ≤ 5)".into())
        }
    }
}

/// A notional from `size` and a leverage from `lev` (capped at `cap`): the same values as
/// `size.sample(rng_size)` and `lev.sample(rng_lev, cap)` (each stream draws exactly what
/// it would), with the `exp`s of two lognormals evaluated side by side ([`det_exp2`]).
pub(crate) fn sample_size_and_leverage(
    size: &SizeDist,
    rng_size: &mut Rng,
    lev: &LeverageDist,
    rng_lev: &mut Rng,
    cap: u32,
) -> (f64, u32) {
    match (*size, lev) {
        (
            SizeDist::LogNormal {
                median: sm,
                sigma: ss,
                min,
                max,
            },
            LeverageDist::LogNormal {
                median: lm,
                sigma: ls,
                max: lmax,
            },
        ) => {
            let zs = ss * rng_size.normal();
            let zl = ls * rng_lev.normal();
            let (es, el) = det_exp2(zs, zl);
            let notional = (sm * es).clamp(min, max);
            let x = lm * el;
            let r = (x + 0.5).floor().clamp(1.0, (*lmax).max(1) as f64) as u32;
            (notional, r.clamp(1, cap.max(1)))
        }
        _ => (size.sample(rng_size), lev.sample(rng_lev, cap)),
    }
}

impl SizeDist {
    /// Draws a notional in quote currency (> 0).
    pub fn sample(&self, rng: &mut Rng) -> f64 {
        match *self {
            SizeDist::Fixed { notional } => notional,
            SizeDist::LogNormal {
                median,
                sigma,
                min,
                max,
            } => (median * det_exp(sigma * rng.normal())).clamp(min, max),
        }
    }

    /// Checks the parameters.
    pub fn validate(&self) -> Result<(), String> {
        let ok = match *self {
            SizeDist::Fixed { notional } => finite_pos(notional),
            SizeDist::LogNormal {
                median,
                sigma,
                min,
                max,
            } => {
                finite_pos(median)
                    && finite_nonneg(sigma)
                    && sigma <= 5.0
                    && finite_pos(min)
                    && max.is_finite()
                    && max >= min
            }
        };
        if ok {
            Ok(())
        } else {
            Err("size parameters out of range (notionals > 0, min ≤ max, 0 ≤ sigma ≤ 5)".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discrete_leverage_follows_its_weights() {
        let d = LeverageDist::Discrete {
            levels: vec![
                LeverageWeight {
                    leverage: 5,
                    weight: 1.0,
                },
                LeverageWeight {
                    leverage: 50,
                    weight: 3.0,
                },
            ],
        };
        let mut rng = Rng::stream(1, "leverage");
        let n = 40_000;
        let high = (0..n).filter(|_| d.sample(&mut rng, 125) == 50).count();
        assert!((high as f64 / n as f64 - 0.75).abs() < 0.01, "{high}");
        // The bracket caps it.
        assert!((0..100).all(|_| d.sample(&mut rng, 20) <= 20));
    }

    #[test]
    fn lognormal_leverage_has_its_median() {
        let d = LeverageDist::LogNormal {
            median: 20.0,
            sigma: 0.8,
            max: 125,
        };
        let mut rng = Rng::stream(2, "leverage");
        let mut v: Vec<u32> = (0..20_001).map(|_| d.sample(&mut rng, 125)).collect();
        v.sort_unstable();
        assert!((19..=21).contains(&v[10_000]), "median {}", v[10_000]);
        assert!(v[0] >= 1 && v[20_000] <= 125);
    }

    #[test]
    fn validation_names_the_problem() {
        let bad = LeverageDist::LogNormal {
            median: -1.0,
            sigma: 0.5,
            max: 10,
        };
        assert!(bad.validate().unwrap_err().contains("median"));
        assert!(CushionDist::Uniform { lo: 1.0, hi: 0.5 }
            .validate()
            .is_err());
        assert!(SizeDist::Fixed { notional: f64::NAN }.validate().is_err());
    }
}
