//! [`CrowdConfig`]: everything that shapes a crowd, readable from TOML or JSON. Every field
//! has a default, so a file only names what it changes:
//!
//! ```toml
//! mode = "impact"
//! seed = 42
//! long_short_ratio = 1.5
//!
//! [leverage]
//! kind = "log_normal"
//! median = 20.0
//! sigma = 0.7
//! max = 125
//! ```

use crate::dist::{CushionDist, LeverageDist, SizeDist};
use crate::CrowdError;
use cascade_types::{InstrumentId, MarginMode, RatioSource};
use serde::{Deserialize, Serialize};

/// Replay keeps recorded prices; impact lets forced orders move the price.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Prices stay as recorded; the crowd yields modelled liquidations, fund moves and ADL.
    #[default]
    Replay,
    /// Forced orders walk the recorded depth and move the mark, which can liquidate more
    /// positions in the same instant: a cascade, resolved to a fixed point in bounded rounds
    /// ([`crate::impact`]).
    Impact,
}

/// Which crowd positions close when open interest falls by more than the modelled
/// liquidations explain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClosingRule {
    /// First in, first out: the oldest positions of the side close first (the default: old
    /// positions are the ones whose traders have had time to take profit or give up).
    #[default]
    Oldest,
    /// Last in, first out: the newest positions close first (short-term traders).
    Newest,
    /// Every position of the side shrinks by the same fraction (whole lots, rounded down); the
    /// rounding remainder closes oldest first. Keeps the book's shape.
    ProRata,
}

/// Which recorded long/short ratio the crowd follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RatioFollow {
    /// None: keep [`CrowdConfig::long_short_ratio`].
    Fixed,
    /// All accounts (Binance `count_long_short_ratio`).
    #[default]
    Global,
    /// Top traders by account count.
    TopAccounts,
    /// Top traders by position size.
    TopPositions,
}

impl RatioFollow {
    /// The recorded series followed, if any.
    pub fn source(self) -> Option<RatioSource> {
        match self {
            RatioFollow::Fixed => None,
            RatioFollow::Global => Some(RatioSource::Global),
            RatioFollow::TopAccounts => Some(RatioSource::TopAccounts),
            RatioFollow::TopPositions => Some(RatioSource::TopPositions),
        }
    }
}

/// The liquidation heatmap's grid and outputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HeatmapConfig {
    /// Width of a liquidation-price bucket in basis points of the first price the crowd sees
    /// (fixed from then on, rounded to the tick; 10 = 0.1 %).
    pub bucket_bps: u32,
    /// The bands of the strategy view's summary, nearest first (at most 8): notional whose
    /// liquidation price lies within this many basis points below (longs) and above (shorts)
    /// the mark.
    pub bands_bps: Vec<u32>,
    /// Seconds between heatmap snapshots for the picture (0: none).
    pub snapshot_every_s: u32,
    /// Half-height of a snapshot around the mark, in basis points.
    pub snapshot_range_bps: u32,
}

impl Default for HeatmapConfig {
    fn default() -> Self {
        HeatmapConfig {
            bucket_bps: 10,
            bands_bps: vec![50, 100, 200, 500, 1000],
            snapshot_every_s: 300,
            snapshot_range_bps: 4000,
        }
    }
}

/// Everything that shapes a crowd. See the field docs for units and defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrowdConfig {
    /// Replay or impact.
    pub mode: Mode,
    /// Seed of every draw (recorded in the run manifest).
    pub seed: u64,
    /// The perpetual the crowd holds (its index in the exchange's instrument list). One
    /// crowd per instrument.
    pub instrument: InstrumentId,
    /// Leverage of new positions.
    pub leverage: LeverageDist,
    /// Margin held beyond the initial margin.
    pub cushion: CushionDist,
    /// Notional of one new position, in quote currency.
    pub size: SizeDist,
    /// Cross (the deposit backs the position: the cushion matters) or isolated (only the
    /// initial margin backs it).
    pub margin_mode: MarginMode,
    /// Longs ÷ shorts among leveraged accounts until a recorded ratio arrives (and always,
    /// when `ratio_source` is `fixed`). The more crowded side holds the crowd's whole share of
    /// open interest; the other side `1/ratio` of it ([`crate::model`]).
    pub long_short_ratio: f64,
    /// Which recorded long/short ratio to follow.
    pub ratio_source: RatioFollow,
    /// Share of recorded open interest the crowd stands for (the rest is the market account:
    /// hedgers and unleveraged holders who are never liquidated).
    pub oi_share: f64,
    /// Which positions close when open interest falls.
    pub closing: ClosingRule,
    /// Crowd positions pay the venue's taker fee when they open and close (as market orders).
    pub pay_fees: bool,
    /// Entries of a starting book (the first open-interest observation of an empty crowd, or
    /// [`crate::Crowd::seed_spread`]) are spread uniformly within ± this many basis points of
    /// the price; later openings are at the interval's volume-weighted price.
    pub initial_spread_bps: u32,
    /// Impact mode: most rounds of one cascade (each round moves the mark once).
    pub max_rounds: u32,
    /// Impact mode: forced flow beyond the deepest recorded band moves the price this many
    /// basis points past that band's edge (the exchange's beyond-book penalty plays the same
    /// part for fills).
    pub beyond_book_bps: u32,
    /// Length of a fidelity interval (modelled against recorded liquidations), in seconds.
    pub fidelity_interval_s: u32,
    /// The heatmap.
    pub heatmap: HeatmapConfig,
}

