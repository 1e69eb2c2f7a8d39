//! Run settings that shape results: [`RunConfig`] (recorded in the manifest) and the crowd's
//! setup. How the work is done (batching, threads, progress) is the `cascade-run` crate's
//! `ExecConfig`, which never changes results.

use crate::error::EngineError;
use cascade_crowd::CrowdConfig;
use cascade_types::{Money, Price, Qty};
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
    /// What every insurance fund starts with (quote currency).
    #[serde(with = "decimal")]
    pub insurance_fund: Money,
    /// The run's seed, handed to anything random in the models (recorded for replays).
    pub seed: u64,
    /// Expand bars into intra-bar ticks ([`crate::bars`]).
    pub expand_bars: bool,
    /// Most commands and timers that may be pending at once.
    pub scheduler_capacity: usize,
    /// The crowd (the rest of the market's open interest as exchange accounts), off by
    /// default. Absent from the manifest when off, so runs without it are unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crowd: Option<CrowdSetup>,
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
            sample_interval_ns: 60_000_000_000,
            deposit: Money::from_int(10_000),
            insurance_fund: Money::ZERO,
            seed: 0,
            expand_bars: true,
            scheduler_capacity: 1 << 16,
            crowd: None,
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
        if self.insurance_fund.is_negative() {
            return bad(format!(
                "the insurance fund must not be negative, got {}",
                self.insurance_fund
            ));
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
