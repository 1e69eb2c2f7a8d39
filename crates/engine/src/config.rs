//! Run settings. [`RunConfig`] shapes results and is recorded in the manifest;
//! [`ExecConfig`] only changes how the work is done (batching, threads, progress) and never
//! the results.

use crate::error::EngineError;
use crate::pipeline::PipelineConfig;
use cascade_crowd::CrowdConfig;
use cascade_exchange::FundSetting;
use cascade_types::{Money, Price, Qty};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

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

impl CrowdSetup {
    /// The crowd of a command line: a [`CrowdConfig`] TOML file (`--crowd`) and/or a starting
    /// book `OI@PRICE` (`--crowd-book`, see [`CrowdBook`]'s `FromStr`). A book without a file
    /// uses the default config; neither gives no crowd.
    pub fn from_args(
        config: Option<&std::path::Path>,
        book: Option<&str>,
    ) -> Result<Option<CrowdSetup>, EngineError> {
        if config.is_none() && book.is_none() {
            return Ok(None);
        }
        let config = match config {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| EngineError::Io {
                    path: path.to_path_buf(),
                    doing: "reading the crowd config",
                    source,
                })?;
                CrowdConfig::from_toml(&text).map_err(|e| {
                    EngineError::Config(format!("crowd config {}: {e}", path.display()))
                })?
            }
            None => CrowdConfig::default(),
        };
        let book = book.map(str::parse).transpose()?;
        Ok(Some(CrowdSetup {
            config,
            book,
            first_perp: false,
        }))
    }
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
            insurance_fund: FundSetting::Venue,
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
        if self.deposit.is_negative() {
            return bad(format!(
                "the deposit must not be negative, got {}",
                self.deposit
            ));
        }
        if let FundSetting::Assumed(m) = self.insurance_fund {
            if m.is_negative() {
                return bad(format!("the insurance fund must not be negative, got {m}"));
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
    use cascade_exchange::FundSetting;
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

/// Progress of a run (events) or a sweep (jobs), for progress bars. Updated once per batch
/// or job, read by another thread.
#[derive(Debug, Default)]
pub struct Progress {
    total: AtomicU64,
    done: AtomicU64,
}

impl Progress {
    /// A fresh counter.
    pub fn new() -> Arc<Progress> {
        Arc::new(Progress::default())
    }
    /// Sets the total.
    pub fn set_total(&self, n: u64) {
        self.total.store(n, Ordering::Relaxed);
    }
    /// Adds to the work done.
    pub fn add(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }
    /// `(done, total)`.
    pub fn get(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

/// How a run is executed; none of this changes its results.
#[derive(Clone, Debug)]
pub struct ExecConfig {
    /// Batch sizes and channel capacities.
    pub pipeline: PipelineConfig,
    /// Time one event in this many for the latency histograms.
    pub latency_sample_every: u64,
    /// Write the run journal to the run directory (otherwise it is only hashed, and the run
    /// cannot be replayed).
    pub write_journal: bool,
    /// Where to report progress, if anywhere.
    pub progress: Option<Arc<Progress>>,
    /// Check the exchange model's invariants after every event (slow; for tests). They are
    /// always checked once at the end of a run.
    pub check_invariants: bool,
}

impl Default for ExecConfig {
    fn default() -> Self {
        ExecConfig {
            pipeline: PipelineConfig::default(),
            latency_sample_every: 64,
            write_journal: true,
            progress: None,
            check_invariants: false,
        }
    }
}
