//! The published figures of a reset, each with its source and confidence, as
//! `reference/MECHANICS.md` Part B gives them. A figure that was looked for and not found is
//! named in [`Figures::not_found`] — never left out silently, never invented.

use crate::de;
use cascade_types::{Price, Rate, Ts};
use serde::Deserialize;
use std::fmt;

/// How far a figure can be trusted (MECHANICS.md's tags).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Deserialize)]
pub enum Confidence {
    /// `H`: the venue's own documents or data (including Binance public data).
    #[serde(rename = "H")]
    High,
    /// `M/H`: several consistent secondary sources, partly confirmed by the venue.
    #[serde(rename = "M/H")]
    MediumHigh,
    /// `M`: several consistent secondary sources.
    #[serde(rename = "M")]
    Medium,
    /// `L/M`: one source, partly corroborated.
    #[serde(rename = "L/M")]
    LowMedium,
    /// `L`: one secondary source, or sources that disagree.
    #[serde(rename = "L")]
    Low,
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Confidence::High => "H",
            Confidence::MediumHigh => "M/H",
            Confidence::Medium => "M",
            Confidence::LowMedium => "L/M",
            Confidence::Low => "L",
        })
    }
}

/// A published price, optionally with the time it was seen.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceFigure {
    /// The price, exactly as published (USD or USDT).
    #[serde(deserialize_with = "de::decimal")]
    pub value: Price,
    /// When, if the source says; for a low, the opening time of the 1-minute bar that holds it.
    #[serde(default, deserialize_with = "de::ts_opt")]
    pub at: Option<Ts>,
    /// True when the source gives the value or time only roughly ("~74.5k", "shortly before
    /// 02:00").
    #[serde(default)]
    pub approx: bool,
    /// Where the figure comes from.
    pub source: String,
    /// How far it can be trusted.
    pub confidence: Confidence,
    /// Anything a reader needs to know (other venues' values, ranges).
    #[serde(default)]
    pub note: String,
}

/// The sign of a funding rate as a source describes it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FundingSign {
    /// Longs pay shorts.
    Positive,
    /// Shorts pay longs.
    Negative,
}

impl FundingSign {
    /// The sign of a rate (zero counts as positive: nobody is paid to be long).
    pub fn of(rate: Rate) -> FundingSign {
        if rate.is_negative() {
            FundingSign::Negative
        } else {
            FundingSign::Positive
        }
    }
}

impl fmt::Display for FundingSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            FundingSign::Positive => "positive",
            FundingSign::Negative => "negative",
        })
    }
}

/// A published funding level: its sign always, its rate per interval when a number was given.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingFigure {
    /// Which way funding went.
    pub sign: FundingSign,
    /// The rate per funding interval, when published (`-0.00375` is −0.375 %).
    #[serde(default, deserialize_with = "de::decimal_opt")]
    pub rate: Option<Rate>,
    /// Where the figure comes from.
    pub source: String,
    /// How far it can be trusted.
    pub confidence: Confidence,
    /// Anything a reader needs to know.
    #[serde(default)]
    pub note: String,
    /// When `rate` was read off a real funding file of the headline instrument: the first and
    /// last settlement it averages (inclusive; one settlement when both are equal). The data
    /// tests recompute the mean from the file and require agreement within 10 %.
    #[serde(default, deserialize_with = "de::window_opt")]
    pub span: Option<(Ts, Ts)>,
}

/// One funding settlement of the headline instrument as a real file records it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settlement {
    /// The settlement time (the nominal hour; files stamp a few ms after it).
    #[serde(deserialize_with = "de::ts")]
    pub at: Ts,
    /// The rate settled for that interval.
    #[serde(deserialize_with = "de::decimal")]
    pub rate: Rate,
}

/// The headline instrument's real funding settlements inside the window, copied from a real
/// file with its source. The reconstruction settles exactly these rates at these times (the
/// before/after rule fills only the times not listed).
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingSeries {
    /// The settlements, in time order.
    pub settlements: Vec<Settlement>,
    /// Where they come from (the file and the instrument).
    pub source: String,
    /// How far they can be trusted.
    pub confidence: Confidence,
    /// Anything a reader needs to know.
    #[serde(default)]
    pub note: String,
}

/// Published open interest: levels before and after, or the relative change.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenInterestFigure {
    /// Open interest before, whole USD.
    #[serde(default)]
    pub before_usd: Option<u64>,
    /// Open interest after, whole USD.
    #[serde(default)]
    pub after_usd: Option<u64>,
    /// Relative change (`-0.26` is −26 %); derived from the levels when absent.
    #[serde(default, deserialize_with = "de::decimal_opt")]
    pub change: Option<Rate>,
    /// What the figure measures ("Binance BTC futures", "total BTC futures, all venues").
    pub scope: String,
    /// Where the figure comes from.
    pub source: String,
    /// How far it can be trusted.
    pub confidence: Confidence,
    /// Anything a reader needs to know.
    #[serde(default)]
    pub note: String,
}

impl OpenInterestFigure {
    /// The relative change: as published, else `after / before − 1` (rounded half-even to
    /// 10⁻⁸), else `None`.
    pub fn change(&self) -> Option<Rate> {
        if let Some(c) = self.change {
            return Some(c);
        }
        let (b, a) = (self.before_usd?, self.after_usd?);
        let (b, a) = (i64::try_from(b).ok()?, i64::try_from(a).ok()?);
        Rate::ratio(a - b, b, cascade_types::Rounding::HalfEven)
    }
}