impl Default for CrowdConfig {
    fn default() -> Self {
        CrowdConfig {
            mode: Mode::Replay,
            seed: 1,
            instrument: InstrumentId(0),
            leverage: LeverageDist::LogNormal {
                median: 15.0,
                sigma: 0.7,
                max: 125,
            },
            cushion: CushionDist::Uniform { lo: 0.0, hi: 1.0 },
            size: SizeDist::LogNormal {
                median: 5_000.0,
                sigma: 1.2,
                min: 100.0,
                max: 5_000_000.0,
            },
            margin_mode: MarginMode::Cross,
            long_short_ratio: 1.0,
            ratio_source: RatioFollow::Global,
            oi_share: 1.0,
            closing: ClosingRule::Oldest,
            pay_fees: true,
            initial_spread_bps: 0,
            max_rounds: 16,
            beyond_book_bps: 100,
            fidelity_interval_s: 300,
            heatmap: HeatmapConfig::default(),
        }
    }
}

impl CrowdConfig {
    /// Reads a config from TOML (missing fields take their defaults).
    pub fn from_toml(text: &str) -> Result<CrowdConfig, CrowdError> {
        let c: CrowdConfig =
            toml::from_str(text).map_err(|e| CrowdError::BadConfig(e.to_string()))?;
        c.validate()?;
        Ok(c)
    }

    /// Reads a config from JSON (missing fields take their defaults).
    pub fn from_json(text: &str) -> Result<CrowdConfig, CrowdError> {
        let c: CrowdConfig =
            serde_json::from_str(text).map_err(|e| CrowdError::BadConfig(e.to_string()))?;
        c.validate()?;
        Ok(c)
    }

    /// Writes the config as TOML (for the run manifest; [`CrowdConfig::from_toml`] reads it
    /// back to an equal config).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a crowd config always serialises")
    }

    /// Checks every value a file could get wrong.
    pub fn validate(&self) -> Result<(), CrowdError> {
        let bad = |m: String| Err(CrowdError::BadConfig(m));
        self.leverage.validate().or_else(bad)?;
        self.cushion.validate().or_else(bad)?;
        self.size.validate().or_else(bad)?;
        if !(self.long_short_ratio.is_finite()
            && self.long_short_ratio > 0.0
            && self.long_short_ratio < 1e6)
        {
            return bad("long_short_ratio must be positive (longs ÷ shorts)".into());
        }
        if !(self.oi_share.is_finite() && self.oi_share > 0.0 && self.oi_share <= 1.0) {
            return bad("oi_share must be in (0, 1]".into());
        }
        if self.initial_spread_bps >= 10_000 {
            return bad("initial_spread_bps must be below 10000".into());
        }
        if self.max_rounds == 0 || self.max_rounds > 1_000 {
            return bad("max_rounds must be 1..=1000".into());
        }
        if self.beyond_book_bps >= 10_000 {
            return bad("beyond_book_bps must be below 10000".into());
        }
        if self.fidelity_interval_s == 0 {
            return bad("fidelity_interval_s must be at least 1".into());
        }
        let h = &self.heatmap;
        if h.bucket_bps == 0 || h.bucket_bps > 1_000 {
            return bad("heatmap.bucket_bps must be 1..=1000".into());
        }
        if h.bands_bps.len() > 8
            || h.bands_bps.windows(2).any(|w| w[0] >= w[1])
            || h.bands_bps.iter().any(|&b| b == 0 || b >= 10_000)
        {
            return bad(
                "heatmap.bands_bps: at most 8 increasing distances, each 1..=9999 bps".into(),
            );
        }
        if h.snapshot_range_bps == 0 || h.snapshot_range_bps >= 10_000 {
            return bad("heatmap.snapshot_range_bps must be 1..=9999".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_round_trips_and_defaults_fill_in() {
        let c = CrowdConfig::from_toml(
            "mode = \"impact\"\nseed = 9\n[leverage]\nkind = \"discrete\"\nlevels = [{ leverage = 10, weight = 1.0 }]\n",
        )
        .unwrap();
        assert_eq!(c.mode, Mode::Impact);
        assert_eq!(c.seed, 9);
        assert_eq!(c.heatmap, HeatmapConfig::default());
        assert_eq!(CrowdConfig::from_toml(&c.to_toml()).unwrap(), c);
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(CrowdConfig::from_json(&json).unwrap(), c);
    }

    #[test]
    fn bad_values_are_named() {
        let e = CrowdConfig::from_toml("oi_share = 2.0").unwrap_err();
        assert!(e.to_string().contains("oi_share"), "{e}");
        let e = CrowdConfig::from_toml("seeed = 2").unwrap_err();
        assert!(e.to_string().contains("seeed"), "{e}");
        let e = CrowdConfig::from_toml("[heatmap]\nbands_bps = [100, 50]").unwrap_err();
        assert!(e.to_string().contains("bands_bps"), "{e}");
    }
}
