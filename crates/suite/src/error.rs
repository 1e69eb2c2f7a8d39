//! The one error type of this crate.

use std::path::PathBuf;
use thiserror::Error;

/// Why the suite, or one part of it, could not be run. Every variant names the file, the
/// scenario or the strategy entry it is about, so the message alone says what to fix.
///
/// Errors that concern one scenario or one (strategy, scenario) pair never stop the suite:
/// they are collected in [`SuiteOutcome::failures`](crate::SuiteOutcome::failures) while the
/// other pairs run. Only errors in the suite's own configuration (the suite file, the
/// filters, the output directory) are returned from [`run_suite`](crate::run_suite).
#[derive(Debug, Error)]
pub enum SuiteError {
    /// The suite file could not be read or has a bad entry. Fix the named file and field.
    #[error("{}: {message}", path.display())]
    SuiteFile {
        /// The suite file.
        path: PathBuf,
        /// What is wrong, naming the entry or field.
        message: String,
    },

    /// The scenarios directory could not be listed. Check the path.
    #[error("{}: cannot list scenario files: {source}", path.display())]
    ScenarioDir {
        /// The directory.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// The scenarios directory holds no `*.toml` file: there is nothing to score, and the
    /// previous outputs are left as they are. Check the path.
    #[error("{}: no scenario files (*.toml) in this directory; nothing to score, previous outputs left untouched", path.display())]
    NoScenarios {
        /// The directory.
        path: PathBuf,
    },

    /// A scenario file could not be loaded (a missing field, a bad value, unreadable); the
    /// message names the file and the field. Fix the file; the other scenarios still run.
    #[error(transparent)]
    Scenario(#[from] cascade_scenario::ScenarioError),

    /// The scenario names a venue preset this crate does not know. Fix `venue.preset` in the
    /// named file, or teach [`venue_spec`](crate::venue_spec) the preset.
    #[error("{}: `venue.preset`: unknown venue preset {preset:?}; known: {known}", file.display())]
    UnknownVenue {
        /// The scenario file.
        file: PathBuf,
        /// The preset id it names.
        preset: String,
        /// The presets that are known, for the message.
        known: String,
    },

    /// The scenario's venue is known but the engine cannot run it yet (the scenario is
    /// reported as skipped, not failed). Nothing to fix in the file.
    #[error("{}: venue preset {preset:?} cannot be run yet: {why}", file.display())]
    UnsupportedVenue {
        /// The scenario file.
        file: PathBuf,
        /// The preset id.
        preset: String,
        /// What the engine or the exchange model lacks.
        why: String,
    },

    /// The scenario's venue fields contradict each other (a dated preset without its tier
    /// date, a tier table first seen after the scenario). Fix the named field.
    #[error("{}: `venue.{field}`: {why}", file.display())]
    BadVenue {
        /// The scenario file.
        file: PathBuf,
        /// The field (`tiers_seen_from`, `preset`).
        field: &'static str,
        /// The rule it breaks.
        why: String,
    },

    /// A real data file of a scenario is missing or could not be imported. Check the data
    /// directory (`--data` or `CASCADE_DATA_DIR`) and the scenario's `real_data` entries.
    #[error("{}: real data {}: {message}", scenario_file.display(), data_file.display())]
    RealData {
        /// The scenario file naming the data.
        scenario_file: PathBuf,
        /// The data file.
        data_file: PathBuf,
        /// What went wrong.
        message: String,
    },

    /// The engine refused or failed one (strategy, scenario) run. The message says why
    /// (bad parameters, a venue the instruments do not fit, an engine error).
    #[error("{entry} on {scenario} ({data}): {message}")]
    Run {
        /// The suite entry's label.
        entry: String,
        /// The scenario id.
        scenario: String,
        /// Which data (`reconstruction`, `real`).
        data: String,
        /// The engine's or the report's error.
        message: String,
    },

    /// The strategy refused to start on this data: a parameter it cannot honour here, such as
    /// an instrument the data set lacks (a spot strategy on real data that has only the
    /// perpetual). On a data set that lacks some of the scenario's instruments this is
    /// reported as a skip; otherwise fix the entry's parameters.
    #[error("{entry} (strategy `{strategy}`) on {scenario} ({data}): refused to start: {message}")]
    StrategyRefused {
        /// The suite entry's label.
        entry: String,
        /// The strategy's registry name.
        strategy: String,
        /// The scenario id.
        scenario: String,
        /// Which data.
        data: String,
        /// The strategy's reason.
        message: String,
    },

    /// The strategy, or code under it, panicked during one run. The run is lost; the other
    /// runs are not. Fix the strategy named here.
    #[error("{entry} (strategy `{strategy}`) on {scenario} ({data}): panicked: {message}")]
    Panic {
        /// The suite entry's label.
        entry: String,
        /// The strategy's registry name.
        strategy: String,
        /// The scenario id (or file stem).
        scenario: String,
        /// Which data.
        data: String,
        /// The panic message.
        message: String,
    },

    /// A `--strategies` or `--scenarios` filter names nothing. Pick one of `available`.
    #[error("--{what}: nothing is named {name:?}; available: {available}")]
    UnknownName {
        /// `strategies` or `scenarios`.
        what: &'static str,
        /// The name given.
        name: String,
        /// What exists, comma-separated.
        available: String,
    },

    /// An output file could not be written. Check the path, permissions and disk space.
    #[error("{}: cannot write: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
}

impl SuiteError {
    /// True for a scenario the suite knowingly cannot run yet ([`SuiteError::UnsupportedVenue`]):
    /// reported as skipped, and not counted as a failure.
    pub fn is_skip(&self) -> bool {
        matches!(self, SuiteError::UnsupportedVenue { .. })
    }
}
