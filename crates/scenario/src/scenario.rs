//! A scenario file's contents: one historical leverage reset. The format is documented field
//! by field in `fixtures/scenarios/README.md`.

use crate::de;
use crate::figures::Figures;
use crate::params::GeneratorParams;
use cascade_types::{InstrumentKind, InstrumentSpec, Price, Qty, Ts};
use serde::{Deserialize, Deserializer};
use std::path::PathBuf;

/// A span of time: `start` inclusive, `end` exclusive. Written `["start", "end"]`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Window {
    /// First instant inside.
    pub start: Ts,
    /// First instant after.
    pub end: Ts,
}

impl Window {
    /// Whether `t` lies inside.
    pub fn contains(&self, t: Ts) -> bool {
        self.start <= t && t < self.end
    }
    /// Length in seconds.
    pub fn secs(&self) -> i64 {
        (self.end.nanos() - self.start.nanos()) / Ts::NANOS_PER_SEC
    }
}

impl<'de> Deserialize<'de> for Window {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de::window(d).map(|(start, end)| Window { start, end })
    }
}

/// The venue rules in force on the scenario's date, by the exchange crate's preset id.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VenueRulesRef {
    /// Preset id: `binance-usdm-2021`, `binance-usdm-2022-05`, `binance-usdm-2024-05`,
    /// `bitmex-2020`, `hyperliquid-2025`, …
    pub preset: String,
    /// First snapshot date (`YYYY-MM-DD`) of the margin-tier table in force, when the venue
    /// has dated tables.
    #[serde(default)]
    pub tiers_seen_from: Option<String>,
    /// Presets of other venues the scenario's figures speak of.
    #[serde(default)]
    pub also: Vec<String>,
    /// Where the choice comes from and how sure it is.
    #[serde(default)]
    pub note: String,
}

fn deserialize_kind<'de, D: Deserializer<'de>>(d: D) -> Result<InstrumentKind, D::Error> {
    let text = String::deserialize(d)?;
    match text.as_str() {
        "spot" => Ok(InstrumentKind::Spot),
        "linear-perp" => Ok(InstrumentKind::LinearPerp),
        "inverse-perp" => Ok(InstrumentKind::InversePerp),
        other => Err(serde::de::Error::custom(format!(
            "expected `spot`, `linear-perp` or `inverse-perp`, found {other:?}"
        ))),
    }
}

fn one() -> Qty {
    Qty::ONE
}

/// One instrument of the scenario. Exactly one perpetual (the headline instrument) and at
/// most one spot market of the same underlying.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioInstrument {
    /// Venue, lower case (`binance-um`, `binance-spot`, `bitmex`, `coinbase`).
    pub venue: String,
    /// The venue's symbol (`BTCUSDT`, `XBTUSD`, `BTC-USD`).
    pub symbol: String,
    /// `spot`, `linear-perp` or `inverse-perp`.
    #[serde(deserialize_with = "deserialize_kind")]
    pub kind: InstrumentKind,
    /// Base asset.
    pub base: String,
    /// Quote asset.
    pub quote: String,
    /// Price increment.
    #[serde(deserialize_with = "de::decimal")]
    pub tick: Price,
    /// Quantity increment (contracts for an inverse perp).
    #[serde(deserialize_with = "de::decimal")]
    pub lot: Qty,
    /// USD per contract for an inverse perp; 1 otherwise (the default).
    #[serde(default = "one", deserialize_with = "de::decimal")]
    pub contract_size: Qty,
}

impl ScenarioInstrument {
    /// The instrument-table entry.
    pub fn spec(&self) -> InstrumentSpec {
        InstrumentSpec {
            venue: self.venue.clone(),
            symbol: self.symbol.clone(),
            kind: self.kind,
            base: self.base.clone(),
            quote: self.quote.clone(),
            tick: self.tick,
            lot: self.lot,
            contract_size: self.contract_size,
        }
    }
}

/// A real recorded file that covers part of the scenario, relative to a data directory (the
/// layout of `../shared/data`, see its README). A runner given `--data DIR` uses these
/// instead of, or beside, the reconstruction.
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RealData {
    /// Path relative to the data directory.
    pub path: String,
    /// Venue of the instrument the file records.
    pub venue: String,
    /// Its symbol.
    pub symbol: String,
    /// What the file holds (`1m klines`, `5m mark-price klines`, `bookDepth`, `funding rates`).
    pub contents: String,
    /// The part of the scenario window it covers, when less than the whole.
    #[serde(default, deserialize_with = "de_window_opt")]
    pub covers: Option<Window>,
    /// True for a file the figures were read off that runners cannot import yet (no importer
    /// for its format): the data tests check the figures against it, runners list it as not
    /// used.
    #[serde(default)]
    pub check_only: bool,
}

fn de_window_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Window>, D::Error> {
    Window::deserialize(d).map(Some)
}

/// One historical leverage reset: what happened (published figures with their sources), on
/// which venue and instruments under which rules, and how to rebuild its market events
/// synthetically when the real data is not at hand.
///
/// Load with [`load`](crate::load) or [`load_dir`](crate::load_dir), which also
/// [`validate`](Scenario::validate); rebuild with [`reconstruct`](Scenario::reconstruct).
#[derive(Clone, PartialEq, Eq, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Stable id, equal to the file name without `.toml` (`2025-10-10-tariff-crash`).
    pub id: String,
    /// Human title (`10/10 tariff crash`).
    pub title: String,
    /// The venue whose figures lead (`Binance BTCUSDT perp`).
    pub headline_venue: String,
    /// One paragraph on what happened.
    #[serde(default)]
    pub summary: String,
    /// The span replayed.
    pub window: Window,
    /// The crash inside it (scorecards measure exposure at its start).
    pub crash_window: Window,
    /// Venue rules in force.
    pub venue: VenueRulesRef,
    /// The instruments (one perp, optionally one spot).
    pub instruments: Vec<ScenarioInstrument>,
    /// Published figures, with sources.
    pub figures: Figures,
    /// The reconstruction's parameters.
    pub generator: GeneratorParams,
    /// Real files covering the scenario, relative to a data directory.
    #[serde(default)]
    pub real_data: Vec<RealData>,
    /// The file it was loaded from (empty when parsed from text without a path).
    #[serde(skip)]
    pub origin: PathBuf,
}

impl Scenario {
    /// Index of the perpetual in [`Scenario::instruments`] (validated: exactly one).
    pub fn perp_index(&self) -> Option<usize> {
        self.instruments
            .iter()
            .position(|i| i.kind != InstrumentKind::Spot)
    }
    /// Index of the spot market, if any.
    pub fn spot_index(&self) -> Option<usize> {
        self.instruments
            .iter()
            .position(|i| i.kind == InstrumentKind::Spot)
    }
    /// The label reports print wherever a reconstruction is used:
    /// `reconstruction (synthetic, seed N) of <title> from published figures`.
    pub fn reconstruction_label(&self) -> String {
        format!(
            "reconstruction (synthetic, seed {}) of {} from published figures",
            self.generator.seed, self.title
        )
    }
}
