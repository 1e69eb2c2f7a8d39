//! The parameters: the declared table ([`PARAMS`]) the README's table is rendered from, and
//! the [`Config`] read and checked from it.

use cascade_strategy::prelude::*;
use cascade_strategy::spec::{Bound, ParamKind, ParamReader, ParamSpec};
use cascade_strategy::types::{Money, Rate};

/// The parameters [`CascadeFade::from_params`](crate::CascadeFade::from_params) reads: names, types, defaults, ranges and
/// docs (the README's table is rendered from it). `rate_window_s` is also checked against
/// `window_s`.
pub const PARAMS: &[ParamSpec] = &[
    ParamSpec::new(
        "signal",
        ParamKind::text("first linear perpetual"),
        "venue symbol",
        "perpetual whose liquidations and price are watched",
    ),
    ParamSpec::new(
        "trade",
        ParamKind::choice(&["perp", "spot"], "perp"),
        "`\"perp\"` or `\"spot\"`",
        "what is bought",
    ),
    ParamSpec::new(
        "spot",
        ParamKind::text("first spot of the signal's base"),
        "venue symbol",
        "the spot instrument (with `trade = \"spot\"`)",
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
        ParamKind::decimal("0.5", Bound::Excl("0"), Bound::Incl("1")),
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
        "window_s",
        ParamKind::int(300, 1, 86_400),
        "seconds, 1–86400",
        "detection window (liquidations and price drop)",
    )
    .expect("1 to 86400 seconds"),
    ParamSpec::new(
        "liq_threshold",
        ParamKind::decimal("10000000", Bound::Excl("0"), Bound::None),
        "quote currency",
        "long-liquidation notional over the window that makes a cascade",
    )
    .expect("a positive amount"),
    ParamSpec::new(
        "drop",
        ParamKind::decimal("0.03", Bound::Excl("0"), Bound::Excl("1")),
        "share, (0, 1)",
        "the price must be down more than this over the window",
    )
    .expect("a share in (0, 1)"),
    ParamSpec::new(
        "rate_window_s",
        ParamKind::int(60, 1, u32::MAX),
        "seconds, 1–`window_s`",
        "window of the liquidation rate",
    )
    .expect("1 to window_s seconds"),
    ParamSpec::new(
        "exhaustion",
        ParamKind::decimal("0.25", Bound::Excl("0"), Bound::Excl("1")),
        "share of the peak rate, (0, 1)",
        "exhausted at or below",
    )
    .expect("a share in (0, 1)"),
    ParamSpec::new(
        "calm_s",
        ParamKind::int(120, 0, u32::MAX),
        "seconds",
        "no new low for this long",
    ),
    ParamSpec::new(
        "max_wait_s",
        ParamKind::int(3600, 1, u32::MAX),
        "seconds ≥ 1",
        "a cascade not exhausted by then is abandoned",
    )
    .expect("at least 1 second"),
    ParamSpec::new(
        "stop_buffer",
        ParamKind::decimal("0.005", Bound::Incl("0"), Bound::Excl("1")),
        "share, [0, 1)",
        "the stop sits this far under the cascade low",
    )
    .expect("a share in [0, 1)"),
    ParamSpec::new(
        "take_profit",
        ParamKind::decimal("0.03", Bound::Excl("0"), Bound::None),
        "share > 0",
        "the take-profit sits this far over the entry",
    )
    .expect("a positive share"),
    ParamSpec::new(
        "max_hold_s",
        ParamKind::int(14_400, 1, u32::MAX),
        "seconds ≥ 1",
        "time exit after the entry fill",
    )
    .expect("at least 1 second"),
    ParamSpec::new(
        "cooldown_s",
        ParamKind::int(1800, 0, u32::MAX),
        "seconds",
        "pause after an exit or an abandoned cascade",
    ),
    ParamSpec::new(
        "log_summary",
        ParamKind::bool(false),
        "",
        "print the summary to stderr at the end of the run",
    ),
];

/// What is bought.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TradeOn {
    /// A long on the signal perpetual at `leverage`.
    Perp,
    /// Spot, 1x.
    Spot,
}

/// The strategy's settings; the crate's README has the table with units and defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Symbol of the perpetual whose liquidations and price are watched; `None`: the first
    /// linear perpetual.
    pub signal: Option<String>,
    /// What is bought.
    pub trade: TradeOn,
    /// Symbol of the spot instrument (with `trade = spot`); `None`: the first spot instrument
    /// with the signal's base asset.
    pub spot: Option<String>,
    /// Leverage of the perpetual long (≥ 1).
    pub leverage: u32,
    /// Share of equity used as margin (perp) or spent (spot), in (0, 1].
    pub fraction: Rate,
    /// Share of the notional held back for the taker fee, slippage and the fill-to-mark gap,
    /// in [0, 0.5): notional = margin·L / (1 + buffer·L).
    pub buffer: Rate,
    /// Detection window, seconds.
    pub window_s: u32,
    /// Long-liquidation notional over the window that makes a cascade (quote currency).
    pub liq_threshold: Money,
    /// The price must be down more than this share over the window.
    pub drop: Rate,
    /// Window of the liquidation rate, seconds.
    pub rate_window_s: u32,
    /// Exhausted when the rate is at or below this share of its peak.
    pub exhaustion: Rate,
    /// Exhausted only after this many seconds without a new low.
    pub calm_s: u32,
    /// A cascade not exhausted after this many seconds is abandoned.
    pub max_wait_s: u32,
    /// The stop sits this share below the cascade low.
    pub stop_buffer: Rate,
    /// The take-profit sits this share above the entry price.
    pub take_profit: Rate,
    /// Time exit, seconds after the entry fill.
    pub max_hold_s: u32,
    /// Seconds after an exit before watching again.
    pub cooldown_s: u32,
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
            signal: r.text("signal")?,
            trade: r.choice_of("trade", &[("perp", TradeOn::Perp), ("spot", TradeOn::Spot)])?,
            spot: r.text("spot")?,
            leverage: r.u32("leverage")?,
            fraction: r.rate("fraction")?,
            buffer: r.rate("buffer")?,
            window_s: r.u32("window_s")?,
            liq_threshold: r.money("liq_threshold")?,
            drop: r.rate("drop")?,
            rate_window_s: r.u32("rate_window_s")?,
            exhaustion: r.rate("exhaustion")?,
            calm_s: r.u32("calm_s")?,
            max_wait_s: r.u32("max_wait_s")?,
            stop_buffer: r.rate("stop_buffer")?,
            take_profit: r.rate("take_profit")?,
            max_hold_s: r.u32("max_hold_s")?,
            cooldown_s: r.u32("cooldown_s")?,
            log_summary: r.bool("log_summary")?,
        };
        if c.rate_window_s > c.window_s {
            return Err(p.invalid("rate_window_s", "1 to window_s seconds"));
        }
        Ok(c)
    }
}
