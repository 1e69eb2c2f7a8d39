//! The parameters: the declared table ([`PARAMS`]) the README's table is rendered from, and
//! the [`Config`] read and checked from it.

use cascade_strategy::prelude::*;
use cascade_strategy::spec::{Bound, ParamKind, ParamReader, ParamSpec};
use cascade_strategy::types::Rate;
use std::fmt;

/// The parameters [`FundingCarry::from_params`](crate::FundingCarry::from_params) reads: names, types, defaults, ranges and
/// docs (the README's table is rendered from it).
pub const PARAMS: &[ParamSpec] = &[
    ParamSpec::new(
        "perp",
        ParamKind::text("first linear perpetual"),
        "venue symbol",
        "the perpetual shorted",
    ),
    ParamSpec::new(
        "spot",
        ParamKind::text("first spot of the perp's base"),
        "venue symbol",
        "the spot instrument bought",
    ),
    ParamSpec::new(
        "leverage",
        ParamKind::int(2, 1, u32::MAX),
        "≥ 1",
        "leverage of the short leg",
    )
    .expect("at least 1"),
    ParamSpec::new(
        "fraction",
        ParamKind::decimal("1", Bound::Excl("0"), Bound::Incl("1")),
        "share, (0, 1]",
        "share of equity deployed",
    )
    .expect("a share in (0, 1]"),
    ParamSpec::new(
        "buffer",
        ParamKind::decimal("0.02", Bound::Incl("0"), Bound::Excl("0.5")),
        "share of the notional, [0, 0.5)",
        "held back for the taker fee, slippage and the fill-to-mark gap, on each leg",
    )
    .expect("a share in [0, 0.5)"),
    ParamSpec::new(
        "rebalance_tolerance",
        ParamKind::decimal("0.02", Bound::Incl("0"), Bound::Excl("1")),
        "share of the spot leg, [0, 1)",
        "legs further apart than this are rebalanced",
    )
    .expect("a share in [0, 1)"),
    ParamSpec::new(
        "check_s",
        ParamKind::int(60, 1, u32::MAX),
        "seconds ≥ 1",
        "time between checks of the legs (on a fixed grid)",
    )
    .expect("at least 1 second"),
    ParamSpec::new(
        "after_adl",
        ParamKind::choice(&["hold", "reopen", "flatten"], "hold"),
        "`\"hold\"`, `\"reopen\"`, `\"flatten\"`",
        "policy when the short leg is closed by ADL or liquidation",
    ),
    ParamSpec::new(
        "max_attempts",
        ParamKind::int(3, 1, u32::MAX),
        "≥ 1",
        "entry attempts; refused unwinding, rebalancing or restoring orders in a row before it stops trying",
    )
    .expect("at least 1"),
    ParamSpec::new(
        "log_summary",
        ParamKind::bool(false),
        "",
        "print the summary to stderr at the end of the run",
    ),
];

/// What to do when the exchange closes the short leg (ADL or liquidation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterAdl {
    /// Stay naked long.
    Hold,
    /// Short the lost quantity again.
    Reopen,
    /// Sell the unhedged spot.
    Flatten,
}

impl fmt::Display for AfterAdl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            AfterAdl::Hold => "hold",
            AfterAdl::Reopen => "reopen",
            AfterAdl::Flatten => "flatten",
        })
    }
}

/// The strategy's settings; the crate's README has the table with units and defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Symbol of the perpetual shorted; `None`: the first linear perpetual.
    pub perp: Option<String>,
    /// Symbol of the spot instrument bought; `None`: the first spot instrument with the
    /// perpetual's base asset.
    pub spot: Option<String>,
    /// Leverage of the short leg (≥ 1).
    pub leverage: u32,
    /// Share of equity deployed, in (0, 1].
    pub fraction: Rate,
    /// Share of each leg's notional held back for the taker fee, slippage and the
    /// fill-to-mark gap, in [0, 0.5).
    pub buffer: Rate,
    /// The legs are rebalanced when they differ by more than this share of the spot leg.
    pub rebalance_tolerance: Rate,
    /// Seconds between checks of the legs.
    pub check_s: u32,
    /// The policy when the short leg is closed by the exchange.
    pub after_adl: AfterAdl,
    /// Entry attempts before giving up (a refused leg is unwound and the entry retried);
    /// also the refused unwinding, rebalancing or restoring orders in a row after which the
    /// strategy stops trying and says so.
    pub max_attempts: u32,
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
        Ok(Config {
            perp: r.text("perp")?,
            spot: r.text("spot")?,
            leverage: r.u32("leverage")?,
            fraction: r.rate("fraction")?,
            buffer: r.rate("buffer")?,
            rebalance_tolerance: r.rate("rebalance_tolerance")?,
            check_s: r.u32("check_s")?,
            after_adl: r.choice_of(
                "after_adl",
                &[
                    ("hold", AfterAdl::Hold),
                    ("reopen", AfterAdl::Reopen),
                    ("flatten", AfterAdl::Flatten),
                ],
            )?,
            max_attempts: r.u32("max_attempts")?,
            log_summary: r.bool("log_summary")?,
        })
    }
}
