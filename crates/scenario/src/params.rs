//! The generator's parameters: the shape of a reconstruction where the published figures say
//! nothing. Every value here is a **modelling choice**; the defaults are written next to each
//! field and in `fixtures/scenarios/README.md`, and the scenario files state every value they
//! use with a comment saying where it comes from.

use crate::de;
use cascade_types::{Qty, Rate, Ts};
use serde::Deserialize;

fn rate(raw: i64) -> Rate {
    Rate::from_raw(raw)
}
fn d_bar_interval_s() -> u32 {
    60
}
fn d_crash_power() -> u32 {
    2
}
fn d_first_leg_bounce() -> Rate {
    rate(30_000_000) // 0.3
}
fn d_mark_low_gap() -> Rate {
    rate(2_000_000) // 0.02
}
fn d_recovery_fraction() -> Rate {
    rate(50_000_000) // 0.5
}
fn d_stress_decay_min() -> u32 {
    30
}
fn d_vol_bps() -> u32 {
    8
}
fn d_crash_vol_multiplier() -> Rate {
    Rate::from_int(4)
}
fn d_wick_bps() -> u32 {
    4
}
fn d_crash_wick_multiplier() -> Rate {
    Rate::from_int(6)
}
fn d_crash_volume_multiplier() -> Rate {
    Rate::from_int(10)
}
fn d_taker_sell_skew() -> Rate {
    rate(25_000_000) // 0.25
}
fn d_funding_interval_h() -> u32 {
    8
}
fn d_oi_build_up() -> Rate {
    rate(3_000_000) // 0.03
}
fn d_oi_change() -> Rate {
    rate(-15_000_000) // -0.15
}
fn d_ls_before() -> Rate {
    rate(180_000_000) // 1.8
}
fn d_ls_after() -> Rate {
    rate(140_000_000) // 1.4
}
fn d_top_positions_factor() -> Rate {
    rate(65_000_000) // 0.65
}
fn d_depth_thinning() -> Rate {
    rate(95_000_000) // 0.95
}
fn d_background_share() -> Rate {
    rate(2_000_000) // 0.02
}
fn d_spot_basis_calm() -> Rate {
    rate(-30_000) // -0.0003
}
fn d_spot_basis_crash() -> Rate {
    rate(500_000) // 0.005
}
fn d_spot_volume_ratio() -> Rate {
    rate(30_000_000) // 0.3
}
fn d_spot_wick_ratio() -> Rate {
    rate(50_000_000) // 0.5
}

/// All generator parameters of one scenario (`[generator]` and its sub-tables).
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratorParams {
    /// The PRNG seed; the whole reconstruction is a pure function of the file and this.
    pub seed: u64,
    /// Bar length in seconds (default 60). Must divide 300 and be a multiple of 30.
    #[serde(default = "d_bar_interval_s")]
    pub bar_interval_s: u32,
    /// The price path.
    pub path: PathParams,
    /// Volume and taker flow.
    pub flow: FlowParams,
    /// Funding settlements.
    #[serde(default)]
    pub funding: FundingParams,
    /// Open interest.
    pub open_interest: OpenInterestParams,
    /// Long/short ratios.
    #[serde(default)]
    pub long_short: LongShortParams,
    /// Depth bands.
    pub depth: DepthParams,
    /// Recorded liquidations.
    pub liquidations: LiquidationParams,
    /// The spot instrument.
    #[serde(default)]
    pub spot: SpotParams,
}