/// Published liquidation totals. Aggregator totals are lower bounds (venues throttle their
/// feeds, MECHANICS.md Part B).
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiquidationFigure {
    /// Longs and shorts together, whole USD.
    #[serde(default)]
    pub total_usd: Option<u64>,
    /// Longs liquidated, whole USD.
    #[serde(default)]
    pub long_usd: Option<u64>,
    /// Shorts liquidated, whole USD.
    #[serde(default)]
    pub short_usd: Option<u64>,
    /// What the totals cover ("all venues, 24 h", "BitMEX, 12 Mar").
    pub scope: String,
    /// Where the figure comes from.
    pub source: String,
    /// How far it can be trusted.
    pub confidence: Confidence,
    /// Anything a reader needs to know.
    #[serde(default)]
    pub note: String,
}

/// What a [`Fact`] is about.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactTopic {
    /// Auto-deleveraging.
    Adl,
    /// Insurance fund or vault moves.
    InsuranceFund,
    /// A venue outage or halt.
    Outage,
    /// Liquidation detail beyond the totals (per venue, per minute, largest single).
    Liquidations,
    /// Open-interest detail beyond the figure.
    OpenInterest,
    /// Funding elsewhere than on the headline instrument (market-wide, other venues).
    Funding,
    /// The trigger and timeline.
    Timeline,
    /// Anything else.
    Other,
}

impl FactTopic {
    /// The snake_case name used in files.
    pub const fn name(self) -> &'static str {
        match self {
            FactTopic::Adl => "adl",
            FactTopic::InsuranceFund => "insurance_fund",
            FactTopic::Outage => "outage",
            FactTopic::Liquidations => "liquidations",
            FactTopic::OpenInterest => "open_interest",
            FactTopic::Funding => "funding",
            FactTopic::Timeline => "timeline",
            FactTopic::Other => "other",
        }
    }
}

/// A published fact that is not one of the generator's inputs (ADL counts, insurance-fund
/// moves, outages), kept with its source so reports can quote it.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// What it is about.
    pub topic: FactTopic,
    /// The fact, in one sentence with its figures.
    pub text: String,
    /// Where it comes from.
    pub source: String,
    /// How far it can be trusted.
    pub confidence: Confidence,
}

/// Every figure of a reset, each either present with its source or named in `not_found`.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Figures {
    /// The price before the crash (at `at` when published).
    pub price_before: PriceFigure,
    /// The low of the headline instrument; the reconstruction's last-price low equals it.
    pub low: PriceFigure,
    /// The low of a first leg, when the crash came in two.
    #[serde(default)]
    pub first_leg_low: Option<PriceFigure>,
    /// A level the price recovered to.
    #[serde(default)]
    pub recovery: Option<PriceFigure>,
    /// The headline instrument's mark-price low.
    #[serde(default)]
    pub mark_low: Option<PriceFigure>,
    /// Funding before the crash.
    #[serde(default)]
    pub funding_before: Option<FundingFigure>,
    /// Funding after the crash.
    #[serde(default)]
    pub funding_after: Option<FundingFigure>,
    /// Every real funding settlement of the headline instrument in the window, when a real
    /// file holds them.
    #[serde(default)]
    pub funding_settled: Option<FundingSeries>,
    /// Open interest before/after.
    #[serde(default)]
    pub open_interest: Option<OpenInterestFigure>,
    /// Liquidation totals.
    pub liquidations: LiquidationFigure,
    /// Other published facts: ADL, insurance fund, outages.
    #[serde(default)]
    pub facts: Vec<Fact>,
    /// Figures looked for and not found, by name (see [`Figures::NAMES`]).
    #[serde(default)]
    pub not_found: Vec<String>,
}

impl Figures {
    /// The names `not_found` may use: each optional figure, each liquidation total, and the
    /// fact topics `adl` and `insurance_fund`.
    pub const NAMES: [&'static str; 11] = [
        "first_leg_low",
        "recovery",
        "mark_low",
        "funding_before",
        "funding_after",
        "open_interest",
        "liquidations.total",
        "liquidations.long",
        "liquidations.short",
        "adl",
        "insurance_fund",
    ];

    /// Whether the figure called `name` (one of [`Figures::NAMES`]) is present.
    pub fn has(&self, name: &str) -> bool {
        let fact = |t: FactTopic| self.facts.iter().any(|f| f.topic == t);
        match name {
            "first_leg_low" => self.first_leg_low.is_some(),
            "recovery" => self.recovery.is_some(),
            "mark_low" => self.mark_low.is_some(),
            "funding_before" => self.funding_before.is_some(),
            "funding_after" => self.funding_after.is_some(),
            "open_interest" => self.open_interest.is_some(),
            "liquidations.total" => self.liquidations.total_usd.is_some(),
            "liquidations.long" => self.liquidations.long_usd.is_some(),
            "liquidations.short" => self.liquidations.short_usd.is_some(),
            "adl" => fact(FactTopic::Adl),
            "insurance_fund" => fact(FactTopic::InsuranceFund),
            _ => false,
        }
    }
}
