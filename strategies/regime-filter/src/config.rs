//! The parameters: the declared table ([`PARAMS`]) the README's table is rendered from, and
//! the [`Config`] read and checked from it.

use cascade_strategy::prelude::*;
use cascade_strategy::spec::{Bound, ParamKind, ParamReader, ParamSpec};
use cascade_strategy::types::{Money, Rate};

/// The parameters [`RegimeFilter::from_params`](crate::RegimeFilter::from_params) reads: names, types, defaults, ranges and
/// docs (the README's table is rendered from it). `oi_excess_max` and `funding_hot` are
/// also checked against `oi_excess_ok` and `funding_moderate`.
pub const PARAMS: &[ParamSpec] = &[
    ParamSpec::new(
        "perp",
        ParamKind::text("first linear perpetual"),
        "venue symbol",
        "the perpetual watched (and traded with `hold = perp`)",
    ),
    ParamSpec::new(
        "spot",
        ParamKind::text("first spot of the perp's base"),
        "venue symbol",
        "the spot instrument for the taker delta (and `hold = spot`)",
    ),
    ParamSpec::new(
        "hold",
        ParamKind::choice(&["perp", "spot"], "perp"),
        "`\"perp\"` or `\"spot\"`",
        "what is held while risk-on",
    ),
    ParamSpec::new(
        "leverage",
        ParamKind::int(3, 1, u32::MAX),
        "≥ 1",
        "leverage of the perpetual long",
    )
    .expect("at least 1"),
    ParamSpec::new(
        "fraction",
        ParamKind::decimal("1", Bound::Excl("0"), Bound::Incl("1")),
        "share, (0, 1]",
        "share of equity used as margin (perp) or spent (spot)",
    )
    .expect("a share in (0, 1]"),
    ParamSpec::new(
        "buffer",
        ParamKind::decimal("0.02", Bound::Incl("0"), Bound::Excl("0.5")),
        "share of the notional, [0, 0.5)",
        "held back for the taker fee, slippage and the fill-to-mark gap: notional = margin·L / (1 + buffer·L)",
    )
    .expect("a share in [0, 0.5)"),
    ParamSpec::new(
        "eval_s",
        ParamKind::int(60, 1, u32::MAX),
        "seconds ≥ 1",
        "time between evaluations (on a fixed grid)",
    )
    .expect("at least 1 second"),
    ParamSpec::new(
        "window_min",
        ParamKind::int(60, 1, u32::MAX),
        "minutes ≥ 1",
        "window of the price and open-interest changes; also the warm-up",
    )
    .expect("at least 1 minute"),
    ParamSpec::new(
        "oi_excess_ok",
        ParamKind::any_decimal("0.01"),
        "rate",
        "spot-led needs OI change − price change at or below",
    ),
    ParamSpec::new(
        "oi_excess_max",
        ParamKind::any_decimal("0.03"),
        "rate > `oi_excess_ok`",
        "leverage-led vote at or above",
    ),
    ParamSpec::new(
        "funding_moderate",
        ParamKind::any_decimal("0.0001"),
        "rate per funding interval",
        "spot-led needs funding at or below",
    ),
    ParamSpec::new(
        "funding_hot",
        ParamKind::any_decimal("0.0003"),
        "rate > `funding_moderate`",
        "leverage-led vote at or above",
    ),
    ParamSpec::new(
        "funding_reset",
        ParamKind::any_decimal("0"),
        "rate",
        "reset / re-entry sign below",
    ),
    ParamSpec::new(
        "spot_delta_min",
        ParamKind::any_decimal("0"),
        "share of spot taker notional",
        "spot-led needs the delta share above",
    ),
    ParamSpec::new(
        "taker_spike",
        ParamKind::decimal("2", Bound::Excl("1"), Bound::None),
        "ratio > 1",
        "leverage-led vote when one side is at least this many times the other",
    )
    .expect("a ratio above 1"),
    ParamSpec::new(
        "liq_notional_min",
        ParamKind::any_decimal("1000000"),
        "quote currency",
        "recorded liquidations over the fast window count from here",
    ),
    ParamSpec::new(
        "liq_one_sided",
        ParamKind::decimal("0.8", Bound::Excl("0.5"), Bound::Incl("1")),
        "share, (0.5, 1]",
        "one side's share for \"one-sided\"",
    )
    .expect("a share in (0.5, 1]"),
    ParamSpec::new(
        "heatmap_bps",
        ParamKind::int(500, 0, u32::MAX),
        "basis points",
        "the widest heatmap band within this distance is read",
    ),
    ParamSpec::new(
        "heatmap_ratio",
        ParamKind::decimal("2", Bound::Excl("1"), Bound::None),
        "ratio > 1",
        "leverage-led vote when long ÷ short heatmap notional is at or above",
    )
    .expect("a ratio above 1"),
    ParamSpec::new(
        "derisk_votes",
        ParamKind::int(2, 1, u32::MAX),
        "≥ 1",
        "leverage-led votes needed to de-risk",
    )
    .expect("at least 1"),
    ParamSpec::new(
        "oi_flush",
        ParamKind::decimal("0.05", Bound::Excl("0"), Bound::Incl("1")),
        "share, (0, 1]",
        "open interest this far below its peak is flushed",
    )
    .expect("a share in (0, 1]"),
    ParamSpec::new(
        "liq_exhausted",
        ParamKind::decimal("0.2", Bound::Incl("0"), Bound::Incl("1")),
        "share, [0, 1]",
        "long liquidations at or below this share of their peak are exhausted",
    )
    .expect("a share in [0, 1]"),
    ParamSpec::new(
        "reentry_votes",
        ParamKind::int(3, 1, u32::MAX),
        "≥ 1",
        "re-entry conditions needed (capped by those available)",
    )
    .expect("at least 1"),
    ParamSpec::new(
        "rearm_min",
        ParamKind::int(240, 0, u32::MAX),
        "minutes, 0 = never",
        "spot-led minutes that re-arm a flat filter without a reset",
    ),
    ParamSpec::new(
        "log_summary",
        ParamKind::bool(false),
        "",
        "print the summary to stderr at the end of the run",
    ),
];