/// The shape of the price path between the published anchors.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathParams {
    /// When the price equals `figures.price_before`. Default: that figure's `at`, else the
    /// window start.
    #[serde(default, deserialize_with = "de::ts_opt")]
    pub price_before_at: Option<Ts>,
    /// Relative move from `price_before_at` to `crash_start` (default 0).
    #[serde(default, deserialize_with = "de::decimal")]
    pub pre_crash_drift: Rate,
    /// When the crash starts. Default: the crash window's start.
    #[serde(default, deserialize_with = "de::ts_opt")]
    pub crash_start: Option<Ts>,
    /// Exponent `p` of the fall `u^p` between the crash start and a low (default 2: the fall
    /// accelerates, as a cascade does). 1 to 4.
    #[serde(default = "d_crash_power")]
    pub crash_power: u32,
    /// Opening time of the bar holding the first-leg low. Default: `figures.first_leg_low.at`.
    #[serde(default, deserialize_with = "de::ts_opt")]
    pub first_leg_at: Option<Ts>,
    /// Fraction of the first leg's fall recovered before the second leg (default 0.3).
    #[serde(default = "d_first_leg_bounce", deserialize_with = "de::decimal")]
    pub first_leg_bounce: Rate,
    /// When that bounce peaks. Default: halfway between the first-leg low and the low.
    #[serde(default, deserialize_with = "de::ts_opt")]
    pub first_leg_bounce_at: Option<Ts>,
    /// Opening time of the bar holding the low. Default: `figures.low.at`; required when the
    /// figure has no time, and must equal it when the figure's time is exact.
    #[serde(default, deserialize_with = "de::ts_opt")]
    pub low_at: Option<Ts>,
    /// Where the mark bottoms when `figures.mark_low` is not published: this fraction of the
    /// fall above the last-price low (default 0.02).
    #[serde(default = "d_mark_low_gap", deserialize_with = "de::decimal")]
    pub mark_low_gap: Rate,
    /// Fraction of the fall (crash-start price − low) recovered at `recovery_at` when
    /// `figures.recovery` is not published (default 0.5).
    #[serde(default = "d_recovery_fraction", deserialize_with = "de::decimal")]
    pub recovery_fraction: Rate,
    /// When the recovery level is reached. Default: `figures.recovery.at`; else required.
    #[serde(default, deserialize_with = "de::ts_opt")]
    pub recovery_at: Option<Ts>,
    /// Relative move from the recovery to the window's end (default 0).
    #[serde(default, deserialize_with = "de::decimal")]
    pub post_drift: Rate,
    /// Standard deviation of the calm 1-minute move of the mark path, in basis points
    /// (default 8).
    #[serde(default = "d_vol_bps")]
    pub vol_bps: u32,
    /// How many times larger that move is at full stress (default 4).
    #[serde(default = "d_crash_vol_multiplier", deserialize_with = "de::decimal")]
    pub crash_vol_multiplier: Rate,
    /// Typical last-price wick beyond the mark's range in a calm bar, basis points (default 4).
    #[serde(default = "d_wick_bps")]
    pub wick_bps: u32,
    /// How many times larger wicks are at full stress (default 6).
    #[serde(default = "d_crash_wick_multiplier", deserialize_with = "de::decimal")]
    pub crash_wick_multiplier: Rate,
    /// Stress after the low halves within this many minutes, roughly (default 30): it decays
    /// as `1 / (1 + Δt/τ)²`.
    #[serde(default = "d_stress_decay_min")]
    pub stress_decay_min: u32,
}

/// Traded volume and who aggresses.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowParams {
    /// Calm volume per bar of the perp, in base units (BTC), whatever the contract.
    #[serde(deserialize_with = "de::decimal")]
    pub volume_per_bar: Qty,
    /// Volume multiple at full stress (default 10).
    #[serde(
        default = "d_crash_volume_multiplier",
        deserialize_with = "de::decimal"
    )]
    pub crash_volume_multiplier: Rate,
    /// Average trade size in base units, for the bars' trade counts.
    #[serde(deserialize_with = "de::decimal")]
    pub avg_trade_qty: Qty,
    /// How far the taker-buy share falls below one half at full stress (default 0.25:
    /// sellers aggress in a cascade).
    #[serde(default = "d_taker_sell_skew", deserialize_with = "de::decimal")]
    pub taker_sell_skew: Rate,
}

/// Funding settlements.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingParams {
    /// Hours between settlements (default 8).
    #[serde(default = "d_funding_interval_h")]
    pub interval_h: u32,
    /// Hour of the first settlement of the day, modulo the interval (default 0: 00/08/16 UTC;
    /// BitMEX settled at 04/12/20).
    #[serde(default)]
    pub offset_h: u32,
    /// Rate per interval before the crash, when `figures.funding_before` has no rate. Default
    /// 0.0001 (the interest component alone, MECHANICS.md A1.7), when that figure is missing.
    #[serde(default, deserialize_with = "de::decimal_opt")]
    pub before: Option<Rate>,
    /// Rate per interval after the low, when `figures.funding_after` has no rate. Default
    /// as `before`, when that figure is missing.
    #[serde(default, deserialize_with = "de::decimal_opt")]
    pub after: Option<Rate>,
}

