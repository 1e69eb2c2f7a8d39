//! What a suite run produced: the cards, the data each used, what was skipped and what
//! failed — all in a fixed order, and serialisable as one JSON document.

use crate::card::Card;
use crate::data::{DataInfo, DataKind};
use crate::suite_file::SuiteEntry;
use crate::SuiteError;
use cascade_scenario::Scenario;
use serde::{Serialize, Serializer};
use std::path::PathBuf;

/// A suite entry as reports show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EntryInfo {
    /// Its label.
    pub label: String,
    /// The strategy's registry name.
    pub strategy: String,
    /// One line about it.
    pub about: String,
    /// Its parameters as `k=v`, sorted by name.
    pub params: Vec<String>,
}

impl EntryInfo {
    pub(crate) fn of(e: &SuiteEntry) -> EntryInfo {
        EntryInfo {
            label: e.label.clone(),
            strategy: e.strategy.clone(),
            about: e.about.clone(),
            params: e
                .params
                .to_text_map()
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect(),
        }
    }
}

/// A scenario that was run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScenarioInfo {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its file.
    pub file: String,
    /// The engine venue spec it ran under.
    pub venue: String,
    /// The window replayed, `[start, end)`.
    pub window: [String; 2],
    /// The crash window.
    pub crash_window: [String; 2],
}

impl ScenarioInfo {
    pub(crate) fn of(s: &Scenario, venue: &str) -> ScenarioInfo {
        ScenarioInfo {
            id: s.id.clone(),
            title: s.title.clone(),
            file: s.origin.display().to_string(),
            venue: venue.to_string(),
            window: [s.window.start.to_string(), s.window.end.to_string()],
            crash_window: [
                s.crash_window.start.to_string(),
                s.crash_window.end.to_string(),
            ],
        }
    }
}

/// A scenario, or one data set of it, that was knowingly not run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Skip {
    /// The scenario id.
    pub scenario: String,
    /// Its file.
    pub file: String,
    /// Which data set, when only one was skipped.
    pub data: Option<DataKind>,
    /// The suite entry, when only one run was skipped.
    pub entry: Option<String>,
    /// Why.
    pub reason: String,
}

/// A scenario, or one run, that failed.
#[derive(Debug, Serialize)]
pub struct Failure {
    /// The scenario id (the file stem when the file could not be loaded).
    pub scenario: String,
    /// Its file.
    pub file: PathBuf,
    /// The suite entry, when one run failed (none when the whole scenario did).
    pub entry: Option<String>,
    /// The data set, when known.
    pub data: Option<DataKind>,
    /// What went wrong.
    #[serde(serialize_with = "as_text")]
    pub error: SuiteError,
}

fn as_text<S: Serializer>(e: &SuiteError, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(e)
}

/// Everything a suite run produced.
#[derive(Debug, Default, Serialize)]
pub struct SuiteOutcome {
    /// The entries, in suite order.
    pub entries: Vec<EntryInfo>,
    /// The entry the comparison measures against.
    pub baseline: Option<String>,
    /// The scenarios that ran, in id order.
    pub scenarios: Vec<ScenarioInfo>,
    /// The data sets the runs used, in card order.
    pub datasets: Vec<DataInfo>,
    /// One card per successful run: scenario id, then reconstruction before real data, then
    /// suite order.
    pub cards: Vec<Card>,
    /// What was knowingly not run.
    pub skipped: Vec<Skip>,
    /// What failed.
    pub failures: Vec<Failure>,
}

impl SuiteOutcome {
    /// True when nothing failed (skips are not failures).
    pub fn is_success(&self) -> bool {
        self.failures.is_empty()
    }

    /// The card of (entry label, scenario id, data), if it ran.
    pub fn card(&self, entry: &str, scenario: &str, data: DataKind) -> Option<&Card> {
        self.cards
            .iter()
            .find(|c| c.entry == entry && c.scenario == scenario && c.data == data)
    }

    /// The data set of (scenario id, data), if it was prepared.
    pub fn dataset(&self, scenario: &str, data: DataKind) -> Option<&DataInfo> {
        self.datasets
            .iter()
            .find(|d| d.scenario == scenario && d.kind == data)
    }

    /// True when a real data set of `scenario` spans its crash window: its cards lead the
    /// tables and the reconstruction is the fallback.
    pub fn real_covers_crash(&self, scenario: &str) -> bool {
        self.datasets
            .iter()
            .any(|d| d.scenario == scenario && d.kind == DataKind::Real && d.covers_crash)
    }

    /// How tables name a card's scenario: `scenario (data)`, and `scenario (reconstruction,
    /// fallback)` when real data covers that scenario's crash window.
    pub fn label(&self, scenario: &str, data: DataKind) -> String {
        if data == DataKind::Reconstruction && self.real_covers_crash(scenario) {
            format!("{scenario} ({data}, fallback)")
        } else {
            crate::text::scenario_label(scenario, data)
        }
    }

    /// The cards in table order: scenario by scenario as in [`cards`](Self::cards), but the
    /// real cards first where real data covers the crash window.
    pub fn table_order(&self) -> Vec<&Card> {
        let mut v: Vec<(usize, &Card)> = self.cards.iter().enumerate().collect();
        let scenario_pos = |id: &str| self.cards.iter().position(|c| c.scenario == id);
        v.sort_by_key(|(i, c)| {
            let lead = c.data == DataKind::Real && self.real_covers_crash(&c.scenario);
            (scenario_pos(&c.scenario), !lead, *i)
        });
        v.into_iter().map(|(_, c)| c).collect()
    }

    /// The whole outcome as pretty JSON (stable field order; no wall-clock time).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("the outcome serialises");
        s.push('\n');
        s
    }
}