/// What is held while risk-on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
    /// A long on the linear perpetual at `leverage`.
    Perp,
    /// Spot, 1x, bought from the spot wallet.
    Spot,
}

/// The filter's settings; the crate's README has the table with units and defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Symbol of the perpetual watched (and traded with `hold = perp`); `None`: the first
    /// linear perpetual.
    pub perp: Option<String>,
    /// Symbol of the spot instrument for the spot taker delta (and traded with
    /// `hold = spot`); `None`: the first spot instrument with the perpetual's base asset.
    pub spot: Option<String>,
    /// What to hold while risk-on.
    pub hold: Hold,
    /// Leverage of the perpetual long.
    pub leverage: u32,
    /// Share of equity used as margin (perp) or spent (spot), in (0, 1].
    pub fraction: Rate,
    /// Share of the notional held back for the taker fee, slippage and the fill-to-mark gap,
    /// in [0, 0.5): notional = margin·L / (1 + buffer·L).
    pub buffer: Rate,
    /// Seconds between evaluations.
    pub eval_s: u32,
    /// Minutes over which price and open interest changes are compared; also the warm-up.
    pub window_min: u32,
    /// Spot-led needs `oi_change − price_change` at or below this.
    pub oi_excess_ok: Rate,
    /// Leverage-led vote when `oi_change − price_change` is at or above this.
    pub oi_excess_max: Rate,
    /// Spot-led needs funding (per interval) at or below this.
    pub funding_moderate: Rate,
    /// Leverage-led vote when funding is at or above this.
    pub funding_hot: Rate,
    /// Reset / re-entry sign when funding is below this.
    pub funding_reset: Rate,
    /// Spot-led needs the spot taker delta share above this.
    pub spot_delta_min: Rate,
    /// Leverage-led vote when one side of the perpetual's taker flow is at least this many
    /// times the other (> 1).
    pub taker_spike: Rate,
    /// Recorded liquidations over the fast window are significant from this notional.
    pub liq_notional_min: Money,
    /// Significant liquidations are one-sided when one side has at least this share.
    pub liq_one_sided: Rate,
    /// The heatmap band read: the widest one within this many basis points.
    pub heatmap_bps: u32,
    /// Leverage-led vote when long ÷ short heatmap notional is at or above this.
    pub heatmap_ratio: Rate,
    /// Leverage-led votes needed to de-risk (≥ 1).
    pub derisk_votes: u32,
    /// Open interest is flushed when this share below its peak since the de-risk.
    pub oi_flush: Rate,
    /// Long liquidations are exhausted at or below this share of their peak.
    pub liq_exhausted: Rate,
    /// Re-entry conditions needed (capped by how many could be evaluated; ≥ 1).
    pub reentry_votes: u32,
    /// Minutes of continuous spot-led readings after which a flat filter re-arms without a
    /// reset (0: never).
    pub rearm_min: u32,
    /// Print the summary to stderr at the end of the run.
    pub log_summary: bool,
}

impl Default for Config {
    /// The declared defaults ([`PARAMS`]).
    fn default() -> Self {
        Config::from_params(&Params::new()).expect("the declared defaults are valid")
    }
}

impl Config {
    /// Reads and checks the parameters.
    pub fn from_params(p: &Params) -> Result<Config, ParamError> {
        let r = ParamReader::new(p, PARAMS)?;
        let c = Config {
            perp: r.text("perp")?,
            spot: r.text("spot")?,
            hold: r.choice_of("hold", &[("perp", Hold::Perp), ("spot", Hold::Spot)])?,
            leverage: r.u32("leverage")?,
            fraction: r.rate("fraction")?,
            buffer: r.rate("buffer")?,
            eval_s: r.u32("eval_s")?,
            window_min: r.u32("window_min")?,
            oi_excess_ok: r.rate("oi_excess_ok")?,
            oi_excess_max: r.rate("oi_excess_max")?,
            funding_moderate: r.rate("funding_moderate")?,
            funding_hot: r.rate("funding_hot")?,
            funding_reset: r.rate("funding_reset")?,
            spot_delta_min: r.rate("spot_delta_min")?,
            taker_spike: r.rate("taker_spike")?,
            liq_notional_min: r.money("liq_notional_min")?,
            liq_one_sided: r.rate("liq_one_sided")?,
            heatmap_bps: r.u32("heatmap_bps")?,
            heatmap_ratio: r.rate("heatmap_ratio")?,
            derisk_votes: r.u32("derisk_votes")?,
            oi_flush: r.rate("oi_flush")?,
            liq_exhausted: r.rate("liq_exhausted")?,
            reentry_votes: r.u32("reentry_votes")?,
            rearm_min: r.u32("rearm_min")?,
            log_summary: r.bool("log_summary")?,
        };
        if c.oi_excess_max <= c.oi_excess_ok {
            return Err(p.invalid("oi_excess_max", "a rate above oi_excess_ok"));
        }
        if c.funding_hot <= c.funding_moderate {
            return Err(p.invalid("funding_hot", "a rate above funding_moderate"));
        }
        Ok(c)
    }
}