impl Default for FundingParams {
    fn default() -> Self {
        FundingParams {
            interval_h: d_funding_interval_h(),
            offset_h: 0,
            before: None,
            after: None,
        }
    }
}

/// Open interest of the perp.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenInterestParams {
    /// Open interest of the modelled perp at the crash start, whole USD.
    pub before_usd: u64,
    /// Relative growth over the window before the crash start (default 0.03: leverage builds).
    #[serde(default = "d_oi_build_up", deserialize_with = "de::decimal")]
    pub build_up: Rate,
    /// Relative change from the crash start to the window's end when
    /// `figures.open_interest` gives none. Default −0.15 (the mildest published reset,
    /// 2024-08-05).
    #[serde(default, deserialize_with = "de::decimal_opt")]
    pub change: Option<Rate>,
}

/// Long/short account ratios.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LongShortParams {
    /// Global ratio before the crash (default 1.8).
    #[serde(default = "d_ls_before", deserialize_with = "de::decimal")]
    pub before: Rate,
    /// Global ratio once the liquidations are over (default 1.4).
    #[serde(default = "d_ls_after", deserialize_with = "de::decimal")]
    pub after: Rate,
    /// Top traders' position ratio as a multiple of the global ratio (default 0.65).
    #[serde(default = "d_top_positions_factor", deserialize_with = "de::decimal")]
    pub top_positions_factor: Rate,
}

impl Default for LongShortParams {
    fn default() -> Self {
        LongShortParams {
            before: d_ls_before(),
            after: d_ls_after(),
            top_positions_factor: d_top_positions_factor(),
        }
    }
}

/// Book depth within ±5 % of the mid.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepthParams {
    /// Calm bid notional within 5 % below the mid, whole USD (asks the same).
    pub notional_5pct_usd: u64,
    /// Fraction of the bid depth gone at full stress (default 0.95); asks lose half as much.
    #[serde(default = "d_depth_thinning", deserialize_with = "de::decimal")]
    pub thinning: Rate,
}

/// Recorded liquidations of the modelled perp.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiquidationParams {
    /// Share of the published totals that fell on the modelled instrument.
    #[serde(deserialize_with = "de::decimal")]
    pub venue_share: Rate,
    /// Longs' share of the total, used only when the long/short split is not published.
    #[serde(default, deserialize_with = "de::decimal_opt")]
    pub long_fraction: Option<Rate>,
    /// Share spread evenly over every bar, whatever the stress (default 0.02).
    #[serde(default = "d_background_share", deserialize_with = "de::decimal")]
    pub background_share: Rate,
}

/// The spot instrument: the perp's path times `1 + basis`, with its own flow.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpotParams {
    /// `spot / perp mark − 1` when calm (default −0.0003: the perp at a small premium).
    #[serde(default = "d_spot_basis_calm", deserialize_with = "de::decimal")]
    pub basis_calm: Rate,
    /// The same at full stress (default 0.005: the perp at a discount).
    #[serde(default = "d_spot_basis_crash", deserialize_with = "de::decimal")]
    pub basis_crash: Rate,
    /// Spot volume as a fraction of the perp's (default 0.3).
    #[serde(default = "d_spot_volume_ratio", deserialize_with = "de::decimal")]
    pub volume_ratio: Rate,
    /// Spot wicks as a fraction of the perp's (default 0.5).
    #[serde(default = "d_spot_wick_ratio", deserialize_with = "de::decimal")]
    pub wick_ratio: Rate,
}

impl Default for SpotParams {
    fn default() -> Self {
        SpotParams {
            basis_calm: d_spot_basis_calm(),
            basis_crash: d_spot_basis_crash(),
            volume_ratio: d_spot_volume_ratio(),
            wick_ratio: d_spot_wick_ratio(),
        }
    }
}

/// The default relative change of open interest when none is published (−0.15).
pub fn default_oi_change() -> Rate {
    d_oi_change()
}
