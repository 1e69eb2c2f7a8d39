//! Run settings that shape results: [`RunConfig`] (recorded in the manifest) and the crowd's
//! setup. How the work is done (batching, threads, progress) is the `cascade-run` crate's
//! `ExecConfig`, which never changes results.

use crate::bars::BarPathConfig;
use crate::error::EngineError;
use crate::venue::FundSetting;
use cascade_crowd::CrowdConfig;
use cascade_types::{Money, Price, Qty, Ts};
use serde::{Deserialize, Serialize};

/// Settings that shape a run's results; all recorded in its manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// Order-entry latency in nanoseconds: a command issued at `t` reaches the exchange at
    /// `t + latency_ns` (a scheduled event, never a sleep).
    pub latency_ns: i64,
    /// Spacing of the equity-curve samples and market series, in nanoseconds.
    pub sample_interval_ns: i64,
    /// What the strategy's account starts with in its futures wallet (quote currency).
    #[serde(with = "decimal")]
    pub deposit: Money,
    /// What the insurance funds start with: `venue` (the default), each fund's dated, sourced
    /// figure for the venue preset ([`cascade_exchange::funds`]); or an amount in every fund
    /// (settlement currency), which the run's notes call an assumption.
    #[serde(with = "fund_setting")]
    pub insurance_fund: FundSetting,
    /// The run's seed, handed to anything random in the models (recorded for replays).
    pub seed: u64,
    /// Expand bars into intra-bar ticks ([`crate::bars`]).
    pub expand_bars: bool,
    /// How an expanded bar's path runs: the order of its extremes and how far ahead the
    /// engine reads to spread it over the bar's interval ([`crate::bars`]). Absent from the
    /// manifest when default.
    #[serde(default, skip_serializing_if = "BarPathConfig::is_default")]
    pub bar_path: BarPathConfig,
    /// Most commands and timers that may be pending at once.
    pub scheduler_capacity: usize,
    /// The crowd (the rest of the market's open interest as exchange accounts), off by
    /// default. Absent from the manifest when off, so runs without it are unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crowd: Option<CrowdSetup>,
    /// The run's window: events before `from` or after `to` (inclusive ends) are not applied,
    /// and the report's period is the window. Absent (open) by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Ts>,
    /// The window's last instant (inclusive), see [`RunConfig::from`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Ts>,
    /// What stands in for a perpetual's funding when its inputs hold no funding rate or
    /// settlement in the window. `None` (the default): such a run is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funding_default: Option<FundingDefault>,
    /// What stands in for a perpetual's mark when its inputs hold neither a mark nor an index
    /// price in the window. `None` (the default): such a run is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mark_default: Option<MarkDefault>,
}

/// A stand-in for a perpetual's missing funding stream, named on every card that rests on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FundingDefault {
    /// The venue's formula on the grid: premium from the recorded index and book top where
    /// there are some, else the interest component alone (0.01 % per 8 h on Binance).
    Computed,
    /// No funding is paid or received.
    Zero,
}

impl std::str::FromStr for FundingDefault {
    type Err = EngineError;
    fn from_str(s: &str) -> Result<FundingDefault, EngineError> {
        match s {
            "computed" => Ok(FundingDefault::Computed),
            "zero" => Ok(FundingDefault::Zero),
            _ => Err(EngineError::Config(format!(
                "funding default {s:?}: expected computed or zero"
            ))),
        }
    }
}

impl FundingDefault {
    /// The name as given on the command line.
    pub fn name(self) -> &'static str {
        match self {
            FundingDefault::Computed => "computed",
            FundingDefault::Zero => "zero",
        }
    }
}

/// A stand-in for a perpetual's missing mark and index streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MarkDefault {
    /// The mark is the last traded price (the book mid before the first trade).
    Last,
}

impl std::str::FromStr for MarkDefault {
    type Err = EngineError;
    fn from_str(s: &str) -> Result<MarkDefault, EngineError> {
        match s {
            "last" => Ok(MarkDefault::Last),
            _ => Err(EngineError::Config(format!(
                "mark default {s:?}: expected last (the mark = the last traded price)"
            ))),
        }
    }
}

/// The crowd of a run: its configuration (seed included) and, for a log without open
/// interest, the starting book it is seeded with at the first mark of its instrument.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrowdSetup {
    /// The crowd's configuration.
    pub config: CrowdConfig,
    /// The starting book, if any ([`cascade_crowd::Crowd::seed_spread`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub book: Option<CrowdBook>,
    /// The crowd holds the first linear perpetual of the run's instrument table, whatever
    /// `config.instrument` says (for suites over scenarios with different tables).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub first_perp: bool,
}

// Every float of a crowd config is validated finite, so equality is an equivalence.
impl Eq for CrowdSetup {}

