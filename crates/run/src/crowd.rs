//! The crowd's entry points that read files: a crowd set up from command-line arguments (a
//! config file and/or a starting book) and the calibration of its leverage distribution
//! against event logs (the fit itself is the engine's pure
//! [`cascade_engine::calibrate_events`]).

use crate::error::RunError;
use crate::source::open_logs;
use cascade_engine::{calibrate_events, CrowdConfig, CrowdSetup};
use cascade_types::Ts;
use std::path::{Path, PathBuf};

/// The crowd of a command line: a [`CrowdConfig`] TOML file (`--crowd`) and/or a starting
/// book `OI@PRICE` (`--crowd-book`, see [`cascade_engine::CrowdBook`]'s `FromStr`). A book
/// without a file uses the default config; neither gives no crowd.
pub fn crowd_from_args(
    config: Option<&Path>,
    book: Option<&str>,
) -> Result<Option<CrowdSetup>, RunError> {
    if config.is_none() && book.is_none() {
        return Ok(None);
    }
    let config = match config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| RunError::Io {
                path: path.to_path_buf(),
                doing: "reading the crowd config",
                source,
            })?;
            CrowdConfig::from_toml(&text)
                .map_err(|e| RunError::config(format!("crowd config {}: {e}", path.display())))?
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

/// What [`calibrate_logs`] fits against.
#[derive(Clone, Debug)]
pub struct CalibrateSpec {
    /// Input event logs (merged as in a run).
    pub inputs: Vec<PathBuf>,
    /// Venue preset.
    pub venue: cascade_engine::VenuePreset,
    /// The window `[from, to)` the loss is computed over (events from `to` on are not used).
    pub window: (Ts, Ts),
    /// The crowd's base config (its leverage is what is fitted) and optional starting book.
    pub crowd: CrowdSetup,
    /// What the insurance funds start with.
    pub insurance_fund: cascade_engine::FundSetting,
}

/// Fits the crowd's leverage distribution to the logs' recorded liquidations: reads and
/// merges the logs, then [`calibrate_events`] replays them through a fresh exchange of the
/// preset and a fresh crowd for every candidate.
pub fn calibrate_logs(
    spec: &CalibrateSpec,
    grid: &cascade_crowd::CalibrationGrid,
) -> Result<cascade_crowd::CalibrationFit, RunError> {
    let (from, to) = spec.window;
    if from >= to {
        return Err(RunError::config(format!(
            "the window is empty: from {} is not before to {}",
            from.nanos(),
            to.nanos()
        )));
    }
    let mut inputs = open_logs(&spec.inputs)?;
    let mut events = Vec::new();
    while inputs.source.fill(&mut events, 4096)? {}
    Ok(calibrate_events(
        &spec.venue,
        &spec.crowd,
        spec.insurance_fund,
        spec.window,
        &inputs.instruments,
        inputs.start,
        events,
        grid,
    )?)
}
