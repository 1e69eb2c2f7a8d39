//! The crowd of cascade: the rest of the market's open interest, modelled as accounts under
//! the same margin, liquidation, fee and ADL rules as the strategy's.
//!
//! placeholder docs

mod calibrate;
mod config;
mod dist;
mod driver;
mod error;
mod fidelity;
mod heatmap;
pub mod impact;
mod model;
mod record;
mod report;
mod rng;

pub use calibrate::{calibrate, CalibrationFit, CalibrationGrid, CalibrationInput, FitPoint};
pub use config::{ClosingRule, CrowdConfig, HeatmapConfig, Mode, RatioFollow};
pub use dist::{CushionDist, LeverageDist, LeverageWeight, SizeDist};
pub use driver::{replay, replay_with, with_oi_path, CrowdRun};
pub use error::CrowdError;
pub use fidelity::{fidelity_table, FidelityRow, FidelityTable, Published, PublishedRow, Scope};
pub use heatmap::{Bucket, HeatBand, HeatSummary, Heatmap, BANDS_MAX};
pub use model::{Crowd, Manifest, SeedPosition};
pub use record::{
    AdlEvent, CrowdStats, FundPoint, HeatSnapshot, Instant, IntervalTally, ModelledLiquidation,
    Record, Round,
};
pub use report::{cascade_report, heatmap_svg};
pub use rng::{det_exp, Rng};