/// A starting book: open interest (base quantity) around a price.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrowdBook {
    /// Open interest in base quantity (the crowd holds its `oi_share` of it).
    #[serde(with = "decimal_qty")]
    pub open_interest: Qty,
    /// The price the entries are spread around.
    #[serde(with = "decimal_price")]
    pub price: Price,
}

impl std::str::FromStr for CrowdBook {
    type Err = EngineError;

    /// `OI@PRICE`, e.g. `80000@60000` (80,000 base units around 60,000), or `$N@PRICE` for
    /// open interest given as notional in quote currency (converted at `PRICE`, rounded down).
    fn from_str(s: &str) -> Result<CrowdBook, EngineError> {
        let bad = || {
            EngineError::Config(format!(
                "crowd book {s:?}: expected OI@PRICE (base quantity) or $NOTIONAL@PRICE, e.g. 80000@60000"
            ))
        };
        let (oi, price) = s.split_once('@').ok_or_else(bad)?;
        let price: Price = price.trim().parse().map_err(|_| bad())?;
        if !price.is_positive() {
            return Err(bad());
        }
        let open_interest = match oi.trim().strip_prefix('$') {
            Some(n) => {
                let notional: Money = n.parse().map_err(|_| bad())?;
                let raw =
                    notional.raw() as i128 * cascade_types::SCALE as i128 / price.raw() as i128;
                Qty::from_raw(i64::try_from(raw).map_err(|_| bad())?)
            }
            None => oi.parse().map_err(|_| bad())?,
        };
        if !open_interest.is_positive() {
            return Err(bad());
        }
        Ok(CrowdBook {
            open_interest,
            price,
        })
    }
}

mod decimal_qty {
    use cascade_types::Qty;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &Qty, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Qty, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

mod decimal_price {
    use cascade_types::Price;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &Price, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Price, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            latency_ns: 10_000_000,
            sample_interval_ns: Ts::NANOS_PER_MIN,
            deposit: Money::from_int(10_000),
            insurance_fund: FundSetting::Venue,
            seed: 0,
            expand_bars: true,
            bar_path: BarPathConfig::default(),
            scheduler_capacity: 1 << 16,
            crowd: None,
            from: None,
            to: None,
            funding_default: None,
            mark_default: None,
        }
    }
}

impl RunConfig {
    /// Checks the bounds.
    pub fn validate(&self) -> Result<(), EngineError> {
        let bad = |m: String| Err(EngineError::Config(m));
        if self.latency_ns < 0 {
            return bad(format!(
                "latency must not be negative, got {} ns",
                self.latency_ns
            ));
        }
        if self.sample_interval_ns <= 0 {
            return bad(format!(
                "the sample interval must be positive, got {} ns",
                self.sample_interval_ns
            ));
        }
        if !self.deposit.is_positive() || self.deposit > cascade_types::bounds::MAX_DEPOSIT {
            return bad(format!(
                "the deposit must be positive and at most {} (a zero or negative deposit has \
                 no returns to score), got {}",
                cascade_types::bounds::MAX_DEPOSIT,
                self.deposit
            ));
        }
        if let FundSetting::Assumed(m) = self.insurance_fund {
            if m.is_negative() {
                return bad(format!("the insurance fund must not be negative, got {m}"));
            }
        }
        if let (Some(f), Some(t)) = (self.from, self.to) {
            if t < f {
                return bad(format!("the window ends ({t}) before it starts ({f})"));
            }
        }
        if self.scheduler_capacity == 0 {
            return bad("the scheduler capacity must be at least 1".into());
        }
        if let Some(c) = &self.crowd {
            c.config
                .validate()
                .map_err(|e| EngineError::Config(format!("crowd: {e}")))?;
        }
        Ok(())
    }
}

/// Serde for the insurance fund setting: `"venue"` or a decimal amount (`"0"`).
mod fund_setting {
    use crate::venue::FundSetting;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &FundSetting, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<FundSetting, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// Serde for money as an exact decimal string (`"10000"`), readable in manifests and sweeps.
pub(crate) mod decimal {
    use cascade_types::Money;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &Money, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
impl RunConfig {
    /// True when `ts` is inside the window.
    #[inline]
    pub fn in_window(&self, ts: Ts) -> bool {
        self.from.is_none_or(|f| ts >= f) && self.to.is_none_or(|t| ts <= t)
    }

    /// The same settings with both stand-ins set (`computed` funding, `last` mark), for
    /// inputs made of trades alone.
    pub fn with_defaults(mut self) -> RunConfig {
        self.funding_default = Some(FundingDefault::Computed);
        self.mark_default = Some(MarkDefault::Last);
        self
    }
}
