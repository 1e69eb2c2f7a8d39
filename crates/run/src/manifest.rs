//! The run manifest (`manifest.json`): what went into a run and what came out, enough to
//! re-run it and to check the re-run. Written last: its presence marks a finished run.

use crate::error::RunError;
use crate::files::{write_atomic, MANIFEST};
use crate::source::InputInfo;
use cascade_engine::AdlExposure;
use cascade_engine::FinalState;
use cascade_engine::RunConfig;
use cascade_strategy::{ParamValue, Params};
use cascade_types::{InstrumentSpec, Note, Ts};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The manifest format version.
pub const MANIFEST_VERSION: u32 = 1;

/// The engine's version, recorded in every manifest.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the run journal holds, as the manifest records it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct JournalInfo {
    /// File name in the run directory (`None` when the journal was only hashed).
    pub file: Option<String>,
    /// Number of records.
    pub records: u64,
    /// The final rolling hash, 16 hex digits.
    pub final_hash: String,
}

/// Everything recorded about a run.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_VERSION`].
    pub manifest_version: u32,
    /// The engine's version ([`ENGINE_VERSION`]).
    pub engine_version: String,
    /// The input logs, with their content hashes from their headers, in tie-break order.
    pub inputs: Vec<InputInfo>,
    /// The run's merged instrument table.
    pub instruments: Vec<InstrumentSpec>,
    /// The strategy's registry name.
    pub strategy: String,
    /// Its parameters, typed as given.
    pub params: serde_json::Map<String, serde_json::Value>,
    /// The scenario this run belongs to, if any (a label for reports).
    #[serde(default)]
    pub scenario: Option<String>,
    /// The scenario's crash window, if known (reports measure exposure and de-risking
    /// against it).
    #[serde(default)]
    pub crash_window: Option<(Ts, Ts)>,
    /// The time of the first input event (venue presets use the rules in force then).
    #[serde(default)]
    pub start: Option<Ts>,
    /// The venue preset as asked for.
    pub venue: String,
    /// The rules the exchange model used (the preset's dated name).
    pub venue_rules: String,
    /// Settings that shape results (latency, sampling, deposit, seed, …).
    pub config: RunConfig,
    /// The seeds used, by what they seed.
    pub seeds: std::collections::BTreeMap<String, u64>,
    /// The run journal.
    pub journal: JournalInfo,
    /// The final state the run reached.
    pub final_state: FinalState,
    /// The report files written beside the manifest.
    pub reports: Vec<String>,
    /// The crowd's seed, draw counts and whole configuration, when the run had a crowd (a
    /// replay rebuilds it from `config.crowd`; this records what it drew).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crowd: Option<CrowdManifest>,
    /// What the strategy said about its run (`Strategy::notes`): inputs it lacked, the state
    /// it ended in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub strategy_notes: Vec<Note>,
    /// ADL as the strategy met it: per side of an instrument where ADL happened, how much,
    /// whether the strategy was deleveraged, and its best place in the queue.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adl_exposure: Vec<AdlExposure>,
    /// What the venue adapter says about the run: on an inverse venue, the coin every figure
    /// is in and how the deposit was converted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub venue_notes: Vec<Note>,
}

/// What the manifest records about a run's crowd.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct CrowdManifest {
    /// The seed every crowd stream derives from.
    pub seed: u64,
    /// Draws taken from each stream, by stream name.
    pub draws: std::collections::BTreeMap<String, u64>,
    /// The whole crowd configuration, as TOML.
    pub config_toml: String,
}

impl From<cascade_crowd::Manifest> for CrowdManifest {
    fn from(m: cascade_crowd::Manifest) -> Self {
        CrowdManifest {
            seed: m.seed,
            draws: m
                .draws
                .into_iter()
                .map(|(k, n)| (k.to_string(), n))
                .collect(),
            config_toml: m.config_toml,
        }
    }
}

impl Manifest {
    /// The start of the data: the earliest first timestamp of the inputs (venue presets use
    /// the rules in force then).
    pub fn start(&self) -> Option<Ts> {
        self.start
            .or_else(|| self.inputs.iter().filter_map(|i| i.span.map(|s| s.0)).min())
    }

    /// The parameters as [`Params`], to rebuild the strategy.
    pub fn params(&self) -> Result<Params, RunError> {
        let text = serde_json::Value::Object(self.params.clone()).to_string();
        Params::from_json_str(&text, "manifest.json").map_err(|e| RunError::strategy(e.to_string()))
    }

    /// Writes the manifest into `dir` (atomically, as the run's last file).
    pub fn write(&self, dir: &Path) -> Result<(), RunError> {
        let mut text = serde_json::to_string_pretty(self).expect("a manifest always serialises");
        text.push('\n');
        write_atomic(dir, MANIFEST, text.as_bytes()).map(|_| ())
    }

    /// Reads the manifest of the run in `dir`. A missing manifest means the run never
    /// finished.
    pub fn read(dir: &Path) -> Result<Manifest, RunError> {
        let path = dir.join(MANIFEST);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(RunError::BadRun {
                    path: dir.to_path_buf(),
                    detail: format!(
                        "no {MANIFEST}: not a finished run (it was interrupted, is still running, or this is not a run directory)"
                    ),
                })
            }
            Err(source) => return Err(RunError::Io { path, doing: "reading the manifest", source }),
        };
        serde_json::from_str(&text).map_err(|e| RunError::BadRun {
            path,
            detail: format!("unreadable manifest: {e}"),
        })
    }
}

/// Parameters as typed JSON values (strings stay strings, numbers numbers).
pub fn params_to_json(params: &Params) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::Value as J;
    params
        .iter()
        .map(|(k, v, _)| {
            let j = match v {
                ParamValue::Bool(b) => J::Bool(*b),
                ParamValue::Int(i) => J::from(*i),
                ParamValue::Float(x) => serde_json::Number::from_f64(*x)
                    .map(J::Number)
                    .unwrap_or_else(|| J::String(x.to_string())),
                ParamValue::Str(s) => J::String(s.clone()),
            };
            (k.to_string(), j)
        })
        .collect()
}
